//! hyper over lctls: HTTP/2 (ALPN h2) with many concurrent streams and
//! HTTP/1.1, the way HTTPS services use a TLS stream.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use lctls::config::{CertifiedKey, ClientConfig, ServerConfig};
use lctls::pki::RootStore;
use lctls::{TlsAcceptor, TlsConnector};
use tokio::net::{TcpListener, TcpStream};

const CERTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");

async fn echo(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_string();
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let mut out = path.into_bytes();
    out.extend_from_slice(&body);
    Ok(Response::new(Full::new(Bytes::from(out))))
}

async fn tls_pair(alpn: &str) -> (lctls::TlsStream<TcpStream>, lctls::TlsStream<TcpStream>) {
    let mut roots = RootStore::new();
    roots.add_pem_file(format!("{CERTS}/ca.pem")).unwrap();
    let cc = ClientConfig::builder()
        .with_root_store(Arc::new(roots))
        .with_alpn_protocols(&[alpn])
        .build()
        .unwrap();
    let sc = ServerConfig::builder()
        .with_certified_key(
            CertifiedKey::from_pem_files(
                format!("{CERTS}/server.pem"),
                format!("{CERTS}/server.key"),
            )
            .unwrap(),
        )
        .with_alpn_protocols(&["h2", "http/1.1"])
        .build()
        .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accept = async {
        let (tcp, peer) = listener.accept().await.unwrap();
        TlsAcceptor::from(Arc::new(sc))
            .accept_from(tcp, peer)
            .await
            .unwrap()
    };
    let connect = async {
        let tcp = TcpStream::connect(addr).await.unwrap();
        TlsConnector::from(Arc::new(cc))
            .connect_to("localhost", tcp, addr)
            .await
            .unwrap()
    };
    let (c, s) = tokio::join!(connect, accept);
    assert_eq!(c.alpn_protocol(), Some(alpn.as_bytes()));
    (c, s)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_many_concurrent_streams() {
    tokio::time::timeout(Duration::from_secs(30), async {
        let (c, s) = tls_pair("h2").await;
        let server = tokio::spawn(async move {
            hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(s), hyper::service::service_fn(echo))
                .await
        });
        let (sender, conn) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(c))
                .await
                .unwrap();
        let client_conn = tokio::spawn(conn);
        let mut tasks = Vec::new();
        for i in 0..64u32 {
            let mut sender = sender.clone();
            tasks.push(tokio::spawn(async move {
                // Bodies from empty to 200 KB, so frames span many TLS records.
                let body = vec![b'a' + (i % 26) as u8; (i as usize) * 3_000];
                let req = Request::post(format!("https://localhost/{i}"))
                    .body(Full::new(Bytes::from(body.clone())))
                    .unwrap();
                let resp = sender.send_request(req).await.unwrap();
                assert_eq!(resp.status(), 200);
                let got = resp.into_body().collect().await.unwrap().to_bytes();
                let mut want = format!("/{i}").into_bytes();
                want.extend_from_slice(&body);
                assert_eq!(got.len(), want.len(), "request {i}");
                assert!(got == want, "request {i}: body differs");
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        drop(sender);
        client_conn.await.unwrap().unwrap();
        server.await.unwrap().unwrap();
    })
    .await
    .expect("HTTP/2 over lctls timed out");
}

#[tokio::test]
async fn http1_keep_alive() {
    tokio::time::timeout(Duration::from_secs(30), async {
        let (c, s) = tls_pair("http/1.1").await;
        let server = tokio::spawn(async move {
            hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(s), hyper::service::service_fn(echo))
                .await
        });
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(c))
            .await
            .unwrap();
        let client_conn = tokio::spawn(conn);
        for i in 0..20u32 {
            let req = Request::post(format!("/r{i}"))
                .header("host", "localhost")
                .body(Full::new(Bytes::from(vec![b'x'; i as usize * 1000])))
                .unwrap();
            let resp = sender.send_request(req).await.unwrap();
            let got = resp.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(got.len(), format!("/r{i}").len() + i as usize * 1000);
        }
        drop(sender);
        client_conn.await.unwrap().unwrap();
        server.await.unwrap().unwrap();
    })
    .await
    .expect("HTTP/1.1 over lctls timed out");
}

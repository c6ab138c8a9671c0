//! Feature `axum`: axum 0.8 served over `lctls::TlsListener`, requested by
//! our hyper connector, by hyper over tokio-rustls and by `curl --http2`;
//! a silent client does not hold others up, failed handshakes do not stop
//! the listener, and a handler reads the client certificate (mTLS).

mod common;
mod support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::{Request, StatusCode, Version};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use lctls::config::{ClientConfig, ServerConfig};
use lctls::hyper::HttpsConnector;
use lctls::pki::DefaultClientVerifier;
use lctls::proto::enums::AlertDescription;
use lctls::stream::TlsConnectInfo;
use lctls::{Error, TlsAcceptor, TlsListener};
use support::https::{describe, error_chain, find_tls_error, h2_server_config};
use support::{certified_key, client_config, roots, timeout};
use tokio::io::AsyncWriteExt;

/// The app: GET / answers with what the connection negotiated.
fn app() -> Router {
    Router::new().route(
        "/",
        get(
            |ConnectInfo(tls): ConnectInfo<TlsConnectInfo>, req: Request<axum::body::Body>| async move {
                describe(req.version(), &tls)
            },
        ),
    )
}

/// Serves [`app`] with `acceptor` on 127.0.0.1:0 through `axum::serve`.
async fn serve(listener: TlsListener) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        axum::serve(
            listener,
            app().into_make_service_with_connect_info::<TlsConnectInfo>(),
        )
        .await
        .unwrap();
    });
    (addr, task)
}

async fn bind(acceptor: TlsAcceptor) -> TlsListener {
    TlsListener::bind("127.0.0.1:0", acceptor).await.unwrap()
}

/// GET https://localhost:PORT/ with our connector: (status, version, body).
async fn get_ours(
    cc: Arc<ClientConfig>,
    addr: SocketAddr,
) -> Result<(StatusCode, Version, String), hyper_util::client::legacy::Error> {
    let client: Client<HttpsConnector, Empty<Bytes>> =
        Client::builder(TokioExecutor::new()).build(HttpsConnector::new(cc));
    let resp = client
        .get(
            format!("https://localhost:{}/", addr.port())
                .parse()
                .unwrap(),
        )
        .await?;
    let (status, version) = (resp.status(), resp.version());
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    Ok((status, version, String::from_utf8_lossy(&body).into_owned()))
}

#[tokio::test]
async fn axum_over_tls_listener_both_http_versions_from_our_client() {
    timeout(async {
        let (addr, server) = serve(bind(TlsAcceptor::from(h2_server_config("server"))).await).await;
        let (status, version, body) = get_ours(client_config(), addr).await.unwrap();
        assert_eq!((status, version), (StatusCode::OK, Version::HTTP_2));
        assert!(
            body.starts_with("version=HTTP/2.0 alpn=h2 sni=localhost tls=Some(TLSv1_3) client=-"),
            "{body}"
        );

        let h1 = support::client_with(|b| b.with_alpn_protocols(&["http/1.1"]));
        let (status, version, body) = get_ours(h1, addr).await.unwrap();
        assert_eq!((status, version), (StatusCode::OK, Version::HTTP_11));
        assert!(body.starts_with("version=HTTP/1.1 alpn=http/1.1"), "{body}");
        server.abort();
    })
    .await
}

/// hyper's HTTP/2 client over tokio-rustls: another TLS stack.
#[tokio::test]
async fn axum_from_hyper_over_tokio_rustls() {
    timeout(async {
        let (addr, server) = serve(bind(TlsAcceptor::from(h2_server_config("server"))).await).await;
        let mut rustls_roots = rustls::RootCertStore::empty();
        for c in support::pem_certs("ca.pem") {
            rustls_roots.add(c).unwrap();
        }
        let mut cc = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(rustls_roots)
        .with_no_client_auth();
        cc.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
        let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
        let tls = tokio_rustls::TlsConnector::from(Arc::new(cc))
            .connect(name, tcp)
            .await
            .unwrap();
        assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
        let (mut sender, conn) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(tls))
                .await
                .unwrap();
        let conn = tokio::spawn(conn);
        for _ in 0..3 {
            let req = Request::get("https://localhost/")
                .body(Empty::<Bytes>::new())
                .unwrap();
            let resp = sender.send_request(req).await.unwrap();
            assert_eq!(resp.status(), 200);
            let body = resp.into_body().collect().await.unwrap().to_bytes();
            let body = String::from_utf8_lossy(&body);
            assert!(
                body.starts_with("version=HTTP/2.0 alpn=h2 sni=localhost"),
                "{body}"
            );
        }
        drop(sender);
        conn.await.unwrap().unwrap();
        server.abort();
    })
    .await
}

#[tokio::test]
async fn axum_from_curl_http2() {
    if !common::require("curl") {
        return;
    }
    let (addr, server) = serve(bind(TlsAcceptor::from(h2_server_config("server"))).await).await;
    let port = addr.port();
    for (flag, want) in [
        ("--http2", "version=HTTP/2.0 alpn=h2"),
        ("--http1.1", "version=HTTP/1.1 alpn=http/1.1"),
    ] {
        let out = tokio::time::timeout(
            Duration::from_secs(20),
            tokio::process::Command::new("curl")
                .args([
                    "-sS",
                    "--max-time",
                    "10",
                    flag,
                    "--cacert",
                    &support::path("ca.pem"),
                ])
                .args(["--resolve", &format!("localhost:{port}:127.0.0.1")])
                .args(["-w", "\ncurl_http_version=%{http_version}\n"])
                .arg(format!("https://localhost:{port}/"))
                .kill_on_drop(true)
                .output(),
        )
        .await
        .expect("curl timed out")
        .expect("running curl");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "curl {flag}: {:?}\n{stdout}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.starts_with(want), "curl {flag}: {stdout}");
        let curl_version = if flag == "--http2" { "2" } else { "1.1" };
        assert!(
            stdout.contains(&format!("curl_http_version={curl_version}\n")),
            "{stdout}"
        );
    }
    server.abort();
}

/// Clients that connect and send nothing, or half a ClientHello, must not
/// hold up a real client: its request completes well before the 5 s
/// handshake timeout the silent ones are waiting out.
#[tokio::test]
async fn silent_clients_do_not_delay_others() {
    timeout(async {
        let acceptor = TlsAcceptor::from(h2_server_config("server"))
            .with_handshake_timeout(Duration::from_secs(5));
        let (addr, server) = serve(bind(acceptor).await).await;
        let mut silent = Vec::new();
        for i in 0..4 {
            let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
            if i % 2 == 1 {
                // A handshake record header promising 512 bytes, then nothing.
                s.write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01])
                    .await
                    .unwrap();
            }
            silent.push(s);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        let start = Instant::now();
        let (status, _, _) = get_ours(client_config(), addr).await.unwrap();
        let took = start.elapsed();
        assert_eq!(status, 200);
        assert!(
            took < Duration::from_secs(2),
            "a silent client delayed the request by {took:?}"
        );
        eprintln!("request behind 4 silent clients took {took:?}");
        drop(silent);
        server.abort();
    })
    .await
}

/// With one handshake at a time, a silent client holds the next one until
/// its handshake times out, and no longer: the bound and the timeout both hold.
#[tokio::test]
async fn handshake_bound_waits_for_the_timeout() {
    timeout(async {
        let acceptor = TlsAcceptor::from(h2_server_config("server"))
            .with_handshake_timeout(Duration::from_millis(600));
        let listener = bind(acceptor).await.with_max_concurrent_handshakes(1);
        let (addr, server) = serve(listener).await;
        let silent = tokio::net::TcpStream::connect(addr).await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        let start = Instant::now();
        let (status, _, _) = get_ours(client_config(), addr).await.unwrap();
        let took = start.elapsed();
        assert_eq!(status, 200);
        assert!(
            took >= Duration::from_millis(400) && took < Duration::from_secs(3),
            "took {took:?}"
        );
        drop(silent);
        server.abort();
    })
    .await
}

#[tokio::test]
async fn failed_handshakes_do_not_stop_the_listener() {
    timeout(async {
        let (addr, server) = serve(bind(TlsAcceptor::from(h2_server_config("server"))).await).await;
        // Plain HTTP on the TLS port.
        let mut plain = tokio::net::TcpStream::connect(addr).await.unwrap();
        plain
            .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .await
            .unwrap();
        // A client that trusts another CA (it sends bad_certificate/unknown_ca).
        let mut other = lctls::pki::RootStore::new();
        other.add_pem_file(support::path("other-ca.pem")).unwrap();
        let untrusting = Arc::new(
            ClientConfig::builder()
                .with_root_store(Arc::new(other))
                .build()
                .unwrap(),
        );
        for _ in 0..3 {
            let err = get_ours(untrusting.clone(), addr)
                .await
                .expect_err("untrusted server");
            assert!(find_tls_error(&err).is_some(), "{:#?}", error_chain(&err));
        }
        // A connection reset mid-handshake.
        drop(tokio::net::TcpStream::connect(addr).await.unwrap());
        for _ in 0..2 {
            let (status, _, _) = get_ours(client_config(), addr).await.unwrap();
            assert_eq!(status, 200);
        }
        drop(plain);
        server.abort();
    })
    .await
}

fn mtls_acceptor() -> TlsAcceptor {
    let config = ServerConfig::builder()
        .with_certified_key(certified_key("server", "server.key"))
        .with_client_cert_verifier(Arc::new(DefaultClientVerifier::new(roots())))
        .with_alpn_protocols(&["h2", "http/1.1"])
        .build()
        .unwrap();
    TlsAcceptor::from(Arc::new(config))
}

#[tokio::test]
async fn handler_reads_the_client_certificate() {
    timeout(async {
        let (addr, server) = serve(bind(mtls_acceptor()).await).await;
        let cc =
            support::client_with(|b| b.with_client_cert(certified_key("client", "client.key")));
        let (status, version, body) = get_ours(cc, addr).await.unwrap();
        assert_eq!((status, version), (StatusCode::OK, Version::HTTP_2));
        assert!(
            body.ends_with(" client=CN=lctls test client,O=lctls test\n"),
            "{body}"
        );

        // No certificate: refused in the handshake, never reaching a handler.
        // In TLS 1.3 the client has finished its handshake when the
        // server's alert comes, so hyper sees it while it starts HTTP/2 or
        // while it sends the request, and hyper-util reports the first as
        // "connection closed": the alert itself is checked below on a bare
        // TLS stream.
        let err = get_ours(client_config(), addr)
            .await
            .expect_err("no client certificate");
        eprintln!(
            "hyper's error without a client certificate: {:?}",
            error_chain(&err)
        );
        let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
        let mut tls = lctls::TlsConnector::from(client_config())
            .connect("localhost", tcp)
            .await
            .unwrap();
        let mut buf = [0u8; 16];
        let read = tokio::io::AsyncReadExt::read(&mut tls, &mut buf).await;
        assert_eq!(
            support::handshake_err(read),
            Error::AlertReceived(AlertDescription::CertificateRequired)
        );
        server.abort();
    })
    .await
}

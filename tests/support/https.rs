//! HTTPS over lctls for the hyper and axum tests: a hyper server (HTTP/1.1
//! and HTTP/2) on a `TlsListener`, a body that says what the connection
//! negotiated, and error-chain helpers.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use lctls::config::ServerConfig;
use lctls::stream::TlsConnectInfo;
use lctls::{TlsAcceptor, TlsListener};
use x509_cert::der::Decode;

/// A server config presenting certs/{name}.pem and offering h2 and http/1.1.
pub fn h2_server_config(name: &str) -> Arc<ServerConfig> {
    Arc::new(
        super::server_builder(name)
            .with_alpn_protocols(&["h2", "http/1.1"])
            .build()
            .unwrap(),
    )
}

/// What a handler reports about its request's connection, one line:
/// `version=HTTP/2.0 alpn=h2 sni=localhost tls=TLSv1_3 client=CN=...`.
pub fn describe(version: hyper::Version, tls: &TlsConnectInfo) -> String {
    let alpn = tls
        .alpn_protocol()
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .unwrap_or_else(|| "-".into());
    format!(
        "version={version:?} alpn={alpn} sni={} tls={:?} client={}\n",
        tls.server_name().unwrap_or("-"),
        tls.protocol_version(),
        tls.peer_certificates()
            .first()
            .map(|c| subject(c))
            .unwrap_or_else(|| "-".into()),
    )
}

/// The subject of a DER certificate, as `CN=...`.
pub fn subject(der: &[u8]) -> String {
    x509_cert::Certificate::from_der(der)
        .map(|c| c.tbs_certificate.subject.to_string())
        .unwrap_or_else(|e| format!("unparsable certificate: {e}"))
}

/// Binds a `TlsListener` on 127.0.0.1:0 and serves hyper (HTTP/1.1 and
/// HTTP/2, as ALPN says) on it with [`describe`] as the body, until the
/// returned task is aborted. Returns the port.
pub async fn spawn_hyper_server(acceptor: TlsAcceptor) -> (u16, tokio::task::JoinHandle<()>) {
    let mut listener = TlsListener::bind("127.0.0.1:0", acceptor).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        loop {
            let (tls, peer) = listener.accept().await;
            let info = TlsConnectInfo::new(&tls, peer);
            let h2 = tls.alpn_protocol() == Some(b"h2");
            tokio::spawn(async move {
                let service = hyper::service::service_fn(
                    move |req: Request<hyper::body::Incoming>| {
                        let body = describe(req.version(), &info);
                        async move { Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(body)))) }
                    },
                );
                let io = TokioIo::new(tls);
                // Served as ALPN agreed, as a browser-facing server would.
                let _ = if h2 {
                    hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                        .serve_connection(io, service)
                        .await
                } else {
                    hyper::server::conn::http1::Builder::new()
                        .serve_connection(io, service)
                        .await
                };
            });
        }
    });
    (port, task)
}

/// The `Display` of `e` and of every error in its `source` chain.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = Some(e);
    // Bounded: a cyclic chain would otherwise loop forever.
    while let Some(err) = cur.take() {
        out.push(err.to_string());
        if out.len() == 32 {
            break;
        }
        cur = err.source();
    }
    out
}

/// The first `lctls::Error` in `e`'s source chain (inside the `io::Error`
/// the connector fails with).
pub fn find_tls_error(e: &(dyn std::error::Error + 'static)) -> Option<lctls::Error> {
    let mut cur = Some(e);
    for _ in 0..32 {
        let err = cur?;
        if let Some(tls) = err.downcast_ref::<lctls::Error>() {
            return Some(tls.clone());
        }
        if let Some(tls) = err
            .downcast_ref::<std::io::Error>()
            .and_then(lctls::Error::from_io)
        {
            return Some(tls.clone());
        }
        cur = err.source();
    }
    None
}

//! gRPC over lctls with mutual TLS: a tonic server (`serve_with_incoming`)
//! and a tonic client (`Endpoint::connect_with_connector`), both on lctls,
//! through the glue of examples/grpc_mtls, with tonic-health as the service;
//! and each side against tonic over tokio-rustls, both with mutual TLS.

#[path = "../examples/grpc_mtls/glue.rs"]
mod glue;
mod pki_support;

use std::error::Error as StdError;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use glue::{HandshakeFailure, PeerIdentity};
use lctls::config::{CertifiedKey, ClientConfig, ServerConfig};
use lctls::pki::{CertificateError, DefaultClientVerifier, RootStore};
use lctls::proto::enums::AlertDescription;
use lctls::{Error, TlsAcceptor, TlsConnector};
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::sync::mpsc;
use tonic::transport::{Channel, Endpoint, Server};
use tonic::{Request, Status};
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::health_server::HealthServer;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::server::{HealthReporter, HealthService};

/// The bound on every wait here.
const TIMEOUT: Duration = Duration::from_secs(20);
const CERTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");

fn identity(name: &str) -> CertifiedKey {
    CertifiedKey::from_pem_files(format!("{CERTS}/{name}.pem"), format!("{CERTS}/{name}.key"))
        .unwrap()
}

fn ca_roots() -> Arc<RootStore> {
    let mut roots = RootStore::new();
    roots.add_pem_file(format!("{CERTS}/ca.pem")).unwrap();
    Arc::new(roots)
}

/// A running gRPC health server requiring client certificates under ca.pem.
struct GrpcServer {
    addr: SocketAddr,
    /// Who each request came from, as the interceptor saw it.
    seen: mpsc::UnboundedReceiver<PeerIdentity>,
    /// Handshakes the acceptor refused.
    failures: mpsc::Receiver<HandshakeFailure>,
    task: tokio::task::JoinHandle<Result<(), tonic::transport::Error>>,
}

impl Drop for GrpcServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn grpc_server(server_cert: &str) -> GrpcServer {
    let config = ServerConfig::builder()
        .with_certified_key(identity(server_cert))
        .with_client_cert_verifier(Arc::new(DefaultClientVerifier::new(ca_roots())))
        .with_alpn_protocols(&["h2"])
        .build()
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config)).with_handshake_timeout(TIMEOUT);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let reporter = HealthReporter::new();
    reporter.set_serving::<HealthServer<HealthService>>().await;
    let (seen_tx, seen) = mpsc::unbounded_channel();
    let health = HealthServer::with_interceptor(
        HealthService::from_health_reporter(reporter),
        move |req: Request<()>| {
            let who = req
                .extensions()
                .get::<PeerIdentity>()
                .cloned()
                .ok_or_else(|| Status::internal("no PeerIdentity in the request"))?;
            let _ = seen_tx.send(who);
            Ok(req)
        },
    );
    let (fail_tx, failures) = mpsc::channel(8);
    let task = tokio::spawn(
        Server::builder()
            .add_service(health)
            .serve_with_incoming(glue::incoming(listener, acceptor, Some(fail_tx))),
    );
    GrpcServer {
        addr,
        seen,
        failures,
        task,
    }
}

fn client_config(client: CertifiedKey) -> TlsConnector {
    let config = ClientConfig::builder()
        .with_root_store(ca_roots())
        .with_client_cert(client)
        .with_alpn_protocols(&["h2"])
        .build()
        .unwrap();
    TlsConnector::from(Arc::new(config))
}

async fn channel(addr: SocketAddr, tls: TlsConnector) -> Result<Channel, tonic::transport::Error> {
    Endpoint::from_shared(format!("https://localhost:{}", addr.port()))
        .unwrap()
        .connect_timeout(TIMEOUT)
        .timeout(TIMEOUT)
        .connect_with_connector(glue::connector(tls))
        .await
}

async fn health_check(channel: Channel) -> Result<ServingStatus, Status> {
    let answer = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await?;
    Ok(answer.into_inner().status())
}

/// Connects and makes a health check that must fail; returns the error
/// chain as text.
async fn rpc_error(addr: SocketAddr, tls: TlsConnector) -> String {
    match channel(addr, tls).await {
        Ok(channel) => {
            let status = health_check(channel)
                .await
                .expect_err("the health check succeeded");
            lctls_error(&status).1
        }
        Err(e) => lctls_error(&e).1,
    }
}

/// The `lctls::Error` somewhere in an error's source chain, and the whole
/// chain as text.
fn lctls_error<'a>(e: &'a (dyn StdError + 'static)) -> (Option<&'a Error>, String) {
    let mut text = e.to_string();
    let mut found = None;
    let mut cur: Option<&(dyn StdError + 'static)> = Some(e);
    while let Some(err) = cur {
        if found.is_none() {
            found = err.downcast_ref::<Error>().or_else(|| {
                err.downcast_ref::<std::io::Error>()
                    .and_then(Error::from_io)
            });
        }
        cur = err.source();
        if let Some(s) = cur {
            text.push_str(&format!(": {s}"));
        }
    }
    (found, text)
}

#[tokio::test]
async fn health_check_over_mtls_and_server_sees_client_identity() {
    let mut server = grpc_server("server").await;
    let result = tokio::time::timeout(TIMEOUT, async {
        let channel = channel(server.addr, client_config(identity("client")))
            .await
            .expect("connect");
        health_check(channel).await
    })
    .await
    .expect("timed out");
    assert_eq!(result.expect("health check"), ServingStatus::Serving);
    let who = server.seen.try_recv().expect("interceptor saw the request");
    assert_eq!(
        who.subject.as_deref(),
        Some("CN=lctls test client,O=lctls test")
    );
    assert_eq!(who.chain.len(), 2, "client leaf and intermediate");
    assert_eq!(who.chain[0].as_ref(), identity("client").chain[0].as_ref());
    assert!(who.remote_addr.is_some_and(|a| a.ip().is_loopback()));
}

/// A client certificate from a CA the server does not trust: the server's
/// verifier refuses it (unknown issuer) and sends unknown_ca, which the
/// client reads as the RPC's error. TLS 1.3 ends the client's handshake
/// before the server has checked its certificate, so the alert arrives on
/// the connection, not in `connect`.
#[tokio::test]
async fn unknown_client_is_refused_with_unknown_ca() {
    use pki_support::{ca_params, dns, params, self_signed};
    use rcgen::{date_time_ymd, ExtendedKeyUsagePurpose, KeyPair};
    let mut ca = ca_params("grpc test rogue CA");
    ca.not_after = date_time_ymd(2045, 1, 1);
    let rogue = self_signed(ca, KeyPair::generate().unwrap());
    let mut leaf = params("rogue.client.test", vec![dns("rogue.client.test")]);
    leaf.not_after = date_time_ymd(2045, 1, 1);
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let key = KeyPair::generate().unwrap();
    let der = leaf
        .signed_by(&key, &rogue.cert, &rogue.key)
        .unwrap()
        .der()
        .clone();
    let client = CertifiedKey::new(
        vec![der],
        &PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    )
    .unwrap();

    let mut server = grpc_server("server").await;
    let text = tokio::time::timeout(TIMEOUT, rpc_error(server.addr, client_config(client)))
        .await
        .expect("timed out");
    // h2 keeps only the kind and the words of an I/O error, not its type,
    // so the alert is matched by its words: exactly the client's Error.
    let expected = Error::AlertReceived(AlertDescription::UnknownCA).to_string();
    assert_eq!(expected, "peer sent alert unknown_ca");
    assert!(text.contains(&expected), "error chain: {text}");

    let failure = tokio::time::timeout(TIMEOUT, server.failures.recv())
        .await
        .expect("timed out")
        .expect("the server reported the failed handshake");
    let err = Error::from_io(&failure.error).expect("an lctls error");
    assert!(
        matches!(
            err,
            Error::Certificate(CertificateError::UnknownIssuer { .. })
        ),
        "{err:?}"
    );
    assert_eq!(err.alert(), Some(AlertDescription::UnknownCA));
    assert!(server.seen.try_recv().is_err(), "no request got through");
}

/// The client verifies the server against the URI's host: a certificate
/// for another name fails `connect_with_connector`, with our words (the
/// names expected and presented) in tonic's error chain.
#[tokio::test]
async fn client_refuses_server_with_wrong_name() {
    let server = grpc_server("wrong-name").await;
    let err = tokio::time::timeout(
        TIMEOUT,
        channel(server.addr, client_config(identity("client"))),
    )
    .await
    .expect("timed out")
    .expect_err("connected to a server with the wrong name");
    let (found, text) = lctls_error(&err);
    assert!(
        matches!(
            found,
            Some(Error::Certificate(CertificateError::NotValidForName { expected, .. }))
                if expected == "localhost"
        ),
        "{found:?}; chain: {text}"
    );
    assert!(
        text.contains("certificate is not valid for 'localhost'")
            && text.contains("wrong.example.com"),
        "{text}"
    );
}

/// Without a client certificate the server's required-mode verifier sends
/// certificate_required, which reaches the client through the RPC.
#[tokio::test]
async fn client_without_certificate_gets_certificate_required() {
    let server = grpc_server("server").await;
    let config = ClientConfig::builder()
        .with_root_store(ca_roots())
        .with_alpn_protocols(&["h2"])
        .build()
        .unwrap();
    let text = tokio::time::timeout(
        TIMEOUT,
        rpc_error(server.addr, TlsConnector::from(Arc::new(config))),
    )
    .await
    .expect("timed out");
    let expected = Error::AlertReceived(AlertDescription::CertificateRequired).to_string();
    assert!(text.contains(&expected), "error chain: {text}");
}

// ---- Against rustls: tonic over tokio-rustls on the other side ----

fn pem_chain(name: &str) -> Vec<rustls_pki_types::CertificateDer<'static>> {
    use rustls_pki_types::pem::PemObject;
    rustls_pki_types::CertificateDer::pem_file_iter(format!("{CERTS}/{name}.pem"))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn pem_key(name: &str) -> PrivateKeyDer<'static> {
    use rustls_pki_types::pem::PemObject;
    PrivateKeyDer::from_pem_file(format!("{CERTS}/{name}.key")).unwrap()
}

fn rustls_roots() -> Arc<rustls::RootCertStore> {
    let mut roots = rustls::RootCertStore::empty();
    for c in pem_chain("ca") {
        roots.add(c).unwrap();
    }
    Arc::new(roots)
}

/// A tokio-rustls server connection as tonic takes it: `Connected` reports
/// the client's verified chain.
struct RustlsConn(tokio_rustls::server::TlsStream<tokio::net::TcpStream>);

impl tonic::transport::server::Connected for RustlsConn {
    type ConnectInfo = Vec<rustls_pki_types::CertificateDer<'static>>;

    fn connect_info(&self) -> Self::ConnectInfo {
        self.0
            .get_ref()
            .1
            .peer_certificates()
            .unwrap_or(&[])
            .to_vec()
    }
}

impl tokio::io::AsyncRead for RustlsConn {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for RustlsConn {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

/// Our tonic client (glue::connector, client certificate) against a tonic
/// server on tokio-rustls that requires client certificates under ca.pem.
#[tokio::test]
async fn lctls_grpc_client_to_rustls_grpc_server_with_mtls() {
    use tokio_stream::StreamExt;
    let verifier = rustls::server::WebPkiClientVerifier::builder(rustls_roots())
        .build()
        .unwrap();
    let mut config = rustls::ServerConfig::builder()
        .with_client_cert_verifier(verifier)
        .with_single_cert(pem_chain("server"), pem_key("server"))
        .unwrap();
    config.alpn_protocols = vec![b"h2".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // One handshake at a time is enough for one client.
    let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener).then(move |tcp| {
        let acceptor = acceptor.clone();
        async move { Ok::<_, std::io::Error>(RustlsConn(acceptor.accept(tcp?).await?)) }
    });
    let reporter = HealthReporter::new();
    reporter.set_serving::<HealthServer<HealthService>>().await;
    let (seen_tx, mut seen) = mpsc::unbounded_channel();
    let health = HealthServer::with_interceptor(
        HealthService::from_health_reporter(reporter),
        move |req: Request<()>| {
            let chain = req
                .extensions()
                .get::<Vec<rustls_pki_types::CertificateDer<'static>>>()
                .cloned()
                .unwrap_or_default();
            let _ = seen_tx.send(chain);
            Ok(req)
        },
    );
    let task = tokio::spawn(
        Server::builder()
            .add_service(health)
            .serve_with_incoming(incoming),
    );

    let status = tokio::time::timeout(TIMEOUT, async {
        let channel = channel(addr, client_config(identity("client")))
            .await
            .expect("connect to the rustls server");
        health_check(channel).await
    })
    .await
    .expect("timed out");
    task.abort();
    assert_eq!(status.expect("health check"), ServingStatus::Serving);
    let chain = seen.try_recv().expect("the rustls server saw a request");
    assert_eq!(chain.len(), 2);
    assert_eq!(
        glue::subject_of(&chain[0]).as_deref(),
        Some("CN=lctls test client,O=lctls test")
    );
}

/// A tonic client on tokio-rustls (client certificate, ALPN h2) against our
/// server (glue::incoming): served, and our server sees its identity.
#[tokio::test]
async fn rustls_grpc_client_to_lctls_grpc_server_with_mtls() {
    let mut server = grpc_server("server").await;
    let mut config = rustls::ClientConfig::builder()
        .with_root_certificates(rustls_roots())
        .with_client_auth_cert(pem_chain("client"), pem_key("client"))
        .unwrap();
    config.alpn_protocols = vec![b"h2".to_vec()];
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let connect = tower::service_fn(move |uri: tonic::transport::Uri| {
        let connector = connector.clone();
        async move {
            let port = uri.port_u16().unwrap_or(443);
            let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
            let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
            let tls = connector.connect(name, tcp).await?;
            Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(tls))
        }
    });
    let status = tokio::time::timeout(TIMEOUT, async {
        let channel = Endpoint::from_shared(format!("https://localhost:{}", server.addr.port()))
            .unwrap()
            .connect_with_connector(connect)
            .await
            .expect("rustls client connects to our server");
        health_check(channel).await
    })
    .await
    .expect("timed out");
    assert_eq!(status.expect("health check"), ServingStatus::Serving);
    let who = server.seen.try_recv().expect("our server saw the request");
    assert_eq!(
        who.subject.as_deref(),
        Some("CN=lctls test client,O=lctls test")
    );
    assert_eq!(who.chain.len(), 2);
}

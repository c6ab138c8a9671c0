//! `Negotiated::session_stored` on the client, against rustls servers: a
//! TLS 1.2 server with tickets or a session cache gives a session; one
//! with neither gives none; TLS 1.3 gets its session from the ticket that
//! arrives after the handshake.

mod common;

use std::sync::Arc;
use std::time::Duration;

use lctls::config::ClientConfig;
use lctls::pki::{RootStore, ServerName};
use lctls::proto::enums::ProtocolVersion;
use lctls::TlsConnector;
use rustls::crypto::aws_lc_rs as aws;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::NoServerSessionStorage;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;

const TIMEOUT: Duration = Duration::from_secs(20);

/// A rustls server: `stateful` keeps a session cache, `tickets` issues them.
fn server(stateful: bool, tickets: bool) -> tokio_rustls::TlsAcceptor {
    let chain: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(common::cert_path("server.pem"))
            .expect("server.pem")
            .collect::<Result<_, _>>()
            .expect("certs");
    let key = PrivateKeyDer::from_pem_file(common::cert_path("server.key")).expect("key");
    let mut c = rustls::ServerConfig::builder_with_provider(Arc::new(aws::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("server config");
    if !stateful {
        c.session_storage = Arc::new(NoServerSessionStorage {});
    }
    if tickets {
        c.ticketer = aws::Ticketer::new().expect("ticketer");
    }
    tokio_rustls::TlsAcceptor::from(Arc::new(c))
}

/// Whether the lctls client stored a session: right after the handshake,
/// and after a byte of application data (which follows any TLS 1.3 ticket).
async fn stored(version: ProtocolVersion, stateful: bool, tickets: bool) -> (bool, bool) {
    let mut roots = RootStore::new();
    roots.add_pem_file(common::cert_path("ca.pem")).expect("ca");
    let client = TlsConnector::from(Arc::new(
        ClientConfig::builder()
            .with_root_store(Arc::new(roots))
            .with_protocol_versions(&[version])
            .build()
            .expect("client config"),
    ));
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (c, s) = tokio::join!(TcpStream::connect(addr), listener.accept());
    let name = ServerName::try_from("localhost").expect("name");
    let (c, s) = tokio::join!(
        client.connect(name, c.expect("connect")),
        server(stateful, tickets).accept(s.expect("accept").0)
    );
    let (mut c, mut s) = (c.expect("lctls handshake"), s.expect("rustls handshake"));
    let at_handshake = c.negotiated().session_stored;
    s.write_all(b"x").await.expect("write");
    s.flush().await.expect("flush");
    let mut b = [0u8; 1];
    c.read_exact(&mut b).await.expect("read");
    (at_handshake, c.negotiated().session_stored)
}

#[tokio::test]
async fn client_reports_whether_it_stored_a_session() {
    timeout(TIMEOUT, async {
        let v12 = ProtocolVersion::TLSv1_2;
        assert_eq!(stored(v12, false, true).await, (true, true), "ticket");
        assert_eq!(stored(v12, true, false).await, (true, true), "session ID");
        assert_eq!(stored(v12, false, false).await, (false, false), "neither");
        let v13 = ProtocolVersion::TLSv1_3;
        assert_eq!(
            stored(v13, false, true).await,
            (false, true),
            "TLS 1.3 ticket"
        );
    })
    .await
    .expect("test timed out");
}

//! A TLS 1.2 server keeps a session by session ID only when it issues no
//! ticket for it (`Negotiated::session_id_cached`), and both kinds resume,
//! with a rustls client: one that takes tickets, one that uses session IDs
//! only. In TLS 1.3 (tickets only) nothing is cached by ID.

mod common;

use std::sync::Arc;
use std::time::Duration;

use lctls::config::ServerConfig;
use lctls::proto::enums::ProtocolVersion;
use lctls::TlsAcceptor;
use rustls::client::{Resumption, Tls12Resumption};
use rustls::HandshakeKind;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::time::timeout;

const TIMEOUT: Duration = Duration::from_secs(20);

fn acceptor(version: ProtocolVersion) -> TlsAcceptor {
    let config = ServerConfig::builder()
        .with_certified_key(common::certified("server"))
        .with_protocol_versions(&[version])
        .build()
        .expect("server config");
    TlsAcceptor::from(Arc::new(config))
}

fn connector(tls12: Tls12Resumption) -> tokio_rustls::TlsConnector {
    let mut config = common::rustls_client_config();
    config.resumption = Resumption::in_memory_sessions(8).tls12_resumption(tls12);
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

/// Two connections: for each, (whether rustls resumed, the server's
/// `session_id_cached`).
async fn twice(version: ProtocolVersion, tls12: Tls12Resumption) -> Vec<(bool, bool)> {
    let server = acceptor(version);
    let client = connector(tls12);
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
    let mut seen = Vec::new();
    for _ in 0..2 {
        let (mut c, mut s) = common::rustls_to_ours(&client, &server, &listener).await;
        // One byte each way: the TLS 1.3 ticket arrives before it.
        s.write_all(b"x").await.expect("write");
        s.flush().await.expect("flush");
        let mut b = [0u8; 1];
        c.read_exact(&mut b).await.expect("read");
        let resumed = c.get_ref().1.handshake_kind() == Some(HandshakeKind::Resumed);
        assert_eq!(resumed, s.negotiated().resumed);
        seen.push((resumed, s.negotiated().session_id_cached));
    }
    seen
}

#[tokio::test]
async fn tls12_ticket_sessions_are_not_cached_by_id() {
    let seen = timeout(
        TIMEOUT,
        twice(
            ProtocolVersion::TLSv1_2,
            Tls12Resumption::SessionIdOrTickets,
        ),
    )
    .await
    .expect("in time");
    assert_eq!(seen, [(false, false), (true, false)]);
}

#[tokio::test]
async fn tls12_session_id_sessions_are_cached_by_id() {
    let seen = timeout(
        TIMEOUT,
        twice(ProtocolVersion::TLSv1_2, Tls12Resumption::SessionIdOnly),
    )
    .await
    .expect("in time");
    assert_eq!(seen, [(false, true), (true, false)]);
}

#[tokio::test]
async fn tls13_sessions_are_never_cached_by_id() {
    let seen = timeout(
        TIMEOUT,
        twice(
            ProtocolVersion::TLSv1_3,
            Tls12Resumption::SessionIdOrTickets,
        ),
    )
    .await
    .expect("in time");
    assert_eq!(seen, [(false, false), (true, false)]);
}

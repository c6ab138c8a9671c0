//! `Negotiated::peer_alpn`: a server reports the ALPN protocols the client
//! offered, in its order, in TLS 1.2 and 1.3, on full and resumed
//! handshakes, whichever it chose (rustls client).

mod common;

use std::sync::Arc;
use std::time::Duration;

use lctls::config::ServerConfig;
use lctls::proto::enums::ProtocolVersion;
use lctls::TlsAcceptor;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::time::timeout;

const TIMEOUT: Duration = Duration::from_secs(20);

/// For each of two connections: (what the server saw offered, whether it
/// resumed, what it chose).
async fn offers(
    version: ProtocolVersion,
    ours: &[&str],
    theirs: &[&str],
) -> Vec<(Vec<Vec<u8>>, bool, Option<Vec<u8>>)> {
    let server = TlsAcceptor::from(Arc::new(
        ServerConfig::builder()
            .with_certified_key(common::certified("server"))
            .with_protocol_versions(&[version])
            .with_alpn_protocols(ours)
            .build()
            .expect("server config"),
    ));
    let mut config = common::rustls_client_config();
    config.alpn_protocols = theirs.iter().map(|p| p.as_bytes().to_vec()).collect();
    let client = tokio_rustls::TlsConnector::from(Arc::new(config));
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
    let mut seen = Vec::new();
    for _ in 0..2 {
        let (mut c, mut s) = common::rustls_to_ours(&client, &server, &listener).await;
        // One byte each way: the TLS 1.3 ticket arrives before it.
        s.write_all(b"x").await.expect("write");
        s.flush().await.expect("flush");
        let mut b = [0u8; 1];
        c.read_exact(&mut b).await.expect("read");
        let n = s.negotiated();
        seen.push((n.peer_alpn.clone(), n.resumed, n.alpn.clone()));
    }
    seen
}

#[tokio::test]
async fn server_reports_the_clients_alpn_offer() {
    timeout(TIMEOUT, async {
        let offer: Vec<Vec<u8>> = vec![b"foo".to_vec(), b"bar".to_vec(), b"baz".to_vec()];
        for version in [ProtocolVersion::TLSv1_2, ProtocolVersion::TLSv1_3] {
            let seen = offers(version, &["bar"], &["foo", "bar", "baz"]).await;
            let chose = Some(b"bar".to_vec());
            assert_eq!(
                seen,
                [
                    (offer.clone(), false, chose.clone()),
                    (offer.clone(), true, chose)
                ],
                "{version:?}"
            );
            // A server without ALPN still sees the offer, and chooses nothing.
            let seen = offers(version, &[], &["foo", "bar", "baz"]).await;
            assert_eq!(seen[0], (offer.clone(), false, None), "{version:?}");
            // No offer: empty.
            let seen = offers(version, &["bar"], &[]).await;
            assert_eq!(seen[0], (Vec::new(), false, None), "{version:?}");
        }
    })
    .await
    .expect("test timed out");
}

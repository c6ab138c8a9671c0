//! Post-quantum key exchange with rustls 0.23 (aws-lc-rs provider) both
//! ways: X25519MLKEM768 by default, SecP256r1MLKEM768 (whose share puts the
//! P-256 point first, unlike X25519MLKEM768) and MLKEM1024 opted into, and
//! the HelloRetryRequests the group policies lead to.

mod support;

use std::sync::Arc;

use lctls::config::ClientConfigBuilder;
use lctls::proto::enums::NamedGroup;
use lctls::{TlsAcceptor, TlsConnector, TlsStream};
use rustls::crypto::aws_lc_rs::{self as aws, kx_group};
use rustls::crypto::{CryptoProvider, SupportedKxGroup};
use rustls::pki_types::{PrivateKeyDer, ServerName};
use rustls::HandshakeKind;
use rustls_pki_types::pem::PemObject;
use support::*;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream};

const HYBRID: NamedGroup = NamedGroup::X25519MLKEM768;
const P256_HYBRID: NamedGroup = NamedGroup::SecP256r1MLKEM768;

/// rustls's provider as it ships (X25519MLKEM768 first), or with these groups.
fn provider(groups: Option<Vec<&'static dyn SupportedKxGroup>>) -> Arc<CryptoProvider> {
    let mut p = aws::default_provider();
    if let Some(g) = groups {
        p.kx_groups = g;
    }
    Arc::new(p)
}

fn rustls_server(p: Arc<CryptoProvider>) -> tokio_rustls::TlsAcceptor {
    let key = PrivateKeyDer::from_pem_file(path("server.key")).unwrap();
    let c = rustls::ServerConfig::builder_with_provider(p)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(pem_certs("server.pem"), key)
        .unwrap();
    tokio_rustls::TlsAcceptor::from(Arc::new(c))
}

fn rustls_client(p: Arc<CryptoProvider>) -> tokio_rustls::TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    for c in pem_certs("ca.pem") {
        roots.add(c).unwrap();
    }
    let c = rustls::ClientConfig::builder_with_provider(p)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    tokio_rustls::TlsConnector::from(Arc::new(c))
}

fn connector(f: impl FnOnce(ClientConfigBuilder) -> ClientConfigBuilder) -> TlsConnector {
    TlsConnector::from(Arc::new(f(client_builder()).build().unwrap()))
}

fn acceptor(groups: Option<&[NamedGroup]>) -> TlsAcceptor {
    let mut b = server_builder("server");
    if let Some(g) = groups {
        b = b.with_groups(g);
    }
    TlsAcceptor::from(Arc::new(b.build().unwrap()))
}

/// One message each way.
async fn echo(
    mut a: impl AsyncRead + AsyncWrite + Unpin,
    mut b: impl AsyncRead + AsyncWrite + Unpin,
) {
    a.write_all(b"ping").await.unwrap();
    a.flush().await.unwrap();
    let mut buf = [0u8; 4];
    b.read_exact(&mut buf).await.unwrap();
    b.write_all(&buf).await.unwrap();
    b.flush().await.unwrap();
    a.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf, b"ping");
}

/// What rustls saw: its group and handshake kind.
fn rustls_view(c: &rustls::CommonState) -> (u16, Option<HandshakeKind>) {
    let g = c.negotiated_key_exchange_group().expect("group").name();
    (u16::from(g), c.handshake_kind())
}

/// Our client against a rustls server: (our stream, rustls's group and kind).
async fn ours_to_rustls(
    ours: TlsConnector,
    theirs: tokio_rustls::TlsAcceptor,
) -> (TlsStream<DuplexStream>, (u16, Option<HandshakeKind>)) {
    timeout(async {
        let (a, b) = tokio::io::duplex(64 * 1024);
        let (c, s) = tokio::join!(ours.connect("localhost", a), theirs.accept(b));
        let (c, s) = (c.expect("our client"), s.expect("rustls server"));
        let view = rustls_view(s.get_ref().1);
        let mut c = c;
        let mut s = s;
        echo(&mut c, &mut s).await;
        (c, view)
    })
    .await
}

/// A rustls client against our server: (our stream, rustls's group and kind).
async fn rustls_to_ours(
    theirs: tokio_rustls::TlsConnector,
    ours: TlsAcceptor,
) -> (TlsStream<DuplexStream>, (u16, Option<HandshakeKind>)) {
    timeout(async {
        let (a, b) = tokio::io::duplex(64 * 1024);
        let name = ServerName::try_from("localhost").unwrap();
        let (c, s) = tokio::join!(theirs.connect(name, a), ours.accept(b));
        let (mut c, mut s) = (c.expect("rustls client"), s.expect("our server"));
        let view = rustls_view(c.get_ref().1);
        echo(&mut c, &mut s).await;
        (s, view)
    })
    .await
}

const FULL: Option<HandshakeKind> = Some(HandshakeKind::Full);
const RETRIED: Option<HandshakeKind> = Some(HandshakeKind::FullWithHelloRetryRequest);

#[tokio::test]
async fn defaults_to_rustls_server_use_the_hybrid() {
    let (c, theirs) = ours_to_rustls(connector(|b| b), rustls_server(provider(None))).await;
    assert_eq!(c.key_exchange_group(), Some(HYBRID));
    assert!(!c.negotiated().retried);
    assert_eq!(theirs, (HYBRID.get(), FULL));
}

#[tokio::test]
async fn rustls_client_to_default_server_uses_the_hybrid() {
    let (s, theirs) = rustls_to_ours(rustls_client(provider(None)), acceptor(None)).await;
    assert_eq!(s.key_exchange_group(), Some(HYBRID));
    assert!(!s.negotiated().retried);
    assert_eq!(theirs, (HYBRID.get(), FULL));
}

/// A classical-only rustls server takes the X25519 share sent beside the
/// hybrid: no HelloRetryRequest.
#[tokio::test]
async fn classical_rustls_server_takes_our_x25519_share() {
    let classical = vec![kx_group::X25519, kx_group::SECP256R1, kx_group::SECP384R1];
    let (c, theirs) =
        ours_to_rustls(connector(|b| b), rustls_server(provider(Some(classical)))).await;
    assert_eq!(c.key_exchange_group(), Some(NamedGroup::X25519));
    assert!(!c.negotiated().retried);
    assert_eq!(theirs, (NamedGroup::X25519.get(), FULL));
}

/// rustls without its prefer-post-quantum feature lists the hybrid last and
/// sends only an X25519 share; our server asks for the hybrid (our policy:
/// post-quantum whenever the client supports it, even at a retry).
#[tokio::test]
async fn rustls_client_listing_the_hybrid_last_is_asked_for_it() {
    let late = vec![
        kx_group::X25519,
        kx_group::SECP256R1,
        kx_group::SECP384R1,
        kx_group::X25519MLKEM768,
    ];
    let (s, theirs) = rustls_to_ours(rustls_client(provider(Some(late))), acceptor(None)).await;
    assert_eq!(s.key_exchange_group(), Some(HYBRID));
    assert!(s.negotiated().retried);
    assert_eq!(theirs, (HYBRID.get(), RETRIED));
}

/// The opt-in ML-KEM groups both ways, each alone on both sides.
#[tokio::test]
async fn opt_in_ml_kem_groups_both_ways() {
    let pairs: [(NamedGroup, &'static dyn SupportedKxGroup); 2] = [
        (P256_HYBRID, kx_group::SECP256R1MLKEM768),
        (NamedGroup::MLKEM1024, kx_group::MLKEM1024),
    ];
    for (ours, theirs) in pairs {
        let (c, view) = ours_to_rustls(
            connector(|b| b.with_groups(&[ours])),
            rustls_server(provider(Some(vec![theirs]))),
        )
        .await;
        assert_eq!(c.key_exchange_group(), Some(ours));
        assert_eq!(view, (ours.get(), FULL), "{ours:?}: our client");
        let (s, view) = rustls_to_ours(
            rustls_client(provider(Some(vec![theirs]))),
            acceptor(Some(&[ours])),
        )
        .await;
        assert_eq!(s.key_exchange_group(), Some(ours));
        assert_eq!(view, (ours.get(), FULL), "{ours:?}: our server");
    }
}

/// A rustls server with only SecP256r1MLKEM768 retries for it; our second
/// ClientHello carries that share alone and the handshake completes.
#[tokio::test]
async fn rustls_server_retries_to_secp256r1mlkem768() {
    let c = connector(|b| {
        b.with_groups(&[NamedGroup::X25519, P256_HYBRID])
            .with_key_shares(&[NamedGroup::X25519])
    });
    let s = rustls_server(provider(Some(vec![kx_group::SECP256R1MLKEM768])));
    let (c, theirs) = ours_to_rustls(c, s).await;
    assert_eq!(c.key_exchange_group(), Some(P256_HYBRID));
    assert!(c.negotiated().retried);
    assert_eq!(theirs, (P256_HYBRID.get(), RETRIED));
}

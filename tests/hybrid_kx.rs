//! The X25519MLKEM768 hybrid key exchange (ML-KEM-768 with X25519) in TLS 1.3:
//! between lctls endpoints, with rustls both ways, and its fallbacks.

use std::sync::Arc;
use std::time::Duration;

use lctls::config::{CertifiedKey, ClientConfig, ServerConfig};
use lctls::pki::RootStore;
use lctls::proto::wire::enums::{NamedGroup, ProtocolVersion};
use lctls::{TlsAcceptor, TlsConnector};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

const CERTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");
const HYBRID: NamedGroup = NamedGroup::X25519MLKEM768;

fn roots() -> Arc<RootStore> {
    let mut r = RootStore::new();
    r.add_pem_file(format!("{CERTS}/ca.pem")).unwrap();
    Arc::new(r)
}

fn client(groups: &[NamedGroup]) -> TlsConnector {
    TlsConnector::from(Arc::new(
        ClientConfig::builder()
            .with_root_store(roots())
            .with_groups(groups)
            .build()
            .unwrap(),
    ))
}

fn server(groups: Option<&[NamedGroup]>) -> TlsAcceptor {
    let mut b = ServerConfig::builder().with_certified_key(
        CertifiedKey::from_pem_files(format!("{CERTS}/server.pem"), format!("{CERTS}/server.key"))
            .unwrap(),
    );
    if let Some(g) = groups {
        b = b.with_groups(g);
    }
    TlsAcceptor::from(Arc::new(b.build().unwrap()))
}

async fn echo<C, S>(c: &mut C, s: &mut S)
where
    C: AsyncRead + AsyncWrite + Unpin,
    S: AsyncRead + AsyncWrite + Unpin,
{
    c.write_all(b"pq?").await.unwrap();
    c.flush().await.unwrap();
    let mut b = [0u8; 3];
    s.read_exact(&mut b).await.unwrap();
    s.write_all(&b).await.unwrap();
    s.flush().await.unwrap();
    c.read_exact(&mut b).await.unwrap();
    assert_eq!(&b, b"pq?");
}

/// (client group, retried) after one lctls handshake.
async fn lctls_pair(c: TlsConnector, s: TlsAcceptor) -> Result<(NamedGroup, bool), String> {
    let (a, b) = tokio::io::duplex(64 * 1024);
    let (x, y) = tokio::time::timeout(Duration::from_secs(20), async {
        tokio::join!(c.connect("localhost", a), s.accept(b))
    })
    .await
    .expect("timed out");
    let (mut x, mut y) = match (x, y) {
        (Ok(x), Ok(y)) => (x, y),
        (x, y) => {
            return Err(format!(
                "client: {:?}; server: {:?}",
                x.err().map(|e| e.to_string()),
                y.err().map(|e| e.to_string())
            ))
        }
    };
    assert_eq!(x.key_exchange_group(), y.key_exchange_group());
    echo(&mut x, &mut y).await;
    Ok((x.key_exchange_group().unwrap(), x.negotiated().retried))
}

#[tokio::test]
async fn hybrid_between_lctls_endpoints() {
    let both = [HYBRID, NamedGroup::X25519];
    assert_eq!(
        lctls_pair(client(&both), server(Some(&both)))
            .await
            .unwrap(),
        (HYBRID, false)
    );
}

/// The client sends a classical share beside the hybrid one, so a server
/// without the hybrid needs no HelloRetryRequest.
#[tokio::test]
async fn server_without_hybrid_takes_the_classical_share() {
    let both = [HYBRID, NamedGroup::X25519];
    assert_eq!(
        lctls_pair(client(&both), server(None)).await.unwrap(),
        (NamedGroup::X25519, false)
    );
}

/// A server preferring the hybrid asks a classical-first client for it.
#[tokio::test]
async fn server_preferring_hybrid_retries_for_it() {
    let client_groups = [NamedGroup::X25519, HYBRID];
    let e = lctls_pair(client(&client_groups), server(Some(&[HYBRID]))).await;
    assert_eq!(e.unwrap(), (HYBRID, true));
}

#[tokio::test]
async fn hybrid_only_against_classical_only_has_no_common_group() {
    let e = lctls_pair(client(&[HYBRID]), server(None))
        .await
        .unwrap_err();
    assert!(
        e.contains("peer sent alert handshake_failure")
            && e.contains("no key-exchange group in common"),
        "{e}"
    );
}

/// TLS 1.2 cannot use a KEM: a 1.2-only client leaves the hybrid out.
#[tokio::test]
async fn tls12_ignores_the_hybrid() {
    let c = TlsConnector::from(Arc::new(
        ClientConfig::builder()
            .with_root_store(roots())
            .with_groups(&[HYBRID, NamedGroup::secp256r1])
            .with_protocol_versions(&[ProtocolVersion::TLSv1_2])
            .build()
            .unwrap(),
    ));
    let s = server(Some(&[HYBRID, NamedGroup::secp256r1]));
    assert_eq!(
        lctls_pair(c, s).await.unwrap(),
        (NamedGroup::secp256r1, false)
    );
}

fn rustls_certs() -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
    let chain = CertificateDer::pem_file_iter(format!("{CERTS}/server.pem"))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    (
        chain,
        PrivateKeyDer::from_pem_file(format!("{CERTS}/server.key")).unwrap(),
    )
}

/// rustls's default provider accepts X25519MLKEM768.
#[tokio::test]
async fn hybrid_with_rustls_server() {
    let (chain, key) = rustls_certs();
    let rsc = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_protocol_versions(&[&rustls::version::TLS13])
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .unwrap();
    let ra = tokio_rustls::TlsAcceptor::from(Arc::new(rsc));
    let (a, b) = tokio::io::duplex(64 * 1024);
    let (x, y) = tokio::join!(
        client(&[HYBRID, NamedGroup::X25519]).connect("localhost", a),
        ra.accept(b)
    );
    let (mut x, mut y) = (x.unwrap(), y.unwrap());
    assert_eq!(x.key_exchange_group(), Some(HYBRID));
    let rg = y
        .get_ref()
        .1
        .negotiated_key_exchange_group()
        .unwrap()
        .name();
    assert_eq!(u16::from(rg), HYBRID.get());
    echo(&mut x, &mut y).await;
}

/// A rustls client listing the hybrid first sends its share (and an X25519
/// one); a server preferring the hybrid takes it without a retry.
#[tokio::test]
async fn hybrid_with_rustls_client() {
    let mut rroots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(format!("{CERTS}/ca.pem")).unwrap() {
        rroots.add(c.unwrap()).unwrap();
    }
    use rustls::crypto::aws_lc_rs::kx_group;
    let provider = rustls::crypto::CryptoProvider {
        kx_groups: vec![kx_group::X25519MLKEM768, kx_group::X25519],
        ..rustls::crypto::aws_lc_rs::default_provider()
    };
    let rcc = rustls::ClientConfig::builder_with_provider(Arc::new(provider))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_root_certificates(rroots)
        .with_no_client_auth();
    let rc = tokio_rustls::TlsConnector::from(Arc::new(rcc));
    let (a, b) = tokio::io::duplex(64 * 1024);
    let s = server(Some(&[HYBRID, NamedGroup::X25519]));
    let (x, y) = tokio::join!(rc.connect("localhost".try_into().unwrap(), a), s.accept(b));
    let (mut x, mut y) = (x.unwrap(), y.unwrap());
    assert_eq!(y.key_exchange_group(), Some(HYBRID));
    assert!(!y.negotiated().retried);
    echo(&mut x, &mut y).await;
}

//! Interop with rustls 0.23 (tokio-rustls 0.26, aws-lc-rs provider), in
//! process: over `tokio::io::duplex` and over TCP loopback.

mod common;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use lctls::config::{CertifiedKey, ClientConfig, ClientConfigBuilder, ServerConfig};
use lctls::pki::RootStore;
use lctls::proto::enums::{CipherSuite, NamedGroup};
use lctls::{TlsAcceptor, TlsConnector};
use rustls::crypto::aws_lc_rs as aws;
use rustls::crypto::{CryptoProvider, SupportedKxGroup};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::SupportedCipherSuite;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Bound on every test body.
const TEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Bytes sent each way by [`exchange_both`].
const MIB: usize = 1 << 20;

/// (lctls suite, the same suite in rustls).
fn suites() -> [(CipherSuite, SupportedCipherSuite); 3] {
    [
        (
            CipherSuite::TLS13_AES_128_GCM_SHA256,
            aws::cipher_suite::TLS13_AES_128_GCM_SHA256,
        ),
        (
            CipherSuite::TLS13_AES_256_GCM_SHA384,
            aws::cipher_suite::TLS13_AES_256_GCM_SHA384,
        ),
        (
            CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
            aws::cipher_suite::TLS13_CHACHA20_POLY1305_SHA256,
        ),
    ]
}

/// (lctls group, the same group in rustls).
fn groups() -> [(NamedGroup, &'static dyn SupportedKxGroup); 3] {
    [
        (NamedGroup::X25519, aws::kx_group::X25519),
        (NamedGroup::secp256r1, aws::kx_group::SECP256R1),
        (NamedGroup::secp384r1, aws::kx_group::SECP384R1),
    ]
}

async fn bounded<F: Future<Output = ()>>(f: F) {
    tokio::time::timeout(TEST_TIMEOUT, f)
        .await
        .expect("test timed out");
}

// ---------------------------------------------------------------------------
// Transports

/// Any byte stream.
trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}
type BoxIo = Box<dyn Io>;

#[derive(Clone, Copy, Debug)]
enum Transport {
    Duplex,
    Tcp,
}

const TRANSPORTS: [Transport; 2] = [Transport::Duplex, Transport::Tcp];

/// A connected pair: (client end, server end).
async fn pipe(t: Transport) -> (BoxIo, BoxIo) {
    match t {
        Transport::Duplex => {
            let (a, b) = tokio::io::duplex(64 * 1024);
            (Box::new(a), Box::new(b))
        }
        Transport::Tcp => {
            let l = tokio::net::TcpListener::bind(("127.0.0.1", 0))
                .await
                .unwrap();
            let addr = l.local_addr().unwrap();
            let (c, s) = tokio::join!(tokio::net::TcpStream::connect(addr), l.accept());
            (Box::new(c.unwrap()), Box::new(s.unwrap().0))
        }
    }
}

// ---------------------------------------------------------------------------
// Configurations

fn lctls_connector(f: impl FnOnce(ClientConfigBuilder) -> ClientConfigBuilder) -> TlsConnector {
    let mut roots = RootStore::new();
    roots.add_pem_file(common::cert_path("ca.pem")).unwrap();
    let b = ClientConfig::builder().with_root_store(Arc::new(roots));
    TlsConnector::from(Arc::new(f(b).build().unwrap()))
}

fn lctls_acceptor(
    f: impl FnOnce(lctls::config::ServerConfigBuilder) -> lctls::config::ServerConfigBuilder,
) -> TlsAcceptor {
    let ck = CertifiedKey::from_pem_files(
        common::cert_path("server.pem"),
        common::cert_path("server.key"),
    )
    .unwrap();
    let b = ServerConfig::builder().with_certified_key(ck);
    TlsAcceptor::from(Arc::new(f(b).build().unwrap()))
}

/// The aws-lc-rs provider, optionally restricted to some suites / groups.
fn provider(
    suites: Option<&[SupportedCipherSuite]>,
    groups: Option<&[&'static dyn SupportedKxGroup]>,
) -> Arc<CryptoProvider> {
    let mut p = aws::default_provider();
    if let Some(s) = suites {
        p.cipher_suites = s.to_vec();
    }
    if let Some(g) = groups {
        p.kx_groups = g.to_vec();
    }
    Arc::new(p)
}

fn rustls_server(provider: Arc<CryptoProvider>, alpn: &[&str]) -> tokio_rustls::TlsAcceptor {
    let chain: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(common::cert_path("server.pem"))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
    let key = PrivateKeyDer::from_pem_file(common::cert_path("server.key")).unwrap();
    let mut c = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    c.alpn_protocols = alpn.iter().map(|p| p.as_bytes().to_vec()).collect();
    tokio_rustls::TlsAcceptor::from(Arc::new(c))
}

fn rustls_client(provider: Arc<CryptoProvider>, alpn: &[&str]) -> tokio_rustls::TlsConnector {
    let roots = common::rustls_roots();
    let mut c = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    c.alpn_protocols = alpn.iter().map(|p| p.as_bytes().to_vec()).collect();
    tokio_rustls::TlsConnector::from(Arc::new(c))
}

type OurStream = lctls::TlsStream<BoxIo>;
type RustlsServerStream = tokio_rustls::server::TlsStream<BoxIo>;
type RustlsClientStream = tokio_rustls::client::TlsStream<BoxIo>;

/// Handshake: our client against a rustls server.
async fn ours_to_rustls(
    t: Transport,
    ours: &TlsConnector,
    theirs: &tokio_rustls::TlsAcceptor,
) -> (OurStream, RustlsServerStream) {
    let (c, s) = pipe(t).await;
    let (c, s) = tokio::join!(ours.connect("localhost", c), theirs.accept(s));
    (
        c.unwrap_or_else(|e| panic!("{t:?}: our client: {e}")),
        s.unwrap_or_else(|e| panic!("{t:?}: rustls server: {e}")),
    )
}

/// Handshake: a rustls client against our server.
async fn rustls_to_ours(
    t: Transport,
    theirs: &tokio_rustls::TlsConnector,
    ours: &TlsAcceptor,
) -> (RustlsClientStream, OurStream) {
    let (c, s) = pipe(t).await;
    let name = ServerName::try_from("localhost").unwrap();
    let (c, s) = tokio::join!(theirs.connect(name, c), ours.accept(s));
    (
        c.unwrap_or_else(|e| panic!("{t:?}: rustls client: {e}")),
        s.unwrap_or_else(|e| panic!("{t:?}: our server: {e}")),
    )
}

// ---------------------------------------------------------------------------
// Data

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i.wrapping_mul(7) ^ (i >> 9) ^ seed as usize) as u8)
        .collect()
}

/// Writes 1 MiB then close_notify, while reading to the end (the peer's
/// close_notify). Returns what was read; panics if read_to_end fails, so a
/// missing close_notify (truncation) fails the test.
async fn send_and_drain<S: AsyncRead + AsyncWrite + Unpin>(s: S, seed: u8, who: &str) -> Vec<u8> {
    let (mut r, mut w) = tokio::io::split(s);
    let data = pattern(MIB, seed);
    let write = async {
        w.write_all(&data)
            .await
            .unwrap_or_else(|e| panic!("{who}: write: {e}"));
        w.shutdown()
            .await
            .unwrap_or_else(|e| panic!("{who}: shutdown: {e}"));
    };
    let read = async {
        let mut got = Vec::new();
        r.read_to_end(&mut got)
            .await
            .unwrap_or_else(|e| panic!("{who}: read_to_end: {e}"));
        got
    };
    tokio::join!(write, read).1
}

/// 1 MiB each way at once, then close_notify both ways; both read_to_end
/// calls must return Ok with the other side's bytes intact.
async fn exchange_both<A, B>(ours: A, theirs: B)
where
    A: AsyncRead + AsyncWrite + Unpin,
    B: AsyncRead + AsyncWrite + Unpin,
{
    let (got_ours, got_theirs) = tokio::join!(
        send_and_drain(ours, 1, "lctls"),
        send_and_drain(theirs, 2, "rustls")
    );
    assert!(got_ours == pattern(MIB, 2), "lctls received corrupt data");
    assert!(
        got_theirs == pattern(MIB, 1),
        "rustls received corrupt data"
    );
}

fn rustls_suite(c: &rustls::CommonState) -> u16 {
    u16::from(c.negotiated_cipher_suite().expect("suite").suite())
}

fn rustls_group(c: &rustls::CommonState) -> u16 {
    u16::from(c.negotiated_key_exchange_group().expect("group").name())
}

// ---------------------------------------------------------------------------
// Tests

#[tokio::test]
async fn client_each_suite() {
    bounded(async {
        for t in TRANSPORTS {
            for (ours, theirs) in suites() {
                let srv = rustls_server(provider(Some(&[theirs]), None), &[]);
                let (c, s) = ours_to_rustls(t, &lctls_connector(|b| b), &srv).await;
                assert_eq!(c.cipher_suite(), Some(ours), "{t:?}");
                assert_eq!(rustls_suite(s.get_ref().1), ours.get());
                // Both default to X25519MLKEM768 first.
                assert_eq!(c.key_exchange_group(), Some(NamedGroup::X25519MLKEM768));
                exchange_both(c, s).await;
            }
        }
    })
    .await;
}

#[tokio::test]
async fn server_each_suite() {
    bounded(async {
        for t in TRANSPORTS {
            for (ours, theirs) in suites() {
                let cli = rustls_client(provider(Some(&[theirs]), None), &[]);
                let (c, s) = rustls_to_ours(t, &cli, &lctls_acceptor(|b| b)).await;
                assert_eq!(s.cipher_suite(), Some(ours), "{t:?}");
                assert_eq!(rustls_suite(c.get_ref().1), ours.get());
                exchange_both(s, c).await;
            }
        }
    })
    .await;
}

#[tokio::test]
async fn client_each_group() {
    bounded(async {
        for t in TRANSPORTS {
            for (ours, theirs) in groups() {
                let srv = rustls_server(provider(None, Some(&[theirs])), &[]);
                let (c, s) =
                    ours_to_rustls(t, &lctls_connector(|b| b.with_groups(&[ours])), &srv).await;
                assert_eq!(c.key_exchange_group(), Some(ours), "{t:?}");
                assert!(!c.negotiated().retried);
                assert_eq!(rustls_group(s.get_ref().1), ours.get());
                exchange_both(c, s).await;
            }
        }
    })
    .await;
}

#[tokio::test]
async fn server_each_group() {
    bounded(async {
        for t in TRANSPORTS {
            for (ours, theirs) in groups() {
                let cli = rustls_client(provider(None, Some(&[theirs])), &[]);
                let (c, s) = rustls_to_ours(t, &cli, &lctls_acceptor(|b| b)).await;
                assert_eq!(s.key_exchange_group(), Some(ours), "{t:?}");
                assert!(!s.negotiated().retried);
                assert_eq!(rustls_group(c.get_ref().1), ours.get());
                exchange_both(s, c).await;
            }
        }
    })
    .await;
}

#[tokio::test]
async fn alpn_both_directions() {
    bounded(async {
        for t in TRANSPORTS {
            let srv = rustls_server(provider(None, None), &["h2", "http/1.1"]);
            let (c, s) = ours_to_rustls(
                t,
                &lctls_connector(|b| b.with_alpn_protocols(&["http/1.1"])),
                &srv,
            )
            .await;
            assert_eq!(c.alpn_protocol(), Some(&b"http/1.1"[..]), "{t:?}");
            assert_eq!(s.get_ref().1.alpn_protocol(), Some(&b"http/1.1"[..]));
            exchange_both(c, s).await;

            let cli = rustls_client(provider(None, None), &["h2", "http/1.1"]);
            let (c, s) = rustls_to_ours(
                t,
                &cli,
                &lctls_acceptor(|b| b.with_alpn_protocols(&["http/1.1", "h2"])),
            )
            .await;
            // Server preference decides.
            assert_eq!(s.alpn_protocol(), Some(&b"http/1.1"[..]), "{t:?}");
            assert_eq!(c.get_ref().1.alpn_protocol(), Some(&b"http/1.1"[..]));
            exchange_both(s, c).await;
        }
    })
    .await;
}

#[tokio::test]
async fn client_hello_retry_request() {
    bounded(async {
        for t in TRANSPORTS {
            let srv = rustls_server(provider(None, Some(&[aws::kx_group::SECP384R1])), &[]);
            // Our default first share is X25519.
            let (c, s) = ours_to_rustls(t, &lctls_connector(|b| b), &srv).await;
            assert!(
                c.negotiated().retried,
                "{t:?}: expected a HelloRetryRequest"
            );
            assert_eq!(c.key_exchange_group(), Some(NamedGroup::secp384r1));
            assert_eq!(rustls_group(s.get_ref().1), NamedGroup::secp384r1.get());
            exchange_both(c, s).await;
        }
    })
    .await;
}

#[tokio::test]
async fn server_hello_retry_request() {
    bounded(async {
        for t in TRANSPORTS {
            // rustls sends a share for its first group only: X25519. ALPN
            // and SNI ride along, so our check that its second ClientHello
            // repeats the first sees them.
            let cli = rustls_client(
                provider(
                    None,
                    Some(&[aws::kx_group::X25519, aws::kx_group::SECP384R1]),
                ),
                &["h2", "http/1.1"],
            );
            let acc = lctls_acceptor(|b| {
                b.with_groups(&[NamedGroup::secp384r1])
                    .with_alpn_protocols(&["h2"])
            });
            let (c, s) = rustls_to_ours(t, &cli, &acc).await;
            assert!(
                s.negotiated().retried,
                "{t:?}: expected a HelloRetryRequest"
            );
            assert_eq!(s.alpn_protocol(), Some(&b"h2"[..]), "{t:?}");
            assert_eq!(s.server_name(), Some("localhost"), "{t:?}");
            assert_eq!(s.key_exchange_group(), Some(NamedGroup::secp384r1));
            assert_eq!(rustls_group(c.get_ref().1), NamedGroup::secp384r1.get());
            exchange_both(s, c).await;
        }
    })
    .await;
}

/// A small echo over an established pair, to check both directions still
/// decrypt after a KeyUpdate.
async fn ping<A, B>(a: &mut A, b: &mut B, msg: &[u8])
where
    A: AsyncRead + AsyncWrite + Unpin,
    B: AsyncRead + AsyncWrite + Unpin,
{
    a.write_all(msg).await.unwrap();
    a.flush().await.unwrap();
    let mut buf = vec![0; msg.len()];
    b.read_exact(&mut buf).await.unwrap();
    assert_eq!(buf, msg);
    b.write_all(&buf).await.unwrap();
    b.flush().await.unwrap();
    let mut back = vec![0; msg.len()];
    a.read_exact(&mut back).await.unwrap();
    assert_eq!(back, msg);
}

#[tokio::test]
async fn key_update_from_rustls_server() {
    bounded(async {
        for t in TRANSPORTS {
            let srv = rustls_server(provider(None, None), &[]);
            let (mut c, mut s) = ours_to_rustls(t, &lctls_connector(|b| b), &srv).await;
            ping(&mut s, &mut c, b"before").await;
            for i in 0..3 {
                s.get_mut().1.refresh_traffic_keys().unwrap();
                ping(&mut s, &mut c, format!("after update {i}").as_bytes()).await;
            }
            exchange_both(c, s).await;
        }
    })
    .await;
}

#[tokio::test]
async fn key_update_from_rustls_client() {
    bounded(async {
        for t in TRANSPORTS {
            let cli = rustls_client(provider(None, None), &[]);
            let (mut c, mut s) = rustls_to_ours(t, &cli, &lctls_acceptor(|b| b)).await;
            ping(&mut c, &mut s, b"before").await;
            for i in 0..3 {
                c.get_mut().1.refresh_traffic_keys().unwrap();
                ping(&mut c, &mut s, format!("after update {i}").as_bytes()).await;
            }
            exchange_both(s, c).await;
        }
    })
    .await;
}

#[tokio::test]
async fn key_update_from_lctls_to_rustls() {
    bounded(async {
        for t in TRANSPORTS {
            let srv = rustls_server(provider(None, None), &[]);
            let (mut c, mut s) = ours_to_rustls(t, &lctls_connector(|b| b), &srv).await;
            for (i, request) in [false, true, true].into_iter().enumerate() {
                c.update_keys(request).unwrap();
                ping(&mut c, &mut s, format!("client update {i}").as_bytes()).await;
            }
            exchange_both(c, s).await;

            let cli = rustls_client(provider(None, None), &[]);
            let (mut c, mut s) = rustls_to_ours(t, &cli, &lctls_acceptor(|b| b)).await;
            for (i, request) in [false, true, true].into_iter().enumerate() {
                s.update_keys(request).unwrap();
                ping(&mut s, &mut c, format!("server update {i}").as_bytes()).await;
            }
            exchange_both(s, c).await;
        }
    })
    .await;
}

//! Heap held by idle connections (issue 15: at most 0.3x rustls per pair).
//!
//! One test in this binary on purpose: the counting allocator is global, and
//! a second test running beside it would count into the same totals.

use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use stats_alloc::{StatsAlloc, INSTRUMENTED_SYSTEM};
use tokio::io::{duplex, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream};

use lctls::proto::enums::{CipherSuite, NamedGroup};

#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

const CERTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");
const PAIRS: usize = 16;

fn heap() -> usize {
    let s = GLOBAL.stats();
    s.bytes_allocated.saturating_sub(s.bytes_deallocated)
}

/// Live heap bytes per pair of `PAIRS` pairs made by `make`, each handshaken
/// with one byte each way (and flushed), all held; the streams themselves
/// count (they live in a Vec allocated after the baseline), as in
/// benches/compare.rs's idle_heap_per_pair.
async fn per_pair<C, S, F, Fut>(mut make: F) -> usize
where
    C: AsyncRead + AsyncWrite + Unpin,
    S: AsyncRead + AsyncWrite + Unpin,
    F: FnMut(DuplexStream, DuplexStream) -> Fut,
    Fut: std::future::Future<Output = (C, S)>,
{
    let before = heap();
    let mut held = Vec::with_capacity(PAIRS);
    for _ in 0..PAIRS {
        let (a, b) = duplex(64 * 1024);
        let (mut c, mut s) = make(a, b).await;
        let mut one = [0u8; 1];
        c.write_all(b"x").await.unwrap();
        c.flush().await.unwrap();
        s.read_exact(&mut one).await.unwrap();
        s.write_all(b"y").await.unwrap();
        s.flush().await.unwrap();
        c.read_exact(&mut one).await.unwrap();
        assert_eq!(&one, b"y");
        held.push((c, s));
    }
    let per = heap().saturating_sub(before) / PAIRS;
    drop(held);
    per
}

/// Both libraries alike: TLS 1.3, AES-128-GCM, X25519, the ECDSA chain,
/// no tickets and no client session cache.
#[tokio::test]
async fn idle_pair_heap_is_at_most_three_tenths_of_rustls() {
    let suite = CipherSuite::TLS13_AES_128_GCM_SHA256;
    let mut roots = lctls::pki::RootStore::new();
    roots.add_pem_file(format!("{CERTS}/ca.pem")).unwrap();
    let lc = lctls::TlsConnector::from(Arc::new(
        lctls::ClientConfig::builder()
            .with_root_store(Arc::new(roots))
            .with_cipher_suites(&[suite])
            .with_groups(&[NamedGroup::X25519])
            .with_session_cache_size(0)
            .build()
            .unwrap(),
    ));
    let la = lctls::TlsAcceptor::from(Arc::new(
        lctls::ServerConfig::builder()
            .with_certified_key(
                lctls::config::CertifiedKey::from_pem_files(
                    format!("{CERTS}/server.pem"),
                    format!("{CERTS}/server.key"),
                )
                .unwrap(),
            )
            .with_cipher_suites(&[suite])
            .with_groups(&[NamedGroup::X25519])
            .with_tickets(false)
            .build()
            .unwrap(),
    ));

    let provider = Arc::new(rustls::crypto::CryptoProvider {
        cipher_suites: vec![rustls::crypto::aws_lc_rs::cipher_suite::TLS13_AES_128_GCM_SHA256],
        kx_groups: vec![rustls::crypto::aws_lc_rs::kx_group::X25519],
        ..rustls::crypto::aws_lc_rs::default_provider()
    });
    let mut rroots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(format!("{CERTS}/ca.pem")).unwrap() {
        rroots.add(c.unwrap()).unwrap();
    }
    let mut rcc = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_root_certificates(rroots)
        .with_no_client_auth();
    rcc.resumption = rustls::client::Resumption::disabled();
    let chain = CertificateDer::pem_file_iter(format!("{CERTS}/server.pem"))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(format!("{CERTS}/server.key")).unwrap();
    let mut rsc = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    rsc.send_tls13_tickets = 0;
    let rc = tokio_rustls::TlsConnector::from(Arc::new(rcc));
    let ra = tokio_rustls::TlsAcceptor::from(Arc::new(rsc));

    let lctls_pair = |a, b| {
        let (lc, la) = (&lc, &la);
        async move {
            let (x, y) = tokio::join!(lc.connect("localhost", a), la.accept(b));
            (x.unwrap(), y.unwrap())
        }
    };
    let rustls_pair = |a, b| {
        let (rc, ra) = (&rc, &ra);
        async move {
            let name = ServerName::try_from("localhost").unwrap();
            let (x, y) = tokio::join!(rc.connect(name, a), ra.accept(b));
            (x.unwrap(), y.unwrap())
        }
    };
    // Warm up both (lazy statics, the runtime's own buffers).
    per_pair(lctls_pair).await;
    per_pair(rustls_pair).await;
    let ours = per_pair(lctls_pair).await;
    let theirs = per_pair(rustls_pair).await;
    // Before: 5,760 bytes per pair against rustls's 15,901 (0.362): an
    // `Error` slot, a session-ticket sink and a key-log random inline in
    // every connection, a TLS 1.2 exporter's randoms inline in TLS 1.3 ones,
    // the plaintext queue's ring and a drained write buffer kept.
    eprintln!("idle heap per pair: lctls {ours} bytes, rustls {theirs} bytes");
    assert!(
        ours * 10 <= theirs * 3,
        "idle heap per pair: lctls {ours} bytes, rustls {theirs} bytes ({:.3})",
        ours as f64 / theirs as f64
    );
}

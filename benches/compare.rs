//! lctls against tokio-rustls (aws-lc-rs provider), in one process, with the
//! same certificates, cipher suite and key-exchange group on both sides.
//!
//! A self-contained harness (`harness = false`): every figure is measured R
//! times, lctls and rustls alternating (the order flips every round), and the
//! median is reported next to a "limit" measured in the same run:
//!
//! * bulk throughput: limit = 1 / (1/seal + 1/open + 1/plain), where seal and
//!   open are raw aws-lc-rs AEAD calls on 16 KiB records and plain is the same
//!   transport moving the same bytes with no TLS;
//! * handshakes: limit = 1 / (cost of the public-key primitives a full TLS 1.3
//!   handshake needs: 2 x X25519 keygen+agree, 1 signature, 3 verifications);
//! * idle memory and latency: the limit is the floor, the plain transport.
//!
//! Modes: full with `cargo bench --bench compare`; quick when
//! `LCTLS_BENCH_QUICK=1`, or when run with `--test` or without `--bench`
//! (that is how `cargo test --all-targets` runs it, in a debug build).
//!
//! lctls has no mTLS, TLS 1.2 or resumption yet: those handshakes are
//! measured for rustls only and printed with `lctls=-`. TODO: measure lctls
//! there too (and add their primitive limits) when it grows the features.

use std::alloc::{GlobalAlloc, Layout, System};
use std::future::Future;
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_lc_rs::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::agreement::{self, EphemeralPrivateKey, UnparsedPublicKey as KxPublicKey};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, EcdsaKeyPair, KeyPair, RsaKeyPair, UnparsedPublicKey};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::io::{duplex, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream};
use tokio::net::{TcpListener, TcpStream};

use lctls::proto::wire::enums::{CipherSuite, NamedGroup};

// ---------------------------------------------------------------------------
// Heap accounting.

/// Bytes currently allocated through the Rust global allocator. Allocations
/// made by C code (aws-lc's OPENSSL_malloc) bypass it: the RSS figure covers those.
static HEAP: AtomicUsize = AtomicUsize::new(0);

/// `std::alloc::System` plus a byte counter.
struct Counting;

// SAFETY: every method forwards to `System` with the caller's arguments
// unchanged and only updates a counter afterwards, so `System`'s guarantees
// carry over. The counter wraps rather than panics (fetch_add/fetch_sub).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            HEAP.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if !p.is_null() {
            HEAP.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        HEAP.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            HEAP.fetch_add(new_size, Ordering::Relaxed);
            HEAP.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[cfg(all(target_os = "linux", target_env = "gnu"))]
extern "C" {
    /// glibc: give free heap memory back to the kernel.
    fn malloc_trim(pad: usize) -> i32;
}

/// Returns freed memory to the kernel so RSS deltas start from a clean slate.
fn trim() {
    // SAFETY: malloc_trim takes a plain integer and only touches glibc's own
    // allocator state; it is safe to call at any time.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    unsafe {
        malloc_trim(0);
    }
}

/// Resident set size in bytes from /proc/self/statm (4 KiB pages, x86_64 Linux).
fn rss() -> Option<usize> {
    let s = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: usize = s.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

// ---------------------------------------------------------------------------
// Parameters.

const DUPLEX: usize = 256 * 1024;
const WRITE: usize = 64 * 1024;
const RECORD: usize = 16 * 1024;

#[derive(Clone, Copy, Debug)]
struct Params {
    rounds: usize,
    bulk: u64,
    handshakes: usize,
    pairs: usize,
    latency: usize,
}

fn params() -> (Params, &'static str) {
    let args: Vec<String> = std::env::args().collect();
    let quick = std::env::var("LCTLS_BENCH_QUICK").is_ok_and(|v| v == "1")
        || args.iter().any(|a| a == "--test")
        || !args.iter().any(|a| a == "--bench");
    if !quick {
        let p = Params {
            rounds: 5,
            bulk: 1 << 30,
            handshakes: 2000,
            pairs: 5000,
            latency: 1000,
        };
        (p, "full")
    } else if cfg!(debug_assertions) {
        // `cargo test --all-targets` builds without optimisation: keep it short.
        let p = Params {
            rounds: 3,
            bulk: 2 << 20,
            handshakes: 20,
            pairs: 50,
            latency: 50,
        };
        (p, "quick (debug build: smaller sizes)")
    } else {
        let p = Params {
            rounds: 3,
            bulk: 16 << 20,
            handshakes: 100,
            pairs: 200,
            latency: 100,
        };
        (p, "quick")
    }
}

// ---------------------------------------------------------------------------
// Configurations.

const CERTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");

#[derive(Clone, Copy, PartialEq, Eq)]
enum Lib {
    Lctls,
    Rustls,
}

/// Order of the two libraries in round `r`: alternates so neither always runs first.
fn order(r: usize) -> [Lib; 2] {
    if r % 2 == 0 {
        [Lib::Lctls, Lib::Rustls]
    } else {
        [Lib::Rustls, Lib::Lctls]
    }
}

#[derive(Clone, Copy)]
struct Suite {
    tag: &'static str,
    lctls: CipherSuite,
    rustls: rustls::SupportedCipherSuite,
    aead: &'static aead::Algorithm,
}

fn suites() -> [Suite; 3] {
    use rustls::crypto::aws_lc_rs::cipher_suite as rs;
    [
        Suite {
            tag: "aes128gcm",
            lctls: CipherSuite::TLS13_AES_128_GCM_SHA256,
            rustls: rs::TLS13_AES_128_GCM_SHA256,
            aead: &aead::AES_128_GCM,
        },
        Suite {
            tag: "aes256gcm",
            lctls: CipherSuite::TLS13_AES_256_GCM_SHA384,
            rustls: rs::TLS13_AES_256_GCM_SHA384,
            aead: &aead::AES_256_GCM,
        },
        Suite {
            tag: "chacha20poly1305",
            lctls: CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
            rustls: rs::TLS13_CHACHA20_POLY1305_SHA256,
            aead: &aead::CHACHA20_POLY1305,
        },
    ]
}

/// Both libraries configured alike: one suite, X25519 only, TLS 1.3 only,
/// the same chain and key, the same root. rustls sends no session tickets and
/// keeps no session cache, because lctls has no resumption yet and would
/// otherwise be compared against a library doing more work per handshake.
struct Configs {
    lc: lctls::TlsConnector,
    la: lctls::TlsAcceptor,
    rc: tokio_rustls::TlsConnector,
    ra: tokio_rustls::TlsAcceptor,
}

fn configs(suite: &Suite, cert: &str, key: &str) -> Configs {
    let cert = format!("{CERTS}/{cert}");
    let key = format!("{CERTS}/{key}");
    let ca = format!("{CERTS}/ca.pem");

    let mut roots = lctls::pki::RootStore::new();
    roots.add_pem_file(&ca).expect("lctls roots");
    let lcc = lctls::ClientConfig::builder()
        .with_root_store(Arc::new(roots))
        .with_cipher_suites(&[suite.lctls])
        .with_groups(&[NamedGroup::X25519])
        .build()
        .expect("lctls client config");
    let lsc = lctls::ServerConfig::builder()
        .with_certified_key(
            lctls::config::CertifiedKey::from_pem_files(&cert, &key).expect("lctls cert"),
        )
        .with_cipher_suites(&[suite.lctls])
        .with_groups(&[NamedGroup::X25519])
        .build()
        .expect("lctls server config");

    let provider = Arc::new(rustls::crypto::CryptoProvider {
        cipher_suites: vec![suite.rustls],
        kx_groups: vec![rustls::crypto::aws_lc_rs::kx_group::X25519],
        ..rustls::crypto::aws_lc_rs::default_provider()
    });
    let mut rroots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(&ca).expect("ca.pem") {
        rroots.add(c.expect("ca.pem")).expect("rustls roots");
    }
    let mut rcc = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .expect("rustls versions")
        .with_root_certificates(rroots)
        .with_no_client_auth();
    rcc.resumption = rustls::client::Resumption::disabled();
    let chain = CertificateDer::pem_file_iter(&cert)
        .expect("cert")
        .collect::<Result<Vec<_>, _>>()
        .expect("cert");
    let pk = PrivateKeyDer::from_pem_file(&key).expect("key");
    let mut rsc = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .expect("rustls versions")
        .with_no_client_auth()
        .with_single_cert(chain, pk)
        .expect("rustls server config");
    rsc.send_tls13_tickets = 0;

    Configs {
        lc: lctls::TlsConnector::from(Arc::new(lcc)),
        la: lctls::TlsAcceptor::from(Arc::new(lsc)),
        rc: tokio_rustls::TlsConnector::from(Arc::new(rcc)),
        ra: tokio_rustls::TlsAcceptor::from(Arc::new(rsc)),
    }
}

async fn lctls_pair<IO>(c: &Configs, a: IO, b: IO) -> (lctls::TlsStream<IO>, lctls::TlsStream<IO>)
where
    IO: AsyncRead + AsyncWrite + Unpin,
{
    let (x, y) = tokio::join!(c.lc.connect("localhost", a), c.la.accept(b));
    (x.expect("lctls connect"), y.expect("lctls accept"))
}

type RustlsPair<IO> = (
    tokio_rustls::client::TlsStream<IO>,
    tokio_rustls::server::TlsStream<IO>,
);

async fn rustls_pair<IO>(c: &Configs, a: IO, b: IO) -> RustlsPair<IO>
where
    IO: AsyncRead + AsyncWrite + Unpin,
{
    let name = ServerName::try_from("localhost").expect("name");
    let (x, y) = tokio::join!(c.rc.connect(name, a), c.ra.accept(b));
    (x.expect("rustls connect"), y.expect("rustls accept"))
}

async fn tcp_pair() -> (TcpStream, TcpStream) {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = l.local_addr().expect("addr");
    let (c, s) = tokio::join!(TcpStream::connect(addr), l.accept());
    let (c, (s, _)) = (c.expect("connect"), s.expect("accept"));
    c.set_nodelay(true).expect("nodelay");
    s.set_nodelay(true).expect("nodelay");
    (c, s)
}

// ---------------------------------------------------------------------------
// Bulk transfer.

/// Moves `n` bytes from `w` to `r` in 64 KiB writes and returns the time until
/// the reader has all of them. Then closes and checks that nothing else arrives.
async fn transfer<W, R>(mut w: W, mut r: R, n: u64) -> Duration
where
    W: AsyncWrite + Unpin,
    R: AsyncRead + Unpin,
{
    let chunk = vec![0xa5u8; WRITE];
    let mut buf = vec![0u8; WRITE];
    let start = Instant::now();
    let (wrote, got) = tokio::join!(
        async {
            let mut left = n;
            while left > 0 {
                let k = left.min(WRITE as u64) as usize;
                w.write_all(&chunk[..k]).await?;
                left -= k as u64;
            }
            w.flush().await
        },
        async {
            let mut got = 0u64;
            while got < n {
                let k = r.read(&mut buf).await?;
                if k == 0 {
                    break;
                }
                got += k as u64;
            }
            io::Result::Ok(got)
        }
    );
    let elapsed = start.elapsed();
    wrote.expect("writer failed");
    let got = got.expect("reader failed");
    assert_eq!(got, n, "reader got {got} bytes, expected {n}");
    let (closed, rest) = tokio::join!(w.shutdown(), async {
        let mut rest = Vec::new();
        r.read_to_end(&mut rest).await.map(|_| rest.len())
    });
    closed.expect("shutdown");
    assert_eq!(rest.expect("read after close"), 0, "extra bytes after {n}");
    elapsed
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dir {
    C2S,
    S2C,
}

async fn bulk_over<IO>(lib: Option<Lib>, c: &Configs, a: IO, b: IO, dir: Dir, n: u64) -> Duration
where
    IO: AsyncRead + AsyncWrite + Unpin,
{
    match (lib, dir) {
        (None, Dir::C2S) => transfer(a, b, n).await,
        (None, Dir::S2C) => transfer(b, a, n).await,
        (Some(Lib::Lctls), d) => {
            let (x, y) = lctls_pair(c, a, b).await;
            if d == Dir::C2S {
                transfer(x, y, n).await
            } else {
                transfer(y, x, n).await
            }
        }
        (Some(Lib::Rustls), d) => {
            let (x, y) = rustls_pair(c, a, b).await;
            if d == Dir::C2S {
                transfer(x, y, n).await
            } else {
                transfer(y, x, n).await
            }
        }
    }
}

/// MB/s (1e6 bytes per second) of one bulk run; `lib` None is the plain transport.
async fn bulk(lib: Option<Lib>, c: &Configs, tcp: bool, dir: Dir, n: u64) -> f64 {
    let t = if tcp {
        let (a, b) = tcp_pair().await;
        bulk_over(lib, c, a, b, dir, n).await
    } else {
        let (a, b) = duplex(DUPLEX);
        bulk_over(lib, c, a, b, dir, n).await
    };
    mbps(n, t)
}

fn mbps(n: u64, t: Duration) -> f64 {
    n as f64 / t.as_secs_f64() / 1e6
}

/// Raw aws-lc-rs AEAD on 16 KiB records: (seal MB/s, open MB/s) for `n` bytes.
/// Open time = time(seal+open pairs) - time(seals), so every open gets a valid
/// record without copying one in.
fn raw_aead(alg: &'static aead::Algorithm, n: u64) -> (f64, f64) {
    let key = LessSafeKey::new(UnboundKey::new(alg, &vec![7u8; alg.key_len()]).expect("key"));
    let records = n.div_ceil(RECORD as u64);
    let bytes = records * RECORD as u64;
    let mut buf = vec![0x5au8; RECORD + alg.tag_len()];
    let header = [0x17u8, 0x03, 0x03, 0x40, 0x11];
    let nonce = |i: u64| {
        let mut b = [0u8; 12];
        b[4..].copy_from_slice(&i.to_be_bytes());
        Nonce::assume_unique_for_key(b)
    };
    let seal = |buf: &mut [u8], i: u64| {
        let (body, tag) = buf.split_at_mut(RECORD);
        let t = key
            .seal_in_place_separate_tag(nonce(i), Aad::from(header), body)
            .expect("seal");
        tag.copy_from_slice(t.as_ref());
    };
    let start = Instant::now();
    for i in 0..records {
        seal(&mut buf, i);
    }
    let t_seal = start.elapsed();
    let start = Instant::now();
    for i in 0..records {
        seal(&mut buf, i);
        let p = key
            .open_in_place(nonce(i), Aad::from(header), &mut buf)
            .expect("open");
        assert_eq!(p.len(), RECORD);
    }
    let t_both = start.elapsed();
    let t_open = t_both.saturating_sub(t_seal).max(Duration::from_nanos(1));
    (mbps(bytes, t_seal), mbps(bytes, t_open))
}

// ---------------------------------------------------------------------------
// Handshakes.

/// Full handshakes per second, client and server on this one thread.
async fn handshakes(lib: Lib, c: &Configs, count: usize) -> f64 {
    let start = Instant::now();
    for _ in 0..count {
        let (a, b) = duplex(DUPLEX);
        match lib {
            Lib::Lctls => drop(lctls_pair(c, a, b).await),
            Lib::Rustls => drop(rustls_pair(c, a, b).await),
        }
    }
    count as f64 / start.elapsed().as_secs_f64()
}

enum Signer {
    Ecdsa(EcdsaKeyPair),
    Rsa(RsaKeyPair),
}

/// Seconds per handshake spent in public-key primitives alone: two X25519
/// keygen+agree (client and server), one CertificateVerify signature, and the
/// client's three verifications (leaf by intermediate, intermediate by root —
/// both ECDSA P-256 here — and the CertificateVerify by the leaf key).
fn primitive_cost(key_file: &str, count: usize) -> f64 {
    let rng = SystemRandom::new();
    let der = match PrivateKeyDer::from_pem_file(format!("{CERTS}/{key_file}")).expect("key") {
        PrivateKeyDer::Pkcs8(k) => k.secret_pkcs8_der().to_vec(),
        _ => panic!("{key_file}: expected PKCS#8"),
    };
    let signer = match EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, &der) {
        Ok(k) => Signer::Ecdsa(k),
        Err(_) => Signer::Rsa(RsaKeyPair::from_pkcs8(&der).expect("RSA or P-256 key")),
    };
    // An ECDSA P-256 key standing in for the CA keys of the chain.
    let ca_der = match PrivateKeyDer::from_pem_file(format!("{CERTS}/inter.key")).expect("key") {
        PrivateKeyDer::Pkcs8(k) => k.secret_pkcs8_der().to_vec(),
        _ => panic!("inter.key: expected PKCS#8"),
    };
    let ca = EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, &ca_der)
        .expect("inter.key");
    let msg = [0x20u8; 130]; // about the size of a CertificateVerify input
    let tbs = [0x30u8; 500]; // about the size of a certificate's signed part
    let ca_sig = ca.sign(&rng, &tbs).expect("sign");
    let ca_pub =
        UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_ASN1, ca.public_key().as_ref());

    let sign = |out: &mut Vec<u8>| match &signer {
        Signer::Ecdsa(k) => {
            out.clear();
            out.extend_from_slice(k.sign(&rng, &msg).expect("sign").as_ref());
        }
        Signer::Rsa(k) => {
            out.resize(k.public_modulus_len(), 0);
            k.sign(&signature::RSA_PSS_SHA256, &rng, &msg, out)
                .expect("sign");
        }
    };
    let mut sig = Vec::new();
    sign(&mut sig);
    let verify_cv = |sig: &[u8]| match &signer {
        Signer::Ecdsa(k) => {
            UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_ASN1, k.public_key().as_ref())
                .verify(&msg, sig)
                .expect("verify")
        }
        Signer::Rsa(k) => UnparsedPublicKey::new(
            &signature::RSA_PSS_2048_8192_SHA256,
            k.public_key().as_ref(),
        )
        .verify(&msg, sig)
        .expect("verify"),
    };

    let per = |t: Duration| t.as_secs_f64() / count as f64;
    let start = Instant::now();
    for _ in 0..count {
        let a = EphemeralPrivateKey::generate(&agreement::X25519, &rng).expect("kx");
        let pa = a.compute_public_key().expect("kx");
        let b = EphemeralPrivateKey::generate(&agreement::X25519, &rng).expect("kx");
        let pb = b.compute_public_key().expect("kx");
        let s1 = agreement::agree_ephemeral(
            a,
            KxPublicKey::new(&agreement::X25519, pb.as_ref()),
            (),
            |k| Ok(k[0]),
        );
        let s2 = agreement::agree_ephemeral(
            b,
            KxPublicKey::new(&agreement::X25519, pa.as_ref()),
            (),
            |k| Ok(k[0]),
        );
        assert_eq!(s1, s2);
    }
    let kx = per(start.elapsed());
    let start = Instant::now();
    for _ in 0..count {
        sign(&mut sig);
    }
    let sg = per(start.elapsed());
    let start = Instant::now();
    for _ in 0..count {
        ca_pub.verify(&tbs, ca_sig.as_ref()).expect("verify");
        ca_pub.verify(&tbs, ca_sig.as_ref()).expect("verify");
        verify_cv(&sig);
    }
    let vf = per(start.elapsed());
    kx + sg + vf
}

/// rustls-only handshake figures for features lctls does not have yet: TLS 1.2
/// (ECDHE-ECDSA-AES128-GCM, X25519), TLS 1.3 with a client certificate, and
/// TLS 1.3 resumption with a ticket. Same certificates as above.
fn rustls_only_configs() -> Vec<(
    &'static str,
    tokio_rustls::TlsConnector,
    tokio_rustls::TlsAcceptor,
    bool,
)> {
    use rustls::crypto::aws_lc_rs::{cipher_suite as rs, default_provider, kx_group};
    let provider = |suite| {
        Arc::new(rustls::crypto::CryptoProvider {
            cipher_suites: vec![suite],
            kx_groups: vec![kx_group::X25519],
            ..default_provider()
        })
    };
    let pem_chain = |f: &str| {
        CertificateDer::pem_file_iter(format!("{CERTS}/{f}"))
            .expect("cert")
            .collect::<Result<Vec<_>, _>>()
            .expect("cert")
    };
    let pem_key = |f: &str| PrivateKeyDer::from_pem_file(format!("{CERTS}/{f}")).expect("key");
    let roots = || {
        let mut r = rustls::RootCertStore::empty();
        for c in pem_chain("ca.pem") {
            r.add(c).expect("root");
        }
        Arc::new(r)
    };
    let mut out = Vec::new();

    // TLS 1.2, full handshakes (no session resumption either side).
    let p12 = provider(rs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    let mut cc = rustls::ClientConfig::builder_with_provider(p12.clone())
        .with_protocol_versions(&[&rustls::version::TLS12])
        .expect("versions")
        .with_root_certificates(roots())
        .with_no_client_auth();
    cc.resumption = rustls::client::Resumption::disabled();
    let mut sc = rustls::ServerConfig::builder_with_provider(p12)
        .with_protocol_versions(&[&rustls::version::TLS12])
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(pem_chain("server.pem"), pem_key("server.key"))
        .expect("server config");
    sc.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
    out.push(("handshake_tls12_ecdsa_p256", cc, sc, false));

    // TLS 1.3 mutual authentication (client.pem, ECDSA P-256).
    let p13 = provider(rs::TLS13_AES_128_GCM_SHA256);
    let mut cc = rustls::ClientConfig::builder_with_provider(p13.clone())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .expect("versions")
        .with_root_certificates(roots())
        .with_client_auth_cert(pem_chain("client.pem"), pem_key("client.key"))
        .expect("client cert");
    cc.resumption = rustls::client::Resumption::disabled();
    let verifier =
        rustls::server::WebPkiClientVerifier::builder_with_provider(roots(), p13.clone())
            .build()
            .expect("client verifier");
    let mut sc = rustls::ServerConfig::builder_with_provider(p13.clone())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .expect("versions")
        .with_client_cert_verifier(verifier)
        .with_single_cert(pem_chain("server.pem"), pem_key("server.key"))
        .expect("server config");
    sc.send_tls13_tickets = 0;
    out.push(("handshake_mtls_ecdsa_p256", cc, sc, false));

    // TLS 1.3 resumption: one stateful ticket per connection, each one used once.
    let cc = rustls::ClientConfig::builder_with_provider(p13.clone())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .expect("versions")
        .with_root_certificates(roots())
        .with_no_client_auth();
    let mut sc = rustls::ServerConfig::builder_with_provider(p13)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(pem_chain("server.pem"), pem_key("server.key"))
        .expect("server config");
    sc.send_tls13_tickets = 1;
    out.push(("handshake_resume_ecdsa_p256", cc, sc, true));

    out.into_iter()
        .map(|(n, cc, sc, resume)| {
            (
                n,
                tokio_rustls::TlsConnector::from(Arc::new(cc)),
                tokio_rustls::TlsAcceptor::from(Arc::new(sc)),
                resume,
            )
        })
        .collect()
}

/// rustls handshakes per second. With `resume`, the server also sends one
/// byte so the client reads the new ticket, and every handshake must resume.
async fn rustls_only_handshakes(
    rc: &tokio_rustls::TlsConnector,
    ra: &tokio_rustls::TlsAcceptor,
    count: usize,
    resume: bool,
    must_resume: bool,
) -> f64 {
    let start = Instant::now();
    for _ in 0..count {
        let (a, b) = duplex(DUPLEX);
        let name = ServerName::try_from("localhost").expect("name");
        let (x, y) = tokio::join!(rc.connect(name, a), ra.accept(b));
        let (mut x, mut y) = (x.expect("rustls connect"), y.expect("rustls accept"));
        if resume {
            y.write_all(b"t").await.expect("write");
            y.flush().await.expect("flush");
            let mut one = [0u8; 1];
            x.read_exact(&mut one).await.expect("read");
            if must_resume {
                let kind = x.get_ref().1.handshake_kind();
                assert_eq!(kind, Some(rustls::HandshakeKind::Resumed), "did not resume");
            }
        }
    }
    count as f64 / start.elapsed().as_secs_f64()
}

// ---------------------------------------------------------------------------
// Idle connections.

/// Heap and RSS bytes per idle pair: `p` pairs over duplex, handshaken, one
/// byte each way, all held. Includes the streams' own size (they live in a Vec
/// allocated after the baseline).
async fn idle<C, S, F, Fut>(p: usize, mut make: F) -> (f64, f64)
where
    C: AsyncRead + AsyncWrite + Unpin,
    S: AsyncRead + AsyncWrite + Unpin,
    F: FnMut(DuplexStream, DuplexStream) -> Fut,
    Fut: Future<Output = (C, S)>,
{
    trim();
    let heap0 = HEAP.load(Ordering::Relaxed);
    let rss0 = rss().unwrap_or(0);
    let mut held = Vec::with_capacity(p);
    for _ in 0..p {
        let (a, b) = duplex(DUPLEX);
        let (mut c, mut s) = make(a, b).await;
        let mut one = [0u8; 1];
        c.write_all(b"x").await.expect("write");
        c.flush().await.expect("flush");
        s.read_exact(&mut one).await.expect("read");
        s.write_all(b"y").await.expect("write");
        s.flush().await.expect("flush");
        c.read_exact(&mut one).await.expect("read");
        assert_eq!(&one, b"y");
        held.push((c, s));
    }
    let heap1 = HEAP.load(Ordering::Relaxed);
    let rss1 = rss().unwrap_or(0);
    drop(held);
    trim();
    let per = |a: usize, b: usize| b.saturating_sub(a) as f64 / p as f64;
    (per(heap0, heap1), per(rss0, rss1))
}

async fn idle_lib(lib: Option<Lib>, c: &Configs, p: usize) -> (f64, f64) {
    match lib {
        None => idle(p, |a, b| async move { (a, b) }).await,
        Some(Lib::Lctls) => idle(p, |a, b| lctls_pair(c, a, b)).await,
        Some(Lib::Rustls) => idle(p, |a, b| rustls_pair(c, a, b)).await,
    }
}

// ---------------------------------------------------------------------------
// Latency.

/// Median microseconds from writing a 100-byte request to the first byte of
/// the 100-byte response, `m` requests on one established connection.
async fn ttfb<C, S>(mut c: C, mut s: S, m: usize) -> f64
where
    C: AsyncRead + AsyncWrite + Unpin,
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (samples, ()) = tokio::join!(
        async {
            let req = [0x42u8; 100];
            let mut resp = [0u8; 100];
            let mut samples = Vec::with_capacity(m);
            for _ in 0..m {
                let t = Instant::now();
                c.write_all(&req).await.expect("request");
                c.flush().await.expect("flush");
                let k = c.read(&mut resp).await.expect("response");
                samples.push(t.elapsed().as_secs_f64() * 1e6);
                assert!(k > 0, "connection closed");
                c.read_exact(&mut resp[k..]).await.expect("response");
                assert_eq!(resp, [0x24u8; 100]);
            }
            samples
        },
        async {
            let mut buf = [0u8; 100];
            for _ in 0..m {
                s.read_exact(&mut buf).await.expect("request");
                assert_eq!(buf, [0x42u8; 100]);
                s.write_all(&[0x24u8; 100]).await.expect("response");
                s.flush().await.expect("flush");
            }
        }
    );
    median(samples)
}

async fn latency(lib: Option<Lib>, c: &Configs, m: usize) -> f64 {
    let (a, b) = tcp_pair().await;
    match lib {
        None => ttfb(a, b, m).await,
        Some(Lib::Lctls) => {
            let (x, y) = lctls_pair(c, a, b).await;
            ttfb(x, y, m).await
        }
        Some(Lib::Rustls) => {
            let (x, y) = rustls_pair(c, a, b).await;
            ttfb(x, y, m).await
        }
    }
}

// ---------------------------------------------------------------------------
// Reporting.

fn median(mut v: Vec<f64>) -> f64 {
    assert!(!v.is_empty());
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

struct Row {
    name: String,
    unit: &'static str,
    lctls: Option<f64>,
    rustls: f64,
    limit: Option<f64>,
}

/// Per-library samples of one figure over the rounds.
#[derive(Default)]
struct Samples {
    lctls: Vec<f64>,
    rustls: Vec<f64>,
    limit: Vec<f64>,
}

impl Samples {
    fn push(&mut self, lib: Lib, v: f64) {
        match lib {
            Lib::Lctls => self.lctls.push(v),
            Lib::Rustls => self.rustls.push(v),
        }
    }

    fn row(self, name: String, unit: &'static str) -> Row {
        let row = Row {
            name,
            unit,
            lctls: Some(median(self.lctls)),
            rustls: median(self.rustls),
            limit: (!self.limit.is_empty()).then(|| median(self.limit)),
        };
        eprintln!("  done {}", row.name);
        row
    }
}

fn fmt(v: f64, unit: &str) -> String {
    match unit {
        "B" => format!("{v:.0}"),
        _ => format!("{v:.1}"),
    }
}

fn report(rows: &[Row]) {
    println!();
    println!(
        "{:<34} {:>6} {:>11} {:>11} {:>8} {:>11} {:>8} {:>8}",
        "figure", "unit", "lctls", "rustls", "l/r", "limit", "l/limit", "r/limit"
    );
    let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) if b != 0.0 => format!("{:.3}", a / b),
        _ => "-".to_string(),
    };
    for r in rows {
        println!(
            "{:<34} {:>6} {:>11} {:>11} {:>8} {:>11} {:>8} {:>8}",
            r.name,
            r.unit,
            r.lctls.map_or("-".into(), |v| fmt(v, r.unit)),
            fmt(r.rustls, r.unit),
            ratio(r.lctls, Some(r.rustls)),
            r.limit.map_or("-".into(), |v| fmt(v, r.unit)),
            ratio(r.lctls, r.limit),
            ratio(Some(r.rustls), r.limit),
        );
    }
    println!();
    for r in rows {
        println!(
            "bench {} lctls={} rustls={} ratio={} limit={}",
            r.name,
            r.lctls.map_or("-".into(), |v| fmt(v, r.unit)),
            fmt(r.rustls, r.unit),
            ratio(r.lctls, Some(r.rustls)),
            r.limit.map_or("-".into(), |v| fmt(v, r.unit)),
        );
    }
}

fn header(p: &Params, mode: &str) {
    println!(
        "lctls vs tokio-rustls {} (aws-lc-rs provider), mode: {mode}",
        env!("CARGO_PKG_VERSION")
    );
    println!(
        "rounds={} bulk={} bytes handshakes={} idle_pairs={} latency_requests={}",
        p.rounds, p.bulk, p.handshakes, p.pairs, p.latency
    );
    println!("Same process, same certificates (certs/server.pem ECDSA P-256 or server-rsa.pem");
    println!(
        "RSA-2048, chain leaf+intermediate under ca.pem), same suite, X25519 only, TLS 1.3 only;"
    );
    println!("rustls sends no tickets and caches no sessions (lctls has no resumption yet).");
    println!("lctls and rustls alternate within each round (order flips every round); medians");
    println!("over the rounds. Everything runs on one current_thread runtime: client and");
    println!("server share one core. Throughput in MB/s (1e6 B/s), handshakes per second,");
    println!("memory in bytes per connection pair (client+server), latency in microseconds.");
    println!("limit: bulk = 1/(1/seal + 1/open + 1/plain transport), raw aws-lc-rs on 16 KiB");
    println!("records; handshakes = 1/(2 x X25519 keygen+agree + 1 signature + 3 verifications);");
    println!("memory and latency = the plain transport with no TLS (a floor, lower is better).");
    println!("Heap counts the Rust global allocator only (aws-lc's C allocations show in RSS).");
    println!("Steadier figures on this machine: run with");
    println!("  GLIBC_TUNABLES=glibc.cpu.x86_rep_movsb_threshold=0x100000000");
    println!("(glibc's memcpy has an unstable slow path). Compare ratios within one run,");
    println!("never single times across runs.");
    if cfg!(debug_assertions) {
        println!("NOTE: debug build; the figures say nothing about performance.");
    }
    println!();
}

async fn rustls_only_rounds(
    rc: &tokio_rustls::TlsConnector,
    ra: &tokio_rustls::TlsAcceptor,
    p: Params,
    resume: bool,
) -> Vec<f64> {
    let mut v = Vec::with_capacity(p.rounds);
    for _ in 0..p.rounds {
        v.push(rustls_only_handshakes(rc, ra, p.handshakes, resume, resume).await);
    }
    v
}

async fn run(p: Params) -> Vec<Row> {
    let mut rows = Vec::new();
    let ecdsa: Vec<(Suite, Configs)> = suites()
        .into_iter()
        .map(|s| {
            let c = configs(&s, "server.pem", "server.key");
            (s, c)
        })
        .collect();

    // 1 + 2: bulk, with the limit measured in the same rounds.
    for (suite, c) in &ecdsa {
        let mut duplex_c2s = Samples::default();
        let mut tcp_c2s = Samples::default();
        let mut duplex_s2c = Samples::default();
        for r in 0..p.rounds {
            let (seal, open) = raw_aead(suite.aead, p.bulk);
            let plain_duplex = bulk(None, c, false, Dir::C2S, p.bulk).await;
            let plain_tcp = bulk(None, c, true, Dir::C2S, p.bulk).await;
            let limit = |plain: f64| 1.0 / (1.0 / seal + 1.0 / open + 1.0 / plain);
            duplex_c2s.limit.push(limit(plain_duplex));
            duplex_s2c.limit.push(limit(plain_duplex));
            tcp_c2s.limit.push(limit(plain_tcp));
            for lib in order(r) {
                duplex_c2s.push(lib, bulk(Some(lib), c, false, Dir::C2S, p.bulk).await);
            }
            for lib in order(r) {
                tcp_c2s.push(lib, bulk(Some(lib), c, true, Dir::C2S, p.bulk).await);
            }
            for lib in order(r) {
                duplex_s2c.push(lib, bulk(Some(lib), c, false, Dir::S2C, p.bulk).await);
            }
        }
        rows.push(duplex_c2s.row(format!("bulk_duplex_c2s_{}", suite.tag), "MB/s"));
        rows.push(tcp_c2s.row(format!("bulk_tcp_c2s_{}", suite.tag), "MB/s"));
        rows.push(duplex_s2c.row(format!("bulk_duplex_s2c_{}", suite.tag), "MB/s"));
    }

    // 3: full handshakes, AES-128-GCM, X25519.
    let aes128 = suites()[0];
    for (name, cert, key) in [
        ("handshake_ecdsa_p256", "server.pem", "server.key"),
        ("handshake_rsa2048", "server-rsa.pem", "server-rsa.key"),
    ] {
        let c = configs(&aes128, cert, key);
        // Warm up both (lazy initialisation, caches).
        handshakes(Lib::Lctls, &c, 3).await;
        handshakes(Lib::Rustls, &c, 3).await;
        let mut s = Samples::default();
        for r in 0..p.rounds {
            s.limit.push(1.0 / primitive_cost(key, p.handshakes));
            for lib in order(r) {
                s.push(lib, handshakes(lib, &c, p.handshakes).await);
            }
        }
        rows.push(s.row(name.to_string(), "hs/s"));
    }
    for (name, rc, ra, resume) in rustls_only_configs() {
        // Warm up; for resumption this also stores the first ticket.
        rustls_only_handshakes(&rc, &ra, 3, resume, false).await;
        let v: Vec<f64> = rustls_only_rounds(&rc, &ra, p, resume).await;
        let row = Row {
            name: name.to_string(),
            unit: "hs/s",
            lctls: None,
            rustls: median(v),
            limit: None,
        };
        eprintln!("  done {}", row.name);
        rows.push(row);
    }

    // 4: idle memory.
    let c = &ecdsa[0].1;
    let mut heap = Samples::default();
    let mut rss = Samples::default();
    for r in 0..p.rounds {
        let (h, m) = idle_lib(None, c, p.pairs).await;
        heap.limit.push(h);
        rss.limit.push(m);
        for lib in order(r) {
            let (h, m) = idle_lib(Some(lib), c, p.pairs).await;
            heap.push(lib, h);
            rss.push(lib, m);
        }
    }
    rows.push(heap.row("idle_heap_per_pair".into(), "B"));
    rows.push(rss.row("idle_rss_per_pair".into(), "B"));

    // 5: latency.
    let mut lat = Samples::default();
    for r in 0..p.rounds {
        lat.limit.push(latency(None, c, p.latency).await);
        for lib in order(r) {
            lat.push(lib, latency(Some(lib), c, p.latency).await);
        }
    }
    rows.push(lat.row("latency_ttfb_us".into(), "us"));
    rows
}

fn main() {
    let (p, mode) = params();
    header(&p, mode);
    let started = Instant::now();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let rows = rt.block_on(run(p));
    report(&rows);
    println!();
    println!("total time {:.1} s", started.elapsed().as_secs_f64());
}

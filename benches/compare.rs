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
//! * handshakes: limit = 1 / (cost of the public-key primitives the handshake
//!   needs: 2 x X25519 keygen+agree (plus one ML-KEM-768 keygen, encapsulation
//!   and decapsulation for the hybrid), then per authenticating key 1 signature
//!   and the peer's 3 verifications; the same for a full TLS 1.3 or TLS 1.2
//!   ECDHE handshake, twice the signing part with mutual TLS; no limit for
//!   abbreviated TLS 1.2 handshakes, which use no public-key primitive);
//! * idle memory and latency: the limit is the floor, the plain transport.
//!
//! `LCTLS_BENCH_FILTER=TEXT[,TEXT...]` runs only the figures whose name
//! contains one of the TEXTs (e.g. `handshake_`, `bulk_`, `x25519mlkem768`),
//! or, for `=TEXT`, whose name is exactly TEXT (`=handshake_ecdsa_p256`);
//! `LCTLS_BENCH_ONLY=lctls` or `=rustls` times one library alone (see `order`).
//! `LCTLS_BENCH_WORKERS=N` sets the worker threads of the split_duplex
//! figures' runtime (default 2).
//!
//! Modes: full with `cargo bench --bench compare`; quick when
//! `LCTLS_BENCH_QUICK=1`, or when run with `--test` or without `--bench`
//! (that is how `cargo test --all-targets` runs it, in a debug build).
//!
//! Handshake figures for both libraries: full TLS 1.3 (ECDSA P-256, RSA-2048),
//! full TLS 1.3 with the X25519MLKEM768 hybrid (ECDSA P-256; both sides offer
//! only the hybrid), full TLS 1.2 (ECDHE-ECDSA-AES128-GCM-SHA256), TLS 1.3
//! mutual TLS, TLS 1.2 resumption by ticket and TLS 1.3 resumption (one ticket
//! per connection, psk_dhe_ke), and TLS 1.3 resumption carrying 0-RTT early
//! data (`handshake_0rtt_ecdsa_p256`, see benches/compare/zero_rtt.rs).
//! `handshake_{ecdsa,mtls_ecdsa}_p256_{cached,uncached}`: lctls with and
//! without its verified-chain cache beside rustls (benches/compare/cache.rs).
//!
//! Scale figures (benches/compare/scale.rs): handshakes/s and bulk MB/s with
//! 1, 100 and 10,000 pairs at once on a two-worker runtime, and heap and RSS
//! per pair with 10,000 idle pairs held.

use std::alloc::{GlobalAlloc, Layout, System};
use std::future::Future;
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_lc_rs::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::agreement::{self, EphemeralPrivateKey, UnparsedPublicKey as KxPublicKey};
use aws_lc_rs::kem;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, EcdsaKeyPair, KeyPair, RsaKeyPair, UnparsedPublicKey};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::io::{duplex, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream};
use tokio::net::{TcpListener, TcpStream};

use lctls::proto::enums::{CipherSuite, NamedGroup};

// Figure families that live in their own files (benches/compare/).
#[path = "compare/bulk.rs"]
mod bulk;
#[path = "compare/cache.rs"]
mod cache;
#[path = "compare/handshakes.rs"]
mod handshakes;
#[path = "compare/scale.rs"]
mod scale;
#[path = "compare/zero_rtt.rs"]
mod zero_rtt;

// ---------------------------------------------------------------------------
// Heap accounting.

/// Bytes currently allocated through the Rust global allocator. Allocations
/// made by C code (aws-lc's OPENSSL_malloc) bypass it: the RSS figure covers those.
static HEAP: AtomicUsize = AtomicUsize::new(0);

/// Allocations (alloc, alloc_zeroed and realloc calls) made through the Rust
/// global allocator so far; `LCTLS_BENCH_ALLOCS=1` prints them per handshake.
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

/// `std::alloc::System` plus a byte counter.
struct Counting;

// SAFETY: every method forwards to `System` with the caller's arguments
// unchanged and only updates a counter afterwards, so `System`'s guarantees
// carry over. The counter wraps rather than panics (fetch_add/fetch_sub).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        if !p.is_null() {
            HEAP.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        ALLOCS.fetch_add(1, Ordering::Relaxed);
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
        ALLOCS.fetch_add(1, Ordering::Relaxed);
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
/// The libraries measured in round `r`, in that round's order.
/// `LCTLS_BENCH_ONLY=lctls` (or `rustls`) times one library alone, for
/// profilers that count a whole process (callgrind, `perf stat`, `strace
/// -c`); the other's figures print as NaN, and both still run the few
/// handshakes that prime and check a figure.
fn order(r: usize) -> Vec<Lib> {
    let both = if r.is_multiple_of(2) {
        [Lib::Lctls, Lib::Rustls]
    } else {
        [Lib::Rustls, Lib::Lctls]
    };
    let only = std::env::var("LCTLS_BENCH_ONLY").ok();
    both.into_iter()
        .filter(|lib| {
            !matches!(
                (only.as_deref(), lib),
                (Some("lctls"), Lib::Rustls) | (Some("rustls"), Lib::Lctls)
            )
        })
        .collect()
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

/// The key exchange of a handshake figure, the only group on both sides.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kx {
    X25519,
    X25519MLKEM768,
}

impl Kx {
    fn lctls(self) -> NamedGroup {
        match self {
            Kx::X25519 => NamedGroup::X25519,
            Kx::X25519MLKEM768 => NamedGroup::X25519MLKEM768,
        }
    }

    fn rustls(self) -> &'static dyn rustls::crypto::SupportedKxGroup {
        use rustls::crypto::aws_lc_rs::kx_group;
        match self {
            Kx::X25519 => kx_group::X25519,
            Kx::X25519MLKEM768 => kx_group::X25519MLKEM768,
        }
    }
}

/// A client and a server configuration per library. From [`configs`]: both
/// libraries configured alike, one suite, X25519 only, TLS 1.3 only, the same
/// chain and key, the same root; rustls sends no session tickets and keeps no
/// session cache, because lctls has no TLS 1.3 resumption yet and would
/// otherwise be compared against a library doing more work per handshake.
/// From [`handshakes::spec_configs`]: the other handshake figures.
struct Configs {
    lc: lctls::TlsConnector,
    la: lctls::TlsAcceptor,
    rc: tokio_rustls::TlsConnector,
    ra: tokio_rustls::TlsAcceptor,
    /// TLS 1.3 resumption: read one byte after each handshake so the
    /// client receives its next ticket.
    ticket_after_handshake: bool,
}

fn configs(suite: &Suite, cert: &str, key: &str) -> Configs {
    configs_kx(suite, cert, key, Kx::X25519)
}

/// [`configs`] with another key exchange.
fn configs_kx(suite: &Suite, cert: &str, key: &str, kx: Kx) -> Configs {
    let cert = format!("{CERTS}/{cert}");
    let key = format!("{CERTS}/{key}");
    let ca = format!("{CERTS}/ca.pem");

    let mut roots = lctls::pki::RootStore::new();
    roots.add_pem_file(&ca).expect("lctls roots");
    let lcc = lctls::ClientConfig::builder()
        .with_root_store(Arc::new(roots))
        .with_cipher_suites(&[suite.lctls])
        .with_groups(&[kx.lctls()])
        .with_session_cache_size(0)
        .build()
        .expect("lctls client config");
    let lsc = lctls::ServerConfig::builder()
        .with_certified_key(
            lctls::config::CertifiedKey::from_pem_files(&cert, &key).expect("lctls cert"),
        )
        .with_cipher_suites(&[suite.lctls])
        .with_groups(&[kx.lctls()])
        // Like rustls below (send_tls13_tickets = 0): no tickets.
        .with_tickets(false)
        .build()
        .expect("lctls server config");

    let provider = Arc::new(rustls::crypto::CryptoProvider {
        cipher_suites: vec![suite.rustls],
        kx_groups: vec![kx.rustls()],
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
        ticket_after_handshake: false,
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

fn pem_chain(f: &str) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_file_iter(format!("{CERTS}/{f}"))
        .expect("cert")
        .collect::<Result<Vec<_>, _>>()
        .expect("cert")
}

fn pem_key(f: &str) -> PrivateKeyDer<'static> {
    PrivateKeyDer::from_pem_file(format!("{CERTS}/{f}")).expect("key")
}

fn rustls_roots() -> Arc<rustls::RootCertStore> {
    let mut r = rustls::RootCertStore::empty();
    for c in pem_chain("ca.pem") {
        r.add(c).expect("root");
    }
    Arc::new(r)
}

fn lctls_roots() -> Arc<lctls::pki::RootStore> {
    let mut roots = lctls::pki::RootStore::new();
    roots
        .add_pem_file(format!("{CERTS}/ca.pem"))
        .expect("lctls roots");
    Arc::new(roots)
}

fn rustls_provider(suite: rustls::SupportedCipherSuite) -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::CryptoProvider {
        cipher_suites: vec![suite],
        kx_groups: vec![rustls::crypto::aws_lc_rs::kx_group::X25519],
        ..rustls::crypto::aws_lc_rs::default_provider()
    })
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
    if v.is_empty() {
        // A library left out by LCTLS_BENCH_ONLY.
        return f64::NAN;
    }
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
    println!("RSA-2048, chain leaf+intermediate under ca.pem), same suite, X25519 only (the");
    println!("x25519mlkem768 figure: X25519MLKEM768 only), one protocol version per figure");
    println!("(TLS 1.3 unless named tls12/resume12).");
    println!("Handshakes, both libraries: full TLS 1.3 (ecdsa_p256, rsa2048); full TLS 1.2");
    println!("ECDHE-ECDSA-AES128-GCM-SHA256 (tls12); TLS 1.3 with a required client");
    println!("certificate, certs/client.pem (mtls); TLS 1.2 resumption by ticket, every timed");
    println!("handshake asserted resumed (resume12; servers keep no session state, rustls");
    println!("renews the ticket on each resumption, lctls does not). Full handshakes: no");
    println!("tickets, no session caches, on either side; rustls sends no TLS 1.3 tickets.");
    println!("TLS 1.3 resumption (resume): one ticket per connection, each used once, X25519");
    println!("on every handshake (psk_dhe_ke); the client reads one byte to take its ticket.");
    println!("0rtt: resume as above with a 32-byte request as early data, accepted (asserted),");
    println!("read by the server, answered with one byte (lctls: stateless ticket + strike");
    println!("register; rustls: stateful ticket taken from its session store); no limit.");
    println!("lctls and rustls alternate within each round (order flips every round); medians");
    println!("over the rounds. Everything runs on one current_thread runtime: client and");
    println!("server share one core. Throughput in MB/s (1e6 B/s), handshakes per second,");
    println!("memory in bytes per connection pair (client+server), latency in microseconds.");
    println!("limit: bulk = 1/(1/seal + 1/open + 1/plain transport), raw aws-lc-rs on 16 KiB");
    println!("records; handshakes = 1/(2 x X25519 keygen+agree + 1 signature + 3 verifications),");
    println!("x25519mlkem768 adds 1 ML-KEM-768 keygen + encapsulation + decapsulation;");
    println!("mtls adds the client's 1 signature + 3 verifications, resume12 has none (-);");
    println!("memory and latency = the plain transport with no TLS (a floor, lower is better).");
    println!("Heap counts the Rust global allocator only (aws-lc's C allocations show in RSS).");
    println!("scale_*_cN: N pairs at once over duplex pipes on a multi-thread runtime of 2");
    println!("workers (N in the name; quick mode uses fewer); handshakes as handshake_ecdsa_p256");
    println!("plus one byte each way and close_notify, limit = 2 x the primitives' rate; bulk =");
    println!("every pair moving its share of a fixed total at once, limit as bulk with seal and");
    println!("open x2 and the plain pipes at the same N. idle_*_N: N pairs held (benches/compare/scale.rs).");
    println!("Steadier figures on this machine: run with");
    println!("  GLIBC_TUNABLES=glibc.cpu.x86_rep_movsb_threshold=0x100000000");
    println!("(glibc's memcpy has an unstable slow path). Compare ratios within one run,");
    println!("never single times across runs.");
    if cfg!(debug_assertions) {
        println!("NOTE: debug build; the figures say nothing about performance.");
    }
    println!();
}

/// Whether a section with these figures runs: any of them matches
/// `LCTLS_BENCH_FILTER` (see the module docs).
fn wanted<S: AsRef<str>>(names: &[S]) -> bool {
    std::env::var("LCTLS_BENCH_FILTER").map_or(true, |f| {
        f.split(',').any(|f| {
            names.iter().any(|n| match f.strip_prefix('=') {
                Some(exact) => n.as_ref() == exact,
                None => n.as_ref().contains(f),
            })
        })
    })
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

    // 1 + 2: bulk, with the limit measured in the same rounds; full duplex
    // over split streams, and reads into uninitialised space.
    bulk::rows(&p, &ecdsa, &mut rows).await;
    // 3: handshakes, AES-128-GCM, X25519, both libraries, alternating.
    handshakes::rows(&p, &mut rows).await;
    // 3a: the same handshakes with lctls's verified-chain cache on.
    cache::rows(&p, &mut rows).await;
    // 3b: TLS 1.3 resumption with 0-RTT early data.
    zero_rtt::rows(&p, &mut rows).await;
    // 4 and 5: idle memory, latency.
    let c = &ecdsa[0].1;
    if wanted(&["idle_heap_per_pair", "idle_rss_per_pair"]) {
        idle_rows(&p, c, &mut rows).await;
    }
    if wanted(&["latency_ttfb_us"]) {
        latency_rows(&p, c, &mut rows).await;
    }
    // 6: scale: 1, 100 and 10,000 pairs on a two-worker runtime, and RSS
    // with 10,000 idle pairs held.
    scale::rows(&p, &mut rows).await;
    rows
}

/// Idle memory per connection pair, heap and RSS.
async fn idle_rows(p: &Params, c: &Configs, rows: &mut Vec<Row>) {
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
}

/// Time to first byte on an established connection.
async fn latency_rows(p: &Params, c: &Configs, rows: &mut Vec<Row>) {
    let mut lat = Samples::default();
    for r in 0..p.rounds {
        lat.limit.push(latency(None, c, p.latency).await);
        for lib in order(r) {
            lat.push(lib, latency(Some(lib), c, p.latency).await);
        }
    }
    rows.push(lat.row("latency_ttfb_us".into(), "us"));
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

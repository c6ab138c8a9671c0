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
//! contains one of the TEXTs (e.g. `handshake_`, `bulk_`, `x25519mlkem768`);
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

use lctls::proto::wire::enums::{CipherSuite, NamedGroup};

// Figure families that live in their own files (benches/compare/).
#[path = "compare/zero_rtt.rs"]
mod zero_rtt;

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
/// From [`spec_configs`]: the other handshake figures.
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

/// Full duplex over loopback TCP: each end writes `n` bytes and reads the
/// peer's `n` at once, its reading and writing halves on two tasks of a
/// two-worker runtime. MB/s counts both directions together. Figures:
/// `split_duplex_tcp_into_split` (lctls `into_split_tcp`: no lock at all)
/// and `split_duplex_tcp_io_split` (lctls with `tokio::io::split`, a lock on
/// the whole TLS stream), both beside tokio-rustls with `tokio::io::split`
/// (its only way to split); limit: plain TCP split the same way.
fn split_duplex_rows(p: &Params, c: &Configs, rows: &mut Vec<Row>) {
    type Half = (
        Box<dyn AsyncRead + Send + Unpin>,
        Box<dyn AsyncWrite + Send + Unpin>,
    );
    fn boxed<R, W>((r, w): (R, W)) -> Half
    where
        R: AsyncRead + Send + Unpin + 'static,
        W: AsyncWrite + Send + Unpin + 'static,
    {
        (Box::new(r), Box::new(w))
    }
    /// Both ends at once; returns MB/s of the bytes moved both ways.
    async fn both_ways(a: Half, b: Half, n: u64) -> f64 {
        async fn write(mut w: Box<dyn AsyncWrite + Send + Unpin>, n: u64) {
            let chunk = vec![0xa5u8; WRITE];
            let mut left = n;
            while left > 0 {
                let k = left.min(WRITE as u64) as usize;
                w.write_all(&chunk[..k]).await.expect("duplex write");
                left -= k as u64;
            }
            w.flush().await.expect("flush");
            // Dropped only once the reader is done: a dropped half closes nothing
            // of the peer's direction, but keep the transport whole meanwhile.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        async fn read(mut r: Box<dyn AsyncRead + Send + Unpin>, n: u64) {
            let mut buf = vec![0u8; WRITE];
            let mut got = 0u64;
            while got < n {
                let k = r.read(&mut buf).await.expect("duplex read");
                assert!(k > 0, "early end after {got} bytes");
                got += k as u64;
            }
        }
        let start = Instant::now();
        let ((ar, aw), (br, bw)) = (a, b);
        let reads = [tokio::spawn(read(ar, n)), tokio::spawn(read(br, n))];
        let writes = [tokio::spawn(write(aw, n)), tokio::spawn(write(bw, n))];
        for t in reads {
            t.await.expect("reader task");
        }
        let elapsed = start.elapsed();
        for t in writes {
            t.await.expect("writer task");
        }
        mbps(2 * n, elapsed)
    }
    let names = ["split_duplex_tcp_into_split", "split_duplex_tcp_io_split"];
    let workers = std::env::var("LCTLS_BENCH_WORKERS").map_or(2, |v| v.parse().unwrap_or(2));
    if !wanted(&names) {
        return;
    }
    // A runtime cannot be entered (or dropped) inside another: this one
    // lives on a thread of its own.
    let (own, locked) = std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(workers)
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async {
                    let (mut own, mut locked) = (Samples::default(), Samples::default());
                    for r in 0..p.rounds {
                        let (a, b) = tcp_pair().await;
                        let plain = both_ways(boxed(a.into_split()), boxed(b.into_split()), p.bulk);
                        let plain = plain.await;
                        own.limit.push(plain);
                        locked.limit.push(plain);
                        for lib in order(r) {
                            let (a, b) = tcp_pair().await;
                            if lib == Lib::Rustls {
                                let (x, y) = rustls_pair(c, a, b).await;
                                let (x, y) = (tokio::io::split(x), tokio::io::split(y));
                                let v = both_ways(boxed(x), boxed(y), p.bulk).await;
                                own.rustls.push(v);
                                locked.rustls.push(v);
                                continue;
                            }
                            let (x, y) = lctls_pair(c, a, b).await;
                            let (x, y) = (x.into_split_tcp(), y.into_split_tcp());
                            let (x, y) = (x.expect("split"), y.expect("split"));
                            own.lctls.push(both_ways(boxed(x), boxed(y), p.bulk).await);
                            let (a, b) = tcp_pair().await;
                            let (x, y) = lctls_pair(c, a, b).await;
                            let (x, y) = (tokio::io::split(x), tokio::io::split(y));
                            locked
                                .lctls
                                .push(both_ways(boxed(x), boxed(y), p.bulk).await);
                        }
                    }
                    (own, locked)
                })
            })
            .join()
            .expect("duplex bench thread")
    });
    rows.push(own.row(names[0].into(), "MB/s"));
    rows.push(locked.row(names[1].into(), "MB/s"));
}

/// Reading into uninitialised space (`read_buf` on a `BytesMut`, as hyper
/// and `tokio_util::codec` read) against reading into an initialised
/// buffer, where lctls opens records straight into the caller's memory.
/// Figure `read_buf_uninit_vs_init`: lctls = MB/s through `read_buf`,
/// rustls = tokio-rustls through `read_buf`, limit = lctls through `read`
/// into an initialised buffer (the direct path), one current-thread task pair
/// over a duplex pipe, server to client.
async fn read_buf_rows(p: &Params, c: &Configs, rows: &mut Vec<Row>) {
    async fn run<W, R>(mut w: W, mut r: R, n: u64, uninit: bool) -> f64
    where
        W: AsyncWrite + Unpin,
        R: AsyncRead + Unpin,
    {
        let chunk = vec![0xa5u8; WRITE];
        let start = Instant::now();
        let (_, got) = tokio::join!(
            async {
                let mut left = n;
                while left > 0 {
                    let k = left.min(WRITE as u64) as usize;
                    w.write_all(&chunk[..k]).await.expect("write");
                    left -= k as u64;
                }
                w.flush().await.expect("flush");
            },
            async {
                let mut got = 0u64;
                let mut init = vec![0u8; WRITE];
                let mut b = bytes::BytesMut::with_capacity(WRITE);
                while got < n {
                    let k = if uninit {
                        b.clear();
                        r.read_buf(&mut b).await.expect("read_buf")
                    } else {
                        r.read(&mut init).await.expect("read")
                    };
                    assert!(k > 0);
                    got += k as u64;
                }
                got
            }
        );
        assert_eq!(got, n);
        mbps(n, start.elapsed())
    }
    if !wanted(&["read_buf_uninit_vs_init"]) {
        return;
    }
    let mut s = Samples::default();
    for r in 0..p.rounds {
        let (a, b) = duplex(DUPLEX);
        let (x, y) = lctls_pair(c, a, b).await;
        s.limit.push(run(y, x, p.bulk, false).await);
        for lib in order(r) {
            let (a, b) = duplex(DUPLEX);
            let v = if lib == Lib::Lctls {
                let (x, y) = lctls_pair(c, a, b).await;
                run(y, x, p.bulk, true).await
            } else {
                let (x, y) = rustls_pair(c, a, b).await;
                run(y, x, p.bulk, true).await
            };
            s.push(lib, v);
        }
    }
    rows.push(s.row("read_buf_uninit_vs_init".into(), "MB/s"));
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

/// Handshakes per second, client and server on this one thread. With
/// `resumed` Some(b), every handshake must (b = true) or must not (false)
/// resume a session; None checks nothing (priming a session cache).
async fn handshakes(lib: Lib, c: &Configs, count: usize, resumed: Option<bool>) -> f64 {
    let start = Instant::now();
    for _ in 0..count {
        let (a, b) = duplex(DUPLEX);
        match lib {
            Lib::Lctls => {
                let (mut x, mut y) = lctls_pair(c, a, b).await;
                if c.ticket_after_handshake {
                    take_ticket(&mut x, &mut y).await;
                }
                if let Some(want) = resumed {
                    assert_eq!(x.negotiated().resumed, want, "lctls resumption");
                }
            }
            Lib::Rustls => {
                let (mut x, mut y) = rustls_pair(c, a, b).await;
                if c.ticket_after_handshake {
                    take_ticket(&mut x, &mut y).await;
                }
                if let Some(want) = resumed {
                    let kind = x.get_ref().1.handshake_kind();
                    assert_eq!(
                        kind == Some(rustls::HandshakeKind::Resumed),
                        want,
                        "rustls resumption: {kind:?}"
                    );
                }
            }
        }
    }
    count as f64 / start.elapsed().as_secs_f64()
}

/// TLS 1.3 tickets come after the handshake: the server writes one byte and
/// the client reads it, taking in the ticket on the way (both libraries alike).
async fn take_ticket<C, S>(client: &mut C, server: &mut S)
where
    C: AsyncRead + AsyncWrite + Unpin,
    S: AsyncRead + AsyncWrite + Unpin,
{
    server.write_all(b"t").await.expect("write");
    server.flush().await.expect("flush");
    let mut one = [0u8; 1];
    client.read_exact(&mut one).await.expect("read");
}

/// One handshake per library, checking that the figure measures what it says:
/// the protocol version, the key-exchange group and the length of the client
/// chain the server got.
async fn check(f: &HsFigure) {
    let (name, c, version, client_chain) = (f.name, &f.c, f.version, f.client_chain);
    // A resumed TLS 1.2 handshake exchanges no keys, and lctls reports the
    // session's group then (as BoringSSL does); TLS 1.3 (psk_dhe_ke) runs a
    // fresh exchange. Either way the only group configured.
    let group = Some(f.kx.lctls());
    let (a, b) = duplex(DUPLEX);
    let (mut x, mut y) = lctls_pair(c, a, b).await;
    if c.ticket_after_handshake {
        take_ticket(&mut x, &mut y).await;
    }
    let got = x.protocol_version().map(|v| v.get());
    assert_eq!(got, Some(version), "{name}: lctls version");
    let got = x.key_exchange_group();
    assert_eq!(got, group, "{name}: lctls group");
    let got = y.peer_certificates().len();
    assert_eq!(got, client_chain, "{name}: lctls client chain");
    let (a, b) = duplex(DUPLEX);
    let (mut x, mut y) = rustls_pair(c, a, b).await;
    if c.ticket_after_handshake {
        take_ticket(&mut x, &mut y).await;
    }
    let got = x.get_ref().1.protocol_version().map(u16::from);
    assert_eq!(got, Some(version), "{name}: rustls version");
    let got = x
        .get_ref()
        .1
        .negotiated_key_exchange_group()
        .map(|g| g.name());
    assert!(
        got.is_none() || got == Some(f.kx.rustls().name()),
        "{name}: rustls group {got:?}"
    );
    let got = y.get_ref().1.peer_certificates().map_or(0, |c| c.len());
    assert_eq!(got, client_chain, "{name}: rustls client chain");
}

enum Signer {
    Ecdsa(EcdsaKeyPair),
    Rsa(RsaKeyPair),
}

impl Signer {
    /// An ECDSA P-256 or RSA PKCS#8 key from certs/.
    fn load(key_file: &str) -> Signer {
        let der = match PrivateKeyDer::from_pem_file(format!("{CERTS}/{key_file}")).expect("key") {
            PrivateKeyDer::Pkcs8(k) => k.secret_pkcs8_der().to_vec(),
            _ => panic!("{key_file}: expected PKCS#8"),
        };
        match EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, &der) {
            Ok(k) => Signer::Ecdsa(k),
            Err(_) => Signer::Rsa(RsaKeyPair::from_pkcs8(&der).expect("RSA or P-256 key")),
        }
    }

    /// A CertificateVerify-style signature (ECDSA, or RSA-PSS with SHA-256).
    fn sign(&self, rng: &SystemRandom, msg: &[u8], out: &mut Vec<u8>) {
        match self {
            Signer::Ecdsa(k) => {
                out.clear();
                out.extend_from_slice(k.sign(rng, msg).expect("sign").as_ref());
            }
            Signer::Rsa(k) => {
                out.resize(k.public_modulus_len(), 0);
                k.sign(&signature::RSA_PSS_SHA256, rng, msg, out)
                    .expect("sign");
            }
        }
    }

    fn verify(&self, msg: &[u8], sig: &[u8]) {
        match self {
            Signer::Ecdsa(k) => {
                UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_ASN1, k.public_key().as_ref())
                    .verify(msg, sig)
                    .expect("verify")
            }
            Signer::Rsa(k) => UnparsedPublicKey::new(
                &signature::RSA_PSS_2048_8192_SHA256,
                k.public_key().as_ref(),
            )
            .verify(msg, sig)
            .expect("verify"),
        }
    }
}

/// Seconds per handshake spent in public-key primitives alone: two X25519
/// keygen+agree (client and server), and for each authenticating key in
/// `key_files` (the server's, then the client's for mutual TLS) one signature
/// (CertificateVerify, or the TLS 1.2 ServerKeyExchange) and the peer's three
/// verifications (leaf by intermediate, intermediate by root — both ECDSA
/// P-256 here — and the signature by the leaf key).
fn primitive_cost(key_files: &[&str], count: usize) -> f64 {
    let rng = SystemRandom::new();
    // An ECDSA P-256 key standing in for the CA keys of the chain.
    let ca = match Signer::load("inter.key") {
        Signer::Ecdsa(k) => k,
        Signer::Rsa(_) => panic!("inter.key: expected ECDSA P-256"),
    };
    let msg = [0x20u8; 130]; // about the size of a CertificateVerify input
    let tbs = [0x30u8; 500]; // about the size of a certificate's signed part
    let ca_sig = ca.sign(&rng, &tbs).expect("sign");
    let ca_pub =
        UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_ASN1, ca.public_key().as_ref());
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
    let mut total = per(start.elapsed());

    for key_file in key_files {
        let signer = Signer::load(key_file);
        let mut sig = Vec::new();
        signer.sign(&rng, &msg, &mut sig);
        let start = Instant::now();
        for _ in 0..count {
            signer.sign(&rng, &msg, &mut sig);
        }
        total += per(start.elapsed());
        let start = Instant::now();
        for _ in 0..count {
            ca_pub.verify(&tbs, ca_sig.as_ref()).expect("verify");
            ca_pub.verify(&tbs, ca_sig.as_ref()).expect("verify");
            signer.verify(&msg, &sig);
        }
        total += per(start.elapsed());
    }
    total
}

/// Seconds per handshake spent in ML-KEM-768 alone: the client's key
/// generation and decapsulation, the server's encapsulation (the hybrid's
/// X25519 half is in [`primitive_cost`]).
fn mlkem768_cost(count: usize) -> f64 {
    let start = Instant::now();
    for _ in 0..count {
        let dk = kem::DecapsulationKey::generate(&kem::ML_KEM_768).expect("keygen");
        let ek = dk.encapsulation_key().expect("ek");
        let (ct, ss) = ek.encapsulate().expect("encapsulate");
        let ss2 = dk.decapsulate(ct).expect("decapsulate");
        assert_eq!(ss.as_ref(), ss2.as_ref());
    }
    start.elapsed().as_secs_f64() / count as f64
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

/// What a handshake figure beyond the plain TLS 1.3 ones exercises. Always
/// ECDSA P-256 (server.pem), X25519, one AES-128-GCM suite, one version.
#[derive(Clone, Copy)]
struct Spec {
    /// TLS 1.2 (ECDHE-ECDSA-AES128-GCM-SHA256) instead of TLS 1.3 (AES-128-GCM).
    tls12: bool,
    /// Mutual TLS: the server requires a client certificate (client.pem).
    mtls: bool,
    /// TLS 1.2 resumption by ticket: the servers issue tickets (and keep no
    /// session state), the clients keep a session cache.
    resume: bool,
}

/// Both libraries configured for `spec`. Without `resume` neither side can
/// resume: no tickets, no server session cache, no client session cache.
/// rustls never sends TLS 1.3 tickets here.
fn spec_configs(spec: Spec) -> Configs {
    use lctls::proto::wire::enums::ProtocolVersion;
    use rustls::crypto::aws_lc_rs::{cipher_suite as rs, kx_group};
    let (lsuite, rsuite, lversion, rversion) = if spec.tls12 {
        (
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            rs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            ProtocolVersion::TLSv1_2,
            &rustls::version::TLS12,
        )
    } else {
        (
            CipherSuite::TLS13_AES_128_GCM_SHA256,
            rs::TLS13_AES_128_GCM_SHA256,
            ProtocolVersion::TLSv1_3,
            &rustls::version::TLS13,
        )
    };
    let server_key = || {
        lctls::config::CertifiedKey::from_pem_files(
            format!("{CERTS}/server.pem"),
            format!("{CERTS}/server.key"),
        )
        .expect("lctls server cert")
    };

    // TLS 1.2 clients also list P-256: lctls servers, following RFC 8422
    // section 5.1, use an ECDSA certificate only on a curve the client listed.
    // No key share is sent in TLS 1.2 and the servers allow X25519 only, so the
    // key exchange stays X25519 (`check` asserts it). rustls clients list the
    // same, so both ClientHellos carry the same groups.
    let (lgroups, rgroups) = if spec.tls12 {
        (
            &[NamedGroup::X25519, NamedGroup::secp256r1][..],
            vec![kx_group::X25519, kx_group::SECP256R1],
        )
    } else {
        (&[NamedGroup::X25519][..], vec![kx_group::X25519])
    };
    let mut lcc = lctls::ClientConfig::builder()
        .with_root_store(lctls_roots())
        .with_cipher_suites(&[lsuite])
        .with_groups(lgroups)
        .with_protocol_versions(&[lversion]);
    if spec.mtls {
        lcc = lcc.with_client_cert(
            lctls::config::CertifiedKey::from_pem_files(
                format!("{CERTS}/client.pem"),
                format!("{CERTS}/client.key"),
            )
            .expect("lctls client cert"),
        );
    }
    if !spec.resume {
        lcc = lcc.with_session_cache_size(0);
    }
    let mut lsc = lctls::ServerConfig::builder()
        .with_certified_key(server_key())
        .with_cipher_suites(&[lsuite])
        .with_groups(&[NamedGroup::X25519])
        .with_protocol_versions(&[lversion])
        .with_tickets(spec.resume)
        .with_session_cache_size(0);
    if spec.mtls {
        lsc = lsc.with_client_cert_verifier(Arc::new(lctls::pki::DefaultClientVerifier::new(
            lctls_roots(),
        )));
    }

    let provider = rustls_provider(rsuite);
    let client_provider = Arc::new(rustls::crypto::CryptoProvider {
        kx_groups: rgroups,
        ..(*provider).clone()
    });
    let rcc = rustls::ClientConfig::builder_with_provider(client_provider)
        .with_protocol_versions(&[rversion])
        .expect("versions")
        .with_root_certificates(rustls_roots());
    let mut rcc = if spec.mtls {
        rcc.with_client_auth_cert(pem_chain("client.pem"), pem_key("client.key"))
            .expect("client cert")
    } else {
        rcc.with_no_client_auth()
    };
    if !spec.resume {
        rcc.resumption = rustls::client::Resumption::disabled();
    }
    let rsc = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[rversion])
        .expect("versions");
    let rsc = if spec.mtls {
        let verifier =
            rustls::server::WebPkiClientVerifier::builder_with_provider(rustls_roots(), provider)
                .build()
                .expect("client verifier");
        rsc.with_client_cert_verifier(verifier)
    } else {
        rsc.with_no_client_auth()
    };
    let mut rsc = rsc
        .with_single_cert(pem_chain("server.pem"), pem_key("server.key"))
        .expect("rustls server config");
    // One TLS 1.3 ticket per connection when resuming (lctls's default), else none.
    rsc.send_tls13_tickets = usize::from(spec.resume && !spec.tls12);
    rsc.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
    if spec.resume {
        rsc.ticketer = rustls::crypto::aws_lc_rs::Ticketer::new().expect("ticketer");
    }

    Configs {
        lc: lctls::TlsConnector::from(Arc::new(lcc.build().expect("lctls client config"))),
        la: lctls::TlsAcceptor::from(Arc::new(lsc.build().expect("lctls server config"))),
        rc: tokio_rustls::TlsConnector::from(Arc::new(rcc)),
        ra: tokio_rustls::TlsAcceptor::from(Arc::new(rsc)),
        ticket_after_handshake: spec.resume && !spec.tls12,
    }
}

/// One handshake figure measured for both libraries.
struct HsFigure {
    name: &'static str,
    c: Configs,
    /// The protocol version both must negotiate (0x0303 or 0x0304).
    version: u16,
    /// Certificates in the client chain the server must receive (0 without mTLS).
    client_chain: usize,
    /// Whether every timed handshake must resume a session.
    resumes: bool,
    /// Keys for [`primitive_cost`]; None: no public-key primitive, no limit.
    limit_keys: Option<&'static [&'static str]>,
    /// The key exchange, the only group on both sides.
    kx: Kx,
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
        f.split(',')
            .any(|f| names.iter().any(|n| n.as_ref().contains(f)))
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

    // 1 + 2: bulk, with the limit measured in the same rounds.
    let bulk_names =
        |tag| ["duplex_c2s", "tcp_c2s", "duplex_s2c"].map(|d| format!("bulk_{d}_{tag}"));
    for (suite, c) in ecdsa.iter().filter(|(s, _)| wanted(&bulk_names(s.tag))) {
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
        let [a, b, c] = bulk_names(suite.tag);
        rows.push(duplex_c2s.row(a, "MB/s"));
        rows.push(tcp_c2s.row(b, "MB/s"));
        rows.push(duplex_s2c.row(c, "MB/s"));
    }

    // Full duplex over split streams, and reads into uninitialised space.
    split_duplex_rows(&p, &ecdsa[0].1, &mut rows);
    read_buf_rows(&p, &ecdsa[0].1, &mut rows).await;

    // 3: handshakes, AES-128-GCM, X25519, both libraries, alternating.
    let aes128 = suites()[0];
    let full = |tls12, mtls| Spec {
        tls12,
        mtls,
        resume: false,
    };
    let fig = |name, c, version, client_chain, resumes, limit_keys| HsFigure {
        name,
        c,
        version,
        client_chain,
        resumes,
        limit_keys,
        kx: Kx::X25519,
    };
    let figures = [
        fig(
            "handshake_ecdsa_p256",
            configs(&aes128, "server.pem", "server.key"),
            0x0304,
            0,
            false,
            Some(&["server.key"][..]),
        ),
        HsFigure {
            kx: Kx::X25519MLKEM768,
            ..fig(
                "handshake_x25519mlkem768_ecdsa_p256",
                configs_kx(&aes128, "server.pem", "server.key", Kx::X25519MLKEM768),
                0x0304,
                0,
                false,
                Some(&["server.key"][..]),
            )
        },
        fig(
            "handshake_rsa2048",
            configs(&aes128, "server-rsa.pem", "server-rsa.key"),
            0x0304,
            0,
            false,
            Some(&["server-rsa.key"]),
        ),
        fig(
            "handshake_tls12_ecdsa_p256",
            spec_configs(full(true, false)),
            0x0303,
            0,
            false,
            Some(&["server.key"]),
        ),
        fig(
            "handshake_mtls_ecdsa_p256",
            spec_configs(full(false, true)),
            0x0304,
            2,
            false,
            Some(&["server.key", "client.key"]),
        ),
        fig(
            // Abbreviated TLS 1.2 handshakes use no public-key primitive: no limit.
            "handshake_resume12_ecdsa_p256",
            spec_configs(Spec {
                tls12: true,
                mtls: false,
                resume: true,
            }),
            0x0303,
            0,
            true,
            None,
        ),
        fig(
            // TLS 1.3 resumption still runs X25519 (psk_dhe_ke) but no signature.
            "handshake_resume_ecdsa_p256",
            spec_configs(Spec {
                tls12: false,
                mtls: false,
                resume: true,
            }),
            0x0304,
            0,
            true,
            None,
        ),
    ];
    for f in figures.iter().filter(|f| wanted(&[f.name])) {
        let (c, resumes) = (&f.c, Some(f.resumes));
        // Prime (the first handshake of a resumption figure is full), check
        // what is measured, then warm up both (lazy initialisation, caches).
        handshakes(Lib::Lctls, c, 1, None).await;
        handshakes(Lib::Rustls, c, 1, None).await;
        check(f).await;
        handshakes(Lib::Lctls, c, 3, resumes).await;
        handshakes(Lib::Rustls, c, 3, resumes).await;
        let mut s = Samples::default();
        for r in 0..p.rounds {
            if let Some(keys) = f.limit_keys {
                let mut cost = primitive_cost(keys, p.handshakes);
                if f.kx == Kx::X25519MLKEM768 {
                    cost += mlkem768_cost(p.handshakes);
                }
                s.limit.push(1.0 / cost);
            }
            for lib in order(r) {
                s.push(lib, handshakes(lib, c, p.handshakes, resumes).await);
            }
        }
        rows.push(s.row(f.name.to_string(), "hs/s"));
    }
    // 3b: TLS 1.3 resumption with 0-RTT early data (see zero_rtt.rs).
    let name = "handshake_0rtt_ecdsa_p256";
    if wanted(&[name]) {
        let c = zero_rtt::early_configs();
        // Prime: the first connection of each library gets its first ticket.
        zero_rtt::connections(Lib::Lctls, &c, 1, false).await;
        zero_rtt::connections(Lib::Rustls, &c, 1, false).await;
        zero_rtt::connections(Lib::Lctls, &c, 3, true).await;
        zero_rtt::connections(Lib::Rustls, &c, 3, true).await;
        let mut s = Samples::default();
        for r in 0..p.rounds {
            for lib in order(r) {
                s.push(
                    lib,
                    zero_rtt::connections(lib, &c, p.handshakes, true).await,
                );
            }
        }
        rows.push(s.row(name.to_string(), "hs/s"));
    }
    // 4 and 5: idle memory, latency.
    let c = &ecdsa[0].1;
    if wanted(&["idle_heap_per_pair", "idle_rss_per_pair"]) {
        idle_rows(&p, c, &mut rows).await;
    }
    if wanted(&["latency_ttfb_us"]) {
        latency_rows(&p, c, &mut rows).await;
    }
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

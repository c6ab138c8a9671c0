//! Scale figures: how the cost grows with the work in flight. On a
//! multi-thread runtime of [`WORKERS`] worker threads (its own, created for
//! these figures and dropped after), with N = 1, 100 and 10,000 connection
//! pairs at once (fewer in quick mode; the N used is in each name):
//!
//! * `scale_handshakes_cN`: handshakes per second with N pairs in flight.
//!   Each of N tasks loops: a full TLS 1.3 handshake (ECDSA P-256, X25519,
//!   AES-128-GCM, no tickets), one byte each way, close_notify; the server
//!   end of each connection is a task of its own, as an accepting server's
//!   is. Limit: [`WORKERS`] cores' worth of the handshake's public-key
//!   primitives (1 / primitive cost, times the workers), a ceiling that
//!   assumes both cores are free.
//! * `scale_bulk_cN`: aggregate MB/s with N pairs established first, then
//!   each moving its share of a fixed total, client to server, all at once
//!   (a writer and a reader task per pair). Limit: 1/(1/(W x seal) +
//!   1/(W x open) + 1/plain), with the raw AEAD rates of the bulk figures
//!   times the W workers and plain = the same N pairs of duplex pipes moving
//!   the same bytes with no TLS on this runtime.
//! * `idle_heap_N` / `idle_rss_N`: heap and RSS bytes per pair with N =
//!   10,000 handshaken pairs held at once (one byte each way first, as
//!   `idle_heap_per_pair`), established one after the other on the main
//!   current_thread runtime; limit = the same pairs with no TLS.
//!
//! Transport: `tokio::io::duplex`, not loopback TCP. 10,000 pairs over TCP
//! need 20,000 descriptors and the listener's backlog and ephemeral ports
//! in the way; an in-memory pipe has none of that, so the figures measure
//! the libraries and the scheduler, not the kernel's socket path (the
//! `bulk_tcp_*` figures cover that at N = 1).

use super::*;

use std::sync::atomic::AtomicU64;

/// Worker threads of the scale runtime (the machine has two cores).
const WORKERS: usize = 2;
/// Each duplex pipe's buffer: a 16 KiB record and some, so 10,000 pairs
/// moving data at once hold at most ~1.3 GB of pipe buffers.
const PIPE: usize = 64 * 1024;
/// Bytes a bulk writer hands over per write call.
const CHUNK: usize = 16 * 1024;

/// Sizes of the scale figures for this mode.
struct Scale {
    /// Rounds of the N = 1 and N = 100 figures.
    rounds: usize,
    /// Rounds of the largest N and of the idle figures: 10,000 handshakes
    /// per library per round, the bulk of these figures' time.
    big_rounds: usize,
    conns: [usize; 3],
    /// Handshakes per figure at least (each of N tasks does one or more).
    handshakes: usize,
    /// Bytes moved by all the pairs of a bulk figure together.
    bulk: u64,
    /// Pairs held for the idle figures.
    idle: usize,
}

impl Scale {
    fn rounds_for(&self, n: usize) -> usize {
        if n == self.conns[2] {
            self.big_rounds
        } else {
            self.rounds
        }
    }
}

fn scale(p: &Params) -> Scale {
    if p.rounds >= 5 {
        // Full run: about two minutes in all on this machine.
        Scale {
            rounds: 3,
            big_rounds: 2,
            conns: [1, 100, 10_000],
            handshakes: 1000,
            bulk: 256 << 20,
            idle: 10_000,
        }
    } else if cfg!(debug_assertions) {
        // `cargo test`: a debug build, a few seconds in all.
        Scale {
            rounds: 1,
            big_rounds: 1,
            conns: [1, 10, 100],
            handshakes: 20,
            bulk: 4 << 20,
            idle: 100,
        }
    } else {
        Scale {
            rounds: 1,
            big_rounds: 1,
            conns: [1, 100, 1000],
            handshakes: 500,
            bulk: 64 << 20,
            idle: 1000,
        }
    }
}

/// One end of a connection: a TLS stream of either library or a plain pipe.
trait Io: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}
type End = Box<dyn Io>;

async fn connect(lib: Option<Lib>, c: &Configs, io: DuplexStream) -> End {
    match lib {
        None => Box::new(io),
        Some(Lib::Lctls) => Box::new(c.lc.connect("localhost", io).await.expect("lctls connect")),
        Some(Lib::Rustls) => {
            let name = ServerName::try_from("localhost").expect("name");
            Box::new(c.rc.connect(name, io).await.expect("rustls connect"))
        }
    }
}

async fn accept(lib: Option<Lib>, c: &Configs, io: DuplexStream) -> End {
    match lib {
        None => Box::new(io),
        Some(Lib::Lctls) => Box::new(c.la.accept(io).await.expect("lctls accept")),
        Some(Lib::Rustls) => Box::new(c.ra.accept(io).await.expect("rustls accept")),
    }
}

/// Takes one unit of work from `left`; false when none is left.
fn take(left: &AtomicUsize) -> bool {
    left.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
        .is_ok()
}

/// Handshakes per second: `n` tasks, each looping handshake + one byte each
/// way + close until `total` handshakes were done.
async fn handshakes(lib: Lib, c: &Arc<Configs>, n: usize, total: usize) -> f64 {
    async fn slot(lib: Lib, c: Arc<Configs>, left: Arc<AtomicUsize>) {
        while take(&left) {
            let (a, b) = duplex(PIPE);
            let sc = c.clone();
            let server = tokio::spawn(async move {
                let mut s = accept(Some(lib), &sc, b).await;
                let mut one = [0u8; 1];
                s.read_exact(&mut one).await.expect("server read");
                s.write_all(b"y").await.expect("server write");
                s.flush().await.expect("server flush");
                // The client's close_notify, then ours (the client may be
                // gone by then: its result does not matter).
                let k = s.read(&mut one).await.expect("server read close");
                assert_eq!(k, 0, "data after the exchange");
                let _ = s.shutdown().await;
            });
            let mut x = connect(Some(lib), &c, a).await;
            let mut one = [0u8; 1];
            x.write_all(b"x").await.expect("client write");
            x.flush().await.expect("client flush");
            x.read_exact(&mut one).await.expect("client read");
            assert_eq!(&one, b"y");
            x.shutdown().await.expect("client close");
            server.await.expect("server task");
        }
    }
    let left = Arc::new(AtomicUsize::new(total));
    let start = Instant::now();
    let tasks: Vec<_> = (0..n)
        .map(|_| tokio::spawn(slot(lib, c.clone(), left.clone())))
        .collect();
    for t in tasks {
        t.await.expect("handshake task");
    }
    total as f64 / start.elapsed().as_secs_f64()
}

/// Aggregate MB/s: `n` pairs established, then each moving `total / n`
/// bytes client to server at once. `lib` None: plain pipes.
async fn bulk(lib: Option<Lib>, c: &Arc<Configs>, n: usize, total: u64) -> f64 {
    let share = total / n as u64;
    let pairs: Vec<_> = (0..n)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move {
                let (a, b) = duplex(PIPE);
                tokio::join!(connect(lib, &c, a), accept(lib, &c, b))
            })
        })
        .collect();
    let mut ends = Vec::with_capacity(n);
    for p in pairs {
        ends.push(p.await.expect("pair task"));
    }
    let moved = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(2 * n);
    for (mut w, mut r) in ends {
        tasks.push(tokio::spawn(async move {
            let chunk = [0xa5u8; CHUNK];
            let mut left = share;
            while left > 0 {
                let k = left.min(CHUNK as u64) as usize;
                w.write_all(&chunk[..k]).await.expect("bulk write");
                left -= k as u64;
            }
            w.shutdown().await.expect("bulk close");
        }));
        let moved = moved.clone();
        tasks.push(tokio::spawn(async move {
            let mut buf = vec![0u8; CHUNK];
            let mut got = 0u64;
            loop {
                let k = r.read(&mut buf).await.expect("bulk read");
                if k == 0 {
                    break;
                }
                got += k as u64;
            }
            assert_eq!(got, share, "bulk reader");
            moved.fetch_add(got, Ordering::Relaxed);
        }));
    }
    for t in tasks {
        t.await.expect("bulk task");
    }
    let elapsed = start.elapsed();
    assert_eq!(moved.load(Ordering::Relaxed), share * n as u64);
    (share * n as u64) as f64 / elapsed.as_secs_f64() / 1e6
}

/// The scale figures on their own runtime, then the idle figures (see the
/// module docs).
pub(super) async fn rows(p: &Params, rows: &mut Vec<Row>) {
    let s = scale(p);
    let hs_names = s.conns.map(|n| format!("scale_handshakes_c{n}"));
    let bulk_names = s.conns.map(|n| format!("scale_bulk_c{n}"));
    let idle_names = [
        format!("idle_heap_{}", s.idle),
        format!("idle_rss_{}", s.idle),
    ];
    let suite = suites()[0];
    if wanted(&hs_names) || wanted(&bulk_names) {
        let c = Arc::new(configs(&suite, "server.pem", "server.key"));
        // A runtime cannot be entered (or dropped) inside another: this one
        // lives on a thread of its own.
        let got = std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let rt = tokio::runtime::Builder::new_multi_thread()
                        .worker_threads(WORKERS)
                        .enable_all()
                        .build()
                        .expect("runtime");
                    rt.block_on(figures(&s, &c, &hs_names, &bulk_names, suite))
                })
                .join()
                .expect("scale bench thread")
        });
        rows.extend(got);
    }
    if wanted(&idle_names) {
        let c = configs(&suite, "server.pem", "server.key");
        let mut heap = Samples::default();
        let mut rss = Samples::default();
        for r in 0..s.big_rounds {
            let (h, m) = idle_lib(None, &c, s.idle).await;
            heap.limit.push(h);
            rss.limit.push(m);
            for lib in order(r) {
                let (h, m) = idle_lib(Some(lib), &c, s.idle).await;
                heap.push(lib, h);
                rss.push(lib, m);
            }
        }
        let [h, m] = idle_names;
        rows.push(heap.row(h, "B"));
        rows.push(rss.row(m, "B"));
    }
}

async fn figures(
    s: &Scale,
    c: &Arc<Configs>,
    hs_names: &[String; 3],
    bulk_names: &[String; 3],
    suite: Suite,
) -> Vec<Row> {
    let mut out = Vec::new();
    // Warm up both libraries on this runtime (lazy initialisation).
    for lib in [Lib::Lctls, Lib::Rustls] {
        handshakes(lib, c, 2, 4).await;
    }
    for (i, &n) in s.conns.iter().enumerate() {
        if !wanted(&hs_names[i..=i]) {
            continue;
        }
        let total = s.handshakes.max(n);
        let mut samples = Samples::default();
        for r in 0..s.rounds_for(n) {
            let cost = handshakes::primitive_cost(&["server.key"], s.handshakes.min(1000));
            samples.limit.push(WORKERS as f64 / cost);
            for lib in order(r) {
                samples.push(lib, handshakes(lib, c, n, total).await);
            }
        }
        out.push(samples.row(hs_names[i].clone(), "hs/s"));
    }
    for (i, &n) in s.conns.iter().enumerate() {
        if !wanted(&bulk_names[i..=i]) {
            continue;
        }
        let mut samples = Samples::default();
        for r in 0..s.rounds_for(n) {
            let (seal, open) = bulk::raw_aead(suite.aead, s.bulk.min(256 << 20));
            let plain = bulk(None, c, n, s.bulk).await;
            let w = WORKERS as f64;
            samples
                .limit
                .push(1.0 / (1.0 / (w * seal) + 1.0 / (w * open) + 1.0 / plain));
            for lib in order(r) {
                samples.push(lib, bulk(Some(lib), c, n, s.bulk).await);
            }
        }
        out.push(samples.row(bulk_names[i].clone(), "MB/s"));
    }
    out
}

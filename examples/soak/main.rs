//! A bounded loopback soak: N concurrent TLS connections, round after round.
//!
//! ```text
//! cargo run --release --example soak -- --connections 10000 --seconds 120
//! ```
//!
//! The server runs in a child process (this binary with `--serve`), so each
//! process holds one end of every connection. Each round opens N connections
//! (at most `--ramp` connecting at a time), waits until all N are established
//! at once, then every connection sends a message each way at the same time:
//! a random length up to `--max-bytes` (1 MiB), PRNG bytes the receiver
//! regenerates and compares, and their SHA-256. Slot `i` of a round is
//! [`kind::Kind::ALL`]`[i % 9]`: TLS 1.3 and 1.2 full handshakes, resumption
//! (required to succeed from the second round on), mTLS, KeyUpdates during the
//! transfer, and clients that close the TCP stream mid-transfer without
//! close_notify (the server must report truncation: an *expected* error).
//! Rounds run until `--seconds` have passed (at least two).
//!
//! It fails (exit status 1) if any byte is lost or corrupted, any unexpected
//! error occurs, fewer than N connections were open at once, or after the
//! last round either process's open descriptors differ from their count
//! before the first round or its live heap (counted by the global
//! allocator) exceeds the level after the first (warm-up) round by more than
//! max(16 MiB, 10%). RSS (VmRSS, VmHWM) is reported alongside. Connections
//! in which nothing moves for two minutes fail as stalled, with a description
//! of where each side stood.

mod client;
mod duplex;
mod kind;
mod payload;
mod serve;
mod tally;

use stats_alloc::{StatsAlloc, INSTRUMENTED_SYSTEM};

/// Counts live heap bytes (see [`tally::heap_bytes`]).
#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

use std::process::{ExitCode, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::client::{connection, Client};
use crate::tally::{fd_limits, mib, KernelTcp, Proc, Snapshot};

const USAGE: &str = "\
usage: soak [--connections N] [--seconds S] [--max-bytes B] [--ramp K] [--seed X]
            [--sock-buf B] [--stall-secs T]

  --connections N  connections open at once in every round (default 1000)
  --seconds S      start rounds until S seconds have passed; at least two
                   rounds run, the first being the warm-up (default 30)
  --max-bytes B    largest message each way, in bytes (default 1048576)
  --ramp K         connections connecting at the same time (default 256)
  --seed X         seed of the message sizes and contents (default random)
  --sock-buf B     SO_SNDBUF and SO_RCVBUF of every socket (default 16384;
                   0 keeps the kernel's autotuning, which at 10,000
                   connections exhausts net.ipv4.tcp_mem and stalls writers)
  --stall-secs T   a connection in which nothing moves for T seconds fails
                   as stalled (default 120)
";

/// Live heap may exceed the post-warm-up level by this much (or 10%, if
/// larger): bounded caches (TLS 1.2 session IDs, tickets) still fill after
/// the first round. A leak of 2 KiB per connection exceeds it in one
/// 10,000-connection round. RSS is reported, not judged: glibc keeps freed
/// memory mapped, so after a 10,000-connection round RSS stays anywhere
/// between the warm-up level and the peak without anything leaking.
const HEAP_SLACK: u64 = 16 << 20;
/// Descriptors a process needs besides its connections (runtime, pipes, listeners).
const FD_OVERHEAD: u64 = 64;
/// How long to wait for counts to settle after a round (server tasks ending).
const SETTLE: Duration = Duration::from_secs(10);

struct Args {
    connections: usize,
    seconds: u64,
    max_bytes: u64,
    ramp: usize,
    seed: Option<u64>,
    sock_buf: u32,
    stall_secs: u64,
    serve: bool,
}

fn parse_args() -> Result<Option<Args>, String> {
    let mut a = Args {
        connections: 1000,
        seconds: 30,
        max_bytes: 1 << 20,
        ramp: 256,
        seed: None,
        sock_buf: 16 * 1024,
        stall_secs: 120,
        serve: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut num = |name: &str| -> Result<u64, String> {
            let v = it.next().ok_or(format!("{name} needs a value"))?;
            v.parse().map_err(|_| format!("{name}: not a number: {v}"))
        };
        match arg.as_str() {
            "--connections" => a.connections = num("--connections")? as usize,
            "--seconds" => a.seconds = num("--seconds")?,
            "--max-bytes" => a.max_bytes = num("--max-bytes")?,
            "--ramp" => a.ramp = num("--ramp")? as usize,
            "--seed" => a.seed = Some(num("--seed")?),
            "--sock-buf" => a.sock_buf = num("--sock-buf")? as u32,
            "--stall-secs" => a.stall_secs = num("--stall-secs")?,
            "--serve" => a.serve = true,
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if a.connections == 0 {
        return Err("--connections must be at least 1".into());
    }
    Ok(Some(a))
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(Some(a)) => a,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("soak: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("soak: runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let seed = args.seed.unwrap_or_else(random_seed);
    duplex::set_stall_secs(args.stall_secs);
    if args.serve {
        return match rt.block_on(serve::serve(args.max_bytes, seed, args.sock_buf)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("soak server: {e}");
                ExitCode::FAILURE
            }
        };
    }
    match rt.block_on(soak(&args, seed)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("soak: {e}");
            ExitCode::FAILURE
        }
    }
}

fn random_seed() -> u64 {
    let mut b = [0u8; 8];
    // Only the sizes and contents of test messages depend on it.
    let _ = aws_lc_rs::rand::fill(&mut b);
    u64::from_le_bytes(b)
}

/// The server child and the pipes to talk to it.
struct ServerProcess {
    child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
}

impl ServerProcess {
    async fn spawn(
        max_bytes: u64,
        seed: u64,
        sock_buf: u32,
    ) -> Result<(Self, String, String), String> {
        let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
        let mut child = Command::new(exe)
            .args(["--serve", "--max-bytes", &max_bytes.to_string()])
            .args(["--seed", &(!seed).to_string()])
            .args(["--sock-buf", &sock_buf.to_string()])
            .args(["--stall-secs", &duplex::stall().as_secs().to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("starting the server process: {e}"))?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?).lines();
        let mut p = ServerProcess {
            child,
            stdin,
            stdout,
        };
        let line = p.line().await?;
        let mut words = line.split_whitespace();
        match (words.next(), words.next(), words.next()) {
            (Some("listening"), Some(a), Some(b)) => {
                let (a, b) = (a.to_string(), b.to_string());
                Ok((p, a, b))
            }
            _ => Err(format!("server said {line:?}")),
        }
    }

    async fn line(&mut self) -> Result<String, String> {
        match tokio::time::timeout(SETTLE, self.stdout.next_line()).await {
            Ok(Ok(Some(l))) => Ok(l),
            Ok(Ok(None)) => Err("the server process exited".into()),
            Ok(Err(e)) => Err(format!("reading from the server process: {e}")),
            Err(_) => Err("the server process did not answer".into()),
        }
    }

    async fn stats(&mut self) -> Result<Snapshot, String> {
        self.stdin
            .write_all(b"stats\n")
            .await
            .map_err(|e| format!("writing to the server process: {e}"))?;
        loop {
            let line = self.line().await?;
            if let Some(rest) = line.strip_prefix("stats ") {
                return Ok(Snapshot::from_line(rest));
            }
        }
    }

    /// Polls the server's stats until `done` holds or [`SETTLE`] passes.
    async fn stats_until(&mut self, done: impl Fn(&Snapshot) -> bool) -> Result<Snapshot, String> {
        let deadline = Instant::now() + SETTLE;
        loop {
            let s = self.stats().await?;
            if done(&s) || Instant::now() >= deadline {
                return Ok(s);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Has the server list its descriptors on stderr.
    async fn describe_fds(&mut self) {
        let _ = self.stdin.write_all(b"fds\n").await;
        // The list goes to stderr; a stats round trip waits until it is out.
        let _ = self.stats().await;
    }

    async fn quit(mut self) {
        let _ = self.stdin.write_all(b"quit\n").await;
        if tokio::time::timeout(SETTLE, self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
    }
}

/// What one round measured.
struct Round {
    handshake_secs: f64,
    transfer_secs: f64,
    client_open_at_gate: u64,
    server_open_at_gate: u64,
    timed_out: usize,
}

async fn round(
    c: &Arc<Client>,
    server: &mut ServerProcess,
    n: usize,
    index: usize,
) -> Result<Round, String> {
    let (go_tx, go_rx) = watch::channel(false);
    let arrived = Arc::new(AtomicUsize::new(0));
    let mut set = JoinSet::new();
    let start = Instant::now();
    for slot in 0..n {
        set.spawn(connection(
            c.clone(),
            index,
            slot,
            arrived.clone(),
            go_rx.clone(),
        ));
    }
    // Every connection is established (or has failed) before any sends.
    let handshake_limit = Duration::from_secs(60) + Duration::from_millis(20) * n as u32;
    while arrived.load(Relaxed) < n && start.elapsed() < handshake_limit {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let handshake_secs = start.elapsed().as_secs_f64();
    let client_open_at_gate = c.tally.open.load(Relaxed);
    let s = server
        .stats_until(|s| s.get("open") >= client_open_at_gate)
        .await?;
    let server_open_at_gate = s.get("open");
    let _ = go_tx.send(true);

    let transfer = Instant::now();
    // Generous: a bound against hangs, not a performance target (10,000
    // connections on two busy cores have needed from 70 s to over 400 s).
    let transfer_limit = Duration::from_secs(120) + Duration::from_millis(90) * n as u32;
    let drained = tokio::time::timeout(transfer_limit, async {
        while set.join_next().await.is_some() {}
    })
    .await;
    let timed_out = if drained.is_err() {
        let left = set.len();
        set.abort_all();
        while set.join_next().await.is_some() {}
        c.tally.unexpected(
            "round_timeout",
            format!("{left} connections did not finish"),
        );
        left
    } else {
        0
    };
    Ok(Round {
        handshake_secs,
        transfer_secs: transfer.elapsed().as_secs_f64(),
        client_open_at_gate,
        server_open_at_gate,
        timed_out,
    })
}

async fn soak(args: &Args, seed: u64) -> Result<bool, String> {
    let n = args.connections;
    let (soft, hard) = fd_limits().unwrap_or((0, 0));
    println!("soak: {n} connections per round, rounds for {} s, messages up to {} bytes each way, seed {seed}", args.seconds, args.max_bytes);
    println!(
        "fd limit: soft {soft}, hard {hard} (each process needs about {} for {n} connections)",
        n as u64 + FD_OVERHEAD
    );
    if soft < n as u64 + FD_OVERHEAD {
        return Err(format!(
            "the soft fd limit {soft} is too low for {n} connections: raise it (ulimit -n {}, at most the hard limit {hard})",
            n as u64 + FD_OVERHEAD
        ));
    }
    let (mut server, plain, mtls) =
        ServerProcess::spawn(args.max_bytes, seed, args.sock_buf).await?;
    let parse = |a: &str| a.parse().map_err(|e| format!("server address {a}: {e}"));
    let c = Arc::new(
        Client::new(
            parse(&plain)?,
            parse(&mtls)?,
            n,
            args.ramp,
            args.max_bytes,
            seed,
            args.sock_buf,
        )
        .map_err(|e| format!("client configuration: {e}"))?,
    );
    let client_start = Proc::read();
    let server_start = server.stats().await?;
    println!(
        "start: client RSS {} KiB, {} fds; server RSS {} KiB, {} fds",
        client_start.rss_kib,
        client_start.fds,
        server_start.get("rss_kib"),
        server_start.get("fds")
    );

    // The kernel's side: TCP memory (pages) at its peak, and pressure events.
    let kernel_start = KernelTcp::read();
    let tcp_mem_peak = Arc::new(AtomicU64::new(0));
    let sampler = tokio::spawn({
        let peak = tcp_mem_peak.clone();
        async move {
            loop {
                peak.fetch_max(KernelTcp::read().mem_pages, Relaxed);
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    });
    let started = Instant::now();
    let mut rounds = Vec::new();
    let mut baseline = None;
    let mut reasons = Vec::new();
    while rounds.len() < 2 || started.elapsed() < Duration::from_secs(args.seconds) {
        let index = rounds.len();
        let r = round(&c, &mut server, n, index).await?;
        // Wait for the server's tasks to end before reading its memory.
        let s = server.stats_until(|s| s.get("open") == 0).await?;
        let cp = Proc::read();
        let t = c.tally.snapshot();
        println!(
            "round {index}{}: {} established at once (server {}), handshakes {:.1} s ({:.0}/s), transfer {:.1} s; \
             client heap {} KiB RSS {} KiB peak {} KiB fds {}; server heap {} KiB RSS {} KiB peak {} KiB fds {} open {}; unexpected errors {}",
            if index == 0 { " (warm-up)" } else { "" },
            r.client_open_at_gate,
            r.server_open_at_gate,
            r.handshake_secs,
            n as f64 / r.handshake_secs,
            r.transfer_secs,
            cp.heap / 1024,
            cp.rss_kib,
            cp.hwm_kib,
            cp.fds,
            s.get("heap") / 1024,
            s.get("rss_kib"),
            s.get("hwm_kib"),
            s.get("fds"),
            s.get("open"),
            t.sum_prefix("unexpected.") + s.sum_prefix("unexpected."),
        );
        if r.client_open_at_gate != n as u64 || r.server_open_at_gate != n as u64 {
            reasons.push(format!(
                "round {index}: only {} (client) / {} (server) of {n} connections open at once",
                r.client_open_at_gate, r.server_open_at_gate
            ));
        }
        if r.timed_out > 0 {
            reasons.push(format!(
                "round {index}: {} connections timed out",
                r.timed_out
            ));
        }
        if index == 0 {
            baseline = Some((cp.heap, s.get("heap"), cp.rss_kib, s.get("rss_kib")));
        }
        rounds.push(r);
    }
    let elapsed = started.elapsed().as_secs_f64();

    // Memory and descriptors after the last round, given a moment to settle.
    let (client_base, server_base, client_rss_base, server_rss_base) = baseline.unwrap_or_default();
    let within = |heap: u64, base: u64| heap <= base + HEAP_SLACK.max(base / 10);
    let settle = Instant::now() + SETTLE;
    let (cp, s) = loop {
        let cp = Proc::read();
        let s = server.stats_until(|s| s.get("open") == 0).await?;
        let ok = within(cp.heap, client_base)
            && within(s.get("heap"), server_base)
            && cp.fds == client_start.fds
            && s.get("fds") == server_start.get("fds");
        if ok || Instant::now() >= settle {
            break (cp, s);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    sampler.abort();
    let kernel_end = KernelTcp::read();
    let t = c.tally.snapshot();
    if s.get("fds") != server_start.get("fds") || s.get("open") != 0 {
        println!(
            "server: {} connections still open; its descriptors (on stderr):",
            s.get("open")
        );
        server.describe_fds().await;
    }
    server.quit().await;

    let total = (n * rounds.len()) as u64;
    let aborting =
        (0..n).filter(|i| kind::Kind::of_slot(*i).aborts()).count() as u64 * rounds.len() as u64;
    let hs_secs: f64 = rounds.iter().map(|r| r.handshake_secs).sum();
    let xfer_secs: f64 = rounds.iter().map(|r| r.transfer_secs).sum();
    println!();
    println!(
        "soak summary: {n} connections x {} rounds = {total} in {elapsed:.1} s",
        rounds.len()
    );
    println!(
        "handshakes: client {} (resumed {}), server {} (resumed {}); {:.0} handshakes/s over the connect phases ({hs_secs:.1} s)",
        t.get("handshakes"),
        t.get("resumed"),
        s.get("handshakes"),
        s.get("resumed"),
        t.get("handshakes") as f64 / hs_secs
    );
    println!(
        "peak concurrent: client {}, server {} (tally maxima over the run)",
        t.get("peak_open"),
        s.get("peak_open")
    );
    println!(
        "bytes: client->server {:.1} MiB in {} messages + {:.1} MiB before aborts; server->client {:.1} MiB; {:.1} MiB/s both ways over the transfer phases ({xfer_secs:.1} s)",
        mib(t.get("bytes_out")),
        s.get("messages_ok"),
        mib(t.get("abort_bytes")),
        mib(s.get("bytes_out")),
        mib(t.get("bytes_out") + s.get("bytes_out") + t.get("abort_bytes")) / xfer_secs
    );
    println!(
        "key updates sent: client {}, server {}",
        t.get("key_updates"),
        s.get("key_updates")
    );
    println!(
        "kernel TCP memory: peak {} pages (net.ipv4.tcp_mem {}); memory-pressure episodes {}, segments dropped for memory {}; socket buffers {}",
        tcp_mem_peak.load(Relaxed),
        kernel_start.limits,
        kernel_end.pressures.saturating_sub(kernel_start.pressures),
        kernel_end.rcvq_drops.saturating_sub(kernel_start.rcvq_drops),
        if args.sock_buf == 0 { "kernel defaults".to_string() } else { format!("{} bytes", args.sock_buf) }
    );
    for (who, snap) in [("client", &t), ("server", &s)] {
        for prefix in ["expected.", "unexpected."] {
            let errs = snap.errors(prefix);
            let list: Vec<String> = errs.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let shown = if list.is_empty() {
                "none".to_string()
            } else {
                list.join(" ")
            };
            println!("{who} errors, {}: {shown}", prefix.trim_end_matches('.'));
        }
    }
    for m in c.tally.messages() {
        println!("  client: {m}");
    }
    println!(
        "client memory: heap start {} KiB, after warm-up {} KiB, final {} KiB; RSS start {} KiB, after warm-up {client_rss_base} KiB, peak {} KiB, final {} KiB; fds start {}, final {}",
        client_start.heap / 1024, client_base / 1024, cp.heap / 1024,
        client_start.rss_kib, cp.hwm_kib, cp.rss_kib, client_start.fds, cp.fds
    );
    println!(
        "server memory: heap start {} KiB, after warm-up {} KiB, final {} KiB; RSS start {} KiB, after warm-up {server_rss_base} KiB, peak {} KiB, final {} KiB; fds start {}, final {}",
        server_start.get("heap") / 1024, server_base / 1024, s.get("heap") / 1024,
        server_start.get("rss_kib"),
        s.get("hwm_kib"),
        s.get("rss_kib"),
        server_start.get("fds"),
        s.get("fds")
    );

    // The verdict.
    let unexpected = t.sum_prefix("unexpected.") + s.sum_prefix("unexpected.");
    if unexpected > 0 {
        reasons.push(format!("{unexpected} unexpected errors"));
    }
    let check = |reasons: &mut Vec<String>, what: &str, got: u64, want: u64| {
        if got != want {
            reasons.push(format!("{what}: {got}, expected {want}"));
        }
    };
    check(
        &mut reasons,
        "client handshakes",
        t.get("handshakes"),
        total,
    );
    check(
        &mut reasons,
        "server handshakes",
        s.get("handshakes"),
        total,
    );
    check(
        &mut reasons,
        "client->server bytes verified by the server",
        s.get("bytes_in"),
        t.get("bytes_out"),
    );
    check(
        &mut reasons,
        "server->client bytes verified by the client",
        t.get("bytes_in"),
        s.get("bytes_out"),
    );
    check(
        &mut reasons,
        "bytes before aborts verified by the server",
        s.get("abort_bytes"),
        t.get("abort_bytes"),
    );
    check(
        &mut reasons,
        "messages verified by the server",
        s.get("messages_ok"),
        total - aborting,
    );
    check(
        &mut reasons,
        "messages verified by the client",
        t.get("messages_ok"),
        total - aborting,
    );
    check(
        &mut reasons,
        "truncations reported after aborts",
        s.get("expected.server_truncated_after_abort"),
        aborting,
    );
    check(
        &mut reasons,
        "client fds after the last round",
        cp.fds,
        client_start.fds,
    );
    check(
        &mut reasons,
        "server fds after the last round",
        s.get("fds"),
        server_start.get("fds"),
    );
    if !within(cp.heap, client_base) {
        reasons.push(format!(
            "client heap {} B, after warm-up {client_base} B",
            cp.heap
        ));
    }
    if !within(s.get("heap"), server_base) {
        reasons.push(format!(
            "server heap {} B, after warm-up {server_base} B",
            s.get("heap")
        ));
    }
    if reasons.is_empty() {
        println!("verdict: PASS (no byte lost or corrupted, no unexpected error, {n} open at once, fds back to the start, live heap within max(16 MiB, 10%) of the post-warm-up level)");
        Ok(true)
    } else {
        println!("verdict: FAIL");
        for r in &reasons {
            println!("  - {r}");
        }
        Ok(false)
    }
}

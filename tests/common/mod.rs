//! Helpers for interop tests against external TLS peers (`openssl s_server`,
//! `openssl s_client`, `gnutls-serv`, `gnutls-cli`).
//!
//! Include from an integration test with `mod common;`. The peer helpers use
//! only std and tokio; [`fixtures`] holds the lctls side (configs from
//! certs/, a TCP connect, the bound on a test body). Every wait is bounded,
//! and peers only ever talk over loopback.
//!
//! # Blocking vs async
//!
//! Spawning a peer never blocks. The `*_blocking` waits sleep the calling
//! thread: inside a `#[tokio::test]` (a current-thread runtime by default) that
//! also stalls every lctls task on the runtime, so while an lctls endpoint must
//! make progress use the `async` variants ([`Peer::wait_stdout_contains`],
//! [`Peer::wait_exit`]) or run the blocking code in
//! `tokio::task::spawn_blocking`. [`Peer::wait_listening`] is blocking, but is
//! meant to be called right after starting an external *server*, before any
//! lctls code runs.
//!
//! # Observed behaviour of the external tools (OpenSSL 3.0.x, GnuTLS 3.7.9)
//!
//! `openssl s_server -rev` (see [`openssl_s_server`]):
//! * It has no plain echo mode. With `-rev` it reads the application data
//!   *line by line* and answers each `\n`-terminated line with the line
//!   reversed plus `\n`: `b"hello\n"` gives `b"olleh\n"`. Trailing `\r`/spaces
//!   are dropped (`b"abc\r\n"` gives `b"cba\n"`). A partial line is held until
//!   its `\n` arrives; lines split across records are joined. So send short
//!   ASCII lines and expect them reversed.
//! * The line `CLOSE\n` makes the server send close_notify and drop the
//!   connection.
//! * When the client sends close_notify, the server answers with its own
//!   close_notify and closes the connection.
//! * `-cert F` sends only the first certificate of F, and `-cert_chain F`
//!   with the same F sends the leaf twice; the helper passes the rest of the
//!   chain separately (see [`openssl_cert_args`]) so exactly leaf +
//!   intermediate is sent.
//! * Without `-naccept N` it serves connections one after another forever
//!   (killed when the [`Peer`] drops). With `-naccept 1` it exits after the
//!   first connection; [`Peer::wait_listening`] does not connect (it reads
//!   `/proc/net/tcp*`), so it does not use up that one connection on Linux.
//! * With `-quiet` it prints nothing to stdout; stderr gets lines like
//!   `CONNECTION ESTABLISHED`, `Protocol version: TLSv1.3`, `CONNECTION CLOSED`,
//!   or `CONNECTION FAILURE` plus an error stack (e.g.
//!   `tlsv1 alert unknown ca` ... `SSL alert number 48`).
//!
//! `openssl s_client` (see [`openssl_s_client`]):
//! * `-quiet` silently turns on `-ign_eof`: when its stdin closes it does
//!   *nothing* and waits for the server forever. The helper therefore passes
//!   `-no_ign_eof` after `-quiet`; then, on stdin EOF, it prints `DONE` to
//!   stderr, sends close_notify, and exits 0 *immediately*, without waiting
//!   for the server's close_notify and without reading any data still in
//!   flight. So: write the input, keep stdin open until the expected reply is
//!   on stdout ([`Peer::wait_stdout_contains`]), then [`Peer::close_stdin`].
//!   Closing stdin right after writing races: against `s_server -rev` the
//!   reply was lost in about half of the runs.
//! * If the server sends close_notify, s_client answers with close_notify and
//!   exits 0 even while stdin is still open.
//! * Commands: unless `-nocommands` is given, a *chunk read from stdin* (not a
//!   line!) that starts with `Q` quits (close_notify), `k` / `K` sends a
//!   KeyUpdate (update_not_requested / update_requested) and `R` tries to
//!   renegotiate (an error in TLS 1.3); the whole chunk is swallowed. The
//!   default helper passes `-nocommands`, so all input is data. Use
//!   [`openssl_s_client_with_commands`] to drive KeyUpdate: write `b"k\n"` on
//!   its own, with pauses before and after, so it is read as a separate chunk.
//! * Verification output (`depth=.. verify return:1`) goes to stderr; a
//!   verification failure prints `verify error:num=..` and exits 1.
//!
//! `gnutls-serv --echo` (see [`gnutls_serv`]):
//! * The echo is *line based and C-string based*: received data is collected
//!   until it contains a `\n`, then everything collected so far is sent back
//!   in one record, but only up to the first NUL byte. Data without a `\n`
//!   is never echoed (`b"auth"` gets no reply; `b"auth\n"` gets `b"auth\n"`),
//!   and `b"a\r\nb\0c"` comes back as `b"a\r\nb"`. So send text without NUL
//!   that ends in `\n`; several lines may come back together. By default it
//!   also rewrites CRLF to LF; the helper passes `--crlf`, which turns that
//!   rewriting *off* (CRLF is echoed as is).
//! * It cannot be restricted to loopback: it always listens on `0.0.0.0` and
//!   `::` (no bind-address option). Only loopback clients connect in tests.
//! * It requests a client certificate by default (CertificateRequest in the
//!   handshake, optional for the client). Pass `--disable-client-cert` in
//!   `extra` to not send it, `--require-client-cert --x509cafile ...` to
//!   require one.
//! * On close_notify from the client it answers with close_notify. It serves
//!   connections forever (killed when the [`Peer`] drops). A bare TCP probe
//!   logs `Error in handshake: The TLS connection was non-properly terminated.`
//!   and the server carries on.
//! * It prints each received chunk to stdout (`received cmd: ...`).
//!
//! `gnutls-cli` (see [`gnutls_cli`]):
//! * It sends stdin data as it arrives (a final line without `\n` is sent
//!   too).
//! * On stdin EOF it sends close_notify (half-close), keeps reading until the
//!   server's close_notify, prints `- Peer has closed the GnuTLS connection`
//!   (to the log) and exits 0. So, unlike s_client, writing the input and
//!   closing stdin at once is fine: the echoed data still arrives.
//! * The helper passes `--logfile` so stdout carries only application data;
//!   the informational messages (certificate info, `- Status: The certificate
//!   is trusted.`, `*** Fatal error: ...`) are in [`Peer::log_text`]. Fatal
//!   errors are also printed to stderr, and the exit status is 1.
//! * A later `--priority` in `extra` overrides the default one (last wins).

#![allow(dead_code)]

mod commands;
mod echo;
mod exchange;
pub mod fixtures;
pub mod rustls_peer;
// Each test crate uses some of these.
#[allow(unused_imports)]
pub use commands::*;
#[allow(unused_imports)]
pub use echo::{
    echo_server, echo_server_once, echo_server_once_strict, echo_until_close, served, Served,
};
#[allow(unused_imports)]
pub use exchange::{
    line_roundtrip_and_close, s_client_exchange, s_client_session, s_client_session_expect,
    session_file,
};
#[allow(unused_imports)]
pub use fixtures::{
    bounded, bounded_by, ca_roots, certified, client_config_with, connect_tcp, connector, roots,
    SERVER_CERTS, TEST_TIMEOUT,
};
#[allow(unused_imports)]
pub use rustls_peer::{rustls_client_config, rustls_roots, rustls_to_ours};

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

/// Default bound for waits in these helpers.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Poll interval for all waits.
const POLL: Duration = Duration::from_millis(20);

/// TLS 1.3-only GnuTLS priority string used by the gnutls helpers.
pub const GNUTLS_TLS13: &str = "NORMAL:-VERS-ALL:+VERS-TLS1.3";

/// `$CARGO_MANIFEST_DIR/certs`.
pub fn certs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("certs")
}

/// Path of a file in [`certs_dir`], e.g. `cert_path("server.pem")`.
pub fn cert_path(name: &str) -> PathBuf {
    certs_dir().join(name)
}

/// Reads a file from [`certs_dir`]; panics if missing.
pub fn cert_bytes(name: &str) -> Vec<u8> {
    let p = cert_path(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()))
}

/// A currently free TCP port on 127.0.0.1 (bind to port 0, read, drop).
///
/// Never returns the same port twice within one test binary, so parallel
/// tests do not collide. (Another process may still grab it in between; that
/// window is tiny.)
pub fn free_port() -> u16 {
    static GIVEN: OnceLock<Mutex<HashSet<u16>>> = OnceLock::new();
    let given = GIVEN.get_or_init(|| Mutex::new(HashSet::new()));
    for _ in 0..100 {
        let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0");
        let port = l.local_addr().expect("local_addr").port();
        drop(l);
        if given.lock().unwrap().insert(port) {
            return port;
        }
    }
    panic!("free_port: no new port after 100 tries");
}

/// Is `cmd` an executable file on `PATH` (or an existing path)?
pub fn have(cmd: &str) -> bool {
    fn is_exec(p: &Path) -> bool {
        use std::os::unix::fs::PermissionsExt;
        p.metadata()
            .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
            .unwrap_or(false)
    }
    if cmd.contains('/') {
        return is_exec(Path::new(cmd));
    }
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|d| is_exec(&d.join(cmd))))
        .unwrap_or(false)
}

/// For the start of an interop test: `if !common::require("gnutls-cli") { return; }`.
///
/// Returns `true` if all of the space-separated commands exist. If one is
/// missing it prints a skip note and returns `false`, unless the environment
/// variable `LCTLS_REQUIRE_INTEROP` is set (CI sets it), in which case it
/// panics.
pub fn require(cmds: &str) -> bool {
    for cmd in cmds.split_whitespace() {
        if !have(cmd) {
            if std::env::var_os("LCTLS_REQUIRE_INTEROP").is_some() {
                panic!("`{cmd}` not found on PATH and LCTLS_REQUIRE_INTEROP is set");
            }
            eprintln!("SKIPPED: `{cmd}` not found on PATH");
            return false;
        }
    }
    true
}

/// Is something listening on TCP `port` on loopback?
///
/// On Linux this reads `/proc/net/tcp` and `/proc/net/tcp6` (LISTEN sockets
/// on that port), so it does not open a connection, which matters for servers
/// started with `-naccept 1`. Elsewhere it falls back to a connect probe to
/// 127.0.0.1.
pub fn is_listening(port: u16) -> bool {
    let mut any_proc = false;
    for file in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        any_proc = true;
        for line in text.lines().skip(1) {
            let mut f = line.split_whitespace();
            let (Some(_sl), Some(local), Some(_rem), Some(st)) =
                (f.next(), f.next(), f.next(), f.next())
            else {
                continue;
            };
            let Some((_, p)) = local.rsplit_once(':') else {
                continue;
            };
            if st == "0A" && u16::from_str_radix(p, 16) == Ok(port) {
                return true;
            }
        }
    }
    if any_proc {
        return false;
    }
    TcpStream::connect_timeout(
        &SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        Duration::from_millis(200),
    )
    .is_ok()
}

/// Polls [`is_listening`] until it is true or `timeout` passes.
pub fn wait_listening(port: u16, timeout: Duration) -> bool {
    let end = Instant::now() + timeout;
    loop {
        if is_listening(port) {
            return true;
        }
        if Instant::now() >= end {
            return false;
        }
        thread::sleep(POLL);
    }
}

/// Output collected from a pipe by a background thread.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    fn spawn(mut r: impl Read + Send + 'static) -> Capture {
        let c = Capture::default();
        let buf = c.0.clone();
        thread::spawn(move || {
            let mut chunk = [0u8; 8192];
            loop {
                match r.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.lock().unwrap().extend_from_slice(&chunk[..n]),
                }
            }
        });
        c
    }
    fn bytes(&self) -> Vec<u8> {
        self.0.lock().unwrap().clone()
    }
}

fn find(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

/// A unique path in the temp dir for a log file.
fn temp_log_path(tag: &str) -> PathBuf {
    static N: AtomicU64 = AtomicU64::new(0);
    std::env::temp_dir().join(format!(
        "lctls-test-{}-{}-{tag}.log",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ))
}

/// An external process (TLS server or client).
///
/// stdout and stderr are drained continuously by background threads, so the
/// child never blocks on a full pipe. stdin is piped for clients (write with
/// [`Peer::write`], close with [`Peer::close_stdin`]) and `/dev/null` for
/// servers. Dropping the `Peer` kills and reaps the child.
pub struct Peer {
    child: Child,
    name: String,
    port: u16,
    stdin: Option<ChildStdin>,
    stdout: Capture,
    stderr: Capture,
    log: Option<PathBuf>,
    status: Option<ExitStatus>,
}

impl Peer {
    /// Spawns `cmd` with stdout/stderr captured. `port` is informational
    /// (used by [`Peer::wait_listening`]); `stdin_piped` selects a pipe vs
    /// `/dev/null` for stdin.
    pub fn spawn(mut cmd: Command, port: u16, stdin_piped: bool) -> Peer {
        let name = format!("{cmd:?}");
        cmd.stdin(if stdin_piped {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("spawning {name}: {e}"));
        let stdout = Capture::spawn(child.stdout.take().unwrap());
        let stderr = Capture::spawn(child.stderr.take().unwrap());
        let stdin = child.stdin.take();
        Peer {
            child,
            name,
            port,
            stdin,
            stdout,
            stderr,
            log: None,
            status: None,
        }
    }

    /// The command line, for messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The port the peer listens on / connects to.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Everything written to stdout so far.
    pub fn stdout_bytes(&self) -> Vec<u8> {
        self.stdout.bytes()
    }

    /// Everything written to stdout so far, lossily as UTF-8.
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout.bytes()).into_owned()
    }

    /// Everything written to stderr so far, lossily as UTF-8.
    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr.bytes()).into_owned()
    }

    /// Contents of the tool's log file (`gnutls-cli --logfile`), or "".
    pub fn log_text(&self) -> String {
        self.log
            .as_ref()
            .and_then(|p| std::fs::read(p).ok())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }

    /// Command, exit status, stdout, stderr and log, for panic messages.
    pub fn describe(&mut self) -> String {
        let status = match self.try_status() {
            Some(s) => format!("{s}"),
            None => "running".to_string(),
        };
        let mut s = format!(
            "{} [{status}]\n--- stdout:\n{}\n--- stderr:\n{}",
            self.name,
            self.stdout_text(),
            self.stderr_text()
        );
        if self.log.is_some() {
            s += &format!("\n--- log:\n{}", self.log_text());
        }
        s
    }

    /// Writes `data` to the child's stdin and flushes. Blocking, but pipe
    /// writes of less than 64 KiB complete at once. Panics if stdin is not
    /// piped or already closed; a broken pipe (child exited) is ignored.
    pub fn write(&mut self, data: &[u8]) {
        let stdin = self
            .stdin
            .as_mut()
            .unwrap_or_else(|| panic!("{}: stdin not piped or closed", self.name));
        let _ = stdin.write_all(data).and_then(|()| stdin.flush());
    }

    /// Closes the child's stdin (EOF for the tool).
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Exit status if the child has exited, without waiting.
    pub fn try_status(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            self.status = self.child.try_wait().ok().flatten();
        }
        self.status
    }

    /// Is the child still running?
    pub fn is_running(&mut self) -> bool {
        self.try_status().is_none()
    }

    /// Blocks until something listens on [`Peer::port`]; panics with the
    /// peer's output if the child exits first or after `timeout`.
    pub fn wait_listening(&mut self, timeout: Duration) {
        let end = Instant::now() + timeout;
        loop {
            if is_listening(self.port) {
                return;
            }
            if self.try_status().is_some() {
                let port = self.port;
                panic!(
                    "peer exited before listening on {port}:\n{}",
                    self.describe()
                );
            }
            if Instant::now() >= end {
                let port = self.port;
                panic!(
                    "peer not listening on {port} after {timeout:?}:\n{}",
                    self.describe()
                );
            }
            thread::sleep(POLL);
        }
    }

    /// Waits (async) until stdout contains `needle`. Returns `false` on
    /// timeout or if the child exited without printing it.
    pub async fn wait_stdout_contains(&mut self, needle: &[u8], timeout: Duration) -> bool {
        let end = Instant::now() + timeout;
        loop {
            if find(&self.stdout.bytes(), needle) {
                return true;
            }
            if self.try_status().is_some() {
                // Let the reader thread drain what was left in the pipe.
                tokio::time::sleep(Duration::from_millis(100)).await;
                return find(&self.stdout.bytes(), needle);
            }
            if Instant::now() >= end {
                return false;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Blocking version of [`Peer::wait_stdout_contains`].
    pub fn wait_stdout_contains_blocking(&mut self, needle: &[u8], timeout: Duration) -> bool {
        let end = Instant::now() + timeout;
        loop {
            if find(&self.stdout.bytes(), needle) {
                return true;
            }
            if self.try_status().is_some() {
                thread::sleep(Duration::from_millis(100));
                return find(&self.stdout.bytes(), needle);
            }
            if Instant::now() >= end {
                return false;
            }
            thread::sleep(POLL);
        }
    }

    /// Waits (async) for the child to exit; `None` on timeout (the child is
    /// left running; [`Peer::kill`] or drop it).
    pub async fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let end = Instant::now() + timeout;
        loop {
            if let Some(s) = self.try_status() {
                tokio::time::sleep(Duration::from_millis(50)).await;
                return Some(s);
            }
            if Instant::now() >= end {
                return None;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Blocking version of [`Peer::wait_exit`].
    pub fn wait_exit_blocking(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let end = Instant::now() + timeout;
        loop {
            if let Some(s) = self.try_status() {
                thread::sleep(Duration::from_millis(50));
                return Some(s);
            }
            if Instant::now() >= end {
                return None;
            }
            thread::sleep(POLL);
        }
    }

    /// The child's process ID (to signal it, e.g. `kill -INT`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills (SIGKILL) and reaps the child. Idempotent.
    pub fn kill(&mut self) {
        self.stdin = None;
        if self.try_status().is_none() {
            let _ = self.child.kill();
            self.status = self.child.wait().ok();
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.kill();
        if let Some(p) = self.log.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Result of [`run_with_input`].
#[derive(Debug)]
pub struct RunOutput {
    /// Exit status (a signal status if it was killed on timeout).
    pub status: ExitStatus,
    /// Whether the child was killed because `timeout` passed.
    pub timed_out: bool,
    /// Captured stdout.
    pub stdout: Vec<u8>,
    /// Captured stderr.
    pub stderr: Vec<u8>,
}

impl RunOutput {
    /// stdout, lossily as UTF-8.
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
    /// stderr, lossily as UTF-8.
    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

/// Runs `cmd` (blocking): writes `input` to its stdin, keeps stdin open until
/// stdout contains `expect` (or immediately if `expect` is empty), closes
/// stdin, then waits for exit. The child is killed when `timeout` (counted
/// from the start) passes.
///
/// For `openssl s_client` pass the expected reply as `expect`, because it
/// drops in-flight data once stdin closes (see the module docs). Blocking:
/// from an async test call it via `tokio::task::spawn_blocking` (or use
/// [`run_with_input_async`]).
pub fn run_with_input(cmd: Command, input: &[u8], expect: &[u8], timeout: Duration) -> RunOutput {
    let start = Instant::now();
    let mut p = Peer::spawn(cmd, 0, true);
    p.write(input);
    if !expect.is_empty() {
        p.wait_stdout_contains_blocking(expect, timeout);
    }
    p.close_stdin();
    let left = timeout.saturating_sub(start.elapsed());
    let timed_out = p.wait_exit_blocking(left).is_none();
    p.kill();
    thread::sleep(Duration::from_millis(50));
    RunOutput {
        status: p.try_status().expect("reaped"),
        timed_out,
        stdout: p.stdout_bytes(),
        stderr: p.stderr.bytes(),
    }
}

/// [`run_with_input`] on tokio's blocking pool, for async tests.
pub async fn run_with_input_async(
    cmd: Command,
    input: Vec<u8>,
    expect: Vec<u8>,
    timeout: Duration,
) -> RunOutput {
    tokio::task::spawn_blocking(move || run_with_input(cmd, &input, &expect, timeout))
        .await
        .expect("run_with_input panicked")
}

/// A `redis-server` listening on 127.0.0.1:`port` (pick it with
/// [`free_port`]: Redis cannot listen on port 0 and report the port),
/// without persistence; killed when the [`Peer`] drops.
pub fn redis_server(port: u16) -> Peer {
    let mut cmd = Command::new("redis-server");
    cmd.args(["--port", &port.to_string()])
        .args(["--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"]);
    let mut peer = Peer::spawn(cmd, port, false);
    peer.wait_listening(TIMEOUT);
    peer
}

/// Loopback addresses, for tests that want them spelled out.
pub const LOCALHOST_V4: Ipv4Addr = Ipv4Addr::LOCALHOST;
/// IPv6 loopback.
pub const LOCALHOST_V6: Ipv6Addr = Ipv6Addr::LOCALHOST;

/// Waits (async) until the peer's stderr or log file contains `needle`.
/// Returns `false` on timeout or if the child exited without printing it.
pub async fn wait_stderr_contains(peer: &mut Peer, needle: &str, timeout: Duration) -> bool {
    let end = Instant::now() + timeout;
    loop {
        if peer.stderr_text().contains(needle) || peer.log_text().contains(needle) {
            return true;
        }
        if peer.try_status().is_some() {
            tokio::time::sleep(Duration::from_millis(100)).await;
            return peer.stderr_text().contains(needle) || peer.log_text().contains(needle);
        }
        if Instant::now() >= end {
            return false;
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Sends `line` to `openssl s_server -rev`, checks the reversed line comes
/// back, then closes with close_notify and checks the server answers with its
/// own and nothing else.
pub async fn reverse_roundtrip_and_close<S>(tls: S, line: &str)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let want: String = line.chars().rev().collect();
    line_roundtrip_and_close(tls, line, &want).await
}

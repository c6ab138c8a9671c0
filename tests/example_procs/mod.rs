//! Running the example programs (`server`, `client`, ...) as processes in
//! tests: a server that is killed when dropped, a client fed stdin, and
//! bounded waits. Shared by tests/examples_cli.rs and tests/examples_flags.rs.
#![allow(dead_code)]

use super::example_bin::example;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// The bound on every wait of these helpers and their tests.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// The crate root: the examples run from there (certs/ paths).
pub const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// The path of certs/NAME.
pub fn cert(name: &str) -> String {
    format!("{MANIFEST_DIR}/certs/{name}")
}

/// Kills the child when the test ends, however it ends.
pub struct ChildGuard(pub Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub struct Output {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

/// Reads a pipe to the end on its own thread.
pub fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut buf);
        }
        let _ = tx.send(String::from_utf8_lossy(&buf).into_owned());
    });
    rx
}

/// Waits for the child to exit, killing it (and failing) after `timeout`.
pub fn wait_with_timeout(mut child: ChildGuard, timeout: Duration) -> Output {
    let stdout = drain(child.0.stdout.take());
    let stderr = drain(child.0.stderr.take());
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.0.try_wait().expect("try_wait") {
            break status;
        }
        if Instant::now() >= deadline {
            drop(child);
            let err = stderr
                .recv_timeout(Duration::from_secs(5))
                .unwrap_or_default();
            panic!("process did not exit within {timeout:?}; stderr:\n{err}");
        }
        thread::sleep(Duration::from_millis(20));
    };
    let collect = |rx: mpsc::Receiver<String>| rx.recv_timeout(TIMEOUT).unwrap_or_default();
    Output {
        status,
        stdout: collect(stdout),
        stderr: collect(stderr),
    }
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

/// A running example server; killed when dropped.
pub struct Server {
    _child: ChildGuard,
    pub addr: String,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    pub fn start(extra: &[&str]) -> Server {
        let addr = format!("127.0.0.1:{}", free_port());
        let mut cmd = Command::new(example("server"));
        cmd.args(["--listen", &addr])
            .args(extra)
            .current_dir(MANIFEST_DIR)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = ChildGuard(cmd.spawn().expect("spawn server"));

        // Forward stderr lines; the test waits for "listening on".
        let stderr = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let pipe = child.0.stderr.take().expect("stderr");
        let log = stderr.clone();
        thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                log.lock().unwrap().push_str(&line);
                log.lock().unwrap().push('\n');
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) if line.starts_with("listening on") => break,
                Ok(_) => continue,
                Err(_) => {
                    let status = child.0.try_wait().ok().flatten();
                    panic!(
                        "server did not print 'listening on' (exit status {status:?}); stderr:\n{}",
                        stderr.lock().unwrap()
                    );
                }
            }
        }
        Server {
            _child: child,
            addr,
            stderr,
        }
    }

    /// A server presenting certs/{name}.pem with certs/{name}.key, then `extra`.
    pub fn with_cert(name: &str, extra: &[&str]) -> Server {
        let (pem, key) = (cert(&format!("{name}.pem")), cert(&format!("{name}.key")));
        let mut args = vec!["--cert", pem.as_str(), "--key", key.as_str()];
        args.extend_from_slice(extra);
        Server::start(&args)
    }

    pub fn log(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}

/// Runs the client with `input` on stdin (then closed) and waits for it.
pub fn run_client(args: &[&str], input: &[u8]) -> Output {
    let mut cmd = Command::new(example("client"));
    cmd.args(args)
        .current_dir(MANIFEST_DIR)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = ChildGuard(cmd.spawn().expect("spawn client"));
    let mut stdin = child.0.stdin.take().expect("stdin");
    // The client may exit before reading stdin (a failed handshake): ignore EPIPE.
    let _ = stdin.write_all(input);
    drop(stdin);
    wait_with_timeout(child, TIMEOUT)
}

/// Runs the client against `server` as `localhost`, trusting certs/ca.pem
/// (a later `--ca` in `extra` wins), with `extra` flags.
pub fn client_of(server: &Server, extra: &[&str], input: &[u8]) -> Output {
    let ca = cert("ca.pem");
    let mut args = vec![
        "--connect",
        server.addr.as_str(),
        "--server-name",
        "localhost",
        "--ca",
        ca.as_str(),
    ];
    args.extend_from_slice(extra);
    run_client(&args, input)
}

/// Runs the example `name` with no arguments and stdin closed, and asserts
/// it exits 0 within [`TIMEOUT`].
pub fn run_example_ok(name: &str) -> Output {
    let mut cmd = Command::new(example(name));
    cmd.current_dir(MANIFEST_DIR)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let spawned = cmd.spawn().unwrap_or_else(|e| panic!("spawn {name}: {e}"));
    let out = wait_with_timeout(ChildGuard(spawned), TIMEOUT);
    assert!(
        out.status.success(),
        "{name} failed: {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        out.stdout,
        out.stderr
    );
    out
}

/// Asserts that the client exited 0, showing its stderr and the server's log.
#[track_caller]
pub fn assert_client_ok(out: &Output, server: &Server) {
    assert!(
        out.status.success(),
        "client failed: {}\nstderr:\n{}\nserver:\n{}",
        out.status,
        out.stderr,
        server.log()
    );
}

/// Asserts that `text` (the stream called `what`) contains each of `needles`.
#[track_caller]
pub fn assert_contains(what: &str, text: &str, needles: &[&str]) {
    for needle in needles {
        assert!(text.contains(needle), "no {needle:?} in {what}:\n{text}");
    }
}

/// Asserts that every one of `lines` is a whole line of `text`.
pub fn assert_lines(text: &str, lines: &[&str], context: &str) {
    for want in lines {
        assert!(
            text.lines().any(|l| l == *want),
            "no line {want:?} in:\n{text}\n{context}"
        );
    }
}

/// Waits until the server's log holds `needle` (its lines come from another
/// thread as connections end).
pub fn wait_log(server: &Server, needle: &str) {
    let deadline = Instant::now() + TIMEOUT;
    while !server.log().contains(needle) {
        assert!(
            Instant::now() < deadline,
            "no {needle:?} in the server log:\n{}",
            server.log()
        );
        thread::sleep(Duration::from_millis(20));
    }
}

//! Runs the example programs (`demo`, `server`, `client`) as processes.
//! The binaries come from `example_bin::example`.

mod example_bin;

use example_bin::example;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// The bound on every wait in this file.
const TIMEOUT: Duration = Duration::from_secs(20);

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

fn cert(name: &str) -> String {
    format!("{MANIFEST_DIR}/certs/{name}")
}

/// Kills the child when the test ends, however it ends.
struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Output {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

/// Reads a pipe to the end on its own thread.
fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> mpsc::Receiver<String> {
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
fn wait_with_timeout(mut child: ChildGuard, timeout: Duration) -> Output {
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
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

/// A running example server; killed when dropped.
struct Server {
    _child: ChildGuard,
    addr: String,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    fn start(extra: &[&str]) -> Server {
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

    fn log(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}

/// Runs the client with `input` on stdin (then closed) and waits for it.
fn run_client(args: &[&str], input: &[u8]) -> Output {
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

#[test]
fn demo_exits_zero_and_prints_the_suite() {
    let mut cmd = Command::new(example("demo"));
    cmd.current_dir(MANIFEST_DIR)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let out = wait_with_timeout(ChildGuard(cmd.spawn().expect("spawn demo")), TIMEOUT);
    assert!(
        out.status.success(),
        "demo failed: {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        out.stdout,
        out.stderr
    );
    assert!(out.stdout.contains("suite:"), "stdout:\n{}", out.stdout);
    assert!(out.stdout.contains("TLS13_"), "stdout:\n{}", out.stdout);
    assert!(out.stdout.contains("http/1.1"), "stdout:\n{}", out.stdout);
    assert!(
        out.stdout.contains("received close_notify"),
        "stdout:\n{}",
        out.stdout
    );
}

/// `cargo run --example grpc_mtls`: both sides in one process, mutual TLS,
/// the client identity the server saw printed, exit 0.
#[test]
fn grpc_mtls_prints_the_client_identity_and_exits_zero() {
    let mut cmd = Command::new(example("grpc_mtls"));
    cmd.current_dir(MANIFEST_DIR)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let out = wait_with_timeout(ChildGuard(cmd.spawn().expect("spawn grpc_mtls")), TIMEOUT);
    assert!(
        out.status.success(),
        "grpc_mtls failed: {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        out.stdout,
        out.stderr
    );
    assert!(
        out.stdout.contains(
            "server saw client: CN=lctls test client,O=lctls test (2 certificates) from 127.0.0.1:"
        ),
        "stdout:\n{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("client: health check answered SERVING"),
        "stdout:\n{}",
        out.stdout
    );
}

#[test]
fn client_echo_through_server() {
    let server = Server::start(&["--cert", &cert("server.pem"), "--key", &cert("server.key")]);
    let out = run_client(
        &["--connect", &server.addr, "--ca", &cert("ca.pem")],
        b"hello\n",
    );
    assert!(
        out.status.success(),
        "client failed: {}\nstderr:\n{}\nserver:\n{}",
        out.status,
        out.stderr,
        server.log()
    );
    assert!(out.stdout.contains("hello"), "stdout:\n{}", out.stdout);
    assert!(out.stderr.contains("TLSv1_3"), "stderr:\n{}", out.stderr);
}

#[test]
fn http_server_answers_200() {
    let server = Server::start(&[
        "--http",
        "--alpn",
        "http/1.1",
        "--cert",
        &cert("server.pem"),
        "--key",
        &cert("server.key"),
    ]);
    let out = run_client(
        &[
            "--connect",
            &server.addr,
            "--server-name",
            "localhost",
            "--ca",
            &cert("ca.pem"),
            "--alpn",
            "http/1.1",
        ],
        // Two requests on one connection, the second with bare LFs (RFC
        // 9112 2.2 lets a server accept them); then the client closes.
        b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\nGET /two HTTP/1.1\nHost: localhost\n\n",
    );
    assert!(
        out.status.success(),
        "client failed: {}\nstderr:\n{}\nserver:\n{}",
        out.status,
        out.stderr,
        server.log()
    );
    assert!(
        out.stdout.starts_with("HTTP/1.1 200"),
        "stdout:\n{}",
        out.stdout
    );
    assert_eq!(
        out.stdout.matches("HTTP/1.1 200 OK\r\n").count(),
        2,
        "stdout:\n{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("Connection: keep-alive"),
        "stdout:\n{}",
        out.stdout
    );
    assert!(out.stderr.contains("http/1.1"), "stderr:\n{}", out.stderr);
}

/// `Connection: close` ends the connection after its response; a request
/// whose body is announced by Content-Length is answered once, body skipped.
#[test]
fn http_server_honours_connection_close() {
    let server = Server::start(&[
        "--http",
        "--cert",
        &cert("server.pem"),
        "--key",
        &cert("server.key"),
    ]);
    let out = run_client(
        &[
            "--connect",
            &server.addr,
            "--server-name",
            "localhost",
            "--ca",
            &cert("ca.pem"),
            "--alpn",
            "http/1.1",
        ],
        b"POST /p HTTP/1.1\r\nHost: localhost\r\nContent-Length: 9\r\n\r\nGET / HTTPGET /c HTTP/1.1\r\nConnection: close\r\n\r\nGET /never HTTP/1.1\r\n\r\n",
    );
    assert!(
        out.status.success(),
        "client failed: {}\nstderr:\n{}\nserver:\n{}",
        out.status,
        out.stderr,
        server.log()
    );
    assert_eq!(
        out.stdout.matches("HTTP/1.1 200 OK\r\n").count(),
        2,
        "stdout:\n{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("Connection: close"),
        "stdout:\n{}",
        out.stdout
    );
}

#[test]
fn client_refuses_wrong_name() {
    let server = Server::start(&[
        "--cert",
        &cert("wrong-name.pem"),
        "--key",
        &cert("wrong-name.key"),
    ]);
    let out = run_client(&["--connect", &server.addr, "--ca", &cert("ca.pem")], b"");
    assert!(
        !out.status.success(),
        "client accepted a certificate for the wrong name; stdout:\n{}",
        out.stdout
    );
    assert!(
        out.stderr.contains("not valid for"),
        "stderr:\n{}",
        out.stderr
    );
    assert!(out.stdout.is_empty(), "stdout:\n{}", out.stdout);
}

/// A server that requires a client certificate issued under certs/ca.pem.
fn mtls_server() -> Server {
    Server::start(&[
        "--cert",
        &cert("server.pem"),
        "--key",
        &cert("server.key"),
        "--client-ca",
        &cert("ca.pem"),
        "--require-client-cert",
    ])
}

#[test]
fn client_certificate_echo_through_server_requiring_one() {
    let server = mtls_server();
    let out = run_client(
        &[
            "--connect",
            &server.addr,
            "--server-name",
            "localhost",
            "--ca",
            &cert("ca.pem"),
            "--cert",
            &cert("client.pem"),
            "--key",
            &cert("client.key"),
        ],
        b"hello with a client certificate\n",
    );
    assert!(
        out.status.success(),
        "client failed: {}\nstderr:\n{}\nserver:\n{}",
        out.status,
        out.stderr,
        server.log()
    );
    assert!(
        out.stdout.contains("hello with a client certificate"),
        "stdout:\n{}",
        out.stdout
    );
    // The server saw the client's leaf and intermediate. It logs the chain
    // right after the handshake, before echoing anything back; give the
    // thread that collects its stderr a moment.
    let deadline = Instant::now() + TIMEOUT;
    while !server
        .log()
        .contains("client certificate chain: 2 certificate(s), leaf ")
    {
        assert!(
            Instant::now() < deadline,
            "server did not log the client chain:\n{}",
            server.log()
        );
        thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn client_without_certificate_is_refused_by_server_requiring_one() {
    let server = mtls_server();
    // In TLS 1.3 the client's handshake is over before the server has seen
    // its (empty) Certificate, so the alert arrives on the client's first
    // read: send a line so that the client reads.
    let out = run_client(
        &[
            "--connect",
            &server.addr,
            "--server-name",
            "localhost",
            "--ca",
            &cert("ca.pem"),
        ],
        b"hello without a certificate\n",
    );
    assert!(
        !out.status.success(),
        "client without a certificate succeeded; stdout:\n{}\nstderr:\n{}\nserver:\n{}",
        out.stdout,
        out.stderr,
        server.log()
    );
    assert!(
        out.stderr.contains("peer sent alert certificate_required"),
        "stderr:\n{}\nserver:\n{}",
        out.stderr,
        server.log()
    );
    assert!(out.stdout.is_empty(), "stdout:\n{}", out.stdout);
    assert!(
        !server.log().contains("client certificate chain"),
        "server:\n{}",
        server.log()
    );
}

/// `server --max-early-data` with `client --resume 2 --early-data FILE`:
/// the resumptions carry 0-RTT data, the server accepts it (once per
/// ticket) and prints it, and the client reports `early_data=Accepted`.
#[test]
fn early_data_through_the_example_programs() {
    let server = Server::start(&[
        "--cert",
        &cert("server.pem"),
        "--key",
        &cert("server.key"),
        "--max-early-data",
        "1024",
    ]);
    let file = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("lctls-early-{}.txt", std::process::id()));
    std::fs::write(&file, b"GET /early").unwrap();
    let out = run_client(
        &[
            "--connect",
            &server.addr,
            "--server-name",
            "localhost",
            "--ca",
            &cert("ca.pem"),
            "--resume",
            "2",
            "--early-data",
            file.to_str().unwrap(),
        ],
        b"",
    );
    let _ = std::fs::remove_file(&file);
    assert!(
        out.status.success(),
        "client failed: {}\nstderr:\n{}\nserver:\n{}",
        out.status,
        out.stderr,
        server.log()
    );
    for k in 1..=2 {
        let line = format!(
            "resume {k}: {} resumed=yes early_data=Accepted",
            server.addr
        );
        assert!(out.stderr.contains(&line), "no {line:?} in\n{}", out.stderr);
    }
    // The server's log is written as connections end; give it a moment.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !server.log().contains("0-RTT: accepted 10 bytes") && std::time::Instant::now() < deadline
    {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(
        server
            .log()
            .contains("0-RTT: accepted 10 bytes of early data (replayable): \"GET /early\""),
        "server:\n{}",
        server.log()
    );
}

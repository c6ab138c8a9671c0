//! Runs the example programs (`demo`, `server`, `client`, `grpc_mtls`) as
//! processes. The binaries come from `example_bin::example`, the process
//! helpers from `example_procs`.

mod example_bin;
mod example_procs;

use example_procs::*;

#[test]
fn demo_exits_zero_and_prints_the_suite() {
    let out = run_example_ok("demo");
    assert_contains(
        "stdout",
        &out.stdout,
        &["suite:", "TLS13_", "http/1.1", "received close_notify"],
    );
}

/// `cargo run --example grpc_mtls`: both sides in one process, mutual TLS,
/// the client identity the server saw printed, exit 0.
#[test]
fn grpc_mtls_prints_the_client_identity_and_exits_zero() {
    let out = run_example_ok("grpc_mtls");
    assert_contains(
        "stdout",
        &out.stdout,
        &[
            "server saw client: CN=lctls test client,O=lctls test (2 certificates) from 127.0.0.1:",
            "client: health check answered SERVING",
        ],
    );
}

#[test]
fn client_echo_through_server() {
    let server = Server::with_cert("server", &[]);
    let out = run_client(
        &["--connect", &server.addr, "--ca", &cert("ca.pem")],
        b"hello\n",
    );
    assert_client_ok(&out, &server);
    assert!(out.stdout.contains("hello"), "stdout:\n{}", out.stdout);
    assert!(out.stderr.contains("TLSv1_3"), "stderr:\n{}", out.stderr);
}

#[test]
fn http_server_answers_200() {
    let server = Server::with_cert("server", &["--http", "--alpn", "http/1.1"]);
    let out = client_of(
        &server,
        &["--alpn", "http/1.1"],
        // Two requests on one connection, the second with bare LFs (RFC
        // 9112 2.2 lets a server accept them); then the client closes.
        b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\nGET /two HTTP/1.1\nHost: localhost\n\n",
    );
    assert_client_ok(&out, &server);
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
    let server = Server::with_cert("server", &["--http"]);
    let out = client_of(
        &server,
        &["--alpn", "http/1.1"],
        b"POST /p HTTP/1.1\r\nHost: localhost\r\nContent-Length: 9\r\n\r\nGET / HTTPGET /c HTTP/1.1\r\nConnection: close\r\n\r\nGET /never HTTP/1.1\r\n\r\n",
    );
    assert_client_ok(&out, &server);
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
    let server = Server::with_cert("wrong-name", &[]);
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
    Server::with_cert(
        "server",
        &["--client-ca", &cert("ca.pem"), "--require-client-cert"],
    )
}

#[test]
fn client_certificate_echo_through_server_requiring_one() {
    let server = mtls_server();
    let out = client_of(
        &server,
        &["--cert", &cert("client.pem"), "--key", &cert("client.key")],
        b"hello with a client certificate\n",
    );
    assert_client_ok(&out, &server);
    assert!(
        out.stdout.contains("hello with a client certificate"),
        "stdout:\n{}",
        out.stdout
    );
    // The server saw the client's leaf and intermediate. It logs the chain
    // right after the handshake, before echoing anything back; give the
    // thread that collects its stderr a moment.
    wait_log(&server, "client certificate chain: 2 certificate(s), leaf ");
}

#[test]
fn client_without_certificate_is_refused_by_server_requiring_one() {
    let server = mtls_server();
    // In TLS 1.3 the client's handshake is over before the server has seen
    // its (empty) Certificate, so the alert arrives on the client's first
    // read: send a line so that the client reads.
    let out = client_of(&server, &[], b"hello without a certificate\n");
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
    let server = Server::with_cert("server", &["--max-early-data", "1024"]);
    let file = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("lctls-early-{}.txt", std::process::id()));
    std::fs::write(&file, b"GET /early").unwrap();
    let out = client_of(
        &server,
        &["--resume", "2", "--early-data", file.to_str().unwrap()],
        b"",
    );
    let _ = std::fs::remove_file(&file);
    assert_client_ok(&out, &server);
    for k in 1..=2 {
        let line = format!(
            "resume {k}: {} resumed=yes early_data=Accepted",
            server.addr
        );
        assert!(out.stderr.contains(&line), "no {line:?} in\n{}", out.stderr);
    }
    // The server's log is written as connections end; give it a moment.
    wait_log(
        &server,
        "0-RTT: accepted 10 bytes of early data (replayable): \"GET /early\"",
    );
}

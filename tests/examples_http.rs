//! Runs `examples/axum_server` and `examples/hyper_client` against each
//! other as processes (features `hyper` and `axum`): HTTP/2 over TLS 1.3,
//! mutual TLS, and the client's words when verification fails.

mod common;
mod example_bin;

use std::process::Command;

use common::{cert_arg, free_port, run_with_input, Peer, RunOutput, TIMEOUT};
use example_bin::example;

/// Starts `axum_server --listen 127.0.0.1:PORT` with `extra`, listening.
fn server(extra: &[&str]) -> (Peer, u16) {
    let port = free_port();
    let mut cmd = Command::new(example("axum_server"));
    cmd.args(["--listen", &format!("127.0.0.1:{port}")])
        .args(extra);
    let mut p = Peer::spawn(cmd, port, false);
    p.wait_listening(TIMEOUT);
    (p, port)
}

/// Runs `hyper_client https://localhost:PORT/` with `extra` to its exit.
fn client(port: u16, extra: &[&str]) -> RunOutput {
    let mut cmd = Command::new(example("hyper_client"));
    cmd.arg(format!("https://localhost:{port}/")).args(extra);
    let out = run_with_input(cmd, b"", b"", TIMEOUT);
    assert!(
        !out.timed_out,
        "hyper_client timed out: {}",
        out.stderr_text()
    );
    out
}

#[test]
fn hyper_client_gets_from_axum_server_over_http2() {
    let (_server, port) = server(&[]);
    let out = client(port, &["--ca", &cert_arg("ca.pem")]);
    let (stdout, stderr) = (out.stdout_text(), out.stderr_text());
    assert!(out.status.success(), "{stderr}");
    for line in [
        "status:   200 OK\n",
        "http:     HTTP/2.0\n",
        "version:  TLSv1_3\n",
        "alpn:     h2\n",
        "server certificates: 2 (",
    ] {
        assert!(
            stderr.contains(line),
            "{line:?} not in client's stderr:\n{stderr}"
        );
    }
    for line in [
        "http:    HTTP/2.0\n",
        "alpn:    h2\n",
        "sni:     localhost\n",
        "client:  -\n",
    ] {
        assert!(stdout.contains(line), "{line:?} not in the body:\n{stdout}");
    }
}

#[test]
fn mutual_tls_between_the_examples() {
    let (_server, port) = server(&["--client-ca", &cert_arg("ca.pem")]);
    let out = client(
        port,
        &[
            "--ca",
            &cert_arg("ca.pem"),
            "--cert",
            &cert_arg("client.pem"),
            "--key",
            &cert_arg("client.key"),
        ],
    );
    assert!(out.status.success(), "{}", out.stderr_text());
    let body = out.stdout_text();
    assert!(
        body.contains("client:  CN=lctls test client,O=lctls test\n"),
        "{body}"
    );

    // Without a certificate the server refuses the connection: no body.
    let out = client(port, &["--ca", &cert_arg("ca.pem")]);
    assert_eq!(out.status.code(), Some(1), "{}", out.stderr_text());
    assert!(out.stdout_text().is_empty());
}

#[test]
fn hyper_client_names_the_unknown_issuer() {
    let (_server, port) = server(&[]);
    let out = client(port, &["--ca", &cert_arg("other-ca.pem")]);
    let stderr = out.stderr_text();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error: client error (Connect): certificate 'CN=lctls test intermediate CA,O=lctls test' was issued by unknown issuer"),
        "{stderr}"
    );
}

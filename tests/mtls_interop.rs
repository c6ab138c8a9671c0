//! Mutual TLS interop: our server asking `openssl s_client` / `gnutls-cli`
//! for a client certificate, and our client presenting one to
//! `openssl s_server -Verify 1` / `gnutls-serv --require-client-cert
//! --verify-client-cert`.
//!
//! TLS 1.3 unless the test name ends in `_tls12`. In TLS 1.3 a server that
//! requires a certificate and gets none answers with certificate_required
//! (116); in TLS 1.2 with handshake_failure (40). See `tests/common/mod.rs`
//! for how the external tools behave.

mod common;

use std::sync::Arc;

use lctls::config::{ClientConfig, ServerConfig};
use lctls::pki::{CertificateError, DefaultClientVerifier};
use lctls::proto::enums::{AlertDescription, ProtocolVersion};
use lctls::{Error, TlsAcceptor, TlsConnector};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Only TLS 1.2, or the default (both versions).
fn versions(tls12: bool) -> &'static [ProtocolVersion] {
    if tls12 {
        &[ProtocolVersion::TLSv1_2]
    } else {
        &[ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2]
    }
}

/// How our server treats client certificates.
#[derive(Clone, Copy)]
enum Mode {
    /// Clients must present a certificate chaining to this root file.
    Required(&'static str),
    /// Clients may present one; if they do it must chain to this root file.
    Optional(&'static str),
}

fn server_config(mode: Mode, tls12: bool) -> Arc<ServerConfig> {
    let verifier = match mode {
        Mode::Required(ca) => DefaultClientVerifier::new(common::roots(ca)),
        Mode::Optional(ca) => DefaultClientVerifier::optional(common::roots(ca)),
    };
    Arc::new(
        ServerConfig::builder()
            .with_certified_key(common::certified("server"))
            .with_client_cert_verifier(Arc::new(verifier))
            .with_protocol_versions(versions(tls12))
            .build()
            .unwrap(),
    )
}

/// Our client trusting ca.pem, with certs/client.pem when `with_cert`.
fn connector(with_cert: bool, tls12: bool) -> TlsConnector {
    let mut b = ClientConfig::builder()
        .with_root_store(common::roots("ca.pem"))
        .with_protocol_versions(versions(tls12));
    if with_cert {
        b = b.with_client_cert(common::certified("client"));
    }
    TlsConnector::from(Arc::new(b.build().unwrap()))
}

/// The TLS error inside an I/O error from lctls (panics if there is none).
fn tls_error(e: std::io::Error) -> Error {
    Error::from_io(&e)
        .unwrap_or_else(|| panic!("not a TLS error: {e}"))
        .clone()
}

// ---------------------------------------------------------------------------
// Our server

/// What our echo server saw on its one connection.
#[derive(Debug)]
struct Served {
    version: Option<ProtocolVersion>,
    /// Length of the client's certificate chain (`peer_certificates()`).
    client_chain: usize,
    echoed: Vec<u8>,
}

/// Starts our echo server on a fresh loopback port for one connection: it
/// echoes until the client's close_notify, then answers with its own.
async fn echo_server(
    config: Arc<ServerConfig>,
) -> (u16, tokio::task::JoinHandle<Result<Served, Error>>) {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut tls = TlsAcceptor::from(config)
            .accept(tcp)
            .await
            .map_err(tls_error)?;
        let client_chain = tls.peer_certificates().len();
        let echoed = common::echo_until_close(&mut tls)
            .await
            .map_err(tls_error)?;
        // s_client may already be gone after its close_notify.
        let _ = tls.shutdown().await;
        Ok(Served {
            version: tls.protocol_version(),
            client_chain,
            echoed,
        })
    });
    (port, task)
}

/// `-cert certs/client.pem -key certs/client.key -cert_chain <intermediate>`
/// for s_client, so it sends leaf + intermediate.
fn s_client_cert_args() -> Vec<String> {
    common::openssl_cert_args("client.pem", "client.key")
}

/// Waits (bounded) for our one-connection server's result.
async fn server_result(
    task: tokio::task::JoinHandle<Result<Served, Error>>,
    peer: &mut common::Peer,
) -> Result<Served, Error> {
    match tokio::time::timeout(common::TIMEOUT, task).await {
        Ok(r) => r.unwrap(),
        Err(_) => panic!("our server did not finish:\n{}", peer.describe()),
    }
}

/// The OpenSSL protocol flag: `-tls1_2` when `tls12`, else `-tls1_3`
/// (OpenSSL refuses two protocol flags, so it is chosen, not added).
fn openssl_version_flag(tls12: bool) -> &'static str {
    if tls12 {
        "-tls1_2"
    } else {
        "-tls1_3"
    }
}

/// `openssl s_client` like [`common::openssl_s_client`] (same options), but
/// with `-tls1_2` instead of `-tls1_3` when `tls12`.
fn s_client(port: u16, tls12: bool, extra: &[&str]) -> common::Peer {
    common::openssl_s_client_version(port, openssl_version_flag(tls12), true, true, extra)
}

/// Our server's error is a protocol error sending `alert`.
#[track_caller]
fn assert_protocol_alert(err: &Error, alert: AlertDescription) {
    assert!(
        matches!(err, Error::Protocol { alert: a, .. } if *a == alert),
        "expected a protocol error with {alert:?}, got {err:?}"
    );
}

/// Runs s_client (with `extra`) against our server: one line, its echo, close.
async fn s_client_echo(config: Arc<ServerConfig>, tls12: bool, extra: &[&str]) -> Served {
    let (port, task) = echo_server(config).await;
    let line = b"hello from s_client\n";
    let mut c = s_client(port, tls12, extra);
    c.write(line);
    if !c.wait_stdout_contains(line, common::TIMEOUT).await {
        c.kill();
        let served = server_result(task, &mut c).await;
        panic!("no echo; our server: {served:?}\n{}", c.describe());
    }
    c.close_stdin();
    let status = c.wait_exit(common::TIMEOUT).await.expect("s_client exit");
    assert!(status.success(), "s_client failed:\n{}", c.describe());
    let served = server_result(task, &mut c).await.expect("our server");
    assert_eq!(served.echoed, line);
    served
}

/// Runs s_client (with `extra`) against our server, which must refuse it.
/// Returns our server's error and s_client's stderr.
async fn s_client_refused(
    config: Arc<ServerConfig>,
    tls12: bool,
    extra: &[&str],
) -> (Error, String) {
    let (port, task) = echo_server(config).await;
    let mut c = s_client(port, tls12, extra);
    // No data needed: s_client reads the socket on its own and exits 1 on
    // the fatal alert (stdin stays open until then).
    let status = c.wait_exit(common::TIMEOUT).await;
    let err = match server_result(task, &mut c).await {
        Ok(served) => panic!("our server accepted: {served:?}\n{}", c.describe()),
        Err(e) => e,
    };
    let status = status.unwrap_or_else(|| panic!("s_client did not exit:\n{}", c.describe()));
    assert!(!status.success(), "s_client succeeded:\n{}", c.describe());
    (err, c.stderr_text())
}

/// s_client presenting certs/client.pem (leaf + intermediate) to our server
/// requiring a certificate.
async fn required_s_client_with_certificate(tls12: bool) {
    let args = s_client_cert_args();
    let served = s_client_echo(
        server_config(Mode::Required("ca.pem"), tls12),
        tls12,
        &common::as_strs(&args),
    )
    .await;
    let want = if tls12 {
        ProtocolVersion::TLSv1_2
    } else {
        ProtocolVersion::TLSv1_3
    };
    assert_eq!(served.version, Some(want));
    assert_eq!(served.client_chain, 2, "client leaf + intermediate");
}

#[tokio::test]
async fn server_required_s_client_with_certificate() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(required_s_client_with_certificate(false)).await;
}

#[tokio::test]
async fn server_required_s_client_with_certificate_tls12() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(required_s_client_with_certificate(true)).await;
}

#[tokio::test]
async fn server_required_s_client_without_certificate() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(async {
        let (err, stderr) =
            s_client_refused(server_config(Mode::Required("ca.pem"), false), false, &[]).await;
        assert_protocol_alert(&err, AlertDescription::CertificateRequired);
        // OpenSSL 3.0: "...:ssl3_read_bytes:tlsv13 alert certificate
        // required:...:SSL alert number 116".
        assert!(
            stderr.contains("tlsv13 alert certificate required"),
            "{stderr}"
        );
        assert!(stderr.contains("SSL alert number 116"), "{stderr}");
    })
    .await;
}

#[tokio::test]
async fn server_required_s_client_without_certificate_tls12() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(async {
        let (err, stderr) =
            s_client_refused(server_config(Mode::Required("ca.pem"), true), true, &[]).await;
        assert_protocol_alert(&err, AlertDescription::HandshakeFailure);
        assert!(stderr.contains("sslv3 alert handshake failure"), "{stderr}");
        assert!(stderr.contains("SSL alert number 40"), "{stderr}");
    })
    .await;
}

#[tokio::test]
async fn server_optional_s_client_without_certificate() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(async {
        let served =
            s_client_echo(server_config(Mode::Optional("ca.pem"), false), false, &[]).await;
        assert_eq!(served.client_chain, 0);
    })
    .await;
}

#[tokio::test]
async fn server_with_other_roots_refuses_s_client_certificate() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(async {
        let args = s_client_cert_args();
        let (err, stderr) = s_client_refused(
            server_config(Mode::Required("other-ca.pem"), false),
            false,
            &common::as_strs(&args),
        )
        .await;
        assert!(
            matches!(
                err,
                Error::Certificate(CertificateError::UnknownIssuer { .. })
            ),
            "{err:?}"
        );
        assert!(stderr.contains("tlsv1 alert unknown ca"), "{stderr}");
        assert!(stderr.contains("SSL alert number 48"), "{stderr}");
    })
    .await;
}

// ---------------------------------------------------------------------------
// Our client against s_server -Verify 1

/// `openssl s_server -rev -quiet -Verify 1 -CAfile certs/ca.pem -naccept 1`
/// (client certificate required, one connection) with `-tls1_3` or
/// `-tls1_2`. Built here rather than with [`common::openssl_s_server`],
/// whose `-tls1_3` cannot be combined with `-tls1_2`.
fn s_server_requiring_cert(port: u16, tls12: bool) -> common::Peer {
    let ca = common::cert_arg("ca.pem");
    common::openssl_s_server_version(
        port,
        "server.pem",
        "server.key",
        openssl_version_flag(tls12),
        &["-Verify", "1", "-CAfile", &ca, "-naccept", "1"],
    )
}

/// Our client with certs/client.pem against s_server requiring one: the
/// data crosses and s_server reports the chain as verified.
async fn present_certificate_to_s_server(tls12: bool) {
    let port = common::free_port();
    let mut srv = s_server_requiring_cert(port, tls12);
    let tls = match common::connect_tcp(&connector(true, tls12), port).await {
        Ok(t) => t,
        Err(e) => panic!("{e}\n{}", srv.describe()),
    };
    let want = if tls12 {
        ProtocolVersion::TLSv1_2
    } else {
        ProtocolVersion::TLSv1_3
    };
    assert_eq!(tls.protocol_version(), Some(want));
    // s_server -rev answers each line reversed.
    common::line_roundtrip_and_close(
        tls,
        "client certificate accepted",
        "detpecca etacifitrec tneilc",
    )
    .await;

    // s_server verified the chain (verify callback output, depth 0 is our
    // leaf) and logged it as the peer certificate.
    assert!(
        common::wait_stderr_contains(&mut srv, "Verification: OK", common::TIMEOUT).await,
        "{}",
        srv.describe()
    );
    let log = srv.stderr_text();
    assert!(
        log.contains("depth=0 O = lctls test, CN = lctls test client\nverify return:1"),
        "{log}"
    );
    assert!(
        log.contains("Peer certificate: O = lctls test, CN = lctls test client"),
        "{log}"
    );
    assert!(!log.contains("verify error"), "{log}");
}

#[tokio::test]
async fn client_with_certificate_against_s_server() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(present_certificate_to_s_server(false)).await;
}

#[tokio::test]
async fn client_with_certificate_against_s_server_tls12() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(present_certificate_to_s_server(true)).await;
}

/// Our client without a certificate against s_server requiring one: refused
/// with the alert of the version, and s_server says why.
async fn refused_by_s_server_without_certificate(tls12: bool) {
    let port = common::free_port();
    let mut srv = s_server_requiring_cert(port, tls12);
    let connected = common::connect_tcp(&connector(false, tls12), port).await;
    let (err, alert) = if tls12 {
        // TLS 1.2: the server refuses before its Finished, so connect fails.
        let err = match connected {
            Ok(_) => panic!("handshake succeeded\n{}", srv.describe()),
            Err(e) => tls_error(e),
        };
        (err, AlertDescription::HandshakeFailure)
    } else {
        // TLS 1.3: our handshake completes before s_server has seen our empty
        // Certificate; its alert arrives on our first read. OpenSSL 3.0 sends
        // certificate_required (116) here, not handshake_failure.
        let mut tls = match connected {
            Ok(t) => t,
            Err(e) => panic!("{e}\n{}", srv.describe()),
        };
        let mut buf = [0u8; 64];
        let err = tls_error(tls.read(&mut buf).await.expect_err("read must fail"));
        (err, AlertDescription::CertificateRequired)
    };
    assert_eq!(err, Error::AlertReceived(alert), "{}", srv.describe());
    assert!(
        common::wait_stderr_contains(
            &mut srv,
            "peer did not return a certificate",
            common::TIMEOUT
        )
        .await,
        "{}",
        srv.describe()
    );
}

#[tokio::test]
async fn client_without_certificate_against_s_server() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(refused_by_s_server_without_certificate(false)).await;
}

#[tokio::test]
async fn client_without_certificate_against_s_server_tls12() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(refused_by_s_server_without_certificate(true)).await;
}

// ---------------------------------------------------------------------------
// GnuTLS

#[tokio::test]
async fn client_with_certificate_against_gnutls_serv() {
    if !common::require("gnutls-serv") {
        return;
    }
    common::bounded(async {
        let port = common::free_port();
        let ca = common::cert_arg("ca.pem");
        // --verify-client-cert: without it gnutls-serv accepts any client
        // certificate and logs "Peer's certificate was NOT verified."
        let mut srv = common::gnutls_serv(
            port,
            "server.pem",
            "server.key",
            &[
                "--require-client-cert",
                "--verify-client-cert",
                "--x509cafile",
                &ca,
            ],
        );
        let tls = match common::connect_tcp(&connector(true, false), port).await {
            Ok(t) => t,
            Err(e) => panic!("{e}\n{}", srv.describe()),
        };
        assert_eq!(tls.protocol_version(), Some(ProtocolVersion::TLSv1_3));
        // gnutls-serv --echo answers each line as it is.
        common::line_roundtrip_and_close(tls, "mutual TLS with gnutls", "mutual TLS with gnutls")
            .await;

        // gnutls-serv prints the session info, with the client's chain, to stdout.
        assert!(
            srv.wait_stdout_contains(b"Client Signature:", common::TIMEOUT)
                .await,
            "{}",
            srv.describe()
        );
        let out = srv.stdout_text();
        assert!(
            out.contains("- Got a certificate list of 2 certificates."),
            "{out}"
        );
        assert!(
            out.contains("Subject: CN=lctls test client,O=lctls test"),
            "{out}"
        );
        assert!(!out.contains("NOT verified"), "{out}");
    })
    .await;
}

/// Runs gnutls-cli (with `extra`) against our server with one line of input.
async fn gnutls_cli_against(
    config: Arc<ServerConfig>,
    extra: &[&str],
) -> (common::Peer, Result<Served, Error>) {
    let (port, task) = echo_server(config).await;
    let mut c = common::gnutls_cli(port, extra);
    // gnutls-cli keeps reading after stdin EOF until our close_notify.
    c.write(b"hello from gnutls-cli\n");
    c.close_stdin();
    let status = c.wait_exit(common::TIMEOUT).await;
    assert!(
        status.is_some(),
        "gnutls-cli did not exit:\n{}",
        c.describe()
    );
    (c, task.await.unwrap())
}

#[tokio::test]
async fn server_required_gnutls_cli_with_certificate() {
    if !common::require("gnutls-cli") {
        return;
    }
    common::bounded(async {
        let chain = common::cert_arg("client.pem");
        let key = common::cert_arg("client.key");
        let (mut c, served) = gnutls_cli_against(
            server_config(Mode::Required("ca.pem"), false),
            &["--x509certfile", &chain, "--x509keyfile", &key],
        )
        .await;
        let served = served.unwrap_or_else(|e| panic!("our server: {e}\n{}", c.describe()));
        assert!(c.try_status().unwrap().success(), "{}", c.describe());
        assert_eq!(c.stdout_bytes(), b"hello from gnutls-cli\n");
        assert_eq!(served.echoed, b"hello from gnutls-cli\n");
        assert_eq!(served.client_chain, 2, "client leaf + intermediate");
        assert_eq!(served.version, Some(ProtocolVersion::TLSv1_3));
    })
    .await;
}

#[tokio::test]
async fn server_required_gnutls_cli_without_certificate() {
    if !common::require("gnutls-cli") {
        return;
    }
    common::bounded(async {
        let (mut c, served) =
            gnutls_cli_against(server_config(Mode::Required("ca.pem"), false), &[]).await;
        let err = match served {
            Ok(s) => panic!("our server accepted: {s:?}\n{}", c.describe()),
            Err(e) => e,
        };
        assert_protocol_alert(&err, AlertDescription::CertificateRequired);
        assert!(!c.try_status().unwrap().success(), "{}", c.describe());
        assert!(c.stdout_bytes().is_empty(), "{}", c.describe());
        assert!(
            c.log_text()
                .contains("*** Received alert [116]: Certificate is required"),
            "{}",
            c.describe()
        );
    })
    .await;
}

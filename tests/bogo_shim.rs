//! The BoGo shim (examples/bogo_shim) driven the way BoringSSL's runner
//! drives it: a TCP listener, the 8-byte shim ID, then real TLS with a
//! rustls peer (tokio-rustls), the XOR-0xff echo and close_notify.
//!
//! The binary is target/<profile>/examples/bogo_shim; the first test to need
//! it runs `cargo build --examples` once, as tests/examples_cli.rs does.

mod example_bin;

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use rustls::crypto::aws_lc_rs as aws;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{HandshakeKind, SupportedProtocolVersion};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;

/// The bound on every wait in this file.
const TIMEOUT: Duration = Duration::from_secs(20);

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

fn cert(name: &str) -> String {
    format!("{MANIFEST_DIR}/certs/{name}")
}

// ---------------------------------------------------------------------------
// Building and running the shim

fn shim_path() -> PathBuf {
    example_bin::example("bogo_shim")
}

/// A running shim, killed when dropped (tokio's kill_on_drop).
struct Shim(tokio::process::Child);

struct Exit {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Shim {
    fn start(args: &[&str]) -> Shim {
        let child = tokio::process::Command::new(shim_path())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn shim");
        Shim(child)
    }

    /// Waits (bounded) for the shim to exit.
    async fn finish(self) -> Exit {
        let out = timeout(TIMEOUT, self.0.wait_with_output())
            .await
            .expect("shim did not exit in time")
            .expect("wait for shim");
        Exit {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    async fn expect_success(self) {
        let e = self.finish().await;
        assert_eq!(e.code, Some(0), "shim failed: {}", e.stderr);
        assert!(e.stderr.is_empty(), "stderr on success: {}", e.stderr);
    }

    /// Waits for the shim to fail as a test does (exit 1) saying `why` on
    /// stderr.
    async fn expect_failure(self, why: &str) {
        let e = self.finish().await;
        assert_eq!(e.code, Some(1), "stderr: {}", e.stderr);
        assert!(e.stderr.contains(why), "no {why:?} in stderr: {}", e.stderr);
    }
}

/// Starts the shim against a fresh listener, the runner's way.
async fn start_with_listener(args: &[&str]) -> (TcpListener, Shim) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port().to_string();
    let mut all = vec!["-port", port.as_str(), "-shim-id", "1234"];
    all.extend_from_slice(args);
    let shim = Shim::start(&all);
    (listener, shim)
}

/// A client shim trusting certs/ca.pem and connecting to `localhost`, with
/// `extra` flags, against a fresh listener.
async fn start_client_shim(extra: &[&str]) -> (TcpListener, Shim) {
    let ca = cert("ca.pem");
    let mut args = vec!["-trust-cert", ca.as_str(), "-host-name", "localhost"];
    args.extend_from_slice(extra);
    start_with_listener(&args).await
}

/// A server shim presenting certs/server.pem, with `extra` flags, against a
/// fresh listener.
async fn start_server_shim(extra: &[&str]) -> (TcpListener, Shim) {
    let (cert_file, key_file) = (cert("server.pem"), cert("server.key"));
    let mut args = vec!["-server", "-cert-file", &cert_file, "-key-file", &key_file];
    args.extend_from_slice(extra);
    start_with_listener(&args).await
}

/// Accepts the shim's connection and checks its 8-byte little-endian ID.
async fn accept_shim(listener: &TcpListener) -> TcpStream {
    let (mut tcp, _) = timeout(TIMEOUT, listener.accept())
        .await
        .expect("shim did not connect in time")
        .expect("accept");
    let mut id = [0u8; 8];
    timeout(TIMEOUT, tcp.read_exact(&mut id))
        .await
        .expect("shim ID in time")
        .expect("read shim ID");
    assert_eq!(u64::from_le_bytes(id), 1234);
    tcp
}

// ---------------------------------------------------------------------------
// The rustls peer

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(aws::default_provider())
}

fn rustls_server(versions: &[&'static SupportedProtocolVersion]) -> tokio_rustls::TlsAcceptor {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert("server.pem"))
        .expect("server.pem")
        .collect::<Result<_, _>>()
        .expect("server.pem");
    let key = PrivateKeyDer::from_pem_file(cert("server.key")).expect("server.key");
    let c = rustls::ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(versions)
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("server cert");
    tokio_rustls::TlsAcceptor::from(Arc::new(c))
}

fn rustls_client(alpn: &[&str]) -> tokio_rustls::TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(cert("ca.pem")).expect("ca.pem") {
        roots.add(c.expect("ca.pem")).expect("add root");
    }
    let mut c = rustls::ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(rustls::ALL_VERSIONS)
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    c.alpn_protocols = alpn.iter().map(|p| p.as_bytes().to_vec()).collect();
    tokio_rustls::TlsConnector::from(Arc::new(c))
}

/// The runner's side of the echo: data out, XOR-0xff data back, then
/// close_notify and the shim's close_notify in return.
async fn echo_and_close<S: AsyncRead + AsyncWrite + Unpin>(tls: &mut S) {
    let data: Vec<u8> = (0..3000u32).map(|i| (i * 7) as u8).collect();
    timeout(TIMEOUT, async {
        tls.write_all(&data).await.expect("write");
        tls.flush().await.expect("flush");
        let mut back = vec![0u8; data.len()];
        tls.read_exact(&mut back).await.expect("read echo");
        let want: Vec<u8> = data.iter().map(|b| b ^ 0xff).collect();
        assert_eq!(back, want, "echo is not XOR 0xff");
        tls.shutdown().await.expect("close_notify");
        let mut rest = Vec::new();
        tls.read_to_end(&mut rest)
            .await
            .expect("shim's close_notify");
        assert!(rest.is_empty(), "unexpected data after the echo");
    })
    .await
    .expect("echo timed out");
}

/// The rustls server's handshake with the shim, bounded; panics if it fails.
async fn rustls_accept(
    acceptor: &tokio_rustls::TlsAcceptor,
    tcp: TcpStream,
) -> tokio_rustls::server::TlsStream<TcpStream> {
    timeout(TIMEOUT, acceptor.accept(tcp))
        .await
        .expect("handshake in time")
        .expect("rustls accept")
}

/// The rustls client's handshake with the shim as `localhost`, bounded;
/// panics if it fails.
async fn rustls_connect(
    connector: &tokio_rustls::TlsConnector,
    tcp: TcpStream,
) -> tokio_rustls::client::TlsStream<TcpStream> {
    let name = ServerName::try_from("localhost").expect("name");
    timeout(TIMEOUT, connector.connect(name, tcp))
        .await
        .expect("handshake in time")
        .expect("rustls connect")
}

/// Connection `i` of a resumption run: the first is full, the rest resumed.
fn assert_full_then_resumed(kind: Option<HandshakeKind>, i: usize) {
    let want = if i == 0 {
        HandshakeKind::Full
    } else {
        HandshakeKind::Resumed
    };
    assert_eq!(kind, Some(want), "connection {i}");
}

async fn expect_hello<S: AsyncRead + Unpin>(tls: &mut S) {
    let mut hello = [0u8; 5];
    timeout(TIMEOUT, tls.read_exact(&mut hello))
        .await
        .expect("hello in time")
        .expect("read hello");
    assert_eq!(&hello, b"hello");
}

// ---------------------------------------------------------------------------
// Cases

#[tokio::test]
async fn handshaker_is_not_supported() {
    let e = Shim::start(&["-is-handshaker-supported"]).finish().await;
    assert_eq!(e.code, Some(0), "{}", e.stderr);
    assert_eq!(e.stdout.trim_end(), "No");
    assert!(e.stderr.is_empty());
}

#[tokio::test]
async fn unknown_flag_is_unimplemented() {
    for args in [
        &["-port", "1", "-no-such-flag"][..],
        // Known, but lctls cannot honour it: signing with RSA PKCS#1 SHA-1.
        &["-port", "1", "-signing-prefs", "513"][..],
        // TLS 1.1 only.
        &["-port", "1", "-max-version", "770"][..],
        // A configuration-level flag for the resumed connection only: the
        // connections share one lctls configuration.
        &[
            "-port",
            "1",
            "-resume-count",
            "1",
            "-on-resume-max-version",
            "771",
        ][..],
        &[
            "-port",
            "1",
            "-resume-count",
            "1",
            "-on-initial-curves",
            "23",
        ][..],
        // Cipher strings naming suites lctls refuses by design, or groups
        // of equal preference.
        &["-port", "1", "-cipher", "TLS_RSA_WITH_AES_128_CBC_SHA"][..],
        &["-port", "1", "-cipher", "ALL:3DES"][..],
        &["-port", "1", "-cipher", "[AES128|CHACHA20]"][..],
        // A key share for a group lctls does not implement (Kyber's draft).
        &["-port", "1", "-key-shares", "25497"][..],
    ] {
        let e = Shim::start(args).finish().await;
        assert_eq!(e.code, Some(89), "{args:?}: {}", e.stderr);
        assert!(e.stdout.is_empty() && e.stderr.is_empty(), "{args:?}");
    }
}

async fn client_shim(extra: &[&str], writes_first: bool) {
    let (listener, shim) = start_client_shim(extra).await;
    let tcp = accept_shim(&listener).await;
    let mut tls = rustls_accept(&rustls_server(rustls::ALL_VERSIONS), tcp).await;
    assert_eq!(tls.get_ref().1.server_name(), Some("localhost"));
    if writes_first {
        expect_hello(&mut tls).await;
    }
    echo_and_close(&mut tls).await;
    shim.expect_success().await;
}

#[tokio::test]
async fn client_echo() {
    client_shim(&[], false).await;
}

#[tokio::test]
async fn client_key_shares() {
    client_shim(
        &["-curves", "23", "-curves", "29", "-key-shares", "23"],
        false,
    )
    .await;
    client_shim(&["-key-shares", "29"], false).await;
    // A share for the second group, two shares, none (rustls retries), and
    // a server hint.
    client_shim(
        &["-curves", "29", "-curves", "23", "-key-shares", "23"],
        false,
    )
    .await;
    client_shim(&["-key-shares", "4588", "-key-shares", "29"], false).await;
    client_shim(&["-no-key-shares"], false).await;
    client_shim(&["-server-supported-groups-hint", "23"], false).await;
}

#[tokio::test]
async fn client_writes_first() {
    client_shim(&["-shim-writes-first"], true).await;
}

#[tokio::test]
async fn client_tls12_echo() {
    client_shim(&["-max-version", "771", "-expect-version", "771"], false).await;
}

/// rustls always negotiates the extended master secret in TLS 1.2, and TLS
/// 1.3 has it built in: the shim's check passes both ways.
#[tokio::test]
async fn client_expects_extended_master_secret() {
    client_shim(
        &["-max-version", "771", "-expect-extended-master-secret"],
        false,
    )
    .await;
    client_shim(&["-expect-extended-master-secret"], false).await;
}

#[tokio::test]
async fn client_checks_negotiation() {
    // server.pem is ECDSA P-256: ecdsa_secp256r1_sha256 is 0x0403 = 1027.
    client_shim(
        &[
            "-curves",
            "23",
            "-expect-curve-id",
            "23",
            "-expect-peer-signature-algorithm",
            "1027",
            "-advertise-alpn",
            "\x03foo",
            "-key-update",
            "-async",
        ],
        false,
    )
    .await;
}

/// Runs the server shim with `extra` flags against a rustls client offering
/// `alpn`, for 1 + `-resume-count` connections.
async fn server_shim(extra: &[&str], alpn: &[&str]) {
    let (listener, shim) = start_server_shim(extra).await;
    let value = |flag: &str| {
        let i = extra.iter().position(|a| *a == flag)?;
        extra.get(i + 1).copied()
    };
    let resumes: usize = value("-resume-count").map_or(0, |n| n.parse().expect("count"));
    let export: Option<usize> = value("-export-keying-material").map(|n| n.parse().expect("n"));
    let connector = rustls_client(alpn);
    for i in 0..=resumes {
        let tcp = accept_shim(&listener).await;
        let mut tls = rustls_connect(&connector, tcp).await;
        assert_full_then_resumed(tls.get_ref().1.handshake_kind(), i);
        // The order of BoringSSL's shim: exporter output, then "hello", then the echo.
        if let Some(n) = export {
            let mut got = vec![0u8; n];
            timeout(TIMEOUT, tls.read_exact(&mut got))
                .await
                .expect("exporter output in time")
                .expect("read exporter output");
            let label = value("-export-label").unwrap_or("").as_bytes();
            let context = extra
                .contains(&"-use-export-context")
                .then(|| value("-export-context").unwrap_or("").as_bytes());
            let want = tls
                .get_ref()
                .1
                .export_keying_material(vec![0u8; n], label, context)
                .expect("rustls exporter");
            assert_eq!(got, want, "exported keying material differs");
        }
        if extra.contains(&"-shim-writes-first") {
            expect_hello(&mut tls).await;
        }
        echo_and_close(&mut tls).await;
    }
    shim.expect_success().await;
}

#[tokio::test]
async fn server_echo() {
    server_shim(&[], &[]).await;
}

#[tokio::test]
async fn server_writes_first() {
    server_shim(&["-shim-writes-first"], &[]).await;
}

#[tokio::test]
async fn server_tls12_resumption() {
    // The shim checks that the second connection resumed; rustls checks too.
    server_shim(&["-max-version", "771", "-resume-count", "1"], &[]).await;
}

#[tokio::test]
async fn server_tls13_resumption() {
    server_shim(&["-resume-count", "2"], &[]).await;
}

#[tokio::test]
async fn client_tls12_resumption() {
    client_resumption("771", &[&rustls::version::TLS12]).await;
}

#[tokio::test]
async fn client_tls13_resumption() {
    client_resumption("772", &[&rustls::version::TLS13]).await;
}

async fn client_resumption(max_version: &str, versions: &[&'static SupportedProtocolVersion]) {
    client_resumption_with(max_version, versions, &[]).await;
}

async fn client_resumption_with(
    max_version: &str,
    versions: &[&'static SupportedProtocolVersion],
    extra: &[&str],
) {
    let mut args = vec!["-max-version", max_version, "-resume-count", "1"];
    args.extend_from_slice(extra);
    let (listener, shim) = start_client_shim(&args).await;
    let acceptor = rustls_server(versions);
    for i in 0..2 {
        let tcp = accept_shim(&listener).await;
        let mut tls = rustls_accept(&acceptor, tcp).await;
        assert_full_then_resumed(tls.get_ref().1.handshake_kind(), i);
        echo_and_close(&mut tls).await;
    }
    shim.expect_success().await;
}

#[tokio::test]
async fn server_alpn_exporter_and_checks() {
    server_shim(
        &[
            "-select-alpn",
            "bar",
            "-expect-alpn",
            "bar",
            "-curves",
            "29",
            "-expect-curve-id",
            "29",
            "-expect-version",
            "772",
            "-expect-no-hrr",
            "-export-keying-material",
            "32",
            "-export-label",
            "label",
            "-export-context",
            "ctx",
            "-use-export-context",
            "-shim-writes-first",
        ],
        &["foo", "bar"],
    )
    .await;
}

#[tokio::test]
async fn server_tls12_exporter_without_context() {
    server_shim(
        &[
            "-max-version",
            "771",
            "-export-keying-material",
            "20",
            "-export-label",
            "EXPORTER-test",
            "-export-context",
            "ignored without -use-export-context",
        ],
        &[],
    )
    .await;
}

#[tokio::test]
async fn expected_failure_names_the_error() {
    let (listener, shim) = start_client_shim(&["-max-version", "771"]).await;
    let tcp = accept_shim(&listener).await;
    let acceptor = rustls_server(&[&rustls::version::TLS13]);
    let r = timeout(TIMEOUT, acceptor.accept(tcp))
        .await
        .expect("handshake in time");
    assert!(
        r.is_err(),
        "a TLS 1.2-only client must not reach a TLS 1.3-only server"
    );
    shim.expect_failure(":TLSV1_ALERT_PROTOCOL_VERSION:").await;
}

#[tokio::test]
async fn failed_expectation_exits_1() {
    let (listener, shim) = start_client_shim(&["-curves", "23", "-expect-curve-id", "29"]).await;
    let tcp = accept_shim(&listener).await;
    let acceptor = rustls_server(rustls::ALL_VERSIONS);
    let tls = timeout(TIMEOUT, acceptor.accept(tcp))
        .await
        .expect("handshake in time");
    shim.expect_failure("-expect-curve-id 29").await;
    drop(tls);
}

#[tokio::test]
async fn server_tls13_exporter_empty_label_without_context() {
    // BoGo's ExportKeyingMaterial-NoContext-TLS-TLS13 passes an empty label.
    server_shim(&["-export-keying-material", "32", "-export-label", ""], &[]).await;
}

#[tokio::test]
async fn empty_trust_cert_means_no_roots() {
    // BoGo passes `-trust-cert ""` for a credential without a root
    // (GarbageCertificate-*): no roots, not a file named "".
    let (listener, shim) =
        start_with_listener(&["-trust-cert", "", "-host-name", "localhost"]).await;
    let tcp = accept_shim(&listener).await;
    let mut tls = rustls_accept(&rustls_server(rustls::ALL_VERSIONS), tcp).await;
    echo_and_close(&mut tls).await;
    shim.expect_success().await;
}

#[tokio::test]
async fn failure_alert_reaches_a_peer_that_keeps_writing() {
    // The runner often goes on writing after the shim has failed. A shim that
    // exits at once resets the connection: the runner's next write gets
    // "broken pipe" and it never reads the alert. The shim must half-close
    // and drain instead, so the peer's writes succeed and the alert arrives.
    let (listener, shim) = start_server_shim(&[]).await;
    let mut tcp = accept_shim(&listener).await;
    // A record of content type 0x63: not TLS at all.
    tcp.write_all(&[0x63, 0x03, 0x03, 0x00, 0x01, 0x00])
        .await
        .expect("write garbage");
    // Long enough for the shim to fail, send its alert and (before the fix) exit.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let junk = vec![0x17u8; 16 * 1024];
    for i in 0..2 {
        timeout(TIMEOUT, tcp.write_all(&junk))
            .await
            .expect("write in time")
            .unwrap_or_else(|e| panic!("write {i} after the shim failed: {e}"));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tcp.shutdown().await.expect("half-close");
    let mut got = Vec::new();
    timeout(TIMEOUT, tcp.read_to_end(&mut got))
        .await
        .expect("read in time")
        .expect("read the shim's alert, then its FIN");
    // One plaintext fatal alert record: 21, version, length 2, level 2.
    assert!(
        got.len() == 7 && got[0] == 0x15 && got[3..5] == [0, 2] && got[5] == 2,
        "{got:02x?}"
    );
    shim.expect_failure("(sent alert").await;
}

#[tokio::test]
async fn prefixed_flag_applies_to_its_connection_only() {
    // BoringSSL's -on-initial-/-on-resume- prefixes: an -expect-curve-id that
    // the handshake cannot meet fails the resumed connection only, so the
    // initial one completes its echo, and the shim then fails saying why.
    let (listener, shim) = start_server_shim(&[
        "-resume-count",
        "1",
        // X25519MLKEM768, the group rustls and lctls agree on by default.
        "-on-initial-expect-curve-id",
        "4588",
        "-on-resume-expect-curve-id",
        "23",
    ])
    .await;
    let connector = rustls_client(&[]);
    let tcp = accept_shim(&listener).await;
    let mut tls = rustls_connect(&connector, tcp).await;
    echo_and_close(&mut tls).await;
    let tcp = accept_shim(&listener).await;
    let name = ServerName::try_from("localhost").expect("name");
    let tls = timeout(TIMEOUT, connector.connect(name, tcp))
        .await
        .expect("handshake in time");
    shim.expect_failure("-expect-curve-id 23: negotiated Some(4588)")
        .await;
    drop(tls);
}

#[tokio::test]
async fn client_verify_fail_soft_and_hard() {
    // Without -verify-peer a refusal is only recorded (-expect-verify-result
    // checks it), across a resumption too.
    client_resumption_with(
        "772",
        &[&rustls::version::TLS13],
        &["-verify-fail", "-expect-verify-result"],
    )
    .await;
    // With -verify-peer it is fatal, with the alert of BoringSSL's callback:
    // handshake_failure from the legacy one, certificate_unknown from the
    // custom one.
    for (extra, want) in [
        (
            &["-verify-peer", "-verify-fail"][..],
            rustls::AlertDescription::HandshakeFailure,
        ),
        (
            &[
                "-verify-peer",
                "-verify-fail",
                "-use-custom-verify-callback",
            ][..],
            rustls::AlertDescription::CertificateUnknown,
        ),
    ] {
        let (listener, shim) = start_client_shim(extra).await;
        let tcp = accept_shim(&listener).await;
        let r = timeout(TIMEOUT, async {
            let mut tls = rustls_server(rustls::ALL_VERSIONS).accept(tcp).await?;
            let mut buf = [0u8; 16];
            tls.read(&mut buf).await
        })
        .await
        .expect("in time");
        let alert = r.err().and_then(|e| match e.get_ref()?.downcast_ref() {
            Some(rustls::Error::AlertReceived(a)) => Some(*a),
            _ => None,
        });
        assert_eq!(alert, Some(want), "{extra:?}");
        shim.expect_failure(":CERTIFICATE_VERIFY_FAILED:").await;
    }
}

#[tokio::test]
async fn server_tls12_ticket_session_has_no_session_id() {
    // rustls takes tickets: the session is resumed by ticket, not cached by ID.
    server_shim(
        &[
            "-max-version",
            "771",
            "-resume-count",
            "1",
            "-expect-no-session-id",
        ],
        &[],
    )
    .await;
}

#[tokio::test]
async fn client_cipher_string_restricts_tls12_suites() {
    // BoringSSL's "DEFAULT:!AES" leaves lctls's ChaCha20 suites (the server key is ECDSA).
    let (listener, shim) =
        start_client_shim(&["-max-version", "771", "-cipher", "DEFAULT:!AES"]).await;
    let tcp = accept_shim(&listener).await;
    let mut tls = rustls_accept(&rustls_server(rustls::ALL_VERSIONS), tcp).await;
    assert_eq!(
        tls.get_ref().1.negotiated_cipher_suite().map(|s| s.suite()),
        Some(rustls::CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256)
    );
    echo_and_close(&mut tls).await;
    shim.expect_success().await;
}

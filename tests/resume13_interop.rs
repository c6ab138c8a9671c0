//! TLS 1.3 resumption (RFC 8446 section 2.2) against OpenSSL and GnuTLS: our
//! server with `openssl s_client -sess_out/-sess_in` and `gnutls-cli
//! --resume`, our client with `openssl s_server` (stateless and stateful
//! tickets, and across a HelloRetryRequest) and `gnutls-serv`.
//!
//! See `tests/common/mod.rs` for how the external tools behave.

mod common;

use std::sync::Arc;
use std::time::Duration;

use lctls::config::{ClientConfig, ServerConfig, ServerConfigBuilder};
use lctls::proto::enums::{NamedGroup, ProtocolVersion};
use lctls::{TlsConnector, TlsStream};
use tokio::net::TcpStream;

const TLS13: &[ProtocolVersion] = &[ProtocolVersion::TLSv1_3];

fn client_config() -> Arc<ClientConfig> {
    Arc::new(
        ClientConfig::builder()
            .with_root_store(common::ca_roots())
            .with_protocol_versions(TLS13)
            .build()
            .unwrap(),
    )
}

fn server_config(f: impl FnOnce(ServerConfigBuilder) -> ServerConfigBuilder) -> Arc<ServerConfig> {
    let b = ServerConfig::builder()
        .with_certified_key(common::certified("server"))
        .with_protocol_versions(TLS13);
    Arc::new(f(b).build().unwrap())
}

async fn connect(cfg: &Arc<ClientConfig>, port: u16) -> TlsStream<TcpStream> {
    let tls = common::connect_tcp(&TlsConnector::from(cfg.clone()), port)
        .await
        .unwrap();
    assert_eq!(tls.protocol_version(), Some(ProtocolVersion::TLSv1_3));
    tls
}

// ---------------------------------------------------------------------------
// Our server

struct Served {
    resumed: bool,
    retried: bool,
    echoed: Vec<u8>,
}

/// Our echo server for `n` sequential connections on a fresh loopback port.
async fn echo_server(
    config: Arc<ServerConfig>,
    n: usize,
) -> (u16, tokio::task::JoinHandle<std::io::Result<Vec<Served>>>) {
    common::echo_server(config, n, |tls, echoed| Served {
        resumed: tls.negotiated().resumed,
        retried: tls.negotiated().retried,
        echoed,
    })
    .await
}

/// A non-quiet TLS 1.3 s_client (it prints `New,` / `Reused,`) sends `line`,
/// waits for the echo (by then it has read our NewSessionTicket, which comes
/// before the echo), closes; returns its stdout.
async fn s_client_session(port: u16, extra: &[&str], line: &[u8]) -> String {
    common::s_client_session(port, "-tls1_3", extra, line).await
}

fn sess_path(tag: &str, port: u16) -> String {
    common::session_file("tls13-sess", tag, port)
}

#[tokio::test]
async fn server_resumption_with_s_client() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(async {
        // SHA-384 and SHA-256 PSKs (binder, resumption secret).
        for suite in [
            "TLS_AES_256_GCM_SHA384",
            "TLS_AES_128_GCM_SHA256",
            "TLS_CHACHA20_POLY1305_SHA256",
        ] {
            let suites = ["-ciphersuites", suite];
            let (port, task) = echo_server(server_config(|b| b), 2).await;
            let sess = sess_path("s_client", port);
            let mut extra = vec!["-sess_out", &sess];
            extra.extend_from_slice(&suites);
            let out = s_client_session(port, &extra, b"first\n").await;
            assert!(
                out.contains(&format!("New, TLSv1.3, Cipher is {suite}")),
                "{out}"
            );
            assert!(
                out.contains("Post-Handshake New Session Ticket arrived"),
                "{out}"
            );
            let mut extra = vec!["-sess_in", &sess];
            extra.extend_from_slice(&suites);
            let out = s_client_session(port, &extra, b"second\n").await;
            assert!(
                out.contains(&format!("Reused, TLSv1.3, Cipher is {suite}")),
                "{out}"
            );
            let served = task.await.unwrap().expect("our server");
            assert!(!served[0].resumed);
            assert_eq!(served[0].echoed, b"first\n");
            assert!(served[1].resumed, "{suite}: our server did not resume");
            assert!(!served[1].retried);
            assert_eq!(served[1].echoed, b"second\n");
            let _ = std::fs::remove_file(&sess);
        }
    })
    .await;
}

/// A ticket is resumed only at its own cipher suite: offered a
/// TLS_CHACHA20_POLY1305_SHA256 ticket by a client that now offers only
/// TLS_AES_128_GCM_SHA256 (the same hash, which RFC 8446 section 4.2.11
/// would allow), our server does a full handshake, as BoringSSL does
/// (BoGo Resume-Server-UnofferedCipher-TLS13).
#[tokio::test]
async fn server_does_not_resume_a_ticket_at_another_suite() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(async {
        let (port, task) = echo_server(server_config(|b| b), 2).await;
        let sess = sess_path("other-suite", port);
        let first = [
            "-sess_out",
            &sess,
            "-ciphersuites",
            "TLS_CHACHA20_POLY1305_SHA256",
        ];
        let out = s_client_session(port, &first, b"first\n").await;
        assert!(
            out.contains("New, TLSv1.3, Cipher is TLS_CHACHA20"),
            "{out}"
        );
        let second = ["-sess_in", &sess, "-ciphersuites", "TLS_AES_128_GCM_SHA256"];
        let out = s_client_session(port, &second, b"second\n").await;
        assert!(
            out.contains("New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256"),
            "{out}"
        );
        let served = task.await.unwrap().expect("our server");
        assert!(!served[0].resumed);
        assert!(!served[1].resumed, "resumed at another suite");
        assert_eq!(served[1].echoed, b"second\n");
        let _ = std::fs::remove_file(&sess);
    })
    .await;
}

/// Our server takes only P-384, s_client sends an X25519 share: both
/// connections go through a HelloRetryRequest, and the second still resumes.
#[tokio::test]
async fn server_resumption_with_s_client_after_hello_retry_request() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(async {
        let cfg = server_config(|b| b.with_groups(&[NamedGroup::secp384r1]));
        let (port, task) = echo_server(cfg, 2).await;
        let sess = sess_path("s_client-hrr", port);
        let out = s_client_session(port, &["-sess_out", &sess], b"first\n").await;
        assert!(out.contains("New, TLSv1.3"), "{out}");
        let out = s_client_session(port, &["-sess_in", &sess], b"second\n").await;
        assert!(out.contains("Reused, TLSv1.3"), "{out}");
        let served = task.await.unwrap().expect("our server");
        assert!(served[0].retried && !served[0].resumed);
        assert!(served[1].retried, "no HelloRetryRequest");
        assert!(served[1].resumed, "our server did not resume after the HRR");
        assert_eq!(served[1].echoed, b"second\n");
        let _ = std::fs::remove_file(&sess);
    })
    .await;
}

/// A server `with_tickets(false)` sends no NewSessionTicket, so s_client has
/// no session to save; offered a ticket from another server, it does a full
/// handshake.
#[tokio::test]
async fn server_without_tickets_is_not_resumed_by_s_client() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(async {
        let (port, task) = echo_server(server_config(|b| b.with_tickets(false)), 2).await;
        let sess = sess_path("no-tickets", port);
        let out = s_client_session(port, &["-sess_out", &sess], b"first\n").await;
        assert!(out.contains("New, TLSv1.3"), "{out}");
        assert!(!out.contains("New Session Ticket"), "{out}");
        assert!(
            !std::path::Path::new(&sess).exists(),
            "s_client saved a session without a ticket"
        );
        // A genuine ticket, but from another server (other ticket keys).
        let (other, other_task) = echo_server(server_config(|b| b), 1).await;
        s_client_session(other, &["-sess_out", &sess], b"other\n").await;
        other_task.await.unwrap().expect("other server");
        let out = s_client_session(port, &["-sess_in", &sess], b"second\n").await;
        assert!(out.contains("New, TLSv1.3"), "{out}");
        assert!(!out.contains("Reused,"), "{out}");
        let served = task.await.unwrap().expect("our server");
        assert!(!served[0].resumed);
        assert!(!served[1].resumed, "resumed without tickets");
        assert_eq!(served[1].echoed, b"second\n");
        let _ = std::fs::remove_file(&sess);
    })
    .await;
}

#[tokio::test]
async fn server_resumption_with_gnutls_cli() {
    if !common::require("gnutls-cli") {
        return;
    }
    common::bounded(async {
        let (port, task) = echo_server(server_config(|b| b), 2).await;
        let mut c = common::gnutls_cli(port, &["--resume"]);
        c.write(b"again\n");
        c.close_stdin();
        let status = c.wait_exit(common::TIMEOUT).await.expect("gnutls-cli exit");
        assert!(status.success(), "gnutls-cli failed:\n{}", c.describe());
        let log = c.log_text() + &c.stdout_text();
        assert!(
            log.contains("This is a resumed session"),
            "not resumed:\n{}",
            c.describe()
        );
        assert!(c.stdout_text().contains("again\n"), "{}", c.describe());
        let served = task.await.unwrap().expect("our server");
        assert!(!served[0].resumed);
        assert!(served[1].resumed, "our server did not resume");
        assert_eq!(served[1].echoed, b"again\n");
    })
    .await;
}

// ---------------------------------------------------------------------------
// Our client

/// `s_server -trace` prints a ServerHello that selects a PSK with
/// `extension_type=psk(41), length=2` (the ClientHello's offer is longer).
const SH_PSK: &str = "extension_type=psk(41), length=2\n";

/// A HelloRetryRequest is traced as a ServerHello with the special random
/// (RFC 8446 section 4.1.3), which starts with CF21AD74.
const HRR_RANDOM: &str = "gmt_unix_time=0xCF21AD74";

/// Waits for an `s_server -naccept N` to exit and returns its `-trace` output.
async fn s_server_trace(srv: &mut common::Peer) -> String {
    let status = srv.wait_exit(common::TIMEOUT).await;
    assert!(
        status.is_some_and(|s| s.success()),
        "s_server did not exit:\n{}",
        srv.describe()
    );
    srv.stdout_text()
}

/// Waits until `peer`'s stdout holds `needle` at least `n` times; returns the
/// count then (or at the timeout).
async fn wait_count(peer: &mut common::Peer, needle: &str, n: usize) -> usize {
    let end = std::time::Instant::now() + common::TIMEOUT;
    loop {
        let got = peer.stdout_text().matches(needle).count();
        if got >= n || std::time::Instant::now() >= end {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn client_resumption_with_s_server() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(async {
        // s_server sends two stateless tickets by default; with -no_ticket,
        // TLS 1.3 OpenSSL sends stateful ones (a session ID in its cache),
        // which resume just the same.
        // -naccept: s_server exits after the three connections, which flushes
        // its (block-buffered) -trace output.
        for extra in [
            &["-trace", "-naccept", "3"][..],
            &["-trace", "-naccept", "3", "-no_ticket"][..],
            // A SHA-384 suite: the PSK binder and resumption secret use SHA-384.
            &[
                "-trace",
                "-naccept",
                "3",
                "-ciphersuites",
                "TLS_AES_256_GCM_SHA384",
            ][..],
        ] {
            let port = common::free_port();
            let mut srv = common::openssl_s_server(port, "server.pem", "server.key", extra);
            let cfg = client_config();
            let first = connect(&cfg, port).await;
            assert!(!first.negotiated().resumed);
            let suite = first.cipher_suite();
            common::reverse_roundtrip_and_close(first, "first").await;
            for line in ["second", "third"] {
                let next = connect(&cfg, port).await;
                assert!(
                    next.negotiated().resumed,
                    "{extra:?}: {line} connection not resumed"
                );
                assert!(!next.negotiated().retried);
                assert_eq!(next.cipher_suite(), suite, "resumed with the same suite");
                common::reverse_roundtrip_and_close(next, line).await;
            }
            // s_server's view: it selected our PSK in both later ServerHellos.
            let trace = s_server_trace(&mut srv).await;
            assert_eq!(trace.matches(SH_PSK).count(), 2, "{extra:?}");
            assert_eq!(trace.matches(HRR_RANDOM).count(), 0, "{extra:?}");
            // Stateful tickets are bare 32-byte session IDs; stateless ones
            // are encrypted sessions, much longer.
            let stateful = trace.contains("ticket (len=32): ");
            assert_eq!(stateful, extra.contains(&"-no_ticket"), "{extra:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn client_resumption_with_s_server_after_hello_retry_request() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(async {
        let port = common::free_port();
        let mut srv = common::openssl_s_server(
            port,
            "server.pem",
            "server.key",
            &["-groups", "P-384", "-trace", "-naccept", "2"],
        );
        let cfg = client_config();
        let first = connect(&cfg, port).await;
        assert!(first.negotiated().retried, "P-384 only: expected an HRR");
        assert!(!first.negotiated().resumed);
        common::reverse_roundtrip_and_close(first, "first").await;
        let second = connect(&cfg, port).await;
        assert!(second.negotiated().retried, "P-384 only: expected an HRR");
        assert!(second.negotiated().resumed, "not resumed after the HRR");
        assert_eq!(second.key_exchange_group(), Some(NamedGroup::secp384r1));
        common::reverse_roundtrip_and_close(second, "second").await;
        // s_server's view: two HelloRetryRequests, one PSK selected.
        let trace = s_server_trace(&mut srv).await;
        assert_eq!(trace.matches(HRR_RANDOM).count(), 2);
        assert_eq!(trace.matches(SH_PSK).count(), 1);
    })
    .await;
}

#[tokio::test]
async fn client_resumption_with_gnutls_serv() {
    if !common::require("gnutls-serv") {
        return;
    }
    common::bounded(async {
        let port = common::free_port();
        let mut srv =
            common::gnutls_serv(port, "server.pem", "server.key", &["--disable-client-cert"]);
        let cfg = client_config();
        let first = connect(&cfg, port).await;
        assert!(!first.negotiated().resumed);
        common::line_roundtrip_and_close(first, "first", "first").await;
        let second = connect(&cfg, port).await;
        assert!(second.negotiated().resumed, "not resumed");
        common::line_roundtrip_and_close(second, "second", "second").await;
        // gnutls-serv's view.
        assert_eq!(
            wait_count(&mut srv, "*** This is a resumed session", 1).await,
            1,
            "{}",
            srv.describe()
        );
    })
    .await;
}

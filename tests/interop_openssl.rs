//! Interop with OpenSSL: our client against `openssl s_server -tls1_3 -rev`,
//! our server against `openssl s_client -tls1_3`.
//!
//! See `tests/common/mod.rs` for how the two tools behave (line reversal,
//! s_client's stdin handling, KeyUpdate commands).

mod common;

use std::sync::Arc;
use std::time::Duration;

use lctls::config::{CertifiedKey, ServerConfig};
use lctls::pki::CertificateError;
use lctls::proto::enums::{AlertDescription, CipherSuite, NamedGroup};
use lctls::Error;

const SUITES: [(&str, CipherSuite); 3] = [
    (
        "TLS_AES_128_GCM_SHA256",
        CipherSuite::TLS13_AES_128_GCM_SHA256,
    ),
    (
        "TLS_AES_256_GCM_SHA384",
        CipherSuite::TLS13_AES_256_GCM_SHA384,
    ),
    (
        "TLS_CHACHA20_POLY1305_SHA256",
        CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
    ),
];

const GROUPS: [(&str, NamedGroup); 4] = [
    ("X25519", NamedGroup::X25519),
    ("P-256", NamedGroup::secp256r1),
    ("P-384", NamedGroup::secp384r1),
    ("P-521", NamedGroup::secp521r1),
];

fn server_config(cert: &str, key: &str, groups: Option<&[NamedGroup]>) -> Arc<ServerConfig> {
    let ck = CertifiedKey::from_pem_files(common::cert_path(cert), common::cert_path(key)).unwrap();
    let mut b = ServerConfig::builder().with_certified_key(ck);
    if let Some(g) = groups {
        b = b.with_groups(g);
    }
    Arc::new(b.build().unwrap())
}

// ---------------------------------------------------------------------------
// Our client against s_server

#[tokio::test]
async fn client_each_suite() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(async {
        for (name, suite) in SUITES {
            let port = common::free_port();
            let _srv = common::openssl_s_server(
                port,
                "server.pem",
                "server.key",
                &["-ciphersuites", name],
            );
            // Offer all suites: the server's restriction forces the choice.
            let tls = common::connect_tcp(&common::connector(|b| b), port)
                .await
                .unwrap();
            assert_eq!(tls.cipher_suite(), Some(suite), "{name}");
            assert_eq!(tls.key_exchange_group(), Some(NamedGroup::X25519));
            assert!(!tls.negotiated().retried);
            common::reverse_roundtrip_and_close(tls, &format!("suite {name} from lctls")).await;

            // And forced from our side against a server allowing all three.
            let port = common::free_port();
            let _srv = common::openssl_s_server(port, "server.pem", "server.key", &[]);
            let tls =
                common::connect_tcp(&common::connector(|b| b.with_cipher_suites(&[suite])), port)
                    .await
                    .unwrap();
            assert_eq!(tls.cipher_suite(), Some(suite), "{name} (ours)");
            common::reverse_roundtrip_and_close(tls, "forced by the client").await;
        }
    })
    .await;
}

#[tokio::test]
async fn client_each_group() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(async {
        for (name, group) in GROUPS {
            let port = common::free_port();
            let _srv =
                common::openssl_s_server(port, "server.pem", "server.key", &["-groups", name]);
            let tls = common::connect_tcp(&common::connector(|b| b.with_groups(&[group])), port)
                .await
                .unwrap();
            assert_eq!(tls.key_exchange_group(), Some(group), "{name}");
            assert!(!tls.negotiated().retried, "{name}: no HRR expected");
            common::reverse_roundtrip_and_close(tls, &format!("group {name}")).await;
        }
    })
    .await;
}

#[tokio::test]
async fn client_each_server_cert_type() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(async {
        for (cert, key) in common::SERVER_CERTS {
            let port = common::free_port();
            let srv = common::openssl_s_server(port, cert, key, &[]);
            let tls = match common::connect_tcp(&common::connector(|b| b), port).await {
                Ok(t) => t,
                Err(e) => {
                    let mut srv = srv;
                    panic!("{cert}: {e}\n{}", srv.describe());
                }
            };
            // Leaf + intermediate, as openssl_cert_args arranges.
            assert_eq!(tls.peer_certificates().len(), 2, "{cert}");
            assert_eq!(tls.protocol_version().map(u16::from), Some(0x0304));
            assert!(tls.cipher_suite().is_some(), "{cert}");
            assert_eq!(tls.key_exchange_group(), Some(NamedGroup::X25519), "{cert}");
            common::reverse_roundtrip_and_close(tls, &format!("certificate {cert}")).await;
        }
    })
    .await;
}

#[tokio::test]
async fn client_hello_retry_request() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(async {
        let port = common::free_port();
        let _srv =
            common::openssl_s_server(port, "server.pem", "server.key", &["-groups", "P-384"]);
        // Default groups: the first (and only) key share is X25519.
        let tls = common::connect_tcp(&common::connector(|b| b), port)
            .await
            .unwrap();
        assert!(tls.negotiated().retried, "expected a HelloRetryRequest");
        assert_eq!(tls.key_exchange_group(), Some(NamedGroup::secp384r1));
        common::reverse_roundtrip_and_close(tls, "after a retry").await;
    })
    .await;
}

#[tokio::test]
async fn client_alpn() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(async {
        let port = common::free_port();
        let _srv =
            common::openssl_s_server(port, "server.pem", "server.key", &["-alpn", "h2,http/1.1"]);
        let tls = common::connect_tcp(
            &common::connector(|b| b.with_alpn_protocols(&["http/1.1"])),
            port,
        )
        .await
        .unwrap();
        assert_eq!(tls.alpn_protocol(), Some(&b"http/1.1"[..]));
        common::reverse_roundtrip_and_close(tls, "GET / HTTP/1.1").await;
    })
    .await;
}

#[tokio::test]
async fn client_rejects_untrusted_server() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(async {
        let port = common::free_port();
        let mut srv = common::openssl_s_server(port, "untrusted.pem", "untrusted.key", &[]);
        let err = common::connect_tcp(&common::connector(|b| b), port)
            .await
            .expect_err("handshake with an untrusted server must fail");
        match Error::from_io(&err) {
            Some(Error::Certificate(CertificateError::UnknownIssuer { .. })) => {}
            other => panic!("expected Certificate(UnknownIssuer), got {other:?} ({err})"),
        }
        assert!(
            common::wait_stderr_contains(&mut srv, "alert unknown ca", common::TIMEOUT).await,
            "s_server did not report alert unknown ca:\n{}",
            srv.describe()
        );
    })
    .await;
}

// ---------------------------------------------------------------------------
// Our server against s_client

use common::Served;

/// Starts our echo server on a fresh loopback port for one connection. It
/// echoes everything until the client's close_notify (read returns 0), then
/// sends its own close_notify.
async fn echo_server(
    config: Arc<ServerConfig>,
) -> (u16, tokio::task::JoinHandle<std::io::Result<Served>>) {
    common::echo_server_once(config, common::served).await
}

/// Runs s_client against our echo server: one line, its echo, close.
async fn s_client_echo(config: Arc<ServerConfig>, extra: &[&str], line: &[u8]) -> Served {
    let (port, task) = echo_server(config).await;
    let mut c = common::openssl_s_client(port, extra);
    common::s_client_exchange(&mut c, line, line).await;
    let served = task.await.unwrap().expect("our server");
    assert_eq!(served.echoed, line);
    served
}

#[tokio::test]
async fn server_each_cert_type() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(async {
        for (cert, key) in common::SERVER_CERTS {
            let line = format!("hello from s_client, {cert}\n");
            let served = s_client_echo(server_config(cert, key, None), &[], line.as_bytes()).await;
            assert!(served.suite.is_some());
        }
    })
    .await;
}

#[tokio::test]
async fn server_each_suite() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(async {
        for (name, suite) in SUITES {
            let served = s_client_echo(
                server_config("server.pem", "server.key", None),
                &["-ciphersuites", name],
                b"suite line\n",
            )
            .await;
            assert_eq!(served.suite, Some(suite), "{name}");
        }
    })
    .await;
}

#[tokio::test]
async fn server_p256_share_accepted_directly() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(async {
        let served = s_client_echo(
            server_config("server.pem", "server.key", None),
            &["-groups", "P-256"],
            b"p-256 share\n",
        )
        .await;
        assert_eq!(served.group, Some(NamedGroup::secp256r1));
        assert!(!served.retried);
    })
    .await;
}

#[tokio::test]
async fn server_hello_retry_request() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(async {
        let served = s_client_echo(
            server_config("server.pem", "server.key", Some(&[NamedGroup::secp384r1])),
            &["-groups", "X25519:P-384"],
            b"after HRR\n",
        )
        .await;
        assert_eq!(served.group, Some(NamedGroup::secp384r1));
        assert!(served.retried, "expected a HelloRetryRequest");
    })
    .await;
}

#[tokio::test]
async fn server_key_update_from_s_client() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(async {
        let (port, task) = echo_server(server_config("server.pem", "server.key", None)).await;
        let mut c = common::openssl_s_client_with_commands(port, &[]);
        let pause = Duration::from_millis(250);
        let mut expect = Vec::new();
        for (i, cmd) in [b"k\n", b"K\n", b"k\n"].iter().enumerate() {
            let line = format!("line {i} before key update\n");
            c.write(line.as_bytes());
            expect.extend_from_slice(line.as_bytes());
            assert!(
                c.wait_stdout_contains(line.as_bytes(), common::TIMEOUT)
                    .await,
                "no echo of {line:?}:\n{}",
                c.describe()
            );
            tokio::time::sleep(pause).await;
            c.write(*cmd);
            tokio::time::sleep(pause).await;
        }
        let last = b"data after the key updates\n";
        c.write(last);
        expect.extend_from_slice(last);
        assert!(
            c.wait_stdout_contains(last, common::TIMEOUT).await,
            "no echo after KeyUpdate:\n{}",
            c.describe()
        );
        assert_eq!(c.stdout_bytes(), expect);
        c.close_stdin();
        let status = c.wait_exit(common::TIMEOUT).await.expect("s_client exit");
        assert!(status.success(), "s_client failed:\n{}", c.describe());
        let served = task.await.unwrap().expect("our server");
        assert_eq!(served.echoed, expect);
    })
    .await;
}

#[tokio::test]
async fn s_client_rejects_server_it_does_not_trust() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(async {
        let (port, task) = echo_server(server_config("server.pem", "server.key", None)).await;
        let mut c = common::openssl_s_client(port, &["-CAfile", &common::cert_arg("other-ca.pem")]);
        c.write(b"never echoed\n");
        let status = c.wait_exit(common::TIMEOUT).await.expect("s_client exit");
        assert!(!status.success(), "s_client accepted an untrusted server");
        assert!(
            c.stderr_text().contains("verify error"),
            "no verify error:\n{}",
            c.describe()
        );
        let err = task.await.unwrap().expect_err("our server must fail");
        match Error::from_io(&err) {
            Some(Error::AlertReceived(AlertDescription::UnknownCA)) => {}
            other => panic!("expected AlertReceived(unknown_ca), got {other:?} ({err})"),
        }
    })
    .await;
}

// ---------------------------------------------------------------------------
// Post-quantum defaults against OpenSSL 3.0, which has no ML-KEM group

/// Our default client lists X25519MLKEM768 first but also sends an X25519
/// share: OpenSSL 3.0 takes it, with no HelloRetryRequest.
#[tokio::test]
async fn pq_default_client_gets_x25519_from_openssl30_without_retry() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(async {
        let port = common::free_port();
        let _srv = common::openssl_s_server(port, "server.pem", "server.key", &[]);
        let tls = common::connect_tcp(&common::connector(|b| b), port)
            .await
            .unwrap();
        assert_eq!(tls.key_exchange_group(), Some(NamedGroup::X25519));
        assert!(!tls.negotiated().retried, "no HelloRetryRequest expected");
        common::reverse_roundtrip_and_close(tls, "pq client, classical server").await;
    })
    .await;
}

/// Our default server (hybrid first) meets a client without post-quantum
/// groups: it takes s_client's X25519 share, with no HelloRetryRequest.
#[tokio::test]
async fn pq_default_server_gets_x25519_from_openssl30_without_retry() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(async {
        let served = s_client_echo(
            server_config("server.pem", "server.key", None),
            &[],
            b"classical client\n",
        )
        .await;
        assert_eq!(served.group, Some(NamedGroup::X25519));
        assert!(!served.retried, "no HelloRetryRequest expected");
    })
    .await;
}

/// The server takes its own first group the client supports: s_client
/// predicts P-256 (the first of its list) but also supports X25519, which
/// our server prefers, so it asks for an X25519 share with a
/// HelloRetryRequest (OpenSSL 3.0 answers it).
#[tokio::test]
async fn pq_default_server_retries_for_its_preferred_x25519_over_a_p256_share() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(async {
        let served = s_client_echo(
            server_config("server.pem", "server.key", None),
            &["-groups", "P-256:X25519"],
            b"p-256 first\n",
        )
        .await;
        assert_eq!(served.group, Some(NamedGroup::X25519));
        assert!(served.retried, "a HelloRetryRequest for X25519 expected");
    })
    .await;
}

/// P-521 is opt-in: a server configured with it takes s_client's share.
#[tokio::test]
async fn server_p521_opt_in() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(async {
        let served = s_client_echo(
            server_config("server.pem", "server.key", Some(&[NamedGroup::secp521r1])),
            &["-groups", "P-521"],
            b"p-521\n",
        )
        .await;
        assert_eq!(served.group, Some(NamedGroup::secp521r1));
        assert!(!served.retried);
    })
    .await;
}

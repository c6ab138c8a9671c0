//! Interop with GnuTLS: our client against `gnutls-serv --echo`, our server
//! against `gnutls-cli`.
//!
//! See `tests/common/mod.rs` for how the two tools behave (line-based echo,
//! the default optional CertificateRequest, gnutls-cli's half-close).

mod common;

use std::sync::Arc;

use lctls::config::{CertifiedKey, ServerConfig};
use lctls::proto::enums::{CipherSuite, NamedGroup};
use lctls::{TlsConnector, TlsStream};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// GnuTLS cipher names and the suite they select in TLS 1.3.
const SUITES: [(&str, CipherSuite); 3] = [
    ("AES-128-GCM", CipherSuite::TLS13_AES_128_GCM_SHA256),
    ("AES-256-GCM", CipherSuite::TLS13_AES_256_GCM_SHA384),
    (
        "CHACHA20-POLY1305",
        CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
    ),
];

/// GnuTLS group names.
const GROUPS: [(&str, NamedGroup); 3] = [
    ("GROUP-X25519", NamedGroup::X25519),
    ("GROUP-SECP256R1", NamedGroup::secp256r1),
    ("GROUP-SECP384R1", NamedGroup::secp384r1),
];

fn suite_priority(cipher: &str) -> String {
    format!("{}:-CIPHER-ALL:+{cipher}", common::GNUTLS_TLS13)
}

fn group_priority(group: &str) -> String {
    format!("{}:-GROUP-ALL:+{group}", common::GNUTLS_TLS13)
}

fn server_config(cert: &str, key: &str) -> Arc<ServerConfig> {
    let ck = CertifiedKey::from_pem_files(common::cert_path(cert), common::cert_path(key)).unwrap();
    Arc::new(
        ServerConfig::builder()
            .with_certified_key(ck)
            .build()
            .unwrap(),
    )
}

/// Connects, panicking with the server's output on failure.
async fn connect_ok(c: &TlsConnector, srv: &mut common::Peer) -> TlsStream<TcpStream> {
    match common::connect_tcp(c, srv.port()).await {
        Ok(t) => t,
        Err(e) => panic!("handshake failed: {e}\n{}", srv.describe()),
    }
}

/// Sends two lines to `gnutls-serv --echo`, checks each comes back byte for
/// byte, then closes with close_notify and checks the server answers.
async fn echo_roundtrip_and_close(tls: TlsStream<TcpStream>, tag: &str) {
    let mut tls = BufReader::new(tls);
    for i in 0..2 {
        let line = format!("line {i} of {tag}\r\n");
        tls.get_mut().write_all(line.as_bytes()).await.unwrap();
        tls.get_mut().flush().await.unwrap();
        let mut got = String::new();
        tls.read_line(&mut got).await.unwrap();
        assert_eq!(got, line);
    }
    tls.get_mut().shutdown().await.unwrap();
    let mut rest = Vec::new();
    tls.read_to_end(&mut rest)
        .await
        .expect("gnutls-serv's close_notify");
    assert!(rest.is_empty(), "unexpected data after close: {rest:?}");
}

// ---------------------------------------------------------------------------
// Our client against gnutls-serv

#[tokio::test]
async fn client_each_suite() {
    if !common::require("gnutls-serv") {
        return;
    }
    common::bounded(async {
        for (name, suite) in SUITES {
            let port = common::free_port();
            let prio = suite_priority(name);
            let mut srv = common::gnutls_serv(
                port,
                "server.pem",
                "server.key",
                &["--disable-client-cert", "--priority", &prio],
            );
            let tls = connect_ok(&common::connector(|b| b), &mut srv).await;
            assert_eq!(tls.cipher_suite(), Some(suite), "{name}");
            echo_roundtrip_and_close(tls, name).await;
        }
    })
    .await;
}

#[tokio::test]
async fn client_each_group() {
    if !common::require("gnutls-serv") {
        return;
    }
    common::bounded(async {
        for (name, group) in GROUPS {
            let port = common::free_port();
            let prio = group_priority(name);
            let mut srv = common::gnutls_serv(
                port,
                "server.pem",
                "server.key",
                &["--disable-client-cert", "--priority", &prio],
            );
            // A share for exactly this group: no retry.
            let tls = connect_ok(&common::connector(|b| b.with_groups(&[group])), &mut srv).await;
            assert_eq!(tls.key_exchange_group(), Some(group), "{name}");
            assert!(!tls.negotiated().retried, "{name}");
            echo_roundtrip_and_close(tls, name).await;

            // Default groups: the X25519 share fits only the X25519 server;
            // the others ask for a retry.
            let tls = connect_ok(&common::connector(|b| b), &mut srv).await;
            assert_eq!(tls.key_exchange_group(), Some(group), "{name} (default)");
            assert_eq!(
                tls.negotiated().retried,
                group != NamedGroup::X25519,
                "{name}: HelloRetryRequest expected for non-X25519"
            );
            echo_roundtrip_and_close(tls, name).await;
        }
    })
    .await;
}

#[tokio::test]
async fn client_each_server_cert_type() {
    if !common::require("gnutls-serv") {
        return;
    }
    common::bounded(async {
        for (cert, key) in common::SERVER_CERTS {
            let port = common::free_port();
            let mut srv = common::gnutls_serv(port, cert, key, &["--disable-client-cert"]);
            let tls = connect_ok(&common::connector(|b| b), &mut srv).await;
            assert_eq!(
                tls.peer_certificates().len(),
                2,
                "{cert}: leaf + intermediate"
            );
            echo_roundtrip_and_close(tls, cert).await;
        }
    })
    .await;
}

/// gnutls-serv by default sends an optional CertificateRequest; we have no
/// client certificate, answer with an empty Certificate, and go on.
#[tokio::test]
async fn client_answers_optional_certificate_request() {
    if !common::require("gnutls-serv") {
        return;
    }
    common::bounded(async {
        let port = common::free_port();
        let mut srv = common::gnutls_serv(port, "server.pem", "server.key", &[]);
        let tls = connect_ok(&common::connector(|b| b), &mut srv).await;
        echo_roundtrip_and_close(tls, "certificate request").await;
    })
    .await;
}

// ---------------------------------------------------------------------------
// Our server against gnutls-cli

use common::Served;

/// Our echo server for one connection: echoes until the client's
/// close_notify, then sends ours (gnutls-cli waits for it, so failing to
/// send it fails the server).
async fn echo_server(
    config: Arc<ServerConfig>,
) -> (u16, tokio::task::JoinHandle<std::io::Result<Served>>) {
    common::echo_server_once_strict(config, common::served).await
}

/// gnutls-cli writes `line`, closes stdin at once (half-close), must get the
/// echo and our close_notify, and exit 0.
async fn gnutls_cli_echo(config: Arc<ServerConfig>, extra: &[&str], line: &[u8]) -> Served {
    let (port, task) = echo_server(config).await;
    let mut c = common::gnutls_cli(port, extra);
    c.write(line);
    c.close_stdin();
    let status = c.wait_exit(common::TIMEOUT).await.expect("gnutls-cli exit");
    assert!(status.success(), "gnutls-cli failed:\n{}", c.describe());
    assert_eq!(c.stdout_bytes(), line, "{}", c.describe());
    assert!(
        c.log_text().contains("The certificate is trusted"),
        "{}",
        c.describe()
    );
    let served = task.await.unwrap().expect("our server");
    assert_eq!(served.echoed, line);
    served
}

#[tokio::test]
async fn server_each_cert_type() {
    if !common::require("gnutls-cli") {
        return;
    }
    common::bounded(async {
        for (cert, key) in common::SERVER_CERTS {
            let line = format!("hello from gnutls-cli, {cert}\n");
            gnutls_cli_echo(server_config(cert, key), &[], line.as_bytes()).await;
        }
    })
    .await;
}

#[tokio::test]
async fn server_each_suite() {
    if !common::require("gnutls-cli") {
        return;
    }
    common::bounded(async {
        for (name, suite) in SUITES {
            let prio = suite_priority(name);
            let served = gnutls_cli_echo(
                server_config("server.pem", "server.key"),
                &["--priority", &prio],
                b"suite line\n",
            )
            .await;
            assert_eq!(served.suite, Some(suite), "{name}");
        }
    })
    .await;
}

#[tokio::test]
async fn server_each_group() {
    if !common::require("gnutls-cli") {
        return;
    }
    common::bounded(async {
        for (name, group) in GROUPS {
            let prio = group_priority(name);
            let served = gnutls_cli_echo(
                server_config("server.pem", "server.key"),
                &["--priority", &prio],
                b"group line\n",
            )
            .await;
            assert_eq!(served.group, Some(group), "{name}");
        }
    })
    .await;
}

/// gnutls-cli's share (P-256) is not one our server takes: its
/// second ClientHello must repeat the first (RFC 8446 section 4.1.2), which
/// our server checks.
#[tokio::test]
async fn server_hello_retry_request() {
    if !common::require("gnutls-cli") {
        return;
    }
    common::bounded(async {
        let ck = CertifiedKey::from_pem_files(
            common::cert_path("server.pem"),
            common::cert_path("server.key"),
        )
        .unwrap();
        let config = ServerConfig::builder()
            .with_certified_key(ck)
            .with_groups(&[NamedGroup::secp384r1])
            .build()
            .unwrap();
        let prio = format!(
            "{}:-GROUP-ALL:+GROUP-SECP256R1:+GROUP-SECP384R1",
            common::GNUTLS_TLS13
        );
        let served =
            gnutls_cli_echo(Arc::new(config), &["--priority", &prio], b"after HRR\n").await;
        assert_eq!(served.group, Some(NamedGroup::secp384r1));
        assert!(served.retried, "expected a HelloRetryRequest");
    })
    .await;
}

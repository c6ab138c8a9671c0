//! TLS 1.2 interop: our client against `openssl s_server -tls1_2` and
//! `gnutls-serv`, our server against `openssl s_client -tls1_2` and
//! `gnutls-cli`, rustls 0.23 in both directions, resumption against OpenSSL
//! (tickets and session IDs) and client certificates.
//!
//! See `tests/common/mod.rs` for how the external tools behave.

mod common;

use std::sync::Arc;

use lctls::config::{ClientConfig, ServerConfig};
use lctls::pki::DefaultClientVerifier;
use lctls::proto::enums::{CipherSuite, NamedGroup, ProtocolVersion};
use lctls::{TlsAcceptor, TlsConnector, TlsStream};
use rustls::crypto::aws_lc_rs as aws;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TLS12: &[ProtocolVersion] = &[ProtocolVersion::TLSv1_2];

/// A TLS 1.2-only GnuTLS priority string.
const GNUTLS_TLS12: &str = "NORMAL:-VERS-ALL:+VERS-TLS1.2";

/// (OpenSSL name, our suite, certificate file stem).
const SUITES: [(&str, CipherSuite, &str); 6] = [
    (
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        "server",
    ),
    (
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        "server",
    ),
    (
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        "server",
    ),
    (
        "ECDHE-RSA-AES128-GCM-SHA256",
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        "server-rsa",
    ),
    (
        "ECDHE-RSA-AES256-GCM-SHA384",
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        "server-rsa",
    ),
    (
        "ECDHE-RSA-CHACHA20-POLY1305",
        CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        "server-rsa",
    ),
];

const GROUPS: [(&str, NamedGroup); 3] = [
    ("X25519", NamedGroup::X25519),
    ("P-256", NamedGroup::secp256r1),
    ("P-384", NamedGroup::secp384r1),
];

fn server_config(
    stem: &str,
    f: impl FnOnce(lctls::config::ServerConfigBuilder) -> lctls::config::ServerConfigBuilder,
) -> Arc<ServerConfig> {
    let b = ServerConfig::builder()
        .with_certified_key(common::certified(stem))
        .with_protocol_versions(TLS12);
    Arc::new(f(b).build().unwrap())
}

/// `openssl s_server -tls1_2 -rev` with `stem`.pem/.key.
fn s_server12(port: u16, stem: &str, extra: &[&str]) -> common::Peer {
    common::openssl_s_server_version(
        port,
        &format!("{stem}.pem"),
        &format!("{stem}.key"),
        "-tls1_2",
        extra,
    )
}

async fn connect(cfg: Arc<ClientConfig>, port: u16) -> std::io::Result<TlsStream<TcpStream>> {
    common::connect_tcp(&TlsConnector::from(cfg), port).await
}

fn assert_tls12(tls: &TlsStream<TcpStream>, suite: CipherSuite, group: NamedGroup, what: &str) {
    assert_eq!(
        tls.protocol_version(),
        Some(ProtocolVersion::TLSv1_2),
        "{what}"
    );
    assert_eq!(tls.cipher_suite(), Some(suite), "{what}");
    assert_eq!(tls.key_exchange_group(), Some(group), "{what}");
}

// ---------------------------------------------------------------------------
// Our client against openssl s_server -tls1_2

#[tokio::test]
async fn client_vs_s_server_each_suite_and_group() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(async {
        for (name, suite, stem) in SUITES {
            for (gname, group) in GROUPS {
                let port = common::free_port();
                let _srv = s_server12(port, stem, &["-cipher", name, "-groups", gname]);
                // TLS 1.2 only.
                let tls = connect(
                    common::client_config_with(|b| b.with_protocol_versions(TLS12)),
                    port,
                )
                .await
                .unwrap_or_else(|e| panic!("{name} {gname}: {e}"));
                assert_tls12(&tls, suite, group, &format!("{name} {gname}"));
                common::reverse_roundtrip_and_close(tls, &format!("{name} over {gname}")).await;
                // The default 1.3+1.2 client against the 1.2-only server.
                let tls = connect(common::client_config_with(|b| b), port)
                    .await
                    .unwrap_or_else(|e| panic!("default client {name} {gname}: {e}"));
                assert_tls12(&tls, suite, group, &format!("default {name} {gname}"));
                common::reverse_roundtrip_and_close(tls, "default config, TLS 1.2 server").await;
            }
        }
    })
    .await;
}

// ---------------------------------------------------------------------------
// Our client against gnutls-serv (TLS 1.2 priority)

#[tokio::test]
async fn client_vs_gnutls_serv() {
    if !common::require("gnutls-serv") {
        return;
    }
    common::bounded(async {
        for extra in [&[][..], &["--disable-client-cert"][..]] {
            for (stem, suite) in [
                (
                    "server",
                    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                ),
                (
                    "server-rsa",
                    CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                ),
            ] {
                let port = common::free_port();
                let mut args = vec!["--priority", GNUTLS_TLS12];
                args.extend_from_slice(extra);
                let mut srv = common::gnutls_serv(
                    port,
                    &format!("{stem}.pem"),
                    &format!("{stem}.key"),
                    &args,
                );
                for cfg in [
                    common::client_config_with(|b| b.with_protocol_versions(TLS12)),
                    common::client_config_with(|b| b),
                ] {
                    let tls = connect(cfg, port)
                        .await
                        .unwrap_or_else(|e| panic!("{stem} {extra:?}: {e}\n{}", srv.describe()));
                    // GnuTLS prefers AES-128-GCM and X25519 under NORMAL.
                    assert_tls12(&tls, suite, NamedGroup::X25519, stem);
                    // gnutls-serv --echo answers the line as it is.
                    let line = "hello gnutls over tls 1.2";
                    common::line_roundtrip_and_close(tls, line, line).await;
                }
                srv.kill();
            }
        }
    })
    .await;
}

// ---------------------------------------------------------------------------
// Our server against openssl s_client -tls1_2 and gnutls-cli

struct Served {
    version: Option<ProtocolVersion>,
    suite: Option<CipherSuite>,
    group: Option<NamedGroup>,
    resumed: bool,
    peer_certs: usize,
    echoed: Vec<u8>,
}

/// Our echo server for `n` sequential connections on a fresh loopback port.
async fn echo_server(
    config: Arc<ServerConfig>,
    n: usize,
) -> (u16, tokio::task::JoinHandle<std::io::Result<Vec<Served>>>) {
    common::echo_server(config, n, |tls, echoed| Served {
        version: tls.protocol_version(),
        suite: tls.cipher_suite(),
        group: tls.key_exchange_group(),
        resumed: tls.negotiated().resumed,
        peer_certs: tls.peer_certificates().len(),
        echoed,
    })
    .await
}

/// s_client (TLS 1.2) sends one line to `port`, waits for the echo, closes.
async fn s_client_line(port: u16, extra: &[&str], line: &[u8]) -> common::Peer {
    let mut c = common::openssl_s_client_version(port, "-tls1_2", true, true, extra);
    common::s_client_exchange(&mut c, line, line).await;
    c
}

#[tokio::test]
async fn server_vs_s_client_each_suite() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(async {
        for (name, suite, stem) in SUITES {
            for (gname, group) in GROUPS {
                // The group is forced from our side: in TLS 1.2, OpenSSL also
                // requires the ECDSA certificate's curve (P-256) to be in its
                // own supported_groups (RFC 8422 section 5.1), so s_client
                // offering X25519 alone rejects server.pem with "wrong curve".
                let (port, task) =
                    echo_server(server_config(stem, |b| b.with_groups(&[group])), 1).await;
                let line = format!("s_client {name} {gname}\n");
                s_client_line(
                    port,
                    &["-cipher", name, "-groups", "X25519:P-256:P-384"],
                    line.as_bytes(),
                )
                .await;
                let s = task.await.unwrap().expect("our server").remove(0);
                assert_eq!(s.version, Some(ProtocolVersion::TLSv1_2));
                assert_eq!(s.suite, Some(suite), "{name}");
                assert_eq!(s.group, Some(group), "{gname}");
                assert_eq!(s.echoed, line.as_bytes());
            }
        }
        // A 1.3+1.2 server and a 1.2-only s_client: TLS 1.2.
        let cfg = Arc::new(
            ServerConfig::builder()
                .with_certified_key(common::certified("server"))
                .build()
                .unwrap(),
        );
        let (port, task) = echo_server(cfg, 1).await;
        s_client_line(port, &[], b"default server\n").await;
        let s = task.await.unwrap().expect("our server").remove(0);
        assert_eq!(s.version, Some(ProtocolVersion::TLSv1_2));
    })
    .await;
}

#[tokio::test]
async fn server_vs_gnutls_cli() {
    if !common::require("gnutls-cli") {
        return;
    }
    common::bounded(async {
        for (stem, suite) in [
            (
                "server",
                CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            ),
            (
                "server-rsa",
                CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            ),
        ] {
            let (port, task) = echo_server(server_config(stem, |b| b), 1).await;
            let mut c = common::gnutls_cli(port, &["--priority", GNUTLS_TLS12]);
            let line = b"hello from gnutls-cli over tls 1.2\n";
            c.write(line);
            c.close_stdin();
            let status = c.wait_exit(common::TIMEOUT).await.expect("gnutls-cli exit");
            assert!(status.success(), "gnutls-cli failed:\n{}", c.describe());
            assert_eq!(c.stdout_bytes(), line, "{}", c.describe());
            let s = task.await.unwrap().expect("our server").remove(0);
            assert_eq!(s.version, Some(ProtocolVersion::TLSv1_2));
            assert_eq!(s.suite, Some(suite));
            assert_eq!(s.group, Some(NamedGroup::X25519));
            assert_eq!(s.echoed, line);
        }
    })
    .await;
}

// ---------------------------------------------------------------------------
// rustls, TLS 1.2 only, both directions

fn rustls_suite(suite: CipherSuite) -> rustls::SupportedCipherSuite {
    use aws::cipher_suite as cs;
    match suite {
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 => {
            cs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
        }
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 => {
            cs::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
        }
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 => {
            cs::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
        }
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 => {
            cs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
        }
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 => {
            cs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
        }
        CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 => {
            cs::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
        }
        other => panic!("no rustls suite for {other:?}"),
    }
}

fn rustls_provider(suite: CipherSuite) -> Arc<rustls::crypto::CryptoProvider> {
    let mut p = aws::default_provider();
    p.cipher_suites = vec![rustls_suite(suite)];
    Arc::new(p)
}

/// Writes `msg`, reads it back from the other side, both ways.
async fn ping_pong<A, B>(a: &mut A, b: &mut B, what: &str)
where
    A: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    B: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let msg = format!("tls 1.2 {what}");
    a.write_all(msg.as_bytes()).await.unwrap();
    a.flush().await.unwrap();
    let mut buf = vec![0u8; msg.len()];
    b.read_exact(&mut buf).await.unwrap();
    assert_eq!(buf, msg.as_bytes());
    let back = format!("{what} back");
    b.write_all(back.as_bytes()).await.unwrap();
    b.flush().await.unwrap();
    let mut buf = vec![0u8; back.len()];
    a.read_exact(&mut buf).await.unwrap();
    assert_eq!(buf, back.as_bytes());
}

#[tokio::test]
async fn rustls_both_directions_each_suite() {
    common::bounded(async {
        for (name, suite, stem) in SUITES {
            // Our client, rustls server.
            let chain: Vec<CertificateDer<'static>> =
                CertificateDer::pem_file_iter(common::cert_path(&format!("{stem}.pem")))
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap();
            let key =
                PrivateKeyDer::from_pem_file(common::cert_path(&format!("{stem}.key"))).unwrap();
            let sc = rustls::ServerConfig::builder_with_provider(rustls_provider(suite))
                .with_protocol_versions(&[&rustls::version::TLS12])
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(chain, key)
                .unwrap();
            let (a, b) = tokio::io::duplex(64 * 1024);
            let acc = tokio_rustls::TlsAcceptor::from(Arc::new(sc));
            let con = TlsConnector::from(common::client_config_with(|b| {
                b.with_protocol_versions(TLS12)
            }));
            let (ours, theirs) = tokio::join!(con.connect("localhost", a), acc.accept(b));
            let mut ours = ours.unwrap_or_else(|e| panic!("{name}: {e}"));
            let mut theirs = theirs.unwrap_or_else(|e| panic!("{name} (rustls): {e}"));
            assert_eq!(ours.protocol_version(), Some(ProtocolVersion::TLSv1_2));
            assert_eq!(ours.cipher_suite(), Some(suite), "{name}");
            assert_eq!(
                theirs.get_ref().1.protocol_version(),
                Some(rustls::ProtocolVersion::TLSv1_2)
            );
            assert_eq!(
                u16::from(
                    theirs
                        .get_ref()
                        .1
                        .negotiated_cipher_suite()
                        .unwrap()
                        .suite()
                ),
                suite.get()
            );
            ping_pong(&mut ours, &mut theirs, name).await;

            // rustls client, our server.
            let rroots = common::rustls_roots();
            let cc = rustls::ClientConfig::builder_with_provider(rustls_provider(suite))
                .with_protocol_versions(&[&rustls::version::TLS12])
                .unwrap()
                .with_root_certificates(rroots)
                .with_no_client_auth();
            let (a, b) = tokio::io::duplex(64 * 1024);
            let con = tokio_rustls::TlsConnector::from(Arc::new(cc));
            let acc = TlsAcceptor::from(Arc::new(
                ServerConfig::builder()
                    .with_certified_key(common::certified(stem))
                    .build()
                    .unwrap(),
            ));
            let (theirs, ours) = tokio::join!(
                con.connect(ServerName::try_from("localhost").unwrap(), a),
                acc.accept(b)
            );
            let mut ours = ours.unwrap_or_else(|e| panic!("{name} (server): {e}"));
            let mut theirs = theirs.unwrap_or_else(|e| panic!("{name} (rustls client): {e}"));
            assert_eq!(ours.protocol_version(), Some(ProtocolVersion::TLSv1_2));
            assert_eq!(ours.cipher_suite(), Some(suite), "{name}");
            assert_eq!(
                theirs.get_ref().1.protocol_version(),
                Some(rustls::ProtocolVersion::TLSv1_2)
            );
            ping_pong(&mut theirs, &mut ours, name).await;
        }
    })
    .await;
}

// ---------------------------------------------------------------------------
// Resumption against OpenSSL

/// A non-quiet s_client session (it prints `New,` / `Reused,`), TLS 1.2 only.
async fn s_client_session(port: u16, extra: &[&str], line: &[u8]) -> String {
    common::s_client_session(port, "-tls1_2", extra, line).await
}

#[tokio::test]
async fn server_resumption_with_s_client() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(async {
        for (tickets, no_ticket) in [(true, false), (false, false), (false, true), (true, true)] {
            let cfg = server_config("server", |b| b.with_tickets(tickets));
            let (port, task) = echo_server(cfg, 2).await;
            let sess = common::session_file("tls12-sess", "s_client", port);
            let mut extra = vec!["-sess_out", &sess];
            if no_ticket {
                extra.push("-no_ticket");
            }
            let out = s_client_session(port, &extra, b"first\n").await;
            assert!(out.contains("New, TLSv1.2"), "{out}");
            let mut extra = vec!["-sess_in", &sess];
            if no_ticket {
                extra.push("-no_ticket");
            }
            let out = s_client_session(port, &extra, b"second\n").await;
            assert!(
                out.contains("Reused, TLSv1.2"),
                "tickets={tickets} no_ticket={no_ticket}: {out}"
            );
            let served = task.await.unwrap().expect("our server");
            assert!(!served[0].resumed);
            assert!(served[1].resumed, "tickets={tickets} no_ticket={no_ticket}");
            assert_eq!(served[1].echoed, b"second\n");
            let _ = std::fs::remove_file(&sess);
        }
    })
    .await;
}

#[tokio::test]
async fn client_resumption_with_s_server() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(async {
        for extra in [&[][..], &["-no_ticket"][..]] {
            let port = common::free_port();
            let _srv = s_server12(port, "server", extra);
            for versions in [
                TLS12,
                &[ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2][..],
            ] {
                let cfg = common::client_config_with(|b| b.with_protocol_versions(versions));
                let first = connect(cfg.clone(), port).await.unwrap();
                assert_eq!(first.protocol_version(), Some(ProtocolVersion::TLSv1_2));
                assert!(!first.negotiated().resumed);
                let suite = first.cipher_suite();
                common::reverse_roundtrip_and_close(first, "first").await;
                let second = connect(cfg.clone(), port).await.unwrap();
                assert_eq!(second.protocol_version(), Some(ProtocolVersion::TLSv1_2));
                assert!(
                    second.negotiated().resumed,
                    "{extra:?} {versions:?}: second connection not resumed"
                );
                assert_eq!(second.cipher_suite(), suite, "resumed with the same suite");
                common::reverse_roundtrip_and_close(second, "second").await;
            }
        }
    })
    .await;
}

// ---------------------------------------------------------------------------
// Client certificates over TLS 1.2

#[tokio::test]
async fn mtls_server_with_s_client_cert() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(async {
        let cfg = server_config("server", |b| {
            b.with_client_cert_verifier(Arc::new(DefaultClientVerifier::new(common::ca_roots())))
        });
        let (port, task) = echo_server(cfg, 1).await;
        let a = common::openssl_cert_args("client.pem", "client.key");
        s_client_line(port, &common::as_strs(&a), b"with a client certificate\n").await;
        let s = task.await.unwrap().expect("our server").remove(0);
        assert_eq!(s.version, Some(ProtocolVersion::TLSv1_2));
        assert_eq!(s.peer_certs, 2, "leaf and intermediate");
    })
    .await;
}

#[tokio::test]
async fn mtls_client_cert_to_s_server() {
    if !common::require("openssl") {
        return;
    }
    common::bounded(async {
        let port = common::free_port();
        let ca = common::cert_arg("ca.pem");
        let mut srv = s_server12(port, "server", &["-Verify", "1", "-CAfile", &ca]);
        let cfg = common::client_config_with(|b| {
            b.with_protocol_versions(TLS12)
                .with_client_cert(common::certified("client"))
        });
        let tls = connect(cfg, port).await.unwrap();
        assert_eq!(tls.protocol_version(), Some(ProtocolVersion::TLSv1_2));
        common::reverse_roundtrip_and_close(tls, "client cert accepted").await;
        srv.kill();
        assert!(
            !srv.stderr_text().contains("CONNECTION FAILURE"),
            "{}",
            srv.describe()
        );
    })
    .await;
}

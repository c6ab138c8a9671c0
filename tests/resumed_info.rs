//! What a resumed connection reports about the handshake that made its
//! session: the peer's signature scheme on both sides (a resumption signs
//! nothing), and the key-exchange group: a TLS 1.2 resumption runs no key
//! exchange and reports the session's group (as BoringSSL does, BoGo's
//! `CurveID-Resume-*`), a TLS 1.3 one runs a fresh (EC)DHE and reports that
//! (`CurveID-Resume-*-TLS13`). In-process against ourselves with mutual TLS
//! for TLS 1.3, TLS 1.2 tickets and TLS 1.2 session IDs, then against
//! `openssl s_server` (our client) and `openssl s_client -sess_out/-sess_in`
//! (our server).

mod common;
mod support;

use std::sync::Arc;

use lctls::config::{ClientConfig, ServerConfig};
use lctls::pki::DefaultClientVerifier;
use lctls::proto::enums::{NamedGroup, SignatureScheme};
use lctls::proto::Negotiated;
use lctls::{TlsAcceptor, TlsConnector};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use support::resume_mode::{Mode, MODES};

/// An RSA server that requires a client certificate, so both sides see a
/// peer signature; tickets off for the session-ID mode.
fn server(mode: Mode) -> Arc<ServerConfig> {
    Arc::new(
        support::server_builder("server-rsa")
            .with_protocol_versions(mode.versions())
            .with_client_cert_verifier(Arc::new(DefaultClientVerifier::new(support::roots())))
            .with_tickets(!matches!(mode, Mode::Tls12SessionId))
            .build()
            .unwrap(),
    )
}

/// A client with the ECDSA P-256 certificate, preferring `groups`.
fn client(mode: Mode, groups: &[NamedGroup]) -> Arc<ClientConfig> {
    support::client_with(|b| {
        b.with_protocol_versions(mode.versions())
            .with_groups(groups)
            .with_client_cert(support::certified_key("client", "client.key"))
    })
}

/// One in-process connection: what each side negotiated. The server writes
/// first so a TLS 1.3 client takes in its ticket.
async fn connect(cc: &Arc<ClientConfig>, sc: &Arc<ServerConfig>) -> (Negotiated, Negotiated) {
    let (mut c, mut s) = support::pair(cc.clone(), sc.clone(), "localhost").await;
    s.write_all(b"hi").await.unwrap();
    s.flush().await.unwrap();
    let mut two = [0u8; 2];
    c.read_exact(&mut two).await.unwrap();
    (c.negotiated().clone(), s.negotiated().clone())
}

#[tokio::test]
async fn resumption_reports_the_sessions_signature_schemes_and_group() {
    support::timeout(async {
        for mode in MODES {
            let sc = server(mode);
            let cc = client(mode, &[NamedGroup::X25519, NamedGroup::secp256r1]);
            let (c1, s1) = connect(&cc, &sc).await;
            assert!(!c1.resumed && !s1.resumed, "{mode:?}");
            // The full handshake: the RSA server signed with some RSA scheme,
            // the client with its P-256 key.
            let server_scheme = c1.peer_signature_scheme.expect("client saw a scheme");
            assert!(
                format!("{server_scheme:?}").starts_with("RSA_"),
                "{mode:?}: {server_scheme:?}"
            );
            assert_eq!(
                s1.peer_signature_scheme,
                Some(SignatureScheme::ECDSA_NISTP256_SHA256),
                "{mode:?}"
            );
            assert_eq!(c1.group, Some(NamedGroup::X25519), "{mode:?}");
            assert_eq!(s1.group, Some(NamedGroup::X25519), "{mode:?}");
            // Twice: a TLS 1.3 ticket issued on a resumed connection, and a
            // renewed TLS 1.2 ticket, carry the schemes on.
            for round in 0..2 {
                let (c, s) = connect(&cc, &sc).await;
                assert!(c.resumed && s.resumed, "{mode:?} round {round}");
                assert_eq!(
                    c.peer_signature_scheme,
                    Some(server_scheme),
                    "{mode:?} round {round}: client side"
                );
                assert_eq!(
                    s.peer_signature_scheme,
                    Some(SignatureScheme::ECDSA_NISTP256_SHA256),
                    "{mode:?} round {round}: server side"
                );
                assert_eq!(c.group, Some(NamedGroup::X25519), "{mode:?}");
                assert_eq!(s.group, Some(NamedGroup::X25519), "{mode:?}");
            }
        }
    })
    .await
}

/// Two connections' `Negotiated`: the first full with a peer signature, the
/// second resumed reporting that same scheme. Returns (full, resumed).
fn full_then_resumed(seen: &[Negotiated], mode: Mode) -> (&Negotiated, &Negotiated) {
    let (full, again) = (&seen[0], &seen[1]);
    assert!(!full.resumed && again.resumed, "{mode:?}");
    assert!(full.peer_signature_scheme.is_some(), "{mode:?}");
    assert_eq!(
        again.peer_signature_scheme, full.peer_signature_scheme,
        "{mode:?}"
    );
    (full, again)
}

/// Our client against `openssl s_server`: the resumed connection reports
/// the scheme and group of the full handshake (TLS 1.2, both by ticket and
/// by session ID) or its own fresh group (TLS 1.3).
#[tokio::test]
async fn our_client_reports_them_resuming_with_s_server() {
    if !common::require("openssl") {
        return;
    }
    support::timeout(async {
        for mode in MODES {
            let port = common::free_port();
            let mut args = vec!["-groups", "P-256:X25519"];
            args.extend(mode.openssl_no_ticket());
            let _srv = common::openssl_s_server_version(
                port,
                "server-rsa.pem",
                "server-rsa.key",
                mode.openssl_version(),
                &args,
            );
            let cc = support::client_with(|b| {
                b.with_protocol_versions(mode.versions())
                    .with_groups(&[NamedGroup::secp256r1, NamedGroup::X25519])
            });
            let mut seen = Vec::new();
            for _ in 0..2 {
                let tls = common::connect_tcp(&TlsConnector::from(cc.clone()), port)
                    .await
                    .unwrap();
                let n = tls.negotiated().clone();
                // The round trip also takes in a TLS 1.3 ticket.
                common::reverse_roundtrip_and_close(tls, "resume me").await;
                seen.push(n);
            }
            let (full, again) = full_then_resumed(&seen, mode);
            assert_eq!(full.group, Some(NamedGroup::secp256r1), "{mode:?}");
            assert_eq!(again.group, Some(NamedGroup::secp256r1), "{mode:?}");
        }
    })
    .await
}

/// `openssl s_client` resumes with our server; in TLS 1.3 it offers another
/// group on the resumption, which our server reports (the fresh (EC)DHE),
/// while a TLS 1.2 resumption keeps reporting the session's group even when
/// the resuming hello prefers another. The client's signature scheme (it
/// authenticates with certs/client.pem) is reported on both.
#[tokio::test]
async fn our_server_reports_them_when_s_client_resumes() {
    if !common::require("openssl") {
        return;
    }
    support::timeout(async {
        let cert = common::openssl_cert_args("client.pem", "client.key");
        for mode in MODES {
            let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
            let port = listener.local_addr().unwrap().port();
            let sc = server(mode);
            let task = tokio::spawn(async move {
                let mut seen = Vec::new();
                for _ in 0..2 {
                    let (tcp, _) = listener.accept().await?;
                    let mut tls = TlsAcceptor::from(sc.clone()).accept(tcp).await?;
                    let mut line = [0u8; 5];
                    tls.read_exact(&mut line).await?;
                    tls.write_all(&line).await?;
                    tls.flush().await?;
                    let mut rest = Vec::new();
                    let _ = tls.read_to_end(&mut rest).await;
                    seen.push(tls.negotiated().clone());
                }
                Ok::<_, std::io::Error>(seen)
            });
            let sess = session_file(&format!("{mode:?}"), port);
            for (flag, groups, want) in [
                ("-sess_out", "X25519", "New, "),
                // Only P-256 offered: a TLS 1.3 resumption runs a fresh
                // exchange in it (the server would take X25519 if offered).
                ("-sess_in", "P-256", "Reused, "),
            ] {
                let mut extra = common::as_strs(&cert);
                extra.extend([flag, sess.as_str(), "-groups", groups]);
                extra.extend(mode.openssl_no_ticket());
                // On failure the s_client command line names the case.
                let out =
                    common::s_client_session(port, mode.openssl_version(), &extra, b"line\n").await;
                assert!(out.contains(want), "{mode:?} {flag}: {out}");
            }
            let seen = task.await.unwrap().expect("our server");
            let (full, again) = full_then_resumed(&seen, mode);
            assert_eq!(full.group, Some(NamedGroup::X25519), "{mode:?}");
            let resumed_group = match mode {
                Mode::Tls13 => NamedGroup::secp256r1,
                _ => NamedGroup::X25519,
            };
            assert_eq!(again.group, Some(resumed_group), "{mode:?}");
        }
    })
    .await
}

fn session_file(tag: &str, port: u16) -> String {
    common::session_file("resumed-info", tag, port)
}

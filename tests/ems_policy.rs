//! The extended master secret policy (RFC 7627), against OpenSSL with EMS
//! turned off by its config (`Options = -ExtendedMasterSecret`):
//! * EMS is always offered and used when the peer has it;
//! * by default a TLS 1.2 peer without it gets a full handshake, but the
//!   session is never resumable: our server issues no session ID and no
//!   ticket, our client keeps nothing, so the next connection is full again;
//! * `require_extended_master_secret(true)` refuses such a peer with
//!   handshake_failure;
//! * a ClientHello that offers an EMS session without the extension is
//!   refused with handshake_failure (RFC 7627 section 5.3).

mod common;
mod support;

use std::sync::Arc;

use lctls::config::{ClientConfig, ServerConfig};
use lctls::proto::enums::ProtocolVersion;
use lctls::proto::Negotiated;
use lctls::{Error, TlsAcceptor, TlsConnector};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const TLS12: &[ProtocolVersion] = &[ProtocolVersion::TLSv1_2];

/// An OpenSSL config that turns off the extended master secret.
fn no_ems_conf() -> String {
    let p = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("lctls-ems-policy.cnf");
    let text = "openssl_conf = oc\n[oc]\nssl_conf = sc\n[sc]\nsystem_default = sd\n\
                [sd]\nOptions = -ExtendedMasterSecret\n";
    if std::fs::read_to_string(&p).ok().as_deref() != Some(text) {
        let tmp = p.with_extension(format!("{}", std::process::id()));
        std::fs::write(&tmp, text).unwrap();
        std::fs::rename(&tmp, &p).unwrap();
    }
    p.to_str().unwrap().to_string()
}

fn session_file(tag: &str, port: u16) -> String {
    common::session_file("ems-policy", tag, port)
}

fn server(require: bool) -> Arc<ServerConfig> {
    support::server_with("server", |b| {
        b.with_protocol_versions(TLS12)
            .require_extended_master_secret(require)
    })
}

fn client(require: bool) -> Arc<ClientConfig> {
    support::client_with(|b| {
        b.with_protocol_versions(TLS12)
            .require_extended_master_secret(require)
    })
}

/// Our server on a fresh port, serving `n` connections: each echoes one
/// line; the result is what each connection negotiated, or its error.
async fn echo_server(
    sc: Arc<ServerConfig>,
    n: usize,
) -> (u16, tokio::task::JoinHandle<Vec<Result<Negotiated, Error>>>) {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let mut all = Vec::new();
        for _ in 0..n {
            let (tcp, _) = listener.accept().await.unwrap();
            let r = async {
                let mut tls = TlsAcceptor::from(sc.clone()).accept(tcp).await?;
                let mut line = [0u8; 5];
                tls.read_exact(&mut line).await?;
                tls.write_all(&line).await?;
                tls.flush().await?;
                let mut rest = Vec::new();
                let _ = tls.read_to_end(&mut rest).await;
                Ok::<_, std::io::Error>(tls.negotiated().clone())
            }
            .await;
            all.push(r.map_err(|e| support::tls_err(&e).clone()));
        }
        all
    });
    (port, task)
}

/// One s_client connection that sends a line and waits for its echo; with
/// `no_ems` it runs without the extended master secret. Returns stdout
/// (not quiet: the session summary is in it).
async fn s_client_ok(port: u16, no_ems: bool, extra: &[&str]) -> String {
    let mut cmd = common::openssl_s_client_version_cmd(port, "-tls1_2", false, true, extra);
    if no_ems {
        cmd.env("OPENSSL_CONF", no_ems_conf());
    }
    let mut c = common::Peer::spawn(cmd, port, true);
    common::s_client_exchange(&mut c, b"line\n", b"line\n").await;
    c.stdout_text()
}

/// s_client that the server refuses: its stderr.
async fn s_client_refused(port: u16, no_ems: bool, extra: &[&str]) -> String {
    let mut cmd = common::openssl_s_client_version_cmd(port, "-tls1_2", false, true, extra);
    if no_ems {
        cmd.env("OPENSSL_CONF", no_ems_conf());
    }
    let mut c = common::Peer::spawn(cmd, port, true);
    let status = c.wait_exit(common::TIMEOUT).await.expect("s_client exit");
    assert!(!status.success(), "{}", c.describe());
    c.stderr_text()
}

/// A TLS 1.2 client without EMS is served, by ticket-capable and
/// session-ID-capable configurations alike, but gets no session ID and no
/// ticket, so its next connection is a full handshake again.
#[tokio::test]
async fn server_accepts_a_client_without_ems_but_never_resumes_it() {
    if !common::require("openssl") {
        return;
    }
    support::timeout(async {
        for no_ticket in [None, Some("-no_ticket")] {
            let (port, task) = echo_server(server(false), 2).await;
            let sess = session_file(&format!("server-{no_ticket:?}"), port);
            // Both times with -sess_out: OpenSSL saves only resumable
            // sessions, so the file never appears.
            for flag in ["-sess_out", "-sess_out"] {
                let mut extra = vec![flag, sess.as_str()];
                extra.extend(no_ticket);
                let out = s_client_ok(port, true, &extra).await;
                assert!(out.contains("New, TLSv1.2"), "{flag}: {out}");
                assert!(out.contains("Extended master secret: no"), "{out}");
                // The ServerHello carried an empty session ID, and no
                // NewSessionTicket came.
                assert!(
                    out.lines().any(|l| l.trim() == "Session-ID:"),
                    "{flag}: {out}"
                );
                assert!(!out.contains("TLS session ticket:"), "{flag}: {out}");
                assert!(!std::path::Path::new(&sess).exists(), "a session was saved");
            }
            let seen = task.await.unwrap();
            for n in seen {
                let n = n.expect("our server served the client");
                assert!(!n.resumed && !n.extended_master_secret, "{n:?}");
            }
            let _ = std::fs::remove_file(&sess);
        }
    })
    .await
}

/// With EMS both ways the same setup does resume: the policy above is about
/// EMS, not a broken session cache. The EMS flag survives the resumption.
#[tokio::test]
async fn server_resumes_a_client_with_ems() {
    if !common::require("openssl") {
        return;
    }
    support::timeout(async {
        let (port, task) = echo_server(server(false), 2).await;
        let sess = session_file("server-ems", port);
        for (flag, want) in [("-sess_out", "New, "), ("-sess_in", "Reused, ")] {
            let out = s_client_ok(port, false, &[flag, &sess]).await;
            assert!(out.contains(want), "{flag}: {out}");
        }
        let seen: Vec<Negotiated> = task
            .await
            .unwrap()
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert!(!seen[0].resumed && seen[1].resumed);
        assert!(seen.iter().all(|n| n.extended_master_secret));
        let _ = std::fs::remove_file(&sess);
    })
    .await
}

/// RFC 7627 section 5.3: a ClientHello that offers a session made with EMS
/// but does not carry the extension makes the server "abort the abbreviated
/// handshake": handshake_failure, by ticket and by session ID.
#[tokio::test]
async fn server_refuses_an_ems_session_offered_without_ems() {
    if !common::require("openssl") {
        return;
    }
    support::timeout(async {
        for no_ticket in [None, Some("-no_ticket")] {
            let (port, task) = echo_server(server(false), 2).await;
            let sess = session_file(&format!("downgrade-{no_ticket:?}"), port);
            let mut extra = vec!["-sess_out", sess.as_str()];
            extra.extend(no_ticket);
            let out = s_client_ok(port, false, &extra).await;
            assert!(out.contains("New, "), "{out}");
            let mut extra = vec!["-sess_in", sess.as_str()];
            extra.extend(no_ticket);
            let err = s_client_refused(port, true, &extra).await;
            assert!(err.contains("alert handshake failure"), "{err}");
            let seen = task.await.unwrap();
            assert!(seen[0].is_ok());
            assert_eq!(
                seen[1].as_ref().unwrap_err(),
                &Error::handshake(
                    "client offered an extended-master-secret session without the extension (RFC 7627 section 5.3)"
                )
            );
            let _ = std::fs::remove_file(&sess);
        }
    })
    .await
}

/// `require_extended_master_secret(true)` refuses a client without EMS.
#[tokio::test]
async fn server_requiring_ems_refuses_a_client_without_it() {
    if !common::require("openssl") {
        return;
    }
    support::timeout(async {
        let (port, task) = echo_server(server(true), 1).await;
        let err = s_client_refused(port, true, &[]).await;
        assert!(err.contains("alert handshake failure"), "{err}");
        let seen = task.await.unwrap();
        assert_eq!(
            seen[0].as_ref().unwrap_err(),
            &Error::handshake(
                "client does not support the extended master secret (RFC 7627), which this server requires"
            )
        );
    })
    .await
}

/// Our client against an `openssl s_server` without EMS (which has a
/// session cache and tickets): connects, keeps no session, so the second
/// connection is full too; with `require_extended_master_secret(true)` it
/// refuses the server with handshake_failure.
#[tokio::test]
async fn client_accepts_a_server_without_ems_but_never_resumes_it() {
    if !common::require("openssl") {
        return;
    }
    support::timeout(async {
        for no_ticket in [None, Some("-no_ticket")] {
            let port = common::free_port();
            let no_ticket: Vec<&str> = no_ticket.into_iter().collect();
            let mut cmd = common::openssl_s_server_version_cmd(
                port,
                "server.pem",
                "server.key",
                "-tls1_2",
                &no_ticket,
            );
            cmd.env("OPENSSL_CONF", no_ems_conf());
            let mut srv = common::Peer::spawn(cmd, port, false);
            srv.wait_listening(common::TIMEOUT);
            let cc = client(false);
            for _ in 0..2 {
                let tls = common::connect_tcp(&TlsConnector::from(cc.clone()), port)
                    .await
                    .unwrap();
                let n = tls.negotiated().clone();
                assert!(!n.resumed && !n.extended_master_secret, "{n:?}");
                common::reverse_roundtrip_and_close(tls, "no ems").await;
            }
            let e = common::connect_tcp(&TlsConnector::from(client(true)), port)
                .await
                .unwrap_err();
            let e = support::tls_err(&e);
            assert_eq!(
                e,
                &Error::handshake(
                    "server does not support the extended master secret (RFC 7627), which this client requires"
                )
            );
            assert_eq!(
                e.alert(),
                Some(lctls::proto::enums::AlertDescription::HandshakeFailure)
            );
            assert!(
                common::wait_stderr_contains(&mut srv, "alert handshake failure", common::TIMEOUT)
                    .await,
                "{}",
                srv.describe()
            );
        }
    })
    .await
}

/// The same client against an `openssl s_server` with EMS resumes, and
/// every connection reports EMS; TLS 1.3 always does.
#[tokio::test]
async fn client_resumes_a_server_with_ems() {
    if !common::require("openssl") {
        return;
    }
    support::timeout(async {
        let port = common::free_port();
        let _srv =
            common::openssl_s_server_version(port, "server.pem", "server.key", "-tls1_2", &[]);
        let cc = client(false);
        let mut resumed = Vec::new();
        for _ in 0..2 {
            let tls = common::connect_tcp(&TlsConnector::from(cc.clone()), port)
                .await
                .unwrap();
            assert!(tls.negotiated().extended_master_secret);
            resumed.push(tls.negotiated().resumed);
            common::reverse_roundtrip_and_close(tls, "ems").await;
        }
        assert_eq!(resumed, [false, true]);
        let (c, s) = support::pair(
            support::client_config(),
            support::server_config("server"),
            "localhost",
        )
        .await;
        assert_eq!(c.protocol_version(), Some(ProtocolVersion::TLSv1_3));
        assert!(c.negotiated().extended_master_secret && s.negotiated().extended_master_secret);
    })
    .await
}

//! The peers gen_corpus records against: rustls in memory, and openssl and
//! gnutls processes over loopback TCP.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lctls::proto::Connection;
use lctls_fuzz::{certs, pem, server_config};
use rustls_pki_types::pem::PemObject;

use super::Recording;

fn rustls_provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

fn rustls_roots() -> rustls::RootCertStore {
    let mut r = rustls::RootCertStore::empty();
    for c in certs(pem::CA) {
        r.add(c).expect("root");
    }
    r
}

fn rustls_versions(tls12: bool) -> &'static [&'static rustls::SupportedProtocolVersion] {
    static V12: &[&rustls::SupportedProtocolVersion] = &[&rustls::version::TLS12];
    static V13: &[&rustls::SupportedProtocolVersion] = &[&rustls::version::TLS13];
    if tls12 {
        V12
    } else {
        V13
    }
}

/// Pumps bytes between our connection and a rustls one, in memory.
fn pump_rustls(ours: &mut Connection, peer: &mut rustls::Connection, rec: &mut Recording) {
    let ours_client = ours.side() == lctls::proto::Side::Client;
    let mut talked = false;
    for _ in 0..30 {
        let out = ours.take_outgoing();
        if ours_client {
            rec.to_server.extend_from_slice(&out);
        } else {
            rec.to_client.extend_from_slice(&out);
        }
        let mut rd = &out[..];
        while !rd.is_empty() {
            if peer.read_tls(&mut rd).is_err() {
                break;
            }
        }
        if peer.process_new_packets().is_err() {
            let mut v = Vec::new();
            let _ = peer.write_tls(&mut v);
            break;
        }
        if !peer.is_handshaking() && !talked {
            let _ = peer.writer().write_all(b"hello from rustls");
        }
        let mut buf = [0u8; 4096];
        let _ = peer.reader().read(&mut buf);
        let mut v = Vec::new();
        while peer.wants_write() {
            if peer.write_tls(&mut v).is_err() {
                break;
            }
        }
        if ours_client {
            rec.to_client.extend_from_slice(&v);
        } else {
            rec.to_server.extend_from_slice(&v);
        }
        ours.feed(&v);
        if ours.process().is_err() {
            break;
        }
        if !ours.is_handshaking() && !talked && !peer.is_handshaking() {
            talked = true;
            let _ = ours.write_plaintext(b"hello from lctls");
            peer.send_close_notify();
            ours.send_close_notify();
        }
        while ours.read_plaintext(&mut buf) > 0 {}
        if v.is_empty() && ours.outgoing_len() == 0 && talked {
            break;
        }
    }
    let _ = ours.take_outgoing();
}

pub(crate) fn ours_vs_rustls() -> Vec<(u8, bool, Recording)> {
    let mut out = Vec::new();
    for tls12 in [false, true] {
        // rustls client -> our server.
        let cfg = rustls::ClientConfig::builder_with_provider(rustls_provider())
            .with_protocol_versions(rustls_versions(tls12))
            .expect("versions")
            .with_root_certificates(rustls_roots())
            .with_no_client_auth();
        let mut peer = rustls::Connection::Client(
            rustls::ClientConnection::new(
                Arc::new(cfg),
                rustls_pki_types::ServerName::try_from("localhost").expect("name"),
            )
            .expect("rustls client"),
        );
        let mut s = Connection::new_server(server_config(0));
        let mut rec = Recording {
            name: format!("rustls client tls12={tls12}"),
            ..Default::default()
        };
        pump_rustls(&mut s, &mut peer, &mut rec);
        out.push((0, true, rec));

        // Our client -> rustls server (ECDSA certificate).
        let chain = certs(pem::SERVER);
        let key = rustls_pki_types::PrivateKeyDer::from_pem_slice(pem::SERVER_KEY).expect("key");
        let cfg = rustls::ServerConfig::builder_with_provider(rustls_provider())
            .with_protocol_versions(rustls_versions(tls12))
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .expect("rustls server");
        let mut peer = rustls::Connection::Server(
            rustls::ServerConnection::new(Arc::new(cfg)).expect("rustls server"),
        );
        let mut c = lctls_fuzz::new_client(0);
        let mut rec = Recording {
            name: format!("rustls server tls12={tls12}"),
            ..Default::default()
        };
        pump_rustls(&mut c, &mut peer, &mut rec);
        out.push((0, false, rec));
    }
    out
}

// ------------------------------------------------------ openssl, gnutls

/// Runs our connection over a TCP socket until the peer closes, the
/// exchange is done or `limit` passes; returns (bytes read, bytes written).
fn run_socket(conn: &mut Connection, sock: &mut TcpStream, limit: Duration) -> (Vec<u8>, Vec<u8>) {
    let (mut got, mut sent) = (Vec::new(), Vec::new());
    sock.set_read_timeout(Some(Duration::from_millis(100)))
        .expect("timeout");
    let start = Instant::now();
    let mut talked = false;
    let mut buf = vec![0u8; 32 * 1024];
    while start.elapsed() < limit {
        let out = conn.take_outgoing();
        if !out.is_empty() {
            sent.extend_from_slice(&out);
            if sock.write_all(&out).is_err() {
                break;
            }
        }
        match sock.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                got.extend_from_slice(&buf[..n]);
                conn.feed(&buf[..n]);
                if conn.process().is_err() {
                    let out = conn.take_outgoing();
                    sent.extend_from_slice(&out);
                    let _ = sock.write_all(&out);
                    break;
                }
                while conn.read_plaintext(&mut buf) > 0 {}
                if conn.received_close_notify() {
                    conn.send_close_notify();
                    let out = conn.take_outgoing();
                    sent.extend_from_slice(&out);
                    let _ = sock.write_all(&out);
                    break;
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => break,
        }
        if !conn.is_handshaking() && !talked && conn.error().is_none() {
            talked = true;
            let _ = conn.write_plaintext(b"hello from lctls\n");
        }
    }
    (got, sent)
}

fn have(bin: &str) -> bool {
    Command::new(bin)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

pub(crate) fn certs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../certs")
}

/// A real client connects to our server (variant `sv`).
fn peer_client(name: &str, sv: u8, cmd: Cmd) -> Option<Recording> {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let mut child = spawn(&cmd, port)?;
    listener.set_nonblocking(true).expect("nonblocking");
    let start = Instant::now();
    let mut sock = loop {
        match listener.accept() {
            Ok((s, _)) => break s,
            Err(_) if start.elapsed() < Duration::from_secs(5) => {
                std::thread::sleep(Duration::from_millis(20))
            }
            Err(_) => {
                eprintln!("note: {name} never connected");
                let _ = child.kill();
                return None;
            }
        }
    };
    sock.set_nonblocking(false).expect("blocking");
    // The peer's stdin: a line of data, closed after a moment (which makes
    // it send close_notify and exit).
    if let Some(mut stdin) = child.stdin.take() {
        std::thread::spawn(move || {
            let _ = stdin.write_all(b"hello from the peer\n");
            std::thread::sleep(Duration::from_millis(700));
        });
    }
    let mut conn = Connection::new_server(server_config(sv));
    let (got, sent) = run_socket(&mut conn, &mut sock, Duration::from_secs(3));
    let _ = child.kill();
    let _ = child.wait();
    Some(Recording {
        name: format!("{name}: {:?}", conn.error()),
        to_server: got,
        to_client: sent,
    })
}

/// Our client (variant 0) connects to a real server started by `cmd`.
fn peer_server(name: &str, cmd: Cmd) -> Option<Recording> {
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let mut child = spawn(&cmd, port)?;
    let start = Instant::now();
    let mut sock = loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(s) => break s,
            Err(_) if start.elapsed() < Duration::from_secs(5) => {
                std::thread::sleep(Duration::from_millis(50))
            }
            Err(_) => {
                eprintln!("note: {name} never listened");
                let _ = child.kill();
                return None;
            }
        }
    };
    let mut conn = lctls_fuzz::new_client(0);
    let (got, sent) = run_socket(&mut conn, &mut sock, Duration::from_secs(2));
    let _ = child.kill();
    let _ = child.wait();
    Some(Recording {
        name: format!("{name}: {:?}", conn.error()),
        to_server: sent,
        to_client: got,
    })
}

/// A peer program and its arguments; "PORT" stands for the port.
type Cmd = (&'static str, Vec<&'static str>);

/// Starts a peer in certs/ with its arguments' "PORT" replaced.
fn spawn(cmd: &Cmd, port: u16) -> Option<Child> {
    if !have(cmd.0) {
        eprintln!("note: {} is missing; skipped", cmd.0);
        return None;
    }
    Command::new(cmd.0)
        .args(cmd.1.iter().map(|a| a.replace("PORT", &port.to_string())))
        .current_dir(certs_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()
}

fn command(prog: &'static str, args: &[&'static str]) -> Cmd {
    (prog, args.to_vec())
}

pub(crate) fn external_peers() -> (Vec<(u8, Recording)>, Vec<Recording>) {
    let mut to_ours_server = Vec::new();
    let mut to_ours_client = Vec::new();
    let s_client = |extra: &[&'static str]| {
        let mut a = vec![
            "s_client",
            "-connect",
            "127.0.0.1:PORT",
            "-servername",
            "localhost",
            "-CAfile",
            "ca.pem",
        ];
        a.extend_from_slice(extra);
        command("openssl", &a)
    };
    let cli = |extra: &[&'static str]| {
        let mut a = vec!["-p", "PORT", "--x509cafile", "ca.pem", "localhost"];
        a.extend_from_slice(extra);
        command("gnutls-cli", &a)
    };
    let runs: Vec<(&str, u8, Cmd)> = vec![
        ("openssl s_client tls13", 0, s_client(&["-tls1_3"])),
        ("openssl s_client tls12", 0, s_client(&["-tls1_2"])),
        (
            "openssl s_client mtls",
            1,
            s_client(&[
                "-cert",
                "client.pem",
                "-cert_chain",
                "client.pem",
                "-key",
                "client.key",
            ]),
        ),
        (
            "openssl s_client hrr",
            3,
            s_client(&["-tls1_3", "-groups", "X25519:P-256"]),
        ),
        (
            "openssl s_client alpn",
            4,
            s_client(&["-alpn", "h2,http/1.1"]),
        ),
        ("gnutls-cli tls13", 0, cli(&[])),
        (
            "gnutls-cli tls12",
            0,
            cli(&["--priority", "NORMAL:-VERS-TLS1.3"]),
        ),
        (
            "gnutls-cli mtls",
            1,
            cli(&[
                "--x509certfile",
                "client.pem",
                "--x509keyfile",
                "client.key",
            ]),
        ),
    ];
    for (name, sv, cmd) in runs {
        if let Some(r) = peer_client(name, sv, cmd) {
            eprintln!("recorded {}", r.name);
            to_ours_server.push((sv, r));
        }
    }
    let s_server = |extra: &[&'static str]| {
        let mut a = vec![
            "s_server",
            "-accept",
            "PORT",
            "-cert",
            "server.pem",
            "-cert_chain",
            "server.pem",
            "-key",
            "server.key",
            "-naccept",
            "1",
            "-rev",
        ];
        a.extend_from_slice(extra);
        command("openssl", &a)
    };
    let serv = |extra: &[&'static str]| {
        let mut a = vec![
            "-p",
            "PORT",
            "--x509certfile",
            "server.pem",
            "--x509keyfile",
            "server.key",
            "--echo",
        ];
        a.extend_from_slice(extra);
        command("gnutls-serv", &a)
    };
    let runs: Vec<(&str, Cmd)> = vec![
        ("openssl s_server tls13", s_server(&["-tls1_3"])),
        ("openssl s_server tls12", s_server(&["-tls1_2"])),
        ("openssl s_server hrr", s_server(&["-groups", "P-256"])),
        ("gnutls-serv tls13", serv(&[])),
        (
            "gnutls-serv tls12",
            serv(&["--priority", "NORMAL:-VERS-TLS1.3"]),
        ),
    ];
    for (name, cmd) in runs {
        if let Some(r) = peer_server(name, cmd) {
            eprintln!("recorded {}", r.name);
            to_ours_client.push(r);
        }
    }
    (to_ours_server, to_ours_client)
}

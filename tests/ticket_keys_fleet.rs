//! Resumption across a fleet with operator ticket keys: processes of the
//! example server started with the same nginx-style key files
//! (`--ticket-keys FILE`) resume each other's sessions, in TLS 1.3 and TLS
//! 1.2; after a rotation (new key first, old key second, SIGHUP) old tickets
//! still resume, and once the old key is retired they make full handshakes.

mod common;
mod example_bin;
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use lctls::proto::enums::ProtocolVersion;
use lctls::{ClientConfig, TlsConnector};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("lctls-tk-fleet-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// 80 random bytes, as `openssl rand 80` makes them.
fn random_key() -> Vec<u8> {
    let out = Command::new("openssl")
        .args(["rand", "80"])
        .output()
        .unwrap();
    assert!(out.status.success() && out.stdout.len() == 80);
    out.stdout
}

/// The example server with these key files, listening on a free port.
fn server(keys: &[&Path]) -> common::Peer {
    let port = common::free_port();
    let mut cmd = Command::new(example_bin::example("server"));
    cmd.args(["--listen", &format!("127.0.0.1:{port}")])
        .args(["--cert", &support::path("server.pem")])
        .args(["--key", &support::path("server.key")]);
    for k in keys {
        cmd.arg("--ticket-keys").arg(k);
    }
    let mut peer = common::Peer::spawn(cmd, port, false);
    peer.wait_listening(common::TIMEOUT);
    peer
}

/// Re-reads the server's key files (SIGHUP) and waits until it says so.
async fn reload(peer: &mut common::Peer, times: usize) {
    let ok = Command::new("kill")
        .args(["-HUP", &peer.pid().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    let deadline = std::time::Instant::now() + common::TIMEOUT;
    while peer.stderr_text().matches("ticket keys reloaded").count() < times {
        assert!(
            std::time::Instant::now() < deadline,
            "no reload: {}",
            peer.describe()
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

fn client(version: ProtocolVersion) -> TlsConnector {
    let config: ClientConfig = support::client_builder()
        .with_protocol_versions(&[version])
        .build()
        .unwrap();
    TlsConnector::from(Arc::new(config))
}

/// One echo exchange with `peer`; whether the session was resumed.
async fn resumed(c: &TlsConnector, peer: &common::Peer) -> bool {
    support::timeout(async {
        let tcp = TcpStream::connect(("127.0.0.1", peer.port()))
            .await
            .unwrap();
        let mut tls = c.connect("localhost", tcp).await.unwrap();
        tls.write_all(b"ping").await.unwrap();
        tls.shutdown().await.unwrap();
        let mut got = Vec::new();
        // Reading to the end also takes in the TLS 1.3 tickets.
        tls.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"ping");
        tls.negotiated().resumed
    })
    .await
}

async fn fleet(version: ProtocolVersion) {
    let d = dir().join(format!("{version:?}"));
    std::fs::create_dir_all(&d).unwrap();
    let (k1, k2, k3) = (random_key(), random_key(), random_key());
    // Server A's two files: the sealing key and the previous one.
    let (cur, old) = (d.join("current.key"), d.join("previous.key"));
    std::fs::write(&cur, &k1).unwrap();
    std::fs::write(&old, &k3).unwrap();
    let shared = d.join("shared.key");
    std::fs::write(&shared, &k1).unwrap();
    let other = d.join("other.key");
    std::fs::write(&other, &k2).unwrap();

    let mut a = server(&[&cur, &old]);
    let b = server(&[&shared]);
    let stranger = server(&[&other]);

    // A session made on A resumes on B (same sealing key), not on a server
    // with other keys (a full handshake, not a failure).
    let x = client(version);
    assert!(!resumed(&x, &a).await, "first connection is full");
    assert!(resumed(&x, &b).await, "A's session resumes on B");
    let y = client(version);
    assert!(!resumed(&y, &a).await);
    assert!(!resumed(&y, &stranger).await, "other keys: full handshake");
    // y's new session is the stranger's; give it one sealed under k1 again.
    assert!(!resumed(&y, &a).await);

    // Rotation: k2 now seals, k1 still opens.
    std::fs::write(&cur, &k2).unwrap();
    std::fs::write(&old, &k1).unwrap();
    reload(&mut a, 1).await;
    assert!(resumed(&x, &a).await, "a k1 ticket resumes after rotation");
    // New tickets are sealed under k2: the k2-only server opens them.
    let z = client(version);
    assert!(!resumed(&z, &a).await);
    assert!(resumed(&z, &stranger).await, "k2 seals after rotation");

    // Retirement: k1 is gone; y's k1 ticket makes a full handshake.
    std::fs::write(&old, &k3).unwrap();
    reload(&mut a, 2).await;
    assert!(!resumed(&y, &a).await, "retired key: full handshake");
    assert!(resumed(&y, &a).await, "and the new session resumes");
    drop((a, b, stranger));
    let _ = std::fs::remove_dir_all(&d);
}

#[tokio::test]
async fn tls13_sessions_resume_across_servers_and_rotation() {
    fleet(ProtocolVersion::TLSv1_3).await;
}

#[tokio::test]
async fn tls12_sessions_resume_across_servers_and_rotation() {
    fleet(ProtocolVersion::TLSv1_2).await;
}

/// The example client's `--resume N` over two example servers taken in turn
/// (`--connect A,B`): every reconnection resumes when the servers share a
/// key file, none when each has its own.
#[test]
fn example_client_resumes_across_two_servers_in_turn() {
    let d = dir().join("cli");
    std::fs::create_dir_all(&d).unwrap();
    let (shared, own) = (d.join("shared.key"), d.join("own.key"));
    std::fs::write(&shared, random_key()).unwrap();
    std::fs::write(&own, random_key()).unwrap();
    for (version, extra) in [("1.3", None), ("1.2", Some("--tls12"))] {
        for (keys_b, want) in [(&shared, "yes"), (&own, "no")] {
            let (a, b) = (server(&[&shared]), server(&[keys_b]));
            let mut cmd = Command::new(example_bin::example("client"));
            cmd.args([
                "--connect",
                &format!("127.0.0.1:{},127.0.0.1:{}", a.port(), b.port()),
            ])
            .args([
                "--server-name",
                "localhost",
                "--ca",
                &support::path("ca.pem"),
            ])
            .args(["--resume", "3"])
            .args(extra);
            let out = common::run_with_input(cmd, b"hi\n", b"hi\n", common::TIMEOUT);
            let err = out.stderr_text();
            for k in 1..=3 {
                let line = err
                    .lines()
                    .find(|l| l.starts_with(&format!("resume {k}:")))
                    .unwrap_or_else(|| panic!("TLS {version}: no line {k}:\n{err}"));
                assert!(
                    line.ends_with(&format!("resumed={want}")),
                    "TLS {version}, B's keys {keys_b:?}: {line}"
                );
            }
        }
    }
    let _ = std::fs::remove_dir_all(&d);
}

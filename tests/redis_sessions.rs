//! Session storage in a real `redis-server` (feature `redis`), started by
//! each test on a free loopback port and stopped at its end: two servers
//! resume each other's TLS 1.2 session IDs through it, a client keeps its
//! sessions across a "restart" (a new configuration and store), and a Redis
//! killed mid-test turns resumptions into full handshakes, never into
//! failed connections, until it is back.
#![cfg(feature = "redis")]

mod common;
mod support;

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use lctls::config::{ClientConfig, ServerConfig};
use lctls::proto::enums::ProtocolVersion;
use lctls::redis::{RedisOptions, RedisSessionStore};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn url(port: u16) -> String {
    format!("redis://127.0.0.1:{port}/")
}

fn store(port: u16) -> Arc<RedisSessionStore> {
    let options = RedisOptions {
        retry_after: Duration::from_millis(200),
        ..RedisOptions::default()
    };
    Arc::new(RedisSessionStore::with_options(&url(port), options).unwrap())
}

/// Waits until Redis holds at least `n` keys matching `pattern`: writes are
/// queued, not waited for, by the handshake.
fn wait_keys(port: u16, pattern: &str, n: usize) {
    let deadline = Instant::now() + common::TIMEOUT;
    loop {
        let out = Command::new("redis-cli")
            .args(["-p", &port.to_string(), "--scan", "--pattern", pattern])
            .output()
            .unwrap();
        let found = String::from_utf8_lossy(&out.stdout).lines().count();
        if found >= n {
            return;
        }
        assert!(Instant::now() < deadline, "{pattern}: {found} keys of {n}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A TLS 1.2 server storing session IDs in Redis (no tickets, so the
/// session ID is the only way back).
fn server12(port: Option<u16>) -> Arc<ServerConfig> {
    let mut b = support::server_builder("server").with_tickets(false);
    if let Some(p) = port {
        b = b.with_session_store(store(p));
    }
    Arc::new(b.build().unwrap())
}

fn client(version: ProtocolVersion, redis: Option<u16>) -> Arc<ClientConfig> {
    let mut b = support::client_builder().with_protocol_versions(&[version]);
    if let Some(p) = redis {
        b = b.with_session_store(store(p));
    }
    Arc::new(b.build().unwrap())
}

/// One connection with data both ways (so TLS 1.3 tickets arrive); whether
/// it resumed, as both sides report it.
async fn resumed(cc: &Arc<ClientConfig>, sc: &Arc<ServerConfig>) -> bool {
    support::timeout(async {
        let (mut c, mut s) = support::pair(cc.clone(), sc.clone(), "localhost").await;
        assert_eq!(c.negotiated().resumed, s.negotiated().resumed);
        s.write_all(b"hi").await.unwrap();
        s.shutdown().await.unwrap();
        let mut got = Vec::new();
        c.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"hi");
        c.negotiated().resumed
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_share_tls12_session_ids_through_redis() {
    if !common::require("redis-server redis-cli") {
        return;
    }
    let port = common::free_port();
    let _redis = common::redis_server(port);
    let (a, b, alone) = (server12(Some(port)), server12(Some(port)), server12(None));
    let c = client(ProtocolVersion::TLSv1_2, None);
    assert!(!resumed(&c, &a).await);
    wait_keys(port, "lctls:s12:*", 1);
    assert!(resumed(&c, &b).await, "B resumes A's session ID via Redis");
    assert!(
        !resumed(&c, &alone).await,
        "a server with its own cache cannot"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_sessions_in_redis_survive_a_client_restart() {
    if !common::require("redis-server redis-cli") {
        return;
    }
    let port = common::free_port();
    let _redis = common::redis_server(port);
    // One server for both versions: it keeps its ticket keys throughout.
    let server = Arc::new(support::server_builder("server").build().unwrap());
    for (version, kind) in [
        (ProtocolVersion::TLSv1_3, "c13"),
        (ProtocolVersion::TLSv1_2, "c12"),
    ] {
        let first = client(version, Some(port));
        assert!(!resumed(&first, &server).await);
        wait_keys(port, &format!("lctls:{kind}:*"), 1);
        drop(first);
        // A new configuration with a new store: a restarted process.
        let restarted = client(version, Some(port));
        assert!(resumed(&restarted, &server).await, "{version:?}");
    }
    // A TLS 1.3 ticket is taken (GETDEL), so two clients never both use it.
    let out = Command::new("redis-cli")
        .args(["-p", &port.to_string(), "DEL", "lctls:c13:localhost"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let c = client(ProtocolVersion::TLSv1_3, Some(port));
    assert!(!resumed(&c, &server).await, "no ticket left");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_outage_degrades_to_full_handshakes_then_recovers() {
    if !common::require("redis-server redis-cli") {
        return;
    }
    let port = common::free_port();
    let mut redis = common::redis_server(port);
    let (a, b) = (server12(Some(port)), server12(Some(port)));
    let c = client(ProtocolVersion::TLSv1_2, None);
    assert!(!resumed(&c, &a).await);
    wait_keys(port, "lctls:s12:*", 1);
    assert!(resumed(&c, &b).await);

    redis.kill();
    // Every connection still succeeds, as a full handshake, and quickly.
    let started = Instant::now();
    for _ in 0..5 {
        assert!(!resumed(&c, &b).await, "no store, no resumption");
        assert!(!resumed(&c, &a).await);
    }
    let took = started.elapsed();
    eprintln!("10 handshakes with Redis down: {took:?}");
    assert!(took < Duration::from_secs(5), "10 handshakes took {took:?}");

    // Redis back on the same port (empty): after the retry delay the stores
    // reconnect by themselves and sessions are shared again.
    let _redis = common::redis_server(port);
    let deadline = Instant::now() + common::TIMEOUT;
    loop {
        tokio::time::sleep(Duration::from_millis(250)).await;
        // A full handshake (or a resumption, once A's session is back in
        // Redis): either way A has stored the session the client now holds.
        resumed(&c, &a).await;
        let stored = Command::new("redis-cli")
            .args([
                "-p",
                &port.to_string(),
                "--scan",
                "--pattern",
                "lctls:s12:*",
            ])
            .output()
            .unwrap();
        if !stored.stdout.is_empty() {
            assert!(resumed(&c, &b).await, "B resumes again after the outage");
            break;
        }
        assert!(Instant::now() < deadline, "stores did not reconnect");
    }
}

/// A Redis that was never there: every handshake is a full one, at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_that_never_answers_costs_only_resumption() {
    let port = common::free_port(); // nothing listens here
    let (a, b) = (server12(Some(port)), server12(Some(port)));
    let c12 = client(ProtocolVersion::TLSv1_2, Some(port));
    let c13 = client(ProtocolVersion::TLSv1_3, Some(port));
    let started = Instant::now();
    for _ in 0..3 {
        assert!(!resumed(&c12, &a).await);
        assert!(!resumed(&c12, &b).await);
        assert!(!resumed(&c13, &a).await);
    }
    let took = started.elapsed();
    eprintln!("9 handshakes with no Redis at all: {took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
}

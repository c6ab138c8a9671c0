//! 0-RTT anti-replay shared through a real `redis-server` (feature `redis`):
//! two servers with the same ticket keys and one Redis register accept a
//! ticket's early data once, so a ClientHello replayed to the second server
//! is refused there (without the shared register it would be accepted);
//! with Redis killed, early data is refused and the handshake goes on in
//! 1-RTT.
#![cfg(feature = "redis")]

mod common;
mod support;

use std::sync::Arc;

use lctls::config::{ClientConfig, ServerConfig, TicketKeys};
use lctls::proto::enums::ProtocolVersion;
use lctls::proto::{Connection, EarlyDataReason, OnReject};
use lctls::redis::RedisSessionStore;
use rustls_pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";

/// A 0-RTT server with the fleet's ticket keys and, when given, the Redis
/// register (else the in-memory default).
fn server(keys: &Arc<TicketKeys>, redis: Option<u16>) -> Arc<ServerConfig> {
    let mut b = support::server_builder("server")
        .with_ticket_keys(keys.clone())
        .with_max_early_data(4096);
    if let Some(port) = redis {
        let store = RedisSessionStore::new(&format!("redis://127.0.0.1:{port}/")).unwrap();
        b = b.with_anti_replay(Arc::new(store));
    }
    Arc::new(b.build().unwrap())
}

fn client() -> Arc<ClientConfig> {
    support::client_with(|b| b.with_protocol_versions(&[ProtocolVersion::TLSv1_3]))
}

/// A full handshake whose ticket the client takes in.
async fn get_ticket(cc: &Arc<ClientConfig>, sc: &Arc<ServerConfig>) {
    support::timeout(async {
        let (mut c, mut s) = support::pair(cc.clone(), sc.clone(), "localhost").await;
        s.write_all(b"t").await.unwrap();
        s.flush().await.unwrap();
        let mut one = [0u8; 1];
        c.read_exact(&mut one).await.unwrap();
    })
    .await
}

/// The client's first flight with 0-RTT data, as a capture would hold it.
fn first_flight(cc: &Arc<ClientConfig>) -> Vec<u8> {
    let mut c = Connection::new_client_with_replayable_early_data(
        cc.clone(),
        ServerName::try_from("localhost").unwrap(),
        REQUEST.to_vec(),
        OnReject::Resend,
    )
    .unwrap();
    c.take_outgoing().to_vec()
}

/// Feeds `flight` to a new connection of `sc`: its early-data verdict, and
/// the early data it accepted. The handshake never fails.
async fn offer(sc: &Arc<ServerConfig>, flight: &[u8]) -> (EarlyDataReason, Option<Vec<u8>>) {
    let mut s = Connection::new_server(sc.clone());
    s.feed(flight);
    s.process().expect("early data is refused, never fatal");
    // A Redis register answers asynchronously: the handshake pauses for
    // its claim (the in-memory one answers at once and never pauses).
    for _ in 0..2 {
        let Some(claim) = s.hook_future() else { break };
        s.resume_with(claim.await)
            .expect("early data is refused, never fatal");
    }
    assert!(s.pending().is_none());
    assert!(s.negotiated().resumed);
    assert!(s.outgoing_len() > 0, "the server answers");
    (s.negotiated().early_data, s.take_replayable_early_data())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn early_data_replayed_to_a_second_server_is_refused_through_redis() {
    if !common::require("redis-server") {
        return;
    }
    let port = common::free_port();
    let mut redis = common::redis_server(port);
    let keys = Arc::new(TicketKeys::from_bytes(&[[7u8; 80]]).unwrap());
    let (a, b) = (server(&keys, Some(port)), server(&keys, Some(port)));
    let lone = server(&keys, None);
    let cc = client();

    get_ticket(&cc, &a).await;
    let flight = first_flight(&cc);
    assert_eq!(
        offer(&a, &flight).await,
        (EarlyDataReason::Accepted, Some(REQUEST.to_vec()))
    );
    assert_eq!(
        offer(&b, &flight).await,
        (EarlyDataReason::Replayed, None),
        "B refuses A's ClientHello replayed to it"
    );
    assert_eq!(offer(&a, &flight).await, (EarlyDataReason::Replayed, None));
    // The danger the shared register removes: a server with only its own
    // register takes the replay.
    assert_eq!(offer(&lone, &flight).await.0, EarlyDataReason::Accepted);

    // A fresh ticket is accepted once, whichever server sees it first.
    get_ticket(&cc, &a).await;
    let flight = first_flight(&cc);
    assert_eq!(offer(&b, &flight).await.0, EarlyDataReason::Accepted);
    assert_eq!(offer(&a, &flight).await.0, EarlyDataReason::Replayed);

    // Redis down: no register answers, so no early data is accepted, and
    // the handshakes still go on in 1-RTT.
    get_ticket(&cc, &a).await;
    let flight = first_flight(&cc);
    redis.kill();
    assert_eq!(offer(&a, &flight).await, (EarlyDataReason::Replayed, None));
    assert_eq!(offer(&b, &flight).await, (EarlyDataReason::Replayed, None));
}

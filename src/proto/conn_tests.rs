//! Unit tests of `Connection` over a real pair stepped in memory.

use super::*;
use crate::config::CertifiedKey;
use crate::pki::RootStore;
use crate::proto::wire::enums::ProtocolVersion;

const CERTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");

/// An established (client, server) pair speaking `version`.
fn pair(version: ProtocolVersion) -> (Connection, Connection) {
    let mut roots = RootStore::new();
    roots.add_pem_file(format!("{CERTS}/ca.pem")).unwrap();
    let cc = ClientConfig::builder()
        .with_root_store(Arc::new(roots))
        .with_protocol_versions(&[version])
        .build()
        .unwrap();
    let key =
        CertifiedKey::from_pem_files(format!("{CERTS}/server.pem"), format!("{CERTS}/server.key"))
            .unwrap();
    let sc = ServerConfig::builder()
        .with_certified_key(key)
        .build()
        .unwrap();
    let mut c =
        Connection::new_client(Arc::new(cc), ServerName::try_from("localhost").unwrap()).unwrap();
    let mut s = Connection::new_server(Arc::new(sc));
    for _ in 0..10 {
        s.feed(&c.take_outgoing());
        s.process().unwrap();
        c.feed(&s.take_outgoing());
        c.process().unwrap();
    }
    assert!(!c.is_handshaking() && !s.is_handshaking());
    assert_eq!(c.negotiated().version, Some(version));
    (c, s)
}

fn tls12_pair() -> (Connection, Connection) {
    pair(ProtocolVersion::TLSv1_2)
}

/// A TLS 1.2 peer that keeps asking for renegotiation, one handshake
/// record per attempt with data in between, gets refused a bounded number of times and then
/// fails: each refusal queues a warning alert, so without the limit a
/// peer that never reads makes our outgoing buffer grow without bound.
#[test]
fn tls12_renegotiation_flood_is_bounded() {
    let (mut c, mut s) = tls12_pair();
    // A minimal ClientHello: version, random, no session id, one suite, null compression.
    let mut body = vec![3, 3];
    body.extend_from_slice(&[7; 32]);
    body.extend_from_slice(&[0, 0, 2, 0xc0, 0x2b, 1, 0]);
    let mut msg = vec![HandshakeType::ClientHello.get(), 0, 0, body.len() as u8];
    msg.extend_from_slice(&body);
    let mut result = Ok(());
    for _ in 0..1000 {
        c.common
            .record
            .seal(ContentType::Handshake, &msg, &mut c.common.outgoing)
            .unwrap();
        // Data between the attempts does not reset the count.
        c.write_plaintext(b"x").unwrap();
        s.feed(&c.take_outgoing());
        result = s.process();
        if result.is_err() {
            break;
        }
    }
    assert_eq!(
        result.unwrap_err().alert(),
        Some(AlertDescription::UnexpectedMessage)
    );
    assert!(
        s.outgoing_len() < 64 * 40,
        "{} bytes queued",
        s.outgoing_len()
    );
}

/// Seals `msg` as one handshake record under `c`'s current write key, as a
/// peer that ignores our own checks would.
fn seal_handshake(c: &mut Connection, msg: &HandshakeMessage) {
    c.common
        .record
        .seal(
            ContentType::Handshake,
            &msg.to_bytes(),
            &mut c.common.outgoing,
        )
        .unwrap();
}

/// A KeyUpdate after the peer's close_notify is refused: the peer closed
/// its write side, so it has no business changing its write keys.
#[test]
fn key_update_after_close_notify_is_refused() {
    for requested in [false, true] {
        let (mut c, mut s) = pair(ProtocolVersion::TLSv1_3);
        c.send_close_notify();
        seal_handshake(&mut c, &HandshakeMessage::KeyUpdate(requested));
        s.feed(&c.take_outgoing());
        let e = s.process().unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::UnexpectedMessage), "{e}");
        assert!(s.received_close_notify());
    }
}

//! Unit tests of `Connection` over a real pair stepped in memory.

use super::*;
use crate::config::CertifiedKey;
use crate::pki::RootStore;
use crate::proto::wire::enums::{CipherSuite, ProtocolVersion};

const MAX_FRAGMENT: usize = crate::proto::record::MAX_PLAINTEXT;
const CERTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");

/// An established (client, server) pair speaking `version` (also used by
/// the stream layer's tests).
pub(crate) fn pair(version: ProtocolVersion) -> (Connection, Connection) {
    pair_with(version, None)
}

/// [`pair`] restricted to one cipher suite, if given.
fn pair_with(version: ProtocolVersion, suite: Option<CipherSuite>) -> (Connection, Connection) {
    let mut roots = RootStore::new();
    roots.add_pem_file(format!("{CERTS}/ca.pem")).unwrap();
    let mut cb = ClientConfig::builder()
        .with_root_store(Arc::new(roots))
        .with_protocol_versions(&[version]);
    if let Some(suite) = suite {
        cb = cb.with_cipher_suites(&[suite]);
    }
    let cc = cb.build().unwrap();
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

/// A TLS 1.2 renegotiation attempt ends the connection at once with a
/// fatal no_renegotiation, on both sides, and queues nothing but that alert.
#[test]
fn tls12_renegotiation_is_refused_with_a_fatal_alert() {
    // Server side: a ClientHello after the handshake (a minimal one:
    // version, random, no session id, one suite, null compression).
    let (mut c, mut s) = tls12_pair();
    let mut body = vec![3, 3];
    body.extend_from_slice(&[7; 32]);
    body.extend_from_slice(&[0, 0, 2, 0xc0, 0x2b, 1, 0]);
    let mut msg = vec![HandshakeType::ClientHello.get(), 0, 0, body.len() as u8];
    msg.extend_from_slice(&body);
    c.common
        .record
        .seal(ContentType::Handshake, &msg, &mut c.common.outgoing)
        .unwrap();
    s.feed(&c.take_outgoing());
    let e = s.process().unwrap_err();
    assert_eq!(e.alert(), Some(AlertDescription::NoRenegotiation), "{e}");
    c.feed(&s.take_outgoing());
    assert_eq!(
        c.process().unwrap_err(),
        Error::AlertReceived(AlertDescription::NoRenegotiation)
    );

    // Client side: a HelloRequest.
    let (mut c, mut s) = tls12_pair();
    s.common
        .record
        .seal(
            ContentType::Handshake,
            &[0, 0, 0, 0],
            &mut s.common.outgoing,
        )
        .unwrap();
    c.feed(&s.take_outgoing());
    let e = c.process().unwrap_err();
    assert_eq!(e.alert(), Some(AlertDescription::NoRenegotiation), "{e}");
    s.feed(&c.take_outgoing());
    assert_eq!(
        s.process().unwrap_err(),
        Error::AlertReceived(AlertDescription::NoRenegotiation)
    );
}

/// Seals `msg` as one handshake record under `c`'s current write key, as a
/// peer that ignores our own checks would.
fn seal_handshake(c: &mut Connection, msg: &HandshakeMessage) {
    c.common
        .record
        .seal(
            ContentType::Handshake,
            &msg.to_bytes().unwrap(),
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

/// Moves `data` from `from` to `to` as application data; returns what `to` read.
fn deliver(from: &mut Connection, to: &mut Connection, data: &[u8]) -> Vec<u8> {
    assert_eq!(from.write_plaintext(data).unwrap(), data.len());
    to.feed(&from.take_outgoing());
    let mut got = vec![0; data.len() + 1];
    let mut n = 0;
    // The reader holds 64 KiB of plaintext at a time: read, then process more.
    for _ in 0..data.len() / 4096 + 2 {
        to.process().unwrap();
        n += to.read_plaintext(&mut got[n..]);
    }
    got.truncate(n);
    got
}

/// ChaCha20-Poly1305 has no practical key limit, but the sequence number
/// space ends: in TLS 1.3 the connection changes keys before the last
/// number and data keeps flowing; the number never wraps.
#[test]
fn tls13_chacha_changes_keys_before_the_sequence_space_ends() {
    let suite = CipherSuite::TLS13_CHACHA20_POLY1305_SHA256;
    let (mut c, mut s) = pair_with(ProtocolVersion::TLSv1_3, Some(suite));
    s.process().unwrap();
    c.feed(&s.take_outgoing());
    c.process().unwrap();
    c.common.record.set_write_seq_for_tests(u64::MAX - 3);
    s.common.record.set_read_seq_for_tests(u64::MAX - 3);
    // Two records of data fit under the old key, whose third and last number
    // carries the KeyUpdate; the other three go under the new key.
    let data: Vec<u8> = (0..5 * MAX_FRAGMENT).map(|i| i as u8).collect();
    assert!(deliver(&mut c, &mut s, &data) == data, "data changed");
    assert_eq!(
        c.common.record.write_seq(),
        3,
        "3 records under the new key"
    );
}

/// In TLS 1.2 the same end of the sequence space closes the connection
/// cleanly: close_notify in the last record, the bytes before it delivered,
/// and a clear error for the writer, never a wrapped number.
#[test]
fn tls12_chacha_closes_cleanly_at_the_end_of_the_sequence_space() {
    let suite = CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256;
    let (mut c, mut s) = pair_with(ProtocolVersion::TLSv1_2, Some(suite));
    c.common.record.set_write_seq_for_tests(u64::MAX - 3);
    s.common.record.set_read_seq_for_tests(u64::MAX - 3);
    let data = vec![9u8; 3 * MAX_FRAGMENT];
    // Two records of data, then close_notify in the last one.
    assert_eq!(c.write_plaintext(&data).unwrap(), 2 * MAX_FRAGMENT);
    assert_eq!(c.common.record.write_seq(), u64::MAX);
    let e = c.write_plaintext(b"more").unwrap_err();
    assert_eq!(
        e,
        Error::KeyLimitReached {
            suite,
            records: u64::MAX
        }
    );
    assert_eq!(e.alert(), None);
    s.feed(&c.take_outgoing());
    s.process().unwrap();
    assert!(s.received_close_notify());
    assert_eq!(s.plaintext_len(), 2 * MAX_FRAGMENT);
    // Only our write side is closed: the peer's data still comes in.
    assert_eq!(deliver(&mut s, &mut c, b"still reading"), b"still reading");
}

/// Seals `n` warning alerts of `desc` from `from` to `to`, then processes.
fn send_warnings(
    from: &mut Connection,
    to: &mut Connection,
    desc: AlertDescription,
    n: usize,
) -> Result<(), Error> {
    for _ in 0..n {
        from.common.send_alert(AlertLevel::Warning, desc);
    }
    to.feed(&from.take_outgoing());
    to.process()
}

/// After the handshake, protected warning alerts pass four in a row (TLS
/// 1.2: any warning; TLS 1.3: user_canceled) and data resets the count;
/// the fifth in a row is refused (BoGo's SendWarningAlerts-TooMany and
/// SendUserCanceledAlerts-TooMany-TLS13).
#[test]
fn protected_warning_alerts_are_limited_to_four_in_a_row() {
    let too_many = Error::unexpected("too many warning alerts: the peer sent more than 4 in a row");
    for (version, desc) in [
        (
            ProtocolVersion::TLSv1_2,
            AlertDescription::UnexpectedMessage,
        ),
        (ProtocolVersion::TLSv1_3, AlertDescription::UserCanceled),
    ] {
        let (mut c, mut s) = pair(version);
        for _ in 0..3 {
            send_warnings(&mut s, &mut c, desc, 4).unwrap();
            assert_eq!(deliver(&mut s, &mut c, b"data"), b"data");
        }
        assert_eq!(
            send_warnings(&mut s, &mut c, desc, 5),
            Err(too_many.clone())
        );
    }
}

/// In TLS 1.3 only close_notify and user_canceled may be warnings (RFC 8446
/// section 6): another warning-level alert ends the connection with
/// decode_error (BoGo's SendWarningAlerts-TLS13).
#[test]
fn tls13_warning_level_error_alert_is_decode_error() {
    let (mut c, mut s) = pair(ProtocolVersion::TLSv1_3);
    let e = send_warnings(&mut s, &mut c, AlertDescription::UnexpectedMessage, 1).unwrap_err();
    assert_eq!(
        e,
        Error::decode(
            "peer sent unexpected_message as a warning alert in TLS 1.3, where only \
             close_notify and user_canceled may be warnings"
        )
    );
    s.feed(&c.take_outgoing());
    assert_eq!(
        s.process(),
        Err(Error::AlertReceived(AlertDescription::DecodeError))
    );
}

/// A KeyUpdate followed in its record by more handshake data: that data
/// would span the key change (RFC 8446 section 5.1), unexpected_message.
#[test]
fn key_update_must_end_its_record() {
    let (mut c, mut s) = pair(ProtocolVersion::TLSv1_3);
    let mut msg = HandshakeMessage::KeyUpdate(false).to_bytes().unwrap();
    msg.extend_from_slice(&[24, 0]);
    c.common
        .record
        .seal(ContentType::Handshake, &msg, &mut c.common.outgoing)
        .unwrap();
    s.feed(&c.take_outgoing());
    assert_eq!(
        s.process(),
        Err(Error::unexpected(
            "handshake message straddles a key change"
        ))
    );
}

/// A client config over the test roots offering exactly `versions`.
fn client_offering(versions: &[ProtocolVersion]) -> Connection {
    let mut roots = RootStore::new();
    roots.add_pem_file(format!("{CERTS}/ca.pem")).unwrap();
    let cc = ClientConfig::builder()
        .with_root_store(Arc::new(roots))
        .with_protocol_versions(versions)
        .build()
        .unwrap();
    Connection::new_client(Arc::new(cc), ServerName::try_from("localhost").unwrap()).unwrap()
}

/// A TLS 1.3-only client that gets a TLS 1.2 ServerHello says what it
/// takes; it used to say "only TLS 1.3 is supported" although the crate
/// speaks TLS 1.2 too.
#[test]
fn tls13_only_client_refusing_tls12_names_what_it_takes() {
    let key =
        CertifiedKey::from_pem_files(format!("{CERTS}/server.pem"), format!("{CERTS}/server.key"))
            .unwrap();
    let sc = ServerConfig::builder()
        .with_certified_key(key)
        .with_protocol_versions(&[ProtocolVersion::TLSv1_2])
        .build()
        .unwrap();
    let mut s = Connection::new_server(Arc::new(sc));
    // A TLS 1.2 ServerHello, from a server that cannot speak TLS 1.3 (so
    // without the downgrade sentinel), to a client that offered both.
    let mut both = client_offering(&[ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2]);
    s.feed(&both.take_outgoing());
    s.process().unwrap();
    let flight = s.take_outgoing();
    // Its first message, without the extensions the TLS 1.3-only client
    // did not offer (extended_master_secret, renegotiation_info), which it
    // would refuse first.
    let len =
        4 + usize::from(flight[6]) * 65536 + usize::from(flight[7]) * 256 + usize::from(flight[8]);
    let Ok(HandshakeMessage::ServerHello(mut sh)) = HandshakeMessage::decode(&flight[5..5 + len])
    else {
        panic!("the flight starts with a ServerHello");
    };
    sh.extensions = Default::default();
    let msg = HandshakeMessage::ServerHello(sh).to_bytes().unwrap();
    let header =
        crate::proto::record::codec::encode_header(ContentType::Handshake, msg.len() as u16);

    let mut c = client_offering(&[ProtocolVersion::TLSv1_3]);
    let _ = c.take_outgoing();
    c.feed(&[&header[..], &msg].concat());
    assert_eq!(
        c.process(),
        Err(Error::UnsupportedVersion(
            "server chose legacy version 0x0303; this client takes only TLS 1.3 \
             (TLS 1.2 is not enabled)"
                .into()
        ))
    );
    assert_eq!(
        c.error().and_then(Error::alert),
        Some(AlertDescription::ProtocolVersion)
    );
}

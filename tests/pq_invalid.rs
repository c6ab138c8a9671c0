//! Malformed post-quantum key shares from a peer: every one is refused with
//! illegal_parameter (RFC 8446 section 4.2.8; draft-ietf-tls-ecdhe-mlkem
//! section 4.1 for the share lengths; FIPS 203 section 7.2 for the
//! encapsulation key check), on the wire as a fatal alert. No real peer
//! sends these, so the shares are forged into real hellos.

mod support;

use lctls::proto::enums::{AlertDescription, CipherSuite, NamedGroup, ProtocolVersion};
use lctls::proto::Connection;
use lctls::unstable_internals::{
    HandshakeMessage, KeyExchange, KeyShareEntry, ServerHello, ServerHelloExtensions,
};
use support::forge::{
    assert_alert, decode_hello, encode_hello, handshake_records, plain_handshakes,
};
use support::*;

const HYBRID: NamedGroup = NamedGroup::X25519MLKEM768;
const P256_HYBRID: NamedGroup = NamedGroup::SecP256r1MLKEM768;
const ILLEGAL: AlertDescription = AlertDescription::IllegalParameter;

/// A real ClientHello offering only `group`, its share replaced by `share`.
fn hello_with_share(group: NamedGroup, share: Vec<u8>) -> Vec<u8> {
    let cc = client_with(|b| b.with_groups(&[group]));
    let mut ch =
        decode_hello(&plain_handshakes(&sans_io_client(cc, "localhost").take_outgoing())[0]);
    ch.extensions.key_shares = Some(vec![KeyShareEntry {
        group,
        payload: share,
    }]);
    encode_hello(ch)
}

/// A valid client share for `group`.
fn good_share(group: NamedGroup) -> Vec<u8> {
    KeyExchange::start(group).unwrap().public_key().to_vec()
}

/// Our server (accepting `group`) given `share`: the error it reports, after
/// checking it sent the alert in the clear.
#[track_caller]
fn server_refuses(group: NamedGroup, share: Vec<u8>) -> String {
    let sc = server_with("server", |b| b.with_groups(&[group]));
    let mut s = Connection::new_server(sc);
    s.feed(&handshake_records(&hello_with_share(group, share)));
    let e = assert_alert(s.process(), ILLEGAL);
    assert_eq!(&s.take_outgoing()[..], plain_fatal_alert(47), "{e}");
    e.to_string()
}

#[test]
fn server_refuses_hybrid_shares_of_the_wrong_length() {
    for (g, len) in [
        (HYBRID, 1216),
        (P256_HYBRID, 1249),
        (NamedGroup::MLKEM1024, 1568),
    ] {
        let good = good_share(g);
        assert_eq!(good.len(), len);
        for bad in [good[..len - 1].to_vec(), [&good[..], &[0]].concat()] {
            let e = server_refuses(g, bad);
            assert!(e.contains("key share of"), "{g:?}: {e}");
        }
    }
}

/// An ML-KEM encapsulation key with a coefficient of 4095, not reduced mod
/// q = 3329 (BoGo's MLKEMEncapKeyNotReduced): the KEM part comes first in
/// X25519MLKEM768 and is the whole share of MLKEM1024.
#[test]
fn server_refuses_an_unreduced_encapsulation_key() {
    for g in [HYBRID, NamedGroup::MLKEM1024] {
        let mut share = good_share(g);
        share[0] = 0xff;
        share[1] |= 0x0f;
        let e = server_refuses(g, share);
        assert!(e.contains("encapsulation key"), "{g:?}: {e}");
    }
    // In SecP256r1MLKEM768 the KEM part follows the 65-byte P-256 point.
    let mut share = good_share(P256_HYBRID);
    share[65] = 0xff;
    share[66] |= 0x0f;
    assert!(server_refuses(P256_HYBRID, share).contains("encapsulation key"));
}

/// The classical half is checked like a plain ECDH share: X25519's low-order
/// point (all zeros, an all-zero secret) and a P-256 point off the curve.
#[test]
fn server_refuses_a_bad_classical_half() {
    let mut share = good_share(HYBRID);
    share[1184..].fill(0);
    assert!(server_refuses(HYBRID, share).contains("not a valid public key"));
    let mut share = good_share(P256_HYBRID);
    share[1..65].fill(0x11);
    assert!(server_refuses(P256_HYBRID, share).contains("not a valid public key"));
    // A compressed P-256 point of the same total length is not a point.
    let mut share = good_share(P256_HYBRID);
    share[0] = 2;
    assert!(server_refuses(P256_HYBRID, share).contains("key share of"));
}

/// Our client (offering `group` alone) given a ServerHello choosing `sh_group`
/// with `share`: the error, after checking the alert went out in the clear.
#[track_caller]
fn client_refuses(group: NamedGroup, sh_group: NamedGroup, share: Vec<u8>) -> String {
    let cc = client_with(|b| b.with_groups(&[group]));
    let mut c = sans_io_client(cc, "localhost");
    let ch = decode_hello(&plain_handshakes(&c.take_outgoing())[0]);
    let sh = HandshakeMessage::ServerHello(ServerHello {
        legacy_version: ProtocolVersion::TLSv1_2.get(),
        random: [9; 32],
        session_id: ch.session_id,
        cipher_suite: CipherSuite::TLS13_AES_128_GCM_SHA256,
        compression_method: 0,
        extensions: ServerHelloExtensions {
            selected_version: Some(ProtocolVersion::TLSv1_3),
            key_share: Some(KeyShareEntry {
                group: sh_group,
                payload: share,
            }),
            ..Default::default()
        },
    })
    .to_bytes()
    .unwrap();
    c.feed(&handshake_records(&sh));
    let e = assert_alert(c.process(), ILLEGAL);
    assert_eq!(&c.take_outgoing()[..], plain_fatal_alert(47), "{e}");
    e.to_string()
}

/// A real server share for `group` (a ciphertext, and for a hybrid an ECDH key).
fn server_share(group: NamedGroup) -> Vec<u8> {
    KeyExchange::respond(group, &good_share(group)).unwrap().0
}

#[test]
fn client_refuses_server_shares_of_the_wrong_length() {
    for (g, len) in [
        (HYBRID, 1120),
        (P256_HYBRID, 1153),
        (NamedGroup::MLKEM1024, 1568),
    ] {
        let good = server_share(g);
        assert_eq!(good.len(), len);
        for bad in [good[..len - 1].to_vec(), [&good[..], &[0]].concat()] {
            let e = client_refuses(g, g, bad);
            assert!(e.contains("key share of"), "{g:?}: {e}");
        }
    }
}

#[test]
fn client_refuses_a_low_order_x25519_half() {
    let mut share = server_share(HYBRID);
    share[1088..].fill(0);
    assert!(client_refuses(HYBRID, HYBRID, share).contains("not a valid public key"));
}

/// A server choosing a group we listed no share for (the hybrid, when we
/// offered X25519 alone), or one we never offered.
#[test]
fn client_refuses_a_share_for_a_group_it_did_not_send() {
    let e = client_refuses(NamedGroup::X25519, HYBRID, server_share(HYBRID));
    assert!(e.contains("which we sent no share for"), "{e}");
    let e = client_refuses(
        HYBRID,
        NamedGroup::MLKEM1024,
        server_share(NamedGroup::MLKEM1024),
    );
    assert!(e.contains("which we sent no share for"), "{e}");
}

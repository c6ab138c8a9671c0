//! The ticket decryption path: `Ticketer::open`/`open13` and the session
//! decoders behind them, directly and through a server `Connection`.
//!
//! Under `cfg(fuzzing)` the ticket key and key name come from the fixed
//! randomness, so this target seals arbitrary plaintext exactly as the
//! server's ticketer would (key name, nonce, AES-256-GCM with the name as
//! additional data): the session decoders see fuzzed bytes that passed
//! authentication, which no peer could otherwise produce.
//!
//! Input: a mode byte, then the plaintext (or, in mode bit 0x80, a raw ticket).
//!
//! Invariants: a ticket opens as at most one of TLS 1.2 and TLS 1.3; an
//! opened session is fresh at the ticketer's clock; sealing it again and
//! opening gives the same session; any changed byte makes it unopenable.
//! The sealed ticket offered in a ClientHello (TLS 1.3 pre_shared_key with a
//! dummy binder, or a TLS 1.2 session_ticket, which resumes without any
//! binder) leaves the server within every `Victim` invariant.
#![no_main]

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
use lctls::proto::Connection;
use lctls::unstable_internals::{
    encode_header, rng, ContentType, HandshakeMessage, PskIdentity, PskOffer, Ticketer,
};
use lctls_fuzz::{new_client, server_config, Plan, Victim, NOW};
use libfuzzer_sys::fuzz_target;

/// The server's ticket lifetime (src/config/server.rs), so freshness here
/// matches what the server decides.
const LIFETIME: u64 = 12 * 3600;

/// Seals `plain` as the fuzzing-build ticketer does: its key is the first
/// 32 bytes of the fixed random stream and its name the first 16.
fn seal_fixed(nonce_byte: u8, plain: &[u8]) -> Vec<u8> {
    let mut raw = [0u8; 32];
    let mut name = [0u8; 16];
    rng::fill(&mut raw).unwrap();
    rng::fill(&mut name).unwrap();
    let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &raw).unwrap());
    let nonce = [nonce_byte; 12];
    let mut body = plain.to_vec();
    let tag = key
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(&name),
            &mut body,
        )
        .unwrap();
    [&name[..], &nonce, &body, tag.as_ref()].concat()
}

fn check_open(t: &Ticketer, ticket: &[u8]) {
    let s12 = t.open(ticket, NOW);
    let s13 = t.open13(ticket, NOW);
    assert!(
        s12.is_none() || s13.is_none(),
        "a ticket opened as both versions"
    );
    if let Some(s) = s12 {
        assert!(s.is_fresh(NOW));
        let again = t
            .open(&t.seal(&s, NOW).unwrap(), NOW)
            .expect("resealed TLS 1.2 session opens");
        // The whole session, secret included, through its public encoding.
        assert_eq!(*again.to_bytes().unwrap(), *s.to_bytes().unwrap());
        assert_eq!(again.cipher_suite(), s.cipher_suite());
        assert_eq!(
            (again.extended_ms, again.created),
            (s.extended_ms, s.created)
        );
    } else if let Some(s) = s13 {
        assert!(s.is_fresh(NOW));
        let again = t
            .open13(&t.seal13(&s, NOW).unwrap(), NOW)
            .expect("resealed TLS 1.3 session opens");
        assert_eq!(*again.to_bytes().unwrap(), *s.to_bytes().unwrap());
        assert_eq!(again.cipher_suite(), s.cipher_suite());
        assert_eq!((again.age_add, again.created), (s.age_add, s.created));
    } else {
        return;
    }
    // Authenticated: a flipped bit anywhere is refused.
    let mut bad = ticket.to_vec();
    let i = ticket.len() / 2;
    bad[i] ^= 1;
    assert!(t.open(&bad, NOW).is_none() && t.open13(&bad, NOW).is_none());
}

/// Our deterministic ClientHello, offering `ticket` as a TLS 1.3 PSK or a
/// TLS 1.2 session ticket, as one handshake record.
fn client_hello_with(ticket: &[u8], tls13: bool) -> Vec<u8> {
    let first = new_client(0).take_outgoing();
    let Ok(HandshakeMessage::ClientHello(mut ch)) = HandshakeMessage::decode(&first[5..]) else {
        panic!("our ClientHello does not decode");
    };
    let e = &mut ch.extensions;
    if tls13 {
        e.psk_modes = Some(vec![1]);
        e.psk = Some(PskOffer {
            identities: vec![PskIdentity {
                identity: ticket.to_vec(),
                obfuscated_age: 0,
            }],
            binders: vec![vec![0; 32]],
        });
    } else {
        e.supported_versions = None;
        e.key_shares = None;
        e.session_ticket = Some(ticket.to_vec());
        ch.session_id = vec![7; 32];
    }
    let msg = HandshakeMessage::ClientHello(ch).to_bytes().unwrap();
    let len = u16::try_from(msg.len()).unwrap_or(u16::MAX);
    [&encode_header(ContentType::Handshake, len)[..], &msg].concat()
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let t = Ticketer::new(LIFETIME, NOW).unwrap();
    let ticket = if mode & 0x80 != 0 {
        rest.to_vec()
    } else {
        seal_fixed(mode, rest)
    };
    check_open(&t, &ticket);
    if ticket.is_empty() || ticket.len() > 4000 {
        return;
    }
    let hello = client_hello_with(&ticket, mode & 1 == 0);
    let mut v = Victim::new(Connection::new_server(server_config(0)));
    v.drive(Plan::from_byte(0), &hello);
});

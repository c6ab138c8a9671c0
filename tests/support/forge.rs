//! Raw handshake messages for tests that play a peer no real implementation
//! would: records split and joined by hand, hellos re-encoded with edited
//! extension lists, and a TLS 1.3 server flight sealed with this crate's
//! public key schedule and record layer.

use lctls::proto::enums::{AlertDescription, NamedGroup, ProtocolVersion};
use lctls::unstable_internals::{
    put_len_prefixed, put_vec, ClientHello, ContentType, EarlySecret, HandshakeMessage,
    KeyExchange, KeyShareEntry, LenPrefix, Put, Reader, RecordLayer, ServerHello,
    ServerHelloExtensions, Transcript, TLS13_AES_128_GCM_SHA256,
};
use lctls::Error;

/// Splits a byte stream into (content type, payload) records.
pub fn records(mut bytes: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let len = u16::from_be_bytes([bytes[3], bytes[4]]) as usize;
        out.push((bytes[0], bytes[5..5 + len].to_vec()));
        bytes = &bytes[5 + len..];
    }
    out
}

/// The handshake messages (header included) in a plaintext record stream;
/// each test message fits one record.
pub fn plain_handshakes(bytes: &[u8]) -> Vec<Vec<u8>> {
    records(bytes)
        .into_iter()
        .filter(|(t, _)| *t == 22)
        .map(|(_, p)| p)
        .collect()
}

/// A plaintext handshake record holding `msg`.
pub fn handshake_record(msg: &[u8]) -> Vec<u8> {
    let mut rec = vec![22, 3, 3];
    rec.extend_from_slice(&(msg.len() as u16).to_be_bytes());
    rec.extend_from_slice(msg);
    rec
}

/// Plaintext handshake records carrying `msg`, split at the 2^14-byte
/// record limit (for messages larger than one record).
pub fn handshake_records(msg: &[u8]) -> Vec<u8> {
    msg.chunks(16384).flat_map(handshake_record).collect()
}

/// Decodes an encoded ClientHello (header included).
pub fn decode_hello(msg: &[u8]) -> ClientHello {
    match HandshakeMessage::decode(msg).unwrap() {
        HandshakeMessage::ClientHello(ch) => ch,
        other => panic!("expected a ClientHello, got {other:?}"),
    }
}

/// Encodes a ClientHello (header included).
pub fn encode_hello(ch: ClientHello) -> Vec<u8> {
    HandshakeMessage::ClientHello(ch).to_bytes().unwrap()
}

/// Rebuilds an encoded ClientHello or ServerHello after `edit` changed its
/// extension list (type, body), recomputing every length: for extensions the
/// typed structs do not model (padding, unknown ones), duplicates, and for
/// bodies with trailing bytes.
pub fn edit_extensions(msg: &[u8], edit: impl FnOnce(&mut Vec<(u16, Vec<u8>)>)) -> Vec<u8> {
    let mut r = Reader::new(&msg[4..]);
    r.take(2 + 32).unwrap();
    r.vec8().unwrap();
    if msg[0] == 1 {
        r.vec16().unwrap();
        r.vec8().unwrap();
    } else {
        r.take(2 + 1).unwrap();
    }
    let fixed = &msg[4..msg.len() - r.left()];
    let mut exts = Vec::new();
    if !r.is_empty() {
        let mut block = r.sub16().unwrap();
        while !block.is_empty() {
            let typ = block.u16().unwrap();
            exts.push((typ, block.vec16().unwrap().to_vec()));
        }
    }
    edit(&mut exts);
    let mut out = vec![msg[0]];
    put_len_prefixed(&mut out, LenPrefix::U24, |o| {
        o.put_bytes(fixed);
        put_len_prefixed(o, LenPrefix::U16, |o| {
            for (typ, body) in &exts {
                o.put_u16v(*typ);
                put_vec(o, LenPrefix::U16, body)?;
            }
            Ok(())
        })
    })
    .unwrap();
    out
}

/// Appends one extension to an encoded ClientHello or ServerHello.
pub fn with_extension(msg: &[u8], typ: u16, body: &[u8]) -> Vec<u8> {
    edit_extensions(msg, |e| e.push((typ, body.to_vec())))
}

/// Asserts that `r` failed with `alert` and returns the error.
#[track_caller]
pub fn assert_alert(r: Result<(), Error>, alert: AlertDescription) -> Error {
    let e = r.expect_err("the peer input must be refused");
    assert_eq!(e.alert(), Some(alert), "{e}");
    e
}

/// An EncryptedExtensions message without extensions.
pub fn empty_encrypted_extensions() -> Vec<u8> {
    vec![8, 0, 0, 2, 0, 0]
}

/// Plays the server to a real client: reads its ClientHello (X25519 share),
/// answers with a ServerHello, and seals `messages` under the server
/// handshake traffic key, as a real server seals EncryptedExtensions onwards.
pub fn forged_server_flight(client_output: &[u8], messages: &[Vec<u8>]) -> Vec<u8> {
    forged_server_flight_with(client_output, |sh| sh, messages)
}

/// The same, with the encoded ServerHello passed through `edit_sh` first
/// (the transcript covers the edited bytes).
pub fn forged_server_flight_with(
    client_output: &[u8],
    edit_sh: impl FnOnce(Vec<u8>) -> Vec<u8>,
    messages: &[Vec<u8>],
) -> Vec<u8> {
    let ch_msg = plain_handshakes(client_output).remove(0);
    let ch = decode_hello(&ch_msg);
    let suite = &TLS13_AES_128_GCM_SHA256;
    let share = ch
        .extensions
        .key_shares
        .as_ref()
        .and_then(|k| k.iter().find(|s| s.group == NamedGroup::X25519))
        .expect("an X25519 share");
    let (public, shared) = KeyExchange::respond(NamedGroup::X25519, &share.payload).unwrap();
    let sh = HandshakeMessage::ServerHello(ServerHello {
        legacy_version: 0x0303,
        random: [7; 32],
        session_id: ch.session_id.clone(),
        cipher_suite: suite.suite,
        compression_method: 0,
        extensions: ServerHelloExtensions {
            selected_version: Some(ProtocolVersion::TLSv1_3),
            key_share: Some(KeyShareEntry {
                group: NamedGroup::X25519,
                payload: public,
            }),
            ..Default::default()
        },
    })
    .to_bytes()
    .unwrap();
    let sh = edit_sh(sh);
    let mut transcript = Transcript::new(suite.hash);
    transcript.add(&ch_msg);
    transcript.add(&sh);
    let keys = EarlySecret::new(suite, None)
        .into_handshake(&shared)
        .server_handshake_traffic_secret(&transcript.current_hash())
        .keys();
    let mut layer = RecordLayer::new();
    layer
        .set_write_key(suite, keys.key.as_bytes(), keys.iv.as_bytes())
        .unwrap();
    let mut out = bytes::BytesMut::from(&handshake_record(&sh)[..]);
    for m in messages {
        layer.seal(ContentType::Handshake, m, &mut out).unwrap();
    }
    out.to_vec()
}

//! Every decoder that sees peer bytes (handshake messages, the record
//! codec) fed seeds from real transcripts, mutated, and random bytes: each
//! returns a value or an error carrying an alert, never a panic, and the
//! record codec answers the same however the input is split.

mod support;

use bytes::BytesMut;
use lctls::unstable_internals::{
    ClientHello, Handshake12, HandshakeMessage, Reader, RecordCodec, ServerHello, HEADER_LEN,
    MAX_CIPHERTEXT,
};
use lctls::Error;
use tokio_util::codec::Decoder;

use support::hostile::*;
use support::pem_certs;

/// Handshake messages from the plaintext parts of every transcript, plus
/// hand-built TLS 1.3 messages that only ever travel encrypted.
fn handshake_seeds(ts: &[Transcript]) -> Vec<Vec<u8>> {
    let mut seeds = Vec::new();
    for t in ts {
        for to_server in [true, false] {
            let stream = t.stream(to_server);
            // Plaintext handshake records come first; join their payloads
            // until the first non-handshake record.
            let mut joined = Vec::new();
            for r in split_records(&stream) {
                if r.len() < HEADER_LEN || r[0] != 22 {
                    if r.first() == Some(&20) {
                        continue;
                    }
                    break;
                }
                joined.extend_from_slice(&r[HEADER_LEN..]);
            }
            let mut i = 0;
            while joined.len() - i >= 4 {
                let len =
                    u32::from_be_bytes([0, joined[i + 1], joined[i + 2], joined[i + 3]]) as usize;
                let end = (i + 4 + len).min(joined.len());
                seeds.push(joined[i..end].to_vec());
                i = end;
            }
        }
    }
    let leaf = pem_certs("server.pem");
    let mut cert13 = vec![0u8]; // empty context
    let mut list = Vec::new();
    for c in &leaf {
        list.extend_from_slice(&(c.len() as u32).to_be_bytes()[1..]);
        list.extend_from_slice(c);
        list.extend_from_slice(&[0, 4, 0, 5, 0, 0]); // one entry extension
    }
    cert13.extend_from_slice(&(list.len() as u32).to_be_bytes()[1..]);
    cert13.extend_from_slice(&list);
    let bodies: Vec<(u8, Vec<u8>)> = vec![
        // EncryptedExtensions: server_name ack, ALPN "h2", supported_groups.
        (
            8,
            vec![
                0, 19, 0, 0, 0, 0, 0, 16, 0, 5, 0, 3, 2, b'h', b'2', 0, 10, 0, 4, 0, 2, 0, 29,
            ],
        ),
        // CertificateRequest: context, signature_algorithms, certificate_authorities.
        (
            13,
            vec![
                1, 9, 0, 20, 0, 13, 0, 6, 0, 4, 4, 3, 8, 4, 0, 47, 0, 6, 0, 4, 0, 2, 0x30, 0,
            ],
        ),
        (11, cert13),
        // CertificateVerify.
        (15, [vec![4, 3, 0, 8], vec![0x30; 8]].concat()),
        (20, vec![0xaa; 32]),
        // NewSessionTicket with early_data.
        (
            4,
            vec![
                0, 0, 0x1c, 0x20, 1, 2, 3, 4, 1, 0, 0, 4, 9, 9, 9, 9, 0, 8, 0, 42, 0, 4, 0, 0,
                0x40, 0,
            ],
        ),
        (24, vec![1]),
        // TLS 1.2: ServerKeyExchange, ClientKeyExchange, NewSessionTicket, HelloRequest.
        (
            12,
            [vec![3, 0, 23, 4, 4, 1, 2, 3], vec![4, 3, 0, 2, 0x30, 0]].concat(),
        ),
        (16, vec![4, 1, 2, 3, 4]),
        (4, vec![0, 0, 1, 0, 0, 3, 1, 2, 3]),
        (0, vec![]),
        (14, vec![]),
    ];
    for (typ, body) in bodies {
        let mut m = vec![typ];
        m.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
        m.extend_from_slice(&body);
        seeds.push(m);
    }
    seeds
}

fn check_decode_err(what: &str, e: &Error, input: &[u8]) {
    assert!(
        e.alert().is_some(),
        "{what} failed without an alert: {e:?} on {}",
        hex(input)
    );
}

#[test]
fn handshake_decoders_are_total() {
    let ts = all_transcripts();
    let seeds = handshake_seeds(&ts);
    let iters = scale(200_000);
    let mut rng = Rng::new(0x5eed_0005);
    let start = std::time::Instant::now();
    let (mut ok13, mut ok12) = (0, 0);
    for it in 0..iters {
        let mut m = if it % 16 == 0 {
            // Pure noise behind a plausible header.
            let body = rng.bytes_upto(0, 300);
            let mut m = vec![rng.byte() % 26];
            m.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
            m.extend(body);
            m
        } else {
            rng.pick(&seeds).clone()
        };
        mutate_bytes(&mut rng, &mut m);
        if rng.chance(4) && m.len() >= 4 {
            // Keep the outer length consistent so the body parsers are reached.
            let n = (m.len() - 4) as u32;
            m[1..4].copy_from_slice(&n.to_be_bytes()[1..]);
        }
        guard("decoding a handshake message", &m, || {
            match HandshakeMessage::decode(&m) {
                Ok(msg) => {
                    ok13 += 1;
                    // What decodes re-encodes to something that decodes the
                    // same, except that we never encode certificate-entry
                    // extensions (we solicit none).
                    let mut msg = msg;
                    if let HandshakeMessage::Certificate(c) = &mut msg {
                        c.entry_extensions.clear();
                    }
                    let again = HandshakeMessage::decode(&msg.to_bytes().unwrap());
                    assert_eq!(again.as_ref(), Ok(&msg), "round trip of {}", hex(&m));
                }
                Err(e) => check_decode_err("HandshakeMessage::decode", &e, &m),
            }
            match Handshake12::decode(&m) {
                Ok(msg) => {
                    ok12 += 1;
                    let again = Handshake12::decode(&msg.to_bytes().unwrap());
                    assert_eq!(again.as_ref(), Ok(&msg), "round trip of {}", hex(&m));
                }
                Err(e) => check_decode_err("Handshake12::decode", &e, &m),
            }
            let body = m.get(4..).unwrap_or(&[]);
            if let Err(e) = ClientHello::decode(&mut Reader::new(body)) {
                check_decode_err("ClientHello::decode", &e, body);
            }
            if let Err(e) = ServerHello::decode(&mut Reader::new(body)) {
                check_decode_err("ServerHello::decode", &e, body);
            }
        });
    }
    eprintln!(
        "{iters} handshake messages ({ok13} decoded as TLS 1.3, {ok12} as TLS 1.2) in {:?}",
        start.elapsed()
    );
}

#[test]
fn record_codec_is_total_and_split_invariant() {
    let ts = all_transcripts();
    let iters = scale(40_000);
    let mut rng = Rng::new(0x5eed_0006);
    let start = std::time::Instant::now();
    for it in 0..iters {
        let mut input = if it % 8 == 0 {
            rng.bytes_upto(0, 2000)
        } else {
            let t = rng.pick(&ts);
            t.stream(rng.chance(2))
        };
        let other = rng.pick(&ts).stream(rng.chance(2));
        mutate_stream(&mut rng, &mut input, &other);
        guard("decoding records", &input, || {
            // All at once.
            let mut whole = Vec::new();
            let mut c = RecordCodec::new();
            let mut buf = BytesMut::from(&input[..]);
            let end = loop {
                match c.decode(&mut buf) {
                    Ok(Some(r)) => {
                        assert!(r.payload.len() <= MAX_CIPHERTEXT);
                        whole.push(r);
                    }
                    Ok(None) => break Ok(buf.len()),
                    Err(e) => {
                        check_decode_err("RecordCodec::decode", &e, &input);
                        break Err(e);
                    }
                }
            };
            assert!(buf.capacity() <= 4 * (HEADER_LEN + MAX_CIPHERTEXT).max(input.len()));
            // In random pieces: the same records and the same outcome.
            let mut pieces = Vec::new();
            let mut c = RecordCodec::new();
            let mut buf = BytesMut::new();
            let mut i = 0;
            let split_end = loop {
                match c.decode(&mut buf) {
                    Ok(Some(r)) => pieces.push(r),
                    Ok(None) if i == input.len() => break Ok(buf.len()),
                    Ok(None) => {
                        let n = (1 + rng.below(40)).min(input.len() - i);
                        buf.extend_from_slice(&input[i..i + n]);
                        i += n;
                    }
                    Err(e) => break Err(e),
                }
            };
            assert_eq!(pieces, whole, "records differ when split: {}", hex(&input));
            assert_eq!(
                split_end,
                end,
                "outcome differs when split: {}",
                hex(&input)
            );
            let _ = c.decode_eof(&mut buf);
        });
    }
    eprintln!("{iters} record streams in {:?}", start.elapsed());
}

//! Deterministic hostile input for the robustness tests (robustness.rs,
//! robustness_decoders.rs, robustness_pki.rs): a seeded xorshift generator,
//! recorded transcripts of real connections (TLS 1.3, TLS 1.2, mutual TLS,
//! HelloRetryRequest, resumption) and the mutators applied to them.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use lctls::config::{ClientConfig, ServerConfig};
use lctls::pki::{DefaultClientVerifier, ServerName};
use lctls::proto::enums::{NamedGroup, ProtocolVersion};
use lctls::proto::Connection;
use lctls::unstable_internals::HEADER_LEN;

use super::{certified_key, client_builder, roots, server_builder};

/// Iterations scale: debug builds are several times slower.
pub fn scale(release: usize) -> usize {
    if cfg!(debug_assertions) {
        (release / 4).max(1)
    } else {
        release
    }
}

// ---------------------------------------------------------------------------
// Deterministic randomness.

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn byte(&mut self) -> u8 {
        self.next() as u8
    }

    pub fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.byte()).collect()
    }

    /// `lo` to `lo + span - 1` random bytes.
    pub fn bytes_upto(&mut self, lo: usize, span: usize) -> Vec<u8> {
        let n = lo + self.below(span);
        self.bytes(n)
    }

    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Runs `f`; on a panic prints what was being tested (so the input can be
/// reproduced) and fails the test with the original panic.
pub fn guard<R>(what: &str, input: &[u8], f: impl FnOnce() -> R) -> R {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => {
            eprintln!(
                "PANIC while {what}; input ({} bytes): {}",
                input.len(),
                hex(input)
            );
            std::panic::resume_unwind(p)
        }
    }
}

// ---------------------------------------------------------------------------
// Scenarios and transcripts.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Tls13,
    Tls12,
    Tls13Mtls,
    Tls12Mtls,
    Tls13Hrr,
    Tls13Resume,
    Tls12Resume,
}

pub const KINDS: [Kind; 7] = [
    Kind::Tls13,
    Kind::Tls12,
    Kind::Tls13Mtls,
    Kind::Tls12Mtls,
    Kind::Tls13Hrr,
    Kind::Tls13Resume,
    Kind::Tls12Resume,
];

pub fn client_cfg(kind: Kind) -> Arc<ClientConfig> {
    let mut b = client_builder();
    match kind {
        Kind::Tls12 | Kind::Tls12Mtls | Kind::Tls12Resume => {
            b = b.with_protocol_versions(&[ProtocolVersion::TLSv1_2]);
        }
        Kind::Tls13Hrr | Kind::Tls13Resume | Kind::Tls13 | Kind::Tls13Mtls => {
            b = b.with_protocol_versions(&[ProtocolVersion::TLSv1_3]);
        }
    }
    if kind == Kind::Tls13Hrr {
        b = b.with_groups(&[NamedGroup::X25519, NamedGroup::secp256r1]);
    }
    if matches!(kind, Kind::Tls13Mtls | Kind::Tls12Mtls) {
        b = b.with_client_cert(certified_key("client", "client.key"));
    }
    Arc::new(b.build().unwrap())
}

pub fn server_cfg(kind: Kind) -> Arc<ServerConfig> {
    let mut b = server_builder("server");
    if kind == Kind::Tls13Hrr {
        b = b.with_groups(&[NamedGroup::secp256r1]);
    }
    if matches!(kind, Kind::Tls13Mtls | Kind::Tls12Mtls) {
        b = b.with_client_cert_verifier(Arc::new(DefaultClientVerifier::new(roots())));
    }
    Arc::new(b.build().unwrap())
}

pub fn new_client(cc: &Arc<ClientConfig>) -> Connection {
    Connection::new_client(cc.clone(), ServerName::try_from("localhost").unwrap()).unwrap()
}

/// What each side sent, chunk by chunk, in one recorded connection.
pub struct Transcript {
    pub kind: Kind,
    pub to_server: Vec<Vec<u8>>,
    pub to_client: Vec<Vec<u8>>,
    /// The server config that produced it: a replayed ClientHello with a PSK
    /// only resumes against the same ticket keys.
    pub server: Arc<ServerConfig>,
    pub resumed: bool,
}

impl Transcript {
    pub fn stream(&self, to_server: bool) -> Vec<u8> {
        let chunks = if to_server {
            &self.to_server
        } else {
            &self.to_client
        };
        chunks.concat()
    }
}

/// One full connection: handshake, data both ways (which also delivers
/// TLS 1.3 tickets), a KeyUpdate in TLS 1.3, and close_notify both ways.
pub fn record_one(kind: Kind, cc: &Arc<ClientConfig>, sc: &Arc<ServerConfig>) -> Transcript {
    let mut c = new_client(cc);
    let mut s = Connection::new_server(sc.clone());
    let mut t = Transcript {
        kind,
        to_server: Vec::new(),
        to_client: Vec::new(),
        server: sc.clone(),
        resumed: false,
    };
    let step = |c: &mut Connection, s: &mut Connection, t: &mut Transcript| {
        let out = c.take_outgoing();
        if !out.is_empty() {
            t.to_server.push(out.to_vec());
            s.feed(&out);
        }
        s.process().expect("server process");
        let out = s.take_outgoing();
        if !out.is_empty() {
            t.to_client.push(out.to_vec());
            c.feed(&out);
        }
        c.process().expect("client process");
    };
    for _ in 0..20 {
        if !c.is_handshaking() && !s.is_handshaking() && c.outgoing_len() == 0 {
            break;
        }
        step(&mut c, &mut s, &mut t);
    }
    assert!(!c.is_handshaking() && !s.is_handshaking(), "{kind:?}");
    t.resumed = c.negotiated().resumed && s.negotiated().resumed;
    let mut buf = [0u8; 256];
    c.write_plaintext(b"hello from the client").unwrap();
    s.write_plaintext(b"hello from the server").unwrap();
    step(&mut c, &mut s, &mut t);
    if c.negotiated().version == Some(ProtocolVersion::TLSv1_3) {
        c.update_keys(true).unwrap();
        c.write_plaintext(b"after the key update").unwrap();
        step(&mut c, &mut s, &mut t);
        s.write_plaintext(b"answer after the update").unwrap();
        step(&mut c, &mut s, &mut t);
    }
    assert!(c.read_plaintext(&mut buf) > 0);
    assert!(s.read_plaintext(&mut buf) > 0);
    c.send_close_notify();
    s.send_close_notify();
    step(&mut c, &mut s, &mut t);
    assert!(c.received_close_notify() && s.received_close_notify());
    t
}

pub fn record(kind: Kind) -> Transcript {
    let cc = client_cfg(kind);
    let sc = server_cfg(kind);
    let first = record_one(kind, &cc, &sc);
    match kind {
        Kind::Tls13Resume | Kind::Tls12Resume => {
            let t = record_one(kind, &cc, &sc);
            assert!(t.resumed, "{kind:?}: the second connection must resume");
            t
        }
        _ => first,
    }
}

pub fn all_transcripts() -> Vec<Transcript> {
    KINDS.iter().map(|&k| record(k)).collect()
}

// ---------------------------------------------------------------------------
// Record-level view of a stream, and the mutators.

/// Splits a stream into records by their headers; a trailing partial record
/// is kept as a last element.
pub fn split_records(stream: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < stream.len() {
        let end = if stream.len() - i >= HEADER_LEN {
            let len = u16::from_be_bytes([stream[i + 3], stream[i + 4]]) as usize;
            (i + HEADER_LEN + len).min(stream.len())
        } else {
            stream.len()
        };
        out.push(stream[i..end].to_vec());
        i = end;
    }
    out
}

pub const EXTREME_U16: [u16; 10] = [0, 1, 2, 3, 4, 0x3fff, 0x4000, 0x4100, 0x4101, 0xffff];
pub const EXTREME_U24: [u32; 8] = [0, 1, 3, 0xffff, 0x1_0000, 0x1_0001, 0x7f_ffff, 0xff_ffff];
pub const INTERESTING: [u8; 8] = [0, 1, 0x7f, 0x80, 0xfe, 0xff, 20, 22];

/// Applies one random mutation to `stream`; `other` is a stream from some
/// transcript to splice records from.
pub fn mutate_stream(rng: &mut Rng, stream: &mut Vec<u8>, other: &[u8]) {
    if stream.is_empty() {
        stream.extend(rng.bytes_upto(1, 16));
        return;
    }
    match rng.below(13) {
        // Flip 1..8 random bits.
        0 => {
            for _ in 0..1 + rng.below(8) {
                let i = rng.below(stream.len());
                stream[i] ^= 1 << rng.below(8);
            }
        }
        // Truncate.
        1 => {
            let n = rng.below(stream.len());
            stream.truncate(n);
        }
        // Insert random bytes.
        2 => {
            let at = rng.below(stream.len() + 1);
            let ins = rng.bytes_upto(1, 32);
            stream.splice(at..at, ins);
        }
        // Overwrite a byte with an interesting value.
        3 => {
            let i = rng.below(stream.len());
            stream[i] = *rng.pick(&INTERESTING);
        }
        // Overwrite a random u16 with an extreme value (inner length fields).
        4 if stream.len() >= 2 => {
            let i = rng.below(stream.len() - 1);
            let v = rng.pick(&EXTREME_U16).to_be_bytes();
            stream[i..i + 2].copy_from_slice(&v);
        }
        // Delete a range.
        5 => {
            let a = rng.below(stream.len());
            let b = (a + 1 + rng.below(64)).min(stream.len());
            stream.drain(a..b);
        }
        // Record-level mutations.
        _ => {
            let mut recs = split_records(stream);
            let n = recs.len();
            match rng.below(7) {
                // Duplicate a record.
                0 => {
                    let i = rng.below(n);
                    let r = recs[i].clone();
                    recs.insert(i + rng.below(n - i + 1), r);
                }
                // Drop a record.
                1 => {
                    recs.remove(rng.below(n));
                }
                // Swap two records.
                2 => {
                    let (a, b) = (rng.below(n), rng.below(n));
                    recs.swap(a, b);
                }
                // Splice a record from another stream.
                3 => {
                    let others = split_records(other);
                    if !others.is_empty() {
                        let r = rng.pick(&others).clone();
                        if rng.chance(2) {
                            let i = rng.below(n);
                            recs[i] = r;
                        } else {
                            recs.insert(rng.below(n + 1), r);
                        }
                    }
                }
                // Extreme record length.
                4 => {
                    let i = rng.below(n);
                    if recs[i].len() >= HEADER_LEN {
                        let v = rng.pick(&EXTREME_U16).to_be_bytes();
                        recs[i][3..5].copy_from_slice(&v);
                    }
                }
                // Extreme handshake length in a record's first message header.
                5 => {
                    let i = rng.below(n);
                    if recs[i].len() >= HEADER_LEN + 4 {
                        let v = rng.pick(&EXTREME_U24).to_be_bytes();
                        recs[i][HEADER_LEN + 1..HEADER_LEN + 4].copy_from_slice(&v[1..]);
                    }
                }
                // Change a record's content type or version.
                _ => {
                    let i = rng.below(n);
                    if recs[i].len() >= 3 {
                        if rng.chance(2) {
                            recs[i][0] = 19 + rng.below(7) as u8;
                        } else {
                            recs[i][1] = *rng.pick(&[2u8, 3, 3, 4]);
                            recs[i][2] = rng.byte();
                        }
                    }
                }
            }
            *stream = recs.concat();
        }
    }
}

/// Mutates a byte string in place (no record structure assumed).
pub fn mutate_bytes(rng: &mut Rng, v: &mut Vec<u8>) {
    for _ in 0..1 + rng.below(3) {
        if v.is_empty() {
            v.push(rng.byte());
            continue;
        }
        match rng.below(7) {
            0 => {
                let i = rng.below(v.len());
                v[i] ^= 1 << rng.below(8);
            }
            1 => {
                let n = rng.below(v.len());
                v.truncate(n);
            }
            2 => {
                let at = rng.below(v.len() + 1);
                let ins = rng.bytes_upto(1, 8);
                v.splice(at..at, ins);
            }
            3 => {
                let i = rng.below(v.len());
                v[i] = *rng.pick(&INTERESTING);
            }
            4 if v.len() >= 2 => {
                let i = rng.below(v.len() - 1);
                v[i..i + 2].copy_from_slice(&rng.pick(&EXTREME_U16).to_be_bytes());
            }
            5 if v.len() >= 3 => {
                let i = rng.below(v.len() - 2);
                v[i..i + 3].copy_from_slice(&rng.pick(&EXTREME_U24).to_be_bytes()[1..]);
            }
            _ => {
                let a = rng.below(v.len());
                let b = (a + 1 + rng.below(16)).min(v.len());
                v.drain(a..b);
            }
        }
    }
}

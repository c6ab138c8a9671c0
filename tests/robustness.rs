//! Deterministic mutation testing against hostile peer input.
//!
//! Real client and server transcripts (TLS 1.3, TLS 1.2, mutual TLS,
//! HelloRetryRequest, resumption) are recorded with the sans-IO
//! [`Connection`], then replayed into fresh peers with mutations (bit flips,
//! truncation, duplicated / dropped / reordered / spliced records, inserted
//! bytes, extreme length fields, 1-byte feeds). Every decoder that sees peer
//! bytes is fed random and mutated input as well. The properties checked:
//! nothing panics, every failure is an error that sends an alert (or is a
//! received alert or a truncation), a failed connection keeps failing with
//! the same error, and no buffer grows past a fixed bound.
//!
//! A small xorshift generator with fixed seeds keeps every run identical;
//! iteration counts are smaller in debug builds so `cargo test` stays quick.

mod support;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use bytes::BytesMut;
use lctls::config::{ClientConfig, ServerConfig};
use lctls::pki::{
    verify_chain, CertificateDer, CrlSet, DefaultClientVerifier, KeyPurpose, RootStore, ServerName,
    UnixTime,
};
use lctls::proto::enums::{NamedGroup, ProtocolVersion};
use lctls::proto::Connection;
use lctls::unstable_internals::{
    ClientHello, Handshake12, HandshakeMessage, Reader, RecordCodec, ServerHello, HEADER_LEN,
    MAX_CIPHERTEXT,
};
use lctls::Error;
use tokio_util::codec::Decoder;

use support::{certified_key, client_builder, path, pem_certs, roots, server_builder};

/// Iterations scale: debug builds are several times slower.
fn scale(release: usize) -> usize {
    if cfg!(debug_assertions) {
        (release / 4).max(1)
    } else {
        release
    }
}

/// Largest outgoing buffer a connection may build from peer input.
const MAX_OUTGOING: usize = 1 << 20;
/// Largest incoming buffer left after a successful `process()`: one partial record.
const MAX_INCOMING_AFTER_PROCESS: usize = HEADER_LEN + MAX_CIPHERTEXT;
/// Plaintext held for the reader: the 64 KiB bound plus one record.
const MAX_PLAINTEXT_HELD: usize = 64 * 1024 + 16 * 1024;

// ---------------------------------------------------------------------------
// Deterministic randomness.

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn byte(&mut self) -> u8 {
        self.next() as u8
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.byte()).collect()
    }

    /// `lo` to `lo + span - 1` random bytes.
    fn bytes_upto(&mut self, lo: usize, span: usize) -> Vec<u8> {
        let n = lo + self.below(span);
        self.bytes(n)
    }

    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Runs `f`; on a panic prints what was being tested (so the input can be
/// reproduced) and fails the test with the original panic.
fn guard<R>(what: &str, input: &[u8], f: impl FnOnce() -> R) -> R {
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
enum Kind {
    Tls13,
    Tls12,
    Tls13Mtls,
    Tls12Mtls,
    Tls13Hrr,
    Tls13Resume,
    Tls12Resume,
}

const KINDS: [Kind; 7] = [
    Kind::Tls13,
    Kind::Tls12,
    Kind::Tls13Mtls,
    Kind::Tls12Mtls,
    Kind::Tls13Hrr,
    Kind::Tls13Resume,
    Kind::Tls12Resume,
];

fn client_cfg(kind: Kind) -> Arc<ClientConfig> {
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

fn server_cfg(kind: Kind) -> Arc<ServerConfig> {
    let mut b = server_builder("server");
    if kind == Kind::Tls13Hrr {
        b = b.with_groups(&[NamedGroup::secp256r1]);
    }
    if matches!(kind, Kind::Tls13Mtls | Kind::Tls12Mtls) {
        b = b.with_client_cert_verifier(Arc::new(DefaultClientVerifier::new(roots())));
    }
    Arc::new(b.build().unwrap())
}

fn new_client(cc: &Arc<ClientConfig>) -> Connection {
    Connection::new_client(cc.clone(), ServerName::try_from("localhost").unwrap()).unwrap()
}

/// What each side sent, chunk by chunk, in one recorded connection.
struct Transcript {
    kind: Kind,
    to_server: Vec<Vec<u8>>,
    to_client: Vec<Vec<u8>>,
    /// The server config that produced it: a replayed ClientHello with a PSK
    /// only resumes against the same ticket keys.
    server: Arc<ServerConfig>,
    resumed: bool,
}

impl Transcript {
    fn stream(&self, to_server: bool) -> Vec<u8> {
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
fn record_one(kind: Kind, cc: &Arc<ClientConfig>, sc: &Arc<ServerConfig>) -> Transcript {
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

fn record(kind: Kind) -> Transcript {
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

fn all_transcripts() -> Vec<Transcript> {
    KINDS.iter().map(|&k| record(k)).collect()
}

// ---------------------------------------------------------------------------
// Record-level view of a stream, and the mutators.

/// Splits a stream into records by their headers; a trailing partial record
/// is kept as a last element.
fn split_records(stream: &[u8]) -> Vec<Vec<u8>> {
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

const EXTREME_U16: [u16; 10] = [0, 1, 2, 3, 4, 0x3fff, 0x4000, 0x4100, 0x4101, 0xffff];
const EXTREME_U24: [u32; 8] = [0, 1, 3, 0xffff, 0x1_0000, 0x1_0001, 0x7f_ffff, 0xff_ffff];
const INTERESTING: [u8; 8] = [0, 1, 0x7f, 0x80, 0xfe, 0xff, 20, 22];

/// Applies one random mutation to `stream`; `other` is a stream from some
/// transcript to splice records from.
fn mutate_stream(rng: &mut Rng, stream: &mut Vec<u8>, other: &[u8]) {
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

// ---------------------------------------------------------------------------
// Driving a connection with hostile input and checking the invariants.

/// Does this error qualify as a clean refusal of peer input?
fn acceptable(e: &Error) -> bool {
    e.alert().is_some() || matches!(e, Error::AlertReceived(_) | Error::Truncated)
}

/// A connection fed hostile input: tracks the first error and checks every
/// invariant after each call.
struct Victim {
    conn: Connection,
    error: Option<Error>,
    max_outgoing: usize,
}

impl Victim {
    fn new(conn: Connection) -> Self {
        Victim {
            conn,
            error: None,
            max_outgoing: 0,
        }
    }

    fn check_result(&mut self, r: Result<(), Error>, ctx: &dyn Fn() -> String) {
        match (&self.error, r) {
            (None, Ok(())) => {
                let c = &mut self.conn;
                if !c.plaintext_full() {
                    let left = c.incoming_mut().len();
                    assert!(
                        left <= MAX_INCOMING_AFTER_PROCESS,
                        "{left} bytes left unprocessed: {}",
                        ctx()
                    );
                }
            }
            (None, Err(e)) => {
                assert!(acceptable(&e), "error without an alert: {e:?}: {}", ctx());
                assert_eq!(self.conn.error(), Some(&e), "{}", ctx());
                self.error = Some(e);
            }
            (Some(first), r) => {
                assert_eq!(r.as_ref(), Err(first), "error not sticky: {}", ctx());
            }
        }
        let c = &self.conn;
        self.max_outgoing = self.max_outgoing.max(c.outgoing_len());
        assert!(c.outgoing_len() < MAX_OUTGOING, "outgoing grew: {}", ctx());
        assert!(
            c.plaintext_len() <= MAX_PLAINTEXT_HELD,
            "plaintext grew: {}",
            ctx()
        );
    }

    fn process(&mut self, ctx: &dyn Fn() -> String) {
        let r = self.conn.process();
        self.check_result(r, ctx);
    }

    /// Also exercises the reader paths while data may be buffered.
    fn read_some(&mut self, rng: &mut Rng, ctx: &dyn Fn() -> String) {
        let mut buf = vec![0u8; 1 + rng.below(20000)];
        if rng.chance(2) {
            let r = self.conn.read_direct(&mut buf).map(|_| ());
            self.check_result(r, ctx);
        }
        let n = self.conn.read_plaintext(&mut buf);
        assert!(n <= buf.len());
    }
}

/// Feeds `input` into `victim` in pieces chosen by `rng`, processing after
/// each, and finally either signals EOF or not.
fn feed_all(rng: &mut Rng, victim: &mut Victim, input: &[u8], ctx: &dyn Fn() -> String) {
    let mode = rng.below(4);
    let mut i = 0;
    let mut calls = 0;
    while i < input.len() {
        let n = match mode {
            0 => input.len() - i,
            1 => 1,
            _ => 1 + rng.below(600),
        }
        .min(input.len() - i);
        victim.conn.feed(&input[i..i + n]);
        i += n;
        victim.process(ctx);
        calls += 1;
        assert!(calls <= input.len() + 1);
        if calls % 7 == 0 {
            victim.read_some(rng, ctx);
        }
        // A failed connection is not fed for long: it never reads again.
        if victim.error.is_some() && rng.chance(4) {
            break;
        }
    }
    victim.read_some(rng, ctx);
    if rng.chance(3) {
        let r = victim.conn.process_eof();
        victim.check_result(r, ctx);
    }
    // Sticky: every later call gives the same error back.
    victim.process(ctx);
    if let Some(e) = &victim.error {
        assert_eq!(
            victim.conn.write_plaintext(b"x").unwrap_err(),
            *e,
            "{}",
            ctx()
        );
    }
}

// ---------------------------------------------------------------------------
// Connection-level tests.

/// Replays each side's recorded inbound stream, mutated, into a fresh peer.
#[test]
fn mutated_transcripts_into_fresh_peers() {
    let ts = all_transcripts();
    let iters = scale(30_000);
    let mut rng = Rng::new(0x5eed_0001);
    let start = std::time::Instant::now();
    let mut failed = 0usize;
    for it in 0..iters {
        let t = &ts[it % ts.len()];
        let to_server = rng.chance(2);
        let mut input = t.stream(to_server);
        let other = ts[rng.below(ts.len())].stream(rng.chance(2));
        for _ in 0..1 + rng.below(3) {
            mutate_stream(&mut rng, &mut input, &other);
        }
        let conn = if to_server {
            Connection::new_server(t.server.clone())
        } else {
            new_client(&client_cfg(t.kind))
        };
        let mut v = Victim::new(conn);
        let kind = t.kind;
        let ctx_input = input.clone();
        let ctx = move || {
            format!(
                "iteration {it}, {kind:?}, into {}, input {}",
                if to_server { "server" } else { "client" },
                hex(&ctx_input)
            )
        };
        guard(&format!("replaying iteration {it}"), &input, || {
            feed_all(&mut rng, &mut v, &input, &ctx)
        });
        failed += usize::from(v.error.is_some());
    }
    eprintln!(
        "{iters} mutated replays ({failed} refused) in {:?}",
        start.elapsed()
    );
    assert!(failed > iters / 2, "mutations should mostly be refused");
}

/// The unmutated inbound stream into a fresh peer, whole and byte by byte:
/// the peer gets as far as the keys allow and fails cleanly.
#[test]
fn unmutated_replays_fail_cleanly() {
    let ts = all_transcripts();
    let mut rng = Rng::new(0x5eed_0002);
    for t in &ts {
        for to_server in [true, false] {
            let input = t.stream(to_server);
            for mode in 0..3 {
                let conn = if to_server {
                    Connection::new_server(t.server.clone())
                } else {
                    new_client(&client_cfg(t.kind))
                };
                let mut v = Victim::new(conn);
                let kind = t.kind;
                let ctx = move || format!("{kind:?} to_server={to_server} mode={mode}");
                let step = [input.len().max(1), 1, 7][mode];
                for chunk in input.chunks(step) {
                    v.conn.feed(chunk);
                    v.process(&ctx);
                }
                v.read_some(&mut rng, &ctx);
                let r = v.conn.process_eof();
                v.check_result(r, &ctx);
                // Fresh keys on our side: the replay cannot complete.
                assert!(v.error.is_some(), "{}", ctx());
            }
        }
    }
}

/// A live client and server with a man in the middle that mutates one chunk
/// in flight: reaches every handshake and post-handshake state with damaged
/// framing, then checks both ends.
#[test]
fn live_pairs_with_one_mutated_flight() {
    let iters = scale(6_000);
    let mut rng = Rng::new(0x5eed_0003);
    let cfgs: Vec<_> = KINDS
        .iter()
        .map(|&k| (k, client_cfg(k), server_cfg(k)))
        .collect();
    let ts = all_transcripts();
    let start = std::time::Instant::now();
    for it in 0..iters {
        let (kind, cc, sc) = &cfgs[it % cfgs.len()];
        let mut c = Victim::new(new_client(cc));
        let mut s = Victim::new(Connection::new_server(sc.clone()));
        // Which flight to damage: counted over both directions.
        let target = rng.below(10);
        let mut flight = 0;
        let other = ts[rng.below(ts.len())].stream(rng.chance(2));
        let mut log = Vec::new();
        for round in 0..30 {
            for to_server in [true, false] {
                let (from, to) = if to_server {
                    (&mut c, &mut s)
                } else {
                    (&mut s, &mut c)
                };
                let mut out = from.conn.take_outgoing().to_vec();
                if out.is_empty() {
                    continue;
                }
                if flight == target {
                    mutate_stream(&mut rng, &mut out, &other);
                    log = out.clone();
                }
                flight += 1;
                let ctx = || {
                    format!(
                        "iteration {it}, {kind:?}, round {round}, to_server={to_server}, \
                         mutated flight {target}: {}",
                        hex(&log)
                    )
                };
                guard("live exchange", &out, || feed_all(&mut rng, to, &out, &ctx));
            }
            if !c.conn.is_handshaking() && !s.conn.is_handshaking() {
                for v in [&mut c, &mut s] {
                    if v.error.is_none() && rng.chance(2) {
                        let _ = v.conn.write_plaintext(&rng.bytes_upto(0, 3000));
                    }
                    if v.error.is_none() && rng.chance(8) {
                        v.conn.send_close_notify();
                    }
                }
            }
            if c.conn.outgoing_len() == 0 && s.conn.outgoing_len() == 0 && round > 3 {
                break;
            }
        }
    }
    eprintln!(
        "{iters} live connections with a mutated flight in {:?}",
        start.elapsed()
    );
}

/// Ten MiB of garbage of several shapes into fresh and established
/// connections: every buffer stays within its bound.
#[test]
fn ten_mib_of_garbage_stays_bounded() {
    let total = if cfg!(debug_assertions) {
        2 << 20
    } else {
        10 << 20
    };
    let mut rng = Rng::new(0x5eed_0004);
    for shape in 0..6 {
        for target in 0..3 {
            let mut v = match target {
                0 => Victim::new(Connection::new_server(server_cfg(Kind::Tls13))),
                1 => Victim::new(new_client(&client_cfg(Kind::Tls13))),
                _ => {
                    // An established TLS 1.2 client.
                    let mut c = new_client(&client_cfg(Kind::Tls12));
                    let mut s = Connection::new_server(server_cfg(Kind::Tls12));
                    support::drive_handshake(&mut c, &mut s);
                    Victim::new(c)
                }
            };
            let ctx = move || format!("garbage shape {shape} into target {target}");
            let mut fed = 0usize;
            while fed < total && v.error.is_none() {
                let chunk: Vec<u8> = match shape {
                    // Pure noise.
                    0 => rng.bytes(65536),
                    // Handshake records of 1-byte fragments.
                    1 => (0..8192)
                        .flat_map(|_| [22, 3, 3, 0, 1, rng.byte()])
                        .collect(),
                    // A maximal record header then its payload, slowly.
                    2 => {
                        let mut r = vec![23, 3, 3, 0x41, 0x00];
                        r.extend(rng.bytes(0x4100));
                        r
                    }
                    // change_cipher_spec records.
                    3 => [20u8, 3, 3, 0, 1, 1].repeat(4096),
                    // A handshake message header at the bound, then filler.
                    4 => {
                        let mut r = vec![22, 3, 3, 0x40, 0x00, 1, 0x01, 0x00, 0x00];
                        r.extend(std::iter::repeat_n(0x41, 0x4000 - 4));
                        r
                    }
                    // Warning alerts.
                    _ => [21u8, 3, 3, 0, 2, 1, 90].repeat(4096),
                };
                for piece in chunk.chunks(1 + rng.below(20000)) {
                    v.conn.feed(piece);
                    fed += piece.len();
                    v.process(&ctx);
                    if v.error.is_some() {
                        break;
                    }
                }
                v.read_some(&mut rng, &ctx);
            }
            assert!(v.max_outgoing < 64 * 1024, "{}", ctx());
        }
    }
}

/// A legitimate but hostile TLS 1.3 peer: KeyUpdate requests (as many in a
/// row as are allowed; more are refused, see tests/key_limits.rs) get one
/// answer, and a flood of application data is held to the bound.
#[test]
fn key_update_and_data_floods_stay_bounded() {
    let cc = client_cfg(Kind::Tls13);
    let sc = server_cfg(Kind::Tls13);
    let mut c = new_client(&cc);
    let mut s = Connection::new_server(sc);
    support::drive_handshake(&mut c, &mut s);
    s.process().unwrap();
    c.take_outgoing();
    for _ in 0..32 {
        s.update_keys(true).unwrap();
    }
    c.feed(&s.take_outgoing());
    c.process().unwrap();
    assert!(c.outgoing_len() < 1024, "{} bytes queued", c.outgoing_len());
    s.feed(&c.take_outgoing());
    s.process().unwrap();

    // 4 MiB of data without reading: the plaintext buffer stops at its bound
    // and the rest stays undecrypted in the incoming buffer (the IO layer
    // stops reading once plaintext_full()).
    for _ in 0..64 {
        s.write_plaintext(&[7u8; 65536]).unwrap();
        c.feed(&s.take_outgoing());
        c.process().unwrap();
        assert!(c.plaintext_len() <= MAX_PLAINTEXT_HELD);
    }
    assert!(c.plaintext_full());
    let mut got = 0;
    let mut buf = vec![0u8; 50_000];
    loop {
        let n = c.read_plaintext(&mut buf);
        got += n;
        c.process().unwrap();
        if n == 0 && c.plaintext_len() == 0 {
            break;
        }
    }
    assert_eq!(got, 64 * 65536);
}

// ---------------------------------------------------------------------------
// Decoder fuzz.

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

/// Mutates a byte string in place (no record structure assumed).
fn mutate_bytes(rng: &mut Rng, v: &mut Vec<u8>) {
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

// ---------------------------------------------------------------------------
// PKI fuzz.

fn mutate_der(rng: &mut Rng, der: &[u8]) -> Vec<u8> {
    let mut v = der.to_vec();
    // Most mutations should land in the structure, not only the signature.
    match rng.below(4) {
        0 => {
            // DER length bytes: find a length octet after a tag and make it extreme.
            for _ in 0..1 + rng.below(3) {
                let i = 1 + rng.below(v.len() - 1);
                v[i] = *rng.pick(&[0x80, 0x81, 0x82, 0x84, 0x88, 0xff, 0x00, 0x7f]);
            }
        }
        _ => mutate_bytes(rng, &mut v),
    }
    v
}

#[test]
fn verify_chain_survives_mutated_der() {
    let roots = roots();
    let chain = pem_certs("server.pem");
    assert_eq!(chain.len(), 2);
    let name = ServerName::try_from("localhost").unwrap();
    let now = UnixTime::now();
    verify_chain(
        &roots,
        &chain[0],
        &chain[1..],
        Some(&name),
        now,
        KeyPurpose::ServerAuth,
    )
    .expect("the unmutated chain verifies");
    let iters = scale(6_000);
    let mut rng = Rng::new(0x5eed_0007);
    let start = std::time::Instant::now();
    let mut passed = 0;
    for it in 0..iters {
        let mut leaf = chain[0].to_vec();
        let mut inter = chain[1].to_vec();
        match it % 3 {
            0 => leaf = mutate_der(&mut rng, &leaf),
            1 => inter = mutate_der(&mut rng, &inter),
            _ => {
                leaf = mutate_der(&mut rng, &leaf);
                inter = mutate_der(&mut rng, &inter);
            }
        }
        let input = [leaf.clone(), inter.clone()].concat();
        guard("verifying a mutated chain", &input, || {
            let leaf = CertificateDer::from(leaf);
            let inters = [CertificateDer::from(inter)];
            let r = verify_chain(
                &roots,
                &leaf,
                &inters,
                Some(&name),
                now,
                KeyPurpose::ServerAuth,
            );
            if r.is_ok() {
                passed += 1;
            }
            // As a root, too.
            let mut store = RootStore::new();
            let _ = store.add(leaf.clone());
            let _ = store.add(inters[0].clone());
            let _ = verify_chain(&store, &leaf, &[], None, now, KeyPurpose::ClientAuth);
        });
    }
    // The few that still verify are mutations that changed nothing (a byte
    // overwritten with its own value).
    eprintln!(
        "{iters} mutated chains ({passed} still verified) in {:?}",
        start.elapsed()
    );
}

#[test]
fn root_store_add_pem_survives_mutated_pem() {
    let mut pems = Vec::new();
    for f in ["ca.pem", "server.pem", "client.pem", "other-ca.pem"] {
        pems.push(std::fs::read(path(f)).unwrap());
    }
    let iters = scale(20_000);
    let mut rng = Rng::new(0x5eed_0008);
    let start = std::time::Instant::now();
    for it in 0..iters {
        let mut pem = rng.pick(&pems).clone();
        match it % 5 {
            // Damage inside the base64: the DER parser sees it.
            0 | 1 => {
                let text = String::from_utf8(pem.clone()).unwrap();
                let mut der_blocks = Vec::new();
                for c in pem_certs_from(&text) {
                    der_blocks.push(mutate_der(&mut rng, &c));
                }
                pem = to_pem(&der_blocks).into_bytes();
            }
            // Damage the text itself.
            _ => mutate_bytes(&mut rng, &mut pem),
        }
        guard("adding mutated PEM roots", &pem, || {
            let mut s = RootStore::new();
            let r = s.add_pem(&pem);
            if let Ok(n) = r {
                assert_eq!(n, s.len());
            }
        });
    }
    eprintln!("{iters} mutated PEM bundles in {:?}", start.elapsed());
}

fn pem_certs_from(text: &str) -> Vec<Vec<u8>> {
    use rustls_pki_types::pem::PemObject;
    CertificateDer::pem_slice_iter(text.as_bytes())
        .filter_map(Result::ok)
        .map(|c| c.to_vec())
        .collect()
}

fn to_pem(ders: &[Vec<u8>]) -> String {
    const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for der in ders {
        let mut b64 = String::new();
        for chunk in der.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = u32::from_be_bytes([0, b[0], b[1], b[2]]);
            for k in 0..4 {
                if k <= chunk.len() {
                    b64.push(B64[(n >> (18 - 6 * k)) as usize & 63] as char);
                } else {
                    b64.push('=');
                }
            }
        }
        out.push_str("-----BEGIN CERTIFICATE-----\n");
        for line in b64.as_bytes().chunks(64) {
            out.push_str(std::str::from_utf8(line).unwrap());
            out.push('\n');
        }
        out.push_str("-----END CERTIFICATE-----\n");
    }
    out
}

fn sample_crl() -> Vec<u8> {
    use rcgen::{
        date_time_ymd, BasicConstraints, CertificateParams, CertificateRevocationListParams, IsCa,
        KeyIdMethod, KeyPair, RevokedCertParams, SerialNumber,
    };
    let key = KeyPair::generate().unwrap();
    let mut p = CertificateParams::default();
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = p.self_signed(&key).unwrap();
    CertificateRevocationListParams {
        this_update: date_time_ymd(2025, 6, 1),
        next_update: date_time_ymd(2025, 7, 1),
        crl_number: SerialNumber::from(7u64),
        issuing_distribution_point: None,
        revoked_certs: (1..4u64)
            .map(|s| RevokedCertParams {
                serial_number: SerialNumber::from(s),
                revocation_time: date_time_ymd(2025, 1, 1),
                reason_code: Some(rcgen::RevocationReason::KeyCompromise),
                invalidity_date: None,
            })
            .collect(),
        key_identifier_method: KeyIdMethod::Sha256,
    }
    .signed_by(&ca, &key)
    .unwrap()
    .der()
    .to_vec()
}

#[test]
fn crl_set_add_der_survives_random_and_mutated_input() {
    let crl = sample_crl();
    let mut set = CrlSet::new();
    set.add_der(&crl).expect("the sample CRL parses");
    let iters = scale(30_000);
    let mut rng = Rng::new(0x5eed_0009);
    let start = std::time::Instant::now();
    for it in 0..iters {
        let input = match it % 4 {
            0 => rng.bytes_upto(0, 400),
            _ => mutate_der(&mut rng, &crl),
        };
        guard("adding a CRL", &input, || {
            let mut s = CrlSet::new();
            if s.add_der(&input).is_ok() {
                assert_eq!(s.len(), 1);
            }
            let _ = s.add_pem(&input);
        });
    }
    eprintln!("{iters} CRL inputs in {:?}", start.elapsed());
}

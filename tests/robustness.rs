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
//! The generator, transcripts and mutators are tests/support/hostile.rs; the
//! decoders alone are fuzzed in robustness_decoders.rs and the certificate,
//! root-store and CRL parsers in robustness_pki.rs.

mod support;

use lctls::proto::Connection;
use lctls::unstable_internals::{HEADER_LEN, MAX_CIPHERTEXT};
use lctls::Error;

use support::hostile::*;

/// Largest outgoing buffer a connection may build from peer input.
const MAX_OUTGOING: usize = 1 << 20;
/// Largest incoming buffer left after a successful `process()`: one partial record.
const MAX_INCOMING_AFTER_PROCESS: usize = HEADER_LEN + MAX_CIPHERTEXT;
/// Plaintext held for the reader: the 64 KiB bound plus one record.
const MAX_PLAINTEXT_HELD: usize = 64 * 1024 + 16 * 1024;

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

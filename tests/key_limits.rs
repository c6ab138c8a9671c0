//! Key usage limits (RFC 8446 section 5.5) and KeyUpdate abuse.
//!
//! With the records-per-key limit lowered to [`LIMIT`] by the test-only hook
//! `dangerous_set_key_limit_for_tests`, a long TLS 1.3 transfer changes keys
//! many times and stays byte-exact, between two lctls endpoints, with rustls
//! and with OpenSSL, in both roles and with each suite; a tap on the
//! transport counts the KeyUpdate records and the most records any one key
//! protected. In TLS 1.2, which cannot change keys, writing ends with
//! [`Error::KeyLimitReached`] after a close_notify the peer reads as a clean
//! end. (The caps on a peer's KeyUpdates are in tests/key_updates.rs.)

mod common;
mod support;

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{ready, Context, Poll};

use lctls::proto::enums::{CipherSuite, ProtocolVersion};
use lctls::proto::Connection;
use lctls::{ClientConfig, Error, TlsAcceptor, TlsConnector, TlsStream};
use rustls::crypto::aws_lc_rs as aws;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use support::{
    client_builder, drive_handshake, pattern, sans_io_client, server_config, timeout, tls_err,
};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// Records each write key may protect in these tests (the real AES-GCM
/// limit is 2^24.5).
const LIMIT: u64 = 100;
const MIB: usize = 1 << 20;
/// The protected length of a TLS 1.3 KeyUpdate record: 4-byte message
/// header, 1-byte body, the content type and a 16-byte tag. Data records in
/// these tests are never that short.
const KEY_UPDATE_LEN: usize = 22;

const TLS13_SUITES: [CipherSuite; 3] = [
    CipherSuite::TLS13_AES_128_GCM_SHA256,
    CipherSuite::TLS13_AES_256_GCM_SHA384,
    CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
];

/// The TLS 1.2 suites of the test server's ECDSA certificate.
const TLS12_SUITES: [CipherSuite; 2] = [
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
];

// ---------------------------------------------------------------------------
// Data and the record tap

/// Splits `len` bytes into chunks of 64 to about 4 KiB, so writes (and the
/// records they become) vary in size and there are many of them.
fn chunk_lens(len: usize, seed: u64) -> Vec<usize> {
    let mut x = seed | 1;
    let mut v = Vec::new();
    let mut left = len;
    while left > 0 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let n = (64 + (x >> 33) as usize % 4032).min(left);
        v.push(n);
        left -= n;
    }
    v
}

/// Walks the records of one direction of a TLS 1.3 connection by their
/// headers: how many there were, how many were KeyUpdates, and the most
/// records one key protected (a KeyUpdate is the last record of its key).
#[derive(Default, Debug, Clone, Copy)]
struct RecordScan {
    header: [u8; 5],
    have: usize,
    skip: usize,
    records: u64,
    key_updates: u64,
    under_key: u64,
    most_under_one_key: u64,
}

impl RecordScan {
    fn scan(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            if self.skip > 0 {
                let n = self.skip.min(bytes.len());
                self.skip -= n;
                bytes = &bytes[n..];
                continue;
            }
            self.header[self.have] = bytes[0];
            self.have += 1;
            bytes = &bytes[1..];
            if self.have < 5 {
                continue;
            }
            self.have = 0;
            self.skip = usize::from(u16::from_be_bytes([self.header[3], self.header[4]]));
            self.records += 1;
            self.under_key += 1;
            self.most_under_one_key = self.most_under_one_key.max(self.under_key);
            if self.header[0] == 23 && self.skip == KEY_UPDATE_LEN {
                self.key_updates += 1;
                self.under_key = 0;
            }
        }
    }

    /// Starts counting afresh (when the limit is set, after the handshake),
    /// in the middle of no record.
    fn restart(&mut self) {
        assert_eq!((self.have, self.skip), (0, 0), "restart inside a record");
        *self = RecordScan::default();
    }

    /// Checks that no key protected more than [`LIMIT`] records and that
    /// keys changed at least `min` times; returns the KeyUpdates seen.
    #[track_caller]
    fn assert_rekeyed(&self, who: &str, min: u64) -> u64 {
        assert!(
            self.most_under_one_key <= LIMIT,
            "{who}: a key protected {} records: {self:?}",
            self.most_under_one_key
        );
        assert!(
            self.key_updates >= min,
            "{who}: too few KeyUpdates: {self:?}"
        );
        eprintln!(
            "{who}: {} records, {} KeyUpdates, at most {} records under one key",
            self.records, self.key_updates, self.most_under_one_key
        );
        self.key_updates
    }
}

/// A transport that scans the records written through it.
struct Tap<IO> {
    io: IO,
    scan: Arc<Mutex<RecordScan>>,
}

impl<IO> Tap<IO> {
    fn new(io: IO) -> (Self, Arc<Mutex<RecordScan>>) {
        let scan = Arc::new(Mutex::new(RecordScan::default()));
        (
            Tap {
                io,
                scan: scan.clone(),
            },
            scan,
        )
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for Tap<IO> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for Tap<IO> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let n = ready!(Pin::new(&mut self.io).poll_write(cx, buf))?;
        self.scan.lock().unwrap().scan(&buf[..n]);
        Poll::Ready(Ok(n))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// Writes `out` in chunks of varying size, then close_notify, while reading
/// to the peer's close_notify; returns what was read. A truncation (EOF
/// without close_notify) fails read_to_end and so the test.
async fn send_and_drain<S: AsyncRead + AsyncWrite + Unpin>(s: S, out: &[u8], who: &str) -> Vec<u8> {
    let (mut r, mut w) = tokio::io::split(s);
    let write = async {
        let mut at = 0;
        for n in chunk_lens(out.len(), out.len() as u64 ^ out[0] as u64) {
            w.write_all(&out[at..at + n])
                .await
                .unwrap_or_else(|e| panic!("{who}: write: {e}"));
            at += n;
        }
        w.shutdown()
            .await
            .unwrap_or_else(|e| panic!("{who}: shutdown: {e}"));
    };
    let read = async {
        let mut got = Vec::new();
        r.read_to_end(&mut got)
            .await
            .unwrap_or_else(|e| panic!("{who}: read_to_end: {e}"));
        got
    };
    tokio::join!(write, read).1
}

/// A client config for `version` with `suite` only.
fn client_config(version: ProtocolVersion, suite: CipherSuite) -> Arc<ClientConfig> {
    let b = client_builder()
        .with_protocol_versions(&[version])
        .with_cipher_suites(&[suite]);
    Arc::new(b.build().unwrap())
}

fn client13(suite: CipherSuite) -> TlsConnector {
    TlsConnector::from(client_config(ProtocolVersion::TLSv1_3, suite))
}

/// An established sans-IO pair for `version` and `suite`, the server's
/// tickets (TLS 1.3) delivered.
fn sans_io_pair(version: ProtocolVersion, suite: CipherSuite) -> (Connection, Connection) {
    let mut c = sans_io_client(client_config(version, suite), "localhost");
    let mut s = Connection::new_server(server_config("server"));
    drive_handshake(&mut c, &mut s);
    assert_eq!(c.negotiated().cipher_suite, Some(suite));
    c.feed(&s.take_outgoing());
    c.process().unwrap();
    (c, s)
}

fn server12(suite: CipherSuite) -> TlsAcceptor {
    TlsAcceptor::from(support::server_with("server", |b| {
        b.with_protocol_versions(&[ProtocolVersion::TLSv1_2])
            .with_cipher_suites(&[suite])
    }))
}

// ---------------------------------------------------------------------------
// Between two lctls endpoints

/// Moves what `from` queued to `to`, scanning its records, and appends the
/// plaintext `to` reads to `got`.
fn carry(
    from: &mut Connection,
    to: &mut Connection,
    scan: &mut RecordScan,
    got: &mut Vec<u8>,
    buf: &mut [u8],
) {
    let out = from.take_outgoing();
    scan.scan(&out);
    to.feed(&out);
    // The reader holds 64 KiB at a time: read, then open more.
    for _ in 0..8 {
        to.process().unwrap();
        let n = to.read_plaintext(buf);
        got.extend_from_slice(&buf[..n]);
        if n == 0 {
            break;
        }
    }
}

/// Sans-IO, both directions at once, each suite: 4 MiB each way in writes of
/// varying size, both sides at [`LIMIT`] records per key. Every byte
/// arrives, keys change every [`LIMIT`] records, never later.
#[test]
fn sans_io_rekeys_at_the_limit_both_directions_each_suite() {
    for suite in TLS13_SUITES {
        let (mut c, mut s) = sans_io_pair(ProtocolVersion::TLSv1_3, suite);
        c.dangerous_set_key_limit_for_tests(LIMIT);
        s.dangerous_set_key_limit_for_tests(LIMIT);

        let (to_s, to_c) = (pattern(1, 4 * MIB), pattern(2, 4 * MIB));
        let (lens_c, lens_s) = (chunk_lens(to_s.len(), 3), chunk_lens(to_c.len(), 4));
        let (mut got_s, mut got_c) = (Vec::new(), Vec::new());
        let (mut scan_c, mut scan_s) = (RecordScan::default(), RecordScan::default());
        let (mut at_c, mut at_s) = (0, 0);
        let mut buf = vec![0u8; 64 * 1024];
        for i in 0..lens_c.len().max(lens_s.len()) {
            if let Some(&n) = lens_c.get(i) {
                assert_eq!(c.write_plaintext(&to_s[at_c..at_c + n]).unwrap(), n);
                at_c += n;
            }
            if let Some(&n) = lens_s.get(i) {
                assert_eq!(s.write_plaintext(&to_c[at_s..at_s + n]).unwrap(), n);
                at_s += n;
            }
            carry(&mut c, &mut s, &mut scan_c, &mut got_s, &mut buf);
            carry(&mut s, &mut c, &mut scan_s, &mut got_c, &mut buf);
        }
        assert!(
            got_s == to_s,
            "{suite:?}: server got {} bytes, not the data",
            got_s.len()
        );
        assert!(
            got_c == to_c,
            "{suite:?}: client got {} bytes, not the data",
            got_c.len()
        );
        scan_c.assert_rekeyed(&format!("{suite:?} client"), 15);
        scan_s.assert_rekeyed(&format!("{suite:?} server"), 15);
    }
}

/// Lowers the key limit of `ours` to [`LIMIT`] and exchanges 4 MiB each
/// way with `theirs` (each side split into halves, so full duplex), checking
/// every byte; the records `ours` wrote, scanned by `scan`, must show at
/// least 15 KeyUpdates and no key past the limit.
async fn exchange_across_key_updates<A, B>(
    mut ours: TlsStream<A>,
    theirs: B,
    scan: &Mutex<RecordScan>,
    who: &str,
) where
    A: AsyncRead + AsyncWrite + Unpin,
    B: AsyncRead + AsyncWrite + Unpin,
{
    ours.dangerous_set_key_limit_for_tests(LIMIT);
    scan.lock().unwrap().restart();
    let (to_theirs, to_ours) = (pattern(5, 4 * MIB), pattern(6, 4 * MIB));
    let (got_ours, got_theirs) = tokio::join!(
        send_and_drain(ours, &to_theirs, "lctls"),
        send_and_drain(theirs, &to_ours, "peer")
    );
    let (n, m) = (got_theirs.len(), got_ours.len());
    assert!(
        got_theirs == to_theirs,
        "{who}: peer got {n} bytes, not ours"
    );
    assert!(
        got_ours == to_ours,
        "{who}: we got {m} bytes, not the peer's"
    );
    scan.lock().unwrap().assert_rekeyed(who, 15);
}

/// Between two lctls endpoints over TlsStream, each suite: 4 MiB each way
/// with both sides at [`LIMIT`] records per key.
#[tokio::test]
async fn stream_rekeys_at_the_limit_both_directions_each_suite() {
    timeout(async {
        for suite in TLS13_SUITES {
            let (a, b) = tokio::io::duplex(64 * 1024);
            let ((a, scan_c), (b, scan_s)) = (Tap::new(a), Tap::new(b));
            let acceptor = TlsAcceptor::from(server_config("server"));
            let (c, s) = tokio::join!(client13(suite).connect("localhost", a), acceptor.accept(b));
            let mut s = s.unwrap();
            s.dangerous_set_key_limit_for_tests(LIMIT);
            scan_s.lock().unwrap().restart();
            let who = format!("{suite:?} lctls client");
            exchange_across_key_updates(c.unwrap(), s, &scan_c, &who).await;
            scan_s
                .lock()
                .unwrap()
                .assert_rekeyed(&format!("{suite:?} lctls server"), 15);
        }
    })
    .await
}

/// TLS 1.2 cannot change keys: at the limit the writer queues close_notify
/// in the key's last record and every later write fails with
/// [`Error::KeyLimitReached`]. The peer reads every accepted byte and then a
/// clean end; our read side still works.
#[test]
fn sans_io_tls12_ends_with_a_clear_error_and_close_notify() {
    for suite in TLS12_SUITES {
        let (mut c, mut s) = sans_io_pair(ProtocolVersion::TLSv1_2, suite);
        c.dangerous_set_key_limit_for_tests(LIMIT);
        let out = pattern(7, LIMIT as usize * 1000);
        let mut sent = 0;
        let err = loop {
            match c.write_plaintext(&out[sent..(sent + 1000).min(out.len())]) {
                Ok(n) => sent += n,
                Err(e) => break e,
            }
        };
        // The client's Finished took the key's first record, close_notify its last.
        assert_eq!(sent, (LIMIT as usize - 2) * 1000, "{suite:?}");
        assert_eq!(
            err,
            Error::KeyLimitReached {
                suite,
                records: LIMIT
            }
        );
        assert_eq!(err.alert(), None);
        let text = err.to_string();
        assert!(text.contains("TLS 1.2 has no rekey"), "{text}");
        assert_eq!(c.write_plaintext(b"x").unwrap_err(), err, "stays closed");
        assert_eq!(c.error(), None, "not a failed connection");

        s.feed(&c.take_outgoing());
        let mut got = Vec::new();
        let mut buf = vec![0u8; 64 * 1024];
        for _ in 0..8 {
            s.process().unwrap();
            let n = s.read_plaintext(&mut buf);
            got.extend_from_slice(&buf[..n]);
        }
        assert!(
            got == out[..sent],
            "{suite:?}: peer got {} bytes",
            got.len()
        );
        assert!(s.received_close_notify());
        s.process_eof().expect("a clean end, not a truncation");

        s.write_plaintext(b"the peer may still write").unwrap();
        c.feed(&s.take_outgoing());
        c.process().unwrap();
        let n = c.read_plaintext(&mut buf);
        assert_eq!(&buf[..n], b"the peer may still write");
    }
}

// ---------------------------------------------------------------------------
// rustls

fn rustls_provider(suite: CipherSuite) -> Arc<rustls::crypto::CryptoProvider> {
    let mut p = aws::default_provider();
    p.cipher_suites
        .retain(|s| u16::from(s.suite()) == suite.get());
    assert_eq!(p.cipher_suites.len(), 1, "{suite:?}");
    Arc::new(p)
}

fn rustls_versions(suite: CipherSuite) -> &'static [&'static rustls::SupportedProtocolVersion] {
    static TLS13: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS13];
    static TLS12: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS12];
    if TLS13_SUITES.contains(&suite) {
        &TLS13
    } else {
        &TLS12
    }
}

fn rustls_server(suite: CipherSuite) -> tokio_rustls::TlsAcceptor {
    let chain = CertificateDer::pem_file_iter(common::cert_path("server.pem"))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(common::cert_path("server.key")).unwrap();
    let c = rustls::ServerConfig::builder_with_provider(rustls_provider(suite))
        .with_protocol_versions(rustls_versions(suite))
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    tokio_rustls::TlsAcceptor::from(Arc::new(c))
}

fn rustls_client(suite: CipherSuite) -> tokio_rustls::TlsConnector {
    let roots = common::rustls_roots();
    let c = rustls::ClientConfig::builder_with_provider(rustls_provider(suite))
        .with_protocol_versions(rustls_versions(suite))
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    tokio_rustls::TlsConnector::from(Arc::new(c))
}

/// rustls, in both roles and with each TLS 1.3 suite, reads 4 MiB across
/// our KeyUpdates (at [`LIMIT`] records per key) and sends 4 MiB back.
#[tokio::test]
async fn rustls_reads_across_our_key_updates_each_suite() {
    timeout(async {
        for suite in TLS13_SUITES {
            let (a, b) = tokio::io::duplex(64 * 1024);
            let (a, scan) = Tap::new(a);
            let (c, s) = tokio::join!(
                client13(suite).connect("localhost", a),
                rustls_server(suite).accept(b)
            );
            let who = format!("{suite:?} lctls client to rustls");
            exchange_across_key_updates(c.unwrap(), s.unwrap(), &scan, &who).await;

            let (a, b) = tokio::io::duplex(64 * 1024);
            let (b, scan) = Tap::new(b);
            let name = ServerName::try_from("localhost").unwrap();
            let acceptor = TlsAcceptor::from(server_config("server"));
            let (c, s) = tokio::join!(rustls_client(suite).connect(name, a), acceptor.accept(b));
            let who = format!("{suite:?} lctls server to rustls");
            exchange_across_key_updates(s.unwrap(), c.unwrap(), &scan, &who).await;
        }
    })
    .await
}

/// Writes 1000-byte pieces of `out` (one record each) until the TLS 1.2
/// connection refuses more, which must be with [`Error::KeyLimitReached`]
/// for `suite` after [`LIMIT`] records: our Finished, 98 of data and
/// close_notify. Returns the bytes accepted.
async fn write_until_refused<IO: AsyncRead + AsyncWrite + Unpin>(
    s: &mut TlsStream<IO>,
    out: &[u8],
    suite: CipherSuite,
) -> usize {
    let mut sent = 0;
    while sent < out.len() {
        match s.write(&out[sent..(sent + 1000).min(out.len())]).await {
            Ok(n) => sent += n,
            Err(e) => {
                let err = tls_err(&e);
                let want = Error::KeyLimitReached {
                    suite,
                    records: LIMIT,
                };
                assert_eq!(err, &want, "{err}");
                assert_eq!(sent, (LIMIT as usize - 2) * 1000);
                return sent;
            }
        }
    }
    panic!("all {} bytes were accepted: no key limit", out.len());
}

/// TLS 1.2, our server against a rustls client: at the limit the server's
/// writes fail with [`Error::KeyLimitReached`], and rustls reads every
/// accepted byte and then close_notify (read_to_end succeeds; a truncation
/// would be an UnexpectedEof error there).
#[tokio::test]
async fn rustls_sees_close_notify_at_the_tls12_limit() {
    timeout(async {
        for suite in TLS12_SUITES {
            let (a, b) = tokio::io::duplex(256 * 1024);
            let name = ServerName::try_from("localhost").unwrap();
            let (c, s) = tokio::join!(
                rustls_client(suite).connect(name, a),
                server12(suite).accept(b)
            );
            let (mut c, mut s) = (c.unwrap(), s.unwrap());
            s.dangerous_set_key_limit_for_tests(LIMIT);
            let out = pattern(10, LIMIT as usize * 1000);
            let (sent, got) = tokio::join!(write_until_refused(&mut s, &out, suite), async {
                let mut got = Vec::new();
                c.read_to_end(&mut got)
                    .await
                    .expect("close_notify, not a truncation");
                got
            });
            assert!(
                got == out[..sent],
                "{suite:?}: rustls got {} of {sent} bytes",
                got.len()
            );
        }
    })
    .await
}

// ---------------------------------------------------------------------------
// OpenSSL

/// A line of `len` letters and digits for `s_server -rev` (which drops
/// trailing spaces, so none are used), different per `seed`.
fn line(len: usize, seed: u64) -> Vec<u8> {
    const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    pattern(seed, len)
        .into_iter()
        .map(|b| ALNUM[b as usize % ALNUM.len()])
        .collect()
}

/// OpenSSL's name of a TLS 1.3 suite: TLS_AES_128_GCM_SHA256 and so on.
fn openssl_name(suite: CipherSuite) -> String {
    format!("{suite:?}").replacen("TLS13_", "TLS_", 1)
}

/// Our client sends 2.5 MB to `openssl s_server -rev` in 250 lines of
/// 10,000 bytes (one record each) at [`LIMIT`] records per key, with each
/// TLS 1.3 suite, while reading the reversed lines back: s_server decrypts
/// across our KeyUpdates and every line comes back intact. (Few, long lines:
/// each KeyUpdate stalls s_server -rev for about a second, seen as 3.0 s for
/// 3 KeyUpdates and 20 s for 20 here, against 0.13 s for 2000 short lines
/// without any; it looks like its retry path sleeping after a read that
/// returns no data.)
#[tokio::test]
async fn openssl_server_reads_across_our_key_updates_each_suite() {
    if !common::require("openssl") {
        return;
    }
    const LINES: usize = 250;
    const LINE: usize = 10_000;
    timeout(async {
        for suite in TLS13_SUITES {
            let port = common::free_port();
            let name = openssl_name(suite);
            let _srv = common::openssl_s_server(
                port,
                "server.pem",
                "server.key",
                &["-naccept", "1", "-ciphersuites", &name],
            );
            let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
            let (tcp, scan) = Tap::new(tcp);
            let mut c = client13(suite).connect("localhost", tcp).await.unwrap();
            c.dangerous_set_key_limit_for_tests(LIMIT);
            scan.lock().unwrap().restart();
            let (mut r, mut w) = tokio::io::split(c);
            let write = async {
                for i in 0..LINES {
                    let mut l = line(LINE - 1, i as u64);
                    l.push(b'\n');
                    w.write_all(&l).await.unwrap();
                }
                w.flush().await.unwrap();
                w
            };
            let read = async {
                let mut got = vec![0u8; LINES * LINE];
                r.read_exact(&mut got).await.unwrap();
                got
            };
            let (mut w, got) = tokio::join!(write, read);
            for (i, back) in got.chunks(LINE).enumerate() {
                let mut want = line(LINE - 1, i as u64);
                want.reverse();
                want.push(b'\n');
                assert!(back == want, "{suite:?}: line {i} came back changed");
            }
            w.shutdown().await.unwrap();
            let mut rest = Vec::new();
            r.read_to_end(&mut rest)
                .await
                .expect("s_server's close_notify");
            assert!(rest.is_empty());
            scan.lock()
                .unwrap()
                .assert_rekeyed(&format!("{suite:?} to s_server"), 2);
        }
    })
    .await
}

/// Listens on a loopback port, starts the `s_client` that `start` makes
/// for that port and returns it with the accepted TCP stream.
async fn s_client_to_us(start: impl FnOnce(u16) -> common::Peer) -> (common::Peer, TcpStream) {
    let l = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let cli = start(l.local_addr().unwrap().port());
    let (tcp, _) = l.accept().await.unwrap();
    (cli, tcp)
}

/// `openssl s_client` reads 2 MiB from our server across its KeyUpdates
/// (at [`LIMIT`] records per key), with each TLS 1.3 suite: what it prints
/// is exactly what we sent, and it answers our close_notify.
#[tokio::test]
async fn openssl_client_reads_across_our_key_updates_each_suite() {
    if !common::require("openssl") {
        return;
    }
    timeout(async {
        for suite in TLS13_SUITES {
            let name = openssl_name(suite);
            let (mut cli, tcp) =
                s_client_to_us(|port| common::openssl_s_client(port, &["-ciphersuites", &name]))
                    .await;
            let (tcp, scan) = Tap::new(tcp);
            let acceptor = TlsAcceptor::from(server_config("server"));
            let mut s = acceptor.accept(tcp).await.unwrap();
            assert_eq!(s.cipher_suite(), Some(suite));
            s.dangerous_set_key_limit_for_tests(LIMIT);
            scan.lock().unwrap().restart();
            let out = pattern(11, 2 * MIB);
            let mut at = 0;
            for n in chunk_lens(out.len(), 12) {
                s.write_all(&out[at..at + n]).await.unwrap();
                at += n;
            }
            s.shutdown().await.unwrap();
            let mut rest = Vec::new();
            s.read_to_end(&mut rest)
                .await
                .expect("s_client's close_notify");
            let status = cli.wait_exit(common::TIMEOUT).await;
            assert!(status.is_some_and(|s| s.success()), "{}", cli.describe());
            let got = cli.stdout_bytes();
            assert!(
                got == out,
                "{suite:?}: s_client printed {} bytes, not the data",
                got.len()
            );
            scan.lock()
                .unwrap()
                .assert_rekeyed(&format!("{suite:?} to s_client"), 8);
        }
    })
    .await
}

/// TLS 1.2 against `openssl s_client -tls1_2`: at the limit our server's
/// writes fail with [`Error::KeyLimitReached`]; s_client prints every
/// accepted byte, takes our close_notify as the end and exits 0 (its
/// stdin still open), answering with its own close_notify.
#[tokio::test]
async fn openssl_client_sees_close_notify_at_the_tls12_limit() {
    if !common::require("openssl") {
        return;
    }
    timeout(async {
        for suite in TLS12_SUITES {
            let (mut cli, tcp) = s_client_to_us(|port| {
                common::openssl_s_client_version(port, "-tls1_2", true, true, &[])
            })
            .await;
            let mut s = server12(suite).accept(tcp).await.unwrap();
            s.dangerous_set_key_limit_for_tests(LIMIT);
            let out = pattern(13, LIMIT as usize * 1000);
            let sent = write_until_refused(&mut s, &out, suite).await;
            let status = cli.wait_exit(common::TIMEOUT).await;
            assert!(status.is_some_and(|s| s.success()), "{}", cli.describe());
            let got = cli.stdout_bytes();
            assert!(
                got == out[..sent],
                "{suite:?}: s_client printed {} of {sent} bytes",
                got.len()
            );
            let mut rest = Vec::new();
            s.read_to_end(&mut rest)
                .await
                .expect("s_client's close_notify");
        }
    })
    .await
}

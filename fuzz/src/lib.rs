//! What the fuzz targets and `gen_corpus` share: fixed configurations, a
//! fixed clock, and the driver that feeds peer bytes into a [`Connection`]
//! and checks its invariants after every call.
//!
//! Everything a target builds is a pure function of its input: the time is
//! [`NOW`], the randomness and ephemeral keys are fixed by lctls itself under
//! `cfg(fuzzing)` (src/proto/crypto/rng.rs), the server signs with Ed25519
//! (deterministic signatures) and no config keeps sessions between inputs.
//! A crash therefore reproduces from its input alone, and a client flight
//! recorded by `gen_corpus` against these configs stays valid when replayed.

use std::sync::{Arc, OnceLock};

use lctls::config::{CertifiedKey, ClientConfig, FixedTime, ServerConfig};
use lctls::pki::{CertificateDer, DefaultClientVerifier, RootStore, ServerName, UnixTime};
use lctls::proto::enums::{NamedGroup, ProtocolVersion};
use lctls::proto::{Connection, MAX_BUFFERED_PLAINTEXT};
use lctls::unstable_internals::{HEADER_LEN, MAX_CIPHERTEXT, MAX_PLAINTEXT};
use lctls::Error;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::PrivateKeyDer;

/// The fixed instant every config verifies at: 2027-01-01T00:00:00Z, inside
/// the validity of the test PKI in certs/ (2026-11-23 to 2046).
pub const NOW: u64 = 1_798_761_600;

/// A PEM file of certs/, embedded so a target needs no working directory.
pub mod pem {
    /// The test root CA.
    pub const CA: &[u8] = include_bytes!("../../certs/ca.pem");
    /// Ed25519 server leaf and the intermediate.
    pub const SERVER_ED25519: &[u8] = include_bytes!("../../certs/server-ed25519.pem");
    /// Its key.
    pub const SERVER_ED25519_KEY: &[u8] = include_bytes!("../../certs/server-ed25519.key");
    /// ECDSA P-256 server leaf and the intermediate.
    pub const SERVER: &[u8] = include_bytes!("../../certs/server.pem");
    /// Its key.
    pub const SERVER_KEY: &[u8] = include_bytes!("../../certs/server.key");
    /// The client leaf and the intermediate.
    pub const CLIENT: &[u8] = include_bytes!("../../certs/client.pem");
    /// Its key.
    pub const CLIENT_KEY: &[u8] = include_bytes!("../../certs/client.key");
    /// The intermediate CA.
    pub const INTER: &[u8] = include_bytes!("../../certs/inter.pem");
    /// Its key.
    pub const INTER_KEY: &[u8] = include_bytes!("../../certs/inter.key");
    /// The root CA's key.
    pub const CA_KEY: &[u8] = include_bytes!("../../certs/ca.key");
}

/// The certificates of a PEM text.
pub fn certs(pem: &[u8]) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .expect("test PEM")
}

/// A certified key from PEM texts.
pub fn certified_key(chain: &[u8], key: &[u8]) -> CertifiedKey {
    let key = PrivateKeyDer::from_pem_slice(key).expect("test key");
    CertifiedKey::new(certs(chain), &key).expect("test key pair")
}

/// The fixed clock.
pub fn time() -> Arc<FixedTime> {
    Arc::new(FixedTime(UnixTime::since_unix_epoch(
        std::time::Duration::from_secs(NOW),
    )))
}

/// A root store trusting certs/ca.pem.
pub fn roots() -> Arc<RootStore> {
    static ROOTS: OnceLock<Arc<RootStore>> = OnceLock::new();
    ROOTS
        .get_or_init(|| {
            let mut r = RootStore::new();
            r.add_pem(pem::CA).expect("test CA");
            Arc::new(r)
        })
        .clone()
}

/// Server configurations a connection input can pick (its first byte).
pub const SERVER_VARIANTS: &[&str] = &["default", "mtls", "tls12", "hrr", "alpn"];

/// Client configurations a connection input can pick (its first byte).
pub const CLIENT_VARIANTS: &[&str] = &["default", "tls12", "tls13-hrr", "alpn"];

fn build_server(variant: usize) -> Arc<ServerConfig> {
    let mut b = ServerConfig::builder()
        .with_certified_key(certified_key(pem::SERVER_ED25519, pem::SERVER_ED25519_KEY))
        .with_time_provider(time())
        // Session IDs would carry state from one input to the next.
        .with_session_cache_size(0);
    match SERVER_VARIANTS[variant] {
        "mtls" => {
            b = b.with_client_cert_verifier(Arc::new(DefaultClientVerifier::new(roots())));
        }
        "tls12" => b = b.with_protocol_versions(&[ProtocolVersion::TLSv1_2]),
        "hrr" => b = b.with_groups(&[NamedGroup::secp256r1, NamedGroup::secp384r1]),
        "alpn" => b = b.with_alpn_protocols(&[&b"h2"[..], b"http/1.1"]),
        _ => {}
    }
    Arc::new(b.build().expect("server config"))
}

/// The server config of `variant` (modulo the number of variants). Built
/// once: with no session cache and ticket keys fixed by the fuzzing
/// randomness, nothing in it changes from one input to the next.
pub fn server_config(variant: u8) -> Arc<ServerConfig> {
    static CONFIGS: OnceLock<Vec<Arc<ServerConfig>>> = OnceLock::new();
    let all = CONFIGS.get_or_init(|| (0..SERVER_VARIANTS.len()).map(build_server).collect());
    all[usize::from(variant) % all.len()].clone()
}

fn build_client(variant: usize) -> Arc<ClientConfig> {
    let mut b = ClientConfig::builder()
        .with_root_store(roots())
        .with_time_provider(time())
        // A stored session would change the next input's ClientHello.
        .with_session_cache_size(0);
    match CLIENT_VARIANTS[variant] {
        "tls12" => b = b.with_protocol_versions(&[ProtocolVersion::TLSv1_2]),
        "tls13-hrr" => {
            b = b
                .with_protocol_versions(&[ProtocolVersion::TLSv1_3])
                .with_groups(&[NamedGroup::X25519, NamedGroup::secp256r1])
        }
        "alpn" => b = b.with_alpn_protocols(&[&b"h2"[..], b"http/1.1"]),
        _ => {}
    }
    Arc::new(b.build().expect("client config"))
}

/// The client config of `variant` (modulo the number of variants).
pub fn client_config(variant: u8) -> Arc<ClientConfig> {
    static CONFIGS: OnceLock<Vec<Arc<ClientConfig>>> = OnceLock::new();
    let all = CONFIGS.get_or_init(|| (0..CLIENT_VARIANTS.len()).map(build_client).collect());
    all[usize::from(variant) % all.len()].clone()
}

/// A client connection to "localhost" with the config of `variant`.
pub fn new_client(variant: u8) -> Connection {
    Connection::new_client(
        client_config(variant),
        ServerName::try_from("localhost").expect("name"),
    )
    .expect("client start")
}

/// How a connection target uses its input: the first byte is a [`Plan`],
/// the rest is what the peer sends.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// Which config (index into the variants).
    pub variant: u8,
    /// Bytes fed per `process()` call.
    pub chunk: usize,
    /// Read with `read_direct` (else `read_plaintext`).
    pub read_direct: bool,
    /// Signal EOF after the last byte.
    pub eof: bool,
    /// Once established: write data and request a KeyUpdate.
    pub talk: bool,
}

impl Plan {
    /// Decodes the plan byte: variant in bits 0-2, chunking in bits 3-4,
    /// then read_direct, eof and talk.
    pub fn from_byte(b: u8) -> Self {
        Plan {
            variant: b & 7,
            chunk: [usize::MAX, 1, 31, 700][usize::from(b >> 3) & 3],
            read_direct: b & 0x20 != 0,
            eof: b & 0x40 != 0,
            talk: b & 0x80 != 0,
        }
    }

    /// The plan byte gen_corpus writes for `variant`: whole input, no EOF.
    pub fn byte(variant: u8) -> u8 {
        variant & 7
    }
}

/// Is this error a clean refusal: one that sends an alert, or a received
/// alert, or a truncation?
pub fn acceptable(e: &Error) -> bool {
    e.alert().is_some() || matches!(e, Error::AlertReceived(_) | Error::Truncated)
}

/// The most ciphertext a connection may queue while fed a bounded input.
pub const MAX_OUTGOING: usize = 1 << 20;
/// What `process()` may leave in the incoming buffer: one partial record.
pub const MAX_INCOMING_AFTER_PROCESS: usize = HEADER_LEN + MAX_CIPHERTEXT;
/// Plaintext held for the reader: the documented bound plus one record.
pub const MAX_PLAINTEXT_HELD: usize = MAX_BUFFERED_PLAINTEXT + MAX_PLAINTEXT;

/// A connection under test and the first error it reported.
pub struct Victim {
    /// The connection.
    pub conn: Connection,
    error: Option<Error>,
}

impl Victim {
    /// Wraps a fresh connection.
    pub fn new(conn: Connection) -> Self {
        Victim { conn, error: None }
    }

    /// The first error, once one happened.
    pub fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }

    /// Checks every invariant after a call that returned `r`.
    pub fn check(&mut self, r: Result<(), Error>) {
        match (&self.error, r) {
            (None, Ok(())) => {
                let c = &mut self.conn;
                // A full plaintext buffer pauses processing by design (the IO
                // layer stops feeding); after a close_notify nothing is kept.
                if !c.plaintext_full() {
                    let left = c.incoming_mut().len();
                    assert!(
                        left <= MAX_INCOMING_AFTER_PROCESS,
                        "{left} bytes left unprocessed"
                    );
                }
            }
            (None, Err(e)) => {
                assert!(acceptable(&e), "error without an alert: {e:?}");
                assert_eq!(self.conn.error(), Some(&e), "error() disagrees");
                self.error = Some(e);
            }
            (Some(first), r) => {
                assert_eq!(r.as_ref(), Err(first), "error not sticky");
            }
        }
        let c = &self.conn;
        assert!(
            c.outgoing_len() < MAX_OUTGOING,
            "outgoing grew to {}",
            c.outgoing_len()
        );
        assert!(
            c.plaintext_len() <= MAX_PLAINTEXT_HELD,
            "plaintext grew to {}",
            c.plaintext_len()
        );
    }

    fn read(&mut self, direct: bool) {
        let mut buf = [0u8; 4096];
        if direct {
            let r = self.conn.read_direct(&mut buf);
            if let Ok(n) = r {
                assert!(n <= buf.len());
            }
            self.check(r.map(|_| ()));
        }
        let n = self.conn.read_plaintext(&mut buf);
        assert!(n <= buf.len());
    }

    /// Feeds `stream` as `plan` says, checking after every call; drains the
    /// outgoing buffer as a socket would.
    pub fn drive(&mut self, plan: Plan, stream: &[u8]) {
        let mut talked = false;
        for piece in stream.chunks(plan.chunk.min(stream.len().max(1))) {
            self.conn.feed(piece);
            let r = self.conn.process();
            self.check(r);
            self.read(plan.read_direct);
            if plan.talk && !talked && !self.conn.is_handshaking() && self.error.is_none() {
                talked = true;
                // Our own calls, not peer input: their errors (for instance
                // after the peer's close_notify) are not checked here; any
                // failure they cause must show in the next process().
                let _ = self.conn.write_plaintext(b"fuzz");
                if self.conn.negotiated().version == Some(ProtocolVersion::TLSv1_3) {
                    let _ = self.conn.update_keys(true);
                }
            }
            drop(self.conn.take_outgoing());
        }
        if plan.eof {
            let r = self.conn.process_eof();
            self.check(r);
        }
        // Sticky: every later call reports the first error.
        let r = self.conn.process();
        self.check(r);
        if let Some(e) = &self.error {
            assert_eq!(
                self.conn.write_plaintext(b"x").unwrap_err(),
                *e,
                "write_plaintext after failure"
            );
            assert_eq!(
                self.conn.process_eof().unwrap_err(),
                *e,
                "EOF after failure"
            );
        }
    }
}

/// Splits a byte stream into records by their headers (a trailing partial
/// record is kept whole).
pub fn split_records(stream: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < stream.len() {
        let end = match stream.get(i + 3..i + 5) {
            Some(l) => {
                (i + HEADER_LEN + usize::from(u16::from_be_bytes([l[0], l[1]]))).min(stream.len())
            }
            None => stream.len(),
        };
        out.push(&stream[i..end]);
        i = end;
    }
    out
}

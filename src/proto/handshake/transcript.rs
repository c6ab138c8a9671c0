//! The running transcript hash.

use aws_lc_rs::digest;

use crate::proto::wire::enums::HandshakeType;

/// A transcript hash, kept inline (aws-lc-rs's fixed-size `Digest`) rather
/// than in a fresh `Vec`: a handshake takes about eleven of them. It derefs
/// to the hash bytes. Not secret: it hashes messages that crossed the wire.
#[derive(Clone, Copy)]
pub struct HashOut(digest::Digest);

impl std::ops::Deref for HashOut {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.0.as_ref()
    }
}

impl std::fmt::Debug for HashOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HashOut({} bytes)", self.len())
    }
}

/// What a TLS 1.2 transcript reserves for the messages after the
/// ClientHello: ServerHello, a two-certificate chain, ServerKeyExchange,
/// ServerHelloDone, ClientKeyExchange and Finished take about 2.5 KiB.
pub const TLS12_FLIGHTS: usize = 4096;

/// Handshake transcript: buffered until the hash is known (a client learns it
/// from ServerHello), then a running digest.
pub enum Transcript {
    /// Messages so far, before a suite is chosen.
    Buffer(Vec<u8>),
    /// The running hash.
    Hash(digest::Context),
}

impl std::fmt::Debug for Transcript {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Transcript::Buffer(b) => write!(f, "Transcript::Buffer({} bytes)", b.len()),
            Transcript::Hash(c) => write!(f, "Transcript::Hash({:?})", c.algorithm()),
        }
    }
}

impl Default for Transcript {
    fn default() -> Self {
        Transcript::Buffer(Vec::new())
    }
}

impl Transcript {
    /// A transcript hashing with `alg` from the start.
    pub fn new(alg: &'static digest::Algorithm) -> Self {
        Transcript::Hash(digest::Context::new(alg))
    }

    /// Adds a full handshake message (header included).
    pub fn add(&mut self, msg: &[u8]) {
        match self {
            Transcript::Buffer(b) => b.extend_from_slice(msg),
            Transcript::Hash(c) => c.update(msg),
        }
    }

    /// Makes room for `additional` more bytes while the messages are still
    /// buffered, so that a TLS 1.2 transcript (kept whole for CertificateVerify)
    /// does not grow by doubling message after message.
    pub fn reserve_buffer(&mut self, additional: usize) {
        if let Transcript::Buffer(b) = self {
            b.reserve(additional);
        }
    }

    /// Switches from buffering to hashing with `alg`.
    pub fn start_hash(&mut self, alg: &'static digest::Algorithm) {
        if let Transcript::Buffer(b) = self {
            let mut c = digest::Context::new(alg);
            c.update(b);
            *self = Transcript::Hash(c);
        }
    }

    /// The hash of everything so far. Only meaningful once hashing started;
    /// before that it hashes with SHA-256, which no caller relies on.
    pub fn current_hash(&self) -> HashOut {
        match self {
            Transcript::Hash(c) => HashOut(c.clone().finish()),
            Transcript::Buffer(b) => HashOut(digest::digest(&digest::SHA256, b)),
        }
    }

    /// The hash of everything so far with `alg`: TLS 1.2 keeps the raw
    /// messages (its CertificateVerify signs them), so any hash can be taken.
    pub fn hash_with(&self, alg: &'static digest::Algorithm) -> HashOut {
        match self {
            Transcript::Buffer(b) => HashOut(digest::digest(alg, b)),
            Transcript::Hash(c) => HashOut(c.clone().finish()),
        }
    }

    /// The hash of everything so far followed by `extra`, without adding it:
    /// a PSK binder covers the transcript plus a truncated ClientHello.
    pub fn hash_with_extra(&self, alg: &'static digest::Algorithm, extra: &[u8]) -> HashOut {
        let mut c = match self {
            Transcript::Buffer(b) => {
                let mut c = digest::Context::new(alg);
                c.update(b);
                c
            }
            Transcript::Hash(c) => c.clone(),
        };
        c.update(extra);
        HashOut(c.finish())
    }

    /// The raw messages, while they are still buffered.
    pub fn raw(&self) -> Option<&[u8]> {
        match self {
            Transcript::Buffer(b) => Some(b),
            Transcript::Hash(_) => None,
        }
    }

    /// Replaces ClientHello1 by message_hash(Hash(ClientHello1)) after a
    /// HelloRetryRequest (RFC 8446 section 4.4.1).
    pub fn rollup_for_retry(&mut self, alg: &'static digest::Algorithm) {
        self.start_hash(alg);
        let h = self.current_hash();
        let mut c = digest::Context::new(alg);
        c.update(&[HandshakeType::MessageHash.get(), 0, 0, h.len() as u8]);
        c.update(&h);
        *self = Transcript::Hash(c);
    }
}

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
    /// TLS 1.2 once the suite is known: the running hash (Finished and the
    /// extended master secret take it without rehashing everything) and the
    /// raw messages, which a client CertificateVerify signs with a hash of
    /// its own (RFC 5246 section 7.4.8) and which are dropped when none can come.
    HashAndRaw(digest::Context, Vec<u8>),
}

impl std::fmt::Debug for Transcript {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Transcript::Buffer(b) => write!(f, "Transcript::Buffer({} bytes)", b.len()),
            Transcript::Hash(c) => write!(f, "Transcript::Hash({:?})", c.algorithm()),
            Transcript::HashAndRaw(c, b) => {
                write!(
                    f,
                    "Transcript::HashAndRaw({:?}, {} bytes)",
                    c.algorithm(),
                    b.len()
                )
            }
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
            Transcript::HashAndRaw(c, b) => {
                c.update(msg);
                b.extend_from_slice(msg);
            }
        }
    }

    /// Makes room for `additional` more bytes while the messages are still
    /// buffered, so that a TLS 1.2 transcript (kept whole for CertificateVerify)
    /// does not grow by doubling message after message.
    pub fn reserve_buffer(&mut self, additional: usize) {
        if let Transcript::Buffer(b) | Transcript::HashAndRaw(_, b) = self {
            b.reserve(additional);
        }
    }

    /// TLS 1.2: starts the running hash with the suite's `alg` and keeps
    /// the raw messages too (see [`Transcript::HashAndRaw`]).
    pub fn start_hash_keeping_raw(&mut self, alg: &'static digest::Algorithm) {
        if let Transcript::Buffer(b) = self {
            let mut c = digest::Context::new(alg);
            c.update(b);
            *self = Transcript::HashAndRaw(c, std::mem::take(b));
        }
    }

    /// TLS 1.2: drops the raw messages once no CertificateVerify can need
    /// them (no client certificate was asked for).
    pub fn drop_raw(&mut self) {
        *self = match std::mem::take(self) {
            Transcript::HashAndRaw(c, _) => Transcript::Hash(c),
            other => other,
        };
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
            Transcript::Hash(c) | Transcript::HashAndRaw(c, _) => HashOut(c.clone().finish()),
            Transcript::Buffer(b) => HashOut(digest::digest(&digest::SHA256, b)),
        }
    }

    /// The hash of everything so far with `alg`: TLS 1.2 keeps the raw
    /// messages (its CertificateVerify signs them), so any hash can be taken.
    pub fn hash_with(&self, alg: &'static digest::Algorithm) -> HashOut {
        match self {
            Transcript::HashAndRaw(c, _) if c.algorithm() == alg => HashOut(c.clone().finish()),
            Transcript::Buffer(b) | Transcript::HashAndRaw(_, b) => HashOut(digest::digest(alg, b)),
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
            Transcript::Hash(c) | Transcript::HashAndRaw(c, _) => c.clone(),
        };
        c.update(extra);
        HashOut(c.finish())
    }

    /// The raw messages, while they are still buffered.
    pub fn raw(&self) -> Option<&[u8]> {
        match self {
            Transcript::Buffer(b) | Transcript::HashAndRaw(_, b) => Some(b),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// TLS 1.2 after the suite is known: the running hash and the raw
    /// messages agree, any other hash is taken over the raw messages, and
    /// dropping the raw messages keeps the hash.
    #[test]
    fn hash_and_raw_agree_with_hashing_the_messages() {
        let (a, b) = (&[1u8, 0, 0, 1, 7][..], &[2u8, 0, 0, 2, 8, 9][..]);
        let all = [a, b].concat();
        let mut t = Transcript::default();
        t.add(a);
        t.start_hash_keeping_raw(&digest::SHA256);
        t.add(b);
        assert_eq!(t.raw(), Some(&all[..]));
        let sha256 = digest::digest(&digest::SHA256, &all);
        let sha384 = digest::digest(&digest::SHA384, &all);
        assert_eq!(&*t.hash_with(&digest::SHA256), sha256.as_ref());
        assert_eq!(&*t.hash_with(&digest::SHA384), sha384.as_ref());
        assert_eq!(&*t.current_hash(), sha256.as_ref());
        t.drop_raw();
        assert_eq!(t.raw(), None);
        assert_eq!(&*t.hash_with(&digest::SHA256), sha256.as_ref());
        t.add(a);
        let more = digest::digest(&digest::SHA256, &[&all[..], a].concat());
        assert_eq!(&*t.current_hash(), more.as_ref());
    }
}

//! The TLS 1.3 cipher suites and the aws-lc-rs algorithms behind each.

use aws_lc_rs::{aead, digest, hkdf, hmac};

use crate::proto::wire::enums::CipherSuite;

/// A TLS 1.3 cipher suite: an AEAD and the hash its key schedule uses.
#[derive(Debug)]
pub struct Tls13CipherSuite {
    /// The code point.
    pub suite: CipherSuite,
    /// Record protection.
    pub aead: &'static aead::Algorithm,
    /// The key schedule's HKDF.
    pub hkdf: hkdf::Algorithm,
    /// HMAC for Finished.
    pub hmac: hmac::Algorithm,
    /// The transcript hash.
    pub hash: &'static digest::Algorithm,
}

impl Tls13CipherSuite {
    /// Output length of the suite's hash, which is also the length of every secret.
    pub fn hash_len(&self) -> usize {
        self.hash.output_len()
    }

    /// AEAD key length.
    pub fn key_len(&self) -> usize {
        self.aead.key_len()
    }
}

/// TLS_AES_128_GCM_SHA256
pub static TLS13_AES_128_GCM_SHA256: Tls13CipherSuite = Tls13CipherSuite {
    suite: CipherSuite::TLS13_AES_128_GCM_SHA256,
    aead: &aead::AES_128_GCM,
    hkdf: hkdf::HKDF_SHA256,
    hmac: hmac::HMAC_SHA256,
    hash: &digest::SHA256,
};

/// TLS_AES_256_GCM_SHA384
pub static TLS13_AES_256_GCM_SHA384: Tls13CipherSuite = Tls13CipherSuite {
    suite: CipherSuite::TLS13_AES_256_GCM_SHA384,
    aead: &aead::AES_256_GCM,
    hkdf: hkdf::HKDF_SHA384,
    hmac: hmac::HMAC_SHA384,
    hash: &digest::SHA384,
};

/// TLS_CHACHA20_POLY1305_SHA256
pub static TLS13_CHACHA20_POLY1305_SHA256: Tls13CipherSuite = Tls13CipherSuite {
    suite: CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
    aead: &aead::CHACHA20_POLY1305,
    hkdf: hkdf::HKDF_SHA256,
    hmac: hmac::HMAC_SHA256,
    hash: &digest::SHA256,
};

/// Every TLS 1.3 suite, in our default order of preference.
pub static ALL_TLS13_SUITES: &[&Tls13CipherSuite] = &[
    &TLS13_AES_128_GCM_SHA256,
    &TLS13_AES_256_GCM_SHA384,
    &TLS13_CHACHA20_POLY1305_SHA256,
];

/// Looks a suite up by code point.
pub fn tls13_suite(id: CipherSuite) -> Option<&'static Tls13CipherSuite> {
    ALL_TLS13_SUITES.iter().copied().find(|s| s.suite == id)
}

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

/// Which certificate key a TLS 1.2 ECDHE suite authenticates with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tls12Auth {
    /// ECDHE_ECDSA: an ECDSA (or Ed25519) certificate key.
    Ecdsa,
    /// ECDHE_RSA: an RSA certificate key.
    Rsa,
}

/// How a TLS 1.2 AEAD suite builds its nonces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tls12Nonce {
    /// AES-GCM (RFC 5288): 4-byte implicit salt, 8-byte explicit nonce sent in each record.
    ExplicitGcm,
    /// ChaCha20-Poly1305 (RFC 7905): 12-byte IV XOR the sequence number, nothing sent.
    XorChaCha,
}

/// A TLS 1.2 ECDHE cipher suite with an AEAD.
#[derive(Debug)]
pub struct Tls12CipherSuite {
    /// The code point.
    pub suite: CipherSuite,
    /// The certificate key type it needs.
    pub auth: Tls12Auth,
    /// Record protection.
    pub aead: &'static aead::Algorithm,
    /// The PRF's hash.
    pub prf: &'static aws_lc_rs::tls_prf::Algorithm,
    /// The transcript (session) hash, the PRF's hash.
    pub hash: &'static digest::Algorithm,
    /// The nonce construction.
    pub nonce: Tls12Nonce,
}

impl Tls12CipherSuite {
    /// Bytes of fixed IV taken from the key block.
    pub fn fixed_iv_len(&self) -> usize {
        match self.nonce {
            Tls12Nonce::ExplicitGcm => 4,
            Tls12Nonce::XorChaCha => 12,
        }
    }

    /// Bytes of explicit nonce carried in every record.
    pub fn explicit_nonce_len(&self) -> usize {
        match self.nonce {
            Tls12Nonce::ExplicitGcm => 8,
            Tls12Nonce::XorChaCha => 0,
        }
    }
}

macro_rules! tls12_suite {
    ($name:ident, $auth:ident, $aead:ident, $prf:ident, $hash:ident, $nonce:ident) => {
        #[doc = concat!("The TLS 1.2 suite ", stringify!($name), ".")]
        pub static $name: Tls12CipherSuite = Tls12CipherSuite {
            suite: CipherSuite::$name,
            auth: Tls12Auth::$auth,
            aead: &aead::$aead,
            prf: &aws_lc_rs::tls_prf::$prf,
            hash: &digest::$hash,
            nonce: Tls12Nonce::$nonce,
        };
    };
}

tls12_suite!(
    TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    Ecdsa,
    AES_128_GCM,
    P_SHA256,
    SHA256,
    ExplicitGcm
);
tls12_suite!(
    TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    Ecdsa,
    AES_256_GCM,
    P_SHA384,
    SHA384,
    ExplicitGcm
);
tls12_suite!(
    TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    Ecdsa,
    CHACHA20_POLY1305,
    P_SHA256,
    SHA256,
    XorChaCha
);
tls12_suite!(
    TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    Rsa,
    AES_128_GCM,
    P_SHA256,
    SHA256,
    ExplicitGcm
);
tls12_suite!(
    TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    Rsa,
    AES_256_GCM,
    P_SHA384,
    SHA384,
    ExplicitGcm
);
tls12_suite!(
    TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    Rsa,
    CHACHA20_POLY1305,
    P_SHA256,
    SHA256,
    XorChaCha
);

/// Every TLS 1.2 suite, in our default order of preference.
pub static ALL_TLS12_SUITES: &[&Tls12CipherSuite] = &[
    &TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    &TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    &TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    &TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    &TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    &TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
];

/// Looks a TLS 1.2 suite up by code point.
pub fn tls12_suite(id: CipherSuite) -> Option<&'static Tls12CipherSuite> {
    ALL_TLS12_SUITES.iter().copied().find(|s| s.suite == id)
}

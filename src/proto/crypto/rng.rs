//! Where our random values and ephemeral (EC)DH keys come from: the system
//! generator of aws-lc-rs, except in fuzz builds.
//!
//! Under `cfg(fuzzing)` (set by `cargo fuzz`) every call returns the same
//! fixed stream and every ephemeral key is made from fixed private key
//! bytes, so a fuzz input replays identically whatever ran before it, and a
//! recorded peer's Finished stays valid against a fresh connection. Never
//! enabled in a normal build. The ML-KEM hybrid stays random (aws-lc-rs
//! offers no seeded ML-KEM); fuzz configs do not enable it.

use aws_lc_rs::agreement::{Algorithm, PrivateKey};

use crate::error::Error;

/// Fills `out` with random bytes.
#[cfg(not(fuzzing))]
pub fn fill(out: &mut [u8]) -> Result<(), Error> {
    use aws_lc_rs::rand::SecureRandom;
    aws_lc_rs::rand::SystemRandom::new()
        .fill(out)
        .map_err(|_| Error::internal("random generator failed"))
}

/// A fresh ephemeral private key for `alg`.
#[cfg(not(fuzzing))]
pub fn ecdh_private(alg: &'static Algorithm) -> Result<PrivateKey, Error> {
    PrivateKey::generate(alg).map_err(|_| Error::internal("key generation failed"))
}

/// Fuzz builds: the same xorshift stream from a fixed seed on every call.
#[cfg(fuzzing)]
pub fn fill(out: &mut [u8]) -> Result<(), Error> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for b in out {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = (x >> 24) as u8;
    }
    Ok(())
}

/// Fuzz builds: a fixed private key (0x42 repeated is a valid scalar for
/// X25519, P-256 and P-384; P-521's 66 bytes start with 0x01 to stay below
/// the group order).
#[cfg(fuzzing)]
pub fn ecdh_private(alg: &'static Algorithm) -> Result<PrivateKey, Error> {
    use aws_lc_rs::agreement::{ECDH_P384, ECDH_P521};
    let mut fixed = [0x42u8; 66];
    fixed[0] = 0x01;
    let key: &[u8] = if alg == &ECDH_P521 {
        &fixed
    } else if alg == &ECDH_P384 {
        &fixed[18..]
    } else {
        &fixed[34..]
    };
    PrivateKey::from_private_key(alg, key)
        .map_err(|_| Error::internal("fixed fuzzing key rejected"))
}

//! Containers for secret bytes: zeroed when dropped, redacted when printed.
//!
//! Nothing in this module implements `PartialEq`: comparing secrets must be
//! done in constant time, by whoever needs it, on purpose.

use std::fmt;

use aws_lc_rs::aead;
use zeroize::Zeroize;

/// Length of every TLS 1.3 record-protection IV (and AEAD nonce), in bytes.
pub const IV_LEN: usize = aead::NONCE_LEN;

/// Secret bytes: a key-schedule secret, a traffic secret, a derived key.
///
/// The bytes are overwritten with zeros when the value is dropped, and
/// `Debug` prints `Secret(..redacted..)`. Key-schedule secrets are as long
/// as the suite's hash; AEAD keys are as long as the AEAD key.
///
/// The bytes stay on the heap, in one place, for the secret's whole life,
/// so zeroing them on drop wipes the only copy. Inline storage would save an
/// allocation per secret, but every move of a `Secret` (into a handshake
/// state, out of a box) would then leave a copy behind that nothing wipes.
#[derive(Clone)]
pub struct Secret {
    bytes: Vec<u8>,
}

impl Secret {
    /// `len` zero bytes, to be filled in place (so that no unzeroized copy is
    /// ever made by a reallocation).
    pub(crate) fn zeroed(len: usize) -> Self {
        Self {
            bytes: vec![0u8; len],
        }
    }

    /// A copy of `bytes` (for example a PSK handed over by the application).
    pub fn from_slice(bytes: &[u8]) -> Self {
        Self {
            bytes: bytes.to_vec(),
        }
    }

    pub(crate) fn as_mut_bytes(&mut self) -> &mut [u8] {
        &mut self.bytes
    }

    /// The secret bytes.
    ///
    /// For key logging (`SSLKEYLOGFILE`), exporters and known-answer tests
    /// only: anything else should keep the secret inside this type.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the secret is empty (never the case for a derived secret).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..redacted..)")
    }
}

/// A record-protection IV (RFC 8446 section 5.3): zeroed on drop, redacted
/// in `Debug`.
#[derive(Clone)]
pub struct Iv {
    bytes: [u8; IV_LEN],
}

impl Iv {
    pub(crate) fn zeroed() -> Self {
        Self {
            bytes: [0u8; IV_LEN],
        }
    }

    pub(crate) fn as_mut_bytes(&mut self) -> &mut [u8; IV_LEN] {
        &mut self.bytes
    }

    /// The IV bytes, for key logging and known-answer tests.
    pub fn as_bytes(&self) -> &[u8; IV_LEN] {
        &self.bytes
    }

    /// The per-record nonce of RFC 8446 section 5.3: the 64-bit record
    /// sequence number, big-endian and left-padded with zeros to the IV
    /// length, XORed with the IV.
    pub fn nonce(&self, sequence_number: u64) -> aead::Nonce {
        let mut nonce = self.bytes;
        let seq = sequence_number.to_be_bytes();
        for (n, s) in nonce[IV_LEN - seq.len()..].iter_mut().zip(seq) {
            *n ^= s;
        }
        let out = aead::Nonce::assume_unique_for_key(nonce);
        nonce.zeroize();
        out
    }
}

impl Drop for Iv {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

impl fmt::Debug for Iv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Iv(..redacted..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = Secret::from_slice(&[0xab; 32]);
        let printed = format!("{s:?}");
        assert_eq!(printed, "Secret(..redacted..)");
        assert!(!printed.to_lowercase().contains("ab"));
        let mut iv = Iv::zeroed();
        iv.as_mut_bytes().copy_from_slice(&[0xcd; IV_LEN]);
        assert_eq!(format!("{iv:?}"), "Iv(..redacted..)");
    }

    #[test]
    fn secrets_keep_their_bytes() {
        for len in [0, 16, 32, 48, 49, 200] {
            let bytes: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let s = Secret::from_slice(&bytes);
            assert_eq!(s.as_bytes(), &bytes[..]);
            assert_eq!(s.len(), len);
            assert_eq!(s.clone().as_bytes(), &bytes[..]);
        }
    }

    #[test]
    fn nonce_xors_sequence_number_into_the_low_bytes() {
        let mut iv = Iv::zeroed();
        iv.as_mut_bytes()
            .copy_from_slice(&[0x10, 0x11, 0x12, 0x13, 0, 0, 0, 0, 0, 0, 0xff, 0x01]);
        let n = iv.nonce(0x0102);
        assert_eq!(
            n.as_ref(),
            &[0x10, 0x11, 0x12, 0x13, 0, 0, 0, 0, 0, 0, 0xfe, 0x03]
        );
        assert_eq!(iv.nonce(0).as_ref(), iv.as_bytes());
    }
}

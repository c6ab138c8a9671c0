//! The ML-KEM groups of TLS 1.3: the hybrids X25519MLKEM768 and
//! SecP256r1MLKEM768 (draft-ietf-tls-ecdhe-mlkem) and ML-KEM-1024 alone
//! (draft-ietf-tls-mlkem), over aws-lc-rs's ML-KEM.
//!
//! The client's share is an encapsulation key, the server's a ciphertext;
//! a hybrid concatenates an ECDH public key to each, and the two shared
//! secrets likewise. The order differs per group (draft-ietf-tls-ecdhe-mlkem
//! section 4.1): X25519MLKEM768 puts ML-KEM first (an X25519 key is not a
//! FIPS-approved part, and FIPS SP 800-56C wants the approved secret first),
//! SecP256r1MLKEM768 puts the P-256 part first.

use aws_lc_rs::{agreement, kem};
use zeroize::Zeroizing;

use crate::error::Error;
use crate::proto::wire::enums::NamedGroup;

/// One ML-KEM group's layout.
pub(super) struct KemGroup {
    pub group: NamedGroup,
    kem: &'static kem::Algorithm<kem::AlgorithmId>,
    /// Encapsulation key and ciphertext sizes (FIPS 203 section 8, table 3).
    ek_len: usize,
    ct_len: usize,
    /// The ECDH half of a hybrid, and whether it comes first in the shares
    /// and in the shared secret.
    classical: Option<(NamedGroup, bool)>,
}

const X25519MLKEM768: KemGroup = KemGroup {
    group: NamedGroup::X25519MLKEM768,
    kem: &kem::ML_KEM_768,
    ek_len: 1184,
    ct_len: 1088,
    classical: Some((NamedGroup::X25519, false)),
};

const SECP256R1MLKEM768: KemGroup = KemGroup {
    group: NamedGroup::SecP256r1MLKEM768,
    kem: &kem::ML_KEM_768,
    ek_len: 1184,
    ct_len: 1088,
    classical: Some((NamedGroup::secp256r1, true)),
};

const MLKEM1024: KemGroup = KemGroup {
    group: NamedGroup::MLKEM1024,
    kem: &kem::ML_KEM_1024,
    ek_len: 1568,
    ct_len: 1568,
    classical: None,
};

/// The layout of `group` if it is an ML-KEM group we implement.
pub(super) fn kem_group(group: NamedGroup) -> Option<&'static KemGroup> {
    match group {
        NamedGroup::X25519MLKEM768 => Some(&X25519MLKEM768),
        NamedGroup::SecP256r1MLKEM768 => Some(&SECP256R1MLKEM768),
        NamedGroup::MLKEM1024 => Some(&MLKEM1024),
        _ => None,
    }
}

/// The client's secret half: the decapsulation key and, for a hybrid, the
/// ECDH private key.
pub(super) struct KemPrivate {
    spec: &'static KemGroup,
    dk: kem::DecapsulationKey<kem::AlgorithmId>,
    ecdh: Option<agreement::PrivateKey>,
}

/// A length-checked peer share, split into its ML-KEM and ECDH parts.
fn split<'a>(
    spec: &KemGroup,
    share: &'a [u8],
    kem_len: usize,
) -> Result<(&'a [u8], &'a [u8]), Error> {
    let ecdh_len = spec.classical.map_or(0, |(g, _)| super::kx::public_len(g));
    // RFC 8446 section 4.2.8 and draft-ietf-tls-ecdhe-mlkem section 4.1:
    // a share of the wrong length is illegal_parameter.
    if share.len() != kem_len + ecdh_len {
        return Err(Error::illegal(format!(
            "malformed {:?} key share of {} bytes (expected {})",
            spec.group,
            share.len(),
            kem_len + ecdh_len
        )));
    }
    Ok(match spec.classical {
        Some((_, true)) => {
            let (e, k) = share.split_at(ecdh_len);
            (k, e)
        }
        _ => share.split_at(kem_len),
    })
}

/// Concatenates the two halves (of a share or a secret) in the group's order.
fn join(spec: &KemGroup, kem_part: &[u8], ecdh_part: &[u8], out: &mut Vec<u8>) {
    let (a, b) = match spec.classical {
        Some((_, true)) => (ecdh_part, kem_part),
        _ => (kem_part, ecdh_part),
    };
    out.extend_from_slice(a);
    out.extend_from_slice(b);
}

impl KemPrivate {
    /// A fresh client key pair and its share.
    pub fn generate(spec: &'static KemGroup) -> Result<(Self, Vec<u8>), Error> {
        let dk = kem::DecapsulationKey::generate(spec.kem)
            .map_err(|_| Error::internal("ML-KEM key generation failed"))?;
        let ek = dk
            .encapsulation_key()
            .and_then(|ek| ek.key_bytes())
            .map_err(|_| Error::internal("ML-KEM encapsulation key"))?;
        let (ecdh, ecdh_pub) = match spec.classical {
            Some((g, _)) => {
                let (k, p) = super::kx::ecdh_keypair(g)?;
                (Some(k), p)
            }
            None => (None, Vec::new()),
        };
        let mut share = Vec::with_capacity(ek.as_ref().len() + ecdh_pub.len());
        join(spec, ek.as_ref(), &ecdh_pub, &mut share);
        Ok((KemPrivate { spec, dk, ecdh }, share))
    }

    /// Decapsulates the server's share.
    pub fn complete(self, server_share: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        let spec = self.spec;
        let (ct, ecdh_peer) = split(spec, server_share, spec.ct_len)?;
        // ML-KEM decapsulation does not fail on a well-sized ciphertext
        // (implicit rejection, FIPS 203 section 6.3): a forged one yields a
        // different secret and the server's Finished fails to verify.
        let ss = self
            .dk
            .decapsulate(kem::Ciphertext::from(ct))
            .map_err(|_| Error::illegal("ML-KEM ciphertext does not decapsulate"))?;
        let ecdh_ss = match (&self.ecdh, spec.classical) {
            (Some(k), Some((g, _))) => super::kx::ecdh(g, k, ecdh_peer)?,
            _ => Zeroizing::new(Vec::new()),
        };
        let mut shared = Zeroizing::new(Vec::with_capacity(64));
        join(spec, ss.as_ref(), &ecdh_ss, &mut shared);
        Ok(shared)
    }
}

/// The server's side: encapsulates to the client's key and answers with the
/// ciphertext (and a fresh ECDH key for a hybrid).
pub(super) fn respond(
    spec: &'static KemGroup,
    client_share: &[u8],
) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>), Error> {
    let (ek, ecdh_peer) = split(spec, client_share, spec.ek_len)?;
    // A malformed key share is illegal_parameter (RFC 8446 section 4.2.8).
    // aws-lc runs FIPS 203's encapsulation key check (section 7.2: every
    // coefficient reduced mod q) when it encapsulates, below.
    let invalid = || Error::illegal(format!("invalid {:?} encapsulation key", spec.group));
    let ek = kem::EncapsulationKey::new(spec.kem, ek).map_err(|_| invalid())?;
    // The ECDH half first: a bad peer point is refused before we encapsulate.
    let (ecdh_pub, ecdh_ss) = match spec.classical {
        Some((g, _)) => {
            let (k, p) = super::kx::ecdh_keypair(g)?;
            (p, super::kx::ecdh(g, &k, ecdh_peer)?)
        }
        None => (Vec::new(), Zeroizing::new(Vec::new())),
    };
    let (ct, ss) = ek.encapsulate().map_err(|_| invalid())?;
    let mut shared = Zeroizing::new(Vec::with_capacity(64));
    join(spec, ss.as_ref(), &ecdh_ss, &mut shared);
    let mut share = Vec::with_capacity(ct.as_ref().len() + ecdh_pub.len());
    join(spec, ct.as_ref(), &ecdh_pub, &mut share);
    Ok((share, shared))
}

//! Key-size and key-type rules (CA/Browser Forum Baseline Requirements
//! section 6.1.5), applied to every certificate on a path, trust anchor
//! included: RSA moduli of at least 2048 bits whose length is a whole
//! number of octets, no DSA, and ECDSA only on P-256, P-384 and P-521.
//!
//! Keys of other types we cannot verify with anyway fail later, when a
//! signature made by them is checked; these rules name the weak key instead.

use x509_cert::der::asn1::ObjectIdentifier as Oid;
use x509_cert::der::Decode;

use super::error::CertificateError;
use super::parse::{read_tlv, ParsedCert};
use super::rule::{CertRole, ProfileRule};

const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
const DSA: Oid = Oid::new_unwrap("1.2.840.10040.4.1");
const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
const PRIME192V1: Oid = Oid::new_unwrap("1.2.840.10045.3.1.1");
const SECP224R1: Oid = Oid::new_unwrap("1.3.132.0.33");

/// Smallest RSA modulus accepted, in bits.
pub(crate) const MIN_RSA_BITS: usize = 2048;

/// Checks the subject public key of `cert`.
pub(crate) fn check_key(cert: &ParsedCert, role: CertRole) -> Result<(), CertificateError> {
    let refuse = |rule| CertificateError::Profile {
        role,
        subject: cert.subject_str(),
        rule,
    };
    let alg = cert.spki().alg;
    if alg.oid == DSA {
        return Err(refuse(ProfileRule::DsaKey));
    }
    if alg.oid == EC_PUBLIC_KEY {
        let curve = alg.params.and_then(|p| Oid::from_der(p).ok());
        let name = match curve {
            Some(PRIME192V1) => Some("P-192"),
            Some(SECP224R1) => Some("P-224"),
            _ => None,
        };
        if let Some(curve) = name {
            return Err(refuse(ProfileRule::ForbiddenCurve { curve }));
        }
    }
    if alg.oid == RSA_ENCRYPTION {
        let bits = rsa_modulus_bits(cert.spki().key).ok_or(refuse(ProfileRule::InvalidRsaKey))?;
        if bits < MIN_RSA_BITS {
            return Err(refuse(ProfileRule::RsaKeyTooSmall { bits }));
        }
        if bits % 8 != 0 {
            return Err(refuse(ProfileRule::RsaModulusNotOctets { bits }));
        }
    }
    Ok(())
}

/// The bit length of the modulus of a DER RSAPublicKey
/// (`SEQUENCE { modulus INTEGER, publicExponent INTEGER }`); `None` when
/// it does not decode or the modulus is not positive.
pub(crate) fn rsa_modulus_bits(der: &[u8]) -> Option<usize> {
    let seq = read_tlv(der)?;
    if seq.tag != 0x30 || !seq.rest.is_empty() {
        return None;
    }
    let n = read_tlv(seq.value)?;
    let e = read_tlv(n.rest)?;
    if n.tag != 0x02 || e.tag != 0x02 || !e.rest.is_empty() {
        return None;
    }
    if n.value.first().is_none_or(|&b| b & 0x80 != 0) {
        return None; // empty or negative
    }
    let start = n.value.iter().position(|&b| b != 0)?;
    let digits = n.value.get(start..)?;
    let top = *digits.first()?;
    let leading = usize::try_from(top.leading_zeros()).ok()?;
    digits.len().checked_mul(8)?.checked_sub(leading)
}

#[cfg(test)]
mod tests {
    use super::rsa_modulus_bits;

    #[test]
    fn modulus_lengths() {
        // SEQUENCE { INTEGER 0x00 0xff 0x01, INTEGER 3 }: a 16-bit modulus.
        assert_eq!(
            rsa_modulus_bits(&[0x30, 0x08, 0x02, 0x03, 0x00, 0xff, 0x01, 0x02, 0x01, 0x03]),
            Some(16)
        );
        // 0x01 0x00: 9 bits.
        assert_eq!(
            rsa_modulus_bits(&[0x30, 0x07, 0x02, 0x02, 0x01, 0x00, 0x02, 0x01, 0x03]),
            Some(9)
        );
        // Negative, zero, truncated, trailing data.
        assert_eq!(
            rsa_modulus_bits(&[0x30, 0x06, 0x02, 0x01, 0x80, 0x02, 0x01, 0x03]),
            None
        );
        assert_eq!(
            rsa_modulus_bits(&[0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x03]),
            None
        );
        assert_eq!(rsa_modulus_bits(&[0x30, 0x06, 0x02, 0x01]), None);
        assert_eq!(
            rsa_modulus_bits(&[0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x03, 0x00]),
            None
        );
    }
}

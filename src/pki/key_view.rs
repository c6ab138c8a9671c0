//! What checking a handshake signature needs of a certificate (its
//! subjectPublicKeyInfo and keyUsage), read by walking the DER instead of
//! decoding the whole certificate. The end entity's chain was decoded in
//! full by path validation moments before; its CertificateVerify (or
//! ServerKeyExchange) check needs two fields of it, and a second full
//! decode was a measurable part of a handshake.

use x509_cert::der::Decode;
use x509_cert::ext::pkix::KeyUsage;
use x509_cert::spki::SubjectPublicKeyInfoOwned;

use super::error::CertificateError;
use super::parse::{name_str, read_tlv, AlgId, ParsedCert, PublicKey};

/// A certificate's key and keyUsage, with its subject for error messages.
pub(crate) struct KeyView {
    pub spki: PublicKey,
    pub key_usage: Option<KeyUsage>,
    /// The subject's DER (formatted only when an error names it).
    subject: Vec<u8>,
}

impl KeyView {
    /// Reads `der`; a certificate the walk cannot follow is decoded in
    /// full, so a malformed one fails with the same error as everywhere else.
    pub(crate) fn of(der: &[u8]) -> Result<Self, CertificateError> {
        if let Some(v) = walk(der) {
            return Ok(v);
        }
        let full = ParsedCert::parse(der)?;
        Ok(KeyView {
            spki: full.spki,
            key_usage: full.key_usage,
            subject: full.subject,
        })
    }

    /// The subject as an RFC 4514 string, for errors.
    pub(crate) fn subject_str(&self) -> String {
        name_str(&self.subject)
    }
}

const SEQUENCE: u8 = 0x30;
const VERSION: u8 = 0xa0; // [0] EXPLICIT
const EXTENSIONS: u8 = 0xa3; // [3] EXPLICIT
const BOOLEAN: u8 = 0x01;
const OCTET_STRING: u8 = 0x04;
/// The DER of the id-ce-keyUsage OID (2.5.29.15).
const KEY_USAGE_OID: &[u8] = &[0x06, 0x03, 0x55, 0x1d, 0x0f];

fn walk(der: &[u8]) -> Option<KeyView> {
    let cert = read_tlv(der)?;
    let tbs = read_tlv(cert.value)?;
    if cert.tag != SEQUENCE || tbs.tag != SEQUENCE {
        return None;
    }
    let mut rest = tbs.value;
    if rest.first() == Some(&VERSION) {
        rest = read_tlv(rest)?.rest;
    }
    // serialNumber, signature, issuer, validity
    for _ in 0..4 {
        rest = read_tlv(rest)?.rest;
    }
    let subject = read_tlv(rest)?;
    let spki_tlv = read_tlv(subject.rest)?;
    let spki = SubjectPublicKeyInfoOwned::from_der(spki_tlv.whole).ok()?;
    // Anything the walk does not expect (unused bits, parameters that do
    // not re-encode) goes to the full decode, which names the problem.
    let key = spki.subject_public_key.as_bytes()?.to_vec();
    let alg = AlgId::from_x509(&spki.algorithm).ok()?;
    let mut key_usage = None;
    // issuerUniqueID [1], subjectUniqueID [2], then extensions [3].
    let mut rest = spki_tlv.rest;
    while let Some(field) = read_tlv(rest) {
        rest = field.rest;
        if field.tag != EXTENSIONS {
            continue;
        }
        let list = read_tlv(field.value)?;
        let mut exts = list.value;
        while !exts.is_empty() {
            let ext = read_tlv(exts)?;
            exts = ext.rest;
            let oid = read_tlv(ext.value)?;
            if oid.whole != KEY_USAGE_OID {
                continue;
            }
            let mut value = read_tlv(oid.rest)?;
            if value.tag == BOOLEAN {
                value = read_tlv(value.rest)?;
            }
            if value.tag != OCTET_STRING || key_usage.is_some() {
                return None; // the full decode refuses a duplicate
            }
            key_usage = Some(KeyUsage::from_der(value.value).ok()?);
        }
    }
    // The full decode would refuse trailing bytes; so does this.
    if !cert.rest.is_empty() {
        return None;
    }
    let subject = subject.whole.to_vec();
    Some(KeyView {
        spki: PublicKey { alg, key },
        key_usage,
        subject,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::pki::parse::tests::{test_certificates, NOT_CERTIFICATES};

    /// The view holds what the full decode holds, for every certificate
    /// in certs/ (RSA, ECDSA P-256/P-384, with and without keyUsage).
    #[test]
    fn matches_the_full_decode() {
        for (file, der) in test_certificates() {
            let full = ParsedCert::parse(&der).expect("parses");
            let view = walk(&der).expect("walks");
            assert_eq!(view.spki, full.spki, "{file}");
            assert_eq!(view.key_usage, full.key_usage, "{file}");
            assert_eq!(view.subject_str(), full.subject_str());
        }
    }

    #[test]
    fn garbage_takes_the_full_decode_and_its_error() {
        for bad in NOT_CERTIFICATES {
            assert!(walk(bad).is_none());
            assert!(matches!(
                KeyView::of(bad),
                Err(CertificateError::BadEncoding { .. })
            ));
        }
    }
}

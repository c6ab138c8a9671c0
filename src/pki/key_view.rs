//! What checking a handshake signature needs of a certificate (its
//! subjectPublicKeyInfo and keyUsage), read by walking the DER instead of
//! decoding the whole certificate. The end entity's chain was decoded in
//! full by path validation moments before; its CertificateVerify (or
//! ServerKeyExchange) check needs two fields of it, and a second full
//! decode was a measurable part of a handshake.

use x509_cert::der::Decode;
use x509_cert::ext::pkix::KeyUsage;

use super::error::CertificateError;
use super::layout::{layout, next_extension, spki_span, tagged, AlgSpan, Span};
use super::parse::{name_str, oid, AlgId, ParsedCert, PublicKey};

/// A certificate's key and keyUsage, with its subject for error messages,
/// borrowed from the certificate's DER.
pub(crate) struct KeyView<'a> {
    pub spki: PublicKey<'a>,
    pub key_usage: Option<KeyUsage>,
    /// The subject's DER (formatted only when an error names it).
    subject: &'a [u8],
}

impl<'a> KeyView<'a> {
    /// Reads `der`; a certificate the walk cannot follow is decoded in
    /// full, so a malformed one fails with the same error as everywhere else.
    pub(crate) fn of(der: &'a [u8]) -> Result<Self, CertificateError> {
        if let Some(v) = walk(der) {
            return Ok(v);
        }
        let full = ParsedCert::parse(der)?;
        // The decode's spans index its copy of `der`: they index `der` too.
        let (alg, key, subject) = full.key_spans();
        Ok(KeyView::new(der, alg, key, full.key_usage, subject))
    }

    fn new(
        der: &'a [u8],
        alg: AlgSpan,
        key: Span,
        key_usage: Option<KeyUsage>,
        subject: Span,
    ) -> Self {
        KeyView {
            spki: PublicKey {
                alg: AlgId {
                    oid: alg.oid,
                    params: alg.params.map(|p| p.of(der)),
                },
                key: key.of(der),
            },
            key_usage,
            subject: subject.of(der),
        }
    }

    /// The subject as an RFC 4514 string, for errors.
    pub(crate) fn subject_str(&self) -> String {
        name_str(self.subject)
    }
}

fn walk(der: &[u8]) -> Option<KeyView<'_>> {
    // Any definite lengths: anything the walk does not expect (unused
    // bits, parameters that do not decode, an odd layout) goes to the full
    // decode, which names the problem.
    let l = layout(der, tagged)?;
    let (alg, key) = spki_span(l.spki)?;
    let mut key_usage = None;
    let mut rest = l.extensions.map(|e| e.value);
    while let Some(list) = rest.filter(|r| !r.is_empty()) {
        // A malformed entry takes the full decode.
        let ((id, _, value), after) = next_extension(list)?;
        rest = Some(after);
        if id != oid::KEY_USAGE.as_bytes() {
            continue;
        }
        if key_usage.is_some() {
            return None; // the full decode refuses a duplicate
        }
        key_usage = Some(KeyUsage::from_der(value.bytes).ok()?);
    }
    Some(KeyView::new(
        der,
        alg,
        key,
        key_usage,
        l.subject.whole.span(),
    ))
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
            assert_eq!(view.spki, full.spki(), "{file}");
            assert_eq!(view.subject, full.subject(), "{file}");
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

//! Signature checks: certificate signatures (path validation) and TLS 1.3
//! CertificateVerify signatures, both with aws-lc-rs.

use std::sync::OnceLock;

use aws_lc_rs::signature::{self, ParsedPublicKey, UnparsedPublicKey, VerificationAlgorithm};
use x509_cert::der::asn1::ObjectIdentifier as Oid;
use x509_cert::der::Decode;

use super::key_view::KeyView;
use super::options::SignatureAlgorithm;
use super::parse::{read_tlv, AlgId, ParsedCert, PublicKey};
use crate::proto::wire::enums::{AlertDescription, SignatureScheme};
use crate::Error;

const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
const SECP256R1: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
const SECP384R1: Oid = Oid::new_unwrap("1.3.132.0.34");
const SECP521R1: Oid = Oid::new_unwrap("1.3.132.0.35");
const ED25519: Oid = Oid::new_unwrap("1.3.101.112");

const MD5_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.4");
const SHA1_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.5");
const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
const SHA512_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
const RSASSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
const MGF1: Oid = Oid::new_unwrap("1.2.840.113549.1.1.8");
const ECDSA_SHA1: Oid = Oid::new_unwrap("1.2.840.10045.4.1");
const ECDSA_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
const ECDSA_SHA512: Oid = Oid::new_unwrap("1.2.840.10045.4.3.4");
const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");

/// DER of ASN.1 NULL, the only parameter RSA PKCS#1 algorithms may carry.
const DER_NULL: &[u8] = &[0x05, 0x00];

/// The kinds of subject public key we can verify with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind {
    Rsa,
    EcP256,
    EcP384,
    EcP521,
    Ed25519,
}

/// Classifies a subject public key; `Err` names what we do not support.
pub(crate) fn key_kind(spki: PublicKey<'_>) -> Result<KeyKind, String> {
    let alg = spki.alg;
    if alg.oid == RSA_ENCRYPTION {
        match alg.params {
            None | Some(DER_NULL) => Ok(KeyKind::Rsa),
            Some(_) => Err("rsaEncryption key with parameters".into()),
        }
    } else if alg.oid == EC_PUBLIC_KEY {
        let curve = alg
            .params
            .and_then(|p| Oid::from_der(p).ok())
            .ok_or_else(|| "EC key without a named curve".to_string())?;
        match curve {
            SECP256R1 => Ok(KeyKind::EcP256),
            SECP384R1 => Ok(KeyKind::EcP384),
            SECP521R1 => Ok(KeyKind::EcP521),
            other => Err(format!("EC key on unsupported curve {other}")),
        }
    } else if alg.oid == ED25519 {
        match alg.params {
            None => Ok(KeyKind::Ed25519),
            Some(_) => Err("Ed25519 key with parameters".into()),
        }
    } else {
        Err(format!("unsupported public key algorithm {}", alg.oid))
    }
}

/// What a certificate's subject public key is, in words ("ECDSA P-256"),
/// and its bytes (the SubjectPublicKeyInfo BIT STRING contents), with the
/// certificate's subject: what matching a private key to it needs.
pub(crate) fn certificate_public_key(
    der: &[u8],
) -> Result<(String, Vec<u8>, String), super::CertificateError> {
    let cert = ParsedCert::parse(der)?;
    let kind = match key_kind(cert.spki()) {
        Ok(KeyKind::Rsa) => "RSA".to_string(),
        Ok(KeyKind::EcP256) => "ECDSA P-256".to_string(),
        Ok(KeyKind::EcP384) => "ECDSA P-384".to_string(),
        Ok(KeyKind::EcP521) => "ECDSA P-521".to_string(),
        Ok(KeyKind::Ed25519) => "Ed25519".to_string(),
        Err(other) => other,
    };
    let subject = cert.subject_str();
    Ok((kind, cert.spki().key.to_vec(), subject))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn len(self) -> u8 {
        match self {
            Hash::Sha256 => 32,
            Hash::Sha384 => 48,
            Hash::Sha512 => 64,
        }
    }
}

/// Parses a whole DER AlgorithmIdentifier naming a SHA-2 hash (params NULL or absent).
fn parse_hash_alg(input: &[u8]) -> Option<Hash> {
    let seq = read_tlv(input)?;
    if seq.tag != 0x30 || !seq.rest.is_empty() {
        return None;
    }
    let oid = read_tlv(seq.value)?;
    if oid.tag != 0x06 || !(oid.rest.is_empty() || oid.rest == DER_NULL) {
        return None;
    }
    if oid.value == SHA256.as_bytes() {
        Some(Hash::Sha256)
    } else if oid.value == SHA384.as_bytes() {
        Some(Hash::Sha384)
    } else if oid.value == SHA512.as_bytes() {
        Some(Hash::Sha512)
    } else {
        None
    }
}

/// Parses RSASSA-PSS-params (RFC 4055): the hash and MGF1 hash must be the
/// same SHA-2 function and the salt as long as the hash; defaults (SHA-1) refused.
fn parse_pss_params(params: &[u8]) -> Option<Hash> {
    let seq = read_tlv(params)?;
    if seq.tag != 0x30 || !seq.rest.is_empty() {
        return None;
    }
    let hash_field = read_tlv(seq.value)?;
    if hash_field.tag != 0xa0 {
        return None;
    }
    let hash = parse_hash_alg(hash_field.value)?;

    let mgf_field = read_tlv(hash_field.rest)?;
    if mgf_field.tag != 0xa1 {
        return None;
    }
    let mgf = read_tlv(mgf_field.value)?;
    if mgf.tag != 0x30 || !mgf.rest.is_empty() {
        return None;
    }
    let mgf_oid = read_tlv(mgf.value)?;
    if mgf_oid.tag != 0x06 || mgf_oid.value != MGF1.as_bytes() {
        return None;
    }
    if parse_hash_alg(mgf_oid.rest)? != hash {
        return None;
    }

    let salt_field = read_tlv(mgf_field.rest)?;
    if salt_field.tag != 0xa2 {
        return None;
    }
    let salt = read_tlv(salt_field.value)?;
    if salt.tag != 0x02 || !salt.rest.is_empty() || salt.value != [hash.len()] {
        return None;
    }
    if !salt_field.rest.is_empty() {
        let trailer_field = read_tlv(salt_field.rest)?;
        if trailer_field.tag != 0xa3 || !trailer_field.rest.is_empty() {
            return None;
        }
        let trailer = read_tlv(trailer_field.value)?;
        if trailer.tag != 0x02 || !trailer.rest.is_empty() || trailer.value != [1] {
            return None;
        }
    }
    Some(hash)
}

/// Which of the algorithms we verify `alg` is (for the allowed-algorithms
/// option); `None` for anything else, which is refused anyway.
pub(crate) fn signature_algorithm(alg: AlgId<'_>) -> Option<SignatureAlgorithm> {
    use SignatureAlgorithm as A;
    Some(match alg.oid {
        SHA256_WITH_RSA => A::RsaPkcs1Sha256,
        SHA384_WITH_RSA => A::RsaPkcs1Sha384,
        SHA512_WITH_RSA => A::RsaPkcs1Sha512,
        RSASSA_PSS => match alg.params.and_then(parse_pss_params)? {
            Hash::Sha256 => A::RsaPssSha256,
            Hash::Sha384 => A::RsaPssSha384,
            Hash::Sha512 => A::RsaPssSha512,
        },
        ECDSA_SHA256 => A::EcdsaSha256,
        ECDSA_SHA384 => A::EcdsaSha384,
        ED25519 => A::Ed25519,
        _ => return None,
    })
}

/// The name of a certificate signature algorithm, for errors.
pub(crate) fn signature_algorithm_name(alg: AlgId<'_>) -> String {
    match signature_algorithm(alg) {
        Some(a) => format!("{a:?}"),
        None => algorithm_name(alg.oid),
    }
}

/// Why a certificate signature did not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SigFailure {
    /// The algorithm is refused; carries its name.
    Unsupported(String),
    /// The signature is wrong, or the issuer key cannot make this kind of signature.
    Bad,
}

fn algorithm_name(oid: Oid) -> String {
    let name = match oid {
        MD5_WITH_RSA => "md5WithRSAEncryption",
        SHA1_WITH_RSA => "sha1WithRSAEncryption",
        ECDSA_SHA1 => "ecdsa-with-SHA1",
        ECDSA_SHA512 => "ecdsa-with-SHA512",
        RSASSA_PSS => "RSASSA-PSS",
        _ => return oid.to_string(),
    };
    name.to_string()
}

/// Picks the aws-lc-rs algorithm for a certificate signature algorithm made
/// by a key of kind `key`.
fn cert_algorithm(
    alg: AlgId<'_>,
    key: KeyKind,
) -> Result<&'static dyn VerificationAlgorithm, SigFailure> {
    let unsupported = || SigFailure::Unsupported(algorithm_name(alg.oid));
    let pkcs1_params_ok = matches!(alg.params, None | Some(DER_NULL));
    let no_params = alg.params.is_none();
    let chosen: Option<&'static dyn VerificationAlgorithm> = match alg.oid {
        SHA256_WITH_RSA | SHA384_WITH_RSA | SHA512_WITH_RSA => {
            if !pkcs1_params_ok {
                return Err(unsupported());
            }
            match (alg.oid, key) {
                (SHA256_WITH_RSA, KeyKind::Rsa) => Some(&signature::RSA_PKCS1_2048_8192_SHA256),
                (SHA384_WITH_RSA, KeyKind::Rsa) => Some(&signature::RSA_PKCS1_2048_8192_SHA384),
                (SHA512_WITH_RSA, KeyKind::Rsa) => Some(&signature::RSA_PKCS1_2048_8192_SHA512),
                _ => None,
            }
        }
        RSASSA_PSS => {
            let hash = alg
                .params
                .and_then(parse_pss_params)
                .ok_or_else(unsupported)?;
            match (hash, key) {
                (Hash::Sha256, KeyKind::Rsa) => Some(&signature::RSA_PSS_2048_8192_SHA256),
                (Hash::Sha384, KeyKind::Rsa) => Some(&signature::RSA_PSS_2048_8192_SHA384),
                (Hash::Sha512, KeyKind::Rsa) => Some(&signature::RSA_PSS_2048_8192_SHA512),
                _ => None,
            }
        }
        ECDSA_SHA256 | ECDSA_SHA384 => {
            if !no_params {
                return Err(unsupported());
            }
            match (alg.oid, key) {
                (ECDSA_SHA256, KeyKind::EcP256) => Some(&signature::ECDSA_P256_SHA256_ASN1),
                (ECDSA_SHA256, KeyKind::EcP384) => Some(&signature::ECDSA_P384_SHA256_ASN1),
                (ECDSA_SHA384, KeyKind::EcP256) => Some(&signature::ECDSA_P256_SHA384_ASN1),
                (ECDSA_SHA384, KeyKind::EcP384) => Some(&signature::ECDSA_P384_SHA384_ASN1),
                (ECDSA_SHA256, KeyKind::EcP521) => Some(&signature::ECDSA_P521_SHA256_ASN1),
                (ECDSA_SHA384, KeyKind::EcP521) => Some(&signature::ECDSA_P521_SHA384_ASN1),
                _ => None,
            }
        }
        ED25519 => {
            if !no_params {
                return Err(unsupported());
            }
            match key {
                KeyKind::Ed25519 => Some(&signature::ED25519),
                _ => None,
            }
        }
        _ => return Err(unsupported()),
    };
    chosen.ok_or(SigFailure::Bad)
}

/// Checks that `subject` was signed by the key of `issuer`.
pub(crate) fn verify_cert_signature(
    issuer: &ParsedCert,
    subject: &ParsedCert,
) -> Result<(), SigFailure> {
    verify_signed_data(
        issuer.spki(),
        subject.sig_alg(),
        subject.tbs(),
        subject.signature(),
    )
}

/// [`verify_cert_signature`] by a trust anchor, whose key aws-lc parses
/// once ([`AnchorKey`]).
pub(crate) fn verify_cert_signature_by_anchor(
    anchor: &ParsedCert,
    subject: &ParsedCert,
) -> Result<(), SigFailure> {
    verify_with(
        anchor.spki(),
        subject.sig_alg(),
        subject.tbs(),
        subject.signature(),
        Some(&anchor.anchor_key),
    )
}

/// A trust anchor's public key as aws-lc parsed it, for the algorithm it
/// first verified with (an anchor signs with one, as a rule; another
/// algorithm parses the key anew). Every full handshake verifies one
/// signature by an anchor, and parsing its key each time cost about 28,000
/// instructions and four allocations (P-256) of the ~1.5 million the
/// verification takes. Empty until first used, and for other certificates.
#[derive(Clone, Default)]
pub(crate) struct AnchorKey(OnceLock<Option<(SignatureAlgorithm, ParsedPublicKey)>>);

/// Checks that `signature` over `tbs` with algorithm `alg` was made by `key`
/// (certificates and CRLs alike).
pub(crate) fn verify_signed_data(
    key: PublicKey<'_>,
    alg: AlgId<'_>,
    tbs: &[u8],
    signature: &[u8],
) -> Result<(), SigFailure> {
    verify_with(key, alg, tbs, signature, None)
}

/// [`verify_signed_data`], with the key parsed once into `cache` if given.
fn verify_with(
    key: PublicKey<'_>,
    alg: AlgId<'_>,
    tbs: &[u8],
    signature: &[u8],
    cache: Option<&AnchorKey>,
) -> Result<(), SigFailure> {
    // Refuse weak algorithms even before looking at the issuer key.
    let kind = match key_kind(key) {
        Ok(k) => k,
        Err(_) => {
            // An issuer key we cannot use: the algorithm may still be refused outright.
            cert_algorithm(alg, KeyKind::Rsa)?;
            return Err(SigFailure::Bad);
        }
    };
    let verifier = cert_algorithm(alg, kind)?;
    // The algorithm names the verifier (with the key's kind, which is the
    // anchor's own); aws-lc-rs's verifiers are constants, so their
    // addresses could not.
    let named = signature_algorithm(alg);
    let parsed = cache.zip(named).and_then(|(c, named)| {
        let cached = c.0.get_or_init(|| {
            // A key aws-lc refuses is refused below as before.
            ParsedPublicKey::new(verifier, key.key)
                .ok()
                .map(|p| (named, p))
        });
        cached.as_ref().filter(|(a, _)| *a == named)
    });
    match parsed {
        Some((_, p)) => p.verify_sig(tbs, signature),
        None => UnparsedPublicKey::new(verifier, key.key).verify(tbs, signature),
    }
    .map_err(|_| SigFailure::Bad)
}

/// The signature schemes `verify_tls13_signature` accepts, in preference order.
pub(crate) const TLS13_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::ECDSA_NISTP256_SHA256,
    SignatureScheme::ECDSA_NISTP384_SHA384,
    SignatureScheme::ECDSA_NISTP521_SHA512,
    SignatureScheme::ED25519,
    SignatureScheme::RSA_PSS_SHA256,
    SignatureScheme::RSA_PSS_SHA384,
    SignatureScheme::RSA_PSS_SHA512,
];

/// Verifies a TLS 1.3 CertificateVerify-style signature made with the key of `cert`.
///
/// Only the TLS 1.3 schemes are allowed (ECDSA P-256/SHA-256, ECDSA
/// P-384/SHA-384, ECDSA P-521/SHA-512, Ed25519, RSA-PSS with rsaEncryption keys); any other
/// scheme, including rsa_pkcs1_*, and a scheme that does not fit the
/// certificate's key send illegal_parameter (RFC 8446 section 4.4.3). A
/// signature that does not verify sends decrypt_error.
pub fn verify_tls13_signature(
    cert: &rustls_pki_types::CertificateDer<'_>,
    scheme: SignatureScheme,
    message: &[u8],
    signature: &[u8],
) -> Result<(), Error> {
    let (needed, alg): (KeyKind, &'static dyn VerificationAlgorithm) = match scheme {
        SignatureScheme::ECDSA_NISTP256_SHA256 => {
            (KeyKind::EcP256, &signature::ECDSA_P256_SHA256_ASN1)
        }
        SignatureScheme::ECDSA_NISTP384_SHA384 => {
            (KeyKind::EcP384, &signature::ECDSA_P384_SHA384_ASN1)
        }
        SignatureScheme::ECDSA_NISTP521_SHA512 => {
            (KeyKind::EcP521, &signature::ECDSA_P521_SHA512_ASN1)
        }
        SignatureScheme::ED25519 => (KeyKind::Ed25519, &signature::ED25519),
        SignatureScheme::RSA_PSS_SHA256 => (KeyKind::Rsa, &signature::RSA_PSS_2048_8192_SHA256),
        SignatureScheme::RSA_PSS_SHA384 => (KeyKind::Rsa, &signature::RSA_PSS_2048_8192_SHA384),
        SignatureScheme::RSA_PSS_SHA512 => (KeyKind::Rsa, &signature::RSA_PSS_2048_8192_SHA512),
        other => {
            return Err(Error::illegal(format!(
                "signature scheme {other:?} is not allowed in a TLS 1.3 CertificateVerify"
            )))
        }
    };
    let parsed = KeyView::of(cert.as_ref())?;
    let kind = key_kind(parsed.spki).map_err(|e| {
        Error::illegal(format!(
            "certificate '{}' has a key unusable with {scheme:?}: {e}",
            parsed.subject_str()
        ))
    })?;
    if kind != needed {
        return Err(Error::illegal(format!(
            "signature scheme {scheme:?} does not match the {kind:?} key of certificate '{}'",
            parsed.subject_str()
        )));
    }
    verify_handshake_signature(alg, &parsed, scheme, message, signature)
}

/// Checks a handshake signature with the certificate's key; a signature
/// that does not verify is decrypt_error (RFC 8446 section 4.4.3).
fn verify_handshake_signature(
    alg: &'static dyn VerificationAlgorithm,
    parsed: &KeyView<'_>,
    scheme: SignatureScheme,
    message: &[u8],
    signature: &[u8],
) -> Result<(), Error> {
    // RFC 5280 4.2.1.3: a key that signs must have digitalSignature when
    // keyUsage is present. Checked here, at the handshake signature, and
    // not only in path validation, so a custom verifier cannot let a key
    // sign that its certificate forbids (BoringSSL checks it in its TLS
    // layer too: KEY_USAGE_BIT_INCORRECT).
    if parsed
        .key_usage
        .as_ref()
        .is_some_and(|ku| !ku.digital_signature())
    {
        return Err(Error::Certificate(super::CertificateError::KeyUsage {
            subject: parsed.subject_str(),
            needed: "digitalSignature",
        }));
    }
    UnparsedPublicKey::new(alg, parsed.spki.key)
        .verify(message, signature)
        .map_err(|_| {
            Error::protocol(
                AlertDescription::DecryptError,
                format!(
                    "{scheme:?} signature by certificate '{}' does not verify",
                    parsed.subject_str()
                ),
            )
        })
}

/// Schemes accepted in TLS 1.2 ServerKeyExchange and CertificateVerify, in
/// our order of preference (RFC 5246 section 7.4.1.4.1; SHA-1 refused).
pub(crate) const TLS12_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::ECDSA_NISTP256_SHA256,
    SignatureScheme::ECDSA_NISTP384_SHA384,
    SignatureScheme::ECDSA_NISTP521_SHA512,
    SignatureScheme::ED25519,
    SignatureScheme::RSA_PSS_SHA256,
    SignatureScheme::RSA_PSS_SHA384,
    SignatureScheme::RSA_PSS_SHA512,
    SignatureScheme::RSA_PKCS1_SHA256,
    SignatureScheme::RSA_PKCS1_SHA384,
    SignatureScheme::RSA_PKCS1_SHA512,
];

/// Verifies a TLS 1.2 handshake signature made with the key of `cert`. Unlike
/// TLS 1.3, ECDSA schemes name only the hash, and RSA PKCS#1 v1.5 is allowed.
pub fn verify_tls12_signature(
    cert: &rustls_pki_types::CertificateDer<'_>,
    scheme: SignatureScheme,
    message: &[u8],
    signature: &[u8],
) -> Result<(), Error> {
    let parsed = KeyView::of(cert.as_ref())?;
    let kind = key_kind(parsed.spki).map_err(|e| {
        Error::illegal(format!(
            "certificate '{}' has a key unusable with {scheme:?}: {e}",
            parsed.subject_str()
        ))
    })?;
    use SignatureScheme as S;
    let alg: &'static dyn VerificationAlgorithm = match (scheme, kind) {
        (S::ECDSA_NISTP256_SHA256, KeyKind::EcP256) => &signature::ECDSA_P256_SHA256_ASN1,
        (S::ECDSA_NISTP256_SHA256, KeyKind::EcP384) => &signature::ECDSA_P384_SHA256_ASN1,
        (S::ECDSA_NISTP384_SHA384, KeyKind::EcP256) => &signature::ECDSA_P256_SHA384_ASN1,
        (S::ECDSA_NISTP384_SHA384, KeyKind::EcP384) => &signature::ECDSA_P384_SHA384_ASN1,
        (S::ECDSA_NISTP256_SHA256, KeyKind::EcP521) => &signature::ECDSA_P521_SHA256_ASN1,
        (S::ECDSA_NISTP384_SHA384, KeyKind::EcP521) => &signature::ECDSA_P521_SHA384_ASN1,
        (S::ECDSA_NISTP521_SHA512, KeyKind::EcP256) => &signature::ECDSA_P256_SHA512_ASN1,
        (S::ECDSA_NISTP521_SHA512, KeyKind::EcP384) => &signature::ECDSA_P384_SHA512_ASN1,
        (S::ECDSA_NISTP521_SHA512, KeyKind::EcP521) => &signature::ECDSA_P521_SHA512_ASN1,
        (S::ED25519, KeyKind::Ed25519) => &signature::ED25519,
        (S::RSA_PSS_SHA256, KeyKind::Rsa) => &signature::RSA_PSS_2048_8192_SHA256,
        (S::RSA_PSS_SHA384, KeyKind::Rsa) => &signature::RSA_PSS_2048_8192_SHA384,
        (S::RSA_PSS_SHA512, KeyKind::Rsa) => &signature::RSA_PSS_2048_8192_SHA512,
        (S::RSA_PKCS1_SHA256, KeyKind::Rsa) => &signature::RSA_PKCS1_2048_8192_SHA256,
        (S::RSA_PKCS1_SHA384, KeyKind::Rsa) => &signature::RSA_PKCS1_2048_8192_SHA384,
        (S::RSA_PKCS1_SHA512, KeyKind::Rsa) => &signature::RSA_PKCS1_2048_8192_SHA512,
        (s, k) => {
            return Err(Error::illegal(format!(
                "signature scheme {s:?} cannot be used with the {k:?} key of certificate '{}'",
                parsed.subject_str()
            )))
        }
    };
    verify_handshake_signature(alg, &parsed, scheme, message, signature)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An anchor's parsed key answers as the unparsed one does, for the
    /// algorithm it was parsed for and, parsing anew, for another.
    #[test]
    fn anchor_key_verifies_as_the_unparsed_key() {
        use aws_lc_rs::rand::SystemRandom;
        use aws_lc_rs::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
        let pair =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref()).unwrap();
        // namedCurve secp256r1
        let curve = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
        let key = PublicKey {
            alg: AlgId {
                oid: EC_PUBLIC_KEY,
                params: Some(&curve),
            },
            key: pair.public_key().as_ref(),
        };
        let alg = |oid| AlgId { oid, params: None };
        let cache = AnchorKey::default();
        let sha256 = pair.sign(&rng, b"one").unwrap().as_ref().to_vec();
        // ecdsa-with-SHA384 by a P-256 key: aws-lc-rs signs P-256 with
        // SHA-256 only, openssl with any hash.
        let key_file =
            std::env::temp_dir().join(format!("lctls-anchor-key-{}.der", std::process::id()));
        std::fs::write(&key_file, pkcs8.as_ref()).unwrap();
        let mut openssl = std::process::Command::new("openssl")
            .args(["dgst", "-sha384", "-keyform", "DER", "-sign"])
            .arg(&key_file)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("openssl");
        std::io::Write::write_all(&mut openssl.stdin.take().unwrap(), b"two").unwrap();
        let out = openssl.wait_with_output().unwrap();
        std::fs::remove_file(&key_file).unwrap();
        assert!(out.status.success());
        let sha384 = out.stdout;
        let check = |a, msg: &[u8], sig: &[u8]| {
            let cached = verify_with(key, alg(a), msg, sig, Some(&cache));
            assert_eq!(cached, verify_signed_data(key, alg(a), msg, sig));
            cached
        };
        assert_eq!(check(ECDSA_SHA256, b"one", &sha256), Ok(()));
        let parsed_for = cache.0.get().and_then(|c| c.as_ref()).map(|(a, _)| *a);
        assert_eq!(parsed_for, Some(SignatureAlgorithm::EcdsaSha256));
        assert_eq!(check(ECDSA_SHA256, b"one", &sha256), Ok(()));
        assert_eq!(check(ECDSA_SHA256, b"two", &sha256), Err(SigFailure::Bad));
        assert_eq!(check(ECDSA_SHA384, b"two", &sha384), Ok(()));
        assert_eq!(check(ECDSA_SHA384, b"one", &sha384), Err(SigFailure::Bad));
        assert!(matches!(
            check(SHA1_WITH_RSA, b"one", &sha256),
            Err(SigFailure::Unsupported(_))
        ));
    }

    #[test]
    fn pss_params_round_trip() {
        // RSASSA-PSS-params for SHA-256, MGF1(SHA-256), salt 32.
        let p256: &[u8] = &[
            0x30, 0x34, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
            0x04, 0x02, 0x01, 0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48,
            0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
            0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x20,
        ];
        assert_eq!(parse_pss_params(p256), Some(Hash::Sha256));
        // Salt 20 with SHA-256 is refused.
        let mut wrong_salt = p256.to_vec();
        if let Some(last) = wrong_salt.last_mut() {
            *last = 20;
        }
        assert_eq!(parse_pss_params(&wrong_salt), None);
        // Truncations never panic and never parse.
        for n in 0..p256.len() {
            assert_eq!(parse_pss_params(&p256[..n]), None);
        }
        // Empty params (all defaults, i.e. SHA-1) are refused.
        assert_eq!(parse_pss_params(&[0x30, 0x00]), None);
    }
}

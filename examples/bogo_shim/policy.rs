//! `-fips-202205`, `-wpa-202304`, `-cnsa-202407`: BoringSSL's compliance
//! policies (`SSL_set_compliance_policy`, ssl_lib.cc and s3_both.cc), built
//! from lctls's ordinary options: versions, cipher suites, groups, and the
//! schemes we sign with and accept.

use lctls::proto::enums::{CipherSuite, NamedGroup, SignatureScheme};

use crate::flags::ParseError;

/// A compliance policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// NIST SP 800-52r2 (FIPS), 2022-05.
    Fips202205,
    /// WPA3 192-bit mode, 2023-04.
    Wpa202304,
    /// CNSA 2.0, 2024-07: only the TLS 1.3 suite preference changes.
    Cnsa202407,
}

/// What a policy sets. Versions are TLS 1.2 and TLS 1.3 for every policy,
/// which is all lctls has, so nothing narrows them.
pub struct Settings {
    pub suites: Vec<CipherSuite>,
    pub groups: Option<Vec<NamedGroup>>,
    /// Signing and verifying alike.
    pub schemes: Option<Vec<SignatureScheme>>,
}

use CipherSuite as C;
use SignatureScheme as S;

const FIPS_SCHEMES: &[SignatureScheme] = &[
    S::RSA_PKCS1_SHA256,
    S::RSA_PKCS1_SHA384,
    S::RSA_PKCS1_SHA512,
    S::ECDSA_NISTP256_SHA256,
    S::ECDSA_NISTP384_SHA384,
    S::RSA_PSS_SHA256,
    S::RSA_PSS_SHA384,
    S::RSA_PSS_SHA512,
];

const WPA_SCHEMES: &[SignatureScheme] = &[
    S::RSA_PKCS1_SHA384,
    S::RSA_PKCS1_SHA512,
    S::ECDSA_NISTP384_SHA384,
    S::RSA_PSS_SHA384,
    S::RSA_PSS_SHA512,
];

/// Every TLS 1.2 suite lctls has, in its default order.
const TLS12_DEFAULT: &[CipherSuite] = &[
    C::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    C::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    C::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    C::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    C::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    C::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
];

impl Policy {
    /// The one policy the flags name; two are a usage error, as in BoringSSL.
    pub fn from_flags(fips: bool, wpa: bool, cnsa: bool) -> Result<Option<Self>, ParseError> {
        match (fips, wpa, cnsa) {
            (false, false, false) => Ok(None),
            (true, false, false) => Ok(Some(Policy::Fips202205)),
            (false, true, false) => Ok(Some(Policy::Wpa202304)),
            (false, false, true) => Ok(Some(Policy::Cnsa202407)),
            _ => Err(ParseError::Usage("Multiple policy options given".into())),
        }
    }

    pub fn settings(self) -> Settings {
        match self {
            // Section 3.3.1: NIST-approved algorithms only (no ChaCha20), TLS
            // 1.2 AEAD suites only; P-256 and P-384.
            Policy::Fips202205 => Settings {
                suites: vec![
                    C::TLS13_AES_128_GCM_SHA256,
                    C::TLS13_AES_256_GCM_SHA384,
                    C::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                    C::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                    C::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
                    C::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                ],
                groups: Some(vec![NamedGroup::secp256r1, NamedGroup::secp384r1]),
                schemes: Some(FIPS_SCHEMES.to_vec()),
            },
            // WPA3 192-bit: AES-256-GCM, P-384, SHA-384 or stronger.
            Policy::Wpa202304 => Settings {
                suites: vec![
                    C::TLS13_AES_256_GCM_SHA384,
                    C::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
                    C::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                ],
                groups: Some(vec![NamedGroup::secp384r1]),
                schemes: Some(WPA_SCHEMES.to_vec()),
            },
            // CNSA: a server prefers AES-256-GCM, then AES-128-GCM, in TLS 1.3.
            Policy::Cnsa202407 => Settings {
                suites: [
                    C::TLS13_AES_256_GCM_SHA384,
                    C::TLS13_AES_128_GCM_SHA256,
                    C::TLS13_CHACHA20_POLY1305_SHA256,
                ]
                .into_iter()
                .chain(TLS12_DEFAULT.iter().copied())
                .collect(),
                groups: None,
                schemes: None,
            },
        }
    }
}

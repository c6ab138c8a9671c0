//! The certificate-profile rules of RFC 5280 and the CA/Browser Forum
//! Baseline Requirements that a certificate can break, each with the
//! reference an error message cites.

use std::fmt;

use crate::proto::wire::enums::AlertDescription;

/// Where a certificate sits on the path, as error messages name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertRole {
    /// The peer's own certificate (the first of the chain).
    EndEntity,
    /// A CA certificate between the end entity and the trust anchor.
    Intermediate,
    /// The trusted root the path ends at.
    TrustAnchor,
}

impl fmt::Display for CertRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CertRole::EndEntity => "end-entity certificate",
            CertRole::Intermediate => "intermediate",
            CertRole::TrustAnchor => "trust anchor",
        })
    }
}

/// One rule of the certificate profile, broken by a certificate
/// ([`CertificateError::Profile`](super::CertificateError::Profile)).
///
/// Each rule's message ends with the section it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProfileRule {
    /// A CA certificate without subjectKeyIdentifier.
    MissingSubjectKeyId,
    /// An end-entity or intermediate certificate without
    /// authorityKeyIdentifier (a keyIdentifier).
    MissingAuthorityKeyId,
    /// subjectKeyIdentifier marked critical.
    CriticalSubjectKeyId,
    /// authorityKeyIdentifier marked critical.
    CriticalAuthorityKeyId,
    /// A trust anchor's authorityKeyIdentifier differs from its own
    /// subjectKeyIdentifier.
    AnchorAuthorityKeyIdMismatch,
    /// A trust anchor's authorityKeyIdentifier carries
    /// authorityCertIssuer or authorityCertSerialNumber.
    AnchorAuthorityKeyIdIssuerSerial,
    /// A CA certificate without basicConstraints.
    MissingBasicConstraints,
    /// A CA certificate whose basicConstraints is not critical.
    BasicConstraintsNotCritical,
    /// A trust anchor whose basicConstraints does not assert cA.
    AnchorNotCa,
    /// keyUsage keyCertSign without basicConstraints cA.
    KeyCertSignWithoutCa,
    /// A CA certificate whose keyUsage lacks keyCertSign.
    CaWithoutKeyCertSign,
    /// pathLenConstraint in a certificate that is not a CA.
    PathLenWithoutCa,
    /// A trust anchor carrying extendedKeyUsage.
    AnchorHasExtendedKeyUsage,
    /// The end entity has no extendedKeyUsage.
    MissingExtendedKeyUsage,
    /// The end entity's extendedKeyUsage holds anyExtendedKeyUsage.
    AnyExtendedKeyUsage,
    /// The end entity's extendedKeyUsage is critical.
    CriticalExtendedKeyUsage,
    /// The subject commonName is not one of the subjectAltNames, character
    /// for character (an IP address in its canonical text form).
    CommonNameNotInSan {
        /// The commonName.
        common_name: String,
    },
    /// The end entity has no subjectAltName.
    MissingSubjectAltName,
    /// subjectAltName critical although the subject is not empty.
    SanCriticalWithSubject,
    /// subjectAltName not critical although the subject is empty.
    SanNotCriticalWithEmptySubject,
    /// A dNSName that is not a valid preferred name (letters, digits and
    /// hyphens, labels of 1 to 63 octets; a wildcard only as a whole
    /// leftmost label).
    InvalidDnsName {
        /// The name.
        name: String,
    },
    /// A wildcard dNSName over a public suffix (`*.com`, `*.co.uk`).
    WildcardOverPublicSuffix {
        /// The name.
        name: String,
    },
    /// nameConstraints not critical. Not returned by the default
    /// verification: the Baseline Requirements (7.1.2.10.8) allow a
    /// non-critical nameConstraints in CA certificates as an explicit
    /// exception to RFC 5280, and it is enforced all the same.
    NameConstraintsNotCritical,
    /// nameConstraints in an end-entity certificate.
    NameConstraintsInEndEntity,
    /// nameConstraints with no subtree.
    EmptyNameConstraints,
    /// A dNSName subtree that is not a valid DNS name (a leading period, an
    /// invalid character).
    InvalidDnsNameConstraint {
        /// The subtree.
        subtree: String,
    },
    /// policyConstraints not critical.
    PolicyConstraintsNotCritical,
    /// authorityInfoAccess that does not decode.
    InvalidAuthorityInfoAccess,
    /// authorityInfoAccess marked critical.
    CriticalAuthorityInfoAccess,
    /// An authorityKeyIdentifier without its keyIdentifier field.
    AuthorityKeyIdWithoutKeyId,
    /// An rfc822Name that is not a mailbox (`local@domain`, one `@`, a
    /// valid domain).
    InvalidEmailName {
        /// The name.
        name: String,
    },
    /// A CA certificate with an empty subject.
    EmptyCaSubject,
    /// A serial number that is zero or negative.
    NonPositiveSerial,
    /// A DSA subject public key.
    DsaKey,
    /// An elliptic-curve key on a curve the profile forbids (P-192).
    ForbiddenCurve {
        /// The curve.
        curve: &'static str,
    },
    /// An RSA modulus under 2048 bits.
    RsaKeyTooSmall {
        /// The modulus length in bits.
        bits: usize,
    },
    /// An RSA modulus whose bit length is not a multiple of 8.
    RsaModulusNotOctets {
        /// The modulus length in bits.
        bits: usize,
    },
    /// An RSA public key that does not decode.
    InvalidRsaKey,
}

impl ProfileRule {
    /// The TLS alert this rule's violation sends: keys we refuse to use are
    /// unsupported_certificate; everything else is bad_certificate, as for
    /// other malformed or misissued certificates.
    pub fn alert(&self) -> AlertDescription {
        match self {
            ProfileRule::DsaKey
            | ProfileRule::ForbiddenCurve { .. }
            | ProfileRule::RsaKeyTooSmall { .. }
            | ProfileRule::RsaModulusNotOctets { .. } => AlertDescription::UnsupportedCertificate,
            _ => AlertDescription::BadCertificate,
        }
    }

    /// The standard and section the rule comes from.
    pub fn reference(&self) -> &'static str {
        use ProfileRule as R;
        match self {
            R::MissingSubjectKeyId | R::CriticalSubjectKeyId => "RFC 5280 4.2.1.2",
            R::MissingAuthorityKeyId | R::CriticalAuthorityKeyId => "RFC 5280 4.2.1.1",
            R::AnchorAuthorityKeyIdMismatch | R::AnchorAuthorityKeyIdIssuerSerial => {
                "CABF BR 7.1.2.1.3"
            }
            R::MissingBasicConstraints
            | R::BasicConstraintsNotCritical
            | R::AnchorNotCa
            | R::PathLenWithoutCa => "RFC 5280 4.2.1.9",
            R::KeyCertSignWithoutCa | R::CaWithoutKeyCertSign => "RFC 5280 4.2.1.3",
            R::AnchorHasExtendedKeyUsage => "CABF BR 7.1.2.1.2",
            R::MissingExtendedKeyUsage | R::AnyExtendedKeyUsage | R::CriticalExtendedKeyUsage => {
                "CABF BR 7.1.2.7.10"
            }
            R::CommonNameNotInSan { .. } => "CABF BR 7.1.4.3",
            R::MissingSubjectAltName => "CABF BR 7.1.2.7.12",
            R::SanCriticalWithSubject | R::SanNotCriticalWithEmptySubject => "RFC 5280 4.2.1.6",
            R::InvalidDnsName { .. } => "RFC 5280 4.2.1.6",
            R::WildcardOverPublicSuffix { .. } => "CABF BR 3.2.2.6",
            R::NameConstraintsNotCritical
            | R::NameConstraintsInEndEntity
            | R::EmptyNameConstraints
            | R::InvalidDnsNameConstraint { .. } => "RFC 5280 4.2.1.10",
            R::PolicyConstraintsNotCritical => "RFC 5280 4.2.1.11",
            R::InvalidAuthorityInfoAccess | R::CriticalAuthorityInfoAccess => "RFC 5280 4.2.2.1",
            R::AuthorityKeyIdWithoutKeyId => "RFC 5280 4.2.1.1",
            R::InvalidEmailName { .. } => "RFC 5280 4.2.1.6",
            R::EmptyCaSubject => "RFC 5280 4.1.2.6",
            R::NonPositiveSerial => "RFC 5280 4.1.2.2",
            R::DsaKey
            | R::ForbiddenCurve { .. }
            | R::RsaKeyTooSmall { .. }
            | R::RsaModulusNotOctets { .. }
            | R::InvalidRsaKey => "CABF BR 6.1.5",
        }
    }
}

impl fmt::Display for ProfileRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ProfileRule as R;
        match self {
            R::MissingSubjectKeyId => write!(f, "lacks subjectKeyIdentifier"),
            R::MissingAuthorityKeyId => write!(f, "lacks authorityKeyIdentifier"),
            R::CriticalSubjectKeyId => write!(f, "has a critical subjectKeyIdentifier"),
            R::CriticalAuthorityKeyId => write!(f, "has a critical authorityKeyIdentifier"),
            R::AnchorAuthorityKeyIdMismatch => write!(
                f,
                "has an authorityKeyIdentifier that differs from its subjectKeyIdentifier"
            ),
            R::AnchorAuthorityKeyIdIssuerSerial => write!(
                f,
                "has an authorityKeyIdentifier with authorityCertIssuer or authorityCertSerialNumber"
            ),
            R::MissingBasicConstraints => write!(f, "is a CA without basicConstraints"),
            R::BasicConstraintsNotCritical => write!(f, "has a non-critical basicConstraints"),
            R::AnchorNotCa => write!(f, "does not assert basicConstraints cA"),
            R::KeyCertSignWithoutCa => {
                write!(f, "asserts keyUsage keyCertSign without basicConstraints cA")
            }
            R::CaWithoutKeyCertSign => write!(f, "is a CA whose keyUsage lacks keyCertSign"),
            R::PathLenWithoutCa => write!(f, "has a pathLenConstraint but is not a CA"),
            R::AnchorHasExtendedKeyUsage => write!(f, "carries extendedKeyUsage"),
            R::MissingExtendedKeyUsage => write!(f, "lacks extendedKeyUsage"),
            R::AnyExtendedKeyUsage => write!(f, "has anyExtendedKeyUsage"),
            R::CriticalExtendedKeyUsage => write!(f, "has a critical extendedKeyUsage"),
            R::CommonNameNotInSan { common_name } => write!(
                f,
                "has commonName '{common_name}', which is not one of its subjectAltNames"
            ),
            R::MissingSubjectAltName => write!(f, "has no subjectAltName"),
            R::SanCriticalWithSubject => {
                write!(f, "has a critical subjectAltName and a non-empty subject")
            }
            R::SanNotCriticalWithEmptySubject => {
                write!(f, "has an empty subject and a non-critical subjectAltName")
            }
            R::InvalidDnsName { name } => write!(f, "has invalid dNSName '{name}'"),
            R::WildcardOverPublicSuffix { name } => {
                write!(f, "has wildcard '{name}' over a public suffix")
            }
            R::NameConstraintsNotCritical => write!(f, "has a non-critical nameConstraints"),
            R::NameConstraintsInEndEntity => {
                write!(f, "has nameConstraints, which only CA certificates may carry")
            }
            R::EmptyNameConstraints => write!(f, "has nameConstraints with no subtree"),
            R::InvalidDnsNameConstraint { subtree } => {
                write!(f, "has invalid dNSName name constraint '{subtree}'")
            }
            R::PolicyConstraintsNotCritical => write!(f, "has a non-critical policyConstraints"),
            R::CriticalAuthorityInfoAccess => write!(f, "has a critical authorityInfoAccess"),
            R::AuthorityKeyIdWithoutKeyId => {
                write!(f, "has an authorityKeyIdentifier without keyIdentifier")
            }
            R::InvalidEmailName { name } => write!(f, "has invalid rfc822Name '{name}'"),
            R::InvalidAuthorityInfoAccess => {
                write!(f, "has an authorityInfoAccess that does not decode")
            }
            R::EmptyCaSubject => write!(f, "is a CA with an empty subject"),
            R::NonPositiveSerial => write!(f, "has a zero or negative serial number"),
            R::DsaKey => write!(f, "has a DSA key"),
            R::ForbiddenCurve { curve } => write!(f, "has an ECDSA key on {curve}"),
            R::RsaKeyTooSmall { bits } => write!(f, "has a {bits}-bit RSA key (under 2048)"),
            R::RsaModulusNotOctets { bits } => write!(
                f,
                "has a {bits}-bit RSA key (the length must be a multiple of 8)"
            ),
            R::InvalidRsaKey => write!(f, "has an RSA key that does not decode"),
        }
    }
}

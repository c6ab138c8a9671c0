//! Why a certificate was refused, precise enough to debug from one log line.

use std::fmt;

use crate::proto::wire::enums::AlertDescription;

/// A certificate or chain that failed verification.
///
/// Every variant carries what a log line needs: the subject of the certificate
/// at fault (as an RFC 4514 string such as `CN=Foo,O=Bar`) and the offending
/// value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertificateError {
    /// Anything not yet given its own variant.
    Other(String),
    /// The peer sent no certificate at all.
    NoCertificate,
    /// A certificate could not be decoded.
    BadEncoding {
        /// What was wrong with the encoding.
        reason: String,
    },
    /// A certificate's notAfter is in the past.
    Expired {
        /// Subject of the expired certificate.
        subject: String,
        /// Its notAfter (RFC 3339, UTC).
        not_after: String,
        /// The verification time (RFC 3339, UTC).
        now: String,
    },
    /// A certificate's notBefore is in the future.
    NotYetValid {
        /// Subject of the certificate.
        subject: String,
        /// Its notBefore (RFC 3339, UTC).
        not_before: String,
        /// The verification time (RFC 3339, UTC).
        now: String,
    },
    /// The end-entity certificate does not cover the name we connected to.
    NotValidForName {
        /// The name we expected (DNS name or IP address).
        expected: String,
        /// The DNS and IP subjectAltNames the certificate presents.
        presented: Vec<String>,
    },
    /// No trust anchor or supplied intermediate issued this certificate.
    UnknownIssuer {
        /// Subject of the certificate whose issuer is unknown.
        subject: String,
        /// The issuer name it claims.
        issuer: String,
    },
    /// A certificate's signature does not verify with its issuer's key.
    BadSignature {
        /// Subject of the certificate with the bad signature.
        subject: String,
    },
    /// A certificate is signed with an algorithm we refuse (MD5, SHA-1, unknown).
    UnsupportedSignatureAlgorithm {
        /// Subject of the certificate.
        subject: String,
        /// The algorithm (OID or name).
        algorithm: String,
    },
    /// An issuing certificate is not a CA (basicConstraints cA is not true).
    NotCa {
        /// Subject of the would-be issuer.
        subject: String,
    },
    /// A CA certificate was presented as the TLS end entity.
    CaUsedAsEndEntity {
        /// Subject of the certificate.
        subject: String,
    },
    /// A CA's pathLenConstraint is exceeded by the chain below it.
    PathLenExceeded {
        /// Subject of the constraining CA.
        subject: String,
    },
    /// The extendedKeyUsage does not allow the purpose.
    InvalidPurpose {
        /// Subject of the certificate.
        subject: String,
        /// The purpose required (`serverAuth` or `clientAuth`).
        needed: &'static str,
    },
    /// The keyUsage does not allow the required use.
    KeyUsage {
        /// Subject of the certificate.
        subject: String,
        /// The key usage bit required.
        needed: &'static str,
    },
    /// A name in a certificate is outside the name constraints of an issuer.
    NameConstraintViolation {
        /// Subject of the certificate holding the name.
        subject: String,
        /// The offending name.
        name: String,
    },
    /// Name-constraint checking gave up: the path's constraints times its
    /// names exceed the comparison budget (a defence against chains built
    /// to make validation slow; legitimate chains need a few hundred).
    NameConstraintBudgetExceeded {
        /// The most comparisons one verification may make.
        budget: u32,
    },
    /// An issuer constrains a name form that we cannot evaluate (otherName,
    /// ediPartyName, registeredID) and a certificate below it carries a name
    /// of that form, so the constraint cannot be shown to hold.
    UnsupportedNameConstraint {
        /// Subject of the certificate holding the name.
        subject: String,
        /// The name form (`otherName`, `ediPartyName`, `registeredID`).
        form: &'static str,
    },
    /// Certificate-policy processing (RFC 5280 section 6.1) refuses the
    /// path: a critical certificatePolicies extension we cannot honour, an
    /// invalid policy mapping or policy constraint, or a path that requires
    /// an explicit policy (requireExplicitPolicy), which we do not evaluate.
    Policy {
        /// Subject of the certificate at fault.
        subject: String,
        /// What was refused and why.
        reason: String,
    },
    /// A certificate has a critical extension we do not understand.
    UnknownCriticalExtension {
        /// Subject of the certificate.
        subject: String,
        /// The extension's OID.
        oid: String,
    },
    /// Path building gave up: too many candidates or too deep a chain.
    PathBuildingExhausted,
    /// A certificate on the path is listed as revoked by an applicable CRL.
    Revoked {
        /// Subject of the revoked certificate.
        subject: String,
        /// Its serial number, upper-case hexadecimal.
        serial: String,
    },
    /// Revocation checking was required but no applicable, current CRL
    /// covers a certificate on the path.
    RevocationStatusUnknown {
        /// Subject of the certificate whose status is unknown.
        subject: String,
    },
    /// A custom verifier refused a certificate by a rule of its own
    /// (pinning, an allow-list, an application check: not a path-validation
    /// failure), and chose the alert the peer gets.
    ///
    /// `alert` is honoured when it is one of the alerts RFC 8446 section 6.2
    /// gives for a refused certificate or handshake (bad_certificate,
    /// unsupported_certificate, certificate_revoked, certificate_expired,
    /// certificate_unknown, unknown_ca, access_denied, handshake_failure);
    /// any other alert is replaced by bad_certificate, so a verifier cannot
    /// make a refusal look like a close or an unrelated protocol error.
    ApplicationRefused {
        /// Why, in the verifier's words.
        reason: String,
        /// The alert to send (see above).
        alert: AlertDescription,
    },
}

impl CertificateError {
    /// The TLS alert that reports this failure.
    pub fn alert(&self) -> AlertDescription {
        match self {
            CertificateError::Expired { .. } | CertificateError::NotYetValid { .. } => {
                AlertDescription::CertificateExpired
            }
            CertificateError::UnknownIssuer { .. } => AlertDescription::UnknownCA,
            CertificateError::UnsupportedSignatureAlgorithm { .. } => {
                AlertDescription::UnsupportedCertificate
            }
            CertificateError::Revoked { .. } => AlertDescription::CertificateRevoked,
            CertificateError::RevocationStatusUnknown { .. } => {
                AlertDescription::CertificateUnknown
            }
            // cert_data that is not a DER certificate is a message that
            // could not be decoded (RFC 8446 section 6.2, decode_error: "a
            // message could not be decoded because some field was out of the
            // specified range"); OpenSSL, BoringSSL and rustls send this too.
            CertificateError::BadEncoding { .. } => AlertDescription::DecodeError,
            CertificateError::ApplicationRefused { alert, .. } => match alert {
                AlertDescription::BadCertificate
                | AlertDescription::UnsupportedCertificate
                | AlertDescription::CertificateRevoked
                | AlertDescription::CertificateExpired
                | AlertDescription::CertificateUnknown
                | AlertDescription::UnknownCA
                | AlertDescription::AccessDenied
                | AlertDescription::HandshakeFailure => *alert,
                _ => AlertDescription::BadCertificate,
            },
            _ => AlertDescription::BadCertificate,
        }
    }

    /// How specific this error is when choosing among failed candidate paths:
    /// a failure on a candidate that really signed (expired, not a CA, ...)
    /// beats a signature mismatch, which beats "no issuer found".
    pub(crate) fn specificity(&self) -> u8 {
        match self {
            CertificateError::UnknownIssuer { .. } => 0,
            CertificateError::PathBuildingExhausted => 1,
            CertificateError::BadSignature { .. }
            | CertificateError::UnsupportedSignatureAlgorithm { .. } => 2,
            _ => 3,
        }
    }
}

impl fmt::Display for CertificateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CertificateError::Other(s) => write!(f, "invalid certificate: {s}"),
            CertificateError::ApplicationRefused { reason, .. } => {
                write!(f, "certificate refused by the verifier: {reason}")
            }
            CertificateError::NoCertificate => write!(f, "no certificate was presented"),
            CertificateError::BadEncoding { reason } => {
                write!(f, "certificate could not be decoded: {reason}")
            }
            CertificateError::Expired {
                subject,
                not_after,
                now,
            } => write!(
                f,
                "certificate '{subject}' expired at {not_after} (now is {now})"
            ),
            CertificateError::NotYetValid {
                subject,
                not_before,
                now,
            } => write!(
                f,
                "certificate '{subject}' is not valid before {not_before} (now is {now})"
            ),
            CertificateError::NotValidForName {
                expected,
                presented,
            } => {
                write!(f, "certificate is not valid for '{expected}'; ")?;
                if presented.is_empty() {
                    write!(f, "it has no DNS or IP subjectAltName")
                } else {
                    write!(f, "it is valid for ")?;
                    for (i, p) in presented.iter().enumerate() {
                        if i > 0 {
                            write!(f, ", ")?;
                        }
                        write!(f, "'{p}'")?;
                    }
                    Ok(())
                }
            }
            CertificateError::UnknownIssuer { subject, issuer } => write!(
                f,
                "certificate '{subject}' was issued by unknown issuer '{issuer}'"
            ),
            CertificateError::BadSignature { subject } => {
                write!(f, "signature on certificate '{subject}' is invalid")
            }
            CertificateError::UnsupportedSignatureAlgorithm { subject, algorithm } => write!(
                f,
                "certificate '{subject}' is signed with unsupported algorithm {algorithm}"
            ),
            CertificateError::NotCa { subject } => {
                write!(f, "issuer certificate '{subject}' is not a CA")
            }
            CertificateError::CaUsedAsEndEntity { subject } => write!(
                f,
                "CA certificate '{subject}' was presented as an end-entity certificate"
            ),
            CertificateError::PathLenExceeded { subject } => write!(
                f,
                "the chain below CA '{subject}' exceeds its pathLenConstraint"
            ),
            CertificateError::InvalidPurpose { subject, needed } => write!(
                f,
                "certificate '{subject}' is not valid for {needed} (extendedKeyUsage)"
            ),
            CertificateError::KeyUsage { subject, needed } => write!(
                f,
                "certificate '{subject}' keyUsage does not allow {needed}"
            ),
            CertificateError::NameConstraintViolation { subject, name } => write!(
                f,
                "name '{name}' in certificate '{subject}' violates an issuer's name constraints"
            ),
            CertificateError::NameConstraintBudgetExceeded { budget } => write!(
                f,
                "name constraint comparison budget exceeded: the chain's name constraints and \
                 names need more than {budget} comparisons"
            ),
            CertificateError::UnsupportedNameConstraint { subject, form } => write!(
                f,
                "certificate '{subject}' has a {form} name, which an issuer constrains; \
                 {form} name constraints are not supported"
            ),
            CertificateError::Policy { subject, reason } => write!(
                f,
                "certificate '{subject}' fails certificate policy processing: {reason}"
            ),
            CertificateError::UnknownCriticalExtension { subject, oid } => write!(
                f,
                "certificate '{subject}' has unknown critical extension {oid}"
            ),
            CertificateError::PathBuildingExhausted => write!(
                f,
                "gave up building a certificate path: too many candidates or too long a chain"
            ),
            CertificateError::Revoked { subject, serial } => write!(
                f,
                "certificate '{subject}' (serial {serial}) has been revoked"
            ),
            CertificateError::RevocationStatusUnknown { subject } => write!(
                f,
                "revocation status of certificate '{subject}' is unknown: no current CRL from its issuer"
            ),
        }
    }
}

impl std::error::Error for CertificateError {}

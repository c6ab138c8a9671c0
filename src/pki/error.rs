//! Why a certificate was refused, precise enough to debug from one log line.

use std::fmt;

use crate::proto::wire::enums::AlertDescription;

/// A certificate or chain that failed verification.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertificateError {
    /// Anything not yet given its own variant.
    Other(String),
}

impl CertificateError {
    /// The TLS alert that reports this failure.
    pub fn alert(&self) -> AlertDescription {
        AlertDescription::BadCertificate
    }
}

impl fmt::Display for CertificateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CertificateError::Other(s) => write!(f, "invalid certificate: {s}"),
        }
    }
}

//! Certificate parsing (x509-cert) and path validation.

mod error;

pub use error::CertificateError;

//! Certificate parsing (x509-cert) and path validation.
//!
//! [`verify_chain`] validates a chain against a [`RootStore`] as the web PKI
//! applies RFC 5280; [`verify_tls13_signature`] checks a CertificateVerify
//! signature; [`ServerCertVerifier`] is what the handshake calls.

mod constraints;
mod crl;
mod error;
mod names;
pub(crate) mod ocsp;
mod parse;
mod path;
mod policy;
mod roots;
mod signature;
mod time;
mod verify;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_crl;

pub use crl::{CrlSet, RevocationDepth, RevocationOptions, UnknownStatus};
pub use error::CertificateError;
pub(crate) use ocsp::check_staple;
pub use ocsp::{verify_ocsp_response, OcspFreshness, OcspPolicy, OCSP_CLOCK_SKEW_SECS};
pub use roots::{PlatformRootSources, RootStore};
pub use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
pub(crate) use signature::certificate_public_key;
pub use signature::{verify_tls12_signature, verify_tls13_signature};
pub use verify::{
    check_chain_validity, verify_chain, verify_chain_with, ClientCertVerifier,
    DefaultClientVerifier, DefaultServerVerifier, KeyPurpose, ServerCertVerifier, VerifiedPath,
    VerifyOptions,
};

//! Certificate-authority lists in CertificateRequest: `-use-client-ca-list`
//! (server: the names to send) and `-expect-client-ca-list` (client: the
//! names the server must have sent), and the client certificate resolver
//! that sees them and the request's signature schemes
//! (`-expect-peer-verify-pref`).

use std::sync::{Arc, Mutex};

use lctls::config::{CertifiedKey, ResolvesClientCert};
use lctls::proto::enums::SignatureScheme;

use crate::credentials::Credentials;
use crate::errors::Failure;

/// BoGo's encoding of a list of DER names: hex values joined by commas;
/// `<NULL>` and `<EMPTY>` (BoringSSL's unset and empty lists) are both no
/// names, which lctls sends as no certificate_authorities at all.
pub fn parse_names(flag: &str, v: &str) -> Result<Vec<Vec<u8>>, Failure> {
    if v == "<NULL>" || v == "<EMPTY>" || v.is_empty() {
        return Ok(Vec::new());
    }
    v.split(',').map(|h| hex(flag, h)).collect()
}

fn hex(flag: &str, h: &str) -> Result<Vec<u8>, Failure> {
    let bad = || Failure(format!("{flag}: not hexadecimal: {h:?}"));
    if !h.len().is_multiple_of(2) {
        return Err(bad());
    }
    (0..h.len())
        .step_by(2)
        .map(|i| {
            h.get(i..i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
                .ok_or_else(bad)
        })
        .collect()
}

/// The client's certificate (if any), chosen as lctls's own single-key
/// resolver does, remembering the certificate_authorities of the last
/// CertificateRequest.
#[derive(Debug, Default)]
pub struct ShimClientCert {
    /// The client's credentials (`-cert-file`, `-new-x509-credential`).
    pub credentials: Option<Arc<Credentials>>,
    seen: Mutex<Option<Request>>,
}

/// What the last CertificateRequest asked for.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Its certificate_authorities (DER names).
    pub authorities: Vec<Vec<u8>>,
    /// Its signature schemes, in the server's order.
    pub schemes: Vec<SignatureScheme>,
}

impl ShimClientCert {
    pub fn new(credentials: Option<Arc<Credentials>>) -> Self {
        ShimClientCert {
            credentials,
            seen: Mutex::new(None),
        }
    }

    fn seen(&self) -> std::sync::MutexGuard<'_, Option<Request>> {
        // Plain data: a panic elsewhere cannot leave it half-written.
        self.seen.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Forgets the last request, before the next connection.
    pub fn begin(&self) {
        *self.seen() = None;
    }

    /// This connection's CertificateRequest (None: none came).
    pub fn request(&self) -> Option<Request> {
        self.seen().clone()
    }
}

impl ResolvesClientCert for ShimClientCert {
    fn resolve(
        &self,
        authorities: &[Vec<u8>],
        schemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        self.try_resolve(authorities, schemes).ok().flatten()
    }

    fn try_resolve(
        &self,
        authorities: &[Vec<u8>],
        schemes: &[SignatureScheme],
    ) -> Result<Option<Arc<CertifiedKey>>, lctls::Error> {
        *self.seen() = Some(Request {
            authorities: authorities.to_vec(),
            schemes: schemes.to_vec(),
        });
        match &self.credentials {
            Some(c) => c.try_resolve(authorities, schemes),
            None => Ok(None),
        }
    }
}

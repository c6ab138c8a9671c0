//! Certificate verifiers with BoGo's semantics, and `-verify-prefs`.

use std::sync::Arc;

use lctls::pki::{
    verify_chain, CertificateDer, CertificateError, ClientCertVerifier, KeyPurpose, RootStore,
    ServerCertVerifier, ServerName, UnixTime,
};
use lctls::proto::wire::enums::SignatureScheme;

/// The signature schemes offered to (and accepted from) the peer.
#[derive(Debug, Clone)]
pub struct SchemePrefs {
    pub tls13: Vec<SignatureScheme>,
    pub tls12: Vec<SignatureScheme>,
}

/// A trait-default verifier, only asked for lctls's default scheme lists.
#[derive(Debug)]
pub struct Defaults;

impl ServerCertVerifier for Defaults {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: UnixTime,
    ) -> Result<(), CertificateError> {
        Err(CertificateError::Other("unused".into()))
    }
}

impl SchemePrefs {
    pub fn defaults() -> Self {
        SchemePrefs {
            tls13: Defaults.supported_schemes(),
            tls12: Defaults.supported_schemes_tls12(),
        }
    }

    /// `-verify-prefs`: the listed schemes, in order, each where lctls allows it.
    pub fn from_flags(ids: &[u16]) -> Option<Self> {
        if ids.is_empty() {
            return None;
        }
        let d = Self::defaults();
        let pick = |allowed: &[SignatureScheme]| {
            ids.iter()
                .map(|&s| SignatureScheme::from(s))
                .filter(|s| allowed.contains(s))
                .collect()
        };
        Some(SchemePrefs {
            tls13: pick(&d.tls13),
            tls12: pick(&d.tls12),
        })
    }
}

/// The client's view of the server: a chain to `-trust-cert` (names are not
/// checked, as in BoringSSL's shim), or anything at all without it.
/// Handshake signatures are always verified.
#[derive(Debug, Default)]
pub struct ShimServerVerifier {
    pub roots: Option<Arc<RootStore>>,
    pub prefs: Option<SchemePrefs>,
    /// `-fail-ocsp-callback`: every staple is refused.
    pub fail_ocsp: bool,
}

impl ServerCertVerifier for ShimServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        now: UnixTime,
    ) -> Result<(), CertificateError> {
        match &self.roots {
            Some(r) => verify_chain(
                r,
                end_entity,
                intermediates,
                None,
                now,
                KeyPurpose::ServerAuth,
            )
            .map(|_| ()),
            None => Ok(()),
        }
    }

    fn verify_ocsp_response(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &[u8],
        _: UnixTime,
    ) -> Result<lctls::pki::OcspFreshness, CertificateError> {
        crate::ocsp::verify(self.fail_ocsp)
    }

    fn supported_schemes(&self) -> Vec<SignatureScheme> {
        match &self.prefs {
            Some(p) => p.tls13.clone(),
            None => Defaults.supported_schemes(),
        }
    }

    fn supported_schemes_tls12(&self) -> Vec<SignatureScheme> {
        match &self.prefs {
            Some(p) => p.tls12.clone(),
            None => Defaults.supported_schemes_tls12(),
        }
    }
}

/// The server's view of client certificates (`-verify-peer`).
#[derive(Debug)]
pub struct ShimClientVerifier {
    pub roots: Option<Arc<RootStore>>,
    pub mandatory: bool,
    pub prefs: Option<SchemePrefs>,
}

impl ClientCertVerifier for ShimClientVerifier {
    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<(), CertificateError> {
        match &self.roots {
            Some(r) => verify_chain(
                r,
                end_entity,
                intermediates,
                None,
                now,
                KeyPurpose::ClientAuth,
            )
            .map(|_| ()),
            None => Ok(()),
        }
    }

    fn client_auth_mandatory(&self) -> bool {
        self.mandatory
    }

    fn root_subjects(&self) -> Vec<Vec<u8>> {
        self.roots
            .as_ref()
            .map(|r| r.subjects())
            .unwrap_or_default()
    }

    fn supported_schemes(&self) -> Vec<SignatureScheme> {
        match &self.prefs {
            Some(p) => p.tls13.clone(),
            None => Defaults.supported_schemes(),
        }
    }

    fn supported_schemes_tls12(&self) -> Vec<SignatureScheme> {
        match &self.prefs {
            Some(p) => p.tls12.clone(),
            None => Defaults.supported_schemes_tls12(),
        }
    }
}

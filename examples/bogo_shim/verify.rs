//! Certificate verifiers with BoGo's semantics, and `-verify-prefs`.
//!
//! BoringSSL's shim installs a verify callback (`-use-custom-verify-callback`
//! picks the newer API) that refuses with `-verify-fail`. Whether a refusal
//! fails the handshake depends on the verify mode: a client without
//! `-verify-peer` (SSL_VERIFY_NONE) only records it, which
//! `-expect-verify-result` then checks. The two callbacks send different
//! alerts: the legacy one's X509_V_ERR_APPLICATION_VERIFICATION becomes
//! handshake_failure, the custom one's default is certificate_unknown.
//! A resumption runs the callback only with `-reverify-on-resume` (client).

use std::sync::{Arc, Mutex};

use lctls::pki::{
    check_chain_validity, CertificateDer, CertificateError, ClientCertVerifier, RootStore,
    ServerCertVerifier, ServerName, UnixTime,
};
use lctls::proto::enums::{AlertDescription, SignatureScheme};

use crate::flags::Opts;

/// The verify-callback flags of the connection under way, set before each
/// connection (the lctls configuration, and these verifiers in it, are
/// shared by all of them), and the outcome of the last verification.
#[derive(Debug, Default)]
pub struct Outcomes(Mutex<State>);

#[derive(Debug, Default, Clone, Copy)]
struct State {
    verify_fail: bool,
    custom_callback: bool,
    reverify_on_resume: bool,
    /// Whether the last verification passed (None: none ran yet). A resumed
    /// connection that does not verify keeps its session's result, as
    /// BoringSSL's SSL_get_verify_result does; the session is always from
    /// the connection before.
    passed: Option<bool>,
}

impl Outcomes {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic elsewhere cannot leave State inconsistent: it is plain data.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes the flags of the next connection.
    pub fn begin(&self, o: &Opts) {
        let mut s = self.state();
        s.verify_fail = o.verify_fail;
        s.custom_callback = o.use_custom_verify_callback;
        s.reverify_on_resume = o.reverify_on_resume;
    }

    /// Whether the last verification passed, for `-expect-verify-result`.
    pub fn passed(&self) -> Option<bool> {
        self.state().passed
    }

    /// The verify callback: refuses with `-verify-fail`; `hard` says whether
    /// a refusal fails the handshake (else it is only recorded).
    fn callback(&self, hard: bool) -> Result<(), CertificateError> {
        let mut s = self.state();
        s.passed = Some(!s.verify_fail);
        if !s.verify_fail || !hard {
            return Ok(());
        }
        let alert = if s.custom_callback {
            AlertDescription::CertificateUnknown
        } else {
            AlertDescription::HandshakeFailure
        };
        Err(CertificateError::ApplicationRefused {
            reason: "-verify-fail".into(),
            alert,
        })
    }

    /// Before a resumption: the callback again only with `-reverify-on-resume`.
    fn recheck(&self, hard: bool) -> Result<(), CertificateError> {
        if self.state().reverify_on_resume {
            self.callback(hard)
        } else {
            Ok(())
        }
    }
}

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

/// The client's view of the server. BoringSSL's shim replaces X.509 path
/// validation with its verify callback (`-trust-cert` is parsed and never
/// used there), so chains are not validated here either: the runner's own
/// chains list the issuer before the end entity, and its tests of what a
/// verifier refuses go through `-verify-fail`. lctls's path validation has
/// its own tests. Handshake signatures are always verified, by the library.
#[derive(Debug, Default)]
pub struct ShimServerVerifier {
    pub prefs: Option<SchemePrefs>,
    /// `-verify-peer`: a refusal of the verify callback fails the handshake.
    pub hard: bool,
    pub outcomes: Arc<Outcomes>,
    /// `-fail-ocsp-callback`: every staple is refused.
    pub fail_ocsp: bool,
}

impl ServerCertVerifier for ShimServerVerifier {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: UnixTime,
    ) -> Result<(), CertificateError> {
        self.outcomes.callback(self.hard)
    }

    fn recheck_resumed(
        &self,
        chain: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<(), CertificateError> {
        // An error here makes lctls offer no session: the full handshake
        // then verifies afresh, and refuses just as a reverification would.
        check_chain_validity(chain, now)?;
        self.outcomes.recheck(self.hard)
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

/// The server's view of client certificates (`-verify-peer`); `roots`
/// (`-trust-cert`) only name the certificate_authorities it sends.
#[derive(Debug)]
pub struct ShimClientVerifier {
    pub roots: Option<Arc<RootStore>>,
    pub mandatory: bool,
    pub prefs: Option<SchemePrefs>,
    pub outcomes: Arc<Outcomes>,
    /// `-use-client-ca-list`: the certificate_authorities to send, instead
    /// of the roots' subjects.
    pub ca_names: Option<Vec<Vec<u8>>>,
}

impl ClientCertVerifier for ShimClientVerifier {
    fn verify_client_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: UnixTime,
    ) -> Result<(), CertificateError> {
        // Not path-validated, as on the client side (see ShimServerVerifier).
        // A server asks for certificates only in SSL_VERIFY_PEER mode, where
        // a refusal is fatal. (Its resumptions are never reverified: BoringSSL's
        // -reverify-on-resume is a client feature; the default recheck stays.)
        self.outcomes.callback(true)
    }

    fn client_auth_mandatory(&self) -> bool {
        self.mandatory
    }

    fn root_subjects(&self) -> Vec<Vec<u8>> {
        if let Some(names) = &self.ca_names {
            return names.clone();
        }
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

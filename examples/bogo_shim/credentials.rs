//! `-new-x509-credential` and the flags that act on the current credential
//! (`-cert-file`, `-key-file`, `-signing-prefs`), `-expect-selected-credential`,
//! `-must-match-issuer`, `-fail-cert-callback`, and `-expect-peer-verify-pref`
//! (the schemes the peer offered, which the certificate choice sees).
//!
//! As in BoringSSL's shim, those flags set the default credential until a
//! `-new-x509-credential` appears, and the newest credential after it. A
//! connection uses the first credential, in the order given, that fits the
//! peer, then the default one (index -1); when none fits, the first is used
//! and the handshake fails saying why (handshake_failure).

use std::sync::{Arc, Mutex};

use lctls::config::{CertifiedKey, ClientHelloInfo, ResolvesClientCert, ResolvesServerCert};
use lctls::proto::enums::SignatureScheme;
use lctls::Error;

use crate::errors::{fail, Failure};
use crate::flags::{Opts, ParseError};

/// One credential's flags.
#[derive(Debug, Default, Clone)]
pub struct CredentialFlags {
    pub cert_file: Option<std::path::PathBuf>,
    pub key_file: Option<std::path::PathBuf>,
    pub signing_prefs: Vec<u16>,
    /// `-must-match-issuer`: usable only when issued under one of the
    /// server's certificate_authorities.
    pub must_match_issuer: bool,
    /// `-ocsp-response`: the staple for this credential.
    pub ocsp_response: Option<Vec<u8>>,
    /// `-signed-cert-timestamps`: the SCT list for this credential.
    pub sct_list: Option<Vec<u8>>,
}

/// The credential the stateful flags act on now.
pub fn current(o: &mut Opts) -> &mut CredentialFlags {
    match o.credentials.last_mut() {
        Some(c) => c,
        None => &mut o.default_credential,
    }
}

/// BoringSSL's RSA PKCS#1 MD5/SHA-1 pseudo-scheme: it never signs or
/// verifies it in TLS 1.2 even when listed, so it is dropped, as there.
const MD5_SHA1: u16 = 0xff01;

/// The schemes of a `-signing-prefs` or `-verify-prefs` list that lctls
/// should see: MD5/SHA-1 dropped.
pub fn without_md5_sha1(ids: &[u16]) -> Vec<u16> {
    ids.iter().copied().filter(|&s| s != MD5_SHA1).collect()
}

/// Refuses (exit 89) a `-signing-prefs` list naming a scheme lctls never
/// signs with (SHA-1, the TLS 1.3 PKCS#1 code points): a test would expect
/// a signature lctls cannot make.
pub fn check_signing_prefs(o: &Opts) -> Result<(), ParseError> {
    for c in std::iter::once(&o.default_credential).chain(&o.credentials) {
        let schemes: Vec<SignatureScheme> = without_md5_sha1(&c.signing_prefs)
            .into_iter()
            .map(SignatureScheme::from)
            .collect();
        if !schemes.is_empty()
            && lctls::config::ClientConfig::builder()
                .with_signing_schemes(&schemes)
                .dangerous()
                .with_custom_verifier(Arc::new(crate::verify::ShimServerVerifier::default()))
                .build()
                .is_err()
        {
            return Err(ParseError::Unimplemented(format!(
                "-signing-prefs {:?}: a scheme lctls does not sign with",
                c.signing_prefs
            )));
        }
    }
    Ok(())
}

fn load(c: &CredentialFlags) -> Result<Option<CertifiedKey>, Failure> {
    let key = match (&c.cert_file, &c.key_file) {
        (Some(cert), Some(key)) => CertifiedKey::from_pem_files(cert, key)?,
        (None, None) => return Ok(None),
        _ => return fail("-cert-file and -key-file go together"),
    };
    let prefs: Vec<SignatureScheme> = without_md5_sha1(&c.signing_prefs)
        .into_iter()
        .map(SignatureScheme::from)
        .collect();
    let mut key = if prefs.is_empty() {
        key
    } else {
        key.with_signing_schemes(&prefs)?
    };
    // -ocsp-response and -signed-cert-timestamps belong to the credential
    // they follow, as in BoringSSL's shim.
    if let Some(r) = &c.ocsp_response {
        key = key.with_ocsp(r.clone());
    }
    if let Some(l) = &c.sct_list {
        key = key.with_sct_list(l.clone())?;
    }
    Ok(Some(key))
}

/// Every credential with its BoGo index (-1 for the default, tried last),
/// and the index the last handshake chose.
#[derive(Debug)]
pub struct Credentials {
    /// (BoGo index, key, -must-match-issuer).
    list: Vec<(i64, Arc<CertifiedKey>, bool)>,
    /// `-fail-cert-callback`: every choice fails with internal_error.
    fail: bool,
    /// The last choice: the index and the peer's signature schemes.
    chosen: Mutex<(i64, Option<Vec<SignatureScheme>>)>,
}

impl Credentials {
    /// Loads the credentials the flags name; None when there are none.
    pub fn from_flags(o: &Opts) -> Result<Option<Arc<Self>>, Failure> {
        let mut list = Vec::new();
        for (i, c) in o.credentials.iter().enumerate() {
            match load(c)? {
                Some(k) => list.push((i as i64, Arc::new(k), c.must_match_issuer)),
                None => return fail("-new-x509-credential without -cert-file/-key-file"),
            }
        }
        if let Some(k) = load(&o.default_credential)? {
            list.push((-1, Arc::new(k), false));
        }
        if list.is_empty() && !o.fail_cert_callback {
            return Ok(None);
        }
        Ok(Some(Arc::new(Credentials {
            list,
            fail: o.fail_cert_callback,
            chosen: Mutex::new((-1, None)),
        })))
    }

    fn chosen(&self) -> std::sync::MutexGuard<'_, (i64, Option<Vec<SignatureScheme>>)> {
        self.chosen.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Forgets the previous connection's choice.
    pub fn reset(&self) {
        *self.chosen() = (-1, None);
    }

    /// `-expect-selected-credential`, and a server's `-expect-peer-verify-pref`
    /// (the client's is checked against the CertificateRequest, see
    /// `ca_list::ShimClientCert`).
    pub fn check(&self, o: &Opts) -> Result<(), Failure> {
        let (got, peer) = self.chosen().clone();
        if let Some(want) = o.expect_selected_credential.filter(|&w| w != got) {
            return fail(format!("Credential {got} was used, wanted {want}"));
        }
        if o.server && !o.expect_peer_verify_prefs.is_empty() {
            let peer: Option<Vec<u16>> = peer.map(|p| p.iter().map(|s| s.get()).collect());
            if peer.as_ref() != Some(&o.expect_peer_verify_prefs) {
                return fail(format!(
                    "-expect-peer-verify-pref {:?}: the peer offered {peer:?}",
                    o.expect_peer_verify_prefs
                ));
            }
        }
        Ok(())
    }

    /// The first credential that `fits`, else the first (whose handshake then
    /// fails saying why), recording the choice. A `-must-match-issuer`
    /// credential fits only under one of `authorities`; when that is what
    /// rules out the first, nothing is sent and the handshake fails, as
    /// BoringSSL's NO_MATCHING_ISSUER.
    fn choose(
        &self,
        offered: &[SignatureScheme],
        authorities: Option<&[Vec<u8>]>,
        fits: impl Fn(&CertifiedKey) -> bool,
    ) -> Result<Option<Arc<CertifiedKey>>, Error> {
        *self.chosen() = (-1, Some(offered.to_vec()));
        if self.fail {
            return Err(Error::internal("certificate callback failed"));
        }
        let issuer_ok =
            |k: &CertifiedKey, must: bool| !must || authorities.is_some_and(|a| k.issued_by_any(a));
        let chosen = self
            .list
            .iter()
            .find(|(_, k, must)| issuer_ok(k, *must) && fits(k));
        if let Some((i, k, _)) = chosen {
            self.chosen().0 = *i;
            return Ok(Some(k.clone()));
        }
        match self.list.first() {
            Some((_, k, must)) if !issuer_ok(k, *must) => Err(Error::handshake(
                "no certificate matches the peer's certificate_authorities",
            )),
            first => Ok(first.map(|(_, k, _)| k.clone())),
        }
    }
}

impl ResolvesServerCert for Credentials {
    fn resolve(&self, hello: &ClientHelloInfo<'_>) -> Option<Arc<CertifiedKey>> {
        ResolvesServerCert::try_resolve(self, hello).ok()
    }

    fn try_resolve(&self, hello: &ClientHelloInfo<'_>) -> Result<Arc<CertifiedKey>, Error> {
        let authorities = Some(hello.certificate_authorities);
        self.choose(hello.signature_schemes, authorities, |k| hello.fits(k))?
            .ok_or_else(|| Error::handshake("no credential configured"))
    }
}

impl ResolvesClientCert for Credentials {
    fn resolve(
        &self,
        authorities: &[Vec<u8>],
        schemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        ResolvesClientCert::try_resolve(self, authorities, schemes)
            .ok()
            .flatten()
    }

    fn try_resolve(
        &self,
        authorities: &[Vec<u8>],
        schemes: &[SignatureScheme],
    ) -> Result<Option<Arc<CertifiedKey>>, Error> {
        self.choose(schemes, Some(authorities), |k| k.can_sign(schemes))
    }
}

//! What the `client` and `server` examples share for debugging: parsing
//! `--versions`, `--suites` and `--groups`, printing a certificate chain
//! (`--verbose`), and laying a refused chain out with the certificate and
//! rule at fault.
//!
//! The refused chain is not in the handshake's error (which names only the
//! certificate at fault), so `--verbose` verifies through
//! [`RecordingServerVerifier`] / [`RecordingClientVerifier`]: the default
//! verifiers, unchanged, that also note the chain they were shown in a
//! task-local slot set by [`recording`] around one handshake.

#![allow(dead_code)] // each example uses its half

use std::cell::RefCell;
use std::future::Future;
use std::sync::Arc;

use lctls::pki::{
    CertificateDer, CertificateError, ClientCertVerifier, DefaultClientVerifier,
    DefaultServerVerifier, OcspFreshness, ServerCertVerifier, ServerName, UnixTime,
};
use lctls::proto::enums::{CipherSuite, NamedGroup, ProtocolVersion};
use x509_cert::der::Decode;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::SubjectAltName;

/// `--versions 1.2,1.3` (also `tls1.2`, `TLSv1_3`...).
pub fn parse_versions(list: &str) -> Result<Vec<ProtocolVersion>, String> {
    list.split(',')
        .filter(|v| !v.is_empty())
        .map(|v| {
            let norm = v.to_ascii_lowercase().replace(['_', 'v'], ".");
            match norm.trim_start_matches("tls").trim_start_matches('.') {
                "1.3" => Ok(ProtocolVersion::TLSv1_3),
                "1.2" => Ok(ProtocolVersion::TLSv1_2),
                _ => Err(format!(
                    "unknown or refused version '{v}' (lctls speaks 1.2 and 1.3)"
                )),
            }
        })
        .collect()
}

/// Every named value of a 16-bit code point enum, by its Debug name.
fn named<T: std::fmt::Debug + From<u16>>() -> Vec<(String, T)> {
    (0..=u16::MAX)
        .map(T::from)
        .map(|v| (format!("{v:?}"), v))
        .filter(|(name, _)| !name.starts_with("Unknown"))
        .collect()
}

/// A comma-separated list of names (case-insensitive) or 0x hex values.
fn parse_list<T: std::fmt::Debug + From<u16> + Copy>(
    what: &str,
    list: &str,
    allowed: impl Fn(&str) -> bool,
) -> Result<Vec<T>, String> {
    let known: Vec<(String, T)> = named::<T>()
        .into_iter()
        .filter(|(n, _)| allowed(n))
        .collect();
    list.split(',')
        .filter(|s| !s.is_empty())
        .map(|s| {
            if let Some(hex) = s.strip_prefix("0x") {
                return u16::from_str_radix(hex, 16)
                    .map(T::from)
                    .map_err(|e| format!("{what} '{s}': {e}"));
            }
            known
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(s))
                .map(|(_, v)| *v)
                .ok_or_else(|| {
                    let names: Vec<&str> = known.iter().map(|(n, _)| n.as_str()).collect();
                    format!("unknown {what} '{s}'; known: {}", names.join(", "))
                })
        })
        .collect()
}

/// `--suites TLS13_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256`.
pub fn parse_suites(list: &str) -> Result<Vec<CipherSuite>, String> {
    parse_list("cipher suite", list, |n| {
        n.starts_with("TLS13_") || n.starts_with("TLS_ECDHE_")
    })
}

/// `--groups X25519MLKEM768,X25519,secp256r1`.
pub fn parse_groups(list: &str) -> Result<Vec<NamedGroup>, String> {
    parse_list("group", list, |_| true)
}

/// The lines `--verbose` prints for a chain, one block per certificate.
pub fn chain_lines(chain: &[CertificateDer<'_>], fault: Option<usize>) -> Vec<String> {
    let mut out = Vec::new();
    for (i, der) in chain.iter().enumerate() {
        let mark = if fault == Some(i) {
            "   <-- refused"
        } else {
            ""
        };
        match x509_cert::Certificate::from_der(der.as_ref()) {
            Ok(cert) => {
                let tbs = &cert.tbs_certificate;
                out.push(format!("  [{i}] subject: {}{mark}", tbs.subject));
                out.push(format!("      issuer:  {}", tbs.issuer));
                out.push(format!(
                    "      valid:   {} to {}",
                    tbs.validity.not_before, tbs.validity.not_after
                ));
                if let Some(sans) = sans(&cert) {
                    out.push(format!("      SANs:    {sans}"));
                }
            }
            Err(e) => out.push(format!(
                "  [{i}] ({} bytes, does not decode: {e}){mark}",
                der.len()
            )),
        }
    }
    out
}

/// The subjectAltNames, as `DNS:a, IP:1.2.3.4, email:x@y`.
fn sans(cert: &x509_cert::Certificate) -> Option<String> {
    let (_, san) = cert.tbs_certificate.get::<SubjectAltName>().ok()??;
    let names: Vec<String> = san
        .0
        .iter()
        .map(|n| match n {
            GeneralName::DnsName(d) => format!("DNS:{}", d.as_str()),
            GeneralName::IpAddress(ip) => match ip.as_bytes().len() {
                4 => {
                    let b: [u8; 4] = ip.as_bytes().try_into().unwrap_or_default();
                    format!("IP:{}", std::net::Ipv4Addr::from(b))
                }
                16 => {
                    let b: [u8; 16] = ip.as_bytes().try_into().unwrap_or_default();
                    format!("IP:{}", std::net::Ipv6Addr::from(b))
                }
                _ => "IP:(malformed)".to_string(),
            },
            GeneralName::Rfc822Name(m) => format!("email:{}", m.as_str()),
            GeneralName::UniformResourceIdentifier(u) => format!("URI:{}", u.as_str()),
            GeneralName::DirectoryName(d) => format!("dirName:{d}"),
            _ => "(other name form)".to_string(),
        })
        .collect();
    Some(names.join(", "))
}

fn subject_of(der: &CertificateDer<'_>) -> Option<String> {
    let cert = x509_cert::Certificate::from_der(der.as_ref()).ok()?;
    Some(cert.tbs_certificate.subject.to_string())
}

/// The subject an error names as the certificate at fault, if any.
fn error_subject(e: &CertificateError) -> Option<&str> {
    use CertificateError as E;
    match e {
        E::Expired { subject, .. }
        | E::NotYetValid { subject, .. }
        | E::UnknownIssuer { subject, .. }
        | E::BadSignature { subject }
        | E::UnsupportedSignatureAlgorithm { subject, .. }
        | E::NotCa { subject }
        | E::CaUsedAsEndEntity { subject }
        | E::PathLenExceeded { subject }
        | E::InvalidPurpose { subject, .. }
        | E::KeyUsage { subject, .. }
        | E::NameConstraintViolation { subject, .. }
        | E::UnsupportedNameConstraint { subject, .. }
        | E::Policy { subject, .. }
        | E::UnknownCriticalExtension { subject, .. }
        | E::Profile { subject, .. }
        | E::ExtendedKeyUsageMissing { subject, .. }
        | E::Revoked { subject, .. }
        | E::RevocationStatusUnknown { subject } => Some(subject),
        _ => None,
    }
}

/// The rule an error reports: its kind (`NotValidForName`, `Expired`...),
/// and for a profile rule the rule's own name and words.
fn error_rule(e: &CertificateError) -> String {
    match e {
        // ProfileRule's words end with the section they come from.
        CertificateError::Profile { rule, role, .. } => {
            format!("{}: {rule} ({}), as {role}", kind(rule), rule.reference())
        }
        other => kind(other),
    }
}

/// An enum value's variant name, from its Debug form.
fn kind(v: &impl std::fmt::Debug) -> String {
    let debug = format!("{v:?}");
    debug
        .split([' ', '(', '{'])
        .next()
        .unwrap_or("")
        .to_string()
}

/// Lays a refused chain out: the error, the certificate at fault (by
/// position when the peer sent it), the rule, then the whole chain.
pub fn refused_chain_lines(chain: &[CertificateDer<'_>], e: &CertificateError) -> Vec<String> {
    let subject = error_subject(e);
    let by_subject = subject.and_then(|s| {
        chain
            .iter()
            .position(|c| subject_of(c).as_deref() == Some(s))
    });
    // Name errors are about the end entity, which names no subject.
    let fault = by_subject.or(match e {
        CertificateError::NotValidForName { .. } => Some(0),
        _ => None,
    });
    let mut out = vec![format!("verification failed: {e}")];
    out.push(match (fault, subject) {
        (Some(i), _) => format!("  certificate: [{i}] of the chain the peer sent"),
        (None, Some(s)) => format!("  certificate: '{s}' (not sent by the peer: a trust anchor)"),
        (None, None) => "  certificate: the chain as a whole".to_string(),
    });
    out.push(format!("  rule: {}", error_rule(e)));
    out.push(format!("peer chain: {} certificate(s)", chain.len()));
    out.extend(chain_lines(chain, fault));
    out
}

tokio::task_local! {
    /// The chain the verifier saw during the handshake this task runs.
    static SEEN: RefCell<Vec<CertificateDer<'static>>>;
}

/// Runs `handshake` noting the chain a recording verifier sees in it; the
/// verifiers run inside the handshake's poll, on this task.
pub async fn recording<F: Future>(handshake: F) -> (F::Output, Vec<CertificateDer<'static>>) {
    SEEN.scope(RefCell::new(Vec::new()), async move {
        let out = handshake.await;
        (out, SEEN.with(|s| s.take()))
    })
    .await
}

fn note(end_entity: &CertificateDer<'_>, intermediates: &[CertificateDer<'_>]) {
    let _ = SEEN.try_with(|s| {
        let mut chain = vec![end_entity.clone().into_owned()];
        chain.extend(intermediates.iter().map(|c| c.clone().into_owned()));
        *s.borrow_mut() = chain;
    });
}

/// [`DefaultServerVerifier`], noting the chain for [`recording`]. The
/// handshake-signature methods are the traits' defaults, which are the
/// default verifiers' own: only the chain methods are forwarded.
#[derive(Debug)]
pub struct RecordingServerVerifier(pub DefaultServerVerifier);

impl ServerCertVerifier for RecordingServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> Result<(), CertificateError> {
        note(end_entity, intermediates);
        self.0
            .verify_server_cert(end_entity, intermediates, server_name, now)
    }

    fn recheck_resumed(
        &self,
        chain: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<(), CertificateError> {
        self.0.recheck_resumed(chain, now)
    }

    fn verify_ocsp_response(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        response: &[u8],
        now: UnixTime,
    ) -> Result<OcspFreshness, CertificateError> {
        self.0
            .verify_ocsp_response(end_entity, intermediates, response, now)
    }
}

/// [`DefaultClientVerifier`], noting the chain for [`recording`].
#[derive(Debug)]
pub struct RecordingClientVerifier(pub DefaultClientVerifier);

impl ClientCertVerifier for RecordingClientVerifier {
    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<(), CertificateError> {
        note(end_entity, intermediates);
        self.0.verify_client_cert(end_entity, intermediates, now)
    }

    fn recheck_resumed(
        &self,
        chain: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<(), CertificateError> {
        self.0.recheck_resumed(chain, now)
    }

    fn client_auth_mandatory(&self) -> bool {
        self.0.client_auth_mandatory()
    }

    fn root_subjects(&self) -> Vec<Vec<u8>> {
        self.0.root_subjects()
    }
}

/// Wraps a server verifier for `--verbose`.
pub fn recording_server_verifier(v: DefaultServerVerifier) -> Arc<dyn ServerCertVerifier> {
    Arc::new(RecordingServerVerifier(v))
}

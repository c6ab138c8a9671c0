//! Stapled OCSP responses (RFC 6960), checked by a TLS client.
//!
//! A server staples the OCSP response its CA's responder made for its
//! certificate (RFC 6066 section 8 in TLS 1.2, RFC 8446 section 4.4.2.1 in
//! TLS 1.3). [`verify_ocsp_response`] accepts it only when it is a
//! successful BasicOCSPResponse, signed by the certificate's issuer or by a
//! responder the issuer certified for id-kp-OCSPSigning, about this very
//! certificate (CertID: hashes of the issuer's name and key, and the
//! serial), and says whether it is still current. What a missing or stale
//! response does to the handshake is the client's [`OcspPolicy`].

use aws_lc_rs::digest;
use rustls_pki_types::{CertificateDer, UnixTime};
use x509_cert::der::asn1::ObjectIdentifier;
use x509_cert::der::{Decode, Encode};
use x509_ocsp::{BasicOcspResponse, CertStatus, OcspResponse, OcspResponseStatus, SingleResponse};

use super::crl::hex_upper;
use super::error::CertificateError;
use super::parse::{read_tlv, AlgIdBuf, ParsedCert};
use super::path::check_validity;
use super::signature::{verify_cert_signature, verify_signed_data};
use super::time::rfc3339;

/// How much a responder's clock may run ahead of ours, and how long past
/// its nextUpdate a response still counts as current (RFC 6960 section
/// 4.2.2.1 leaves "sufficiently recent" to local policy).
pub const OCSP_CLOCK_SKEW_SECS: u64 = 300;

/// Most delegated-responder certificates looked at in one response: a
/// response carries one, a hostile one could carry thousands.
const MAX_RESPONDER_CERTS: usize = 4;

/// What a client does about the OCSP response a server staples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum OcspPolicy {
    /// Do not ask for a response (the default, as in OpenSSL and BoringSSL).
    /// A server that staples anyway is refused: it answered a question we
    /// did not ask.
    #[default]
    Off,
    /// Ask for a response and verify any that comes: a revoked certificate
    /// is refused (certificate_revoked), a response that is malformed, about
    /// another certificate or not signed by the issuer or its delegated
    /// responder is refused (bad_certificate_status_response). A server that
    /// staples nothing, or a stale response (past its nextUpdate), is
    /// accepted: the certificate was verified as usual.
    Allow,
    /// As [`OcspPolicy::Allow`], but a missing or stale response is refused
    /// too (bad_certificate_status_response).
    Require,
}

impl OcspPolicy {
    /// Whether the client asks for a response (sends status_request).
    pub fn asks(self) -> bool {
        self != OcspPolicy::Off
    }
}

/// How current a verified response is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OcspFreshness {
    /// thisUpdate <= now <= nextUpdate (within [`OCSP_CLOCK_SKEW_SECS`]),
    /// or no nextUpdate, which RFC 6960 section 4.2.2.1 reads as "newer
    /// information is always available".
    Current,
    /// Past its nextUpdate: the responder has published a newer answer.
    Stale {
        /// The response's nextUpdate (RFC 3339, UTC).
        next_update: String,
    },
}

/// id-kp-OCSPSigning (RFC 6960 section 4.2.2.2).
const KP_OCSP_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.9");
/// id-pkix-ocsp-basic, the only response type RFC 6960 defines.
const OCSP_BASIC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.1");
/// CertID hash algorithms: SHA-1 (what OpenSSL and most responders use; the
/// hash only names the issuer, it signs nothing) and SHA-2.
const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");

fn bad(reason: impl Into<String>) -> CertificateError {
    CertificateError::BadOcspResponse {
        reason: reason.into(),
    }
}

/// Verifies the DER OCSP `response` stapled for `end_entity`.
///
/// The issuer is looked for among `candidates` (the server's intermediates,
/// then the trust anchors): the one whose subject is the end entity's
/// issuer and whose key verifies the end entity's signature. Returns how
/// current the response is; a response that says "revoked" is
/// [`CertificateError::Revoked`], any other failure (malformed, not
/// successful, status unknown, about another certificate, not yet valid,
/// signed by anyone but the issuer or a responder it delegated to with
/// id-kp-OCSPSigning) is [`CertificateError::BadOcspResponse`].
pub fn verify_ocsp_response(
    response: &[u8],
    end_entity: &CertificateDer<'_>,
    candidates: &[CertificateDer<'_>],
    now: UnixTime,
) -> Result<OcspFreshness, CertificateError> {
    verify_with_anchors(response, end_entity, candidates, &[], now)
}

/// [`verify_ocsp_response`] that also looks for the issuer among `anchors`
/// (a leaf issued directly by a root).
pub(crate) fn verify_with_anchors(
    response: &[u8],
    end_entity: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
    anchors: &[ParsedCert],
    now: UnixTime,
) -> Result<OcspFreshness, CertificateError> {
    let leaf = ParsedCert::parse(end_entity.as_ref())?;
    let parsed: Vec<ParsedCert> = intermediates
        .iter()
        .filter_map(|c| ParsedCert::parse(c.as_ref()).ok())
        .collect();
    let candidates: Vec<&ParsedCert> = parsed.iter().chain(anchors).collect();
    verify_parsed(response, &leaf, &candidates, now.as_secs())
}

fn verify_parsed(
    response: &[u8],
    leaf: &ParsedCert,
    candidates: &[&ParsedCert],
    now: u64,
) -> Result<OcspFreshness, CertificateError> {
    let outer =
        OcspResponse::from_der(response).map_err(|e| bad(format!("does not decode: {e}")))?;
    if outer.response_status != OcspResponseStatus::Successful {
        return Err(bad(format!(
            "responder status is {:?}, not successful",
            outer.response_status
        )));
    }
    let bytes = outer
        .response_bytes
        .ok_or_else(|| bad("successful response without responseBytes"))?;
    if bytes.response_type != OCSP_BASIC {
        return Err(bad(format!(
            "response type {} is not id-pkix-ocsp-basic",
            bytes.response_type
        )));
    }
    let raw = bytes.response.as_bytes();
    let basic = BasicOcspResponse::from_der(raw)
        .map_err(|e| bad(format!("BasicOCSPResponse does not decode: {e}")))?;
    // The signature covers ResponseData exactly as sent: take its bytes from
    // the input rather than re-encoding the decoded value.
    let tbs = read_tlv(raw)
        .and_then(|outer| read_tlv(outer.value))
        .map(|t| t.whole)
        .ok_or_else(|| bad("cannot locate ResponseData"))?;

    let issuer = candidates
        .iter()
        .copied()
        .find(|c| c.subject() == leaf.issuer() && verify_cert_signature(c, leaf).is_ok())
        .ok_or_else(|| {
            bad(format!(
                "the issuer '{}' of '{}' is not known, so the response cannot be checked",
                leaf.issuer_str(),
                leaf.subject_str()
            ))
        })?;
    check_signer(&basic, tbs, issuer, now)?;

    let single = find_single(&basic, leaf, issuer)?;
    match single.cert_status {
        CertStatus::Good(_) => {}
        CertStatus::Revoked(_) => {
            return Err(CertificateError::Revoked {
                subject: leaf.subject_str(),
                serial: hex_upper(leaf.serial()),
            })
        }
        CertStatus::Unknown(_) => {
            return Err(bad(format!(
                "the responder does not know certificate '{}'",
                leaf.subject_str()
            )))
        }
    }
    let this_update = single.this_update.0.to_unix_duration().as_secs();
    if this_update > now.saturating_add(OCSP_CLOCK_SKEW_SECS) {
        return Err(bad(format!(
            "response is not valid before {} (now is {})",
            rfc3339(this_update),
            rfc3339(now)
        )));
    }
    match &single.next_update {
        Some(next) => {
            let next = next.0.to_unix_duration().as_secs();
            if next < this_update {
                return Err(bad("nextUpdate is before thisUpdate"));
            }
            if next.saturating_add(OCSP_CLOCK_SKEW_SECS) < now {
                return Ok(OcspFreshness::Stale {
                    next_update: rfc3339(next),
                });
            }
            Ok(OcspFreshness::Current)
        }
        None => Ok(OcspFreshness::Current),
    }
}

/// Checks that the response is signed by `issuer` itself or by a responder
/// certificate in it that `issuer` signed, that is current and that carries
/// id-kp-OCSPSigning (RFC 6960 section 4.2.2.2).
fn check_signer(
    basic: &BasicOcspResponse,
    tbs: &[u8],
    issuer: &ParsedCert,
    now: u64,
) -> Result<(), CertificateError> {
    let alg = AlgIdBuf::from_x509(&basic.signature_algorithm)
        .map_err(|e| bad(format!("signature algorithm: {e}")))?;
    let signature = basic
        .signature
        .as_bytes()
        .ok_or_else(|| bad("signature BIT STRING has unused bits"))?;
    let alg = alg.as_alg();
    if verify_signed_data(issuer.spki(), alg, tbs, signature).is_ok() {
        return Ok(());
    }
    let certs = basic.certs.as_deref().unwrap_or_default();
    for cert in certs.iter().take(MAX_RESPONDER_CERTS) {
        let Ok(der) = cert.to_der() else { continue };
        let Ok(responder) = ParsedCert::parse(&der) else {
            continue;
        };
        if verify_signed_data(responder.spki(), alg, tbs, signature).is_err() {
            continue;
        }
        if responder.issuer() != issuer.subject()
            || verify_cert_signature(issuer, &responder).is_err()
        {
            return Err(bad(format!(
                "responder '{}' was not certified by the issuer '{}'",
                responder.subject_str(),
                issuer.subject_str()
            )));
        }
        if !responder
            .eku()
            .is_some_and(|e| e.contains(&KP_OCSP_SIGNING))
        {
            return Err(bad(format!(
                "responder '{}' lacks id-kp-OCSPSigning",
                responder.subject_str()
            )));
        }
        check_validity(&responder, now).map_err(|e| bad(format!("responder: {e}")))?;
        return Ok(());
    }
    Err(bad(format!(
        "not signed by the issuer '{}' or a responder it delegated to",
        issuer.subject_str()
    )))
}

/// The SingleResponse whose CertID names `leaf` as issued by `issuer`.
fn find_single<'a>(
    basic: &'a BasicOcspResponse,
    leaf: &ParsedCert,
    issuer: &ParsedCert,
) -> Result<&'a SingleResponse, CertificateError> {
    basic
        .tbs_response_data
        .responses
        .iter()
        .find(|s| {
            let id = &s.cert_id;
            let Some(alg) = hash_alg(&id.hash_algorithm.oid) else {
                return false;
            };
            id.serial_number.as_bytes() == leaf.serial()
                && digest::digest(alg, leaf.issuer()).as_ref() == id.issuer_name_hash.as_bytes()
                && digest::digest(alg, issuer.spki().key).as_ref() == id.issuer_key_hash.as_bytes()
        })
        .ok_or_else(|| {
            bad(format!(
                "response is not about certificate '{}' (serial {})",
                leaf.subject_str(),
                hex_upper(leaf.serial())
            ))
        })
}

fn hash_alg(oid: &ObjectIdentifier) -> Option<&'static digest::Algorithm> {
    match *oid {
        SHA1 => Some(&digest::SHA1_FOR_LEGACY_USE_ONLY),
        SHA256 => Some(&digest::SHA256),
        SHA384 => Some(&digest::SHA384),
        SHA512 => Some(&digest::SHA512),
        _ => None,
    }
}

/// Applies `policy` to what the server stapled (`staple`) for `chain`, which
/// `verifier` has already accepted. Called once per full handshake, after
/// the certificate and before the server's signature is trusted.
pub(crate) fn check_staple(
    verifier: &dyn super::ServerCertVerifier,
    policy: OcspPolicy,
    chain: &[CertificateDer<'_>],
    staple: Option<&[u8]>,
    now: UnixTime,
) -> Result<(), CertificateError> {
    let Some((leaf, intermediates)) = chain.split_first() else {
        return Ok(());
    };
    let required = policy == OcspPolicy::Require;
    match staple {
        None if required => Err(bad(
            "the server stapled no OCSP response, which this client requires",
        )),
        None => Ok(()),
        Some(r) => match verifier.verify_ocsp_response(leaf, intermediates, r, now)? {
            OcspFreshness::Current => Ok(()),
            OcspFreshness::Stale { next_update } if required => Err(bad(format!(
                "stapled response is stale: its nextUpdate was {next_update}"
            ))),
            OcspFreshness::Stale { next_update } => {
                tracing::debug!(%next_update, "stale OCSP staple accepted by policy");
                Ok(())
            }
        },
    }
}

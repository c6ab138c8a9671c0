//! Revocation checking with caller-supplied CRLs (RFC 5280 section 5).
//!
//! A [`CrlSet`] holds CRLs decoded once when added. During verification a CRL
//! applies to a certificate when its issuer Name equals the certificate's
//! issuer Name, its signature verifies with the key of the issuing CA found on
//! the validated path (whose keyUsage, if present, must allow cRLSign), it is
//! current (thisUpdate <= now <= nextUpdate) and its issuingDistributionPoint
//! scope covers the certificate.

use std::path::Path;
use std::sync::Arc;

use x509_cert::crl::CertificateList;
use x509_cert::der::asn1::ObjectIdentifier;
use x509_cert::der::{Decode, Encode};
use x509_cert::ext::pkix::crl::dp::IssuingDistributionPoint;
use x509_cert::ext::Extension;

use super::error::CertificateError;
use super::parse::{bad, read_tlv, AlgIdBuf, ParsedCert};
use super::roots::pem_blocks;
use super::signature::{verify_signed_data, SigFailure};

/// CRL and CRL entry extension OIDs (RFC 5280 sections 5.2 and 5.3).
mod oid {
    use x509_cert::der::asn1::ObjectIdentifier as O;

    pub const AUTHORITY_KEY_ID: O = O::new_unwrap("2.5.29.35");
    pub const CRL_NUMBER: O = O::new_unwrap("2.5.29.20");
    pub const ISSUING_DISTRIBUTION_POINT: O = O::new_unwrap("2.5.29.28");
    pub const DELTA_CRL_INDICATOR: O = O::new_unwrap("2.5.29.27");
    pub const FRESHEST_CRL: O = O::new_unwrap("2.5.29.46");
    pub const AUTHORITY_INFO_ACCESS: O = O::new_unwrap("1.3.6.1.5.5.7.1.1");

    pub const REASON_CODE: O = O::new_unwrap("2.5.29.21");
    pub const INVALIDITY_DATE: O = O::new_unwrap("2.5.29.24");
}

/// Which issuingDistributionPoint scope a CRL declares.
#[derive(Debug, Clone, Default)]
struct Scope {
    only_user: bool,
    only_ca: bool,
    /// DER of the distributionPoint name; the certificate's
    /// cRLDistributionPoints must name it.
    distribution_point: Option<Vec<u8>>,
    /// Indirect, reason-partitioned or attribute-certificate CRLs are kept
    /// but never used: we cannot tell what they cover.
    unusable: bool,
}

/// One CRL, decoded once.
#[derive(Debug, Clone)]
struct ParsedCrl {
    der: Vec<u8>,
    /// The TBSCertList exactly as signed.
    tbs: Vec<u8>,
    issuer: Vec<u8>,
    this_update: u64,
    next_update: Option<u64>,
    sig_alg: AlgIdBuf,
    signature: Vec<u8>,
    /// Serial numbers (INTEGER contents octets), sorted for binary search.
    revoked: Vec<Vec<u8>>,
    scope: Scope,
}

fn check_critical(
    ext: &Extension,
    known: &[ObjectIdentifier],
    issuer: &str,
) -> Result<(), CertificateError> {
    if ext.critical && !known.contains(&ext.extn_id) {
        return Err(CertificateError::UnknownCriticalExtension {
            subject: format!("CRL issued by {issuer}"),
            oid: ext.extn_id.to_string(),
        });
    }
    Ok(())
}

impl ParsedCrl {
    fn parse(der: &[u8]) -> Result<Self, CertificateError> {
        let crl = CertificateList::from_der(der).map_err(|e| bad(format!("CRL: {e}")))?;
        let tbs_raw = read_tlv(der)
            .and_then(|outer| read_tlv(outer.value))
            .map(|t| t.whole.to_vec())
            .ok_or_else(|| bad("CRL: cannot locate TBSCertList"))?;
        let tbs = &crl.tbs_cert_list;
        let issuer_str = tbs.issuer.to_string();
        if tbs.signature != crl.signature_algorithm {
            return Err(bad(format!(
                "CRL issued by '{issuer_str}': inner and outer signature algorithms differ"
            )));
        }
        let signature = crl
            .signature
            .as_bytes()
            .ok_or_else(|| bad("CRL signature BIT STRING has unused bits"))?
            .to_vec();

        let mut scope = Scope::default();
        // A complete CRL must carry a non-critical cRLNumber (RFC 5280
        // section 5.2.3); without one, or with a critical one, the CRL is
        // kept but never consulted, so the status it would give is unknown.
        let mut crl_number_ok = false;
        let mut seen: Vec<ObjectIdentifier> = Vec::new();
        for ext in tbs.crl_extensions.as_deref().unwrap_or(&[]) {
            if seen.contains(&ext.extn_id) {
                return Err(bad(format!(
                    "CRL issued by '{issuer_str}': duplicate extension {}",
                    ext.extn_id
                )));
            }
            seen.push(ext.extn_id);
            if ext.extn_id == oid::DELTA_CRL_INDICATOR {
                return Err(CertificateError::Other(format!(
                    "CRL issued by '{issuer_str}' is a delta CRL; only complete CRLs are supported"
                )));
            }
            check_critical(
                ext,
                &[
                    oid::AUTHORITY_KEY_ID,
                    oid::CRL_NUMBER,
                    oid::ISSUING_DISTRIBUTION_POINT,
                    oid::FRESHEST_CRL,
                    oid::AUTHORITY_INFO_ACCESS,
                ],
                &issuer_str,
            )?;
            if ext.extn_id == oid::CRL_NUMBER {
                crl_number_ok = !ext.critical;
            }
            if ext.extn_id == oid::ISSUING_DISTRIBUTION_POINT {
                let idp = IssuingDistributionPoint::from_der(ext.extn_value.as_bytes())
                    .map_err(|e| bad(format!("CRL issuingDistributionPoint: {e}")))?;
                scope.only_user = idp.only_contains_user_certs;
                scope.only_ca = idp.only_contains_ca_certs;
                scope.unusable = idp.indirect_crl
                    || idp.only_some_reasons.is_some()
                    || idp.only_contains_attribute_certs
                    || (scope.only_user && scope.only_ca);
                scope.distribution_point = match idp.distribution_point {
                    Some(name) => Some(
                        name.to_der()
                            .map_err(|e| bad(format!("CRL distributionPoint: {e}")))?,
                    ),
                    None => None,
                };
            }
        }

        scope.unusable |= !crl_number_ok;

        let entries = tbs.revoked_certificates.as_deref().unwrap_or(&[]);
        let mut revoked = Vec::with_capacity(entries.len());
        for entry in entries {
            for ext in entry.crl_entry_extensions.as_deref().unwrap_or(&[]) {
                // certificateIssuer (critical) only occurs in indirect CRLs,
                // which we do not use; refusing it here is the safe reading.
                check_critical(ext, &[oid::REASON_CODE, oid::INVALIDITY_DATE], &issuer_str)?;
            }
            revoked.push(entry.serial_number.as_bytes().to_vec());
        }
        revoked.sort_unstable();
        revoked.dedup();

        Ok(ParsedCrl {
            der: der.to_vec(),
            tbs: tbs_raw,
            issuer: tbs
                .issuer
                .to_der()
                .map_err(|e| bad(format!("CRL issuer: {e}")))?,
            this_update: tbs.this_update.to_unix_duration().as_secs(),
            next_update: tbs.next_update.map(|t| t.to_unix_duration().as_secs()),
            sig_alg: AlgIdBuf::from_x509(&crl.signature_algorithm)?,
            signature,
            revoked,
            scope,
        })
    }

    /// Does this CRL's scope cover `cert`?
    fn covers(&self, cert: &ParsedCert) -> bool {
        let s = &self.scope;
        if s.unusable || (s.only_ca && !cert.is_ca()) || (s.only_user && cert.is_ca()) {
            return false;
        }
        match &s.distribution_point {
            None => true,
            Some(dp) => cert.crl_dps().any(|c| c == dp.as_slice()),
        }
    }

    fn is_current(&self, now: u64) -> bool {
        self.this_update <= now && self.next_update.is_none_or(|next| now <= next)
    }
}

/// A set of certificate revocation lists supplied by the caller.
///
/// Each CRL is decoded once when added; its signature is checked during
/// verification against the key of the issuer found on the path. Delta CRLs
/// and CRLs with unknown critical extensions are refused when added; indirect
/// and reason-partitioned CRLs are accepted but never consulted.
#[derive(Debug, Clone, Default)]
pub struct CrlSet {
    crls: Vec<ParsedCrl>,
}

impl CrlSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one DER-encoded CRL. Adding a CRL already present is a no-op.
    pub fn add_der(&mut self, der: &[u8]) -> Result<(), CertificateError> {
        let parsed = ParsedCrl::parse(der)?;
        self.push(parsed);
        Ok(())
    }

    fn push(&mut self, crl: ParsedCrl) -> bool {
        if self.crls.iter().any(|c| c.der == crl.der) {
            return false;
        }
        self.crls.push(crl);
        true
    }

    /// Adds every `X509 CRL` block of a PEM text, ignoring other blocks.
    /// Returns how many new CRLs were added; nothing is added if any block
    /// is malformed.
    pub fn add_pem(&mut self, pem: &[u8]) -> Result<usize, CertificateError> {
        let parsed = pem_blocks(pem, "X509 CRL")?
            .iter()
            .map(|der| ParsedCrl::parse(der))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(parsed.into_iter().filter(|c| self.push(c.clone())).count())
    }

    /// Reads a PEM file and adds its CRLs as [`CrlSet::add_pem`] does.
    ///
    /// An unreadable file or a malformed CRL is an `Error::Config` naming the file.
    pub fn add_pem_file(&mut self, path: impl AsRef<Path>) -> Result<usize, crate::Error> {
        let path = path.as_ref();
        let data = std::fs::read(path).map_err(|e| {
            crate::Error::Config(format!("cannot read CRLs from {}: {e}", path.display()))
        })?;
        self.add_pem(&data)
            .map_err(|e| crate::Error::Config(format!("bad CRL in {}: {e}", path.display())))
    }

    /// Number of CRLs held.
    pub fn len(&self) -> usize {
        self.crls.len()
    }

    /// True when the set holds no CRL.
    pub fn is_empty(&self) -> bool {
        self.crls.is_empty()
    }

    /// The status of `cert`, issued by `issuer`, at `now`.
    fn status(&self, cert: &ParsedCert, issuer: &ParsedCert, now: u64) -> Status {
        let mut known = false;
        for crl in &self.crls {
            if crl.issuer != cert.issuer() || !crl.is_current(now) || !crl.covers(cert) {
                continue;
            }
            if let Some(ku) = &issuer.key_usage {
                if !ku.crl_sign() {
                    continue;
                }
            }
            match verify_signed_data(
                issuer.spki(),
                crl.sig_alg.as_alg(),
                &crl.tbs,
                &crl.signature,
            ) {
                Ok(()) => {}
                Err(SigFailure::Bad) | Err(SigFailure::Unsupported(_)) => continue,
            }
            if crl
                .revoked
                .binary_search_by(|s| s.as_slice().cmp(cert.serial()))
                .is_ok()
            {
                return Status::Revoked;
            }
            known = true;
        }
        if known {
            Status::Good
        } else {
            Status::Unknown
        }
    }
}

enum Status {
    Good,
    Revoked,
    Unknown,
}

/// Which certificates of a validated path are checked for revocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevocationDepth {
    /// Only the end-entity certificate.
    EndEntityOnly,
    /// The end entity and every intermediate (never the trust anchor).
    WholeChain,
}

/// What to do when no applicable, current CRL covers a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownStatus {
    /// Accept the certificate (soft fail).
    Allow,
    /// Refuse with [`CertificateError::RevocationStatusUnknown`].
    Deny,
}

/// Revocation checking settings for [`verify_chain_with`](super::verify_chain_with)
/// and the default verifiers.
#[derive(Debug, Clone)]
pub struct RevocationOptions {
    /// The CRLs to consult.
    pub crls: Arc<CrlSet>,
    /// Which certificates of the path are checked.
    pub depth: RevocationDepth,
    /// What an unknown status means.
    pub unknown_status: UnknownStatus,
}

impl RevocationOptions {
    /// Checks the whole chain against `crls` and refuses unknown status.
    pub fn new(crls: Arc<CrlSet>) -> Self {
        RevocationOptions {
            crls,
            depth: RevocationDepth::WholeChain,
            unknown_status: UnknownStatus::Deny,
        }
    }

    /// Checks the certificates of `path` (end entity first, trust anchor
    /// last) at `now`.
    pub(crate) fn check_path(
        &self,
        path: &[&ParsedCert],
        now: u64,
    ) -> Result<(), CertificateError> {
        let checked = self.checked(path);
        for (cert, issuer) in path.iter().zip(path.iter().skip(1)).take(checked) {
            match self.crls.status(cert, issuer, now) {
                Status::Good => {}
                Status::Revoked => {
                    return Err(CertificateError::Revoked {
                        subject: cert.subject_str(),
                        serial: hex_upper(cert.serial()),
                    })
                }
                Status::Unknown => {
                    if self.unknown_status == UnknownStatus::Deny {
                        return Err(CertificateError::RevocationStatusUnknown {
                            subject: cert.subject_str(),
                        });
                    }
                }
            }
        }
        Ok(())
    }
}

impl RevocationOptions {
    /// How many certificates of `path` (end entity first) are checked.
    fn checked(&self, path: &[&ParsedCert]) -> usize {
        match self.depth {
            RevocationDepth::EndEntityOnly => 1,
            RevocationDepth::WholeChain => path.len().saturating_sub(1),
        }
    }

    /// The times around `now` (both ends included) within which
    /// [`check_path`](Self::check_path)'s answer for `path` cannot change:
    /// a CRL naming the issuer of a checked certificate becomes current at
    /// its thisUpdate and stops being current after its nextUpdate, and
    /// nothing else in the check depends on the time. For the verified-chain
    /// cache, which must not answer past such a moment.
    pub(crate) fn window(&self, path: &[&ParsedCert], now: u64) -> (u64, u64) {
        let checked = self.checked(path);
        let (mut lo, mut hi) = (0u64, u64::MAX);
        for crl in &self.crls.crls {
            if !path.iter().take(checked).any(|c| c.issuer() == crl.issuer) {
                continue;
            }
            if crl.this_update > now {
                hi = hi.min(crl.this_update.saturating_sub(1));
            } else {
                lo = lo.max(crl.this_update);
            }
            match crl.next_update {
                Some(next) if next < now => lo = lo.max(next.saturating_add(1)),
                Some(next) => hi = hi.min(next),
                None => {}
            }
        }
        (lo, hi)
    }
}

pub(crate) fn hex_upper(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len().saturating_mul(2));
    for b in bytes {
        let _ = write!(s, "{b:02X}");
    }
    s
}

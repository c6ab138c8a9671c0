//! Trust anchors checked as certificates, not just as names and keys: a
//! root in the store is only used for a path if it is itself a well-formed,
//! current CA certificate (RFC 5280 sections 4.2.1.1, 4.2.1.2, 4.2.1.9 and
//! the Baseline Requirements' root profile, section 7.1.2.1).
//!
//! The checks run when a path reaches the anchor, not when it is added to a
//! [`RootStore`](super::RootStore): a bundle with one bad root still serves
//! every path that does not need it, and "expired" depends on the time of
//! verification.

use super::error::CertificateError;
use super::parse::{oid, ParsedCert};
use super::path::check_validity;
use super::profile::{check_ca, check_common, LeafRules};
use super::rule::{CertRole, ProfileRule};

/// Checks `anchor` at time `now`: currency and critical extensions always,
/// the RFC 5280 profile unless `rules` is [`LeafRules::PathOnly`], the
/// Baseline Requirements' root rules for servers only.
pub(crate) fn check_anchor(
    anchor: &ParsedCert,
    now: u64,
    rules: LeafRules,
) -> Result<(), CertificateError> {
    let role = CertRole::TrustAnchor;
    let no = |rule| {
        Err(CertificateError::Profile {
            role,
            subject: anchor.subject_str(),
            rule,
        })
    };
    check_validity(anchor, now)?;
    if let Some(oid) = &anchor.unknown_critical {
        return Err(CertificateError::UnknownCriticalExtension {
            subject: anchor.subject_str(),
            oid: oid.clone(),
        });
    }
    if rules == LeafRules::PathOnly {
        return Ok(());
    }
    check_ca(anchor, role)?;
    check_common(anchor, role)?;
    if !anchor.is_ca() {
        return no(ProfileRule::AnchorNotCa);
    }
    if anchor.key_usage.is_some_and(|ku| !ku.key_cert_sign()) {
        return no(ProfileRule::CaWithoutKeyCertSign);
    }
    // A CA certificate trusted directly (a cross-signed root, an
    // intermediate) need not name its issuer's key: RFC 5280 4.2.1.1 asks
    // conforming CAs for authorityKeyIdentifier, but the issuer of an
    // anchor is never looked up, and real stores hold such anchors
    // (x509-limbo cve::cve-2024-0567 trusts one and must validate).
    // The Baseline Requirements' root profile is for the web PKI (server
    // certificates); client-authentication roots are often private CAs
    // that RFC 5280 alone governs, and it allows both.
    // The root profile is for self-issued roots: a CA certificate trusted
    // directly keeps the extendedKeyUsage and issuer's key identifier it
    // was issued with.
    if rules != LeafRules::Server || !anchor.is_self_issued() {
        return Ok(());
    }
    if anchor.extension(oid::EXT_KEY_USAGE).is_some() {
        return no(ProfileRule::AnchorHasExtendedKeyUsage);
    }
    if anchor.aki_issuer_serial {
        return no(ProfileRule::AnchorAuthorityKeyIdIssuerSerial);
    }
    if anchor.aki().is_some() && anchor.aki() != anchor.ski() {
        return no(ProfileRule::AnchorAuthorityKeyIdMismatch);
    }
    Ok(())
}

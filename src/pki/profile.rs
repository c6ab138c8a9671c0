//! The per-certificate rules of RFC 5280 and the CA/Browser Forum Baseline
//! Requirements (what each rule is, and which are relaxed for client
//! certificates: see the [`pki`](super) module docs). Trust-anchor-only
//! rules live in anchor.rs, key rules in keys.rs.

use super::error::CertificateError;
use super::keys::check_key;
use super::names::{is_valid_dns_name, is_valid_mailbox, is_wildcard_over_public_suffix};
use super::parse::{oid, ParsedCert};
use super::rule::{CertRole, ProfileRule};

/// Which rule set applies to the end entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LeafRules {
    /// A TLS server: RFC 5280 and the Baseline Requirements.
    Server,
    /// A TLS client: RFC 5280 where it is looser than the Baseline
    /// Requirements (which are written for server certificates).
    Client,
    /// Path validation (RFC 5280 section 6) and the key rules only, no
    /// certificate-profile rule: for test peers that mint minimal
    /// certificates (`dangerous_` in the option that selects it).
    PathOnly,
}

fn refuse(cert: &ParsedCert, role: CertRole, rule: ProfileRule) -> CertificateError {
    CertificateError::Profile {
        role,
        subject: cert.subject_str(),
        rule,
    }
}

/// Rules every certificate of a path obeys, whatever its role.
pub(crate) fn check_common(cert: &ParsedCert, role: CertRole) -> Result<(), CertificateError> {
    let no = |rule| Err(refuse(cert, role, rule));
    if cert.extension(oid::SUBJECT_KEY_ID) == Some(true) {
        return no(ProfileRule::CriticalSubjectKeyId);
    }
    if cert.extension(oid::AUTHORITY_KEY_ID) == Some(true) {
        return no(ProfileRule::CriticalAuthorityKeyId);
    }
    if cert.key_usage.is_some_and(|ku| ku.key_cert_sign()) && !cert.is_ca() {
        return no(ProfileRule::KeyCertSignWithoutCa);
    }
    if let Some(bc) = &cert.basic_constraints {
        if !bc.ca && bc.path_len_constraint.is_some() {
            return no(ProfileRule::PathLenWithoutCa);
        }
    }
    if cert.aki().is_none() && cert.extension(oid::AUTHORITY_KEY_ID).is_some() {
        return no(ProfileRule::AuthorityKeyIdWithoutKeyId);
    }
    if cert.is_ca() && cert.key_usage.is_some_and(|ku| !ku.key_cert_sign()) {
        return no(ProfileRule::CaWithoutKeyCertSign);
    }
    // A non-critical nameConstraints is allowed (Baseline Requirements
    // 7.1.2.10.8, an explicit exception to RFC 5280) and enforced all the
    // same: we understand the extension either way.
    if let Some(nc) = &cert.name_constraints {
        if nc.is_empty() {
            return no(ProfileRule::EmptyNameConstraints);
        }
        // A dNSName subtree is a domain name: `.example.com` is the URI
        // and rfc822Name form, and would match nothing or everything
        // depending on the implementation.
        if let Some(bad) = nc
            .dns_subtrees()
            .find(|t| !t.is_empty() && !is_valid_dns_name(t, false))
        {
            return no(ProfileRule::InvalidDnsNameConstraint {
                subtree: bad.to_string(),
            });
        }
    }
    if cert.extension(oid::POLICY_CONSTRAINTS) == Some(false) {
        return no(ProfileRule::PolicyConstraintsNotCritical);
    }
    if cert.aia_invalid {
        return no(ProfileRule::InvalidAuthorityInfoAccess);
    }
    if cert.extension(oid::AUTHORITY_INFO_ACCESS) == Some(true) {
        return no(ProfileRule::CriticalAuthorityInfoAccess);
    }
    // Over 20 octets fails when decoding; a negative or zero serial decodes.
    // A trust anchor's serial is exempt: nothing identifies an anchor by
    // issuer and serial (it is trusted by its name and key, and never on a
    // CRL of an issuer), and roots that every store carries have serial 0
    // (Go Daddy and Starfield Root G2, SECOM RootCA2, HARICA 2015), so
    // refusing them would refuse the sites chaining to them.
    let serial = cert.serial();
    let positive = serial.first().is_some_and(|&b| b & 0x80 == 0) && serial.iter().any(|&b| b != 0);
    if !positive && role != CertRole::TrustAnchor {
        return no(ProfileRule::NonPositiveSerial);
    }
    for name in cert.san_dns() {
        if !is_valid_dns_name(name, true) {
            return no(ProfileRule::InvalidDnsName {
                name: name.to_string(),
            });
        }
    }
    for name in cert.san_email() {
        if !is_valid_mailbox(name) {
            return no(ProfileRule::InvalidEmailName {
                name: name.to_string(),
            });
        }
    }
    check_key(cert, role)
}

/// Rules of CA certificates (intermediates and trust anchors).
pub(crate) fn check_ca(cert: &ParsedCert, role: CertRole) -> Result<(), CertificateError> {
    let no = |rule| Err(refuse(cert, role, rule));
    match cert.extension(oid::BASIC_CONSTRAINTS) {
        None => return no(ProfileRule::MissingBasicConstraints),
        Some(false) => return no(ProfileRule::BasicConstraintsNotCritical),
        Some(true) => {}
    }
    if cert.ski().is_none() {
        return no(ProfileRule::MissingSubjectKeyId);
    }
    if cert.subject_is_empty() {
        return no(ProfileRule::EmptyCaSubject);
    }
    if role == CertRole::Intermediate && cert.aki().is_none() {
        return no(ProfileRule::MissingAuthorityKeyId);
    }
    Ok(())
}

/// Rules of the end-entity certificate.
pub(crate) fn check_end_entity(
    cert: &ParsedCert,
    rules: LeafRules,
) -> Result<(), CertificateError> {
    let role = CertRole::EndEntity;
    let no = |rule| Err(refuse(cert, role, rule));
    if cert.aki().is_none() {
        return no(ProfileRule::MissingAuthorityKeyId);
    }
    if cert.name_constraints.is_some() {
        return no(ProfileRule::NameConstraintsInEndEntity);
    }
    if let Some(critical) = cert.extension(oid::SUBJECT_ALT_NAME) {
        match (cert.subject_is_empty(), critical) {
            (false, true) => return no(ProfileRule::SanCriticalWithSubject),
            (true, false) => return no(ProfileRule::SanNotCriticalWithEmptySubject),
            _ => {}
        }
    }
    // The Baseline Requirements' subscriber profile is for server leaves;
    // a CA certificate in the end-entity position (allowed by RFC 5280
    // section 6.1) follows the CA profile instead, where extendedKeyUsage
    // is optional and the commonName names the CA.
    if rules != LeafRules::Server || cert.is_ca() {
        return Ok(());
    }
    match (cert.eku(), cert.extension(oid::EXT_KEY_USAGE)) {
        (None, _) => return no(ProfileRule::MissingExtendedKeyUsage),
        (Some(eku), _) if eku.contains(&oid::ANY_EXTENDED_KEY_USAGE) => {
            return no(ProfileRule::AnyExtendedKeyUsage)
        }
        (_, Some(true)) => return no(ProfileRule::CriticalExtendedKeyUsage),
        _ => {}
    }
    if let Some(name) = cert.san_dns().find(|n| is_wildcard_over_public_suffix(n)) {
        return no(ProfileRule::WildcardOverPublicSuffix {
            name: name.to_string(),
        });
    }
    for cn in cert.common_names() {
        // Character for character for DNS names; the canonical text form
        // (RFC 3986 dotted decimal, RFC 5952) for IP addresses.
        let listed =
            cert.san_dns().any(|d| d == cn) || cert.san_ip().any(|ip| ip.to_string() == cn);
        if !listed {
            return no(ProfileRule::CommonNameNotInSan {
                common_name: cn.into_owned(),
            });
        }
    }
    Ok(())
}

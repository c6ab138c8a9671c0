//! Certificate policies (RFC 5280 sections 4.2.1.4, 4.2.1.5, 4.2.1.11,
//! 4.2.1.14 and 6.1): what we process, what we refuse, and why that is
//! exactly the RFC's outcome for the inputs we validate with.
//!
//! We run the path validation algorithm with the inputs the web PKI uses
//! (section 6.1.1): user-initial-policy-set = {anyPolicy},
//! initial-explicit-policy, initial-policy-mapping-inhibit and
//! initial-any-policy-inhibit all false. With those inputs, section 6.1.6
//! declares the path valid when explicit_policy is still above zero at the
//! end, whatever the valid_policy_tree holds. So:
//!
//! - explicit_policy is computed exactly (sections 6.1.2 d, 6.1.4 h and i,
//!   6.1.5 a and b); it needs only requireExplicitPolicy. If it reaches
//!   zero, the outcome depends on the valid_policy_tree, which we do not
//!   build: the path is refused ([`CertificateError::Policy`]) rather than
//!   accepted on a guess.
//! - A critical certificatePolicies extension must be interpretable,
//!   "including the optional qualifier" (section 4.2.1.4): it is decoded,
//!   each policy may appear once, and only the two qualifiers RFC 5280
//!   defines (id-qt-cps, id-qt-unotice) are allowed. Since no policy set is
//!   enforced, any policy it lists is honoured. A non-critical one cannot
//!   change the outcome and is not decoded.
//! - policyMappings may not map to or from anyPolicy (section 6.1.4 a);
//!   otherwise mappings, inhibitPolicyMapping and inhibitAnyPolicy only
//!   shape the tree, so once decoded they cannot change the outcome.
//! - An empty policyConstraints is refused (section 4.2.1.11: "MUST NOT").
//!
//! Trust anchors are inputs (section 6.1.1 d): their policy extensions are
//! not processed.

use x509_cert::der::asn1::ObjectIdentifier;
use x509_cert::der::Decode;
use x509_cert::ext::pkix::{CertificatePolicies, PolicyConstraints, PolicyMappings};

use super::error::CertificateError;
use super::parse::ParsedCert;

const ANY_POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.32.0");
const QT_CPS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.2.1");
const QT_UNOTICE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.2.2");

/// Why decoding a policy extension failed.
pub(crate) enum PolicyIssue {
    /// The DER does not decode.
    Decode(x509_cert::der::Error),
    /// It decodes, but we refuse it (see the module docs).
    Refuse(String),
}

impl From<x509_cert::der::Error> for PolicyIssue {
    fn from(e: x509_cert::der::Error) -> Self {
        PolicyIssue::Decode(e)
    }
}

/// Checks a critical certificatePolicies extension.
pub(crate) fn certificate_policies(value: &[u8]) -> Result<(), PolicyIssue> {
    let policies = CertificatePolicies::from_der(value)?;
    for (i, p) in policies.0.iter().enumerate() {
        if policies
            .0
            .iter()
            .take(i)
            .any(|q| q.policy_identifier == p.policy_identifier)
        {
            return Err(PolicyIssue::Refuse(format!(
                "policy {} appears twice in certificatePolicies",
                p.policy_identifier
            )));
        }
        for q in p.policy_qualifiers.iter().flatten() {
            if q.policy_qualifier_id != QT_CPS && q.policy_qualifier_id != QT_UNOTICE {
                return Err(PolicyIssue::Refuse(format!(
                    "critical certificatePolicies has policy qualifier {}, which we cannot interpret",
                    q.policy_qualifier_id
                )));
            }
        }
    }
    Ok(())
}

/// Checks a policyMappings extension.
pub(crate) fn policy_mappings(value: &[u8]) -> Result<(), PolicyIssue> {
    let maps = PolicyMappings::from_der(value)?;
    if maps
        .0
        .iter()
        .any(|m| m.issuer_domain_policy == ANY_POLICY || m.subject_domain_policy == ANY_POLICY)
    {
        return Err(PolicyIssue::Refuse(
            "policyMappings maps to or from anyPolicy (RFC 5280 section 6.1.4 a)".into(),
        ));
    }
    Ok(())
}

/// Decodes a policyConstraints extension; returns requireExplicitPolicy.
pub(crate) fn policy_constraints(value: &[u8]) -> Result<Option<u32>, PolicyIssue> {
    let pc = PolicyConstraints::from_der(value)?;
    if pc.require_explicit_policy.is_none() && pc.inhibit_policy_mapping.is_none() {
        return Err(PolicyIssue::Refuse("policyConstraints is empty".into()));
    }
    Ok(pc.require_explicit_policy)
}

/// Decodes an inhibitAnyPolicy extension (an INTEGER).
pub(crate) fn inhibit_any_policy(value: &[u8]) -> Result<(), PolicyIssue> {
    u32::from_der(value)?;
    Ok(())
}

/// Runs explicit_policy down `certs` (end entity first, trust anchor
/// excluded) and refuses the path if it reaches zero.
pub(crate) fn check_explicit_policy(certs: &[&ParsedCert]) -> Result<(), CertificateError> {
    let n = certs.len();
    // Section 6.1.2 (d): n + 1 without initial-explicit-policy.
    let mut explicit = u64::try_from(n).unwrap_or(u64::MAX).saturating_add(1);
    // The certificate whose requireExplicitPolicy last lowered it: without
    // one, n decrements leave explicit_policy at 1 or more.
    let mut source: Option<&ParsedCert> = None;
    // From the certificate next to the anchor down to the end entity.
    for (i, cert) in certs.iter().rev().enumerate() {
        let last = i + 1 == n;
        let require = cert.require_explicit_policy.map(u64::from);
        if !last {
            // Section 6.1.4 (h) and (i).
            if !cert.is_self_issued() {
                explicit = explicit.saturating_sub(1);
            }
            if let Some(r) = require.filter(|&r| r < explicit) {
                explicit = r;
                source = Some(cert);
            }
        } else {
            // Section 6.1.5 (a) and (b).
            explicit = explicit.saturating_sub(1);
            if require == Some(0) {
                explicit = 0;
                source = Some(cert);
            }
        }
        if explicit == 0 {
            return Err(CertificateError::Policy {
                subject: source.unwrap_or(cert).subject_str(),
                reason: "the path requires an explicit certificate policy \
                         (policyConstraints requireExplicitPolicy), and policy-tree \
                         processing is not supported"
                    .into(),
            });
        }
    }
    Ok(())
}

//! Path building: from the end entity through the supplied intermediates to a
//! trust anchor, with backtracking and hard bounds on depth and work.
//!
//! The search checks only what is cheap and local to one issuer (signature,
//! validity, CA flag, key usage, path length). Name constraints and policy
//! are checked once a candidate path reaches a trust anchor with every
//! signature verified, so a chain an attacker made up never gets its
//! constraints evaluated, and those checks draw on one comparison budget for
//! the whole verification. A path that fails them lets the search go on.

use x509_cert::der::asn1::ObjectIdentifier;

use super::anchor::check_anchor;
use super::chain::KeyPurpose;
use super::constraints::{self, Budget};
use super::error::CertificateError;
use super::keys::check_key;
use super::options::VerifyOptions;
use super::parse::{oid, ParsedCert};
use super::policy::check_explicit_policy;
use super::profile::{check_ca, check_common, LeafRules};
use super::rule::CertRole;
use super::signature::{
    signature_algorithm, signature_algorithm_name, verify_cert_signature,
    verify_cert_signature_by_anchor, SigFailure,
};
use super::time::rfc3339;
/// Most intermediates of any kind on a path, whatever
/// `max_intermediates` allows, so self-issued certificates stay bounded.
const MAX_INTERMEDIATES_HARD: usize = 16;

/// Most candidate issuers examined (each costs a signature check, which
/// bounds the search to about 100 signature verifications; name checks are
/// bounded separately by [`constraints::NAME_CONSTRAINT_BUDGET`]).
pub(crate) const MAX_WORK: u32 = 100;

/// Checks notBefore <= now <= notAfter.
pub(crate) fn check_validity(cert: &ParsedCert, now: u64) -> Result<(), CertificateError> {
    if now < cert.not_before {
        return Err(CertificateError::NotYetValid {
            subject: cert.subject_str(),
            not_before: rfc3339(cert.not_before),
            now: rfc3339(now),
        });
    }
    if now > cert.not_after {
        return Err(CertificateError::Expired {
            subject: cert.subject_str(),
            not_after: rfc3339(cert.not_after),
            now: rfc3339(now),
        });
    }
    Ok(())
}

/// Checks an extendedKeyUsage, if present, allows `purpose`, or the key
/// purpose `custom` when one is configured. `allow_any` accepts
/// anyExtendedKeyUsage (for intermediates).
pub(crate) fn check_eku(
    cert: &ParsedCert,
    purpose: KeyPurpose,
    custom: Option<ObjectIdentifier>,
    allow_any: bool,
) -> Result<(), CertificateError> {
    let Some(eku) = cert.eku() else {
        return Ok(());
    };
    let (wanted, name) = match purpose {
        KeyPurpose::ServerAuth => (oid::KP_SERVER_AUTH, "serverAuth"),
        KeyPurpose::ClientAuth => (oid::KP_CLIENT_AUTH, "clientAuth"),
    };
    let wanted = custom.unwrap_or(wanted);
    if eku.contains(&wanted) || (allow_any && eku.contains(&oid::ANY_EXTENDED_KEY_USAGE)) {
        Ok(())
    } else if custom.is_some() {
        Err(CertificateError::ExtendedKeyUsageMissing {
            subject: cert.subject_str(),
            oid: wanted.to_string(),
        })
    } else {
        Err(CertificateError::InvalidPurpose {
            subject: cert.subject_str(),
            needed: name,
        })
    }
}

/// Where a path element came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Found {
    /// Index into the trust anchors.
    Anchor(usize),
}

/// Depth-first search for a path, remembering the most specific failure.
pub(crate) struct PathBuilder<'a> {
    pub anchors: &'a [ParsedCert<'a>],
    pub pool: &'a [ParsedCert<'a>],
    pub now: u64,
    pub purpose: KeyPurpose,
    options: &'a VerifyOptions,
    rules: LeafRules,
    work: u32,
    best: Option<CertificateError>,
    budget: Budget,
}

impl<'a> PathBuilder<'a> {
    /// A builder over `anchors` and the intermediate `pool`.
    pub(crate) fn new(
        anchors: &'a [ParsedCert<'a>],
        pool: &'a [ParsedCert<'a>],
        now: u64,
        purpose: KeyPurpose,
        options: &'a VerifyOptions,
        rules: LeafRules,
    ) -> Self {
        PathBuilder {
            anchors,
            pool,
            now,
            purpose,
            options,
            rules,
            work: 0,
            best: None,
            budget: Budget::new(),
        }
    }

    /// Finds a path for `leaf`: the pool indices of the intermediates (leaf
    /// side first) and the anchor index.
    pub(crate) fn build(
        mut self,
        leaf: &ParsedCert<'a>,
    ) -> Result<(Vec<usize>, usize), CertificateError> {
        let mut chain = Vec::new();
        match self.extend(leaf, &mut chain)? {
            Some(Found::Anchor(a)) => Ok((chain, a)),
            None => Err(self.best.unwrap_or(CertificateError::UnknownIssuer {
                subject: leaf.subject_str(),
                issuer: leaf.issuer_str(),
            })),
        }
    }

    fn note(&mut self, e: CertificateError) {
        let better = match &self.best {
            None => true,
            Some(b) => e.specificity() > b.specificity(),
        };
        if better {
            self.best = Some(e);
        }
    }

    fn spend(&mut self) -> Result<(), CertificateError> {
        self.work = self.work.saturating_add(1);
        if self.work > MAX_WORK {
            Err(CertificateError::PathBuildingExhausted)
        } else {
            Ok(())
        }
    }

    /// The certificate at the top of the partial path.
    fn top<'c>(&self, leaf: &'c ParsedCert<'a>, chain: &[usize]) -> Option<&'c ParsedCert<'a>>
    where
        'a: 'c,
    {
        match chain.last() {
            None => Some(leaf),
            Some(&i) => self.pool.get(i),
        }
    }

    /// The checks that need the whole path, run once it reached `anchor`:
    /// policy (cheap), then name constraints (budgeted).
    fn check_path(
        &mut self,
        leaf: &ParsedCert,
        chain: &[usize],
        anchor: &ParsedCert,
    ) -> Result<(), CertificateError> {
        let mut path: Vec<&ParsedCert> = Vec::with_capacity(chain.len().saturating_add(2));
        path.push(leaf);
        path.extend(chain.iter().filter_map(|&c| self.pool.get(c)));
        check_explicit_policy(&path)?;
        path.push(anchor);
        constraints::check_path(&path, &mut self.budget)
    }

    /// Tries to finish the path from its current top. `Err` aborts the whole
    /// search (work exhausted); `Ok(None)` means this branch failed.
    fn extend(
        &mut self,
        leaf: &ParsedCert<'a>,
        chain: &mut Vec<usize>,
    ) -> Result<Option<Found>, CertificateError> {
        let Some(current) = self.top(leaf, chain) else {
            return Ok(None);
        };
        let mut any_candidate = false;

        // Trust anchors first: the shortest path wins.
        for ai in order_by_hint(current, self.anchors) {
            let Some(anchor) = self.anchors.get(ai) else {
                continue;
            };
            any_candidate = true;
            self.spend()?;
            let checked = self
                .check_issuer(chain, current, anchor, true)
                .and_then(|()| self.check_path(leaf, chain, anchor));
            match checked {
                Ok(()) => return Ok(Some(Found::Anchor(ai))),
                // Out of budget: no other path may be tried either.
                Err(e @ CertificateError::NameConstraintBudgetExceeded { .. }) => return Err(e),
                Err(e) => self.note(e),
            }
        }

        for pi in order_by_hint(current, self.pool) {
            let Some(cand) = self.pool.get(pi) else {
                continue;
            };
            // Loops: the same entity (name and key) must not appear twice.
            let seen = same_entity(cand, leaf)
                || chain
                    .iter()
                    .filter_map(|&c| self.pool.get(c))
                    .any(|c| same_entity(c, cand));
            if seen {
                continue;
            }
            any_candidate = true;
            // Self-issued intermediates (key rollovers) do not count
            // against the depth, as they do not against pathLenConstraint;
            // a hard cap bounds them all the same.
            let depth = chain
                .iter()
                .filter_map(|&c| self.pool.get(c))
                .chain(std::iter::once(cand))
                .filter(|c| !c.is_self_issued())
                .count();
            let max = self.options.max_intermediates;
            if depth > max || chain.len() >= max.max(MAX_INTERMEDIATES_HARD) {
                self.note(CertificateError::ChainTooLong {
                    max_intermediates: max,
                });
                continue;
            }
            self.spend()?;
            if let Err(e) = self.check_issuer(chain, current, cand, false) {
                self.note(e);
                continue;
            }
            chain.push(pi);
            if let Some(found) = self.extend(leaf, chain)? {
                return Ok(Some(found));
            }
            chain.pop();
        }

        if !any_candidate {
            self.note(CertificateError::UnknownIssuer {
                subject: current.subject_str(),
                issuer: current.issuer_str(),
            });
        }
        Ok(None)
    }

    /// Can `issuer` issue `current`, which sits on top of the leaf + `chain`?
    fn check_issuer(
        &self,
        chain: &[usize],
        current: &ParsedCert,
        issuer: &ParsedCert,
        is_anchor: bool,
    ) -> Result<(), CertificateError> {
        // A key the profile forbids is named as such, rather than as the
        // signature failure that a key we cannot use would give.
        check_key(
            issuer,
            if is_anchor {
                CertRole::TrustAnchor
            } else {
                CertRole::Intermediate
            },
        )?;
        if let Some(allowed) = &self.options.signature_algorithms {
            let ok = signature_algorithm(current.sig_alg()).is_some_and(|a| allowed.contains(&a));
            if !ok {
                return Err(CertificateError::UnsupportedSignatureAlgorithm {
                    subject: current.subject_str(),
                    algorithm: format!(
                        "{} (not among the allowed signature algorithms)",
                        signature_algorithm_name(current.sig_alg())
                    ),
                });
            }
        }
        let verified = match is_anchor {
            true => verify_cert_signature_by_anchor(issuer, current),
            false => verify_cert_signature(issuer, current),
        };
        verified.map_err(|f| match f {
            SigFailure::Bad => CertificateError::BadSignature {
                subject: current.subject_str(),
            },
            SigFailure::Unsupported(algorithm) => CertificateError::UnsupportedSignatureAlgorithm {
                subject: current.subject_str(),
                algorithm,
            },
        })?;

        if is_anchor {
            check_anchor(issuer, self.now, self.rules)?;
        } else {
            issuer.check_critical()?;
            check_validity(issuer, self.now)?;
            if !issuer.is_ca() {
                return Err(CertificateError::NotCa {
                    subject: issuer.subject_str(),
                });
            }
            if let Some(ku) = &issuer.key_usage {
                if !ku.key_cert_sign() {
                    return Err(CertificateError::KeyUsage {
                        subject: issuer.subject_str(),
                        needed: "keyCertSign",
                    });
                }
            }
            check_eku(
                issuer,
                self.purpose,
                self.options.extended_key_usage_oid(),
                true,
            )?;
            if self.rules != LeafRules::PathOnly {
                check_ca(issuer, CertRole::Intermediate)?;
                check_common(issuer, CertRole::Intermediate)?;
            }
        }
        if let Some(bc) = &issuer.basic_constraints {
            if let Some(max) = bc.path_len_constraint {
                // Intermediates below this issuer; self-issued ones do not
                // count (RFC 5280 section 6.1.4 (l)).
                let below = chain
                    .iter()
                    .filter_map(|&c| self.pool.get(c))
                    .filter(|c| !c.is_self_issued())
                    .count();
                if below > usize::from(max) {
                    return Err(CertificateError::PathLenExceeded {
                        subject: issuer.subject_str(),
                    });
                }
            }
        }
        Ok(())
    }
}

/// Same subject and same public key: the same CA, whatever the serial.
fn same_entity(a: &ParsedCert, b: &ParsedCert) -> bool {
    a.subject() == b.subject() && a.spki() == b.spki()
}

/// Indices of the certificates in `pool` whose subject is `cert`'s issuer,
/// those whose subjectKeyIdentifier matches `cert`'s authorityKeyIdentifier
/// first, each group in pool order: two passes over the pool rather than a
/// sorted list, so choosing issuers allocates nothing.
fn order_by_hint<'p>(
    cert: &'p ParsedCert<'_>,
    pool: &'p [ParsedCert<'_>],
) -> impl Iterator<Item = usize> + 'p {
    let pass = move |mismatched: bool| {
        pool.iter()
            .enumerate()
            .filter(move |(_, c)| {
                let mismatch = match (cert.aki(), c.ski()) {
                    (Some(aki), Some(ski)) => aki != ski,
                    _ => false,
                };
                mismatch == mismatched && c.subject() == cert.issuer()
            })
            .map(|(i, _)| i)
    };
    pass(false).chain(pass(true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};

    /// The candidate issuers are those named by the issuer, the one whose
    /// subjectKeyIdentifier is the authorityKeyIdentifier first, the others
    /// in pool order; a certificate of another subject is none.
    #[test]
    fn issuers_come_key_identifier_first_then_in_pool_order() {
        let ca = |cn: &str| {
            let mut p = CertificateParams::default();
            p.distinguished_name.push(DnType::CommonName, cn);
            p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            let key = KeyPair::generate().expect("key");
            let cert = p.self_signed(&key).expect("ca");
            (cert, key)
        };
        // Three CAs of one name (different keys), one of another name.
        let cas = [ca("CA"), ca("CA"), ca("Other"), ca("CA")];
        let mut leaf = CertificateParams::new(vec!["example.com".into()]).expect("params");
        leaf.use_authority_key_identifier_extension = true;
        let (by, by_key) = &cas[3];
        let leaf = leaf
            .signed_by(&KeyPair::generate().expect("key"), by, by_key)
            .expect("leaf");
        let leaf = ParsedCert::parse(leaf.der()).expect("parses");
        let pool: Vec<ParsedCert<'_>> = cas
            .iter()
            .map(|(c, _)| ParsedCert::parse(c.der()).expect("parses"))
            .collect();
        assert!(leaf.aki().is_some() && leaf.aki() == pool[3].ski());
        assert_eq!(order_by_hint(&leaf, &pool).collect::<Vec<_>>(), [3, 0, 1]);
        assert_eq!(order_by_hint(&leaf, &pool[..2]).collect::<Vec<_>>(), [0, 1]);
        assert_eq!(order_by_hint(&pool[2], &pool).collect::<Vec<_>>(), [2]);
    }
}

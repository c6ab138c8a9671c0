//! Chain verification without a handshake: path building from an end
//! entity through intermediates to a trust anchor, every check of RFC 5280
//! and the profile on the way (the verifiers of verify.rs run the same
//! [`verify_core`] through the verified-chain cache).

use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

use super::chain_cache::Window;
use super::error::CertificateError;
use super::keys::check_key;
use super::names::{check_email, check_server_name};
use super::options::VerifyOptions;
use super::parse::ParsedCert;
use super::path::{check_eku, check_validity, PathBuilder};
use super::profile::{check_common, check_end_entity, LeafRules};
use super::roots::RootStore;
use super::rule::CertRole;

/// What the end-entity certificate must be good for (extendedKeyUsage).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPurpose {
    /// TLS server authentication (id-kp-serverAuth).
    ServerAuth,
    /// TLS client authentication (id-kp-clientAuth).
    ClientAuth,
}

/// A validated certification path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedPath {
    certs: Vec<CertificateDer<'static>>,
    /// When the same verification would succeed again (for the
    /// verified-chain cache): within the validity periods of every
    /// certificate of the path and between the moments a consulted CRL
    /// starts or stops being current.
    window: Window,
}

impl VerifiedPath {
    /// The DER certificates of the path: end entity first, trust anchor last.
    pub fn certificates(&self) -> &[CertificateDer<'static>] {
        &self.certs
    }
}

/// Standalone verification, usable without a handshake.
///
/// Builds a path from `end_entity` through any of `intermediates` (in any
/// order; extras are ignored) to a trust anchor in `roots`, checking
/// signatures, validity at `now`, basicConstraints, keyUsage,
/// extendedKeyUsage for `purpose`, critical extensions, name constraints
/// and the certificate profile of RFC 5280 and the CA/Browser Forum
/// Baseline Requirements (every rule is listed in the [`pki`](super) module
/// docs; a [`CertificateError::Profile`] names the certificate, its place
/// on the path and the rule). When `name` is given, the end entity must
/// carry a matching DNS or IP subjectAltName.
///
/// The trust anchor is checked as a certificate too: it must be current, a
/// CA with a critical basicConstraints, a subjectKeyIdentifier, no unknown
/// critical extension and (Baseline Requirements) no extendedKeyUsage; its
/// pathLenConstraint and name constraints apply; its policy extensions are
/// not processed (RFC 5280 section 6.1.1 d). Path building is bounded (at
/// most 8 intermediates by default, 100 candidate issuers examined) and
/// reports the most specific failure among the candidates it tried.
///
/// Name constraints (on dNSName, iPAddress, directoryName, rfc822Name and
/// URI names; a constraint on another form refuses a certificate holding a
/// name of that form) and certificate policies are checked only on a
/// candidate path that reached a trust anchor with every signature verified,
/// and all name comparisons of one call share a budget of 250,000: beyond
/// it the call fails with [`CertificateError::NameConstraintBudgetExceeded`].
/// Policies are validated with the initial policy set anyPolicy and no
/// explicit policy required; a path whose policyConstraints require an
/// explicit policy is refused ([`CertificateError::Policy`]).
///
/// Revocation is not checked; see [`verify_chain_with`].
///
/// # Example
///
/// ```
/// use lctls::pki::{verify_chain, CertificateDer, KeyPurpose, RootStore, ServerName, UnixTime};
/// use rustls_pki_types::pem::PemObject;
///
/// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");
/// let mut roots = RootStore::new();
/// roots.add_pem_file(format!("{dir}/ca.pem"))?;
///
/// // server.pem holds the leaf, then the intermediate.
/// let chain = CertificateDer::pem_file_iter(format!("{dir}/server.pem"))
///     .expect("readable")
///     .collect::<Result<Vec<_>, _>>()
///     .expect("valid PEM");
/// let (leaf, intermediates) = chain.split_first().expect("non-empty");
///
/// let name = ServerName::try_from("localhost").expect("valid name");
/// let path = verify_chain(
///     &roots,
///     leaf,
///     intermediates,
///     Some(&name),
///     UnixTime::now(),
///     KeyPurpose::ServerAuth,
/// )?;
/// assert_eq!(path.certificates().len(), 3); // leaf, intermediate, root
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify_chain(
    roots: &RootStore,
    end_entity: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
    name: Option<&ServerName<'_>>,
    now: UnixTime,
    purpose: KeyPurpose,
) -> Result<VerifiedPath, CertificateError> {
    verify_chain_with(
        roots,
        end_entity,
        intermediates,
        name,
        now,
        purpose,
        &VerifyOptions::default(),
    )
}

/// [`verify_chain`] with extra checks from `options`.
///
/// Revocation, when configured, is checked on the path that path building
/// chose, after every other check passed: a revoked certificate gives
/// [`CertificateError::Revoked`], a certificate without an applicable,
/// current CRL gives [`CertificateError::RevocationStatusUnknown`] when
/// [`UnknownStatus::Deny`](super::UnknownStatus::Deny) is set.
pub fn verify_chain_with(
    roots: &RootStore,
    end_entity: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
    name: Option<&ServerName<'_>>,
    now: UnixTime,
    purpose: KeyPurpose,
    options: &VerifyOptions,
) -> Result<VerifiedPath, CertificateError> {
    let anchors = roots.anchors();
    let v = verify_core(
        anchors,
        end_entity,
        intermediates,
        name,
        now,
        purpose,
        options,
    )?;
    let mut certs = Vec::with_capacity(v.chain.len().saturating_add(2));
    certs.push(CertificateDer::from(v.leaf.der.into_owned()));
    for i in v.chain {
        if let Some(c) = v.pool.get(i) {
            certs.push(CertificateDer::from(c.der.to_vec()));
        }
    }
    if let Some(a) = anchors.get(v.anchor) {
        certs.push(CertificateDer::from(a.der.to_vec()));
    }
    Ok(VerifiedPath {
        certs,
        window: v.window,
    })
}

/// [`verify_chain_with`] for a handshake, which needs only the window the
/// answer holds for: no copy of the path's certificates.
pub(crate) fn verify_chain_window(
    roots: &RootStore,
    end_entity: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
    name: Option<&ServerName<'_>>,
    now: UnixTime,
    purpose: KeyPurpose,
    options: &VerifyOptions,
) -> Result<Window, CertificateError> {
    let anchors = roots.anchors();
    verify_core(
        anchors,
        end_entity,
        intermediates,
        name,
        now,
        purpose,
        options,
    )
    .map(|v| v.window)
}

/// What [`verify_core`] found: the decoded leaf and intermediates, the path
/// as indices into `pool` and the anchors, and its window.
struct Verified<'a> {
    leaf: ParsedCert<'a>,
    pool: Vec<ParsedCert<'a>>,
    chain: Vec<usize>,
    anchor: usize,
    window: Window,
}

/// The verification both [`verify_chain_with`] and [`verify_chain_window`] run.
/// The chain's certificates are decoded in place: `Verified` borrows them.
fn verify_core<'a>(
    anchors: &[ParsedCert<'static>],
    end_entity: &'a CertificateDer<'_>,
    intermediates: &'a [CertificateDer<'_>],
    name: Option<&ServerName<'_>>,
    now: UnixTime,
    purpose: KeyPurpose,
    options: &VerifyOptions,
) -> Result<Verified<'a>, CertificateError> {
    let now = now.as_secs();
    let leaf = ParsedCert::parse(end_entity.as_ref())?;
    // Undecodable extras are skipped (servers do send odd certificates); if
    // no path is found, the decoding error is reported instead of UnknownIssuer.
    let mut pool = Vec::with_capacity(intermediates.len());
    let mut decode_error = None;
    for c in intermediates {
        match ParsedCert::parse(c.as_ref()) {
            Ok(p) => pool.push(p),
            Err(e) => {
                decode_error.get_or_insert(e);
            }
        }
    }

    // A CA certificate may be the end entity when nothing else forbids it
    // (RFC 5280 section 6.1: cA=TRUE on the leaf is not an error, and its
    // pathLenConstraint means nothing there).
    leaf.check_critical()?;
    check_validity(&leaf, now)?;
    let rules = options.leaf_rules(purpose);
    if rules == LeafRules::PathOnly {
        check_key(&leaf, CertRole::EndEntity)?;
    } else {
        check_common(&leaf, CertRole::EndEntity)?;
        check_end_entity(&leaf, rules)?;
    }
    // anyExtendedKeyUsage allows any purpose (RFC 5280 section 4.2.1.12);
    // only the server profile refuses it (check_end_entity).
    check_eku(
        &leaf,
        purpose,
        options.extended_key_usage_oid(),
        rules != LeafRules::Server,
    )?;
    if let Some(ku) = &leaf.key_usage {
        if let Some(bit) = options.end_entity_key_usage.iter().find(|b| !b.is_set(ku)) {
            return Err(CertificateError::KeyUsage {
                subject: leaf.subject_str(),
                needed: bit.name(),
            });
        }
    }

    let (chain, anchor) = PathBuilder::new(anchors, &pool, now, purpose, options, rules)
        .build(&leaf)
        .map_err(|e| match (e, decode_error) {
            (CertificateError::UnknownIssuer { .. }, Some(d)) => d,
            (e, _) => e,
        })?;
    if let Some(name) = name {
        check_server_name(&leaf, name)?;
    }
    if let Some(email) = &options.email {
        check_email(&leaf, email)?;
    }
    let mut path: Vec<&ParsedCert> = Vec::with_capacity(chain.len().saturating_add(2));
    path.push(&leaf);
    path.extend(chain.iter().filter_map(|&i| pool.get(i)));
    path.extend(anchors.get(anchor));
    let mut window = Window::ALWAYS;
    for c in &path {
        window.narrow(c.not_before, c.not_after);
    }
    if let Some(rev) = &options.revocation {
        rev.check_path(&path, now)?;
        let (lo, hi) = rev.window(&path, now);
        window.narrow(lo, hi);
    }

    Ok(Verified {
        leaf,
        pool,
        chain,
        anchor,
        window,
    })
}

/// Checks that every certificate of `chain` decodes and is within its
/// validity period at `now`: the default of the verifiers'
/// `recheck_resumed` methods.
pub fn check_chain_validity(
    chain: &[CertificateDer<'_>],
    now: UnixTime,
) -> Result<(), CertificateError> {
    let now = now.as_secs();
    for c in chain {
        // The chain was verified in full when the session was made: only
        // the time has moved. The full decode runs only to name the
        // certificate in an error (it costs more than a resumed TLS 1.2
        // handshake's cryptography).
        match super::parse::validity_of(c.as_ref()) {
            Some((not_before, not_after)) if not_before <= now && now <= not_after => {}
            _ => check_validity(&ParsedCert::parse(c.as_ref())?, now)?,
        }
    }
    Ok(())
}

//! Certificate parsing (x509-cert) and path validation.
//!
//! [`verify_chain`] validates a chain against a [`RootStore`] as the web PKI
//! applies RFC 5280; [`verify_chain_with`] adds the knobs of
//! [`VerifyOptions`] (maximum depth, end-entity keyUsage bits, an explicit
//! extendedKeyUsage, allowed signature algorithms, an rfc822Name identity,
//! revocation); [`verify_tls13_signature`] checks a CertificateVerify
//! signature; [`ServerCertVerifier`] is what the handshake calls.
//!
//! # The certificate profile
//!
//! Beyond path validation (RFC 5280 section 6: signatures, validity,
//! basicConstraints, keyUsage, extendedKeyUsage, pathLenConstraint, name
//! constraints, policies, critical extensions), every certificate of a path
//! must follow the profile RFC 5280 section 4 and the CA/Browser Forum
//! Baseline Requirements (BR) set for CAs. A break is a
//! [`CertificateError::Profile`] naming the certificate, its [`CertRole`]
//! and the [`ProfileRule`] with its section, e.g. "intermediate 'CN=…'
//! lacks subjectKeyIdentifier (RFC 5280 4.2.1.2)". The rules:
//!
//! - Trust anchors are checked as certificates when a path reaches them:
//!   current (not expired), a critical basicConstraints asserting cA, keyUsage
//!   (if present) with keyCertSign and consistent with cA, no unknown critical
//!   extension, a subjectKeyIdentifier; a self-issued root also carries no
//!   extendedKeyUsage (BR 7.1.2.1.2) and an authorityKeyIdentifier, if any,
//!   equal to its own subjectKeyIdentifier and without issuer and serial
//!   (BR 7.1.2.1.3). A CA certificate trusted directly (an intermediate, a
//!   cross-signed root) keeps the extendedKeyUsage and issuer key
//!   identifier it was issued with.
//! - Key identifiers (RFC 5280 4.2.1.1, 4.2.1.2): never critical; every
//!   end entity and intermediate has an authorityKeyIdentifier (a CA
//!   certificate trusted directly need not: its issuer is never looked
//!   up), and an
//!   authorityKeyIdentifier always has its keyIdentifier; every CA
//!   certificate (root, intermediate, cross-signed root) a
//!   subjectKeyIdentifier.
//! - Names: the end entity's commonName, if any, is one of its
//!   subjectAltNames character for character (an IP address in canonical
//!   text form; BR 7.1.4.3); subjectAltName is critical exactly when the
//!   subject is empty (RFC 5280 4.2.1.6); every dNSName is in the preferred
//!   name syntax (letters, digits, hyphens; no underscore, no empty label);
//!   every rfc822Name is one mailbox (`local@domain`);
//!   no wildcard over a public suffix (BR 3.2.2.6), by the public suffix
//!   list of the `psl` crate.
//! - Name constraints (RFC 5280 4.2.1.10): only in CA certificates, with
//!   at least one subtree; dNSName subtrees are valid
//!   domain names (no leading period); a constrained form we cannot evaluate
//!   (otherName, ediPartyName, registeredID), permitted or excluded, refuses
//!   a certificate that has a name of that form.
//! - Other extensions: policyConstraints critical (RFC 5280 4.2.1.11);
//!   authorityInfoAccess decodes and is not critical (4.2.2.1);
//!   keyCertSign only with cA, and a CA certificate's keyUsage, if present,
//!   asserts keyCertSign, in the leaf position too (4.2.1.3, BR 7.1.2.7.8);
//!   a CA's subject is not empty (4.1.2.6); serial numbers are
//!   positive (4.1.2.2; over 20 octets fails decoding), except a trust
//!   anchor's: anchors are trusted by name and key, and roots in every
//!   store (Go Daddy and Starfield Root G2 among them) have serial 0.
//! - Keys (BR 6.1.5), on every certificate, trust anchor included: no DSA,
//!   no ECDSA P-192 or P-224, RSA moduli of at least 2048 bits and a whole
//!   number of octets.
//! - The end entity's extendedKeyUsage (BR 7.1.2.7.10): present, without
//!   anyExtendedKeyUsage, not critical; with the commonName rule above, this
//!   is the BR subscriber profile, which applies to end entities that are
//!   not CA certificates (a CA certificate in the leaf position follows the
//!   CA profile, where extendedKeyUsage is optional).
//! - CRLs (RFC 5280 5.2.3): a CRL without a non-critical cRLNumber is kept
//!   but never consulted, so the status it would give is unknown and follows
//!   [`UnknownStatus`].
//!
//! What RFC 5280 section 6.1 accepts is accepted: a CA certificate as the
//! end entity (its pathLenConstraint ignored there, and its keyUsage asking
//! for no digitalSignature: path validation requires no end-entity keyUsage
//! bit unless [`VerifyOptions::end_entity_key_usage`] names one, and the TLS
//! handshake refuses a signature by a key whose keyUsage forbids signing
//! wherever that key signs); self-issued
//! intermediates do not count against pathLenConstraint (nor against
//! [`VerifyOptions::max_intermediates`]), and their own names are exempt
//! from the name constraints above them.
//!
//! ## Choices where a rule is not applied as written
//!
//! - Client certificates ([`KeyPurpose::ClientAuth`]) are checked against
//!   RFC 5280 where it is looser than the BR, which are written for server
//!   certificates: the extendedKeyUsage may be absent (any purpose, RFC 5280
//!   4.2.1.12), critical, or hold anyExtendedKeyUsage, and the commonName
//!   need not be a subjectAltName (client certificates name people and
//!   services, e.g. `CN=lctls test client` with an rfc822Name or DNS SAN);
//!   public-suffix wildcards are not looked for; the trust anchor may carry
//!   extendedKeyUsage and any authorityKeyIdentifier (the BR root profile
//!   is for the web PKI; client-authentication roots are often private CAs
//!   that RFC 5280 alone governs). Every other rule applies.
//! - Wildcards: the ICANN section of the public suffix list counts, and so
//!   does an unlisted single label (`*.internal`, `*.corp`: private
//!   namespaces, where the list's implicit `*` rule applies). Entries of the
//!   list's private section (`github.io`, `blogspot.com`) do not: their
//!   operators legitimately hold wildcards for their own namespaces (GitHub
//!   Pages is served with `*.github.io`), and refusing them would break real
//!   sites without protecting anyone but the operator itself.
//! - nameConstraints may be non-critical in CA certificates: the BR allow
//!   it as an explicit exception to RFC 5280 (7.1.2.10.8: "MAY be marked
//!   non-critical if compatibility with certain legacy applications ... is
//!   necessary"), and a constraint we understand binds either way, so
//!   refusing it would only break constrained CAs that followed the BR.
//! - The BR commonName rule (7.1.4.3) is applied as written: character for
//!   character. Minimal test material often has `CN=example.com` next to
//!   other SANs (a wildcard, an IP address); such server leaves are refused.
//! - Trust anchor rules are checked when a path uses the anchor, not when it
//!   is added to a [`RootStore`]: one odd root in a system bundle must not
//!   break the paths that do not use it.
//! - [`VerifyOptions::dangerous_path_validation_only`] drops the profile
//!   (keeping path validation and the key rules), for test peers such as
//!   BoringSSL's runner that mint minimal certificates. The default never
//!   does.

mod anchor;
mod chain;
mod chain_cache;
mod constraints;
mod crl;
mod error;
mod fast_parse;
mod key_view;
mod keys;
mod layout;
mod names;
pub(crate) mod ocsp;
mod options;
mod parse;
mod path;
mod policy;
mod profile;
mod roots;
mod rule;
mod signature;
mod time;
mod verify;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_crl;

pub use chain::{check_chain_validity, verify_chain, verify_chain_with, KeyPurpose, VerifiedPath};
pub use chain_cache::{VerificationCacheStats, DEFAULT_VERIFICATION_CACHE_TTL};
pub use crl::{CrlSet, RevocationDepth, RevocationOptions, UnknownStatus};
pub use error::CertificateError;
pub(crate) use ocsp::check_staple;
pub use ocsp::{verify_ocsp_response, OcspFreshness, OcspPolicy, OCSP_CLOCK_SKEW_SECS};
pub use options::{KeyUsageBit, SignatureAlgorithm, VerifyOptions, DEFAULT_MAX_INTERMEDIATES};
pub use roots::{PlatformRootSources, RootStore};
pub use rule::{CertRole, ProfileRule};
pub use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
pub(crate) use signature::certificate_public_key;
pub use signature::{verify_tls12_signature, verify_tls13_signature};
pub use verify::{
    ClientCertVerifier, DefaultClientVerifier, DefaultServerVerifier, ServerCertVerifier,
};

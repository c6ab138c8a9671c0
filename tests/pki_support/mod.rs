//! Certificate-making helpers shared by the pki integration tests
//! (pki_corpus, hardening_pki): rcgen issuers, leaves, root stores and a
//! fixed verification time.
#![allow(dead_code)]

pub mod forge;
pub mod rules;
pub mod tools;

use std::net::IpAddr;
use std::time::Duration;

use lctls::pki::{
    verify_chain, CertificateDer, CertificateError, KeyPurpose, RootStore, ServerName, UnixTime,
    VerifiedPath,
};
use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, SanType,
};

/// 2025-06-15T15:06:40Z.
pub const NOW: u64 = 1_750_000_000;

pub fn at(secs: u64) -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(secs))
}

pub fn now() -> UnixTime {
    at(NOW)
}

pub struct Issuer {
    pub cert: rcgen::Certificate,
    pub key: KeyPair,
}

impl Issuer {
    pub fn der(&self) -> CertificateDer<'static> {
        self.cert.der().clone()
    }
}

/// Leaf parameters as a CA/Browser Forum server certificate has them:
/// authorityKeyIdentifier, extendedKeyUsage serverAuth and clientAuth, and
/// `cn` as commonName only when it is one of `sans` (Baseline Requirements
/// 7.1.4.3); otherwise `cn` names the leaf as its organizationName.
pub fn params(cn: &str, sans: Vec<SanType>) -> CertificateParams {
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    let cn_is_san = sans.iter().any(|s| match s {
        SanType::DnsName(d) => d.as_str() == cn,
        SanType::IpAddress(ip) => ip.to_string() == cn,
        _ => false,
    });
    dn.push(
        if cn_is_san {
            DnType::CommonName
        } else {
            DnType::OrganizationName
        },
        cn,
    );
    p.distinguished_name = dn;
    p.subject_alt_names = sans;
    p.not_before = date_time_ymd(2024, 1, 1);
    p.not_after = date_time_ymd(2027, 1, 1);
    p.use_authority_key_identifier_extension = true;
    p.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    p
}

/// CA parameters: commonName `cn`, basicConstraints cA (critical), and the
/// key identifiers RFC 5280 4.2.1.1 and 4.2.1.2 require (rcgen adds the
/// subjectKeyIdentifier of a CA itself).
pub fn ca_params(cn: &str) -> CertificateParams {
    let mut p = params(cn, vec![]);
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, cn);
    p.distinguished_name = dn;
    p.extended_key_usages = vec![];
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p
}

pub fn self_signed(p: CertificateParams, key: KeyPair) -> Issuer {
    let cert = p.self_signed(&key).expect("root");
    Issuer { cert, key }
}

pub fn root(cn: &str) -> Issuer {
    self_signed(ca_params(cn), KeyPair::generate().expect("key"))
}

pub fn ca_with_key(p: CertificateParams, key: KeyPair, by: &Issuer) -> Issuer {
    let cert = p.signed_by(&key, &by.cert, &by.key).expect("ca");
    Issuer { cert, key }
}

pub fn ca(p: CertificateParams, by: &Issuer) -> Issuer {
    ca_with_key(p, KeyPair::generate().expect("key"), by)
}

pub fn dns(s: &str) -> SanType {
    SanType::DnsName(s.try_into().expect("ia5"))
}

pub fn ip(s: &str) -> SanType {
    SanType::IpAddress(s.parse::<IpAddr>().expect("ip"))
}

pub fn leaf_with(p: CertificateParams, key: &KeyPair, by: &Issuer) -> CertificateDer<'static> {
    p.signed_by(key, &by.cert, &by.key)
        .expect("leaf")
        .der()
        .clone()
}

pub fn leaf_p(p: CertificateParams, by: &Issuer) -> CertificateDer<'static> {
    leaf_with(p, &KeyPair::generate().expect("key"), by)
}

pub fn leaf(sans: Vec<SanType>, by: &Issuer) -> CertificateDer<'static> {
    leaf_p(params("leaf", sans), by)
}

pub fn store(roots: &[&Issuer]) -> RootStore {
    let mut s = RootStore::new();
    for r in roots {
        s.add(r.der()).expect("add root");
    }
    s
}

pub fn name(s: &str) -> ServerName<'static> {
    ServerName::try_from(s.to_string()).expect("server name")
}

pub fn verify_at(
    roots: &RootStore,
    leaf: &CertificateDer<'_>,
    ints: &[CertificateDer<'_>],
    host: &str,
    t: UnixTime,
) -> Result<VerifiedPath, CertificateError> {
    verify_chain(
        roots,
        leaf,
        ints,
        Some(&name(host)),
        t,
        KeyPurpose::ServerAuth,
    )
}

pub fn verify(
    roots: &RootStore,
    leaf: &CertificateDer<'_>,
    ints: &[CertificateDer<'_>],
    host: &str,
) -> Result<VerifiedPath, CertificateError> {
    verify_at(roots, leaf, ints, host, now())
}

/// Root + intermediate, the store trusting the root.
pub struct CorpusPki {
    pub root: Issuer,
    pub int: Issuer,
    pub roots: RootStore,
}

pub fn corpus_pki() -> CorpusPki {
    let root = root("Corpus Root");
    let int = ca(ca_params("Corpus Intermediate"), &root);
    let roots = store(&[&root]);
    CorpusPki { root, int, roots }
}

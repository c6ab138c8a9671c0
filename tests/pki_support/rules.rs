//! The corpus harness of pki_rules*.rs: one case is a reason, a passing
//! and a failing verification, and the exact error; a root, an
//! intermediate and a good leaf to edit.
#![allow(dead_code)]

use lctls::pki::{
    verify_chain, CertRole, CertificateDer, CertificateError, KeyPurpose, ProfileRule, RootStore,
    VerifiedPath,
};
use rcgen::{CertificateParams, DistinguishedName, DnType, SanType};

use super::forge::{resign, tlv};
use super::*;

pub type Res = Result<VerifiedPath, CertificateError>;

pub fn v(roots: &RootStore, leaf: &CertificateDer<'_>, ints: &[CertificateDer<'_>]) -> Res {
    v_as(roots, leaf, ints, "example.com", KeyPurpose::ServerAuth)
}

pub fn v_as(
    roots: &RootStore,
    leaf: &CertificateDer<'_>,
    ints: &[CertificateDer<'_>],
    host: &str,
    purpose: KeyPurpose,
) -> Res {
    verify_chain(roots, leaf, ints, Some(&name(host)), now(), purpose)
}

/// One corpus case: `pass` must verify, `fail` must fail with `want`.
#[track_caller]
pub fn case(reason: &str, pass: Res, fail: Res, want: CertificateError) {
    if let Err(e) = &pass {
        panic!("{reason}: the passing certificate was refused: {e}");
    }
    assert_eq!(fail.err(), Some(want), "{reason}");
}

pub fn profile(role: CertRole, subject: &str, rule: ProfileRule) -> CertificateError {
    CertificateError::Profile {
        role,
        subject: subject.into(),
        rule,
    }
}

pub const EE: CertRole = CertRole::EndEntity;
pub const INT: CertRole = CertRole::Intermediate;
pub const TA: CertRole = CertRole::TrustAnchor;
pub const INT_NAME: &str = "CN=Rules Intermediate";
pub const ROOT_NAME: &str = "CN=Rules Root";

/// Root, intermediate, and a good leaf for example.com.
pub struct Pki {
    pub root: Issuer,
    pub int: Issuer,
    pub roots: RootStore,
    pub leaf: CertificateDer<'static>,
}

pub fn pki() -> Pki {
    let root = root("Rules Root");
    let int = ca(ca_params("Rules Intermediate"), &root);
    let roots = store(&[&root]);
    let leaf = leaf(vec![dns("example.com")], &int);
    Pki {
        root,
        int,
        roots,
        leaf,
    }
}

impl Pki {
    pub fn ok(&self) -> Res {
        v(&self.roots, &self.leaf, &[self.int.der()])
    }

    /// The good leaf and intermediate under a root edited by `edit`.
    pub fn with_root(&self, edit: impl FnOnce(&mut x509_cert::TbsCertificate)) -> Res {
        let edited = resign(&self.root.der(), &self.root, edit);
        let mut roots = RootStore::new();
        roots.add(edited).expect("add");
        v(&roots, &self.leaf, &[self.int.der()])
    }

    /// The good leaf under an intermediate edited by `edit`.
    pub fn with_int(&self, edit: impl FnOnce(&mut x509_cert::TbsCertificate)) -> Res {
        let edited = resign(&self.int.der(), &self.root, edit);
        v(&self.roots, &self.leaf, &[edited])
    }

    /// The good leaf edited by `edit`.
    pub fn with_leaf(&self, edit: impl FnOnce(&mut x509_cert::TbsCertificate)) -> Res {
        let edited = resign(&self.leaf, &self.int, edit);
        v(&self.roots, &edited, &[self.int.der()])
    }

    /// A leaf from `p` under the intermediate.
    pub fn leaf_from(&self, p: CertificateParams) -> Res {
        v(&self.roots, &leaf_p(p, &self.int), &[self.int.der()])
    }
}

pub fn leaf_params(sans: Vec<SanType>) -> CertificateParams {
    params("leaf", sans)
}

pub fn named(cn: &str, sans: Vec<SanType>) -> CertificateParams {
    let mut p = params("leaf", sans);
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, cn);
    p.distinguished_name = dn;
    p
}

/// DER of SEQUENCE { [0] keyid } (+ `extra` fields).
pub fn aki_der(keyid: &[u8], extra: &[u8]) -> Vec<u8> {
    tlv(0x30, &[tlv(0x80, keyid), extra.to_vec()].concat())
}

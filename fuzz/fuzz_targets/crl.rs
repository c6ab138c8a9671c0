//! CRL parsing (`CrlSet::add_der`, `add_pem`) and its use in verification.
//!
//! Invariants: a parse error maps to an alert; an accepted CRL makes the set
//! hold exactly one CRL, and adding it again changes nothing; verifying the
//! valid test chain with that CRL ends in Ok or Revoked (unknown status
//! allowed), or also RevocationStatusUnknown when unknown is denied: a CRL
//! can only ever add a revocation failure, never another kind of error.
#![no_main]

use std::sync::Arc;

use lctls::pki::{
    verify_chain_with, CertificateError, CrlSet, KeyPurpose, RevocationDepth, RevocationOptions,
    ServerName, UnixTime, UnknownStatus, VerifyOptions,
};
use lctls_fuzz::{certs, pem, roots, NOW};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut set = CrlSet::new();
    match set.add_der(data) {
        Ok(()) => {
            assert_eq!(set.len(), 1);
            set.add_der(data).expect("the same CRL parses twice");
            assert_eq!(set.len(), 1, "a CRL added twice is kept twice");
            let chain = certs(pem::SERVER);
            let name = ServerName::try_from("localhost").expect("name");
            let now = UnixTime::since_unix_epoch(std::time::Duration::from_secs(NOW));
            let crls = Arc::new(set);
            for unknown in [UnknownStatus::Allow, UnknownStatus::Deny] {
                let opts = VerifyOptions::new().with_revocation(RevocationOptions {
                    crls: crls.clone(),
                    depth: RevocationDepth::WholeChain,
                    unknown_status: unknown,
                });
                let r = verify_chain_with(
                    &roots(),
                    &chain[0],
                    &chain[1..],
                    Some(&name),
                    now,
                    KeyPurpose::ServerAuth,
                    &opts,
                );
                match (r, unknown) {
                    (Ok(_), _) | (Err(CertificateError::Revoked { .. }), _) => {}
                    (
                        Err(CertificateError::RevocationStatusUnknown { .. }),
                        UnknownStatus::Deny,
                    ) => {}
                    (Err(e), _) => panic!("a CRL caused a non-revocation failure: {e:?}"),
                }
            }
        }
        Err(e) => {
            let e = lctls::Error::from(e);
            assert!(e.alert().is_some(), "CRL error without an alert: {e:?}");
        }
    }
    let mut set = CrlSet::new();
    if let Ok(n) = set.add_pem(data) {
        assert_eq!(n, set.len());
    }
});

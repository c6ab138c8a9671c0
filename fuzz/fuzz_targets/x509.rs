//! Certificate parsing and path validation: `verify_chain` on a fuzzed leaf
//! and intermediates against the test root, and `RootStore::add`.
//!
//! Input: a flag byte (purpose, whether a name is checked, whether the leaf
//! is also added as a root), then certificates as (u16 length, DER) items:
//! the first is the end entity, the rest are intermediates.
//!
//! Invariants: verification is deterministic (a second call gives the same
//! result); a verified path starts with the leaf, ends with a certificate of
//! the root store and passes only through given intermediates, with no
//! certificate twice; every failure maps to an alert (through `lctls::Error`).
#![no_main]

use lctls::pki::{verify_chain, CertificateDer, KeyPurpose, RootStore, ServerName, UnixTime};
use lctls_fuzz::{certs, pem, roots, NOW};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, mut rest)) = data.split_first() else {
        return;
    };
    let mut chain = Vec::new();
    while rest.len() >= 2 && chain.len() < 10 {
        let n = usize::from(u16::from_be_bytes([rest[0], rest[1]])).min(rest.len() - 2);
        chain.push(CertificateDer::from(&rest[2..2 + n]));
        rest = &rest[2 + n..];
    }
    let Some((leaf, inters)) = chain.split_first() else {
        return;
    };
    let purpose = if flags & 1 == 0 {
        KeyPurpose::ServerAuth
    } else {
        KeyPurpose::ClientAuth
    };
    let name = ServerName::try_from(if flags & 2 == 0 {
        "localhost"
    } else {
        "127.0.0.1"
    })
    .expect("name");
    let name = (flags & 4 == 0).then_some(&name);
    let now = UnixTime::since_unix_epoch(std::time::Duration::from_secs(NOW));

    let mut store = (*roots()).clone();
    if flags & 8 != 0 {
        // Whatever the leaf is, adding it as a root must not break anything.
        let _ = store.add(leaf.clone().into_owned());
    }
    let r = verify_chain(&store, leaf, inters, name, now, purpose);
    let again = verify_chain(&store, leaf, inters, name, now, purpose);
    assert_eq!(r, again, "verification is not deterministic");
    match r {
        Ok(path) => {
            let p = path.certificates();
            assert_eq!(p.first().map(|c| c.as_ref()), Some(leaf.as_ref()));
            let anchor = p.last().expect("non-empty");
            let ca = certs(pem::CA);
            let in_store = |c: &CertificateDer<'_>| {
                ca.iter().any(|r| r.as_ref() == c.as_ref())
                    || (flags & 8 != 0 && c.as_ref() == leaf.as_ref())
            };
            assert!(in_store(anchor), "path ends outside the root store");
            for mid in &p[1..p.len().saturating_sub(1)] {
                assert!(
                    inters.iter().any(|c| c.as_ref() == mid.as_ref()),
                    "path uses a certificate nobody gave"
                );
            }
            for (i, a) in p.iter().enumerate() {
                assert!(!p[i + 1..].contains(a), "certificate twice in a path");
            }
        }
        Err(e) => {
            let e = lctls::Error::from(e);
            assert!(
                e.alert().is_some(),
                "certificate error without an alert: {e:?}"
            );
        }
    }
    // Parsing as a root alone.
    let _ = RootStore::new().add(leaf.clone().into_owned());
});

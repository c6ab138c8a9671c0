//! The pki corpus (see pki_corpus.rs) for revocation and root loading:
//! CRLs on the path, and root stores from PEM, DER and directories.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use lctls::pki::{
    verify_chain_with, CertificateDer, CertificateError, ClientCertVerifier, CrlSet,
    DefaultClientVerifier, DefaultServerVerifier, KeyPurpose, PlatformRootSources, RevocationDepth,
    RevocationOptions, RootStore, ServerCertVerifier, UnixTime, UnknownStatus, VerifiedPath,
    VerifyOptions,
};
use lctls::proto::enums::AlertDescription;
use rcgen::{
    date_time_ymd, CertificateParams, CertificateRevocationListParams, KeyIdMethod,
    RevokedCertParams, SerialNumber,
};

mod pki_support;
use pki_support::*;

// -------------------------------------------------------------------- CRLs

fn crl(by: &Issuer, revoked: &[u64], this_update: (i32, u8), next_update: (i32, u8)) -> Vec<u8> {
    CertificateRevocationListParams {
        this_update: date_time_ymd(this_update.0, this_update.1, 1),
        next_update: date_time_ymd(next_update.0, next_update.1, 1),
        crl_number: SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: revoked
            .iter()
            .map(|&s| RevokedCertParams {
                serial_number: SerialNumber::from(s),
                revocation_time: date_time_ymd(2025, 1, 1),
                reason_code: None,
                invalidity_date: None,
            })
            .collect(),
        key_identifier_method: KeyIdMethod::Sha256,
    }
    .signed_by(&by.cert, &by.key)
    .expect("crl")
    .der()
    .as_ref()
    .to_vec()
}

fn current_crl(by: &Issuer, revoked: &[u64]) -> Vec<u8> {
    crl(by, revoked, (2025, 6), (2025, 7))
}

fn with_serial(mut p: CertificateParams, serial: u64) -> CertificateParams {
    p.serial_number = Some(SerialNumber::from(serial));
    p
}

fn rev_opts(
    crls: &[Vec<u8>],
    depth: RevocationDepth,
    unknown_status: UnknownStatus,
) -> VerifyOptions {
    let mut set = CrlSet::new();
    for c in crls {
        set.add_der(c).expect("add crl");
    }
    VerifyOptions::new().with_revocation(RevocationOptions {
        crls: Arc::new(set),
        depth,
        unknown_status,
    })
}

/// Root, intermediate with serial 0x100, leaves with serials 0x200/0x201.
struct CrlPki {
    p: CorpusPki,
    int: Issuer,
    good: CertificateDer<'static>,
    revoked: CertificateDer<'static>,
}

fn crl_pki() -> CrlPki {
    let p = corpus_pki();
    let int = ca(with_serial(ca_params("CRL Intermediate"), 0x100), &p.root);
    let good = leaf_p(
        with_serial(params("good", vec![dns("example.com")]), 0x200),
        &int,
    );
    let revoked = leaf_p(
        with_serial(params("revoked", vec![dns("example.com")]), 0x201),
        &int,
    );
    CrlPki {
        p,
        int,
        good,
        revoked,
    }
}

fn verify_opts(
    c: &CrlPki,
    leaf: &CertificateDer<'_>,
    opts: &VerifyOptions,
    t: UnixTime,
) -> Result<VerifiedPath, CertificateError> {
    verify_chain_with(
        &c.p.roots,
        leaf,
        &[c.int.der()],
        Some(&name("example.com")),
        t,
        KeyPurpose::ServerAuth,
        opts,
    )
}

#[test]
fn crl_revoked_leaf() {
    let c = crl_pki();
    let crls = [current_crl(&c.int, &[0x201, 0x999])];
    let opts = rev_opts(&crls, RevocationDepth::EndEntityOnly, UnknownStatus::Deny);
    assert!(verify_opts(&c, &c.good, &opts, now()).is_ok());
    let err = verify_opts(&c, &c.revoked, &opts, now()).unwrap_err();
    assert_eq!(
        err,
        CertificateError::Revoked {
            subject: "O=revoked".into(),
            serial: "0201".into(),
        }
    );
    assert_eq!(err.alert(), AlertDescription::CertificateRevoked);
    // Without revocation options nothing is checked.
    assert!(verify(&c.p.roots, &c.revoked, &[c.int.der()], "example.com").is_ok());
    // Through the verifiers.
    let set = {
        let mut s = CrlSet::new();
        s.add_der(&crls[0]).expect("crl");
        Arc::new(s)
    };
    let rev = RevocationOptions::new(set);
    assert_eq!(rev.depth, RevocationDepth::WholeChain);
    assert_eq!(rev.unknown_status, UnknownStatus::Deny);
    let rev = RevocationOptions {
        unknown_status: UnknownStatus::Allow,
        ..rev
    };
    let roots = Arc::new(c.p.roots.clone());
    let sv = DefaultServerVerifier::new(roots.clone()).with_revocation(rev.clone());
    let ints = [c.int.der()];
    assert!(sv
        .verify_server_cert(&c.good, &ints, &name("example.com"), now())
        .is_ok());
    assert!(matches!(
        sv.verify_server_cert(&c.revoked, &ints, &name("example.com"), now()),
        Err(CertificateError::Revoked { .. })
    ));
    let cv = DefaultClientVerifier::optional(roots).with_revocation(rev);
    assert!(cv.verify_client_cert(&c.good, &ints, now()).is_ok());
    assert!(matches!(
        cv.verify_client_cert(&c.revoked, &ints, now()),
        Err(CertificateError::Revoked { .. })
    ));
}

#[test]
fn crl_revoked_intermediate_whole_chain_vs_end_entity() {
    let c = crl_pki();
    let crls = [current_crl(&c.int, &[]), current_crl(&c.p.root, &[0x100])];
    let whole = rev_opts(&crls, RevocationDepth::WholeChain, UnknownStatus::Deny);
    assert_eq!(
        verify_opts(&c, &c.good, &whole, now()),
        Err(CertificateError::Revoked {
            subject: "CN=CRL Intermediate".into(),
            serial: "0100".into(),
        })
    );
    let ee = rev_opts(&crls, RevocationDepth::EndEntityOnly, UnknownStatus::Deny);
    assert!(verify_opts(&c, &c.good, &ee, now()).is_ok());
    // The root's CRL not revoking the intermediate: whole chain passes.
    let crls = [current_crl(&c.int, &[]), current_crl(&c.p.root, &[0x101])];
    let whole = rev_opts(&crls, RevocationDepth::WholeChain, UnknownStatus::Deny);
    assert!(verify_opts(&c, &c.good, &whole, now()).is_ok());
    // No CRL from the root: the intermediate's status is unknown.
    let crls = [current_crl(&c.int, &[])];
    let whole = rev_opts(&crls, RevocationDepth::WholeChain, UnknownStatus::Deny);
    assert_eq!(
        verify_opts(&c, &c.good, &whole, now()),
        Err(CertificateError::RevocationStatusUnknown {
            subject: "CN=CRL Intermediate".into()
        })
    );
}

#[test]
fn crl_expired_or_foreign_counts_as_missing() {
    let c = crl_pki();
    // Expired (nextUpdate 2025-03-01) and not yet valid (thisUpdate 2025-07-01).
    for crl in [
        crl(&c.int, &[0x201], (2025, 2), (2025, 3)),
        crl(&c.int, &[0x201], (2025, 7), (2025, 8)),
    ] {
        let allow = rev_opts(
            std::slice::from_ref(&crl),
            RevocationDepth::EndEntityOnly,
            UnknownStatus::Allow,
        );
        assert!(verify_opts(&c, &c.revoked, &allow, now()).is_ok());
        let deny = rev_opts(&[crl], RevocationDepth::EndEntityOnly, UnknownStatus::Deny);
        let err = verify_opts(&c, &c.revoked, &deny, now()).unwrap_err();
        assert_eq!(
            err,
            CertificateError::RevocationStatusUnknown {
                subject: "O=revoked".into()
            }
        );
        assert_eq!(err.alert(), AlertDescription::CertificateUnknown);
    }
    // The same CRL is used when the clock is inside its window.
    let old = crl(&c.int, &[0x201], (2025, 2), (2025, 3));
    let deny = rev_opts(&[old], RevocationDepth::EndEntityOnly, UnknownStatus::Deny);
    let feb = 1_739_000_000; // 2025-02-08
    assert!(matches!(
        verify_opts(&c, &c.revoked, &deny, at(feb)),
        Err(CertificateError::Revoked { .. })
    ));
    // A CRL with the right issuer name but signed by another key is ignored.
    let impostor = root("CRL Intermediate");
    let forged = current_crl(&impostor, &[0x200]);
    let deny = rev_opts(
        std::slice::from_ref(&forged),
        RevocationDepth::EndEntityOnly,
        UnknownStatus::Deny,
    );
    assert!(matches!(
        verify_opts(&c, &c.good, &deny, now()),
        Err(CertificateError::RevocationStatusUnknown { .. })
    ));
    let allow = rev_opts(
        &[forged],
        RevocationDepth::EndEntityOnly,
        UnknownStatus::Allow,
    );
    assert!(verify_opts(&c, &c.good, &allow, now()).is_ok());
}

#[test]
fn crl_set_pem_loading() {
    let c = crl_pki();
    let a = CertificateRevocationListParams {
        this_update: date_time_ymd(2025, 6, 1),
        next_update: date_time_ymd(2025, 7, 1),
        crl_number: SerialNumber::from(7u64),
        issuing_distribution_point: None,
        revoked_certs: vec![],
        key_identifier_method: KeyIdMethod::Sha256,
    }
    .signed_by(&c.int.cert, &c.int.key)
    .expect("crl");
    let pem = format!("junk\n{}{}", a.pem().expect("pem"), c.p.root.cert.pem());
    let mut set = CrlSet::new();
    assert_eq!(set.add_pem(pem.as_bytes()), Ok(1));
    assert_eq!(set.add_pem(pem.as_bytes()), Ok(0));
    assert_eq!(set.len(), 1);
    assert!(!set.is_empty());
    assert!(matches!(
        set.add_pem(b"-----BEGIN X509 CRL-----\nMAMCAQE=\n-----END X509 CRL-----\n"),
        Err(CertificateError::BadEncoding { .. })
    ));
    assert!(set.add_der(b"not a crl").is_err());
    let dir = TempDir::new("crl");
    let path = dir.path().join("crl.pem");
    std::fs::write(&path, &pem).expect("write");
    let mut from_file = CrlSet::new();
    assert_eq!(from_file.add_pem_file(&path), Ok(1));
    let err = from_file
        .add_pem_file(dir.path().join("missing.pem"))
        .unwrap_err();
    assert!(matches!(err, lctls::Error::Config(ref s) if s.contains("missing.pem")));
}

// ----------------------------------------------------------------- root loading

/// A unique temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let p = std::env::temp_dir().join(format!(
            "lctls-pki-corpus-{tag}-{}-{n}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&p).expect("mkdir");
        TempDir(p)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn root_store_add_pem_dir() {
    let a = root("Dir Root A");
    let b = root("Dir Root B");
    let dir = TempDir::new("dir");
    let d = dir.path();
    std::fs::write(d.join("a.pem"), a.cert.pem()).expect("write");
    std::fs::write(d.join("b.crt"), format!("{}{}", b.cert.pem(), a.cert.pem())).expect("write");
    // OpenSSL-style hash links, one dangling.
    std::os::unix::fs::symlink(d.join("a.pem"), d.join("1a2b3c4d.0")).expect("symlink");
    std::os::unix::fs::symlink(d.join("gone.pem"), d.join("deadbeef.0")).expect("symlink");
    // Skipped: not PEM, a key, a broken certificate, a subdirectory.
    std::fs::write(d.join("README"), "hello").expect("write");
    std::fs::write(
        d.join("key.pem"),
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    )
    .expect("write");
    std::fs::write(
        d.join("broken.pem"),
        "-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n",
    )
    .expect("write");
    std::fs::create_dir(d.join("sub")).expect("mkdir");
    std::fs::write(d.join("sub").join("c.pem"), root("Nested").cert.pem()).expect("write");

    let mut store = RootStore::new();
    assert_eq!(store.add_pem_dir(d).map_err(|e| e.to_string()), Ok(2));
    assert_eq!(store.len(), 2);
    assert_eq!(store.add_pem_dir(d).map_err(|e| e.to_string()), Ok(0));
    let l = leaf(vec![dns("example.com")], &b);
    assert!(verify(&store, &l, &[], "example.com").is_ok());

    let err = RootStore::new()
        .add_pem_dir(d.join("no-such-dir"))
        .unwrap_err();
    assert!(matches!(err, lctls::Error::Config(ref s) if s.contains("no-such-dir")));
}

#[test]
fn root_store_platform_sources() {
    let a = root("Platform Root A");
    let b = root("Platform Root B");
    let dir = TempDir::new("platform");
    let d = dir.path();
    let bundle = d.join("bundle.pem");
    std::fs::write(&bundle, format!("{}{}", a.cert.pem(), b.cert.pem())).expect("write");
    let certs_dir = d.join("certs");
    std::fs::create_dir(&certs_dir).expect("mkdir");
    std::fs::write(certs_dir.join("b.pem"), b.cert.pem()).expect("write");
    let missing = d.join("missing.pem");

    // Environment parsing, without touching the process environment.
    let s = PlatformRootSources::from_env_values(
        Some(bundle.clone().into_os_string()),
        Some("/x:/y".into()),
    );
    assert_eq!(s.ssl_cert_file.as_deref(), Some(bundle.as_path()));
    assert_eq!(
        s.ssl_cert_dirs,
        vec![PathBuf::from("/x"), PathBuf::from("/y")]
    );
    let s = PlatformRootSources::from_env_values(Some("".into()), None);
    assert_eq!(s, PlatformRootSources::default());
    assert!(PlatformRootSources::default()
        .bundles
        .contains(&PathBuf::from("/etc/ssl/certs/ca-certificates.crt")));

    // SSL_CERT_FILE wins.
    let s = PlatformRootSources::from_env_values(
        Some(bundle.clone().into_os_string()),
        Some(certs_dir.clone().into_os_string()),
    );
    assert_eq!(RootStore::from_sources(&s).expect("roots").len(), 2);
    // SSL_CERT_DIR when no file.
    let dirs = std::env::join_paths([d.join("nope"), certs_dir.clone()]).expect("join");
    let s = PlatformRootSources::from_env_values(None, Some(dirs));
    assert_eq!(RootStore::from_sources(&s).expect("roots").len(), 1);
    // Defaults: first bundle yielding a certificate, else the directories.
    let s = PlatformRootSources {
        ssl_cert_file: None,
        ssl_cert_dirs: vec![],
        bundles: vec![missing.clone(), bundle.clone()],
        dirs: vec![certs_dir.clone()],
    };
    assert_eq!(RootStore::from_sources(&s).expect("roots").len(), 2);
    let s = PlatformRootSources {
        bundles: vec![missing.clone()],
        ..s
    };
    assert_eq!(RootStore::from_sources(&s).expect("roots").len(), 1);
    // Nothing anywhere: every place is named.
    let empty_dir = d.join("empty");
    std::fs::create_dir(&empty_dir).expect("mkdir");
    let s = PlatformRootSources {
        ssl_cert_file: None,
        ssl_cert_dirs: vec![],
        bundles: vec![missing.clone(), certs_dir.join("nothing.pem")],
        dirs: vec![empty_dir.clone()],
    };
    match RootStore::from_sources(&s) {
        Err(lctls::Error::Config(msg)) => {
            for place in [&missing, &certs_dir.join("nothing.pem"), &empty_dir] {
                assert!(msg.contains(&place.display().to_string()), "{msg}");
            }
        }
        other => panic!("expected Config error, got {other:?}"),
    }
    let s = PlatformRootSources::from_env_values(Some(missing.clone().into_os_string()), None);
    match RootStore::from_sources(&s) {
        Err(lctls::Error::Config(msg)) => {
            assert!(
                msg.contains("SSL_CERT_FILE") && msg.contains("missing.pem"),
                "{msg}"
            )
        }
        other => panic!("expected Config error, got {other:?}"),
    }
    // The real platform lookup never panics (its result depends on the host).
    let _ = RootStore::platform();
}

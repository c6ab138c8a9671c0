//! Issue 11, "no regression on real chains": every certificate in certs/,
//! chains made at test time by openssl and GnuTLS's certtool, and
//! real-world shapes (a long RSA chain, a cross-signed root, an ECDSA P-384
//! intermediate) still verify under the stricter profile.

mod common;
mod pki_support;

use lctls::pki::{
    verify_chain, CertificateDer, CertificateError, KeyPurpose, RootStore, ServerName, UnixTime,
};
use pki_support::tools::Workdir;
use rustls_pki_types::pem::PemObject;

fn certs_pem(name: &str) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_file_iter(common::cert_arg(name))
        .expect("readable")
        .collect::<Result<Vec<_>, _>>()
        .expect("PEM")
}

fn roots_of(ders: &[CertificateDer<'static>]) -> RootStore {
    let mut r = RootStore::new();
    for d in ders {
        r.add(d.clone()).expect("root");
    }
    r
}

fn host(s: &str) -> ServerName<'static> {
    ServerName::try_from(s.to_string()).expect("name")
}

fn check(
    roots: &RootStore,
    chain: &[CertificateDer<'static>],
    name: &str,
    purpose: KeyPurpose,
) -> Result<usize, CertificateError> {
    let (leaf, rest) = chain.split_first().expect("non-empty");
    verify_chain(
        roots,
        leaf,
        rest,
        Some(&host(name)),
        UnixTime::now(),
        purpose,
    )
    .map(|p| p.certificates().len())
}

#[test]
fn every_certificate_in_certs_verifies_as_before() {
    let ca = roots_of(&certs_pem("ca.pem"));
    for f in [
        "server.pem",
        "server-rsa.pem",
        "server-p384.pem",
        "server-ed25519.pem",
    ] {
        for name in ["localhost", "127.0.0.1", "::1"] {
            assert_eq!(
                check(&ca, &certs_pem(f), name, KeyPurpose::ServerAuth),
                Ok(3),
                "{f} for {name}"
            );
        }
    }
    // The client certificate: its commonName is a person's, not a SAN,
    // which the client profile allows.
    assert_eq!(
        check(
            &ca,
            &certs_pem("client.pem"),
            "client.lctls.test",
            KeyPurpose::ClientAuth
        ),
        Ok(3)
    );
    assert_eq!(
        check(
            &ca,
            &certs_pem("wrong-name.pem"),
            "wrong.example.com",
            KeyPurpose::ServerAuth
        ),
        Ok(3)
    );
    // The negative material still fails for the reason it was made for.
    assert!(matches!(
        check(
            &ca,
            &certs_pem("wrong-name.pem"),
            "localhost",
            KeyPurpose::ServerAuth
        ),
        Err(CertificateError::NotValidForName { .. })
    ));
    assert!(matches!(
        check(
            &ca,
            &certs_pem("expired.pem"),
            "localhost",
            KeyPurpose::ServerAuth
        ),
        Err(CertificateError::Expired { .. })
    ));
    assert!(matches!(
        check(
            &ca,
            &certs_pem("untrusted.pem"),
            "localhost",
            KeyPurpose::ServerAuth
        ),
        Err(CertificateError::UnknownIssuer { .. })
    ));
    let other = roots_of(&certs_pem("other-ca.pem"));
    assert_eq!(
        check(
            &other,
            &certs_pem("untrusted.pem"),
            "localhost",
            KeyPurpose::ServerAuth
        ),
        Ok(2)
    );
}

#[test]
fn openssl_long_rsa_chain() {
    if !common::require("openssl") {
        return;
    }
    let w = Workdir::new("long-rsa");
    w.key("root", "rsa:4096");
    w.cert("root", "Long RSA Root", "root", None, "sha384");
    let mut prev = "root".to_string();
    let mut chain_names = Vec::new();
    for (i, (bits, md)) in [
        ("3072", "sha384"),
        ("3072", "sha256"),
        ("2048", "sha256"),
        ("2048", "sha512"),
        ("2048", "sha256"),
    ]
    .iter()
    .enumerate()
    {
        let name = format!("int{i}");
        w.key(&name, &format!("rsa:{bits}"));
        w.cert(
            &name,
            &format!("Long RSA Intermediate {i}"),
            "int",
            Some(&prev),
            md,
        );
        chain_names.push(name.clone());
        prev = name;
    }
    w.key("leaf", "rsa:2048");
    w.cert("leaf", "localhost", "leaf", Some(&prev), "sha256");
    let mut chain = vec![w.der("leaf")];
    chain.extend(chain_names.iter().rev().map(|n| w.der(n)));
    let roots = roots_of(&[w.der("root")]);
    assert_eq!(
        check(&roots, &chain, "localhost", KeyPurpose::ServerAuth),
        Ok(7)
    );
    // Shuffled intermediates are found all the same.
    let mut shuffled = vec![chain[0].clone()];
    shuffled.extend(chain[1..].iter().rev().cloned());
    assert_eq!(
        check(&roots, &shuffled, "localhost", KeyPurpose::ServerAuth),
        Ok(7)
    );
}

#[test]
fn openssl_cross_signed_root_and_p384_intermediate() {
    if !common::require("openssl") {
        return;
    }
    let w = Workdir::new("cross");
    w.key("old", "ec:P-256");
    w.cert("old", "Old Root", "root", None, "sha256");
    w.key("new", "ec:P-384");
    w.cert("new", "New Root", "root", None, "sha384");
    // The new root's name and key, certified by the old root.
    std::fs::copy(w.path("new.key"), w.path("cross.key")).expect("copy");
    w.cert("cross", "New Root", "int", Some("old"), "sha256");
    // An ECDSA P-384 intermediate under the new root, a P-256 leaf under it.
    w.key("int", "ec:P-384");
    w.cert("int", "P-384 Intermediate", "int", Some("new"), "sha384");
    w.key("leaf", "ec:P-256");
    w.cert("leaf", "localhost", "leaf", Some("int"), "sha384");
    let (leaf, int, cross) = (w.der("leaf"), w.der("int"), w.der("cross"));
    let chain = [leaf, int, cross];
    // Old clients trust only the old root: the path goes through the cross.
    let old = roots_of(&[w.der("old")]);
    assert_eq!(
        check(&old, &chain, "localhost", KeyPurpose::ServerAuth),
        Ok(4)
    );
    // New clients trust the new root: the cross is an unneeded extra.
    let new = roots_of(&[w.der("new")]);
    assert_eq!(
        check(&new, &chain, "localhost", KeyPurpose::ServerAuth),
        Ok(3)
    );
    assert_eq!(
        check(&new, &chain, "127.0.0.1", KeyPurpose::ClientAuth),
        Ok(3)
    );
}

#[test]
fn gnutls_certtool_chain() {
    if !common::require("certtool") {
        return;
    }
    let w = Workdir::new("gnutls");
    let ca = "cn = \"GnuTLS Root\"\norganization = \"lctls test\"\nca\ncert_signing_key\ncrl_signing_key\nexpiration_days = 30\n";
    let int = "cn = \"GnuTLS Intermediate\"\nca\ncert_signing_key\ncrl_signing_key\nexpiration_days = 30\n";
    let leaf = "cn = \"localhost\"\ndns_name = \"localhost\"\nip_address = \"127.0.0.1\"\ntls_www_server\ntls_www_client\nsigning_key\nexpiration_days = 30\n";
    w.certtool("root", "ecdsa", ca, None);
    w.certtool("int", "rsa", int, Some("root"));
    w.certtool("leaf", "ecdsa", leaf, Some("int"));
    let roots = roots_of(&[w.der("root")]);
    let chain = [w.der("leaf"), w.der("int")];
    assert_eq!(
        check(&roots, &chain, "localhost", KeyPurpose::ServerAuth),
        Ok(3)
    );
    assert_eq!(
        check(&roots, &chain, "127.0.0.1", KeyPurpose::ClientAuth),
        Ok(3)
    );
}

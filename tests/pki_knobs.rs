//! Issue 11, the knobs of `verify_chain_with` and the default verifiers:
//! maximum chain depth, required end-entity keyUsage bits, an explicit
//! extendedKeyUsage (any OID), allowed signature algorithms and rfc822Name
//! identities; each with a passing and a failing case and the exact error.

mod pki_support;

use std::sync::Arc;

use lctls::pki::{
    verify_chain_with, CertificateDer, CertificateError, ClientCertVerifier, DefaultClientVerifier,
    DefaultServerVerifier, KeyPurpose, KeyUsageBit, RootStore, ServerCertVerifier,
    SignatureAlgorithm, VerifyOptions, DEFAULT_MAX_INTERMEDIATES,
};
use pki_support::rules::{case, Res};
use pki_support::*;
use rcgen::{ExtendedKeyUsagePurpose, KeyUsagePurpose, SanType};

fn with(
    roots: &RootStore,
    leaf: &CertificateDer<'_>,
    ints: &[CertificateDer<'_>],
    purpose: KeyPurpose,
    options: &VerifyOptions,
) -> Res {
    let n = name("example.com");
    let name = (purpose == KeyPurpose::ServerAuth).then_some(&n);
    verify_chain_with(roots, leaf, ints, name, now(), purpose, options)
}

#[test]
fn max_intermediates() {
    let root = root("Knob Root");
    let i1 = ca(ca_params("Knob Intermediate 1"), &root);
    let i2 = ca(ca_params("Knob Intermediate 2"), &i1);
    let l = leaf(vec![dns("example.com")], &i2);
    let roots = store(&[&root]);
    let ints = [i2.der(), i1.der()];
    let opts = |n| VerifyOptions::new().with_max_intermediates(n);
    assert_eq!(
        VerifyOptions::new().max_intermediates,
        DEFAULT_MAX_INTERMEDIATES
    );
    case(
        "a path longer than max_intermediates is refused",
        with(&roots, &l, &ints, KeyPurpose::ServerAuth, &opts(2)),
        with(&roots, &l, &ints, KeyPurpose::ServerAuth, &opts(1)),
        CertificateError::ChainTooLong {
            max_intermediates: 1,
        },
    );
}

#[test]
fn max_intermediates_ignores_self_issued() {
    // root -> CA -> CA' (same name, new key: a rollover) -> leaf: one
    // logical intermediate (RFC 5280 6.1.4 (l) counts the same way).
    let root = root("Knob Root");
    let a = ca(ca_params("Rollover CA"), &root);
    let a2 = ca(ca_params("Rollover CA"), &a);
    let b = ca(ca_params("Other CA"), &a);
    let roots = store(&[&root]);
    let one = VerifyOptions::new().with_max_intermediates(1);
    case(
        "a self-issued intermediate does not count against max_intermediates",
        with(
            &roots,
            &leaf(vec![dns("example.com")], &a2),
            &[a2.der(), a.der()],
            KeyPurpose::ServerAuth,
            &one,
        ),
        with(
            &roots,
            &leaf(vec![dns("example.com")], &b),
            &[b.der(), a.der()],
            KeyPurpose::ServerAuth,
            &one,
        ),
        CertificateError::ChainTooLong {
            max_intermediates: 1,
        },
    );
}

#[test]
fn end_entity_key_usage() {
    let root = root("Knob Root");
    let int = ca(ca_params("Knob Intermediate"), &root);
    let roots = store(&[&root]);
    let mut p = params("leaf", vec![dns("example.com")]);
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let l = leaf_p(p, &int);
    let needs = |bits: &[KeyUsageBit]| VerifyOptions::new().with_end_entity_key_usage(bits);
    case(
        "every required keyUsage bit must be asserted",
        with(
            &roots,
            &l,
            &[int.der()],
            KeyPurpose::ServerAuth,
            &needs(&[KeyUsageBit::DigitalSignature]),
        ),
        with(
            &roots,
            &l,
            &[int.der()],
            KeyPurpose::ServerAuth,
            &needs(&[KeyUsageBit::DigitalSignature, KeyUsageBit::KeyEncipherment]),
        ),
        CertificateError::KeyUsage {
            subject: "O=leaf".into(),
            needed: "keyEncipherment",
        },
    );
    // The default asks for no bit (the handshake checks digitalSignature
    // where the key signs); a caller that wants a bit names it.
    let mut p = params("leaf", vec![dns("example.com")]);
    p.key_usages = vec![KeyUsagePurpose::KeyAgreement];
    let ka = leaf_p(p, &int);
    case(
        "the default requires no keyUsage bit; a named one is required",
        with(
            &roots,
            &ka,
            &[int.der()],
            KeyPurpose::ServerAuth,
            &VerifyOptions::new(),
        ),
        with(
            &roots,
            &ka,
            &[int.der()],
            KeyPurpose::ServerAuth,
            &needs(&[KeyUsageBit::DigitalSignature]),
        ),
        CertificateError::KeyUsage {
            subject: "O=leaf".into(),
            needed: "digitalSignature",
        },
    );
}

#[test]
fn explicit_extended_key_usage() {
    let root = root("Knob Root");
    let int = ca(ca_params("Knob Intermediate"), &root);
    let roots = store(&[&root]);
    let mut p = params("leaf", vec![dns("example.com")]);
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::CodeSigning];
    let l = leaf_p(p, &int);
    let eku = |oid: &str| {
        VerifyOptions::new()
            .with_extended_key_usage(oid)
            .expect("oid")
    };
    assert_eq!(
        with(
            &roots,
            &l,
            &[int.der()],
            KeyPurpose::ServerAuth,
            &VerifyOptions::new()
        )
        .err(),
        Some(CertificateError::InvalidPurpose {
            subject: "O=leaf".into(),
            needed: "serverAuth",
        })
    );
    case(
        "an explicit key purpose replaces serverAuth/clientAuth",
        with(
            &roots,
            &l,
            &[int.der()],
            KeyPurpose::ServerAuth,
            &eku("1.3.6.1.5.5.7.3.3"),
        ),
        with(
            &roots,
            &l,
            &[int.der()],
            KeyPurpose::ServerAuth,
            &eku("1.3.6.1.5.5.7.3.4"),
        ),
        CertificateError::ExtendedKeyUsageMissing {
            subject: "O=leaf".into(),
            oid: "1.3.6.1.5.5.7.3.4".into(),
        },
    );
    // An intermediate with an extendedKeyUsage must allow the purpose too.
    let mut ip = ca_params("Server-only Intermediate");
    ip.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server_int = ca(ip, &root);
    let mut p = params("leaf", vec![dns("example.com")]);
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::CodeSigning];
    let under = leaf_p(p, &server_int);
    assert_eq!(
        with(
            &roots,
            &under,
            &[server_int.der()],
            KeyPurpose::ServerAuth,
            &eku("1.3.6.1.5.5.7.3.3")
        )
        .err(),
        Some(CertificateError::ExtendedKeyUsageMissing {
            subject: "CN=Server-only Intermediate".into(),
            oid: "1.3.6.1.5.5.7.3.3".into(),
        })
    );
    assert!(matches!(
        VerifyOptions::new().with_extended_key_usage("not an oid"),
        Err(lctls::Error::Config(_))
    ));
}

#[test]
fn allowed_signature_algorithms() {
    let root = root("Knob Root");
    let int = ca(ca_params("Knob Intermediate"), &root);
    let roots = store(&[&root]);
    let l = leaf(vec![dns("example.com")], &int);
    let only = |a: &[SignatureAlgorithm]| VerifyOptions::new().with_signature_algorithms(a);
    case(
        "a certificate signed with an algorithm outside the allowed set is refused",
        with(
            &roots,
            &l,
            &[int.der()],
            KeyPurpose::ServerAuth,
            &only(&[SignatureAlgorithm::EcdsaSha256]),
        ),
        with(
            &roots,
            &l,
            &[int.der()],
            KeyPurpose::ServerAuth,
            &only(&[SignatureAlgorithm::EcdsaSha384, SignatureAlgorithm::Ed25519]),
        ),
        CertificateError::UnsupportedSignatureAlgorithm {
            subject: "O=leaf".into(),
            algorithm: "EcdsaSha256 (not among the allowed signature algorithms)".into(),
        },
    );
}

#[test]
fn rfc822_identities_for_client_certificates() {
    let root = root("Knob Root");
    let int = ca(ca_params("Knob Intermediate"), &root);
    let roots = store(&[&root]);
    let mut p = params(
        "Alice",
        vec![SanType::Rfc822Name(
            "alice@example.com".try_into().expect("ia5"),
        )],
    );
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let l = leaf_p(p, &int);
    let mail = |m: &str| VerifyOptions::new().with_email(m);
    case(
        "the client certificate must carry the required mailbox (domain case-insensitive)",
        with(
            &roots,
            &l,
            &[int.der()],
            KeyPurpose::ClientAuth,
            &mail("alice@EXAMPLE.com"),
        ),
        with(
            &roots,
            &l,
            &[int.der()],
            KeyPurpose::ClientAuth,
            &mail("bob@example.com"),
        ),
        CertificateError::NotValidForName {
            expected: "bob@example.com".into(),
            presented: vec!["alice@example.com".into()],
        },
    );
    // The same through the default client verifier.
    let v =
        DefaultClientVerifier::new(Arc::new(store(&[&root]))).with_options(mail("bob@example.com"));
    assert!(matches!(
        v.verify_client_cert(&l, &[int.der()], now()),
        Err(CertificateError::NotValidForName { .. })
    ));
    let v = DefaultClientVerifier::new(Arc::new(store(&[&root])))
        .with_options(mail("alice@example.com"));
    assert_eq!(v.verify_client_cert(&l, &[int.der()], now()), Ok(()));
}

#[test]
fn default_server_verifier_takes_options() {
    let root = root("Knob Root");
    let i1 = ca(ca_params("Knob Intermediate 1"), &root);
    let i2 = ca(ca_params("Knob Intermediate 2"), &i1);
    let l = leaf(vec![dns("example.com")], &i2);
    let roots = Arc::new(store(&[&root]));
    let short = DefaultServerVerifier::new(roots.clone())
        .with_options(VerifyOptions::new().with_max_intermediates(1));
    assert_eq!(
        short.verify_server_cert(&l, &[i2.der(), i1.der()], &name("example.com"), now()),
        Err(CertificateError::ChainTooLong {
            max_intermediates: 1
        })
    );
    let default = DefaultServerVerifier::new(roots);
    assert_eq!(
        default.verify_server_cert(&l, &[i2.der(), i1.der()], &name("example.com"), now()),
        Ok(())
    );
}

//! A corpus of generated certificates run through the public `lctls::pki`
//! API only: for every rule, at least one passing and one failing case.

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_lc_rs::encoding::AsDer;
use lctls::pki::{
    verify_chain, verify_chain_with, CertificateDer, CertificateError, ClientCertVerifier,
    DefaultClientVerifier, DefaultServerVerifier, KeyPurpose, KeyUsageBit, RootStore,
    ServerCertVerifier, VerifyOptions,
};
use lctls::proto::enums::AlertDescription;
use rcgen::{
    date_time_ymd, BasicConstraints, CidrSubnet, ExtendedKeyUsagePurpose, GeneralSubtree, IsCa,
    KeyPair, KeyUsagePurpose, NameConstraints,
};
use x509_cert::der::{Decode, Encode};

mod pki_support;
use pki_support::*;

fn rsa_pkcs8() -> Vec<u8> {
    let kp = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).expect("rsa");
    let der: aws_lc_rs::encoding::Pkcs8V1Der<'static> = kp.as_der().expect("der");
    der.as_ref().to_vec()
}

fn rsa_key(der: &[u8], alg: &'static rcgen::SignatureAlgorithm) -> KeyPair {
    KeyPair::from_pkcs8_der_and_sign_algo(&der.into(), alg).expect("rcgen rsa")
}

/// Signs a TBSCertificate.
type Signer<'a> = dyn Fn(&[u8]) -> Vec<u8> + 'a;

/// Re-encodes `cert` with signature algorithm `oid` (+ DER `params`) in both
/// places; the signature is re-made by `sign` or, if `None`, kept as is.
fn rewrite_sig_alg(
    cert: &CertificateDer<'_>,
    oid: &str,
    params: Option<&[u8]>,
    sign: Option<&Signer<'_>>,
) -> CertificateDer<'static> {
    let mut c = x509_cert::Certificate::from_der(cert.as_ref()).expect("decode");
    let alg = x509_cert::spki::AlgorithmIdentifierOwned {
        oid: x509_cert::der::asn1::ObjectIdentifier::new(oid).expect("oid"),
        parameters: params.map(|p| x509_cert::der::Any::from_der(p).expect("params")),
    };
    c.tbs_certificate.signature = alg.clone();
    c.signature_algorithm = alg;
    if let Some(sign) = sign {
        let tbs = c.tbs_certificate.to_der().expect("tbs");
        c.signature = x509_cert::der::asn1::BitString::from_bytes(&sign(&tbs)).expect("bits");
    }
    CertificateDer::from(c.to_der().expect("encode"))
}

// ---------------------------------------------------------------- path building

#[test]
fn path_building_unordered_extra_duplicate() {
    let p = corpus_pki();
    let other = root("Unrelated");
    let l = leaf(vec![dns("example.com")], &p.int);
    let pool = [
        other.der(),
        p.int.der(),
        p.root.der(),
        p.int.der(),
        p.int.der(),
    ];
    let path = verify(&p.roots, &l, &pool, "example.com").expect("valid");
    assert_eq!(path.certificates(), &[l.clone(), p.int.der(), p.root.der()]);
    // Failing: the intermediate is missing.
    assert_eq!(
        verify(&p.roots, &l, &[other.der()], "example.com"),
        Err(CertificateError::UnknownIssuer {
            subject: "O=leaf".into(),
            issuer: "CN=Corpus Intermediate".into(),
        })
    );
    // Failing: a root we do not trust.
    let err = verify(&RootStore::new(), &l, &pool, "example.com").unwrap_err();
    assert_eq!(err.alert(), AlertDescription::UnknownCA);
}

#[test]
fn cross_signed_alternative_path() {
    let old_root = root("Old Root");
    let new_root = root("New Root");
    let roots = store(&[&old_root, &new_root]);
    // The same CA (subject and key) certified twice: by the old root with an
    // expired certificate, and by the new root with a valid one.
    let key_der = KeyPair::generate().expect("key").serialize_der();
    let mut expired = ca_params("Cross CA");
    expired.not_before = date_time_ymd(2020, 1, 1);
    expired.not_after = date_time_ymd(2025, 1, 1);
    let via_old = ca_with_key(
        expired,
        KeyPair::try_from(key_der.as_slice()).expect("key"),
        &old_root,
    );
    let via_new = ca_with_key(
        ca_params("Cross CA"),
        KeyPair::try_from(key_der.as_slice()).expect("key"),
        &new_root,
    );
    let l = leaf(vec![dns("example.com")], &via_old);
    // The expired certificate comes first; the alternative path is found.
    let path = verify(&roots, &l, &[via_old.der(), via_new.der()], "example.com").expect("ok");
    assert_eq!(
        path.certificates(),
        &[l.clone(), via_new.der(), new_root.der()]
    );
    // Only the expired path: the expiry is reported.
    assert!(matches!(
        verify(&roots, &l, &[via_old.der()], "example.com"),
        Err(CertificateError::Expired { ref subject, .. }) if subject == "CN=Cross CA"
    ));
    // Only the old root trusted: no alternative.
    let only_old = store(&[&old_root]);
    assert!(matches!(
        verify(
            &only_old,
            &l,
            &[via_old.der(), via_new.der()],
            "example.com"
        ),
        Err(CertificateError::Expired { .. })
    ));
}

#[test]
fn pathological_pool_finishes_fast() {
    let p = corpus_pki();
    let n = 40;
    let keys: Vec<KeyPair> = (0..n).map(|_| KeyPair::generate().expect("key")).collect();
    let stand_ins: Vec<rcgen::Certificate> = keys
        .iter()
        .map(|k| ca_params("Loop").self_signed(k).expect("stand-in"))
        .collect();
    let pool: Vec<CertificateDer<'static>> = (0..n)
        .map(|i| {
            let j = (i + 1) % n;
            ca_params("Loop")
                .signed_by(&keys[i], &stand_ins[j], &keys[j])
                .expect("int")
                .der()
                .clone()
        })
        .collect();
    let l = params("victim", vec![dns("example.com")])
        .signed_by(&KeyPair::generate().expect("key"), &stand_ins[0], &keys[0])
        .expect("leaf")
        .der()
        .clone();
    let start = Instant::now();
    let res = verify(&p.roots, &l, &pool, "example.com");
    let elapsed = start.elapsed();
    assert!(res.is_err());
    assert!(elapsed < Duration::from_secs(1), "took {elapsed:?}");
    // A good chain hidden in a large pool still verifies quickly.
    let good = leaf(vec![dns("example.com")], &p.int);
    let mut big = pool.clone();
    big.push(p.int.der());
    let start = Instant::now();
    assert!(verify(&p.roots, &good, &big, "example.com").is_ok());
    assert!(start.elapsed() < Duration::from_secs(1));
}

// ---------------------------------------------------------- signature algorithms

#[test]
fn signature_algorithms_pass() {
    let p = corpus_pki();
    // ECDSA P-256 leaf and issuer.
    let l = leaf(vec![dns("example.com")], &p.int);
    assert!(verify(&p.roots, &l, &[p.int.der()], "example.com").is_ok());
    // ECDSA P-384 issuer signing with ecdsa-with-SHA384.
    let p384 = ca_with_key(
        ca_params("P-384 CA"),
        KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).expect("p384"),
        &p.root,
    );
    let l = leaf(vec![dns("example.com")], &p384);
    assert!(verify(&p.roots, &l, &[p384.der()], "example.com").is_ok());
    // Ed25519 issuer.
    let ed = ca_with_key(
        ca_params("Ed25519 CA"),
        KeyPair::generate_for(&rcgen::PKCS_ED25519).expect("ed"),
        &p.root,
    );
    let l = leaf(vec![dns("example.com")], &ed);
    assert!(verify(&p.roots, &l, &[ed.der()], "example.com").is_ok());
    // RSA PKCS#1 v1.5 with SHA-256 and SHA-384.
    let rsa_der = rsa_pkcs8();
    for alg in [&rcgen::PKCS_RSA_SHA256, &rcgen::PKCS_RSA_SHA384] {
        let rsa = ca_with_key(ca_params("RSA CA"), rsa_key(&rsa_der, alg), &p.root);
        let l = leaf(vec![dns("example.com")], &rsa);
        assert!(verify(&p.roots, &l, &[rsa.der()], "example.com").is_ok());
    }
}

/// RSASSA-PSS-params: SHA-256, MGF1(SHA-256), salt 32.
const PSS_SHA256_PARAMS: &[u8] = &[
    0x30, 0x34, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
    0x01, 0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
    0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0xa2, 0x03, 0x02, 0x01, 0x20,
];

#[test]
fn rsa_pss_signed_certificate() {
    // rcgen 0.13 cannot sign with RSA-PSS: re-sign an rcgen certificate by hand.
    let p = corpus_pki();
    let rsa_der = rsa_pkcs8();
    let rsa = ca_with_key(
        ca_params("RSA CA"),
        rsa_key(&rsa_der, &rcgen::PKCS_RSA_SHA256),
        &p.root,
    );
    let signer = aws_lc_rs::rsa::KeyPair::from_pkcs8(&rsa_der).expect("signer");
    let sign = |tbs: &[u8]| {
        let mut s = vec![0u8; signer.public_modulus_len()];
        signer
            .sign(
                &aws_lc_rs::signature::RSA_PSS_SHA256,
                &aws_lc_rs::rand::SystemRandom::new(),
                tbs,
                &mut s,
            )
            .expect("sign");
        s
    };
    let pkcs1 = leaf(vec![dns("example.com")], &rsa);
    let pss = rewrite_sig_alg(
        &pkcs1,
        "1.2.840.113549.1.1.10",
        Some(PSS_SHA256_PARAMS),
        Some(&sign),
    );
    assert!(verify(&p.roots, &pss, &[rsa.der()], "example.com").is_ok());
    // Failing: PSS params announcing salt 20 (with SHA-256) are refused.
    let mut bad_params = PSS_SHA256_PARAMS.to_vec();
    if let Some(last) = bad_params.last_mut() {
        *last = 20;
    }
    let bad = rewrite_sig_alg(
        &pkcs1,
        "1.2.840.113549.1.1.10",
        Some(&bad_params),
        Some(&sign),
    );
    assert!(matches!(
        verify(&p.roots, &bad, &[rsa.der()], "example.com"),
        Err(CertificateError::UnsupportedSignatureAlgorithm { .. })
    ));
}

#[test]
fn weak_signature_algorithms_refused() {
    let p = corpus_pki();
    let rsa_der = rsa_pkcs8();
    let rsa = ca_with_key(
        ca_params("RSA CA"),
        rsa_key(&rsa_der, &rcgen::PKCS_RSA_SHA256),
        &p.root,
    );
    let rsa_leaf = leaf(vec![dns("example.com")], &rsa);
    let ec_leaf = leaf(vec![dns("example.com")], &p.int);
    let null: &[u8] = &[0x05, 0x00];
    let cases = [
        (
            &rsa_leaf,
            &rsa,
            "1.2.840.113549.1.1.5",
            Some(null),
            "sha1WithRSAEncryption",
        ),
        (
            &rsa_leaf,
            &rsa,
            "1.2.840.113549.1.1.4",
            Some(null),
            "md5WithRSAEncryption",
        ),
        (
            &ec_leaf,
            &p.int,
            "1.2.840.10045.4.1",
            None,
            "ecdsa-with-SHA1",
        ),
    ];
    for (l, issuer, oid, params, algorithm) in cases {
        // The old signature is kept: the algorithm check must come first.
        let weak = rewrite_sig_alg(l, oid, params, None);
        let err = verify(&p.roots, &weak, &[issuer.der()], "example.com").unwrap_err();
        assert_eq!(
            err,
            CertificateError::UnsupportedSignatureAlgorithm {
                subject: "O=leaf".into(),
                algorithm: algorithm.into(),
            }
        );
        assert_eq!(err.alert(), AlertDescription::UnsupportedCertificate);
    }
    // A weak algorithm on an intermediate is refused as well.
    let weak_int = rewrite_sig_alg(&p.int.der(), "1.2.840.10045.4.1", None, None);
    assert!(matches!(
        verify(&p.roots, &ec_leaf, &[weak_int], "example.com"),
        Err(CertificateError::UnsupportedSignatureAlgorithm { ref subject, .. })
            if subject == "CN=Corpus Intermediate"
    ));
    // A tampered (but supported) signature is a bad signature.
    let mut bytes = ec_leaf.as_ref().to_vec();
    if let Some(b) = bytes.last_mut() {
        *b ^= 1;
    }
    assert_eq!(
        verify(
            &p.roots,
            &CertificateDer::from(bytes),
            &[p.int.der()],
            "example.com"
        ),
        Err(CertificateError::BadSignature {
            subject: "O=leaf".into()
        })
    );
}

// -------------------------------------------------------------------- validity

#[test]
fn validity_against_caller_clock() {
    let p = corpus_pki();
    let l = leaf(vec![dns("example.com")], &p.int);
    let ints = [p.int.der()];
    // 2024-01-01 and 2027-01-01 are the bounds.
    let not_before = 1_704_067_200;
    let not_after = 1_798_761_600;
    assert!(verify_at(&p.roots, &l, &ints, "example.com", at(not_before)).is_ok());
    assert!(verify_at(&p.roots, &l, &ints, "example.com", at(not_after)).is_ok());
    assert!(matches!(
        verify_at(&p.roots, &l, &ints, "example.com", at(not_before - 1)),
        Err(CertificateError::NotYetValid { .. })
    ));
    let err = verify_at(&p.roots, &l, &ints, "example.com", at(not_after + 1)).unwrap_err();
    assert!(matches!(err, CertificateError::Expired { .. }));
    assert_eq!(err.alert(), AlertDescription::CertificateExpired);
}

// -------------------------------------------------------- basicConstraints / KU

#[test]
fn basic_constraints_ca_flag_and_path_len() {
    let p = corpus_pki();
    let mut not_ca = ca_params("Not A CA");
    not_ca.is_ca = IsCa::ExplicitNoCa;
    let not_ca = ca(not_ca, &p.root);
    let l = leaf(vec![dns("example.com")], &not_ca);
    assert_eq!(
        verify(&p.roots, &l, &[not_ca.der()], "example.com"),
        Err(CertificateError::NotCa {
            subject: "CN=Not A CA".into()
        })
    );
    for (len, ok) in [(0u8, false), (1, true)] {
        let mut c = ca_params("Constrained");
        c.is_ca = IsCa::Ca(BasicConstraints::Constrained(len));
        let c = ca(c, &p.root);
        let below = ca(ca_params("Below"), &c);
        let l = leaf(vec![dns("example.com")], &below);
        let res = verify(&p.roots, &l, &[below.der(), c.der()], "example.com");
        if ok {
            assert!(res.is_ok(), "{res:?}");
        } else {
            assert_eq!(
                res,
                Err(CertificateError::PathLenExceeded {
                    subject: "CN=Constrained".into()
                })
            );
        }
    }
    // A CA certificate as end entity is refused only for what it lacks
    // (here a SAN for the name), not for being a CA (RFC 5280 section 6.1).
    assert!(matches!(
        verify(&p.roots, &p.int.der(), &[], "example.com"),
        Err(CertificateError::NotValidForName { .. })
    ));
    // With the name, a CA certificate whose keyUsage is keyCertSign and
    // cRLSign only (no digitalSignature) is a valid path as end entity
    // (x509-limbo rfc5280::ca-as-leaf).
    let mut ca_leaf = ca_params("example.com");
    ca_leaf.subject_alt_names = vec![dns("example.com")];
    ca_leaf.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_leaf = ca(ca_leaf, &p.int);
    assert!(verify(&p.roots, &ca_leaf.der(), &[p.int.der()], "example.com").is_ok());
}

#[test]
fn key_usage_issuer_and_leaf() {
    let p = corpus_pki();
    let mut good = ca_params("KU CA");
    good.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let good = ca(good, &p.root);
    let l = leaf(vec![dns("example.com")], &good);
    assert!(verify(&p.roots, &l, &[good.der()], "example.com").is_ok());
    let mut bad = ca_params("No CertSign CA");
    bad.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let bad = ca(bad, &p.root);
    let l = leaf(vec![dns("example.com")], &bad);
    assert_eq!(
        verify(&p.roots, &l, &[bad.der()], "example.com"),
        Err(CertificateError::KeyUsage {
            subject: "CN=No CertSign CA".into(),
            needed: "keyCertSign"
        })
    );
    let mut lp = params("ds", vec![dns("example.com")]);
    lp.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    assert!(verify(&p.roots, &leaf_p(lp, &p.int), &[p.int.der()], "example.com").is_ok());
    // Path validation asks no end-entity keyUsage bit by default: the
    // handshake refuses a signature by a key without digitalSignature
    // where it signs (tests/key_usage_signature.rs), and RFC 5280 6.1
    // accepts the path. A caller can still ask for the bit.
    let mut lp = params("ke", vec![dns("example.com")]);
    lp.key_usages = vec![KeyUsagePurpose::KeyEncipherment];
    let ke = leaf_p(lp, &p.int);
    assert!(verify(&p.roots, &ke, &[p.int.der()], "example.com").is_ok());
    let needs_ds = VerifyOptions::new().with_end_entity_key_usage(&[KeyUsageBit::DigitalSignature]);
    assert_eq!(
        verify_chain_with(
            &p.roots,
            &ke,
            &[p.int.der()],
            Some(&name("example.com")),
            now(),
            KeyPurpose::ServerAuth,
            &needs_ds,
        )
        .map(|_| ()),
        Err(CertificateError::KeyUsage {
            subject: "O=ke".into(),
            needed: "digitalSignature"
        })
    );
}

#[test]
fn extended_key_usage() {
    let p = corpus_pki();
    let ints = [p.int.der()];
    let mut sp = params("server", vec![dns("example.com")]);
    sp.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server = leaf_p(sp, &p.int);
    let mut cp = params("client", vec![dns("example.com")]);
    cp.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let client = leaf_p(cp, &p.int);
    assert!(verify(&p.roots, &server, &ints, "example.com").is_ok());
    assert_eq!(
        verify(&p.roots, &client, &ints, "example.com"),
        Err(CertificateError::InvalidPurpose {
            subject: "O=client".into(),
            needed: "serverAuth"
        })
    );
    let t = now();
    assert!(verify_chain(&p.roots, &client, &ints, None, t, KeyPurpose::ClientAuth).is_ok());
    assert_eq!(
        verify_chain(&p.roots, &server, &ints, None, t, KeyPurpose::ClientAuth),
        Err(CertificateError::InvalidPurpose {
            subject: "O=server".into(),
            needed: "clientAuth"
        })
    );
    // The same through the verifier traits.
    let roots = Arc::new(p.roots.clone());
    let sv = DefaultServerVerifier::new(roots.clone());
    assert!(sv
        .verify_server_cert(&server, &ints, &name("example.com"), t)
        .is_ok());
    assert!(sv
        .verify_server_cert(&client, &ints, &name("example.com"), t)
        .is_err());
    let cv = DefaultClientVerifier::new(roots);
    assert!(cv.verify_client_cert(&client, &ints, t).is_ok());
    assert!(cv.verify_client_cert(&server, &ints, t).is_err());
}

// ------------------------------------------------------------- name constraints

#[test]
fn name_constraints_dns_and_ip() {
    let p = corpus_pki();
    let mut c = ca_params("NC CA");
    c.name_constraints = Some(NameConstraints {
        permitted_subtrees: vec![
            GeneralSubtree::DnsName("example.com".into()),
            GeneralSubtree::IpAddress(CidrSubnet::V4([10, 0, 0, 0], [255, 0, 0, 0])),
            GeneralSubtree::IpAddress(CidrSubnet::V6(
                [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
                [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            )),
        ],
        excluded_subtrees: vec![
            GeneralSubtree::DnsName("secret.example.com".into()),
            GeneralSubtree::IpAddress(CidrSubnet::V4([10, 9, 0, 0], [255, 255, 0, 0])),
        ],
    });
    let c = ca(c, &p.root);
    let ints = [c.der()];
    let ok = leaf(
        vec![dns("www.example.com"), ip("10.1.2.3"), ip("2001:db8::1")],
        &c,
    );
    assert!(verify(&p.roots, &ok, &ints, "www.example.com").is_ok());
    let cases = [
        (dns("evil.org"), "evil.org"),
        (dns("a.secret.example.com"), "a.secret.example.com"),
        (ip("192.168.1.1"), "192.168.1.1"),
        (ip("10.9.0.1"), "10.9.0.1"),
        (ip("2001:db9::1"), "2001:db9::1"),
    ];
    for (san, shown) in cases {
        let l = leaf(vec![dns("www.example.com"), san], &c);
        assert_eq!(
            verify(&p.roots, &l, &ints, "www.example.com"),
            Err(CertificateError::NameConstraintViolation {
                subject: "O=leaf".into(),
                name: shown.into(),
            }),
            "{shown}"
        );
    }
}

#[test]
fn unknown_critical_extension() {
    let p = corpus_pki();
    for critical in [false, true] {
        let mut lp = params("ext", vec![dns("example.com")]);
        let mut ext = rcgen::CustomExtension::from_oid_content(&[1, 2, 3, 4, 5], vec![0x05, 0x00]);
        ext.set_criticality(critical);
        lp.custom_extensions = vec![ext];
        let res = verify(&p.roots, &leaf_p(lp, &p.int), &[p.int.der()], "example.com");
        if critical {
            assert_eq!(
                res,
                Err(CertificateError::UnknownCriticalExtension {
                    subject: "O=ext".into(),
                    oid: "1.2.3.4.5".into()
                })
            );
        } else {
            assert!(res.is_ok());
        }
    }
}

// -------------------------------------------------------------- server names

#[test]
fn dns_names_case_and_wildcards() {
    let p = corpus_pki();
    let ints = [p.int.der()];
    let l = leaf(vec![dns("Example.COM"), dns("*.wild.example.com")], &p.int);
    for good in [
        "example.com",
        "EXAMPLE.com",
        "example.com.",
        "a.wild.example.com",
        "X.WILD.EXAMPLE.COM",
    ] {
        assert!(verify(&p.roots, &l, &ints, good).is_ok(), "{good}");
    }
    for bad in [
        "www.example.com",
        "wild.example.com",
        "a.b.wild.example.com",
        "example.org",
    ] {
        assert!(
            matches!(
                verify(&p.roots, &l, &ints, bad),
                Err(CertificateError::NotValidForName { .. })
            ),
            "{bad}"
        );
    }
    // Wildcards that are not the whole leftmost label, or cover a whole
    // registrable domain, match nothing.
    for pattern in ["*.com", "w*.example.com", "a.*.example.com"] {
        let l = leaf(vec![dns(pattern)], &p.int);
        for host in ["example.com", "www.example.com", "a.b.example.com"] {
            assert!(
                verify(&p.roots, &l, &ints, host).is_err(),
                "{pattern} {host}"
            );
        }
    }
}

#[test]
fn ip_addresses_v4_v6() {
    let p = corpus_pki();
    let ints = [p.int.der()];
    let l = leaf(vec![ip("192.0.2.7"), ip("2001:db8::7")], &p.int);
    assert!(verify(&p.roots, &l, &ints, "192.0.2.7").is_ok());
    assert!(verify(&p.roots, &l, &ints, "2001:db8::7").is_ok());
    assert!(verify(&p.roots, &l, &ints, "2001:0db8:0000::0007").is_ok());
    for bad in ["192.0.2.8", "2001:db8::8", "::ffff:192.0.2.7"] {
        assert!(
            matches!(
                verify(&p.roots, &l, &ints, bad),
                Err(CertificateError::NotValidForName { .. })
            ),
            "{bad}"
        );
    }
    // A dNSName spelling an address does not cover the address.
    let l = leaf(vec![dns("192.0.2.7")], &p.int);
    assert!(verify(&p.roots, &l, &ints, "192.0.2.7").is_err());
}

#[test]
fn subject_common_name_never_used() {
    let p = corpus_pki();
    let ints = [p.int.der()];
    let no_san = leaf_p(params("example.com", vec![]), &p.int);
    assert_eq!(
        verify(&p.roots, &no_san, &ints, "example.com"),
        Err(CertificateError::NotValidForName {
            expected: "example.com".into(),
            presented: vec![],
        })
    );
    let other_san = leaf_p(params("example.com", vec![dns("other.org")]), &p.int);
    assert!(verify(&p.roots, &other_san, &ints, "example.com").is_err());
    assert!(verify(&p.roots, &other_san, &ints, "other.org").is_ok());
}

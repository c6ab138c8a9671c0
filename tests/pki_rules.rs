//! Issue 11: one corpus case per rule of the RFC 5280 / CA/Browser Forum
//! profile, each with a one-line reason, a certificate that passes and one
//! that fails with the exact error, through the public `lctls::pki` API:
//! names, name constraints, other extensions, the end entity's EKU, what
//! RFC 5280 6.1 must accept, and the error texts. Trust anchors, key
//! identifiers and keys: pki_rules_keys.rs; knobs: pki_knobs.rs;
//! real-world-shaped chains: pki_real_chains.rs.

mod pki_support;

use lctls::pki::{CertificateDer, CertificateError, KeyPurpose, ProfileRule};
use lctls::proto::enums::AlertDescription;
use pki_support::forge::*;
use pki_support::rules::*;
use pki_support::*;
use rcgen::{
    date_time_ymd, BasicConstraints, DistinguishedName, DnType, ExtendedKeyUsagePurpose,
    GeneralSubtree, IsCa, KeyUsagePurpose, NameConstraints, SanType, SerialNumber,
};
use x509_cert::der::Encode;

// -------------------------------------------------------------------- names

#[test]
fn name_rules() {
    let p = pki();
    case(
        "the commonName is one of the SANs (CABF 7.1.4.3)",
        p.leaf_from(named("example.com", vec![dns("example.com")])),
        p.leaf_from(named("other.example.com", vec![dns("example.com")])),
        profile(
            EE,
            "CN=other.example.com",
            ProfileRule::CommonNameNotInSan {
                common_name: "other.example.com".into(),
            },
        ),
    );
    case(
        "the commonName is a character-for-character copy (CABF 7.1.4.3)",
        p.leaf_from(named("example.com", vec![dns("example.com")])),
        p.leaf_from(named("Example.COM", vec![dns("example.com")])),
        profile(
            EE,
            "CN=Example.COM",
            ProfileRule::CommonNameNotInSan {
                common_name: "Example.COM".into(),
            },
        ),
    );
    let ip_leaf = |cn: &str| {
        let l = leaf_p(named(cn, vec![ip("192.168.1.1")]), &p.int);
        v_as(
            &p.roots,
            &l,
            &[p.int.der()],
            "192.168.1.1",
            KeyPurpose::ServerAuth,
        )
    };
    case(
        "an IP commonName is in RFC 3986 dotted decimal (CABF 7.1.4.3)",
        ip_leaf("192.168.1.1"),
        ip_leaf("192.168.001.001"),
        profile(
            EE,
            "CN=192.168.001.001",
            ProfileRule::CommonNameNotInSan {
                common_name: "192.168.001.001".into(),
            },
        ),
    );
    case(
        "a SAN is not critical when the subject is not empty (RFC 5280 4.2.1.6)",
        p.ok(),
        p.with_leaf(|t| set_critical(t, SAN, true)),
        profile(EE, "O=leaf", ProfileRule::SanCriticalWithSubject),
    );
    let mut empty = leaf_params(vec![dns("example.com")]);
    empty.distinguished_name = DistinguishedName::new();
    let empty = leaf_p(empty, &p.int);
    case(
        "a SAN is critical when the subject is empty (RFC 5280 4.2.1.6)",
        v(
            &p.roots,
            &resign(&empty, &p.int, |t| set_critical(t, SAN, true)),
            &[p.int.der()],
        ),
        v(&p.roots, &empty, &[p.int.der()]),
        profile(EE, "", ProfileRule::SanNotCriticalWithEmptySubject),
    );
    case(
        "a dNSName is in the preferred name syntax: no underscore (RFC 5280 4.2.1.6)",
        p.leaf_from(leaf_params(vec![
            dns("example.com"),
            dns("a-b.example.com"),
        ])),
        p.leaf_from(leaf_params(vec![
            dns("example.com"),
            dns("a_b.example.com"),
        ])),
        profile(
            EE,
            "O=leaf",
            ProfileRule::InvalidDnsName {
                name: "a_b.example.com".into(),
            },
        ),
    );
    case(
        "a dNSName has no empty label (RFC 5280 4.2.1.6)",
        p.ok(),
        p.leaf_from(leaf_params(vec![dns("example.com"), dns("a..example.com")])),
        profile(
            EE,
            "O=leaf",
            ProfileRule::InvalidDnsName {
                name: "a..example.com".into(),
            },
        ),
    );
    let wild = |pattern: &str, host: &str| {
        let l = leaf(vec![dns(pattern)], &p.int);
        v_as(&p.roots, &l, &[p.int.der()], host, KeyPurpose::ServerAuth)
    };
    case(
        "no wildcard over a public suffix (CABF 3.2.2.6, public suffix list)",
        wild("*.example.co.uk", "www.example.co.uk"),
        wild("*.co.uk", "example.co.uk"),
        profile(
            EE,
            "O=leaf",
            ProfileRule::WildcardOverPublicSuffix {
                name: "*.co.uk".into(),
            },
        ),
    );
    case(
        "no wildcard over a private namespace's suffix (CABF 3.2.2.6)",
        wild("*.corp.example.com", "www.corp.example.com"),
        wild("*.internal", "www.internal"),
        profile(
            EE,
            "O=leaf",
            ProfileRule::WildcardOverPublicSuffix {
                name: "*.internal".into(),
            },
        ),
    );
}

// --------------------------------------------------------- name constraints

fn nc(permitted: &[&str], excluded: &[&str]) -> NameConstraints {
    let trees = |v: &[&str]| {
        v.iter()
            .map(|d| GeneralSubtree::DnsName(d.to_string()))
            .collect()
    };
    NameConstraints {
        permitted_subtrees: trees(permitted),
        excluded_subtrees: trees(excluded),
    }
}

/// An intermediate with nameConstraints `c`.
fn constrained(root: &Issuer, c: NameConstraints) -> Issuer {
    let mut ip = ca_params("Rules Intermediate");
    ip.name_constraints = Some(c);
    ca(ip, root)
}

#[test]
fn name_constraint_rules() {
    let p = pki();
    let good = constrained(&p.root, nc(&["example.com"], &[]));
    let under = |int: &Issuer, sans: Vec<SanType>| v(&p.roots, &leaf(sans, int), &[int.der()]);
    // BR 7.1.2.10.8 allows a non-critical nameConstraints in a CA
    // certificate (an exception to RFC 5280 4.2.1.10); it still binds.
    let noncritical = resign(&good.der(), &p.root, |t| set_critical(t, NC, false));
    case(
        "a non-critical nameConstraints is allowed and enforced (BR 7.1.2.10.8)",
        v(
            &p.roots,
            &leaf(vec![dns("example.com")], &good),
            std::slice::from_ref(&noncritical),
        ),
        v_as(
            &p.roots,
            &leaf(vec![dns("example.org")], &good),
            &[noncritical],
            "example.org",
            KeyPurpose::ServerAuth,
        ),
        CertificateError::NameConstraintViolation {
            subject: "O=leaf".into(),
            name: "example.org".into(),
        },
    );
    let mut in_leaf = leaf_params(vec![dns("example.com")]);
    in_leaf.name_constraints = Some(nc(&["example.com"], &[]));
    case(
        "only CA certificates carry nameConstraints (RFC 5280 4.2.1.10)",
        p.ok(),
        p.leaf_from(in_leaf),
        profile(EE, "O=leaf", ProfileRule::NameConstraintsInEndEntity),
    );
    case(
        "nameConstraints holds a subtree (RFC 5280 4.2.1.10)",
        p.ok(),
        p.with_int(|t| set_ext(t, NC, true, vec![0x30, 0x00])),
        profile(INT, INT_NAME, ProfileRule::EmptyNameConstraints),
    );
    let dotted = constrained(&p.root, nc(&[".example.com"], &[]));
    case(
        "a dNSName subtree is a domain name, without a leading period (RFC 5280 4.2.1.10)",
        under(&good, vec![dns("example.com"), dns("www.example.com")]),
        under(&dotted, vec![dns("example.com"), dns("www.example.com")]),
        profile(
            INT,
            INT_NAME,
            ProfileRule::InvalidDnsNameConstraint {
                subtree: ".example.com".into(),
            },
        ),
    );
    case(
        "a permitted subtree does not make an invalid SAN acceptable (RFC 5280 4.2.1.6)",
        under(&good, vec![dns("example.com"), dns("ab.example.com")]),
        under(&good, vec![dns("example.com"), dns("a_b.example.com")]),
        profile(
            EE,
            "O=leaf",
            ProfileRule::InvalidDnsName {
                name: "a_b.example.com".into(),
            },
        ),
    );
    // An excluded otherName subtree (x509-cert encodes it; rcgen cannot).
    use x509_cert::ext::pkix::constraints::name::{GeneralSubtree as Gs, NameConstraints as Nc};
    use x509_cert::ext::pkix::name::{GeneralName, OtherName};
    let upn = oid("1.3.6.1.4.1.311.20.2.3");
    let other = GeneralName::OtherName(OtherName {
        type_id: upn,
        value: x509_cert::der::Any::new(x509_cert::der::Tag::Utf8String, b"x".to_vec())
            .expect("any"),
    });
    let excl = Nc {
        permitted_subtrees: None,
        excluded_subtrees: Some(vec![Gs {
            base: other,
            minimum: 0,
            maximum: None,
        }]),
    }
    .to_der()
    .expect("nc");
    let mut ep = ca_params("Rules Intermediate");
    ep.custom_extensions = vec![{
        let mut e = rcgen::CustomExtension::from_oid_content(&[2, 5, 29, 30], excl);
        e.set_criticality(true);
        e
    }];
    let excluding = ca(ep, &p.root);
    let upn_san = SanType::OtherName((
        vec![1, 3, 6, 1, 4, 1, 311, 20, 2, 3],
        rcgen::OtherNameValue::Utf8String("user@example.com".into()),
    ));
    case(
        "an excluded otherName form the leaf uses cannot be shown not to match (RFC 5280 4.2.1.10)",
        under(&excluding, vec![dns("example.com")]),
        under(&excluding, vec![dns("example.com"), upn_san]),
        CertificateError::UnsupportedNameConstraint {
            subject: "O=leaf".into(),
            form: "otherName",
        },
    );
}

// -------------------------------------------------------- other extensions

#[test]
fn other_extension_rules() {
    let p = pki();
    // policyConstraints { inhibitPolicyMapping 0 }.
    let pc = vec![0x30, 0x03, 0x81, 0x01, 0x00];
    case(
        "policyConstraints is critical (RFC 5280 4.2.1.11)",
        p.with_int(|t| set_ext(t, PC, true, pc.clone())),
        p.with_int(|t| set_ext(t, PC, false, pc.clone())),
        profile(INT, INT_NAME, ProfileRule::PolicyConstraintsNotCritical),
    );
    // { caIssuers, uniformResourceIdentifier "http://ca.example/ca.crt" }.
    let ca_issuers = [0x06, 0x08, 0x2b, 6, 1, 5, 5, 7, 0x30, 0x02];
    let aia = tlv(
        0x30,
        &tlv(
            0x30,
            &[&ca_issuers[..], &tlv(0x86, b"http://ca.example/ca.crt")].concat(),
        ),
    );
    case(
        "authorityInfoAccess decodes (RFC 5280 4.2.2.1)",
        p.with_leaf(|t| set_ext(t, AIA, false, aia.clone())),
        p.with_leaf(|t| set_ext(t, AIA, false, vec![0x30, 0x03, 0x01, 0x01, 0xff])),
        profile(EE, "O=leaf", ProfileRule::InvalidAuthorityInfoAccess),
    );
    case(
        "authorityInfoAccess is not critical (RFC 5280 4.2.2.1)",
        p.ok(),
        p.with_leaf(|t| set_ext(t, AIA, true, aia.clone())),
        profile(EE, "O=leaf", ProfileRule::CriticalAuthorityInfoAccess),
    );
    case(
        "an authorityKeyIdentifier carries its keyIdentifier (RFC 5280 4.2.1.1)",
        p.ok(),
        p.with_leaf(|t| set_ext(t, AKI, false, vec![0x30, 0x00])),
        profile(EE, "O=leaf", ProfileRule::AuthorityKeyIdWithoutKeyId),
    );
    let mail = |m: &str| {
        leaf_params(vec![
            dns("example.com"),
            SanType::Rfc822Name(m.try_into().expect("ia5")),
        ])
    };
    case(
        "an rfc822Name is one mailbox (RFC 5280 4.2.1.6)",
        p.leaf_from(mail("invalid.address@example.com")),
        p.leaf_from(mail("invalid@address@example.com")),
        profile(
            EE,
            "O=leaf",
            ProfileRule::InvalidEmailName {
                name: "invalid@address@example.com".into(),
            },
        ),
    );
    let mut ca_leaf = named("example.com", vec![dns("example.com")]);
    ca_leaf.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let mut ca_leaf_ok = ca_leaf.clone();
    ca_leaf_ok.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyCertSign,
    ];
    case(
        "a CA certificate's keyUsage asserts keyCertSign, in the leaf position too (RFC 5280 4.2.1.3, BR 7.1.2.7.8)",
        p.leaf_from(ca_leaf_ok),
        p.leaf_from(ca_leaf),
        profile(EE, "CN=example.com", ProfileRule::CaWithoutKeyCertSign),
    );
    let mut cert_sign = leaf_params(vec![dns("example.com")]);
    cert_sign.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyCertSign,
    ];
    let mut sign_only = leaf_params(vec![dns("example.com")]);
    sign_only.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    case(
        "a leaf that is not a CA does not assert keyCertSign (RFC 5280 4.2.1.3)",
        p.leaf_from(sign_only),
        p.leaf_from(cert_sign),
        profile(EE, "O=leaf", ProfileRule::KeyCertSignWithoutCa),
    );
    let mut anon = ca_params("unused");
    anon.distinguished_name = DistinguishedName::new();
    let anon = ca(anon, &p.root);
    case(
        "a CA has a non-empty subject (RFC 5280 4.1.2.6)",
        p.ok(),
        v(
            &p.roots,
            &leaf(vec![dns("example.com")], &anon),
            &[anon.der()],
        ),
        profile(INT, "", ProfileRule::EmptyCaSubject),
    );
    let mut zero = leaf_params(vec![dns("example.com")]);
    zero.serial_number = Some(SerialNumber::from_slice(&[0]));
    let mut one = leaf_params(vec![dns("example.com")]);
    one.serial_number = Some(SerialNumber::from_slice(&[1]));
    case(
        "the serial number is positive, not zero (RFC 5280 4.1.2.2)",
        p.leaf_from(one),
        p.leaf_from(zero),
        profile(EE, "O=leaf", ProfileRule::NonPositiveSerial),
    );
    case(
        "the serial number is positive, not negative (RFC 5280 4.1.2.2)",
        p.ok(),
        p.with_leaf(|t| {
            t.serial_number = x509_cert::der::Decode::from_der(&[0x02, 0x02, 0xff, 0x01])
                .expect("negative serial decodes");
        }),
        profile(EE, "O=leaf", ProfileRule::NonPositiveSerial),
    );
    // A root with serial 0 (as Go Daddy Root Certificate Authority - G2
    // has) still anchors paths: the rule is for certificates a CA issues.
    let mut root0 = ca_params("Serial Zero Root");
    root0.serial_number = Some(SerialNumber::from_slice(&[0]));
    let root0 = self_signed(root0, rcgen::KeyPair::generate().expect("key"));
    let int0 = ca(ca_params("Under Serial Zero"), &root0);
    assert_eq!(
        v(
            &store(&[&root0]),
            &leaf(vec![dns("example.com")], &int0),
            &[int0.der()]
        )
        .map(|_| ()),
        Ok(())
    );
}

// ---------------------------------------------------------- end-entity EKU

#[test]
fn end_entity_eku_rules() {
    let p = pki();
    let with_eku = |eku: Vec<ExtendedKeyUsagePurpose>| {
        let mut lp = leaf_params(vec![dns("example.com")]);
        lp.extended_key_usages = eku;
        leaf_p(lp, &p.int)
    };
    let client = |l: &CertificateDer<'_>| {
        v_as(
            &p.roots,
            l,
            &[p.int.der()],
            "example.com",
            KeyPurpose::ClientAuth,
        )
    };
    let none = with_eku(vec![]);
    case(
        "a server leaf has extendedKeyUsage (CABF 7.1.2.7.10)",
        p.ok(),
        v(&p.roots, &none, &[p.int.der()]),
        profile(EE, "O=leaf", ProfileRule::MissingExtendedKeyUsage),
    );
    assert!(
        client(&none).is_ok(),
        "a client leaf may omit extendedKeyUsage (RFC 5280 4.2.1.12)"
    );
    let any = with_eku(vec![ExtendedKeyUsagePurpose::Any]);
    case(
        "a server leaf does not have anyExtendedKeyUsage (CABF 7.1.2.7.10)",
        p.ok(),
        v(&p.roots, &any, &[p.int.der()]),
        profile(EE, "O=leaf", ProfileRule::AnyExtendedKeyUsage),
    );
    assert!(
        client(&any).is_ok(),
        "anyExtendedKeyUsage allows client authentication (RFC 5280 4.2.1.12)"
    );
    let critical = resign(&p.leaf, &p.int, |t| set_critical(t, EKU, true));
    case(
        "a server leaf's extendedKeyUsage is not critical (CABF 7.1.2.7.10)",
        p.ok(),
        v(&p.roots, &critical, &[p.int.der()]),
        profile(EE, "O=leaf", ProfileRule::CriticalExtendedKeyUsage),
    );
    assert!(
        client(&critical).is_ok(),
        "RFC 5280 4.2.1.12 lets extendedKeyUsage be critical"
    );
}

// ------------------------------------------- what RFC 5280 6.1 must accept

#[test]
fn rfc5280_path_validation_accepts() {
    let p = pki();
    // A CA certificate as the end entity, pathLenConstraint 0 ignored there.
    let mut ca_leaf = named("example.com", vec![dns("example.com")]);
    ca_leaf.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    assert!(
        p.leaf_from(ca_leaf).is_ok(),
        "cA=TRUE on the end entity is not by itself an error (RFC 5280 6.1)"
    );

    // Self-issued certificates do not count against pathLenConstraint.
    let mut zero = ca_params("Path CA");
    zero.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    let a = ca(zero, &p.root);
    let rollover = ca(ca_params("Path CA"), &a); // same name, new key
    let other = ca(ca_params("Other CA"), &a);
    case(
        "a self-issued intermediate does not count against pathLenConstraint (RFC 5280 6.1.4 (l))",
        v(
            &p.roots,
            &leaf(vec![dns("example.com")], &rollover),
            &[rollover.der(), a.der()],
        ),
        v(
            &p.roots,
            &leaf(vec![dns("example.com")], &other),
            &[other.der(), a.der()],
        ),
        CertificateError::PathLenExceeded {
            subject: "CN=Path CA".into(),
        },
    );

    // A self-issued intermediate's own names are exempt from the name
    // constraints above it (RFC 5280 6.1.3 (b)); the leaf's are not.
    // Encoded with x509-cert: rcgen mis-encodes directoryName subtrees.
    use std::str::FromStr;
    use x509_cert::ext::pkix::constraints::name::{GeneralSubtree as Gs, NameConstraints as Nc};
    use x509_cert::ext::pkix::name::GeneralName;
    let good_dn = x509_cert::name::Name::from_str("O=Good").expect("dn");
    let permitted = Nc {
        permitted_subtrees: Some(vec![Gs {
            base: GeneralName::DirectoryName(good_dn),
            minimum: 0,
            maximum: None,
        }]),
        excluded_subtrees: None,
    }
    .to_der()
    .expect("nc");
    let mut constrained_p = ca_params("Constrained CA");
    constrained_p.custom_extensions = vec![{
        let mut e = rcgen::CustomExtension::from_oid_content(&[2, 5, 29, 30], permitted);
        e.set_criticality(true);
        e
    }];
    let c = ca(constrained_p, &p.root);
    let self_issued = ca(ca_params("Constrained CA"), &c);
    let outsider = ca(ca_params("Outsider CA"), &c);
    let good_leaf = |by: &Issuer| {
        let mut lp = leaf_params(vec![dns("example.com")]);
        let mut dn = DistinguishedName::new();
        dn.push(DnType::OrganizationName, "Good");
        lp.distinguished_name = dn;
        leaf_p(lp, by)
    };
    case(
        "a self-issued intermediate is exempt from name constraints (RFC 5280 6.1.3 (b))",
        v(
            &p.roots,
            &good_leaf(&self_issued),
            &[self_issued.der(), c.der()],
        ),
        v(&p.roots, &good_leaf(&outsider), &[outsider.der(), c.der()]),
        CertificateError::NameConstraintViolation {
            subject: "CN=Outsider CA".into(),
            name: "CN=Outsider CA".into(),
        },
    );
}

// --------------------------------------------------------------------- CRLs

/// A current CRL by `by` revoking nothing, its cRLNumber edited by `edit`
/// (`None`: removed; `Some(critical)`: kept with that criticality).
fn crl_with_number(by: &Issuer, number: Option<bool>) -> Vec<u8> {
    use x509_cert::der::Decode;
    let der = rcgen::CertificateRevocationListParams {
        this_update: date_time_ymd(2025, 1, 1),
        next_update: date_time_ymd(2026, 1, 1),
        crl_number: SerialNumber::from(7u64),
        issuing_distribution_point: None,
        revoked_certs: vec![],
        key_identifier_method: rcgen::KeyIdMethod::Sha256,
    }
    .signed_by(&by.cert, &by.key)
    .expect("crl")
    .der()
    .to_vec();
    let mut crl = x509_cert::crl::CertificateList::from_der(&der).expect("decode");
    let id = oid("2.5.29.20");
    let exts = crl
        .tbs_cert_list
        .crl_extensions
        .get_or_insert_with(Vec::new);
    match number {
        None => exts.retain(|e| e.extn_id != id),
        Some(critical) => exts
            .iter_mut()
            .filter(|e| e.extn_id == id)
            .for_each(|e| e.critical = critical),
    }
    let tbs = crl.tbs_cert_list.to_der().expect("tbs");
    crl.signature = x509_cert::der::asn1::BitString::from_bytes(&sign(&tbs, by)).expect("bits");
    crl.to_der().expect("encode")
}

#[test]
fn crl_number_rules() {
    use std::sync::Arc;

    use lctls::pki::{
        verify_chain_with, CrlSet, RevocationDepth, RevocationOptions, UnknownStatus, VerifyOptions,
    };
    let p = pki();
    let with_crl = |number: Option<bool>| {
        let mut set = CrlSet::new();
        set.add_der(&crl_with_number(&p.int, number))
            .expect("CRL accepted");
        let opts = VerifyOptions::new().with_revocation(RevocationOptions {
            crls: Arc::new(set),
            depth: RevocationDepth::EndEntityOnly,
            unknown_status: UnknownStatus::Deny,
        });
        verify_chain_with(
            &p.roots,
            &p.leaf,
            &[p.int.der()],
            Some(&name("example.com")),
            now(),
            KeyPurpose::ServerAuth,
            &opts,
        )
    };
    let unknown = CertificateError::RevocationStatusUnknown {
        subject: "O=leaf".into(),
    };
    case(
        "a CRL without cRLNumber is unusable: the status is unknown (RFC 5280 5.2.3)",
        with_crl(Some(false)),
        with_crl(None),
        unknown.clone(),
    );
    case(
        "a CRL whose cRLNumber is critical is unusable (RFC 5280 5.2.3)",
        with_crl(Some(false)),
        with_crl(Some(true)),
        unknown,
    );
}

// ------------------------------------------------------------------- errors

#[test]
fn errors_name_the_certificate_and_the_rule() {
    let e = profile(INT, "CN=Foo", ProfileRule::MissingSubjectKeyId);
    assert_eq!(
        e.to_string(),
        "intermediate 'CN=Foo' lacks subjectKeyIdentifier (RFC 5280 4.2.1.2)"
    );
    assert_eq!(e.alert(), AlertDescription::BadCertificate);
    let e = profile(TA, "CN=Root", ProfileRule::AnchorHasExtendedKeyUsage);
    assert_eq!(
        e.to_string(),
        "trust anchor 'CN=Root' carries extendedKeyUsage (CABF BR 7.1.2.1.2)"
    );
    let e = profile(EE, "O=leaf", ProfileRule::DsaKey);
    assert_eq!(
        e.to_string(),
        "end-entity certificate 'O=leaf' has a DSA key (CABF BR 6.1.5)"
    );
    assert_eq!(e.alert(), AlertDescription::UnsupportedCertificate);
}

//! Name constraints on every name form RFC 5280 section 4.2.1.10 defines,
//! and the certificate-policy extensions (issue 9, defect 10): each is
//! enforced, processed or refused, never silently "understood". What is
//! processed and why: src/pki/constraints.rs and src/pki/policy.rs.

mod pki_support;

use lctls::pki::{verify_chain, CertificateError, KeyPurpose};
use lctls::proto::enums::AlertDescription;
use pki_support::*;
use rcgen::{
    CertificateParams, CustomExtension, DistinguishedName, DnType, DnValue, KeyPair, SanType,
};
use x509_cert::der::asn1::{Ia5String, ObjectIdentifier as Oid};
use x509_cert::der::{Any, Decode, Encode};
use x509_cert::ext::pkix::name::GeneralName;

fn oid(s: &str) -> Oid {
    Oid::new(s).expect("oid")
}

fn arcs(s: &str) -> Vec<u64> {
    s.split('.').map(|a| a.parse().expect("arc")).collect()
}

/// A custom extension `oid_str` with DER contents `der`.
fn ext(oid_str: &str, critical: bool, der: Vec<u8>) -> CustomExtension {
    let mut e = CustomExtension::from_oid_content(&arcs(oid_str), der);
    e.set_criticality(critical);
    e
}

/// A critical nameConstraints extension, encoded with x509-cert (rcgen
/// mis-encodes directoryName subtrees and has no URI subtrees).
fn nc_ext(permitted: Vec<GeneralName>, excluded: Vec<GeneralName>) -> CustomExtension {
    let trees = |v: Vec<GeneralName>| {
        (!v.is_empty()).then(|| {
            v.into_iter()
                .map(
                    |base| x509_cert::ext::pkix::constraints::name::GeneralSubtree {
                        base,
                        minimum: 0,
                        maximum: None,
                    },
                )
                .collect()
        })
    };
    let nc = x509_cert::ext::pkix::NameConstraints {
        permitted_subtrees: trees(permitted),
        excluded_subtrees: trees(excluded),
    };
    ext("2.5.29.30", true, nc.to_der().expect("nc"))
}

fn ia5(s: &str) -> Ia5String {
    Ia5String::new(s).expect("ia5")
}

/// A DistinguishedName, one RDN per attribute, in order.
fn dn(attrs: &[(DnType, DnValue)]) -> DistinguishedName {
    let mut d = DistinguishedName::new();
    for (t, v) in attrs {
        d.push(t.clone(), v.clone());
    }
    d
}

/// The same name as an x509-cert Name (taken from a throwaway certificate,
/// so both are encoded the same way).
fn x509_dn(d: DistinguishedName) -> x509_cert::name::Name {
    let mut p = CertificateParams::default();
    p.distinguished_name = d;
    let key = KeyPair::generate().expect("key");
    let der = p.self_signed(&key).expect("cert").der().clone();
    x509_cert::Certificate::from_der(der.as_ref())
        .expect("decode")
        .tbs_certificate
        .subject
}

fn utf8(s: &str) -> DnValue {
    DnValue::Utf8String(s.into())
}

/// Root, a CA under it carrying `ca_exts`, and a function verifying a leaf
/// (made from `leaf_params`) under that CA.
struct Setup {
    root: Issuer,
    ca: Issuer,
}

impl Setup {
    fn new(ca_exts: Vec<CustomExtension>) -> Self {
        let root = root("Forms Root");
        let mut p = ca_params("Forms CA");
        p.custom_extensions = ca_exts;
        let ca = ca(p, &root);
        Setup { root, ca }
    }

    /// Verifies as a client certificate: these leaves carry mailbox, URI
    /// and directory identities under a personal commonName, which the
    /// server profile's commonName rule (Baseline Requirements 7.1.4.3,
    /// tested in pki_rules) would refuse before any name constraint runs.
    fn verify(&self, leaf: CertificateParams) -> Result<(), CertificateError> {
        let key = KeyPair::generate().expect("key");
        let leaf = leaf
            .signed_by(&key, &self.ca.cert, &self.ca.key)
            .expect("leaf")
            .der()
            .clone();
        verify_chain(
            &store(&[&self.root]),
            &leaf,
            &[self.ca.der()],
            None,
            now(),
            KeyPurpose::ClientAuth,
        )
        .map(|_| ())
    }
}

fn leaf_named(subject: DistinguishedName, sans: Vec<SanType>) -> CertificateParams {
    let mut p = params("unused", sans);
    p.distinguished_name = subject;
    p
}

fn violation(subject: &str, name: &str) -> Result<(), CertificateError> {
    Err(CertificateError::NameConstraintViolation {
        subject: subject.into(),
        name: name.into(),
    })
}

#[test]
fn directory_name_constraints() {
    let acme = || {
        x509_dn(dn(&[
            (DnType::CountryName, utf8("US")),
            (DnType::OrganizationName, utf8("Acme")),
        ]))
    };
    let subject = |org: DnValue| {
        dn(&[
            (DnType::CountryName, utf8("US")),
            (DnType::OrganizationName, org),
            (DnType::CommonName, utf8("leaf")),
        ])
    };
    let permitted = Setup::new(vec![nc_ext(
        vec![GeneralName::DirectoryName(acme())],
        vec![],
    )]);
    let sans = || vec![dns("leaf.example")];
    assert_eq!(
        permitted.verify(leaf_named(subject(utf8("Acme")), sans())),
        Ok(())
    );
    // Case, spacing and string type do not make a different name.
    let printable = DnValue::PrintableString("  ACME ".try_into().expect("printable"));
    assert_eq!(
        permitted.verify(leaf_named(subject(printable), sans())),
        Ok(())
    );
    assert_eq!(
        permitted.verify(leaf_named(subject(utf8("Other")), sans())),
        violation("CN=leaf,O=Other,C=US", "CN=leaf,O=Other,C=US")
    );
    // Shorter than the base: not inside it.
    assert_eq!(
        permitted.verify(leaf_named(dn(&[(DnType::CountryName, utf8("US"))]), sans())),
        violation("C=US", "C=US")
    );
    // An empty subject is no name; the constraint does not apply to it.
    // (Its subjectAltName must then be critical, RFC 5280 4.2.1.6; rcgen
    // writes it non-critical, so it is added by hand.)
    let mut empty = leaf_named(dn(&[]), vec![]);
    let san = x509_cert::ext::pkix::SubjectAltName(vec![GeneralName::DnsName(
        Ia5String::new("leaf.example").expect("ia5"),
    )]);
    empty.custom_extensions = vec![ext("2.5.29.17", true, san.to_der().expect("san"))];
    assert_eq!(permitted.verify(empty), Ok(()));
    // A directoryName subjectAltName is constrained too.
    let mut p = leaf_named(subject(utf8("Acme")), vec![]);
    let other = x509_dn(dn(&[
        (DnType::CountryName, utf8("US")),
        (DnType::OrganizationName, utf8("Other")),
    ]));
    let san = x509_cert::ext::pkix::SubjectAltName(vec![
        GeneralName::DnsName(ia5("leaf.example")),
        GeneralName::DirectoryName(other),
    ]);
    p.custom_extensions = vec![ext("2.5.29.17", false, san.to_der().expect("san"))];
    assert_eq!(
        permitted.verify(p),
        violation("CN=leaf,O=Acme,C=US", "O=Other,C=US")
    );

    let excluded = Setup::new(vec![nc_ext(
        vec![],
        vec![GeneralName::DirectoryName(acme())],
    )]);
    assert_eq!(
        excluded.verify(leaf_named(subject(utf8("acme")), sans())),
        violation("CN=leaf,O=acme,C=US", "CN=leaf,O=acme,C=US")
    );
    assert_eq!(
        excluded.verify(leaf_named(subject(utf8("Other")), sans())),
        Ok(())
    );
}

#[test]
fn rfc822_name_constraints() {
    let email = |s: &str| SanType::Rfc822Name(s.try_into().expect("ia5"));
    let cn = || dn(&[(DnType::CommonName, utf8("leaf"))]);
    let permitted = Setup::new(vec![nc_ext(
        vec![GeneralName::Rfc822Name(ia5("example.com"))],
        vec![],
    )]);
    assert_eq!(
        permitted.verify(leaf_named(cn(), vec![email("a@Example.COM")])),
        Ok(())
    );
    assert_eq!(
        permitted.verify(leaf_named(cn(), vec![email("a@evil.com")])),
        violation("CN=leaf", "a@evil.com")
    );
    // A host, not a domain: subdomains are outside it.
    assert_eq!(
        permitted.verify(leaf_named(cn(), vec![email("a@mail.example.com")])),
        violation("CN=leaf", "a@mail.example.com")
    );
    // The emailAddress attribute of the subject counts as an rfc822Name.
    let with_email = dn(&[
        (DnType::CommonName, utf8("leaf")),
        (
            DnType::CustomDnType(arcs("1.2.840.113549.1.9.1")),
            DnValue::Ia5String("b@evil.com".try_into().expect("ia5")),
        ),
    ]);
    let err = permitted
        .verify(leaf_named(with_email, vec![email("a@example.com")]))
        .unwrap_err();
    assert!(
        matches!(&err, CertificateError::NameConstraintViolation { name, .. } if name == "b@evil.com"),
        "{err:?}"
    );
    // A DNS-only leaf is not affected by rfc822Name constraints.
    assert_eq!(
        permitted.verify(leaf_named(cn(), vec![dns("leaf.example")])),
        Ok(())
    );

    let excluded = Setup::new(vec![nc_ext(
        vec![],
        vec![
            GeneralName::Rfc822Name(ia5(".example.com")),
            GeneralName::Rfc822Name(ia5("boss@corp.example")),
        ],
    )]);
    assert_eq!(
        excluded.verify(leaf_named(cn(), vec![email("a@mail.EXAMPLE.com")])),
        violation("CN=leaf", "a@mail.EXAMPLE.com")
    );
    assert_eq!(
        excluded.verify(leaf_named(cn(), vec![email("a@example.com")])),
        Ok(())
    );
    assert_eq!(
        excluded.verify(leaf_named(cn(), vec![email("boss@CORP.example")])),
        violation("CN=leaf", "boss@CORP.example")
    );
    // Local parts compare exactly.
    assert_eq!(
        excluded.verify(leaf_named(cn(), vec![email("Boss@corp.example")])),
        Ok(())
    );
}

#[test]
fn uri_constraints() {
    let uri = |s: &str| SanType::URI(s.try_into().expect("ia5"));
    let cn = || dn(&[(DnType::CommonName, utf8("leaf"))]);
    let permitted = Setup::new(vec![nc_ext(
        vec![GeneralName::UniformResourceIdentifier(ia5(".example.com"))],
        vec![],
    )]);
    assert_eq!(
        permitted.verify(leaf_named(
            cn(),
            vec![uri("https://www.Example.com:8443/x?y")]
        )),
        Ok(())
    );
    for bad in [
        "https://evil.com/",
        // ".example.com" is strictly below example.com.
        "https://example.com/",
        // No host, or an IP host, cannot be inside a domain.
        "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
        "https://10.0.0.1/",
        "https://[2001:db8::1]/",
    ] {
        assert_eq!(
            permitted.verify(leaf_named(cn(), vec![uri(bad)])),
            violation("CN=leaf", bad),
            "{bad}"
        );
    }
    let excluded = Setup::new(vec![nc_ext(
        vec![],
        vec![GeneralName::UniformResourceIdentifier(ia5(
            "host.example.com",
        ))],
    )]);
    assert_eq!(
        excluded.verify(leaf_named(
            cn(),
            vec![uri("ldap://user@HOST.example.com./o=x")]
        )),
        violation("CN=leaf", "ldap://user@HOST.example.com./o=x")
    );
    assert_eq!(
        excluded.verify(leaf_named(cn(), vec![uri("https://other.example.com/")])),
        Ok(())
    );
}

#[test]
fn constraints_on_forms_we_cannot_evaluate() {
    let upn = x509_cert::ext::pkix::name::OtherName {
        type_id: oid("1.3.6.1.4.1.311.20.2.3"),
        value: Any::encode_from(&x509_cert::der::asn1::Utf8StringRef::new("x@corp").expect("utf8"))
            .expect("any"),
    };
    let setup = Setup::new(vec![nc_ext(
        vec![
            GeneralName::OtherName(upn),
            GeneralName::DnsName(ia5("example.com")),
        ],
        vec![GeneralName::RegisteredId(oid("1.2.3.4"))],
    )]);
    let cn = || dn(&[(DnType::CommonName, utf8("leaf"))]);
    // A leaf with an otherName: refused, the constraint cannot be shown to hold.
    let other = SanType::OtherName((
        arcs("1.3.6.1.4.1.311.20.2.3"),
        rcgen::OtherNameValue::Utf8String("user@corp".into()),
    ));
    let err = setup
        .verify(leaf_named(cn(), vec![dns("www.example.com"), other]))
        .unwrap_err();
    assert_eq!(
        err,
        CertificateError::UnsupportedNameConstraint {
            subject: "CN=leaf".into(),
            form: "otherName",
        }
    );
    assert_eq!(err.alert(), AlertDescription::BadCertificate);
    // Without names of those forms, the other constraints still apply.
    assert_eq!(
        setup.verify(leaf_named(cn(), vec![dns("www.example.com")])),
        Ok(())
    );
    assert_eq!(
        setup.verify(leaf_named(cn(), vec![dns("www.example.org")])),
        violation("CN=leaf", "www.example.org")
    );
}

// Policies: see src/pki/policy.rs for what is processed and why.

fn policies_der(policies: &[(&str, Option<&str>)]) -> Vec<u8> {
    use x509_cert::ext::pkix::certpolicy::{PolicyInformation, PolicyQualifierInfo};
    let infos = policies
        .iter()
        .map(|(id, qualifier)| PolicyInformation {
            policy_identifier: oid(id),
            policy_qualifiers: qualifier.map(|q| {
                vec![PolicyQualifierInfo {
                    policy_qualifier_id: oid(q),
                    qualifier: Some(Any::encode_from(&ia5("https://cps.example/")).expect("any")),
                }]
            }),
        })
        .collect();
    x509_cert::ext::pkix::CertificatePolicies(infos)
        .to_der()
        .expect("policies")
}

fn policy_err(subject: &str, reason: &str) -> Result<(), CertificateError> {
    Err(CertificateError::Policy {
        subject: subject.into(),
        reason: reason.into(),
    })
}

const CPS: &str = "1.3.6.1.5.5.7.2.1";
const ANY_POLICY: &str = "2.5.29.32.0";
const DV: &str = "2.23.140.1.2.1";

#[test]
fn critical_certificate_policies() {
    let setup = Setup::new(vec![]);
    let leaf = |critical: bool, policies: &[(&str, Option<&str>)]| {
        let mut p = params("leaf", vec![dns("leaf.example")]);
        p.custom_extensions = vec![ext("2.5.29.32", critical, policies_der(policies))];
        setup.verify(p)
    };
    // Honoured: we enforce no policy set (initial-policy-set anyPolicy).
    assert_eq!(leaf(true, &[(ANY_POLICY, None)]), Ok(()));
    assert_eq!(leaf(true, &[(DV, Some(CPS)), ("1.2.3.4", None)]), Ok(()));
    // A qualifier RFC 5280 does not define cannot be interpreted.
    assert_eq!(
        leaf(true, &[(DV, Some("1.2.3.9"))]),
        policy_err(
            "O=leaf",
            "critical certificatePolicies has policy qualifier 1.2.3.9, which we cannot interpret"
        )
    );
    assert_eq!(
        leaf(true, &[(DV, None), (DV, None)]),
        policy_err(
            "O=leaf",
            "policy 2.23.140.1.2.1 appears twice in certificatePolicies"
        )
    );
    // Not critical: it cannot change the outcome, and is not interpreted.
    assert_eq!(leaf(false, &[(DV, Some("1.2.3.9"))]), Ok(()));
}

#[test]
fn policy_constraints_mappings_and_inhibit_any_policy() {
    use x509_cert::ext::pkix::{PolicyConstraints, PolicyMapping, PolicyMappings};
    let pc = |require: Option<u32>, inhibit: Option<u32>| {
        let der = PolicyConstraints {
            require_explicit_policy: require,
            inhibit_policy_mapping: inhibit,
        }
        .to_der()
        .expect("pc");
        Setup::new(vec![ext("2.5.29.36", true, der)])
            .verify(params("leaf", vec![dns("leaf.example")]))
    };
    let explicit = "the path requires an explicit certificate policy (policyConstraints \
                    requireExplicitPolicy), and policy-tree processing is not supported";
    // requireExplicitPolicy 0 or 1 makes explicit_policy reach 0 within this
    // path (RFC 5280 6.1.4 i, 6.1.5 a): we do not build the policy tree.
    assert_eq!(pc(Some(0), None), policy_err("CN=Forms CA", explicit));
    assert_eq!(pc(Some(1), None), policy_err("CN=Forms CA", explicit));
    // Two more certificates may follow before it applies: this path is valid.
    assert_eq!(pc(Some(2), None), Ok(()));
    // inhibitPolicyMapping only shapes the tree.
    assert_eq!(pc(None, Some(0)), Ok(()));
    assert_eq!(
        pc(None, None),
        policy_err("CN=Forms CA", "policyConstraints is empty")
    );

    let maps = |from: &str, to: &str| {
        let der = PolicyMappings(vec![PolicyMapping {
            issuer_domain_policy: oid(from),
            subject_domain_policy: oid(to),
        }])
        .to_der()
        .expect("maps");
        Setup::new(vec![ext("2.5.29.33", true, der)])
            .verify(params("leaf", vec![dns("leaf.example")]))
    };
    assert_eq!(maps("1.2.3.1", "1.2.3.2"), Ok(()));
    assert_eq!(
        maps(ANY_POLICY, "1.2.3.2"),
        policy_err(
            "CN=Forms CA",
            "policyMappings maps to or from anyPolicy (RFC 5280 section 6.1.4 a)"
        )
    );

    let inhibit = ext("2.5.29.54", true, 0u32.to_der().expect("int"));
    assert_eq!(
        Setup::new(vec![inhibit]).verify(params("leaf", vec![dns("leaf.example")])),
        Ok(())
    );
}

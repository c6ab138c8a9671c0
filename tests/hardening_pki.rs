//! Hardening of certificate validation and certificate loading against a
//! hostile peer or a mistaken operator (issue 9, defects 3, 6 and 10):
//! name-constraint cost on untrusted chains, key/certificate mismatch, and
//! the certificate-policy and name-constraint forms RFC 5280 defines.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use lctls::config::{CertifiedKey, ServerConfig};
use lctls::pki::{
    verify_chain, CertificateDer, CertificateError, DefaultClientVerifier, KeyPurpose, RootStore,
    ServerName, UnixTime,
};
use lctls::proto::wire::enums::AlertDescription;
use lctls::{Error, TlsAcceptor, TlsConnector};
use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, DistinguishedName, DnType, GeneralSubtree,
    IsCa, KeyPair, NameConstraints, SanType,
};
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

/// 2025-06-15T15:06:40Z.
const NOW: u64 = 1_750_000_000;

fn now() -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(NOW))
}

/// What "fast" means: well under 100 ms in release; debug builds run the
/// same work unoptimised, so they get a generous bound that still proves the
/// point (the unbounded code took seconds there).
fn fast_bound() -> Duration {
    if cfg!(debug_assertions) {
        Duration::from_millis(1000)
    } else {
        Duration::from_millis(100)
    }
}

struct Issuer {
    cert: rcgen::Certificate,
    key: KeyPair,
}

impl Issuer {
    fn der(&self) -> CertificateDer<'static> {
        self.cert.der().clone()
    }
}

fn params(cn: &str, sans: Vec<SanType>) -> CertificateParams {
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, cn);
    p.distinguished_name = dn;
    p.subject_alt_names = sans;
    p.not_before = date_time_ymd(2024, 1, 1);
    p.not_after = date_time_ymd(2027, 1, 1);
    p
}

fn ca_params(cn: &str) -> CertificateParams {
    let mut p = params(cn, vec![]);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p
}

fn root(cn: &str) -> Issuer {
    let key = KeyPair::generate().expect("key");
    let cert = ca_params(cn).self_signed(&key).expect("root");
    Issuer { cert, key }
}

fn ca(p: CertificateParams, by: &Issuer) -> Issuer {
    let key = KeyPair::generate().expect("key");
    let cert = p.signed_by(&key, &by.cert, &by.key).expect("ca");
    Issuer { cert, key }
}

fn dns(s: &str) -> SanType {
    SanType::DnsName(s.try_into().expect("ia5"))
}

fn store(roots: &[&Issuer]) -> RootStore {
    let mut s = RootStore::new();
    for r in roots {
        s.add(r.der()).expect("add root");
    }
    s
}

// ------------------------------------------- defect 3: name-constraint cost

/// `n` distinct DNS names under `zone`.
fn many_names(n: usize, zone: &str) -> Vec<String> {
    (0..n).map(|i| format!("h{i:05}.{zone}")).collect()
}

/// A CA certificate with `subtrees` excluded dNSName subtrees, none of which
/// matches the leaf names, so every name is compared against every subtree.
fn constrained_ca_params(cn: &str, subtrees: usize, zone: &str) -> CertificateParams {
    let mut p = ca_params(cn);
    p.name_constraints = Some(NameConstraints {
        permitted_subtrees: vec![],
        excluded_subtrees: many_names(subtrees, zone)
            .into_iter()
            .map(GeneralSubtree::DnsName)
            .collect(),
    });
    p
}

/// A leaf with `sans` DNS names under `zone` and its key.
fn wide_leaf(sans: usize, zone: &str, by: &Issuer) -> (CertificateDer<'static>, KeyPair) {
    let key = KeyPair::generate().expect("key");
    let names = many_names(sans, zone).iter().map(|n| dns(n)).collect();
    let mut p = params("wide leaf", names);
    p.extended_key_usages = vec![
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
    ];
    let cert = p.signed_by(&key, &by.cert, &by.key).expect("leaf");
    (cert.der().clone(), key)
}

/// An attacker's chain: its own root (trusted by nobody) over a CA with
/// 2,500 excluded subtrees over a leaf with 2,500 short names, 6,250,000
/// comparisons in under 60 KB, so it fits one Certificate message.
fn attacker_chain() -> (Vec<CertificateDer<'static>>, KeyPair) {
    let evil_root = root("Attacker Root");
    let evil_ca = ca(constrained_ca_params("Attacker CA", 2500, "x"), &evil_root);
    let (leaf, key) = wide_leaf(2500, "v", &evil_ca);
    (vec![leaf, evil_ca.der()], key)
}

fn chain_len(chain: &[CertificateDer<'_>]) -> usize {
    chain.iter().map(|c| c.as_ref().len()).sum()
}

#[test]
fn untrusted_constrained_chain_is_refused_fast() {
    let (chain, _) = attacker_chain();
    let roots = store(&[&root("Honest Root")]);
    let start = Instant::now();
    let res = verify_chain(
        &roots,
        &chain[0],
        &chain[1..],
        None,
        now(),
        KeyPurpose::ClientAuth,
    );
    let took = start.elapsed();
    eprintln!(
        "untrusted chain of {} bytes: {took:?} -> {res:?}",
        chain_len(&chain)
    );
    assert!(matches!(res, Err(CertificateError::UnknownIssuer { .. })));
    assert!(took < fast_bound(), "took {took:?}");
}

#[test]
fn untrusted_pool_of_constrained_intermediates_is_refused_fast() {
    // 40 certificates for the same attacker CA (same name and key, so each
    // one verifies the leaf's signature), each with 200 excluded subtrees,
    // over a leaf with 500 names: 4,000,000 comparisons if each candidate's
    // constraints were evaluated on the way up.
    let evil_root = root("Attacker Root");
    let key = KeyPair::generate().expect("key");
    let key_der = key.serialize_der();
    let pool: Vec<CertificateDer<'static>> = (0..40)
        .map(|i| {
            let mut p = constrained_ca_params("Attacker CA", 200, "excluded.example");
            p.serial_number = Some(rcgen::SerialNumber::from(i as u64 + 1));
            let k = KeyPair::try_from(key_der.as_slice()).expect("key");
            p.signed_by(&k, &evil_root.cert, &evil_root.key)
                .expect("ca")
                .der()
                .clone()
        })
        .collect();
    let signer = Issuer {
        cert: constrained_ca_params("Attacker CA", 0, "excluded.example")
            .self_signed(&key)
            .expect("stand-in"),
        key,
    };
    let (leaf, _) = wide_leaf(500, "victim.example", &signer);
    let roots = store(&[&root("Honest Root")]);
    let start = Instant::now();
    let res = verify_chain(&roots, &leaf, &pool, None, now(), KeyPurpose::ClientAuth);
    let took = start.elapsed();
    eprintln!("untrusted pool of 40 constrained CAs: {took:?} -> {res:?}");
    assert!(matches!(res, Err(CertificateError::UnknownIssuer { .. })));
    assert!(took < fast_bound(), "took {took:?}");
}

#[test]
fn trusted_chain_over_the_comparison_budget_is_refused_fast() {
    // 600 subtrees x 500 names = 300,000 comparisons, over the budget.
    let honest = root("Honest Root");
    let wide_ca = ca(
        constrained_ca_params("Wide CA", 600, "excluded.example"),
        &honest,
    );
    let (leaf, _) = wide_leaf(500, "victim.example", &wide_ca);
    let roots = store(&[&honest]);
    let name = ServerName::try_from("h00001.victim.example").expect("name");
    let start = Instant::now();
    let res = verify_chain(
        &roots,
        &leaf,
        &[wide_ca.der()],
        Some(&name),
        now(),
        KeyPurpose::ServerAuth,
    );
    let took = start.elapsed();
    eprintln!(
        "trusted chain, 300,000 comparisons: {took:?} -> {:?}",
        res.as_ref().map(|_| "valid")
    );
    let err = res.unwrap_err();
    assert_eq!(
        err,
        CertificateError::NameConstraintBudgetExceeded { budget: 250_000 }
    );
    assert_eq!(err.alert(), AlertDescription::BadCertificate);
    assert!(
        err.to_string()
            .starts_with("name constraint comparison budget exceeded"),
        "{err}"
    );
    assert!(took < fast_bound(), "took {took:?}");
}

/// Runs an mTLS handshake where the client presents `chain` (with `key`)
/// to a server trusting `roots`; returns the server's error, the client's
/// error and how long the server took to refuse.
async fn mtls_refusal(
    chain: Vec<CertificateDer<'static>>,
    key: KeyPair,
    roots: RootStore,
) -> (Error, Error, Duration) {
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let client_key = CertifiedKey::new(chain, &key).expect("client key");
    let cc = Arc::new(
        support::client_builder()
            .with_client_cert(client_key)
            .build()
            .expect("client config"),
    );
    let sc: Arc<ServerConfig> = Arc::new(
        support::server_builder("server")
            .with_client_cert_verifier(Arc::new(DefaultClientVerifier::new(Arc::new(roots))))
            .build()
            .expect("server config"),
    );
    let (a, b) = tokio::io::duplex(256 * 1024);
    let acceptor = TlsAcceptor::from(sc);
    let connector = TlsConnector::from(cc);
    let server = tokio::spawn(async move {
        let start = Instant::now();
        let res = acceptor.accept(b).await;
        (res.map(|_| ()), start.elapsed())
    });
    let client = tokio::spawn(async move {
        use tokio::io::AsyncReadExt;
        let mut c = connector.connect("localhost", a).await?;
        let mut buf = [0u8; 1];
        c.read(&mut buf).await.map(|_| ())
    });
    let (s, c) = support::timeout(async { (server.await, client.await) }).await;
    let (s, took) = s.expect("server task");
    let c = c.expect("client task");
    (support::handshake_err(s), support::handshake_err(c), took)
}

/// An unauthenticated mTLS client sends the attacker chain: the server
/// refuses it at once, with unknown_ca.
#[tokio::test]
async fn mtls_server_refuses_pathological_client_chain_fast() {
    let (chain, key) = attacker_chain();
    let size = chain_len(&chain);
    let (s, c, took) = mtls_refusal(chain, key, (*support::roots()).clone()).await;
    eprintln!("mTLS server refused a {size}-byte client chain in {took:?}: {s}");
    assert!(
        matches!(
            s,
            Error::Certificate(CertificateError::UnknownIssuer { .. })
        ),
        "{s:?}"
    );
    assert_eq!(s.alert(), Some(AlertDescription::UnknownCA));
    assert_eq!(c, Error::AlertReceived(AlertDescription::UnknownCA));
    assert!(took < fast_bound(), "took {took:?}");
}

/// A client chain that does reach the server's trust anchor, but whose
/// constraints and names exceed the budget: refused fast with bad_certificate.
#[tokio::test]
async fn mtls_server_refuses_over_budget_client_chain_fast() {
    let honest = root("Honest Root");
    let wide_ca = ca(
        constrained_ca_params("Wide CA", 600, "excluded.example"),
        &honest,
    );
    let (leaf, key) = wide_leaf(500, "victim.example", &wide_ca);
    let (s, c, took) = mtls_refusal(vec![leaf, wide_ca.der()], key, store(&[&honest])).await;
    eprintln!("mTLS server refused an over-budget client chain in {took:?}: {s}");
    assert_eq!(
        s,
        Error::Certificate(CertificateError::NameConstraintBudgetExceeded { budget: 250_000 })
    );
    assert_eq!(s.alert(), Some(AlertDescription::BadCertificate));
    assert_eq!(c, Error::AlertReceived(AlertDescription::BadCertificate));
    assert!(took < fast_bound(), "took {took:?}");
}

/// The budget leaves room for real constrained chains: 50 subtrees of each
/// kind over a leaf with 50 names verifies.
#[test]
fn constrained_chain_within_budget_verifies() {
    let honest = root("Honest Root");
    let mut p = constrained_ca_params("Modest CA", 50, "excluded.example");
    if let Some(nc) = &mut p.name_constraints {
        nc.permitted_subtrees = many_names(50, "victim.example")
            .into_iter()
            .map(GeneralSubtree::DnsName)
            .collect();
    }
    let modest = ca(p, &honest);
    let (leaf, _) = wide_leaf(50, "victim.example", &modest);
    let name = ServerName::try_from("h00049.victim.example").expect("name");
    let res = verify_chain(
        &store(&[&honest]),
        &leaf,
        &[modest.der()],
        Some(&name),
        now(),
        KeyPurpose::ServerAuth,
    );
    assert_eq!(res.map(|p| p.certificates().len()), Ok(3));
}

// --------------------------- defect 6: key and certificate must belong together

/// Every certificate in certs/ with its key files (several encodings of one
/// key share a certificate), and what the key is.
const KEYS: &[(&str, &[&str], &str)] = &[
    (
        "server.pem",
        &["server.key", "server.sec1.key"],
        "ECDSA P-256",
    ),
    ("server-p384.pem", &["server-p384.key"], "ECDSA P-384"),
    (
        "server-rsa.pem",
        &["server-rsa.key", "server-rsa.pkcs1.key"],
        "RSA-2048",
    ),
    ("server-ed25519.pem", &["server-ed25519.key"], "Ed25519"),
    ("client.pem", &["client.key"], "ECDSA P-256"),
];

fn load(cert: &str, key: &str) -> Result<CertifiedKey, Error> {
    CertifiedKey::from_pem_files(support::path(cert), support::path(key))
}

#[test]
fn matching_key_and_certificate_load() {
    for (cert, keys, _) in KEYS {
        for key in *keys {
            assert!(load(cert, key).is_ok(), "{cert} with {key}");
        }
    }
}

#[test]
fn mismatched_key_and_certificate_are_refused() {
    // The case the review found, word for word.
    assert_eq!(
        load("server.pem", "server-p384.key").unwrap_err(),
        Error::Config(
            "private key does not match certificate 'CN=localhost,O=lctls test': the key is \
             ECDSA P-384, the certificate's public key is ECDSA P-256"
                .into()
        )
    );
    // Same algorithm, different key.
    assert_eq!(
        load("server.pem", "client.key").unwrap_err(),
        Error::Config(
            "private key does not match certificate 'CN=localhost,O=lctls test': the key is \
             ECDSA P-256, the certificate's public key is a different ECDSA P-256 key"
                .into()
        )
    );
    // Every other pairing of the test PKI's certificates and keys.
    for (i, (cert, _, _)) in KEYS.iter().enumerate() {
        for (j, (_, keys, key_kind)) in KEYS.iter().enumerate() {
            if i == j {
                continue;
            }
            for key in *keys {
                let Err(Error::Config(msg)) = load(cert, key) else {
                    panic!("{cert} with {key} was accepted");
                };
                assert!(
                    msg.starts_with("private key does not match certificate '")
                        && msg.contains(&format!("the key is {key_kind},")),
                    "{cert} with {key}: {msg}"
                );
            }
        }
    }
}

/// A reload with a mismatched pair fails and the old certificate keeps
/// serving handshakes; a good reload still takes effect.
#[tokio::test]
async fn failed_reload_keeps_the_old_certificate() {
    use lctls::config::ReloadableCert;
    let reloadable = Arc::new(ReloadableCert::new(
        load("server.pem", "server.key").expect("server"),
    ));
    let sc = Arc::new(
        ServerConfig::builder()
            .with_cert_resolver(reloadable.clone())
            .build()
            .expect("server config"),
    );
    let err = reloadable
        .reload_pem_files(
            support::path("server.pem"),
            support::path("server-p384.key"),
        )
        .unwrap_err();
    assert!(
        matches!(&err, Error::Config(m) if m.starts_with("private key does not match")),
        "{err:?}"
    );
    let served = |name: &str| support::pem_certs(name)[0].clone();
    let (c, _s) = support::timeout(support::pair(
        support::client_config(),
        sc.clone(),
        "localhost",
    ))
    .await;
    assert_eq!(c.peer_certificates()[0], served("server.pem"));

    reloadable
        .reload_pem_files(
            support::path("server-rsa.pem"),
            support::path("server-rsa.key"),
        )
        .expect("good reload");
    let (c, _s) = support::timeout(support::pair(support::client_config(), sc, "localhost")).await;
    assert_eq!(c.peer_certificates()[0], served("server-rsa.pem"));
}

// ------------------------------- defect 10 (pki): name forms and policies

use rcgen::{CustomExtension, DnValue};
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
            KeyPurpose::ServerAuth,
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
    assert_eq!(permitted.verify(leaf_named(dn(&[]), sans())), Ok(()));
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
            "CN=leaf",
            "critical certificatePolicies has policy qualifier 1.2.3.9, which we cannot interpret"
        )
    );
    assert_eq!(
        leaf(true, &[(DV, None), (DV, None)]),
        policy_err(
            "CN=leaf",
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

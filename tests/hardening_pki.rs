//! Hardening of certificate validation and certificate loading against a
//! hostile peer or a mistaken operator (issue 9): name-constraint cost on
//! untrusted chains (defect 3) and key/certificate mismatch (defect 6). The
//! name forms and policies of defect 10 are in hardening_pki_forms.rs.

mod pki_support;
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use lctls::config::{CertifiedKey, ServerConfig};
use lctls::pki::{
    verify_chain, CertificateDer, CertificateError, DefaultClientVerifier, KeyPurpose, RootStore,
    ServerName,
};
use lctls::proto::enums::AlertDescription;
use lctls::{Error, TlsAcceptor, TlsConnector};
use pki_support::*;
use rcgen::{CertificateParams, GeneralSubtree, KeyPair, NameConstraints};
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

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

//! Heap allocations of certificate verification (issue 15: a full handshake
//! parses two certificates, and each copied its names, key, signature and
//! extension values out of its DER: about 18 allocations per certificate).
//!
//! One test in this binary on purpose: the counting allocator is global, and
//! a second test running beside it would count into the same totals.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use stats_alloc::{StatsAlloc, INSTRUMENTED_SYSTEM};

use lctls::pki::{verify_chain, verify_tls13_signature, KeyPurpose, RootStore};
use lctls::proto::enums::SignatureScheme;

#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

const CERTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");

/// Allocations `f` makes, the least of a few runs (after one to warm up
/// lazily initialised state).
fn allocations<T>(mut f: impl FnMut() -> T) -> usize {
    drop(f());
    (0..3)
        .map(|_| {
            let before = GLOBAL.stats().allocations;
            drop(f());
            GLOBAL.stats().allocations.saturating_sub(before)
        })
        .min()
        .unwrap_or(usize::MAX)
}

#[test]
fn verifying_a_chain_does_not_copy_the_certificates_apart() {
    let mut roots = RootStore::new();
    roots
        .add_pem_file(format!("{CERTS}/ca.pem"))
        .expect("ca.pem");
    let chain: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(format!("{CERTS}/server.pem"))
            .expect("server.pem")
            .collect::<Result<_, _>>()
            .expect("PEM");
    let (leaf, intermediates) = chain.split_first().expect("leaf");
    let name = ServerName::try_from("localhost").expect("name");
    let now = UnixTime::now();
    let verify = || {
        verify_chain(
            &roots,
            leaf,
            intermediates,
            Some(&name),
            now,
            KeyPurpose::ServerAuth,
        )
        .expect("valid chain")
    };
    let n = allocations(verify);
    // Certificates are decoded in place; the path handed back holds a copy
    // of each (3, plus its Vec), and the rest is path building's
    // bookkeeping. When each decode copied its fields out of the DER this
    // was 45 (8 now).
    println!("verify_chain: {n} allocations");
    assert!(n <= 9, "verify_chain made {n} allocations");

    // A CertificateVerify check reads the key out of the leaf in place.
    let key = PrivateKeyDer::from_pem_file(format!("{CERTS}/server.key")).expect("server.key");
    let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, key.secret_der())
        .expect("PKCS#8 P-256 key");
    let sig = key.sign(&SystemRandom::new(), b"message").expect("signs");
    let check = || {
        verify_tls13_signature(
            leaf,
            SignatureScheme::ECDSA_NISTP256_SHA256,
            b"message",
            sig.as_ref(),
        )
        .expect("verifies")
    };
    let n = allocations(check);
    // Before, the key, its parameters and the subject were copied out
    // (and x509-cert's decode of the key made two more).
    println!("verify_tls13_signature: {n} allocations");
    assert_eq!(n, 0, "verify_tls13_signature made {n} allocations");
}

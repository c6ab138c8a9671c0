//! The default verifiers' opt-in verified-chain cache
//! (`with_verification_cache`): what hits, what must not, what it holds,
//! and a real TLS 1.3 mutual-TLS handshake pair whose second connection is
//! answered from the cache on both sides.

mod common;

use std::sync::Arc;
use std::time::Duration;

use lctls::config::{CertifiedKey, ClientConfig, ServerConfig};
use lctls::pki::{
    CertificateDer, CertificateError, ClientCertVerifier, DefaultClientVerifier,
    DefaultServerVerifier, RootStore, ServerCertVerifier, ServerName, UnixTime,
    VerificationCacheStats,
};
use lctls::{TlsAcceptor, TlsConnector};
use rustls_pki_types::pem::PemObject;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn chain(file: &str) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_file_iter(common::cert_path(file))
        .expect("readable")
        .collect::<Result<Vec<_>, _>>()
        .expect("PEM")
}

fn roots(files: &[&str]) -> Arc<RootStore> {
    let mut r = RootStore::new();
    for f in files {
        r.add_pem_file(common::cert_path(f)).expect("roots");
    }
    Arc::new(r)
}

fn name(n: &str) -> ServerName<'static> {
    ServerName::try_from(n.to_string()).expect("name")
}

/// Whole seconds since the epoch, for the verifiers' `now`.
fn at(secs: u64) -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(secs))
}

/// 2030-01-01: inside every test certificate's validity (they were made
/// for 20 years in 2026).
const T: u64 = 1_893_456_000;

/// The subject of certs/server.pem's leaf, as errors name it.
const LEAF: &str = "CN=localhost,O=lctls test";

fn server_verifier(capacity: usize) -> DefaultServerVerifier {
    DefaultServerVerifier::new(roots(&["ca.pem"])).with_verification_cache(capacity)
}

/// A time as certificate errors print it.
fn rfc3339(secs: u64) -> String {
    x509_cert::der::DateTime::from_unix_duration(Duration::from_secs(secs))
        .expect("representable")
        .to_string()
}

/// A certificate's (notBefore, notAfter) as certificate errors print them.
fn validity(cert: &CertificateDer<'_>) -> (String, String) {
    use x509_cert::der::Decode;
    let c = x509_cert::Certificate::from_der(cert.as_ref()).expect("certificate");
    let v = &c.tbs_certificate.validity;
    let secs = |t: &x509_cert::time::Time| rfc3339(t.to_unix_duration().as_secs());
    (secs(&v.not_before), secs(&v.not_after))
}

/// `v`, certs/server.pem's chain and the name "localhost", after one
/// successful verification (a miss, stored).
fn primed(
    v: DefaultServerVerifier,
) -> (
    DefaultServerVerifier,
    Vec<CertificateDer<'static>>,
    ServerName<'static>,
) {
    let (c, n) = (chain("server.pem"), name("localhost"));
    assert_eq!(v.verify_server_cert(&c[0], &c[1..], &n, at(T)), Ok(()));
    assert_eq!(counts(v.verification_cache_stats()), (0, 1, 1));
    (v, c, n)
}

/// (hits, misses, len) of a verifier's cache.
fn counts(s: Option<VerificationCacheStats>) -> (u64, u64, usize) {
    let s = s.expect("the cache is on");
    (s.hits, s.misses, s.len)
}

#[test]
fn off_by_default_and_zero_is_off() {
    let v = DefaultServerVerifier::new(roots(&["ca.pem"]));
    assert_eq!(v.verification_cache_stats(), None);
    assert_eq!(server_verifier(0).verification_cache_stats(), None);
    let c = DefaultClientVerifier::new(roots(&["ca.pem"]));
    assert_eq!(c.verification_cache_stats(), None);
    let s = server_verifier(7).verification_cache_stats().expect("on");
    assert_eq!((s.hits, s.misses, s.len, s.capacity), (0, 0, 0, 7));
}

#[test]
fn a_hit_skips_verification() {
    let (v, c, n) = primed(server_verifier(16));
    for i in 1..=3 {
        assert_eq!(v.verify_server_cert(&c[0], &c[1..], &n, at(T + i)), Ok(()));
    }
    // Three answers from the cache, one verification in full.
    assert_eq!(counts(v.verification_cache_stats()), (3, 1, 1));
    // Clones share the cache (same roots, same options).
    let clone = v.clone();
    assert_eq!(clone.verify_server_cert(&c[0], &c[1..], &n, at(T)), Ok(()));
    assert_eq!(counts(v.verification_cache_stats()), (4, 1, 1));
}

#[test]
fn another_name_misses() {
    let v = server_verifier(16);
    let c = chain("server.pem");
    assert_eq!(
        v.verify_server_cert(&c[0], &c[1..], &name("localhost"), at(T)),
        Ok(())
    );
    // Another name the certificate holds: verified again, stored apart.
    assert_eq!(
        v.verify_server_cert(&c[0], &c[1..], &name("127.0.0.1"), at(T)),
        Ok(())
    );
    assert_eq!(counts(v.verification_cache_stats()), (0, 2, 2));
    // A name it does not hold fails, though the chain is cached for others.
    let want = Err(CertificateError::NotValidForName {
        expected: "example.com".into(),
        presented: vec!["localhost".into(), "127.0.0.1".into(), "::1".into()],
    });
    let got = v.verify_server_cert(&c[0], &c[1..], &name("example.com"), at(T));
    assert_eq!(got, want);
    assert_eq!(counts(v.verification_cache_stats()), (0, 3, 2));
}

#[test]
fn another_chain_byte_misses() {
    let (v, c, n) = primed(server_verifier(16));

    // The last byte of the leaf is in its signature: a chain one byte away
    // from a cached one is verified, and fails.
    let mut leaf = c[0].as_ref().to_vec();
    let last = leaf.len() - 1;
    leaf[last] ^= 1;
    let got = v.verify_server_cert(&CertificateDer::from(leaf), &c[1..], &n, at(T));
    assert_eq!(
        got,
        Err(CertificateError::BadSignature {
            subject: LEAF.into()
        })
    );
    // The same certificates presented otherwise (the intermediate twice):
    // another key, verified in full, accepted.
    let twice = [c[1].clone(), c[1].clone()];
    assert_eq!(v.verify_server_cert(&c[0], &twice, &n, at(T)), Ok(()));
    assert_eq!(counts(v.verification_cache_stats()), (0, 3, 2));
}

#[test]
fn another_root_store_never_hits() {
    let (v, c, n) = primed(server_verifier(16));
    // A verifier over other roots has its own cache and its own answer.
    let other = DefaultServerVerifier::new(roots(&["other-ca.pem"])).with_verification_cache(16);
    let got = other.verify_server_cert(&c[0], &c[1..], &n, at(T));
    assert_eq!(
        got,
        Err(CertificateError::UnknownIssuer {
            subject: "CN=lctls test intermediate CA,O=lctls test".into(),
            issuer: "CN=lctls test root CA,O=lctls test".into(),
        })
    );
    assert_eq!(counts(other.verification_cache_stats()), (0, 1, 0));
    // Equal roots in another store: verified afresh, not taken from `v`.
    let twin = DefaultServerVerifier::new(roots(&["ca.pem"])).with_verification_cache(16);
    assert_eq!(twin.verify_server_cert(&c[0], &c[1..], &n, at(T)), Ok(()));
    assert_eq!(counts(twin.verification_cache_stats()), (0, 1, 1));
    // New options give a clone a fresh cache.
    let stricter = v
        .clone()
        .with_options(lctls::pki::VerifyOptions::new().with_max_intermediates(0));
    let got = stricter.verify_server_cert(&c[0], &c[1..], &n, at(T));
    assert_eq!(
        got,
        Err(CertificateError::ChainTooLong {
            max_intermediates: 0
        })
    );
    assert_eq!(counts(stricter.verification_cache_stats()), (0, 1, 0));
    assert_eq!(counts(v.verification_cache_stats()), (0, 1, 1));
}

#[test]
fn entries_expire_with_the_ttl_and_the_certificates() {
    let (v, c, n) =
        primed(server_verifier(16).with_verification_cache_ttl(Duration::from_secs(60)));
    assert_eq!(v.verify_server_cert(&c[0], &c[1..], &n, at(T + 60)), Ok(()));
    assert_eq!(counts(v.verification_cache_stats()), (1, 1, 1));
    // One second past the TTL: verified again (and stored again).
    assert_eq!(v.verify_server_cert(&c[0], &c[1..], &n, at(T + 61)), Ok(()));
    assert_eq!(counts(v.verification_cache_stats()), (1, 2, 1));

    // A TTL far beyond the certificates' notAfter: the entry still ends
    // there, and the verification's own error comes back.
    let long = server_verifier(16).with_verification_cache_ttl(Duration::from_secs(u64::MAX));
    assert_eq!(long.verify_server_cert(&c[0], &c[1..], &n, at(T)), Ok(()));
    let after = T + 100 * 365 * 86_400;
    let (not_before, not_after) = validity(&c[0]);
    assert_eq!(
        long.verify_server_cert(&c[0], &c[1..], &n, at(after)),
        Err(CertificateError::Expired {
            subject: LEAF.into(),
            not_after,
            now: rfc3339(after),
        })
    );
    // And before the certificates' notBefore (a clock set back).
    assert_eq!(
        long.verify_server_cert(&c[0], &c[1..], &n, at(0)),
        Err(CertificateError::NotYetValid {
            subject: LEAF.into(),
            not_before,
            now: "1970-01-01T00:00:00Z".into(),
        })
    );
    assert_eq!(counts(long.verification_cache_stats()), (0, 3, 0));
}

#[test]
fn failures_are_never_cached() {
    let v = server_verifier(16);
    let c = chain("wrong-name.pem");
    let n = name("localhost");
    let want = Err(CertificateError::NotValidForName {
        expected: "localhost".into(),
        presented: vec!["wrong.example.com".into()],
    });
    assert_eq!(v.verify_server_cert(&c[0], &c[1..], &n, at(T)), want);
    assert_eq!(v.verify_server_cert(&c[0], &c[1..], &n, at(T)), want);
    assert_eq!(counts(v.verification_cache_stats()), (0, 2, 0));
}

#[test]
fn the_cache_never_grows_beyond_its_capacity() {
    const CAPACITY: usize = 4;
    let v = server_verifier(CAPACITY);
    let c = chain("server.pem");
    let n = name("localhost");
    // Distinct chains that all verify: an undecodable extra certificate is
    // skipped by path building but is part of the chain's bytes.
    let extra = |i: u8| [c[1].clone(), CertificateDer::from(vec![i])];
    for i in 0..(CAPACITY as u8 + 6) {
        assert_eq!(v.verify_server_cert(&c[0], &extra(i), &n, at(T)), Ok(()));
        let (_, _, len) = counts(v.verification_cache_stats());
        assert_eq!(len, (usize::from(i) + 1).min(CAPACITY), "after chain {i}");
    }
    assert_eq!(counts(v.verification_cache_stats()), (0, 10, CAPACITY));
    // The most recent ones are held, the oldest were evicted.
    assert_eq!(v.verify_server_cert(&c[0], &extra(9), &n, at(T)), Ok(()));
    assert_eq!(counts(v.verification_cache_stats()), (1, 10, CAPACITY));
    assert_eq!(v.verify_server_cert(&c[0], &extra(0), &n, at(T)), Ok(()));
    assert_eq!(counts(v.verification_cache_stats()), (1, 11, CAPACITY));
}

#[test]
fn client_chains_are_cached_per_purpose() {
    let v = DefaultClientVerifier::new(roots(&["ca.pem"])).with_verification_cache(8);
    let c = chain("client.pem");
    assert_eq!(v.verify_client_cert(&c[0], &c[1..], at(T)), Ok(()));
    assert_eq!(v.verify_client_cert(&c[0], &c[1..], at(T)), Ok(()));
    assert_eq!(counts(v.verification_cache_stats()), (1, 1, 1));
    // A server certificate without clientAuth fails, every time.
    let s = chain("server.pem");
    let want = Err(CertificateError::InvalidPurpose {
        subject: LEAF.into(),
        needed: "clientAuth",
    });
    assert_eq!(v.verify_client_cert(&s[0], &s[1..], at(T)), want);
    assert_eq!(v.verify_client_cert(&s[0], &s[1..], at(T)), want);
    assert_eq!(counts(v.verification_cache_stats()), (1, 3, 1));
}

#[test]
fn shared_by_threads() {
    const THREADS: u64 = 4;
    const EACH: u64 = 25;
    let v = Arc::new(server_verifier(8));
    let c = Arc::new(chain("server.pem"));
    let workers: Vec<_> = (0..THREADS)
        .map(|_| {
            let (v, c) = (v.clone(), c.clone());
            std::thread::spawn(move || {
                for i in 0..EACH {
                    let r = v.verify_server_cert(&c[0], &c[1..], &name("localhost"), at(T + i));
                    assert_eq!(r, Ok(()));
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("worker");
    }
    let (hits, misses, len) = counts(v.verification_cache_stats());
    assert_eq!(hits + misses, THREADS * EACH);
    // Threads that missed at the same moment each verified; at most one per thread.
    assert!((1..=THREADS).contains(&misses), "{misses} misses");
    assert_eq!(len, 1);
}

#[test]
fn a_client_config_takes_the_verifier_without_dangerous() {
    let err = ClientConfig::builder()
        .with_verifier(DefaultServerVerifier::new(Arc::new(RootStore::new())))
        .build()
        .err();
    assert_eq!(
        err.map(|e| e.to_string()),
        Some(lctls::Error::Config("the root store is empty".into()).to_string())
    );
}

fn certified(file: &str) -> CertifiedKey {
    CertifiedKey::from_pem_files(
        common::cert_path(&format!("{file}.pem")),
        common::cert_path(&format!("{file}.key")),
    )
    .expect("certified key")
}

/// One TLS 1.3 mutual-TLS connection over an in-memory pipe, four bytes
/// each way; returns the chains each side received.
async fn connect_once(
    connector: &TlsConnector,
    acceptor: &TlsAcceptor,
) -> (Vec<CertificateDer<'static>>, Vec<CertificateDer<'static>>) {
    let (a, b) = tokio::io::duplex(64 * 1024);
    let client = async {
        let mut c = connector.connect("localhost", a).await.expect("connect");
        c.write_all(b"ping").await.expect("write");
        c.flush().await.expect("flush");
        let mut buf = [0u8; 4];
        c.read_exact(&mut buf).await.expect("read");
        assert_eq!(&buf, b"pong");
        assert_eq!(
            c.protocol_version(),
            Some(lctls::proto::enums::ProtocolVersion::TLSv1_3)
        );
        c.peer_certificates().to_vec()
    };
    let server = async {
        let mut s = acceptor.accept(b).await.expect("accept");
        let mut buf = [0u8; 4];
        s.read_exact(&mut buf).await.expect("read");
        assert_eq!(&buf, b"ping");
        s.write_all(b"pong").await.expect("write");
        s.flush().await.expect("flush");
        s.peer_certificates().to_vec()
    };
    tokio::time::timeout(common::TIMEOUT, async { tokio::join!(client, server) })
        .await
        .expect("handshake pair timed out")
}

#[tokio::test]
async fn mtls_handshakes_hit_on_both_sides() {
    let server_side = DefaultServerVerifier::new(roots(&["ca.pem"])).with_verification_cache(16);
    let client_side =
        Arc::new(DefaultClientVerifier::new(roots(&["ca.pem"])).with_verification_cache(16));
    let client = ClientConfig::builder()
        // A clone shares the cache, so its counters can be read here.
        .with_verifier(server_side.clone())
        .with_client_cert(certified("client"))
        .with_protocol_versions(&[lctls::proto::enums::ProtocolVersion::TLSv1_3])
        .with_session_cache_size(0)
        .build()
        .expect("client config");
    let server = ServerConfig::builder()
        .with_certified_key(certified("server"))
        .with_client_cert_verifier(client_side.clone())
        .with_tickets(false)
        .with_session_cache_size(0)
        .build()
        .expect("server config");
    let connector = TlsConnector::from(Arc::new(client));
    let acceptor = TlsAcceptor::from(Arc::new(server));

    let first = connect_once(&connector, &acceptor).await;
    assert_eq!(counts(server_side.verification_cache_stats()), (0, 1, 1));
    assert_eq!(counts(client_side.verification_cache_stats()), (0, 1, 1));
    let second = connect_once(&connector, &acceptor).await;
    assert_eq!(counts(server_side.verification_cache_stats()), (1, 1, 1));
    assert_eq!(counts(client_side.verification_cache_stats()), (1, 1, 1));
    // A hit gives the connection what a full verification gave.
    assert_eq!(first, second);
    assert_eq!(first.0, chain("server.pem"));
    assert_eq!(first.1, chain("client.pem"));
}

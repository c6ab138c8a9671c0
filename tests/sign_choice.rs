//! Which signature scheme we sign with (`with_signing_schemes` on both
//! builders, `CertifiedKey::with_signing_schemes`), which of several server
//! certificates a client gets (`SniResolver` with several keys per name), and
//! secp521r1 key exchange (opt-in), checked against `openssl s_client` /
//! `s_server`, whose `-brief` summary reports the scheme, the certificate's
//! key type and the ECDH group it saw.

mod common;
mod support;

use std::sync::Arc;

use lctls::config::{CertifiedKey, ClientConfig, ResolvesClientCert, ServerConfig, SniResolver};
use lctls::proto::enums::{AlertDescription, NamedGroup, ProtocolVersion, SignatureScheme};
use lctls::proto::Negotiated;
use lctls::{Error, TlsAcceptor, TlsConnector};
use support::{certified_key, TEST_TIMEOUT};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const TLS13: (ProtocolVersion, &str) = (ProtocolVersion::TLSv1_3, "-tls1_3");
const TLS12: (ProtocolVersion, &str) = (ProtocolVersion::TLSv1_2, "-tls1_2");

/// Serves one connection on loopback: handshake, "hello\n", close. Returns
/// the port and the handshake's outcome (what it negotiated, or its error).
async fn serve_once(config: ServerConfig) -> (u16, ServerTask) {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await?;
        let mut tls = TlsAcceptor::from(Arc::new(config)).accept(tcp).await?;
        let negotiated = tls.negotiated().clone();
        tls.write_all(b"hello\n").await?;
        tls.flush().await?;
        // Until s_client closes (bounded by the caller's timeout).
        let mut buf = [0u8; 64];
        let _ = tls.read(&mut buf).await;
        Ok(negotiated)
    });
    (port, task)
}

/// `openssl s_client -brief` (`version` flag, then `extra`) against our
/// server on `port`: waits for its "hello" (when `expect_ok`) or for the
/// client to give up, and returns s_client's stderr, which carries the
/// -brief summary ("Hash used: SHA384", "Signature type: RSA-PSS", "Server
/// Temp Key: ECDH, P-521, 521 bits") or the alert it received.
async fn s_client_brief(port: u16, version: &str, expect_ok: bool, extra: &[&str]) -> String {
    let mut args = vec!["-brief"];
    args.extend_from_slice(extra);
    let mut c = common::openssl_s_client_version(port, version, true, true, &args);
    if expect_ok {
        assert!(
            c.wait_stdout_contains(b"hello\n", TEST_TIMEOUT).await,
            "no data from our server:\n{}",
            c.describe()
        );
    }
    c.close_stdin();
    c.wait_exit(TEST_TIMEOUT).await.expect("s_client exits");
    c.stderr_text()
}

type ServerTask = tokio::task::JoinHandle<std::io::Result<Negotiated>>;

/// [`serve_once`] with `config`, then [`s_client_brief`] against it:
/// s_client's summary and our server's [`outcome`].
async fn brief_against(
    config: ServerConfig,
    version: &str,
    expect_ok: bool,
    extra: &[&str],
) -> (String, Result<Negotiated, Error>) {
    let (port, server) = serve_once(config).await;
    let brief = s_client_brief(port, version, expect_ok, extra).await;
    (brief, outcome(server).await)
}

/// A server config choosing its certificate with `resolver`.
fn resolver_config(resolver: Arc<dyn lctls::config::ResolvesServerCert>) -> ServerConfig {
    ServerConfig::builder()
        .with_cert_resolver(resolver)
        .build()
        .unwrap()
}

/// The server's outcome, within the test's time limit: what it negotiated,
/// or the TLS error that ended it.
async fn outcome(task: ServerTask) -> Result<Negotiated, Error> {
    tokio::time::timeout(TEST_TIMEOUT, task)
        .await
        .expect("server finished in time")
        .expect("server task")
        .map_err(|e| support::tls_err(&e).clone())
}

fn rsa_key() -> CertifiedKey {
    certified_key("server-rsa", "server-rsa.key")
}

fn ecdsa_key() -> CertifiedKey {
    certified_key("server", "server.key")
}

// ---------------------------------------------------------------------------
// with_signing_schemes: what we sign with

/// s_client prefers rsa_pss_rsae_sha256 (first in its list); by default our
/// RSA key uses it, and with `with_signing_schemes` the server signs with the
/// first of ours instead: rsa_pss_rsae_sha384, in both versions.
#[tokio::test]
async fn server_signs_with_the_first_configured_scheme_the_client_accepts() {
    if !common::require("openssl") {
        return;
    }
    let offered = "rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512";
    for (version, flag) in [TLS13, TLS12] {
        for (ours, hash) in [
            (None, "SHA256"),
            (
                Some(
                    &[
                        SignatureScheme::RSA_PSS_SHA384,
                        SignatureScheme::RSA_PSS_SHA256,
                    ][..],
                ),
                "SHA384",
            ),
        ] {
            let mut b = ServerConfig::builder()
                .with_certified_key(rsa_key())
                .with_protocol_versions(&[version]);
            if let Some(s) = ours {
                b = b.with_signing_schemes(s);
            }
            let (brief, served) =
                brief_against(b.build().unwrap(), flag, true, &["-sigalgs", offered]).await;
            assert!(
                brief.contains(&format!("Hash used: {hash}"))
                    && brief.contains("Signature type: RSA-PSS"),
                "{version:?} {ours:?}: s_client saw:\n{brief}"
            );
            served.expect("handshake");
        }
    }
}

/// Our list and the client's have nothing in common: the server refuses with
/// handshake_failure and says so, in both versions.
#[tokio::test]
async fn server_with_disjoint_signing_schemes_fails_with_handshake_failure() {
    if !common::require("openssl") {
        return;
    }
    for (version, flag) in [TLS13, TLS12] {
        let config = ServerConfig::builder()
            .with_certified_key(rsa_key())
            .with_protocol_versions(&[version])
            .with_signing_schemes(&[SignatureScheme::RSA_PSS_SHA512])
            .build()
            .unwrap();
        let (brief, served) =
            brief_against(config, flag, false, &["-sigalgs", "rsa_pss_rsae_sha256"]).await;
        let err = served.expect_err("no scheme in common");
        assert_eq!(
            err.alert(),
            Some(AlertDescription::HandshakeFailure),
            "{version:?}: {err}"
        );
        assert!(
            err.to_string().contains("none of the signature schemes"),
            "{err}"
        );
        assert!(
            brief.contains("handshake failure"),
            "{version:?}: s_client saw:\n{brief}"
        );
    }
}

/// Connects our client (certs/client.pem, ECDSA P-256, chosen by `resolver`,
/// signing only with `signing`) to `openssl s_server -Verify 1`, which
/// requires a client certificate, and returns how the connection ended.
async fn client_auth_outcome(
    version: ProtocolVersion,
    flag: &str,
    resolver: Arc<dyn ResolvesClientCert>,
    signing: &[SignatureScheme],
) -> Error {
    let port = common::free_port();
    let ca = common::cert_arg("ca.pem");
    let _server = common::openssl_s_server_version(
        port,
        "server.pem",
        "server.key",
        flag,
        &["-naccept", "1", "-Verify", "1", "-CAfile", &ca],
    );
    let config = support::client_builder()
        .with_protocol_versions(&[version])
        .with_client_cert_resolver(resolver)
        .with_signing_schemes(signing)
        .build()
        .unwrap();
    let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let r = tokio::time::timeout(TEST_TIMEOUT, async {
        let mut tls = TlsConnector::from(Arc::new(config))
            .connect("localhost", tcp)
            .await?;
        // TLS 1.3: the client's flight follows the server's Finished, so
        // the server's verdict arrives on the first read.
        let mut buf = [0u8; 8];
        tls.read(&mut buf).await.map(|_| ())
    })
    .await
    .expect("in time");
    support::handshake_err(r)
}

/// Offers its one key whatever the server asks for.
#[derive(Debug)]
struct Insistent(Arc<CertifiedKey>);

impl ResolvesClientCert for Insistent {
    fn resolve(&self, _: &[Vec<u8>], _: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }
}

/// Our client's key (ECDSA P-256) may only sign with a scheme it cannot
/// make. Its certificate is then not one it can use: `with_client_cert`
/// sends an empty Certificate (RFC 8446 section 4.4.2.3), which s_server,
/// requiring one, refuses; a resolver that offers the key anyway gets
/// handshake_failure from our client, which says why.
#[tokio::test]
async fn client_with_no_usable_signing_scheme() {
    if !common::require("openssl") {
        return;
    }
    let only_p384 = [SignatureScheme::ECDSA_NISTP384_SHA384];
    for (version, flag, refusal) in [
        (TLS13.0, TLS13.1, AlertDescription::CertificateRequired),
        (TLS12.0, TLS12.1, AlertDescription::HandshakeFailure),
    ] {
        let single = lctls::config::ClientCertChooser::new();
        let mut single = single;
        single.add(certified_key("client", "client.key")).unwrap();
        let err = client_auth_outcome(version, flag, Arc::new(single), &only_p384).await;
        assert_eq!(err, Error::AlertReceived(refusal), "{version:?}: {err}");

        let key = Arc::new(certified_key("client", "client.key"));
        let err = client_auth_outcome(version, flag, Arc::new(Insistent(key)), &only_p384).await;
        assert_eq!(
            err.alert(),
            Some(AlertDescription::HandshakeFailure),
            "{version:?}: {err}"
        );
        assert!(
            err.to_string().contains("none of the signature schemes"),
            "{err}"
        );
    }
}

/// Lists that could only be mistakes are refused when the config is built:
/// empty, or naming a scheme lctls never signs with (SHA-1).
#[test]
fn signing_scheme_lists_are_checked() {
    for bad in [&[][..], &[SignatureScheme::RSA_PKCS1_SHA1][..]] {
        let err = ServerConfig::builder()
            .with_certified_key(rsa_key())
            .with_signing_schemes(bad)
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{bad:?}: {err}");
        let err = support::client_builder()
            .with_signing_schemes(bad)
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{bad:?}: {err}");
        let err = rsa_key().with_signing_schemes(bad).unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{bad:?}: {err}");
    }
}

/// A key's own list narrows what it signs with: the same RSA key restricted
/// to rsa_pss_rsae_sha512 signs with it although the client prefers SHA-256.
#[tokio::test]
async fn a_keys_own_signing_schemes_apply() {
    if !common::require("openssl") {
        return;
    }
    let key = rsa_key()
        .with_signing_schemes(&[SignatureScheme::RSA_PSS_SHA512])
        .unwrap();
    let config = ServerConfig::builder()
        .with_certified_key(key)
        .build()
        .unwrap();
    let (brief, served) = brief_against(
        config,
        "-tls1_3",
        true,
        &["-sigalgs", "rsa_pss_rsae_sha256:rsa_pss_rsae_sha512"],
    )
    .await;
    assert!(
        brief.contains("Hash used: SHA512"),
        "s_client saw:\n{brief}"
    );
    served.expect("handshake");
}

// ---------------------------------------------------------------------------
// Several certificates for one name

/// An ECDSA and an RSA certificate for localhost (ECDSA first).
fn two_keys() -> SniResolver {
    let mut sni = SniResolver::new();
    sni.add("localhost", ecdsa_key()).unwrap();
    sni.add("localhost", rsa_key()).unwrap();
    sni
}

/// A client that accepts only RSA signatures gets the RSA certificate, one
/// that accepts only ECDSA the ECDSA one, in both versions.
#[tokio::test]
async fn certificate_is_chosen_by_the_clients_signature_schemes() {
    if !common::require("openssl") {
        return;
    }
    for (version, flag) in [TLS13, TLS12] {
        for (sigalgs, kind) in [
            ("rsa_pss_rsae_sha256", "RSA-PSS"),
            ("ecdsa_secp256r1_sha256", "ECDSA"),
        ] {
            let config = ServerConfig::builder()
                .with_cert_resolver(Arc::new(two_keys()))
                .with_protocol_versions(&[version])
                .build()
                .unwrap();
            let (brief, served) = brief_against(config, flag, true, &["-sigalgs", sigalgs]).await;
            assert!(
                brief.contains(&format!("Signature type: {kind}")),
                "{version:?} {sigalgs}: s_client saw:\n{brief}"
            );
            served.expect("handshake");
        }
    }
}

/// TLS 1.2: a client offering only ECDHE_RSA suites gets the RSA certificate
/// although it accepts ECDSA signatures too (an ECDSA key needs an
/// ECDHE_ECDSA suite); one offering only ECDHE_ECDSA gets the ECDSA one.
#[tokio::test]
async fn tls12_certificate_is_chosen_by_the_clients_cipher_suites() {
    if !common::require("openssl") {
        return;
    }
    for (cipher, suite) in [
        ("ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256"),
        (
            "ECDHE-ECDSA-AES128-GCM-SHA256",
            "ECDHE-ECDSA-AES128-GCM-SHA256",
        ),
    ] {
        let config = resolver_config(Arc::new(two_keys()));
        let (brief, served) = brief_against(config, "-tls1_2", true, &["-cipher", cipher]).await;
        assert!(
            brief.contains(&format!("Ciphersuite: {suite}")),
            "{cipher}: s_client saw:\n{brief}"
        );
        served.expect("handshake");
    }
}

/// When no certificate fits, the first is tried and the handshake fails
/// with handshake_failure saying why (not unrecognized_name: the name is known).
#[tokio::test]
async fn no_fitting_certificate_fails_with_handshake_failure() {
    if !common::require("openssl") {
        return;
    }
    let mut sni = SniResolver::new();
    sni.add("localhost", ecdsa_key()).unwrap();
    sni.add("localhost", certified_key("server-p384", "server-p384.key"))
        .unwrap();
    let config = resolver_config(Arc::new(sni));
    let (brief, served) = brief_against(
        config,
        "-tls1_3",
        false,
        &["-sigalgs", "rsa_pss_rsae_sha256"],
    )
    .await;
    let err = served.expect_err("no certificate fits");
    assert_eq!(
        err.alert(),
        Some(AlertDescription::HandshakeFailure),
        "{err}"
    );
    assert!(
        err.to_string().contains("ECDSA P-256"),
        "the first key is reported: {err}"
    );
    assert!(
        brief.contains("handshake failure"),
        "s_client saw:\n{brief}"
    );
}

/// Several defaults: a client whose name has no certificate of its own gets
/// the first default that fits.
#[tokio::test]
async fn several_default_certificates() {
    if !common::require("openssl") {
        return;
    }
    let mut sni = SniResolver::new();
    sni.add_default(ecdsa_key());
    sni.add_default(rsa_key());
    let config = resolver_config(Arc::new(sni));
    let (brief, served) = brief_against(
        config,
        "-tls1_3",
        true,
        &["-sigalgs", "rsa_pss_rsae_sha384"],
    )
    .await;
    assert!(
        brief.contains("Signature type: RSA-PSS"),
        "s_client saw:\n{brief}"
    );
    let n = served.expect("handshake");
    assert_eq!(n.sni.as_deref(), Some("localhost"));
}

// ---------------------------------------------------------------------------
// secp521r1 key exchange

/// With secp521r1 enabled, our server agrees on it with a client offering
/// only P-521, in both versions.
#[tokio::test]
async fn server_p521_key_exchange() {
    if !common::require("openssl") {
        return;
    }
    for (version, flag) in [TLS13, TLS12] {
        // RSA: in TLS 1.2 the client's curves (P-521 only) also limit an
        // ECDSA certificate's curve (RFC 8422 section 5.1).
        let config = ServerConfig::builder()
            .with_certified_key(rsa_key())
            .with_protocol_versions(&[version])
            .with_groups(&[NamedGroup::X25519, NamedGroup::secp521r1])
            .build()
            .unwrap();
        let (brief, served) = brief_against(config, flag, true, &["-groups", "P-521"]).await;
        assert!(
            brief.contains("Server Temp Key: ECDH, secp521r1"),
            "{version:?}: s_client saw:\n{brief}"
        );
        let n = served.expect("handshake");
        assert_eq!(n.group, Some(NamedGroup::secp521r1), "{version:?}");
    }
}

/// secp521r1 is opt-in, as in BoringSSL: a default server has no group in
/// common with a client offering only P-521 (handshake_failure).
#[tokio::test]
async fn p521_is_not_in_the_default_groups() {
    if !common::require("openssl") {
        return;
    }
    let config = ServerConfig::builder()
        .with_certified_key(ecdsa_key())
        .build()
        .unwrap();
    let (_, served) = brief_against(config, "-tls1_3", false, &["-groups", "P-521"]).await;
    let err = served.expect_err("no common group");
    assert!(matches!(err, Error::NoCommonGroup { .. }), "{err}");
    assert_eq!(err.alert(), Some(AlertDescription::HandshakeFailure));
}

/// Our client offering only secp521r1 completes with `openssl s_server
/// -groups P-521` and reports the group, in both versions.
#[tokio::test]
async fn client_p521_key_exchange() {
    if !common::require("openssl") {
        return;
    }
    for (version, flag) in [TLS13, TLS12] {
        let port = common::free_port();
        // An RSA certificate: in TLS 1.2 the curve list also limits ECDSA
        // certificates (RFC 8422), and P-521 is the only curve here.
        let mut server = common::openssl_s_server_version(
            port,
            "server-rsa.pem",
            "server-rsa.key",
            flag,
            &["-naccept", "1", "-groups", "P-521"],
        );
        let config: ClientConfig = support::client_builder()
            .with_protocol_versions(&[version])
            .with_groups(&[NamedGroup::secp521r1])
            .build()
            .unwrap();
        let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let tls = tokio::time::timeout(
            TEST_TIMEOUT,
            TlsConnector::from(Arc::new(config)).connect("localhost", tcp),
        )
        .await
        .expect("in time")
        .unwrap_or_else(|e| panic!("{version:?}: {e:?} {}", server.describe()));
        assert_eq!(
            tls.negotiated().group,
            Some(NamedGroup::secp521r1),
            "{version:?}"
        );
        common::reverse_roundtrip_and_close(tls, "p521").await;
    }
}

// ---------------------------------------------------------------------------
// Resolvers that fail the handshake themselves

/// A server resolver whose certificate store is unreachable.
#[derive(Debug)]
struct StoreDown;

impl lctls::config::ResolvesServerCert for StoreDown {
    fn resolve(&self, _: &lctls::config::ClientHelloInfo<'_>) -> Option<Arc<CertifiedKey>> {
        None
    }

    fn try_resolve(
        &self,
        _: &lctls::config::ClientHelloInfo<'_>,
    ) -> Result<Arc<CertifiedKey>, Error> {
        Err(Error::internal("certificate store unreachable"))
    }
}

/// `try_resolve`'s error ends the handshake with its own alert
/// (internal_error here, where `resolve`'s None would be unrecognized_name).
#[tokio::test]
async fn server_resolver_error_is_sent_as_its_alert() {
    if !common::require("openssl") {
        return;
    }
    let config = resolver_config(Arc::new(StoreDown));
    let (brief, served) = brief_against(config, "-tls1_3", false, &[]).await;
    let err = served.expect_err("resolver refused");
    assert_eq!(err, Error::internal("certificate store unreachable"));
    assert!(brief.contains("internal error"), "s_client saw:\n{brief}");
}

/// A client resolver that refuses rather than send an empty Certificate.
#[derive(Debug)]
struct Refuses;

impl ResolvesClientCert for Refuses {
    fn resolve(&self, _: &[Vec<u8>], _: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        None
    }

    fn try_resolve(
        &self,
        _: &[Vec<u8>],
        _: &[SignatureScheme],
    ) -> Result<Option<Arc<CertifiedKey>>, Error> {
        Err(Error::handshake(
            "no certificate from the server's authorities",
        ))
    }
}

#[tokio::test]
async fn client_resolver_error_ends_the_handshake() {
    if !common::require("openssl") {
        return;
    }
    for (version, flag) in [TLS13, TLS12] {
        let err = client_auth_outcome(
            version,
            flag,
            Arc::new(Refuses),
            &[SignatureScheme::ECDSA_NISTP256_SHA256],
        )
        .await;
        assert_eq!(
            err,
            Error::handshake("no certificate from the server's authorities"),
            "{version:?}"
        );
    }
}

/// `issued_by_any` looks at every certificate of the chain: client.pem
/// (leaf, intermediate) chains to ca.pem's subject, not to other-ca's.
#[test]
fn issued_by_any_matches_the_chains_issuers() {
    let key = certified_key("client", "client.key");
    assert!(key.issued_by_any(&support::roots().subjects()));
    let mut other = lctls::pki::RootStore::new();
    other.add_pem_file(support::path("other-ca.pem")).unwrap();
    assert!(!key.issued_by_any(&other.subjects()));
    assert!(!key.issued_by_any(&[]));
}

// ---------------------------------------------------------------------------
// The client's certificate_authorities hint reaches the certificate choice

/// Serves its key only to clients whose certificate_authorities hint names
/// an issuer of its chain (and records every hint it sees).
#[derive(Debug)]
struct ByAuthority {
    key: Arc<CertifiedKey>,
    seen: std::sync::Mutex<Vec<Vec<Vec<u8>>>>,
}

impl lctls::config::ResolvesServerCert for ByAuthority {
    fn resolve(&self, hello: &lctls::config::ClientHelloInfo<'_>) -> Option<Arc<CertifiedKey>> {
        self.seen
            .lock()
            .unwrap()
            .push(hello.certificate_authorities.to_vec());
        self.key
            .issued_by_any(hello.certificate_authorities)
            .then(|| self.key.clone())
    }
}

/// Our ClientHello, given a certificate_authorities extension (RFC 8446
/// section 4.2.4) naming ca.pem's subject, reaches the resolver with that
/// hint; without one the resolver sees none (and refuses: unrecognized_name).
#[test]
fn client_hello_certificate_authorities_reach_the_resolver() {
    use lctls::proto::Connection;
    let subjects = support::roots().subjects();
    let mut body = Vec::new();
    let list: Vec<u8> = subjects
        .iter()
        .flat_map(|dn| [&(dn.len() as u16).to_be_bytes()[..], dn].concat())
        .collect();
    body.extend_from_slice(&(list.len() as u16).to_be_bytes());
    body.extend_from_slice(&list);
    for hint in [Some(body), None] {
        let resolver = Arc::new(ByAuthority {
            key: Arc::new(ecdsa_key()),
            seen: Default::default(),
        });
        let config = resolver_config(resolver.clone());
        let mut server = Connection::new_server(Arc::new(config));
        let mut client = support::sans_io_client(support::client_config(), "localhost");
        let out = client.take_outgoing();
        let (_, hello) = support::forge::records(&out).remove(0);
        let hello = match &hint {
            Some(b) => support::forge::with_extension(&hello, 47, b),
            None => hello,
        };
        server.feed(&support::forge::handshake_record(&hello));
        let r = server.process();
        let seen = resolver.seen.lock().unwrap().clone();
        match hint {
            Some(_) => {
                assert!(r.is_ok(), "{r:?}");
                assert_eq!(seen, vec![subjects.clone()]);
            }
            None => {
                assert_eq!(seen, vec![Vec::<Vec<u8>>::new()]);
                let err = r.unwrap_err();
                assert_eq!(
                    err.alert(),
                    Some(AlertDescription::UnrecognizedName),
                    "{err}"
                );
            }
        }
    }
}

//! Resumed sessions keep who the peer was (issue 9): under mutual TLS a
//! resumed connection reports the chains of the handshake that made the
//! session, on both sides, in TLS 1.3 and in TLS 1.2 (tickets and session
//! IDs); a session whose stored chain has expired or been revoked since, or
//! that was made without a client certificate, is not resumed into a
//! mandatory-mTLS server (a full handshake decides instead); TLS 1.2 does not
//! resume under another SNI name (RFC 6066 section 3); a NewSessionTicket
//! lifetime over seven days is clamped, not fatal. Interop: openssl
//! s_client `-sess_out/-sess_in` with `-cert/-key` against our server.

mod common;
mod support;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lctls::config::{CertifiedKey, ClientConfig, ServerConfig, TimeProvider};
use lctls::pki::{
    CertificateDer, CertificateError, ClientCertVerifier, CrlSet, DefaultClientVerifier,
    RevocationDepth, RevocationOptions, RootStore, UnixTime, UnknownStatus,
};
use lctls::proto::enums::{AlertDescription, ProtocolVersion};
use lctls::{Error, TlsAcceptor, TlsConnector, TlsStream};
use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, CertificateRevocationListParams,
    DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, KeyIdMethod, KeyPair,
    KeyUsagePurpose, RevokedCertParams, SerialNumber,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use support::resume_mode::{Mode, MODES};

/// A clock the test moves (seconds since the epoch).
#[derive(Debug)]
struct Clock(AtomicU64);

impl Clock {
    fn at(secs: u64) -> Arc<Clock> {
        Arc::new(Clock(AtomicU64::new(secs)))
    }
    fn set(&self, secs: u64) {
        self.0.store(secs, Ordering::SeqCst);
    }
}

impl TimeProvider for Clock {
    fn now(&self) -> UnixTime {
        UnixTime::since_unix_epoch(Duration::from_secs(self.0.load(Ordering::SeqCst)))
    }
}

/// A client verifier the operator swaps at run time (as one that reloads
/// its CRLs or its policy would), while the server keeps its ticket keys.
#[derive(Debug)]
struct Swappable(Mutex<Arc<dyn ClientCertVerifier>>);

impl Swappable {
    fn new(v: impl ClientCertVerifier + 'static) -> Arc<Swappable> {
        Arc::new(Swappable(Mutex::new(Arc::new(v))))
    }
    fn swap(&self, v: impl ClientCertVerifier + 'static) {
        *self.0.lock().unwrap() = Arc::new(v);
    }
    fn now(&self) -> Arc<dyn ClientCertVerifier> {
        self.0.lock().unwrap().clone()
    }
}

impl ClientCertVerifier for Swappable {
    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<(), CertificateError> {
        self.now()
            .verify_client_cert(end_entity, intermediates, now)
    }
    fn recheck_resumed(
        &self,
        chain: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<(), CertificateError> {
        self.now().recheck_resumed(chain, now)
    }
    fn client_auth_mandatory(&self) -> bool {
        self.now().client_auth_mandatory()
    }
    fn root_subjects(&self) -> Vec<Vec<u8>> {
        self.now().root_subjects()
    }
}

fn server(
    mode: Mode,
    verifier: Arc<dyn ClientCertVerifier>,
    clock: Option<Arc<Clock>>,
) -> Arc<ServerConfig> {
    let mut b = support::server_builder("server")
        .with_protocol_versions(mode.versions())
        .with_client_cert_verifier(verifier)
        .with_tickets(!matches!(mode, Mode::Tls12SessionId));
    if let Some(c) = clock {
        b = b.with_time_provider(c);
    }
    Arc::new(b.build().unwrap())
}

fn client(mode: Mode, cert: Option<CertifiedKey>) -> Arc<ClientConfig> {
    let mut b = support::client_builder().with_protocol_versions(mode.versions());
    if let Some(c) = cert {
        b = b.with_client_cert(c);
    }
    Arc::new(b.build().unwrap())
}

/// What one successful connection showed.
#[derive(Debug)]
struct Seen {
    client_resumed: bool,
    server_resumed: bool,
    /// The server's peer certificates (the client's chain).
    server_saw: Vec<CertificateDer<'static>>,
    /// The client's peer certificates (the server's chain).
    client_saw: Vec<CertificateDer<'static>>,
}

async fn connect(cc: &Arc<ClientConfig>, sc: &Arc<ServerConfig>) -> Seen {
    let (mut c, mut s) = support::pair(cc.clone(), sc.clone(), "localhost").await;
    let seen = Seen {
        client_resumed: c.negotiated().resumed,
        server_resumed: s.negotiated().resumed,
        server_saw: s.peer_certificates().to_vec(),
        client_saw: c.peer_certificates().to_vec(),
    };
    support::hi_yo(&mut c, &mut s).await;
    seen
}

/// A connection the server refuses: its error, and the client's (from the
/// handshake or, in TLS 1.3 where the client finishes first, its first read).
async fn refused(cc: &Arc<ClientConfig>, sc: &Arc<ServerConfig>) -> (Error, Error) {
    let (c, s) = support::try_pair(cc.clone(), sc.clone(), "localhost").await;
    let server = support::handshake_err(s);
    let client = match c {
        Err(e) => support::tls_err(&e).clone(),
        Ok(mut c) => {
            let mut b = [0u8; 1];
            let e = c.read(&mut b).await.expect_err("client read after refusal");
            support::tls_err(&e).clone()
        }
    };
    (server, client)
}

fn assert_full(seen: &Seen, mode: Mode) {
    assert!(
        !seen.client_resumed && !seen.server_resumed,
        "{mode:?}: {seen:?}"
    );
}

fn assert_resumed(seen: &Seen, mode: Mode) {
    assert!(
        seen.client_resumed && seen.server_resumed,
        "{mode:?}: not resumed"
    );
}

#[tokio::test]
async fn resumed_sessions_report_both_chains() {
    support::timeout(async {
        let client_chain = support::pem_certs("client.pem");
        let server_chain = support::pem_certs("server.pem");
        for mode in MODES {
            let sc = server(
                mode,
                Arc::new(DefaultClientVerifier::new(support::roots())),
                None,
            );
            let cc = client(mode, Some(support::certified_key("client", "client.key")));
            let first = connect(&cc, &sc).await;
            assert_full(&first, mode);
            assert_eq!(first.server_saw, client_chain, "{mode:?}");
            // Twice: a TLS 1.3 ticket issued on a resumed connection carries
            // the chain on.
            for _ in 0..2 {
                let again = connect(&cc, &sc).await;
                assert_resumed(&again, mode);
                assert_eq!(again.server_saw, client_chain, "{mode:?}: server side");
                assert_eq!(again.client_saw, server_chain, "{mode:?}: client side");
            }
        }
    })
    .await
}

// ---------------------------------------------------------------- a test PKI

struct Issuer {
    cert: rcgen::Certificate,
    key: KeyPair,
}

fn dn(cn: &str) -> DistinguishedName {
    let mut d = DistinguishedName::new();
    d.push(DnType::CommonName, cn);
    d
}

fn ca_params(cn: &str, not_after: (i32, u8)) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = dn(cn);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    // RFC 5280 4.2.1.1: every certificate but a root names its issuer's key.
    p.use_authority_key_identifier_extension = true;
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.not_before = date_time_ymd(2020, 1, 1);
    p.not_after = date_time_ymd(not_after.0, not_after.1, 1);
    p
}

/// Root, intermediate and a client leaf (serial 0x42) with the given
/// notAfter months.
struct Pki {
    /// The client's chain: leaf, intermediate.
    chain: Vec<CertificateDer<'static>>,
    /// The leaf's PKCS#8 key.
    key: Vec<u8>,
    roots: Arc<RootStore>,
    root: Issuer,
    inter: Issuer,
}

impl Pki {
    fn client_key(&self) -> CertifiedKey {
        let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.clone()));
        CertifiedKey::new(self.chain.clone(), &der).unwrap()
    }
}

fn pki(inter_until: (i32, u8), leaf_until: (i32, u8)) -> Pki {
    pki_for(inter_until, leaf_until, Leaf::Client)
}

/// What the leaf is for.
#[derive(Clone, Copy)]
enum Leaf {
    Client,
    /// A server leaf for localhost.
    Server,
    /// A client leaf with so many names that it is bigger than a session keeps.
    HugeClient,
}

fn pki_for(inter_until: (i32, u8), leaf_until: (i32, u8), kind: Leaf) -> Pki {
    let root_key = KeyPair::generate().unwrap();
    let root = Issuer {
        cert: ca_params("Resume Root", (2040, 1))
            .self_signed(&root_key)
            .unwrap(),
        key: root_key,
    };
    let inter_key = KeyPair::generate().unwrap();
    let inter = Issuer {
        cert: ca_params("Resume Intermediate", inter_until)
            .signed_by(&inter_key, &root.cert, &root.key)
            .unwrap(),
        key: inter_key,
    };
    let (names, eku) = match kind {
        Leaf::Client => (
            vec!["client.example".to_string()],
            ExtendedKeyUsagePurpose::ClientAuth,
        ),
        Leaf::Server => (
            vec!["localhost".to_string()],
            ExtendedKeyUsagePurpose::ServerAuth,
        ),
        Leaf::HugeClient => (
            (0..700)
                .map(|i| format!("name-{i:04}.client.example"))
                .collect(),
            ExtendedKeyUsagePurpose::ClientAuth,
        ),
    };
    let mut p = CertificateParams::new(names).unwrap();
    // A server leaf's commonName must be one of its names (Baseline
    // Requirements 7.1.4.3); a client leaf's may name the client.
    p.distinguished_name = dn(match kind {
        Leaf::Server => "localhost",
        Leaf::Client | Leaf::HugeClient => "Resume Client",
    });
    p.use_authority_key_identifier_extension = true;
    p.serial_number = Some(SerialNumber::from(0x42u64));
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.extended_key_usages = vec![eku];
    p.not_before = date_time_ymd(2020, 1, 1);
    p.not_after = date_time_ymd(leaf_until.0, leaf_until.1, 1);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = p.signed_by(&leaf_key, &inter.cert, &inter.key).unwrap();
    let chain = vec![leaf.der().clone(), inter.cert.der().clone()];
    let mut roots = RootStore::new();
    roots.add(root.cert.der().clone()).unwrap();
    Pki {
        chain,
        key: leaf_key.serialize_der(),
        roots: Arc::new(roots),
        root,
        inter,
    }
}

/// 2026-01-01T00:00:00Z.
const Y2026: u64 = 1_767_225_600;

/// The leaf, or the intermediate, expires between two connections (well
/// within the ticket lifetime): the session is not resumed, and the full
/// handshake fails as the verifier decides, with certificate_expired.
#[tokio::test]
async fn an_expired_stored_chain_is_not_resumed() {
    support::timeout(async {
        for (inter_until, leaf_until, expired) in [
            ((2030, 1), (2026, 1), "CN=Resume Client"),
            ((2026, 1), (2030, 1), "CN=Resume Intermediate"),
        ] {
            let pki = pki(inter_until, leaf_until);
            for mode in MODES {
                let clock = Clock::at(Y2026 - 3600);
                let verifier = Arc::new(DefaultClientVerifier::new(pki.roots.clone()));
                let sc = server(mode, verifier, Some(clock.clone()));
                let cc = client(mode, Some(pki.client_key()));
                assert_full(&connect(&cc, &sc).await, mode);
                // Still valid a minute later: the session resumes.
                clock.set(Y2026 - 3540);
                let again = connect(&cc, &sc).await;
                assert_resumed(&again, mode);
                assert_eq!(again.server_saw, pki.chain, "{mode:?}");
                clock.set(Y2026 + 3600);
                let (s, c) = refused(&cc, &sc).await;
                assert!(
                    matches!(&s, Error::Certificate(CertificateError::Expired { subject, .. }) if subject == expired),
                    "{mode:?}: {s:?}"
                );
                assert_eq!(s.alert(), Some(AlertDescription::CertificateExpired));
                assert_eq!(
                    c,
                    Error::AlertReceived(AlertDescription::CertificateExpired),
                    "{mode:?}"
                );
            }
        }
    })
    .await
}

/// The client's side: the server chain it stored has expired, so it offers
/// no session, and the full handshake fails on the client with an expired
/// server certificate.
#[tokio::test]
async fn an_expired_server_chain_is_not_offered() {
    support::timeout(async {
        let pki = pki_for((2030, 1), (2026, 1), Leaf::Server);
        for mode in MODES {
            let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pki.key.clone()));
            let sc = Arc::new(
                ServerConfig::builder()
                    .with_certified_key(CertifiedKey::new(pki.chain.clone(), &der).unwrap())
                    .with_protocol_versions(mode.versions())
                    .with_tickets(!matches!(mode, Mode::Tls12SessionId))
                    .build()
                    .unwrap(),
            );
            let clock = Clock::at(Y2026 - 3600);
            let cc = Arc::new(
                ClientConfig::builder()
                    .with_root_store(pki.roots.clone())
                    .with_protocol_versions(mode.versions())
                    .with_time_provider(clock.clone())
                    .build()
                    .unwrap(),
            );
            assert_full(&connect(&cc, &sc).await, mode);
            clock.set(Y2026 - 3540);
            let again = connect(&cc, &sc).await;
            assert_resumed(&again, mode);
            assert_eq!(again.client_saw, pki.chain, "{mode:?}");
            clock.set(Y2026 + 3600);
            let (s, c) = refused(&cc, &sc).await;
            assert!(
                matches!(&c, Error::Certificate(CertificateError::Expired { subject, .. }) if subject == "CN=localhost"),
                "{mode:?}: {c:?}"
            );
            assert_eq!(
                s,
                Error::AlertReceived(AlertDescription::CertificateExpired),
                "{mode:?}"
            );
        }
    })
    .await
}

/// A client chain over MAX_SESSION_CHAIN_BYTES is reported in the full
/// handshake but no session keeps it: the next connection is full again.
#[tokio::test]
async fn an_oversized_client_chain_gets_no_session() {
    support::timeout(async {
        let pki = pki_for((2040, 1), (2040, 1), Leaf::HugeClient);
        let bytes: usize = pki.chain.iter().map(|c| c.len()).sum();
        assert!(bytes > lctls::config::MAX_SESSION_CHAIN_BYTES);
        for mode in MODES {
            let verifier = Arc::new(DefaultClientVerifier::new(pki.roots.clone()));
            let sc = server(mode, verifier, None);
            let cc = client(mode, Some(pki.client_key()));
            for _ in 0..2 {
                let seen = connect(&cc, &sc).await;
                assert_full(&seen, mode);
                assert_eq!(seen.server_saw, pki.chain, "{mode:?}");
            }
        }
    })
    .await
}

fn crl(by: &Issuer, revoked: &[u64]) -> Vec<u8> {
    CertificateRevocationListParams {
        this_update: date_time_ymd(2025, 6, 1),
        next_update: date_time_ymd(2025, 7, 1),
        crl_number: SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: revoked
            .iter()
            .map(|&s| RevokedCertParams {
                serial_number: SerialNumber::from(s),
                revocation_time: date_time_ymd(2025, 6, 2),
                reason_code: None,
                invalidity_date: None,
            })
            .collect(),
        key_identifier_method: KeyIdMethod::Sha256,
    }
    .signed_by(&by.cert, &by.key)
    .unwrap()
    .der()
    .as_ref()
    .to_vec()
}

fn revoking(pki: &Pki, revoked: &[u64]) -> DefaultClientVerifier {
    let mut set = CrlSet::new();
    set.add_der(&crl(&pki.inter, revoked)).unwrap();
    set.add_der(&crl(&pki.root, &[])).unwrap();
    DefaultClientVerifier::new(pki.roots.clone()).with_revocation(RevocationOptions {
        crls: Arc::new(set),
        depth: RevocationDepth::WholeChain,
        unknown_status: UnknownStatus::Deny,
    })
}

/// 2025-06-15: inside the CRLs' validity.
const JUNE_2025: u64 = 1_750_000_000;

/// The server's CRLs are updated to revoke the client between two
/// connections: the session is not resumed; the full handshake fails with
/// certificate_revoked.
#[tokio::test]
async fn a_revoked_stored_chain_is_not_resumed() {
    support::timeout(async {
        let pki = pki((2030, 1), (2030, 1));
        for mode in MODES {
            let verifier = Swappable::new(revoking(&pki, &[]));
            let sc = server(mode, verifier.clone(), Some(Clock::at(JUNE_2025)));
            let cc = client(mode, Some(pki.client_key()));
            assert_full(&connect(&cc, &sc).await, mode);
            assert_resumed(&connect(&cc, &sc).await, mode);
            verifier.swap(revoking(&pki, &[0x42]));
            let (s, c) = refused(&cc, &sc).await;
            assert!(
                matches!(&s, Error::Certificate(CertificateError::Revoked { subject, .. }) if subject == "CN=Resume Client"),
                "{mode:?}: {s:?}"
            );
            assert_eq!(
                c,
                Error::AlertReceived(AlertDescription::CertificateRevoked),
                "{mode:?}"
            );
        }
    })
    .await
}

/// A session made without a client certificate (optional client auth) is
/// not resumed once client certificates are mandatory: the full handshake
/// then refuses the certificate-less client.
#[tokio::test]
async fn an_unauthenticated_session_is_not_resumed_into_mandatory_mtls() {
    support::timeout(async {
        for mode in MODES {
            let verifier = Swappable::new(DefaultClientVerifier::optional(support::roots()));
            let sc = server(mode, verifier.clone(), None);
            let cc = client(mode, None);
            let first = connect(&cc, &sc).await;
            assert_full(&first, mode);
            assert!(first.server_saw.is_empty());
            let again = connect(&cc, &sc).await;
            assert_resumed(&again, mode);
            assert!(again.server_saw.is_empty());
            verifier.swap(DefaultClientVerifier::new(support::roots()));
            let (s, c) = refused(&cc, &sc).await;
            let want = match mode {
                Mode::Tls13 => AlertDescription::CertificateRequired,
                _ => AlertDescription::HandshakeFailure,
            };
            assert_eq!(s.alert(), Some(want), "{mode:?}: {s:?}");
            assert_eq!(c, Error::AlertReceived(want), "{mode:?}");
        }
    })
    .await
}

// ------------------------------------------------------------ TLS 1.3 tickets

/// A rustls ticketer that announces eight days (RFC 8446 allows seven).
/// Test only: its "encryption" is the identity.
#[derive(Debug)]
struct EightDays;

impl rustls::server::ProducesTickets for EightDays {
    fn enabled(&self) -> bool {
        true
    }
    fn lifetime(&self) -> u32 {
        8 * 24 * 3600
    }
    fn encrypt(&self, plain: &[u8]) -> Option<Vec<u8>> {
        Some(plain.to_vec())
    }
    fn decrypt(&self, cipher: &[u8]) -> Option<Vec<u8>> {
        Some(cipher.to_vec())
    }
}

/// rustls sends NewSessionTickets with an eight-day lifetime: the connection
/// works, the ticket is kept (the next connection resumes) but for seven
/// days at most (past that the client no longer offers it).
#[tokio::test]
async fn a_ticket_lifetime_over_seven_days_is_clamped() {
    support::timeout(async {
        let chain = support::pem_certs("server.pem");
        let key = PrivateKeyDer::from_pem_file(support::path("server.key")).unwrap();
        let mut rc = rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .unwrap();
        rc.ticketer = Arc::new(EightDays);
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(rc));
        let now = UnixTime::now().as_secs();
        let clock = Clock::at(now);
        let cc = support::client_with(|b| {
            b.with_protocol_versions(&[ProtocolVersion::TLSv1_3])
                .with_time_provider(clock.clone())
        });
        let mut resumed = Vec::new();
        for at in [now, now + 3600, now + 3600 + 7 * 24 * 3600 + 60] {
            clock.set(at);
            let (a, b) = tokio::io::duplex(64 * 1024);
            let (c, s) = tokio::join!(
                TlsConnector::from(cc.clone()).connect("localhost", a),
                acceptor.accept(b)
            );
            let (mut c, mut s) = (c.expect("lctls client"), s.expect("rustls server"));
            resumed.push(c.negotiated().resumed);
            support::hi_yo(&mut c, &mut s).await;
        }
        assert_eq!(resumed, [false, true, false]);
    })
    .await
}

// -------------------------------------------------------------- with openssl

/// Our server for `n` sequential connections: for each, whether it resumed
/// and the client chain it reports.
async fn recording_server(
    config: Arc<ServerConfig>,
    n: usize,
) -> (
    u16,
    tokio::task::JoinHandle<std::io::Result<Vec<(bool, Vec<CertificateDer<'static>>)>>>,
) {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let mut all = Vec::new();
        for _ in 0..n {
            let (tcp, _) = listener.accept().await?;
            let mut tls: TlsStream<TcpStream> =
                TlsAcceptor::from(config.clone()).accept(tcp).await?;
            let mut buf = vec![0u8; 4096];
            loop {
                let n = tls.read(&mut buf).await?;
                if n == 0 {
                    break;
                }
                tls.write_all(&buf[..n]).await?;
                tls.flush().await?;
            }
            let _ = tls.shutdown().await;
            all.push((tls.negotiated().resumed, tls.peer_certificates().to_vec()));
        }
        Ok(all)
    });
    (port, task)
}

/// One s_client session (not quiet: it prints `New,` / `Reused,`): sends a
/// line, waits for the echo (by then it has our TLS 1.3 ticket), closes.
async fn s_client(port: u16, version: &str, extra: &[&str]) -> String {
    common::s_client_session(port, version, extra, b"line\n").await
}

fn sess_path(tag: &str, port: u16) -> String {
    common::session_file("resume-identity", tag, port)
}

/// s_client with a client certificate saves its session and resumes it:
/// our server reports the client's chain on the resumed connection too.
#[tokio::test]
async fn s_client_mtls_resumption_keeps_the_client_chain() {
    if !common::require("openssl") {
        return;
    }
    support::timeout(async {
        let client_chain = support::pem_certs("client.pem");
        let cert = common::openssl_cert_args("client.pem", "client.key");
        for mode in MODES {
            let verifier = Arc::new(DefaultClientVerifier::new(support::roots()));
            let (port, task) = recording_server(server(mode, verifier, None), 2).await;
            let sess = sess_path(&format!("{mode:?}"), port);
            for (flag, want) in [("-sess_out", "New, "), ("-sess_in", "Reused, ")] {
                let mut extra = common::as_strs(&cert);
                extra.extend([flag, sess.as_str()]);
                extra.extend(mode.openssl_no_ticket());
                let out = s_client(port, mode.openssl_version(), &extra).await;
                assert!(out.contains(want), "{mode:?} {flag}: {out}");
            }
            let served = task.await.unwrap().expect("our server");
            assert!(!served[0].0 && served[1].0, "{mode:?}: {served:?}");
            assert_eq!(served[0].1, client_chain, "{mode:?}");
            assert_eq!(served[1].1, client_chain, "{mode:?}: resumed");
            let _ = std::fs::remove_file(&sess);
        }
    })
    .await
}

/// RFC 6066 section 3: a session (TLS 1.2 ticket or session ID, TLS 1.3
/// ticket) made for one server name is not resumed under another; the same
/// name still resumes. A resumed handshake does not acknowledge server_name
/// (RFC 6066 section 3: "When resuming a session, the server MUST NOT
/// include a server_name extension in the server hello"); a full one does.
#[tokio::test]
async fn resumption_is_bound_to_the_sni_name() {
    if !common::require("openssl") {
        return;
    }
    support::timeout(async {
        let cases = [
            (ProtocolVersion::TLSv1_2, "-tls1_2", None),
            (ProtocolVersion::TLSv1_2, "-tls1_2", Some("-no_ticket")),
            (ProtocolVersion::TLSv1_3, "-tls1_3", None),
        ];
        for (version, flag, no_ticket) in cases {
            let sc = support::server_with("server", |b| b.with_protocol_versions(&[version]));
            let (port, task) = recording_server(sc, 3).await;
            let sess = sess_path(&format!("sni-{flag}-{no_ticket:?}"), port);
            for (extra, want) in [
                (["-sess_out", &sess, "-servername", "localhost"], "New, "),
                (
                    ["-sess_in", &sess, "-servername", "other.localhost"],
                    "New, ",
                ),
                (["-sess_in", &sess, "-servername", "localhost"], "Reused, "),
            ] {
                let mut extra = extra.to_vec();
                extra.extend(no_ticket);
                extra.push("-tlsextdebug");
                let out = s_client(port, flag, &extra).await;
                assert!(out.contains(want), "{flag} {no_ticket:?} {extra:?}: {out}");
                // Acknowledged on every full handshake, in the TLS 1.2
                // ServerHello as in TLS 1.3 EncryptedExtensions.
                let acked = out.contains("TLS server extension \"server name\"");
                assert_eq!(acked, want == "New, ", "{flag} {extra:?}: {out}");
            }
            let served = task.await.unwrap().expect("our server");
            let resumed: Vec<bool> = served.iter().map(|s| s.0).collect();
            assert_eq!(resumed, [false, false, true], "{flag} {no_ticket:?}");
            let _ = std::fs::remove_file(&sess);
        }
    })
    .await
}

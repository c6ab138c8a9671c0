//! Asynchronous hooks mid-handshake (issue 14): certificate resolvers,
//! signers and verifiers that sleep, fail, answer from another task or never
//! answer, in process, in TLS 1.3 and 1.2; and (issue 12) session stores and
//! anti-replay registers that answer asynchronously. Against real peers:
//! tests/async_hooks_interop.rs.

mod common;
mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lctls::hooks::{Answer, HookFuture, Request};
use lctls::pki::{CertificateError, DefaultClientVerifier};
use lctls::proto::enums::{AlertDescription, ProtocolVersion};
use lctls::proto::Connection;
use lctls::{Error, TlsAcceptor, TlsConnector};
use support::hooks::*;
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn resolver_and_signer_sleep(version: ProtocolVersion) {
    timeout(async {
        let (key, signer) = async_key("server", false);
        let resolver = Resolver::new(key, Mode::Sleep);
        let sc = hooked_server(resolver.clone(), version);
        let cc = client_for(version);
        let start = Instant::now();
        let (mut c, mut s) = pair(cc, sc, "localhost").await;
        // Both hooks slept in turn.
        assert!(start.elapsed() >= 2 * HOOK_DELAY, "{:?}", start.elapsed());
        assert_eq!(c.protocol_version(), Some(version));
        assert_eq!(
            *resolver.seen.lock().unwrap(),
            [Some("localhost".to_string())]
        );
        assert_eq!(signer.calls.load(Ordering::SeqCst), 1);
        assert_eq!(c.peer_certificates(), &pem_certs("server.pem")[..]);
        ping(&mut c, &mut s).await;
    })
    .await
}

/// The server's handshake failed with `alert`, which the client received;
/// returns the server's error.
#[track_caller]
fn server_refused<T: std::fmt::Debug>(
    c: std::io::Result<T>,
    s: std::io::Result<T>,
    alert: AlertDescription,
) -> Error {
    let s = handshake_err(s);
    assert_eq!(s.alert(), Some(alert), "{s}");
    assert_eq!(handshake_err(c), Error::AlertReceived(alert));
    s
}

#[tokio::test]
async fn sleeping_resolver_and_signer_tls13() {
    resolver_and_signer_sleep(ProtocolVersion::TLSv1_3).await;
}

#[tokio::test]
async fn sleeping_resolver_and_signer_tls12() {
    resolver_and_signer_sleep(ProtocolVersion::TLSv1_2).await;
}

#[tokio::test]
async fn resolver_answering_from_another_task() {
    timeout(async {
        for version in [ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2] {
            let resolver = file_resolver(Mode::OtherTask);
            let sc = hooked_server(resolver, version);
            let cc = client_for(version);
            let (mut c, mut s) = pair(cc, sc, "localhost").await;
            assert_eq!(s.protocol_version(), Some(version));
            ping(&mut c, &mut s).await;
        }
    })
    .await
}

#[tokio::test]
async fn resolver_without_certificate_sends_unrecognized_name() {
    timeout(async {
        for version in [ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2] {
            let resolver = file_resolver(Mode::Nothing);
            let sc = hooked_server(resolver, version);
            let cc = client_for(version);
            let (c, s) = try_pair(cc, sc, "localhost").await;
            server_refused(c, s, AlertDescription::UnrecognizedName);
        }
    })
    .await
}

#[tokio::test]
async fn resolver_without_certificate_and_no_sni_sends_handshake_failure() {
    timeout(async {
        let resolver = file_resolver(Mode::Nothing);
        let sc = hooked_server(resolver.clone(), ProtocolVersion::TLSv1_3);
        // An IP address is never sent as SNI.
        let (c, s) = try_pair(client_config(), sc, "127.0.0.1").await;
        assert_eq!(*resolver.seen.lock().unwrap(), [None]);
        server_refused(c, s, AlertDescription::HandshakeFailure);
    })
    .await
}

/// A resolver error without an alert of its own becomes internal_error.
#[tokio::test]
async fn failing_resolver_sends_internal_error() {
    timeout(async {
        for version in [ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2] {
            let sc = hooked_server(file_resolver(Mode::Fail), version);
            let (c, s) = try_pair(client_for(version), sc, "localhost").await;
            let s = handshake_err(s);
            assert_eq!(s.alert(), Some(AlertDescription::InternalError), "{s}");
            assert!(
                s.to_string().contains("the certificate store is down"),
                "{s}"
            );
            assert_eq!(
                handshake_err(c),
                Error::AlertReceived(AlertDescription::InternalError)
            );
        }
    })
    .await
}

/// Without an asynchronous hook nothing pauses: the server answers the
/// ClientHello in the same call.
#[test]
fn the_sync_path_never_pauses() {
    let mut s = Connection::new_server(server_config("server"));
    let mut c = sans_io_client(client_config(), "localhost");
    s.feed(&c.take_outgoing());
    s.process().unwrap();
    assert!(s.pending().is_none() && s.hook_future().is_none());
    assert!(s.outgoing_len() > 0);
    drive_handshake(&mut c, &mut s);
    assert!(c.pending().is_none() && s.pending().is_none());
}

#[tokio::test]
async fn failing_signer_sends_internal_error() {
    timeout(async {
        for version in [ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2] {
            let (key, signer) = async_key("server", true);
            let sc = hooked_server(Resolver::new(key, Mode::Sleep), version);
            let cc = client_for(version);
            let (c, s) = try_pair(cc, sc, "localhost").await;
            let s = server_refused(c, s, AlertDescription::InternalError);
            assert!(s.to_string().contains("the KMS is unreachable"), "{s}");
            assert_eq!(signer.calls.load(Ordering::SeqCst), 1);
        }
    })
    .await
}

#[tokio::test]
async fn hook_that_never_answers_ends_in_the_handshake_timeout() {
    timeout(async {
        let resolver = file_resolver(Mode::Never);
        let acceptor = TlsAcceptor::from(hooked_server(resolver, ProtocolVersion::TLSv1_3))
            .with_handshake_timeout(Duration::from_millis(300));
        let connector = TlsConnector::from(client_config());
        let (a, b) = tokio::io::duplex(64 * 1024);
        let start = Instant::now();
        let (c, s) = tokio::join!(
            async {
                let r = connector.connect("localhost", a).await;
                r.map(|_| ())
            },
            async { acceptor.accept(b).await.map(|_| ()) }
        );
        let e = s.unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::TimedOut, "{e}");
        assert!(start.elapsed() >= Duration::from_millis(300));
        // The server dropped the transport: the client sees the end.
        assert!(c.is_err());
    })
    .await
}

async fn client_verifier_case(version: ProtocolVersion, refuse: Option<AlertDescription>) {
    let verifier = SlowVerifier::new(refuse);
    let cc = client_with(|b| {
        b.with_protocol_versions(versions(version))
            .with_async_verifier(verifier.clone())
    });
    let sc = server_with("server", |b| b.with_protocol_versions(versions(version)));
    let (c, s) = try_pair(cc, sc, "localhost").await;
    assert_eq!(verifier.calls.load(Ordering::SeqCst), 1);
    match refuse {
        None => {
            let (mut c, mut s) = (c.unwrap(), s.unwrap());
            assert_eq!(c.protocol_version(), Some(version));
            ping(&mut c, &mut s).await;
        }
        Some(alert) => {
            let c = handshake_err(c);
            assert_eq!(c.alert(), Some(alert), "{c}");
            assert!(matches!(
                c,
                Error::Certificate(CertificateError::ApplicationRefused { .. })
            ));
            assert_eq!(handshake_err(s), Error::AlertReceived(alert));
        }
    }
}

#[tokio::test]
async fn async_server_verifier_accepts_and_refuses() {
    timeout(async {
        for version in [ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2] {
            client_verifier_case(version, None).await;
            client_verifier_case(version, Some(AlertDescription::CertificateRevoked)).await;
        }
    })
    .await
}

async fn mtls_case(version: ProtocolVersion, refuse: Option<AlertDescription>) {
    let verifier = SlowVerifier::new(refuse);
    let sc = Arc::new(
        server_builder("server")
            .with_protocol_versions(versions(version))
            .with_client_cert_verifier(Arc::new(DefaultClientVerifier::new(roots())))
            .with_async_client_verifier(verifier.clone())
            .build()
            .unwrap(),
    );
    let cc = client_with(|b| {
        b.with_protocol_versions(versions(version))
            .with_client_cert(certified_key("client", "client.key"))
    });
    let (c, s) = try_pair(cc, sc, "localhost").await;
    assert_eq!(verifier.calls.load(Ordering::SeqCst), 1);
    match refuse {
        None => {
            let (mut c, mut s) = (c.unwrap(), s.unwrap());
            assert_eq!(s.peer_certificates(), &pem_certs("client.pem")[..]);
            ping(&mut c, &mut s).await;
        }
        Some(alert) => {
            let s = handshake_err(s);
            assert_eq!(s.alert(), Some(alert), "{s}");
            // A TLS 1.3 client has finished before the server's verdict:
            // the alert reaches it on its first read.
            let e = match c {
                Err(e) => tls_err(&e).clone(),
                Ok(mut c) => {
                    let mut buf = [0u8; 1];
                    let e = c.read(&mut buf).await.unwrap_err();
                    tls_err(&e).clone()
                }
            };
            assert_eq!(e, Error::AlertReceived(alert));
        }
    }
}

#[tokio::test]
async fn async_client_verifier_accepts_and_refuses() {
    timeout(async {
        for version in [ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2] {
            mtls_case(version, None).await;
            mtls_case(version, Some(AlertDescription::AccessDenied)).await;
        }
    })
    .await
}

/// A client certificate whose key signs through the asynchronous signer.
fn async_client_key(fail: bool) -> (lctls::config::CertifiedKey, Arc<SlowSigner>) {
    let signer = SlowSigner::new("client.key", fail);
    let key = lctls::config::CertifiedKey::with_async_signer(
        pem_certs("client.pem"),
        Arc::new(SharedSigner(signer.clone())),
    )
    .unwrap();
    (key, signer)
}

async fn async_client_key_case(version: ProtocolVersion, fail: bool) {
    let (key, signer) = async_client_key(fail);
    let sc = Arc::new(
        server_builder("server")
            .with_protocol_versions(versions(version))
            .with_client_cert_verifier(Arc::new(DefaultClientVerifier::new(roots())))
            .build()
            .unwrap(),
    );
    let cc = client_with(|b| {
        b.with_protocol_versions(versions(version))
            .with_client_cert(key)
    });
    let (c, s) = try_pair(cc, sc, "localhost").await;
    assert_eq!(signer.calls.load(Ordering::SeqCst), 1);
    if fail {
        let c = handshake_err(c);
        assert_eq!(c.alert(), Some(AlertDescription::InternalError), "{c}");
        assert_eq!(
            handshake_err(s),
            Error::AlertReceived(AlertDescription::InternalError)
        );
        return;
    }
    let (mut c, mut s) = (c.unwrap(), s.unwrap());
    // The server verified the signature the signer made.
    assert_eq!(s.peer_certificates(), &pem_certs("client.pem")[..]);
    assert!(s.negotiated().peer_signature_scheme.is_some());
    ping(&mut c, &mut s).await;
}

#[tokio::test]
async fn async_signer_for_a_client_certificate() {
    timeout(async {
        for version in [ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2] {
            async_client_key_case(version, false).await;
            async_client_key_case(version, true).await;
        }
    })
    .await
}

/// Sans-IO: a wrong answer is refused and changes nothing; the right one
/// completes the handshake.
#[test]
fn wrong_answer_is_an_error_not_a_panic() {
    let resolver = file_resolver(Mode::Never);
    let mut s = Connection::new_server(hooked_server(resolver, ProtocolVersion::TLSv1_3));
    let mut c = sans_io_client(client_config(), "localhost");
    assert!(matches!(
        s.resume_with(Answer::Verified(Ok(()))),
        Err(Error::Config(_))
    ));
    s.feed(&c.take_outgoing());
    s.process().unwrap();
    assert!(matches!(s.pending(), Some(Request::SelectCertificate(_))));
    assert!(s.hook_future().is_some());
    assert_eq!(
        s.outgoing_len(),
        0,
        "nothing is sent before the certificate is chosen"
    );
    let e = s.resume_with(Answer::Signature(Ok(vec![1]))).unwrap_err();
    assert!(matches!(e, Error::Config(_)), "{e}");
    assert!(s.pending().is_some(), "still waiting");
    // Input while paused stays buffered, and too much of it fails.
    s.resume_with(Answer::Certificate(Ok(Some(Arc::new(certified_key(
        "server",
        "server.key",
    ))))))
    .unwrap();
    assert!(s.pending().is_none());
    drive_handshake(&mut c, &mut s);
    assert!(!c.is_handshaking() && !s.is_handshaking());
}

#[test]
fn paused_input_is_bounded() {
    let resolver = file_resolver(Mode::Never);
    let mut s = Connection::new_server(hooked_server(resolver, ProtocolVersion::TLSv1_3));
    let mut c = sans_io_client(client_config(), "localhost");
    s.feed(&c.take_outgoing());
    s.process().unwrap();
    assert!(s.pending().is_some());
    // change_cipher_spec records: harmless, and never processed while paused.
    let ccs = [0x14, 0x03, 0x03, 0x00, 0x01, 0x01];
    for _ in 0..(lctls::proto::MAX_PAUSED_INPUT / ccs.len()) {
        s.feed(&ccs);
    }
    s.process().unwrap();
    s.feed(&ccs);
    let e = s.process().unwrap_err();
    assert_eq!(e.alert(), Some(AlertDescription::InternalError), "{e}");
}

// ---------------------------------------------------------------------------
// Issue 12: an asynchronous session store pauses the handshake instead of
// blocking the thread.

/// The in-memory cache behind a lookup that takes 100 ms, asynchronously.
#[derive(Debug)]
struct SlowStore {
    inner: lctls::config::ServerSessionCache,
    lookups: AtomicUsize,
    /// A lookup began.
    started: Arc<tokio::sync::Notify>,
    /// A lookup answered.
    finished: Arc<std::sync::atomic::AtomicBool>,
}

impl lctls::config::ServerSessionStore for SlowStore {
    fn get(&self, id: &[u8]) -> Option<lctls::config::Session12> {
        self.inner.get(id)
    }

    fn put(&self, s: lctls::config::Session12) {
        self.inner.put(s)
    }

    fn is_async(&self) -> bool {
        true
    }

    fn get_async(&self, id: Vec<u8>) -> HookFuture<Option<lctls::config::Session12>> {
        self.lookups.fetch_add(1, Ordering::SeqCst);
        let found = self.inner.get(&id);
        let (started, finished) = (self.started.clone(), self.finished.clone());
        Box::pin(async move {
            started.notify_one();
            tokio::time::sleep(Duration::from_millis(100)).await;
            finished.store(true, Ordering::SeqCst);
            found
        })
    }
}

/// On a current-thread runtime a slow lookup for one connection does not
/// hold up another: a second connection, started once the lookup began,
/// completes its full handshake before the lookup answers, and the first
/// still resumes. (With a store that sleeps in a blocking `get` instead,
/// the thread stalls and the second connection finishes after the lookup:
/// this test fails, as was checked.)
#[tokio::test(flavor = "current_thread")]
async fn slow_session_store_does_not_block_another_connection() {
    use lctls::config::ServerSessionStore as _;
    timeout(async {
        let store = Arc::new(SlowStore {
            inner: lctls::config::ServerSessionCache::new(16),
            lookups: AtomicUsize::new(0),
            started: Arc::default(),
            finished: Arc::default(),
        });
        let sc = server_with("server", |b| {
            b.with_protocol_versions(&[ProtocolVersion::TLSv1_2])
                .with_tickets(false)
                .with_session_store(store.clone())
        });
        let tls12 = || client_with(|b| b.with_protocol_versions(&[ProtocolVersion::TLSv1_2]));
        let cc = tls12();
        let (c, s) = pair(cc.clone(), sc.clone(), "localhost").await;
        assert!(s.negotiated().session_id_cached && c.negotiated().session_stored);
        drop((c, s));
        assert!(store.is_async());

        let resuming = async {
            let (c, _s) = pair(cc.clone(), sc.clone(), "localhost").await;
            c.negotiated().resumed
        };
        let other = async {
            store.started.notified().await;
            let (c, _s) = pair(tls12(), sc.clone(), "localhost").await;
            (
                c.negotiated().resumed,
                store.finished.load(Ordering::SeqCst),
            )
        };
        let (resumed, (other_resumed, lookup_done)) = tokio::join!(resuming, other);
        assert!(resumed, "the session came back from the slow store");
        assert!(!other_resumed);
        assert!(
            !lookup_done,
            "the other connection had to wait for the lookup to finish"
        );
        assert_eq!(store.lookups.load(Ordering::SeqCst), 1);
    })
    .await
}

/// The in-memory strike register behind a claim that takes 100 ms,
/// asynchronously, as a register across the network would.
#[derive(Debug, Default)]
struct SlowRegister {
    inner: lctls::config::StrikeRegister,
    claims: AtomicUsize,
}

impl lctls::config::AntiReplay for SlowRegister {
    fn window(&self) -> u64 {
        self.inner.window()
    }

    fn claim(&self, _: &[u8; 32], _: u64) -> bool {
        panic!("an asynchronous register is never asked synchronously");
    }

    fn is_async(&self) -> bool {
        true
    }

    fn claim_async(&self, ticket: [u8; 32], now: u64) -> HookFuture<bool> {
        self.claims.fetch_add(1, Ordering::SeqCst);
        let ok = self.inner.claim(&ticket, now);
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            ok
        })
    }
}

/// A replayed ClientHello with 0-RTT data against an asynchronous register:
/// the first offer waits for the claim and is accepted, the replay waits
/// and is refused (1-RTT goes on), and nothing is decided before the
/// register answers.
#[tokio::test]
async fn async_anti_replay_register_accepts_once_then_refuses_the_replay() {
    use lctls::config::AntiReplay as _;
    use lctls::proto::{EarlyDataReason, OnReject};
    timeout(async {
        let register = Arc::new(SlowRegister::default());
        assert!(register.is_async());
        let sc = server_with("server", |b| {
            b.with_max_early_data(4096)
                .with_anti_replay(register.clone())
        });
        let cc = client_for(ProtocolVersion::TLSv1_3);
        // A ticket, through the Tokio path (no 0-RTT, so no claim).
        let (mut c, mut s) = pair(cc.clone(), sc.clone(), "localhost").await;
        s.write_all(b"t").await.unwrap();
        s.flush().await.unwrap();
        let mut one = [0u8; 1];
        c.read_exact(&mut one).await.unwrap();
        assert_eq!(register.claims.load(Ordering::SeqCst), 0);

        let mut client = Connection::new_client_with_replayable_early_data(
            cc.clone(),
            rustls_pki_types::ServerName::try_from("localhost").unwrap(),
            b"GET /".to_vec(),
            OnReject::Resend,
        )
        .unwrap();
        let flight = client.take_outgoing().to_vec();
        for (want, data) in [
            (EarlyDataReason::Accepted, Some(b"GET /".to_vec())),
            (EarlyDataReason::Replayed, None),
        ] {
            let mut server = Connection::new_server(sc.clone());
            server.feed(&flight);
            server.process().unwrap();
            assert!(matches!(
                server.pending(),
                Some(Request::ClaimEarlyData { .. })
            ));
            assert_eq!(server.outgoing_len(), 0, "nothing sent before the claim");
            let start = Instant::now();
            let claim = server.hook_future().unwrap();
            server.resume_with(claim.await).expect("never fatal");
            assert!(start.elapsed() >= Duration::from_millis(100));
            assert!(server.pending().is_none());
            assert!(server.negotiated().resumed);
            assert_eq!(server.negotiated().early_data, want);
            assert_eq!(server.take_replayable_early_data(), data);
            assert!(server.outgoing_len() > 0, "the server answers");
        }
        assert_eq!(register.claims.load(Ordering::SeqCst), 2);
    })
    .await
}

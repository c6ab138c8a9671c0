//! Issue 12 on the client side: a session store that answers
//! asynchronously (as Redis does) is asked by the connector on the
//! connecting task, before the ClientHello is built, instead of blocking
//! the thread inside the handshake.

mod common;
mod support;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use lctls::config::{ClientSessionCache, ClientSessionStore, ClientSessions, Session12, Session13};
use lctls::hooks::HookFuture;
use lctls::proto::enums::ProtocolVersion;
use support::*;

/// The in-memory cache behind a lookup that takes 100 ms, asynchronously;
/// the synchronous methods count their calls so the test can tell which
/// path the connector took.
#[derive(Debug)]
struct SlowClientStore {
    inner: ClientSessionCache,
    async_lookups: AtomicUsize,
    sync_gets: AtomicUsize,
    started: Arc<tokio::sync::Notify>,
    finished: Arc<AtomicBool>,
}

impl ClientSessionStore for SlowClientStore {
    fn get(&self, server: &str) -> Option<Session12> {
        self.sync_gets.fetch_add(1, Ordering::SeqCst);
        self.inner.get(server)
    }
    fn put(&self, server: &str, s: Session12) {
        self.inner.put(server, s)
    }
    fn remove(&self, server: &str) {
        self.inner.remove(server)
    }
    fn take13(&self, server: &str) -> Option<Session13> {
        self.sync_gets.fetch_add(1, Ordering::SeqCst);
        self.inner.take13(server)
    }
    fn put13(&self, server: &str, s: Session13) {
        self.inner.put13(server, s)
    }
    fn is_async(&self) -> bool {
        true
    }
    fn lookup_async(&self, server: String, tls12: bool, tls13: bool) -> HookFuture<ClientSessions> {
        self.async_lookups.fetch_add(1, Ordering::SeqCst);
        let found = ClientSessions {
            tls12: if tls12 { self.inner.get(&server) } else { None },
            tls13: if tls13 {
                self.inner.take13(&server)
            } else {
                None
            },
        };
        // Only a lookup that finds something signals: the first
        // connection's (empty) lookup must not start the race early.
        let signal = (found.tls12.is_some() || found.tls13.is_some())
            .then(|| (self.started.clone(), self.finished.clone()));
        Box::pin(async move {
            if let Some((started, _)) = &signal {
                started.notify_one();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            if let Some((_, finished)) = &signal {
                finished.store(true, Ordering::SeqCst);
            }
            found
        })
    }
}

/// On a current-thread runtime a slow lookup for one connection does not
/// hold up another: a second client, started once the lookup began,
/// completes its handshake before the lookup answers, and the first still
/// resumes with the session the lookup returned. The store's synchronous
/// methods are never called.
#[tokio::test(flavor = "current_thread")]
async fn slow_client_store_does_not_block_another_connection() {
    timeout(async {
        let store = Arc::new(SlowClientStore {
            inner: ClientSessionCache::new(16),
            async_lookups: AtomicUsize::new(0),
            sync_gets: AtomicUsize::new(0),
            started: Arc::default(),
            finished: Arc::default(),
        });
        let sc = server_with("server", |b| {
            b.with_protocol_versions(&[ProtocolVersion::TLSv1_2])
        });
        let client = |store: Option<Arc<SlowClientStore>>| {
            let b = client_builder().with_protocol_versions(&[ProtocolVersion::TLSv1_2]);
            let b = match store {
                Some(s) => b.with_session_store(s),
                None => b,
            };
            Arc::new(b.build().unwrap())
        };
        let cc = client(Some(store.clone()));
        let (c, _s) = pair(cc.clone(), sc.clone(), "localhost").await;
        assert!(!c.negotiated().resumed && c.negotiated().session_stored);
        drop(c);

        let resuming = async {
            let (c, _s) = pair(cc.clone(), sc.clone(), "localhost").await;
            c.negotiated().resumed
        };
        let other = async {
            store.started.notified().await;
            let (c, _s) = pair(client(None), sc.clone(), "localhost").await;
            (
                c.negotiated().resumed,
                store.finished.load(Ordering::SeqCst),
            )
        };
        let (resumed, (other_resumed, lookup_done)) = tokio::join!(resuming, other);
        assert!(resumed, "the session came back from the slow store");
        assert!(!other_resumed);
        assert!(!lookup_done, "the other connection waited for the lookup");
        assert_eq!(store.async_lookups.load(Ordering::SeqCst), 2);
        assert_eq!(store.sync_gets.load(Ordering::SeqCst), 0);
    })
    .await
}

/// A store whose lookup never answers: past the connector's handshake time
/// limit the lookup counts as nothing found, and the connection completes
/// with a full handshake instead of hanging.
#[tokio::test]
async fn a_lookup_that_never_answers_ends_at_the_handshake_timeout() {
    #[derive(Debug)]
    struct Silent(ClientSessionCache);
    impl ClientSessionStore for Silent {
        fn get(&self, s: &str) -> Option<Session12> {
            self.0.get(s)
        }
        fn put(&self, s: &str, v: Session12) {
            self.0.put(s, v)
        }
        fn remove(&self, s: &str) {
            self.0.remove(s)
        }
        fn take13(&self, s: &str) -> Option<Session13> {
            self.0.take13(s)
        }
        fn put13(&self, s: &str, v: Session13) {
            self.0.put13(s, v)
        }
        fn is_async(&self) -> bool {
            true
        }
        fn lookup_async(&self, _: String, _: bool, _: bool) -> HookFuture<ClientSessions> {
            Box::pin(std::future::pending())
        }
    }
    timeout(async {
        let cc = Arc::new(
            client_builder()
                .with_session_store(Arc::new(Silent(ClientSessionCache::new(4))))
                .build()
                .unwrap(),
        );
        let sc = Arc::new(server_builder("server").build().unwrap());
        let (a, b) = tokio::io::duplex(64 * 1024);
        let started = std::time::Instant::now();
        let connector =
            lctls::TlsConnector::from(cc).with_handshake_timeout(Duration::from_millis(300));
        let (c, s) = tokio::join!(
            connector.connect("localhost", a),
            lctls::TlsAcceptor::from(sc).accept(b)
        );
        let (c, _s) = (c.expect("client"), s.expect("server"));
        assert!(!c.negotiated().resumed);
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(300) && took < Duration::from_secs(5),
            "{took:?}"
        );
    })
    .await
}

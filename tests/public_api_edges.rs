//! The public API on inputs a caller may pass by mistake: each case once
//! panicked (issue 14, "no public function panics on any input") and now
//! returns an error or keeps working.

mod support;

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use lctls::{TlsAcceptor, TlsConnector};
use support::{client_config, server_config};

/// Polls `fut` once more, outside `.await`.
async fn poll_again<F: Future + Unpin>(fut: &mut F) -> Poll<F::Output> {
    std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut *fut).poll(cx))).await
}

/// A handshake future polled again after it completed answers with an
/// error; it used to panic ("handshake future polled after completion").
#[tokio::test]
async fn handshake_futures_polled_after_completion_are_an_error() {
    tokio::time::timeout(Duration::from_secs(10), async {
        let (a, b) = tokio::io::duplex(64 * 1024);
        let mut connect = TlsConnector::from(client_config()).connect("localhost", a);
        let mut accept = TlsAcceptor::from(server_config("server")).accept(b);
        let (c, s) = tokio::join!(&mut connect, &mut accept);
        let (_c, _s) = (c.unwrap(), s.unwrap());
        for again in [
            poll_again(&mut connect).await,
            poll_again(&mut accept).await,
        ] {
            let Poll::Ready(Err(e)) = again else {
                panic!("a completed handshake future polled again must be an error");
            };
            assert_eq!(e.kind(), std::io::ErrorKind::Other);
            assert_eq!(
                e.to_string(),
                "TLS handshake future polled after it completed"
            );
        }
    })
    .await
    .expect("bounded");
}

/// A handshake that timed out, polled again: an error as well (the timeout
/// left the inner future completed).
#[tokio::test]
async fn a_timed_out_handshake_polled_again_is_an_error() {
    tokio::time::timeout(Duration::from_secs(10), async {
        // No server: the client's handshake can only time out.
        let (a, _b) = tokio::io::duplex(64 * 1024);
        let mut connect = TlsConnector::from(client_config())
            .with_handshake_timeout(Duration::from_millis(50))
            .connect("localhost", a);
        let e = (&mut connect).await.unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::TimedOut);
        let Poll::Ready(Err(e)) = poll_again(&mut connect).await else {
            panic!("polled again after its timeout: an error");
        };
        assert_eq!(
            e.to_string(),
            "TLS handshake future polled after it completed"
        );
    })
    .await
    .expect("bounded");
}

/// A Redis store whose `retry_after` is `Duration::MAX` keeps working when
/// Redis is down: `Instant::now() + retry_after` overflowed and panicked
/// its worker thread at the first failure.
#[cfg(feature = "redis")]
#[test]
fn redis_retry_after_max_does_not_panic_the_store() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    use lctls::config::ServerSessionStore;
    use lctls::redis::{RedisOptions, RedisSessionStore};

    static PANICKED: AtomicBool = AtomicBool::new(false);
    let previous = Arc::new(std::panic::take_hook());
    let chained = previous.clone();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() == Some("lctls-redis") {
            PANICKED.store(true, Ordering::SeqCst);
        }
        chained(info)
    }));
    // A port nothing listens on: every connection attempt fails at once.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let options = RedisOptions {
        retry_after: Duration::MAX,
        timeout: Duration::from_millis(200),
        ..RedisOptions::default()
    };
    let store = RedisSessionStore::with_options(&format!("redis://127.0.0.1:{port}/"), options)
        .expect("a store needs no server to be built");
    for _ in 0..3 {
        assert!(store.get(b"no such session").is_none());
    }
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        !PANICKED.load(Ordering::SeqCst),
        "the store's worker thread panicked"
    );
}

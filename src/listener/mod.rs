//! `TlsListener`: a TCP listener that hands out finished TLS connections.
//!
//! Built always (it needs only Tokio's `net`, which the crate already uses),
//! so plain hyper servers and hand-written accept loops use it through
//! [`TlsListener::accept`]; the `axum` feature adds only the
//! `axum::serve::Listener` and `Connected` impls.

#[cfg(feature = "axum")]
mod axum;

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream, ToSocketAddrs};
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::stream::{TlsAcceptor, TlsStream};

/// The first pause after an accept error, doubled on each error in a row.
const BACKOFF_START: Duration = Duration::from_millis(10);
/// The longest pause after accept errors.
const BACKOFF_MAX: Duration = Duration::from_secs(1);

type Handshake = (SocketAddr, io::Result<TlsStream<TcpStream>>);

/// Accepts TCP connections and runs their TLS handshakes, yielding each
/// connection once its handshake has finished.
///
/// * Handshakes run concurrently, each in its own task: a client that
///   connects and goes silent never delays the others. Each is bounded by the
///   acceptor's handshake timeout ([`TlsAcceptor::with_handshake_timeout`],
///   10 seconds by default); at most
///   [`TlsListener::DEFAULT_MAX_CONCURRENT_HANDSHAKES`] are in flight, and beyond that new
///   connections wait in the kernel's backlog.
/// * A failed handshake is logged (tracing, debug level, with the peer and
///   the error) and the listener carries on.
/// * An accept error (EMFILE, ENFILE, ENOBUFS, ...) is logged at error level
///   and pauses accepting, 10 ms at first, doubling up to 1 s while the
///   errors continue, instead of spinning; errors that concern only one
///   connection (ECONNABORTED, ECONNRESET) are skipped at once.
///
/// [`TlsListener::accept`] is cancel-safe: handshakes in flight stay in the
/// listener when its future is dropped.
///
/// With axum (feature `axum`), it is an `axum::serve::Listener`, and
/// [`TlsConnectInfo`](crate::stream::TlsConnectInfo) gives handlers the
/// peer's certificates, ALPN and SNI:
///
/// ```no_run
/// # #[cfg(feature = "axum")]
/// # async fn demo() -> std::io::Result<()> {
/// use std::sync::Arc;
/// use axum::{extract::ConnectInfo, routing::get, Router};
/// use lctls::config::{CertifiedKey, ServerConfig};
/// use lctls::stream::TlsConnectInfo;
/// use lctls::{TlsAcceptor, TlsListener};
///
/// let key = CertifiedKey::from_pem_files("certs/server.pem", "certs/server.key")?;
/// let config = ServerConfig::builder()
///     .with_certified_key(key)
///     .with_alpn_protocols(&["h2", "http/1.1"])
///     .build()?;
/// let app = Router::new().route(
///     "/",
///     get(|ConnectInfo(tls): ConnectInfo<TlsConnectInfo>| async move {
///         format!("hello {}, {:?}\n", tls.remote_addr(), tls.protocol_version())
///     }),
/// );
/// let listener = TlsListener::bind("127.0.0.1:8443", TlsAcceptor::from(Arc::new(config))).await?;
/// axum::serve(listener, app.into_make_service_with_connect_info::<TlsConnectInfo>()).await?;
/// # Ok(()) }
/// ```
///
/// Without axum, the same listener serves plain hyper:
///
/// ```no_run
/// # async fn demo(mut listener: lctls::TlsListener) {
/// loop {
///     let (tls, peer) = listener.accept().await;
///     tokio::spawn(async move {
///         // hyper::server::conn::http1::Builder::new()
///         //     .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
///         # let _ = (tls, peer);
///     });
/// }
/// # }
/// ```
#[derive(Debug)]
pub struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
    handshakes: JoinSet<Handshake>,
    max_handshakes: usize,
    /// The pause after the latest accept error, doubled on the next one.
    backoff: Duration,
    /// Accepting resumes at this instant (set after an accept error).
    paused_until: Option<Instant>,
}

impl TlsListener {
    /// Handshakes in flight at once by default; see
    /// [`TlsListener::with_max_concurrent_handshakes`].
    pub const DEFAULT_MAX_CONCURRENT_HANDSHAKES: usize = 256;

    /// Binds a TCP listener to `addr` and serves TLS on it with `acceptor`.
    pub async fn bind<A: ToSocketAddrs>(addr: A, acceptor: TlsAcceptor) -> io::Result<Self> {
        Ok(Self::new(TcpListener::bind(addr).await?, acceptor))
    }

    /// Serves TLS with `acceptor` on an already bound listener.
    pub fn new(tcp: TcpListener, acceptor: TlsAcceptor) -> Self {
        TlsListener {
            tcp,
            acceptor,
            handshakes: JoinSet::new(),
            max_handshakes: Self::DEFAULT_MAX_CONCURRENT_HANDSHAKES,
            backoff: Duration::ZERO,
            paused_until: None,
        }
    }

    /// Runs at most `limit` handshakes at once (at least 1; default
    /// [`TlsListener::DEFAULT_MAX_CONCURRENT_HANDSHAKES`]). Connections beyond it wait in
    /// the kernel's backlog until a handshake finishes or times out, so a
    /// flood of silent clients costs a bounded amount of memory.
    pub fn with_max_concurrent_handshakes(mut self, limit: usize) -> Self {
        self.max_handshakes = limit.max(1);
        self
    }

    /// The local address the listener is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.tcp.local_addr()
    }

    /// The acceptor.
    pub fn acceptor(&self) -> &TlsAcceptor {
        &self.acceptor
    }

    /// Handshakes in flight now.
    pub fn handshakes_in_flight(&self) -> usize {
        self.handshakes.len()
    }

    /// The next connection whose handshake succeeded, with the peer's
    /// address. Never fails: failed handshakes and accept errors are logged
    /// and skipped (see the type's documentation). Cancel-safe.
    pub async fn accept(&mut self) -> (TlsStream<TcpStream>, SocketAddr) {
        loop {
            let can_accept = self.handshakes.len() < self.max_handshakes;
            let paused_until = self.paused_until;
            // Finished handshakes first, so a flood of new connections does
            // not keep ready ones waiting.
            tokio::select! {
                biased;
                Some(done) = self.handshakes.join_next() => match done {
                    Ok((peer, Ok(tls))) => return (tls, peer),
                    Ok((peer, Err(e))) => {
                        tracing::debug!(%peer, error = %e, "TLS handshake failed");
                    }
                    Err(e) => tracing::error!(error = %e, "TLS handshake task failed"),
                },
                res = self.tcp.accept(), if can_accept && paused_until.is_none() => match res {
                    Ok((tcp, peer)) => {
                        self.backoff = Duration::ZERO;
                        let handshake = self.acceptor.accept_from(tcp, peer);
                        self.handshakes.spawn(async move { (peer, handshake.await) });
                    }
                    Err(e) if is_connection_error(&e) => {
                        tracing::debug!(error = %e, "accepted connection failed");
                    }
                    Err(e) => {
                        self.backoff = next_backoff(self.backoff);
                        tracing::error!(error = %e, pause = ?self.backoff, "accept failed");
                        self.paused_until = Some(Instant::now() + self.backoff);
                    }
                },
                () = sleep_until(paused_until), if paused_until.is_some() => {
                    self.paused_until = None;
                }
            }
        }
    }
}

/// The pause after an accept error that followed a pause of `prev` (zero
/// after a success): 10 ms, doubling, at most 1 s.
fn next_backoff(prev: Duration) -> Duration {
    (prev * 2).clamp(BACKOFF_START, BACKOFF_MAX)
}

/// Sleeps until `t` (`None` never happens: its branch is disabled then).
async fn sleep_until(t: Option<Instant>) {
    if let Some(t) = t {
        tokio::time::sleep_until(t).await;
    }
}

/// Accept errors about one connection that was gone before we took it;
/// the next accept is fine (as hyper and axum treat them).
fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_10ms_to_1s() {
        let mut b = Duration::ZERO;
        let mut seen = Vec::new();
        for _ in 0..10 {
            b = next_backoff(b);
            seen.push(b.as_millis());
        }
        assert_eq!(seen, [10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000]);
    }
}

//! `TlsAcceptor`: the server side.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};

use crate::config::ServerConfig;
use crate::proto::conn::Connection;
use crate::stream::handshake::{MidHandshake, TimedHandshake, DEFAULT_HANDSHAKE_TIMEOUT};
use crate::stream::TlsStream;

/// Accepts TLS connections with a shared [`ServerConfig`].
///
/// ```no_run
/// use std::sync::Arc;
/// use lctls::{config::{CertifiedKey, ServerConfig}, TlsAcceptor};
/// # async fn demo() -> std::io::Result<()> {
/// let key = CertifiedKey::from_pem_files("certs/server.pem", "certs/server.key")?;
/// let config = ServerConfig::builder().with_certified_key(key).build()?;
/// let acceptor = TlsAcceptor::from(Arc::new(config));
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8443").await?;
/// let (tcp, _) = listener.accept().await?;
/// let tls = acceptor.accept(tcp).await?;
/// # let _ = tls; Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct TlsAcceptor {
    config: Arc<ServerConfig>,
    handshake_timeout: Option<Duration>,
}

impl From<Arc<ServerConfig>> for TlsAcceptor {
    /// An acceptor with the default handshake timeout of 10 seconds.
    fn from(config: Arc<ServerConfig>) -> Self {
        TlsAcceptor {
            config,
            handshake_timeout: Some(DEFAULT_HANDSHAKE_TIMEOUT),
        }
    }
}

impl TlsAcceptor {
    /// Fails handshakes that take longer than `limit` (counted from the
    /// first poll of the [`Accept`] future) with [`io::ErrorKind::TimedOut`],
    /// so a client that connects and goes silent cannot hold a server task
    /// forever.
    ///
    /// The default is 10 seconds. A limit needs a Tokio runtime with the time
    /// driver enabled (`#[tokio::main]` and `Builder::enable_all` have it);
    /// without one, use [`TlsAcceptor::without_handshake_timeout`].
    pub fn with_handshake_timeout(mut self, limit: Duration) -> Self {
        self.handshake_timeout = Some(limit);
        self
    }

    /// Lets handshakes take as long as the peer likes: for a runtime
    /// without a time driver, or when the caller bounds them itself (for
    /// example with `tokio::time::timeout` around the whole connection).
    pub fn without_handshake_timeout(mut self) -> Self {
        self.handshake_timeout = None;
        self
    }

    /// Starts a server handshake over `io`.
    pub fn accept<IO: AsyncRead + AsyncWrite + Unpin>(&self, io: IO) -> Accept<IO> {
        self.accept_inner(
            io,
            tracing::debug_span!("tls", role = "server", peer = tracing::field::Empty),
        )
    }

    /// Like [`TlsAcceptor::accept`], but when this server accepts 0-RTT data
    /// (see [`ServerConfigBuilder::with_max_early_data`](crate::config::ServerConfigBuilder::with_max_early_data))
    /// the stream comes as soon as our first flight is written, before the
    /// client's Finished: read the early data with
    /// [`TlsStream::read_early_data`], and answer it at once if you like
    /// (0.5-RTT data, RFC 8446 section 2.3: the client is not
    /// authenticated yet, and the request may be a replay). The handshake
    /// completes during the following reads; a failure then is a read error.
    /// Without accepted early data this is [`TlsAcceptor::accept`].
    pub fn accept_with_early_data<IO: AsyncRead + AsyncWrite + Unpin>(&self, io: IO) -> Accept<IO> {
        let span = tracing::debug_span!("tls", role = "server", peer = tracing::field::Empty);
        let conn = Connection::new_server(self.config.clone());
        let stream = MidHandshake::Handshaking(TlsStream::new(io, conn, span), true);
        Accept(TimedHandshake::new(stream, self.handshake_timeout))
    }

    /// Like [`TlsAcceptor::accept`], naming the peer's address in this
    /// connection's tracing span (a generic `IO` cannot tell us).
    pub fn accept_from<IO: AsyncRead + AsyncWrite + Unpin>(
        &self,
        io: IO,
        peer: std::net::SocketAddr,
    ) -> Accept<IO> {
        self.accept_inner(io, tracing::debug_span!("tls", role = "server", %peer))
    }

    fn accept_inner<IO: AsyncRead + AsyncWrite + Unpin>(
        &self,
        io: IO,
        span: tracing::Span,
    ) -> Accept<IO> {
        let conn = Connection::new_server(self.config.clone());
        let stream = MidHandshake::Handshaking(TlsStream::new(io, conn, span), false);
        Accept(TimedHandshake::new(stream, self.handshake_timeout))
    }

    /// The handshake time limit: `Some(10 s)` unless changed, `None`
    /// after `without_handshake_timeout`.
    pub fn handshake_timeout(&self) -> Option<Duration> {
        self.handshake_timeout
    }

    /// The configuration.
    pub fn config(&self) -> &Arc<ServerConfig> {
        &self.config
    }
}

/// The server handshake future; see [`TlsAcceptor::with_handshake_timeout`]
/// for its time limit.
#[derive(Debug)]
pub struct Accept<IO>(TimedHandshake<IO>);

impl<IO> Accept<IO> {
    /// The handshake of a server `stream` (see [`crate::server::StartHandshake`]).
    pub(crate) fn from_stream(stream: TlsStream<IO>, limit: Option<Duration>) -> Self {
        Accept(TimedHandshake::new(
            MidHandshake::Handshaking(stream, false),
            limit,
        ))
    }
}

impl<IO: AsyncRead + AsyncWrite + Unpin> Future for Accept<IO> {
    type Output = io::Result<TlsStream<IO>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx)
    }
}

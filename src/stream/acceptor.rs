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
use crate::stream::handshake::MidHandshake;
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
    fn from(config: Arc<ServerConfig>) -> Self {
        TlsAcceptor {
            config,
            handshake_timeout: None,
        }
    }
}

impl TlsAcceptor {
    /// Fails handshakes that take longer than `limit` with
    /// [`io::ErrorKind::TimedOut`], so a client that connects and goes
    /// silent cannot hold a server task forever. Needs a Tokio runtime with
    /// the time driver enabled.
    pub fn with_handshake_timeout(mut self, limit: Duration) -> Self {
        self.handshake_timeout = Some(limit);
        self
    }

    /// Starts a server handshake over `io`.
    pub fn accept<IO: AsyncRead + AsyncWrite + Unpin>(&self, io: IO) -> Accept<IO> {
        self.accept_inner(
            io,
            tracing::debug_span!("tls", role = "server", peer = tracing::field::Empty),
        )
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
        let deadline = self
            .handshake_timeout
            .map(|d| (d, Box::pin(tokio::time::sleep(d))));
        Accept {
            deadline,
            inner: MidHandshake::Handshaking(TlsStream::new(io, conn, span)),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Arc<ServerConfig> {
        &self.config
    }
}

/// The server handshake future.
#[derive(Debug)]
pub struct Accept<IO> {
    inner: MidHandshake<IO>,
    /// The handshake timeout and its timer, when one is configured.
    deadline: Option<(Duration, Pin<Box<tokio::time::Sleep>>)>,
}

impl<IO: AsyncRead + AsyncWrite + Unpin> Future for Accept<IO> {
    type Output = io::Result<TlsStream<IO>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if let Poll::Ready(r) = Pin::new(&mut this.inner).poll(cx) {
            return Poll::Ready(r);
        }
        if let Some((limit, sleep)) = &mut this.deadline {
            if sleep.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("TLS handshake did not complete within {limit:?}"),
                )));
            }
        }
        Poll::Pending
    }
}

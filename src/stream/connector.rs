//! `TlsConnector`: the client side.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use rustls_pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};

use crate::config::ClientConfig;
use crate::error::Error;
use crate::hooks::HookFuture;
use crate::proto::conn::Connection;
use crate::proto::handshake::client12::cache_key;
use crate::proto::handshake::client13;
use crate::proto::handshake::early_data::OnReject;
use crate::proto::handshake::resume::ClientSessions;
use crate::stream::handshake::{MidHandshake, TimedHandshake, DEFAULT_HANDSHAKE_TIMEOUT};
use crate::stream::TlsStream;

/// Connects TLS clients with a shared [`ClientConfig`].
///
/// ```no_run
/// use std::sync::Arc;
/// use lctls::{config::ClientConfig, pki::RootStore, TlsConnector};
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
/// # async fn demo() -> std::io::Result<()> {
/// let mut roots = RootStore::new();
/// roots.add_pem_file("certs/ca.pem")?;
/// let config = ClientConfig::builder().with_root_store(Arc::new(roots)).build()?;
/// let connector = TlsConnector::from(Arc::new(config));
/// let tcp = tokio::net::TcpStream::connect("127.0.0.1:8443").await?;
/// let mut tls = connector.connect("localhost", tcp).await?;
/// tls.write_all(b"hello").await?;
/// tls.shutdown().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct TlsConnector {
    config: Arc<ClientConfig>,
    handshake_timeout: Option<Duration>,
}

impl From<Arc<ClientConfig>> for TlsConnector {
    /// A connector with the default handshake timeout of 10 seconds.
    fn from(config: Arc<ClientConfig>) -> Self {
        TlsConnector {
            config,
            handshake_timeout: Some(DEFAULT_HANDSHAKE_TIMEOUT),
        }
    }
}

impl TlsConnector {
    /// Fails handshakes that take longer than `limit` (counted from the
    /// first poll of the [`Connect`] future) with [`io::ErrorKind::TimedOut`],
    /// so a server that accepts and never answers cannot hang the client.
    ///
    /// The default is 10 seconds, as for [`crate::TlsAcceptor`]. A limit
    /// needs a Tokio runtime with the time driver enabled (`#[tokio::main]`
    /// and `Builder::enable_all` have it); without one, use
    /// [`TlsConnector::without_handshake_timeout`].
    pub fn with_handshake_timeout(mut self, limit: Duration) -> Self {
        self.handshake_timeout = Some(limit);
        self
    }

    /// Lets handshakes take as long as the server likes: for a runtime
    /// without a time driver, or when the caller bounds them itself.
    pub fn without_handshake_timeout(mut self) -> Self {
        self.handshake_timeout = None;
        self
    }

    /// Starts a handshake with `server_name` (a DNS name or an IP address) over `io`.
    pub fn connect<IO, N>(&self, server_name: N, io: IO) -> Connect<IO>
    where
        IO: AsyncRead + AsyncWrite + Unpin,
        N: TryInto<ServerName<'static>>,
    {
        self.connect_inner(server_name, io, None, None)
    }

    /// Like [`TlsConnector::connect`], sending `data` as 0-RTT early data
    /// (RFC 8446 section 2.3) when a cached TLS 1.3 ticket from this server
    /// allows it, so it reaches the server with the ClientHello.
    ///
    /// **Early data can be replayed**: whoever captures the connection's
    /// first flight can send it to the server again. The server's
    /// anti-replay register refuses a second use of a ticket, but send only
    /// requests that are safe to process twice (RFC 8446 section 8; an HTTP
    /// GET, not a payment).
    ///
    /// What the server does not accept is handled as `on_reject` says:
    /// [`OnReject::Resend`] sends it again after the handshake as ordinary
    /// data when the negotiated ALPN protocol is the one of the ticket (RFC
    /// 8446 section 4.2.10), [`OnReject::Keep`] leaves it to the
    /// application; what is not sent, [`TlsStream::take_undelivered_early_data`]
    /// returns.
    /// [`Negotiated::early_data`](crate::proto::Negotiated::early_data)
    /// says whether 0-RTT was accepted and why not, and
    /// [`Negotiated::early_data_resent`](crate::proto::Negotiated::early_data_resent)
    /// whether the data went out after the handshake instead.
    pub fn connect_with_replayable_early_data<IO, N>(
        &self,
        server_name: N,
        io: IO,
        data: Vec<u8>,
        on_reject: OnReject,
    ) -> Connect<IO>
    where
        IO: AsyncRead + AsyncWrite + Unpin,
        N: TryInto<ServerName<'static>>,
    {
        self.connect_inner(server_name, io, None, Some((data, on_reject)))
    }

    /// Like [`TlsConnector::connect`], naming the peer's address in this
    /// connection's tracing span (a generic `IO` cannot tell us).
    pub fn connect_to<IO, N>(
        &self,
        server_name: N,
        io: IO,
        peer: std::net::SocketAddr,
    ) -> Connect<IO>
    where
        IO: AsyncRead + AsyncWrite + Unpin,
        N: TryInto<ServerName<'static>>,
    {
        self.connect_inner(server_name, io, Some(peer), None)
    }

    fn connect_inner<IO, N>(
        &self,
        server_name: N,
        io: IO,
        peer: Option<std::net::SocketAddr>,
        early: Option<(Vec<u8>, OnReject)>,
    ) -> Connect<IO>
    where
        IO: AsyncRead + AsyncWrite + Unpin,
        N: TryInto<ServerName<'static>>,
    {
        let fail = |e: io::Error| {
            Connect(ConnectState::Handshake(TimedHandshake::new(
                MidHandshake::Error(e),
                None,
            )))
        };
        let name = match server_name.try_into() {
            Ok(n) => n,
            Err(_) => {
                return fail(
                    Error::Config("invalid server name: not a DNS name or IP address".into())
                        .into(),
                )
            }
        };
        let span = tracing::debug_span!("tls", role = "client", server = ?name, peer = tracing::field::Empty);
        if let Some(peer) = peer {
            span.record("peer", tracing::field::display(peer));
        }
        // A store that answers asynchronously (Redis) is asked here, on
        // the connecting task, before the ClientHello is built.
        if self.config.session_cache.is_async() {
            let (tls12, tls13) = client13::offered_versions(&self.config);
            if let (Some(key), true) = (cache_key(&name), tls12 || tls13) {
                let lookup = self.config.session_cache.lookup_async(key, tls12, tls13);
                // A store that never answers must not hold the connection
                // forever: past the handshake time limit the lookup counts
                // as "nothing found", and a full handshake follows.
                let lookup: HookFuture<ClientSessions> = match self.handshake_timeout {
                    Some(limit) => Box::pin(async move {
                        tokio::time::timeout(limit, lookup)
                            .await
                            .unwrap_or_default()
                    }),
                    None => lookup,
                };
                return Connect(ConnectState::Lookup {
                    lookup,
                    start: Some(Box::new(Start {
                        io,
                        name,
                        early,
                        span,
                        config: self.config.clone(),
                        timeout: self.handshake_timeout,
                    })),
                });
            }
        }
        Connect(ConnectState::Handshake(handshake(
            Start {
                io,
                name,
                early,
                span,
                config: self.config.clone(),
                timeout: self.handshake_timeout,
            },
            None,
        )))
    }

    /// The handshake time limit: `Some(10 s)` unless changed, `None`
    /// after `without_handshake_timeout`.
    pub fn handshake_timeout(&self) -> Option<Duration> {
        self.handshake_timeout
    }

    /// The configuration.
    pub fn config(&self) -> &Arc<ClientConfig> {
        &self.config
    }
}

/// What a handshake starts from once the sessions to offer are known.
struct Start<IO> {
    io: IO,
    name: ServerName<'static>,
    early: Option<(Vec<u8>, OnReject)>,
    span: tracing::Span,
    config: Arc<ClientConfig>,
    timeout: Option<Duration>,
}

/// The handshake from `start`, offering `found` (None: the store is asked
/// synchronously).
fn handshake<IO>(start: Start<IO>, found: Option<ClientSessions>) -> TimedHandshake<IO> {
    let Start {
        io,
        name,
        early,
        span,
        config,
        timeout,
    } = start;
    let conn = span.in_scope(|| Connection::client_with_sessions(config, name, early, found));
    match conn {
        Ok(conn) => TimedHandshake::new(
            MidHandshake::Handshaking(TlsStream::new(io, conn, span), false),
            timeout,
        ),
        Err(e) => TimedHandshake::new(MidHandshake::Error(e.into()), None),
    }
}

#[allow(clippy::large_enum_variant)] // the handshake is the common case; boxing it would cost an allocation per connection
enum ConnectState<IO> {
    /// Waiting for an asynchronous session store (bounded by the store,
    /// see [`ClientSessionStore::lookup_async`](crate::config::ClientSessionStore::lookup_async)).
    Lookup {
        lookup: HookFuture<ClientSessions>,
        // Boxed: the common variant stays small (and only asynchronous
        // stores pay for the allocation).
        start: Option<Box<Start<IO>>>,
    },
    Handshake(TimedHandshake<IO>),
}

/// The client handshake future; see [`TlsConnector::with_handshake_timeout`]
/// for its time limit.
pub struct Connect<IO>(ConnectState<IO>);

impl<IO> std::fmt::Debug for Connect<IO> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            ConnectState::Lookup { .. } => f.write_str("Connect(looking up a session)"),
            ConnectState::Handshake(_) => f.write_str("Connect(handshaking)"),
        }
    }
}

impl<IO: AsyncRead + AsyncWrite + Unpin> Future for Connect<IO> {
    type Output = io::Result<TlsStream<IO>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut self.0;
        if let ConnectState::Lookup { lookup, start } = this {
            let found = std::task::ready!(lookup.as_mut().poll(cx));
            let Some(start) = start.take() else {
                return Poll::Ready(Err(io::Error::other(
                    "handshake future polled after completion",
                )));
            };
            *this = ConnectState::Handshake(handshake(*start, Some(found)));
        }
        match this {
            ConnectState::Handshake(h) => Pin::new(h).poll(cx),
            ConnectState::Lookup { .. } => Poll::Pending,
        }
    }
}

//! `TlsConnector`: the client side.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use rustls_pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};

use crate::config::ClientConfig;
use crate::error::Error;
use crate::proto::conn::Connection;
use crate::stream::handshake::MidHandshake;
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
}

impl From<Arc<ClientConfig>> for TlsConnector {
    fn from(config: Arc<ClientConfig>) -> Self {
        TlsConnector { config }
    }
}

impl TlsConnector {
    /// Starts a handshake with `server_name` (a DNS name or an IP address) over `io`.
    pub fn connect<IO, N>(&self, server_name: N, io: IO) -> Connect<IO>
    where
        IO: AsyncRead + AsyncWrite + Unpin,
        N: TryInto<ServerName<'static>>,
    {
        self.connect_inner(server_name, io, None)
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
        self.connect_inner(server_name, io, Some(peer))
    }

    fn connect_inner<IO, N>(
        &self,
        server_name: N,
        io: IO,
        peer: Option<std::net::SocketAddr>,
    ) -> Connect<IO>
    where
        IO: AsyncRead + AsyncWrite + Unpin,
        N: TryInto<ServerName<'static>>,
    {
        let name = match server_name.try_into() {
            Ok(n) => n,
            Err(_) => {
                return Connect(MidHandshake::Error(
                    Error::Config("invalid server name: not a DNS name or IP address".into())
                        .into(),
                ))
            }
        };
        let span = tracing::debug_span!("tls", role = "client", server = ?name, peer = tracing::field::Empty);
        if let Some(peer) = peer {
            span.record("peer", tracing::field::display(peer));
        }
        let conn = match span.in_scope(|| Connection::new_client(self.config.clone(), name)) {
            Ok(c) => c,
            Err(e) => return Connect(MidHandshake::Error(e.into())),
        };
        Connect(MidHandshake::Handshaking(TlsStream::new(io, conn, span)))
    }

    /// The configuration.
    pub fn config(&self) -> &Arc<ClientConfig> {
        &self.config
    }
}

/// The client handshake future.
#[derive(Debug)]
pub struct Connect<IO>(MidHandshake<IO>);

impl<IO: AsyncRead + AsyncWrite + Unpin> Future for Connect<IO> {
    type Output = io::Result<TlsStream<IO>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx)
    }
}

//! ClientHello first: [`LazyAcceptor`] reads a client's ClientHello before
//! any configuration is chosen, shows it ([`ClientHello`]: SNI, ALPN,
//! suites, signature schemes, versions, groups, the client's address), and
//! [`StartHandshake::into_stream`] then completes the handshake with the
//! [`ServerConfig`] the application picked for it. Per-name certificates,
//! client-authentication policies, ALPN sets and verifiers need nothing
//! more than one config each.
//!
//! The hello is framed by the record codec and joined by the handshake
//! joiner the server itself uses, and parsed by the same ClientHello
//! parser; every byte read is kept and fed to the server connection, which
//! parses it again as usual, so nothing is lost (including whatever the
//! client sent after its hello).

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use bytes::BytesMut;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_util::codec::Decoder;

use crate::config::ServerConfig;
use crate::error::Error;
use crate::proto::conn::{Connection, MAX_WARNING_ALERTS};
use crate::proto::record::codec::{HEADER_LEN, MAX_CIPHERTEXT};
use crate::proto::record::{RecordCodec, RecordLayer};
use crate::proto::wire::enums::{
    AlertDescription, AlertLevel, CipherSuite, ContentType, HandshakeType, NamedGroup,
    ProtocolVersion, SignatureScheme,
};
use crate::proto::wire::handshake::{
    HandshakeMessage, Joiner, DEFAULT_MAX_HANDSHAKE_MESSAGE, MAX_CLIENT_HELLO,
};
use crate::proto::wire::hello;
use crate::stream::acceptor::Accept;
use crate::stream::handshake::DEFAULT_HANDSHAKE_TIMEOUT;
use crate::stream::TlsStream;

/// The most bytes read before the ClientHello is complete. The largest
/// valid ClientHello (see [`MAX_CLIENT_HELLO`]) fits twice, with room for a
/// record header every 5 bytes of it and a full record beyond; real clients
/// send theirs in one or two records.
pub const MAX_BYTES_BEFORE_HELLO: usize = 2 * MAX_CLIENT_HELLO + 2 * (HEADER_LEN + MAX_CIPHERTEXT);

/// The ClientHello a [`LazyAcceptor`] read, for choosing a configuration.
#[derive(Clone)]
pub struct ClientHello {
    hello: hello::ClientHello,
    client_addr: Option<SocketAddr>,
}

impl fmt::Debug for ClientHello {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientHello")
            .field("server_name", &self.server_name())
            .field("alpn", &self.alpn().collect::<Vec<_>>())
            .field("client_addr", &self.client_addr)
            .finish_non_exhaustive()
    }
}

impl ClientHello {
    /// The server name (SNI) the client asked for, if it sent one.
    pub fn server_name(&self) -> Option<&str> {
        self.hello.extensions.server_name.as_deref()
    }

    /// The ALPN protocols the client offered, in its order of preference
    /// (none when it sent no ALPN extension).
    pub fn alpn(&self) -> impl Iterator<Item = &[u8]> {
        self.hello
            .extensions
            .alpn
            .iter()
            .flatten()
            .map(|p| p.as_slice())
    }

    /// The cipher suites offered, in the client's order.
    pub fn cipher_suites(&self) -> &[CipherSuite] {
        &self.hello.cipher_suites
    }

    /// The signature schemes of the signature_algorithms extension (empty
    /// without one).
    pub fn signature_schemes(&self) -> &[SignatureScheme] {
        self.hello
            .extensions
            .signature_algorithms
            .as_deref()
            .unwrap_or_default()
    }

    /// The versions of the supported_versions extension; without one the
    /// client speaks TLS 1.2 at most, and this is empty.
    pub fn supported_versions(&self) -> &[ProtocolVersion] {
        self.hello
            .extensions
            .supported_versions
            .as_deref()
            .unwrap_or_default()
    }

    /// The key-exchange groups of the supported_groups extension.
    pub fn named_groups(&self) -> &[NamedGroup] {
        self.hello
            .extensions
            .supported_groups
            .as_deref()
            .unwrap_or_default()
    }

    /// The client's address, when the acceptor was given it
    /// ([`LazyAcceptor::with_client_addr`]).
    pub fn client_addr(&self) -> Option<SocketAddr> {
        self.client_addr
    }
}

/// Reads a client's ClientHello before any configuration is chosen, shows
/// it ([`ClientHello`]: SNI, ALPN, suites, signature schemes, versions,
/// groups, the client's address), and [`StartHandshake::into_stream`] then
/// completes the handshake with the [`ServerConfig`] the application picked
/// for it: per-name certificates, client-authentication policies, ALPN sets
/// and verifiers need nothing more than one config each.
///
/// The hello is framed, joined and parsed by the code the server itself
/// uses, and every byte read goes on to the server connection, so nothing
/// is lost (including whatever the client sent after its hello). Reading is
/// bounded: at most [`MAX_BYTES_BEFORE_HELLO`] bytes, and a time limit.
///
/// As a future it gives a [`StartHandshake`], or an error after sending the
/// alert the error calls for (the transport stays here: [`take_io`](Self::take_io)).
/// [`into_fallible`](Self::into_fallible) gives the transport back with the
/// error instead, unanswered, so the application can say something of its
/// own (an HTTP 400 to a plaintext HTTP client, for one).
///
/// ```
/// # use std::sync::Arc;
/// # use lctls::config::{CertifiedKey, ClientConfig, ServerConfig};
/// # use lctls::pki::RootStore;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// # let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");
/// # let key = |name: &str| CertifiedKey::from_pem_files(
/// #     format!("{dir}/{name}.pem"), format!("{dir}/{name}.key"));
/// # let mut roots = RootStore::new();
/// # roots.add_pem_file(format!("{dir}/ca.pem"))?;
/// # let client = Arc::new(ClientConfig::builder().with_root_store(Arc::new(roots)).build()?);
/// # let connector = lctls::TlsConnector::from(client);
/// # let public = Arc::new(ServerConfig::builder().with_certified_key(key("server")?).build()?);
/// # let admin = Arc::new(ServerConfig::builder().with_certified_key(key("wrong-name")?).build()?);
/// # let (tcp, b) = tokio::io::duplex(64 * 1024);
/// # let client = tokio::spawn(async move { connector.connect("localhost", b).await });
/// # let addr = "192.0.2.7:40000".parse().unwrap();
/// use lctls::server::LazyAcceptor;
/// let start = LazyAcceptor::new(tcp).with_client_addr(addr).await?;
/// let config = match start.client_hello().server_name() {
///     Some("admin.example.com") => admin, // say, one requiring client certificates
///     _ => public,
/// };
/// let tls = start.into_stream(config).await?;
/// assert_eq!(tls.server_name(), Some("localhost"));
/// # client.await.expect("client task")?;
/// # Ok(()) }
/// ```
pub struct LazyAcceptor<IO> {
    io: Option<IO>,
    /// Every byte read, for the server connection.
    raw: Vec<u8>,
    /// The bytes not framed into records yet.
    pending: BytesMut,
    codec: RecordCodec,
    /// Plaintext records are opened here: it checks their size.
    layer: RecordLayer,
    joiner: Joiner,
    warnings: u32,
    client_addr: Option<SocketAddr>,
    limit: Option<Duration>,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
    /// The alert being written after a failure, and the failure.
    failing: Option<(Vec<u8>, io::Error)>,
}

impl<IO> fmt::Debug for LazyAcceptor<IO> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LazyAcceptor")
            .field("read", &self.raw.len())
            .field("client_addr", &self.client_addr)
            .finish_non_exhaustive()
    }
}

impl<IO: AsyncRead + AsyncWrite + Unpin> LazyAcceptor<IO> {
    /// Reads a ClientHello from `io`, within the default handshake timeout
    /// (10 seconds, as [`TlsAcceptor`](crate::TlsAcceptor)'s).
    pub fn new(io: IO) -> Self {
        Self::with_prefix(io, &[])
    }

    /// Like [`LazyAcceptor::new`], for a transport of which `already_read`
    /// was read already: a STARTTLS-style upgrade, where the application's
    /// own line reader may have read past its command into the ClientHello.
    pub fn with_prefix(io: IO, already_read: &[u8]) -> Self {
        LazyAcceptor {
            io: Some(io),
            raw: already_read.to_vec(),
            pending: BytesMut::from(already_read),
            codec: RecordCodec::new(),
            layer: RecordLayer::new(),
            joiner: Joiner::new(DEFAULT_MAX_HANDSHAKE_MESSAGE),
            warnings: 0,
            client_addr: None,
            limit: Some(DEFAULT_HANDSHAKE_TIMEOUT),
            sleep: None,
            failing: None,
        }
    }

    /// Records the client's address, shown by [`ClientHello::client_addr`]
    /// and named in the connection's tracing span.
    pub fn with_client_addr(mut self, addr: SocketAddr) -> Self {
        self.client_addr = Some(addr);
        self
    }

    /// Fails with [`io::ErrorKind::TimedOut`] when the ClientHello has not
    /// arrived within `limit` of the first poll; `None` waits forever (for
    /// a runtime without a time driver).
    pub fn with_timeout(mut self, limit: Option<Duration>) -> Self {
        self.limit = limit;
        self
    }

    /// The transport, after the future failed (or before it finished).
    pub fn take_io(&mut self) -> Option<IO> {
        self.io.take()
    }

    /// A future that gives the transport back with the error, sending
    /// nothing (the error's [`Error::alert`] says what a TLS peer would get).
    pub fn into_fallible(self) -> FallibleAccept<IO> {
        FallibleAccept(self)
    }

    /// Reads and frames records until a ClientHello is whole.
    fn poll_hello(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<hello::ClientHello>> {
        loop {
            if let Some(h) = self.take_hello()? {
                return Poll::Ready(Ok(h));
            }
            if self.raw.len() > MAX_BYTES_BEFORE_HELLO {
                return Poll::Ready(Err(Error::unexpected(format!(
                    "no complete ClientHello in the first {MAX_BYTES_BEFORE_HELLO} bytes"
                ))
                .into()));
            }
            if let Some(sleep) = self.timer() {
                if sleep.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "no ClientHello within the handshake timeout",
                    )));
                }
            }
            let Some(io) = self.io.as_mut() else {
                return Poll::Ready(Err(io::Error::other(
                    "LazyAcceptor polled after completion",
                )));
            };
            let before = self.pending.len();
            self.pending.reserve(HEADER_LEN + MAX_CIPHERTEXT);
            let n = ready!(tokio_util::io::poll_read_buf(
                Pin::new(io),
                cx,
                &mut self.pending
            ))?;
            if n == 0 {
                return Poll::Ready(Err(self
                    .codec
                    .decode_eof(&mut self.pending)
                    .map_or_else(io::Error::from, |_| Error::Truncated.into())));
            }
            self.raw.extend_from_slice(&self.pending[before..]);
        }
    }

    fn timer(&mut self) -> Option<&mut Pin<Box<tokio::time::Sleep>>> {
        let limit = self.limit?;
        Some(
            self.sleep
                .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit))),
        )
    }

    /// Frames the records buffered so far; the hello once it is whole.
    /// What may come before it is what a server connection accepts there:
    /// handshake records, and warning alerts within the same bound.
    fn take_hello(&mut self) -> Result<Option<hello::ClientHello>, Error> {
        while let Some(rec) = self.codec.decode(&mut self.pending)? {
            let rec = self.layer.open(rec)?;
            match rec.typ {
                ContentType::Handshake => self.joiner.push(rec.payload)?,
                ContentType::Alert => self.alert(&rec.payload)?,
                ContentType::ChangeCipherSpec => {
                    return Err(Error::unexpected("change_cipher_spec before ClientHello"))
                }
                _ => {
                    return Err(Error::unexpected(
                        "application data before the handshake completed",
                    ))
                }
            }
            if let Some(msg) = self.joiner.next_message()? {
                match msg.first() {
                    Some(&t) if t == HandshakeType::ClientHello.get() => {}
                    // The joiner yields whole messages (a 4-byte header at
                    // least); no indexing into peer bytes all the same.
                    other => {
                        let what = other.map_or("an empty message".to_string(), |&t| {
                            format!("{:?}", HandshakeType::from(t))
                        });
                        return Err(Error::unexpected(format!(
                            "{what} where a ClientHello was expected"
                        )));
                    }
                }
                return match HandshakeMessage::decode(&msg)? {
                    HandshakeMessage::ClientHello(h) => Ok(Some(h)),
                    _ => Err(Error::internal(
                        "a ClientHello that decoded as another message",
                    )),
                };
            }
        }
        Ok(None)
    }

    fn alert(&mut self, payload: &[u8]) -> Result<(), Error> {
        let [level, desc] = payload else {
            return Err(Error::decode("alert record is not two bytes"));
        };
        let (level, desc) = (AlertLevel::from(*level), AlertDescription::from(*desc));
        if level == AlertLevel::Warning && desc != AlertDescription::CloseNotify {
            self.warnings += 1;
            if self.warnings <= MAX_WARNING_ALERTS {
                return Ok(());
            }
            return Err(Error::unexpected(format!(
                "too many warning alerts: the peer sent more than {MAX_WARNING_ALERTS} in a row"
            )));
        }
        Err(Error::AlertReceived(desc))
    }

    fn start(&mut self, hello: hello::ClientHello) -> io::Result<StartHandshake<IO>> {
        let io = self
            .io
            .take()
            .ok_or_else(|| io::Error::other("LazyAcceptor polled after completion"))?;
        Ok(StartHandshake {
            io,
            raw: std::mem::take(&mut self.raw),
            hello: ClientHello {
                hello,
                client_addr: self.client_addr,
            },
        })
    }
}

impl<IO: AsyncRead + AsyncWrite + Unpin> Future for LazyAcceptor<IO> {
    type Output = io::Result<StartHandshake<IO>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if this.failing.is_none() {
            match ready!(this.poll_hello(cx)) {
                Ok(hello) => return Poll::Ready(this.start(hello)),
                Err(e) => {
                    // The plaintext alert the error calls for, if any.
                    let mut alert = BytesMut::new();
                    if let Some(desc) = Error::from_io(&e).and_then(Error::alert) {
                        let body = [AlertLevel::Fatal.get(), desc.get()];
                        let _ = this.layer.seal(ContentType::Alert, &body, &mut alert);
                    }
                    this.failing = Some((alert.to_vec(), e));
                }
            }
        }
        // Best effort: the error is what we report, whatever the transport says.
        if let (Some((alert, _)), Some(io)) = (&mut this.failing, this.io.as_mut()) {
            while !alert.is_empty() {
                match Pin::new(&mut *io).poll_write(cx, alert) {
                    Poll::Ready(Ok(n)) if n > 0 => {
                        alert.drain(..n);
                    }
                    Poll::Pending => return Poll::Pending,
                    _ => alert.clear(),
                }
            }
            if Pin::new(io).poll_flush(cx).is_pending() {
                return Poll::Pending;
            }
        }
        let (_, e) = this.failing.take().expect("set above");
        Poll::Ready(Err(e))
    }
}

/// [`LazyAcceptor::into_fallible`]: the transport comes back with the error.
///
/// Polling it again after it completed panics, as the `Future` contract
/// allows: its error output must carry the transport, which is gone by
/// then. (The other handshake futures answer such a poll with an error.)
pub struct FallibleAccept<IO>(LazyAcceptor<IO>);

impl<IO> fmt::Debug for FallibleAccept<IO> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("FallibleAccept").field(&self.0).finish()
    }
}

impl<IO: AsyncRead + AsyncWrite + Unpin> Future for FallibleAccept<IO> {
    type Output = Result<StartHandshake<IO>, (io::Error, IO)>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut self.get_mut().0;
        let r = ready!(this.poll_hello(cx)).and_then(|h| this.start(h));
        Poll::Ready(r.map_err(|e| match this.io.take() {
            Some(io) => (e, io),
            // Only a second poll after completion gets here.
            None => panic!("FallibleAccept polled after completion"),
        }))
    }
}

/// A ClientHello was read: choose a configuration and complete the handshake.
pub struct StartHandshake<IO> {
    io: IO,
    raw: Vec<u8>,
    hello: ClientHello,
}

impl<IO> fmt::Debug for StartHandshake<IO> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StartHandshake")
            .field("hello", &self.hello)
            .finish_non_exhaustive()
    }
}

impl<IO: AsyncRead + AsyncWrite + Unpin> StartHandshake<IO> {
    /// The client's hello.
    pub fn client_hello(&self) -> &ClientHello {
        &self.hello
    }

    /// Completes the handshake with `config`, within the default handshake
    /// timeout (10 seconds). Every byte read so far goes to the server
    /// connection first.
    pub fn into_stream(self, config: Arc<ServerConfig>) -> Accept<IO> {
        self.into_stream_with_timeout(config, Some(DEFAULT_HANDSHAKE_TIMEOUT))
    }

    /// [`StartHandshake::into_stream`] with another time limit (`None`: none).
    pub fn into_stream_with_timeout(
        self,
        config: Arc<ServerConfig>,
        limit: Option<Duration>,
    ) -> Accept<IO> {
        let span = match self.hello.client_addr {
            Some(peer) => tracing::debug_span!("tls", role = "server", %peer),
            None => tracing::debug_span!("tls", role = "server", peer = tracing::field::Empty),
        };
        let mut conn = Connection::new_server(config);
        conn.feed(&self.raw);
        // The hello is answered here; a failure is recorded in the
        // connection, and the handshake future sends its alert and reports it.
        let _ = conn.process();
        Accept::from_stream(TlsStream::new(self.io, conn, span), limit)
    }

    /// Gives up on TLS: the transport and every byte read from it.
    pub fn into_inner(self) -> (IO, Vec<u8>) {
        (self.io, self.raw)
    }
}

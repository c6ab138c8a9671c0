//! `TlsStream`: AsyncRead + AsyncWrite over an established connection.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll, Waker};

use rustls_pki_types::CertificateDer;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::error::Error;
use crate::proto::conn::Connection;
use crate::proto::handshake::Negotiated;
use crate::proto::wire::enums::{AlertDescription, CipherSuite, NamedGroup, ProtocolVersion};
use crate::stream::paths::{self, ReadSide};

/// A TLS connection over `IO`, after the handshake.
///
/// Reading returns application data; a clean end of stream is reported only
/// after the peer's close_notify. An EOF without it is an
/// [`io::ErrorKind::UnexpectedEof`] error carrying [`Error::Truncated`].
#[derive(Debug)]
pub struct TlsStream<IO> {
    pub(crate) io: IO,
    pub(crate) conn: Connection,
    pub(crate) span: tracing::Span,
    pub(crate) eof: bool,
    /// The waker of a write (or flush/shutdown) waiting for the transport.
    /// The read side also writes to the transport (KeyUpdate answers, alerts,
    /// ciphertext a writer left queued), and the transport keeps only the
    /// latest waker: after such a write the waiting writer must be woken, or
    /// split halves polled from two tasks deadlock.
    pub(crate) write_waker: Option<Waker>,
    /// Ciphertext went to the transport since its last flush. The handshake
    /// and the reader (KeyUpdate answers, alerts) flush it themselves: over a
    /// buffering transport (`BufStream`, `BufWriter`) nobody else would, and
    /// the peer would wait forever.
    pub(crate) unflushed: bool,
}

impl<IO> TlsStream<IO> {
    /// A stream over `io` driving `conn`, logging under `span`.
    pub(crate) fn new(io: IO, conn: Connection, span: tracing::Span) -> Self {
        TlsStream {
            io,
            conn,
            span,
            eof: false,
            write_waker: None,
            unflushed: false,
        }
    }

    /// The inner transport.
    pub fn get_ref(&self) -> &IO {
        &self.io
    }

    /// The inner transport, mutably. Reading or writing it directly corrupts the TLS stream.
    pub fn get_mut(&mut self) -> &mut IO {
        &mut self.io
    }

    /// Gives the transport back, dropping TLS state (no close_notify is sent).
    pub fn into_inner(self) -> IO {
        self.io
    }

    /// The sans-IO connection.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Everything the handshake negotiated.
    pub fn negotiated(&self) -> &Negotiated {
        self.conn.negotiated()
    }

    /// The protocol version.
    pub fn protocol_version(&self) -> Option<ProtocolVersion> {
        self.negotiated().version
    }

    /// The cipher suite.
    pub fn cipher_suite(&self) -> Option<CipherSuite> {
        self.negotiated().cipher_suite
    }

    /// The key-exchange group.
    pub fn key_exchange_group(&self) -> Option<NamedGroup> {
        self.negotiated().group
    }

    /// The ALPN protocol, if one was agreed.
    pub fn alpn_protocol(&self) -> Option<&[u8]> {
        self.negotiated().alpn.as_deref()
    }

    /// The SNI name (sent by us as a client, received as a server).
    pub fn server_name(&self) -> Option<&str> {
        self.negotiated().sni.as_deref()
    }

    /// The peer's certificate chain, end entity first (empty when the peer sent none).
    /// After a resumption, the chain verified in the handshake that made the
    /// session (see [`crate::docs::resumption`] for what is re-checked).
    pub fn peer_certificates(&self) -> &[CertificateDer<'static>] {
        &self.negotiated().peer_certificates
    }

    /// The DER OCSP response the server stapled (client side, when
    /// [`with_ocsp_stapling`](crate::config::ClientConfigBuilder::with_ocsp_stapling)
    /// asked), verified as the client's policy says.
    pub fn ocsp_response(&self) -> Option<&[u8]> {
        self.negotiated().ocsp_response.as_deref()
    }

    /// Server side: the 0-RTT data the client sent with its ClientHello,
    /// once, if this server accepted it (see
    /// [`ServerConfigBuilder::with_max_early_data`](crate::config::ServerConfigBuilder::with_max_early_data)).
    /// It is never returned by reads: **it can be a replay** (the built-in
    /// anti-replay refuses a second use of a ticket within its window, but
    /// servers not sharing one register, or a client re-sending after a
    /// rejection, can still deliver the same request twice), so act on it
    /// only where doing so twice is harmless.
    pub fn take_replayable_early_data(&mut self) -> Option<Vec<u8>> {
        self.conn.take_replayable_early_data()
    }

    /// Client side: early data the server did not accept and that was not
    /// sent again (see [`crate::TlsConnector::connect_with_replayable_early_data`]).
    pub fn take_undelivered_early_data(&mut self) -> Option<Vec<u8>> {
        self.conn.take_undelivered_early_data()
    }

    /// Derives keying material (RFC 8446 section 7.5).
    pub fn export_keying_material(
        &self,
        out: &mut [u8],
        label: &[u8],
        context: Option<&[u8]>,
    ) -> Result<(), Error> {
        self.conn.export_keying_material(out, label, context)
    }

    /// Sends a KeyUpdate at the next write or flush; with `request_peer` the
    /// peer is asked to update its keys too.
    pub fn update_keys(&mut self, request_peer: bool) -> Result<(), Error> {
        self.conn.update_keys(request_peer)
    }

    /// Ends the connection with a fatal `alert`, sent at the next write or
    /// flush; see [`Connection::abort`].
    pub fn abort(&mut self, alert: AlertDescription) -> Error {
        self.conn.abort(alert)
    }

    /// See [`Connection::dangerous_set_key_limit_for_tests`]: for this
    /// crate's tests only, not part of the API.
    #[doc(hidden)]
    pub fn dangerous_set_key_limit_for_tests(&mut self, records: u64) {
        self.conn.dangerous_set_key_limit_for_tests(records);
    }
}

impl<IO: AsyncRead + AsyncWrite + Unpin> TlsStream<IO> {
    /// Server side, after [`TlsAcceptor::accept_with_early_data`](crate::TlsAcceptor::accept_with_early_data):
    /// the next chunk of 0-RTT data as it arrives, or None once the client
    /// ended its early data (or sent none that we accepted). **It can be a
    /// replay** (see [`TlsStream::take_replayable_early_data`]); ordinary
    /// reads never return it.
    pub async fn read_early_data(&mut self) -> io::Result<Option<Vec<u8>>> {
        std::future::poll_fn(|cx| self.poll_early_data(cx)).await
    }

    fn poll_early_data(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Option<Vec<u8>>>> {
        let _g = self.span.clone().entered();
        loop {
            if let Some(d) = self.conn.take_replayable_early_data() {
                return Poll::Ready(Ok(Some(d)));
            }
            if !self.conn.is_early_data_phase() {
                return Poll::Ready(Ok(None));
            }
            // 0.5-RTT data the application wrote goes out while we wait.
            self.flush_from_reader(cx);
            match ready!(self.poll_read_tls(cx)) {
                Ok(true) => continue,
                Ok(false) => return Poll::Ready(Err(Error::Truncated.into())),
                Err(e) => {
                    self.flush_alert_best_effort(cx);
                    return Poll::Ready(Err(e));
                }
            }
        }
    }

    /// Writes queued ciphertext until none is left or the transport would block.
    pub(crate) fn poll_write_tls(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        paths::poll_write_out(&mut self.conn, &mut self.io, &mut self.unflushed, cx)
    }

    /// [`Self::poll_write_tls`], then flushes the transport if anything went
    /// to it: for writes nobody else will flush (handshake flights, answers
    /// and alerts sent on a reader's behalf).
    pub(crate) fn poll_push_tls(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_write_tls(cx))?;
        if self.unflushed {
            ready!(Pin::new(&mut self.io).poll_flush(cx))?;
            self.unflushed = false;
        }
        Poll::Ready(Ok(()))
    }

    /// Reads ciphertext once and processes the records it completes.
    /// Ready(Ok(false)) means the transport reached EOF.
    pub(crate) fn poll_read_tls(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<bool>> {
        let more = ready!(paths::poll_fill(
            &mut self.conn,
            &mut self.io,
            &mut self.eof,
            cx
        ))?;
        if more {
            self.conn.process()?;
        }
        Poll::Ready(Ok(more))
    }

    /// Sends any alert the connection queued, ignoring transport trouble:
    /// the caller is already reporting an error.
    pub(crate) fn flush_alert_best_effort(&mut self, cx: &mut Context<'_>) {
        let _ = self.poll_write_tls_from_reader(cx);
    }

    /// [`Self::poll_push_tls`] on behalf of a reader. Its waker may replace a
    /// waiting writer's in the transport, so that writer is woken to re-register.
    fn poll_write_tls_from_reader(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let r = self.poll_push_tls(cx);
        if let Some(w) = self.write_waker.take() {
            w.wake();
        }
        r
    }
}

impl<IO: AsyncRead + AsyncWrite + Unpin> paths::ReadSide for TlsStream<IO> {
    fn conn(&mut self) -> &mut Connection {
        &mut self.conn
    }

    fn eof(&self) -> bool {
        self.eof
    }

    fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<bool>> {
        paths::poll_fill(&mut self.conn, &mut self.io, &mut self.eof, cx)
    }

    /// Pushes queued ciphertext on behalf of a reader. A failed write is
    /// not the reader's error: the peer may have closed its side after
    /// sending an alert that explains why, and that alert is what reading
    /// should report; the writer sees the write error on its next call.
    fn flush_from_reader(&mut self, cx: &mut Context<'_>) {
        if self.conn.outgoing_len() > 0 || self.unflushed {
            let _ = self.poll_write_tls_from_reader(cx);
        }
    }

    fn flush_alert_best_effort(&mut self, cx: &mut Context<'_>) {
        TlsStream::flush_alert_best_effort(self, cx);
    }
}

impl<IO: AsyncRead + AsyncWrite + Unpin> paths::WriteSide for TlsStream<IO> {
    type Io = IO;

    fn parts(&mut self) -> (&mut Connection, &mut IO, &mut bool) {
        (&mut self.conn, &mut self.io, &mut self.unflushed)
    }

    /// The read side also writes to the transport (KeyUpdate answers,
    /// alerts, ciphertext a writer left queued), and the transport keeps
    /// only the latest waker: the reader wakes this one after such a write.
    fn park(&mut self, waker: &Waker) {
        self.write_waker = Some(waker.clone());
    }
}

impl<IO: AsyncRead + AsyncWrite + Unpin> AsyncRead for TlsStream<IO> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let _g = this.span.clone().entered();
        paths::poll_read_app(this, cx, buf)
    }
}

impl<IO: AsyncRead + AsyncWrite + Unpin> AsyncWrite for TlsStream<IO> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let _g = this.span.clone().entered();
        paths::poll_write_app(this, cx, buf)
    }

    /// Small slices are sealed together (a full record of them where they
    /// add up to one), not a record per slice; a slice of a record or more
    /// is sealed alone, without a copy.
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let _g = this.span.clone().entered();
        paths::poll_write_vectored_app(this, cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        paths::poll_flush_app(self.get_mut(), cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let _g = this.span.clone().entered();
        paths::poll_shutdown_app(this, cx)
    }
}

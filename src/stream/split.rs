//! Full-duplex split: [`TlsStream::into_split`] gives an owned [`ReadHalf`]
//! and [`WriteHalf`] that two tasks poll at once, each at full speed.
//!
//! See [`TlsStream::into_split`] for the design and its cost.

use std::fmt;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;

use crate::error::Error;
use crate::proto::conn::{Connection, Handoff};
use crate::proto::handshake::Negotiated;
use crate::stream::paths::{self, ReadSide, WriteSide};
use crate::stream::TlsStream;

/// The reading half of a [`TlsStream`], from [`TlsStream::into_split`].
///
/// Reads return application data exactly as the whole stream's do: a clean
/// end only after the peer's close_notify. KeyUpdates from the peer are
/// handled here; an answer the peer asked for is handed to the
/// [`WriteHalf`], which sends it before its next application data (RFC 8446
/// section 4.6.3). A fatal error is handed over too: the write half sends
/// its alert on its next call and fails from then on.
pub struct ReadHalf<R> {
    io: R,
    conn: Connection,
    handoff: Arc<Handoff>,
    span: tracing::Span,
    eof: bool,
}

/// The writing half of a [`TlsStream`], from [`TlsStream::into_split`].
///
/// Shutting it down sends close_notify, after which the [`ReadHalf`] may
/// go on reading until the peer closes its side.
pub struct WriteHalf<W> {
    io: W,
    conn: Connection,
    handoff: Arc<Handoff>,
    span: tracing::Span,
    unflushed: bool,
}

impl<R> fmt::Debug for ReadHalf<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadHalf")
            .field("conn", &self.conn)
            .finish_non_exhaustive()
    }
}

impl<W> fmt::Debug for WriteHalf<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WriteHalf")
            .field("conn", &self.conn)
            .finish_non_exhaustive()
    }
}

impl<IO> TlsStream<IO> {
    /// Splits the stream into halves with their own transport halves made by
    /// `split_io`: the building block of [`TlsStream::into_split`] and
    /// [`TlsStream::into_split_tcp`]. While the handshake is still running
    /// (a stream from [`TlsAcceptor::accept_with_early_data`](crate::TlsAcceptor::accept_with_early_data)
    /// read no further than the early data) both directions are needed in
    /// step, and the stream comes back unsplit.
    // What the caller had comes back as it was on the rare refusal, unboxed
    // (as tokio's `ReuniteError` does).
    #[allow(clippy::result_large_err)]
    fn split_with<R, W>(
        self,
        split_io: impl FnOnce(IO) -> (R, W),
    ) -> Result<(ReadHalf<R>, WriteHalf<W>), Self> {
        let TlsStream {
            io,
            conn,
            span,
            eof,
            write_waker,
            unflushed,
        } = self;
        let (reader, writer, handoff) = match conn.into_split() {
            Ok(parts) => parts,
            Err(conn) => {
                return Err(TlsStream {
                    io,
                    conn,
                    span,
                    eof,
                    write_waker,
                    unflushed,
                })
            }
        };
        let (r, w) = split_io(io);
        let read = ReadHalf {
            io: r,
            conn: reader,
            handoff: handoff.clone(),
            span: span.clone(),
            eof,
        };
        let write = WriteHalf {
            io: w,
            conn: writer,
            handoff,
            span,
            unflushed,
        };
        Ok((read, write))
    }
}

impl<IO: AsyncRead + AsyncWrite> TlsStream<IO> {
    /// Splits the stream into a [`ReadHalf`] and a [`WriteHalf`] that can be
    /// moved to two tasks and polled at the same time, each at full speed.
    ///
    /// There is no lock around the TLS connection. TLS protects each
    /// direction with its own keys and sequence numbers, so the record layer
    /// is cut in two: the read half opens records with the read keys, the
    /// write half seals them with the write keys. They share only a small,
    /// bounded hand-off for the few events that cross from reader to writer
    /// (a KeyUpdate the peer asked us to answer, the alert of a fatal read
    /// error, the error itself): one atomic load per write call when it is
    /// empty, and a writer waiting for its transport is woken when something
    /// arrives. [`ReadHalf::reunite`] puts the stream back together.
    ///
    /// The transport must be split as well, and here it is split with
    /// [`tokio::io::split`]: that puts a `std::sync::Mutex` around the
    /// *transport* (not the TLS state), taken for the duration of each
    /// `poll_read`/`poll_write` call on it. The cost is two uncontended lock
    /// operations per transport call (one per record or fewer, as reads and
    /// writes are up to 64 KiB and 256 KiB), and the halves wait for each
    /// other only for the length of a system call, never for each other's
    /// encryption. A `TcpStream` needs no lock at all:
    /// [`TlsStream::into_split_tcp`] uses
    /// [`TcpStream::into_split`](tokio::net::TcpStream::into_split).
    ///
    /// Fails, giving the stream back, only while its handshake is
    /// unfinished (see [`TlsAcceptor::accept_with_early_data`](crate::TlsAcceptor::accept_with_early_data)).
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
    /// # let config = Arc::new(ServerConfig::builder().with_certified_key(key("server")?).build()?);
    /// # let (a, b) = tokio::io::duplex(64 * 1024);
    /// # let (c, s) = tokio::join!(
    /// #     connector.connect("localhost", a),
    /// #     lctls::TlsAcceptor::from(config).accept(b),
    /// # );
    /// # let (mut client, server) = (c?, s?);
    /// use tokio::io::{AsyncReadExt, AsyncWriteExt};
    /// let (mut rd, mut wr) = server.into_split().expect("handshake complete");
    /// // The read half on a task of its own, the write half here.
    /// let reader = tokio::spawn(async move {
    ///     let mut got = Vec::new();
    ///     rd.read_to_end(&mut got).await.map(|_| (rd, got))
    /// });
    /// wr.write_all(b"hello").await?;
    /// wr.shutdown().await?; // close_notify
    /// # client.write_all(b"ping").await?;
    /// # client.shutdown().await?;
    /// # let mut echo = Vec::new();
    /// # client.read_to_end(&mut echo).await?;
    /// # assert_eq!(echo, b"hello");
    /// let (rd, got) = reader.await.expect("reader task")?;
    /// assert_eq!(got, b"ping"); // what the client sent, up to its close_notify
    /// let server = rd.reunite(wr).expect("the halves of one stream");
    /// # drop(server);
    /// # Ok(()) }
    /// ```
    #[allow(clippy::type_complexity, clippy::result_large_err)]
    pub fn into_split(
        self,
    ) -> Result<
        (
            ReadHalf<tokio::io::ReadHalf<IO>>,
            WriteHalf<tokio::io::WriteHalf<IO>>,
        ),
        Self,
    > {
        self.split_with(tokio::io::split)
    }
}

impl TlsStream<TcpStream> {
    /// [`TlsStream::into_split`] for a TCP stream, whose two directions
    /// need no lock at all ([`TcpStream::into_split`]).
    #[allow(clippy::result_large_err)]
    pub fn into_split_tcp(
        self,
    ) -> Result<(ReadHalf<OwnedReadHalf>, WriteHalf<OwnedWriteHalf>), Self> {
        self.split_with(TcpStream::into_split)
    }
}

/// Transport halves that can be put back together: those of
/// [`tokio::io::split`] and of [`TcpStream::into_split`].
pub trait ReuniteIo<W>: Sized {
    /// The whole transport.
    type Io;
    /// Joins the halves, or gives them back if they are not a pair.
    fn reunite_io(self, write: W) -> Result<Self::Io, (Self, W)>;
}

impl<IO: Unpin> ReuniteIo<tokio::io::WriteHalf<IO>> for tokio::io::ReadHalf<IO> {
    type Io = IO;
    fn reunite_io(
        self,
        write: tokio::io::WriteHalf<IO>,
    ) -> Result<IO, (Self, tokio::io::WriteHalf<IO>)> {
        if self.is_pair_of(&write) {
            Ok(self.unsplit(write))
        } else {
            Err((self, write))
        }
    }
}

impl ReuniteIo<OwnedWriteHalf> for OwnedReadHalf {
    type Io = TcpStream;
    fn reunite_io(self, write: OwnedWriteHalf) -> Result<TcpStream, (Self, OwnedWriteHalf)> {
        self.reunite(write).map_err(|e| (e.0, e.1))
    }
}

/// The halves given to [`ReadHalf::reunite`] were not split from the same
/// stream; both are given back.
pub struct ReuniteError<R, W>(pub ReadHalf<R>, pub WriteHalf<W>);

impl<R, W> fmt::Debug for ReuniteError<R, W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReuniteError(..)")
    }
}

impl<R, W> fmt::Display for ReuniteError<R, W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tried to reunite halves of two different TLS streams")
    }
}

impl<R, W> std::error::Error for ReuniteError<R, W> {}

impl<R> ReadHalf<R> {
    /// Puts the stream back together. Whatever the read half handed over
    /// and the write half has not acted on yet (a KeyUpdate to answer, an
    /// alert) is queued first, so nothing is lost. Fails, giving both
    /// halves back, when they come from different streams.
    #[allow(clippy::result_large_err)]
    pub fn reunite<W>(self, write: WriteHalf<W>) -> Result<TlsStream<R::Io>, ReuniteError<R, W>>
    where
        R: ReuniteIo<W>,
    {
        if !Arc::ptr_eq(&self.handoff, &write.handoff) {
            return Err(ReuniteError(self, write));
        }
        let ReadHalf {
            io: r,
            conn: reader,
            handoff,
            span,
            eof,
        } = self;
        let WriteHalf {
            io: w,
            conn: writer,
            handoff: wh,
            span: ws,
            unflushed,
        } = write;
        let io = match r.reunite_io(w) {
            Ok(io) => io,
            Err((r, w)) => {
                let read = ReadHalf {
                    io: r,
                    conn: reader,
                    handoff,
                    span,
                    eof,
                };
                let write = WriteHalf {
                    io: w,
                    conn: writer,
                    handoff: wh,
                    span: ws,
                    unflushed,
                };
                return Err(ReuniteError(read, write));
            }
        };
        let conn = Connection::join(reader, writer, &handoff);
        let mut stream = TlsStream::new(io, conn, span);
        stream.eof = eof;
        stream.unflushed = unflushed;
        Ok(stream)
    }

    /// Everything the handshake negotiated.
    pub fn negotiated(&self) -> &Negotiated {
        self.conn.negotiated()
    }

    /// Derives keying material (RFC 8446 section 7.5, RFC 5705): either
    /// half can, it needs only the exporter secret.
    pub fn export_keying_material(
        &self,
        out: &mut [u8],
        label: &[u8],
        context: Option<&[u8]>,
    ) -> Result<(), Error> {
        self.conn.export_keying_material(out, label, context)
    }

    /// The transport's read half.
    pub fn get_ref(&self) -> &R {
        &self.io
    }
}

impl<W> WriteHalf<W> {
    /// Everything the handshake negotiated.
    pub fn negotiated(&self) -> &Negotiated {
        self.conn.negotiated()
    }

    /// See [`ReadHalf::export_keying_material`].
    pub fn export_keying_material(
        &self,
        out: &mut [u8],
        label: &[u8],
        context: Option<&[u8]>,
    ) -> Result<(), Error> {
        self.conn.export_keying_material(out, label, context)
    }

    /// Sends a KeyUpdate at the next write or flush and switches to new
    /// write keys; with `request_peer` the peer is asked to update its keys
    /// too (its KeyUpdate then reaches the [`ReadHalf`], which switches the
    /// read keys on its own). See [`TlsStream::update_keys`].
    pub fn update_keys(&mut self, request_peer: bool) -> Result<(), Error> {
        self.conn.apply_handoff(&self.handoff);
        self.conn.update_keys(request_peer)
    }

    /// The transport's write half.
    pub fn get_ref(&self) -> &W {
        &self.io
    }
}

impl<R: AsyncRead + Unpin> ReadSide for ReadHalf<R> {
    fn conn(&mut self) -> &mut Connection {
        &mut self.conn
    }

    fn eof(&self) -> bool {
        self.eof
    }

    fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<bool>> {
        paths::poll_fill(&mut self.conn, &mut self.io, &mut self.eof, cx)
    }

    /// Nothing to push: what the reader would write went to the hand-off.
    fn flush_from_reader(&mut self, _cx: &mut Context<'_>) {}

    /// The alert is already with the writer; tell it the connection failed.
    fn flush_alert_best_effort(&mut self, _cx: &mut Context<'_>) {
        self.conn.post_failure();
    }
}

impl<W: AsyncWrite + Unpin> WriteSide for WriteHalf<W> {
    type Io = W;

    fn parts(&mut self) -> (&mut Connection, &mut W, &mut bool) {
        (&mut self.conn, &mut self.io, &mut self.unflushed)
    }

    fn prepare(&mut self) {
        self.conn.apply_handoff(&self.handoff);
    }

    fn park(&mut self, waker: &Waker) {
        self.handoff.register_writer(waker);
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for ReadHalf<R> {
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

impl<W: AsyncWrite + Unpin> AsyncWrite for WriteHalf<W> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let _g = this.span.clone().entered();
        paths::poll_write_app(this, cx, buf)
    }

    /// Small slices are sealed together; see [`TlsStream`]'s.
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
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

//! The read and write paths of a TLS stream, shared by [`TlsStream`]
//! and the halves of [`TlsStream::into_split`]: both run the same loops
//! over a [`Connection`], and differ only in who writes what the reader
//! queued (a whole stream writes it itself; a read half hands it to its
//! write half) and in how a waiting writer is remembered.
//!
//! [`TlsStream`]: crate::TlsStream
//! [`TlsStream::into_split`]: crate::TlsStream::into_split

use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{ready, Context, Poll, Waker};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::error::Error;
use crate::proto::conn::Connection;
use crate::proto::record::codec::{HEADER_LEN, MAX_CIPHERTEXT, MAX_PLAINTEXT};

/// Ciphertext we let pile up before a write waits for the transport; a
/// write seals only up to it (rounded up to whole records), so no more than
/// about this much is ever queued. It was 256 KiB with up to 256 KiB more
/// sealed on top: with 100 connections writing into full pipes
/// (`scale_bulk_c100`) each one's buffer grew to ~0.5-1 MiB, every page of
/// it touched for the first time (page faults per MB 2.5x rustls's, whose
/// send buffer stops at 64 KiB) and reallocated as it grew.
pub(crate) const WRITE_HIGH_WATER: usize = 64 * 1024;
/// Room for ciphertext one transport read may fill once the handshake is
/// done: four whole records, so a bulk reader over TCP makes one read per
/// 64 KiB (as the writer's writes are) rather than one per one or two
/// records. Never more than this is buffered ahead of the records being
/// processed.
const READ_SPACE: usize = 4 * (MAX_CIPHERTEXT + 5);
/// While handshaking, room for the start of a record: what rustls reads at
/// once, and more than most flights (a TLS 1.3 server flight with an
/// ECDSA chain is about 1.5 KB, with RSA-2048 about 3 KB). A record that
/// announces more gets room for all of it (one record, at most 16 KiB +
/// 261 bytes), so a large flight costs one more read, not one per 4 KiB.
/// An unauthenticated peer trickling a partial flight holds this much of
/// our memory per connection, and the buffer is kept from flight to flight
/// until the handshake is done (`Connection::release_drained`).
const HANDSHAKE_READ: usize = 4096;
/// Plaintext sealed per `poll_write` call at most.
pub(crate) const MAX_WRITE_CHUNK: usize = WRITE_HIGH_WATER;

/// The reading end: a whole stream or a read half.
pub(crate) trait ReadSide {
    fn conn(&mut self) -> &mut Connection;
    /// The transport reached EOF.
    fn eof(&self) -> bool;
    /// Reads ciphertext once into the connection's buffer, without
    /// processing it. Ready(Ok(false)) means the transport reached EOF.
    fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<bool>>;
    /// Gets what reading queued (KeyUpdate answers, alerts) on its way.
    fn flush_from_reader(&mut self, cx: &mut Context<'_>);
    /// Like `flush_from_reader`, when reading is about to report an error.
    fn flush_alert_best_effort(&mut self, cx: &mut Context<'_>);
}

/// The writing end: a whole stream or a write half.
pub(crate) trait WriteSide {
    type Io: AsyncWrite + Unpin;
    /// The connection, the transport, and whether ciphertext went to the
    /// transport since its last flush.
    fn parts(&mut self) -> (&mut Connection, &mut Self::Io, &mut bool);
    /// Before each write: a write half takes what its reader handed over.
    fn prepare(&mut self) {}
    /// A write waits for the transport with this waker.
    fn park(&mut self, waker: &Waker);
}

/// Reads ciphertext once into `conn`'s buffer. Ready(Ok(false)) means EOF
/// (recorded in `eof`, and reported to the connection).
pub(crate) fn poll_fill<R: AsyncRead + Unpin>(
    conn: &mut Connection,
    io: &mut R,
    eof: &mut bool,
    cx: &mut Context<'_>,
) -> Poll<io::Result<bool>> {
    if conn.is_handshaking() {
        let incoming = conn.incoming_mut();
        let want = handshake_room(incoming);
        if incoming.capacity() < want {
            incoming.reserve(want - incoming.len());
        }
    } else {
        let incoming = conn.incoming_mut();
        if incoming.capacity() - incoming.len() < MAX_CIPHERTEXT + 5 && incoming.len() < READ_SPACE
        {
            incoming.reserve(READ_SPACE - incoming.len());
        }
    }
    let n = ready!(tokio_util::io::poll_read_buf(
        Pin::new(io),
        cx,
        conn.incoming_mut()
    ))?;
    if n == 0 {
        *eof = true;
        conn.process_eof()?;
        return Poll::Ready(Ok(false));
    }
    Poll::Ready(Ok(true))
}

/// The room a handshake read needs from the start of the buffer, which
/// holds at most part of one record (`Connection::process` took every
/// whole one): all of the record once its header is in, else
/// [`HANDSHAKE_READ`]. The codec refuses a length above the maximum as
/// soon as the header arrives; the cap only keeps this total.
fn handshake_room(incoming: &[u8]) -> usize {
    match incoming.get(3..5) {
        Some(&[hi, lo]) => {
            let record = HEADER_LEN + usize::from(u16::from_be_bytes([hi, lo]));
            record.clamp(HANDSHAKE_READ, HEADER_LEN + MAX_CIPHERTEXT)
        }
        _ => HANDSHAKE_READ,
    }
}

/// Writes queued ciphertext until none is left or the transport would block.
pub(crate) fn poll_write_out<W: AsyncWrite + Unpin>(
    conn: &mut Connection,
    io: &mut W,
    unflushed: &mut bool,
    cx: &mut Context<'_>,
) -> Poll<io::Result<()>> {
    while conn.outgoing_len() > 0 {
        let n = ready!(Pin::new(&mut *io).poll_write(cx, conn.outgoing()))?;
        if n == 0 {
            return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
        }
        conn.advance_outgoing(n);
        *unflushed = true;
    }
    Poll::Ready(Ok(()))
}

/// [`poll_write_out`] on behalf of a writer: remembers its waker while pending.
fn poll_write_from_writer<S: WriteSide>(s: &mut S, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
    let (conn, io, unflushed) = s.parts();
    let r = poll_write_out(conn, io, unflushed, cx);
    if r.is_pending() {
        s.park(cx.waker());
    }
    r
}

/// `AsyncRead::poll_read`: application data, the clean end after
/// close_notify, or the error that ended the connection.
pub(crate) fn poll_read_app<S: ReadSide>(
    s: &mut S,
    cx: &mut Context<'_>,
    buf: &mut ReadBuf<'_>,
) -> Poll<io::Result<()>> {
    loop {
        if s.conn().plaintext_len() > 0 {
            // put_slice fills uninitialised space directly: no zeroing pass.
            let conn = s.conn();
            let start = buf.filled().len();
            while buf.remaining() > 0 {
                let Some(chunk) = conn.plaintext_chunk() else {
                    break;
                };
                let n = chunk.len().min(buf.remaining());
                buf.put_slice(&chunk[..n]);
                conn.consume_plaintext(n);
            }
            let n = buf.filled().len() - start;
            // More records may have waited while the plaintext buffer was full.
            if let Err(e) = s.conn().process() {
                s.flush_alert_best_effort(cx);
                if n == 0 {
                    return Poll::Ready(Err(e.into()));
                }
            }
            return Poll::Ready(Ok(()));
        }
        if s.conn().received_close_notify() {
            return Poll::Ready(Ok(()));
        }
        if let Some(e) = s.conn().error() {
            // An error recorded while earlier plaintext was delivered
            // (see Connection::read_direct) still owes the peer its alert.
            let e = e.clone();
            s.flush_alert_best_effort(cx);
            return Poll::Ready(Err(e.into()));
        }
        if s.eof() {
            return Poll::Ready(Err(Error::Truncated.into()));
        }
        // Answers to a KeyUpdate go out as soon as possible.
        s.flush_from_reader(cx);
        // Records already buffered are opened first, straight into the
        // caller's initialised space when a whole record fits there.
        // Uninitialised space (`read_buf` on a `BytesMut`, as hyper and
        // codecs read) takes the buffered path instead: opening into it would
        // first need zeroing (no unsafe code here) and still cost one copy,
        // the ciphertext in, as the buffered path's one copy is the plaintext
        // out. Measured (benches/compare.rs, read_buf_uninit_vs_init, 1 GiB x
        // 5 rounds, five runs): read_buf reached 0.84-1.00 (median 0.97) of a
        // read into initialised space; zeroing 64 KiB to take the direct path
        // gave 0.83-1.09 (median 0.98). Not worth the extra pass.
        let start = buf.filled().len();
        let room = buf.initialized().len() - start;
        let direct = if room > 0 {
            s.conn().read_direct(&mut buf.initialized_mut()[start..])
        } else {
            s.conn().process().map(|()| 0)
        };
        match direct {
            Ok(0) => {}
            Ok(n) => {
                buf.advance(n);
                return Poll::Ready(Ok(()));
            }
            Err(e) => {
                s.flush_alert_best_effort(cx);
                return Poll::Ready(Err(e.into()));
            }
        }
        if s.conn().plaintext_len() > 0 || s.conn().received_close_notify() {
            continue;
        }
        // Processing may have queued an answer (KeyUpdate, no_renegotiation).
        s.flush_from_reader(cx);
        match ready!(s.poll_fill(cx)) {
            Ok(_) => continue,
            Err(e) => {
                s.flush_alert_best_effort(cx);
                return Poll::Ready(Err(e));
            }
        }
    }
}

/// `AsyncWrite::poll_write`.
pub(crate) fn poll_write_app<S: WriteSide>(
    s: &mut S,
    cx: &mut Context<'_>,
    buf: &[u8],
) -> Poll<io::Result<usize>> {
    s.prepare();
    if let Some(e) = s.parts().0.error() {
        // Failed (a write half may just have taken its reader's error): say
        // so now rather than after waiting for room in a transport the peer
        // may never drain. The alert, if one is queued, goes as far as it can.
        let e = e.clone();
        let _ = poll_write_from_writer(s, cx);
        return Poll::Ready(Err(e.into()));
    }
    if s.parts().0.outgoing_len() >= WRITE_HIGH_WATER {
        ready!(poll_write_from_writer(s, cx))?;
    }
    if buf.is_empty() {
        return Poll::Ready(Ok(0));
    }
    // The transport took everything queued or the queue is below the
    // mark: seal what fills it up to the mark, in whole records.
    let room = WRITE_HIGH_WATER
        .saturating_sub(s.parts().0.outgoing_len())
        .next_multiple_of(MAX_PLAINTEXT)
        .max(MAX_PLAINTEXT);
    let chunk = &buf[..buf.len().min(room).min(MAX_WRITE_CHUNK)];
    let n = match s.parts().0.write_plaintext(chunk) {
        Ok(n) => n,
        Err(e) => {
            // A TLS 1.2 key at its usage limit queued close_notify: get
            // it to the peer before reporting, so the peer sees a clean
            // end, not a truncation. Until it is out, every poll lands here.
            if matches!(e, Error::KeyLimitReached { .. }) {
                ready!(poll_write_from_writer(s, cx))?;
                ready!(Pin::new(&mut *s.parts().1).poll_flush(cx))?;
            } else if s.parts().0.outgoing_len() > 0 {
                // A fatal alert is queued (a write half's reader failed and
                // handed it over, or the application aborted): send what
                // the transport takes now; the error is what we report.
                let _ = poll_write_from_writer(s, cx);
            }
            return Poll::Ready(Err(e.into()));
        }
    };
    // Push what we can now; the rest goes out on the next write or flush.
    if let Poll::Ready(Err(e)) = poll_write_from_writer(s, cx) {
        return Poll::Ready(Err(e));
    }
    Poll::Ready(Ok(n))
}

/// `AsyncWrite::poll_write_vectored`: small slices are gathered and sealed
/// together, so a header and a body written as two slices make one record,
/// not two. A slice of a whole record or more goes alone, uncopied.
pub(crate) fn poll_write_vectored_app<S: WriteSide>(
    s: &mut S,
    cx: &mut Context<'_>,
    bufs: &[IoSlice<'_>],
) -> Poll<io::Result<usize>> {
    let Some(first) = bufs.iter().find(|b| !b.is_empty()) else {
        return poll_write_app(s, cx, &[]);
    };
    let total = bufs.iter().fold(0usize, |t, b| t.saturating_add(b.len()));
    if first.len() >= MAX_PLAINTEXT || first.len() == total {
        return poll_write_app(s, cx, first);
    }
    let cap = total.min(MAX_WRITE_CHUNK);
    let mut gathered = Vec::with_capacity(cap);
    for b in bufs {
        let take = b.len().min(cap - gathered.len());
        gathered.extend_from_slice(&b[..take]);
        if gathered.len() == cap {
            break;
        }
    }
    poll_write_app(s, cx, &gathered)
}

/// `AsyncWrite::poll_flush`.
pub(crate) fn poll_flush_app<S: WriteSide>(
    s: &mut S,
    cx: &mut Context<'_>,
) -> Poll<io::Result<()>> {
    s.prepare();
    ready!(poll_write_from_writer(s, cx))?;
    let (conn, io, unflushed) = s.parts();
    *unflushed = false;
    // A flush marks a pause in writing: an idle connection should not pin
    // a write buffer. Between writes the buffer is kept, so a bulk sender
    // does not allocate one per write.
    conn.release_outgoing();
    Pin::new(io).poll_flush(cx)
}

/// `AsyncWrite::poll_shutdown`: close_notify, then the transport's shutdown.
pub(crate) fn poll_shutdown_app<S: WriteSide>(
    s: &mut S,
    cx: &mut Context<'_>,
) -> Poll<io::Result<()>> {
    s.prepare();
    s.parts().0.send_close_notify();
    ready!(poll_write_from_writer(s, cx))?;
    Pin::new(s.parts().1).poll_shutdown(cx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::conn::tests::pair;
    use crate::proto::wire::enums::ProtocolVersion;
    use tokio::io::AsyncWriteExt;

    /// Fills `conn` once from a pipe holding `bytes` (the start of a
    /// record), and returns the read buffer's capacity.
    async fn room_after(conn: &mut Connection, bytes: &[u8]) -> usize {
        let (mut peer, mut io) = tokio::io::duplex(1024);
        peer.write_all(bytes).await.unwrap();
        let mut eof = false;
        let more = std::future::poll_fn(|cx| poll_fill(conn, &mut io, &mut eof, cx))
            .await
            .unwrap();
        assert!(more);
        conn.incoming_mut().capacity()
    }

    fn handshaking_server() -> Connection {
        let key = crate::config::CertifiedKey::from_pem_files(
            concat!(env!("CARGO_MANIFEST_DIR"), "/certs/server.pem"),
            concat!(env!("CARGO_MANIFEST_DIR"), "/certs/server.key"),
        )
        .unwrap();
        let sc = crate::config::ServerConfig::builder()
            .with_certified_key(key)
            .build()
            .unwrap();
        Connection::new_server(std::sync::Arc::new(sc))
    }

    /// While handshaking a read asks for 4 KiB of room (what an
    /// unauthenticated peer can make us hold with a partial flight), or
    /// for the whole record once a header announces a larger one; once
    /// established, for four records.
    #[tokio::test]
    async fn a_read_asks_for_4_kib_while_handshaking_a_whole_record_if_announced_and_four_after() {
        let room = room_after(&mut handshaking_server(), &[22, 3, 1]).await;
        assert!(
            (HANDSHAKE_READ..2 * HANDSHAKE_READ).contains(&room),
            "{room}"
        );
        // A header announcing 10,000 bytes, then the next read: room for
        // the whole record, from its start.
        let mut conn = handshaking_server();
        let first = room_after(&mut conn, &[22, 3, 1, 0x27, 0x10]).await;
        assert!(first < 10_005, "{first}");
        let room = room_after(&mut conn, &[1]).await;
        assert!((10_005..2 * 10_005).contains(&room), "{room}");
        let (_client, mut established) = pair(ProtocolVersion::TLSv1_3);
        let room = room_after(&mut established, &[23, 3, 3]).await;
        assert!(room >= READ_SPACE, "{room}");
    }
}

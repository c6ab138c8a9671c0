//! The handshake future shared by connector and acceptor.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite};

use crate::error::Error;
use crate::stream::TlsStream;

/// Drives a connection until its handshake completes and its last flight is written.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // the stream is the common case; boxing it would cost an allocation
pub(crate) enum MidHandshake<IO> {
    Handshaking(TlsStream<IO>),
    /// Failed before a stream existed (bad config or server name).
    Error(io::Error),
    Done,
}

impl<IO: AsyncRead + AsyncWrite + Unpin> Future for MidHandshake<IO> {
    type Output = io::Result<TlsStream<IO>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let mut stream = match std::mem::replace(this, MidHandshake::Done) {
            MidHandshake::Handshaking(s) => s,
            MidHandshake::Error(e) => return Poll::Ready(Err(e)),
            MidHandshake::Done => panic!("handshake future polled after completion"),
        };
        let span = stream.span.clone();
        let _g = span.enter();
        loop {
            // Each flight is flushed: over a buffering transport it would
            // otherwise never leave, and both sides would wait forever.
            let write = stream.poll_push_tls(cx);
            if let Poll::Ready(Err(e)) = write {
                // A peer that refused us usually sent an alert saying why
                // before closing; that beats "broken pipe".
                if let Poll::Ready(Err(alert)) = stream.poll_read_tls(cx) {
                    return Poll::Ready(Err(alert));
                }
                return Poll::Ready(Err(e));
            }
            if !stream.conn.is_handshaking() {
                if let Some(e) = stream.conn.error() {
                    return Poll::Ready(Err(e.clone().into()));
                }
                if write.is_ready() {
                    stream.conn.release_outgoing();
                    return Poll::Ready(Ok(stream));
                }
                *this = MidHandshake::Handshaking(stream);
                return Poll::Pending;
            }
            match stream.poll_read_tls(cx) {
                Poll::Ready(Ok(true)) => continue,
                Poll::Ready(Ok(false)) => {
                    // EOF mid-handshake: process_eof already reported truncation
                    // unless the peer sent close_notify, which is no better here.
                    return Poll::Ready(Err(Error::Truncated.into()));
                }
                Poll::Ready(Err(e)) => {
                    stream.flush_alert_best_effort(cx);
                    return Poll::Ready(Err(e));
                }
                Poll::Pending => {
                    *this = MidHandshake::Handshaking(stream);
                    return Poll::Pending;
                }
            }
        }
    }
}

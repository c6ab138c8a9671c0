//! The handshake future shared by connector and acceptor.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};

use crate::error::Error;
use crate::hooks::{Answer, HookFuture};
use crate::stream::deadline::Deadline;
use crate::stream::TlsStream;

/// Drives a connection until its handshake completes and its last flight is written.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // the stream is the common case; boxing it would cost an allocation
pub(crate) enum MidHandshake<IO> {
    /// The stream, and whether it is handed out during accepted 0-RTT
    /// (see `TlsAcceptor::accept_with_early_data`).
    Handshaking(TlsStream<IO>, bool),
    /// Paused for an asynchronous hook (see [`crate::hooks`]): the stream,
    /// the early flag, and the hook's future, polled until it answers.
    Hooked(TlsStream<IO>, bool, HookRun),
    /// Failed before a stream existed (bad config or server name).
    Error(io::Error),
    Done,
}

/// A hook's future while the handshake waits for it.
pub(crate) struct HookRun(HookFuture<Answer>);

impl std::fmt::Debug for HookRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HookRun(..)")
    }
}

impl<IO: AsyncRead + AsyncWrite + Unpin> Future for MidHandshake<IO> {
    type Output = io::Result<TlsStream<IO>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let (mut stream, early, mut hook) = match std::mem::replace(this, MidHandshake::Done) {
            MidHandshake::Handshaking(s, early) => (s, early, None),
            MidHandshake::Hooked(s, early, hook) => (s, early, Some(hook)),
            MidHandshake::Error(e) => return Poll::Ready(Err(e)),
            // Polled again after it completed (or timed out): an error, not
            // a panic, though the Future contract would allow one.
            MidHandshake::Done => {
                return Poll::Ready(Err(io::Error::other(
                    "TLS handshake future polled after it completed",
                )))
            }
        };
        let span = stream.span.clone();
        let _g = span.enter();
        loop {
            // Paused for a hook: what was queued before the pause goes out,
            // nothing more is read (the transport holds what the peer sends
            // meanwhile), and the hook's answer resumes the handshake. The
            // timeout around this future covers the hook's time.
            if let Some(mut run) = hook.take() {
                let _ = stream.poll_push_tls(cx);
                let Poll::Ready(answer) = run.0.as_mut().poll(cx) else {
                    *this = MidHandshake::Hooked(stream, early, run);
                    return Poll::Pending;
                };
                if let Err(e) = stream.conn.resume_with(answer) {
                    stream.flush_alert_best_effort(cx);
                    return Poll::Ready(Err(e.into()));
                }
                continue;
            }
            if let Some(f) = stream.conn.hook_future() {
                hook = Some(HookRun(f));
                continue;
            }
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
            let early_phase = early && stream.conn.is_early_data_phase();
            if !stream.conn.is_handshaking() || early_phase {
                if let Some(e) = stream.conn.error() {
                    return Poll::Ready(Err(e.clone().into()));
                }
                if write.is_ready() {
                    stream.conn.release_outgoing();
                    return Poll::Ready(Ok(stream));
                }
                *this = MidHandshake::Handshaking(stream, early);
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
                    *this = MidHandshake::Handshaking(stream, early);
                    return Poll::Pending;
                }
            }
        }
    }
}

/// The handshake time limit both sides use unless told otherwise: long
/// enough for a handshake over a slow link (a few round trips), short enough
/// that a peer that connects and goes silent cannot hold a task for long.
pub(crate) const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A [`MidHandshake`] under an optional time limit: the one deadline
/// mechanism of [`crate::TlsAcceptor`] and [`crate::TlsConnector`].
#[derive(Debug)]
pub(crate) struct TimedHandshake<IO> {
    inner: MidHandshake<IO>,
    limit: Option<Duration>,
    /// Armed at the first poll, which runs inside the runtime: building the
    /// future outside one (to poll it later) must not panic. From the
    /// thread's pool of timers and back to it when done (deadline.rs).
    deadline: Option<Deadline>,
}

impl<IO> TimedHandshake<IO> {
    pub(crate) fn new(inner: MidHandshake<IO>, limit: Option<Duration>) -> Self {
        TimedHandshake {
            inner,
            limit,
            deadline: None,
        }
    }
}

impl<IO: AsyncRead + AsyncWrite + Unpin> Future for TimedHandshake<IO> {
    type Output = io::Result<TlsStream<IO>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if let Poll::Ready(r) = Pin::new(&mut this.inner).poll(cx) {
            if let Some(d) = this.deadline.take() {
                d.release();
            }
            return Poll::Ready(r);
        }
        let Some(limit) = this.limit else {
            return Poll::Pending;
        };
        let deadline = this.deadline.get_or_insert_with(|| Deadline::arm(limit));
        if deadline.poll_passed(cx) {
            // Dropping the stream (and its transport) ends the connection.
            this.inner = MidHandshake::Done;
            this.limit = None;
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("TLS handshake did not complete within {limit:?}"),
            )));
        }
        Poll::Pending
    }
}

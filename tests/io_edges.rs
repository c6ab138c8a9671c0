//! The Tokio adapter under awkward transports: byte-at-a-time IO with
//! spurious Pending, large transfers, and concurrent split halves.

mod support;

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use aws_lc_rs::digest;
use support::*;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream, ReadBuf};

/// Moves at most one byte per poll and returns Pending (after waking itself)
/// on every other poll, in each direction.
struct Trickle {
    inner: DuplexStream,
    read_polls: u64,
    write_polls: u64,
}

impl Trickle {
    fn new(inner: DuplexStream) -> Self {
        Trickle {
            inner,
            read_polls: 0,
            write_polls: 0,
        }
    }
}

impl AsyncRead for Trickle {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.read_polls += 1;
        if self.read_polls % 2 == 1 {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        if buf.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        let mut one = [0u8; 1];
        let mut small = ReadBuf::new(&mut one);
        match Pin::new(&mut self.inner).poll_read(cx, &mut small) {
            Poll::Ready(Ok(())) => {
                buf.put_slice(small.filled());
                Poll::Ready(Ok(()))
            }
            other => other,
        }
    }
}

impl AsyncWrite for Trickle {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.write_polls += 1;
        if self.write_polls % 2 == 1 {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        let n = buf.len().min(1);
        Pin::new(&mut self.inner).poll_write(cx, &buf[..n])
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[tokio::test]
async fn trickle_transport_one_byte_and_pending() {
    timeout(async {
        let (a, b) = tokio::io::duplex(64 * 1024);
        let (c, s) = tokio::join!(
            lctls::TlsConnector::from(client_config()).connect("localhost", Trickle::new(a)),
            lctls::TlsAcceptor::from(server_config("server")).accept(Trickle::new(b))
        );
        let (mut c, mut s) = (c.unwrap(), s.unwrap());
        assert!(c.get_ref().read_polls > 0 && c.get_ref().write_polls > 0);

        let up = pattern(1, 64 * 1024);
        let down = pattern(2, 64 * 1024);
        exchange_then_close(&mut c, &mut s, &up, &down).await;
    })
    .await
}

/// Writes `total` bytes in `chunk`-byte writes, then close_notify; returns the SHA-256 of what was sent.
async fn send_hashed<W: AsyncWrite + Unpin>(w: &mut W, total: usize, chunk: usize) -> Vec<u8> {
    let block = pattern(3, chunk);
    let mut buf = block.clone();
    let mut hash = digest::Context::new(&digest::SHA256);
    let mut sent = 0usize;
    let mut i = 0u64;
    while sent < total {
        let n = chunk.min(total - sent);
        // Vary every chunk so reordering or repetition would change the hash.
        buf[..8].copy_from_slice(&i.to_be_bytes());
        w.write_all(&buf[..n]).await.unwrap();
        hash.update(&buf[..n]);
        sent += n;
        i += 1;
    }
    w.flush().await.unwrap();
    w.shutdown().await.unwrap();
    hash.finish().as_ref().to_vec()
}

/// Reads to a clean end (close_notify); returns (bytes, SHA-256).
async fn recv_hashed<R: AsyncRead + Unpin>(r: &mut R) -> (usize, Vec<u8>) {
    let mut buf = vec![0u8; 64 * 1024];
    let mut hash = digest::Context::new(&digest::SHA256);
    let mut total = 0usize;
    loop {
        let n = r.read(&mut buf).await.unwrap();
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
        total += n;
    }
    (total, hash.finish().as_ref().to_vec())
}

/// `total` bytes one way in 64 KiB writes, byte-exact by SHA-256, then a
/// clean close of the other direction too.
async fn bulk_one_way(total: usize, client_sends: bool) {
    let started = Instant::now();
    let (c, s) = try_pair_buf(
        client_config(),
        server_config("server"),
        "localhost",
        256 * 1024,
    )
    .await;
    let (mut c, mut s) = (c.unwrap(), s.unwrap());
    let (sender, receiver) = if client_sends {
        (&mut c, &mut s)
    } else {
        (&mut s, &mut c)
    };
    let (sent, (n, got)) =
        tokio::join!(send_hashed(sender, total, 64 * 1024), recv_hashed(receiver));
    assert_eq!(n, total);
    assert_eq!(sent, got);
    // Close the other direction cleanly too.
    receiver.shutdown().await.unwrap();
    let mut rest = Vec::new();
    sender.read_to_end(&mut rest).await.unwrap();
    assert!(rest.is_empty());
    let way = if client_sends {
        "client->server"
    } else {
        "server->client"
    };
    eprintln!("{} MiB {way} took {:?}", total >> 20, started.elapsed());
}

#[tokio::test]
async fn bulk_64mib_client_to_server() {
    timeout(bulk_one_way(64 * 1024 * 1024, true)).await
}

#[tokio::test]
async fn bulk_8mib_server_to_client() {
    timeout(bulk_one_way(8 * 1024 * 1024, false)).await
}

/// Client writes `TOTAL` bytes from one task while another reads the echo;
/// with `key_update` the server first asks the client to update its keys, so
/// the client's read half must answer a KeyUpdate while its write half is busy.
async fn split_echo(key_update: bool) {
    const TOTAL: usize = 4 * 1024 * 1024;
    let (c, mut s) = pair(client_config(), server_config("server"), "localhost").await;
    if key_update {
        s.update_keys(true).unwrap();
    }

    let server = tokio::spawn(async move {
        let (mut r, mut w) = tokio::io::split(s);
        let n = tokio::io::copy(&mut r, &mut w).await.unwrap();
        // copy() ended at the client's close_notify.
        w.shutdown().await.unwrap();
        n
    });

    let (mut cr, mut cw) = tokio::io::split(c);
    let writer = tokio::spawn(async move { send_hashed(&mut cw, TOTAL, 64 * 1024).await });
    let reader = tokio::spawn(async move { recv_hashed(&mut cr).await });
    let sent = writer.await.unwrap();
    let (n, got) = reader.await.unwrap();
    assert_eq!(n, TOTAL);
    assert_eq!(sent, got);
    assert_eq!(server.await.unwrap(), TOTAL as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn split_halves_concurrent_echo() {
    timeout(split_echo(false)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn split_halves_concurrent_echo_with_key_update() {
    timeout(split_echo(true)).await
}

/// A transport whose writes can be made to fail (as after the peer closed).
struct BreakableWrites {
    inner: DuplexStream,
    broken: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl AsyncRead for BreakableWrites {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for BreakableWrites {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.broken.load(std::sync::atomic::Ordering::SeqCst) {
            return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// Once writing has failed, reading still reports what the peer sent (here
/// its close_notify, a clean end), not the write error.
#[tokio::test]
async fn failed_write_does_not_hide_what_the_peer_sent() {
    timeout(async {
        let (a, b) = tokio::io::duplex(64 * 1024);
        let broken = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let io = BreakableWrites {
            inner: a,
            broken: broken.clone(),
        };
        let (c, s) = tokio::join!(
            lctls::TlsConnector::from(client_config()).connect("localhost", io),
            lctls::TlsAcceptor::from(server_config("server")).accept(b)
        );
        let (mut c, mut s) = (c.unwrap(), s.unwrap());
        s.write_all(b"bye").await.unwrap();
        s.shutdown().await.unwrap();
        broken.store(true, std::sync::atomic::Ordering::SeqCst);
        // The write is sealed and queued, then the transport refuses it.
        let e = c.write_all(b"late").await;
        let e = match e {
            Err(e) => e,
            Ok(()) => c.flush().await.unwrap_err(),
        };
        assert_eq!(e.kind(), io::ErrorKind::BrokenPipe);
        let mut got = Vec::new();
        c.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"bye");
    })
    .await
}

/// A client that connects and says nothing cannot hold the server forever;
/// a normal handshake is unaffected by the limit.
#[tokio::test]
async fn acceptor_handshake_timeout() {
    timeout(async {
        let acceptor = lctls::TlsAcceptor::from(server_config("server"))
            .with_handshake_timeout(std::time::Duration::from_millis(200));
        let (_silent, b) = tokio::io::duplex(1024);
        let start = Instant::now();
        let e = acceptor.accept(b).await.unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
        assert!(start.elapsed() >= std::time::Duration::from_millis(200));
        let (a, b) = tokio::io::duplex(64 * 1024);
        let (c, s) = tokio::join!(
            lctls::TlsConnector::from(client_config()).connect("localhost", a),
            acceptor.accept(b)
        );
        c.unwrap();
        s.unwrap();
    })
    .await
}

/// A writer whose peer stops reading queues at most 64 KiB of ciphertext
/// (plus the records that reach it): writes beyond that wait for the
/// transport. It used to seal up to 256 KiB per write on top of a 256 KiB
/// queue, so 100 busy connections each held ~0.5 MiB of fresh pages (the
/// `scale_bulk_c100` page-fault cliff).
#[tokio::test]
async fn queued_ciphertext_stays_under_the_high_water_mark() {
    timeout(async {
        let (c, s) = try_pair_buf(
            client_config(),
            server_config("server"),
            "localhost",
            16 * 1024,
        )
        .await;
        let (mut c, _s) = (c.unwrap(), s.unwrap());
        let data = vec![0x5au8; 1 << 20];
        let mut taken = 0;
        // The server never reads: once the pipe is full, writes stop being
        // ready. Bounded: 1 MiB can fill the pipe and the queue many times.
        std::future::poll_fn(|cx| {
            while taken < data.len() {
                match Pin::new(&mut c).poll_write(cx, &data[taken..]) {
                    Poll::Ready(Ok(n)) => taken += n,
                    Poll::Ready(Err(e)) => panic!("write failed: {e}"),
                    Poll::Pending => return Poll::Ready(()),
                }
                let queued = c.connection().outgoing_len();
                assert!(
                    queued <= 64 * 1024 + 16 * 1024 + 64,
                    "{queued} bytes queued"
                );
            }
            Poll::Ready(())
        })
        .await;
        assert!(
            taken < data.len(),
            "every write was ready with nobody reading"
        );
        let queued = c.connection().outgoing_len();
        assert!(
            queued <= 64 * 1024 + 16 * 1024 + 64,
            "{queued} bytes queued"
        );
    })
    .await
}

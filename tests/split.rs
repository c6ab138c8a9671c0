//! Full-duplex split (`TlsStream::into_split`, `into_split_tcp`): both
//! halves on their own tasks of a multi-thread runtime moving 64 MiB each
//! way at once, byte-exact (SHA-256 of each direction), while the peer asks
//! for KeyUpdates; close_notify in each direction; reunite; hyper over the
//! halves; vectored writes.

mod support;

use std::io::IoSlice;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use aws_lc_rs::digest::{Context as Sha, SHA256};
use lctls::{TlsAcceptor, TlsConnector, TlsStream};
use support::{client_config, pattern, server_config, timeout};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

const MIB: usize = 1 << 20;
const BULK: usize = 64 * MIB;

/// A client and a server over loopback TCP.
async fn tcp_pair() -> (TlsStream<TcpStream>, TlsStream<TcpStream>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accept = async {
        let (tcp, _) = listener.accept().await.unwrap();
        TlsAcceptor::from(server_config("server"))
            .accept(tcp)
            .await
            .unwrap()
    };
    let connect = async {
        let tcp = TcpStream::connect(addr).await.unwrap();
        TlsConnector::from(client_config())
            .connect("localhost", tcp)
            .await
            .unwrap()
    };
    let (c, s) = tokio::join!(connect, accept);
    (c, s)
}

/// Four different 1 MiB blocks, sent in turn.
fn blocks() -> Arc<Vec<Vec<u8>>> {
    Arc::new((0..4).map(|i| pattern(40 + i, MIB)).collect())
}

/// Writes `total` bytes of `blocks` (calling `each_mib` after every MiB),
/// then shuts down (close_notify); returns the SHA-256 of what was sent.
async fn send<W: AsyncWrite + Unpin>(
    mut w: W,
    blocks: &[Vec<u8>],
    total: usize,
    mut each_mib: impl FnMut(&mut W),
) -> (W, Vec<u8>) {
    let mut sha = Sha::new(&SHA256);
    for i in 0..total / MIB {
        let b = &blocks[i % blocks.len()];
        w.write_all(b).await.expect("bulk write");
        sha.update(b);
        each_mib(&mut w);
    }
    w.shutdown().await.expect("shutdown (close_notify)");
    (w, sha.finish().as_ref().to_vec())
}

/// Reads to the clean end (close_notify); returns the count and SHA-256.
async fn recv<R: AsyncRead + Unpin>(mut r: R) -> (R, usize, Vec<u8>) {
    let mut sha = Sha::new(&SHA256);
    let mut buf = vec![0u8; 64 * 1024];
    let mut n = 0;
    loop {
        let k = r.read(&mut buf).await.expect("bulk read");
        if k == 0 {
            break;
        }
        sha.update(&buf[..k]);
        n += k;
    }
    (r, n, sha.finish().as_ref().to_vec())
}

/// Both sides split (the server with `into_split_tcp`, the client with the
/// generic `into_split`), four tasks, 64 MiB each way; the client's write
/// half asks for a KeyUpdate after every MiB, which the server's read half
/// hands to its write half to answer. Then each read half has seen the
/// other side's close_notify, and both reunite.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplex_64_mib_each_way_while_the_peer_requests_key_updates() {
    timeout(async {
        let (c, s) = tcp_pair().await;
        let (cr, cw) = c.into_split().expect("handshake complete");
        let (sr, sw) = s.into_split_tcp().expect("handshake complete");
        let data = blocks();
        let updates = Arc::new(AtomicUsize::new(0));
        let (d1, d2, u) = (data.clone(), data.clone(), updates.clone());
        let client_writer = tokio::spawn(async move {
            send(cw, &d1, BULK, |w| {
                w.update_keys(true).expect("update_keys");
                u.fetch_add(1, Ordering::Relaxed);
            })
            .await
        });
        let server_writer = tokio::spawn(async move { send(sw, &d2, BULK, |_| {}).await });
        let client_reader = tokio::spawn(recv(cr));
        let server_reader = tokio::spawn(recv(sr));
        let (cw, c_sent) = client_writer.await.unwrap();
        let (sw, s_sent) = server_writer.await.unwrap();
        let (cr, c_got, c_hash) = client_reader.await.unwrap();
        let (sr, s_got, s_hash) = server_reader.await.unwrap();
        assert_eq!((c_got, s_got), (BULK, BULK));
        assert_eq!(s_hash, c_sent, "client to server corrupted");
        assert_eq!(c_hash, s_sent, "server to client corrupted");
        assert_eq!(updates.load(Ordering::Relaxed), BULK / MIB);
        // Both sides closed cleanly; the reunited streams read a clean end.
        let mut c = cr.reunite(cw).expect("same stream");
        let mut s = sr.reunite(sw).expect("same stream");
        assert_eq!(c.read(&mut [0u8; 8]).await.unwrap(), 0);
        assert_eq!(s.read(&mut [0u8; 8]).await.unwrap(), 0);
    })
    .await;
}

/// The same against rustls: a tokio-rustls client writes 64 MiB calling
/// `refresh_traffic_keys` (KeyUpdate, update_requested) after every MiB,
/// then reads 64 MiB, while our server's halves run on two tasks. rustls
/// only reads once its writing is done, so our write half spends the first
/// half of the test blocked on a full socket while our read half goes on:
/// a stream whose reader waited for its writer would deadlock here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplex_64_mib_each_way_against_rustls_refreshing_its_keys() {
    use rustls::pki_types::{pem::PemObject, CertificateDer, ServerName};
    timeout(async {
        let mut roots = rustls::RootCertStore::empty();
        for c in CertificateDer::pem_file_iter(support::path("ca.pem")).unwrap() {
            roots.add(c.unwrap()).unwrap();
        }
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13])
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let data = blocks();
        let d1 = data.clone();
        let peer = tokio::spawn(async move {
            let tcp = TcpStream::connect(addr).await.unwrap();
            let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
                .connect(ServerName::try_from("localhost").unwrap(), tcp)
                .await
                .expect("rustls handshake");
            let (tls, sent) = send(tls, &d1, BULK, |t| {
                t.get_mut()
                    .1
                    .refresh_traffic_keys()
                    .expect("rustls key update");
            })
            .await;
            let (_, got, hash) = recv(tls).await;
            (sent, got, hash)
        });
        let (tcp, _) = listener.accept().await.unwrap();
        let s = TlsAcceptor::from(server_config("server"))
            .accept(tcp)
            .await
            .unwrap();
        let (sr, sw) = s.into_split_tcp().expect("handshake complete");
        let d2 = data.clone();
        let writer = tokio::spawn(async move { send(sw, &d2, BULK, |_| {}).await });
        let (_, s_got, s_hash) = tokio::spawn(recv(sr)).await.unwrap();
        let (_, s_sent) = writer.await.unwrap();
        let (c_sent, c_got, c_hash) = peer.await.unwrap();
        assert_eq!((s_got, c_got), (BULK, BULK));
        assert_eq!(s_hash, c_sent, "rustls to us corrupted");
        assert_eq!(c_hash, s_sent, "us to rustls corrupted");
    })
    .await;
}

/// Half-close both ways: the peer's close_notify is a clean end for our read
/// half while our write half still writes, and our write half's shutdown is
/// a clean end (close_notify, not a truncation) for the peer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_notify_in_each_direction() {
    timeout(async {
        let (mut c, s) = tcp_pair().await;
        let (mut sr, mut sw) = s.into_split().unwrap();
        c.write_all(b"last words").await.unwrap();
        c.shutdown().await.unwrap();
        let mut got = Vec::new();
        sr.read_to_end(&mut got)
            .await
            .expect("clean end after close_notify");
        assert_eq!(got, b"last words");
        // Our side of the connection is still open.
        sw.write_all(b"reply after your close").await.unwrap();
        sw.shutdown().await.unwrap();
        let mut reply = Vec::new();
        c.read_to_end(&mut reply).await.expect("our close_notify");
        assert_eq!(reply, b"reply after your close");
        // Writing after our own close_notify fails.
        let e = sw.write_all(b"x").await.unwrap_err();
        assert_eq!(support::tls_err(&e), &lctls::Error::AlreadyClosed);
    })
    .await;
}

/// Reuniting: halves of one stream give the stream back, which then works
/// as before (exporter values, KeyUpdates queued by a half, data both ways);
/// halves of two streams are refused and given back.
#[tokio::test]
async fn reunite_same_stream_only() {
    timeout(async {
        let (c1, s1) = support::pair(client_config(), server_config("server"), "localhost").await;
        let (c2, _s2) = support::pair(client_config(), server_config("server"), "localhost").await;
        let mut want = [0u8; 32];
        c1.export_keying_material(&mut want, b"EXPORTER-test", None)
            .unwrap();
        let (r1, mut w1) = c1.into_split().unwrap();
        let (r2, w2) = c2.into_split().unwrap();
        let (mut ra, mut wa) = ([0u8; 32], [0u8; 32]);
        r1.export_keying_material(&mut ra, b"EXPORTER-test", None)
            .unwrap();
        w1.export_keying_material(&mut wa, b"EXPORTER-test", None)
            .unwrap();
        assert_eq!((ra, wa), (want, want));
        w1.update_keys(true).unwrap();
        let err = r1.reunite(w2).expect_err("halves of two streams");
        assert!(err.to_string().contains("different TLS streams"), "{err}");
        let (r1, w2) = (err.0, err.1);
        let _other = r2.reunite(w2).expect("its own halves");
        let mut c1 = r1.reunite(w1).expect("its own halves");
        let mut s1 = s1;
        c1.write_all(b"after reunite").await.unwrap();
        c1.flush().await.unwrap();
        let mut buf = [0u8; 13];
        s1.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"after reunite");
        s1.write_all(b"and back").await.unwrap();
        s1.flush().await.unwrap();
        let mut buf = [0u8; 8];
        c1.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"and back");
    })
    .await;
}

/// A write half waiting for room in a transport the peer does not drain
/// is woken when its read half fails (here on the peer's fatal alert), and
/// fails with the reader's error instead of waiting on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parked_write_half_fails_with_the_readers_error() {
    timeout(async {
        let (a, b) = tokio::io::duplex(16 * 1024);
        let (c, s) = tokio::join!(
            TlsConnector::from(client_config()).connect("localhost", a),
            TlsAcceptor::from(server_config("server")).accept(b)
        );
        let (mut c, s) = (c.unwrap(), s.unwrap());
        let (mut sr, mut sw) = s.into_split().unwrap();
        let writer = tokio::spawn(async move {
            let big = vec![7u8; 4 << 20];
            sw.write_all(&big).await.expect_err("the connection failed")
        });
        let reader = tokio::spawn(async move {
            let mut buf = [0u8; 64];
            sr.read(&mut buf).await.expect_err("the peer's alert")
        });
        // The client reads nothing, so the server's writer parks on a full
        // pipe; then the client ends the connection with a fatal alert.
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        assert!(!writer.is_finished());
        c.abort(lctls::proto::enums::AlertDescription::AccessDenied);
        c.flush().await.unwrap();
        let want = lctls::Error::AlertReceived(lctls::proto::enums::AlertDescription::AccessDenied);
        assert_eq!(support::tls_err(&reader.await.unwrap()), &want);
        let e = tokio::time::timeout(std::time::Duration::from_secs(5), writer)
            .await
            .expect("the parked writer was woken")
            .unwrap();
        assert_eq!(support::tls_err(&e), &want);
    })
    .await;
}

/// hyper serving HTTP/2 over the two halves joined again with
/// `tokio::io::join` (one task polls both: this shows the halves work as
/// hyper IO, not the two-task case, which the bulk tests cover), and
/// HTTP/1.1 over a reunited stream.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hyper_over_split_halves_and_a_reunited_stream() {
    use bytes::Bytes;
    use http_body_util::{BodyExt, Full};
    use hyper_util::rt::{TokioExecutor, TokioIo};
    let echo = |req: hyper::Request<hyper::body::Incoming>| async move {
        let body = req.into_body().collect().await.map(|b| b.to_bytes());
        Ok::<_, hyper::Error>(hyper::Response::new(Full::new(body?)))
    };
    timeout(async {
        for h2 in [true, false] {
            let (c, s) = tcp_pair().await;
            let server = tokio::spawn(async move {
                let (r, w) = s.into_split_tcp().unwrap();
                let svc = hyper::service::service_fn(echo);
                if h2 {
                    let io = TokioIo::new(tokio::io::join(r, w));
                    hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                        .serve_connection(io, svc)
                        .await
                        .unwrap();
                } else {
                    let io = TokioIo::new(r.reunite(w).unwrap());
                    hyper::server::conn::http1::Builder::new()
                        .serve_connection(io, svc)
                        .await
                        .unwrap();
                }
            });
            let body = Bytes::from(pattern(7, 300_000));
            let resp = if h2 {
                let (mut send, conn) =
                    hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(c))
                        .await
                        .unwrap();
                tokio::spawn(conn);
                let req = hyper::Request::post("https://localhost/").body(Full::new(body.clone()));
                send.send_request(req.unwrap()).await.unwrap()
            } else {
                let (mut send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(c))
                    .await
                    .unwrap();
                tokio::spawn(conn);
                let req = hyper::Request::post("/")
                    .header("host", "localhost")
                    .body(Full::new(body.clone()));
                send.send_request(req.unwrap()).await.unwrap()
            };
            let got = resp.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(got, body, "h2={h2}");
            server.abort();
        }
    })
    .await;
}

/// Counts the bytes written to the transport.
struct Counting<T>(T, Arc<AtomicUsize>);

impl<T: AsyncRead + Unpin> AsyncRead for Counting<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Counting<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.0).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = r {
            self.1.fetch_add(n, Ordering::Relaxed);
        }
        r
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

/// Writes all of `slices` with `write_vectored`, as callers must: in a
/// loop, dropping what each call took.
async fn write_all_vectored<W: AsyncWrite + Unpin>(w: &mut W, mut slices: &mut [IoSlice<'_>]) {
    while !slices.is_empty() {
        let n = w.write_vectored(slices).await.unwrap();
        assert!(n > 0, "write_vectored took nothing");
        IoSlice::advance_slices(&mut slices, n);
    }
}

/// 5,000 slices of 1 to 97 bytes (240 KiB), written vectored by the whole
/// stream and by a write half, arrive byte-exact; and small slices share
/// records: 100 slices of 10 bytes cost one record (1,022 bytes on the
/// wire), not a record each (3,200 bytes).
#[tokio::test]
async fn vectored_writes_coalesce_small_slices_byte_exact() {
    timeout(async {
        let (a, b) = tokio::io::duplex(1 << 20);
        let written = Arc::new(AtomicUsize::new(0));
        let (c, s) = tokio::join!(
            TlsConnector::from(client_config()).connect("localhost", Counting(a, written.clone())),
            TlsAcceptor::from(server_config("server")).accept(b)
        );
        let (mut c, mut s) = (c.unwrap(), s.unwrap());
        assert!(c.is_write_vectored());

        let small = [[b'v'; 10]; 100];
        let mut slices: Vec<IoSlice<'_>> = small.iter().map(|x| IoSlice::new(x)).collect();
        let before = written.load(Ordering::Relaxed);
        write_all_vectored(&mut c, &mut slices).await;
        c.flush().await.unwrap();
        assert_eq!(written.load(Ordering::Relaxed) - before, 5 + 1000 + 1 + 16);
        let mut got = vec![0u8; 1000];
        s.read_exact(&mut got).await.unwrap();
        assert!(got.iter().all(|&x| x == b'v'));

        let data = pattern(3, 5000 * 49);
        let mut pieces = Vec::new();
        let mut at = 0;
        for i in 0..5000 {
            let len = (1 + i * 31 % 97).min(data.len() - at);
            pieces.push(&data[at..at + len]);
            at += len;
        }
        pieces.push(&data[at..]);
        let (mut sr, mut sw) = s.into_split().unwrap();
        for side in 0..2 {
            let mut slices: Vec<IoSlice<'_>> = pieces.iter().map(|p| IoSlice::new(p)).collect();
            let mut got = vec![0u8; data.len()];
            if side == 0 {
                let (_, r) = tokio::join!(
                    async {
                        write_all_vectored(&mut c, &mut slices).await;
                        c.flush().await.unwrap();
                    },
                    sr.read_exact(&mut got)
                );
                r.unwrap();
            } else {
                assert!(sw.is_write_vectored());
                let (_, r) = tokio::join!(
                    async {
                        write_all_vectored(&mut sw, &mut slices).await;
                        sw.flush().await.unwrap();
                    },
                    c.read_exact(&mut got)
                );
                r.unwrap();
            }
            assert!(got == data, "side {side}: vectored data corrupted");
        }
    })
    .await;
}

//! Regression tests for defects an adversarial review found in the core and
//! the Tokio adapter: buffering after an early close_notify, handshakes that
//! never flush a buffering transport, and authenticated plaintext dropped
//! when a later record in the same read fails.

mod support;

use std::time::{Duration, Instant};

use lctls::proto::conn::Connection;
use lctls::proto::wire::enums::AlertDescription;
use lctls::{Error, TlsAcceptor, TlsConnector};
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufStream};

use support::{
    client_config, drive_handshake, handshake_err, sans_io_client, server_config, timeout, tls_err,
};

/// A close_notify alert in plaintext, as a peer sends it before any keys.
const PLAIN_CLOSE_NOTIFY: [u8; 7] = [0x15, 0x03, 0x01, 0x00, 0x02, 0x01, 0x00];

/// A plaintext record of junk that looks like handshake data.
fn junk_record(len: usize) -> Vec<u8> {
    let mut v = vec![0x16, 0x03, 0x03, (len >> 8) as u8, len as u8];
    v.resize(5 + len, 0xab);
    v
}

/// Defect 1: a close_notify before the ClientHello ends the server's
/// handshake at once with the peer's alert, and what follows is not kept.
#[test]
fn sans_io_server_close_notify_before_client_hello() {
    let mut s = Connection::new_server(server_config("server"));
    s.feed(&PLAIN_CLOSE_NOTIFY);
    for _ in 0..64 {
        s.feed(&junk_record(16 * 1024));
    }
    let e = s.process().unwrap_err();
    assert_eq!(e, Error::AlertReceived(AlertDescription::CloseNotify));
    assert_eq!(
        s.incoming_mut().len(),
        0,
        "input kept after the handshake ended"
    );
    // More input is dropped too, and the error stays.
    s.feed(&junk_record(16 * 1024));
    assert_eq!(s.process().unwrap_err(), e);
    assert_eq!(s.incoming_mut().len(), 0);
    // We do not answer an alert with an alert.
    assert_eq!(s.outgoing_len(), 0);
}

/// Defect 1, the client side: a server that answers the ClientHello with a
/// close_notify (encrypted or not) ends the client's handshake.
#[test]
fn sans_io_client_close_notify_instead_of_server_hello() {
    let mut c = sans_io_client(client_config(), "localhost");
    let _hello = c.take_outgoing();
    c.feed(&PLAIN_CLOSE_NOTIFY);
    c.feed(&junk_record(1000));
    assert_eq!(
        c.process().unwrap_err(),
        Error::AlertReceived(AlertDescription::CloseNotify)
    );
    assert_eq!(c.incoming_mut().len(), 0);
}

/// After the handshake, RFC 8446 6.1 says data after close_notify is
/// ignored: it is dropped, not buffered.
#[test]
fn sans_io_data_after_close_notify_is_dropped() {
    let mut c = sans_io_client(client_config(), "localhost");
    let mut s = Connection::new_server(server_config("server"));
    drive_handshake(&mut c, &mut s);
    c.send_close_notify();
    let mut wire = c.take_outgoing().to_vec();
    for _ in 0..64 {
        wire.extend_from_slice(&junk_record(16 * 1024));
    }
    s.feed(&wire);
    s.process().unwrap();
    assert!(s.received_close_notify());
    assert_eq!(s.plaintext_len(), 0);
    assert_eq!(
        s.incoming_mut().len(),
        0,
        "bytes after close_notify were kept"
    );
    s.feed(&junk_record(100));
    s.process().unwrap();
    assert_eq!(s.incoming_mut().len(), 0);
}

/// Defect 1 through the acceptor: an unauthenticated client sends
/// close_notify and then keeps sending. The accept future ends at once with
/// the peer's alert instead of reading (and holding) everything that follows.
#[tokio::test]
async fn acceptor_ends_on_close_notify_before_client_hello() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let writer = tokio::spawn(async move {
        let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
        tcp.write_all(&PLAIN_CLOSE_NOTIFY).await.unwrap();
        let rec = junk_record(16 * 1024);
        let mut sent = 0usize;
        // Up to 64 MiB, or until the server hangs up.
        while sent < 64 << 20 {
            if tcp.write_all(&rec).await.is_err() {
                break;
            }
            sent += rec.len();
        }
        sent
    });
    let (tcp, _) = listener.accept().await.unwrap();
    let started = Instant::now();
    let r = timeout(TlsAcceptor::from(server_config("server")).accept(tcp)).await;
    let elapsed = started.elapsed();
    assert_eq!(
        handshake_err(r),
        Error::AlertReceived(AlertDescription::CloseNotify)
    );
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
    // The server dropped the socket: the writer stops well short of 64 MiB.
    let sent = timeout(writer).await.unwrap();
    assert!(sent < 64 << 20, "server kept reading: {sent} bytes sent");
}

/// Defect 4: over buffering transports on both sides the handshake flushes
/// every flight, so it completes and data flows.
#[tokio::test]
async fn handshake_over_buffered_transports() {
    let (a, b) = tokio::io::duplex(64 * 1024);
    let (a, b) = (BufStream::new(a), BufStream::new(b));
    let (c, s) = timeout(async {
        tokio::join!(
            TlsConnector::from(client_config()).connect("localhost", a),
            TlsAcceptor::from(server_config("server")).accept(b),
        )
    })
    .await;
    let (mut c, mut s) = (c.unwrap(), s.unwrap());
    timeout(async {
        c.write_all(b"ping").await.unwrap();
        c.flush().await.unwrap();
        let mut buf = [0u8; 4];
        s.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"ping");
        // A KeyUpdate request is answered by the reader; the answer is
        // flushed by the reader too, or the requester would never see it.
        s.update_keys(true).unwrap();
        s.write_all(b"pong").await.unwrap();
        s.flush().await.unwrap();
        c.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"pong");
        c.write_all(b"again").await.unwrap();
        c.shutdown().await.unwrap();
        let mut got = Vec::new();
        s.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"again");
    })
    .await;
}

/// Two application data records from `c`, the second with its last byte flipped.
fn good_then_tampered(c: &mut Connection) -> Vec<u8> {
    c.write_plaintext(b"hello").unwrap();
    let first = c.take_outgoing().to_vec();
    c.write_plaintext(b"world").unwrap();
    let mut second = c.take_outgoing().to_vec();
    *second.last_mut().unwrap() ^= 1;
    [first, second].concat()
}

/// Defect 8, sans-IO: read_direct returns the record that authenticated,
/// then the error of the one that did not.
#[test]
fn read_direct_delivers_plaintext_before_a_bad_record() {
    let mut c = sans_io_client(client_config(), "localhost");
    let mut s = Connection::new_server(server_config("server"));
    drive_handshake(&mut c, &mut s);
    s.feed(&good_then_tampered(&mut c));
    let mut out = [0u8; 64 * 1024];
    let n = s.read_direct(&mut out).unwrap();
    assert_eq!(&out[..n], b"hello");
    assert_eq!(s.read_direct(&mut out).unwrap_err(), Error::BadRecordMac);
    // The alert went out with the first failure.
    assert!(s.outgoing_len() > 0);
}

/// Defect 8 through TlsStream: a reader with room for both records gets the
/// first one's bytes, then bad_record_mac.
#[tokio::test]
async fn stream_read_delivers_plaintext_before_a_bad_record() {
    let (mut raw, b) = tokio::io::duplex(256 * 1024);
    let server = tokio::spawn(async move {
        let mut s = TlsAcceptor::from(server_config("server")).accept(b).await?;
        let mut buf = vec![0u8; 64 * 1024];
        let n = s.read(&mut buf).await?;
        let first = buf[..n].to_vec();
        let second = s.read(&mut buf).await;
        Ok::<_, std::io::Error>((first, second))
    });
    // A sans-IO client driven by hand over the pipe, so both records reach
    // the server in one write.
    let mut c = sans_io_client(client_config(), "localhost");
    timeout(async {
        let mut buf = vec![0u8; 64 * 1024];
        while c.is_handshaking() || c.outgoing_len() > 0 {
            let out = c.take_outgoing();
            raw.write_all(&out).await.unwrap();
            if !c.is_handshaking() {
                break;
            }
            let n = raw.read(&mut buf).await.unwrap();
            assert!(n > 0, "server closed during the handshake");
            c.feed(&buf[..n]);
            c.process().unwrap();
        }
        // Let the server finish reading our last flight before the data.
        tokio::time::sleep(Duration::from_millis(50)).await;
        raw.write_all(&good_then_tampered(&mut c)).await.unwrap();
    })
    .await;
    let (first, second) = timeout(server).await.unwrap().unwrap();
    assert_eq!(first, b"hello");
    assert_eq!(*tls_err(&second.unwrap_err()), Error::BadRecordMac);
}

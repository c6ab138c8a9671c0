//! Regression tests for defects an adversarial review found in the core and
//! the Tokio adapter: buffering after an early close_notify, handshakes that
//! never flush a buffering transport, and authenticated plaintext dropped
//! when a later record in the same read fails.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use lctls::proto::enums::AlertDescription;
use lctls::proto::Connection;
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

/// The ClientHello a sans-IO client queued, decoded (record header stripped).
fn queued_client_hello(c: &mut Connection) -> lctls::unstable_internals::ClientHello {
    use lctls::unstable_internals::HandshakeMessage;
    let out = c.take_outgoing();
    match HandshakeMessage::decode(&out[5..]).unwrap() {
        HandshakeMessage::ClientHello(ch) => ch,
        other => panic!("expected a ClientHello, got {other:?}"),
    }
}

/// A HelloRetryRequest record selecting `group`, echoing `session_id`, with a
/// cookie of `cookie_len` bytes: built by hand, since our own encoder would
/// (rightly) refuse to build one that does not fit.
fn hrr_record(session_id: &[u8], group: u16, cookie_len: usize) -> Vec<u8> {
    use lctls::unstable_internals::HRR_RANDOM;
    let mut exts = Vec::new();
    exts.extend_from_slice(&[0x00, 0x2b, 0x00, 0x02, 0x03, 0x04]); // supported_versions
    exts.extend_from_slice(&[0x00, 0x33, 0x00, 0x02]); // key_share: selected group
    exts.extend_from_slice(&group.to_be_bytes());
    exts.extend_from_slice(&[0x00, 0x2c]); // cookie
    exts.extend_from_slice(&((cookie_len + 2) as u16).to_be_bytes());
    exts.extend_from_slice(&(cookie_len as u16).to_be_bytes());
    exts.resize(exts.len() + cookie_len, 0xc0);
    let mut body = vec![0x03, 0x03];
    body.extend_from_slice(&HRR_RANDOM);
    body.push(session_id.len() as u8);
    body.extend_from_slice(session_id);
    body.extend_from_slice(&[0x13, 0x01, 0x00]); // TLS_AES_128_GCM_SHA256, null compression
    body.extend_from_slice(&(exts.len() as u16).to_be_bytes());
    body.extend_from_slice(&exts);
    let mut msg = vec![
        2,
        (body.len() >> 16) as u8,
        (body.len() >> 8) as u8,
        body.len() as u8,
    ];
    msg.extend_from_slice(&body);
    // The message is over 16 KiB: several records.
    let mut wire = Vec::new();
    for chunk in msg.chunks(16 * 1024) {
        wire.extend_from_slice(&[0x16, 0x03, 0x03]);
        wire.extend_from_slice(&(chunk.len() as u16).to_be_bytes());
        wire.extend_from_slice(chunk);
    }
    wire
}

/// Defect 7: a legal HelloRetryRequest whose cookie is too long to echo in a
/// ClientHello makes the client fail with a clear error; it never sends a
/// ClientHello whose lengths wrapped.
#[test]
fn hrr_cookie_too_long_to_echo_is_an_error_not_a_malformed_hello() {
    let mut c = sans_io_client(client_config(), "localhost");
    let ch = queued_client_hello(&mut c);
    // Ask for secp256r1, which the client offers without a share.
    // The HRR stays under our 64 KiB message limit; echoed beside the other
    // extensions, its cookie does not fit in 16 bits.
    c.feed(&hrr_record(&ch.session_id, 0x0017, 65_400));
    let e = c.process().unwrap_err();
    assert_eq!(e.alert(), Some(AlertDescription::InternalError), "{e}");
    assert!(e.to_string().contains("length prefix"), "{e}");
    // What went out is the compatibility-mode change_cipher_spec and the
    // alert: no second ClientHello.
    let out = c.take_outgoing();
    assert_eq!(
        &out[..],
        &[0x14, 3, 3, 0, 1, 1, 0x15, 3, 3, 0, 2, 2, 80],
        "{out:?}"
    );

    // A cookie that fits is echoed as it came.
    let mut c = sans_io_client(client_config(), "localhost");
    let ch = queued_client_hello(&mut c);
    c.feed(&hrr_record(&ch.session_id, 0x0017, 30_000));
    c.process().unwrap();
    let out = c.take_outgoing();
    // Skip the dummy change_cipher_spec, then reassemble the records.
    let mut rest = &out[..];
    let mut msg = Vec::new();
    while !rest.is_empty() {
        let len = u16::from_be_bytes([rest[3], rest[4]]) as usize;
        if rest[0] == 0x16 {
            msg.extend_from_slice(&rest[5..5 + len]);
        }
        rest = &rest[5 + len..];
    }
    use lctls::unstable_internals::HandshakeMessage;
    let HandshakeMessage::ClientHello(second) = HandshakeMessage::decode(&msg).unwrap() else {
        panic!("no second ClientHello");
    };
    assert_eq!(
        second.extensions.cookie.as_deref(),
        Some(&[0xc0; 30_000][..])
    );
}

/// A client verifier that names more authorities than fit in one
/// CertificateRequest: the real CA first, then a crowd of made-up names.
#[derive(Debug)]
struct ManyAuthorities(lctls::pki::DefaultClientVerifier);

impl lctls::pki::ClientCertVerifier for ManyAuthorities {
    fn verify_client_cert(
        &self,
        end_entity: &lctls::pki::CertificateDer<'_>,
        intermediates: &[lctls::pki::CertificateDer<'_>],
        now: lctls::pki::UnixTime,
    ) -> Result<(), lctls::pki::CertificateError> {
        self.0.verify_client_cert(end_entity, intermediates, now)
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }

    fn root_subjects(&self) -> Vec<Vec<u8>> {
        let mut v = self.0.root_subjects();
        // 1,000 names of 100 bytes: about 100 KiB, over any 16-bit length.
        v.extend((0..1000u32).map(|i| {
            let mut dn = vec![0x30, 98];
            dn.extend_from_slice(&i.to_be_bytes());
            dn.resize(100, b'x');
            dn
        }));
        v
    }
}

/// Defect 7: a CA hint list over 64 KiB is cut to fit instead of wrapping
/// the CertificateRequest's lengths; mutual TLS still works in both versions.
#[tokio::test]
async fn oversized_ca_hint_list_is_capped() {
    use lctls::config::{CertifiedKey, ClientConfig, ServerConfig};
    use lctls::pki::ClientCertVerifier;
    use lctls::proto::enums::ProtocolVersion;
    let verifier = ManyAuthorities(lctls::pki::DefaultClientVerifier::new(support::roots()));
    assert!(
        verifier
            .root_subjects()
            .iter()
            .map(|d| d.len() + 2)
            .sum::<usize>()
            > 100_000
    );
    let verifier = Arc::new(verifier);
    for version in [ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2] {
        let server = ServerConfig::builder()
            .with_certified_key(support::certified_key("server", "server.key"))
            .with_client_cert_verifier(verifier.clone())
            .with_protocol_versions(&[version])
            .build()
            .unwrap();
        let client = ClientConfig::builder()
            .with_root_store(support::roots())
            .with_client_cert(
                CertifiedKey::from_pem_files(
                    support::path("client.pem"),
                    support::path("client.key"),
                )
                .unwrap(),
            )
            .build()
            .unwrap();
        let (c, s) = timeout(support::try_pair(
            Arc::new(client),
            Arc::new(server),
            "localhost",
        ))
        .await;
        let (c, s) = (c.unwrap(), s.unwrap());
        assert_eq!(c.protocol_version(), Some(version));
        assert!(!s.peer_certificates().is_empty(), "{version:?}");
    }
}

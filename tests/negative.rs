//! Failures: each test asserts the exact error on the failing side and the
//! alert the other side received (or the alert bytes a raw peer read).

mod support;

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use lctls::config::{ClientConfig, ServerConfig};
use lctls::proto::enums::{
    AlertDescription, CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme,
};
use lctls::proto::Connection;
use lctls::unstable_internals::{ClientExtensions, ClientHello, HandshakeMessage};
use lctls::{Error, TlsAcceptor, TlsConnector};
use support::*;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream, ReadBuf};

// ---------------------------------------------------------------- helpers

/// Reads one TLS record (header and payload) from a raw transport.
async fn read_record(io: &mut DuplexStream) -> Vec<u8> {
    let mut rec = vec![0u8; 5];
    io.read_exact(&mut rec).await.unwrap();
    let len = u16::from_be_bytes([rec[3], rec[4]]) as usize;
    rec.resize(5 + len, 0);
    io.read_exact(&mut rec[5..]).await.unwrap();
    rec
}

/// Drains a raw transport to EOF.
async fn read_all(io: &mut DuplexStream) -> Vec<u8> {
    let mut out = Vec::new();
    io.read_to_end(&mut out).await.unwrap();
    out
}

/// A real lctls client against a raw server transport: the raw side reads the
/// ClientHello, then `script` writes whatever it likes. Returns the client's
/// error and every byte the client sent after its ClientHello.
async fn client_vs_raw_server(cc: Arc<ClientConfig>, script: &[u8]) -> (Error, Vec<u8>) {
    let (a, mut b) = tokio::io::duplex(64 * 1024);
    let client = TlsConnector::from(cc).connect("localhost", a);
    let raw = async {
        let ch = read_record(&mut b).await;
        assert_eq!(ch[0], 0x16, "first record is a handshake record");
        assert_eq!(ch[5], 0x01, "it holds a ClientHello");
        b.write_all(script).await.unwrap();
        read_all(&mut b).await
    };
    let (res, rest) = tokio::join!(client, raw);
    (handshake_err(res), rest)
}

/// A real lctls server against raw client bytes. Returns the server's error
/// and everything it wrote.
async fn raw_client_vs_server(sc: Arc<ServerConfig>, bytes: &[u8]) -> (Error, Vec<u8>) {
    let (mut a, b) = tokio::io::duplex(64 * 1024);
    let server = TlsAcceptor::from(sc).accept(b);
    let raw = async {
        a.write_all(bytes).await.unwrap();
        read_all(&mut a).await
    };
    let (res, out) = tokio::join!(server, raw);
    (handshake_err(res), out)
}

/// The ClientHello record a real lctls client sends first.
fn real_client_hello() -> Vec<u8> {
    sans_io_client(client_config(), "localhost")
        .take_outgoing()
        .to_vec()
}

/// A ClientHello record built from wire types (legacy record version 0x0301).
fn client_hello_record(ch: ClientHello) -> Vec<u8> {
    let msg = HandshakeMessage::ClientHello(ch).to_bytes().unwrap();
    let mut rec = vec![0x16, 0x03, 0x01];
    rec.extend_from_slice(&(msg.len() as u16).to_be_bytes());
    rec.extend_from_slice(&msg);
    rec
}

/// A TLS 1.2-style ClientHello: no supported_versions extension.
fn tls12_client_hello() -> ClientHello {
    ClientHello {
        legacy_version: ProtocolVersion::TLSv1_2.get(),
        random: [7; 32],
        session_id: Vec::new(),
        cipher_suites: vec![
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        ],
        compression_methods: vec![0],
        extensions: ClientExtensions {
            server_name: Some("localhost".into()),
            supported_groups: Some(vec![NamedGroup::X25519, NamedGroup::secp256r1]),
            signature_algorithms: Some(vec![
                SignatureScheme::ECDSA_NISTP256_SHA256,
                SignatureScheme::RSA_PSS_SHA256,
            ]),
            ..Default::default()
        },
    }
}

/// What the transport wrapper [`Tap`] does to the next write.
#[derive(Clone, Copy, Debug, PartialEq)]
enum TapMode {
    Pass,
    /// Flip (xor 0xff) the byte at this index of the next write.
    FlipNext(usize),
    /// Forward only the first half of the next write, then swallow everything.
    CutNext,
    Swallow,
}

/// An AsyncRead + AsyncWrite wrapper that tampers with written bytes on demand.
struct Tap {
    inner: DuplexStream,
    mode: Arc<Mutex<TapMode>>,
}

impl AsyncRead for Tap {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Tap {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let mode = *self.mode.lock().unwrap();
        match mode {
            TapMode::Pass => Pin::new(&mut self.inner).poll_write(cx, buf),
            TapMode::FlipNext(i) => {
                assert!(
                    i < buf.len(),
                    "write of {} bytes too short to flip byte {i}",
                    buf.len()
                );
                let mut copy = buf.to_vec();
                copy[i] ^= 0xff;
                let r = Pin::new(&mut self.inner).poll_write(cx, &copy);
                if let Poll::Ready(Ok(n)) = r {
                    if n > i {
                        *self.mode.lock().unwrap() = TapMode::Pass;
                    }
                }
                r
            }
            TapMode::CutNext => {
                let half = buf.len() / 2;
                assert!(half > 0);
                let r = Pin::new(&mut self.inner).poll_write(cx, &buf[..half]);
                match r {
                    Poll::Ready(Ok(n)) => {
                        assert_eq!(n, half, "duplex took a partial write");
                        *self.mode.lock().unwrap() = TapMode::Swallow;
                        Poll::Ready(Ok(buf.len()))
                    }
                    other => other,
                }
            }
            TapMode::Swallow => Poll::Ready(Ok(buf.len())),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A connected pair whose server writes through a [`Tap`].
async fn tapped_pair() -> (
    lctls::TlsStream<DuplexStream>,
    lctls::TlsStream<Tap>,
    Arc<Mutex<TapMode>>,
) {
    let (a, b) = tokio::io::duplex(64 * 1024);
    let mode = Arc::new(Mutex::new(TapMode::Pass));
    let tap = Tap {
        inner: b,
        mode: mode.clone(),
    };
    let (c, s) = tokio::join!(
        TlsConnector::from(client_config()).connect("localhost", a),
        TlsAcceptor::from(server_config("server")).accept(tap)
    );
    (c.unwrap(), s.unwrap(), mode)
}

/// Writes `bytes` raw under the server's TLS after a handshake: returns the
/// client's read error, and asserts the server's next read reports `alert`
/// received (the client's answer).
async fn inject_after_handshake(bytes: &[u8], alert: AlertDescription) -> Error {
    let (mut c, mut s) = pair(client_config(), server_config("server"), "localhost").await;
    s.get_mut().write_all(bytes).await.unwrap();
    let mut buf = [0u8; 8];
    let e = c.read(&mut buf).await.unwrap_err();
    let se = s.read(&mut buf).await.unwrap_err();
    assert_eq!(tls_err(&se), &Error::AlertReceived(alert), "server side");
    tls_err(&e).clone()
}

/// A server write of "tamper with me" that the [`Tap`] alters as `mode` says:
/// asserts the tampering happened, and that the client fails with
/// bad_record_mac (as InvalidData) and the server then receives that alert.
async fn tampered_server_write(mode: TapMode) {
    let (mut c, mut s, tap) = tapped_pair().await;
    *tap.lock().unwrap() = mode;
    s.write_all(b"tamper with me").await.unwrap();
    s.flush().await.unwrap();
    assert_eq!(*tap.lock().unwrap(), TapMode::Pass, "the flip happened");
    let mut buf = [0u8; 14];
    let e = c.read_exact(&mut buf).await.unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::InvalidData);
    assert_eq!(tls_err(&e), &Error::BadRecordMac);
    let e = s.read(&mut buf).await.unwrap_err();
    assert_eq!(
        tls_err(&e),
        &Error::AlertReceived(AlertDescription::BadRecordMac)
    );
}

/// A read that ended at a transport EOF without close_notify.
fn assert_truncated(e: &io::Error) {
    assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
    assert_eq!(tls_err(e), &Error::Truncated);
}

// ---------------------------------------------------------------- records

#[tokio::test]
async fn tampered_application_record() {
    timeout(async {
        // The write is one record: header (5 bytes), then ciphertext. Flip the
        // first ciphertext byte.
        tampered_server_write(TapMode::FlipNext(5)).await;
    })
    .await
}

#[tokio::test]
async fn tampered_record_header() {
    timeout(async {
        // legacy_record_version is additional data: 03 03 -> 03 fc.
        tampered_server_write(TapMode::FlipNext(2)).await;
    })
    .await
}

#[test]
fn tampered_record_sans_io() {
    let mut client = sans_io_client(client_config(), "localhost");
    let mut server = Connection::new_server(server_config("server"));
    drive_handshake(&mut client, &mut server);
    client.write_plaintext(b"secret").unwrap();
    let mut rec = client.take_outgoing().to_vec();
    let last = rec.len() - 1;
    rec[last] ^= 0x01; // last byte of the tag
    server.feed(&rec);
    assert_eq!(server.process(), Err(Error::BadRecordMac));
    assert_eq!(server.error(), Some(&Error::BadRecordMac));
    // The same error again, and the alert is queued (encrypted, so only its
    // effect on the client is checked).
    assert_eq!(server.process(), Err(Error::BadRecordMac));
    let alert = server.take_outgoing();
    assert_eq!(alert[0], 0x17, "protected alert record");
    client.feed(&alert);
    assert_eq!(
        client.process(),
        Err(Error::AlertReceived(AlertDescription::BadRecordMac))
    );
    assert_eq!(client.take_outgoing().len(), 0, "no alert answers an alert");
}

#[tokio::test]
async fn truncated_stream_without_close_notify() {
    timeout(async {
        let (mut c, mut s) = pair(client_config(), server_config("server"), "localhost").await;
        s.write_all(b"last words").await.unwrap();
        s.flush().await.unwrap();
        drop(s); // transport closed, no close_notify
        let mut buf = [0u8; 10];
        c.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"last words");
        assert_truncated(&c.read(&mut buf).await.unwrap_err());
        // It stays an error.
        let mut rest = Vec::new();
        assert_truncated(&c.read_to_end(&mut rest).await.unwrap_err());
    })
    .await
}

#[tokio::test]
async fn truncated_read_to_end() {
    timeout(async {
        let (mut c, mut s) = pair(client_config(), server_config("server"), "localhost").await;
        s.write_all(b"data").await.unwrap();
        s.flush().await.unwrap();
        drop(s);
        let mut out = Vec::new();
        assert_truncated(&c.read_to_end(&mut out).await.unwrap_err());
        assert_eq!(out, b"data");
    })
    .await
}

#[tokio::test]
async fn record_cut_in_half() {
    timeout(async {
        let (mut c, mut s, mode) = tapped_pair().await;
        *mode.lock().unwrap() = TapMode::CutNext;
        s.write_all(b"this record is cut in half").await.unwrap();
        s.flush().await.unwrap();
        assert_eq!(*mode.lock().unwrap(), TapMode::Swallow);
        drop(s);
        let mut out = Vec::new();
        assert_truncated(&c.read_to_end(&mut out).await.unwrap_err());
        assert!(out.is_empty());
    })
    .await
}

#[tokio::test]
async fn eof_during_handshake() {
    timeout(async {
        let (a, mut b) = tokio::io::duplex(64 * 1024);
        let client = TlsConnector::from(client_config()).connect("localhost", a);
        let raw = async {
            read_record(&mut b).await;
            drop(b);
        };
        let (res, ()) = tokio::join!(client, raw);
        assert_truncated(&res.unwrap_err());
    })
    .await
}

#[tokio::test]
async fn garbage_to_server() {
    timeout(async {
        let (e, out) = raw_client_vs_server(
            server_config("server"),
            b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        )
        .await;
        assert_eq!(e.alert(), Some(AlertDescription::UnexpectedMessage));
        assert!(
            e.to_string()
                .contains("a plaintext HTTP request (\"GET /\"...)"),
            "{e}"
        );
        assert_eq!(out, plain_fatal_alert(10));
    })
    .await
}

#[tokio::test]
async fn garbage_handshake_body_to_server() {
    timeout(async {
        // A well-framed record holding a 1-byte "ClientHello".
        let (e, out) = raw_client_vs_server(
            server_config("server"),
            &[0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0xff],
        )
        .await;
        assert!(
            matches!(
                &e,
                Error::Protocol {
                    alert: AlertDescription::DecodeError,
                    ..
                }
            ),
            "{e:?}"
        );
        assert_eq!(out, plain_fatal_alert(50));
    })
    .await
}

#[tokio::test]
async fn garbage_to_client() {
    timeout(async {
        let (e, rest) =
            client_vs_raw_server(client_config(), b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
        assert_eq!(
            e,
            Error::Protocol {
                alert: AlertDescription::UnexpectedMessage,
                reason: "unknown record content type 72".into(),
            }
        );
        assert_eq!(rest, plain_fatal_alert(10));
    })
    .await
}

#[tokio::test]
async fn oversized_record_to_server() {
    timeout(async {
        // 2^14 + 257 = 16641 = 0x4101 bytes: one more than TLS 1.3 allows.
        let mut bytes = vec![0x16, 0x03, 0x01, 0x41, 0x01];
        bytes.extend(std::iter::repeat_n(0u8, 16641));
        let (e, out) = raw_client_vs_server(server_config("server"), &bytes).await;
        assert_eq!(
            e,
            Error::Protocol {
                alert: AlertDescription::RecordOverflow,
                reason: "record of 16641 bytes exceeds the limit of 16640".into(),
            }
        );
        assert_eq!(out, plain_fatal_alert(22));
    })
    .await
}

#[tokio::test]
async fn oversized_record_to_client() {
    timeout(async {
        let (e, rest) =
            client_vs_raw_server(client_config(), &[0x16, 0x03, 0x03, 0x41, 0x01]).await;
        assert_eq!(
            e,
            Error::Protocol {
                alert: AlertDescription::RecordOverflow,
                reason: "record of 16641 bytes exceeds the limit of 16640".into(),
            }
        );
        assert_eq!(rest, plain_fatal_alert(22));
    })
    .await
}

#[tokio::test]
async fn oversized_record_after_handshake() {
    timeout(async {
        let e = inject_after_handshake(
            &[0x17, 0x03, 0x03, 0x41, 0x01],
            AlertDescription::RecordOverflow,
        )
        .await;
        assert!(
            matches!(
                e,
                Error::Protocol {
                    alert: AlertDescription::RecordOverflow,
                    ..
                }
            ),
            "{e:?}"
        );
    })
    .await
}

#[tokio::test]
async fn peer_alert_mid_handshake() {
    timeout(async {
        let (e, rest) = client_vs_raw_server(client_config(), &plain_fatal_alert(40)).await;
        assert_eq!(e, Error::AlertReceived(AlertDescription::HandshakeFailure));
        assert!(rest.is_empty(), "no alert answers an alert: {rest:02x?}");
    })
    .await
}

// ---------------------------------------------------------------- versions

/// A server that requires TLS 1.3 (the default also accepts TLS 1.2; see tests/tls12*.rs).
fn tls13_only_server() -> Arc<lctls::ServerConfig> {
    server_with("server", |b| {
        b.with_protocol_versions(&[ProtocolVersion::TLSv1_3])
    })
}

#[test]
fn tls12_only_client_hello_sans_io() {
    let mut server = Connection::new_server(tls13_only_server());
    server.feed(&client_hello_record(tls12_client_hello()));
    assert_eq!(
        server.process(),
        Err(Error::UnsupportedVersion(
            "client offered only legacy version 0x0303; this server requires TLS 1.3".into()
        ))
    );
    assert_eq!(
        server.take_outgoing().to_vec(),
        vec![0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46]
    );
}

#[tokio::test]
async fn tls12_only_client_hello_tokio() {
    timeout(async {
        let (e, out) = raw_client_vs_server(
            tls13_only_server(),
            &client_hello_record(tls12_client_hello()),
        )
        .await;
        assert!(matches!(e, Error::UnsupportedVersion(_)), "{e:?}");
        assert_eq!(out, plain_fatal_alert(70));
    })
    .await
}

#[test]
fn supported_versions_without_tls13() {
    let mut ch = tls12_client_hello();
    ch.extensions.supported_versions =
        Some(vec![ProtocolVersion::TLSv1_2, ProtocolVersion::TLSv1_1]);
    let mut server = Connection::new_server(tls13_only_server());
    server.feed(&client_hello_record(ch));
    let e = server.process().unwrap_err();
    assert!(matches!(e, Error::UnsupportedVersion(_)), "{e:?}");
    assert_eq!(server.take_outgoing().to_vec(), plain_fatal_alert(70));
}

/// An SSL 2.0-format (compatibility) ClientHello offering SSL 3.0/TLS 1.0.
fn sslv2_hello_bytes() -> Vec<u8> {
    let mut body = vec![0x01, 0x03, 0x01]; // CLIENT-HELLO, version 3.1
    body.extend_from_slice(&[0x00, 0x15]); // cipher spec length: 21 (7 specs)
    body.extend_from_slice(&[0x00, 0x00]); // session id length
    body.extend_from_slice(&[0x00, 0x10]); // challenge length
    for spec in [
        [0x00, 0x00, 0x04],
        [0x00, 0x00, 0x05],
        [0x00, 0x00, 0x0a],
        [0x01, 0x00, 0x80],
        [0x07, 0x00, 0xc0],
        [0x03, 0x00, 0x80],
        [0x00, 0x00, 0x2f],
    ] {
        body.extend_from_slice(&spec);
    }
    body.extend_from_slice(&[0x42; 16]);
    let mut rec = vec![0x80 | (body.len() >> 8) as u8, body.len() as u8];
    rec.extend_from_slice(&body);
    rec
}

#[tokio::test]
async fn sslv2_client_hello_refused() {
    timeout(async {
        let (e, out) = raw_client_vs_server(server_config("server"), &sslv2_hello_bytes()).await;
        assert_eq!(
            e,
            Error::UnsupportedVersion("SSL 2.0-format ClientHello".into())
        );
        assert_eq!(out, plain_fatal_alert(70));
    })
    .await
}

// ---------------------------------------------------------------- sizes

/// A client and a server that both send at most one byte of plaintext a record.
fn one_byte_fragment_configs() -> (Arc<ClientConfig>, Arc<ServerConfig>) {
    let cc = client_with(|b| b.with_max_fragment_size(1));
    let sc = server_with("server", |b| b.with_max_fragment_size(1));
    (cc, sc)
}

#[tokio::test]
async fn one_byte_fragments() {
    timeout(async {
        let (cc, sc) = one_byte_fragment_configs();
        let (mut c, mut s) = pair(cc, sc, "localhost").await;
        let data: Vec<u8> = (0..2000u32).map(|i| (i * 7) as u8).collect();
        // The server echoes what it read: both directions carry `data`.
        exchange_then_close(&mut c, &mut s, &data, &data).await;
    })
    .await
}

#[test]
fn one_byte_fragments_on_the_wire() {
    // Sans-IO, to look at the records themselves: every record carries one
    // byte of plaintext (5 header + 1 + 1 content type + 16 tag = 23 bytes).
    let (cc, sc) = one_byte_fragment_configs();
    let mut client = sans_io_client(cc, "localhost");
    let ch = client.take_outgoing().to_vec();
    // The plaintext ClientHello: 6 bytes per record, each with the initial
    // ClientHello's record version 0x0301.
    assert_eq!(ch.len() % 6, 0);
    assert!(ch
        .chunks(6)
        .all(|r| r[..5] == [0x16, 0x03, 0x01, 0x00, 0x01]));
    let mut server = Connection::new_server(sc);
    server.feed(&ch);
    server.process().unwrap();
    client.feed(&server.take_outgoing());
    client.process().unwrap();
    server.feed(&client.take_outgoing());
    server.process().unwrap();
    assert!(!client.is_handshaking() && !server.is_handshaking());
    client.write_plaintext(b"abc").unwrap();
    let out = client.take_outgoing();
    assert_eq!(out.len(), 3 * 23);
    server.feed(&out);
    server.process().unwrap();
    let mut buf = [0u8; 3];
    assert_eq!(server.read_plaintext(&mut buf), 3);
    assert_eq!(&buf, b"abc");
}

#[tokio::test]
async fn handshake_message_over_limit() {
    timeout(async {
        let cc = client_with(|b| b.with_max_handshake_message(512));
        let e = client_refuses(
            cc,
            server_config("server-rsa"),
            "localhost",
            AlertDescription::IllegalParameter,
        )
        .await;
        match e {
            Error::Protocol {
                alert: AlertDescription::IllegalParameter,
                reason,
            } => assert!(
                reason.starts_with("handshake message of ")
                    && reason.ends_with(" bytes exceeds the limit of 512 bytes"),
                "{reason}"
            ),
            other => panic!("expected illegal_parameter, got {other:?}"),
        }
    })
    .await
}

// ---------------------------------------------------------------- floods

fn flood_error(what: &str) -> Error {
    Error::Protocol {
        alert: AlertDescription::UnexpectedMessage,
        reason: format!("peer sent more than 32 {what} records in a row"),
    }
}

#[test]
fn ccs_flood_to_server() {
    let mut bytes = real_client_hello();
    for _ in 0..100 {
        bytes.extend_from_slice(&[0x14, 0x03, 0x03, 0x00, 0x01, 0x01]);
    }
    let mut server = Connection::new_server(server_config("server"));
    server.feed(&bytes);
    assert_eq!(server.process(), Err(flood_error("change_cipher_spec")));
}

#[tokio::test]
async fn ccs_flood_to_client() {
    timeout(async {
        let flood: Vec<u8> = [0x14, 0x03, 0x03, 0x00, 0x01, 0x01].repeat(100);
        let (e, rest) = client_vs_raw_server(client_config(), &flood).await;
        assert_eq!(e, flood_error("change_cipher_spec"));
        assert_eq!(rest, plain_fatal_alert(10));
    })
    .await
}

#[tokio::test]
async fn warning_alert_flood_to_server() {
    timeout(async {
        // warning user_canceled, 100 times, before any ClientHello.
        let flood: Vec<u8> = [0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x5a].repeat(100);
        let (e, out) = raw_client_vs_server(server_config("server"), &flood).await;
        // Warning alerts have a tighter limit (4 in a row, as BoringSSL)
        // than other empty records (32).
        assert_eq!(
            e,
            Error::unexpected("too many warning alerts: the peer sent more than 4 in a row")
        );
        assert_eq!(out, plain_fatal_alert(10));
    })
    .await
}

#[tokio::test]
async fn ccs_after_handshake() {
    timeout(async {
        let e = inject_after_handshake(
            &[0x14, 0x03, 0x03, 0x00, 0x01, 0x01],
            AlertDescription::UnexpectedMessage,
        )
        .await;
        assert_eq!(
            e,
            Error::Protocol {
                alert: AlertDescription::UnexpectedMessage,
                reason: "change_cipher_spec outside the handshake".into(),
            }
        );
    })
    .await
}

/// A peer asking for 32 key updates in a row (as many as it may, see
/// tests/key_limits.rs) gets one answer, not 32: the answer covers every
/// request until we next send data (RFC 8446 4.6.3), so requests cannot make
/// us queue without bound. Data still flows afterwards.
#[test]
fn key_update_requests_are_answered_once_until_we_write() {
    let mut client = sans_io_client(client_config(), "localhost");
    let mut server = Connection::new_server(server_config("server"));
    drive_handshake(&mut client, &mut server);
    for _ in 0..32 {
        client.update_keys(true).unwrap();
    }
    server.feed(&client.take_outgoing());
    server.process().unwrap();
    // One KeyUpdate(update_not_requested): 5 bytes of message + 1 type byte + 16 tag + header.
    assert_eq!(server.outgoing_len(), 5 + 5 + 1 + 16);
    server.write_plaintext(b"after").unwrap();
    client.feed(&server.take_outgoing());
    client.process().unwrap();
    let mut buf = [0u8; 16];
    let n = client.read_plaintext(&mut buf);
    assert_eq!(&buf[..n], b"after");
    // After writing, a new request is answered again (and after the
    // client's data, it is not a 33rd KeyUpdate in a row).
    client.write_plaintext(b"data").unwrap();
    client.update_keys(true).unwrap();
    server.feed(&client.take_outgoing());
    server.process().unwrap();
    assert_eq!(server.outgoing_len(), 27);
}

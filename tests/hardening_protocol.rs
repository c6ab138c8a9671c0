//! Issue 9, defect 10: smaller protocol gaps. A second ClientHello after
//! HelloRetryRequest must repeat the first; certificate-entry extensions
//! nobody asked for are refused; trailing bytes inside extension bodies are
//! decode_error; an IP literal in SNI is ignored; both handshake futures
//! time out.
//!
//! Peers are real: our own client and server driven sans-IO, a "server" built
//! from this crate's public key schedule and record layer (so a test can send
//! an encrypted message a real server never would), rustls and OpenSSL.

mod common;
mod support;

use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use lctls::config::{ClientConfig, ServerConfig};
use lctls::pki::{CertificateDer, DefaultClientVerifier};
use lctls::proto::enums::{AlertDescription, NamedGroup, ProtocolVersion, SignatureScheme};
use lctls::proto::Connection;
use lctls::unstable_internals::{
    put_len_prefixed, put_vec, tls13_suite, ClientHello, ContentType, EarlySecret,
    HandshakeMessage, KeyExchange, KeyShareEntry, LenPrefix, PskIdentity, PskOffer, Put,
    RecordLayer, Transcript,
};
use lctls::{Error, TlsAcceptor, TlsConnector};
use support::forge::*;
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Adds one byte after the body of extension `typ`.
fn with_trailing_byte(msg: &[u8], typ: u16) -> Vec<u8> {
    edit_extensions(msg, |e| {
        let (_, body) = e.iter_mut().find(|(t, _)| *t == typ).expect("extension");
        body.push(0);
    })
}

// ------------------------------------------------- (a) HelloRetryRequest

/// A client whose first share (X25519) the server does not take, and a
/// server that only does P-256: every handshake between them retries. Both
/// offer ALPN so that the hellos carry it.
fn hrr_configs() -> (Arc<ClientConfig>, Arc<ServerConfig>) {
    let cc = client_builder()
        .with_groups(&[NamedGroup::X25519, NamedGroup::secp256r1])
        .with_alpn_protocols(&["h2", "http/1.1"])
        .build()
        .unwrap();
    let sc = server_builder("server")
        .with_groups(&[NamedGroup::secp256r1])
        .with_alpn_protocols(&["h2"])
        .build()
        .unwrap();
    (Arc::new(cc), Arc::new(sc))
}

/// Feeds a real first ClientHello (after `first` rewrote it) to a server,
/// which answers with a HelloRetryRequest, and hands that to the client.
/// Returns the client, the server and the client's second ClientHello.
fn to_second_hello(first: impl FnOnce(Vec<u8>) -> Vec<u8>) -> (Connection, Connection, Vec<u8>) {
    let (cc, sc) = hrr_configs();
    let mut client = sans_io_client(cc, "localhost");
    let mut server = Connection::new_server(sc);
    let ch1 = plain_handshakes(&client.take_outgoing()).remove(0);
    server.feed(&handshake_record(&first(ch1)));
    server.process().expect("first ClientHello");
    assert!(server.negotiated().retried, "the server must retry");
    client.feed(&server.take_outgoing());
    client.process().expect("HelloRetryRequest");
    let mut second = plain_handshakes(&client.take_outgoing());
    assert_eq!(second.len(), 1, "one second ClientHello");
    (client, server, second.remove(0))
}

/// The server's verdict on a second ClientHello that `mutate` changed.
fn second_hello_result(mutate: impl FnOnce(Vec<u8>) -> Vec<u8>) -> Result<(), Error> {
    let (_client, mut server, ch2) = to_second_hello(|ch1| ch1);
    server.feed(&handshake_record(&mutate(ch2)));
    server.process()
}

/// [`second_hello_result`] for a change to the typed hello.
fn second_hello_with(f: impl FnOnce(&mut ClientHello)) -> Result<(), Error> {
    second_hello_result(|msg| {
        let mut ch = decode_hello(&msg);
        f(&mut ch);
        encode_hello(ch)
    })
}

/// The harness itself: our encoder reproduces the client's second hello
/// byte for byte, and the handshake then completes.
#[test]
fn unchanged_second_hello_completes() {
    let (mut client, mut server, ch2) = to_second_hello(|ch1| ch1);
    assert_eq!(
        encode_hello(decode_hello(&ch2)),
        ch2,
        "re-encoding is exact"
    );
    server.feed(&handshake_record(&ch2));
    server.process().unwrap();
    client.feed(&server.take_outgoing());
    client.process().unwrap();
    drive_handshake(&mut client, &mut server);
    assert!(client.negotiated().retried);
    assert_eq!(server.negotiated().alpn.as_deref(), Some(&b"h2"[..]));
    assert_eq!(server.negotiated().sni.as_deref(), Some("localhost"));
}

#[test]
fn second_hello_changing_sni_is_illegal() {
    let e = second_hello_with(|ch| ch.extensions.server_name = Some("other.example".into()));
    assert_alert(e, AlertDescription::IllegalParameter);
    let e = second_hello_with(|ch| ch.extensions.server_name = None);
    assert_alert(e, AlertDescription::IllegalParameter);
}

#[test]
fn second_hello_changing_alpn_is_illegal() {
    let e = second_hello_with(|ch| ch.extensions.alpn = Some(vec![b"http/1.1".to_vec()]));
    assert_alert(e, AlertDescription::IllegalParameter);
}

#[test]
fn second_hello_changing_signature_algorithms_is_illegal() {
    let e = second_hello_with(|ch| {
        ch.extensions.signature_algorithms = Some(vec![SignatureScheme::RSA_PSS_SHA256])
    });
    assert_alert(e, AlertDescription::IllegalParameter);
    let e = second_hello_with(|ch| {
        ch.extensions.signature_algorithms_cert = Some(vec![SignatureScheme::RSA_PSS_SHA256])
    });
    assert_alert(e, AlertDescription::IllegalParameter);
}

#[test]
fn second_hello_changing_supported_versions_is_illegal() {
    let e = second_hello_with(|ch| {
        ch.extensions.supported_versions = Some(vec![ProtocolVersion::TLSv1_3])
    });
    assert_alert(e, AlertDescription::IllegalParameter);
}

/// Every other field RFC 8446 section 4.1.2 does not let change.
#[test]
fn second_hello_changing_other_fields_is_illegal() {
    type Change = Box<dyn FnOnce(&mut ClientHello)>;
    let changes: Vec<(&str, Change)> = vec![
        (
            "cipher_suites",
            Box::new(|ch| {
                ch.cipher_suites.pop();
            }),
        ),
        ("legacy_session_id", Box::new(|ch| ch.session_id[0] ^= 1)),
        ("random", Box::new(|ch| ch.random[31] ^= 1)),
        ("legacy_version", Box::new(|ch| ch.legacy_version = 0x0302)),
        (
            "legacy_compression_methods",
            Box::new(|ch| ch.compression_methods = vec![1, 0]),
        ),
        (
            "supported_groups",
            Box::new(|ch| ch.extensions.supported_groups = Some(vec![NamedGroup::secp256r1])),
        ),
        (
            "psk_key_exchange_modes",
            Box::new(|ch| ch.extensions.psk_modes = None),
        ),
        (
            "extended_master_secret",
            Box::new(|ch| ch.extensions.extended_master_secret ^= true),
        ),
        (
            "pre_shared_key added",
            Box::new(|ch| {
                ch.extensions.psk = Some(PskOffer {
                    identities: vec![PskIdentity {
                        identity: vec![1; 16],
                        obfuscated_age: 0,
                    }],
                    binders: vec![vec![0; 32]],
                })
            }),
        ),
    ];
    for (what, change) in changes {
        let e = second_hello_with(change).expect_err(what);
        assert_eq!(
            e.alert(),
            Some(AlertDescription::IllegalParameter),
            "{what}: {e}"
        );
    }
    // An extension the first hello did not have, even one we do not know.
    let e = second_hello_result(|msg| with_extension(&msg, 0x1234, b"new"));
    assert_alert(e, AlertDescription::IllegalParameter);
}

/// What RFC 8446 section 4.1.2 allows: padding may change, early_data may go
/// and a pre_shared_key may be dropped. The server takes such a second
/// hello (and answers with its ServerHello); the handshake itself cannot
/// finish, since the client's transcript holds the hellos it really sent.
#[test]
fn second_hello_allowed_changes_are_accepted() {
    let served = |mut server: Connection, ch2: Vec<u8>| {
        server.feed(&handshake_record(&ch2));
        server.process().expect("allowed change refused");
        let out = server.take_outgoing();
        let first = records(&out).remove(0);
        assert_eq!((first.0, first.1[0]), (22, 2), "a ServerHello follows");
    };
    // Padding added to the second hello (RFC 7685).
    let (_c, server, ch2) = to_second_hello(|ch1| ch1);
    served(server, with_extension(&ch2, 21, &[0; 40]));
    // early_data in the second hello, which RFC 8446 section 4.2.10 forbids
    // without naming an alert: ignored, as BoringSSL does (BoGo
    // SkipEarlyData-SecondClientHelloEarlyData-TLS13); nothing is accepted
    // or skipped after a HelloRetryRequest.
    let (_c, server, ch2) = to_second_hello(|ch1| ch1);
    served(server, with_extension(&ch2, 42, &[]));
    // early_data and a pre_shared_key in the first hello, gone from the second.
    let (_c, server, ch2) = to_second_hello(|ch1| {
        let mut ch = decode_hello(&ch1);
        ch.extensions.psk = Some(PskOffer {
            identities: vec![PskIdentity {
                identity: vec![9; 40],
                obfuscated_age: 7,
            }],
            binders: vec![vec![0; 32]],
        });
        // early_data goes before pre_shared_key, which must stay last.
        edit_extensions(&encode_hello(ch), |e| {
            let last = e.len() - 1;
            e.insert(last, (42, Vec::new()));
        })
    });
    served(server, ch2);
}

/// A resumed handshake that also retries: the second hello's PSK carries a
/// recomputed binder and age, which the check must let through.
#[tokio::test]
async fn resumption_across_hello_retry_request() {
    timeout(async {
        let (cc, sc) = hrr_configs();
        let (c, s) = pair(cc.clone(), sc.clone(), "localhost").await;
        assert!(c.negotiated().retried);
        drop(s);
        // The client stores its ticket once it reads it.
        let mut c = c;
        let mut buf = [0u8; 1];
        let _ = tokio::time::timeout(Duration::from_millis(200), c.read(&mut buf)).await;
        let (c2, s2) = pair(cc, sc, "localhost").await;
        assert!(s2.negotiated().retried, "{:?}", s2.negotiated());
        assert!(s2.negotiated().resumed, "{:?}", s2.negotiated());
        assert!(c2.negotiated().resumed);
    })
    .await
}

// ----------------------------------- a server and a client from our pieces

/// Plays the client to a real server up to its first encrypted message:
/// sends a ClientHello (a real client's, with our own X25519 share), reads
/// the ServerHello and returns the server plus a record layer sealing under
/// the client handshake traffic key.
fn forged_client(server_config: Arc<ServerConfig>) -> (Connection, RecordLayer) {
    let real =
        plain_handshakes(&sans_io_client(client_config(), "localhost").take_outgoing()).remove(0);
    let kx = KeyExchange::start(NamedGroup::X25519).unwrap();
    let mut ch = decode_hello(&real);
    // X25519 alone: a server prefers the default hybrid group when a
    // client lists it, and would ask for its share.
    ch.extensions.supported_groups = Some(vec![NamedGroup::X25519]);
    ch.extensions.key_shares = Some(vec![KeyShareEntry {
        group: NamedGroup::X25519,
        payload: kx.public_key().to_vec(),
    }]);
    let ch_msg = encode_hello(ch);
    let mut server = Connection::new_server(server_config);
    server.feed(&handshake_record(&ch_msg));
    server.process().unwrap();
    let sh_msg = plain_handshakes(&server.take_outgoing()).remove(0);
    let HandshakeMessage::ServerHello(sh) = HandshakeMessage::decode(&sh_msg).unwrap() else {
        panic!("expected ServerHello");
    };
    let suite = tls13_suite(sh.cipher_suite).unwrap();
    let shared = kx
        .complete(&sh.extensions.key_share.expect("key share").payload)
        .unwrap();
    let mut transcript = Transcript::new(suite.hash);
    transcript.add(&ch_msg);
    transcript.add(&sh_msg);
    let keys = EarlySecret::new(suite, None)
        .into_handshake(&shared)
        .client_handshake_traffic_secret(&transcript.current_hash())
        .keys();
    let mut layer = RecordLayer::new();
    layer
        .set_write_key(suite, keys.key.as_bytes(), keys.iv.as_bytes())
        .unwrap();
    (server, layer)
}

/// A Certificate message for `chain` whose first entry carries `ext`
/// (type, body) when given.
fn certificate_with(chain: &[CertificateDer<'static>], ext: Option<(u16, &[u8])>) -> Vec<u8> {
    let mut out = vec![11];
    put_len_prefixed(&mut out, LenPrefix::U24, |o| {
        o.put_u8v(0);
        put_len_prefixed(o, LenPrefix::U24, |o| {
            for (i, c) in chain.iter().enumerate() {
                put_vec(o, LenPrefix::U24, c.as_ref())?;
                put_len_prefixed(o, LenPrefix::U16, |o| {
                    if let (0, Some((typ, body))) = (i, ext) {
                        o.put_u16v(typ);
                        put_vec(o, LenPrefix::U16, body)?;
                    }
                    Ok(())
                })?;
            }
            Ok(())
        })
    })
    .unwrap();
    out
}

/// A client's verdict on a forged server flight of `messages`.
fn client_verdict(messages: &[Vec<u8>]) -> Result<(), Error> {
    let cc = client_with(|b| b.with_groups(&[NamedGroup::X25519]));
    let mut client = sans_io_client(cc, "localhost");
    let flight = forged_server_flight(&client.take_outgoing(), messages);
    client.feed(&flight);
    client.process()
}

// ------------------------------------- (b) certificate entry extensions

/// status_request (5) and signed_certificate_timestamp (18) in the server's
/// CertificateEntry, though our ClientHello asked for neither.
#[test]
fn client_refuses_unrequested_certificate_entry_extension() {
    let chain = pem_certs("server.pem");
    // The control: the same flight without the extension is taken (the
    // client then waits for CertificateVerify).
    client_verdict(&[empty_encrypted_extensions(), certificate_with(&chain, None)])
        .expect("a clean Certificate");
    for (typ, body) in [(5u16, &[1u8, 2, 3][..]), (18, &[0, 0][..])] {
        let cert = certificate_with(&chain, Some((typ, body)));
        let e = client_verdict(&[empty_encrypted_extensions(), cert]);
        assert_alert(e, AlertDescription::UnsupportedExtension);
    }
}

/// The same for a client certificate: our CertificateRequest solicits no
/// entry extensions.
#[test]
fn server_refuses_unrequested_client_certificate_entry_extension() {
    let sc = Arc::new(
        server_builder("server")
            .with_client_cert_verifier(Arc::new(DefaultClientVerifier::new(roots())))
            .build()
            .unwrap(),
    );
    let chain = pem_certs("client.pem");
    for (ext, ok) in [(None, true), (Some((18u16, &[0u8, 0][..])), false)] {
        let (mut server, mut layer) = forged_client(sc.clone());
        let mut rec = bytes::BytesMut::new();
        layer
            .seal(
                ContentType::Handshake,
                &certificate_with(&chain, ext),
                &mut rec,
            )
            .unwrap();
        server.feed(&rec);
        let r = server.process();
        if ok {
            r.expect("a clean client Certificate");
        } else {
            assert_alert(r, AlertDescription::UnsupportedExtension);
        }
    }
}

// ------------------------------------------- (c) trailing extension bytes

/// A CertificateRequest with `exts` (type, body) after an empty context.
fn certificate_request(exts: &[(u16, Vec<u8>)]) -> Vec<u8> {
    let mut out = vec![13];
    put_len_prefixed(&mut out, LenPrefix::U24, |o| {
        o.put_u8v(0);
        put_len_prefixed(o, LenPrefix::U16, |o| {
            for (typ, body) in exts {
                o.put_u16v(*typ);
                put_vec(o, LenPrefix::U16, body)?;
            }
            Ok(())
        })
    })
    .unwrap();
    out
}

#[test]
fn certificate_request_extension_trailing_bytes_are_decode_error() {
    // signature_algorithms: [ecdsa_secp256r1_sha256]
    let sigs = vec![0, 2, 4, 3];
    // certificate_authorities: one (fake) DN of 3 bytes.
    let cas = vec![0, 5, 0, 3, 0x30, 1, 0];
    let verdict = |exts: Vec<(u16, Vec<u8>)>| {
        client_verdict(&[empty_encrypted_extensions(), certificate_request(&exts)])
    };
    verdict(vec![(13, sigs.clone()), (47, cas.clone())]).expect("a clean CertificateRequest");
    let trailing = |mut v: Vec<u8>| {
        v.push(0);
        v
    };
    let e = verdict(vec![(13, trailing(sigs.clone()))]);
    assert_alert(e, AlertDescription::DecodeError);
    let e = verdict(vec![(13, sigs.clone()), (47, trailing(cas))]);
    assert_alert(e, AlertDescription::DecodeError);
    // An empty authorities list is malformed too (RFC 8446 section 4.2.4).
    let e = verdict(vec![(13, sigs), (47, vec![0, 0])]);
    assert_alert(e, AlertDescription::DecodeError);
}

#[test]
fn client_hello_extension_trailing_bytes_are_decode_error() {
    let ch =
        plain_handshakes(&sans_io_client(client_config(), "localhost").take_outgoing()).remove(0);
    // server_name, supported_groups, signature_algorithms, supported_versions,
    // psk_key_exchange_modes, key_share, ec_point_formats.
    for typ in [0u16, 10, 13, 43, 45, 51, 11] {
        let mut server = Connection::new_server(server_config("server"));
        server.feed(&handshake_record(&with_trailing_byte(&ch, typ)));
        let e = server.process().expect_err("trailing byte accepted");
        assert_eq!(e.alert(), Some(AlertDescription::DecodeError), "{typ}: {e}");
    }
}

// ------------------------------------------------------ (d) SNI IP literal

/// Our client sends no server_name for an IP address.
#[test]
fn client_sends_no_sni_for_ip_address() {
    for name in ["127.0.0.1", "::1"] {
        let ch = plain_handshakes(&sans_io_client(client_config(), name).take_outgoing()).remove(0);
        assert_eq!(decode_hello(&ch).extensions.server_name, None, "{name}");
    }
}

/// The server value for a host_name holding `name`.
fn sni_body(name: &str) -> Vec<u8> {
    let mut b = Vec::new();
    put_len_prefixed(&mut b, LenPrefix::U16, |o| {
        o.put_u8v(0);
        put_vec(o, LenPrefix::U16, name.as_bytes())
    })
    .unwrap();
    b
}

/// RFC 6066 section 3 forbids IP literals in HostName; the server treats one
/// as no SNI (as rustls does): no name is reported or acknowledged, and the
/// handshake goes on with the default certificate.
#[test]
fn server_ignores_ip_literal_sni() {
    let ch =
        plain_handshakes(&sans_io_client(client_config(), "localhost").take_outgoing()).remove(0);
    for ip in ["127.0.0.1", "::1", "[::1]"] {
        let forged = edit_extensions(&ch, |e| {
            let (_, body) = e.iter_mut().find(|(t, _)| *t == 0).unwrap();
            *body = sni_body(ip);
        });
        let mut server = Connection::new_server(server_config("server"));
        server.feed(&handshake_record(&forged));
        server
            .process()
            .expect("an IP literal SNI is ignored, not refused");
        assert_eq!(server.negotiated().sni, None, "{ip}");
        assert!(server.outgoing_len() > 0, "the server answered");
    }
}

#[tokio::test]
async fn s_client_ip_literal_servername_is_ignored() {
    if !common::require("openssl") {
        return;
    }
    timeout(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let mut tls = TlsAcceptor::from(server_config("server"))
                .accept(tcp)
                .await
                .unwrap();
            let name = tls.server_name().map(str::to_owned);
            let mut line = [0u8; 6];
            tls.read_exact(&mut line).await.unwrap();
            tls.write_all(&line).await.unwrap();
            tls.flush().await.unwrap();
            name
        });
        // Later options override earlier ones: SNI 127.0.0.1, while the
        // certificate is still checked for localhost.
        let mut c = common::openssl_s_client(port, &["-servername", "127.0.0.1"]);
        c.write(b"hello\n");
        assert!(
            c.wait_stdout_contains(b"hello\n", common::TIMEOUT).await,
            "{}",
            c.describe()
        );
        c.close_stdin();
        assert_eq!(server.await.unwrap(), None, "no SNI reported");
    })
    .await
}

// ------------------------------------------------ (e) handshake timeouts

/// A TCP server that accepts and never answers: the client gives up after
/// its limit with TimedOut.
#[tokio::test]
async fn connector_handshake_timeout() {
    timeout(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let silent = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            tokio::time::sleep(Duration::from_secs(20)).await;
            drop(tcp);
        });
        let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
        let limit = Duration::from_millis(300);
        let start = Instant::now();
        let e = TlsConnector::from(client_config())
            .with_handshake_timeout(limit)
            .connect("localhost", tcp)
            .await
            .unwrap_err();
        let took = start.elapsed();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut, "{e}");
        assert!(took >= limit && took < Duration::from_secs(5), "{took:?}");
        silent.abort();
        // The limit does not disturb a normal handshake.
        let (c, s) = try_pair(client_config(), server_config("server"), "localhost").await;
        c.unwrap();
        s.unwrap();
    })
    .await
}

/// A handshake's timer is reused by the next handshake on the thread
/// (src/stream/deadline.rs): the next one still times out at its own limit,
/// counted from its own start, not at the finished handshake's deadline.
#[tokio::test]
async fn a_reused_handshake_timer_keeps_the_new_handshakes_limit() {
    timeout(async {
        let limit = Duration::from_millis(400);
        let connector = TlsConnector::from(client_config()).with_handshake_timeout(limit);
        let acceptor = TlsAcceptor::from(server_config("server")).with_handshake_timeout(limit);
        // A completed handshake on each side leaves its timer for reuse.
        let (a, b) = tokio::io::duplex(64 * 1024);
        let (c, s) = tokio::join!(connector.connect("localhost", a), acceptor.accept(b));
        drop((c.unwrap(), s.unwrap()));
        // Past half the old deadline, a handshake with a silent peer.
        tokio::time::sleep(Duration::from_millis(250)).await;
        let (_silent, io) = tokio::io::duplex(1024);
        let start = Instant::now();
        let e = connector.connect("localhost", io).await.unwrap_err();
        let took = start.elapsed();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut, "{e}");
        assert!(took >= limit && took < Duration::from_secs(5), "{took:?}");
        let (_silent, io) = tokio::io::duplex(1024);
        let start = Instant::now();
        let e = acceptor.accept(io).await.unwrap_err();
        let took = start.elapsed();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut, "{e}");
        assert!(took >= limit && took < Duration::from_secs(5), "{took:?}");
    })
    .await
}

/// Both sides time out after 10 s unless told otherwise.
#[tokio::test]
async fn default_handshake_timeouts() {
    let ten = Some(Duration::from_secs(10));
    let connector = TlsConnector::from(client_config());
    assert_eq!(connector.handshake_timeout(), ten);
    assert_eq!(
        connector.without_handshake_timeout().handshake_timeout(),
        None
    );
    let acceptor = TlsAcceptor::from(server_config("server"));
    assert_eq!(acceptor.handshake_timeout(), ten);
    let acceptor = acceptor.with_handshake_timeout(Duration::from_millis(100));
    assert_eq!(
        acceptor.handshake_timeout(),
        Some(Duration::from_millis(100))
    );
    // Without a limit a silent peer is waited for.
    let (_silent, io) = tokio::io::duplex(1024);
    let pending = acceptor.without_handshake_timeout().accept(io);
    assert!(tokio::time::timeout(Duration::from_millis(300), pending)
        .await
        .is_err());
}

//! Issue 10, record layer and message framing: what BoringSSL's runner
//! (BoGo) checks there, each case tested on the library without the runner.
//! The initial ClientHello's record version; warning alerts before a version
//! is chosen and their limit; handshake data left behind a message that ends
//! the peer's flight; the message type checked before its body; a plaintext
//! handshake record after the key change.
//!
//! Peers are our own client and server driven sans-IO; the tests cut, join
//! and insert records between them, as a misbehaving peer would.

mod support;

use std::sync::Arc;

use lctls::config::{ClientConfig, ServerConfig};
use lctls::proto::enums::{AlertDescription, NamedGroup, ProtocolVersion};
use lctls::proto::Connection;
use lctls::Error;
use support::*;

// ---------------------------------------------------------------- helpers

/// Splits a byte stream into (content type, version, payload) records.
fn records(mut bytes: &[u8]) -> Vec<(u8, u16, Vec<u8>)> {
    let mut out = Vec::new();
    while bytes.len() >= 5 {
        let len = u16::from_be_bytes([bytes[3], bytes[4]]) as usize;
        let version = u16::from_be_bytes([bytes[1], bytes[2]]);
        out.push((bytes[0], version, bytes[5..5 + len].to_vec()));
        bytes = &bytes[5 + len..];
    }
    assert!(bytes.is_empty(), "a record was cut");
    out
}

/// A record of type `typ` carrying `payload`, with version 0x0303.
fn record(typ: u8, payload: &[u8]) -> Vec<u8> {
    let mut rec = vec![typ, 3, 3];
    rec.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    rec.extend_from_slice(payload);
    rec
}

/// Joins records back into a byte stream.
fn join(recs: &[(u8, u16, Vec<u8>)]) -> Vec<u8> {
    recs.iter().flat_map(|(t, _, p)| record(*t, p)).collect()
}

fn only(versions: &[ProtocolVersion]) -> (Arc<ClientConfig>, Arc<ServerConfig>) {
    let cc = client_builder()
        .with_protocol_versions(versions)
        .build()
        .unwrap();
    let sc = server_builder("server")
        .with_protocol_versions(versions)
        .build()
        .unwrap();
    (Arc::new(cc), Arc::new(sc))
}

/// A client whose first share (X25519) the server does not take: the server
/// answers the first ClientHello with a HelloRetryRequest.
fn hrr_configs() -> (Arc<ClientConfig>, Arc<ServerConfig>) {
    let cc = client_builder()
        .with_groups(&[NamedGroup::X25519, NamedGroup::secp256r1])
        .build()
        .unwrap();
    let sc = server_builder("server")
        .with_groups(&[NamedGroup::secp256r1])
        .build()
        .unwrap();
    (Arc::new(cc), Arc::new(sc))
}

/// A fresh client and server, and the server's answer to the client's
/// first ClientHello, as records.
fn first_answer(
    cc: Arc<ClientConfig>,
    sc: Arc<ServerConfig>,
) -> (Connection, Vec<(u8, u16, Vec<u8>)>) {
    let mut client = sans_io_client(cc, "localhost");
    let mut server = Connection::new_server(sc);
    server.feed(&client.take_outgoing());
    server.process().expect("server takes the ClientHello");
    (client, records(&server.take_outgoing()))
}

/// The error `conn` stops with after `bytes`, and the alert it queued
/// (a plaintext alert record: its last byte).
fn fails_with(conn: &mut Connection, bytes: &[u8]) -> (Error, u8) {
    conn.feed(bytes);
    let e = conn
        .process()
        .expect_err("the peer's bytes must be refused");
    let out = conn.take_outgoing();
    let alert = *out.last().expect("an alert was queued");
    (e, alert)
}

fn excess(after: &str) -> Error {
    Error::unexpected(format!(
        "excess handshake data: more follows the {after} that ends the peer's flight"
    ))
}

// ------------------------------------------------- [D] record version

/// The initial ClientHello's records say 0x0301 (RFC 8446 5.1 allows it
/// there, and only there; BoGo's VersionNegotiation-Client* check it).
/// The second ClientHello after a HelloRetryRequest, the compatibility
/// change_cipher_spec and an alert before the ServerHello say 0x0303.
#[test]
fn only_the_initial_client_hello_says_0x0301() {
    for versions in [
        &[ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2][..],
        &[ProtocolVersion::TLSv1_2],
        &[ProtocolVersion::TLSv1_3],
    ] {
        let (cc, _) = only(versions);
        let mut client = sans_io_client(cc, "localhost");
        let first = client.take_outgoing();
        assert_eq!(&first[..3], &[0x16, 0x03, 0x01], "{versions:?}");
        assert!(records(&first).iter().all(|r| r.1 == 0x0301));
        // A malformed ServerHello: the client's alert says 0x0303.
        client.feed(&record(22, &[2, 0, 0, 1, 0]));
        client.process().unwrap_err();
        assert_eq!(&client.take_outgoing()[..], &[0x15, 3, 3, 0, 2, 2, 50]);
    }

    let (cc, sc) = hrr_configs();
    let mut client = sans_io_client(cc, "localhost");
    let mut server = Connection::new_server(sc);
    server.feed(&client.take_outgoing());
    server.process().unwrap();
    client.feed(&server.take_outgoing());
    client.process().unwrap();
    assert!(client.negotiated().retried);
    let second = records(&client.take_outgoing());
    assert!(second.iter().any(|r| r.0 == 22));
    assert!(second.iter().all(|r| r.1 == 0x0303), "{second:?}");
}

// ------------------------------------------------- [J], [F] warning alerts

/// A warning-level alert before the ServerHello (a server's unrecognized_name,
/// which RFC 6066 section 3 lets it send as a warning) is skipped: the
/// handshake goes on, with TLS 1.2 (BoGo's SendSNIWarningAlert) and 1.3.
#[test]
fn warning_alert_before_server_hello_is_skipped() {
    for versions in [&[ProtocolVersion::TLSv1_2][..], &[ProtocolVersion::TLSv1_3]] {
        let (cc, sc) = only(versions);
        let mut client = sans_io_client(cc, "localhost");
        let mut server = Connection::new_server(sc);
        let warning = [
            0x15,
            3,
            3,
            0,
            2,
            1,
            AlertDescription::UnrecognizedName.get(),
        ];
        client.feed(&warning);
        client
            .process()
            .expect("a warning before the ServerHello is skipped");
        drive_handshake(&mut client, &mut server);
        assert_eq!(client.negotiated().version, Some(versions[0]));
    }
}

/// Warning alerts (here user_canceled, before the ClientHello) pass four at
/// a time; the fifth in a row is refused (BoringSSL's limit; BoGo's
/// SendWarningAlerts-TooMany, SendUserCanceledAlerts-TooMany-TLS13).
#[test]
fn five_warning_alerts_in_a_row_are_refused() {
    let warning = [0x15u8, 3, 3, 0, 2, 1, AlertDescription::UserCanceled.get()];
    let mut client = sans_io_client(client_config(), "localhost");
    let mut server = Connection::new_server(server_config("server"));
    server.feed(&warning.repeat(4));
    server.process().expect("four warnings pass");
    drive_handshake(&mut client, &mut server);

    let mut server = Connection::new_server(server_config("server"));
    let (e, alert) = fails_with(&mut server, &warning.repeat(5));
    assert_eq!(
        e,
        Error::unexpected("too many warning alerts: the peer sent more than 4 in a row")
    );
    assert_eq!(alert, AlertDescription::UnexpectedMessage.get());
}

// ------------------------------------------------- [G] excess handshake data

/// A TLS 1.2 ClientHello followed, in its record, by the start of a
/// ClientKeyExchange: the client did not wait for our answer (BoGo's
/// PartialClientKeyExchangeWithClientHello). A whole extra message is
/// refused the same way.
#[test]
fn tls12_client_hello_must_end_its_record() {
    let (cc, sc) = only(&[ProtocolVersion::TLSv1_2]);
    for extra in [&[0x10u8, 0, 0, 0x21, 0x20][..], &[0x10, 0, 0, 1, 0]] {
        let mut client = sans_io_client(cc.clone(), "localhost");
        let mut recs = records(&client.take_outgoing());
        assert_eq!(recs.len(), 1);
        recs[0].2.extend_from_slice(extra);
        let mut server = Connection::new_server(sc.clone());
        let (e, alert) = fails_with(&mut server, &join(&recs));
        assert_eq!(e, excess("ClientHello"));
        assert_eq!(alert, AlertDescription::UnexpectedMessage.get());
    }
}

/// A first ClientHello that gets a HelloRetryRequest, followed in its
/// record by the start of a second one (BoGo's PartialSecondClientHelloAfterFirst).
#[test]
fn client_hello_before_a_retry_must_end_its_record() {
    let (cc, sc) = hrr_configs();
    let mut client = sans_io_client(cc, "localhost");
    let mut recs = records(&client.take_outgoing());
    recs[0].2.extend_from_slice(&[1, 0, 1, 0]);
    let mut server = Connection::new_server(sc);
    let (e, alert) = fails_with(&mut server, &join(&recs));
    assert_eq!(e, excess("ClientHello"));
    assert_eq!(alert, AlertDescription::UnexpectedMessage.get());
}

/// A HelloRetryRequest followed in its record by the start of a ServerHello
/// (BoGo's PartialServerHelloWithHelloRetryRequest).
#[test]
fn hello_retry_request_must_end_its_record() {
    let (cc, sc) = hrr_configs();
    let (mut client, mut recs) = first_answer(cc, sc);
    assert_eq!(recs[0].0, 22);
    recs[0].2.extend_from_slice(&[2, 0, 0, 0x40]);
    let (e, alert) = fails_with(&mut client, &join(&recs));
    assert_eq!(e, excess("ServerHello"));
    assert_eq!(alert, AlertDescription::UnexpectedMessage.get());
}

/// A TLS 1.2 ServerHelloDone followed in its record by the start of a
/// NewSessionTicket or of a Finished (BoGo's
/// PartialNewSessionTicketWithServerHelloDone, PartialFinishedWithServerHelloDone).
#[test]
fn server_hello_done_must_end_its_record() {
    let (cc, sc) = only(&[ProtocolVersion::TLSv1_2]);
    for extra in [&[4u8, 0, 0, 6, 0][..], &[20, 0, 0, 12, 1, 2]] {
        let (mut client, mut recs) = first_answer(cc.clone(), sc.clone());
        let last = recs.last_mut().unwrap();
        assert_eq!(
            last.2.last_chunk::<4>(),
            Some(&[14, 0, 0, 0]),
            "ServerHelloDone"
        );
        last.2.extend_from_slice(extra);
        let (e, alert) = fails_with(&mut client, &join(&recs));
        assert_eq!(e, excess("ServerHelloDone"));
        assert_eq!(alert, AlertDescription::UnexpectedMessage.get());
    }
}

/// A TLS 1.3 ServerHello followed, in plaintext and in its record, by
/// EncryptedExtensions: the message would span the key change (RFC 8446
/// section 5.1).
#[test]
fn server_hello_must_end_its_record() {
    let (mut client, mut recs) = first_answer(client_config(), server_config("server"));
    recs[0].2.extend_from_slice(&[8, 0, 0, 2, 0, 0]);
    let (e, alert) = fails_with(&mut client, &join(&recs[..1]));
    assert_eq!(
        e,
        Error::unexpected("handshake message straddles a key change")
    );
    assert_eq!(alert, AlertDescription::UnexpectedMessage.get());
}

// ------------------------------------------------- [M] type before body

/// A message of a type the state does not expect is unexpected_message,
/// even when its body is malformed too: the type is checked first.
#[test]
fn unexpected_type_is_refused_before_its_body_is_read() {
    // EncryptedExtensions with a truncated body, to a client expecting
    // ServerHello (the body alone would be decode_error).
    let mut client = sans_io_client(client_config(), "localhost");
    client.take_outgoing();
    let (e, alert) = fails_with(&mut client, &record(22, &[8, 0, 0, 1, 0xff]));
    assert_eq!(
        e,
        Error::unexpected("unexpected EncryptedExtensions while expecting ServerHello")
    );
    assert_eq!(alert, AlertDescription::UnexpectedMessage.get());

    // A KeyUpdate whose value is neither 0 nor 1 (illegal_parameter on its
    // own), to a server expecting ClientHello.
    let mut server = Connection::new_server(server_config("server"));
    let (e, alert) = fails_with(&mut server, &record(22, &[24, 0, 0, 1, 7]));
    assert_eq!(
        e,
        Error::unexpected("unexpected KeyUpdate while expecting ClientHello")
    );
    assert_eq!(alert, AlertDescription::UnexpectedMessage.get());

    // A truncated ServerKeyExchange, to a TLS 1.2 client expecting Certificate.
    let (cc, sc) = only(&[ProtocolVersion::TLSv1_2]);
    let (mut client, recs) = first_answer(cc, sc);
    client.feed(&join(&recs[..1]));
    client.process().expect("ServerHello");
    let (e, alert) = fails_with(&mut client, &record(22, &[12, 0, 0, 1, 3]));
    assert_eq!(
        e,
        Error::unexpected("unexpected ServerKeyExchange while expecting Certificate (TLS 1.2)")
    );
    assert_eq!(alert, AlertDescription::UnexpectedMessage.get());
}

// ------------------------------------------------- [M] plaintext after keys

/// EncryptedExtensions sent in the clear after the ServerHello: under the
/// handshake keys a handshake-typed record is opened as ciphertext and
/// fails, bad_record_mac (RFC 8446 section 5.2; BoGo's
/// UnencryptedEncryptedExtensions). The alert itself goes out protected.
#[test]
fn plaintext_handshake_record_after_the_key_change_is_bad_record_mac() {
    let (mut client, recs) = first_answer(client_config(), server_config("server"));
    let mut bytes = join(&recs[..1]);
    bytes.extend_from_slice(&record(22, &[8, 0, 0, 2, 0, 0]));
    client.feed(&bytes);
    assert_eq!(client.process(), Err(Error::BadRecordMac));
    assert_eq!(
        Error::BadRecordMac.alert(),
        Some(AlertDescription::BadRecordMac)
    );
    assert!(client.outgoing_len() > 0, "the alert was queued");
}

/// TLS 1.2: the start of a message left in the buffer when the peer's
/// ChangeCipherSpec switches the read keys is refused the same way.
#[test]
fn tls12_message_must_not_span_change_cipher_spec() {
    let (cc, sc) = only(&[ProtocolVersion::TLSv1_2]);
    let mut client = sans_io_client(cc, "localhost");
    let mut server = Connection::new_server(sc);
    server.feed(&client.take_outgoing());
    server.process().unwrap();
    client.feed(&server.take_outgoing());
    client.process().unwrap();
    // ClientKeyExchange, ChangeCipherSpec, Finished (protected).
    let mut flight = records(&client.take_outgoing());
    assert_eq!((flight[0].0, flight[1].0), (22, 20));
    flight[0].2.extend_from_slice(&[20, 0, 0]);
    let (e, alert) = fails_with(&mut server, &join(&flight[..2]));
    assert_eq!(
        e,
        Error::unexpected("handshake message straddles ChangeCipherSpec")
    );
    assert_eq!(alert, AlertDescription::UnexpectedMessage.get());
}

// ------------------------------------------- client certificate types

/// Our TLS 1.2 client's Certificate message after a server flight whose
/// CertificateRequest lists only `types` (rewritten in the plaintext
/// flight): the certificate_list length of that message.
fn client_certificate_len_for(types: &[u8]) -> usize {
    use lctls::pki::DefaultClientVerifier;
    let cc = client_builder()
        .with_protocol_versions(&[ProtocolVersion::TLSv1_2])
        .with_client_cert(certified_key("client", "client.key"))
        .build()
        .unwrap();
    let sc = server_builder("server")
        .with_protocol_versions(&[ProtocolVersion::TLSv1_2])
        .with_client_cert_verifier(Arc::new(DefaultClientVerifier::new(roots())))
        .build()
        .unwrap();
    let (mut client, recs) = first_answer(Arc::new(cc), Arc::new(sc));
    // Re-frame the flight as one message per record, editing the request.
    let mut out = Vec::new();
    for (typ, version, payload) in recs {
        if typ != 22 {
            out.push((typ, version, payload));
            continue;
        }
        let mut rest = &payload[..];
        while rest.len() >= 4 {
            let len = u32::from_be_bytes([0, rest[1], rest[2], rest[3]]) as usize;
            let (msg, tail) = rest.split_at(4 + len);
            rest = tail;
            let mut msg = msg.to_vec();
            if msg[0] == 13 {
                let n = usize::from(msg[4]);
                assert_eq!(
                    &msg[5..5 + n],
                    &[1, 64],
                    "we ask for rsa_sign and ecdsa_sign"
                );
                let mut body = vec![types.len() as u8];
                body.extend_from_slice(types);
                body.extend_from_slice(&msg[5 + n..]);
                msg = vec![13];
                msg.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
                msg.extend_from_slice(&body);
            }
            out.push((typ, version, msg));
        }
    }
    client.feed(&join(&out));
    client.process().expect("the client answers the flight");
    let answer = records(&client.take_outgoing());
    let (typ, _, cert) = &answer[0];
    assert_eq!(
        (*typ, cert[0]),
        (22, 11),
        "the client's flight starts with Certificate"
    );
    u32::from_be_bytes([0, cert[4], cert[5], cert[6]]) as usize
}

/// RFC 5246 7.4.6: the client's certificate "MUST be compatible with the
/// certificate types listed in CertificateRequest", and without a suitable
/// one the client sends an empty Certificate. Our ECDSA client certificate
/// goes out for ecdsa_sign, and not for a request that lists only rsa_sign
/// (BoGo's CheckClientCertificateTypes; BoringSSL fails the handshake
/// there instead, which RFC 5246 does not ask for).
#[test]
fn tls12_client_certificate_must_fit_the_certificate_types() {
    assert!(client_certificate_len_for(&[64]) > 0);
    assert!(client_certificate_len_for(&[1, 64]) > 0);
    assert_eq!(client_certificate_len_for(&[1]), 0);
}

// ------------------------------------------- compatibility CCS

/// The TLS 1.3 server sends its one compatibility change_cipher_spec right
/// after its first message (ServerHello, or HelloRetryRequest), also when
/// the client's legacy_session_id is empty (BoGo's EmptySessionID-TLS13:
/// RFC 8446 section 5 lets it come at any point of the handshake).
#[test]
fn server_sends_the_compatibility_ccs_for_an_empty_session_id() {
    for (cc, sc) in [only(&[ProtocolVersion::TLSv1_3]), hrr_configs()] {
        let mut client = sans_io_client(cc, "localhost");
        let first = client.take_outgoing();
        let recs = records(&first);
        let mut ch = forge::decode_hello(&recs[0].2);
        ch.session_id = Vec::new();
        let mut server = Connection::new_server(sc);
        server.feed(&forge::handshake_record(&forge::encode_hello(ch)));
        server.process().expect("server takes the ClientHello");
        let answer = records(&server.take_outgoing());
        assert_eq!(answer[0].0, 22, "ServerHello or HelloRetryRequest first");
        assert_eq!(
            (answer[1].0, &answer[1].2[..]),
            (20, &[1u8][..]),
            "then CCS"
        );
        assert_eq!(answer.iter().filter(|r| r.0 == 20).count(), 1);
    }
}

// ------------------------------------------- group choice

/// The server takes its most preferred group that the client supports, with
/// a HelloRetryRequest when the client predicted another (BoGo's
/// SendHelloRetryRequest-2-TLS13); a prediction of that group is taken
/// without one.
#[test]
fn server_chooses_its_preferred_group_even_when_not_predicted() {
    let sc = server_with("server", |b| {
        b.with_groups(&[NamedGroup::X25519, NamedGroup::secp256r1])
    });
    for (client_groups, retried) in [
        (&[NamedGroup::secp256r1, NamedGroup::X25519][..], true),
        (&[NamedGroup::X25519, NamedGroup::secp256r1], false),
        (&[NamedGroup::secp256r1], false),
    ] {
        let cc = client_with(|b| b.with_groups(client_groups));
        let mut client = sans_io_client(cc, "localhost");
        let mut server = Connection::new_server(sc.clone());
        drive_handshake(&mut client, &mut server);
        let want = if client_groups.contains(&NamedGroup::X25519) {
            NamedGroup::X25519
        } else {
            NamedGroup::secp256r1
        };
        assert_eq!(client.negotiated().group, Some(want), "{client_groups:?}");
        assert_eq!(client.negotiated().retried, retried, "{client_groups:?}");
    }
}

/// A byte after the ClientHello's extensions, inside the message, is
/// decode_error for both versions' servers (BoGo's
/// TrailingMessageData-ClientHello-TLS, -TLS13-ClientHello-TLS).
#[test]
fn client_hello_with_trailing_bytes_is_decode_error() {
    for versions in [&[ProtocolVersion::TLSv1_2][..], &[ProtocolVersion::TLSv1_3]] {
        let (cc, sc) = only(versions);
        let mut client = sans_io_client(cc, "localhost");
        let recs = records(&client.take_outgoing());
        let mut msg = recs[0].2.clone();
        msg.push(0);
        let len = (msg.len() - 4) as u32;
        msg[1..4].copy_from_slice(&len.to_be_bytes()[1..]);
        let mut server = Connection::new_server(sc);
        let (e, alert) = fails_with(&mut server, &forge::handshake_record(&msg));
        assert_eq!(alert, AlertDescription::DecodeError.get());
        assert_eq!(
            e,
            Error::decode("trailing bytes after the ClientHello's extensions")
        );
    }
}

/// After a HelloRetryRequest the ServerHello must keep TLS 1.3: one without
/// supported_versions, or with another version, is illegal_parameter
/// (BoGo's SecondServerHelloNoVersion-TLS13, SecondServerHelloWrongVersion-TLS13).
#[test]
fn server_hello_after_a_retry_keeps_tls13() {
    use lctls::unstable_internals::HandshakeMessage;
    for version in [None, Some(ProtocolVersion::from(0x1234))] {
        let (cc, sc) = hrr_configs();
        let mut client = sans_io_client(cc, "localhost");
        let mut server = Connection::new_server(sc);
        server.feed(&client.take_outgoing());
        server.process().unwrap();
        client.feed(&server.take_outgoing());
        client.process().unwrap();
        assert!(client.negotiated().retried);
        server.feed(&client.take_outgoing());
        server.process().unwrap();
        let recs = records(&server.take_outgoing());
        let HandshakeMessage::ServerHello(mut sh) = HandshakeMessage::decode(&recs[0].2).unwrap()
        else {
            panic!("no ServerHello");
        };
        sh.extensions.selected_version = version;
        let msg = HandshakeMessage::ServerHello(sh).to_bytes().unwrap();
        let (e, alert) = fails_with(&mut client, &forge::handshake_record(&msg));
        assert_eq!(alert, AlertDescription::IllegalParameter.get(), "{e}");
        assert!(
            e.to_string()
                .contains("the ServerHello after a HelloRetryRequest selects version"),
            "{e}"
        );
    }
}

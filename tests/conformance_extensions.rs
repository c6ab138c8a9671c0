//! Issue 10, extensions and hello checks (the cases BoringSSL's runner
//! found): answers to extensions a client never sent, duplicate
//! extensions, point formats, the TLS 1.3 compatibility session ID echoed
//! by a TLS 1.2 server, a TLS 1.2 ClientHello without supported_groups,
//! compress_certificate lists, ClientHello legacy_version and size, and a
//! TLS 1.3 CertificateRequest for a verifier with only PKCS#1 v1.5 schemes.
//!
//! Each test feeds crafted messages to a sans-IO `Connection` (our own
//! client or server) and asserts the exact alert.

mod support;

use std::sync::Arc;

use lctls::config::{ClientConfig, ServerConfig};
use lctls::pki::{
    CertificateDer, CertificateError, ClientCertVerifier, DefaultClientVerifier, UnixTime,
};
use lctls::proto::enums::{
    AlertDescription, CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme,
};
use lctls::proto::Connection;
use lctls::unstable_internals::{
    ClientHello, HandshakeMessage, ServerHello, ServerHelloExtensions, HRR_RANDOM,
};
use lctls::Error;
use support::forge::*;
use support::*;

const TLS12: &[ProtocolVersion] = &[ProtocolVersion::TLSv1_2];

// ------------------------------------------------------------ helpers

/// A client for `versions` offering only X25519 (the forged TLS 1.3
/// server's group), optionally with ALPN.
fn client(versions: &[ProtocolVersion], alpn: &[&str]) -> Arc<ClientConfig> {
    client_with(|b| {
        b.with_protocol_versions(versions)
            .with_groups(&[NamedGroup::X25519])
            .with_alpn_protocols(alpn)
    })
}

/// The ClientHello a client just wrote.
fn sent_hello(c: &mut Connection) -> ClientHello {
    decode_hello(&plain_handshakes(&c.take_outgoing()).remove(0))
}

/// A TLS 1.2 ServerHello answering `ch` (a fresh session ID), with `ext`.
fn sh12(ext: ServerHelloExtensions) -> Vec<u8> {
    HandshakeMessage::ServerHello(ServerHello {
        legacy_version: ProtocolVersion::TLSv1_2.get(),
        random: [0x22; 32],
        session_id: vec![9; 32],
        cipher_suite: CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        compression_method: 0,
        extensions: ext,
    })
    .to_bytes()
    .unwrap()
}

/// The extensions a TLS 1.2 server answers a TLS 1.2 ClientHello with.
fn ext12() -> ServerHelloExtensions {
    ServerHelloExtensions {
        extended_master_secret: true,
        renegotiation_info: Some(Vec::new()),
        ec_point_formats: Some(vec![0]),
        ..Default::default()
    }
}

/// A client's verdict on the plaintext ServerHello (or HelloRetryRequest)
/// `sh` makes from its ClientHello, and what it wrote; `name` "127.0.0.1"
/// sends no SNI.
fn client_verdict_on(
    cc: Arc<ClientConfig>,
    name: &'static str,
    sh: impl FnOnce(&ClientHello) -> Vec<u8>,
) -> (Result<(), Error>, Vec<u8>) {
    let mut c = sans_io_client(cc, name);
    let ch = sent_hello(&mut c);
    c.feed(&handshake_record(&sh(&ch)));
    let r = c.process();
    (r, c.take_outgoing().to_vec())
}

/// A TLS 1.3 client's verdict on a forged server flight: the ServerHello
/// edited by `edit_sh`, then `messages` encrypted.
fn client13_verdict(
    alpn: &[&str],
    name: &'static str,
    edit_sh: impl FnOnce(Vec<u8>) -> Vec<u8>,
    messages: &[Vec<u8>],
) -> Result<(), Error> {
    let mut c = sans_io_client(client(&[ProtocolVersion::TLSv1_3], alpn), name);
    let flight = forged_server_flight_with(&c.take_outgoing(), edit_sh, messages);
    c.feed(&flight);
    c.process()
}

/// EncryptedExtensions holding `exts` (type, body).
fn encrypted_extensions(exts: &[(u16, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (typ, b) in exts {
        body.extend_from_slice(&typ.to_be_bytes());
        body.extend_from_slice(&(b.len() as u16).to_be_bytes());
        body.extend_from_slice(b);
    }
    let mut msg = vec![8, 0, 0, body.len() as u8 + 2];
    msg.extend_from_slice(&(body.len() as u16).to_be_bytes());
    msg.extend_from_slice(&body);
    msg
}

/// ALPN body selecting "h2".
const ALPN_H2: &[u8] = &[0, 3, 2, b'h', b'2'];

/// A 1.3 + 1.2 server (the default).
fn server() -> Arc<ServerConfig> {
    server_config("server")
}

/// A TLS 1.2-only server.
fn server12() -> Arc<ServerConfig> {
    server_with("server", |b| b.with_protocol_versions(TLS12))
}

/// A real client's ClientHello for `versions` (encoded).
fn real_hello(versions: &[ProtocolVersion]) -> Vec<u8> {
    let cc = client_builder()
        .with_protocol_versions(versions)
        .build()
        .unwrap();
    let mut c = sans_io_client(Arc::new(cc), "localhost");
    plain_handshakes(&c.take_outgoing()).remove(0)
}

/// A server's verdict on the encoded ClientHello `msg`, and what it wrote.
fn serve(sc: Arc<ServerConfig>, msg: &[u8]) -> (Result<(), Error>, Vec<u8>) {
    let mut s = Connection::new_server(sc);
    s.feed(&handshake_records(msg));
    let r = s.process();
    (r, s.take_outgoing().to_vec())
}

// ------------------------------------- unsolicited extensions (client)

/// UnsolicitedServerNameAck-TLS-TLS12: no SNI sent (an IP address), yet the
/// ServerHello acknowledges server_name.
#[test]
fn tls12_unsolicited_server_name_ack_is_unsupported_extension() {
    let (r, out) = client_verdict_on(client(TLS12, &[]), "127.0.0.1", |_| {
        sh12(ServerHelloExtensions {
            server_name_ack: true,
            ..ext12()
        })
    });
    assert_alert(r, AlertDescription::UnsupportedExtension);
    assert_eq!(out, plain_fatal_alert(110));
    // The control: with SNI sent, the acknowledgement is fine.
    let (r, _) = client_verdict_on(client(TLS12, &[]), "localhost", |_| {
        sh12(ServerHelloExtensions {
            server_name_ack: true,
            ..ext12()
        })
    });
    r.expect("an acknowledged SNI");
}

/// UnsolicitedServerNameAck-TLS-TLS13: the same in EncryptedExtensions.
#[test]
fn tls13_unsolicited_server_name_ack_is_unsupported_extension() {
    let ee = encrypted_extensions(&[(0, &[])]);
    let r = client13_verdict(&[], "127.0.0.1", |sh| sh, std::slice::from_ref(&ee));
    assert_alert(r, AlertDescription::UnsupportedExtension);
    client13_verdict(&[], "localhost", |sh| sh, &[ee]).expect("an acknowledged SNI");
}

/// UnofferedExtension-Client: an ALPN answer when we offered none is
/// unsupported_extension (it was illegal_parameter); a protocol we did not
/// list, when we offered ALPN, stays illegal_parameter.
#[test]
fn tls12_unoffered_alpn_is_unsupported_extension() {
    let with_alpn = || {
        sh12(ServerHelloExtensions {
            alpn: Some(b"h2".to_vec()),
            ..ext12()
        })
    };
    let (r, out) = client_verdict_on(client(TLS12, &[]), "localhost", |_| with_alpn());
    assert_alert(r, AlertDescription::UnsupportedExtension);
    assert_eq!(out, plain_fatal_alert(110));
    let (r, _) = client_verdict_on(client(TLS12, &["http/1.1"]), "localhost", |_| with_alpn());
    assert_alert(r, AlertDescription::IllegalParameter);
    let (r, _) = client_verdict_on(client(TLS12, &["h2"]), "localhost", |_| with_alpn());
    r.expect("an offered protocol");
}

/// UnofferedExtension-Client-TLS13: the same in EncryptedExtensions.
#[test]
fn tls13_unoffered_alpn_is_unsupported_extension() {
    let ee = encrypted_extensions(&[(16, ALPN_H2)]);
    let r = client13_verdict(&[], "localhost", |sh| sh, std::slice::from_ref(&ee));
    assert_alert(r, AlertDescription::UnsupportedExtension);
    let r = client13_verdict(
        &["http/1.1"],
        "localhost",
        |sh| sh,
        std::slice::from_ref(&ee),
    );
    assert_alert(r, AlertDescription::IllegalParameter);
    client13_verdict(&["h2"], "localhost", |sh| sh, &[ee]).expect("an offered protocol");
}

/// A TLS 1.2-only client sends no supported_versions; a ServerHello
/// carrying it answers nothing we asked.
#[test]
fn tls12_client_refuses_supported_versions_answer() {
    let (r, _) = client_verdict_on(client(TLS12, &[]), "localhost", |_| {
        sh12(ServerHelloExtensions {
            selected_version: Some(ProtocolVersion::TLSv1_2),
            ..ext12()
        })
    });
    assert_alert(r, AlertDescription::UnsupportedExtension);
}

/// SupportedCurves-ServerHello-TLS12: supported_groups in a TLS 1.2
/// ServerHello is undefined but sent by some servers; we offered the
/// extension, so it is tolerated (as BoringSSL does). A TLS 1.3 ServerHello
/// may not carry it.
#[test]
fn supported_groups_in_server_hello() {
    let groups: &[u8] = &[0, 2, 0, 29];
    let (r, _) = client_verdict_on(client(TLS12, &[]), "localhost", |_| {
        with_extension(&sh12(ext12()), 10, groups)
    });
    r.expect("supported_groups tolerated in a TLS 1.2 ServerHello");
    let r = client13_verdict(&[], "localhost", |sh| with_extension(&sh, 10, groups), &[]);
    assert_alert(r, AlertDescription::UnsupportedExtension);
}

/// DuplicateExtensionClient-TLS-*: an extension type twice in a ServerHello
/// is decode_error, even for a type whose single copy would be
/// unsupported_extension.
#[test]
fn duplicate_server_hello_extension_is_decode_error() {
    let twice = |sh: &[u8], typ: u16| {
        edit_extensions(sh, |e| {
            e.push((typ, Vec::new()));
            e.push((typ, Vec::new()));
        })
    };
    for typ in [0xffff, 23] {
        let (r, out) = client_verdict_on(client(TLS12, &[]), "localhost", |_| {
            twice(&sh12(ServerHelloExtensions::default()), typ)
        });
        assert_alert(r, AlertDescription::DecodeError);
        assert_eq!(out, plain_fatal_alert(50));
    }
    let r = client13_verdict(&[], "localhost", |sh| twice(&sh, 0xffff), &[]);
    assert_alert(r, AlertDescription::DecodeError);
    // The same in EncryptedExtensions.
    let ee = encrypted_extensions(&[(0xffff, &[]), (0xffff, &[])]);
    let r = client13_verdict(&[], "localhost", |sh| sh, &[ee]);
    assert_alert(r, AlertDescription::DecodeError);
}

/// HelloRetryRequest-Duplicate{Curve,Cookie}-TLS13: in a HelloRetryRequest
/// a repeated extension is a parameter given twice, illegal_parameter (as
/// BoringSSL answers), unlike in the hellos.
#[test]
fn duplicate_hello_retry_request_extension_is_illegal() {
    let hrr = |ch: &ClientHello| {
        HandshakeMessage::ServerHello(ServerHello {
            legacy_version: ProtocolVersion::TLSv1_2.get(),
            random: HRR_RANDOM,
            session_id: ch.session_id.clone(),
            cipher_suite: CipherSuite::TLS13_AES_128_GCM_SHA256,
            compression_method: 0,
            extensions: ServerHelloExtensions {
                selected_version: Some(ProtocolVersion::TLSv1_3),
                selected_group: Some(NamedGroup::secp256r1),
                ..Default::default()
            },
        })
        .to_bytes()
        .unwrap()
    };
    let cc = || {
        client_with(|b| {
            b.with_protocol_versions(&[ProtocolVersion::TLSv1_3])
                .with_groups(&[NamedGroup::X25519, NamedGroup::secp256r1])
        })
    };
    let (r, _) = client_verdict_on(cc(), "localhost", hrr);
    r.expect("a sound HelloRetryRequest");
    for (typ, body) in [(51u16, &[0u8, 23][..]), (44, &[0, 1, 7])] {
        let (r, _) = client_verdict_on(cc(), "localhost", |ch| {
            edit_extensions(&hrr(ch), |e| {
                e.push((typ, body.to_vec()));
                e.push((typ, body.to_vec()));
            })
        });
        assert_alert(r, AlertDescription::IllegalParameter);
    }
}

/// TLS13-InvalidCompressionMethod, TLS13-HRR-InvalidCompressionMethod: in
/// TLS 1.3 legacy_compression_method "MUST have the value 0" (RFC 8446
/// 4.1.3), a field out of its range: decode_error (section 6.2), in a
/// ServerHello and in a HelloRetryRequest.
#[test]
fn tls13_server_hello_with_compression_is_decode_error() {
    for random in [HRR_RANDOM, [0x33; 32]] {
        let cc = client_with(|b| {
            b.with_protocol_versions(&[ProtocolVersion::TLSv1_3])
                .with_groups(&[NamedGroup::X25519, NamedGroup::secp256r1])
        });
        let (r, _) = client_verdict_on(cc, "localhost", |ch| {
            HandshakeMessage::ServerHello(ServerHello {
                legacy_version: ProtocolVersion::TLSv1_2.get(),
                random,
                session_id: ch.session_id.clone(),
                cipher_suite: CipherSuite::TLS13_AES_128_GCM_SHA256,
                compression_method: 1,
                extensions: ServerHelloExtensions {
                    selected_version: Some(ProtocolVersion::TLSv1_3),
                    selected_group: Some(NamedGroup::secp256r1),
                    ..Default::default()
                },
            })
            .to_bytes()
            .unwrap()
        });
        assert_alert(r, AlertDescription::DecodeError);
    }
}

// ------------------------------------------------- lenient parsing (client)

/// PointFormat-Client-MissingUncompressed: RFC 8422 section 5.1.2 makes the
/// uncompressed format mandatory.
#[test]
fn server_point_formats_without_uncompressed_are_illegal() {
    for (formats, alert) in [
        (vec![1], AlertDescription::IllegalParameter),
        (vec![], AlertDescription::DecodeError),
    ] {
        let (r, _) = client_verdict_on(client(TLS12, &[]), "localhost", |_| {
            sh12(ServerHelloExtensions {
                ec_point_formats: Some(formats),
                ..ext12()
            })
        });
        assert_alert(r, alert);
    }
    let (r, _) = client_verdict_on(client(TLS12, &[]), "localhost", |_| {
        sh12(ServerHelloExtensions {
            ec_point_formats: Some(vec![42, 0, 2]),
            ..ext12()
        })
    });
    r.expect("unknown formats beside uncompressed are tolerated");
}

/// EchoTLS13CompatibilitySessionID: a 1.3 + 1.2 client sends a random
/// session ID (no session to resume); a TLS 1.2 ServerHello echoing it
/// claims to resume a session that does not exist.
#[test]
fn tls12_echo_of_compat_session_id_is_illegal() {
    let both = &[ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2];
    let (r, out) = client_verdict_on(client(both, &[]), "localhost", |ch| {
        assert_eq!(ch.session_id.len(), 32);
        let mut sh = sh12(ext12());
        // legacy_session_id_echo follows the header, version and random.
        sh[4 + 2 + 32 + 1..4 + 2 + 32 + 1 + 32].copy_from_slice(&ch.session_id);
        sh
    });
    let e = assert_alert(r, AlertDescription::IllegalParameter);
    assert!(e.to_string().contains("compatibility session ID"), "{e}");
    assert_eq!(out, plain_fatal_alert(47));
    // The control: another session ID starts a full handshake.
    let (r, _) = client_verdict_on(client(both, &[]), "localhost", |_| sh12(ext12()));
    r.expect("a fresh session ID");
}

// ------------------------------------------------- ClientHello (server)

/// DuplicateExtensionServer-TLS-*: an extension type twice in a ClientHello
/// is decode_error, for an unknown type as for a known one.
#[test]
fn duplicate_client_hello_extension_is_decode_error() {
    for versions in [TLS12, &[ProtocolVersion::TLSv1_3][..]] {
        for typ in [0xffff, 23] {
            let ch = edit_extensions(&real_hello(versions), |e| {
                e.insert(0, (typ, Vec::new()));
                e.insert(0, (typ, Vec::new()));
            });
            let (r, out) = serve(server(), &ch);
            assert_alert(r, AlertDescription::DecodeError);
            assert_eq!(out, plain_fatal_alert(50));
        }
    }
}

/// DuplicateCertCompressionExt-*: we compress no certificates, but a
/// compress_certificate list naming an algorithm twice (or malformed) is
/// decode_error; a sound list is ignored.
#[test]
fn compress_certificate_list_is_checked() {
    for versions in [TLS12, &[ProtocolVersion::TLSv1_3][..]] {
        let hello = real_hello(versions);
        for (body, ok) in [
            (&[4u8, 0, 1, 0, 2][..], true),
            (&[4, 0, 1, 0, 1], false),
            (&[0], false),
            (&[3, 0, 1, 0], false),
        ] {
            let (r, out) = serve(server(), &with_extension(&hello, 27, body));
            if ok {
                r.expect("a sound compress_certificate list");
            } else {
                assert_alert(r, AlertDescription::DecodeError);
                assert_eq!(out, plain_fatal_alert(50));
            }
        }
    }
}

/// NoSupportedCurves: a TLS 1.2 ClientHello offering ECDHE suites but no
/// supported_groups; we do not guess a curve (handshake_failure, as
/// BoringSSL and rustls answer).
#[test]
fn tls12_client_hello_without_supported_groups_fails() {
    let mut ch = decode_hello(&real_hello(TLS12));
    ch.extensions.supported_groups = None;
    let (r, out) = serve(server12(), &encode_hello(ch));
    assert_alert(r, AlertDescription::HandshakeFailure);
    assert_eq!(out, plain_fatal_alert(40));
}

/// Issue 10 policy: legacy_version below TLS 1.0 is protocol_version even
/// when supported_versions offers TLS 1.3 (as OpenSSL does).
#[test]
fn client_hello_below_tls10_is_protocol_version() {
    for legacy in [0x0300u16, 0x0200, 0x0000] {
        let mut ch = decode_hello(&real_hello(&[ProtocolVersion::TLSv1_3]));
        ch.legacy_version = legacy;
        let (r, out) = serve(server(), &encode_hello(ch));
        assert_eq!(
            r,
            Err(Error::UnsupportedVersion(format!(
                "ClientHello legacy_version 0x{legacy:04x} is below TLS 1.0"
            )))
        );
        assert_eq!(out, plain_fatal_alert(70));
    }
    // TLS 1.0 as legacy_version is what some TLS 1.3 clients send: fine.
    let mut ch = decode_hello(&real_hello(&[ProtocolVersion::TLSv1_3]));
    ch.legacy_version = 0x0301;
    serve(server(), &encode_hello(ch))
        .0
        .expect("TLS 1.0 legacy_version");
}

/// Issue 10 policy: every valid ClientHello is admitted whatever its size.
/// 32,715 signature schemes take a TLS 1.3 ClientHello past 64 KiB, which
/// still bounds every other handshake message.
#[test]
fn client_hello_past_64_kib_is_admitted() {
    let mut ch = decode_hello(&real_hello(&[ProtocolVersion::TLSv1_3]));
    // The X25519 share alone: the default hybrid share's 1.2 KB would take
    // the extensions block past its 16-bit length.
    if let Some(k) = ch.extensions.key_shares.as_mut() {
        k.retain(|s| s.group == NamedGroup::X25519);
    }
    // Unknown code points first (distinct, none of them real), ours last.
    let mut schemes: Vec<SignatureScheme> = (0..32_714u16)
        .map(|i| SignatureScheme::from(0x1000 + i))
        .collect();
    schemes.push(SignatureScheme::ECDSA_NISTP256_SHA256);
    ch.extensions.signature_algorithms = Some(schemes);
    let msg = encode_hello(ch);
    assert!(msg.len() > 64 * 1024 + 4, "{}", msg.len());
    let mut s = Connection::new_server(server());
    s.feed(&handshake_records(&msg));
    s.process().expect("a 64 KiB+ ClientHello is valid");
    let out = s.take_outgoing();
    assert_eq!(
        &plain_handshakes(&out)[0][..1],
        &[2],
        "the server answers with a ServerHello"
    );
}

// ---------------------------------------- CertificateRequest (server)

/// A client verifier accepting only PKCS#1 v1.5 schemes, which TLS 1.3
/// does not sign handshakes with: its TLS 1.3 list is empty.
#[derive(Debug)]
struct Pkcs1Only(DefaultClientVerifier);

impl ClientCertVerifier for Pkcs1Only {
    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<(), CertificateError> {
        self.0.verify_client_cert(end_entity, intermediates, now)
    }
    fn client_auth_mandatory(&self) -> bool {
        true
    }
    fn root_subjects(&self) -> Vec<Vec<u8>> {
        self.0.root_subjects()
    }
    fn supported_schemes(&self) -> Vec<SignatureScheme> {
        Vec::new()
    }
    fn supported_schemes_tls12(&self) -> Vec<SignatureScheme> {
        vec![SignatureScheme::RSA_PKCS1_SHA256]
    }
}

/// A TLS 1.3 handshake between a server with a [`Pkcs1Only`] client
/// verifier and a client presenting `cert`/`key`: the server's verdict on
/// the client's answer to its CertificateRequest.
fn pkcs1_only_server_verdict(cert: &str, key: &str) -> Result<(), Error> {
    let sc = Arc::new(
        server_builder("server")
            .with_protocol_versions(&[ProtocolVersion::TLSv1_3])
            .with_client_cert_verifier(Arc::new(Pkcs1Only(DefaultClientVerifier::new(roots()))))
            .build()
            .unwrap(),
    );
    let cc = client_with(|b| {
        b.with_protocol_versions(&[ProtocolVersion::TLSv1_3])
            .with_client_cert(certified_key(cert, key))
    });
    let mut c = sans_io_client(cc, "localhost");
    let mut s = Connection::new_server(sc);
    s.feed(&c.take_outgoing());
    s.process().unwrap();
    c.feed(&s.take_outgoing());
    c.process()
        .expect("the client decodes the CertificateRequest and answers it");
    s.feed(&c.take_outgoing());
    s.process()
}

/// Server-Verify-RSA_PKCS1_*-TLS13: the CertificateRequest of such a
/// verifier lists its PKCS#1 v1.5 schemes instead of nothing (an empty
/// list cannot be decoded). Our client decodes it, finds no TLS 1.3 scheme
/// its key can sign with, sends no certificate, and the server answers
/// certificate_required, where the client used to fail on a decode_error.
#[test]
fn tls13_certificate_request_is_never_empty() {
    let r = pkcs1_only_server_verdict("client", "client.key");
    assert_alert(r, AlertDescription::CertificateRequired);
}

/// A client whose configured RSA certificate fits the server's list only by
/// TLS 1.2's rules (PKCS#1 v1.5 schemes, which TLS 1.3 does not sign
/// handshakes with, RFC 8446 4.2.3) has no suitable certificate, so it
/// "MUST send a Certificate message containing no certificates" (4.4.2.3);
/// this server requires one and answers certificate_required. (BoGo's
/// Client-SignDefault-RSA_PKCS1_*-TLS13 want the client to fail instead:
/// the shim's resolver offers such a key anyway, as BoringSSL's does, and
/// the handshake then fails with handshake_failure.)
#[test]
fn tls13_client_with_no_usable_scheme_for_its_certificate_sends_none() {
    let r = pkcs1_only_server_verdict("server-rsa", "server-rsa.key");
    assert_alert(r, AlertDescription::CertificateRequired);
}

// ------------------------------------------ server_name ack (TLS 1.2 server)

/// The ServerHello (first message) a server wrote.
fn server_hello_of(out: &[u8]) -> ServerHello {
    match HandshakeMessage::decode(&plain_handshakes(out)[0]).unwrap() {
        HandshakeMessage::ServerHello(sh) => sh,
        other => panic!("expected a ServerHello, got {other:?}"),
    }
}

/// ServerNameExtensionServer-TLS-TLS12: a TLS 1.2 server acknowledges the
/// name it was given on a full handshake (RFC 6066 section 3 "SHALL
/// include"), not without SNI, and not when it resumes ("MUST NOT").
#[test]
fn tls12_server_acknowledges_server_name_on_full_handshakes_only() {
    let sc = server12();
    let cc = client_with(|b| b.with_protocol_versions(TLS12));
    for (name, ack) in [("localhost", true), ("127.0.0.1", false)] {
        let mut c = sans_io_client(cc.clone(), name);
        let mut s = Connection::new_server(sc.clone());
        s.feed(&c.take_outgoing());
        s.process().unwrap();
        let out = s.take_outgoing();
        assert_eq!(
            server_hello_of(&out).extensions.server_name_ack,
            ack,
            "{name}"
        );
        c.feed(&out);
        c.process().unwrap();
        drive_handshake(&mut c, &mut s);
    }
    // The client now holds a session for localhost; the server resumes it.
    let mut c = sans_io_client(cc, "localhost");
    let mut s = Connection::new_server(sc);
    s.feed(&c.take_outgoing());
    s.process().unwrap();
    assert!(s.negotiated().resumed, "{:?}", s.negotiated());
    let sh = server_hello_of(&s.take_outgoing());
    assert!(!sh.extensions.server_name_ack);
}

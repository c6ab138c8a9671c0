//! TLS 1.2 refusals: each test asserts the exact error and the alert sent.
//! Where a real peer cannot produce the case, raw hellos are built from
//! `lctls::unstable_internals` and fed to a sans-IO `Connection`.

mod common;

use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use lctls::config::{CertifiedKey, ClientConfig, ServerConfig};
use lctls::pki::{RootStore, ServerName};
use lctls::proto::enums::{
    AlertDescription, CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme,
};
use lctls::proto::Connection;
use lctls::unstable_internals::{
    ClientExtensions, ClientHello, Handshake12, MasterSecret12, ServerHello, ServerHelloExtensions,
    DOWNGRADE_TLS11, DOWNGRADE_TLS12, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 as SUITE_128,
};
use lctls::{Error, TlsAcceptor, TlsConnector};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const TEST_TIMEOUT: Duration = Duration::from_secs(30);
const TLS12: &[ProtocolVersion] = &[ProtocolVersion::TLSv1_2];
const BOTH: &[ProtocolVersion] = &[ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2];

async fn bounded<F: std::future::Future<Output = ()>>(f: F) {
    tokio::time::timeout(TEST_TIMEOUT, f)
        .await
        .expect("test timed out");
}

/// Same, for the synchronous sans-IO tests.
fn bounded_sync(f: impl FnOnce()) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(bounded(async { f() }));
}

fn alert(desc: u8) -> Vec<u8> {
    vec![0x15, 0x03, 0x03, 0x00, 0x02, 0x02, desc]
}

fn roots() -> Arc<RootStore> {
    let mut r = RootStore::new();
    r.add_pem_file(common::cert_path("ca.pem")).unwrap();
    Arc::new(r)
}

fn certified(stem: &str) -> CertifiedKey {
    CertifiedKey::from_pem_files(
        common::cert_path(&format!("{stem}.pem")),
        common::cert_path(&format!("{stem}.key")),
    )
    .unwrap()
}

/// A 1.3+1.2 server (the default) presenting server.pem.
fn server13() -> Arc<ServerConfig> {
    server13_with(|b| b)
}

/// The default server with one option changed.
fn server13_with(
    f: impl FnOnce(lctls::config::ServerConfigBuilder) -> lctls::config::ServerConfigBuilder,
) -> Arc<ServerConfig> {
    Arc::new(
        f(ServerConfig::builder().with_certified_key(certified("server")))
            .build()
            .unwrap(),
    )
}

fn server12(
    f: impl FnOnce(lctls::config::ServerConfigBuilder) -> lctls::config::ServerConfigBuilder,
) -> Arc<ServerConfig> {
    Arc::new(
        f(ServerConfig::builder()
            .with_certified_key(certified("server"))
            .with_protocol_versions(TLS12))
        .build()
        .unwrap(),
    )
}

fn client(versions: &[ProtocolVersion]) -> Arc<ClientConfig> {
    Arc::new(
        ClientConfig::builder()
            .with_root_store(roots())
            .with_protocol_versions(versions)
            .build()
            .unwrap(),
    )
}

fn sans_io_client(cc: Arc<ClientConfig>) -> Connection {
    Connection::new_client(cc, ServerName::try_from("localhost").unwrap()).unwrap()
}

fn record(typ: u8, payload: &[u8]) -> Vec<u8> {
    let mut r = vec![typ, 0x03, 0x03];
    r.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    r.extend_from_slice(payload);
    r
}

fn hs_record(msg: &Handshake12) -> Vec<u8> {
    record(0x16, &msg.to_bytes().unwrap())
}

/// A well-formed TLS 1.2 ClientHello as a modern client sends it (EMS,
/// secure renegotiation, ECDHE AEAD suites), no supported_versions.
fn ch12() -> ClientHello {
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
            extended_master_secret: true,
            renegotiation_info: Some(Vec::new()),
            ec_point_formats: Some(vec![0]),
            ..Default::default()
        },
    }
}

/// Feeds `ch` to a fresh server and returns (result, everything it wrote).
fn serve(sc: Arc<ServerConfig>, ch: ClientHello) -> (Result<(), Error>, Vec<u8>) {
    let mut s = Connection::new_server(sc);
    s.feed(&hs_record(&Handshake12::ClientHello(ch)));
    let r = s.process();
    (r, s.take_outgoing().to_vec())
}

/// A TLS 1.2 ServerHello answering a client's ClientHello.
fn sh12(random: [u8; 32]) -> ServerHello {
    ServerHello {
        legacy_version: ProtocolVersion::TLSv1_2.get(),
        random,
        session_id: vec![9; 32],
        cipher_suite: CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        compression_method: 0,
        extensions: ServerHelloExtensions {
            extended_master_secret: true,
            renegotiation_info: Some(Vec::new()),
            ec_point_formats: Some(vec![0]),
            ..Default::default()
        },
    }
}

/// Feeds `sh` to a fresh client and returns (result, what it wrote after
/// its ClientHello).
fn answer(cc: Arc<ClientConfig>, sh: ServerHello) -> (Result<(), Error>, Vec<u8>) {
    let mut c = sans_io_client(cc);
    c.take_outgoing();
    c.feed(&hs_record(&Handshake12::ServerHello(sh)));
    let r = c.process();
    (r, c.take_outgoing().to_vec())
}

// ---------------------------------------------------------------- versions

#[test]
fn old_versions_refused() {
    bounded_sync(|| {
        for v in [0x0300u16, 0x0301, 0x0302] {
            let mut ch = ch12();
            ch.legacy_version = v;
            for (sc, ours) in [
                (server13(), "TLS 1.3 or TLS 1.2"),
                (server12(|b| b), "TLS 1.2"),
            ] {
                let (r, out) = serve(sc, ch.clone());
                // SSL 3.0 is refused before supported_versions is looked at.
                let reason = if v < 0x0301 {
                    format!("ClientHello legacy_version 0x{v:04x} is below TLS 1.0")
                } else {
                    format!(
                        "client offered only legacy version 0x{v:04x}; this server requires {ours}"
                    )
                };
                assert_eq!(r, Err(Error::UnsupportedVersion(reason)));
                assert_eq!(out, [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46]);
            }
        }
    });
}

/// OpenSSL 3.0 still speaks TLS 1.1 at security level 0.
#[tokio::test]
async fn s_client_tls1_1_refused() {
    if !common::require("openssl") {
        return;
    }
    bounded(async {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let task = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            TlsAcceptor::from(server13()).accept(tcp).await
        });
        let mut c = common::openssl_s_client_version(
            port,
            "-tls1_1",
            true,
            true,
            &["-cipher", "DEFAULT@SECLEVEL=0"],
        );
        let status = c.wait_exit(common::TIMEOUT).await.expect("s_client exit");
        assert!(!status.success());
        let e = Error::from_io(&task.await.unwrap().unwrap_err())
            .cloned()
            .unwrap();
        assert_eq!(
            e,
            Error::UnsupportedVersion(
                "client offered only legacy version 0x0302; this server requires TLS 1.3 or TLS 1.2"
                    .into()
            )
        );
        assert!(
            c.stderr_text().contains("alert protocol version"),
            "{}",
            c.describe()
        );
    })
    .await;
}

// ---------------------------------------------------------------- suites

#[test]
fn weak_suites_only_refused() {
    bounded_sync(|| {
        for weak in [0x002fu16, 0xc013, 0x0000, 0x0003, 0x0018, 0xc009, 0x009c] {
            let mut ch = ch12();
            ch.cipher_suites = vec![CipherSuite::from(weak)];
            for sc in [server13(), server12(|b| b)] {
                let (r, out) = serve(sc, ch.clone());
                assert_eq!(
                    r,
                    Err(Error::NoCommonCipherSuite {
                        ours: vec![
                            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
                            CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
                        ],
                        theirs: vec![CipherSuite::from(weak)],
                    }),
                    "0x{weak:04x}"
                );
                assert_eq!(out, alert(40), "0x{weak:04x}");
            }
        }
    });
}

#[test]
fn deflate_only_refused() {
    bounded_sync(|| {
        let mut ch = ch12();
        ch.compression_methods = vec![1];
        let (r, out) = serve(server12(|b| b), ch);
        assert_eq!(
            r,
            Err(Error::illegal(
                "client offered no null compression: compression is refused"
            ))
        );
        assert_eq!(out, alert(47));
    });
}

// ---------------------------------------------------------------- EMS
// The policy end to end against OpenSSL is in tests/ems_policy.rs.

#[test]
fn client_hello_without_ems() {
    bounded_sync(|| {
        let mut ch = ch12();
        ch.extensions.extended_master_secret = false;
        // Refused where the configuration requires it...
        for sc in [
            server13_with(|b| b.require_extended_master_secret(true)),
            server12(|b| b.require_extended_master_secret(true)),
        ] {
            let (r, out) = serve(sc, ch.clone());
            assert_eq!(
                r,
                Err(Error::handshake(
                    "client does not support the extended master secret (RFC 7627), which this server requires"
                ))
            );
            assert_eq!(out, alert(40));
        }
        // ...and served by default, with an empty session ID: the session is
        // never resumable. With EMS the same server assigns one.
        for (ems, id_len) in [(false, 0), (true, 32)] {
            ch.extensions.extended_master_secret = ems;
            for sc in [server13(), server12(|b| b)] {
                let (r, out) = serve(sc, ch.clone());
                assert_eq!(r, Ok(()));
                assert_eq!(out[0], 0x16, "handshake record");
                assert_eq!(out[5], 0x02, "ServerHello");
                // header 5, handshake header 4, version 2, random 32.
                assert_eq!(out[43], id_len, "session ID length, EMS {ems}");
            }
        }
    });
}

// ---------------------------------------------------------------- downgrade

#[test]
fn downgrade_sentinel_detected() {
    bounded_sync(|| {
        for sentinel in [DOWNGRADE_TLS12, DOWNGRADE_TLS11] {
            let mut random = [0x11; 32];
            random[24..].copy_from_slice(&sentinel);
            // A 1.3+1.2 client: alarm.
            let (r, out) = answer(client(BOTH), sh12(random));
            assert_eq!(
                r,
                Err(Error::illegal(
                    "downgrade detected: a TLS 1.2 ServerHello carries the TLS 1.3 downgrade sentinel"
                ))
            );
            assert_eq!(out, alert(47));
            // A 1.2-only client did not offer 1.3: nothing to detect.
            let (r, out) = answer(client(TLS12), sh12(random));
            assert_eq!(r, Ok(()));
            assert!(out.is_empty());
        }
    });
}

#[test]
fn our_server_marks_its_random_when_downgraded() {
    bounded_sync(|| {
        let (r, out) = serve(server13(), ch12());
        assert_eq!(r, Ok(()));
        // Record header 5, handshake header 4, version 2, then the random.
        assert_eq!(out[5], 0x02);
        assert_eq!(&out[11 + 24..11 + 32], &DOWNGRADE_TLS12);
        let (r, out) = serve(server12(|b| b), ch12());
        assert_eq!(r, Ok(()));
        assert_ne!(&out[11 + 24..11 + 32], &DOWNGRADE_TLS12);
    });
}

#[test]
fn fallback_scsv() {
    bounded_sync(|| {
        let mut ch = ch12();
        ch.cipher_suites.push(CipherSuite::TLS_FALLBACK_SCSV);
        let (r, out) = serve(server13(), ch.clone());
        assert_eq!(
            r,
            Err(Error::protocol(
                AlertDescription::InappropriateFallback,
                "client signalled a fallback (TLS_FALLBACK_SCSV) but we support a higher version"
            ))
        );
        assert_eq!(out, alert(86));
        // A 1.2-only server is not the better version: accepted.
        let (r, _) = serve(server12(|b| b), ch);
        assert_eq!(r, Ok(()));
    });
}

#[test]
fn server_hello_supported_versions_tls12() {
    bounded_sync(|| {
        let mut sh = sh12([0x22; 32]);
        sh.extensions.selected_version = Some(ProtocolVersion::TLSv1_2);
        let (r, out) = answer(client(BOTH), sh.clone());
        assert_eq!(
            r,
            Err(Error::illegal(format!(
                "server selected version {:?}, which we did not offer",
                ProtocolVersion::TLSv1_2
            )))
        );
        assert_eq!(out, alert(47));
        // A TLS 1.2-only client sent no supported_versions: the answer is
        // unsolicited (RFC 5246 section 7.4.1.4).
        let (r, out) = answer(client(TLS12), sh);
        assert_eq!(
            r,
            Err(Error::protocol(
                AlertDescription::UnsupportedExtension,
                "ServerHello carries extension 43, which our ClientHello did not offer"
            ))
        );
        assert_eq!(out, alert(110));
    });
}

// ---------------------------------------------------------------- renegotiation

/// Our echo server for one connection; returns its final read error.
async fn echo_once(
    sc: Arc<ServerConfig>,
) -> (u16, tokio::task::JoinHandle<(Vec<u8>, std::io::Result<()>)>) {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut tls = TlsAcceptor::from(sc).accept(tcp).await.unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 1024];
        loop {
            match tls.read(&mut buf).await {
                Ok(0) => return (got, Ok(())),
                Ok(n) => {
                    got.extend_from_slice(&buf[..n]);
                    if tls.write_all(&buf[..n]).await.is_err() {
                        return (got, Ok(()));
                    }
                    let _ = tls.flush().await;
                }
                Err(e) => return (got, Err(e)),
            }
        }
    });
    (port, task)
}

#[tokio::test]
async fn s_client_renegotiation_refused() {
    if !common::require("openssl") {
        return;
    }
    bounded(async {
        let (port, task) = echo_once(server12(|b| b)).await;
        let mut c = common::openssl_s_client_version(port, "-tls1_2", true, false, &[]);
        c.write(b"before\n");
        assert!(
            c.wait_stdout_contains(b"before\n", common::TIMEOUT).await,
            "{}",
            c.describe()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
        c.write(b"R\n");
        tokio::time::sleep(Duration::from_millis(300)).await;
        c.write(b"after\n");
        let status = c.wait_exit(common::TIMEOUT).await;
        let (got, end) = task.await.unwrap();
        let describe = c.describe();
        // Our server refuses with a fatal no_renegotiation.
        assert!(
            describe.contains("no renegotiation"),
            "s_client saw no no_renegotiation alert:\n{describe}"
        );
        assert!(!status.expect("s_client exit").success(), "{describe}");
        assert_eq!(got, b"before\n");
        let e = end.unwrap_err();
        let e = Error::from_io(&e).expect("a TLS error");
        assert_eq!(e.alert(), Some(AlertDescription::NoRenegotiation), "{e}");
    })
    .await;
}

#[tokio::test]
async fn s_server_hello_request_refused() {
    if !common::require("openssl") {
        return;
    }
    bounded(async {
        let port = common::free_port();
        let mut cmd = Command::new("openssl");
        cmd.arg("s_server")
            .arg("-accept")
            .arg(format!("127.0.0.1:{port}"))
            .args(common::openssl_cert_args("server.pem", "server.key"))
            .args(["-tls1_2", "-naccept", "1", "-msg"]);
        let mut srv = common::Peer::spawn(cmd, port, true);
        srv.wait_listening(common::TIMEOUT);
        let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let mut tls = TlsConnector::from(client(TLS12))
            .connect("localhost", tcp)
            .await
            .unwrap();
        tls.write_all(b"before\n").await.unwrap();
        tls.flush().await.unwrap();
        assert!(
            srv.wait_stdout_contains(b"before\n", common::TIMEOUT).await,
            "{}",
            srv.describe()
        );
        // `r`: SSL_renegotiate + SSL_do_handshake, i.e. a HelloRequest.
        srv.write(b"r\n");
        // (Its "SSL_do_handshake -> .." line is stuck in stdio's pipe buffer.)
        tokio::time::sleep(Duration::from_millis(300)).await;
        // Our client answers the HelloRequest with a fatal
        // no_renegotiation on its next read, and that read fails.
        let mut buf = vec![0u8; 12];
        let e = tls.read(&mut buf).await.unwrap_err();
        let e = Error::from_io(&e).expect("a TLS error");
        assert_eq!(e.alert(), Some(AlertDescription::NoRenegotiation), "{e}");
        // -naccept 1: s_server exits, flushing its -msg trace.
        srv.wait_exit(common::TIMEOUT).await.expect("s_server exit");
        let out = srv.stdout_text();
        assert!(
            out.contains("<<< TLS 1.2, Alert [length 0002], fatal no_renegotiation"),
            "{out}"
        );
    })
    .await;
}

// ---------------------------------------------------------------- Finished

#[test]
fn tampered_client_finished_record() {
    bounded_sync(|| {
        let mut c = sans_io_client(client(TLS12));
        let mut s = Connection::new_server(server12(|b| b));
        s.feed(&c.take_outgoing());
        s.process().unwrap();
        c.feed(&s.take_outgoing());
        c.process().unwrap();
        // ClientKeyExchange, ChangeCipherSpec, Finished (encrypted, last).
        let mut flight = c.take_outgoing().to_vec();
        let n = flight.len();
        flight[n - 1] ^= 0x01;
        s.feed(&flight);
        assert_eq!(s.process(), Err(Error::BadRecordMac));
        // The server has not switched its write keys yet: plaintext alert.
        assert_eq!(s.take_outgoing().to_vec(), alert(20));
    });
}

#[test]
fn verify_finished_rejects_wrong_data() {
    let master = MasterSecret12::from_bytes(&SUITE_128, &[0x42; 48]).unwrap();
    let hash = [0x33u8; 32];
    let good = master.verify_data(true, &hash).unwrap();
    assert_eq!(good.len(), 12);
    assert_eq!(master.verify_finished(true, &hash, &good), Ok(()));
    let reason =
        "peer's Finished message did not verify: the handshake was tampered with or keys differ";
    let bad = |r: Result<(), Error>| {
        assert_eq!(
            r,
            Err(Error::protocol(AlertDescription::DecryptError, reason))
        );
    };
    let mut flipped = good.clone();
    flipped[0] ^= 0x80;
    bad(master.verify_finished(true, &hash, &flipped));
    // The server's label gives different data.
    bad(master.verify_finished(false, &hash, &good));
    // A different transcript.
    bad(master.verify_finished(true, &[0x34; 32], &good));
    // Truncated or too long: the message's length is wrong, decode_error
    // (issue 10's policy; RFC 8446 section 6.2), not decrypt_error.
    for len in [0, 11, 13, 32] {
        let mut data = good.clone();
        data.resize(len, 0);
        assert_eq!(
            master.verify_finished(true, &hash, &data),
            Err(Error::decode(format!(
                "Finished of {len} bytes; TLS 1.2 gives 12"
            )))
        );
    }
}

// ---------------------------------------------------------------- garbage

/// A server that processed a ClientHello and expects ClientKeyExchange.
fn server_after_hello() -> Connection {
    let mut s = Connection::new_server(server12(|b| b));
    s.feed(&hs_record(&Handshake12::ClientHello(ch12())));
    s.process().unwrap();
    s.take_outgoing();
    s
}

#[test]
fn garbage_during_tls12_handshake() {
    bounded_sync(|| {
        // ClientKeyExchange whose point length overruns the message.
        let mut s = server_after_hello();
        s.feed(&record(0x16, &[0x10, 0x00, 0x00, 0x03, 0x20, 0x01, 0x02]));
        assert_eq!(s.process(), Err(Error::decode("message truncated")));
        assert_eq!(s.take_outgoing().to_vec(), alert(50));

        // Empty ClientKeyExchange.
        let mut s = server_after_hello();
        s.feed(&record(0x16, &[0x10, 0x00, 0x00, 0x01, 0x00]));
        assert_eq!(s.process(), Err(Error::decode("empty ClientKeyExchange")));
        assert_eq!(s.take_outgoing().to_vec(), alert(50));

        // Finished instead of ClientKeyExchange.
        let mut s = server_after_hello();
        s.feed(&hs_record(&Handshake12::Finished(vec![0; 12])));
        assert_eq!(
            s.process(),
            Err(Error::unexpected(
                "unexpected Finished while expecting ClientKeyExchange"
            ))
        );
        assert_eq!(s.take_outgoing().to_vec(), alert(10));

        // ChangeCipherSpec before ClientKeyExchange.
        let mut s = server_after_hello();
        s.feed(&record(0x14, &[1]));
        assert_eq!(
            s.process(),
            Err(Error::unexpected(
                "ChangeCipherSpec while expecting ClientKeyExchange"
            ))
        );
        assert_eq!(s.take_outgoing().to_vec(), alert(10));

        // A malformed ChangeCipherSpec: unexpected_message (issue 10's
        // policy, after RFC 8446 section 5), no longer decode_error.
        for body in [&[2u8][..], &[1, 1][..]] {
            let mut s = server_after_hello();
            s.feed(&record(0x14, body));
            assert_eq!(
                s.process(),
                Err(Error::unexpected("malformed change_cipher_spec"))
            );
            assert_eq!(s.take_outgoing().to_vec(), alert(10));
        }

        // Trailing garbage inside ServerHelloDone, sent to a 1.2 client
        // expecting Certificate: unexpected message first.
        let mut c = sans_io_client(client(TLS12));
        c.take_outgoing();
        c.feed(&hs_record(&Handshake12::ServerHello(sh12([0x44; 32]))));
        c.process().unwrap();
        c.feed(&hs_record(&Handshake12::ServerHelloDone));
        assert_eq!(
            c.process(),
            Err(Error::unexpected(
                "unexpected ServerHelloDone while expecting Certificate (TLS 1.2)"
            ))
        );
        assert_eq!(c.take_outgoing().to_vec(), alert(10));

        // A ServerHelloDone with a body, where Certificate is expected: the
        // type is checked before the body (issue 10's policy), so this is
        // unexpected_message, no longer decode_error.
        let mut c = sans_io_client(client(TLS12));
        c.take_outgoing();
        c.feed(&hs_record(&Handshake12::ServerHello(sh12([0x44; 32]))));
        c.process().unwrap();
        c.feed(&record(0x16, &[0x0e, 0x00, 0x00, 0x01, 0xff]));
        assert_eq!(
            c.process(),
            Err(Error::unexpected(
                "unexpected ServerHelloDone while expecting Certificate (TLS 1.2)"
            ))
        );
        assert_eq!(c.take_outgoing().to_vec(), alert(10));

        // Truncated stream mid-flight: the handshake record is cut.
        let mut s = server_after_hello();
        s.feed(&[0x16, 0x03, 0x03, 0x00, 0x40, 0x10, 0x00]);
        assert_eq!(s.process(), Ok(()));
        assert_eq!(s.process_eof(), Err(Error::Truncated));
    });
}

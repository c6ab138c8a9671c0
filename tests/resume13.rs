//! TLS 1.3 resumption (RFC 8446 section 2.2 and 4.6.1): lctls with itself,
//! with rustls both ways, after a HelloRetryRequest, and with a forged binder.

mod support;

use std::sync::Arc;

use lctls::config::{ClientConfig, ServerConfig};
use lctls::proto::enums::{AlertDescription, NamedGroup, ProtocolVersion};
use lctls::proto::Connection;
use lctls::{Error, TlsAcceptor, TlsConnector, TlsStream};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::DuplexStream;

const CERTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");

fn client() -> Arc<ClientConfig> {
    Arc::new(
        ClientConfig::builder()
            .with_root_store(support::roots())
            .with_protocol_versions(&[ProtocolVersion::TLSv1_3])
            .build()
            .unwrap(),
    )
}

fn server() -> Arc<ServerConfig> {
    Arc::new(support::server_builder("server").build().unwrap())
}

/// One connection: handshake, the server writes, the client reads (which is
/// when it takes in the server's ticket), then both close.
async fn connect(cc: &Arc<ClientConfig>, sc: &Arc<ServerConfig>) -> (bool, bool, usize) {
    let (a, b) = tokio::io::duplex(64 * 1024);
    let (c, s) = tokio::join!(
        TlsConnector::from(cc.clone()).connect("localhost", a),
        TlsAcceptor::from(sc.clone()).accept(b)
    );
    let (mut c, mut s): (TlsStream<DuplexStream>, TlsStream<DuplexStream>) =
        (c.unwrap(), s.unwrap());
    let resumed = (c.negotiated().resumed, s.negotiated().resumed);
    let certs = c.peer_certificates().len();
    support::hi_yo(&mut c, &mut s).await;
    (resumed.0, resumed.1, certs)
}

#[tokio::test]
async fn second_and_third_connections_resume() {
    support::timeout(async {
        let (cc, sc) = (client(), server());
        assert_eq!(connect(&cc, &sc).await, (false, false, 2));
        // The peer's certificates of the original handshake stay visible.
        assert_eq!(connect(&cc, &sc).await, (true, true, 2));
        assert_eq!(connect(&cc, &sc).await, (true, true, 2));
    })
    .await
}

#[tokio::test]
async fn a_server_without_tickets_or_with_other_keys_does_a_full_handshake() {
    support::timeout(async {
        let cc = client();
        let sc = server();
        connect(&cc, &sc).await;
        // Another server config has other ticket keys: its ticket is opaque junk here.
        assert_eq!(connect(&cc, &server()).await, (false, false, 2));
        // A server that issues no tickets leaves the client with none.
        let none = support::server_with("server", |b| b.with_tickets(false));
        connect(&cc, &none).await;
        assert_eq!(connect(&cc, &none).await, (false, false, 2));
    })
    .await
}

#[tokio::test]
async fn resumption_survives_a_hello_retry_request() {
    support::timeout(async {
        let cc = client();
        let sc = support::server_with("server", |b| b.with_groups(&[NamedGroup::secp384r1]));
        connect(&cc, &sc).await;
        let (a, b) = tokio::io::duplex(64 * 1024);
        let (c, s) = tokio::join!(
            TlsConnector::from(cc.clone()).connect("localhost", a),
            TlsAcceptor::from(sc.clone()).accept(b)
        );
        let (mut c, mut s) = (c.unwrap(), s.unwrap());
        assert!(c.negotiated().retried && c.negotiated().resumed);
        assert!(s.negotiated().retried && s.negotiated().resumed);
        support::hi_yo(&mut c, &mut s).await;
    })
    .await
}

/// Flipping the last byte of the ClientHello flips the PSK binder: the
/// server refuses with decrypt_error.
#[test]
fn a_forged_binder_is_decrypt_error() {
    let cc = client();
    let sc = server();
    let drive = |tamper: bool| -> Result<(bool, bool), Error> {
        let mut c = Connection::new_client(cc.clone(), "localhost".try_into().unwrap()).unwrap();
        let mut s = Connection::new_server(sc.clone());
        let mut first = true;
        for _ in 0..20 {
            let mut out = c.take_outgoing();
            if first && tamper {
                let len = u16::from_be_bytes([out[3], out[4]]) as usize;
                out[5 + len - 1] ^= 1;
            }
            first = false;
            s.feed(&out);
            s.process()?;
            let out = s.take_outgoing();
            c.feed(&out);
            c.process()?;
            if !c.is_handshaking() && !s.is_handshaking() {
                // Deliver the server's ticket.
                s.write_plaintext(b"t")?;
                c.feed(&s.take_outgoing());
                c.process()?;
                return Ok((c.negotiated().resumed, s.negotiated().resumed));
            }
        }
        panic!("no handshake in 20 rounds");
    };
    assert_eq!(drive(false).unwrap(), (false, false));
    assert_eq!(
        drive(true).unwrap_err().alert(),
        Some(AlertDescription::DecryptError)
    );
    // The ticket was used by the failed attempt; the next connection is full
    // and brings a fresh one, which resumes.
    assert_eq!(drive(false).unwrap(), (false, false));
    assert_eq!(drive(false).unwrap(), (true, true));
}

/// A full sans-IO handshake between `cc` and `sc` after which the client
/// has taken in the server's ticket (it comes with the server's first data).
fn leave_a_ticket(cc: &Arc<ClientConfig>, sc: &Arc<ServerConfig>) {
    let mut c = Connection::new_client(cc.clone(), "localhost".try_into().unwrap()).unwrap();
    let mut s = Connection::new_server(sc.clone());
    support::drive_handshake(&mut c, &mut s);
    s.write_plaintext(b"t").unwrap();
    c.feed(&s.take_outgoing());
    c.process().unwrap();
}

/// The server's verdict on a resumption ClientHello whose binders `edit`
/// rewrote (record re-framed, nothing else changed).
fn verdict_on_binders(edit: impl Fn(&mut Vec<Vec<u8>>)) -> Error {
    use lctls::unstable_internals::HandshakeMessage;
    let cc = client();
    let sc = server();
    // A full handshake leaves the client a ticket.
    leave_a_ticket(&cc, &sc);
    // The resumption attempt, its binders rewritten.
    let mut c = Connection::new_client(cc, "localhost".try_into().unwrap()).unwrap();
    let out = c.take_outgoing();
    let HandshakeMessage::ClientHello(mut ch) = HandshakeMessage::decode(&out[5..]).unwrap() else {
        panic!("no ClientHello");
    };
    edit(&mut ch.extensions.psk.as_mut().expect("a PSK offer").binders);
    let msg = HandshakeMessage::ClientHello(ch).to_bytes().unwrap();
    let mut rec = vec![0x16, 3, 1];
    rec.extend_from_slice(&(msg.len() as u16).to_be_bytes());
    rec.extend_from_slice(&msg);
    let mut s = Connection::new_server(sc);
    s.feed(&rec);
    s.process().unwrap_err()
}

/// RFC 8446 4.2.11 and BoGo's Resume-Server-* expectations: a binder of the
/// wrong length fails verification (decrypt_error), no binders at all do not
/// parse (decode_error), a binder more than identities is illegal_parameter.
#[test]
fn malformed_binders_get_the_alert_for_what_is_wrong() {
    let short = verdict_on_binders(|b| b[0].truncate(31));
    assert_eq!(
        short.alert(),
        Some(AlertDescription::DecryptError),
        "{short}"
    );
    let long = verdict_on_binders(|b| b[0].push(0));
    assert_eq!(long.alert(), Some(AlertDescription::DecryptError), "{long}");
    let none = verdict_on_binders(|b| b.clear());
    assert_eq!(none.alert(), Some(AlertDescription::DecodeError), "{none}");
    let extra = verdict_on_binders(|b| b.push(vec![0; 32]));
    assert_eq!(
        extra.alert(),
        Some(AlertDescription::IllegalParameter),
        "{extra}"
    );
}

fn rustls_provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

#[tokio::test]
async fn lctls_client_resumes_with_rustls_server() {
    support::timeout(async {
        let chain = CertificateDer::pem_file_iter(format!("{CERTS}/server.pem"))
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let key = PrivateKeyDer::from_pem_file(format!("{CERTS}/server.key")).unwrap();
        let mut rsc = rustls::ServerConfig::builder_with_provider(rustls_provider())
            .with_protocol_versions(&[&rustls::version::TLS13])
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .unwrap();
        rsc.ticketer = rustls::crypto::aws_lc_rs::Ticketer::new().unwrap();
        let ra = tokio_rustls::TlsAcceptor::from(Arc::new(rsc));
        let cc = client();
        for expect in [false, true, true] {
            let (a, b) = tokio::io::duplex(64 * 1024);
            let (c, s) = tokio::join!(
                TlsConnector::from(cc.clone()).connect("localhost", a),
                ra.accept(b)
            );
            let (mut c, mut s) = (c.unwrap(), s.unwrap());
            assert_eq!(c.negotiated().resumed, expect);
            let kind = s.get_ref().1.handshake_kind();
            assert_eq!(kind == Some(rustls::HandshakeKind::Resumed), expect);
            support::hi_yo(&mut c, &mut s).await;
        }
    })
    .await
}

#[tokio::test]
async fn rustls_client_resumes_with_lctls_server() {
    support::timeout(async {
        let mut rroots = rustls::RootCertStore::empty();
        for c in CertificateDer::pem_file_iter(format!("{CERTS}/ca.pem")).unwrap() {
            rroots.add(c.unwrap()).unwrap();
        }
        let rcc = rustls::ClientConfig::builder_with_provider(rustls_provider())
            .with_protocol_versions(&[&rustls::version::TLS13])
            .unwrap()
            .with_root_certificates(rroots)
            .with_no_client_auth();
        let rc = tokio_rustls::TlsConnector::from(Arc::new(rcc));
        let sc = server();
        for expect in [false, true, true] {
            let (a, b) = tokio::io::duplex(64 * 1024);
            let (c, s) = tokio::join!(
                rc.connect("localhost".try_into().unwrap(), a),
                TlsAcceptor::from(sc.clone()).accept(b)
            );
            let (mut c, mut s) = (c.unwrap(), s.unwrap());
            assert_eq!(s.negotiated().resumed, expect);
            let kind = c.get_ref().1.handshake_kind();
            assert_eq!(kind == Some(rustls::HandshakeKind::Resumed), expect);
            support::hi_yo(&mut c, &mut s).await;
        }
    })
    .await
}

/// The client's verdict on the server's answer to its resumption offer
/// after `edit` rewrote that ServerHello (re-framed, nothing else changed).
fn verdict_on_server_hello(edit: impl Fn(&mut lctls::unstable_internals::ServerHello)) -> Error {
    use lctls::unstable_internals::HandshakeMessage;
    let cc = client();
    let sc = server();
    leave_a_ticket(&cc, &sc);
    let mut c = Connection::new_client(cc, "localhost".try_into().unwrap()).unwrap();
    let mut s = Connection::new_server(sc);
    s.feed(&c.take_outgoing());
    s.process().unwrap();
    let out = s.take_outgoing();
    let len = u16::from_be_bytes([out[3], out[4]]) as usize;
    let HandshakeMessage::ServerHello(mut sh) = HandshakeMessage::decode(&out[5..5 + len]).unwrap()
    else {
        panic!("no ServerHello");
    };
    assert_eq!(sh.extensions.selected_psk, Some(0), "the server resumes");
    edit(&mut sh);
    let msg = HandshakeMessage::ServerHello(sh).to_bytes().unwrap();
    let mut rec = vec![0x16, 3, 3];
    rec.extend_from_slice(&(msg.len() as u16).to_be_bytes());
    rec.extend_from_slice(&msg);
    c.feed(&rec);
    c.process().unwrap_err()
}

/// RFC 8446 4.2.11: "Clients MUST verify that the server's
/// selected_identity is within the range supplied by the client, that the
/// server selected a cipher suite indicating a Hash associated with the
/// PSK ... If these values are not consistent, the client MUST abort the
/// handshake with an illegal_parameter alert" (BoGo's InvalidPSKIdentity-TLS13,
/// Resume-Client-PRFMismatch-TLS13). The error says which.
#[test]
fn a_server_misusing_our_psk_is_illegal_parameter() {
    use lctls::proto::enums::CipherSuite;
    let e = verdict_on_server_hello(|sh| sh.extensions.selected_psk = Some(1));
    assert_eq!(e.alert(), Some(AlertDescription::IllegalParameter), "{e}");
    assert!(e.to_string().contains("selected PSK identity 1"), "{e}");
    let e = verdict_on_server_hello(|sh| {
        assert_eq!(sh.cipher_suite, CipherSuite::TLS13_AES_128_GCM_SHA256);
        sh.cipher_suite = CipherSuite::TLS13_AES_256_GCM_SHA384;
    });
    assert_eq!(e.alert(), Some(AlertDescription::IllegalParameter), "{e}");
    assert!(e.to_string().contains("whose hash differs"), "{e}");
}

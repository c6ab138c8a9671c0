//! In-process handshakes between lctls clients and servers over
//! `tokio::io::duplex`, plus the sans-IO core driven by hand.

mod support;

use std::sync::Arc;

use lctls::config::{ServerConfig, SniResolver};
use lctls::proto::enums::{CipherSuite, NamedGroup, ProtocolVersion};
use lctls::proto::Connection;
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};

type Stream = lctls::TlsStream<DuplexStream>;

/// "ping from client" client→server and "pong from server" back, then
/// close_notify both ways, each `read_to_end` ending cleanly.
async fn exchange_and_close(mut c: Stream, mut s: Stream) {
    exchange_then_close(&mut c, &mut s, b"ping from client", b"pong from server").await;
}

async fn matrix_case(suite: CipherSuite, group: NamedGroup, cert: &str) {
    timeout(async {
        let cc = client_with(|b| b.with_cipher_suites(&[suite]).with_groups(&[group]));
        let sc = server_with(cert, |b| {
            b.with_cipher_suites(&[suite]).with_groups(&[group])
        });
        let (c, s) = pair(cc, sc, "localhost").await;
        for st in [&c, &s] {
            assert_eq!(st.protocol_version(), Some(ProtocolVersion::TLSv1_3));
            assert_eq!(st.cipher_suite(), Some(suite));
            assert_eq!(st.key_exchange_group(), Some(group));
            assert!(!st.negotiated().retried);
        }
        assert!(!c.peer_certificates().is_empty());
        assert_eq!(
            c.peer_certificates(),
            &pem_certs(&format!("{cert}.pem"))[..]
        );
        exchange_and_close(c, s).await;
    })
    .await
}

macro_rules! matrix {
    ($($name:ident: $suite:ident, $group:ident, $cert:literal;)*) => {
        $(
            #[tokio::test]
            async fn $name() {
                matrix_case(CipherSuite::$suite, NamedGroup::$group, $cert).await;
            }
        )*
    };
}

matrix! {
    m_aes128_x25519_ecdsa: TLS13_AES_128_GCM_SHA256, X25519, "server";
    m_aes128_x25519_rsa: TLS13_AES_128_GCM_SHA256, X25519, "server-rsa";
    m_aes128_x25519_p384: TLS13_AES_128_GCM_SHA256, X25519, "server-p384";
    m_aes128_x25519_ed25519: TLS13_AES_128_GCM_SHA256, X25519, "server-ed25519";
    m_aes128_p256_ecdsa: TLS13_AES_128_GCM_SHA256, secp256r1, "server";
    m_aes128_p256_rsa: TLS13_AES_128_GCM_SHA256, secp256r1, "server-rsa";
    m_aes128_p256_p384: TLS13_AES_128_GCM_SHA256, secp256r1, "server-p384";
    m_aes128_p256_ed25519: TLS13_AES_128_GCM_SHA256, secp256r1, "server-ed25519";
    m_aes128_p384_ecdsa: TLS13_AES_128_GCM_SHA256, secp384r1, "server";
    m_aes128_p384_rsa: TLS13_AES_128_GCM_SHA256, secp384r1, "server-rsa";
    m_aes128_p384_p384: TLS13_AES_128_GCM_SHA256, secp384r1, "server-p384";
    m_aes128_p384_ed25519: TLS13_AES_128_GCM_SHA256, secp384r1, "server-ed25519";
    m_aes256_x25519_ecdsa: TLS13_AES_256_GCM_SHA384, X25519, "server";
    m_aes256_x25519_rsa: TLS13_AES_256_GCM_SHA384, X25519, "server-rsa";
    m_aes256_x25519_p384: TLS13_AES_256_GCM_SHA384, X25519, "server-p384";
    m_aes256_x25519_ed25519: TLS13_AES_256_GCM_SHA384, X25519, "server-ed25519";
    m_aes256_p256_ecdsa: TLS13_AES_256_GCM_SHA384, secp256r1, "server";
    m_aes256_p256_rsa: TLS13_AES_256_GCM_SHA384, secp256r1, "server-rsa";
    m_aes256_p256_p384: TLS13_AES_256_GCM_SHA384, secp256r1, "server-p384";
    m_aes256_p256_ed25519: TLS13_AES_256_GCM_SHA384, secp256r1, "server-ed25519";
    m_aes256_p384_ecdsa: TLS13_AES_256_GCM_SHA384, secp384r1, "server";
    m_aes256_p384_rsa: TLS13_AES_256_GCM_SHA384, secp384r1, "server-rsa";
    m_aes256_p384_p384: TLS13_AES_256_GCM_SHA384, secp384r1, "server-p384";
    m_aes256_p384_ed25519: TLS13_AES_256_GCM_SHA384, secp384r1, "server-ed25519";
    m_chacha_x25519_ecdsa: TLS13_CHACHA20_POLY1305_SHA256, X25519, "server";
    m_chacha_x25519_rsa: TLS13_CHACHA20_POLY1305_SHA256, X25519, "server-rsa";
    m_chacha_x25519_p384: TLS13_CHACHA20_POLY1305_SHA256, X25519, "server-p384";
    m_chacha_x25519_ed25519: TLS13_CHACHA20_POLY1305_SHA256, X25519, "server-ed25519";
    m_chacha_p256_ecdsa: TLS13_CHACHA20_POLY1305_SHA256, secp256r1, "server";
    m_chacha_p256_rsa: TLS13_CHACHA20_POLY1305_SHA256, secp256r1, "server-rsa";
    m_chacha_p256_p384: TLS13_CHACHA20_POLY1305_SHA256, secp256r1, "server-p384";
    m_chacha_p256_ed25519: TLS13_CHACHA20_POLY1305_SHA256, secp256r1, "server-ed25519";
    m_chacha_p384_ecdsa: TLS13_CHACHA20_POLY1305_SHA256, secp384r1, "server";
    m_chacha_p384_rsa: TLS13_CHACHA20_POLY1305_SHA256, secp384r1, "server-rsa";
    m_chacha_p384_p384: TLS13_CHACHA20_POLY1305_SHA256, secp384r1, "server-p384";
    m_chacha_p384_ed25519: TLS13_CHACHA20_POLY1305_SHA256, secp384r1, "server-ed25519";
}

async fn key_format_case(cert: &str, key: &str) {
    let sc = Arc::new(
        ServerConfig::builder()
            .with_certified_key(certified_key(cert, key))
            .build()
            .unwrap(),
    );
    let (c, s) = pair(client_config(), sc, "localhost").await;
    assert_eq!(
        c.peer_certificates(),
        &pem_certs(&format!("{cert}.pem"))[..]
    );
    exchange_and_close(c, s).await;
}

#[tokio::test]
async fn sec1_key_loads_and_signs() {
    timeout(key_format_case("server", "server.sec1.key")).await
}

#[tokio::test]
async fn pkcs1_rsa_key_loads_and_signs() {
    timeout(key_format_case("server-rsa", "server-rsa.pkcs1.key")).await
}

#[tokio::test]
async fn alpn_agreed() {
    timeout(async {
        let cc = client_with(|b| b.with_alpn_protocols(&["h2", "http/1.1"]));
        let sc = server_with("server", |b| b.with_alpn_protocols(&["http/1.1"]));
        let (c, s) = pair(cc, sc, "localhost").await;
        assert_eq!(c.alpn_protocol(), Some(&b"http/1.1"[..]));
        assert_eq!(s.alpn_protocol(), Some(&b"http/1.1"[..]));
        exchange_and_close(c, s).await;
    })
    .await
}

#[tokio::test]
async fn alpn_refused() {
    timeout(async {
        let cc = client_with(|b| b.with_alpn_protocols(&["h2"]));
        let sc = server_with("server", |b| b.with_alpn_protocols(&["http/1.1"]));
        let (c, s) = try_pair(cc, sc, "localhost").await;
        assert_eq!(
            handshake_err(s),
            lctls::Error::NoApplicationProtocol {
                ours: vec!["http/1.1".into()],
                theirs: vec!["h2".into()],
            }
        );
        assert_eq!(
            handshake_err(c),
            lctls::Error::AlertReceived(
                lctls::proto::enums::AlertDescription::NoApplicationProtocol
            )
        );
    })
    .await
}

#[tokio::test]
async fn alpn_offered_but_server_has_none() {
    timeout(async {
        let cc = client_with(|b| b.with_alpn_protocols(&["h2", "http/1.1"]));
        let (c, s) = pair(cc, server_config("server"), "localhost").await;
        assert_eq!(c.alpn_protocol(), None);
        assert_eq!(s.alpn_protocol(), None);
        exchange_and_close(c, s).await;
    })
    .await
}

/// "localhost" maps to the RSA certificate, the default is ECDSA.
fn sni_server() -> Arc<ServerConfig> {
    let mut sni = SniResolver::new();
    sni.add("localhost", certified_key("server-rsa", "server-rsa.key"))
        .unwrap();
    sni.add_default(certified_key("server", "server.key"));
    Arc::new(
        ServerConfig::builder()
            .with_cert_resolver(Arc::new(sni))
            .build()
            .unwrap(),
    )
}

#[tokio::test]
async fn sni_selects_certificate_by_name() {
    timeout(async {
        let (c, s) = pair(client_config(), sni_server(), "localhost").await;
        let rsa_leaf = pem_certs("server-rsa.pem").remove(0);
        assert_eq!(c.peer_certificates()[0], rsa_leaf);
        assert_eq!(s.server_name(), Some("localhost"));
        assert_eq!(c.server_name(), Some("localhost"));
        exchange_and_close(c, s).await;
    })
    .await
}

#[tokio::test]
async fn sni_name_is_case_insensitive() {
    timeout(async {
        let (c, s) = pair(client_config(), sni_server(), "LocalHost").await;
        let rsa_leaf = pem_certs("server-rsa.pem").remove(0);
        assert_eq!(c.peer_certificates()[0], rsa_leaf);
        exchange_and_close(c, s).await;
    })
    .await
}

#[tokio::test]
async fn sni_disabled_gets_default_certificate() {
    timeout(async {
        let cc = client_with(|b| b.with_sni(false));
        let (c, s) = pair(cc, sni_server(), "localhost").await;
        assert_eq!(c.peer_certificates()[0], pem_certs("server.pem").remove(0));
        assert_eq!(s.server_name(), None);
        exchange_and_close(c, s).await;
    })
    .await
}

#[tokio::test]
async fn connect_by_ip_address_sends_no_sni() {
    timeout(async {
        let (c, s) = pair(client_config(), sni_server(), "127.0.0.1").await;
        // No SNI: the resolver fell back to the default (ECDSA) certificate.
        assert_eq!(c.peer_certificates()[0], pem_certs("server.pem").remove(0));
        assert_eq!(s.server_name(), None);
        exchange_and_close(c, s).await;
    })
    .await
}

#[tokio::test]
async fn connect_by_ipv6_address() {
    timeout(async {
        let (c, s) = pair(client_config(), server_config("server"), "::1").await;
        assert_eq!(s.server_name(), None);
        exchange_and_close(c, s).await;
    })
    .await
}

#[tokio::test]
async fn hello_retry_request() {
    timeout(async {
        let cc = client_with(|b| b.with_groups(&[NamedGroup::X25519, NamedGroup::secp384r1]));
        let sc = server_with("server", |b| b.with_groups(&[NamedGroup::secp384r1]));
        let (c, s) = pair(cc, sc, "localhost").await;
        for st in [&c, &s] {
            assert_eq!(st.key_exchange_group(), Some(NamedGroup::secp384r1));
            assert!(st.negotiated().retried, "{:?}", st.negotiated());
            assert_eq!(st.protocol_version(), Some(ProtocolVersion::TLSv1_3));
        }
        exchange_and_close(c, s).await;
    })
    .await
}

#[tokio::test]
async fn no_retry_when_share_matches() {
    timeout(async {
        let cc = client_with(|b| b.with_groups(&[NamedGroup::X25519, NamedGroup::secp384r1]));
        let (c, s) = pair(cc, server_config("server"), "localhost").await;
        for st in [&c, &s] {
            assert_eq!(st.key_exchange_group(), Some(NamedGroup::X25519));
            assert!(!st.negotiated().retried);
        }
        exchange_and_close(c, s).await;
    })
    .await
}

#[tokio::test]
async fn key_update_rounds() {
    timeout(async {
        let (mut c, mut s) = pair(client_config(), server_config("server"), "localhost").await;
        for round in 0u32..8 {
            // Alternate who updates, and whether the peer is asked to update too.
            let request = round % 2 == 0;
            let msg = format!("client message {round}");
            let reply = format!("server reply {round}");
            if round % 4 < 2 {
                c.update_keys(request).unwrap();
            } else {
                s.update_keys(request).unwrap();
                // The server's KeyUpdate goes out with its next write.
            }
            c.write_all(msg.as_bytes()).await.unwrap();
            c.flush().await.unwrap();
            let mut buf = vec![0u8; msg.len()];
            s.read_exact(&mut buf).await.unwrap();
            assert_eq!(buf, msg.as_bytes());
            s.write_all(reply.as_bytes()).await.unwrap();
            s.flush().await.unwrap();
            let mut buf = vec![0u8; reply.len()];
            c.read_exact(&mut buf).await.unwrap();
            assert_eq!(buf, reply.as_bytes());
        }
        exchange_and_close(c, s).await;
    })
    .await
}

#[tokio::test]
async fn exporter_agrees() {
    timeout(async {
        let (c, s) = pair(client_config(), server_config("server"), "localhost").await;
        let mut a = [0u8; 32];
        let mut b = [0u8; 32];
        c.export_keying_material(&mut a, b"EXPORTER-lctls-test", Some(b"context"))
            .unwrap();
        s.export_keying_material(&mut b, b"EXPORTER-lctls-test", Some(b"context"))
            .unwrap();
        assert_eq!(a, b);
        assert_ne!(a, [0u8; 32]);
        // A different label or context gives different material.
        let mut d = [0u8; 32];
        c.export_keying_material(&mut d, b"EXPORTER-other", Some(b"context"))
            .unwrap();
        assert_ne!(a, d);
        c.export_keying_material(&mut d, b"EXPORTER-lctls-test", None)
            .unwrap();
        let mut e = [0u8; 32];
        s.export_keying_material(&mut e, b"EXPORTER-lctls-test", None)
            .unwrap();
        assert_eq!(d, e);
        assert_ne!(a, d);
        exchange_and_close(c, s).await;
    })
    .await
}

#[test]
fn sans_io_handshake_and_data() {
    let mut client = sans_io_client(client_config(), "localhost");
    let mut server = Connection::new_server(server_config("server"));
    assert!(client.is_handshaking() && server.is_handshaking());
    drive_handshake(&mut client, &mut server);
    assert!(!client.is_handshaking() && !server.is_handshaking());
    assert!(client.error().is_none() && server.error().is_none());
    assert_eq!(client.negotiated().version, Some(ProtocolVersion::TLSv1_3));
    assert_eq!(server.negotiated().version, Some(ProtocolVersion::TLSv1_3));
    assert_eq!(
        client.negotiated().cipher_suite,
        server.negotiated().cipher_suite
    );
    assert!(!client.negotiated().peer_certificates.is_empty());

    // Client -> server.
    assert_eq!(client.write_plaintext(b"hello sans-io").unwrap(), 13);
    let out = client.take_outgoing();
    server.feed(&out);
    server.process().unwrap();
    let mut buf = [0u8; 64];
    let n = server.read_plaintext(&mut buf);
    assert_eq!(&buf[..n], b"hello sans-io");

    // Server -> client, possibly after session tickets.
    server.write_plaintext(b"reply").unwrap();
    let out = server.take_outgoing();
    client.feed(&out);
    client.process().unwrap();
    let n = client.read_plaintext(&mut buf);
    assert_eq!(&buf[..n], b"reply");

    // close_notify both ways.
    client.send_close_notify();
    let out = client.take_outgoing();
    server.feed(&out);
    server.process().unwrap();
    assert!(server.received_close_notify());
    server.send_close_notify();
    let out = server.take_outgoing();
    client.feed(&out);
    client.process().unwrap();
    assert!(client.received_close_notify());
    assert_eq!(client.process_eof(), Ok(()));
    assert_eq!(server.process_eof(), Ok(()));
}

/// A ReloadableCert serves the new certificate to handshakes after a reload,
/// and a failed reload keeps the old one.
#[tokio::test]
async fn reloadable_certificate() {
    use lctls::config::ReloadableCert;
    timeout(async {
        let cert = Arc::new(ReloadableCert::new(certified_key("server", "server.key")));
        let sc = Arc::new(
            lctls::ServerConfig::builder()
                .with_cert_resolver(cert.clone())
                .build()
                .unwrap(),
        );
        let (c, _s) = pair(client_config(), sc.clone(), "localhost").await;
        assert_eq!(c.peer_certificates()[0], pem_certs("server.pem")[0]);
        cert.reload_pem_files(path("server-rsa.pem"), path("server-rsa.key"))
            .unwrap();
        let (c, _s) = pair(client_config(), sc.clone(), "localhost").await;
        assert_eq!(c.peer_certificates()[0], pem_certs("server-rsa.pem")[0]);
        let e = cert.reload_pem_files(path("missing.pem"), path("server.key"));
        assert!(matches!(e, Err(lctls::Error::Config(_))), "{e:?}");
        let (c, _s) = pair(client_config(), sc, "localhost").await;
        assert_eq!(c.peer_certificates()[0], pem_certs("server-rsa.pem")[0]);
    })
    .await
}

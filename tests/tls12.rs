//! TLS 1.2: lctls client and server in process, every suite and group,
//! resumption, mTLS, and the refusals.

mod support12 {
    use std::sync::Arc;

    use lctls::config::{CertifiedKey, ClientConfig, ServerConfig};
    use lctls::pki::RootStore;
    use lctls::proto::enums::ProtocolVersion;

    pub fn certs(name: &str) -> CertifiedKey {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");
        CertifiedKey::from_pem_files(format!("{dir}/{name}.pem"), format!("{dir}/{name}.key"))
            .unwrap()
    }

    pub fn roots() -> Arc<RootStore> {
        let mut r = RootStore::new();
        r.add_pem_file(concat!(env!("CARGO_MANIFEST_DIR"), "/certs/ca.pem"))
            .unwrap();
        Arc::new(r)
    }

    pub fn client12() -> lctls::config::ClientConfigBuilder {
        ClientConfig::builder()
            .with_root_store(roots())
            .with_protocol_versions(&[ProtocolVersion::TLSv1_2])
    }

    pub fn server(cert: &str) -> lctls::config::ServerConfigBuilder {
        ServerConfig::builder().with_certified_key(certs(cert))
    }
}

use std::sync::Arc;
use std::time::Duration;

use lctls::config::{ClientConfig, ServerConfig};
use lctls::proto::enums::{CipherSuite, NamedGroup, ProtocolVersion};
use lctls::{Error, TlsAcceptor, TlsConnector, TlsStream};
use support12::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};

type Pair = (TlsStream<DuplexStream>, TlsStream<DuplexStream>);

async fn pair(
    client: Arc<ClientConfig>,
    server: Arc<ServerConfig>,
) -> Result<Pair, (Option<Error>, Option<Error>)> {
    let (a, b) = tokio::io::duplex(64 * 1024);
    let acc = TlsAcceptor::from(server);
    let con = TlsConnector::from(client);
    let (c, s) = tokio::time::timeout(Duration::from_secs(20), async {
        tokio::join!(con.connect("localhost", a), acc.accept(b))
    })
    .await
    .expect("handshake timed out");
    match (c, s) {
        (Ok(c), Ok(s)) => Ok((c, s)),
        (c, s) => Err((
            c.err().and_then(|e| Error::from_io(&e).cloned()),
            s.err().and_then(|e| Error::from_io(&e).cloned()),
        )),
    }
}

async fn exchange((mut c, mut s): Pair) {
    c.write_all(b"ping over tls 1.2").await.unwrap();
    c.flush().await.unwrap();
    let mut buf = [0u8; 17];
    s.read_exact(&mut buf).await.unwrap();
    s.write_all(&buf).await.unwrap();
    s.shutdown().await.unwrap();
    let mut back = Vec::new();
    c.read_to_end(&mut back).await.unwrap();
    assert_eq!(back, b"ping over tls 1.2");
    c.shutdown().await.unwrap();
    let mut rest = Vec::new();
    s.read_to_end(&mut rest).await.unwrap();
    assert!(rest.is_empty());
}

#[tokio::test]
async fn every_suite_and_group() {
    let cases = [
        (
            "server",
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        ),
        (
            "server",
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        ),
        (
            "server",
            CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        ),
        (
            "server-rsa",
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        ),
        (
            "server-rsa",
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        ),
        (
            "server-rsa",
            CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        ),
        (
            "server-p384",
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        ),
        (
            "server-ed25519",
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        ),
    ];
    for (cert, suite) in cases {
        for group in [
            NamedGroup::X25519,
            NamedGroup::secp256r1,
            NamedGroup::secp384r1,
        ] {
            // The server picks the group; the client lists every curve, since
            // an ECDSA certificate's own curve must be among them (RFC 8422).
            let cc = client12().with_cipher_suites(&[suite]).build().unwrap();
            let sc = server(cert).with_groups(&[group]).build().unwrap();
            let p = pair(Arc::new(cc), Arc::new(sc))
                .await
                .unwrap_or_else(|e| panic!("{cert} {suite:?} {group:?}: {e:?}"));
            for side in [&p.0, &p.1] {
                assert_eq!(side.protocol_version(), Some(ProtocolVersion::TLSv1_2));
                assert_eq!(side.cipher_suite(), Some(suite));
                assert_eq!(side.key_exchange_group(), Some(group));
            }
            exchange(p).await;
        }
    }
}

#[tokio::test]
async fn highest_common_version_is_chosen() {
    // Both allow 1.3 and 1.2: 1.3.
    let cc = ClientConfig::builder()
        .with_root_store(roots())
        .build()
        .unwrap();
    let p = pair(Arc::new(cc), Arc::new(server("server").build().unwrap()))
        .await
        .unwrap();
    assert_eq!(p.0.protocol_version(), Some(ProtocolVersion::TLSv1_3));
    // A 1.2-only server with a 1.3+1.2 client: 1.2, with no downgrade alarm
    // because the server does not speak 1.3.
    let cc = ClientConfig::builder()
        .with_root_store(roots())
        .build()
        .unwrap();
    let sc = server("server")
        .with_protocol_versions(&[ProtocolVersion::TLSv1_2])
        .build()
        .unwrap();
    let p = pair(Arc::new(cc), Arc::new(sc)).await.unwrap();
    assert_eq!(p.0.protocol_version(), Some(ProtocolVersion::TLSv1_2));
    assert_eq!(p.1.protocol_version(), Some(ProtocolVersion::TLSv1_2));
    exchange(p).await;
}

#[tokio::test]
async fn resumption_by_ticket_and_by_session_id() {
    for tickets in [true, false] {
        let cc = Arc::new(client12().build().unwrap());
        let sc = Arc::new(server("server").with_tickets(tickets).build().unwrap());
        let first = pair(cc.clone(), sc.clone()).await.unwrap();
        assert!(!first.0.negotiated().resumed);
        exchange(first).await;
        let second = pair(cc.clone(), sc.clone()).await.unwrap();
        assert!(
            second.0.negotiated().resumed,
            "client resumed (tickets={tickets})"
        );
        assert!(
            second.1.negotiated().resumed,
            "server resumed (tickets={tickets})"
        );
        exchange(second).await;
    }
}

#[tokio::test]
async fn exporter_agrees() {
    let p = pair(
        Arc::new(client12().build().unwrap()),
        Arc::new(server("server").build().unwrap()),
    )
    .await
    .unwrap();
    let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
    p.0.export_keying_material(&mut a, b"EXPERIMENTAL test", Some(b"ctx"))
        .unwrap();
    p.1.export_keying_material(&mut b, b"EXPERIMENTAL test", Some(b"ctx"))
        .unwrap();
    assert_eq!(a, b);
}

#[tokio::test]
async fn default_client_resumes_with_tls12_only_server() {
    tokio::time::timeout(Duration::from_secs(30), async {
        for tickets in [true, false] {
            let cc = Arc::new(
                ClientConfig::builder()
                    .with_root_store(roots())
                    .build()
                    .unwrap(),
            );
            let sc = Arc::new(
                server("server")
                    .with_protocol_versions(&[ProtocolVersion::TLSv1_2])
                    .with_tickets(tickets)
                    .build()
                    .unwrap(),
            );
            let first = pair(cc.clone(), sc.clone()).await.unwrap();
            assert_eq!(first.0.protocol_version(), Some(ProtocolVersion::TLSv1_2));
            assert!(!first.0.negotiated().resumed);
            exchange(first).await;
            let second = pair(cc, sc).await.unwrap();
            assert_eq!(second.0.protocol_version(), Some(ProtocolVersion::TLSv1_2));
            assert!(second.0.negotiated().resumed, "tickets={tickets}");
            assert!(second.1.negotiated().resumed, "tickets={tickets}");
            exchange(second).await;
        }
    })
    .await
    .expect("test timed out");
}

/// RFC 8422 section 5.1: a P-256 certificate cannot serve a TLS 1.2 client
/// whose supported_groups leave out P-256.
#[tokio::test]
async fn ecdsa_certificate_needs_a_curve_the_client_supports() {
    let cc = client12()
        .with_groups(&[NamedGroup::X25519])
        .build()
        .unwrap();
    let sc = server("server").build().unwrap();
    let Err((client_err, server_err)) = pair(Arc::new(cc), Arc::new(sc)).await else {
        panic!("handshake succeeded with an unusable certificate curve");
    };
    assert!(
        matches!(&server_err, Some(Error::Protocol { alert: lctls::proto::enums::AlertDescription::HandshakeFailure, reason }) if reason.contains("secp256r1")),
        "{server_err:?}"
    );
    assert_eq!(
        client_err,
        Some(Error::AlertReceived(
            lctls::proto::enums::AlertDescription::HandshakeFailure
        ))
    );
    // The same client is served by an RSA certificate, whose key has no curve.
    let cc = client12()
        .with_groups(&[NamedGroup::X25519])
        .build()
        .unwrap();
    let p = pair(
        Arc::new(cc),
        Arc::new(server("server-rsa").build().unwrap()),
    )
    .await
    .unwrap();
    exchange(p).await;
}

/// Client certificates over TLS 1.2, in process: required, refused without a
/// certificate (handshake_failure: TLS 1.2 has no certificate_required), and
/// optional.
#[tokio::test]
async fn mutual_tls12() {
    use lctls::pki::DefaultClientVerifier;
    let verifier = |required: bool| {
        Arc::new(if required {
            DefaultClientVerifier::new(roots())
        } else {
            DefaultClientVerifier::optional(roots())
        })
    };
    // Required, with a certificate: the server sees the client's chain.
    let cc = client12()
        .with_client_cert(certs("client"))
        .build()
        .unwrap();
    let sc = server("server")
        .with_client_cert_verifier(verifier(true))
        .build()
        .unwrap();
    let p = pair(Arc::new(cc), Arc::new(sc)).await.unwrap();
    assert_eq!(p.1.peer_certificates().len(), 2);
    assert!(p.1.negotiated().peer_signature_scheme.is_some());
    exchange(p).await;
    // Required, without one: refused during the handshake.
    let cc = client12().build().unwrap();
    let sc = server("server")
        .with_client_cert_verifier(verifier(true))
        .build()
        .unwrap();
    let Err((client_err, server_err)) = pair(Arc::new(cc), Arc::new(sc)).await else {
        panic!("a required client certificate was not required");
    };
    assert!(
        matches!(
            &server_err,
            Some(Error::Protocol {
                alert: lctls::proto::enums::AlertDescription::HandshakeFailure,
                ..
            })
        ),
        "{server_err:?}"
    );
    assert_eq!(
        client_err,
        Some(Error::AlertReceived(
            lctls::proto::enums::AlertDescription::HandshakeFailure
        ))
    );
    // Optional, without one: accepted, no peer certificates.
    let cc = client12().build().unwrap();
    let sc = server("server")
        .with_client_cert_verifier(verifier(false))
        .build()
        .unwrap();
    let p = pair(Arc::new(cc), Arc::new(sc)).await.unwrap();
    assert!(p.1.peer_certificates().is_empty());
    exchange(p).await;
}

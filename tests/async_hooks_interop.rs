//! Asynchronous hooks against real peers (issue 14): our server with an
//! asynchronous resolver and a KMS-style signer wrapping a real aws-lc-rs
//! key against openssl s_client and rustls; our client with an asynchronous
//! verifier against openssl s_server and rustls; TLS 1.3 and TLS 1.2.

mod common;
mod support;

use std::sync::atomic::Ordering;
use std::sync::Arc;

use lctls::proto::enums::{AlertDescription, ProtocolVersion};
use lctls::{TlsAcceptor, TlsConnector};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use support::hooks::*;
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Serves `n` connections with the async resolver and signer, each reversing
/// one line (like `openssl s_server -rev`).
async fn hooked_tcp_server(
    version: ProtocolVersion,
    n: usize,
) -> (u16, tokio::task::JoinHandle<Arc<SlowSigner>>) {
    let (key, signer) = async_key("server", false);
    let acceptor = TlsAcceptor::from(hooked_server(Resolver::new(key, Mode::Sleep), version));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        for _ in 0..n {
            let (tcp, _) = listener.accept().await.unwrap();
            let mut tls = acceptor.accept(tcp).await.expect("server handshake");
            assert_eq!(tls.protocol_version(), Some(version));
            let mut line = Vec::new();
            let mut b = [0u8; 1];
            while !line.ends_with(b"\n") {
                assert_eq!(tls.read(&mut b).await.unwrap(), 1);
                line.push(b[0]);
            }
            line.pop();
            line.reverse();
            line.push(b'\n');
            tls.write_all(&line).await.unwrap();
            tls.flush().await.unwrap();
            let _ = tls.shutdown().await;
        }
        signer
    });
    (port, task)
}

fn openssl_version_flag(version: ProtocolVersion) -> &'static str {
    match version {
        ProtocolVersion::TLSv1_2 => "-tls1_2",
        _ => "-tls1_3",
    }
}

#[tokio::test]
async fn openssl_client_against_async_resolver_and_signer() {
    if !common::require("openssl") {
        return;
    }
    timeout(async {
        for version in [ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2] {
            let (port, server) = hooked_tcp_server(version, 1).await;
            let flag = openssl_version_flag(version);
            let mut c = common::openssl_s_client_version(port, flag, true, true, &[]);
            c.write(b"hello\n");
            assert!(
                c.wait_stdout_contains(b"olleh\n", common::TIMEOUT).await,
                "{}",
                c.describe()
            );
            c.close_stdin();
            let signer = server.await.unwrap();
            assert_eq!(signer.calls.load(Ordering::SeqCst), 1);
        }
    })
    .await
}

fn rustls_roots() -> rustls::RootCertStore {
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(path("ca.pem")).unwrap() {
        roots.add(c.unwrap()).unwrap();
    }
    roots
}

fn rustls_versions(
    version: ProtocolVersion,
) -> &'static [&'static rustls::SupportedProtocolVersion] {
    static TLS12: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS12];
    static TLS13: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS13];
    match version {
        ProtocolVersion::TLSv1_2 => &TLS12,
        _ => &TLS13,
    }
}

#[tokio::test]
async fn rustls_client_against_async_resolver_and_signer() {
    timeout(async {
        for version in [ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2] {
            let (port, server) = hooked_tcp_server(version, 1).await;
            let config = rustls::ClientConfig::builder_with_provider(Arc::new(
                rustls::crypto::aws_lc_rs::default_provider(),
            ))
            .with_protocol_versions(rustls_versions(version))
            .unwrap()
            .with_root_certificates(rustls_roots())
            .with_no_client_auth();
            let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
            let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .unwrap();
            let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
            let mut tls = connector
                .connect(name, tcp)
                .await
                .expect("rustls handshake");
            tls.write_all(b"hello\n").await.unwrap();
            tls.flush().await.unwrap();
            let mut got = Vec::new();
            let _ = tls.read_to_end(&mut got).await;
            assert_eq!(got, b"olleh\n");
            let signer = server.await.unwrap();
            assert_eq!(signer.calls.load(Ordering::SeqCst), 1);
        }
    })
    .await
}

fn verifying_client(version: ProtocolVersion, verifier: Arc<SlowVerifier>) -> TlsConnector {
    TlsConnector::from(client_with(|b| {
        b.with_protocol_versions(versions(version))
            .with_async_verifier(verifier)
    }))
}

#[tokio::test]
async fn async_verifier_against_openssl_server() {
    if !common::require("openssl") {
        return;
    }
    timeout(async {
        for version in [ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2] {
            let port = common::free_port();
            let flag = openssl_version_flag(version);
            let _server =
                common::openssl_s_server_version(port, "server.pem", "server.key", flag, &[]);
            let verifier = SlowVerifier::new(None);
            let connector = verifying_client(version, verifier.clone());
            let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .unwrap();
            let tls = connector
                .connect("localhost", tcp)
                .await
                .expect("handshake");
            assert_eq!(tls.protocol_version(), Some(version));
            assert_eq!(verifier.calls.load(Ordering::SeqCst), 1);
            common::reverse_roundtrip_and_close(tls, "hooked").await;
        }
    })
    .await
}

#[tokio::test]
async fn async_verifier_against_rustls_server() {
    timeout(async {
        for version in [ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2] {
            let chain: Vec<CertificateDer<'static>> = pem_certs("server.pem");
            let key = PrivateKeyDer::from_pem_file(path("server.key")).unwrap();
            let config = rustls::ServerConfig::builder_with_provider(Arc::new(
                rustls::crypto::aws_lc_rs::default_provider(),
            ))
            .with_protocol_versions(rustls_versions(version))
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .unwrap();
            let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let port = listener.local_addr().unwrap().port();
            let server = tokio::spawn(async move {
                // The first client refuses us; the second stays.
                for _ in 0..2 {
                    let (tcp, _) = listener.accept().await.unwrap();
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        continue;
                    };
                    let mut b = [0u8; 5];
                    if tls.read_exact(&mut b).await.is_err() {
                        continue;
                    }
                    tls.write_all(&b).await.unwrap();
                    tls.shutdown().await.unwrap();
                    return;
                }
            });
            for refuse in [Some(AlertDescription::BadCertificate), None] {
                let verifier = SlowVerifier::new(refuse);
                let connector = verifying_client(version, verifier.clone());
                let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .unwrap();
                let r = connector.connect("localhost", tcp).await;
                assert_eq!(verifier.calls.load(Ordering::SeqCst), 1);
                match refuse {
                    None => {
                        let mut tls = r.expect("handshake");
                        assert_eq!(tls.protocol_version(), Some(version));
                        tls.write_all(b"hello").await.unwrap();
                        let mut b = [0u8; 5];
                        tls.read_exact(&mut b).await.unwrap();
                        assert_eq!(&b, b"hello");
                    }
                    Some(alert) => assert_eq!(handshake_err(r).alert(), Some(alert)),
                }
            }
            server.await.unwrap();
        }
    })
    .await
}

/// Our client's certificate key in a (simulated) KMS: openssl s_server
/// requires a client certificate and verifies the signature it made.
#[tokio::test]
async fn async_client_signer_against_openssl_server() {
    if !common::require("openssl") {
        return;
    }
    timeout(async {
        for version in [ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2] {
            let port = common::free_port();
            let flag = openssl_version_flag(version);
            let ca = common::cert_arg("ca.pem");
            let _server = common::openssl_s_server_version(
                port,
                "server.pem",
                "server.key",
                flag,
                &["-Verify", "1", "-CAfile", &ca, "-verify_return_error"],
            );
            let signer = SlowSigner::new("client.key", false);
            let key = lctls::config::CertifiedKey::with_async_signer(
                pem_certs("client.pem"),
                Arc::new(SharedSigner(signer.clone())),
            )
            .unwrap();
            let connector = TlsConnector::from(client_with(|b| {
                b.with_protocol_versions(versions(version))
                    .with_client_cert(key)
            }));
            let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .unwrap();
            let tls = connector
                .connect("localhost", tcp)
                .await
                .expect("handshake");
            common::reverse_roundtrip_and_close(tls, "signed elsewhere").await;
            assert_eq!(signer.calls.load(Ordering::SeqCst), 1);
        }
    })
    .await
}

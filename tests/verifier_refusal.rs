//! A custom verifier's own refusal (`CertificateError::ApplicationRefused`)
//! sends the alert the verifier chose, on both sides, to a rustls peer; an
//! alert that does not report a refusal falls back to bad_certificate.

mod common;

use std::sync::Arc;
use std::time::Duration;

use lctls::config::{CertifiedKey, ClientConfig, ServerConfig};
use lctls::pki::{
    CertificateDer, CertificateError, ClientCertVerifier, ServerCertVerifier, ServerName, UnixTime,
};
use lctls::proto::enums::AlertDescription;
use lctls::{Error, TlsAcceptor, TlsConnector};
use rustls::crypto::aws_lc_rs as aws;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer as RCert, PrivateKeyDer};
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;

const TIMEOUT: Duration = Duration::from_secs(20);

/// Refuses every certificate with `alert`.
#[derive(Debug)]
struct Refuse(AlertDescription);

impl Refuse {
    fn error(&self) -> CertificateError {
        CertificateError::ApplicationRefused {
            reason: "not on the allow-list".into(),
            alert: self.0,
        }
    }
}

impl ServerCertVerifier for Refuse {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: UnixTime,
    ) -> Result<(), CertificateError> {
        Err(self.error())
    }
}

impl ClientCertVerifier for Refuse {
    fn verify_client_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: UnixTime,
    ) -> Result<(), CertificateError> {
        Err(self.error())
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }

    fn root_subjects(&self) -> Vec<Vec<u8>> {
        Vec::new()
    }
}

async fn tcp_pair() -> (TcpStream, TcpStream) {
    let l = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
    let addr = l.local_addr().expect("addr");
    let (c, s) = tokio::join!(TcpStream::connect(addr), l.accept());
    (c.expect("connect"), s.expect("accept").0)
}

fn chain(name: &str) -> Vec<RCert<'static>> {
    RCert::pem_file_iter(common::cert_path(name))
        .expect("pem")
        .collect::<Result<_, _>>()
        .expect("certs")
}

fn key(name: &str) -> PrivateKeyDer<'static> {
    PrivateKeyDer::from_pem_file(common::cert_path(name)).expect("key")
}

/// The rustls error as the alert it received.
fn received(e: &std::io::Error) -> Option<rustls::AlertDescription> {
    match e.get_ref()?.downcast_ref::<rustls::Error>()? {
        rustls::Error::AlertReceived(a) => Some(*a),
        _ => None,
    }
}

/// An lctls client refusing a rustls server's certificate with `alert`:
/// (what lctls reports, the alert rustls received).
async fn client_refuses(alert: AlertDescription) -> (Error, Option<rustls::AlertDescription>) {
    let config = ClientConfig::builder()
        .dangerous()
        .with_custom_verifier(Arc::new(Refuse(alert)))
        .build()
        .expect("client config");
    let server = rustls::ServerConfig::builder_with_provider(Arc::new(aws::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(chain("server.pem"), key("server.key"))
        .expect("server config");
    let (c, s) = tcp_pair().await;
    let name = ServerName::try_from("localhost").expect("name");
    let (ours, theirs) = tokio::join!(
        TlsConnector::from(Arc::new(config)).connect(name, c),
        async {
            let mut tls = tokio_rustls::TlsAcceptor::from(Arc::new(server))
                .accept(s)
                .await?;
            // TLS 1.3: the server finishes first; the alert comes after.
            let mut buf = [0u8; 16];
            tls.read(&mut buf).await
        }
    );
    let Err(ours) = ours else {
        panic!("lctls accepted the server")
    };
    let ours = Error::from_io(&ours).expect("an lctls error").clone();
    (ours, theirs.err().as_ref().and_then(received))
}

#[tokio::test]
async fn client_sends_the_verifiers_alert() {
    timeout(TIMEOUT, async {
        for (alert, want) in [
            (
                AlertDescription::HandshakeFailure,
                rustls::AlertDescription::HandshakeFailure,
            ),
            (
                AlertDescription::CertificateUnknown,
                rustls::AlertDescription::CertificateUnknown,
            ),
            // Not an alert that reports a refusal: bad_certificate instead.
            (
                AlertDescription::CloseNotify,
                rustls::AlertDescription::BadCertificate,
            ),
        ] {
            let (ours, theirs) = client_refuses(alert).await;
            assert!(
                matches!(
                    ours,
                    Error::Certificate(CertificateError::ApplicationRefused { .. })
                ),
                "{ours:?}"
            );
            assert_eq!(theirs, Some(want), "{alert:?}: lctls said {ours}");
        }
    })
    .await
    .expect("test timed out");
}

#[tokio::test]
async fn server_sends_the_verifiers_alert() {
    timeout(TIMEOUT, async {
        let ck = CertifiedKey::from_pem_files(
            common::cert_path("server.pem"),
            common::cert_path("server.key"),
        )
        .expect("server key");
        let config = ServerConfig::builder()
            .with_certified_key(ck)
            .with_client_cert_verifier(Arc::new(Refuse(AlertDescription::CertificateUnknown)))
            .build()
            .expect("server config");
        let mut roots = rustls::RootCertStore::empty();
        roots.add_parsable_certificates(chain("ca.pem"));
        let client = rustls::ClientConfig::builder_with_provider(Arc::new(aws::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_root_certificates(roots)
            .with_client_auth_cert(chain("client.pem"), key("client.key"))
            .expect("client config");
        let (c, s) = tcp_pair().await;
        let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
        let (ours, theirs) = tokio::join!(TlsAcceptor::from(Arc::new(config)).accept(s), async {
            let mut tls = tokio_rustls::TlsConnector::from(Arc::new(client))
                .connect(name, c)
                .await?;
            let mut buf = [0u8; 16];
            tls.read(&mut buf).await
        });
        let Err(ours) = ours else {
            panic!("lctls accepted the client")
        };
        let ours = Error::from_io(&ours).expect("an lctls error");
        assert_eq!(
            ours.alert(),
            Some(AlertDescription::CertificateUnknown),
            "{ours}"
        );
        assert_eq!(
            theirs.err().as_ref().and_then(received),
            Some(rustls::AlertDescription::CertificateUnknown)
        );
    })
    .await
    .expect("test timed out");
}

//! A peer whose certificate_list holds bytes that are not a DER certificate
//! (BoGo's GarbageCertificate-*): lctls refuses it with decode_error, as
//! OpenSSL, BoringSSL and rustls do (RFC 8446 section 6.2: a message that
//! could not be decoded). The peer is a rustls server whose certificate
//! resolver hands out garbage with a real signing key.

mod support;

use std::sync::Arc;

use lctls::pki::CertificateError;
use lctls::proto::enums::AlertDescription;
use lctls::{Error, TlsConnector};
use rustls::crypto::aws_lc_rs as aws;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use support::{client_config, handshake_err, path, timeout};
use tokio::io::AsyncReadExt;

/// Always presents one certificate that is not DER at all.
#[derive(Debug)]
struct Garbage(Arc<CertifiedKey>);

impl ResolvesServerCert for Garbage {
    fn resolve(&self, _: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }
}

fn garbage_server() -> tokio_rustls::TlsAcceptor {
    let key = PrivateKeyDer::from_pem_file(path("server.key")).unwrap();
    let signer = aws::sign::any_supported_type(&key).unwrap();
    // BoGo's garbage: an ASN.1 APPLICATION tag where a SEQUENCE belongs.
    let garbage = CertificateDer::from(b"\x47garbage certificate".to_vec());
    let ck = Arc::new(CertifiedKey::new(vec![garbage], signer));
    let c = rustls::ServerConfig::builder_with_provider(Arc::new(aws::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(Garbage(ck)));
    tokio_rustls::TlsAcceptor::from(Arc::new(c))
}

#[tokio::test]
async fn unparseable_server_certificate_is_decode_error() {
    timeout(async {
        let (c, s) = tokio::io::duplex(64 * 1024);
        let server = tokio::spawn(async move {
            // rustls reports the alert our client sent.
            match garbage_server().accept(s).await {
                Ok(mut tls) => {
                    let mut buf = [0u8; 16];
                    tls.read(&mut buf).await.map(|_| ())
                }
                Err(e) => Err(e),
            }
        });
        let err = handshake_err(
            TlsConnector::from(client_config())
                .connect("localhost", c)
                .await,
        );
        assert!(
            matches!(
                err,
                Error::Certificate(CertificateError::BadEncoding { .. })
            ),
            "{err:?}"
        );
        assert_eq!(err.alert(), Some(AlertDescription::DecodeError));
        let theirs = server
            .await
            .unwrap()
            .expect_err("rustls must see our alert");
        let text = theirs.to_string();
        assert!(
            text.contains("DecodeError"),
            "rustls received {text} instead of decode_error"
        );
    })
    .await
}

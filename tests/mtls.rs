//! Mutual TLS between lctls client and server, in process.

use std::sync::Arc;
use std::time::Duration;

use lctls::config::{CertifiedKey, ClientConfig, ServerConfig};
use lctls::pki::{CertificateError, DefaultClientVerifier, RootStore};
use lctls::proto::enums::AlertDescription;
use lctls::{Error, TlsAcceptor, TlsConnector};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn cert(name: &str) -> CertifiedKey {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");
    CertifiedKey::from_pem_files(format!("{dir}/{name}.pem"), format!("{dir}/{name}.key")).unwrap()
}

fn roots(file: &str) -> Arc<RootStore> {
    let mut r = RootStore::new();
    r.add_pem_file(format!("{}/certs/{file}", env!("CARGO_MANIFEST_DIR")))
        .unwrap();
    Arc::new(r)
}

fn server(verifier: DefaultClientVerifier) -> TlsAcceptor {
    let config = ServerConfig::builder()
        .with_certified_key(cert("server"))
        .with_client_cert_verifier(Arc::new(verifier))
        .build()
        .unwrap();
    TlsAcceptor::from(Arc::new(config))
}

fn client(client_cert: Option<&str>) -> TlsConnector {
    let mut b = ClientConfig::builder().with_root_store(roots("ca.pem"));
    if let Some(c) = client_cert {
        b = b.with_client_cert(cert(c));
    }
    TlsConnector::from(Arc::new(b.build().unwrap()))
}

/// Runs one connection; returns the server's result (client chain length)
/// and the client's result of reading the echo.
async fn run(
    acceptor: TlsAcceptor,
    connector: TlsConnector,
) -> (Result<usize, Error>, Result<Vec<u8>, Error>) {
    let (a, b) = tokio::io::duplex(64 * 1024);
    let server = tokio::spawn(async move {
        let mut s = acceptor
            .accept(b)
            .await
            .map_err(|e| Error::from_io(&e).unwrap().clone())?;
        let n = s.peer_certificates().len();
        let mut buf = [0u8; 4];
        s.read_exact(&mut buf).await.unwrap();
        s.write_all(&buf).await.unwrap();
        s.shutdown().await.unwrap();
        Ok(n)
    });
    let client = async move {
        let mut c = connector
            .connect("localhost", a)
            .await
            .map_err(|e| Error::from_io(&e).unwrap().clone())?;
        c.write_all(b"ping").await.unwrap();
        c.flush().await.unwrap();
        let mut out = Vec::new();
        c.read_to_end(&mut out)
            .await
            .map_err(|e| Error::from_io(&e).unwrap().clone())?;
        Ok(out)
    };
    let (c, s) = tokio::time::timeout(Duration::from_secs(20), async {
        tokio::join!(client, server)
    })
    .await
    .expect("mTLS test timed out");
    (s.unwrap(), c)
}

#[tokio::test]
async fn required_client_certificate_is_verified_and_exposed() {
    let (s, c) = run(
        server(DefaultClientVerifier::new(roots("ca.pem"))),
        client(Some("client")),
    )
    .await;
    assert_eq!(
        s.unwrap(),
        2,
        "server sees the client's leaf and intermediate"
    );
    assert_eq!(c.unwrap(), b"ping");
}

#[tokio::test]
async fn required_mode_refuses_a_client_without_certificate() {
    let (s, c) = run(
        server(DefaultClientVerifier::new(roots("ca.pem"))),
        client(None),
    )
    .await;
    assert!(
        matches!(
            s,
            Err(Error::Protocol {
                alert: AlertDescription::CertificateRequired,
                ..
            })
        ),
        "{s:?}"
    );
    assert_eq!(
        c,
        Err(Error::AlertReceived(AlertDescription::CertificateRequired))
    );
}

#[tokio::test]
async fn optional_mode_accepts_a_client_without_certificate() {
    let (s, c) = run(
        server(DefaultClientVerifier::optional(roots("ca.pem"))),
        client(None),
    )
    .await;
    assert_eq!(s.unwrap(), 0);
    assert_eq!(c.unwrap(), b"ping");
}

#[tokio::test]
async fn client_certificate_from_an_unknown_ca_is_refused() {
    let (s, c) = run(
        server(DefaultClientVerifier::new(roots("other-ca.pem"))),
        client(Some("client")),
    )
    .await;
    assert!(
        matches!(
            s,
            Err(Error::Certificate(CertificateError::UnknownIssuer { .. }))
        ),
        "{s:?}"
    );
    assert_eq!(c, Err(Error::AlertReceived(AlertDescription::UnknownCA)));
}

#[tokio::test]
async fn server_only_certificate_is_refused_as_client_certificate() {
    let (s, c) = run(
        server(DefaultClientVerifier::new(roots("ca.pem"))),
        client(Some("server")),
    )
    .await;
    assert!(
        matches!(
            s,
            Err(Error::Certificate(CertificateError::InvalidPurpose { .. }))
        ),
        "{s:?}"
    );
    assert_eq!(
        c,
        Err(Error::AlertReceived(AlertDescription::BadCertificate))
    );
}

/// ClientCertChooser picks the certificate issued under the authorities the
/// server names, even when another one was added first.
#[tokio::test]
async fn chooser_follows_the_servers_ca_hints() {
    use lctls::config::{ClientCertChooser, ResolvesClientCert};
    use lctls::proto::enums::SignatureScheme;
    let mut chooser = ClientCertChooser::new();
    // Issued under other-ca: not what a server trusting ca.pem asks for.
    chooser.add(cert("untrusted")).unwrap();
    chooser.add(cert("client")).unwrap();
    let chooser = Arc::new(chooser);
    // Without hints, the first usable certificate.
    let schemes = [SignatureScheme::ECDSA_NISTP256_SHA256];
    let first = chooser.resolve(&[], &schemes).unwrap();
    assert_eq!(first.chain[0], cert("untrusted").chain[0]);
    // No certificate can sign what the server accepts: none.
    assert!(chooser.resolve(&[], &[SignatureScheme::ED25519]).is_none());

    let config = ClientConfig::builder()
        .with_root_store(roots("ca.pem"))
        .with_client_cert_resolver(chooser)
        .build()
        .unwrap();
    let (s, c) = run(
        server(DefaultClientVerifier::new(roots("ca.pem"))),
        TlsConnector::from(Arc::new(config)),
    )
    .await;
    assert_eq!(s.unwrap(), 2, "the client chain under ca.pem was chosen");
    assert_eq!(c.unwrap(), b"ping");
}

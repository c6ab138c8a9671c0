//! TLS 1.3 certificate compression (RFC 8879) against rustls, both ways: a
//! test algorithm (code point 0xff02, "prefix 1, 2, 3, 4") on both sides,
//! counting its calls, so each test knows whether the certificate really
//! travelled compressed. Also: a decompression that yields the wrong length
//! and an announced length above our limit are bad_certificate, and TLS 1.2
//! never compresses.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use lctls::config::{CertCompressor, ClientConfig};
use lctls::proto::enums::{AlertDescription, ProtocolVersion};
use lctls::{Error, TlsAcceptor, TlsConnector};
use rustls::compress::{
    CertCompressor as RustlsCompressor, CertDecompressor, CompressionFailed, CompressionLevel,
    DecompressionFailed,
};
use rustls::CertificateCompressionAlgorithm;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use support::{path, timeout};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ALG: u16 = 0xff02;
const PREFIX: [u8; 4] = [1, 2, 3, 4];

/// Our side of the test algorithm; `broken` decompresses one byte short.
#[derive(Debug, Default)]
struct Prefix {
    compressed: AtomicUsize,
    decompressed: AtomicUsize,
    broken: bool,
}

impl CertCompressor for Prefix {
    fn algorithm(&self) -> u16 {
        ALG
    }
    fn compress(&self, certificate: &[u8]) -> Option<Vec<u8>> {
        self.compressed.fetch_add(1, Ordering::SeqCst);
        Some([&PREFIX[..], certificate].concat())
    }
    fn decompress(&self, compressed: &[u8], len: usize) -> Option<Vec<u8>> {
        self.decompressed.fetch_add(1, Ordering::SeqCst);
        let out = compressed.strip_prefix(&PREFIX[..])?;
        let keep = if self.broken { len - 1 } else { len };
        Some(out[..keep.min(out.len())].to_vec())
    }
}

/// rustls's side of the same algorithm, counting calls. With `.1` set its
/// compressor sends only the prefix: a message far shorter than the length
/// it announces.
#[derive(Debug)]
struct RustlsPrefix(AtomicUsize, bool);

impl RustlsCompressor for RustlsPrefix {
    fn compress(&self, input: Vec<u8>, _: CompressionLevel) -> Result<Vec<u8>, CompressionFailed> {
        self.0.fetch_add(1, Ordering::SeqCst);
        if self.1 {
            return Ok(PREFIX.to_vec());
        }
        Ok([&PREFIX[..], &input].concat())
    }
    fn algorithm(&self) -> CertificateCompressionAlgorithm {
        CertificateCompressionAlgorithm::Unknown(ALG)
    }
}

impl CertDecompressor for RustlsPrefix {
    fn decompress(&self, input: &[u8], output: &mut [u8]) -> Result<(), DecompressionFailed> {
        self.0.fetch_add(1, Ordering::SeqCst);
        match input.strip_prefix(&PREFIX[..]) {
            Some(body) if body.len() == output.len() => {
                output.copy_from_slice(body);
                Ok(())
            }
            _ => Err(DecompressionFailed),
        }
    }
    fn algorithm(&self) -> CertificateCompressionAlgorithm {
        CertificateCompressionAlgorithm::Unknown(ALG)
    }
}

/// A 'static rustls algorithm instance (rustls configs hold `&'static dyn`).
fn rustls_prefix(short: bool) -> &'static RustlsPrefix {
    Box::leak(Box::new(RustlsPrefix(AtomicUsize::new(0), short)))
}

fn rustls_provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

fn rustls_client(
    version: &'static rustls::SupportedProtocolVersion,
    decompressor: &'static RustlsPrefix,
) -> tokio_rustls::TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(path("ca.pem")).unwrap() {
        roots.add(c.unwrap()).unwrap();
    }
    let mut c = rustls::ClientConfig::builder_with_provider(rustls_provider())
        .with_protocol_versions(&[version])
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    c.cert_decompressors = vec![decompressor];
    tokio_rustls::TlsConnector::from(Arc::new(c))
}

fn rustls_server(compressor: &'static RustlsPrefix) -> tokio_rustls::TlsAcceptor {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path("server.pem"))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(path("server.key")).unwrap();
    let mut c = rustls::ServerConfig::builder_with_provider(rustls_provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    c.cert_compressors = vec![compressor];
    tokio_rustls::TlsAcceptor::from(Arc::new(c))
}

/// Our server (certs/server.pem, compressing with `ours`) against a rustls
/// client of `version` that can decompress the test algorithm; both ends
/// exchange a line. Returns how often rustls decompressed.
async fn our_server_to_rustls(
    version: &'static rustls::SupportedProtocolVersion,
    ours: Arc<Prefix>,
) -> usize {
    let config = support::server_builder("server")
        .with_cert_compression(&[ours])
        .build()
        .unwrap();
    let theirs = rustls_prefix(false);
    let (a, b) = tokio::io::duplex(64 * 1024);
    let connector = rustls_client(version, theirs);
    let name = ServerName::try_from("localhost").unwrap();
    let (client, server) = timeout(async {
        tokio::join!(
            connector.connect(name, a),
            TlsAcceptor::from(Arc::new(config)).accept(b)
        )
    })
    .await;
    let (mut client, mut server) = (client.expect("rustls client"), server.expect("our server"));
    timeout(async {
        client.write_all(b"ping\n").await.unwrap();
        client.flush().await.unwrap();
        let mut buf = [0u8; 5];
        server.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"ping\n");
    })
    .await;
    theirs.0.load(Ordering::SeqCst)
}

#[tokio::test]
async fn our_server_compresses_for_rustls() {
    let ours = Arc::new(Prefix::default());
    let decompressed = our_server_to_rustls(&rustls::version::TLS13, ours.clone()).await;
    assert_eq!(ours.compressed.load(Ordering::SeqCst), 1);
    assert_eq!(decompressed, 1, "rustls received a CompressedCertificate");
}

/// TLS 1.2 has no CompressedCertificate: the extension is ignored.
#[tokio::test]
async fn tls12_never_compresses() {
    let ours = Arc::new(Prefix::default());
    let decompressed = our_server_to_rustls(&rustls::version::TLS12, ours.clone()).await;
    assert_eq!(ours.compressed.load(Ordering::SeqCst), 0);
    assert_eq!(decompressed, 0);
}

/// Our client (decompressing with `ours`, at most `max` bytes per handshake
/// message) against a rustls server compressing its certificate (`short`:
/// see [`RustlsPrefix`]). Returns our handshake and how often rustls compressed.
async fn our_client_to_rustls(
    ours: Arc<Prefix>,
    max: usize,
    short: bool,
) -> (
    std::io::Result<lctls::TlsStream<tokio::io::DuplexStream>>,
    usize,
) {
    let theirs = rustls_prefix(short);
    let config: ClientConfig = support::client_builder()
        .with_protocol_versions(&[ProtocolVersion::TLSv1_3])
        // X25519 alone keeps the ServerHello small (a hybrid share would
        // exceed the tight message limit of the oversized test by itself).
        .with_groups(&[lctls::proto::enums::NamedGroup::X25519])
        .with_cert_compression(&[ours])
        .with_max_handshake_message(max)
        .build()
        .unwrap();
    let (a, b) = tokio::io::duplex(64 * 1024);
    let acceptor = rustls_server(theirs);
    let (client, _server) = timeout(async {
        tokio::join!(
            TlsConnector::from(Arc::new(config)).connect("localhost", a),
            acceptor.accept(b)
        )
    })
    .await;
    (client, theirs.0.load(Ordering::SeqCst))
}

#[tokio::test]
async fn our_client_decompresses_from_rustls() {
    let ours = Arc::new(Prefix::default());
    let (client, compressed) = our_client_to_rustls(ours.clone(), 64 * 1024, false).await;
    let client = client.expect("handshake with a compressed certificate");
    assert_eq!(compressed, 1, "rustls sent a CompressedCertificate");
    assert_eq!(ours.decompressed.load(Ordering::SeqCst), 1);
    assert_eq!(
        client.negotiated().peer_certificates,
        support::pem_certs("server.pem")
    );
}

/// A decompression whose output is not the announced length fails the
/// handshake with bad_certificate (RFC 8879 section 4).
#[tokio::test]
async fn wrong_decompressed_length_is_bad_certificate() {
    let ours = Arc::new(Prefix {
        broken: true,
        ..Default::default()
    });
    let (client, _) = our_client_to_rustls(ours, 64 * 1024, false).await;
    let err = support::handshake_err(client);
    assert_eq!(err.alert(), Some(AlertDescription::BadCertificate), "{err}");
    assert!(err.to_string().contains("did not decompress"), "{err}");
}

/// An announced length above our maximum handshake message is refused
/// before anything is decompressed (no unbounded allocation): the server's
/// certificate is about 1 KB once decompressed, its CompressedCertificate
/// (and every other message) far less than our 700-byte limit.
#[tokio::test]
async fn oversized_compressed_certificate_is_refused_before_decompressing() {
    let ours = Arc::new(Prefix::default());
    let (client, _) = our_client_to_rustls(ours.clone(), 700, true).await;
    let err = support::handshake_err(client);
    assert_eq!(err.alert(), Some(AlertDescription::BadCertificate), "{err}");
    assert!(
        err.to_string().contains("more than the 700 we accept"),
        "{err}"
    );
    assert_eq!(ours.decompressed.load(Ordering::SeqCst), 0);
}

/// Naming one algorithm twice is a configuration mistake.
#[test]
fn duplicate_algorithm_is_refused() {
    let a: Arc<dyn CertCompressor> = Arc::new(Prefix::default());
    let err = support::client_builder()
        .with_cert_compression(&[a.clone(), a])
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err}");
}

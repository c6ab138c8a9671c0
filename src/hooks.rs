//! Asynchronous hooks: certificate selection, signing and verification that
//! run in the middle of a handshake and may wait (a database, an ACME
//! client, a KMS or HSM across the network, a remote policy service).
//!
//! The sans-IO [`Connection`](crate::proto::Connection) never runs a
//! hook itself: when it reaches one it pauses, and
//! [`Connection::pending`](crate::proto::Connection::pending) names
//! what it waits for ([`Request`]). The Tokio futures
//! ([`TlsAcceptor`](crate::TlsAcceptor), [`TlsConnector`](crate::TlsConnector))
//! run the configured hook and hand its [`Answer`] to
//! [`Connection::resume_with`](crate::proto::Connection::resume_with);
//! their handshake timeout covers the time a hook takes. Without an
//! asynchronous hook configured nothing pauses.
//!
//! The futures are `'static`: they outlive the borrow of the connection
//! that asked for them (the handshake future holds both), so a hook clones
//! what it needs (an `Arc` of its client, say) into the future. Every method
//! takes `&self` and returns a boxed future, so the traits stay object-safe.
//!
//! What a hook's failure sends the peer: a certificate selection that
//! finds nothing gives unrecognized_name when the client sent a server name
//! and handshake_failure when it sent none (RFC 6066 section 3, RFC 8446
//! section 4.4.2.2), and an error of the resolver's own keeps its alert
//! (internal_error when it has none); a failed signature gives internal_error;
//! a refused certificate gives the alert of its [`CertificateError`] (see
//! [`CertificateError::ApplicationRefused`]).
//!
//! A server whose certificate comes from a store that answers later (here
//! a task that sleeps), and a client connecting to it:
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//! use lctls::config::{CertifiedKey, ClientConfig, ServerConfig};
//! use lctls::hooks::{AsyncResolvesServerCert, ClientHelloDetails, HookFuture};
//! use lctls::pki::RootStore;
//! use lctls::{TlsAcceptor, TlsConnector};
//!
//! #[derive(Debug)]
//! struct Remote(Arc<CertifiedKey>);
//!
//! impl AsyncResolvesServerCert for Remote {
//!     fn resolve(
//!         &self,
//!         hello: ClientHelloDetails,
//!     ) -> HookFuture<Result<Option<Arc<CertifiedKey>>, lctls::Error>> {
//!         let key = self.0.clone();
//!         Box::pin(async move {
//!             // A database or an ACME client would be awaited here.
//!             tokio::time::sleep(Duration::from_millis(10)).await;
//!             Ok(hello.fits(&key).then_some(key))
//!         })
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");
//! let key = CertifiedKey::from_pem_files(format!("{dir}/server.pem"), format!("{dir}/server.key"))?;
//! let server = ServerConfig::builder()
//!     .with_async_cert_resolver(Arc::new(Remote(Arc::new(key))))
//!     .build()?;
//! let mut roots = RootStore::new();
//! roots.add_pem_file(format!("{dir}/ca.pem"))?;
//! let client = ClientConfig::builder().with_root_store(Arc::new(roots)).build()?;
//!
//! let (a, b) = tokio::io::duplex(64 * 1024);
//! let (c, s) = tokio::join!(
//!     TlsConnector::from(Arc::new(client)).connect("localhost", a),
//!     TlsAcceptor::from(Arc::new(server)).accept(b),
//! );
//! assert_eq!(c?.server_name(), s?.server_name());
//! # Ok(()) }
//! ```

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

use crate::config::{CertifiedKey, ClientHelloInfo, ServerConfig};
use crate::error::Error;
use crate::pki::CertificateError;
use crate::proto::wire::enums::{CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme};

pub use crate::proto::conn::{Answer, Request};

/// The future a hook returns: boxed, `Send`, owning what it uses.
pub type HookFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// What the client offered, owned, for an asynchronous certificate choice
/// (the owned form of [`ClientHelloInfo`]).
#[derive(Clone)]
#[non_exhaustive]
pub struct ClientHelloDetails {
    /// The SNI host name, if the client sent one.
    pub server_name: Option<String>,
    /// The signature schemes the client accepts.
    pub signature_schemes: Vec<SignatureScheme>,
    /// The ALPN protocols the client offered.
    pub alpn: Vec<Vec<u8>>,
    /// The protocol version being negotiated (TLS 1.3 or TLS 1.2).
    pub version: ProtocolVersion,
    /// The cipher suites the client offered.
    pub cipher_suites: Vec<CipherSuite>,
    /// The client's supported_groups, if it sent them.
    pub groups: Option<Vec<NamedGroup>>,
    /// The client's certificate_authorities hint (DER names; empty when none).
    pub certificate_authorities: Vec<Vec<u8>>,
    /// For [`ClientHelloDetails::fits`]: our signing schemes and suites.
    config: Arc<ServerConfig>,
}

impl std::fmt::Debug for ClientHelloDetails {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientHelloDetails")
            .field("server_name", &self.server_name)
            .field("version", &self.version)
            .field("alpn", &self.alpn)
            .finish_non_exhaustive()
    }
}

impl ClientHelloDetails {
    pub(crate) fn new(info: &ClientHelloInfo<'_>, config: Arc<ServerConfig>) -> Self {
        ClientHelloDetails {
            server_name: info.server_name.map(String::from),
            signature_schemes: info.signature_schemes.to_vec(),
            alpn: info.alpn.to_vec(),
            version: info.version,
            cipher_suites: info.cipher_suites.to_vec(),
            groups: info.groups.map(<[NamedGroup]>::to_vec),
            certificate_authorities: info.certificate_authorities.to_vec(),
            config,
        }
    }

    /// The borrowed view the handshake and [`ClientHelloInfo::fits`] use.
    pub(crate) fn info(&self) -> ClientHelloInfo<'_> {
        ClientHelloInfo {
            server_name: self.server_name.as_deref(),
            signature_schemes: &self.signature_schemes,
            alpn: &self.alpn,
            version: self.version,
            cipher_suites: &self.cipher_suites,
            groups: self.groups.as_deref(),
            certificate_authorities: &self.certificate_authorities,
            shared: &self.config.shared,
        }
    }

    /// Whether `key` can serve this client (see [`ClientHelloInfo::fits`]).
    pub fn fits(&self, key: &CertifiedKey) -> bool {
        self.info().fits(key)
    }
}

/// Chooses the server's certificate asynchronously (configure it with
/// [`ServerConfigBuilder::with_async_cert_resolver`](crate::config::ServerConfigBuilder::with_async_cert_resolver)).
///
/// `Ok(None)` fails the handshake with unrecognized_name when the client
/// sent a server name, handshake_failure otherwise; `Err(e)` fails it with
/// `e`'s alert (internal_error for an error without one). A resumed
/// handshake chooses no certificate and never calls this.
///
/// ```
/// use std::sync::Arc;
/// use lctls::config::CertifiedKey;
/// use lctls::hooks::{AsyncResolvesServerCert, ClientHelloDetails, HookFuture};
///
/// #[derive(Debug)]
/// struct FromStore(Arc<CertifiedKey>);
///
/// impl AsyncResolvesServerCert for FromStore {
///     fn resolve(
///         &self,
///         hello: ClientHelloDetails,
///     ) -> HookFuture<Result<Option<Arc<CertifiedKey>>, lctls::Error>> {
///         let key = self.0.clone();
///         Box::pin(async move {
///             // A real resolver would await its database here.
///             Ok((hello.server_name.as_deref() == Some("localhost")).then_some(key))
///         })
///     }
/// }
/// ```
pub trait AsyncResolvesServerCert: Send + Sync + std::fmt::Debug {
    /// The certificate for `hello`.
    fn resolve(
        &self,
        hello: ClientHelloDetails,
    ) -> HookFuture<Result<Option<Arc<CertifiedKey>>, Error>>;
}

/// A private key held elsewhere (a KMS, an HSM, a signing service) that
/// signs asynchronously. Put it in a certificate with
/// [`CertifiedKey::with_async_signer`]; a server signs its TLS 1.3
/// CertificateVerify and TLS 1.2 ServerKeyExchange with it, a client its
/// CertificateVerify (TLS 1.3 and 1.2).
pub trait AsyncSigningKey: Send + Sync + std::fmt::Debug {
    /// The schemes the key signs with, in its order of preference (TLS 1.3
    /// uses those of them it allows; TLS 1.2 may also use PKCS#1 v1.5).
    fn schemes(&self) -> &[SignatureScheme];

    /// The public key as a certificate's SubjectPublicKeyInfo BIT STRING
    /// holds it (the uncompressed point for ECDSA, the 32 bytes for Ed25519,
    /// the DER RSAPublicKey for RSA): checked against the certificate.
    fn public_key(&self) -> Vec<u8>;

    /// Signs `message` (the bytes to sign, not a digest) with `scheme`.
    /// An error fails the handshake with internal_error.
    fn sign(&self, scheme: SignatureScheme, message: Vec<u8>)
        -> HookFuture<Result<Vec<u8>, Error>>;
}

/// The server chain a client verifies, owned.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ServerCertInput {
    /// The end-entity certificate.
    pub end_entity: CertificateDer<'static>,
    /// The rest of the chain, as the server sent it.
    pub intermediates: Vec<CertificateDer<'static>>,
    /// The name the client connected to.
    pub server_name: ServerName<'static>,
    /// The time of the verification.
    pub now: UnixTime,
}

/// The client chain a server verifies, owned.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ClientCertInput {
    /// The end-entity certificate.
    pub end_entity: CertificateDer<'static>,
    /// The rest of the chain, as the client sent it.
    pub intermediates: Vec<CertificateDer<'static>>,
    /// The time of the verification.
    pub now: UnixTime,
}

/// Verifies the server's chain asynchronously, on a client (configure it
/// with [`ClientConfigBuilder::with_async_verifier`](crate::config::ClientConfigBuilder::with_async_verifier)).
///
/// It runs after the configured [`ServerCertVerifier`](crate::pki::ServerCertVerifier)
/// (the default one validates the path to the roots) accepted the chain,
/// and its answer decides: a remote policy or an OCSP fetch on top of path
/// validation, never instead of it. An error fails the handshake with the
/// alert it names.
pub trait AsyncServerCertVerifier: Send + Sync + std::fmt::Debug {
    /// Accepts or refuses `chain`.
    fn verify_server_cert(
        &self,
        chain: ServerCertInput,
    ) -> HookFuture<Result<(), CertificateError>>;
}

/// Verifies a client's chain asynchronously, on a server (configure it
/// with [`ServerConfigBuilder::with_async_client_verifier`](crate::config::ServerConfigBuilder::with_async_client_verifier)).
///
/// It runs after the configured [`ClientCertVerifier`](crate::pki::ClientCertVerifier)
/// accepted the chain (that verifier also decides whether a certificate is
/// required and which authorities are hinted); a client that sends no
/// certificate is not passed to it.
pub trait AsyncClientCertVerifier: Send + Sync + std::fmt::Debug {
    /// Accepts or refuses `chain`.
    fn verify_client_cert(
        &self,
        chain: ClientCertInput,
    ) -> HookFuture<Result<(), CertificateError>>;
}

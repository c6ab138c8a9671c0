//! Server configuration.

use std::sync::Arc;

use crate::config::resolver::SingleCert;
use crate::config::{
    check_alpn, default_groups, default_suites, resolve_groups, resolve_suites, CertifiedKey,
    ResolvesServerCert, SystemTime, TimeProvider,
};
use crate::error::Error;
use crate::pki::ClientCertVerifier;
use crate::proto::crypto::suites::Tls13CipherSuite;
use crate::proto::wire::enums::{CipherSuite, NamedGroup};
use crate::proto::wire::handshake::DEFAULT_MAX_HANDSHAKE_MESSAGE;

/// How a server accepts connections: its certificates and what it allows.
///
/// ```
/// use lctls::config::{CertifiedKey, ServerConfig};
/// # fn main() -> Result<(), lctls::Error> {
/// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");
/// let config = ServerConfig::builder()
///     .with_certified_key(CertifiedKey::from_pem_files(
///         format!("{dir}/server.pem"),
///         format!("{dir}/server.key"),
///     )?)
///     .with_alpn_protocols(&["http/1.1"])
///     .build()?;
/// # let _ = config; Ok(()) }
/// ```
#[derive(Debug)]
pub struct ServerConfig {
    pub(crate) resolver: Arc<dyn ResolvesServerCert>,
    pub(crate) alpn: Vec<Vec<u8>>,
    pub(crate) suites: Vec<&'static Tls13CipherSuite>,
    pub(crate) groups: Vec<NamedGroup>,
    pub(crate) max_handshake_message: usize,
    pub(crate) max_fragment: usize,
    pub(crate) client_verifier: Option<Arc<dyn ClientCertVerifier>>,
    pub(crate) time: Arc<dyn TimeProvider>,
}

impl ServerConfig {
    /// Starts a builder.
    pub fn builder() -> ServerConfigBuilder {
        ServerConfigBuilder {
            resolver: None,
            alpn: Vec::new(),
            suites: None,
            groups: None,
            max_handshake_message: DEFAULT_MAX_HANDSHAKE_MESSAGE,
            max_fragment: crate::proto::record::codec::MAX_PLAINTEXT,
            client_verifier: None,
            time: Arc::new(SystemTime),
        }
    }
}

/// Builds a [`ServerConfig`].
#[derive(Debug)]
pub struct ServerConfigBuilder {
    resolver: Option<Arc<dyn ResolvesServerCert>>,
    alpn: Vec<Vec<u8>>,
    suites: Option<Vec<CipherSuite>>,
    groups: Option<Vec<NamedGroup>>,
    max_handshake_message: usize,
    max_fragment: usize,
    client_verifier: Option<Arc<dyn ClientCertVerifier>>,
    time: Arc<dyn TimeProvider>,
}

impl ServerConfigBuilder {
    /// Asks clients for a certificate and verifies it with `verifier`
    /// (see [`crate::pki::DefaultClientVerifier`] for required and optional modes).
    pub fn with_client_cert_verifier(mut self, verifier: Arc<dyn ClientCertVerifier>) -> Self {
        self.client_verifier = Some(verifier);
        self
    }

    /// Uses this clock for client certificate validity.
    pub fn with_time_provider(mut self, time: Arc<dyn TimeProvider>) -> Self {
        self.time = time;
        self
    }

    /// Presents this certificate to every client.
    pub fn with_certified_key(mut self, key: CertifiedKey) -> Self {
        self.resolver = Some(Arc::new(SingleCert(Arc::new(key))));
        self
    }

    /// Chooses the certificate per connection (for example by SNI with
    /// [`crate::config::SniResolver`]).
    pub fn with_cert_resolver(mut self, resolver: Arc<dyn ResolvesServerCert>) -> Self {
        self.resolver = Some(resolver);
        self
    }

    /// Accepts these ALPN protocols, most preferred first. When both sides
    /// offer ALPN and nothing matches, the handshake fails with no_application_protocol.
    pub fn with_alpn_protocols<P: AsRef<[u8]>>(mut self, protocols: &[P]) -> Self {
        self.alpn = protocols.iter().map(|p| p.as_ref().to_vec()).collect();
        self
    }

    /// Allows only these cipher suites, in our order of preference.
    pub fn with_cipher_suites(mut self, suites: &[CipherSuite]) -> Self {
        self.suites = Some(suites.to_vec());
        self
    }

    /// Allows only these groups, in our order of preference. A client that
    /// sent no share for an allowed group is asked for one (HelloRetryRequest).
    pub fn with_groups(mut self, groups: &[NamedGroup]) -> Self {
        self.groups = Some(groups.to_vec());
        self
    }

    /// Refuses handshake messages longer than `bytes` (default 64 KiB).
    pub fn with_max_handshake_message(mut self, bytes: usize) -> Self {
        self.max_handshake_message = bytes;
        self
    }

    /// Splits outgoing data into records of at most `bytes` plaintext bytes.
    pub fn with_max_fragment_size(mut self, bytes: usize) -> Self {
        self.max_fragment = bytes;
        self
    }

    /// Finishes the configuration.
    pub fn build(self) -> Result<ServerConfig, Error> {
        let resolver = self.resolver.ok_or_else(|| {
            Error::Config(
                "no server certificate: call with_certified_key or with_cert_resolver".into(),
            )
        })?;
        check_alpn(&self.alpn)?;
        if !(1..=crate::proto::record::codec::MAX_PLAINTEXT).contains(&self.max_fragment) {
            return Err(Error::Config("max fragment size must be 1..=16384".into()));
        }
        Ok(ServerConfig {
            resolver,
            alpn: self.alpn,
            suites: match self.suites {
                Some(s) => resolve_suites(&s)?,
                None => default_suites(),
            },
            groups: match self.groups {
                Some(g) => resolve_groups(&g)?,
                None => default_groups(),
            },
            max_handshake_message: self.max_handshake_message,
            max_fragment: self.max_fragment,
            client_verifier: self.client_verifier,
            time: self.time,
        })
    }
}

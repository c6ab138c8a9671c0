//! Client configuration.

use std::sync::Arc;

use crate::config::resolver::SingleCert;
use crate::config::{
    check_alpn, resolve_protocols, CertifiedKey, Protocols, ResolvesClientCert, SystemTime,
    TimeProvider,
};
use crate::error::Error;
use crate::pki::{DefaultServerVerifier, RootStore, ServerCertVerifier};
use crate::proto::handshake::resume::ClientSessionCache;
use crate::proto::wire::enums::{CipherSuite, NamedGroup, ProtocolVersion};
use crate::proto::wire::handshake::DEFAULT_MAX_HANDSHAKE_MESSAGE;

/// How a client connects: whom it trusts and what it offers.
///
/// ```
/// use std::sync::Arc;
/// use lctls::config::ClientConfig;
/// use lctls::pki::RootStore;
/// # fn main() -> Result<(), lctls::Error> {
/// let mut roots = RootStore::new();
/// roots.add_pem_file(concat!(env!("CARGO_MANIFEST_DIR"), "/certs/ca.pem"))?;
/// let config = ClientConfig::builder()
///     .with_root_store(Arc::new(roots))
///     .with_alpn_protocols(&["h2", "http/1.1"])
///     .build()?;
/// # let _ = config; Ok(()) }
/// ```
#[derive(Debug)]
pub struct ClientConfig {
    pub(crate) verifier: Arc<dyn ServerCertVerifier>,
    pub(crate) alpn: Vec<Vec<u8>>,
    pub(crate) protocols: Protocols,
    pub(crate) require_ems: bool,
    pub(crate) max_handshake_message: usize,
    pub(crate) send_sni: bool,
    pub(crate) time: Arc<dyn TimeProvider>,
    pub(crate) max_fragment: usize,
    pub(crate) client_cert: Option<Arc<dyn ResolvesClientCert>>,
    pub(crate) session_cache: Arc<ClientSessionCache>,
}

impl ClientConfig {
    /// Starts a builder.
    pub fn builder() -> ClientConfigBuilder {
        ClientConfigBuilder {
            roots: None,
            verifier: None,
            alpn: Vec::new(),
            suites: None,
            groups: None,
            versions: None,
            require_ems: true,
            max_handshake_message: DEFAULT_MAX_HANDSHAKE_MESSAGE,
            send_sni: true,
            time: Arc::new(SystemTime),
            max_fragment: crate::proto::record::codec::MAX_PLAINTEXT,
            client_cert: None,
            session_cache_size: 32,
        }
    }
}

/// Builds a [`ClientConfig`].
#[derive(Debug)]
pub struct ClientConfigBuilder {
    roots: Option<Arc<RootStore>>,
    verifier: Option<Arc<dyn ServerCertVerifier>>,
    alpn: Vec<Vec<u8>>,
    suites: Option<Vec<CipherSuite>>,
    groups: Option<Vec<NamedGroup>>,
    versions: Option<Vec<ProtocolVersion>>,
    require_ems: bool,
    max_handshake_message: usize,
    send_sni: bool,
    time: Arc<dyn TimeProvider>,
    max_fragment: usize,
    client_cert: Option<Arc<dyn ResolvesClientCert>>,
    session_cache_size: usize,
}

impl ClientConfigBuilder {
    /// Keeps TLS 1.2 sessions for up to `servers` server names (default 32; 0 disables resumption).
    pub fn with_session_cache_size(mut self, servers: usize) -> Self {
        self.session_cache_size = servers;
        self
    }

    /// Presents this certificate when a server asks for one (mutual TLS).
    pub fn with_client_cert(mut self, key: CertifiedKey) -> Self {
        self.client_cert = Some(Arc::new(SingleCert(Arc::new(key))));
        self
    }

    /// Chooses the client certificate per CertificateRequest.
    pub fn with_client_cert_resolver(mut self, resolver: Arc<dyn ResolvesClientCert>) -> Self {
        self.client_cert = Some(resolver);
        self
    }

    /// Trusts these roots; servers are verified with the default verifier.
    pub fn with_root_store(mut self, roots: Arc<RootStore>) -> Self {
        self.roots = Some(roots);
        self
    }

    /// Offers these ALPN protocols, most preferred first.
    pub fn with_alpn_protocols<P: AsRef<[u8]>>(mut self, protocols: &[P]) -> Self {
        self.alpn = protocols.iter().map(|p| p.as_ref().to_vec()).collect();
        self
    }

    /// Offers only these cipher suites, in this order.
    pub fn with_cipher_suites(mut self, suites: &[CipherSuite]) -> Self {
        self.suites = Some(suites.to_vec());
        self
    }

    /// Offers only these groups; a key share is sent for the first.
    pub fn with_groups(mut self, groups: &[NamedGroup]) -> Self {
        self.groups = Some(groups.to_vec());
        self
    }

    /// Allows only these protocol versions (TLS 1.3 and TLS 1.2; default both).
    pub fn with_protocol_versions(mut self, versions: &[ProtocolVersion]) -> Self {
        self.versions = Some(versions.to_vec());
        self
    }

    /// Refuses handshake messages longer than `bytes` (default 64 KiB).
    pub fn with_max_handshake_message(mut self, bytes: usize) -> Self {
        self.max_handshake_message = bytes;
        self
    }

    /// Whether to send the server_name extension (default true; never sent for IP addresses).
    pub fn with_sni(mut self, send: bool) -> Self {
        self.send_sni = send;
        self
    }

    /// Uses this clock for certificate validity.
    pub fn with_time_provider(mut self, time: Arc<dyn TimeProvider>) -> Self {
        self.time = time;
        self
    }

    /// Splits outgoing data into records of at most `bytes` plaintext bytes
    /// (1 to 16384; tests use tiny records to exercise reassembly).
    pub fn with_max_fragment_size(mut self, bytes: usize) -> Self {
        self.max_fragment = bytes;
        self
    }

    /// Options that weaken security. Read each one's documentation.
    pub fn dangerous(self) -> DangerousClientConfigBuilder {
        DangerousClientConfigBuilder(self)
    }

    /// Finishes the configuration.
    pub fn build(self) -> Result<ClientConfig, Error> {
        let verifier: Arc<dyn ServerCertVerifier> = match (self.verifier, self.roots) {
            (Some(v), _) => v,
            (None, Some(roots)) => {
                if roots.is_empty() {
                    return Err(Error::Config("the root store is empty".into()));
                }
                Arc::new(DefaultServerVerifier::new(roots))
            }
            (None, None) => return Err(Error::Config(
                "no root certificates: call with_root_store (or dangerous().with_custom_verifier)"
                    .into(),
            )),
        };
        check_alpn(&self.alpn)?;
        if !(1..=crate::proto::record::codec::MAX_PLAINTEXT).contains(&self.max_fragment) {
            return Err(Error::Config("max fragment size must be 1..=16384".into()));
        }
        Ok(ClientConfig {
            verifier,
            alpn: self.alpn,
            protocols: resolve_protocols(
                self.suites.as_deref(),
                self.versions.as_deref(),
                self.groups.as_deref(),
            )?,
            require_ems: self.require_ems,
            max_handshake_message: self.max_handshake_message,
            send_sni: self.send_sni,
            time: self.time,
            max_fragment: self.max_fragment,
            client_cert: self.client_cert,
            session_cache: Arc::new(ClientSessionCache::new(self.session_cache_size)),
        })
    }
}

/// Client options that can make connections insecure.
#[derive(Debug)]
pub struct DangerousClientConfigBuilder(ClientConfigBuilder);

impl DangerousClientConfigBuilder {
    /// Accepts TLS 1.2 servers without the extended master secret (RFC 7627),
    /// whose sessions are open to the triple-handshake attack.
    pub fn allow_no_extended_master_secret(mut self) -> ClientConfigBuilder {
        self.0.require_ems = false;
        self.0
    }

    /// Replaces certificate verification entirely. The verifier decides alone
    /// whether a server is who it claims to be.
    pub fn with_custom_verifier(
        mut self,
        verifier: Arc<dyn ServerCertVerifier>,
    ) -> ClientConfigBuilder {
        self.0.verifier = Some(verifier);
        self.0
    }
}

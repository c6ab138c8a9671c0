//! Server configuration.

use std::sync::Arc;

use crate::config::resolver::SingleCert;
use crate::config::{
    check_alpn, resolve_protocols, CertifiedKey, Protocols, ResolvesServerCert, SystemTime,
    TimeProvider,
};
use crate::error::Error;
use crate::pki::ClientCertVerifier;
use crate::proto::handshake::resume::{ServerSessionCache, Ticketer};

/// How long TLS 1.2 tickets live, and how often their keys rotate.
const TICKET_LIFETIME: u64 = 12 * 3600;
use crate::proto::wire::enums::{CipherSuite, NamedGroup, ProtocolVersion};
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
    pub(crate) protocols: Protocols,
    pub(crate) require_ems: bool,
    pub(crate) max_handshake_message: usize,
    pub(crate) max_fragment: usize,
    pub(crate) client_verifier: Option<Arc<dyn ClientCertVerifier>>,
    pub(crate) time: Arc<dyn TimeProvider>,
    pub(crate) session_cache: Arc<ServerSessionCache>,
    pub(crate) ticketer: Option<Arc<Ticketer>>,
    pub(crate) tls13_tickets: usize,
}

impl ServerConfig {
    /// Starts a builder.
    pub fn builder() -> ServerConfigBuilder {
        ServerConfigBuilder {
            resolver: None,
            alpn: Vec::new(),
            suites: None,
            groups: None,
            versions: None,
            require_ems: true,
            max_handshake_message: DEFAULT_MAX_HANDSHAKE_MESSAGE,
            max_fragment: crate::proto::record::codec::MAX_PLAINTEXT,
            client_verifier: None,
            time: Arc::new(SystemTime),
            session_cache_size: 256,
            tickets: true,
            tls13_tickets: 1,
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
    versions: Option<Vec<ProtocolVersion>>,
    require_ems: bool,
    max_handshake_message: usize,
    max_fragment: usize,
    client_verifier: Option<Arc<dyn ClientCertVerifier>>,
    time: Arc<dyn TimeProvider>,
    session_cache_size: usize,
    tickets: bool,
    tls13_tickets: usize,
}

impl ServerConfigBuilder {
    /// Keeps up to `sessions` TLS 1.2 sessions for resumption by session ID
    /// (default 256; 0 disables it).
    pub fn with_session_cache_size(mut self, sessions: usize) -> Self {
        self.session_cache_size = sessions;
        self
    }

    /// Whether to issue session tickets (default true): TLS 1.2 tickets
    /// (RFC 5077) and TLS 1.3 NewSessionTickets. Ticket keys are random per
    /// configuration and rotate every 12 hours.
    pub fn with_tickets(mut self, enabled: bool) -> Self {
        self.tickets = enabled;
        self
    }

    /// How many TLS 1.3 tickets to send after each full or resumed handshake
    /// (default 1, at most 8; 0 sends none). Each ticket is used once.
    pub fn with_tls13_tickets(mut self, count: usize) -> Self {
        self.tls13_tickets = count.min(8);
        self
    }

    /// Accepts TLS 1.2 clients without the extended master secret (RFC 7627),
    /// whose sessions are open to the triple-handshake attack.
    pub fn dangerous_allow_no_extended_master_secret(mut self) -> Self {
        self.require_ems = false;
        self
    }

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
            protocols: resolve_protocols(
                self.suites.as_deref(),
                self.versions.as_deref(),
                self.groups.as_deref(),
            )?,
            require_ems: self.require_ems,
            max_handshake_message: self.max_handshake_message,
            max_fragment: self.max_fragment,
            client_verifier: self.client_verifier,
            session_cache: Arc::new(ServerSessionCache::new(self.session_cache_size)),
            ticketer: if self.tickets {
                Some(Arc::new(Ticketer::new(
                    TICKET_LIFETIME,
                    self.time.now().as_secs(),
                )?))
            } else {
                None
            },
            time: self.time,
            tls13_tickets: self.tls13_tickets,
        })
    }
}

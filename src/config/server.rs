//! Server configuration.

use std::sync::Arc;

use crate::config::resolver::SingleCert;
use crate::config::{
    shared_setters, CertifiedKey, ResolvesServerCert, Shared, SharedBuilder, TimeProvider,
};
use crate::error::Error;
use crate::hooks::{AsyncClientCertVerifier, AsyncResolvesServerCert};
use crate::pki::ClientCertVerifier;
use crate::proto::handshake::resume::replay::{AntiReplay, StrikeRegister};
use crate::proto::handshake::resume::{
    ServerSessionCache, ServerSessionStore, TicketKeys, Ticketer,
};

/// How long TLS 1.2 tickets live, and how often their keys rotate.
const TICKET_LIFETIME: u64 = 12 * 3600;
use crate::proto::wire::enums::{CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme};

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
    /// When set, chooses the certificate instead of `resolver` (see [`crate::hooks`]).
    pub(crate) async_resolver: Option<Arc<dyn AsyncResolvesServerCert>>,
    pub(crate) shared: Shared,
    pub(crate) client_verifier: Option<Arc<dyn ClientCertVerifier>>,
    pub(crate) async_client_verifier: Option<Arc<dyn AsyncClientCertVerifier>>,
    pub(crate) session_cache: Arc<dyn ServerSessionStore>,
    pub(crate) ticketer: Option<Arc<Ticketer>>,
    pub(crate) tls13_tickets: usize,
    /// 0-RTT: the most early data accepted per connection (0: none).
    pub(crate) max_early_data: u32,
    /// The strike register 0-RTT claims go through (set when 0-RTT is on).
    pub(crate) anti_replay: Option<Arc<dyn AntiReplay>>,
}

impl ServerConfig {
    /// Starts a builder.
    pub fn builder() -> ServerConfigBuilder {
        ServerConfigBuilder {
            resolver: None,
            async_resolver: None,
            shared: SharedBuilder::default(),
            client_verifier: None,
            async_client_verifier: None,
            session_cache_size: 256,
            session_store: None,
            tickets: true,
            ticket_keys: None,
            tls13_tickets: 1,
            max_early_data: 0,
            anti_replay: None,
        }
    }
}

/// Builds a [`ServerConfig`].
#[derive(Debug)]
pub struct ServerConfigBuilder {
    resolver: Option<Arc<dyn ResolvesServerCert>>,
    async_resolver: Option<Arc<dyn AsyncResolvesServerCert>>,
    shared: SharedBuilder,
    client_verifier: Option<Arc<dyn ClientCertVerifier>>,
    async_client_verifier: Option<Arc<dyn AsyncClientCertVerifier>>,
    session_cache_size: usize,
    session_store: Option<Arc<dyn ServerSessionStore>>,
    tickets: bool,
    ticket_keys: Option<Arc<TicketKeys>>,
    tls13_tickets: usize,
    max_early_data: u32,
    anti_replay: Option<Arc<dyn AntiReplay>>,
}

impl ServerConfigBuilder {
    shared_setters!();

    /// Keeps up to `sessions` TLS 1.2 sessions for resumption by session ID
    /// (default 256; 0 disables it). Each keeps the client's certificate
    /// chain, at most [`MAX_SESSION_CHAIN_BYTES`](crate::config::MAX_SESSION_CHAIN_BYTES)
    /// (clients with longer chains get no session).
    pub fn with_session_cache_size(mut self, sessions: usize) -> Self {
        self.session_cache_size = sessions;
        self
    }

    /// Keeps TLS 1.2 sessions (by session ID) in `store` instead of the
    /// in-memory cache that
    /// [`with_session_cache_size`](Self::with_session_cache_size) sizes, so
    /// that the servers of a fleet resume each other's sessions; for
    /// example `lctls::redis::RedisSessionStore` with
    /// the `redis` feature. Tickets need no store, only shared keys
    /// ([`with_ticket_keys`](Self::with_ticket_keys)).
    pub fn with_session_store(mut self, store: Arc<dyn ServerSessionStore>) -> Self {
        self.session_store = Some(store);
        self
    }

    /// Whether to issue session tickets (default true): TLS 1.2 tickets
    /// (RFC 5077) and TLS 1.3 NewSessionTickets. Ticket keys are random per
    /// configuration and rotate every 12 hours. A ticket carries the client's
    /// certificate chain and SNI name, so under mutual TLS it is about a
    /// hundred bytes plus the chain; clients whose chain exceeds
    /// [`MAX_SESSION_CHAIN_BYTES`](crate::config::MAX_SESSION_CHAIN_BYTES)
    /// get none. See [`crate::docs::resumption`] for what is checked
    /// again when a session is resumed.
    pub fn with_tickets(mut self, enabled: bool) -> Self {
        self.tickets = enabled;
        self
    }

    /// Seals and opens session tickets (TLS 1.2 and 1.3) under the
    /// operator's keys instead of random per-configuration ones, so that
    /// servers sharing the keys resume each other's sessions; turns tickets
    /// on. Keep the `Arc` to reload or rotate the keys while serving (see
    /// [`TicketKeys`]).
    pub fn with_ticket_keys(mut self, keys: Arc<TicketKeys>) -> Self {
        self.tickets = true;
        self.ticket_keys = Some(keys);
        self
    }

    /// How many TLS 1.3 tickets to send after each full or resumed handshake
    /// (default 1, at most 8; 0 sends none). Each ticket is used once.
    pub fn with_tls13_tickets(mut self, count: usize) -> Self {
        self.tls13_tickets = count.min(8);
        self
    }

    /// Accepts up to `bytes` of 0-RTT data (RFC 8446 section 4.2.10) from
    /// clients resuming a TLS 1.3 ticket this configuration issued (0, the
    /// default, accepts none; tickets then announce none). Early data can be
    /// replayed by anyone who captured it; see
    /// [`crate::docs::early_data`] for when it is accepted and
    /// [`StrikeRegister`](crate::config::StrikeRegister) for the built-in
    /// anti-replay, and read it apart from ordinary data with
    /// [`TlsStream::take_replayable_early_data`](crate::TlsStream::take_replayable_early_data).
    pub fn with_max_early_data(mut self, bytes: u32) -> Self {
        self.max_early_data = bytes;
        self
    }

    /// Replaces the in-memory anti-replay register (a
    /// [`StrikeRegister`] with its default window and capacity) used when
    /// 0-RTT is on; servers sharing ticket keys must share one register.
    pub fn with_anti_replay(mut self, register: Arc<dyn AntiReplay>) -> Self {
        self.anti_replay = Some(register);
        self
    }

    /// Asks clients for a certificate and verifies it with `verifier`
    /// (see [`crate::pki::DefaultClientVerifier`] for required and optional modes).
    pub fn with_client_cert_verifier(mut self, verifier: Arc<dyn ClientCertVerifier>) -> Self {
        self.client_verifier = Some(verifier);
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

    /// Chooses the certificate per connection asynchronously (from a
    /// database, an ACME client, a KMS): handshakes pause while it works,
    /// within the handshake timeout (see [`crate::hooks`]). It replaces any
    /// [`with_certified_key`](Self::with_certified_key) or
    /// [`with_cert_resolver`](Self::with_cert_resolver).
    pub fn with_async_cert_resolver(mut self, resolver: Arc<dyn AsyncResolvesServerCert>) -> Self {
        self.async_resolver = Some(resolver);
        self
    }

    /// Also verifies client certificates asynchronously, after the
    /// [`with_client_cert_verifier`](Self::with_client_cert_verifier) verifier
    /// (required with it) accepted them: handshakes pause while it works
    /// (see [`crate::hooks::AsyncClientCertVerifier`]).
    pub fn with_async_client_verifier(
        mut self,
        verifier: Arc<dyn AsyncClientCertVerifier>,
    ) -> Self {
        self.async_client_verifier = Some(verifier);
        self
    }

    /// Finishes the configuration.
    pub fn build(self) -> Result<ServerConfig, Error> {
        if self.async_client_verifier.is_some() && self.client_verifier.is_none() {
            return Err(Error::Config(
                "with_async_client_verifier needs with_client_cert_verifier, which asks for the certificate"
                    .into(),
            ));
        }
        let resolver = match (self.resolver, &self.async_resolver) {
            (Some(r), None) => r,
            (_, Some(_)) => Arc::new(crate::config::resolver::NoCertificate),
            (None, None) => {
                return Err(Error::Config(
                    "no server certificate: call with_certified_key, with_cert_resolver or with_async_cert_resolver"
                        .into(),
                ))
            }
        };
        let shared = self.shared.build()?;
        let ticketer = match (self.tickets, self.ticket_keys) {
            (false, _) => None,
            (true, Some(keys)) => Some(Arc::new(Ticketer::with_keys(TICKET_LIFETIME, keys))),
            (true, None) => Some(Arc::new(Ticketer::new(
                TICKET_LIFETIME,
                shared.time.now().as_secs(),
            )?)),
        };
        Ok(ServerConfig {
            resolver,
            async_resolver: self.async_resolver,
            shared,
            client_verifier: self.client_verifier,
            async_client_verifier: self.async_client_verifier,
            session_cache: self
                .session_store
                .unwrap_or_else(|| Arc::new(ServerSessionCache::new(self.session_cache_size))),
            ticketer,
            tls13_tickets: self.tls13_tickets,
            max_early_data: self.max_early_data,
            anti_replay: (self.max_early_data > 0).then(|| {
                self.anti_replay
                    .unwrap_or_else(|| Arc::new(StrikeRegister::default()))
            }),
        })
    }
}

//! Client configuration.

use std::sync::Arc;

use crate::config::resolver::SingleCert;
use crate::config::{
    shared_setters, CertifiedKey, ResolvesClientCert, Shared, SharedBuilder, TimeProvider,
};
use crate::error::Error;
use crate::hooks::AsyncServerCertVerifier;
use crate::pki::{DefaultServerVerifier, OcspPolicy, RootStore, ServerCertVerifier};
use crate::proto::crypto::groups::SharePrediction;
use crate::proto::handshake::resume::{ClientSessionCache, ClientSessionStore};
use crate::proto::wire::enums::{CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme};

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
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub(crate) verifier: Arc<dyn ServerCertVerifier>,
    /// Runs after `verifier` accepted the chain (see [`crate::hooks`]).
    pub(crate) async_verifier: Option<Arc<dyn AsyncServerCertVerifier>>,
    pub(crate) shared: Shared,
    pub(crate) send_sni: bool,
    pub(crate) client_cert: Option<Arc<dyn ResolvesClientCert>>,
    pub(crate) session_cache: Arc<dyn ClientSessionStore>,
    pub(crate) ocsp: OcspPolicy,
    pub(crate) request_sct: bool,
    pub(crate) key_shares: SharePrediction,
}

impl ClientConfig {
    /// Starts a builder.
    pub fn builder() -> ClientConfigBuilder {
        ClientConfigBuilder {
            default_verifier: None,
            verifier: None,
            async_verifier: None,
            shared: SharedBuilder::default(),
            send_sni: true,
            client_cert: None,
            session_cache_size: 32,
            ocsp: OcspPolicy::Off,
            request_sct: false,
            key_shares: SharePrediction::default(),
            session_store: None,
        }
    }

    /// `config` itself when it offers ALPN, else a copy offering
    /// `protocols` (sharing its verifier and session cache): for connectors
    /// that know the application protocols, such as the hyper connector's
    /// h2 and http/1.1.
    #[cfg_attr(not(feature = "hyper"), allow(dead_code))]
    pub(crate) fn with_alpn_if_unset(config: &Arc<Self>, protocols: &[&[u8]]) -> Arc<Self> {
        if !config.shared.alpn.is_empty() {
            return config.clone();
        }
        let mut copy = ClientConfig::clone(config);
        copy.shared.alpn = protocols.iter().map(|p| p.to_vec()).collect();
        Arc::new(copy)
    }
}

/// Builds a [`ClientConfig`].
#[derive(Debug)]
pub struct ClientConfigBuilder {
    /// From with_root_store or with_verifier; a custom verifier wins.
    default_verifier: Option<DefaultServerVerifier>,
    verifier: Option<Arc<dyn ServerCertVerifier>>,
    async_verifier: Option<Arc<dyn AsyncServerCertVerifier>>,
    shared: SharedBuilder,
    send_sni: bool,
    client_cert: Option<Arc<dyn ResolvesClientCert>>,
    session_cache_size: usize,
    ocsp: OcspPolicy,
    request_sct: bool,
    key_shares: SharePrediction,
    session_store: Option<Arc<dyn ClientSessionStore>>,
}

impl ClientConfigBuilder {
    shared_setters!();

    /// Asks servers to staple an OCSP response (status_request, RFC 6066
    /// section 8 and RFC 8446 section 4.4.2.1) and checks it as `policy`
    /// says: [`OcspPolicy::Allow`] refuses revoked or bad responses and
    /// accepts missing or stale ones, [`OcspPolicy::Require`] refuses those
    /// too. Default [`OcspPolicy::Off`]: nothing is asked. The response is
    /// then in [`Negotiated::ocsp_response`](crate::proto::Negotiated::ocsp_response).
    pub fn with_ocsp_stapling(mut self, policy: OcspPolicy) -> Self {
        self.ocsp = policy;
        self
    }

    /// Asks servers for the certificate's signed certificate timestamps
    /// (signed_certificate_timestamp, RFC 6962 section 3.3.1; default
    /// false). A malformed list is refused (decode_error); a well-formed one
    /// is reported, not verified against any log, in
    /// [`Negotiated::sct_list`](crate::proto::Negotiated::sct_list).
    pub fn with_signed_certificate_timestamps(mut self, request: bool) -> Self {
        self.request_sct = request;
        self
    }

    /// Keeps sessions (the latest TLS 1.2 session and TLS 1.3 ticket) for up
    /// to `servers` server names (default 32; 0 disables resumption). Each
    /// keeps the server's certificate chain, which a resumed connection
    /// reports and which must still pass the verifier's
    /// [`recheck_resumed`](crate::pki::ServerCertVerifier::recheck_resumed)
    /// before the session is offered.
    pub fn with_session_cache_size(mut self, servers: usize) -> Self {
        self.session_cache_size = servers;
        self
    }

    /// Sends TLS 1.3 key shares for exactly these groups, in this order, in
    /// the first ClientHello. Each must be one of the configured groups
    /// (see `with_groups`), at most once. An empty list sends none, leaving
    /// the choice to the server's HelloRetryRequest (one more round trip).
    ///
    /// By default the client sends a share for its most preferred group
    /// and one for the first group of the other kind (post-quantum or
    /// classical): with the default groups, X25519MLKEM768 and X25519, so
    /// servers with and without the hybrid both answer without a retry.
    pub fn with_key_shares(mut self, groups: &[NamedGroup]) -> Self {
        self.key_shares.explicit = Some(groups.to_vec());
        self
    }

    /// Groups the server is known to support (from a DNS HTTPS record or an
    /// earlier connection, say). The first ClientHello then carries a single
    /// key share, for our most preferred group that the hint names; groups
    /// we do not have are ignored, and when none matches the shares are
    /// chosen as without a hint.
    pub fn with_server_groups_hint(mut self, groups: &[NamedGroup]) -> Self {
        self.key_shares.server_hint = groups.to_vec();
        self
    }

    /// Keeps sessions in `store` instead of the in-memory cache (which
    /// [`with_session_cache_size`](Self::with_session_cache_size) sizes), so
    /// that they outlive the process or are shared by a fleet of clients;
    /// for example `lctls::redis::RedisSessionStore`
    /// with the `redis` feature.
    pub fn with_session_store(mut self, store: Arc<dyn ClientSessionStore>) -> Self {
        self.session_store = Some(store);
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
    pub fn with_root_store(self, roots: Arc<RootStore>) -> Self {
        self.with_verifier(DefaultServerVerifier::new(roots))
    }

    /// Verifies servers with this default verifier: [`with_root_store`](Self::with_root_store)
    /// with the verifier's own settings (its [`VerifyOptions`](crate::pki::VerifyOptions),
    /// CRLs, or [verification cache](DefaultServerVerifier::with_verification_cache)).
    /// Replaces an earlier root store or default verifier; like a root
    /// store, its roots must not be empty.
    pub fn with_verifier(mut self, verifier: DefaultServerVerifier) -> Self {
        self.default_verifier = Some(verifier);
        self
    }

    /// Whether to send the server_name extension (default true; never sent for IP addresses).
    pub fn with_sni(mut self, send: bool) -> Self {
        self.send_sni = send;
        self
    }

    /// Also verifies server chains asynchronously (a remote policy service,
    /// an OCSP fetch), after the root store's verifier (or the custom one)
    /// accepted them: handshakes pause while it works, within the handshake
    /// timeout (see [`crate::hooks::AsyncServerCertVerifier`]).
    pub fn with_async_verifier(mut self, verifier: Arc<dyn AsyncServerCertVerifier>) -> Self {
        self.async_verifier = Some(verifier);
        self
    }

    /// Options that weaken security. Read each one's documentation.
    pub fn dangerous(self) -> DangerousClientConfigBuilder {
        DangerousClientConfigBuilder(self)
    }

    /// Finishes the configuration.
    pub fn build(self) -> Result<ClientConfig, Error> {
        let verifier: Arc<dyn ServerCertVerifier> = match (self.verifier, self.default_verifier) {
            (Some(v), _) => v,
            (None, Some(v)) => {
                if v.roots().is_empty() {
                    return Err(Error::Config("the root store is empty".into()));
                }
                Arc::new(v)
            }
            (None, None) => return Err(Error::Config(
                "no root certificates: call with_root_store (or dangerous().with_custom_verifier)"
                    .into(),
            )),
        };
        let shared = self.shared.build()?;
        check_key_shares(&self.key_shares, &shared.protocols.groups)?;
        Ok(ClientConfig {
            verifier,
            async_verifier: self.async_verifier,
            shared,
            send_sni: self.send_sni,
            client_cert: self.client_cert,
            session_cache: self
                .session_store
                .unwrap_or_else(|| Arc::new(ClientSessionCache::new(self.session_cache_size))),
            ocsp: self.ocsp,
            request_sct: self.request_sct,
            key_shares: self.key_shares,
        })
    }
}

/// Explicit key shares must name configured groups, each once (RFC 8446
/// section 4.2.8: no two shares for one group).
fn check_key_shares(p: &SharePrediction, groups: &[NamedGroup]) -> Result<(), Error> {
    let Some(shares) = &p.explicit else {
        return Ok(());
    };
    for (i, g) in shares.iter().enumerate() {
        if !groups.contains(g) {
            return Err(Error::Config(format!(
                "key share for {g:?}, which is not one of the configured groups {groups:?}"
            )));
        }
        if shares[..i].contains(g) {
            return Err(Error::Config(format!("two key shares for {g:?}")));
        }
    }
    Ok(())
}

/// Client options that can make connections insecure.
#[derive(Debug)]
pub struct DangerousClientConfigBuilder(ClientConfigBuilder);

impl DangerousClientConfigBuilder {
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

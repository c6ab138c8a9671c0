//! The verifier traits and their default implementations (with the opt-in
//! verified-chain cache of chain_cache.rs); the chain verification they run
//! is chain.rs.

use std::sync::Arc;

use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

use super::chain::KeyPurpose;
use super::chain::{check_chain_validity, verify_chain_window};
use super::chain_cache::{CacheSlot, KeyParts, VerificationCacheStats};
use super::crl::RevocationOptions;
use super::error::CertificateError;
use super::options::VerifyOptions;
use super::roots::RootStore;
use super::signature::TLS13_SCHEMES;
use crate::proto::wire::enums::SignatureScheme;

/// The handshake-signature methods of [`ServerCertVerifier`] and
/// [`ClientCertVerifier`], written once: both sides check a peer's
/// signatures with the same functions and accept the same schemes; only
/// which message carries the signature differs, so only the docs do.
macro_rules! signature_methods {
    (@verify $method:ident, $doc:literal) => {
        #[doc = $doc]
        ///
        #[doc = concat!("The default is [`", stringify!($method), "`](super::", stringify!($method), ").")]
        fn $method(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            scheme: SignatureScheme,
            signature: &[u8],
        ) -> Result<(), crate::Error> {
            super::signature::$method(cert, scheme, message, signature)
        }
    };
    (tls13: $tls13:literal, tls12: $tls12:literal, offered: $offered:literal $(,)?) => {
        signature_methods!(@verify verify_tls13_signature, $tls13);
        signature_methods!(@verify verify_tls12_signature, $tls12);

        /// The signature schemes accepted from the peer in TLS 1.2 (and
        /// offered where TLS 1.2 alone is spoken).
        fn supported_schemes_tls12(&self) -> Vec<SignatureScheme> {
            super::signature::TLS12_SCHEMES.to_vec()
        }

        #[doc = $offered]
        fn supported_schemes(&self) -> Vec<SignatureScheme> {
            TLS13_SCHEMES.to_vec()
        }
    };
}

/// Decides whether a server's certificate chain and CertificateVerify are acceptable.
pub trait ServerCertVerifier: Send + Sync + std::fmt::Debug {
    /// Verifies the server's chain for `server_name` at time `now`.
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> Result<(), CertificateError>;

    /// Re-checks, before the client resumes a session, the server chain this
    /// verifier accepted when the session was made (end entity first, as the
    /// server sent it). A resumed handshake carries no Certificate message, so
    /// this is the only check the stored chain gets: an error makes the client
    /// offer no session, and a full handshake verifies afresh.
    ///
    /// The default, and [`DefaultServerVerifier`] without CRLs, check only
    /// that every certificate in `chain` is still within its validity period
    /// at `now` (see [`check_chain_validity`]); with CRLs the default verifier
    /// also verifies the chain again, revocation included. The server name
    /// is not re-checked: sessions are kept per server name.
    fn recheck_resumed(
        &self,
        chain: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<(), CertificateError> {
        check_chain_validity(chain, now)
    }

    /// Verifies the OCSP `response` the server stapled for `end_entity`,
    /// after [`verify_server_cert`](Self::verify_server_cert) accepted the
    /// chain (only when the client's [`OcspPolicy`](super::OcspPolicy) asks
    /// for a staple). The default is [`verify_ocsp_response`](super::verify_ocsp_response)
    /// with the issuer looked for among `intermediates`;
    /// [`DefaultServerVerifier`] also looks among its roots.
    fn verify_ocsp_response(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        response: &[u8],
        now: UnixTime,
    ) -> Result<super::OcspFreshness, CertificateError> {
        super::ocsp::verify_ocsp_response(response, end_entity, intermediates, now)
    }

    signature_methods! {
        tls13: "Verifies the server's TLS 1.3 CertificateVerify signature by the key of `cert`.",
        tls12: "Verifies the server's TLS 1.2 ServerKeyExchange signature by the key of `cert`.",
        offered: "The TLS 1.3 signature schemes accepted from the server, offered in the \
                  ClientHello's signature_algorithms.",
    }
}

/// The builder methods both default verifiers have, alike (each writes its
/// own `new`, `with_options` and `with_verification_cache`, whose docs and
/// examples differ).
macro_rules! shared_methods {
    () => {
        /// Also checks revocation with `revocation` (CRLs), after every
        /// other check passed.
        pub fn with_revocation(mut self, revocation: RevocationOptions) -> Self {
            self.policy.set_revocation(revocation);
            self
        }

        /// The longest an entry of the verification cache lives (whole
        /// seconds count; the default is
        /// [`DEFAULT_VERIFICATION_CACHE_TTL`](super::DEFAULT_VERIFICATION_CACHE_TTL),
        /// one hour). The verifier's clock (the `now` the handshake passes,
        /// from the configuration's [`TimeProvider`](crate::config::TimeProvider))
        /// measures it. Empties the cache.
        pub fn with_verification_cache_ttl(mut self, ttl: std::time::Duration) -> Self {
            self.policy.cache.set_ttl(ttl);
            self
        }

        /// What the verification cache has done (hits, misses, entries);
        /// None when it is off.
        pub fn verification_cache_stats(&self) -> Option<VerificationCacheStats> {
            self.policy.cache.stats()
        }
    };
}

/// The standard verifier: a path to one of `roots`, valid for the server name.
#[derive(Debug, Clone)]
pub struct DefaultServerVerifier {
    policy: Policy,
}

impl DefaultServerVerifier {
    /// A verifier trusting `roots`.
    pub fn new(roots: Arc<RootStore>) -> Self {
        DefaultServerVerifier {
            policy: Policy::new(roots),
        }
    }

    /// Remembers up to `capacity` chains this verifier accepted, so that
    /// the same chain for the same server name is accepted again without
    /// building its path or checking its signatures, until the earliest
    /// notAfter on its path, the next update of a CRL it was checked
    /// against, or the cache's TTL
    /// ([`DEFAULT_VERIFICATION_CACHE_TTL`](super::DEFAULT_VERIFICATION_CACHE_TTL),
    /// one hour, unless [`with_verification_cache_ttl`](Self::with_verification_cache_ttl)
    /// sets another), whichever comes first. Off by default; 0 turns it off.
    ///
    /// An entry matches only the exact chain bytes as presented (end
    /// entity and intermediates, in order), the same server name, and this
    /// verifier's root store, CRLs and options; a failed verification is
    /// never stored (the next attempt verifies in full and fails the same
    /// way). The least recently used entry makes room when the cache is
    /// full. Clones of the verifier share its cache; calling
    /// [`with_options`](Self::with_options) or
    /// [`with_revocation`](Self::with_revocation) afterwards gives a fresh,
    /// empty one. What it skips is what the chain costs: a TLS 1.3 client
    /// handshake with ECDSA P-256 certificates checks two fewer signatures.
    ///
    /// What still runs on every handshake: the server's CertificateVerify
    /// (or ServerKeyExchange) signature, the OCSP staple check when the
    /// client asks for one ([`OcspPolicy`](super::OcspPolicy); a staple is
    /// per handshake, so the cache covers only the path), an asynchronous
    /// verifier, and the key-usage check of the signing key.
    ///
    /// # When not to use it
    ///
    /// - When the trust it was built with must change while it is in use:
    ///   roots and CRLs are immutable here (`Arc`), so new roots or fresh
    ///   CRLs come with a new verifier and an empty cache; whatever keeps
    ///   verifying with the old one (or a clone) keeps accepting what it
    ///   accepted, until an entry's end.
    /// - When revocation must be decided afresh at every handshake: a
    ///   certificate revoked by a CRL published after its chain was stored
    ///   is accepted from the cache until the entry ends (the consulted
    ///   CRL's nextUpdate or the TTL). Stapled OCSP responses and
    ///   asynchronous verifiers are unaffected: they run every time.
    /// - When peers rarely repeat a chain (a crawler): every miss costs a
    ///   SHA-256 of the chain and a short lock on top of the verification.
    /// - Memory: an entry holds a 32-byte digest, two times and a use
    ///   counter, in a hash map and an LRU index: some 100 to 150 bytes
    ///   with their overhead, whatever the chain's size (a million
    ///   entries, over 100 MB).
    ///
    /// # Example
    ///
    /// ```
    /// use std::sync::Arc;
    /// use lctls::pki::{CertificateDer, DefaultServerVerifier, RootStore, ServerCertVerifier};
    /// use lctls::pki::{ServerName, UnixTime};
    /// use rustls_pki_types::pem::PemObject;
    ///
    /// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");
    /// let mut roots = RootStore::new();
    /// roots.add_pem_file(format!("{dir}/ca.pem"))?;
    /// let verifier = DefaultServerVerifier::new(Arc::new(roots)).with_verification_cache(1024);
    ///
    /// let chain = CertificateDer::pem_file_iter(format!("{dir}/server.pem"))?
    ///     .collect::<Result<Vec<_>, _>>()?;
    /// let name = ServerName::try_from("localhost")?;
    /// for _ in 0..3 {
    ///     verifier.verify_server_cert(&chain[0], &chain[1..], &name, UnixTime::now())?;
    /// }
    /// let stats = verifier.verification_cache_stats().expect("the cache is on");
    /// assert_eq!((stats.misses, stats.hits, stats.len), (1, 2, 1));
    ///
    /// // A client configuration that verifies with it.
    /// let config = lctls::ClientConfig::builder().with_verifier(verifier).build()?;
    /// # let _ = config;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_verification_cache(mut self, capacity: usize) -> Self {
        self.policy.cache.set_capacity(capacity);
        self
    }

    shared_methods!();

    /// The root store, for a configuration's check that it is not empty.
    pub(crate) fn roots(&self) -> &RootStore {
        &self.policy.roots
    }

    /// Verifies with `options` (depth, key usage, purpose, algorithms,
    /// revocation) instead of the defaults.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use lctls::pki::{DefaultServerVerifier, RootStore, SignatureAlgorithm, VerifyOptions};
    ///
    /// let verifier = DefaultServerVerifier::new(Arc::new(RootStore::new())).with_options(
    ///     VerifyOptions::new()
    ///         .with_max_intermediates(3)
    ///         .with_signature_algorithms(&[SignatureAlgorithm::EcdsaSha256]),
    /// );
    /// # let _ = verifier;
    /// ```
    pub fn with_options(mut self, options: VerifyOptions) -> Self {
        self.policy.set_options(options);
        self
    }
}

impl ServerCertVerifier for DefaultServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> Result<(), CertificateError> {
        self.policy.verify(
            end_entity,
            intermediates,
            Some(server_name),
            now,
            KeyPurpose::ServerAuth,
        )
    }

    fn recheck_resumed(
        &self,
        chain: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<(), CertificateError> {
        self.policy.recheck(chain, now, KeyPurpose::ServerAuth)
    }

    fn verify_ocsp_response(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        response: &[u8],
        now: UnixTime,
    ) -> Result<super::OcspFreshness, CertificateError> {
        super::ocsp::verify_with_anchors(
            response,
            end_entity,
            intermediates,
            self.policy.roots.anchors(),
            now,
        )
    }
}

/// What both default verifiers hold and how they verify with it: the
/// roots, the options and the verified-chain cache.
#[derive(Debug, Clone)]
struct Policy {
    roots: Arc<RootStore>,
    options: VerifyOptions,
    cache: CacheSlot,
}

impl Policy {
    fn new(roots: Arc<RootStore>) -> Self {
        Policy {
            roots,
            options: VerifyOptions::default(),
            cache: CacheSlot::default(),
        }
    }

    /// New options, and a fresh cache: what it held was verified under the old ones.
    fn set_options(&mut self, options: VerifyOptions) {
        self.options = options;
        self.cache.renew();
    }

    fn set_revocation(&mut self, revocation: RevocationOptions) {
        self.options.revocation = Some(revocation);
        self.cache.renew();
    }

    /// [`verify_chain_with`] under this policy, through the cache when it is on.
    fn verify(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        name: Option<&ServerName<'_>>,
        now: UnixTime,
        purpose: KeyPurpose,
    ) -> Result<(), CertificateError> {
        let (roots, options) = (&self.roots, &self.options);
        let key = KeyParts::new(purpose, roots, options, name, end_entity, intermediates);
        self.cache.verify(key, now, || {
            verify_chain_window(
                roots,
                end_entity,
                intermediates,
                name,
                now,
                purpose,
                options,
            )
        })
    }

    /// Validity of every stored certificate and, when CRLs are configured,
    /// the whole verification again: revocation needs the path up to the
    /// anchor. Never from the cache: a resumed session's chain is checked
    /// as [`recheck_resumed`](ServerCertVerifier::recheck_resumed) says.
    fn recheck(
        &self,
        chain: &[CertificateDer<'_>],
        now: UnixTime,
        purpose: KeyPurpose,
    ) -> Result<(), CertificateError> {
        check_chain_validity(chain, now)?;
        match (chain.split_first(), &self.options.revocation) {
            (Some((leaf, rest)), Some(_)) => {
                verify_chain_window(&self.roots, leaf, rest, None, now, purpose, &self.options)
                    .map(|_| ())
            }
            _ => Ok(()),
        }
    }
}

/// Verifies client certificates on a server (mutual TLS).
pub trait ClientCertVerifier: Send + Sync + std::fmt::Debug {
    /// Checks the client's chain for clientAuth at time `now`.
    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<(), CertificateError>;

    /// Re-checks, before the server resumes a session, the client chain this
    /// verifier accepted when the session was made (end entity first, as the
    /// client sent it). A resumed handshake carries no client Certificate, so
    /// this is the only check the stored chain gets: an error refuses the
    /// session, and the handshake falls back to a full one, which asks for a
    /// certificate and verifies it afresh.
    ///
    /// The default, and [`DefaultClientVerifier`] without CRLs, check only
    /// that every certificate in `chain` is still within its validity period
    /// at `now` (see [`check_chain_validity`]); with CRLs the default verifier
    /// also verifies the chain again, revocation included.
    fn recheck_resumed(
        &self,
        chain: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<(), CertificateError> {
        check_chain_validity(chain, now)
    }

    /// Whether a client without a certificate is refused (certificate_required).
    fn client_auth_mandatory(&self) -> bool;

    /// DER distinguished names sent as certificate_authorities hints.
    fn root_subjects(&self) -> Vec<Vec<u8>>;

    signature_methods! {
        tls13: "Verifies the client's TLS 1.3 CertificateVerify signature by the key of `cert`.",
        tls12: "Verifies the client's TLS 1.2 CertificateVerify signature by the key of `cert`.",
        offered: "The TLS 1.3 signature schemes accepted from clients, offered in the \
                  CertificateRequest's signature_algorithms.",
    }
}

/// Verifies client chains against a root store; mandatory unless built with
/// [`DefaultClientVerifier::optional`].
#[derive(Debug, Clone)]
pub struct DefaultClientVerifier {
    policy: Policy,
    mandatory: bool,
}

impl DefaultClientVerifier {
    /// Requires every client to present a certificate chaining to `roots`.
    pub fn new(roots: Arc<RootStore>) -> Self {
        DefaultClientVerifier {
            policy: Policy::new(roots),
            mandatory: true,
        }
    }

    /// Accepts clients without a certificate; those that present one must still pass.
    pub fn optional(roots: Arc<RootStore>) -> Self {
        DefaultClientVerifier {
            mandatory: false,
            ..Self::new(roots)
        }
    }

    /// Remembers up to `capacity` client chains this verifier accepted, as
    /// [`DefaultServerVerifier::with_verification_cache`] does for server
    /// chains (read its documentation, "When not to use it" above all):
    /// a returning client's chain is accepted again without building its
    /// path or checking its signatures, until the earliest notAfter on its
    /// path, the next update of a CRL it was checked against, or the TTL.
    /// The client's CertificateVerify is still checked on every handshake.
    /// Off by default; 0 turns it off.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use lctls::pki::{DefaultClientVerifier, RootStore};
    ///
    /// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");
    /// let mut roots = RootStore::new();
    /// roots.add_pem_file(format!("{dir}/ca.pem"))?;
    /// let verifier = DefaultClientVerifier::new(Arc::new(roots))
    ///     .with_verification_cache(10_000)
    ///     .with_verification_cache_ttl(std::time::Duration::from_secs(600));
    /// assert_eq!(verifier.verification_cache_stats().map(|s| s.capacity), Some(10_000));
    /// let config = lctls::ServerConfig::builder()
    ///     .with_certified_key(lctls::config::CertifiedKey::from_pem_files(
    ///         format!("{dir}/server.pem"),
    ///         format!("{dir}/server.key"),
    ///     )?)
    ///     .with_client_cert_verifier(Arc::new(verifier))
    ///     .build()?;
    /// # let _ = config;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_verification_cache(mut self, capacity: usize) -> Self {
        self.policy.cache.set_capacity(capacity);
        self
    }

    shared_methods!();

    /// Verifies with `options` instead of the defaults: e.g. a required
    /// mailbox for every client.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use lctls::pki::{DefaultClientVerifier, RootStore, VerifyOptions};
    ///
    /// let verifier = DefaultClientVerifier::new(Arc::new(RootStore::new()))
    ///     .with_options(VerifyOptions::new().with_email("ops@example.com"));
    /// # let _ = verifier;
    /// ```
    pub fn with_options(mut self, options: VerifyOptions) -> Self {
        self.policy.set_options(options);
        self
    }
}

impl ClientCertVerifier for DefaultClientVerifier {
    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<(), CertificateError> {
        self.policy
            .verify(end_entity, intermediates, None, now, KeyPurpose::ClientAuth)
    }

    fn recheck_resumed(
        &self,
        chain: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<(), CertificateError> {
        self.policy.recheck(chain, now, KeyPurpose::ClientAuth)
    }

    fn client_auth_mandatory(&self) -> bool {
        self.mandatory
    }

    fn root_subjects(&self) -> Vec<Vec<u8>> {
        self.policy.roots.subjects()
    }
}

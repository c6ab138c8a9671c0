//! Client and server configuration, built once and shared by many connections.

mod client;
mod compression;
mod credentials;
mod resolver;
mod server;

pub use client::{ClientConfig, ClientConfigBuilder, DangerousClientConfigBuilder};
pub use compression::CertCompressor;
pub(crate) use compression::{compress_certificate, decompress_certificate, offered_compression};
pub(crate) use credentials::choose_client_cert;
pub use credentials::ClientHelloInfo;
pub use resolver::{
    CertifiedKey, ClientCertChooser, ReloadableCert, ResolvesClientCert, ResolvesServerCert,
    SniResolver,
};
pub use server::{ServerConfig, ServerConfigBuilder};

// What the builders take and the session-store traits name, at the paths
// users configure them by (the modules they live in are crate-private).
pub use crate::proto::crypto::sign::SigningKey;
pub use crate::proto::handshake::resume::replay::{
    AntiReplay, StrikeRegister, DEFAULT_REPLAY_CAPACITY, DEFAULT_REPLAY_WINDOW,
};
pub use crate::proto::handshake::resume::{
    ClientSessionCache, ClientSessionStore, ClientSessions, ServerSessionCache, ServerSessionStore,
    Session12, Session13, TicketKeys, MAX_SESSION_CHAIN_BYTES,
};
pub use crate::proto::keys::keylog::{KeyLog, KeyLogFile};

use crate::error::Error;
use crate::proto::crypto::kx::{KeyExchange, SUPPORTED_GROUPS};
use crate::proto::crypto::suites::{
    tls12_suite, tls13_suite, Tls12CipherSuite, Tls13CipherSuite, ALL_TLS12_SUITES,
    ALL_TLS13_SUITES,
};
use crate::proto::wire::enums::{CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme};
use rustls_pki_types::UnixTime;
use std::sync::Arc;

/// Options both sides take, as set on a builder.
#[derive(Debug)]
pub(crate) struct SharedBuilder {
    pub alpn: Vec<Vec<u8>>,
    pub suites: Option<Vec<CipherSuite>>,
    pub groups: Option<Vec<NamedGroup>>,
    pub versions: Option<Vec<ProtocolVersion>>,
    pub signing_schemes: Option<Vec<SignatureScheme>>,
    pub cert_compressors: Vec<Arc<dyn CertCompressor>>,
    pub require_ems: bool,
    pub max_handshake_message: usize,
    pub max_fragment: usize,
    pub time: Arc<dyn TimeProvider>,
    pub key_log: Option<Arc<dyn KeyLog>>,
}

impl Default for SharedBuilder {
    fn default() -> Self {
        SharedBuilder {
            alpn: Vec::new(),
            suites: None,
            groups: None,
            versions: None,
            signing_schemes: None,
            cert_compressors: Vec::new(),
            require_ems: false,
            max_handshake_message: crate::proto::wire::handshake::DEFAULT_MAX_HANDSHAKE_MESSAGE,
            max_fragment: crate::proto::record::codec::MAX_PLAINTEXT,
            time: Arc::new(SystemTime),
            key_log: None,
        }
    }
}

impl SharedBuilder {
    /// Checks the options and resolves suites, versions and groups.
    pub fn build(self) -> Result<Shared, Error> {
        check_alpn(&self.alpn)?;
        if !(1..=crate::proto::record::codec::MAX_PLAINTEXT).contains(&self.max_fragment) {
            return Err(Error::Config("max fragment size must be 1..=16384".into()));
        }
        if let Some(s) = &self.signing_schemes {
            check_signing_schemes(s)?;
        }
        compression::check_compressors(&self.cert_compressors)?;
        Ok(Shared {
            protocols: resolve_protocols(
                self.suites.as_deref(),
                self.versions.as_deref(),
                self.groups.as_deref(),
            )?,
            alpn: self.alpn,
            signing_schemes: self.signing_schemes,
            cert_compressors: self.cert_compressors,
            require_ems: self.require_ems,
            max_handshake_message: self.max_handshake_message,
            max_fragment: self.max_fragment,
            time: self.time,
            key_log: self.key_log,
        })
    }
}

/// Options both sides take, checked.
#[derive(Debug, Clone)]
pub(crate) struct Shared {
    pub alpn: Vec<Vec<u8>>,
    pub protocols: Protocols,
    pub signing_schemes: Option<Vec<SignatureScheme>>,
    pub cert_compressors: Vec<Arc<dyn CertCompressor>>,
    pub require_ems: bool,
    pub max_handshake_message: usize,
    pub max_fragment: usize,
    pub time: Arc<dyn TimeProvider>,
    pub key_log: Option<Arc<dyn KeyLog>>,
}

/// The setters both builders have, with their shared meaning.
macro_rules! shared_setters {
    () => {
        /// The ALPN protocols (RFC 7301), most preferred first. A server
        /// picks its first that the client offered; when both sides offer
        /// ALPN and nothing matches, the handshake fails with no_application_protocol.
        pub fn with_alpn_protocols<P: AsRef<[u8]>>(mut self, protocols: &[P]) -> Self {
            self.shared.alpn = protocols.iter().map(|p| p.as_ref().to_vec()).collect();
            self
        }

        /// Only these cipher suites (TLS 1.3 and TLS 1.2 ones), in this order of preference.
        pub fn with_cipher_suites(mut self, suites: &[CipherSuite]) -> Self {
            self.shared.suites = Some(suites.to_vec());
            self
        }

        /// Only these key-exchange groups, in this order of preference
        /// (default: X25519MLKEM768, X25519, P-256, P-384; P-521,
        /// SecP256r1MLKEM768 and MLKEM1024 are available too). A client
        /// sends TLS 1.3 key shares for the first and for the first of the
        /// other kind, post-quantum or classical (see
        /// `ClientConfigBuilder::with_key_shares`); a TLS 1.3 server picks a
        /// post-quantum group whenever the client supports one of ours,
        /// then its most preferred group the client sent a share for. The
        /// ML-KEM groups are never used in TLS 1.2.
        pub fn with_groups(mut self, groups: &[NamedGroup]) -> Self {
            self.shared.groups = Some(groups.to_vec());
            self
        }

        /// Only these protocol versions (TLS 1.3 and TLS 1.2; default both).
        pub fn with_protocol_versions(mut self, versions: &[ProtocolVersion]) -> Self {
            self.shared.versions = Some(versions.to_vec());
            self
        }

        /// Signs only with these signature schemes, in this order of
        /// preference: the server's TLS 1.2 ServerKeyExchange and TLS 1.3
        /// CertificateVerify, the client's CertificateVerify. Each signature
        /// uses the first of these that the peer accepts and our key can make
        /// (schemes for other key types are skipped, so one list serves
        /// ECDSA and RSA keys alike); when there is none the handshake fails
        /// with handshake_failure, saying so. By default a key signs with
        /// every scheme it can make (RSA: PSS before PKCS#1 v1.5). It does not
        /// change which schemes we accept from the peer (that is the
        /// verifier's `supported_schemes`). An empty list, or a scheme lctls
        /// never signs with (SHA-1 or MD5 based), fails `build` with
        /// [`Error::Config`](crate::Error::Config).
        ///
        /// ```
        /// use lctls::config::ServerConfig;
        /// use lctls::proto::enums::SignatureScheme;
        /// # fn main() -> Result<(), lctls::Error> {
        /// # let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");
        /// # let key = lctls::config::CertifiedKey::from_pem_files(
        /// #     format!("{dir}/server-rsa.pem"), format!("{dir}/server-rsa.key"))?;
        /// let config = ServerConfig::builder()
        ///     .with_certified_key(key)
        ///     // RSA-PSS with SHA-384 or SHA-512 only, never PKCS#1 v1.5.
        ///     .with_signing_schemes(&[
        ///         SignatureScheme::RSA_PSS_SHA384,
        ///         SignatureScheme::RSA_PSS_SHA512,
        ///     ])
        ///     .build()?;
        /// # let _ = config; Ok(()) }
        /// ```
        pub fn with_signing_schemes(mut self, schemes: &[SignatureScheme]) -> Self {
            self.shared.signing_schemes = Some(schemes.to_vec());
            self
        }

        /// TLS 1.3 certificate compression (RFC 8879) with these
        /// algorithms, most preferred first: a client offers them in
        /// compress_certificate and decompresses a server certificate sent
        /// with one of them; a server compresses its certificate with the
        /// first of them the client offered. Default none. See
        /// [`CertCompressor`](crate::config::CertCompressor); naming one
        /// algorithm twice fails `build` with
        /// [`Error::Config`](crate::Error::Config).
        pub fn with_cert_compression(
            mut self,
            compressors: &[Arc<dyn crate::config::CertCompressor>],
        ) -> Self {
            self.shared.cert_compressors = compressors.to_vec();
            self
        }

        /// Whether a TLS 1.2 peer must support the extended master secret
        /// (RFC 7627). It is always offered and used when the peer supports
        /// it. By default (false) a peer without it is accepted for a full
        /// handshake, as OpenSSL, BoringSSL, Go and rustls do, but such a
        /// session is never resumable: no session ID or ticket is issued
        /// for it and a client does not keep it. With true, such a peer is
        /// refused with a handshake_failure alert (FIPS-style). TLS 1.3 is
        /// unaffected: its key schedule always binds the handshake.
        pub fn require_extended_master_secret(mut self, required: bool) -> Self {
            self.shared.require_ems = required;
            self
        }

        /// Refuses handshake messages longer than `bytes` (default 64 KiB).
        pub fn with_max_handshake_message(mut self, bytes: usize) -> Self {
            self.shared.max_handshake_message = bytes;
            self
        }

        /// Splits outgoing data into records of at most `bytes` plaintext
        /// bytes (1 to 16384; tests use tiny records to exercise reassembly).
        pub fn with_max_fragment_size(mut self, bytes: usize) -> Self {
            self.shared.max_fragment = bytes;
            self
        }

        /// Uses this clock for certificate validity and ticket lifetimes.
        pub fn with_time_provider(mut self, time: Arc<dyn TimeProvider>) -> Self {
            self.shared.time = time;
            self
        }

        /// Hands every connection's secrets to `log` (NSS key log format
        /// with [`KeyLogFile`](crate::config::KeyLogFile)), so a debugger
        /// such as Wireshark can decrypt captured traffic. Off by default:
        /// anyone who reads the log can read those connections.
        pub fn with_key_log(mut self, log: Arc<dyn crate::config::KeyLog>) -> Self {
            self.shared.key_log = Some(log);
            self
        }
    };
}
pub(crate) use shared_setters;

/// The source of the current time for certificate validity checks.
/// Injectable so tests can verify at a fixed instant.
pub trait TimeProvider: Send + Sync + std::fmt::Debug {
    /// The current time.
    fn now(&self) -> UnixTime;
}

/// The system clock.
#[derive(Debug, Default)]
pub struct SystemTime;

impl TimeProvider for SystemTime {
    fn now(&self) -> UnixTime {
        UnixTime::now()
    }
}

/// A fixed instant, for tests.
#[derive(Debug)]
pub struct FixedTime(pub UnixTime);

impl TimeProvider for FixedTime {
    fn now(&self) -> UnixTime {
        self.0
    }
}

/// The TLS 1.3 and TLS 1.2 suites, the versions and the groups a config allows.
#[derive(Debug, Clone)]
pub(crate) struct Protocols {
    pub versions: Vec<ProtocolVersion>,
    pub suites13: Vec<&'static Tls13CipherSuite>,
    pub suites12: Vec<&'static Tls12CipherSuite>,
    pub groups: Vec<NamedGroup>,
}

impl Protocols {
    pub fn allows(&self, v: ProtocolVersion) -> bool {
        self.versions.contains(&v)
    }

    /// Every suite code point we would offer, TLS 1.3 first.
    pub fn suite_ids(&self) -> Vec<CipherSuite> {
        let mut v = Vec::new();
        if self.allows(ProtocolVersion::TLSv1_3) {
            v.extend(self.suites13.iter().map(|s| s.suite));
        }
        if self.allows(ProtocolVersion::TLSv1_2) {
            v.extend(self.suites12.iter().map(|s| s.suite));
        }
        v
    }
}

/// Resolves suites, versions and groups, refusing what we do not implement
/// (RSA key exchange, CBC, NULL and export suites, versions before TLS 1.2).
fn resolve_protocols(
    suites: Option<&[CipherSuite]>,
    versions: Option<&[ProtocolVersion]>,
    groups: Option<&[NamedGroup]>,
) -> Result<Protocols, Error> {
    let versions = match versions {
        None => vec![ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2],
        Some([]) => return Err(Error::Config("no protocol versions configured".into())),
        Some(v) => {
            for &x in v {
                if !matches!(x, ProtocolVersion::TLSv1_3 | ProtocolVersion::TLSv1_2) {
                    return Err(Error::Config(format!(
                        "protocol version {x:?} is not supported: only TLS 1.3 and TLS 1.2"
                    )));
                }
            }
            v.to_vec()
        }
    };
    let (suites13, suites12) = match suites {
        None => (ALL_TLS13_SUITES.to_vec(), ALL_TLS12_SUITES.to_vec()),
        Some(ids) => {
            let mut s13 = Vec::new();
            let mut s12 = Vec::new();
            for &id in ids {
                if let Some(s) = tls13_suite(id) {
                    s13.push(s);
                } else if let Some(s) = tls12_suite(id) {
                    s12.push(s);
                } else {
                    return Err(Error::Config(format!(
                        "cipher suite {id:?} is not supported (only TLS 1.3 suites and TLS 1.2 ECDHE with AES-GCM or ChaCha20-Poly1305)"
                    )));
                }
            }
            (s13, s12)
        }
    };
    let p = Protocols {
        groups: match groups {
            Some(g) => resolve_groups(g)?,
            None => default_groups(),
        },
        versions,
        suites13,
        suites12,
    };
    let usable13 = p.allows(ProtocolVersion::TLSv1_3) && !p.suites13.is_empty();
    let usable12 = p.allows(ProtocolVersion::TLSv1_2) && !p.suites12.is_empty();
    if !usable13 && !usable12 {
        return Err(Error::Config(
            "no cipher suite configured for an enabled protocol version".into(),
        ));
    }
    Ok(p)
}

fn resolve_groups(groups: &[NamedGroup]) -> Result<Vec<NamedGroup>, Error> {
    if groups.is_empty() {
        return Err(Error::Config("no key-exchange groups configured".into()));
    }
    for (i, &g) in groups.iter().enumerate() {
        if !KeyExchange::supports(g) {
            return Err(Error::Config(format!("group {g:?} is not supported")));
        }
        if groups[..i].contains(&g) {
            return Err(Error::Config(format!("group {g:?} is listed twice")));
        }
    }
    Ok(groups.to_vec())
}

fn default_groups() -> Vec<NamedGroup> {
    SUPPORTED_GROUPS.to_vec()
}

/// Every scheme lctls may sign with, for some key type and version.
const SIGNING_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::ECDSA_NISTP256_SHA256,
    SignatureScheme::ECDSA_NISTP384_SHA384,
    SignatureScheme::ECDSA_NISTP521_SHA512,
    SignatureScheme::ED25519,
    SignatureScheme::RSA_PSS_SHA256,
    SignatureScheme::RSA_PSS_SHA384,
    SignatureScheme::RSA_PSS_SHA512,
    SignatureScheme::RSA_PKCS1_SHA256,
    SignatureScheme::RSA_PKCS1_SHA384,
    SignatureScheme::RSA_PKCS1_SHA512,
];

/// A signing-scheme list must be non-empty and name only schemes we sign
/// with: a SHA-1 or unknown scheme there is a mistake to report, not skip.
pub(crate) fn check_signing_schemes(schemes: &[SignatureScheme]) -> Result<(), Error> {
    if schemes.is_empty() {
        return Err(Error::Config("no signing schemes configured".into()));
    }
    match schemes.iter().find(|s| !SIGNING_SCHEMES.contains(s)) {
        Some(s) => Err(Error::Config(format!(
            "signature scheme {s:?} is not one lctls signs with (SHA-1, MD5 and unknown schemes are refused)"
        ))),
        None => Ok(()),
    }
}

fn check_alpn(protocols: &[Vec<u8>]) -> Result<(), Error> {
    for p in protocols {
        if p.is_empty() || p.len() > 255 {
            return Err(Error::Config(
                "ALPN protocol names must be 1 to 255 bytes".into(),
            ));
        }
    }
    Ok(())
}

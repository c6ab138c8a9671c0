//! Choosing the server's certificate for a ClientHello.

use std::collections::HashMap;
use std::sync::Arc;

use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::config::ClientHelloInfo;
use crate::error::Error;
use crate::proto::crypto::sign::SigningKey;
use crate::proto::wire::enums::SignatureScheme;

/// A certificate chain (end entity first) and the key for its end entity.
///
/// Built only through [`CertifiedKey::new`] (or [`CertifiedKey::from_pem_files`]),
/// which checks that the key belongs to the end-entity certificate.
#[derive(Debug)]
#[non_exhaustive]
pub struct CertifiedKey {
    /// The chain sent to peers, end entity first.
    pub chain: Vec<CertificateDer<'static>>,
    /// The end entity's private key.
    pub key: SigningKey,
    /// The DER OCSP response stapled for the end entity to clients that ask
    /// (see [`CertifiedKey::with_ocsp`]).
    pub ocsp: Option<Vec<u8>>,
    /// The SignedCertificateTimestampList (RFC 6962 section 3.3.1) sent to
    /// clients that ask (see [`CertifiedKey::with_sct_list`]).
    pub sct_list: Option<Vec<u8>>,
    /// The schemes this key may sign with, in order (None: all it can make).
    signing_schemes: Option<Vec<SignatureScheme>>,
}

impl CertifiedKey {
    /// Builds from a chain and a DER private key (PKCS#8, SEC1 or PKCS#1).
    ///
    /// Fails with [`Error::Config`] when the chain is empty, the key does
    /// not load, or the key is not the one the end-entity certificate
    /// certifies (its public key differs from the certificate's
    /// SubjectPublicKeyInfo): such a pair would only fail every handshake.
    pub fn new(
        chain: Vec<CertificateDer<'static>>,
        key: &PrivateKeyDer<'_>,
    ) -> Result<Self, Error> {
        if chain.is_empty() {
            return Err(Error::Config("certificate chain is empty".into()));
        }
        Self::checked(chain, SigningKey::from_der(key)?)
    }

    /// `chain` with `key`, once the key is known to be the end entity's.
    fn checked(chain: Vec<CertificateDer<'static>>, key: SigningKey) -> Result<Self, Error> {
        let Some(leaf) = chain.first() else {
            return Err(Error::Config("certificate chain is empty".into()));
        };
        check_key_matches(leaf, &key)?;
        Ok(CertifiedKey {
            chain,
            key,
            ocsp: None,
            sct_list: None,
            signing_schemes: None,
        })
    }

    /// Builds from a chain and a key held elsewhere that signs
    /// asynchronously (a KMS, an HSM; see [`crate::hooks::AsyncSigningKey`]):
    /// a server using it pauses its handshake while the signer works.
    ///
    /// Fails with [`Error::Config`] when the chain is empty, the signer
    /// names no scheme lctls signs with, or its public key is not the one
    /// the end-entity certificate certifies. It serves as a server
    /// certificate and as a client certificate alike.
    pub fn with_async_signer(
        chain: Vec<CertificateDer<'static>>,
        signer: Arc<dyn crate::hooks::AsyncSigningKey>,
    ) -> Result<Self, Error> {
        if chain.is_empty() {
            return Err(Error::Config("certificate chain is empty".into()));
        }
        Self::checked(chain, SigningKey::from_async_signer(signer)?)
    }

    /// Staples `response`, a DER OCSPResponse for the end entity (as
    /// `openssl ocsp -respout` writes), to every handshake whose client asks
    /// (status_request): in the TLS 1.2 CertificateStatus message and in
    /// the TLS 1.3 end entity's CertificateEntry. The server does not check
    /// it; an empty `response` staples nothing. Renew it before its
    /// nextUpdate, with the certificate, through [`ReloadableCert`].
    pub fn with_ocsp(mut self, response: Vec<u8>) -> Self {
        self.ocsp = (!response.is_empty()).then_some(response);
        self
    }

    /// Sends `list`, a SignedCertificateTimestampList as TLS carries it (a
    /// 2-byte length, then SCTs each with a 2-byte length), to clients that
    /// send signed_certificate_timestamp: in the TLS 1.2 ServerHello and the
    /// TLS 1.3 end entity's CertificateEntry. Fails with [`Error::Config`]
    /// when the list is empty or malformed, which every client would refuse.
    pub fn with_sct_list(mut self, list: Vec<u8>) -> Result<Self, Error> {
        crate::proto::wire::status::check_sct_list(&list)
            .map_err(|e| Error::Config(format!("invalid SCT list: {e}")))?;
        self.sct_list = Some(list);
        Ok(self)
    }

    /// [`CertifiedKey::with_ocsp`] with the response read from a DER file.
    pub fn with_ocsp_file(self, path: impl AsRef<std::path::Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let der = std::fs::read(path)
            .map_err(|e| Error::Config(format!("reading OCSP response {}: {e}", path.display())))?;
        Ok(self.with_ocsp(der))
    }

    /// Signs only with these schemes, in this order of preference, for this
    /// key alone (a server with several keys may give each its own policy).
    /// The configuration's
    /// [`with_signing_schemes`](crate::config::ServerConfigBuilder::with_signing_schemes)
    /// list, when set, still applies and decides the order; schemes this
    /// key cannot make are skipped.
    ///
    /// Fails with [`Error::Config`] for an empty list or a scheme lctls never
    /// signs with (SHA-1 and MD5 based ones).
    ///
    /// ```
    /// use lctls::config::CertifiedKey;
    /// use lctls::proto::enums::SignatureScheme;
    /// # fn main() -> Result<(), lctls::Error> {
    /// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");
    /// let key = CertifiedKey::from_pem_files(
    ///     format!("{dir}/server-rsa.pem"),
    ///     format!("{dir}/server-rsa.key"),
    /// )?
    /// .with_signing_schemes(&[SignatureScheme::RSA_PSS_SHA384])?;
    /// # let _ = key; Ok(()) }
    /// ```
    pub fn with_signing_schemes(mut self, schemes: &[SignatureScheme]) -> Result<Self, Error> {
        crate::config::check_signing_schemes(schemes)?;
        self.signing_schemes = Some(schemes.to_vec());
        Ok(self)
    }

    /// Whether a certificate of the chain was issued under one of
    /// `authorities` (DER distinguished names, as a CertificateRequest's
    /// certificate_authorities carries them). False when the chain does not
    /// parse.
    pub fn issued_by_any(&self, authorities: &[Vec<u8>]) -> bool {
        self.chain_issuers()
            .is_ok_and(|issuers| issuers.iter().any(|i| authorities.contains(i)))
    }

    /// The DER issuer name of every certificate of the chain.
    pub(crate) fn chain_issuers(&self) -> Result<Vec<Vec<u8>>, Error> {
        use x509_cert::der::{Decode, Encode};
        self.chain
            .iter()
            .map(|c| {
                let cert = x509_cert::Certificate::from_der(c.as_ref())
                    .map_err(|e| Error::Config(format!("certificate does not parse: {e}")))?;
                cert.tbs_certificate
                    .issuer
                    .to_der()
                    .map_err(|e| Error::Config(format!("certificate issuer: {e}")))
            })
            .collect()
    }

    /// Whether this key may sign with one of `offered` (in TLS 1.2, whose
    /// list is the wider one), honouring its own
    /// [`with_signing_schemes`](Self::with_signing_schemes) list: what a
    /// [`ResolvesClientCert`] asks of a candidate key.
    pub fn can_sign(&self, offered: &[SignatureScheme]) -> bool {
        self.choose_scheme(None, offered, false).is_some()
    }

    /// The scheme to sign with: the first of the configuration's list (else
    /// this key's own list, else the key's default order) that this key
    /// allows, can make in the version (`tls13`) and the peer `offered`.
    pub(crate) fn choose_scheme(
        &self,
        config: Option<&[SignatureScheme]>,
        offered: &[SignatureScheme],
        tls13: bool,
    ) -> Option<SignatureScheme> {
        let own = self.signing_schemes.as_deref();
        let allowed: Vec<SignatureScheme> = offered
            .iter()
            .copied()
            .filter(|s| own.is_none_or(|o| o.contains(s)))
            .collect();
        self.key.choose_scheme(config.or(own), &allowed, tls13)
    }

    /// Loads a PEM chain file and a PEM private key file.
    pub fn from_pem_files(
        cert: impl AsRef<std::path::Path>,
        key: impl AsRef<std::path::Path>,
    ) -> Result<Self, Error> {
        use rustls_pki_types::pem::PemObject;
        let cert = cert.as_ref();
        let key = key.as_ref();
        let chain = CertificateDer::pem_file_iter(cert)
            .map_err(|e| Error::Config(format!("reading {}: {e}", cert.display())))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Error::Config(format!("parsing {}: {e}", cert.display())))?;
        let key = PrivateKeyDer::from_pem_file(key)
            .map_err(|e| Error::Config(format!("reading key {}: {e}", key.display())))?;
        Self::new(chain, &key)
    }
}

/// Checks that `key` is the private key for `leaf`'s public key.
fn check_key_matches(leaf: &CertificateDer<'_>, key: &SigningKey) -> Result<(), Error> {
    let (cert_kind, cert_key, subject) = crate::pki::certificate_public_key(leaf.as_ref())
        .map_err(|e| Error::Config(format!("end-entity certificate: {e}")))?;
    if cert_key == key.public_key() {
        return Ok(());
    }
    let key_kind = key.kind();
    let what = if key_kind.starts_with(&cert_kind) {
        format!("a different {cert_kind} key")
    } else {
        cert_kind
    };
    Err(Error::Config(format!(
        "private key does not match certificate '{subject}': the key is {key_kind}, \
         the certificate's public key is {what}"
    )))
}

/// Chooses the certificate for a connection.
pub trait ResolvesServerCert: Send + Sync + std::fmt::Debug {
    /// The certificate to present, or None to fail the handshake with
    /// unrecognized_name.
    fn resolve(&self, hello: &ClientHelloInfo<'_>) -> Option<Arc<CertifiedKey>>;

    /// Like [`resolve`](Self::resolve), for a resolver that must be able to
    /// fail the handshake with an error of its own (say internal_error when
    /// its certificate store is unreachable): the handshake fails with that
    /// error and sends its alert. By default, [`resolve`](Self::resolve),
    /// with None meaning unrecognized_name.
    fn try_resolve(&self, hello: &ClientHelloInfo<'_>) -> Result<Arc<CertifiedKey>, Error> {
        self.resolve(hello).ok_or_else(|| {
            Error::protocol(
                crate::proto::wire::enums::AlertDescription::UnrecognizedName,
                format!("no certificate for server name {:?}", hello.server_name),
            )
        })
    }
}

/// Stands in for the synchronous resolver when an asynchronous one chooses.
#[derive(Debug)]
pub(crate) struct NoCertificate;

impl ResolvesServerCert for NoCertificate {
    fn resolve(&self, _: &ClientHelloInfo<'_>) -> Option<Arc<CertifiedKey>> {
        None
    }
}

/// One certificate for every client.
#[derive(Debug)]
pub(crate) struct SingleCert(pub Arc<CertifiedKey>);

impl ResolvesServerCert for SingleCert {
    fn resolve(&self, _: &ClientHelloInfo<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }
}

/// Maps SNI host names to certificates, with optional defaults for clients
/// that send no name or an unknown one. A name (and the defaults) may have
/// several certificates, say an ECDSA and an RSA one: each client gets the
/// first, in the order added, that fits what it offers (see
/// [`ClientHelloInfo::fits`]: its signature schemes and, in TLS 1.2, its
/// cipher suites and curves). When none fits, the first is tried, and the
/// handshake fails saying why it does not fit.
///
/// ```
/// use lctls::config::{CertifiedKey, SniResolver};
/// # fn main() -> Result<(), lctls::Error> {
/// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");
/// let mut sni = SniResolver::new();
/// sni.add("localhost", CertifiedKey::from_pem_files(
///     format!("{dir}/server.pem"), format!("{dir}/server.key"))?)?;
/// // Clients that accept no ECDSA signature get the RSA certificate.
/// sni.add("localhost", CertifiedKey::from_pem_files(
///     format!("{dir}/server-rsa.pem"), format!("{dir}/server-rsa.key"))?)?;
/// # Ok(()) }
/// ```
#[derive(Debug, Default)]
pub struct SniResolver {
    by_name: HashMap<String, Vec<Arc<CertifiedKey>>>,
    defaults: Vec<Arc<CertifiedKey>>,
}

impl SniResolver {
    /// An empty resolver.
    pub fn new() -> Self {
        Self::default()
    }

    /// Serves `key` to clients asking for `name` (compared
    /// case-insensitively), after any added before for that name.
    pub fn add(&mut self, name: &str, key: CertifiedKey) -> Result<(), Error> {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        if name.is_empty() {
            return Err(Error::Config("empty SNI name".into()));
        }
        self.by_name.entry(name).or_default().push(Arc::new(key));
        Ok(())
    }

    /// Serves `key` when no name matches, after any default added before.
    pub fn add_default(&mut self, key: CertifiedKey) {
        self.defaults.push(Arc::new(key));
    }
}

/// The first of `keys` that fits `hello`, else the first (whose handshake
/// then fails with the reason), else None.
pub(crate) fn first_fitting(
    keys: &[Arc<CertifiedKey>],
    hello: &ClientHelloInfo<'_>,
) -> Option<Arc<CertifiedKey>> {
    keys.iter()
        .find(|k| hello.fits(k))
        .or(keys.first())
        .cloned()
}

impl ResolvesServerCert for SniResolver {
    fn resolve(&self, hello: &ClientHelloInfo<'_>) -> Option<Arc<CertifiedKey>> {
        let named = hello.server_name.and_then(|n| {
            self.by_name
                .get(&n.trim_end_matches('.').to_ascii_lowercase())
        });
        first_fitting(named.unwrap_or(&self.defaults), hello)
    }
}

/// Chooses the client certificate to answer a CertificateRequest with.
pub trait ResolvesClientCert: Send + Sync + std::fmt::Debug {
    /// The chain to present, given the server's certificate_authorities hints
    /// (DER names, possibly empty) and accepted signature schemes; None sends
    /// an empty Certificate.
    fn resolve(
        &self,
        authorities: &[Vec<u8>],
        schemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>>;

    /// Like [`resolve`](Self::resolve), for a resolver that must be able to
    /// fail the handshake rather than send an empty Certificate (say with
    /// handshake_failure when no certificate was issued under the server's
    /// authorities and policy forbids sending another). By default,
    /// [`resolve`](Self::resolve).
    fn try_resolve(
        &self,
        authorities: &[Vec<u8>],
        schemes: &[SignatureScheme],
    ) -> Result<Option<Arc<CertifiedKey>>, Error> {
        Ok(self.resolve(authorities, schemes))
    }
}

impl ResolvesClientCert for SingleCert {
    fn resolve(&self, _: &[Vec<u8>], schemes: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        // The TLS 1.2 list is a superset of the TLS 1.3 one; the handshake
        // then picks a scheme its version allows.
        self.0.can_sign(schemes).then(|| self.0.clone())
    }
}

/// Chooses among several client certificates by what the server asks for:
/// the first whose chain was issued under one of the server's
/// certificate_authorities and whose key can make a signature it accepts;
/// when the server names no authorities, the first whose key fits.
///
/// ```
/// use lctls::config::{CertifiedKey, ClientCertChooser};
/// # fn main() -> Result<(), lctls::Error> {
/// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");
/// let mut chooser = ClientCertChooser::new();
/// chooser.add(CertifiedKey::from_pem_files(format!("{dir}/client.pem"), format!("{dir}/client.key"))?)?;
/// # Ok(()) }
/// ```
#[derive(Debug, Default)]
pub struct ClientCertChooser {
    /// Each key with the DER issuer names of its chain's certificates.
    keys: Vec<(Arc<CertifiedKey>, Vec<Vec<u8>>)>,
}

impl ClientCertChooser {
    /// A chooser with no certificates (it answers every request with none).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a certificate; earlier ones are preferred. Fails with
    /// [`Error::Config`] when a certificate of its chain does not parse.
    pub fn add(&mut self, key: CertifiedKey) -> Result<(), Error> {
        let issuers = key.chain_issuers()?;
        self.keys.push((Arc::new(key), issuers));
        Ok(())
    }
}

impl ResolvesClientCert for ClientCertChooser {
    fn resolve(
        &self,
        authorities: &[Vec<u8>],
        schemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        self.keys
            .iter()
            .filter(|(k, _)| k.can_sign(schemes))
            .find(|(_, issuers)| {
                authorities.is_empty() || issuers.iter().any(|i| authorities.contains(i))
            })
            .map(|(k, _)| k.clone())
    }
}

/// A certificate that can be replaced while the server runs (after a
/// renewal, say): handshakes that start after [`ReloadableCert::set`] get the
/// new one; those already under way keep the one they chose.
///
/// ```
/// use std::sync::Arc;
/// use lctls::config::{CertifiedKey, ReloadableCert, ServerConfig};
/// # fn main() -> Result<(), lctls::Error> {
/// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");
/// let cert = Arc::new(ReloadableCert::new(CertifiedKey::from_pem_files(
///     format!("{dir}/server.pem"),
///     format!("{dir}/server.key"),
/// )?));
/// let config = ServerConfig::builder().with_cert_resolver(cert.clone()).build()?;
/// // Later, from any task:
/// cert.reload_pem_files(format!("{dir}/server-rsa.pem"), format!("{dir}/server-rsa.key"))?;
/// # let _ = config; Ok(()) }
/// ```
#[derive(Debug)]
pub struct ReloadableCert {
    current: std::sync::RwLock<Arc<CertifiedKey>>,
}

impl ReloadableCert {
    /// Starts with `key`.
    pub fn new(key: CertifiedKey) -> Self {
        ReloadableCert {
            current: std::sync::RwLock::new(Arc::new(key)),
        }
    }

    /// The certificate served to handshakes starting now.
    pub fn current(&self) -> Arc<CertifiedKey> {
        match self.current.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Serves `key` from now on.
    pub fn set(&self, key: CertifiedKey) {
        let key = Arc::new(key);
        match self.current.write() {
            Ok(mut g) => *g = key,
            Err(poisoned) => *poisoned.into_inner() = key,
        }
    }

    /// Loads a new chain and key; on any error (unreadable files, a key that
    /// does not match the certificate, ...) the current certificate stays.
    pub fn reload_pem_files(
        &self,
        cert: impl AsRef<std::path::Path>,
        key: impl AsRef<std::path::Path>,
    ) -> Result<(), Error> {
        self.set(CertifiedKey::from_pem_files(cert, key)?);
        Ok(())
    }

    /// [`ReloadableCert::reload_pem_files`] with a DER OCSP response to
    /// staple from now on (see [`CertifiedKey::with_ocsp`]); on any error
    /// the current certificate and response stay.
    pub fn reload_pem_files_with_ocsp(
        &self,
        cert: impl AsRef<std::path::Path>,
        key: impl AsRef<std::path::Path>,
        ocsp: impl AsRef<std::path::Path>,
    ) -> Result<(), Error> {
        self.set(CertifiedKey::from_pem_files(cert, key)?.with_ocsp_file(ocsp)?);
        Ok(())
    }
}

impl ResolvesServerCert for ReloadableCert {
    fn resolve(&self, _: &ClientHelloInfo<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current())
    }
}

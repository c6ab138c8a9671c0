//! The knobs of [`verify_chain_with`](super::verify_chain_with) and the
//! default verifiers: each named for what it does, each defaulting to the
//! secure choice.

use x509_cert::der::asn1::ObjectIdentifier;
use x509_cert::ext::pkix::KeyUsage;

use super::chain::KeyPurpose;
use super::crl::RevocationOptions;
use super::profile::LeafRules;

/// Most intermediates a path may hold unless
/// [`VerifyOptions::max_intermediates`] says otherwise.
pub const DEFAULT_MAX_INTERMEDIATES: usize = 8;

/// One bit of the keyUsage extension (RFC 5280 section 4.2.1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyUsageBit {
    /// digitalSignature: TLS handshake signatures.
    DigitalSignature,
    /// nonRepudiation (contentCommitment).
    NonRepudiation,
    /// keyEncipherment: RSA key transport.
    KeyEncipherment,
    /// dataEncipherment.
    DataEncipherment,
    /// keyAgreement: static (EC)DH.
    KeyAgreement,
    /// keyCertSign: signing certificates.
    KeyCertSign,
    /// cRLSign: signing CRLs.
    CrlSign,
    /// encipherOnly.
    EncipherOnly,
    /// decipherOnly.
    DecipherOnly,
}

impl KeyUsageBit {
    /// The bit's name in RFC 5280.
    pub fn name(self) -> &'static str {
        match self {
            KeyUsageBit::DigitalSignature => "digitalSignature",
            KeyUsageBit::NonRepudiation => "nonRepudiation",
            KeyUsageBit::KeyEncipherment => "keyEncipherment",
            KeyUsageBit::DataEncipherment => "dataEncipherment",
            KeyUsageBit::KeyAgreement => "keyAgreement",
            KeyUsageBit::KeyCertSign => "keyCertSign",
            KeyUsageBit::CrlSign => "cRLSign",
            KeyUsageBit::EncipherOnly => "encipherOnly",
            KeyUsageBit::DecipherOnly => "decipherOnly",
        }
    }

    /// Is this bit set in `ku`?
    pub(crate) fn is_set(self, ku: &KeyUsage) -> bool {
        match self {
            KeyUsageBit::DigitalSignature => ku.digital_signature(),
            KeyUsageBit::NonRepudiation => ku.non_repudiation(),
            KeyUsageBit::KeyEncipherment => ku.key_encipherment(),
            KeyUsageBit::DataEncipherment => ku.data_encipherment(),
            KeyUsageBit::KeyAgreement => ku.key_agreement(),
            KeyUsageBit::KeyCertSign => ku.key_cert_sign(),
            KeyUsageBit::CrlSign => ku.crl_sign(),
            KeyUsageBit::EncipherOnly => ku.encipher_only(),
            KeyUsageBit::DecipherOnly => ku.decipher_only(),
        }
    }
}

/// A certificate signature algorithm we can verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    /// sha256WithRSAEncryption.
    RsaPkcs1Sha256,
    /// sha384WithRSAEncryption.
    RsaPkcs1Sha384,
    /// sha512WithRSAEncryption.
    RsaPkcs1Sha512,
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-octet salt.
    RsaPssSha256,
    /// RSASSA-PSS with SHA-384, MGF1-SHA-384 and a 48-octet salt.
    RsaPssSha384,
    /// RSASSA-PSS with SHA-512, MGF1-SHA-512 and a 64-octet salt.
    RsaPssSha512,
    /// ecdsa-with-SHA256.
    EcdsaSha256,
    /// ecdsa-with-SHA384.
    EcdsaSha384,
    /// Ed25519.
    Ed25519,
}

/// Optional checks and limits for [`verify_chain_with`](super::verify_chain_with)
/// and the default verifiers; [`VerifyOptions::default`] is what
/// [`verify_chain`](super::verify_chain) uses.
///
/// # Example
///
/// A client-certificate check that wants a short path, an S/MIME-style
/// purpose, ECDSA only, and a given mailbox:
///
/// ```
/// use lctls::pki::{KeyUsageBit, SignatureAlgorithm, VerifyOptions};
///
/// let options = VerifyOptions::new()
///     .with_max_intermediates(2)
///     .with_end_entity_key_usage(&[KeyUsageBit::DigitalSignature])
///     .with_extended_key_usage("1.3.6.1.5.5.7.3.4")? // id-kp-emailProtection
///     .with_signature_algorithms(&[
///         SignatureAlgorithm::EcdsaSha256,
///         SignatureAlgorithm::EcdsaSha384,
///     ])
///     .with_email("alice@example.com");
/// assert_eq!(options.max_intermediates, 2);
/// assert_eq!(options.extended_key_usage().as_deref(), Some("1.3.6.1.5.5.7.3.4"));
/// # Ok::<(), lctls::Error>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct VerifyOptions {
    /// Revocation checking with caller-supplied CRLs; `None` checks nothing.
    pub revocation: Option<RevocationOptions>,
    /// Most intermediates between the end entity and the trust anchor
    /// (default [`DEFAULT_MAX_INTERMEDIATES`]); longer paths fail with
    /// [`CertificateError::ChainTooLong`](super::CertificateError::ChainTooLong).
    pub max_intermediates: usize,
    /// keyUsage bits the end entity must assert when it has a keyUsage
    /// extension (default: none). Without the extension the key is not
    /// restricted (RFC 5280 section 4.2.1.3). TLS needs no bit here: the
    /// handshake refuses a signature by a key whose keyUsage lacks
    /// digitalSignature wherever that key signs (CertificateVerify,
    /// ServerKeyExchange), custom verifiers included, so path validation
    /// by itself accepts what RFC 5280 section 6.1 accepts, such as a CA
    /// certificate (keyCertSign only) in the end-entity position.
    pub end_entity_key_usage: Vec<KeyUsageBit>,
    /// Signature algorithms allowed on the certificates of the path; `None`
    /// (the default) allows every algorithm we verify.
    pub signature_algorithms: Option<Vec<SignatureAlgorithm>>,
    /// A mailbox (rfc822Name subjectAltName) the end entity must carry, for
    /// client certificates that identify a person; `None` checks none.
    pub email: Option<String>,
    /// The key purpose the end entity's extendedKeyUsage must hold instead
    /// of the one for [`KeyPurpose`](super::KeyPurpose).
    extended_key_usage: Option<ObjectIdentifier>,
    /// Set by [`VerifyOptions::dangerous_path_validation_only`].
    path_only: bool,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            revocation: None,
            max_intermediates: DEFAULT_MAX_INTERMEDIATES,
            end_entity_key_usage: Vec::new(),
            signature_algorithms: None,
            email: None,
            extended_key_usage: None,
            path_only: false,
        }
    }
}

impl VerifyOptions {
    /// The defaults (what [`verify_chain`](super::verify_chain) uses).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds revocation checking.
    pub fn with_revocation(mut self, revocation: RevocationOptions) -> Self {
        self.revocation = Some(revocation);
        self
    }

    /// Allows at most `max` intermediates on a path.
    pub fn with_max_intermediates(mut self, max: usize) -> Self {
        self.max_intermediates = max;
        self
    }

    /// Requires these keyUsage bits of the end entity (when it has keyUsage).
    pub fn with_end_entity_key_usage(mut self, bits: &[KeyUsageBit]) -> Self {
        self.end_entity_key_usage = bits.to_vec();
        self
    }

    /// Requires the end entity's extendedKeyUsage to hold the key purpose
    /// `oid` (dotted decimal, e.g. `1.3.6.1.5.5.7.3.3` for codeSigning)
    /// instead of serverAuth or clientAuth. Intermediates that carry an
    /// extendedKeyUsage must hold it too (or anyExtendedKeyUsage).
    ///
    /// An `oid` that is not a valid object identifier is an `Error::Config`.
    pub fn with_extended_key_usage(mut self, oid: &str) -> Result<Self, crate::Error> {
        let parsed = ObjectIdentifier::new(oid).map_err(|e| {
            crate::Error::Config(format!("'{oid}' is not an object identifier: {e}"))
        })?;
        self.extended_key_usage = Some(parsed);
        Ok(self)
    }

    /// The key purpose set by [`VerifyOptions::with_extended_key_usage`].
    pub fn extended_key_usage(&self) -> Option<String> {
        self.extended_key_usage.map(|o| o.to_string())
    }

    pub(crate) fn extended_key_usage_oid(&self) -> Option<ObjectIdentifier> {
        self.extended_key_usage
    }

    /// Allows only these signature algorithms on the path's certificates.
    pub fn with_signature_algorithms(mut self, algorithms: &[SignatureAlgorithm]) -> Self {
        self.signature_algorithms = Some(algorithms.to_vec());
        self
    }

    /// Drops every certificate-profile rule (the rules RFC 5280 section 4
    /// and the Baseline Requirements set for issuing CAs: key identifiers,
    /// subjectAltName criticality, the end entity's extendedKeyUsage and
    /// commonName, public-suffix wildcards, the trust anchor's profile),
    /// keeping path validation itself (RFC 5280 section 6: signatures,
    /// validity, basicConstraints, keyUsage, an extendedKeyUsage that is
    /// present, pathLenConstraint, name constraints, critical extensions)
    /// and the key-size rules.
    ///
    /// This is for test peers that mint minimal certificates (BoringSSL's
    /// test runner issues leaves with an empty subject, a non-critical
    /// subjectAltName and no extendedKeyUsage): certificates no CA may
    /// issue then verify. Never use it for real peers.
    pub fn dangerous_path_validation_only(mut self) -> Self {
        self.path_only = true;
        self
    }

    /// The end-entity rule set for `purpose`.
    pub(crate) fn leaf_rules(&self, purpose: KeyPurpose) -> LeafRules {
        match purpose {
            _ if self.path_only => LeafRules::PathOnly,
            KeyPurpose::ServerAuth => LeafRules::Server,
            KeyPurpose::ClientAuth => LeafRules::Client,
        }
    }

    /// Requires the end entity to carry the rfc822Name `mailbox`.
    pub fn with_email(mut self, mailbox: impl Into<String>) -> Self {
        self.email = Some(mailbox.into());
        self
    }
}

//! Our own signing keys (server certificates, later client certificates).

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair};
use rustls_pki_types::PrivateKeyDer;

use std::sync::Arc;

use crate::error::Error;
use crate::hooks::AsyncSigningKey;
use crate::proto::wire::enums::SignatureScheme;

enum Inner {
    Ecdsa(EcdsaKeyPair, SignatureScheme),
    Ed25519(Ed25519KeyPair),
    Rsa(RsaKeyPair),
    /// A key held elsewhere, signing asynchronously; the schemes it makes,
    /// all (TLS 1.2) and without PKCS#1 v1.5 (TLS 1.3).
    Remote {
        signer: Arc<dyn AsyncSigningKey>,
        tls12: Vec<SignatureScheme>,
        tls13: Vec<SignatureScheme>,
    },
}

/// A private key able to sign TLS 1.3 CertificateVerify messages.
/// The key material is held by aws-lc-rs, which zeroizes it on drop.
pub struct SigningKey {
    inner: Inner,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({}, private key redacted)", self.kind())
    }
}

const RSA_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::RSA_PSS_SHA256,
    SignatureScheme::RSA_PSS_SHA384,
    SignatureScheme::RSA_PSS_SHA512,
];

impl SigningKey {
    /// Loads a PKCS#8, SEC1 (EC) or PKCS#1 (RSA) private key.
    pub fn from_der(key: &PrivateKeyDer<'_>) -> Result<Self, Error> {
        let inner = match key {
            PrivateKeyDer::Pkcs8(k) => {
                let der = k.secret_pkcs8_der();
                if let Ok(kp) =
                    EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, der)
                {
                    Inner::Ecdsa(kp, SignatureScheme::ECDSA_NISTP256_SHA256)
                } else if let Ok(kp) =
                    EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P384_SHA384_ASN1_SIGNING, der)
                {
                    Inner::Ecdsa(kp, SignatureScheme::ECDSA_NISTP384_SHA384)
                } else if let Ok(kp) =
                    EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P521_SHA512_ASN1_SIGNING, der)
                {
                    Inner::Ecdsa(kp, SignatureScheme::ECDSA_NISTP521_SHA512)
                } else if let Ok(kp) = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der) {
                    Inner::Ed25519(kp)
                } else if let Ok(kp) = RsaKeyPair::from_pkcs8(der) {
                    Inner::Rsa(kp)
                } else {
                    return Err(Error::Config(
                        "PKCS#8 private key is not ECDSA P-256/P-384/P-521, Ed25519 or RSA".into(),
                    ));
                }
            }
            PrivateKeyDer::Sec1(k) => {
                let der = k.secret_sec1_der();
                if let Ok(kp) = EcdsaKeyPair::from_private_key_der(
                    &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
                    der,
                ) {
                    Inner::Ecdsa(kp, SignatureScheme::ECDSA_NISTP256_SHA256)
                } else if let Ok(kp) = EcdsaKeyPair::from_private_key_der(
                    &signature::ECDSA_P384_SHA384_ASN1_SIGNING,
                    der,
                ) {
                    Inner::Ecdsa(kp, SignatureScheme::ECDSA_NISTP384_SHA384)
                } else if let Ok(kp) = EcdsaKeyPair::from_private_key_der(
                    &signature::ECDSA_P521_SHA512_ASN1_SIGNING,
                    der,
                ) {
                    Inner::Ecdsa(kp, SignatureScheme::ECDSA_NISTP521_SHA512)
                } else {
                    return Err(Error::Config(
                        "SEC1 private key is not on P-256, P-384 or P-521".into(),
                    ));
                }
            }
            PrivateKeyDer::Pkcs1(k) => Inner::Rsa(
                RsaKeyPair::from_der(k.secret_pkcs1_der())
                    .map_err(|e| Error::Config(format!("bad PKCS#1 RSA private key: {e}")))?,
            ),
            _ => return Err(Error::Config("unsupported private key format".into())),
        };
        Ok(SigningKey { inner })
    }

    /// A key that signs through `signer` (a KMS, an HSM): handshakes pause
    /// while it signs (see [`crate::hooks`]). Fails with [`Error::Config`]
    /// when it names no scheme lctls signs with.
    pub fn from_async_signer(signer: Arc<dyn AsyncSigningKey>) -> Result<Self, Error> {
        let tls12: Vec<SignatureScheme> = signer
            .schemes()
            .iter()
            .copied()
            .filter(|s| crate::config::check_signing_schemes(&[*s]).is_ok())
            .collect();
        if tls12.is_empty() {
            return Err(Error::Config(
                "the asynchronous signer names no signature scheme lctls signs with".into(),
            ));
        }
        let tls13 = tls12
            .iter()
            .copied()
            .filter(|s| {
                !matches!(
                    *s,
                    SignatureScheme::RSA_PKCS1_SHA256
                        | SignatureScheme::RSA_PKCS1_SHA384
                        | SignatureScheme::RSA_PKCS1_SHA512
                )
            })
            .collect();
        Ok(SigningKey {
            inner: Inner::Remote {
                signer,
                tls12,
                tls13,
            },
        })
    }

    /// The asynchronous signer, for a key made with [`SigningKey::from_async_signer`].
    pub(crate) fn async_signer(&self) -> Option<&Arc<dyn AsyncSigningKey>> {
        match &self.inner {
            Inner::Remote { signer, .. } => Some(signer),
            _ => None,
        }
    }

    /// The schemes this key can sign with, in our preference order.
    pub fn schemes(&self) -> &[SignatureScheme] {
        match &self.inner {
            Inner::Remote { tls13, .. } => tls13,
            Inner::Ecdsa(_, SignatureScheme::ECDSA_NISTP384_SHA384) => {
                &[SignatureScheme::ECDSA_NISTP384_SHA384]
            }
            Inner::Ecdsa(_, SignatureScheme::ECDSA_NISTP521_SHA512) => {
                &[SignatureScheme::ECDSA_NISTP521_SHA512]
            }
            Inner::Ecdsa(..) => &[SignatureScheme::ECDSA_NISTP256_SHA256],
            Inner::Ed25519(_) => &[SignatureScheme::ED25519],
            Inner::Rsa(_) => RSA_SCHEMES,
        }
    }

    /// The schemes this key can sign with in TLS 1.2 (PKCS#1 v1.5 allowed).
    pub fn schemes_tls12(&self) -> &[SignatureScheme] {
        match &self.inner {
            Inner::Remote { tls12, .. } => tls12,
            Inner::Rsa(_) => &[
                SignatureScheme::RSA_PSS_SHA256,
                SignatureScheme::RSA_PSS_SHA384,
                SignatureScheme::RSA_PSS_SHA512,
                SignatureScheme::RSA_PKCS1_SHA256,
                SignatureScheme::RSA_PKCS1_SHA384,
                SignatureScheme::RSA_PKCS1_SHA512,
            ],
            _ => self.schemes(),
        }
    }

    /// The curve of an ECDSA key, which a TLS 1.2 client must list in
    /// supported_groups before we may use the key (RFC 8422 section 5.1).
    pub fn ecdsa_curve(&self) -> Option<crate::proto::wire::enums::NamedGroup> {
        use crate::proto::wire::enums::NamedGroup;
        match &self.inner {
            Inner::Ecdsa(_, SignatureScheme::ECDSA_NISTP384_SHA384) => Some(NamedGroup::secp384r1),
            Inner::Ecdsa(_, SignatureScheme::ECDSA_NISTP521_SHA512) => Some(NamedGroup::secp521r1),
            Inner::Ecdsa(..) => Some(NamedGroup::secp256r1),
            Inner::Remote { tls12, .. } => tls12.iter().find_map(|s| match *s {
                SignatureScheme::ECDSA_NISTP256_SHA256 => Some(NamedGroup::secp256r1),
                SignatureScheme::ECDSA_NISTP384_SHA384 => Some(NamedGroup::secp384r1),
                SignatureScheme::ECDSA_NISTP521_SHA512 => Some(NamedGroup::secp521r1),
                _ => None,
            }),
            _ => None,
        }
    }

    /// True for RSA keys (ECDHE_RSA suites), false for ECDSA and Ed25519 (ECDHE_ECDSA).
    pub fn is_rsa(&self) -> bool {
        match &self.inner {
            Inner::Rsa(_) => true,
            Inner::Remote { tls12, .. } => tls12.iter().any(|s| s.is_rsa()),
            _ => false,
        }
    }

    /// The scheme to sign with: the first of `prefs` (our preference order;
    /// without one, this key's own order) that this key can make in the
    /// negotiated version (`tls13`: no PKCS#1 v1.5, and an ECDSA scheme names
    /// the key's curve) and that the peer `offered`. Schemes in `prefs` the
    /// key cannot make are skipped, so one list can serve keys of every type.
    pub fn choose_scheme(
        &self,
        prefs: Option<&[SignatureScheme]>,
        offered: &[SignatureScheme],
        tls13: bool,
    ) -> Option<SignatureScheme> {
        let capable = if tls13 {
            self.schemes()
        } else {
            self.schemes_tls12()
        };
        let ok = |s: &SignatureScheme| capable.contains(s) && offered.contains(s);
        match prefs {
            Some(p) => p.iter().copied().find(ok),
            None => capable.iter().copied().find(ok),
        }
    }

    /// What the key is, in words: "ECDSA P-256", "ECDSA P-384", "ECDSA P-521", "Ed25519",
    /// "RSA-2048" (nothing secret).
    pub fn kind(&self) -> String {
        match &self.inner {
            Inner::Ecdsa(_, SignatureScheme::ECDSA_NISTP384_SHA384) => "ECDSA P-384".into(),
            Inner::Ecdsa(_, SignatureScheme::ECDSA_NISTP521_SHA512) => "ECDSA P-521".into(),
            Inner::Ecdsa(..) => "ECDSA P-256".into(),
            Inner::Ed25519(_) => "Ed25519".into(),
            Inner::Rsa(k) => format!("RSA-{}", k.public_modulus_len().saturating_mul(8)),
            Inner::Remote { signer, .. } => format!("asynchronous {signer:?}"),
        }
    }

    /// The public key bytes as aws-lc-rs reports them, which are the
    /// contents of a certificate's SubjectPublicKeyInfo BIT STRING: the
    /// uncompressed point (ECDSA), the 32-byte key (Ed25519), the DER
    /// RSAPublicKey (RSA).
    pub fn public_key(&self) -> Vec<u8> {
        match &self.inner {
            Inner::Ecdsa(k, _) => k.public_key().as_ref().to_vec(),
            Inner::Ed25519(k) => k.public_key().as_ref().to_vec(),
            Inner::Rsa(k) => k.public_key().as_ref().to_vec(),
            Inner::Remote { signer, .. } => signer.public_key(),
        }
    }

    /// Signs `message` with `scheme`, which must be one of [`SigningKey::schemes`].
    pub fn sign(&self, scheme: SignatureScheme, message: &[u8]) -> Result<Vec<u8>, Error> {
        let rng = SystemRandom::new();
        let fail = |_| Error::internal("signing failed");
        match (&self.inner, scheme) {
            (Inner::Ecdsa(k, s), _) if *s == scheme => {
                Ok(k.sign(&rng, message).map_err(fail)?.as_ref().to_vec())
            }
            (Inner::Ed25519(k), SignatureScheme::ED25519) => Ok(k.sign(message).as_ref().to_vec()),
            (Inner::Rsa(k), _) => {
                let enc: &'static dyn signature::RsaEncoding = match scheme {
                    SignatureScheme::RSA_PSS_SHA256 => &signature::RSA_PSS_SHA256,
                    SignatureScheme::RSA_PSS_SHA384 => &signature::RSA_PSS_SHA384,
                    SignatureScheme::RSA_PSS_SHA512 => &signature::RSA_PSS_SHA512,
                    SignatureScheme::RSA_PKCS1_SHA256 => &signature::RSA_PKCS1_SHA256,
                    SignatureScheme::RSA_PKCS1_SHA384 => &signature::RSA_PKCS1_SHA384,
                    SignatureScheme::RSA_PKCS1_SHA512 => &signature::RSA_PKCS1_SHA512,
                    _ => return Err(Error::internal(format!("RSA key cannot sign {scheme:?}"))),
                };
                let mut sig = vec![0; k.public_modulus_len()];
                k.sign(enc, &rng, message, &mut sig).map_err(fail)?;
                Ok(sig)
            }
            (Inner::Remote { .. }, _) => Err(Error::internal(
                "an asynchronous key cannot sign synchronously",
            )),
            _ => Err(Error::internal(format!("key cannot sign {scheme:?}"))),
        }
    }
}

/// The content a TLS 1.3 CertificateVerify signs (RFC 8446 section 4.4.3).
pub fn certificate_verify_message(server: bool, transcript_hash: &[u8]) -> Vec<u8> {
    // 64 spaces, the 33-byte context string, a zero byte, the hash: one
    // allocation of the final size.
    let mut m = Vec::with_capacity(64 + 33 + 1 + transcript_hash.len());
    m.resize(64, 0x20u8);
    m.extend_from_slice(if server {
        b"TLS 1.3, server CertificateVerify"
    } else {
        b"TLS 1.3, client CertificateVerify"
    });
    m.push(0);
    m.extend_from_slice(transcript_hash);
    m
}

//! What a server's certificate choice may look at, and whether a credential
//! can serve a given ClientHello (the one place that decides it, used by the
//! resolvers and by the handshakes alike).

use crate::config::{CertifiedKey, Shared};
use crate::error::Error;
use crate::proto::crypto::suites::{Tls12Auth, Tls12CipherSuite};
use crate::proto::wire::enums::{CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme};

/// What a certificate resolver may look at.
#[derive(Debug)]
#[non_exhaustive]
pub struct ClientHelloInfo<'a> {
    /// The SNI host name, if the client sent one.
    pub server_name: Option<&'a str>,
    /// The signature schemes the client accepts.
    pub signature_schemes: &'a [SignatureScheme],
    /// The ALPN protocols the client offered.
    pub alpn: &'a [Vec<u8>],
    /// The protocol version being negotiated (TLS 1.3 or TLS 1.2).
    pub version: ProtocolVersion,
    /// The cipher suites the client offered.
    pub cipher_suites: &'a [CipherSuite],
    /// The client's supported_groups, if it sent them (in TLS 1.2 they also
    /// limit the curves of ECDSA certificates, RFC 8422 section 5.1).
    pub groups: Option<&'a [NamedGroup]>,
    /// The client's certificate_authorities hint (DER names of the CAs it
    /// trusts; empty when it sent none): see [`CertifiedKey::issued_by_any`].
    pub certificate_authorities: &'a [Vec<u8>],
    /// Our configuration: signing schemes and TLS 1.2 suites.
    pub(crate) shared: &'a Shared,
}

impl ClientHelloInfo<'_> {
    /// Whether `key` can serve this client: in TLS 1.3, its key can make a
    /// signature scheme we allow and the client accepts; in TLS 1.2 also a
    /// cipher suite for its key type (ECDHE_ECDSA or ECDHE_RSA) that both
    /// sides allow, and, for an ECDSA key, a curve the client listed.
    pub fn fits(&self, key: &CertifiedKey) -> bool {
        if self.version == ProtocolVersion::TLSv1_3 {
            self.choose13(key).is_ok()
        } else {
            self.choose12(key).is_ok()
        }
    }

    /// The scheme `key` signs a TLS 1.3 CertificateVerify with, or why it cannot.
    pub(crate) fn choose13(&self, key: &CertifiedKey) -> Result<SignatureScheme, Error> {
        key.choose_scheme(
            self.shared.signing_schemes.as_deref(),
            self.signature_schemes,
            true,
        )
        .ok_or_else(|| no_common_scheme(key, self.signature_schemes))
    }

    /// The TLS 1.2 suite and the ServerKeyExchange scheme for `key`, or why
    /// it cannot serve this client.
    pub(crate) fn choose12(
        &self,
        key: &CertifiedKey,
    ) -> Result<(&'static Tls12CipherSuite, SignatureScheme), Error> {
        // RFC 8422 section 5.1: an ECDSA certificate is usable only on a curve
        // the client listed (no list means any curve).
        if let (Some(curve), Some(theirs)) = (key.key.ecdsa_curve(), self.groups) {
            if !theirs.contains(&curve) {
                return Err(Error::handshake(format!(
                    "our ECDSA certificate is on {curve:?}, which the client does not support (it offered {theirs:?})"
                )));
            }
        }
        let auth = if key.key.is_rsa() {
            Tls12Auth::Rsa
        } else {
            Tls12Auth::Ecdsa
        };
        let ours = &self.shared.protocols.suites12;
        let suite = ours
            .iter()
            .copied()
            .find(|s| s.auth == auth && self.cipher_suites.contains(&s.suite))
            .ok_or_else(|| Error::NoCommonCipherSuite {
                ours: ours
                    .iter()
                    .filter(|s| s.auth == auth)
                    .map(|s| s.suite)
                    .collect(),
                theirs: self.cipher_suites.to_vec(),
            })?;
        let scheme = key
            .choose_scheme(
                self.shared.signing_schemes.as_deref(),
                self.signature_schemes,
                false,
            )
            .ok_or_else(|| {
                // A TLS 1.2 suite names the certificate's key type and the
                // signature decides whether that certificate can be used:
                // no signature means no usable suite (BoringSSL reports it so).
                Error::handshake(format!(
                    "no TLS 1.2 cipher suite is usable: {}",
                    no_common_scheme_reason(key, self.signature_schemes)
                ))
            })?;
        Ok((suite, scheme))
    }
}

/// A key that can make none of the schemes the peer accepts (handshake_failure).
fn no_common_scheme(key: &CertifiedKey, offered: &[SignatureScheme]) -> Error {
    Error::handshake(no_common_scheme_reason(key, offered))
}

fn no_common_scheme_reason(key: &CertifiedKey, offered: &[SignatureScheme]) -> String {
    format!(
        "peer accepts none of the signature schemes we may sign with using our {} key; it offered {offered:?}",
        key.key.kind()
    )
}

/// The client certificate and scheme to answer a CertificateRequest with:
/// None (an empty Certificate, RFC 8446 section 4.4.2.3) when no resolver is
/// set or it has no key that can sign with a scheme the server accepts and
/// we allow (the resolver sees only those); handshake_failure when it offers
/// a key anyway that can make none of them.
pub(crate) fn choose_client_cert(
    config: &crate::config::ClientConfig,
    authorities: &[Vec<u8>],
    offered: &[SignatureScheme],
    tls13: bool,
) -> Result<Option<(std::sync::Arc<CertifiedKey>, SignatureScheme)>, Error> {
    let Some(resolver) = &config.client_cert else {
        return Ok(None);
    };
    let ours = config.shared.signing_schemes.as_deref();
    // The resolver sees only the schemes we may use, so it can pass over a
    // key our policy leaves nothing to sign with.
    // In TLS 1.3 the PKCS#1 v1.5 code points name no CertificateVerify we
    // may send (RFC 8446 section 4.2.3), so they do not count either.
    let usable: Vec<SignatureScheme> = offered
        .iter()
        .copied()
        .filter(|s| ours.is_none_or(|o| o.contains(s)))
        .filter(|s| !tls13 || !s.is_pkcs1())
        .collect();
    let Some(key) = resolver.try_resolve(authorities, &usable)? else {
        return Ok(None);
    };
    match key.choose_scheme(ours, offered, tls13) {
        Some(scheme) => Ok(Some((key, scheme))),
        None => Err(no_common_scheme(&key, offered)),
    }
}

//! Ephemeral key exchange over aws-lc-rs: (EC)DH on X25519, P-256, P-384
//! and P-521, and, for TLS 1.3 only, the ML-KEM groups of `kem.rs`
//! (the X25519MLKEM768 and SecP256r1MLKEM768 hybrids, ML-KEM-1024 alone).

use aws_lc_rs::agreement;
use zeroize::Zeroizing;

use super::kem::{kem_group, KemPrivate};
use crate::error::Error;
use crate::proto::wire::enums::NamedGroup;

/// The groups offered when a configuration names none, in preference order:
/// the X25519MLKEM768 hybrid first, as rustls, BoringSSL (Chrome), Go 1.24+
/// and OpenSSL 3.5 do, so a recorded session stays safe from a future quantum
/// computer. A client sends an X25519 share beside it (see
/// `groups::client_shares`), so servers without the hybrid need no
/// HelloRetryRequest; the cost is a ClientHello about 1.2 KB larger.
/// SecP256r1MLKEM768, ML-KEM-1024 and P-521 are opt-in (`with_groups`).
#[cfg(not(fuzzing))]
pub const SUPPORTED_GROUPS: &[NamedGroup] = &[
    NamedGroup::X25519MLKEM768,
    NamedGroup::X25519,
    NamedGroup::secp256r1,
    NamedGroup::secp384r1,
];

/// Fuzz builds leave ML-KEM out of the defaults: aws-lc-rs offers no seeded
/// ML-KEM, and a random share would make fuzz inputs stop replaying (see
/// `rng.rs`).
#[cfg(fuzzing)]
pub const SUPPORTED_GROUPS: &[NamedGroup] = &[
    NamedGroup::X25519,
    NamedGroup::secp256r1,
    NamedGroup::secp384r1,
];

fn algorithm(group: NamedGroup) -> Option<&'static agreement::Algorithm> {
    match group {
        NamedGroup::X25519 => Some(&agreement::X25519),
        NamedGroup::secp256r1 => Some(&agreement::ECDH_P256),
        NamedGroup::secp384r1 => Some(&agreement::ECDH_P384),
        NamedGroup::secp521r1 => Some(&agreement::ECDH_P521),
        _ => None,
    }
}

/// The public key length RFC 8446 section 4.2.8.2 requires for each ECDH
/// group (uncompressed points only for the NIST curves).
pub(super) fn public_len(group: NamedGroup) -> usize {
    match group {
        NamedGroup::X25519 => 32,
        NamedGroup::secp256r1 => 65,
        NamedGroup::secp384r1 => 97,
        NamedGroup::secp521r1 => 133,
        _ => 0,
    }
}

enum Private {
    Ecdh(agreement::PrivateKey),
    /// An ML-KEM group, client side.
    Kem(KemPrivate),
}

/// One side's ephemeral key pair for a group (the client's, for a KEM).
pub struct KeyExchange {
    group: NamedGroup,
    private: Private,
    public: Vec<u8>,
}

impl std::fmt::Debug for KeyExchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyExchange")
            .field("group", &self.group)
            .finish_non_exhaustive()
    }
}

/// A fresh ECDH key pair for `group` and its public key.
pub(super) fn ecdh_keypair(group: NamedGroup) -> Result<(agreement::PrivateKey, Vec<u8>), Error> {
    let alg = algorithm(group)
        .ok_or_else(|| Error::internal(format!("group {group:?} is not an ECDH group")))?;
    let private = super::rng::ecdh_private(alg)?;
    let public = private
        .compute_public_key()
        .map_err(|_| Error::internal("public key computation failed"))?
        .as_ref()
        .to_vec();
    Ok((private, public))
}

/// ECDH with a length- and form-checked peer key; anything malformed or off
/// the curve (or X25519's all-zero result) is illegal_parameter.
pub(super) fn ecdh(
    group: NamedGroup,
    private: &agreement::PrivateKey,
    peer: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let Some(alg) = algorithm(group) else {
        return Err(Error::internal("not an ECDH group"));
    };
    if peer.len() != public_len(group) || (group != NamedGroup::X25519 && peer.first() != Some(&4))
    {
        return Err(Error::illegal(format!(
            "malformed {group:?} key share of {} bytes",
            peer.len()
        )));
    }
    let peer = agreement::UnparsedPublicKey::new(alg, peer);
    agreement::agree(
        private,
        peer,
        Error::illegal("peer key share is not a valid public key"),
        |k| Ok(Zeroizing::new(k.to_vec())),
    )
}

impl KeyExchange {
    /// True when `group` is one we implement.
    pub fn supports(group: NamedGroup) -> bool {
        algorithm(group).is_some() || kem_group(group).is_some()
    }

    /// True for groups TLS 1.2 cannot use: the ML-KEM ones, whose shares do
    /// not fit its one-byte ECPoint length (draft-ietf-tls-ecdhe-mlkem
    /// section 3).
    pub fn tls13_only(group: NamedGroup) -> bool {
        kem_group(group).is_some()
    }

    /// True for groups that resist a quantum computer (every ML-KEM group,
    /// hybrid or not); the server prefers them (see
    /// `groups::server_choice`).
    pub fn post_quantum(group: NamedGroup) -> bool {
        kem_group(group).is_some()
    }

    /// Generates a fresh key pair (for a KEM, the client's encapsulation key).
    pub fn start(group: NamedGroup) -> Result<Self, Error> {
        let (private, public) = match kem_group(group) {
            Some(spec) => {
                let (k, p) = KemPrivate::generate(spec)?;
                (Private::Kem(k), p)
            }
            None => {
                let (k, p) = ecdh_keypair(group)?;
                (Private::Ecdh(k), p)
            }
        };
        Ok(KeyExchange {
            group,
            private,
            public,
        })
    }

    /// The group.
    pub fn group(&self) -> NamedGroup {
        self.group
    }

    /// Our public key as it goes in a key_share.
    pub fn public_key(&self) -> &[u8] {
        &self.public
    }

    /// Completes the exchange with the peer's share (for a KEM, the server's
    /// ciphertext and, for a hybrid, its ECDH key).
    pub fn complete(self, peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        match self.private {
            Private::Ecdh(private) => ecdh(self.group, &private, peer),
            Private::Kem(k) => k.complete(peer),
        }
    }

    /// The server's side: answers the client's share with ours and derives
    /// the shared secret (a fresh key pair for ECDH; an encapsulation for an
    /// ML-KEM group, whose share is the ciphertext and, for a hybrid, our
    /// ECDH key).
    pub fn respond(
        group: NamedGroup,
        client_share: &[u8],
    ) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>), Error> {
        if let Some(spec) = kem_group(group) {
            return super::kem::respond(spec, client_share);
        }
        let kx = Self::start(group)?;
        let public = kx.public.clone();
        Ok((public, kx.complete(client_share)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::wire::enums::AlertDescription;

    /// (group, client share, server share, shared secret) lengths: 32-byte
    /// ML-KEM secrets, ECDH ones of the curve's field size.
    const SIZES: &[(NamedGroup, usize, usize, usize)] = &[
        (NamedGroup::X25519, 32, 32, 32),
        (NamedGroup::secp256r1, 65, 65, 32),
        (NamedGroup::secp384r1, 97, 97, 48),
        (NamedGroup::secp521r1, 133, 133, 66),
        (NamedGroup::X25519MLKEM768, 1184 + 32, 1088 + 32, 64),
        (NamedGroup::SecP256r1MLKEM768, 65 + 1184, 65 + 1088, 64),
        (NamedGroup::MLKEM1024, 1568, 1568, 32),
    ];

    #[test]
    fn both_sides_agree_for_every_group() {
        for &(g, client_len, server_len, secret_len) in SIZES {
            assert!(KeyExchange::supports(g), "{g:?}");
            let client = KeyExchange::start(g).unwrap();
            assert_eq!(client.public_key().len(), client_len, "{g:?}");
            let (server_share, server_secret) =
                KeyExchange::respond(g, client.public_key()).unwrap();
            assert_eq!(server_share.len(), server_len, "{g:?}");
            let client_secret = client.complete(&server_share).unwrap();
            assert_eq!(client_secret, server_secret, "{g:?}");
            assert_eq!(client_secret.len(), secret_len, "{g:?}");
        }
    }

    /// SecP256r1MLKEM768 puts the uncompressed P-256 point first, and
    /// X25519MLKEM768 its X25519 key last (draft-ietf-tls-ecdhe-mlkem 4.1):
    /// a P-256 share with the KEM part moved first is refused as a point.
    #[test]
    fn hybrid_share_order() {
        let c = KeyExchange::start(NamedGroup::SecP256r1MLKEM768).unwrap();
        assert_eq!(c.public_key()[0], 4);
        let mut swapped = c.public_key()[65..].to_vec();
        swapped.extend_from_slice(&c.public_key()[..65]);
        let e = KeyExchange::respond(NamedGroup::SecP256r1MLKEM768, &swapped).unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::IllegalParameter));
    }

    #[test]
    fn malformed_shares_are_illegal_parameter() {
        let illegal = |r: Result<Zeroizing<Vec<u8>>, Error>| {
            assert_eq!(
                r.unwrap_err().alert(),
                Some(AlertDescription::IllegalParameter)
            )
        };
        for &(g, client_len, server_len, _) in SIZES {
            for len in [0, server_len - 1, server_len + 1] {
                illegal(KeyExchange::start(g).unwrap().complete(&vec![4; len]));
            }
            for len in [0, client_len - 1, client_len + 1] {
                illegal(KeyExchange::respond(g, &vec![4; len]).map(|r| r.1));
            }
        }
    }

    /// FIPS 203 section 7.2: an encapsulation key with a coefficient not
    /// reduced mod q (here 4095 > 3329) is refused, for a hybrid (KEM part
    /// first) and for ML-KEM-1024 alone.
    #[test]
    fn unreduced_encapsulation_key_is_illegal_parameter() {
        for g in [NamedGroup::X25519MLKEM768, NamedGroup::MLKEM1024] {
            let mut share = KeyExchange::start(g).unwrap().public_key().to_vec();
            share[0] = 0xff;
            share[1] |= 0x0f;
            let e = KeyExchange::respond(g, &share).unwrap_err();
            assert_eq!(e.alert(), Some(AlertDescription::IllegalParameter), "{g:?}");
            assert!(e.to_string().contains("encapsulation key"), "{e}");
        }
    }

    #[test]
    fn kem_groups_are_tls13_only_and_post_quantum() {
        for g in [
            NamedGroup::X25519MLKEM768,
            NamedGroup::SecP256r1MLKEM768,
            NamedGroup::MLKEM1024,
        ] {
            assert!(KeyExchange::tls13_only(g) && KeyExchange::post_quantum(g));
        }
        assert!(!KeyExchange::post_quantum(NamedGroup::X25519));
        assert!(!KeyExchange::supports(NamedGroup::X448));
    }
}

//! Ephemeral key exchange over aws-lc-rs: (EC)DH on X25519, P-256, P-384 and
//! P-521, and the X25519MLKEM768 hybrid (ML-KEM-768 with X25519) for TLS 1.3.

use aws_lc_rs::{agreement, kem};
use zeroize::Zeroizing;

use crate::error::Error;
use crate::proto::wire::enums::NamedGroup;

/// The groups offered when a configuration names none, in preference order.
/// X25519MLKEM768 is implemented but opt-in (`with_groups`): it makes every
/// ClientHello 1.2 KB larger, and servers without it answer with a
/// HelloRetryRequest unless a classical share is sent beside it. secp521r1
/// is opt-in too, as in BoringSSL: slower than P-384 for no practical gain,
/// wanted only by policies that name it (CNSA-style configurations).
pub const SUPPORTED_GROUPS: &[NamedGroup] = &[
    NamedGroup::X25519,
    NamedGroup::secp256r1,
    NamedGroup::secp384r1,
];

/// ML-KEM-768 encapsulation key and ciphertext sizes (FIPS 203).
const MLKEM768_EK: usize = 1184;
const MLKEM768_CT: usize = 1088;

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
fn public_len(group: NamedGroup) -> usize {
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
    /// X25519MLKEM768, client side: the ML-KEM decapsulation key and the X25519 key.
    Hybrid(
        kem::DecapsulationKey<kem::AlgorithmId>,
        agreement::PrivateKey,
    ),
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

fn ecdh_keypair(
    alg: &'static agreement::Algorithm,
) -> Result<(agreement::PrivateKey, Vec<u8>), Error> {
    let private = super::rng::ecdh_private(alg)?;
    let public = private
        .compute_public_key()
        .map_err(|_| Error::internal("public key computation failed"))?
        .as_ref()
        .to_vec();
    Ok((private, public))
}

fn ecdh(
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
        algorithm(group).is_some() || group == NamedGroup::X25519MLKEM768
    }

    /// True for groups TLS 1.2 cannot use (the KEM hybrid).
    pub fn tls13_only(group: NamedGroup) -> bool {
        group == NamedGroup::X25519MLKEM768
    }

    /// Generates a fresh key pair (for a KEM, the client's encapsulation key).
    pub fn start(group: NamedGroup) -> Result<Self, Error> {
        if group == NamedGroup::X25519MLKEM768 {
            let dk = kem::DecapsulationKey::generate(&kem::ML_KEM_768)
                .map_err(|_| Error::internal("ML-KEM key generation failed"))?;
            let ek = dk
                .encapsulation_key()
                .and_then(|ek| ek.key_bytes())
                .map_err(|_| Error::internal("ML-KEM encapsulation key"))?;
            let (x, x_pub) = ecdh_keypair(&agreement::X25519)?;
            let mut public = Vec::with_capacity(MLKEM768_EK + 32);
            public.extend_from_slice(ek.as_ref());
            public.extend_from_slice(&x_pub);
            return Ok(KeyExchange {
                group,
                private: Private::Hybrid(dk, x),
                public,
            });
        }
        let alg = algorithm(group)
            .ok_or_else(|| Error::internal(format!("group {group:?} is not implemented")))?;
        let (private, public) = ecdh_keypair(alg)?;
        Ok(KeyExchange {
            group,
            private: Private::Ecdh(private),
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
    /// ciphertext and X25519 key).
    pub fn complete(self, peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        match self.private {
            Private::Ecdh(private) => ecdh(self.group, &private, peer),
            Private::Hybrid(dk, x) => {
                if peer.len() != MLKEM768_CT + 32 {
                    return Err(Error::illegal(format!(
                        "malformed X25519MLKEM768 key share of {} bytes",
                        peer.len()
                    )));
                }
                let (ct, x_peer) = peer.split_at(MLKEM768_CT);
                let ss = dk
                    .decapsulate(kem::Ciphertext::from(ct))
                    .map_err(|_| Error::illegal("ML-KEM ciphertext does not decapsulate"))?;
                let mut shared = Zeroizing::new(Vec::with_capacity(64));
                shared.extend_from_slice(ss.as_ref());
                shared.extend_from_slice(&ecdh(NamedGroup::X25519, &x, x_peer)?);
                Ok(shared)
            }
        }
    }

    /// The server's side: answers the client's share with ours and derives
    /// the shared secret (a fresh key pair for ECDH; an encapsulation for the
    /// KEM hybrid, whose share is the ciphertext and our X25519 key).
    pub fn respond(
        group: NamedGroup,
        client_share: &[u8],
    ) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>), Error> {
        if group != NamedGroup::X25519MLKEM768 {
            let kx = Self::start(group)?;
            let public = kx.public.clone();
            return Ok((public, kx.complete(client_share)?));
        }
        if client_share.len() != MLKEM768_EK + 32 {
            return Err(Error::illegal(format!(
                "malformed X25519MLKEM768 key share of {} bytes",
                client_share.len()
            )));
        }
        let (ek, x_peer) = client_share.split_at(MLKEM768_EK);
        let ek = kem::EncapsulationKey::new(&kem::ML_KEM_768, ek)
            .map_err(|_| Error::illegal("invalid ML-KEM-768 encapsulation key"))?;
        let (ct, ss) = ek
            .encapsulate()
            .map_err(|_| Error::illegal("ML-KEM encapsulation failed"))?;
        let (x, x_pub) = ecdh_keypair(&agreement::X25519)?;
        let mut shared = Zeroizing::new(Vec::with_capacity(64));
        shared.extend_from_slice(ss.as_ref());
        shared.extend_from_slice(&ecdh(NamedGroup::X25519, &x, x_peer)?);
        let mut public = Vec::with_capacity(MLKEM768_CT + 32);
        public.extend_from_slice(ct.as_ref());
        public.extend_from_slice(&x_pub);
        Ok((public, shared))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sides_agree_for_every_group() {
        for g in SUPPORTED_GROUPS
            .iter()
            .copied()
            .chain([NamedGroup::secp521r1, NamedGroup::X25519MLKEM768])
        {
            let client = KeyExchange::start(g).unwrap();
            let (server_share, server_secret) =
                KeyExchange::respond(g, client.public_key()).unwrap();
            let client_secret = client.complete(&server_share).unwrap();
            assert_eq!(client_secret, server_secret, "{g:?}");
            let len = if g == NamedGroup::X25519MLKEM768 {
                64
            } else {
                client_secret.len()
            };
            assert_eq!(client_secret.len(), len);
        }
    }

    #[test]
    fn malformed_share_is_illegal_parameter() {
        let a = KeyExchange::start(NamedGroup::secp256r1).unwrap();
        let err = a.complete(&[4; 10]).unwrap_err();
        assert_eq!(
            err.alert(),
            Some(crate::proto::wire::enums::AlertDescription::IllegalParameter)
        );
        let a = KeyExchange::start(NamedGroup::X25519).unwrap();
        assert!(a.complete(&[0; 31]).is_err());
        // P-521 points are 133 bytes uncompressed; a P-384-sized one is refused.
        let a = KeyExchange::start(NamedGroup::secp521r1).unwrap();
        let err = a.complete(&[4; 97]).unwrap_err();
        assert_eq!(
            err.alert(),
            Some(crate::proto::wire::enums::AlertDescription::IllegalParameter)
        );
        let a = KeyExchange::start(NamedGroup::X25519MLKEM768).unwrap();
        assert!(a.complete(&[0; 1119]).is_err());
        let err = KeyExchange::respond(NamedGroup::X25519MLKEM768, &[0; 100]).unwrap_err();
        assert_eq!(
            err.alert(),
            Some(crate::proto::wire::enums::AlertDescription::IllegalParameter)
        );
    }
}

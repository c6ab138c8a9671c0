//! Ephemeral (EC)DH key exchange over aws-lc-rs.

use aws_lc_rs::agreement;
use zeroize::Zeroizing;

use crate::error::Error;
use crate::proto::wire::enums::NamedGroup;

/// The groups we implement, in our default order of preference.
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
        _ => None,
    }
}

/// The public key length RFC 8446 section 4.2.8.2 requires for each group
/// (uncompressed points only for the NIST curves).
fn public_len(group: NamedGroup) -> usize {
    match group {
        NamedGroup::X25519 => 32,
        NamedGroup::secp256r1 => 65,
        NamedGroup::secp384r1 => 97,
        _ => 0,
    }
}

/// One side's ephemeral key pair for a group.
pub struct KeyExchange {
    group: NamedGroup,
    private: agreement::PrivateKey,
    public: Vec<u8>,
}

impl std::fmt::Debug for KeyExchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyExchange")
            .field("group", &self.group)
            .finish_non_exhaustive()
    }
}

impl KeyExchange {
    /// True when `group` is one we implement.
    pub fn supports(group: NamedGroup) -> bool {
        algorithm(group).is_some()
    }

    /// Generates a fresh key pair.
    pub fn start(group: NamedGroup) -> Result<Self, Error> {
        let alg = algorithm(group)
            .ok_or_else(|| Error::internal(format!("group {group:?} is not implemented")))?;
        let private = agreement::PrivateKey::generate(alg)
            .map_err(|_| Error::internal("key generation failed"))?;
        let public = private
            .compute_public_key()
            .map_err(|_| Error::internal("public key computation failed"))?
            .as_ref()
            .to_vec();
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

    /// Completes the exchange with the peer's public key.
    pub fn complete(self, peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        let Some(alg) = algorithm(self.group) else {
            return Err(Error::internal("group vanished"));
        };
        if peer.len() != public_len(self.group)
            || (self.group != NamedGroup::X25519 && peer.first() != Some(&4))
        {
            return Err(Error::illegal(format!(
                "malformed {:?} key share of {} bytes",
                self.group,
                peer.len()
            )));
        }
        let peer = agreement::UnparsedPublicKey::new(alg, peer);
        agreement::agree(
            &self.private,
            peer,
            Error::illegal("peer key share is not a valid public key"),
            |k| Ok(Zeroizing::new(k.to_vec())),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sides_agree_for_every_group() {
        for &g in SUPPORTED_GROUPS {
            let a = KeyExchange::start(g).unwrap();
            let b = KeyExchange::start(g).unwrap();
            let pa = a.public_key().to_vec();
            let sb = b.complete(&pa);
            assert!(sb.is_ok(), "{g:?}");
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
    }
}

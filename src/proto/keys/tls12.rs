//! The TLS 1.2 key schedule (RFC 5246 section 6.3 and 8.1, RFC 7627): the
//! extended master secret, the key block and Finished, all through
//! aws-lc-rs's TLS PRF.

use aws_lc_rs::constant_time;
use aws_lc_rs::tls_prf;

use crate::error::Error;
use crate::proto::crypto::suites::Tls12CipherSuite;
use crate::proto::keys::tls13::Secret;
use crate::proto::wire::enums::AlertDescription;

/// Length of a TLS 1.2 master secret.
pub const MASTER_SECRET_LEN: usize = 48;
/// Length of Finished.verify_data in TLS 1.2.
pub const VERIFY_DATA_LEN: usize = 12;

fn prf(
    suite: &Tls12CipherSuite,
    secret: &[u8],
    label: &[u8],
    seed: &[u8],
    len: usize,
) -> Result<Secret, Error> {
    let s = tls_prf::Secret::new(suite.prf, secret)
        .map_err(|_| Error::internal("TLS PRF refused its secret"))?;
    let out = s
        .derive(label, seed, len)
        .map_err(|_| Error::internal("TLS PRF failed"))?;
    Ok(Secret::from_slice(out.as_ref()))
}

/// A TLS 1.2 master secret (zeroized on drop, redacted in Debug).
#[derive(Clone)]
pub struct MasterSecret12 {
    suite: &'static Tls12CipherSuite,
    secret: Secret,
}

impl std::fmt::Debug for MasterSecret12 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MasterSecret12({:?}, ..redacted..)", self.suite.suite)
    }
}

/// The per-direction keys of a TLS 1.2 connection.
pub struct KeyBlock {
    /// Client write key.
    pub client_key: Secret,
    /// Server write key.
    pub server_key: Secret,
    /// Client write IV (4 bytes for GCM, 12 for ChaCha20-Poly1305).
    pub client_iv: Secret,
    /// Server write IV.
    pub server_iv: Secret,
}

impl std::fmt::Debug for KeyBlock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyBlock(..redacted..)")
    }
}

impl MasterSecret12 {
    /// The extended master secret (RFC 7627 section 4) from the premaster
    /// secret and the session hash (the transcript through ClientKeyExchange).
    pub fn extended(
        suite: &'static Tls12CipherSuite,
        premaster: &[u8],
        session_hash: &[u8],
    ) -> Result<Self, Error> {
        Ok(MasterSecret12 {
            suite,
            secret: prf(
                suite,
                premaster,
                b"extended master secret",
                session_hash,
                MASTER_SECRET_LEN,
            )?,
        })
    }

    /// The legacy master secret (RFC 5246 section 8.1), only when the
    /// configuration allows peers without extended master secret.
    pub fn legacy(
        suite: &'static Tls12CipherSuite,
        premaster: &[u8],
        client_random: &[u8; 32],
        server_random: &[u8; 32],
    ) -> Result<Self, Error> {
        let mut seed = [0u8; 64];
        seed[..32].copy_from_slice(client_random);
        seed[32..].copy_from_slice(server_random);
        Ok(MasterSecret12 {
            suite,
            secret: prf(suite, premaster, b"master secret", &seed, MASTER_SECRET_LEN)?,
        })
    }

    /// Restores a master secret from a resumed session.
    pub fn from_bytes(suite: &'static Tls12CipherSuite, bytes: &[u8]) -> Result<Self, Error> {
        if bytes.len() != MASTER_SECRET_LEN {
            return Err(Error::internal("stored master secret has the wrong length"));
        }
        Ok(MasterSecret12 {
            suite,
            secret: Secret::from_slice(bytes),
        })
    }

    /// The suite.
    pub fn suite(&self) -> &'static Tls12CipherSuite {
        self.suite
    }

    /// The raw secret, for session storage and key logging only.
    pub fn as_bytes(&self) -> &[u8] {
        self.secret.as_bytes()
    }

    /// The key block (RFC 5246 section 6.3); AEAD suites need no MAC keys.
    pub fn key_block(
        &self,
        client_random: &[u8; 32],
        server_random: &[u8; 32],
    ) -> Result<KeyBlock, Error> {
        let key_len = self.suite.aead.key_len();
        let iv_len = self.suite.fixed_iv_len();
        let mut seed = [0u8; 64];
        seed[..32].copy_from_slice(server_random);
        seed[32..].copy_from_slice(client_random);
        let block = prf(
            self.suite,
            self.as_bytes(),
            b"key expansion",
            &seed,
            2 * (key_len + iv_len),
        )?;
        let b = block.as_bytes();
        let (ck, rest) = b.split_at(key_len);
        let (sk, rest) = rest.split_at(key_len);
        let (civ, siv) = rest.split_at(iv_len);
        Ok(KeyBlock {
            client_key: Secret::from_slice(ck),
            server_key: Secret::from_slice(sk),
            client_iv: Secret::from_slice(civ),
            server_iv: Secret::from_slice(siv),
        })
    }

    /// Finished.verify_data for the client (`client` true) or the server.
    pub fn verify_data(&self, client: bool, handshake_hash: &[u8]) -> Result<Vec<u8>, Error> {
        let label: &[u8] = if client {
            b"client finished"
        } else {
            b"server finished"
        };
        Ok(prf(
            self.suite,
            self.as_bytes(),
            label,
            handshake_hash,
            VERIFY_DATA_LEN,
        )?
        .as_bytes()
        .to_vec())
    }

    /// Checks a received Finished in constant time.
    pub fn verify_finished(
        &self,
        client: bool,
        handshake_hash: &[u8],
        received: &[u8],
    ) -> Result<(), Error> {
        // RFC 5246 section 7.4.9: verify_data is `opaque
        // verify_data[verify_data_length]`, 12 bytes for every suite we
        // have: another length is a decode_error (as in TLS 1.3, see
        // tls13::TrafficSecret::verify_finished); only wrong contents are
        // decrypt_error. The length is public, so checking it first leaks
        // nothing.
        if received.len() != VERIFY_DATA_LEN {
            return Err(Error::decode(format!(
                "Finished of {} bytes; TLS 1.2 gives {VERIFY_DATA_LEN}",
                received.len()
            )));
        }
        let expected = self.verify_data(client, handshake_hash)?;
        constant_time::verify_slices_are_equal(&expected, received).map_err(|_| {
            Error::protocol(
                AlertDescription::DecryptError,
                "peer's Finished message did not verify: the handshake was tampered with or keys differ",
            )
        })
    }

    /// Keying material export (RFC 5705), with the EMS-protected master secret.
    pub fn export(
        &self,
        label: &[u8],
        context: Option<&[u8]>,
        client_random: &[u8; 32],
        server_random: &[u8; 32],
        out: &mut [u8],
    ) -> Result<(), Error> {
        let mut seed = Vec::with_capacity(64 + 2 + context.map_or(0, |c| c.len()));
        seed.extend_from_slice(client_random);
        seed.extend_from_slice(server_random);
        if let Some(c) = context {
            let len = u16::try_from(c.len())
                .map_err(|_| Error::Config("exporter context over 65535 bytes".into()))?;
            seed.extend_from_slice(&len.to_be_bytes());
            seed.extend_from_slice(c);
        }
        let k = prf(self.suite, self.as_bytes(), label, &seed, out.len())?;
        out.copy_from_slice(k.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::crypto::suites::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 as S;

    #[test]
    fn finished_round_trip_and_tamper() {
        let ms = MasterSecret12::extended(&S, &[1; 32], &[2; 32]).unwrap();
        let v = ms.verify_data(true, &[3; 32]).unwrap();
        assert_eq!(v.len(), 12);
        ms.verify_finished(true, &[3; 32], &v).unwrap();
        let mut bad = v.clone();
        bad[0] ^= 1;
        let e = ms.verify_finished(true, &[3; 32], &bad).unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::DecryptError));
        assert!(ms.verify_finished(false, &[3; 32], &v).is_err());
    }

    #[test]
    fn key_block_lengths() {
        let ms = MasterSecret12::extended(&S, &[1; 32], &[2; 32]).unwrap();
        let kb = ms.key_block(&[0; 32], &[1; 32]).unwrap();
        assert_eq!(kb.client_key.len(), 16);
        assert_eq!(kb.server_iv.len(), 4);
        assert_ne!(kb.client_key.as_bytes(), kb.server_key.as_bytes());
    }

    /// A known answer for the TLS 1.2 PRF with SHA-256 (the widely published
    /// test vector: secret 9b be 43 6b..., seed a0 ba 9f 93..., label "test label").
    #[test]
    fn prf_sha256_known_answer() {
        let secret = hex("9bbe436ba940f017b17652849a71db35");
        let seed = hex("a0ba9f936cda311827a6f796ffd5198c");
        let out = prf(&S, &secret, b"test label", &seed, 100).unwrap();
        assert_eq!(
            out.as_bytes(),
            &hex("e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66")[..]
        );
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }
}

//! ClientHello and ServerHello (RFC 8446 sections 4.1.2 and 4.1.3).

use crate::error::Error;
use crate::proto::wire::enums::{CipherSuite, HandshakeType};
use crate::proto::wire::extensions::{ClientExtensions, ServerHelloExtensions};
use crate::proto::wire::reader::{put_len_prefixed, put_vec, LenPrefix, Put, Reader};

/// The ServerHello.random that marks a HelloRetryRequest (SHA-256 of "HelloRetryRequest").
pub const HRR_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// The last eight bytes of ServerHello.random a TLS 1.3 server sets when it
/// negotiates TLS 1.2 (section 4.1.3).
pub const DOWNGRADE_TLS12: [u8; 8] = *b"DOWNGRD\x01";
/// The same for TLS 1.1 and below.
pub const DOWNGRADE_TLS11: [u8; 8] = *b"DOWNGRD\x00";

/// A ClientHello.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientHello {
    /// legacy_version (0x0303 for TLS 1.3 clients).
    pub legacy_version: u16,
    /// Client random.
    pub random: [u8; 32],
    /// legacy_session_id (at most 32 bytes).
    pub session_id: Vec<u8>,
    /// Offered cipher suites.
    pub cipher_suites: Vec<CipherSuite>,
    /// legacy_compression_methods.
    pub compression_methods: Vec<u8>,
    /// Extensions.
    pub extensions: ClientExtensions,
}

impl ClientHello {
    /// Decodes a ClientHello body.
    pub fn decode(r: &mut Reader<'_>) -> Result<Self, Error> {
        let legacy_version = r.u16()?;
        let random = r
            .take(32)?
            .try_into()
            .map_err(|_| Error::decode("random"))?;
        let session_id = r.vec8()?;
        if session_id.len() > 32 {
            return Err(Error::decode("legacy_session_id longer than 32 bytes"));
        }
        let suites = r.u16_list(true)?;
        let compression_methods = r.vec8()?.to_vec();
        if compression_methods.is_empty() {
            return Err(Error::decode("no compression methods"));
        }
        // A ClientHello without extensions is a pre-TLS 1.2-style hello.
        let extensions = if r.is_empty() {
            ClientExtensions::default()
        } else {
            ClientExtensions::decode(r)?
        };
        if !r.is_empty() {
            return Err(Error::decode(
                "trailing bytes after the ClientHello's extensions",
            ));
        }
        Ok(ClientHello {
            legacy_version,
            random,
            session_id: session_id.to_vec(),
            cipher_suites: suites.into_iter().map(CipherSuite::from).collect(),
            compression_methods,
            extensions,
        })
    }

    /// Encodes the body.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        out.put_u16v(self.legacy_version);
        out.put_bytes(&self.random);
        put_vec(out, LenPrefix::U8, &self.session_id)?;
        put_len_prefixed(out, LenPrefix::U16, |o| {
            for s in &self.cipher_suites {
                o.put_u16v(s.get());
            }
            Ok(())
        })?;
        put_vec(out, LenPrefix::U8, &self.compression_methods)?;
        self.extensions.encode(out)
    }

    /// Roughly how long the encoding is, to size its buffer once: the fixed
    /// part and the usual extensions fit in 512 bytes, the key shares,
    /// tickets and PSK binders come on top.
    pub fn encoded_len_hint(&self) -> usize {
        let e = &self.extensions;
        let shares: usize = e
            .key_shares
            .iter()
            .flatten()
            .map(|k| k.payload.len() + 4)
            .sum();
        let psk = e.psk.as_ref().map_or(0, |p| {
            let ids: usize = p.identities.iter().map(|i| i.identity.len() + 6).sum();
            let binders: usize = p.binders.iter().map(|b| b.len() + 1).sum();
            ids + binders + 4
        });
        let ticket = e.session_ticket.as_ref().map_or(0, Vec::len);
        512 + shares + psk + ticket
    }

    /// Encodes the whole message, handshake header included: the encoding
    /// of `HandshakeMessage::ClientHello`, without moving or cloning the
    /// hello into one (a client keeps its hello for the rest of the handshake).
    pub fn encode_message(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        super::handshake::encode_message(out, HandshakeType::ClientHello, |o| self.encode(o))
    }
}

/// Extensions a second ClientHello may change after a HelloRetryRequest
/// (RFC 8446 section 4.1.2): key_share (now the one requested share),
/// pre_shared_key (ages and binders recomputed, identities dropped), early_data
/// (removed), cookie (added) and padding. encrypted_client_hello (0xfe0d) is
/// also left out: a client doing real ECH re-encrypts its inner hello for the
/// retry (the ECH specification's HelloRetryRequest rules), and we do not act
/// on the extension.
const RETRY_MAY_CHANGE: [u16; 6] = [
    51,     // key_share
    41,     // pre_shared_key
    42,     // early_data
    44,     // cookie
    21,     // padding (RFC 7685)
    0xfe0d, // encrypted_client_hello
];

/// Hands `sink` every part of an encoded ClientHello (`msg`, its 4-byte
/// handshake header included) that must not change between the first and
/// the second ClientHello of a HelloRetryRequest exchange: legacy_version,
/// random, legacy_session_id, cipher_suites, legacy_compression_methods, then
/// each extension other than [`RETRY_MAY_CHANGE`] (type, length and body),
/// in order. Each part carries its own length, so equal streams mean equal
/// fields; the server hashes the stream instead of keeping a copy.
pub(crate) fn retry_invariant_parts<'a>(
    msg: &'a [u8],
    mut sink: impl FnMut(&'a [u8]),
) -> Result<(), Error> {
    let mut r = Reader::new(msg);
    r.take(4)?;
    let fixed_start = r.rest();
    r.take(2 + 32)?;
    r.vec8()?;
    r.vec16()?;
    r.vec8()?;
    sink(&fixed_start[..fixed_start.len() - r.left()]);
    if r.is_empty() {
        return Ok(());
    }
    let mut exts = r.sub16()?;
    while !exts.is_empty() {
        let start = exts.rest();
        let typ = exts.u16()?;
        exts.vec16()?;
        if !RETRY_MAY_CHANGE.contains(&typ) {
            sink(&start[..start.len() - exts.left()]);
        }
    }
    Ok(())
}

/// A ServerHello or HelloRetryRequest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerHello {
    /// legacy_version.
    pub legacy_version: u16,
    /// Server random ([`HRR_RANDOM`] for a HelloRetryRequest).
    pub random: [u8; 32],
    /// legacy_session_id_echo.
    pub session_id: Vec<u8>,
    /// Selected suite.
    pub cipher_suite: CipherSuite,
    /// legacy_compression_method.
    pub compression_method: u8,
    /// Extensions.
    pub extensions: ServerHelloExtensions,
}

impl ServerHello {
    /// True when this is a HelloRetryRequest.
    pub fn is_retry(&self) -> bool {
        self.random == HRR_RANDOM
    }

    /// Decodes a ServerHello body.
    pub fn decode(r: &mut Reader<'_>) -> Result<Self, Error> {
        let legacy_version = r.u16()?;
        let random: [u8; 32] = r
            .take(32)?
            .try_into()
            .map_err(|_| Error::decode("random"))?;
        let session_id = r.vec8()?;
        if session_id.len() > 32 {
            return Err(Error::decode("legacy_session_id_echo longer than 32 bytes"));
        }
        let cipher_suite = CipherSuite::from(r.u16()?);
        let compression_method = r.u8()?;
        let extensions = if r.is_empty() {
            ServerHelloExtensions::default()
        } else {
            ServerHelloExtensions::decode(r, random == HRR_RANDOM)?
        };
        r.finish()?;
        Ok(ServerHello {
            legacy_version,
            random,
            session_id: session_id.to_vec(),
            cipher_suite,
            compression_method,
            extensions,
        })
    }

    /// Encodes the body.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        out.put_u16v(self.legacy_version);
        out.put_bytes(&self.random);
        put_vec(out, LenPrefix::U8, &self.session_id)?;
        out.put_u16v(self.cipher_suite.get());
        out.put_u8v(self.compression_method);
        self.extensions.encode(out)
    }
}

/// Checks a ServerHello that does not negotiate TLS 1.3 for RFC 8446's
/// downgrade sentinel: the error for a ServerHello without TLS 1.3 that the
/// client cannot take (TLS 1.2 not enabled, another legacy version, or a
/// HelloRetryRequest); with the sentinel it is named a downgrade attack.
/// `accepted` names what the client would have taken there.
pub fn refuse_legacy_server_hello(sh: &ServerHello, accepted: &str) -> Error {
    let tail = &sh.random[24..];
    if tail == DOWNGRADE_TLS12 || tail == DOWNGRADE_TLS11 {
        return Error::illegal(
            "downgrade detected: server hello carries the TLS 1.3 downgrade sentinel",
        );
    }
    Error::UnsupportedVersion(format!(
        "server chose legacy version 0x{:04x}; this client takes {accepted}",
        sh.legacy_version
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::wire::enums::NamedGroup;
    use crate::proto::wire::extensions::KeyShareEntry;
    use crate::proto::wire::handshake::HandshakeMessage;

    fn invariant(ch: &ClientHello) -> Vec<u8> {
        let msg = HandshakeMessage::ClientHello(ch.clone())
            .to_bytes()
            .unwrap();
        let mut out = Vec::new();
        retry_invariant_parts(&msg, |p| out.extend_from_slice(p)).unwrap();
        out
    }

    #[test]
    fn retry_invariant_skips_only_what_may_change() {
        let first = ClientHello {
            legacy_version: 0x0303,
            random: [1; 32],
            session_id: vec![2; 32],
            cipher_suites: vec![CipherSuite::TLS13_AES_128_GCM_SHA256],
            compression_methods: vec![0],
            extensions: ClientExtensions {
                server_name: Some("example.com".into()),
                key_shares: Some(vec![KeyShareEntry {
                    group: NamedGroup::X25519,
                    payload: vec![3; 32],
                }]),
                ..Default::default()
            },
        };
        let mut second = first.clone();
        second.extensions.key_shares = Some(vec![KeyShareEntry {
            group: NamedGroup::secp256r1,
            payload: vec![4; 65],
        }]);
        second.extensions.cookie = Some(vec![5; 32]);
        assert_eq!(invariant(&first), invariant(&second));
        second.extensions.server_name = Some("example.org".into());
        assert_ne!(invariant(&first), invariant(&second));
    }
}

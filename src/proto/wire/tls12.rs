//! TLS 1.2 handshake messages (RFC 5246 section 7.4, RFC 8422 section 5).

use rustls_pki_types::CertificateDer;

use crate::error::Error;
use crate::proto::wire::certificate::CertificateVerify;
use crate::proto::wire::enums::{HandshakeType, NamedGroup, SignatureScheme};
use crate::proto::wire::hello::{ClientHello, ServerHello};
use crate::proto::wire::reader::{put_len_prefixed, put_vec, LenPrefix, Put, Reader};

/// ECCurveType named_curve (RFC 8422 section 5.4).
const NAMED_CURVE: u8 = 3;

/// ECDHE ServerKeyExchange: the server's ephemeral key, signed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerKeyExchange {
    /// The group of the ephemeral key.
    pub group: NamedGroup,
    /// The server's ephemeral public key.
    pub public: Vec<u8>,
    /// The signature scheme.
    pub scheme: SignatureScheme,
    /// The signature over client_random + server_random + params.
    pub signature: Vec<u8>,
}

impl ServerKeyExchange {
    /// The ServerECDHParams bytes the signature covers (after the randoms).
    pub fn params(group: NamedGroup, public: &[u8]) -> Result<Vec<u8>, Error> {
        let mut v = Vec::with_capacity(4 + public.len());
        v.put_u8v(NAMED_CURVE);
        v.put_u16v(group.get());
        put_vec(&mut v, LenPrefix::U8, public)?;
        Ok(v)
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, Error> {
        if r.u8()? != NAMED_CURVE {
            return Err(Error::illegal(
                "ServerKeyExchange curve type is not named_curve",
            ));
        }
        let group = NamedGroup::from(r.u16()?);
        let public = r.vec8()?.to_vec();
        if public.is_empty() {
            return Err(Error::decode("empty ECDH public key"));
        }
        let cv = CertificateVerify::decode(r)?;
        Ok(ServerKeyExchange {
            group,
            public,
            scheme: cv.scheme,
            signature: cv.signature,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        out.extend_from_slice(&Self::params(self.group, &self.public)?);
        out.put_u16v(self.scheme.get());
        put_vec(out, LenPrefix::U16, &self.signature)
    }
}

/// A TLS 1.2 CertificateRequest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateRequest12 {
    /// ClientCertificateType values.
    pub types: Vec<u8>,
    /// supported_signature_algorithms.
    pub schemes: Vec<SignatureScheme>,
    /// certificate_authorities as DER names.
    pub authorities: Vec<Vec<u8>>,
}

/// rsa_sign(1) and ecdsa_sign(64).
pub const CLIENT_CERT_TYPES: [u8; 2] = [1, 64];

/// A TLS 1.2 handshake message.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Handshake12 {
    /// HelloRequest (refused: we never renegotiate).
    HelloRequest,
    /// ClientHello.
    ClientHello(ClientHello),
    /// ServerHello.
    ServerHello(ServerHello),
    /// Certificate: the chain, end entity first.
    Certificate(Vec<CertificateDer<'static>>),
    /// CertificateStatus (RFC 6066 section 8): the DER OCSPResponse.
    CertificateStatus(Vec<u8>),
    /// ServerKeyExchange.
    ServerKeyExchange(ServerKeyExchange),
    /// CertificateRequest.
    CertificateRequest(CertificateRequest12),
    /// ServerHelloDone.
    ServerHelloDone,
    /// ClientKeyExchange: the client's ephemeral ECDH public key.
    ClientKeyExchange(Vec<u8>),
    /// CertificateVerify.
    CertificateVerify(CertificateVerify),
    /// NewSessionTicket (RFC 5077): lifetime hint and ticket.
    NewSessionTicket(u32, Vec<u8>),
    /// Finished.
    Finished(Vec<u8>),
}

impl Handshake12 {
    /// The message type.
    pub fn typ(&self) -> HandshakeType {
        match self {
            Self::HelloRequest => HandshakeType::HelloRequest,
            Self::ClientHello(_) => HandshakeType::ClientHello,
            Self::ServerHello(_) => HandshakeType::ServerHello,
            Self::Certificate(_) => HandshakeType::Certificate,
            Self::CertificateStatus(_) => HandshakeType::CertificateStatus,
            Self::ServerKeyExchange(_) => HandshakeType::ServerKeyExchange,
            Self::CertificateRequest(_) => HandshakeType::CertificateRequest,
            Self::ServerHelloDone => HandshakeType::ServerHelloDone,
            Self::ClientKeyExchange(_) => HandshakeType::ClientKeyExchange,
            Self::CertificateVerify(_) => HandshakeType::CertificateVerify,
            Self::NewSessionTicket(..) => HandshakeType::NewSessionTicket,
            Self::Finished(_) => HandshakeType::Finished,
        }
    }

    /// Decodes one full message (header included).
    pub fn decode(msg: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(msg);
        let typ = HandshakeType::from(r.u8()?);
        let mut b = r.sub24()?;
        r.finish()?;
        let m = match typ {
            HandshakeType::HelloRequest => Self::HelloRequest,
            HandshakeType::ClientHello => {
                return Ok(Self::ClientHello(ClientHello::decode(&mut b)?))
            }
            HandshakeType::ServerHello => {
                return Ok(Self::ServerHello(ServerHello::decode(&mut b)?))
            }
            HandshakeType::Certificate => {
                let mut list = b.sub24()?;
                let mut chain = Vec::new();
                while !list.is_empty() {
                    let der = list.vec24()?;
                    if der.is_empty() {
                        return Err(Error::decode("empty certificate entry"));
                    }
                    chain.push(CertificateDer::from(der.to_vec()));
                }
                Self::Certificate(chain)
            }
            HandshakeType::CertificateStatus => {
                return Ok(Self::CertificateStatus(
                    super::status::decode_certificate_status(&mut b)?,
                ))
            }
            HandshakeType::ServerKeyExchange => {
                Self::ServerKeyExchange(ServerKeyExchange::decode(&mut b)?)
            }
            HandshakeType::CertificateRequest => {
                let types = b.vec8()?.to_vec();
                let schemes = b
                    .u16_list(true)?
                    .into_iter()
                    .map(SignatureScheme::from)
                    .collect();
                let mut cas = b.sub16()?;
                let mut authorities = Vec::new();
                while !cas.is_empty() {
                    let dn = cas.vec16()?;
                    if dn.is_empty() {
                        return Err(Error::decode("empty distinguished name"));
                    }
                    authorities.push(dn.to_vec());
                }
                Self::CertificateRequest(CertificateRequest12 {
                    types,
                    schemes,
                    authorities,
                })
            }
            HandshakeType::ServerHelloDone => Self::ServerHelloDone,
            HandshakeType::ClientKeyExchange => {
                let p = b.vec8()?;
                if p.is_empty() {
                    return Err(Error::decode("empty ClientKeyExchange"));
                }
                Self::ClientKeyExchange(p.to_vec())
            }
            HandshakeType::CertificateVerify => {
                return Ok(Self::CertificateVerify(CertificateVerify::decode(&mut b)?))
            }
            HandshakeType::NewSessionTicket => {
                let hint = b.u32()?;
                Self::NewSessionTicket(hint, b.vec16()?.to_vec())
            }
            HandshakeType::Finished => Self::Finished(b.take(b.left())?.to_vec()),
            other => {
                return Err(Error::unexpected(format!(
                    "handshake message type {} is not used in TLS 1.2",
                    other.get()
                )))
            }
        };
        b.finish()?;
        Ok(m)
    }

    /// The full encoding, header included. Fails when a field is too long
    /// for its length prefix: we never send a message that would not parse back.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        if let Self::Certificate(chain) = self {
            return certificate_message(chain);
        }
        let mut out = Vec::with_capacity(super::handshake::ENCODE_CAPACITY);
        out.put_u8v(self.typ().get());
        put_len_prefixed(&mut out, LenPrefix::U24, |o| match self {
            Self::HelloRequest | Self::ServerHelloDone => Ok(()),
            Self::ClientHello(m) => m.encode(o),
            Self::ServerHello(m) => m.encode(o),
            Self::Certificate(chain) => encode_certificate_body(o, chain),
            Self::CertificateStatus(r) => super::status::put_certificate_status(o, r),
            Self::ServerKeyExchange(m) => m.encode(o),
            Self::CertificateRequest(m) => {
                put_vec(o, LenPrefix::U8, &m.types)?;
                put_len_prefixed(o, LenPrefix::U16, |o| {
                    for s in &m.schemes {
                        o.put_u16v(s.get());
                    }
                    Ok(())
                })?;
                put_len_prefixed(o, LenPrefix::U16, |o| {
                    m.authorities
                        .iter()
                        .try_for_each(|dn| put_vec(o, LenPrefix::U16, dn))
                })
            }
            Self::ClientKeyExchange(p) => put_vec(o, LenPrefix::U8, p),
            Self::CertificateVerify(m) => m.encode(o),
            Self::NewSessionTicket(hint, t) => {
                o.put_bytes(&hint.to_be_bytes());
                put_vec(o, LenPrefix::U16, t)
            }
            Self::Finished(v) => {
                o.put_bytes(v);
                Ok(())
            }
        })?;
        Ok(out)
    }
}

/// A whole TLS 1.2 Certificate message for `chain`, encoded from the
/// borrowed chain (a server sends its configured chain without copying it
/// into a [`Handshake12`]), in a buffer allocated once at its size.
pub fn certificate_message(chain: &[CertificateDer<'_>]) -> Result<Vec<u8>, Error> {
    let len: usize = chain.iter().map(|c| c.as_ref().len() + 3).sum();
    let mut out = Vec::with_capacity(len + 7);
    super::handshake::encode_message(&mut out, HandshakeType::Certificate, |o| {
        encode_certificate_body(o, chain)
    })?;
    Ok(out)
}

/// The body of a TLS 1.2 Certificate: the DER certificates, each behind its
/// 24-bit length, all behind one more.
fn encode_certificate_body(out: &mut Vec<u8>, chain: &[CertificateDer<'_>]) -> Result<(), Error> {
    put_len_prefixed(out, LenPrefix::U24, |o| {
        chain
            .iter()
            .try_for_each(|c| put_vec(o, LenPrefix::U24, c.as_ref()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let msgs = [
            Handshake12::ServerHelloDone,
            Handshake12::ClientKeyExchange(vec![4; 65]),
            Handshake12::NewSessionTicket(300, vec![1, 2, 3]),
            Handshake12::Finished(vec![7; 12]),
            Handshake12::CertificateStatus(vec![0x30, 3, 1, 2, 3]),
            Handshake12::Certificate(vec![CertificateDer::from(vec![0x30, 0])]),
            Handshake12::ServerKeyExchange(ServerKeyExchange {
                group: NamedGroup::X25519,
                public: vec![9; 32],
                scheme: SignatureScheme::ECDSA_NISTP256_SHA256,
                signature: vec![1; 70],
            }),
            Handshake12::CertificateRequest(CertificateRequest12 {
                types: CLIENT_CERT_TYPES.to_vec(),
                schemes: vec![SignatureScheme::RSA_PSS_SHA256],
                authorities: vec![vec![0x30, 0]],
            }),
        ];
        for m in msgs {
            assert_eq!(Handshake12::decode(&m.to_bytes().unwrap()).unwrap(), m);
        }
    }

    #[test]
    fn bad_curve_type_and_truncation() {
        let e = Handshake12::decode(&[12, 0, 0, 1, 1]).unwrap_err();
        assert_eq!(
            e.alert(),
            Some(crate::proto::wire::enums::AlertDescription::IllegalParameter)
        );
        let e = Handshake12::decode(&[16, 0, 0, 2, 5, 1]).unwrap_err();
        assert_eq!(
            e.alert(),
            Some(crate::proto::wire::enums::AlertDescription::DecodeError)
        );
    }
}

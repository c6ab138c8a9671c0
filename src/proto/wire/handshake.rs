//! Handshake message framing and the typed message enum.

use bytes::{Buf, BytesMut};

use crate::error::Error;
use crate::proto::wire::certificate::{
    CertificateMsg, CertificateRequest, CertificateVerify, CompressedCertificate,
};
use crate::proto::wire::enums::{AlertDescription, HandshakeType};
use crate::proto::wire::extensions::{for_each_extension, EncryptedExtensions, Handled};
use crate::proto::wire::hello::{ClientHello, ServerHello};
use crate::proto::wire::reader::{put_len_prefixed, put_vec, LenPrefix, Put, Reader};

/// Default bound on one handshake message (header excluded).
pub const DEFAULT_MAX_HANDSHAKE_MESSAGE: usize = 64 * 1024;

/// The largest ClientHello body RFC 8446 section 4.1.2 allows: legacy_version
/// (2), random (32), legacy_session_id<0..32> (1 + 32),
/// cipher_suites<2..2^16-2> (2 + 65534), legacy_compression_methods<1..2^8-1>
/// (1 + 255) and extensions<8..2^16-1> (2 + 65535). Every valid ClientHello
/// is admitted (one with 32,715 signature schemes is 65,609 bytes); the
/// configured bound applies to every other message.
pub const MAX_CLIENT_HELLO: usize = 2 + 32 + (1 + 32) + (2 + 65534) + (1 + 255) + (2 + 65535);

/// NewSessionTicket (RFC 8446 section 4.6.1).
#[derive(Clone, PartialEq, Eq)]
pub struct NewSessionTicket {
    /// ticket_lifetime in seconds.
    pub lifetime: u32,
    /// ticket_age_add.
    pub age_add: u32,
    /// ticket_nonce.
    pub nonce: Vec<u8>,
    /// The opaque ticket.
    pub ticket: Vec<u8>,
    /// early_data max_early_data_size, if offered.
    pub max_early_data: Option<u32>,
}

impl std::fmt::Debug for NewSessionTicket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSessionTicket")
            .field("lifetime", &self.lifetime)
            .field("ticket_len", &self.ticket.len())
            .finish_non_exhaustive()
    }
}

impl NewSessionTicket {
    /// Decodes the body.
    pub fn decode(r: &mut Reader<'_>) -> Result<Self, Error> {
        // A lifetime over seven days breaks RFC 8446 section 4.6.1, but the
        // client clamps it when it keeps the ticket (TicketSink::store)
        // rather than failing a working connection over it.
        let lifetime = r.u32()?;
        let age_add = r.u32()?;
        let nonce = r.vec8()?.to_vec();
        let ticket = r.vec16()?;
        if ticket.is_empty() {
            return Err(Error::decode("empty session ticket"));
        }
        let mut max_early_data = None;
        for_each_extension(r, |typ, b| {
            if typ != crate::proto::wire::enums::ExtensionType::EarlyData {
                return Ok(Handled::Ignored);
            }
            max_early_data = Some(b.u32()?);
            Ok(Handled::Decoded)
        })?;
        r.finish()?;
        Ok(NewSessionTicket {
            lifetime,
            age_add,
            nonce,
            ticket: ticket.to_vec(),
            max_early_data,
        })
    }

    /// Encodes the body.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        out.put_bytes(&self.lifetime.to_be_bytes());
        out.put_bytes(&self.age_add.to_be_bytes());
        put_vec(out, LenPrefix::U8, &self.nonce)?;
        put_vec(out, LenPrefix::U16, &self.ticket)?;
        match self.max_early_data {
            // RFC 8446 section 4.6.1: early_data carries max_early_data_size.
            Some(max) => {
                out.put_u16v(8);
                out.put_u16v(crate::proto::wire::enums::ExtensionType::EarlyData.get());
                out.put_u16v(4);
                out.put_bytes(&max.to_be_bytes());
            }
            None => out.put_u16v(0),
        }
        Ok(())
    }
}

/// A decoded handshake message. Values live only while one message is
/// handled, so the size spread between variants costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HandshakeMessage {
    /// ClientHello.
    ClientHello(ClientHello),
    /// ServerHello or HelloRetryRequest (see [`ServerHello::is_retry`]).
    ServerHello(ServerHello),
    /// EncryptedExtensions.
    EncryptedExtensions(EncryptedExtensions),
    /// CertificateRequest.
    CertificateRequest(CertificateRequest),
    /// Certificate.
    Certificate(CertificateMsg),
    /// CompressedCertificate (RFC 8879), in place of a Certificate.
    CompressedCertificate(CompressedCertificate),
    /// CertificateVerify.
    CertificateVerify(CertificateVerify),
    /// Finished.
    Finished(Vec<u8>),
    /// NewSessionTicket.
    NewSessionTicket(NewSessionTicket),
    /// KeyUpdate; true when update_requested.
    KeyUpdate(bool),
    /// EndOfEarlyData (RFC 8446 section 4.5): empty, ends the client's 0-RTT data.
    EndOfEarlyData,
}

impl HandshakeMessage {
    /// The message's type.
    pub fn typ(&self) -> HandshakeType {
        match self {
            Self::ClientHello(_) => HandshakeType::ClientHello,
            Self::ServerHello(_) => HandshakeType::ServerHello,
            Self::EncryptedExtensions(_) => HandshakeType::EncryptedExtensions,
            Self::CertificateRequest(_) => HandshakeType::CertificateRequest,
            Self::Certificate(_) => HandshakeType::Certificate,
            Self::CompressedCertificate(_) => HandshakeType::CompressedCertificate,
            Self::CertificateVerify(_) => HandshakeType::CertificateVerify,
            Self::Finished(_) => HandshakeType::Finished,
            Self::NewSessionTicket(_) => HandshakeType::NewSessionTicket,
            Self::KeyUpdate(_) => HandshakeType::KeyUpdate,
            Self::EndOfEarlyData => HandshakeType::EndOfEarlyData,
        }
    }

    /// Decodes one message from its full encoding (4-byte header included).
    pub fn decode(msg: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(msg);
        let typ = HandshakeType::from(r.u8()?);
        let mut body = r.sub24()?;
        r.finish()?;
        let m = match typ {
            HandshakeType::ClientHello => Self::ClientHello(ClientHello::decode(&mut body)?),
            HandshakeType::ServerHello => Self::ServerHello(ServerHello::decode(&mut body)?),
            HandshakeType::EncryptedExtensions => {
                let e = EncryptedExtensions::decode(&mut body)?;
                body.finish()?;
                Self::EncryptedExtensions(e)
            }
            HandshakeType::CertificateRequest => {
                Self::CertificateRequest(CertificateRequest::decode(&mut body)?)
            }
            HandshakeType::Certificate => Self::Certificate(CertificateMsg::decode(&mut body)?),
            HandshakeType::CompressedCertificate => {
                Self::CompressedCertificate(CompressedCertificate::decode(&mut body)?)
            }
            HandshakeType::CertificateVerify => {
                Self::CertificateVerify(CertificateVerify::decode(&mut body)?)
            }
            HandshakeType::Finished => Self::Finished(body.rest().to_vec()),
            HandshakeType::NewSessionTicket => {
                Self::NewSessionTicket(NewSessionTicket::decode(&mut body)?)
            }
            HandshakeType::KeyUpdate => {
                let v = body.u8()?;
                body.finish()?;
                match v {
                    0 => Self::KeyUpdate(false),
                    1 => Self::KeyUpdate(true),
                    _ => return Err(Error::illegal("KeyUpdate request is neither 0 nor 1")),
                }
            }
            HandshakeType::EndOfEarlyData => {
                body.finish()?;
                Self::EndOfEarlyData
            }
            other => {
                return Err(Error::unexpected(format!(
                    "handshake message type {} is not used in TLS 1.3",
                    other.get()
                )))
            }
        };
        Ok(m)
    }

    /// Appends the full encoding (header included). Fails, leaving `out` as
    /// it was, when a field is too long for its length prefix: we never
    /// send a message that would not parse back.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        encode_message(out, self.typ(), |o| match self {
            Self::ClientHello(m) => m.encode(o),
            Self::ServerHello(m) => m.encode(o),
            Self::EncryptedExtensions(m) => m.encode(o),
            Self::CertificateRequest(m) => m.encode(o),
            Self::Certificate(m) => m.encode(o),
            Self::CompressedCertificate(m) => m.encode(o),
            Self::CertificateVerify(m) => m.encode(o),
            Self::Finished(v) => {
                o.put_bytes(v);
                Ok(())
            }
            Self::NewSessionTicket(m) => m.encode(o),
            Self::KeyUpdate(req) => {
                o.put_u8v(u8::from(*req));
                Ok(())
            }
            Self::EndOfEarlyData => Ok(()),
        })
    }

    /// The full encoding as a new vector (see [`HandshakeMessage::encode`]).
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut v = Vec::with_capacity(ENCODE_CAPACITY);
        self.encode(&mut v)?;
        Ok(v)
    }
}

/// What an encoding buffer starts with: most handshake messages fit (a
/// ClientHello with X25519 and P-256 shares is about 300 bytes), so they
/// are encoded without the vector growing by doubling from 8 bytes.
pub const ENCODE_CAPACITY: usize = 512;

/// Appends a handshake message of type `typ` whose body `body` writes: the
/// header, then the body behind its 24-bit length. Fails, leaving `out` as
/// it was, when the body fails or is too long. For senders that encode
/// from borrowed parts instead of building a [`HandshakeMessage`].
pub fn encode_message(
    out: &mut Vec<u8>,
    typ: HandshakeType,
    body: impl FnOnce(&mut Vec<u8>) -> Result<(), Error>,
) -> Result<(), Error> {
    let start = out.len();
    out.put_u8v(typ.get());
    let body = put_len_prefixed(out, LenPrefix::U24, body);
    if body.is_err() {
        out.truncate(start);
    }
    body
}

/// Reassembles handshake messages from record payloads: several messages in
/// one record and one message over many records both work, and no message
/// may exceed the configured bound.
#[derive(Debug)]
pub struct Joiner {
    buf: BytesMut,
    max: usize,
}

impl Joiner {
    /// A joiner refusing messages longer than `max` bytes.
    pub fn new(max: usize) -> Self {
        Joiner {
            buf: BytesMut::new(),
            max,
        }
    }

    /// Appends a handshake record's payload. Into an empty joiner the
    /// payload itself moves, without a copy or an allocation: it is a view of
    /// the read buffer, and its messages are split off it in place. Only a
    /// message spread over records is joined by copying.
    pub fn push(&mut self, payload: BytesMut) -> Result<(), Error> {
        if self.buf.is_empty() {
            self.buf = payload;
        } else {
            self.buf.extend_from_slice(&payload);
        }
        // Check the bound as soon as a header is visible, so a peer cannot make
        // us buffer an oversized message before we refuse it.
        self.check_header()
    }

    fn check_header(&self) -> Result<(), Error> {
        if self.buf.len() >= 4 {
            let len = u32::from_be_bytes([0, self.buf[1], self.buf[2], self.buf[3]]) as usize;
            let max = if self.buf[0] == HandshakeType::ClientHello.get() {
                self.max.max(MAX_CLIENT_HELLO)
            } else {
                self.max
            };
            if len > max {
                return Err(Error::protocol(
                    AlertDescription::IllegalParameter,
                    format!("handshake message of {len} bytes exceeds the limit of {max} bytes"),
                ));
            }
        }
        Ok(())
    }

    /// Takes the next complete message (header included), if one is buffered.
    pub fn next_message(&mut self) -> Result<Option<BytesMut>, Error> {
        if self.buf.len() < 4 {
            return Ok(None);
        }
        self.check_header()?;
        let len = u32::from_be_bytes([0, self.buf[1], self.buf[2], self.buf[3]]) as usize;
        if self.buf.len() < 4 + len {
            return Ok(None);
        }
        let msg = self.buf.split_to(4 + len);
        if self.buf.is_empty() {
            // Release the backing storage once the flight is consumed.
            self.buf = BytesMut::new();
        }
        self.check_header()?;
        Ok(Some(msg))
    }

    /// True when no partial message is buffered.
    pub fn is_empty(&self) -> bool {
        !self.buf.has_remaining()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joiner_handles_one_byte_fragments_and_coalesced_messages() {
        let a = HandshakeMessage::Finished(vec![7; 32]).to_bytes().unwrap();
        let b = HandshakeMessage::KeyUpdate(true).to_bytes().unwrap();
        let mut all = a.clone();
        all.extend_from_slice(&b);
        let mut j = Joiner::new(1024);
        let mut got = Vec::new();
        for byte in &all {
            j.push(BytesMut::from(std::slice::from_ref(byte))).unwrap();
            while let Some(m) = j.next_message().unwrap() {
                got.push(m.to_vec());
            }
        }
        assert_eq!(got, vec![a.clone(), b.clone()]);
        assert!(j.is_empty());
        let mut j = Joiner::new(1024);
        j.push(BytesMut::from(&all[..])).unwrap();
        assert_eq!(j.next_message().unwrap().unwrap().as_ref(), &a[..]);
        assert_eq!(j.next_message().unwrap().unwrap().as_ref(), &b[..]);
    }

    #[test]
    fn joiner_refuses_oversized_message_from_its_header() {
        let mut j = Joiner::new(100);
        let err = j.push(BytesMut::from(&[11, 0, 0, 101][..])).unwrap_err();
        assert_eq!(err.alert(), Some(AlertDescription::IllegalParameter));
    }

    #[test]
    fn joiner_admits_any_valid_client_hello_size() {
        let len = (MAX_CLIENT_HELLO as u32).to_be_bytes();
        Joiner::new(100)
            .push(BytesMut::from(&[1, len[1], len[2], len[3]][..]))
            .unwrap();
        let len = (MAX_CLIENT_HELLO as u32 + 1).to_be_bytes();
        let err = Joiner::new(100)
            .push(BytesMut::from(&[1, len[1], len[2], len[3]][..]))
            .unwrap_err();
        assert_eq!(err.alert(), Some(AlertDescription::IllegalParameter));
    }

    #[test]
    fn key_update_value_two_is_illegal() {
        let err = HandshakeMessage::decode(&[24, 0, 0, 1, 2]).unwrap_err();
        assert_eq!(err.alert(), Some(AlertDescription::IllegalParameter));
    }

    #[test]
    fn truncated_message_is_decode_error() {
        let err = HandshakeMessage::decode(&[20, 0, 0, 5, 1]).unwrap_err();
        assert_eq!(err.alert(), Some(AlertDescription::DecodeError));
    }
}

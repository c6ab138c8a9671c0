//! Record framing (RFC 8446 section 5.1) as a tokio-util [`Decoder`].
//!
//! The decoder only splits the byte stream into records and checks the
//! 5-byte header; protection is [`super::layer::RecordLayer`]'s job. A record
//! is cut out of the read buffer with `split_to`, so its payload is a view of
//! the bytes that were read, never a copy.

use std::fmt;
use std::io;

use bytes::{BufMut, BytesMut};
use tokio_util::codec::Decoder;

use crate::error::Error;
use crate::proto::wire::enums::{AlertDescription, ContentType};

/// Largest plaintext fragment a record may carry: 2^14 bytes.
pub const MAX_PLAINTEXT: usize = 16384;

/// Largest `TLSCiphertext.length` a TLS 1.3 peer may send: 2^14 + 256 bytes.
pub const MAX_CIPHERTEXT: usize = 16384 + 256;

/// Length of a record header: type (1), legacy_record_version (2), length (2).
pub const HEADER_LEN: usize = 5;

/// The legacy_record_version we write on every record.
pub const RECORD_VERSION: u16 = 0x0303;

/// One framed record as read from the wire, not yet opened.
#[derive(Clone, PartialEq, Eq)]
pub struct OpaqueRecord {
    /// The outer content type (always one of 20..=23 when produced by [`RecordCodec`]).
    pub typ: ContentType,
    /// legacy_record_version as sent; it is part of the AEAD additional data.
    pub version: u16,
    /// The fragment: plaintext before protection starts, ciphertext and tag after.
    pub payload: BytesMut,
}

impl OpaqueRecord {
    /// The header this record was read with: type, version and payload length.
    ///
    /// This is the additional data of a protected record. Returns `None` if the
    /// payload is too long for a 16-bit length (never true for a decoded record).
    pub fn header(&self) -> Option<[u8; HEADER_LEN]> {
        let len = u16::try_from(self.payload.len()).ok()?;
        let [v0, v1] = self.version.to_be_bytes();
        let [l0, l1] = len.to_be_bytes();
        Some([self.typ.get(), v0, v1, l0, l1])
    }
}

impl fmt::Debug for OpaqueRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpaqueRecord")
            .field("typ", &self.typ)
            .field("version", &format_args!("{:#06x}", self.version))
            .field("len", &self.payload.len())
            .finish()
    }
}

/// The 5-byte header of a record of content type `typ` with a `len`-byte
/// fragment, carrying legacy_record_version 0x0303.
pub fn encode_header(typ: ContentType, len: u16) -> [u8; HEADER_LEN] {
    let [v0, v1] = RECORD_VERSION.to_be_bytes();
    let [l0, l1] = len.to_be_bytes();
    [typ.get(), v0, v1, l0, l1]
}

/// Appends a record header (type, version 0x0303, `len`) to `out`.
pub fn write_header(out: &mut BytesMut, typ: ContentType, len: u16) {
    out.put_slice(&encode_header(typ, len));
}

/// Splits a byte stream into [`OpaqueRecord`]s, checking each header.
///
/// It remembers whether a first record header was seen, so that an SSL 2.0
/// ClientHello is reported as such instead of as an unknown content type.
#[derive(Debug, Default)]
pub struct RecordCodec {
    seen_first: bool,
}

impl RecordCodec {
    /// A codec that has seen no record yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether a complete record header was already seen.
    pub fn seen_first_record(&self) -> bool {
        self.seen_first
    }

    /// Checks the header at the start of `src` (which holds at least
    /// [`HEADER_LEN`] bytes) and returns the content type and payload length.
    fn check_header(&mut self, h: [u8; HEADER_LEN]) -> Result<(ContentType, u16, usize), Error> {
        let first = !self.seen_first;
        self.seen_first = true;

        // An SSL 2.0 record starts with a 2-byte length whose high bit is set;
        // its first message byte is 1 for CLIENT-HELLO.
        if first && h[0] & 0x80 != 0 && h[2] == 0x01 {
            return Err(Error::UnsupportedVersion(
                "SSL 2.0-format ClientHello".to_string(),
            ));
        }
        let typ = ContentType::from(h[0]);
        if let ContentType::Unknown(n) = typ {
            return Err(Error::protocol(
                AlertDescription::UnexpectedMessage,
                format!("unknown record content type {n}"),
            ));
        }
        let version = u16::from_be_bytes([h[1], h[2]]);
        if h[1] != 0x03 {
            return Err(Error::decode(format!(
                "record version {version:#06x} is not a TLS version"
            )));
        }
        let len = usize::from(u16::from_be_bytes([h[3], h[4]]));
        if len > MAX_CIPHERTEXT {
            return Err(Error::protocol(
                AlertDescription::RecordOverflow,
                format!("record of {len} bytes exceeds the limit of {MAX_CIPHERTEXT}"),
            ));
        }
        if len == 0 && matches!(typ, ContentType::Handshake | ContentType::Alert) {
            return Err(Error::unexpected(format!(
                "zero-length {} record",
                if typ == ContentType::Alert {
                    "alert"
                } else {
                    "handshake"
                }
            )));
        }
        Ok((typ, version, len))
    }
}

impl Decoder for RecordCodec {
    type Item = OpaqueRecord;
    type Error = Error;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<OpaqueRecord>, Error> {
        let Some(h) = src.get(..HEADER_LEN) else {
            src.reserve(HEADER_LEN - src.len());
            return Ok(None);
        };
        let h: [u8; HEADER_LEN] = [h[0], h[1], h[2], h[3], h[4]];
        // Checked again for every call while a record is incomplete; this is
        // cheap and keeps the codec stateless between records.
        let seen_before = self.seen_first;
        let (typ, version, len) = self.check_header(h)?;
        let total = HEADER_LEN + len;
        if src.len() < total {
            // The SSL 2.0 check applies to the first header only, however many
            // times it is looked at while its payload arrives.
            self.seen_first = seen_before;
            src.reserve(total - src.len());
            return Ok(None);
        }
        let mut rec = src.split_to(total);
        let payload = rec.split_off(HEADER_LEN);
        Ok(Some(OpaqueRecord {
            typ,
            version,
            payload,
        }))
    }

    fn decode_eof(&mut self, buf: &mut BytesMut) -> Result<Option<OpaqueRecord>, Error> {
        match self.decode(buf)? {
            Some(rec) => Ok(Some(rec)),
            None if buf.is_empty() => Ok(None),
            None => Err(Error::Truncated),
        }
    }
}

/// Lets [`RecordCodec`] be a [`Decoder`], whose error type must absorb the
/// stream's I/O errors.
///
/// An `io::Error` that carries an [`Error`] (as made by `From<Error> for
/// io::Error`) gives that error back; an unexpected end of file becomes
/// [`Error::Truncated`]; anything else becomes an internal error with the I/O
/// error's text.
impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        if let Some(inner) = Error::from_io(&e) {
            return inner.clone();
        }
        match e.kind() {
            io::ErrorKind::UnexpectedEof => Error::Truncated,
            _ => Error::internal(format!("I/O error: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec_bytes(typ: u8, version: u16, payload: &[u8]) -> Vec<u8> {
        let mut v = vec![typ];
        v.extend_from_slice(&version.to_be_bytes());
        v.extend_from_slice(&(payload.len() as u16).to_be_bytes());
        v.extend_from_slice(payload);
        v
    }

    fn alert_of(e: &Error) -> AlertDescription {
        e.alert().expect("error sends an alert")
    }

    #[test]
    fn byte_at_a_time() {
        let wire = rec_bytes(22, 0x0301, b"hello");
        let mut c = RecordCodec::new();
        let mut buf = BytesMut::new();
        for (i, b) in wire.iter().enumerate() {
            assert!(c.decode(&mut buf).unwrap().is_none(), "at {i}");
            buf.put_u8(*b);
        }
        let r = c.decode(&mut buf).unwrap().unwrap();
        assert_eq!(r.typ, ContentType::Handshake);
        assert_eq!(r.version, 0x0301);
        assert_eq!(&r.payload[..], b"hello");
        assert!(buf.is_empty());
        assert!(c.decode(&mut buf).unwrap().is_none());
        assert!(c.decode_eof(&mut buf).unwrap().is_none());
    }

    #[test]
    fn reserves_whole_record() {
        let mut c = RecordCodec::new();
        let mut buf = BytesMut::from(&[23u8, 3, 3, 0x40, 0x00][..]);
        assert!(c.decode(&mut buf).unwrap().is_none());
        assert!(buf.capacity() >= HEADER_LEN + 0x4000);
    }

    #[test]
    fn two_records_in_one_buffer() {
        let mut wire = rec_bytes(22, 0x0303, b"one");
        wire.extend(rec_bytes(23, 0x0303, b"second"));
        wire.extend_from_slice(&[21, 3]); // start of a third
        let mut buf = BytesMut::from(&wire[..]);
        let mut c = RecordCodec::new();
        let a = c.decode(&mut buf).unwrap().unwrap();
        let b = c.decode(&mut buf).unwrap().unwrap();
        assert_eq!(
            (a.typ, &a.payload[..]),
            (ContentType::Handshake, &b"one"[..])
        );
        assert_eq!(
            (b.typ, &b.payload[..]),
            (ContentType::ApplicationData, &b"second"[..])
        );
        assert!(c.decode(&mut buf).unwrap().is_none());
        assert_eq!(buf.len(), 2);
        assert_eq!(c.decode_eof(&mut buf), Err(Error::Truncated));
    }

    #[test]
    fn header_checks() {
        let mut c = RecordCodec::new();
        let mut buf = BytesMut::from(&rec_bytes(24, 0x0303, b"x")[..]);
        let e = c.decode(&mut buf).unwrap_err();
        assert_eq!(
            e,
            Error::protocol(
                AlertDescription::UnexpectedMessage,
                "unknown record content type 24"
            )
        );

        let mut buf = BytesMut::from(&[23u8, 3, 3, 0x41, 0x01][..]);
        let e = RecordCodec::new().decode(&mut buf).unwrap_err();
        assert_eq!(alert_of(&e), AlertDescription::RecordOverflow);
        // Exactly the limit is fine.
        let mut buf = BytesMut::from(&[23u8, 3, 3, 0x41, 0x00][..]);
        assert!(RecordCodec::new().decode(&mut buf).unwrap().is_none());

        let mut buf = BytesMut::from(&rec_bytes(22, 0x0203, b"x")[..]);
        let e = RecordCodec::new().decode(&mut buf).unwrap_err();
        assert_eq!(alert_of(&e), AlertDescription::DecodeError);

        for t in [21u8, 22] {
            let mut buf = BytesMut::from(&rec_bytes(t, 0x0303, b"")[..]);
            let e = RecordCodec::new().decode(&mut buf).unwrap_err();
            assert_eq!(alert_of(&e), AlertDescription::UnexpectedMessage);
        }
        for t in [20u8, 23] {
            let mut buf = BytesMut::from(&rec_bytes(t, 0x0303, b"")[..]);
            let r = RecordCodec::new().decode(&mut buf).unwrap().unwrap();
            assert!(r.payload.is_empty());
        }
    }

    #[test]
    fn ssl2_client_hello() {
        let hello = [
            0x80u8, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10,
        ];
        // Even arriving a byte at a time, and checked on every partial call.
        let mut c = RecordCodec::new();
        let mut buf = BytesMut::new();
        let mut err = None;
        for b in hello {
            buf.put_u8(b);
            if let Err(e) = c.decode(&mut buf) {
                err = Some(e);
                break;
            }
        }
        assert_eq!(
            err,
            Some(Error::UnsupportedVersion(
                "SSL 2.0-format ClientHello".to_string()
            ))
        );

        // After a first record the same bytes are just an unknown type.
        let mut c = RecordCodec::new();
        let mut wire = rec_bytes(22, 0x0303, b"ok");
        wire.extend_from_slice(&hello);
        let mut buf = BytesMut::from(&wire[..]);
        assert!(c.decode(&mut buf).unwrap().is_some());
        let e = c.decode(&mut buf).unwrap_err();
        assert_eq!(alert_of(&e), AlertDescription::UnexpectedMessage);
    }

    #[test]
    fn ssl2_check_survives_partial_first_record() {
        // A first TLS record whose payload arrives late keeps the codec in
        // "first record" state only until the record is complete.
        let mut c = RecordCodec::new();
        let mut buf = BytesMut::from(&[22u8, 3, 1, 0, 2, 1][..]);
        assert!(c.decode(&mut buf).unwrap().is_none());
        assert!(!c.seen_first_record());
        buf.put_u8(2);
        assert!(c.decode(&mut buf).unwrap().is_some());
        assert!(c.seen_first_record());
    }

    #[test]
    fn truncated_at_eof() {
        let wire = rec_bytes(23, 0x0303, b"abcdef");
        for cut in 1..wire.len() {
            let mut buf = BytesMut::from(&wire[..cut]);
            let mut c = RecordCodec::new();
            assert_eq!(c.decode_eof(&mut buf), Err(Error::Truncated), "cut {cut}");
        }
        let mut buf = BytesMut::new();
        assert_eq!(RecordCodec::new().decode_eof(&mut buf), Ok(None));
    }

    #[test]
    fn garbage_never_panics() {
        // A deterministic sweep of junk: every outcome is an error or a
        // bounded record, never a panic, and never more buffered than one record.
        let mut x: u32 = 0x1234_5678;
        for _ in 0..2000 {
            let mut v = Vec::new();
            for _ in 0..(x % 64) {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                v.push(x as u8);
            }
            let mut buf = BytesMut::from(&v[..]);
            let mut c = RecordCodec::new();
            while let Ok(Some(r)) = c.decode(&mut buf) {
                assert!(r.payload.len() <= MAX_CIPHERTEXT);
            }
            assert!(buf.capacity() <= 2 * (HEADER_LEN + MAX_CIPHERTEXT));
            let _ = c.decode_eof(&mut buf);
        }
        let mut buf = BytesMut::from(&b"GET / HTTP/1.1\r\n\r\n"[..]);
        let e = RecordCodec::new().decode(&mut buf).unwrap_err();
        assert_eq!(alert_of(&e), AlertDescription::UnexpectedMessage);
    }

    #[test]
    fn header_helpers() {
        let mut out = BytesMut::new();
        write_header(&mut out, ContentType::ApplicationData, 0x1234);
        assert_eq!(&out[..], &[23, 3, 3, 0x12, 0x34]);
        let r = OpaqueRecord {
            typ: ContentType::Handshake,
            version: 0x0301,
            payload: BytesMut::from(&b"abc"[..]),
        };
        assert_eq!(r.header(), Some([22, 3, 1, 0, 3]));
    }

    #[test]
    fn io_error_conversion() {
        let e = io::Error::from(Error::BadRecordMac);
        assert_eq!(Error::from(e), Error::BadRecordMac);
        let e = io::Error::from(io::ErrorKind::UnexpectedEof);
        assert_eq!(Error::from(e), Error::Truncated);
    }
}

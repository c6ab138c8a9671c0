//! A bounded, total reader over peer bytes and the encoding helpers that mirror it.
//!
//! Every read returns a `Result`; a length is checked before any slice is taken,
//! so no peer input can make a decoder panic or read out of bounds.

use crate::error::Error;

/// A cursor over a byte slice that never reads past its end.
#[derive(Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader over `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    /// Bytes not yet read.
    pub fn rest(&self) -> &'a [u8] {
        &self.buf[self.pos..]
    }

    /// How many bytes remain.
    pub fn left(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// True when everything was read.
    pub fn is_empty(&self) -> bool {
        self.left() == 0
    }

    /// Takes `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        if self.left() < n {
            return Err(Error::decode("message truncated"));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    /// Reads a u8.
    pub fn u8(&mut self) -> Result<u8, Error> {
        Ok(self.take(1)?[0])
    }

    /// Reads a big-endian u16.
    pub fn u16(&mut self) -> Result<u16, Error> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    /// Reads a big-endian u24.
    pub fn u24(&mut self) -> Result<u32, Error> {
        let b = self.take(3)?;
        Ok(u32::from_be_bytes([0, b[0], b[1], b[2]]))
    }

    /// Reads a big-endian u32.
    pub fn u32(&mut self) -> Result<u32, Error> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// Reads a vector with a one-byte length prefix.
    pub fn vec8(&mut self) -> Result<&'a [u8], Error> {
        let n = self.u8()? as usize;
        self.take(n)
    }

    /// Reads a vector with a two-byte length prefix.
    pub fn vec16(&mut self) -> Result<&'a [u8], Error> {
        let n = self.u16()? as usize;
        self.take(n)
    }

    /// Reads a vector with a three-byte length prefix.
    pub fn vec24(&mut self) -> Result<&'a [u8], Error> {
        let n = self.u24()? as usize;
        self.take(n)
    }

    /// A sub-reader over a vector with a one-byte length prefix.
    pub fn sub8(&mut self) -> Result<Reader<'a>, Error> {
        self.vec8().map(Reader::new)
    }

    /// A sub-reader over a vector with a two-byte length prefix.
    pub fn sub16(&mut self) -> Result<Reader<'a>, Error> {
        self.vec16().map(Reader::new)
    }

    /// A sub-reader over a vector with a three-byte length prefix.
    pub fn sub24(&mut self) -> Result<Reader<'a>, Error> {
        self.vec24().map(Reader::new)
    }

    /// Fails with decode_error unless everything was consumed.
    pub fn finish(&self) -> Result<(), Error> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(Error::decode("trailing bytes after message"))
        }
    }

    /// Reads a list of u16 values from a two-byte-length vector; an odd length
    /// or an empty list (when `nonempty`) is a decode error.
    pub fn u16_list(&mut self, nonempty: bool) -> Result<Vec<u16>, Error> {
        let mut sub = self.sub16()?;
        if sub.left() % 2 != 0 || (nonempty && sub.is_empty()) {
            return Err(Error::decode("malformed list of 16-bit values"));
        }
        let mut out = Vec::with_capacity(sub.left() / 2);
        while !sub.is_empty() {
            out.push(sub.u16()?);
        }
        Ok(out)
    }
}

/// Appends big-endian integers and length-prefixed vectors.
pub trait Put {
    /// Appends one byte.
    fn put_u8v(&mut self, v: u8);
    /// Appends a big-endian u16.
    fn put_u16v(&mut self, v: u16);
    /// Appends a big-endian u24.
    fn put_u24v(&mut self, v: u32);
    /// Appends raw bytes.
    fn put_bytes(&mut self, b: &[u8]);
}

impl Put for Vec<u8> {
    fn put_u8v(&mut self, v: u8) {
        self.push(v);
    }
    fn put_u16v(&mut self, v: u16) {
        self.extend_from_slice(&v.to_be_bytes());
    }
    fn put_u24v(&mut self, v: u32) {
        self.extend_from_slice(&v.to_be_bytes()[1..]);
    }
    fn put_bytes(&mut self, b: &[u8]) {
        self.extend_from_slice(b);
    }
}

/// Width of a length prefix.
#[derive(Clone, Copy, Debug)]
pub enum LenPrefix {
    /// One byte.
    U8,
    /// Two bytes.
    U16,
    /// Three bytes.
    U24,
}

/// Writes a length-prefixed vector whose body `f` appends; the length is
/// patched in afterwards so bodies are encoded once. A body longer than the
/// prefix can count (a 65,534-byte HRR cookie echoed in an extension, a CA
/// list over 64 KiB) is an error, never a wrapped length: an encoder must
/// not produce a message that does not parse back. On error `out` is left as
/// it was before the call.
pub fn put_len_prefixed(
    out: &mut Vec<u8>,
    width: LenPrefix,
    f: impl FnOnce(&mut Vec<u8>) -> Result<(), Error>,
) -> Result<(), Error> {
    let (w, max) = match width {
        LenPrefix::U8 => (1, 0xff),
        LenPrefix::U16 => (2, 0xffff),
        LenPrefix::U24 => (3, 0xff_ffff),
    };
    let start = out.len();
    out.extend_from_slice(&[0u8; 3][..w]);
    let body = f(out);
    let len = out.len() - start - w;
    if let Err(e) = body {
        out.truncate(start);
        return Err(e);
    }
    if len > max {
        out.truncate(start);
        return Err(Error::internal(format!(
            "cannot encode a {len}-byte field behind a {w}-byte length prefix (at most {max} bytes)"
        )));
    }
    let be = (len as u32).to_be_bytes();
    out[start..start + w].copy_from_slice(&be[4 - w..]);
    Ok(())
}

/// Writes bytes with a length prefix of the given width (see [`put_len_prefixed`]).
pub fn put_vec(out: &mut Vec<u8>, width: LenPrefix, body: &[u8]) -> Result<(), Error> {
    put_len_prefixed(out, width, |o| {
        o.extend_from_slice(body);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::wire::enums::AlertDescription;

    #[test]
    fn truncated_reads_fail() {
        let mut r = Reader::new(&[0, 5, 1, 2]);
        assert!(r.vec16().is_err());
        let mut r = Reader::new(&[1]);
        assert!(r.u16().is_err());
        assert_eq!(r.u8().unwrap(), 1);
        assert!(r.u8().is_err());
    }

    #[test]
    fn length_prefix_round_trip() {
        let mut v = Vec::new();
        put_vec(&mut v, LenPrefix::U24, b"abc").unwrap();
        assert_eq!(v, [0, 0, 3, b'a', b'b', b'c']);
        let mut r = Reader::new(&v);
        assert_eq!(r.vec24().unwrap(), b"abc");
        r.finish().unwrap();
    }

    #[test]
    fn over_long_bodies_are_errors_not_wrapped_lengths() {
        let mut v = vec![9];
        let e = put_vec(&mut v, LenPrefix::U16, &[0; 65536]).unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::InternalError));
        assert_eq!(v, [9], "output changed by a failed encode");
        assert!(put_vec(&mut v, LenPrefix::U8, &[0; 256]).is_err());
        put_vec(&mut v, LenPrefix::U16, &[0; 65535]).unwrap();
        assert_eq!(&v[..3], &[9, 0xff, 0xff]);
        // An inner failure leaves the outer prefix unwritten too.
        let mut v = Vec::new();
        assert!(put_len_prefixed(&mut v, LenPrefix::U24, |o| put_vec(
            o,
            LenPrefix::U8,
            &[1; 300]
        ))
        .is_err());
        assert!(v.is_empty());
    }

    #[test]
    fn odd_u16_list_is_decode_error() {
        let mut r = Reader::new(&[0, 3, 0, 1, 2]);
        assert!(r.u16_list(false).is_err());
    }
}

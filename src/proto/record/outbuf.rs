//! Where sealed records wait for the transport.
//!
//! aws-lc-rs seals only into initialised `&mut [u8]`, and safe Rust cannot
//! hand it spare capacity, so a `BytesMut` had to be zeroed (`resize`) for
//! every record before aws-lc overwrote the zeros: perf over bulk AES-128-GCM
//! put that memset at 1.7% of samples against 20% for the seal itself.
//! [`OutBuf`] keeps its memory initialised from record to record instead:
//! what the transport took is space the next record overwrites, zeroed only
//! the first time the buffer grows into it.

use bytes::{BufMut, BytesMut};

/// Space records are appended to: the connection's [`OutBuf`], or a
/// `BytesMut` (tests and harnesses forging records).
pub trait RecordSink {
    /// Bytes held.
    fn len(&self) -> usize;
    /// True when nothing is held.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Makes room for `additional` more bytes, so the appends that follow
    /// do not reallocate.
    fn reserve(&mut self, additional: usize);
    /// Appends `bytes`.
    fn put(&mut self, bytes: &[u8]);
    /// Appends `n` bytes for the caller to overwrite completely and returns
    /// them. Their contents are unspecified (zeros, or bytes of records the
    /// transport already took), never uninitialised.
    fn grow(&mut self, n: usize) -> &mut [u8];
    /// Wipes and removes everything from `len` on (a record that failed).
    fn wipe_from(&mut self, len: usize);
}

impl RecordSink for BytesMut {
    fn len(&self) -> usize {
        BytesMut::len(self)
    }

    fn reserve(&mut self, additional: usize) {
        BytesMut::reserve(self, additional);
    }

    fn put(&mut self, bytes: &[u8]) {
        self.put_slice(bytes);
    }

    fn grow(&mut self, n: usize) -> &mut [u8] {
        let at = BytesMut::len(self);
        self.resize(at + n, 0);
        &mut self[at..]
    }

    fn wipe_from(&mut self, len: usize) {
        if let Some(tail) = self.get_mut(len..) {
            tail.fill(0);
        }
        self.truncate(len);
    }
}

/// The connection's outgoing ciphertext: `buf[start..end]` is queued;
/// the rest of `buf` is initialised space the next records overwrite.
#[derive(Debug, Default)]
pub struct OutBuf {
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

impl OutBuf {
    /// Bytes queued.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// True when nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The queued ciphertext, for the transport.
    pub fn as_slice(&self) -> &[u8] {
        self.buf.get(self.start..self.end).unwrap_or_default()
    }

    /// Drops the first `n` queued bytes (the transport took them). Once
    /// everything went, the space is reused from its start.
    pub fn advance(&mut self, n: usize) {
        self.start = self.start.saturating_add(n).min(self.end);
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    /// Lets the memory go if nothing is queued: an idle connection holds no
    /// write buffer.
    pub fn release_if_empty(&mut self) {
        if self.start == self.end {
            *self = OutBuf::default();
        }
    }

    /// Takes everything queued, as a `BytesMut` (the sans-IO API's form):
    /// the memory itself when the data starts at its beginning (the usual
    /// case: a flight sealed into an empty buffer), else a copy.
    pub fn take(&mut self) -> BytesMut {
        if self.start == 0 {
            let mut v = std::mem::take(&mut self.buf);
            v.truncate(self.end);
            self.end = 0;
            // A unique Bytes made from a Vec converts back without a copy.
            return bytes::Bytes::from(v)
                .try_into_mut()
                .unwrap_or_else(|b| BytesMut::from(&b[..]));
        }
        let out = BytesMut::from(self.as_slice());
        self.advance(out.len());
        out
    }

    /// Makes room for `n` bytes behind the queued ones: moves those to the
    /// front if the tail is short, then zeroes whatever is still lacking.
    fn make_room(&mut self, n: usize) {
        if self.compact_for(n) {
            self.buf.resize(self.end + n, 0);
        }
    }

    /// Moves the queued bytes to the front when `n` more would not fit
    /// behind them; true if they still would not.
    fn compact_for(&mut self, n: usize) -> bool {
        if self.buf.len() - self.end >= n {
            return false;
        }
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        self.buf.len() - self.end < n
    }
}

impl RecordSink for OutBuf {
    fn len(&self) -> usize {
        OutBuf::len(self)
    }

    fn reserve(&mut self, additional: usize) {
        if self.compact_for(additional) {
            self.buf.reserve(self.end + additional - self.buf.len());
        }
    }

    fn put(&mut self, bytes: &[u8]) {
        self.grow(bytes.len()).copy_from_slice(bytes);
    }

    fn grow(&mut self, n: usize) -> &mut [u8] {
        self.make_room(n);
        let at = self.end;
        self.end += n;
        &mut self.buf[at..self.end]
    }

    fn wipe_from(&mut self, len: usize) {
        let cut = self.start + len.min(self.end - self.start);
        self.buf[cut..self.end].fill(0);
        self.end = cut;
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn space_the_transport_took_is_reused_without_growing() {
        let mut b = OutBuf::default();
        b.put(b"hello");
        b.grow(3).copy_from_slice(b"abc");
        assert_eq!(b.as_slice(), b"helloabc");
        b.advance(8);
        assert!(b.is_empty());
        let cap = b.buf.len();
        // Reused from the start: the stale bytes are there to overwrite.
        assert_eq!(b.grow(4), b"hell");
        assert_eq!(b.buf.len(), cap);
        b.release_if_empty();
        assert_eq!(b.len(), 4);
    }

    #[test]
    fn queued_bytes_move_to_the_front_when_the_tail_is_short() {
        let mut b = OutBuf::default();
        b.put(&[1; 10]);
        b.advance(7);
        b.put(&[2; 9]);
        assert_eq!(b.as_slice(), [1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
        assert_eq!(b.start, 0);
        b.wipe_from(3);
        assert_eq!(b.as_slice(), [1, 1, 1]);
        assert!(b.buf[3..].iter().all(|&x| x == 0 || x == 2));
        assert!(b.buf[3..12].iter().all(|&x| x == 0));
        let taken = b.take();
        assert_eq!(&taken[..], [1, 1, 1]);
        assert!(b.is_empty());
        b.put(b"x");
        b.advance(1);
        b.put(b"yz");
        b.advance(1);
        assert_eq!(&b.take()[..], b"z");
        b.release_if_empty();
        assert_eq!(b.buf.capacity(), 0);
    }
}

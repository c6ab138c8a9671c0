//! What each side of a soak connection sends, and how the other side checks it.
//!
//! A message is a 17-byte header (kind, seed, length), `length` bytes drawn
//! from a PRNG seeded with `seed`, and the SHA-256 of those bytes. The
//! receiver regenerates the stream from the seed and compares byte by byte
//! (so it can say *where* a corruption starts, and check the prefix an
//! aborted sender managed to send), then compares the digest end to end.
//! Nothing is held in memory beyond one 16 KiB chunk per direction.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use aws_lc_rs::digest::{Context as Digest, SHA256, SHA256_OUTPUT_LEN};
use lctls::TlsStream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// kind (1) + seed (8) + payload length (8).
pub const HEADER_LEN: usize = 17;
/// Plaintext per write and per read: one full TLS record.
const CHUNK: usize = 16 * 1024;

/// The header of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// The connection kind (the client's choice; the server echoes it).
    pub kind: u8,
    /// PRNG seed of the payload.
    pub seed: u64,
    /// Payload length in bytes.
    pub len: u64,
}

impl Header {
    /// The 17 bytes on the wire.
    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let mut b = [0u8; HEADER_LEN];
        b[0] = self.kind;
        b[1..9].copy_from_slice(&self.seed.to_be_bytes());
        b[9..].copy_from_slice(&self.len.to_be_bytes());
        b
    }

    fn decode(b: &[u8; HEADER_LEN]) -> Self {
        let word = |r: std::ops::Range<usize>| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&b[r]);
            u64::from_be_bytes(w)
        };
        Header {
            kind: b[0],
            seed: word(1..9),
            len: word(9..17),
        }
    }
}

/// SplitMix64: fast, seedable, and good enough to make every byte count.
/// Not for secrets: it only has to be reproducible on the other side.
#[derive(Clone, Debug)]
pub struct Prng {
    state: u64,
    spare: [u8; 8],
    spare_len: usize,
}

impl Prng {
    /// A generator starting at `seed`.
    pub fn new(seed: u64) -> Self {
        Prng {
            state: seed,
            spare: [0; 8],
            spare_len: 0,
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..=max`.
    pub fn below_or_eq(&mut self, max: u64) -> u64 {
        if max == u64::MAX {
            return self.next_u64();
        }
        self.next_u64() % (max + 1)
    }

    /// Fills `out` with the next bytes of the stream; consecutive calls of
    /// any sizes give the same bytes as one call.
    pub fn fill(&mut self, out: &mut [u8]) {
        let mut i = 0;
        while i < out.len() && self.spare_len > 0 {
            out[i] = self.spare[8 - self.spare_len];
            self.spare_len -= 1;
            i += 1;
        }
        let mut words = out[i..].chunks_exact_mut(8);
        for w in &mut words {
            w.copy_from_slice(&self.next_u64().to_le_bytes());
        }
        let tail = words.into_remainder();
        if !tail.is_empty() {
            self.spare = self.next_u64().to_le_bytes();
            self.spare_len = 8;
            for b in tail {
                *b = self.spare[8 - self.spare_len];
                self.spare_len -= 1;
            }
        }
    }
}

/// Sends one message, then flushes and (unless cut short) sends close_notify.
pub struct Sender {
    stage: SendStage,
    header: Header,
    prng: Prng,
    digest: Option<Digest>,
    remaining: u64,
    /// Stop after this many payload bytes: no digest, no close_notify.
    cut: Option<u64>,
    sent: u64,
    buf: Vec<u8>,
    pos: usize,
    /// Send a KeyUpdate every this many payload bytes (TLS 1.3 only).
    key_update_every: Option<(u64, bool)>,
    next_key_update: u64,
    /// KeyUpdates sent.
    pub key_updates: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SendStage {
    Header,
    Payload,
    Trailer,
    Flush,
    Shutdown,
    Done,
}

impl Sender {
    /// A sender of `header`'s message.
    pub fn new(header: Header) -> Self {
        Sender {
            stage: SendStage::Header,
            header,
            prng: Prng::new(header.seed),
            digest: Some(Digest::new(&SHA256)),
            remaining: header.len,
            cut: None,
            sent: 0,
            buf: Vec::new(),
            pos: 0,
            key_update_every: None,
            next_key_update: 0,
            key_updates: 0,
        }
    }

    /// Skips the header (already sent by the caller).
    pub fn header_sent(mut self) -> Self {
        self.stage = SendStage::Payload;
        self
    }

    /// Stops after `bytes` of payload, flushed, without digest or close_notify.
    pub fn cut_after(mut self, bytes: u64) -> Self {
        self.cut = Some(bytes.min(self.header.len));
        self
    }

    /// Calls `update_keys(request_peer)` every `bytes` of payload.
    pub fn key_update_every(mut self, bytes: u64, request_peer: bool) -> Self {
        self.key_update_every = Some((bytes, request_peer));
        self.next_key_update = bytes;
        self
    }

    /// Payload bytes handed to TLS so far.
    pub fn sent(&self) -> u64 {
        self.sent
    }

    /// What changes whenever it moves.
    pub(crate) fn progress(&self) -> impl PartialEq + Copy {
        (self.stage, self.sent, self.pos)
    }

    /// Where it stands, for a report.
    pub fn describe(&self) -> String {
        let cut = self
            .cut
            .map(|c| format!(" (cut at {c})"))
            .unwrap_or_default();
        format!(
            "sender {:?}, {} of {} payload bytes{cut}, {} key updates",
            self.stage, self.sent, self.header.len, self.key_updates
        )
    }

    /// Drives the message forward; Ready(Ok) when all is sent and flushed.
    pub fn poll(
        &mut self,
        cx: &mut Context<'_>,
        tls: &mut TlsStream<TcpStream>,
    ) -> Poll<io::Result<()>> {
        loop {
            if self.pos < self.buf.len() {
                let n = ready!(Pin::new(&mut *tls).poll_write(cx, &self.buf[self.pos..]))?;
                if n == 0 {
                    return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
                }
                self.pos += n;
                continue;
            }
            self.pos = 0;
            self.buf.clear();
            match self.stage {
                SendStage::Header => {
                    self.buf.extend_from_slice(&self.header.encode());
                    self.stage = SendStage::Payload;
                }
                SendStage::Payload => {
                    let limit = self.cut.map_or(self.remaining, |c| c - self.sent);
                    if limit == 0 {
                        self.stage = if self.cut.is_some() {
                            SendStage::Flush
                        } else {
                            SendStage::Trailer
                        };
                        continue;
                    }
                    if let Some((every, request)) = self.key_update_every {
                        if self.sent >= self.next_key_update {
                            tls.update_keys(request).map_err(io::Error::from)?;
                            self.key_updates += 1;
                            self.next_key_update += every;
                        }
                    }
                    let n = limit.min(CHUNK as u64) as usize;
                    self.buf.resize(n, 0);
                    self.prng.fill(&mut self.buf);
                    if let Some(d) = self.digest.as_mut() {
                        d.update(&self.buf);
                    }
                    self.remaining -= n as u64;
                    self.sent += n as u64;
                }
                SendStage::Trailer => {
                    if let Some(d) = self.digest.take() {
                        self.buf.extend_from_slice(d.finish().as_ref());
                    }
                    self.stage = SendStage::Flush;
                }
                SendStage::Flush => {
                    ready!(Pin::new(&mut *tls).poll_flush(cx))?;
                    self.stage = if self.cut.is_some() {
                        SendStage::Done
                    } else {
                        SendStage::Shutdown
                    };
                }
                SendStage::Shutdown => {
                    ready!(Pin::new(&mut *tls).poll_shutdown(cx))?;
                    self.stage = SendStage::Done;
                }
                SendStage::Done => {
                    // Drop the chunk buffer now: thousands of finished senders add up.
                    self.buf = Vec::new();
                    return Poll::Ready(Ok(()));
                }
            }
        }
    }
}

/// Why a received message is not what was sent.
#[derive(Debug)]
pub enum RecvError {
    /// The transport or TLS failed (carries the `lctls::Error` where there is one).
    Io(io::Error),
    /// Payload byte `offset` differs from what the seed gives.
    Corrupt { offset: u64 },
    /// The digest does not match the payload.
    BadDigest,
    /// A clean end of stream (close_notify) before the message ended.
    Short { got: u64, want: u64 },
    /// Data after the digest.
    Trailing,
}

impl RecvError {
    /// A short label for the tally.
    pub fn label(&self) -> String {
        match self {
            RecvError::Io(e) => io_label(e),
            RecvError::Corrupt { .. } => "corrupt_payload".into(),
            RecvError::BadDigest => "bad_digest".into(),
            RecvError::Short { .. } => "lost_bytes_clean_eof".into(),
            RecvError::Trailing => "trailing_data".into(),
        }
    }
}

impl std::fmt::Display for RecvError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RecvError::Io(e) => write!(f, "{e}"),
            RecvError::Corrupt { offset } => write!(f, "payload differs at byte {offset}"),
            RecvError::BadDigest => write!(f, "SHA-256 of the payload does not match"),
            RecvError::Short { got, want } => {
                write!(f, "close_notify after {got} of {want} payload bytes")
            }
            RecvError::Trailing => write!(f, "data after the digest"),
        }
    }
}

/// A tally label for an IO error: the lctls error variant where there is one.
pub fn io_label(e: &io::Error) -> String {
    match lctls::Error::from_io(e) {
        Some(lctls::Error::Truncated) => "truncated".into(),
        Some(lctls::Error::AlertReceived(a)) => format!("alert_received_{}", a.name()),
        Some(lctls::Error::Protocol { alert, .. }) => format!("protocol_{}", alert.name()),
        Some(lctls::Error::BadRecordMac) => "bad_record_mac".into(),
        Some(lctls::Error::Certificate(_)) => "certificate".into(),
        Some(other) => format!(
            "tls_{}",
            format!("{other:?}")
                .split(['(', ' ', '{'])
                .next()
                .unwrap_or("other")
        ),
        None => format!("io_{:?}", e.kind()),
    }
}

/// Receives one message and then the peer's close_notify.
pub struct Receiver {
    stage: RecvStage,
    header_buf: [u8; HEADER_LEN],
    have: usize,
    header: Option<Header>,
    prng: Prng,
    digest: Option<Digest>,
    remaining: u64,
    got: u64,
    trailer: [u8; SHA256_OUTPUT_LEN],
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RecvStage {
    Header,
    Payload,
    Trailer,
    /// Only close_notify may follow.
    End,
    Done,
}

impl Default for Receiver {
    fn default() -> Self {
        Self::new()
    }
}

impl Receiver {
    /// A receiver waiting for a header.
    pub fn new() -> Self {
        Receiver {
            stage: RecvStage::Header,
            header_buf: [0; HEADER_LEN],
            have: 0,
            header: None,
            prng: Prng::new(0),
            digest: None,
            remaining: 0,
            got: 0,
            trailer: [0; SHA256_OUTPUT_LEN],
            buf: Vec::new(),
            start: 0,
            end: 0,
        }
    }

    /// The header, once it has arrived.
    pub fn header(&self) -> Option<Header> {
        self.header
    }

    /// Payload bytes received and verified so far.
    pub fn got(&self) -> u64 {
        self.got
    }

    /// What changes whenever it moves.
    pub(crate) fn progress(&self) -> impl PartialEq + Copy {
        (self.stage, self.got, self.have, self.end - self.start)
    }

    /// Where it stands, for a report.
    pub fn describe(&self) -> String {
        let want = self.header.map_or(0, |h| h.len);
        format!(
            "receiver {:?}, {} of {want} payload bytes",
            self.stage, self.got
        )
    }

    /// Drives reception; with `header_only`, Ready(Ok) as soon as the header
    /// is in, else once the message and close_notify are.
    pub fn poll(
        &mut self,
        cx: &mut Context<'_>,
        tls: &mut TlsStream<TcpStream>,
        header_only: bool,
    ) -> Poll<Result<(), RecvError>> {
        loop {
            if header_only && self.header.is_some() {
                return Poll::Ready(Ok(()));
            }
            if self.stage == RecvStage::Done {
                self.buf = Vec::new();
                return Poll::Ready(Ok(()));
            }
            if self.start < self.end {
                self.consume()?;
                continue;
            }
            if self.buf.is_empty() {
                self.buf = vec![0; CHUNK];
            }
            let mut rb = ReadBuf::new(&mut self.buf);
            ready!(Pin::new(&mut *tls).poll_read(cx, &mut rb)).map_err(RecvError::Io)?;
            let n = rb.filled().len();
            if n == 0 {
                if self.stage == RecvStage::End {
                    self.stage = RecvStage::Done;
                    continue;
                }
                let want = self.header.map_or(0, |h| h.len);
                return Poll::Ready(Err(RecvError::Short {
                    got: self.got,
                    want,
                }));
            }
            self.start = 0;
            self.end = n;
        }
    }

    /// Takes what it can of `buf[start..end]`.
    fn consume(&mut self) -> Result<(), RecvError> {
        let data = &self.buf[self.start..self.end];
        let used = match self.stage {
            RecvStage::Header => {
                let n = data.len().min(HEADER_LEN - self.have);
                self.header_buf[self.have..self.have + n].copy_from_slice(&data[..n]);
                self.have += n;
                if self.have == HEADER_LEN {
                    let h = Header::decode(&self.header_buf);
                    self.header = Some(h);
                    self.prng = Prng::new(h.seed);
                    self.digest = Some(Digest::new(&SHA256));
                    self.remaining = h.len;
                    self.have = 0;
                    self.stage = RecvStage::Payload;
                }
                n
            }
            RecvStage::Payload => {
                if self.remaining == 0 {
                    self.stage = RecvStage::Trailer;
                    return Ok(());
                }
                let n = (data.len() as u64).min(self.remaining) as usize;
                let part = &data[..n];
                let mut expect = [0u8; 1024];
                for (i, piece) in part.chunks(expect.len()).enumerate() {
                    let e = &mut expect[..piece.len()];
                    self.prng.fill(e);
                    if piece != &e[..] {
                        let at = piece.iter().zip(e.iter()).position(|(a, b)| a != b);
                        let offset = self.got + (i * 1024 + at.unwrap_or(0)) as u64;
                        return Err(RecvError::Corrupt { offset });
                    }
                }
                if let Some(d) = self.digest.as_mut() {
                    d.update(part);
                }
                self.remaining -= n as u64;
                self.got += n as u64;
                n
            }
            RecvStage::Trailer => {
                let n = data.len().min(SHA256_OUTPUT_LEN - self.have);
                self.trailer[self.have..self.have + n].copy_from_slice(&data[..n]);
                self.have += n;
                if self.have == SHA256_OUTPUT_LEN {
                    let ok = self
                        .digest
                        .take()
                        .is_some_and(|d| d.finish().as_ref() == self.trailer);
                    if !ok {
                        return Err(RecvError::BadDigest);
                    }
                    self.stage = RecvStage::End;
                }
                n
            }
            RecvStage::End | RecvStage::Done => return Err(RecvError::Trailing),
        };
        self.start += used;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Prng;

    #[test]
    fn fill_is_split_invariant() {
        let mut whole = vec![0u8; 1000];
        Prng::new(7).fill(&mut whole);
        let mut parts = vec![0u8; 1000];
        let mut p = Prng::new(7);
        let mut at = 0;
        for n in [1, 3, 8, 13, 500, 475] {
            p.fill(&mut parts[at..at + n]);
            at += n;
        }
        assert_eq!(whole, parts);
    }
}

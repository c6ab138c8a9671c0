//! Record protection (RFC 8446 section 5.2 to 5.5).
//!
//! [`RecordLayer`] holds one optional AEAD state per direction. Opening works
//! in place on the payload of an [`OpaqueRecord`], which is itself a view of
//! the read buffer; sealing writes the header and plaintext straight into the
//! output buffer and encrypts them there. Neither direction allocates per
//! record beyond the output buffer's own growth.

use std::fmt;

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, NONCE_LEN};
use bytes::BytesMut;
use zeroize::Zeroizing;

use super::codec::{
    encode_header, encode_header_version, OpaqueRecord, HEADER_LEN, MAX_CIPHERTEXT, MAX_PLAINTEXT,
    RECORD_VERSION,
};
use super::outbuf::RecordSink;
use crate::error::Error;
use crate::proto::crypto::suites::{Tls12CipherSuite, Tls12Nonce, Tls13CipherSuite};
use crate::proto::wire::enums::{AlertDescription, CipherSuite, ContentType};

/// How many full-size records AES-GCM may protect under one key (2^24.5,
/// RFC 8446 section 5.5; RFC 9147 appendix B gives the same bound).
///
/// This is a confidentiality limit, so it binds the sender: the connection
/// changes keys (TLS 1.3) or closes (TLS 1.2) before its write key reaches it.
/// The matching integrity limits (forgery attempts a receiver may survive:
/// 2^36 for ChaCha20-Poly1305, far more for AES-GCM) need no counter here,
/// because in TLS every record that fails to authenticate is fatal: a peer
/// gets one forgery attempt per connection.
pub const AES_GCM_RECORD_LIMIT: u64 = 23_726_566;

/// A record after [`RecordLayer::open`]: its real content type and content.
#[derive(Clone, PartialEq, Eq)]
pub struct PlainRecord {
    /// The content type: the inner one for a protected record.
    pub typ: ContentType,
    /// The content, padding and inner type removed; a view of the read buffer.
    pub payload: BytesMut,
}

impl fmt::Debug for PlainRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlainRecord")
            .field("typ", &self.typ)
            .field("len", &self.payload.len())
            .finish()
    }
}

/// How records are framed under protection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// TLS 1.3: TLSInnerPlaintext, outer type application_data, AAD = header.
    Tls13,
    /// TLS 1.2 AES-GCM: 8-byte explicit nonce per record (RFC 5288).
    Tls12Explicit,
    /// TLS 1.2 ChaCha20-Poly1305: IV XOR sequence number (RFC 7905).
    Tls12Xor,
}

/// The AEAD state of one direction.
struct Protection {
    suite: CipherSuite,
    mode: Mode,
    key: LessSafeKey,
    iv: Zeroizing<[u8; NONCE_LEN]>,
    /// The sequence number of the next record. `u64::MAX` is never used, so
    /// the counter can never wrap.
    seq: u64,
    /// Read side: a record with application data was opened under this key.
    /// Lets the connection tell consecutive KeyUpdates from spaced ones.
    opened_data: bool,
}

impl Protection {
    fn new(
        suite: CipherSuite,
        aead: &'static aws_lc_rs::aead::Algorithm,
        mode: Mode,
        key: &[u8],
        iv: &[u8; NONCE_LEN],
    ) -> Result<Self, Error> {
        let key = UnboundKey::new(aead, key).map_err(|_| {
            Error::internal(format!(
                "record key of {} bytes does not fit {suite:?}",
                key.len(),
            ))
        })?;
        Ok(Protection {
            suite,
            mode,
            key: LessSafeKey::new(key),
            iv: Zeroizing::new(*iv),
            seq: 0,
            opened_data: false,
        })
    }

    fn new12(suite: &'static Tls12CipherSuite, key: &[u8], iv: &[u8]) -> Result<Self, Error> {
        let mut full = [0u8; NONCE_LEN];
        let mode = match suite.nonce {
            Tls12Nonce::ExplicitGcm => Mode::Tls12Explicit,
            Tls12Nonce::XorChaCha => Mode::Tls12Xor,
        };
        if iv.len() != suite.fixed_iv_len() {
            return Err(Error::internal("TLS 1.2 IV has the wrong length"));
        }
        full[..iv.len()].copy_from_slice(iv);
        Self::new(suite.suite, suite.aead, mode, key, &full)
    }

    /// TLS 1.2's additional data: seq_num + type + version + length.
    fn aad12(&self, typ: ContentType, len: usize) -> [u8; 13] {
        let mut a = [0u8; 13];
        a[..8].copy_from_slice(&self.seq.to_be_bytes());
        a[8] = typ.get();
        a[9..11].copy_from_slice(&[3, 3]);
        a[11..].copy_from_slice(&(len as u16).to_be_bytes());
        a
    }

    /// The nonce for the current sequence number: the IV XOR the 64-bit
    /// big-endian sequence number, left-padded to the IV's length.
    fn nonce(&self, what: &str) -> Result<Nonce, Error> {
        if self.seq == u64::MAX {
            return Err(Error::internal(format!(
                "{what} sequence number exhausted; keys must be updated"
            )));
        }
        let mut n = *self.iv;
        if self.mode == Mode::Tls12Explicit {
            // salt || explicit nonce, and our explicit nonce is the sequence number.
            n[4..].copy_from_slice(&self.seq.to_be_bytes());
            return Ok(Nonce::assume_unique_for_key(n));
        }
        for (b, s) in n[NONCE_LEN - 8..].iter_mut().zip(self.seq.to_be_bytes()) {
            *b ^= s;
        }
        Ok(Nonce::assume_unique_for_key(n))
    }

    /// Bytes of explicit nonce ahead of the ciphertext: 8 for TLS 1.2
    /// AES-GCM (RFC 5288), none otherwise.
    fn explicit_len(&self) -> usize {
        if self.mode == Mode::Tls12Explicit {
            8
        } else {
            0
        }
    }

    /// The nonce to open a record whose protected payload is `payload`:
    /// TLS 1.2 AES-GCM takes the explicit part from the record, every other
    /// mode derives it from the sequence number.
    fn read_nonce(&self, payload: &[u8]) -> Result<Nonce, Error> {
        if self.mode != Mode::Tls12Explicit {
            return self.nonce("read");
        }
        if self.seq == u64::MAX {
            return Err(Error::internal("read sequence number exhausted"));
        }
        let explicit = payload.get(..8).ok_or(Error::BadRecordMac)?;
        let mut n = *self.iv;
        n[4..].copy_from_slice(explicit);
        Ok(Nonce::assume_unique_for_key(n))
    }

    /// Appends the ciphertext of `payload` followed by `extra` (TLS 1.3's
    /// inner content type; nothing in TLS 1.2) and the tag to `out`, whose
    /// record starts at `out[start]`: the last step of sealing a record.
    /// aws-lc reads the plaintext from the caller's buffer and writes the
    /// ciphertext once, into space `out` hands out initialised (see
    /// [`RecordSink::grow`]: the connection's [`OutBuf`] reuses what the
    /// transport took, so nothing is zeroed first once it has grown),
    /// instead of holding a copy of the plaintext. On failure the record is
    /// wiped and removed.
    ///
    /// What is left on the write path is the copy of the ciphertext into
    /// the transport, and zeroing whatever the buffer grows into.
    fn seal_from<A: AsRef<[u8]>, O: RecordSink>(
        &mut self,
        nonce: Nonce,
        aad: Aad<A>,
        payload: &[u8],
        extra: &[u8],
        out: &mut O,
        start: usize,
    ) -> Result<(), Error> {
        let tag_len = self.tag_len();
        let space = out.grow(payload.len() + extra.len() + tag_len);
        let (ciphertext, extra_and_tag) = space.split_at_mut(payload.len());
        match self.key.seal_out_of_place_scatter(
            nonce,
            aad,
            payload,
            ciphertext,
            extra,
            extra_and_tag,
        ) {
            Ok(()) => {
                self.seq += 1;
                Ok(())
            }
            Err(_) => {
                out.wipe_from(start);
                Err(Error::internal("record encryption failed"))
            }
        }
    }

    fn tag_len(&self) -> usize {
        self.key.algorithm().tag_len()
    }

    /// How many records this suite's key may protect in all: the AES-GCM
    /// limit, or for ChaCha20-Poly1305 (no practical limit) the sequence
    /// number space, whose last value is never used.
    fn suite_limit(&self) -> u64 {
        match self.suite {
            CipherSuite::TLS13_CHACHA20_POLY1305_SHA256
            | CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
            | CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 => u64::MAX,
            _ => AES_GCM_RECORD_LIMIT,
        }
    }
}

impl fmt::Debug for Protection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Protection")
            .field("suite", &self.suite)
            .field("mode", &self.mode)
            .field("key", &"<redacted>")
            .field("iv", &"<redacted>")
            .field("seq", &self.seq)
            .finish()
    }
}

/// Protects and unprotects records, one AEAD state per direction.
///
/// Each direction starts in plaintext and switches to protection when its
/// key is set; setting a key again (handshake to application traffic, or a
/// KeyUpdate) replaces the state and restarts its sequence number at 0.
#[derive(Debug)]
pub struct RecordLayer {
    read: Option<Protection>,
    write: Option<Protection>,
    max_fragment: usize,
    /// legacy_record_version of the records written in plaintext: 0x0303,
    /// or 0x0301 while a client's initial ClientHello goes out.
    plain_version: u16,
    /// A lower records-per-key limit than the suite's, set only by tests
    /// (so a rekey can be seen without sealing 2^24.5 records).
    test_key_limit: Option<u64>,
    /// The direction moved to another `RecordLayer` by
    /// [`split_write`](Self::split_write): it seals (or opens) nothing here,
    /// not even in plaintext.
    detached: Option<Direction>,
}

impl Default for RecordLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl RecordLayer {
    /// A record layer with both directions in plaintext.
    pub fn new() -> Self {
        RecordLayer {
            read: None,
            write: None,
            max_fragment: MAX_PLAINTEXT,
            plain_version: RECORD_VERSION,
            test_key_limit: None,
            detached: None,
        }
    }

    /// Starts protecting incoming records with `suite`'s AEAD under `key` and
    /// `iv`; the read sequence number restarts at 0.
    ///
    /// Fails (with an internal error, leaving the old state in place) only if
    /// `key` is not the suite's key length.
    pub fn set_read_key(
        &mut self,
        suite: &'static Tls13CipherSuite,
        key: &[u8],
        iv: &[u8; 12],
    ) -> Result<(), Error> {
        self.read = Some(Protection::new(
            suite.suite,
            suite.aead,
            Mode::Tls13,
            key,
            iv,
        )?);
        Ok(())
    }

    /// Starts protecting outgoing records with `suite`'s AEAD under `key` and
    /// `iv`; the write sequence number restarts at 0.
    ///
    /// Fails (with an internal error, leaving the old state in place) only if
    /// `key` is not the suite's key length.
    pub fn set_write_key(
        &mut self,
        suite: &'static Tls13CipherSuite,
        key: &[u8],
        iv: &[u8; 12],
    ) -> Result<(), Error> {
        self.write = Some(Protection::new(
            suite.suite,
            suite.aead,
            Mode::Tls13,
            key,
            iv,
        )?);
        Ok(())
    }

    /// Starts TLS 1.2 protection of incoming records (after the peer's
    /// ChangeCipherSpec) with the key block's key and fixed IV.
    pub fn set_read_key12(
        &mut self,
        suite: &'static Tls12CipherSuite,
        key: &[u8],
        iv: &[u8],
    ) -> Result<(), Error> {
        self.read = Some(Protection::new12(suite, key, iv)?);
        Ok(())
    }

    /// Starts TLS 1.2 protection of outgoing records (after our ChangeCipherSpec).
    pub fn set_write_key12(
        &mut self,
        suite: &'static Tls12CipherSuite,
        key: &[u8],
        iv: &[u8],
    ) -> Result<(), Error> {
        self.write = Some(Protection::new12(suite, key, iv)?);
        Ok(())
    }

    /// Goes back to writing plaintext: a client whose 0-RTT data was
    /// answered by a HelloRetryRequest (or TLS 1.2) sends its next
    /// ClientHello in the clear.
    pub(crate) fn clear_write_key(&mut self) {
        self.write = None;
    }

    /// Whether incoming records are decrypted.
    pub fn is_read_encrypted(&self) -> bool {
        self.read.is_some()
    }

    /// Whether outgoing records are encrypted.
    pub fn is_write_encrypted(&self) -> bool {
        self.write.is_some()
    }

    /// The sequence number of the next record to be opened (0 in plaintext).
    pub fn read_seq(&self) -> u64 {
        self.read.as_ref().map_or(0, |p| p.seq)
    }

    /// The sequence number of the next record to be sealed (0 in plaintext).
    pub fn write_seq(&self) -> u64 {
        self.write.as_ref().map_or(0, |p| p.seq)
    }

    /// How many more records may be sealed under the current write key before
    /// it must be updated: the AES-GCM limit of RFC 8446 section 5.5, or the
    /// sequence number space for ChaCha20-Poly1305. `u64::MAX` in plaintext.
    /// [`seal`](Self::seal) refuses to go past it.
    pub fn records_until_key_limit(&self) -> u64 {
        match &self.write {
            None => u64::MAX,
            Some(p) => {
                let limit = self
                    .test_key_limit
                    .map_or(p.suite_limit(), |t| t.min(p.suite_limit()));
                limit.saturating_sub(p.seq)
            }
        }
    }

    /// Lowers the records-per-key limit of every write key (this one and
    /// later ones) to `records`, at least 2: one for data, one for the
    /// KeyUpdate or close_notify that must follow. For tests only.
    pub(crate) fn set_key_limit_for_tests(&mut self, records: u64) {
        self.test_key_limit = Some(records.max(2));
    }

    /// Moves the write sequence number, so tests reach the end of the
    /// sequence space without sealing 2^64 records.
    #[cfg(test)]
    pub(crate) fn set_write_seq_for_tests(&mut self, seq: u64) {
        if let Some(p) = &mut self.write {
            p.seq = seq;
        }
    }

    /// The read side of [`set_write_seq_for_tests`](Self::set_write_seq_for_tests).
    #[cfg(test)]
    pub(crate) fn set_read_seq_for_tests(&mut self, seq: u64) {
        if let Some(p) = &mut self.read {
            p.seq = seq;
        }
    }

    /// Whether a record with application data was opened under the current
    /// read key (false in plaintext).
    pub(crate) fn read_key_opened_data(&self) -> bool {
        self.read.as_ref().is_some_and(|p| p.opened_data)
    }

    /// Sets the legacy_record_version of the records written in plaintext
    /// (protected records always carry 0x0303). A client sets
    /// [`INITIAL_RECORD_VERSION`](super::codec::INITIAL_RECORD_VERSION) for
    /// its initial ClientHello only, and goes back to 0x0303 right after it.
    pub fn set_plaintext_version(&mut self, version: u16) {
        self.plain_version = version;
    }

    /// Sets the largest plaintext fragment [`seal_all`](Self::seal_all)
    /// puts in one record, clamped to `1..=MAX_PLAINTEXT`.
    pub fn set_max_fragment(&mut self, n: usize) {
        self.max_fragment = n.clamp(1, MAX_PLAINTEXT);
    }

    /// The largest plaintext fragment [`seal_all`](Self::seal_all) puts in one record.
    pub fn max_fragment(&self) -> usize {
        self.max_fragment
    }

    /// Opens a record in place; returns the inner content type and the
    /// plaintext (padding stripped), as a view of the same buffer (no copy).
    ///
    /// In plaintext the record passes through unchanged (its payload must be
    /// at most 2^14 bytes). Under protection, an outer change_cipher_spec
    /// record also passes through unchanged, for the caller to allow or
    /// refuse; every other record must be application_data and authenticate.
    ///
    /// A record that fails to authenticate gives [`Error::BadRecordMac`] and
    /// does not advance the sequence number, so a server skipping rejected
    /// early data can drop it and carry on.
    pub fn open(&mut self, rec: OpaqueRecord) -> Result<PlainRecord, Error> {
        self.check_attached(Direction::Read)?;
        let Some(prot) = &mut self.read else {
            if rec.payload.len() > MAX_PLAINTEXT {
                return Err(overflow(rec.payload.len(), MAX_PLAINTEXT));
            }
            return Ok(PlainRecord {
                typ: rec.typ,
                payload: rec.payload,
            });
        };
        if prot.mode != Mode::Tls13 {
            return open12(prot, rec);
        }
        // RFC 8446 section 5.2: "The outer opaque_type field of a
        // TLSCiphertext record is always set to the value 23
        // (application_data)", and that type is part of the additional
        // data. A record of another outer type (a handshake message sent in
        // the clear after the key change, say) is still opened as
        // ciphertext: it cannot authenticate, and "If the decryption fails,
        // the receiver MUST terminate the connection with a "bad_record_mac"
        // alert." Should it authenticate anyway, its sender sealed it with
        // the wrong header, a malformed record (decode_error), as in BoringSSL.
        let outer_ok = match rec.typ {
            ContentType::ApplicationData => true,
            ContentType::ChangeCipherSpec => {
                if rec.payload.len() > MAX_PLAINTEXT {
                    return Err(overflow(rec.payload.len(), MAX_PLAINTEXT));
                }
                return Ok(PlainRecord {
                    typ: rec.typ,
                    payload: rec.payload,
                });
            }
            _ => false,
        };
        if rec.payload.len() > MAX_CIPHERTEXT {
            return Err(overflow(rec.payload.len(), MAX_CIPHERTEXT));
        }
        let aad = rec
            .header()
            .ok_or_else(|| overflow(rec.payload.len(), MAX_CIPHERTEXT))?;
        let nonce = prot.nonce("read")?;
        let rec_typ = rec.typ;
        let mut payload = rec.payload;
        let inner_len = prot
            .key
            .open_in_place(nonce, Aad::from(aad), &mut payload[..])
            .map_err(|_| Error::BadRecordMac)?
            .len();
        prot.seq += 1;
        if !outer_ok {
            return Err(Error::decode(format!(
                "protected record with outer content type {}, not application_data",
                rec_typ.get()
            )));
        }
        payload.truncate(inner_len);

        // The whole TLSInnerPlaintext (content, type, padding) is at most 2^14 + 1.
        if inner_len > MAX_PLAINTEXT + 1 {
            return Err(overflow(inner_len, MAX_PLAINTEXT + 1));
        }
        let Some(type_at) = payload.iter().rposition(|&b| b != 0) else {
            return Err(Error::unexpected("no content type"));
        };
        let typ = ContentType::from(payload[type_at]);
        payload.truncate(type_at);
        match typ {
            ContentType::ApplicationData => prot.opened_data |= !payload.is_empty(),
            ContentType::Handshake | ContentType::Alert => {
                if payload.is_empty() {
                    return Err(Error::unexpected(format!(
                        "zero-length protected record of content type {}",
                        typ.get()
                    )));
                }
            }
            other => {
                return Err(Error::unexpected(format!(
                    "protected record of content type {}",
                    other.get()
                )))
            }
        }
        Ok(PlainRecord { typ, payload })
    }

    /// Opens a protected application_data record straight into `out` rather
    /// than in place, so the reader's buffer receives the plaintext without a
    /// further copy. `out` must hold the record's ciphertext length (see
    /// [`RecordLayer::direct_len`]); on failure whatever was written there is
    /// wiped, so no unauthenticated plaintext is left behind.
    ///
    /// Returns the inner content type and the content length at `out[..len]`.
    pub fn open_into(
        &mut self,
        rec: &OpaqueRecord,
        out: &mut [u8],
    ) -> Result<(ContentType, usize), Error> {
        let Some(prot) = &mut self.read else {
            return Err(Error::internal("open_into on an unprotected read side"));
        };
        if rec.typ != ContentType::ApplicationData {
            return Err(Error::internal(
                "open_into on a record that is not application_data",
            ));
        }
        let explicit = prot.explicit_len();
        let tag = prot.tag_len();
        let payload = &rec.payload[..];
        if payload.len() < explicit + tag {
            return Err(Error::BadRecordMac);
        }
        let ct_len = payload.len() - explicit - tag;
        let limit = if prot.mode == Mode::Tls13 {
            MAX_PLAINTEXT + 1
        } else {
            MAX_PLAINTEXT
        };
        if ct_len > limit {
            return Err(overflow(ct_len, limit));
        }
        let Some(out) = out.get_mut(..ct_len) else {
            return Err(Error::internal("open_into: output too small"));
        };
        let (nonce, opened) = match prot.mode {
            Mode::Tls13 => {
                let aad = rec
                    .header()
                    .ok_or_else(|| overflow(payload.len(), MAX_CIPHERTEXT))?;
                let nonce = prot.nonce("read")?;
                let r = prot.key.open_separate_gather(
                    nonce,
                    Aad::from(aad),
                    &payload[..ct_len],
                    &payload[ct_len..],
                    out,
                );
                (true, r)
            }
            _ => {
                let nonce = prot.read_nonce(payload)?;
                let aad = prot.aad12(rec.typ, ct_len);
                let r = prot.key.open_separate_gather(
                    nonce,
                    Aad::from(aad),
                    &payload[explicit..explicit + ct_len],
                    &payload[explicit + ct_len..],
                    out,
                );
                (false, r)
            }
        };
        if opened.is_err() {
            out.fill(0);
            return Err(Error::BadRecordMac);
        }
        prot.seq += 1;
        if !nonce {
            prot.opened_data |= ct_len > 0;
            return Ok((ContentType::ApplicationData, ct_len));
        }
        let Some(type_at) = out.iter().rposition(|&b| b != 0) else {
            return Err(Error::unexpected("no content type"));
        };
        let typ = ContentType::from(out[type_at]);
        match typ {
            ContentType::ApplicationData => prot.opened_data |= type_at > 0,
            ContentType::Handshake | ContentType::Alert if type_at > 0 => {}
            ContentType::Handshake | ContentType::Alert => {
                return Err(Error::unexpected(format!(
                    "zero-length protected record of content type {}",
                    typ.get()
                )))
            }
            other => {
                return Err(Error::unexpected(format!(
                    "protected record of content type {}",
                    other.get()
                )))
            }
        }
        Ok((typ, type_at))
    }

    /// The output space [`RecordLayer::open_into`] needs for `rec`, or None
    /// when the record cannot be opened that way (not protected application data).
    pub fn direct_len(&self, rec: &OpaqueRecord) -> Option<usize> {
        let prot = self.read.as_ref()?;
        if rec.typ != ContentType::ApplicationData {
            return None;
        }
        let explicit = prot.explicit_len();
        rec.payload.len().checked_sub(explicit + prot.tag_len())
    }

    /// Appends one sealed record carrying `payload` of content type `typ` to
    /// `out` (header + ciphertext + tag), sealing in place in `out`.
    ///
    /// In plaintext a plain record of type `typ` is written instead. The
    /// payload must be at most [`MAX_PLAINTEXT`] bytes. Once the write key
    /// has reached its limit (see [`records_until_key_limit`](Self::records_until_key_limit))
    /// nothing more is sealed under it. On error nothing is appended.
    pub fn seal<O: RecordSink>(
        &mut self,
        typ: ContentType,
        payload: &[u8],
        out: &mut O,
    ) -> Result<(), Error> {
        if payload.len() > MAX_PLAINTEXT {
            return Err(Error::internal(format!(
                "record payload of {} bytes exceeds {MAX_PLAINTEXT}",
                payload.len()
            )));
        }
        self.check_attached(Direction::Write)?;
        if self.write.is_some() && self.records_until_key_limit() == 0 {
            return Err(Error::internal(
                "write key usage limit reached; keys must be updated",
            ));
        }
        let Some(prot) = &mut self.write else {
            // At most 2^14, so it fits the 16-bit length.
            let len = payload.len() as u16;
            out.reserve(HEADER_LEN + payload.len());
            out.put(&encode_header_version(typ, self.plain_version, len));
            out.put(payload);
            return Ok(());
        };
        if prot.mode != Mode::Tls13 {
            return seal12(prot, typ, payload, out);
        }
        let nonce = prot.nonce("write")?;
        let inner_len = payload.len() + 1;
        // At most 2^14 + 1 + a 16-byte tag, so it fits the 16-bit length.
        let outer_len = inner_len + prot.tag_len();
        let header = encode_header(ContentType::ApplicationData, outer_len as u16);

        out.reserve(HEADER_LEN + outer_len);
        let start = out.len();
        out.put(&header);
        prot.seal_from(nonce, Aad::from(header), payload, &[typ.get()], out, start)
    }

    /// Appends as many records as needed for `payload`, split at the maximum
    /// fragment length (see [`set_max_fragment`](Self::set_max_fragment)).
    ///
    /// An empty payload appends nothing. The space for every record is
    /// reserved once, up front. On error the records already appended stay.
    pub fn seal_all<O: RecordSink>(
        &mut self,
        typ: ContentType,
        payload: &[u8],
        out: &mut O,
    ) -> Result<(), Error> {
        if payload.is_empty() {
            return Ok(());
        }
        let records = payload.len().div_ceil(self.max_fragment);
        let per_record = HEADER_LEN
            + self.write.as_ref().map_or(0, |p| match p.mode {
                Mode::Tls13 => 1 + p.tag_len(),
                Mode::Tls12Explicit => 8 + p.tag_len(),
                Mode::Tls12Xor => p.tag_len(),
            });
        out.reserve(payload.len() + records * per_record);
        for chunk in payload.chunks(self.max_fragment) {
            self.seal(typ, chunk, out)?;
        }
        Ok(())
    }
}

fn overflow(len: usize, limit: usize) -> Error {
    Error::protocol(
        AlertDescription::RecordOverflow,
        format!("record content of {len} bytes exceeds the limit of {limit}"),
    )
}

#[path = "layer12.rs"]
mod tls12;
use tls12::{open12, seal12};

#[path = "layer_split.rs"]
mod split;
pub use split::Direction;

#[cfg(test)]
#[path = "layer_tests.rs"]
mod tests;

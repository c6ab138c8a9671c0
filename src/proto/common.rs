//! `Common`: what both sides of a connection share — the record layer, the
//! buffers, the traffic secrets and what was negotiated — and the primitive
//! operations the handshake state machines perform on it.

use std::collections::VecDeque;

use bytes::BytesMut;

use crate::error::Error;
use crate::proto::conn::{Side, MAX_EMPTY_RECORDS, MAX_WARNING_ALERTS};
use crate::proto::handshake::resume::TicketSink;
use crate::proto::handshake::Negotiated;
use crate::proto::keys::keylog::ConnKeyLog;
use crate::proto::keys::tls12::MasterSecret12;
use crate::proto::keys::tls13::{Secret, TrafficSecret};
use crate::proto::record::codec::RecordCodec;
use crate::proto::record::layer::RecordLayer;
use crate::proto::record::{OutBuf, RecordSink};
use crate::proto::wire::enums::{AlertDescription, AlertLevel, ContentType, ProtocolVersion};
use crate::proto::wire::handshake::{HandshakeMessage, Joiner};

/// KeyUpdates received in a row, with no application data between them,
/// before we call it a flood: each costs an HKDF expansion and a new AEAD key.
/// BoringSSL allows the same number.
pub(crate) const MAX_KEY_UPDATES_IN_A_ROW: u32 = 32;

/// What keying-material export needs, per version.
pub(crate) enum Exporter {
    Tls13 {
        suite: &'static crate::proto::crypto::suites::Tls13CipherSuite,
        secret: Secret,
    },
    /// The randoms are boxed: inline they made every connection's exporter
    /// (TLS 1.3 ones too) 96 bytes instead of 40.
    Tls12 {
        master: MasterSecret12,
        randoms: Box<Randoms12>,
    },
}

/// The ClientHello and ServerHello randoms a TLS 1.2 exporter mixes in.
pub(crate) struct Randoms12 {
    pub client: [u8; 32],
    pub server: [u8; 32],
}

/// State shared by both sides: record layer, buffers, keys, negotiated values.
pub(crate) struct Common {
    pub side: Side,
    pub record: RecordLayer,
    pub(crate) codec: RecordCodec,
    pub(crate) incoming: BytesMut,
    pub(crate) outgoing: OutBuf,
    pub(crate) joiner: Joiner,
    pub(crate) plaintext: VecDeque<BytesMut>,
    pub(crate) plaintext_len: usize,
    pub negotiated: Negotiated,
    pub(crate) read_secret: Option<TrafficSecret>,
    pub(crate) write_secret: Option<TrafficSecret>,
    pub exporter: Option<Exporter>,
    /// Client, TLS 1.3: turns NewSessionTickets into cached sessions.
    /// Boxed: 168 bytes that a server and a client without TLS 1.3
    /// tickets never use.
    pub ticket_sink: Option<Box<TicketSink>>,
    pub(crate) received_close_notify: bool,
    pub(crate) sent_close_notify: bool,
    pub(crate) empty_records: u32,
    /// Warning alerts received since the last record with content.
    pub(crate) warning_alerts: u32,
    /// We answered a KeyUpdate request and have sent no application data
    /// since: further requests are covered by that answer (RFC 8446 4.6.3),
    /// so a peer cannot make us queue an answer per request.
    pub(crate) key_update_answered: bool,
    /// KeyUpdates received since the last record with application data.
    pub(crate) key_updates_in_a_row: u32,
    /// TLS 1.2: the write key reached its usage limit and close_notify went
    /// out in its last record; every later write fails with this error.
    /// Boxed like `Connection::error`: rare, and an `Error` is 80 bytes.
    pub(crate) write_key_exhausted: Option<Box<Error>>,
    /// Where this connection's secrets are logged, if anywhere.
    pub(crate) key_log: ConnKeyLog,
    /// Server: rejected 0-RTT data is being skipped (RFC 8446 section
    /// 4.2.10); how many more record bytes we skip before giving up.
    pub(crate) skip_early_data: Option<usize>,
    /// Server: accepted 0-RTT data, kept apart from the application data.
    pub(crate) early_data: Vec<u8>,
    /// Server: the most 0-RTT data this connection accepts.
    pub(crate) early_data_limit: usize,
    /// Client: early data that was not delivered (see
    /// [`crate::proto::handshake::early_data`]).
    pub(crate) early_unsent: Option<Vec<u8>>,
    /// Client: max_early_data_size of the latest NewSessionTicket.
    pub(crate) ticket_max_early_data: Option<u32>,
    /// The read half of a split connection: what must be written (a
    /// KeyUpdate answer, an alert) goes to the write half through this.
    pub(crate) handoff: Option<std::sync::Arc<crate::proto::conn::Handoff>>,
}

impl Common {
    pub(crate) fn new(side: Side, max_handshake: usize, max_fragment: usize) -> Self {
        let mut record = RecordLayer::new();
        record.set_max_fragment(max_fragment);
        Common {
            side,
            record,
            codec: RecordCodec::default(),
            incoming: BytesMut::new(),
            outgoing: OutBuf::default(),
            joiner: Joiner::new(max_handshake),
            plaintext: VecDeque::new(),
            plaintext_len: 0,
            negotiated: Negotiated::default(),
            read_secret: None,
            write_secret: None,
            exporter: None,
            ticket_sink: None,
            received_close_notify: false,
            sent_close_notify: false,
            empty_records: 0,
            warning_alerts: 0,
            key_update_answered: false,
            key_updates_in_a_row: 0,
            write_key_exhausted: None,
            key_log: ConnKeyLog::default(),
            skip_early_data: None,
            early_data: Vec::new(),
            early_data_limit: 0,
            early_unsent: None,
            ticket_max_early_data: None,
            handoff: None,
        }
    }

    /// Drops a record of rejected 0-RTT data (`len` bytes with its header),
    /// within the skipping budget; beyond it, unexpected_message as in
    /// BoringSSL (TOO_MUCH_SKIPPED_EARLY_DATA).
    pub(crate) fn skip_early_record(&mut self, len: usize) -> Result<(), Error> {
        let left = self.skip_early_data.unwrap_or(0);
        if len > left {
            return Err(Error::unexpected(
                "too much skipped early data: the client sent more rejected 0-RTT data than we skip",
            ));
        }
        self.skip_early_data = Some(left - len);
        Ok(())
    }

    /// Keeps a record of accepted 0-RTT data. RFC 8446 section 4.2.10: a
    /// server receiving more than max_early_data_size "SHOULD terminate the
    /// connection with an "unexpected_message" alert".
    pub(crate) fn receive_early_data(&mut self, data: &[u8]) -> Result<(), Error> {
        if data.is_empty() {
            return self.count_empty("empty early data");
        }
        if self.early_data.len().saturating_add(data.len()) > self.early_data_limit {
            return Err(Error::unexpected(format!(
                "too much early data: more than max_early_data_size ({} bytes)",
                self.early_data_limit
            )));
        }
        self.saw_content();
        self.early_data.extend_from_slice(data);
        Ok(())
    }

    /// Encodes a handshake message, adds it to `transcript` and queues it.
    pub fn send_handshake(
        &mut self,
        transcript: &mut crate::proto::handshake::transcript::Transcript,
        msg: &HandshakeMessage,
    ) -> Result<(), Error> {
        let capacity = crate::proto::wire::handshake::ENCODE_CAPACITY;
        self.send_encoded(transcript, capacity, |out| msg.encode(out))
    }

    /// [`Common::send_handshake`] for a message that `encode` writes whole
    /// (header included) from parts the caller keeps, so that nothing is
    /// cloned into a [`HandshakeMessage`] just to be encoded. `capacity`:
    /// about how long the message is, so its buffer is allocated once.
    pub(crate) fn send_encoded(
        &mut self,
        transcript: &mut crate::proto::handshake::transcript::Transcript,
        capacity: usize,
        encode: impl FnOnce(&mut Vec<u8>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let mut bytes = Vec::with_capacity(capacity);
        encode(&mut bytes)?;
        transcript.add(&bytes);
        self.record
            .seal_all(ContentType::Handshake, &bytes, &mut self.outgoing)
    }

    /// Queues an encoded handshake message (TLS 1.2 state machines keep their own transcript).
    pub fn send_raw_handshake(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.record
            .seal_all(ContentType::Handshake, bytes, &mut self.outgoing)
    }

    /// Installs TLS 1.2 read keys after the peer's ChangeCipherSpec.
    pub fn set_read_keys12(
        &mut self,
        suite: &'static crate::proto::crypto::suites::Tls12CipherSuite,
        key: &[u8],
        iv: &[u8],
    ) -> Result<(), Error> {
        if !self.joiner.is_empty() {
            return Err(Error::unexpected(
                "handshake message straddles ChangeCipherSpec",
            ));
        }
        self.record.set_read_key12(suite, key, iv)
    }

    /// Installs TLS 1.2 write keys after our ChangeCipherSpec.
    pub fn set_write_keys12(
        &mut self,
        suite: &'static crate::proto::crypto::suites::Tls12CipherSuite,
        key: &[u8],
        iv: &[u8],
    ) -> Result<(), Error> {
        self.record.set_write_key12(suite, key, iv)
    }

    pub(crate) fn is_tls12(&self) -> bool {
        self.negotiated.version == Some(ProtocolVersion::TLSv1_2)
    }

    /// True once TLS 1.3 was chosen (false while a client waits for the
    /// ServerHello, even after a HelloRetryRequest).
    pub(crate) fn is_tls13(&self) -> bool {
        self.negotiated.version == Some(ProtocolVersion::TLSv1_3)
    }

    /// Queues a handshake message that is not part of any transcript (KeyUpdate).
    pub(crate) fn send_post_handshake(&mut self, msg: &HandshakeMessage) -> Result<(), Error> {
        self.record
            .seal_all(ContentType::Handshake, &msg.to_bytes()?, &mut self.outgoing)
    }

    /// Queues the dummy change_cipher_spec of middlebox compatibility mode.
    pub fn send_dummy_ccs(&mut self) {
        self.outgoing
            .put(&[ContentType::ChangeCipherSpec.get(), 3, 3, 0, 1, 1]);
    }

    /// Installs new read keys. Handshake data buffered under the old keys
    /// would straddle the key change, which RFC 8446 section 5.1 forbids.
    pub fn set_read_secret(&mut self, secret: &TrafficSecret) -> Result<(), Error> {
        if !self.joiner.is_empty() {
            return Err(Error::unexpected(
                "handshake message straddles a key change",
            ));
        }
        let keys = secret.keys();
        self.record
            .set_read_key(secret.suite(), keys.key.as_bytes(), keys.iv.as_bytes())
    }

    /// Installs new write keys.
    pub fn set_write_secret(&mut self, secret: &TrafficSecret) -> Result<(), Error> {
        let keys = secret.keys();
        self.record
            .set_write_key(secret.suite(), keys.key.as_bytes(), keys.iv.as_bytes())
    }

    /// Installs the application traffic secrets and keeps them for KeyUpdate.
    pub fn set_application_read(&mut self, secret: TrafficSecret) -> Result<(), Error> {
        self.set_read_secret(&secret)?;
        self.read_secret = Some(secret);
        Ok(())
    }

    /// See [`Common::set_application_read`].
    pub fn set_application_write(&mut self, secret: TrafficSecret) -> Result<(), Error> {
        self.set_write_secret(&secret)?;
        self.write_secret = Some(secret);
        Ok(())
    }

    /// Switches to the next generation of write keys (RFC 8446 section 7.2),
    /// after the KeyUpdate announcing it was queued under the old ones.
    pub(crate) fn update_write_secret(&mut self) -> Result<(), Error> {
        let next = self
            .write_secret
            .as_ref()
            .ok_or_else(|| Error::internal("no write secret"))?
            .next();
        self.set_application_write(next)
    }

    /// A KeyUpdate from the peer (TLS 1.3): switch to its next read keys and,
    /// if asked, answer once with our own (RFC 8446 section 4.6.3).
    pub(crate) fn handle_key_update(&mut self, requested: bool) -> Result<(), Error> {
        if self.received_close_notify {
            // The peer closed its write side; it has no keys left to change.
            return Err(Error::unexpected("KeyUpdate after close_notify"));
        }
        if self.record.read_key_opened_data() {
            self.key_updates_in_a_row = 0;
        }
        self.key_updates_in_a_row += 1;
        if self.key_updates_in_a_row > MAX_KEY_UPDATES_IN_A_ROW {
            return Err(Error::unexpected(format!(
                "peer sent more than {MAX_KEY_UPDATES_IN_A_ROW} KeyUpdates without application data"
            )));
        }
        let next = self
            .read_secret
            .as_ref()
            .ok_or_else(|| Error::internal("no read secret"))?
            .next();
        self.set_application_read(next)?;
        tracing::debug!(requested, "peer updated its keys");
        if let (true, Some(h)) = (requested, &self.handoff) {
            // The write half decides (it knows whether it sent close_notify).
            h.post_key_update();
        } else if requested && !self.sent_close_notify && !self.key_update_answered {
            self.send_post_handshake(&HandshakeMessage::KeyUpdate(false))?;
            self.update_write_secret()?;
            self.key_update_answered = true;
        }
        Ok(())
    }

    /// Seals application data, keeping every write key under its usage
    /// limit (see [`RecordLayer::records_until_key_limit`]): in TLS 1.3 a
    /// KeyUpdate is sent before the limit; in TLS 1.2, which cannot change
    /// keys, close_notify is sent instead and writing ends with
    /// [`Error::KeyLimitReached`]. Returns how many bytes were sealed: all of
    /// `data` unless the TLS 1.2 limit came in the middle of it.
    pub(crate) fn seal_application_data(&mut self, data: &[u8]) -> Result<usize, Error> {
        let frag = self.record.max_fragment();
        let mut sealed = 0;
        while sealed < data.len() {
            let budget = match self.write_budget() {
                Ok(records) => records,
                Err(e @ Error::KeyLimitReached { .. }) if sealed == 0 => return Err(e),
                Err(Error::KeyLimitReached { .. }) => return Ok(sealed),
                Err(e) => return Err(e),
            };
            let room = usize::try_from(budget)
                .unwrap_or(usize::MAX)
                .saturating_mul(frag);
            let take = room.min(data.len() - sealed);
            self.record.seal_all(
                ContentType::ApplicationData,
                &data[sealed..sealed + take],
                &mut self.outgoing,
            )?;
            sealed += take;
        }
        // Change keys (or close) as soon as only the reserved record is left,
        // rather than at the next write: an idle connection should not sit
        // with a spent key, and in TLS 1.2 the peer learns of the end at once.
        match self.write_budget() {
            Ok(_) | Err(Error::KeyLimitReached { .. }) => Ok(sealed),
            Err(e) => Err(e),
        }
    }

    /// How many records of data the write key may still seal, keeping back
    /// the last one for the KeyUpdate (TLS 1.3) or close_notify (TLS 1.2)
    /// that must follow; when only that one is left, sends it.
    fn write_budget(&mut self) -> Result<u64, Error> {
        if let Some(e) = self.write_key_exhausted.as_deref() {
            return Err(e.clone());
        }
        let left = self.record.records_until_key_limit();
        if left > 1 {
            return Ok(left - 1);
        }
        if self.is_tls12() {
            let suite = self
                .negotiated
                .cipher_suite
                .ok_or_else(|| Error::internal("no cipher suite"))?;
            self.send_alert(AlertLevel::Warning, AlertDescription::CloseNotify);
            self.sent_close_notify = true;
            let e = Error::KeyLimitReached {
                suite,
                records: self.record.write_seq(),
            };
            tracing::debug!(error = %e, "closing: TLS 1.2 write key exhausted");
            self.write_key_exhausted = Some(Box::new(e.clone()));
            return Err(e);
        }
        tracing::trace!(
            records = self.record.write_seq(),
            "write key limit: updating keys"
        );
        self.send_post_handshake(&HandshakeMessage::KeyUpdate(false))?;
        self.update_write_secret()?;
        match self.record.records_until_key_limit() {
            0 | 1 => Err(Error::internal("a fresh write key has no room")),
            n => Ok(n - 1),
        }
    }

    pub(crate) fn send_alert(&mut self, level: AlertLevel, desc: AlertDescription) {
        if let Some(h) = &self.handoff {
            return h.post_alert(level, desc);
        }
        // A failure to seal here has nowhere to go: the connection is ending anyway.
        let _ = self.record.seal(
            ContentType::Alert,
            &[level.get(), desc.get()],
            &mut self.outgoing,
        );
    }

    /// A record with content arrived: the runs of empty records and of
    /// warning alerts are over.
    pub(crate) fn saw_content(&mut self) {
        self.empty_records = 0;
        self.warning_alerts = 0;
    }

    /// A warning alert we skip: bounded by [`MAX_WARNING_ALERTS`] in a row,
    /// and counted with the other empty records.
    pub(crate) fn count_warning_alert(&mut self) -> Result<(), Error> {
        self.warning_alerts += 1;
        if self.warning_alerts > MAX_WARNING_ALERTS {
            return Err(Error::unexpected(format!(
                "too many warning alerts: the peer sent more than {MAX_WARNING_ALERTS} in a row"
            )));
        }
        self.count_empty("warning alert")
    }

    pub(crate) fn count_empty(&mut self, what: &str) -> Result<(), Error> {
        self.empty_records += 1;
        if self.empty_records > MAX_EMPTY_RECORDS {
            return Err(Error::unexpected(format!(
                "peer sent more than {MAX_EMPTY_RECORDS} {what} records in a row"
            )));
        }
        Ok(())
    }
}

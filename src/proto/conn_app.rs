//! The `Connection` API once keys are in place: application data in and
//! out, KeyUpdate, close_notify and aborting, and exported keying material.

use bytes::Buf;

use super::{Connection, Exporter, State};
use crate::error::Error;
use crate::proto::wire::enums::{AlertDescription, AlertLevel};
use crate::proto::wire::handshake::HandshakeMessage;

impl Connection {
    /// Sends a KeyUpdate and switches to new write keys; with `request_peer`
    /// the peer is asked to update its keys too.
    ///
    /// There is no need to call this to stay within the cipher suite's key
    /// usage limit: writing does that on its own. After close_notify was
    /// sent it fails with [`Error::AlreadyClosed`], since a KeyUpdate is not
    /// allowed after that alert. A peer may refuse more than 32 KeyUpdates in
    /// a row without application data between them (this crate and
    /// BoringSSL do).
    pub fn update_keys(&mut self, request_peer: bool) -> Result<(), Error> {
        if let Some(e) = self.error.as_deref() {
            return Err(e.clone());
        }
        if self.common.sent_close_notify {
            return Err(Error::AlreadyClosed);
        }
        if !matches!(self.state, State::Established) {
            return Err(Error::Config(
                "key update before the handshake completed".into(),
            ));
        }
        if self.common.is_tls12() {
            return Err(Error::Config("TLS 1.2 has no KeyUpdate".into()));
        }
        self.common
            .send_post_handshake(&HandshakeMessage::KeyUpdate(request_peer))?;
        self.common.update_write_secret()
    }

    /// Lowers the number of records each write key may protect to
    /// `records` (at least 2), so tests can watch keys change (TLS 1.3) or
    /// the connection close (TLS 1.2) without sealing 2^24.5 records. Not
    /// part of the API: it exists for this crate's tests and weakens
    /// nothing, it only makes those happen sooner.
    #[doc(hidden)]
    pub fn dangerous_set_key_limit_for_tests(&mut self, records: u64) {
        self.common.record.set_key_limit_for_tests(records);
    }

    /// The oldest chunk of decrypted application data not yet consumed, so an
    /// IO layer can copy it straight into its caller's buffer.
    pub fn plaintext_chunk(&self) -> Option<&[u8]> {
        self.common.plaintext.front().map(|b| &b[..])
    }

    /// Marks `n` bytes of [`Connection::plaintext_chunk`] as read.
    pub fn consume_plaintext(&mut self, n: usize) {
        if let Some(front) = self.common.plaintext.front_mut() {
            let n = n.min(front.len());
            front.advance(n);
            self.common.plaintext_len -= n;
            if front.is_empty() {
                self.common.plaintext.pop_front();
            }
        }
    }

    /// Copies decrypted application data into `out`; returns how many bytes.
    pub fn read_plaintext(&mut self, out: &mut [u8]) -> usize {
        let mut n = 0;
        while n < out.len() {
            let Some(front) = self.common.plaintext.front_mut() else {
                break;
            };
            let take = front.len().min(out.len() - n);
            out[n..n + take].copy_from_slice(&front[..take]);
            front.advance(take);
            n += take;
            if front.is_empty() {
                self.common.plaintext.pop_front();
            }
        }
        self.common.plaintext_len -= n;
        n
    }

    /// Seals application data into records in the outgoing buffer; returns
    /// how many bytes of `data` were taken.
    ///
    /// That is all of them, except in TLS 1.2 when the write key reaches
    /// its usage limit on the way: then close_notify is queued after the
    /// last record, the bytes sealed so far are reported, and every later
    /// write fails with [`Error::KeyLimitReached`]. In TLS 1.3 a KeyUpdate
    /// is sent before the limit instead, and writing goes on.
    pub fn write_plaintext(&mut self, data: &[u8]) -> Result<usize, Error> {
        if let Some(e) = self.error.as_deref() {
            return Err(e.clone());
        }
        if let Some(e) = self.common.write_key_exhausted.as_deref() {
            return Err(e.clone());
        }
        if self.common.sent_close_notify {
            return Err(Error::AlreadyClosed);
        }
        if !matches!(self.state, State::Established) && !self.can_write_half_rtt() {
            return Err(Error::Config("write before the handshake completed".into()));
        }
        let n = self.common.seal_application_data(data)?;
        if n > 0 {
            self.common.key_update_answered = false;
        }
        Ok(n)
    }

    /// Queues a close_notify alert; nothing can be written after it.
    pub fn send_close_notify(&mut self) {
        if !self.common.sent_close_notify && self.error.is_none() {
            self.common.sent_close_notify = true;
            self.common
                .send_alert(AlertLevel::Warning, AlertDescription::CloseNotify);
        }
    }

    /// Ends the connection with a fatal `alert` of the application's own
    /// choosing, for a refusal decided outside the handshake (say
    /// access_denied once a request has been seen): the alert is queued for
    /// sending, unread input is dropped, and every later read or write fails
    /// with the returned [`Error::Aborted`]. A clean end is
    /// [`send_close_notify`](Self::send_close_notify); close_notify is not
    /// accepted here (Error::Config, nothing sent). After a failure the
    /// connection's own alert has already gone and this does nothing but
    /// return that failure.
    pub fn abort(&mut self, alert: AlertDescription) -> Error {
        if let Some(e) = self.error.as_deref() {
            return e.clone();
        }
        if alert == AlertDescription::CloseNotify {
            return Error::Config(
                "close_notify ends a connection cleanly: use send_close_notify".into(),
            );
        }
        self.fail(Error::Aborted(alert))
    }

    /// Derives keying material (RFC 8446 section 7.5).
    pub fn export_keying_material(
        &self,
        out: &mut [u8],
        label: &[u8],
        context: Option<&[u8]>,
    ) -> Result<(), Error> {
        match &self.common.exporter {
            None => Err(Error::Config(
                "exporter used before the handshake completed".into(),
            )),
            Some(Exporter::Tls13 { suite, secret }) => {
                crate::proto::keys::tls13::export_keying_material(
                    suite, secret, label, context, out,
                )
            }
            Some(Exporter::Tls12 { master, randoms }) => {
                master.export(label, context, &randoms.client, &randoms.server, out)
            }
        }
    }
}

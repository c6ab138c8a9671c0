//! The `Connection` side of 0-RTT (see [`crate::docs::early_data`]):
//! a client that sends early data, a server that hands it out apart from
//! ordinary data and may answer it before the handshake completes, and the
//! skipping of early data a server rejected.

use std::sync::Arc;

use rustls_pki_types::ServerName;

use super::{Connection, Side, Slot, State};
use crate::config::ClientConfig;
use crate::error::Error;
use crate::proto::common::Common;
use crate::proto::handshake::client13;
use crate::proto::handshake::early_data::{EarlyDataReason, OnReject};
use crate::proto::record::codec::{self, OpaqueRecord};
use crate::proto::wire::enums::ContentType;

impl Connection {
    /// A client connection that sends `data` as 0-RTT early data when a
    /// cached ticket allows it (see [`crate::docs::early_data`]).
    /// Early data can be replayed by whoever captures it: send only what is
    /// safe to act on twice. What the server does not accept is handled as
    /// `on_reject` says: sent again after the handshake as ordinary data
    /// (only when the ALPN protocol is the ticket's, RFC 8446 section
    /// 4.2.10), or kept for [`Connection::take_undelivered_early_data`].
    pub fn new_client_with_replayable_early_data(
        config: Arc<ClientConfig>,
        server_name: ServerName<'static>,
        data: Vec<u8>,
        on_reject: OnReject,
    ) -> Result<Self, Error> {
        Self::client(config, server_name, Some((data, on_reject)))
    }

    pub(super) fn client(
        config: Arc<ClientConfig>,
        server_name: ServerName<'static>,
        early: Option<(Vec<u8>, OnReject)>,
    ) -> Result<Self, Error> {
        Self::client_with_sessions(config, server_name, early, None)
    }

    /// A client connection offering the sessions the connector looked up
    /// asynchronously (see `ClientSessionStore::lookup_async`); `None`
    /// asks the store synchronously.
    pub(crate) fn client_with_sessions(
        config: Arc<ClientConfig>,
        server_name: ServerName<'static>,
        early: Option<(Vec<u8>, OnReject)>,
        found: Option<crate::proto::handshake::resume::ClientSessions>,
    ) -> Result<Self, Error> {
        let mut common = Common::new(
            Side::Client,
            config.shared.max_handshake_message,
            config.shared.max_fragment,
        );
        // Only the records of the initial ClientHello may say 0x0301 (see
        // INITIAL_RECORD_VERSION); anything after it, an alert before the
        // ServerHello or 0-RTT data included, says 0x0303.
        common.key_log = crate::proto::keys::keylog::ConnKeyLog::new(config.shared.key_log.clone());
        common
            .record
            .set_plaintext_version(codec::INITIAL_RECORD_VERSION);
        let state = client13::start(config, server_name, &mut common, early, found);
        common.record.set_plaintext_version(codec::RECORD_VERSION);
        let state = state?;
        Ok(Connection {
            common,
            state: State::Client(Slot::new(state)),
            error: None,
        })
    }

    /// Server side: 0-RTT data the client sent that was not yet taken (see
    /// [`Negotiated::early_data`](crate::proto::Negotiated::early_data)).
    /// It is never part of [`Connection::read_plaintext`], since whoever
    /// captured the ClientHello could have sent it too: act on it only
    /// where a replay is harmless. More may follow while
    /// [`Connection::is_early_data_phase`] is true.
    pub fn take_replayable_early_data(&mut self) -> Option<Vec<u8>> {
        if self.common.early_data.is_empty() {
            return None;
        }
        Some(std::mem::take(&mut self.common.early_data))
    }

    /// Server side: 0-RTT data was accepted and more of it may still come
    /// (the client's EndOfEarlyData has not arrived). The server may already
    /// write (0.5-RTT data, RFC 8446 section 2.3), to a client whose
    /// handshake is not finished.
    pub fn is_early_data_phase(&self) -> bool {
        matches!(&self.state, State::Server(s) if s.get().is_some_and(|s| s.in_early_data()))
    }

    /// Server side: 0-RTT was accepted and our Finished is out, so
    /// application data may be written before the client's Finished.
    pub(super) fn can_write_half_rtt(&self) -> bool {
        self.common.negotiated.early_data == EarlyDataReason::Accepted
            && matches!(&self.state, State::Server(s) if s.get().is_some_and(|s| s.after_our_finished()))
    }

    /// Client side: the early data the server did not accept and that was
    /// not sent again (see [`OnReject`]).
    pub fn take_undelivered_early_data(&mut self) -> Option<Vec<u8>> {
        self.common.early_unsent.take()
    }

    /// Client side: the max_early_data_size of the latest NewSessionTicket,
    /// if one came and allows 0-RTT.
    pub fn received_ticket_max_early_data(&self) -> Option<u32> {
        self.common.ticket_max_early_data
    }

    /// While a server skips rejected 0-RTT data (RFC 8446 section 4.2.10:
    /// it "skip[s] past early data ... by attempting to deprotect received
    /// records using the handshake traffic key, discarding records which
    /// fail deprotection", or after a HelloRetryRequest "by skipping all
    /// records with an external content type of "application_data""): the
    /// first record that is not early data ends the skipping, as in
    /// BoringSSL, so early data interleaved with the handshake still fails.
    pub(super) fn skip_or_open(&mut self, rec: OpaqueRecord) -> Result<(), Error> {
        let len = rec.payload.len() + codec::HEADER_LEN;
        if !self.common.record.is_read_encrypted() {
            if rec.typ == ContentType::ApplicationData {
                return self.common.skip_early_record(len);
            }
            self.common.skip_early_data = None;
            let plain = self.common.record.open(rec)?;
            return self.handle_plain(plain);
        }
        match self.common.record.open(rec) {
            Err(Error::BadRecordMac) => self.common.skip_early_record(len),
            Err(e) => Err(e),
            Ok(plain) => {
                self.common.skip_early_data = None;
                self.handle_plain(plain)
            }
        }
    }
}

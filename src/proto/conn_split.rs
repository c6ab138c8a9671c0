//! A connection split into a read-only and a write-only [`Connection`], for a
//! full-duplex stream whose halves run on two tasks without a lock around the
//! whole connection.
//!
//! The record layer's two directions are independent (see
//! [`RecordLayer::split_write`](crate::proto::record::RecordLayer::split_write)),
//! and after the handshake only a few events go from the reader to the
//! writer: a KeyUpdate the peer asked us to answer, an alert the reader must
//! send (its fatal error), and the fact that the reader failed. They pass
//! through a [`Handoff`]: one slot per kind of event, so it is bounded
//! whatever the peer sends, behind an atomic flag the writer checks on each
//! call and a mutex taken only when an event is there.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Waker;

use super::{Common, Connection, Exporter, State};
use crate::error::Error;
use crate::proto::record::RecordSink;
use crate::proto::wire::enums::{AlertDescription, AlertLevel};
use crate::proto::wire::handshake::HandshakeMessage;

/// What the read half of a split connection passes to the write half.
#[derive(Debug, Default)]
pub(crate) struct Handoff {
    /// Set while `events` holds something the writer has not taken.
    pending: AtomicBool,
    events: Mutex<Events>,
}

/// The events themselves: one slot each, so a peer cannot make them pile up.
#[derive(Debug, Default)]
pub(crate) struct Events {
    /// The peer sent KeyUpdate(update_requested).
    key_update: bool,
    /// An alert the reader would have sent (the fatal one wins).
    alert: Option<(AlertLevel, AlertDescription)>,
    /// The reader stopped with this error.
    error: Option<Error>,
    /// The writer, if it waits for its transport: woken so it handles the
    /// event now rather than at its next call.
    writer: Option<Waker>,
}

impl Handoff {
    fn lock(&self) -> MutexGuard<'_, Events> {
        // A panic while holding this lock leaves nothing half-done: every
        // update below is a single assignment.
        self.events.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn post(&self, f: impl FnOnce(&mut Events)) {
        let waker = {
            let mut ev = self.lock();
            f(&mut ev);
            self.pending.store(true, Ordering::Release);
            ev.writer.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// The reader saw KeyUpdate(update_requested).
    pub(crate) fn post_key_update(&self) {
        self.post(|ev| ev.key_update = true);
    }

    /// The reader would send this alert.
    pub(crate) fn post_alert(&self, level: AlertLevel, desc: AlertDescription) {
        self.post(|ev| {
            if !matches!(ev.alert, Some((AlertLevel::Fatal, _))) {
                ev.alert = Some((level, desc));
            }
        });
    }

    /// The reader failed with `e`.
    pub(crate) fn post_error(&self, e: &Error) {
        self.post(|ev| {
            if ev.error.is_none() {
                ev.error = Some(e.clone());
            }
        });
    }

    /// The writer waits for its transport: wake it on the next event.
    pub(crate) fn register_writer(&self, waker: &Waker) {
        let mut ev = self.lock();
        if !ev.writer.as_ref().is_some_and(|w| w.will_wake(waker)) {
            ev.writer = Some(waker.clone());
        }
    }

    /// The events not yet taken, if any; one atomic load when there are none.
    fn take(&self) -> Option<Events> {
        // A plain load first: the common case writes nothing to the shared
        // cache line, so the reader's core never has to take it back.
        if !self.pending.load(Ordering::Acquire) || !self.pending.swap(false, Ordering::AcqRel) {
            return None;
        }
        let mut ev = self.lock();
        Some(Events {
            key_update: std::mem::take(&mut ev.key_update),
            alert: ev.alert.take(),
            error: ev.error.take(),
            writer: None,
        })
    }
}

/// Keying-material export needs only the exporter secret, so both halves get one.
fn clone_exporter(e: &Exporter) -> Exporter {
    match e {
        Exporter::Tls13 { suite, secret } => Exporter::Tls13 {
            suite,
            secret: secret.clone(),
        },
        Exporter::Tls12 { master, randoms } => Exporter::Tls12 {
            master: master.clone(),
            randoms: Box::new(crate::proto::common::Randoms12 {
                client: randoms.client,
                server: randoms.server,
            }),
        },
    }
}

impl Connection {
    /// Splits a connection whose handshake is over into a reader (this
    /// connection minus its write direction) and a writer (the write
    /// direction, the outgoing buffer, the write secret and the close and
    /// key-limit state), joined by the returned [`Handoff`]. While
    /// handshaking both directions are needed in step, so the connection
    /// comes back with an error.
    // The connection comes back whole on the (rare) refusal: no boxing.
    #[allow(clippy::result_large_err)]
    pub(crate) fn into_split(mut self) -> Result<(Connection, Connection, Arc<Handoff>), Self> {
        if self.is_handshaking() {
            return Err(self);
        }
        let c = &mut self.common;
        let mut w = Common::new(c.side, 0, c.record.max_fragment());
        w.record = c.record.split_write();
        w.outgoing = std::mem::take(&mut c.outgoing);
        w.negotiated = c.negotiated.clone();
        w.write_secret = c.write_secret.take();
        w.exporter = c.exporter.as_ref().map(clone_exporter);
        w.sent_close_notify = c.sent_close_notify;
        w.key_update_answered = c.key_update_answered;
        w.write_key_exhausted = c.write_key_exhausted.clone();
        let handoff = Arc::new(Handoff::default());
        c.handoff = Some(handoff.clone());
        let writer = Connection {
            common: w,
            state: match self.state {
                State::Failed => State::Failed,
                _ => State::Established,
            },
            error: self.error.clone(),
        };
        Ok((self, writer, handoff))
    }

    /// Reader side: tells the writer this connection failed, so its writes
    /// fail too (the alert, if one is due, was already handed over).
    pub(crate) fn post_failure(&self) {
        if let (Some(h), Some(e)) = (&self.common.handoff, &self.error) {
            h.post_error(e);
        }
    }

    /// Writer side: acts on what the reader handed over. A fatal alert is
    /// sealed and ends the writing; a KeyUpdate request is answered once
    /// (RFC 8446 section 4.6.3: before our next application data), unless
    /// we already sent close_notify or have answered since our last data.
    pub(crate) fn apply_handoff(&mut self, h: &Handoff) {
        let Some(ev) = h.take() else {
            return;
        };
        if let Some((level, desc)) = ev.alert {
            if self.error.is_none() {
                self.common.send_alert(level, desc);
                if level == AlertLevel::Fatal {
                    self.state = State::Failed;
                    self.error = Some(Box::new(Error::protocol(
                        desc,
                        "the read half failed, and sent this alert",
                    )));
                }
            }
        }
        if let Some(e) = ev.error {
            // The reader's own error says more than a generic one.
            self.state = State::Failed;
            self.error = Some(Box::new(e));
        }
        let c = &mut self.common;
        if ev.key_update
            && self.error.is_none()
            && !c.sent_close_notify
            && !c.key_update_answered
            && c.write_key_exhausted.is_none()
        {
            let answer = c
                .send_post_handshake(&HandshakeMessage::KeyUpdate(false))
                .and_then(|()| c.update_write_secret());
            match answer {
                Ok(()) => c.key_update_answered = true,
                Err(e) => {
                    self.fail(e);
                }
            }
        }
    }

    /// Joins a reader and a writer made by [`Connection::into_split`] from
    /// the same connection (the caller checks that, by their handoff).
    pub(crate) fn join(mut reader: Connection, mut writer: Connection, h: &Handoff) -> Connection {
        writer.apply_handoff(h);
        let r = &mut reader.common;
        let w = writer.common;
        r.handoff = None;
        r.record.join_write(w.record);
        if r.outgoing.is_empty() {
            r.outgoing = w.outgoing;
        } else {
            r.outgoing.put(w.outgoing.as_slice());
        }
        r.write_secret = w.write_secret;
        r.sent_close_notify = w.sent_close_notify;
        r.key_update_answered = w.key_update_answered;
        r.write_key_exhausted = w.write_key_exhausted;
        if reader.error.is_none() {
            if let Some(e) = writer.error {
                reader.state = State::Failed;
                reader.error = Some(e);
            }
        }
        reader
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::pair;
    use super::*;
    use crate::proto::wire::enums::ProtocolVersion;

    /// Reads everything `to` can open of what `from` queued.
    fn pass(from: &mut Connection, to: &mut Connection) -> Result<Vec<u8>, Error> {
        to.feed(&from.take_outgoing());
        to.process()?;
        let mut buf = vec![0u8; 1 << 16];
        let n = to.read_plaintext(&mut buf);
        buf.truncate(n);
        Ok(buf)
    }

    /// A KeyUpdate request reaching the read half is answered by the write
    /// half (the reader writes nothing itself), under the old keys, before
    /// its next data; the peer then reads that data under the new keys.
    #[test]
    fn key_update_request_is_answered_by_the_write_half() {
        let (mut c, s) = pair(ProtocolVersion::TLSv1_3);
        let (mut sr, mut sw, h) = s.into_split().unwrap();
        c.update_keys(true).unwrap();
        c.write_plaintext(b"ping").unwrap();
        assert_eq!(pass(&mut c, &mut sr).unwrap(), b"ping");
        assert_eq!(sr.outgoing_len(), 0, "the reader must not write");
        sw.apply_handoff(&h);
        let answer = sw.outgoing_len();
        assert!(answer > 0, "KeyUpdate answer queued");
        // A second request before our next data is covered by that answer
        // (RFC 8446 section 4.6.3): nothing more is queued.
        c.update_keys(true).unwrap();
        pass(&mut c, &mut sr).unwrap();
        sw.apply_handoff(&h);
        assert_eq!(sw.outgoing_len(), answer);
        sw.write_plaintext(b"pong").unwrap();
        assert_eq!(pass(&mut sw, &mut c).unwrap(), b"pong");
        // One data record opened under the client's new read keys.
        assert_eq!(c.common.record.read_seq(), 1);
        // After our data, a request is answered again.
        c.update_keys(true).unwrap();
        pass(&mut c, &mut sr).unwrap();
        sw.apply_handoff(&h);
        assert!(sw.outgoing_len() > 0);
        pass(&mut sw, &mut c).unwrap();
        assert_eq!(c.common.record.read_seq(), 0, "client switched read keys");
        // Joined again, the connection goes on both ways.
        let mut s = Connection::join(sr, sw, &h);
        c.write_plaintext(b"again").unwrap();
        assert_eq!(pass(&mut c, &mut s).unwrap(), b"again");
        s.write_plaintext(b"back").unwrap();
        assert_eq!(pass(&mut s, &mut c).unwrap(), b"back");
    }

    /// A fatal read error: its alert goes out through the write half (sealed
    /// there: the reader has no write keys), and the write half then fails
    /// with the reader's error.
    #[test]
    fn read_error_alert_goes_out_through_the_write_half() {
        let (mut c, s) = pair(ProtocolVersion::TLSv1_3);
        let (mut sr, mut sw, h) = s.into_split().unwrap();
        c.write_plaintext(b"soon to be corrupted").unwrap();
        let mut rec = c.take_outgoing();
        let last = rec.len() - 1;
        rec[last] ^= 1;
        sr.feed(&rec);
        assert_eq!(sr.process().unwrap_err(), Error::BadRecordMac);
        sr.post_failure();
        assert_eq!(sr.outgoing_len(), 0);
        sw.apply_handoff(&h);
        assert_eq!(sw.write_plaintext(b"x").unwrap_err(), Error::BadRecordMac);
        c.feed(&sw.take_outgoing());
        assert_eq!(
            c.process().unwrap_err(),
            Error::AlertReceived(AlertDescription::BadRecordMac)
        );
    }

    /// TLS 1.2 splits too (no KeyUpdate there); a handshaking connection
    /// does not.
    #[test]
    fn tls12_splits_and_handshaking_does_not() {
        let (mut c, s) = pair(ProtocolVersion::TLSv1_2);
        let (mut sr, mut sw, _h) = s.into_split().unwrap();
        c.write_plaintext(b"12 in").unwrap();
        assert_eq!(pass(&mut c, &mut sr).unwrap(), b"12 in");
        sw.write_plaintext(b"12 out").unwrap();
        assert_eq!(pass(&mut sw, &mut c).unwrap(), b"12 out");
        assert!(sw.update_keys(false).is_err());

        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");
        let key = crate::config::CertifiedKey::from_pem_files(
            format!("{dir}/server.pem"),
            format!("{dir}/server.key"),
        )
        .unwrap();
        let config = crate::config::ServerConfig::builder()
            .with_certified_key(key)
            .build()
            .unwrap();
        let fresh = Connection::new_server(Arc::new(config));
        assert!(fresh.into_split().is_err());
    }
}

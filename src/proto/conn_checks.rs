//! What the peer may send, checked before anything acts on it: alerts (which
//! end the connection, which are skipped, how many may come in a row) and
//! handshake messages (the type against the state, before the body is
//! decoded; nothing after a message that ends the peer's flight).

use super::{unexpected_in, Connection, Side, State};
use crate::error::Error;
use crate::proto::wire::enums::{AlertDescription, AlertLevel, HandshakeType};
use crate::proto::wire::hello::HRR_RANDOM;

impl Connection {
    /// An alert record from the peer: ends the connection, marks the close,
    /// or is skipped and counted.
    pub(super) fn handle_alert(&mut self, payload: &[u8]) -> Result<(), Error> {
        let [level, desc] = payload else {
            return Err(Error::decode("alert record is not two bytes"));
        };
        if !self.common.joiner.is_empty() {
            return Err(Error::unexpected(
                "alert interleaved with a handshake message",
            ));
        }
        let level = AlertLevel::from(*level);
        let desc = AlertDescription::from(*desc);
        match (level, desc) {
            // A peer that closed before the handshake completed can never
            // complete it: end the handshake now rather than wait for, and
            // buffer, whatever it sends next.
            (_, AlertDescription::CloseNotify) if self.is_handshaking() => {
                Err(Error::AlertReceived(desc))
            }
            (_, AlertDescription::CloseNotify) => {
                tracing::debug!("received close_notify");
                self.common.received_close_notify = true;
                Ok(())
            }
            // RFC 8446 section 6.1 keeps user_canceled as a warning; some
            // stacks send it needlessly (JDK 11 after the handshake), so it is
            // skipped like a TLS 1.2 warning, and counted.
            (AlertLevel::Warning, AlertDescription::UserCanceled) => {
                self.common.count_warning_alert()
            }
            // RFC 8446 section 6: "All the alerts listed in Section 6.2 MUST
            // be sent with AlertLevel=fatal and MUST be treated as error
            // alerts when received regardless of the AlertLevel in the
            // message. Unknown Alert types MUST be treated as error alerts."
            // So the connection ends; the level field is out of its range
            // for that description, which section 6.2 calls decode_error, and
            // that is the alert the peer gets (as BoringSSL and rustls send).
            (AlertLevel::Warning, d) if self.common.is_tls13() => Err(Error::decode(format!(
                "peer sent {} as a warning alert in TLS 1.3, where only \
                 close_notify and user_canceled may be warnings",
                d.name()
            ))),
            // TLS 1.2 lets warnings pass (RFC 5246 section 7.2.2: "the
            // connection can continue normally"): no_renegotiation, or the
            // unrecognized_name that RFC 6066 section 3 lets a server send as
            // a warning. So does a warning that arrives before a version is
            // chosen, when the TLS 1.3 rule above does not apply yet.
            (AlertLevel::Warning, d) => {
                tracing::debug!(alert = %d.name(), "ignoring warning alert");
                self.common.count_warning_alert()
            }
            (AlertLevel::Fatal, d) => Err(Error::AlertReceived(d)),
            (AlertLevel::Unknown(_), _) => Err(Error::illegal("alert with an unknown level")),
        }
    }

    /// The current state's name and the handshake types it handles.
    fn expected(&self) -> (&'static str, &'static [HandshakeType]) {
        use HandshakeType as T;
        match &self.state {
            State::Client(s) => s.get().map_or(("taken", &[]), |s| (s.name(), s.expects())),
            State::Server(s) => s.get().map_or(("taken", &[]), |s| (s.name(), s.expects())),
            State::Client12(s) => s.get().map_or(("taken", &[]), |s| (s.name(), s.expects())),
            State::Server12(s) => s.get().map_or(("taken", &[]), |s| (s.name(), s.expects())),
            // Renegotiation attempts are refused in handle_post_handshake12.
            State::Established if self.common.is_tls12() => match self.common.side {
                Side::Client => ("connected with TLS 1.2", &[T::HelloRequest]),
                Side::Server => ("connected with TLS 1.2", &[T::ClientHello]),
            },
            State::Established => match self.common.side {
                Side::Client => ("connected", &[T::NewSessionTicket, T::KeyUpdate]),
                Side::Server => ("connected", &[T::KeyUpdate]),
            },
            State::Failed => ("failed", &[]),
        }
    }

    /// Checks a handshake message against the state before its body is
    /// decoded, so a type the state does not expect is unexpected_message
    /// whatever its body holds (RFC 8446 section 6.2: unexpected_message
    /// is "an inappropriate message (e.g., the wrong handshake message ...)
    /// was received"; a body can only be judged by a state that expects it).
    ///
    /// Then, for a message that ends the peer's flight, checks that nothing
    /// follows it in its record: the peer must wait for our answer before it
    /// sends more, so further handshake data (a complete message or the
    /// start of one) means a broken or hostile peer. Where a key change
    /// follows, RFC 8446 section 5.1 demands this check ("Handshake messages
    /// MUST NOT span key changes. Implementations MUST verify that all
    /// messages immediately preceding a key change align with a record
    /// boundary; if not, then they MUST terminate the connection with an
    /// "unexpected_message" alert"), and [`Common::set_read_secret`] and
    /// [`Common::set_read_keys12`] make it again when the keys change. The
    /// flights that end without a key change (a ClientHello answered by a
    /// HelloRetryRequest or by a TLS 1.2 server, the HelloRetryRequest, a
    /// TLS 1.2 ServerHelloDone, a TLS 1.2 Finished) get the same rule, as
    /// in BoringSSL, so that no message is read ahead of the answer it
    /// depends on.
    pub(super) fn check_message_fits_state(&self, raw: &[u8]) -> Result<(), Error> {
        let Some(&typ) = raw.first() else {
            return Err(Error::internal("empty handshake message"));
        };
        let typ = HandshakeType::from(typ);
        let (name, expects) = self.expected();
        if !expects.contains(&typ) {
            return Err(unexpected_in(name, typ));
        }
        if !self.is_handshaking() || self.common.joiner.is_empty() {
            return Ok(());
        }
        // A HelloRetryRequest is a ServerHello with a fixed random after the
        // 4-byte header and the 2-byte legacy_version.
        let retry = || raw.get(6..38) == Some(&HRR_RANDOM[..]);
        let ends_flight = match (self.common.side, typ) {
            (_, HandshakeType::Finished) => true,
            (Side::Server, HandshakeType::ClientHello) => true,
            (Side::Client, HandshakeType::ServerHelloDone) => true,
            (Side::Client, HandshakeType::ServerHello) => retry(),
            _ => false,
        };
        if ends_flight {
            return Err(Error::unexpected(format!(
                "excess handshake data: more follows the {typ:?} that ends the peer's flight"
            )));
        }
        Ok(())
    }
}

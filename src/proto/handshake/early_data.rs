//! 0-RTT data (RFC 8446 sections 2.3, 4.2.10 and 8): what each side
//! decided about early data and why, and the server's decision. The rules,
//! for users, are the guide [`crate::docs::early_data`].

use aws_lc_rs::digest;

use crate::config::ServerConfig;
use crate::error::Error;
use crate::proto::conn::Common;
use crate::proto::handshake::resume::Session13;
use crate::proto::handshake::server13::ExpectFinished;
use crate::proto::handshake::transcript::Transcript;
use crate::proto::keys::tls13::EarlySecret;
use crate::proto::wire::enums::{AlertDescription, CipherSuite, ContentType};
use crate::proto::wire::hello::ClientHello;

/// The most rejected early data a server skips when it allows less (or
/// none) itself, counted in whole records as they arrive: BoringSSL's bound
/// (kMaxEarlyDataSkipped), so that a peer cannot keep us trial-decrypting
/// forever.
pub const MAX_SKIPPED_EARLY_DATA: usize = 16384;

/// The record overhead we allow on top of a configured limit when skipping
/// (headers, content types, AEAD tags of up to about a hundred records).
const SKIP_SLACK: usize = 2048;

/// Why 0-RTT data was, or was not, accepted on a connection. The names
/// follow BoringSSL's `SSL_early_data_reason_string`, plus
/// [`EarlyDataReason::Replayed`] for the anti-replay register.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EarlyDataReason {
    /// Early data was accepted.
    Accepted,
    /// 0-RTT is not enabled on this side (the default), or no early data
    /// was asked for.
    #[default]
    Disabled,
    /// TLS 1.2 was negotiated, which has no 0-RTT.
    ProtocolVersion,
    /// The peer did not offer (client: did not accept) early data.
    PeerDeclined,
    /// No ticket was offered.
    NoSessionOffered,
    /// A ticket was offered but not resumed.
    SessionNotResumed,
    /// The ticket was issued without early data.
    UnsupportedForSession,
    /// The ALPN protocol differs from the ticket's.
    AlpnMismatch,
    /// The client's ticket age is outside the freshness window.
    TicketAgeSkew,
    /// The ticket's early data was already taken (or the anti-replay
    /// register could not tell): a possible replay.
    Replayed,
    /// The server sent a HelloRetryRequest, which rules out 0-RTT.
    HelloRetryRequest,
}

impl EarlyDataReason {
    /// BoringSSL's name for the reason (`"replayed"` for ours).
    pub fn name(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Disabled => "disabled",
            Self::ProtocolVersion => "protocol_version",
            Self::PeerDeclined => "peer_declined",
            Self::NoSessionOffered => "no_session_offered",
            Self::SessionNotResumed => "session_not_resumed",
            Self::UnsupportedForSession => "unsupported_for_session",
            Self::AlpnMismatch => "alpn_mismatch",
            Self::TicketAgeSkew => "ticket_age_skew",
            Self::Replayed => "replayed",
            Self::HelloRetryRequest => "hello_retry_request",
        }
    }
}

/// How much rejected early data a server skips before it gives up.
pub(crate) fn skip_budget(config: &ServerConfig) -> usize {
    let configured = usize::try_from(config.max_early_data).unwrap_or(usize::MAX);
    MAX_SKIPPED_EARLY_DATA.max(configured.saturating_add(SKIP_SLACK))
}

/// The server's decision on a first ClientHello (after a HelloRetryRequest
/// there is none to make: see [`EarlyDataReason::HelloRetryRequest`]), in
/// BoringSSL's order so the reasons match. `resumed` is the accepted PSK's
/// index and session; `alpn` the protocol chosen for this connection.
/// Everything but the strike register is checked here: the result is the
/// ticket digest to claim (then [`claim_reason`] gives the verdict), or the
/// reason 0-RTT is refused without a claim. The claim is last, so a ticket
/// is claimed only when its early data would be taken.
pub(crate) fn server_decide_before_claim(
    config: &ServerConfig,
    ch: &ClientHello,
    resumed: Option<&(u16, Session13)>,
    alpn: Option<&[u8]>,
    now_secs: u64,
) -> Result<[u8; 32], EarlyDataReason> {
    if config.max_early_data == 0 {
        return Err(EarlyDataReason::Disabled);
    }
    let Some(offer) = &ch.extensions.psk else {
        return Err(EarlyDataReason::NoSessionOffered);
    };
    // RFC 8446 section 4.2.10: early data is for the first identity only.
    let Some((0, session)) = resumed else {
        return Err(EarlyDataReason::SessionNotResumed);
    };
    if session.max_early_data == 0 {
        return Err(EarlyDataReason::UnsupportedForSession);
    }
    if !ch.extensions.early_data {
        return Err(EarlyDataReason::PeerDeclined);
    }
    if session.alpn.as_deref() != alpn {
        return Err(EarlyDataReason::AlpnMismatch);
    }
    let Some(first) = offer.identities.first() else {
        return Err(EarlyDataReason::SessionNotResumed);
    };
    let Some(replay) = &config.anti_replay else {
        return Err(EarlyDataReason::Disabled);
    };
    if !fresh(session, first.obfuscated_age, now_secs, replay.window()) {
        return Err(EarlyDataReason::TicketAgeSkew);
    }
    let mut key = [0u8; 32];
    key.copy_from_slice(digest::digest(&digest::SHA256, &first.identity).as_ref());
    Ok(key)
}

/// The verdict once the strike register answered a claim.
pub(crate) fn claim_reason(claimed: bool) -> EarlyDataReason {
    match claimed {
        true => EarlyDataReason::Accepted,
        false => EarlyDataReason::Replayed,
    }
}

/// The server's reason when it answers a first ClientHello with a
/// HelloRetryRequest, in BoringSSL's order: what the ticket alone decides
/// comes first (its binder is checked after the retry), then the retry.
pub(crate) fn server_decide_at_retry(
    config: &ServerConfig,
    ch: &ClientHello,
    now_secs: u64,
) -> EarlyDataReason {
    if config.max_early_data == 0 {
        return EarlyDataReason::Disabled;
    }
    let Some(first) = ch
        .extensions
        .psk
        .as_ref()
        .and_then(|p| p.identities.first())
    else {
        return EarlyDataReason::NoSessionOffered;
    };
    let session = config
        .ticketer
        .as_ref()
        .and_then(|t| t.open13(&first.identity, now_secs));
    match session {
        None => EarlyDataReason::SessionNotResumed,
        Some(s) if s.max_early_data == 0 => EarlyDataReason::UnsupportedForSession,
        Some(_) if !ch.extensions.early_data => EarlyDataReason::PeerDeclined,
        Some(_) => EarlyDataReason::HelloRetryRequest,
    }
}

/// RFC 8446 section 8.3: the client's view of the ticket's age (its
/// obfuscated age minus age_add, in milliseconds) against ours, in whole
/// seconds as our clock counts them (and as BoringSSL compares them):
/// positive when the client thinks the ticket is older than we do.
pub(crate) fn ticket_age_skew(session: &Session13, obfuscated_age: u32, now_secs: u64) -> i64 {
    let client_secs = i64::from(obfuscated_age.wrapping_sub(session.age_add) / 1000);
    let server_secs = i64::try_from(now_secs.saturating_sub(session.created)).unwrap_or(i64::MAX);
    client_secs.saturating_sub(server_secs)
}

/// Whether the client's ticket age is within `window` seconds of ours.
fn fresh(session: &Session13, obfuscated_age: u32, now_secs: u64, window: u64) -> bool {
    let skew = ticket_age_skew(session, obfuscated_age, now_secs);
    now_secs >= session.created && skew.unsigned_abs() <= window
}

/// Server: 0-RTT data was accepted and arrives under the early traffic key
/// until the client's EndOfEarlyData (RFC 8446 section 4.5).
pub(crate) struct ExpectEndOfEarlyData {
    pub(crate) finished: ExpectFinished,
}

impl ExpectEndOfEarlyData {
    /// EndOfEarlyData joins the transcript and switches the read side to
    /// the client handshake traffic key; it must end its record (checked by
    /// [`Common::set_read_secret`], RFC 8446 section 5.1).
    pub(crate) fn handle(mut self, cx: &mut Common, raw: &[u8]) -> Result<ExpectFinished, Error> {
        self.finished.transcript.add(raw);
        cx.set_read_secret(&self.finished.client_hs)?;
        Ok(self.finished)
    }
}

/// What a client does with early data the server did not take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnReject {
    /// Send it after the handshake as ordinary 1-RTT data, when the ALPN
    /// protocol is the one of the ticket (RFC 8446 section 4.2.10: "A TLS
    /// implementation SHOULD NOT automatically resend early data unless the
    /// negotiated connection selects the same ALPN protocol"); otherwise
    /// keep it, as with [`OnReject::Keep`]. Data beyond the ticket's
    /// max_early_data_size follows the same way after an acceptance.
    Resend,
    /// Send nothing more: what 0-RTT did not carry is returned by
    /// [`take_undelivered_early_data`](crate::proto::Connection::take_undelivered_early_data)
    /// for the application to send, change or drop.
    Keep,
}

/// Client: the early data a connection was asked to send, and what became of it.
pub(crate) struct EarlyOffer {
    data: Vec<u8>,
    on_reject: OnReject,
    /// Bytes of `data` sent as 0-RTT.
    sent: usize,
    /// 0-RTT records went out and the write side is still on the early key.
    pub(crate) pending: bool,
    /// The first ClientHello offered early_data (the ticket's ALPN applies).
    tried: bool,
    /// The server accepted it.
    pub(crate) accepted: bool,
    suite: CipherSuite,
    alpn: Option<Vec<u8>>,
}

impl EarlyOffer {
    /// Decides whether the ClientHello offers 0-RTT: only on a ticket that
    /// allows it, whose ALPN protocol we still offer. Sets the reason when
    /// it does not; `hello.extensions.early_data` when it does.
    /// `ticket` is None when TLS 1.3 is not offered at all.
    pub(crate) fn new(
        data: Vec<u8>,
        on_reject: OnReject,
        ticket: Option<Option<&Session13>>,
        our_alpn: &[Vec<u8>],
        hello: &mut ClientHello,
        cx: &mut Common,
    ) -> Self {
        let reason = match ticket {
            None => EarlyDataReason::ProtocolVersion,
            Some(None) => EarlyDataReason::NoSessionOffered,
            Some(Some(ticket)) => Self::ticket_reason(ticket, our_alpn),
        };
        let ticket = ticket.flatten();
        let tried = reason == EarlyDataReason::PeerDeclined;
        hello.extensions.early_data = tried;
        cx.negotiated.early_data = reason;
        EarlyOffer {
            data,
            on_reject,
            sent: 0,
            pending: false,
            tried,
            accepted: false,
            suite: ticket.map_or(CipherSuite::from(0), |t| t.suite.suite),
            alpn: ticket.and_then(|t| t.alpn.clone()),
        }
    }

    fn ticket_reason(t: &Session13, our_alpn: &[Vec<u8>]) -> EarlyDataReason {
        if t.max_early_data == 0 {
            return EarlyDataReason::UnsupportedForSession;
        }
        if t.alpn.as_ref().is_some_and(|p| !our_alpn.contains(p)) {
            return EarlyDataReason::AlpnMismatch;
        }
        // Until EncryptedExtensions says otherwise.
        EarlyDataReason::PeerDeclined
    }

    /// The ticket could not be offered after all (too long for the hello).
    pub(crate) fn without_ticket(self, hello: &mut ClientHello, cx: &mut Common) -> Self {
        Self::new(self.data, self.on_reject, Some(None), &[], hello, cx)
    }

    /// After the ClientHello went out (its bytes in `transcript`): the
    /// compatibility change_cipher_spec, then as much data as the ticket
    /// allows under the client early traffic key (RFC 8446 section 7.1).
    pub(crate) fn send(
        &mut self,
        cx: &mut Common,
        ticket: &Session13,
        transcript: &Transcript,
    ) -> Result<(), Error> {
        if !self.tried {
            return Ok(());
        }
        let hash = transcript.hash_with(ticket.suite.hash);
        let secret = EarlySecret::new(ticket.suite, Some(ticket.psk.as_bytes()))
            .client_early_traffic_secret(&hash);
        cx.key_log.log(
            crate::proto::keys::keylog::CLIENT_EARLY_TRAFFIC_SECRET,
            secret.secret_bytes(),
        );
        cx.send_dummy_ccs();
        cx.set_write_secret(&secret)?;
        let n = self
            .data
            .len()
            .min(usize::try_from(ticket.max_early_data).unwrap_or(usize::MAX));
        cx.record.seal_all(
            ContentType::ApplicationData,
            &self.data[..n],
            &mut cx.outgoing,
        )?;
        self.sent = n;
        self.pending = true;
        cx.negotiated.early_data_offered = true;
        Ok(())
    }

    /// The compatibility change_cipher_spec already went out with the 0-RTT data.
    pub(crate) fn sent_ccs(&self) -> bool {
        self.tried
    }

    /// The server answered with a HelloRetryRequest or TLS 1.2: 0-RTT is
    /// over, and the write side goes back to plaintext for what follows.
    pub(crate) fn abandon(
        &mut self,
        cx: &mut Common,
        hello: &mut ClientHello,
        reason: EarlyDataReason,
    ) {
        hello.extensions.early_data = false;
        if self.pending {
            cx.record.clear_write_key();
            self.pending = false;
        }
        // TLS 1.2 has no 0-RTT whatever the ticket said; a retry matters
        // only when 0-RTT was offered.
        if self.tried || reason == EarlyDataReason::ProtocolVersion {
            cx.negotiated.early_data = reason;
        }
    }

    /// EncryptedExtensions: the server took the data (`early_data` there)
    /// or not. RFC 8446 section 4.2.10: an acceptance must come with the
    /// first PSK ("If any other value is returned, it MUST abort the
    /// handshake with an "illegal_parameter" alert"), and 0-RTT data was
    /// sealed for the ticket's suite and ALPN protocol, so a server that
    /// accepts with others is refused the same way.
    pub(crate) fn answer(
        &mut self,
        cx: &mut Common,
        accepted: bool,
        resumed: bool,
        alpn: Option<&[u8]>,
    ) -> Result<(), Error> {
        if !accepted {
            if self.pending {
                cx.negotiated.early_data = match resumed {
                    true => EarlyDataReason::PeerDeclined,
                    false => EarlyDataReason::SessionNotResumed,
                };
            }
            return Ok(());
        }
        if !self.pending || !resumed {
            return Err(Error::illegal(
                "server accepted early data without resuming our first PSK",
            ));
        }
        if cx.negotiated.cipher_suite != Some(self.suite) {
            return Err(Error::illegal(
                "server accepted early data with another cipher suite than the ticket's",
            ));
        }
        if alpn != self.alpn.as_deref() {
            return Err(Error::illegal(
                "server accepted early data with another ALPN protocol than the ticket's",
            ));
        }
        self.accepted = true;
        cx.negotiated.early_data = EarlyDataReason::Accepted;
        Ok(())
    }

    /// After our Finished: what 0-RTT did not carry goes out as ordinary
    /// data or is kept, as [`OnReject`] says.
    pub(crate) fn finish(mut self, cx: &mut Common) -> Result<(), Error> {
        let rest = match self.accepted {
            true => self.data.split_off(self.sent),
            false => self.data,
        };
        let same_alpn = !self.tried || cx.negotiated.alpn == self.alpn;
        if rest.is_empty() {
            return Ok(());
        }
        if self.on_reject == OnReject::Keep || !same_alpn {
            cx.early_unsent = Some(rest);
            return Ok(());
        }
        cx.negotiated.early_data_resent = !self.accepted;
        cx.seal_application_data(&rest).map(|_| ())
    }

    /// TLS 1.2 was chosen. RFC 8446 appendix D.3: "A client that attempts
    /// to send 0-RTT data MUST fail a connection if it receives a
    /// ServerHello with TLS 1.2 or older", with protocol_version as BoringSSL
    /// sends; without 0-RTT sent, the data is kept undelivered.
    pub(crate) fn downgraded(
        mut self,
        cx: &mut Common,
        hello: &mut ClientHello,
    ) -> Result<(), Error> {
        if self.pending {
            return Err(Error::protocol(
                AlertDescription::ProtocolVersion,
                "server negotiated TLS 1.2 after we sent 0-RTT data (RFC 8446 appendix D.3)",
            ));
        }
        self.abandon(cx, hello, EarlyDataReason::ProtocolVersion);
        cx.early_unsent = Some(self.data);
        Ok(())
    }
}

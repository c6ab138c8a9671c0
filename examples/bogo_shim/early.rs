//! 0-RTT in the shim: BoringSSL's `-enable-early-data` flow on both sides
//! and its early-data checks.
//!
//! BoringSSL's client returns from the handshake as soon as its ClientHello
//! is out when it offers 0-RTT, writes `-shim-writes-first`'s "hello" as
//! early data, and when the server rejects it runs the connection again as
//! "retry" with the `-on-retry-` flags (bssl_shim.cc DoConnection). lctls's
//! client sends the "hello" with its ClientHello
//! ([`OnReject::Keep`]: nothing is re-sent) and finishes the handshake; on
//! a rejection the shim goes on with the retry options, as BoringSSL does.
//! BoringSSL's server echoes 0-RTT data in 0.5-RTT; here it is read with
//! `TlsStream::read_early_data` and echoed the same way. (`-resumption-delay`
//! moves the shim's clock, in clock.rs.)

use lctls::pki::ServerName;
use lctls::proto::{EarlyDataReason, OnReject};
use lctls::{TlsConnector, TlsStream};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use crate::errors::{fail, Failure};
use crate::flags::{Conns, Opts, ParseError};

/// BoringSSL's shim writes this first (`kInitialWrite`).
pub const INITIAL_WRITE: &[u8] = b"hello";

/// BoringSSL's server accepts this much 0-RTT data (kMaxEarlyDataAccepted).
pub const MAX_EARLY_DATA: u32 = 14336;

/// BoringSSL's freshness window (kMaxTicketAgeSkewSeconds).
pub const TICKET_AGE_WINDOW: u64 = 60;

/// The client handshake: with `-enable-early-data` 0-RTT is offered
/// whenever a ticket allows it, carrying the "hello" when the shim writes
/// first (and nothing otherwise, as BoringSSL's client in 0-RTT that reads
/// first).
pub async fn connect(
    o: &Opts,
    connector: &TlsConnector,
    name: ServerName<'static>,
    tcp: TcpStream,
) -> std::io::Result<TlsStream<TcpStream>> {
    if o.enable_early_data {
        let data = match o.shim_writes_first {
            true => INITIAL_WRITE.to_vec(),
            false => Vec::new(),
        };
        return connector
            .connect_with_replayable_early_data(name, tcp, data, OnReject::Keep)
            .await;
    }
    connector.connect(name, tcp).await
}

/// Refuses (exit 89) what the shim cannot play: after a 0-RTT rejection
/// BoringSSL verifies the server again under the `-on-retry-` flags, while
/// lctls checked the resumed chain once, before its ClientHello.
pub fn check_conns(c: &Conns) -> Result<(), ParseError> {
    let (resume, retry) = (&c.resume, &c.retry);
    // The connection after a rejection shares the lctls configuration too
    // (as flags::check_per_connection requires of the others).
    if resume.enable_early_data && retry.config_args != resume.config_args {
        let name = retry
            .config_args
            .iter()
            .chain(&resume.config_args)
            .find(|x| !retry.config_args.contains(x) || !resume.config_args.contains(x))
            .map_or("a flag", |(n, _)| *n);
        return Err(ParseError::Unimplemented(format!(
            "{name}: differs for the connection after a 0-RTT rejection, which shares one lctls configuration"
        )));
    }
    // The retry meets another server certificate (EarlyData-RejectTicket-
    // Client-*): the shim's verifier checks every chain against the one
    // -trust-cert (verify.rs), where BoringSSL without -verify-peer only
    // records the result.
    if !resume.server
        && resume.enable_early_data
        && retry.expect_peer_cert_file != resume.expect_peer_cert_file
    {
        return Err(ParseError::Unimplemented(
            "-on-retry-expect-peer-cert-file: a server certificate the shared -trust-cert does not cover".into(),
        ));
    }
    if !resume.server
        && resume.enable_early_data
        && (retry.verify_fail != resume.verify_fail
            || retry.reverify_on_resume != resume.reverify_on_resume)
    {
        return Err(ParseError::Unimplemented(
            "-on-retry-verify-fail: lctls does not verify again after a 0-RTT rejection".into(),
        ));
    }
    Ok(())
}

/// What the client's 0-RTT attempt means for the rest of the connection.
pub enum ClientOutcome {
    /// No early data went out: the connection goes on as usual.
    NotOffered,
    /// The "hello" went as accepted 0-RTT data: it is not written again;
    /// what did not fit the ticket's limit is written after the handshake.
    Accepted(Option<Vec<u8>>),
    /// Rejected: BoringSSL's shim goes on with the `-on-retry-` options.
    Retry,
}

/// The client's early-data checks, made before the exchange, and what to do next.
pub fn client_outcome<IO>(
    o: &Opts,
    tls: &mut TlsStream<IO>,
    is_resume: bool,
) -> Result<ClientOutcome, Failure> {
    let n = tls.negotiated();
    if !n.early_data_offered {
        // Any data the offer kept is the "hello" that the exchange writes.
        let _ = tls.take_undelivered_early_data();
        return Ok(ClientOutcome::NotOffered);
    }
    if is_resume && o.expect_no_offer_early_data {
        return fail("Client unexpectedly offered early data.");
    }
    if n.early_data == EarlyDataReason::Accepted {
        if o.expect_reject_early_data {
            return fail("Early data was accepted, but we expected the opposite");
        }
        return Ok(ClientOutcome::Accepted(tls.take_undelivered_early_data()));
    }
    if !o.expect_reject_early_data {
        return fail(format!(
            ":EARLY_DATA_REJECTED: the server rejected our 0-RTT data ({})",
            n.early_data.name()
        ));
    }
    let _ = tls.take_undelivered_early_data();
    Ok(ClientOutcome::Retry)
}

/// BoringSSL's `-expect-accept-early-data`, `-expect-reject-early-data` and
/// `-expect-early-data-reason`. BoringSSL checks them only once the
/// handshake is confirmed, which an accepting connection is not when its
/// checks run (it is still in 0-RTT), so the reason is not checked there;
/// acceptance itself is.
pub fn check<IO>(o: &Opts, tls: &TlsStream<IO>, is_resume: bool) -> Result<(), Failure> {
    let reason = tls.negotiated().early_data;
    let accepted = reason == EarlyDataReason::Accepted;
    if (o.expect_accept_early_data && !accepted) || (o.expect_reject_early_data && accepted) {
        return fail(format!(
            "Early data was{} accepted, but we expected the opposite",
            if accepted { "" } else { " not" }
        ));
    }
    // As BoringSSL's shim: on resumption only (its 0 means "unchecked").
    if let Some(want) = o
        .expect_ticket_age_skew
        .as_ref()
        .filter(|w| is_resume && *w != "0")
    {
        let got = tls.negotiated().ticket_age_skew;
        if want.parse::<i64>().ok() != got {
            return fail(format!("-expect-ticket-age-skew {want}: measured {got:?}"));
        }
    }
    if let Some(want) = o.expect_early_data_reason.as_ref().filter(|_| !accepted) {
        if want != reason.name() {
            return fail(format!(
                "Early data reason was \"{}\", expected \"{want}\"",
                reason.name()
            ));
        }
    }
    Ok(())
}

/// `-expect-ticket-supports-early-data` (client): the ticket the server
/// sent allows 0-RTT. Checked after the exchange, when it has been read.
pub fn check_ticket<IO>(o: &Opts, tls: &TlsStream<IO>) -> Result<(), Failure> {
    if o.server || o.shim_shuts_down {
        return Ok(());
    }
    // As BoringSSL's shim: the ticket is looked at only when one is
    // expected (-expect-no-session is checked in main.rs).
    if o.expect_no_session || !o.expect_ticket_supports_early_data {
        return Ok(());
    }
    if tls.connection().received_ticket_max_early_data().is_none() {
        return fail("new session did not support early data, but we expected the opposite");
    }
    Ok(())
}

/// Server: echoes accepted 0-RTT data (every byte XOR 0xff) in 0.5-RTT, as
/// it arrives, until the client's EndOfEarlyData.
pub async fn echo<IO>(tls: &mut TlsStream<IO>) -> Result<(), Failure>
where
    IO: AsyncRead + AsyncWrite + Unpin,
{
    while let Some(mut chunk) = tls.read_early_data().await? {
        for b in &mut chunk {
            *b ^= 0xff;
        }
        crate::send(tls, &chunk).await?;
    }
    Ok(())
}

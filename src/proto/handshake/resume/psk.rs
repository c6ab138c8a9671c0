//! The server's choice of a TLS 1.3 PSK from the ClientHello's offer (RFC
//! 8446 section 4.2.11): the first identity one of our tickets opens, at the
//! handshake's suite, whose binder verifies and whose session may resume.

use crate::config::ServerConfig;
use crate::error::Error;
use crate::proto::crypto::suites::Tls13CipherSuite;
use crate::proto::handshake::resume::{server_may_resume, Session13};
use crate::proto::handshake::transcript::Transcript;
use crate::proto::keys::tls13::EarlySecret;
use crate::proto::wire::enums::AlertDescription;
use crate::proto::wire::hello::ClientHello;

/// Accepts the first PSK the client offered that one of our tickets opens,
/// after checking its binder (RFC 8446 section 4.2.11). Returns its index and
/// session, or None for a full handshake.
pub(crate) fn accept_psk(
    config: &ServerConfig,
    ch: &ClientHello,
    raw: &[u8],
    suite: &'static Tls13CipherSuite,
    transcript: &Transcript,
) -> Result<Option<(u16, Session13)>, Error> {
    let Some(offer) = &ch.extensions.psk else {
        return Ok(None);
    };
    let Some(modes) = &ch.extensions.psk_modes else {
        return Err(Error::protocol(
            AlertDescription::MissingExtension,
            "pre_shared_key without psk_key_exchange_modes",
        ));
    };
    // We resume only with a fresh (EC)DHE (psk_dhe_ke), for forward secrecy.
    let (true, Some(ticketer)) = (modes.contains(&1), &config.ticketer) else {
        return Ok(None);
    };
    let now = config.shared.time.now().as_secs();
    let cut = raw
        .len()
        .checked_sub(offer.binders_len())
        .ok_or_else(|| Error::decode("binders longer than the ClientHello"))?;
    // A bounded number of attempts, whatever the client sends.
    for (i, (id, binder)) in offer
        .identities
        .iter()
        .zip(&offer.binders)
        .enumerate()
        .take(4)
    {
        let Some(session) = ticketer.open13(&id.identity, now) else {
            continue;
        };
        // Only at the session's own suite. RFC 8446 section 4.2.11 would
        // allow any suite with the same hash, but early data must use the
        // ticket's suite (section 4.2.10), and BoringSSL is as strict for
        // simplicity (BoGo Resume-Server-UnofferedCipher-TLS13): a client
        // that no longer offers it gets a full handshake.
        if session.suite.suite != suite.suite {
            continue;
        }
        let hash = transcript.hash_with_extra(suite.hash, &raw[..cut]);
        EarlySecret::new(suite, Some(session.psk.as_bytes()))
            .resumption_binder_key()
            .verify_binder(&hash, binder)?;
        // After the binder, so only the ticket's holder makes us re-check
        // its chain. A refusal is a full handshake, not an error.
        if !server_may_resume(
            config.client_verifier.as_deref(),
            &session.peer_certificates,
            session.server_name.as_deref(),
            ch.extensions.server_name.as_deref(),
            config.shared.time.now(),
        ) {
            continue;
        }
        tracing::debug!(identity = i, "resuming TLS 1.3 session");
        return Ok(Some((i as u16, session)));
    }
    Ok(None)
}

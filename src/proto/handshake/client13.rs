//! The TLS 1.3 client handshake.

use std::sync::Arc;

use rustls_pki_types::ServerName;

use crate::config::{
    choose_client_cert, decompress_certificate, offered_compression, ClientConfig,
};
use crate::error::Error;
use crate::hooks::HookFuture;
use crate::proto::conn::{
    signature, unexpected_in, verified, Answer, Common, Exporter, Hook, Next, Paused, Request,
};
use crate::proto::crypto::groups::client_shares;
use crate::proto::crypto::kx::KeyExchange;
use crate::proto::crypto::sign::certificate_verify_message;
use crate::proto::crypto::suites::Tls13CipherSuite;
use crate::proto::handshake::client12::{self, cache_key, Client12State, Offer};
use crate::proto::handshake::early_data::{EarlyDataReason, EarlyOffer, OnReject};
use crate::proto::handshake::resume::{
    client_may_resume, ClientSessions, Session12, Session13, TicketSink,
};
use crate::proto::handshake::transcript::Transcript;
use crate::proto::keys::keylog::{log_application_secrets, log_handshake_secrets};
use crate::proto::keys::tls13::{EarlySecret, HandshakeSecret, MasterSecret, TrafficSecret};
use crate::proto::wire::certificate::{CertificateBody, CertificateRequest, CertificateVerify};
use crate::proto::wire::enums::{
    AlertDescription, CipherSuite, ExtensionType, ProtocolVersion, SignatureScheme,
};
use crate::proto::wire::extensions::{
    check_solicited, ClientExtensions, KeyShareEntry, PskIdentity, PskOffer,
};
use crate::proto::wire::handshake::HandshakeMessage;
use crate::proto::wire::hello::{
    refuse_legacy_server_hello, ClientHello, ServerHello, DOWNGRADE_TLS11, DOWNGRADE_TLS12,
};

#[path = "client13_cert.rs"]
mod cert;
pub(crate) use cert::{ExpectCertificate, ExpectCertificateVerify};

#[path = "client13_finish.rs"]
mod finish;
pub(crate) use finish::{ClientFlight13, ExpectFinished};

pub(crate) fn random<const N: usize>() -> Result<[u8; N], Error> {
    let mut b = [0u8; N];
    crate::proto::crypto::rng::fill(&mut b)?;
    Ok(b)
}

/// A client handshake in progress. It always lives boxed inside the
/// connection, so the spread between variant sizes costs nothing.
#[allow(clippy::large_enum_variant)]
pub(crate) enum ClientState {
    ServerHello(ExpectServerHello),
    EncryptedExtensions(ExpectEncryptedExtensions),
    Certificate(ExpectCertificate),
    CertificateVerify(ExpectCertificateVerify),
    Finished(ExpectFinished),
    /// Paused for the asynchronous server-certificate verifier.
    VerifyServer(Box<Paused<ExpectCertificateVerify>>),
    /// Paused for the asynchronous signer of our client certificate; our
    /// Certificate is queued.
    Sign(Box<Paused<ClientFlight13>>),
}

/// Starts a handshake: queues the ClientHello.
/// Which versions a ClientHello from `config` offers, (TLS 1.2, TLS 1.3):
/// what a session lookup before it must cover.
pub(crate) fn offered_versions(config: &ClientConfig) -> (bool, bool) {
    let p = &config.shared.protocols;
    (
        p.allows(ProtocolVersion::TLSv1_2) && !p.suites12.is_empty(),
        p.allows(ProtocolVersion::TLSv1_3) && !p.suites13.is_empty(),
    )
}

/// The first flight. `found`: sessions the connector already looked up
/// asynchronously (see `ClientSessionStore::lookup_async`); None asks the
/// store here, synchronously.
pub(crate) fn start(
    config: Arc<ClientConfig>,
    server_name: ServerName<'static>,
    cx: &mut Common,
    early: Option<(Vec<u8>, OnReject)>,
    found: Option<ClientSessions>,
) -> Result<ClientState, Error> {
    let (found12, found13) = match found {
        Some(f) => (Some(f.tls12), Some(f.tls13)),
        None => (None, None),
    };
    let sni = match &server_name {
        ServerName::DnsName(d) if config.send_sni => {
            Some(d.as_ref().trim_end_matches('.').to_string())
        }
        _ => None,
    };
    cx.negotiated.sni = match &server_name {
        ServerName::DnsName(d) => Some(d.as_ref().to_string()),
        ServerName::IpAddress(ip) => Some(format!("{:?}", std::net::IpAddr::from(*ip))),
        _ => None,
    };
    let p = &config.shared.protocols;
    let (tls12, tls13) = offered_versions(&config);
    // Our TLS 1.3 key shares: see groups::client_shares for which.
    let kx = match tls13 {
        true => client_shares(&p.groups, &config.key_shares)
            .into_iter()
            .map(KeyExchange::start)
            .collect::<Result<Vec<_>, _>>()?,
        false => Vec::new(),
    };
    // A TLS 1.2 session to resume, by ticket or by session ID, whose server
    // chain still passes our verifier (see resume.rs on what is re-checked).
    let now = config.shared.time.now();
    let offered_session = tls12
        .then(|| match found12 {
            Some(found) => found,
            None => cache_key(&server_name).and_then(|k| config.session_cache.get(&k)),
        })
        .flatten()
        .filter(|s| {
            s.is_fresh(now.as_secs())
                && client_may_resume(&*config.verifier, &s.peer_certificates, now)
        });
    let session_id = match &offered_session {
        Some(s) if s.ticket.is_none() => s.session_id.clone(),
        // Middlebox compatibility mode (RFC 8446 appendix D.4); with a ticket
        // the echo also tells us the server resumed (RFC 5077 section 3.4).
        _ if tls13 || offered_session.is_some() => random::<32>()?.to_vec(),
        _ => Vec::new(),
    };
    let mut versions = Vec::new();
    if tls13 {
        versions.push(ProtocolVersion::TLSv1_3);
    }
    if tls12 {
        versions.push(ProtocolVersion::TLSv1_2);
    }
    let mut hello = ClientHello {
        legacy_version: ProtocolVersion::TLSv1_2.get(),
        random: random()?,
        session_id,
        cipher_suites: p.suite_ids(),
        compression_methods: vec![0],
        extensions: ClientExtensions {
            server_name: sni,
            supported_versions: tls13.then_some(versions),
            supported_groups: Some(
                p.groups
                    .iter()
                    .copied()
                    .filter(|g| tls13 || !KeyExchange::tls13_only(*g))
                    .collect(),
            ),
            key_shares: tls13.then(|| {
                kx.iter()
                    .map(|k| KeyShareEntry {
                        group: k.group(),
                        payload: k.public_key().to_vec(),
                    })
                    .collect()
            }),
            signature_algorithms: Some(if tls12 {
                config.verifier.supported_schemes_tls12()
            } else {
                config.verifier.supported_schemes()
            }),
            alpn: (!config.shared.alpn.is_empty()).then(|| config.shared.alpn.clone()),
            extended_master_secret: tls12,
            renegotiation_info: tls12.then(Vec::new),
            ec_point_formats: tls12.then(|| vec![0]),
            status_request: config.ocsp.asks(),
            signed_certificate_timestamp: config.request_sct,
            compress_certificate: tls13.then(|| offered_compression(&config.shared)).flatten(),
            session_ticket: tls12.then(|| {
                offered_session
                    .as_ref()
                    .and_then(|s| s.ticket.clone())
                    .unwrap_or_default()
            }),
            ..Default::default()
        },
    };
    cx.key_log.set_client_random(hello.random);
    let mut transcript = Transcript::default();
    // A TLS 1.3 ticket to resume with, used once. Its suite's hash must be
    // one we still offer, since the server has to keep it.
    let mut resume13 = tls13
        .then(|| match found13 {
            Some(found) => found,
            None => cache_key(&server_name).and_then(|k| config.session_cache.take13(&k)),
        })
        .flatten()
        .filter(|s| {
            s.is_fresh(now.as_secs())
                && p.suites13
                    .iter()
                    .any(|x| x.hash.output_len() == s.suite.hash.output_len())
                && client_may_resume(&*config.verifier, &s.peer_certificates, now)
        });
    let now = now.as_secs();
    // Servers send TLS 1.3 tickets only to clients that list a PSK mode.
    if tls13 {
        hello.extensions.psk_modes = Some(vec![PSK_DHE_KE]);
    }
    let mut early = early.map(|(d, on_reject)| {
        EarlyOffer::new(
            d,
            on_reject,
            tls13.then_some(resume13.as_ref()),
            &config.shared.alpn,
            &mut hello,
            cx,
        )
    });
    if let Some(session) = &resume13 {
        hello.extensions.psk = Some(PskOffer {
            identities: vec![PskIdentity {
                identity: session.ticket.clone(),
                obfuscated_age: session.obfuscated_age(now),
            }],
            binders: vec![vec![0; session.suite.hash_len()]],
        });
        if let Err(e) = set_binder(&mut hello, session, &transcript) {
            // A ticket too long to fit in a ClientHello is not offered: a
            // full handshake beats a message we cannot encode.
            tracing::debug!(error = %e, "not offering a ticket that does not fit");
            hello.extensions.psk = None;
            resume13 = None;
            if let Some(e) = early.take() {
                early = Some(e.without_ticket(&mut hello, cx));
            }
        }
    }
    cx.send_encoded(&mut transcript, hello.encoded_len_hint(), |out| {
        hello.encode_message(out)
    })?;
    if let (Some(e), Some(session)) = (&mut early, &resume13) {
        e.send(cx, session, &transcript)?;
    }
    Ok(ClientState::ServerHello(ExpectServerHello {
        config,
        server_name,
        hello,
        kx,
        transcript,
        retry_suite: None,
        offered_session,
        resume13,
        early,
    }))
}

/// psk_dhe_ke: resumption always runs a fresh (EC)DHE too, for forward secrecy.
const PSK_DHE_KE: u8 = 1;

/// Computes the PSK binder over the transcript so far and the ClientHello
/// up to its binders (RFC 8446 section 4.2.11.2), and writes it in.
fn set_binder(
    hello: &mut ClientHello,
    session: &Session13,
    transcript: &Transcript,
) -> Result<(), Error> {
    let mut bytes = Vec::with_capacity(hello.encoded_len_hint());
    hello.encode_message(&mut bytes)?;
    let Some(psk) = hello.extensions.psk.as_mut() else {
        return Ok(());
    };
    let cut = bytes.len().saturating_sub(psk.binders_len());
    let hash = transcript.hash_with_extra(session.suite.hash, &bytes[..cut]);
    let binder = EarlySecret::new(session.suite, Some(session.psk.as_bytes()))
        .resumption_binder_key()
        .binder(&hash);
    psk.binders = vec![binder];
    Ok(())
}

impl ClientState {
    pub(crate) fn handle(
        self,
        cx: &mut Common,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<Next<ClientState, Client12State>, Error> {
        let some = |r: Result<ClientState, Error>| r.map(Next::Tls13);
        match (self, msg) {
            (ClientState::ServerHello(s), HandshakeMessage::ServerHello(sh)) => {
                // Checked first, whatever the version: an answer to an
                // extension we never sent is unsupported_extension.
                let msg = if sh.is_retry() {
                    "HelloRetryRequest"
                } else {
                    "ServerHello"
                };
                check_solicited(&s.hello.extensions.types(), &sh.extensions.types(), msg)?;
                if sh.is_retry() {
                    some(s.handle_retry(cx, sh, raw))
                } else {
                    s.handle_server_hello(cx, sh, raw)
                }
            }
            (ClientState::EncryptedExtensions(s), HandshakeMessage::EncryptedExtensions(ee)) => {
                check_solicited(&s.hs.offered, &ee.types(), "EncryptedExtensions")?;
                s.handle(cx, ee, raw).map(Next::Tls13)
            }
            (ClientState::Certificate(s), HandshakeMessage::CertificateRequest(cr)) => {
                s.handle_request(cr, raw).map(Next::Tls13)
            }
            (ClientState::Certificate(s), HandshakeMessage::Certificate(c)) => {
                s.handle(cx, c, raw, raw).map(Next::Tls13)
            }
            // Only when we offered compress_certificate (see `expects`); the
            // transcript takes the message as sent (RFC 8879 section 4), the
            // entry extensions come from the decompressed one.
            (ClientState::Certificate(s), HandshakeMessage::CompressedCertificate(cc)) => {
                let (c, plain) = decompress_certificate(&s.hs.config.shared, &cc)?;
                s.handle(cx, c, &plain, raw).map(Next::Tls13)
            }
            (ClientState::CertificateVerify(s), HandshakeMessage::CertificateVerify(cv)) => {
                s.handle(cx, cv, raw).map(Next::Tls13)
            }
            (ClientState::Finished(s), HandshakeMessage::Finished(f)) => {
                s.handle(cx, &f, raw).map(|st| match st {
                    Some(st) => Next::Tls13(st),
                    None => Next::Done,
                })
            }
            (state, msg) => Err(unexpected_in(state.name(), msg.typ())),
        }
    }

    /// What a paused state waits for.
    pub(crate) fn pending(&self) -> Option<&Request> {
        match self {
            ClientState::VerifyServer(p) => Some(&p.request),
            ClientState::Sign(p) => Some(&p.request),
            _ => None,
        }
    }

    /// The future of the hook a paused state waits for.
    pub(crate) fn hook_future(&self) -> Option<HookFuture<Answer>> {
        match self {
            ClientState::VerifyServer(p) => Some(p.future()),
            ClientState::Sign(p) => Some(p.future()),
            _ => None,
        }
    }

    /// Goes on from a paused state with the hook's `answer`; None when
    /// that completes the handshake.
    pub(crate) fn resume(
        self,
        cx: &mut Common,
        answer: Answer,
    ) -> Result<Option<ClientState>, Error> {
        match self {
            ClientState::VerifyServer(p) => {
                verified(answer)?;
                Ok(Some(ClientState::CertificateVerify(p.next)))
            }
            ClientState::Sign(p) => {
                let Paused { request, next, .. } = *p;
                let Request::Sign { scheme, .. } = request else {
                    return Err(Error::internal("signature without its request"));
                };
                next.finish(cx, Some((scheme, signature(answer)?)))?;
                Ok(None)
            }
            other => Err(Error::internal(format!(
                "resumed while {}, which waits for nothing",
                other.name()
            ))),
        }
    }

    /// The handshake types this state handles; conn.rs refuses any other
    /// type before decoding its body.
    pub(crate) fn expects(&self) -> &'static [crate::proto::wire::enums::HandshakeType] {
        use crate::proto::wire::enums::HandshakeType as T;
        match self {
            ClientState::ServerHello(_) => &[T::ServerHello],
            ClientState::EncryptedExtensions(_) => &[T::EncryptedExtensions],
            ClientState::Certificate(s)
                if s.hs.offered.contains(&ExtensionType::CompressCertificate) =>
            {
                &[
                    T::CertificateRequest,
                    T::Certificate,
                    T::CompressedCertificate,
                ]
            }
            ClientState::Certificate(_) => &[T::CertificateRequest, T::Certificate],
            ClientState::CertificateVerify(_) => &[T::CertificateVerify],
            ClientState::Finished(_) => &[T::Finished],
            ClientState::VerifyServer(_) | ClientState::Sign(_) => &[],
        }
    }

    pub(crate) fn name(&self) -> &'static str {
        match self {
            ClientState::ServerHello(_) => "expecting ServerHello",
            ClientState::EncryptedExtensions(_) => "expecting EncryptedExtensions",
            ClientState::Certificate(_) => "expecting Certificate",
            ClientState::CertificateVerify(_) => "expecting CertificateVerify",
            ClientState::Finished(_) => "expecting Finished",
            ClientState::VerifyServer(_) => "waiting for the server-certificate verifier",
            ClientState::Sign(_) => "waiting for the signer of our certificate",
        }
    }
}

pub(crate) struct ExpectServerHello {
    config: Arc<ClientConfig>,
    server_name: ServerName<'static>,
    hello: ClientHello,
    /// Our key shares' private halves, one per group offered (after a
    /// HelloRetryRequest, the one it asked for).
    kx: Vec<KeyExchange>,
    transcript: Transcript,
    /// Set after a HelloRetryRequest: the suite it chose, which ServerHello must repeat.
    retry_suite: Option<CipherSuite>,
    /// The TLS 1.2 session we offered to resume.
    offered_session: Option<Session12>,
    /// The TLS 1.3 ticket we offered.
    resume13: Option<Session13>,
    /// The early data we were asked to send.
    early: Option<EarlyOffer>,
}

impl ExpectServerHello {
    fn offered_suite(&self, id: CipherSuite) -> Result<&'static Tls13CipherSuite, Error> {
        self.config
            .shared
            .protocols
            .suites13
            .iter()
            .copied()
            .find(|s| s.suite == id)
            .ok_or_else(|| {
                Error::illegal(format!(
                    "server chose cipher suite {id:?}, which we did not offer"
                ))
            })
    }

    fn check_common(&self, sh: &ServerHello) -> Result<&'static Tls13CipherSuite, Error> {
        match sh.extensions.selected_version {
            // Only the HelloRetryRequest comes here without supported_versions.
            None => {
                return Err(refuse_legacy_server_hello(
                    sh,
                    "only TLS 1.3 in a HelloRetryRequest",
                ))
            }
            Some(ProtocolVersion::TLSv1_3)
                if self.hello.extensions.supported_versions.is_some() =>
            {
                if sh.extensions.has_tls12_only() {
                    return Err(Error::protocol(
                        AlertDescription::UnsupportedExtension,
                        "TLS 1.3 ServerHello carries a TLS 1.2 extension",
                    ));
                }
            }
            Some(v) => {
                return Err(Error::illegal(format!(
                    "server selected version {v:?}, which we did not offer"
                )))
            }
        }
        if sh.legacy_version != ProtocolVersion::TLSv1_2.get() {
            return Err(Error::protocol(
                AlertDescription::ProtocolVersion,
                format!("ServerHello legacy_version 0x{:04x}", sh.legacy_version),
            ));
        }
        if sh.session_id != self.hello.session_id {
            return Err(Error::illegal("server did not echo our legacy_session_id"));
        }
        // RFC 8446 4.1.3: legacy_compression_method "MUST have the value 0";
        // any other value is a field "out of the specified range", which
        // section 6.2 calls decode_error (BoringSSL agrees, ServerHello and
        // HelloRetryRequest alike).
        if sh.compression_method != 0 {
            return Err(Error::decode("server chose compression"));
        }
        self.offered_suite(sh.cipher_suite)
    }

    fn handle_retry(
        mut self,
        cx: &mut Common,
        hrr: ServerHello,
        raw: &[u8],
    ) -> Result<ClientState, Error> {
        if self.retry_suite.is_some() {
            return Err(Error::unexpected("second HelloRetryRequest"));
        }
        let suite = self.check_common(&hrr)?;
        let ext = &hrr.extensions;
        if ext.selected_group.is_none() && ext.cookie.is_none() {
            return Err(Error::illegal(
                "HelloRetryRequest would not change the ClientHello",
            ));
        }
        if let Some(group) = ext.selected_group {
            if !self.config.shared.protocols.groups.contains(&group) {
                return Err(Error::illegal(format!(
                    "HelloRetryRequest asks for group {group:?}, which we did not offer"
                )));
            }
            if self.kx.iter().any(|k| k.group() == group) {
                return Err(Error::illegal(
                    "HelloRetryRequest asks for the group we already sent a share for",
                ));
            }
            self.kx = vec![KeyExchange::start(group)?];
        }
        tracing::debug!(group = ?ext.selected_group, cookie = ext.cookie.is_some(), "HelloRetryRequest");
        self.transcript.rollup_for_retry(suite.hash);
        self.transcript.add(raw);
        // A cookie-only retry keeps the shares (RFC 8446 section 4.1.2).
        self.hello.extensions.key_shares = Some(
            self.kx
                .iter()
                .map(|k| KeyShareEntry {
                    group: k.group(),
                    payload: k.public_key().to_vec(),
                })
                .collect(),
        );
        self.hello.extensions.cookie = ext.cookie.clone();
        // RFC 8446 section 4.2.10: no early_data in the second ClientHello.
        if let Some(e) = &mut self.early {
            e.abandon(cx, &mut self.hello, EarlyDataReason::HelloRetryRequest);
        }
        // The PSK survives a retry only if the server's suite shares its
        // hash; its binder now covers the retry transcript.
        match &self.resume13 {
            Some(session) if session.suite.hash.output_len() == suite.hash.output_len() => {
                set_binder(&mut self.hello, session, &self.transcript)?
            }
            _ => {
                self.hello.extensions.psk = None;
                self.resume13 = None;
            }
        }
        if !self.early.as_ref().is_some_and(EarlyOffer::sent_ccs) {
            cx.send_dummy_ccs();
        }
        let hello = &self.hello;
        cx.send_encoded(&mut self.transcript, hello.encoded_len_hint(), |out| {
            hello.encode_message(out)
        })?;
        cx.negotiated.retried = true;
        self.retry_suite = Some(suite.suite);
        Ok(ClientState::ServerHello(self))
    }

    fn handle_server_hello(
        self,
        cx: &mut Common,
        sh: ServerHello,
        raw: &[u8],
    ) -> Result<Next<ClientState, Client12State>, Error> {
        // RFC 8446 4.1.4: the ServerHello after a HelloRetryRequest keeps
        // the version the retry chose (TLS 1.3: a retry exists nowhere else).
        if self.retry_suite.is_some()
            && sh.extensions.selected_version != Some(ProtocolVersion::TLSv1_3)
        {
            return Err(Error::illegal(format!(
                "the ServerHello after a HelloRetryRequest selects version {:?}, \
                 not the retry's TLS 1.3",
                sh.extensions.selected_version
            )));
        }
        if sh.extensions.selected_version.is_none() {
            return self
                .handle_legacy_server_hello(cx, sh, raw)
                .map(Next::Tls12);
        }
        self.handle_tls13_server_hello(cx, sh, raw).map(Next::Tls13)
    }

    /// A ServerHello without supported_versions: TLS 1.2 if we allow it.
    fn handle_legacy_server_hello(
        mut self,
        cx: &mut Common,
        sh: ServerHello,
        raw: &[u8],
    ) -> Result<Client12State, Error> {
        let p = &self.config.shared.protocols;
        let offered12 = self.hello.extensions.extended_master_secret;
        if !offered12
            || sh.legacy_version != ProtocolVersion::TLSv1_2.get()
            || self.retry_suite.is_some()
        {
            let accepted = if self.retry_suite.is_some() {
                "only TLS 1.3 after a HelloRetryRequest"
            } else if offered12 {
                "TLS 1.3 or TLS 1.2"
            } else {
                "only TLS 1.3 (TLS 1.2 is not enabled)"
            };
            return Err(refuse_legacy_server_hello(&sh, accepted));
        }
        // RFC 8446 section 4.1.3: a TLS 1.3 server that negotiates 1.2 marks
        // its random; seeing the mark means someone removed 1.3 from our offer.
        if p.allows(ProtocolVersion::TLSv1_3) && self.hello.extensions.supported_versions.is_some()
        {
            let tail = &sh.random[24..];
            if tail == DOWNGRADE_TLS12 || tail == DOWNGRADE_TLS11 {
                return Err(Error::illegal(
                    "downgrade detected: a TLS 1.2 ServerHello carries the TLS 1.3 downgrade sentinel",
                ));
            }
        }
        if let Some(e) = self.early.take() {
            e.downgraded(cx, &mut self.hello)?;
        }
        let offer = Offer {
            config: self.config,
            server_name: self.server_name,
            client_random: self.hello.random,
            session_id: self.hello.session_id,
            offered_session: self.offered_session,
            transcript: self.transcript,
        };
        client12::handle_server_hello(offer, cx, sh, raw)
    }

    fn handle_tls13_server_hello(
        mut self,
        cx: &mut Common,
        sh: ServerHello,
        raw: &[u8],
    ) -> Result<ClientState, Error> {
        let suite = self.check_common(&sh)?;
        if let Some(s) = self.retry_suite {
            if s != suite.suite {
                return Err(Error::illegal(
                    "ServerHello suite differs from HelloRetryRequest's",
                ));
            }
        }
        let share = sh.extensions.key_share.as_ref().ok_or_else(|| {
            Error::protocol(
                AlertDescription::MissingExtension,
                "ServerHello without key_share",
            )
        })?;
        let Some(kx) = self.kx.into_iter().find(|k| k.group() == share.group) else {
            return Err(Error::illegal(format!(
                "server key share is for {:?}, which we sent no share for",
                share.group
            )));
        };
        let psk = match (sh.extensions.selected_psk, &self.resume13) {
            (None, _) => None,
            (Some(0), Some(s)) if s.suite.hash.output_len() == suite.hash.output_len() => Some(s),
            // RFC 8446 4.2.11: a selected_identity out of range, or a suite
            // whose hash is not the PSK's, is illegal_parameter.
            (Some(0), Some(s)) => {
                return Err(Error::illegal(format!(
                    "server resumed our ticket with {:?}, whose hash differs from the \
                     ticket's suite {:?}",
                    suite.suite, s.suite.suite
                )))
            }
            (Some(i), Some(_)) => {
                return Err(Error::illegal(format!(
                    "server selected PSK identity {i}, but we offered only identity 0"
                )))
            }
            (Some(_), None) => {
                return Err(Error::illegal("server selected a PSK we did not offer"))
            }
        };
        let group = kx.group();
        let shared = kx.complete(&share.payload)?;
        self.transcript.start_hash(suite.hash);
        self.transcript.add(raw);
        let hash = self.transcript.current_hash();
        let resumed = psk.is_some();
        if let Some(s) = psk {
            cx.negotiated.resumed = true;
            cx.negotiated.peer_certificates = s.peer_certificates.clone();
            // The server signs nothing when resuming: report the scheme of
            // the handshake that made the session. The group is the fresh one.
            cx.negotiated.peer_signature_scheme = s.peer_signature_scheme;
            cx.negotiated.ocsp_response = s.ocsp_response.clone();
            cx.negotiated.sct_list = s.sct_list.clone();
            tracing::debug!("resuming TLS 1.3 session");
        }
        let hs = EarlySecret::new(suite, psk.map(|s| s.psk.as_bytes())).into_handshake(&shared);
        let client_hs = hs.client_handshake_traffic_secret(&hash);
        let server_hs = hs.server_handshake_traffic_secret(&hash);
        log_handshake_secrets(cx, &client_hs, &server_hs);
        cx.set_read_secret(&server_hs)?;
        // With 0-RTT data out, the change_cipher_spec went before it, and
        // the write side stays on the early key until EndOfEarlyData.
        let early_pending = self.early.as_ref().is_some_and(|e| e.pending);
        if self.retry_suite.is_none() && !early_pending {
            cx.send_dummy_ccs();
        }
        if !early_pending {
            cx.set_write_secret(&client_hs)?;
        }
        cx.negotiated.version = Some(ProtocolVersion::TLSv1_3);
        cx.negotiated.cipher_suite = Some(suite.suite);
        cx.negotiated.group = Some(group);
        cx.negotiated.extended_master_secret = true;
        Ok(ClientState::EncryptedExtensions(
            ExpectEncryptedExtensions {
                hs: Handshaking {
                    offered: self.hello.extensions.types(),
                    config: self.config,
                    server_name: self.server_name,
                    transcript: self.transcript,
                    secret: hs,
                    client_hs,
                    server_hs,
                    resumed,
                    early: self.early,
                },
            },
        ))
    }
}

/// What every state after ServerHello carries forward.
struct Handshaking {
    /// The extension types our ClientHello carried: all that
    /// EncryptedExtensions may answer.
    offered: Vec<ExtensionType>,
    config: Arc<ClientConfig>,
    server_name: ServerName<'static>,
    transcript: Transcript,
    secret: HandshakeSecret,
    client_hs: TrafficSecret,
    server_hs: TrafficSecret,
    /// The server accepted our PSK: no Certificate or CertificateVerify follow.
    resumed: bool,
    /// The early data we were asked to send.
    early: Option<EarlyOffer>,
}

pub(crate) struct ExpectEncryptedExtensions {
    hs: Handshaking,
}

impl ExpectEncryptedExtensions {
    fn handle(
        mut self,
        cx: &mut Common,
        ee: crate::proto::wire::extensions::EncryptedExtensions,
        raw: &[u8],
    ) -> Result<ClientState, Error> {
        if let Some(p) = &ee.alpn {
            if !self.hs.config.shared.alpn.contains(p) {
                return Err(Error::illegal(format!(
                    "server selected ALPN protocol {:?}, which we did not offer",
                    String::from_utf8_lossy(p)
                )));
            }
        }
        if let Some(e) = &mut self.hs.early {
            e.answer(cx, ee.early_data, self.hs.resumed, ee.alpn.as_deref())?;
            // Declined: the early key is done with, and anything we send
            // from now on (an alert included) goes under the handshake key
            // the server reads with.
            if e.pending && !e.accepted {
                cx.set_write_secret(&self.hs.client_hs)?;
                e.pending = false;
            }
        }
        cx.negotiated.alpn = ee.alpn;
        self.hs.transcript.add(raw);
        if self.hs.resumed {
            return Ok(ClientState::Finished(ExpectFinished {
                hs: self.hs,
                request: None,
            }));
        }
        Ok(ClientState::Certificate(ExpectCertificate {
            hs: self.hs,
            request: None,
        }))
    }
}

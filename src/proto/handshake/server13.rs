//! The TLS 1.3 server handshake.

use std::sync::Arc;

use aws_lc_rs::digest;

use crate::config::ServerConfig;
use crate::error::Error;
use crate::hooks::{ClientCertInput, HookFuture};
use crate::pki::ClientCertVerifier;
use crate::proto::conn::{unexpected_in, verified, Answer, Common, Hook, Next, Paused, Request};
use crate::proto::crypto::groups::{server_choice, ServerChoice};
use crate::proto::crypto::kx::KeyExchange;
use crate::proto::crypto::sign::certificate_verify_message;
use crate::proto::crypto::suites::Tls13CipherSuite;
use crate::proto::handshake::client13::random;
use crate::proto::handshake::early_data::{self, EarlyDataReason, ExpectEndOfEarlyData};
use crate::proto::handshake::resume::psk::accept_psk;
use crate::proto::handshake::resume::{session_sni, storable, Session13, MAX_TICKET_LIFETIME};
use crate::proto::handshake::server12::{self, Server12State};
use crate::proto::handshake::transcript::Transcript;
use crate::proto::keys::tls13::{resumption_psk, MasterSecret, TrafficSecret};
use crate::proto::wire::certificate::{CertificateMsg, CertificateVerify};
use crate::proto::wire::enums::{
    AlertDescription, CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme,
};
use crate::proto::wire::extensions::ServerHelloExtensions;
use crate::proto::wire::handshake::HandshakeMessage;
use crate::proto::wire::handshake::NewSessionTicket;
use crate::proto::wire::hello::{retry_invariant_parts, ClientHello, ServerHello, HRR_RANDOM};

#[path = "server13_flight.rs"]
mod flight;
use flight::{Flight13, Hello13};

/// A server handshake in progress.
pub(crate) enum ServerState {
    ClientHello(ExpectClientHello),
    Certificate(ExpectCertificate),
    CertificateVerify(ExpectCertificateVerify),
    EndOfEarlyData(ExpectEndOfEarlyData),
    Finished(ExpectFinished),
    /// Paused for the asynchronous certificate resolver; nothing sent yet.
    SelectCertificate(Box<Paused<Hello13>>),
    /// Paused for the asynchronous signer; our flight up to Certificate queued.
    Sign(Box<Paused<Flight13>>),
    /// Paused for the asynchronous client-certificate verifier.
    VerifyClient(Box<Paused<ExpectCertificateVerify>>),
    /// Paused for an asynchronous anti-replay register's 0-RTT claim;
    /// nothing sent yet.
    ClaimEarlyData(Box<Paused<Hello13>>),
}

/// Starts a server handshake.
pub(crate) fn start(config: Arc<ServerConfig>) -> ServerState {
    ServerState::ClientHello(ExpectClientHello {
        config,
        retry: None,
    })
}

impl ServerState {
    /// True before the first ClientHello arrived.
    pub(crate) fn is_initial(&self) -> bool {
        matches!(
            self,
            ServerState::ClientHello(ExpectClientHello { retry: None, .. })
        )
    }

    pub(crate) fn handle(
        self,
        cx: &mut Common,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<Next<ServerState, Server12State>, Error> {
        match (self, msg) {
            (ServerState::ClientHello(s), HandshakeMessage::ClientHello(ch)) => {
                cx.key_log.set_client_random(ch.random);
                s.handle(cx, ch, raw)
            }
            (ServerState::Certificate(s), HandshakeMessage::Certificate(c)) => {
                s.handle(cx, c, raw).map(Next::Tls13)
            }
            (ServerState::CertificateVerify(s), HandshakeMessage::CertificateVerify(cv)) => {
                s.handle(cx, cv, raw).map(Next::Tls13)
            }
            (ServerState::EndOfEarlyData(s), HandshakeMessage::EndOfEarlyData) => s
                .handle(cx, raw)
                .map(|f| Next::Tls13(ServerState::Finished(f))),
            (ServerState::Finished(s), HandshakeMessage::Finished(f)) => {
                s.handle(cx, &f, raw).map(|()| Next::Done)
            }
            (state, m) => Err(unexpected_in(state.name(), m.typ())),
        }
    }

    /// What a paused state waits for.
    pub(crate) fn pending(&self) -> Option<&Request> {
        match self {
            ServerState::SelectCertificate(p) => Some(&p.request),
            ServerState::Sign(p) => Some(&p.request),
            ServerState::VerifyClient(p) => Some(&p.request),
            ServerState::ClaimEarlyData(p) => Some(&p.request),
            _ => None,
        }
    }

    /// The future of the hook a paused state waits for.
    pub(crate) fn hook_future(&self) -> Option<HookFuture<Answer>> {
        match self {
            ServerState::SelectCertificate(p) => Some(p.future()),
            ServerState::Sign(p) => Some(p.future()),
            ServerState::VerifyClient(p) => Some(p.future()),
            ServerState::ClaimEarlyData(p) => Some(p.future()),
            _ => None,
        }
    }

    /// Goes on from a paused state with the hook's `answer` (whose kind
    /// the connection checked against the request).
    pub(crate) fn resume(self, cx: &mut Common, answer: Answer) -> Result<ServerState, Error> {
        match self {
            ServerState::SelectCertificate(p) => flight::resume_select(cx, *p, answer),
            ServerState::Sign(p) => flight::resume_sign(cx, *p, answer),
            ServerState::ClaimEarlyData(p) => flight::resume_claim(cx, *p, answer),
            ServerState::VerifyClient(p) => {
                verified(answer)?;
                Ok(ServerState::CertificateVerify(p.next))
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
            ServerState::ClientHello(_) => &[T::ClientHello],
            ServerState::Certificate(_) => &[T::Certificate],
            ServerState::CertificateVerify(_) => &[T::CertificateVerify],
            ServerState::EndOfEarlyData(_) => &[T::EndOfEarlyData],
            ServerState::Finished(_) => &[T::Finished],
            ServerState::SelectCertificate(_)
            | ServerState::Sign(_)
            | ServerState::VerifyClient(_)
            | ServerState::ClaimEarlyData(_) => &[],
        }
    }

    /// True once our Finished is out and only the client's flight is left.
    pub(crate) fn after_our_finished(&self) -> bool {
        matches!(
            self,
            ServerState::EndOfEarlyData(_) | ServerState::Finished(_)
        )
    }

    /// True while accepted 0-RTT data may arrive.
    pub(crate) fn in_early_data(&self) -> bool {
        matches!(self, ServerState::EndOfEarlyData(_))
    }

    pub(crate) fn name(&self) -> &'static str {
        match self {
            ServerState::ClientHello(_) => "expecting ClientHello",
            ServerState::Certificate(_) => "expecting client Certificate",
            ServerState::CertificateVerify(_) => "expecting client CertificateVerify",
            ServerState::EndOfEarlyData(_) => "expecting EndOfEarlyData",
            ServerState::Finished(_) => "expecting client Finished",
            ServerState::SelectCertificate(_) => "waiting for the certificate resolver",
            ServerState::Sign(_) => "waiting for the signer",
            ServerState::VerifyClient(_) => "waiting for the client-certificate verifier",
            ServerState::ClaimEarlyData(_) => "waiting for the anti-replay register",
        }
    }
}

/// What we asked for in a HelloRetryRequest.
struct Retry {
    suite: &'static Tls13CipherSuite,
    group: NamedGroup,
    cookie: Vec<u8>,
    transcript: Transcript,
    /// SHA-256 over what the second ClientHello must repeat unchanged
    /// (see [`retry_invariant_parts`]): 32 bytes instead of a copy of the
    /// first hello.
    first_hello: [u8; 32],
    /// The first ClientHello offered a PSK; the second may update or drop
    /// it, not add one.
    first_had_psk: bool,
}

impl Retry {
    fn digest(raw: &[u8]) -> Result<[u8; 32], Error> {
        let mut ctx = digest::Context::new(&digest::SHA256);
        retry_invariant_parts(raw, |part| ctx.update(part))?;
        let mut out = [0u8; 32];
        out.copy_from_slice(ctx.finish().as_ref());
        Ok(out)
    }

    /// Refuses a second ClientHello that changed what RFC 8446 section
    /// 4.1.2 says it must repeat, with illegal_parameter (Go's crypto/tls
    /// makes the same whole-hello comparison and sends the same alert): we
    /// negotiate from the second hello, so without this a client could show
    /// SNI, ALPN or versions in one hello and use others in the other.
    ///
    /// early_data in the second hello breaks RFC 8446 section 4.2.10 ("A
    /// client MUST NOT include the early_data extension in its followup
    /// ClientHello"), which names no alert: like BoringSSL we ignore it.
    /// Nothing is accepted or skipped after a HelloRetryRequest, so 0-RTT
    /// records that follow fail as bad_record_mac (BoGo
    /// SkipEarlyData-SecondClientHelloEarlyData-TLS13).
    fn check_second_hello(&self, ch: &ClientHello, raw: &[u8]) -> Result<(), Error> {
        if ch.extensions.psk.is_some() && !self.first_had_psk {
            return Err(Error::illegal(
                "second ClientHello adds a pre_shared_key the first did not offer",
            ));
        }
        if Self::digest(raw)? != self.first_hello {
            return Err(Error::illegal(
                "second ClientHello differs from the first beyond what RFC 8446 section 4.1.2 \
                 allows (only key_share, cookie, early_data, pre_shared_key and padding may change)",
            ));
        }
        Ok(())
    }
}

pub(crate) struct ExpectClientHello {
    config: Arc<ServerConfig>,
    retry: Option<Retry>,
}

impl ExpectClientHello {
    fn version_error(ch: &ClientHello, usable13: bool, usable12: bool) -> Error {
        let ours = match (usable13, usable12) {
            (true, true) => "TLS 1.3 or TLS 1.2",
            (true, false) => "TLS 1.3",
            _ => "TLS 1.2",
        };
        match &ch.extensions.supported_versions {
            Some(v) => Error::UnsupportedVersion(format!(
                "client offered {v:?}; this server requires {ours}"
            )),
            None => Error::UnsupportedVersion(format!(
                "client offered only legacy version 0x{:04x}; this server requires {ours}",
                ch.legacy_version
            )),
        }
    }

    fn choose_suite(&self, ch: &ClientHello) -> Result<&'static Tls13CipherSuite, Error> {
        self.config
            .shared
            .protocols
            .suites13
            .iter()
            .copied()
            .find(|s| ch.cipher_suites.contains(&s.suite))
            .ok_or_else(|| Error::NoCommonCipherSuite {
                ours: self
                    .config
                    .shared
                    .protocols
                    .suites13
                    .iter()
                    .map(|s| s.suite)
                    .collect(),
                theirs: ch.cipher_suites.clone(),
            })
    }

    fn choose_share<'a>(&self, ch: &'a ClientHello) -> Result<ServerChoice<'a>, Error> {
        let missing = |what| {
            Error::protocol(
                AlertDescription::MissingExtension,
                format!("ClientHello without {what}"),
            )
        };
        let groups = ch
            .extensions
            .supported_groups
            .as_ref()
            .ok_or_else(|| missing("supported_groups"))?;
        let shares = ch
            .extensions
            .key_shares
            .as_ref()
            .ok_or_else(|| missing("key_share"))?;
        for share in shares {
            if !groups.contains(&share.group) {
                return Err(Error::illegal(
                    "key share for a group not in supported_groups",
                ));
            }
        }
        // Our most preferred group the client supports; see groups::server_choice.
        let ours = &self.config.shared.protocols.groups;
        server_choice(ours, groups, shares).ok_or_else(|| Error::NoCommonGroup {
            ours: ours.clone(),
            theirs: groups.clone(),
        })
    }

    fn handle(
        self,
        cx: &mut Common,
        ch: ClientHello,
        raw: &[u8],
    ) -> Result<Next<ServerState, Server12State>, Error> {
        // Below TLS 1.0 is SSL 3.0 or garbage: refused whatever
        // supported_versions says, as OpenSSL does. RFC 8446 section 4.1.2
        // has a TLS 1.3 server ignore legacy_version, but appendix D.5
        // forbids SSL 3.0 outright, and a client claiming it is broken or
        // probing; protocol_version as for any version we do not speak.
        if ch.legacy_version < ProtocolVersion::TLSv1_0.get() {
            return Err(Error::UnsupportedVersion(format!(
                "ClientHello legacy_version 0x{:04x} is below TLS 1.0",
                ch.legacy_version
            )));
        }
        if let Some(r) = &self.retry {
            r.check_second_hello(&ch, raw)?;
        }
        let p = &self.config.shared.protocols;
        let usable13 = p.allows(ProtocolVersion::TLSv1_3) && !p.suites13.is_empty();
        let usable12 = p.allows(ProtocolVersion::TLSv1_2) && !p.suites12.is_empty();
        let (client13, client12) = match &ch.extensions.supported_versions {
            Some(v) => (
                v.contains(&ProtocolVersion::TLSv1_3),
                v.contains(&ProtocolVersion::TLSv1_2),
            ),
            None => (false, ch.legacy_version >= ProtocolVersion::TLSv1_2.get()),
        };
        if client13 && usable13 {
            return self.handle13(cx, ch, raw).map(Next::Tls13);
        }
        if self.retry.is_some() {
            return Err(Error::illegal(
                "second ClientHello no longer offers TLS 1.3",
            ));
        }
        if client12 && usable12 {
            // RFC 7507: a client falling back while we could do better is under attack.
            if usable13 && ch.cipher_suites.contains(&CipherSuite::TLS_FALLBACK_SCSV) {
                return Err(Error::protocol(
                    AlertDescription::InappropriateFallback,
                    "client signalled a fallback (TLS_FALLBACK_SCSV) but we support a higher version",
                ));
            }
            if self.config.max_early_data > 0 {
                cx.negotiated.early_data = EarlyDataReason::ProtocolVersion;
            }
            return server12::handle_client_hello(self.config, cx, ch, raw, usable13)
                .map(Next::Tls12);
        }
        Err(Self::version_error(&ch, usable13, usable12))
    }

    fn handle13(
        self,
        cx: &mut Common,
        mut ch: ClientHello,
        raw: &[u8],
    ) -> Result<ServerState, Error> {
        if ch.compression_methods != [0] {
            return Err(Error::illegal(
                "TLS 1.3 ClientHello must offer only null compression",
            ));
        }
        let schemes = ch.extensions.signature_algorithms.as_ref().ok_or_else(|| {
            Error::protocol(
                AlertDescription::MissingExtension,
                "ClientHello without signature_algorithms",
            )
        })?;
        let suite = self.choose_suite(&ch)?;
        let share = match self.choose_share(&ch)? {
            ServerChoice::Use(s) => s,
            ServerChoice::Retry(group) => {
                if self.retry.is_some() {
                    return Err(Error::illegal(
                        "second ClientHello still lacks the requested key share",
                    ));
                }
                return self.send_retry(cx, &ch, raw, suite, group);
            }
        };
        let alpn = choose_alpn(&self.config, &ch)?;
        let retried = self.retry.is_some();
        cx.negotiated.peer_alpn = ch.extensions.alpn.clone().unwrap_or_default();
        let mut transcript = match self.retry {
            Some(r) => {
                if share.group != r.group
                    || ch.extensions.key_shares.as_ref().map_or(0, |k| k.len()) != 1
                {
                    return Err(Error::illegal(
                        "second ClientHello must carry exactly the requested key share",
                    ));
                }
                if ch.extensions.cookie.as_deref() != Some(&r.cookie[..]) {
                    return Err(Error::illegal("second ClientHello did not echo our cookie"));
                }
                if suite.suite != r.suite.suite {
                    return Err(Error::illegal(
                        "second ClientHello changed more than RFC 8446 allows",
                    ));
                }
                r.transcript
            }
            None => Transcript::new(suite.hash),
        };
        let resumed = accept_psk(&self.config, &ch, raw, suite, &transcript)?;
        transcript.add(raw);
        let now_secs = self.config.shared.time.now().as_secs();
        if let (Some((i, session)), Some(offer)) = (&resumed, &ch.extensions.psk) {
            if let Some(id) = offer.identities.get(usize::from(*i)) {
                cx.negotiated.ticket_age_skew = Some(early_data::ticket_age_skew(
                    session,
                    id.obfuscated_age,
                    now_secs,
                ));
            }
        }
        // After a HelloRetryRequest the reason was decided with it.
        let decision = match retried {
            true => Err(cx.negotiated.early_data),
            false => early_data::server_decide_before_claim(
                &self.config,
                &ch,
                resumed.as_ref(),
                alpn.as_deref(),
                now_secs,
            ),
        };
        let sni = ch.extensions.server_name.clone();
        let group = share.group;
        let (our_public, shared) = KeyExchange::respond(group, &share.payload)?;
        let mut hello = flight::Hello13 {
            config: self.config,
            suite,
            group,
            our_public,
            shared,
            transcript,
            resumed,
            early_secret: None,
            early_offered: ch.extensions.early_data,
            retried,
            alpn,
            sni,
            session_id: std::mem::take(&mut ch.session_id),
            status_request: ch.extensions.status_request,
            signed_certificate_timestamp: ch.extensions.signed_certificate_timestamp,
            compress_certificate: ch.extensions.compress_certificate.take(),
            send_tickets: ch
                .extensions
                .psk_modes
                .as_ref()
                .is_some_and(|m| m.contains(&1)),
        };
        let early = match decision {
            Err(reason) => reason,
            Ok(ticket) => {
                let Some(replay) = hello.config.anti_replay.clone() else {
                    return Err(Error::internal("0-RTT claim without a register"));
                };
                if replay.is_async() {
                    // A shared register across the network: pause for its
                    // answer rather than block the thread.
                    return Ok(ServerState::ClaimEarlyData(Box::new(Paused {
                        request: Request::ClaimEarlyData {
                            ticket,
                            now: now_secs,
                        },
                        hook: Hook::AntiReplay(replay),
                        next: hello,
                    })));
                }
                early_data::claim_reason(replay.claim(&ticket, now_secs))
            }
        };
        hello.decide_early(cx, early)?;
        flight::choose_certificate(cx, hello, &ch, schemes)
    }
}

impl ExpectClientHello {
    fn send_retry(
        self,
        cx: &mut Common,
        ch: &ClientHello,
        raw: &[u8],
        suite: &'static Tls13CipherSuite,
        group: NamedGroup,
    ) -> Result<ServerState, Error> {
        tracing::debug!(?group, "sending HelloRetryRequest");
        let mut transcript = Transcript::new(suite.hash);
        transcript.add(raw);
        transcript.rollup_for_retry(suite.hash);
        let cookie = random::<32>()?.to_vec();
        let hrr = ServerHello {
            legacy_version: ProtocolVersion::TLSv1_2.get(),
            random: HRR_RANDOM,
            session_id: ch.session_id.clone(),
            cipher_suite: suite.suite,
            compression_method: 0,
            extensions: ServerHelloExtensions {
                selected_version: Some(ProtocolVersion::TLSv1_3),
                key_share: None,
                selected_group: Some(group),
                cookie: Some(cookie.clone()),
                ..Default::default()
            },
        };
        cx.send_handshake(&mut transcript, &HandshakeMessage::ServerHello(hrr))?;
        // See the ServerHello's: after our first message, always.
        cx.send_dummy_ccs();
        cx.negotiated.retried = true;
        // RFC 8446 section 4.2.10: 0-RTT is rejected with a
        // HelloRetryRequest, and its records (in plaintext, as far as our
        // read side knows) are skipped until the second ClientHello.
        cx.negotiated.early_data_offered = ch.extensions.early_data;
        cx.negotiated.early_data = early_data::server_decide_at_retry(
            &self.config,
            ch,
            self.config.shared.time.now().as_secs(),
        );
        if ch.extensions.early_data {
            cx.skip_early_data = Some(early_data::skip_budget(&self.config));
        }
        Ok(ServerState::ClientHello(ExpectClientHello {
            config: self.config,
            retry: Some(Retry {
                suite,
                group,
                cookie,
                transcript,
                first_hello: Retry::digest(raw)?,
                first_had_psk: ch.extensions.psk.is_some(),
            }),
        }))
    }
}

pub(crate) struct ExpectFinished {
    pub(super) transcript: Transcript,
    pub(super) client_hs: TrafficSecret,
    client_ap: TrafficSecret,
    /// Kept for the resumption master secret, which covers the client's Finished.
    master: MasterSecret,
    config: Arc<ServerConfig>,
    send_tickets: bool,
}

impl ExpectFinished {
    fn handle(mut self, cx: &mut Common, verify_data: &[u8], raw: &[u8]) -> Result<(), Error> {
        self.client_hs
            .verify_finished(&self.transcript.current_hash(), verify_data)?;
        cx.set_application_read(self.client_ap)?;
        let (Some(ticketer), n) = (&self.config.ticketer, self.config.tls13_tickets) else {
            return Ok(());
        };
        // A ticket carries the client's chain (as verified, or as restored
        // on resumption) and the SNI name; one too long to carry gets none.
        let peer_certificates = cx.negotiated.peer_certificates.clone();
        let server_name = session_sni(cx.negotiated.sni.as_deref());
        if n == 0 || !self.send_tickets || !storable(&peer_certificates, server_name.as_deref()) {
            return Ok(());
        }
        self.transcript.add(raw);
        let suite = self.master.suite();
        let secret = self
            .master
            .resumption_master_secret(&self.transcript.current_hash());
        let now = self.config.shared.time.now().as_secs();
        for i in 0..n.min(8) {
            // Distinct nonces give each ticket its own PSK.
            let nonce = vec![i as u8];
            let session = Session13 {
                suite,
                psk: resumption_psk(suite, &secret, &nonce),
                ticket: Vec::new(),
                age_add: u32::from_be_bytes(random()?),
                created: now,
                lifetime: ticketer.lifetime(),
                peer_certificates: peer_certificates.clone(),
                server_name: server_name.clone(),
                peer_signature_scheme: cx.negotiated.peer_signature_scheme,
                ocsp_response: None,
                sct_list: None,
                max_early_data: self.config.max_early_data,
                alpn: cx.negotiated.alpn.clone(),
            };
            let ticket = NewSessionTicket {
                lifetime: u32::try_from(ticketer.lifetime().min(MAX_TICKET_LIFETIME)).unwrap_or(0),
                age_add: session.age_add,
                nonce,
                ticket: ticketer.seal13(&session, now)?,
                max_early_data: (self.config.max_early_data > 0)
                    .then_some(self.config.max_early_data),
            };
            cx.send_post_handshake(&HandshakeMessage::NewSessionTicket(ticket))?;
        }
        Ok(())
    }
}

pub(crate) struct ExpectCertificate {
    config: Arc<ServerConfig>,
    finished: ExpectFinished,
}

impl ExpectCertificate {
    fn handle(
        mut self,
        cx: &mut Common,
        cert: CertificateMsg,
        raw: &[u8],
    ) -> Result<ServerState, Error> {
        let Some(verifier) = self.config.client_verifier.clone() else {
            return Err(Error::internal("client certificate without a verifier"));
        };
        if !cert.context.is_empty() {
            return Err(Error::illegal(
                "client Certificate has a request context we never sent",
            ));
        }
        // Our CertificateRequest solicits no entry extensions.
        cert.check_extensions(&[])?;
        self.finished.transcript.add(raw);
        let Some((leaf, intermediates)) = cert.chain.split_first() else {
            if verifier.client_auth_mandatory() {
                return Err(Error::protocol(
                    AlertDescription::CertificateRequired,
                    "client sent no certificate, and this server requires one",
                ));
            }
            return Ok(ServerState::Finished(self.finished));
        };
        verifier
            .verify_client_cert(leaf, intermediates, self.config.shared.time.now())
            .map_err(Error::Certificate)?;
        cx.negotiated.peer_certificates = cert.chain.clone();
        let next = ExpectCertificateVerify {
            verifier,
            leaf: leaf.clone(),
            finished: self.finished,
        };
        if let Some(v) = self.config.async_client_verifier.clone() {
            let input = ClientCertInput {
                end_entity: leaf.clone(),
                intermediates: intermediates.to_vec(),
                now: self.config.shared.time.now(),
            };
            return Ok(ServerState::VerifyClient(Box::new(Paused {
                request: Request::VerifyClient(input),
                hook: Hook::ClientVerifier(v),
                next,
            })));
        }
        Ok(ServerState::CertificateVerify(next))
    }
}

pub(crate) struct ExpectCertificateVerify {
    verifier: Arc<dyn ClientCertVerifier>,
    leaf: rustls_pki_types::CertificateDer<'static>,
    finished: ExpectFinished,
}

impl ExpectCertificateVerify {
    fn handle(
        mut self,
        cx: &mut Common,
        cv: CertificateVerify,
        raw: &[u8],
    ) -> Result<ServerState, Error> {
        if !self.verifier.supported_schemes().contains(&cv.scheme) {
            return Err(Error::illegal(format!(
                "client signed with {:?}, which we did not offer",
                cv.scheme
            )));
        }
        let message = certificate_verify_message(false, &self.finished.transcript.current_hash());
        self.verifier
            .verify_tls13_signature(&message, &self.leaf, cv.scheme, &cv.signature)?;
        cx.negotiated.peer_signature_scheme = Some(cv.scheme);
        self.finished.transcript.add(raw);
        Ok(ServerState::Finished(self.finished))
    }
}

/// The ALPN protocol to select: ours first, among the client's.
/// The signature_algorithms of a TLS 1.3 CertificateRequest, never empty
/// (RFC 8446 section 4.3.2 gives it `<2..2^16-2>`, and a client cannot
/// decode an empty one). A verifier with no TLS 1.3 CertificateVerify
/// scheme (say, only RSASSA-PKCS1-v1_5) advertises its TLS 1.2 schemes:
/// section 4.2.3 lets PKCS#1 v1.5 values appear there, where they speak of
/// certificate signatures. A CertificateVerify must still use a TLS 1.3
/// scheme the verifier lists, so a client signing with PKCS#1 v1.5 is
/// refused with illegal_parameter (ExpectCertificateVerify), as BoringSSL
/// does.
fn certificate_request_schemes(v: &dyn ClientCertVerifier) -> Result<Vec<SignatureScheme>, Error> {
    let schemes = v.supported_schemes();
    if !schemes.is_empty() {
        return Ok(schemes);
    }
    let tls12 = v.supported_schemes_tls12();
    if tls12.is_empty() {
        return Err(Error::Config(
            "the client certificate verifier accepts no signature scheme".into(),
        ));
    }
    Ok(tls12)
}

pub(crate) fn choose_alpn(
    config: &ServerConfig,
    ch: &ClientHello,
) -> Result<Option<Vec<u8>>, Error> {
    let (Some(theirs), false) = (&ch.extensions.alpn, config.shared.alpn.is_empty()) else {
        return Ok(None);
    };
    match config.shared.alpn.iter().find(|p| theirs.contains(p)) {
        Some(p) => Ok(Some(p.clone())),
        None => Err(Error::NoApplicationProtocol {
            ours: config
                .shared
                .alpn
                .iter()
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect(),
            theirs: theirs
                .iter()
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect(),
        }),
    }
}

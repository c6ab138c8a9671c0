//! The TLS 1.2 server handshake (RFC 5246 with RFC 7627, 5746, 5077, 8422).
//!
//! Entered from the TLS 1.3 server's ClientHello state when the client
//! offers at most TLS 1.2 and we allow it.

use std::sync::Arc;

use rustls_pki_types::CertificateDer;

use crate::config::{CertifiedKey, ClientHelloInfo, ServerConfig};
use crate::error::Error;
use crate::hooks::{ClientCertInput, ClientHelloDetails, HookFuture};
use crate::proto::conn::{
    looked_up, resolved_certificate, signature, unexpected_in, verified, Answer, Common, Exporter,
    Hook, Paused, Request,
};
use crate::proto::crypto::kx::KeyExchange;
use crate::proto::crypto::suites::Tls12CipherSuite;
use crate::proto::handshake::client12::send12;
use crate::proto::handshake::client13::random;
use crate::proto::handshake::resume::{
    new_session_id, server_may_resume, session_sni, storable, Session12,
};
use crate::proto::handshake::transcript::Transcript;
use crate::proto::keys::keylog;
use crate::proto::keys::tls12::{KeyBlock, MasterSecret12};
use crate::proto::wire::certificate::cap_ca_hints;
use crate::proto::wire::enums::{NamedGroup, ProtocolVersion, SignatureScheme};
use crate::proto::wire::extensions::ServerHelloExtensions;
use crate::proto::wire::hello::{ClientHello, ServerHello, DOWNGRADE_TLS12};
use crate::proto::wire::tls12::{
    CertificateRequest12, Handshake12, ServerKeyExchange, CLIENT_CERT_TYPES,
};

/// A TLS 1.2 server handshake in progress.
pub(crate) enum Server12State {
    ClientCertificate(Box<Hs>),
    ClientKeyExchange(Box<Hs>),
    CertificateVerify(Box<Keyed>),
    ChangeCipherSpec(Box<Keyed>),
    Finished(Box<Keyed>),
    /// Paused for the asynchronous certificate resolver; nothing sent yet.
    SelectCertificate(Box<Paused<Hello12>>),
    /// Paused for the asynchronous signer; ServerHello and Certificate queued.
    Sign(Box<Paused<Flight12>>),
    /// Paused for the asynchronous client-certificate verifier.
    VerifyClient(Box<Paused<Box<Hs>>>),
    /// Paused for an asynchronous session store's lookup; nothing sent yet.
    LookupSession(Box<Paused<Hello12>>),
}

/// Before the master secret.
pub(crate) struct Hs {
    config: Arc<ServerConfig>,
    suite: &'static Tls12CipherSuite,
    transcript: Transcript,
    client_random: [u8; 32],
    server_random: [u8; 32],
    session_id: Vec<u8>,
    ems: bool,
    send_ticket: bool,
    kx: Option<KeyExchange>,
    client_leaf: Option<CertificateDer<'static>>,
}

/// After the master secret.
pub(crate) struct Keyed {
    hs: Hs,
    master: MasterSecret12,
    keys: KeyBlock,
    resumed: bool,
}

impl Server12State {
    /// The handshake types this state handles; conn.rs refuses any other
    /// type before decoding its body.
    pub(crate) fn expects(&self) -> &'static [crate::proto::wire::enums::HandshakeType] {
        use crate::proto::wire::enums::HandshakeType as T;
        match self {
            Self::ClientCertificate(_) => &[T::Certificate],
            Self::ClientKeyExchange(_) => &[T::ClientKeyExchange],
            Self::CertificateVerify(_) => &[T::CertificateVerify],
            Self::ChangeCipherSpec(_) => &[],
            Self::Finished(_) => &[T::Finished],
            Self::SelectCertificate(_)
            | Self::Sign(_)
            | Self::VerifyClient(_)
            | Self::LookupSession(_) => &[],
        }
    }

    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::ClientCertificate(_) => "expecting client Certificate (TLS 1.2)",
            Self::ClientKeyExchange(_) => "expecting ClientKeyExchange",
            Self::CertificateVerify(_) => "expecting client CertificateVerify (TLS 1.2)",
            Self::ChangeCipherSpec(_) => "expecting ChangeCipherSpec",
            Self::Finished(_) => "expecting client Finished (TLS 1.2)",
            Self::SelectCertificate(_) => "waiting for the certificate resolver (TLS 1.2)",
            Self::Sign(_) => "waiting for the signer (TLS 1.2)",
            Self::VerifyClient(_) => "waiting for the client-certificate verifier (TLS 1.2)",
            Self::LookupSession(_) => "waiting for the session store",
        }
    }

    /// What a paused state waits for.
    pub(crate) fn pending(&self) -> Option<&Request> {
        match self {
            Self::SelectCertificate(p) => Some(&p.request),
            Self::Sign(p) => Some(&p.request),
            Self::VerifyClient(p) => Some(&p.request),
            Self::LookupSession(p) => Some(&p.request),
            _ => None,
        }
    }

    /// The future of the hook a paused state waits for.
    pub(crate) fn hook_future(&self) -> Option<HookFuture<Answer>> {
        match self {
            Self::SelectCertificate(p) => Some(p.future()),
            Self::Sign(p) => Some(p.future()),
            Self::VerifyClient(p) => Some(p.future()),
            Self::LookupSession(p) => Some(p.future()),
            _ => None,
        }
    }

    /// Goes on from a paused state with the hook's `answer`.
    pub(crate) fn resume(self, cx: &mut Common, answer: Answer) -> Result<Server12State, Error> {
        match self {
            Self::SelectCertificate(p) => {
                let Paused { request, next, .. } = *p;
                let Request::SelectCertificate(details) = request else {
                    return Err(Error::internal("certificate choice without its request"));
                };
                let cert = resolved_certificate(answer, details.server_name.as_deref())?;
                let (suite, scheme) = details.info().choose12(&cert)?;
                next.respond(cx, &cert, suite, scheme)
            }
            Self::Sign(p) => p.next.finish(cx, signature(answer)?),
            Self::VerifyClient(p) => {
                verified(answer)?;
                Ok(Self::ClientKeyExchange(p.next))
            }
            Self::LookupSession(p) => {
                let found = fresh(&p.next.config, looked_up(answer)?);
                p.next.after_lookup(cx, found)
            }
            other => Err(Error::internal(format!(
                "resumed while {}, which waits for nothing",
                other.name()
            ))),
        }
    }

    pub(crate) fn handle_ccs(self, cx: &mut Common) -> Result<Server12State, Error> {
        match self {
            Self::ChangeCipherSpec(k) => {
                cx.set_read_keys12(
                    k.hs.suite,
                    k.keys.client_key.as_bytes(),
                    k.keys.client_iv.as_bytes(),
                )?;
                Ok(Self::Finished(k))
            }
            other => Err(Error::unexpected(format!(
                "ChangeCipherSpec while {}",
                other.name()
            ))),
        }
    }

    pub(crate) fn handle(
        self,
        cx: &mut Common,
        msg: Handshake12,
        raw: &[u8],
    ) -> Result<Option<Server12State>, Error> {
        match (self, msg) {
            (Self::ClientCertificate(mut hs), Handshake12::Certificate(chain)) => {
                let Some(verifier) = hs.config.client_verifier.clone() else {
                    return Err(Error::internal("client certificate without a verifier"));
                };
                hs.transcript.add(raw);
                if let Some((leaf, intermediates)) = chain.split_first() {
                    verifier
                        .verify_client_cert(leaf, intermediates, hs.config.shared.time.now())
                        .map_err(Error::Certificate)?;
                    hs.client_leaf = Some(leaf.clone());
                    cx.negotiated.peer_certificates = chain.clone();
                    if let Some(v) = hs.config.async_client_verifier.clone() {
                        let input = ClientCertInput {
                            end_entity: leaf.clone(),
                            intermediates: intermediates.to_vec(),
                            now: hs.config.shared.time.now(),
                        };
                        return Ok(Some(Self::VerifyClient(Box::new(Paused {
                            request: Request::VerifyClient(input),
                            hook: Hook::ClientVerifier(v),
                            next: hs,
                        }))));
                    }
                } else if verifier.client_auth_mandatory() {
                    return Err(Error::handshake(
                        "client sent no certificate, and this server requires one",
                    ));
                }
                Ok(Some(Self::ClientKeyExchange(hs)))
            }
            (Self::ClientKeyExchange(mut hs), Handshake12::ClientKeyExchange(public)) => {
                let Some(kx) = hs.kx.take() else {
                    return Err(Error::internal("no key exchange"));
                };
                let premaster = kx.complete(&public)?;
                hs.transcript.add(raw);
                let master = if hs.ems {
                    MasterSecret12::extended(
                        hs.suite,
                        &premaster,
                        &hs.transcript.hash_with(hs.suite.hash),
                    )?
                } else {
                    MasterSecret12::legacy(
                        hs.suite,
                        &premaster,
                        &hs.client_random,
                        &hs.server_random,
                    )?
                };
                let keys = master.key_block(&hs.client_random, &hs.server_random)?;
                let needs_cv = hs.client_leaf.is_some();
                let k = Box::new(Keyed {
                    hs: *hs,
                    master,
                    keys,
                    resumed: false,
                });
                Ok(Some(if needs_cv {
                    Self::CertificateVerify(k)
                } else {
                    Self::ChangeCipherSpec(k)
                }))
            }
            (Self::CertificateVerify(mut k), Handshake12::CertificateVerify(cv)) => {
                let (Some(verifier), Some(leaf)) = (
                    k.hs.config.client_verifier.clone(),
                    k.hs.client_leaf.as_ref(),
                ) else {
                    return Err(Error::internal(
                        "CertificateVerify without a client certificate",
                    ));
                };
                if !verifier.supported_schemes_tls12().contains(&cv.scheme) {
                    return Err(Error::illegal(format!(
                        "client signed with {:?}, which we did not offer",
                        cv.scheme
                    )));
                }
                let Some(msgs) = k.hs.transcript.raw() else {
                    return Err(Error::internal("TLS 1.2 transcript not buffered"));
                };
                verifier.verify_tls12_signature(msgs, leaf, cv.scheme, &cv.signature)?;
                cx.negotiated.peer_signature_scheme = Some(cv.scheme);
                k.hs.transcript.add(raw);
                Ok(Some(Self::ChangeCipherSpec(k)))
            }
            (Self::Finished(mut k), Handshake12::Finished(data)) => {
                let hash = k.hs.transcript.hash_with(k.hs.suite.hash);
                k.master.verify_finished(true, &hash, &data)?;
                k.hs.transcript.add(raw);
                if !k.resumed {
                    let session = session_of(&k, cx);
                    // A session too big to keep gets an empty ticket (RFC
                    // 5077 section 3.3: we already acknowledged the
                    // extension) and no session-ID entry. One without the
                    // extended master secret got neither a session ID nor a
                    // ticket acknowledgement: it is never resumable.
                    let keep = k.hs.ems
                        && storable(&session.peer_certificates, session.server_name.as_deref());
                    if k.hs.send_ticket {
                        if let Some(t) = &k.hs.config.ticketer {
                            let ticket = match keep {
                                true => t.seal(&session, session.created)?,
                                false => Vec::new(),
                            };
                            let hint = u32::try_from(t.lifetime()).unwrap_or(u32::MAX);
                            send12(
                                cx,
                                &mut k.hs.transcript,
                                &Handshake12::NewSessionTicket(hint, ticket),
                            )?;
                        }
                    }
                    if keep && !k.hs.session_id.is_empty() {
                        k.hs.config.session_cache.put(session);
                        cx.negotiated.session_id_cached = true;
                    }
                    send_ccs_and_finished(&mut k, cx)?;
                }
                cx.key_log.log(keylog::CLIENT_RANDOM, k.master.as_bytes());
                cx.exporter = Some(Exporter::Tls12 {
                    master: k.master,
                    client_random: k.hs.client_random,
                    server_random: k.hs.server_random,
                });
                Ok(None)
            }
            (state, m) => Err(unexpected_in(state.name(), m.typ())),
        }
    }
}

/// The session a full handshake made: with the client's verified chain and
/// the SNI name, which a resumption must repeat, and the group and client
/// signature scheme, which a resumption reports.
fn session_of(k: &Keyed, cx: &Common) -> Session12 {
    Session12 {
        peer_certificates: cx.negotiated.peer_certificates.clone(),
        server_name: session_sni(cx.negotiated.sni.as_deref()),
        group: cx.negotiated.group,
        peer_signature_scheme: cx.negotiated.peer_signature_scheme,
        ocsp_response: None,
        sct_list: None,
        session_id: k.hs.session_id.clone(),
        ticket: None,
        master: k.master.clone(),
        extended_ms: k.hs.ems,
        created: k.hs.config.shared.time.now().as_secs(),
        lifetime: k
            .hs
            .config
            .ticketer
            .as_ref()
            .map_or(12 * 3600, |t| t.lifetime()),
    }
}

fn send_ccs_and_finished(k: &mut Keyed, cx: &mut Common) -> Result<(), Error> {
    cx.send_dummy_ccs();
    cx.set_write_keys12(
        k.hs.suite,
        k.keys.server_key.as_bytes(),
        k.keys.server_iv.as_bytes(),
    )?;
    let verify = k
        .master
        .verify_data(false, &k.hs.transcript.hash_with(k.hs.suite.hash))?;
    send12(cx, &mut k.hs.transcript, &Handshake12::Finished(verify))
}

/// The session a ticket in the ClientHello carries, if we can open it.
fn ticket_session(config: &ServerConfig, ch: &ClientHello) -> Option<Session12> {
    let now = config.shared.time.now().as_secs();
    match (&ch.extensions.session_ticket, &config.ticketer) {
        (Some(t), Some(ticketer)) if !t.is_empty() => ticketer.open(t, now),
        _ => None,
    }
}

/// A session from the store, if it is still fresh.
fn fresh(config: &ServerConfig, s: Option<Session12>) -> Option<Session12> {
    let now = config.shared.time.now().as_secs();
    s.filter(|s| s.is_fresh(now))
}

/// `found` (from a ticket or the store) when we can resume it, or an
/// error when the client offers an extended-master-secret session without
/// the extension.
fn usable_session(
    config: &ServerConfig,
    ch: &ClientHello,
    found: Option<Session12>,
) -> Result<Option<Session12>, Error> {
    let Some(s) = found else {
        return Ok(None);
    };
    let usable = ch.cipher_suites.contains(&s.suite().suite)
        && config.shared.protocols.suites12.iter().any(|x| x.suite == s.suite().suite)
        // Only extended-master-secret sessions are ever resumed (we store
        // no others; RFC 7627 section 5.3 asks a full handshake for one
        // without it when the client now offers the extension).
        && s.extended_ms
        // RFC 6066 section 3: the same server_name; and who the client was
        // must still pass today's client-auth policy.
        && server_may_resume(
            config.client_verifier.as_deref(),
            &s.peer_certificates,
            s.server_name.as_deref(),
            ch.extensions.server_name.as_deref(),
            config.shared.time.now(),
        );
    if !usable {
        return Ok(None);
    }
    // RFC 7627 section 5.3: "If the original session used the
    // "extended_master_secret" extension but the new ClientHello does not
    // contain it, the server MUST abort the abbreviated handshake."
    if !ch.extensions.extended_master_secret {
        return Err(Error::handshake(
            "client offered an extended-master-secret session without the extension (RFC 7627 section 5.3)",
        ));
    }
    Ok(Some(s))
}

/// Handles a ClientHello that negotiates TLS 1.2. `mark_downgrade` sets the
/// RFC 8446 sentinel because we would have spoken TLS 1.3.
pub(crate) fn handle_client_hello(
    config: Arc<ServerConfig>,
    cx: &mut Common,
    ch: ClientHello,
    raw: &[u8],
    mark_downgrade: bool,
) -> Result<Server12State, Error> {
    let ext = &ch.extensions;
    if !ch.compression_methods.contains(&0) {
        return Err(Error::illegal(
            "client offered no null compression: compression is refused",
        ));
    }
    if ext
        .renegotiation_info
        .as_ref()
        .is_some_and(|r| !r.is_empty())
    {
        return Err(Error::handshake(
            "client sent non-empty renegotiation_info in an initial handshake",
        ));
    }
    if !ext.extended_master_secret && config.shared.require_ems {
        return Err(Error::handshake(
            "client does not support the extended master secret (RFC 7627), which this server requires",
        ));
    }
    let secure_reneg = ext.renegotiation_info.is_some()
        || ch
            .cipher_suites
            .contains(&crate::proto::wire::enums::CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
    if ext
        .ec_point_formats
        .as_ref()
        .is_some_and(|f| !f.contains(&0))
    {
        return Err(Error::illegal(
            "client does not accept uncompressed EC points",
        ));
    }
    let alpn = crate::proto::handshake::server13::choose_alpn(&config, &ch)?;
    cx.negotiated.peer_alpn = ext.alpn.clone().unwrap_or_default();
    let mut server_random: [u8; 32] = random()?;
    if mark_downgrade {
        server_random[24..].copy_from_slice(&DOWNGRADE_TLS12);
    }
    let mut transcript = Transcript::default();
    transcript.add(raw);
    let sni = ext.server_name.clone();
    cx.negotiated.version = Some(ProtocolVersion::TLSv1_2);
    cx.negotiated.sni = sni.clone();
    cx.negotiated.alpn = alpn.clone();
    cx.negotiated.extended_master_secret = ext.extended_master_secret;
    let sh_ext = ServerHelloExtensions {
        extended_master_secret: ext.extended_master_secret,
        renegotiation_info: secure_reneg.then(Vec::new),
        alpn: alpn.clone(),
        ..Default::default()
    };

    let hello = Hello12 {
        config,
        ch,
        sh_ext,
        server_random,
        transcript,
    };
    let ticketed = ticket_session(&hello.config, &hello.ch);
    if ticketed.is_none()
        && !hello.ch.session_id.is_empty()
        && hello.config.session_cache.is_async()
    {
        // The store answers asynchronously (a shared store across the
        // network): pause until it does, without blocking the thread.
        let store = hello.config.session_cache.clone();
        return Ok(Server12State::LookupSession(Box::new(Paused {
            request: Request::LookupSession(hello.ch.session_id.clone()),
            hook: Hook::SessionStore(store),
            next: hello,
        })));
    }
    let found = ticketed.or_else(|| {
        (!hello.ch.session_id.is_empty())
            .then(|| {
                fresh(
                    &hello.config,
                    hello.config.session_cache.get(&hello.ch.session_id),
                )
            })
            .flatten()
    });
    hello.after_lookup(cx, found)
}

impl Hello12 {
    /// Resumes `found` when it may be, else goes on with a full handshake.
    fn after_lookup(
        self,
        cx: &mut Common,
        found: Option<Session12>,
    ) -> Result<Server12State, Error> {
        let Hello12 {
            config,
            ch,
            mut sh_ext,
            server_random,
            mut transcript,
        } = self;
        if let Some(session) = usable_session(&config, &ch, found)? {
            let suite = session.suite();
            sh_ext.ec_point_formats = None;
            let sh = ServerHello {
                legacy_version: ProtocolVersion::TLSv1_2.get(),
                random: server_random,
                session_id: ch.session_id.clone(),
                cipher_suite: suite.suite,
                compression_method: 0,
                extensions: sh_ext,
            };
            send12(cx, &mut transcript, &Handshake12::ServerHello(sh))?;
            let keys = session.master.key_block(&ch.random, &server_random)?;
            cx.negotiated.cipher_suite = Some(suite.suite);
            cx.negotiated.resumed = true;
            cx.negotiated.peer_certificates = session.peer_certificates.clone();
            // No key exchange and no signature in an abbreviated handshake: what
            // the session's full handshake used is what the connection reports.
            cx.negotiated.group = session.group;
            cx.negotiated.peer_signature_scheme = session.peer_signature_scheme;
            tracing::debug!("resuming TLS 1.2 session");
            let mut k = Keyed {
                hs: Hs {
                    config,
                    suite,
                    transcript,
                    client_random: ch.random,
                    server_random,
                    session_id: ch.session_id.clone(),
                    ems: session.extended_ms,
                    send_ticket: false,
                    kx: None,
                    client_leaf: None,
                },
                master: session.master,
                keys,
                resumed: true,
            };
            send_ccs_and_finished(&mut k, cx)?;
            return Ok(Server12State::ChangeCipherSpec(Box::new(k)));
        }

        let ext = &ch.extensions;
        let sni = &ext.server_name;
        let schemes = ext.signature_algorithms.as_deref().ok_or_else(|| {
            Error::handshake(
                "TLS 1.2 client offered no signature_algorithms; SHA-1 signatures are refused",
            )
        })?;
        let info = ClientHelloInfo {
            server_name: sni.as_deref(),
            signature_schemes: schemes,
            alpn: ext.alpn.as_deref().unwrap_or(&[]),
            version: ProtocolVersion::TLSv1_2,
            cipher_suites: &ch.cipher_suites,
            groups: ext.supported_groups.as_deref(),
            certificate_authorities: ext.certificate_authorities.as_deref().unwrap_or(&[]),
            shared: &config.shared,
        };
        if let Some(resolver) = config.async_resolver.clone() {
            let details = ClientHelloDetails::new(&info, config.clone());
            return Ok(Server12State::SelectCertificate(Box::new(Paused {
                request: Request::SelectCertificate(details),
                hook: Hook::Resolver(resolver),
                next: Hello12 {
                    config,
                    ch,
                    sh_ext,
                    server_random,
                    transcript,
                },
            })));
        }
        let cert = config.resolver.try_resolve(&info)?;
        let (suite, scheme) = info.choose12(&cert)?;
        let hello = Hello12 {
            config: config.clone(),
            ch,
            sh_ext,
            server_random,
            transcript,
        };
        hello.respond(cx, &cert, suite, scheme)
    }
}

/// A TLS 1.2 ClientHello for a full handshake, before the certificate is
/// chosen: what the rest of our flight needs.
pub(crate) struct Hello12 {
    config: Arc<ServerConfig>,
    ch: ClientHello,
    sh_ext: ServerHelloExtensions,
    server_random: [u8; 32],
    transcript: Transcript,
}

impl Hello12 {
    /// Sends ServerHello, Certificate (and CertificateStatus), then signs
    /// the ServerKeyExchange (or pauses for the asynchronous signer).
    fn respond(
        self,
        cx: &mut Common,
        cert: &CertifiedKey,
        suite: &'static Tls12CipherSuite,
        scheme: SignatureScheme,
    ) -> Result<Server12State, Error> {
        let Hello12 {
            config,
            ch,
            mut sh_ext,
            server_random,
            mut transcript,
        } = self;
        let ext = &ch.extensions;
        let sni = &ext.server_name;
        let group = choose_group(&config, &ch)?;
        let kx = KeyExchange::start(group)?;
        let public = kx.public_key().to_vec();

        // A session without the extended master secret is never resumable, so
        // it gets neither a ticket nor a session ID (see resume.rs).
        let resumable = ext.extended_master_secret;
        let send_ticket = resumable && ext.session_ticket.is_some() && config.ticketer.is_some();
        // A session with a ticket is not also kept by session ID: the ticket
        // resumes it, and the cache keeps room for clients without tickets.
        // RFC 5077 section 3.4: "If a server is planning to issue a
        // NewSessionTicket, it SHOULD include an empty Session ID in the
        // ServerHello. If the server includes a non-empty session ID, then it is
        // indicating intent to use stateful session resume." (BoringSSL too.)
        let session_id = if resumable && !send_ticket && config.session_cache.enabled() {
            new_session_id()?
        } else {
            Vec::new()
        };
        sh_ext.session_ticket_ack = send_ticket;
        // RFC 6066 section 3: a server that used the client's server_name
        // "SHALL include an extension of type "server_name" in the (extended)
        // server hello", empty; we look the certificate up by it. Not when
        // resuming (above): "When resuming a session, the server MUST NOT
        // include a server_name extension in the server hello."
        sh_ext.server_name_ack = sni.is_some();
        sh_ext.ec_point_formats = ext.ec_point_formats.as_ref().map(|_| vec![0]);
        // RFC 6066 section 8: staple only to a client that asked, and then
        // acknowledge with an empty status_request.
        let staple = cert.ocsp.as_ref().filter(|_| ext.status_request);
        sh_ext.status_request_ack = staple.is_some();
        if ext.signed_certificate_timestamp {
            sh_ext.sct_list = cert.sct_list.clone();
        }
        let sh = ServerHello {
            legacy_version: ProtocolVersion::TLSv1_2.get(),
            random: server_random,
            session_id: session_id.clone(),
            cipher_suite: suite.suite,
            compression_method: 0,
            extensions: sh_ext,
        };
        send12(cx, &mut transcript, &Handshake12::ServerHello(sh))?;
        send12(
            cx,
            &mut transcript,
            &Handshake12::Certificate(cert.chain.clone()),
        )?;
        if let Some(r) = staple {
            send12(
                cx,
                &mut transcript,
                &Handshake12::CertificateStatus(r.clone()),
            )?;
        }
        let mut signed = Vec::with_capacity(64 + 4 + public.len());
        signed.extend_from_slice(&ch.random);
        signed.extend_from_slice(&server_random);
        signed.extend_from_slice(&ServerKeyExchange::params(group, &public)?);
        let flight = Flight12 {
            hs: Box::new(Hs {
                suite,
                transcript,
                client_random: ch.random,
                server_random,
                session_id,
                ems: ext.extended_master_secret,
                send_ticket,
                kx: Some(kx),
                client_leaf: None,
                config,
            }),
            group,
            public,
            scheme,
        };
        if let Some(signer) = cert.key.async_signer() {
            // ServerHello and Certificate stay queued; the rest of the
            // flight follows when the signer answers.
            return Ok(Server12State::Sign(Box::new(Paused {
                request: Request::Sign {
                    scheme,
                    message: signed,
                },
                hook: Hook::Signer(signer.clone()),
                next: flight,
            })));
        }
        let signature = cert.key.sign(scheme, &signed)?;
        flight.finish(cx, signature)
    }
}

/// Our flight up to the Certificate is queued; the ServerKeyExchange
/// signature is awaited.
pub(crate) struct Flight12 {
    hs: Box<Hs>,
    group: NamedGroup,
    public: Vec<u8>,
    scheme: SignatureScheme,
}

impl Flight12 {
    /// Sends ServerKeyExchange, CertificateRequest and ServerHelloDone.
    fn finish(self, cx: &mut Common, signature: Vec<u8>) -> Result<Server12State, Error> {
        let Flight12 {
            mut hs,
            group,
            public,
            scheme,
        } = self;
        send12(
            cx,
            &mut hs.transcript,
            &Handshake12::ServerKeyExchange(ServerKeyExchange {
                group,
                public,
                scheme,
                signature,
            }),
        )?;
        if let Some(v) = &hs.config.client_verifier {
            let req = CertificateRequest12 {
                types: CLIENT_CERT_TYPES.to_vec(),
                schemes: v.supported_schemes_tls12(),
                authorities: cap_ca_hints(v.root_subjects()),
            };
            send12(
                cx,
                &mut hs.transcript,
                &Handshake12::CertificateRequest(req),
            )?;
        }
        send12(cx, &mut hs.transcript, &Handshake12::ServerHelloDone)?;
        cx.negotiated.cipher_suite = Some(hs.suite.suite);
        cx.negotiated.group = Some(group);
        Ok(if hs.config.client_verifier.is_some() {
            Server12State::ClientCertificate(hs)
        } else {
            Server12State::ClientKeyExchange(hs)
        })
    }
}

fn choose_group(config: &ServerConfig, ch: &ClientHello) -> Result<NamedGroup, Error> {
    // The KEM hybrids exist only in TLS 1.3.
    let ours: Vec<NamedGroup> = config
        .shared
        .protocols
        .groups
        .iter()
        .copied()
        .filter(|g| !KeyExchange::tls13_only(*g))
        .collect();
    match &ch.extensions.supported_groups {
        // RFC 8422 section 4 lets a server pick any curve for a client that
        // sends no supported_groups; like BoringSSL and rustls we do not
        // guess (every TLS 1.2 suite we have is ECDHE): no shared
        // parameters, handshake_failure.
        None => Err(Error::NoCommonGroup {
            ours,
            theirs: Vec::new(),
        }),
        Some(theirs) => ours
            .iter()
            .copied()
            .find(|g| theirs.contains(g))
            .ok_or_else(|| Error::NoCommonGroup {
                ours: ours.clone(),
                theirs: theirs.clone(),
            }),
    }
}

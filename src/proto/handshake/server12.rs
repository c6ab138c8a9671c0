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
use crate::proto::handshake::transcript::{Transcript, TLS12_FLIGHTS};
use crate::proto::keys::keylog;
use crate::proto::keys::tls12::{KeyBlock, MasterSecret12};
use crate::proto::wire::certificate::cap_ca_hints;
use crate::proto::wire::enums::{NamedGroup, ProtocolVersion, SignatureScheme};
use crate::proto::wire::extensions::ServerHelloExtensions;
use crate::proto::wire::hello::{ClientHello, ServerHello, DOWNGRADE_TLS12};
use crate::proto::wire::tls12::{
    certificate_message, CertificateRequest12, Handshake12, ServerKeyExchange, CLIENT_CERT_TYPES,
};

#[path = "server12_flight.rs"]
mod flight;
use flight::{Flight12, Hello12};

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
                    randoms: Box::new(crate::proto::common::Randoms12 {
                        client: k.hs.client_random,
                        server: k.hs.server_random,
                    }),
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
    transcript.reserve_buffer(raw.len() + TLS12_FLIGHTS);
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

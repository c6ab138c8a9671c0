//! The TLS 1.2 client handshake (RFC 5246 with RFC 7627, 5746, 5077, 8422).
//!
//! Entered from the TLS 1.3 client's ServerHello state when the server picks
//! TLS 1.2. A full handshake runs Certificate, ServerKeyExchange,
//! an optional CertificateRequest, ServerHelloDone, then our flight; an abbreviated one
//! (session ID or ticket) goes straight to ChangeCipherSpec and Finished.

use std::sync::Arc;

use rustls_pki_types::{CertificateDer, ServerName};

use crate::config::{choose_client_cert, ClientConfig};
use crate::error::Error;
use crate::hooks::{HookFuture, ServerCertInput};
use crate::proto::conn::{
    signature, unexpected_in, verified, Answer, Common, Exporter, Hook, Paused, Request,
};
use crate::proto::crypto::kx::KeyExchange;
use crate::proto::crypto::suites::{Tls12Auth, Tls12CipherSuite};
use crate::proto::handshake::resume::{storable, Session12};
use crate::proto::handshake::transcript::{Transcript, TLS12_FLIGHTS};
use crate::proto::keys::keylog;
use crate::proto::keys::tls12::{KeyBlock, MasterSecret12};
use crate::proto::wire::certificate::CertificateVerify;
use crate::proto::wire::enums::{AlertDescription, ProtocolVersion, SignatureScheme};
use crate::proto::wire::hello::ServerHello;
use crate::proto::wire::tls12::{
    certificate_message, CertificateRequest12, Handshake12, ServerKeyExchange,
};

/// Default lifetime of a session the server gave no hint for.
const DEFAULT_SESSION_LIFETIME: u64 = 2 * 3600;

/// A TLS 1.2 client handshake in progress.
pub(crate) enum Client12State {
    Certificate(Box<Hs12>),
    /// The server acknowledged status_request: a CertificateStatus may come
    /// (RFC 6066 section 8 lets the server omit it after all).
    CertificateStatus(Box<Hs12>, CertificateDer<'static>),
    ServerKeyExchange(Box<Hs12>, CertificateDer<'static>),
    ServerHelloDone(Box<Hs12>, ServerKeyExchange, Option<CertificateRequest12>),
    /// Waiting for NewSessionTicket (if acknowledged), then ChangeCipherSpec.
    ChangeCipherSpec(Box<Keyed>),
    Finished(Box<Keyed>),
    /// Paused for the asynchronous server-certificate verifier.
    VerifyServer(Box<Paused<(Box<Hs12>, CertificateDer<'static>)>>),
    /// Paused for the asynchronous signer of our client certificate;
    /// Certificate and ClientKeyExchange queued.
    Sign(Box<Paused<ClientFlight12>>),
}

/// What the handshake carries before keys exist.
pub(crate) struct Hs12 {
    config: Arc<ClientConfig>,
    cache_key: Option<String>,
    suite: &'static Tls12CipherSuite,
    transcript: Transcript,
    client_random: [u8; 32],
    server_random: [u8; 32],
    session_id: Vec<u8>,
    ems: bool,
    ticket_expected: bool,
    status_expected: bool,
}

/// What the handshake carries once the master secret is known.
pub(crate) struct Keyed {
    hs: Hs12,
    master: MasterSecret12,
    keys: KeyBlock,
    ticket: Option<(u32, Vec<u8>)>,
    /// True for an abbreviated handshake: the server's Finished comes first.
    resumed: bool,
}

/// The inputs to the TLS 1.2 branch, from the ClientHello we sent.
pub(crate) struct Offer {
    pub config: Arc<ClientConfig>,
    pub server_name: ServerName<'static>,
    pub client_random: [u8; 32],
    pub session_id: Vec<u8>,
    pub offered_session: Option<Session12>,
    pub transcript: Transcript,
}

pub(crate) fn cache_key(name: &ServerName<'_>) -> Option<String> {
    match name {
        ServerName::DnsName(d) => Some(d.as_ref().to_ascii_lowercase()),
        ServerName::IpAddress(ip) => Some(format!("{:?}", std::net::IpAddr::from(*ip))),
        _ => None,
    }
}

/// Handles a ServerHello that selected TLS 1.2.
pub(crate) fn handle_server_hello(
    offer: Offer,
    cx: &mut Common,
    sh: ServerHello,
    raw: &[u8],
) -> Result<Client12State, Error> {
    let config = offer.config;
    let suite = config
        .shared
        .protocols
        .suites12
        .iter()
        .copied()
        .find(|s| s.suite == sh.cipher_suite)
        .ok_or_else(|| {
            Error::illegal(format!(
                "server chose cipher suite {:?}, which we did not offer for TLS 1.2",
                sh.cipher_suite
            ))
        })?;
    if sh.compression_method != 0 {
        return Err(Error::illegal(
            "server chose compression, which we never offer",
        ));
    }
    // An echoed session ID means the server resumes (RFC 5246 section
    // 7.4.1.3). With no session offered, the ID we sent was the random
    // TLS 1.3 compatibility one (RFC 8446 appendix D.4), a session no server
    // can hold: illegal_parameter, as BoringSSL answers, rather than
    // trusting a "resumption" of nothing.
    if offer.offered_session.is_none()
        && !offer.session_id.is_empty()
        && sh.session_id == offer.session_id
    {
        return Err(Error::illegal(
            "TLS 1.2 server echoed the TLS 1.3 compatibility session ID, a session we never offered",
        ));
    }
    let ext = &sh.extensions;
    if ext.key_share.is_some() || ext.cookie.is_some() || ext.selected_group.is_some() {
        return Err(Error::protocol(
            AlertDescription::UnsupportedExtension,
            "TLS 1.2 ServerHello carries TLS 1.3 extensions",
        ));
    }
    if ext
        .renegotiation_info
        .as_ref()
        .is_some_and(|r| !r.is_empty())
    {
        return Err(Error::handshake(
            "server sent non-empty renegotiation_info in an initial handshake",
        ));
    }
    if !ext.extended_master_secret && config.shared.require_ems {
        return Err(Error::handshake(
            "server does not support the extended master secret (RFC 7627), which this client requires",
        ));
    }
    if let Some(p) = &ext.alpn {
        if !config.shared.alpn.contains(p) {
            return Err(Error::illegal(format!(
                "server selected ALPN protocol {:?}, which we did not offer",
                String::from_utf8_lossy(p)
            )));
        }
    }
    let mut transcript = offer.transcript;
    transcript.start_hash_keeping_raw(suite.hash);
    transcript.reserve_buffer(TLS12_FLIGHTS);
    transcript.add(raw);
    let n = &mut cx.negotiated;
    n.version = Some(ProtocolVersion::TLSv1_2);
    n.cipher_suite = Some(suite.suite);
    n.alpn = ext.alpn.clone();
    n.extended_master_secret = ext.extended_master_secret;
    n.sct_list = ext.sct_list.clone();
    let key = cache_key(&offer.server_name);
    let hs = Hs12 {
        config: config.clone(),
        cache_key: key.clone(),
        suite,
        transcript,
        client_random: offer.client_random,
        server_random: sh.random,
        session_id: sh.session_id.clone(),
        ems: ext.extended_master_secret,
        ticket_expected: ext.session_ticket_ack,
        status_expected: ext.status_request_ack,
    };
    if let Some(session) = offer.offered_session {
        if !sh.session_id.is_empty() && sh.session_id == offer.session_id {
            // The server resumes: same suite, same EMS state (RFC 7627 section 5.3).
            if session.suite().suite != suite.suite {
                return Err(Error::illegal(
                    "server resumed a session with a different cipher suite",
                ));
            }
            if session.extended_ms != hs.ems {
                // RFC 7627 section 5.3: the client "MUST abort the handshake".
                return Err(Error::handshake(
                    "resumed session's extended master secret state changed",
                ));
            }
            let keys = session
                .master
                .key_block(&hs.client_random, &hs.server_random)?;
            cx.negotiated.resumed = true;
            // The server proved it holds the session; who it was is what we
            // verified when the session was made.
            cx.negotiated.peer_certificates = session.peer_certificates.clone();
            // Nothing is exchanged or signed again: report the session's.
            cx.negotiated.group = session.group;
            cx.negotiated.peer_signature_scheme = session.peer_signature_scheme;
            cx.negotiated.ocsp_response = session.ocsp_response.clone();
            // A resumed ServerHello's SCT list is ignored: the session's
            // certificate is the one the original list was about.
            cx.negotiated.sct_list = session.sct_list.clone();
            tracing::debug!("resuming TLS 1.2 session");
            return Ok(Client12State::ChangeCipherSpec(Box::new(Keyed {
                master: session.master,
                hs,
                keys,
                ticket: None,
                resumed: true,
            })));
        }
        if let Some(k) = &key {
            config.session_cache.remove(k);
        }
    }
    Ok(Client12State::Certificate(Box::new(hs)))
}

impl Client12State {
    /// The handshake types this state handles; conn.rs refuses any other
    /// type before decoding its body.
    pub(crate) fn expects(&self) -> &'static [crate::proto::wire::enums::HandshakeType] {
        use crate::proto::wire::enums::HandshakeType as T;
        match self {
            Self::Certificate(_) => &[T::Certificate],
            Self::CertificateStatus(..) => &[T::CertificateStatus, T::ServerKeyExchange],
            Self::ServerKeyExchange(..) => &[T::ServerKeyExchange],
            Self::ServerHelloDone(_, _, None) => &[T::CertificateRequest, T::ServerHelloDone],
            Self::ServerHelloDone(_, _, Some(_)) => &[T::ServerHelloDone],
            Self::ChangeCipherSpec(k) if k.hs.ticket_expected && k.ticket.is_none() => {
                &[T::NewSessionTicket]
            }
            Self::ChangeCipherSpec(_) => &[],
            Self::Finished(_) => &[T::Finished],
            Self::VerifyServer(_) | Self::Sign(_) => &[],
        }
    }

    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::Certificate(_) => "expecting Certificate (TLS 1.2)",
            Self::CertificateStatus(..) => "expecting CertificateStatus",
            Self::ServerKeyExchange(..) => "expecting ServerKeyExchange",
            Self::ServerHelloDone(..) => "expecting ServerHelloDone",
            Self::ChangeCipherSpec(_) => "expecting ChangeCipherSpec",
            Self::Finished(_) => "expecting Finished (TLS 1.2)",
            Self::VerifyServer(_) => "waiting for the server-certificate verifier (TLS 1.2)",
            Self::Sign(_) => "waiting for the signer of our certificate (TLS 1.2)",
        }
    }

    /// What a paused state waits for.
    pub(crate) fn pending(&self) -> Option<&Request> {
        match self {
            Self::VerifyServer(p) => Some(&p.request),
            Self::Sign(p) => Some(&p.request),
            _ => None,
        }
    }

    /// The future of the hook a paused state waits for.
    pub(crate) fn hook_future(&self) -> Option<HookFuture<Answer>> {
        match self {
            Self::VerifyServer(p) => Some(p.future()),
            Self::Sign(p) => Some(p.future()),
            _ => None,
        }
    }

    /// Goes on from a paused state with the hook's `answer`.
    pub(crate) fn resume(self, cx: &mut Common, answer: Answer) -> Result<Client12State, Error> {
        match self {
            Self::VerifyServer(p) => {
                verified(answer)?;
                let (hs, leaf) = p.next;
                Self::after_certificate(cx, hs, leaf)
            }
            Self::Sign(p) => {
                let Paused { request, next, .. } = *p;
                let Request::Sign { scheme, .. } = request else {
                    return Err(Error::internal("signature without its request"));
                };
                next.finish(cx, Some((scheme, signature(answer)?)))
            }
            other => Err(Error::internal(format!(
                "resumed while {}, which waits for nothing",
                other.name()
            ))),
        }
    }

    /// The server's chain was accepted: its OCSP staple, if one may come,
    /// is next; else the missing staple is judged now.
    fn after_certificate(
        cx: &mut Common,
        hs: Box<Hs12>,
        leaf: CertificateDer<'static>,
    ) -> Result<Client12State, Error> {
        if hs.status_expected {
            return Ok(Self::CertificateStatus(hs, leaf));
        }
        check_staple12(&hs, cx, None)?;
        Ok(Self::ServerKeyExchange(hs, leaf))
    }

    /// True when a ChangeCipherSpec is what comes next.
    pub(crate) fn handle_ccs(self, cx: &mut Common) -> Result<Client12State, Error> {
        match self {
            Self::ChangeCipherSpec(k) if !k.hs.ticket_expected || k.ticket.is_some() => {
                cx.set_read_keys12(
                    k.hs.suite,
                    k.keys.server_key.as_bytes(),
                    k.keys.server_iv.as_bytes(),
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
    ) -> Result<Option<Client12State>, Error> {
        match (self, msg) {
            (Self::Certificate(mut hs), Handshake12::Certificate(chain)) => {
                let Some((leaf, intermediates)) = chain.split_first() else {
                    return Err(Error::decode(
                        "server sent an empty TLS 1.2 certificate chain",
                    ));
                };
                let Some(name) = server_name_of(&hs) else {
                    return Err(Error::internal("no server name"));
                };
                hs.config
                    .verifier
                    .verify_server_cert(leaf, intermediates, &name, hs.config.shared.time.now())
                    .map_err(Error::Certificate)?;
                hs.transcript.add(raw);
                if let Some(v) = hs.config.async_verifier.clone() {
                    let input = ServerCertInput {
                        end_entity: leaf.clone(),
                        intermediates: intermediates.to_vec(),
                        server_name: name,
                        now: hs.config.shared.time.now(),
                    };
                    let leaf = leaf.clone();
                    cx.negotiated.peer_certificates = chain;
                    return Ok(Some(Self::VerifyServer(Box::new(Paused {
                        request: Request::VerifyServer(input),
                        hook: Hook::ServerVerifier(v),
                        next: (hs, leaf),
                    }))));
                }
                let leaf = leaf.clone();
                cx.negotiated.peer_certificates = chain;
                Self::after_certificate(cx, hs, leaf).map(Some)
            }
            (Self::CertificateStatus(mut hs, leaf), Handshake12::CertificateStatus(response)) => {
                check_staple12(&hs, cx, Some(&response))?;
                hs.transcript.add(raw);
                cx.negotiated.ocsp_response = Some(response);
                Ok(Some(Self::ServerKeyExchange(hs, leaf)))
            }
            (Self::CertificateStatus(hs, leaf), m @ Handshake12::ServerKeyExchange(_)) => {
                check_staple12(&hs, cx, None)?;
                Self::ServerKeyExchange(hs, leaf).handle(cx, m, raw)
            }
            (Self::ServerKeyExchange(mut hs, leaf), Handshake12::ServerKeyExchange(ske)) => {
                if !hs.config.shared.protocols.groups.contains(&ske.group)
                    || KeyExchange::tls13_only(ske.group)
                {
                    return Err(Error::illegal(format!(
                        "server chose group {:?}, which we did not offer",
                        ske.group
                    )));
                }
                check_scheme(&hs, ske.scheme)?;
                let mut signed = Vec::with_capacity(64 + 4 + ske.public.len());
                signed.extend_from_slice(&hs.client_random);
                signed.extend_from_slice(&hs.server_random);
                signed.extend_from_slice(&ServerKeyExchange::params(ske.group, &ske.public)?);
                hs.config.verifier.verify_tls12_signature(
                    &signed,
                    &leaf,
                    ske.scheme,
                    &ske.signature,
                )?;
                hs.transcript.add(raw);
                cx.negotiated.group = Some(ske.group);
                cx.negotiated.peer_signature_scheme = Some(ske.scheme);
                Ok(Some(Self::ServerHelloDone(hs, ske, None)))
            }
            (Self::ServerHelloDone(mut hs, ske, None), Handshake12::CertificateRequest(req)) => {
                hs.transcript.add(raw);
                Ok(Some(Self::ServerHelloDone(hs, ske, Some(req))))
            }
            (Self::ServerHelloDone(mut hs, ske, req), Handshake12::ServerHelloDone) => {
                hs.transcript.add(raw);
                if req.is_none() {
                    // No CertificateVerify of ours will sign the raw messages.
                    hs.transcript.drop_raw();
                }
                send_client_flight(*hs, cx, ske, req).map(Some)
            }
            (Self::ChangeCipherSpec(mut k), Handshake12::NewSessionTicket(hint, ticket))
                if k.hs.ticket_expected && k.ticket.is_none() =>
            {
                k.hs.transcript.add(raw);
                k.ticket = Some((hint, ticket));
                Ok(Some(Self::ChangeCipherSpec(k)))
            }
            (Self::Finished(mut k), Handshake12::Finished(data)) => {
                let hash = k.hs.transcript.hash_with(k.hs.suite.hash);
                k.master.verify_finished(false, &hash, &data)?;
                k.hs.transcript.add(raw);
                if k.resumed {
                    send_ccs_and_finished(&mut k, cx)?;
                }
                finish(*k, cx);
                Ok(None)
            }
            (state, m) => Err(unexpected_in(state.name(), m.typ())),
        }
    }
}

/// Applies the client's OCSP policy to what the server stapled, if we asked.
fn check_staple12(hs: &Hs12, cx: &Common, staple: Option<&[u8]>) -> Result<(), Error> {
    let config = &hs.config;
    if !config.ocsp.asks() {
        return Ok(());
    }
    let now = config.shared.time.now();
    let chain = &cx.negotiated.peer_certificates;
    crate::pki::check_staple(&*config.verifier, config.ocsp, chain, staple, now)
        .map_err(Error::Certificate)
}

fn server_name_of(hs: &Hs12) -> Option<ServerName<'static>> {
    let key = hs.cache_key.as_ref()?;
    ServerName::try_from(key.clone()).ok()
}

/// The scheme must be one we offered and fit the suite's authentication.
fn check_scheme(hs: &Hs12, scheme: SignatureScheme) -> Result<(), Error> {
    if !hs
        .config
        .verifier
        .supported_schemes_tls12()
        .contains(&scheme)
    {
        return Err(Error::illegal(format!(
            "server signed with {scheme:?}, which we did not offer"
        )));
    }
    let rsa = scheme.is_rsa();
    if rsa != (hs.suite.auth == Tls12Auth::Rsa) {
        return Err(Error::illegal(format!(
            "{scheme:?} does not fit cipher suite {:?}",
            hs.suite.suite
        )));
    }
    Ok(())
}

/// The schemes of `schemes` whose key type the CertificateRequest's
/// certificate_types allows: RFC 5246 section 7.4.4 lets the client offer
/// only certificates of the listed types (rsa_sign 1: RSA keys; ecdsa_sign
/// 64: ECDSA keys and, by RFC 8422 section 5.5, Ed25519). A key of another
/// type then has nothing to sign with, so no resolver picks it.
fn allowed_by_certificate_types(types: &[u8], schemes: &[SignatureScheme]) -> Vec<SignatureScheme> {
    schemes
        .iter()
        .copied()
        .filter(|&s| types.contains(if s.is_rsa() { &1 } else { &64 }))
        .collect()
}

fn send_client_flight(
    mut hs: Hs12,
    cx: &mut Common,
    ske: ServerKeyExchange,
    req: Option<CertificateRequest12>,
) -> Result<Client12State, Error> {
    let kx = KeyExchange::start(ske.group)?;
    let public = kx.public_key().to_vec();
    let premaster = kx.complete(&ske.public)?;

    let chosen = match &req {
        Some(req) => {
            let schemes = allowed_by_certificate_types(&req.types, &req.schemes);
            choose_client_cert(&hs.config, &req.authorities, &schemes, false)?
        }
        None => None,
    };
    if req.is_some() {
        // Encoded from the configured chain, without copying it.
        let chain = chosen.as_ref().map_or(&[][..], |(k, _)| &k.chain[..]);
        let certificate = certificate_message(chain)?;
        hs.transcript.add(&certificate);
        cx.send_raw_handshake(&certificate)?;
    }
    send12(
        cx,
        &mut hs.transcript,
        &Handshake12::ClientKeyExchange(public),
    )?;
    let master = if hs.ems {
        MasterSecret12::extended(
            hs.suite,
            &premaster,
            &hs.transcript.hash_with(hs.suite.hash),
        )?
    } else {
        MasterSecret12::legacy(hs.suite, &premaster, &hs.client_random, &hs.server_random)?
    };
    let rest = ClientFlight12 { hs, master };
    let Some((key, scheme)) = chosen else {
        return rest.finish(cx, None);
    };
    let Some(msgs) = rest.hs.transcript.raw() else {
        return Err(Error::internal("TLS 1.2 transcript not buffered"));
    };
    if let Some(signer) = key.key.async_signer() {
        // Certificate and ClientKeyExchange stay queued; CertificateVerify,
        // ChangeCipherSpec and Finished follow when the signer answers.
        return Ok(Client12State::Sign(Box::new(Paused {
            request: Request::Sign {
                scheme,
                message: msgs.to_vec(),
            },
            hook: Hook::Signer(signer.clone()),
            next: rest,
        })));
    }
    let signature = key.key.sign(scheme, msgs)?;
    rest.finish(cx, Some((scheme, signature)))
}

/// Our flight after ClientKeyExchange: CertificateVerify (when we sent a
/// certificate), ChangeCipherSpec and Finished.
pub(crate) struct ClientFlight12 {
    hs: Hs12,
    master: MasterSecret12,
}

impl ClientFlight12 {
    fn finish(
        self,
        cx: &mut Common,
        verify: Option<(SignatureScheme, Vec<u8>)>,
    ) -> Result<Client12State, Error> {
        let ClientFlight12 { mut hs, master } = self;
        if let Some((scheme, signature)) = verify {
            send12(
                cx,
                &mut hs.transcript,
                &Handshake12::CertificateVerify(CertificateVerify { scheme, signature }),
            )?;
        }
        let keys = master.key_block(&hs.client_random, &hs.server_random)?;
        let mut k = Keyed {
            hs,
            master,
            keys,
            ticket: None,
            resumed: false,
        };
        send_ccs_and_finished(&mut k, cx)?;
        Ok(Client12State::ChangeCipherSpec(Box::new(k)))
    }
}

fn send_ccs_and_finished(k: &mut Keyed, cx: &mut Common) -> Result<(), Error> {
    cx.send_dummy_ccs();
    cx.set_write_keys12(
        k.hs.suite,
        k.keys.client_key.as_bytes(),
        k.keys.client_iv.as_bytes(),
    )?;
    let verify = k
        .master
        .verify_data(true, &k.hs.transcript.hash_with(k.hs.suite.hash))?;
    send12(cx, &mut k.hs.transcript, &Handshake12::Finished(verify))
}

pub(crate) fn send12(
    cx: &mut Common,
    transcript: &mut Transcript,
    msg: &Handshake12,
) -> Result<(), Error> {
    let bytes = msg.to_bytes()?;
    transcript.add(&bytes);
    cx.send_raw_handshake(&bytes)
}

fn finish(k: Keyed, cx: &mut Common) {
    let now = k.hs.config.shared.time.now().as_secs();
    if let Some(key) = &k.hs.cache_key {
        let (lifetime, ticket) = match k.ticket {
            Some((hint, t)) if !t.is_empty() => (
                if hint == 0 {
                    DEFAULT_SESSION_LIFETIME
                } else {
                    u64::from(hint)
                },
                Some(t),
            ),
            _ => (DEFAULT_SESSION_LIFETIME, None),
        };
        // A resumed handshake stores again only when the server renewed the
        // ticket; a session without the extended master secret is never
        // kept (see resume.rs).
        let store = if k.resumed {
            ticket.is_some()
        } else {
            ticket.is_some() || !k.hs.session_id.is_empty()
        } && k.hs.ems
            && storable(&cx.negotiated.peer_certificates, None);
        if store {
            cx.negotiated.session_stored = true;
            k.hs.config.session_cache.put(
                key,
                Session12 {
                    session_id: k.hs.session_id.clone(),
                    ticket,
                    master: k.master.clone(),
                    extended_ms: k.hs.ems,
                    created: now,
                    lifetime,
                    peer_certificates: cx.negotiated.peer_certificates.clone(),
                    server_name: None,
                    group: cx.negotiated.group,
                    peer_signature_scheme: cx.negotiated.peer_signature_scheme,
                    ocsp_response: cx.negotiated.ocsp_response.clone(),
                    sct_list: cx.negotiated.sct_list.clone(),
                },
            );
        }
    }
    cx.key_log.log(keylog::CLIENT_RANDOM, k.master.as_bytes());
    cx.exporter = Some(Exporter::Tls12 {
        master: k.master,
        randoms: Box::new(crate::proto::common::Randoms12 {
            client: k.hs.client_random,
            server: k.hs.server_random,
        }),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_types_limit_the_key_types() {
        use SignatureScheme as S;
        let all = [
            S::RSA_PSS_SHA256,
            S::RSA_PKCS1_SHA256,
            S::ECDSA_NISTP256_SHA256,
            S::ED25519,
        ];
        assert_eq!(
            allowed_by_certificate_types(&[1], &all),
            [S::RSA_PSS_SHA256, S::RSA_PKCS1_SHA256]
        );
        assert_eq!(
            allowed_by_certificate_types(&[64], &all),
            [S::ECDSA_NISTP256_SHA256, S::ED25519]
        );
        assert_eq!(allowed_by_certificate_types(&[1, 64], &all), all);
        assert!(allowed_by_certificate_types(&[2], &all).is_empty());
    }
}

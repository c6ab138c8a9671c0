//! The TLS 1.3 server's first flight, from the certificate choice to our
//! Finished, in the two steps an asynchronous hook may pause between: the
//! certificate choice ([`Hello13`], before anything is sent) and the
//! CertificateVerify signature ([`Flight13`], after our Certificate is
//! queued).

use std::sync::Arc;

use zeroize::Zeroizing;

use crate::config::{compress_certificate, CertifiedKey, ClientHelloInfo, ServerConfig};
use crate::error::Error;
use crate::hooks::ClientHelloDetails;
use crate::proto::conn::{claimed, Answer, Common, Exporter, Hook, Paused, Request};
use crate::proto::crypto::sign::certificate_verify_message;
use crate::proto::crypto::suites::Tls13CipherSuite;
use crate::proto::handshake::client13::random;
use crate::proto::handshake::early_data::{self, EarlyDataReason, ExpectEndOfEarlyData};
use crate::proto::handshake::resume::Session13;
use crate::proto::handshake::transcript::Transcript;
use crate::proto::keys::keylog::{self, log_application_secrets, log_handshake_secrets};
use crate::proto::keys::tls13::{EarlySecret, HandshakeSecret, TrafficSecret};
use crate::proto::wire::certificate::{
    cap_ca_hints, CertificateBody, CertificateRequest, CertificateVerify,
};
use crate::proto::wire::enums::{NamedGroup, ProtocolVersion, SignatureScheme};
use crate::proto::wire::extensions::{EncryptedExtensions, KeyShareEntry, ServerHelloExtensions};
use crate::proto::wire::handshake::HandshakeMessage;
use crate::proto::wire::hello::{ClientHello, ServerHello};

use super::{certificate_request_schemes, ExpectCertificate, ExpectFinished, ServerState};

/// What the ClientHello decided, before the certificate is chosen: all the
/// rest of our flight needs.
pub(crate) struct Hello13 {
    pub(super) config: Arc<ServerConfig>,
    pub(super) suite: &'static Tls13CipherSuite,
    pub(super) group: NamedGroup,
    /// Our key share and the (EC)DHE shared secret.
    pub(super) our_public: Vec<u8>,
    pub(super) shared: Zeroizing<Vec<u8>>,
    pub(super) transcript: Transcript,
    pub(super) resumed: Option<(u16, Session13)>,
    /// Set by [`Hello13::decide_early`]: 0-RTT was accepted.
    pub(super) early_secret: Option<TrafficSecret>,
    /// The client sent early_data.
    pub(super) early_offered: bool,
    /// A HelloRetryRequest came first (0-RTT was decided with it).
    pub(super) retried: bool,
    pub(super) alpn: Option<Vec<u8>>,
    pub(super) sni: Option<String>,
    pub(super) session_id: Vec<u8>,
    pub(super) status_request: bool,
    pub(super) signed_certificate_timestamp: bool,
    pub(super) compress_certificate: Option<Vec<u16>>,
    /// RFC 8446 4.2.9: tickets only for clients that can use them.
    pub(super) send_tickets: bool,
}

/// Chooses the certificate for `hello` and goes on with the flight, or
/// pauses for the asynchronous resolver when one is configured. A resumed
/// handshake proves the server's identity with the PSK: no certificate is
/// chosen or sent.
pub(super) fn choose_certificate(
    cx: &mut Common,
    hello: Hello13,
    ch: &ClientHello,
    schemes: &[SignatureScheme],
) -> Result<ServerState, Error> {
    if hello.resumed.is_some() {
        return hello.respond(cx, None);
    }
    let info = ClientHelloInfo {
        server_name: hello.sni.as_deref(),
        signature_schemes: schemes,
        alpn: ch.extensions.alpn.as_deref().unwrap_or(&[]),
        version: ProtocolVersion::TLSv1_3,
        cipher_suites: &ch.cipher_suites,
        groups: ch.extensions.supported_groups.as_deref(),
        certificate_authorities: ch
            .extensions
            .certificate_authorities
            .as_deref()
            .unwrap_or(&[]),
        shared: &hello.config.shared,
    };
    if let Some(resolver) = hello.config.async_resolver.clone() {
        let details = ClientHelloDetails::new(&info, hello.config.clone());
        return Ok(ServerState::SelectCertificate(Box::new(Paused {
            request: Request::SelectCertificate(details),
            hook: Hook::Resolver(resolver),
            next: hello,
        })));
    }
    let cert = hello.config.resolver.try_resolve(&info)?;
    let scheme = info.choose13(&cert)?;
    hello.respond(cx, Some((cert, scheme)))
}

/// Goes on after the asynchronous resolver answered.
pub(super) fn resume_select(
    cx: &mut Common,
    paused: Paused<Hello13>,
    answer: Answer,
) -> Result<ServerState, Error> {
    let Paused { request, next, .. } = paused;
    let Request::SelectCertificate(details) = request else {
        return Err(Error::internal("certificate choice without its request"));
    };
    let cert = crate::proto::conn::resolved_certificate(answer, details.server_name.as_deref())?;
    let scheme = details.info().choose13(&cert)?;
    next.respond(cx, Some((cert, scheme)))
}

/// Goes on after the asynchronous signer answered.
pub(super) fn resume_sign(
    cx: &mut Common,
    paused: Paused<Flight13>,
    answer: Answer,
) -> Result<ServerState, Error> {
    let Paused { request, next, .. } = paused;
    let Request::Sign { scheme, .. } = request else {
        return Err(Error::internal("signature without its request"));
    };
    let signature = crate::proto::conn::signature(answer)?;
    next.finish(cx, Some((scheme, signature)))
}

/// Goes on after the asynchronous anti-replay register answered.
pub(super) fn resume_claim(
    cx: &mut Common,
    paused: Paused<Hello13>,
    answer: Answer,
) -> Result<ServerState, Error> {
    let mut hello = paused.next;
    hello.decide_early(cx, early_data::claim_reason(claimed(answer)?))?;
    // Only a resumed handshake claims: no certificate to choose.
    if hello.resumed.is_none() {
        return Err(Error::internal("0-RTT claim without a session"));
    }
    hello.respond(cx, None)
}

impl Hello13 {
    /// Applies the 0-RTT verdict: the early traffic key when accepted,
    /// else (when the client sent some) the skipping of its early data.
    pub(super) fn decide_early(
        &mut self,
        cx: &mut Common,
        early: EarlyDataReason,
    ) -> Result<(), Error> {
        let early_secret = match early {
            EarlyDataReason::Accepted => {
                let (_, session) = self
                    .resumed
                    .as_ref()
                    .ok_or_else(|| Error::internal("0-RTT without a session"))?;
                let limit = self.config.max_early_data.min(session.max_early_data);
                cx.early_data_limit = usize::try_from(limit).unwrap_or(usize::MAX);
                Some(
                    EarlySecret::new(self.suite, Some(session.psk.as_bytes()))
                        .client_early_traffic_secret(&self.transcript.current_hash()),
                )
            }
            _ => None,
        };
        if let Some(s) = &early_secret {
            cx.key_log
                .log(keylog::CLIENT_EARLY_TRAFFIC_SECRET, s.secret_bytes());
        }
        if !self.retried {
            cx.negotiated.early_data_offered = self.early_offered;
            cx.negotiated.early_data = early;
            if self.early_offered && early_secret.is_none() {
                cx.skip_early_data = Some(early_data::skip_budget(&self.config));
            }
        }
        self.early_secret = early_secret;
        Ok(())
    }

    /// Sends ServerHello through Certificate, then signs (or pauses to).
    fn respond(
        mut self,
        cx: &mut Common,
        credentials: Option<(Arc<CertifiedKey>, SignatureScheme)>,
    ) -> Result<ServerState, Error> {
        let suite = self.suite;
        let resumed = self.resumed.take();
        let sh = ServerHello {
            legacy_version: ProtocolVersion::TLSv1_2.get(),
            random: random()?,
            session_id: std::mem::take(&mut self.session_id),
            cipher_suite: suite.suite,
            compression_method: 0,
            extensions: ServerHelloExtensions {
                selected_version: Some(ProtocolVersion::TLSv1_3),
                key_share: Some(KeyShareEntry {
                    group: self.group,
                    payload: std::mem::take(&mut self.our_public),
                }),
                selected_group: None,
                cookie: None,
                selected_psk: resumed.as_ref().map(|(i, _)| *i),
                ..Default::default()
            },
        };
        let mut transcript = self.transcript;
        cx.send_handshake(&mut transcript, &HandshakeMessage::ServerHello(sh))?;
        // The compatibility change_cipher_spec follows our first handshake
        // message whatever the client's legacy_session_id: RFC 8446 D.4
        // ties it to middlebox compatibility mode, but section 5 lets it
        // come at any point of the handshake, and clients (BoringSSL's
        // runner, for one) and middleboxes may expect it even when the
        // client sent an empty session ID. Six bytes, sent once.
        if !cx.negotiated.retried {
            cx.send_dummy_ccs();
        }
        let hash = transcript.current_hash();
        let hs = EarlySecret::new(suite, resumed.as_ref().map(|(_, s)| s.psk.as_bytes()))
            .into_handshake(&self.shared);
        let client_hs = hs.client_handshake_traffic_secret(&hash);
        let server_hs = hs.server_handshake_traffic_secret(&hash);
        log_handshake_secrets(cx, &client_hs, &server_hs);
        cx.set_write_secret(&server_hs)?;
        // Accepted 0-RTT data comes first, under the early traffic key.
        cx.set_read_secret(self.early_secret.as_ref().unwrap_or(&client_hs))?;

        let ee = EncryptedExtensions {
            // RFC 6066 section 3: "When resuming a session, the server MUST
            // NOT include a server_name extension in the server hello."
            server_name_ack: self.sni.is_some() && resumed.is_none(),
            alpn: self.alpn.clone(),
            early_data: self.early_secret.is_some(),
        };
        cx.send_handshake(&mut transcript, &HandshakeMessage::EncryptedExtensions(ee))?;
        let verify_client = match credentials {
            Some(_) => self.config.client_verifier.as_ref(),
            None => None,
        };
        if let Some(v) = verify_client {
            let request = CertificateRequest {
                context: Vec::new(),
                signature_algorithms: certificate_request_schemes(&**v)?,
                authorities: cap_ca_hints(v.root_subjects()),
            };
            cx.send_handshake(
                &mut transcript,
                &HandshakeMessage::CertificateRequest(request),
            )?;
        }
        let verify_client = verify_client.is_some();
        let mut flight = Flight13 {
            config: self.config,
            suite,
            group: self.group,
            transcript,
            hs,
            client_hs,
            server_hs,
            alpn: self.alpn,
            sni: self.sni,
            resumed,
            early: self.early_secret.is_some(),
            verify_client,
            send_tickets: self.send_tickets,
        };
        let Some((cert, scheme)) = credentials else {
            return flight.finish(cx, None);
        };
        // RFC 8446 section 4.4.2.1: the staple rides in the end entity's
        // CertificateEntry, only for a client that sent status_request.
        // Encoded from the configured chain, without copying it.
        let certificate = CertificateBody {
            context: &[],
            chain: &cert.chain,
            ocsp_response: cert.ocsp.as_deref().filter(|_| self.status_request),
            sct_list: cert
                .sct_list
                .as_deref()
                .filter(|_| self.signed_certificate_timestamp),
        };
        let offered = self.compress_certificate.as_deref();
        match compress_certificate(&flight.config.shared, offered, &certificate)? {
            Some(compressed) => cx.send_handshake(
                &mut flight.transcript,
                &HandshakeMessage::CompressedCertificate(compressed),
            )?,
            None => cx.send_encoded(
                &mut flight.transcript,
                certificate.encoded_len_hint(),
                |out| certificate.encode_message(out),
            )?,
        }
        let to_sign = certificate_verify_message(true, &flight.transcript.current_hash());
        if let Some(signer) = cert.key.async_signer() {
            // Our flight so far stays queued; the signature and Finished
            // follow when the signer answers.
            return Ok(ServerState::Sign(Box::new(Paused {
                request: Request::Sign {
                    scheme,
                    message: to_sign,
                },
                hook: Hook::Signer(signer.clone()),
                next: flight,
            })));
        }
        let signature = cert.key.sign(scheme, &to_sign)?;
        flight.finish(cx, Some((scheme, signature)))
    }
}

/// Our flight up to the Certificate is queued; the CertificateVerify (when
/// we sent a certificate) and Finished are left.
pub(crate) struct Flight13 {
    config: Arc<ServerConfig>,
    suite: &'static Tls13CipherSuite,
    group: NamedGroup,
    transcript: Transcript,
    hs: HandshakeSecret,
    client_hs: TrafficSecret,
    server_hs: TrafficSecret,
    alpn: Option<Vec<u8>>,
    sni: Option<String>,
    resumed: Option<(u16, Session13)>,
    /// 0-RTT was accepted: EndOfEarlyData comes before the client's flight.
    early: bool,
    verify_client: bool,
    send_tickets: bool,
}

impl Flight13 {
    fn finish(
        mut self,
        cx: &mut Common,
        verify: Option<(SignatureScheme, Vec<u8>)>,
    ) -> Result<ServerState, Error> {
        if let Some((scheme, signature)) = verify {
            cx.send_handshake(
                &mut self.transcript,
                &HandshakeMessage::CertificateVerify(CertificateVerify { scheme, signature }),
            )?;
        }
        let mut transcript = self.transcript;
        let fin = self
            .server_hs
            .finished_verify_data(&transcript.current_hash());
        cx.send_handshake(&mut transcript, &HandshakeMessage::Finished(fin))?;

        let hash = transcript.current_hash();
        let master = self.hs.into_master();
        let client_ap = master.client_application_traffic_secret_0(&hash);
        let server_ap = master.server_application_traffic_secret_0(&hash);
        cx.exporter = Some(Exporter::Tls13 {
            suite: master.suite(),
            secret: master.exporter_master_secret(&hash),
        });
        log_application_secrets(cx, &client_ap, &server_ap);
        cx.set_application_write(server_ap)?;

        let n = &mut cx.negotiated;
        n.version = Some(ProtocolVersion::TLSv1_3);
        n.cipher_suite = Some(self.suite.suite);
        n.group = Some(self.group);
        n.alpn = self.alpn;
        n.sni = self.sni;
        n.resumed = self.resumed.is_some();
        n.extended_master_secret = true;
        if let Some((_, session)) = self.resumed {
            // Who the client proved to be when the session was made, and
            // the scheme it signed with then (it signs nothing now).
            n.peer_certificates = session.peer_certificates;
            n.peer_signature_scheme = session.peer_signature_scheme;
        }
        let finished = ExpectFinished {
            transcript,
            client_hs: self.client_hs,
            client_ap,
            master,
            config: self.config.clone(),
            send_tickets: self.send_tickets,
        };
        Ok(match self.verify_client {
            true => ServerState::Certificate(ExpectCertificate {
                config: self.config,
                finished,
            }),
            false if self.early => ServerState::EndOfEarlyData(ExpectEndOfEarlyData { finished }),
            false => ServerState::Finished(finished),
        })
    }
}

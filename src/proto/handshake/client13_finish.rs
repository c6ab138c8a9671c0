//! The TLS 1.3 client's end of the handshake: the server's Finished, then
//! our last flight (client Certificate and CertificateVerify when asked,
//! Finished), which may pause for an asynchronous signer.

use super::*;

pub(crate) struct ExpectFinished {
    pub(super) hs: Handshaking,
    pub(super) request: Option<CertificateRequest>,
}

impl ExpectFinished {
    /// Verifies the server's Finished and sends our flight; Some(state)
    /// when it pauses for an asynchronous signer (client certificate).
    pub(super) fn handle(
        self,
        cx: &mut Common,
        verify_data: &[u8],
        raw: &[u8],
    ) -> Result<Option<ClientState>, Error> {
        let Handshaking {
            config,
            server_name,
            mut transcript,
            secret,
            client_hs,
            server_hs,
            early,
            ..
        } = self.hs;
        server_hs.verify_finished(&transcript.current_hash(), verify_data)?;
        transcript.add(raw);
        let hash = transcript.current_hash();
        let master = secret.into_master();
        let client_ap = master.client_application_traffic_secret_0(&hash);
        let server_ap = master.server_application_traffic_secret_0(&hash);
        cx.exporter = Some(Exporter::Tls13 {
            suite: master.suite(),
            secret: master.exporter_master_secret(&hash),
        });
        log_application_secrets(cx, &client_ap, &server_ap);
        cx.set_application_read(server_ap)?;
        if let Some(e) = &early {
            // RFC 8446 section 4.5: EndOfEarlyData under the early key ends
            // accepted 0-RTT data; then the handshake key.
            if e.accepted {
                cx.send_handshake(&mut transcript, &HandshakeMessage::EndOfEarlyData)?;
                cx.set_write_secret(&client_hs)?;
            }
        }
        let mut rest = ClientFlight13 {
            config,
            server_name,
            transcript,
            client_hs,
            client_ap,
            master,
            early,
        };
        let Some(req) = self.request else {
            rest.finish(cx, None)?;
            return Ok(None);
        };
        let chosen = choose_client_cert(
            &rest.config,
            &req.authorities,
            &req.signature_algorithms,
            true,
        )?;
        // Without a suitable certificate an empty Certificate says so;
        // the server decides whether that is acceptable.
        // Encoded from the configured chain, without copying it.
        let certificate = CertificateBody {
            context: &req.context,
            chain: chosen.as_ref().map_or(&[][..], |(k, _)| &k.chain[..]),
            ocsp_response: None,
            sct_list: None,
        };
        cx.send_encoded(
            &mut rest.transcript,
            certificate.encoded_len_hint(),
            |out| certificate.encode_message(out),
        )?;
        let Some((key, scheme)) = chosen else {
            rest.finish(cx, None)?;
            return Ok(None);
        };
        let to_sign = certificate_verify_message(false, &rest.transcript.current_hash());
        if let Some(signer) = key.key.async_signer() {
            return Ok(Some(ClientState::Sign(Box::new(Paused {
                request: Request::Sign {
                    scheme,
                    message: to_sign,
                },
                hook: Hook::Signer(signer.clone()),
                next: rest,
            }))));
        }
        let signature = key.key.sign(scheme, &to_sign)?;
        rest.finish(cx, Some((scheme, signature)))?;
        Ok(None)
    }
}

/// The client's last flight after its Certificate: CertificateVerify (when
/// it sent a certificate), Finished, and the switch to application keys.
pub(crate) struct ClientFlight13 {
    config: Arc<ClientConfig>,
    server_name: ServerName<'static>,
    transcript: Transcript,
    client_hs: TrafficSecret,
    client_ap: TrafficSecret,
    master: MasterSecret,
    early: Option<EarlyOffer>,
}

impl ClientFlight13 {
    pub(super) fn finish(
        self,
        cx: &mut Common,
        verify: Option<(SignatureScheme, Vec<u8>)>,
    ) -> Result<(), Error> {
        let ClientFlight13 {
            config,
            server_name,
            mut transcript,
            client_hs,
            client_ap,
            master,
            early,
        } = self;
        if let Some((scheme, signature)) = verify {
            cx.send_handshake(
                &mut transcript,
                &HandshakeMessage::CertificateVerify(CertificateVerify { scheme, signature }),
            )?;
            tracing::debug!(?scheme, "sent client certificate");
        }
        let fin = client_hs.finished_verify_data(&transcript.current_hash());
        cx.send_handshake(&mut transcript, &HandshakeMessage::Finished(fin))?;
        cx.set_application_write(client_ap)?;
        if let Some(e) = early {
            e.finish(cx)?;
        }
        // Tickets the server sends later turn into PSKs derived from this.
        if let Some(key) = cache_key(&server_name) {
            cx.ticket_sink = Some(Box::new(TicketSink {
                cache: config.session_cache.clone(),
                key,
                suite: master.suite(),
                resumption_secret: master.resumption_master_secret(&transcript.current_hash()),
                time: config.shared.time.clone(),
            }));
        }
        Ok(())
    }
}

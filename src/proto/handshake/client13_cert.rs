//! The TLS 1.3 client's certificate steps: the server's Certificate (its
//! chain verified, then, when configured, the asynchronous verifier's
//! verdict awaited) and CertificateVerify.

use rustls_pki_types::CertificateDer;

use crate::error::Error;
use crate::hooks::ServerCertInput;
use crate::pki::check_staple;
use crate::proto::conn::{Common, Hook, Paused, Request};
use crate::proto::crypto::sign::certificate_verify_message;
use crate::proto::wire::certificate::{CertificateMsg, CertificateRequest, CertificateVerify};
use crate::proto::wire::enums::{ExtensionType, SignatureScheme};

use super::{ClientState, ExpectFinished, Handshaking};

pub(crate) struct ExpectCertificate {
    pub(super) hs: Handshaking,
    pub(super) request: Option<CertificateRequest>,
}

impl ExpectCertificate {
    pub(super) fn handle_request(
        mut self,
        cr: CertificateRequest,
        raw: &[u8],
    ) -> Result<ClientState, Error> {
        if self.request.is_some() {
            return Err(Error::unexpected("second CertificateRequest"));
        }
        if !cr.context.is_empty() {
            return Err(Error::illegal(
                "CertificateRequest context must be empty in the handshake",
            ));
        }
        self.hs.transcript.add(raw);
        self.request = Some(cr);
        Ok(ClientState::Certificate(self))
    }

    /// `cert` decoded from `encoded` (the Certificate message, header
    /// included); `raw` is the message as it went over the wire, for the
    /// transcript (the CompressedCertificate when it was compressed).
    pub(super) fn handle(
        mut self,
        cx: &mut Common,
        mut cert: CertificateMsg,
        encoded: &[u8],
        raw: &[u8],
    ) -> Result<ClientState, Error> {
        if !cert.context.is_empty() {
            return Err(Error::illegal("server Certificate has a request context"));
        }
        // Only status_request and signed_certificate_timestamp, when we
        // asked for them, are solicited.
        let config = &self.hs.config;
        let asked: Vec<ExtensionType> = [
            (config.ocsp.asks(), ExtensionType::StatusRequest),
            (
                config.request_sct,
                ExtensionType::SignedCertificateTimestamp,
            ),
        ]
        .into_iter()
        .filter_map(|(on, t)| on.then_some(t))
        .collect();
        cert.check_and_decode_extensions(&asked, encoded)?;
        let Some((leaf, intermediates)) = cert.chain.split_first() else {
            return Err(Error::decode("server sent an empty certificate chain"));
        };
        let now = self.hs.config.shared.time.now();
        self.hs
            .config
            .verifier
            .verify_server_cert(leaf, intermediates, &self.hs.server_name, now)
            .map_err(Error::Certificate)?;
        if self.hs.config.ocsp.asks() {
            let config = &self.hs.config;
            let staple = cert.ocsp_response.as_deref();
            check_staple(&*config.verifier, config.ocsp, &cert.chain, staple, now)
                .map_err(Error::Certificate)?;
        }
        self.hs.transcript.add(raw);
        cx.negotiated.ocsp_response = cert.ocsp_response;
        cx.negotiated.sct_list = cert.sct_list;
        cx.negotiated.peer_certificates = cert.chain.clone();
        let verifier = self.hs.config.async_verifier.clone();
        let input = verifier.as_ref().map(|_| ServerCertInput {
            end_entity: leaf.clone(),
            intermediates: intermediates.to_vec(),
            server_name: self.hs.server_name.clone(),
            now,
        });
        let next = ExpectCertificateVerify {
            hs: self.hs,
            request: self.request,
            leaf: leaf.clone(),
        };
        match (verifier, input) {
            (Some(v), Some(input)) => Ok(ClientState::VerifyServer(Box::new(Paused {
                request: Request::VerifyServer(input),
                hook: Hook::ServerVerifier(v),
                next,
            }))),
            _ => Ok(ClientState::CertificateVerify(next)),
        }
    }
}

pub(crate) struct ExpectCertificateVerify {
    pub(super) hs: Handshaking,
    pub(super) request: Option<CertificateRequest>,
    pub(super) leaf: CertificateDer<'static>,
}

impl ExpectCertificateVerify {
    pub(super) fn handle(
        mut self,
        cx: &mut Common,
        cv: CertificateVerify,
        raw: &[u8],
    ) -> Result<ClientState, Error> {
        let offered: Vec<SignatureScheme> = self.hs.config.verifier.supported_schemes();
        if !offered.contains(&cv.scheme) {
            return Err(Error::illegal(format!(
                "server signed with {:?}, which we did not offer",
                cv.scheme
            )));
        }
        let message = certificate_verify_message(true, &self.hs.transcript.current_hash());
        self.hs.config.verifier.verify_tls13_signature(
            &message,
            &self.leaf,
            cv.scheme,
            &cv.signature,
        )?;
        cx.negotiated.peer_signature_scheme = Some(cv.scheme);
        self.hs.transcript.add(raw);
        Ok(ClientState::Finished(ExpectFinished {
            hs: self.hs,
            request: self.request,
        }))
    }
}

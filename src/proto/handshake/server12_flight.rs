//! The TLS 1.2 server's flight after the ClientHello was checked: an
//! abbreviated handshake for a session we resume, or a full one, in the
//! steps an asynchronous hook may pause between (the certificate choice,
//! [`Hello12`]; the ServerKeyExchange signature, [`Flight12`]).

use super::*;

impl Hello12 {
    /// Resumes `found` when it may be, else goes on with a full handshake.
    pub(super) fn after_lookup(
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
            // An abbreviated handshake signs nothing: the hash alone will do.
            transcript.start_hash(suite.hash);
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
    pub(super) config: Arc<ServerConfig>,
    pub(super) ch: ClientHello,
    pub(super) sh_ext: ServerHelloExtensions,
    pub(super) server_random: [u8; 32],
    pub(super) transcript: Transcript,
}

impl Hello12 {
    /// Sends ServerHello, Certificate (and CertificateStatus), then signs
    /// the ServerKeyExchange (or pauses for the asynchronous signer).
    pub(super) fn respond(
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
        // The raw messages stay only while a client CertificateVerify may
        // come (see Flight12::finish).
        transcript.start_hash_keeping_raw(suite.hash);
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
        // Encoded from the configured chain, without copying it.
        let certificate = certificate_message(&cert.chain)?;
        transcript.add(&certificate);
        cx.send_raw_handshake(&certificate)?;
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
    pub(super) fn finish(
        self,
        cx: &mut Common,
        signature: Vec<u8>,
    ) -> Result<Server12State, Error> {
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
        if hs.config.client_verifier.is_none() {
            hs.transcript.drop_raw();
        }
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

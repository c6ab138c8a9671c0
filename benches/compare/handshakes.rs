//! Handshake figures: full TLS 1.3 (ECDSA, RSA, the X25519MLKEM768 hybrid),
//! full TLS 1.2, mutual TLS, and resumption in both versions, beside the
//! cost of their public-key primitives.

use super::*;

/// Handshakes per second, client and server on this one thread. With
/// `resumed` Some(b), every handshake must (b = true) or must not (false)
/// resume a session; None checks nothing (priming a session cache).
pub(super) async fn handshakes(lib: Lib, c: &Configs, count: usize, resumed: Option<bool>) -> f64 {
    let allocs0 = ALLOCS.load(Ordering::Relaxed);
    let start = Instant::now();
    for _ in 0..count {
        let (a, b) = duplex(DUPLEX);
        match lib {
            Lib::Lctls => {
                let (mut x, mut y) = lctls_pair(c, a, b).await;
                if c.ticket_after_handshake {
                    take_ticket(&mut x, &mut y).await;
                }
                if let Some(want) = resumed {
                    assert_eq!(x.negotiated().resumed, want, "lctls resumption");
                }
            }
            Lib::Rustls => {
                let (mut x, mut y) = rustls_pair(c, a, b).await;
                if c.ticket_after_handshake {
                    take_ticket(&mut x, &mut y).await;
                }
                if let Some(want) = resumed {
                    let kind = x.get_ref().1.handshake_kind();
                    assert_eq!(
                        kind == Some(rustls::HandshakeKind::Resumed),
                        want,
                        "rustls resumption: {kind:?}"
                    );
                }
            }
        }
    }
    let per_second = count as f64 / start.elapsed().as_secs_f64();
    if std::env::var("LCTLS_BENCH_ALLOCS").is_ok_and(|v| v == "1") {
        // Client and server together, the duplex pipe and the bench's own
        // futures included (the same for both libraries).
        let allocs = ALLOCS.load(Ordering::Relaxed) - allocs0;
        let name = match lib {
            Lib::Lctls => "lctls",
            Lib::Rustls => "rustls",
        };
        eprintln!(
            "allocs {name} {:.1} per handshake",
            allocs as f64 / count as f64
        );
    }
    per_second
}

/// TLS 1.3 tickets come after the handshake: the server writes one byte and
/// the client reads it, taking in the ticket on the way (both libraries alike).
async fn take_ticket<C, S>(client: &mut C, server: &mut S)
where
    C: AsyncRead + AsyncWrite + Unpin,
    S: AsyncRead + AsyncWrite + Unpin,
{
    server.write_all(b"t").await.expect("write");
    server.flush().await.expect("flush");
    let mut one = [0u8; 1];
    client.read_exact(&mut one).await.expect("read");
}

/// One handshake per library, checking that the figure measures what it says:
/// the protocol version, the key-exchange group and the length of the client
/// chain the server got.
pub(super) async fn check(f: &HsFigure) {
    let (name, c, version, client_chain) = (f.name, &f.c, f.version, f.client_chain);
    // A resumed TLS 1.2 handshake exchanges no keys, and lctls reports the
    // session's group then (as BoringSSL does); TLS 1.3 (psk_dhe_ke) runs a
    // fresh exchange. Either way the only group configured.
    let group = Some(f.kx.lctls());
    let (a, b) = duplex(DUPLEX);
    let (mut x, mut y) = lctls_pair(c, a, b).await;
    if c.ticket_after_handshake {
        take_ticket(&mut x, &mut y).await;
    }
    let got = x.protocol_version().map(|v| v.get());
    assert_eq!(got, Some(version), "{name}: lctls version");
    let got = x.key_exchange_group();
    assert_eq!(got, group, "{name}: lctls group");
    let got = y.peer_certificates().len();
    assert_eq!(got, client_chain, "{name}: lctls client chain");
    let (a, b) = duplex(DUPLEX);
    let (mut x, mut y) = rustls_pair(c, a, b).await;
    if c.ticket_after_handshake {
        take_ticket(&mut x, &mut y).await;
    }
    let got = x.get_ref().1.protocol_version().map(u16::from);
    assert_eq!(got, Some(version), "{name}: rustls version");
    let got = x
        .get_ref()
        .1
        .negotiated_key_exchange_group()
        .map(|g| g.name());
    assert!(
        got.is_none() || got == Some(f.kx.rustls().name()),
        "{name}: rustls group {got:?}"
    );
    let got = y.get_ref().1.peer_certificates().map_or(0, |c| c.len());
    assert_eq!(got, client_chain, "{name}: rustls client chain");
}

enum Signer {
    Ecdsa(EcdsaKeyPair),
    Rsa(RsaKeyPair),
}

impl Signer {
    /// An ECDSA P-256 or RSA PKCS#8 key from certs/.
    fn load(key_file: &str) -> Signer {
        let der = match PrivateKeyDer::from_pem_file(format!("{CERTS}/{key_file}")).expect("key") {
            PrivateKeyDer::Pkcs8(k) => k.secret_pkcs8_der().to_vec(),
            _ => panic!("{key_file}: expected PKCS#8"),
        };
        match EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, &der) {
            Ok(k) => Signer::Ecdsa(k),
            Err(_) => Signer::Rsa(RsaKeyPair::from_pkcs8(&der).expect("RSA or P-256 key")),
        }
    }

    /// A CertificateVerify-style signature (ECDSA, or RSA-PSS with SHA-256).
    fn sign(&self, rng: &SystemRandom, msg: &[u8], out: &mut Vec<u8>) {
        match self {
            Signer::Ecdsa(k) => {
                out.clear();
                out.extend_from_slice(k.sign(rng, msg).expect("sign").as_ref());
            }
            Signer::Rsa(k) => {
                out.resize(k.public_modulus_len(), 0);
                k.sign(&signature::RSA_PSS_SHA256, rng, msg, out)
                    .expect("sign");
            }
        }
    }

    fn verify(&self, msg: &[u8], sig: &[u8]) {
        match self {
            Signer::Ecdsa(k) => {
                UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_ASN1, k.public_key().as_ref())
                    .verify(msg, sig)
                    .expect("verify")
            }
            Signer::Rsa(k) => UnparsedPublicKey::new(
                &signature::RSA_PSS_2048_8192_SHA256,
                k.public_key().as_ref(),
            )
            .verify(msg, sig)
            .expect("verify"),
        }
    }
}

/// Seconds per handshake spent in public-key primitives alone: two X25519
/// keygen+agree (client and server), and for each authenticating key in
/// `key_files` (the server's, then the client's for mutual TLS) one signature
/// (CertificateVerify, or the TLS 1.2 ServerKeyExchange) and the peer's three
/// verifications (leaf by intermediate, intermediate by root — both ECDSA
/// P-256 here — and the signature by the leaf key).
pub(super) fn primitive_cost(key_files: &[&str], count: usize) -> f64 {
    primitive_cost_with(key_files, count, 2)
}

/// [`primitive_cost`] with `chain` certificate-signature verifications per
/// authenticating key instead of two (0: a verified-chain cache hit).
pub(super) fn primitive_cost_with(key_files: &[&str], count: usize, chain: usize) -> f64 {
    let rng = SystemRandom::new();
    // An ECDSA P-256 key standing in for the CA keys of the chain.
    let ca = match Signer::load("inter.key") {
        Signer::Ecdsa(k) => k,
        Signer::Rsa(_) => panic!("inter.key: expected ECDSA P-256"),
    };
    let msg = [0x20u8; 130]; // about the size of a CertificateVerify input
    let tbs = [0x30u8; 500]; // about the size of a certificate's signed part
    let ca_sig = ca.sign(&rng, &tbs).expect("sign");
    let ca_pub =
        UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_ASN1, ca.public_key().as_ref());
    let per = |t: Duration| t.as_secs_f64() / count as f64;

    let start = Instant::now();
    for _ in 0..count {
        let a = EphemeralPrivateKey::generate(&agreement::X25519, &rng).expect("kx");
        let pa = a.compute_public_key().expect("kx");
        let b = EphemeralPrivateKey::generate(&agreement::X25519, &rng).expect("kx");
        let pb = b.compute_public_key().expect("kx");
        let s1 = agreement::agree_ephemeral(
            a,
            KxPublicKey::new(&agreement::X25519, pb.as_ref()),
            (),
            |k| Ok(k[0]),
        );
        let s2 = agreement::agree_ephemeral(
            b,
            KxPublicKey::new(&agreement::X25519, pa.as_ref()),
            (),
            |k| Ok(k[0]),
        );
        assert_eq!(s1, s2);
    }
    let mut total = per(start.elapsed());

    for key_file in key_files {
        let signer = Signer::load(key_file);
        let mut sig = Vec::new();
        signer.sign(&rng, &msg, &mut sig);
        let start = Instant::now();
        for _ in 0..count {
            signer.sign(&rng, &msg, &mut sig);
        }
        total += per(start.elapsed());
        let start = Instant::now();
        for _ in 0..count {
            for _ in 0..chain {
                ca_pub.verify(&tbs, ca_sig.as_ref()).expect("verify");
            }
            signer.verify(&msg, &sig);
        }
        total += per(start.elapsed());
    }
    total
}

/// Seconds per handshake spent in ML-KEM-768 alone: the client's key
/// generation and decapsulation, the server's encapsulation (the hybrid's
/// X25519 half is in [`primitive_cost`]).
fn mlkem768_cost(count: usize) -> f64 {
    let start = Instant::now();
    for _ in 0..count {
        let dk = kem::DecapsulationKey::generate(&kem::ML_KEM_768).expect("keygen");
        let ek = dk.encapsulation_key().expect("ek");
        let (ct, ss) = ek.encapsulate().expect("encapsulate");
        let ss2 = dk.decapsulate(ct).expect("decapsulate");
        assert_eq!(ss.as_ref(), ss2.as_ref());
    }
    start.elapsed().as_secs_f64() / count as f64
}

/// What a handshake figure beyond the plain TLS 1.3 ones exercises. Always
/// ECDSA P-256 (server.pem), X25519, one AES-128-GCM suite, one version.
#[derive(Clone, Copy)]
pub(super) struct Spec {
    /// TLS 1.2 (ECDHE-ECDSA-AES128-GCM-SHA256) instead of TLS 1.3 (AES-128-GCM).
    pub(super) tls12: bool,
    /// Mutual TLS: the server requires a client certificate (client.pem).
    pub(super) mtls: bool,
    /// TLS 1.2 resumption by ticket: the servers issue tickets (and keep no
    /// session state), the clients keep a session cache.
    pub(super) resume: bool,
}

/// Both libraries configured for `spec`. Without `resume` neither side can
/// resume: no tickets, no server session cache, no client session cache.
/// rustls never sends TLS 1.3 tickets here.
fn spec_configs(spec: Spec) -> Configs {
    spec_configs_with(
        spec,
        lctls::pki::DefaultServerVerifier::new(lctls_roots()),
        Arc::new(lctls::pki::DefaultClientVerifier::new(lctls_roots())),
    )
}

/// [`spec_configs`] with these lctls verifiers (the client's of the server,
/// the server's of clients when `spec.mtls`).
pub(super) fn spec_configs_with(
    spec: Spec,
    server_verifier: lctls::pki::DefaultServerVerifier,
    client_verifier: Arc<lctls::pki::DefaultClientVerifier>,
) -> Configs {
    use lctls::proto::enums::ProtocolVersion;
    use rustls::crypto::aws_lc_rs::{cipher_suite as rs, kx_group};
    let (lsuite, rsuite, lversion, rversion) = if spec.tls12 {
        (
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            rs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            ProtocolVersion::TLSv1_2,
            &rustls::version::TLS12,
        )
    } else {
        (
            CipherSuite::TLS13_AES_128_GCM_SHA256,
            rs::TLS13_AES_128_GCM_SHA256,
            ProtocolVersion::TLSv1_3,
            &rustls::version::TLS13,
        )
    };
    let server_key = || {
        lctls::config::CertifiedKey::from_pem_files(
            format!("{CERTS}/server.pem"),
            format!("{CERTS}/server.key"),
        )
        .expect("lctls server cert")
    };

    // TLS 1.2 clients also list P-256: lctls servers, following RFC 8422
    // section 5.1, use an ECDSA certificate only on a curve the client listed.
    // No key share is sent in TLS 1.2 and the servers allow X25519 only, so the
    // key exchange stays X25519 (`check` asserts it). rustls clients list the
    // same, so both ClientHellos carry the same groups.
    let (lgroups, rgroups) = if spec.tls12 {
        (
            &[NamedGroup::X25519, NamedGroup::secp256r1][..],
            vec![kx_group::X25519, kx_group::SECP256R1],
        )
    } else {
        (&[NamedGroup::X25519][..], vec![kx_group::X25519])
    };
    let mut lcc = lctls::ClientConfig::builder()
        .with_verifier(server_verifier)
        .with_cipher_suites(&[lsuite])
        .with_groups(lgroups)
        .with_protocol_versions(&[lversion]);
    if spec.mtls {
        lcc = lcc.with_client_cert(
            lctls::config::CertifiedKey::from_pem_files(
                format!("{CERTS}/client.pem"),
                format!("{CERTS}/client.key"),
            )
            .expect("lctls client cert"),
        );
    }
    if !spec.resume {
        lcc = lcc.with_session_cache_size(0);
    }
    let mut lsc = lctls::ServerConfig::builder()
        .with_certified_key(server_key())
        .with_cipher_suites(&[lsuite])
        .with_groups(&[NamedGroup::X25519])
        .with_protocol_versions(&[lversion])
        .with_tickets(spec.resume)
        .with_session_cache_size(0);
    if spec.mtls {
        lsc = lsc.with_client_cert_verifier(client_verifier);
    }

    let provider = rustls_provider(rsuite);
    let client_provider = Arc::new(rustls::crypto::CryptoProvider {
        kx_groups: rgroups,
        ..(*provider).clone()
    });
    let rcc = rustls::ClientConfig::builder_with_provider(client_provider)
        .with_protocol_versions(&[rversion])
        .expect("versions")
        .with_root_certificates(rustls_roots());
    let mut rcc = if spec.mtls {
        rcc.with_client_auth_cert(pem_chain("client.pem"), pem_key("client.key"))
            .expect("client cert")
    } else {
        rcc.with_no_client_auth()
    };
    if !spec.resume {
        rcc.resumption = rustls::client::Resumption::disabled();
    }
    let rsc = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[rversion])
        .expect("versions");
    let rsc = if spec.mtls {
        let verifier =
            rustls::server::WebPkiClientVerifier::builder_with_provider(rustls_roots(), provider)
                .build()
                .expect("client verifier");
        rsc.with_client_cert_verifier(verifier)
    } else {
        rsc.with_no_client_auth()
    };
    let mut rsc = rsc
        .with_single_cert(pem_chain("server.pem"), pem_key("server.key"))
        .expect("rustls server config");
    // One TLS 1.3 ticket per connection when resuming (lctls's default), else none.
    rsc.send_tls13_tickets = usize::from(spec.resume && !spec.tls12);
    rsc.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
    if spec.resume {
        rsc.ticketer = rustls::crypto::aws_lc_rs::Ticketer::new().expect("ticketer");
    }

    Configs {
        lc: lctls::TlsConnector::from(Arc::new(lcc.build().expect("lctls client config"))),
        la: lctls::TlsAcceptor::from(Arc::new(lsc.build().expect("lctls server config"))),
        rc: tokio_rustls::TlsConnector::from(Arc::new(rcc)),
        ra: tokio_rustls::TlsAcceptor::from(Arc::new(rsc)),
        ticket_after_handshake: spec.resume && !spec.tls12,
    }
}

/// One handshake figure measured for both libraries.
pub(super) struct HsFigure {
    pub(super) name: &'static str,
    pub(super) c: Configs,
    /// The protocol version both must negotiate (0x0303 or 0x0304).
    pub(super) version: u16,
    /// Certificates in the client chain the server must receive (0 without mTLS).
    pub(super) client_chain: usize,
    /// Whether every timed handshake must resume a session.
    pub(super) resumes: bool,
    /// Keys for [`primitive_cost`]; None: no public-key primitive, no limit.
    pub(super) limit_keys: Option<&'static [&'static str]>,
    /// The key exchange, the only group on both sides.
    pub(super) kx: Kx,
}

/// The handshake rows, each figure primed, checked, warmed up, then timed.
pub(super) async fn rows(p: &Params, rows: &mut Vec<Row>) {
    let aes128 = suites()[0];
    let full = |tls12, mtls| Spec {
        tls12,
        mtls,
        resume: false,
    };
    let fig = |name, c, version, client_chain, resumes, limit_keys| HsFigure {
        name,
        c,
        version,
        client_chain,
        resumes,
        limit_keys,
        kx: Kx::X25519,
    };
    let figures = [
        fig(
            "handshake_ecdsa_p256",
            configs(&aes128, "server.pem", "server.key"),
            0x0304,
            0,
            false,
            Some(&["server.key"][..]),
        ),
        HsFigure {
            kx: Kx::X25519MLKEM768,
            ..fig(
                "handshake_x25519mlkem768_ecdsa_p256",
                configs_kx(&aes128, "server.pem", "server.key", Kx::X25519MLKEM768),
                0x0304,
                0,
                false,
                Some(&["server.key"][..]),
            )
        },
        fig(
            "handshake_rsa2048",
            configs(&aes128, "server-rsa.pem", "server-rsa.key"),
            0x0304,
            0,
            false,
            Some(&["server-rsa.key"]),
        ),
        fig(
            "handshake_tls12_ecdsa_p256",
            spec_configs(full(true, false)),
            0x0303,
            0,
            false,
            Some(&["server.key"]),
        ),
        fig(
            "handshake_mtls_ecdsa_p256",
            spec_configs(full(false, true)),
            0x0304,
            2,
            false,
            Some(&["server.key", "client.key"]),
        ),
        fig(
            // Abbreviated TLS 1.2 handshakes use no public-key primitive: no limit.
            "handshake_resume12_ecdsa_p256",
            spec_configs(Spec {
                tls12: true,
                mtls: false,
                resume: true,
            }),
            0x0303,
            0,
            true,
            None,
        ),
        fig(
            // TLS 1.3 resumption still runs X25519 (psk_dhe_ke) but no signature.
            "handshake_resume_ecdsa_p256",
            spec_configs(Spec {
                tls12: false,
                mtls: false,
                resume: true,
            }),
            0x0304,
            0,
            true,
            None,
        ),
    ];
    for f in figures.iter().filter(|f| wanted(&[f.name])) {
        let (c, resumes) = (&f.c, Some(f.resumes));
        // Prime (the first handshake of a resumption figure is full), check
        // what is measured, then warm up both (lazy initialisation, caches).
        handshakes(Lib::Lctls, c, 1, None).await;
        handshakes(Lib::Rustls, c, 1, None).await;
        check(f).await;
        handshakes(Lib::Lctls, c, 3, resumes).await;
        handshakes(Lib::Rustls, c, 3, resumes).await;
        let mut s = Samples::default();
        for r in 0..p.rounds {
            if let Some(keys) = f.limit_keys {
                let mut cost = primitive_cost(keys, p.handshakes);
                if f.kx == Kx::X25519MLKEM768 {
                    cost += mlkem768_cost(p.handshakes);
                }
                s.limit.push(1.0 / cost);
            }
            for lib in order(r) {
                s.push(lib, handshakes(lib, c, p.handshakes, resumes).await);
            }
        }
        rows.push(s.row(f.name.to_string(), "hs/s"));
    }
}

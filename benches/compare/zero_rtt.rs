//! The 0-RTT figure: TLS 1.3 resumption carrying early data.
//!
//! Per connection, both libraries alike: the client resumes with the ticket
//! of the previous connection (one ticket per connection, each used once)
//! and sends a 32-byte request as early data; the server accepts it, reads
//! it, answers one byte; the client reads that byte (taking in the next
//! ticket on the way). X25519 (psk_dhe_ke), AES-128-GCM, ECDSA P-256
//! certificate, no signature. Every timed connection is asserted to have
//! had its early data accepted.
//!
//! The servers' anti-replay differs in kind, not in cost that matters:
//! lctls issues stateless tickets and claims each in its strike register;
//! rustls (whose 0-RTT needs stateful tickets) takes the session out of its
//! in-memory store.

use std::io::Read;
use std::sync::Arc;
use std::time::Instant;

use lctls::proto::enums::{CipherSuite, NamedGroup};
use lctls::proto::{EarlyDataReason, OnReject};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::io::{duplex, AsyncReadExt, AsyncWriteExt};

use super::{lctls_roots, order, rustls_roots, wanted, Lib, Params, Row, Samples, CERTS, DUPLEX};

/// The early request, a short replay-safe GET.
const REQUEST: &[u8] = b"GET /static/index.html HTTP/1.1\n";

/// Both libraries set up for 0-RTT resumption.
pub(crate) struct EarlyConfigs {
    lc: lctls::TlsConnector,
    la: lctls::TlsAcceptor,
    rc: tokio_rustls::TlsConnector,
    ra: tokio_rustls::TlsAcceptor,
}

pub(crate) fn early_configs() -> EarlyConfigs {
    use rustls::crypto::aws_lc_rs::{cipher_suite, kx_group};
    let suite = CipherSuite::TLS13_AES_128_GCM_SHA256;
    let lcc = lctls::ClientConfig::builder()
        .with_root_store(lctls_roots())
        .with_cipher_suites(&[suite])
        .with_groups(&[NamedGroup::X25519])
        .build()
        .expect("lctls client config");
    let lsc = lctls::ServerConfig::builder()
        .with_certified_key(
            lctls::config::CertifiedKey::from_pem_files(
                format!("{CERTS}/server.pem"),
                format!("{CERTS}/server.key"),
            )
            .expect("lctls cert"),
        )
        .with_cipher_suites(&[suite])
        .with_groups(&[NamedGroup::X25519])
        .with_max_early_data(16 * 1024)
        .with_session_cache_size(0)
        .build()
        .expect("lctls server config");

    let provider = Arc::new(rustls::crypto::CryptoProvider {
        cipher_suites: vec![cipher_suite::TLS13_AES_128_GCM_SHA256],
        kx_groups: vec![kx_group::X25519],
        ..rustls::crypto::aws_lc_rs::default_provider()
    });
    let mut rcc = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .expect("rustls versions")
        .with_root_certificates(rustls_roots())
        .with_no_client_auth();
    rcc.enable_early_data = true;
    let chain = CertificateDer::pem_file_iter(format!("{CERTS}/server.pem"))
        .expect("cert")
        .collect::<Result<Vec<_>, _>>()
        .expect("cert");
    let key = PrivateKeyDer::from_pem_file(format!("{CERTS}/server.key")).expect("key");
    let mut rsc = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .expect("rustls versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("rustls server config");
    rsc.max_early_data_size = 16 * 1024;
    rsc.send_tls13_tickets = 1;

    EarlyConfigs {
        lc: lctls::TlsConnector::from(Arc::new(lcc)),
        la: lctls::TlsAcceptor::from(Arc::new(lsc)),
        rc: tokio_rustls::TlsConnector::from(Arc::new(rcc)).early_data(true),
        ra: tokio_rustls::TlsAcceptor::from(Arc::new(rsc)),
    }
}

/// Connections per second; with `check`, every one must have carried its
/// early data (the first connection of a run, which has no ticket yet, is
/// run with `check` false).
pub(crate) async fn connections(lib: Lib, c: &EarlyConfigs, count: usize, check: bool) -> f64 {
    let start = Instant::now();
    for _ in 0..count {
        let (a, b) = duplex(DUPLEX);
        match lib {
            Lib::Lctls => {
                let client = async {
                    let mut t =
                        c.lc.connect_with_replayable_early_data(
                            "localhost",
                            a,
                            REQUEST.to_vec(),
                            OnReject::Resend,
                        )
                        .await
                        .expect("lctls connect");
                    let mut one = [0u8; 1];
                    t.read_exact(&mut one).await.expect("lctls read");
                    t.negotiated().early_data == EarlyDataReason::Accepted
                };
                let server = async {
                    let mut t = c.la.accept(b).await.expect("lctls accept");
                    let got = t.take_replayable_early_data().unwrap_or_default();
                    if got.is_empty() {
                        // Not accepted: the client re-sent it as ordinary data.
                        let mut req = vec![0u8; REQUEST.len()];
                        t.read_exact(&mut req).await.expect("lctls read request");
                    }
                    t.write_all(b"r").await.expect("lctls write");
                    t.flush().await.expect("lctls flush");
                    t
                };
                let (accepted, _server) = tokio::join!(client, server);
                assert!(!check || accepted, "lctls early data not accepted");
            }
            Lib::Rustls => {
                let name = ServerName::try_from("localhost").expect("name");
                let client = async {
                    let mut t = c.rc.connect(name, a).await.expect("rustls connect");
                    t.write_all(REQUEST).await.expect("rustls early write");
                    t.flush().await.expect("rustls flush");
                    let mut one = [0u8; 1];
                    t.read_exact(&mut one).await.expect("rustls read");
                    t.get_ref().1.is_early_data_accepted()
                };
                let server = async {
                    let mut t = c.ra.accept(b).await.expect("rustls accept");
                    let mut got = Vec::new();
                    if let Some(mut early) = t.get_mut().1.early_data() {
                        early.read_to_end(&mut got).expect("rustls early read");
                    }
                    if got.is_empty() {
                        let mut req = vec![0u8; REQUEST.len()];
                        t.read_exact(&mut req).await.expect("rustls read request");
                    }
                    t.write_all(b"r").await.expect("rustls write");
                    t.flush().await.expect("rustls flush");
                    t
                };
                let (accepted, _server) = tokio::join!(client, server);
                assert!(!check || accepted, "rustls early data not accepted");
            }
        }
    }
    count as f64 / start.elapsed().as_secs_f64()
}

/// The 0-RTT row.
pub(super) async fn rows(p: &Params, rows: &mut Vec<Row>) {
    let name = "handshake_0rtt_ecdsa_p256";
    if wanted(&[name]) {
        let c = early_configs();
        // Prime: the first connection of each library gets its first ticket.
        connections(Lib::Lctls, &c, 1, false).await;
        connections(Lib::Rustls, &c, 1, false).await;
        connections(Lib::Lctls, &c, 3, true).await;
        connections(Lib::Rustls, &c, 3, true).await;
        let mut s = Samples::default();
        for r in 0..p.rounds {
            for lib in order(r) {
                s.push(lib, connections(lib, &c, p.handshakes, true).await);
            }
        }
        rows.push(s.row(name.to_string(), "hs/s"));
    }
}

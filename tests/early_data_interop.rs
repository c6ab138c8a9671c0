//! 0-RTT (RFC 8446 section 2.3) with real peers: `openssl s_client
//! -sess_out/-sess_in -early_data` against our server, our client against
//! `openssl s_server -early_data`, rustls 0.23 both ways, and an OpenSSL
//! ClientHello with early data captured and sent to our server twice.
//!
//! See `tests/common/mod.rs` for how the external tools behave.

mod common;

use std::io::{Read, Write};
use std::sync::Arc;
use std::time::Duration;

use lctls::config::{ClientConfig, ServerConfig};
use lctls::proto::enums::ProtocolVersion;
use lctls::proto::{Connection, EarlyDataReason, OnReject};
use lctls::{TlsAcceptor, TlsConnector};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// 0-RTT tests run several sessions each: a longer bound than
/// [`common::TEST_TIMEOUT`].
async fn bounded_40s<F: std::future::Future<Output = ()>>(f: F) {
    common::bounded_by(Duration::from_secs(40), f).await
}

const TLS13: &[ProtocolVersion] = &[ProtocolVersion::TLSv1_3];
const EARLY: &[u8] = b"early-request\n";

fn client_config() -> Arc<ClientConfig> {
    Arc::new(
        ClientConfig::builder()
            .with_root_store(common::ca_roots())
            .with_protocol_versions(TLS13)
            .build()
            .unwrap(),
    )
}

fn server_config(max_early: u32) -> Arc<ServerConfig> {
    Arc::new(
        ServerConfig::builder()
            .with_certified_key(common::certified("server"))
            .with_protocol_versions(TLS13)
            .with_max_early_data(max_early)
            .build()
            .unwrap(),
    )
}

fn tmp_path(tag: &str) -> String {
    let p = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("lctls-early-{tag}-{}", std::process::id()));
    p.to_str().unwrap().to_string()
}

// ---------------------------------------------------------------------------
// Our server

/// What our server saw on one connection.
#[derive(Debug)]
struct Served {
    resumed: bool,
    reason: EarlyDataReason,
    early: Option<Vec<u8>>,
    ordinary: Vec<u8>,
}

/// Our server for `n` sequential connections: it answers accepted early data
/// with `early:` and the data, then echoes ordinary data until EOF.
async fn echo_server(
    config: Arc<ServerConfig>,
    n: usize,
) -> (u16, tokio::task::JoinHandle<std::io::Result<Vec<Served>>>) {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let mut all = Vec::new();
        for _ in 0..n {
            let (tcp, _) = listener.accept().await?;
            let mut tls = TlsAcceptor::from(config.clone()).accept(tcp).await?;
            let early = tls.take_replayable_early_data();
            if let Some(e) = &early {
                tls.write_all(b"early:").await?;
                tls.write_all(e).await?;
                tls.flush().await?;
            }
            let mut ordinary = Vec::new();
            let mut buf = vec![0u8; 4096];
            loop {
                // s_client may close without close_notify: that ends it too.
                let n = tls.read(&mut buf).await.unwrap_or_default();
                if n == 0 {
                    break;
                }
                ordinary.extend_from_slice(&buf[..n]);
                tls.write_all(&buf[..n]).await?;
                tls.flush().await?;
            }
            let _ = tls.shutdown().await;
            all.push(Served {
                resumed: tls.negotiated().resumed,
                reason: tls.negotiated().early_data,
                early,
                ordinary,
            });
        }
        Ok(all)
    });
    (port, task)
}

/// A TLS 1.3 s_client run that sends `line`, waits for `expect` on its
/// stdout, closes and returns its stdout.
async fn s_client(port: u16, extra: &[&str], line: &[u8], expect: &[u8]) -> String {
    common::s_client_session_expect(port, "-tls1_3", extra, line, expect).await
}

/// A first, full s_client session with our server on `port`, saved for a
/// resumption; and a file holding [`EARLY`] for `-early_data`. Returns
/// (session file, early data file), named by `tag`.
async fn first_session(port: u16, tag: &str) -> (String, String) {
    let sess = tmp_path(&format!("sess-{tag}.pem"));
    let file = tmp_path(&format!("early-{tag}.txt"));
    std::fs::write(&file, EARLY).unwrap();
    s_client(port, &["-sess_out", &sess], b"first\n", b"first\n").await;
    (sess, file)
}

#[tokio::test]
async fn our_server_accepts_s_client_early_data() {
    if !common::require("openssl") {
        return;
    }
    bounded_40s(async {
        let (port, task) = echo_server(server_config(16384), 2).await;
        let (sess, file) = first_session(port, "accept").await;
        let out = s_client(
            port,
            &["-sess_in", &sess, "-early_data", &file],
            b"second\n",
            b"second\n",
        )
        .await;
        assert!(out.contains("Reused, TLSv1.3"), "{out}");
        assert!(out.contains("Early data was accepted"), "{out}");
        assert!(out.contains("early:early-request"), "{out}");
        let served = task.await.unwrap().unwrap();
        assert!(!served[0].resumed && served[1].resumed);
        assert_eq!(served[1].reason, EarlyDataReason::Accepted);
        assert_eq!(served[1].early.as_deref(), Some(EARLY));
        // Ordinary reads never saw the 0-RTT bytes.
        assert_eq!(served[1].ordinary, b"second\n");
    })
    .await
}

/// A server without 0-RTT skips s_client's early data and the handshake
/// completes (s_client reports the rejection and does not re-send).
#[tokio::test]
async fn our_server_without_0rtt_rejects_s_client_early_data() {
    if !common::require("openssl") {
        return;
    }
    bounded_40s(async {
        // The ticket comes from a server that allows 0-RTT ...
        let (p1, t1) = echo_server(server_config(16384), 1).await;
        let (sess, file) = first_session(p1, "reject").await;
        t1.await.unwrap().unwrap();
        // ... and goes to one that does not (and cannot open it).
        let (p2, t2) = echo_server(server_config(0), 1).await;
        let out = s_client(
            p2,
            &["-sess_in", &sess, "-early_data", &file],
            b"second\n",
            b"second\n",
        )
        .await;
        assert!(out.contains("Early data was rejected"), "{out}");
        let served = t2.await.unwrap().unwrap();
        assert_eq!(served[0].reason, EarlyDataReason::Disabled);
        assert_eq!(served[0].early, None);
        assert_eq!(served[0].ordinary, b"second\n");
    })
    .await
}

/// An OpenSSL ClientHello with early data, captured on the wire and sent to
/// our server twice: the first copy's early data is accepted, the replay's
/// is refused (and skipped: that handshake goes on in 1-RTT).
#[tokio::test]
async fn a_captured_s_client_hello_replayed_gets_no_0rtt() {
    if !common::require("openssl") {
        return;
    }
    bounded_40s(async {
        let sc = server_config(16384);
        let (port, task) = echo_server(sc.clone(), 1).await;
        let (sess, file) = first_session(port, "replay").await;
        task.await.unwrap().unwrap();

        // A listener that only records what the client sends first.
        let capture = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let cport = capture.local_addr().unwrap().port();
        let mut c = common::openssl_s_client_version(
            cport,
            "-tls1_3",
            false,
            true,
            &["-sess_in", &sess, "-early_data", &file],
        );
        let (mut tcp, _) = capture.accept().await.unwrap();
        let mut flight = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(Ok(n)) =
            tokio::time::timeout(Duration::from_millis(500), tcp.read(&mut buf)).await
        {
            if n == 0 {
                break;
            }
            flight.extend_from_slice(&buf[..n]);
        }
        drop(tcp);
        c.kill();

        let mut first = Connection::new_server(sc.clone());
        first.feed(&flight);
        first.process().unwrap();
        assert_eq!(first.negotiated().early_data, EarlyDataReason::Accepted);
        assert_eq!(first.take_replayable_early_data().as_deref(), Some(EARLY));
        let mut replay = Connection::new_server(sc);
        replay.feed(&flight);
        replay.process().expect("the replay is skipped, not fatal");
        assert!(replay.negotiated().resumed);
        assert_eq!(replay.negotiated().early_data, EarlyDataReason::Replayed);
        assert_eq!(replay.take_replayable_early_data(), None);
    })
    .await
}

// ---------------------------------------------------------------------------
// Our client

#[tokio::test]
async fn our_client_sends_early_data_to_s_server() {
    if !common::require("openssl") {
        return;
    }
    bounded_40s(async {
        let port = common::free_port();
        let mut cmd = std::process::Command::new("openssl");
        cmd.arg("s_server")
            .arg("-accept")
            .arg(format!("127.0.0.1:{port}"))
            .args(common::openssl_cert_args("server.pem", "server.key"))
            .args(["-tls1_3", "-early_data", "-naccept", "2"]);
        // stdin stays open: at its EOF s_server would end the connection.
        let mut srv = common::Peer::spawn(cmd, port, true);
        srv.wait_listening(common::TIMEOUT);
        let cfg = client_config();
        let connect = |early: Option<&'static [u8]>| {
            let cfg = cfg.clone();
            async move {
                let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
                let c = TlsConnector::from(cfg);
                match early {
                    Some(d) => c
                        .connect_with_replayable_early_data(
                            "localhost",
                            tcp,
                            d.to_vec(),
                            OnReject::Resend,
                        )
                        .await
                        .unwrap(),
                    None => c.connect("localhost", tcp).await.unwrap(),
                }
            }
        };
        // s_server sends its tickets after the handshake; our client takes
        // them in when it reads.
        let mut first = connect(None).await;
        first.write_all(b"first\n").await.unwrap();
        first.flush().await.unwrap();
        let mut one = [0u8; 1];
        let _ = tokio::time::timeout(Duration::from_millis(300), first.read(&mut one)).await;
        let _ = first.shutdown().await;
        drop(first);

        let mut second = connect(Some(EARLY)).await;
        assert!(second.negotiated().resumed);
        assert_eq!(second.negotiated().early_data, EarlyDataReason::Accepted);
        second.write_all(b"second\n").await.unwrap();
        second.flush().await.unwrap();
        let _ = second.shutdown().await;
        // -naccept 2: s_server exits after this connection, flushing its
        // (block-buffered) output.
        let status = srv.wait_exit(common::TIMEOUT).await;
        assert!(
            status.is_some(),
            "s_server did not exit:\n{}",
            srv.describe()
        );
        let out = srv.stdout_text();
        assert!(out.contains("Early data received:"), "{out}");
        assert!(out.contains("early-request\n"), "{out}");
        assert!(out.contains("End of early data"), "{out}");
    })
    .await
}

// ---------------------------------------------------------------------------
// rustls (blocking std IO on a helper thread: tokio-rustls's early data
// needs a feature we do not enable)

fn rustls_certs() -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
    let chain = CertificateDer::pem_file_iter(common::cert_path("server.pem"))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(common::cert_path("server.key")).unwrap();
    (chain, key)
}

fn rustls_client_config() -> Arc<rustls::ClientConfig> {
    let roots = common::rustls_roots();
    let mut c = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_protocol_versions(&[&rustls::version::TLS13])
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    c.enable_early_data = true;
    Arc::new(c)
}

/// One rustls client connection: sends `early` as 0-RTT if it can, then
/// `line`, reads until it has seen `want`; returns (resumed, early accepted).
fn rustls_client_run(
    cfg: &Arc<rustls::ClientConfig>,
    port: u16,
    early: &[u8],
    line: &[u8],
    want: &[u8],
) -> (bool, bool) {
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut conn = rustls::ClientConnection::new(cfg.clone(), name).unwrap();
    let mut tcp = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    if let Some(mut ed) = conn.early_data() {
        ed.write_all(early).unwrap();
    }
    while conn.is_handshaking() {
        conn.complete_io(&mut tcp).unwrap();
    }
    let accepted = conn.is_early_data_accepted();
    let resumed = conn.handshake_kind() == Some(rustls::HandshakeKind::Resumed);
    let mut s = rustls::Stream::new(&mut conn, &mut tcp);
    s.write_all(line).unwrap();
    s.flush().unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    while !got.windows(want.len()).any(|w| w == want) {
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0, "EOF before {want:?}; got {got:?}");
        got.extend_from_slice(&buf[..n]);
    }
    s.conn.send_close_notify();
    let _ = s.flush();
    (resumed, accepted)
}

#[tokio::test]
async fn our_server_accepts_rustls_early_data() {
    bounded_40s(async {
        let (port, task) = echo_server(server_config(16384), 2).await;
        let cfg = rustls_client_config();
        let runs = tokio::task::spawn_blocking(move || {
            let first = rustls_client_run(&cfg, port, EARLY, b"first\n", b"first\n");
            let second = rustls_client_run(&cfg, port, EARLY, b"second\n", b"second\n");
            (first, second)
        })
        .await
        .unwrap();
        assert_eq!(runs, ((false, false), (true, true)));
        let served = task.await.unwrap().unwrap();
        assert_eq!(served[1].reason, EarlyDataReason::Accepted);
        assert_eq!(served[1].early.as_deref(), Some(EARLY));
        assert_eq!(served[1].ordinary, b"second\n");
    })
    .await
}

/// A rustls server with 0-RTT on: our client's early data is accepted and
/// read from rustls's early-data reader.
#[tokio::test]
async fn our_client_sends_early_data_to_rustls() {
    bounded_40s(async {
        let (chain, key) = rustls_certs();
        let mut sc = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
        sc.max_early_data_size = 16384;
        sc.send_tls13_tickets = 1;
        let sc = Arc::new(sc);
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        // Two connections; for each: the early data rustls accepted, then
        // one line echoed.
        let server = std::thread::spawn(move || {
            let mut seen = Vec::new();
            for _ in 0..2 {
                let (mut tcp, _) = listener.accept().unwrap();
                tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                let mut conn = rustls::ServerConnection::new(sc.clone()).unwrap();
                let mut early = Vec::new();
                while conn.is_handshaking() {
                    conn.complete_io(&mut tcp).unwrap();
                    if let Some(mut ed) = conn.early_data() {
                        ed.read_to_end(&mut early).unwrap();
                    }
                }
                let mut s = rustls::Stream::new(&mut conn, &mut tcp);
                let mut buf = [0u8; 64];
                let n = s.read(&mut buf).unwrap();
                s.write_all(&buf[..n]).unwrap();
                s.flush().unwrap();
                seen.push(early);
            }
            seen
        });
        let cfg = client_config();
        for (i, early) in [None, Some(EARLY)].into_iter().enumerate() {
            let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
            let c = TlsConnector::from(cfg.clone());
            let mut tls = match early {
                Some(d) => c
                    .connect_with_replayable_early_data(
                        "localhost",
                        tcp,
                        d.to_vec(),
                        OnReject::Resend,
                    )
                    .await
                    .unwrap(),
                None => c.connect("localhost", tcp).await.unwrap(),
            };
            if i == 1 {
                assert!(tls.negotiated().resumed);
                assert_eq!(tls.negotiated().early_data, EarlyDataReason::Accepted);
            }
            tls.write_all(b"ping").await.unwrap();
            tls.flush().await.unwrap();
            let mut four = [0u8; 4];
            tls.read_exact(&mut four).await.unwrap();
            assert_eq!(&four, b"ping");
            let _ = tls.shutdown().await;
        }
        let seen = tokio::task::spawn_blocking(move || server.join().unwrap())
            .await
            .unwrap();
        assert_eq!(seen, vec![Vec::new(), EARLY.to_vec()]);
    })
    .await
}

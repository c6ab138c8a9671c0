//! `lctls::server::LazyAcceptor`: the ClientHello is read first, the
//! application picks a `ServerConfig` from it (per-name certificates and
//! client-authentication policies, ALPN sets), and the handshake completes
//! with that config, with lctls, rustls and openssl s_client as clients.
//! Bytes read before (STARTTLS) or in pieces (1-byte writes) are not lost;
//! what is not a ClientHello gets its alert, or the transport back.

mod common;
mod support;

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use lctls::config::ServerConfig;
use lctls::pki::DefaultClientVerifier;
use lctls::proto::enums::{AlertDescription, ProtocolVersion, SignatureScheme};
use lctls::server::{ClientHello, LazyAcceptor, MAX_BYTES_BEFORE_HELLO};
use lctls::{Error, TlsConnector, TlsStream};
use support::{certified_key, client_config, pem_certs, timeout, tls_err};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// A server config presenting `certs/{name}.pem`, changed by `f`.
fn config(
    name: &str,
    f: impl FnOnce(lctls::config::ServerConfigBuilder) -> lctls::config::ServerConfigBuilder,
) -> Arc<ServerConfig> {
    Arc::new(f(support::server_builder(name)).build().unwrap())
}

/// Accepts one connection, reads its ClientHello, lets `choose` pick the
/// config, completes the handshake and echoes one line. Gives back what it
/// saw of the hello and the handshake's result.
async fn serve_one(
    listener: TcpListener,
    choose: impl FnOnce(&ClientHello) -> Arc<ServerConfig> + Send + 'static,
) -> tokio::task::JoinHandle<(ClientHello, SocketAddr, io::Result<TlsStream<TcpStream>>)> {
    tokio::spawn(async move {
        let (tcp, addr) = listener.accept().await.unwrap();
        let start = LazyAcceptor::new(tcp)
            .with_client_addr(addr)
            .await
            .expect("a ClientHello");
        let hello = start.client_hello().clone();
        let config = choose(&hello);
        let mut r = start.into_stream(config).await;
        if let Ok(tls) = &mut r {
            echo_line(tls).await;
        }
        (hello, addr, r)
    })
}

/// Reads one line and writes it back.
async fn echo_line<S: AsyncRead + AsyncWrite + Unpin>(s: &mut S) {
    let mut line = Vec::new();
    let mut b = [0u8; 1];
    while s.read(&mut b).await.unwrap_or(0) == 1 {
        line.push(b[0]);
        if b[0] == b'\n' {
            break;
        }
    }
    let _ = s.write_all(&line).await;
    let _ = s.flush().await;
}

/// Sends a line over `tls` and checks it comes back.
async fn roundtrip<S: AsyncRead + AsyncWrite + Unpin>(tls: &mut S) {
    try_roundtrip(tls).await.unwrap();
}

async fn try_roundtrip<S: AsyncRead + AsyncWrite + Unpin>(tls: &mut S) -> io::Result<()> {
    tls.write_all(b"ping\n").await?;
    tls.flush().await?;
    let mut got = [0u8; 5];
    tls.read_exact(&mut got).await?;
    assert_eq!(&got, b"ping\n");
    Ok(())
}

async fn listen() -> (TcpListener, SocketAddr) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let a = l.local_addr().unwrap();
    (l, a)
}

/// Two names, two configs with different certificates: the client sees the
/// certificate of the name it asked for (and verifies it against that
/// name); the hello shows what the client offered and where it came from.
#[tokio::test]
async fn per_sni_config_chooses_the_certificate() {
    timeout(async {
        for (name, cert) in [("localhost", "server"), ("wrong.example.com", "wrong-name")] {
            let (listener, addr) = listen().await;
            let server = serve_one(listener, |h| match h.server_name() {
                Some("wrong.example.com") => config("wrong-name", |b| b),
                _ => config("server", |b| b),
            })
            .await;
            let tcp = TcpStream::connect(addr).await.unwrap();
            let local = tcp.local_addr().unwrap();
            let mut tls = TlsConnector::from(client_config())
                .connect(name.to_string(), tcp)
                .await
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(
                tls.peer_certificates()[0],
                pem_certs(&format!("{cert}.pem"))[0]
            );
            roundtrip(&mut tls).await;
            let (hello, peer, r) = server.await.unwrap();
            r.unwrap();
            assert_eq!(hello.server_name(), Some(name));
            assert_eq!((hello.client_addr(), peer), (Some(local), local));
            assert!(hello
                .supported_versions()
                .contains(&ProtocolVersion::TLSv1_3));
            assert!(hello
                .signature_schemes()
                .contains(&SignatureScheme::ECDSA_NISTP256_SHA256));
            assert!(!hello.cipher_suites().is_empty() && !hello.named_groups().is_empty());
            assert_eq!(hello.alpn().count(), 0);
        }
    })
    .await;
}

/// One name requires a client certificate, the other does not: the policy
/// follows the name, through nothing but the chosen config.
#[tokio::test]
async fn per_sni_client_auth_policy() {
    timeout(async {
        let mtls = |b: lctls::config::ServerConfigBuilder| {
            b.with_client_cert_verifier(Arc::new(DefaultClientVerifier::new(support::roots())))
        };
        let with_cert =
            support::client_with(|b| b.with_client_cert(certified_key("client", "client.key")));
        // (name the client asks for, client certificate?, handshake succeeds?)
        for (name, cert, ok) in [
            ("localhost", false, false),
            ("localhost", true, true),
            ("wrong.example.com", false, true),
        ] {
            let (listener, addr) = listen().await;
            let server = serve_one(listener, move |h| match h.server_name() {
                Some("localhost") => config("server", mtls),
                _ => config("wrong-name", |b| b),
            })
            .await;
            let cc = if cert {
                with_cert.clone()
            } else {
                client_config()
            };
            let tcp = TcpStream::connect(addr).await.unwrap();
            let client = async {
                let mut tls = TlsConnector::from(cc)
                    .connect(name.to_string(), tcp)
                    .await?;
                try_roundtrip(&mut tls).await
            };
            let (c, s) = tokio::join!(client, server);
            let (_, _, s) = s.unwrap();
            match (ok, s) {
                (true, Ok(tls)) => {
                    c.unwrap();
                    assert_eq!(!tls.peer_certificates().is_empty(), cert, "{name}");
                }
                (false, Err(e)) => {
                    assert_eq!(
                        tls_err(&e).alert(),
                        Some(AlertDescription::CertificateRequired),
                        "{e}"
                    );
                    let ce = c.expect_err("refused client");
                    assert_eq!(
                        tls_err(&ce),
                        &Error::AlertReceived(AlertDescription::CertificateRequired)
                    );
                }
                (ok, s) => panic!("{name} cert={cert}: expected ok={ok}, got {s:?}"),
            }
        }
    })
    .await;
}

/// The ALPN set comes from the hello: a client offering acme-tls/1 (an ACME
/// TLS-ALPN-01 validation) gets a config speaking only that; others get h2.
#[tokio::test]
async fn alpn_set_chosen_from_the_hello() {
    timeout(async {
        for offer in [&["acme-tls/1"][..], &["h2", "http/1.1"][..]] {
            let (listener, addr) = listen().await;
            let server = serve_one(listener, |h| {
                if h.alpn().any(|p| p == b"acme-tls/1") {
                    config("server", |b| b.with_alpn_protocols(&["acme-tls/1"]))
                } else {
                    config("server", |b| b.with_alpn_protocols(&["h2", "http/1.1"]))
                }
            })
            .await;
            let cc = support::client_with(|b| b.with_alpn_protocols(offer));
            let tcp = TcpStream::connect(addr).await.unwrap();
            let mut tls = TlsConnector::from(cc)
                .connect("localhost", tcp)
                .await
                .unwrap();
            assert_eq!(tls.alpn_protocol(), Some(offer[0].as_bytes()));
            roundtrip(&mut tls).await;
            let (hello, _, r) = server.await.unwrap();
            r.unwrap();
            let seen: Vec<&[u8]> = hello.alpn().collect();
            let want: Vec<&[u8]> = offer.iter().map(|p| p.as_bytes()).collect();
            assert_eq!(seen, want);
        }
    })
    .await;
}

/// rustls (tokio-rustls) and openssl s_client as clients.
#[tokio::test]
async fn rustls_and_openssl_clients() {
    use rustls::pki_types::{pem::PemObject, CertificateDer, ServerName};
    timeout(async {
        let choose = |h: &ClientHello| {
            assert_eq!(h.server_name(), Some("localhost"));
            config("server", |b| b)
        };
        // rustls
        let (listener, addr) = listen().await;
        let server = serve_one(listener, choose).await;
        let mut roots = rustls::RootCertStore::empty();
        for c in CertificateDer::pem_file_iter(support::path("ca.pem")).unwrap() {
            roots.add(c.unwrap()).unwrap();
        }
        let rc = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
        let tcp = TcpStream::connect(addr).await.unwrap();
        let mut tls = tokio_rustls::TlsConnector::from(Arc::new(rc))
            .connect(ServerName::try_from("localhost").unwrap(), tcp)
            .await
            .expect("rustls handshake");
        roundtrip(&mut tls).await;
        server.await.unwrap().2.unwrap();

        // openssl s_client
        if !common::require("openssl") {
            return;
        }
        let (listener, addr) = listen().await;
        let server = serve_one(listener, choose).await;
        let mut c = common::openssl_s_client(addr.port(), &[]);
        c.write(b"from openssl\n");
        assert!(
            c.wait_stdout_contains(b"from openssl\n", common::TIMEOUT)
                .await,
            "{}",
            c.describe()
        );
        c.close_stdin();
        server.await.unwrap().2.unwrap();
    })
    .await;
}

/// STARTTLS: the application reads its plaintext command line itself, in
/// chunks that run past the line into the ClientHello; those bytes start
/// the acceptor and the handshake completes.
#[tokio::test]
async fn starttls_with_already_read_bytes() {
    timeout(async {
        let (listener, addr) = listen().await;
        let server = tokio::spawn(async move {
            let (mut tcp, _) = listener.accept().await.unwrap();
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            // Read until the line and some of what follows it are here.
            while !(buf.starts_with(b"STARTTLS\r\n") && buf.len() > 10) {
                let n = tcp.read(&mut chunk).await.unwrap();
                assert!(n > 0, "client left");
                buf.extend_from_slice(&chunk[..n]);
            }
            let already = buf[10..].to_vec();
            let start = LazyAcceptor::with_prefix(tcp, &already).await.unwrap();
            assert_eq!(start.client_hello().server_name(), Some("localhost"));
            let mut tls = start.into_stream(config("server", |b| b)).await.unwrap();
            echo_line(&mut tls).await;
            already.len()
        });
        let mut tcp = TcpStream::connect(addr).await.unwrap();
        tcp.write_all(b"STARTTLS\r\n").await.unwrap();
        let mut tls = TlsConnector::from(client_config())
            .connect("localhost", tcp)
            .await
            .unwrap();
        roundtrip(&mut tls).await;
        assert!(server.await.unwrap() > 0);
    })
    .await;
}

/// A plaintext HTTP request: `into_fallible` gives the transport back with
/// an error naming it (and the alert a TLS peer would get), so the server
/// can answer in HTTP; the plain future sends that alert instead.
#[tokio::test]
async fn plaintext_http_gets_the_transport_back() {
    timeout(async {
        for fallible in [true, false] {
            let (listener, addr) = listen().await;
            let server = tokio::spawn(async move {
                let (tcp, _) = listener.accept().await.unwrap();
                let e = if fallible {
                    let (e, mut io) = LazyAcceptor::new(tcp).into_fallible().await.unwrap_err();
                    io.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n")
                        .await
                        .unwrap();
                    e
                } else {
                    let mut lazy = LazyAcceptor::new(tcp);
                    let e = (&mut lazy).await.unwrap_err();
                    assert!(lazy.take_io().is_some());
                    e
                };
                assert_eq!(
                    tls_err(&e).alert(),
                    Some(AlertDescription::UnexpectedMessage)
                );
                e.to_string()
            });
            let mut tcp = TcpStream::connect(addr).await.unwrap();
            tcp.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                .await
                .unwrap();
            let msg = server.await.unwrap();
            assert!(msg.contains("plaintext HTTP request"), "{msg}");
            let mut got = Vec::new();
            tcp.read_to_end(&mut got).await.unwrap();
            if fallible {
                assert_eq!(got, b"HTTP/1.1 400 Bad Request\r\n\r\n");
            } else {
                assert_eq!(got, [0x15, 3, 3, 0, 2, 2, 10], "fatal unexpected_message");
            }
        }
    })
    .await;
}

/// Writes one byte per call, flushing each (with TCP_NODELAY each is its
/// own segment).
struct OneByte(TcpStream);

impl AsyncRead for OneByte {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for OneByte {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let n = buf.len().min(1);
        Pin::new(&mut self.0).poll_write(cx, &buf[..n])
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

/// A ClientHello sent one byte per TCP write still makes a handshake.
#[tokio::test]
async fn client_hello_in_one_byte_writes() {
    timeout(async {
        let (listener, addr) = listen().await;
        let server = serve_one(listener, |_| config("server", |b| b)).await;
        let tcp = TcpStream::connect(addr).await.unwrap();
        tcp.set_nodelay(true).unwrap();
        let mut tls = TlsConnector::from(client_config())
            .connect("localhost", OneByte(tcp))
            .await
            .unwrap();
        roundtrip(&mut tls).await;
        let (hello, _, r) = server.await.unwrap();
        r.unwrap();
        assert_eq!(hello.server_name(), Some("localhost"));
    })
    .await;
}

/// What is not a ClientHello gets the alert a server connection sends for
/// it, and nothing is buffered beyond the bounds: a hello announced larger
/// than any valid one is refused from its header.
#[tokio::test]
async fn invalid_input_before_the_hello_gets_its_alert() {
    timeout(async {
        let too_long = (lctls::unstable_internals::MAX_CLIENT_HELLO as u32 + 1).to_be_bytes();
        let cases: [(&str, Vec<u8>, Error); 5] = [
            (
                "ServerHello first",
                vec![22, 3, 1, 0, 4, 2, 0, 0, 0],
                Error::unexpected("x"),
            ),
            (
                "change_cipher_spec first",
                vec![20, 3, 3, 0, 1, 1],
                Error::unexpected("x"),
            ),
            (
                "oversized ClientHello header",
                vec![22, 3, 1, 0, 4, 1, too_long[1], too_long[2], too_long[3]],
                Error::protocol(AlertDescription::IllegalParameter, "x"),
            ),
            (
                "malformed ClientHello body",
                vec![22, 3, 1, 0, 6, 1, 0, 0, 2, 3, 3],
                Error::decode("x"),
            ),
            (
                "application data first",
                vec![23, 3, 3, 0, 1, 0],
                Error::unexpected("x"),
            ),
        ];
        for (what, bytes, want) in cases {
            let (listener, addr) = listen().await;
            let server = tokio::spawn(async move {
                let (tcp, _) = listener.accept().await.unwrap();
                LazyAcceptor::new(tcp).await.unwrap_err()
            });
            let mut tcp = TcpStream::connect(addr).await.unwrap();
            tcp.write_all(&bytes).await.unwrap();
            let e = server.await.unwrap();
            let alert = want.alert().unwrap();
            assert_eq!(tls_err(&e).alert(), Some(alert), "{what}: {e}");
            let mut got = Vec::new();
            let _ = tcp.read_to_end(&mut got).await;
            assert_eq!(got, [0x15, 3, 3, 0, 2, 2, alert.get()], "{what}");
        }
        // The client leaves halfway through its hello: a truncation.
        let (listener, addr) = listen().await;
        let server = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            LazyAcceptor::new(tcp).await.unwrap_err()
        });
        let mut tcp = TcpStream::connect(addr).await.unwrap();
        tcp.write_all(&[22, 3, 1, 0, 200, 1, 0, 0, 196])
            .await
            .unwrap();
        drop(tcp);
        assert_eq!(tls_err(&server.await.unwrap()), &Error::Truncated);

        // A valid-sized hello (100,000 bytes) sent one byte per record costs
        // six bytes a byte: refused at MAX_BYTES_BEFORE_HELLO, not buffered on.
        let (listener, addr) = listen().await;
        let server = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            LazyAcceptor::new(tcp).await.unwrap_err()
        });
        let mut flood = vec![22, 3, 1, 0, 4, 1, 0x01, 0x86, 0xa0];
        for _ in 0..60_000 {
            flood.extend_from_slice(&[22, 3, 1, 0, 1, 0]);
        }
        let mut tcp = TcpStream::connect(addr).await.unwrap();
        let writer = tokio::spawn(async move {
            // The server stops reading (and closes) part way.
            let _ = tcp.write_all(&flood).await;
        });
        let e = server.await.unwrap();
        assert_eq!(
            tls_err(&e).alert(),
            Some(AlertDescription::UnexpectedMessage)
        );
        let want = format!("no complete ClientHello in the first {MAX_BYTES_BEFORE_HELLO} bytes");
        assert!(e.to_string().contains(&want), "{e}");
        writer.abort();
    })
    .await;
}

/// A client that connects and says nothing holds the acceptor only until
/// its time limit.
#[tokio::test]
async fn silent_client_times_out() {
    timeout(async {
        let (listener, addr) = listen().await;
        let _tcp = TcpStream::connect(addr).await.unwrap();
        let (tcp, _) = listener.accept().await.unwrap();
        let started = std::time::Instant::now();
        let limit = std::time::Duration::from_millis(200);
        let e = LazyAcceptor::new(tcp)
            .with_timeout(Some(limit))
            .into_fallible()
            .await
            .unwrap_err()
            .0;
        assert_eq!(e.kind(), io::ErrorKind::TimedOut, "{e}");
        assert!(started.elapsed() >= limit);
    })
    .await;
}

/// The config chosen from the hello may pause the handshake for an
/// asynchronous hook (here a certificate resolver that sleeps, in both
/// versions): the lazy start hands the paused handshake to the same driver.
#[tokio::test]
async fn chosen_config_with_an_async_certificate_resolver() {
    use support::hooks::{client_for, file_resolver, hooked_server, Mode};
    timeout(async {
        for version in [ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2] {
            let resolver = file_resolver(Mode::Sleep);
            let (listener, addr) = listen().await;
            let chosen = hooked_server(resolver.clone(), version);
            let server = serve_one(listener, move |_| chosen).await;
            let tcp = TcpStream::connect(addr).await.unwrap();
            let mut tls = TlsConnector::from(client_for(version))
                .connect("localhost", tcp)
                .await
                .unwrap_or_else(|e| panic!("{version:?}: {e}"));
            assert_eq!(tls.protocol_version(), Some(version));
            roundtrip(&mut tls).await;
            let (_, _, r) = server.await.unwrap();
            r.unwrap();
            assert_eq!(
                *resolver.seen.lock().unwrap(),
                vec![Some("localhost".to_string())]
            );
        }
    })
    .await;
}

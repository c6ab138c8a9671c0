//! Feature `hyper`: `lctls::hyper::HttpsConnector` under hyper-util's
//! legacy `Client`, against our own server (HTTP/2 and HTTP/1.1 by ALPN),
//! hyper's HTTP/2 server over rustls, and `openssl s_server -www`.

mod common;
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full};
use hyper::{Request, Response, StatusCode, Version};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use lctls::config::ClientConfig;
use lctls::hyper::HttpsConnector;
use lctls::pki::CertificateError;
use lctls::stream::TlsConnectInfo;
use lctls::{Error, TlsAcceptor};
use support::https::{error_chain, find_tls_error, h2_server_config, spawn_hyper_server};
use support::{client_config, server_config, timeout};

type HttpClient = Client<HttpsConnector, Empty<Bytes>>;

fn client(config: Arc<ClientConfig>) -> HttpClient {
    Client::builder(TokioExecutor::new()).build(HttpsConnector::new(config))
}

/// GETs `url`; the status, HTTP version, body and the TLS info the
/// connector put in the response.
async fn get(client: &HttpClient, url: &str) -> (StatusCode, Version, String, TlsConnectInfo) {
    let resp = client.get(url.parse().unwrap()).await.expect("GET");
    let (status, version) = (resp.status(), resp.version());
    let info = resp
        .extensions()
        .get::<TlsConnectInfo>()
        .cloned()
        .expect("TlsConnectInfo in the response extensions");
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        version,
        String::from_utf8_lossy(&body).into_owned(),
        info,
    )
}

#[tokio::test]
async fn http2_chosen_by_alpn_against_our_server() {
    timeout(async {
        let (port, server) =
            spawn_hyper_server(TlsAcceptor::from(h2_server_config("server"))).await;
        let c = client(client_config());
        let url = format!("https://localhost:{port}/");
        for _ in 0..3 {
            let (status, version, body, info) = get(&c, &url).await;
            assert_eq!(status, 200);
            assert_eq!(version, Version::HTTP_2);
            assert_eq!(info.alpn_protocol(), Some(&b"h2"[..]));
            assert_eq!(info.server_name(), Some("localhost"));
            assert!(
                body.starts_with("version=HTTP/2.0 alpn=h2 sni=localhost"),
                "{body}"
            );
        }
        server.abort();
    })
    .await
}

#[tokio::test]
async fn http1_when_the_config_or_the_server_says_so() {
    timeout(async {
        // The config's own ALPN wins over the connector's default.
        let (port, server) =
            spawn_hyper_server(TlsAcceptor::from(h2_server_config("server"))).await;
        let cc = support::client_with(|b| b.with_alpn_protocols(&["http/1.1"]));
        let (status, version, body, info) =
            get(&client(cc), &format!("https://localhost:{port}/")).await;
        assert_eq!((status, version), (StatusCode::OK, Version::HTTP_11));
        assert_eq!(info.alpn_protocol(), Some(&b"http/1.1"[..]));
        assert!(body.starts_with("version=HTTP/1.1 alpn=http/1.1"), "{body}");
        server.abort();

        // A server without ALPN: HTTP/1.1 although h2 was offered.
        let (port, server) = spawn_hyper_server(TlsAcceptor::from(server_config("server"))).await;
        let (_, version, body, info) = get(
            &client(client_config()),
            &format!("https://localhost:{port}/"),
        )
        .await;
        assert_eq!(version, Version::HTTP_11);
        assert_eq!(info.alpn_protocol(), None);
        assert!(body.starts_with("version=HTTP/1.1 alpn=-"), "{body}");
        server.abort();
    })
    .await
}

#[tokio::test]
async fn ip_address_hosts_are_verified_as_ip_addresses() {
    timeout(async {
        let (port, server) =
            spawn_hyper_server(TlsAcceptor::from(h2_server_config("server"))).await;
        let c = client(client_config());
        let (status, _, body, _) = get(&c, &format!("https://127.0.0.1:{port}/")).await;
        assert_eq!(status, 200);
        // No SNI for an IP address (RFC 6066 section 3).
        assert!(body.contains(" sni=- "), "{body}");
        server.abort();

        // [::1]: the brackets are the URI's, not the name's.
        let Ok(tls6) =
            lctls::TlsListener::bind("[::1]:0", TlsAcceptor::from(h2_server_config("server")))
                .await
        else {
            eprintln!("SKIPPED: no IPv6 loopback");
            return;
        };
        let port6 = tls6.local_addr().unwrap().port();
        drop(tls6);
        let mut l = lctls::TlsListener::bind(
            ("::1", port6),
            TlsAcceptor::from(h2_server_config("server")),
        )
        .await
        .unwrap();
        let serve = tokio::spawn(async move {
            let (tls, _) = l.accept().await;
            hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                .serve_connection(
                    TokioIo::new(tls),
                    hyper::service::service_fn(|_req| async {
                        Ok::<_, std::convert::Infallible>(Response::new(Full::new(Bytes::from(
                            "v6",
                        ))))
                    }),
                )
                .await
        });
        let (status, version, body, info) = get(&c, &format!("https://[::1]:{port6}/")).await;
        assert_eq!(
            (status, version, body.as_str()),
            (StatusCode::OK, Version::HTTP_2, "v6")
        );
        assert_eq!(info.remote_addr().ip(), std::net::Ipv6Addr::LOCALHOST);
        serve.abort();
    })
    .await
}

#[tokio::test]
async fn wrong_name_fails_with_our_words_in_hypers_error_chain() {
    timeout(async {
        let (port, server) =
            spawn_hyper_server(TlsAcceptor::from(h2_server_config("wrong-name"))).await;
        let err = client(client_config())
            .get(format!("https://localhost:{port}/").parse().unwrap())
            .await
            .expect_err("a certificate for wrong.example.com must not pass as localhost");
        assert!(err.is_connect(), "{err:?}");
        let chain = error_chain(&err);
        assert!(
            chain
                .iter()
                .any(|m| m.contains("certificate is not valid for 'localhost'")
                    && m.contains("wrong.example.com")),
            "our words are not in hyper's error chain: {chain:#?}"
        );
        assert_eq!(
            find_tls_error(&err),
            Some(Error::Certificate(CertificateError::NotValidForName {
                expected: "localhost".into(),
                presented: vec!["wrong.example.com".into()],
            }))
        );
        server.abort();
    })
    .await
}

#[tokio::test]
async fn http_uris_refused_unless_allowed() {
    timeout(async {
        // A plain HTTP server that counts its connections.
        let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = tcp.local_addr().unwrap().port();
        let (seen_tx, mut seen) = tokio::sync::mpsc::unbounded_channel();
        let server = tokio::spawn(async move {
            loop {
                let (s, _) = tcp.accept().await.unwrap();
                let _ = seen_tx.send(());
                tokio::spawn(hyper::server::conn::http1::Builder::new().serve_connection(
                    TokioIo::new(s),
                    hyper::service::service_fn(|_req| async {
                        Ok::<_, std::convert::Infallible>(Response::new(Full::new(Bytes::from(
                            "plain",
                        ))))
                    }),
                ));
            }
        });
        let url: hyper::Uri = format!("http://127.0.0.1:{port}/").parse().unwrap();
        let err = client(client_config())
            .get(url.clone())
            .await
            .expect_err("http:// refused");
        let chain = error_chain(&err);
        assert!(
            chain.iter().any(|m| m.contains("refusing an http:// URI")),
            "{chain:#?}"
        );
        // Refused before any connection was made.
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(seen.try_recv().is_err(), "the refused request connected");

        let plain: Client<HttpsConnector, Empty<Bytes>> = Client::builder(TokioExecutor::new())
            .build(HttpsConnector::new(client_config()).allow_http());
        let resp = plain.get(url).await.expect("allowed http://");
        assert_eq!(resp.status(), 200);
        assert!(resp.extensions().get::<TlsConnectInfo>().is_none());
        assert_eq!(
            resp.into_body().collect().await.unwrap().to_bytes(),
            "plain"
        );
        assert!(seen.try_recv().is_ok());
        server.abort();
    })
    .await
}

#[tokio::test]
async fn handshake_timeout_bounds_a_silent_server() {
    timeout(async {
        // Accepts TCP and never answers the ClientHello.
        let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = tcp.local_addr().unwrap().port();
        let server = tokio::spawn(async move {
            let mut held = Vec::new();
            for _ in 0..4 {
                held.push(tcp.accept().await.unwrap());
            }
            tokio::time::sleep(Duration::from_secs(30)).await;
        });
        let c: HttpClient = Client::builder(TokioExecutor::new()).build(
            HttpsConnector::new(client_config()).with_handshake_timeout(Duration::from_millis(300)),
        );
        let start = Instant::now();
        let err = c
            .get(format!("https://localhost:{port}/").parse().unwrap())
            .await
            .expect_err("silent server");
        let took = start.elapsed();
        assert!(took < Duration::from_secs(3), "took {took:?}");
        let io = error_chain(&err);
        assert!(err.is_connect(), "{io:#?}");
        assert!(
            io.iter()
                .any(|m| m == "TLS handshake did not complete within 300ms"),
            "{io:#?}"
        );
        server.abort();
    })
    .await
}

/// hyper's own HTTP/2 server over tokio-rustls: another TLS stack picks h2.
#[tokio::test]
async fn http2_against_hyper_over_rustls() {
    timeout(async {
        let certs = support::pem_certs("server.pem");
        use rustls_pki_types::pem::PemObject;
        let key =
            rustls_pki_types::PrivateKeyDer::from_pem_file(support::path("server.key")).unwrap();
        let mut sc = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
        sc.alpn_protocols = vec![b"h2".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(sc));
        let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = tcp.local_addr().unwrap().port();
        let server = tokio::spawn(async move {
            loop {
                let (s, _) = tcp.accept().await.unwrap();
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let tls = acceptor.accept(s).await.unwrap();
                    hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                        .serve_connection(
                            TokioIo::new(tls),
                            hyper::service::service_fn(
                                |req: Request<hyper::body::Incoming>| async move {
                                    let body = format!("rustls saw {:?}", req.version());
                                    Ok::<_, std::convert::Infallible>(Response::new(Full::new(
                                        Bytes::from(body),
                                    )))
                                },
                            ),
                        )
                        .await
                });
            }
        });
        let c = client(client_config());
        let (status, version, body, info) = get(&c, &format!("https://localhost:{port}/")).await;
        assert_eq!((status, version), (StatusCode::OK, Version::HTTP_2));
        assert_eq!(body, "rustls saw HTTP/2.0");
        assert_eq!(info.alpn_protocol(), Some(&b"h2"[..]));
        assert_eq!(
            info.peer_certificates(),
            support::pem_certs("server.pem").as_slice()
        );
        server.abort();
    })
    .await
}

/// `openssl s_server -www` answers HTTP/1.0 with a page about the session;
/// it does not do ALPN, so the connector's h2 offer falls back to HTTP/1.1.
#[tokio::test]
async fn openssl_s_server_www() {
    if !common::require("openssl") {
        return;
    }
    for (flag, want) in [("-tls1_3", "TLSv1.3"), ("-tls1_2", "TLSv1.2")] {
        let port = common::free_port();
        let mut cmd = std::process::Command::new("openssl");
        cmd.arg("s_server")
            .arg("-accept")
            .arg(format!("127.0.0.1:{port}"))
            .args(common::openssl_cert_args("server.pem", "server.key"))
            .args([flag, "-www", "-quiet"]);
        let _peer = {
            let mut p = common::Peer::spawn(cmd, port, false);
            p.wait_listening(common::TIMEOUT);
            p
        };
        timeout(async {
            let resp = client(client_config())
                .get(format!("https://localhost:{port}/").parse().unwrap())
                .await
                .expect("GET from s_server -www");
            assert_eq!(resp.status(), 200);
            assert_eq!(resp.version(), Version::HTTP_10);
            let info = resp.extensions().get::<TlsConnectInfo>().cloned().unwrap();
            assert_eq!(info.alpn_protocol(), None);
            let body = resp.into_body().collect().await.expect("body").to_bytes();
            let body = String::from_utf8_lossy(&body);
            assert!(
                body.contains(&format!("Protocol  : {want}")),
                "{flag}: {body}"
            );
        })
        .await;
    }
}

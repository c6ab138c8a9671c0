//! OCSP stapling between our client and our server, TLS 1.3 and TLS 1.2:
//! responses made by `openssl ocsp` (tests/support/ocsp.rs), every refusal
//! asserted with its error and alert.

mod support;

use std::sync::Arc;
use std::time::Duration;

use lctls::config::{ClientConfig, FixedTime, ServerConfig};
use lctls::pki::{CertificateError, OcspPolicy, UnixTime};
use lctls::proto::enums::{AlertDescription, ProtocolVersion};
use lctls::Error;
use support::ocsp::{response, response_for, stapling_server, Signer, Status};
use support::{certified_key, client_builder, handshake_err, timeout, try_pair};

const VERSIONS: [ProtocolVersion; 2] = [ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2];

fn server(v: ProtocolVersion, staple: Option<Vec<u8>>) -> Arc<ServerConfig> {
    stapling_server(&[v], staple)
}

fn client(v: ProtocolVersion, policy: OcspPolicy) -> Arc<ClientConfig> {
    Arc::new(client_at(v, policy, None))
}

/// A client whose clock is `offset` seconds from now (for stale responses).
fn client_at(v: ProtocolVersion, policy: OcspPolicy, offset: Option<i64>) -> ClientConfig {
    let mut b = client_builder()
        .with_protocol_versions(&[v])
        .with_ocsp_stapling(policy);
    if let Some(off) = offset {
        let now = UnixTime::now().as_secs() as i64 + off;
        b = b.with_time_provider(Arc::new(FixedTime(UnixTime::since_unix_epoch(
            Duration::from_secs(now as u64),
        ))));
    }
    b.build().unwrap()
}

/// Runs a handshake; returns the staple the client saw, or its error.
async fn staple_seen(
    cc: Arc<ClientConfig>,
    sc: Arc<ServerConfig>,
) -> Result<Option<Vec<u8>>, Error> {
    let (c, _s) = timeout(try_pair(cc, sc, "localhost")).await;
    match c {
        Ok(tls) => Ok(tls.ocsp_response().map(<[u8]>::to_vec)),
        Err(e) => Err(handshake_err::<()>(Err(e))),
    }
}

#[track_caller]
fn assert_refused(
    r: Result<Option<Vec<u8>>, Error>,
    alert: AlertDescription,
    v: ProtocolVersion,
) -> Error {
    let e = r.expect_err("the staple must be refused");
    assert_eq!(e.alert(), Some(alert), "{v:?}: {e}");
    e
}

#[tokio::test]
async fn good_staple_is_delivered_and_verified() {
    let good = response(Status::Good, Signer::Issuer);
    for v in VERSIONS {
        for policy in [OcspPolicy::Allow, OcspPolicy::Require] {
            let seen = staple_seen(client(v, policy), server(v, Some(good.clone()))).await;
            assert_eq!(
                seen.unwrap().as_deref(),
                Some(&good[..]),
                "{v:?} {policy:?}"
            );
        }
    }
}

#[tokio::test]
async fn no_staple_unless_the_client_asks() {
    let good = response(Status::Good, Signer::Issuer);
    for v in VERSIONS {
        let seen = staple_seen(client(v, OcspPolicy::Off), server(v, Some(good.clone()))).await;
        assert_eq!(seen.unwrap(), None, "{v:?}");
    }
}

#[tokio::test]
async fn delegated_responder_with_ocsp_signing_is_accepted() {
    let r = response(Status::Good, Signer::Delegated);
    for v in VERSIONS {
        let seen = staple_seen(client(v, OcspPolicy::Require), server(v, Some(r.clone()))).await;
        assert_eq!(seen.unwrap().as_deref(), Some(&r[..]), "{v:?}");
    }
}

#[tokio::test]
async fn revoked_certificate_is_refused_with_certificate_revoked() {
    let r = response(Status::Revoked, Signer::Issuer);
    for v in VERSIONS {
        let e = assert_refused(
            staple_seen(client(v, OcspPolicy::Allow), server(v, Some(r.clone()))).await,
            AlertDescription::CertificateRevoked,
            v,
        );
        assert!(
            matches!(e, Error::Certificate(CertificateError::Revoked { ref subject, .. }) if subject.contains("localhost")),
            "{e:?}"
        );
    }
}

/// Every unacceptable response, refused under either policy with
/// bad_certificate_status_response (RFC 6066 section 8).
#[tokio::test]
async fn bad_responses_are_refused_with_bad_certificate_status_response() {
    let good = response(Status::Good, Signer::Issuer);
    let mut truncated = good.clone();
    truncated.truncate(good.len() - 10);
    let mut bad_sig = good.clone();
    // The last byte is inside the responder certificate the response
    // carries; flip one in the middle of ResponseData instead.
    let i = good.len() / 3;
    bad_sig[i] ^= 1;
    let cases: [(&str, Vec<u8>, &str); 7] = [
        ("garbage", vec![0x30, 3, 1, 2, 3], "does not decode"),
        ("truncated", truncated, "does not decode"),
        (
            "status unknown",
            response(Status::Unknown, Signer::Issuer),
            "does not know",
        ),
        (
            "unrelated signer",
            response(Status::Good, Signer::Stranger),
            "not certified by the issuer",
        ),
        (
            "responder without id-kp-OCSPSigning",
            response(Status::Good, Signer::DelegatedWithoutEku),
            "lacks id-kp-OCSPSigning",
        ),
        (
            "about another certificate",
            response_for("server-rsa.pem", Status::Good, Signer::Issuer, 60),
            "is not about certificate",
        ),
        ("tampered", bad_sig, ""),
    ];
    for v in VERSIONS {
        for (what, r, words) in &cases {
            let e = assert_refused(
                staple_seen(client(v, OcspPolicy::Allow), server(v, Some(r.clone()))).await,
                AlertDescription::BadCertificateStatusResponse,
                v,
            );
            let Error::Certificate(CertificateError::BadOcspResponse { reason }) = &e else {
                panic!("{what}: {e:?}");
            };
            assert!(reason.contains(words), "{what}: {reason}");
        }
    }
}

#[tokio::test]
async fn stale_staple_follows_the_policy() {
    // Valid for a day; the client's clock is two days ahead.
    let r = response(Status::Good, Signer::Issuer);
    let later = Some(2 * 86_400);
    for v in VERSIONS {
        let allow = Arc::new(client_at(v, OcspPolicy::Allow, later));
        assert_eq!(
            staple_seen(allow, server(v, Some(r.clone())))
                .await
                .unwrap()
                .as_deref(),
            Some(&r[..]),
            "{v:?}"
        );
        let require = Arc::new(client_at(v, OcspPolicy::Require, later));
        let e = assert_refused(
            staple_seen(require, server(v, Some(r.clone()))).await,
            AlertDescription::BadCertificateStatusResponse,
            v,
        );
        assert!(e.to_string().contains("stale"), "{e}");
    }
}

#[tokio::test]
async fn response_from_the_future_is_refused() {
    let r = response(Status::Good, Signer::Issuer);
    for v in VERSIONS {
        let early = Arc::new(client_at(v, OcspPolicy::Allow, Some(-3600)));
        let e = assert_refused(
            staple_seen(early, server(v, Some(r.clone()))).await,
            AlertDescription::BadCertificateStatusResponse,
            v,
        );
        assert!(e.to_string().contains("not valid before"), "{e}");
    }
}

#[tokio::test]
async fn missing_staple_follows_the_policy() {
    for v in VERSIONS {
        let seen = staple_seen(client(v, OcspPolicy::Allow), server(v, None)).await;
        assert_eq!(seen.unwrap(), None, "{v:?}");
        let e = assert_refused(
            staple_seen(client(v, OcspPolicy::Require), server(v, None)).await,
            AlertDescription::BadCertificateStatusResponse,
            v,
        );
        assert!(e.to_string().contains("stapled no OCSP response"), "{e}");
    }
}

/// A resumed handshake carries no Certificate: it reports the staple of the
/// handshake that made the session.
#[tokio::test]
async fn resumption_reports_the_original_staple() {
    let good = response(Status::Good, Signer::Issuer);
    for v in VERSIONS {
        let cc = client(v, OcspPolicy::Allow);
        let sc = server(v, Some(good.clone()));
        for round in 0..2 {
            let (c, _s) = timeout(try_pair(cc.clone(), sc.clone(), "localhost")).await;
            let mut c = c.unwrap();
            // TLS 1.3 tickets arrive after the handshake: read them.
            if v == ProtocolVersion::TLSv1_3 && round == 0 {
                use tokio::io::AsyncWriteExt;
                let _ = timeout(c.flush()).await;
                let mut buf = [0u8; 1];
                let _ = tokio::time::timeout(
                    Duration::from_millis(200),
                    tokio::io::AsyncReadExt::read(&mut c, &mut buf),
                )
                .await;
            }
            assert_eq!(c.negotiated().resumed, round == 1, "{v:?} round {round}");
            assert_eq!(c.ocsp_response(), Some(&good[..]), "{v:?} round {round}");
        }
    }
}

#[test]
fn reloadable_cert_swaps_the_staple_with_the_certificate() {
    use lctls::config::ReloadableCert;
    let r = response(Status::Good, Signer::Issuer);
    let file = support::ocsp::write_response(&r);
    let cert = ReloadableCert::new(certified_key("server", "server.key"));
    assert_eq!(cert.current().ocsp, None);
    cert.reload_pem_files_with_ocsp(
        support::path("server.pem"),
        support::path("server.key"),
        &file,
    )
    .unwrap();
    assert_eq!(cert.current().ocsp.as_deref(), Some(&r[..]));
    // A missing file keeps what is served.
    let e = cert
        .reload_pem_files_with_ocsp(
            support::path("server.pem"),
            support::path("server.key"),
            "/nonexistent/resp.der",
        )
        .unwrap_err();
    assert!(matches!(e, Error::Config(_)), "{e:?}");
    assert_eq!(cert.current().ocsp.as_deref(), Some(&r[..]));
}

/// Signed certificate timestamps ride where staples do: the server sends
/// its list to a client that asks, and a resumption reports it again.
#[tokio::test]
async fn sct_list_reaches_a_client_that_asks() {
    let list = vec![0, 6, 0, 4, 5, 6, 7, 8];
    for v in VERSIONS {
        let key = certified_key("server", "server.key")
            .with_sct_list(list.clone())
            .unwrap();
        let sc = Arc::new(
            ServerConfig::builder()
                .with_certified_key(key)
                .with_protocol_versions(&[v])
                .build()
                .unwrap(),
        );
        let ask = |on: bool| {
            support::client_with(|b| {
                b.with_protocol_versions(&[v])
                    .with_signed_certificate_timestamps(on)
            })
        };
        let (c, _s) = timeout(try_pair(ask(false), sc.clone(), "localhost")).await;
        assert_eq!(c.unwrap().negotiated().sct_list, None, "{v:?}");
        let (c, _s) = timeout(try_pair(ask(true), sc.clone(), "localhost")).await;
        assert_eq!(
            c.unwrap().negotiated().sct_list.as_deref(),
            Some(&list[..]),
            "{v:?}"
        );
    }
}

#[test]
fn malformed_sct_list_is_refused_at_configuration() {
    for bad in [
        vec![],
        vec![0, 0],
        vec![0, 6, 0, 2, 1, 2, 0, 0],
        vec![0, 3, 0, 4, 5],
    ] {
        let e = certified_key("server", "server.key")
            .with_sct_list(bad.clone())
            .unwrap_err();
        assert!(
            matches!(e, Error::Config(ref m) if m.contains("invalid SCT list")),
            "{bad:?}: {e:?}"
        );
    }
}

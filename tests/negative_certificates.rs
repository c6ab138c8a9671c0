//! Certificate failures (wrong name or address, unknown CA, expiry, fixed
//! verification times): each test asserts the exact error on the failing
//! side and the alert the other side received.

mod support;

use std::sync::Arc;
use std::time::Duration;

use lctls::config::{CertifiedKey, ClientConfig, FixedTime, ServerConfig};
use lctls::pki::{CertificateDer, CertificateError, RootStore, UnixTime};
use lctls::proto::enums::AlertDescription;
use lctls::Error;
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn wrong_host_name() {
    timeout(async {
        let e = client_refuses(
            client_config(),
            server_config("server"),
            "example.com",
            AlertDescription::BadCertificate,
        )
        .await;
        assert_eq!(
            e,
            Error::Certificate(CertificateError::NotValidForName {
                expected: "example.com".into(),
                presented: vec!["localhost".into(), "127.0.0.1".into(), "::1".into()],
            })
        );
    })
    .await
}

#[tokio::test]
async fn wrong_name_certificate() {
    timeout(async {
        let e = client_refuses(
            client_config(),
            server_config("wrong-name"),
            "localhost",
            AlertDescription::BadCertificate,
        )
        .await;
        assert_eq!(
            e,
            Error::Certificate(CertificateError::NotValidForName {
                expected: "localhost".into(),
                presented: vec!["wrong.example.com".into()],
            })
        );
    })
    .await
}

#[tokio::test]
async fn wrong_ip_address() {
    timeout(async {
        let e = client_refuses(
            client_config(),
            server_config("server"),
            "127.0.0.2",
            AlertDescription::BadCertificate,
        )
        .await;
        assert_eq!(
            e,
            Error::Certificate(CertificateError::NotValidForName {
                expected: "127.0.0.2".into(),
                presented: vec!["localhost".into(), "127.0.0.1".into(), "::1".into()],
            })
        );
    })
    .await
}

#[tokio::test]
async fn unknown_ca() {
    timeout(async {
        let e = client_refuses(
            client_config(),
            server_config("untrusted"),
            "localhost",
            AlertDescription::UnknownCA,
        )
        .await;
        assert_eq!(
            e,
            Error::Certificate(CertificateError::UnknownIssuer {
                subject: "CN=localhost,O=lctls test".into(),
                issuer: "CN=lctls other (untrusted) root CA,O=lctls test".into(),
            })
        );
    })
    .await
}

#[tokio::test]
async fn expired_certificate() {
    timeout(async {
        let e = client_refuses(
            client_config(),
            server_config("expired"),
            "localhost",
            AlertDescription::CertificateExpired,
        )
        .await;
        match e {
            Error::Certificate(CertificateError::Expired {
                subject,
                not_after,
                now: _,
            }) => {
                assert_eq!(subject, "CN=localhost,O=lctls test");
                assert_eq!(not_after, "2021-01-01T00:00:00Z");
            }
            other => panic!("expected Expired, got {other:?}"),
        }
    })
    .await
}

/// 2020-06-01T00:00:00Z.
fn june_2020() -> Arc<FixedTime> {
    Arc::new(FixedTime(UnixTime::since_unix_epoch(Duration::from_secs(
        1_590_969_600,
    ))))
}

/// expired.pem's leaf is valid on 2020-06-01, but certs/make.sh issues the
/// root and intermediate at generation time, so at that instant the chain is
/// refused because the *intermediate* is not yet valid. This pins that exact
/// behaviour; `fixed_time_inside_validity_window_accepts` covers acceptance
/// with a chain that really is valid on 2020-06-01.
#[tokio::test]
async fn expired_pem_at_fixed_time_fails_on_intermediate_not_yet_valid() {
    timeout(async {
        let cc = client_with(|b| b.with_time_provider(june_2020()));
        let e = client_refuses(
            cc,
            server_config("expired"),
            "localhost",
            AlertDescription::CertificateExpired,
        )
        .await;
        match e {
            Error::Certificate(CertificateError::NotYetValid {
                subject,
                not_before: _,
                now,
            }) => {
                assert_eq!(subject, "CN=lctls test intermediate CA,O=lctls test");
                assert_eq!(now, "2020-06-01T00:00:00Z");
            }
            other => panic!("expected NotYetValid for the intermediate, got {other:?}"),
        }
    })
    .await
}

/// A root valid 2019..2040 and a leaf valid only in 2020, made with rcgen.
fn chain_valid_in_2020() -> (CertificateDer<'static>, CertifiedKey) {
    use rcgen::{
        date_time_ymd, BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa,
        KeyPair, KeyUsagePurpose,
    };
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.distinguished_name
        .push(DnType::CommonName, "rcgen 2020 root");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.not_before = date_time_ymd(2019, 1, 1);
    ca.not_after = date_time_ymd(2040, 1, 1);
    let ca_cert = ca.self_signed(&ca_key).unwrap();

    let leaf_key = KeyPair::generate().unwrap();
    let mut leaf = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    leaf.distinguished_name
        .push(DnType::CommonName, "localhost");
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    // RFC 5280 4.2.1.1: the leaf names its issuer's key.
    leaf.use_authority_key_identifier_extension = true;
    leaf.not_before = date_time_ymd(2020, 1, 1);
    leaf.not_after = date_time_ymd(2021, 1, 1);
    let leaf_cert = leaf.signed_by(&leaf_key, &ca_cert, &ca_key).unwrap();

    let key = rustls_pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into());
    let ck = CertifiedKey::new(vec![leaf_cert.der().clone()], &key).unwrap();
    (ca_cert.der().clone(), ck)
}

#[tokio::test]
async fn fixed_time_inside_validity_window_accepts() {
    timeout(async {
        let (root, ck) = chain_valid_in_2020();
        let mut roots = RootStore::new();
        roots.add(root).unwrap();
        let roots = Arc::new(roots);
        let sc = Arc::new(
            ServerConfig::builder()
                .with_certified_key(ck)
                .build()
                .unwrap(),
        );

        // At the fixed time inside the window: accepted.
        let cc = Arc::new(
            ClientConfig::builder()
                .with_root_store(roots.clone())
                .with_time_provider(june_2020())
                .build()
                .unwrap(),
        );
        let (mut c, mut s) = pair(cc, sc.clone(), "localhost").await;
        c.write_all(b"2020").await.unwrap();
        c.flush().await.unwrap();
        let mut buf = [0u8; 4];
        s.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"2020");

        // The same chain with the system clock: the leaf has expired.
        let cc = Arc::new(
            ClientConfig::builder()
                .with_root_store(roots)
                .build()
                .unwrap(),
        );
        let e = client_refuses(cc, sc, "localhost", AlertDescription::CertificateExpired).await;
        match e {
            Error::Certificate(CertificateError::Expired {
                subject, not_after, ..
            }) => {
                assert_eq!(subject, "CN=localhost");
                assert_eq!(not_after, "2021-01-01T00:00:00Z");
            }
            other => panic!("expected Expired, got {other:?}"),
        }
    })
    .await
}

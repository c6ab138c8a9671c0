//! A peer whose certificate's keyUsage lacks digitalSignature cannot sign
//! the handshake (RFC 5280 4.2.1.3), even past a custom verifier that
//! accepts every chain: the library checks it where it verifies the
//! signature (BoGo's ECDSAKeyUsage-*, RSAKeyUsage-*-WantSignature-GotEncipherment).

mod pki_support;
mod support;

use std::sync::Arc;

use lctls::config::{CertifiedKey, ClientConfig, ServerConfig};
use lctls::pki::{CertificateDer, CertificateError, ServerCertVerifier, ServerName, UnixTime};
use lctls::proto::enums::{AlertDescription, ProtocolVersion};
use lctls::proto::Connection;
use lctls::Error;
use pki_support::*;
use rcgen::{KeyPair, KeyUsagePurpose};
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

/// Accepts every chain, as an application's custom verifier might.
#[derive(Debug)]
struct AcceptAll;

impl ServerCertVerifier for AcceptAll {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: UnixTime,
    ) -> Result<(), CertificateError> {
        Ok(())
    }
}

/// The client's verdict on a server whose leaf has keyUsage `usages`.
fn client_verdict(usages: Vec<KeyUsagePurpose>, version: ProtocolVersion) -> Result<(), Error> {
    let ca = root("Test KU Root");
    let key = KeyPair::generate().expect("key");
    let mut p = params("localhost", vec![dns("localhost")]);
    p.key_usages = usages;
    let leaf = leaf_with(p, &key, &ca);
    let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let ck = CertifiedKey::new(vec![leaf], &der).expect("key fits");
    let sc = ServerConfig::builder()
        .with_certified_key(ck)
        .with_protocol_versions(&[version])
        .build()
        .unwrap();
    let cc = ClientConfig::builder()
        .dangerous()
        .with_custom_verifier(Arc::new(AcceptAll))
        .with_protocol_versions(&[version])
        .build()
        .unwrap();
    let mut c = Connection::new_client(Arc::new(cc), "localhost".try_into().unwrap()).unwrap();
    let mut s = Connection::new_server(Arc::new(sc));
    for _ in 0..10 {
        s.feed(&c.take_outgoing());
        s.process()?;
        c.feed(&s.take_outgoing());
        c.process()?;
        if !c.is_handshaking() {
            return Ok(());
        }
    }
    panic!("no handshake in 10 rounds");
}

#[test]
fn a_key_without_digital_signature_cannot_sign_the_handshake() {
    for v in [ProtocolVersion::TLSv1_3, ProtocolVersion::TLSv1_2] {
        let e = client_verdict(vec![KeyUsagePurpose::KeyAgreement], v).unwrap_err();
        assert!(
            matches!(
                &e,
                Error::Certificate(CertificateError::KeyUsage {
                    needed: "digitalSignature",
                    ..
                })
            ),
            "{v:?}: {e}"
        );
        assert_eq!(e.alert(), Some(AlertDescription::BadCertificate), "{v:?}");
        client_verdict(vec![KeyUsagePurpose::DigitalSignature], v).expect("digitalSignature");
        client_verdict(vec![], v).expect("no keyUsage at all");
    }
}

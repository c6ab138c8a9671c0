//! Asynchronous hooks for the tests of `crate::hooks`: a signer wrapping a
//! real aws-lc-rs key, a resolver and verifiers that sleep, fail, answer
//! from another task or never answer.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lctls::config::{CertifiedKey, ServerConfig, SigningKey};
use lctls::hooks::{
    AsyncClientCertVerifier, AsyncResolvesServerCert, AsyncServerCertVerifier, AsyncSigningKey,
    ClientCertInput, ClientHelloDetails, HookFuture, ServerCertInput,
};
use lctls::pki::CertificateError;
use lctls::proto::enums::{AlertDescription, ProtocolVersion, SignatureScheme};
use lctls::Error;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::PrivateKeyDer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{certified_key, client_builder, path, pem_certs};

pub const HOOK_DELAY: Duration = Duration::from_millis(50);

/// A real aws-lc-rs key behind the asynchronous signing interface, as a
/// KMS client would be: the signature is made after a delay (or refused).
#[derive(Debug)]
pub struct SlowSigner {
    pub key: SigningKey,
    pub fail: bool,
    pub calls: AtomicUsize,
}

impl SlowSigner {
    pub fn new(key_file: &str, fail: bool) -> Arc<Self> {
        let der = PrivateKeyDer::from_pem_file(path(key_file)).unwrap();
        Arc::new(SlowSigner {
            key: SigningKey::from_der(&der).unwrap(),
            fail,
            calls: AtomicUsize::new(0),
        })
    }
}

/// The signer's key lives in an `Arc` the future can own.
#[derive(Debug)]
pub struct SharedSigner(pub Arc<SlowSigner>);

impl AsyncSigningKey for SharedSigner {
    fn schemes(&self) -> &[SignatureScheme] {
        self.0.key.schemes_tls12()
    }

    fn public_key(&self) -> Vec<u8> {
        self.0.key.public_key()
    }

    fn sign(
        &self,
        scheme: SignatureScheme,
        message: Vec<u8>,
    ) -> HookFuture<Result<Vec<u8>, Error>> {
        let inner = self.0.clone();
        Box::pin(async move {
            inner.calls.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(HOOK_DELAY).await;
            if inner.fail {
                return Err(Error::Config("the KMS is unreachable".into()));
            }
            inner.key.sign(scheme, &message)
        })
    }
}

/// A certificate whose key signs through [`SlowSigner`].
pub fn async_key(name: &str, fail: bool) -> (Arc<CertifiedKey>, Arc<SlowSigner>) {
    let signer = SlowSigner::new(&format!("{name}.key"), fail);
    let key = CertifiedKey::with_async_signer(
        pem_certs(&format!("{name}.pem")),
        Arc::new(SharedSigner(signer.clone())),
    )
    .unwrap();
    (Arc::new(key), signer)
}

/// How the resolver answers.
#[derive(Debug, Clone, Copy)]
pub enum Mode {
    /// After sleeping.
    Sleep,
    /// From a task it spawns, over a oneshot channel.
    OtherTask,
    /// With no certificate.
    Nothing,
    /// Never.
    Never,
    /// With an error of its own, without an alert (its store is down).
    Fail,
}

#[derive(Debug)]
pub struct Resolver {
    pub key: Arc<CertifiedKey>,
    pub mode: Mode,
    pub seen: Mutex<Vec<Option<String>>>,
}

impl Resolver {
    pub fn new(key: Arc<CertifiedKey>, mode: Mode) -> Arc<Self> {
        Arc::new(Resolver {
            key,
            mode,
            seen: Mutex::new(Vec::new()),
        })
    }
}

impl AsyncResolvesServerCert for Resolver {
    fn resolve(
        &self,
        hello: ClientHelloDetails,
    ) -> HookFuture<Result<Option<Arc<CertifiedKey>>, Error>> {
        self.seen.lock().unwrap().push(hello.server_name.clone());
        let key = self.key.clone();
        let mode = self.mode;
        Box::pin(async move {
            match mode {
                Mode::Sleep => {
                    tokio::time::sleep(HOOK_DELAY).await;
                    assert!(hello.fits(&key));
                    Ok(Some(key))
                }
                Mode::OtherTask => {
                    let (tx, rx) = tokio::sync::oneshot::channel();
                    tokio::spawn(async move {
                        tokio::time::sleep(HOOK_DELAY).await;
                        let _ = tx.send(key);
                    });
                    Ok(Some(rx.await.expect("answering task")))
                }
                Mode::Nothing => Ok(None),
                Mode::Never => std::future::pending().await,
                Mode::Fail => Err(Error::Config("the certificate store is down".into())),
            }
        })
    }
}

/// A verifier that answers after a delay, accepting or refusing with `alert`.
#[derive(Debug)]
pub struct SlowVerifier {
    pub refuse: Option<AlertDescription>,
    pub calls: Arc<AtomicUsize>,
}

impl SlowVerifier {
    pub fn new(refuse: Option<AlertDescription>) -> Arc<Self> {
        Arc::new(SlowVerifier {
            refuse,
            calls: Arc::new(AtomicUsize::new(0)),
        })
    }

    fn verdict(&self) -> HookFuture<Result<(), CertificateError>> {
        let refuse = self.refuse;
        let calls = self.calls.clone();
        Box::pin(async move {
            calls.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(HOOK_DELAY).await;
            match refuse {
                None => Ok(()),
                Some(alert) => Err(CertificateError::ApplicationRefused {
                    reason: "the policy service says no".into(),
                    alert,
                }),
            }
        })
    }
}

impl AsyncServerCertVerifier for SlowVerifier {
    fn verify_server_cert(
        &self,
        chain: ServerCertInput,
    ) -> HookFuture<Result<(), CertificateError>> {
        assert_eq!(
            format!("{:?}", chain.server_name),
            format!(
                "{:?}",
                rustls_pki_types::ServerName::try_from("localhost").unwrap()
            )
        );
        self.verdict()
    }
}

impl AsyncClientCertVerifier for SlowVerifier {
    fn verify_client_cert(
        &self,
        chain: ClientCertInput,
    ) -> HookFuture<Result<(), CertificateError>> {
        assert!(!chain.end_entity.is_empty());
        self.verdict()
    }
}

pub fn versions(v: ProtocolVersion) -> &'static [ProtocolVersion] {
    match v {
        ProtocolVersion::TLSv1_2 => &[ProtocolVersion::TLSv1_2],
        _ => &[ProtocolVersion::TLSv1_3],
    }
}

/// A client allowing only `version`.
pub fn client_for(version: ProtocolVersion) -> Arc<lctls::config::ClientConfig> {
    Arc::new(
        client_builder()
            .with_protocol_versions(versions(version))
            .build()
            .unwrap(),
    )
}

/// A resolver answering with certs/server.pem (a local key) as `mode` says.
pub fn file_resolver(mode: Mode) -> Arc<Resolver> {
    Resolver::new(Arc::new(certified_key("server", "server.key")), mode)
}

/// A server whose certificate comes from `resolver` (and whose key may sign
/// asynchronously), for `version`.
pub fn hooked_server(resolver: Arc<Resolver>, version: ProtocolVersion) -> Arc<ServerConfig> {
    Arc::new(
        ServerConfig::builder()
            .with_async_cert_resolver(resolver)
            .with_protocol_versions(versions(version))
            .build()
            .unwrap(),
    )
}

pub async fn ping(
    c: &mut lctls::TlsStream<tokio::io::DuplexStream>,
    s: &mut lctls::TlsStream<tokio::io::DuplexStream>,
) {
    c.write_all(b"ping").await.unwrap();
    c.flush().await.unwrap();
    let mut buf = [0u8; 4];
    s.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf, b"ping");
}

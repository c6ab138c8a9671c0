//! The lctls side of the interop tests: the bound on a test body, configs
//! from certs/, and a TCP connect to a peer on loopback. (The rest of
//! `common` drives the external peers and uses only std and tokio.)

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use lctls::config::{CertifiedKey, ClientConfig, ClientConfigBuilder};
use lctls::pki::RootStore;
use lctls::{TlsConnector, TlsStream};
use tokio::net::TcpStream;

use super::cert_path;

/// The server certificates every interop suite runs through (P-256, RSA,
/// P-384, Ed25519; each chains leaf + intermediate to certs/ca.pem), as
/// (chain file, key file) in certs/.
pub const SERVER_CERTS: [(&str, &str); 4] = [
    ("server.pem", "server.key"),
    ("server-rsa.pem", "server-rsa.key"),
    ("server-p384.pem", "server-p384.key"),
    ("server-ed25519.pem", "server-ed25519.key"),
];

/// Bound on an interop test body (peers start, handshake, exchange, exit).
pub const TEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs `f` under [`TEST_TIMEOUT`], panicking if it takes longer.
pub async fn bounded<F: Future<Output = ()>>(f: F) {
    bounded_by(TEST_TIMEOUT, f).await
}

/// Runs `f` under `limit`, panicking if it takes longer.
pub async fn bounded_by<F: Future<Output = ()>>(limit: Duration, f: F) {
    tokio::time::timeout(limit, f)
        .await
        .expect("test timed out");
}

/// A root store trusting the certificates of `certs/{file}`.
pub fn roots(file: &str) -> Arc<RootStore> {
    let mut roots = RootStore::new();
    roots.add_pem_file(cert_path(file)).unwrap();
    Arc::new(roots)
}

/// A root store trusting certs/ca.pem.
pub fn ca_roots() -> Arc<RootStore> {
    roots("ca.pem")
}

/// `certs/{stem}.pem` with its key `certs/{stem}.key`.
pub fn certified(stem: &str) -> CertifiedKey {
    CertifiedKey::from_pem_files(
        cert_path(&format!("{stem}.pem")),
        cert_path(&format!("{stem}.key")),
    )
    .unwrap()
}

/// Connects to 127.0.0.1:`port` over TCP and runs `c`'s handshake as
/// `localhost`.
pub async fn connect_tcp(c: &TlsConnector, port: u16) -> std::io::Result<TlsStream<TcpStream>> {
    let tcp = TcpStream::connect(("127.0.0.1", port)).await?;
    c.connect("localhost", tcp).await
}

/// A client config trusting certs/ca.pem, with `f` applied to the builder.
pub fn client_config_with(
    f: impl FnOnce(ClientConfigBuilder) -> ClientConfigBuilder,
) -> Arc<ClientConfig> {
    Arc::new(
        f(ClientConfig::builder().with_root_store(ca_roots()))
            .build()
            .unwrap(),
    )
}

/// A connector for [`client_config_with`]`(f)`.
pub fn connector(f: impl FnOnce(ClientConfigBuilder) -> ClientConfigBuilder) -> TlsConnector {
    TlsConnector::from(client_config_with(f))
}

//! rustls (tokio-rustls, aws-lc-rs provider) as the in-process peer of the
//! interop tests: roots and configs from certs/, and one connection between
//! a rustls client and our server over loopback TCP.

use std::sync::Arc;

use lctls::{TlsAcceptor, TlsStream};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::net::{TcpListener, TcpStream};

use super::cert_path;

/// A rustls root store trusting certs/ca.pem.
pub fn rustls_roots() -> rustls::RootCertStore {
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(cert_path("ca.pem")).expect("ca.pem") {
        roots.add(c.expect("ca cert")).expect("root");
    }
    roots
}

/// A rustls client config: the aws-lc-rs provider's defaults, its safe
/// default versions, [`rustls_roots`], no client certificate.
pub fn rustls_client_config() -> rustls::ClientConfig {
    rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_root_certificates(rustls_roots())
    .with_no_client_auth()
}

/// One TCP connection from `client` (rustls, to `localhost`) to `server`
/// (ours) through `listener`: both handshakes, each required to succeed.
pub async fn rustls_to_ours(
    client: &tokio_rustls::TlsConnector,
    server: &TlsAcceptor,
    listener: &TcpListener,
) -> (
    tokio_rustls::client::TlsStream<TcpStream>,
    TlsStream<TcpStream>,
) {
    let addr = listener.local_addr().expect("addr");
    let (c, s) = tokio::join!(TcpStream::connect(addr), listener.accept());
    let name = ServerName::try_from("localhost").expect("name");
    let (c, s) = tokio::join!(
        client.connect(name, c.expect("connect")),
        server.accept(s.expect("accept").0)
    );
    (c.expect("rustls handshake"), s.expect("lctls handshake"))
}

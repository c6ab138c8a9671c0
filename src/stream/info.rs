//! `TlsConnectInfo`: what a finished handshake agreed, detached from the
//! stream, for code that sees the connection only through a framework (an
//! axum handler, a hyper response).

use std::net::SocketAddr;
use std::sync::Arc;

use rustls_pki_types::CertificateDer;

use crate::proto::handshake::Negotiated;
use crate::proto::wire::enums::{CipherSuite, NamedGroup, ProtocolVersion};
use crate::stream::TlsStream;

/// A connection's peer address and everything its handshake negotiated:
/// version, suite, group, ALPN, SNI and the peer's certificate chain.
///
/// Cheap to clone (the negotiated values are shared), as axum's
/// `ConnectInfo` clones it into every request. With the `axum` feature,
/// [`crate::TlsListener`] hands it to handlers through
/// `Router::into_make_service_with_connect_info::<TlsConnectInfo>()`; with the
/// `hyper` feature, `lctls::hyper::HttpsConnector` puts it in each response's
/// extensions.
///
/// ```
/// # use std::sync::Arc;
/// # use lctls::config::{CertifiedKey, ClientConfig, ServerConfig};
/// # use lctls::pki::RootStore;
/// # use lctls::{TlsAcceptor, TlsConnector};
/// use lctls::stream::TlsConnectInfo;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// # let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");
/// # let server = ServerConfig::builder().with_certified_key(CertifiedKey::from_pem_files(
/// #     format!("{dir}/server.pem"), format!("{dir}/server.key"))?).build()?;
/// # let mut roots = RootStore::new();
/// # roots.add_pem_file(format!("{dir}/ca.pem"))?;
/// # let client = ClientConfig::builder().with_root_store(Arc::new(roots)).build()?;
/// # let (a, b) = tokio::io::duplex(64 * 1024);
/// # let (c, s) = tokio::join!(
/// #     TlsConnector::from(Arc::new(client)).connect("localhost", a),
/// #     TlsAcceptor::from(Arc::new(server)).accept(b),
/// # );
/// # let (tls, _s) = (c?, s?);
/// let info = TlsConnectInfo::new(&tls, "127.0.0.1:443".parse().unwrap());
/// assert_eq!(info.server_name(), Some("localhost"));
/// assert!(!info.peer_certificates().is_empty());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct TlsConnectInfo {
    remote_addr: SocketAddr,
    negotiated: Arc<Negotiated>,
}

impl TlsConnectInfo {
    /// A snapshot of `stream`'s negotiated parameters, with the peer's
    /// address (which a generic `IO` cannot tell).
    pub fn new<IO>(stream: &TlsStream<IO>, remote_addr: SocketAddr) -> Self {
        TlsConnectInfo {
            remote_addr,
            negotiated: Arc::new(stream.negotiated().clone()),
        }
    }

    /// The peer's address.
    pub fn remote_addr(&self) -> SocketAddr {
        self.remote_addr
    }

    /// Everything the handshake negotiated.
    pub fn negotiated(&self) -> &Negotiated {
        &self.negotiated
    }

    /// The protocol version.
    pub fn protocol_version(&self) -> Option<ProtocolVersion> {
        self.negotiated.version
    }

    /// The cipher suite.
    pub fn cipher_suite(&self) -> Option<CipherSuite> {
        self.negotiated.cipher_suite
    }

    /// The key-exchange group (`None` after a TLS 1.3 PSK-only resumption).
    pub fn key_exchange_group(&self) -> Option<NamedGroup> {
        self.negotiated.group
    }

    /// The ALPN protocol, if one was agreed.
    pub fn alpn_protocol(&self) -> Option<&[u8]> {
        self.negotiated.alpn.as_deref()
    }

    /// The SNI name (the one we sent as a client, received as a server).
    pub fn server_name(&self) -> Option<&str> {
        self.negotiated.sni.as_deref()
    }

    /// The peer's verified certificate chain, end entity first; empty when
    /// the peer sent none (a server that does not ask for client
    /// certificates, or a client that had none to offer).
    pub fn peer_certificates(&self) -> &[CertificateDer<'static>] {
        &self.negotiated.peer_certificates
    }
}

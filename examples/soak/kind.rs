//! The connection kinds the soak mixes, and the configurations they use.

use std::io;
use std::sync::Arc;

use lctls::config::{CertifiedKey, ClientConfig, ServerConfig};
use lctls::pki::{DefaultClientVerifier, RootStore};
use lctls::proto::enums::ProtocolVersion;
use lctls::{TlsAcceptor, TlsConnector};
use tokio::net::TcpSocket;

/// The test PKI.
pub const CERTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");
/// The name clients ask for (a SAN of certs/server.pem).
pub const SERVER_NAME: &str = "localhost";
/// The byte an aborting client waits for before it sends (see [`Kind::Abort13`]).
pub const ACK: u8 = 0xac;
/// A KeyUpdate (update_requested) from the client every this many payload bytes.
pub const CLIENT_KEY_UPDATE_EVERY: u64 = 128 * 1024;
/// A KeyUpdate (update_not_requested) from the server every this many payload bytes.
pub const SERVER_KEY_UPDATE_EVERY: u64 = 192 * 1024;

/// What one connection does. Slot `i` of a round has kind `ALL[i % 9]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// TLS 1.3, full handshake.
    Full13,
    /// TLS 1.2, full handshake.
    Full12,
    /// TLS 1.3 with a session cache per slot: from the second round on, the
    /// ticket the slot got in the previous round must be accepted.
    Resume13,
    /// TLS 1.2 with one session cache shared by every Resume12 slot: from
    /// the second round on, the handshake must be abbreviated.
    Resume12,
    /// TLS 1.3 to the listener that requires a client certificate.
    Mtls13,
    /// TLS 1.2 to the listener that requires a client certificate.
    Mtls12,
    /// TLS 1.3 with KeyUpdates from both sides during the transfer.
    KeyUpdate13,
    /// TLS 1.3; the client sends part of its payload, then closes the TCP
    /// stream without close_notify. The server must report truncation.
    Abort13,
    /// The same over TLS 1.2.
    Abort12,
}

impl Kind {
    /// Every kind, in slot order.
    pub const ALL: [Kind; 9] = [
        Kind::Full13,
        Kind::Full12,
        Kind::Resume13,
        Kind::Resume12,
        Kind::Mtls13,
        Kind::Mtls12,
        Kind::KeyUpdate13,
        Kind::Abort13,
        Kind::Abort12,
    ];

    /// The kind of slot `slot`.
    pub fn of_slot(slot: usize) -> Kind {
        Kind::ALL[slot % Kind::ALL.len()]
    }

    /// The wire code (the index in [`Kind::ALL`]).
    pub fn code(self) -> u8 {
        Kind::ALL.iter().position(|k| *k == self).unwrap_or(0) as u8
    }

    /// The kind with wire code `code`.
    pub fn from_code(code: u8) -> Option<Kind> {
        Kind::ALL.get(usize::from(code)).copied()
    }

    /// The protocol version it must negotiate.
    pub fn version(self) -> ProtocolVersion {
        match self {
            Kind::Full12 | Kind::Resume12 | Kind::Mtls12 | Kind::Abort12 => {
                ProtocolVersion::TLSv1_2
            }
            _ => ProtocolVersion::TLSv1_3,
        }
    }

    /// Whether it connects to the mTLS listener.
    pub fn mtls(self) -> bool {
        matches!(self, Kind::Mtls13 | Kind::Mtls12)
    }

    /// Whether the client aborts mid-transfer.
    pub fn aborts(self) -> bool {
        matches!(self, Kind::Abort13 | Kind::Abort12)
    }

    /// Whether it must resume from the second round on.
    pub fn resumes(self) -> bool {
        matches!(self, Kind::Resume13 | Kind::Resume12)
    }
}

/// A TCP socket whose send and receive buffers are capped at `sock_buf`
/// bytes (0: the kernel's defaults, which autotune up to megabytes). With
/// 20,000 loopback sockets the defaults exceed the kernel's TCP memory
/// (net.ipv4.tcp_mem): it enters memory pressure, drops segments, and some
/// writers wait a minute or more for room. Accepted sockets inherit the
/// listener's sizes.
pub fn tcp_socket(sock_buf: u32) -> io::Result<TcpSocket> {
    let socket = TcpSocket::new_v4()?;
    if sock_buf > 0 {
        socket.set_send_buffer_size(sock_buf)?;
        socket.set_recv_buffer_size(sock_buf)?;
    }
    Ok(socket)
}

/// A root store trusting certs/ca.pem.
pub fn roots() -> io::Result<Arc<RootStore>> {
    let mut roots = RootStore::new();
    roots.add_pem_file(format!("{CERTS}/ca.pem"))?;
    Ok(Arc::new(roots))
}

/// The server's two acceptors: (plain, requiring a client certificate).
pub fn acceptors() -> io::Result<(TlsAcceptor, TlsAcceptor)> {
    let key = || {
        CertifiedKey::from_pem_files(format!("{CERTS}/server.pem"), format!("{CERTS}/server.key"))
    };
    // Room for every Resume12 slot's session ID, should tickets not be used.
    let plain = ServerConfig::builder()
        .with_certified_key(key()?)
        .with_session_cache_size(4096)
        .build()?;
    let mtls = ServerConfig::builder()
        .with_certified_key(key()?)
        .with_client_cert_verifier(Arc::new(DefaultClientVerifier::new(roots()?)))
        .build()?;
    Ok((
        TlsAcceptor::from(Arc::new(plain)),
        TlsAcceptor::from(Arc::new(mtls)),
    ))
}

/// A client connector offering only `version`; `cache` servers' sessions
/// are kept (0: never resume); with `client_cert`, certs/client.pem is presented.
pub fn connector(
    roots: &Arc<RootStore>,
    version: ProtocolVersion,
    cache: usize,
    client_cert: bool,
) -> io::Result<TlsConnector> {
    let mut b = ClientConfig::builder()
        .with_root_store(roots.clone())
        .with_protocol_versions(&[version])
        .with_session_cache_size(cache);
    if client_cert {
        b = b.with_client_cert(CertifiedKey::from_pem_files(
            format!("{CERTS}/client.pem"),
            format!("{CERTS}/client.key"),
        )?);
    }
    // At 10,000 connections on two cores a handshake can wait longer than the
    // library's 10 s default; the soak bounds it itself (client.rs).
    Ok(TlsConnector::from(Arc::new(b.build()?)).without_handshake_timeout())
}

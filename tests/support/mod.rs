//! Helpers shared by the integration tests: configs from certs/, a connected
//! client/server pair over `tokio::io::duplex`, error extraction and timeouts.
#![allow(dead_code)]

pub mod forge;
pub mod hooks;
pub mod hostile;
pub mod https;
pub mod ocsp;
pub mod resume_mode;

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use lctls::config::{
    CertifiedKey, ClientConfig, ClientConfigBuilder, ServerConfig, ServerConfigBuilder,
};
use lctls::pki::{CertificateDer, RootStore};
use lctls::proto::Connection;
use lctls::{Error, TlsAcceptor, TlsConnector, TlsStream};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream};

/// The test PKI directory.
pub const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");

/// Every test body runs under this limit.
pub const TEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs `f` under [`TEST_TIMEOUT`], panicking if it takes longer.
pub async fn timeout<F: Future>(f: F) -> F::Output {
    tokio::time::timeout(TEST_TIMEOUT, f)
        .await
        .expect("test timed out after 30 s")
}

/// Path of a file in certs/.
pub fn path(name: &str) -> String {
    format!("{DIR}/{name}")
}

/// A root store trusting certs/ca.pem.
pub fn roots() -> Arc<RootStore> {
    let mut roots = RootStore::new();
    roots.add_pem_file(path("ca.pem")).unwrap();
    Arc::new(roots)
}

/// A client builder trusting certs/ca.pem.
pub fn client_builder() -> ClientConfigBuilder {
    ClientConfig::builder().with_root_store(roots())
}

/// A default client config trusting certs/ca.pem.
pub fn client_config() -> Arc<ClientConfig> {
    Arc::new(client_builder().build().unwrap())
}

/// A client config trusting certs/ca.pem, with `f` applied to the builder.
pub fn client_with(
    f: impl FnOnce(ClientConfigBuilder) -> ClientConfigBuilder,
) -> Arc<ClientConfig> {
    Arc::new(f(client_builder()).build().unwrap())
}

/// A server config presenting `certs/{name}.pem`, with `f` applied to the
/// builder.
pub fn server_with(
    name: &str,
    f: impl FnOnce(ServerConfigBuilder) -> ServerConfigBuilder,
) -> Arc<ServerConfig> {
    Arc::new(f(server_builder(name)).build().unwrap())
}

/// Loads `certs/{cert}.pem` with the key file `certs/{key}`.
pub fn certified_key(cert: &str, key: &str) -> CertifiedKey {
    CertifiedKey::from_pem_files(path(&format!("{cert}.pem")), path(key)).unwrap()
}

/// A server builder presenting `certs/{name}.pem` with `certs/{name}.key`.
pub fn server_builder(name: &str) -> ServerConfigBuilder {
    ServerConfig::builder().with_certified_key(certified_key(name, &format!("{name}.key")))
}

/// A server config presenting `certs/{name}.pem` with `certs/{name}.key`.
pub fn server_config(name: &str) -> Arc<ServerConfig> {
    Arc::new(server_builder(name).build().unwrap())
}

/// The certificates of a PEM file, in order.
pub fn pem_certs(name: &str) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_file_iter(path(name))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

/// Both handshake results of a client connecting to `name` and a server, run
/// concurrently over a duplex pipe of `buf` bytes.
pub async fn try_pair_buf(
    cc: Arc<ClientConfig>,
    sc: Arc<ServerConfig>,
    name: &'static str,
    buf: usize,
) -> (
    io::Result<TlsStream<DuplexStream>>,
    io::Result<TlsStream<DuplexStream>>,
) {
    let (a, b) = tokio::io::duplex(buf);
    let connector = TlsConnector::from(cc);
    let acceptor = TlsAcceptor::from(sc);
    tokio::join!(connector.connect(name, a), acceptor.accept(b))
}

/// [`try_pair_buf`] with a 64 KiB pipe.
pub async fn try_pair(
    cc: Arc<ClientConfig>,
    sc: Arc<ServerConfig>,
    name: &'static str,
) -> (
    io::Result<TlsStream<DuplexStream>>,
    io::Result<TlsStream<DuplexStream>>,
) {
    try_pair_buf(cc, sc, name, 64 * 1024).await
}

/// A connected (client, server) pair; panics if either handshake fails.
pub async fn pair(
    cc: Arc<ClientConfig>,
    sc: Arc<ServerConfig>,
    name: &'static str,
) -> (TlsStream<DuplexStream>, TlsStream<DuplexStream>) {
    let (c, s) = try_pair(cc, sc, name).await;
    (c.expect("client handshake"), s.expect("server handshake"))
}

/// The `lctls::Error` inside an `io::Error`; panics if there is none.
#[track_caller]
pub fn tls_err(e: &io::Error) -> &Error {
    Error::from_io(e).unwrap_or_else(|| panic!("io::Error without an lctls::Error: {e:?}"))
}

/// Unwraps the error of a handshake result and returns the `lctls::Error`.
#[track_caller]
pub fn handshake_err<T: std::fmt::Debug>(r: io::Result<T>) -> Error {
    let e = r.expect_err("handshake should have failed");
    tls_err(&e).clone()
}

/// A sans-IO client connection to `name`.
pub fn sans_io_client(cc: Arc<ClientConfig>, name: &'static str) -> Connection {
    Connection::new_client(cc, ServerName::try_from(name).unwrap()).unwrap()
}

/// Moves ciphertext between two sans-IO connections until neither is
/// handshaking (at most 20 rounds).
pub fn drive_handshake(client: &mut Connection, server: &mut Connection) {
    for _ in 0..20 {
        if !client.is_handshaking() && !server.is_handshaking() && client.outgoing_len() == 0 {
            return;
        }
        let out = client.take_outgoing();
        server.feed(&out);
        server.process().expect("server process");
        let out = server.take_outgoing();
        client.feed(&out);
        client.process().expect("client process");
    }
    panic!("handshake did not complete in 20 rounds");
}

/// A fatal alert record in plaintext (before any keys): `15 03 03 00 02 02 desc`.
pub fn plain_fatal_alert(desc: u8) -> Vec<u8> {
    vec![0x15, 0x03, 0x03, 0x00, 0x02, 0x02, desc]
}

/// `len` bytes of a deterministic pattern (xorshift) that differs per `seed`.
pub fn pattern(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// A full duplex exchange over an established pair, then a clean close both
/// ways: the client sends `up`, the server reads it and answers `down`, the
/// client reads that; each side then sees close_notify and nothing more.
/// Runs both sides concurrently; compares without printing megabytes.
pub async fn exchange_then_close<C, S>(c: &mut C, s: &mut S, up: &[u8], down: &[u8])
where
    C: AsyncRead + AsyncWrite + Unpin,
    S: AsyncRead + AsyncWrite + Unpin,
{
    let client = async {
        c.write_all(up).await.unwrap();
        c.flush().await.unwrap();
        let mut got = vec![0u8; down.len()];
        c.read_exact(&mut got).await.unwrap();
        assert!(got == down, "server->client data differs");
        c.shutdown().await.unwrap();
        let mut rest = Vec::new();
        c.read_to_end(&mut rest).await.unwrap();
        assert!(
            rest.is_empty(),
            "client read {} bytes after the data",
            rest.len()
        );
    };
    let server = async {
        let mut got = vec![0u8; up.len()];
        s.read_exact(&mut got).await.unwrap();
        assert!(got == up, "client->server data differs");
        s.write_all(down).await.unwrap();
        s.flush().await.unwrap();
        let mut rest = Vec::new();
        s.read_to_end(&mut rest).await.unwrap();
        assert!(
            rest.is_empty(),
            "server read {} bytes after the data",
            rest.len()
        );
        s.shutdown().await.unwrap();
    };
    tokio::join!(client, server);
}

/// The server writes "hi" and the client reads it (taking in a TLS 1.3
/// ticket, which comes first), then the client answers "yo"; both checked.
pub async fn hi_yo<C, S>(c: &mut C, s: &mut S)
where
    C: AsyncRead + AsyncWrite + Unpin,
    S: AsyncRead + AsyncWrite + Unpin,
{
    s.write_all(b"hi").await.unwrap();
    s.flush().await.unwrap();
    let mut two = [0u8; 2];
    c.read_exact(&mut two).await.unwrap();
    assert_eq!(&two, b"hi");
    c.write_all(b"yo").await.unwrap();
    c.flush().await.unwrap();
    s.read_exact(&mut two).await.unwrap();
    assert_eq!(&two, b"yo");
}

/// A handshake the client refuses: asserts the server was told `alert` and
/// returns the client's own error for the caller to check exactly.
pub async fn client_refuses(
    cc: Arc<ClientConfig>,
    sc: Arc<ServerConfig>,
    host: &'static str,
    alert: lctls::proto::enums::AlertDescription,
) -> Error {
    let (c, s) = try_pair(cc, sc, host).await;
    assert_eq!(handshake_err(s), Error::AlertReceived(alert), "server side");
    handshake_err(c)
}

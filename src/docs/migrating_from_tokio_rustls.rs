//! # Migrating from tokio-rustls
//!
//! Each common tokio-rustls / rustls 0.23 call beside the lctls call that
//! replaces it, then the behaviours that differ. The examples below compile
//! and run as doc tests, over in-memory pipes (`tokio::io::duplex`) with the
//! test PKI in `certs/`; over TCP, pass a `TcpStream` instead.
//!
//! ## The calls side by side
//!
//! | tokio-rustls / rustls | lctls |
//! |---|---|
//! | `tokio_rustls::TlsConnector::from(Arc<rustls::ClientConfig>)` | [`TlsConnector::from(Arc<ClientConfig>)`](crate::TlsConnector) (a 10 s handshake timeout by default: [`with_handshake_timeout`](crate::TlsConnector::with_handshake_timeout)) |
//! | `connector.connect(ServerName::try_from("example.com")?.to_owned(), tcp)` | [`connector.connect("example.com", tcp)`](crate::TlsConnector::connect) (a `&str`, `String` or `ServerName`; an IP address is verified, never sent as SNI) |
//! | `tokio_rustls::TlsAcceptor::from(Arc<rustls::ServerConfig>)`, `acceptor.accept(tcp)` | [`TlsAcceptor::from(Arc<ServerConfig>)`](crate::TlsAcceptor), [`accept(tcp)`](crate::TlsAcceptor::accept) or [`accept_from(tcp, peer_addr)`](crate::TlsAcceptor::accept_from) (names the peer in the tracing span); 10 s handshake timeout by default |
//! | `tokio_rustls::client::TlsStream<IO>` / `server::TlsStream<IO>` | one [`TlsStream<IO>`](crate::TlsStream) for both sides |
//! | `tls.get_ref().1.alpn_protocol()`, `.peer_certificates()`, `.protocol_version()`, `.negotiated_cipher_suite()` | [`tls.alpn_protocol()`](crate::TlsStream::alpn_protocol), [`peer_certificates()`](crate::TlsStream::peer_certificates), [`protocol_version()`](crate::TlsStream::protocol_version), [`cipher_suite()`](crate::TlsStream::cipher_suite), [`key_exchange_group()`](crate::TlsStream::key_exchange_group), [`negotiated()`](crate::TlsStream::negotiated) (resumed, early data...) |
//! | `rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth()` | [`ClientConfig::builder().with_root_store(Arc::new(roots)).build()?`](crate::config::ClientConfigBuilder::with_root_store) (`build` fails on an empty store) |
//! | `rustls::ServerConfig::builder().with_no_client_auth().with_single_cert(chain, key)?` | [`ServerConfig::builder().with_certified_key(CertifiedKey::new(chain, &key)?).build()?`](crate::config::ServerConfigBuilder::with_certified_key) (checks that the key matches the certificate) |
//! | `ClientConfig::builder_with_protocol_versions(&[&TLS13])`, a custom `CryptoProvider` for suites and groups | [`with_protocol_versions(&[ProtocolVersion::TLSv1_3])`](crate::config::ClientConfigBuilder::with_protocol_versions), [`with_cipher_suites(&[...])`](crate::config::ClientConfigBuilder::with_cipher_suites), [`with_groups(&[...])`](crate::config::ClientConfigBuilder::with_groups) on either builder |
//! | `CertificateDer::pem_file_iter(path)` + `PrivateKeyDer::from_pem_file(path)` (rustls-pki-types) | [`CertifiedKey::from_pem_files(cert_path, key_path)?`](crate::config::CertifiedKey::from_pem_files) (the same pki-types parsing; PKCS#8, SEC1 and PKCS#1 keys) |
//! | `RootCertStore::empty()` + `roots.add(der)?` / `add_parsable_certificates(...)` | [`RootStore::new()`](crate::pki::RootStore::new) + [`add(der)?`](crate::pki::RootStore::add), [`add_pem(bytes)?`](crate::pki::RootStore::add_pem), [`add_pem_file(path)?`](crate::pki::RootStore::add_pem_file), [`add_pem_dir(dir)?`](crate::pki::RootStore::add_pem_dir) |
//! | `rustls-native-certs`: `load_native_certs()` | [`RootStore::platform()?`](crate::pki::RootStore::platform) (the distribution bundle, honouring `SSL_CERT_FILE` and `SSL_CERT_DIR`) |
//! | `webpki-roots`: `roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned())` | `RootStore::webpki_roots()` (feature `webpki-roots`) |
//! | `WebPkiClientVerifier::builder(roots).build()?`, `.allow_unauthenticated()` | [`DefaultClientVerifier::new(roots)`](crate::pki::DefaultClientVerifier::new), [`DefaultClientVerifier::optional(roots)`](crate::pki::DefaultClientVerifier::optional), given to [`with_client_cert_verifier`](crate::config::ServerConfigBuilder::with_client_cert_verifier) |
//! | `ClientConfig::builder()...with_client_auth_cert(chain, key)?` | [`with_client_cert(CertifiedKey)`](crate::config::ClientConfigBuilder::with_client_cert), or [`with_client_cert_resolver`](crate::config::ClientConfigBuilder::with_client_cert_resolver) ([`ClientCertChooser`](crate::config::ClientCertChooser) picks by the server's CA hints) |
//! | `ResolvesServerCertUsingSni::new()` + `add(name, CertifiedKey)`, `with_cert_resolver(Arc::new(r))` | [`SniResolver::new()`](crate::config::SniResolver) + [`add(name, key)?`](crate::config::SniResolver::add) / [`add_default(key)`](crate::config::SniResolver::add_default), [`with_cert_resolver(Arc::new(r))`](crate::config::ServerConfigBuilder::with_cert_resolver); your own: [`ResolvesServerCert`](crate::config::ResolvesServerCert) over a [`ClientHelloInfo`](crate::config::ClientHelloInfo) (SNI, ALPN, schemes, suites, groups, CA hints); rotation without restarts: [`ReloadableCert`](crate::config::ReloadableCert) |
//! | `config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()]` | [`with_alpn_protocols(&["h2", "http/1.1"])`](crate::config::ClientConfigBuilder::with_alpn_protocols) on either builder |
//! | `tokio_rustls::LazyConfigAcceptor::new(Acceptor::default(), tcp)`, `start.client_hello()`, `start.into_stream(config)` | [`LazyAcceptor::new(tcp)`](crate::server::LazyAcceptor)`.await?`, `start.client_hello()`, `start.into_stream(config)`; `LazyAcceptor::new(tcp).into_fallible()` gives the transport back on failure, `LazyAcceptor::with_prefix(tcp, bytes)` starts from bytes already read (STARTTLS). For the certificate alone, a [`ResolvesServerCert`](crate::config::ResolvesServerCert) sees the SNI name, ALPN, suites, groups and signature schemes |
//! | `config.key_log = Arc::new(rustls::KeyLogFile::new())` (reads `SSLKEYLOGFILE`) | [`with_key_log(log)`](crate::config::ClientConfigBuilder::with_key_log) with [`KeyLogFile::from_env()`](crate::config::KeyLogFile::from_env) (an `Option`: `None` when the variable is unset) or [`KeyLogFile::create(path)?`](crate::config::KeyLogFile::create) |
//! | client 0-RTT: `config.enable_early_data = true`, `TlsConnector::early_data(true)`, write before the handshake completes | [`connector.connect_with_replayable_early_data(name, io, data, OnReject::Resend)`](crate::TlsConnector::connect_with_replayable_early_data): the data is handed over up front, and what happens on rejection is chosen ([`OnReject`](crate::proto::OnReject)) |
//! | server 0-RTT: `config.max_early_data_size = n`, `conn.early_data()` | [`with_max_early_data(n)`](crate::config::ServerConfigBuilder::with_max_early_data) (anti-replay built in), then [`take_replayable_early_data()`](crate::TlsStream::take_replayable_early_data), or [`accept_with_early_data`](crate::TlsAcceptor::accept_with_early_data) + [`read_early_data()`](crate::TlsStream::read_early_data) to answer before the handshake ends |
//! | `rustls::Error` inside the `io::Error` | [`lctls::Error::from_io(&e)`](crate::Error::from_io), whose [`alert()`](crate::Error::alert) is the alert the peer was sent; certificate failures are a [`CertificateError`](crate::pki::CertificateError) naming the certificate and the rule |
//!
//! ## Client and server: connector, acceptor, builders, PEM, roots, ALPN
//!
//! ```
//! use std::sync::Arc;
//! use lctls::config::{CertifiedKey, ClientConfig, ServerConfig};
//! use lctls::pki::RootStore;
//! use lctls::{TlsAcceptor, TlsConnector};
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");
//! // rustls: ServerConfig::builder().with_no_client_auth().with_single_cert(chain, key)
//! let server = ServerConfig::builder()
//!     .with_certified_key(CertifiedKey::from_pem_files(
//!         format!("{dir}/server.pem"),
//!         format!("{dir}/server.key"),
//!     )?)
//!     .with_alpn_protocols(&["h2", "http/1.1"])
//!     .build()?;
//! // rustls: RootCertStore::empty() + add(...), then
//! // ClientConfig::builder().with_root_certificates(roots).with_no_client_auth()
//! let mut roots = RootStore::new();
//! roots.add_pem_file(format!("{dir}/ca.pem"))?;
//! let client = ClientConfig::builder()
//!     .with_root_store(Arc::new(roots))
//!     .with_alpn_protocols(&["h2"])
//!     .build()?;
//!
//! let (a, b) = tokio::io::duplex(64 * 1024);
//! let connector = TlsConnector::from(Arc::new(client));
//! let acceptor = TlsAcceptor::from(Arc::new(server));
//! let (c, s) = tokio::join!(connector.connect("localhost", a), acceptor.accept(b));
//! let (mut c, mut s) = (c?, s?);
//! // tokio-rustls: c.get_ref().1.alpn_protocol()
//! assert_eq!(c.alpn_protocol(), Some(&b"h2"[..]));
//! assert_eq!(s.server_name(), Some("localhost"));
//! c.write_all(b"hello").await?;
//! c.shutdown().await?; // sends close_notify
//! let mut got = Vec::new();
//! s.read_to_end(&mut got).await?; // ends only at the peer's close_notify
//! assert_eq!(got, b"hello");
//! # Ok(()) }
//! ```
//!
//! ## Client authentication (mutual TLS)
//!
//! ```
//! use std::sync::Arc;
//! use lctls::config::{CertifiedKey, ClientConfig, ServerConfig};
//! use lctls::pki::{DefaultClientVerifier, RootStore};
//! use lctls::{TlsAcceptor, TlsConnector};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");
//! let key = |name: &str| {
//!     CertifiedKey::from_pem_files(format!("{dir}/{name}.pem"), format!("{dir}/{name}.key"))
//! };
//! let mut roots = RootStore::new();
//! roots.add_pem_file(format!("{dir}/ca.pem"))?;
//! let roots = Arc::new(roots);
//! // rustls: WebPkiClientVerifier::builder(roots).build()?
//! //         (.allow_unauthenticated() is DefaultClientVerifier::optional)
//! let server = ServerConfig::builder()
//!     .with_certified_key(key("server")?)
//!     .with_client_cert_verifier(Arc::new(DefaultClientVerifier::new(roots.clone())))
//!     .build()?;
//! // rustls: .with_client_auth_cert(chain, key)?
//! let client = ClientConfig::builder()
//!     .with_root_store(roots)
//!     .with_client_cert(key("client")?)
//!     .build()?;
//!
//! let (a, b) = tokio::io::duplex(64 * 1024);
//! let (c, s) = tokio::join!(
//!     TlsConnector::from(Arc::new(client)).connect("localhost", a),
//!     TlsAcceptor::from(Arc::new(server)).accept(b),
//! );
//! let (_c, s) = (c?, s?);
//! // The verified client chain, leaf first.
//! assert_eq!(s.peer_certificates().len(), 2);
//! # Ok(()) }
//! ```
//!
//! ## SNI: a certificate per name
//!
//! ```
//! use std::sync::Arc;
//! use lctls::config::{CertifiedKey, ServerConfig, SniResolver};
//!
//! # fn main() -> Result<(), lctls::Error> {
//! let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");
//! // rustls: ResolvesServerCertUsingSni::new() + add(name, CertifiedKey)
//! let mut sni = SniResolver::new();
//! sni.add("localhost", CertifiedKey::from_pem_files(
//!     format!("{dir}/server.pem"), format!("{dir}/server.key"))?)?;
//! // Clients that send no name, or another one.
//! sni.add_default(CertifiedKey::from_pem_files(
//!     format!("{dir}/wrong-name.pem"), format!("{dir}/wrong-name.key"))?);
//! let config = ServerConfig::builder().with_cert_resolver(Arc::new(sni)).build()?;
//! # let _ = config; Ok(()) }
//! ```
//!
//! ## Key log
//!
//! ```
//! use lctls::config::{CertifiedKey, KeyLogFile, ServerConfig};
//!
//! # fn main() -> Result<(), lctls::Error> {
//! # let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");
//! # let key = CertifiedKey::from_pem_files(format!("{dir}/server.pem"), format!("{dir}/server.key"))?;
//! // rustls: config.key_log = Arc::new(rustls::KeyLogFile::new());
//! let mut builder = ServerConfig::builder().with_certified_key(key);
//! if let Some(log) = KeyLogFile::from_env() {
//!     builder = builder.with_key_log(log); // SSLKEYLOGFILE is set
//! }
//! let config = builder.build()?;
//! # let _ = config; Ok(()) }
//! ```
//!
//! ## 0-RTT
//!
//! The client hands its early data over with the connect call instead of
//! writing before the handshake completes; the server takes it apart from
//! ordinary reads, because **it can be a replay**.
//!
//! ```
//! use std::sync::Arc;
//! use lctls::config::{CertifiedKey, ClientConfig, ServerConfig};
//! use lctls::pki::RootStore;
//! use lctls::proto::{EarlyDataReason, OnReject};
//! use lctls::{TlsAcceptor, TlsConnector};
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");
//! // rustls: config.max_early_data_size = 16384
//! let server = Arc::new(
//!     ServerConfig::builder()
//!         .with_certified_key(CertifiedKey::from_pem_files(
//!             format!("{dir}/server.pem"),
//!             format!("{dir}/server.key"),
//!         )?)
//!         .with_max_early_data(16384)
//!         .build()?,
//! );
//! let mut roots = RootStore::new();
//! roots.add_pem_file(format!("{dir}/ca.pem"))?;
//! let connector =
//!     TlsConnector::from(Arc::new(ClientConfig::builder().with_root_store(Arc::new(roots)).build()?));
//! let acceptor = TlsAcceptor::from(server);
//!
//! // A first, full handshake; the client takes the ticket in as it reads.
//! let (a, b) = tokio::io::duplex(64 * 1024);
//! let (c, s) = tokio::join!(connector.connect("localhost", a), acceptor.accept(b));
//! let (mut c, mut s) = (c?, s?);
//! s.write_all(b"x").await?;
//! s.flush().await?;
//! c.read_exact(&mut [0u8; 1]).await?;
//!
//! // The resumption carries the request in its first flight.
//! // rustls: enable_early_data = true; tokio-rustls: connector.early_data(true)
//! let (a, b) = tokio::io::duplex(64 * 1024);
//! let (c, s) = tokio::join!(
//!     connector.connect_with_replayable_early_data(
//!         "localhost",
//!         a,
//!         b"GET /".to_vec(),
//!         OnReject::Resend, // rejected: sent again after the handshake
//!     ),
//!     acceptor.accept(b),
//! );
//! let (c, mut s) = (c?, s?);
//! assert_eq!(c.negotiated().early_data, EarlyDataReason::Accepted);
//! assert_eq!(s.take_replayable_early_data().as_deref(), Some(&b"GET /"[..]));
//! # Ok(()) }
//! ```
//!
//! ## Behaviours that differ
//!
//! - **Handshake timeouts.** `TlsAcceptor` and `TlsConnector` fail a
//!   handshake that takes over 10 s with `io::ErrorKind::TimedOut`
//!   ([`with_handshake_timeout`](crate::TlsAcceptor::with_handshake_timeout),
//!   [`without_handshake_timeout`](crate::TlsAcceptor::without_handshake_timeout));
//!   tokio-rustls has no timeout of its own, so code that wraps `accept` in
//!   `tokio::time::timeout` can drop the wrapper. The limit needs a Tokio
//!   runtime with its time driver (`#[tokio::main]` has it).
//! - **Truncation is an error, with its own variant.** A read returns end
//!   of stream (`Ok(0)`) only after the peer's close_notify; a transport EOF
//!   without it fails with `io::ErrorKind::UnexpectedEof` carrying
//!   [`Error::Truncated`](crate::Error::Truncated). tokio-rustls 0.26 also
//!   reports `UnexpectedEof`; what is new is the typed error, so code can
//!   tell truncation from other failures with `Error::from_io` and decide,
//!   per protocol, whether a peer that skips close_notify (common for HTTP
//!   servers that frame their own messages) is acceptable.
//! - **Shutdown sends close_notify**, then shuts the transport's write half
//!   (as tokio-rustls does); the stream stays readable after it
//!   (half-close), so read to the peer's close_notify for a clean end.
//! - **Errors carry the alert.** A failed handshake's `io::Error` holds an
//!   [`lctls::Error`](crate::Error): `err.alert()` is what the peer was
//!   sent, [`Error::AlertReceived`](crate::Error::AlertReceived) what it
//!   sent us, and certificate failures name the certificate, the time and
//!   the names involved (`certificate is not valid for 'localhost'; it is
//!   valid for 'wrong.example.com'`).
//! - **What is refused**, each with the alert the RFC names: SSL 3.0,
//!   TLS 1.0 and TLS 1.1 (`protocol_version`); RSA key exchange, CBC, NULL,
//!   export and anonymous suites, which are not implemented (a peer offering
//!   only those gets `handshake_failure`); compression; renegotiation, which
//!   ends the connection with a **fatal** `no_renegotiation` (rustls answers
//!   a HelloRequest with a warning alert and carries on); SHA-1 and MD5
//!   signatures on certificates (`unsupported_certificate`); handshake
//!   messages over 64 KiB unless raised
//!   ([`with_max_handshake_message`](crate::config::ClientConfigBuilder::with_max_handshake_message)).
//!   rustls refuses the same protocol versions and suites.
//! - **Certificate rules are stricter than webpki's.** Every certificate of
//!   a path, the trust anchor included, must follow the RFC 5280 / CA/Browser
//!   Forum profile described in [`pki`](crate::pki) (key identifiers,
//!   critical basicConstraints, extendedKeyUsage on server leaves...), and
//!   a break is a [`CertificateError::Profile`](crate::pki::CertificateError::Profile)
//!   naming the rule. A private PKI that rustls accepts may need reissuing.
//! - **TLS 1.2 sessions without the extended master secret are never
//!   resumed** (no session ID or ticket is issued, nothing is cached), and
//!   [`require_extended_master_secret(true)`](crate::config::ClientConfigBuilder::require_extended_master_secret)
//!   refuses such peers.
//! - **Post-quantum first.** Both sides prefer X25519MLKEM768, as rustls
//!   does with its `prefer-post-quantum` feature.

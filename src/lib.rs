//! lctls: async TLS 1.3 and TLS 1.2 for Tokio, with a sans-IO core.
//!
//! [`TlsConnector::connect`] and [`TlsAcceptor::accept`] wrap any
//! `AsyncRead + AsyncWrite` (a `TcpStream`, a `UnixStream`, a
//! `tokio::io::duplex` pipe, another TLS stream) in a [`TlsStream`]. The
//! protocol lives in [`proto`], which never touches a socket: its
//! [`proto::Connection`] takes bytes and hands bytes back, so tests and
//! fuzzers drive it with byte slices. [`pki`] verifies certificates;
//! [`config`] holds what both sides are configured with. Coming from
//! tokio-rustls? See [`docs::migrating_from_tokio_rustls`].
//!
//! For HTTP: [`TlsListener`] accepts TLS connections with their handshakes
//! run concurrently (an `axum::serve::Listener` with the `axum` feature),
//! and the `hyper` feature adds `lctls::hyper::HttpsConnector` for
//! hyper-util's `Client`; both report a connection's parameters as a
//! [`stream::TlsConnectInfo`].
//!
//! A client and a server in one process, over an in-memory pipe:
//!
//! ```
//! use std::sync::Arc;
//! use lctls::config::{CertifiedKey, ClientConfig, ServerConfig};
//! use lctls::pki::RootStore;
//! use lctls::{TlsAcceptor, TlsConnector};
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");
//! let server = ServerConfig::builder()
//!     .with_certified_key(CertifiedKey::from_pem_files(
//!         format!("{dir}/server.pem"),
//!         format!("{dir}/server.key"),
//!     )?)
//!     .build()?;
//! let mut roots = RootStore::new();
//! roots.add_pem_file(format!("{dir}/ca.pem"))?;
//! let client = ClientConfig::builder().with_root_store(Arc::new(roots)).build()?;
//!
//! let (a, b) = tokio::io::duplex(64 * 1024);
//! let (c, s) = tokio::join!(
//!     TlsConnector::from(Arc::new(client)).connect("localhost", a),
//!     TlsAcceptor::from(Arc::new(server)).accept(b),
//! );
//! let (mut c, mut s) = (c?, s?);
//! c.write_all(b"ping").await?;
//! c.shutdown().await?; // close_notify
//! let mut got = Vec::new();
//! s.read_to_end(&mut got).await?; // Ok only after the peer's close_notify
//! assert_eq!(got, b"ping");
//! assert_eq!(c.protocol_version(), s.protocol_version());
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod config;
pub mod docs;
pub mod error;
pub mod hooks;
#[cfg(feature = "hyper")]
pub mod hyper;
mod listener;
pub mod pki;
pub mod proto;
#[cfg(feature = "redis")]
pub mod redis;
pub mod stream;
#[doc(hidden)]
pub mod unstable_internals;

pub use config::{ClientConfig, ServerConfig};
pub use error::Error;
pub use listener::TlsListener;
pub use stream::{client, server, Accept, Connect, TlsAcceptor, TlsConnector, TlsStream};

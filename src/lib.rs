//! lctls: async TLS 1.3 for Tokio, with a sans-IO core.
//!
//! `TlsConnector::connect(server_name, io)` and `TlsAcceptor::accept(io)` wrap
//! any `AsyncRead + AsyncWrite` in a [`TlsStream`]. The protocol lives in
//! [`proto`], which never touches a socket; [`pki`] verifies certificates.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod config;
pub mod error;
pub mod pki;
pub mod proto;
pub mod stream;

pub use config::{ClientConfig, ServerConfig};
pub use error::Error;
pub use stream::{client, server, Accept, Connect, TlsAcceptor, TlsConnector, TlsStream};

//! lctls: async TLS 1.3 for Tokio, with a sans-IO core.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod error;
pub mod pki;
pub mod proto;

pub use error::Error;

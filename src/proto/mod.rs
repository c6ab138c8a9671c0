//! The sans-IO core: never imports tokio, owns no socket and never blocks.
//! Every part of it can be driven from a test with byte slices.
//!
//! Public here is what a program that drives TLS over its own IO needs:
//! [`Connection`] (bytes in, bytes out; see its documentation for a
//! complete client and server over blocking `std::net` sockets), the
//! [`Side`] it plays, the [`Request`]/[`Answer`] pair of a handshake paused
//! for the application, what a handshake [`Negotiated`], the early-data
//! outcome ([`EarlyDataReason`], [`OnReject`]), the limits a caller must
//! respect ([`MAX_BUFFERED_PLAINTEXT`], [`MAX_PAUSED_INPUT`]) and the
//! protocol code points of [`enums`]. The message parsers, the record
//! layer, the key schedules and the handshake states are private to the
//! crate: they are free to change, and no secret leaves them.

mod common;
pub(crate) mod conn;
pub(crate) mod crypto;
pub(crate) mod handshake;
pub(crate) mod keys;
pub(crate) mod record;
pub(crate) mod wire;

pub use conn::{Answer, Connection, Request, Side, MAX_BUFFERED_PLAINTEXT, MAX_PAUSED_INPUT};
pub use handshake::early_data::{EarlyDataReason, OnReject};
pub use handshake::Negotiated;

/// Protocol code points, as configs take them and errors and
/// [`Negotiated`] report them. Each keeps an `Unknown` arm, so a value
/// this crate does not name still round-trips.
pub mod enums {
    pub use super::wire::enums::{
        AlertDescription, CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme,
    };
}

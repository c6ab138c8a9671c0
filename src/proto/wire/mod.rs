//! Typed TLS messages and extensions, decoded once over a bounded [`reader::Reader`].

pub mod certificate;
pub mod enums;
pub mod extensions;
pub mod handshake;
pub mod hello;
pub mod reader;
pub mod status;
pub mod tls12;

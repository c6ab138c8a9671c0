//! Typed TLS messages and extensions, decoded once over a bounded [`reader::Reader`].

pub mod enums;
pub mod reader;

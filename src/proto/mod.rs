//! The sans-IO core: never imports tokio, owns no socket and never blocks.
//! Every part of it can be driven from a test with byte slices.

mod common;
pub mod conn;
pub mod crypto;
pub mod handshake;
pub mod keys;
pub mod record;
pub mod wire;

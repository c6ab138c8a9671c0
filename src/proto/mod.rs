//! The sans-IO core: never imports tokio, owns no clock and no randomness.
//! Every part of it can be driven from a test with byte slices.

pub mod crypto;
pub mod keys;
pub mod record;
pub mod wire;

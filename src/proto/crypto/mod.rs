//! Thin adapters over aws-lc-rs: cipher suites, key exchange, signatures.

pub mod kx;
pub mod sign;
pub mod suites;

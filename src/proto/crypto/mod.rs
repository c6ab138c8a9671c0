//! Thin adapters over aws-lc-rs: cipher suites, key exchange (and the group
//! policy of TLS 1.3), signatures.

pub(crate) mod groups;
mod kem;
pub mod kx;
// Re-exported by `unstable_internals` in fuzz builds only, so fuzz targets
// can rebuild the fixed ticket key.
pub mod rng;
pub mod sign;
pub mod suites;

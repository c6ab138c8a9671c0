//! Guides: documentation only, no code.

pub mod migrating_from_tokio_rustls;

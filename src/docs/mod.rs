//! Guides: documentation only, no code.

pub mod early_data;
pub mod migrating_from_tokio_rustls;
pub mod resumption;

//! Key schedules.
//!
//! [`secret`] holds the zeroizing containers every derived secret lives in;
//! [`tls13`] is the RFC 8446 section 7 key schedule, with one type per stage
//! so that deriving a secret from the wrong stage does not compile.

pub mod keylog;
pub mod secret;
pub mod tls12;
pub mod tls13;

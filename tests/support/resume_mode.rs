//! The three ways a session resumes, for tests that run each.

use lctls::proto::enums::ProtocolVersion;

/// TLS 1.3 ticket, TLS 1.2 ticket, TLS 1.2 session ID.
#[derive(Clone, Copy, Debug)]
pub enum Mode {
    Tls13,
    Tls12Ticket,
    Tls12SessionId,
}

/// Every [`Mode`].
pub const MODES: [Mode; 3] = [Mode::Tls13, Mode::Tls12Ticket, Mode::Tls12SessionId];

impl Mode {
    /// The protocol versions a config for this mode allows.
    pub fn versions(self) -> &'static [ProtocolVersion] {
        match self {
            Mode::Tls13 => &[ProtocolVersion::TLSv1_3],
            _ => &[ProtocolVersion::TLSv1_2],
        }
    }

    /// The OpenSSL protocol flag for this mode.
    pub fn openssl_version(self) -> &'static str {
        match self {
            Mode::Tls13 => "-tls1_3",
            _ => "-tls1_2",
        }
    }

    /// The OpenSSL flag that turns tickets off (so TLS 1.2 resumes by session
    /// ID), in the session-ID mode only.
    pub fn openssl_no_ticket(self) -> Option<&'static str> {
        match self {
            Mode::Tls12SessionId => Some("-no_ticket"),
            _ => None,
        }
    }
}

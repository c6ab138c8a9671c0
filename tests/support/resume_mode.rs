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
}

//! Errors: what went wrong in a user's words, and the alert the peer gets.
//!
//! The alert is decided together with the words, so a failure can never send
//! one alert while the log says something else.

use std::fmt;
use std::io;

use crate::pki::CertificateError;
use crate::proto::wire::enums::{AlertDescription, CipherSuite, NamedGroup};

/// Everything that can make a TLS connection fail.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The peer broke the protocol; we send `alert` and close.
    Protocol {
        /// The alert sent to the peer.
        alert: AlertDescription,
        /// What was wrong.
        reason: String,
    },
    /// The peer sent a fatal alert (or any alert but close_notify).
    AlertReceived(AlertDescription),
    /// This side ended the connection with this fatal alert
    /// ([`Connection::abort`](crate::proto::Connection::abort)).
    Aborted(AlertDescription),
    /// A record failed authentication: tampered, truncated or decrypted with the wrong key.
    BadRecordMac,
    /// No cipher suite both sides allow.
    NoCommonCipherSuite {
        /// What we allow.
        ours: Vec<CipherSuite>,
        /// What the peer offered.
        theirs: Vec<CipherSuite>,
    },
    /// No key-exchange group both sides allow.
    NoCommonGroup {
        /// What we allow.
        ours: Vec<NamedGroup>,
        /// What the peer offered.
        theirs: Vec<NamedGroup>,
    },
    /// ALPN was offered by both sides but no protocol is in common.
    NoApplicationProtocol {
        /// What we allow.
        ours: Vec<String>,
        /// What the peer offered.
        theirs: Vec<String>,
    },
    /// The peer's version is one we refuse.
    UnsupportedVersion(String),
    /// The peer's certificate was not acceptable.
    Certificate(CertificateError),
    /// The underlying stream ended without a close_notify alert: the data may be truncated.
    Truncated,
    /// A local misconfiguration (bad key file, empty root store, ...); nothing was sent.
    Config(String),
    /// Writing was attempted after close_notify was sent.
    AlreadyClosed,
    /// The write key protected as many records as its cipher suite allows
    /// (AES-GCM: 2^24.5 full-size records, RFC 8446 section 5.5;
    /// ChaCha20-Poly1305: the 2^64 sequence numbers) and TLS 1.2 cannot
    /// change keys. A close_notify was sent, so the peer sees a clean end of
    /// data; reading may go on. Reconnect to send more. (TLS 1.3 changes
    /// keys with a KeyUpdate instead and never reports this.)
    KeyLimitReached {
        /// The cipher suite of the exhausted key.
        suite: CipherSuite,
        /// Records sealed under that key.
        records: u64,
    },
}

impl Error {
    /// decode_error with a reason.
    pub fn decode(reason: impl Into<String>) -> Self {
        Self::protocol(AlertDescription::DecodeError, reason)
    }

    /// illegal_parameter with a reason.
    pub fn illegal(reason: impl Into<String>) -> Self {
        Self::protocol(AlertDescription::IllegalParameter, reason)
    }

    /// unexpected_message with a reason.
    pub fn unexpected(reason: impl Into<String>) -> Self {
        Self::protocol(AlertDescription::UnexpectedMessage, reason)
    }

    /// handshake_failure with a reason.
    pub fn handshake(reason: impl Into<String>) -> Self {
        Self::protocol(AlertDescription::HandshakeFailure, reason)
    }

    /// internal_error with a reason.
    pub fn internal(reason: impl Into<String>) -> Self {
        Self::protocol(AlertDescription::InternalError, reason)
    }

    /// Any protocol error with the alert it sends.
    pub fn protocol(alert: AlertDescription, reason: impl Into<String>) -> Self {
        Error::Protocol {
            alert,
            reason: reason.into(),
        }
    }

    /// The alert this error sends to the peer, if any.
    pub fn alert(&self) -> Option<AlertDescription> {
        match self {
            Error::Protocol { alert, .. } => Some(*alert),
            Error::AlertReceived(_) => None,
            Error::Aborted(alert) => Some(*alert),
            Error::BadRecordMac => Some(AlertDescription::BadRecordMac),
            Error::NoCommonCipherSuite { .. } | Error::NoCommonGroup { .. } => {
                Some(AlertDescription::HandshakeFailure)
            }
            Error::NoApplicationProtocol { .. } => Some(AlertDescription::NoApplicationProtocol),
            Error::UnsupportedVersion(_) => Some(AlertDescription::ProtocolVersion),
            Error::Certificate(e) => Some(e.alert()),
            Error::Truncated
            | Error::Config(_)
            | Error::AlreadyClosed
            | Error::KeyLimitReached { .. } => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Protocol { alert, reason } => {
                write!(f, "{reason} (sent alert {})", alert.name())
            }
            Error::AlertReceived(a) => write!(f, "peer sent alert {}", a.name()),
            Error::Aborted(a) => write!(f, "connection aborted with alert {}", a.name()),
            Error::BadRecordMac => write!(
                f,
                "record failed authentication: tampered or corrupted (sent alert bad_record_mac)"
            ),
            Error::NoCommonCipherSuite { ours, theirs } => write!(
                f,
                "no cipher suite in common: we offered {ours:?}, peer offered {theirs:?}"
            ),
            Error::NoCommonGroup { ours, theirs } => write!(
                f,
                "no key-exchange group in common: we offered {ours:?}, peer offered {theirs:?}"
            ),
            Error::NoApplicationProtocol { ours, theirs } => write!(
                f,
                "no application protocol in common: we offered {ours:?}, peer offered {theirs:?}"
            ),
            Error::UnsupportedVersion(s) => write!(f, "unsupported protocol version: {s}"),
            Error::Certificate(e) => write!(f, "{e}"),
            Error::Truncated => write!(
                f,
                "peer closed the connection without close_notify: data may be truncated"
            ),
            Error::Config(s) => write!(f, "configuration error: {s}"),
            Error::AlreadyClosed => write!(f, "connection already closed for writing"),
            Error::KeyLimitReached { suite, records } => write!(
                f,
                "key usage limit of {suite:?} reached after {records} records; TLS 1.2 has no \
                 rekey, so close_notify was sent: reconnect to send more"
            ),
        }
    }
}

impl std::error::Error for Error {}

impl From<CertificateError> for Error {
    fn from(e: CertificateError) -> Self {
        Error::Certificate(e)
    }
}

impl From<Error> for io::Error {
    fn from(e: Error) -> Self {
        let kind = match &e {
            Error::Truncated => io::ErrorKind::UnexpectedEof,
            Error::Config(_) => io::ErrorKind::InvalidInput,
            Error::AlreadyClosed => io::ErrorKind::BrokenPipe,
            // Not bad data, and not the peer's doing: our side stopped writing.
            Error::KeyLimitReached { .. } => io::ErrorKind::Other,
            _ => io::ErrorKind::InvalidData,
        };
        io::Error::new(kind, e)
    }
}

impl Error {
    /// The `lctls::Error` inside an `io::Error` returned by this crate, if any.
    pub fn from_io(e: &io::Error) -> Option<&Error> {
        e.get_ref().and_then(|inner| inner.downcast_ref::<Error>())
    }
}

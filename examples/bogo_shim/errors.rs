//! Failures, and BoringSSL's names for lctls errors.

use lctls::pki::CertificateError;
use lctls::proto::wire::enums::AlertDescription;
use lctls::Error;

/// Maps an lctls error (or a received alert) to BoringSSL's error name, as the
/// runner's `expectedError` spells it. The one place that knows these names.
pub fn boringssl_error_name(e: &Error) -> Option<&'static str> {
    use AlertDescription as A;
    let name = match e {
        Error::AlertReceived(a) => match a {
            A::CloseNotify => "SSLV3_ALERT_CLOSE_NOTIFY",
            A::UnexpectedMessage => "SSLV3_ALERT_UNEXPECTED_MESSAGE",
            A::BadRecordMac => "SSLV3_ALERT_BAD_RECORD_MAC",
            A::RecordOverflow => "TLSV1_ALERT_RECORD_OVERFLOW",
            A::HandshakeFailure => "SSLV3_ALERT_HANDSHAKE_FAILURE",
            A::BadCertificate => "SSLV3_ALERT_BAD_CERTIFICATE",
            A::UnsupportedCertificate => "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE",
            A::CertificateRevoked => "SSLV3_ALERT_CERTIFICATE_REVOKED",
            A::CertificateExpired => "SSLV3_ALERT_CERTIFICATE_EXPIRED",
            A::CertificateUnknown => "SSLV3_ALERT_CERTIFICATE_UNKNOWN",
            A::IllegalParameter => "SSLV3_ALERT_ILLEGAL_PARAMETER",
            A::UnknownCA => "TLSV1_ALERT_UNKNOWN_CA",
            A::AccessDenied => "TLSV1_ALERT_ACCESS_DENIED",
            A::DecodeError => "TLSV1_ALERT_DECODE_ERROR",
            A::DecryptError => "TLSV1_ALERT_DECRYPT_ERROR",
            A::ProtocolVersion => "TLSV1_ALERT_PROTOCOL_VERSION",
            A::InsufficientSecurity => "TLSV1_ALERT_INSUFFICIENT_SECURITY",
            A::InternalError => "TLSV1_ALERT_INTERNAL_ERROR",
            A::InappropriateFallback => "TLSV1_ALERT_INAPPROPRIATE_FALLBACK",
            A::UserCanceled => "TLSV1_ALERT_USER_CANCELLED",
            A::NoRenegotiation => "TLSV1_ALERT_NO_RENEGOTIATION",
            A::UnsupportedExtension => "TLSV1_ALERT_UNSUPPORTED_EXTENSION",
            A::UnrecognizedName => "TLSV1_ALERT_UNRECOGNIZED_NAME",
            A::BadCertificateStatusResponse => "TLSV1_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE",
            A::UnknownPSKIdentity => "TLSV1_ALERT_UNKNOWN_PSK_IDENTITY",
            A::CertificateRequired => "TLSV1_ALERT_CERTIFICATE_REQUIRED",
            A::NoApplicationProtocol => "TLSV1_ALERT_NO_APPLICATION_PROTOCOL",
            A::MissingExtension | A::Unknown(_) => return None,
        },
        Error::BadRecordMac => "DECRYPTION_FAILED_OR_BAD_RECORD_MAC",
        Error::NoCommonCipherSuite { .. } => "NO_SHARED_CIPHER",
        Error::NoCommonGroup { .. } => "NO_SHARED_GROUP",
        Error::NoApplicationProtocol { .. } => "NO_APPLICATION_PROTOCOL",
        Error::UnsupportedVersion(_) => "UNSUPPORTED_PROTOCOL",
        Error::Certificate(CertificateError::NoCertificate) => "PEER_DID_NOT_RETURN_A_CERTIFICATE",
        Error::Certificate(_) => "CERTIFICATE_VERIFY_FAILED",
        // lctls names the alert it sends; the reason tells similar cases apart.
        Error::Protocol { alert, reason } => match alert {
            A::DecodeError if reason.starts_with("record version") => "WRONG_VERSION_NUMBER",
            A::DecodeError => "DECODE_ERROR",
            A::UnexpectedMessage if reason.contains("record content type") => "UNEXPECTED_RECORD",
            A::UnexpectedMessage => "UNEXPECTED_MESSAGE",
            A::DecryptError if reason.contains("did not verify") => "DIGEST_CHECK_FAILED",
            A::DecryptError => "BAD_SIGNATURE",
            A::IllegalParameter if reason.starts_with("handshake message of") => {
                "EXCESSIVE_MESSAGE_SIZE"
            }
            A::IllegalParameter if reason.contains("which we did not offer") => {
                "WRONG_SIGNATURE_TYPE"
            }
            A::RecordOverflow if reason.starts_with("record of") => "ENCRYPTED_LENGTH_TOO_LONG",
            A::RecordOverflow => "DATA_LENGTH_TOO_LONG",
            A::ProtocolVersion => "UNSUPPORTED_PROTOCOL",
            A::CertificateRequired => "PEER_DID_NOT_RETURN_A_CERTIFICATE",
            A::HandshakeFailure if reason.contains("sent no certificate") => {
                "PEER_DID_NOT_RETURN_A_CERTIFICATE"
            }
            A::InappropriateFallback => "INAPPROPRIATE_FALLBACK",
            A::NoRenegotiation => "NO_RENEGOTIATION",
            _ => return None,
        },
        Error::Truncated | Error::Config(_) | Error::AlreadyClosed => return None,
        _ => return None,
    };
    Some(name)
}

/// A failure to report on stderr (exit 1).
#[derive(Debug)]
pub struct Failure(pub String);

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        match boringssl_error_name(&e) {
            Some(name) => Failure(format!(":{name}: {e}")),
            None => Failure(e.to_string()),
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        match Error::from_io(&e) {
            Some(tls) => tls.clone().into(),
            None => Failure(format!("I/O error: {e}")),
        }
    }
}

pub fn fail<T>(msg: impl Into<String>) -> Result<T, Failure> {
    Err(Failure(msg.into()))
}

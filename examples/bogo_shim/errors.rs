//! Failures, and BoringSSL's names for lctls errors: the one table.
//!
//! The runner (without `-loose-errors`) wants BoringSSL's error name, in
//! colons, on the shim's stderr. Names are found by error variant first, then
//! by the alert lctls sent. `Error::Protocol` carries only that alert and a
//! reason in words, and one alert covers many of BoringSSL's names (an
//! illegal_parameter may be a wrong curve, a bad point or a duplicate
//! extension), so the finer names are found by words of the reason: each row
//! of [`BY_REASON`] names the words it relies on, and the alert must match
//! too, so a reworded message falls back to the alert's coarse name rather
//! than to a wrong one.

use lctls::pki::CertificateError;
use lctls::proto::enums::AlertDescription;
use lctls::Error;

use AlertDescription as A;

/// BoringSSL's name for an alert we received (`SSL_R_SSLV3_ALERT_*`,
/// `SSL_R_TLSV1_ALERT_*`).
fn received_alert_name(a: AlertDescription) -> Option<&'static str> {
    Some(match a {
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
        // decompression_failure (30) is TLS 1.2-only and has no arm in
        // lctls's enum, but BoringSSL still names it when received.
        A::Unknown(30) => "SSLV3_ALERT_DECOMPRESSION_FAILURE",
        A::MissingExtension | A::Unknown(_) => return None,
    })
}

/// (alert lctls sent, words of the reason, BoringSSL's name); the first row
/// whose alert matches and whose words occur in the reason wins. Rows are
/// grouped by alert; within a group the more specific words come first.
#[rustfmt::skip]
const BY_REASON: &[(AlertDescription, &str, &str)] = &[
    // illegal_parameter: key exchange.
    (A::IllegalParameter, "key share is for", "WRONG_CURVE"),
    (A::IllegalParameter, "chose group", "WRONG_CURVE"),
    (A::IllegalParameter, "HelloRetryRequest asks for", "WRONG_CURVE"),
    (A::IllegalParameter, "lacks the requested key share", "WRONG_CURVE"),
    (A::IllegalParameter, "key share of", "BAD_ECPOINT"),
    (A::IllegalParameter, "not a valid public key", "BAD_ECPOINT"),
    (A::IllegalParameter, "ML-KEM encapsulation failed", "BAD_ECPOINT"),
    (A::IllegalParameter, "encapsulation key", "BAD_ECPOINT"),
    (A::IllegalParameter, "two key shares for one group", "DUPLICATE_KEY_SHARE"),
    // Certificate compression (RFC 8879).
    (A::IllegalParameter, "certificate compressed with algorithm", "UNKNOWN_CERT_COMPRESSION_ALG"),
    (A::BadCertificate, "compressed certificate would be", "UNCOMPRESSED_CERT_TOO_LARGE"),
    (A::BadCertificate, "did not decompress", "CERT_DECOMPRESSION_FAILED"),
    // illegal_parameter: what the server chose.
    (A::IllegalParameter, "early data with another cipher suite", "CIPHER_MISMATCH_ON_EARLY_DATA"),
    (A::IllegalParameter, "early data with another ALPN protocol", "ALPN_MISMATCH_ON_EARLY_DATA"),
    (A::IllegalParameter, "accepted early data without resuming", "UNEXPECTED_EXTENSION"),
    (A::IllegalParameter, "ALPN protocol", "INVALID_ALPN_PROTOCOL"),
    (A::IllegalParameter, "chose cipher suite", "WRONG_CIPHER_RETURNED"),
    (A::IllegalParameter, "suite differs from HelloRetryRequest", "WRONG_CIPHER_RETURNED"),
    // A supported_versions answer to a client that offered no TLS 1.3 is an
    // extension it never asked for.
    (A::IllegalParameter, "selected version", "UNEXPECTED_EXTENSION"),
    // A pre_shared_key answer the client cannot pair with an offer; most
    // often there was no offer at all (BoringSSL: UNEXPECTED_EXTENSION).
    (A::IllegalParameter, "after a HelloRetryRequest selects version", "SECOND_SERVERHELLO_VERSION_MISMATCH"),
    (A::IllegalParameter, "selected a PSK we did not offer", "UNEXPECTED_EXTENSION"),
    (A::IllegalParameter, "but we offered only identity", "PSK_IDENTITY_NOT_FOUND"),
    (A::IllegalParameter, "whose hash differs from the ticket", "OLD_SESSION_PRF_HASH_MISMATCH"),
    (A::IllegalParameter, "downgrade", "TLS13_DOWNGRADE"),
    (A::IllegalParameter, "would not change the ClientHello", "EMPTY_HELLO_RETRY_REQUEST"),
    (A::IllegalParameter, "which we never offer", "UNSUPPORTED_COMPRESSION_ALGORITHM"),
    // illegal_parameter: signatures. The scheme names another key type, or
    // (TLS 1.2) another cipher suite's certificate type.
    (A::IllegalParameter, "does not fit cipher suite", "WRONG_CERTIFICATE_TYPE"),
    (A::IllegalParameter, "does not match the", "WRONG_SIGNATURE_TYPE"),
    (A::IllegalParameter, "cannot be used with the", "WRONG_SIGNATURE_TYPE"),
    (A::IllegalParameter, "signed with", "WRONG_SIGNATURE_TYPE"),
    (A::IllegalParameter, "key unusable with", "UNSUPPORTED_ALGORITHM"),
    // illegal_parameter: ClientHello and extension syntax.
    (A::IllegalParameter, "duplicate extension", "DUPLICATE_EXTENSION"),
    (A::IllegalParameter, "null compression", "INVALID_COMPRESSION_LIST"),
    (A::IllegalParameter, "identities and binders do not pair up", "PSK_IDENTITY_BINDER_COUNT_MISMATCH"),
    (A::IllegalParameter, "not the last extension", "PRE_SHARED_KEY_MUST_BE_LAST"),
    (A::IllegalParameter, "uncompressed EC points", "ERROR_PARSING_EXTENSION"),
    (A::IllegalParameter, "ec_point_formats lacks", "ERROR_PARSING_EXTENSION"),
    (A::IllegalParameter, "compatibility session ID", "SERVER_ECHOED_INVALID_SESSION_ID"),
    (A::IllegalParameter, "KeyUpdate request", "DECODE_ERROR"),
    (A::IllegalParameter, "context must be empty", "DECODE_ERROR"),
    (A::IllegalParameter, "unknown level", "UNKNOWN_ALERT_TYPE"),
    (A::IllegalParameter, "handshake message of", "EXCESSIVE_MESSAGE_SIZE"),
    // handshake_failure
    // RFC 7627 5.3: a resumption whose extended master secret state changed.
    (A::HandshakeFailure, "extended master secret state changed", "RESUMED_EMS_SESSION_WITHOUT_EMS_EXTENSION"),
    (A::HandshakeFailure, "extended-master-secret session without the extension", "RESUMED_EMS_SESSION_WITHOUT_EMS_EXTENSION"),
    // TLS 1.2 servers: no signature for the certificate means no usable suite.
    (A::HandshakeFailure, "no TLS 1.2 cipher suite is usable", "NO_SHARED_CIPHER"),
    (A::HandshakeFailure, "none of the signature schemes", "NO_COMMON_SIGNATURE_ALGORITHMS"),
    (A::HandshakeFailure, "matches the peer's certificate_authorities", "NO_MATCHING_ISSUER"),
    // The shim's -fail-cert-callback: its certificate resolver refuses.
    (A::InternalError, "certificate callback failed", "CERT_CB_ERROR"),
    (A::HandshakeFailure, "sent no certificate", "PEER_DID_NOT_RETURN_A_CERTIFICATE"),
    // TLS 1.2: our ECDSA certificate's curve is not in the client's list.
    (A::HandshakeFailure, "which the client does not support", "WRONG_CURVE"),
    // protocol_version
    (A::ProtocolVersion, "after we sent 0-RTT data", "WRONG_VERSION_ON_EARLY_DATA"),
    // missing_extension
    (A::MissingExtension, "without key_share", "MISSING_KEY_SHARE"),
    (A::MissingExtension, "ClientHello without supported_groups", "NO_SHARED_GROUP"),
    (A::MissingExtension, "ClientHello without signature_algorithms", "NO_COMMON_SIGNATURE_ALGORITHMS"),
    // RFC 8446 4.3.2 makes signature_algorithms part of the CertificateRequest
    // syntax; BoringSSL reports its absence as a decoding failure.
    (A::MissingExtension, "CertificateRequest without", "DECODE_ERROR"),
    // unsupported_extension: see tls12_only_extension for ERROR_PARSING_EXTENSION.
    (A::UnsupportedExtension, "", "UNEXPECTED_EXTENSION"),
    // decode_error
    (A::DecodeError, "empty TLS 1.2 certificate chain", "DECODE_ERROR"),
    (A::DecodeError, "record version", "WRONG_VERSION_NUMBER"),
    (A::DecodeError, "as a warning alert", "BAD_ALERT"),
    (A::DecodeError, "outer content type", "INVALID_OUTER_RECORD_TYPE"),
    (A::DecodeError, "empty certificate chain", "PEER_DID_NOT_RETURN_A_CERTIFICATE"),
    (A::DecodeError, "compress_certificate", "ERROR_PARSING_EXTENSION"),
    (A::DecodeError, "empty ALPN protocol name", "PARSE_TLSEXT"),
    (A::DecodeError, "change_cipher_spec", "BAD_CHANGE_CIPHER_SPEC"),
    (A::DecodeError, "alert record", "BAD_ALERT"),
    (A::DecodeError, "legacy_session_id longer", "CLIENTHELLO_PARSE_FAILED"),
    (A::DecodeError, "after the ClientHello's extensions", "CLIENTHELLO_PARSE_FAILED"),
    // unexpected_message
    // Plaintext HTTP where the first record was expected.
    (A::UnexpectedMessage, "HTTP proxy CONNECT request", "HTTPS_PROXY_REQUEST"),
    (A::UnexpectedMessage, "plaintext HTTP request", "HTTP_REQUEST"),
    // A record of a type the state does not allow (BoringSSL's record layer
    // names these, while UNEXPECTED_MESSAGE is a handshake message type).
    // Bytes that are no TLS record at all (garbage, an SSL 2 prefix).
    (A::UnexpectedMessage, "unknown record content type", "WRONG_VERSION_NUMBER"),
    (A::UnexpectedMessage, "record content type", "UNEXPECTED_RECORD"),
    (A::UnexpectedMessage, "protected record of content type", "UNEXPECTED_RECORD"),
    (A::UnexpectedMessage, "application data before the handshake completed", "UNEXPECTED_RECORD"),
    (A::UnexpectedMessage, "ChangeCipherSpec while expecting", "UNEXPECTED_RECORD"),
    (A::UnexpectedMessage, "while expecting ChangeCipherSpec", "UNEXPECTED_RECORD"),
    // TLS 1.2: a record other than handshake arrived mid-message (the CCS).
    (A::UnexpectedMessage, "straddles ChangeCipherSpec", "UNEXPECTED_RECORD"),
    (A::UnexpectedMessage, "straddles", "EXCESS_HANDSHAKE_DATA"),
    (A::UnexpectedMessage, "excess handshake data", "EXCESS_HANDSHAKE_DATA"),
    (A::UnexpectedMessage, "malformed change_cipher_spec", "BAD_CHANGE_CIPHER_SPEC"),
    // A TLSInnerPlaintext of padding only: BoringSSL fails it as a decryption.
    (A::UnexpectedMessage, "no content type", "DECRYPTION_FAILED_OR_BAD_RECORD_MAC"),
    (A::UnexpectedMessage, "interleaved with a handshake message", "EXCESS_HANDSHAKE_DATA"),
    (A::UnexpectedMessage, "too much skipped early data", "TOO_MUCH_SKIPPED_EARLY_DATA"),
    (A::UnexpectedMessage, "too much early data", "TOO_MUCH_READ_EARLY_DATA"),
    (A::UnexpectedMessage, "empty application data records", "TOO_MANY_EMPTY_FRAGMENTS"),
    (A::UnexpectedMessage, "change_cipher_spec records in a row", "TOO_MANY_EMPTY_FRAGMENTS"),
    (A::UnexpectedMessage, "KeyUpdates", "TOO_MANY_KEY_UPDATES"),
    (A::UnexpectedMessage, "warning alerts", "TOO_MANY_WARNING_ALERTS"),
    (A::UnexpectedMessage, "after protection started", "INVALID_OUTER_RECORD_TYPE"),
    // decrypt_error
    (A::DecryptError, "did not verify", "DIGEST_CHECK_FAILED"),
    // record_overflow
    (A::RecordOverflow, "record of", "ENCRYPTED_LENGTH_TOO_LONG"),
];

/// The coarse name for an alert lctls sent, when no row of [`BY_REASON`] fits.
fn sent_alert_name(alert: AlertDescription) -> Option<&'static str> {
    Some(match alert {
        A::DecodeError => "DECODE_ERROR",
        A::UnexpectedMessage => "UNEXPECTED_MESSAGE",
        A::DecryptError => "BAD_SIGNATURE",
        A::RecordOverflow => "DATA_LENGTH_TOO_LONG",
        A::ProtocolVersion => "UNSUPPORTED_PROTOCOL",
        A::CertificateRequired => "PEER_DID_NOT_RETURN_A_CERTIFICATE",
        A::InappropriateFallback => "INAPPROPRIATE_FALLBACK",
        A::NoRenegotiation => "NO_RENEGOTIATION",
        A::MissingExtension => "MISSING_EXTENSION",
        A::UnsupportedExtension => "UNEXPECTED_EXTENSION",
        _ => return None,
    })
}

/// TLS 1.2-only extensions that lctls knows: in a TLS 1.3 server's
/// EncryptedExtensions BoringSSL parses them and fails the parse
/// (ERROR_PARSING_EXTENSION) rather than calling them unknown. The reason
/// ends with the extension's number ("server sent unsolicited extension 23").
fn tls12_only_extension(reason: &str) -> bool {
    let number = reason
        .strip_prefix("server sent unsolicited extension ")
        .and_then(|n| n.parse::<u16>().ok());
    // extended_master_secret, ec_point_formats, session_ticket, renegotiation_info
    matches!(number, Some(23 | 11 | 35 | 0xff01))
}

fn protocol_name(alert: AlertDescription, reason: &str) -> Option<&'static str> {
    if alert == A::UnsupportedExtension && tls12_only_extension(reason) {
        return Some("ERROR_PARSING_EXTENSION");
    }
    BY_REASON
        .iter()
        .find(|(a, words, _)| *a == alert && reason.contains(words))
        .map(|&(_, _, name)| name)
        .or_else(|| sent_alert_name(alert))
}

fn certificate_name(e: &CertificateError) -> &'static str {
    match e {
        CertificateError::NoCertificate => "PEER_DID_NOT_RETURN_A_CERTIFICATE",
        CertificateError::BadEncoding { .. } => "CANNOT_PARSE_LEAF_CERT",
        CertificateError::KeyUsage { .. } => "KEY_USAGE_BIT_INCORRECT",
        // Only the shim's -fail-ocsp-callback refuses staples.
        CertificateError::BadOcspResponse { .. } => "OCSP_CB_ERROR",
        _ => "CERTIFICATE_VERIFY_FAILED",
    }
}

/// Maps an lctls error (or a received alert) to BoringSSL's error name, as the
/// runner's `expectedError` spells it. The one place that knows these names.
pub fn boringssl_error_name(e: &Error) -> Option<&'static str> {
    match e {
        Error::AlertReceived(a) => received_alert_name(*a),
        Error::BadRecordMac => Some("DECRYPTION_FAILED_OR_BAD_RECORD_MAC"),
        Error::NoCommonCipherSuite { .. } => Some("NO_SHARED_CIPHER"),
        // A TLS 1.2 ClientHello without supported_groups leaves no ECDHE
        // suite usable: BoringSSL says no shared cipher.
        Error::NoCommonGroup { theirs, .. } if theirs.is_empty() => Some("NO_SHARED_CIPHER"),
        Error::NoCommonGroup { .. } => Some("NO_SHARED_GROUP"),
        Error::NoApplicationProtocol { .. } => Some("NO_APPLICATION_PROTOCOL"),
        Error::UnsupportedVersion(_) => Some("UNSUPPORTED_PROTOCOL"),
        Error::Certificate(c) => Some(certificate_name(c)),
        Error::Protocol { alert, reason } => protocol_name(*alert, reason),
        Error::Config(m) if m.starts_with("invalid SCT list") => Some("INVALID_SCT_LIST"),
        _ => None,
    }
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

//! Protocol code points. Each enum keeps an `Unknown` arm so that a value we
//! do not implement still round-trips and can be ignored where the RFC says so.

macro_rules! codepoint_enum {
    ($(#[$m:meta])* $name:ident : $ty:ty { $($(#[$vm:meta])* $var:ident = $val:expr),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[allow(non_camel_case_types)]
        pub enum $name {
            $($(#[$vm])* $var,)*
            /// A value this crate does not name.
            Unknown($ty),
        }

        impl $name {
            /// The wire value.
            pub fn get(self) -> $ty {
                match self {
                    $($name::$var => $val,)*
                    $name::Unknown(v) => v,
                }
            }
        }

        impl From<$ty> for $name {
            fn from(v: $ty) -> Self {
                match v {
                    $($val => $name::$var,)*
                    other => $name::Unknown(other),
                }
            }
        }

        impl From<$name> for $ty {
            fn from(v: $name) -> $ty {
                v.get()
            }
        }
    };
}

codepoint_enum! {
    /// TLS record content type (RFC 8446 section 5.1).
    ContentType: u8 {
        /// change_cipher_spec(20)
        ChangeCipherSpec = 20,
        /// alert(21)
        Alert = 21,
        /// handshake(22)
        Handshake = 22,
        /// application_data(23)
        ApplicationData = 23,
    }
}

codepoint_enum! {
    /// Handshake message type (RFC 8446 section 4).
    HandshakeType: u8 {
        /// hello_request(0), TLS 1.2 only
        HelloRequest = 0,
        /// client_hello(1)
        ClientHello = 1,
        /// server_hello(2)
        ServerHello = 2,
        /// new_session_ticket(4)
        NewSessionTicket = 4,
        /// end_of_early_data(5)
        EndOfEarlyData = 5,
        /// encrypted_extensions(8)
        EncryptedExtensions = 8,
        /// certificate(11)
        Certificate = 11,
        /// server_key_exchange(12), TLS 1.2 only
        ServerKeyExchange = 12,
        /// certificate_request(13)
        CertificateRequest = 13,
        /// server_hello_done(14), TLS 1.2 only
        ServerHelloDone = 14,
        /// certificate_verify(15)
        CertificateVerify = 15,
        /// client_key_exchange(16), TLS 1.2 only
        ClientKeyExchange = 16,
        /// finished(20)
        Finished = 20,
        /// certificate_status(22), TLS 1.2 only (RFC 6066 section 8)
        CertificateStatus = 22,
        /// key_update(24)
        KeyUpdate = 24,
        /// compressed_certificate(25), RFC 8879
        CompressedCertificate = 25,
        /// message_hash(254), used in the transcript after HelloRetryRequest
        MessageHash = 254,
    }
}

codepoint_enum! {
    /// Protocol version as carried on the wire.
    ProtocolVersion: u16 {
        /// SSL 3.0
        SSLv3 = 0x0300,
        /// TLS 1.0
        TLSv1_0 = 0x0301,
        /// TLS 1.1
        TLSv1_1 = 0x0302,
        /// TLS 1.2
        TLSv1_2 = 0x0303,
        /// TLS 1.3
        TLSv1_3 = 0x0304,
    }
}

codepoint_enum! {
    /// Cipher suite identifiers.
    CipherSuite: u16 {
        /// TLS_AES_128_GCM_SHA256
        TLS13_AES_128_GCM_SHA256 = 0x1301,
        /// TLS_AES_256_GCM_SHA384
        TLS13_AES_256_GCM_SHA384 = 0x1302,
        /// TLS_CHACHA20_POLY1305_SHA256
        TLS13_CHACHA20_POLY1305_SHA256 = 0x1303,
        /// TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
        TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = 0xc02b,
        /// TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
        TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 = 0xc02c,
        /// TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
        TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 = 0xc02f,
        /// TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
        TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 = 0xc030,
        /// TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
        TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = 0xcca8,
        /// TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
        TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 = 0xcca9,
        /// TLS_EMPTY_RENEGOTIATION_INFO_SCSV
        TLS_EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff,
        /// TLS_FALLBACK_SCSV
        TLS_FALLBACK_SCSV = 0x5600,
    }
}

codepoint_enum! {
    /// Named groups for key exchange (RFC 8446 section 4.2.7).
    NamedGroup: u16 {
        /// secp256r1
        secp256r1 = 0x0017,
        /// secp384r1
        secp384r1 = 0x0018,
        /// secp521r1
        secp521r1 = 0x0019,
        /// x25519
        X25519 = 0x001d,
        /// x448
        X448 = 0x001e,
        /// MLKEM1024: ML-KEM-1024 alone (draft-ietf-tls-mlkem), no classical part
        MLKEM1024 = 0x0202,
        /// SecP256r1MLKEM768 hybrid: P-256 ECDH with ML-KEM-768 (draft-ietf-tls-ecdhe-mlkem)
        SecP256r1MLKEM768 = 0x11eb,
        /// X25519MLKEM768 hybrid: ML-KEM-768 with X25519 (draft-ietf-tls-ecdhe-mlkem)
        X25519MLKEM768 = 0x11ec,
    }
}

codepoint_enum! {
    /// Signature schemes (RFC 8446 section 4.2.3).
    SignatureScheme: u16 {
        /// rsa_pkcs1_sha1 (legacy, refused)
        RSA_PKCS1_SHA1 = 0x0201,
        /// ecdsa_sha1 (legacy, refused)
        ECDSA_SHA1_Legacy = 0x0203,
        /// rsa_pkcs1_sha256
        RSA_PKCS1_SHA256 = 0x0401,
        /// rsa_pkcs1_sha384
        RSA_PKCS1_SHA384 = 0x0501,
        /// rsa_pkcs1_sha512
        RSA_PKCS1_SHA512 = 0x0601,
        /// ecdsa_secp256r1_sha256
        ECDSA_NISTP256_SHA256 = 0x0403,
        /// ecdsa_secp384r1_sha384
        ECDSA_NISTP384_SHA384 = 0x0503,
        /// ecdsa_secp521r1_sha512
        ECDSA_NISTP521_SHA512 = 0x0603,
        /// rsa_pss_rsae_sha256
        RSA_PSS_SHA256 = 0x0804,
        /// rsa_pss_rsae_sha384
        RSA_PSS_SHA384 = 0x0805,
        /// rsa_pss_rsae_sha512
        RSA_PSS_SHA512 = 0x0806,
        /// ed25519
        ED25519 = 0x0807,
        /// ed448
        ED448 = 0x0808,
    }
}

codepoint_enum! {
    /// Extension types used by this crate.
    ExtensionType: u16 {
        /// server_name (RFC 6066)
        ServerName = 0,
        /// status_request
        StatusRequest = 5,
        /// signed_certificate_timestamp (RFC 6962 section 3.3.1)
        SignedCertificateTimestamp = 18,
        /// supported_groups
        SupportedGroups = 10,
        /// ec_point_formats (TLS 1.2)
        ECPointFormats = 11,
        /// signature_algorithms
        SignatureAlgorithms = 13,
        /// application_layer_protocol_negotiation (RFC 7301)
        ALProtocolNegotiation = 16,
        /// extended_master_secret (RFC 7627)
        ExtendedMasterSecret = 23,
        /// compress_certificate (RFC 8879)
        CompressCertificate = 27,
        /// session_ticket (RFC 5077)
        SessionTicket = 35,
        /// pre_shared_key
        PreSharedKey = 41,
        /// early_data
        EarlyData = 42,
        /// supported_versions
        SupportedVersions = 43,
        /// cookie
        Cookie = 44,
        /// psk_key_exchange_modes
        PSKKeyExchangeModes = 45,
        /// certificate_authorities
        CertificateAuthorities = 47,
        /// signature_algorithms_cert
        SignatureAlgorithmsCert = 50,
        /// key_share
        KeyShare = 51,
        /// renegotiation_info (RFC 5746)
        RenegotiationInfo = 0xff01,
    }
}

codepoint_enum! {
    /// Alert level.
    AlertLevel: u8 {
        /// warning(1)
        Warning = 1,
        /// fatal(2)
        Fatal = 2,
    }
}

codepoint_enum! {
    /// Alert descriptions (RFC 8446 section 6).
    AlertDescription: u8 {
        /// close_notify
        CloseNotify = 0,
        /// unexpected_message
        UnexpectedMessage = 10,
        /// bad_record_mac
        BadRecordMac = 20,
        /// record_overflow
        RecordOverflow = 22,
        /// handshake_failure
        HandshakeFailure = 40,
        /// bad_certificate
        BadCertificate = 42,
        /// unsupported_certificate
        UnsupportedCertificate = 43,
        /// certificate_revoked
        CertificateRevoked = 44,
        /// certificate_expired
        CertificateExpired = 45,
        /// certificate_unknown
        CertificateUnknown = 46,
        /// illegal_parameter
        IllegalParameter = 47,
        /// unknown_ca
        UnknownCA = 48,
        /// access_denied
        AccessDenied = 49,
        /// decode_error
        DecodeError = 50,
        /// decrypt_error
        DecryptError = 51,
        /// protocol_version
        ProtocolVersion = 70,
        /// insufficient_security
        InsufficientSecurity = 71,
        /// internal_error
        InternalError = 80,
        /// inappropriate_fallback
        InappropriateFallback = 86,
        /// user_canceled
        UserCanceled = 90,
        /// no_renegotiation
        NoRenegotiation = 100,
        /// missing_extension
        MissingExtension = 109,
        /// unsupported_extension
        UnsupportedExtension = 110,
        /// unrecognized_name
        UnrecognizedName = 112,
        /// bad_certificate_status_response
        BadCertificateStatusResponse = 113,
        /// unknown_psk_identity
        UnknownPSKIdentity = 115,
        /// certificate_required
        CertificateRequired = 116,
        /// no_application_protocol
        NoApplicationProtocol = 120,
    }
}

impl SignatureScheme {
    /// An RSA scheme (PKCS#1 v1.5 or PSS with an rsaEncryption key).
    pub fn is_rsa(self) -> bool {
        self.is_pkcs1()
            || matches!(
                self,
                SignatureScheme::RSA_PSS_SHA256
                    | SignatureScheme::RSA_PSS_SHA384
                    | SignatureScheme::RSA_PSS_SHA512
            )
    }

    /// An RSA PKCS#1 v1.5 scheme: TLS 1.2 only, never a TLS 1.3 handshake
    /// signature (RFC 8446 section 4.2.3).
    pub fn is_pkcs1(self) -> bool {
        matches!(
            self,
            SignatureScheme::RSA_PKCS1_SHA1
                | SignatureScheme::RSA_PKCS1_SHA256
                | SignatureScheme::RSA_PKCS1_SHA384
                | SignatureScheme::RSA_PKCS1_SHA512
        )
    }
}

impl AlertDescription {
    /// The RFC's name for this alert, as users see it in error messages.
    pub fn name(self) -> String {
        let s = match self {
            Self::CloseNotify => "close_notify",
            Self::UnexpectedMessage => "unexpected_message",
            Self::BadRecordMac => "bad_record_mac",
            Self::RecordOverflow => "record_overflow",
            Self::HandshakeFailure => "handshake_failure",
            Self::BadCertificate => "bad_certificate",
            Self::UnsupportedCertificate => "unsupported_certificate",
            Self::CertificateRevoked => "certificate_revoked",
            Self::CertificateExpired => "certificate_expired",
            Self::CertificateUnknown => "certificate_unknown",
            Self::IllegalParameter => "illegal_parameter",
            Self::UnknownCA => "unknown_ca",
            Self::AccessDenied => "access_denied",
            Self::DecodeError => "decode_error",
            Self::DecryptError => "decrypt_error",
            Self::ProtocolVersion => "protocol_version",
            Self::InsufficientSecurity => "insufficient_security",
            Self::InternalError => "internal_error",
            Self::InappropriateFallback => "inappropriate_fallback",
            Self::UserCanceled => "user_canceled",
            Self::NoRenegotiation => "no_renegotiation",
            Self::MissingExtension => "missing_extension",
            Self::UnsupportedExtension => "unsupported_extension",
            Self::UnrecognizedName => "unrecognized_name",
            Self::BadCertificateStatusResponse => "bad_certificate_status_response",
            Self::UnknownPSKIdentity => "unknown_psk_identity",
            Self::CertificateRequired => "certificate_required",
            Self::NoApplicationProtocol => "no_application_protocol",
            Self::Unknown(v) => return format!("unknown alert {v}"),
        };
        s.to_string()
    }
}

/// GREASE values (RFC 8701) look like 0x?A?A; they must be ignored.
pub fn is_grease(v: u16) -> bool {
    v & 0x0f0f == 0x0a0a && (v >> 8) == (v & 0xff)
}

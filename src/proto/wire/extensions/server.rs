//! The extensions of ServerHello, HelloRetryRequest and EncryptedExtensions.

use super::*;

/// The extensions of a ServerHello or HelloRetryRequest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerHelloExtensions {
    /// supported_versions: the selected version.
    pub selected_version: Option<ProtocolVersion>,
    /// key_share in a ServerHello.
    pub key_share: Option<KeyShareEntry>,
    /// key_share in a HelloRetryRequest: the group the server wants.
    pub selected_group: Option<NamedGroup>,
    /// cookie in a HelloRetryRequest.
    pub cookie: Option<Vec<u8>>,
    /// pre_shared_key in a ServerHello: the index of the chosen identity.
    pub selected_psk: Option<u16>,
    /// TLS 1.2: the selected ALPN protocol.
    pub alpn: Option<Vec<u8>>,
    /// TLS 1.2: server_name acknowledged.
    pub server_name_ack: bool,
    /// TLS 1.2: extended_master_secret acknowledged.
    pub extended_master_secret: bool,
    /// TLS 1.2: renegotiation_info.
    pub renegotiation_info: Option<Vec<u8>>,
    /// TLS 1.2: the server will send a NewSessionTicket.
    pub session_ticket_ack: bool,
    /// TLS 1.2: ec_point_formats; when present it lists uncompressed (0).
    pub ec_point_formats: Option<Vec<u8>>,
    /// TLS 1.2: supported_groups, which no RFC defines in a ServerHello but
    /// some servers send; like BoringSSL we tolerate and ignore it there
    /// (we offered the extension, so it is not unsolicited). A TLS 1.3
    /// ServerHello carrying it is refused (see `has_tls12_only`).
    pub supported_groups: Option<Vec<NamedGroup>>,
    /// TLS 1.2: status_request acknowledged (empty): a CertificateStatus
    /// follows the Certificate (RFC 6066 section 8).
    pub status_request_ack: bool,
    /// TLS 1.2: the SignedCertificateTimestampList (extension body, length
    /// prefix included), checked to be well formed.
    pub sct_list: Option<Vec<u8>>,
}

impl ServerHelloExtensions {
    /// True when an extension that a TLS 1.3 ServerHello may not carry, but
    /// a TLS 1.2 one may, is present.
    pub fn has_tls12_only(&self) -> bool {
        self.alpn.is_some()
            || self.server_name_ack
            || self.extended_master_secret
            || self.renegotiation_info.is_some()
            || self.session_ticket_ack
            || self.ec_point_formats.is_some()
            || self.supported_groups.is_some()
            || self.status_request_ack
            || self.sct_list.is_some()
    }

    /// The extension types this answer carries that the ClientHello must
    /// have offered (see [`check_solicited`]). cookie is left out: it is
    /// the one extension a HelloRetryRequest sends unasked (RFC 8446
    /// section 4.2).
    pub(crate) fn types(&self) -> Vec<ExtensionType> {
        use ExtensionType as T;
        [
            (self.selected_version.is_some(), T::SupportedVersions),
            (
                self.key_share.is_some() || self.selected_group.is_some(),
                T::KeyShare,
            ),
            (self.selected_psk.is_some(), T::PreSharedKey),
            (self.alpn.is_some(), T::ALProtocolNegotiation),
            (self.server_name_ack, T::ServerName),
            (self.extended_master_secret, T::ExtendedMasterSecret),
            (self.renegotiation_info.is_some(), T::RenegotiationInfo),
            (self.session_ticket_ack, T::SessionTicket),
            (self.ec_point_formats.is_some(), T::ECPointFormats),
            (self.supported_groups.is_some(), T::SupportedGroups),
            (self.status_request_ack, T::StatusRequest),
            (self.sct_list.is_some(), T::SignedCertificateTimestamp),
        ]
        .into_iter()
        .filter_map(|(present, t)| present.then_some(t))
        .collect()
    }

    /// Decodes a ServerHello (`hrr` false) or HelloRetryRequest (`hrr` true)
    /// extensions block. Anything not allowed there is unsupported_extension,
    /// since a client never solicits it (RFC 8446 section 4.2).
    pub fn decode(r: &mut Reader<'_>, hrr: bool) -> Result<Self, Error> {
        let mut e = ServerHelloExtensions::default();
        // A HelloRetryRequest is not a hello block in the sense of
        // for_each_hello_extension: its duplicates are illegal_parameter
        // (BoGo HelloRetryRequest-Duplicate*).
        let duplicate = if hrr {
            AlertDescription::IllegalParameter
        } else {
            AlertDescription::DecodeError
        };
        walk_extensions(r, duplicate, |typ, b| {
            match typ {
                ExtensionType::SupportedVersions => {
                    e.selected_version = Some(ProtocolVersion::from(b.u16()?));
                }
                ExtensionType::KeyShare if hrr => {
                    e.selected_group = Some(NamedGroup::from(b.u16()?));
                }
                ExtensionType::KeyShare => {
                    e.key_share = Some(KeyShareEntry::decode(b)?);
                }
                ExtensionType::PreSharedKey if !hrr => {
                    e.selected_psk = Some(b.u16()?);
                }
                ExtensionType::Cookie if hrr => {
                    let c = b.vec16()?;
                    if c.is_empty() {
                        return Err(Error::decode("empty cookie"));
                    }
                    e.cookie = Some(c.to_vec());
                }
                // TLS 1.2 ServerHello extensions; the 1.3 client refuses them
                // (see has_tls12_only) once the version is known.
                ExtensionType::ALProtocolNegotiation if !hrr => {
                    e.alpn = Some(decode_selected_alpn(b)?);
                }
                ExtensionType::ServerName if !hrr => {
                    e.server_name_ack = true;
                }
                ExtensionType::ExtendedMasterSecret if !hrr => {
                    e.extended_master_secret = true;
                }
                ExtensionType::RenegotiationInfo if !hrr => {
                    e.renegotiation_info = Some(b.vec8()?.to_vec());
                }
                ExtensionType::SessionTicket if !hrr => {
                    e.session_ticket_ack = true;
                }
                // RFC 6066 section 8: the server's "extension_data" is empty.
                ExtensionType::StatusRequest if !hrr => {
                    e.status_request_ack = true;
                }
                ExtensionType::SignedCertificateTimestamp if !hrr => {
                    let body = b.take(b.left())?;
                    crate::proto::wire::status::check_sct_list(body)?;
                    e.sct_list = Some(body.to_vec());
                }
                ExtensionType::ECPointFormats if !hrr => {
                    let formats = b.vec8()?;
                    if formats.is_empty() {
                        return Err(Error::decode("empty ec_point_formats"));
                    }
                    // RFC 8422 section 5.1.2: "the uncompressed point format
                    // MUST be supported"; a list without it refuses what
                    // every ECDHE share we send uses (BoringSSL refuses it
                    // too, ECDHE or not).
                    if !formats.contains(&0) {
                        return Err(Error::illegal(
                            "server ec_point_formats lacks the uncompressed format",
                        ));
                    }
                    e.ec_point_formats = Some(formats.to_vec());
                }
                ExtensionType::SupportedGroups if !hrr => {
                    e.supported_groups = Some(
                        b.u16_list(true)?
                            .into_iter()
                            .map(NamedGroup::from)
                            .collect(),
                    );
                }
                other => {
                    return Err(Error::protocol(
                        AlertDescription::UnsupportedExtension,
                        format!("server sent unsolicited extension {}", other.get()),
                    ))
                }
            }
            Ok(Handled::Decoded)
        })?;
        Ok(e)
    }

    /// Encodes the extensions block.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        put_len_prefixed(out, LenPrefix::U16, |o| {
            if let Some(g) = self.selected_group {
                put_u16_ext(o, ExtensionType::KeyShare, g.get())?;
            }
            if let Some(k) = &self.key_share {
                put_ext(o, ExtensionType::KeyShare, |o| k.encode(o))?;
            }
            if let Some(v) = self.selected_version {
                put_u16_ext(o, ExtensionType::SupportedVersions, v.get())?;
            }
            if let Some(i) = self.selected_psk {
                put_u16_ext(o, ExtensionType::PreSharedKey, i)?;
            }
            if let Some(c) = &self.cookie {
                put_ext(o, ExtensionType::Cookie, |o| put_vec(o, LenPrefix::U16, c))?;
            }
            if let Some(r) = &self.renegotiation_info {
                put_ext(o, ExtensionType::RenegotiationInfo, |o| {
                    put_vec(o, LenPrefix::U8, r)
                })?;
            }
            if self.extended_master_secret {
                put_empty_ext(o, ExtensionType::ExtendedMasterSecret)?;
            }
            if self.server_name_ack {
                put_empty_ext(o, ExtensionType::ServerName)?;
            }
            if let Some(p) = &self.alpn {
                put_ext(o, ExtensionType::ALProtocolNegotiation, |o| {
                    put_alpn(o, std::slice::from_ref(p))
                })?;
            }
            if self.session_ticket_ack {
                put_empty_ext(o, ExtensionType::SessionTicket)?;
            }
            if self.status_request_ack {
                put_empty_ext(o, ExtensionType::StatusRequest)?;
            }
            if let Some(l) = &self.sct_list {
                put_ext(o, ExtensionType::SignedCertificateTimestamp, |o| {
                    o.put_bytes(l);
                    Ok(())
                })?;
            }
            if let Some(f) = &self.ec_point_formats {
                put_ext(o, ExtensionType::ECPointFormats, |o| {
                    put_vec(o, LenPrefix::U8, f)
                })?;
            }
            if let Some(g) = &self.supported_groups {
                put_ext(o, ExtensionType::SupportedGroups, |o| {
                    put_u16_list(o, LenPrefix::U16, g.iter().map(|x| x.get()))
                })?;
            }
            Ok(())
        })
    }
}

/// EncryptedExtensions (RFC 8446 section 4.3.1).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EncryptedExtensions {
    /// The server acknowledged our server_name.
    pub server_name_ack: bool,
    /// The ALPN protocol the server selected.
    pub alpn: Option<Vec<u8>>,
    /// early_data: the server accepted the client's 0-RTT data.
    pub early_data: bool,
}

impl EncryptedExtensions {
    /// The extension types this message carries that the ClientHello must
    /// have offered (see [`check_solicited`]).
    pub(crate) fn types(&self) -> Vec<ExtensionType> {
        let mut t = Vec::new();
        if self.server_name_ack {
            t.push(ExtensionType::ServerName);
        }
        if self.alpn.is_some() {
            t.push(ExtensionType::ALProtocolNegotiation);
        }
        if self.early_data {
            t.push(ExtensionType::EarlyData);
        }
        t
    }

    /// Decodes the message body.
    pub fn decode(r: &mut Reader<'_>) -> Result<Self, Error> {
        let mut e = EncryptedExtensions::default();
        for_each_hello_extension(r, |typ, b| {
            match typ {
                ExtensionType::ServerName => {
                    e.server_name_ack = true;
                }
                ExtensionType::ALProtocolNegotiation => {
                    e.alpn = Some(decode_selected_alpn(b)?);
                }
                // Empty in EncryptedExtensions (RFC 8446 section 4.2.10);
                // trailing bytes are decode_error.
                ExtensionType::EarlyData => {
                    e.early_data = true;
                }
                // The server may tell us its groups; they are informational.
                ExtensionType::SupportedGroups => return Ok(Handled::Ignored),
                ExtensionType::KeyShare
                | ExtensionType::SupportedVersions
                | ExtensionType::SignatureAlgorithms
                | ExtensionType::SignatureAlgorithmsCert
                | ExtensionType::Cookie
                | ExtensionType::PSKKeyExchangeModes
                | ExtensionType::PreSharedKey => {
                    return Err(Error::illegal(format!(
                        "extension {} is not allowed in EncryptedExtensions",
                        typ.get()
                    )))
                }
                other if is_grease(other.get()) => {
                    return Err(Error::protocol(
                        AlertDescription::UnsupportedExtension,
                        "server sent a GREASE extension",
                    ))
                }
                other => {
                    return Err(Error::protocol(
                        AlertDescription::UnsupportedExtension,
                        format!("server sent unsolicited extension {}", other.get()),
                    ))
                }
            }
            Ok(Handled::Decoded)
        })?;
        Ok(e)
    }

    /// Encodes the message body.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        put_len_prefixed(out, LenPrefix::U16, |o| {
            if self.server_name_ack {
                put_empty_ext(o, ExtensionType::ServerName)?;
            }
            if let Some(p) = &self.alpn {
                put_ext(o, ExtensionType::ALProtocolNegotiation, |o| {
                    put_alpn(o, std::slice::from_ref(p))
                })?;
            }
            if self.early_data {
                put_empty_ext(o, ExtensionType::EarlyData)?;
            }
            Ok(())
        })
    }
}

//! The ClientHello's extensions.

use super::*;

/// The extensions of a ClientHello that this crate acts on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientExtensions {
    /// server_name: the host_name, if any. An IP literal, which RFC 6066
    /// section 3 forbids there, is ignored and leaves this `None`.
    pub server_name: Option<String>,
    /// supported_versions.
    pub supported_versions: Option<Vec<ProtocolVersion>>,
    /// supported_groups.
    pub supported_groups: Option<Vec<NamedGroup>>,
    /// key_share.
    pub key_shares: Option<Vec<KeyShareEntry>>,
    /// signature_algorithms.
    pub signature_algorithms: Option<Vec<SignatureScheme>>,
    /// signature_algorithms_cert.
    pub signature_algorithms_cert: Option<Vec<SignatureScheme>>,
    /// application_layer_protocol_negotiation.
    pub alpn: Option<Vec<Vec<u8>>>,
    /// cookie, echoed after HelloRetryRequest.
    pub cookie: Option<Vec<u8>>,
    /// psk_key_exchange_modes.
    pub psk_modes: Option<Vec<u8>>,
    /// pre_shared_key (always the last extension).
    pub psk: Option<PskOffer>,
    /// early_data was offered.
    pub early_data: bool,
    /// extended_master_secret (RFC 7627) was offered.
    pub extended_master_secret: bool,
    /// renegotiation_info (RFC 5746): the client's verify_data, empty initially.
    pub renegotiation_info: Option<Vec<u8>>,
    /// session_ticket (RFC 5077): empty to ask for one, or a ticket to resume.
    pub session_ticket: Option<Vec<u8>>,
    /// ec_point_formats (RFC 8422).
    pub ec_point_formats: Option<Vec<u8>>,
    /// status_request asking for OCSP (RFC 6066 section 8).
    pub status_request: bool,
    /// signed_certificate_timestamp asked for (RFC 6962 section 3.3.1).
    pub signed_certificate_timestamp: bool,
    /// compress_certificate (RFC 8879): the algorithms the client can
    /// decompress, in its order of preference.
    pub compress_certificate: Option<Vec<u16>>,
    /// certificate_authorities (RFC 8446 section 4.2.4): DER names of the
    /// CAs the client trusts, a hint for the server's certificate choice.
    pub certificate_authorities: Option<Vec<Vec<u8>>>,
}

impl ClientExtensions {
    /// Decodes the extensions block of a ClientHello.
    pub fn decode(r: &mut Reader<'_>) -> Result<Self, Error> {
        let mut e = ClientExtensions::default();
        let mut last_was_psk = false;
        for_each_hello_extension(r, |typ, b| {
            if last_was_psk {
                return Err(Error::illegal("pre_shared_key is not the last extension"));
            }
            match typ {
                ExtensionType::ServerName => {
                    let mut list = b.sub16()?;
                    let mut host_name_seen = false;
                    while !list.is_empty() {
                        let kind = list.u8()?;
                        let name = list.vec16()?;
                        if kind == 0 {
                            if host_name_seen {
                                return Err(Error::illegal("two host names in server_name"));
                            }
                            host_name_seen = true;
                            let s = std::str::from_utf8(name)
                                .ok()
                                .filter(|s| {
                                    !s.is_empty() && s.bytes().all(|c| c.is_ascii_graphic())
                                })
                                .ok_or_else(|| Error::decode("server_name is not an ASCII name"))?;
                            // RFC 6066 section 3: a HostName is never an IP
                            // literal, yet some clients send one. Like rustls we
                            // ignore it (as if no SNI came) instead of refusing:
                            // it names no virtual host, and refusing would only
                            // break such clients.
                            if !is_ip_literal(s) {
                                e.server_name = Some(s.to_string());
                            }
                        }
                    }
                }
                ExtensionType::SupportedVersions => {
                    let mut l = b.sub8()?;
                    if l.is_empty() || l.left() % 2 != 0 {
                        return Err(Error::decode("malformed supported_versions"));
                    }
                    let mut v = Vec::new();
                    while !l.is_empty() {
                        v.push(ProtocolVersion::from(l.u16()?));
                    }
                    e.supported_versions = Some(v);
                }
                ExtensionType::SupportedGroups => {
                    e.supported_groups = Some(
                        b.u16_list(true)?
                            .into_iter()
                            .map(NamedGroup::from)
                            .collect(),
                    );
                }
                ExtensionType::KeyShare => {
                    let mut l = b.sub16()?;
                    let mut v: Vec<KeyShareEntry> = Vec::new();
                    while !l.is_empty() {
                        let ks = KeyShareEntry::decode(&mut l)?;
                        if v.iter().any(|o| o.group == ks.group) {
                            return Err(Error::illegal("two key shares for one group"));
                        }
                        v.push(ks);
                    }
                    e.key_shares = Some(v);
                }
                ExtensionType::SignatureAlgorithms => {
                    e.signature_algorithms = Some(decode_schemes(b)?);
                }
                ExtensionType::SignatureAlgorithmsCert => {
                    e.signature_algorithms_cert = Some(decode_schemes(b)?);
                }
                ExtensionType::ALProtocolNegotiation => {
                    e.alpn = Some(decode_alpn(b)?);
                }
                ExtensionType::Cookie => {
                    let c = b.vec16()?;
                    if c.is_empty() {
                        return Err(Error::decode("empty cookie"));
                    }
                    e.cookie = Some(c.to_vec());
                }
                ExtensionType::PSKKeyExchangeModes => {
                    e.psk_modes = Some(b.vec8()?.to_vec());
                }
                ExtensionType::PreSharedKey => {
                    e.psk = Some(PskOffer::decode(b)?);
                    last_was_psk = true;
                }
                ExtensionType::EarlyData => {
                    e.early_data = true;
                }
                ExtensionType::ExtendedMasterSecret => {
                    e.extended_master_secret = true;
                }
                ExtensionType::RenegotiationInfo => {
                    e.renegotiation_info = Some(b.vec8()?.to_vec());
                }
                ExtensionType::SessionTicket => {
                    e.session_ticket = Some(b.take(b.left())?.to_vec());
                }
                ExtensionType::ECPointFormats => {
                    e.ec_point_formats = Some(b.vec8()?.to_vec());
                }
                ExtensionType::CompressCertificate => {
                    e.compress_certificate = Some(decode_compression_algorithms(b)?);
                }
                ExtensionType::CertificateAuthorities => {
                    e.certificate_authorities =
                        Some(crate::proto::wire::certificate::decode_authorities(b)?);
                }
                ExtensionType::StatusRequest => {
                    e.status_request = crate::proto::wire::status::decode_status_request(b)?;
                }
                // The client's "extension_data" is empty (RFC 6962 3.3.1).
                ExtensionType::SignedCertificateTimestamp => {
                    e.signed_certificate_timestamp = true;
                }
                // Unknown and GREASE extensions are ignored in a ClientHello.
                _ => return Ok(Handled::Ignored),
            }
            Ok(Handled::Decoded)
        })?;
        Ok(e)
    }

    /// The extension types this ClientHello carries: what a server may
    /// answer (see [`check_solicited`]).
    pub(crate) fn types(&self) -> Vec<ExtensionType> {
        use ExtensionType as T;
        [
            (self.server_name.is_some(), T::ServerName),
            (self.supported_versions.is_some(), T::SupportedVersions),
            (self.supported_groups.is_some(), T::SupportedGroups),
            (self.key_shares.is_some(), T::KeyShare),
            (self.signature_algorithms.is_some(), T::SignatureAlgorithms),
            (
                self.signature_algorithms_cert.is_some(),
                T::SignatureAlgorithmsCert,
            ),
            (self.alpn.is_some(), T::ALProtocolNegotiation),
            (self.cookie.is_some(), T::Cookie),
            (self.psk_modes.is_some(), T::PSKKeyExchangeModes),
            (self.psk.is_some(), T::PreSharedKey),
            (self.early_data, T::EarlyData),
            (self.extended_master_secret, T::ExtendedMasterSecret),
            (self.renegotiation_info.is_some(), T::RenegotiationInfo),
            (self.session_ticket.is_some(), T::SessionTicket),
            (self.ec_point_formats.is_some(), T::ECPointFormats),
            (self.status_request, T::StatusRequest),
            (
                self.signed_certificate_timestamp,
                T::SignedCertificateTimestamp,
            ),
            (self.compress_certificate.is_some(), T::CompressCertificate),
            (
                self.certificate_authorities.is_some(),
                T::CertificateAuthorities,
            ),
        ]
        .into_iter()
        .filter_map(|(present, t)| present.then_some(t))
        .collect()
    }

    /// Encodes the extensions block (with its length prefix). Fails when
    /// the block cannot be encoded (a body too long for its length prefix).
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        put_len_prefixed(out, LenPrefix::U16, |o| {
            if let Some(name) = &self.server_name {
                put_ext(o, ExtensionType::ServerName, |o| {
                    put_len_prefixed(o, LenPrefix::U16, |o| {
                        o.put_u8v(0);
                        put_vec(o, LenPrefix::U16, name.as_bytes())
                    })
                })?;
            }
            if let Some(v) = &self.supported_versions {
                put_ext(o, ExtensionType::SupportedVersions, |o| {
                    put_u16_list(o, LenPrefix::U8, v.iter().map(|x| x.get()))
                })?;
            }
            if let Some(g) = &self.supported_groups {
                put_ext(o, ExtensionType::SupportedGroups, |o| {
                    put_u16_list(o, LenPrefix::U16, g.iter().map(|x| x.get()))
                })?;
            }
            if let Some(s) = &self.signature_algorithms {
                put_ext(o, ExtensionType::SignatureAlgorithms, |o| {
                    put_u16_list(o, LenPrefix::U16, s.iter().map(|x| x.get()))
                })?;
            }
            if let Some(s) = &self.signature_algorithms_cert {
                put_ext(o, ExtensionType::SignatureAlgorithmsCert, |o| {
                    put_u16_list(o, LenPrefix::U16, s.iter().map(|x| x.get()))
                })?;
            }
            if let Some(a) = &self.alpn {
                put_ext(o, ExtensionType::ALProtocolNegotiation, |o| put_alpn(o, a))?;
            }
            if let Some(c) = &self.cookie {
                put_ext(o, ExtensionType::Cookie, |o| put_vec(o, LenPrefix::U16, c))?;
            }
            if let Some(m) = &self.psk_modes {
                put_ext(o, ExtensionType::PSKKeyExchangeModes, |o| {
                    put_vec(o, LenPrefix::U8, m)
                })?;
            }
            if let Some(f) = &self.ec_point_formats {
                put_ext(o, ExtensionType::ECPointFormats, |o| {
                    put_vec(o, LenPrefix::U8, f)
                })?;
            }
            if self.extended_master_secret {
                put_empty_ext(o, ExtensionType::ExtendedMasterSecret)?;
            }
            if let Some(r) = &self.renegotiation_info {
                put_ext(o, ExtensionType::RenegotiationInfo, |o| {
                    put_vec(o, LenPrefix::U8, r)
                })?;
            }
            if self.status_request {
                put_ext(o, ExtensionType::StatusRequest, |o| {
                    crate::proto::wire::status::put_status_request(o);
                    Ok(())
                })?;
            }
            if self.signed_certificate_timestamp {
                put_empty_ext(o, ExtensionType::SignedCertificateTimestamp)?;
            }
            if let Some(t) = &self.session_ticket {
                put_ext(o, ExtensionType::SessionTicket, |o| {
                    o.put_bytes(t);
                    Ok(())
                })?;
            }
            if let Some(c) = &self.compress_certificate {
                put_ext(o, ExtensionType::CompressCertificate, |o| {
                    put_u16_list(o, LenPrefix::U8, c.iter().copied())
                })?;
            }
            if let Some(a) = &self.certificate_authorities {
                put_ext(o, ExtensionType::CertificateAuthorities, |o| {
                    crate::proto::wire::certificate::put_authorities(o, a)
                })?;
            }
            if let Some(ks) = &self.key_shares {
                put_ext(o, ExtensionType::KeyShare, |o| {
                    put_len_prefixed(o, LenPrefix::U16, |o| {
                        ks.iter().try_for_each(|k| k.encode(o))
                    })
                })?;
            }
            // Encoded when set: a client offering 0-RTT, or a decoded hello
            // re-encoded to the same value.
            if self.early_data {
                put_empty_ext(o, ExtensionType::EarlyData)?;
            }
            // RFC 8446 section 4.2.11: pre_shared_key must be last.
            if let Some(p) = &self.psk {
                put_ext(o, ExtensionType::PreSharedKey, |o| p.encode(o))?;
            }
            Ok(())
        })
    }
}

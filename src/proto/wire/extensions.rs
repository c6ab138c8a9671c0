//! Extensions, decoded into one typed struct per message.
//!
//! Decoding rejects duplicates (RFC 8446 section 4.2) and skips unknown and
//! GREASE extensions where the message allows it.

use crate::error::Error;
use crate::proto::wire::enums::{
    is_grease, AlertDescription, ExtensionType, NamedGroup, ProtocolVersion, SignatureScheme,
};
use crate::proto::wire::reader::{put_len_prefixed, put_vec, LenPrefix, Put, Reader};

/// One entry of a key_share extension.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyShareEntry {
    /// The group.
    pub group: NamedGroup,
    /// The public key (or ML-KEM ciphertext) bytes.
    pub payload: Vec<u8>,
}

impl KeyShareEntry {
    fn decode(r: &mut Reader<'_>) -> Result<Self, Error> {
        let group = NamedGroup::from(r.u16()?);
        let payload = r.vec16()?;
        if payload.is_empty() {
            return Err(Error::decode("empty key share"));
        }
        Ok(KeyShareEntry {
            group,
            payload: payload.to_vec(),
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        out.put_u16v(self.group.get());
        put_vec(out, LenPrefix::U16, &self.payload)
    }
}

/// What a per-extension decoder did with an extension's body.
pub(crate) enum Handled {
    /// The body was decoded; [`for_each_extension`] then requires that it
    /// was consumed exactly, so trailing bytes are a decode_error for every
    /// known extension of every message in one place.
    Decoded,
    /// The extension is skipped (unknown, GREASE, or informational only);
    /// its body is not looked at.
    Ignored,
}

/// Refuses an extensions block that names one type twice, before any
/// extension in it is looked at, with `alert`. RFC 8446 section 4.2 ("There
/// MUST NOT be more than one extension of the same type in a given
/// extension block") names no alert; see [`for_each_hello_extension`] and
/// [`for_each_extension`] for the two we send. Checking the whole block
/// first makes a duplicated unsolicited extension a duplicate, not the
/// unsupported_extension its first copy would earn. Sorting keeps the check
/// O(n log n) for the up to 16,383 extensions a 64 KiB block can hold.
fn refuse_duplicates(exts: &Reader<'_>, alert: AlertDescription) -> Result<(), Error> {
    let mut r = Reader::new(exts.rest());
    let mut types = Vec::new();
    while !r.is_empty() {
        types.push(r.u16()?);
        r.vec16()?;
    }
    types.sort_unstable();
    match types.windows(2).find(|w| w[0] == w[1]) {
        Some(w) => Err(Error::protocol(
            alert,
            format!("duplicate extension {}", w[0]),
        )),
        None => Ok(()),
    }
}

/// Walks an extensions block, refusing duplicates with illegal_parameter;
/// `f` sees each known or unknown extension body and says whether it
/// decoded it. For the blocks of HelloRetryRequest, Certificate entries,
/// CertificateRequest and NewSessionTicket, where a duplicate is a
/// parameter given twice (BoringSSL's DUPLICATE_EXTENSION, which its
/// runner expects as illegal_parameter for HelloRetryRequest and tickets).
pub(crate) fn for_each_extension<'a>(
    r: &mut Reader<'a>,
    f: impl FnMut(ExtensionType, &mut Reader<'a>) -> Result<Handled, Error>,
) -> Result<(), Error> {
    walk_extensions(r, AlertDescription::IllegalParameter, f)
}

/// The same for a ClientHello, ServerHello or EncryptedExtensions block,
/// where a duplicate is decode_error: RFC 5246 section 7.4.1.4 makes such a
/// hello malformed ("There MUST NOT be more than one extension of the same
/// type"), and BoringSSL rejects it in its first scan of the block as a
/// decode error (its DuplicateExtension{Client,Server} tests expect
/// decode_error; EncryptedExtensions carries what a TLS 1.2 ServerHello did).
pub(crate) fn for_each_hello_extension<'a>(
    r: &mut Reader<'a>,
    f: impl FnMut(ExtensionType, &mut Reader<'a>) -> Result<Handled, Error>,
) -> Result<(), Error> {
    walk_extensions(r, AlertDescription::DecodeError, f)
}

fn walk_extensions<'a>(
    r: &mut Reader<'a>,
    duplicate: AlertDescription,
    mut f: impl FnMut(ExtensionType, &mut Reader<'a>) -> Result<Handled, Error>,
) -> Result<(), Error> {
    let mut exts = r.sub16()?;
    refuse_duplicates(&exts, duplicate)?;
    while !exts.is_empty() {
        let typ = ExtensionType::from(exts.u16()?);
        let mut body = exts.sub16()?;
        if let Handled::Decoded = f(typ, &mut body)? {
            if !body.is_empty() {
                return Err(Error::decode(format!(
                    "trailing bytes in {typ:?} extension"
                )));
            }
        }
    }
    Ok(())
}

fn put_ext(
    out: &mut Vec<u8>,
    typ: ExtensionType,
    f: impl FnOnce(&mut Vec<u8>) -> Result<(), Error>,
) -> Result<(), Error> {
    out.put_u16v(typ.get());
    put_len_prefixed(out, LenPrefix::U16, f)
}

/// An extension with an empty body.
fn put_empty_ext(out: &mut Vec<u8>, typ: ExtensionType) -> Result<(), Error> {
    put_ext(out, typ, |_| Ok(()))
}

/// An extension whose body is one u16.
fn put_u16_ext(out: &mut Vec<u8>, typ: ExtensionType, v: u16) -> Result<(), Error> {
    put_ext(out, typ, |o| {
        o.put_u16v(v);
        Ok(())
    })
}

fn decode_schemes(r: &mut Reader<'_>) -> Result<Vec<SignatureScheme>, Error> {
    Ok(r.u16_list(true)?
        .into_iter()
        .map(SignatureScheme::from)
        .collect())
}

fn put_u16_list(
    out: &mut Vec<u8>,
    width: LenPrefix,
    items: impl Iterator<Item = u16>,
) -> Result<(), Error> {
    put_len_prefixed(out, width, |o| {
        for v in items {
            o.put_u16v(v);
        }
        Ok(())
    })
}

/// True for an IPv4 or IPv6 address literal (bracketed or not).
fn is_ip_literal(name: &str) -> bool {
    let bare = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name);
    bare.parse::<std::net::IpAddr>().is_ok()
}

/// Decodes an ALPN protocol_name_list (RFC 7301 section 3.1).
fn decode_alpn(r: &mut Reader<'_>) -> Result<Vec<Vec<u8>>, Error> {
    let mut list = r.sub16()?;
    let mut out = Vec::new();
    if list.is_empty() {
        return Err(Error::decode("empty ALPN list"));
    }
    while !list.is_empty() {
        let p = list.vec8()?;
        if p.is_empty() {
            return Err(Error::decode("empty ALPN protocol name"));
        }
        out.push(p.to_vec());
    }
    Ok(out)
}

/// The server's ALPN answer: a list holding exactly one protocol.
fn decode_selected_alpn(b: &mut Reader<'_>) -> Result<Vec<u8>, Error> {
    let list = decode_alpn(b)?;
    match <[Vec<u8>; 1]>::try_from(list) {
        Ok([p]) => Ok(p),
        Err(_) => Err(Error::decode("server selected several ALPN protocols")),
    }
}

fn put_alpn(out: &mut Vec<u8>, protos: &[Vec<u8>]) -> Result<(), Error> {
    put_len_prefixed(out, LenPrefix::U16, |o| {
        for p in protos {
            put_vec(o, LenPrefix::U8, p)?;
        }
        Ok(())
    })
}

/// One PSK identity of a ClientHello's pre_shared_key extension.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PskIdentity {
    /// The ticket.
    pub identity: Vec<u8>,
    /// obfuscated_ticket_age.
    pub obfuscated_age: u32,
}

/// A ClientHello's pre_shared_key extension (RFC 8446 section 4.2.11).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PskOffer {
    /// The identities offered.
    pub identities: Vec<PskIdentity>,
    /// One binder per identity.
    pub binders: Vec<Vec<u8>>,
}

impl PskOffer {
    fn decode(r: &mut Reader<'_>) -> Result<Self, Error> {
        let mut ids = r.sub16()?;
        let mut identities = Vec::new();
        while !ids.is_empty() {
            let identity = ids.vec16()?;
            if identity.is_empty() {
                return Err(Error::decode("empty PSK identity"));
            }
            identities.push(PskIdentity {
                identity: identity.to_vec(),
                obfuscated_age: ids.u32()?,
            });
        }
        let mut bs = r.sub16()?;
        let mut binders = Vec::new();
        while !bs.is_empty() {
            // A binder of the wrong length is left to verification, which
            // refuses it with decrypt_error like any binder that does not
            // match (what BoringSSL sends; a length check here would say
            // decode_error for the same forgery).
            binders.push(bs.vec8()?.to_vec());
        }
        // RFC 8446 4.2.11: identities<7..2^16-1> and binders<33..2^16-1>:
        // an empty list does not parse; lists that parse but do not pair up
        // are illegal_parameter.
        if identities.is_empty() || binders.is_empty() {
            return Err(Error::decode(
                "pre_shared_key without identities or binders",
            ));
        }
        if identities.len() != binders.len() {
            return Err(Error::illegal("PSK identities and binders do not pair up"));
        }
        Ok(PskOffer {
            identities,
            binders,
        })
    }

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        put_len_prefixed(out, LenPrefix::U16, |o| {
            for id in &self.identities {
                put_vec(o, LenPrefix::U16, &id.identity)?;
                o.put_bytes(&id.obfuscated_age.to_be_bytes());
            }
            Ok(())
        })?;
        put_len_prefixed(out, LenPrefix::U16, |o| {
            for b in &self.binders {
                put_vec(o, LenPrefix::U8, b)?;
            }
            Ok(())
        })
    }

    /// Bytes the binders list takes at the very end of the ClientHello; the
    /// transcript a binder covers stops just before them.
    pub fn binders_len(&self) -> usize {
        2 + self.binders.iter().map(|b| 1 + b.len()).sum::<usize>()
    }
}

/// Checks a ClientHello's compress_certificate (RFC 8879 section 3:
/// `CertificateCompressionAlgorithm algorithms<2..2^8-2>`) and drops it: we
/// compress no certificates, but a malformed list, or one naming an
/// algorithm twice, is still a broken ClientHello (decode_error, as
/// BoringSSL refuses it whether or not it compresses).
fn refuse_bad_compression_algorithms(b: &mut Reader<'_>) -> Result<(), Error> {
    let mut list = b.sub8()?;
    if list.is_empty() || list.left() % 2 != 0 {
        return Err(Error::decode("malformed compress_certificate list"));
    }
    let mut algs = Vec::with_capacity(list.left() / 2);
    while !list.is_empty() {
        algs.push(list.u16()?);
    }
    algs.sort_unstable();
    if algs.windows(2).any(|w| w[0] == w[1]) {
        return Err(Error::decode(
            "compress_certificate names an algorithm twice",
        ));
    }
    Ok(())
}

/// Refuses extensions in a server's answer (ServerHello, HelloRetryRequest,
/// EncryptedExtensions) that our ClientHello did not carry: RFC 8446 section
/// 4.2 "If an implementation receives an extension [response] which it did
/// not request in the associated ClientHello, it MUST abort the handshake
/// with an unsupported_extension alert", as RFC 5246 section 7.4.1.4 says
/// for TLS 1.2. `offered` comes from [`ClientExtensions::types`], `answered`
/// from the answer's `types()`.
pub(crate) fn check_solicited(
    offered: &[ExtensionType],
    answered: &[ExtensionType],
    msg: &str,
) -> Result<(), Error> {
    match answered.iter().find(|t| !offered.contains(t)) {
        Some(t) => Err(Error::protocol(
            AlertDescription::UnsupportedExtension,
            format!(
                "{msg} carries extension {}, which our ClientHello did not offer",
                t.get()
            ),
        )),
        None => Ok(()),
    }
}

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
                    refuse_bad_compression_algorithms(b)?;
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
            if let Some(t) = &self.session_ticket {
                put_ext(o, ExtensionType::SessionTicket, |o| {
                    o.put_bytes(t);
                    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// ClientHello extensions: a block holding one extension.
    fn client_ext(typ: u16, body: &[u8]) -> Result<ClientExtensions, Error> {
        let mut block = Vec::new();
        put_len_prefixed(&mut block, LenPrefix::U16, |o| {
            o.put_u16v(typ);
            put_vec(o, LenPrefix::U16, body)
        })
        .unwrap();
        ClientExtensions::decode(&mut Reader::new(&block))
    }

    #[test]
    fn trailing_bytes_in_any_known_extension_are_decode_error() {
        let cases: [(u16, &[u8]); 6] = [
            (10, &[0, 2, 0, 29]),         // supported_groups
            (13, &[0, 2, 4, 3]),          // signature_algorithms
            (16, &[0, 3, 2, b'h', b'2']), // ALPN
            (43, &[2, 3, 4]),             // supported_versions
            (45, &[1, 1]),                // psk_key_exchange_modes
            (42, &[]),                    // early_data
        ];
        for (typ, body) in cases {
            client_ext(typ, body).unwrap();
            let mut long = body.to_vec();
            long.push(0);
            let e = client_ext(typ, &long).unwrap_err();
            assert_eq!(e.alert(), Some(AlertDescription::DecodeError), "{typ}");
        }
        // Unknown extensions are not looked at.
        client_ext(0x1234, &[1, 2, 3]).unwrap();
    }

    #[test]
    fn ip_literal_server_name_is_ignored() {
        let sni = |name: &str| {
            let mut b = Vec::new();
            put_len_prefixed(&mut b, LenPrefix::U16, |o| {
                o.put_u8v(0);
                put_vec(o, LenPrefix::U16, name.as_bytes())
            })
            .unwrap();
            client_ext(0, &b).unwrap().server_name
        };
        assert_eq!(sni("example.com").as_deref(), Some("example.com"));
        for ip in ["10.0.0.1", "::1", "[2001:db8::1]"] {
            assert_eq!(sni(ip), None, "{ip}");
        }
        // A name that merely starts with digits is a name.
        assert_eq!(sni("1.example").as_deref(), Some("1.example"));
    }
}

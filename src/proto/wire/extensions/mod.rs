//! Extensions, decoded into one typed struct per message.
//!
//! Decoding rejects duplicates (RFC 8446 section 4.2) and skips unknown and
//! GREASE extensions where the message allows it.

use crate::error::Error;
use crate::proto::wire::enums::{
    is_grease, AlertDescription, ExtensionType, NamedGroup, ProtocolVersion, SignatureScheme,
};
use crate::proto::wire::reader::{put_len_prefixed, put_vec, LenPrefix, Put, Reader};

mod client;
mod server;
#[cfg(test)]
mod tests;

pub use client::ClientExtensions;
pub use server::{EncryptedExtensions, ServerHelloExtensions};

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
pub(super) fn refuse_duplicates(exts: &Reader<'_>, alert: AlertDescription) -> Result<(), Error> {
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

pub(super) fn walk_extensions<'a>(
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

pub(super) fn put_ext(
    out: &mut Vec<u8>,
    typ: ExtensionType,
    f: impl FnOnce(&mut Vec<u8>) -> Result<(), Error>,
) -> Result<(), Error> {
    out.put_u16v(typ.get());
    put_len_prefixed(out, LenPrefix::U16, f)
}

/// An extension with an empty body.
pub(super) fn put_empty_ext(out: &mut Vec<u8>, typ: ExtensionType) -> Result<(), Error> {
    put_ext(out, typ, |_| Ok(()))
}

/// An extension whose body is one u16.
pub(super) fn put_u16_ext(out: &mut Vec<u8>, typ: ExtensionType, v: u16) -> Result<(), Error> {
    put_ext(out, typ, |o| {
        o.put_u16v(v);
        Ok(())
    })
}

pub(super) fn decode_schemes(r: &mut Reader<'_>) -> Result<Vec<SignatureScheme>, Error> {
    Ok(r.u16_list(true)?
        .into_iter()
        .map(SignatureScheme::from)
        .collect())
}

pub(super) fn put_u16_list(
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
pub(super) fn is_ip_literal(name: &str) -> bool {
    let bare = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name);
    bare.parse::<std::net::IpAddr>().is_ok()
}

/// Decodes an ALPN protocol_name_list (RFC 7301 section 3.1).
pub(super) fn decode_alpn(r: &mut Reader<'_>) -> Result<Vec<Vec<u8>>, Error> {
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
pub(super) fn decode_selected_alpn(b: &mut Reader<'_>) -> Result<Vec<u8>, Error> {
    let list = decode_alpn(b)?;
    match <[Vec<u8>; 1]>::try_from(list) {
        Ok([p]) => Ok(p),
        Err(_) => Err(Error::decode("server selected several ALPN protocols")),
    }
}

pub(super) fn put_alpn(out: &mut Vec<u8>, protos: &[Vec<u8>]) -> Result<(), Error> {
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

/// Decodes a ClientHello's compress_certificate (RFC 8879 section 3:
/// `CertificateCompressionAlgorithm algorithms<2..2^8-2>`). A malformed
/// list, or one naming an algorithm twice, is a broken ClientHello
/// (decode_error, as BoringSSL refuses it whether or not it compresses).
pub(super) fn decode_compression_algorithms(b: &mut Reader<'_>) -> Result<Vec<u16>, Error> {
    let mut list = b.sub8()?;
    if list.is_empty() || list.left() % 2 != 0 {
        return Err(Error::decode("malformed compress_certificate list"));
    }
    let mut algs = Vec::with_capacity(list.left() / 2);
    while !list.is_empty() {
        algs.push(list.u16()?);
    }
    let mut sorted = algs.clone();
    sorted.sort_unstable();
    if sorted.windows(2).any(|w| w[0] == w[1]) {
        return Err(Error::decode(
            "compress_certificate names an algorithm twice",
        ));
    }
    Ok(algs)
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

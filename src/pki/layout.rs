//! Where the pieces of a certificate lie in its DER.
//!
//! [`ParsedCert`](super::parse::ParsedCert) keeps the certificate's bytes
//! once and records each byte field (names, serial, key, signature,
//! extension values) as a [`Span`] into them: copying each field out cost
//! about a dozen allocations per certificate, two certificates per
//! handshake. Both decodes (the DER walk of `fast_parse` and x509-cert's
//! full decode) read the positions with [`layout`] from the same bytes, so
//! they record the same spans. Offsets are counted while walking (a
//! [`Region`] carries where its bytes start), never taken from pointers.

use x509_cert::der::asn1::ObjectIdentifier;
use x509_cert::der::Decode;
use x509_cert::spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use x509_cert::time::Validity;

use super::parse::read_tlv;

/// Where one field lies in the certificate's DER.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Span {
    start: usize,
    end: usize,
}

impl Span {
    /// The bytes of the span in `der`. Spans are read from the DER they
    /// index, so they always fit; were one not to, it reads as empty.
    pub(crate) fn of(self, der: &[u8]) -> &[u8] {
        der.get(self.start..self.end).unwrap_or_default()
    }
}

/// Bytes of a certificate with the offset in it where they start.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Region<'a> {
    pub bytes: &'a [u8],
    pub at: usize,
}

/// One TLV split off a [`Region`], each part with its position.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Item<'a> {
    pub tag: u8,
    /// The contents octets.
    pub value: Region<'a>,
    /// Header plus contents.
    pub whole: Region<'a>,
    /// What follows the TLV in its container.
    pub rest: Region<'a>,
}

impl<'a> Region<'a> {
    /// The whole of `der`.
    pub(crate) fn new(der: &'a [u8]) -> Self {
        Region { bytes: der, at: 0 }
    }

    /// Where these bytes lie.
    pub(crate) fn span(self) -> Span {
        Span {
            start: self.at,
            end: self.at.saturating_add(self.bytes.len()),
        }
    }

    pub(crate) fn is_empty(self) -> bool {
        self.bytes.is_empty()
    }

    /// The bytes after the first `n`.
    pub(crate) fn skip(self, n: usize) -> Option<Self> {
        Some(Region {
            bytes: self.bytes.get(n..)?,
            at: self.at.checked_add(n)?,
        })
    }

    /// Splits the first TLV off ([`read_tlv`]: any definite length).
    pub(crate) fn read(self) -> Option<Item<'a>> {
        let t = read_tlv(self.bytes)?;
        let header = t.whole.len().checked_sub(t.value.len())?;
        Some(Item {
            tag: t.tag,
            value: Region {
                bytes: t.value,
                at: self.at.checked_add(header)?,
            },
            whole: Region {
                bytes: t.whole,
                at: self.at,
            },
            rest: Region {
                bytes: t.rest,
                at: self.at.checked_add(t.whole.len())?,
            },
        })
    }
}

impl Item<'_> {
    /// The length of the identifier and length octets.
    pub(crate) fn header_len(&self) -> usize {
        self.whole
            .bytes
            .len()
            .saturating_sub(self.value.bytes.len())
    }
}

/// How [`layout`] reads each TLV of a given tag: strictly DER for the walk
/// (which decides acceptance), any definite length for the full decode
/// (which decided acceptance before).
pub(crate) type ReadTag = fn(Region<'_>, u8) -> Option<Item<'_>>;

/// The TLV of `tag` at the start of `r`, any definite length.
pub(crate) fn tagged(r: Region<'_>, tag: u8) -> Option<Item<'_>> {
    r.read().filter(|t| t.tag == tag)
}

const SEQUENCE: u8 = 0x30;
const BIT_STRING: u8 = 0x03;
const INTEGER: u8 = 0x02;
const VERSION: u8 = 0xa0; // [0] EXPLICIT
const ISSUER_UID: u8 = 0x81; // [1] IMPLICIT BIT STRING
const SUBJECT_UID: u8 = 0x82; // [2] IMPLICIT BIT STRING
const EXTENSIONS: u8 = 0xa3; // [3] EXPLICIT

/// The top-level TLVs of a certificate, in order.
pub(crate) struct Layout<'a> {
    /// The TBSCertificate, header included (the signed bytes).
    pub tbs: Item<'a>,
    pub sig_alg: Item<'a>,
    /// The signature BIT STRING.
    pub signature: Item<'a>,
    pub version: Option<Item<'a>>,
    pub serial: Item<'a>,
    /// The signature algorithm inside the TBSCertificate.
    pub inner_alg: Item<'a>,
    pub issuer: Item<'a>,
    pub validity: Item<'a>,
    pub subject: Item<'a>,
    pub spki: Item<'a>,
    /// issuerUniqueID or subjectUniqueID is present.
    pub unique_ids: bool,
    /// The Extensions SEQUENCE (inside its [3] wrapper).
    pub extensions: Option<Item<'a>>,
}

/// Splits a certificate into its fields with `read`; `None` unless it is
/// a Certificate SEQUENCE holding exactly TBSCertificate, algorithm and
/// signature, with nothing after it.
pub(crate) fn layout(der: &[u8], read: ReadTag) -> Option<Layout<'_>> {
    let cert = read(Region::new(der), SEQUENCE).filter(|c| c.rest.is_empty())?;
    let tbs = read(cert.value, SEQUENCE)?;
    let sig_alg = read(tbs.rest, SEQUENCE)?;
    let signature = read(sig_alg.rest, BIT_STRING).filter(|s| s.rest.is_empty())?;
    let version = read(tbs.value, VERSION);
    let serial = read(version.map_or(tbs.value, |v| v.rest), INTEGER)?;
    let inner_alg = read(serial.rest, SEQUENCE)?;
    let issuer = read(inner_alg.rest, SEQUENCE)?;
    let validity = read(issuer.rest, SEQUENCE)?;
    let subject = read(validity.rest, SEQUENCE)?;
    let spki = read(subject.rest, SEQUENCE)?;
    let mut rest = spki.rest;
    let mut unique_ids = false;
    for tag in [ISSUER_UID, SUBJECT_UID] {
        if let Some(uid) = read(rest, tag) {
            unique_ids = true;
            rest = uid.rest;
        }
    }
    let extensions = match rest.is_empty() {
        true => None,
        false => {
            let wrapper = read(rest, EXTENSIONS).filter(|w| w.rest.is_empty())?;
            Some(read(wrapper.value, SEQUENCE).filter(|l| l.rest.is_empty())?)
        }
    };
    Some(Layout {
        tbs,
        sig_alg,
        signature,
        version,
        serial,
        inner_alg,
        issuer,
        validity,
        subject,
        spki,
        unique_ids,
        extensions,
    })
}

/// What a certificate says outside its extensions, as either decode reads
/// it (see [`ParsedCert`](super::parse::ParsedCert) for each field).
pub(crate) struct TbsFields {
    pub tbs: Span,
    pub subject: Span,
    pub issuer: Span,
    pub not_before: u64,
    pub not_after: u64,
    pub spki_alg: AlgSpan,
    pub key: Span,
    pub sig_alg: AlgSpan,
    pub signature: Span,
    pub serial: Span,
}

impl TbsFields {
    /// Reads the fields of `l`, decoding those with inner structure
    /// (validity, algorithms, key) with x509-cert's borrowing decoders;
    /// `None` if one does not decode, or a BIT STRING has unused bits.
    pub(crate) fn read(l: &Layout<'_>) -> Option<Self> {
        let validity = Validity::from_der(l.validity.whole.bytes).ok()?;
        let (spki_alg, key) = spki_span(l.spki)?;
        Some(TbsFields {
            tbs: l.tbs.whole.span(),
            subject: l.subject.whole.span(),
            issuer: l.issuer.whole.span(),
            not_before: validity.not_before.to_unix_duration().as_secs(),
            not_after: validity.not_after.to_unix_duration().as_secs(),
            spki_alg,
            key,
            sig_alg: alg_span(l.sig_alg)?,
            signature: bit_string_bytes(l.signature)?,
            serial: l.serial.value.span(),
        })
    }
}

/// An algorithm identifier as spans: its OID and where the DER of its
/// parameters lies, if it has any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AlgSpan {
    pub oid: ObjectIdentifier,
    pub params: Option<Span>,
}

/// Decodes the AlgorithmIdentifier `alg` (x509-cert's decode, which
/// borrows) and records where its parameters lie.
pub(crate) fn alg_span(alg: Item<'_>) -> Option<AlgSpan> {
    let decoded = AlgorithmIdentifierRef::from_der(alg.whole.bytes).ok()?;
    Some(AlgSpan {
        oid: decoded.oid,
        params: params_span(alg, decoded.parameters.is_some())?,
    })
}

/// The parameters of the AlgorithmIdentifier `alg`: whatever follows its
/// OID (checked to be the one TLV the decode found there).
fn params_span(alg: Item<'_>, present: bool) -> Option<Option<Span>> {
    let after_oid = alg.value.read()?.rest;
    match (present, after_oid.is_empty()) {
        (false, true) => Some(None),
        (true, false) => {
            let p = after_oid.read().filter(|p| p.rest.is_empty())?;
            Some(Some(p.whole.span()))
        }
        _ => None,
    }
}

/// Decodes the SubjectPublicKeyInfo `spki` (borrowing) into its algorithm
/// and where the key (the BIT STRING contents, no unused bits) lies.
pub(crate) fn spki_span(spki: Item<'_>) -> Option<(AlgSpan, Span)> {
    let decoded = SubjectPublicKeyInfoRef::from_der(spki.whole.bytes).ok()?;
    decoded.subject_public_key.as_bytes()?;
    let alg = spki.value.read()?;
    let alg = AlgSpan {
        oid: decoded.algorithm.oid,
        params: params_span(alg, decoded.algorithm.parameters.is_some())?,
    };
    Some((alg, bit_string_bytes(alg_key(spki)?)?))
}

/// The BIT STRING after the AlgorithmIdentifier in `spki`.
fn alg_key(spki: Item<'_>) -> Option<Item<'_>> {
    spki.value.read()?.rest.read()
}

/// Where the bits of a BIT STRING with no unused bits lie.
pub(crate) fn bit_string_bytes(bits: Item<'_>) -> Option<Span> {
    match bits.value.bytes.first() {
        Some(0) => Some(bits.value.skip(1)?.span()),
        _ => None,
    }
}

/// One entry of an Extensions SEQUENCE: its OID's contents octets,
/// criticality and extnValue contents.
pub(crate) type RawExtension<'a> = (&'a [u8], bool, Region<'a>);

/// The first entry of the Extensions SEQUENCE contents `list` and what
/// follows it; `None` at the end or at anything malformed.
pub(crate) fn next_extension(list: Region<'_>) -> Option<(RawExtension<'_>, Region<'_>)> {
    let ext = tagged(list, SEQUENCE)?;
    let id = tagged(ext.value, 0x06)?;
    let (critical, value) = match tagged(id.rest, 0x01) {
        Some(b) => (b.value.bytes == [0xff], tagged(b.rest, 0x04)?),
        None => (false, tagged(id.rest, 0x04)?),
    };
    Some(((id.value.bytes, critical, value.value), ext.rest))
}

/// The entries of the Extensions SEQUENCE contents `list`, read leniently:
/// the caller has checked them (the walk strictly, the full decode by
/// comparing with its own reading). Stops at anything malformed.
pub(crate) fn extension_entries(list: Region<'_>) -> impl Iterator<Item = RawExtension<'_>> {
    let mut rest = list;
    std::iter::from_fn(move || {
        let (entry, after) = next_extension(rest)?;
        rest = after;
        Some(entry)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_know_where_they_are() {
        let der = [0x30, 0x05, 0x04, 0x01, 0xaa, 0x05, 0x00, 0x09];
        let outer = Region::new(&der).read().expect("tlv");
        assert_eq!(outer.value.at, 2);
        assert_eq!(outer.rest.at, 7);
        assert_eq!(outer.rest.bytes, [0x09]);
        let inner = outer.value.read().expect("tlv");
        assert_eq!(inner.value.span().of(&der), [0xaa]);
        assert_eq!(
            inner.rest.read().expect("tlv").whole.span().of(&der),
            [5, 0]
        );
        assert_eq!(Span { start: 7, end: 99 }.of(&der), b"");
        assert!(Region::new(&der[..3]).read().is_none());
    }
}

//! The common shape of a certificate, read by walking its DER.
//!
//! x509-cert's `Certificate::from_der` builds an owned tree of the whole
//! certificate (every name attribute, every extension as its own
//! allocation, SET OF ordering checked by re-encoding) and path validation
//! then re-encoded the names it had just decoded: about 10 µs of a 330 µs
//! full handshake per certificate, two certificates per handshake, where
//! rustls spends under 1 µs. This walk reads the same facts from slices of
//! the input. It takes only what it can check at least as strictly as the
//! full decode — a v3 certificate in DER (minimal lengths), single-valued
//! name attributes of the usual string types, no unique identifiers — and
//! hands everything else back (`None`), so [`ParsedCert::parse`] decodes it
//! in full and reports any problem exactly as before. Pieces with real
//! structure (algorithm identifiers, the key, the validity, each extension's
//! value) are still decoded by x509-cert. `tests` checks, for every
//! certificate in certs/ and thousands of corruptions of them, that
//! whatever the walk accepts, the full decode accepts with an identical
//! result.

use x509_cert::der::asn1::ObjectIdentifier;

use super::layout::{layout, Item, Region, Span, TbsFields};
use super::parse::{oid, read_tlv, san_tag, ParsedCert};

const BOOLEAN: u8 = 0x01;
const INTEGER: u8 = 0x02;
const OCTET_STRING: u8 = 0x04;
const OID: u8 = 0x06;
const UTF8_STRING: u8 = 0x0c;
const PRINTABLE_STRING: u8 = 0x13;
const IA5_STRING: u8 = 0x16;
const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;

/// One TLV whose length is in DER's minimal form (the full decode refuses
/// any other), with tag `tag`.
pub(crate) fn der(input: Region<'_>, tag: u8) -> Option<Item<'_>> {
    let t = input.read()?;
    let len = t.value.bytes.len();
    let minimal = if len < 0x80 {
        2
    } else {
        // 0x8N then N length octets, N as small as the length allows.
        2 + (usize::BITS - len.leading_zeros()).div_ceil(8) as usize
    };
    (t.tag == tag && t.header_len() == minimal).then_some(t)
}

/// A TLV that must be the last thing in its container.
fn last(input: Region<'_>, tag: u8) -> Option<Item<'_>> {
    der(input, tag).filter(|t| t.rest.is_empty())
}

/// Reads `der` if it has the common shape; `None` sends it to the full
/// decode. A `Some` result is exactly what the full decode would give.
pub(crate) fn parse(input: &[u8]) -> Option<ParsedCert<'_>> {
    let l = layout(input, der)?;
    // version: v3, explicitly (v1 and v2 certificates take the full decode).
    let v = last(l.version?.value, INTEGER)?;
    if v.value.bytes != [2] {
        return None;
    }
    // A positive INTEGER in its shortest form, at most 20 octets.
    match l.serial.value.bytes {
        [] => return None,
        [0, next, ..] if *next < 0x80 => return None,
        [first, ..] if *first >= 0x80 => return None,
        s if s.len() > 20 => return None,
        _ => {}
    }
    if l.inner_alg.whole.bytes != l.sig_alg.whole.bytes {
        return None; // the full decode names the mismatch
    }
    walk_name(l.issuer.value)?;
    walk_name(l.subject.value)?;
    // issuerUniqueID and subjectUniqueID are absent.
    if l.unique_ids {
        return None;
    }
    // The signature and key without unused bits (the full decode refuses
    // them with unused bits).
    let fields = TbsFields::read(&l)?;
    let list = l.extensions.map(|e| e.value);
    if let Some(list) = list {
        walk_extensions(list)?;
    }
    // An extension that does not decode takes the full decode, which
    // names it the same way (the same `ParsedCert::from_fields`).
    ParsedCert::from_fields(input, fields, list, true).ok()
}

/// Checks a Name's RDNs: only single-valued RDNs (a SET OF one needs no
/// ordering check) and the usual string types are taken.
fn walk_name(mut rdns: Region<'_>) -> Option<()> {
    while !rdns.is_empty() {
        let rdn = der(rdns, SET)?;
        rdns = rdn.rest;
        let atv = last(rdn.value, SEQUENCE)?;
        let id = der(atv.value, OID)?;
        ObjectIdentifier::from_bytes(id.value.bytes).ok()?;
        let value = read_tlv(id.rest.bytes)?;
        if !matches!(value.tag, UTF8_STRING | PRINTABLE_STRING | IA5_STRING) {
            return None;
        }
        last(id.rest, value.tag)?;
    }
    Some(())
}

/// Checks the Extensions SEQUENCE contents: each (OID, critical, value)
/// in DER (criticality FALSE is never encoded in DER), at least one.
fn walk_extensions(mut rest: Region<'_>) -> Option<()> {
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let ext = der(rest, SEQUENCE)?;
        rest = ext.rest;
        let id = der(ext.value, OID)?;
        ObjectIdentifier::from_bytes(id.value.bytes).ok()?;
        match der(id.rest, BOOLEAN) {
            Some(b) if b.value.bytes == [0xff] => last(b.rest, OCTET_STRING)?,
            Some(_) => return None,
            None => last(id.rest, OCTET_STRING)?,
        };
    }
    Some(())
}

/// What the walk reads of the extensions it knows in their common shape,
/// in place of x509-cert's decode (which allocates an owned value per
/// field): `None` leaves an extension to that decode, which also names
/// whatever is wrong with it.
pub(crate) enum Walked {
    /// subjectKeyIdentifier: the key identifier.
    Ski(Span),
    /// authorityKeyIdentifier holding a keyIdentifier alone.
    AkiKeyId(Span),
    /// subjectAltName of dNSName and iPAddress entries only: the
    /// GeneralNames contents.
    San(Span),
    /// extendedKeyUsage: the KeyPurposeId SEQUENCE contents (not empty).
    Eku(Span),
}

/// Reads `value` (an extension's extnValue contents) for the extensions of
/// [`Walked`].
pub(crate) fn walk_extension(id: ObjectIdentifier, value: Region<'_>) -> Option<Walked> {
    match id {
        oid::SUBJECT_KEY_ID => Some(Walked::Ski(last(value, OCTET_STRING)?.value.span())),
        oid::AUTHORITY_KEY_ID => {
            let seq = last(value, SEQUENCE)?;
            Some(Walked::AkiKeyId(last(seq.value, 0x80)?.value.span()))
        }
        oid::SUBJECT_ALT_NAME => {
            let names = last(value, SEQUENCE)?.value;
            let mut rest = names;
            if rest.is_empty() {
                return None;
            }
            while !rest.is_empty() {
                let tag = *rest.bytes.first()?;
                let name = der(rest, tag)?;
                let v = name.value.bytes;
                // IA5String: seven-bit characters only (as der's Ia5String).
                match tag {
                    san_tag::DNS if v.iter().all(|&c| c <= 0x7f) => {}
                    san_tag::IP if matches!(v.len(), 4 | 16) => {}
                    _ => return None,
                }
                rest = name.rest;
            }
            Some(Walked::San(names.span()))
        }
        oid::EXT_KEY_USAGE => {
            let purposes = last(value, SEQUENCE)?.value;
            let mut rest = purposes;
            if rest.is_empty() {
                return None;
            }
            while !rest.is_empty() {
                let id = der(rest, OID)?;
                ObjectIdentifier::from_bytes(id.value.bytes).ok()?;
                rest = id.rest;
            }
            Some(Walked::Eku(purposes.span()))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::layout::extension_entries;
    use crate::pki::parse::ip_from_bytes;
    use crate::pki::parse::tests::{test_certificates, NOT_CERTIFICATES};

    /// The full decode, however the walk would have answered.
    fn full(der: &[u8]) -> Result<ParsedCert<'_>, crate::pki::error::CertificateError> {
        ParsedCert::parse_full(der)
    }

    #[test]
    fn every_test_certificate_takes_the_walk_and_matches_the_full_decode() {
        for (file, der) in test_certificates() {
            let walked = parse(&der).unwrap_or_else(|| panic!("{file}: walk gave up"));
            let full = full(&der).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!(format!("{walked:?}"), format!("{full:?}"), "{file}");
        }
        for bad in NOT_CERTIFICATES {
            assert!(parse(bad).is_none());
        }
    }

    /// Each extension the walk reads itself says what x509-cert's decode
    /// of it says, on every test certificate, as the certificate's
    /// accessors read it; the shapes it leaves to that decode are left.
    #[test]
    fn walked_extensions_match_x509_cert() {
        use x509_cert::der::Decode;
        use x509_cert::ext::pkix::name::GeneralName;
        use x509_cert::ext::pkix::{
            AuthorityKeyIdentifier, ExtendedKeyUsage, SubjectAltName, SubjectKeyIdentifier,
        };
        let mut seen = [0usize; 4];
        for (file, der) in test_certificates() {
            let cert = parse(&der).expect("walks");
            let list = layout(&der, super::der).and_then(|l| l.extensions);
            let entries = list.into_iter().flat_map(|l| extension_entries(l.value));
            for (id, _, value) in entries {
                let id = ObjectIdentifier::from_bytes(id).expect("oid");
                match walk_extension(id, value) {
                    Some(Walked::Ski(k)) => {
                        let full = SubjectKeyIdentifier::from_der(value.bytes).unwrap();
                        assert_eq!(k.of(&der), full.0.as_bytes(), "{file}");
                        assert_eq!(cert.ski(), Some(full.0.as_bytes()), "{file}");
                        seen[0] += 1;
                    }
                    Some(Walked::AkiKeyId(k)) => {
                        let full = AuthorityKeyIdentifier::from_der(value.bytes).unwrap();
                        assert!(full.authority_cert_issuer.is_none(), "{file}");
                        assert!(full.authority_cert_serial_number.is_none(), "{file}");
                        let want = full.key_identifier.as_ref().map(|o| o.as_bytes());
                        assert_eq!(Some(k.of(&der)), want, "{file}");
                        assert_eq!(cert.aki(), want, "{file}");
                        seen[1] += 1;
                    }
                    Some(Walked::San(_)) => {
                        let full = SubjectAltName::from_der(value.bytes).unwrap();
                        let (mut dns, mut ips) = (Vec::new(), Vec::new());
                        for f in &full.0 {
                            match f {
                                GeneralName::DnsName(d) => dns.push(d.as_str()),
                                GeneralName::IpAddress(ip) => {
                                    ips.push(ip_from_bytes(ip.as_bytes()).expect("ip"))
                                }
                                other => panic!("{file}: walked {other:?}"),
                            }
                        }
                        assert_eq!(cert.san_dns().collect::<Vec<_>>(), dns, "{file}");
                        assert_eq!(cert.san_ip().collect::<Vec<_>>(), ips, "{file}");
                        seen[2] += 1;
                    }
                    Some(Walked::Eku(_)) => {
                        let full = ExtendedKeyUsage::from_der(value.bytes).unwrap();
                        let eku = cert.eku().expect("eku");
                        assert_eq!(eku.iter().collect::<Vec<_>>(), full.0, "{file}");
                        assert!(full.0.iter().all(|p| eku.contains(p)), "{file}");
                        assert!(!eku.contains(&oid::EXT_KEY_USAGE), "{file}");
                        seen[3] += 1;
                    }
                    None => {}
                }
            }
        }
        assert!(seen.iter().all(|&n| n > 0), "each walk taken: {seen:?}");
        let seq = |names: &[u8]| {
            let mut v = vec![SEQUENCE, names.len() as u8];
            v.extend_from_slice(names);
            v
        };
        let walk = |id, v: &[u8]| walk_extension(id, Region::new(v)).is_some();
        // Left to the full decode: an empty SAN, a dNSName with an eighth
        // bit, an otherName, a five-byte iPAddress, an AKI naming its
        // issuer, a SKI followed by anything, an empty EKU, an EKU holding
        // something else than an OID.
        for v in [
            seq(&[]),
            seq(&[san_tag::DNS, 2, b'a', 0x80]),
            seq(&[0xa0, 0]),
            seq(&[san_tag::IP, 5, 1, 2, 3, 4, 5]),
        ] {
            assert!(!walk(oid::SUBJECT_ALT_NAME, &v), "{v:02x?}");
        }
        let aki = [SEQUENCE, 6, 0x80, 1, 7, 0x82, 1, 1];
        assert!(!walk(oid::AUTHORITY_KEY_ID, &aki));
        assert!(!walk(oid::SUBJECT_KEY_ID, &[OCTET_STRING, 1, 7, 0]));
        assert!(!walk(oid::EXT_KEY_USAGE, &seq(&[])));
        assert!(!walk(oid::EXT_KEY_USAGE, &seq(&[OCTET_STRING, 1, 7])));
        assert!(walk(oid::EXT_KEY_USAGE, &seq(&[OID, 3, 0x55, 0x1d, 0x25])));
    }

    /// A length in long form where the short or a shorter one fits is BER,
    /// not DER: both the walk and the full decode refuse it.
    #[test]
    fn non_minimal_lengths_are_refused() {
        let (file, cert) = test_certificates().remove(0);
        // The outer SEQUENCE's two length octets (0x30 0x82 HI LO) as three.
        assert_eq!(&cert[..2], &[0x30, 0x82], "{file}");
        let mut m = vec![0x30, 0x83, 0x00];
        m.extend_from_slice(&cert[2..]);
        assert!(parse(&m).is_none());
        assert!(full(&m).is_err());
        // The same certificate with its lengths intact still walks.
        assert!(parse(&cert).is_some());
        let der = |b: &[u8]| der(Region::new(b), OCTET_STRING).is_some();
        assert!(!der(&[0x04, 0x81, 0x01, 0xaa]));
        assert!(der(&[0x04, 0x01, 0xaa]));
        let long = [&[0x04u8, 0x81, 0x80][..], &[0u8; 0x80]].concat();
        assert!(der(&long));
        let longer = [&[0x04u8, 0x82, 0x00, 0x80][..], &[0u8; 0x80]].concat();
        assert!(!der(&longer));
    }

    /// Corruptions of every test certificate: a flipped bit at each of a
    /// spread of positions, each truncation, and a byte appended. Whatever
    /// the walk accepts, the full decode must accept with the same result
    /// (the walk may give up on more: the full decode then decides).
    #[test]
    fn the_walk_never_accepts_what_the_full_decode_refuses() {
        let mut checked = 0usize;
        let mut walked = 0usize;
        let mut check = |label: &str, input: &[u8]| {
            checked += 1;
            if let Some(w) = parse(input) {
                walked += 1;
                match full(input) {
                    Ok(f) => assert_eq!(format!("{w:?}"), format!("{f:?}"), "{label}"),
                    Err(e) => {
                        panic!("{label}: the walk accepted what the full decode refuses: {e}")
                    }
                }
            }
        };
        for (file, der) in test_certificates() {
            // Every position in the first 160 bytes (headers, version,
            // serial, names), then every 7th.
            let positions = (0..der.len()).filter(|&i| i < 160 || i % 7 == 0);
            for i in positions {
                for bit in [0x01u8, 0x80, 0x20] {
                    let mut m = der.clone();
                    m[i] ^= bit;
                    check(&format!("{file} byte {i} ^ {bit:#x}"), &m);
                }
            }
            for n in (0..der.len()).step_by(3) {
                check(&format!("{file} cut at {n}"), &der[..n]);
            }
            let mut longer = der.clone();
            longer.push(0);
            check(&format!("{file} + trailing byte"), &longer);
        }
        // The corruptions reach both answers.
        assert!(checked > 5_000, "{checked} inputs");
        assert!(
            walked > 100 && walked < checked,
            "{walked} of {checked} walked"
        );
    }
}

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
use x509_cert::der::Decode;
use x509_cert::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::time::Validity;

use super::parse::{oid, read_tlv, tbs_span, AlgId, ParsedCert, PublicKey, TbsFields, Tlv};

const BOOLEAN: u8 = 0x01;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OCTET_STRING: u8 = 0x04;
const OID: u8 = 0x06;
const UTF8_STRING: u8 = 0x0c;
const PRINTABLE_STRING: u8 = 0x13;
const IA5_STRING: u8 = 0x16;
const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const VERSION: u8 = 0xa0; // [0] EXPLICIT
const EXTENSIONS: u8 = 0xa3; // [3] EXPLICIT

/// One TLV whose length is in DER's minimal form (the full decode refuses
/// any other), with tag `tag`.
fn der(input: &[u8], tag: u8) -> Option<Tlv<'_>> {
    let t = read_tlv(input)?;
    let header = t.whole.len() - t.value.len();
    let len = t.value.len();
    let minimal = if len < 0x80 {
        2
    } else {
        // 0x8N then N length octets, N as small as the length allows.
        2 + (usize::BITS - len.leading_zeros()).div_ceil(8) as usize
    };
    (t.tag == tag && header == minimal).then_some(t)
}

/// A TLV that must be the last thing in its container.
fn last(input: &[u8], tag: u8) -> Option<Tlv<'_>> {
    der(input, tag).filter(|t| t.rest.is_empty())
}

/// Reads `der` if it has the common shape; `None` sends it to the full
/// decode. A `Some` result is exactly what the full decode would give.
pub(crate) fn parse(input: &[u8]) -> Option<ParsedCert> {
    let cert = last(input, SEQUENCE)?;
    let tbs = der(cert.value, SEQUENCE)?;
    let sig_alg = der(tbs.rest, SEQUENCE)?;
    let signature = last(sig_alg.rest, BIT_STRING)?;
    // No unused bits (the full decode refuses a signature with them).
    let signature = match signature.value.split_first()? {
        (0, bits) => bits,
        _ => return None,
    };

    // version: v3, explicitly (v1 and v2 certificates take the full decode).
    let version = der(tbs.value, VERSION)?;
    let v = last(version.value, INTEGER)?;
    if v.value != [2] {
        return None;
    }
    let serial = der(version.rest, INTEGER)?;
    // A positive INTEGER in its shortest form, at most 20 octets.
    match serial.value {
        [] => return None,
        [0, next, ..] if *next < 0x80 => return None,
        [first, ..] if *first >= 0x80 => return None,
        s if s.len() > 20 => return None,
        _ => {}
    }
    let inner_alg = der(serial.rest, SEQUENCE)?;
    if inner_alg.whole != sig_alg.whole {
        return None; // the full decode names the mismatch
    }
    let issuer = der(inner_alg.rest, SEQUENCE)?;
    walk_name(issuer.value, |_, _| {})?;
    let validity = der(issuer.rest, SEQUENCE)?;
    let subject = der(validity.rest, SEQUENCE)?;
    let mut common_names = Vec::new();
    let mut subject_email = Vec::new();
    walk_name(subject.value, |attr, value| {
        let text = || String::from_utf8_lossy(value).into_owned();
        if attr == oid::COMMON_NAME.as_bytes() {
            common_names.push(text());
        } else if attr == oid::EMAIL_ADDRESS.as_bytes() {
            subject_email.push(text());
        }
    })?;
    let spki_tlv = der(subject.rest, SEQUENCE)?;
    // issuerUniqueID and subjectUniqueID are absent; extensions, if any,
    // end the TBSCertificate.
    let exts = match spki_tlv.rest {
        [] => None,
        rest => Some(last(rest, EXTENSIONS)?),
    };

    let validity = Validity::from_der(validity.whole).ok()?;
    let spki = SubjectPublicKeyInfoOwned::from_der(spki_tlv.whole).ok()?;
    let key = spki.subject_public_key.as_bytes()?.to_vec();
    let sig_alg = AlgorithmIdentifierOwned::from_der(sig_alg.whole).ok()?;

    let fields = TbsFields {
        der: input.to_vec(),
        tbs_span: tbs_span(input)?,
        subject: subject.whole.to_vec(),
        issuer: issuer.whole.to_vec(),
        not_before: validity.not_before.to_unix_duration().as_secs(),
        not_after: validity.not_after.to_unix_duration().as_secs(),
        spki: PublicKey {
            alg: AlgId::from_x509(&spki.algorithm).ok()?,
            key,
        },
        sig_alg: AlgId::from_x509(&sig_alg).ok()?,
        signature: signature.to_vec(),
        serial: serial.value.to_vec(),
        subject_email,
        common_names,
    };
    let list = match exts {
        Some(exts) => walk_extensions(exts.value)?,
        None => Vec::new(),
    };
    // An extension that does not decode takes the full decode, which
    // names it the same way (the same `ParsedCert::from_fields`).
    ParsedCert::from_fields(fields, list, true).ok()
}

/// Walks a Name's RDNs, calling `attr(oid, value)` with the contents of
/// each attribute's OID and value. Only single-valued RDNs (a SET OF one
/// needs no ordering check) and the usual string types are taken.
fn walk_name(mut rdns: &[u8], mut attr: impl FnMut(&[u8], &[u8])) -> Option<()> {
    while !rdns.is_empty() {
        let rdn = der(rdns, SET)?;
        rdns = rdn.rest;
        let atv = last(rdn.value, SEQUENCE)?;
        let id = der(atv.value, OID)?;
        ObjectIdentifier::from_bytes(id.value).ok()?;
        let value = read_tlv(id.rest)?;
        if !matches!(value.tag, UTF8_STRING | PRINTABLE_STRING | IA5_STRING) {
            return None;
        }
        last(id.rest, value.tag)?;
        attr(id.value, value.value);
    }
    Some(())
}

/// The Extensions SEQUENCE: each (OID, critical, value) in order; `None`
/// for anything but DER (criticality FALSE is never encoded in DER).
fn walk_extensions(input: &[u8]) -> Option<Vec<(ObjectIdentifier, bool, &[u8])>> {
    let list = last(input, SEQUENCE)?;
    let mut rest = list.value;
    if rest.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(8);
    while !rest.is_empty() {
        let ext = der(rest, SEQUENCE)?;
        rest = ext.rest;
        let id = der(ext.value, OID)?;
        let extn_id = ObjectIdentifier::from_bytes(id.value).ok()?;
        let (critical, value) = match der(id.rest, BOOLEAN) {
            Some(b) if b.value == [0xff] => (true, last(b.rest, OCTET_STRING)?),
            Some(_) => return None,
            None => (false, last(id.rest, OCTET_STRING)?),
        };
        out.push((extn_id, critical, value.value));
    }
    Some(out)
}

/// What the walk reads of the extensions it knows in their common shape,
/// in place of x509-cert's decode (which allocates an owned value per
/// field, then copied again): `None` leaves an extension to that decode,
/// which also names whatever is wrong with it.
pub(crate) enum Walked<'a> {
    /// subjectKeyIdentifier: the key identifier.
    Ski(&'a [u8]),
    /// authorityKeyIdentifier holding a keyIdentifier alone.
    AkiKeyId(&'a [u8]),
    /// subjectAltName of dNSName and iPAddress entries only: each entry's
    /// tag (DNS or IP) and contents.
    San(Vec<(u8, &'a [u8])>),
}

/// The [context 2] dNSName and [context 7] iPAddress forms of a
/// GeneralName (IMPLICIT, so primitive).
pub(crate) const SAN_DNS: u8 = 0x82;
const SAN_IP: u8 = 0x87;

/// Reads `value` (an extension's extnValue contents) for the extensions of
/// [`Walked`].
pub(crate) fn walk_extension(id: ObjectIdentifier, value: &[u8]) -> Option<Walked<'_>> {
    match id {
        oid::SUBJECT_KEY_ID => Some(Walked::Ski(last(value, OCTET_STRING)?.value)),
        oid::AUTHORITY_KEY_ID => {
            let seq = last(value, SEQUENCE)?;
            Some(Walked::AkiKeyId(last(seq.value, 0x80)?.value))
        }
        oid::SUBJECT_ALT_NAME => {
            let mut rest = last(value, SEQUENCE)?.value;
            if rest.is_empty() {
                return None;
            }
            let mut names = Vec::new();
            while !rest.is_empty() {
                let tag = *rest.first()?;
                let name = der(rest, tag)?;
                // IA5String: seven-bit characters only (as der's Ia5String).
                match tag {
                    SAN_DNS if name.value.iter().all(|&c| c <= 0x7f) => {}
                    SAN_IP if matches!(name.value.len(), 4 | 16) => {}
                    _ => return None,
                }
                names.push((tag, name.value));
                rest = name.rest;
            }
            Some(Walked::San(names))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::parse::tests::{test_certificates, NOT_CERTIFICATES};

    /// The full decode, however the walk would have answered.
    fn full(der: &[u8]) -> Result<ParsedCert, crate::pki::error::CertificateError> {
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
    /// of it says, on every test certificate; the shapes it leaves to that
    /// decode are left.
    #[test]
    fn walked_extensions_match_x509_cert() {
        use x509_cert::ext::pkix::name::GeneralName;
        use x509_cert::ext::pkix::{AuthorityKeyIdentifier, SubjectAltName, SubjectKeyIdentifier};
        let mut seen = [0usize; 3];
        for (file, der) in test_certificates() {
            let cert = last(&der, SEQUENCE).unwrap();
            let tbs = der_tbs_extensions(cert.value);
            for (id, _, value) in tbs.into_iter().flatten() {
                match walk_extension(id, value) {
                    Some(Walked::Ski(k)) => {
                        let full = SubjectKeyIdentifier::from_der(value).unwrap();
                        assert_eq!(k, full.0.as_bytes(), "{file}");
                        seen[0] += 1;
                    }
                    Some(Walked::AkiKeyId(k)) => {
                        let full = AuthorityKeyIdentifier::from_der(value).unwrap();
                        assert!(full.authority_cert_issuer.is_none(), "{file}");
                        assert!(full.authority_cert_serial_number.is_none(), "{file}");
                        assert_eq!(Some(k), full.key_identifier.as_ref().map(|o| o.as_bytes()));
                        seen[1] += 1;
                    }
                    Some(Walked::San(names)) => {
                        let full = SubjectAltName::from_der(value).unwrap();
                        assert_eq!(names.len(), full.0.len(), "{file}");
                        for ((tag, v), f) in names.iter().zip(&full.0) {
                            match f {
                                GeneralName::DnsName(d) => {
                                    assert_eq!((*tag, *v), (SAN_DNS, d.as_bytes()), "{file}")
                                }
                                GeneralName::IpAddress(ip) => {
                                    assert_eq!((*tag, *v), (SAN_IP, ip.as_bytes()), "{file}")
                                }
                                other => panic!("{file}: walked {other:?}"),
                            }
                        }
                        seen[2] += 1;
                    }
                    None => {}
                }
            }
        }
        assert!(seen.iter().all(|&n| n > 0), "each walk taken: {seen:?}");
        let san = |names: &[u8]| {
            let mut v = vec![SEQUENCE, names.len() as u8];
            v.extend_from_slice(names);
            v
        };
        // Left to the full decode: an empty SAN, a dNSName with an eighth
        // bit, an otherName, a five-byte iPAddress, an AKI naming its
        // issuer, a SKI followed by anything.
        for v in [
            san(&[]),
            san(&[SAN_DNS, 2, b'a', 0x80]),
            san(&[0xa0, 0]),
            san(&[SAN_IP, 5, 1, 2, 3, 4, 5]),
        ] {
            assert!(
                walk_extension(oid::SUBJECT_ALT_NAME, &v).is_none(),
                "{v:02x?}"
            );
        }
        let aki = [SEQUENCE, 6, 0x80, 1, 7, 0x82, 1, 1];
        assert!(walk_extension(oid::AUTHORITY_KEY_ID, &aki).is_none());
        assert!(walk_extension(oid::SUBJECT_KEY_ID, &[OCTET_STRING, 1, 7, 0]).is_none());
    }

    /// The (OID, critical, value) extensions of a TBSCertificate walk.
    fn der_tbs_extensions(cert: &[u8]) -> Option<Vec<(ObjectIdentifier, bool, &[u8])>> {
        let tbs = der(cert, SEQUENCE)?;
        let mut rest = tbs.value;
        while let Some(t) = read_tlv(rest) {
            if t.tag == EXTENSIONS {
                return walk_extensions(t.value);
            }
            rest = t.rest;
        }
        None
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
        assert!(der(&[0x04, 0x81, 0x01, 0xaa], OCTET_STRING).is_none());
        assert!(der(&[0x04, 0x01, 0xaa], OCTET_STRING).is_some());
        let long = [&[0x04u8, 0x81, 0x80][..], &[0u8; 0x80]].concat();
        assert!(der(&long, OCTET_STRING).is_some());
        let longer = [&[0x04u8, 0x82, 0x00, 0x80][..], &[0u8; 0x80]].concat();
        assert!(der(&longer, OCTET_STRING).is_none());
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

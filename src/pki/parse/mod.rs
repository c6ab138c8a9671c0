//! Decoding a DER certificate into the facts path validation needs.
//!
//! x509-cert does the ASN.1 work (or the DER walk of `fast_parse` for the
//! common shape); here we record where each field lies in the certificate's
//! bytes, taken verbatim from the input, and decode each extension we
//! understand exactly once, refusing duplicates (`extensions`).

use std::borrow::Cow;
use std::net::IpAddr;

use x509_cert::der::asn1::ObjectIdentifier;
use x509_cert::der::{Decode, Encode};
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage};
use x509_cert::Certificate;

use super::constraints::Constraints;
use super::error::CertificateError;
use super::layout::{extension_entries, layout, tagged, AlgSpan, Region, Span, TbsFields};
use super::signature::AnchorKey;

mod extensions;
use extensions::apply_extensions;

/// Extension OIDs we understand (RFC 5280 section 4.2.1).
pub(crate) mod oid {
    use x509_cert::der::asn1::ObjectIdentifier as O;

    pub const BASIC_CONSTRAINTS: O = O::new_unwrap("2.5.29.19");
    pub const KEY_USAGE: O = O::new_unwrap("2.5.29.15");
    pub const EXT_KEY_USAGE: O = O::new_unwrap("2.5.29.37");
    pub const SUBJECT_ALT_NAME: O = O::new_unwrap("2.5.29.17");
    pub const NAME_CONSTRAINTS: O = O::new_unwrap("2.5.29.30");
    pub const CERTIFICATE_POLICIES: O = O::new_unwrap("2.5.29.32");
    pub const POLICY_CONSTRAINTS: O = O::new_unwrap("2.5.29.36");
    pub const INHIBIT_ANY_POLICY: O = O::new_unwrap("2.5.29.54");
    pub const AUTHORITY_KEY_ID: O = O::new_unwrap("2.5.29.35");
    pub const SUBJECT_KEY_ID: O = O::new_unwrap("2.5.29.14");
    pub const CRL_DISTRIBUTION_POINTS: O = O::new_unwrap("2.5.29.31");
    pub const POLICY_MAPPINGS: O = O::new_unwrap("2.5.29.33");
    pub const AUTHORITY_INFO_ACCESS: O = O::new_unwrap("1.3.6.1.5.5.7.1.1");

    /// The commonName attribute of a distinguished name (X.520).
    pub const COMMON_NAME: O = O::new_unwrap("2.5.4.3");

    /// The emailAddress attribute of a distinguished name (PKCS #9).
    pub const EMAIL_ADDRESS: O = O::new_unwrap("1.2.840.113549.1.9.1");

    pub const KP_SERVER_AUTH: O = O::new_unwrap("1.3.6.1.5.5.7.3.1");
    pub const KP_CLIENT_AUTH: O = O::new_unwrap("1.3.6.1.5.5.7.3.2");
    pub const ANY_EXTENDED_KEY_USAGE: O = O::new_unwrap("2.5.29.37.0");
}

/// One DER TLV split out of a buffer.
pub(crate) struct Tlv<'a> {
    /// The identifier octet (only single-octet tags are accepted).
    pub tag: u8,
    /// The contents octets.
    pub value: &'a [u8],
    /// Header plus contents, exactly as in the input.
    pub whole: &'a [u8],
    /// What follows this TLV in the buffer.
    pub rest: &'a [u8],
}

/// Splits the first DER TLV off `input` (definite lengths up to 4 octets).
pub(crate) fn read_tlv(input: &[u8]) -> Option<Tlv<'_>> {
    let (&tag, after_tag) = input.split_first()?;
    if tag & 0x1f == 0x1f {
        return None; // multi-octet tags never occur in the structures we walk
    }
    let (&first, after_len) = after_tag.split_first()?;
    let (len, body) = if first < 0x80 {
        (usize::from(first), after_len)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let len_bytes = after_len.get(..n)?;
        let mut len = 0usize;
        for &b in len_bytes {
            len = len.checked_mul(256)?.checked_add(usize::from(b))?;
        }
        (len, after_len.get(n..)?)
    };
    let value = body.get(..len)?;
    let rest = body.get(len..)?;
    let header = input.len().checked_sub(body.len())?;
    let whole = input.get(..header.checked_add(len)?)?;
    Some(Tlv {
        tag,
        value,
        whole,
        rest,
    })
}

/// The validity period of a DER certificate, (notBefore, notAfter) in Unix
/// seconds, read without decoding the rest. For re-checking chains that
/// were verified in full before (resumed sessions), where a full decode
/// would cost more than the check itself; `None` if the walk fails, and
/// the caller then decodes in full.
pub(crate) fn validity_of(der: &[u8]) -> Option<(u64, u64)> {
    const SEQUENCE: u8 = 0x30;
    const VERSION: u8 = 0xa0; // [0] EXPLICIT, constructed
    let cert = read_tlv(der)?;
    let tbs = read_tlv(cert.value)?;
    if cert.tag != SEQUENCE || tbs.tag != SEQUENCE {
        return None;
    }
    let mut rest = tbs.value;
    if rest.first() == Some(&VERSION) {
        rest = read_tlv(rest)?.rest;
    }
    // serialNumber, signature, issuer
    for _ in 0..3 {
        rest = read_tlv(rest)?.rest;
    }
    let validity = read_tlv(rest)?;
    let v = x509_cert::time::Validity::from_der(validity.whole).ok()?;
    Some((
        v.not_before.to_unix_duration().as_secs(),
        v.not_after.to_unix_duration().as_secs(),
    ))
}

/// An algorithm identifier: OID plus the DER of its parameters, if any,
/// borrowed from the structure it was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AlgId<'a> {
    pub oid: ObjectIdentifier,
    pub params: Option<&'a [u8]>,
}

/// An [`AlgId`] of a structure we do not keep the DER of (CRLs, OCSP
/// responses), with its parameters copied out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AlgIdBuf {
    oid: ObjectIdentifier,
    params: Option<Vec<u8>>,
}

impl AlgIdBuf {
    pub(crate) fn from_x509(
        a: &x509_cert::spki::AlgorithmIdentifierOwned,
    ) -> Result<Self, CertificateError> {
        let params = match &a.parameters {
            Some(p) => Some(
                p.to_der()
                    .map_err(|e| bad(format!("algorithm parameters: {e}")))?,
            ),
            None => None,
        };
        Ok(AlgIdBuf { oid: a.oid, params })
    }

    pub(crate) fn as_alg(&self) -> AlgId<'_> {
        AlgId {
            oid: self.oid,
            params: self.params.as_deref(),
        }
    }
}

/// A subject public key: algorithm plus the BIT STRING contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PublicKey<'a> {
    pub alg: AlgId<'a>,
    pub key: &'a [u8],
}

/// A certificate decoded once, holding everything validation looks at.
///
/// The certificate's bytes are held once, in `der`; each byte field is a
/// [`Span`] into them read by [`layout`] (whichever decode accepted the
/// certificate, so both record the same spans), with an accessor giving
/// its bytes. Lists (subjectAltNames, extendedKeyUsage, the subject's
/// commonNames, ...) are read from their DER when asked for.
#[derive(Clone)]
pub(crate) struct ParsedCert<'a> {
    /// The certificate's DER: borrowed from the input while a handshake
    /// verifies a peer's chain, owned by trust anchors
    /// ([`ParsedCert::into_owned`]).
    pub der: Cow<'a, [u8]>,
    /// The TBSCertificate, exactly as signed ([`ParsedCert::tbs`]).
    tbs: Span,
    /// The subject Name's DER.
    subject: Span,
    /// The issuer Name's DER.
    issuer: Span,
    /// notBefore, seconds since the Unix epoch.
    pub not_before: u64,
    /// notAfter, seconds since the Unix epoch.
    pub not_after: u64,
    spki_alg: AlgSpan,
    /// The subject public key (BIT STRING contents).
    key: Span,
    sig_alg: AlgSpan,
    /// The signature (BIT STRING contents).
    signature: Span,
    pub basic_constraints: Option<BasicConstraints>,
    pub key_usage: Option<KeyUsage>,
    /// The KeyPurposeId SEQUENCE contents of extendedKeyUsage.
    eku: Option<Span>,
    /// The GeneralNames SEQUENCE contents of subjectAltName.
    san: Option<Span>,
    /// The other subjectAltName forms present (otherName, ediPartyName,
    /// registeredID), whose name constraints we cannot evaluate.
    pub san_unsupported: Vec<&'static str>,
    pub name_constraints: Option<Constraints>,
    /// policyConstraints requireExplicitPolicy (see policy.rs).
    pub require_explicit_policy: Option<u32>,
    /// Why a policy extension cannot be honoured, if one cannot (policy.rs).
    pub policy_refusal: Option<String>,
    /// The subjectKeyIdentifier.
    ski: Option<Span>,
    /// The authorityKeyIdentifier's keyIdentifier.
    aki: Option<Span>,
    /// The first critical extension we do not understand.
    pub unknown_critical: Option<String>,
    /// The serial number's INTEGER contents octets.
    serial: Span,
    /// The DistributionPoint SEQUENCE contents of cRLDistributionPoints.
    crl_dps: Option<Span>,
    /// The Extensions SEQUENCE contents (empty without extensions).
    extensions: Span,
    /// The extensions we understand present, and those of them critical,
    /// one bit each (`known`): what [`ParsedCert::extension`] answers from, as path
    /// validation asks about a dozen times per certificate.
    known_present: u16,
    known_critical: u16,
    /// authorityKeyIdentifier carries authorityCertIssuer or
    /// authorityCertSerialNumber.
    pub aki_issuer_serial: bool,
    /// An authorityInfoAccess is present and does not decode (or is empty).
    pub aia_invalid: bool,
    /// The key as aws-lc parsed it, once this certificate verified a
    /// signature as a trust anchor.
    pub anchor_key: AnchorKey,
}

pub(crate) fn bad(reason: impl Into<String>) -> CertificateError {
    CertificateError::BadEncoding {
        reason: reason.into(),
    }
}

/// An RFC 4514 string for a DER Name. Formatting costs more than the rest of
/// parsing, so it is done only when an error or log line needs it.
pub(crate) fn name_str(der: &[u8]) -> String {
    x509_cert::name::Name::from_der(der)
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "<unparsable name>".into())
}

/// Iterates the TLVs of a SET or SEQUENCE body; stops at the first
/// malformed one.
pub(crate) fn tlvs(mut body: &[u8]) -> impl Iterator<Item = Tlv<'_>> {
    std::iter::from_fn(move || {
        let t = read_tlv(body)?;
        body = t.rest;
        Some(t)
    })
}

/// The GeneralName tags of subjectAltName entries (RFC 5280 section
/// 4.2.1.6; IMPLICIT, so primitive but for the directoryName's EXPLICIT Name).
pub(crate) mod san_tag {
    pub const EMAIL: u8 = 0x81;
    pub const DNS: u8 = 0x82;
    pub const DIRECTORY: u8 = 0xa4;
    pub const URI: u8 = 0x86;
    pub const IP: u8 = 0x87;
}

/// A list of OIDs as DER (a SEQUENCE OF OBJECT IDENTIFIER's contents).
#[derive(Clone, Copy)]
pub(crate) struct OidList<'a>(&'a [u8]);

impl<'a> OidList<'a> {
    pub(crate) fn contains(self, id: &ObjectIdentifier) -> bool {
        tlvs(self.0).any(|t| t.tag == 0x06 && t.value == id.as_bytes())
    }

    pub(crate) fn iter(self) -> impl Iterator<Item = ObjectIdentifier> + 'a {
        tlvs(self.0).filter_map(|t| ObjectIdentifier::from_bytes(t.value).ok())
    }
}

impl<'a> ParsedCert<'a> {
    /// The TBSCertificate exactly as signed.
    pub(crate) fn tbs(&self) -> &[u8] {
        self.tbs.of(&self.der)
    }

    /// The subject Name's DER.
    pub(crate) fn subject(&self) -> &[u8] {
        self.subject.of(&self.der)
    }

    /// The issuer Name's DER.
    pub(crate) fn issuer(&self) -> &[u8] {
        self.issuer.of(&self.der)
    }

    /// The serial number's INTEGER contents octets.
    pub(crate) fn serial(&self) -> &[u8] {
        self.serial.of(&self.der)
    }

    /// The signature's bits.
    pub(crate) fn signature(&self) -> &[u8] {
        self.signature.of(&self.der)
    }

    /// The subject public key and its algorithm.
    pub(crate) fn spki(&self) -> PublicKey<'_> {
        PublicKey {
            alg: self.alg(self.spki_alg),
            key: self.key.of(&self.der),
        }
    }

    /// The signature algorithm.
    pub(crate) fn sig_alg(&self) -> AlgId<'_> {
        self.alg(self.sig_alg)
    }

    fn alg(&self, a: AlgSpan) -> AlgId<'_> {
        AlgId {
            oid: a.oid,
            params: a.params.map(|p| p.of(&self.der)),
        }
    }

    /// Where the key, its algorithm and the subject lie in [`Self::der`]:
    /// for a view of the same DER held elsewhere (key_view.rs).
    pub(crate) fn key_spans(&self) -> (AlgSpan, Span, Span) {
        (self.spki_alg, self.key, self.subject)
    }

    /// The subjectKeyIdentifier.
    pub(crate) fn ski(&self) -> Option<&[u8]> {
        self.ski.map(|s| s.of(&self.der))
    }

    /// The authorityKeyIdentifier's keyIdentifier.
    pub(crate) fn aki(&self) -> Option<&[u8]> {
        self.aki.map(|s| s.of(&self.der))
    }

    /// The extendedKeyUsage purposes, if the extension is present.
    pub(crate) fn eku(&self) -> Option<OidList<'_>> {
        self.eku.map(|s| OidList(s.of(&self.der)))
    }

    /// The contents of each subjectAltName entry of tag `tag` ([`san_tag`]).
    fn san_of(&self, tag: u8) -> impl Iterator<Item = &[u8]> {
        let names = self.san.map_or(&[][..], |s| s.of(&self.der));
        tlvs(names).filter(move |t| t.tag == tag).map(|t| t.value)
    }

    /// dNSName subjectAltNames (IA5String, so ASCII, checked when parsed).
    pub(crate) fn san_dns(&self) -> impl Iterator<Item = &str> {
        self.san_of(san_tag::DNS)
            .filter_map(|n| std::str::from_utf8(n).ok())
    }

    /// iPAddress subjectAltNames (4 or 16 octets, checked when parsed).
    pub(crate) fn san_ip(&self) -> impl Iterator<Item = IpAddr> + '_ {
        self.san_of(san_tag::IP).filter_map(ip_from_bytes)
    }

    /// rfc822Name subjectAltNames.
    pub(crate) fn san_email(&self) -> impl Iterator<Item = &str> {
        self.san_of(san_tag::EMAIL)
            .filter_map(|n| std::str::from_utf8(n).ok())
    }

    /// uniformResourceIdentifier subjectAltNames.
    pub(crate) fn san_uri(&self) -> impl Iterator<Item = &str> {
        self.san_of(san_tag::URI)
            .filter_map(|n| std::str::from_utf8(n).ok())
    }

    /// The DER Name of each directoryName subjectAltName.
    pub(crate) fn san_dir(&self) -> impl Iterator<Item = &[u8]> {
        self.san_of(san_tag::DIRECTORY)
    }

    /// The DER of each DistributionPointName in cRLDistributionPoints.
    pub(crate) fn crl_dps(&self) -> impl Iterator<Item = &[u8]> {
        let dps = self.crl_dps.map_or(&[][..], |s| s.of(&self.der));
        // distributionPoint [0] EXPLICIT, the first field when present.
        tlvs(dps).filter_map(|dp| {
            read_tlv(dp.value)
                .filter(|t| t.tag == 0xa0)
                .map(|t| t.value)
        })
    }

    /// The values of the subject's `attr` attributes (lossy UTF-8).
    fn subject_attrs(&self, attr: ObjectIdentifier) -> impl Iterator<Item = Cow<'_, str>> {
        let rdns = read_tlv(self.subject()).map_or(&[][..], |n| n.value);
        tlvs(rdns)
            .flat_map(|rdn| tlvs(rdn.value))
            .filter_map(move |atv| {
                let id = read_tlv(atv.value)?;
                let value = read_tlv(id.rest)?;
                (id.value == attr.as_bytes()).then(|| String::from_utf8_lossy(value.value))
            })
    }

    /// The subject's commonName attributes (lossy UTF-8).
    pub(crate) fn common_names(&self) -> impl Iterator<Item = Cow<'_, str>> {
        self.subject_attrs(oid::COMMON_NAME)
    }

    /// emailAddress attributes of the subject, which rfc822Name constraints
    /// also cover (RFC 5280 section 4.2.1.10).
    pub(crate) fn subject_email(&self) -> impl Iterator<Item = Cow<'_, str>> {
        self.subject_attrs(oid::EMAIL_ADDRESS)
    }

    /// Every extension present: its OID's contents octets and whether it
    /// is critical.
    fn extension_list(&self) -> impl Iterator<Item = (&[u8], bool)> {
        let list = Region {
            bytes: self.extensions.of(&self.der),
            at: 0,
        };
        extension_entries(list).map(|(id, critical, _)| (id, critical))
    }

    /// The subject as an RFC 4514 string, for errors.
    pub(crate) fn subject_str(&self) -> String {
        name_str(self.subject())
    }

    /// The issuer as an RFC 4514 string, for errors.
    pub(crate) fn issuer_str(&self) -> String {
        name_str(self.issuer())
    }

    /// Decodes `der`, refusing anything malformed. The common shape is
    /// read by walking the DER ([`super::fast_parse`]); anything else is
    /// decoded in full by x509-cert, which also names every problem.
    pub(crate) fn parse(der: &'a [u8]) -> Result<Self, CertificateError> {
        match super::fast_parse::parse(der) {
            Some(cert) => {
                // Under `cargo fuzz` every certificate the walk takes is
                // decoded in full too: the fuzzers (x509 and the handshake
                // targets) then check that the two agree.
                #[cfg(fuzzing)]
                match Self::parse_full(der) {
                    Ok(full) => assert_eq!(format!("{cert:?}"), format!("{full:?}")),
                    Err(e) => panic!("the DER walk accepted what the full decode refuses: {e}"),
                }
                Ok(cert)
            }
            None => Self::parse_full(der),
        }
    }

    /// [`ParsedCert::parse`] by x509-cert's full decode alone.
    pub(crate) fn parse_full(der: &'a [u8]) -> Result<Self, CertificateError> {
        let cert = Certificate::from_der(der).map_err(|e| bad(format!("certificate: {e}")))?;
        let tbs = &cert.tbs_certificate;
        if tbs.signature != cert.signature_algorithm {
            return Err(bad(format!(
                "certificate '{}': inner and outer signature algorithms differ",
                tbs.subject
            )));
        }
        let signature = cert
            .signature
            .as_bytes()
            .ok_or_else(|| bad("signature BIT STRING has unused bits"))?;
        let key = tbs
            .subject_public_key_info
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| bad("public key BIT STRING has unused bits"))?;
        // Where the decoded fields lie, checked against the decode where
        // that costs nothing: the same certificate read twice.
        let lost = || bad("certificate: cannot locate its fields");
        let layout = layout(der, tagged).ok_or_else(lost)?;
        let fields = TbsFields::read(&layout).ok_or_else(lost)?;
        let decoded_exts = tbs.extensions.as_deref().unwrap_or(&[]);
        let list = layout.extensions.map(|e| e.value);
        let entries = || list.into_iter().flat_map(extension_entries);
        let same_exts = entries().count() == decoded_exts.len()
            && entries()
                .zip(decoded_exts)
                .all(|((id, critical, value), e)| {
                    id == e.extn_id.as_bytes()
                        && critical == e.critical
                        && value.bytes == e.extn_value.as_bytes()
                });
        if fields.serial.of(der) != tbs.serial_number.as_bytes()
            || fields.signature.of(der) != signature
            || fields.key.of(der) != key
            || !same_exts
        {
            return Err(lost());
        }
        Self::from_fields(der, fields, list, false)
    }

    /// The certificate `der` of `fields` with the facts of its extensions
    /// `exts` (the Extensions SEQUENCE contents, read by `apply_extensions`):
    /// the one constructor of both decodes.
    pub(crate) fn from_fields(
        der: &'a [u8],
        f: TbsFields,
        exts: Option<Region<'_>>,
        walked: bool,
    ) -> Result<Self, CertificateError> {
        let mut out = ParsedCert {
            der: Cow::Borrowed(der),
            tbs: f.tbs,
            subject: f.subject,
            issuer: f.issuer,
            not_before: f.not_before,
            not_after: f.not_after,
            spki_alg: f.spki_alg,
            key: f.key,
            sig_alg: f.sig_alg,
            signature: f.signature,
            basic_constraints: None,
            key_usage: None,
            eku: None,
            san: None,
            san_unsupported: Vec::new(),
            name_constraints: None,
            require_explicit_policy: None,
            policy_refusal: None,
            ski: None,
            aki: None,
            unknown_critical: None,
            serial: f.serial,
            crl_dps: None,
            extensions: exts.map(Region::span).unwrap_or_default(),
            known_present: 0,
            known_critical: 0,
            aki_issuer_serial: false,
            aia_invalid: false,
            anchor_key: AnchorKey::default(),
        };
        if let Some(list) = exts {
            apply_extensions(&mut out, name_str_of(der, f.subject), list, walked)?;
        }
        Ok(out)
    }

    /// The certificate with its own copy of the DER, to keep (trust
    /// anchors, a verified path's certificates).
    pub(crate) fn into_owned(self) -> ParsedCert<'static> {
        ParsedCert {
            der: Cow::Owned(self.der.into_owned()),
            ..self
        }
    }

    /// Refuses a certificate carrying a critical extension we do not
    /// understand or a policy extension we cannot honour.
    pub(crate) fn check_critical(&self) -> Result<(), CertificateError> {
        if let Some(oid) = &self.unknown_critical {
            return Err(CertificateError::UnknownCriticalExtension {
                subject: self.subject_str(),
                oid: oid.clone(),
            });
        }
        if let Some(reason) = &self.policy_refusal {
            return Err(CertificateError::Policy {
                subject: self.subject_str(),
                reason: reason.clone(),
            });
        }
        Ok(())
    }

    /// True when basicConstraints says cA.
    pub(crate) fn is_ca(&self) -> bool {
        self.basic_constraints.as_ref().is_some_and(|b| b.ca)
    }

    /// `Some(critical)` when the extension `id` is present.
    pub(crate) fn extension(&self, id: ObjectIdentifier) -> Option<bool> {
        match known(id.as_bytes()) {
            Some((_, bit)) => {
                (self.known_present & bit != 0).then_some(self.known_critical & bit != 0)
            }
            None => self
                .extension_list()
                .find(|&(o, _)| o == id.as_bytes())
                .map(|(_, critical)| critical),
        }
    }

    /// Issuer and subject names are the same (RFC 5280 section 6.1:
    /// self-issued), compared as DER.
    pub(crate) fn is_self_issued(&self) -> bool {
        self.subject() == self.issuer()
    }

    /// The subject is an empty sequence of RDNs.
    pub(crate) fn subject_is_empty(&self) -> bool {
        read_tlv(self.subject()).is_some_and(|t| t.value.is_empty())
    }
}

/// The extension we understand whose OID has the contents octets `id`,
/// with its bit in `ParsedCert::known_present`: a match on the octets, as
/// every certificate asks this of each of its extensions.
fn known(id: &[u8]) -> Option<(ObjectIdentifier, u16)> {
    // id-ce (2.5.29) and id-pe (1.3.6.1.5.5.7.1) arcs.
    let (oid, i) = match id {
        [0x55, 0x1d, 19] => (oid::BASIC_CONSTRAINTS, 0),
        [0x55, 0x1d, 15] => (oid::KEY_USAGE, 1),
        [0x55, 0x1d, 37] => (oid::EXT_KEY_USAGE, 2),
        [0x55, 0x1d, 17] => (oid::SUBJECT_ALT_NAME, 3),
        [0x55, 0x1d, 30] => (oid::NAME_CONSTRAINTS, 4),
        [0x55, 0x1d, 32] => (oid::CERTIFICATE_POLICIES, 5),
        [0x55, 0x1d, 36] => (oid::POLICY_CONSTRAINTS, 6),
        [0x55, 0x1d, 54] => (oid::INHIBIT_ANY_POLICY, 7),
        [0x55, 0x1d, 35] => (oid::AUTHORITY_KEY_ID, 8),
        [0x55, 0x1d, 14] => (oid::SUBJECT_KEY_ID, 9),
        [0x55, 0x1d, 31] => (oid::CRL_DISTRIBUTION_POINTS, 10),
        [0x55, 0x1d, 33] => (oid::POLICY_MAPPINGS, 11),
        [0x2b, 6, 1, 5, 5, 7, 1, 1] => (oid::AUTHORITY_INFO_ACCESS, 12),
        _ => return None,
    };
    Some((oid, 1 << i))
}

/// Names the subject at `span` of `der` in an error, formatted only if one
/// is made.
fn name_str_of(der: &[u8], span: Span) -> impl Fn() -> String + '_ {
    move || name_str(span.of(der))
}

/// What the certificate's fields look like in a log or a test failure:
/// each field's bytes and each list read out, not the spans, so the
/// fuzzers' comparison of the two decodes (`ParsedCert::parse`) compares
/// what validation sees.
impl std::fmt::Debug for ParsedCert<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let exts: Vec<_> = self
            .extension_list()
            .map(|(id, critical)| (ObjectIdentifier::from_bytes(id).ok(), critical))
            .collect();
        f.debug_struct("ParsedCert")
            .field("der", &self.der)
            .field("tbs", &self.tbs)
            .field("subject", &self.subject())
            .field("issuer", &self.issuer())
            .field("not_before", &self.not_before)
            .field("not_after", &self.not_after)
            .field("spki", &self.spki())
            .field("sig_alg", &self.sig_alg())
            .field("signature", &self.signature())
            .field("serial", &self.serial())
            .field("basic_constraints", &self.basic_constraints)
            .field("key_usage", &self.key_usage)
            .field("eku", &self.eku().map(|e| e.iter().collect::<Vec<_>>()))
            .field("san_dns", &self.san_dns().collect::<Vec<_>>())
            .field("san_ip", &self.san_ip().collect::<Vec<_>>())
            .field("san_email", &self.san_email().collect::<Vec<_>>())
            .field("san_uri", &self.san_uri().collect::<Vec<_>>())
            .field("san_dir", &self.san_dir().collect::<Vec<_>>())
            .field("san_unsupported", &self.san_unsupported)
            .field("subject_email", &self.subject_email().collect::<Vec<_>>())
            .field("common_names", &self.common_names().collect::<Vec<_>>())
            .field("name_constraints", &self.name_constraints)
            .field("require_explicit_policy", &self.require_explicit_policy)
            .field("policy_refusal", &self.policy_refusal)
            .field("ski", &self.ski())
            .field("aki", &self.aki())
            .field("unknown_critical", &self.unknown_critical)
            .field("crl_dps", &self.crl_dps().collect::<Vec<_>>())
            .field("extensions", &exts)
            .field("aki_issuer_serial", &self.aki_issuer_serial)
            .field("aia_invalid", &self.aia_invalid)
            .finish()
    }
}

/// An IP address from its 4- or 16-byte network representation.
pub(crate) fn ip_from_bytes(b: &[u8]) -> Option<IpAddr> {
    if let Ok(v4) = <[u8; 4]>::try_from(b) {
        Some(IpAddr::from(v4))
    } else if let Ok(v6) = <[u8; 16]>::try_from(b) {
        Some(IpAddr::from(v6))
    } else {
        None
    }
}

#[cfg(test)]
pub(crate) mod tests;

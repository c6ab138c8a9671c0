//! Decoding a DER certificate into the facts path validation needs.
//!
//! x509-cert does the ASN.1 work; here we pull out the raw TBS bytes (the
//! signed message, taken verbatim from the input) and decode each extension we
//! understand exactly once, refusing duplicates.

use std::net::IpAddr;
use std::ops::Range;

use x509_cert::der::asn1::ObjectIdentifier;
use x509_cert::der::{Decode, Encode};
use x509_cert::ext::pkix::crl::CrlDistributionPoints;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage,
    KeyUsage, NameConstraints, SubjectAltName, SubjectKeyIdentifier,
};
use x509_cert::Certificate;

use super::constraints::{Constraints, EDI_PARTY_NAME, OTHER_NAME, REGISTERED_ID};
use super::error::CertificateError;
use super::fast_parse::{Walked, SAN_DNS};
use super::policy::{self, PolicyIssue};

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

/// Where the TBSCertificate (the certificate's first element) lies in the
/// certificate `der`, header included.
pub(crate) fn tbs_span(der: &[u8]) -> Option<Range<usize>> {
    let cert = read_tlv(der)?;
    let start = cert.whole.len().checked_sub(cert.value.len())?;
    let tbs = read_tlv(cert.value)?;
    Some(start..start.checked_add(tbs.whole.len())?)
}

/// An algorithm identifier: OID plus the DER of its parameters, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AlgId {
    pub oid: ObjectIdentifier,
    pub params: Option<Vec<u8>>,
}

impl AlgId {
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
        Ok(AlgId { oid: a.oid, params })
    }
}

/// The subject public key: algorithm plus the BIT STRING contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PublicKey {
    pub alg: AlgId,
    pub key: Vec<u8>,
}

/// A certificate decoded once, holding everything validation looks at.
#[derive(Debug, Clone)]
pub(crate) struct ParsedCert {
    /// The certificate's DER.
    pub der: Vec<u8>,
    /// Where the TBSCertificate, exactly as signed, lies in `der` (see
    /// [`ParsedCert::tbs`]): a second copy of it would be a second
    /// allocation per certificate per handshake.
    pub tbs_span: Range<usize>,
    /// DER of the subject Name.
    pub subject: Vec<u8>,
    /// DER of the issuer Name.
    pub issuer: Vec<u8>,
    /// notBefore, seconds since the Unix epoch.
    pub not_before: u64,
    /// notAfter, seconds since the Unix epoch.
    pub not_after: u64,
    pub spki: PublicKey,
    pub sig_alg: AlgId,
    pub signature: Vec<u8>,
    pub basic_constraints: Option<BasicConstraints>,
    pub key_usage: Option<KeyUsage>,
    pub eku: Option<Vec<ObjectIdentifier>>,
    /// dNSName subjectAltNames.
    pub san_dns: Vec<String>,
    /// iPAddress subjectAltNames.
    pub san_ip: Vec<IpAddr>,
    /// rfc822Name subjectAltNames.
    pub san_email: Vec<String>,
    /// uniformResourceIdentifier subjectAltNames.
    pub san_uri: Vec<String>,
    /// DER of each directoryName subjectAltName.
    pub san_dir: Vec<Vec<u8>>,
    /// The other subjectAltName forms present (otherName, ediPartyName,
    /// registeredID), whose name constraints we cannot evaluate.
    pub san_unsupported: Vec<&'static str>,
    /// emailAddress attributes of the subject, which rfc822Name constraints
    /// also cover (RFC 5280 section 4.2.1.10).
    pub subject_email: Vec<String>,
    pub name_constraints: Option<Constraints>,
    /// policyConstraints requireExplicitPolicy (see policy.rs).
    pub require_explicit_policy: Option<u32>,
    /// Why a policy extension cannot be honoured, if one cannot (policy.rs).
    pub policy_refusal: Option<String>,
    pub ski: Option<Vec<u8>>,
    pub aki: Option<Vec<u8>>,
    /// The first critical extension we do not understand.
    pub unknown_critical: Option<String>,
    /// The serial number's INTEGER contents octets.
    pub serial: Vec<u8>,
    /// DER of each DistributionPointName in cRLDistributionPoints.
    pub crl_dps: Vec<Vec<u8>>,
    /// Every extension present and whether it is critical.
    pub extensions: Vec<(ObjectIdentifier, bool)>,
    /// authorityKeyIdentifier carries authorityCertIssuer or
    /// authorityCertSerialNumber.
    pub aki_issuer_serial: bool,
    /// An authorityInfoAccess is present and does not decode (or is empty).
    pub aia_invalid: bool,
    /// The subject's commonName attributes (lossy UTF-8).
    pub common_names: Vec<String>,
}

/// What a certificate says outside its extensions, as either decode reads
/// it (see [`ParsedCert`] for each field).
pub(crate) struct TbsFields {
    pub der: Vec<u8>,
    pub tbs_span: Range<usize>,
    pub subject: Vec<u8>,
    pub issuer: Vec<u8>,
    pub not_before: u64,
    pub not_after: u64,
    pub spki: PublicKey,
    pub sig_alg: AlgId,
    pub signature: Vec<u8>,
    pub serial: Vec<u8>,
    pub subject_email: Vec<String>,
    pub common_names: Vec<String>,
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

impl ParsedCert {
    /// The TBSCertificate exactly as signed.
    pub(crate) fn tbs(&self) -> &[u8] {
        // The span was read from `der` itself, so it always fits.
        self.der.get(self.tbs_span.clone()).unwrap_or_default()
    }

    /// The subject as an RFC 4514 string, for errors.
    pub(crate) fn subject_str(&self) -> String {
        name_str(&self.subject)
    }

    /// The issuer as an RFC 4514 string, for errors.
    pub(crate) fn issuer_str(&self) -> String {
        name_str(&self.issuer)
    }

    /// Decodes `der`, refusing anything malformed. The common shape is
    /// read by walking the DER ([`super::fast_parse`]); anything else is
    /// decoded in full by x509-cert, which also names every problem.
    pub(crate) fn parse(der: &[u8]) -> Result<Self, CertificateError> {
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
    pub(crate) fn parse_full(der: &[u8]) -> Result<Self, CertificateError> {
        let cert = Certificate::from_der(der).map_err(|e| bad(format!("certificate: {e}")))?;
        let tbs_span =
            tbs_span(der).ok_or_else(|| bad("certificate: cannot locate TBSCertificate"))?;
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
            .ok_or_else(|| bad("signature BIT STRING has unused bits"))?
            .to_vec();
        let spki = &tbs.subject_public_key_info;
        let key = spki
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| bad("public key BIT STRING has unused bits"))?
            .to_vec();

        let fields = TbsFields {
            der: der.to_vec(),
            tbs_span,
            subject: tbs
                .subject
                .to_der()
                .map_err(|e| bad(format!("subject: {e}")))?,
            issuer: tbs
                .issuer
                .to_der()
                .map_err(|e| bad(format!("issuer: {e}")))?,
            not_before: tbs.validity.not_before.to_unix_duration().as_secs(),
            not_after: tbs.validity.not_after.to_unix_duration().as_secs(),
            spki: PublicKey {
                alg: AlgId::from_x509(&spki.algorithm)?,
                key,
            },
            sig_alg: AlgId::from_x509(&cert.signature_algorithm)?,
            signature,
            serial: tbs.serial_number.as_bytes().to_vec(),
            subject_email: subject_emails(&tbs.subject),
            common_names: subject_attrs(&tbs.subject, oid::COMMON_NAME),
        };
        let exts = tbs.extensions.as_deref().unwrap_or(&[]);
        Self::from_fields(
            fields,
            exts.iter()
                .map(|e| (e.extn_id, e.critical, e.extn_value.as_bytes())),
            false,
        )
    }

    /// The certificate of `fields` with the facts of its extensions
    /// (`apply_extensions`): the one constructor of both decodes.
    pub(crate) fn from_fields<'a>(
        f: TbsFields,
        exts: impl IntoIterator<Item = (ObjectIdentifier, bool, &'a [u8])>,
        walked: bool,
    ) -> Result<Self, CertificateError> {
        let mut out = ParsedCert {
            der: f.der,
            tbs_span: f.tbs_span,
            // Set below: `apply_extensions` names the subject in errors
            // while it fills `out`.
            subject: Vec::new(),
            issuer: f.issuer,
            not_before: f.not_before,
            not_after: f.not_after,
            spki: f.spki,
            sig_alg: f.sig_alg,
            signature: f.signature,
            basic_constraints: None,
            key_usage: None,
            eku: None,
            san_dns: Vec::new(),
            san_ip: Vec::new(),
            san_email: Vec::new(),
            san_uri: Vec::new(),
            san_dir: Vec::new(),
            san_unsupported: Vec::new(),
            subject_email: f.subject_email,
            name_constraints: None,
            require_explicit_policy: None,
            policy_refusal: None,
            ski: None,
            aki: None,
            unknown_critical: None,
            serial: f.serial,
            crl_dps: Vec::new(),
            extensions: Vec::new(),
            aki_issuer_serial: false,
            aia_invalid: false,
            common_names: f.common_names,
        };
        apply_extensions(&mut out, &f.subject, exts, walked)?;
        out.subject = f.subject;
        Ok(out)
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
        self.extensions
            .iter()
            .find(|(o, _)| *o == id)
            .map(|&(_, critical)| critical)
    }

    /// Issuer and subject names are the same (RFC 5280 section 6.1:
    /// self-issued), compared as DER.
    pub(crate) fn is_self_issued(&self) -> bool {
        self.subject == self.issuer
    }

    /// The subject is an empty sequence of RDNs.
    pub(crate) fn subject_is_empty(&self) -> bool {
        read_tlv(&self.subject).is_some_and(|t| t.value.is_empty())
    }
}

/// Records each extension (refusing a second of the same OID) and decodes
/// the ones we understand, exactly once. `subject` is the certificate's
/// subject DER, named in errors. Shared by the full decode and the walk
/// (`fast_parse`) through [`ParsedCert::from_fields`], so both read
/// extensions the same way.
fn apply_extensions<'a>(
    out: &mut ParsedCert,
    subject: &[u8],
    exts: impl IntoIterator<Item = (ObjectIdentifier, bool, &'a [u8])>,
    walked: bool,
) -> Result<(), CertificateError> {
    let exts = exts.into_iter();
    out.extensions.reserve(exts.size_hint().0);
    for (extn_id, critical, value) in exts {
        if out.extensions.iter().any(|(o, _)| *o == extn_id) {
            return Err(bad(format!(
                "certificate '{}': duplicate extension {extn_id}",
                name_str(subject)
            )));
        }
        out.extensions.push((extn_id, critical));
        // The DER walk reads a few extensions of the common shape itself
        // (fast_parse::walk_extension); the fuzzers check it against this
        // decode (ParsedCert::parse).
        if let Some(w) = walked
            .then(|| super::fast_parse::walk_extension(extn_id, value))
            .flatten()
        {
            apply_walked(out, w);
            continue;
        }
        let ext_err = |e: x509_cert::der::Error| {
            bad(format!(
                "certificate '{}': extension {extn_id}: {e}",
                name_str(subject)
            ))
        };
        match extn_id {
            oid::BASIC_CONSTRAINTS => {
                out.basic_constraints = Some(BasicConstraints::from_der(value).map_err(ext_err)?)
            }
            oid::KEY_USAGE => out.key_usage = Some(KeyUsage::from_der(value).map_err(ext_err)?),
            oid::EXT_KEY_USAGE => {
                out.eku = Some(ExtendedKeyUsage::from_der(value).map_err(ext_err)?.0)
            }
            oid::SUBJECT_ALT_NAME => {
                let san = SubjectAltName::from_der(value).map_err(ext_err)?;
                for name in san.0 {
                    match name {
                        GeneralName::DnsName(d) => out.san_dns.push(d.as_str().to_string()),
                        GeneralName::IpAddress(ip) => {
                            out.san_ip.push(ip_from_bytes(ip.as_bytes()).ok_or_else(|| {
                                bad(format!(
                                    "certificate '{}': iPAddress SAN of {} bytes",
                                    name_str(subject),
                                    ip.as_bytes().len()
                                ))
                            })?)
                        }
                        GeneralName::Rfc822Name(m) => out.san_email.push(m.to_string()),
                        GeneralName::UniformResourceIdentifier(u) => {
                            out.san_uri.push(u.to_string())
                        }
                        GeneralName::DirectoryName(n) => {
                            out.san_dir.push(n.to_der().map_err(ext_err)?)
                        }
                        GeneralName::OtherName(_) => out.san_unsupported.push(OTHER_NAME),
                        GeneralName::EdiPartyName(_) => out.san_unsupported.push(EDI_PARTY_NAME),
                        GeneralName::RegisteredId(_) => out.san_unsupported.push(REGISTERED_ID),
                    }
                }
            }
            oid::NAME_CONSTRAINTS => {
                let nc = NameConstraints::from_der(value).map_err(ext_err)?;
                out.name_constraints = Some(Constraints::from_x509(&nc).map_err(|reason| {
                    bad(format!("certificate '{}': {reason}", name_str(subject)))
                })?)
            }
            oid::SUBJECT_KEY_ID => {
                out.ski = Some(
                    SubjectKeyIdentifier::from_der(value)
                        .map_err(ext_err)?
                        .0
                        .as_bytes()
                        .to_vec(),
                )
            }
            oid::AUTHORITY_KEY_ID => {
                let aki = AuthorityKeyIdentifier::from_der(value).map_err(ext_err)?;
                out.aki_issuer_serial = aki.authority_cert_issuer.is_some()
                    || aki.authority_cert_serial_number.is_some();
                out.aki = aki.key_identifier.map(|k| k.as_bytes().to_vec())
            }
            // Decoded only to refuse garbage (profile.rs): we never
            // fetch anything it names.
            oid::AUTHORITY_INFO_ACCESS => {
                out.aia_invalid =
                    AuthorityInfoAccessSyntax::from_der(value).map_or(true, |aia| aia.0.is_empty());
            }
            oid::CRL_DISTRIBUTION_POINTS => {
                let dps = CrlDistributionPoints::from_der(value).map_err(ext_err)?;
                for dp in dps.0 {
                    if let Some(name) = dp.distribution_point {
                        out.crl_dps.push(name.to_der().map_err(ext_err)?);
                    }
                }
            }
            // What each policy extension means for us: policy.rs.
            oid::CERTIFICATE_POLICIES => {
                if critical {
                    policy_result(out, policy::certificate_policies(value)).map_err(ext_err)?;
                }
            }
            oid::POLICY_MAPPINGS => {
                policy_result(out, policy::policy_mappings(value)).map_err(ext_err)?;
            }
            oid::INHIBIT_ANY_POLICY => {
                policy_result(out, policy::inhibit_any_policy(value)).map_err(ext_err)?;
            }
            oid::POLICY_CONSTRAINTS => {
                out.require_explicit_policy = policy_result(out, policy::policy_constraints(value))
                    .map_err(ext_err)?
                    .flatten()
            }
            other => {
                if critical && out.unknown_critical.is_none() {
                    out.unknown_critical = Some(other.to_string());
                }
            }
        }
    }
    Ok(())
}

/// What the DER walk read of an extension (see
/// [`super::fast_parse::walk_extension`]), recorded as the decode below
/// records the same extension.
fn apply_walked(out: &mut ParsedCert, walked: Walked<'_>) {
    match walked {
        Walked::Ski(id) => out.ski = Some(id.to_vec()),
        Walked::AkiKeyId(id) => {
            out.aki_issuer_serial = false;
            out.aki = Some(id.to_vec());
        }
        Walked::San(names) => {
            for (tag, v) in names {
                if tag == SAN_DNS {
                    out.san_dns.push(String::from_utf8_lossy(v).into_owned());
                } else if let Some(ip) = ip_from_bytes(v) {
                    out.san_ip.push(ip);
                }
            }
        }
    }
}

/// Records a policy refusal (checked with the critical extensions, so a trust
/// anchor is not refused for it); passes a decoding error on. `Ok(None)`
/// when refused.
fn policy_result<T>(
    out: &mut ParsedCert,
    r: Result<T, PolicyIssue>,
) -> Result<Option<T>, x509_cert::der::Error> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(PolicyIssue::Decode(e)) => Err(e),
        Err(PolicyIssue::Refuse(reason)) => {
            out.policy_refusal.get_or_insert(reason);
            Ok(None)
        }
    }
}

/// The emailAddress attributes of a subject name.
fn subject_emails(subject: &x509_cert::name::Name) -> Vec<String> {
    subject_attrs(subject, oid::EMAIL_ADDRESS)
}

/// The values of the `attr` attributes of a subject name (lossy UTF-8).
fn subject_attrs(subject: &x509_cert::name::Name, attr: ObjectIdentifier) -> Vec<String> {
    subject
        .0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .filter(|atv| atv.oid == attr)
        .map(|atv| String::from_utf8_lossy(atv.value.value()).into_owned())
        .collect()
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
pub(crate) mod tests {
    use super::*;

    #[test]
    fn tlv_rejects_truncation_and_huge_lengths() {
        assert!(read_tlv(&[]).is_none());
        assert!(read_tlv(&[0x30]).is_none());
        assert!(read_tlv(&[0x30, 0x05, 1, 2]).is_none());
        assert!(read_tlv(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_none());
        assert!(read_tlv(&[0x30, 0x80]).is_none());
        let t = read_tlv(&[0x30, 0x02, 1, 2, 9]).expect("valid");
        assert_eq!(t.value, &[1, 2]);
        assert_eq!(t.whole, &[0x30, 0x02, 1, 2]);
        assert_eq!(t.rest, &[9]);
    }

    /// Every certificate in certs/ with its file, and inputs that are no
    /// certificate: what the DER shortcuts (here and in `key_view`) are
    /// checked against the full decode with.
    pub(crate) fn test_certificates() -> Vec<(String, Vec<u8>)> {
        use rustls_pki_types::pem::PemObject;
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");
        let mut all = Vec::new();
        for entry in std::fs::read_dir(dir).expect("certs/") {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|e| e != "pem") {
                continue;
            }
            let Ok(certs) = rustls_pki_types::CertificateDer::pem_file_iter(&path) else {
                continue;
            };
            for c in certs.flatten() {
                all.push((path.display().to_string(), c.as_ref().to_vec()));
            }
        }
        assert!(all.len() >= 5, "only {} certificates in certs/", all.len());
        all
    }

    /// Inputs that are no certificate.
    pub(crate) const NOT_CERTIFICATES: [&[u8]; 4] =
        [b"", b"\x30\x03\x02\x01", b"hello world", &[0x30, 0x00]];

    /// The shortcut reads the same period as the full decode, for every
    /// certificate in certs/, and gives up (None) on anything else.
    #[test]
    fn validity_of_matches_the_full_decode() {
        for (file, der) in test_certificates() {
            let full = ParsedCert::parse(&der).expect("parses");
            assert_eq!(
                validity_of(&der),
                Some((full.not_before, full.not_after)),
                "{file}"
            );
        }
        for bad in NOT_CERTIFICATES {
            assert_eq!(validity_of(bad), None);
        }
    }

    /// The signed bytes are exactly x509-cert's TBSCertificate, for every
    /// certificate in certs/.
    #[test]
    fn tbs_is_the_signed_tbs_certificate() {
        for (file, der) in test_certificates() {
            let cert = Certificate::from_der(&der).expect("decodes");
            let want = cert.tbs_certificate.to_der().expect("encodes");
            assert_eq!(
                ParsedCert::parse(&der).expect("parses").tbs(),
                want,
                "{file}"
            );
            assert_eq!(
                ParsedCert::parse_full(&der).expect("parses").tbs(),
                want,
                "{file}"
            );
        }
        assert_eq!(tbs_span(b""), None);
        assert_eq!(tbs_span(&[0x30, 0x00]), None);
    }

    #[test]
    fn garbage_is_bad_encoding() {
        for input in NOT_CERTIFICATES {
            assert!(matches!(
                ParsedCert::parse(input),
                Err(CertificateError::BadEncoding { .. })
            ));
        }
    }
}

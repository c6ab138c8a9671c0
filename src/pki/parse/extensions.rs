//! Reading a certificate's extensions, for both decodes.

use x509_cert::der::asn1::ObjectIdentifier;
use x509_cert::der::Decode;
use x509_cert::ext::pkix::crl::CrlDistributionPoints;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage,
    KeyUsage, NameConstraints, SubjectAltName, SubjectKeyIdentifier,
};

use super::{bad, ip_from_bytes, known, oid, ParsedCert};
use crate::pki::constraints::{Constraints, EDI_PARTY_NAME, OTHER_NAME, REGISTERED_ID};
use crate::pki::error::CertificateError;
use crate::pki::fast_parse::{walk_extension, Walked};
use crate::pki::layout::{extension_entries, Region};
use crate::pki::policy::{self, PolicyIssue};

/// Records each extension of the Extensions SEQUENCE contents `list`
/// (refusing a second of the same OID) and decodes the ones we understand,
/// exactly once. `subject` names the certificate in errors. Shared by the
/// full decode and the walk (`fast_parse`) through
/// [`ParsedCert::from_fields`], so both read extensions the same way.
pub(super) fn apply_extensions(
    out: &mut ParsedCert,
    subject: impl Fn() -> String,
    list: Region<'_>,
    walked: bool,
) -> Result<(), CertificateError> {
    for (i, (id, critical, value)) in extension_entries(list).enumerate() {
        // A known extension is recorded by its bit; another is compared
        // with the extensions before it (a handful: cheaper than a list).
        let (extn_id, duplicate) = match known(id) {
            Some((extn_id, bit)) => {
                let seen = out.known_present & bit != 0;
                out.known_present |= bit;
                if critical {
                    out.known_critical |= bit;
                }
                (extn_id, seen)
            }
            None => (
                ObjectIdentifier::from_bytes(id)
                    .map_err(|e| bad(format!("certificate '{}': extension OID: {e}", subject())))?,
                extension_entries(list).take(i).any(|(o, ..)| o == id),
            ),
        };
        if duplicate {
            return Err(bad(format!(
                "certificate '{}': duplicate extension {extn_id}",
                subject()
            )));
        }
        // The DER walk reads a few extensions of the common shape itself
        // (fast_parse::walk_extension); the fuzzers check it against this
        // decode (ParsedCert::parse).
        if let Some(w) = walked.then(|| walk_extension(extn_id, value)).flatten() {
            apply_walked(out, w);
            continue;
        }
        let ext_err = |e: x509_cert::der::Error| {
            bad(format!(
                "certificate '{}': extension {extn_id}: {e}",
                subject()
            ))
        };
        let lost = || {
            bad(format!(
                "certificate '{}': extension {extn_id}: cannot locate its value",
                subject()
            ))
        };
        // The contents of the value's one TLV, which the decode just read.
        let contents = || value.read().map(|t| t.value).ok_or_else(lost);
        let bytes = value.bytes;
        match extn_id {
            oid::BASIC_CONSTRAINTS => {
                out.basic_constraints = Some(BasicConstraints::from_der(bytes).map_err(ext_err)?)
            }
            oid::KEY_USAGE => out.key_usage = Some(KeyUsage::from_der(bytes).map_err(ext_err)?),
            oid::EXT_KEY_USAGE => {
                ExtendedKeyUsage::from_der(bytes).map_err(ext_err)?;
                out.eku = Some(contents()?.span());
            }
            oid::SUBJECT_ALT_NAME => {
                let san = SubjectAltName::from_der(bytes).map_err(ext_err)?;
                for name in san.0 {
                    match name {
                        GeneralName::IpAddress(ip) if ip_from_bytes(ip.as_bytes()).is_none() => {
                            return Err(bad(format!(
                                "certificate '{}': iPAddress SAN of {} bytes",
                                subject(),
                                ip.as_bytes().len()
                            )))
                        }
                        GeneralName::OtherName(_) => out.san_unsupported.push(OTHER_NAME),
                        GeneralName::EdiPartyName(_) => out.san_unsupported.push(EDI_PARTY_NAME),
                        GeneralName::RegisteredId(_) => out.san_unsupported.push(REGISTERED_ID),
                        _ => {}
                    }
                }
                out.san = Some(contents()?.span());
            }
            oid::NAME_CONSTRAINTS => {
                let nc = NameConstraints::from_der(bytes).map_err(ext_err)?;
                out.name_constraints = Some(
                    Constraints::from_x509(&nc)
                        .map_err(|reason| bad(format!("certificate '{}': {reason}", subject())))?,
                )
            }
            oid::SUBJECT_KEY_ID => {
                SubjectKeyIdentifier::from_der(bytes).map_err(ext_err)?;
                out.ski = Some(contents()?.span());
            }
            oid::AUTHORITY_KEY_ID => {
                let aki = AuthorityKeyIdentifier::from_der(bytes).map_err(ext_err)?;
                out.aki_issuer_serial = aki.authority_cert_issuer.is_some()
                    || aki.authority_cert_serial_number.is_some();
                // keyIdentifier [0] IMPLICIT, the first field when present.
                out.aki = match aki.key_identifier {
                    Some(_) => Some(
                        contents()?
                            .read()
                            .filter(|k| k.tag == 0x80)
                            .map(|k| k.value.span())
                            .ok_or_else(lost)?,
                    ),
                    None => None,
                }
            }
            // Decoded only to refuse garbage (profile.rs): we never
            // fetch anything it names.
            oid::AUTHORITY_INFO_ACCESS => {
                out.aia_invalid =
                    AuthorityInfoAccessSyntax::from_der(bytes).map_or(true, |aia| aia.0.is_empty());
            }
            oid::CRL_DISTRIBUTION_POINTS => {
                CrlDistributionPoints::from_der(bytes).map_err(ext_err)?;
                out.crl_dps = Some(contents()?.span());
            }
            // What each policy extension means for us: policy.rs.
            oid::CERTIFICATE_POLICIES => {
                if critical {
                    policy_result(out, policy::certificate_policies(bytes)).map_err(ext_err)?;
                }
            }
            oid::POLICY_MAPPINGS => {
                policy_result(out, policy::policy_mappings(bytes)).map_err(ext_err)?;
            }
            oid::INHIBIT_ANY_POLICY => {
                policy_result(out, policy::inhibit_any_policy(bytes)).map_err(ext_err)?;
            }
            oid::POLICY_CONSTRAINTS => {
                out.require_explicit_policy = policy_result(out, policy::policy_constraints(bytes))
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
/// [`walk_extension`]), recorded as the decode above
/// records the same extension.
fn apply_walked(out: &mut ParsedCert, walked: Walked) {
    match walked {
        Walked::Ski(id) => out.ski = Some(id),
        Walked::AkiKeyId(id) => {
            out.aki_issuer_serial = false;
            out.aki = Some(id);
        }
        Walked::San(names) => out.san = Some(names),
        Walked::Eku(purposes) => out.eku = Some(purposes),
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

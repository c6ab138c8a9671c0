//! CRL unit tests: malformed input, refused CRL kinds and distribution-point scope.

use std::sync::Arc;
use std::time::Duration;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, CertificateRevocationListParams,
    CrlDistributionPoint, CrlIssuingDistributionPoint, CrlScope, DistinguishedName, DnType, IsCa,
    KeyIdMethod, KeyPair, RevokedCertParams, SerialNumber,
};
use x509_cert::der::asn1::{BitString, ObjectIdentifier, OctetString};
use x509_cert::der::{Decode, Encode};
use x509_cert::ext::Extension;

use super::*;

/// 2025-06-15T15:06:40Z.
const NOW: u64 = 1_750_000_000;

struct Ca {
    cert: rcgen::Certificate,
    key: KeyPair,
}

fn params(cn: &str, ca: bool) -> CertificateParams {
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    // A leaf's commonName would have to be one of its subjectAltNames
    // (Baseline Requirements 7.1.4.3): leaves are named by organization.
    dn.push(
        if ca {
            DnType::CommonName
        } else {
            DnType::OrganizationName
        },
        cn,
    );
    p.distinguished_name = dn;
    p.not_before = date_time_ymd(2024, 1, 1);
    p.not_after = date_time_ymd(2027, 1, 1);
    p.use_authority_key_identifier_extension = true;
    if ca {
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    } else {
        p.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        p.subject_alt_names = vec![rcgen::SanType::DnsName(
            "example.com".try_into().expect("ia5"),
        )];
    }
    p
}

fn root() -> Ca {
    let key = KeyPair::generate().expect("key");
    let cert = params("CRL Test Root", true)
        .self_signed(&key)
        .expect("root");
    Ca { cert, key }
}

fn crl_params(revoked: &[u64]) -> CertificateRevocationListParams {
    CertificateRevocationListParams {
        this_update: date_time_ymd(2025, 6, 1),
        next_update: date_time_ymd(2025, 7, 1),
        crl_number: SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: revoked
            .iter()
            .map(|&s| RevokedCertParams {
                serial_number: SerialNumber::from(s),
                revocation_time: date_time_ymd(2025, 1, 1),
                reason_code: Some(rcgen::RevocationReason::KeyCompromise),
                invalidity_date: None,
            })
            .collect(),
        key_identifier_method: KeyIdMethod::Sha256,
    }
}

fn sign_crl(p: CertificateRevocationListParams, ca: &Ca) -> Vec<u8> {
    p.signed_by(&ca.cert, &ca.key)
        .expect("crl")
        .der()
        .as_ref()
        .to_vec()
}

/// Adds a CRL extension and re-signs with the CA's P-256 key.
fn with_crl_extension(crl: &[u8], ca: &Ca, oid: &str, critical: bool, value: &[u8]) -> Vec<u8> {
    let mut c = x509_cert::crl::CertificateList::from_der(crl).expect("decode");
    let ext = Extension {
        extn_id: ObjectIdentifier::new(oid).expect("oid"),
        critical,
        extn_value: OctetString::new(value.to_vec()).expect("octets"),
    };
    c.tbs_cert_list
        .crl_extensions
        .get_or_insert_with(Vec::new)
        .push(ext);
    let tbs = c.tbs_cert_list.to_der().expect("tbs");
    let signer = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &ca.key.serialize_der())
        .expect("signer");
    let sig = signer.sign(&SystemRandom::new(), &tbs).expect("sign");
    c.signature = BitString::from_bytes(sig.as_ref()).expect("bits");
    c.to_der().expect("encode")
}

fn check(
    roots: &RootStore,
    leaf: &CertificateDer<'_>,
    crls: &[Vec<u8>],
) -> Result<VerifiedPath, CertificateError> {
    let mut set = CrlSet::new();
    for c in crls {
        set.add_der(c).expect("add");
    }
    let opts = VerifyOptions::new().with_revocation(RevocationOptions {
        crls: Arc::new(set),
        depth: RevocationDepth::EndEntityOnly,
        unknown_status: UnknownStatus::Deny,
    });
    verify_chain_with(
        roots,
        leaf,
        &[],
        None,
        UnixTime::since_unix_epoch(Duration::from_secs(NOW)),
        KeyPurpose::ServerAuth,
        &opts,
    )
}

fn setup() -> (Ca, RootStore) {
    let ca = root();
    let mut roots = RootStore::new();
    roots.add(ca.cert.der().clone()).expect("root");
    (ca, roots)
}

fn leaf(ca: &Ca, serial: u64, dps: &[&str]) -> CertificateDer<'static> {
    let mut p = params("leaf", false);
    p.serial_number = Some(SerialNumber::from(serial));
    p.crl_distribution_points = dps
        .iter()
        .map(|u| CrlDistributionPoint {
            uris: vec![u.to_string()],
        })
        .collect();
    p.signed_by(&KeyPair::generate().expect("key"), &ca.cert, &ca.key)
        .expect("leaf")
        .der()
        .clone()
}

#[test]
fn malformed_crls_never_panic() {
    let (ca, _) = setup();
    let good = sign_crl(crl_params(&[5, 6, 7]), &ca);
    let mut set = CrlSet::new();
    assert_eq!(set.add_der(&good), Ok(()));
    assert_eq!(set.add_der(&good), Ok(()));
    assert_eq!(set.len(), 1);
    for n in 0..good.len() {
        assert!(set.add_der(&good[..n]).is_err());
    }
    for i in 0..good.len() {
        let mut m = good.clone();
        if let Some(b) = m.get_mut(i) {
            *b ^= 0x5a;
        }
        let _ = set.add_der(&m);
    }
    for input in [&b""[..], b"\x30\x00", b"\x30\x80\x00\x00", &[0xff; 16]] {
        assert!(matches!(
            CrlSet::new().add_der(input),
            Err(CertificateError::BadEncoding { .. })
        ));
    }
    // Corrupted CRLs that still decode are simply not applicable.
    let (ca2, roots) = setup();
    let l = leaf(&ca2, 5, &[]);
    let mut any_decoded = CrlSet::new();
    let crl = sign_crl(crl_params(&[5]), &ca2);
    for i in 0..crl.len() {
        let mut m = crl.clone();
        if let Some(b) = m.get_mut(i) {
            *b ^= 0x01;
        }
        if any_decoded.add_der(&m).is_ok() {
            let r = check(&roots, &l, &[m]);
            assert!(
                matches!(
                    r,
                    Err(CertificateError::Revoked { .. })
                        | Err(CertificateError::RevocationStatusUnknown { .. })
                ),
                "byte {i}: {r:?}"
            );
        }
    }
}

#[test]
fn delta_and_unknown_critical_crls_refused() {
    let (ca, roots) = setup();
    let base = sign_crl(crl_params(&[]), &ca);
    // deltaCRLIndicator BaseCRLNumber 1.
    let delta = with_crl_extension(&base, &ca, "2.5.29.27", true, &[0x02, 0x01, 0x01]);
    assert!(matches!(
        CrlSet::new().add_der(&delta),
        Err(CertificateError::Other(ref s)) if s.contains("delta")
    ));
    let unknown = with_crl_extension(&base, &ca, "1.2.3.4", true, &[0x05, 0x00]);
    assert_eq!(
        CrlSet::new().add_der(&unknown),
        Err(CertificateError::UnknownCriticalExtension {
            subject: "CRL issued by CN=CRL Test Root".into(),
            oid: "1.2.3.4".into()
        })
    );
    // The same extension, not critical, is fine and the re-signed CRL applies.
    let benign = with_crl_extension(&base, &ca, "1.2.3.4", false, &[0x05, 0x00]);
    let l = leaf(&ca, 9, &[]);
    assert!(check(&roots, &l, &[benign]).is_ok());
    // indirectCRL [4] TRUE: kept but never consulted.
    let indirect = with_crl_extension(
        &base,
        &ca,
        "2.5.29.28",
        true,
        &[0x30, 0x03, 0x84, 0x01, 0xff],
    );
    assert!(matches!(
        check(&roots, &l, &[indirect]),
        Err(CertificateError::RevocationStatusUnknown { .. })
    ));
}

#[test]
fn issuing_distribution_point_scope() {
    let (ca, roots) = setup();
    let l = leaf(&ca, 9, &["http://crl.example/a.crl"]);
    let scoped = |scope: Option<CrlScope>, uri: &str| {
        let mut p = crl_params(&[]);
        p.issuing_distribution_point = Some(CrlIssuingDistributionPoint {
            distribution_point: CrlDistributionPoint {
                uris: vec![uri.to_string()],
            },
            scope,
        });
        sign_crl(p, &ca)
    };
    // Matching distribution point, user certificates: applies.
    let user = scoped(Some(CrlScope::UserCertsOnly), "http://crl.example/a.crl");
    assert!(check(&roots, &l, &[user]).is_ok());
    let any = scoped(None, "http://crl.example/a.crl");
    assert!(check(&roots, &l, &[any]).is_ok());
    // CA-only CRL or another partition: not applicable.
    for crl in [
        scoped(Some(CrlScope::CaCertsOnly), "http://crl.example/a.crl"),
        scoped(None, "http://crl.example/b.crl"),
    ] {
        assert!(matches!(
            check(&roots, &l, &[crl]),
            Err(CertificateError::RevocationStatusUnknown { .. })
        ));
    }
    // A leaf without cRLDistributionPoints is not covered by a partitioned CRL.
    let plain = leaf(&ca, 10, &[]);
    assert!(matches!(
        check(&roots, &plain, &[scoped(None, "http://crl.example/a.crl")]),
        Err(CertificateError::RevocationStatusUnknown { .. })
    ));
}

#[test]
fn issuer_without_crl_sign_is_ignored() {
    let key = KeyPair::generate().expect("key");
    let mut p = params("No CRL Sign Root", true);
    p.key_usages = vec![rcgen::KeyUsagePurpose::KeyCertSign];
    let ca = Ca {
        cert: p.self_signed(&key).expect("root"),
        key,
    };
    let mut roots = RootStore::new();
    roots.add(ca.cert.der().clone()).expect("root");
    let l = leaf(&ca, 5, &[]);
    // rcgen refuses to sign a CRL with a key lacking cRLSign: sign with a
    // twin certificate that has no keyUsage (same name and key).
    let twin = Ca {
        cert: params("No CRL Sign Root", true)
            .self_signed(&ca.key)
            .expect("twin"),
        key: KeyPair::try_from(ca.key.serialize_der().as_slice()).expect("key"),
    };
    let crl = sign_crl(crl_params(&[5]), &twin);
    assert!(matches!(
        check(&roots, &l, &[crl]),
        Err(CertificateError::RevocationStatusUnknown { .. })
    ));
}

#[test]
fn revocation_errors_display_and_alerts() {
    use crate::proto::wire::enums::AlertDescription;
    let r = CertificateError::Revoked {
        subject: "CN=x".into(),
        serial: "0A".into(),
    };
    assert_eq!(r.alert(), AlertDescription::CertificateRevoked);
    assert_eq!(
        r.to_string(),
        "certificate 'CN=x' (serial 0A) has been revoked"
    );
    let u = CertificateError::RevocationStatusUnknown {
        subject: "CN=x".into(),
    };
    assert_eq!(u.alert(), AlertDescription::CertificateUnknown);
    assert!(u.to_string().contains("unknown"));
    assert_eq!(
        crate::Error::from(r).alert(),
        Some(AlertDescription::CertificateRevoked)
    );
}

/// A cached acceptance of a CRL-checked chain ends where the CRLs could
/// change the answer, even with a TTL far beyond: after the nextUpdate of
/// the CRL consulted, and when a CRL that was not yet current becomes so.
#[test]
fn cached_acceptance_ends_at_crl_updates() {
    const JUNE_1: u64 = 1_748_736_000;
    const JUNE_20: u64 = JUNE_1 + 19 * 86_400;
    const JULY_1: u64 = 1_751_328_000;
    let at = |secs| UnixTime::since_unix_epoch(Duration::from_secs(secs));
    let (ca, roots) = setup();
    let roots = Arc::new(roots);
    let l = leaf(&ca, 5, &[]);
    let name = ServerName::try_from("example.com").expect("name");
    let verifier = |crls: &[Vec<u8>]| {
        let mut set = CrlSet::new();
        for c in crls {
            set.add_der(c).expect("add");
        }
        DefaultServerVerifier::new(roots.clone())
            .with_revocation(RevocationOptions {
                crls: Arc::new(set),
                depth: RevocationDepth::EndEntityOnly,
                unknown_status: UnknownStatus::Deny,
            })
            .with_verification_cache(8)
            .with_verification_cache_ttl(Duration::from_secs(365 * 86_400))
    };
    let stats = |v: &DefaultServerVerifier| {
        let s = v.verification_cache_stats().expect("on");
        (s.hits, s.misses)
    };

    // June 1 .. July 1, not revoking serial 5.
    let current = sign_crl(crl_params(&[]), &ca);
    let v = verifier(std::slice::from_ref(&current));
    assert_eq!(v.verify_server_cert(&l, &[], &name, at(NOW)), Ok(()));
    assert_eq!(v.verify_server_cert(&l, &[], &name, at(JULY_1)), Ok(()));
    assert_eq!(stats(&v), (1, 1));
    assert_eq!(
        v.verify_server_cert(&l, &[], &name, at(JULY_1 + 1)),
        Err(CertificateError::RevocationStatusUnknown {
            subject: "O=leaf".into()
        })
    );
    assert_eq!(stats(&v), (1, 2));

    // The same, plus a CRL from June 20 that revokes serial 5.
    let mut later = crl_params(&[5]);
    later.this_update = rcgen::date_time_ymd(2025, 6, 20);
    later.crl_number = SerialNumber::from(2u64);
    let v = verifier(&[current, sign_crl(later, &ca)]);
    assert_eq!(v.verify_server_cert(&l, &[], &name, at(NOW)), Ok(()));
    assert_eq!(
        v.verify_server_cert(&l, &[], &name, at(JUNE_20 - 1)),
        Ok(())
    );
    assert_eq!(stats(&v), (1, 1));
    assert!(matches!(
        v.verify_server_cert(&l, &[], &name, at(JUNE_20)),
        Err(CertificateError::Revoked { .. })
    ));
    assert_eq!(stats(&v), (1, 2));
}

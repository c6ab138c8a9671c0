//! Tests of the certificate decode shared by both paths.

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
}

/// Each extension we understand has its own bit, found by its OID.
#[test]
fn known_extensions_have_their_bits() {
    let all = [
        oid::BASIC_CONSTRAINTS,
        oid::KEY_USAGE,
        oid::EXT_KEY_USAGE,
        oid::SUBJECT_ALT_NAME,
        oid::NAME_CONSTRAINTS,
        oid::CERTIFICATE_POLICIES,
        oid::POLICY_CONSTRAINTS,
        oid::INHIBIT_ANY_POLICY,
        oid::AUTHORITY_KEY_ID,
        oid::SUBJECT_KEY_ID,
        oid::CRL_DISTRIBUTION_POINTS,
        oid::POLICY_MAPPINGS,
        oid::AUTHORITY_INFO_ACCESS,
    ];
    let mut bits = 0u16;
    for id in all {
        let (found, bit) = known(id.as_bytes()).expect("known");
        assert_eq!(found, id);
        assert_eq!(bits & bit, 0, "{id} shares a bit");
        bits |= bit;
    }
    assert_eq!(known(oid::COMMON_NAME.as_bytes()), None);
    assert_eq!(known(oid::KP_SERVER_AUTH.as_bytes()), None);
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

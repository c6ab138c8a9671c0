//! Issue 11, the corpus cases of the trust-anchor, key-identifier and key
//! rules (RFC 5280 4.2.1.1, 4.2.1.2, 4.2.1.9; CA/Browser Forum 6.1.5,
//! 7.1.2.1): a reason, a passing and a failing certificate, the exact error.

mod pki_support;

use lctls::pki::{CertificateError, ProfileRule, RootStore};
use lctls::proto::enums::AlertDescription;
use pki_support::forge::*;
use pki_support::rules::*;
use pki_support::*;
use rcgen::{date_time_ymd, KeyPair};

// ------------------------------------------------------------ trust anchors

#[test]
fn trust_anchor_rules() {
    let p = pki();
    let ski = ext_value(&p.root.der(), SKI);
    // The SKI extension value is an OCTET STRING holding the identifier.
    let keyid = ski[2..].to_vec();

    let mut expired = ca_params("Expired Root");
    expired.not_before = date_time_ymd(2020, 1, 1);
    expired.not_after = date_time_ymd(2025, 1, 1);
    let old = self_signed(expired, KeyPair::generate().expect("key"));
    let int = ca(ca_params("Rules Intermediate"), &old);
    let l = leaf(vec![dns("example.com")], &int);
    case(
        "an expired root is no trust anchor (RFC 5280 6.1.1 as applied by CABF)",
        p.ok(),
        v(&store(&[&old]), &l, &[int.der()]),
        CertificateError::Expired {
            subject: "CN=Expired Root".into(),
            not_after: "2025-01-01T00:00:00Z".into(),
            now: "2025-06-15T15:06:40Z".into(),
        },
    );
    case(
        "a root needs basicConstraints (RFC 5280 4.2.1.9)",
        p.ok(),
        p.with_root(|t| remove_ext(t, BC)),
        profile(TA, ROOT_NAME, ProfileRule::MissingBasicConstraints),
    );
    case(
        "a root's basicConstraints must be critical (RFC 5280 4.2.1.9)",
        p.with_root(|t| set_critical(t, BC, true)),
        p.with_root(|t| set_critical(t, BC, false)),
        profile(TA, ROOT_NAME, ProfileRule::BasicConstraintsNotCritical),
    );
    case(
        "keyCertSign without cA=TRUE is inconsistent (RFC 5280 4.2.1.3)",
        p.with_root(|t| set_ext(t, KU, true, vec![0x03, 0x02, 0x01, 0x06])),
        p.with_root(|t| {
            set_ext(t, BC, true, vec![0x30, 0x00]);
            set_ext(t, KU, true, vec![0x03, 0x02, 0x02, 0x04]);
        }),
        profile(TA, ROOT_NAME, ProfileRule::KeyCertSignWithoutCa),
    );
    case(
        "a root asserting cA=FALSE is no CA (RFC 5280 4.2.1.9)",
        p.ok(),
        p.with_root(|t| set_ext(t, BC, true, vec![0x30, 0x00])),
        profile(TA, ROOT_NAME, ProfileRule::AnchorNotCa),
    );
    case(
        "a root's keyUsage must allow keyCertSign (RFC 5280 4.2.1.3)",
        p.with_root(|t| set_ext(t, KU, true, vec![0x03, 0x02, 0x01, 0x06])),
        p.with_root(|t| set_ext(t, KU, true, vec![0x03, 0x02, 0x07, 0x80])),
        profile(TA, ROOT_NAME, ProfileRule::CaWithoutKeyCertSign),
    );
    case(
        "an unknown critical extension refuses a root too (RFC 5280 4.2)",
        p.with_root(|t| set_ext(t, "1.2.3.4.5", false, vec![0x05, 0x00])),
        p.with_root(|t| set_ext(t, "1.2.3.4.5", true, vec![0x05, 0x00])),
        CertificateError::UnknownCriticalExtension {
            subject: ROOT_NAME.into(),
            oid: "1.2.3.4.5".into(),
        },
    );
    let server_auth = tlv(0x30, &[0x06, 0x08, 0x2b, 6, 1, 5, 5, 7, 3, 1]);
    case(
        "a root carries no extendedKeyUsage (CABF 7.1.2.1.2)",
        p.ok(),
        p.with_root(|t| set_ext(t, EKU, false, server_auth.clone())),
        profile(TA, ROOT_NAME, ProfileRule::AnchorHasExtendedKeyUsage),
    );
    let mut eku_root = RootStore::new();
    eku_root
        .add(resign(&p.root.der(), &p.root, |t| {
            set_ext(t, EKU, false, server_auth.clone())
        }))
        .expect("add");
    assert!(
        v_as(
            &eku_root,
            &p.leaf,
            &[p.int.der()],
            "example.com",
            lctls::pki::KeyPurpose::ClientAuth
        )
        .is_ok(),
        "the client profile leaves a root's extendedKeyUsage to RFC 5280, which allows it"
    );
    case(
        "a root's authorityKeyIdentifier is its own subjectKeyIdentifier (CABF 7.1.2.1.3)",
        p.with_root(|t| set_ext(t, AKI, false, aki_der(&keyid, &[]))),
        p.with_root(|t| set_ext(t, AKI, false, aki_der(&[0x11; 20], &[]))),
        profile(TA, ROOT_NAME, ProfileRule::AnchorAuthorityKeyIdMismatch),
    );
    case(
        "a root's authorityKeyIdentifier carries no issuer and serial (CABF 7.1.2.1.3)",
        p.ok(),
        p.with_root(|t| set_ext(t, AKI, false, aki_der(&keyid, &[0x82, 0x01, 0x01]))),
        profile(TA, ROOT_NAME, ProfileRule::AnchorAuthorityKeyIdIssuerSerial),
    );
    // An intermediate trusted directly is no self-issued root: its
    // authorityKeyIdentifier names its issuer, which the root rule allows.
    let direct = store(&[&p.int]);
    assert!(
        v(&direct, &p.leaf, &[]).is_ok(),
        "the root profile's AKI rule applies to self-issued roots only"
    );
    case(
        "a root needs a subjectKeyIdentifier (RFC 5280 4.2.1.2)",
        p.ok(),
        p.with_root(|t| remove_ext(t, SKI)),
        profile(TA, ROOT_NAME, ProfileRule::MissingSubjectKeyId),
    );
}

// ---------------------------------------------------------- key identifiers

#[test]
fn key_identifier_rules() {
    let p = pki();
    case(
        "authorityKeyIdentifier must not be critical (RFC 5280 4.2.1.1)",
        p.ok(),
        p.with_leaf(|t| set_critical(t, AKI, true)),
        profile(EE, "O=leaf", ProfileRule::CriticalAuthorityKeyId),
    );
    case(
        "subjectKeyIdentifier must not be critical (RFC 5280 4.2.1.2)",
        p.ok(),
        p.with_int(|t| set_critical(t, SKI, true)),
        profile(INT, INT_NAME, ProfileRule::CriticalSubjectKeyId),
    );
    let mut no_aki = leaf_params(vec![dns("example.com")]);
    no_aki.use_authority_key_identifier_extension = false;
    case(
        "a leaf names its issuer's key (RFC 5280 4.2.1.1)",
        p.ok(),
        p.leaf_from(no_aki),
        profile(EE, "O=leaf", ProfileRule::MissingAuthorityKeyId),
    );
    case(
        "an intermediate names its issuer's key (RFC 5280 4.2.1.1)",
        p.ok(),
        p.with_int(|t| remove_ext(t, AKI)),
        profile(INT, INT_NAME, ProfileRule::MissingAuthorityKeyId),
    );
    case(
        "an intermediate has a subjectKeyIdentifier (RFC 5280 4.2.1.2)",
        p.ok(),
        p.with_int(|t| remove_ext(t, SKI)),
        profile(INT, INT_NAME, ProfileRule::MissingSubjectKeyId),
    );
    // A cross-signed root: the new root's name and key, certified by the old.
    let old = root("Old Root");
    let new_key = KeyPair::generate().expect("key");
    let new_der = new_key.serialize_der();
    let new = self_signed(ca_params("New Root"), new_key);
    let cross = ca_with_key(
        ca_params("New Root"),
        KeyPair::try_from(new_der.as_slice()).expect("key"),
        &old,
    );
    let int = ca(ca_params("Rules Intermediate"), &new);
    let l = leaf(vec![dns("example.com")], &int);
    let only_old = store(&[&old]);
    case(
        "a cross-signed root has a subjectKeyIdentifier (RFC 5280 4.2.1.2)",
        v(&only_old, &l, &[int.der(), cross.der()]),
        v(
            &only_old,
            &l,
            &[
                int.der(),
                resign(&cross.der(), &old, |t| remove_ext(t, SKI)),
            ],
        ),
        profile(INT, "CN=New Root", ProfileRule::MissingSubjectKeyId),
    );
}

// --------------------------------------------------------------------- keys

#[test]
fn key_rules() {
    let p = pki();
    let rsa =
        |bits| move |t: &mut x509_cert::TbsCertificate| set_spki(t, RSA_ALG, &rsa_public_key(bits));
    let err = p.with_leaf(rsa(1024)).unwrap_err();
    assert_eq!(err.alert(), AlertDescription::UnsupportedCertificate);
    case(
        "an RSA key has at least 2048 bits (CABF 6.1.5)",
        p.with_leaf(rsa(2048)),
        p.with_leaf(rsa(1024)),
        profile(EE, "O=leaf", ProfileRule::RsaKeyTooSmall { bits: 1024 }),
    );
    case(
        "an RSA modulus is a whole number of octets (CABF 6.1.5)",
        p.with_leaf(rsa(3072)),
        p.with_leaf(rsa(2049)),
        profile(
            EE,
            "O=leaf",
            ProfileRule::RsaModulusNotOctets { bits: 2049 },
        ),
    );
    case(
        "an intermediate's RSA key has at least 2048 bits (CABF 6.1.5)",
        p.ok(),
        p.with_int(rsa(1024)),
        profile(INT, INT_NAME, ProfileRule::RsaKeyTooSmall { bits: 1024 }),
    );
    // id-dsa without parameters, and a key INTEGER.
    let dsa_alg = [
        0x30, 0x09, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01,
    ];
    case(
        "no DSA keys (CABF 6.1.5)",
        p.ok(),
        p.with_leaf(|t| set_spki(t, &dsa_alg, &[0x02, 0x01, 0x05])),
        profile(EE, "O=leaf", ProfileRule::DsaKey),
    );
    // id-ecPublicKey on prime192v1, and an uncompressed point.
    let p192_alg = [
        0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86,
        0x48, 0xce, 0x3d, 0x03, 0x01, 0x01,
    ];
    let point = [&[0x04u8][..], &[0x42; 48]].concat();
    case(
        "no ECDSA P-192 keys (CABF 6.1.5)",
        p.ok(),
        p.with_leaf(|t| set_spki(t, &p192_alg, &point)),
        profile(EE, "O=leaf", ProfileRule::ForbiddenCurve { curve: "P-192" }),
    );
    case(
        "no ECDSA P-192 keys on a CA either (CABF 6.1.5)",
        p.ok(),
        p.with_int(|t| set_spki(t, &p192_alg, &point)),
        profile(
            INT,
            INT_NAME,
            ProfileRule::ForbiddenCurve { curve: "P-192" },
        ),
    );
}

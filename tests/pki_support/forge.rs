//! Certificates rcgen cannot make: a generated certificate decoded with
//! x509-cert, its TBSCertificate edited (an extension made critical,
//! removed or replaced, a serial or key swapped) and signed again with the
//! issuer's ECDSA P-256 key.
#![allow(dead_code)]

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
use lctls::pki::CertificateDer;
use x509_cert::der::asn1::{BitString, ObjectIdentifier, OctetString};
use x509_cert::der::{Decode, Encode};
use x509_cert::ext::Extension;
use x509_cert::{Certificate, TbsCertificate};

use super::Issuer;

pub fn oid(s: &str) -> ObjectIdentifier {
    ObjectIdentifier::new(s).expect("oid")
}

pub const SKI: &str = "2.5.29.14";
pub const KU: &str = "2.5.29.15";
pub const SAN: &str = "2.5.29.17";
pub const BC: &str = "2.5.29.19";
pub const NC: &str = "2.5.29.30";
pub const PC: &str = "2.5.29.36";
pub const EKU: &str = "2.5.29.37";
pub const AKI: &str = "2.5.29.35";
pub const AIA: &str = "1.3.6.1.5.5.7.1.1";

/// Signs `tbs` with the ECDSA P-256 key of `by` (ecdsa-with-SHA256, which
/// is what rcgen put in the certificate's signature fields).
pub fn sign(tbs: &[u8], by: &Issuer) -> Vec<u8> {
    let kp = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &by.key.serialize_der())
        .expect("issuer key is ECDSA P-256");
    kp.sign(&SystemRandom::new(), tbs)
        .expect("sign")
        .as_ref()
        .to_vec()
}

/// `cert` with its TBSCertificate edited by `edit`, signed again by `by`.
pub fn resign(
    cert: &CertificateDer<'_>,
    by: &Issuer,
    edit: impl FnOnce(&mut TbsCertificate),
) -> CertificateDer<'static> {
    let mut c = Certificate::from_der(cert.as_ref()).expect("decode");
    edit(&mut c.tbs_certificate);
    let tbs = c.tbs_certificate.to_der().expect("tbs");
    c.signature = BitString::from_bytes(&sign(&tbs, by)).expect("bits");
    CertificateDer::from(c.to_der().expect("encode"))
}

fn exts(tbs: &mut TbsCertificate) -> &mut Vec<Extension> {
    tbs.extensions.get_or_insert_with(Vec::new)
}

/// Adds extension `id` (or replaces it, in place) with DER contents `value`.
pub fn set_ext(tbs: &mut TbsCertificate, id: &str, critical: bool, value: Vec<u8>) {
    let e = Extension {
        extn_id: oid(id),
        critical,
        extn_value: OctetString::new(value).expect("octets"),
    };
    let list = exts(tbs);
    match list.iter_mut().find(|x| x.extn_id == e.extn_id) {
        Some(x) => *x = e,
        None => list.push(e),
    }
}

/// Removes extension `id`.
pub fn remove_ext(tbs: &mut TbsCertificate, id: &str) {
    let id = oid(id);
    exts(tbs).retain(|x| x.extn_id != id);
}

/// Marks extension `id` (which must be present) critical or not.
pub fn set_critical(tbs: &mut TbsCertificate, id: &str, critical: bool) {
    let id = oid(id);
    let e = exts(tbs)
        .iter_mut()
        .find(|x| x.extn_id == id)
        .expect("extension present");
    e.critical = critical;
}

/// The DER contents of extension `id` of `cert`.
pub fn ext_value(cert: &CertificateDer<'_>, id: &str) -> Vec<u8> {
    let c = Certificate::from_der(cert.as_ref()).expect("decode");
    let id = oid(id);
    c.tbs_certificate
        .extensions
        .unwrap_or_default()
        .into_iter()
        .find(|x| x.extn_id == id)
        .expect("extension present")
        .extn_value
        .as_bytes()
        .to_vec()
}

/// A DER TLV with `tag` around `body` (short or long form length).
pub fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = body.len();
    if n < 0x80 {
        out.push(n as u8);
    } else if n < 0x100 {
        out.extend_from_slice(&[0x81, n as u8]);
    } else {
        out.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]);
    }
    out.extend_from_slice(body);
    out
}

/// Replaces the subject public key with algorithm `alg_der` (a whole
/// AlgorithmIdentifier) and key bits `key`.
pub fn set_spki(tbs: &mut TbsCertificate, alg_der: &[u8], key: &[u8]) {
    let spki = tlv(
        0x30,
        &[alg_der, &tlv(0x03, &[&[0u8][..], key].concat())].concat(),
    );
    tbs.subject_public_key_info =
        x509_cert::spki::SubjectPublicKeyInfoOwned::from_der(&spki).expect("spki");
}

/// A DER RSAPublicKey whose modulus has exactly `bits` bits (never used to
/// verify anything: the key-size rules look only at its length).
pub fn rsa_public_key(bits: usize) -> Vec<u8> {
    let bytes = bits.div_ceil(8);
    let mut n = vec![0xa5u8; bytes];
    let top_bits = bits - (bytes - 1) * 8;
    n[0] = (0xffu16 >> (8 - top_bits)) as u8 | (1 << (top_bits - 1)) as u8;
    if n[0] & 0x80 != 0 {
        n.insert(0, 0);
    }
    tlv(
        0x30,
        &[tlv(0x02, &n), tlv(0x02, &[0x01, 0x00, 0x01])].concat(),
    )
}

/// DER AlgorithmIdentifier of rsaEncryption (NULL parameters).
pub const RSA_ALG: &[u8] = &[
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
];

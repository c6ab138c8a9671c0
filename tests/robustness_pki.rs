//! The certificate, root-store and CRL parsers fed mutated DER and PEM and
//! random bytes: never a panic, and every failure is an error.

mod support;

use lctls::pki::{
    verify_chain, CertificateDer, CrlSet, KeyPurpose, RootStore, ServerName, UnixTime,
};

use support::hostile::*;
use support::{path, pem_certs, roots};

fn mutate_der(rng: &mut Rng, der: &[u8]) -> Vec<u8> {
    let mut v = der.to_vec();
    // Most mutations should land in the structure, not only the signature.
    match rng.below(4) {
        0 => {
            // DER length bytes: find a length octet after a tag and make it extreme.
            for _ in 0..1 + rng.below(3) {
                let i = 1 + rng.below(v.len() - 1);
                v[i] = *rng.pick(&[0x80, 0x81, 0x82, 0x84, 0x88, 0xff, 0x00, 0x7f]);
            }
        }
        _ => mutate_bytes(rng, &mut v),
    }
    v
}

#[test]
fn verify_chain_survives_mutated_der() {
    let roots = roots();
    let chain = pem_certs("server.pem");
    assert_eq!(chain.len(), 2);
    let name = ServerName::try_from("localhost").unwrap();
    let now = UnixTime::now();
    verify_chain(
        &roots,
        &chain[0],
        &chain[1..],
        Some(&name),
        now,
        KeyPurpose::ServerAuth,
    )
    .expect("the unmutated chain verifies");
    let iters = scale(6_000);
    let mut rng = Rng::new(0x5eed_0007);
    let start = std::time::Instant::now();
    let mut passed = 0;
    for it in 0..iters {
        let mut leaf = chain[0].to_vec();
        let mut inter = chain[1].to_vec();
        match it % 3 {
            0 => leaf = mutate_der(&mut rng, &leaf),
            1 => inter = mutate_der(&mut rng, &inter),
            _ => {
                leaf = mutate_der(&mut rng, &leaf);
                inter = mutate_der(&mut rng, &inter);
            }
        }
        let input = [leaf.clone(), inter.clone()].concat();
        guard("verifying a mutated chain", &input, || {
            let leaf = CertificateDer::from(leaf);
            let inters = [CertificateDer::from(inter)];
            let r = verify_chain(
                &roots,
                &leaf,
                &inters,
                Some(&name),
                now,
                KeyPurpose::ServerAuth,
            );
            if r.is_ok() {
                passed += 1;
            }
            // As a root, too.
            let mut store = RootStore::new();
            let _ = store.add(leaf.clone());
            let _ = store.add(inters[0].clone());
            let _ = verify_chain(&store, &leaf, &[], None, now, KeyPurpose::ClientAuth);
        });
    }
    // The few that still verify are mutations that changed nothing (a byte
    // overwritten with its own value).
    eprintln!(
        "{iters} mutated chains ({passed} still verified) in {:?}",
        start.elapsed()
    );
}

#[test]
fn root_store_add_pem_survives_mutated_pem() {
    let mut pems = Vec::new();
    for f in ["ca.pem", "server.pem", "client.pem", "other-ca.pem"] {
        pems.push(std::fs::read(path(f)).unwrap());
    }
    let iters = scale(20_000);
    let mut rng = Rng::new(0x5eed_0008);
    let start = std::time::Instant::now();
    for it in 0..iters {
        let mut pem = rng.pick(&pems).clone();
        match it % 5 {
            // Damage inside the base64: the DER parser sees it.
            0 | 1 => {
                let text = String::from_utf8(pem.clone()).unwrap();
                let mut der_blocks = Vec::new();
                for c in pem_certs_from(&text) {
                    der_blocks.push(mutate_der(&mut rng, &c));
                }
                pem = to_pem(&der_blocks).into_bytes();
            }
            // Damage the text itself.
            _ => mutate_bytes(&mut rng, &mut pem),
        }
        guard("adding mutated PEM roots", &pem, || {
            let mut s = RootStore::new();
            let r = s.add_pem(&pem);
            if let Ok(n) = r {
                assert_eq!(n, s.len());
            }
        });
    }
    eprintln!("{iters} mutated PEM bundles in {:?}", start.elapsed());
}

fn pem_certs_from(text: &str) -> Vec<Vec<u8>> {
    use rustls_pki_types::pem::PemObject;
    CertificateDer::pem_slice_iter(text.as_bytes())
        .filter_map(Result::ok)
        .map(|c| c.to_vec())
        .collect()
}

fn to_pem(ders: &[Vec<u8>]) -> String {
    const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for der in ders {
        let mut b64 = String::new();
        for chunk in der.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = u32::from_be_bytes([0, b[0], b[1], b[2]]);
            for k in 0..4 {
                if k <= chunk.len() {
                    b64.push(B64[(n >> (18 - 6 * k)) as usize & 63] as char);
                } else {
                    b64.push('=');
                }
            }
        }
        out.push_str("-----BEGIN CERTIFICATE-----\n");
        for line in b64.as_bytes().chunks(64) {
            out.push_str(std::str::from_utf8(line).unwrap());
            out.push('\n');
        }
        out.push_str("-----END CERTIFICATE-----\n");
    }
    out
}

fn sample_crl() -> Vec<u8> {
    use rcgen::{
        date_time_ymd, BasicConstraints, CertificateParams, CertificateRevocationListParams, IsCa,
        KeyIdMethod, KeyPair, RevokedCertParams, SerialNumber,
    };
    let key = KeyPair::generate().unwrap();
    let mut p = CertificateParams::default();
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = p.self_signed(&key).unwrap();
    CertificateRevocationListParams {
        this_update: date_time_ymd(2025, 6, 1),
        next_update: date_time_ymd(2025, 7, 1),
        crl_number: SerialNumber::from(7u64),
        issuing_distribution_point: None,
        revoked_certs: (1..4u64)
            .map(|s| RevokedCertParams {
                serial_number: SerialNumber::from(s),
                revocation_time: date_time_ymd(2025, 1, 1),
                reason_code: Some(rcgen::RevocationReason::KeyCompromise),
                invalidity_date: None,
            })
            .collect(),
        key_identifier_method: KeyIdMethod::Sha256,
    }
    .signed_by(&ca, &key)
    .unwrap()
    .der()
    .to_vec()
}

#[test]
fn crl_set_add_der_survives_random_and_mutated_input() {
    let crl = sample_crl();
    let mut set = CrlSet::new();
    set.add_der(&crl).expect("the sample CRL parses");
    let iters = scale(30_000);
    let mut rng = Rng::new(0x5eed_0009);
    let start = std::time::Instant::now();
    for it in 0..iters {
        let input = match it % 4 {
            0 => rng.bytes_upto(0, 400),
            _ => mutate_der(&mut rng, &crl),
        };
        guard("adding a CRL", &input, || {
            let mut s = CrlSet::new();
            if s.add_der(&input).is_ok() {
                assert_eq!(s.len(), 1);
            }
            let _ = s.add_pem(&input);
        });
    }
    eprintln!("{iters} CRL inputs in {:?}", start.elapsed());
}

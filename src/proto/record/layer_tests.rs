//! Tests of record protection.
use super::*;
use crate::proto::crypto::suites::{
    ALL_TLS13_SUITES, TLS13_AES_128_GCM_SHA256, TLS13_AES_256_GCM_SHA384,
    TLS13_CHACHA20_POLY1305_SHA256,
};
use crate::proto::record::codec::RecordCodec;
use bytes::BufMut;
use tokio_util::codec::Decoder;

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

const IV: [u8; 12] = [7; 12];

fn pair(suite: &'static Tls13CipherSuite) -> (RecordLayer, RecordLayer) {
    let key: Vec<u8> = (0..suite.key_len() as u8).collect();
    let mut w = RecordLayer::new();
    w.set_write_key(suite, &key, &IV).unwrap();
    let mut r = RecordLayer::new();
    r.set_read_key(suite, &key, &IV).unwrap();
    (w, r)
}

fn decode_all(buf: &mut BytesMut) -> Vec<OpaqueRecord> {
    let mut c = RecordCodec::new();
    let mut v = Vec::new();
    while let Some(r) = c.decode_eof(buf).unwrap() {
        v.push(r);
    }
    v
}

fn one(buf: &mut BytesMut) -> OpaqueRecord {
    let mut v = decode_all(buf);
    assert_eq!(v.len(), 1);
    v.pop().unwrap()
}

#[test]
fn tls12_round_trip_each_suite_and_tamper() {
    for suite in crate::proto::crypto::suites::ALL_TLS12_SUITES {
        let key: Vec<u8> = (0..suite.aead.key_len() as u8).collect();
        let iv = vec![9u8; suite.fixed_iv_len()];
        let mut w = RecordLayer::new();
        w.set_write_key12(suite, &key, &iv).unwrap();
        let mut r = RecordLayer::new();
        r.set_read_key12(suite, &key, &iv).unwrap();
        let mut buf = BytesMut::new();
        w.seal(ContentType::Handshake, b"finished!", &mut buf)
            .unwrap();
        w.seal(ContentType::ApplicationData, b"data", &mut buf)
            .unwrap();
        let mut recs = decode_all(&mut buf.clone());
        assert_eq!(recs[0].typ, ContentType::Handshake);
        let p = r.open(recs.remove(0)).unwrap();
        assert_eq!(
            (p.typ, &p.payload[..]),
            (ContentType::Handshake, &b"finished!"[..])
        );
        let p = r.open(recs.remove(0)).unwrap();
        assert_eq!(&p.payload[..], b"data");
        // A flipped byte anywhere after the header fails authentication.
        let mut r2 = RecordLayer::new();
        r2.set_read_key12(suite, &key, &iv).unwrap();
        let mut bad = buf.clone();
        bad[HEADER_LEN + 3] ^= 1;
        let rec = decode_all(&mut bad).remove(0);
        assert_eq!(r2.open(rec).unwrap_err(), Error::BadRecordMac);
    }
}

#[test]
fn tls12_open_into() {
    for suite in crate::proto::crypto::suites::ALL_TLS12_SUITES {
        let key: Vec<u8> = (0..suite.aead.key_len() as u8).collect();
        let iv = vec![3u8; suite.fixed_iv_len()];
        let mut w = RecordLayer::new();
        w.set_write_key12(suite, &key, &iv).unwrap();
        let mut r = RecordLayer::new();
        r.set_read_key12(suite, &key, &iv).unwrap();
        let mut buf = BytesMut::new();
        w.seal(ContentType::ApplicationData, b"twelve", &mut buf)
            .unwrap();
        w.seal(ContentType::ApplicationData, b"again", &mut buf)
            .unwrap();
        let recs = decode_all(&mut buf);
        let mut out = [0u8; 32];
        assert_eq!(r.direct_len(&recs[0]), Some(6));
        assert_eq!(
            r.open_into(&recs[0], &mut out).unwrap(),
            (ContentType::ApplicationData, 6)
        );
        assert_eq!(&out[..6], b"twelve");
        assert_eq!(r.open_into(&recs[1], &mut out).unwrap().1, 5);
        assert_eq!(&out[..5], b"again");
    }
}

#[test]
fn open_into_matches_open_and_wipes_on_failure() {
    for suite in ALL_TLS13_SUITES {
        let (mut w, mut r) = pair(suite);
        let (_, mut r2) = pair(suite);
        let mut buf = BytesMut::new();
        w.seal(ContentType::ApplicationData, b"direct", &mut buf)
            .unwrap();
        w.seal(ContentType::Handshake, &[24, 0, 0, 1, 0], &mut buf)
            .unwrap();
        let mut recs = decode_all(&mut buf);
        let mut out = [0xffu8; 64];
        let need = r.direct_len(&recs[0]).unwrap();
        assert_eq!(
            r.open_into(&recs[0], &mut out[..need]).unwrap(),
            (ContentType::ApplicationData, 6)
        );
        assert_eq!(&out[..6], b"direct");
        let (t, n) = r.open_into(&recs[1], &mut out).unwrap();
        assert_eq!(
            (t, &out[..n]),
            (ContentType::Handshake, &[24u8, 0, 0, 1, 0][..])
        );
        // Tampered: BadRecordMac, output wiped, sequence not advanced.
        let mut bad = recs.remove(0);
        bad.payload[0] ^= 1;
        let mut out = [0xffu8; 64];
        assert_eq!(
            r2.open_into(&bad, &mut out).unwrap_err(),
            Error::BadRecordMac
        );
        assert!(out[..need].iter().all(|&b| b == 0));
        assert_eq!(r2.read_seq(), 0);
    }
}

#[test]
fn round_trip_each_suite() {
    for &suite in ALL_TLS13_SUITES {
        let (mut w, mut r) = pair(suite);
        let mut out = BytesMut::new();
        w.seal(ContentType::Handshake, b"hello handshake", &mut out)
            .unwrap();
        w.seal(ContentType::ApplicationData, b"", &mut out).unwrap();
        w.seal(
            ContentType::ApplicationData,
            &[0u8; MAX_PLAINTEXT],
            &mut out,
        )
        .unwrap();
        w.seal(ContentType::Alert, &[1, 0], &mut out).unwrap();
        assert_eq!(w.write_seq(), 4);
        let recs = decode_all(&mut out);
        assert_eq!(recs.len(), 4);
        for rec in &recs {
            assert_eq!(rec.typ, ContentType::ApplicationData);
            assert_eq!(rec.version, 0x0303);
        }
        let p: Vec<PlainRecord> = recs.into_iter().map(|x| r.open(x).unwrap()).collect();
        assert_eq!(p[0].typ, ContentType::Handshake);
        assert_eq!(&p[0].payload[..], b"hello handshake");
        assert_eq!(p[1].typ, ContentType::ApplicationData);
        assert!(p[1].payload.is_empty());
        assert_eq!(p[2].payload.len(), MAX_PLAINTEXT);
        assert!(p[2].payload.iter().all(|&b| b == 0));
        assert_eq!(p[3].typ, ContentType::Alert);
        assert_eq!(&p[3].payload[..], &[1, 0]);
        assert_eq!(r.read_seq(), 4);
    }
}

#[test]
fn open_is_in_place() {
    let (mut w, mut r) = pair(&TLS13_AES_128_GCM_SHA256);
    let mut out = BytesMut::new();
    w.seal(ContentType::ApplicationData, b"in place", &mut out)
        .unwrap();
    let rec = one(&mut out);
    let before = rec.payload.as_ptr();
    let p = r.open(rec).unwrap();
    assert_eq!(p.payload.as_ptr(), before);
    assert_eq!(&p.payload[..], b"in place");
}

#[test]
fn rfc8448_client_finished() {
    let key = unhex("dbfaa693d1762c5b666af5d950258d01");
    let iv: [u8; 12] = unhex("5bd3c71b836e0b76bb73265f").try_into().unwrap();
    let msg = unhex("14000020a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61");
    let expected = unhex(
        "170303003575ec4dc238cce60b298044a71e219c56cc77b0517fe9b93c7a4bfc44d87f38f80338ac98fc46deb384bd1caeacab6867d726c40546",
    );
    let mut w = RecordLayer::new();
    w.set_write_key(&TLS13_AES_128_GCM_SHA256, &key, &iv)
        .unwrap();
    let mut out = BytesMut::from(&b"prefix"[..]);
    w.seal(ContentType::Handshake, &msg, &mut out).unwrap();
    assert_eq!(&out[..6], b"prefix");
    assert_eq!(&out[6..], &expected[..]);

    let mut r = RecordLayer::new();
    r.set_read_key(&TLS13_AES_128_GCM_SHA256, &key, &iv)
        .unwrap();
    let mut buf = BytesMut::from(&expected[..]);
    let p = r.open(one(&mut buf)).unwrap();
    assert_eq!(p.typ, ContentType::Handshake);
    assert_eq!(&p.payload[..], &msg[..]);
}

#[test]
fn one_byte_fragments() {
    for &suite in ALL_TLS13_SUITES {
        let (mut w, mut r) = pair(suite);
        w.set_max_fragment(0);
        assert_eq!(w.max_fragment(), 1);
        let mut out = BytesMut::new();
        w.seal_all(ContentType::ApplicationData, b"fragmented!", &mut out)
            .unwrap();
        assert_eq!(out.len(), 11 * (HEADER_LEN + 1 + 1 + 16));
        let recs = decode_all(&mut out);
        assert_eq!(recs.len(), 11);
        let mut got = Vec::new();
        for rec in recs {
            let p = r.open(rec).unwrap();
            assert_eq!(p.typ, ContentType::ApplicationData);
            assert_eq!(p.payload.len(), 1);
            got.extend_from_slice(&p.payload);
        }
        assert_eq!(got, b"fragmented!");
    }
    // Plaintext, and the default split at 2^14.
    let mut l = RecordLayer::new();
    l.set_max_fragment(usize::MAX);
    assert_eq!(l.max_fragment(), MAX_PLAINTEXT);
    let mut out = BytesMut::new();
    let big = vec![9u8; 2 * MAX_PLAINTEXT + 3];
    l.seal_all(ContentType::Handshake, &big, &mut out).unwrap();
    let recs = decode_all(&mut out);
    let lens: Vec<usize> = recs.iter().map(|r| r.payload.len()).collect();
    assert_eq!(lens, [MAX_PLAINTEXT, MAX_PLAINTEXT, 3]);
    l.seal_all(ContentType::Handshake, b"", &mut out).unwrap();
    assert!(out.is_empty());
}

#[test]
fn tampered_ciphertext_header_and_wrong_key() {
    let (mut w, _) = pair(&TLS13_AES_256_GCM_SHA384);
    let mut out = BytesMut::new();
    w.seal(ContentType::ApplicationData, b"secret", &mut out)
        .unwrap();
    let good = out.to_vec();

    for i in HEADER_LEN..good.len() {
        let (_, mut r) = pair(&TLS13_AES_256_GCM_SHA384);
        let mut bad = good.clone();
        bad[i] ^= 1;
        let mut buf = BytesMut::from(&bad[..]);
        assert_eq!(r.open(one(&mut buf)), Err(Error::BadRecordMac), "byte {i}");
        assert_eq!(r.read_seq(), 0);
    }

    // The legacy version is in the AAD.
    let (_, mut r) = pair(&TLS13_AES_256_GCM_SHA384);
    let mut bad = good.clone();
    bad[2] = 0x01;
    let mut buf = BytesMut::from(&bad[..]);
    assert_eq!(r.open(one(&mut buf)), Err(Error::BadRecordMac));

    let mut r = RecordLayer::new();
    r.set_read_key(&TLS13_AES_256_GCM_SHA384, &[0x55; 32], &IV)
        .unwrap();
    let mut buf = BytesMut::from(&good[..]);
    assert_eq!(r.open(one(&mut buf)), Err(Error::BadRecordMac));

    // Wrong sequence number: the second record opened first.
    let (mut w, mut r) = pair(&TLS13_AES_256_GCM_SHA384);
    let mut out = BytesMut::new();
    w.seal(ContentType::ApplicationData, b"a", &mut out)
        .unwrap();
    w.seal(ContentType::ApplicationData, b"b", &mut out)
        .unwrap();
    let recs = decode_all(&mut out);
    assert_eq!(r.open(recs[1].clone()), Err(Error::BadRecordMac));
    // A failed open does not advance: the first record still opens.
    assert_eq!(&r.open(recs[0].clone()).unwrap().payload[..], b"a");
    assert_eq!(&r.open(recs[1].clone()).unwrap().payload[..], b"b");
}

#[test]
fn short_ciphertext() {
    let (_, mut r) = pair(&TLS13_AES_128_GCM_SHA256);
    for n in 0..=16 {
        let rec = OpaqueRecord {
            typ: ContentType::ApplicationData,
            version: 0x0303,
            payload: BytesMut::from(&vec![0u8; n][..]),
        };
        assert_eq!(r.open(rec), Err(Error::BadRecordMac));
    }
}

/// Seals raw inner plaintext bytes, bypassing `seal`'s type byte.
fn seal_raw(w: &mut RecordLayer, inner: &[u8]) -> BytesMut {
    seal_raw_outer(w, ContentType::ApplicationData, inner)
}

/// [`seal_raw`] under a chosen outer content type (which a TLS 1.3 sender
/// must never use for anything but application_data).
fn seal_raw_outer(w: &mut RecordLayer, outer: ContentType, inner: &[u8]) -> BytesMut {
    let prot = w.write.as_mut().unwrap();
    let len = (inner.len() + prot.tag_len()) as u16;
    let header = encode_header(outer, len);
    let mut body = inner.to_vec();
    let tag = prot
        .key
        .seal_in_place_separate_tag(prot.nonce("write").unwrap(), Aad::from(header), &mut body)
        .unwrap();
    prot.seq += 1;
    let mut out = BytesMut::from(&header[..]);
    out.put_slice(&body);
    out.put_slice(tag.as_ref());
    out
}

fn alert_of(r: Result<PlainRecord, Error>) -> AlertDescription {
    r.unwrap_err().alert().unwrap()
}

#[test]
fn inner_plaintext_checks() {
    let (mut w, mut r) = pair(&TLS13_AES_128_GCM_SHA256);
    let mut open_raw = |inner: &[u8]| {
        let mut buf = seal_raw(&mut w, inner);
        r.open(one(&mut buf))
    };
    // All zero (and empty): no content type.
    assert_eq!(
        open_raw(&[0; 40]),
        Err(Error::unexpected("no content type"))
    );
    assert_eq!(open_raw(&[]), Err(Error::unexpected("no content type")));
    // Padding is stripped.
    let p = open_raw(b"data\x17\0\0\0\0").unwrap();
    assert_eq!(
        (p.typ, &p.payload[..]),
        (ContentType::ApplicationData, &b"data"[..])
    );
    // Padding alone for application data is a valid empty record.
    let p = open_raw(b"\x17\0\0").unwrap();
    assert!(p.payload.is_empty());
    // Content types that may not be protected.
    for t in [20u8, 24, 0xff] {
        assert_eq!(
            alert_of(open_raw(&[1, t])),
            AlertDescription::UnexpectedMessage
        );
    }
    // Zero-length handshake or alert, even padded.
    for t in [21u8, 22] {
        assert_eq!(
            alert_of(open_raw(&[t, 0, 0])),
            AlertDescription::UnexpectedMessage
        );
    }
    // Exactly 2^14 of content, padded to the 2^14 + 1 limit: fine.
    let mut inner = vec![1u8; MAX_PLAINTEXT];
    inner.push(23);
    assert_eq!(open_raw(&inner).unwrap().payload.len(), MAX_PLAINTEXT);
    // One more byte of content: too long.
    let mut inner = vec![1u8; MAX_PLAINTEXT + 1];
    inner.push(23);
    assert_eq!(alert_of(open_raw(&inner)), AlertDescription::RecordOverflow);
    // Short content but padded past 2^14 + 1: too long.
    let mut inner = vec![0u8; MAX_PLAINTEXT + 2];
    inner[0] = 23;
    assert_eq!(alert_of(open_raw(&inner)), AlertDescription::RecordOverflow);
}

#[test]
fn outer_types_under_protection() {
    let (_, mut r) = pair(&TLS13_AES_128_GCM_SHA256);
    let ccs = OpaqueRecord {
        typ: ContentType::ChangeCipherSpec,
        version: 0x0303,
        payload: BytesMut::from(&[1u8][..]),
    };
    let p = r.open(ccs).unwrap();
    assert_eq!(
        (p.typ, &p.payload[..]),
        (ContentType::ChangeCipherSpec, &[1u8][..])
    );
    assert_eq!(r.read_seq(), 0);
    // A handshake or alert record in the clear after the key change is
    // opened as ciphertext, fails, and is bad_record_mac (RFC 8446 section
    // 5.2; BoGo's UnencryptedEncryptedExtensions). It was unexpected_message.
    for t in [ContentType::Handshake, ContentType::Alert] {
        let rec = OpaqueRecord {
            typ: t,
            version: 0x0303,
            payload: BytesMut::from(&[2u8, 40][..]),
        };
        assert_eq!(r.open(rec), Err(Error::BadRecordMac));
        assert_eq!(r.read_seq(), 0);
    }
    // A real ciphertext whose outer type was changed does not authenticate.
    let (mut w, mut r) = pair(&TLS13_AES_128_GCM_SHA256);
    let mut buf = BytesMut::new();
    w.seal(ContentType::Handshake, b"finished", &mut buf)
        .unwrap();
    buf[0] = ContentType::Handshake.get();
    assert_eq!(r.open(one(&mut buf)), Err(Error::BadRecordMac));
    // One sealed with the wrong outer type does, and is still refused.
    let (mut w, mut r) = pair(&TLS13_AES_128_GCM_SHA256);
    let mut buf = seal_raw_outer(&mut w, ContentType::Handshake, b"finished\x16");
    assert_eq!(
        alert_of(r.open(one(&mut buf))),
        AlertDescription::DecodeError
    );
}

/// A client's records carry 0x0301 while it says so (its initial
/// ClientHello), 0x0303 otherwise; protected records always 0x0303.
#[test]
fn plaintext_record_version() {
    let mut l = RecordLayer::new();
    let mut out = BytesMut::new();
    l.set_plaintext_version(crate::proto::record::codec::INITIAL_RECORD_VERSION);
    l.seal(ContentType::Handshake, b"hello", &mut out).unwrap();
    assert_eq!(&out[..5], &[22, 3, 1, 0, 5]);
    out.clear();
    l.set_plaintext_version(0x0303);
    l.seal(ContentType::Handshake, b"hello", &mut out).unwrap();
    assert_eq!(&out[..5], &[22, 3, 3, 0, 5]);
    let (mut w, _) = pair(&TLS13_AES_128_GCM_SHA256);
    w.set_plaintext_version(0x0301);
    out.clear();
    w.seal(ContentType::Handshake, b"hello", &mut out).unwrap();
    assert_eq!(&out[..3], &[23, 3, 3]);
}

#[test]
fn plaintext_layer() {
    let mut l = RecordLayer::new();
    assert!(!l.is_read_encrypted() && !l.is_write_encrypted());
    let mut out = BytesMut::new();
    l.seal(ContentType::Handshake, b"clienthello", &mut out)
        .unwrap();
    assert_eq!(&out[..5], &[22, 3, 3, 0, 11]);
    let p = l.open(one(&mut out)).unwrap();
    assert_eq!(
        (p.typ, &p.payload[..]),
        (ContentType::Handshake, &b"clienthello"[..])
    );

    // Over 2^14 in plaintext: record_overflow.
    let mut wire = vec![22u8, 3, 3];
    wire.extend_from_slice(&((MAX_PLAINTEXT + 1) as u16).to_be_bytes());
    wire.resize(HEADER_LEN + MAX_PLAINTEXT + 1, 0);
    let mut buf = BytesMut::from(&wire[..]);
    assert_eq!(
        alert_of(l.open(one(&mut buf))),
        AlertDescription::RecordOverflow
    );

    // Sealing more than 2^14 at once is our own bug.
    let mut out = BytesMut::new();
    let e = l
        .seal(ContentType::Handshake, &[0; MAX_PLAINTEXT + 1], &mut out)
        .unwrap_err();
    assert_eq!(e.alert(), Some(AlertDescription::InternalError));
    assert!(out.is_empty());
}

#[test]
fn bad_key_length() {
    let mut l = RecordLayer::new();
    let e = l
        .set_write_key(&TLS13_AES_128_GCM_SHA256, &[0; 31], &IV)
        .unwrap_err();
    assert_eq!(e.alert(), Some(AlertDescription::InternalError));
    assert!(!l.is_write_encrypted());
}

#[test]
fn key_change_resets_seq() {
    let (mut w, mut r) = pair(&TLS13_AES_128_GCM_SHA256);
    let mut out = BytesMut::new();
    w.seal(ContentType::ApplicationData, b"x", &mut out)
        .unwrap();
    r.open(one(&mut out)).unwrap();
    assert_eq!((w.write_seq(), r.read_seq()), (1, 1));
    w.set_write_key(&TLS13_AES_256_GCM_SHA384, &[3; 32], &IV)
        .unwrap();
    r.set_read_key(&TLS13_AES_256_GCM_SHA384, &[3; 32], &IV)
        .unwrap();
    assert_eq!((w.write_seq(), r.read_seq()), (0, 0));
    w.seal(ContentType::ApplicationData, b"y", &mut out)
        .unwrap();
    assert_eq!(&r.open(one(&mut out)).unwrap().payload[..], b"y");
}

#[test]
fn sequence_never_wraps() {
    let (mut w, mut r) = pair(&TLS13_CHACHA20_POLY1305_SHA256);
    w.write.as_mut().unwrap().seq = u64::MAX - 1;
    r.read.as_mut().unwrap().seq = u64::MAX - 1;
    let mut out = BytesMut::new();
    w.seal(ContentType::ApplicationData, b"last", &mut out)
        .unwrap();
    assert_eq!(w.records_until_key_limit(), 0);
    let len = out.len();
    let e = w
        .seal(ContentType::ApplicationData, b"one too many", &mut out)
        .unwrap_err();
    assert_eq!(e.alert(), Some(AlertDescription::InternalError));
    assert_eq!(out.len(), len, "nothing appended on error");
    assert_eq!(w.write_seq(), u64::MAX);

    assert_eq!(&r.open(one(&mut out)).unwrap().payload[..], b"last");
    let mut extra = BytesMut::from(&encode_header(ContentType::ApplicationData, 17)[..]);
    extra.put_slice(&[0; 17]);
    let e = r.open(one(&mut extra)).unwrap_err();
    assert_eq!(e.alert(), Some(AlertDescription::InternalError));
}

#[test]
fn key_limits() {
    let (mut w, _) = pair(&TLS13_AES_128_GCM_SHA256);
    assert_eq!(w.records_until_key_limit(), AES_GCM_RECORD_LIMIT);
    let mut out = BytesMut::new();
    w.seal(ContentType::ApplicationData, b"x", &mut out)
        .unwrap();
    assert_eq!(w.records_until_key_limit(), AES_GCM_RECORD_LIMIT - 1);
    assert_eq!(RecordLayer::new().records_until_key_limit(), u64::MAX);
    let (w, _) = pair(&TLS13_CHACHA20_POLY1305_SHA256);
    assert_eq!(w.records_until_key_limit(), u64::MAX);
}

/// AES-GCM's own limit (2^24.5 records), without any lowered test limit:
/// the last record is sealed, the one after it is not, for TLS 1.3 and
/// TLS 1.2 alike.
#[test]
fn aes_gcm_seals_nothing_past_its_limit() {
    let (mut w, _) = pair(&TLS13_AES_128_GCM_SHA256);
    let suite12 = &crate::proto::crypto::suites::ALL_TLS12_SUITES[0];
    assert_eq!(
        suite12.suite,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
    );
    let mut w12 = RecordLayer::new();
    w12.set_write_key12(suite12, &[5; 16], &[6; 4]).unwrap();
    for w in [&mut w, &mut w12] {
        w.write.as_mut().unwrap().seq = AES_GCM_RECORD_LIMIT - 1;
        let mut out = BytesMut::new();
        w.seal(ContentType::ApplicationData, b"last", &mut out)
            .unwrap();
        let len = out.len();
        let e = w
            .seal(ContentType::ApplicationData, b"one too many", &mut out)
            .unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::InternalError));
        assert_eq!(out.len(), len, "nothing sealed past the limit");
    }
}

/// A lowered limit holds for every later key, and sealing stops at it, for
/// AES-GCM (whose own limit is lower than the sequence space) and ChaCha20.
#[test]
fn seal_stops_at_the_key_limit() {
    for suite in [&TLS13_AES_128_GCM_SHA256, &TLS13_CHACHA20_POLY1305_SHA256] {
        let (mut w, mut r) = pair(suite);
        w.set_key_limit_for_tests(3);
        assert_eq!(w.records_until_key_limit(), 3);
        let mut out = BytesMut::new();
        for left in (0..3).rev() {
            w.seal(ContentType::ApplicationData, b"x", &mut out)
                .unwrap();
            assert_eq!(w.records_until_key_limit(), left);
        }
        let len = out.len();
        let e = w.seal(ContentType::Alert, &[1, 0], &mut out).unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::InternalError));
        assert_eq!(
            (out.len(), w.write_seq()),
            (len, 3),
            "nothing sealed past the limit"
        );
        for rec in decode_all(&mut out) {
            assert_eq!(&r.open(rec).unwrap().payload[..], b"x");
        }
        // The next key gets the same lowered limit.
        w.set_write_key(suite, &[1; 32][..suite.key_len()], &IV)
            .unwrap();
        assert_eq!(w.records_until_key_limit(), 3);
        // And it is never raised above the suite's own.
        w.set_key_limit_for_tests(u64::MAX);
        let suite_limit = if suite.suite == CipherSuite::TLS13_CHACHA20_POLY1305_SHA256 {
            u64::MAX
        } else {
            AES_GCM_RECORD_LIMIT
        };
        assert_eq!(w.records_until_key_limit(), suite_limit);
        w.set_key_limit_for_tests(0);
        assert_eq!(w.records_until_key_limit(), 2, "clamped to 2");
    }
}

/// The read side remembers whether a key carried application data: empty
/// records and handshake messages do not count, and a new key starts over.
#[test]
fn read_key_remembers_data() {
    let (mut w, mut r) = pair(&TLS13_AES_128_GCM_SHA256);
    assert!(!RecordLayer::new().read_key_opened_data());
    let mut out = BytesMut::new();
    w.seal(ContentType::ApplicationData, b"", &mut out).unwrap();
    w.seal(ContentType::Handshake, b"hs", &mut out).unwrap();
    for rec in decode_all(&mut out) {
        r.open(rec).unwrap();
    }
    assert!(!r.read_key_opened_data());
    w.seal(ContentType::ApplicationData, b"d", &mut out)
        .unwrap();
    let rec = one(&mut out);
    let mut buf = vec![0; r.direct_len(&rec).unwrap()];
    r.open_into(&rec, &mut buf).unwrap();
    assert!(r.read_key_opened_data());
    r.set_read_key(&TLS13_AES_128_GCM_SHA256, &[1; 16], &IV)
        .unwrap();
    assert!(!r.read_key_opened_data());
}

#[test]
fn debug_redacts_keys() {
    let (w, _) = pair(&TLS13_AES_128_GCM_SHA256);
    let s = format!("{w:?}");
    assert!(s.contains("<redacted>"), "{s}");
    assert!(!s.contains("[7, 7"), "{s}");
}

#[test]
fn seal_all_reserves_once() {
    let (mut w, _) = pair(&TLS13_AES_128_GCM_SHA256);
    w.set_max_fragment(100);
    let mut out = BytesMut::new();
    let data = vec![5u8; 1000];
    w.seal_all(ContentType::ApplicationData, &data, &mut out)
        .unwrap();
    assert_eq!(out.len(), 10 * (HEADER_LEN + 100 + 1 + 16));
    // Sealing the same again into a buffer with exactly that capacity
    // does not reallocate.
    let mut out2 = BytesMut::with_capacity(out.len());
    let p2 = out2.as_ptr();
    w.seal_all(ContentType::ApplicationData, &data, &mut out2)
        .unwrap();
    assert_eq!(out2.as_ptr(), p2);
}

//! The record decoder (`RecordCodec`): total, split-invariant, canonical.
//!
//! Invariants: every error sends an alert; every record's payload is within
//! MAX_CIPHERTEXT; header + payload re-encode to exactly the bytes consumed
//! (the record header is canonical); feeding the same bytes in pieces gives
//! the same records and the same outcome; what is left after `Ok(None)` is
//! one incomplete record; decode_eof on leftovers is Truncated.
#![no_main]

use bytes::BytesMut;
use lctls::unstable_internals::{OpaqueRecord, RecordCodec, HEADER_LEN, MAX_CIPHERTEXT};
use lctls::Error;
use libfuzzer_sys::fuzz_target;
use tokio_util::codec::Decoder;

fn decode_all(
    input: &[u8],
    piece: usize,
) -> (
    Vec<OpaqueRecord>,
    Result<usize, Error>,
    RecordCodec,
    BytesMut,
) {
    let mut codec = RecordCodec::new();
    let mut buf = BytesMut::new();
    let mut records = Vec::new();
    let mut fed = 0;
    let end = loop {
        match codec.decode(&mut buf) {
            Ok(Some(r)) => records.push(r),
            Ok(None) if fed == input.len() => break Ok(buf.len()),
            Ok(None) => {
                let n = piece.min(input.len() - fed);
                buf.extend_from_slice(&input[fed..fed + n]);
                fed += n;
            }
            Err(e) => break Err(e),
        }
    };
    (records, end, codec, buf)
}

fuzz_target!(|data: &[u8]| {
    let Some((&split, input)) = data.split_first() else {
        return;
    };
    let (whole, end, mut codec, mut rest) = decode_all(input, usize::MAX);
    let mut consumed = Vec::new();
    for r in &whole {
        assert!(r.payload.len() <= MAX_CIPHERTEXT);
        consumed.extend_from_slice(&r.header().expect("decoded payload fits u16"));
        consumed.extend_from_slice(&r.payload);
    }
    match &end {
        Ok(left) => {
            // Canonical: the records re-encode to exactly the input, and
            // the rest is one incomplete record.
            assert_eq!(consumed.len() + left, input.len());
            assert_eq!(&input[..consumed.len()], &consumed[..]);
            assert!(*left < HEADER_LEN + MAX_CIPHERTEXT);
            match codec.decode_eof(&mut rest) {
                Ok(None) => assert_eq!(*left, 0),
                Err(Error::Truncated) => assert!(*left > 0),
                other => panic!("decode_eof after Ok(None) gave {other:?}"),
            }
        }
        Err(e) => {
            assert!(e.alert().is_some(), "record error without an alert: {e:?}");
            assert_eq!(&input[..consumed.len()], &consumed[..]);
        }
    }
    // Split into pieces of 1..=64 bytes: the same records, the same outcome.
    let (pieces, split_end, _, _) = decode_all(input, 1 + usize::from(split % 64));
    assert_eq!(pieces, whole, "records differ when split");
    assert_eq!(split_end, end, "outcome differs when split");
});

//! Every message-body and extension-block decoder on its own, so the fuzzer
//! reaches each without first building a valid handshake header: the first
//! input byte picks the decoder, the rest is its input.
//!
//! Invariants: every error sends an alert; what decodes re-encodes to bytes
//! that decode to the same value (`decode(encode(x)) == x`), and encoding is
//! then a fixed point. None of these formats is canonical for us: extension
//! order, unknown and GREASE extensions, certificate-entry extensions and a
//! ticket's early_data are not kept, so the re-encoding is compared as a
//! value, not with the input bytes.
#![no_main]

use lctls::unstable_internals::{
    CertificateMsg, CertificateRequest, CertificateVerify, ClientExtensions, ClientHello,
    EncryptedExtensions, NewSessionTicket, Reader, ServerHello, ServerHelloExtensions,
};
use lctls::Error;
use libfuzzer_sys::fuzz_target;

/// Decodes with `dec`; on success checks the round trip through `enc`.
fn check<T: PartialEq + std::fmt::Debug>(
    input: &[u8],
    dec: impl Fn(&mut Reader<'_>) -> Result<T, Error>,
    enc: impl Fn(&T, &mut Vec<u8>) -> Result<(), Error>,
    normalise: impl Fn(&mut T),
) {
    match dec(&mut Reader::new(input)) {
        Ok(mut v) => {
            let mut bytes = Vec::new();
            enc(&v, &mut bytes).expect("a decoded value re-encodes");
            normalise(&mut v);
            let again = dec(&mut Reader::new(&bytes)).expect("re-encoding decodes");
            assert_eq!(again, v, "decode(encode(x)) != x");
            let mut twice = Vec::new();
            enc(&again, &mut twice).expect("a decoded value re-encodes");
            assert_eq!(twice, bytes, "encoding is not a fixed point");
        }
        Err(e) => assert!(e.alert().is_some(), "decode error without an alert: {e:?}"),
    }
}

/// No normalisation: the value round-trips as decoded.
fn none<T>(_: &mut T) {}

fuzz_target!(|data: &[u8]| {
    let Some((&which, input)) = data.split_first() else {
        return;
    };
    match which % 10 {
        0 => check(input, ClientHello::decode, ClientHello::encode, none),
        1 => check(input, ServerHello::decode, ServerHello::encode, none),
        2 => check(
            input,
            ClientExtensions::decode,
            ClientExtensions::encode,
            none,
        ),
        3 => check(
            input,
            |r| ServerHelloExtensions::decode(r, false),
            ServerHelloExtensions::encode,
            none,
        ),
        4 => check(
            input,
            |r| ServerHelloExtensions::decode(r, true),
            ServerHelloExtensions::encode,
            none,
        ),
        5 => check(
            input,
            EncryptedExtensions::decode,
            EncryptedExtensions::encode,
            none,
        ),
        // Entry extension types are kept for the check against what was
        // requested, never encoded (we send none).
        6 => check(
            input,
            CertificateMsg::decode,
            CertificateMsg::encode,
            |c: &mut CertificateMsg| c.entry_extensions.clear(),
        ),
        7 => check(
            input,
            CertificateRequest::decode,
            CertificateRequest::encode,
            none,
        ),
        8 => check(
            input,
            CertificateVerify::decode,
            CertificateVerify::encode,
            none,
        ),
        _ => check(
            input,
            NewSessionTicket::decode,
            NewSessionTicket::encode,
            none,
        ),
    }
});

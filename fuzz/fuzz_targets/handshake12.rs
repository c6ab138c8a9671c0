//! TLS 1.2 handshake messages (`Handshake12::decode`).
//!
//! Invariants: every error sends an alert; what decodes re-encodes to bytes
//! that decode to the same value, and encoding is then a fixed point. Every
//! TLS 1.2-only message is canonical (re-encodes to exactly the input):
//! HelloRequest, Certificate, ServerKeyExchange, CertificateRequest,
//! ServerHelloDone, ClientKeyExchange, CertificateVerify, NewSessionTicket,
//! Finished. ClientHello and ServerHello are not (their extensions are
//! decoded into a struct: order and unknown extensions are not kept).
#![no_main]

use lctls::unstable_internals::Handshake12;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match Handshake12::decode(data) {
        Ok(msg) => {
            let bytes = msg.to_bytes().expect("a decoded message re-encodes");
            if !matches!(
                msg,
                Handshake12::ClientHello(_) | Handshake12::ServerHello(_)
            ) {
                assert_eq!(bytes, data, "canonical message re-encodes differently");
            }
            let again = Handshake12::decode(&bytes).expect("re-encoding decodes");
            assert_eq!(again, msg, "decode(encode(m)) != m");
            assert_eq!(
                again.to_bytes().unwrap(),
                bytes,
                "encoding is not a fixed point"
            );
        }
        Err(e) => assert!(e.alert().is_some(), "decode error without an alert: {e:?}"),
    }
});

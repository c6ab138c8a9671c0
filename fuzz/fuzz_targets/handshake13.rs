//! TLS 1.3 handshake messages (`HandshakeMessage::decode`): every message
//! type and, through them, every TLS 1.3 extension decoder.
//!
//! Invariants: every error sends an alert; what decodes re-encodes to bytes
//! that decode to the same value, and encoding is then a fixed point.
//! Finished, KeyUpdate and CertificateVerify are canonical: they re-encode
//! to exactly the input. The others are not, by design: extension order is
//! not kept, unknown and GREASE extensions and certificate-entry extensions
//! are skipped, and a ticket's early_data extension is never re-encoded (we
//! do no 0-RTT).
#![no_main]

use lctls::unstable_internals::HandshakeMessage;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match HandshakeMessage::decode(data) {
        Ok(msg) => {
            let bytes = msg.to_bytes().expect("a decoded message re-encodes");
            if matches!(
                msg,
                HandshakeMessage::Finished(_)
                    | HandshakeMessage::KeyUpdate(_)
                    | HandshakeMessage::CertificateVerify(_)
            ) {
                assert_eq!(bytes, data, "canonical message re-encodes differently");
            }
            let mut expect = msg;
            match &mut expect {
                // Kept by type for the requested-extensions check, never encoded.
                HandshakeMessage::Certificate(c) => c.entry_extensions.clear(),
                _ => {}
            }
            let again = HandshakeMessage::decode(&bytes).expect("re-encoding decodes");
            assert_eq!(again, expect, "decode(encode(m)) != m");
            assert_eq!(
                again.to_bytes().unwrap(),
                bytes,
                "encoding is not a fixed point"
            );
        }
        Err(e) => assert!(e.alert().is_some(), "decode error without an alert: {e:?}"),
    }
});

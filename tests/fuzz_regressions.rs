//! Inputs the coverage-guided fuzz targets (fuzz/) found, replayed through
//! the public API with the invariant they broke. Each test names its target
//! and the artifact it came from.

use lctls::unstable_internals::{ClientExtensions, Handshake12, HandshakeMessage, Reader};

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// hello_ext, crash-2bc4ce8f: a ClientHello extensions block with an empty
/// early_data extension. `ClientExtensions::encode` dropped `early_data`, so
/// decode(encode(x)) != x.
#[test]
fn client_extensions_keep_early_data_through_a_round_trip() {
    let block = hex(
        "00640000000e000c0000096c6f63616c686f7374000b000403bd0102000a000c000a001d0019000f\
         00190018002a00000016000000170000000d002a00280403050306030808080808080808080808080501\
         080a080308080601080b080708080809080a120b08040303010302040205020602",
    );
    let ext = ClientExtensions::decode(&mut Reader::new(&block)).unwrap();
    assert!(ext.early_data);
    let mut again = Vec::new();
    ext.encode(&mut again).unwrap();
    let back = ClientExtensions::decode(&mut Reader::new(&again)).unwrap();
    assert_eq!(back, ext);
    assert!(back.early_data);
}

/// handshake13, crash-81fce82b: the same defect seen through a whole
/// ClientHello message.
#[test]
fn client_hello_with_early_data_round_trips() {
    let msg = hex(HANDSHAKE13_CRASH);
    let m = HandshakeMessage::decode(&msg).unwrap();
    let again = HandshakeMessage::decode(&m.to_bytes().unwrap()).unwrap();
    assert_eq!(again, m);
    let HandshakeMessage::ClientHello(ch) = again else {
        panic!("not a ClientHello");
    };
    assert!(ch.extensions.early_data);
}

/// handshake12, crash-ad4ebeb9: the RFC 8448 ClientHello mutated to carry
/// early_data, decoded as a TLS 1.2 message.
#[test]
fn tls12_client_hello_with_early_data_round_trips() {
    let msg = hex(HANDSHAKE12_CRASH);
    let m = Handshake12::decode(&msg).unwrap();
    assert_eq!(Handshake12::decode(&m.to_bytes().unwrap()).unwrap(), m);
}

const HANDSHAKE13_CRASH: &str = "\
    010000da0303d6b9844021d0e3b05c4a68ed03a78443dc795ec524fc3acbf7feb7b32c8de3632074\
    af8241b9ad593b0d0000000000000013d5ed5d51fa71c8ed0cef20a4a4e2eb000813021303130100\
    ff010000890000000e000c0000096c6f63616c686f7374000b000403000102000a00060004001d00\
    17002a00000016000000170000000d001e001c040305030603080708080809080a080b0804080508\
    06040105010601002b0003020304002d00020101003100260024001d00200ca21a7db3a40fdc3475\
    7a46060048ae414d1699366f3e001831031ee6636927";

const HANDSHAKE12_CRASH: &str = "\
    010000c00303cb34ecb1e77f9c45e838c6dacb196a6dffa21a8d9912ec18a2ef6283024dece70000\
    06130113031302010000910000000b0009000006736572766572ff01000100000a00140012000d00\
    170018001901000101010201030104002a0000003300260024001d002099381de560e4bd43d23d8e\
    435a7dbafeb3c06e51c13cae4d5413691e529aaf2c002b0003020304000d0020001e040306050303\
    020308040805080604010501060102010402050206020202002d00020101001c00024001";

/// hello_ext, crash-e53ef3e2: a Certificate body whose entry carries three
/// (empty) extensions. Not a library defect: entry extensions are kept by
/// type, for the check against what was requested, and never encoded (we
/// send none), so the targets normalise them away. This pins that design:
/// the types are seen, the re-encoding drops them, the rest round-trips.
#[test]
fn certificate_entry_extensions_are_seen_but_not_re_encoded() {
    use lctls::unstable_internals::{CertificateMsg, ExtensionType};
    let body =
        hex("0000002400000c002b0002030004330002001e000c00170000002f00000010000000000202000000");
    let mut msg = CertificateMsg::decode(&mut Reader::new(&body)).unwrap();
    assert_eq!(
        msg.entry_extensions,
        [
            ExtensionType::ExtendedMasterSecret,
            ExtensionType::CertificateAuthorities,
            ExtensionType::ALProtocolNegotiation
        ]
    );
    // We asked for none of them: refused.
    assert!(msg.check_extensions(&[]).is_err());
    let mut again = Vec::new();
    msg.encode(&mut again).unwrap();
    let back = CertificateMsg::decode(&mut Reader::new(&again)).unwrap();
    assert!(back.entry_extensions.is_empty());
    msg.entry_extensions.clear();
    assert_eq!(back, msg);
}

//! Unit tests of extension decoding and encoding.
use super::*;

/// ClientHello extensions: a block holding one extension.
fn client_ext(typ: u16, body: &[u8]) -> Result<ClientExtensions, Error> {
    let mut block = Vec::new();
    put_len_prefixed(&mut block, LenPrefix::U16, |o| {
        o.put_u16v(typ);
        put_vec(o, LenPrefix::U16, body)
    })
    .unwrap();
    ClientExtensions::decode(&mut Reader::new(&block))
}

#[test]
fn trailing_bytes_in_any_known_extension_are_decode_error() {
    let cases: [(u16, &[u8]); 6] = [
        (10, &[0, 2, 0, 29]),         // supported_groups
        (13, &[0, 2, 4, 3]),          // signature_algorithms
        (16, &[0, 3, 2, b'h', b'2']), // ALPN
        (43, &[2, 3, 4]),             // supported_versions
        (45, &[1, 1]),                // psk_key_exchange_modes
        (42, &[]),                    // early_data
    ];
    for (typ, body) in cases {
        client_ext(typ, body).unwrap();
        let mut long = body.to_vec();
        long.push(0);
        let e = client_ext(typ, &long).unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::DecodeError), "{typ}");
    }
    // Unknown extensions are not looked at.
    client_ext(0x1234, &[1, 2, 3]).unwrap();
}

#[test]
fn ip_literal_server_name_is_ignored() {
    let sni = |name: &str| {
        let mut b = Vec::new();
        put_len_prefixed(&mut b, LenPrefix::U16, |o| {
            o.put_u8v(0);
            put_vec(o, LenPrefix::U16, name.as_bytes())
        })
        .unwrap();
        client_ext(0, &b).unwrap().server_name
    };
    assert_eq!(sni("example.com").as_deref(), Some("example.com"));
    for ip in ["10.0.0.1", "::1", "[2001:db8::1]"] {
        assert_eq!(sni(ip), None, "{ip}");
    }
    // A name that merely starts with digits is a name.
    assert_eq!(sni("1.example").as_deref(), Some("1.example"));
}

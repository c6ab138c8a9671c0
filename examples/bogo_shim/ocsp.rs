//! OCSP stapling flags: `-ocsp-response` (server: the bytes to staple),
//! `-enable-ocsp-stapling` (client: ask), `-expect-ocsp-response`,
//! `-use-ocsp-callback` / `-fail-ocsp-callback` (client: a callback that
//! refuses every connection, staple or not), and the signed certificate
//! timestamps that ride in the same places: `-signed-cert-timestamps`
//! (server), `-enable-signed-cert-timestamps` and
//! `-expect-signed-cert-timestamps` (client).
//!
//! BoGo's responses are arbitrary bytes, not DER: as BoringSSL's shim does,
//! the client's verifier accepts any staple (see
//! `ShimServerVerifier::verify_ocsp_response`); lctls's own OCSP checks are
//! tested in tests/ocsp*.rs.

use lctls::pki::{CertificateError, OcspFreshness, OcspPolicy};

use crate::flags::Opts;

/// Decodes a base64 flag value (standard alphabet, `=` padding), as the
/// runner encodes binary flags; anything malformed decodes to nothing.
pub fn base64(v: Vec<u8>) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let body = v
        .strip_suffix(b"==")
        .or_else(|| v.strip_suffix(b"="))
        .unwrap_or(&v);
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &c in body {
        let Some(x) = value(c) else { return Vec::new() };
        acc = (acc << 6) | u32::from(x);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// What the client does about staples: ask when `-enable-ocsp-stapling`;
/// with `-fail-ocsp-callback` a missing staple fails too, as BoringSSL's
/// callback runs (and fails) with or without one.
pub fn client_policy(o: &Opts) -> OcspPolicy {
    match (o.enable_ocsp_stapling, o.fail_ocsp_callback) {
        (false, _) => OcspPolicy::Off,
        (true, false) => OcspPolicy::Allow,
        (true, true) => OcspPolicy::Require,
    }
}

/// The shim verifier's answer to a staple.
pub fn verify(fail_callback: bool) -> Result<OcspFreshness, CertificateError> {
    if fail_callback {
        return Err(CertificateError::BadOcspResponse {
            reason: "the OCSP callback refused the response".into(),
        });
    }
    Ok(OcspFreshness::Current)
}

/// `-expect-ocsp-response`: the staple the handshake reports (after a
/// resumption, the one of the handshake that made the session).
pub fn check_expected(o: &Opts, got: Option<&[u8]>) -> Result<(), String> {
    match &o.expect_ocsp_response {
        Some(want) if got != Some(want.as_slice()) => Err(format!(
            "-expect-ocsp-response: got {:?}, expected {want:?}",
            got
        )),
        _ => Ok(()),
    }
}

/// `-expect-signed-cert-timestamps`: the SCT list the handshake reports.
pub fn check_expected_sct(o: &Opts, got: Option<&[u8]>) -> Result<(), String> {
    match &o.expect_sct_list {
        Some(want) if got != Some(want.as_slice()) => Err(format!(
            "-expect-signed-cert-timestamps: got {got:?}, expected {want:?}"
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_decodes() {
        assert_eq!(super::base64(b"AQIDBA==".to_vec()), [1, 2, 3, 4]);
        assert_eq!(super::base64(b"AQID".to_vec()), [1, 2, 3]);
        assert!(super::base64(b"A!".to_vec()).is_empty());
    }
}

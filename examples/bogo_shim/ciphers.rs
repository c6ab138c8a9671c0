//! `-cipher`: BoringSSL's cipher-list strings, for the TLS 1.2 suites lctls
//! has (its cipher lists never touch TLS 1.3 suites, and neither does this).
//!
//! The subset understood: suite names (IETF `TLS_...` or OpenSSL style),
//! `DEFAULT`/`ALL`/`HIGH` (here: every TLS 1.2 suite lctls has; BoringSSL's
//! also hold CBC and RSA key-exchange suites, which lctls refuses by
//! design), aliases for lctls's suites, and the `!`, `-` and `+` operators.
//! A name of a suite lctls does not have, an unknown alias or an
//! equal-preference group (`[A|B]`: lctls has a strict order) makes the
//! test unimplemented rather than quietly different.

use lctls::proto::enums::CipherSuite;

use crate::flags::ParseError;

use CipherSuite as C;

/// Each TLS 1.2 suite lctls has, in its default order, with its OpenSSL
/// name and the aliases that select it (its IETF name is its Debug form).
#[rustfmt::skip]
const SUITES: &[(CipherSuite, &str, &[&str])] = &[
    (C::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "ECDHE-ECDSA-AES128-GCM-SHA256", &["AES128", "AES", "AESGCM", "aECDSA", "ECDSA"]),
    (C::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "ECDHE-RSA-AES128-GCM-SHA256", &["AES128", "AES", "AESGCM", "aRSA"]),
    (C::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "ECDHE-ECDSA-AES256-GCM-SHA384", &["AES256", "AES", "AESGCM", "aECDSA", "ECDSA"]),
    (C::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "ECDHE-RSA-AES256-GCM-SHA384", &["AES256", "AES", "AESGCM", "aRSA"]),
    (C::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "ECDHE-ECDSA-CHACHA20-POLY1305", &["CHACHA20", "aECDSA", "ECDSA"]),
    (C::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "ECDHE-RSA-CHACHA20-POLY1305", &["CHACHA20", "aRSA"]),
];

/// Selects every suite lctls has.
const EVERYTHING: &[&str] = &["DEFAULT", "ALL", "HIGH", "ECDHE", "kECDHE", "EECDH"];

/// The suites `token` selects, or None when lctls cannot honour it.
fn select(token: &str) -> Option<Vec<CipherSuite>> {
    if EVERYTHING.contains(&token) {
        return Some(SUITES.iter().map(|s| s.0).collect());
    }
    let hits: Vec<CipherSuite> = SUITES
        .iter()
        .filter(|(suite, openssl, aliases)| {
            format!("{suite:?}") == token || *openssl == token || aliases.contains(&token)
        })
        .map(|s| s.0)
        .collect();
    (!hits.is_empty()).then_some(hits)
}

/// The TLS 1.2 suites a BoringSSL cipher string asks for, in order.
pub fn parse(spec: &str) -> Result<Vec<CipherSuite>, ParseError> {
    let unimplemented = |why: String| ParseError::Unimplemented(format!("-cipher {spec:?}: {why}"));
    let mut list: Vec<CipherSuite> = Vec::new();
    let mut banned: Vec<CipherSuite> = Vec::new();
    for token in spec.split([':', ',', ' ', ';']).filter(|t| !t.is_empty()) {
        if token.contains(['[', '|', ']']) {
            return Err(unimplemented("equal-preference groups".into()));
        }
        let (op, name) = match token.as_bytes()[0] {
            b'!' | b'-' | b'+' => (Some(token.as_bytes()[0]), &token[1..]),
            _ => (None, token),
        };
        let Some(hits) = select(name) else {
            return Err(unimplemented(format!(
                "{name}: not a suite or alias for suites lctls has"
            )));
        };
        match op {
            Some(b'!') => {
                list.retain(|s| !hits.contains(s));
                banned.extend(&hits);
            }
            Some(b'-') => list.retain(|s| !hits.contains(s)),
            Some(_) => {
                // '+': to the end, in their current order.
                let (moved, kept): (Vec<_>, Vec<_>) = list.iter().partition(|s| hits.contains(s));
                list = kept;
                list.extend(moved);
            }
            None => {
                for s in hits {
                    if !list.contains(&s) && !banned.contains(&s) {
                        list.push(s);
                    }
                }
            }
        }
    }
    if list.is_empty() {
        return Err(unimplemented("no TLS 1.2 suite lctls has is left".into()));
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators() {
        assert_eq!(
            parse("DEFAULT:!AES").ok(),
            Some(vec![
                C::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
                C::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
            ])
        );
        assert_eq!(
            parse("AES128:CHACHA20:+AES128:-aECDSA").ok(),
            Some(vec![
                C::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
                C::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
            ])
        );
        assert!(parse("ALL:3DES").is_err());
        assert!(parse("TLS_RSA_WITH_AES_128_CBC_SHA").is_err());
        assert!(parse("[AES128|CHACHA20]").is_err());
    }
}

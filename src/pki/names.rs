//! Name checks: the server name against subjectAltName, and the DNS subtree
//! tests that name constraints (constraints.rs) use.
//!
//! DNS names compare ASCII case-insensitively with one trailing dot ignored.
//! A wildcard is only accepted as the whole leftmost label of a pattern with at
//! least three labels, and stands for exactly one non-empty label. The subject
//! common name is never consulted.

use std::net::IpAddr;

use rustls_pki_types::ServerName;

use super::error::CertificateError;
use super::parse::ParsedCert;

// Nothing here allocates: names are compared byte-wise, ASCII
// case-insensitively, so name-constraint checks cost no heap traffic.

/// Drops one trailing dot.
fn trim_dot(name: &str) -> &str {
    name.strip_suffix('.').unwrap_or(name)
}

/// ASCII case-insensitive equality.
pub(crate) fn eq_ci(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// `name` ends with `suffix`, ASCII case-insensitively.
fn ends_with_ci(name: &str, suffix: &str) -> bool {
    name.len()
        .checked_sub(suffix.len())
        .and_then(|i| name.as_bytes().get(i..))
        .is_some_and(|tail| tail.eq_ignore_ascii_case(suffix.as_bytes()))
}

/// `name` is strictly below `dotted` (which starts with a dot): it ends
/// with it and has at least one more character.
pub(crate) fn is_strict_subdomain(name: &str, dotted: &str) -> bool {
    name.len() > dotted.len() && ends_with_ci(name, dotted)
}

/// `name` equals `base` or is a subdomain of it, label-wise.
fn is_same_or_subdomain(name: &str, base: &str) -> bool {
    if eq_ci(name, base) {
        return true;
    }
    let Some(head_len) = name.len().checked_sub(base.len()) else {
        return false;
    };
    head_len > 0 && ends_with_ci(name, base) && name.as_bytes().get(head_len - 1) == Some(&b'.')
}

/// True when every dot-separated label is non-empty.
fn labels_ok(name: &str) -> bool {
    !name.is_empty() && name.split('.').all(|l| !l.is_empty())
}

/// Does the presented SAN `pattern` cover the reference name `reference`?
pub(crate) fn dns_name_matches(pattern: &str, reference: &str) -> bool {
    let p = trim_dot(pattern);
    let r = trim_dot(reference);
    if !labels_ok(r) || r.contains('*') || !labels_ok(p) {
        return false;
    }
    match p.strip_prefix("*.") {
        None => !p.contains('*') && eq_ci(p, r),
        Some(rest) => {
            // At least three labels in the pattern: `*.example.com`, never `*.com`.
            if rest.contains('*') || !rest.contains('.') {
                return false;
            }
            match r.split_once('.') {
                Some((first, r_rest)) => !first.is_empty() && eq_ci(r_rest, rest),
                None => false,
            }
        }
    }
}

/// The DNS and IP subjectAltNames, as shown in errors.
pub(crate) fn presented_names(cert: &ParsedCert) -> Vec<String> {
    cert.san_dns
        .iter()
        .cloned()
        .chain(cert.san_ip.iter().map(|ip| ip.to_string()))
        .collect()
}

/// Checks that the end-entity certificate is valid for `name`.
pub(crate) fn check_server_name(
    cert: &ParsedCert,
    name: &ServerName<'_>,
) -> Result<(), CertificateError> {
    let (ok, expected) = match name {
        ServerName::DnsName(d) => {
            let d = d.as_ref();
            (
                cert.san_dns.iter().any(|p| dns_name_matches(p, d)),
                d.to_string(),
            )
        }
        ServerName::IpAddress(ip) => {
            let ip = IpAddr::from(*ip);
            (cert.san_ip.contains(&ip), ip.to_string())
        }
        other => (false, format!("{other:?}")),
    };
    if ok {
        Ok(())
    } else {
        Err(CertificateError::NotValidForName {
            expected,
            presented: presented_names(cert),
        })
    }
}

/// Is DNS name `name` inside the subtree `base` (RFC 5280 section 4.2.1.10)?
/// A base starting with a dot admits only names below it.
pub(crate) fn dns_in_subtree(name: &str, base: &str) -> bool {
    let n = trim_dot(name);
    let b = trim_dot(base);
    if b.is_empty() {
        return true;
    }
    if b.starts_with('.') {
        return is_strict_subdomain(n, b);
    }
    is_same_or_subdomain(n, b)
}

/// Could a name matched by SAN `name` (possibly a wildcard) fall inside `base`?
pub(crate) fn dns_may_enter_subtree(name: &str, base: &str) -> bool {
    if dns_in_subtree(name, base) {
        return true;
    }
    let n = trim_dot(name);
    let b = trim_dot(base);
    match n.strip_prefix("*.") {
        // `*.example.com` can stand for `foo.example.com`, inside `foo.example.com`.
        Some(rest) if !rest.is_empty() => {
            let b = b.strip_prefix('.').unwrap_or(b);
            match b.split_once('.') {
                Some((_, b_rest)) => is_same_or_subdomain(b_rest, rest),
                None => false,
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_and_case() {
        assert!(dns_name_matches("Example.COM", "example.com"));
        assert!(dns_name_matches("example.com.", "EXAMPLE.com"));
        assert!(dns_name_matches("example.com", "example.com."));
        assert!(!dns_name_matches("example.com", "www.example.com"));
        assert!(!dns_name_matches("", ""));
        assert!(!dns_name_matches("a..b", "a..b"));
    }

    #[test]
    fn wildcards() {
        assert!(dns_name_matches("*.example.com", "a.example.com"));
        assert!(dns_name_matches("*.EXAMPLE.com", "A.example.COM."));
        assert!(!dns_name_matches("*.example.com", "a.b.example.com"));
        assert!(!dns_name_matches("*.example.com", "example.com"));
        assert!(!dns_name_matches("*.example.com", ".example.com"));
        assert!(!dns_name_matches("*.com", "example.com"));
        assert!(!dns_name_matches("*", "com"));
        assert!(!dns_name_matches("f*.example.com", "foo.example.com"));
        assert!(!dns_name_matches("*oo.example.com", "foo.example.com"));
        assert!(!dns_name_matches("a.*.example.com", "a.b.example.com"));
        assert!(!dns_name_matches("*.*.example.com", "a.b.example.com"));
        assert!(!dns_name_matches("*.example.com", "*.example.com"));
    }

    #[test]
    fn subtrees() {
        assert!(dns_in_subtree("example.com", "example.com"));
        assert!(dns_in_subtree("a.example.com", "example.com"));
        assert!(!dns_in_subtree("badexample.com", "example.com"));
        assert!(dns_in_subtree("a.example.com", ".example.com"));
        assert!(!dns_in_subtree("example.com", ".example.com"));
        assert!(dns_in_subtree("anything.org", ""));
        assert!(dns_may_enter_subtree("*.example.com", "secret.example.com"));
        assert!(dns_may_enter_subtree(
            "*.example.com",
            "a.secret.example.com"
        ));
        assert!(!dns_may_enter_subtree("*.example.com", "example.org"));
    }
}

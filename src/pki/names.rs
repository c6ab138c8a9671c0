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

/// Is `name` in the preferred name syntax (RFC 1034 section 3.5, as
/// relaxed by RFC 1123 section 2.1 to allow a leading digit): labels of 1 to
/// 63 letters, digits and hyphens, not starting or ending with a hyphen, 253
/// octets at most, no trailing dot. With `wildcard`, the leftmost label may
/// be exactly `*` (RFC 6125 section 6.4.3 as the Baseline Requirements
/// restrict it).
pub(crate) fn is_valid_dns_name(name: &str, wildcard: bool) -> bool {
    let rest = match name.strip_prefix("*.") {
        Some(rest) if wildcard => rest,
        _ => name,
    };
    name.len() <= 253
        && rest.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// Is `pattern` a wildcard (`*.rest`) whose `rest` is a public suffix? The
/// ICANN section of the public suffix list counts, and so does a name the
/// list does not know that has a single label (`*.internal`, `*.corp`:
/// private namespaces, where the implicit `*` rule applies). The list's
/// private section does not: its operators hold wildcards for their own
/// namespaces (GitHub Pages serves `*.github.io`).
pub(crate) fn is_wildcard_over_public_suffix(pattern: &str) -> bool {
    let Some(rest) = pattern.strip_prefix("*.") else {
        return false;
    };
    let lower = rest.to_ascii_lowercase();
    match psl::suffix(lower.as_bytes()) {
        Some(suffix) if suffix.as_bytes() == lower.as_bytes() => {
            !suffix.is_known() || suffix.typ() == Some(psl::Type::Icann)
        }
        Some(_) => false,
        None => true,
    }
}

/// Is `name` a mailbox as an rfc822Name holds it (RFC 5280 section
/// 4.2.1.6, RFC 5321 section 4.1.2): one `@`, a non-empty local part of
/// printable ASCII without spaces, a domain in the preferred name syntax?
pub(crate) fn is_valid_mailbox(name: &str) -> bool {
    match name.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && local.bytes().all(|b| b.is_ascii_graphic() && b != b'@')
                && is_valid_dns_name(domain, false)
        }
        None => false,
    }
}

/// Does the rfc822Name `presented` name the mailbox `wanted`? Local parts
/// compare exactly, domains ASCII case-insensitively (RFC 5280 section 7.5).
pub(crate) fn email_matches(presented: &str, wanted: &str) -> bool {
    match (presented.rsplit_once('@'), wanted.rsplit_once('@')) {
        (Some((pl, pd)), Some((wl, wd))) => !pl.is_empty() && pl == wl && eq_ci(pd, wd),
        _ => false,
    }
}

/// Checks that the end entity carries an rfc822Name for `wanted`.
pub(crate) fn check_email(cert: &ParsedCert, wanted: &str) -> Result<(), CertificateError> {
    if cert.san_email().any(|p| email_matches(p, wanted)) {
        Ok(())
    } else {
        Err(CertificateError::NotValidForName {
            expected: wanted.to_string(),
            presented: cert.san_email().map(String::from).collect(),
        })
    }
}

/// The DNS and IP subjectAltNames, as shown in errors.
pub(crate) fn presented_names(cert: &ParsedCert) -> Vec<String> {
    cert.san_dns()
        .map(String::from)
        .chain(cert.san_ip().map(|ip| ip.to_string()))
        .collect()
}

/// Checks that the end-entity certificate is valid for `name`.
pub(crate) fn check_server_name(
    cert: &ParsedCert,
    name: &ServerName<'_>,
) -> Result<(), CertificateError> {
    let ok = match name {
        ServerName::DnsName(d) => cert.san_dns().any(|p| dns_name_matches(p, d.as_ref())),
        ServerName::IpAddress(ip) => cert.san_ip().any(|p| p == IpAddr::from(*ip)),
        _ => false,
    };
    if ok {
        return Ok(());
    }
    // Formatted only for the error: a match is every handshake's case.
    let expected = match name {
        ServerName::DnsName(d) => d.as_ref().to_string(),
        ServerName::IpAddress(ip) => IpAddr::from(*ip).to_string(),
        other => format!("{other:?}"),
    };
    Err(CertificateError::NotValidForName {
        expected,
        presented: presented_names(cert),
    })
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
    fn preferred_name_syntax() {
        assert!(is_valid_dns_name("example.com", false));
        assert!(is_valid_dns_name("3com.example-1.com", false));
        assert!(is_valid_dns_name("*.example.com", true));
        assert!(!is_valid_dns_name("*.example.com", false));
        for bad in [
            "",
            "a_b.example.com",
            "-a.example.com",
            "a-.example.com",
            "a..b",
            "example.com.",
            "*",
            "f*.example.com",
            "a.*.example.com",
            "*.*.example.com",
            "ex ample.com",
        ] {
            assert!(!is_valid_dns_name(bad, true), "{bad}");
        }
        assert!(!is_valid_dns_name(&"a".repeat(64), false));
        assert!(is_valid_dns_name(&"a".repeat(63), false));
    }

    #[test]
    fn public_suffix_wildcards() {
        for bad in ["*.com", "*.co.uk", "*.CO.UK", "*.internal", "*.test"] {
            assert!(is_wildcard_over_public_suffix(bad), "{bad}");
        }
        for ok in [
            "*.example.com",
            "*.example.co.uk",
            "*.github.io",
            "example.com",
        ] {
            assert!(!is_wildcard_over_public_suffix(ok), "{ok}");
        }
    }

    #[test]
    fn mailboxes() {
        assert!(is_valid_mailbox("a.b+c@example.com"));
        for bad in [
            "invalid@address@example.com",
            "@example.com",
            "a@",
            "a b@example.com",
            "a@ex_ample.com",
            "example.com",
        ] {
            assert!(!is_valid_mailbox(bad), "{bad}");
        }
    }

    #[test]
    fn emails() {
        assert!(email_matches("alice@Example.com", "alice@example.COM"));
        assert!(!email_matches("Alice@example.com", "alice@example.com"));
        assert!(!email_matches("example.com", "alice@example.com"));
        assert!(!email_matches("@example.com", "@example.com"));
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

//! Name checks: the server name against subjectAltName, and name constraints.
//!
//! DNS names compare ASCII case-insensitively with one trailing dot ignored.
//! A wildcard is only accepted as the whole leftmost label of a pattern with at
//! least three labels, and stands for exactly one non-empty label. The subject
//! common name is never consulted.

use std::net::IpAddr;

use rustls_pki_types::ServerName;
use x509_cert::ext::pkix::constraints::name::GeneralSubtrees;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::NameConstraints;

use super::error::CertificateError;
use super::parse::ParsedCert;

/// Lower-cases ASCII and drops one trailing dot.
fn normalize(name: &str) -> String {
    let trimmed = name.strip_suffix('.').unwrap_or(name);
    trimmed.to_ascii_lowercase()
}

/// True when every dot-separated label is non-empty.
fn labels_ok(name: &str) -> bool {
    !name.is_empty() && name.split('.').all(|l| !l.is_empty())
}

/// Does the presented SAN `pattern` cover the reference name `reference`?
pub(crate) fn dns_name_matches(pattern: &str, reference: &str) -> bool {
    let p = normalize(pattern);
    let r = normalize(reference);
    if !labels_ok(&r) || r.contains('*') || !labels_ok(&p) {
        return false;
    }
    match p.strip_prefix("*.") {
        None => !p.contains('*') && p == r,
        Some(rest) => {
            // At least three labels in the pattern: `*.example.com`, never `*.com`.
            if rest.contains('*') || !rest.contains('.') {
                return false;
            }
            match r.split_once('.') {
                Some((first, r_rest)) => !first.is_empty() && r_rest == rest,
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
fn dns_in_subtree(name: &str, base: &str) -> bool {
    let n = normalize(name);
    let b = normalize(base);
    if b.is_empty() {
        return true;
    }
    if b.starts_with('.') {
        return n.len() > b.len() && n.ends_with(&b);
    }
    n == b
        || n.strip_suffix(b.as_str())
            .is_some_and(|head| head.ends_with('.'))
}

/// Could a name matched by SAN `name` (possibly a wildcard) fall inside `base`?
fn dns_may_enter_subtree(name: &str, base: &str) -> bool {
    if dns_in_subtree(name, base) {
        return true;
    }
    let n = normalize(name);
    let b = normalize(base);
    match n.strip_prefix("*.") {
        // `*.example.com` can stand for `foo.example.com`, inside `foo.example.com`.
        Some(rest) => {
            let b = b.strip_prefix('.').unwrap_or(&b);
            match b.split_once('.') {
                Some((_, b_rest)) => b_rest == rest || b_rest.ends_with(&format!(".{rest}")),
                None => false,
            }
        }
        None => false,
    }
}

/// Is `ip` inside the iPAddress subtree `base` (address followed by mask)?
fn ip_in_subtree(ip: &IpAddr, base: &[u8], subject: &str) -> Result<bool, CertificateError> {
    let octets: Vec<u8> = match ip {
        IpAddr::V4(v4) => v4.octets().to_vec(),
        IpAddr::V6(v6) => v6.octets().to_vec(),
    };
    if base.len() != 8 && base.len() != 32 {
        return Err(CertificateError::BadEncoding {
            reason: format!(
                "name constraint in certificate above '{subject}' has an iPAddress of {} bytes",
                base.len()
            ),
        });
    }
    let half = base.len() / 2;
    if octets.len() != half {
        return Ok(false); // other address family
    }
    let (addr, mask) = base.split_at(half);
    Ok(octets
        .iter()
        .zip(addr)
        .zip(mask)
        .all(|((o, a), m)| o & m == a & m))
}

fn dns_bases(trees: &Option<GeneralSubtrees>) -> Vec<&str> {
    trees
        .iter()
        .flatten()
        .filter_map(|t| match &t.base {
            GeneralName::DnsName(d) => Some(d.as_str()),
            _ => None,
        })
        .collect()
}

fn ip_bases(trees: &Option<GeneralSubtrees>) -> Vec<&[u8]> {
    trees
        .iter()
        .flatten()
        .filter_map(|t| match &t.base {
            GeneralName::IpAddress(ip) => Some(ip.as_bytes()),
            _ => None,
        })
        .collect()
}

/// Applies `nc` to every DNS and IP subjectAltName of `cert`.
///
/// Only dNSName and iPAddress subtrees are evaluated; constraints on other
/// name forms do not restrict the names this crate checks.
pub(crate) fn check_name_constraints(
    nc: &NameConstraints,
    cert: &ParsedCert,
) -> Result<(), CertificateError> {
    let violation = |name: String| CertificateError::NameConstraintViolation {
        subject: cert.subject_str(),
        name,
    };
    let permitted_dns = dns_bases(&nc.permitted_subtrees);
    let excluded_dns = dns_bases(&nc.excluded_subtrees);
    for name in &cert.san_dns {
        if !permitted_dns.is_empty() && !permitted_dns.iter().any(|b| dns_in_subtree(name, b)) {
            return Err(violation(name.clone()));
        }
        if excluded_dns.iter().any(|b| dns_may_enter_subtree(name, b)) {
            return Err(violation(name.clone()));
        }
    }
    let permitted_ip = ip_bases(&nc.permitted_subtrees);
    let excluded_ip = ip_bases(&nc.excluded_subtrees);
    for ip in &cert.san_ip {
        if !permitted_ip.is_empty() {
            let mut inside = false;
            for b in &permitted_ip {
                inside |= ip_in_subtree(ip, b, &cert.subject_str())?;
            }
            if !inside {
                return Err(violation(ip.to_string()));
            }
        }
        for b in &excluded_ip {
            if ip_in_subtree(ip, b, &cert.subject_str())? {
                return Err(violation(ip.to_string()));
            }
        }
    }
    Ok(())
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

    #[test]
    fn ip_subtrees() {
        let base = [10, 0, 0, 0, 255, 0, 0, 0];
        let ip = |s: &str| s.parse::<IpAddr>().expect("ip");
        assert_eq!(ip_in_subtree(&ip("10.1.2.3"), &base, "x"), Ok(true));
        assert_eq!(ip_in_subtree(&ip("11.1.2.3"), &base, "x"), Ok(false));
        assert_eq!(ip_in_subtree(&ip("::1"), &base, "x"), Ok(false));
        assert!(ip_in_subtree(&ip("10.1.2.3"), &base[..5], "x").is_err());
    }
}

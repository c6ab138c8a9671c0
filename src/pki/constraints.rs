//! Name constraints (RFC 5280 section 4.2.1.10), evaluated over a path that
//! already reached a trust anchor with every signature verified, so an
//! attacker's own CA never gets its constraints evaluated; every comparison
//! is charged to a [`Budget`] and none allocates.
//!
//! Forms evaluated: dNSName, iPAddress, directoryName (RDN prefix of the
//! subject and of directoryName subjectAltNames), rfc822Name (rfc822Name
//! subjectAltNames and emailAddress attributes of the subject) and
//! uniformResourceIdentifier (the host of URI subjectAltNames). A constraint
//! on otherName, ediPartyName or registeredID refuses a certificate that has
//! a name of that form ([`CertificateError::UnsupportedNameConstraint`]);
//! x400Address names do not decode at all, so they never get this far.

use std::borrow::Cow;
use std::net::IpAddr;

use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::NameConstraints;

use super::error::CertificateError;
use super::names::{dns_in_subtree, dns_may_enter_subtree, eq_ci, is_strict_subdomain};
use super::parse::{name_str, read_tlv, tlvs, ParsedCert};

/// Most name comparisons one verification may make (what rustls-webpki
/// allows): far more than any real chain needs, and a few milliseconds of work.
pub(crate) const NAME_CONSTRAINT_BUDGET: u32 = 250_000;

/// Comparisons left for one verification.
#[derive(Debug)]
pub(crate) struct Budget {
    left: u32,
}

impl Budget {
    /// A full budget.
    pub(crate) fn new() -> Self {
        Budget {
            left: NAME_CONSTRAINT_BUDGET,
        }
    }

    /// Pays for one comparison.
    fn spend(&mut self) -> Result<(), CertificateError> {
        match self.left.checked_sub(1) {
            Some(left) => {
                self.left = left;
                Ok(())
            }
            None => Err(CertificateError::NameConstraintBudgetExceeded {
                budget: NAME_CONSTRAINT_BUDGET,
            }),
        }
    }
}

/// The permitted and excluded subtrees of one name form.
#[derive(Debug, Clone, Default)]
pub(crate) struct Subtrees<T> {
    pub permitted: Vec<T>,
    pub excluded: Vec<T>,
}

impl<T> Subtrees<T> {
    fn is_empty(&self) -> bool {
        self.permitted.is_empty() && self.excluded.is_empty()
    }
}

/// A nameConstraints extension decoded once, by name form.
#[derive(Debug, Clone, Default)]
pub(crate) struct Constraints {
    dns: Subtrees<String>,
    /// Address followed by mask: 8 bytes (IPv4) or 32 (IPv6).
    ip: Subtrees<Vec<u8>>,
    /// DER of each Name.
    dir: Subtrees<Vec<u8>>,
    email: Subtrees<String>,
    uri: Subtrees<String>,
    /// Forms we cannot evaluate that some subtree constrains.
    unsupported: Vec<&'static str>,
    /// How many subtrees the extension holds, of every form.
    count: usize,
}

/// The name forms whose constraints we cannot evaluate.
pub(crate) const OTHER_NAME: &str = "otherName";
pub(crate) const EDI_PARTY_NAME: &str = "ediPartyName";
pub(crate) const REGISTERED_ID: &str = "registeredID";

impl Constraints {
    /// Sorts the subtrees of `nc` by form, refusing what RFC 5280 forbids
    /// (a minimum other than 0, a maximum, an iPAddress of the wrong length).
    pub(crate) fn from_x509(nc: &NameConstraints) -> Result<Self, String> {
        use x509_cert::der::Encode;
        let mut out = Constraints::default();
        let lists = [
            (nc.permitted_subtrees.as_deref().unwrap_or(&[]), true),
            (nc.excluded_subtrees.as_deref().unwrap_or(&[]), false),
        ];
        for (trees, permitted) in lists {
            for t in trees {
                out.count = out.count.saturating_add(1);
                if t.minimum != 0 || t.maximum.is_some() {
                    return Err("name constraint subtree with a minimum or maximum".into());
                }
                fn push<T>(s: &mut Subtrees<T>, permitted: bool, v: T) {
                    if permitted {
                        s.permitted.push(v)
                    } else {
                        s.excluded.push(v)
                    }
                }
                match &t.base {
                    GeneralName::DnsName(d) => push(&mut out.dns, permitted, d.to_string()),
                    GeneralName::IpAddress(ip) => {
                        let b = ip.as_bytes();
                        if b.len() != 8 && b.len() != 32 {
                            return Err(format!(
                                "name constraint has an iPAddress of {} bytes",
                                b.len()
                            ));
                        }
                        push(&mut out.ip, permitted, b.to_vec())
                    }
                    GeneralName::DirectoryName(n) => {
                        let der = n.to_der().map_err(|e| format!("directoryName: {e}"))?;
                        push(&mut out.dir, permitted, der)
                    }
                    GeneralName::Rfc822Name(m) => push(&mut out.email, permitted, m.to_string()),
                    GeneralName::UniformResourceIdentifier(u) => {
                        push(&mut out.uri, permitted, u.to_string())
                    }
                    GeneralName::OtherName(_) => out.unsupported.push(OTHER_NAME),
                    GeneralName::EdiPartyName(_) => out.unsupported.push(EDI_PARTY_NAME),
                    GeneralName::RegisteredId(_) => out.unsupported.push(REGISTERED_ID),
                }
            }
        }
        Ok(out)
    }

    /// True when the extension holds no subtree at all.
    pub(crate) fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The dNSName subtrees, permitted then excluded.
    pub(crate) fn dns_subtrees(&self) -> impl Iterator<Item = &str> {
        self.dns
            .permitted
            .iter()
            .chain(self.dns.excluded.iter())
            .map(String::as_str)
    }
}

/// Applies the name constraints of every CA in `path` (end entity first,
/// trust anchor last) to the certificates below it, as RFC 5280 section
/// 6.1.3 (b) and (c) do: a self-issued intermediate is exempt.
pub(crate) fn check_path(
    path: &[&ParsedCert],
    budget: &mut Budget,
) -> Result<(), CertificateError> {
    for (i, issuer) in path.iter().enumerate() {
        let Some(nc) = &issuer.name_constraints else {
            continue;
        };
        for (j, cert) in path.iter().take(i).enumerate() {
            if j != 0 && cert.is_self_issued() {
                continue;
            }
            check_cert(nc, cert, budget)?;
        }
    }
    Ok(())
}

/// Applies `nc` to every name of `cert`.
pub(crate) fn check_cert(
    nc: &Constraints,
    cert: &ParsedCert,
    budget: &mut Budget,
) -> Result<(), CertificateError> {
    let violation = |name: String| CertificateError::NameConstraintViolation {
        subject: cert.subject_str(),
        name,
    };
    for &form in &nc.unsupported {
        if cert.san_unsupported.contains(&form) {
            return Err(CertificateError::UnsupportedNameConstraint {
                subject: cert.subject_str(),
                form,
            });
        }
    }
    // The excluded test for DNS also catches a wildcard that could stand for
    // an excluded name.
    check_form(
        &nc.dns,
        cert.san_dns(),
        budget,
        simple(|n, b: &String| Some(dns_in_subtree(n, b))),
        simple(|n, b: &String| Some(dns_may_enter_subtree(n, b))),
    )
    .or_violation(|n: &str| violation(n.to_string()))?;
    // Collected only when there are iPAddress constraints to apply.
    let ips: Vec<IpAddr> = match nc.ip.is_empty() {
        true => Vec::new(),
        false => cert.san_ip().collect(),
    };
    check_form(
        &nc.ip,
        ips.iter(),
        budget,
        simple(|ip, b: &Vec<u8>| Some(ip_in_subtree(ip, b))),
        simple(|ip, b: &Vec<u8>| Some(ip_in_subtree(ip, b))),
    )
    .or_violation(|ip: &IpAddr| violation(ip.to_string()))?;
    {
        // An empty subject is no name (section 4.2.1.10).
        let subject = Some(cert.subject()).filter(|s| !is_empty_name(s));
        let names = subject.into_iter().chain(cert.san_dir());
        let within = |n: &[u8], b: &Vec<u8>, budget: &mut Budget| dn_within(n, b, budget);
        check_form(&nc.dir, names, budget, within, within)
            .or_violation(|n: &[u8]| violation(name_str(n)))?;
    }
    // Mailboxes and URIs are split once per name, not once per comparison;
    // `None` (no local part and host, no evaluable host) refuses the name.
    if !nc.email.is_empty() {
        let subject_email: Vec<Cow<'_, str>> = cert.subject_email().collect();
        let mailboxes: Vec<(&str, Option<(&str, &str)>)> = cert
            .san_email()
            .chain(subject_email.iter().map(|m| m.as_ref()))
            .map(|m| (m, split_mailbox(m)))
            .collect();
        let inside =
            |(_, m): &(&str, Option<(&str, &str)>), b: &String| m.map(|m| mailbox_in_subtree(m, b));
        check_form(
            &nc.email,
            mailboxes.iter(),
            budget,
            simple(inside),
            simple(inside),
        )
        .or_violation(|(m, _)| violation(m.to_string()))?;
    }
    if !nc.uri.is_empty() {
        let uris: Vec<(&str, Option<&str>)> = cert.san_uri().map(|u| (u, uri_host(u))).collect();
        let inside = |(_, h): &(&str, Option<&str>), b: &String| h.map(|h| host_in_subtree(h, b));
        check_form(&nc.uri, uris.iter(), budget, simple(inside), simple(inside))
            .or_violation(|(u, _)| violation(u.to_string()))?;
    }
    Ok(())
}

/// A matcher: is the name inside the subtree? `None` when the name cannot
/// be evaluated against it, which refuses it. Matchers of names with inner
/// structure (directory names) charge the budget for their inner work.
type Verdict = Result<Option<bool>, CertificateError>;

/// Wraps a matcher that costs one comparison.
fn simple<N: ?Sized, T>(
    f: impl Fn(&N, &T) -> Option<bool>,
) -> impl Fn(&N, &T, &mut Budget) -> Verdict {
    move |n, b, _| Ok(f(n, b))
}

/// The common rule for one form: each name must be inside some permitted
/// subtree (when there are any) and inside no excluded one. Each subtree
/// tried costs one comparison.
fn check_form<'n, N: ?Sized, T>(
    trees: &Subtrees<T>,
    names: impl Iterator<Item = &'n N>,
    budget: &mut Budget,
    in_permitted: impl Fn(&N, &T, &mut Budget) -> Verdict,
    in_excluded: impl Fn(&N, &T, &mut Budget) -> Verdict,
) -> Result<(), Violation<&'n N>> {
    if trees.is_empty() {
        return Ok(());
    }
    for name in names {
        if !trees.permitted.is_empty() {
            let mut inside = false;
            for base in &trees.permitted {
                budget.spend()?;
                match in_permitted(name, base, budget)? {
                    Some(true) => {
                        inside = true;
                        break;
                    }
                    Some(false) => {}
                    None => return Err(Violation::Name(name)),
                }
            }
            if !inside {
                return Err(Violation::Name(name));
            }
        }
        for base in &trees.excluded {
            budget.spend()?;
            if in_excluded(name, base, budget)? != Some(false) {
                return Err(Violation::Name(name));
            }
        }
    }
    Ok(())
}

/// Why a form's check failed.
enum Violation<N> {
    /// This name is outside the constraints (or cannot be evaluated).
    Name(N),
    /// The budget ran out.
    Budget(CertificateError),
}

impl<N> From<CertificateError> for Violation<N> {
    fn from(e: CertificateError) -> Self {
        Violation::Budget(e)
    }
}

trait OrViolation<N> {
    fn or_violation(self, f: impl FnOnce(N) -> CertificateError) -> Result<(), CertificateError>;
}

impl<N> OrViolation<N> for Result<(), Violation<N>> {
    fn or_violation(self, f: impl FnOnce(N) -> CertificateError) -> Result<(), CertificateError> {
        match self {
            Ok(()) => Ok(()),
            Err(Violation::Name(n)) => Err(f(n)),
            Err(Violation::Budget(e)) => Err(e),
        }
    }
}

/// Is `ip` inside the iPAddress subtree `base` (address followed by mask)?
/// Addresses of the other family are not.
pub(crate) fn ip_in_subtree(ip: &IpAddr, base: &[u8]) -> bool {
    let half = base.len() / 2;
    let (addr, mask) = base.split_at(half);
    let check = |octets: &[u8]| {
        octets.len() == half
            && octets
                .iter()
                .zip(addr)
                .zip(mask)
                .all(|((o, a), m)| o & m == a & m)
    };
    match ip {
        IpAddr::V4(v4) => check(&v4.octets()),
        IpAddr::V6(v6) => check(&v6.octets()),
    }
}

/// The contents of a DER Name (an RDNSequence), if it is one.
fn rdn_sequence(der: &[u8]) -> Option<&[u8]> {
    let t = read_tlv(der)?;
    (t.tag == 0x30 && t.rest.is_empty()).then_some(t.value)
}

/// True for a Name with no RDNs.
fn is_empty_name(der: &[u8]) -> bool {
    rdn_sequence(der).is_some_and(<[u8]>::is_empty)
}

/// Is the DER Name `name` inside the directoryName subtree `base`, that is,
/// do `base`'s RDNs start `name`'s (section 4.2.1.10)? `None` when either
/// does not decode.
fn dn_within(
    name: &[u8],
    base: &[u8],
    budget: &mut Budget,
) -> Result<Option<bool>, CertificateError> {
    let (Some(mut n), Some(mut b)) = (rdn_sequence(name), rdn_sequence(base)) else {
        return Ok(None);
    };
    while !b.is_empty() {
        let Some(brdn) = read_tlv(b) else {
            return Ok(None);
        };
        let Some(nrdn) = read_tlv(n) else {
            // The name is shorter than the base (or malformed).
            return Ok(Some(false));
        };
        if brdn.tag != 0x31 || nrdn.tag != 0x31 {
            return Ok(None);
        }
        if !rdn_eq(nrdn.value, brdn.value, budget)? {
            return Ok(Some(false));
        }
        b = brdn.rest;
        n = nrdn.rest;
    }
    Ok(Some(true))
}

/// Two RDNs (SET bodies) are equal when they hold the same number of
/// attributes and each attribute of `b` matches one of `a`.
fn rdn_eq(a: &[u8], b: &[u8], budget: &mut Budget) -> Result<bool, CertificateError> {
    // Counted in step, each step paid for, so a huge RDN costs budget too.
    let (mut ia, mut ib) = (tlvs(a), tlvs(b));
    loop {
        budget.spend()?;
        match (ia.next(), ib.next()) {
            (None, None) => break,
            (Some(_), Some(_)) => {}
            _ => return Ok(false),
        }
    }
    for battr in tlvs(b) {
        let mut found = false;
        for aattr in tlvs(a) {
            budget.spend()?;
            if attr_eq(aattr.whole, battr.whole) {
                found = true;
                break;
            }
        }
        if !found {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Two AttributeTypeAndValues are equal when the types are and the values
/// are: strings (UTF8String, PrintableString, IA5String) compare
/// ASCII-case-insensitively with leading, trailing and repeated spaces
/// ignored (the ASCII part of RFC 4518 preparation, RFC 5280 section 7.1);
/// anything else compares as DER.
fn attr_eq(a: &[u8], b: &[u8]) -> bool {
    fn split(der: &[u8]) -> Option<(&[u8], super::parse::Tlv<'_>)> {
        let seq = read_tlv(der)?;
        let oid = read_tlv(seq.value)?;
        let value = read_tlv(oid.rest)?;
        (seq.tag == 0x30 && oid.tag == 0x06 && value.rest.is_empty()).then_some((oid.value, value))
    }
    const STRINGS: [u8; 3] = [0x0c, 0x13, 0x16];
    let (Some((aoid, av)), Some((boid, bv))) = (split(a), split(b)) else {
        return false;
    };
    if aoid != boid {
        return false;
    }
    if STRINGS.contains(&av.tag) && STRINGS.contains(&bv.tag) {
        prepared(av.value).eq(prepared(bv.value))
    } else {
        av.whole == bv.whole
    }
}

/// The bytes of a string value lower-cased, with leading and trailing
/// spaces dropped and each inner run of spaces as one.
fn prepared(s: &[u8]) -> impl Iterator<Item = u8> + '_ {
    let start = s.iter().position(|&c| c != b' ').unwrap_or(s.len());
    let end = s.iter().rposition(|&c| c != b' ').map_or(start, |e| e + 1);
    let s = s.get(start..end).unwrap_or(&[]);
    let mut prev_space = false;
    s.iter().filter_map(move |&c| {
        let space = c == b' ';
        let keep = !(space && prev_space);
        prev_space = space;
        keep.then_some(c.to_ascii_lowercase())
    })
}

/// The local part and host of mailbox `addr`; `None` without both.
fn split_mailbox(addr: &str) -> Option<(&str, &str)> {
    let (local, host) = addr.rsplit_once('@')?;
    (!local.is_empty() && !host.is_empty()).then_some((local, host))
}

/// Is the mailbox `(local, host)` inside the rfc822Name subtree `base`? A
/// base with `@` is one mailbox, one starting with `.` any host below that
/// domain, else every mailbox on that host (section 4.2.1.10). Local parts
/// compare exactly, hosts ASCII-case-insensitively.
fn mailbox_in_subtree((local, host): (&str, &str), base: &str) -> bool {
    match base.rsplit_once('@') {
        Some((blocal, bhost)) => local == blocal && eq_ci(host, bhost),
        None if base.starts_with('.') => is_strict_subdomain(host, base),
        None => eq_ci(host, base),
    }
}

/// The host of a URI with an authority (`scheme://[userinfo@]host[:port]`),
/// or `None`: no authority, an IP literal, an empty host.
fn uri_host(uri: &str) -> Option<&str> {
    let (scheme, rest) = uri.split_once(':')?;
    if scheme.is_empty() {
        return None;
    }
    let rest = rest.strip_prefix("//")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..end)?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host_port.starts_with('[') {
        return None;
    }
    let host = match host_port.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        Some(_) => return None,
        None => host_port,
    };
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.is_empty() || host.parse::<std::net::Ipv4Addr>().is_ok() {
        return None;
    }
    Some(host)
}

/// Is URI host `host` inside the URI subtree `base`: that host, or, for a
/// base starting with `.`, any host below it (section 4.2.1.10)?
fn host_in_subtree(host: &str, base: &str) -> bool {
    let base = base.strip_suffix('.').unwrap_or(base);
    if base.starts_with('.') {
        is_strict_subdomain(host, base)
    } else {
        eq_ci(host, base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_subtrees() {
        let base = [10, 0, 0, 0, 255, 0, 0, 0];
        let ip = |s: &str| s.parse::<IpAddr>().expect("ip");
        assert!(ip_in_subtree(&ip("10.1.2.3"), &base));
        assert!(!ip_in_subtree(&ip("11.1.2.3"), &base));
        assert!(!ip_in_subtree(&ip("::1"), &base));
    }

    fn email(addr: &str, base: &str) -> Option<bool> {
        split_mailbox(addr).map(|m| mailbox_in_subtree(m, base))
    }

    fn uri(u: &str, base: &str) -> Option<bool> {
        uri_host(u).map(|h| host_in_subtree(h, base))
    }

    #[test]
    fn email_forms() {
        assert_eq!(email("a@example.com", "example.com"), Some(true));
        assert_eq!(email("a@EXAMPLE.com", "example.com"), Some(true));
        assert_eq!(email("a@x.example.com", "example.com"), Some(false));
        assert_eq!(email("a@x.example.com", ".example.com"), Some(true));
        assert_eq!(email("a@example.com", ".example.com"), Some(false));
        assert_eq!(email("a@example.com", "a@example.com"), Some(true));
        assert_eq!(email("A@example.com", "a@example.com"), Some(false));
        assert_eq!(email("b@example.com", "a@example.com"), Some(false));
        assert_eq!(email("no-at-sign", "example.com"), None);
        assert_eq!(email("@example.com", "example.com"), None);
    }

    #[test]
    fn uri_hosts() {
        assert_eq!(
            uri_host("https://Host.example.com/path"),
            Some("Host.example.com")
        );
        assert_eq!(
            uri_host("https://user@host.example.com:8443?q"),
            Some("host.example.com")
        );
        assert_eq!(
            uri_host("ldap://host.example.com.#frag"),
            Some("host.example.com")
        );
        assert_eq!(uri_host("urn:uuid:1234"), None);
        assert_eq!(uri_host("https://[::1]/"), None);
        assert_eq!(uri_host("https://10.0.0.1/"), None);
        assert_eq!(uri_host("https:///path"), None);
        assert_eq!(uri_host("https://host:port/"), None);
        assert_eq!(uri("https://a.example.com/", ".example.com"), Some(true));
        assert_eq!(uri("https://example.com/", ".example.com"), Some(false));
        assert_eq!(uri("https://EXAMPLE.com/", "example.com"), Some(true));
        assert_eq!(uri("https://a.example.com/", "example.com"), Some(false));
    }

    #[test]
    fn string_preparation() {
        let p = |s: &str| prepared(s.as_bytes()).collect::<Vec<u8>>();
        assert_eq!(p("  Foo   Bar "), b"foo bar");
        assert_eq!(p(""), b"");
        assert_eq!(p("   "), b"");
    }

    #[test]
    fn budget_runs_out() {
        let mut b = Budget::new();
        for _ in 0..NAME_CONSTRAINT_BUDGET {
            assert!(b.spend().is_ok());
        }
        assert_eq!(
            b.spend(),
            Err(CertificateError::NameConstraintBudgetExceeded {
                budget: NAME_CONSTRAINT_BUDGET
            })
        );
    }
}

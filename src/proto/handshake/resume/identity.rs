//! Who the peer of a session was: the bounded encoding of its certificate
//! chain, SNI name and signature scheme inside a session, and the checks
//! that decide whether a stored session may be resumed (documented on the
//! parent module).

use rustls_pki_types::{CertificateDer, UnixTime};

use crate::error::Error;
use crate::pki::{ClientCertVerifier, ServerCertVerifier};
use crate::proto::wire::reader::{Put, Reader};

/// The most DER bytes of peer certificates a session keeps (summed over the
/// chain). Sessions whose peer chain is longer are not stored at all (see
/// the module documentation).
pub const MAX_SESSION_CHAIN_BYTES: usize = 16 * 1024;

/// The longest SNI name a session keeps (a DNS name has at most 253 bytes).
pub const MAX_SESSION_SNI_BYTES: usize = 255;

/// The longest a TLS 1.3 ticket is kept, whatever lifetime the server
/// announces (RFC 8446 section 4.6.1: seven days).
pub const MAX_TICKET_LIFETIME: u64 = 7 * 24 * 3600;

/// Whether a session with this peer chain and SNI name may be stored.
pub(crate) fn storable(chain: &[CertificateDer<'_>], sni: Option<&str>) -> bool {
    let bytes = chain
        .iter()
        .map(|c| c.len())
        .fold(0usize, usize::saturating_add);
    let fits = bytes <= MAX_SESSION_CHAIN_BYTES && sni.map_or(0, str::len) <= MAX_SESSION_SNI_BYTES;
    if !fits {
        tracing::debug!(
            bytes,
            "peer chain or SNI name too long to keep: no session stored"
        );
    }
    fits
}

/// Writes a chain: a u16 total length, then each certificate with a u24
/// length. Fails rather than wrap a length ([`storable`] keeps callers well
/// inside the bounds).
pub(super) fn put_chain(v: &mut Vec<u8>, chain: &[CertificateDer<'_>]) -> Result<(), Error> {
    let total: usize = chain
        .iter()
        .map(|c| 3usize.saturating_add(c.len()))
        .fold(0, usize::saturating_add);
    let total = u16::try_from(total).map_err(|_| Error::internal("session chain too long"))?;
    v.put_u16v(total);
    for c in chain {
        // Each fits in u24, since the whole fits in u16.
        v.put_u24v(c.len() as u32);
        v.put_bytes(c.as_ref());
    }
    Ok(())
}

pub(super) fn read_chain(r: &mut Reader<'_>) -> Option<Vec<CertificateDer<'static>>> {
    let mut list = r.sub16().ok()?;
    let mut chain = Vec::new();
    while !list.is_empty() {
        chain.push(CertificateDer::from(list.vec24().ok()?.to_vec()));
    }
    Some(chain)
}

/// Writes the SNI name with a u8 length, empty for none; fails rather than
/// wrap the length.
pub(super) fn put_sni(v: &mut Vec<u8>, sni: Option<&str>) -> Result<(), Error> {
    let sni = sni.unwrap_or("");
    let len = u8::try_from(sni.len()).map_err(|_| Error::internal("session SNI name too long"))?;
    v.put_u8v(len);
    v.put_bytes(sni.as_bytes());
    Ok(())
}

pub(super) fn read_sni(r: &mut Reader<'_>) -> Option<Option<String>> {
    let b = r.vec8().ok()?;
    let s = std::str::from_utf8(b).ok()?;
    Some((!s.is_empty()).then(|| s.to_string()))
}

/// Writes an optional 16-bit code point (a signature scheme or a group): a
/// presence byte, then the value. A flag rather than a reserved value,
/// since 0 is a code point like any other on the wire.
pub(super) fn put_code(v: &mut Vec<u8>, code: Option<u16>) {
    match code {
        Some(c) => {
            v.put_u8v(1);
            v.put_u16v(c);
        }
        None => v.put_u8v(0),
    }
}

pub(super) fn read_code(r: &mut Reader<'_>) -> Option<Option<u16>> {
    match r.u8().ok()? {
        0 => Some(None),
        1 => Some(Some(r.u16().ok()?)),
        _ => None,
    }
}

/// Writes an ALPN protocol: a presence byte, then the name with a u8
/// length (RFC 7301 names are 1 to 255 bytes).
pub(super) fn put_alpn(v: &mut Vec<u8>, alpn: Option<&[u8]>) -> Result<(), Error> {
    match alpn {
        Some(p) => {
            let len = u8::try_from(p.len()).map_err(|_| Error::internal("ALPN name too long"))?;
            v.put_u8v(1);
            v.put_u8v(len);
            v.put_bytes(p);
        }
        None => v.put_u8v(0),
    }
    Ok(())
}

pub(super) fn read_alpn(r: &mut Reader<'_>) -> Option<Option<Vec<u8>>> {
    match r.u8().ok()? {
        0 => Some(None),
        1 => Some(Some(r.vec8().ok()?.to_vec())),
        _ => None,
    }
}

/// The SNI name a session is bound to, normalised for comparison.
pub(crate) fn session_sni(sni: Option<&str>) -> Option<String> {
    sni.map(str::to_ascii_lowercase)
}

/// Whether a server may resume a session made under SNI `then` with client
/// chain `chain`, for a ClientHello with SNI `now_sni` under its current
/// client verifier (see the module documentation).
pub(crate) fn server_may_resume(
    verifier: Option<&dyn ClientCertVerifier>,
    chain: &[CertificateDer<'static>],
    then: Option<&str>,
    now_sni: Option<&str>,
    now: UnixTime,
) -> bool {
    let same_sni = match (then, now_sni) {
        (None, None) => true,
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => false,
    };
    if !same_sni {
        tracing::debug!("session made under another SNI name: full handshake");
        return false;
    }
    match (verifier, chain.is_empty()) {
        (None, true) => true,
        (Some(v), true) => {
            let ok = !v.client_auth_mandatory();
            if !ok {
                tracing::debug!(
                    "session without a client certificate, now mandatory: full handshake"
                );
            }
            ok
        }
        (None, false) => {
            tracing::debug!(
                "session with a client certificate, but no client verifier: full handshake"
            );
            false
        }
        (Some(v), false) => match v.recheck_resumed(chain, now) {
            Ok(()) => true,
            Err(e) => {
                tracing::debug!(error = %e, "stored client chain no longer passes: full handshake");
                false
            }
        },
    }
}

/// Whether a client may offer a session whose server chain is `chain`.
pub(crate) fn client_may_resume(
    verifier: &dyn ServerCertVerifier,
    chain: &[CertificateDer<'static>],
    now: UnixTime,
) -> bool {
    if chain.is_empty() {
        return false;
    }
    match verifier.recheck_resumed(chain, now) {
        Ok(()) => true,
        Err(e) => {
            tracing::debug!(error = %e, "stored server chain no longer passes: full handshake");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rustls_pki_types::pem::PemObject;

    use super::*;
    use crate::pki::{DefaultClientVerifier, RootStore};

    fn client_chain() -> Vec<CertificateDer<'static>> {
        CertificateDer::pem_file_iter(concat!(env!("CARGO_MANIFEST_DIR"), "/certs/client.pem"))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn server_policy() {
        let roots = Arc::new(RootStore::new());
        let mandatory = DefaultClientVerifier::new(roots.clone());
        let optional = DefaultClientVerifier::optional(roots);
        let chain = client_chain();
        let now = UnixTime::now();
        let sni = Some("a.example");
        let may = |v: Option<&dyn ClientCertVerifier>, c: &[CertificateDer<'static>]| {
            server_may_resume(v, c, sni, sni, now)
        };
        // Without a client certificate: only where none is required.
        assert!(may(None, &[]));
        assert!(may(Some(&optional), &[]));
        assert!(!may(Some(&mandatory), &[]));
        // With one: only under a verifier that still accepts it.
        assert!(!may(None, &chain));
        assert!(may(Some(&mandatory), &chain));
        assert!(may(Some(&optional), &chain));
        let junk = [CertificateDer::from(vec![0x30, 0])];
        assert!(!may(Some(&mandatory), &junk));
        let late = UnixTime::since_unix_epoch(std::time::Duration::from_secs(u64::MAX / 4));
        assert!(!server_may_resume(Some(&mandatory), &chain, sni, sni, late));
        // SNI: case-insensitively the same, or both absent.
        assert!(server_may_resume(
            None,
            &[],
            Some("a.example"),
            Some("A.Example"),
            now
        ));
        assert!(server_may_resume(None, &[], None, None, now));
        assert!(!server_may_resume(
            None,
            &[],
            Some("a.example"),
            Some("b.example"),
            now
        ));
        assert!(!server_may_resume(None, &[], Some("a.example"), None, now));
        assert!(!server_may_resume(None, &[], None, Some("a.example"), now));
    }

    #[test]
    fn client_policy() {
        let v = crate::pki::DefaultServerVerifier::new(Arc::new(RootStore::new()));
        let now = UnixTime::now();
        assert!(client_may_resume(&v, &client_chain(), now));
        // A session without a server chain is never offered.
        assert!(!client_may_resume(&v, &[], now));
        let late = UnixTime::since_unix_epoch(std::time::Duration::from_secs(u64::MAX / 4));
        assert!(!client_may_resume(&v, &client_chain(), late));
    }

    #[test]
    fn chain_and_sni_round_trip_within_bounds() {
        let chain = client_chain();
        let mut v = Vec::new();
        put_sni(&mut v, Some("a.example")).unwrap();
        put_chain(&mut v, &chain).unwrap();
        put_code(&mut v, Some(0x0804));
        put_code(&mut v, None);
        let mut r = Reader::new(&v);
        assert_eq!(read_sni(&mut r), Some(Some("a.example".into())));
        assert_eq!(read_chain(&mut r), Some(chain.clone()));
        assert_eq!(read_code(&mut r), Some(Some(0x0804)));
        assert_eq!(read_code(&mut r), Some(None));
        assert!(r.is_empty());
        // Truncated input is refused, never a panic.
        for cut in 0..v.len() {
            let mut r = Reader::new(&v[..cut]);
            let ok = read_sni(&mut r).is_some()
                && read_chain(&mut r).is_some()
                && read_code(&mut r).is_some()
                && read_code(&mut r).is_some();
            assert!(!ok, "cut {cut}");
        }
        // A presence byte other than 0 or 1 is refused.
        assert_eq!(read_code(&mut Reader::new(&[2, 0, 0])), None);
        assert!(storable(&chain, Some("a.example")));
        let big = vec![CertificateDer::from(vec![0; MAX_SESSION_CHAIN_BYTES + 1])];
        assert!(!storable(&big, None));
        let huge = vec![CertificateDer::from(vec![0; 70_000])];
        assert!(put_chain(&mut Vec::new(), &huge).is_err());
        assert!(put_sni(&mut Vec::new(), Some(&"a".repeat(256))).is_err());
        assert!(!storable(&[], Some(&"a".repeat(MAX_SESSION_SNI_BYTES + 1))));
    }
}

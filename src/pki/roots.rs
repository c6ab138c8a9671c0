//! Trust anchors, parsed once when added.

use std::fmt;
use std::path::Path;

use rustls_pki_types::CertificateDer;

use super::error::CertificateError;
use super::parse::ParsedCert;

/// A set of trusted root certificates (trust anchors).
///
/// Each certificate is decoded once when it is added; verification then only
/// compares names and checks signatures.
#[derive(Clone, Default)]
pub struct RootStore {
    anchors: Vec<ParsedCert>,
}

impl fmt::Debug for RootStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RootStore")
            .field(
                "anchors",
                &self
                    .anchors
                    .iter()
                    .map(|a| a.subject_str.as_str())
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl RootStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one DER certificate. Adding a certificate already present is a no-op.
    pub fn add(&mut self, der: CertificateDer<'static>) -> Result<(), CertificateError> {
        let parsed = ParsedCert::parse(der.as_ref())?;
        self.push(parsed);
        Ok(())
    }

    fn push(&mut self, parsed: ParsedCert) -> bool {
        if self.anchors.iter().any(|a| a.der == parsed.der) {
            return false;
        }
        self.anchors.push(parsed);
        true
    }

    /// Adds every `CERTIFICATE` block of a PEM bundle, ignoring other blocks
    /// and text between blocks. Returns how many new certificates were added.
    ///
    /// Nothing is added if any certificate block is malformed.
    pub fn add_pem(&mut self, pem: &[u8]) -> Result<usize, CertificateError> {
        let parsed = pem_certificates(pem)?
            .iter()
            .map(|der| ParsedCert::parse(der))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(parsed.into_iter().filter(|p| self.push(p.clone())).count())
    }

    /// Reads a PEM file and adds its certificates as [`RootStore::add_pem`] does.
    ///
    /// An unreadable file or a malformed certificate is a `Error::Config`
    /// naming the file.
    pub fn add_pem_file(&mut self, path: impl AsRef<Path>) -> Result<usize, crate::Error> {
        let path = path.as_ref();
        let data = std::fs::read(path).map_err(|e| {
            crate::Error::Config(format!(
                "cannot read root certificates from {}: {e}",
                path.display()
            ))
        })?;
        self.add_pem(&data).map_err(|e| {
            crate::Error::Config(format!("bad root certificate in {}: {e}", path.display()))
        })
    }

    /// Number of trust anchors.
    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    /// True when the store holds no trust anchor.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    /// The DER-encoded subject Names of the anchors, e.g. for the
    /// certificate_authorities extension.
    pub fn subjects(&self) -> Vec<Vec<u8>> {
        self.anchors.iter().map(|a| a.subject.clone()).collect()
    }

    pub(crate) fn anchors(&self) -> &[ParsedCert] {
        &self.anchors
    }
}

const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
const END: &str = "-----END CERTIFICATE-----";

/// The DER contents of every CERTIFICATE block in a PEM text.
fn pem_certificates(pem: &[u8]) -> Result<Vec<Vec<u8>>, CertificateError> {
    let text = String::from_utf8_lossy(pem);
    let mut rest: &str = &text;
    let mut out = Vec::new();
    while let Some((_, after_begin)) = rest.split_once(BEGIN) {
        let (body, after_end) =
            after_begin
                .split_once(END)
                .ok_or_else(|| CertificateError::BadEncoding {
                    reason: format!("PEM block {} has no end line", out.len().saturating_add(1)),
                })?;
        let der = base64_decode(body).ok_or_else(|| CertificateError::BadEncoding {
            reason: format!(
                "PEM block {} is not valid base64",
                out.len().saturating_add(1)
            ),
        })?;
        out.push(der);
        rest = after_end;
    }
    Ok(out)
}

fn b64_value(c: u8) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

/// Decodes standard base64, skipping whitespace; padding only at the end.
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let chars: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let data_len = chars.iter().rposition(|&c| c != b'=').map_or(0, |p| p + 1);
    let padding = chars.len() - data_len;
    if chars.len() % 4 != 0 || padding > 2 || data_len == 0 {
        return None;
    }
    let mut out = Vec::with_capacity(chars.len() / 4 * 3);
    let (data, _) = chars.split_at(data_len);
    for group in data.chunks(4) {
        let mut acc: u32 = 0;
        for &c in group {
            acc = (acc << 6) | b64_value(c)?;
        }
        match group.len() {
            4 => out.extend_from_slice(&[(acc >> 16) as u8, (acc >> 8) as u8, acc as u8]),
            3 => out.extend_from_slice(&[(acc >> 10) as u8, (acc >> 2) as u8]),
            2 => out.push((acc >> 4) as u8),
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64() {
        assert_eq!(base64_decode("aGVsbG8="), Some(b"hello".to_vec()));
        assert_eq!(base64_decode("aGVs\nbG8h"), Some(b"hello!".to_vec()));
        assert_eq!(base64_decode("aGk="), Some(b"hi".to_vec()));
        assert_eq!(base64_decode("aGk"), None);
        assert_eq!(base64_decode("a==="), None);
        assert_eq!(base64_decode("aG=k"), None);
        assert_eq!(base64_decode(""), None);
        assert_eq!(base64_decode("===="), None);
    }

    #[test]
    fn pem_errors() {
        let mut store = RootStore::new();
        assert_eq!(store.add_pem(b"no blocks here"), Ok(0));
        assert!(matches!(
            store.add_pem(b"-----BEGIN CERTIFICATE-----\nAAAA\n"),
            Err(CertificateError::BadEncoding { .. })
        ));
        assert!(matches!(
            store.add_pem(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
            Err(CertificateError::BadEncoding { .. })
        ));
        assert!(store.is_empty());
        let err = store.add_pem_file("/nonexistent/roots.pem").unwrap_err();
        assert!(matches!(err, crate::Error::Config(ref s) if s.contains("/nonexistent/roots.pem")));
    }
}

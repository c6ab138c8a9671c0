//! Trust anchors, parsed once when added.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};

use rustls_pki_types::CertificateDer;

use super::error::CertificateError;
use super::parse::ParsedCert;

/// A set of trusted root certificates (trust anchors).
///
/// Each certificate is decoded once when it is added; verification then only
/// compares names and checks signatures.
#[derive(Clone, Default)]
pub struct RootStore {
    anchors: Vec<ParsedCert<'static>>,
}

impl fmt::Debug for RootStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RootStore")
            .field(
                "anchors",
                &self
                    .anchors
                    .iter()
                    .map(|a| a.subject_str())
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

    /// Keeps `parsed` (its own copy of its DER) unless already present.
    fn push(&mut self, parsed: ParsedCert<'_>) -> bool {
        if self.anchors.iter().any(|a| a.der == parsed.der) {
            return false;
        }
        self.anchors.push(parsed.into_owned());
        true
    }

    /// Adds every `CERTIFICATE` block of a PEM bundle, ignoring other blocks
    /// and text between blocks. Returns how many new certificates were added.
    ///
    /// Nothing is added if any certificate block is malformed.
    pub fn add_pem(&mut self, pem: &[u8]) -> Result<usize, CertificateError> {
        let blocks = pem_certificates(pem)?;
        let parsed = blocks
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

    /// Adds the certificates of every regular file in `dir` (symbolic links
    /// followed, as in OpenSSL hashed directories). Returns how many new
    /// certificates were added; duplicates count once.
    ///
    /// Files that cannot be read or hold no well-formed `CERTIFICATE` block
    /// (keys, CRLs, READMEs, broken bundles) are skipped and their number
    /// logged at debug level. An unreadable directory is an `Error::Config`.
    pub fn add_pem_dir(&mut self, dir: impl AsRef<Path>) -> Result<usize, crate::Error> {
        let dir = dir.as_ref();
        let (added, skipped) = self.add_dir_inner(dir)?;
        tracing::debug!(
            dir = %dir.display(),
            added,
            skipped,
            "loaded root certificates from directory"
        );
        Ok(added)
    }

    /// (added, skipped files)
    fn add_dir_inner(&mut self, dir: &Path) -> Result<(usize, usize), crate::Error> {
        let entries = std::fs::read_dir(dir).map_err(|e| {
            crate::Error::Config(format!(
                "cannot read root certificate directory {}: {e}",
                dir.display()
            ))
        })?;
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        let (mut added, mut skipped) = (0usize, 0usize);
        for path in paths {
            // fs::metadata follows symbolic links; dangling links fail here.
            let is_file = std::fs::metadata(&path).is_ok_and(|m| m.is_file());
            if !is_file {
                continue;
            }
            let Ok(data) = std::fs::read(&path) else {
                skipped = skipped.saturating_add(1);
                continue;
            };
            match pem_certificates(&data) {
                Ok(blocks) if !blocks.is_empty() => match self.add_pem(&data) {
                    Ok(n) => added = added.saturating_add(n),
                    Err(_) => skipped = skipped.saturating_add(1),
                },
                _ => skipped = skipped.saturating_add(1),
            }
        }
        Ok((added, skipped))
    }

    /// Adds the well-formed certificates of a bundle, skipping malformed
    /// blocks: (added, skipped blocks). `Err` only when the file is unreadable.
    fn add_bundle_lenient(&mut self, path: &Path) -> Result<(usize, usize), String> {
        let data = std::fs::read(path).map_err(|e| e.to_string())?;
        let blocks = pem_certificates(&data).map_err(|e| e.to_string())?;
        let (mut added, mut skipped) = (0usize, 0usize);
        for der in blocks {
            match ParsedCert::parse(&der) {
                Ok(p) => {
                    if self.push(p) {
                        added = added.saturating_add(1);
                    }
                }
                Err(_) => skipped = skipped.saturating_add(1),
            }
        }
        Ok((added, skipped))
    }

    /// The operating system's trust anchors, found as
    /// [`PlatformRootSources::from_env`] describes.
    ///
    /// An `Error::Config` naming every place looked at is returned when none
    /// yields a certificate.
    pub fn platform() -> Result<RootStore, crate::Error> {
        Self::from_sources(&PlatformRootSources::from_env())
    }

    /// Loads trust anchors from explicit sources (what [`RootStore::platform`]
    /// does with the process environment).
    ///
    /// If `ssl_cert_file` is set, only that bundle is read; else if
    /// `ssl_cert_dirs` is non-empty, only those directories; else the first
    /// of `bundles` that yields a certificate, and failing that every one of
    /// `dirs`. Malformed certificates inside a bundle are skipped.
    pub fn from_sources(sources: &PlatformRootSources) -> Result<RootStore, crate::Error> {
        let mut store = RootStore::new();
        let mut tried: Vec<String> = Vec::new();
        let mut try_bundle = |store: &mut RootStore, path: &Path, origin: &str| -> bool {
            match store.add_bundle_lenient(path) {
                Ok((n, skipped)) => {
                    if skipped > 0 {
                        tracing::debug!(
                            file = %path.display(),
                            skipped,
                            "skipped malformed root certificates"
                        );
                    }
                    if n == 0 && store.is_empty() {
                        tried.push(format!("{origin}{} (no certificate)", path.display()));
                    }
                    !store.is_empty()
                }
                Err(e) => {
                    tried.push(format!("{origin}{} ({e})", path.display()));
                    false
                }
            }
        };
        if let Some(file) = &sources.ssl_cert_file {
            try_bundle(&mut store, file, "SSL_CERT_FILE=");
        } else if !sources.ssl_cert_dirs.is_empty() {
            for dir in &sources.ssl_cert_dirs {
                add_dir_noting(&mut store, dir, "SSL_CERT_DIR entry ", &mut tried);
            }
        } else {
            for bundle in &sources.bundles {
                if try_bundle(&mut store, bundle, "") {
                    break;
                }
            }
            if store.is_empty() {
                for dir in &sources.dirs {
                    add_dir_noting(&mut store, dir, "", &mut tried);
                }
            }
        }
        if store.is_empty() {
            return Err(crate::Error::Config(format!(
                "no root certificates found; looked at: {}",
                if tried.is_empty() {
                    "nothing (no sources given)".to_string()
                } else {
                    tried.join(", ")
                }
            )));
        }
        Ok(store)
    }

    /// Mozilla's trust anchors, as the `webpki-root-certs` crate ships them
    /// (the roots of the Common CA Database that Mozilla trusts for TLS
    /// servers), compiled in: nothing is read from the file system.
    ///
    /// Choose these over [`RootStore::platform`] where the host's bundle
    /// is missing or not yours to rely on (distroless and scratch
    /// containers, static binaries shipped to unknown machines) and you
    /// want the same roots everywhere; choose `platform()` where operators
    /// add private CAs to the system store or expect its updates (and its
    /// distrust decisions) to apply without rebuilding. Mozilla's list
    /// changes with each release of that crate: update it to pick up
    /// additions and removals.
    ///
    /// Each root is decoded here; one that does not decode is skipped and
    /// counted in a debug-level log line (none did when this was written).
    /// The roots are checked against the anchor profile (see the
    /// [`pki`](super) docs) only when a path reaches them, so a legacy root
    /// that breaks it costs only the paths that need it.
    ///
    /// ```
    /// let roots = lctls::pki::RootStore::webpki_roots();
    /// assert!(roots.len() > 100);
    /// let config = lctls::ClientConfig::builder()
    ///     .with_root_store(std::sync::Arc::new(roots))
    ///     .build()?;
    /// # let _ = config; Ok::<(), lctls::Error>(())
    /// ```
    #[cfg(feature = "webpki-roots")]
    pub fn webpki_roots() -> RootStore {
        let mut store = RootStore::new();
        let mut skipped = 0usize;
        for der in webpki_root_certs::TLS_SERVER_ROOT_CERTS {
            match ParsedCert::parse(der.as_ref()) {
                Ok(parsed) => {
                    store.push(parsed);
                }
                Err(_) => skipped = skipped.saturating_add(1),
            }
        }
        if skipped > 0 {
            tracing::debug!(skipped, "skipped Mozilla roots that do not decode");
        }
        store
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
        self.anchors.iter().map(|a| a.subject().to_vec()).collect()
    }

    pub(crate) fn anchors(&self) -> &[ParsedCert<'static>] {
        &self.anchors
    }
}

fn add_dir_noting(store: &mut RootStore, dir: &Path, origin: &str, tried: &mut Vec<String>) {
    match store.add_dir_inner(dir) {
        Ok((0, _)) => tried.push(format!("{origin}{} (no certificate)", dir.display())),
        Ok(_) => {}
        Err(crate::Error::Config(e)) => tried.push(format!("{origin}{e}")),
        Err(e) => tried.push(format!("{origin}{}: {e}", dir.display())),
    }
}

/// Where [`RootStore::platform`] looks for trust anchors; build one by hand
/// to test or override the lookup without touching the process environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformRootSources {
    /// A bundle that replaces every other source (`SSL_CERT_FILE`).
    pub ssl_cert_file: Option<PathBuf>,
    /// Directories that replace the defaults (`SSL_CERT_DIR`, colon-separated).
    pub ssl_cert_dirs: Vec<PathBuf>,
    /// Candidate bundles, in order; the first yielding a certificate wins.
    pub bundles: Vec<PathBuf>,
    /// Directories tried when no bundle yields a certificate.
    pub dirs: Vec<PathBuf>,
}

/// Distribution bundle locations, most common first.
const DEFAULT_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// Distribution certificate directories.
const DEFAULT_DIRS: &[&str] = &["/etc/ssl/certs"];

impl Default for PlatformRootSources {
    /// The usual Linux distribution locations, with no environment overrides.
    fn default() -> Self {
        PlatformRootSources {
            ssl_cert_file: None,
            ssl_cert_dirs: Vec::new(),
            bundles: DEFAULT_BUNDLES.iter().map(PathBuf::from).collect(),
            dirs: DEFAULT_DIRS.iter().map(PathBuf::from).collect(),
        }
    }
}

impl PlatformRootSources {
    /// The defaults, overridden by `SSL_CERT_FILE` and `SSL_CERT_DIR` from
    /// the process environment (empty values are ignored).
    pub fn from_env() -> Self {
        Self::from_env_values(
            std::env::var_os("SSL_CERT_FILE"),
            std::env::var_os("SSL_CERT_DIR"),
        )
    }

    /// The defaults, overridden by the given values of `SSL_CERT_FILE` and
    /// `SSL_CERT_DIR` (a colon-separated list); empty values are ignored.
    pub fn from_env_values(
        ssl_cert_file: Option<OsString>,
        ssl_cert_dir: Option<OsString>,
    ) -> Self {
        let mut s = Self {
            ssl_cert_file: ssl_cert_file.filter(|f| !f.is_empty()).map(PathBuf::from),
            ..Self::default()
        };
        if let Some(dirs) = ssl_cert_dir {
            s.ssl_cert_dirs = std::env::split_paths(&dirs)
                .filter(|p| !p.as_os_str().is_empty())
                .collect();
        }
        s
    }
}

/// The DER contents of every CERTIFICATE block in a PEM text.
fn pem_certificates(pem: &[u8]) -> Result<Vec<Vec<u8>>, CertificateError> {
    pem_blocks(pem, "CERTIFICATE")
}

/// The DER contents of every PEM block labelled `label` (e.g. `X509 CRL`).
pub(crate) fn pem_blocks(pem: &[u8], label: &str) -> Result<Vec<Vec<u8>>, CertificateError> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let text = String::from_utf8_lossy(pem);
    let mut rest: &str = &text;
    let mut out = Vec::new();
    while let Some((_, after_begin)) = rest.split_once(begin.as_str()) {
        let (body, after_end) =
            after_begin
                .split_once(end.as_str())
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
    if !chars.len().is_multiple_of(4) || padding > 2 || data_len == 0 {
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

    /// Every Mozilla root decodes, ISRG Root X1 is among them, and (printed
    /// with --nocapture) how many would fail the anchor profile today.
    #[cfg(feature = "webpki-roots")]
    #[test]
    fn webpki_roots_load_whole() {
        use super::super::anchor::check_anchor;
        use super::super::profile::LeafRules;
        let store = RootStore::webpki_roots();
        assert_eq!(store.len(), webpki_root_certs::TLS_SERVER_ROOT_CERTS.len());
        assert!(store.len() > 100, "{}", store.len());
        let subjects: Vec<String> = store.anchors().iter().map(|a| a.subject_str()).collect();
        assert!(
            subjects
                .iter()
                .any(|s| s == "CN=ISRG Root X1,O=Internet Security Research Group,C=US"),
            "{subjects:?}"
        );
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let failing: Vec<String> = store
            .anchors()
            .iter()
            .filter_map(|a| check_anchor(a, now, LeafRules::Server).err())
            .map(|e| e.to_string())
            .collect();
        println!(
            "{} of {} Mozilla roots fail the anchor profile for servers:",
            failing.len(),
            store.len()
        );
        for f in &failing {
            println!("  {f}");
        }
    }

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

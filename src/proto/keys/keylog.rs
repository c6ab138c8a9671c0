//! Key logging: handing a connection's secrets to a debugger such as
//! Wireshark, in the NSS key log format
//! (<https://firefox-source-docs.mozilla.org/security/nss/legacy/key_log_format/>).
//!
//! Off unless a configuration is given a [`KeyLog`] with `with_key_log`; a
//! key log defeats the confidentiality of every connection it records, so
//! nothing reads `SSLKEYLOGFILE` unless the program asks for it with
//! [`KeyLogFile::from_env`].
//!
//! What is logged: for TLS 1.3 the handshake and first application traffic
//! secrets of both directions and the exporter secret
//! (`CLIENT_HANDSHAKE_TRAFFIC_SECRET`, `SERVER_HANDSHAKE_TRAFFIC_SECRET`,
//! `CLIENT_TRAFFIC_SECRET_0`, `SERVER_TRAFFIC_SECRET_0`, `EXPORTER_SECRET`;
//! later generations after a KeyUpdate follow from these), and for TLS 1.2
//! the master secret (`CLIENT_RANDOM`). Each is keyed by the connection's
//! ClientHello random.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::proto::common::{Common, Exporter};
use crate::proto::keys::tls13::TrafficSecret;

/// The NSS key log label of a TLS 1.3 client handshake traffic secret.
pub const CLIENT_HANDSHAKE_TRAFFIC_SECRET: &str = "CLIENT_HANDSHAKE_TRAFFIC_SECRET";
/// The label of a TLS 1.3 server handshake traffic secret.
pub const SERVER_HANDSHAKE_TRAFFIC_SECRET: &str = "SERVER_HANDSHAKE_TRAFFIC_SECRET";
/// The label of a TLS 1.3 client application traffic secret (generation 0).
pub const CLIENT_TRAFFIC_SECRET_0: &str = "CLIENT_TRAFFIC_SECRET_0";
/// The label of a TLS 1.3 server application traffic secret (generation 0).
pub const SERVER_TRAFFIC_SECRET_0: &str = "SERVER_TRAFFIC_SECRET_0";
/// The label of a TLS 1.3 exporter master secret.
pub const EXPORTER_SECRET: &str = "EXPORTER_SECRET";
/// The label of a TLS 1.3 client early traffic secret (0-RTT).
pub const CLIENT_EARLY_TRAFFIC_SECRET: &str = "CLIENT_EARLY_TRAFFIC_SECRET";
/// The label of a TLS 1.2 master secret.
pub const CLIENT_RANDOM: &str = "CLIENT_RANDOM";

/// Receives connection secrets as they are derived.
///
/// Called from inside the handshake (synchronously, on the task driving the
/// connection): implementations should be quick and must not block for long.
pub trait KeyLog: Send + Sync + fmt::Debug {
    /// Records `secret` under `label` for the connection whose ClientHello
    /// random is `client_random`.
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]);
}

/// A [`KeyLog`] that appends NSS key log lines to a file.
///
/// `Debug` shows the path only.
///
/// ```
/// use std::sync::Arc;
/// use lctls::config::{ClientConfig, KeyLogFile};
/// use lctls::pki::RootStore;
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let mut roots = RootStore::new();
/// roots.add_pem_file(concat!(env!("CARGO_MANIFEST_DIR"), "/certs/ca.pem"))?;
/// let path = std::env::temp_dir().join("lctls-doc-keys.log");
/// let config = ClientConfig::builder()
///     .with_root_store(Arc::new(roots))
///     // Or, honouring SSLKEYLOGFILE: if let Some(l) = KeyLogFile::from_env() { ... }
///     .with_key_log(Arc::new(KeyLogFile::create(&path)?))
///     .build()?;
/// # let _ = (config, std::fs::remove_file(path)); Ok(()) }
/// ```
pub struct KeyLogFile {
    path: PathBuf,
    file: Mutex<File>,
}

impl fmt::Debug for KeyLogFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyLogFile")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl KeyLogFile {
    /// Appends to the file at `path`, creating it (mode 0600 on Unix, since
    /// it will hold secrets) if it does not exist.
    pub fn create(path: impl AsRef<Path>) -> std::io::Result<Self> {
        let path = path.as_ref().to_path_buf();
        let mut opts = OpenOptions::new();
        opts.append(true).create(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let file = opts.open(&path)?;
        Ok(KeyLogFile {
            path,
            file: Mutex::new(file),
        })
    }

    /// The key log the `SSLKEYLOGFILE` environment variable names, if it is
    /// set, not empty and the file can be opened (a warning is traced when it
    /// cannot). Only programs that call this honour the variable.
    pub fn from_env() -> Option<Arc<dyn KeyLog>> {
        let path = std::env::var_os("SSLKEYLOGFILE").filter(|p| !p.is_empty())?;
        match KeyLogFile::create(&path) {
            Ok(f) => Some(Arc::new(f)),
            Err(e) => {
                tracing::warn!(path = ?path, error = %e, "cannot open SSLKEYLOGFILE: no key log");
                None
            }
        }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl KeyLog for KeyLogFile {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        // One write per line, so lines from concurrent connections do not
        // interleave; the buffer is wiped after use since it holds the secret.
        let mut line = zeroize::Zeroizing::new(String::with_capacity(
            label.len() + 3 + 2 * (client_random.len() + secret.len()),
        ));
        line.push_str(label);
        line.push(' ');
        hex(&mut line, client_random);
        line.push(' ');
        hex(&mut line, secret);
        line.push('\n');
        let Ok(mut f) = self.file.lock() else { return };
        if let Err(e) = f.write_all(line.as_bytes()) {
            tracing::warn!(path = ?self.path, error = %e, "key log write failed");
        }
    }
}

fn hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
}

/// A connection's key log and the ClientHello random its lines are keyed by.
/// Both sit behind one box that exists only when a key log is configured:
/// every live connection carries this field, almost none logs keys, and
/// inline it cost 48 bytes a connection (8 now).
#[derive(Clone, Default)]
pub(crate) struct ConnKeyLog {
    inner: Option<Box<Logging>>,
}

/// The configured key log and the random of this connection's ClientHello.
type Logging = (Arc<dyn KeyLog>, [u8; 32]);

impl ConnKeyLog {
    pub(crate) fn new(log: Option<Arc<dyn KeyLog>>) -> Self {
        ConnKeyLog {
            inner: log.map(|l| Box::new((l, [0; 32]))),
        }
    }

    /// Records the ClientHello random (sent, or received).
    pub(crate) fn set_client_random(&mut self, random: [u8; 32]) {
        if let Some(inner) = &mut self.inner {
            inner.1 = random;
        }
    }

    /// Logs `secret` under `label`, if a key log is configured.
    pub(crate) fn log(&self, label: &str, secret: &[u8]) {
        if let Some(inner) = &self.inner {
            inner.0.log(label, &inner.1, secret);
        }
    }
}

impl fmt::Debug for ConnKeyLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnKeyLog")
            .field("enabled", &self.inner.is_some())
            .finish_non_exhaustive()
    }
}

/// Logs a TLS 1.3 connection's handshake traffic secrets.
pub(crate) fn log_handshake_secrets(cx: &Common, client: &TrafficSecret, server: &TrafficSecret) {
    cx.key_log
        .log(CLIENT_HANDSHAKE_TRAFFIC_SECRET, client.secret_bytes());
    cx.key_log
        .log(SERVER_HANDSHAKE_TRAFFIC_SECRET, server.secret_bytes());
}

/// Logs a TLS 1.3 connection's first application traffic secrets and, once
/// it is derived, its exporter secret.
pub(crate) fn log_application_secrets(cx: &Common, client: &TrafficSecret, server: &TrafficSecret) {
    cx.key_log
        .log(CLIENT_TRAFFIC_SECRET_0, client.secret_bytes());
    cx.key_log
        .log(SERVER_TRAFFIC_SECRET_0, server.secret_bytes());
    if let Some(Exporter::Tls13 { secret, .. }) = &cx.exporter {
        cx.key_log.log(EXPORTER_SECRET, secret.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_nss_lines_and_debug_hides_secrets() {
        let dir = std::env::temp_dir().join(format!("lctls-keylog-{}", std::process::id()));
        let f = KeyLogFile::create(&dir).unwrap();
        f.log(CLIENT_RANDOM, &[0xab; 32], &[0x01; 48]);
        f.log(EXPORTER_SECRET, &[0; 32], &[0xff; 32]);
        let text = std::fs::read_to_string(&dir).unwrap();
        let _ = std::fs::remove_file(&dir);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            format!("CLIENT_RANDOM {} {}", "ab".repeat(32), "01".repeat(48))
        );
        assert_eq!(
            lines[1],
            format!("EXPORTER_SECRET {} {}", "00".repeat(32), "ff".repeat(32))
        );
        assert!(!format!("{f:?}").contains("0101"));
        let mut c = ConnKeyLog::new(Some(Arc::new(f)));
        c.set_client_random([7; 32]);
        assert!(!format!("{c:?}").contains("07"));
    }
}

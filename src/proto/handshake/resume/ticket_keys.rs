//! Ticket keys: the AES-256-GCM keys session tickets are sealed under, either
//! random per configuration (rotating on their own) or given by the operator
//! ([`TicketKeys`]) so that every server of a fleet opens every other's
//! tickets.
//!
//! # The operator's key files
//!
//! [`TicketKeys::from_files`] follows nginx's `ssl_session_ticket_key`
//! convention: each file holds 80 (or 48) random bytes, made for example
//! with `openssl rand 80 > ticket.key`; the first 16 bytes name the key (the
//! name is written in clear at the start of each ticket, so a server finds
//! the key again) and the rest is key material. Of several files the first
//! seals new tickets and all of them open tickets. Rotation is then:
//! 1. put a new file first and keep the old one after it, on every server,
//!    then reload (tickets sealed under the old key still resume);
//! 2. once the old key's tickets have expired (or sooner, to revoke them),
//!    drop the old file and reload again: its tickets now make full
//!    handshakes, never failed connections.
//!
//! Reloading is [`TicketKeys::reload`] (for example on SIGHUP) or on a
//! schedule with [`TicketKeys::with_reload_interval`]. A reload that fails
//! (a missing or malformed file) keeps the keys in use and says why.
//!
//! lctls's tickets are not nginx's (AES-256-GCM instead of AES-CBC with
//! HMAC-SHA256, and our own session encoding): only the files are shared
//! with nginx's convention, so the same key-distribution tooling serves
//! both. The AEAD key is derived from the file's key material with HKDF, so
//! all of its bytes count, in either length.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use aws_lc_rs::aead::{LessSafeKey, UnboundKey, AES_256_GCM};
use aws_lc_rs::hkdf::{Salt, HKDF_SHA256};
use zeroize::Zeroizing;

use crate::error::Error;
use crate::proto::handshake::client13::random;

/// How long a key name is: the first bytes of every ticket.
pub(super) const KEY_NAME_LEN: usize = 16;

/// The two key-file sizes nginx accepts.
const FILE_LENGTHS: [usize; 2] = [80, 48];

/// One ticket key: its name and its AEAD key.
pub(super) struct TicketKey {
    pub name: [u8; KEY_NAME_LEN],
    pub key: LessSafeKey,
    pub created: u64,
}

impl TicketKey {
    /// A fresh random key, for configurations without operator keys.
    pub fn random(now: u64) -> Result<Self, Error> {
        let raw: Zeroizing<[u8; 32]> = Zeroizing::new(random()?);
        let key =
            UnboundKey::new(&AES_256_GCM, &raw[..]).map_err(|_| Error::internal("ticket key"))?;
        Ok(TicketKey {
            name: random()?,
            key: LessSafeKey::new(key),
            created: now,
        })
    }

    /// The key an operator's 80 or 48 bytes describe.
    fn from_operator_bytes(b: &[u8]) -> Result<Self, String> {
        if !FILE_LENGTHS.contains(&b.len()) {
            return Err(format!("80 or 48 bytes expected, got {}", b.len()));
        }
        let (name, material) = b.split_at(KEY_NAME_LEN);
        let prk = Salt::new(HKDF_SHA256, b"lctls ticket key").extract(material);
        let okm = prk
            .expand(&[b"aes-256-gcm"], &AES_256_GCM)
            .map_err(|_| "key derivation failed".to_string())?;
        Ok(TicketKey {
            name: name.try_into().map_err(|_| "short key name".to_string())?,
            key: LessSafeKey::new(UnboundKey::from(okm)),
            created: 0,
        })
    }
}

/// What [`TicketKeys`] holds now.
struct Loaded {
    keys: Vec<TicketKey>,
    /// When the keys were last (re)loaded by the schedule's clock; None until
    /// first used.
    loaded_at: Option<u64>,
}

/// Session-ticket keys the operator controls, shared by the servers of a
/// fleet so each resumes the others' sessions (see the module
/// documentation for the file format and rotation). Given to a server with
/// [`ServerConfigBuilder::with_ticket_keys`](crate::config::ServerConfigBuilder::with_ticket_keys).
///
/// `Debug` shows how many keys there are and where they come from, never
/// key bytes.
///
/// ```
/// use std::sync::Arc;
/// use lctls::config::{CertifiedKey, ServerConfig, TicketKeys};
/// # fn main() -> Result<(), lctls::Error> {
/// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/certs");
/// // In production: TicketKeys::from_files(&["/etc/lctls/ticket.key"]).
/// let keys = Arc::new(TicketKeys::from_bytes(&[[7u8; 80]])?);
/// let config = ServerConfig::builder()
///     .with_certified_key(CertifiedKey::from_pem_files(
///         format!("{dir}/server.pem"),
///         format!("{dir}/server.key"),
///     )?)
///     .with_ticket_keys(keys.clone())
///     .build()?;
/// // Rotation: the new key seals, the old one still opens.
/// keys.set_keys(&[[8u8; 80], [7u8; 80]])?;
/// assert_eq!(keys.len(), 2);
/// # let _ = config; Ok(()) }
/// ```
pub struct TicketKeys {
    files: Vec<PathBuf>,
    reload_every: Option<u64>,
    loaded: Mutex<Loaded>,
}

impl std::fmt::Debug for TicketKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TicketKeys")
            .field("files", &self.files)
            .field("keys", &self.len())
            .field("reload_every", &self.reload_every)
            .finish_non_exhaustive()
    }
}

fn parse_all<B: AsRef<[u8]>>(
    keys: &[B],
    what: impl Fn(usize) -> String,
) -> Result<Vec<TicketKey>, Error> {
    if keys.is_empty() {
        return Err(Error::Config("no ticket keys given".into()));
    }
    keys.iter()
        .enumerate()
        .map(|(i, b)| {
            TicketKey::from_operator_bytes(b.as_ref())
                .map_err(|e| Error::Config(format!("ticket key {}: {e}", what(i))))
        })
        .collect()
}

fn read_files(files: &[PathBuf]) -> Result<Vec<TicketKey>, Error> {
    let mut raw = Vec::with_capacity(files.len());
    for f in files {
        let bytes = Zeroizing::new(
            std::fs::read(f)
                .map_err(|e| Error::Config(format!("ticket key file {}: {e}", f.display())))?,
        );
        raw.push(bytes);
    }
    parse_all(&raw, |i| format!("file {}", files[i].display()))
}

impl TicketKeys {
    /// Keys from raw bytes, 80 or 48 each (the contents of nginx key
    /// files); the first seals, all open.
    pub fn from_bytes<B: AsRef<[u8]>>(keys: &[B]) -> Result<Self, Error> {
        Ok(TicketKeys {
            files: Vec::new(),
            reload_every: None,
            loaded: Mutex::new(Loaded {
                keys: parse_all(keys, |i| format!("#{i}"))?,
                loaded_at: None,
            }),
        })
    }

    /// Keys from nginx-style key files; the first seals, all open.
    /// [`TicketKeys::reload`] reads the same files again.
    pub fn from_files<P: AsRef<Path>>(files: &[P]) -> Result<Self, Error> {
        let files: Vec<PathBuf> = files.iter().map(|p| p.as_ref().to_path_buf()).collect();
        Ok(TicketKeys {
            loaded: Mutex::new(Loaded {
                keys: read_files(&files)?,
                loaded_at: None,
            }),
            files,
            reload_every: None,
        })
    }

    /// Reads the key files again at most every `every` (checked when a
    /// ticket is sealed or opened, by the server configuration's clock), so
    /// a fleet picks up rotated files without restarts. Whole seconds; at
    /// least one. No effect for keys from bytes.
    pub fn with_reload_interval(mut self, every: Duration) -> Self {
        self.reload_every = Some(every.as_secs().max(1));
        self
    }

    /// Reads the key files again. On failure the keys in use stay.
    pub fn reload(&self) -> Result<(), Error> {
        if self.files.is_empty() {
            return Err(Error::Config(
                "these ticket keys came from bytes: use set_keys".into(),
            ));
        }
        let keys = read_files(&self.files)?;
        self.install(keys);
        Ok(())
    }

    /// Replaces the keys with these (80 or 48 bytes each; the first seals,
    /// all open): rotation by hand. On failure the keys in use stay.
    pub fn set_keys<B: AsRef<[u8]>>(&self, keys: &[B]) -> Result<(), Error> {
        let keys = parse_all(keys, |i| format!("#{i}"))?;
        self.install(keys);
        Ok(())
    }

    fn install(&self, keys: Vec<TicketKey>) {
        if let Ok(mut l) = self.loaded.lock() {
            l.keys = keys;
        }
        tracing::debug!(keys = self.len(), "ticket keys loaded");
    }

    /// How many keys there are (the first seals).
    pub fn len(&self) -> usize {
        self.loaded.lock().map_or(0, |l| l.keys.len())
    }

    /// Never true: there is always at least one key.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Runs `f` on the keys, after a scheduled reload if one is due.
    pub(super) fn with<R>(&self, now: u64, f: impl FnOnce(&[TicketKey]) -> R) -> Option<R> {
        let due = {
            let mut l = self.loaded.lock().ok()?;
            match (self.reload_every, l.loaded_at) {
                (Some(every), Some(at)) if now.saturating_sub(at) >= every => {
                    l.loaded_at = Some(now);
                    true
                }
                (_, None) => {
                    l.loaded_at = Some(now);
                    false
                }
                _ => false,
            }
        };
        if due && !self.files.is_empty() {
            // The file reads happen outside the lock, so handshakes on other
            // threads keep using the current keys meanwhile.
            if let Err(e) = self.reload() {
                tracing::warn!(error = %e, "scheduled ticket key reload failed: keeping the current keys");
            }
        }
        let l = self.loaded.lock().ok()?;
        Some(f(&l.keys))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_names() {
        let k = TicketKeys::from_bytes(&[[1u8; 80].as_slice(), [2u8; 48].as_slice()]).unwrap();
        assert_eq!(k.len(), 2);
        let names = k.with(0, |ks| ks.iter().map(|k| k.name).collect::<Vec<_>>());
        assert_eq!(names, Some(vec![[1; 16], [2; 16]]));
        for bad in [0usize, 16, 47, 49, 79, 81] {
            let e = TicketKeys::from_bytes(&[vec![0u8; bad]]).unwrap_err();
            assert!(e.to_string().contains("80 or 48 bytes"), "{e}");
        }
        assert!(TicketKeys::from_bytes::<&[u8]>(&[]).is_err());
        assert!(!format!("{k:?}").contains("[1, 1"));
        // A bad replacement keeps the keys in use.
        assert!(k.set_keys(&[[0u8; 10]]).is_err());
        assert_eq!(k.len(), 2);
        assert!(k.reload().is_err());
    }

    #[test]
    fn files_reload_on_schedule_and_failures_keep_keys() {
        let dir = std::env::temp_dir().join(format!("lctls-tk-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("a.key");
        std::fs::write(&f, [3u8; 80]).unwrap();
        let k = TicketKeys::from_files(&[&f])
            .unwrap()
            .with_reload_interval(Duration::from_secs(10));
        let name = |now| k.with(now, |ks| ks[0].name).unwrap();
        assert_eq!(name(100), [3; 16]);
        std::fs::write(&f, [4u8; 48]).unwrap();
        assert_eq!(name(105), [3; 16], "not due yet");
        assert_eq!(name(110), [4; 16], "reloaded on schedule");
        std::fs::write(&f, [5u8; 7]).unwrap();
        assert_eq!(name(120), [4; 16], "a bad file keeps the keys");
        assert!(k.reload().unwrap_err().to_string().contains("a.key"));
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(TicketKeys::from_files(&[&f]).is_err());
    }
}

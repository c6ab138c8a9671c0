//! The verified-chain cache of the default verifiers (opt-in, see
//! [`DefaultServerVerifier::with_verification_cache`](super::DefaultServerVerifier::with_verification_cache)).
//!
//! A full handshake's floor is its public-key operations; the ones a server
//! seeing the same clients (or a client seeing the same servers) can skip
//! are the signatures of a chain it verified a moment ago. An entry says
//! "this exact chain, for this name and purpose, under this verifier's root
//! store, CRLs and options, verified: it stays verified from `not_before`
//! to `not_after`" and nothing else: failures are never stored.
//!
//! Why an entry can stand for a verification: with the same certificates,
//! name, purpose, roots, CRLs and options, the only input of
//! [`verify_chain_with`](super::verify_chain_with) that changes is `now`,
//! and a successful result depends on it only through the validity periods
//! of the path it found (every certificate's notBefore and notAfter, the
//! trust anchor's included) and through which CRLs are current. So an entry
//! is valid over the intersection of those periods, cut at every CRL
//! thisUpdate and nextUpdate that could change a checked certificate's
//! status (see `RevocationOptions::window`), and at the configured TTL
//! after it was stored; `now` is checked against both ends on every hit.
//!
//! The key is a SHA-256 digest of an injective encoding (every field
//! length-prefixed) of: the purpose, the identity of the root store and of
//! the CRL set (the address of their `Arc`, which the verifier keeps alive
//! as long as the cache, since it owns both), the name, and the chain bytes
//! in the order presented. Equal digests mean equal inputs unless SHA-256
//! collides. The options are not in the key: a cache belongs to one
//! verifier, and every builder call that changes its options gives it a
//! fresh, empty cache.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use aws_lc_rs::digest;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

use super::chain::KeyPurpose;
use super::error::CertificateError;
use super::options::VerifyOptions;
use super::roots::RootStore;

/// How long an entry of a verification cache lives at most, unless
/// [`DefaultServerVerifier::with_verification_cache_ttl`](super::DefaultServerVerifier::with_verification_cache_ttl)
/// (or the client verifier's) says otherwise: one hour.
pub const DEFAULT_VERIFICATION_CACHE_TTL: Duration = Duration::from_secs(3600);

/// The times (Unix seconds, both ends included, as certificate validity
/// is) at which a successful verification would still succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    pub(crate) not_before: u64,
    pub(crate) not_after: u64,
}

impl Window {
    /// No bound yet.
    pub(crate) const ALWAYS: Window = Window {
        not_before: 0,
        not_after: u64::MAX,
    };

    /// Keeps only what is also within `[not_before, not_after]`.
    pub(crate) fn narrow(&mut self, not_before: u64, not_after: u64) {
        self.not_before = self.not_before.max(not_before);
        self.not_after = self.not_after.min(not_after);
    }

    fn contains(&self, now: u64) -> bool {
        self.not_before <= now && now <= self.not_after
    }
}

/// What a verifier's cache has done, from
/// [`DefaultServerVerifier::verification_cache_stats`](super::DefaultServerVerifier::verification_cache_stats)
/// or the client verifier's: to size it (a low hit rate with `len ==
/// capacity` asks for a larger one) and to see it work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerificationCacheStats {
    /// Verifications answered from the cache (no path building, no
    /// signature checked).
    pub hits: u64,
    /// Verifications that ran in full because no current entry matched,
    /// successful or not.
    pub misses: u64,
    /// Entries held now (never more than `capacity`).
    pub len: usize,
    /// Most entries held.
    pub capacity: usize,
}

/// What one verification is keyed by (borrowed from the call).
pub(crate) struct KeyParts<'a> {
    pub(crate) purpose: KeyPurpose,
    /// `Arc::as_ptr` of the root store, as an address.
    pub(crate) roots: usize,
    /// `Arc::as_ptr` of the CRL set, 0 without revocation checking.
    pub(crate) crls: usize,
    pub(crate) name: Option<&'a ServerName<'a>>,
    pub(crate) end_entity: &'a CertificateDer<'a>,
    pub(crate) intermediates: &'a [CertificateDer<'a>],
}

type Key = [u8; 32];

impl<'a> KeyParts<'a> {
    /// The key of a default verifier's verification (`options` for the CRL set).
    pub(crate) fn new(
        purpose: KeyPurpose,
        roots: &Arc<RootStore>,
        options: &VerifyOptions,
        name: Option<&'a ServerName<'a>>,
        end_entity: &'a CertificateDer<'a>,
        intermediates: &'a [CertificateDer<'a>],
    ) -> Self {
        KeyParts {
            purpose,
            roots: Arc::as_ptr(roots) as usize,
            crls: options
                .revocation
                .as_ref()
                .map_or(0, |r| Arc::as_ptr(&r.crls) as usize),
            name,
            end_entity,
            intermediates,
        }
    }

    /// The digest of the key's encoding; None for a name form we do not
    /// know how to encode (never cached).
    fn digest(&self) -> Option<Key> {
        let mut ctx = digest::Context::new(&digest::SHA256);
        let field = |ctx: &mut digest::Context, bytes: &[u8]| {
            ctx.update(&(bytes.len() as u64).to_be_bytes());
            ctx.update(bytes);
        };
        ctx.update(b"lctls verified-chain cache v1");
        ctx.update(&[match self.purpose {
            KeyPurpose::ServerAuth => 1,
            KeyPurpose::ClientAuth => 2,
        }]);
        ctx.update(&(self.roots as u64).to_be_bytes());
        ctx.update(&(self.crls as u64).to_be_bytes());
        let (tag, name) = match self.name {
            None => (0u8, Default::default()),
            Some(n @ ServerName::DnsName(_)) => (1, n.to_str()),
            Some(n @ ServerName::IpAddress(_)) => (2, n.to_str()),
            Some(_) => return None,
        };
        ctx.update(&[tag]);
        field(&mut ctx, name.as_bytes());
        let count = 1 + self.intermediates.len();
        ctx.update(&(count as u64).to_be_bytes());
        field(&mut ctx, self.end_entity.as_ref());
        for c in self.intermediates {
            field(&mut ctx, c.as_ref());
        }
        ctx.finish().as_ref().try_into().ok()
    }
}

struct Entry {
    window: Window,
    /// When it was last used, in [`Inner::tick`]s: its key in [`Inner::lru`].
    used: u64,
}

#[derive(Default)]
struct Inner {
    map: HashMap<Key, Entry>,
    /// Keys by last use, oldest first: the one to evict.
    lru: BTreeMap<u64, Key>,
    tick: u64,
    hits: u64,
    misses: u64,
}

impl Inner {
    fn remove(&mut self, key: &Key) {
        if let Some(e) = self.map.remove(key) {
            self.lru.remove(&e.used);
        }
    }
}

/// A bounded map from verified chains to the times they stay verified.
struct ChainCache {
    capacity: usize,
    ttl: u64,
    inner: Mutex<Inner>,
}

impl ChainCache {
    fn new(capacity: usize, ttl: Duration) -> Self {
        ChainCache {
            capacity,
            ttl: ttl.as_secs(),
            inner: Mutex::new(Inner::default()),
        }
    }

    /// Nothing in the critical sections panics, so a poisoned lock (a
    /// panic elsewhere while it was held cannot happen) still holds a
    /// consistent map.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether `key` has an entry current at `now` (counting a hit or a
    /// miss); an entry that is not current is dropped.
    fn hit(&self, key: &Key, now: u64) -> bool {
        let mut inner = self.lock();
        let inner = &mut *inner;
        inner.tick = inner.tick.wrapping_add(1);
        let tick = inner.tick;
        let current = match inner.map.get_mut(key) {
            Some(e) if e.window.contains(now) => {
                inner.lru.remove(&e.used);
                e.used = tick;
                inner.lru.insert(tick, *key);
                true
            }
            Some(_) => {
                inner.remove(key);
                false
            }
            None => false,
        };
        if current {
            inner.hits = inner.hits.saturating_add(1);
        } else {
            inner.misses = inner.misses.saturating_add(1);
        }
        current
    }

    /// Stores a verification that succeeded at `now`, evicting the least
    /// recently used entry when full.
    fn insert(&self, key: Key, mut window: Window, now: u64) {
        window.narrow(0, now.saturating_add(self.ttl));
        let mut inner = self.lock();
        inner.remove(&key);
        while inner.map.len() >= self.capacity {
            match inner.lru.pop_first() {
                Some((_, oldest)) => {
                    inner.map.remove(&oldest);
                }
                None => break,
            }
        }
        if inner.map.len() < self.capacity {
            inner.tick = inner.tick.wrapping_add(1);
            let used = inner.tick;
            inner.lru.insert(used, key);
            inner.map.insert(key, Entry { window, used });
        }
    }

    fn stats(&self) -> VerificationCacheStats {
        let inner = self.lock();
        VerificationCacheStats {
            hits: inner.hits,
            misses: inner.misses,
            len: inner.map.len(),
            capacity: self.capacity,
        }
    }
}

/// A verifier's cache setting and cache: shared by clones of the verifier
/// (same roots, same options), replaced by a fresh one whenever a builder
/// call changes what a verification means.
#[derive(Clone)]
pub(crate) struct CacheSlot {
    ttl: Duration,
    cache: Option<Arc<ChainCache>>,
}

impl Default for CacheSlot {
    fn default() -> Self {
        CacheSlot {
            ttl: DEFAULT_VERIFICATION_CACHE_TTL,
            cache: None,
        }
    }
}

impl std::fmt::Debug for CacheSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.cache {
            None => f.write_str("off"),
            Some(c) => write!(f, "{:?} (ttl {}s)", c.stats(), c.ttl),
        }
    }
}

impl CacheSlot {
    /// A fresh cache of `capacity` entries; 0 turns caching off.
    pub(crate) fn set_capacity(&mut self, capacity: usize) {
        self.cache = (capacity > 0).then(|| Arc::new(ChainCache::new(capacity, self.ttl)));
    }

    /// A fresh cache with entries living at most `ttl` (whole seconds).
    pub(crate) fn set_ttl(&mut self, ttl: Duration) {
        self.ttl = ttl;
        self.renew();
    }

    /// A fresh, empty cache of the same size: what was verified before
    /// does not hold under the verifier's new settings.
    pub(crate) fn renew(&mut self) {
        let capacity = self.cache.as_ref().map_or(0, |c| c.capacity);
        self.set_capacity(capacity);
    }

    pub(crate) fn stats(&self) -> Option<VerificationCacheStats> {
        self.cache.as_ref().map(|c| c.stats())
    }

    /// `verify`'s answer for `key` at `now`, from the cache when a current
    /// entry matches. `verify` runs without the lock held; only its
    /// successes are stored.
    pub(crate) fn verify(
        &self,
        key: KeyParts<'_>,
        now: UnixTime,
        verify: impl FnOnce() -> Result<Window, CertificateError>,
    ) -> Result<(), CertificateError> {
        // The key's digest (SHA-256 over every certificate) is taken only
        // with a cache: `Option::zip` would take it eagerly, costing about
        // 37,000 instructions per handshake with the cache off.
        let Some(cache) = self.cache.as_ref() else {
            return verify().map(|_| ());
        };
        let Some(key) = key.digest() else {
            return verify().map(|_| ());
        };
        let now = now.as_secs();
        if cache.hit(&key, now) {
            return Ok(());
        }
        let window = verify()?;
        cache.insert(key, window, now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(b: &[u8]) -> CertificateDer<'static> {
        CertificateDer::from(b.to_vec())
    }

    fn at(secs: u64) -> UnixTime {
        UnixTime::since_unix_epoch(Duration::from_secs(secs))
    }

    fn parts<'a>(
        name: Option<&'a ServerName<'a>>,
        leaf: &'a CertificateDer<'a>,
        rest: &'a [CertificateDer<'a>],
    ) -> KeyParts<'a> {
        KeyParts {
            purpose: KeyPurpose::ServerAuth,
            roots: 1,
            crls: 0,
            name,
            end_entity: leaf,
            intermediates: rest,
        }
    }

    #[test]
    fn the_key_encoding_is_injective_over_its_fields() {
        let name = ServerName::try_from("a.example").unwrap();
        let ip = ServerName::try_from("127.0.0.1").unwrap();
        let (ab, a) = (cert(b"ab"), cert(b"a"));
        let c = [cert(b"c")];
        let bcs = [cert(b"bc")];
        let base = parts(Some(&name), &ab, &c).digest();
        let variants = [
            // The same bytes split differently between certificates.
            parts(Some(&name), &a, &bcs).digest(),
            parts(Some(&name), &ab, &[]).digest(),
            parts(None, &ab, &c).digest(),
            parts(Some(&ip), &ab, &c).digest(),
            KeyParts {
                purpose: KeyPurpose::ClientAuth,
                ..parts(Some(&name), &ab, &c)
            }
            .digest(),
            KeyParts {
                roots: 2,
                ..parts(Some(&name), &ab, &c)
            }
            .digest(),
            KeyParts {
                crls: 3,
                ..parts(Some(&name), &ab, &c)
            }
            .digest(),
        ];
        assert!(base.is_some());
        assert_eq!(base, parts(Some(&name), &ab, &c).digest());
        for (i, v) in variants.iter().enumerate() {
            assert_ne!(*v, base, "variant {i}");
        }
    }

    #[test]
    fn entries_hold_only_inside_their_window_and_ttl() {
        let mut slot = CacheSlot::default();
        slot.set_ttl(Duration::from_secs(100));
        slot.set_capacity(4);
        let leaf = cert(b"leaf");
        let ok = || {
            Ok(Window {
                not_before: 1_000,
                not_after: 5_000,
            })
        };
        let never = || -> Result<Window, CertificateError> { panic!("verified again") };
        slot.verify(parts(None, &leaf, &[]), at(2_000), ok).unwrap();
        // Within the TTL: answered without verifying.
        slot.verify(parts(None, &leaf, &[]), at(2_100), never)
            .unwrap();
        // Past the TTL (stored at 2,000 + 100 s): verified again.
        let mut ran = false;
        slot.verify(parts(None, &leaf, &[]), at(2_101), || {
            ran = true;
            ok()
        })
        .unwrap();
        assert!(ran);
        // Before the window (a clock set back): verified again, and the
        // verification's own answer stands.
        let err = slot
            .verify(parts(None, &leaf, &[]), at(999), || {
                Err(CertificateError::BadEncoding {
                    reason: "refused".into(),
                })
            })
            .unwrap_err();
        assert_eq!(
            err,
            CertificateError::BadEncoding {
                reason: "refused".into()
            }
        );
        let s = slot.stats().unwrap();
        assert_eq!((s.hits, s.misses, s.len, s.capacity), (1, 3, 0, 4));
    }

    #[test]
    fn eviction_keeps_the_most_recently_used() {
        let mut slot = CacheSlot::default();
        slot.set_capacity(2);
        let ok = || Ok(Window::ALWAYS);
        let certs: Vec<_> = (0u8..3).map(|i| cert(&[i])).collect();
        slot.verify(parts(None, &certs[0], &[]), at(10), ok)
            .unwrap();
        slot.verify(parts(None, &certs[1], &[]), at(10), ok)
            .unwrap();
        // Use 0 again: 1 is now the least recently used.
        slot.verify(parts(None, &certs[0], &[]), at(10), ok)
            .unwrap();
        slot.verify(parts(None, &certs[2], &[]), at(10), ok)
            .unwrap();
        assert_eq!(slot.stats().unwrap().len, 2);
        let before = slot.stats().unwrap().hits;
        slot.verify(parts(None, &certs[0], &[]), at(10), ok)
            .unwrap();
        slot.verify(parts(None, &certs[2], &[]), at(10), ok)
            .unwrap();
        assert_eq!(slot.stats().unwrap().hits, before + 2);
        slot.verify(parts(None, &certs[1], &[]), at(10), ok)
            .unwrap();
        assert_eq!(slot.stats().unwrap().hits, before + 2, "1 was evicted");
    }

    #[test]
    fn renewing_empties_and_zero_capacity_is_off() {
        let mut slot = CacheSlot::default();
        slot.set_capacity(2);
        let leaf = cert(b"x");
        slot.verify(parts(None, &leaf, &[]), at(10), || Ok(Window::ALWAYS))
            .unwrap();
        assert_eq!(slot.stats().unwrap().len, 1);
        slot.renew();
        let s = slot.stats().unwrap();
        assert_eq!((s.len, s.capacity, s.hits, s.misses), (0, 2, 0, 0));
        slot.set_capacity(0);
        assert_eq!(slot.stats(), None);
    }
}

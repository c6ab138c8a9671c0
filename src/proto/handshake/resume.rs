//! TLS 1.2 session resumption: the client's session cache, the server's
//! bounded session-ID cache, and session tickets sealed under rotating keys.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use zeroize::Zeroizing;

use crate::error::Error;
use crate::proto::crypto::suites::{tls12_suite, Tls12CipherSuite};
use crate::proto::handshake::client13::random;
use crate::proto::keys::tls12::{MasterSecret12, MASTER_SECRET_LEN};
use crate::proto::wire::enums::CipherSuite;
use crate::proto::wire::reader::{Put, Reader};

/// A resumable TLS 1.2 session.
#[derive(Clone)]
pub struct Session12 {
    /// The session ID (ours as a client: as the server assigned it).
    pub session_id: Vec<u8>,
    /// The ticket, if the server issued one.
    pub ticket: Option<Vec<u8>>,
    /// The master secret.
    pub master: MasterSecret12,
    /// Whether the session used the extended master secret.
    pub extended_ms: bool,
    /// When it was made (seconds since the epoch).
    pub created: u64,
    /// Lifetime in seconds.
    pub lifetime: u64,
}

impl std::fmt::Debug for Session12 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session12")
            .field("suite", &self.master.suite().suite)
            .field("has_ticket", &self.ticket.is_some())
            .finish_non_exhaustive()
    }
}

impl Session12 {
    /// The suite the session was made with.
    pub fn suite(&self) -> &'static Tls12CipherSuite {
        self.master.suite()
    }

    /// True while the session may still be resumed at `now`.
    pub fn is_fresh(&self, now: u64) -> bool {
        now >= self.created && now - self.created < self.lifetime
    }

    fn encode(&self) -> Zeroizing<Vec<u8>> {
        let mut v = Zeroizing::new(Vec::with_capacity(80));
        v.put_u16v(self.suite().suite.get());
        v.put_u8v(u8::from(self.extended_ms));
        v.put_bytes(&self.created.to_be_bytes());
        v.put_bytes(self.master.as_bytes());
        v
    }

    fn decode(b: &[u8], lifetime: u64) -> Option<Self> {
        let mut r = Reader::new(b);
        let suite = tls12_suite(CipherSuite::from(r.u16().ok()?))?;
        let extended_ms = r.u8().ok()? == 1;
        let created = u64::from_be_bytes(r.take(8).ok()?.try_into().ok()?);
        let master = MasterSecret12::from_bytes(suite, r.take(MASTER_SECRET_LEN).ok()?).ok()?;
        r.finish().ok()?;
        Some(Session12 {
            session_id: Vec::new(),
            ticket: None,
            master,
            extended_ms,
            created,
            lifetime,
        })
    }
}

/// A map that forgets its oldest entries beyond a bound.
#[derive(Debug)]
struct BoundedMap<K> {
    map: HashMap<K, Session12>,
    order: VecDeque<K>,
    max: usize,
}

impl<K: std::hash::Hash + Eq + Clone> BoundedMap<K> {
    fn new(max: usize) -> Self {
        BoundedMap {
            map: HashMap::new(),
            order: VecDeque::new(),
            max,
        }
    }

    fn put(&mut self, key: K, s: Session12) {
        if self.max == 0 {
            return;
        }
        if self.map.insert(key.clone(), s).is_none() {
            self.order.push_back(key);
            while self.order.len() > self.max {
                if let Some(old) = self.order.pop_front() {
                    self.map.remove(&old);
                }
            }
        }
    }

    fn remove(&mut self, key: &K) {
        if self.map.remove(key).is_some() {
            self.order.retain(|k| k != key);
        }
    }
}

/// Sessions a client keeps, one per server name, bounded.
#[derive(Debug)]
pub struct ClientSessionCache(Mutex<BoundedMap<String>>);

impl ClientSessionCache {
    /// A cache holding at most `max` servers' sessions.
    pub fn new(max: usize) -> Self {
        ClientSessionCache(Mutex::new(BoundedMap::new(max)))
    }

    /// The session for `server`, if any.
    pub fn get(&self, server: &str) -> Option<Session12> {
        self.0.lock().ok()?.map.get(server).cloned()
    }

    /// Stores (or replaces) the session for `server`.
    pub fn put(&self, server: &str, s: Session12) {
        if let Ok(mut m) = self.0.lock() {
            m.put(server.to_string(), s);
        }
    }

    /// Forgets the session for `server` (after a failed resumption).
    pub fn remove(&self, server: &str) {
        if let Ok(mut m) = self.0.lock() {
            m.remove(&server.to_string());
        }
    }
}

/// The server's bounded session-ID cache.
#[derive(Debug)]
pub struct ServerSessionCache(Mutex<BoundedMap<Vec<u8>>>);

impl ServerSessionCache {
    /// A cache of at most `max` sessions; 0 disables session IDs.
    pub fn new(max: usize) -> Self {
        ServerSessionCache(Mutex::new(BoundedMap::new(max)))
    }

    /// Whether the cache stores anything.
    pub fn enabled(&self) -> bool {
        self.0.lock().is_ok_and(|m| m.max > 0)
    }

    /// The session stored under `id`.
    pub fn get(&self, id: &[u8]) -> Option<Session12> {
        self.0.lock().ok()?.map.get(id).cloned()
    }

    /// Stores a session under its ID, evicting the oldest beyond the bound.
    pub fn put(&self, s: Session12) {
        if s.session_id.is_empty() {
            return;
        }
        if let Ok(mut m) = self.0.lock() {
            m.put(s.session_id.clone(), s);
        }
    }
}

const KEY_NAME_LEN: usize = 16;

struct TicketKey {
    name: [u8; KEY_NAME_LEN],
    key: LessSafeKey,
    created: u64,
}

/// Seals TLS 1.2 session state into tickets (RFC 5077) with AES-256-GCM
/// under keys that rotate: a new key every `lifetime` seconds, and the
/// previous one still opens tickets for one more period.
pub struct Ticketer {
    keys: Mutex<(TicketKey, Option<TicketKey>)>,
    lifetime: u64,
}

impl std::fmt::Debug for Ticketer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ticketer")
            .field("lifetime", &self.lifetime)
            .finish_non_exhaustive()
    }
}

fn new_key(now: u64) -> Result<TicketKey, Error> {
    let raw: Zeroizing<[u8; 32]> = Zeroizing::new(random()?);
    let key = UnboundKey::new(&AES_256_GCM, &raw[..]).map_err(|_| Error::internal("ticket key"))?;
    Ok(TicketKey {
        name: random()?,
        key: LessSafeKey::new(key),
        created: now,
    })
}

impl Ticketer {
    /// A ticketer whose tickets live `lifetime` seconds (keys rotate at the same pace).
    pub fn new(lifetime: u64, now: u64) -> Result<Self, Error> {
        Ok(Ticketer {
            keys: Mutex::new((new_key(now)?, None)),
            lifetime: lifetime.max(1),
        })
    }

    /// Ticket lifetime in seconds.
    pub fn lifetime(&self) -> u64 {
        self.lifetime
    }

    fn rotate(&self, keys: &mut (TicketKey, Option<TicketKey>), now: u64) -> Result<(), Error> {
        if now.saturating_sub(keys.0.created) >= self.lifetime {
            let fresh = new_key(now)?;
            let old = std::mem::replace(&mut keys.0, fresh);
            keys.1 = Some(old);
        }
        Ok(())
    }

    /// Seals a session into a ticket: key name, nonce, ciphertext and tag.
    pub fn seal(&self, s: &Session12, now: u64) -> Result<Vec<u8>, Error> {
        let mut keys = self
            .keys
            .lock()
            .map_err(|_| Error::internal("ticket keys poisoned"))?;
        self.rotate(&mut keys, now)?;
        let nonce: [u8; NONCE_LEN] = random()?;
        let mut body = s.encode().to_vec();
        keys.0
            .key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(&keys.0.name),
                &mut body,
            )
            .map_err(|_| Error::internal("ticket sealing failed"))?;
        let mut t = Vec::with_capacity(KEY_NAME_LEN + NONCE_LEN + body.len());
        t.extend_from_slice(&keys.0.name);
        t.extend_from_slice(&nonce);
        t.extend_from_slice(&body);
        Ok(t)
    }

    /// Opens a ticket; None for anything not sealed by a current key or expired.
    pub fn open(&self, ticket: &[u8], now: u64) -> Option<Session12> {
        let mut keys = self.keys.lock().ok()?;
        self.rotate(&mut keys, now).ok()?;
        let mut r = Reader::new(ticket);
        let name = r.take(KEY_NAME_LEN).ok()?;
        let nonce: [u8; NONCE_LEN] = r.take(NONCE_LEN).ok()?.try_into().ok()?;
        let key = [Some(&keys.0), keys.1.as_ref()]
            .into_iter()
            .flatten()
            .find(|k| k.name[..] == *name)?;
        let mut body = Zeroizing::new(r.rest().to_vec());
        let plain = key
            .key
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(name),
                &mut body[..],
            )
            .ok()?;
        let s = Session12::decode(plain, self.lifetime)?;
        s.is_fresh(now).then_some(s)
    }
}

/// A fresh 32-byte session ID.
pub fn new_session_id() -> Result<Vec<u8>, Error> {
    Ok(random::<32>()?.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::crypto::suites::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 as S;

    fn session(now: u64) -> Session12 {
        Session12 {
            session_id: vec![1; 32],
            ticket: None,
            master: MasterSecret12::from_bytes(&S, &[7; 48]).unwrap(),
            extended_ms: true,
            created: now,
            lifetime: 100,
        }
    }

    #[test]
    fn tickets_open_rotate_and_expire() {
        let t = Ticketer::new(100, 1000).unwrap();
        let ticket = t.seal(&session(1000), 1000).unwrap();
        let s = t.open(&ticket, 1010).unwrap();
        assert_eq!(s.master.as_bytes(), &[7; 48]);
        assert!(s.extended_ms);
        // Tampered tickets do not open.
        let mut bad = ticket.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(t.open(&bad, 1010).is_none());
        // Expired sessions do not resume, even though the previous key still opens them.
        assert!(t.open(&ticket, 1150).is_none());
        assert!(t.open(&[0; 5], 1000).is_none());
    }

    #[test]
    fn server_cache_is_bounded() {
        let c = ServerSessionCache::new(2);
        for i in 0..5u8 {
            let mut s = session(0);
            s.session_id = vec![i; 32];
            c.put(s);
        }
        assert!(c.get(&[0; 32]).is_none());
        assert!(c.get(&[4; 32]).is_some());
    }
}

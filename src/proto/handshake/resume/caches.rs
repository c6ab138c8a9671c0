//! The in-memory session stores: the client's per-server cache and the
//! server's session-ID cache, both bounded (the oldest entries go first).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use super::{ClientSessionStore, ServerSessionStore, Session12, Session13};

/// A map that forgets its oldest entries beyond a bound.
#[derive(Debug)]
struct BoundedMap<K, V> {
    map: HashMap<K, V>,
    order: VecDeque<K>,
    max: usize,
}

impl<K: std::hash::Hash + Eq + Clone, V> BoundedMap<K, V> {
    fn new(max: usize) -> Self {
        BoundedMap {
            map: HashMap::new(),
            order: VecDeque::new(),
            max,
        }
    }

    fn put(&mut self, key: K, s: V) {
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

/// Sessions a client keeps in memory, per server name, bounded: the latest
/// TLS 1.2 session and the latest TLS 1.3 ticket. The default
/// [`ClientSessionStore`].
#[derive(Debug)]
pub struct ClientSessionCache {
    tls12: Mutex<BoundedMap<String, Session12>>,
    tls13: Mutex<BoundedMap<String, Session13>>,
}

impl ClientSessionCache {
    /// A cache holding at most `max` servers' sessions of each version.
    pub fn new(max: usize) -> Self {
        ClientSessionCache {
            tls12: Mutex::new(BoundedMap::new(max)),
            tls13: Mutex::new(BoundedMap::new(max)),
        }
    }
}

impl ClientSessionStore for ClientSessionCache {
    fn get(&self, server: &str) -> Option<Session12> {
        self.tls12.lock().ok()?.map.get(server).cloned()
    }

    fn put(&self, server: &str, s: Session12) {
        if let Ok(mut m) = self.tls12.lock() {
            m.put(server.to_string(), s);
        }
    }

    fn remove(&self, server: &str) {
        if let Ok(mut m) = self.tls12.lock() {
            m.remove(&server.to_string());
        }
    }

    fn take13(&self, server: &str) -> Option<Session13> {
        let mut m = self.tls13.lock().ok()?;
        let s = m.map.get(server).cloned();
        m.remove(&server.to_string());
        s
    }

    fn put13(&self, server: &str, s: Session13) {
        if let Ok(mut m) = self.tls13.lock() {
            m.put(server.to_string(), s);
        }
    }
}

/// The server's bounded in-memory session-ID cache: the default
/// [`ServerSessionStore`].
#[derive(Debug)]
pub struct ServerSessionCache(Mutex<BoundedMap<Vec<u8>, Session12>>);

impl ServerSessionCache {
    /// A cache of at most `max` sessions; 0 disables session IDs.
    pub fn new(max: usize) -> Self {
        ServerSessionCache(Mutex::new(BoundedMap::new(max)))
    }
}

impl ServerSessionStore for ServerSessionCache {
    fn enabled(&self) -> bool {
        self.0.lock().is_ok_and(|m| m.max > 0)
    }

    fn get(&self, id: &[u8]) -> Option<Session12> {
        self.0.lock().ok()?.map.get(id).cloned()
    }

    fn put(&self, s: Session12) {
        if s.session_id.is_empty() {
            return;
        }
        if let Ok(mut m) = self.0.lock() {
            m.put(s.session_id.clone(), s);
        }
    }
}

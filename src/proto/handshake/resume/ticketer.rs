//! Sealing session state into tickets and opening them again, under
//! rotating random keys or an operator's [`TicketKeys`].

use super::*;

/// Where a [`Ticketer`]'s keys come from.
enum Keys {
    /// Random per configuration, rotating every lifetime: the current key
    /// and the previous one.
    Auto(Mutex<(TicketKey, Option<TicketKey>)>),
    /// The operator's, shared by a fleet.
    Operator(Arc<TicketKeys>),
}

/// Seals session state into tickets (RFC 5077 for TLS 1.2, RFC 8446 4.6.1
/// for TLS 1.3) with AES-256-GCM: under random keys that rotate (a new key
/// every `lifetime` seconds, the previous one still opening tickets for one
/// more period), or under the operator's [`TicketKeys`].
pub struct Ticketer {
    keys: Keys,
    lifetime: u64,
}

impl std::fmt::Debug for Ticketer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ticketer")
            .field("lifetime", &self.lifetime)
            .field("operator_keys", &matches!(self.keys, Keys::Operator(_)))
            .finish_non_exhaustive()
    }
}

impl Ticketer {
    /// A ticketer whose tickets live `lifetime` seconds (keys rotate at the same pace).
    pub fn new(lifetime: u64, now: u64) -> Result<Self, Error> {
        Ok(Ticketer {
            keys: Keys::Auto(Mutex::new((TicketKey::random(now)?, None))),
            lifetime: lifetime.max(1),
        })
    }

    /// A ticketer sealing under the operator's keys; tickets live `lifetime`
    /// seconds, and keys change only as the operator rotates them.
    pub fn with_keys(lifetime: u64, keys: Arc<TicketKeys>) -> Self {
        Ticketer {
            keys: Keys::Operator(keys),
            lifetime: lifetime.max(1),
        }
    }

    /// Ticket lifetime in seconds.
    pub fn lifetime(&self) -> u64 {
        self.lifetime
    }

    /// Runs `f` on the keys in use at `now`, the sealing key first.
    fn with_keys_at<R>(
        &self,
        now: u64,
        f: impl FnOnce(&mut dyn Iterator<Item = &TicketKey>) -> R,
    ) -> Result<R, Error> {
        match &self.keys {
            Keys::Auto(m) => {
                let mut keys = m
                    .lock()
                    .map_err(|_| Error::internal("ticket keys poisoned"))?;
                if now.saturating_sub(keys.0.created) >= self.lifetime {
                    let fresh = TicketKey::random(now)?;
                    let old = std::mem::replace(&mut keys.0, fresh);
                    keys.1 = Some(old);
                }
                let (cur, old) = &*keys;
                Ok(f(&mut std::iter::once(cur).chain(old.iter())))
            }
            Keys::Operator(k) => k
                .with(now, |ks| f(&mut ks.iter()))
                .ok_or_else(|| Error::internal("ticket keys poisoned")),
        }
    }

    /// Seals bytes into a ticket: key name, nonce, ciphertext and tag.
    fn seal_bytes(&self, plain: &[u8], now: u64) -> Result<Vec<u8>, Error> {
        let nonce: [u8; NONCE_LEN] = random()?;
        self.with_keys_at(now, |keys| {
            let key = keys
                .next()
                .ok_or_else(|| Error::internal("no ticket key"))?;
            let mut t = Vec::with_capacity(KEY_NAME_LEN + NONCE_LEN + plain.len() + 16);
            t.extend_from_slice(&key.name);
            t.extend_from_slice(&nonce);
            t.extend_from_slice(plain);
            let body = KEY_NAME_LEN + NONCE_LEN;
            let tag = key
                .key
                .seal_in_place_separate_tag(
                    Nonce::assume_unique_for_key(nonce),
                    Aad::from(&key.name),
                    &mut t[body..],
                )
                .map_err(|_| Error::internal("ticket sealing failed"))?;
            t.extend_from_slice(tag.as_ref());
            Ok(t)
        })?
    }

    /// Opens a ticket sealed by a current key.
    fn open_bytes(&self, ticket: &[u8], now: u64) -> Option<Zeroizing<Vec<u8>>> {
        let mut r = Reader::new(ticket);
        let name = r.take(KEY_NAME_LEN).ok()?;
        let nonce: [u8; NONCE_LEN] = r.take(NONCE_LEN).ok()?.try_into().ok()?;
        let rest = r.rest();
        self.with_keys_at(now, |keys| {
            let mut found = None;
            for k in keys {
                if k.name[..] == *name {
                    found = Some(k);
                    break;
                }
            }
            let key = found?;
            let mut body = Zeroizing::new(rest.to_vec());
            let len = key
                .key
                .open_in_place(
                    Nonce::assume_unique_for_key(nonce),
                    Aad::from(name),
                    &mut body[..],
                )
                .ok()?
                .len();
            body.truncate(len);
            Some(body)
        })
        .ok()?
    }

    /// Seals a TLS 1.2 session into a ticket.
    pub fn seal(&self, s: &Session12, now: u64) -> Result<Vec<u8>, Error> {
        self.seal_bytes(&s.encode()?, now)
    }

    /// Opens a TLS 1.2 ticket; None for anything not sealed by a current key,
    /// not a TLS 1.2 session, or expired.
    pub fn open(&self, ticket: &[u8], now: u64) -> Option<Session12> {
        let s = Session12::decode(&self.open_bytes(ticket, now)?, self.lifetime)?;
        s.is_fresh(now).then_some(s)
    }

    /// Seals a TLS 1.3 session into a ticket.
    pub fn seal13(&self, s: &Session13, now: u64) -> Result<Vec<u8>, Error> {
        self.seal_bytes(&s.encode()?, now)
    }

    /// Opens a TLS 1.3 ticket, like [`Ticketer::open`].
    pub fn open13(&self, ticket: &[u8], now: u64) -> Option<Session13> {
        let s = Session13::decode(&self.open_bytes(ticket, now)?, self.lifetime)?;
        s.is_fresh(now).then_some(s)
    }
}

/// A fresh 32-byte session ID.
pub fn new_session_id() -> Result<Vec<u8>, Error> {
    Ok(random::<32>()?.to_vec())
}

//! Where sessions are kept: small traits for the server's TLS 1.2
//! session-ID store and the client's session cache, so that a fleet of
//! servers (or a client that restarts) can share them, for example in Redis
//! (feature `redis`). The in-memory defaults are
//! [`ServerSessionCache`](super::ServerSessionCache) and
//! [`ClientSessionCache`](super::ClientSessionCache).
//!
//! The methods are called from inside the handshake, synchronously, on the
//! task driving the connection: an implementation must answer quickly and
//! bound how long it waits (a lookup that gives up returns `None`, which
//! means a full handshake). It must never fail a connection: a store that
//! is down is a store that holds nothing. A server store that waits on the
//! network says so with [`ServerSessionStore::is_async`]: the handshake
//! then pauses for [`ServerSessionStore::get_async`] (see [`crate::hooks`])
//! and no thread blocks; a client store does with
//! [`ClientSessionStore::is_async`], and the connector then awaits
//! [`ClientSessionStore::lookup_async`] before it builds the ClientHello.
//!
//! Sessions hold secrets (the TLS 1.2 master secret, the TLS 1.3 PSK): a
//! store outside the process must be protected like a key store.
//! [`Session12::to_bytes`] and [`Session13::to_bytes`] give the encoding to
//! keep.

use std::fmt::Debug;

use crate::hooks::HookFuture;

use super::{Session12, Session13};

/// The server's store of TLS 1.2 sessions by session ID (RFC 5246 section
/// 7.4.1.2). Session tickets need no store: see
/// [`TicketKeys`](super::TicketKeys) for sharing them across servers.
pub trait ServerSessionStore: Send + Sync + Debug {
    /// Whether to issue session IDs at all (a store that keeps nothing
    /// should say false, so clients are not told to come back with one).
    fn enabled(&self) -> bool {
        true
    }

    /// The session stored under `id`, if any and still known. It is
    /// checked for freshness and fit by the caller.
    fn get(&self, id: &[u8]) -> Option<Session12>;

    /// Stores a new session under `s.session_id`, for `s.lifetime` seconds.
    fn put(&self, s: Session12);

    /// True when lookups should go through [`get_async`](Self::get_async),
    /// with the handshake paused meanwhile (default false: [`get`](Self::get)
    /// is called synchronously).
    fn is_async(&self) -> bool {
        false
    }

    /// Looks up `id` asynchronously; the future must bound its own wait
    /// (None: a full handshake). By default, [`get`](Self::get) at once.
    fn get_async(&self, id: Vec<u8>) -> HookFuture<Option<Session12>> {
        let s = self.get(&id);
        Box::pin(std::future::ready(s))
    }
}

/// The client's sessions per server name (the name it connects to, or the
/// IP address): the latest TLS 1.2 session and the latest TLS 1.3 ticket.
pub trait ClientSessionStore: Send + Sync + Debug {
    /// The TLS 1.2 session for `server`, if any.
    fn get(&self, server: &str) -> Option<Session12>;

    /// Stores (or replaces) the TLS 1.2 session for `server`.
    fn put(&self, server: &str, s: Session12);

    /// Forgets the TLS 1.2 session for `server` (the server did not resume it).
    fn remove(&self, server: &str);

    /// Takes the TLS 1.3 ticket for `server`: a ticket is used once
    /// (RFC 8446 section C.4), so it must be removed as it is returned.
    fn take13(&self, server: &str) -> Option<Session13>;

    /// Stores the newest TLS 1.3 ticket for `server`.
    fn put13(&self, server: &str, s: Session13);

    /// Whether the connector should look sessions up with
    /// [`lookup_async`](Self::lookup_async) before it builds the
    /// ClientHello, on the connecting task, instead of calling
    /// [`get`](Self::get) and [`take13`](Self::take13) synchronously
    /// (default false). A sans-IO [`Connection`](crate::proto::Connection)
    /// always calls them synchronously.
    fn is_async(&self) -> bool {
        false
    }

    /// The sessions for `server` that one ClientHello may offer: the TLS
    /// 1.2 session when `tls12`, the TLS 1.3 ticket (taken: used once) when
    /// `tls13`. The future must bound its own wait (nothing found: a full
    /// handshake). By default, [`get`](Self::get) and
    /// [`take13`](Self::take13) at once.
    fn lookup_async(&self, server: String, tls12: bool, tls13: bool) -> HookFuture<ClientSessions> {
        let found = ClientSessions {
            tls12: if tls12 { self.get(&server) } else { None },
            tls13: if tls13 { self.take13(&server) } else { None },
        };
        Box::pin(std::future::ready(found))
    }
}

/// What [`ClientSessionStore::lookup_async`] found for one connection.
#[derive(Debug, Default)]
pub struct ClientSessions {
    /// The TLS 1.2 session to offer, if any.
    pub tls12: Option<Session12>,
    /// The TLS 1.3 ticket to offer, if any (already taken from the store).
    pub tls13: Option<Session13>,
}

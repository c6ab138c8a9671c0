//! Anti-replay for 0-RTT data (RFC 8446 section 8): a server accepts a
//! ticket's early data at most once.
//!
//! 0-RTT data is not protected against replay by the handshake: whoever
//! captured a ClientHello with early data can send it again, and without
//! more the server would act on the data twice. RFC 8446 section 8 offers
//! two defences, and a server here uses both:
//!
//! * freshness (section 8.3): the client's idea of the ticket's age (the
//!   obfuscated ticket age, minus the ticket's age_add) must be within the
//!   register's [`window`](AntiReplay::window) of the server's, so a
//!   captured ClientHello goes stale after at most twice that window;
//! * a strike register (sections 8.1 and 8.2) keyed by the ticket identity:
//!   the first 0-RTT use of a ticket claims it, and every later one is
//!   refused while the freshness check would still pass, so within its
//!   window a ClientHello is accepted once.
//!
//! A refused claim never fails the connection: the server rejects the early
//! data, skips it, and the handshake goes on in 1-RTT. A register that cannot
//! answer (full, or a shared store that is unreachable) must refuse, so an
//! outage costs 0-RTT, never accepts a replay.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::sync::Mutex;

use crate::hooks::HookFuture;

/// Decides whether a ticket's early data may be accepted: the strike
/// register a server consults before taking 0-RTT data (see the module
/// documentation). Servers that share tickets (a fleet behind one load
/// balancer) must share one register, or a ClientHello replayed to a second
/// server is accepted there; the in-memory [`StrikeRegister`] is the default
/// for a single process.
pub trait AntiReplay: Send + Sync + fmt::Debug {
    /// The freshness window in seconds: 0-RTT whose ticket age differs from
    /// the server's view by more is refused before the register is asked,
    /// so the register needs to remember a claim only for about twice this.
    fn window(&self) -> u64;

    /// Claims `ticket` (a SHA-256 digest of the ticket identity) for 0-RTT
    /// at `now` (seconds since the Unix epoch). Returns true only the first
    /// time within the window; false when it was claimed before or when the
    /// register cannot tell (full, unreachable): then the early data is
    /// rejected and the connection goes on in 1-RTT.
    fn claim(&self, ticket: &[u8; 32], now: u64) -> bool;

    /// True when claims should go through [`claim_async`](Self::claim_async),
    /// with the handshake paused meanwhile (a register across the network;
    /// default false: [`claim`](Self::claim) is called synchronously).
    fn is_async(&self) -> bool {
        false
    }

    /// [`claim`](Self::claim), asynchronously; the future must bound its
    /// own wait and answer false when it cannot tell. By default, `claim`
    /// at once.
    fn claim_async(&self, ticket: [u8; 32], now: u64) -> HookFuture<bool> {
        let ok = self.claim(&ticket, now);
        Box::pin(std::future::ready(ok))
    }
}

/// The default freshness window: ten seconds of clock or network skew
/// between the client's view of the ticket's age and the server's (whose
/// clock counts whole seconds).
pub const DEFAULT_REPLAY_WINDOW: u64 = 10;

/// The default capacity of [`StrikeRegister`]: claims remembered at once.
pub const DEFAULT_REPLAY_CAPACITY: usize = 100_000;

/// An in-memory strike register, bounded in memory (about 50 bytes per
/// claim) and in time (a claim is forgotten once the freshness check alone
/// refuses its ClientHello). When full it refuses every claim until older
/// ones expire: 0-RTT is lost under a flood, replay protection never is.
pub struct StrikeRegister {
    window: u64,
    capacity: usize,
    claims: Mutex<Claims>,
}

#[derive(Default)]
struct Claims {
    seen: HashSet<[u8; 32]>,
    /// When each claim may be forgotten, oldest first.
    expiry: VecDeque<(u64, [u8; 32])>,
}

impl fmt::Debug for StrikeRegister {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StrikeRegister")
            .field("window", &self.window)
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

impl Default for StrikeRegister {
    fn default() -> Self {
        Self::new(DEFAULT_REPLAY_WINDOW, DEFAULT_REPLAY_CAPACITY)
    }
}

impl StrikeRegister {
    /// A register with a freshness window of `window` seconds (at least 1)
    /// remembering at most `capacity` claims.
    pub fn new(window: u64, capacity: usize) -> Self {
        StrikeRegister {
            window: window.max(1),
            capacity,
            claims: Mutex::new(Claims::default()),
        }
    }

    /// How long a claim is kept: a replayed ClientHello passes the
    /// freshness check for at most twice the window after the original, plus
    /// a second each way for the whole-second clock.
    fn retention(&self) -> u64 {
        self.window.saturating_mul(2).saturating_add(2)
    }

    /// Claims remembered now.
    pub fn len(&self) -> usize {
        self.claims.lock().map_or(0, |c| c.seen.len())
    }

    /// True when no claim is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl AntiReplay for StrikeRegister {
    fn window(&self) -> u64 {
        self.window
    }

    fn claim(&self, ticket: &[u8; 32], now: u64) -> bool {
        let Ok(mut c) = self.claims.lock() else {
            return false;
        };
        while let Some(&(expires, key)) = c.expiry.front() {
            if expires > now {
                break;
            }
            c.expiry.pop_front();
            c.seen.remove(&key);
        }
        if c.seen.contains(ticket) || c.seen.len() >= self.capacity {
            return false;
        }
        c.seen.insert(*ticket);
        let expires = now.saturating_add(self.retention());
        c.expiry.push_back((expires, *ticket));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_is_claimed_once_within_the_window() {
        let r = StrikeRegister::new(10, 4);
        assert!(r.claim(&[1; 32], 1000));
        assert!(!r.claim(&[1; 32], 1000));
        assert!(!r.claim(&[1; 32], 1021));
        assert!(r.claim(&[2; 32], 1001));
        // Forgotten once freshness alone refuses the old ClientHello.
        assert!(r.claim(&[1; 32], 1022));
    }

    #[test]
    fn a_full_register_refuses_until_claims_expire() {
        let r = StrikeRegister::new(1, 2);
        assert!(r.claim(&[1; 32], 100));
        assert!(r.claim(&[2; 32], 100));
        assert!(!r.claim(&[3; 32], 100));
        assert_eq!(r.len(), 2);
        assert!(r.claim(&[3; 32], 104));
        assert_eq!(r.len(), 1);
    }
}

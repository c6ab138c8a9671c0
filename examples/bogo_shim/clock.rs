//! The shim's clock, as BoringSSL's shim keeps one: fixed at the time the
//! process started, and moved on only by `-resumption-delay` between
//! connections, so ticket ages and lifetimes are exact whatever the
//! machine's speed.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use lctls::config::TimeProvider;
use lctls::pki::UnixTime;

#[derive(Debug)]
pub struct ShimClock {
    /// Seconds since the Unix epoch.
    secs: AtomicU64,
}

impl Default for ShimClock {
    fn default() -> Self {
        ShimClock {
            secs: AtomicU64::new(UnixTime::now().as_secs()),
        }
    }
}

impl ShimClock {
    /// `-resumption-delay`: the time between one connection and the next.
    pub fn advance(&self, secs: u64) {
        self.secs.fetch_add(secs, Ordering::SeqCst);
    }
}

impl TimeProvider for ShimClock {
    fn now(&self) -> UnixTime {
        UnixTime::since_unix_epoch(Duration::from_secs(self.secs.load(Ordering::SeqCst)))
    }
}

//! Handshake deadlines from a small per-thread pool of armed Tokio timers.
//!
//! Every handshake runs under a time limit (10 s by default), so every
//! handshake needs a timer. A fresh `tokio::time::Sleep` is registered in
//! the runtime's timer wheel at its first poll, and when it becomes the
//! earliest timer while the driver sleeps, Tokio wakes the driver through
//! its eventfd: measured on the compare bench, two extra `write`s per
//! handshake on a current-thread runtime (handshake_0rtt_ecdsa_p256) and
//! about 2.4 extra system calls per handshake (1.8 eventfd writes, then
//! `sched_yield`, `epoll_wait` and futex calls as the other worker wakes)
//! with one pair on a two-worker runtime (scale_handshakes_c1), none of
//! which rustls's untimed handshakes make.
//!
//! A finished handshake's timer goes back to a pool instead. The next
//! handshake on the thread resets it to its own, later, deadline, which
//! Tokio does without the wheel's lock and without waking the driver (the
//! entry is moved when its old deadline comes round). The deadline itself
//! is exact either way; only where the timer comes from changes.
//!
//! A timer belongs to the runtime that created it: pooled timers are
//! reused only on that runtime (`Handle::id`, unique among running
//! runtimes), and a pool holding another runtime's timers is emptied. Only
//! a handshake that finished (from its own poll, on a running runtime)
//! gives its timer back; one dropped unfinished drops its timer as before.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Waker};
use std::time::Duration;

use tokio::runtime::{Handle, Id};
use tokio::time::{Instant, Sleep};

/// Timers a thread keeps between handshakes: enough for the handshakes one
/// worker finishes between two starts, small enough to be nothing in memory.
const POOL: usize = 16;

thread_local! {
    static TIMERS: RefCell<Vec<(Id, Pin<Box<Sleep>>)>> = const { RefCell::new(Vec::new()) };
}

/// One handshake's deadline: a Tokio timer and the runtime it belongs to.
#[derive(Debug)]
pub(crate) struct Deadline {
    owner: Id,
    sleep: Pin<Box<Sleep>>,
}

impl Deadline {
    /// A deadline `limit` from now, on the current runtime: a pooled timer
    /// reset to it when this thread has one, else a new timer.
    pub(crate) fn arm(limit: Duration) -> Deadline {
        let deadline = Instant::now() + limit;
        // Outside a runtime this panics, as `tokio::time::sleep` would.
        let owner = Handle::current().id();
        let pooled = TIMERS
            .try_with(|t| {
                let mut t = t.try_borrow_mut().ok()?;
                let i = t.iter().rposition(|(o, _)| *o == owner)?;
                Some(t.swap_remove(i).1)
            })
            .ok()
            .flatten();
        let sleep = match pooled {
            Some(mut sleep) => {
                sleep.as_mut().reset(deadline);
                sleep
            }
            None => Box::pin(tokio::time::sleep_until(deadline)),
        };
        Deadline { owner, sleep }
    }

    /// Whether the deadline has passed; if not, `cx` is woken when it does.
    pub(crate) fn poll_passed(&mut self, cx: &mut Context<'_>) -> bool {
        self.sleep.as_mut().poll(cx).is_ready()
    }

    /// Gives the timer back for the next handshake on this thread. Called
    /// from the handshake's own poll, so its runtime is running; a timer
    /// that elapsed, or whose runtime is not the current one, is dropped.
    pub(crate) fn release(mut self) {
        let owner = self.owner;
        let current = Handle::try_current().map(|rt| rt.id());
        if current.ok() != Some(owner) || self.sleep.is_elapsed() {
            return;
        }
        // Polling with a no-op waker replaces the finished task's waker,
        // which would otherwise keep that task's allocation alive.
        if self.poll_passed(&mut Context::from_waker(Waker::noop())) {
            return;
        }
        let _ = TIMERS.try_with(|t| {
            let Ok(mut t) = t.try_borrow_mut() else {
                return;
            };
            if t.first().is_some_and(|(o, _)| *o != owner) {
                t.clear();
            }
            if t.len() < POOL {
                t.push((owner, self.sleep));
            }
        });
    }

    #[cfg(test)]
    fn deadline(&self) -> Instant {
        self.sleep.deadline()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pooled() -> Vec<Id> {
        TIMERS.with(|t| t.borrow().iter().map(|(o, _)| *o).collect())
    }

    async fn passed(d: &mut Deadline) {
        std::future::poll_fn(|cx| {
            if d.poll_passed(cx) {
                std::task::Poll::Ready(())
            } else {
                std::task::Poll::Pending
            }
        })
        .await
    }

    #[tokio::test]
    async fn a_pooled_timer_fires_at_its_new_deadline() {
        let limit = Duration::from_millis(300);
        Deadline::arm(limit).release();
        assert_eq!(pooled().len(), 1);
        tokio::time::sleep(Duration::from_millis(100)).await;
        // Reused, and reset: its old deadline was 300 ms after the start,
        // the new one is 300 ms after now.
        let before = Instant::now();
        let mut d = Deadline::arm(limit);
        let after = Instant::now();
        assert!(pooled().is_empty());
        assert!(d.deadline() >= before + limit && d.deadline() <= after + limit);
        passed(&mut d).await;
        assert!(Instant::now() >= before + limit);
    }

    #[tokio::test]
    async fn an_elapsed_timer_is_not_pooled() {
        let mut d = Deadline::arm(Duration::from_millis(1));
        passed(&mut d).await;
        d.release();
        assert!(pooled().is_empty());
    }

    #[test]
    fn timers_of_another_runtime_are_never_reused() {
        let rt = || {
            tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .unwrap()
        };
        let a = rt();
        let a_id = a.handle().id();
        a.block_on(async { Deadline::arm(Duration::from_secs(10)).release() });
        assert_eq!(pooled(), vec![a_id]);
        drop(a);
        let b = rt();
        b.block_on(async {
            // Runtime a is gone: its timer is not handed out here (polling
            // it would panic), and releasing one of b's empties the pool of a's.
            let d = Deadline::arm(Duration::from_secs(10));
            assert_eq!(pooled(), vec![a_id]);
            d.release();
            assert_eq!(pooled(), vec![Handle::current().id()]);
        });
    }
}

//! Failed logins per client address: after `max` failures within `window`, the address must
//! wait until the oldest failure leaves the window. A success clears the address.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Addresses tracked at most; past this the oldest entries are forgotten (a flood of forged
/// addresses cannot grow memory without bound).
const MAX_ADDRESSES: usize = 10_000;

/// The failed-login counters.
#[derive(Debug)]
pub struct Limiter {
    max: u32,
    window: Duration,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Limiter {
    /// `max` failures per address within `window`.
    pub fn new(max: u32, window: Duration) -> Self {
        Self {
            max: max.max(1),
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<Instant>>> {
        // Counters are plain data: a panic elsewhere cannot leave them inconsistent.
        self.failures.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How long `ip` must wait before trying again (`None`: it may try now).
    pub fn blocked_for(&self, ip: &str, now: Instant) -> Option<Duration> {
        let mut map = self.lock();
        let times = map.get_mut(ip)?;
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            times.pop_front();
        }
        if times.len() < self.max as usize {
            return None;
        }
        let oldest = *times.front()?;
        Some(self.window.saturating_sub(now.duration_since(oldest)))
    }

    /// Counts a failure; returns the attempts left before `ip` is blocked.
    pub fn fail(&self, ip: &str, now: Instant) -> u32 {
        let mut map = self.lock();
        if map.len() >= MAX_ADDRESSES && !map.contains_key(ip) {
            let window = self.window;
            map.retain(|_, t| {
                t.back()
                    .is_some_and(|last| now.duration_since(*last) < window)
            });
            if map.len() >= MAX_ADDRESSES {
                map.clear();
            }
        }
        let times = map.entry(ip.to_owned()).or_default();
        times.push_back(now);
        while times.len() > self.max as usize {
            times.pop_front();
        }
        self.max.saturating_sub(times.len() as u32)
    }

    /// Forgets `ip`'s failures (after a successful login).
    pub fn clear(&self, ip: &str) {
        self.lock().remove(ip);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_blocked_after_max_failures_until_the_window_passes() {
        let limiter = Limiter::new(3, Duration::from_secs(60));
        let t0 = Instant::now();
        assert_eq!(limiter.fail("a", t0), 2);
        assert_eq!(limiter.fail("a", t0), 1);
        assert_eq!(limiter.blocked_for("a", t0), None);
        assert_eq!(limiter.fail("a", t0 + Duration::from_secs(10)), 0);
        let wait = limiter
            .blocked_for("a", t0 + Duration::from_secs(20))
            .expect("blocked");
        assert_eq!(wait, Duration::from_secs(40));
        assert_eq!(
            limiter.blocked_for("b", t0),
            None,
            "other addresses are not affected"
        );
        assert_eq!(limiter.blocked_for("a", t0 + Duration::from_secs(61)), None);
    }

    #[test]
    fn a_success_clears_the_failures() {
        let limiter = Limiter::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        limiter.fail("a", t0);
        limiter.fail("a", t0);
        assert!(limiter.blocked_for("a", t0).is_some());
        limiter.clear("a");
        assert_eq!(limiter.blocked_for("a", t0), None);
    }
}

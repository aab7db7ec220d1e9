//! Failed logins, counted per client and role, and across every client.
//!
//! - **Per client and role**: a wrong password counts against every role of its client (it
//!   failed for each); after `max` of them within `window` the client waits until the oldest
//!   leaves the window. A successful login clears the count of *its* role only: knowing the
//!   viewer password must not reset the count of guesses at the admin one.
//! - **Clients** are IPv4 addresses or IPv6 /64 networks ([`crate::client`]). The table holds
//!   at most [`MAX_CLIENTS`]; when full, the oldest client *not* blocked is forgotten, never a
//!   blocked one (a flood from other addresses cannot unblock a guesser).
//! - **Across every client**: once `global_max` failures fall within one window, every new
//!   login is paced to one per [`PACE_INTERVAL`] server-wide (many addresses cannot multiply
//!   the budget); the login page says so.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::client::limiter_key;
use crate::Role;

/// Clients tracked at most: a flood of addresses cannot grow memory without bound.
pub const MAX_CLIENTS: usize = 10_000;
/// While the global ceiling is reached, one login (right or wrong) per this interval.
pub const PACE_INTERVAL: Duration = Duration::from_secs(1);

/// One client's failures.
#[derive(Debug, Default)]
struct Record {
    /// The latest failures (at most `max`), oldest first.
    failures: VecDeque<Instant>,
    /// When each role last logged in from here (indexed by [`slot`]): earlier failures do not
    /// count against that role any more.
    cleared: [Option<Instant>; 2],
}

fn slot(role: Role) -> usize {
    match role {
        Role::Viewer => 0,
        Role::Admin => 1,
    }
}

impl Record {
    /// How long `role` must wait (`None`: it may try now).
    fn blocked_for(
        &self,
        role: Role,
        max: usize,
        window: Duration,
        now: Instant,
    ) -> Option<Duration> {
        let cleared = self.cleared[slot(role)];
        let mut counted = self.failures.iter().filter(|t| {
            now.saturating_duration_since(**t) < window && cleared.is_none_or(|c| **t > c)
        });
        let oldest = *counted.next()?;
        let count = 1 + counted.count();
        (count >= max).then(|| window.saturating_sub(now.saturating_duration_since(oldest)))
    }

    /// The longer wait of the two roles.
    fn blocked_any(&self, max: usize, window: Duration, now: Instant) -> Option<Duration> {
        let viewer = self.blocked_for(Role::Viewer, max, window, now);
        let admin = self.blocked_for(Role::Admin, max, window, now);
        viewer.max(admin)
    }
}

/// What [`Limiter::pace`] decided for a login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    /// Go ahead (after waiting this long, possibly zero).
    Go(Duration),
    /// Too many logins are queued: try again after this long.
    Refuse(Duration),
}

#[derive(Debug, Default)]
struct Inner {
    clients: HashMap<IpAddr, Record>,
    /// Every client's latest failures (at most `global_max`), oldest first.
    recent: VecDeque<Instant>,
    /// When the next paced login may run.
    next_slot: Option<Instant>,
}

/// The failed-login counters.
#[derive(Debug)]
pub struct Limiter {
    max: usize,
    window: Duration,
    global_max: usize,
    inner: Mutex<Inner>,
}

impl Limiter {
    /// `max` failures per client within `window`; `global_max` failures across all clients
    /// within `window` before every login is paced.
    pub fn new(max: u32, window: Duration, global_max: u32) -> Self {
        Self {
            max: (max as usize).max(1),
            window,
            global_max: (global_max as usize).max(1),
            inner: Mutex::new(Inner::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // Counters are plain data: a panic elsewhere cannot leave them inconsistent.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How long `client` must wait before trying `role`'s password (`None`: it may try now).
    pub fn blocked_for(&self, client: IpAddr, role: Role, now: Instant) -> Option<Duration> {
        let inner = self.lock();
        let record = inner.clients.get(&limiter_key(client))?;
        record.blocked_for(role, self.max, self.window, now)
    }

    /// How long `client` must wait when it is blocked for any role (a wrong password, which
    /// may have been meant for either).
    pub fn blocked_any(&self, client: IpAddr, now: Instant) -> Option<Duration> {
        let inner = self.lock();
        let record = inner.clients.get(&limiter_key(client))?;
        record.blocked_any(self.max, self.window, now)
    }

    /// How long `client` must wait when it is blocked for every role: nothing it sends can
    /// succeed, so its attempts need not even wait for a turn (the shorter wait).
    pub fn blocked_all(&self, client: IpAddr, now: Instant) -> Option<Duration> {
        let inner = self.lock();
        let record = inner.clients.get(&limiter_key(client))?;
        let viewer = record.blocked_for(Role::Viewer, self.max, self.window, now)?;
        let admin = record.blocked_for(Role::Admin, self.max, self.window, now)?;
        Some(viewer.min(admin))
    }

    /// Counts a failure of `client`; returns the attempts left before it is blocked.
    pub fn fail(&self, client: IpAddr, now: Instant) -> u32 {
        let key = limiter_key(client);
        let mut inner = self.lock();
        inner.recent.push_back(now);
        while inner.recent.len() > self.global_max {
            inner.recent.pop_front();
        }
        if !inner.clients.contains_key(&key) && inner.clients.len() >= MAX_CLIENTS {
            self.make_room(&mut inner.clients, now);
            if inner.clients.len() >= MAX_CLIENTS {
                // Every client tracked is blocked: this one is still paced globally (the
                // ceiling is far exceeded by then), and no blocked client is forgotten.
                return 0;
            }
        }
        let record = inner.clients.entry(key).or_default();
        record.failures.push_back(now);
        while record.failures.len() > self.max {
            record.failures.pop_front();
        }
        let left = |role| {
            let count = record
                .failures
                .iter()
                .filter(|t| record.cleared[slot(role)].is_none_or(|c| **t > c))
                .filter(|t| now.saturating_duration_since(**t) < self.window)
                .count();
            self.max.saturating_sub(count)
        };
        let left = left(Role::Viewer).min(left(Role::Admin));
        u32::try_from(left).unwrap_or(u32::MAX)
    }

    /// Forgets the clients whose failures have all left the window; if none, the one not
    /// blocked whose latest failure is oldest. A blocked client is never forgotten.
    fn make_room(&self, clients: &mut HashMap<IpAddr, Record>, now: Instant) {
        let window = self.window;
        clients.retain(|_, r| {
            r.failures
                .back()
                .is_some_and(|last| now.saturating_duration_since(*last) < window)
        });
        if clients.len() < MAX_CLIENTS {
            return;
        }
        let oldest = clients
            .iter()
            .filter(|(_, r)| r.blocked_any(self.max, window, now).is_none())
            .min_by_key(|(_, r)| r.failures.back().copied())
            .map(|(k, _)| *k);
        if let Some(key) = oldest {
            clients.remove(&key);
        }
    }

    /// A successful login of `role` from `client`: that role's failures stop counting (the
    /// other role's do not).
    pub fn succeed(&self, client: IpAddr, role: Role, now: Instant) {
        if let Some(record) = self.lock().clients.get_mut(&limiter_key(client)) {
            record.cleared[slot(role)] = Some(now);
        }
    }

    /// True while the failures of every client within the window reach the global ceiling.
    pub fn slowed(&self, now: Instant) -> bool {
        let inner = self.lock();
        self.ceiling_reached(&inner, now)
    }

    fn ceiling_reached(&self, inner: &Inner, now: Instant) -> bool {
        inner.recent.len() >= self.global_max
            && inner
                .recent
                .front()
                .is_some_and(|t| now.saturating_duration_since(*t) < self.window)
    }

    /// May a login run, and when? At once below the global ceiling; above it one login per
    /// [`PACE_INTERVAL`] server-wide, each after waiting its turn, or refused when its turn is
    /// more than `max_wait` away (nothing is reserved then).
    pub fn pace(&self, now: Instant, max_wait: Duration) -> Pace {
        let mut inner = self.lock();
        if !self.ceiling_reached(&inner, now) {
            return Pace::Go(Duration::ZERO);
        }
        let turn = inner.next_slot.map_or(now, |s| s.max(now));
        let wait = turn.saturating_duration_since(now);
        if wait > max_wait {
            return Pace::Refuse(wait.max(PACE_INTERVAL));
        }
        inner.next_slot = Some(turn + PACE_INTERVAL);
        Pace::Go(wait)
    }

    /// Clients tracked now (for tests and diagnostics).
    pub fn tracked(&self) -> usize {
        self.lock().clients.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(n: u32) -> IpAddr {
        IpAddr::V4(n.into())
    }

    const A: u32 = 0x0a00_0001;

    #[test]
    fn an_address_is_blocked_after_max_failures_until_the_window_passes() {
        let limiter = Limiter::new(3, Duration::from_secs(60), 1000);
        let t0 = Instant::now();
        assert_eq!(limiter.fail(ip(A), t0), 2);
        assert_eq!(limiter.fail(ip(A), t0), 1);
        assert_eq!(limiter.blocked_any(ip(A), t0), None);
        assert_eq!(limiter.fail(ip(A), t0 + Duration::from_secs(10)), 0);
        let wait = limiter.blocked_for(ip(A), Role::Admin, t0 + Duration::from_secs(20));
        assert_eq!(wait, Some(Duration::from_secs(40)));
        assert_eq!(
            limiter.blocked_any(ip(7), t0),
            None,
            "others are not affected"
        );
        assert_eq!(
            limiter.blocked_any(ip(A), t0 + Duration::from_secs(61)),
            None
        );
    }

    #[test]
    fn a_viewer_login_does_not_clear_the_failures_counted_against_the_admin_password() {
        let limiter = Limiter::new(5, Duration::from_secs(600), 1000);
        let t0 = Instant::now();
        let mut refused = 0;
        for i in 0..40u64 {
            let now = t0 + Duration::from_millis(i * 10);
            if limiter.blocked_any(ip(A), now).is_some() {
                refused += 1;
            } else {
                limiter.fail(ip(A), now);
            }
            if limiter.blocked_for(ip(A), Role::Viewer, now).is_none() {
                limiter.succeed(ip(A), Role::Viewer, now + Duration::from_millis(5));
            }
        }
        assert_eq!(refused, 35, "five guesses, then blocked");
        let later = t0 + Duration::from_secs(1);
        assert!(limiter.blocked_for(ip(A), Role::Admin, later).is_some());
        assert_eq!(limiter.blocked_for(ip(A), Role::Viewer, later), None);
        limiter.succeed(ip(A), Role::Admin, later);
        assert_eq!(
            limiter.blocked_any(ip(A), later),
            None,
            "an admin login clears"
        );
    }

    #[test]
    fn failures_from_ten_thousand_other_addresses_do_not_unblock_a_blocked_one() {
        let limiter = Limiter::new(5, Duration::from_secs(600), u32::MAX);
        let t0 = Instant::now();
        for _ in 0..5 {
            limiter.fail(ip(A), t0);
        }
        assert!(limiter.blocked_any(ip(A), t0).is_some());
        for n in 0..10_001u32 {
            limiter.fail(
                ip(0x0b00_0000 + n),
                t0 + Duration::from_millis(u64::from(n)),
            );
        }
        assert!(limiter.tracked() <= MAX_CLIENTS);
        let now = t0 + Duration::from_secs(20);
        assert!(
            limiter.blocked_any(ip(A), now).is_some(),
            "the flood unblocked the guesser"
        );
        // The oldest unblocked client was the one forgotten.
        assert_eq!(limiter.fail(ip(0x0b00_0000), now), 4);
    }

    #[test]
    fn a_table_full_of_blocked_clients_forgets_none_of_them() {
        let limiter = Limiter::new(1, Duration::from_secs(600), u32::MAX);
        let t0 = Instant::now();
        for n in 0..MAX_CLIENTS as u32 {
            limiter.fail(ip(n), t0);
        }
        assert_eq!(limiter.fail(ip(u32::MAX), t0), 0);
        assert_eq!(limiter.tracked(), MAX_CLIENTS);
        assert!(limiter.blocked_any(ip(0), t0).is_some());
    }

    #[test]
    fn past_the_global_ceiling_every_login_waits_its_turn() {
        let limiter = Limiter::new(5, Duration::from_secs(600), 10);
        let t0 = Instant::now();
        assert_eq!(limiter.pace(t0, Duration::ZERO), Pace::Go(Duration::ZERO));
        for n in 0..10 {
            limiter.fail(ip(n), t0);
        }
        assert!(limiter.slowed(t0));
        assert_eq!(
            limiter.pace(t0, Duration::from_secs(5)),
            Pace::Go(Duration::ZERO)
        );
        assert_eq!(
            limiter.pace(t0, Duration::from_secs(5)),
            Pace::Go(PACE_INTERVAL),
            "the second login waits a turn"
        );
        assert!(matches!(limiter.pace(t0, Duration::ZERO), Pace::Refuse(_)));
        let later = t0 + Duration::from_secs(601);
        assert!(!limiter.slowed(later), "the ceiling lifts with the window");
        assert_eq!(
            limiter.pace(later, Duration::ZERO),
            Pace::Go(Duration::ZERO)
        );
    }
}

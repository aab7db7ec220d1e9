//! The run's shape: every `SOAK_*` variable, read once from the environment.

use std::path::PathBuf;
use std::time::Duration;

/// Samples whose median is the RSS right after warm-up, and at the end.
pub(crate) const RSS_MEDIAN_OF: usize = 3;

fn env_num<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The run's shape, from the environment.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) seconds: u64,
    pub(crate) clients: usize,
    pub(crate) seed: u64,
    pub(crate) stores: usize,
    pub(crate) days: u32,
    pub(crate) orders: u32,
    pub(crate) upload_every: u64,
    pub(crate) rss_every: u64,
    pub(crate) max_growth_pct: f64,
    pub(crate) server: Option<PathBuf>,
}

impl Config {
    pub(crate) fn from_env() -> Self {
        Self {
            seconds: env_num("SOAK_SECONDS", 600),
            clients: env_num("SOAK_CLIENTS", 8usize).max(1),
            seed: env_num("SOAK_SEED", 42),
            stores: env_num("SOAK_STORES", 8usize).max(1),
            days: env_num("SOAK_DAYS", 30u32).max(1),
            orders: env_num("SOAK_ORDERS", 64u32).max(1),
            upload_every: env_num("SOAK_UPLOAD_EVERY", 30u64).max(1),
            rss_every: env_num("SOAK_RSS_EVERY", 5u64).max(1),
            max_growth_pct: env_num("SOAK_MAX_GROWTH", 10.0),
            server: std::env::var_os("SOAK_SERVER").map(PathBuf::from),
        }
    }

    /// The first 20% of the run, at least 30 s.
    pub(crate) fn warmup(&self) -> Duration {
        Duration::from_secs((self.seconds / 5).max(30))
    }

    /// Shortest run that leaves [`RSS_MEDIAN_OF`] samples after warm-up for each median.
    pub(crate) fn min_seconds(&self) -> u64 {
        30 + 2 * RSS_MEDIAN_OF as u64 * self.rss_every
    }
}

//! Resident memory: sampling the server's `VmRSS` during the load, and the growth after warm-up.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::client::Shared;
use crate::server::Server;
use crate::settings::{Config, RSS_MEDIAN_OF};
use crate::traffic::Kind;

/// `VmRSS` of a process in kB (Linux `/proc`); `None` elsewhere.
pub(crate) fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// kB as MB with one decimal, `n/a` when not measured.
pub(crate) fn mb(kb: Option<u64>) -> String {
    kb.map_or_else(
        || "n/a".to_owned(),
        |kb| format!("{:.1} MB", kb as f64 / 1024.0),
    )
}

/// One RSS sample: seconds since the start of the load, kB.
pub(crate) type Sample = (f64, u64);

/// Samples the server's RSS until the deadline; prints a progress line every minute. Stops
/// early (and records a failure) if the server exits.
pub(crate) fn sample_rss(
    server: &mut Server,
    shared: &Shared,
    config: &Config,
    started: Instant,
    deadline: Instant,
) -> Vec<Sample> {
    let every = Duration::from_secs(config.rss_every);
    let mut samples = Vec::new();
    let mut next = started + every;
    let mut next_progress = started + Duration::from_secs(60);
    while Instant::now() < deadline {
        let now = Instant::now();
        if now < next {
            std::thread::sleep((next - now).min(deadline.saturating_duration_since(now)));
            continue;
        }
        next += every;
        if let Some(status) = server.exited() {
            shared.fail(
                Kind::Page,
                format!("the server exited during the run: {status}"),
            );
            shared.stop.store(true, Ordering::Relaxed);
            break;
        }
        let t = started.elapsed().as_secs_f64();
        if let Some(kb) = rss_kb(server.pid()) {
            samples.push((t, kb));
        }
        if Instant::now() >= next_progress {
            next_progress += Duration::from_secs(60);
            println!(
                "  t={:>4.0} s  requests {:>8}  failures {}  RSS {}",
                t,
                shared.requests.load(Ordering::Relaxed),
                shared.failure_count(),
                mb(samples.last().map(|s| s.1))
            );
        }
    }
    // One last sample at the deadline, so the end median does not miss the final seconds.
    if server.exited().is_none() {
        if let Some(kb) = rss_kb(server.pid()) {
            samples.push((started.elapsed().as_secs_f64(), kb));
        }
    }
    samples
}

fn median(values: &mut [u64]) -> Option<u64> {
    values.sort_unstable();
    values.get(values.len() / 2).copied()
}

/// RSS figures: after warm-up, maximum, end, growth.
#[derive(Debug)]
pub(crate) struct Memory {
    pub(crate) after_warmup: u64,
    pub(crate) max: u64,
    pub(crate) end: u64,
    pub(crate) growth_pct: f64,
}

pub(crate) fn memory(samples: &[Sample], warmup: Duration) -> Option<Memory> {
    let warm: Vec<u64> = samples
        .iter()
        .filter(|(t, _)| *t >= warmup.as_secs_f64())
        .map(|&(_, kb)| kb)
        .collect();
    if warm.len() < 2 * RSS_MEDIAN_OF {
        return None;
    }
    let after_warmup = median(&mut warm[..RSS_MEDIAN_OF].to_vec())?;
    let end = median(&mut warm[warm.len() - RSS_MEDIAN_OF..].to_vec())?;
    Some(Memory {
        after_warmup,
        max: samples.iter().map(|s| s.1).max().unwrap_or(0),
        end,
        growth_pct: (end as f64 / after_warmup as f64 - 1.0) * 100.0,
    })
}

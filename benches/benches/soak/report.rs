//! The summary: latencies per kind of request, uploads, memory, how the server ended, and the
//! verdict.

use std::time::Duration;

use crate::client::{Failures, Stats};
use crate::rss::{mb, memory, Sample};
use crate::server::End;
use crate::settings::Config;
use crate::traffic::KINDS;
use crate::upload::UploadCounts;

/// Prints the summary; true when every check passed.
pub(crate) fn report(
    config: &Config,
    stats: &Stats,
    failures: &Failures,
    uploads: &UploadCounts,
    samples: &[Sample],
    end: &End,
    elapsed: Duration,
) -> bool {
    print_latencies(stats, elapsed);
    println!(
        "uploads: {} new files, {} repeats, {} answered already_imported",
        uploads.new_files, uploads.repeats, uploads.already_imported
    );
    let memory_ok = check_memory(config, samples);
    let end_ok = check_end(end, failures);
    let ok = memory_ok && end_ok;
    println!("{}", if ok { "soak: PASS" } else { "soak: FAIL" });
    ok
}

/// The latency table: requests, errors, rate and percentiles per kind, then in total.
fn print_latencies(stats: &Stats, elapsed: Duration) {
    println!();
    println!(
        "{:<22} {:>9} {:>7} {:>8} {:>9} {:>9} {:>9}",
        "kind", "requests", "errors", "req/s", "p50 ms", "p99 ms", "max ms"
    );
    let secs = elapsed.as_secs_f64();
    let mut all: Vec<u32> = Vec::new();
    let mut total_failed = 0;
    for kind in KINDS {
        let mut lat = stats.latencies[kind as usize].clone();
        lat.sort_unstable();
        let failed = stats.failures[kind as usize];
        total_failed += failed;
        let n = lat.len() as u64 + failed;
        println!(
            "{:<22} {:>9} {:>7} {:>8.1} {:>9.2} {:>9.2} {:>9.1}",
            kind.name(),
            n,
            failed,
            n as f64 / secs,
            percentile(&lat, 50.0),
            percentile(&lat, 99.0),
            percentile(&lat, 100.0)
        );
        all.extend(lat);
    }
    all.sort_unstable();
    let total = all.len() as u64 + total_failed;
    println!(
        "{:<22} {:>9} {:>7} {:>8.1} {:>9.2} {:>9.2} {:>9.1}",
        "total",
        total,
        total_failed,
        total as f64 / secs,
        percentile(&all, 50.0),
        percentile(&all, 99.0),
        percentile(&all, 100.0)
    );
}

/// Prints the RSS figures; false when memory grew more than the limit after warm-up, or (on
/// Linux) there were too few samples to tell.
fn check_memory(config: &Config, samples: &[Sample]) -> bool {
    let mut ok = true;
    let memory = memory(samples, config.warmup());
    match &memory {
        Some(m) => {
            println!(
                "RSS: after warm-up {}, max {}, end {}, growth {:+.1}% (limit {:.0}%)",
                mb(Some(m.after_warmup)),
                mb(Some(m.max)),
                mb(Some(m.end)),
                m.growth_pct,
                config.max_growth_pct
            );
            let per_minute: Vec<String> = samples
                .iter()
                .filter(|(t, _)| (*t as u64) % 60 < config.rss_every)
                .map(|&(t, kb)| format!("{:.0}s {:.1}", t, kb as f64 / 1024.0))
                .collect();
            println!("RSS by minute (MB): {}", per_minute.join(", "));
            if m.growth_pct > config.max_growth_pct {
                println!(
                    "FAIL: RSS grew {:.1}% after warm-up (limit {:.0}%)",
                    m.growth_pct, config.max_growth_pct
                );
                ok = false;
            }
        }
        None if cfg!(target_os = "linux") => {
            println!(
                "FAIL: too few RSS samples after warm-up ({})",
                samples.len()
            );
            ok = false;
        }
        None => println!("RSS: not measured on this platform"),
    }
    ok
}

/// Prints how the server ended and the failures; false when it did not stop cleanly or any
/// answer was unexpected.
fn check_end(end: &End, failures: &Failures) -> bool {
    let (stopped, log) = (&end.stopped, &end.log);
    let mut ok = true;
    println!("tab cache (/metrics): {}", end.cache);
    println!("server stop: {}", stopped.what);
    if !stopped.clean {
        println!("FAIL: the server did not exit with status 0 after SIGTERM");
        ok = false;
    }
    println!(
        "server log: {} lines, {} WARN, {} ERROR",
        log.lines, log.warnings, log.errors
    );
    for line in &log.first {
        println!("  {line}");
    }
    if failures.count > 0 {
        println!(
            "FAIL: {} unexpected answers or transport errors; the first:",
            failures.count
        );
        for f in &failures.kept {
            println!("  {f}");
        }
        ok = false;
    }
    ok
}

/// The `p`th percentile (nearest rank) of sorted samples.
fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    f64::from(sorted[rank.clamp(1, sorted.len()) - 1]) / 1000.0
}

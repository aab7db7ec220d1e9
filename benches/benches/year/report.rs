//! The summary: one Markdown table, each figure beside the old core's (issue 11, full scale) and
//! the target.

use crate::mix::{self, MixStats};
use crate::restart::Restart;
use crate::tabs::TabCase;
use crate::{Config, Upload};

/// Everything one run measured.
pub(crate) struct Summary<'a> {
    pub(crate) config: &'a Config,
    pub(crate) stored: u64,
    pub(crate) uploads: &'a [Upload],
    pub(crate) after_uploads: f64,
    pub(crate) restart: &'a Restart,
    pub(crate) tabs: &'a [TabCase],
    pub(crate) mix: &'a MixStats,
    pub(crate) mix_lines: u64,
}

impl Summary<'_> {
    /// Prints the table (Markdown, for docs/performance.md).
    pub(crate) fn print(&self) {
        let (uploads, r) = (self.uploads, self.restart);
        let total: f64 = uploads.iter().map(|u| u.seconds).sum();
        let calamine: f64 = uploads.iter().map(|u| u.calamine).sum();
        let (first, last) = (&uploads[0], &uploads[uploads.len() - 1]);
        let worst = uploads
            .iter()
            .map(|u| u.seconds / u.calamine)
            .fold(0.0, f64::max);
        println!(
            "\n## A year of the chain: {} lines in {} files (BENCH_SCALE {}, {} orders per \
             store-day)\n",
            self.stored,
            uploads.len(),
            self.config.scale,
            self.config.orders()
        );
        println!("| what | measured | old core (issue 11, full scale) | target |");
        println!("|---|---|---|---|");
        println!(
            "| {} uploads, total | {total:.1} s ({} {:.1} s, {} {:.1} s: last/first {:.2}×); \
             calamine {:.1} s per file; upload/calamine {:.2}× overall, first {:.2}×, last \
             {:.2}×, worst {worst:.2}× | 175 s (13 s → 16 s); calamine 11 s per file | ≤ 1.1× \
             calamine, flat |",
            uploads.len(),
            first.label,
            first.seconds,
            last.label,
            last.seconds,
            last.seconds / first.seconds,
            calamine / uploads.len() as f64,
            total / calamine,
            first.seconds / first.calamine,
            last.seconds / last.calamine,
        );
        let per_line = |mb: f64| mb * 1024.0 * 1024.0 / self.stored.max(1) as f64;
        println!(
            "| resident memory after the uploads (their aggregates built) / after a restart / after a restart with the \
             aggregates | {:.0} MB / {:.0} MB / {:.0} MB ({:.0} / {:.0} / {:.0} bytes per line; \
             restart peak {:.0} MB) | 1.42 GB / 1.19 GB (~110 bytes per line) | ≤ 800 MB after a \
             restart, aggregates included |",
            self.after_uploads,
            r.rss_mb,
            r.warm_rss_mb,
            per_line(self.after_uploads),
            per_line(r.rss_mb),
            per_line(r.warm_rss_mb),
            r.peak_mb
        );
        let fmt_s = |s: Option<f64>| s.map_or("never".to_owned(), |s| format!("{s:.2} s"));
        println!(
            "| restart until `/api/v1/stores` lists every line | {}; `/healthz` first answered \
             at {} ({}){} | 4.3 s | ≤ 2 s; `/healthz` answers at once |",
            fmt_s(r.complete_s),
            fmt_s(r.healthz_s),
            if r.healthz_during_load() {
                "during loading"
            } else {
                "not during loading"
            },
            r.failure
                .as_ref()
                .map_or(String::new(), |f| format!("; failed: {f}"))
        );
        print_queries(self.config, self.tabs, self.mix, self.mix_lines);
        if self.config.scale != 1.0 || uploads.len() != 12 {
            println!(
                "\n(reduced scale: the old-core figures and the targets are for the full year)"
            );
        }
    }
}

/// The rows of the uncached tabs and of the click mix (also printed alone by
/// `BENCH_QUERIES_ONLY`).
pub(crate) fn print_queries(config: &Config, tabs: &[TabCase], m: &MixStats, mix_lines: u64) {
    {
        for case in tabs {
            let mut measured = case
                .median_ms
                .map_or("no answer".to_owned(), |ms| format!("{ms:.1} ms"));
            measured.push_str(&format!(", {}", size(case.bytes)));
            if !case.failures.is_empty() {
                measured.push_str(&format!(
                    "; {} failed ({})",
                    case.failures.len(),
                    case.failures[0]
                ));
            }
            println!(
                "| {}, uncached | {measured} | {} | {} |",
                case.what, case.old, case.target
            );
        }
        println!(
            "| click mix, {} clients, one month ({} lines, {} s) | {:.0} requests/s, p50 {:.1} ms, \
             p99 {:.1} ms, max {:.0} ms; errors {} (timeouts > {} s {}, non-200 {}, I/O {}){} | \
             190–230 requests/s, p99 1.4 s, a few timeouts | p99 ≤ 50 ms, no error |",
            config.clients,
            mix_lines,
            config.mix_seconds,
            m.rate(),
            m.p50_ms,
            m.p99_ms,
            m.max_ms,
            m.errors(),
            mix::DEADLINE.as_secs(),
            m.timeouts,
            m.bad_status,
            m.io_errors,
            m.first_error
                .as_ref()
                .map_or(String::new(), |e| format!("; first: {e}"))
        );
        print_groups(m);
    }
}

/// Where the click mix's tail comes from: each kind of request, most of the tail first.
fn print_groups(m: &MixStats) {
    println!();
    println!("| click mix by request (tab, stores, cache) | requests | p50 | p99 | share of the requests above the mix's p99 |");
    println!("|---|---|---|---|---|");
    for g in &m.groups {
        println!(
            "| {} | {} ({:.1}%) | {:.1} ms | {:.1} ms | {:.0}% |",
            g.label,
            g.requests,
            g.requests as f64 * 100.0 / m.requests.max(1) as f64,
            g.p50_ms,
            g.p99_ms,
            g.tail_pct
        );
    }
}

fn size(bytes: usize) -> String {
    if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1e6)
    } else {
        format!("{:.1} kB", bytes as f64 / 1e3)
    }
}

//! Ingest throughput and peak memory against a raw calamine read of the same file, in the same
//! run, and start-up load time / resident memory for a 28-store × 30-day database.
//!
//! Run: `cargo bench -p storeboard-benches --bench ingest` (or `cargo make bench`).
//! Env: `BENCH_SIZES=10000,100000,500000` (lines per file), `BENCH_ROUNDS=3`,
//! `BENCH_CHAIN_ORDERS=128` (orders per store and day of the start-up database).
//!
//! Each measurement runs in a child process (this same binary with `--child …`) so that its peak
//! RSS (`VmHWM`) is its own. Linux only for the memory figures (`/proc/self/status`).

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use calamine::{Reader, Xlsx};
mod common;

use common::{bench_dir, chain_database};
use storeboard_data::{ingest, IngestOptions, OrderStore};
use storeboard_fixtures::{write_xlsx, ExportSpec};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        child(&args[i + 1], Path::new(&args[i + 2]));
        return;
    }
    if args.iter().any(|a| a == "--list") {
        return;
    }
    let dir = bench_dir();
    let rounds: usize = env_num("BENCH_ROUNDS", 3);
    let sizes: Vec<u32> = std::env::var("BENCH_SIZES")
        .unwrap_or_else(|_| "10000,100000,500000".to_owned())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    println!("ingest vs raw calamine streaming read (median of {rounds} rounds, child processes)");
    println!(
        "{:>8} {:>9} {:>10} {:>8} {:>10} {:>8} {:>9} {:>8}",
        "lines", "raw s", "raw MB", "ingest s", "ingest MB", "time ×", "memory ×", "lines/s"
    );
    for target in sizes {
        let file = generated(&dir, target);
        let raw = median(rounds, || run_child("raw", &file));
        let full = median(rounds, || run_child("ingest", &file));
        println!(
            "{:>8} {:>9.3} {:>10.1} {:>8.3} {:>10.1} {:>8.2} {:>9.2} {:>8.0}",
            full.lines,
            raw.seconds,
            raw.peak_mb,
            full.seconds,
            full.peak_mb,
            full.seconds / raw.seconds,
            full.peak_mb / raw.peak_mb,
            full.lines as f64 / full.seconds
        );
    }
    let db = chain_database(&dir, env_num("BENCH_CHAIN_ORDERS", 128));
    let load = median(rounds, || run_child("load", &db));
    println!(
        "start-up load: {} lines in {:.3} s; resident after load {:.1} MB (peak {:.1} MB)",
        load.lines, load.seconds, load.rss_mb, load.peak_mb
    );
}

#[derive(Debug, Clone, Copy)]
struct Measure {
    lines: usize,
    seconds: f64,
    peak_mb: f64,
    rss_mb: f64,
}

fn median(rounds: usize, mut f: impl FnMut() -> Measure) -> Measure {
    let mut all: Vec<Measure> = (0..rounds.max(1)).map(|_| f()).collect();
    all.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    all[all.len() / 2]
}

fn env_num<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A generated export of about `target` lines, cached between runs (same seed, same file).
fn generated(dir: &Path, target: u32) -> PathBuf {
    let path = dir.join(format!("orders-{target}.xlsx"));
    if !path.exists() {
        let started = Instant::now();
        write_xlsx(&ExportSpec::with_about_lines(target), &path).expect("writes the export");
        eprintln!(
            "generated {} in {:.1} s",
            path.display(),
            started.elapsed().as_secs_f64()
        );
    }
    path
}

fn run_child(what: &str, path: &Path) -> Measure {
    let exe = std::env::current_exe().expect("own path");
    let out = Command::new(exe)
        .args(["--child", what])
        .arg(path)
        .output()
        .expect("child runs");
    assert!(
        out.status.success(),
        "child {what} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let nums: Vec<f64> = text
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    assert_eq!(nums.len(), 4, "child said: {text}");
    Measure {
        lines: nums[0] as usize,
        seconds: nums[1],
        peak_mb: nums[2],
        rss_mb: nums[3],
    }
}

/// `VmHWM` and `VmRSS` of this process in MB (0 where /proc is not there).
fn memory_mb() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

fn child(what: &str, path: &Path) {
    let started = Instant::now();
    let lines = match what {
        "raw" => raw_read(path),
        "ingest" => {
            let file = BufReader::new(std::fs::File::open(path).expect("opens"));
            let parsed = ingest(file, "orders.xlsx", &IngestOptions::default()).expect("ingests");
            parsed.report.accepted_lines
        }
        "load" => {
            let store = OrderStore::open(path).expect("loads");
            store.registry().summaries().iter().map(|s| s.lines).sum()
        }
        other => panic!("unknown child task {other}"),
    };
    let seconds = started.elapsed().as_secs_f64();
    let (peak, rss) = memory_mb();
    println!("{lines} {seconds} {peak} {rss}");
}

/// The baseline: calamine's streaming cell reader over the first sheet, touching every cell.
fn raw_read(path: &Path) -> usize {
    let file = BufReader::new(std::fs::File::open(path).expect("opens"));
    let mut xlsx: Xlsx<_> = Xlsx::new(file).expect("opens workbook");
    let name = xlsx.sheet_names()[0].clone();
    let mut cells = xlsx.worksheet_cells_reader(&name).expect("sheet");
    let mut last_row = 0;
    let mut touched = 0usize;
    while let Some(cell) = cells.next_cell().expect("cell") {
        last_row = cell.get_position().0;
        touched += usize::from(!matches!(cell.get_value(), calamine::DataRef::Empty));
    }
    std::hint::black_box(touched);
    last_row as usize
}

//! Where the resident memory of a restart goes (issue 11: a year of the chain in ≤ 800 MB,
//! aggregates included). Opens a data directory as a restart does (`OrderStore::open`), then
//! builds every store's aggregates as the warmer does, and reports each part in MiB and bytes
//! per stored line: the raw columns (by column), the string table (by what uses it), the
//! aggregates (cells, line groups, product series), beside the process's resident memory after
//! each step. What resident memory holds beyond the parts is the binary, SQLite's caches,
//! thread stacks and the allocator's slack.
//!
//! ```sh
//! # the database `--bench year` left at the same BENCH_SCALE (run that first)
//! BENCH_SCALE=0.1 cargo bench -p storeboard-benches --bench memory
//! MEMORY_DIR=path/to/data-dir cargo bench -p storeboard-benches --bench memory
//! # with glibc malloc's defaults instead of the binary's settings (`storeboard::allocator`)
//! BENCH_MALLOC_DEFAULT=1 BENCH_SCALE=0.1 cargo bench -p storeboard-benches --bench memory
//! ```
//!
//! Linux only for the resident figures (`/proc/self/status`). Not a timed test: the seconds
//! printed are for orientation.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use storeboard_analytics::{facts, Business};
use storeboard_data::dataset::Sym;
use storeboard_data::{OrderStore, StoreSnapshot};

const MIB: f64 = 1024.0 * 1024.0;

fn main() -> ExitCode {
    if std::env::args().any(|a| a == "--list") {
        return ExitCode::SUCCESS;
    }
    // As the binary starts, unless glibc's defaults are asked for (to compare).
    if std::env::var_os("BENCH_MALLOC_DEFAULT").is_none_or(|v| v.is_empty()) {
        storeboard::allocator::tune();
    }
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("memory bench: {err}");
            ExitCode::FAILURE
        }
    }
}

/// `VmRSS` and `VmHWM` of this process in MiB.
fn resident() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("MEMORY_DIR") {
        return PathBuf::from(dir);
    }
    let scale: f64 = std::env::var("BENCH_SCALE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1.0);
    // As `--bench year` names its database.
    let orders = ((240.0 * scale).round() as u32).max(1);
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../target/bench-data")
        .join(format!("year-{orders}-db"))
}

/// Bytes of the distinct strings `syms` name (text plus the table's 4-byte offset each).
fn string_bytes(snap: &StoreSnapshot, syms: impl Iterator<Item = Sym>) -> usize {
    let distinct: HashSet<Sym> = syms.filter(|&s| s != 0).collect();
    distinct
        .into_iter()
        .map(|s| snap.data.strings.get(s).len() + 4)
        .sum()
}

/// The string table split by what uses it: 订单ID, 收货地址, the rest.
fn string_parts(snap: &StoreSnapshot) -> [(&'static str, usize); 2] {
    let o = &snap.data.orders;
    let n = snap.data.order_count();
    [
        (
            "strings: 订单ID",
            string_bytes(snap, (0..n).map(|i| o.id[i])),
        ),
        (
            "strings: 收货地址",
            string_bytes(snap, (0..n).map(|i| o.text[0][i])),
        ),
    ]
}

fn run() -> Result<(), String> {
    let dir = data_dir();
    if !dir.join("storeboard.db").exists() {
        return Err(format!(
            "no database in {} (run `--bench year` at the same BENCH_SCALE, or set MEMORY_DIR)",
            dir.display()
        ));
    }
    let (before, _) = resident();
    let started = Instant::now();
    let store = OrderStore::open(&dir).map_err(|e| e.to_string())?;
    let load_s = started.elapsed().as_secs_f64();
    let (loaded, loaded_peak) = resident();
    let snaps = store.registry().all();
    let lines: usize = snaps.iter().map(|s| s.data.line_count()).sum();
    let orders: usize = snaps.iter().map(|s| s.data.order_count()).sum();
    println!(
        "{}: {} stores, {lines} lines, {orders} orders, loaded in {load_s:.2} s",
        dir.display(),
        snaps.len()
    );

    let mut parts: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut strings_by_use: BTreeMap<&'static str, usize> = BTreeMap::new();
    for snap in &snaps {
        for (name, bytes) in snap.data.heap_parts() {
            *parts.entry(name).or_default() += bytes;
        }
        for (name, bytes) in string_parts(snap) {
            *strings_by_use.entry(name).or_default() += bytes;
        }
    }
    let data_bytes: usize = parts.values().sum();

    let business = Business::default();
    let started = Instant::now();
    let all_facts: Vec<_> = snaps.iter().map(|s| facts::facts(s, &business)).collect();
    let facts_s = started.elapsed().as_secs_f64();
    let (warm, warm_peak) = resident();
    let mut facts_parts: BTreeMap<&'static str, usize> = BTreeMap::new();
    let (mut cells, mut points) = (0, 0);
    for f in &all_facts {
        for (name, bytes) in f.heap_parts() {
            *facts_parts.entry(name).or_default() += bytes;
        }
        let (c, p) = f.counts();
        (cells, points) = (cells + c, points + p);
    }
    let facts_bytes: usize = facts_parts.values().sum();

    let per_line = |b: f64| b / lines.max(1) as f64;
    let row = |name: &str, bytes: usize| {
        println!(
            "| {name} | {:.1} | {:.1} |",
            bytes as f64 / MIB,
            per_line(bytes as f64)
        );
    };
    println!("\n| part | MiB | bytes per line |\n|---|---|---|");
    for (name, bytes) in &parts {
        row(name, *bytes);
    }
    for (name, bytes) in &strings_by_use {
        row(&format!("  of which {name}"), *bytes);
    }
    row("**raw data**", data_bytes);
    for (name, bytes) in &facts_parts {
        row(name, *bytes);
    }
    row("**aggregates**", facts_bytes);
    let mib_row = |name: &str, mib: f64| {
        println!("| {name} | {mib:.1} | {:.1} |", per_line(mib * MIB));
    };
    mib_row("resident before loading (binary, libraries)", before);
    mib_row(
        "resident growth while loading − raw data (slack, SQLite, stacks)",
        loaded - before - data_bytes as f64 / MIB,
    );
    mib_row(
        "resident growth while building aggregates − aggregates (slack)",
        warm - loaded - facts_bytes as f64 / MIB,
    );
    mib_row("**resident after loading**", loaded);
    mib_row("**resident with the aggregates**", warm);
    println!(
        "\naggregates built in {facts_s:.2} s: {cells} cells, {points} product points \
         ({:.2} per line); peak resident {loaded_peak:.0} MiB while loading, {warm_peak:.0} MiB \
         after the aggregates",
        points as f64 / lines.max(1) as f64
    );
    money_columns(&snaps);
    drop(all_facts);
    Ok(())
}

/// Each money column's bytes over every store, and how the largest store keeps it.
fn money_columns(snaps: &[std::sync::Arc<StoreSnapshot>]) {
    use storeboard_data::dataset::{LINE_MONEY, ORDER_MONEY};
    let Some(largest) = snaps.iter().max_by_key(|s| s.data.line_count()) else {
        return;
    };
    println!(
        "
money columns (MiB over every store; how {} keeps it):",
        largest.name
    );
    for (c, col) in LINE_MONEY.iter().enumerate() {
        let bytes: usize = snaps
            .iter()
            .map(|s| s.data.lines.money[c].heap_bytes())
            .sum();
        let kept = &largest.data.lines.money[c];
        println!(
            "  line  {:<14} {:>7.1}  {kept:?}",
            col.name(),
            bytes as f64 / MIB
        );
    }
    for (c, col) in ORDER_MONEY.iter().enumerate() {
        let bytes: usize = snaps
            .iter()
            .map(|s| s.data.orders.money[c].heap_bytes())
            .sum();
        let kept = &largest.data.orders.money[c];
        println!(
            "  order {:<14} {:>7.1}  {kept:?}",
            col.name(),
            bytes as f64 / MIB
        );
    }
}

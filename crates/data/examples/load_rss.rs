//! Measures the data layer at the chain's scale (issue 11): upload time against calamine's own
//! read of the same file as history grows, and start-up time and resident memory after a
//! restart. Linux only for the memory figures (`/proc/self/status`).
//!
//! ```sh
//! # 12 monthly exports of 28 stores at 240 orders per store-day (~890k lines each), cached in
//! # target/bench-data under the names `--bench year` uses (the same files)
//! cargo run --release -p storeboard-data --example load_rss -- gen 240 12
//! # upload them one after the other into a fresh data directory (each file timed: calamine's
//! # read in a child process, ingest, apply)
//! cargo run --release -p storeboard-data --example load_rss -- upload target/year-db target/bench-data/year-240-*.xlsx
//! # restart: open the data directory, time it, resident memory after (SNAPSHOT_NEW=1 also
//! # times StoreSnapshot::new over every store)
//! cargo run --release -p storeboard-data --example load_rss -- load target/year-db
//! # where the resident bytes go, and how compact each money column could be
//! cargo run --release -p storeboard-data --example load_rss -- columns target/year-db
//! # one file: calamine's read, our rows of cells alone, the whole ingest
//! cargo run --release -p storeboard-data --example load_rss -- parts FILE
//! # parse FILE, say `ready`, wait 2 s (attach a profiler), apply it to DIR
//! cargo run --release -p storeboard-data --example load_rss -- apply DIR FILE
//! ```
//!
//! Seconds are printed as wall/CPU: on a machine busy with other work the wall-clock ratios
//! drift, CPU time much less.

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use calamine::{Reader, Xlsx};
use chrono::{Datelike, NaiveDate};
use storeboard_data::{ingest, IngestOptions, OrderStore, UploadMode};
use storeboard_fixtures::{write_xlsx, ExportSpec};

#[path = "common/cpu.rs"]
mod cpu;
use cpu::{cpu_seconds, since};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("gen") => generate(&args[1..]),
        Some("upload") => upload(&args[1..]),
        Some("load") => load(&args[1..]),
        Some("raw") => raw(&args[1..]),
        Some("parts") => parts(&args[1..]),
        Some("columns") => columns(&args[1..]),
        Some("apply") => apply_only(&args[1..]),
        _ => Err(
            "usage: load_rss gen ORDERS MONTHS | upload DIR FILE… | load DIR | columns DIR \
             | parts FILE | apply DIR FILE"
                .to_owned(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("load_rss: {err}");
            ExitCode::FAILURE
        }
    }
}

fn bench_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-data")
}

/// `VmRSS` and `VmHWM` of this process, MB.
fn memory_mb() -> (f64, f64) {
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

fn num<T: std::str::FromStr>(args: &[String], i: usize, what: &str) -> Result<T, String> {
    args.get(i)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("missing or bad {what}"))
}

/// The year bench's monthly files: 28 stores from 2025-12-01, seed 42 + month index.
fn generate(args: &[String]) -> Result<(), String> {
    let orders: u32 = num(args, 0, "ORDERS")?;
    let months: usize = num(args, 1, "MONTHS")?;
    let dir = bench_dir();
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let mut start = NaiveDate::from_ymd_opt(2025, 12, 1).ok_or("bad first day")?;
    let mut jobs = Vec::new();
    for index in 0..months.min(12) {
        let next = start + chrono::Months::new(1);
        let label = format!("{}-{:02}", start.year(), start.month());
        let path = dir.join(format!("year-{orders}-{label}.xlsx"));
        let spec = ExportSpec {
            stores: (1..=28).map(|i| format!("门店{i:02}")).collect(),
            start,
            days: (next - start).num_days() as u32,
            orders_per_store_day: orders,
            seed: 42 + index as u64,
            title_rows: vec!["订单明细导出".to_owned()],
            ..ExportSpec::default()
        };
        if !path.exists() {
            jobs.push((path, spec));
        }
        start = next;
    }
    for pair in jobs.chunks(2) {
        std::thread::scope(|scope| {
            for (path, spec) in pair {
                scope.spawn(move || {
                    let tmp = path.with_extension("xlsx.part");
                    let started = Instant::now();
                    match write_xlsx(spec, &tmp).and_then(|()| Ok(std::fs::rename(&tmp, path)?)) {
                        Ok(()) => println!(
                            "wrote {} in {:.1} s",
                            path.display(),
                            started.elapsed().as_secs_f64()
                        ),
                        Err(e) => eprintln!("writing {}: {e}", path.display()),
                    }
                });
            }
        });
    }
    Ok(())
}

/// calamine's streaming cell reader over the first sheet, touching every cell; prints seconds.
fn raw(args: &[String]) -> Result<(), String> {
    let path = args.first().ok_or("missing FILE")?;
    let started = Instant::now();
    let file = BufReader::new(std::fs::File::open(path).map_err(|e| e.to_string())?);
    let mut xlsx: Xlsx<_> = Xlsx::new(file).map_err(|e| e.to_string())?;
    let name = xlsx.sheet_names().first().cloned().ok_or("no sheet")?;
    let mut cells = xlsx
        .worksheet_cells_reader(&name)
        .map_err(|e| e.to_string())?;
    let mut touched = 0usize;
    while let Some(cell) = cells.next_cell().map_err(|e| e.to_string())? {
        touched += usize::from(!matches!(cell.get_value(), calamine::DataRef::Empty));
    }
    std::hint::black_box(touched);
    println!("{} {}", started.elapsed().as_secs_f64(), cpu_seconds());
    Ok(())
}

/// calamine's read of `path` in a child process: wall and CPU seconds.
fn raw_seconds(path: &Path) -> Result<(f64, f64), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = Command::new(exe)
        .arg("raw")
        .arg(path)
        .output()
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout);
    let nums: Vec<f64> = text
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    match nums[..] {
        [wall, cpu] => Ok((wall, cpu)),
        _ => Err(format!(
            "raw child: {}",
            String::from_utf8_lossy(&out.stderr)
        )),
    }
}

/// The parts of one ingest, each timed alone (wall/CPU seconds): calamine's read (child), our
/// reader handing rows of cells to a callback that does nothing, and the whole ingest.
fn parts(args: &[String]) -> Result<(), String> {
    let file = args.first().ok_or("missing FILE")?;
    let open = || -> Result<BufReader<std::fs::File>, String> {
        Ok(BufReader::new(
            std::fs::File::open(file).map_err(|e| e.to_string())?,
        ))
    };
    let calamine = raw_seconds(Path::new(file))?;
    let started = (Instant::now(), cpu_seconds());
    let mut cells = 0usize;
    let limits = storeboard_data::ParseLimits::default();
    storeboard_data::read::read_rows(open()?, file, None, &limits, |_, row| {
        cells += row.len();
        std::ops::ControlFlow::Continue(())
    })
    .map_err(|e| e.to_string())?;
    let read = since(started);
    let started = (Instant::now(), cpu_seconds());
    let parsed = ingest(open()?, file, &IngestOptions::default()).map_err(|e| e.to_string())?;
    let all = since(started);
    println!(
        "{} lines, {cells} cells: calamine {:.2}/{:.2}, rows of cells {:.2}/{:.2}, ingest {:.2}/{:.2}",
        parsed.report.accepted_lines, calamine.0, calamine.1, read.0, read.1, all.0, all.1
    );
    Ok(())
}

fn upload(args: &[String]) -> Result<(), String> {
    let dir = PathBuf::from(args.first().ok_or("missing DIR")?);
    let started = Instant::now();
    let store = OrderStore::open(&dir).map_err(|e| e.to_string())?;
    println!("opened in {:.2} s", started.elapsed().as_secs_f64());
    println!("seconds as wall/CPU; ratio = (ingest + apply) / calamine");
    println!(
        "{:<22} {:>7} {:>12} {:>12} {:>12} {:>12} {:>7} {:>7} {:>6}",
        "file", "lines", "calamine", "ingest", "apply", "total", "wall×", "CPU×", "RSS MB"
    );
    for file in &args[1..] {
        let path = Path::new(file);
        let calamine = raw_seconds(path)?;
        let started = (Instant::now(), cpu_seconds());
        let reader = BufReader::new(std::fs::File::open(path).map_err(|e| e.to_string())?);
        let parsed = ingest(reader, file, &IngestOptions::default()).map_err(|e| e.to_string())?;
        let ingested = since(started);
        let applied = (Instant::now(), cpu_seconds());
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        store
            .apply(&parsed, &name, &name, UploadMode::Merge)
            .map_err(|e| e.to_string())?;
        let apply = since(applied);
        let total = since(started);
        let pair = |(w, c): (f64, f64)| format!("{w:.2}/{c:.2}");
        println!(
            "{:<22} {:>7} {:>12} {:>12} {:>12} {:>12} {:>6.2}× {:>6.2}× {:>6.0}",
            name.trim_end_matches(".xlsx"),
            parsed.report.accepted_lines,
            pair(calamine),
            pair(ingested),
            pair(apply),
            pair(total),
            total.0 / calamine.0,
            total.1 / calamine.1,
            memory_mb().0
        );
    }
    Ok(())
}

/// Where the resident bytes of the loaded columns go, and how compact each money column could be.
fn columns(args: &[String]) -> Result<(), String> {
    use storeboard_data::dataset::{LINE_MONEY, NA, ORDER_MONEY};
    let dir = PathBuf::from(args.first().ok_or("missing DIR")?);
    let store = OrderStore::open(&dir).map_err(|e| e.to_string())?;
    let snaps = store.registry().all();
    let lines: usize = snaps.iter().map(|s| s.data.line_count()).sum();
    let orders: usize = snaps.iter().map(|s| s.data.order_count()).sum();
    let mib = |b: usize| b as f64 / (1024.0 * 1024.0);
    println!(
        "{lines} lines × 64 B = {:.0} MiB; {orders} orders × 92 B = {:.0} MiB",
        mib(lines * 64),
        mib(orders * 92)
    );
    let stats = |name: &str, values: &mut dyn Iterator<Item = (i32, i32)>| {
        let (mut n, mut na, mut zero, mut small, mut same) = (0usize, 0, 0, 0, 0);
        for (v, first) in values {
            n += 1;
            na += usize::from(v == NA);
            zero += usize::from(v == 0);
            small += usize::from(v != NA && i16::try_from(v).is_ok());
            same += usize::from(v == first);
        }
        let pct = |k: usize| 100.0 * k as f64 / n.max(1) as f64;
        println!(
            "  {name:<14} NA {:>5.1}%  zero {:>5.1}%  fits i16 {:>5.1}%  = first column {:>5.1}%",
            pct(na),
            pct(zero),
            pct(small),
            pct(same)
        );
    };
    println!("line money (first column: {}):", LINE_MONEY[0].name());
    for (c, col) in LINE_MONEY.iter().enumerate() {
        let mut values = snaps.iter().flat_map(|s| {
            let m = &s.data.lines.money;
            m[c].iter().zip(m[0].iter())
        });
        stats(col.name(), &mut values);
    }
    println!("order money (first column: {}):", ORDER_MONEY[0].name());
    for (c, col) in ORDER_MONEY.iter().enumerate() {
        let mut values = snaps.iter().flat_map(|s| {
            let m = &s.data.orders.money;
            m[c].iter().zip(m[0].iter())
        });
        stats(col.name(), &mut values);
    }
    Ok(())
}

/// Parses FILE, says `ready` and waits 2 s (time to attach a profiler), then applies it to DIR.
fn apply_only(args: &[String]) -> Result<(), String> {
    let (dir, file) = match args {
        [dir, file] => (PathBuf::from(dir), file),
        _ => return Err("usage: apply DIR FILE".to_owned()),
    };
    let store = OrderStore::open(&dir).map_err(|e| e.to_string())?;
    let reader = BufReader::new(std::fs::File::open(file).map_err(|e| e.to_string())?);
    let parsed = ingest(reader, file, &IngestOptions::default()).map_err(|e| e.to_string())?;
    println!("ready");
    std::thread::sleep(std::time::Duration::from_secs(2));
    let started = (Instant::now(), cpu_seconds());
    store
        .apply(&parsed, file, file, UploadMode::Merge)
        .map_err(|e| e.to_string())?;
    let (w, c) = since(started);
    println!("applied in {w:.2} s ({c:.2} s CPU)");
    Ok(())
}

fn load(args: &[String]) -> Result<(), String> {
    let dir = PathBuf::from(args.first().ok_or("missing DIR")?);
    let started = (Instant::now(), cpu_seconds());
    let store = OrderStore::open(&dir).map_err(|e| e.to_string())?;
    let (seconds, cpu) = since(started);
    let snaps = store.registry().all();
    let lines: usize = snaps.iter().map(|s| s.data.line_count()).sum();
    let orders: usize = snaps.iter().map(|s| s.data.order_count()).sum();
    let strings: usize = snaps.iter().map(|s| s.data.strings.len()).sum();
    let heap: usize = snaps.iter().map(|s| s.data.heap_bytes()).sum();
    let strings_heap: usize = snaps.iter().map(|s| s.data.strings.heap_bytes()).sum();
    let (rss, peak) = memory_mb();
    if std::env::var_os("SNAPSHOT_NEW").is_some() {
        let copies: Vec<_> = snaps.iter().map(|s| s.data.clone()).collect();
        let started = (Instant::now(), cpu_seconds());
        for (s, data) in snaps.iter().zip(copies) {
            std::hint::black_box(storeboard_data::StoreSnapshot::new(s.name.clone(), 0, data));
        }
        let (w, c) = since(started);
        println!("StoreSnapshot::new over every store: {w:.3} s ({c:.3} s CPU)");
    }
    let mb = |b: usize| b as f64 / (1024.0 * 1024.0);
    println!(
        "{} stores, {lines} lines, {orders} orders, {strings} strings loaded in {seconds:.2} s ({cpu:.2} s CPU)",
        snaps.len()
    );
    println!(
        "resident {rss:.0} MB (peak {peak:.0} MB); columns + strings {:.0} MB (strings {:.0} MB): \
         {:.1} bytes per line resident, {:.1} in the columns",
        mb(heap),
        mb(strings_heap),
        rss * 1024.0 * 1024.0 / lines.max(1) as f64,
        heap as f64 / lines.max(1) as f64
    );
    Ok(())
}

//! The year's data: 12 monthly exports of 28 stores generated with `storeboard-fixtures` and
//! cached in `target/bench-data`, and calamine's own streaming read of one of them (the ingest
//! baseline), run in a child process so it leaves nothing in the server's heap.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use calamine::{Reader, Xlsx};
use chrono::{Datelike, NaiveDate};
use storeboard_fixtures::{write_xlsx, ExportSpec};

/// Stores of the chain.
pub(crate) const STORES: usize = 28;
/// Orders per store and day at full scale: with the generator's ~4.3 lines per order about
/// 1,030 lines per store-day (2.45M orders and ~10.5M lines a year: issue 11 counts ~1,060
/// lines, 2.43M orders and 10.7M lines; `BENCH_SCALE=1.03` matches its lines instead).
pub(crate) const FULL_ORDERS: f64 = 240.0;
/// First day of the year: 12 calendar months from here are 365 days (2025-12-01 – 2026-11-30).
pub(crate) const FIRST_DAY: (i32, u32, u32) = (2025, 12, 1);

/// The chain's store names, as the other benches name them.
pub(crate) fn store_names() -> Vec<String> {
    (1..=STORES).map(|i| format!("门店{i:02}")).collect()
}

/// One monthly export.
#[derive(Debug, Clone)]
pub(crate) struct Month {
    /// `YYYY-MM`.
    pub(crate) label: String,
    pub(crate) start: NaiveDate,
    pub(crate) days: u32,
    pub(crate) path: PathBuf,
}

impl Month {
    pub(crate) fn last_day(&self) -> NaiveDate {
        self.start + chrono::Days::new(u64::from(self.days) - 1)
    }

    /// Size of the file in MB.
    pub(crate) fn mb(&self) -> f64 {
        std::fs::metadata(&self.path).map_or(0.0, |m| m.len() as f64 / 1e6)
    }
}

/// The first `count` months of the year (at most 12) at `orders` orders per store and day.
pub(crate) fn months(dir: &Path, orders: u32, count: usize) -> Vec<Month> {
    let (y, m, d) = FIRST_DAY;
    let mut start = NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    let mut out = Vec::new();
    for _ in 0..count.clamp(1, 12) {
        let next = start + chrono::Months::new(1);
        let label = format!("{}-{:02}", start.year(), start.month());
        out.push(Month {
            path: dir.join(format!("year-{orders}-{label}.xlsx")),
            label,
            start,
            days: (next - start).num_days() as u32,
        });
        start = next;
    }
    out
}

fn spec(month: &Month, index: usize, orders: u32) -> ExportSpec {
    ExportSpec {
        stores: store_names(),
        start: month.start,
        days: month.days,
        orders_per_store_day: orders,
        // A different seed per month, so months differ (order IDs carry the date anyway).
        seed: 42 + index as u64,
        title_rows: vec!["订单明细导出".to_owned()],
        ..ExportSpec::default()
    }
}

/// Writes the months not cached yet, two at a time; each is written under a temporary name and
/// renamed, so an interrupted run leaves no half file in the cache.
pub(crate) fn generate(months: &[Month], orders: u32) -> Result<(), String> {
    let missing: Vec<(usize, &Month)> = months
        .iter()
        .enumerate()
        .filter(|(_, m)| !m.path.exists())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    println!(
        "generating {} monthly exports ({} orders per store-day; cached in {}) …",
        missing.len(),
        orders,
        months[0]
            .path
            .parent()
            .map_or_else(String::new, |p| p.display().to_string())
    );
    let started = Instant::now();
    for pair in missing.chunks(2) {
        std::thread::scope(|scope| {
            let jobs: Vec<_> = pair
                .iter()
                .map(|&(index, month)| {
                    scope.spawn(move || {
                        let tmp = month.path.with_extension("xlsx.part");
                        write_xlsx(&spec(month, index, orders), &tmp)
                            .map_err(|e| format!("writing {}: {e}", tmp.display()))?;
                        std::fs::rename(&tmp, &month.path)
                            .map_err(|e| format!("renaming {}: {e}", tmp.display()))
                    })
                })
                .collect();
            jobs.into_iter()
                .map(|j| {
                    j.join()
                        .unwrap_or_else(|_| Err("generator thread panicked".into()))
                })
                .collect::<Result<Vec<()>, String>>()
        })?;
    }
    println!("generated in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// Seconds calamine's streaming cell reader takes over `path`, measured in a child process.
pub(crate) fn calamine_seconds(path: &Path) -> Result<f64, String> {
    let exe = std::env::current_exe().map_err(|e| format!("own path: {e}"))?;
    let out = Command::new(exe)
        .args([crate::CHILD, "calamine"])
        .arg(path)
        .output()
        .map_err(|e| format!("calamine child: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "calamine child failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    text.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("calamine child said {text:?}"))
}

/// In the child: calamine's streaming cell reader over the first sheet, touching every cell (as
/// `--bench ingest` does); prints `rows seconds`.
pub(crate) fn calamine_child(path: &Path) -> Result<(), String> {
    let started = Instant::now();
    let file = std::io::BufReader::new(std::fs::File::open(path).map_err(|e| e.to_string())?);
    let mut xlsx: Xlsx<_> = Xlsx::new(file).map_err(|e| e.to_string())?;
    let name = xlsx
        .sheet_names()
        .first()
        .cloned()
        .ok_or("no sheet in the workbook")?;
    let mut cells = xlsx
        .worksheet_cells_reader(&name)
        .map_err(|e| e.to_string())?;
    let mut last_row = 0;
    let mut touched = 0usize;
    while let Some(cell) = cells.next_cell().map_err(|e| e.to_string())? {
        last_row = cell.get_position().0;
        touched += usize::from(!matches!(cell.get_value(), calamine::DataRef::Empty));
    }
    std::hint::black_box(touched);
    println!("{last_row} {}", started.elapsed().as_secs_f64());
    Ok(())
}

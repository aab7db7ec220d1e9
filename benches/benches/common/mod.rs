//! Shared by the benches: where generated data is cached, and the 28-store × 30-day database.

use std::io::BufReader;
use std::path::{Path, PathBuf};

use storeboard_data::{ingest, IngestOptions, OrderStore, UploadMode};
use storeboard_fixtures::{write_xlsx, ExportSpec};

/// `target/bench-data`, created if needed; generated files are cached there between runs.
pub fn bench_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench-data");
    std::fs::create_dir_all(&dir).expect("bench data dir");
    dir
}

/// A data directory holding 28 stores × 30 days (about 430k lines with the default 128 orders).
// Each bench compiles this module on its own, and the analytics bench only uses the next one.
#[allow(dead_code)]
pub fn chain_database(dir: &Path, orders: u32) -> PathBuf {
    chain_database_days(dir, orders, 30)
}

/// A data directory holding 28 stores × `days` days of `orders` orders a store-day, from one
/// export (so at most Excel's 1,048,576 rows: ~4.4 lines an order).
pub fn chain_database_days(dir: &Path, orders: u32, days: u32) -> PathBuf {
    let name = if days == 30 {
        format!("chain-{orders}")
    } else {
        format!("chain-{orders}-{days}d")
    };
    let data = dir.join(&name);
    if data.join("storeboard.db").exists() {
        return data;
    }
    let spec = ExportSpec {
        stores: (1..=28).map(|i| format!("门店{i:02}")).collect(),
        days,
        orders_per_store_day: orders,
        ..ExportSpec::default()
    };
    let file = dir.join(format!("{name}.xlsx"));
    write_xlsx(&spec, &file).expect("writes the chain export");
    let parsed = ingest(
        BufReader::new(std::fs::File::open(&file).expect("opens")),
        "chain.xlsx",
        &IngestOptions::default(),
    )
    .expect("parses");
    let store = OrderStore::open(&data).expect("opens the database");
    store
        .apply(&parsed, "chain.xlsx", "bench", UploadMode::Replace)
        .expect("stores");
    data
}

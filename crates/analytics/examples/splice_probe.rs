//! Times what an upload costs the aggregates, in process: every store's aggregates built from
//! every line (as at start-up), then an upload of `FILE` in merge mode and the changed stores'
//! aggregates spliced from the replaced ones (`facts/splice.rs`). A profiling aid.
//!
//! ```sh
//! cargo run --release -p storeboard-analytics --example splice_probe -- \
//!     target/bench-data/year-240-db target/bench-data/year-240-2026-11.xlsx
//! ```
//!
//! `DIR` is copied to a temporary directory first: the upload writes to the database.

use std::path::Path;
use std::time::Instant;

use storeboard_analytics::{facts, Business};
use storeboard_data::{ingest, IngestOptions, OrderStore, UploadMode};

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, file] = args.as_slice() else {
        return Err("usage: splice_probe DIR FILE".to_owned());
    };
    let copy = tempfile::tempdir().map_err(|e| e.to_string())?;
    for name in ["storeboard.db", "storeboard.db-wal"] {
        let from = Path::new(dir).join(name);
        if from.exists() {
            std::fs::copy(&from, copy.path().join(name)).map_err(|e| format!("{name}: {e}"))?;
        }
    }
    let db = OrderStore::open(copy.path()).map_err(|e| e.to_string())?;
    let business = Business::default();
    let started = Instant::now();
    for snap in db.registry().all() {
        facts::facts(&snap, &business);
    }
    let built = started.elapsed();
    println!(
        "{} stores' aggregates from every line: {built:.2?}",
        db.registry().all().len()
    );

    let started = Instant::now();
    let bytes = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
    let parsed = ingest(std::io::Cursor::new(bytes), file, &IngestOptions::default())
        .map_err(|e| e.to_string())?;
    let before = db.registry().version();
    db.apply(&parsed, file, "splice_probe", UploadMode::Merge)
        .map_err(|e| e.to_string())?;
    println!("upload of {file}: {:.2?}", started.elapsed());

    let changed: Vec<_> = db
        .registry()
        .all()
        .into_iter()
        .filter(|s| s.version > before)
        .collect();
    let started = Instant::now();
    for snap in &changed {
        facts::facts(snap, &business);
    }
    let spliced = started.elapsed();
    println!(
        "{} changed stores' aggregates after it: {spliced:.2?} ({:.2}× the build from every line)",
        changed.len(),
        spliced.as_secs_f64() / built.as_secs_f64()
    );
    Ok(())
}

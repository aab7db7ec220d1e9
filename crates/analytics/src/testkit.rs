//! Test helper: snapshots built from a small hand-written CSV through the real ingest and store.

use std::io::Cursor;
use std::sync::Arc;

use storeboard_data::{ingest, IngestOptions, OrderStore, StoreSnapshot, UploadMode};

/// Ingests `csv` (header + rows, UTF-8) into a fresh store in a temp dir and returns every
/// store's snapshot, by name. The temp dir is removed on return (the snapshots live in memory).
pub fn snapshots(csv: &str) -> Vec<Arc<StoreSnapshot>> {
    let dir = tempfile::tempdir().expect("temp dir");
    let parsed = ingest(
        Cursor::new(csv.as_bytes().to_vec()),
        "test.csv",
        &IngestOptions::default(),
    )
    .expect("test CSV parses");
    assert_eq!(
        parsed.report.rejected_lines, 0,
        "test CSV has bad rows: {:?}",
        parsed.problems
    );
    let store = OrderStore::open(dir.path()).expect("store opens");
    store
        .apply(&parsed, "test.csv", "test", UploadMode::Replace)
        .expect("stored");
    store.registry().all()
}

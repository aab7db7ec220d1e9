//! Test helpers: snapshots built from a small hand-written CSV, or from a generated export,
//! through the real ingest and store; and a comparison of two answers' JSON with a tolerance
//! for the last bits of float sums.

use std::io::Cursor;
use std::sync::Arc;

use serde_json::Value;
use storeboard_data::{ingest, IngestOptions, OrderStore, StoreSnapshot, UploadMode};

/// Ingests `csv` (header + rows, UTF-8) into a fresh store in a temp dir and returns every
/// store's snapshot, by name. The temp dir is removed on return (the snapshots live in memory).
pub fn snapshots(csv: &str) -> Vec<Arc<StoreSnapshot>> {
    snapshots_of(csv.as_bytes().to_vec())
}

/// The snapshots of a generated export (`storeboard-fixtures`), as CSV.
pub fn generated(spec: &storeboard_fixtures::ExportSpec) -> Vec<Arc<StoreSnapshot>> {
    snapshots_of(storeboard_fixtures::csv_bytes(
        spec,
        storeboard_fixtures::CsvEncoding::Utf8,
    ))
}

fn snapshots_of(bytes: Vec<u8>) -> Vec<Arc<StoreSnapshot>> {
    let dir = tempfile::tempdir().expect("temp dir");
    let parsed =
        ingest(Cursor::new(bytes), "test.csv", &IngestOptions::default()).expect("test CSV parses");
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

/// Asserts two answers are the same: equal JSON, numbers equal to 1e-9 relative (sums of the
/// same values in another order or in exact cents differ in the last bits only).
pub fn assert_same<T: serde::Serialize>(a: &T, b: &T, what: &str) {
    let (a, b) = (
        serde_json::to_value(a).expect("serializes"),
        serde_json::to_value(b).expect("serializes"),
    );
    same(&a, &b, what);
}

/// [`assert_same`], with every list of rows that have a `key` compared in key order.
pub fn assert_same_by_key<T: serde::Serialize>(a: &T, b: &T, what: &str) {
    let (mut a, mut b) = (
        serde_json::to_value(a).expect("serializes"),
        serde_json::to_value(b).expect("serializes"),
    );
    by_key(&mut a);
    by_key(&mut b);
    same(&a, &b, what);
}

fn by_key(v: &mut Value) {
    match v {
        Value::Array(items) => {
            items.iter_mut().for_each(by_key);
            if items.iter().all(|i| i.get("key").is_some()) {
                items.sort_by(|x, y| x["key"].to_string().cmp(&y["key"].to_string()));
            }
        }
        Value::Object(map) => map.values_mut().for_each(by_key),
        _ => {}
    }
}

fn same(a: &Value, b: &Value, path: &str) {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
            let tol = 1e-9 * x.abs().max(y.abs()).max(1.0);
            assert!((x - y).abs() <= tol, "{path}: {x} != {y}");
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{path}: lengths differ");
            for (i, (x, y)) in x.iter().zip(y).enumerate() {
                same(x, y, &format!("{path}[{i}]"));
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(
                x.keys().collect::<Vec<_>>(),
                y.keys().collect::<Vec<_>>(),
                "{path}: fields differ"
            );
            for (k, v) in x {
                same(v, &y[k], &format!("{path}.{k}"));
            }
        }
        _ => assert_eq!(a, b, "{path}"),
    }
}

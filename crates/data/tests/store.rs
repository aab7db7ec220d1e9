//! The order store: merge and replace semantics, idempotent re-upload, restart, delete.

use std::io::Cursor;
use std::path::Path;

use chrono::{Duration, NaiveDate};
use storeboard_data::{ingest, IngestOptions, OrderStore, StoreSummary, UploadMode};
use storeboard_fixtures as fx;

fn spec(store: &str, start: NaiveDate, days: u32, seed: u64) -> fx::ExportSpec {
    fx::ExportSpec {
        stores: vec![store.to_owned()],
        start,
        days,
        seed,
        orders_per_store_day: 10,
        ..fx::ExportSpec::default()
    }
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).expect("valid day")
}

fn upload(
    store: &OrderStore,
    spec: &fx::ExportSpec,
    mode: UploadMode,
    sha: &str,
) -> storeboard_data::UploadRecord {
    let parsed = ingest(
        Cursor::new(fx::xlsx_bytes(spec)),
        "orders.xlsx",
        &IngestOptions::default(),
    )
    .expect("parses");
    store
        .apply(&parsed, "orders.xlsx", sha, mode)
        .expect("applies")
}

fn summary(store: &OrderStore, name: &str) -> StoreSummary {
    store.registry().get(name).expect("store exists").summary()
}

fn lines_per_day(dir: &Path, name: &str) -> Vec<(NaiveDate, usize)> {
    let store = OrderStore::open(dir).expect("reopens");
    let snap = store.registry().get(name).expect("store exists");
    let (first, last) = snap.day_span().expect("has days");
    let mut out = Vec::new();
    let mut d = first;
    while d <= last {
        let orders = snap.orders_between(d, d);
        let lines: usize = orders.map(|o| snap.data.line_range(o).len()).sum();
        out.push((d, lines));
        d += Duration::days(1);
    }
    out
}

#[test]
fn merge_replaces_only_the_files_days_and_keeps_other_history() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = OrderStore::open(dir.path()).expect("opens");
    upload(
        &store,
        &spec("一号店", day(1), 5, 1),
        UploadMode::Merge,
        "a",
    );
    let before = lines_per_day(dir.path(), "一号店");
    let record = upload(
        &store,
        &spec("一号店", day(4), 3, 2),
        UploadMode::Merge,
        "b",
    );
    assert_eq!(record.first_day, Some(day(4)));
    let after = lines_per_day(dir.path(), "一号店");
    assert_eq!(after.len(), 6, "days 1..=6: {after:?}");
    assert_eq!(&after[..3], &before[..3], "days 1-3 untouched");
    let new = fx::lines(&spec("一号店", day(4), 3, 2));
    let new_day4 = new.iter().filter(|l| l.time.date() == day(4)).count();
    assert_eq!(
        after[3],
        (day(4), new_day4),
        "day 4 comes from the new file only"
    );
}

#[test]
fn replace_drops_the_stores_whole_history() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = OrderStore::open(dir.path()).expect("opens");
    upload(
        &store,
        &spec("一号店", day(1), 5, 1),
        UploadMode::Merge,
        "a",
    );
    upload(
        &store,
        &spec("二号店", day(1), 2, 3),
        UploadMode::Merge,
        "c",
    );
    upload(
        &store,
        &spec("一号店", day(10), 1, 2),
        UploadMode::Replace,
        "b",
    );
    let s = summary(&store, "一号店");
    assert_eq!((s.first_day, s.last_day), (Some(day(10)), Some(day(10))));
    assert_eq!(
        summary(&store, "二号店").first_day,
        Some(day(1)),
        "other stores untouched"
    );
}

#[test]
fn the_same_file_twice_changes_nothing_and_says_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = OrderStore::open(dir.path()).expect("opens");
    let s = spec("一号店", day(1), 3, 1);
    let first = upload(&store, &s, UploadMode::Merge, "same");
    let once = summary(&store, "一号店");
    let second = upload(&store, &s, UploadMode::Merge, "same");
    assert!(!first.already_imported);
    assert!(second.already_imported);
    assert_eq!(summary(&store, "一号店"), once);
    assert_eq!(store.uploads(10).expect("history").len(), 2);
}

#[test]
fn data_survives_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let want = {
        let store = OrderStore::open(dir.path()).expect("opens");
        upload(
            &store,
            &spec("一号店", day(1), 3, 1),
            UploadMode::Merge,
            "a",
        );
        store.registry().summaries()
    };
    let reopened = OrderStore::open(dir.path()).expect("reopens");
    assert_eq!(reopened.registry().summaries(), want);
    let lines = fx::lines(&spec("一号店", day(1), 3, 1)).len();
    assert_eq!(want[0].lines, lines);
}

#[test]
fn deleting_a_store_removes_it_for_good() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = OrderStore::open(dir.path()).expect("opens");
    upload(
        &store,
        &spec("一号店", day(1), 2, 1),
        UploadMode::Merge,
        "a",
    );
    assert!(store.delete_store("一号店").expect("deletes"));
    assert!(!store
        .delete_store("一号店")
        .expect("second delete is a no-op"));
    assert!(OrderStore::open(dir.path())
        .expect("reopens")
        .registry()
        .summaries()
        .is_empty());
}

#[test]
fn every_write_changes_the_version() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = OrderStore::open(dir.path()).expect("opens");
    let v0 = store.registry().version();
    upload(
        &store,
        &spec("一号店", day(1), 1, 1),
        UploadMode::Merge,
        "a",
    );
    let v1 = store.registry().get("一号店").expect("store").version;
    upload(
        &store,
        &spec("一号店", day(1), 1, 1),
        UploadMode::Merge,
        "a",
    );
    let v2 = store.registry().get("一号店").expect("store").version;
    assert!(v0 < v1 && v1 < v2);
}

#[test]
fn problems_of_an_upload_are_kept_in_full_as_csv() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = OrderStore::open(dir.path()).expect("opens");
    let (bytes, bad) = fx::bad_cells_xlsx();
    let parsed = ingest(Cursor::new(bytes), "bad.xlsx", &IngestOptions::default()).expect("parses");
    let record = store
        .apply(&parsed, "bad.xlsx", "x", UploadMode::Merge)
        .expect("applies");
    let csv = store.problems_csv(record.id).expect("kept");
    assert_eq!(csv.lines().count(), 1 + bad.len(), "{csv}");
    assert!(store.problems_csv(record.id + 100).is_err());
}

#[test]
fn the_last_upload_is_known_from_memory_and_survives_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let store = OrderStore::open(dir.path()).expect("opens");
        assert!(store.last_upload().is_none(), "a new store has no upload");
        upload(
            &store,
            &spec("一号店", day(1), 2, 1),
            UploadMode::Merge,
            "a",
        );
        let second = upload(
            &store,
            &spec("二号店", day(1), 2, 2),
            UploadMode::Merge,
            "b",
        );
        let last = store.last_upload().expect("known after an upload");
        assert_eq!((last.id, last.sha256.as_str()), (second.id, "b"));
    }
    let reopened = OrderStore::open(dir.path()).expect("reopens");
    let last = reopened.last_upload().expect("read back at start-up");
    assert_eq!(last.sha256, "b");
}

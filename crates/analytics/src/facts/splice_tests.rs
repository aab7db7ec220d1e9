//! Aggregates spliced after an upload are exactly those built from scratch: every cell, line
//! group, sold key, product point (its lines too) and customer id, through the real ingest,
//! database and merge of uploads into the middle, the end and the front of a store's history.

use std::io::Cursor;

use chrono::NaiveDate;
use storeboard_data::{ingest, IngestOptions, Lineage, OrderStore, StoreSnapshot, UploadMode};
use storeboard_fixtures::{csv_bytes, ColumnSet, CsvEncoding, ExportSpec};

use super::super::build::build;
use super::super::{facts, rules_key, StoreFacts};
use super::{dump, splice};
use crate::config::Business;

fn spec(start: (u32, u32), days: u32, seed: u64) -> ExportSpec {
    ExportSpec {
        stores: vec!["一号店".into(), "二号店".into(), "三号店".into()],
        start: NaiveDate::from_ymd_opt(2026, start.0, start.1).expect("valid"),
        days,
        orders_per_store_day: 25,
        seed,
        ..ExportSpec::default()
    }
}

fn upload(store: &OrderStore, spec: &ExportSpec, mode: UploadMode, edit: fn(String) -> String) {
    let csv = String::from_utf8(csv_bytes(spec, CsvEncoding::Utf8)).expect("UTF-8");
    let bytes = edit(csv).into_bytes();
    let parsed = ingest(Cursor::new(bytes), "t.csv", &IngestOptions::default()).expect("parses");
    assert_eq!(parsed.report.rejected_lines, 0, "{:?}", parsed.problems);
    store.apply(&parsed, "t.csv", "test", mode).expect("stored");
}

fn same(csv: String) -> String {
    csv
}

fn assert_same_facts(a: &StoreFacts, b: &StoreFacts, what: &str) {
    // Kept in the same form too: as narrow, as many bytes.
    assert_eq!(a.heap_parts(), b.heap_parts(), "{what}: bytes");
    let (a, b) = (dump(a), dump(b));
    assert_eq!(a.len(), b.len(), "{what}: parts");
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x, y, "{what}");
    }
}

/// Builds every store's aggregates, uploads, then checks each store's new aggregates both
/// ways; returns, per store, whether they were spliced.
fn upload_and_check(
    store: &OrderStore,
    spec: &ExportSpec,
    mode: UploadMode,
    edit: fn(String) -> String,
) -> Vec<bool> {
    let business = Business::default();
    for snap in store.registry().all() {
        let _ = facts(&snap, &business);
    }
    upload(store, spec, mode, edit);
    let key = rules_key(&business);
    store
        .registry()
        .all()
        .iter()
        .map(|snap| match spliced(snap, key, &business) {
            Some((spliced, lineage)) => {
                let what = format!("{} {lineage:?}", snap.name);
                assert_same_facts(&spliced, &build(snap, &business), &what);
                true
            }
            None => false,
        })
        .collect()
}

/// `snap`'s aggregates spliced from the previous ones it holds, if it holds any and they splice.
fn spliced(snap: &StoreSnapshot, key: u64, business: &Business) -> Option<(StoreFacts, Lineage)> {
    let (old, lineage) = snap.take_previous(key)?;
    let old = old.downcast::<StoreFacts>().expect("the aggregates");
    Some((splice(&old, &lineage, snap, business)?, lineage))
}

fn history(store: &OrderStore) {
    upload(store, &spec((10, 29), 12, 42), UploadMode::Replace, same);
}

fn open() -> (tempfile::TempDir, OrderStore) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = OrderStore::open(dir.path()).expect("opens");
    (dir, store)
}

#[test]
fn an_upload_into_the_middle_of_the_history_splices_to_what_a_build_from_scratch_gives() {
    let (_dir, store) = open();
    history(&store);
    // Days 11-02..11-04 again, other orders: kept days in front and behind.
    let spliced = upload_and_check(&store, &spec((11, 2), 3, 7), UploadMode::Merge, same);
    assert_eq!(spliced, vec![true; 3]);
}

#[test]
fn uploads_after_the_end_and_before_the_start_splice_to_what_a_build_from_scratch_gives() {
    let (_dir, store) = open();
    history(&store);
    let after = upload_and_check(&store, &spec((11, 9), 4, 8), UploadMode::Merge, same);
    let before = upload_and_check(&store, &spec((10, 20), 5, 9), UploadMode::Merge, same);
    // Overlapping the first days: 10-27..10-31 rewritten, the rest kept behind.
    let over = upload_and_check(&store, &spec((10, 27), 5, 10), UploadMode::Merge, same);
    assert_eq!(
        (after, before, over),
        (vec![true; 3], vec![true; 3], vec![true; 3])
    );
}

#[test]
fn an_upload_that_brings_a_new_channel_or_column_is_built_from_scratch() {
    let (_dir, store) = open();
    let without_fee = ExportSpec {
        columns: ColumnSet::Without(vec!["平台服务费"]),
        ..spec((10, 29), 12, 42)
    };
    upload(&store, &without_fee, UploadMode::Replace, same);
    // 平台服务费 arrives: the kept days' fees now come from it, not from 平台佣金.
    let column = upload_and_check(&store, &spec((11, 2), 2, 7), UploadMode::Merge, same);
    fn new_channel(csv: String) -> String {
        csv.replace("抖音", "新渠道")
    }
    let channel = upload_and_check(&store, &spec((11, 5), 2, 8), UploadMode::Merge, new_channel);
    assert_eq!((column, channel), (vec![false; 3], vec![false; 3]));
    // Built from scratch through the public path too, and equal to a build.
    let business = Business::default();
    for snap in store.registry().all() {
        assert_same_facts(
            &facts(&snap, &business),
            &build(&snap, &business),
            &snap.name,
        );
    }
}

#[test]
fn a_replacing_upload_keeps_nothing_of_the_old_aggregates() {
    let (_dir, store) = open();
    history(&store);
    let replaced = upload_and_check(&store, &spec((11, 2), 3, 7), UploadMode::Replace, same);
    assert_eq!(replaced, vec![false; 3]);
}

#[test]
fn the_public_path_splices_and_lets_the_old_aggregates_go() {
    let (_dir, store) = open();
    history(&store);
    let business = Business::default();
    let before: Vec<_> = store
        .registry()
        .all()
        .iter()
        .map(|s| facts(s, &business))
        .collect();
    upload(&store, &spec((11, 2), 3, 7), UploadMode::Merge, same);
    for (snap, old) in store.registry().all().iter().zip(&before) {
        let spliced = facts(snap, &business);
        assert_same_facts(&spliced, &build(snap, &business), &snap.name);
        // Taken by the build: no second copy of the old aggregates is held.
        assert!(snap.take_previous(rules_key(&business)).is_none());
        assert_eq!(std::sync::Arc::strong_count(old), 1, "{}", snap.name);
    }
}

#[test]
fn a_run_of_uploads_anywhere_in_the_history_splices_exactly_every_time() {
    let (_dir, store) = open();
    history(&store);
    let stores = ["一号店", "二号店", "三号店"];
    // A small linear congruential generator: the same run every time.
    let mut state: u64 = 0x5eed;
    let mut next = |n: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        (state >> 33) % n
    };
    let mut spliced = 0;
    for round in 0..8 {
        let first =
            NaiveDate::from_ymd_opt(2026, 10, 20).expect("valid") + chrono::Days::new(next(30));
        let mut spec = spec((1, 1), 1 + next(4) as u32, 100 + round);
        spec.start = first;
        // One, two or all three stores.
        let skip = next(4) as usize;
        spec.stores = stores
            .iter()
            .enumerate()
            .filter(|(i, _)| skip == 3 || *i != skip)
            .map(|(_, s)| (*s).to_owned())
            .collect();
        let done = upload_and_check(&store, &spec, UploadMode::Merge, same);
        spliced += done.iter().filter(|&&s| s).count();
    }
    // Every changed store spliced: 8 rounds of 2 or 3 stores.
    assert!(spliced >= 16, "{spliced} splices");
}

#[test]
fn an_upload_with_a_day_missing_inside_its_span_splices_without_that_day() {
    let (_dir, store) = open();
    history(&store);
    // 11-02..11-05 with no line of 11-03: merge mode replaces the whole span, so the old
    // 11-03 goes, and no day of the new snapshot lies between 11-02 and 11-04.
    fn without_11_03(csv: String) -> String {
        csv.lines()
            .filter(|l| !l.contains("2026-11-03 "))
            .map(|l| format!("{l}\n"))
            .collect()
    }
    let spliced = upload_and_check(
        &store,
        &spec((11, 2), 4, 11),
        UploadMode::Merge,
        without_11_03,
    );
    assert_eq!(spliced, vec![true; 3]);
    let day = NaiveDate::from_ymd_opt(2026, 11, 3).expect("valid");
    for snap in store.registry().all() {
        assert!(snap.days().iter().all(|(d, _)| *d != day), "{}", snap.name);
    }
}

#[test]
fn uploads_in_a_row_before_any_build_splice_from_the_aggregates_before_them_all() {
    // As a large upload applied in parts, or two uploads before the warm thread came by: the
    // snapshot in between never has aggregates of its own.
    let (_dir, store) = open();
    history(&store);
    let business = Business::default();
    for snap in store.registry().all() {
        let _ = facts(&snap, &business);
    }
    upload(&store, &spec((11, 2), 2, 7), UploadMode::Merge, same);
    upload(&store, &spec((11, 8), 3, 8), UploadMode::Merge, same);
    upload(&store, &spec((10, 26), 4, 9), UploadMode::Merge, same);
    let key = rules_key(&business);
    for snap in store.registry().all() {
        let (spliced, lineage) = spliced(&snap, key, &business).expect("carried along, spliced");
        assert_same_facts(&spliced, &build(&snap, &business), &format!("{lineage:?}"));
    }
}

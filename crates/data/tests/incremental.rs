//! Uploads are merged into the live snapshots without reading history back: after every upload
//! each store's snapshot has exactly the columns that opening the database afresh builds. And a
//! store opened in the background serves while it loads, then holds the same data.

use std::io::Cursor;
use std::time::Duration;

use chrono::{Datelike, NaiveDate};
use sha2::{Digest, Sha256};
use storeboard_data::dataset::{Col, Sym};
use storeboard_data::{ingest, IngestOptions, OrderStore, StoreError, StoreSnapshot, UploadMode};
use storeboard_fixtures as fx;

fn spec(stores: &[&str], start: NaiveDate, days: u32, seed: u64) -> fx::ExportSpec {
    fx::ExportSpec {
        stores: stores.iter().map(|s| (*s).to_owned()).collect(),
        start,
        days,
        seed,
        orders_per_store_day: 6,
        ..fx::ExportSpec::default()
    }
}

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).expect("valid day")
}

fn upload(store: &OrderStore, spec: &fx::ExportSpec, mode: UploadMode, sha: &str) {
    let parsed = ingest(
        Cursor::new(fx::xlsx_bytes(spec)),
        "orders.xlsx",
        &IngestOptions::default(),
    )
    .expect("parses");
    store
        .apply(&parsed, "orders.xlsx", sha, mode)
        .expect("applies");
}

/// A snapshot's columns with every string id resolved to its text, and floats as bits.
#[derive(Debug, PartialEq)]
struct Columns {
    text: Vec<Vec<String>>,
    numbers: Vec<Vec<i64>>,
    present: u64,
    channels: Vec<String>,
    categories: Vec<String>,
    days: Vec<(NaiveDate, usize)>,
}

fn columns(snap: &StoreSnapshot) -> Columns {
    let d = &snap.data;
    let resolve = |col: &Col<Sym>| -> Vec<String> {
        col.iter().map(|s| d.strings.get(s).to_owned()).collect()
    };
    let (o, l) = (&d.orders, &d.lines);
    let mut text: Vec<Vec<String>> = [&o.id, &o.store, &o.channel]
        .into_iter()
        .chain(&o.text)
        .chain([&l.product, &l.key, &l.barcode, &l.category1, &l.category3])
        .map(resolve)
        .collect();
    text.push(vec![snap.name.clone()]);
    let ints = |col: &Col<i32>| col.iter().map(i64::from).collect::<Vec<_>>();
    let bits = |col: &Col<f32>| {
        col.iter()
            .map(|v| i64::from(v.to_bits()))
            .collect::<Vec<_>>()
    };
    let mut numbers: Vec<Vec<i64>> = vec![
        o.time.to_vec(),
        bits(&o.distance),
        o.first_line.iter().map(i64::from).collect(),
        l.order.iter().map(i64::from).collect(),
        ints(&l.quantity),
        bits(&l.stock),
    ];
    numbers.extend(o.money.iter().map(&ints));
    numbers.extend(l.money.iter().map(ints));
    let names = |syms: &[Sym]| {
        let mut v: Vec<String> = syms.iter().map(|&s| d.strings.get(s).to_owned()).collect();
        v.sort();
        v
    };
    let days = snap.day_span().map_or_else(Vec::new, |(first, last)| {
        first
            .iter_days()
            .take_while(|x| *x <= last)
            .map(|x| (x, snap.orders_between(x, x).len()))
            .collect()
    });
    Columns {
        text,
        numbers,
        present: d.present.bits(),
        channels: names(snap.channel_syms()),
        categories: names(snap.category_syms()),
        days,
    }
}

/// Every store of `live` against the same database opened afresh.
fn assert_same_as_fresh(live: &OrderStore, dir: &std::path::Path, step: &str) {
    let fresh = OrderStore::open(dir).expect("reopens");
    let (a, b) = (live.registry().all(), fresh.registry().all());
    let names =
        |v: &[std::sync::Arc<StoreSnapshot>]| v.iter().map(|s| s.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b), "{step}: the same stores");
    for (live, fresh) in a.iter().zip(&b) {
        assert_eq!(
            columns(live),
            columns(fresh),
            "{step}: store {} differs from a fresh load",
            live.name
        );
        assert_eq!(live.summary(), fresh.summary(), "{step}: {}", live.name);
    }
}

#[test]
fn every_upload_leaves_the_same_snapshots_as_a_fresh_load() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = OrderStore::open(dir.path()).expect("opens");
    let (one, two, three) = ("一号店", "二号店", "三号店");
    let steps: Vec<(&str, fx::ExportSpec, UploadMode)> = vec![
        (
            "first month",
            spec(&[one, two], day(1, 1), 31, 1),
            UploadMode::Merge,
        ),
        (
            "next month",
            spec(&[one, two], day(2, 1), 28, 2),
            UploadMode::Merge,
        ),
        (
            "a new store",
            spec(&[three], day(1, 20), 20, 3),
            UploadMode::Merge,
        ),
        (
            "days in the middle",
            spec(&[one], day(1, 10), 5, 4),
            UploadMode::Merge,
        ),
        (
            "days before all",
            spec(
                &[two, three],
                day(12, 1).with_year(2025).expect("day"),
                3,
                5,
            ),
            UploadMode::Merge,
        ),
        (
            "overlapping the end",
            spec(&[one, two, three], day(2, 25), 10, 6),
            UploadMode::Merge,
        ),
        (
            "replace one store",
            spec(&[two], day(1, 5), 4, 7),
            UploadMode::Replace,
        ),
        (
            "the same file again",
            spec(&[two], day(1, 5), 4, 7),
            UploadMode::Merge,
        ),
        (
            "then merge after it",
            spec(&[two], day(3, 1), 2, 8),
            UploadMode::Merge,
        ),
    ];
    for (i, (step, spec, mode)) in steps.iter().enumerate() {
        upload(&store, spec, *mode, &format!("sha{i}"));
        assert_same_as_fresh(&store, dir.path(), step);
    }
}

#[test]
fn appending_months_keeps_even_the_string_ids_of_a_fresh_load() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = OrderStore::open(dir.path()).expect("opens");
    for (i, m) in [1, 2, 3].into_iter().enumerate() {
        upload(
            &store,
            &spec(&["一号店", "二号店"], day(m, 1), 28, i as u64),
            UploadMode::Merge,
            &format!("m{m}"),
        );
    }
    let fresh = OrderStore::open(dir.path()).expect("reopens");
    for (live, fresh) in store.registry().all().iter().zip(fresh.registry().all()) {
        assert_eq!(live.data.orders.id, fresh.data.orders.id);
        assert_eq!(live.data.lines.product, fresh.data.lines.product);
        assert_eq!(live.data.strings.len(), fresh.data.strings.len());
    }
}

#[test]
fn a_merged_snapshot_stays_packed_like_a_fresh_load() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = OrderStore::open(dir.path()).expect("opens");
    for (i, m) in [1, 2, 3].into_iter().enumerate() {
        upload(
            &store,
            &spec(&["一号店"], day(m, 1), 28, i as u64),
            UploadMode::Merge,
            &format!("m{m}"),
        );
    }
    let fresh = OrderStore::open(dir.path()).expect("reopens");
    let parts = |snap: &StoreSnapshot| snap.data.heap_parts();
    for (live, fresh) in store.registry().all().iter().zip(fresh.registry().all()) {
        for ((part, live), (_, fresh)) in parts(live).into_iter().zip(parts(&fresh)) {
            // The merge extends tables instead of packing afresh: a table may keep a value no
            // row holds any more, and codes are never narrower, but nothing is unpacked.
            assert!(
                live <= fresh * 2 + 1024,
                "{part}: {live} bytes merged, {fresh} loaded"
            );
        }
    }
}

#[test]
fn a_background_open_serves_at_once_and_ends_with_every_store() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let store = OrderStore::open(dir.path()).expect("opens");
        upload(
            &store,
            &spec(&["一号店", "二号店", "三号店"], day(1, 1), 10, 1),
            UploadMode::Merge,
            "a",
        );
    }
    let store = OrderStore::open_in_background(dir.path()).expect("opens");
    // Whatever is loaded so far is listed; the rest is said to be loading.
    let listed = store.registry().summaries().len() + store.loading().len();
    assert!(listed >= 3, "every store is either loaded or loading");
    store
        .wait_loaded(Duration::from_secs(60))
        .expect("loads in the background");
    assert!(store.loading().is_empty());
    assert_eq!(store.registry().summaries().len(), 3);
    assert!(store.load_failure().is_none());
    assert_same_as_fresh(&store, dir.path(), "background load");
    // Writes go through once loaded.
    upload(
        &store,
        &spec(&["一号店"], day(1, 11), 2, 2),
        UploadMode::Merge,
        "b",
    );
    assert_same_as_fresh(&store, dir.path(), "upload after a background load");
}

#[test]
fn a_damaged_day_fails_the_background_load_and_refuses_writes() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let store = OrderStore::open(dir.path()).expect("opens");
        upload(
            &store,
            &spec(&["一号店"], day(1, 1), 3, 1),
            UploadMode::Merge,
            "a",
        );
    }
    damage(dir.path());
    let store = OrderStore::open_in_background(dir.path()).expect("opens");
    let err = store
        .wait_loaded(Duration::from_secs(60))
        .expect_err("the damaged day fails the load");
    assert!(matches!(err, StoreError::LoadFailed { .. }), "{err}");
    assert!(store.load_failure().is_some());
    assert!(store.loading().is_empty());
    let refused = store.delete_store("一号店").expect_err("writes refused");
    assert!(
        matches!(refused, StoreError::LoadFailed { .. }),
        "{refused}"
    );
    assert!(
        OrderStore::open(dir.path()).is_err(),
        "a blocking open fails too"
    );
}

/// Every stored row (store, day, counts, present, blob) after three uploads, hashed.
fn stored_digest(dir: &std::path::Path) -> String {
    let store = OrderStore::open(dir).expect("opens");
    let uploads = [
        (
            vec!["一号店", "二号店"],
            day(1, 1),
            20,
            1,
            UploadMode::Merge,
        ),
        (
            vec!["一号店", "三号店"],
            day(1, 15),
            10,
            2,
            UploadMode::Merge,
        ),
        (vec!["二号店"], day(1, 3), 2, 3, UploadMode::Replace),
    ];
    for (i, (stores, start, days, seed, mode)) in uploads.into_iter().enumerate() {
        let spec = fx::ExportSpec {
            stores: stores.iter().map(|s| (*s).to_owned()).collect(),
            start,
            days,
            seed,
            orders_per_store_day: 8,
            ..fx::ExportSpec::default()
        };
        let parsed = ingest(
            Cursor::new(fx::xlsx_bytes(&spec)),
            "orders.xlsx",
            &IngestOptions::default(),
        )
        .expect("parses");
        store
            .apply(&parsed, "orders.xlsx", &format!("sha{i}"), mode)
            .expect("applies");
    }
    drop(store);
    let conn = rusqlite::Connection::open(dir.join("storeboard.db")).expect("opens");
    let mut stmt = conn
        .prepare(
            "SELECT store, day, lines, orders, present, data FROM store_days ORDER BY store, day",
        )
        .expect("prepares");
    let mut rows = stmt.query([]).expect("queries");
    let mut hash = Sha256::new();
    let mut count = 0;
    while let Some(row) = rows.next().expect("row") {
        let store: String = row.get(0).expect("store");
        let day: String = row.get(1).expect("day");
        let lines: i64 = row.get(2).expect("lines");
        let orders: i64 = row.get(3).expect("orders");
        let present: i64 = row.get(4).expect("present");
        let data: Vec<u8> = row.get(5).expect("data");
        hash.update(format!(
            "{store}|{day}|{lines}|{orders}|{present}|{}|",
            data.len()
        ));
        hash.update(&data);
        count += 1;
    }
    format!("{count} {}", hex(&hash.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn the_stored_bytes_are_those_the_code_before_wrote() {
    // Computed by the code before uploads were merged into the live snapshots (commit 76be1d2):
    // the same 36 store-days, byte for byte.
    let dir = tempfile::tempdir().expect("temp dir");
    assert_eq!(
        stored_digest(dir.path()),
        "36 c56d632945699756a50f42a81f78f3c500b34cf1e9ecd9c0026c7a89b626bc3c"
    );
}

/// Damages the first stored day's blob.
fn damage(dir: &std::path::Path) {
    let conn = rusqlite::Connection::open(dir.join(storeboard_data::db::DB_FILE)).expect("opens");
    let changed = conn
        .execute(
            "UPDATE store_days SET data = x'ffff' WHERE day = (SELECT MIN(day) FROM store_days)",
            [],
        )
        .expect("updates");
    assert_eq!(changed, 1);
}

//! Backup and restore against a real [`OrderStore`] in a temp directory.

use std::io::Cursor;
use std::path::Path;

use super::*;
use crate::{ingest, IngestOptions, OrderStore, UploadMode};

/// A CSV export of `days` days from 2026-11-01 of one store, two orders a day.
fn csv(store: &str, first_day: u32, days: u32) -> Vec<u8> {
    let mut csv = String::from("订单ID,下单时间,门店名称,商品名称,销量,实收价格\r\n");
    for day in first_day..first_day + days {
        for order in 0..2 {
            csv.push_str(&format!(
                "{store}-{day}-{order},2026-11-{day:02} 10:0{order}:00,{store},可口可乐 330ml,1,3.50\r\n"
            ));
        }
    }
    csv.into_bytes()
}

fn upload(store: &OrderStore, name: &str, first_day: u32, days: u32) {
    let bytes = csv(name, first_day, days);
    let parsed =
        ingest(Cursor::new(&bytes), "orders.csv", &IngestOptions::default()).expect("parses");
    let sha = format!("{name}-{first_day}-{days}");
    store
        .apply(&parsed, "orders.csv", &sha, UploadMode::Merge)
        .expect("applies");
}

fn store_names(dir: &Path) -> Vec<String> {
    let store = OrderStore::open(dir).expect("opens");
    let mut names: Vec<String> = store
        .registry()
        .summaries()
        .into_iter()
        .map(|s| s.name)
        .collect();
    names.sort();
    names
}

/// The directory's file names and sizes, sorted.
fn listing(dir: &Path) -> Vec<(String, u64)> {
    let mut files: Vec<(String, u64)> = fs::read_dir(dir)
        .expect("lists")
        .filter_map(Result::ok)
        .filter(|e| e.file_name() != LOCK_FILE)
        .map(|e| {
            let len = e.metadata().map_or(0, |m| m.len());
            (e.file_name().to_string_lossy().into_owned(), len)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_backup_taken_while_uploads_are_written_is_one_consistent_moment() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = tempfile::tempdir().expect("out dir");
    let store = OrderStore::open(dir.path()).expect("opens");
    upload(&store, "一号店", 1, 3);
    std::thread::scope(|scope| {
        // Each upload adds one day and one history entry: days - uploads stays 2 in any moment.
        scope.spawn(|| (1..=20).for_each(|day| upload(&store, "二号店", day, 1)));
        for n in 0..5 {
            let file = out.path().join(format!("b{n}.db"));
            let copied = backup(dir.path(), &file).expect("backs up");
            assert_eq!(copied.days - copied.uploads, 2, "{copied:?}");
            assert_eq!(validate(&file).expect("valid"), copied);
        }
    });
    let last = backup(dir.path(), &out.path().join("last.db")).expect("backs up");
    assert_eq!((last.stores, last.days, last.uploads), (2, 23, 21));
    let span = ("2026-11-01".to_owned(), "2026-11-20".to_owned());
    assert_eq!(last.span, Some(span));
}

#[test]
fn a_backup_never_overwrites_an_existing_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = OrderStore::open(dir.path()).expect("opens");
    upload(&store, "一号店", 1, 1);
    let out = dir.path().join("exists.db");
    fs::write(&out, "keep me").expect("writes");
    let err = backup(dir.path(), &out).expect_err("refused");
    assert!(matches!(err, BackupError::OutExists { .. }), "{err:?}");
    assert!(err.to_string().contains("exists.db"), "{err}");
    assert_eq!(fs::read_to_string(&out).expect("reads"), "keep me");
}

#[test]
fn a_backup_of_a_directory_without_a_database_names_the_directory() {
    let dir = tempfile::tempdir().expect("temp dir");
    let err = backup(dir.path(), &dir.path().join("b.db")).expect_err("refused");
    assert!(matches!(err, BackupError::NoDatabase { .. }), "{err:?}");
    assert!(!dir.path().join("b.db").exists());
}

#[test]
fn validate_refuses_a_text_file_and_a_database_without_the_tables() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = dir.path().join("orders.csv");
    fs::write(&text, csv("一号店", 1, 1)).expect("writes");
    let err = validate(&text).expect_err("refused");
    assert!(
        matches!(&err, BackupError::NotADatabase { detail, .. } if detail.contains("not an SQLite")),
        "{err:?}"
    );
    let other = dir.path().join("other.db");
    Connection::open(&other)
        .and_then(|c| c.execute_batch("CREATE TABLE uploads (id INTEGER)"))
        .expect("creates");
    let err = validate(&other).expect_err("refused");
    assert!(err.to_string().contains("no table store_days"), "{err}");
}

#[test]
fn restore_keeps_the_current_database_and_puts_the_backup_in_place() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = tempfile::tempdir().expect("out dir");
    let file = out.path().join("backup.db");
    {
        let store = OrderStore::open(dir.path()).expect("opens");
        upload(&store, "一号店", 1, 2);
        backup(dir.path(), &file).expect("backs up");
        upload(&store, "二号店", 1, 2);
    }
    let restored = restore(dir.path(), &file).expect("restores");
    assert_eq!((restored.contents.stores, restored.contents.days), (1, 2));
    let kept = restored.kept.expect("the old database is kept");
    let name = kept.file_name().and_then(|n| n.to_str()).unwrap_or("");
    assert!(name.starts_with("storeboard.db.before-restore-"), "{name}");
    assert_eq!(validate(&kept).expect("kept is whole").stores, 2);
    assert_eq!(store_names(dir.path()), ["一号店"]);
    // Restoring the kept file undoes the restore.
    let undone = restore(dir.path(), &kept).expect("restores the kept file");
    assert_ne!(undone.kept, Some(kept));
    assert_eq!(store_names(dir.path()), ["一号店", "二号店"]);
}

#[test]
fn restore_is_refused_while_the_directory_is_locked_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = tempfile::tempdir().expect("out dir");
    let file = out.path().join("backup.db");
    {
        let store = OrderStore::open(dir.path()).expect("opens");
        upload(&store, "一号店", 1, 2);
        backup(dir.path(), &file).expect("backs up");
    }
    let before = listing(dir.path());
    let _held = DataDirLock::acquire(dir.path()).expect("locks");
    let err = restore(dir.path(), &file).expect_err("refused");
    assert!(matches!(err, BackupError::InUse { .. }), "{err:?}");
    assert_eq!(listing(dir.path()), before);
}

#[test]
fn restore_refuses_the_live_database_itself() {
    let dir = tempfile::tempdir().expect("temp dir");
    drop(OrderStore::open(dir.path()).expect("opens"));
    let err = restore(dir.path(), &dir.path().join(DB_FILE)).expect_err("refused");
    assert!(matches!(err, BackupError::SameFile { .. }), "{err:?}");
}

#[test]
fn restore_into_an_empty_directory_has_nothing_to_keep() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("backup.db");
    {
        let store = OrderStore::open(dir.path()).expect("opens");
        upload(&store, "一号店", 1, 1);
        backup(dir.path(), &file).expect("backs up");
    }
    let fresh = dir.path().join("fresh");
    let restored = restore(&fresh, &file).expect("restores");
    assert_eq!(restored.kept, None);
    assert_eq!(store_names(&fresh), ["一号店"]);
}

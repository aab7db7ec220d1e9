//! Saved pricing plans against a real [`OrderStore`] in a temp directory.

use std::io::Cursor;

use serde_json::json;

use super::*;
use crate::audit::AuditKind;
use crate::{ingest, IngestOptions, UploadMode};

fn admin() -> Actor {
    Actor {
        who: "admin (session)".to_owned(),
        ip: "192.168.1.20".to_owned(),
    }
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).expect("a day")
}

/// A plan of `items` products for 一号店, all channels.
fn plan(name: &str, items: usize) -> NewPlan {
    let items: Vec<Value> = (0..items)
        .map(|i| json!({ "product": format!("商品{i}"), "old": 3.5, "new": 3.9, "qty": 12.0 }))
        .collect();
    NewPlan {
        name: name.to_owned(),
        store: Some("一号店".to_owned()),
        channel: None,
        scenario: "profit".to_owned(),
        effective_from: day(8),
        params: json!({ "max_change": 0.1 }),
        items: Value::Array(items),
    }
}

fn open() -> (tempfile::TempDir, OrderStore) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = OrderStore::open(dir.path()).expect("opens");
    (dir, store)
}

/// The problem a refused plan names.
fn refused(store: &OrderStore, plan: NewPlan) -> String {
    match store.save_plan_as(plan, &admin()) {
        Err(StoreError::BadPlan(problem)) => problem,
        other => panic!("expected BadPlan, got {other:?}"),
    }
}

#[test]
fn a_saved_plan_is_listed_newest_first_opened_whole_and_deleted() {
    let (_dir, store) = open();
    let first = store
        .save_plan_as(plan("  双十一前调价  ", 3), &admin())
        .expect("saved");
    assert_eq!(first.name, "双十一前调价", "the name is trimmed");
    assert_eq!(first.author, "admin (session)");
    assert_eq!(first.item_count, 3);
    assert_eq!(first.store.as_deref(), Some("一号店"));
    assert_eq!(first.channel, None, "no channel is all channels");
    let mut all_stores = plan("全店", 1);
    all_stores.store = Some("  ".to_owned());
    let second = store.save_plan_as(all_stores, &admin()).expect("saved");
    assert_eq!(second.store, None, "an empty store is all stores");

    let listed = store.plans(10).expect("listed");
    assert_eq!(listed, [second.clone(), first.clone()], "newest first");
    assert_eq!(
        store.plans(1).expect("listed"),
        std::slice::from_ref(&second)
    );

    let opened = store.plan(first.id).expect("read").expect("there");
    assert_eq!(opened.summary, first);
    assert_eq!(opened.params, json!({ "max_change": 0.1 }));
    assert_eq!(opened.items, plan("x", 3).items, "items come back as saved");
    assert_eq!(opened.summary.effective_from, day(8));

    assert!(store.delete_plan_as(first.id, &admin()).expect("deleted"));
    assert_eq!(store.plan(first.id).expect("read"), None);
    assert_eq!(store.plans(10).expect("listed"), [second]);
}

#[test]
fn saving_and_deleting_a_plan_are_audited_as_changes_with_the_actor() {
    let (_dir, store) = open();
    let saved = store
        .save_plan_as(plan("周末促销", 2), &admin())
        .expect("saved");
    store.delete_plan_as(saved.id, &admin()).expect("deleted");
    let log = store.audit_log_of(AuditKind::Changes, 10).expect("log");
    let entries: Vec<_> = log
        .iter()
        .map(|e| {
            (
                e.action.as_str(),
                e.actor.as_str(),
                e.ip.as_str(),
                e.target.as_str(),
            )
        })
        .collect();
    assert_eq!(
        entries,
        [
            ("plan_delete", "admin (session)", "192.168.1.20", "周末促销"),
            ("plan_save", "admin (session)", "192.168.1.20", "周末促销"),
        ]
    );
    let detail = format!("id={} items=2", saved.id);
    assert!(log.iter().all(|e| e.detail == detail), "{log:?}");
    let logins = store.audit_log_of(AuditKind::Logins, 10).expect("log");
    assert!(
        logins.is_empty(),
        "plans are changes, not logins: {logins:?}"
    );
}

#[test]
fn deleting_a_missing_plan_returns_false_and_audits_nothing() {
    let (_dir, store) = open();
    assert!(!store.delete_plan_as(42, &admin()).expect("no error"));
    assert!(store.audit_log(10).expect("log").is_empty());
}

#[test]
fn a_name_of_81_characters_is_refused_and_one_of_80_is_kept() {
    let (_dir, store) = open();
    let problem = refused(&store, plan(&"价".repeat(81), 1));
    assert!(problem.contains("name has 81 characters"), "{problem}");
    assert!(problem.contains("80"), "{problem}");
    let kept = store
        .save_plan_as(plan(&"价".repeat(80), 1), &admin())
        .expect("80 characters are fine");
    assert_eq!(kept.name.chars().count(), 80);
}

#[test]
fn an_empty_or_blank_name_is_refused() {
    let (_dir, store) = open();
    for name in ["", "   \t"] {
        let problem = refused(&store, plan(name, 1));
        assert!(problem.contains("name is empty"), "{name:?}: {problem}");
    }
}

#[test]
fn items_that_are_not_an_array_are_refused() {
    let (_dir, store) = open();
    let mut object = plan("对象", 1);
    object.items = json!({ "product": "可口可乐" });
    let problem = refused(&store, object);
    assert!(
        problem.contains("must be a JSON array, not an object"),
        "{problem}"
    );
    let mut null = plan("空值", 1);
    null.items = Value::Null;
    assert!(refused(&store, null).contains("not null"));
}

#[test]
fn an_empty_item_list_is_refused() {
    let (_dir, store) = open();
    let problem = refused(&store, plan("空方案", 0));
    assert!(problem.contains("items are empty"), "{problem}");
}

#[test]
fn more_than_5000_items_or_more_than_2_mib_of_json_are_refused() {
    let (_dir, store) = open();
    let problem = refused(&store, plan("太多", MAX_ITEMS + 1));
    assert!(problem.contains("5001 items"), "{problem}");
    store
        .save_plan_as(plan("刚好", MAX_ITEMS), &admin())
        .expect("5,000 items are fine");
    let mut big = plan("太大", 2);
    big.params = json!({ "note": "x".repeat(MAX_JSON_BYTES) });
    let problem = refused(&store, big);
    assert!(problem.contains("bytes of JSON"), "{problem}");
}

#[test]
fn a_refused_plan_writes_nothing() {
    let (_dir, store) = open();
    refused(&store, plan("", 1));
    refused(&store, plan("空方案", 0));
    assert!(store.plans(10).expect("listed").is_empty());
    assert!(store.audit_log(10).expect("log").is_empty());
}

#[test]
fn plans_survive_reopening_the_database() {
    let (dir, store) = open();
    let saved = store
        .save_plan_as(plan("长期方案", 4), &admin())
        .expect("saved");
    let before = store.plan(saved.id).expect("read");
    drop(store);
    let store = OrderStore::open(dir.path()).expect("reopens");
    assert_eq!(store.plans(10).expect("listed"), [saved]);
    assert_eq!(
        store
            .plan(before.as_ref().expect("there").summary.id)
            .expect("read"),
        before
    );
}

#[test]
fn deleting_a_store_leaves_the_plans_computed_for_it() {
    let (_dir, store) = open();
    let csv = "订单ID,下单时间,门店名称,商品名称,销量,实收价格\r\n\
               A1,2026-11-01 10:00:00,一号店,可口可乐 330ml,1,3.50\r\n";
    let parsed = ingest(
        Cursor::new(csv.as_bytes()),
        "orders.csv",
        &IngestOptions::default(),
    )
    .expect("parses");
    store
        .apply(&parsed, "orders.csv", "sha", UploadMode::Merge)
        .expect("applies");
    let saved = store
        .save_plan_as(plan("一号店方案", 1), &admin())
        .expect("saved");
    assert!(store.delete_store_as("一号店", &admin()).expect("deleted"));
    assert_eq!(store.plans(10).expect("listed"), [saved]);
}

#[test]
fn a_backup_carries_the_saved_plans() {
    let (dir, store) = open();
    let saved = store
        .save_plan_as(plan("备份方案", 2), &admin())
        .expect("saved");
    let out = tempfile::tempdir().expect("out dir");
    crate::backup::backup(dir.path(), &out.path().join(crate::db::DB_FILE)).expect("backed up");
    let copy = OrderStore::open(out.path()).expect("opens the copy");
    assert_eq!(copy.plans(10).expect("listed"), [saved]);
}

//! Unit tests of [`super`]: keys, counters, the entry and byte bounds.
use super::*;
use chrono::NaiveDate;
use storeboard_data::dataset::Dataset;

fn snap(name: &str, version: u64) -> Arc<StoreSnapshot> {
    Arc::new(StoreSnapshot::new(
        name.to_owned(),
        version,
        Dataset::default(),
    ))
}

fn filters(store: Option<&str>, to: u32) -> Filters {
    let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).expect("valid");
    Filters {
        store: store.map(str::to_owned),
        from: day(1),
        to: day(to),
        channel: None,
        requested: None,
    }
}

fn key(to: u32) -> CacheKey {
    CacheKey::new(Tab::Overview, &[snap("A", 1)], &filters(None, to), 0)
}

fn entries(n: usize) -> CacheLimits {
    CacheLimits {
        max_bytes: usize::MAX,
        max_entries: n,
    }
}

/// `n` bytes of JSON-ish text.
fn value(n: usize) -> Bytes {
    Bytes::from(vec![b'x'; n])
}

#[test]
fn a_new_snapshot_version_makes_a_new_key() {
    let f = filters(None, 7);
    let before = CacheKey::new(Tab::Overview, &[snap("A", 1), snap("B", 2)], &f, 0);
    let same = CacheKey::new(Tab::Overview, &[snap("B", 2), snap("A", 1)], &f, 0);
    let uploaded = CacheKey::new(Tab::Overview, &[snap("A", 3), snap("B", 2)], &f, 0);
    let deleted = CacheKey::new(Tab::Overview, &[snap("B", 2)], &f, 0);
    assert_eq!(before, same);
    assert_ne!(before, uploaded);
    assert_ne!(before, deleted);
    // Longer names weigh more.
    assert!(before.weight() > deleted.weight());
}

#[test]
fn filters_and_business_are_part_of_the_key() {
    let snaps = [snap("A", 1)];
    let base = CacheKey::new(Tab::Overview, &snaps, &filters(None, 7), 0);
    assert_ne!(
        base,
        CacheKey::new(Tab::Overview, &snaps, &filters(Some("A"), 7), 0)
    );
    assert_ne!(
        base,
        CacheKey::new(Tab::Overview, &snaps, &filters(None, 8), 0)
    );
    assert_ne!(
        base,
        CacheKey::new(Tab::Overview, &snaps, &filters(None, 7), 1)
    );
    let mut other = Business::default();
    other.high_margin_pct += 1.0;
    assert_eq!(
        fingerprint(&Business::default()),
        fingerprint(&Business::default())
    );
    assert_ne!(fingerprint(&Business::default()), fingerprint(&other));
}

#[test]
fn hits_and_misses_are_counted() {
    let cache = TabCache::new(entries(4));
    assert_eq!(cache.get(&key(1)), None);
    cache.insert(key(1), Bytes::from_static(b"one"));
    assert_eq!(cache.get(&key(1)), Some(Bytes::from_static(b"one")));
    assert_eq!(cache.get(&key(1)), Some(Bytes::from_static(b"one")));
    let stats = cache.stats();
    assert_eq!((stats.hits, stats.misses, stats.entries), (2, 1, 1));
    assert_eq!(stats.bytes, key(1).weight() + 3);
}

#[test]
fn the_least_recently_used_entry_is_evicted_beyond_the_entry_limit() {
    let cache = TabCache::new(entries(3));
    for to in 1..=3 {
        cache.insert(key(to), Bytes::from(vec![to as u8]));
    }
    // Using 1 makes 2 the least recently used.
    assert!(cache.get(&key(1)).is_some());
    cache.insert(key(4), Bytes::from_static(b"4"));
    assert!(cache.get(&key(2)).is_none());
    for to in [1, 3, 4] {
        assert!(cache.get(&key(to)).is_some(), "{to}");
    }
    let stats = cache.stats();
    assert_eq!((stats.entries, stats.evictions, stats.capacity), (3, 1, 3));
}

#[test]
fn the_byte_budget_evicts_the_least_recently_used_until_the_new_entry_fits() {
    // Room for exactly three 100-byte answers (every key of this test weighs the same).
    let one = TabCache::weight(&key(1), &value(100));
    let cache = TabCache::new(CacheLimits {
        max_bytes: 3 * one,
        max_entries: 100,
    });
    for to in 1..=3 {
        assert!(cache.insert(key(to), value(100)));
    }
    assert_eq!(cache.stats().bytes, 3 * one);
    assert!(cache.get(&key(1)).is_some()); // 2 is now the least recently used
    cache.insert(key(4), value(100));
    assert!(cache.get(&key(2)).is_none());
    assert_eq!(cache.stats().evictions, 1);
    // An entry twice as heavy pushes out the two least recently used: 3, then 4.
    assert!(cache.get(&key(1)).is_some());
    cache.insert(key(5), value(100 + one));
    let kept: Vec<u32> = (1..=5)
        .filter(|&to| cache.get(&key(to)).is_some())
        .collect();
    assert_eq!(kept, [1, 5]);
    let stats = cache.stats();
    assert_eq!((stats.entries, stats.evictions), (2, 3));
    assert_eq!(stats.bytes, 3 * one);
    assert!(stats.bytes <= stats.max_bytes);
}

#[test]
fn an_answer_larger_than_the_budget_is_not_cached_and_evicts_nothing() {
    let one = TabCache::weight(&key(1), &value(100));
    let cache = TabCache::new(CacheLimits {
        max_bytes: 2 * one,
        max_entries: 100,
    });
    cache.insert(key(1), value(100));
    assert!(!cache.insert(key(2), value(2 * one)));
    assert!(cache.get(&key(2)).is_none());
    assert!(cache.get(&key(1)).is_some());
    let stats = cache.stats();
    assert_eq!((stats.entries, stats.oversize, stats.evictions), (1, 1, 0));
    // Exactly the budget fits.
    assert!(cache.insert(key(3), value(2 * one - key(3).weight())));
    assert_eq!(cache.stats().bytes, 2 * one);
}

#[test]
fn reinserting_a_key_replaces_it_without_growing() {
    let cache = TabCache::new(entries(2));
    cache.insert(key(1), Bytes::from_static(b"old"));
    cache.insert(key(1), Bytes::from_static(b"newer"));
    cache.insert(key(2), Bytes::from_static(b"two"));
    assert_eq!(cache.get(&key(1)), Some(Bytes::from_static(b"newer")));
    let stats = cache.stats();
    assert_eq!((stats.entries, stats.evictions), (2, 0));
    assert_eq!(stats.bytes, key(1).weight() + 5 + key(2).weight() + 3);
}

#[test]
fn a_limit_of_zero_caches_nothing() {
    for limits in [
        entries(0),
        CacheLimits {
            max_bytes: 0,
            max_entries: 10,
        },
    ] {
        let cache = TabCache::new(limits);
        assert!(!cache.insert(key(1), Bytes::from_static(b"x")));
        assert_eq!(cache.get(&key(1)), None);
        assert_eq!((cache.stats().entries, cache.stats().bytes), (0, 0));
    }
}

#[test]
fn an_expensive_answer_outlives_cheaper_ones_of_the_same_size_and_age() {
    // Room for three answers of the same weight. 1 took 20 ms, 2 and 3 took 1 ms each: when 4
    // arrives, 2 goes (the cheapest, then the least recently used), not 1, the oldest.
    let one = TabCache::weight(&key(1), &value(100));
    let cache = TabCache::new(CacheLimits {
        max_bytes: 3 * one,
        max_entries: 100,
    });
    cache.insert_costed(key(1), value(100), Duration::from_millis(20));
    cache.insert_costed(key(2), value(100), Duration::from_millis(1));
    cache.insert_costed(key(3), value(100), Duration::from_millis(1));
    cache.insert_costed(key(4), value(100), Duration::from_millis(1));
    let kept: Vec<u32> = (1..=4)
        .filter(|&to| cache.get(&key(to)).is_some())
        .collect();
    assert_eq!(kept, [1, 3, 4]);
}

#[test]
fn an_expensive_answer_nobody_asks_for_again_leaves_in_the_end() {
    // Room for two. 1 took 5 ms; then a stream of 1 ms answers. The clock rises by a cheap
    // answer's credit every two of them; 1, last used at clock 1 (priority 1 + 5), is the
    // lowest once the clock nears 6 (worked through by hand: at the 13th answer) and goes.
    let one = TabCache::weight(&key(1), &value(100));
    let cache = TabCache::new(CacheLimits {
        max_bytes: 2 * one,
        max_entries: 100,
    });
    cache.insert_costed(key(1), value(100), Duration::from_millis(5));
    for to in 2..=4 {
        cache.insert_costed(key(to), value(100), Duration::from_millis(1));
    }
    assert!(cache.stats().evictions >= 2);
    assert!(cache.get(&key(1)).is_some(), "kept while the clock is low");
    for to in 5..=20 {
        cache.insert_costed(key(to), value(100), Duration::from_millis(1));
    }
    assert!(
        cache.get(&key(1)).is_none(),
        "gone once the clock passed it"
    );
}

//! [`TabCache`]: the serialised JSON of computed tabs, keyed by everything the answer depends
//! on ([`CacheKey`]), bounded by a least-recently-used eviction.
//!
//! An upload or a delete is never handled by deleting entries: it gives the store's snapshot a
//! new version, so the next request makes a new key, and the stale entries age out of the LRU.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use storeboard_analytics::{Business, Filters};
use storeboard_data::StoreSnapshot;

use crate::tab::Tab;

/// Entries a [`TabCache`] holds by default: at ~10–50 KiB of JSON each, a few MiB at most.
pub const DEFAULT_CAPACITY: usize = 512;

/// What a tab's answer depends on: the tab, the (name, version) of every selected snapshot,
/// the request's filters and the business configuration's fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    tab: Tab,
    stores: Vec<(String, u64)>,
    filters: Filters,
    business: u64,
}

impl CacheKey {
    /// The key of `tab` computed over `snaps` (the selected snapshots) for `filters`, under the
    /// business configuration whose [`fingerprint`] is `business`.
    pub fn new(tab: Tab, snaps: &[Arc<StoreSnapshot>], filters: &Filters, business: u64) -> Self {
        let mut stores: Vec<(String, u64)> =
            snaps.iter().map(|s| (s.name.clone(), s.version)).collect();
        stores.sort();
        Self {
            tab,
            stores,
            filters: filters.clone(),
            business,
        }
    }
}

/// A fingerprint of a business configuration: equal configurations give equal numbers.
pub fn fingerprint(business: &Business) -> u64 {
    // `Business` holds floats, so it is not `Hash`; its JSON text is a faithful stand-in.
    let text = serde_json::to_string(business).unwrap_or_default();
    let mut hasher = DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// Hit and miss counts and the size of a [`TabCache`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    /// Requests answered from the cache.
    pub hits: u64,
    /// Requests that had to compute their tab.
    pub misses: u64,
    /// Entries dropped to stay within the capacity.
    pub evictions: u64,
    /// Entries held now.
    pub entries: usize,
    /// The most entries held.
    pub capacity: usize,
}

#[derive(Debug, Default)]
struct Lru {
    /// Key → (JSON, the tick of its last use).
    entries: HashMap<CacheKey, (Bytes, u64)>,
    /// Tick of last use → key; the first is the least recently used.
    by_use: BTreeMap<u64, CacheKey>,
    tick: u64,
}

impl Lru {
    fn touch(&mut self, key: &CacheKey) -> Option<Bytes> {
        self.tick += 1;
        let tick = self.tick;
        let (bytes, used) = self.entries.get_mut(key)?;
        let old = std::mem::replace(used, tick);
        let bytes = bytes.clone();
        if let Some(k) = self.by_use.remove(&old) {
            self.by_use.insert(tick, k);
        }
        Some(bytes)
    }
}

/// A bounded map from [`CacheKey`] to the tab's JSON bytes. The lock is held only to look up
/// or insert, never while a tab is computed.
#[derive(Debug)]
pub struct TabCache {
    lru: Mutex<Lru>,
    capacity: usize,
    hits: AtomicU64,
    misses: AtomicU64,
    evictions: AtomicU64,
}

impl TabCache {
    /// A cache of at most `capacity` entries (0 caches nothing). Default is [`DEFAULT_CAPACITY`].
    pub fn new(capacity: usize) -> Self {
        Self {
            lru: Mutex::new(Lru::default()),
            capacity,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            evictions: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Lru> {
        // The map stays consistent through a panic elsewhere: nothing panics while it is held.
        self.lru.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The JSON stored under `key`, counting a hit or a miss; a hit makes it most recent.
    pub fn get(&self, key: &CacheKey) -> Option<Bytes> {
        let found = self.lock().touch(key);
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Stores `json` under `key` as the most recent entry, evicting the least recently used
    /// entries beyond the capacity.
    pub fn insert(&self, key: CacheKey, json: Bytes) {
        if self.capacity == 0 {
            return;
        }
        let mut lru = self.lock();
        lru.tick += 1;
        let tick = lru.tick;
        if let Some((_, old)) = lru.entries.insert(key.clone(), (json, tick)) {
            lru.by_use.remove(&old);
        }
        lru.by_use.insert(tick, key);
        let mut evicted = 0;
        while lru.entries.len() > self.capacity {
            let Some((_, oldest)) = lru.by_use.pop_first() else {
                break;
            };
            lru.entries.remove(&oldest);
            evicted += 1;
        }
        drop(lru);
        if evicted > 0 {
            self.evictions.fetch_add(evicted, Ordering::Relaxed);
            tracing::debug!(evicted, "tab cache full: evicted the least recently used");
        }
    }

    /// The counters and size now.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            evictions: self.evictions.load(Ordering::Relaxed),
            entries: self.lock().entries.len(),
            capacity: self.capacity,
        }
    }
}

impl Default for TabCache {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

#[cfg(test)]
mod tests {
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
        }
    }

    fn key(to: u32) -> CacheKey {
        CacheKey::new(Tab::Overview, &[snap("A", 1)], &filters(None, to), 0)
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
        let cache = TabCache::new(4);
        assert_eq!(cache.get(&key(1)), None);
        cache.insert(key(1), Bytes::from_static(b"one"));
        assert_eq!(cache.get(&key(1)), Some(Bytes::from_static(b"one")));
        assert_eq!(cache.get(&key(1)), Some(Bytes::from_static(b"one")));
        let stats = cache.stats();
        assert_eq!((stats.hits, stats.misses, stats.entries), (2, 1, 1));
    }

    #[test]
    fn the_least_recently_used_entry_is_evicted_beyond_the_capacity() {
        let cache = TabCache::new(3);
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
    fn reinserting_a_key_replaces_it_without_growing() {
        let cache = TabCache::new(2);
        cache.insert(key(1), Bytes::from_static(b"old"));
        cache.insert(key(1), Bytes::from_static(b"new"));
        cache.insert(key(2), Bytes::from_static(b"two"));
        assert_eq!(cache.get(&key(1)), Some(Bytes::from_static(b"new")));
        assert_eq!(cache.stats().entries, 2);
        assert_eq!(cache.stats().evictions, 0);
    }

    #[test]
    fn a_capacity_of_zero_caches_nothing() {
        let cache = TabCache::new(0);
        cache.insert(key(1), Bytes::from_static(b"x"));
        assert_eq!(cache.get(&key(1)), None);
        assert_eq!(cache.stats().entries, 0);
    }
}

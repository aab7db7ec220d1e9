//! [`TabCache`]: computed tabs keyed by everything the answer depends on ([`CacheKey`]), bounded
//! in bytes. Concurrent requests for one missing key share one computation
//! ([`TabCache::get_or_compute`], in `flight.rs`).
//!
//! Eviction is GreedyDual by cost: each entry has a priority `clock + cost`, set when it is
//! stored or used (`cost`: how long it took to compute); the lowest priority goes first and the
//! clock rises to it. Entries of the same cost leave in least-recently-used order, but a
//! chain's 今日必做 (20 ms of work) outlives a store's 订单数据概览 of the same age (0.3 ms), and
//! an expensive entry nobody asks for again still leaves once the clock has passed it. With
//! LRU alone, the stream of cheap one-store answers pushed the chain-wide ones out, and a
//! request for them waited for the slowest computations again and again (the click mix's p99);
//! weighing the cost per byte (GreedyDual-Size) kept the small cheap answers instead. Size
//! still bounds the cache: `max_bytes`.
//!
//! An upload or a delete is never handled by deleting entries: it gives the store's snapshot a
//! new version, so the next request makes a new key, and the stale entries age out.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::mem::size_of;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use storeboard_analytics::{Business, Filters};
use storeboard_data::StoreSnapshot;

use crate::flight::Flights;
use crate::tab::Tab;

/// The bytes a [`TabCache`] holds by default (answers and their keys): 128 MiB. Under the
/// click mix (32 users switching tabs, stores and periods over a chain's month) 64 MiB held
/// ~170 answers and gave p99 52 ms, 96 MiB 48 ms, 128 MiB 43–46 ms; a year of a 28-store
/// chain takes ~670 MB resident with its aggregates, so the cache full still leaves it near
/// 800 MB. The server's `tab_cache_mb` sets it.
pub const DEFAULT_CACHE_BYTES: usize = 128 << 20;

/// The most entries a [`TabCache`] holds by default. Only a ceiling against floods of tiny
/// answers: at 1 KiB or more per entry, [`DEFAULT_CACHE_BYTES`] is reached first.
pub const DEFAULT_CAPACITY: usize = 65_536;

/// What the byte budget of a [`TabCache`] counts for a value.
pub trait Weigh {
    /// The bytes this value holds (for serialised JSON, its length).
    fn weight(&self) -> usize;
}

impl Weigh for Bytes {
    fn weight(&self) -> usize {
        self.len()
    }
}

/// What a tab's answer depends on: the tab, the (name, version) of every selected snapshot,
/// the request's filters and the business configuration's fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    tab: Tab,
    stores: Vec<(String, u64)>,
    filters: Filters,
    business: u64,
    /// What else the tab's answer depends on (今日必做's window); 0 for the other tabs.
    variant: u8,
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
            variant: 0,
        }
    }

    /// This key for a variant of the tab's answer (今日必做's window).
    pub fn with_variant(mut self, variant: u8) -> Self {
        self.variant = variant;
        self
    }

    /// The bytes the key holds: itself, its store list and its texts.
    pub fn weight(&self) -> usize {
        let text = |s: &Option<String>| s.as_ref().map_or(0, String::len);
        let stores: usize = self
            .stores
            .iter()
            .map(|(name, _)| size_of::<(String, u64)>() + name.len())
            .sum();
        size_of::<Self>() + stores + text(&self.filters.store) + text(&self.filters.channel)
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

/// The bounds of a [`TabCache`]: whichever is reached first evicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheLimits {
    /// Bytes held at most: each entry weighs its value ([`Weigh`]) plus its key
    /// ([`CacheKey::weight`]). An entry heavier than this on its own is not cached.
    pub max_bytes: usize,
    /// Entries held at most.
    pub max_entries: usize,
}

impl Default for CacheLimits {
    /// [`DEFAULT_CACHE_BYTES`] and [`DEFAULT_CAPACITY`].
    fn default() -> Self {
        Self {
            max_bytes: DEFAULT_CACHE_BYTES,
            max_entries: DEFAULT_CAPACITY,
        }
    }
}

/// Hit and miss counts and the size of a [`TabCache`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    /// Requests answered from the cache.
    pub hits: u64,
    /// Requests not answered from the cache: each computed its tab or waited for the same
    /// computation started by another request (`joined`).
    pub misses: u64,
    /// Misses that waited for another request's computation of the same key instead of
    /// computing (so computations = `misses − joined`).
    pub joined: u64,
    /// Entries dropped to stay within the limits.
    pub evictions: u64,
    /// Answers not cached because they alone weigh more than `max_bytes`.
    pub oversize: u64,
    /// Entries held now.
    pub entries: usize,
    /// Keys being computed now (each by one computation, however many requests wait for it).
    pub in_flight: usize,
    /// The most entries held.
    pub capacity: usize,
    /// Bytes held now (values and keys, as [`CacheLimits::max_bytes`] counts them).
    pub bytes: usize,
    /// The most bytes held.
    pub max_bytes: usize,
}

/// The cost [`TabCache::insert`] gives an entry when none is known.
pub const DEFAULT_COST: Duration = Duration::from_millis(1);

/// An entry's place in the eviction order: (priority, tick of its last use); the first goes
/// first.
type Rank = (u64, u64);

#[derive(Debug)]
struct Slot<V> {
    value: V,
    rank: Rank,
    weight: usize,
    /// What keeping it is worth: its computing time (ns).
    credit: u64,
}

/// The priority credit of an entry that took `cost` to compute.
fn credit(cost: Duration) -> u64 {
    u64::try_from(cost.as_nanos()).unwrap_or(u64::MAX)
}

#[derive(Debug)]
struct Lru<V> {
    entries: HashMap<Arc<CacheKey>, Slot<V>>,
    /// Rank → key; the first is evicted first.
    by_rank: BTreeMap<Rank, Arc<CacheKey>>,
    tick: u64,
    /// GreedyDual's clock: the priority of the last entry evicted.
    clock: u64,
    bytes: usize,
}

impl<V: Clone> Lru<V> {
    /// A new rank for an entry worth `credit`, used now.
    fn rank(&mut self, credit: u64) -> Rank {
        self.tick += 1;
        (self.clock.saturating_add(credit), self.tick)
    }

    fn touch(&mut self, key: &CacheKey) -> Option<V> {
        let credit = self.entries.get(key)?.credit;
        let rank = self.rank(credit);
        let slot = self.entries.get_mut(key)?;
        let old = std::mem::replace(&mut slot.rank, rank);
        let value = slot.value.clone();
        if let Some(k) = self.by_rank.remove(&old) {
            self.by_rank.insert(rank, k);
        }
        Some(value)
    }

    fn remove_first(&mut self) -> bool {
        let Some(((priority, _), first)) = self.by_rank.pop_first() else {
            return false;
        };
        self.clock = self.clock.max(priority);
        if let Some(slot) = self.entries.remove(&first) {
            self.bytes -= slot.weight;
        }
        true
    }
}

/// A map from [`CacheKey`] to computed tabs (`V`: JSON bytes by default), bounded in bytes and
/// entries ([`CacheLimits`]) with least-recently-used eviction. The lock is held only to look
/// up or insert, never while a tab is computed.
#[derive(Debug)]
pub struct TabCache<V = Bytes> {
    lru: Mutex<Lru<V>>,
    limits: CacheLimits,
    pub(crate) flights: Flights<V>,
    hits: AtomicU64,
    misses: AtomicU64,
    pub(crate) joined: AtomicU64,
    evictions: AtomicU64,
    oversize: AtomicU64,
}

impl<V: Clone + Weigh> TabCache<V> {
    /// A cache within `limits` (a limit of 0 caches nothing).
    pub fn new(limits: CacheLimits) -> Self {
        Self {
            lru: Mutex::new(Lru {
                entries: HashMap::new(),
                by_rank: BTreeMap::new(),
                tick: 0,
                clock: 0,
                bytes: 0,
            }),
            limits,
            flights: Flights::default(),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            joined: AtomicU64::new(0),
            evictions: AtomicU64::new(0),
            oversize: AtomicU64::new(0),
        }
    }

    /// The limits it was made with.
    pub fn limits(&self) -> CacheLimits {
        self.limits
    }

    fn lock(&self) -> MutexGuard<'_, Lru<V>> {
        // The map stays consistent through a panic elsewhere: nothing panics while it is held.
        self.lru.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The value stored under `key`, counting a hit or a miss; a hit makes it most recent.
    pub fn get(&self, key: &CacheKey) -> Option<V> {
        let found = self.lock().touch(key);
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// The bytes an entry of `key` and `value` counts against [`CacheLimits::max_bytes`].
    pub fn weight(key: &CacheKey, value: &V) -> usize {
        key.weight() + value.weight()
    }

    /// Stores `value` under `key` as the most recent entry with [`DEFAULT_COST`] (see
    /// [`insert_costed`](TabCache::insert_costed)).
    pub fn insert(&self, key: CacheKey, value: V) -> bool {
        self.insert_costed(key, value, DEFAULT_COST)
    }

    /// Stores `value` under `key`, which took `cost` to compute, evicting the entries of
    /// lowest priority (module docs) beyond the limits. Returns false, storing nothing, when
    /// the entry alone weighs more than `max_bytes` (or a limit is 0).
    pub fn insert_costed(&self, key: CacheKey, value: V, cost: Duration) -> bool {
        let weight = Self::weight(&key, &value);
        if self.limits.max_entries == 0 || weight > self.limits.max_bytes {
            if self.limits.max_entries > 0 {
                self.oversize.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(weight, "tab answer larger than the whole cache: not cached");
            }
            return false;
        }
        let key = Arc::new(key);
        let credit = credit(cost);
        let mut lru = self.lock();
        let rank = lru.rank(credit);
        let slot = Slot {
            value,
            rank,
            weight,
            credit,
        };
        if let Some(old) = lru.entries.insert(Arc::clone(&key), slot) {
            lru.by_rank.remove(&old.rank);
            lru.bytes -= old.weight;
        }
        lru.bytes += weight;
        // The others make room: a new entry of low priority is not dropped by its own insertion
        // (it weighs at most `max_bytes`, so evicting the others always makes it fit).
        let mut evicted = 0;
        while lru.bytes > self.limits.max_bytes || lru.entries.len() > self.limits.max_entries {
            if !lru.remove_first() {
                break;
            }
            evicted += 1;
        }
        lru.by_rank.insert(rank, key);
        drop(lru);
        if evicted > 0 {
            self.evictions.fetch_add(evicted, Ordering::Relaxed);
            tracing::debug!(
                evicted,
                "tab cache full: evicted the entries of lowest priority"
            );
        }
        true
    }

    /// The counters and size now.
    pub fn stats(&self) -> CacheStats {
        let (entries, bytes) = {
            let lru = self.lock();
            (lru.entries.len(), lru.bytes)
        };
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            joined: self.joined.load(Ordering::Relaxed),
            evictions: self.evictions.load(Ordering::Relaxed),
            oversize: self.oversize.load(Ordering::Relaxed),
            entries,
            in_flight: self.flights.len(),
            capacity: self.limits.max_entries,
            bytes,
            max_bytes: self.limits.max_bytes,
        }
    }
}

impl<V: Clone + Weigh> Default for TabCache<V> {
    fn default() -> Self {
        Self::new(CacheLimits::default())
    }
}

#[cfg(test)]
mod tests;

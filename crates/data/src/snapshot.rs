//! Immutable per-store snapshots and the registry that swaps them atomically.

use std::any::Any;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use chrono::NaiveDate;
use dashmap::DashMap;
use serde::Serialize;

use crate::dataset::{day_of, Col, Dataset, Sym};
use crate::lineage::{Lineage, Previous};

/// One store's orders, sorted by time, with lines grouped by order. Never changes once built;
/// a write builds a new one with a new version.
#[derive(Debug)]
pub struct StoreSnapshot {
    /// 门店名称.
    pub name: String,
    /// Changes on every write to any store (compare for cache keys).
    pub version: u64,
    /// The columns.
    pub data: Dataset,
    /// Each day present and the index of its first order.
    days: Vec<(NaiveDate, u32)>,
    /// Distinct channel string ids, so per-request channel rules cost one check per channel.
    channels: Vec<Sym>,
    /// Distinct 一级分类名 string ids.
    categories: Vec<Sym>,
    /// Distinct 订单ID, counted once here: the snapshot never changes, and every page header
    /// and store list asks.
    distinct_orders: usize,
    /// Derived data other crates keep with the snapshot (the analytics aggregates), built once
    /// per key and dropped with the snapshot.
    derived: Derived,
    /// The replaced snapshot's derived values, until this one's are built from them.
    previous: Mutex<Option<Previous>>,
}

/// Only reachable if `get_or_init` ran our closure and then returned another value, which
/// `OnceLock` never does.
#[cold]
fn unreachable_type<T>() -> T {
    panic!("OnceLock returned a value its initialiser did not build")
}

/// One derived value, built at most once.
type Slot = Arc<OnceLock<Arc<dyn Any + Send + Sync>>>;

/// The derived values of one snapshot, by key.
#[derive(Default)]
struct Derived(Mutex<Vec<(u64, Slot)>>);

impl std::fmt::Debug for Derived {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.0.lock().map_or(0, |v| v.len());
        write!(f, "Derived({n} values)")
    }
}

impl StoreSnapshot {
    /// Wraps a dataset whose orders are sorted by time and whose lines are grouped by order.
    pub fn new(name: String, version: u64, mut data: Dataset) -> Self {
        data.strings.freeze();
        data.pack();
        Self::packed(name, version, data)
    }

    /// Wraps a dataset already packed (see [`Dataset::pack`]) whose string table is frozen: an
    /// upload's merge packs as it copies, and packing again would read the whole history.
    pub(crate) fn packed(name: String, version: u64, data: Dataset) -> Self {
        let mut days: Vec<(NaiveDate, u32)> = Vec::new();
        for (i, t) in data.orders.time.iter().enumerate() {
            let day = day_of(t);
            if days.last().is_none_or(|(d, _)| *d != day) {
                days.push((day, i as u32));
            }
        }
        let distinct = |col: &Col<Sym>| {
            let mut v = col.values();
            v.sort_unstable();
            v.dedup();
            v
        };
        let channels = distinct(&data.orders.channel);
        let categories = distinct(&data.lines.category1);
        let distinct_orders = distinct_ids(&data.orders.id, data.strings.len());
        Self {
            name,
            version,
            data,
            days,
            channels,
            categories,
            distinct_orders,
            derived: Derived::default(),
            previous: Mutex::new(None),
        }
    }

    /// Keeps `old`'s derived values that are built, so that this snapshot's can be made from
    /// them for the days `lineage` says were kept ([`StoreSnapshot::take_previous`]). When
    /// `old` has none built but holds its own predecessor's (an upload applied in parts, or two
    /// uploads in a row, before anything asked for `old`'s), those are carried on with the two
    /// lineages composed, so the chain still leads back to built values. Held until taken.
    pub(crate) fn follow(self, old: &StoreSnapshot, lineage: Lineage) -> Self {
        let values: Vec<(u64, Arc<dyn Any + Send + Sync>)> = {
            let slots = old.derived.0.lock().unwrap_or_else(|e| e.into_inner());
            slots
                .iter()
                .filter_map(|(k, slot)| slot.get().map(|v| (*k, Arc::clone(v))))
                .collect()
        };
        let previous = if values.is_empty() {
            // Cloned, not taken: a reader of `old` may still build from them.
            let before = old.previous.lock().unwrap_or_else(|e| e.into_inner());
            before.as_ref().map(|p| Previous {
                values: p.values.clone(),
                lineage: p.lineage.then(&lineage),
            })
        } else {
            Some(Previous { values, lineage })
        };
        *self.previous.lock().unwrap_or_else(|e| e.into_inner()) = previous;
        self
    }

    /// The replaced snapshot's value under `key`, with how this snapshot's orders relate to
    /// that snapshot's, if it had one built. Taken once: every previous value is let go on the
    /// first call, whatever its key, so none is held longer than this snapshot's first build.
    pub fn take_previous(&self, key: u64) -> Option<(Arc<dyn Any + Send + Sync>, Lineage)> {
        let previous = self
            .previous
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()?;
        let value = previous.values.into_iter().find(|(k, _)| *k == key)?.1;
        Some((value, previous.lineage))
    }

    /// The value derived from this snapshot under `key` (e.g. a fingerprint of the rules it was
    /// computed with), built by `build` the first time it is asked for. Concurrent callers of
    /// one key wait for the first build rather than repeating it; the value lives as long as
    /// the snapshot, so a new upload (a new snapshot) starts afresh.
    pub fn derived<T: Any + Send + Sync>(
        &self,
        key: u64,
        build: impl FnOnce(&Self) -> T,
    ) -> Arc<T> {
        let slot = {
            let mut slots = self.derived.0.lock().unwrap_or_else(|e| e.into_inner());
            match slots.iter().find(|(k, _)| *k == key) {
                Some((_, slot)) => Arc::clone(slot),
                None => {
                    let slot = Slot::default();
                    slots.push((key, Arc::clone(&slot)));
                    slot
                }
            }
        };
        let mut build = Some(build);
        let value = slot.get_or_init(|| match build.take() {
            Some(build) => Arc::new(build(self)) as Arc<dyn Any + Send + Sync>,
            None => Arc::new(()),
        });
        match (Arc::clone(value).downcast::<T>(), build) {
            (Ok(v), _) => v,
            // Another type under the same key: build it uncached rather than fail.
            (Err(_), Some(build)) => Arc::new(build(self)),
            (Err(_), None) => unreachable_type(),
        }
    }

    /// Days with orders, in order, with the index of each day's first order.
    pub fn days(&self) -> &[(NaiveDate, u32)] {
        &self.days
    }

    /// The orders whose day lies in `from..=to`.
    pub fn orders_between(&self, from: NaiveDate, to: NaiveDate) -> Range<usize> {
        let start = self.days.partition_point(|(d, _)| *d < from);
        let end = self.days.partition_point(|(d, _)| *d <= to);
        let first = |k: usize| {
            self.days
                .get(k)
                .map_or(self.data.order_count(), |(_, o)| *o as usize)
        };
        first(start)..first(end)
    }

    /// Distinct channel string ids of the store's orders.
    pub fn channel_syms(&self) -> &[Sym] {
        &self.channels
    }

    /// Distinct 一级分类名 string ids of the store's lines.
    pub fn category_syms(&self) -> &[Sym] {
        &self.categories
    }

    /// First and last day with orders.
    pub fn day_span(&self) -> Option<(NaiveDate, NaiveDate)> {
        Some((self.days.first()?.0, self.days.last()?.0))
    }

    /// The summary `GET /api/v1/stores` lists.
    pub fn summary(&self) -> StoreSummary {
        let span = self.day_span();
        StoreSummary {
            name: self.name.clone(),
            lines: self.data.line_count(),
            orders: self.distinct_orders,
            first_day: span.map(|s| s.0),
            last_day: span.map(|s| s.1),
        }
    }
}

/// Distinct ids in `ids`, ids below `strings`: one bit per string instead of a sorted copy.
fn distinct_ids(ids: &Col<Sym>, strings: usize) -> usize {
    let mut seen = vec![0u64; strings.div_ceil(64) + 1];
    let mut distinct = 0;
    for id in ids.iter() {
        let (word, bit) = (id as usize / 64, 1u64 << (id % 64));
        match seen.get_mut(word) {
            Some(w) if *w & bit == 0 => {
                *w |= bit;
                distinct += 1;
            }
            Some(_) => {}
            // An id past the table (never made by interning): counted as its own.
            None => distinct += 1,
        }
    }
    distinct
}

/// One store as listed by the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoreSummary {
    /// 门店名称.
    pub name: String,
    /// Stored lines, before any business filter.
    pub lines: usize,
    /// Distinct 订单ID.
    pub orders: usize,
    /// First day, `YYYY-MM-DD`.
    pub first_day: Option<NaiveDate>,
    /// Last day.
    pub last_day: Option<NaiveDate>,
}

/// The live snapshots, one per store.
#[derive(Debug, Default)]
pub struct Registry {
    stores: DashMap<String, Arc<StoreSnapshot>>,
    version: AtomicU64,
}

impl Registry {
    /// A new version number, higher than every one handed out before.
    pub fn next_version(&self) -> u64 {
        self.version.fetch_add(1, Ordering::AcqRel) + 1
    }

    /// The current version (changes on every write).
    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Acquire)
    }

    /// Puts a store's new snapshot in place (readers holding the old one keep it).
    pub fn swap(&self, snapshot: StoreSnapshot) {
        self.stores
            .insert(snapshot.name.clone(), Arc::new(snapshot));
    }

    /// Removes a store; true when it existed.
    pub fn remove(&self, name: &str) -> bool {
        self.next_version();
        self.stores.remove(name).is_some()
    }

    /// One store's snapshot.
    pub fn get(&self, name: &str) -> Option<Arc<StoreSnapshot>> {
        self.stores.get(name).map(|s| Arc::clone(s.value()))
    }

    /// Every store's snapshot, by name.
    pub fn all(&self) -> Vec<Arc<StoreSnapshot>> {
        let mut all: Vec<_> = self.stores.iter().map(|s| Arc::clone(s.value())).collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        all
    }

    /// Summaries of every store, by name.
    pub fn summaries(&self) -> Vec<StoreSummary> {
        self.all().iter().map(|s| s.summary()).collect()
    }
}

//! Loading stores from the database into snapshots, and what a start-up load still has to do.
//!
//! A store's columns are allocated once, at the size the database records for it, and filled
//! straight from the stored blobs one day at a time (each blob borrowed from SQLite, its strings
//! interned without being copied first), so loading leaves no decoded days, no grown-and-copied
//! columns and no per-string allocations behind. Stores are spread over threads, each with its
//! own read-only connection, largest first.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::codec::append_blob;
use crate::dataset::{order_column, Dataset, Present, Strings};
use crate::db::{Db, StoreSize};
use crate::error::StoreError;
use crate::snapshot::StoreSnapshot;

/// Builds one store's snapshot from its stored days.
pub(crate) fn load_store(
    db: &Db,
    size: &StoreSize,
    version: u64,
) -> Result<StoreSnapshot, StoreError> {
    // The sizes are the database's own counts, so a damaged count only costs a reallocation.
    let cap = |n: usize| n.min(1 << 28);
    let mut data = Dataset::with_capacity(cap(size.orders), cap(size.lines));
    // Nearly every order brings two strings of its own (订单ID, 收货地址): sized for them, the
    // lookup table is never grown and rehashed while the store loads.
    data.strings =
        Strings::with_capacity(cap(size.orders.saturating_mul(2).saturating_add(1024)), 0);
    let store = data.strings.intern(&size.name);
    let mut present = Present::default();
    let mut syms = Vec::new();
    db.for_each_day(&size.name, |day, bits, blob| {
        append_blob(&mut data, store, blob, &mut syms).map_err(|detail| StoreError::Damaged {
            path: db.path().to_owned(),
            store: size.name.clone(),
            day: day.to_owned(),
            detail,
        })?;
        present = present.union(Present::from_bits(bits));
        Ok(())
    })?;
    data.present = present;
    let lines = data.lines.product.len();
    data.lines.order = order_column(&data.orders.first_line, lines);
    Ok(StoreSnapshot::new(size.name.clone(), version, data))
}

/// Threads a load uses: one per core, at most one per store.
pub(crate) fn load_threads(stores: usize) -> usize {
    std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(stores)
        .max(1)
}

/// Loads every store of `sizes` on `threads` threads, each with its own read-only connection
/// to `db`'s file, and hands each snapshot to `done` as soon as it is built. Stops at the first
/// error and returns it.
pub(crate) fn load_stores(
    db: &Db,
    sizes: &[StoreSize],
    version: u64,
    threads: usize,
    done: &(dyn Fn(StoreSnapshot) + Sync),
) -> Result<(), StoreError> {
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let work = |reader: Db| -> Result<(), StoreError> {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(size) = sizes.get(i) else {
                return Ok(());
            };
            if failed.load(Ordering::Relaxed) {
                return Ok(());
            }
            let started = Instant::now();
            let snapshot = load_store(&reader, size, version).inspect_err(|_| {
                failed.store(true, Ordering::Relaxed);
            })?;
            tracing::info!(
                "loaded store {}/{}: {} ({} lines, {} ms)",
                i + 1,
                sizes.len(),
                size.name,
                snapshot.data.line_count(),
                started.elapsed().as_millis()
            );
            done(snapshot);
        }
    };
    let readers = (0..threads.max(1))
        .map(|_| db.reader())
        .collect::<Result<Vec<Db>, StoreError>>()?;
    std::thread::scope(|scope| {
        let handles: Vec<_> = readers
            .into_iter()
            .map(|reader| scope.spawn(move || work(reader)))
            .collect();
        let mut outcome = Ok(());
        for handle in handles {
            let result = handle.join().unwrap_or_else(|_| {
                Err(StoreError::LoadFailed {
                    detail: "a loading thread panicked".to_owned(),
                })
            });
            if outcome.is_ok() {
                outcome = result;
            }
        }
        outcome
    })
}

/// The stores a start-up load has still to load, and how it ended.
#[derive(Debug, Default)]
pub(crate) struct Progress {
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct State {
    /// Stores not loaded yet, by name.
    pending: Vec<String>,
    /// True while a load runs.
    running: bool,
    /// Why the load failed, if it did.
    failure: Option<String>,
}

impl Progress {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A load of `stores` begins.
    pub(crate) fn start(&self, stores: &[StoreSize]) {
        let mut state = self.state();
        state.pending = stores.iter().map(|s| s.name.clone()).collect();
        state.pending.sort();
        state.running = true;
        state.failure = None;
    }

    /// One store is loaded.
    pub(crate) fn loaded(&self, name: &str) {
        let mut state = self.state();
        state.pending.retain(|n| n != name);
        drop(state);
        self.changed.notify_all();
    }

    /// The load has ended, with `outcome`.
    pub(crate) fn finish(&self, outcome: &Result<(), StoreError>) {
        let mut state = self.state();
        state.running = false;
        if let Err(err) = outcome {
            state.failure = Some(err.to_string());
        } else {
            state.pending.clear();
        }
        drop(state);
        self.changed.notify_all();
    }

    /// Stores not loaded yet, by name (empty once the load is over).
    pub(crate) fn pending(&self) -> Vec<String> {
        let state = self.state();
        if state.running {
            state.pending.clone()
        } else {
            Vec::new()
        }
    }

    /// Why the load failed, if it did.
    pub(crate) fn failure(&self) -> Option<String> {
        self.state().failure.clone()
    }

    /// Waits up to `timeout` for the load to end: `Ok` once every store is loaded,
    /// [`StoreError::Loading`] if it still runs then, [`StoreError::LoadFailed`] if it failed.
    pub(crate) fn wait(&self, timeout: Duration) -> Result<(), StoreError> {
        let state = self.state();
        let (state, _) = self
            .changed
            .wait_timeout_while(state, timeout, |s| s.running)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(detail) = &state.failure {
            return Err(StoreError::LoadFailed {
                detail: detail.clone(),
            });
        }
        if state.running {
            return Err(StoreError::Loading {
                stores: state.pending.clone(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(name: &str) -> StoreSize {
        StoreSize {
            name: name.to_owned(),
            orders: 1,
            lines: 1,
        }
    }

    #[test]
    fn a_write_waits_for_the_load_and_is_told_which_stores_are_left() {
        let progress = Progress::default();
        assert!(
            progress.wait(Duration::ZERO).is_ok(),
            "no load: nothing to wait for"
        );
        progress.start(&[size("二号店"), size("一号店")]);
        assert_eq!(progress.pending(), ["一号店", "二号店"]);
        progress.loaded("一号店");
        match progress.wait(Duration::from_millis(10)) {
            Err(StoreError::Loading { stores }) => assert_eq!(stores, ["二号店"]),
            other => panic!("expected Loading, got {other:?}"),
        }
        std::thread::scope(|scope| {
            let waiter = scope.spawn(|| progress.wait(Duration::from_secs(30)));
            progress.loaded("二号店");
            progress.finish(&Ok(()));
            assert!(
                waiter.join().expect("joins").is_ok(),
                "the waiting write goes on"
            );
        });
        assert!(progress.pending().is_empty());
        assert!(progress.failure().is_none());
    }

    #[test]
    fn a_failed_load_refuses_every_later_write() {
        let progress = Progress::default();
        progress.start(&[size("一号店")]);
        progress.finish(&Err(StoreError::LoadFailed {
            detail: "damaged".to_owned(),
        }));
        assert!(progress.pending().is_empty());
        assert!(progress.failure().is_some_and(|f| f.contains("damaged")));
        assert!(matches!(
            progress.wait(Duration::ZERO),
            Err(StoreError::LoadFailed { .. })
        ));
    }
}

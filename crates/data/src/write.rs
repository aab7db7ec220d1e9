//! An upload's stores spread over the cores: each store's days are built and encoded on a
//! worker thread while the transaction's own thread writes them as they come (a transaction
//! stays on its thread); after the commit, each store's new snapshot is merged on a worker too.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use crate::codec::{store_days, LineIndex};
use crate::dataset::{Present, Sym};
use crate::db::EncodedDay;
use crate::error::StoreError;
use crate::lineage::Lineage;
use crate::merge::{merge, NewDays, Replaced};
use crate::snapshot::{Registry, StoreSnapshot};
use crate::staged::Staged;

/// One store of an upload.
#[derive(Debug)]
pub(crate) struct StoreJob {
    /// Its string id in the upload.
    pub(crate) sym: Sym,
    /// 门店名称.
    pub(crate) name: String,
    /// The stored days the upload replaces.
    pub(crate) replaced: Replaced,
    /// Its orders and lines in the upload.
    pub(crate) orders: usize,
    pub(crate) lines: usize,
}

/// Store-days waiting for the writer at most: the rest of the work waits for room.
const QUEUE: usize = 32;

/// Builds and encodes every day of every store of `jobs` on `threads` worker threads and hands
/// each to `put(job, day)` on this thread, as it comes. Returns each store's days as columns,
/// by job. Stops at the first error of `put`.
pub(crate) fn build_days(
    data: &Staged,
    index: &LineIndex,
    jobs: &[StoreJob],
    threads: usize,
    mut put: impl FnMut(&StoreJob, &EncodedDay) -> Result<(), StoreError>,
) -> Result<Vec<NewDays>, StoreError> {
    let next = AtomicUsize::new(0);
    let (days, arrived) = mpsc::sync_channel::<(usize, EncodedDay)>(QUEUE);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.clamp(1, jobs.len().max(1)))
            .map(|_| {
                let days = days.clone();
                let next = &next;
                scope.spawn(move || {
                    let mut built: Vec<(usize, NewDays)> = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(job) = jobs.get(i) else {
                            return built;
                        };
                        let mut new = NewDays::new(&job.name, job.orders, job.lines);
                        for (day, rows) in store_days(data, index, job.sym) {
                            new.push(day, &rows);
                            if days.send((i, EncodedDay::new(day, &rows))).is_err() {
                                // The writer failed: nothing more is wanted.
                                return built;
                            }
                        }
                        built.push((i, new));
                    }
                })
            })
            .collect();
        drop(days);
        let mut outcome = Ok(());
        for (job, day) in arrived.iter() {
            if let Some(Err(err)) = jobs.get(job).map(|job| put(job, &day)) {
                outcome = Err(err);
                break;
            }
        }
        // Stops the workers if the writer failed: their next send fails.
        drop(arrived);
        let mut built: Vec<(usize, NewDays)> = Vec::with_capacity(jobs.len());
        for worker in workers {
            match worker.join() {
                Ok(done) => built.extend(done),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        outcome?;
        built.sort_by_key(|(i, _)| *i);
        Ok(built.into_iter().map(|(_, new)| new).collect())
    })
}

/// Merges each store's new days into its live snapshot and swaps the result in, on `threads`
/// worker threads; `present` is each store's optional columns, by job.
pub(crate) fn swap_merged(
    registry: &Registry,
    jobs: &[StoreJob],
    built: Vec<NewDays>,
    present: &[Present],
    version: u64,
    threads: usize,
) {
    let work: std::sync::Mutex<Vec<(usize, NewDays)>> =
        std::sync::Mutex::new(built.into_iter().enumerate().rev().collect());
    let take = || {
        work.lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .pop()
    };
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, jobs.len().max(1)) {
            scope.spawn(|| {
                while let Some((i, new)) = take() {
                    let Some(job) = jobs.get(i) else {
                        continue;
                    };
                    let old = registry.get(&job.name);
                    let bits = present.get(i).copied().unwrap_or_default();
                    let (data, kept) =
                        merge(old.as_deref().map(|s| &s.data), job.replaced, new, bits);
                    let snapshot = StoreSnapshot::packed(job.name.clone(), version, data);
                    let snapshot = match (old.as_deref(), kept) {
                        (Some(old), Some(kept)) => {
                            let lineage = lineage(old, kept);
                            snapshot.follow(old, lineage)
                        }
                        _ => snapshot,
                    };
                    // The old snapshot goes (unless a reader holds it) as the new one goes in.
                    drop(old);
                    registry.swap(snapshot);
                }
            });
        }
    });
}

/// How a merged snapshot relates to `old`, which it kept `prefix` orders of in front and
/// `suffix` behind.
fn lineage(old: &StoreSnapshot, (prefix, suffix): (usize, usize)) -> Lineage {
    let data = &old.data;
    let line_of = |i: usize| {
        data.orders
            .first_line
            .get(i)
            .map_or(data.line_count(), |l| l as usize)
    };
    let orders = data.order_count();
    Lineage {
        prefix_orders: prefix,
        prefix_lines: line_of(prefix),
        suffix_orders: suffix,
        suffix_lines: data.line_count() - line_of(orders - suffix),
        previous_orders: orders,
        previous_lines: data.line_count(),
        previous_present: data.present,
    }
}

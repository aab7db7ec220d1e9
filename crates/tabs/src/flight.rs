//! One computation per cold key: the first request that misses a key starts its computation on
//! the blocking pool and every request for the same key that arrives meanwhile waits for that
//! result instead of computing it again.
//!
//! The computation lands by itself: the blocking job stores the value in the cache, then
//! removes the key from the flights and publishes the outcome on a `watch` channel that every
//! waiter (the first request included) reads. So a request that goes away (a client hanging
//! up) neither cancels the computation nor strands the others. A computation that fails or
//! panics publishes its error to everyone waiting and leaves no trace: the next request for the
//! key computes afresh.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use actix_web::web;
use tokio::sync::watch;

use crate::cache::{CacheKey, TabCache, Weigh};
use crate::error::TabsError;

/// Where an answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The cache.
    Hit,
    /// Another request's computation of the same key, already running when this one asked.
    Joined,
    /// This request's own computation.
    Computed,
}

/// Why a shared computation gave no value (cloneable, for every waiter).
#[derive(Debug, Clone)]
enum Failure {
    /// The blocking pool dropped the job (the server is stopping).
    Cancelled,
    /// The computation returned an error or panicked.
    Failed(String),
}

impl From<Failure> for TabsError {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Cancelled => TabsError::Cancelled,
            Failure::Failed(message) => TabsError::Failed(message),
        }
    }
}

type Outcome<V> = Option<Result<V, Failure>>;

/// The computations in progress, by key.
#[derive(Debug)]
pub(crate) struct Flights<V> {
    map: Mutex<HashMap<CacheKey, watch::Receiver<Outcome<V>>>>,
}

impl<V> Default for Flights<V> {
    fn default() -> Self {
        Self {
            map: Mutex::new(HashMap::new()),
        }
    }
}

impl<V> Flights<V> {
    fn lock(&self) -> MutexGuard<'_, HashMap<CacheKey, watch::Receiver<Outcome<V>>>> {
        // Nothing panics while the map is held.
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Keys being computed now.
    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }
}

/// The end of one computation: stores a value in the cache, then, when dropped (after the
/// computation, or unrun when the pool refuses the job), removes the flight and publishes.
struct Landing<V: Clone + Weigh> {
    cache: Arc<TabCache<V>>,
    key: CacheKey,
    tx: watch::Sender<Outcome<V>>,
    outcome: Outcome<V>,
}

impl<V: Clone + Weigh> Landing<V> {
    /// Publishes `outcome`, caching a value that took `cost` to compute.
    fn land(mut self, outcome: Result<V, Failure>, cost: Duration) {
        if let Ok(value) = &outcome {
            self.cache
                .insert_costed(self.key.clone(), value.clone(), cost);
        }
        self.outcome = Some(outcome);
    }
}

impl<V: Clone + Weigh> Drop for Landing<V> {
    fn drop(&mut self) {
        // Out of the flights before publishing: a request arriving after this finds the value
        // in the cache (or, for a failure or an oversize answer, computes afresh).
        self.cache.flights.lock().remove(&self.key);
        let outcome = self.outcome.take().unwrap_or(Err(Failure::Cancelled));
        self.tx.send_replace(Some(outcome));
    }
}

/// Runs `compute`, turning an error or a panic into a [`Failure`].
fn run<V>(compute: impl FnOnce() -> Result<V, TabsError>) -> Result<V, Failure> {
    match catch_unwind(AssertUnwindSafe(compute)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(err)) => Err(Failure::Failed(err.to_string())),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!("a tab computation panicked: {what}");
            Err(Failure::Failed(format!("the computation panicked: {what}")))
        }
    }
}

impl<V: Clone + Weigh + Send + Sync + 'static> TabCache<V> {
    /// The value under `key`: from the cache, from the computation of `key` already in
    /// progress, or from `compute` run once on the blocking pool (`web::block`) and cached.
    /// Concurrent callers for one missing key run `compute` once between them; each caller
    /// counts one hit or one miss, and the waiters also count as `joined`.
    ///
    /// Needs a Tokio runtime (any actix-web handler has one). An error or a panic in
    /// `compute` is every waiter's error (a panic as [`TabsError::Failed`]), and is not kept.
    pub async fn get_or_compute<F>(
        self: &Arc<Self>,
        key: CacheKey,
        compute: F,
    ) -> Result<(V, Source), TabsError>
    where
        F: FnOnce() -> Result<V, TabsError> + Send + 'static,
    {
        let (mut rx, source, landing) = {
            let mut flights = self.flights.lock();
            // Looked up under the flights' lock: a computation cannot land in between.
            if let Some(value) = self.get(&key) {
                return Ok((value, Source::Hit));
            }
            match flights.get(&key) {
                Some(rx) => {
                    self.joined.fetch_add(1, Ordering::Relaxed);
                    (rx.clone(), Source::Joined, None)
                }
                None => {
                    let (tx, rx) = watch::channel(None);
                    flights.insert(key.clone(), rx.clone());
                    let landing = Landing {
                        cache: Arc::clone(self),
                        key,
                        tx,
                        outcome: None,
                    };
                    (rx, Source::Computed, Some(landing))
                }
            }
        };
        if let Some(landing) = landing {
            // Outside the lock: a pool that refuses the job drops it (and its landing, which
            // takes the lock) at once. `web::block` hands the job over immediately and the job
            // lands by itself, so its handle is not awaited (dropping it detaches, never
            // cancels).
            drop(web::block(move || {
                let started = Instant::now();
                let outcome = run(compute);
                landing.land(outcome, started.elapsed());
            }));
        }
        let outcome = match rx.wait_for(Option::is_some).await {
            Ok(published) => published.clone(),
            Err(_) => None, // every sender gone without a word: only if the job was lost
        };
        match outcome.unwrap_or(Err(Failure::Cancelled)) {
            Ok(value) => Ok((value, source)),
            Err(failure) => Err(failure.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    use bytes::Bytes;
    use chrono::NaiveDate;
    use storeboard_analytics::Filters;

    use crate::cache::CacheLimits;
    use crate::tab::Tab;

    fn key(to: u32) -> CacheKey {
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).expect("valid");
        let filters = Filters {
            store: None,
            from: day(1),
            to: day(to),
            channel: None,
            requested: None,
        };
        CacheKey::new(Tab::Products, &[], &filters, 0)
    }

    fn cache(limits: CacheLimits) -> Arc<TabCache<Bytes>> {
        Arc::new(TabCache::new(limits))
    }

    /// `callers` concurrent requests for `key`, each computing (if asked) with `compute`,
    /// after the first has started; their results in order.
    async fn concurrently(
        cache: &Arc<TabCache<Bytes>>,
        callers: usize,
        key: CacheKey,
        compute: impl Fn() -> Result<Bytes, TabsError> + Clone + Send + Sync + 'static,
    ) -> Vec<Result<(Bytes, Source), TabsError>> {
        let tasks: Vec<_> = (0..callers)
            .map(|_| {
                let (cache, key, compute) = (Arc::clone(cache), key.clone(), compute.clone());
                tokio::spawn(async move { cache.get_or_compute(key, compute).await })
            })
            .collect();
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.expect("the task ran"));
        }
        results
    }

    /// A slow computation that counts its runs in `runs`.
    fn slow(
        runs: &Arc<AtomicUsize>,
        answer: &'static [u8],
    ) -> impl Fn() -> Result<Bytes, TabsError> + Clone + Send + Sync + 'static {
        let runs = Arc::clone(runs);
        move || {
            runs.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(200));
            Ok(Bytes::from_static(answer))
        }
    }

    #[tokio::test]
    async fn concurrent_callers_of_one_cold_key_compute_it_once() {
        let cache = cache(CacheLimits::default());
        let runs = Arc::new(AtomicUsize::new(0));
        let results = concurrently(&cache, 16, key(7), slow(&runs, b"answer")).await;
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        let mut computed = 0;
        for result in results {
            let (value, source) = result.expect("every caller gets the answer");
            assert_eq!(value, Bytes::from_static(b"answer"));
            assert_ne!(source, Source::Hit);
            computed += usize::from(source == Source::Computed);
        }
        assert_eq!(computed, 1);
        let stats = cache.stats();
        assert_eq!((stats.misses, stats.joined, stats.hits), (16, 15, 0));
        assert_eq!(cache.flights.len(), 0);
        // Afterwards: a hit, no computation.
        let (_, source) = cache
            .get_or_compute(key(7), slow(&runs, b"other"))
            .await
            .expect("cached");
        assert_eq!((source, runs.load(Ordering::SeqCst)), (Source::Hit, 1));
    }

    #[tokio::test]
    async fn different_keys_compute_separately() {
        let cache = cache(CacheLimits::default());
        let runs = Arc::new(AtomicUsize::new(0));
        let (a, b) = tokio::join!(
            cache.get_or_compute(key(1), slow(&runs, b"a")),
            cache.get_or_compute(key(2), slow(&runs, b"b")),
        );
        assert_eq!(a.expect("a").0, Bytes::from_static(b"a"));
        assert_eq!(b.expect("b").0, Bytes::from_static(b"b"));
        assert_eq!(runs.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_panic_reaches_every_waiter_and_the_next_request_computes_again() {
        let cache = cache(CacheLimits::default());
        let runs = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&runs);
        let panics = move || -> Result<Bytes, TabsError> {
            counted.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(200));
            panic!("a bug in a tab");
        };
        let results = concurrently(&cache, 8, key(3), panics).await;
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        for result in results {
            let err = result.expect_err("the panic is everyone's error");
            assert!(
                matches!(&err, TabsError::Failed(m) if m.contains("a bug in a tab")),
                "{err:?}"
            );
        }
        assert_eq!((cache.stats().entries, cache.flights.len()), (0, 0));
        // Nothing was kept: the next request computes, and succeeds.
        let (value, source) = cache
            .get_or_compute(key(3), slow(&runs, b"fixed"))
            .await
            .expect("computed afresh");
        assert_eq!(
            (value, source),
            (Bytes::from_static(b"fixed"), Source::Computed)
        );
    }

    #[tokio::test]
    async fn an_error_is_shared_and_not_cached() {
        let cache = cache(CacheLimits::default());
        let fails = || -> Result<Bytes, TabsError> {
            std::thread::sleep(Duration::from_millis(100));
            Err(TabsError::Failed("no figures".to_owned()))
        };
        for result in concurrently(&cache, 4, key(4), fails).await {
            assert!(matches!(result, Err(TabsError::Failed(m)) if m.contains("no figures")));
        }
        assert_eq!((cache.stats().entries, cache.flights.len()), (0, 0));
    }

    #[tokio::test]
    async fn a_caller_that_goes_away_neither_cancels_nor_strands_the_others() {
        let cache = cache(CacheLimits::default());
        let runs = Arc::new(AtomicUsize::new(0));
        let first = tokio::spawn({
            let (cache, compute) = (Arc::clone(&cache), slow(&runs, b"kept"));
            async move { cache.get_or_compute(key(5), compute).await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        first.abort(); // the first caller (who started the computation) hangs up
        let (value, source) = cache
            .get_or_compute(key(5), slow(&runs, b"second"))
            .await
            .expect("the first computation's answer");
        assert_eq!(value, Bytes::from_static(b"kept"));
        assert_eq!((source, runs.load(Ordering::SeqCst)), (Source::Joined, 1));
        assert_eq!(cache.stats().entries, 1);
    }

    #[tokio::test]
    async fn an_answer_too_big_to_cache_is_still_shared_by_its_waiters() {
        let cache = cache(CacheLimits {
            max_bytes: 16,
            max_entries: 10,
        });
        let runs = Arc::new(AtomicUsize::new(0));
        let results = concurrently(&cache, 6, key(6), slow(&runs, b"far too big")).await;
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert!(results.iter().all(Result::is_ok));
        let stats = cache.stats();
        assert_eq!((stats.entries, stats.oversize), (0, 1));
        // Not cached, so the next request computes again.
        let (_, source) = cache
            .get_or_compute(key(6), slow(&runs, b"far too big"))
            .await
            .expect("computed");
        assert_eq!((source, runs.load(Ordering::SeqCst)), (Source::Computed, 2));
    }
}

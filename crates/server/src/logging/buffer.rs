//! The in-memory buffer log lines wait in for the flusher: one shard per thread that logs.
//!
//! A single buffer behind one mutex was the hottest lock of the full app under load: every
//! worker takes it for every access line, and the lock's cache line moves between CPUs each
//! time (about 2% of the app's CPU in the `engine_vs_stock` bench). With a shard per thread,
//! a worker's lock is only ever contended by the flusher, once per flush interval.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// Distinguishes buffers (tests make several in one process) in the threads' shard lists.
static NEXT_ID: AtomicUsize = AtomicUsize::new(0);

/// Lines waiting for the flusher, shared by every thread that logs.
#[derive(Debug)]
pub(super) struct Buffer {
    id: usize,
    shards: Mutex<Vec<Arc<Shard>>>,
    /// Bytes each shard holds at most before its thread's lines are dropped.
    capacity: usize,
    pub(super) dropped: AtomicU64,
}

/// One thread's lines.
#[derive(Debug, Default)]
struct Shard {
    lines: Mutex<Vec<u8>>,
    /// False once the thread has ended: the flusher forgets the shard when it is empty.
    alive: AtomicBool,
}

/// Marks this thread's shards as ended when the thread ends.
struct Mine(Vec<(usize, Arc<Shard>)>);

impl Drop for Mine {
    fn drop(&mut self) {
        for (_, shard) in &self.0 {
            shard.alive.store(false, Relaxed);
        }
    }
}

thread_local! {
    static MINE: RefCell<Mine> = const { RefCell::new(Mine(Vec::new())) };
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A thread that panicked while holding a lock left whole lines behind: keep going.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Buffer {
    /// A buffer holding at most `capacity` bytes per thread.
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            id: NEXT_ID.fetch_add(1, Relaxed),
            shards: Mutex::new(Vec::new()),
            capacity,
            dropped: AtomicU64::new(0),
        }
    }

    /// Runs `f` on this thread's shard, made and registered on its first line; `None` only
    /// while the thread is being torn down.
    fn with_shard<R>(&self, f: impl FnOnce(&Shard) -> R) -> Option<R> {
        MINE.try_with(|mine| {
            let mut mine = mine.try_borrow_mut().ok()?;
            if let Some((_, shard)) = mine.0.iter().find(|(id, _)| *id == self.id) {
                return Some(f(shard));
            }
            let shard = Arc::new(Shard {
                lines: Mutex::new(Vec::with_capacity(16 * 1024)),
                alive: AtomicBool::new(true),
            });
            lock(&self.shards).push(Arc::clone(&shard));
            let out = f(&shard);
            mine.0.push((self.id, shard));
            Some(out)
        })
        .ok()
        .flatten()
    }

    /// Appends one formatted line, or drops and counts it when this thread's shard is full.
    pub(super) fn push(&self, line: &[u8]) {
        self.push_with(|lines| {
            lines.extend_from_slice(line);
            true
        });
    }

    /// Appends the line `write` appends to this thread's shard (formatted in place: no copy),
    /// or drops and counts it when the shard is full. A line `write` gives up on (returns
    /// false) is removed and not counted.
    pub(super) fn push_with(&self, write: impl FnOnce(&mut Vec<u8>) -> bool) {
        let kept = self.with_shard(|shard| {
            let mut lines = lock(&shard.lines);
            let before = lines.len();
            if !write(&mut lines) {
                lines.truncate(before);
                return true;
            }
            let fits = lines.len() <= self.capacity;
            if !fits {
                lines.truncate(before);
            }
            fits
        });
        if kept != Some(true) {
            self.dropped.fetch_add(1, Relaxed);
        }
    }

    /// Moves every buffered line into `batch` (empty), thread by thread, and forgets the
    /// shards of threads that ended and hold nothing.
    pub(super) fn take_into(&self, batch: &mut Vec<u8>) {
        let mut shards = lock(&self.shards);
        for shard in shards.iter() {
            let mut lines = lock(&shard.lines);
            if batch.is_empty() {
                // The common case of one busy thread: no copy, the allocations trade places.
                std::mem::swap(&mut *lines, batch);
            } else {
                batch.extend_from_slice(&lines);
                lines.clear();
            }
        }
        shards.retain(|shard| shard.alive.load(Relaxed) || !lock(&shard.lines).is_empty());
    }

    /// True when no thread has a line waiting.
    pub(super) fn is_empty(&self) -> bool {
        lock(&self.shards)
            .iter()
            .all(|shard| lock(&shard.lines).is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_several_threads_all_reach_the_batch_in_each_threads_order() {
        let buffer = Arc::new(Buffer::new(1 << 20));
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let buffer = Arc::clone(&buffer);
                std::thread::spawn(move || {
                    for i in 0..500 {
                        buffer.push(format!("{t} {i}\n").as_bytes());
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().expect("joins");
        }
        let mut batch = Vec::new();
        buffer.take_into(&mut batch);
        let text = String::from_utf8(batch).expect("utf-8");
        for t in 0..4 {
            let mine: Vec<&str> = text
                .lines()
                .filter(|l| l.starts_with(&format!("{t} ")))
                .collect();
            let expected: Vec<String> = (0..500).map(|i| format!("{t} {i}")).collect();
            assert_eq!(mine, expected);
        }
        assert!(buffer.is_empty());
        // The four threads ended and their shards were emptied: forgotten.
        assert!(lock(&buffer.shards).is_empty());
    }
}

//! The stable-size rule: a file still being written (the order system exporting, a copy over a
//! slow network drive) must not be taken. A file is ready once two looks at least `wait` apart
//! saw the same size and modification time.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// What one look saw of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Look {
    /// Its size in bytes.
    pub size: u64,
    /// Its modification time (`None` where the platform has none).
    pub modified: Option<SystemTime>,
}

impl Look {
    /// The look of a file's metadata.
    pub fn of(meta: &std::fs::Metadata) -> Self {
        Self {
            size: meta.len(),
            modified: meta.modified().ok(),
        }
    }
}

/// The files seen but not yet found stable: the first look of their current state and when it
/// was taken.
#[derive(Debug)]
pub struct Settle {
    wait: Duration,
    seen: HashMap<PathBuf, (Look, Instant)>,
}

impl Settle {
    /// A file is ready when unchanged for at least `wait` between two looks.
    pub fn new(wait: Duration) -> Self {
        Self {
            wait,
            seen: HashMap::new(),
        }
    }

    /// Records a look at `path` taken at `now`: true when the file is ready, i.e. an earlier
    /// look at least `wait` before saw the same size and modification time. A change starts
    /// the wait again.
    pub fn look(&mut self, path: &Path, look: Look, now: Instant) -> bool {
        match self.seen.get(path) {
            Some((first, since)) if *first == look => {
                now.saturating_duration_since(*since) >= self.wait
            }
            _ => {
                self.seen.insert(path.to_owned(), (look, now));
                false
            }
        }
    }

    /// Forgets `path` (taken, or gone).
    pub fn forget(&mut self, path: &Path) {
        self.seen.remove(path);
    }

    /// Keeps only the files `keep` says are still there.
    pub fn retain(&mut self, keep: impl Fn(&Path) -> bool) {
        self.seen.retain(|path, _| keep(path));
    }

    /// Files seen and waiting to be found stable.
    pub fn waiting(&self) -> usize {
        self.seen.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn look(size: u64, secs: u64) -> Look {
        Look {
            size,
            modified: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(secs)),
        }
    }

    #[test]
    fn a_file_is_ready_only_after_two_equal_looks_at_least_the_wait_apart() {
        let mut settle = Settle::new(Duration::from_secs(2));
        let t0 = Instant::now();
        let path = Path::new("/in/a.xlsx");
        assert!(
            !settle.look(path, look(10, 1), t0),
            "a first look is never enough"
        );
        assert!(
            !settle.look(path, look(10, 1), t0 + Duration::from_secs(1)),
            "too soon"
        );
        assert!(settle.look(path, look(10, 1), t0 + Duration::from_secs(2)));
        assert_eq!(settle.waiting(), 1);
        settle.forget(path);
        assert_eq!(settle.waiting(), 0);
    }

    #[test]
    fn a_growing_or_touched_file_starts_the_wait_again() {
        let mut settle = Settle::new(Duration::from_secs(2));
        let t0 = Instant::now();
        let path = Path::new("/in/a.xlsx");
        let at = |s: u64| t0 + Duration::from_secs(s);
        assert!(!settle.look(path, look(10, 1), at(0)));
        assert!(!settle.look(path, look(20, 2), at(3)), "it grew");
        assert!(
            !settle.look(path, look(20, 3), at(6)),
            "same size, newer mtime"
        );
        assert!(!settle.look(path, look(20, 3), at(7)));
        assert!(settle.look(path, look(20, 3), at(8)));
    }

    #[test]
    fn files_gone_from_the_folder_are_forgotten() {
        let mut settle = Settle::new(Duration::from_secs(2));
        let now = Instant::now();
        settle.look(Path::new("/in/a.csv"), look(1, 1), now);
        settle.look(Path::new("/in/b.csv"), look(1, 1), now);
        settle.retain(|p| p.ends_with("b.csv"));
        assert_eq!(settle.waiting(), 1);
    }
}

//! CPU accounting from Linux's `/proc`, for two questions throughput alone cannot answer on a
//! shared machine:
//!
//! - How busy was the rest of the machine during a round ([`CpuSample`])? The benchmark shares
//!   its CPUs with whatever else runs (a build, say), and a round that competed with another
//!   process is not comparable with one that did not.
//! - How much CPU did a server's own threads spend per request ([`ThreadSet`])? That cost does
//!   not depend on how much CPU time the scheduler happened to give the server.

/// CPU time counters at one instant, in clock ticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CpuSample {
    /// All CPUs' time, idle included (`/proc/stat`, first line).
    pub total: u64,
    /// All CPUs' busy time: total minus idle and iowait.
    pub busy: u64,
    /// This process's CPU time, every thread (`/proc/self/stat`, utime + stime).
    pub own: u64,
}

impl CpuSample {
    /// The counters now; `None` where `/proc` is missing or unreadable.
    pub fn now() -> Option<Self> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let own = std::fs::read_to_string("/proc/self/stat").ok()?;
        let (total, busy) = parse_proc_stat(&stat)?;
        Some(Self {
            total,
            busy,
            own: parse_self_stat(&own)?,
        })
    }

    /// The share of the machine's CPU capacity other processes used between `self` and
    /// `later`, from 0.0 to 1.0.
    pub fn others_share(&self, later: &CpuSample) -> f64 {
        let total = later.total.saturating_sub(self.total);
        let busy = later.busy.saturating_sub(self.busy);
        let own = later.own.saturating_sub(self.own);
        if total == 0 {
            return 0.0;
        }
        busy.saturating_sub(own) as f64 / total as f64
    }
}

/// `(total, busy)` from the aggregate `cpu` line of `/proc/stat`.
fn parse_proc_stat(text: &str) -> Option<(u64, u64)> {
    let line = text.lines().find(|l| l.starts_with("cpu "))?;
    let fields: Vec<u64> = line
        .split_ascii_whitespace()
        .skip(1)
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already
    // counted in user and nice.
    let total: u64 = fields.iter().take(8).sum();
    let idle = fields.get(3)? + fields.get(4).unwrap_or(&0);
    Some((total, total - idle))
}

/// utime + stime from `/proc/self/stat`; the fields are counted after the `)` that closes the
/// command name, which may itself contain spaces.
fn parse_self_stat(text: &str) -> Option<u64> {
    let rest = &text[text.rfind(')')? + 1..];
    let mut fields = rest.split_ascii_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

/// A set of this process's threads, found as the threads that appeared between two calls.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ThreadSet {
    tids: Vec<u32>,
}

impl ThreadSet {
    /// Every thread of this process now; empty where `/proc` is missing.
    pub fn current() -> Self {
        let mut tids: Vec<u32> = std::fs::read_dir("/proc/self/task")
            .map(|dir| {
                dir.filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
                    .collect()
            })
            .unwrap_or_default();
        tids.sort_unstable();
        Self { tids }
    }

    /// The threads in `self` that were not in `earlier`.
    pub fn since(&self, earlier: &ThreadSet) -> Self {
        let tids = self
            .tids
            .iter()
            .filter(|tid| earlier.tids.binary_search(tid).is_err())
            .copied()
            .collect();
        Self { tids }
    }

    /// How many threads the set holds.
    pub fn len(&self) -> usize {
        self.tids.len()
    }

    /// Whether the set holds no thread.
    pub fn is_empty(&self) -> bool {
        self.tids.is_empty()
    }

    /// CPU time the threads have used so far, in nanoseconds (`/proc/self/task/TID/schedstat`,
    /// first field); threads that have ended count as 0. `None` where `/proc` is missing.
    pub fn cpu_ns(&self) -> Option<u64> {
        if self.tids.is_empty() {
            return None;
        }
        let mut total = 0;
        let mut seen = false;
        for tid in &self.tids {
            let Ok(text) = std::fs::read_to_string(format!("/proc/self/task/{tid}/schedstat"))
            else {
                continue;
            };
            if let Some(ns) = text
                .split_ascii_whitespace()
                .next()
                .and_then(|f| f.parse::<u64>().ok())
            {
                total += ns;
                seen = true;
            }
        }
        seen.then_some(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_proc_stat_counts_idle_and_iowait_as_not_busy() {
        let text = "cpu  100 5 50 800 20 3 2 0 0 0\ncpu0 50 2 25 400 10 1 1 0 0 0\n";
        assert_eq!(parse_proc_stat(text), Some((980, 160)));
    }

    #[test]
    fn parse_self_stat_reads_utime_and_stime_after_the_command_name() {
        let text = "42 (a b) R 1 42 42 0 -1 4194304 10 0 0 0 70 30 0 0 20 0 5 0 9 0 0";
        assert_eq!(parse_self_stat(text), Some(100));
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn thread_set_sees_a_new_thread_and_its_cpu_time() {
        let before = ThreadSet::current();
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let spinner = std::thread::spawn(move || {
            let until = std::time::Instant::now() + std::time::Duration::from_millis(20);
            while std::time::Instant::now() < until {
                std::hint::spin_loop();
            }
            let _ = rx.recv();
        });
        std::thread::sleep(std::time::Duration::from_millis(30));
        let new = ThreadSet::current().since(&before);
        let used = new.cpu_ns();
        drop(tx);
        let _ = spinner.join();
        // Tests running beside this one may have started threads too.
        assert!(!new.is_empty());
        assert!(used.is_some_and(|ns| ns >= 10_000_000), "{used:?}");
    }

    #[test]
    fn others_share_is_busy_time_not_ours_over_all_time() {
        let before = CpuSample {
            total: 0,
            busy: 0,
            own: 0,
        };
        let after = CpuSample {
            total: 200,
            busy: 180,
            own: 150,
        };
        assert_eq!(before.others_share(&after), 0.15);
        assert_eq!(before.others_share(&before), 0.0);
    }
}

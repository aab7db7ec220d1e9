//! Timing shared by the data crate's examples (each includes this file with `#[path]`).

use std::time::Instant;

/// CPU seconds this process has used (user + system), from `/proc/self/stat`: on a machine
/// busy with other work, wall-clock ratios drift but CPU time does not.
pub fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<f64> = after
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0.0))
        .collect();
    // utime and stime are fields 14 and 15, in ticks of 1/100 s.
    (fields.get(11).copied().unwrap_or(0.0) + fields.get(12).copied().unwrap_or(0.0)) / 100.0
}

/// Wall and CPU seconds since `(wall, cpu)`.
pub fn since(start: (Instant, f64)) -> (f64, f64) {
    (start.0.elapsed().as_secs_f64(), cpu_seconds() - start.1)
}

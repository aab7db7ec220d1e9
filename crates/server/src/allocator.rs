//! glibc malloc's settings for a process that keeps a year of columns resident.
//!
//! By default glibc raises its mmap threshold each time a large block is freed, up to 32 MiB:
//! after the first store's load frees its build buffers, every later column (hundreds of KiB to
//! a few MiB) comes from the arenas instead of its own mapping, and the buffers freed between
//! them stay resident as holes. With the threshold fixed, a large block is always its own
//! mapping and goes back to the system when freed.
//!
//! The number of arenas stays glibc's (8 per core). It was capped at two, so that memory freed
//! by one thread's work would be reused by the next: that saved 4 MiB at a year (`--bench
//! memory`: 678 against 683 MiB with the aggregates), but under 32 busy clients every
//! computation on the blocking pool queued on two arena locks, and the click mix lost a fifth
//! of its rate (1,226 against 1,503 requests/s, p99 75 against 54 ms, same run of the code).

/// Blocks from this size on get their own mapping.
const MMAP_THRESHOLD: i32 = 1024 * 1024;

/// Applies the settings above. Call first thing in `main`, before other threads start; a no-op
/// where the allocator is not glibc's.
#[allow(unsafe_code)]
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: `mallopt` only sets allocator parameters and is called before any other
        // thread exists; a refused setting (return value 0) leaves glibc's default in place.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        }
    }
}

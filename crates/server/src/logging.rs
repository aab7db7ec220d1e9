//! The process's log: `tracing` events, the access log among them (one line per request, target
//! `storeboard::access`), formatted on the thread that emits them and written by a thread of
//! their own.
//!
//! A request must never wait for the log: stderr may be a pipe to journald or to NSSM's file
//! that stalls, and even when it does not, a `write` per line is a system call on the worker
//! that serves the next request. Handing each line to a writer thread is not enough either:
//! a writer that sleeps whenever its queue is empty must be woken for nearly every line under
//! load, and that wake-up, the context switch and the one-line `write` cost about 3 µs of CPU
//! per request, more than the whole middleware stack (measured with the `engine_vs_stock`
//! bench, see docs/performance.md). So:
//!
//! 1. each line is appended to a buffer in memory, one per thread (bounded: [`BUFFERED_BYTES`];
//!    a line that does not fit is dropped and counted, never waited for);
//! 2. every [`FLUSH_INTERVAL`] a flusher thread hands the buffer over, as one message, to
//!    `tracing-appender`'s non-blocking writer, whose own thread writes it out: two wake-ups
//!    and one `write` per interval instead of per line. While that writer's queue is full (its
//!    output stalled, its lossy `error_counter` counts the refused hand-over) the flusher keeps
//!    the batch and retries, and new lines fill the buffer until they are dropped.
//!
//! [`dropped_lines`] is `storeboard_log_lines_dropped_total` in `/metrics`. [`init_stderr`] is
//! what the binary uses; [`init_file`] is the same pipeline on a file (the benchmark's access
//! log). Either returns a [`LogGuard`]: hold it until the process ends, its drop writes out what
//! is still buffered.

use std::io::{IsTerminal as _, Write};
use std::path::Path;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use std::time::Duration;

mod buffer;
mod format;

use buffer::Buffer;

use tracing_appender::non_blocking::{ErrorCounter, NonBlocking, NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

/// Log bytes held in memory per thread that logs before its new lines are dropped: some 30,000
/// access-log lines, more than a stalled output gets in [`FLUSH_INTERVAL`] even at 100k
/// requests a second.
pub const BUFFERED_BYTES: usize = 4 << 20;

/// How often buffered lines are handed to the writer thread: the most a line waits before it
/// is written.
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(20);

/// Batches the writer thread's queue holds; each is at most [`BUFFERED_BYTES`].
const QUEUED_BATCHES: usize = 4;

/// How long a stop waits for a full writer queue to take the last batch.
const FINAL_FLUSH_TRIES: u32 = 50;

/// The installed pipeline's buffer (set once, by the first successful init), for
/// [`dropped_lines`].
static INSTALLED: OnceLock<Arc<Buffer>> = OnceLock::new();

/// The `MakeWriter` the subscriber formats into: every line goes to the shared [`Buffer`].
#[derive(Debug, Clone)]
struct Buffered(Arc<Buffer>);

/// One event's writer: the subscriber writes each formatted line with a single `write_all`.
#[derive(Debug)]
struct LineWriter<'a>(&'a Buffer);

impl Write for LineWriter<'_> {
    fn write(&mut self, line: &[u8]) -> std::io::Result<usize> {
        self.0.push(line);
        Ok(line.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Buffered {
    type Writer = LineWriter<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        LineWriter(&self.0)
    }
}

/// The flusher's side of the hand-over to `tracing-appender`'s writer thread.
struct Flusher {
    buffer: Arc<Buffer>,
    writer: NonBlocking,
    refused: ErrorCounter,
    /// Lines taken from the buffer and not yet accepted by the writer's queue.
    batch: Vec<u8>,
}

impl Flusher {
    /// Hands the buffered lines to the writer thread; false when its queue was full and the
    /// batch is kept for the next try.
    fn hand_over(&mut self) -> bool {
        if self.batch.is_empty() {
            self.buffer.take_into(&mut self.batch);
        }
        if self.batch.is_empty() {
            return true;
        }
        // Lossy mode never blocks and never fails: a full queue shows only in its counter,
        // which nothing else writes to.
        let before = self.refused.dropped_lines();
        let _ = self.writer.write_all(&self.batch);
        if self.refused.dropped_lines() != before {
            return false;
        }
        self.batch.clear();
        true
    }

    /// Runs until `stop` is dropped, then hands over what is left.
    fn run(mut self, stop: mpsc::Receiver<()>) {
        while let Err(RecvTimeoutError::Timeout) = stop.recv_timeout(FLUSH_INTERVAL) {
            self.hand_over();
        }
        for _ in 0..FINAL_FLUSH_TRIES {
            // The batch went through and nothing new came in since: all written out.
            if self.hand_over() && self.buffer_is_empty() {
                return;
            }
            std::thread::sleep(FLUSH_INTERVAL);
        }
    }

    fn buffer_is_empty(&self) -> bool {
        self.buffer.is_empty()
    }
}

/// Keeps the log's flusher and writer threads running; dropping it writes out the buffered
/// lines (waiting up to about two seconds for a stalled output) and stops both threads. Hold it
/// for the life of the process.
#[must_use = "dropping the guard stops the log writer: bind it to a named variable"]
#[derive(Debug)]
pub struct LogGuard {
    stop: Option<mpsc::Sender<()>>,
    flusher: Option<JoinHandle<()>>,
    writer: Option<WorkerGuard>,
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        // In this order: the flusher's last batch, then the writer thread writes out its queue.
        drop(self.stop.take());
        if let Some(flusher) = self.flusher.take() {
            let _ = flusher.join();
        }
        drop(self.writer.take());
    }
}

/// Why the log could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LogError {
    /// The log file could not be opened for appending.
    #[error("cannot open the log file {path}: {source}")]
    File {
        /// The file.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The flusher thread could not be started.
    #[error("cannot start the log thread: {0}")]
    Thread(std::io::Error),
    /// This process already has a global `tracing` subscriber.
    #[error("a tracing subscriber is already installed: {0}")]
    AlreadySet(String),
}

/// Logs to stderr, as the binary does: the level from `STOREBOARD_LOG` (`info` by default),
/// colours only when stderr is a terminal and `NO_COLOR` is unset (journald, NSSM's log files
/// and pipes get plain text).
pub fn init_stderr() -> Result<LogGuard, LogError> {
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    init(std::io::stderr(), colour)
}

/// Logs to `path` (appended to, created if missing), without colours; otherwise as
/// [`init_stderr`].
pub fn init_file(path: &Path) -> Result<LogGuard, LogError> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|source| LogError::File {
            path: path.display().to_string(),
            source,
        })?;
    init(file, false)
}

/// Installs the global subscriber writing to `out` through the pipeline.
fn init(out: impl Write + Send + 'static, colour: bool) -> Result<LogGuard, LogError> {
    let filter =
        EnvFilter::try_from_env("STOREBOARD_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let (buffer, guard) = pipeline(out, BUFFERED_BYTES)?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        .event_format(format::LineFormat::new())
        .with_writer(Buffered(Arc::clone(&buffer)))
        .try_init()
        .map_err(|err| LogError::AlreadySet(err.to_string()))?;
    // `try_init` succeeds once per process, so this is set at most once.
    let _ = INSTALLED.set(buffer);
    // Without colours the engine's access lines can skip `tracing` and be formatted straight
    // into the buffer, as `format::LineFormat` would write them (see the engine's `access`).
    if !colour {
        storeboard_engine::access::set_access_sink(access_sink);
    }
    Ok(guard)
}

/// Whether the log's filter lets the engine's access lines through: asked once, as the filter
/// is fixed when the log is installed (asking per line cost a dispatcher lookup a request).
static ACCESS_WANTED: OnceLock<bool> = OnceLock::new();

/// The engine's access lines, formatted straight into this thread's part of the installed
/// buffer when the log's filter lets `storeboard::access` INFO through.
fn access_sink(record: &storeboard_engine::access::AccessRecord<'_>) {
    let wanted = *ACCESS_WANTED
        .get_or_init(|| tracing::enabled!(target: "storeboard::access", tracing::Level::INFO));
    if !wanted {
        return;
    }
    let Some(buffer) = INSTALLED.get() else {
        return;
    };
    buffer.push_with(|line| format::access_line(record, line));
}

/// The buffer lines go into, and the running threads that write it to `out`.
fn pipeline(
    out: impl Write + Send + 'static,
    capacity: usize,
) -> Result<(Arc<Buffer>, LogGuard), LogError> {
    let (writer, worker) = NonBlockingBuilder::default()
        .buffered_lines_limit(QUEUED_BATCHES)
        .lossy(true)
        .thread_name("storeboard-log-writer")
        .finish(out);
    let buffer = Arc::new(Buffer::new(capacity));
    let flusher = Flusher {
        buffer: Arc::clone(&buffer),
        refused: writer.error_counter(),
        writer,
        batch: Vec::with_capacity(64 * 1024),
    };
    let (stop, stopped) = mpsc::channel();
    let flusher = std::thread::Builder::new()
        .name("storeboard-log".to_owned())
        .spawn(move || flusher.run(stopped))
        .map_err(LogError::Thread)?;
    let guard = LogGuard {
        stop: Some(stop),
        flusher: Some(flusher),
        writer: Some(worker),
    };
    Ok((buffer, guard))
}

/// Log lines dropped so far because the buffer was full (0 when the log was not set up through
/// this module).
pub fn dropped_lines() -> u64 {
    INSTALLED
        .get()
        .map_or(0, |buffer| buffer.dropped.load(Relaxed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_line(buffer: &Arc<Buffer>, line: &str) {
        let make = Buffered(Arc::clone(buffer));
        make.make_writer()
            .write_all(line.as_bytes())
            .expect("never fails");
    }

    #[test]
    fn dropping_the_guard_writes_out_every_buffered_line() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("log");
        let file = std::fs::File::create(&path).expect("log file");
        let (buffer, guard) = pipeline(file, BUFFERED_BYTES).expect("pipeline");
        for i in 0..1000 {
            write_line(&buffer, &format!("line {i}\n"));
        }
        drop(guard);
        let text = std::fs::read_to_string(&path).expect("log");
        let expected: String = (0..1000).map(|i| format!("line {i}\n")).collect();
        assert_eq!(text, expected);
        assert_eq!(buffer.dropped.load(Relaxed), 0);
    }

    #[test]
    fn lines_past_the_capacity_are_dropped_and_counted() {
        let buffer = Arc::new(Buffer::new(11));
        write_line(&buffer, "12345\n");
        write_line(&buffer, "1234\n");
        write_line(&buffer, "x\n");
        write_line(&buffer, "y\n");
        assert_eq!(buffer.dropped.load(Relaxed), 2);
        let mut batch = Vec::new();
        buffer.take_into(&mut batch);
        assert_eq!(batch, b"12345\n1234\n");
        // Room again once the flusher took the lines.
        write_line(&buffer, "x\n");
        assert_eq!(buffer.dropped.load(Relaxed), 2);
    }
}

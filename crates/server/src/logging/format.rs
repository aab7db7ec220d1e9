//! How a log line is formatted: exactly as `tracing-subscriber`'s default (full) format without
//! the target, with a shortcut for the access log's lines.
//!
//! The access log writes one line per request, and the general formatter costs more per line
//! than it needs to: it converts the clock to a calendar date on every line, and copies the
//! message character by character through its terminal-escape sanitizer. An access line, sent
//! to a file, journald or a pipe, is written here instead: the date and time to the second are
//! kept per thread and reused within the second, and the message is formatted once and copied
//! whole when it holds nothing the sanitizer would change (it never does: the engine logs the
//! method, a path `http` has checked to be printable ASCII, numbers and an address). Anything
//! else (other events, events in a span, colours on a terminal, a message to escape) goes to the
//! general formatter, so the output is the same either way.

use std::cell::RefCell;
use std::fmt::{self, Write as _};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use storeboard_engine::access::AccessRecord;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::{Format, Full, Writer};
use tracing_subscriber::fmt::time::SystemTime as Clock;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// The engine's access-log target (`storeboard_engine`'s `InFlight`).
const ACCESS_TARGET: &str = "storeboard::access";

/// The event formatter the log is installed with.
pub(super) struct LineFormat {
    general: Format<Full, Clock>,
}

impl LineFormat {
    pub(super) fn new() -> Self {
        Self {
            general: tracing_subscriber::fmt::format().with_target(false),
        }
    }
}

/// What each thread keeps between access lines.
#[derive(Default)]
struct Scratch {
    /// The message of the line being written.
    message: String,
    /// The second `stamp` was made for (seconds since the epoch).
    second: u64,
    /// `YYYY-MM-DDTHH:MM:SS` of `second`.
    stamp: String,
    /// A monotonic instant and the wall-clock time (since the epoch) read together, at most
    /// [`ANCHOR_FOR`] ago: an access line's time is derived from the instant the engine read.
    anchor: Option<(Instant, Duration)>,
}

/// How long a wall-clock reading serves to date access lines from their monotonic instant:
/// the two clocks drift apart by well under a millisecond in that time.
const ANCHOR_FOR: Duration = Duration::from_secs(1);

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

impl<S, N> FormatEvent<S, N> for LineFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let meta = event.metadata();
        let plain_access_line = meta.target() == ACCESS_TARGET
            && *meta.level() == Level::INFO
            && meta.fields().len() == 1
            && !writer.has_ansi_escapes()
            && ctx.lookup_current().is_none();
        if !plain_access_line {
            return self.general.format_event(ctx, writer, event);
        }
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut scratch) => {
                scratch.message.clear();
                event.record(&mut Message(&mut scratch.message));
                if needs_escaping(&scratch.message) {
                    return self.general.format_event(ctx, writer, event);
                }
                scratch.write_line(writer)
            }
            // Only an event logged while formatting this one: not on the fast path.
            Err(_) => self.general.format_event(ctx, writer, event),
        })
    }
}

impl Scratch {
    /// `<time>  INFO <message>` and a newline, as the general format writes it.
    fn write_line(&mut self, mut writer: Writer<'_>) -> fmt::Result {
        let (stamp, micros) = self.now()?;
        writer.write_str(stamp)?;
        writer.write_str(std::str::from_utf8(&micros).map_err(|_| fmt::Error)?)?;
        writer.write_str(&self.message)?;
        writer.write_char('\n')
    }

    /// The time now: `YYYY-MM-DDTHH:MM:SS` (reused within the second) and `.uuuuuuZ  INFO `.
    fn now(&mut self) -> Result<(&str, [u8; 15]), fmt::Error> {
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        self.stamp_of(since_epoch)
    }

    /// The wall-clock time of the monotonic instant `at` (see [`Scratch::anchor`]).
    fn at(&mut self, at: Instant) -> Result<(&str, [u8; 15]), fmt::Error> {
        let since_epoch = match self.anchor {
            Some((instant, wall)) if at >= instant && at - instant < ANCHOR_FOR => {
                wall + (at - instant)
            }
            _ => {
                let wall = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default();
                self.anchor = Some((Instant::now(), wall));
                wall
            }
        };
        self.stamp_of(since_epoch)
    }

    /// `since_epoch` as `YYYY-MM-DDTHH:MM:SS` (reused within the second) and `.uuuuuuZ  INFO `.
    fn stamp_of(&mut self, since_epoch: Duration) -> Result<(&str, [u8; 15]), fmt::Error> {
        let second = since_epoch.as_secs();
        if second != self.second || self.stamp.is_empty() {
            self.second = second;
            self.stamp.clear();
            write_stamp(&mut self.stamp, second)?;
        }
        let micros = since_epoch.subsec_micros();
        let mut digits = *b".000000Z  INFO ";
        for (i, place) in [100_000, 10_000, 1_000, 100, 10, 1].into_iter().enumerate() {
            // Each is a single decimal digit.
            digits[1 + i] = b'0' + (micros / place % 10) as u8;
        }
        Ok((&self.stamp, digits))
    }
}

/// The whole access line of `record` (time, level, message, newline) appended to `line`, as
/// the general format writes the engine's `tracing` event for it; false when it could not be
/// formatted (only while this thread is already formatting a line).
pub(super) fn access_line(record: &AccessRecord<'_>, line: &mut Vec<u8>) -> bool {
    SCRATCH.with(|scratch| {
        let Ok(mut scratch) = scratch.try_borrow_mut() else {
            return false;
        };
        let Ok((stamp, micros)) = scratch.at(record.at) else {
            return false;
        };
        line.extend_from_slice(stamp.as_bytes());
        line.extend_from_slice(&micros);
        record.write_message(line);
        line.push(b'\n');
        true
    })
}

/// Collects an event's `message` field (an access line has no other).
struct Message<'a>(&'a mut String);

impl Visit for Message<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        }
    }
}

/// Would the general formatter's sanitizer change `text`? It rewrites ESC, BEL, BS, FF, DEL
/// and the C1 controls U+0080–U+009F (in UTF-8, `C2 80`–`C2 9F`).
fn needs_escaping(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| match b {
        0x1b | 0x07 | 0x08 | 0x0c | 0x7f => true,
        0xc2 => bytes
            .get(i + 1)
            .is_some_and(|next| (0x80..=0x9f).contains(next)),
        _ => false,
    })
}

/// `YYYY-MM-DDTHH:MM:SS` (UTC) of `second` since the epoch, as the general formatter's clock
/// writes it.
fn write_stamp(out: &mut String, second: u64) -> fmt::Result {
    let days = second / 86_400;
    let rest = second % 86_400;
    let (year, month, day) = civil_from_days(days);
    write!(
        out,
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    // Shifted to start on 0000-03-01, so that the leap day ends a year.
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_are_utc_calendar_times() {
        let stamp = |second| {
            let mut out = String::new();
            write_stamp(&mut out, second).expect("formats");
            out
        };
        assert_eq!(stamp(0), "1970-01-01T00:00:00");
        assert_eq!(stamp(951_782_400), "2000-02-29T00:00:00");
        assert_eq!(stamp(1_709_164_800), "2024-02-29T00:00:00");
        assert_eq!(stamp(1_796_000_000), "2026-11-30T00:53:20");
        assert_eq!(stamp(4_102_444_799), "2099-12-31T23:59:59");
    }

    #[test]
    fn only_what_the_sanitizer_rewrites_needs_escaping() {
        assert!(!needs_escaping(
            "GET /api/v1/tabs/overview 200 18234B 3.1ms 10.0.0.2:5"
        ));
        assert!(!needs_escaping("门店 café"));
        assert!(needs_escaping("a\x1b[31mred"));
        assert!(needs_escaping("bell\x07"));
        assert!(needs_escaping("c1 \u{9b}"));
        assert!(!needs_escaping("latin \u{a0}"));
    }

    /// The engine's record formatted straight into the buffer reads as the general formatter
    /// writes the same message.
    #[test]
    fn an_access_record_written_directly_reads_as_the_general_format_writes_it() {
        let record = AccessRecord {
            method: &actix_web::http::Method::HEAD,
            path: "/healthz",
            status: 200,
            bytes: 0,
            elapsed: Duration::from_micros(250),
            at: Instant::now(),
            peer: "127.0.0.1:40000",
        };
        let mut line = Vec::new();
        assert!(access_line(&record, &mut line));
        let line = String::from_utf8(line).expect("ascii");
        let shape: String = line[..27]
            .chars()
            .map(|c| if c.is_ascii_digit() { 'N' } else { c })
            .collect();
        assert_eq!(
            format!("{shape}{}", &line[27..]),
            "NNNN-NN-NNTNN:NN:NN.NNNNNNZ  INFO HEAD /healthz 200 0B 0.2ms 127.0.0.1:40000\n"
        );
    }

    /// An access line and a general line through both formatters: the same text but for the
    /// clock.
    #[test]
    fn access_lines_read_as_the_general_format_writes_them() {
        use std::sync::{Arc, Mutex};
        #[derive(Clone, Default)]
        struct Lines(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Lines {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.lock().expect("lock").extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let emit = || {
            let (status, peer) = (404, "127.0.0.1:5000");
            tracing::info!(target: "storeboard::access", "GET /x {status} 12B 0.3ms {peer}");
            tracing::info!(stores = 3, "order store ready");
        };
        let fast = Lines::default();
        let general = Lines::default();
        let out = fast.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .event_format(LineFormat::new())
            .with_writer(move || out.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, emit);
        let out = general.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_target(false)
            .with_writer(move || out.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, emit);
        let text = |lines: &Lines| -> Vec<String> {
            let bytes = lines.0.lock().expect("lock").clone();
            String::from_utf8(bytes)
                .expect("utf-8")
                .lines()
                // The clock, `2026-11-20T02:31:07.512630Z`, as its shape.
                .map(|line| {
                    let shape: String = line[..27]
                        .chars()
                        .map(|c| if c.is_ascii_digit() { 'N' } else { c })
                        .collect();
                    format!("{shape}{}", &line[27..])
                })
                .collect()
        };
        assert_eq!(text(&fast), text(&general));
        assert_eq!(
            text(&fast)[0],
            "NNNN-NN-NNTNN:NN:NN.NNNNNNZ  INFO GET /x 404 12B 0.3ms 127.0.0.1:5000"
        );
    }
}

//! The access log's line per request, and where it goes.
//!
//! By default each line is a `tracing` event (target `storeboard::access`, level INFO, the
//! message `GET /path 200 12B 0.3ms 10.0.0.2:5123`), so any subscriber gets it. A host that
//! writes its log itself can take the lines directly instead ([`set_access_sink`]): under load
//! the event's dispatch, its field visitor and `fmt` machinery cost about as much CPU as the
//! rest of the middleware stack (docs/performance.md), while [`AccessRecord::write_message`]
//! formats the same text with a handful of copies and no allocation.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use actix_http::Method;

/// The access log's `tracing` target.
pub const ACCESS_TARGET: &str = "storeboard::access";

/// One finished request, as the access log records it.
#[derive(Debug, Clone, Copy)]
pub struct AccessRecord<'a> {
    /// The request's method (`GET` for a `HEAD` the engine answered as a `GET` is shown as
    /// the client sent it).
    pub method: &'a Method,
    /// The path (without the query string).
    pub path: &'a str,
    /// The response's status code.
    pub status: u16,
    /// Body bytes sent.
    pub bytes: u64,
    /// From the head parsed to the body sent.
    pub elapsed: Duration,
    /// When the body was sent (the clock read that gave `elapsed`): a sink that stamps the
    /// line with the wall-clock time can derive it from this instead of reading the clock
    /// again.
    pub at: Instant,
    /// The client's address as text (`-` when unknown).
    pub peer: &'a str,
}

impl AccessRecord<'_> {
    /// The line's message, `GET /path 200 12B 0.3ms 10.0.0.2:5123`, appended to `out`. The
    /// duration is in tenths of a millisecond, truncated.
    pub fn write_message(&self, out: &mut Vec<u8>) {
        let tenths = self.elapsed.as_micros() / 100;
        out.extend_from_slice(self.method.as_str().as_bytes());
        out.push(b' ');
        out.extend_from_slice(self.path.as_bytes());
        out.push(b' ');
        push_number(out, u128::from(self.status));
        out.push(b' ');
        push_number(out, u128::from(self.bytes));
        out.extend_from_slice(b"B ");
        push_number(out, tenths / 10);
        out.push(b'.');
        push_number(out, tenths % 10);
        out.extend_from_slice(b"ms ");
        out.extend_from_slice(self.peer.as_bytes());
    }
}

/// Appends `n` in decimal.
fn push_number(out: &mut Vec<u8>, mut n: u128) {
    let mut digits = [0u8; 40];
    let mut at = digits.len();
    loop {
        at -= 1;
        // A single decimal digit.
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// Where access lines go instead of `tracing` (see [`set_access_sink`]).
pub type AccessSink = fn(&AccessRecord<'_>);

static SINK: OnceLock<AccessSink> = OnceLock::new();

/// Sends every access line of this process to `sink` instead of a `tracing` event. Set once:
/// returns false (and changes nothing) when a sink was already set. The sink decides itself
/// whether the line is wanted (e.g. by `tracing::enabled!` on [`ACCESS_TARGET`]).
pub fn set_access_sink(sink: AccessSink) -> bool {
    SINK.set(sink).is_ok()
}

thread_local! {
    static MESSAGE: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Writes one access line: to the sink if one is set, else as a `tracing` event.
pub(crate) fn emit(record: &AccessRecord<'_>) {
    if let Some(sink) = SINK.get() {
        return sink(record);
    }
    MESSAGE.with(|message| {
        let Ok(mut message) = message.try_borrow_mut() else {
            return;
        };
        message.clear();
        record.write_message(&mut message);
        // The method is a token and `http` checked the path to be visible ASCII; the peer is
        // an address: the message is ASCII.
        let text = String::from_utf8_lossy(&message);
        tracing::info!(target: "storeboard::access", "{text}");
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(record: &AccessRecord<'_>) -> String {
        let mut out = Vec::new();
        record.write_message(&mut out);
        String::from_utf8(out).expect("ascii")
    }

    #[test]
    fn the_message_is_method_path_status_bytes_tenths_of_a_millisecond_and_peer() {
        let record = AccessRecord {
            method: &Method::GET,
            path: "/api/v1/tabs/overview",
            status: 200,
            bytes: 18_234,
            elapsed: Duration::from_micros(3_199),
            at: Instant::now(),
            peer: "10.0.0.2:5123",
        };
        assert_eq!(
            message(&record),
            "GET /api/v1/tabs/overview 200 18234B 3.1ms 10.0.0.2:5123"
        );
        let slow = AccessRecord {
            method: &Method::POST,
            status: 413,
            bytes: 0,
            elapsed: Duration::from_secs(12) + Duration::from_micros(50),
            peer: "-",
            ..record
        };
        assert_eq!(
            message(&slow),
            "POST /api/v1/tabs/overview 413 0B 12000.0ms -"
        );
    }
}

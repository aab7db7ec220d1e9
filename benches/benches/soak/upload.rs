//! Uploads: the seeding workbook, and the uploader thread's merges and repeats during the load,
//! all as `multipart/form-data` to `POST /api/v1/uploads`.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use storeboard_fixtures::{xlsx_bytes, ExportSpec};

use crate::client::{Shared, Stats};
use crate::http::{snippet, Answer, Conn};
use crate::rng::Rng;
use crate::settings::Config;
use crate::traffic::{Kind, Traffic};

/// Deadline of one upload, seeding included: parsing runs on the server's blocking pool.
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(180);
/// The multipart boundary of the upload bodies.
const BOUNDARY: &str = "soak-boundary-7d1e4b";

/// A `multipart/form-data` body with one file and `mode`.
fn multipart(file_name: &str, bytes: &[u8], mode: &str) -> Vec<u8> {
    let mut body = Vec::with_capacity(bytes.len() + 512);
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"mode\"\r\n\r\n{mode}\r\n\
             --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
             Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// `POST /api/v1/uploads` of one workbook with `mode=merge`.
fn upload(conn: &mut Conn, file_name: &str, bytes: &[u8]) -> Result<Answer, String> {
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    conn.send(
        "POST",
        "/api/v1/uploads",
        &[("Content-Type", &content_type)],
        &multipart(file_name, bytes, "merge"),
        UPLOAD_TIMEOUT,
    )
}

/// The first number after `"key":` in a JSON text (enough for the upload report).
fn json_number(body: &[u8], key: &str) -> Option<u64> {
    let text = std::str::from_utf8(body).ok()?;
    let at = text.find(&format!("\"{key}\":"))? + key.len() + 3;
    let digits: String = text[at..]
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Uploads the whole generated chain; returns the lines the server stored.
pub(crate) fn seed(
    addr: SocketAddr,
    config: &Config,
    stores: &[String],
    first: NaiveDate,
) -> Result<u64, String> {
    let spec = ExportSpec {
        stores: stores.to_vec(),
        start: first,
        days: config.days,
        orders_per_store_day: config.orders,
        seed: config.seed,
        ..ExportSpec::default()
    };
    let bytes = xlsx_bytes(&spec);
    let answer = upload(&mut Conn::new(addr), "soak-seed.xlsx", &bytes)
        .map_err(|e| format!("seeding upload: {e}"))?;
    if answer.status != 200 {
        return Err(format!(
            "seeding upload: status {}: {}",
            answer.status,
            String::from_utf8_lossy(&answer.body)
        ));
    }
    json_number(&answer.body, "lines")
        .ok_or_else(|| "seeding upload: no `lines` in the report".into())
}

/// How the uploads went.
#[derive(Debug, Default, Clone)]
pub(crate) struct UploadCounts {
    pub(crate) new_files: u64,
    pub(crate) repeats: u64,
    pub(crate) already_imported: u64,
}

/// Every `upload_every` seconds: a regenerated day (or week) of one to three stores, merged;
/// every third time the previous file again.
pub(crate) fn uploader(
    shared: &Shared,
    config: &Config,
    deadline: Instant,
) -> (Stats, UploadCounts) {
    let mut rng = Rng::new(config.seed ^ 0x005E_ED0F_u64);
    let mut tally = Tally::default();
    let mut conn = Conn::new(shared.addr);
    let mut previous: Option<(String, Vec<u8>)> = None;
    let every = Duration::from_secs(config.upload_every);
    let mut next = Instant::now() + every / 2;
    let mut n = 0u64;
    loop {
        while Instant::now() < next {
            if shared.stop.load(Ordering::Relaxed) || Instant::now() >= deadline {
                return (tally.stats, tally.counts);
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        next += every;
        n += 1;
        let repeat = n.is_multiple_of(3) && previous.is_some();
        let (name, bytes) = match (&previous, repeat) {
            (Some(prev), true) => prev.clone(),
            _ => new_file(&shared.traffic, config, &mut rng, n),
        };
        let sent = Instant::now();
        let outcome = upload(&mut conn, &name, &bytes);
        tally.record(shared, &name, repeat, sent, outcome);
        shared.requests.fetch_add(1, Ordering::Relaxed);
        previous = Some((name, bytes));
    }
}

/// The `n`th upload's file: a regenerated day (one time in four a week) of one to three stores.
fn new_file(traffic: &Traffic, config: &Config, rng: &mut Rng, n: u64) -> (String, Vec<u8>) {
    let count = 1 + rng.below(3) as usize;
    let mut stores: Vec<String> = Vec::new();
    while stores.len() < count.min(traffic.stores.len()) {
        let s = rng.pick(&traffic.stores).clone();
        if !stores.contains(&s) {
            stores.push(s);
        }
    }
    let days = if rng.chance(25) {
        7.min(traffic.days)
    } else {
        1
    };
    let start = traffic.day(rng.below(u64::from(traffic.days - days + 1)) as u32);
    let spec = ExportSpec {
        stores,
        start,
        days,
        orders_per_store_day: config.orders,
        seed: rng.next(),
        ..ExportSpec::default()
    };
    (format!("soak-{n:03}-{start}.xlsx"), xlsx_bytes(&spec))
}

/// The uploader's latencies and failures, and how its uploads went.
#[derive(Debug, Default)]
struct Tally {
    stats: Stats,
    counts: UploadCounts,
}

impl Tally {
    /// Counts one upload sent at `sent`: a `200` upload report, or a failure.
    fn record(
        &mut self,
        shared: &Shared,
        name: &str,
        repeat: bool,
        sent: Instant,
        outcome: Result<Answer, String>,
    ) {
        let (stats, counts) = (&mut self.stats, &mut self.counts);
        match outcome {
            Ok(a) if a.status == 200 && a.body.starts_with(b"{\"uploads\"") => {
                stats.record(Kind::Upload, sent.elapsed());
                if repeat {
                    counts.repeats += 1;
                } else {
                    counts.new_files += 1;
                }
                let text = String::from_utf8_lossy(&a.body);
                if text.contains("\"already_imported\":true") {
                    counts.already_imported += 1;
                }
            }
            Ok(a) => {
                stats.failed(Kind::Upload);
                shared.fail(
                    Kind::Upload,
                    format!(
                        "POST /api/v1/uploads ({name}): status {}: {}",
                        a.status,
                        snippet(&a.body)
                    ),
                );
            }
            Err(e) => {
                stats.failed(Kind::Upload);
                shared.fail(Kind::Upload, format!("POST /api/v1/uploads ({name}): {e}"));
            }
        }
    }
}

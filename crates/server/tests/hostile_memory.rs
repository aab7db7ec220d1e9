//! Memory of the real `storeboard` binary under hostile uploads (issue 16): a 800-byte `.ods`
//! expanding to 16.7 million cells and a 5.6 KB `.xls` with cells at A1 and IV65536 on three
//! sheets, sent one by one and three at once, are refused with `413`, and the child process's
//! peak resident memory (`VmHWM` in `/proc/<pid>/status`) stays within 300 MB of where it was
//! (before the parse budget, these files took it past 2 GB, three at once past 8 GB).
//!
//! Run: `cargo test -p storeboard --test hostile_memory -- --nocapture` (prints the figures).
#![cfg(target_os = "linux")]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

mod support;
use support::Running;

/// The binary on `dir`, serving.
fn start(dir: &std::path::Path) -> Running {
    support::start(dir, IO_TIMEOUT)
}

const IO_TIMEOUT: Duration = Duration::from_secs(60);
const BOUNDARY: &str = "hostile-memory-boundary-5f2e";
/// How far above its starting point the server's peak may go.
const HEADROOM_MIB: u64 = 300;

/// `VmRSS` and `VmHWM` of `pid`, in MiB.
fn memory(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or(0, |kb| kb / 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// `POST /api/v1/uploads` of one file: the status and the body.
fn upload(port: u16, name: &str, bytes: &[u8]) -> (u16, String) {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let head = format!(
        "POST /api/v1/uploads HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\
         Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT).expect("connects");
    stream.set_read_timeout(Some(IO_TIMEOUT)).expect("timeout");
    stream.write_all(head.as_bytes()).expect("sends");
    stream.write_all(&body).expect("sends");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("an answer");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_owned();
    (status, body)
}

#[test]
fn ods_and_xls_bombs_one_by_one_and_three_at_once_keep_the_server_within_300_mb() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start(dir.path());
    let pid = server.child.id();
    // A real upload first, so the baseline includes a warmed-up server.
    let csv = "订单ID,下单时间,门店名称,商品名称,销量\n1,2026-11-01 09:00,一号店,可乐,1\n";
    let deadline = Instant::now() + IO_TIMEOUT;
    while upload(server.port, "warm.csv", csv.as_bytes()).0 != 200 {
        assert!(
            Instant::now() < deadline,
            "the warm-up upload never succeeded"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let (rss_before, peak_before) = memory(pid);
    let ods = storeboard_fixtures::ods_repeat_bomb(65_536, 256);
    let xls = storeboard_fixtures::xls_far_cell_bomb(3);
    for (name, bytes) in [("bomb.ods", &ods), ("bomb.xls", &xls)] {
        let (status, body) = upload(server.port, name, bytes);
        assert_eq!(status, 413, "{name}: {body}");
        assert!(body.contains("max_xls_ods_cells"), "{name}: {body}");
    }
    let port = server.port;
    let parallel: Vec<_> = [("a.xls", &xls), ("b.ods", &ods), ("c.xls", &xls)]
        .into_iter()
        .map(|(name, bytes)| {
            let bytes = bytes.clone();
            std::thread::spawn(move || upload(port, name, &bytes))
        })
        .collect();
    for handle in parallel {
        let (status, body) = handle.join().expect("an upload thread");
        assert_eq!(status, 413, "{body}");
    }
    let (rss_after, peak_after) = memory(pid);
    println!(
        "VmRSS {rss_before} → {rss_after} MiB, VmHWM {peak_before} → {peak_after} MiB \
         (ods {} bytes, xls {} bytes)",
        ods.len(),
        xls.len()
    );
    assert!(
        peak_after < peak_before + HEADROOM_MIB,
        "peak {peak_before} → {peak_after} MiB"
    );
    assert!(
        rss_after < rss_before + HEADROOM_MIB,
        "resident {rss_before} → {rss_after} MiB"
    );
}

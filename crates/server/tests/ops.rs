//! `storeboard backup` and `storeboard restore` with the real binary, next to real servers: an
//! online backup while uploads are served, restores refused while a server runs and for files
//! that are not databases, and the data-directory lock that keeps a second server out.
//!
//! Run: `cargo test -p storeboard --test ops`.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

mod support;
use support::{server_command, Running, BIN};

/// The binary on `dir`, serving.
fn start(dir: &Path) -> Running {
    support::start(dir, IO_TIMEOUT)
}

/// One HTTP/1.1 exchange with `Connection: close`: the status and the body.
fn exchange(port: u16, head: &str, body: &[u8]) -> (u16, Vec<u8>) {
    support::exchange(port, head, body, IO_TIMEOUT).expect("an HTTP answer")
}

/// Deadline of every connect, read and write, of a start-up and of a subcommand.
const IO_TIMEOUT: Duration = Duration::from_secs(20);
const BOUNDARY: &str = "ops-test-boundary-5e27";

/// Runs `command` to its end within [`IO_TIMEOUT`] (its output is small: it fits the pipes).
fn finish(mut command: Command) -> (i32, String, String) {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let deadline = Instant::now() + IO_TIMEOUT;
    while child.try_wait().expect("waits").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{command:?} did not end within {IO_TIMEOUT:?}");
        }
        thread::sleep(Duration::from_millis(20));
    }
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().expect("output");
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
    (status.code().unwrap_or(-1), text(stdout), text(stderr))
}

/// `storeboard <args…>`: the exit code, stdout and stderr.
fn storeboard(args: &[&dyn AsRef<std::ffi::OsStr>]) -> (i32, String, String) {
    let mut command = Command::new(BIN);
    command
        .args(args.iter().map(|a| a.as_ref()))
        .env_remove("STOREBOARD_CONFIG");
    finish(command)
}

fn backup(dir: &Path, out: &Path) -> (i32, String, String) {
    storeboard(&[&"backup", &"--data-dir", &dir, &"--out", &out])
}

fn restore(dir: &Path, file: &Path) -> (i32, String, String) {
    storeboard(&[&"restore", &"--data-dir", &dir, &file])
}

/// `GET /api/v1/stores`.
fn stores(port: u16) -> Value {
    // A server just started loads its stores in the background: wait for them, not for a
    // list still marked `loading`.
    let deadline = Instant::now() + IO_TIMEOUT;
    loop {
        let head = "GET /api/v1/stores HTTP/1.1\r\nHost: ops\r\nConnection: close\r\n\r\n";
        let (status, body) = exchange(port, head, b"");
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        let list: Value = serde_json::from_slice(&body).expect("JSON");
        let loading = list
            .as_array()
            .is_some_and(|l| l.iter().any(|s| s["loading"] == true));
        if !loading || Instant::now() > deadline {
            return list;
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// `POST /api/v1/uploads` of one CSV file (merge); asserts it is stored.
fn upload(port: u16, csv: &[u8]) {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"orders.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(csv);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let head = format!(
        "POST /api/v1/uploads HTTP/1.1\r\nHost: ops\r\nConnection: close\r\n\
         Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let (status, answer) = exchange(port, &head, &body);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
}

/// A CSV export of one store: two orders a day on `days` days from 2026-11-01.
fn export(store: &str, days: u32) -> Vec<u8> {
    let mut csv = String::from("订单ID,下单时间,门店名称,商品名称,销量,实收价格\r\n");
    for day in 1..=days {
        for order in 0..2 {
            csv.push_str(&format!(
                "{store}{day:02}{order},2026-11-{day:02} 1{order}:30:00,{store},奥利奥饼干,2,6.50\r\n"
            ));
        }
    }
    csv.into_bytes()
}

/// The data directory's database files with their sizes, sorted.
fn database_files(dir: &Path) -> Vec<(String, u64)> {
    let mut files: Vec<(String, u64)> = std::fs::read_dir(dir)
        .expect("lists the data dir")
        .filter_map(Result::ok)
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                e.metadata().map_or(0, |m| m.len()),
            )
        })
        .filter(|(name, _)| name.starts_with("storeboard.db"))
        .collect();
    files.sort();
    files
}

#[test]
fn a_backup_taken_while_uploads_are_served_restores_exactly_the_backed_up_stores() {
    let dir = tempfile::tempdir().expect("a data dir");
    let out = tempfile::tempdir().expect("a backup dir");
    let file = out.path().join("storeboard-backup.db");
    let server = start(dir.path());
    let first = export("一号店", 3);
    upload(server.port, &first);
    let backed_up = stores(server.port);
    // The same file again and again (merge: the same days rewritten) while the backup runs.
    let (stop, done) = (AtomicBool::new(false), AtomicUsize::new(0));
    let (code, stdout, stderr) = thread::scope(|scope| {
        scope.spawn(|| {
            while !stop.load(Ordering::Relaxed) {
                upload(server.port, &first);
                done.fetch_add(1, Ordering::Relaxed);
            }
        });
        while done.load(Ordering::Relaxed) == 0 {
            thread::sleep(Duration::from_millis(5));
        }
        let result = backup(dir.path(), &file);
        stop.store(true, Ordering::Relaxed);
        result
    });
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.starts_with("备份完成: 1 个门店, 3 个门店日 (2026-11-01 – 2026-11-03)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Backup done: 1 stores, 3 store-days"),
        "{stdout}"
    );
    assert!(stdout.contains("storeboard-backup.db"), "{stdout}");
    // After the backup: a second store, then the server is killed with it in the WAL.
    upload(server.port, &export("二号店", 2));
    let after = stores(server.port);
    assert_eq!(after.as_array().map(Vec::len), Some(2), "{after}");
    server.kill();
    let (code, stdout, stderr) = restore(dir.path(), &file);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("恢复完成: 1 个门店") && stdout.contains("Restored: 1 stores"),
        "{stdout}"
    );
    let kept = stdout
        .lines()
        .find_map(|l| l.split_once("kept as: ").map(|(_, path)| path.to_owned()))
        .expect("the kept database is named");
    assert!(kept.contains("storeboard.db.before-restore-"), "{kept}");
    let server = start(dir.path());
    assert_eq!(stores(server.port), backed_up);
    server.kill();
    // Nothing was lost: restoring the kept database brings back the second store too.
    let (code, _, stderr) = restore(dir.path(), Path::new(&kept));
    assert_eq!(code, 0, "{stderr}");
    let server = start(dir.path());
    assert_eq!(stores(server.port), after);
}

#[test]
fn restore_is_refused_while_a_server_runs_on_the_data_dir() {
    let dir = tempfile::tempdir().expect("a data dir");
    let file = dir.path().join("backup.db");
    let server = start(dir.path());
    upload(server.port, &export("一号店", 1));
    let (code, _, stderr) = backup(dir.path(), &file);
    assert_eq!(code, 0, "{stderr}");
    let before = database_files(dir.path());
    let (code, stdout, stderr) = restore(dir.path(), &file);
    assert_eq!(code, 1, "{stdout}");
    assert!(stderr.contains("恢复失败 / restore failed"), "{stderr}");
    assert!(stderr.contains("in use by another storeboard"), "{stderr}");
    assert!(
        stderr.contains(&dir.path().display().to_string()),
        "{stderr}"
    );
    assert_eq!(database_files(dir.path()), before);
    assert_eq!(stores(server.port).as_array().map(Vec::len), Some(1));
}

#[test]
fn backup_refuses_an_existing_out_file_and_leaves_it_untouched() {
    let dir = tempfile::tempdir().expect("a data dir");
    let server = start(dir.path());
    upload(server.port, &export("一号店", 1));
    let file = dir.path().join("yesterday.db");
    std::fs::write(&file, "yesterday's backup").expect("writes");
    let (code, stdout, stderr) = backup(dir.path(), &file);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stderr.contains("yesterday.db") && stderr.contains("already exists"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&file).expect("reads"),
        "yesterday's backup"
    );
}

#[test]
fn restore_refuses_a_file_that_is_not_a_database_and_leaves_the_data_untouched() {
    let dir = tempfile::tempdir().expect("a data dir");
    let server = start(dir.path());
    upload(server.port, &export("一号店", 2));
    let before = stores(server.port);
    server.kill();
    let files = database_files(dir.path());
    let csv = dir.path().join("orders.csv");
    std::fs::write(&csv, export("二号店", 1)).expect("writes");
    let (code, stdout, stderr) = restore(dir.path(), &csv);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stderr.contains("orders.csv") && stderr.contains("not a storeboard database"),
        "{stderr}"
    );
    assert_eq!(database_files(dir.path()), files);
    let server = start(dir.path());
    assert_eq!(stores(server.port), before);
}

#[test]
fn a_second_server_on_the_same_data_dir_refuses_to_start_with_exit_code_1() {
    let dir = tempfile::tempdir().expect("a data dir");
    let first = start(dir.path());
    let (code, stdout, stderr) = finish(server_command(dir.path()));
    assert_eq!(code, 1, "{stdout}");
    assert!(stderr.contains("in use by another storeboard"), "{stderr}");
    assert!(
        stderr.contains(&dir.path().display().to_string()),
        "{stderr}"
    );
    assert!(!stdout.contains("Serving on"), "{stdout}");
    assert_eq!(stores(first.port), Value::Array(Vec::new()));
}

#[test]
fn subcommands_without_their_arguments_are_usage_errors_with_exit_code_2() {
    let (code, _, stderr) = storeboard(&[&"backup", &"--data-dir", &"x"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--out"), "{stderr}");
    let (code, _, stderr) = storeboard(&[&"restore"]);
    assert_eq!(code, 2, "{stderr}");
    let (code, stdout, _) = storeboard(&[&"restore", &"--help"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("before-restore"), "{stdout}");
    let (code, stdout, _) = storeboard(&[&"--help"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("storeboard backup") && stdout.contains("storeboard restore"),
        "{stdout}"
    );
}

//! The import folder of the real `storeboard` binary survives a SIGKILL: the server is killed
//! while a file dropped into `--import-dir` is being imported (as soon as it is seen in
//! `.importing/`), restarted on the same directories, and the file ends in `done/` with every
//! store's lines counted exactly once, whether the kill came before or after the commit.
//!
//! Run: `cargo test -p storeboard --test import_kill -- --nocapture` (says where the kill landed).
#![cfg(unix)]

use std::collections::BTreeMap;
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;
use storeboard_fixtures as fx;

mod support;
use support::Running;

/// The binary on `data` watching `folder`, serving.
fn start(data: &Path, folder: &Path) -> Running {
    let mut command = support::server_command(data);
    command.arg("--import-dir").arg(folder);
    support::serve(command, DEADLINE)
}

/// `GET path` with `Connection: close`: the body as JSON (asserting 200).
fn get_json(port: u16, path: &str) -> Value {
    support::get_json(port, path, DEADLINE)
}

/// Deadline of a start-up, of every request, and of each wait for the folder.
const DEADLINE: Duration = Duration::from_secs(60);

/// Polls `cond` every 2 ms until [`DEADLINE`].
fn poll(mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + DEADLINE;
    while Instant::now() < deadline {
        if cond() {
            return true;
        }
        thread::sleep(Duration::from_millis(2));
    }
    false
}

/// Lines per store, as `GET /api/v1/stores` counts them.
fn lines_per_store(stores: &Value) -> BTreeMap<String, u64> {
    let all = stores.as_array().cloned().unwrap_or_default();
    all.iter()
        .map(|s| {
            let name = s["name"].as_str().unwrap_or_default().to_owned();
            (name, s["lines"].as_u64().unwrap_or_default())
        })
        .collect()
}

#[test]
fn a_server_killed_mid_import_imports_the_file_exactly_once_after_a_restart() {
    let data = tempfile::tempdir().expect("a data dir");
    let folder = tempfile::tempdir().expect("an import folder");
    // Big enough that the parse takes a while in a test build: the kill lands mid-import.
    let spec = fx::ExportSpec {
        days: 20,
        orders_per_store_day: 150,
        ..fx::ExportSpec::default()
    };
    let mut expected: BTreeMap<String, u64> = BTreeMap::new();
    for line in fx::lines(&spec) {
        *expected.entry(line.store.clone()).or_default() += 1;
    }
    let csv = fx::csv_bytes(&spec, fx::CsvEncoding::Utf8);

    let server = start(data.path(), folder.path());
    // Written elsewhere and moved in, so it is whole the moment it appears.
    let staged = data.path().join("orders.csv");
    std::fs::write(&staged, &csv).expect("written");
    std::fs::rename(&staged, folder.path().join("orders.csv")).expect("moved in");
    let importing = folder.path().join(".importing/orders.csv");
    let done = folder.path().join("done/orders.csv");
    assert!(
        poll(|| importing.exists() || done.exists()),
        "the file was never taken"
    );
    drop(server); // SIGKILL
    let finished_before_kill = done.exists();

    let server = start(data.path(), folder.path());
    assert!(poll(|| done.exists()), "not finished after the restart");
    assert!(!importing.exists());
    let stores = get_json(server.port, "/api/v1/stores");
    assert_eq!(lines_per_store(&stores), expected, "{stores}");
    let history = get_json(server.port, "/api/v1/uploads");
    let all = history.as_array().cloned().unwrap_or_default();
    assert!(
        !all.is_empty() && all.iter().all(|u| u["actor"] == "import-dir"),
        "{history}"
    );
    eprintln!(
        "killed {}; history: {} entries",
        if finished_before_kill {
            "after the import"
        } else {
            "mid-import"
        },
        all.len()
    );
    // Once or (killed after the commit) twice, the second time marked as already imported.
    assert!(all.len() <= 2, "{history}");
    assert_eq!(
        all.last().map(|u| &u["already_imported"]),
        Some(&Value::Bool(false))
    );
}

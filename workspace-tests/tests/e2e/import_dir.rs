//! The import folder (`--import-dir`) on the real application, wired as the binary wires it
//! (`storeboard::import::start`): files dropped into the folder are imported like uploads and
//! moved to `done/` or `failed/` with a report; lock files and hidden files are left alone; a
//! file still being written waits; an interrupted import is finished exactly once at the next
//! start. Every wait polls with a generous deadline.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use storeboard::config::ServerSettings;
use storeboard::mode::Mode;
use storeboard_analytics::Business;
use storeboard_data::OrderStore;
use storeboard_fixtures as fx;
use storeboard_import::ImportDir;
use storeboard_tabs::{TabsState, DEFAULT_CAPACITY};
use storeboard_upload::UploadState;
use tempfile::TempDir;

use crate::support::app::expected_stores;
use crate::support::{settings, TestServer, IO_TIMEOUT};

/// How long a file may take to be imported: the settle time (2 s) and a workbook parsed in a
/// debug build on a busy machine, with room to spare.
const DEADLINE: Duration = Duration::from_secs(20);

/// The real app over a data directory, with its import folder watched.
struct Watched {
    // Stopped first (in `drop`), then the server.
    importer: Option<ImportDir>,
    server: TestServer,
    agent: ureq::Agent,
}

impl Watched {
    fn start(data: &Path, folder: &Path) -> Self {
        let store = Arc::new(OrderStore::open(data).expect("the order store opens"));
        let tabs = TabsState::new(Arc::clone(&store), Business::default(), DEFAULT_CAPACITY);
        let server_settings = ServerSettings {
            import_dir: Some(folder.to_owned()),
            ..ServerSettings::default()
        };
        let (status, importer) = storeboard::import::start(&server_settings, Arc::clone(&store))
            .expect("the import folder starts");
        let upload = UploadState::new(store, data.to_owned(), 100 << 20).with_import_status(status);
        let app = move || storeboard::app(Mode::Production, upload.clone(), tabs.clone());
        Self {
            importer,
            server: TestServer::serve(settings(), app),
            agent: ureq::AgentBuilder::new().timeout(IO_TIMEOUT).build(),
        }
    }

    fn text(&self, path: &str) -> String {
        let response = self
            .agent
            .get(&self.server.url(path))
            .call()
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        response
            .into_string()
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    fn json(&self, path: &str) -> Value {
        let text = self.text(path);
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("GET {path}: {e}: {text}"))
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        if let Some(importer) = self.importer.take() {
            importer.stop(DEADLINE);
        }
    }
}

/// A data directory and an import folder, both temporary.
struct Dirs {
    data: TempDir,
    folder: TempDir,
}

impl Dirs {
    fn new() -> Self {
        Self {
            data: tempfile::tempdir().expect("a temp data dir"),
            folder: tempfile::tempdir().expect("a temp import folder"),
        }
    }

    fn start(&self) -> Watched {
        Watched::start(self.data.path(), self.folder.path())
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.folder.path().join(relative)
    }

    fn drop_file(&self, name: &str, bytes: &[u8]) {
        std::fs::write(self.path(name), bytes).expect("the file is written");
    }

    /// Waits until `relative` exists in the folder (a file moved to `done/` or `failed/`).
    fn wait_for(&self, relative: &str) {
        let path = self.path(relative);
        assert!(
            poll(|| path.exists()),
            "{relative} did not appear within {DEADLINE:?}; the folder holds {:?}",
            self.listing()
        );
    }

    /// The report beside a finished file.
    fn report(&self, relative: &str) -> Value {
        let path = self.path(&format!("{relative}.report.json"));
        // Written right after the move: wait for it too.
        assert!(poll(|| path.exists()), "no report {}", path.display());
        let text = std::fs::read_to_string(&path).expect("the report is read");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}: {text}", path.display()))
    }

    /// Every file in the folder and its sub-folders, relative, sorted.
    fn listing(&self) -> Vec<String> {
        let mut out = Vec::new();
        for sub in ["", "done", "failed", ".importing"] {
            let Ok(entries) = std::fs::read_dir(self.path(sub)) else {
                continue;
            };
            for entry in entries.flatten() {
                if entry.file_type().is_ok_and(|t| t.is_file()) {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    out.push(if sub.is_empty() {
                        name
                    } else {
                        format!("{sub}/{name}")
                    });
                }
            }
        }
        out.sort();
        out
    }
}

/// Polls `cond` every 50 ms for up to [`DEADLINE`].
fn poll(mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + DEADLINE;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_good_file_is_imported_moved_to_done_and_listed_in_the_history_as_import_dir() {
    let dirs = Dirs::new();
    let server = dirs.start();
    let spec = fx::ExportSpec::default();
    dirs.drop_file("订单.xlsx", &fx::xlsx_bytes(&spec));
    dirs.wait_for("done/订单.xlsx");
    assert!(!dirs.path("订单.xlsx").exists());
    assert_eq!(
        server.json("/api/v1/stores"),
        expected_stores(&fx::lines(&spec))
    );

    let report = dirs.report("done/订单.xlsx");
    assert_eq!(report["result"], "imported", "{report}");
    assert_eq!(report["already_imported"], false);
    assert_eq!(report["moved_to"], "done/订单.xlsx");
    assert_eq!(report["upload"]["lines"], fx::lines(&spec).len());

    let history = server.json("/api/v1/uploads");
    assert_eq!(history.as_array().map(Vec::len), Some(1), "{history}");
    assert_eq!(history[0]["file_name"], "订单.xlsx");
    assert_eq!(history[0]["actor"], "import-dir");
    assert_eq!(history[0]["mode"], "merge");
    assert_eq!(history[0]["id"], report["upload"]["id"]);

    let state = server.json("/api/v1/import-dir");
    assert_eq!(state["enabled"], true, "{state}");
    assert_eq!(state["watching"], true);
    assert_eq!(
        state["dir"].as_str(),
        Some(dirs.folder.path().display().to_string().as_str())
    );
    assert_eq!(state["imported"], 1);
    assert_eq!(state["failed"], 0);
    assert_eq!(state["last_import"]["file"], "订单.xlsx");
    assert_eq!(state["last_import"]["result"], "imported");
    assert_eq!(state["recent"].as_array().map(Vec::len), Some(1));

    let metrics = server.text("/metrics");
    assert!(
        metrics.contains("storeboard_import_dir_imported_total 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("storeboard_import_dir_failed_total 0"),
        "{metrics}"
    );
    let tab = server.text("/tabs/data");
    assert!(
        tab.contains("导入文件夹") && tab.contains("监控中"),
        "{tab}"
    );
    assert!(tab.contains("已导入"), "{tab}");
    assert!(
        !tab.contains("import-dir-off"),
        "no 'how to enable' hint when it is on"
    );
}

#[test]
fn a_refused_file_goes_to_failed_with_a_report_naming_the_problem_and_nothing_is_stored() {
    let dirs = Dirs::new();
    let server = dirs.start();
    dirs.drop_file("bad.xlsx", &fx::missing_required_columns_xlsx());
    dirs.wait_for("failed/bad.xlsx");
    let report = dirs.report("failed/bad.xlsx");
    assert_eq!(report["result"], "failed", "{report}");
    assert_eq!(report["error"]["code"], "missing_columns");
    assert_eq!(report["error"]["details"]["file"], "bad.xlsx");
    assert!(report["error"]["details"]["sheet"].is_string(), "{report}");
    let missing = report["error"]["details"]["missing"].as_array();
    assert!(missing.is_some_and(|m| !m.is_empty()), "{report}");
    assert!(report.get("upload").is_none(), "{report}");

    assert_eq!(server.json("/api/v1/stores"), Value::Array(Vec::new()));
    assert_eq!(server.json("/api/v1/uploads"), Value::Array(Vec::new()));
    let state = server.json("/api/v1/import-dir");
    assert_eq!(state["failed"], 1, "{state}");
    assert_eq!(state["imported"], 0);
    assert_eq!(state["last_import"]["error"]["code"], "missing_columns");
    assert_eq!(
        state["last_import"]["report"],
        "failed/bad.xlsx.report.json"
    );
    let metrics = server.text("/metrics");
    assert!(
        metrics.contains("storeboard_import_dir_failed_total 1"),
        "{metrics}"
    );
    let tab = server.text("/tabs/data");
    assert!(
        tab.contains("最近失败的文件") && tab.contains("bad.xlsx"),
        "{tab}"
    );
}

#[test]
fn a_file_with_bad_rows_is_imported_and_its_report_names_each_problem_by_sheet_row_and_column() {
    let dirs = Dirs::new();
    let _server = dirs.start();
    let (bytes, bad) = fx::bad_cells_xlsx();
    dirs.drop_file("rows.xlsx", &bytes);
    dirs.wait_for("done/rows.xlsx");
    let report = dirs.report("done/rows.xlsx");
    let problems = report["upload"]["report"]["problems"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!problems.is_empty() && !bad.is_empty(), "{report}");
    for p in &problems {
        assert!(
            p["sheet"].is_string() && p["row"].is_u64() && p["column"].is_string(),
            "{p}"
        );
    }
}

#[test]
fn the_same_file_twice_goes_to_done_says_already_imported_and_changes_no_figure() {
    let dirs = Dirs::new();
    let server = dirs.start();
    let spec = fx::ExportSpec::default();
    let bytes = fx::xlsx_bytes(&spec);
    dirs.drop_file("orders.xlsx", &bytes);
    dirs.wait_for("done/orders.xlsx");
    let stores = server.json("/api/v1/stores");
    dirs.drop_file("orders.xlsx", &bytes);
    dirs.wait_for("done/orders (2).xlsx");
    let report = dirs.report("done/orders (2).xlsx");
    assert_eq!(report["already_imported"], true, "{report}");
    assert_eq!(report["result"], "already_imported");
    assert!(dirs.path("done/orders.xlsx").exists(), "the first is kept");
    assert_eq!(dirs.report("done/orders.xlsx")["already_imported"], false);
    assert_eq!(server.json("/api/v1/stores"), stores);
    assert_eq!(stores, expected_stores(&fx::lines(&spec)));
    let history = server.json("/api/v1/uploads");
    assert_eq!(history.as_array().map(Vec::len), Some(2), "{history}");
    assert_eq!(history[0]["already_imported"], true);
}

#[test]
fn a_file_still_being_written_is_not_imported_until_it_stops_growing() {
    let dirs = Dirs::new();
    let server = dirs.start();
    let spec = fx::ExportSpec::default();
    let csv = fx::csv_bytes(&spec, fx::CsvEncoding::Utf8);
    let text = String::from_utf8(csv).expect("UTF-8");
    let rows: Vec<&str> = text.split_inclusive('\n').collect();
    let path = dirs.path("growing.csv");
    let (head, rest) = rows.split_at(rows.len() / 4);
    std::fs::write(&path, head.concat()).expect("the start is written");
    // Appended for about 4 s, twice the settle time, a piece every 100 ms.
    let pieces: Vec<String> = rest
        .chunks(rest.len().div_ceil(40))
        .map(|c| c.concat())
        .collect();
    for piece in &pieces {
        std::thread::sleep(Duration::from_millis(100));
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .expect("still in the folder while it grows");
        std::io::Write::write_all(&mut file, piece.as_bytes()).expect("appended");
        assert!(
            dirs.listing().iter().all(|f| !f.starts_with("done/")),
            "imported while growing: {:?}",
            dirs.listing()
        );
    }
    dirs.wait_for("done/growing.csv");
    assert_eq!(
        server.json("/api/v1/stores"),
        expected_stores(&fx::lines(&spec))
    );
    let history = server.json("/api/v1/uploads");
    assert_eq!(history.as_array().map(Vec::len), Some(1), "{history}");
}

#[test]
fn excel_lock_files_and_hidden_files_are_left_alone() {
    let dirs = Dirs::new();
    let server = dirs.start();
    let bytes = fx::xlsx_bytes(&fx::ExportSpec::default());
    dirs.drop_file("~$orders.xlsx", &bytes);
    dirs.drop_file(".hidden.xlsx", &bytes);
    dirs.drop_file("notes.txt", b"not an export");
    // Dropped last and imported: the others were seen in the same looks at the folder.
    dirs.drop_file("real.xlsx", &bytes);
    dirs.wait_for("done/real.xlsx");
    // One more look at the folder after it, so a late pick-up of the others would show.
    std::thread::sleep(Duration::from_secs(3));
    let listing = dirs.listing();
    assert_eq!(
        listing,
        [
            ".hidden.xlsx",
            "done/real.xlsx",
            "done/real.xlsx.report.json",
            "notes.txt",
            "~$orders.xlsx",
        ],
        "{listing:?}"
    );
    let history = server.json("/api/v1/uploads");
    assert_eq!(history.as_array().map(Vec::len), Some(1), "{history}");
}

#[test]
fn a_file_left_mid_import_by_a_crash_is_imported_at_the_next_start_exactly_once() {
    let dirs = Dirs::new();
    let spec = fx::ExportSpec::default();
    let expected = expected_stores(&fx::lines(&spec));
    // A crash before the commit: the file waits in `.importing/`, nothing is stored.
    std::fs::create_dir_all(dirs.path(".importing")).expect("created");
    std::fs::write(dirs.path(".importing/orders.xlsx"), fx::xlsx_bytes(&spec)).expect("written");
    let first = dirs.start();
    dirs.wait_for("done/orders.xlsx");
    assert_eq!(first.json("/api/v1/stores"), expected);
    assert_eq!(dirs.report("done/orders.xlsx")["already_imported"], false);
    drop(first);

    // A crash after the commit, before the move to done/: the file is back in `.importing/`.
    std::fs::rename(
        dirs.path("done/orders.xlsx"),
        dirs.path(".importing/orders.xlsx"),
    )
    .expect("moved back");
    std::fs::remove_file(dirs.path("done/orders.xlsx.report.json")).expect("removed");
    let second = dirs.start();
    dirs.wait_for("done/orders.xlsx");
    let report = dirs.report("done/orders.xlsx");
    assert_eq!(report["already_imported"], true, "{report}");
    assert_eq!(
        second.json("/api/v1/stores"),
        expected,
        "no line counted twice"
    );
    assert!(dirs.listing().iter().all(|f| !f.starts_with(".importing/")));
}

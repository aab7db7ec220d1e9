//! Restart: this bench binary re-executed as a child that serves the year's data directory the
//! way `crates/server/src/main.rs` does, while the parent polls `/healthz` and `/api/v1/stores`
//! from the moment it spawns it, then reads the child's resident memory from `/proc`.

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use storeboard::mode::Mode;
use storeboard_analytics::Business;
use storeboard_data::{DataDirLock, OrderStore};
use storeboard_engine::{Engine, Settings};
use storeboard_tabs::TabsState;
use storeboard_upload::UploadState;

use crate::http::{json_numbers, Conn};

/// How long the restart may take before the bench gives up on it.
const RESTART_LIMIT: Duration = Duration::from_secs(300);
/// Time between two polls.
const POLL_EVERY: Duration = Duration::from_millis(10);

/// What the restart measured; times from the spawn of the child.
#[derive(Debug, Default)]
pub(crate) struct Restart {
    /// When `/api/v1/stores` first listed every line.
    pub(crate) complete_s: Option<f64>,
    /// When `/healthz` first answered `200`.
    pub(crate) healthz_s: Option<f64>,
    /// Lines `/api/v1/stores` listed last.
    pub(crate) lines_seen: u64,
    /// The child's `VmRSS` once every line was listed, MB.
    pub(crate) rss_mb: f64,
    /// The child's `VmRSS` once it also answered a tab of every store (every store's aggregates
    /// built), MB; 0 if that tab did not answer.
    pub(crate) warm_rss_mb: f64,
    /// The child's `VmHWM` (peak resident) at that moment, MB.
    pub(crate) peak_mb: f64,
    /// Why it did not complete, if it did not.
    pub(crate) failure: Option<String>,
}

impl Restart {
    /// `/healthz` answered at a poll before the one that found every line.
    pub(crate) fn healthz_during_load(&self) -> bool {
        matches!((self.healthz_s, self.complete_s), (Some(h), Some(c)) if h + 0.001 < c)
    }
}

/// Restarts on `dir` in a child and measures it; `expected` is the lines the uploads stored.
pub(crate) fn measure(dir: &Path, expected: u64, threads: usize) -> Result<Restart, String> {
    // A free port for the child: bound here, released, then bound again by the child.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("picking a port: {e}"))?
        .port();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let exe = std::env::current_exe().map_err(|e| format!("own path: {e}"))?;
    let started = Instant::now();
    let mut child = Command::new(exe)
        .args([crate::CHILD, "serve"])
        .arg(dir)
        .args([port.to_string(), threads.to_string()])
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("spawning the restart child: {e}"))?;
    let result = poll(&mut child, addr, expected, started);
    let _ = child.kill();
    let _ = child.wait();
    Ok(result)
}

fn poll(child: &mut Child, addr: SocketAddr, expected: u64, started: Instant) -> Restart {
    let mut out = Restart::default();
    let mut healthz = Conn::new(addr);
    let mut stores = Conn::new(addr);
    while started.elapsed() < RESTART_LIMIT {
        if let Ok(Some(status)) = child.try_wait() {
            out.failure = Some(format!("the restarted server exited: {status}"));
            return out;
        }
        if out.healthz_s.is_none()
            && healthz
                .get("/healthz", Duration::from_secs(1), false)
                .is_ok()
        {
            out.healthz_s = Some(started.elapsed().as_secs_f64());
        }
        if let Ok(answer) = stores.get("/api/v1/stores", Duration::from_secs(5), true) {
            out.lines_seen = json_numbers(&answer.body, "lines").iter().sum();
            if out.lines_seen >= expected {
                out.complete_s = Some(started.elapsed().as_secs_f64());
                (out.rss_mb, _) = memory_mb(child.id());
                // Issue 11 counts the aggregates in: a tab of every store builds the stores'
                // aggregates the warmer has not built yet.
                let warm = stores.get("/api/v1/tabs/overview", Duration::from_secs(120), true);
                if warm.is_ok() {
                    (out.warm_rss_mb, _) = memory_mb(child.id());
                }
                (_, out.peak_mb) = memory_mb(child.id());
                return out;
            }
        }
        std::thread::sleep(POLL_EVERY);
    }
    out.failure = Some(format!(
        "not every line listed within {RESTART_LIMIT:?} ({} of {expected})",
        out.lines_seen
    ));
    out
}

/// `VmRSS` and `VmHWM` of process `pid` in MB (0 where `/proc` is not there).
pub(crate) fn memory_mb(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// In the child: the server as `crates/server/src/main.rs` starts it (keep the two in step): the
/// data-dir lock, `OrderStore::open_in_background` (stores load on background threads), then the
/// app (upload API, tabs with the default cache) bound on `127.0.0.1:port`. Runs until killed.
pub(crate) fn serve_child(dir: &Path, port: u16, threads: usize) -> Result<(), String> {
    let dir = dir.to_owned();
    actix_rt::System::new().block_on(async move {
        let _lock = DataDirLock::acquire(&dir).map_err(|e| e.to_string())?;
        let data_dir = dir.clone();
        // As the binary starts: the stores load in the background while the server answers.
        let store = tokio::task::spawn_blocking(move || OrderStore::open_in_background(&data_dir))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
        let settings = Settings {
            host: "127.0.0.1".into(),
            port,
            threads,
            access_log: false,
            ..Settings::default()
        };
        let upload = UploadState::new(
            Arc::clone(&store),
            dir.clone(),
            settings.max_request_body_size,
        );
        let tabs = TabsState::new(
            store,
            Business::default(),
            storeboard_tabs::DEFAULT_CAPACITY,
        );
        let engine = Engine::new(settings, move || {
            storeboard::app(Mode::Production, upload.clone(), tabs.clone())
        })
        .disable_signals()
        .bind()
        .map_err(|e| e.to_string())?;
        engine.run().await.map_err(|e| e.to_string())
    })
}

//! The server process: building or finding the binary, starting it on a free port, stopping it
//! with SIGTERM, and what it looked like at the end (tab cache counters, log warnings).

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::http::{Conn, REQUEST_TIMEOUT};
use crate::settings::Config;

/// How long the server may take to print `Serving on` (it loads every store first).
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long the server may take to exit after SIGTERM (its `shutdown_timeout` is 10 s).
const STOP_TIMEOUT: Duration = Duration::from_secs(30);

/// `SOAK_SERVER`, or the release binary next to this bench's, built first.
pub(crate) fn server_binary(config: &Config) -> Result<PathBuf, String> {
    // Cargo runs a bench in its package's directory; paths are taken from the workspace root.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    if let Some(path) = &config.server {
        return Ok(root.join(path));
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    println!("soak: cargo build --release -p storeboard");
    let status = Command::new(cargo)
        .args([
            "build",
            "--release",
            "-p",
            "storeboard",
            "--bin",
            "storeboard",
        ])
        .current_dir(&root)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("cargo build --release -p storeboard: {status}"));
    }
    // This bench runs as target/release/deps/soak-…; the server is target/release/storeboard.
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let release = exe
        .parent()
        .and_then(Path::parent)
        .ok_or("cannot find the target directory")?;
    Ok(release.join(format!("storeboard{}", std::env::consts::EXE_SUFFIX)))
}

/// The child process; killed on drop if still running.
pub(crate) struct Server {
    child: Child,
    pub(crate) addr: SocketAddr,
}

/// How the server ended.
#[derive(Debug)]
pub(crate) struct Stopped {
    /// Exited with status 0 in time after SIGTERM.
    pub(crate) clean: bool,
    /// What happened, for the report.
    pub(crate) what: String,
}

impl Server {
    pub(crate) fn start(binary: &Path, data_dir: &Path) -> Result<Self, String> {
        let log = std::fs::File::create(data_dir.join("server.log")).map_err(|e| e.to_string())?;
        let mut child = Command::new(binary)
            .arg("--data-dir")
            .arg(data_dir)
            .args(["--host", "127.0.0.1", "--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let (tx, rx) = mpsc::channel();
        // Reads stdout to the end, so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("Serving on http://") {
                    let _ = tx.send(addr.trim().to_owned());
                }
            }
        });
        let mut server = Self {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        let addr = rx
            .recv_timeout(START_TIMEOUT)
            .map_err(|_| format!("no `Serving on` line within {START_TIMEOUT:?}"))?;
        server.addr = addr
            .parse()
            .map_err(|e| format!("bad address {addr:?}: {e}"))?;
        Ok(server)
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `Some(status)` once the process has exited.
    pub(crate) fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// SIGTERM, then waits for it to exit (Unix); elsewhere, kills it.
    pub(crate) fn stop(&mut self) -> Stopped {
        if let Some(status) = self.exited() {
            return Stopped {
                clean: false,
                what: format!("had already exited ({status})"),
            };
        }
        if cfg!(unix) {
            let sent = Command::new("kill")
                .args(["-TERM", &self.pid().to_string()])
                .status();
            if !sent.is_ok_and(|s| s.success()) {
                let _ = self.child.kill();
                return Stopped {
                    clean: false,
                    what: "could not send SIGTERM; killed".into(),
                };
            }
            let asked = Instant::now();
            while asked.elapsed() < STOP_TIMEOUT {
                if let Some(status) = self.exited() {
                    return Stopped {
                        clean: status.success(),
                        what: format!(
                            "{status} {:.1} s after SIGTERM",
                            asked.elapsed().as_secs_f64()
                        ),
                    };
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
            Stopped {
                clean: false,
                what: format!("still running {STOP_TIMEOUT:?} after SIGTERM; killed"),
            }
        } else {
            let _ = self.child.kill();
            let _ = self.child.wait();
            Stopped {
                clean: true,
                what: "killed (no SIGTERM on this platform)".into(),
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.exited().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// What the server looked like at the end of the run.
#[derive(Debug)]
pub(crate) struct End {
    pub(crate) stopped: Stopped,
    pub(crate) log: LogNotes,
    /// The tab cache's counters from `/metrics`, e.g. `hits 1, misses 2, …`.
    pub(crate) cache: String,
}

/// `GET /metrics`, reduced to the tab cache's counters.
pub(crate) fn tab_cache_counters(addr: SocketAddr) -> Result<String, String> {
    let answer = Conn::new(addr).send("GET", "/metrics", &[], &[], REQUEST_TIMEOUT)?;
    if answer.status != 200 {
        return Err(format!("status {}", answer.status));
    }
    let text = String::from_utf8_lossy(&answer.body);
    let counters: Vec<String> = text
        .lines()
        .filter_map(|l| l.strip_prefix("storeboard_tab_cache_"))
        .map(|l| l.replacen("_total", "", 1))
        .collect();
    Ok(counters.join(", "))
}

/// What the server logged besides the access log: warning and error lines.
#[derive(Debug, Default)]
pub(crate) struct LogNotes {
    pub(crate) lines: usize,
    pub(crate) warnings: usize,
    pub(crate) errors: usize,
    pub(crate) first: Vec<String>,
}

pub(crate) fn server_log_notes(path: &Path) -> LogNotes {
    let mut notes = LogNotes::default();
    let Ok(file) = std::fs::File::open(path) else {
        return notes;
    };
    for line in BufReader::new(file).lines().map_while(Result::ok) {
        notes.lines += 1;
        let warn = line.contains(" WARN ");
        let error = line.contains(" ERROR ");
        notes.warnings += usize::from(warn);
        notes.errors += usize::from(error);
        if (warn || error) && notes.first.len() < 5 {
            notes.first.push(line);
        }
    }
    notes
}

//! The watcher thread: woken by the OS's change events and by a periodic rescan, it finishes
//! what an interrupted run left in `.importing/`, then takes each file of the folder once it has
//! stopped growing, one at a time, oldest first.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use notify::{EventKind, RecursiveMode, Watcher as _};
use storeboard_data::{IngestOptions, OrderStore, ParseLimits, StoreError};

use crate::importer::Importer;
use crate::names::is_candidate;
use crate::settle::{Look, Settle};
use crate::status::ImportStatus;
use crate::ImportError;

/// How long a file must keep its size and modification time before it is taken: long enough
/// for an exporter that writes in bursts, short enough that a dropped file shows up at once.
pub const DEFAULT_SETTLE: Duration = Duration::from_secs(2);
/// How often the folder is read even without a change event: network drives (SMB, NFS) send
/// none for changes made by other machines.
pub const DEFAULT_RESCAN: Duration = Duration::from_secs(5);
/// After a change event, more usually follow (a copy writes in many pieces): they are gathered
/// for this long into one look at the folder.
const GATHER: Duration = Duration::from_millis(100);
/// How often the start-up load is checked while the thread waits for it (and for a stop).
const LOAD_POLL: Duration = Duration::from_millis(250);

/// Where and how the folder is watched.
#[derive(Debug, Clone)]
pub struct ImportConfig {
    /// The folder. Created, with `done/`, `failed/` and `.importing/`, when missing.
    pub dir: PathBuf,
    /// How long a file must stay unchanged before it is taken. Default is [`DEFAULT_SETTLE`].
    pub settle: Duration,
    /// How often the folder is read without a change event. Default is [`DEFAULT_RESCAN`].
    pub rescan: Duration,
    /// The upload's parse budget, applied to the folder's files too.
    pub limits: ParseLimits,
}

impl ImportConfig {
    /// The folder `dir` with the default timings and parse limits.
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            settle: DEFAULT_SETTLE,
            rescan: DEFAULT_RESCAN,
            limits: ParseLimits::default(),
        }
    }
}

/// What wakes the thread.
enum Wake {
    /// Something changed in the folder.
    Changed,
    /// Stop.
    Stop,
}

/// The running watcher: [`ImportDir::stop`] (or dropping it) ends the thread after the file in
/// hand, which is one transaction either way.
#[derive(Debug)]
pub struct ImportDir {
    wake: Sender<Wake>,
    thread: Option<JoinHandle<()>>,
    /// Disconnected when the thread has ended.
    ended: Receiver<()>,
    status: ImportStatus,
}

impl ImportDir {
    /// Creates the folder's directories and starts the thread that imports into `store`,
    /// reporting to `status`. The thread first waits for the store's start-up load.
    pub fn start(
        config: ImportConfig,
        store: Arc<OrderStore>,
        status: ImportStatus,
    ) -> Result<Self, ImportError> {
        Importer::create_dirs(&config.dir)?;
        // Shown absolute: a relative path means little on the dashboard of a service.
        let shown = std::path::absolute(&config.dir).unwrap_or_else(|_| config.dir.clone());
        status.configured(shown, config.rescan.as_secs_f64());
        let (wake, woken) = mpsc::channel();
        let (ended_tx, ended) = mpsc::channel::<()>();
        let events = wake.clone();
        let shared = status.clone();
        let thread = std::thread::Builder::new()
            .name("import-dir".to_owned())
            .spawn(move || {
                let _ended = ended_tx;
                let run = AssertUnwindSafe(|| run(&config, store, &shared, &woken, events));
                if panic::catch_unwind(run).is_err() {
                    tracing::error!("import folder: the watcher stopped after a panic");
                }
                shared.set_watching(false, false);
            })
            .map_err(ImportError::Thread)?;
        Ok(Self {
            wake,
            thread: Some(thread),
            ended,
            status,
        })
    }

    /// The state the watcher reports to.
    pub fn status(&self) -> &ImportStatus {
        &self.status
    }

    /// Tells the thread to stop and waits up to `wait` for it: true when it has ended. A file
    /// still being imported then is finished at the next start (it is in `.importing/`).
    pub fn stop(mut self, wait: Duration) -> bool {
        let _ = self.wake.send(Wake::Stop);
        let ended = matches!(
            self.ended.recv_timeout(wait),
            Err(RecvTimeoutError::Disconnected)
        );
        if ended {
            if let Some(thread) = self.thread.take() {
                let _ = thread.join();
            }
        } else {
            tracing::warn!("import folder: still importing a file at shutdown; it is finished at the next start");
        }
        ended
    }
}

impl Drop for ImportDir {
    fn drop(&mut self) {
        let _ = self.wake.send(Wake::Stop);
    }
}

/// The thread's body.
fn run(
    config: &ImportConfig,
    store: Arc<OrderStore>,
    status: &ImportStatus,
    woken: &Receiver<Wake>,
    events: Sender<Wake>,
) {
    // Kept for the life of the thread: dropping it ends the OS watch.
    let watch = watch(&config.dir, events);
    if !wait_loaded(&store, woken) {
        return;
    }
    status.set_watching(true, watch.is_some());
    tracing::info!(dir = %config.dir.display(), notify = watch.is_some(), "import folder: watching");
    let options = IngestOptions {
        limits: config.limits,
        ..IngestOptions::default()
    };
    let importer = Importer::new(config.dir.clone(), store, options, status.clone());
    recover(&importer);
    let mut settle = Settle::new(config.settle);
    loop {
        let round = AssertUnwindSafe(|| round(config, &importer, &mut settle, status, woken));
        match panic::catch_unwind(round) {
            Ok(true) => {}
            Ok(false) => break,
            Err(_) => tracing::error!("import folder: a look at the folder panicked; going on"),
        }
        let wait = if settle.waiting() > 0 {
            config.settle.min(config.rescan)
        } else {
            config.rescan
        };
        if !sleep(woken, wait) {
            break;
        }
    }
    tracing::info!("import folder: stopped watching");
}

/// Sets the OS watch; `None` (and a warning) where none can be set: the rescan still works.
fn watch(dir: &Path, events: Sender<Wake>) -> Option<notify::RecommendedWatcher> {
    let handler = move |event: notify::Result<notify::Event>| {
        // Reads (ours included) change nothing worth a look.
        if event.is_ok_and(|e| !matches!(e.kind, EventKind::Access(_))) {
            let _ = events.send(Wake::Changed);
        }
    };
    let watched = notify::recommended_watcher(handler)
        .and_then(|mut w| w.watch(dir, RecursiveMode::NonRecursive).map(|()| w));
    match watched {
        Ok(w) => Some(w),
        Err(err) => {
            tracing::warn!(dir = %dir.display(), "import folder: no change events ({err}); reading it every rescan instead");
            None
        }
    }
}

/// Waits for the store's start-up load (writes would wait anyway); false on a stop or when the
/// load failed (the server stops then).
fn wait_loaded(store: &OrderStore, woken: &Receiver<Wake>) -> bool {
    loop {
        match store.wait_loaded(LOAD_POLL) {
            Ok(()) => return true,
            Err(StoreError::Loading { .. }) => {
                while let Ok(wake) = woken.try_recv() {
                    if matches!(wake, Wake::Stop) {
                        return false;
                    }
                }
            }
            Err(err) => {
                tracing::error!("import folder: not watching, the store did not load: {err}");
                return false;
            }
        }
    }
}

/// Finishes the files an interrupted run left in `.importing/`.
fn recover(importer: &Importer) {
    let files = match importer.interrupted() {
        Ok(files) => files,
        Err(err) => return tracing::error!("import folder: {err}"),
    };
    for path in files {
        tracing::info!(file = %path.display(), "import folder: finishing an interrupted import");
        if let Err(err) = importer.finish(&path) {
            tracing::error!("import folder: {err}");
        }
    }
}

/// One look at the folder, and the import of every file found stable, oldest first; false
/// when a stop arrived meanwhile.
fn round(
    config: &ImportConfig,
    importer: &Importer,
    settle: &mut Settle,
    status: &ImportStatus,
    woken: &Receiver<Wake>,
) -> bool {
    // Made again if they went (a network drive remounted empty, a folder deleted by hand).
    let made = Importer::create_dirs(&config.dir).map_err(std::io::Error::other);
    let ready = match made.and_then(|()| scan(&config.dir, settle)) {
        Ok(ready) => {
            if status.scanned(settle.waiting(), None) {
                tracing::info!(dir = %config.dir.display(), "import folder: readable again");
            }
            ready
        }
        Err(err) => {
            if status.scanned(0, Some(err.to_string())) {
                tracing::warn!(dir = %config.dir.display(), "import folder: cannot read it: {err}");
            }
            return true;
        }
    };
    for path in ready {
        if stop_requested(woken) {
            return false;
        }
        settle.forget(&path);
        if let Err(err) = importer.take(&path) {
            tracing::warn!("import folder: {err}; trying again later");
        }
    }
    status.scanned(settle.waiting(), None);
    true
}

/// Reads the folder: the candidates found stable, oldest first; the others are remembered.
fn scan(dir: &Path, settle: &mut Settle) -> std::io::Result<Vec<PathBuf>> {
    let now = Instant::now();
    let mut present = Vec::new();
    let mut ready = Vec::new();
    for entry in std::fs::read_dir(dir)?.flatten() {
        let name = entry.file_name();
        if !is_candidate(&name.to_string_lossy()) {
            continue;
        }
        // Followed through links; directories (done/, failed/, any other) are never taken.
        let Ok(meta) = std::fs::metadata(entry.path()) else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        let path = entry.path();
        let look = Look::of(&meta);
        if settle.look(&path, look, now) {
            ready.push((
                look.modified.unwrap_or(SystemTime::UNIX_EPOCH),
                path.clone(),
            ));
        }
        present.push(path);
    }
    settle.retain(|p| present.iter().any(|q| q == p));
    ready.sort();
    Ok(ready.into_iter().map(|(_, path)| path).collect())
}

/// Whether a stop is waiting (change events read meanwhile are dropped: a look follows anyway).
fn stop_requested(woken: &Receiver<Wake>) -> bool {
    loop {
        match woken.try_recv() {
            Ok(Wake::Stop) | Err(mpsc::TryRecvError::Disconnected) => return true,
            Ok(Wake::Changed) => {}
            Err(mpsc::TryRecvError::Empty) => return false,
        }
    }
}

/// Sleeps until a change (gathered for [`GATHER`]) or `wait`; false on a stop.
fn sleep(woken: &Receiver<Wake>, wait: Duration) -> bool {
    match woken.recv_timeout(wait) {
        Ok(Wake::Stop) | Err(RecvTimeoutError::Disconnected) => false,
        Ok(Wake::Changed) => {
            std::thread::sleep(GATHER);
            !stop_requested(woken)
        }
        Err(RecvTimeoutError::Timeout) => true,
    }
}

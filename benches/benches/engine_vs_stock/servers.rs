//! The servers the bench compares, each started on its own thread with its own actix `System`
//! on `127.0.0.1:0`: the plain engine, stock `HttpServer`, and the full storeboard app.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use actix_web::{web, App, HttpServer};
use storeboard::mode::Mode;
use storeboard_analytics::Business;
use storeboard_benches::cpu::ThreadSet;
use storeboard_data::OrderStore;
use storeboard_tabs::TabsState;
use storeboard_upload::UploadState;

/// The handler of the plain pair: a 30-byte text body.
async fn hello() -> &'static str {
    "Hello from the benchmark page!"
}

/// Stock's `/healthz`: the app's answer without the app around it.
async fn ok() -> &'static str {
    "ok"
}

/// Stops the server on a thread; the thread ends once the server has stopped.
enum Stop {
    Engine(storeboard_engine::ServerHandle),
    Stock(actix_web::dev::ServerHandle),
}

/// One server running on its own thread.
pub struct Running {
    /// Its name in the report.
    pub name: &'static str,
    /// Where it listens.
    pub addr: SocketAddr,
    stop: Stop,
    thread: JoinHandle<()>,
    /// The server's own threads (its `System` thread, workers, acceptor, and for the app the
    /// log writer), for CPU accounting.
    pub threads: ThreadSet,
}

/// What a server thread sends back once it is listening (or could not start).
type Started = Result<(SocketAddr, Stop), String>;

/// Runs `serve` on a new thread in its own `System` and waits until it reports its address.
fn spawn(
    name: &'static str,
    serve: impl FnOnce(std::sync::mpsc::Sender<Started>) + Send + 'static,
) -> Result<Running, String> {
    let (tx, rx) = std::sync::mpsc::channel();
    let thread = std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || serve(tx))
        .map_err(|err| format!("{name}: cannot start its thread: {err}"))?;
    let (addr, stop) = rx
        .recv()
        .map_err(|_| format!("{name}: its thread ended before binding"))??;
    Ok(Running {
        name,
        addr,
        stop,
        thread,
        threads: ThreadSet::default(),
    })
}

/// Runs an engine that `bound` bound (its addresses and the running server), reporting to `tx`.
async fn run_engine(
    name: &'static str,
    bound: Result<(Vec<SocketAddr>, storeboard_engine::Server), storeboard_engine::EngineError>,
    tx: std::sync::mpsc::Sender<Started>,
) {
    let (addrs, server) = match bound {
        Ok(bound) => bound,
        Err(err) => {
            let _ = tx.send(Err(format!("{name}: {err}")));
            return;
        }
    };
    let Some(addr) = addrs.first().copied() else {
        let _ = tx.send(Err(format!("{name}: bound no address")));
        return;
    };
    let _ = tx.send(Ok((addr, Stop::Engine(server.handle()))));
    if let Err(err) = server.await {
        eprintln!("{name}: {err}");
    }
}

/// The plain engine: `GET /` only, access log off.
pub fn start_engine(workers: usize) -> Result<Running, String> {
    const NAME: &str = "storeboard engine";
    spawn(NAME, move |tx| {
        actix_rt::System::new().block_on(async move {
            let settings = storeboard_engine::Settings {
                host: "127.0.0.1".into(),
                port: 0,
                threads: workers,
                access_log: false,
                connection_limit: 1000,
                ..storeboard_engine::Settings::default()
            };
            let bound = storeboard_engine::Engine::new(settings, || {
                App::new().route("/", web::get().to(hello))
            })
            .disable_signals()
            .bind()
            .map(|engine| (engine.local_addrs(), engine.run()));
            run_engine(NAME, bound, tx).await;
        });
    })
}

/// The full app as the binary serves it: the binary's default settings (access log on) but
/// `workers` threads on `127.0.0.1:0`, production mode, no passwords, an empty store in
/// `data_dir`. The log must already be set up (`storeboard::logging`).
pub fn start_app(workers: usize, data_dir: PathBuf) -> Result<Running, String> {
    const NAME: &str = "storeboard app";
    let store = OrderStore::open(&data_dir).map_err(|err| format!("{NAME}: store: {err}"))?;
    let store = Arc::new(store);
    spawn(NAME, move |tx| {
        actix_rt::System::new().block_on(async move {
            let mut settings = storeboard::config::ServerSettings::default().engine;
            settings.host = "127.0.0.1".into();
            settings.port = 0;
            settings.threads = workers;
            let upload =
                UploadState::new(Arc::clone(&store), data_dir, settings.max_request_body_size);
            let tabs = TabsState::new(
                store,
                Business::default(),
                storeboard_tabs::DEFAULT_CAPACITY,
            );
            let bound = storeboard_engine::Engine::new(settings, move || {
                storeboard::app(Mode::Production, upload.clone(), tabs.clone())
            })
            .disable_signals()
            .bind()
            .map(|engine| (engine.local_addrs(), engine.run()));
            run_engine(NAME, bound, tx).await;
        });
    })
}

/// Stock `HttpServer`: `GET /` as the plain engine's, `GET /healthz` answering `ok`.
pub fn start_stock(workers: usize) -> Result<Running, String> {
    const NAME: &str = "stock HttpServer";
    spawn(NAME, move |tx| {
        actix_rt::System::new().block_on(async move {
            let bound = HttpServer::new(|| {
                App::new()
                    .route("/", web::get().to(hello))
                    .route("/healthz", web::get().to(ok))
            })
            .workers(workers)
            .disable_signals()
            .bind(("127.0.0.1", 0));
            let bound = match bound {
                Ok(bound) => bound,
                Err(err) => {
                    let _ = tx.send(Err(format!("{NAME}: {err}")));
                    return;
                }
            };
            let Some(addr) = bound.addrs().first().copied() else {
                let _ = tx.send(Err(format!("{NAME}: bound no address")));
                return;
            };
            let server = bound.run();
            let _ = tx.send(Ok((addr, Stop::Stock(server.handle()))));
            if let Err(err) = server.await {
                eprintln!("{NAME}: {err}");
            }
        });
    })
}

impl Running {
    /// The engine's live counters; `None` for the stock server, which keeps none.
    pub fn engine_stats(&self) -> Option<Arc<storeboard_engine::Stats>> {
        match &self.stop {
            Stop::Engine(handle) => Some(Arc::clone(&handle.info().stats)),
            Stop::Stock(_) => None,
        }
    }

    /// Stops the server (not gracefully: the load generator has closed its connections) and
    /// waits up to 15 s for its thread.
    pub fn shut_down(self) {
        let stopped = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map(|rt| {
                rt.block_on(async {
                    let stop = async {
                        match &self.stop {
                            Stop::Engine(handle) => handle.stop(false).await,
                            Stop::Stock(handle) => handle.stop(false).await,
                        }
                    };
                    tokio::time::timeout(Duration::from_secs(15), stop)
                        .await
                        .is_ok()
                })
            });
        let deadline = Instant::now() + Duration::from_secs(15);
        while stopped.as_ref().is_ok_and(|&ok| ok)
            && !self.thread.is_finished()
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(20));
        }
        if self.thread.is_finished() {
            let _ = self.thread.join();
        } else {
            eprintln!(
                "warning: {} did not stop within 15 s; leaving it to process exit",
                self.name
            );
        }
    }
}

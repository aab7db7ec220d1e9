//! The public entry point: [`Engine`] (a builder that takes the settings and an `App` factory),
//! [`Server`] (the running engine, a future) and [`ServerHandle`] (to stop it).

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::SystemTime;

use actix::prelude::*;
use actix_http::body::MessageBody;
use actix_service::ServiceFactory;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::App;
use tokio::sync::{mpsc, oneshot};

use crate::acceptor::Acceptor;
use crate::cleanup::Cleanup;
use crate::error::EngineError;
use crate::listener::bind_listener;
use crate::settings::Settings;
use crate::shared::Shared;
use crate::shutdown::{Command, Controller, Signals};
use crate::stats::EngineInfo;
use crate::worker::{handler_maker, Worker};

/// Serves an actix-web application with acceptor, worker and cleanup actors, in place of
/// `actix_web::HttpServer`.
///
/// ```no_run
/// use actix_web::{web, App};
/// use storeboard_engine::{Engine, Settings};
///
/// #[actix_web::main]
/// async fn main() -> Result<(), storeboard_engine::EngineError> {
///     let settings = Settings { port: 0, ..Settings::default() };
///     Engine::new(settings, || App::new().route("/", web::get().to(|| async { "hi" })))
///         .bind()?
///         .run()
///         .await
/// }
/// ```
pub struct Engine<F> {
    settings: Settings,
    factory: F,
    listeners: Vec<std::net::TcpListener>,
    handle_signals: bool,
}

impl<F, T, B> Engine<F>
where
    F: Fn() -> App<T> + Send + Clone + 'static,
    T: ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse<B>,
            Error = actix_web::Error,
            InitError = (),
        > + 'static,
    B: MessageBody + 'static,
{
    /// An engine for `settings` that builds one application per worker with `factory`.
    pub fn new(settings: Settings, factory: F) -> Self {
        Self {
            settings,
            factory,
            listeners: Vec::new(),
            handle_signals: true,
        }
    }

    /// Do not install SIGINT/SIGTERM (Ctrl-C) handlers; stop through [`ServerHandle::stop`].
    /// By default signals trigger a graceful stop, and a second signal a forced one.
    pub fn disable_signals(mut self) -> Self {
        self.handle_signals = false;
        self
    }

    /// Validates the settings and binds every address of `listen` (or `host:port`).
    pub fn bind(mut self) -> Result<Self, EngineError> {
        self.settings.validate()?;
        for addr in self.settings.listen_addrs()? {
            let listener = bind_listener(addr, &self.settings)
                .map_err(|source| EngineError::Bind { addr, source })?;
            self.listeners.push(listener);
        }
        Ok(self)
    }

    /// Serves an already bound listener too (it must be in non-blocking mode).
    pub fn listener(mut self, listener: std::net::TcpListener) -> Self {
        self.listeners.push(listener);
        self
    }

    /// The addresses bound so far, with the real ports.
    pub fn local_addrs(&self) -> Vec<SocketAddr> {
        self.listeners
            .iter()
            .filter_map(|l| l.local_addr().ok())
            .collect()
    }

    /// Starts the actors. Call it from within an actix runtime (`#[actix_web::main]`,
    /// `actix_rt::System::new().block_on(..)`); await the returned [`Server`] to run until stopped.
    pub fn run(self) -> Server {
        let local_addrs: Arc<[SocketAddr]> = self.local_addrs().into();
        let shared = Arc::new(Shared::new(self.settings.clone()));
        let info = EngineInfo {
            settings: Arc::new(self.settings),
            local_addrs,
            started_at: SystemTime::now(),
            stats: Arc::clone(&shared.stats),
        };
        let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
        let (done_tx, done_rx) = oneshot::channel();
        let mut arbiters = Vec::new();
        let mut workers = Vec::new();
        let mut readiness = Vec::new();
        for index in 0..shared.settings.threads {
            let arbiter = Arbiter::new();
            let (ready_tx, ready_rx) = oneshot::channel();
            let maker = handler_maker(
                self.factory.clone(),
                Arc::clone(&shared),
                info.clone(),
                index,
            );
            let worker_shared = Arc::clone(&shared);
            let addr = Worker::start_in_arbiter(&arbiter.handle(), move |_| {
                Worker::new(index, worker_shared, maker, ready_tx)
            });
            arbiters.push(arbiter);
            workers.push(addr);
            readiness.push(ready_rx);
        }
        let listeners = self.listeners;
        let controller = Controller {
            shared: Arc::clone(&shared),
            arbiters,
            signals: Signals::new(self.handle_signals),
        };
        actix_rt::spawn(async move {
            for (worker, ready) in readiness.into_iter().enumerate() {
                if !matches!(ready.await, Ok(Ok(()))) {
                    controller.abandon();
                    let _ = done_tx.send(Err(EngineError::WorkerStart { worker }));
                    return;
                }
            }
            let acceptor =
                Acceptor::new(listeners, Arc::clone(&controller.shared), workers).start();
            let cleanup = Cleanup::new(Arc::clone(&controller.shared)).start();
            controller.run(cmd_rx, acceptor, cleanup).await;
            let _ = done_tx.send(Ok(()));
        });
        Server {
            done: done_rx,
            handle: ServerHandle {
                commands: cmd_tx,
                info,
            },
        }
    }
}

/// The running engine. Await it to run until stopped (by a signal or a [`ServerHandle`]).
#[must_use = "a Server does nothing unless awaited"]
pub struct Server {
    done: oneshot::Receiver<Result<(), EngineError>>,
    handle: ServerHandle,
}

impl Server {
    /// A handle to stop the engine and read its counters.
    pub fn handle(&self) -> ServerHandle {
        self.handle.clone()
    }
}

impl Future for Server {
    type Output = Result<(), EngineError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match Pin::new(&mut self.done).poll(cx) {
            Poll::Ready(Ok(result)) => Poll::Ready(result),
            // The controller task vanished: the System was stopped under us.
            Poll::Ready(Err(_)) => Poll::Ready(Ok(())),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Stops a running engine and reads its counters; cheap to clone, usable from any thread.
#[derive(Clone)]
pub struct ServerHandle {
    commands: mpsc::UnboundedSender<Command>,
    info: EngineInfo,
}

impl ServerHandle {
    /// Stops the engine. Graceful: stop accepting, let in-flight requests finish (up to
    /// `shutdown_timeout`), close idle channels. Not graceful: cut every channel now.
    /// Resolves when the engine has stopped.
    pub async fn stop(&self, graceful: bool) {
        let (tx, rx) = oneshot::channel();
        if self
            .commands
            .send(Command::Stop { graceful, done: tx })
            .is_ok()
        {
            let _ = rx.await;
        }
    }

    /// What the engine is serving, with its live counters.
    pub fn info(&self) -> &EngineInfo {
        &self.info
    }
}

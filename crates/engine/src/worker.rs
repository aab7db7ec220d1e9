//! Worker actors: each lives on its own `Arbiter` (thread), builds its own `App` from the
//! factory (an `App` is `!Send`), and serves the connections the acceptor hands it with
//! actix-http's HTTP/1 dispatcher.

use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::atomic::Ordering::*;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use actix_http::body::MessageBody;
use actix_http::{HttpService, KeepAlive, Request, Response};
use actix_service::{fn_service, map_config, IntoServiceFactory, Service, ServiceFactory};
use actix_web::dev::{AppConfig, ServiceRequest, ServiceResponse};
use actix_web::App;
use futures_util::future::LocalBoxFuture;
use tokio::sync::{oneshot, OwnedSemaphorePermit};

use crate::io::TrackedIo;
use crate::registry::Channel;
use crate::service::{expect_check, Track, TrackedBody};
use crate::shared::Shared;
use crate::stats::EngineInfo;

/// Serves one accepted connection to its end.
pub(crate) type ConnHandler = Rc<dyn Fn(TrackedIo, SocketAddr) -> LocalBoxFuture<'static, ()>>;

/// Builds a worker's connection handler on the worker's own thread.
pub(crate) type HandlerMaker =
    Box<dyn FnOnce() -> LocalBoxFuture<'static, Result<ConnHandler, String>> + Send>;

/// A connection the acceptor hands to a worker, with its slot under `connection_limit`.
#[derive(Message)]
#[rtype(result = "()")]
pub(crate) struct Accepted {
    pub(crate) stream: std::net::TcpStream,
    pub(crate) peer: SocketAddr,
    pub(crate) permit: OwnedSemaphorePermit,
}

/// One event loop serving many connections.
pub(crate) struct Worker {
    index: usize,
    shared: Arc<Shared>,
    maker: Option<HandlerMaker>,
    handler: Option<ConnHandler>,
    ready: Option<oneshot::Sender<Result<(), String>>>,
}

impl Worker {
    pub(crate) fn new(
        index: usize,
        shared: Arc<Shared>,
        maker: HandlerMaker,
        ready: oneshot::Sender<Result<(), String>>,
    ) -> Self {
        Self {
            index,
            shared,
            maker: Some(maker),
            handler: None,
            ready: Some(ready),
        }
    }
}

impl Actor for Worker {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        let Some(maker) = self.maker.take() else {
            return;
        };
        // `wait` holds back the mailbox until the App is built, so no connection is handed to
        // a worker that cannot serve it yet.
        ctx.wait(maker().into_actor(self).map(|built, act, ctx| {
            let outcome = built.map(|handler| act.handler = Some(handler));
            let failed = outcome.is_err();
            if let Some(ready) = act.ready.take() {
                let _ = ready.send(outcome);
            }
            if failed {
                ctx.stop();
            }
        }));
    }
}

impl Handler<Accepted> for Worker {
    type Result = ();

    fn handle(&mut self, msg: Accepted, _ctx: &mut Self::Context) {
        let Some(handler) = self.handler.clone() else {
            self.shared.stats.workers[self.index]
                .open
                .fetch_sub(1, Relaxed);
            return;
        };
        // The socket arrives as a std stream: a tokio stream stays registered with the reactor
        // of the thread that created it, so it is re-registered here, on this worker's thread.
        let stream = match tokio::net::TcpStream::from_std(msg.stream) {
            Ok(stream) => stream,
            Err(err) => {
                self.shared.stats.socket_errors.fetch_add(1, Relaxed);
                self.shared.stats.workers[self.index]
                    .open
                    .fetch_sub(1, Relaxed);
                tracing::warn!(peer = %msg.peer, "cannot register accepted socket: {err}");
                return;
            }
        };
        // actix-http's own nodelay option does not reach a custom IO type.
        let _ = stream.set_nodelay(true);
        let shared = &self.shared;
        let id = shared.next_channel_id();
        let channel = Arc::new(Channel::new(
            id,
            msg.peer,
            self.index,
            shared.clock.now_ms(),
        ));
        shared.registry.insert(Arc::clone(&channel));
        // `open` was counted by the acceptor when it chose this worker.
        let guard = ChannelGuard {
            shared: Arc::clone(shared),
            channel: Arc::clone(&channel),
            permit: Some(msg.permit),
        };
        let io = TrackedIo::new(stream, Arc::clone(&channel), shared);
        let served = handler(io, msg.peer);
        let task = actix_rt::spawn(async move {
            let _guard = guard;
            served.await;
        });
        let _ = channel.abort.set(task.abort_handle());
    }
}

/// Releases a channel's registry entry, counter and limit slot however its task ends
/// (finished, failed or aborted).
struct ChannelGuard {
    shared: Arc<Shared>,
    channel: Arc<Channel>,
    permit: Option<OwnedSemaphorePermit>,
}

impl Drop for ChannelGuard {
    fn drop(&mut self) {
        self.shared.registry.remove(self.channel.id);
        self.shared.stats.workers[self.channel.worker]
            .open
            .fetch_sub(1, Relaxed);
        drop(self.permit.take());
        self.shared.note_below_limit();
    }
}

/// Makes the closure that builds one worker's connection handler from the application factory.
pub(crate) fn handler_maker<F, T, B>(
    factory: F,
    shared: Arc<Shared>,
    info: EngineInfo,
    worker: usize,
) -> HandlerMaker
where
    F: Fn() -> App<T> + Send + Clone + 'static,
    T: AppServiceFactory<B>,
    B: MessageBody + 'static,
{
    Box::new(move || {
        Box::pin(async move {
            let addr = info
                .local_addrs
                .first()
                .copied()
                .unwrap_or(([127, 0, 0, 1], 0).into());
            let host = addr.to_string();
            let app = map_config(factory().into_factory(), move |()| {
                AppConfig::__priv_test_new(false, host.clone(), addr)
            });
            let limit = shared.settings.max_request_body_size;
            let track = TrackFactory {
                inner: app,
                shared: Arc::clone(&shared),
                worker,
            };
            let service = HttpService::<TrackedIo, _, _>::build()
                // The cleanup actor, not actix-http's 5 s timers, decides when a channel is idle.
                .keep_alive(KeepAlive::Os)
                .client_request_timeout(Duration::ZERO)
                .client_disconnect_timeout(Duration::from_secs(1))
                .expect(fn_service(expect_check(
                    limit,
                    shared.server_header.clone(),
                )))
                .on_connect_ext(move |io: &TrackedIo, ext| {
                    ext.insert(Arc::clone(io.channel()));
                    ext.insert(info.clone());
                })
                .h1(track)
                .new_service(())
                .await
                .map_err(|err| format!("{err:?}"))?;
            let service = Rc::new(service);
            let handler: ConnHandler = Rc::new(move |io, peer| {
                let service = Rc::clone(&service);
                Box::pin(async move {
                    if let Err(err) = service.call((io, Some(peer))).await {
                        tracing::debug!(%peer, "connection ended with {err}");
                    }
                })
            });
            Ok(handler)
        })
    })
}

/// Builds [`Track`] around the application's service.
struct TrackFactory<F> {
    inner: F,
    shared: Arc<Shared>,
    worker: usize,
}

impl<F, B> ServiceFactory<Request> for TrackFactory<F>
where
    F: ServiceFactory<
        Request,
        Config = (),
        Response = ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    F::Future: 'static,
    F::Service: 'static,
    <F::Service as Service<Request>>::Future: 'static,
    B: MessageBody + 'static,
{
    type Response = Response<TrackedBody>;
    type Error = actix_web::Error;
    type Config = ();
    type Service = Track<F::Service>;
    type InitError = F::InitError;
    type Future = LocalBoxFuture<'static, Result<Self::Service, Self::InitError>>;

    fn new_service(&self, cfg: ()) -> Self::Future {
        let fut = self.inner.new_service(cfg);
        let shared = Arc::clone(&self.shared);
        let worker = self.worker;
        Box::pin(async move {
            Ok(Track {
                inner: fut.await?,
                shared,
                worker,
            })
        })
    }
}

/// What an actix-web `App<T>` must be for the engine to serve it: the bounds `App::into_factory`
/// needs, written once.
pub trait AppServiceFactory<B>:
    ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<B>,
        Error = actix_web::Error,
        InitError = (),
    > + 'static
{
}

impl<T, B> AppServiceFactory<B> for T where
    T: ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse<B>,
            Error = actix_web::Error,
            InitError = (),
        > + 'static
{
}

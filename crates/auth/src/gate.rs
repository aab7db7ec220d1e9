//! The session middleware, only for the requests that read or write a session.
//!
//! actix-session's middleware parses the `Cookie` header, decrypts and decodes the session
//! cookie, and boxes a future, on every request it sees; on the way out it checks whether the
//! session changed. That is wasted on the requests nothing asks "who is this?" of: the health
//! check, the static files, and every request of a server with no password (the guard lets
//! everyone in as admin without looking at the session). [`SessionGate`] sends those straight
//! to the service inside and the rest through the session middleware, both sharing one inner
//! service.
//!
//! Access control does not depend on the gate: the guard still checks every request, and
//! without the session middleware a request reads as carrying no session (not logged in), so
//! skipping it can only deny, never grant, and is only done where the guard needs no role.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use actix_session::storage::CookieSessionStore;
use actix_session::SessionMiddleware;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::Error;
use futures_util::future::{Either, MapOk};
use futures_util::TryFutureExt as _;

use crate::guard::{is_public, needs_no_identity, GuardService};
use crate::login::{LOGIN_PATH, LOGOUT_PATH};

/// The session middleware for the requests that need it (see the module docs); make it with
/// [`crate::AuthState::session_gate`] and wrap it around the guard, as the session middleware
/// would be.
pub struct SessionGate {
    session: SessionMiddleware<CookieSessionStore>,
    /// A password is set: the guard reads the session of every request outside the public
    /// paths.
    enabled: bool,
}

impl SessionGate {
    pub(crate) fn new(session: SessionMiddleware<CookieSessionStore>, enabled: bool) -> Self {
        Self { session, enabled }
    }
}

/// Does this request go through the session middleware?
fn needs_session(enabled: bool, path: &str) -> bool {
    // The handlers that take a `Session`: without the middleware their session would be an
    // empty one that is never saved (a login that silently does not stick).
    if path == LOGIN_PATH || path == LOGOUT_PATH {
        return true;
    }
    // Elsewhere the guard is the only reader, and it needs no role on the public paths nor,
    // with no password, anywhere.
    enabled && !is_public(path)
}

/// One service shared by the gate's two paths.
pub struct Shared<S>(Rc<S>);

impl<S: Service<ServiceRequest>> Service<ServiceRequest> for Shared<S> {
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&self, req: ServiceRequest) -> Self::Future {
        self.0.call(req)
    }
}

/// The session middleware around the gate's inner service.
type WithSession<S> =
    <SessionMiddleware<CookieSessionStore> as Transform<Shared<S>, ServiceRequest>>::Transform;

impl<S, B> Transform<S, ServiceRequest> for SessionGate
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    S::Future: 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Transform = SessionGateService<S>;
    type InitError = ();
    type Future = Pin<Box<dyn Future<Output = Result<Self::Transform, Self::InitError>>>>;

    fn new_transform(&self, service: S) -> Self::Future {
        let inner = Rc::new(service);
        let with_session = self.session.new_transform(Shared(Rc::clone(&inner)));
        let enabled = self.enabled;
        // Once per worker at start-up: the box costs nothing per request.
        Box::pin(async move {
            Ok(SessionGateService {
                inner,
                with_session: with_session.await?,
                enabled,
            })
        })
    }
}

/// The service [`SessionGate`] makes.
pub struct SessionGateService<S>
where
    S: Service<ServiceRequest, Error = Error> + 'static,
    SessionMiddleware<CookieSessionStore>: Transform<Shared<S>, ServiceRequest>,
{
    inner: Rc<S>,
    with_session: WithSession<S>,
    enabled: bool,
}

impl<S, B> Service<ServiceRequest> for SessionGateService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    S::Future: 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Future = Either<S::Future, <WithSession<S> as Service<ServiceRequest>>::Future>;

    fn poll_ready(&self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // Both paths end in the same inner service.
        self.inner.poll_ready(cx)
    }

    fn call(&self, req: ServiceRequest) -> Self::Future {
        if needs_session(self.enabled, req.path()) {
            Either::Right(self.with_session.call(req))
        } else {
            Either::Left(self.inner.call(req))
        }
    }
}

/// [`SessionGate`] and [`crate::Guard`] as one middleware, for an app that wraps both: the
/// requests that need neither (the health check and static files read with GET or HEAD, when
/// no session is needed) go straight to the app, with no guard layer around their future; the
/// others take the same path as through the two (session, then guard, then the app), or the
/// guard alone when no session is needed. Make it with [`crate::AuthState::access_gate`].
pub struct AccessGate {
    session: SessionMiddleware<CookieSessionStore>,
    enabled: bool,
}

impl AccessGate {
    pub(crate) fn new(session: SessionMiddleware<CookieSessionStore>, enabled: bool) -> Self {
        Self { session, enabled }
    }
}

/// The guard around the gate's app.
type Guarded<S> = GuardService<Shared<S>>;
/// The session middleware around the guard.
type GuardedWithSession<S> = <SessionMiddleware<CookieSessionStore> as Transform<
    Shared<Guarded<S>>,
    ServiceRequest,
>>::Transform;
/// The app's response with its body as the guard's left body.
type IntoLeft<B> = fn(ServiceResponse<B>) -> ServiceResponse<EitherBody<B>>;

impl<S, B> Transform<S, ServiceRequest> for AccessGate
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    S::Future: 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = AccessGateService<S>;
    type InitError = ();
    type Future = Pin<Box<dyn Future<Output = Result<Self::Transform, Self::InitError>>>>;

    fn new_transform(&self, service: S) -> Self::Future {
        let app = Rc::new(service);
        let guarded = Rc::new(GuardService::new(Shared(Rc::clone(&app))));
        let with_session = self.session.new_transform(Shared(Rc::clone(&guarded)));
        let enabled = self.enabled;
        // Once per worker at start-up: the box costs nothing per request.
        Box::pin(async move {
            Ok(AccessGateService {
                app,
                guarded,
                with_session: with_session.await?,
                enabled,
            })
        })
    }
}

/// The service [`AccessGate`] makes.
pub struct AccessGateService<S>
where
    S: Service<ServiceRequest, Error = Error> + 'static,
    SessionMiddleware<CookieSessionStore>: Transform<Shared<Guarded<S>>, ServiceRequest>,
{
    app: Rc<S>,
    guarded: Rc<Guarded<S>>,
    with_session: GuardedWithSession<S>,
    enabled: bool,
}

impl<S, B> Service<ServiceRequest> for AccessGateService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    S::Future: 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = Either<
        MapOk<S::Future, IntoLeft<B>>,
        Either<
            <GuardedWithSession<S> as Service<ServiceRequest>>::Future,
            <Guarded<S> as Service<ServiceRequest>>::Future,
        >,
    >;

    fn poll_ready(&self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // Every path ends in the same app.
        self.app.poll_ready(cx)
    }

    fn call(&self, req: ServiceRequest) -> Self::Future {
        if needs_session(self.enabled, req.path()) {
            Either::Right(Either::Left(self.with_session.call(req)))
        } else if needs_no_identity(&req) {
            // What the guard does with these: let them through, asking nothing.
            let into_left: IntoLeft<B> = ServiceResponse::map_into_left_body;
            Either::Left(self.app.call(req).map_ok(into_left))
        } else {
            Either::Right(Either::Right(self.guarded.call(req)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_and_logout_always_get_their_session() {
        for enabled in [false, true] {
            assert!(needs_session(enabled, "/login"));
            assert!(needs_session(enabled, "/logout"));
        }
    }

    #[test]
    fn with_a_password_only_public_paths_skip_the_session() {
        assert!(needs_session(true, "/"));
        assert!(needs_session(true, "/api/v1/uploads"));
        assert!(needs_session(true, "/metrics"));
        assert!(needs_session(true, "/status"));
        assert!(!needs_session(true, "/healthz"));
        assert!(!needs_session(true, "/assets/dashboard.js"));
        assert!(!needs_session(true, "/static/status.css"));
    }

    #[test]
    fn without_a_password_nothing_but_login_and_logout_loads_a_session() {
        for path in [
            "/",
            "/api/v1/uploads",
            "/metrics",
            "/healthz",
            "/assets/x.js",
        ] {
            assert!(!needs_session(false, path), "{path}");
        }
    }
}

//! The guard in front of every route: same-origin check for state-changing requests, then who
//! the request is (Bearer token, session cookie, or nobody), then whether that is enough.
//!
//! It is deny-by-default by method, not by a list of routes: every method other than GET, HEAD
//! and OPTIONS needs the admin role (when an admin password is set), and every read needs the
//! viewer role (when a viewer password is set). A route added tomorrow is protected the same way
//! without anyone remembering to list it.

use std::net::IpAddr;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use actix_session::SessionExt as _;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::{header, Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpMessage as _, HttpResponse};
use futures_util::future::{ready, Either, MapOk, Ready, TryFutureExt as _};
use serde::Serialize;
use serde_json::json;

use crate::client::ip_text;
use crate::limiter::Pace;
use crate::login::{login_url, LOGIN_PATH, LOGOUT_PATH, ROLE_KEY, SESSION_ID_KEY};
use crate::{AuthState, Role};

/// Paths anyone may read: the login page itself, the health check, and static files the login
/// page needs.
const PUBLIC_PATHS: &[&str] = &["/login", "/healthz"];
const PUBLIC_PREFIXES: &[&str] = &["/assets/", "/static/"];

/// How a request proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Via {
    /// No password is set: everyone may do everything.
    Open,
    /// A login session cookie.
    Session,
    /// `Authorization: Bearer`.
    Token,
    /// Nothing (a public path, or refused).
    Anonymous,
}

/// Who made a request, as the guard found it; in the request's extensions for handlers (audit
/// logs, showing or hiding edit controls).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Access {
    /// The role, if any (`Admin` when access control is off).
    pub role: Option<Role>,
    /// How it was established.
    pub via: Via,
    /// The client's address.
    pub ip: String,
    /// Whether passwords are in force (a logout button makes sense).
    pub auth_enabled: bool,
}

impl Access {
    /// May this request change data?
    pub fn can_edit(&self) -> bool {
        self.role == Some(Role::Admin)
    }

    /// `admin (session)`, for logs and the audit log.
    pub fn actor(&self) -> String {
        let role = self.role.map_or("anonymous", Role::as_str);
        let via = match self.via {
            Via::Open => "open",
            Via::Session => "session",
            Via::Token => "token",
            Via::Anonymous => "anonymous",
        };
        format!("{role} ({via})")
    }

    /// Who made `req` and from where, for an audit log: the guard's finding (`admin
    /// (session)`), else `anonymous` and the peer address (an app mounted without the guard).
    pub fn who(req: &actix_web::HttpRequest) -> (String, String) {
        use actix_web::HttpMessage as _;
        match req.extensions().get::<Access>() {
            Some(access) => (access.actor(), access.ip.clone()),
            None => (
                "anonymous".to_owned(),
                req.peer_addr()
                    .map(|a| a.ip().to_string())
                    .unwrap_or_default(),
            ),
        }
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

pub(crate) fn is_public(path: &str) -> bool {
    PUBLIC_PATHS.contains(&path) || PUBLIC_PREFIXES.iter().any(|p| path.starts_with(p))
}

/// The `host[:port]` of an `Origin`/`Referer` value (`http://a:8050/x` → `a:8050`).
fn authority(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    Some(rest.split(['/', '?', '#']).next().unwrap_or(rest))
}

/// The path and query of an absolute URL (`http://a:1/x?y` → `/x?y`).
fn path_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    rest.find('/').map(|i| &rest[i..])
}

/// True when the browser says the request comes from another site. Requests without `Origin`
/// and `Referer` (scripts, curl) are not browser cross-site requests.
fn cross_origin(req: &ServiceRequest) -> bool {
    let host = req.connection_info().host().to_ascii_lowercase();
    let named = |name: header::HeaderName| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    match named(header::ORIGIN).or_else(|| named(header::REFERER)) {
        None => false,
        Some(source) => authority(&source).is_none_or(|a| a.to_ascii_lowercase() != host),
    }
}

fn error_json(status: StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({
        "error": {"code": code, "message": message, "details": {}}
    }))
}

/// The middleware function (wrap it with `actix_web::middleware::from_fn(guard)`, inside the
/// session middleware). [`Guard`] is the same check as a middleware type, without the boxed
/// future `from_fn` costs per request.
pub async fn guard(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let verdict = match req.app_data::<web::Data<AuthState>>() {
        Some(state) => check(state, &req),
        None => Verdict::Pass(None),
    };
    match verdict {
        Verdict::Pass(access) => {
            if let Some(access) = access {
                req.extensions_mut().insert(access);
            }
            next.call(req)
                .await
                .map(ServiceResponse::map_into_left_body)
        }
        Verdict::Refuse(res) => Ok(req.into_response(*res).map_into_right_body()),
    }
}

/// The guard as a middleware type: `App::wrap(Guard)`, inside the session middleware (or
/// [`crate::SessionGate`]). Reads the [`AuthState`] that [`crate::configure`] put in the app
/// data; an app without one is not guarded.
#[derive(Debug, Clone, Copy, Default)]
pub struct Guard;

impl<S, B> Transform<S, ServiceRequest> for Guard
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = GuardService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(GuardService { service }))
    }
}

/// The service [`Guard`] makes.
pub struct GuardService<S> {
    service: S,
}

impl<S> GuardService<S> {
    /// The guard around `service` (what [`Guard`] makes, for a middleware that holds it).
    pub(crate) fn new(service: S) -> Self {
        Self { service }
    }
}

/// The inner response with its body as the left one of the guard's `EitherBody`.
type IntoLeft<B> = fn(ServiceResponse<B>) -> ServiceResponse<EitherBody<B>>;

impl<S, B> Service<ServiceRequest> for GuardService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    // A pass is the inner future, its body mapped: no allocation. A refusal (rare) is ready at
    // once and boxed, so the pass's future, moved through every layer outside on each request,
    // does not carry a whole response inline.
    type Future = Either<Box<Ready<Result<Self::Response, Error>>>, MapOk<S::Future, IntoLeft<B>>>;

    fn poll_ready(&self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.service.poll_ready(cx)
    }

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let verdict = if needs_no_identity(&req) {
            Verdict::Pass(None)
        } else {
            match req.app_data::<web::Data<AuthState>>() {
                Some(state) => check(state, &req),
                None => Verdict::Pass(None),
            }
        };
        match verdict {
            Verdict::Pass(access) => {
                if let Some(access) = access {
                    req.extensions_mut().insert(access);
                }
                let into_left: IntoLeft<B> = ServiceResponse::map_into_left_body;
                Either::Right(self.service.call(req).map_ok(into_left))
            }
            Verdict::Refuse(res) => Either::Left(Box::new(ready(Ok(req
                .into_response(*res)
                .map_into_right_body())))),
        }
    }
}

/// What the guard decided.
enum Verdict {
    /// Let it through, with who it is for the handlers (`None`: no access control here).
    Pass(Option<Access>),
    /// Answer this instead.
    Refuse(Box<HttpResponse>),
}

/// A read of the health check or a static file: it needs no role, and nothing there asks who
/// the client is, so no address is formatted and no identity stored (a monitor polls
/// `/healthz`).
pub(crate) fn needs_no_identity(req: &ServiceRequest) -> bool {
    let path = req.path();
    is_safe(req.method())
        && (path == "/healthz" || PUBLIC_PREFIXES.iter().any(|p| path.starts_with(p)))
}

/// The guard's whole decision: same-origin check for state-changing requests, who the request
/// is, and whether that is enough.
fn check(state: &AuthState, req: &ServiceRequest) -> Verdict {
    if !is_safe(req.method()) && cross_origin(req) {
        return Verdict::Refuse(Box::new(error_json(
            StatusCode::FORBIDDEN,
            "cross_origin",
            "请求来自其他网站,已拒绝 (cross-site request refused)",
        )));
    }
    let client = state.client(req.peer_addr(), req.headers());
    let access = match identify(state, req, client) {
        Ok(access) => access,
        Err(res) => return Verdict::Refuse(res),
    };
    let needed = needed_role(state, req.method(), req.path());
    if needed.is_some_and(|n| access.role.is_none_or(|r| r < n)) {
        return Verdict::Refuse(Box::new(refusal(req, &access)));
    }
    Verdict::Pass(Some(access))
}

/// Who the request is; an error response for a wrong token (counted as a failed login) or a
/// client that must wait.
fn identify(
    state: &AuthState,
    req: &ServiceRequest,
    client: IpAddr,
) -> Result<Access, Box<HttpResponse>> {
    let enabled = state.enabled();
    let ip = ip_text(client);
    let access = |role, via, ip| Access {
        role,
        via,
        ip,
        auth_enabled: enabled,
    };
    if !enabled {
        return Ok(access(Some(Role::Admin), Via::Open, ip));
    }
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if let Some(token) = bearer {
        let role = check_token(state, client, &ip, token.trim())?;
        return Ok(access(Some(role), Via::Token, ip));
    }
    Ok(match session_role(state, req) {
        Some(role) => access(Some(role), Via::Session, ip),
        None => access(None, Via::Anonymous, ip),
    })
}

/// The role of a bearer token, checked like a login: paced past the global ceiling (a script
/// cannot wait here, so it is told when to retry), refused while its client is blocked for
/// that role (or, for a wrong token, for any role), counted when wrong.
fn check_token(
    state: &AuthState,
    client: IpAddr,
    ip: &str,
    token: &str,
) -> Result<Role, Box<HttpResponse>> {
    let now = Instant::now();
    let failures = "密码错误次数过多,请稍后再试 (too many failed attempts)";
    if let Some(wait) = state.limiter.blocked_all(client, now) {
        return Err(too_many(wait, failures));
    }
    if let Pace::Refuse(wait) = state.limiter.pace(now, Duration::ZERO) {
        return Err(too_many(
            wait,
            "登录尝试过多,服务器已放慢所有登录,请稍后再试 (logins are being slowed down)",
        ));
    }
    let role = state.role_of(token);
    let blocked = match role {
        Some(role) => state.limiter.blocked_for(client, role, now),
        None => state.limiter.blocked_any(client, now),
    };
    if let Some(wait) = blocked {
        return Err(too_many(wait, failures));
    }
    role.ok_or_else(|| {
        state.limiter.fail(client, now);
        state.emit("login_failed", None, ip);
        Box::new(error_json(
            StatusCode::UNAUTHORIZED,
            "bad_token",
            "令牌不正确 (wrong bearer token)",
        ))
    })
}

fn too_many(wait: Duration, message: &str) -> Box<HttpResponse> {
    let seconds = wait.as_secs().max(1);
    Box::new(
        HttpResponse::TooManyRequests()
            .insert_header((header::RETRY_AFTER, seconds.to_string()))
            .json(
                json!({"error": {"code": "too_many_failures", "message": message,
                "details": {"retry_after_seconds": seconds}}}),
            ),
    )
}

/// The role of the request's session, if it names a live server-side session of that role; a
/// session that does not (logged out, ended by a password change, or from before sessions had
/// ids) is purged, so the browser drops its cookie.
fn session_role(state: &AuthState, req: &ServiceRequest) -> Option<Role> {
    let session = req.get_session();
    let role = session
        .get::<String>(ROLE_KEY)
        .ok()
        .flatten()
        .and_then(|r| Role::parse(&r))?;
    let id = session.get::<String>(SESSION_ID_KEY).ok().flatten();
    if id.is_some_and(|id| state.sessions.is_live(&id, role)) {
        return Some(role);
    }
    // Not on the login form's post: a purge is final for the request, and would drop the
    // session the login is about to start.
    if req.path() != LOGIN_PATH {
        session.purge();
    }
    None
}

/// The role a request needs: none for public paths or when nothing is protected.
fn needed_role(state: &AuthState, method: &Method, path: &str) -> Option<Role> {
    let c = &state.config;
    // Ending one's own session is open to every role (and harmless without one); the
    // same-origin check still applies.
    if is_public(path) || path == LOGOUT_PATH {
        return None;
    }
    if is_safe(method) {
        return c.viewer_password.as_ref().map(|_| Role::Viewer);
    }
    match (&c.admin_password, &c.viewer_password) {
        (Some(_), _) => Some(Role::Admin),
        (None, Some(_)) => Some(Role::Viewer),
        (None, None) => None,
    }
}

/// 401/403 as JSON for API calls and writes; pages go to the login page (htmx via
/// `HX-Redirect`, so the whole page navigates rather than the login form landing in a tab).
fn refusal(req: &ServiceRequest, access: &Access) -> HttpResponse {
    let api = req.path().contains("/api/") || !is_safe(req.method());
    if access.role.is_some() {
        return error_json(
            StatusCode::FORBIDDEN,
            "forbidden",
            "需要管理员权限 (admin role required)",
        );
    }
    if api {
        let mut res = error_json(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "请先登录,或使用 Authorization: Bearer <密码> (log in or send a bearer token)",
        );
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer realm=\"storeboard\""),
        );
        return res;
    }
    let htmx_page = req
        .headers()
        .get("hx-current-url")
        .and_then(|v| v.to_str().ok())
        .and_then(path_of);
    if req.headers().contains_key("hx-request") {
        let target = login_url(htmx_page.unwrap_or("/"));
        return HttpResponse::Unauthorized()
            .insert_header(("HX-Redirect", target))
            .finish();
    }
    let here = match req.query_string() {
        "" => req.path().to_owned(),
        q => format!("{}?{q}", req.path()),
    };
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, login_url(&here)))
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authority_is_the_host_and_port_of_a_url() {
        assert_eq!(authority("http://a.b:8050/x?y"), Some("a.b:8050"));
        assert_eq!(authority("https://x"), Some("x"));
        assert_eq!(authority("null"), None);
        assert_eq!(path_of("http://a:1/x?y=1"), Some("/x?y=1"));
        assert_eq!(path_of("http://a:1"), None);
    }

    #[test]
    fn login_page_health_and_assets_are_public_and_nothing_else() {
        assert!(is_public("/login"));
        assert!(is_public("/assets/dashboard.abc.js"));
        assert!(!is_public("/"));
        assert!(!is_public("/api/v1/uploads"));
        assert!(!is_public("/login/../api"));
    }
}

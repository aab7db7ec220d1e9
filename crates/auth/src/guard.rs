//! The guard in front of every route: same-origin check for state-changing requests, then who
//! the request is (Bearer token, session cookie, or nobody), then whether that is enough.
//!
//! It is deny-by-default by method, not by a list of routes: every method other than GET, HEAD
//! and OPTIONS needs the admin role (when an admin password is set), and every read needs the
//! viewer role (when a viewer password is set). A route added tomorrow is protected the same way
//! without anyone remembering to list it.

use std::time::Instant;

use actix_session::SessionExt as _;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpMessage as _, HttpResponse};
use serde::Serialize;
use serde_json::json;

use crate::login::{login_url, ROLE_KEY};
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
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn is_public(path: &str) -> bool {
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
/// session middleware).
pub async fn guard(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let Some(state) = req.app_data::<web::Data<AuthState>>().cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    let ip = req
        .peer_addr()
        .map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string());
    if !is_safe(req.method()) && cross_origin(&req) {
        let res = error_json(
            StatusCode::FORBIDDEN,
            "cross_origin",
            "请求来自其他网站,已拒绝 (cross-site request refused)",
        );
        return Ok(req.into_response(res).map_into_right_body());
    }
    let access = match identify(&state, &req, &ip) {
        Ok(access) => access,
        Err(res) => return Ok(req.into_response(*res).map_into_right_body()),
    };
    let needed = needed_role(&state, req.method(), req.path());
    if needed.is_some_and(|n| access.role.is_none_or(|r| r < n)) {
        let res = refusal(&req, &access);
        return Ok(req.into_response(res).map_into_right_body());
    }
    req.extensions_mut().insert(access);
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

/// Who the request is; an error response for a wrong token (counted as a failed login).
fn identify(
    state: &AuthState,
    req: &ServiceRequest,
    ip: &str,
) -> Result<Access, Box<HttpResponse>> {
    let enabled = state.enabled();
    let access = |role, via| Access {
        role,
        via,
        ip: ip.to_owned(),
        auth_enabled: enabled,
    };
    if !enabled {
        return Ok(access(Some(Role::Admin), Via::Open));
    }
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if let Some(token) = bearer {
        let now = Instant::now();
        if let Some(wait) = state.limiter.blocked_for(ip, now) {
            return Err(Box::new(
                HttpResponse::TooManyRequests()
                    .insert_header((header::RETRY_AFTER, wait.as_secs().max(1).to_string()))
                    .json(json!({"error": {"code": "too_many_failures",
                    "message": "密码错误次数过多,请稍后再试 (too many failed attempts)",
                    "details": {"retry_after_seconds": wait.as_secs().max(1)}}})),
            ));
        }
        return match state.role_of(token.trim()) {
            Some(role) => Ok(access(Some(role), Via::Token)),
            None => {
                state.limiter.fail(ip, now);
                state.emit("login_failed", None, ip);
                Err(Box::new(error_json(
                    StatusCode::UNAUTHORIZED,
                    "bad_token",
                    "令牌不正确 (wrong bearer token)",
                )))
            }
        };
    }
    let role = req
        .get_session()
        .get::<String>(ROLE_KEY)
        .ok()
        .flatten()
        .and_then(|r| Role::parse(&r));
    Ok(match role {
        Some(role) => access(Some(role), Via::Session),
        None => access(None, Via::Anonymous),
    })
}

/// The role a request needs: none for public paths or when nothing is protected.
fn needed_role(state: &AuthState, method: &Method, path: &str) -> Option<Role> {
    let c = &state.config;
    if is_public(path) {
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

//! `GET /login`, `POST /login` and `POST /logout`.

use std::time::Instant;

use actix_session::Session;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use minijinja::{context, Environment};
use serde::Deserialize;

use crate::{AuthState, Role};

/// The login page.
pub(crate) const LOGIN_PATH: &str = "/login";
/// Ends the session.
pub(crate) const LOGOUT_PATH: &str = "/logout";
/// The session entry holding the role.
pub(crate) const ROLE_KEY: &str = "role";

const PAGE: &str = r#"<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>登录 · 门店看板</title>
<style>
body { margin: 0; min-height: 100vh; display: flex; align-items: center; justify-content: center;
  background: #0f172a; font-family: -apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; }
form { background: #fff; padding: 32px 36px; border-radius: 12px; width: 320px; }
h1 { margin: 0 0 4px; font-size: 22px; } p { color: #6b7280; font-size: 13px; }
input[type=password] { width: 100%; box-sizing: border-box; padding: 10px; font-size: 15px; border: 1px solid #d1d5db; border-radius: 8px; }
button { margin-top: 14px; width: 100%; padding: 10px; font-size: 15px; border: 0; border-radius: 8px; background: #2563eb; color: #fff; cursor: pointer; }
.error { background: #fef2f2; color: #991b1b; padding: 8px 10px; border-radius: 6px; font-size: 13px; }
</style>
</head>
<body>
<form method="post" action="/login">
  <h1>门店看板</h1>
  <p>{% if open %}本服务器没有设置密码,无需登录。<a href="/">进入看板</a>{% else %}请输入管理员或查看密码。{% endif %}</p>
  {% if message %}<p class="error" role="alert">{{ message }}</p>{% endif %}
  <input type="hidden" name="next" value="{{ next }}">
  <label for="password">密码</label>
  <input type="password" id="password" name="password" autocomplete="current-password" autofocus required>
  <button type="submit">登录</button>
</form>
</body>
</html>
"#;

/// The login URL that returns to `next` afterwards.
pub(crate) fn login_url(next: &str) -> String {
    let query = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
    format!("{LOGIN_PATH}?{query}")
}

/// Only our own paths: `/x` but not `//evil.example` or `/\evil` (an open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

fn render(state: &AuthState, status: StatusCode, next: &str, message: &str) -> HttpResponse {
    let mut env = Environment::new();
    let html = env
        .add_template("login.html", PAGE)
        .and_then(|()| env.get_template("login.html"))
        .and_then(|t| t.render(context! { next, message, open => !state.enabled() }))
        .unwrap_or_else(|e| format!("login page failed: {e}"));
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(html)
}

fn client_ip(req: &HttpRequest) -> String {
    req.peer_addr()
        .map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string())
}

/// The query or form of the login page.
#[derive(Debug, Deserialize)]
pub(crate) struct LoginForm {
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// The `next` parameter of the login page's query.
#[derive(Debug, Deserialize)]
pub(crate) struct NextQuery {
    next: Option<String>,
}

/// `GET /login`.
pub(crate) async fn page(state: web::Data<AuthState>, q: web::Query<NextQuery>) -> HttpResponse {
    render(&state, StatusCode::OK, &safe_next(q.next.as_deref()), "")
}

/// `POST /login`: a right password starts a session with its role; a wrong one counts against
/// the client's address.
pub(crate) async fn submit(
    state: web::Data<AuthState>,
    req: HttpRequest,
    session: Session,
    form: web::Form<LoginForm>,
) -> HttpResponse {
    let ip = client_ip(&req);
    let next = safe_next(form.next.as_deref());
    let now = Instant::now();
    if let Some(wait) = state.limiter.blocked_for(&ip, now) {
        state.emit("login_blocked", None, &ip);
        let minutes = wait.as_secs().div_ceil(60).max(1);
        let mut res = render(
            &state,
            StatusCode::TOO_MANY_REQUESTS,
            &next,
            &format!("密码错误次数过多,请 {minutes} 分钟后再试。"),
        );
        if let Ok(v) = header::HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return res;
    }
    match state.role_of(&form.password) {
        Some(role) => {
            state.limiter.clear(&ip);
            // A new session id on login: a cookie planted before cannot be reused.
            session.renew();
            if session.insert(ROLE_KEY, role.as_str()).is_err() {
                return render(
                    &state,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &next,
                    "无法保存登录状态,请重试。",
                );
            }
            state.emit("login", Some(role), &ip);
            HttpResponse::SeeOther()
                .insert_header((header::LOCATION, next))
                .finish()
        }
        None => {
            let left = state.limiter.fail(&ip, now);
            state.emit("login_failed", None, &ip);
            let message = if left == 0 {
                "密码不正确。错误次数过多,请稍后再试。".to_owned()
            } else {
                format!("密码不正确,还可以再试 {left} 次。")
            };
            render(&state, StatusCode::UNAUTHORIZED, &next, &message)
        }
    }
}

/// `POST /logout`: ends the session and shows the login page.
pub(crate) async fn logout(
    state: web::Data<AuthState>,
    req: HttpRequest,
    session: Session,
) -> HttpResponse {
    let role = session
        .get::<String>(ROLE_KEY)
        .ok()
        .flatten()
        .and_then(|r| Role::parse(&r));
    session.purge();
    state.emit("logout", role, &client_ip(&req));
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, LOGIN_PATH))
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_only_ever_points_at_our_own_paths() {
        assert_eq!(safe_next(Some("/?tab=data")), "/?tab=data");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn the_login_url_carries_the_page_to_return_to() {
        assert_eq!(
            login_url("/?tab=data&store=门店1"),
            "/login?next=%2F%3Ftab%3Ddata%26store%3D%E9%97%A8%E5%BA%971"
        );
    }
}

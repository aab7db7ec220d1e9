//! `GET /login`, `POST /login` and `POST /logout`.

use std::borrow::Cow;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use actix_session::Session;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use minijinja::{context, Environment};
use serde::Deserialize;

use crate::client::ip_text;
use crate::limiter::Pace;
use crate::{AuthState, Role};

/// The login page.
pub(crate) const LOGIN_PATH: &str = "/login";
/// Ends the session.
pub(crate) const LOGOUT_PATH: &str = "/logout";
/// The session entry holding the role.
pub(crate) const ROLE_KEY: &str = "role";
/// The session entry holding the server-side session id.
pub(crate) const SESSION_ID_KEY: &str = "sid";
/// Longest a login waits for its turn while logins are paced (past it: 429).
const MAX_PACE_WAIT: Duration = Duration::from_secs(10);
/// Shown on the login page while every login is paced.
const SLOWED: &str =
    "近期失败的登录尝试异常多,为安全起见,所有登录都已放慢(全服务器每秒一次),请耐心等待。";

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
  {% if notice %}<p class="error" role="status">{{ notice }}</p>{% endif %}
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

/// `next` when it is one of our own paths, else `/` (never an open redirect, never a header
/// that cannot be sent).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if is_own_path(n) => n.to_owned(),
        _ => "/".to_owned(),
    }
}

/// `/x`, but not `//evil.example` nor `/\evil` (a browser reads `\` as `/`), nor anything with
/// a control character: a browser drops tab, CR and LF from a URL, so `/\t/evil.example`
/// becomes `//evil.example`, and CR/LF cannot go in a `Location` header at all. The same holds
/// for every percent-decoded form (`/%09/evil.example`): a text that still changes after a few
/// rounds of decoding is refused too.
fn is_own_path(next: &str) -> bool {
    let mut text = Cow::Borrowed(next);
    for _ in 0..4 {
        let plain = text.starts_with('/')
            && !text.starts_with("//")
            && !text.chars().any(|c| c == '\\' || c.is_control());
        if !plain {
            return false;
        }
        match percent_decoded(&text) {
            Some(decoded) => text = Cow::Owned(decoded),
            None => return true,
        }
    }
    false
}

/// `text` with its `%XX` escapes decoded (`None` when it has none).
fn percent_decoded(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let hex = |b: u8| {
        char::from(b)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    let mut out = Vec::with_capacity(bytes.len());
    let mut changed = false;
    let mut i = 0;
    while i < bytes.len() {
        let escape = (bytes[i] == b'%')
            .then(|| Some((hex(*bytes.get(i + 1)?)?, hex(*bytes.get(i + 2)?)?)))
            .flatten();
        match escape {
            Some((high, low)) => {
                out.push((high << 4) | low);
                changed = true;
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    changed.then(|| String::from_utf8_lossy(&out).into_owned())
}

fn render(state: &AuthState, status: StatusCode, next: &str, message: &str) -> HttpResponse {
    let notice = if state.limiter.slowed(Instant::now()) {
        SLOWED
    } else {
        ""
    };
    let mut env = Environment::new();
    let html = env
        .add_template("login.html", PAGE)
        .and_then(|()| env.get_template("login.html"))
        .and_then(|t| t.render(context! { next, message, notice, open => !state.enabled() }))
        .unwrap_or_else(|e| format!("login page failed: {e}"));
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(html)
}

/// 429 with the login page, `message` and `Retry-After`.
fn too_many(state: &AuthState, next: &str, wait: Duration, message: &str) -> HttpResponse {
    let mut res = render(state, StatusCode::TOO_MANY_REQUESTS, next, message);
    if let Ok(v) = header::HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
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
/// the client's address. Past the global ceiling every login first waits its turn.
pub(crate) async fn submit(
    state: web::Data<AuthState>,
    req: HttpRequest,
    session: Session,
    form: web::Form<LoginForm>,
) -> HttpResponse {
    let client = state.client(req.peer_addr(), req.headers());
    let ip = ip_text(client);
    let next = safe_next(form.next.as_deref());
    // Blocked for every role, nothing it sends can succeed: answered at once, taking no turn
    // from the others while logins are paced.
    if let Some(wait) = state.limiter.blocked_all(client, Instant::now()) {
        return blocked_answer(&state, &ip, &next, wait);
    }
    match state.limiter.pace(Instant::now(), MAX_PACE_WAIT) {
        Pace::Go(wait) if !wait.is_zero() => actix_web::rt::time::sleep(wait).await,
        Pace::Go(_) => {}
        Pace::Refuse(wait) => return too_many(&state, &next, wait, SLOWED),
    }
    let now = Instant::now();
    let role = state.role_of(&form.password);
    // A wrong password may have been meant for either role: blocked for any, it waits.
    let blocked = match role {
        Some(role) => state.limiter.blocked_for(client, role, now),
        None => state.limiter.blocked_any(client, now),
    };
    if let Some(wait) = blocked {
        return blocked_answer(&state, &ip, &next, wait);
    }
    let Some(role) = role else {
        let left = state.limiter.fail(client, now);
        state.emit("login_failed", None, &ip);
        let message = if left == 0 {
            "密码不正确。错误次数过多,请稍后再试。".to_owned()
        } else {
            format!("密码不正确,还可以再试 {left} 次。")
        };
        return render(&state, StatusCode::UNAUTHORIZED, &next, &message);
    };
    start_session(&state, &session, role, client, &ip, next).await
}

/// 429 for a client blocked after too many failures.
fn blocked_answer(state: &AuthState, ip: &str, next: &str, wait: Duration) -> HttpResponse {
    state.emit("login_blocked", None, ip);
    let minutes = wait.as_secs().div_ceil(60).max(1);
    let message = format!("密码错误次数过多,请 {minutes} 分钟后再试。");
    too_many(state, next, wait, &message)
}

/// Starts a session of `role`: a server-side id, kept in the store, then the cookie.
async fn start_session(
    state: &AuthState,
    session: &Session,
    role: Role,
    client: IpAddr,
    ip: &str,
    next: String,
) -> HttpResponse {
    let stored = state.sessions.start(role);
    let failed = |state: &AuthState| {
        state.sessions.end(&stored.id);
        render(
            state,
            StatusCode::INTERNAL_SERVER_ERROR,
            &next,
            "无法保存登录状态,请重试。",
        )
    };
    if let Some(store) = state.sessions.store.clone() {
        let kept = stored.clone();
        match web::block(move || store.save(&kept)).await {
            Ok(Ok(())) => {}
            Ok(Err(err)) => {
                tracing::error!("cannot keep the new session: {err}");
                return failed(state);
            }
            Err(_) => return failed(state),
        }
    }
    state.limiter.succeed(client, role, Instant::now());
    // A new cookie on login: a cookie planted before cannot be reused.
    session.renew();
    let inserted = session
        .insert(ROLE_KEY, role.as_str())
        .and_then(|()| session.insert(SESSION_ID_KEY, &stored.id));
    if inserted.is_err() {
        return failed(state);
    }
    state.emit("login", Some(role), ip);
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, ascii_url(&next)))
        .finish()
}

/// `url` with every non-ASCII byte percent-encoded: a `Location` header is ASCII (clients may
/// drop or mangle raw UTF-8 in it), and the browser decodes the escapes back.
fn ascii_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for b in url.bytes() {
        if b.is_ascii() {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `POST /logout`: ends the session, here and in the store, and shows the login page.
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
    let id = session.get::<String>(SESSION_ID_KEY).ok().flatten();
    session.purge();
    if let Some(id) = id {
        state.sessions.end(&id);
        if let Some(store) = state.sessions.store.clone() {
            let ids = vec![id];
            if !matches!(web::block(move || store.delete(&ids)).await, Ok(Ok(()))) {
                // Ended in memory; a restart would take it back from the store.
                tracing::error!("cannot delete a logged-out session from the session store");
            }
        }
        // Only a real logout is logged: anyone may post here, and need not fill the log.
        let client = state.client(req.peer_addr(), req.headers());
        state.emit("logout", role, &ip_text(client));
    }
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
    fn next_with_control_characters_or_their_escapes_falls_back_to_the_root() {
        for attack in [
            "/\t/evil.example",
            "/%09/evil.example",
            "/%0a/evil.example",
            "/x\r\nSet-Cookie: a=b",
            "/x%0d%0aSet-Cookie:%20a=b",
            "/%5Cevil.example",
            "/%2F/evil.example",
            "/%252F%252Fevil.example",
            "/\u{7f}/evil",
            "/\u{85}/evil",
        ] {
            assert_eq!(safe_next(Some(attack)), "/", "{attack:?}");
        }
        assert_eq!(
            safe_next(Some("/?store=%E9%97%A8%E5%BA%97&tab=data")),
            "/?store=%E9%97%A8%E5%BA%97&tab=data"
        );
        assert_eq!(
            safe_next(Some("/?tab=data&store=门店1")),
            "/?tab=data&store=门店1"
        );
        assert_eq!(safe_next(Some("/100%")), "/100%");
        assert_eq!(ascii_url("/?store=门店1"), "/?store=%E9%97%A8%E5%BA%971");
    }

    #[test]
    fn the_login_url_carries_the_page_to_return_to() {
        assert_eq!(
            login_url("/?tab=data&store=门店1"),
            "/login?next=%2F%3Ftab%3Ddata%26store%3D%E9%97%A8%E5%BA%971"
        );
    }
}

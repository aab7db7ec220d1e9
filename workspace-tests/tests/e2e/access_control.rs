//! Access control of the real app with passwords set: every route the app mounts, taken from
//! the same tables it registers from (`storeboard::endpoints()`), is tried without credentials,
//! as a viewer and as an admin. A route added later is covered without being listed here.

use std::sync::Arc;
use std::time::Duration;

use storeboard::mode::Mode;
use storeboard_analytics::Business;
use storeboard_auth::{AuthConfig, AuthState};
use storeboard_data::OrderStore;
use storeboard_routes::Endpoint;
use storeboard_tabs::{TabsState, DEFAULT_CAPACITY};
use storeboard_upload::UploadState;
use tempfile::TempDir;

use crate::support::{settings, TestServer, IO_TIMEOUT};

const ADMIN: &str = "admin-pw-7f3";
const VIEWER: &str = "viewer-pw-2c9";

/// The real app with `config`'s passwords over a temp data dir.
struct Secured {
    server: TestServer,
    _dir: TempDir,
}

impl Secured {
    fn start(admin: Option<&str>, viewer: Option<&str>) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Arc::new(OrderStore::open(dir.path()).expect("store opens"));
        let tabs = TabsState::new(Arc::clone(&store), Business::default(), DEFAULT_CAPACITY);
        let upload = UploadState::new(store, dir.path().to_owned(), 1 << 20);
        let config = AuthConfig {
            admin_password: admin.map(str::to_owned),
            viewer_password: viewer.map(str::to_owned),
            max_failures: 1000,
            ..AuthConfig::default()
        };
        let key = storeboard_auth::load_or_create_key(dir.path()).expect("key");
        let auth = AuthState::new(config, key);
        let app = move || {
            storeboard::app_with_auth(Mode::Production, upload.clone(), tabs.clone(), auth.clone())
        };
        Self {
            server: TestServer::serve(settings(), app),
            _dir: dir,
        }
    }

    /// Status and `Location` of `method path` with an optional bearer token (redirects are not
    /// followed).
    fn call(&self, method: &str, path: &str, token: Option<&str>) -> (u16, String) {
        let agent = ureq::AgentBuilder::new()
            .timeout(IO_TIMEOUT)
            .redirects(0)
            .build();
        let mut req = agent.request(method, &self.server.url(path));
        if let Some(t) = token {
            req = req.set("Authorization", &format!("Bearer {t}"));
        }
        let res = match req.call() {
            Ok(res) => res,
            Err(ureq::Error::Status(_, res)) => res,
            Err(err) => panic!("{method} {path}: {err}"),
        };
        let location = res.header("location").unwrap_or("").to_owned();
        (res.status(), location)
    }
}

/// Every route with a path to try (parameters filled in), skipping the prefix-redirect route
/// that only exists under a scope.
fn routes() -> Vec<(Endpoint, String)> {
    let all = storeboard::endpoints();
    assert!(all.len() >= 15, "the route tables look incomplete: {all:?}");
    all.into_iter()
        .filter(|e| !e.path.is_empty())
        .map(|e| {
            let path = e.sample_path("x");
            (e, path)
        })
        .collect()
}

fn is_public(path: &str) -> bool {
    ["/login", "/healthz"].contains(&path)
        || path.starts_with("/assets/")
        || path.starts_with("/static/")
}

#[test]
fn every_state_changing_route_refuses_without_the_admin_password() {
    let server = Secured::start(Some(ADMIN), Some(VIEWER));
    let writes: Vec<_> = routes().into_iter().filter(|(e, _)| !e.is_safe()).collect();
    assert!(
        writes.len() >= 4,
        "uploads, deletes, login and logout at least: {writes:?}"
    );
    for (e, path) in &writes {
        let method = e.method.as_str();
        if path == "/login" || path == "/logout" {
            // Logging in is how one gets a session (it checks the password itself); logging
            // out ends one's own, for every role (tests/e2e/logins.rs).
            continue;
        }
        let (anonymous, _) = server.call(method, path, None);
        assert_eq!(anonymous, 401, "{method} {path} without credentials");
        let (viewer, _) = server.call(method, path, Some(VIEWER));
        assert_eq!(viewer, 403, "{method} {path} as a viewer");
        let (wrong, _) = server.call(method, path, Some("guess"));
        assert_eq!(wrong, 401, "{method} {path} with a wrong token");
        let (admin, _) = server.call(method, path, Some(ADMIN));
        assert!(
            ![401, 403].contains(&admin),
            "{method} {path} as admin got {admin}"
        );
    }
}

#[test]
fn every_reading_route_needs_the_viewer_password_except_login_health_and_assets() {
    let server = Secured::start(Some(ADMIN), Some(VIEWER));
    for (e, path) in routes().iter().filter(|(e, _)| e.is_safe()) {
        let (anonymous, location) = server.call("GET", path, None);
        if is_public(path) {
            assert!(
                ![401, 403, 303].contains(&anonymous),
                "GET {path} is public but got {anonymous}"
            );
            continue;
        }
        let refused =
            anonymous == 401 || (anonymous == 303 && location.starts_with("/login?next="));
        assert!(
            refused,
            "GET {path} ({e:?}) without credentials got {anonymous} {location}"
        );
        for token in [VIEWER, ADMIN] {
            let (status, _) = server.call("GET", path, Some(token));
            assert!(
                ![401, 403, 303].contains(&status),
                "GET {path} with a password got {status}"
            );
        }
    }
}

#[test]
fn with_only_an_admin_password_anyone_reads_but_nobody_else_writes() {
    let server = Secured::start(Some(ADMIN), None);
    assert_eq!(server.call("GET", "/api/v1/stores", None).0, 200);
    assert_eq!(server.call("GET", "/", None).0, 200);
    assert_eq!(server.call("DELETE", "/api/v1/stores/x", None).0, 401);
    assert_eq!(
        server.call("DELETE", "/api/v1/stores/x", Some(ADMIN)).0,
        404
    );
}

#[test]
fn pages_send_people_to_the_login_page_and_back() {
    let server = Secured::start(Some(ADMIN), Some(VIEWER));
    let (status, location) = server.call("GET", "/?tab=data", None);
    assert_eq!(status, 303);
    assert_eq!(location, "/login?next=%2F%3Ftab%3Ddata");
    let agent = ureq::AgentBuilder::new()
        .timeout(IO_TIMEOUT)
        .redirects(0)
        .build();
    let res = agent
        .post(&server.server.url("/login"))
        .send_form(&[("password", ADMIN), ("next", "/?tab=data")])
        .expect("login answers 303");
    assert_eq!(res.status(), 303);
    assert_eq!(res.header("location"), Some("/?tab=data"));
    let cookie = res.header("set-cookie").unwrap_or("").to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    let session = cookie.split(';').next().unwrap_or("").to_owned();
    let page = agent
        .get(&server.server.url("/?tab=data"))
        .set("Cookie", &session)
        .call()
        .expect("page with the session");
    assert_eq!(page.status(), 200);
    let html = page.into_string().expect("html");
    assert!(
        html.contains("退出登录") && html.contains("管理员"),
        "{html}"
    );
}

#[test]
fn a_cross_site_write_is_refused_even_with_the_right_password() {
    let server = Secured::start(Some(ADMIN), None);
    let agent = ureq::AgentBuilder::new().timeout(IO_TIMEOUT).build();
    let url = server.server.url("/api/v1/stores/x");
    let status = |origin: &str| match agent
        .delete(&url)
        .set("Authorization", &format!("Bearer {ADMIN}"))
        .set("Origin", origin)
        .call()
    {
        Ok(res) => res.status(),
        Err(ureq::Error::Status(code, _)) => code,
        Err(err) => panic!("{err}"),
    };
    assert_eq!(status("http://evil.example"), 403);
    assert_eq!(status("null"), 403);
    let own = format!("http://{}", server.server.addr);
    assert_eq!(status(&own), 404, "same-origin passes the check");
}

#[test]
fn failed_logins_are_limited_per_address() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(OrderStore::open(dir.path()).expect("store"));
    let tabs = TabsState::new(Arc::clone(&store), Business::default(), DEFAULT_CAPACITY);
    let upload = UploadState::new(store, dir.path().to_owned(), 1 << 20);
    let config = AuthConfig {
        admin_password: Some(ADMIN.into()),
        max_failures: 3,
        failure_window: Duration::from_secs(600),
        ..AuthConfig::default()
    };
    let auth = AuthState::new(
        config,
        storeboard_auth::load_or_create_key(dir.path()).expect("key"),
    );
    let app = move || {
        storeboard::app_with_auth(Mode::Production, upload.clone(), tabs.clone(), auth.clone())
    };
    let server = TestServer::serve(settings(), app);
    let agent = ureq::AgentBuilder::new()
        .timeout(IO_TIMEOUT)
        .redirects(0)
        .build();
    let login = |password: &str| match agent
        .post(&server.url("/login"))
        .send_form(&[("password", password)])
    {
        Ok(res) => (res.status(), res.header("retry-after").map(str::to_owned)),
        Err(ureq::Error::Status(code, res)) => (code, res.header("retry-after").map(str::to_owned)),
        Err(err) => panic!("{err}"),
    };
    for _ in 0..3 {
        assert_eq!(login("wrong").0, 401);
    }
    let (status, retry) = login(ADMIN);
    assert_eq!(status, 429, "even the right password waits once blocked");
    assert!(retry.is_some_and(|s| s.parse::<u64>().is_ok_and(|n| n > 0)));
}

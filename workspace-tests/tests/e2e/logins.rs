//! Logins and sessions against the real app with both passwords, wired as the binary wires
//! them (`storeboard::access`: sessions kept in the database, the audit log written by its
//! thread): the attacks of issue 16 reproduced from outside. Redirects after login, the
//! failed-login limit per address and role, behind a proxy and across every client, logout for
//! every role, a copied cookie after logout, a password changed at restart, the audit log
//! after a thousand failures and as a viewer sees it.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use storeboard::mode::Mode;
use storeboard_analytics::Business;
use storeboard_auth::AuthConfig;
use storeboard_data::OrderStore;
use storeboard_tabs::{TabsState, DEFAULT_CAPACITY};
use storeboard_upload::UploadState;

use crate::support::{eventually, settings, TestServer, IO_TIMEOUT};

const ADMIN: &str = "admin-pw-7f3";
const VIEWER: &str = "viewer-pw-2c9";

fn passwords(admin: &str) -> AuthConfig {
    AuthConfig {
        admin_password: Some(admin.to_owned()),
        viewer_password: Some(VIEWER.to_owned()),
        ..AuthConfig::default()
    }
}

/// The real app over `dir` with `config`, access control set up as the binary does.
fn serve(dir: &Path, config: AuthConfig) -> TestServer {
    let store = Arc::new(OrderStore::open(dir).expect("store opens"));
    let tabs = TabsState::new(Arc::clone(&store), Business::default(), DEFAULT_CAPACITY);
    let upload = UploadState::new(Arc::clone(&store), dir.to_owned(), 1 << 20);
    let auth = storeboard::access::secured(config, dir, store).expect("access control");
    let app = move || {
        storeboard::app_with_auth(Mode::Production, upload.clone(), tabs.clone(), auth.clone())
    };
    TestServer::serve(settings(), app)
}

/// Status, `Location`, `Set-Cookie` and body of an answer, whatever its status.
struct Answer {
    status: u16,
    location: String,
    cookie: String,
    body: String,
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout(IO_TIMEOUT)
        .redirects(0)
        .build()
}

fn answer(result: Result<ureq::Response, ureq::Error>) -> Answer {
    let res = match result {
        Ok(res) | Err(ureq::Error::Status(_, res)) => res,
        Err(err) => panic!("{err}"),
    };
    Answer {
        status: res.status(),
        location: res.header("location").unwrap_or("").to_owned(),
        // `name=value` only, ready to send back.
        cookie: res
            .header("set-cookie")
            .and_then(|c| c.split(';').next())
            .unwrap_or("")
            .to_owned(),
        body: res.into_string().unwrap_or_default(),
    }
}

/// `POST /login` with `password` and `next`, from `forwarded_for` when given.
fn login(server: &TestServer, password: &str, next: &str, forwarded_for: Option<&str>) -> Answer {
    let mut req = agent().post(&server.url("/login"));
    if let Some(ip) = forwarded_for {
        req = req.set("X-Forwarded-For", ip);
    }
    answer(req.send_form(&[("password", password), ("next", next)]))
}

/// The session cookie of a successful login as `password`.
fn session(server: &TestServer, password: &str) -> String {
    let res = login(server, password, "/", None);
    assert_eq!(res.status, 303, "login: {}", res.body);
    assert!(
        res.cookie.starts_with("storeboard_session="),
        "{}",
        res.cookie
    );
    res.cookie
}

/// `method path` with `cookie`.
fn with_cookie(server: &TestServer, method: &str, path: &str, cookie: &str) -> Answer {
    answer(
        agent()
            .request(method, &server.url(path))
            .set("Cookie", cookie)
            .call(),
    )
}

#[test]
fn a_login_never_redirects_off_the_site_whatever_control_characters_next_hides() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = serve(dir.path(), passwords(ADMIN));
    for next in [
        "/\t/evil.example",
        "/%09/evil.example",
        "/\r\nSet-Cookie: planted=1",
        "/x%0d%0aSet-Cookie:%20planted=1",
        "/\\evil.example",
        "/%5C%5Cevil.example",
        "//evil.example",
    ] {
        let res = login(&server, ADMIN, next, None);
        assert_eq!(res.status, 303, "next={next:?}: {}", res.body);
        assert_eq!(res.location, "/", "next={next:?}");
    }
    // The form carries the checked value, not the one in the link.
    let page = answer(
        agent()
            .get(&server.url("/login?next=%2F%09%2Fevil.example"))
            .call(),
    );
    assert_eq!(page.status, 200);
    // minijinja writes `/` as `&#x2f;` in an attribute.
    let root = [r#"name="next" value="/""#, r#"name="next" value="&#x2f;""#];
    assert!(root.iter().any(|r| page.body.contains(r)), "{}", page.body);
    assert!(!page.body.contains("evil"), "{}", page.body);
    let res = login(&server, ADMIN, "/?tab=data&store=门店1", None);
    assert_eq!(
        res.location, "/?tab=data&store=%E9%97%A8%E5%BA%971",
        "own paths still work (non-ASCII percent-encoded in the header)"
    );
}

#[test]
fn forty_wrong_admin_guesses_interleaved_with_viewer_logins_get_blocked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = serve(dir.path(), passwords(ADMIN));
    let mut wrong = Vec::new();
    for i in 0..40 {
        wrong.push(login(&server, &format!("guess-{i}"), "/", None).status);
        let viewer = login(&server, VIEWER, "/", None);
        assert_eq!(
            viewer.status, 303,
            "the viewer still logs in: {}",
            viewer.body
        );
    }
    let answered = wrong.iter().filter(|s| **s == 401).count();
    assert_eq!(answered, 5, "guesses answered before the block: {wrong:?}");
    assert!(wrong[5..].iter().all(|s| *s == 429), "{wrong:?}");
    let right = login(&server, ADMIN, "/", None);
    assert_eq!(
        right.status, 429,
        "a blocked guesser learns nothing, right or wrong"
    );
}

#[test]
fn behind_a_trusted_proxy_failures_count_against_the_forwarded_client() {
    let dir = tempfile::tempdir().expect("temp dir");
    let trusting = AuthConfig {
        trusted_proxies: vec!["127.0.0.1".parse().expect("an address")],
        ..passwords(ADMIN)
    };
    let server = serve(dir.path(), trusting);
    for _ in 0..5 {
        assert_eq!(
            login(&server, "guess", "/", Some("192.168.1.50")).status,
            401
        );
    }
    assert_eq!(
        login(&server, "guess", "/", Some("192.168.1.50")).status,
        429
    );
    assert_eq!(
        login(&server, "guess", "/", Some("192.168.1.51")).status,
        401,
        "another client behind the proxy is not blocked"
    );
    drop(server);
    // Not trusted, the header is the client's own word: all one address.
    let dir = tempfile::tempdir().expect("temp dir");
    let server = serve(dir.path(), passwords(ADMIN));
    for n in 0..5 {
        let forged = format!("10.9.9.{n}");
        assert_eq!(login(&server, "guess", "/", Some(&forged)).status, 401);
    }
    assert_eq!(login(&server, "guess", "/", Some("10.9.9.99")).status, 429);
}

#[test]
fn past_the_global_ceiling_the_login_page_says_logins_are_slowed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = AuthConfig {
        trusted_proxies: vec!["127.0.0.1".parse().expect("an address")],
        max_global_failures: 4,
        ..passwords(ADMIN)
    };
    let server = serve(dir.path(), config);
    let page = || answer(agent().get(&server.url("/login")).call()).body;
    assert!(!page().contains("所有登录都已放慢"));
    for n in 0..4 {
        let client = format!("192.168.7.{n}");
        assert_eq!(login(&server, "guess", "/", Some(&client)).status, 401);
    }
    assert!(page().contains("所有登录都已放慢"), "{}", page());
    // Every login now waits its turn, one a second: the second of two at once waits.
    let started = std::time::Instant::now();
    assert_eq!(login(&server, VIEWER, "/", Some("192.168.8.1")).status, 303);
    assert_eq!(login(&server, VIEWER, "/", Some("192.168.8.2")).status, 303);
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_viewer_logs_out_and_a_cookie_copied_before_logout_is_refused_after_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = serve(dir.path(), passwords(ADMIN));
    let viewer = session(&server, VIEWER);
    assert_eq!(
        with_cookie(&server, "GET", "/api/v1/stores", &viewer).status,
        200
    );
    let copy = viewer.clone();
    let out = with_cookie(&server, "POST", "/logout", &viewer);
    assert_eq!(out.status, 303, "a viewer may log out: {}", out.body);
    assert_eq!(out.location, "/login");
    assert_eq!(
        with_cookie(&server, "GET", "/api/v1/stores", &copy).status,
        401
    );
    let admin = session(&server, ADMIN);
    let copy = admin.clone();
    assert_eq!(
        with_cookie(&server, "DELETE", "/api/v1/stores/x", &admin).status,
        404,
        "the admin's session deletes while it lives"
    );
    assert_eq!(with_cookie(&server, "POST", "/logout", &admin).status, 303);
    assert_eq!(
        with_cookie(&server, "DELETE", "/api/v1/stores/x", &copy).status,
        401,
        "a logged-out cookie deletes nothing"
    );
    let page = with_cookie(&server, "GET", "/", &copy);
    assert_eq!(page.status, 303, "pages send it to the login page");
    assert!(
        page.location.starts_with("/login?next="),
        "{}",
        page.location
    );
}

#[test]
fn a_password_changed_at_restart_ends_the_old_passwords_sessions_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = serve(dir.path(), passwords(ADMIN));
    let admin = session(&server, ADMIN);
    let viewer = session(&server, VIEWER);
    drop(server);
    let server = serve(dir.path(), passwords(ADMIN));
    assert_eq!(
        with_cookie(&server, "GET", "/api/v1/stores", &admin).status,
        200,
        "an unchanged password keeps its sessions across a restart"
    );
    drop(server);
    let server = serve(dir.path(), passwords("a-new-admin-pw"));
    assert_eq!(
        with_cookie(&server, "DELETE", "/api/v1/stores/x", &admin).status,
        401,
        "the old admin password's session is over"
    );
    assert_eq!(
        with_cookie(&server, "GET", "/api/v1/stores", &admin).status,
        401
    );
    assert_eq!(
        with_cookie(&server, "GET", "/api/v1/stores", &viewer).status,
        200,
        "the viewer password did not change"
    );
}

/// The data tab as `cookie` sees it.
fn data_tab(server: &TestServer, cookie: &str) -> String {
    let page = with_cookie(server, "GET", "/tabs/data", cookie);
    assert_eq!(page.status, 200, "{}", page.body);
    page.body
}

#[test]
fn a_thousand_failed_logins_from_one_address_are_one_row_of_the_audit_log() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = AuthConfig {
        max_failures: 5000,
        max_global_failures: 5000,
        ..passwords(ADMIN)
    };
    let server = serve(dir.path(), config);
    let agent = agent();
    for i in 0..1000 {
        let res = agent
            .post(&server.url("/login"))
            .send_form(&[("password", &format!("guess-{i}"))]);
        assert_eq!(answer(res).status, 401);
    }
    let admin = session(&server, ADMIN);
    let counted = eventually(Duration::from_secs(60), || {
        data_tab(&server, &admin).contains("1000 次")
    });
    let html = data_tab(&server, &admin);
    assert!(counted, "{html}");
    assert_eq!(html.matches("登录失败").count(), 1, "{html}");
    assert!(html.contains("127.0.0.1"), "an admin sees the address");
}

#[test]
fn a_viewer_sees_the_audit_log_without_any_client_address() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = serve(dir.path(), passwords(ADMIN));
    assert_eq!(login(&server, "guess", "/", None).status, 401);
    let admin = session(&server, ADMIN);
    let viewer = session(&server, VIEWER);
    assert!(eventually(Duration::from_secs(30), || {
        data_tab(&server, &admin).matches("127.0.0.1").count() >= 3
    }));
    let html = data_tab(&server, &viewer);
    assert!(html.contains("登录失败") && html.contains("登录"), "{html}");
    assert!(!html.contains("127.0.0.1"), "{html}");
    assert!(!html.contains(">地址<"), "{html}");
}

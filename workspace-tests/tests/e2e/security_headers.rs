//! Security headers on the real dashboard app: `nosniff` on every answer; the
//! Content-Security-Policy, `X-Frame-Options` and `Referrer-Policy` on every document a browser
//! could render (pages, fragments) and not on JSON, plain text or scripts, where `nosniff`
//! already keeps a browser from rendering them and the headers were only bytes per request.

use storeboard_auth::CONTENT_SECURITY_POLICY;
use storeboard_dashboard::AssetSource;

use crate::support::app::AppServer;
use crate::support::{get, Response};

fn assert_everywhere_headers(res: &Response, what: &str) {
    assert_eq!(
        res.header("x-content-type-options"),
        Some("nosniff"),
        "{what}: {res:?}"
    );
}

#[test]
fn every_html_answer_carries_the_content_security_policy_and_frame_denial() {
    let server = AppServer::start();
    let mut client = server.connect();
    for path in ["/", "/login", "/status", "/tabs/overview"] {
        let res = client.request(get(path));
        let ct = res.header("content-type").unwrap_or_default().to_owned();
        assert!(ct.starts_with("text/html"), "{path}: {ct} {res:?}");
        assert_everywhere_headers(&res, path);
        assert_eq!(
            res.header("content-security-policy"),
            Some(CONTENT_SECURITY_POLICY),
            "{path}"
        );
        assert_eq!(res.header("x-frame-options"), Some("DENY"), "{path}");
        assert_eq!(res.header("referrer-policy"), Some("same-origin"), "{path}");
    }
}

#[test]
fn json_plain_text_and_script_answers_carry_nosniff_but_no_document_headers() {
    let server = AppServer::start();
    let mut client = server.connect();
    // The script the page links (relative to the page: `assets/dashboard.<hash>.js`).
    let js = format!("/{}", AssetSource::Embedded.url("dashboard.js"));
    for path in ["/healthz", "/api/v1/stores", "/nope", js.as_str()] {
        let res = client.request(get(path));
        let ct = res.header("content-type").unwrap_or_default().to_owned();
        assert!(!ct.starts_with("text/html"), "{path}: {ct}");
        assert_everywhere_headers(&res, path);
        assert_eq!(
            res.header("content-security-policy"),
            None,
            "{path}: {res:?}"
        );
        assert_eq!(res.header("x-frame-options"), None, "{path}: {res:?}");
        assert_eq!(res.header("referrer-policy"), None, "{path}: {res:?}");
    }
}

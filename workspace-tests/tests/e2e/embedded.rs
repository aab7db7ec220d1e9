//! The embedding example's host app (`crates/server/examples/embedded/app.rs`, included here so
//! that the example is what is tested) served by the engine: the host's own routes still answer,
//! and the dashboard works entirely under `/dashboard` — every URL on its pages carries the
//! prefix and answers, uploads go through the prefixed API, exports download.

use std::collections::BTreeSet;

use storeboard_dashboard::{DashboardState, Sources};
use storeboard_fixtures as fx;

use crate::dashboard::{attrs, day, html, query, unescape, A, B, TABS};
use crate::dashboard_export::sheets;
use crate::support::app::{AppServer, Part};

#[path = "../../../crates/server/examples/embedded/app.rs"]
mod embedded_app;

/// The host app with the dashboard mounted under `/dashboard`, over a fresh data directory.
fn host() -> AppServer {
    AppServer::serving(|tabs, upload| {
        let dashboard = DashboardState::new(tabs, upload, Sources::embedded());
        move || embedded_app::host_app(dashboard.clone())
    })
}

/// Two stores, three days from 2026-11-01.
fn spec() -> fx::ExportSpec {
    fx::ExportSpec {
        stores: vec![A.to_owned(), B.to_owned()],
        start: day("2026-11-01"),
        days: 3,
        orders_per_store_day: 8,
        ..fx::ExportSpec::default()
    }
}

/// The host with the export uploaded through `/dashboard/api/v1/uploads`.
fn host_with_data() -> AppServer {
    let server = host();
    let reply = server.upload_to(
        "/dashboard/api/v1/uploads",
        &[Part::file("订单.xlsx", fx::xlsx_bytes(&spec()))],
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    let lines = fx::lines(&spec()).len();
    assert_eq!(
        reply.json()["uploads"][0]["report"]["accepted_lines"],
        lines
    );
    server
}

/// `(attribute, value)` of every attribute that holds a URL: `href`, `src`, `action`, `hx-*`
/// requests and `data-*-url`, values unescaped.
fn urls(html: &str) -> Vec<(String, String)> {
    html.match_indices("=\"")
        .filter_map(|(at, _)| {
            let before = &html[..at];
            let name_start = before
                .rfind(|c: char| c.is_whitespace())
                .map_or(0, |i| i + 1);
            let name = &before[name_start..];
            let is_url = matches!(name, "href" | "src" | "action")
                || ["hx-get", "hx-post", "hx-put", "hx-delete"].contains(&name)
                || (name.starts_with("data-") && name.ends_with("-url"));
            let rest = &html[at + 2..];
            let value = &rest[..rest.find('"')?];
            is_url.then(|| (name.to_owned(), unescape(value)))
        })
        .collect()
}

#[test]
fn host_routes_still_answer_beside_the_mounted_dashboard() {
    let server = host();
    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert!(home.text().contains("我的系统"), "{}", home.text());
    assert!(
        !home.text().contains("门店看板</title>"),
        "the host's page, not the dashboard"
    );
    let ping = server.get("/api/ping");
    assert_eq!(ping.status, 200);
    assert_eq!(ping.json(), serde_json::json!({"host": "ok"}));
    // Nothing of the dashboard leaks to the root.
    for path in ["/tabs/overview", "/api/v1/tabs/overview", "/template.xlsx"] {
        assert_eq!(server.get(path).status, 404, "{path}");
    }
    assert_eq!(server.get("/dashboard/api/v1/tabs/overview").status, 200);
}

#[test]
fn the_mount_point_without_its_slash_redirects_to_the_page() {
    let server = host();
    for (from, to) in [
        ("/dashboard", "/dashboard/"),
        ("/dashboard?tab=data", "/dashboard/?tab=data"),
    ] {
        let reply = server.fetch(from);
        assert_eq!(reply.status, 308, "{from}: {}", reply.text());
        assert_eq!(reply.header("location"), to, "{from}");
    }
    let page = html(&server, "/dashboard/");
    assert!(page.contains("<title>门店看板</title>"));
}

#[test]
fn every_url_on_every_tab_lives_under_the_prefix_and_answers() {
    let server = host_with_data();
    let q = query(&[("from", "2026-11-01"), ("to", "2026-11-03")]);
    let mut seen = BTreeSet::new();
    let mut writes = BTreeSet::new();
    for (tab, _) in TABS {
        let page = html(&server, &format!("/dashboard/{q}&tab={tab}"));
        assert!(
            page.contains("data-base=\"&#x2f;dashboard&#x2f;\""),
            "{tab}"
        );
        let found = urls(&page);
        assert!(found.len() > 20, "{tab}: only {found:?}");
        for (attr, url) in found {
            // In-page anchors and inline `data:` URLs (the empty favicon) request nothing.
            if url.starts_with('#') || url.starts_with("data:") {
                continue;
            }
            assert!(url.starts_with("/dashboard/"), "{tab}: {attr}=\"{url}\"");
            // The upload and delete endpoints are for POST and DELETE (tested below).
            if matches!(attr.as_str(), "data-upload-url" | "data-delete-url") {
                writes.insert(url);
            } else {
                seen.insert(url);
            }
        }
    }
    let expected_writes: BTreeSet<String> =
        ["/dashboard/api/v1/uploads", "/dashboard/api/v1/stores/"]
            .map(str::to_owned)
            .into();
    assert_eq!(writes, expected_writes);
    let kinds = [
        "/dashboard/assets/",
        "/dashboard/tabs/",
        "/dashboard/export/",
        "/dashboard/?",
        "/dashboard/template.xlsx",
        // Product names lead to the product page (it answers once that page is mounted).
        "/dashboard/products/",
    ];
    for kind in kinds {
        assert!(
            seen.iter().any(|u| u.starts_with(kind)),
            "no {kind} URL among {seen:?}"
        );
    }
    // Bounded: each distinct URL once.
    assert!(seen.len() < 2000, "{} URLs", seen.len());
    for url in &seen {
        let reply = server.fetch(url);
        assert_eq!(reply.status, 200, "GET {url}: {}", reply.text());
        if url.starts_with("/dashboard/tabs/") {
            let push = reply.header("hx-push-url");
            assert!(
                push.starts_with("/dashboard/?"),
                "{url}: HX-Push-Url {push}"
            );
            assert!(
                !reply.text().contains("href=\"&#x2f;tabs"),
                "{url}: an unprefixed link"
            );
        }
    }
}

#[test]
fn uploads_data_tab_and_exports_work_under_the_prefix() {
    let server = host_with_data();
    let data = html(&server, "/dashboard/tabs/data");
    let listed = attrs(&data, "data-delete-store");
    assert_eq!(listed, [A, B], "the uploaded stores");
    let stores = server.get("/dashboard/api/v1/stores");
    assert_eq!(stores.status, 200);
    assert_eq!(stores.json()[0]["name"], A);

    let q = query(&[("store", A), ("from", "2026-11-01"), ("to", "2026-11-03")]);
    let reply = server.fetch(&format!("/dashboard/export/overview.xlsx{q}"));
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        reply.header("content-type"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let book = sheets(&reply.body);
    assert_eq!(book[0].0, "经营概览");

    let deleted = server.delete(&format!(
        "/dashboard/api/v1/stores/{}",
        crate::support::app::encode_segment(B)
    ));
    assert_eq!(deleted.status, 200, "{}", deleted.text());
    let data = html(&server, "/dashboard/tabs/data");
    assert_eq!(attrs(&data, "data-delete-store"), [A]);
}

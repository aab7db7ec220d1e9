//! End-to-end tests of the storeboard engine: each test starts a real engine on
//! `127.0.0.1:0` and talks to it over TCP.
//!
//! Run: `cargo test -p storeboard-workspace-tests`.

// Starting servers, the test application, and a raw HTTP/1 client.
mod support;

// Keep-alive, pipelining, HEAD, HTTP/1.0, Host-less requests, the Server header.
mod keepalive;
// 431 for large heads, 413 for large bodies (declared, chunked, Expect: 100-continue).
mod limits;
// 400 and a close for malformed requests; the application's 4xx/5xx keep the connection.
mod malformed;
// Idle reaping, the request-head deadline, stalled bodies and slow handlers.
mod timeouts;
// connection_limit: reclaiming idle channels, 503 when every channel is busy.
mod connection_limit;
// Graceful stop, shutdown_timeout.
mod shutdown;
// Counters and the EngineInfo extractor.
mod stats;
// Slowloris: 500 trickled heads cut at header_read_timeout while normal clients are served.
mod slowloris;
// A flood of 3 × connection_limit: each served, refused with 503 or reclaimed; counters agree.
mod flood;
// The malformed-request corpus: lines, headers, lengths, codings, smuggling; exact answers.
mod malformed_corpus;
// The upload API of the real application: reports, stores, history, merge/replace, delete.
mod upload_api;
// Refused uploads: the bad-input corpus, 413, 400; the stored data stays byte-identical.
mod upload_faults;
// Hostile files: .ods/.xls bombs, a 50 MB CSV line, a 5 MB name; refused or cut, by budget.
mod hostile_uploads;
// The stored data outlives the server: same stores, history and problems after a restart.
mod upload_restart;
// The import folder: good, refused, repeated, growing, lock and hidden files; crash recovery.
mod import_dir;
// Uploads beside other requests: two at once, health checks answering meanwhile.
mod upload_concurrency;
// The tabs API: contract names, default period, errors, the cache, per-request filters.
mod tabs_api;
// The products by pages: limit, page, sort, totals, 400s, paging from the cache, exports.
mod tabs_paging;
// The dashboard page and its assets; the dashboard tests' data and HTML helpers.
mod dashboard;
// Every tab inline and as a fragment, charts, errors, the empty state.
mod dashboard_tabs;
// The dashboard's numbers against the JSON API, sorting, pagination, escaping, the data tab.
mod dashboard_tables;
// The dashboard's xlsx exports and the upload template.
mod dashboard_export;
// 🩺 商品健康 on 今日必做: tiles against the API, the Sankey, the quadrant filter, the sheets.
mod health_page;
// The embedding example: the dashboard under `/dashboard` beside the host's own routes.
mod embedded;
// Access control: every route from the registration tables, with and without passwords.
mod access_control;
// Logins and sessions: redirects, the failed-login limits, logout, revocation, the audit log.
mod logins;
// The server's edges on the real app: reuse after 4xx/5xx, HEAD everywhere, unread bodies.
mod edges;
// Security headers: nosniff everywhere, the CSP and frame denial on documents only.
mod security_headers;
// The query budget: periods narrowed to the data, max_period_days refused with 400.
mod query_budget;
// 今日必做 as a morning briefing: the contract, the window, every row in the export.
mod today_briefing;
// 订单数据概览 in depth: the new JSON fields and the 12-sheet 经营分析报告.
mod overview_depth;
// Every product, store and channel name leads to its page; the breadcrumbs; the chart clicks.
mod product_links;
// Shared by the product page and 智能调价 tests: hand-written .xlsx, a cookie-carrying client.
mod pricing_support;
// One product's page: days, totals against 商品分析, price changes, 真实保本价, orders, 404s.
mod product_page;
// 智能调价: scenario thresholds, floors and locks, saved plans by role, plan outcomes.
mod pricing_plans;
// 时段场景 in depth: scene orders and coverage, the 配送 grid, the sub-views, the sheets.
mod timeslots_depth;
// 商品分析 in depth (issue 14): the paged answer's new sections, the page, the inventory workbook.
mod products_depth;
// 🏬 门店对比: every store against the overview, the flags, links and workbook.
mod stores_tab;

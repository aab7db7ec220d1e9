//! The real Storeboard application for the upload tests: [`AppServer`] serves
//! `storeboard::app(Mode::Production, UploadState, TabsState)` over a data directory on `127.0.0.1:0`,
//! [`multipart`] builds upload bodies by hand from [`Part`]s, and [`Reply`] is an answer read
//! with ureq. Every call has a deadline.

use std::collections::{BTreeMap, HashSet};
use std::io::Read as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use storeboard::mode::Mode;
use storeboard_analytics::Business;
use storeboard_data::OrderStore;
use storeboard_fixtures::Line;
use storeboard_tabs::{TabsState, DEFAULT_CAPACITY};
use storeboard_upload::UploadState;
use tempfile::TempDir;

use super::{settings, Client, TestServer, IO_TIMEOUT};

/// The multipart boundary of every body [`multipart`] builds.
pub const BOUNDARY: &str = "e2e-boundary-5f0c2a9d41";

/// Deadline of a whole upload request: parsing a workbook in a debug build on a busy machine
/// may take longer than [`IO_TIMEOUT`].
pub const UPLOAD_TIMEOUT: Duration = Duration::from_secs(30);

/// Largest response body a test reads (the history of a few uploads is far smaller).
const MAX_REPLY: u64 = 16 << 20;

/// One part of a `multipart/form-data` body.
#[derive(Debug, Clone)]
pub enum Part {
    /// A file part: `name="file"; filename="{0}"` with the bytes `{1}`.
    File(String, Vec<u8>),
    /// A plain field, e.g. `mode` = `replace`.
    Field(&'static str, String),
}

impl Part {
    /// A `file` part.
    pub fn file(name: &str, bytes: Vec<u8>) -> Self {
        Part::File(name.to_owned(), bytes)
    }

    /// The `mode` field.
    pub fn mode(mode: &str) -> Self {
        Part::Field("mode", mode.to_owned())
    }
}

/// The body of a `multipart/form-data` request holding `parts` in order, with [`BOUNDARY`].
pub fn multipart(parts: &[Part]) -> Vec<u8> {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let (head, bytes) = match part {
            Part::File(name, bytes) => (
                format!(
                    "Content-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n"
                ),
                bytes.as_slice(),
            ),
            Part::Field(name, value) => (
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"),
                value.as_bytes(),
            ),
        };
        body.extend_from_slice(head.as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// The `Content-Type` of a [`multipart`] body.
pub fn multipart_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

/// A status, content type and body, whatever the status.
#[derive(Debug)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// The `Content-Type` header ("" when absent).
    pub content_type: String,
    /// The body.
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as JSON, panicking with the body if it is not.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.text()))
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// `error.code` of an error answer ("" when there is none).
    pub fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

fn reply_of(result: Result<ureq::Response, ureq::Error>, what: &str) -> Reply {
    let response = match result {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{what}: {e}"),
    };
    let status = response.status();
    let content_type = response.header("content-type").unwrap_or("").to_owned();
    let mut body = Vec::new();
    response
        .into_reader()
        .take(MAX_REPLY)
        .read_to_end(&mut body)
        .unwrap_or_else(|e| panic!("{what}: reading the body: {e}"));
    Reply {
        status,
        content_type,
        body,
    }
}

/// Percent-encodes a path segment (a store name such as `鲜丰便利(万达店)`).
pub fn encode_segment(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A client of one server's API, to hand to other threads ([`AppServer`] derefs to it).
#[derive(Clone)]
pub struct Api {
    addr: SocketAddr,
    agent: ureq::Agent,
}

/// `storeboard::app` in production mode on `127.0.0.1:0`, in its own thread and actix System,
/// over a data directory. Stopped (not gracefully) and joined on drop. Derefs to its [`Api`].
pub struct AppServer {
    /// Its data directory (the database, and `tmp/` for uploads in flight).
    pub data_dir: PathBuf,
    api: Api,
    // Dropped before `_owned`: the server stops before its temp data dir goes.
    _server: TestServer,
    _owned: Option<TempDir>,
}

impl std::ops::Deref for AppServer {
    type Target = Api;

    fn deref(&self) -> &Api {
        &self.api
    }
}

impl AppServer {
    /// A server over a fresh temp data directory, with the default 256 MiB body limit.
    pub fn start() -> Self {
        Self::with_limit(100 << 20)
    }

    /// A server over a fresh temp data directory whose `max_request_body_size` is `limit`.
    pub fn with_limit(limit: u64) -> Self {
        let dir = tempfile::tempdir().expect("a temp data dir");
        let path = dir.path().to_owned();
        Self::launch(path, limit, Some(dir))
    }

    /// A server over `dir`, which outlives it (to start another on the same data).
    pub fn on(dir: &Path) -> Self {
        Self::launch(dir.to_owned(), 100 << 20, None)
    }

    fn launch(data_dir: PathBuf, limit: u64, owned: Option<TempDir>) -> Self {
        let store = Arc::new(OrderStore::open(&data_dir).expect("the order store opens"));
        let tabs = TabsState::new(Arc::clone(&store), Business::default(), DEFAULT_CAPACITY);
        let state = UploadState::new(store, data_dir.clone(), limit);
        let mut s = settings();
        s.max_request_body_size = limit;
        let app = move || storeboard::app(Mode::Production, state.clone(), tabs.clone());
        let server = TestServer::serve(s, app);
        let agent = ureq::AgentBuilder::new().timeout(IO_TIMEOUT).build();
        Self {
            data_dir,
            api: Api {
                addr: server.addr,
                agent,
            },
            _server: server,
            _owned: owned,
        }
    }

    /// Files left in `data_dir/tmp` (where uploads are kept while they are processed).
    pub fn temp_files(&self) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(self.data_dir.join("tmp")) else {
            return Vec::new();
        };
        entries.filter_map(|e| e.ok().map(|e| e.path())).collect()
    }

    /// Stops the server and waits for its thread (the data directory stays).
    pub fn stop(self) {
        drop(self);
    }
}

impl Api {
    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A raw connection, for requests ureq would not send.
    pub fn connect(&self) -> Client {
        Client::connect(self.addr)
    }

    /// `GET {path}`.
    pub fn get(&self, path: &str) -> Reply {
        reply_of(
            self.agent.get(&self.url(path)).call(),
            &format!("GET {path}"),
        )
    }

    /// `DELETE {path}`.
    pub fn delete(&self, path: &str) -> Reply {
        let what = format!("DELETE {path}");
        reply_of(self.agent.delete(&self.url(path)).call(), &what)
    }

    /// `POST /api/v1/uploads` with a multipart body of `parts`.
    pub fn upload(&self, parts: &[Part]) -> Reply {
        let result = self
            .agent
            .post(&self.url("/api/v1/uploads"))
            .timeout(UPLOAD_TIMEOUT)
            .set("Content-Type", &multipart_type())
            .send_bytes(&multipart(parts));
        reply_of(result, "POST /api/v1/uploads")
    }

    /// Uploads `parts`, asserts 200 and returns the `uploads` records.
    pub fn upload_ok(&self, parts: &[Part]) -> Vec<Value> {
        let reply = self.upload(parts);
        assert_eq!(reply.status, 200, "{}", reply.text());
        match reply.json()["uploads"].take() {
            Value::Array(records) => records,
            other => panic!("no uploads array: {other}"),
        }
    }

    /// The exact bytes of `GET /api/v1/stores` (asserting 200).
    pub fn stores_raw(&self) -> Vec<u8> {
        let reply = self.get("/api/v1/stores");
        assert_eq!(reply.status, 200, "{}", reply.text());
        reply.body
    }

    /// `GET /api/v1/stores` as JSON.
    pub fn stores(&self) -> Value {
        serde_json::from_slice(&self.stores_raw()).expect("stores JSON")
    }
}

/// What `GET /api/v1/stores` must answer for `lines`: per store, by name, its lines, distinct
/// 订单ID and first and last day (`YYYY-MM-DD`).
pub fn expected_stores<'a>(lines: impl IntoIterator<Item = &'a Line>) -> Value {
    // `YYYY-MM-DD` text orders like the dates it names.
    let mut stores: BTreeMap<&str, (usize, HashSet<&str>, String, String)> = BTreeMap::new();
    for line in lines {
        let day = line.time.date().to_string();
        let entry = stores
            .entry(line.store.as_str())
            .or_insert_with(|| (0, HashSet::new(), day.clone(), day.clone()));
        entry.0 += 1;
        entry.1.insert(line.order_id.as_str());
        if day < entry.2 {
            entry.2.clone_from(&day);
        }
        if day > entry.3 {
            entry.3 = day;
        }
    }
    let list: Vec<Value> = stores
        .into_iter()
        .map(|(name, (lines, ids, first, last))| {
            json!({
                "name": name,
                "lines": lines,
                "orders": ids.len(),
                "first_day": first,
                "last_day": last,
            })
        })
        .collect();
    Value::Array(list)
}

/// An answer with its headers, for the dashboard tests: status, headers (names lower-cased)
/// and body. Redirects are not followed.
#[derive(Debug)]
pub struct Fetched {
    /// The status code.
    pub status: u16,
    /// Every header, names lower-cased, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Fetched {
    /// The first value of header `name` (any case), "" when absent.
    pub fn header(&self, name: &str) -> &str {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl AppServer {
    /// A server over a fresh temp data directory (256 MiB body limit) serving the app that
    /// `build` makes from the tabs and upload states over that directory's store, e.g. an
    /// embedding host app instead of `storeboard::app`.
    pub fn serving<F, T, B>(build: impl FnOnce(TabsState, UploadState) -> F) -> Self
    where
        F: Fn() -> actix_web::App<T> + Send + Clone + 'static,
        T: storeboard_engine::AppServiceFactory<B>,
        B: actix_web::body::MessageBody + 'static,
    {
        let dir = tempfile::tempdir().expect("a temp data dir");
        let data_dir = dir.path().to_owned();
        let limit = 100 << 20;
        let store = Arc::new(OrderStore::open(&data_dir).expect("the order store opens"));
        let tabs = TabsState::new(Arc::clone(&store), Business::default(), DEFAULT_CAPACITY);
        let upload = UploadState::new(store, data_dir.clone(), limit);
        let mut s = settings();
        s.max_request_body_size = limit;
        let server = TestServer::serve(s, build(tabs, upload));
        let agent = ureq::AgentBuilder::new().timeout(IO_TIMEOUT).build();
        Self {
            data_dir,
            api: Api {
                addr: server.addr,
                agent,
            },
            _server: server,
            _owned: Some(dir),
        }
    }
}

impl Api {
    /// `GET {path}` with the answer's headers, not following redirects.
    pub fn fetch(&self, path: &str) -> Fetched {
        let agent = ureq::AgentBuilder::new()
            .timeout(IO_TIMEOUT)
            .redirects(0)
            .build();
        let response = match agent.get(&self.url(path)).call() {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("GET {path}: {e}"),
        };
        let status = response.status();
        let headers = response
            .headers_names()
            .into_iter()
            .flat_map(|name| {
                let values: Vec<String> =
                    response.all(&name).into_iter().map(str::to_owned).collect();
                values
                    .into_iter()
                    .map(move |v| (name.to_ascii_lowercase(), v))
            })
            .collect();
        let mut body = Vec::new();
        response
            .into_reader()
            .take(MAX_REPLY)
            .read_to_end(&mut body)
            .unwrap_or_else(|e| panic!("GET {path}: reading the body: {e}"));
        Fetched {
            status,
            headers,
            body,
        }
    }

    /// `POST {path}` (an upload API under a mount point) with a multipart body of `parts`.
    pub fn upload_to(&self, path: &str, parts: &[Part]) -> Reply {
        let result = self
            .agent
            .post(&self.url(path))
            .timeout(UPLOAD_TIMEOUT)
            .set("Content-Type", &multipart_type())
            .send_bytes(&multipart(parts));
        reply_of(result, &format!("POST {path}"))
    }
}

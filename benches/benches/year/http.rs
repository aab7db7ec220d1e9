//! Just enough HTTP/1.1 for the year bench: keep-alive GETs framed by `Content-Length` (the
//! library's [`parse_head`]), a streamed multipart upload, a deadline on every request, and a few
//! JSON scans that spare the bench a JSON parser.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use storeboard_benches::response::parse_head;

/// Why a request did not give a `200`.
#[derive(Debug, Clone)]
pub(crate) enum Fail {
    /// No whole answer before the deadline.
    Timeout,
    /// A whole answer with another status.
    Status(u16),
    /// Connect, read or write error, a closed connection or an unreadable answer.
    Io(String),
}

impl std::fmt::Display for Fail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fail::Timeout => write!(f, "timeout"),
            Fail::Status(status) => write!(f, "status {status}"),
            Fail::Io(msg) => write!(f, "{msg}"),
        }
    }
}

/// A `200` answer: its body length, the body when it was asked for, and whether the tabs'
/// cache answered it (`x-storeboard-cache: hit`; `None` without the header).
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) bytes: usize,
    pub(crate) body: Vec<u8>,
    pub(crate) hit: Option<bool>,
}

/// One keep-alive connection, opened on first use and reopened after any failure.
pub(crate) struct Conn {
    addr: SocketAddr,
    stream: Option<TcpStream>,
    buf: Vec<u8>,
    /// The read buffer, kept: a fresh 256 KiB one per answer was an mmap, page faults and an
    /// munmap per request in the client, on the cores the server is measured on.
    chunk: Vec<u8>,
}

impl Conn {
    pub(crate) fn new(addr: SocketAddr) -> Self {
        Self {
            addr,
            stream: None,
            buf: Vec::with_capacity(64 * 1024),
            chunk: vec![0u8; CHUNK],
        }
    }

    /// `GET path`; the whole answer must arrive within `timeout`. With `keep_body` false the body
    /// is read and dropped (a year of 商品分析 is tens of MB).
    pub(crate) fn get(
        &mut self,
        path: &str,
        timeout: Duration,
        keep_body: bool,
    ) -> Result<Answer, Fail> {
        let deadline = Instant::now() + timeout;
        let result = self.exchange(path, deadline, keep_body);
        if result.is_err() {
            self.stream = None;
        }
        result
    }

    fn exchange(&mut self, path: &str, deadline: Instant, keep_body: bool) -> Result<Answer, Fail> {
        if self.stream.is_none() {
            self.stream = Some(connect(self.addr, deadline)?);
            self.buf.clear();
        }
        let stream = self.stream.as_mut().ok_or(Fail::Timeout)?;
        let head = format!("GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n");
        stream
            .set_write_timeout(Some(remaining(deadline)?))
            .map_err(io)?;
        stream.write_all(head.as_bytes()).map_err(io)?;
        read_answer(
            stream,
            (&mut self.buf, &mut self.chunk),
            deadline,
            keep_body,
        )
    }
}

/// Bytes read at a time.
const CHUNK: usize = 256 * 1024;

/// `POST /api/v1/uploads` of the file at `path` with `mode=merge`, on a new connection; the file
/// is streamed from disk, not buffered.
pub(crate) fn upload(addr: SocketAddr, path: &Path, timeout: Duration) -> Result<Answer, Fail> {
    const BOUNDARY: &str = "year-bench-boundary-3c9a1f";
    let deadline = Instant::now() + timeout;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export.xlsx".to_owned());
    let prefix = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"mode\"\r\n\r\nmerge\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
    );
    let suffix = format!("\r\n--{BOUNDARY}--\r\n");
    let mut file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    let length = prefix.len() as u64 + size + suffix.len() as u64;
    let mut stream = connect(addr, deadline)?;
    stream
        .set_write_timeout(Some(remaining(deadline)?))
        .map_err(io)?;
    let head = format!(
        "POST /api/v1/uploads HTTP/1.1\r\nHost: bench\r\n\
         Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {length}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).map_err(io)?;
    stream.write_all(prefix.as_bytes()).map_err(io)?;
    std::io::copy(&mut file, &mut stream).map_err(io)?;
    stream.write_all(suffix.as_bytes()).map_err(io)?;
    read_answer(
        &mut stream,
        (&mut Vec::new(), &mut vec![0u8; CHUNK]),
        deadline,
        true,
    )
}

fn io(err: impl std::fmt::Display) -> Fail {
    Fail::Io(err.to_string())
}

fn remaining(deadline: Instant) -> Result<Duration, Fail> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        Err(Fail::Timeout)
    } else {
        Ok(left)
    }
}

fn connect(addr: SocketAddr, deadline: Instant) -> Result<TcpStream, Fail> {
    let stream = TcpStream::connect_timeout(&addr, remaining(deadline)?)
        .map_err(|e| Fail::Io(format!("connect: {e}")))?;
    stream.set_nodelay(true).map_err(io)?;
    Ok(stream)
}

/// Reads into `chunk` what the socket has (at least one byte) before `deadline`.
fn read_some(stream: &mut TcpStream, chunk: &mut [u8], deadline: Instant) -> Result<usize, Fail> {
    stream
        .set_read_timeout(Some(remaining(deadline)?))
        .map_err(io)?;
    match stream.read(chunk) {
        Ok(0) => Err(Fail::Io("connection closed by the server".to_owned())),
        Ok(n) => Ok(n),
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            Err(Fail::Timeout)
        }
        Err(e) => Err(Fail::Io(format!("read: {e}"))),
    }
}

/// Reads one whole answer (head and `Content-Length` body) before `deadline`; bytes past it stay
/// in `buf` for the next one. The body goes from the socket's reads to `body` (or nowhere)
/// without passing through `buf`: a client that copies and shifts each 200 kB answer spends
/// the CPU the server is measured on.
fn read_answer(
    stream: &mut TcpStream,
    (buf, chunk): (&mut Vec<u8>, &mut Vec<u8>),
    deadline: Instant,
    keep_body: bool,
) -> Result<Answer, Fail> {
    let head = loop {
        if let Some(head) = parse_head(buf).map_err(io)? {
            break head;
        }
        let n = read_some(stream, chunk, deadline)?;
        buf.extend_from_slice(&chunk[..n]);
    };
    let hit = cache_header(&buf[..head.head_len]);
    buf.drain(..head.head_len);
    let mut body = Vec::new();
    let take = head.body_len.min(buf.len());
    if keep_body {
        body.extend_from_slice(&buf[..take]);
    }
    buf.drain(..take);
    let mut left = head.body_len - take;
    while left > 0 {
        let n = read_some(stream, chunk, deadline)?;
        let take = left.min(n);
        if keep_body {
            body.extend_from_slice(&chunk[..take]);
        }
        buf.extend_from_slice(&chunk[take..n]);
        left -= take;
    }
    if head.status != 200 {
        return Err(Fail::Status(head.status));
    }
    Ok(Answer {
        bytes: head.body_len,
        body,
        hit,
    })
}

/// `x-storeboard-cache` of a response head: `Some(true)` for `hit`, `Some(false)` for anything
/// else (`miss`, `shared`), `None` without the header.
fn cache_header(head: &[u8]) -> Option<bool> {
    let text = String::from_utf8_lossy(head);
    text.split("\r\n").find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("x-storeboard-cache")
            .then(|| value.trim().eq_ignore_ascii_case("hit"))
    })
}

/// Every number that follows `"key":` in a JSON text.
pub(crate) fn json_numbers(body: &[u8], key: &str) -> Vec<u64> {
    json_values(body, key)
        .iter()
        .filter_map(|v| v.parse().ok())
        .collect()
}

/// Every scalar that follows `"key":` in a JSON text, quotes removed.
pub(crate) fn json_values(body: &[u8], key: &str) -> Vec<String> {
    let text = String::from_utf8_lossy(body);
    let needle = format!("\"{key}\":");
    text.match_indices(&needle)
        .map(|(at, _)| {
            let rest = text[at + needle.len()..].trim_start();
            let end = rest.find([',', '}', ']']).unwrap_or(rest.len());
            rest[..end].trim().trim_matches('"').to_owned()
        })
        .collect()
}

/// Percent-encodes a query value (store names such as `门店01`).
pub(crate) fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

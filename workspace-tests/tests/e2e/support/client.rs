//! A raw HTTP/1 client over `std::net::TcpStream`: the exact bytes a test writes go out, and
//! responses are parsed by hand, so malformed requests, pipelining and half-sent heads can be
//! tested. Every read has a deadline.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use super::IO_TIMEOUT;

/// One client connection, with the bytes read but not yet consumed.
pub struct Client {
    stream: TcpStream,
    buf: Vec<u8>,
}

/// A parsed response.
#[derive(Debug)]
pub struct Response {
    /// `HTTP/1.1` or `HTTP/1.0`.
    pub version: String,
    /// The status code.
    pub status: u16,
    /// Headers in order, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
}

impl Response {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// True when the response says `Connection: close`.
    pub fn says_close(&self) -> bool {
        self.header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"))
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// How a connection ended, as seen by [`Client::until_close`].
#[derive(Debug)]
pub struct Ending {
    /// Everything read (including bytes already buffered) until the end.
    pub data: Vec<u8>,
    /// When end-of-stream (or a reset) was seen; `None` if still open at the deadline.
    pub closed_at: Option<Instant>,
}

impl Ending {
    /// The data as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }
}

enum Fill {
    Data,
    Eof,
    Timeout,
    Failed(io::Error),
}

impl Client {
    /// Connects, panicking if that takes longer than [`IO_TIMEOUT`] or fails.
    pub fn connect(addr: SocketAddr) -> Self {
        Self::try_connect(addr, IO_TIMEOUT)
            .unwrap_or_else(|e| panic!("cannot connect to {addr}: {e}"))
    }

    /// Connects within `limit`, with read and write timeouts of [`IO_TIMEOUT`].
    pub fn try_connect(addr: SocketAddr, limit: Duration) -> io::Result<Self> {
        let stream = TcpStream::connect_timeout(&addr, limit)?;
        stream.set_read_timeout(Some(IO_TIMEOUT))?;
        stream.set_write_timeout(Some(IO_TIMEOUT))?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream,
            buf: Vec::new(),
        })
    }

    /// Writes all of `bytes`, panicking on failure.
    pub fn send(&mut self, bytes: impl AsRef<[u8]>) {
        self.try_send(bytes).expect("write to the server");
    }

    /// Writes all of `bytes`.
    pub fn try_send(&mut self, bytes: impl AsRef<[u8]>) -> io::Result<()> {
        self.stream.write_all(bytes.as_ref())?;
        self.stream.flush()
    }

    /// Sends `raw` and reads one response.
    pub fn request(&mut self, raw: impl AsRef<[u8]>) -> Response {
        self.send(raw);
        self.response()
    }

    /// Reads one response within [`IO_TIMEOUT`], panicking with what was read if it cannot.
    pub fn response(&mut self) -> Response {
        self.try_response(IO_TIMEOUT, false)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Reads one response to a `HEAD` request: headers only, whatever they declare.
    pub fn head_response(&mut self) -> Response {
        self.try_response(IO_TIMEOUT, true)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Reads one response within `limit`; the body by `Content-Length`, chunked, or until
    /// close. `head_only` skips the body (answers to `HEAD`).
    pub fn try_response(&mut self, limit: Duration, head_only: bool) -> Result<Response, String> {
        let deadline = Instant::now() + limit;
        let head = self.take_through(b"\r\n\r\n", deadline)?;
        let head = String::from_utf8_lossy(&head).into_owned();
        let mut response = parse_head(&head)?;
        let no_body = head_only || matches!(response.status, 100..=199 | 204 | 304);
        if no_body {
            return Ok(response);
        }
        let chunked = response
            .header("transfer-encoding")
            .is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
        let length = response.header("content-length").map(str::parse::<usize>);
        response.body = match (chunked, length) {
            (true, _) => self.chunked_body(deadline)?,
            (false, Some(Ok(len))) => self.take(len, deadline)?,
            (false, Some(Err(e))) => return Err(format!("bad content-length in {head:?}: {e}")),
            (false, None) => {
                let left = deadline.saturating_duration_since(Instant::now());
                self.until_close(left).data
            }
        };
        Ok(response)
    }

    /// Reads until the server closes the connection (end-of-stream or reset) or `limit` passes.
    pub fn until_close(&mut self, limit: Duration) -> Ending {
        let deadline = Instant::now() + limit;
        loop {
            match self.fill(deadline) {
                Fill::Data => continue,
                Fill::Eof | Fill::Failed(_) => {
                    let closed_at = Some(Instant::now());
                    let data = std::mem::take(&mut self.buf);
                    return Ending { data, closed_at };
                }
                Fill::Timeout => {
                    let data = std::mem::take(&mut self.buf);
                    return Ending {
                        data,
                        closed_at: None,
                    };
                }
            }
        }
    }

    /// Asserts that the server closes the connection within `limit`; returns what it sent.
    pub fn assert_closed_within(&mut self, limit: Duration) -> Vec<u8> {
        let ending = self.until_close(limit);
        assert!(
            ending.closed_at.is_some(),
            "the connection is still open after {limit:?}; read {:?}",
            ending.text()
        );
        ending.data
    }

    fn fill(&mut self, deadline: Instant) -> Fill {
        let Some(remaining) = deadline.checked_duration_since(Instant::now()) else {
            return Fill::Timeout;
        };
        let timeout = remaining.max(Duration::from_millis(1));
        if let Err(e) = self.stream.set_read_timeout(Some(timeout)) {
            return Fill::Failed(e);
        }
        let mut chunk = [0u8; 16 * 1024];
        match self.stream.read(&mut chunk) {
            Ok(0) => Fill::Eof,
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                Fill::Data
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                Fill::Timeout
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Fill::Data,
            Err(e) => Fill::Failed(e),
        }
    }

    /// Takes the buffered bytes up to and including `end`, reading more as needed.
    fn take_through(&mut self, end: &[u8], deadline: Instant) -> Result<Vec<u8>, String> {
        loop {
            if let Some(at) = find(&self.buf, end) {
                return Ok(self.buf.drain(..at + end.len()).collect());
            }
            self.fill_or_explain(deadline, &format!("{end:?}"))?;
        }
    }

    /// Takes exactly `len` bytes, reading more as needed.
    fn take(&mut self, len: usize, deadline: Instant) -> Result<Vec<u8>, String> {
        while self.buf.len() < len {
            self.fill_or_explain(deadline, &format!("{len} body bytes"))?;
        }
        Ok(self.buf.drain(..len).collect())
    }

    fn fill_or_explain(&mut self, deadline: Instant, wanted: &str) -> Result<(), String> {
        let got = String::from_utf8_lossy(&self.buf).into_owned();
        match self.fill(deadline) {
            Fill::Data => Ok(()),
            Fill::Eof => Err(format!(
                "connection closed while waiting for {wanted}; got {got:?}"
            )),
            Fill::Timeout => Err(format!("timed out waiting for {wanted}; got {got:?}")),
            Fill::Failed(e) => Err(format!(
                "read failed ({e}) waiting for {wanted}; got {got:?}"
            )),
        }
    }

    fn chunked_body(&mut self, deadline: Instant) -> Result<Vec<u8>, String> {
        let mut body = Vec::new();
        // Bounded: a body of more than 10,000 chunks is not something these tests produce.
        for _ in 0..10_000 {
            let line = self.take_through(b"\r\n", deadline)?;
            let line = String::from_utf8_lossy(&line);
            let size = line.trim().split(';').next().unwrap_or_default();
            let size = usize::from_str_radix(size, 16)
                .map_err(|e| format!("bad chunk size {line:?}: {e}"))?;
            if size == 0 {
                // Trailers, if any, end with an empty line.
                while self.take_through(b"\r\n", deadline)? != b"\r\n" {}
                return Ok(body);
            }
            body.extend(self.take(size, deadline)?);
            self.take(2, deadline)?;
        }
        Err("more than 10,000 chunks".to_owned())
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn parse_head(head: &str) -> Result<Response, String> {
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or_default().to_owned();
    let status = parts
        .next()
        .and_then(|s| s.parse().ok())
        .filter(|_| version.starts_with("HTTP/"))
        .ok_or_else(|| format!("not an HTTP response head: {head:?}"))?;
    let headers = lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (name, value) = l.split_once(':').unwrap_or((l, ""));
            (name.trim().to_ascii_lowercase(), value.trim().to_owned())
        })
        .collect();
    Ok(Response {
        version,
        status,
        headers,
        body: Vec::new(),
    })
}

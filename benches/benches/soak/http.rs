//! HTTP/1.1 over one keep-alive connection: just enough of a client for the soak (framing by
//! `Content-Length`, chunked or end of connection), with a deadline on every request.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// Deadline of one ordinary request (head and body).
pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// A status and a body.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
}

/// The first 160 bytes of a body on one line, for failure messages.
pub(crate) fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(160)]).into_owned();
    text.replace(['\r', '\n'], " ")
}

/// One keep-alive connection, reopened after an error or a `Connection: close`.
pub(crate) struct Conn {
    addr: SocketAddr,
    stream: Option<TcpStream>,
    buf: Vec<u8>,
}

impl Conn {
    pub(crate) fn new(addr: SocketAddr) -> Self {
        Self {
            addr,
            stream: None,
            buf: Vec::with_capacity(64 * 1024),
        }
    }

    /// Sends one request and reads the whole answer. After an error the connection is dropped.
    pub(crate) fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        timeout: Duration,
    ) -> Result<Answer, String> {
        let result = self.exchange(method, path, headers, body, timeout);
        if result.is_err() {
            self.stream = None;
        }
        result
    }

    fn exchange(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        timeout: Duration,
    ) -> Result<Answer, String> {
        self.write_request(method, path, headers, body, timeout)?;
        self.read_answer(timeout)
    }

    /// Connects if there is no connection, then writes the request head and body.
    fn write_request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        timeout: Duration,
    ) -> Result<(), String> {
        if self.stream.is_none() {
            let stream = TcpStream::connect(self.addr).map_err(|e| format!("connect: {e}"))?;
            stream.set_nodelay(true).map_err(|e| e.to_string())?;
            self.stream = Some(stream);
            self.buf.clear();
        }
        let stream = self.stream.as_mut().ok_or("no connection")?;
        stream
            .set_read_timeout(Some(timeout))
            .and_then(|()| stream.set_write_timeout(Some(timeout)))
            .map_err(|e| e.to_string())?;
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", self.addr);
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if !body.is_empty() || method != "GET" {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        stream
            .write_all(head.as_bytes())
            .and_then(|()| stream.write_all(body))
            .map_err(|e| format!("write: {e}"))
    }

    /// Reads until a whole answer is buffered, or the end of the connection completes one.
    fn read_answer(&mut self, timeout: Duration) -> Result<Answer, String> {
        let deadline = Instant::now() + timeout;
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            match parse_response(&self.buf)? {
                Parsed::Done {
                    status,
                    body,
                    used,
                    close,
                } => {
                    self.buf.drain(..used);
                    if close {
                        self.stream = None;
                    }
                    return Ok(Answer { status, body });
                }
                Parsed::ToEof | Parsed::More => {}
            }
            if Instant::now() > deadline {
                return Err(format!("no whole answer within {timeout:?}"));
            }
            let stream = self.stream.as_mut().ok_or("no connection")?;
            let n = stream.read(&mut chunk).map_err(|e| format!("read: {e}"))?;
            if n == 0 {
                // A body delimited by the end of the connection is complete now.
                if let Parsed::ToEof = parse_response(&self.buf)? {
                    let answer = close_delimited(&self.buf)?;
                    self.buf.clear();
                    self.stream = None;
                    return Ok(answer);
                }
                return Err(format!(
                    "connection closed by the server ({} bytes of the answer read)",
                    self.buf.len()
                ));
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }
}

/// How far an answer at the start of a buffer has arrived.
enum Parsed {
    /// Not yet a whole answer.
    More,
    /// The head says the body runs to the end of the connection.
    ToEof,
    /// A whole answer of `used` bytes.
    Done {
        status: u16,
        body: Vec<u8>,
        used: usize,
        close: bool,
    },
}

pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The head of an answer: status, framing, and where the body starts.
struct Head {
    status: u16,
    len: Option<usize>,
    chunked: bool,
    close: bool,
    end: usize,
}

fn parse_head(buf: &[u8]) -> Result<Option<Head>, String> {
    let Some(end) = find(buf, b"\r\n\r\n") else {
        return if buf.len() > 64 * 1024 {
            Err("answer head longer than 64 KiB".into())
        } else {
            Ok(None)
        };
    };
    let text = std::str::from_utf8(&buf[..end]).map_err(|_| "answer head is not UTF-8")?;
    let mut lines = text.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .strip_prefix("HTTP/1.1 ")
        .or_else(|| status_line.strip_prefix("HTTP/1.0 "))
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let mut head = Head {
        status,
        len: None,
        chunked: false,
        close: status_line.starts_with("HTTP/1.0"),
        end: end + 4,
    };
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
        match name.as_str() {
            "content-length" => {
                head.len = Some(
                    value
                        .parse()
                        .map_err(|_| format!("bad Content-Length {value:?}"))?,
                );
            }
            "transfer-encoding" => head.chunked = value.to_ascii_lowercase().contains("chunked"),
            "connection" => head.close = value.eq_ignore_ascii_case("close"),
            _ => {}
        }
    }
    Ok(Some(head))
}

fn parse_response(buf: &[u8]) -> Result<Parsed, String> {
    let Some(head) = parse_head(buf)? else {
        return Ok(Parsed::More);
    };
    let rest = &buf[head.end..];
    let no_body = head.status == 204 || head.status == 304 || (100..200).contains(&head.status);
    let (body, used) = if no_body {
        (Vec::new(), 0)
    } else if head.chunked {
        match dechunk(rest)? {
            Some(done) => done,
            None => return Ok(Parsed::More),
        }
    } else if let Some(len) = head.len {
        if rest.len() < len {
            return Ok(Parsed::More);
        }
        (rest[..len].to_vec(), len)
    } else {
        return Ok(Parsed::ToEof);
    };
    Ok(Parsed::Done {
        status: head.status,
        body,
        used: head.end + used,
        close: head.close,
    })
}

/// A body read to the end of the connection.
fn close_delimited(buf: &[u8]) -> Result<Answer, String> {
    let head = parse_head(buf)?.ok_or("no answer head")?;
    Ok(Answer {
        status: head.status,
        body: buf[head.end..].to_vec(),
    })
}

/// A whole chunked body at the start of `data`: the body and the bytes it took.
fn dechunk(data: &[u8]) -> Result<Option<(Vec<u8>, usize)>, String> {
    let mut pos = 0;
    let mut body = Vec::new();
    loop {
        let Some(eol) = find(&data[pos..], b"\r\n") else {
            return Ok(None);
        };
        let line = std::str::from_utf8(&data[pos..pos + eol]).map_err(|_| "bad chunk size")?;
        let size_hex = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_hex, 16)
            .map_err(|_| format!("bad chunk size {size_hex:?}"))?;
        pos += eol + 2;
        if size == 0 {
            loop {
                let Some(eol) = find(&data[pos..], b"\r\n") else {
                    return Ok(None);
                };
                pos += eol + 2;
                if eol == 0 {
                    return Ok(Some((body, pos)));
                }
            }
        }
        if data.len() < pos + size + 2 {
            return Ok(None);
        }
        body.extend_from_slice(&data[pos..pos + size]);
        pos += size + 2;
    }
}

/// Percent-encodes a query value (store names such as `鲜丰便利(01号店)`).
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

//! Just enough HTTP/1.1 response parsing for the load generator: find the end of the head,
//! read the status code and the `Content-Length`. Anything else a trivial `GET /` should not
//! produce (chunked bodies, a missing length, a malformed status line) is an error, so the
//! benchmark never counts a response it did not read in full.

/// The longest response head accepted; a trivial page's head is ~150 bytes.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;

/// A complete response head at the start of a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    /// The status code (`200`).
    pub status: u16,
    /// Bytes of the head, blank line included.
    pub head_len: usize,
    /// Bytes of the body that follows, from `Content-Length`.
    pub body_len: usize,
}

impl Head {
    /// Bytes of the whole response: head and body.
    pub fn total_len(&self) -> usize {
        self.head_len + self.body_len
    }
}

/// Why a response could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BadResponse {
    /// The status line is not `HTTP/1.x NNN ...`.
    #[error("malformed status line {line:?}")]
    StatusLine {
        /// The line as received (lossy UTF-8).
        line: String,
    },
    /// No `Content-Length` header; the generator reads no other framing.
    #[error("response without Content-Length (status {status})")]
    NoLength {
        /// The status code of that response.
        status: u16,
    },
    /// A `Content-Length` that is not a number.
    #[error("malformed Content-Length {value:?}")]
    BadLength {
        /// The header value as received (lossy UTF-8).
        value: String,
    },
    /// The head did not end within [`MAX_HEAD_BYTES`].
    #[error("response head longer than {limit} bytes")]
    HeadTooLarge {
        /// The limit that was exceeded.
        limit: usize,
    },
}

/// Parses the response head at the start of `buf`: `Ok(None)` until the blank line has
/// arrived, then the status and the body length.
pub fn parse_head(buf: &[u8]) -> Result<Option<Head>, BadResponse> {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        if buf.len() > MAX_HEAD_BYTES {
            return Err(BadResponse::HeadTooLarge {
                limit: MAX_HEAD_BYTES,
            });
        }
        return Ok(None);
    };
    let mut lines = buf[..end].split(|&b| b == b'\n').map(trim_cr);
    let status_line = lines.next().unwrap_or_default();
    let status = parse_status(status_line).ok_or_else(|| BadResponse::StatusLine {
        line: String::from_utf8_lossy(status_line).into_owned(),
    })?;
    let mut body_len = None;
    for line in lines {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii());
        if name.eq_ignore_ascii_case(b"content-length") {
            let parsed = std::str::from_utf8(value).ok().and_then(|v| v.parse().ok());
            body_len = Some(parsed.ok_or_else(|| BadResponse::BadLength {
                value: String::from_utf8_lossy(value).into_owned(),
            })?);
        }
    }
    let body_len = body_len.ok_or(BadResponse::NoLength { status })?;
    Ok(Some(Head {
        status,
        head_len: end + 4,
        body_len,
    }))
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn parse_status(line: &[u8]) -> Option<u16> {
    let rest = line
        .strip_prefix(b"HTTP/1.1 ")
        .or_else(|| line.strip_prefix(b"HTTP/1.0 "))?;
    let code = rest.get(..3)?;
    if !code.iter().all(u8::is_ascii_digit) || rest.get(3).is_some_and(|&b| b != b' ') {
        return None;
    }
    std::str::from_utf8(code).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &[u8] =
        b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-type: text/plain\r\n\r\nhello";

    #[test]
    fn parse_head_reads_status_and_content_length() {
        let head = parse_head(OK).ok().flatten();
        assert_eq!(
            head,
            Some(Head {
                status: 200,
                head_len: OK.len() - 5,
                body_len: 5
            })
        );
        assert_eq!(head.map(|h| h.total_len()), Some(OK.len()));
    }

    #[test]
    fn parse_head_waits_for_the_blank_line() {
        assert_eq!(parse_head(&OK[..20]), Ok(None));
        assert_eq!(parse_head(b""), Ok(None));
    }

    #[test]
    fn parse_head_matches_content_length_in_any_case() {
        let res = b"HTTP/1.1 404 Not Found\r\nContent-Length:  12 \r\n\r\n";
        let head = parse_head(res).ok().flatten();
        assert_eq!(head.map(|h| (h.status, h.body_len)), Some((404, 12)));
    }

    #[test]
    fn parse_head_rejects_a_response_without_content_length() {
        let res = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n";
        assert_eq!(parse_head(res), Err(BadResponse::NoLength { status: 200 }));
    }

    #[test]
    fn parse_head_rejects_a_malformed_status_line() {
        for res in [
            &b"HTTP/2 200\r\n\r\n"[..],
            b"HTTP/1.1 2x0 OK\r\n\r\n",
            b"HTTP/1.1 2000\r\n\r\n",
        ] {
            assert!(matches!(
                parse_head(res),
                Err(BadResponse::StatusLine { .. })
            ));
        }
    }

    #[test]
    fn parse_head_rejects_a_non_numeric_content_length() {
        let res = b"HTTP/1.1 200 OK\r\ncontent-length: ten\r\n\r\n";
        assert!(matches!(
            parse_head(res),
            Err(BadResponse::BadLength { .. })
        ));
    }

    #[test]
    fn parse_head_gives_up_on_an_endless_head() {
        let res = vec![b'a'; MAX_HEAD_BYTES + 1];
        assert_eq!(
            parse_head(&res),
            Err(BadResponse::HeadTooLarge {
                limit: MAX_HEAD_BYTES
            })
        );
    }
}

//! Fixed responses the engine writes itself, at moments when no HTTP dispatcher owns the socket
//! (a refusal at the connection limit) or when no response is in progress (a head timeout).

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The fixed responses, built once per engine with its `Server` header.
#[derive(Debug)]
pub(crate) struct Canned {
    /// `408` for a client that took longer than `header_read_timeout` to send its request head.
    pub(crate) request_timeout: std::sync::Arc<[u8]>,
    /// `503` for a client arriving while every channel is busy at the connection limit.
    pub(crate) service_unavailable: Vec<u8>,
}

impl Canned {
    pub(crate) fn new(ident: &str) -> Self {
        // The ident went through HeaderValue validation; strip anything that could split lines.
        let server: String = ident.chars().filter(|c| !c.is_control()).collect();
        Self {
            request_timeout: response(
                &server,
                "408 Request Timeout",
                "",
                "request header timed out",
            )
            .into(),
            service_unavailable: response(
                &server,
                "503 Service Unavailable",
                "retry-after: 1\r\n",
                "server busy: connection limit reached, retry in a second",
            ),
        }
    }
}

fn response(server: &str, status: &str, extra: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\nserver: {server}\r\ncontent-type: text/plain; charset=utf-8\r\n\
         {extra}content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// How long a refused client gets to read the `503` before its socket is closed, and how much of
/// what it sent meanwhile is read and dropped. Draining stops the kernel answering unread bytes
/// with a reset that could destroy the response before the client reads it.
const LINGER: Duration = Duration::from_millis(500);
const LINGER_BYTES: usize = 64 * 1024;

/// Answers `503` with `Retry-After` and `Connection: close`, then closes gracefully.
pub(crate) async fn refuse(mut stream: TcpStream, response: &[u8]) {
    let _ = stream.set_nodelay(true);
    if stream.write_all(response).await.is_err() {
        return;
    }
    let _ = stream.shutdown().await;
    let drain = async {
        let mut buf = [0u8; 4096];
        let mut total = 0;
        while total < LINGER_BYTES {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => total += n,
            }
        }
    };
    let _ = tokio::time::timeout(LINGER, drain).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn declared_length_matches_body(response: &[u8]) {
        let text = std::str::from_utf8(response).expect("ascii");
        let (head, body) = text.split_once("\r\n\r\n").expect("head and body");
        let declared: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length: "))
            .and_then(|v| v.parse().ok())
            .expect("content-length");
        assert_eq!(declared, body.len(), "{head}");
    }

    #[test]
    fn canned_responses_declare_their_exact_length() {
        let canned = Canned::new("storeboard");
        declared_length_matches_body(&canned.request_timeout);
        declared_length_matches_body(&canned.service_unavailable);
        let text = String::from_utf8_lossy(&canned.service_unavailable).into_owned();
        assert!(
            text.contains("server: storeboard\r\n") && text.contains("retry-after: 1\r\n"),
            "{text}"
        );
    }
}

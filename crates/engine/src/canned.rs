//! Fixed responses the engine writes itself, at moments when no HTTP dispatcher owns the socket
//! (a refusal at the connection limit) or when no response is in progress (a head timeout).

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// `408` for a client that took longer than `header_read_timeout` to send its request head.
pub(crate) const REQUEST_TIMEOUT: &[u8] = b"HTTP/1.1 408 Request Timeout\r\n\
content-type: text/plain; charset=utf-8\r\ncontent-length: 24\r\nconnection: close\r\n\r\n\
request header timed out";

/// `503` for a client arriving while every channel is busy at the connection limit.
const SERVICE_UNAVAILABLE: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
content-type: text/plain; charset=utf-8\r\nretry-after: 1\r\ncontent-length: 40\r\n\
connection: close\r\n\r\nserver busy: connection limit reached\r\n\r\n";

/// How long a refused client gets to read the `503` before its socket is closed, and how much of
/// what it sent meanwhile is read and dropped. Draining stops the kernel answering unread bytes
/// with a reset that could destroy the response before the client reads it.
const LINGER: Duration = Duration::from_millis(500);
const LINGER_BYTES: usize = 64 * 1024;

/// Answers `503` with `Retry-After` and `Connection: close`, then closes gracefully.
pub(crate) async fn refuse(mut stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    if stream.write_all(SERVICE_UNAVAILABLE).await.is_err() {
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
        declared_length_matches_body(REQUEST_TIMEOUT);
        declared_length_matches_body(SERVICE_UNAVAILABLE);
    }
}

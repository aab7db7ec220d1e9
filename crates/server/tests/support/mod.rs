//! What the tests of the real binary share: starting it on a data directory and waiting for its
//! `Serving on` line, killing it, and one raw HTTP/1.1 exchange.

// Each test binary includes this module and uses part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_storeboard");

/// The binary, serving; killed (SIGKILL: nothing is checkpointed) and reaped on drop.
pub struct Running {
    pub child: Child,
    pub port: u16,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    /// Kills the server and waits until it is gone.
    pub fn kill(mut self) {
        self.child.kill().expect("kills the server");
        self.child.wait().expect("reaps the server");
    }
}

/// The server on `dir`: loopback, a free port, two workers, a quiet log, and no configuration
/// leaking in from the environment of whoever runs the tests.
pub fn server_command(dir: &Path) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(["--host", "127.0.0.1", "--port", "0", "--threads", "2"])
        .arg("--data-dir")
        .arg(dir)
        .env_remove("STOREBOARD_CONFIG")
        .env_remove("STOREBOARD_IMPORT_DIR")
        .env("STOREBOARD_LOG", "warn")
        .stdin(Stdio::null());
    command
}

/// Spawns `command` and waits up to `timeout` for its `Serving on` line (the port it bound).
pub fn serve(mut command: Command, timeout: Duration) -> Running {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut running = Running { child, port: 0 };
    let (tx, rx) = mpsc::channel();
    // The pipe is read to its end so the server never blocks on a full stdout.
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + timeout;
    while running.port == 0 {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = rx.recv_timeout(left).expect("a Serving on line in time");
        if let Some(addr) = line.strip_prefix("Serving on http://") {
            running.port = addr
                .rsplit(':')
                .next()
                .and_then(|p| p.parse().ok())
                .expect("a port");
        }
    }
    running
}

/// [`serve`] of [`server_command`] on `dir`.
pub fn start(dir: &Path, timeout: Duration) -> Running {
    serve(server_command(dir), timeout)
}

/// One HTTP/1.1 exchange (the head should say `Connection: close`): the status and the body
/// (64 MiB at most). Chunked answers are refused: these tests read bodies as sent.
pub fn exchange(
    port: u16,
    head: &str,
    body: &[u8],
    timeout: Duration,
) -> std::io::Result<(u16, Vec<u8>)> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    let mut raw = Vec::new();
    stream.take(64 << 20).read_to_end(&mut raw)?;
    let bad = || {
        std::io::Error::other(format!(
            "no HTTP response: {:?}",
            String::from_utf8_lossy(&raw)
        ))
    };
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(bad)?;
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    assert!(!head.contains("transfer-encoding: chunked"), "{head}");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(bad)?;
    Ok((status, raw[split + 4..].to_vec()))
}

/// `GET path` with `Connection: close`, asserting 200: the body as JSON.
pub fn get_json(port: u16, path: &str, timeout: Duration) -> Value {
    let head = format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    let (status, body) = exchange(port, &head, b"", timeout).expect("a GET answer");
    assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("{path}: {e}: {}", String::from_utf8_lossy(&body)))
}

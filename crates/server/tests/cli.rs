//! The `storeboard` binary as a user runs it: banner, real port, status page, SIGTERM, and bad
//! configuration values.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_storeboard");

/// A started binary and the lines it printed up to its first `Serving on` line.
struct Running {
    child: Child,
    banner: Vec<String>,
    port: u16,
    lines: mpsc::Receiver<String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(args: &[&str], data_dir: &std::path::Path) -> Running {
    let mut child = Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("STOREBOARD_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take();
    let (tx, rx) = mpsc::channel();
    // Owned by `Running` from here on, so the child is killed and reaped whatever happens next.
    let mut running = Running {
        child,
        banner: Vec::new(),
        port: 0,
        lines: rx,
    };
    let stdout = stdout.expect("piped stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = running
            .lines
            .recv_timeout(left)
            .expect("a Serving on line within 20 s");
        running.banner.push(line.clone());
        if let Some(addr) = line.strip_prefix("Serving on http://") {
            running.port = addr
                .rsplit(':')
                .next()
                .and_then(|p| p.parse().ok())
                .expect("port");
            return running;
        }
    }
}

fn get(port: u16, path: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .expect("writes");
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .expect("reads the response");
    response
}

#[test]
fn production_banner_names_the_mode_and_the_real_port_without_a_development_warning() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start(
        &["--host", "127.0.0.1", "--port", "0", "--threads", "2"],
        dir.path(),
    );
    assert_eq!(
        server.banner[0],
        "🚀 生产模式: Storeboard 引擎 (threads=2, connection_limit=100)"
    );
    assert_ne!(server.port, 0, "the real port is printed");
    let all = server.banner.join("\n").to_lowercase();
    assert!(!all.contains("development server"), "{all}");
    assert!(get(server.port, "/healthz").ends_with("ok"));
    let page = get(server.port, "/");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("<title>门店看板</title>"), "{page}");
    let status = get(server.port, "/status");
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    assert!(
        status.contains("引擎状态") && status.contains("connection_limit"),
        "{status}"
    );
    let metrics = get(server.port, "/metrics");
    assert!(metrics.contains("storeboard_requests_total"), "{metrics}");
    assert!(
        metrics.contains("storeboard_tab_cache_hits_total"),
        "{metrics}"
    );
}

#[test]
fn one_serving_line_is_printed_per_listener() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Two free ports, found by binding and releasing them.
    let ports: Vec<u16> = (0..2)
        .map(|_| {
            std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("port")
                .port()
        })
        .collect();
    let listen = format!("127.0.0.1:{},127.0.0.1:{}", ports[0], ports[1]);
    let server = start(&["--listen", &listen], dir.path());
    let first = server.banner.last().cloned();
    let second = server.lines.recv_timeout(Duration::from_secs(5)).ok();
    assert_eq!(
        first,
        Some(format!("Serving on http://127.0.0.1:{}", ports[0]))
    );
    assert_eq!(
        second,
        Some(format!("Serving on http://127.0.0.1:{}", ports[1]))
    );
    assert!(
        get(ports[1], "/healthz").ends_with("ok"),
        "second listener serves"
    );
}

#[cfg(unix)]
#[test]
fn sigterm_stops_the_server_with_exit_code_zero() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut server = start(&["--host", "127.0.0.1", "--port", "0"], dir.path());
    let pid = server.child.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            assert_eq!(status.code(), Some(0));
            break;
        }
        assert!(
            Instant::now() < deadline,
            "server did not stop within 10 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn run_failing(args: &[&str], envs: &[(&str, &str)]) -> (i32, String) {
    let out = Command::new(BIN)
        .args(args)
        .envs(envs.iter().copied())
        .env_remove("STOREBOARD_CONFIG")
        .stdin(Stdio::null())
        .output()
        .expect("binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_flag_value_exits_2_naming_setting_value_and_flag() {
    let (code, err) = run_failing(&["--port", "abc"], &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("port") && err.contains("'abc'") && err.contains("--port"),
        "{err}"
    );
}

#[test]
fn bad_environment_value_exits_2_naming_the_variable() {
    let (code, err) = run_failing(&[], &[("STOREBOARD_CHANNEL_TIMEOUT", "soon")]);
    assert_eq!(code, 2);
    assert!(
        err.contains("channel_timeout")
            && err.contains("'soon'")
            && err.contains("STOREBOARD_CHANNEL_TIMEOUT"),
        "{err}"
    );
}

#[test]
fn bad_config_file_value_exits_2_naming_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("storeboard.toml");
    std::fs::write(&file, "threads = \"lots\"\n").expect("writes config");
    let (code, err) = run_failing(&["--config", file.to_str().expect("utf-8 path")], &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("threads") && err.contains("lots") && err.contains("storeboard.toml"),
        "{err}"
    );
}

#[test]
fn help_lists_every_flag_and_exits_0() {
    let out = Command::new(BIN)
        .arg("--help")
        .output()
        .expect("binary runs");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--connection-limit",
        "--header-read-timeout",
        "--no-log-socket-errors",
        "--preset",
        "--data-dir",
        "--config",
    ] {
        assert!(text.contains(flag), "{flag} missing from --help");
    }
}

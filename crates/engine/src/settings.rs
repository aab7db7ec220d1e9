//! The engine's one typed settings struct.
//!
//! Every setting is declared exactly once in the `settings!` table below: its type, its default,
//! its unit and its meaning. From that table come the struct, its `Default`, the string setter
//! used by CLI flags / environment variables / TOML files, and the metadata ([`Settings::FIELDS`])
//! that `docs/configuration.md` is checked against.

use std::fmt;
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

use crate::error::SettingsError;
use crate::value::SettingValue;

/// How a setting's value is written by a user: decides the CLI shape (a `--flag VALUE` or a
/// boolean `--flag`/`--no-flag` pair) and the hint in error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Free text.
    Text,
    /// A whole number (bytes, counts, a port).
    Integer,
    /// Seconds, decimals allowed (`0.5`).
    Seconds,
    /// `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`).
    Bool,
    /// A list of `HOST:PORT` addresses; repeatable on the command line, comma-separated elsewhere.
    AddressList,
}

/// Metadata of one setting, for CLI/env/TOML wiring and the documentation check.
#[derive(Debug, Clone, Copy)]
pub struct SettingSpec {
    /// The TOML key and struct field name (`channel_timeout`).
    pub key: &'static str,
    /// How the value is written.
    pub kind: Kind,
    /// Unit shown in the docs (`seconds`, `bytes`, or empty).
    pub unit: &'static str,
    /// One-line meaning, with the reason for the default where it matters.
    pub help: &'static str,
}

impl SettingSpec {
    /// The command-line flag: `--channel-timeout`.
    pub fn flag(&self) -> String {
        format!("--{}", self.key.replace('_', "-"))
    }

    /// The environment variable: `STOREBOARD_CHANNEL_TIMEOUT`.
    pub fn env_var(&self) -> String {
        format!("STOREBOARD_{}", self.key.to_ascii_uppercase())
    }
}

macro_rules! settings {
    ($( $(#[doc = $doc:literal])* $key:ident : $ty:ty = $default:expr, $kind:ident, $unit:literal; )*) => {
        /// Everything that shapes how the engine accepts, serves and reaps connections.
        ///
        /// Build it with [`Settings::default`] and change fields, or feed strings through
        /// [`Settings::set`]; then call [`Settings::validate`].
        #[derive(Debug, Clone, PartialEq)]
        pub struct Settings {
            $( $(#[doc = $doc])* pub $key: $ty, )*
        }

        impl Default for Settings {
            fn default() -> Self {
                Self { $( $key: $default, )* }
            }
        }

        impl Settings {
            /// Every setting's metadata, in declaration order.
            pub const FIELDS: &'static [SettingSpec] = &[
                $( SettingSpec {
                    key: stringify!($key),
                    kind: Kind::$kind,
                    unit: $unit,
                    help: concat!($($doc, " "),*),
                }, )*
            ];

            /// Sets one setting from its textual form (as written in a flag, an environment
            /// variable or a TOML file). List settings replace the whole list.
            pub fn set(&mut self, key: &str, raw: &str) -> Result<(), SettingsError> {
                match key {
                    $( stringify!($key) => {
                        self.$key = <$ty as SettingValue>::parse_setting(raw).map_err(|expected| {
                            SettingsError::InvalidValue {
                                key: key.to_owned(),
                                value: raw.to_owned(),
                                expected,
                            }
                        })?;
                        Ok(())
                    } )*
                    _ => Err(SettingsError::UnknownSetting { key: key.to_owned() }),
                }
            }

            /// The textual form of one setting's current value (`None` for an unknown key).
            pub fn get(&self, key: &str) -> Option<String> {
                match key {
                    $( stringify!($key) => Some(SettingValue::show_setting(&self.$key)), )*
                    _ => None,
                }
            }
        }
    };
}

settings! {
    /// Interface to listen on when `listen` is empty; `0.0.0.0` serves the whole LAN.
    host: String = "0.0.0.0".to_owned(), Text, "";
    /// TCP port to listen on when `listen` is empty; `0` picks a free port (printed at start).
    port: u16 = 8050, Integer, "";
    /// Several `HOST:PORT` listeners (IPv6 as `[::1]:8050`); replaces `host`/`port` when set.
    listen: Vec<String> = Vec::new(), AddressList, "";
    /// Worker actors, each an event loop on its own thread serving many connections.
    threads: usize = 4, Integer, "";
    /// Open client connections at most; at the limit the longest-idle channel is reclaimed, or the newcomer gets `503`.
    connection_limit: usize = 100, Integer, "";
    /// A channel with no request in flight is closed after this long without traffic.
    channel_timeout: Duration = Duration::from_secs(60), Seconds, "seconds";
    /// How often the cleanup actor looks for channels idle past `channel_timeout`.
    cleanup_interval: Duration = Duration::from_secs(30), Seconds, "seconds";
    /// Size of each read from a socket, as in Waitress.
    recv_bytes: usize = 8192, Integer, "bytes";
    /// Size of each write to a socket (the write-buffer flush size), as in Waitress.
    send_bytes: usize = 8192, Integer, "bytes";
    /// Kernel receive buffer (SO_RCVBUF) of the listening sockets; unset keeps the OS default.
    so_rcvbuf: Option<usize> = None, Integer, "bytes";
    /// Kernel send buffer (SO_SNDBUF) of the listening sockets; unset keeps the OS default.
    so_sndbuf: Option<usize> = None, Integer, "bytes";
    /// Pending connections the kernel queues before the acceptor takes them.
    backlog: u32 = 1024, Integer, "";
    /// Largest request head (request line and headers) accepted; larger gets `431` (actix-http itself caps heads at 131072).
    max_request_header_size: usize = 262_144, Integer, "bytes";
    /// Largest request body accepted, declared or chunked; larger gets `413` (256 MiB: a month of a 28-store chain exports to ~150 MB).
    max_request_body_size: u64 = 268_435_456, Integer, "bytes";
    /// Total time a client may take to send one request head, however it trickles it; then `408` and close.
    header_read_timeout: Duration = Duration::from_secs(30), Seconds, "seconds";
    /// On SIGINT/SIGTERM, how long in-flight requests may take to finish before the rest are cut.
    shutdown_timeout: Duration = Duration::from_secs(10), Seconds, "seconds";
    /// Log socket errors (a client vanishing mid-response); they are always counted.
    log_socket_errors: bool = true, Bool, "";
    /// Put error details in 500 responses; leave off in production.
    expose_tracebacks: bool = false, Bool, "";
    /// Value of the `Server` response header.
    ident: String = "storeboard".to_owned(), Text, "";
    /// Log one line per request (method, path, status, bytes, ms, peer).
    access_log: bool = true, Bool, "";
}

/// Deployment presets from the old Waitress table: users served → threads and connection limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// 1–5 users: threads 2, connection_limit 50.
    Small,
    /// 5–10 users: threads 4, connection_limit 100.
    Medium,
    /// 10–20 users: threads 8, connection_limit 200.
    Large,
    /// 20+ users: threads 16, connection_limit 500.
    Xlarge,
}

impl Preset {
    /// All presets, smallest first.
    pub const ALL: [Preset; 4] = [Preset::Small, Preset::Medium, Preset::Large, Preset::Xlarge];

    /// The preset's name as written on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Small => "small",
            Preset::Medium => "medium",
            Preset::Large => "large",
            Preset::Xlarge => "xlarge",
        }
    }

    /// `(threads, connection_limit)` of this preset.
    pub fn values(self) -> (usize, usize) {
        match self {
            Preset::Small => (2, 50),
            Preset::Medium => (4, 100),
            Preset::Large => (8, 200),
            Preset::Xlarge => (16, 500),
        }
    }

    /// Writes the preset's threads and connection limit into `settings`.
    pub fn apply(self, settings: &mut Settings) {
        let (threads, limit) = self.values();
        settings.threads = threads;
        settings.connection_limit = limit;
    }
}

impl std::str::FromStr for Preset {
    type Err = SettingsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Preset::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| SettingsError::InvalidValue {
                key: "preset".to_owned(),
                value: s.to_owned(),
                expected: "one of small, medium, large, xlarge".to_owned(),
            })
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Settings {
    /// Rejects values and combinations the engine cannot run with, naming the setting.
    pub fn validate(&self) -> Result<(), SettingsError> {
        let positive = [
            ("threads", self.threads as u64),
            ("connection_limit", self.connection_limit as u64),
            ("recv_bytes", self.recv_bytes as u64),
            ("send_bytes", self.send_bytes as u64),
            ("backlog", u64::from(self.backlog)),
            (
                "max_request_header_size",
                self.max_request_header_size as u64,
            ),
            ("max_request_body_size", self.max_request_body_size),
        ];
        for (key, value) in positive {
            if value == 0 {
                return Err(SettingsError::Conflict(format!("{key} must be at least 1")));
            }
        }
        let durations = [
            ("channel_timeout", self.channel_timeout),
            ("cleanup_interval", self.cleanup_interval),
            ("header_read_timeout", self.header_read_timeout),
        ];
        for (key, value) in durations {
            if value.is_zero() {
                return Err(SettingsError::Conflict(format!(
                    "{key} must be greater than 0 seconds"
                )));
            }
        }
        if self.max_request_header_size < 256 {
            return Err(SettingsError::Conflict(
                "max_request_header_size must be at least 256 bytes: no browser request fits in less"
                    .to_owned(),
            ));
        }
        self.listen_addrs().map(|_| ())
    }

    /// The addresses to listen on: each `listen` entry resolved, or `host:port`.
    pub fn listen_addrs(&self) -> Result<Vec<SocketAddr>, SettingsError> {
        if self.listen.is_empty() {
            return resolve(&self.host, self.port).map_err(|expected| {
                SettingsError::InvalidValue {
                    key: "host".to_owned(),
                    value: self.host.clone(),
                    expected,
                }
            });
        }
        let mut addrs = Vec::new();
        for entry in &self.listen {
            let bad = |expected: String| SettingsError::InvalidValue {
                key: "listen".to_owned(),
                value: entry.clone(),
                expected,
            };
            let (host, port) = split_host_port(entry).map_err(bad)?;
            addrs.extend(resolve(host, port).map_err(bad)?);
        }
        Ok(addrs)
    }
}

/// Splits `HOST:PORT`, `[V6]:PORT` or `*:PORT` (all IPv4 interfaces).
pub(crate) fn split_host_port(entry: &str) -> Result<(&str, u16), String> {
    let expected = || "HOST:PORT, with IPv6 in brackets ([::1]:8050)".to_owned();
    let (host, port) = entry.trim().rsplit_once(':').ok_or_else(expected)?;
    let port: u16 = port.parse().map_err(|_| expected())?;
    let host = match host {
        "*" => "0.0.0.0",
        h if h.starts_with('[') && h.ends_with(']') => &h[1..h.len() - 1],
        h if h.contains(':') => return Err(expected()),
        h => h,
    };
    if host.is_empty() {
        return Err(expected());
    }
    Ok((host, port))
}

fn resolve(host: &str, port: u16) -> Result<Vec<SocketAddr>, String> {
    let addrs: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|e| format!("an address this machine can resolve ({e})"))?
        .collect();
    match addrs.first() {
        // A name like `localhost` may resolve to both families; one listener per name is what
        // a user means, so keep the first.
        Some(first) => Ok(vec![*first]),
        None => Err("an address this machine can resolve".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_waitress_deployment() {
        let s = Settings::default();
        assert_eq!((s.threads, s.connection_limit), (4, 100));
        assert_eq!(s.channel_timeout, Duration::from_secs(60));
        assert_eq!(s.get("max_request_body_size").as_deref(), Some("268435456"));
        assert!(s.validate().is_ok());
    }

    #[test]
    fn set_parses_text_and_names_the_setting_on_error() {
        let mut s = Settings::default();
        s.set("channel_timeout", "1.5").expect("valid seconds");
        assert_eq!(s.channel_timeout, Duration::from_millis(1500));
        let err = s.set("threads", "many").expect_err("not a number");
        assert!(err.to_string().contains("threads"), "{err}");
        assert!(err.to_string().contains("many"), "{err}");
        assert!(s.set("nope", "1").is_err());
    }

    #[test]
    fn zero_threads_is_rejected_with_an_exact_message() {
        let s = Settings {
            threads: 0,
            ..Settings::default()
        };
        assert_eq!(
            s.validate().expect_err("zero").to_string(),
            "threads must be at least 1"
        );
    }

    #[test]
    fn listen_accepts_ipv4_ipv6_and_star() {
        let mut s = Settings::default();
        s.set("listen", "127.0.0.1:0, [::1]:9000,*:81")
            .expect("valid");
        let addrs = s.listen_addrs().expect("resolvable");
        assert_eq!(addrs.len(), 3);
        assert!(addrs[1].is_ipv6());
        assert!(split_host_port("::1:80").is_err());
        assert!(split_host_port("host").is_err());
    }

    #[test]
    fn presets_follow_the_old_deployment_table() {
        let mut s = Settings::default();
        "xlarge".parse::<Preset>().expect("known").apply(&mut s);
        assert_eq!((s.threads, s.connection_limit), (16, 500));
        assert!("huge".parse::<Preset>().is_err());
    }

    #[test]
    fn every_field_has_help_and_a_readable_default() {
        let s = Settings::default();
        for spec in Settings::FIELDS {
            assert!(!spec.help.trim().is_empty(), "{}", spec.key);
            assert!(s.get(spec.key).is_some(), "{}", spec.key);
        }
    }
}

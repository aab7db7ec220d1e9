//! [`ConfigError`]: why settings could not be loaded, naming the setting, the value and its
//! [`Origin`].

use std::fmt;
use std::io;
use std::path::PathBuf;

use storeboard_engine::SettingsError;

/// Where a value came from, as error messages name it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Origin {
    /// The built-in default.
    Default,
    /// A key in this TOML file.
    File(PathBuf),
    /// This environment variable (`STOREBOARD_PORT`).
    Env(String),
    /// This command-line flag (`--port`).
    Flag(String),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Default => f.write_str("the default"),
            Origin::File(path) => write!(f, "config file {}", path.display()),
            Origin::Env(name) => write!(f, "environment variable {name}"),
            Origin::Flag(flag) => f.write_str(flag),
        }
    }
}

/// Why the settings could not be loaded; `main` prints it and exits with [`ConfigError::exit_code`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// `--help` or `--version` was asked for: print the text to stdout and exit 0.
    #[error("{0}")]
    Help(String),
    /// The command line does not parse (clap's message, with usage and a hint).
    #[error("{0}")]
    Usage(String),
    /// A value that does not parse or is refused, with where it came from.
    #[error("invalid value '{value}' for {key} (from {origin}): expected {expected}")]
    InvalidValue {
        /// The setting's key (`port`).
        key: String,
        /// The text given.
        value: String,
        /// Where it was given.
        origin: Origin,
        /// What would have been accepted.
        expected: String,
    },
    /// A top-level key in the TOML file that names no setting.
    #[error("unknown setting '{key}' in config file {}: the settings are listed in docs/configuration.md", file.display())]
    UnknownKey {
        /// The key found.
        key: String,
        /// The file it is in.
        file: PathBuf,
    },
    /// The TOML file could not be read.
    #[error("cannot read config file {}: {source}", path.display())]
    ReadFile {
        /// The file named by `--config` or `STOREBOARD_CONFIG`.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// The TOML file is not valid TOML.
    #[error("config file {} is not valid TOML: {message}", path.display())]
    ParseFile {
        /// The file.
        path: PathBuf,
        /// The parser's message and the line it stopped at.
        message: String,
    },
    /// Settings that are valid alone but not together; the text is the exact message.
    #[error("{0}")]
    Conflict(String),
}

impl ConfigError {
    /// The process exit code: 0 after help or version, 2 for a bad command line or setting.
    pub fn exit_code(&self) -> i32 {
        match self {
            ConfigError::Help(_) => 0,
            _ => 2,
        }
    }

    /// The engine's error for a value given at `origin`.
    pub(crate) fn from_settings(err: SettingsError, origin: Origin) -> ConfigError {
        match err {
            SettingsError::InvalidValue {
                key,
                value,
                expected,
            } => ConfigError::InvalidValue {
                key,
                value,
                origin,
                expected,
            },
            other => ConfigError::Conflict(other.to_string()),
        }
    }
}

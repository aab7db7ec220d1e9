//! The engine's error type.

use std::io;
use std::net::SocketAddr;

/// Why the engine could not be configured, bound or run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// A value that does not parse as the setting's type.
    #[error("invalid value '{value}' for {key}: expected {expected}")]
    InvalidValue {
        /// The setting's key (`channel_timeout`).
        key: String,
        /// The text given.
        value: String,
        /// What would have been accepted.
        expected: String,
    },
    /// A key that names no setting.
    #[error("unknown setting '{key}'")]
    UnknownSetting {
        /// The key given.
        key: String,
    },
    /// A value or combination the engine refuses; the text is the exact message.
    #[error("{0}")]
    Conflict(String),
}

/// Errors from binding and running the engine.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The settings were rejected.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// A listening socket could not be set up.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address tried.
        addr: SocketAddr,
        /// The OS error.
        source: io::Error,
    },
    /// The engine was run outside an actix `System`.
    #[error("the engine must run inside an actix System (actix_rt::System::new().block_on(..))")]
    NoSystem,
    /// A worker could not build its application.
    #[error("worker {worker} could not start its application")]
    WorkerStart {
        /// Index of the worker.
        worker: usize,
    },
}

//! # storeboard-engine
//!
//! A Waitress-class HTTP server engine made of actix actors, serving any actix-web `App`.
//! HTTP itself is parsed and served by actix-http; the engine owns acceptance, dispatch,
//! accounting and reaping:
//!
//! - [`Engine`] — the builder: [`Settings`] plus an `App` factory; `bind`, then `run`.
//! - The **acceptor** actor accepts on every listener, enforces `connection_limit` (reclaiming
//!   the longest-idle channel, or answering `503` at once when every channel is busy) and hands
//!   each connection to the least-loaded **worker** actor.
//! - Each **worker** lives on its own `Arbiter` thread and builds its own `App`.
//! - The **cleanup** actor closes channels idle past `channel_timeout` every `cleanup_interval`,
//!   and cuts request heads slower than `header_read_timeout` with `408`.
//! - [`Stats`] and [`EngineInfo`] expose the counters to the application: take `EngineInfo` as a
//!   handler argument.
//! - [`Server`] runs until SIGINT/SIGTERM (Ctrl-C on Windows) or [`ServerHandle::stop`], then
//!   drains in-flight requests for up to `shutdown_timeout`.

mod acceptor;
pub mod access;
mod body;
mod canned;
mod cleanup;
mod error;
mod io;
mod listener;
mod registry;
mod server;
mod service;
mod settings;
mod shared;
mod shutdown;
mod stats;
mod value;
mod worker;

pub use error::{EngineError, SettingsError};
pub use io::TrackedIo;
pub use registry::{Channel, ChannelId};
pub use server::{Engine, Server, ServerHandle};
pub use service::TrackedBody;
pub use settings::{Kind, Preset, SettingSpec, Settings};
pub use stats::{EngineInfo, Stats, StatsSnapshot};
pub use value::SettingValue;
pub use worker::AppServiceFactory;

//! # storeboard-auth
//!
//! Who may do what on a Storeboard server, as actix-web middleware around any `App`:
//!
//! - **Passwords**: an admin password protects every state-changing request (upload, replace,
//!   delete, logout); an optional viewer password protects reading. With no password at all the
//!   server is open (a first run on one PC); the binary says so loudly when it listens beyond
//!   loopback.
//! - **Sessions**: `GET /login` shows a form; `POST /login` checks the password and sets a
//!   signed and encrypted, `HttpOnly`, `SameSite=Strict` cookie (actix-session's cookie store);
//!   `POST /logout` ends it, for any role. Each login has a server-side id ([`SessionStore`]
//!   keeps them across restarts): a cookie copied before logout is refused after it, and a
//!   password changed in the settings ends the old password's sessions at the next start.
//! - **Failed logins** are limited per client address and role, and across every client
//!   (see [`Limiter`]); behind a reverse proxy the client is the one it names in
//!   `X-Forwarded-For`, when the proxy is listed in [`AuthConfig::trusted_proxies`].
//! - **Scripts**: `Authorization: Bearer <password>` (admin or viewer).
//! - **Refusals**: `401` with `{"error": {...}}` for API routes; pages redirect to the login page
//!   (htmx requests get `HX-Redirect`).
//! - **CSRF**: a state-changing request whose `Origin` (or `Referer`) names another site is
//!   refused with `403`, whatever its credentials.
//! - **Headers**: `nosniff` and a `Referrer-Policy` on everything; on documents (HTML, SVG,
//!   XML) a Content-Security-Policy without inline script and `frame-ancestors 'none'`, and
//!   `X-Frame-Options: DENY` ([`security_headers`]).
//!
//! ```no_run
//! # fn demo(data_dir: &std::path::Path) -> Result<(), storeboard_auth::AuthError> {
//! use storeboard_auth::{AuthConfig, AuthState};
//! let key = storeboard_auth::load_or_create_key(data_dir)?;
//! let auth = AuthState::new(AuthConfig { admin_password: Some("s3cret".into()), ..Default::default() }, key);
//! let app = actix_web::App::new()
//!     .configure(|cfg| storeboard_auth::configure(cfg, auth.clone()))
//!     .wrap(storeboard_auth::Guard)
//!     .wrap(auth.session_gate())
//!     .wrap(storeboard_auth::security_headers());
//! # Ok(()) }
//! ```
//!
//! The order matters: the guard reads the session, so the session middleware wraps it.
//! [`AuthState::session_gate`] is that middleware for the requests that need a session only
//! (see [`SessionGate`]); [`AuthState::session_middleware`] is it for every request.

mod client;
mod gate;
mod guard;
mod headers;
mod limiter;
mod login;
mod secret;
mod sessions;

use std::sync::Arc;
use std::time::Duration;

use actix_session::config::PersistentSession;
use actix_session::storage::CookieSessionStore;
use actix_session::SessionMiddleware;
use actix_web::cookie::{Key, SameSite};
use actix_web::web;
use serde::Serialize;
use storeboard_routes::{register, Endpoint};

pub use client::{BadProxy, TrustedProxy};
pub use gate::{AccessGate, AccessGateService, SessionGate, SessionGateService, Shared};
pub use guard::{guard, Access, Guard, GuardService, Via};
pub use headers::{
    is_document, security_headers, SecurityHeaders, SecurityHeadersService, WithHeaders,
    CONTENT_SECURITY_POLICY,
};
pub use limiter::{Limiter, Pace, MAX_CLIENTS, PACE_INTERVAL};
pub use secret::{load_or_create_key, KEY_FILE};
pub use sessions::{SessionStore, SessionStoreError, StoredSession, MAX_SESSIONS};

/// Failed logins allowed per client address within [`AuthConfig::failure_window`].
pub const DEFAULT_MAX_FAILURES: u32 = 5;
/// Failed logins from all clients together within [`AuthConfig::failure_window`] before every
/// login is paced (see [`Limiter::pace`]).
pub const DEFAULT_MAX_GLOBAL_FAILURES: u32 = 100;
/// The window failed logins are counted in, and how long a blocked address waits.
pub const DEFAULT_FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// How long a login lasts without being used.
pub const DEFAULT_SESSION_TTL: Duration = Duration::from_secs(7 * 24 * 3600);
/// The session cookie's name.
pub const COOKIE_NAME: &str = "storeboard_session";

/// Why the access-control state could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The session key file could not be read or written.
    #[error("session key file {path}: {source}")]
    KeyFile {
        /// The file.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The session key file exists but is not a key (too short).
    #[error("session key file {path} is damaged ({len} bytes, need at least 64); delete it to make a new one (everyone logs in again)")]
    BadKey {
        /// The file.
        path: String,
        /// Its length.
        len: usize,
    },
}

/// What a request is allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Read the dashboard.
    Viewer,
    /// Read and change data.
    Admin,
}

impl Role {
    /// `viewer` or `admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Admin => "admin",
        }
    }

    /// The role named `viewer` or `admin`.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "viewer" => Some(Role::Viewer),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// The passwords and limits.
#[derive(Clone)]
pub struct AuthConfig {
    /// Protects every state-changing request; `None` leaves them open.
    pub admin_password: Option<String>,
    /// Protects reading; `None` leaves reading open.
    pub viewer_password: Option<String>,
    /// Failed logins allowed per address within `failure_window`.
    pub max_failures: u32,
    /// The window failures are counted in.
    pub failure_window: Duration,
    /// How long an unused login lasts.
    pub session_ttl: Duration,
    /// Mark the cookie `Secure` (only behind HTTPS, e.g. nginx with TLS).
    pub secure_cookie: bool,
    /// Failed logins of all clients together within `failure_window` before every login is
    /// paced.
    pub max_global_failures: u32,
    /// Proxies whose `X-Forwarded-For` names the client (none: the peer is the client).
    pub trusted_proxies: Vec<TrustedProxy>,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            admin_password: None,
            viewer_password: None,
            max_failures: DEFAULT_MAX_FAILURES,
            failure_window: DEFAULT_FAILURE_WINDOW,
            session_ttl: DEFAULT_SESSION_TTL,
            secure_cookie: false,
            max_global_failures: DEFAULT_MAX_GLOBAL_FAILURES,
            trusted_proxies: Vec::new(),
        }
    }
}

impl std::fmt::Debug for AuthConfig {
    // Never print a password, even in a debug log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthConfig")
            .field(
                "admin_password",
                &self.admin_password.as_ref().map(|_| "***"),
            )
            .field(
                "viewer_password",
                &self.viewer_password.as_ref().map(|_| "***"),
            )
            .field("max_failures", &self.max_failures)
            .field("failure_window", &self.failure_window)
            .field("session_ttl", &self.session_ttl)
            .field("secure_cookie", &self.secure_cookie)
            .field("max_global_failures", &self.max_global_failures)
            .field("trusted_proxies", &self.trusted_proxies)
            .finish()
    }
}

/// A login or logout, for an audit log (see [`AuthState::on_event`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthEvent {
    /// `login`, `login_failed`, `login_blocked` or `logout`.
    pub action: &'static str,
    /// The role logged in or out, when known.
    pub role: Option<Role>,
    /// The client's address.
    pub ip: String,
}

type EventSink = Arc<dyn Fn(AuthEvent) + Send + Sync>;

/// The configuration, the session key and the failed-login counters, shared by every worker.
#[derive(Clone)]
pub struct AuthState {
    pub(crate) config: Arc<AuthConfig>,
    key: Key,
    pub(crate) limiter: Arc<Limiter>,
    pub(crate) sessions: Arc<sessions::Sessions>,
    pub(crate) on_event: Option<EventSink>,
}

impl std::fmt::Debug for AuthState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthState")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl AuthState {
    /// Access control with `config`, signing sessions with `key` (see [`load_or_create_key`]:
    /// a key kept in the data directory keeps everyone logged in across restarts).
    pub fn new(config: AuthConfig, key: Key) -> Self {
        let limiter = Limiter::new(
            config.max_failures,
            config.failure_window,
            config.max_global_failures,
        );
        let sessions = Self::sessions_for(&config, &key);
        Self {
            config: Arc::new(config),
            key,
            limiter: Arc::new(limiter),
            sessions: Arc::new(sessions),
            on_event: None,
        }
    }

    fn sessions_for(config: &AuthConfig, key: &Key) -> sessions::Sessions {
        sessions::Sessions::new(
            key,
            config.admin_password.as_deref(),
            config.viewer_password.as_deref(),
            config.session_ttl,
        )
    }

    /// Keeps sessions in `store` across restarts: takes back the ones it kept, ending those
    /// issued under a password that has changed since (or expired). Without a store, sessions
    /// live in memory only and a restart logs everyone out. Returns the state and how many
    /// sessions were kept and ended.
    pub fn with_session_store(
        mut self,
        store: Arc<dyn SessionStore>,
    ) -> Result<(Self, usize, usize), SessionStoreError> {
        let mut sessions = Self::sessions_for(&self.config, &self.key);
        let (kept, ended) = sessions.attach(store)?;
        self.sessions = Arc::new(sessions);
        Ok((self, kept, ended))
    }

    /// The client of a request: its peer, or behind a trusted proxy the address the proxy
    /// forwarded.
    pub(crate) fn client(
        &self,
        peer: Option<std::net::SocketAddr>,
        headers: &actix_web::http::header::HeaderMap,
    ) -> std::net::IpAddr {
        client::client_addr(peer, headers, &self.config.trusted_proxies)
    }

    /// No passwords: everything open (still with CSRF checks and security headers), sessions
    /// signed with a fresh key.
    pub fn open() -> Self {
        Self::new(AuthConfig::default(), Key::generate())
    }

    /// Calls `sink` on every login, failed login and logout (to keep an audit log).
    pub fn on_event(mut self, sink: impl Fn(AuthEvent) + Send + Sync + 'static) -> Self {
        self.on_event = Some(Arc::new(sink));
        self
    }

    /// True when a password protects anything.
    pub fn enabled(&self) -> bool {
        self.config.admin_password.is_some() || self.config.viewer_password.is_some()
    }

    /// The session middleware for this state's key and cookie settings.
    pub fn session_middleware(&self) -> SessionMiddleware<CookieSessionStore> {
        let ttl = actix_web::cookie::time::Duration::seconds(
            i64::try_from(self.config.session_ttl.as_secs()).unwrap_or(i64::MAX),
        );
        SessionMiddleware::builder(CookieSessionStore::default(), self.key.clone())
            .cookie_name(COOKIE_NAME.to_owned())
            .cookie_http_only(true)
            .cookie_same_site(SameSite::Strict)
            .cookie_secure(self.config.secure_cookie)
            .cookie_path("/".to_owned())
            .session_lifecycle(PersistentSession::default().session_ttl(ttl))
            .build()
    }

    /// The session middleware for the requests that read or write a session only: the login
    /// and logout routes, and, when a password is set, everything but the public paths
    /// (`/healthz`, the static files). See [`SessionGate`].
    pub fn session_gate(&self) -> SessionGate {
        SessionGate::new(self.session_middleware(), self.enabled())
    }

    /// [`Self::session_gate`] and [`Guard`] as one middleware: wrap it where the two would go
    /// (see [`AccessGate`]).
    pub fn access_gate(&self) -> AccessGate {
        AccessGate::new(self.session_middleware(), self.enabled())
    }

    /// The role a password gives, if it is one (compared in constant time).
    pub(crate) fn role_of(&self, password: &str) -> Option<Role> {
        let is = |p: &Option<String>| p.as_deref().is_some_and(|p| secret::same(p, password));
        if is(&self.config.admin_password) {
            Some(Role::Admin)
        } else if is(&self.config.viewer_password) {
            Some(Role::Viewer)
        } else {
            None
        }
    }

    pub(crate) fn emit(&self, action: &'static str, role: Option<Role>, ip: &str) {
        tracing::info!(action, role = role.map(Role::as_str), ip, "auth");
        if let Some(sink) = &self.on_event {
            sink(AuthEvent {
                action,
                role,
                ip: ip.to_owned(),
            });
        }
    }
}

/// Every route of this crate (registered from this table: it is the complete list).
pub const ROUTES: &[Endpoint] = &[
    Endpoint::get(login::LOGIN_PATH, || web::get().to(login::page)),
    Endpoint::post(login::LOGIN_PATH, || web::post().to(login::submit)),
    Endpoint::post(login::LOGOUT_PATH, || web::post().to(login::logout)),
];

/// Mounts `GET /login`, `POST /login` and `POST /logout` with their state.
pub fn configure(cfg: &mut web::ServiceConfig, state: AuthState) {
    cfg.app_data(web::Data::new(state));
    register(cfg, ROUTES);
}

//! Access control as the binary sets it up: the passwords and login settings into an
//! [`AuthState`], logins kept in the database (so a logout or a password change ends them for
//! good), logins and failed logins in the audit log, and the audit log pruned.

use std::path::Path;
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::Arc;
use std::time::Duration;

use storeboard_auth::{
    AuthConfig, AuthError, AuthEvent, AuthState, Role, SessionStore, SessionStoreError,
    StoredSession,
};
use storeboard_data::sessions::SessionRow;
use storeboard_data::{Actor, OrderStore, StoreError};

use crate::config::ServerSettings;

/// Audit events waiting for the writer thread at most; past this (a flood of failed logins)
/// events are dropped with a warning rather than held in memory or written on a worker.
pub const AUDIT_QUEUE: usize = 1024;
/// How often old audit entries are pruned while the server runs.
pub const PRUNE_EVERY: Duration = Duration::from_secs(3600);
/// The first pruning waits this long after start-up: the stores load first, undisturbed.
pub const FIRST_PRUNE_AFTER: Duration = Duration::from_secs(60);

/// Why access control could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// The session key file.
    #[error(transparent)]
    Key(#[from] AuthError),
    /// The kept sessions could not be read or cleaned up.
    #[error("cannot read the kept login sessions from the database: {0}")]
    Sessions(SessionStoreError),
    /// The audit writer thread could not be started.
    #[error("cannot start the audit log writer: {0}")]
    Thread(std::io::Error),
}

/// The access-control settings of `settings`, with the crate's defaults for the limits.
pub fn auth_config(settings: &ServerSettings) -> AuthConfig {
    let secret = |s: &Option<crate::config::Secret>| s.as_ref().map(|s| s.expose().to_owned());
    AuthConfig {
        admin_password: secret(&settings.admin_password),
        viewer_password: secret(&settings.viewer_password),
        secure_cookie: settings.access.secure_cookie,
        trusted_proxies: settings.access.trusted_proxy.clone(),
        ..AuthConfig::default()
    }
}

/// Access control for the server of `settings` over `store`: see [`secured`].
pub fn auth_state(
    settings: &ServerSettings,
    store: Arc<OrderStore>,
) -> Result<AuthState, AccessError> {
    secured(auth_config(settings), &settings.data_dir, store)
}

/// Access control with `config`: the session key kept in `data_dir`, sessions kept in
/// `store`'s database (those of a password changed since are ended now), and logins, logouts
/// and failed logins written to its audit log by a thread of their own.
pub fn secured(
    config: AuthConfig,
    data_dir: &Path,
    store: Arc<OrderStore>,
) -> Result<AuthState, AccessError> {
    let key = storeboard_auth::load_or_create_key(data_dir)?;
    let window = config.failure_window;
    let sessions = Arc::new(DbSessions(Arc::clone(&store)));
    let (state, kept, ended) = AuthState::new(config, key)
        .with_session_store(sessions)
        .map_err(AccessError::Sessions)?;
    if ended > 0 {
        tracing::info!(
            kept,
            ended,
            "login sessions of changed passwords or expired ended"
        );
    }
    let writer = audit_writer(store, window)?;
    Ok(state.on_event(move |event| match writer.try_send(event) {
        Ok(()) => {}
        Err(TrySendError::Full(event)) => {
            tracing::warn!(action = event.action, ip = %event.ip, "audit queue full: entry dropped");
        }
        Err(TrySendError::Disconnected(_)) => {}
    }))
}

/// A thread writing auth events to the audit log, fed by a bounded queue; it ends when the
/// last [`AuthState`] holding the sender is gone.
fn audit_writer(
    store: Arc<OrderStore>,
    window: Duration,
) -> Result<SyncSender<AuthEvent>, AccessError> {
    let (tx, rx) = sync_channel::<AuthEvent>(AUDIT_QUEUE);
    std::thread::Builder::new()
        .name("audit-writer".to_owned())
        .spawn(move || {
            for event in rx {
                if let Err(err) = record(&store, event, window) {
                    tracing::warn!("cannot write the audit log: {err}");
                }
            }
        })
        .map_err(AccessError::Thread)?;
    Ok(tx)
}

/// One auth event in the audit log: failed logins counted into one entry per address per
/// `window`; blocked attempts only in the process log (a blocked address keeps trying).
fn record(store: &OrderStore, event: AuthEvent, window: Duration) -> Result<(), StoreError> {
    let actor = Actor {
        who: event.role.map_or("-", Role::as_str).to_owned(),
        ip: event.ip,
    };
    match event.action {
        "login_blocked" => Ok(()),
        "login_failed" => store.audit_failed_login(&actor, window),
        action => store.audit(action, &actor, "", ""),
    }
}

/// Deletes the audit entries older than `keep_days` (0: keeps everything); returns how many.
pub fn prune_audit(store: &OrderStore, keep_days: u32) -> Result<usize, StoreError> {
    if keep_days == 0 {
        return Ok(0);
    }
    store.prune_audit(Duration::from_secs(u64::from(keep_days) * 24 * 3600))
}

/// Prunes the audit log [`FIRST_PRUNE_AFTER`] start-up and every [`PRUNE_EVERY`] after (on the
/// blocking pool), for as long as the runtime runs.
pub async fn keep_pruning_audit(store: Arc<OrderStore>, keep_days: u32) {
    let first = tokio::time::Instant::now() + FIRST_PRUNE_AFTER;
    let mut every = tokio::time::interval_at(first, PRUNE_EVERY);
    loop {
        every.tick().await;
        let store = Arc::clone(&store);
        let pruned = tokio::task::spawn_blocking(move || prune_audit(&store, keep_days)).await;
        match pruned {
            Ok(Ok(0)) | Err(_) => {}
            Ok(Ok(n)) => tracing::info!(pruned = n, keep_days, "old audit log entries deleted"),
            Ok(Err(err)) => tracing::warn!("cannot prune the audit log: {err}"),
        }
    }
}

/// Sessions in the order store's database.
struct DbSessions(Arc<OrderStore>);

impl SessionStore for DbSessions {
    fn load(&self) -> Result<Vec<StoredSession>, SessionStoreError> {
        let rows = self.0.sessions()?;
        // A row naming no role (a damaged database) is no session.
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                Some(StoredSession {
                    role: Role::parse(&r.role)?,
                    id: r.id,
                    fingerprint: r.fingerprint,
                    expires_at: r.expires_at,
                })
            })
            .collect())
    }

    fn save(&self, session: &StoredSession) -> Result<(), SessionStoreError> {
        let row = SessionRow {
            id: session.id.clone(),
            role: session.role.as_str().to_owned(),
            fingerprint: session.fingerprint.clone(),
            expires_at: session.expires_at,
        };
        Ok(self.0.save_session(&row)?)
    }

    fn delete(&self, ids: &[String]) -> Result<(), SessionStoreError> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        Ok(self.0.delete_sessions(ids, now)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::load;

    #[test]
    fn the_login_settings_reach_the_access_control_config() {
        let args = [
            "storeboard",
            "--admin-password",
            "a",
            "--secure-cookie",
            "--trusted-proxy",
            "127.0.0.1,10.0.0.0/8",
        ];
        let settings = load(args.map(Into::into), &|_| None).expect("loads");
        let config = auth_config(&settings);
        assert!(config.secure_cookie);
        assert_eq!(config.admin_password.as_deref(), Some("a"));
        let proxies: Vec<String> = config
            .trusted_proxies
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(proxies, ["127.0.0.1", "10.0.0.0/8"]);
        assert!(!auth_config(&ServerSettings::default()).secure_cookie);
    }

    #[test]
    fn a_logout_survives_a_restart_and_a_login_does_too() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Arc::new(OrderStore::open(dir.path()).expect("store"));
        let sessions = DbSessions(Arc::clone(&store));
        let kept = StoredSession {
            id: "a".repeat(64),
            role: Role::Viewer,
            fingerprint: "f".to_owned(),
            expires_at: i64::MAX,
        };
        sessions.save(&kept).expect("saved");
        sessions
            .save(&StoredSession {
                id: "b".repeat(64),
                ..kept.clone()
            })
            .expect("saved");
        sessions.delete(&["b".repeat(64)]).expect("deleted");
        assert_eq!(sessions.load().expect("loads"), [kept]);
    }
}

//! Server-side session ids: what makes a login revocable.
//!
//! The session cookie is signed and encrypted, but a cookie store keeps no state on the
//! server: a copy of a cookie taken before logout would work after it for as long as the
//! cookie lives. So every login gets a random id, kept here (and, through a [`SessionStore`],
//! in the database so logins survive a restart), and every request that uses a session must
//! name a live one. Logout ends the id; a password changed in the settings ends, at the next
//! start, every id issued under the old password (each id remembers a keyed fingerprint of the
//! password it was issued under).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use actix_web::cookie::Key;
use sha2::{Digest, Sha256};

use crate::Role;

/// Live sessions kept at most; past this a new login ends the one that expires first (a
/// script that logs in over and over cannot grow memory without bound).
pub const MAX_SESSIONS: usize = 10_000;

/// One login, as it is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    /// The random id (64 hex digits) the cookie carries.
    pub id: String,
    /// The role it logged in as.
    pub role: Role,
    /// A keyed fingerprint of the role's password when it logged in.
    pub fingerprint: String,
    /// When it ends (seconds since the Unix epoch).
    pub expires_at: i64,
}

/// Why the session store could not be read or written.
pub type SessionStoreError = Box<dyn std::error::Error + Send + Sync>;

/// Where sessions are kept across restarts (the server keeps them in its database).
pub trait SessionStore: Send + Sync + 'static {
    /// Every session kept.
    fn load(&self) -> Result<Vec<StoredSession>, SessionStoreError>;
    /// Keeps a new session.
    fn save(&self, session: &StoredSession) -> Result<(), SessionStoreError>;
    /// Ends these sessions.
    fn delete(&self, ids: &[String]) -> Result<(), SessionStoreError>;
}

#[derive(Debug, Clone, Copy)]
struct Live {
    role: Role,
    expires_at: i64,
}

/// The live sessions.
pub(crate) struct Sessions {
    live: RwLock<HashMap<String, Live>>,
    /// Indexed like the limiter's roles: viewer, admin (`None`: no such password).
    fingerprints: [Option<String>; 2],
    ttl: Duration,
    pub(crate) store: Option<Arc<dyn SessionStore>>,
}

fn slot(role: Role) -> usize {
    match role {
        Role::Viewer => 0,
        Role::Admin => 1,
    }
}

/// Now, in seconds since the Unix epoch.
pub(crate) fn unix_now() -> i64 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    i64::try_from(secs).unwrap_or(i64::MAX)
}

/// A keyed fingerprint of `password`: equal for equal passwords under one key, and useless for
/// guessing the password without the key.
fn fingerprint(key: &Key, role: Role, password: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(key.signing());
    hash.update([0]);
    hash.update(role.as_str().as_bytes());
    hash.update([0]);
    hash.update(password.as_bytes());
    hex(&hash.finalize()[..16])
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// A fresh random id: 32 bytes of the cookie crate's cryptographic generator.
fn new_id() -> String {
    hex(&Key::generate().master()[..32])
}

impl Sessions {
    pub(crate) fn new(key: &Key, admin: Option<&str>, viewer: Option<&str>, ttl: Duration) -> Self {
        Self {
            live: RwLock::new(HashMap::new()),
            fingerprints: [
                viewer.map(|p| fingerprint(key, Role::Viewer, p)),
                admin.map(|p| fingerprint(key, Role::Admin, p)),
            ],
            ttl,
            store: None,
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, Live>> {
        // Plain data: a panic elsewhere cannot leave the map inconsistent.
        self.live.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, Live>> {
        self.live.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes the sessions `store` kept, ending those issued under a password that is no longer
    /// the role's (or a role with no password now) and those expired. Returns how many were
    /// kept and how many ended.
    pub(crate) fn attach(
        &mut self,
        store: Arc<dyn SessionStore>,
    ) -> Result<(usize, usize), SessionStoreError> {
        let now = unix_now();
        let (kept, ended): (Vec<_>, Vec<_>) = store.load()?.into_iter().partition(|s| {
            s.expires_at > now
                && self.fingerprints[slot(s.role)].as_deref() == Some(s.fingerprint.as_str())
        });
        let ended: Vec<String> = ended.into_iter().map(|s| s.id).collect();
        if !ended.is_empty() {
            store.delete(&ended)?;
        }
        let mut live = self.write();
        for s in &kept {
            live.insert(
                s.id.clone(),
                Live {
                    role: s.role,
                    expires_at: s.expires_at,
                },
            );
        }
        drop(live);
        self.store = Some(store);
        Ok((kept.len(), ended.len()))
    }

    /// A new session of `role`, live at once (the caller keeps it in the store).
    pub(crate) fn start(&self, role: Role) -> StoredSession {
        let now = unix_now();
        let ttl = i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX);
        let session = StoredSession {
            id: new_id(),
            role,
            fingerprint: self.fingerprints[slot(role)].clone().unwrap_or_default(),
            expires_at: now.saturating_add(ttl),
        };
        let mut live = self.write();
        if live.len() >= MAX_SESSIONS {
            live.retain(|_, l| l.expires_at > now);
            let first = live.iter().min_by_key(|(_, l)| l.expires_at);
            if let Some(id) = first.map(|(id, _)| id.clone()) {
                live.remove(&id);
            }
        }
        live.insert(
            session.id.clone(),
            Live {
                role,
                expires_at: session.expires_at,
            },
        );
        session
    }

    /// Is `id` a live session of `role`?
    pub(crate) fn is_live(&self, id: &str, role: Role) -> bool {
        self.read()
            .get(id)
            .is_some_and(|l| l.role == role && l.expires_at > unix_now())
    }

    /// Ends `id` here (the caller deletes it from the store).
    pub(crate) fn end(&self, id: &str) {
        self.write().remove(id);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    #[derive(Default)]
    struct Memory(Mutex<Vec<StoredSession>>);

    impl SessionStore for Memory {
        fn load(&self) -> Result<Vec<StoredSession>, SessionStoreError> {
            Ok(self.0.lock().map_err(|_| "poisoned")?.clone())
        }
        fn save(&self, session: &StoredSession) -> Result<(), SessionStoreError> {
            self.0.lock().map_err(|_| "poisoned")?.push(session.clone());
            Ok(())
        }
        fn delete(&self, ids: &[String]) -> Result<(), SessionStoreError> {
            self.0
                .lock()
                .map_err(|_| "poisoned")?
                .retain(|s| !ids.contains(&s.id));
            Ok(())
        }
    }

    const TTL: Duration = Duration::from_secs(3600);

    #[test]
    fn a_session_is_live_for_its_role_until_it_is_ended() {
        let sessions = Sessions::new(&Key::generate(), Some("a"), Some("v"), TTL);
        let s = sessions.start(Role::Viewer);
        assert_eq!(s.id.len(), 64);
        assert!(sessions.is_live(&s.id, Role::Viewer));
        assert!(
            !sessions.is_live(&s.id, Role::Admin),
            "a viewer id is no admin id"
        );
        assert!(!sessions.is_live("made-up", Role::Viewer));
        sessions.end(&s.id);
        assert!(!sessions.is_live(&s.id, Role::Viewer));
    }

    #[test]
    fn a_changed_password_ends_the_sessions_kept_under_the_old_one() {
        let key = Key::generate();
        let store = Arc::new(Memory::default());
        let before = Sessions::new(&key, Some("old-admin"), Some("v"), TTL);
        let admin = before.start(Role::Admin);
        let viewer = before.start(Role::Viewer);
        store.save(&admin).expect("saved");
        store.save(&viewer).expect("saved");
        let mut after = Sessions::new(&key, Some("new-admin"), Some("v"), TTL);
        assert_eq!(after.attach(store.clone()).expect("loads"), (1, 1));
        assert!(!after.is_live(&admin.id, Role::Admin));
        assert!(after.is_live(&viewer.id, Role::Viewer));
        assert_eq!(
            store.load().expect("loads").len(),
            1,
            "the old one is deleted"
        );
    }

    #[test]
    fn expired_sessions_are_not_taken_back() {
        let key = Key::generate();
        let store = Arc::new(Memory::default());
        let old = Sessions::new(&key, Some("a"), None, TTL).start(Role::Admin);
        store
            .save(&StoredSession {
                expires_at: unix_now() - 1,
                ..old
            })
            .expect("saved");
        let mut sessions = Sessions::new(&key, Some("a"), None, TTL);
        assert_eq!(sessions.attach(store).expect("loads"), (0, 1));
    }
}

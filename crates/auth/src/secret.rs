//! The session key, kept in the data directory so logins survive a restart, and password
//! comparison that takes the same time whatever the guess.

use std::io::Write as _;
use std::path::Path;

use actix_web::cookie::Key;
use sha2::{Digest, Sha256};

use crate::AuthError;

/// The key file's name in the data directory.
pub const KEY_FILE: &str = "session.key";

/// Reads `dir/session.key`, or creates it with a fresh random key (readable by the owner only
/// on Unix). Deleting the file logs everyone out.
pub fn load_or_create_key(dir: &Path) -> Result<Key, AuthError> {
    let path = dir.join(KEY_FILE);
    let shown = path.display().to_string();
    let io = |source| AuthError::KeyFile {
        path: shown.clone(),
        source,
    };
    match std::fs::read(&path) {
        Ok(bytes) => Key::try_from(bytes.as_slice()).map_err(|_| AuthError::BadKey {
            path: shown.clone(),
            len: bytes.len(),
        }),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            let key = Key::generate();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt as _;
                options.mode(0o600);
            }
            let mut file = options.open(&path).map_err(io)?;
            file.write_all(key.master()).map_err(io)?;
            file.sync_all().map_err(io)?;
            Ok(key)
        }
        Err(err) => Err(io(err)),
    }
}

/// True when `a == b`, comparing fixed-size digests so the time taken tells nothing about how
/// much of a guess was right.
pub(crate) fn same(a: &str, b: &str) -> bool {
    let (x, y) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    x.iter()
        .zip(y.iter())
        .fold(0u8, |acc, (p, q)| acc | (p ^ q))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_created_once_and_read_back_the_same() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = load_or_create_key(dir.path()).expect("created");
        let again = load_or_create_key(dir.path()).expect("read");
        assert_eq!(first.master(), again.master());
    }

    #[test]
    fn a_damaged_key_file_is_an_error_that_says_what_to_do() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join(KEY_FILE), b"short").expect("write");
        let Err(err) = load_or_create_key(dir.path()) else {
            panic!("a 5-byte key file was accepted");
        };
        assert!(err.to_string().contains("delete it"), "{err}");
    }

    #[test]
    fn passwords_compare_equal_only_when_equal() {
        assert!(same("s3cret", "s3cret"));
        assert!(!same("s3cret", "s3cre"));
        assert!(!same("", "x"));
    }
}

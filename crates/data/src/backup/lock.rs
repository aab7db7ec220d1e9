//! The data-directory lock: one server (or one restore) per data directory.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::{io, BackupError};

/// The lock file's name inside the data directory.
pub const LOCK_FILE: &str = "storeboard.lock";

/// The exclusive lock on `DATA_DIR/storeboard.lock`, held until dropped (or the process ends,
/// however it ends: the OS releases it). The file itself stays; it holds the holder's process id.
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
    path: PathBuf,
}

impl DataDirLock {
    /// Takes the lock of the data directory `dir` (which must exist), or fails at once with
    /// [`BackupError::InUse`] when another process holds it.
    pub fn acquire(dir: &Path) -> Result<Self, BackupError> {
        let path = dir.join(LOCK_FILE);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io(&path, "open the lock file"))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let pid = fs::read_to_string(&path)
                    .ok()
                    .and_then(|s| s.trim().parse().ok());
                let dir = dir.to_owned();
                return Err(BackupError::InUse { dir, pid });
            }
            Err(TryLockError::Error(source)) => return Err(io(&path, "lock")(source)),
        }
        file.set_len(0)
            .and_then(|()| writeln!(file, "{}", std::process::id()))
            .map_err(io(&path, "write the lock file"))?;
        Ok(Self { _file: file, path })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_directory_is_refused_naming_the_holder() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = DataDirLock::acquire(dir.path()).expect("first lock");
        let err = DataDirLock::acquire(dir.path()).expect_err("second lock refused");
        assert!(
            matches!(err, BackupError::InUse { pid: Some(pid), .. } if pid == std::process::id()),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(
            message.contains("in use by another storeboard"),
            "{message}"
        );
        assert!(
            message.contains(&dir.path().display().to_string()),
            "{message}"
        );
        assert_eq!(first.path(), dir.path().join(LOCK_FILE));
    }

    #[test]
    fn the_lock_is_free_again_once_dropped() {
        let dir = tempfile::tempdir().expect("temp dir");
        drop(DataDirLock::acquire(dir.path()).expect("first lock"));
        DataDirLock::acquire(dir.path()).expect("taken again");
    }
}

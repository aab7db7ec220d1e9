//! The import folder's own errors: what could not be set up or moved, with the path.

use std::path::PathBuf;

/// Why the import folder could not be started, or a file could not be moved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// A directory of the folder (the folder itself, `done/`, `failed/`, `.importing/`) could
    /// not be created or read.
    #[error("import folder {}: {source}", path.display())]
    Dir {
        /// The directory.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A file could not be moved (it is still open in another program, or the folder is
    /// read-only).
    #[error("cannot move {} to {}: {source}", from.display(), to.display())]
    Move {
        /// Where the file was.
        from: PathBuf,
        /// Where it was to go.
        to: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The watcher thread could not be started.
    #[error("cannot start the import folder's thread: {0}")]
    Thread(std::io::Error),
}

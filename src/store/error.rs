//! What can go wrong with the review record.

use rusqlite::ErrorCode;

/// The message a second writer gets while another process holds the record.
pub const BUSY_MESSAGE: &str = "the review record is busy (another Tickmark is writing); try again";

/// An error of the review record.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process holds the write lock for longer than the busy timeout.
    #[error("{}", BUSY_MESSAGE)]
    Busy,
    /// There is no review record at the path (and none was to be created).
    #[error("{0}: there is no review record here")]
    Missing(String),
    /// The file is not a Tickmark review record.
    #[error("{path}: not a Tickmark review record ({reason})")]
    NotARecord {
        /// The file.
        path: String,
        /// Why not.
        reason: String,
    },
    /// The record was written by a newer Tickmark.
    #[error(
        "{path}: this review record was written by a newer Tickmark (schema version {found}; this version knows up to {supported})"
    )]
    NewerSchema {
        /// The file.
        path: String,
        /// The schema version in the file.
        found: i64,
        /// The newest schema version this build knows.
        supported: i64,
    },
    /// The file is a review record whose structure was changed outside
    /// Tickmark so that it cannot be opened safely; it is left untouched.
    #[error("{path}: the review record was changed outside Tickmark: {reason}")]
    ChangedOutside {
        /// The file.
        path: String,
        /// What does not fit.
        reason: String,
    },
    /// Something named does not exist (an assessment, a profile...).
    #[error("{0}")]
    NotFound(String),
    /// The change breaks a rule of the review (signing off without a
    /// conclusion, approving with unconcluded requirements and no
    /// justification...).
    #[error("{0}")]
    Rule(String),
    /// A signature could not be made (no agent, a wrong passphrase, the
    /// wrong key...).
    #[error("{0}")]
    Signing(#[from] crate::signing::SigningError),
    /// The input is not acceptable (an empty name, a period that ends before
    /// it starts...).
    #[error("{0}")]
    Invalid(String),
    /// Stored data cannot be read back (the record is damaged or was edited).
    #[error("the review record holds unreadable data: {0}")]
    Corrupt(String),
    /// A file-system error.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// The local copy of a shared record is not on the server's chain
    /// (edited here, or the server was set up anew).
    #[error("{0}")]
    Diverged(String),
    /// The record's server refused or could not be reached.
    #[error("{0}")]
    Server(String),
    /// The connection to the record's server dropped (a restart, the
    /// network); the next operation connects again.
    #[error("{0}")]
    Disconnected(String),
    /// The server asks for a password that no source gave (the URL,
    /// `PGPASSWORD`, `.pgpass`, a password given this session), or refused
    /// the one given.
    #[error("{message}")]
    PasswordNeeded {
        /// The server, without a password.
        url: String,
        /// What the server said.
        message: String,
        /// A password was given and refused.
        refused: bool,
    },
    /// Someone else changed what this edit started from: nothing was
    /// overwritten.
    #[error("{0}")]
    Conflict(Box<super::model::EditConflict>),
    /// Any other SQLite error.
    #[error("review record error: {0}")]
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy,
            _ => StoreError::Sqlite(e),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

impl StoreError {
    /// True for [`StoreError::Busy`]: retrying later may succeed.
    pub fn is_busy(&self) -> bool {
        matches!(self, StoreError::Busy)
    }

    /// True for [`StoreError::Disconnected`]: the server may have the
    /// work or not; connecting again and looking tells.
    pub fn is_disconnected(&self) -> bool {
        matches!(self, StoreError::Disconnected(_))
    }
}

/// Results of the review record.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

//! Importing history from other ITSMs, starting with ServiceNow exports.

pub mod mapping;
pub mod servicenow;

use serde::Serialize;

/// A row that was not imported, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export_to = "import.ts")]
pub struct Skipped {
    /// Line of the file (1 = the header).
    pub line: u64,
    /// Why.
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export_to = "import.ts")]
pub struct ImportReport {
    /// Data rows read.
    pub rows: u64,
    /// Tickets found in the file.
    pub tickets: u64,
    /// New tickets written.
    pub imported: u64,
    /// Tickets already in the replica that changed since the last import.
    pub updated: u64,
    /// Tickets already in the replica exactly as in the file.
    pub unchanged: u64,
    /// History entries written.
    pub history_entries: u64,
    /// Tickets whose source priority disagrees with the replica's matrix.
    pub priority_mismatches: u64,
    /// Rows skipped, with line and reason.
    pub skipped: Vec<Skipped>,
    /// Whether this was a dry run (nothing written).
    pub dry_run: bool,
}

/// Why an import could not run at all (bad rows are skipped and reported instead).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read.
    #[error("{path}: {reason}")]
    File {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// The file is not a ServiceNow incident export.
    #[error("{path}: not a ServiceNow incident export: {reason}")]
    Format {
        /// The file.
        path: String,
        /// What is missing.
        reason: String,
    },
    /// The mapping file is unusable.
    #[error("mapping {path}: {reason}")]
    Mapping {
        /// The mapping file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// Writing failed; nothing was stored.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

impl From<rusqlite::Error> for ImportError {
    fn from(e: rusqlite::Error) -> Self {
        ImportError::Store(e.into())
    }
}

//! The local SQLite replica of the ticket queue: opening it safely, its schema, and one
//! module of queries per table or aggregate.

pub mod bulk;
pub mod conflicts;
mod migrations;
pub mod outbox;
pub(crate) mod pulled;
pub mod queue;
pub mod reference;
pub mod settings;
pub(crate) mod staff;
pub(crate) mod sync_state;
pub(crate) mod ticket_state;
pub mod tickets;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

pub use migrations::SCHEMA_VERSION;
pub use rusqlite::InterruptHandle;

/// The setting an upgrade leaves when the stored deadlines need counting again.
const DEADLINES_STALE: &str = "deadlines-stale";

/// Why the replica could not be opened or used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file is not an SQLite database, or its structure is damaged.
    #[error("{path}: not a readable Smena replica ({reason}); the file was left untouched — move it aside or restore a backup")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What SQLite reported.
        reason: String,
    },
    /// The file was written by a newer Smena.
    #[error("{path}: this replica has schema version {found}, newer than this Smena knows ({known}); the file was left untouched — use a newer Smena")]
    TooNew {
        /// The file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest version this build knows.
        known: i64,
    },
    /// The directory for the replica could not be created.
    #[error("{path}: cannot create the replica's directory: {source}")]
    Directory {
        /// The directory.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// Applying the schema migrations failed (the transaction was rolled back).
    #[error("{path}: cannot bring the replica's schema up to date: {reason}; nothing was changed")]
    Migration {
        /// The file.
        path: PathBuf,
        /// What failed.
        reason: String,
    },
    /// A stored value is not one the desk knows.
    #[error("the replica holds an invalid value: {0}")]
    InvalidValue(String),
    /// A ticket number that is not in the replica.
    #[error("no ticket {0} in the replica")]
    TicketNotFound(String),
    /// Inserting something that breaks a uniqueness or reference rule.
    #[error("{0}")]
    Conflict(String),
    /// Any other SQLite failure.
    #[error("replica: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl StoreError {
    /// Whether a query stopped because [`Replica::interrupt_handle`] asked it to.
    pub fn is_interrupted(&self) -> bool {
        matches!(self, StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::OperationInterrupted)
    }
}

/// Result of replica operations.
pub type Result<T> = std::result::Result<T, StoreError>;

/// An open replica: one SQLite connection with Smena's pragmas, migrated to the latest schema.
#[derive(Debug)]
pub struct Replica {
    conn: Connection,
    path: PathBuf,
}

/// The replica's file when neither `--db` nor `SMENA_DB` names one:
/// the platform's data directory (`~/.local/share/smena/replica.db` on Linux).
pub fn default_path() -> PathBuf {
    dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join("smena").join("replica.db")
}

impl Replica {
    /// Opens (creating if needed) the replica at `path`. A file that is not an SQLite
    /// database, or one written by a newer Smena, is refused and left untouched.
    pub fn open(path: &Path) -> Result<Replica> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Directory { path: dir.to_path_buf(), source })?;
        }
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX).map_err(|e| corrupt(path, e))?;
        Replica::prepare(conn, path.to_path_buf())
    }

    /// A replica in memory, for tests.
    pub fn open_in_memory() -> Result<Replica> {
        Replica::prepare(Connection::open_in_memory()?, PathBuf::from(":memory:"))
    }

    fn prepare(mut conn: Connection, path: PathBuf) -> Result<Replica> {
        // Read-only checks first: nothing may be written to a file we are going to refuse.
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| corrupt(&path, e))?;
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)).map_err(|e| corrupt(&path, e))?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::TooNew { path, found: version, known: SCHEMA_VERSION });
        }
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(|e| corrupt(&path, e))?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Unicode lower case for searches (SQLite's own lower() and LIKE fold ASCII only).
        conn.create_scalar_function("smena_fold", 1, rusqlite::functions::FunctionFlags::SQLITE_UTF8 | rusqlite::functions::FunctionFlags::SQLITE_DETERMINISTIC, |ctx| {
            Ok(ctx.get::<Option<String>>(0)?.map(|s| s.to_lowercase()))
        })?;
        migrations::apply(&mut conn).map_err(|e| StoreError::Migration { path: path.clone(), reason: e.to_string() })?;
        let mut r = Replica { conn, path };
        r.refresh_stale_deadlines()?;
        Ok(r)
    }

    /// Gives the tickets that are not closed their deadline again when an upgrade left the
    /// stored ones counted the old way (the marker goes in the same transaction).
    fn refresh_stale_deadlines(&mut self) -> Result<()> {
        if settings::get(&self.conn, DEADLINES_STALE)?.is_none() {
            return Ok(());
        }
        self.write(|tx| {
            crate::sla::deadline::refresh(tx, crate::sla::deadline::Scope::NotClosed, Utc::now())?;
            settings::remove(tx, DEADLINES_STALE)
        })
    }

    /// The file this replica lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Stops, from another thread, the query this replica is running (it then fails as
    /// interrupted); a no-op when none is running.
    pub fn interrupt_handle(&self) -> rusqlite::InterruptHandle {
        self.conn.get_interrupt_handle()
    }

    /// The underlying connection, for queries in this crate's modules.
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction: all of it is stored, or none.
    pub fn write<T>(&mut self, f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>) -> Result<T> {
        self.write_with(f)
    }

    /// [`Replica::write`] for work whose errors are not only the replica's (rule refusals).
    pub fn write_with<T, E: From<rusqlite::Error>>(&mut self, f: impl FnOnce(&rusqlite::Transaction<'_>) -> std::result::Result<T, E>) -> std::result::Result<T, E> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs `f` in a transaction that is always rolled back: a rehearsal (dry run) that sees
    /// its own writes and leaves the replica as it was.
    pub fn rehearse<T, E: From<rusqlite::Error>>(&mut self, f: impl FnOnce(&rusqlite::Transaction<'_>) -> std::result::Result<T, E>) -> std::result::Result<T, E> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let out = f(&tx);
        tx.rollback()?;
        out
    }

    /// Size of the replica on disk in bytes (main file plus write-ahead log).
    pub fn size_bytes(&self) -> u64 {
        let wal = PathBuf::from(format!("{}-wal", self.path.display()));
        [self.path.as_path(), wal.as_path()].iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum()
    }
}

fn corrupt(path: &Path, e: rusqlite::Error) -> StoreError {
    StoreError::Corrupt { path: path.to_path_buf(), reason: e.to_string() }
}

/// Seconds since the epoch, as stored in the replica.
pub(crate) fn to_ts(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

/// The last instant a stored timestamp may name: the end of the year 9999.
const LAST_TS: i64 = 253_402_300_799;

/// A stored timestamp back to UTC time, kept within 1970–9999 whatever the file holds, so
/// no deadline computed from it can leave the calendar.
pub(crate) fn from_ts(ts: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(ts.clamp(0, LAST_TS), 0).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_replica_is_migrated_and_in_wal_mode() {
        let dir = tempfile::tempdir().unwrap();
        let r = Replica::open(&dir.path().join("sub/replica.db")).unwrap();
        let mode: String = r.conn().query_row("PRAGMA journal_mode", [], |row| row.get(0)).unwrap();
        assert_eq!(mode, "wal");
        let v: i64 = r.conn().query_row("PRAGMA user_version", [], |row| row.get(0)).unwrap();
        assert_eq!(v, SCHEMA_VERSION);
    }

    #[test]
    fn a_file_that_is_not_a_database_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("replica.db");
        let junk = b"this is not an sqlite file, it is a spreadsheet someone renamed".repeat(100);
        std::fs::write(&path, &junk).unwrap();
        let err = Replica::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
        assert!(err.to_string().contains("left untouched"));
        assert_eq!(std::fs::read(&path).unwrap(), junk);
    }

    #[test]
    fn a_replica_from_a_newer_smena_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("replica.db");
        {
            let c = Connection::open(&path).unwrap();
            c.execute_batch("CREATE TABLE future(x); PRAGMA user_version = 999;").unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let err = Replica::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::TooNew { found: 999, .. }), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
        assert!(!PathBuf::from(format!("{}-wal", path.display())).exists());
    }

    #[test]
    fn reopening_keeps_the_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("replica.db");
        {
            let mut r = Replica::open(&path).unwrap();
            settings::set_matrix(&mut r, &crate::domain::PriorityMatrix::default()).unwrap();
        }
        let r = Replica::open(&path).unwrap();
        assert_eq!(settings::matrix(&r).unwrap(), crate::domain::PriorityMatrix::default());
    }
}

//! Settings kept in the replica, a value per key (the priority matrix, the ITSM connection,
//! the sync interval, notifications, the roster's rules): every statement on `settings`.

use super::{from_ts, Replica, Result, StoreError};
use crate::domain::PriorityMatrix;
use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;

const MATRIX_KEY: &str = "priority_matrix";

/// The value stored under `key`, if any.
pub(crate) fn get(conn: &rusqlite::Connection, key: &str) -> Result<Option<String>> {
    Ok(conn.prepare_cached("SELECT value FROM settings WHERE key = ?1")?.query_row([key], |row| row.get(0)).optional()?)
}

/// Stores `value` under `key`.
pub(crate) fn put(conn: &rusqlite::Connection, key: &str, value: &str) -> Result<()> {
    conn.prepare_cached("INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")?.execute([key, value])?;
    Ok(())
}

/// Forgets `key`.
pub(crate) fn remove(conn: &rusqlite::Connection, key: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM settings WHERE key = ?1")?.execute([key])?;
    Ok(())
}

/// The urgency × impact matrix in force: the stored one, or the default.
pub fn matrix(r: &Replica) -> Result<PriorityMatrix> {
    matrix_in(r.conn())
}

/// The matrix in force, read through any connection or transaction.
pub fn matrix_in(conn: &rusqlite::Connection) -> Result<PriorityMatrix> {
    match get(conn, MATRIX_KEY)? {
        None => Ok(PriorityMatrix::default()),
        Some(json) => serde_json::from_str(&json).map_err(|e| StoreError::InvalidValue(format!("setting {MATRIX_KEY}: {e}"))),
    }
}

/// Stores a new urgency × impact matrix; it applies to every priority computed from now on.
pub fn set_matrix(r: &mut Replica, m: &PriorityMatrix) -> Result<()> {
    let json = serde_json::to_string(m).expect("a matrix serialises");
    r.write(|tx| put(tx, MATRIX_KEY, &json))
}

/// When the replica last completed a sync with any ITSM, if ever.
pub fn last_synced_at(r: &Replica) -> Result<Option<DateTime<Utc>>> {
    let ts: Option<i64> = r.conn().query_row("SELECT max(last_synced_at) FROM sync_state", [], |row| row.get(0))?;
    Ok(ts.map(from_ts))
}

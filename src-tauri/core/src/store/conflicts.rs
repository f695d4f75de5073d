//! Conflicts the sync found and keeps for the user: a field the ITSM changed under one of
//! our queued operations, with both values.

use super::{from_ts, Result};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

/// A conflict waiting for the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "sync.ts")]
pub struct Conflict {
    /// Id to resolve it by.
    pub id: i64,
    /// The operation.
    pub op_id: String,
    /// Ticket number.
    pub ticket: String,
    /// The field.
    pub field: String,
    /// Our value.
    pub mine: String,
    /// The ITSM's value.
    pub theirs: String,
    /// When it was found.
    #[ts(type = "string")]
    pub detected_at: DateTime<Utc>,
}

/// Every conflict, oldest first.
pub(crate) fn list(conn: &Connection) -> Result<Vec<Conflict>> {
    let mut stmt =
        conn.prepare_cached("SELECT c.id, c.op_id, t.number, c.field, c.mine, c.theirs, c.detected_at FROM sync_conflicts c JOIN tickets t ON t.id = c.ticket_id ORDER BY c.id")?;
    let rows = stmt.query_map([], |x| {
        Ok(Conflict { id: x.get(0)?, op_id: x.get(1)?, ticket: x.get(2)?, field: x.get(3)?, mine: x.get(4)?, theirs: x.get(5)?, detected_at: from_ts(x.get(6)?) })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One conflict found now: operation `op_id` on ticket `ticket_id` set `field` to `mine`, the
/// ITSM holds `theirs`. A second conflict of the same operation replaces the first.
pub(crate) fn record(tx: &Connection, op_id: &str, ticket_id: i64, field: &str, mine: &str, theirs: &str, now: DateTime<Utc>) -> Result<()> {
    tx.execute(
        "INSERT INTO sync_conflicts (op_id, ticket_id, field, mine, theirs, detected_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (op_id) DO UPDATE SET field = excluded.field, mine = excluded.mine, theirs = excluded.theirs, detected_at = excluded.detected_at",
        params![op_id, ticket_id, field, mine, theirs, now.timestamp()],
    )?;
    Ok(())
}

/// Forgets a settled conflict.
pub(crate) fn remove(tx: &Connection, id: i64) -> Result<()> {
    tx.execute("DELETE FROM sync_conflicts WHERE id = ?1", [id])?;
    Ok(())
}

//! The outbox: changes made in the replica that the ITSM has not accepted yet.

use super::{from_ts, Replica, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One queued operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "actions.ts")]
pub struct OutboxEntry {
    /// Unique operation id: the idempotency key sent to the ITSM.
    pub op_id: String,
    /// The ticket's number.
    pub ticket: String,
    /// What kind of action (`set-urgency`, `escalate`, …).
    pub kind: String,
    /// The action as JSON.
    pub payload: String,
    /// The ITSM version of the ticket the change was based on.
    pub base_version: Option<String>,
    /// When it was made (UTC).
    pub created_at: DateTime<Utc>,
    /// Who made it.
    pub actor: String,
    /// pending, sending, failed or conflict.
    pub state: String,
    /// How many times sending was tried.
    pub attempts: u32,
    /// The last error from the ITSM, if any.
    pub last_error: Option<String>,
}

/// Every queued operation, oldest first (the order they will be sent in).
pub fn list(r: &Replica) -> Result<Vec<OutboxEntry>> {
    let mut stmt = r.conn().prepare_cached(
        "SELECT o.op_id, t.number, o.kind, o.payload, o.base_version, o.created_at, o.actor, o.state, o.attempts, o.last_error
         FROM outbox o JOIN tickets t ON t.id = o.ticket_id ORDER BY o.id",
    )?;
    let rows = stmt.query_map([], |x| {
        Ok(OutboxEntry {
            op_id: x.get(0)?,
            ticket: x.get(1)?,
            kind: x.get(2)?,
            payload: x.get(3)?,
            base_version: x.get(4)?,
            created_at: from_ts(x.get(5)?),
            actor: x.get(6)?,
            state: x.get(7)?,
            attempts: x.get(8)?,
            last_error: x.get(9)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// How many operations are waiting.
pub fn pending_count(r: &Replica) -> Result<u32> {
    Ok(r.conn().query_row("SELECT count(*) FROM outbox", [], |x| x.get(0))?)
}

//! Discarding a queued operation: only by an explicit user action, and the change is then
//! rolled back on the replica.

use super::ticket_state::TicketState;
use super::Actor;
use crate::clock::Clock;
use crate::store::tickets::{self, HistoryEntry};
use crate::store::{Replica, StoreError};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

/// What the outbox keeps to undo an operation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Undo {
    pub before: TicketState,
    pub comment_id: Option<i64>,
    /// The ticket right after the operation: the values the operation sets (what sync sends).
    #[serde(default)]
    pub after: Option<TicketState>,
}

/// Why an operation could not be discarded.
#[derive(Debug, thiserror::Error)]
pub enum DiscardError {
    /// No such operation is queued.
    #[error("no queued operation {0}")]
    NotFound(String),
    /// A later operation on the same ticket depends on this one.
    #[error("operation {op} cannot be discarded before the later operations on ticket {ticket}: {later}")]
    LaterOperations {
        /// The operation asked for.
        op: String,
        /// Its ticket.
        ticket: String,
        /// The later operations' ids.
        later: String,
    },
    /// The operation is being sent to the ITSM right now.
    #[error("operation {0} is being sent to the ITSM right now; discard it after the sync")]
    Sending(String),
    /// The replica failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for DiscardError {
    fn from(e: rusqlite::Error) -> Self {
        DiscardError::Store(e.into())
    }
}

/// Removes a queued operation and restores the ticket as it was before it. Later operations
/// on the same ticket must be discarded first (newest first), so nothing is undone twice.
pub fn discard(r: &mut Replica, clock: &dyn Clock, actor: &Actor, op_id: &str) -> Result<String, DiscardError> {
    let now = clock.now();
    r.write_with(|tx| discard_in(tx, now, &actor.name, op_id, &format!("discarded operation {op_id}")))
}

/// Discards inside the caller's transaction; `why` is the roll-back's reason in the history.
pub(crate) fn discard_in(tx: &rusqlite::Transaction<'_>, now: chrono::DateTime<chrono::Utc>, actor: &str, op_id: &str, why: &str) -> Result<String, DiscardError> {
    {
        let found: Option<(i64, i64, String, String, String)> = tx
            .query_row("SELECT o.id, o.ticket_id, o.undo, t.number, o.state FROM outbox o JOIN tickets t ON t.id = o.ticket_id WHERE o.op_id = ?1", [op_id], |x| {
                Ok((x.get(0)?, x.get(1)?, x.get(2)?, x.get(3)?, x.get(4)?))
            })
            .optional()?;
        let (id, ticket_id, undo, number, state) = found.ok_or_else(|| DiscardError::NotFound(op_id.to_string()))?;
        if state == "sending" {
            return Err(DiscardError::Sending(op_id.to_string()));
        }
        let later: Vec<String> = tx
            .prepare("SELECT op_id FROM outbox WHERE ticket_id = ?1 AND id > ?2 ORDER BY id")?
            .query_map(params![ticket_id, id], |x| x.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if !later.is_empty() {
            return Err(DiscardError::LaterOperations { op: op_id.to_string(), ticket: number, later: later.join(", ") });
        }
        let undo: Undo = serde_json::from_str(&undo).map_err(|e| StoreError::InvalidValue(format!("outbox {op_id}: {e}")))?;
        let current = TicketState::load(tx, &number)?;
        let mut restored = undo.before.clone();
        // The lead's order is not part of the operation: keep it as it is now.
        restored.lead_rank = current.lead_rank;
        restored.save(tx)?;
        for (field, old_value, new_value) in current.changes(&restored, tx)? {
            let e = HistoryEntry { at: now, actor: actor.to_string(), field: field.into(), old_value, new_value, reason: Some(why.to_string()) };
            tickets::add_history(tx, ticket_id, &e)?;
        }
        if let Some(c) = undo.comment_id {
            tx.execute("DELETE FROM comments WHERE id = ?1", [c])?;
        }
        // The operation never left this replica: its own entries go (so "work started" or a
        // comment's text does not outlive it); the entries above record the roll-back.
        tx.execute("DELETE FROM ticket_history WHERE op_id = ?1", [op_id])?;
        tx.execute("DELETE FROM outbox WHERE id = ?1", [id])?;
        Ok(number)
    }
}

//! Discarding a queued operation: only by an explicit user action, and the change is then
//! rolled back on the replica.

use super::Actor;
use crate::clock::Clock;
use crate::store::outbox::{self, OpState, Queued};
use crate::store::ticket_state::TicketState;
use crate::store::tickets::{self, HistoryEntry};
use crate::store::{Replica, StoreError};

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
        let queued = outbox::find(tx, op_id)?.ok_or_else(|| DiscardError::NotFound(op_id.to_string()))?;
        let Queued { id, ticket_id, number, state, undo } = queued;
        if state == OpState::Sending {
            return Err(DiscardError::Sending(op_id.to_string()));
        }
        let later = outbox::later_on_ticket(tx, ticket_id, id)?;
        if !later.is_empty() {
            return Err(DiscardError::LaterOperations { op: op_id.to_string(), ticket: number, later: later.join(", ") });
        }
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
            tickets::remove_comment(tx, c)?;
        }
        // The operation never left this replica: its own entries go (so "work started" or a
        // comment's text does not outlive it); the entries above record the roll-back.
        tickets::remove_history_of_op(tx, op_id)?;
        outbox::remove(tx, id)?;
        crate::sla::deadline::refresh(tx, crate::sla::deadline::Scope::Tickets(&[ticket_id]), now)?;
        Ok(number)
    }
}

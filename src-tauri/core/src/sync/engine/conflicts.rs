//! What the user does about what the sync could not settle: conflicts (keep mine, or take
//! the ITSM's), refused operations (send again), and staff without an ITSM login.

use super::{SyncError, ITSM_ACTOR};
use crate::actions::DiscardError;
use crate::store::conflicts::{self as stored, Conflict};
use crate::store::outbox::{self, OpState, OutboxCounts, OutboxEntry};
use crate::store::{pulled, staff, sync_state, Replica, StoreError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Every conflict, oldest first.
pub fn conflicts(r: &Replica) -> Result<Vec<Conflict>, SyncError> {
    Ok(stored::list(r.conn())?)
}

/// How the user settles a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "sync.ts")]
#[serde(rename_all = "lowercase")]
pub enum Resolution {
    /// Keep ours: send it again, based on the ITSM's value.
    Mine,
    /// Take the ITSM's: our change is rolled back.
    Theirs,
}

/// Settles a conflict: keep ours (sent again, based on the ITSM's value), or take the ITSM's
/// (our operation is rolled back like a discard, and the ticket is read again from the ITSM at
/// the next sync, so every field it touched ends as the ITSM has it).
pub fn resolve(r: &mut Replica, id: i64, how: Resolution, now: DateTime<Utc>) -> Result<Conflict, SyncError> {
    let c = conflicts(r)?.into_iter().find(|c| c.id == id).ok_or(SyncError::NoConflict(id))?;
    r.write_with(|tx| -> Result<(), SyncError> {
        let queued = outbox::find(tx, &c.op_id)?.ok_or_else(|| StoreError::InvalidValue(format!("conflict {id}: its operation {} is gone", c.op_id)))?;
        match how {
            Resolution::Mine => {
                // The base becomes the ITSM's value, as the replica stores the field.
                let mut undo = queued.undo;
                let base = &mut undo.before;
                let bad = |e: crate::domain::ParseEnumError| StoreError::InvalidValue(format!("conflict {id}: {e}"));
                match c.field.as_str() {
                    "assignee" => {
                        let line = pulled::line_of(tx, queued.ticket_id)?;
                        base.assignee_id = match c.theirs.as_str() {
                            "" => None,
                            login => Some(staff::id_by_login_or_placeholder(tx, login, line)?),
                        };
                    }
                    "line" => base.line = c.theirs.parse::<u8>().ok().and_then(|n| crate::domain::Line::try_from(n).ok()).unwrap_or(crate::domain::Line::FIRST),
                    "urgency" => base.urgency = c.theirs.parse().map_err(bad)?,
                    "impact" => base.impact = c.theirs.parse().map_err(bad)?,
                    "status" => base.status = c.theirs.parse().map_err(bad)?,
                    other => return Err(StoreError::InvalidValue(format!("conflict {id}: unknown field '{other}'")).into()),
                }
                outbox::rebase(tx, &c.op_id, &undo)?;
                stored::remove(tx, id)?;
            }
            Resolution::Theirs => {
                let why = format!("conflict on {}: the ITSM's value '{}' taken", c.field, c.theirs);
                crate::actions::discard::discard_in(tx, now, ITSM_ACTOR, &c.op_id, &why).map_err(|e| match e {
                    DiscardError::Store(s) => SyncError::Store(s),
                    other => SyncError::Store(StoreError::Conflict(other.to_string())),
                })?;
                sync_state::refetch_ticket(tx, queued.ticket_id)?;
            }
        }
        Ok(())
    })?;
    Ok(c)
}

/// Operations refused by the ITSM, and the tickets not in it.
pub fn failed(r: &Replica) -> Result<Vec<OutboxEntry>, SyncError> {
    Ok(outbox::list(r)?.into_iter().filter(|e| e.state == OpState::Failed).collect())
}

/// Ties a staff member to their ITSM login (taking over the tickets of the placeholder a
/// pull made for that login, if any).
pub fn set_login(r: &mut Replica, staff_id: i64, login: &str) -> Result<(), SyncError> {
    let login = login.trim();
    if login.is_empty() {
        return Err(SyncError::EmptyLogin);
    }
    r.write(|tx| staff::set_login(tx, staff_id, login))?;
    Ok(())
}

/// Sends a failed operation again at the next sync (after the cause was fixed).
pub fn retry(r: &mut Replica, op_id: &str) -> Result<(), SyncError> {
    if r.write(|tx| outbox::retry_failed(tx, op_id))? {
        Ok(())
    } else {
        Err(SyncError::NoFailedOperation(op_id.to_string()))
    }
}

/// Operations waiting, failed and in conflict.
pub fn counts(r: &Replica) -> Result<OutboxCounts, SyncError> {
    Ok(outbox::counts(r.conn())?)
}

//! The outbox: changes made in the replica that the ITSM has not accepted yet. Every
//! statement on the `outbox` table lives here: the action that queues an operation, the sync
//! that sends it, and the user who discards, retries or rebases it.

use super::ticket_state::TicketState;
use super::{from_ts, to_ts, Replica, Result, StoreError};
use crate::domain::text_enum::text_enum;
use crate::domain::{Action, ActionKind};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

text_enum! {
    /// Where a queued operation stands.
    OpState, "operation state" {
        /// Waiting to be sent.
        Pending = "pending",
        /// Being sent now (or a sync was cut off while sending it: sent again, safely).
        Sending = "sending",
        /// Refused by the ITSM, kept with the reason until retried or discarded.
        Failed = "failed",
        /// The ITSM changed the same field: kept with both values for the user.
        Conflict = "conflict",
    }
}

/// One queued operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "actions.ts")]
pub struct OutboxEntry {
    /// Unique operation id: the idempotency key sent to the ITSM.
    pub op_id: String,
    /// The ticket's number.
    pub ticket: String,
    /// What kind of action.
    pub kind: ActionKind,
    /// The action as JSON.
    pub payload: String,
    /// The ITSM version of the ticket the change was based on.
    pub base_version: Option<String>,
    /// When it was made (UTC).
    pub created_at: DateTime<Utc>,
    /// Who made it.
    pub actor: String,
    /// Where it stands.
    pub state: OpState,
    /// How many times sending was tried.
    pub attempts: u32,
    /// The last error from the ITSM, if any.
    pub last_error: Option<String>,
}

/// What the outbox keeps to undo an operation, and to tell the ITSM what it set.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Undo {
    /// The ticket before the operation (its base).
    pub before: TicketState,
    /// The comment the operation added, if any.
    pub comment_id: Option<i64>,
    /// The ticket right after the operation: the values the operation sets (what sync sends).
    #[serde(default)]
    pub after: Option<TicketState>,
}

impl Undo {
    fn parse(op_id: &str, text: &str) -> Result<Undo> {
        serde_json::from_str(text).map_err(|e| StoreError::InvalidValue(format!("outbox operation {op_id}: {e}")))
    }
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

/// How many operations are queued.
pub fn pending_count(r: &Replica) -> Result<u32> {
    Ok(r.conn().query_row("SELECT count(*) FROM outbox", [], |x| x.get(0))?)
}

/// Operations waiting, refused and in conflict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    /// Pending or being sent.
    pub waiting: u32,
    /// Refused by the ITSM.
    pub failed: u32,
    /// In conflict with a change made in the ITSM.
    pub conflicts: u32,
}

/// How many operations wait, were refused, or are in conflict.
pub fn counts(conn: &Connection) -> Result<OutboxCounts> {
    Ok(conn.query_row(
        "SELECT count(*) FILTER (WHERE state IN ('pending', 'sending')), count(*) FILTER (WHERE state = 'failed'), count(*) FILTER (WHERE state = 'conflict') FROM outbox",
        [],
        |x| Ok(OutboxCounts { waiting: x.get(0)?, failed: x.get(1)?, conflicts: x.get(2)? }),
    )?)
}

/// Queues operation `op_id` of `action` on the ticket `after` describes, made by `actor` at `now`.
pub(crate) fn insert(tx: &Connection, op_id: &str, action: &Action, undo: &Undo, actor: &str, now: DateTime<Utc>) -> Result<()> {
    let payload = serde_json::to_string(action).expect("actions serialise");
    let undo_text = serde_json::to_string(undo).expect("undo serialises");
    let ticket_id = undo.after.as_ref().map_or(undo.before.id, |a| a.id);
    tx.prepare_cached("INSERT INTO outbox (op_id, ticket_id, kind, payload, undo, base_version, created_at, actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")?.execute(params![
        op_id,
        ticket_id,
        action.kind(),
        payload,
        undo_text,
        undo.before.server_version,
        to_ts(now),
        actor
    ])?;
    Ok(())
}

/// A queued operation as the sync sends it.
#[derive(Debug, Clone)]
pub(crate) struct Sendable {
    /// Row id (the order).
    pub id: i64,
    /// The operation id.
    pub op_id: String,
    /// The ticket's row id.
    pub ticket_id: i64,
    /// The ticket's number.
    pub number: String,
    /// The ticket's id in the ITSM, when it is one of the ITSM's.
    pub external_id: Option<String>,
    /// What it does.
    pub action: Action,
    /// The ticket before and after it.
    pub undo: Undo,
}

/// The operations to send (pending, or left "sending" by a sync that was cut off), in order.
pub(crate) fn sendable(conn: &Connection) -> Result<Vec<Sendable>> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.id, o.op_id, o.ticket_id, t.number, t.external_id, o.payload, o.undo FROM outbox o JOIN tickets t ON t.id = o.ticket_id
         WHERE o.state IN ('pending', 'sending') ORDER BY o.id",
    )?;
    let rows = stmt.query_map([], |x| Ok((x.get(0)?, x.get::<_, String>(1)?, x.get(2)?, x.get(3)?, x.get(4)?, x.get::<_, String>(5)?, x.get::<_, String>(6)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, op_id, ticket_id, number, external_id, payload, undo) = row?;
        let action: Action = serde_json::from_str(&payload).map_err(|e| StoreError::InvalidValue(format!("outbox operation {op_id}: {e}")))?;
        let undo = Undo::parse(&op_id, &undo)?;
        out.push(Sendable { id, op_id, ticket_id, number, external_id, action, undo });
    }
    Ok(out)
}

/// The tickets with an operation refused or in conflict: later operations on them wait.
pub(crate) fn blocked_tickets(conn: &Connection) -> Result<BTreeSet<i64>> {
    let mut stmt = conn.prepare_cached("SELECT DISTINCT ticket_id FROM outbox WHERE state IN ('failed', 'conflict')")?;
    let ids = stmt.query_map([], |x| x.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

/// Moves operation `id` to `state` with `error` (none clears it); sending counts an attempt.
pub(crate) fn set_state(tx: &Connection, id: i64, state: OpState, error: Option<&str>) -> Result<()> {
    tx.prepare_cached("UPDATE outbox SET state = ?2, last_error = ?3, attempts = attempts + (?2 = 'sending') WHERE id = ?1")?.execute(params![id, state, error])?;
    Ok(())
}

/// Marks operation `id` as being sent, counting the attempt, if it is still waiting; false
/// when it is not (the user discarded it since the sync listed it). Decided in the
/// transaction that marks it, so a discard and a send never both happen.
pub(crate) fn start_sending(tx: &Connection, id: i64) -> Result<bool> {
    Ok(tx.prepare_cached("UPDATE outbox SET state = 'sending', last_error = NULL, attempts = attempts + 1 WHERE id = ?1 AND state IN ('pending', 'sending')")?.execute([id])? == 1)
}

/// Removes operation `id` (the ITSM accepted it, or it was discarded).
pub(crate) fn remove(tx: &Connection, id: i64) -> Result<()> {
    tx.prepare_cached("DELETE FROM outbox WHERE id = ?1")?.execute([id])?;
    Ok(())
}

/// Every queued operation's ticket and kind (any state).
pub(crate) fn kinds_by_ticket(conn: &Connection) -> Result<Vec<(i64, ActionKind)>> {
    let mut stmt = conn.prepare_cached("SELECT ticket_id, kind FROM outbox")?;
    let rows = stmt.query_map([], |x| Ok((x.get(0)?, x.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A queued operation as a discard or a conflict's settlement reads it.
#[derive(Debug, Clone)]
pub(crate) struct Queued {
    /// Row id.
    pub id: i64,
    /// The ticket's row id.
    pub ticket_id: i64,
    /// The ticket's number.
    pub number: String,
    /// Where it stands.
    pub state: OpState,
    /// The ticket before and after it.
    pub undo: Undo,
}

/// Operation `op_id`, if it is queued.
pub(crate) fn find(tx: &Connection, op_id: &str) -> Result<Option<Queued>> {
    let found: Option<(i64, i64, String, String, OpState)> = tx
        .query_row("SELECT o.id, o.ticket_id, o.undo, t.number, o.state FROM outbox o JOIN tickets t ON t.id = o.ticket_id WHERE o.op_id = ?1", [op_id], |x| {
            Ok((x.get(0)?, x.get(1)?, x.get(2)?, x.get(3)?, x.get(4)?))
        })
        .optional()?;
    found.map(|(id, ticket_id, undo, number, state)| Ok(Queued { id, ticket_id, number, state, undo: Undo::parse(op_id, &undo)? })).transpose()
}

/// The operations queued on ticket `ticket_id` after row `id`, oldest first.
pub(crate) fn later_on_ticket(tx: &Connection, ticket_id: i64, id: i64) -> Result<Vec<String>> {
    let mut stmt = tx.prepare_cached("SELECT op_id FROM outbox WHERE ticket_id = ?1 AND id > ?2 ORDER BY id")?;
    let ids = stmt.query_map(params![ticket_id, id], |x| x.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

/// Marks operation `id` in conflict, with why.
pub(crate) fn mark_conflict(tx: &Connection, id: i64, why: &str) -> Result<()> {
    set_state(tx, id, OpState::Conflict, Some(why))
}

/// Sends operation `op_id` again, based on `undo` (the ITSM's value taken as its base).
pub(crate) fn rebase(tx: &Connection, op_id: &str, undo: &Undo) -> Result<()> {
    tx.execute("UPDATE outbox SET state = 'pending', last_error = NULL, undo = ?2 WHERE op_id = ?1", params![op_id, serde_json::to_string(undo).expect("undo serialises")])?;
    Ok(())
}

/// Puts failed operation `op_id` back in the queue; false when no such failed operation.
pub(crate) fn retry_failed(tx: &Connection, op_id: &str) -> Result<bool> {
    Ok(tx.execute("UPDATE outbox SET state = 'pending', last_error = NULL WHERE op_id = ?1 AND state = 'failed'", [op_id])? > 0)
}

//! Tickets and comments as the sync writes them from the ITSM: the synced fields of a ticket
//! known by its ITSM id, and a page's changes staged and moved into `tickets` in one statement.

use super::{from_ts, Result, StoreError};
use crate::domain::{Level, Line, Priority, Status};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

/// A ticket's synced fields as the replica holds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Synced {
    /// Row id.
    pub id: i64,
    /// Urgency.
    pub urgency: Level,
    /// Impact.
    pub impact: Level,
    /// Status.
    pub status: Status,
    /// Line.
    pub line: Line,
    /// Assignee's staff id.
    pub assignee_id: Option<i64>,
    /// Subject.
    pub subject: String,
    /// Registered.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// The ITSM's version of it, when known.
    pub version: Option<String>,
}

/// The synced fields of the ticket with ITSM id `external_id`, if the replica has it.
pub(crate) fn synced(conn: &Connection, external_id: &str) -> Result<Option<Synced>> {
    let found = conn
        .prepare_cached("SELECT id, urgency, impact, status, line, assignee_id, subject, created_at, updated_at, server_version FROM tickets WHERE external_id = ?1")?
        .query_row([external_id], |x| {
            let line: u8 = x.get(4)?;
            Ok(Synced {
                id: x.get(0)?,
                urgency: x.get(1)?,
                impact: x.get(2)?,
                status: x.get(3)?,
                line: Line::try_from(line).map_err(|_| rusqlite::Error::IntegralValueOutOfRange(4, line.into()))?,
                assignee_id: x.get(5)?,
                subject: x.get(6)?,
                created_at: from_ts(x.get(7)?),
                updated_at: from_ts(x.get(8)?),
                version: x.get(9)?,
            })
        })
        .optional()?;
    Ok(found)
}

/// Removes every ticket that came from an ITSM, with all that hangs on it, and the sync's
/// cursors; returns (tickets, queued operations) removed.
pub(crate) fn forget_all(tx: &Connection) -> Result<(u64, u64)> {
    let linked = "SELECT id FROM tickets WHERE external_id IS NOT NULL";
    let operations = tx.execute(&format!("DELETE FROM outbox WHERE ticket_id IN ({linked})"), [])? as u64;
    tx.execute(&format!("DELETE FROM sync_conflicts WHERE ticket_id IN ({linked})"), [])?;
    tx.execute(&format!("DELETE FROM ticket_history WHERE ticket_id IN ({linked})"), [])?;
    tx.execute(&format!("DELETE FROM comments WHERE ticket_id IN ({linked})"), [])?;
    let tickets = tx.execute("DELETE FROM tickets WHERE external_id IS NOT NULL", [])? as u64;
    tx.execute("DELETE FROM sync_refetch", [])?;
    tx.execute("DELETE FROM sync_state", [])?;
    Ok((tickets, operations))
}

/// Whether a ticket pulled from the ITSM holds `number`.
pub(crate) fn number_is_synced(tx: &Connection, number: &str) -> Result<bool> {
    Ok(tx.prepare_cached("SELECT EXISTS (SELECT 1 FROM tickets WHERE number = ?1 AND external_id IS NOT NULL)")?.query_row([number], |x| x.get(0))?)
}

/// A ticket of the replica's own (imported, or the demo's) that holds `number`, which a
/// ticket of the ITSM now brings: the ITSM's keeps the number, the local one becomes
/// `NUMBER-local` (`-local2`, … when taken). Returns the local ticket's new number, if there
/// was one.
pub(crate) fn renumber_local(tx: &Connection, number: &str) -> Result<Option<(i64, String)>> {
    let Some(id) = tx.prepare_cached("SELECT id FROM tickets WHERE number = ?1 AND external_id IS NULL")?.query_row([number], |x| x.get::<_, i64>(0)).optional()? else {
        return Ok(None);
    };
    let mut n = 1;
    let new = loop {
        let candidate = if n == 1 { format!("{number}-local") } else { format!("{number}-local{n}") };
        let taken: bool = tx.prepare_cached("SELECT EXISTS (SELECT 1 FROM tickets WHERE number = ?1)")?.query_row([&candidate], |x| x.get(0))?;
        if !taken {
            break candidate;
        }
        n += 1;
    };
    tx.prepare_cached("UPDATE tickets SET number = ?2 WHERE id = ?1")?.execute(params![id, new])?;
    Ok(Some((id, new)))
}

/// How many tickets came from an ITSM.
pub(crate) fn linked(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM tickets WHERE external_id IS NOT NULL", [], |x| x.get(0))?)
}

/// The row id of the ticket with ITSM id `external_id`, if the replica has it.
pub(crate) fn id_by_external(conn: &Connection, external_id: &str) -> Result<Option<i64>> {
    Ok(conn.prepare_cached("SELECT id FROM tickets WHERE external_id = ?1")?.query_row([external_id], |x| x.get(0)).optional()?)
}

/// The line ticket `id` is on.
pub(crate) fn line_of(conn: &Connection, id: i64) -> Result<Line> {
    let line: u8 = conn.query_row("SELECT line FROM tickets WHERE id = ?1", [id], |x| x.get(0))?;
    Line::try_from(line).map_err(|_| StoreError::InvalidValue(format!("ticket #{id} is on line {line}")))
}

/// The assignee of ticket `id`.
pub(crate) fn assignee_of(conn: &Connection, id: i64) -> Result<Option<i64>> {
    Ok(conn.query_row("SELECT assignee_id FROM tickets WHERE id = ?1", [id], |x| x.get(0))?)
}

/// Sets ticket `id`'s subject. Its own statement: naming the subject in an UPDATE
/// re-indexes the ticket for search.
pub(crate) fn set_subject(conn: &Connection, id: i64, subject: &str) -> Result<()> {
    conn.prepare_cached("UPDATE tickets SET subject = ?2 WHERE id = ?1")?.execute(params![id, subject])?;
    Ok(())
}

/// Sets a completed ticket `id`'s closure code, where it differs.
pub(crate) fn set_closure_code(conn: &Connection, id: i64, code: crate::domain::ClosureCode) -> Result<()> {
    conn.prepare_cached("UPDATE tickets SET closure_code = ?2 WHERE id = ?1 AND closure_code IS NOT ?2")?.execute(params![id, code.to_string()])?;
    Ok(())
}

/// Gives a staged new ticket (see [`super::tickets::TicketBatch`]) its ITSM id and version,
/// and the ITSM's own priority where it has one.
pub(crate) fn stage_remote(conn: &Connection, staged: i64, external_id: &str, version: Option<&str>, priority: Option<Priority>) -> Result<()> {
    conn.prepare_cached("UPDATE temp.staged_tickets SET external_id = ?2, server_version = ?3, priority = coalesce(?4, priority) WHERE id = ?1")?.execute(params![
        staged,
        external_id,
        version,
        priority.map(|p| p.rank())
    ])?;
    Ok(())
}

/// The values a pulled change gives an existing ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PulledFields {
    /// Row id.
    pub id: i64,
    /// Urgency.
    pub urgency: Level,
    /// Impact.
    pub impact: Level,
    /// Status.
    pub status: Status,
    /// Line.
    pub line: Line,
    /// Assignee.
    pub assignee_id: Option<i64>,
    /// Priority (none: a waiting operation holds it; for incidents only).
    pub priority: Option<Priority>,
    /// When the ITSM changed it.
    pub at: DateTime<Utc>,
    /// The ITSM's version.
    pub version: Option<String>,
}

/// A page's changes to existing tickets, staged in a temporary table and moved into
/// `tickets` in one statement: a statement on `tickets` fires the search index's trigger,
/// and the index writes itself out at the end of every statement.
pub(crate) struct PulledChanges;

impl PulledChanges {
    /// An empty staging table.
    pub fn begin(tx: &Connection) -> Result<PulledChanges> {
        tx.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS pulled_changes (id INTEGER PRIMARY KEY, urgency, impact, status, line, assignee_id, priority, at, version);
             DELETE FROM temp.pulled_changes;",
        )?;
        Ok(PulledChanges)
    }

    /// Stages one ticket's change.
    pub fn add(&mut self, tx: &Connection, f: &PulledFields) -> Result<()> {
        tx.prepare_cached(
            "INSERT OR REPLACE INTO temp.pulled_changes (id, urgency, impact, status, line, assignee_id, priority, at, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![f.id, f.urgency, f.impact, f.status, f.line.number(), f.assignee_id, f.priority.map(|p| p.rank()), f.at.timestamp(), f.version])?;
        Ok(())
    }

    /// Moves the staged changes into `tickets`, with the times a status change implies (the
    /// caller gives them their deadlines).
    pub fn flush(self, tx: &Connection) -> Result<()> {
        // The IN makes SQLite look the page's tickets up rather than scan every ticket.
        tx.execute(
            "UPDATE main.tickets SET urgency = c.urgency, impact = c.impact, status = c.status, line = c.line, assignee_id = c.assignee_id,
                 priority = CASE WHEN tickets.kind = 'incident' AND c.priority IS NOT NULL THEN c.priority ELSE tickets.priority END,
                 first_response_at = CASE WHEN c.status <> 'registered' THEN coalesce(tickets.first_response_at, c.at) ELSE tickets.first_response_at END,
                 completed_at = CASE WHEN c.status = 'completed' AND c.status <> tickets.status THEN c.at ELSE tickets.completed_at END,
                 closed_at = CASE WHEN c.status = 'closed' AND c.status <> tickets.status THEN c.at ELSE tickets.closed_at END,
                 updated_at = max(tickets.updated_at, c.at), server_version = coalesce(c.version, tickets.server_version)
             FROM temp.pulled_changes c WHERE tickets.id = c.id AND tickets.id IN (SELECT id FROM temp.pulled_changes)",
            [],
        )?;
        tx.execute("DELETE FROM temp.pulled_changes", [])?;
        Ok(())
    }
}

/// Adds a comment someone wrote in the ITSM, once (`external_id` tells it apart).
pub(crate) fn add_pulled_comment(tx: &Connection, ticket_id: i64, at: DateTime<Utc>, author: &str, body: &str, external_id: &str) -> Result<()> {
    tx.prepare_cached("INSERT OR IGNORE INTO comments (ticket_id, at, author, body, external_id) VALUES (?1, ?2, ?3, ?4, ?5)")?.execute(params![
        ticket_id,
        at.timestamp(),
        author,
        body,
        external_id
    ])?;
    Ok(())
}

/// Stores one change of ticket `ticket` as the ITSM recorded it (its id `source_id`), unless
/// it is stored already. A change this replica made and pushed is the same change: its entry
/// takes the ITSM's id instead of a second entry being added. Returns whether it was new.
pub(crate) fn add_itsm_history(conn: &Connection, ticket: i64, source_id: &str, e: &super::tickets::HistoryEntry) -> Result<bool> {
    let known: bool =
        conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM ticket_history WHERE ticket_id = ?1 AND source_id = ?2)")?.query_row(params![ticket, source_id], |x| x.get(0))?;
    if known {
        return Ok(false);
    }
    // Ours, pushed: the latest entry of an operation with the same change, made before the
    // ITSM recorded it and not matched yet.
    let ours = conn
        .prepare_cached(
            "UPDATE ticket_history SET source_id = ?2 WHERE id = (
                 SELECT id FROM ticket_history
                 WHERE ticket_id = ?1 AND source_id IS NULL AND op_id IS NOT NULL AND field = ?3 AND new_value IS ?4 AND at <= ?5
                 ORDER BY at DESC, id DESC LIMIT 1)",
        )?
        .execute(params![ticket, source_id, e.field, e.new_value, super::to_ts(e.at)])?;
    if ours > 0 {
        return Ok(false);
    }
    conn.prepare_cached("INSERT INTO ticket_history (ticket_id, at, actor, field, old_value, new_value, reason, source_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")?
        .execute(params![ticket, super::to_ts(e.at), e.actor, e.field, e.old_value, e.new_value, e.reason, source_id])?;
    Ok(true)
}

/// Sets the times a ticket's history decides, for tickets whose history came from the ITSM:
/// the first response is the first reply to the requester (else the first move out of
/// Registered), completion and closing the last entry into Completed / Closed while the
/// ticket is there.
pub(crate) fn times_from_history(conn: &Connection, ids: &[i64]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let json = serde_json::to_string(ids).expect("ids serialise");
    conn.prepare_cached(
        "UPDATE tickets SET
             first_response_at = coalesce(
                 (SELECT min(h.at) FROM ticket_history h WHERE h.ticket_id = tickets.id AND h.field = 'reply'),
                 (SELECT min(h.at) FROM ticket_history h WHERE h.ticket_id = tickets.id AND h.field = 'status' AND h.old_value IS NOT NULL AND h.new_value <> 'registered'),
                 first_response_at),
             completed_at = CASE WHEN status IN ('completed', 'closed') THEN coalesce(
                 (SELECT max(h.at) FROM ticket_history h WHERE h.ticket_id = tickets.id AND h.field = 'status' AND h.new_value = 'completed'), completed_at)
                 ELSE completed_at END,
             closed_at = CASE WHEN status = 'closed' THEN coalesce(
                 (SELECT max(h.at) FROM ticket_history h WHERE h.ticket_id = tickets.id AND h.field = 'status' AND h.new_value = 'closed'), closed_at)
                 ELSE closed_at END
         WHERE id IN (SELECT value FROM json_each(?1))",
    )?
    .execute([json])?;
    Ok(())
}

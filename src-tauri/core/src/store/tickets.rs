//! Writing tickets, their history and their comments into the replica.

use super::{to_ts, Result, StoreError};
use crate::domain::{contact_is_authorised, Channel, ClosureCode, Kind, Level, Line, Priority, PriorityMatrix, Status};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

/// A ticket as it arrives in the replica (from the demo, an import or a sync).
#[derive(Debug, Clone)]
pub struct NewTicket {
    /// Unique ticket number (`INC0012345`).
    pub number: String,
    /// Incident or request.
    pub kind: Kind,
    /// Client's replica id.
    pub client_id: i64,
    /// Who raised it.
    pub contact_name: String,
    /// The address it came from, when it came by e-mail or portal.
    pub contact_email: Option<String>,
    /// How it arrived.
    pub channel: Channel,
    /// Service or category.
    pub service: String,
    /// Request type code (requests only).
    pub request_type: Option<String>,
    /// Subject line.
    pub subject: String,
    /// Full description.
    pub description: String,
    /// Urgency set by the client.
    pub urgency: Level,
    /// Impact set by support.
    pub impact: Level,
    /// Current status.
    pub status: Status,
    /// Line holding it.
    pub line: Line,
    /// Assigned engineer's staff id.
    pub assignee_id: Option<i64>,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// First reaction of the desk.
    pub first_response_at: Option<DateTime<Utc>>,
    /// When it was (last) completed.
    pub completed_at: Option<DateTime<Utc>>,
    /// When it was closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// Why it was completed.
    pub closure_code: Option<ClosureCode>,
    /// What the source ITSM said, for imported tickets.
    pub imported: Option<Imported>,
    /// Its deadline, when the writer computed it from the life it wrote (the demo); otherwise
    /// none until [`crate::sla::deadline::refresh`] runs over the written history.
    pub deadline: Option<crate::sla::deadline::Deadline>,
}

/// What an imported ticket keeps from its source ITSM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// The source (`servicenow`).
    pub source: String,
    /// The version of the ticket in the source (for re-imports).
    pub version: String,
    /// The priority as the source gave it; kept as the ticket's priority.
    pub priority: Priority,
    /// The priority's text in the source (`3 - Moderate`).
    pub priority_text: String,
    /// Location.
    pub location: Option<String>,
    /// Category.
    pub category: Option<String>,
    /// Assignment group.
    pub assignment_group: Option<String>,
}

/// One field change in a ticket's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "queue.ts")]
pub struct HistoryEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// Who (an engineer's name, `client`, `system`).
    pub actor: String,
    /// Which field (`status`, `urgency`, `assignee`, `line`, …).
    pub field: String,
    /// Value before, if any.
    pub old_value: Option<String>,
    /// Value after, if any.
    pub new_value: Option<String>,
    /// Why.
    pub reason: Option<String>,
}

/// An entry in a ticket's Additional Comments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "queue.ts")]
pub struct CommentEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// Who wrote it.
    pub author: String,
    /// The text, shown as plain text.
    pub body: String,
}

/// The priority a new ticket gets: incidents by the matrix, requests by their type in the
/// service-request model.
pub fn classify(conn: &Connection, matrix: &PriorityMatrix, t: &NewTicket) -> Result<Priority> {
    match (t.kind, &t.request_type) {
        (Kind::Request, Some(code)) => {
            let rank: Option<u8> = conn.prepare_cached("SELECT priority FROM request_types WHERE code = ?1")?.query_row([code], |r| r.get(0)).optional()?;
            let rank = rank.ok_or_else(|| StoreError::Conflict(format!("ticket {}: unknown request type '{code}'", t.number)))?;
            Priority::from_rank(rank).ok_or_else(|| StoreError::InvalidValue(format!("request type {code}: priority {rank}")))
        }
        (Kind::Request, None) => Err(StoreError::Conflict(format!("ticket {}: a service request needs a request type", t.number))),
        (Kind::Incident, _) => Ok(matrix.priority(t.urgency, t.impact)),
    }
}

/// Stores a new ticket; its priority is computed by [`classify`], and an e-mail from an
/// address the client did not authorise is flagged. Returns the ticket's id. It has no
/// deadline until the caller, once the ticket's history is written too, calls
/// [`crate::sla::deadline::refresh`].
pub fn insert_ticket(conn: &Connection, matrix: &PriorityMatrix, t: &NewTicket) -> Result<i64> {
    insert_ticket_into(conn, "tickets", None, matrix, t)
}

/// [`insert_ticket`] into `table`, a table with the tickets' columns, with the given id or
/// the next free one: [`TicketBatch`] stages new tickets in a temporary table.
fn insert_ticket_into(conn: &Connection, table: &str, id: Option<i64>, matrix: &PriorityMatrix, t: &NewTicket) -> Result<i64> {
    let mut priority = classify(conn, matrix, t)?;
    let mut mismatch = false;
    let authorised = match &t.imported {
        // The source ITSM accepted the caller; its priority is kept, and flagged when our matrix disagrees.
        Some(src) => {
            mismatch = t.kind == Kind::Incident && src.priority != priority;
            priority = src.priority;
            true
        }
        None => contact_is_authorised(t.channel, t.contact_email.as_deref(), &super::reference::contacts(conn, t.client_id)?),
    };
    let src = t.imported.as_ref();
    let inserted = conn
        .prepare_cached(&format!(
            "INSERT INTO {table} (id, number, kind, client_id, contact_name, contact_email, contact_authorised, channel,
                service, request_type, subject, description, urgency, impact, priority, status, line, assignee_id,
                created_at, updated_at, first_response_at, completed_at, closed_at, due_at, closure_code,
                source, server_version, source_priority, priority_mismatch, location, category, assignment_group, sla_paused_left)
             VALUES (?32, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24,
                ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?33)"
        ))?
        .execute(params![
            t.number,
            t.kind,
            t.client_id,
            t.contact_name,
            t.contact_email,
            authorised,
            t.channel,
            t.service,
            t.request_type,
            t.subject,
            t.description,
            t.urgency,
            t.impact,
            priority.rank(),
            t.status,
            t.line.number(),
            t.assignee_id,
            to_ts(t.created_at),
            to_ts(t.updated_at),
            t.first_response_at.map(to_ts),
            t.completed_at.map(to_ts),
            t.closed_at.map(to_ts),
            t.deadline.and_then(|d| d.due_at).map(to_ts),
            t.closure_code,
            src.map(|x| &x.source),
            src.map(|x| &x.version),
            src.map(|x| &x.priority_text),
            mismatch,
            src.and_then(|x| x.location.as_ref()),
            src.and_then(|x| x.category.as_ref()),
            src.and_then(|x| x.assignment_group.as_ref()),
            id,
            t.deadline.and_then(|d| d.paused_left_seconds),
        ]);
    match inserted {
        Ok(_) => Ok(id.unwrap_or_else(|| conn.last_insert_rowid())),
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::ConstraintViolation => {
            Err(StoreError::Conflict(format!("ticket {}: a ticket with this number exists, or its client or assignee does not", t.number)))
        }
        Err(e) => Err(e.into()),
    }
}

/// New tickets written many at a time (a demo, an import, a pulled page): each is staged in
/// a temporary table with the id it will have, and [`TicketBatch::flush`] moves them into
/// `tickets` in one statement. Every statement on `tickets` makes the trigram search index
/// write itself out (its trigger runs inside the statement's savepoint), so one statement per
/// batch instead of one per ticket is what makes bulk writing fast. History and comments of
/// a staged ticket go in after its batch is flushed.
pub struct TicketBatch {
    next_id: i64,
    staged: usize,
}

impl TicketBatch {
    /// The staging table, for callers that set more columns of a staged ticket by its id.
    pub const TABLE: &'static str = "temp.staged_tickets";

    /// Starts a batch inside the caller's transaction.
    pub fn begin(conn: &Connection) -> Result<TicketBatch> {
        conn.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS staged_tickets AS SELECT * FROM main.tickets WHERE 0;
             CREATE INDEX IF NOT EXISTS temp.staged_tickets_id ON staged_tickets (id);
             DELETE FROM temp.staged_tickets;",
        )?;
        let next_id: i64 = conn.query_row("SELECT coalesce(max(id), 0) + 1 FROM main.tickets", [], |r| r.get(0))?;
        Ok(TicketBatch { next_id, staged: 0 })
    }

    /// Stages a ticket as [`insert_ticket`] would store it; returns the id it will have.
    pub fn add(&mut self, conn: &Connection, matrix: &PriorityMatrix, t: &NewTicket) -> Result<i64> {
        let id = insert_ticket_into(conn, Self::TABLE, Some(self.next_id), matrix, t)?;
        self.next_id += 1;
        self.staged += 1;
        Ok(id)
    }

    /// Where the batch stands, to go back to with [`TicketBatch::reset`] when the caller rolls
    /// its staging back (to a savepoint).
    pub fn mark(&self) -> (i64, usize) {
        (self.next_id, self.staged)
    }

    /// Goes back to a [`TicketBatch::mark`].
    pub fn reset(&mut self, mark: (i64, usize)) {
        (self.next_id, self.staged) = mark;
    }

    /// Tickets staged and not yet flushed.
    pub fn len(&self) -> usize {
        self.staged
    }

    /// True when nothing waits to be flushed.
    pub fn is_empty(&self) -> bool {
        self.staged == 0
    }

    /// Moves the staged tickets into `tickets`, in one statement.
    pub fn flush(&mut self, conn: &Connection) -> Result<()> {
        if self.staged == 0 {
            return Ok(());
        }
        let columns: String = conn.query_row("SELECT group_concat(name, ', ') FROM pragma_table_info('tickets')", [], |r| r.get(0))?;
        match conn.execute(&format!("INSERT INTO main.tickets ({columns}) SELECT {columns} FROM temp.staged_tickets ORDER BY id"), []) {
            Err(rusqlite::Error::SqliteFailure(e, Some(why))) if e.code == rusqlite::ErrorCode::ConstraintViolation => {
                return Err(StoreError::Conflict(format!("{} new tickets: {why} (a ticket with one of their numbers exists?)", self.staged)));
            }
            other => {
                other?;
            }
        }
        conn.execute("DELETE FROM temp.staged_tickets", [])?;
        self.staged = 0;
        Ok(())
    }
}

/// Appends one entry to a ticket's history.
pub fn add_history(conn: &Connection, ticket_id: i64, e: &HistoryEntry) -> Result<()> {
    add_history_of_op(conn, ticket_id, e, None)
}

/// Appends one entry to a ticket's history, made by the outbox operation `op_id` if any.
pub fn add_history_of_op(conn: &Connection, ticket_id: i64, e: &HistoryEntry, op_id: Option<&str>) -> Result<()> {
    conn.prepare_cached("INSERT INTO ticket_history (ticket_id, at, actor, field, old_value, new_value, reason, op_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")?
        .execute(params![ticket_id, to_ts(e.at), e.actor, e.field, e.old_value, e.new_value, e.reason, op_id])?;
    Ok(())
}

/// Appends one entry to a ticket's Additional Comments; returns the comment's id.
pub fn add_comment(conn: &Connection, ticket_id: i64, c: &CommentEntry) -> Result<i64> {
    conn.prepare_cached("INSERT INTO comments (ticket_id, at, author, body) VALUES (?1, ?2, ?3, ?4)")?.execute(params![ticket_id, to_ts(c.at), c.author, c.body])?;
    Ok(conn.last_insert_rowid())
}

/// Removes comment `id` (its operation was discarded).
pub(crate) fn remove_comment(conn: &Connection, id: i64) -> Result<()> {
    conn.execute("DELETE FROM comments WHERE id = ?1", [id])?;
    Ok(())
}

/// Removes the history entries operation `op_id` wrote (it was discarded).
pub(crate) fn remove_history_of_op(conn: &Connection, op_id: &str) -> Result<()> {
    conn.execute("DELETE FROM ticket_history WHERE op_id = ?1", [op_id])?;
    Ok(())
}

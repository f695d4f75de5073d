//! The sync engine: push the outbox in order, then pull the ITSM's changes from the saved
//! cursor, each page in one transaction. A pulled ticket never overwrites a field that still
//! has an operation waiting; a field the ITSM changed under an operation becomes a conflict
//! the user resolves. Nothing is overwritten silently on either side.

use super::{Change, ChangePage, ItsmApi, ItsmError, RemoteTicket, WriteOutcome};
use crate::domain::{Action, Channel, Contact, Kind, Level, Line, Status};
use crate::store::tickets::{self, HistoryEntry, NewTicket};
use crate::store::{from_ts, reference, settings, Replica, StoreError};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Who the history names for changes that came from the ITSM.
pub const ITSM_ACTOR: &str = "ITSM";

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "sync.ts")]
pub struct SyncReport {
    /// Operations the ITSM accepted now.
    pub pushed: u32,
    /// Operations found already applied (a retry after an unknown outcome).
    pub already_applied: u32,
    /// Operations refused (now or before), kept with the reason.
    pub failed: u32,
    /// Operations in conflict (now or before), kept with both values.
    pub conflicts: u32,
    /// Tickets pulled.
    pub pulled: u32,
    /// Of them, new to the replica.
    pub created: u32,
    /// Operations still waiting (none sent because the ITSM went away, or left to retry).
    pub waiting: u32,
    /// Why the sync stopped early (the ITSM not reachable), if it did.
    pub offline: Option<String>,
}

impl SyncReport {
    /// In sync: nothing waiting, failed or in conflict, and the ITSM was reached.
    pub fn in_sync(&self) -> bool {
        self.offline.is_none() && self.waiting == 0 && self.failed == 0 && self.conflicts == 0
    }
}

/// Why a sync could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The ITSM refused the credentials, or the request.
    #[error(transparent)]
    Itsm(#[from] ItsmError),
    /// The replica failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for SyncError {
    fn from(e: rusqlite::Error) -> Self {
        SyncError::Store(e.into())
    }
}

/// Progress of a long pull.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "sync.ts")]
pub struct Progress {
    /// Tickets pulled so far.
    pub done: u64,
    /// Tickets to pull, when known.
    pub total: Option<u64>,
}

/// One full sync: push, then pull.
pub fn sync(r: &mut Replica, api: &mut dyn ItsmApi, connector: &str, now: DateTime<Utc>, progress: &mut dyn FnMut(Progress)) -> Result<SyncReport, SyncError> {
    let holder = uuid::Uuid::new_v4().to_string();
    lease(r, &holder)?;
    let result = sync_leased(r, api, connector, now, progress, &holder);
    let _ = r.write(|tx| Ok(tx.execute("DELETE FROM sync_lease WHERE holder = ?1", [&holder])?));
    result
}

/// How long a sync holds the replica before another may take over (renewed as it goes).
const LEASE_SECONDS: i64 = 120;

/// Takes or renews the one-sync-at-a-time lease.
fn lease(r: &mut Replica, holder: &str) -> Result<(), SyncError> {
    let now = Utc::now().timestamp();
    let taken = r.write(|tx| {
        Ok(tx.execute(
            "INSERT INTO sync_lease (id, holder, until) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, until = excluded.until WHERE sync_lease.holder = excluded.holder OR sync_lease.until < ?3",
            params![holder, now + LEASE_SECONDS, now],
        )?)
    })?;
    if taken == 0 {
        return Err(StoreError::Conflict("another sync of this replica is running (the window's or another command's); try again when it ends".into()).into());
    }
    Ok(())
}

fn sync_leased(r: &mut Replica, api: &mut dyn ItsmApi, connector: &str, now: DateTime<Utc>, progress: &mut dyn FnMut(Progress), holder: &str) -> Result<SyncReport, SyncError> {
    let mut report = SyncReport::default();
    match push(r, api, now, &mut report, holder) {
        Ok(()) => {}
        Err(SyncError::Itsm(ItsmError::Unreachable(why))) => report.offline = Some(why),
        Err(e) => return Err(e),
    }
    if report.offline.is_none() {
        match pull(r, api, connector, &mut report, progress, holder) {
            Ok(()) => {}
            Err(SyncError::Itsm(ItsmError::Unreachable(why))) => report.offline = Some(why),
            Err(e) => return Err(e),
        }
    }
    // What remains, whenever it was found: waiting, refused, in conflict.
    (report.waiting, report.failed, report.conflicts) = counts(r)?;
    if report.offline.is_none() {
        r.write(|tx| {
            tx.execute(
                "INSERT INTO sync_state (connector, last_synced_at) VALUES (?1, ?2) ON CONFLICT (connector) DO UPDATE SET last_synced_at = excluded.last_synced_at",
                params![connector, now.timestamp()],
            )?;
            Ok(())
        })?;
    }
    Ok(report)
}

/// One outbox operation as the engine reads it.
struct Op {
    id: i64,
    op_id: String,
    ticket_id: i64,
    number: String,
    external_id: Option<String>,
    action: Action,
    /// The ticket before the operation (its base): the outbox's undo record's `before`.
    base: serde_json::Value,
    /// The ticket right after it (what it set), when the outbox recorded it.
    after: Option<serde_json::Value>,
}

fn ops(conn: &Connection) -> Result<Vec<Op>, SyncError> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.id, o.op_id, o.ticket_id, t.number, t.external_id, o.payload, o.undo FROM outbox o JOIN tickets t ON t.id = o.ticket_id
         WHERE o.state IN ('pending', 'sending') ORDER BY o.id",
    )?;
    let rows = stmt.query_map([], |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?, x.get(3)?, x.get(4)?, x.get::<_, String>(5)?, x.get::<_, String>(6)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, op_id, ticket_id, number, external_id, payload, undo) = row?;
        let action: Action = serde_json::from_str(&payload).map_err(|e| StoreError::InvalidValue(format!("outbox operation {op_id}: {e}")))?;
        let undo: serde_json::Value = serde_json::from_str(&undo).map_err(|e| StoreError::InvalidValue(format!("outbox operation {op_id}: {e}")))?;
        let base = undo["before"].clone();
        let after = Some(undo["after"].clone()).filter(|a| a.is_object());
        out.push(Op { id, op_id, ticket_id, number, external_id, action, base, after });
    }
    Ok(out)
}

fn login_of(conn: &Connection, staff_id: Option<i64>) -> Result<Option<Option<String>>, SyncError> {
    let Some(id) = staff_id else { return Ok(Some(None)) };
    let login: Option<Option<String>> = conn.query_row("SELECT itsm_login FROM staff WHERE id = ?1", [id], |x| x.get(0)).optional()?;
    Ok(login.flatten().map(Some))
}

/// An operation's fields: the values it set, and the same fields at its base; or why it
/// cannot be sent (an engineer without an ITSM login).
type Fields = Result<(Vec<Change>, Vec<Change>), String>;

/// The fields an action writes, with the values it set (each operation sends its own
/// target, so a status walk is replayed step by step), and the same fields at its base.
fn changes(conn: &Connection, op: &Op) -> Result<Fields, SyncError> {
    let current: Option<i64> = conn.query_row("SELECT assignee_id FROM tickets WHERE id = ?1", [op.ticket_id], |x| x.get(0))?;
    let get = |state: &serde_json::Value, key: &str| state.get(key).cloned().unwrap_or(serde_json::Value::Null);
    let after = op.after.clone().unwrap_or(serde_json::Value::Null);
    let level = |state: &serde_json::Value, key: &str| serde_json::from_value::<Level>(get(state, key)).ok();
    let status = |state: &serde_json::Value| serde_json::from_value::<Status>(get(state, "status")).ok();
    let line = |state: &serde_json::Value| get(state, "line").as_u64().and_then(|n| Line::try_from(n as u8).ok());
    let owner = |staff: Option<i64>| -> Result<Result<Option<String>, String>, SyncError> {
        Ok(match login_of(conn, staff)? {
            Some(login) => Ok(login),
            None => {
                let name: String = conn.query_row("SELECT name FROM staff WHERE id = ?1", [staff], |x| x.get(0)).unwrap_or_default();
                Err(format!("{name} has no ITSM login (smena staff login NAME LOGIN), so {} cannot be assigned in the ITSM", op.number))
            }
        })
    };
    let base_owner = Change::Owner(login_of(conn, get(&op.base, "assignee_id").as_i64())?.unwrap_or(None));
    // What the operation set: recorded with it; for older records, worked out from the action.
    let base_status = status(&op.base);
    let target_status = |fallback: Status| status(&after).unwrap_or(fallback);
    let target_owner = |fallback: Option<i64>| if op.after.is_some() { get(&after, "assignee_id").as_i64() } else { fallback };
    let pairs: Vec<(Change, Change)> = match &op.action {
        Action::SetUrgency { level: l, .. } => vec![(Change::Urgency(*l), Change::Urgency(level(&op.base, "urgency").unwrap_or(*l)))],
        Action::SetImpact { level: l, .. } => vec![(Change::Impact(*l), Change::Impact(level(&op.base, "impact").unwrap_or(*l)))],
        Action::Assign { .. } | Action::TakeIntoWork | Action::Escalate { .. } => {
            let fallback = match &op.action {
                Action::Assign { staff_id, .. } => Some(*staff_id),
                Action::Escalate { to: Some(to), .. } => Some(*to),
                _ => current,
            };
            let login = match owner(target_owner(fallback))? {
                Ok(l) => l,
                Err(why) => return Ok(Err(why)),
            };
            let status_fallback = match &op.action {
                Action::TakeIntoWork => Status::InProgress,
                Action::Escalate { .. } => Status::Assigned,
                _ if base_status == Some(Status::Registered) => Status::Assigned,
                _ => base_status.unwrap_or(Status::Assigned),
            };
            let to_status = target_status(status_fallback);
            let mut v = vec![(Change::Owner(login), base_owner), (Change::Status(to_status), Change::Status(base_status.unwrap_or(to_status)))];
            if let Action::Escalate { line: to_line, .. } = &op.action {
                let to_line = line(&after).unwrap_or(*to_line);
                v.insert(0, (Change::Line(to_line), Change::Line(line(&op.base).unwrap_or(to_line))));
            }
            v
        }
        Action::Transition { to, .. } => vec![(Change::Status(*to), Change::Status(base_status.unwrap_or(*to)))],
        _ => vec![],
    };
    Ok(Ok(pairs.into_iter().unzip()))
}

fn set_state(r: &mut Replica, op: &Op, state: &str, error: Option<&str>) -> Result<(), SyncError> {
    r.write(|tx| {
        tx.execute("UPDATE outbox SET state = ?2, last_error = ?3, attempts = attempts + (?2 = 'sending') WHERE id = ?1", params![op.id, state, error])?;
        Ok(())
    })?;
    Ok(())
}

fn accepted(r: &mut Replica, op: &Op) -> Result<(), SyncError> {
    r.write(|tx| {
        tx.execute("DELETE FROM outbox WHERE id = ?1", [op.id])?;
        Ok(())
    })?;
    Ok(())
}

/// Sends the waiting operations in order. An operation that writes fields waits while an
/// earlier one on the same ticket is refused or in conflict (it was based on that one).
fn push(r: &mut Replica, api: &mut dyn ItsmApi, now: DateTime<Utc>, report: &mut SyncReport, holder: &str) -> Result<(), SyncError> {
    let mut blocked: BTreeSet<i64> = {
        let mut stmt = r.conn().prepare_cached("SELECT DISTINCT ticket_id FROM outbox WHERE state IN ('failed', 'conflict')")?;
        let ids = stmt.query_map([], |x| x.get(0))?.collect::<rusqlite::Result<_>>()?;
        ids
    };
    for op in ops(r.conn())? {
        lease(r, holder)?;
        let Some(ext) = op.external_id.clone() else {
            set_state(r, &op, "failed", Some(&format!("{} is not a ticket of the connected ITSM", op.number)))?;
            blocked.insert(op.ticket_id);
            continue;
        };
        let writes_fields = !matches!(op.action, Action::Comment { .. });
        if writes_fields && blocked.contains(&op.ticket_id) {
            set_state(r, &op, "pending", Some("waits for an earlier operation on this ticket (refused or in conflict)"))?;
            continue;
        }
        set_state(r, &op, "sending", None)?;
        let outcome = send_one(r, api, &op, &ext, now);
        match outcome {
            Ok(Sent::Done) => {
                accepted(r, &op)?;
                report.pushed += 1;
            }
            Ok(Sent::Already) => {
                accepted(r, &op)?;
                report.already_applied += 1;
            }
            Ok(Sent::Busy(why)) => set_state(r, &op, "pending", Some(&why))?,
            Ok(Sent::Refused(why)) | Err(SyncError::Itsm(ItsmError::Refused(why))) => {
                set_state(r, &op, "failed", Some(&why))?;
                blocked.insert(op.ticket_id);
            }
            Ok(Sent::Conflict) => {
                blocked.insert(op.ticket_id);
            }
            Err(e) => {
                // Unknown outcome or no answer: the operation waits for the next sync.
                set_state(r, &op, "pending", Some(&e.to_string()))?;
                return Err(e);
            }
        }
    }
    Ok(())
}

enum Sent {
    Done,
    Already,
    /// The ticket kept changing under us: try again at the next sync.
    Busy(String),
    Refused(String),
    Conflict,
}

fn send_one(r: &mut Replica, api: &mut dyn ItsmApi, op: &Op, ext: &str, now: DateTime<Utc>) -> Result<Sent, SyncError> {
    let comment = match &op.action {
        Action::Comment { body } => Some(body.clone()),
        Action::Transition { comment: Some(c), .. } => Some(c.clone()),
        _ => None,
    };
    let (mine, base) = match changes(r.conn(), op)? {
        Ok(x) => x,
        Err(why) => return Ok(Sent::Refused(why)),
    };
    let mut outcome = Sent::Already;
    if !mine.is_empty() {
        outcome = Sent::Busy("the ticket kept changing in the ITSM; tried three times".into());
        for _ in 0..3 {
            let remote = api.ticket(ext)?;
            let theirs: Vec<Change> = mine.iter().map(|c| c.on(&remote)).collect();
            if theirs == mine {
                outcome = Sent::Already;
                break;
            }
            // A field changed in the ITSM since our base, to something else than ours: a conflict.
            if let Some(i) = (0..mine.len()).find(|i| theirs[*i] != base[*i] && theirs[*i] != mine[*i]) {
                record_conflict(r, op, &mine[i], &theirs[i], now)?;
                return Ok(Sent::Conflict);
            }
            // One field at a time, in the action's order (line, owner, status): RT applies the
            // other fields of a write that it partly refuses, and a refused owner must not
            // leave the status moved.
            let mut current = remote;
            let mut stale = false;
            for c in &mine {
                if c.on(&current) == *c {
                    continue;
                }
                let version = current.version.clone().unwrap_or_default();
                match api.write(ext, &version, std::slice::from_ref(c))? {
                    WriteOutcome::Done => {
                        // Read it back: a refusal the ITSM worded in a way we do not know still shows.
                        current = api.ticket(ext)?;
                        if c.on(&current) != *c {
                            return Ok(Sent::Refused(format!("the ITSM did not take {} = '{}' (it holds '{}')", c.field(), c.value(), c.on(&current).value())));
                        }
                    }
                    WriteOutcome::Refused(why) => return Ok(Sent::Refused(why)),
                    WriteOutcome::Stale => {
                        stale = true;
                        break;
                    }
                }
            }
            if !stale {
                outcome = Sent::Done;
                break;
            }
        }
        if let Sent::Busy(_) = outcome {
            return Ok(outcome);
        }
    }
    if let Some(body) = comment {
        if api.comment_once(ext, &op.op_id, &body)? {
            outcome = Sent::Done;
        }
    }
    Ok(outcome)
}

fn record_conflict(r: &mut Replica, op: &Op, mine: &Change, theirs: &Change, now: DateTime<Utc>) -> Result<(), SyncError> {
    r.write(|tx| {
        tx.execute("UPDATE outbox SET state = 'conflict', last_error = ?2 WHERE id = ?1", params![op.id, format!("the ITSM changed {} to '{}'", mine.field(), theirs.value())])?;
        tx.execute(
            "INSERT INTO sync_conflicts (op_id, ticket_id, field, mine, theirs, detected_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (op_id) DO UPDATE SET field = excluded.field, mine = excluded.mine, theirs = excluded.theirs, detected_at = excluded.detected_at",
            params![op.op_id, op.ticket_id, mine.field(), mine.value(), theirs.value(), now.timestamp()],
        )?;
        Ok(())
    })?;
    Ok(())
}

/// Where the pull of `key` (a connector's tickets, or `connector:comments`) stopped ("" before the first).
fn saved_cursor(conn: &Connection, key: &str) -> Result<String, SyncError> {
    Ok(conn.query_row("SELECT cursor FROM sync_state WHERE connector = ?1", [key], |x| x.get::<_, Option<String>>(0)).optional()?.flatten().unwrap_or_default())
}

/// Moves the pull of `key` on, in the transaction that stores what it pulled.
fn save_cursor(tx: &Connection, key: &str, cursor: &str) -> Result<(), SyncError> {
    tx.execute("INSERT INTO sync_state (connector, cursor) VALUES (?1, ?2) ON CONFLICT (connector) DO UPDATE SET cursor = excluded.cursor", params![key, cursor])?;
    Ok(())
}

/// Pulls every page of changes after the saved cursor.
fn pull(r: &mut Replica, api: &mut dyn ItsmApi, connector: &str, report: &mut SyncReport, progress: &mut dyn FnMut(Progress), holder: &str) -> Result<(), SyncError> {
    let mut cursor = saved_cursor(r.conn(), connector)?;
    // Tickets whose conflict the user settled with the ITSM's value: read them again first.
    let refetch: Vec<String> = {
        let mut stmt = r.conn().prepare_cached("SELECT external_id FROM sync_refetch")?;
        let ids = stmt.query_map([], |x| x.get(0))?.collect::<rusqlite::Result<_>>()?;
        ids
    };
    if !refetch.is_empty() {
        let mut tickets = Vec::new();
        for id in &refetch {
            tickets.push(api.ticket(id)?);
        }
        let applied = apply_page(r, connector, &ChangePage { tickets, cursor: cursor.clone(), more: true, total: None })?;
        report.pulled += applied.0;
        r.write(|tx| Ok(tx.execute("DELETE FROM sync_refetch", [])?))?;
    }
    let mut done = 0u64;
    let mut total = None;
    loop {
        lease(r, holder)?;
        let page = api.changes(&cursor)?;
        let applied = apply_page(r, connector, &page)?;
        report.pulled += applied.0;
        report.created += applied.1;
        done += page.tickets.len() as u64;
        total = total.or(page.total);
        progress(Progress { done, total });
        cursor = page.cursor;
        if !page.more {
            return pull_comments(r, api, connector, holder);
        }
    }
}

/// Pulls the comments others wrote in the ITSM since the last sync (from the first sync on:
/// earlier ones stay in the ITSM), each page in one transaction with its cursor.
fn pull_comments(r: &mut Replica, api: &mut dyn ItsmApi, connector: &str, holder: &str) -> Result<(), SyncError> {
    let key = format!("{connector}:comments");
    let mut cursor = saved_cursor(r.conn(), &key)?;
    loop {
        lease(r, holder)?;
        let page = api.comments(&cursor)?;
        r.write_with(|tx| -> Result<(), SyncError> {
            for c in &page.comments {
                let ticket: Option<i64> = tx.prepare_cached("SELECT id FROM tickets WHERE external_id = ?1")?.query_row([&c.ticket], |x| x.get(0)).optional()?;
                // A comment on a ticket that is not the desk's (another queue or group) stays there.
                let Some(ticket) = ticket else { continue };
                let author: String =
                    tx.prepare_cached("SELECT name FROM staff WHERE itsm_login = ?1")?.query_row([&c.author], |x| x.get(0)).optional()?.unwrap_or_else(|| c.author.clone());
                tx.prepare_cached("INSERT OR IGNORE INTO comments (ticket_id, at, author, body, external_id) VALUES (?1, ?2, ?3, ?4, ?5)")?.execute(params![
                    ticket,
                    c.at.timestamp(),
                    author,
                    c.body,
                    format!("{connector}:{}", c.id)
                ])?;
            }
            save_cursor(tx, &key, &page.cursor)
        })?;
        cursor = page.cursor;
        if !page.more {
            return Ok(());
        }
    }
}

/// Applies one page of pulled tickets and moves the cursor, in one transaction; returns
/// (tickets applied, of them new).
///
/// The page's new tickets and changes are staged in temporary tables and moved over in one
/// statement each: a statement on `tickets` fires the search index's trigger, and the index
/// writes itself out at the end of every statement, so one statement per page rather than
/// one per ticket is what makes a large first pull fast.
pub fn apply_page(r: &mut Replica, connector: &str, page: &ChangePage) -> Result<(u32, u32), SyncError> {
    r.write_with(|tx| -> Result<(u32, u32), SyncError> {
        let matrix = settings::matrix_in(tx)?;
        let mut cache = PageCache::load(tx)?;
        if page.tickets.iter().any(|t| t.kind == Kind::Request) {
            // Requests from the ITSM carry no type of ours: they come in as consultations.
            for rt in crate::domain::RequestType::default_catalogue().iter().filter(|t| t.code == PULLED_REQUEST_TYPE) {
                tx.prepare_cached("INSERT OR IGNORE INTO request_types (code, name_en, name_ru, priority, fulfilment_hours) VALUES (?1, ?2, ?3, ?4, ?5)")?.execute(params![
                    rt.code,
                    rt.name_en,
                    rt.name_ru,
                    rt.priority.rank(),
                    rt.fulfilment_hours
                ])?;
            }
        }
        tx.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS pulled_changes (id INTEGER PRIMARY KEY, urgency, impact, status, line, assignee_id, priority, due_at, at, version);
             DELETE FROM temp.pulled_changes;",
        )?;
        let mut batch = tickets::TicketBatch::begin(tx)?;
        for t in &page.tickets {
            apply_ticket(tx, &matrix, t, &mut cache, &mut batch)?;
        }
        let created = batch.len() as u32;
        batch.flush(tx)?;
        // The IN makes SQLite look the page's tickets up rather than scan every ticket.
        tx.execute(
            "UPDATE main.tickets SET urgency = c.urgency, impact = c.impact, status = c.status, line = c.line, assignee_id = c.assignee_id,
                 priority = CASE WHEN tickets.kind = 'incident' AND c.priority IS NOT NULL THEN c.priority ELSE tickets.priority END,
                 due_at = CASE WHEN tickets.kind = 'incident' AND c.due_at IS NOT NULL THEN c.due_at ELSE tickets.due_at END,
                 first_response_at = CASE WHEN c.status <> 'registered' THEN coalesce(tickets.first_response_at, c.at) ELSE tickets.first_response_at END,
                 completed_at = CASE WHEN c.status = 'completed' AND c.status <> tickets.status THEN c.at ELSE tickets.completed_at END,
                 closed_at = CASE WHEN c.status = 'closed' AND c.status <> tickets.status THEN c.at ELSE tickets.closed_at END,
                 updated_at = max(tickets.updated_at, c.at), server_version = coalesce(c.version, tickets.server_version)
             FROM temp.pulled_changes c WHERE tickets.id = c.id AND tickets.id IN (SELECT id FROM temp.pulled_changes)",
            [],
        )?;
        tx.execute("DELETE FROM temp.pulled_changes", [])?;
        save_cursor(tx, connector, &page.cursor)?;
        Ok((page.tickets.len() as u32, created))
    })
}

/// The request type pulled service requests get.
const PULLED_REQUEST_TYPE: &str = "consultation";

/// What a page looks up again and again: the fields waiting operations hold, staff by ITSM
/// login, clients by requester address.
struct PageCache {
    held: std::collections::HashMap<i64, BTreeSet<&'static str>>,
    staff: std::collections::HashMap<String, i64>,
    clients: std::collections::HashMap<String, (i64, String)>,
}

impl PageCache {
    fn load(tx: &Connection) -> Result<PageCache, SyncError> {
        let mut held: std::collections::HashMap<i64, BTreeSet<&'static str>> = std::collections::HashMap::new();
        let mut stmt = tx.prepare_cached("SELECT ticket_id, kind FROM outbox")?;
        let rows = stmt.query_map([], |x| Ok((x.get::<_, i64>(0)?, x.get::<_, String>(1)?)))?;
        for row in rows {
            let (ticket, kind) = row?;
            held.entry(ticket).or_default().extend(held_by(&kind));
        }
        Ok(PageCache { held, staff: Default::default(), clients: Default::default() })
    }
}

/// Fields an operation of `kind` holds while it is in the outbox (any state: sent or not,
/// they are the user's until accepted, discarded or resolved).
fn held_by(kind: &str) -> &'static [&'static str] {
    {
        match kind {
            "set-urgency" => &["urgency", "priority"][..],
            "set-impact" => &["impact", "priority"][..],
            "assign" | "take-into-work" => &["assignee", "status"][..],
            "transition" => &["status"][..],
            "escalate" => &["line", "assignee", "status"][..],
            _ => &[][..],
        }
    }
}

fn name_of(tx: &Connection, staff: Option<i64>) -> Result<String, SyncError> {
    let Some(id) = staff else { return Ok(String::new()) };
    Ok(tx.query_row("SELECT name FROM staff WHERE id = ?1", [id], |x| x.get(0)).optional()?.unwrap_or_default())
}

fn staff_cached(tx: &Connection, cache: &mut PageCache, login: Option<&str>, line: Line) -> Result<Option<i64>, SyncError> {
    let Some(login) = login else { return Ok(None) };
    if let Some(id) = cache.staff.get(login) {
        return Ok(Some(*id));
    }
    let id = staff_of(tx, Some(login), line)?;
    if let Some(id) = id {
        cache.staff.insert(login.to_string(), id);
    }
    Ok(id)
}

fn staff_of(tx: &Connection, login: Option<&str>, line: Line) -> Result<Option<i64>, SyncError> {
    let Some(login) = login else { return Ok(None) };
    if let Some(id) = tx.prepare_cached("SELECT id FROM staff WHERE itsm_login = ?1")?.query_row([login], |x| x.get(0)).optional()? {
        return Ok(Some(id));
    }
    // Someone the replica has not met: known by their login until the lead names them.
    let role = format!("line-{}", line.number());
    tx.execute("INSERT INTO staff (name, role, office, time_zone, itsm_login) VALUES (?1, ?2, '', 'Europe/Moscow', ?1)", params![login, role])?;
    Ok(Some(tx.last_insert_rowid()))
}

fn client_cached(tx: &Connection, cache: &mut PageCache, requestor: Option<&str>) -> Result<(i64, String), SyncError> {
    let email = requestor.unwrap_or("unknown@unknown");
    if let Some(found) = cache.clients.get(email) {
        return Ok(found.clone());
    }
    let found = client_of(tx, Some(email))?;
    cache.clients.insert(email.to_string(), found.clone());
    Ok(found)
}

fn client_of(tx: &Connection, requestor: Option<&str>) -> Result<(i64, String), SyncError> {
    let email = requestor.unwrap_or("unknown@unknown");
    if let Some(found) = tx.query_row("SELECT client_id, name FROM contacts WHERE email = ?1", [email], |x| Ok((x.get(0)?, x.get(1)?))).optional()? {
        return Ok(found);
    }
    let domain = email.rsplit_once('@').map_or(email, |(_, d)| d).to_lowercase();
    let contract = format!("ITSM:{domain}");
    let contact = Contact { name: email.to_string(), email: email.to_string(), phone: None };
    match tx.query_row("SELECT id FROM clients WHERE contract_no = ?1", [&contract], |x| x.get::<_, i64>(0)).optional()? {
        Some(id) => {
            tx.execute("INSERT OR IGNORE INTO contacts (client_id, name, email) VALUES (?1, ?2, ?2)", params![id, email])?;
            Ok((id, email.to_string()))
        }
        None => Ok((reference::insert_client(tx, &domain, &contract, "Europe/Moscow", &[contact])?, email.to_string())),
    }
}

/// A ticket's synced fields as the replica holds them: id, urgency, impact, status, line,
/// assignee, subject, created, updated, server version.
type Stored = (i64, Level, Level, Status, u8, Option<i64>, String, i64, i64, Option<String>);

/// Stages one pulled ticket as new (in `batch`) or as a change (see [`apply_page`]).
fn apply_ticket(tx: &Connection, matrix: &crate::domain::PriorityMatrix, t: &RemoteTicket, cache: &mut PageCache, batch: &mut tickets::TicketBatch) -> Result<(), SyncError> {
    let existing: Option<Stored> = tx
        .prepare_cached("SELECT id, urgency, impact, status, line, assignee_id, subject, created_at, updated_at, server_version FROM tickets WHERE external_id = ?1")?
        .query_row([&t.id], |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?, x.get(3)?, x.get(4)?, x.get(5)?, x.get(6)?, x.get(7)?, x.get(8)?, x.get(9)?)))
        .optional()?;
    let assignee = staff_cached(tx, cache, t.owner.as_deref(), t.line)?;
    let Some((id, urgency, impact, status, line, old_assignee, subject, created_at, updated_at, version)) = existing else {
        let (client_id, contact) = client_cached(tx, cache, t.requestor.as_deref())?;
        let new = NewTicket {
            number: t.number.clone(),
            kind: t.kind,
            client_id,
            contact_name: contact.clone(),
            contact_email: t.requestor.clone(),
            channel: Channel::Email,
            service: String::new(),
            request_type: (t.kind == Kind::Request).then(|| PULLED_REQUEST_TYPE.to_string()),
            subject: t.subject.clone(),
            description: String::new(),
            urgency: t.urgency,
            impact: t.impact,
            status: t.status,
            line: t.line,
            assignee_id: assignee,
            created_at: t.created,
            updated_at: t.updated,
            first_response_at: None,
            completed_at: (t.status == Status::Completed).then_some(t.updated),
            closed_at: (t.status == Status::Closed).then_some(t.updated),
            closure_code: None,
            imported: None,
        };
        let staged = batch.add(tx, matrix, &new)?;
        // The ITSM's own priority, where it computes one, wins over our matrix's.
        let priority = t.priority.filter(|_| t.kind == Kind::Incident);
        let due = priority.map(|p| (t.created + chrono::Duration::hours(tickets::default_resolution_hours(p))).timestamp());
        tx.prepare_cached("UPDATE temp.staged_tickets SET external_id = ?2, server_version = ?3, priority = coalesce(?4, priority), due_at = coalesce(?5, due_at) WHERE id = ?1")?
            .execute(params![staged, t.id, t.version, priority.map(|p| p.rank()), due])?;
        return Ok(());
    };
    let keep = cache.held.get(&id).cloned().unwrap_or_default();
    let entry = |field: &str, old: String, new: String| -> Result<(), SyncError> {
        tickets::add_history(
            tx,
            id,
            &HistoryEntry { at: t.updated.max(from_ts(0)), actor: ITSM_ACTOR.into(), field: field.into(), old_value: Some(old), new_value: Some(new), reason: None },
        )?;
        Ok(())
    };
    let new_urgency = if keep.contains("urgency") { urgency } else { t.urgency };
    let new_impact = if keep.contains("impact") { impact } else { t.impact };
    let new_status = if keep.contains("status") { status } else { t.status };
    let new_line = if keep.contains("line") { line } else { t.line.number() };
    let new_assignee = if keep.contains("assignee") { old_assignee } else { assignee };
    if new_urgency != urgency {
        entry("urgency", urgency.to_string(), new_urgency.to_string())?;
    }
    if new_impact != impact {
        entry("impact", impact.to_string(), new_impact.to_string())?;
    }
    if new_status != status {
        entry("status", status.to_string(), new_status.to_string())?;
    }
    if new_line != line {
        entry("line", line.to_string(), new_line.to_string())?;
    }
    if new_assignee != old_assignee {
        entry("assignee", name_of(tx, old_assignee)?, name_of(tx, new_assignee)?)?;
    }
    if subject != t.subject {
        entry("subject", subject.clone(), t.subject.clone())?;
        // Its own statement: naming the subject in an UPDATE re-indexes the ticket for search.
        tx.prepare_cached("UPDATE tickets SET subject = ?2 WHERE id = ?1")?.execute(params![id, t.subject])?;
    }
    let unchanged = new_urgency == urgency
        && new_impact == impact
        && new_status == status
        && new_line == line
        && new_assignee == old_assignee
        && t.updated.timestamp() <= updated_at
        && (t.version.is_none() || t.version == version);
    if unchanged {
        return Ok(());
    }
    let priority = if keep.contains("priority") { None } else { Some(t.priority.unwrap_or_else(|| matrix.priority(new_urgency, new_impact))) };
    let due = priority.map(|p| from_ts(created_at) + chrono::Duration::hours(tickets::default_resolution_hours(p)));
    let at = t.updated.timestamp();
    tx.prepare_cached("INSERT OR REPLACE INTO temp.pulled_changes (id, urgency, impact, status, line, assignee_id, priority, due_at, at, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")?
        .execute(params![id, new_urgency, new_impact, new_status, new_line, new_assignee, priority.map(|p| p.rank()), due.map(|d| d.timestamp()), at, t.version])?;
    Ok(())
}

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
pub fn conflicts(r: &Replica) -> Result<Vec<Conflict>, SyncError> {
    let mut stmt = r
        .conn()
        .prepare_cached("SELECT c.id, c.op_id, t.number, c.field, c.mine, c.theirs, c.detected_at FROM sync_conflicts c JOIN tickets t ON t.id = c.ticket_id ORDER BY c.id")?;
    let rows = stmt.query_map([], |x| {
        Ok(Conflict { id: x.get(0)?, op_id: x.get(1)?, ticket: x.get(2)?, field: x.get(3)?, mine: x.get(4)?, theirs: x.get(5)?, detected_at: from_ts(x.get(6)?) })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
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
    let c = conflicts(r)?.into_iter().find(|c| c.id == id).ok_or_else(|| StoreError::InvalidValue(format!("no conflict {id}")))?;
    r.write_with(|tx| -> Result<(), SyncError> {
        let (ticket_id, undo): (i64, String) = tx.query_row("SELECT ticket_id, undo FROM outbox WHERE op_id = ?1", [&c.op_id], |x| Ok((x.get(0)?, x.get(1)?)))?;
        match how {
            Resolution::Mine => {
                let line: u8 = tx.query_row("SELECT line FROM tickets WHERE id = ?1", [ticket_id], |x| x.get(0))?;
                let line = Line::try_from(line).unwrap_or(Line::FIRST);
                // The base becomes the ITSM's value, stored as the replica stores the field.
                let (column, value) = match c.field.as_str() {
                    "assignee" => ("assignee_id", staff_of(tx, Some(c.theirs.as_str()).filter(|v| !v.is_empty()), line)?.map_or(serde_json::Value::Null, serde_json::Value::from)),
                    "line" => ("line", serde_json::Value::from(c.theirs.parse::<u8>().unwrap_or(1))),
                    "urgency" | "impact" | "status" => (c.field.as_str(), serde_json::Value::from(c.theirs.clone())),
                    other => return Err(StoreError::InvalidValue(format!("conflict {id}: unknown field '{other}'")).into()),
                };
                let mut record: serde_json::Value = serde_json::from_str(&undo).map_err(|e| StoreError::InvalidValue(e.to_string()))?;
                record["before"][column] = value;
                tx.execute("UPDATE outbox SET state = 'pending', last_error = NULL, undo = ?2 WHERE op_id = ?1", params![c.op_id, record.to_string()])?;
                tx.execute("DELETE FROM sync_conflicts WHERE id = ?1", [id])?;
            }
            Resolution::Theirs => {
                let why = format!("conflict on {}: the ITSM's value '{}' taken", c.field, c.theirs);
                crate::actions::discard::discard_in(tx, now, ITSM_ACTOR, &c.op_id, &why).map_err(|e| match e {
                    crate::actions::DiscardError::Store(s) => SyncError::Store(s),
                    other => SyncError::Store(StoreError::Conflict(other.to_string())),
                })?;
                tx.execute("INSERT OR IGNORE INTO sync_refetch (external_id) SELECT external_id FROM tickets WHERE id = ?1 AND external_id IS NOT NULL", [ticket_id])?;
            }
        }
        Ok(())
    })?;
    Ok(c)
}

/// Operations refused by the ITSM, and the tickets not in it.
pub fn failed(r: &Replica) -> Result<Vec<crate::store::outbox::OutboxEntry>, SyncError> {
    Ok(crate::store::outbox::list(r)?.into_iter().filter(|e| e.state == "failed").collect())
}

/// Ties a staff member to their ITSM login (taking over the tickets of the placeholder a
/// pull made for that login, if any).
pub fn set_login(r: &mut Replica, staff_id: i64, login: &str) -> Result<(), SyncError> {
    let login = login.trim();
    if login.is_empty() {
        return Err(StoreError::InvalidValue("an empty ITSM login".into()).into());
    }
    r.write(|tx| {
        // A placeholder the pull made for an unknown login hands its tickets over and goes.
        let placeholder: Option<i64> = tx.query_row("SELECT id FROM staff WHERE itsm_login = ?1 AND name = ?1 AND id <> ?2", params![login, staff_id], |x| x.get(0)).optional()?;
        if let Some(old) = placeholder {
            tx.execute("UPDATE tickets SET assignee_id = ?2 WHERE assignee_id = ?1", params![old, staff_id])?;
            tx.execute("DELETE FROM staff WHERE id = ?1", [old])?;
        }
        tx.execute("UPDATE staff SET itsm_login = ?2 WHERE id = ?1", params![staff_id, login]).map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
                StoreError::Conflict(format!("the ITSM login '{login}' belongs to someone else"))
            }
            e => e.into(),
        })?;
        Ok(())
    })?;
    Ok(())
}

/// Sends a failed operation again at the next sync (after the cause was fixed).
pub fn retry(r: &mut Replica, op_id: &str) -> Result<(), SyncError> {
    let n = r.write(|tx| Ok(tx.execute("UPDATE outbox SET state = 'pending', last_error = NULL WHERE op_id = ?1 AND state = 'failed'", [op_id])?))?;
    if n == 0 {
        return Err(StoreError::InvalidValue(format!("no failed operation {op_id}")).into());
    }
    Ok(())
}

/// Operations waiting, failed and in conflict.
pub fn counts(r: &Replica) -> Result<(u32, u32, u32), SyncError> {
    Ok(r.conn().query_row(
        "SELECT count(*) FILTER (WHERE state IN ('pending', 'sending')), count(*) FILTER (WHERE state = 'failed'), count(*) FILTER (WHERE state = 'conflict') FROM outbox",
        [],
        |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?)),
    )?)
}

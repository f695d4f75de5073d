//! Reading the queue: the lead's order, filters, counts and one ticket in full.

use super::{from_ts, settings, Replica, Result, StoreError};
use crate::domain::{lifecycle, Channel, ClosureCode, Kind, Level, Line, Priority, Status};
use crate::store::tickets::{CommentEntry, HistoryEntry};
use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

/// Which tickets to show. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default, rename_all = "camelCase")]
#[ts(export_to = "queue.ts")]
pub struct QueueFilter {
    /// Only this status. Without it: the open queue, or everything with `include_done`.
    pub status: Option<Status>,
    /// With no status chosen, also show Completed and Closed tickets.
    pub include_done: bool,
    /// Only this line.
    pub line: Option<Line>,
    /// Only this priority.
    pub priority: Option<Priority>,
    /// Only incidents or only requests.
    pub kind: Option<Kind>,
    /// Only this client (replica id).
    pub client_id: Option<i64>,
    /// Only this assignee (staff id).
    pub assignee_id: Option<i64>,
    /// Only this channel.
    pub channel: Option<Channel>,
    /// Text that the number, subject, contact or client must contain (any case).
    pub search: Option<String>,
}

/// One row of the queue list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export_to = "queue.ts")]
pub struct QueueRow {
    /// Ticket number.
    pub number: String,
    /// Subject, as plain text.
    pub subject: String,
    /// Incident or request.
    pub kind: Kind,
    /// Status.
    pub status: Status,
    /// Urgency.
    pub urgency: Level,
    /// Impact.
    pub impact: Level,
    /// Priority.
    pub priority: Priority,
    /// Line.
    pub line: Line,
    /// Assigned engineer's name.
    pub assignee: Option<String>,
    /// Client's name.
    pub client: String,
    /// Client's time zone.
    pub client_time_zone: String,
    /// Channel.
    pub channel: Channel,
    /// Service or category.
    pub service: String,
    /// Whether the contact is an authorised one (false: flagged).
    pub contact_authorised: bool,
    /// Registered at (UTC).
    pub created_at: DateTime<Utc>,
    /// When the resolution clock reaches (or reached) the SLA target under the client's
    /// contract (UTC); none while the clock is stopped within target.
    pub due_at: Option<DateTime<Utc>>,
    /// Support seconds left while the clock is stopped (a pause status); negative when it
    /// stopped past the target.
    pub paused_left_seconds: Option<i64>,
    /// Last change (UTC).
    pub updated_at: DateTime<Utc>,
    /// In the lead's own order (pinned or moved by hand).
    pub pinned: bool,
    /// Carries changes the ITSM has not accepted yet.
    pub unsynced: bool,
}

/// A window onto the filtered queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "queue.ts")]
pub struct QueuePage {
    /// How many tickets match the filter in all.
    pub total: u32,
    /// Position of the first row in the filtered queue.
    pub offset: u32,
    /// The rows, in the lead's order.
    pub rows: Vec<QueueRow>,
}

/// How many tickets of the filtered queue are in each status and each line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "queue.ts")]
pub struct QueueCounts {
    /// Per status, every status listed (the status filter itself ignored).
    pub by_status: Vec<(Status, u32)>,
    /// Per line 1–3 (the line filter itself ignored).
    pub by_line: Vec<(Line, u32)>,
}

/// A ticket in full, with its history and comments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "queue.ts")]
pub struct TicketDetail {
    /// The fields the queue shows.
    pub summary: QueueRow,
    /// Contract number of the client.
    pub contract_no: String,
    /// Contact person.
    pub contact_name: String,
    /// Contact's e-mail, if known.
    pub contact_email: Option<String>,
    /// Request type code (requests).
    pub request_type: Option<String>,
    /// Full description, plain text.
    pub description: String,
    /// First reaction (UTC).
    pub first_response_at: Option<DateTime<Utc>>,
    /// Completed at (UTC).
    pub completed_at: Option<DateTime<Utc>>,
    /// Closed at (UTC).
    pub closed_at: Option<DateTime<Utc>>,
    /// Closure code.
    pub closure_code: Option<ClosureCode>,
    /// When a Completed ticket closes by itself if the contact does not react.
    pub auto_close_at: Option<DateTime<Utc>>,
    /// The statuses the lifecycle allows next.
    pub next_statuses: Vec<Status>,
    /// Every change, oldest first.
    pub history: Vec<HistoryEntry>,
    /// Additional Comments, oldest first.
    pub comments: Vec<CommentEntry>,
}

/// What the status line says about the replica.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "queue.ts")]
pub struct ReplicaInfo {
    /// The file.
    pub path: String,
    /// Tickets stored.
    pub tickets: u32,
    /// Bytes on disk.
    pub size_bytes: u64,
    /// Last sync with the ITSM; none yet means never.
    pub last_synced_at: Option<DateTime<Utc>>,
    /// Operations waiting in the outbox.
    pub pending_operations: u32,
    /// The replica holds the built-in demo desk, not a real one.
    pub demo: bool,
}

/// A choice in a filter drop-down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "queue.ts")]
pub struct Choice {
    /// Replica id.
    pub id: i64,
    /// What the user sees.
    pub name: String,
}

/// The clients and assignees to filter by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "queue.ts")]
pub struct Facets {
    /// Clients, by name.
    pub clients: Vec<Choice>,
    /// Engineers who hold tickets, by name.
    pub assignees: Vec<Choice>,
}

const ROW_COLUMNS: &str = "t.number, t.subject, t.kind, t.status, t.urgency, t.impact, t.priority, t.line, s.name, c.name,
    c.time_zone, t.channel, t.service, t.contact_authorised, t.created_at, t.due_at, t.updated_at,
    t.lead_rank IS NOT NULL, EXISTS (SELECT 1 FROM outbox o WHERE o.ticket_id = t.id), t.sla_paused_left";
const FROM: &str = "FROM tickets t JOIN clients c ON c.id = t.client_id LEFT JOIN staff s ON s.id = t.assignee_id";

/// The tables a count needs: the client only when the search reads the tickets (and so
/// looks at the client's name itself).
fn count_from(scan: bool) -> &'static str {
    if scan {
        "FROM tickets t JOIN clients c ON c.id = t.client_id"
    } else {
        "FROM tickets t"
    }
}

/// The open queue, as a condition on a table aliased `t` (tickets, or their count rollup).
const OPEN_ONLY: &str = "t.status NOT IN ('completed', 'closed')";

/// How a text search finds its tickets.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum SearchBy {
    /// Reading each ticket the other conditions keep (`LIKE`, Unicode lower case).
    Reading,
    /// The search index's matches, each ticket of the kept statuses probed against them.
    Probing,
    /// The search index's matches, each looked up.
    Matches,
}

/// A search among at most this many tickets (those of the statuses the query keeps) reads
/// them: reading costs some 5 µs a ticket (the open queue of a million-ticket replica: about
/// 1 ms), while the index's cost grows with the matches over every status (a client's name
/// in a million tickets: some 30 ms per look).
const READ_AT_MOST: u32 = 5_000;

/// Up to this many tickets of the kept statuses are probed against the index's matches;
/// more, and the matches are looked up instead.
const PROBE_AT_MOST: u32 = 50_000;

/// How the filter's search finds its tickets: always by reading for one or two characters
/// (the index knows trigrams only); otherwise by how many tickets the statuses the query
/// keeps hold (counted by the rollup). Russian and English text fold alike both ways; a few
/// letters (Turkish İ) lower-case to two characters when read but one in the index.
fn search_by(r: &Replica, f: &QueueFilter, status_applied: bool) -> Result<SearchBy> {
    let Some(text) = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) else { return Ok(SearchBy::Matches) };
    if text.chars().count() < 3 {
        return Ok(SearchBy::Reading);
    }
    let among: u32 = match f.status {
        _ if !status_applied => return Ok(SearchBy::Matches),
        Some(s) => r.conn().prepare_cached("SELECT coalesce(sum(t.tickets), 0) FROM queue_counts t WHERE t.status = ?1")?.query_row([s.as_str()], |x| x.get(0))?,
        None if !f.include_done => r.conn().prepare_cached(&format!("SELECT coalesce(sum(t.tickets), 0) FROM queue_counts t WHERE {OPEN_ONLY}"))?.query_row([], |x| x.get(0))?,
        None => return Ok(SearchBy::Matches),
    };
    Ok(match among {
        n if n <= READ_AT_MOST => SearchBy::Reading,
        n if n <= PROBE_AT_MOST => SearchBy::Probing,
        _ => SearchBy::Matches,
    })
}

/// The lead's order: tickets the lead placed by hand first, then priority, then SLA
/// deadline, then age (oldest first).
const ORDER: &str = "ORDER BY t.lead_rank IS NULL, t.lead_rank, t.priority, t.due_at IS NULL, t.due_at, t.created_at, t.id";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<QueueRow> {
    let rank: u8 = r.get(6)?;
    let line: u8 = r.get(7)?;
    Ok(QueueRow {
        number: r.get(0)?,
        subject: r.get(1)?,
        kind: r.get(2)?,
        status: r.get(3)?,
        urgency: r.get(4)?,
        impact: r.get(5)?,
        priority: Priority::from_rank(rank).ok_or(rusqlite::Error::IntegralValueOutOfRange(6, rank.into()))?,
        line: Line::try_from(line).map_err(|_| rusqlite::Error::IntegralValueOutOfRange(7, line.into()))?,
        assignee: r.get(8)?,
        client: r.get(9)?,
        client_time_zone: r.get(10)?,
        channel: r.get(11)?,
        service: r.get(12)?,
        contact_authorised: r.get(13)?,
        created_at: from_ts(r.get(14)?),
        due_at: r.get::<_, Option<i64>>(15)?.map(from_ts),
        updated_at: from_ts(r.get(16)?),
        pinned: r.get(17)?,
        unsynced: r.get(18)?,
        paused_left_seconds: r.get(19)?,
    })
}

/// One ticket as the queue shows it.
pub fn row_by_number(r: &Replica, number: &str) -> Result<QueueRow> {
    let sql = format!("SELECT {ROW_COLUMNS} {FROM} WHERE t.number = ?1");
    r.conn().prepare_cached(&sql)?.query_row([number.trim()], row).optional()?.ok_or_else(|| StoreError::TicketNotFound(number.trim().to_string()))
}

/// Which parts of the filter a query applies, and how it searches.
#[derive(Clone, Copy)]
struct Apply {
    status: bool,
    line: bool,
    /// How the search finds its tickets (see [`search_by`]).
    search: SearchBy,
}

/// Builds the WHERE clause and its parameters for a filter.
fn where_clause(f: &QueueFilter, apply: Apply) -> (String, Vec<Value>) {
    let mut conds: Vec<String> = Vec::new();
    let mut params: Vec<Value> = Vec::new();
    let mut eq = |conds: &mut Vec<String>, column: &str, v: Value| {
        params.push(v);
        conds.push(format!("{column} = ?{}", params.len()));
    };
    if apply.status {
        match f.status {
            Some(s) => eq(&mut conds, "t.status", Value::Text(s.as_str().into())),
            None if !f.include_done => conds.push(OPEN_ONLY.into()),
            None => {}
        }
    }
    if apply.line {
        if let Some(l) = f.line {
            eq(&mut conds, "t.line", Value::Integer(l.number().into()));
        }
    }
    if let Some(p) = f.priority {
        eq(&mut conds, "t.priority", Value::Integer(p.rank().into()));
    }
    if let Some(k) = f.kind {
        eq(&mut conds, "t.kind", Value::Text(k.as_str().into()));
    }
    if let Some(id) = f.client_id {
        eq(&mut conds, "t.client_id", Value::Integer(id));
    }
    if let Some(id) = f.assignee_id {
        eq(&mut conds, "t.assignee_id", Value::Integer(id));
    }
    if let Some(ch) = f.channel {
        eq(&mut conds, "t.channel", Value::Text(ch.as_str().into()));
    }
    if let Some(text) = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        if apply.search != SearchBy::Reading {
            // The trigram index finds substrings of three characters or more, in any case.
            params.push(Value::Text(format!("\"{}\"", text.replace('"', "\"\""))));
            // `+t.id`: the kept statuses' tickets are probed, not the matches looked up.
            let driver = if apply.search == SearchBy::Probing { "+t.id" } else { "t.id" };
            conds.push(format!("{driver} IN (SELECT rowid FROM tickets_search WHERE tickets_search MATCH ?{})", params.len()));
        } else {
            // SQLite's LIKE folds ASCII only: both sides go through `smena_fold` (Unicode
            // lower case, registered on every connection) so `ВЕ` finds «Вектор» too.
            let escaped = text.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            params.push(Value::Text(format!("%{escaped}%")));
            let n = params.len();
            conds.push(format!(
                "(smena_fold(t.number) LIKE ?{n} ESCAPE '\\' OR smena_fold(t.subject) LIKE ?{n} ESCAPE '\\' \
                 OR smena_fold(t.contact_name) LIKE ?{n} ESCAPE '\\' OR smena_fold(t.contact_email) LIKE ?{n} ESCAPE '\\' \
                 OR smena_fold(c.name) LIKE ?{n} ESCAPE '\\')"
            ));
        }
    }
    let sql = if conds.is_empty() { String::new() } else { format!("WHERE {}", conds.join(" AND ")) };
    (sql, params)
}

/// Rows `offset..offset+limit` of the filtered queue in the lead's order, and the total.
pub fn page(r: &Replica, f: &QueueFilter, offset: u32, limit: u32) -> Result<QueuePage> {
    page_searching(r, f, offset, limit, search_by(r, f, true)?)
}

/// [`page`] with its search made one given way.
fn page_searching(r: &Replica, f: &QueueFilter, offset: u32, limit: u32, search: SearchBy) -> Result<QueuePage> {
    let scan = search == SearchBy::Reading;
    let (cond, mut params) = where_clause(f, Apply { status: true, line: true, search });
    // A text search over every ticket and nothing else: the search index alone counts it.
    let search_only =
        QueueFilter { search: None, ..f.clone() } == QueueFilter { include_done: true, ..Default::default() } && f.search.as_deref().is_some_and(|s| s.trim().chars().count() >= 3);
    let total_sql = if search_only {
        "SELECT count(*) FROM tickets_search WHERE tickets_search MATCH ?1".to_string()
    } else if rollup_counts(f) {
        // Filtered by the rollup's own fields only, the rollup counts them.
        format!("SELECT coalesce(sum(t.tickets), 0) FROM queue_counts t {cond}")
    } else {
        format!("SELECT count(*) {} {cond}", count_from(scan))
    };
    let total: u32 = r.conn().prepare_cached(&total_sql)?.query_row(rusqlite::params_from_iter(&params), |x| x.get(0))?;
    // Many matches: walk the lead's order and keep the matching tickets until the page is
    // full, instead of sorting tens of thousands of them (few matches sort faster).
    let walk = total > WALK_FROM && (search_only || (only_status_line(f) && total.saturating_mul(WALK_SHARE) >= all_tickets(r)?));
    // The open queue (small on any desk) goes through its own partial indexes: left to
    // itself, SQLite 3.50 takes a line's index over all its tickets for "line 1, open" and
    // checks the status of each (a million tickets: 84–113 ms against 2 ms).
    let open_only = f.status.is_none() && !f.include_done && f.search.as_deref().is_none_or(|s| s.trim().is_empty());
    let from = match (walk, open_only, f.line) {
        (true, _, _) => "FROM tickets t INDEXED BY tickets_lead_order",
        (false, true, Some(_)) => "FROM tickets t INDEXED BY tickets_open_line",
        (false, true, None) => "FROM tickets t INDEXED BY tickets_open_lead_order",
        (false, false, _) => count_from(scan),
    };
    params.push(Value::Integer(limit.into()));
    params.push(Value::Integer(offset.into()));
    let n = params.len();
    // The page's ids first, through the order's index, then their columns: the rows skipped
    // by the offset are never joined (15 ms → 0.5 ms at offset 5,000 of a million).
    let sql = format!(
        "SELECT {ROW_COLUMNS} FROM (SELECT t.id {from} {cond} {ORDER} LIMIT ?{} OFFSET ?{n}) p JOIN tickets t ON t.id = p.id
         JOIN clients c ON c.id = t.client_id LEFT JOIN staff s ON s.id = t.assignee_id {ORDER}",
        n - 1
    );
    let mut stmt = r.conn().prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(&params), row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(QueuePage { total, offset, rows })
}

/// Above this many matches the page walks the lead's order rather than sorting them.
const WALK_FROM: u32 = 2_000;

/// A status and line filter walks the lead's order when its matches are at least one ticket
/// in this many: a page of 100 then reads some 100 × this many tickets at most, found in
/// order, where sorting the matches would read every one of them (the closed tickets of a
/// million-ticket replica: 0.4–1.5 s; all statuses of line 2: 0.3 s). Fewer, and a status's
/// or line's own index finds them faster (the open queue's 220 tickets: 2 ms).
const WALK_SHARE: u32 = 50;

/// Every ticket of the replica, from the rollup.
fn all_tickets(r: &Replica) -> Result<u32> {
    Ok(r.conn().prepare_cached("SELECT coalesce(sum(tickets), 0) FROM queue_counts")?.query_row([], |x| x.get(0))?)
}

/// Whether the filter looks at status and line only (then a large match pages by walking the
/// lead's order).
fn only_status_line(f: &QueueFilter) -> bool {
    rollup_counts(f) && f.priority.is_none() && f.kind.is_none() && f.channel.is_none()
}

/// Whether the filter looks only at fields `queue_counts` (kept by triggers) splits by —
/// status, line, priority, kind, channel: then the rollup answers any count without reading
/// the tickets.
fn rollup_counts(f: &QueueFilter) -> bool {
    f.client_id.is_none() && f.assignee_id.is_none() && f.search.as_deref().is_none_or(|s| s.trim().is_empty())
}

/// Counts per status (ignoring the status filter) and per line (ignoring the line filter).
/// One pass counts the matching tickets per status and line, with neither filter; both
/// rows of chips are summed from it (under a search, finding the matches' statuses is the
/// cost, so it is paid once).
pub fn counts(r: &Replica, f: &QueueFilter) -> Result<QueueCounts> {
    // Filtered by the rollup's fields only (the usual view): the rollup kept by triggers
    // answers. A client or an assignee: their index carries status and line.
    let search = search_by(r, f, false)?;
    let (from, count) = if rollup_counts(f) { ("FROM queue_counts t", "sum(t.tickets)") } else { (count_from(search == SearchBy::Reading), "count(*)") };
    let (cond, params) = where_clause(f, Apply { status: false, line: false, search });
    let mut stmt = r.conn().prepare_cached(&format!("SELECT t.status, t.line, {count} {from} {cond} GROUP BY t.status, t.line"))?;
    let cells: Vec<(Status, u8, u32)> = stmt.query_map(rusqlite::params_from_iter(&params), |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?)))?.collect::<rusqlite::Result<_>>()?;
    let status_shown = |s: Status| match f.status {
        Some(wanted) => s == wanted,
        None => f.include_done || s.is_open(),
    };
    let by_status = Status::ALL.iter().map(|&s| (s, cells.iter().filter(|c| c.0 == s && f.line.is_none_or(|l| l.number() == c.1)).map(|c| c.2).sum())).collect();
    let by_line = [Line::FIRST, Line::SECOND, Line::THIRD].into_iter().map(|l| (l, cells.iter().filter(|c| c.1 == l.number() && status_shown(c.0)).map(|c| c.2).sum())).collect();
    Ok(QueueCounts { by_status, by_line })
}

/// One ticket with all its fields, history and comments.
pub fn detail(r: &Replica, number: &str) -> Result<TicketDetail> {
    let sql = format!(
        "SELECT {ROW_COLUMNS}, t.id, c.contract_no, t.contact_name, t.contact_email, t.request_type, t.description,
            t.first_response_at, t.completed_at, t.closed_at, t.closure_code {FROM} WHERE t.number = ?1"
    );
    let found = r
        .conn()
        .prepare_cached(&sql)?
        .query_row([number.trim()], |x| {
            Ok((
                x.get::<_, i64>(20)?,
                TicketDetail {
                    summary: row(x)?,
                    contract_no: x.get(21)?,
                    contact_name: x.get(22)?,
                    contact_email: x.get(23)?,
                    request_type: x.get(24)?,
                    description: x.get(25)?,
                    first_response_at: x.get::<_, Option<i64>>(26)?.map(from_ts),
                    completed_at: x.get::<_, Option<i64>>(27)?.map(from_ts),
                    closed_at: x.get::<_, Option<i64>>(28)?.map(from_ts),
                    closure_code: x.get(29)?,
                    auto_close_at: None,
                    next_statuses: Vec::new(),
                    history: Vec::new(),
                    comments: Vec::new(),
                },
            ))
        })
        .optional()?;
    let (id, mut d) = found.ok_or_else(|| StoreError::TicketNotFound(number.trim().to_string()))?;
    if d.summary.status == Status::Completed {
        d.auto_close_at = d.completed_at.map(lifecycle::auto_close_at);
    }
    d.next_statuses = d.summary.status.next().to_vec();
    let mut stmt = r.conn().prepare_cached("SELECT at, actor, field, old_value, new_value, reason FROM ticket_history WHERE ticket_id = ?1 ORDER BY at, id")?;
    d.history = stmt
        .query_map([id], |x| Ok(HistoryEntry { at: from_ts(x.get(0)?), actor: x.get(1)?, field: x.get(2)?, old_value: x.get(3)?, new_value: x.get(4)?, reason: x.get(5)? }))?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = r.conn().prepare_cached("SELECT at, author, body FROM comments WHERE ticket_id = ?1 ORDER BY at, id")?;
    d.comments = stmt.query_map([id], |x| Ok(CommentEntry { at: from_ts(x.get(0)?), author: x.get(1)?, body: x.get(2)? }))?.collect::<rusqlite::Result<_>>()?;
    Ok(d)
}

/// Size, ticket count and last sync of the replica.
pub fn info(r: &Replica) -> Result<ReplicaInfo> {
    // From the rollup: counting the tickets themselves reads a whole index (9–23 ms on a
    // million), and the window asks after every action.
    let tickets = all_tickets(r)?;
    Ok(ReplicaInfo {
        path: r.path().display().to_string(),
        tickets,
        size_bytes: r.size_bytes(),
        last_synced_at: settings::last_synced_at(r)?,
        pending_operations: super::outbox::pending_count(r)?,
        demo: settings::get(r.conn(), crate::demo::DEMO_KEY)?.is_some(),
    })
}

/// Clients and assignees for the filter drop-downs.
pub fn facets(r: &Replica) -> Result<Facets> {
    let choices = |sql: &str| -> Result<Vec<Choice>> {
        let mut stmt = r.conn().prepare_cached(sql)?;
        let rows = stmt.query_map([], |x| Ok(Choice { id: x.get(0)?, name: x.get(1)? }))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    Ok(Facets {
        clients: choices("SELECT id, name FROM clients ORDER BY name")?,
        // One probe of the assignee index per person, not a walk of all of it (a million
        // tickets: 131 ms → 1 ms).
        assignees: choices("SELECT s.id, s.name FROM staff s WHERE EXISTS (SELECT 1 FROM tickets t WHERE t.assignee_id = s.id) ORDER BY s.name")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{write_demo, DemoOptions};
    use chrono::TimeZone;

    fn demo() -> Replica {
        let mut r = Replica::open_in_memory().unwrap();
        write_demo(&mut r, &DemoOptions { days: 10, seed: 3, now: Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap() }).unwrap();
        r
    }

    #[test]
    fn pages_follow_the_leads_order_and_add_up_to_the_total() {
        let r = demo();
        let f = QueueFilter { include_done: true, ..Default::default() };
        let all = page(&r, &f, 0, u32::MAX).unwrap();
        assert_eq!(all.total as usize, all.rows.len());
        for w in all.rows.windows(2) {
            let key = |x: &QueueRow| (x.priority.rank(), x.due_at.is_none(), x.due_at, x.created_at);
            assert!(key(&w[0]) <= key(&w[1]), "{} before {}", w[0].number, w[1].number);
        }
        let second = page(&r, &f, 100, 50).unwrap();
        assert_eq!(second.rows, all.rows[100..150]);
        assert_eq!(second.offset, 100);
    }

    #[test]
    fn a_status_or_line_holding_many_tickets_pages_like_sorting_all_of_them() {
        let mut r = Replica::open_in_memory().unwrap();
        write_demo(&mut r, &DemoOptions { days: 28, seed: 3, now: Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap() }).unwrap();
        let numbers =
            |sql: &str, args: &[&dyn rusqlite::ToSql]| -> Vec<String> { r.conn().prepare(sql).unwrap().query_map(args, |x| x.get(0)).unwrap().map(|x| x.unwrap()).collect() };
        let closed = QueueFilter { status: Some(Status::Closed), include_done: true, ..Default::default() };
        let line1 = QueueFilter { line: Some(Line::FIRST), include_done: true, ..Default::default() };
        let few = QueueFilter { status: Some(Status::InProgress), ..Default::default() };
        for (f, cond) in [(&closed, "t.status = 'closed'"), (&line1, "t.line = 1"), (&few, "t.status = 'in-progress'")] {
            let total = page(&r, f, 0, 1).unwrap().total;
            // The closed tickets and line 1 are many and a large share: the page walks the order.
            assert_eq!(total > WALK_FROM && total * WALK_SHARE >= all_tickets(&r).unwrap(), cond != "t.status = 'in-progress'", "{cond}: {total}");
            for offset in [0, 150, total.saturating_sub(30)] {
                let got: Vec<String> = page(&r, f, offset, 100).unwrap().rows.into_iter().map(|x| x.number).collect();
                let want = numbers(&format!("SELECT t.number FROM tickets t NOT INDEXED WHERE {cond} {ORDER} LIMIT 100 OFFSET ?1"), &[&offset]);
                assert!(!want.is_empty());
                assert_eq!(got, want, "{cond} at {offset}");
            }
        }
    }

    #[test]
    fn the_replicas_size_and_the_filters_choices_read_what_the_tickets_hold() {
        let r = demo();
        let sql = |q: &str| -> i64 { r.conn().query_row(q, [], |x| x.get(0)).unwrap() };
        assert_eq!(i64::from(info(&r).unwrap().tickets), sql("SELECT count(*) FROM tickets"));
        let assignees: Vec<i64> = facets(&r).unwrap().assignees.iter().map(|c| c.id).collect();
        let mut want: Vec<i64> =
            r.conn().prepare("SELECT DISTINCT assignee_id FROM tickets WHERE assignee_id IS NOT NULL").unwrap().query_map([], |x| x.get(0)).unwrap().map(|x| x.unwrap()).collect();
        want.sort();
        let mut got = assignees.clone();
        got.sort();
        assert_eq!(got, want);
        assert!(!got.is_empty() && got.len() < sql("SELECT count(*) FROM staff") as usize, "some staff own no ticket and are left out");
    }

    /// The rows a filter lists, counted by reading its pages (not from any rollup), after
    /// checking the page's own total says the same.
    fn listed(r: &Replica, f: &QueueFilter) -> u32 {
        let n = page(r, f, 0, u32::MAX).unwrap();
        assert_eq!(n.total as usize, n.rows.len(), "the total of {f:?}");
        n.total
    }

    fn counts_match_pages(r: &Replica, f: &QueueFilter) {
        let c = counts(r, f).unwrap();
        for (status, n) in &c.by_status {
            let with = QueueFilter { status: Some(*status), include_done: true, ..f.clone() };
            assert_eq!(listed(r, &with), *n, "{status} with {f:?}");
        }
        for (line, n) in &c.by_line {
            let with = QueueFilter { line: Some(*line), ..f.clone() };
            assert_eq!(listed(r, &with), *n, "line {line} with {f:?}");
        }
        let open: u32 = c.by_status.iter().filter(|(s, _)| s.is_open()).map(|(_, n)| n).sum();
        if f.status.is_none() && !f.include_done {
            assert_eq!(open, listed(r, f));
        }
    }

    #[test]
    fn counts_per_status_and_line_match_the_filtered_pages() {
        let mut r = demo();
        let filters = [
            QueueFilter::default(),
            QueueFilter { line: Some(Line::FIRST), ..Default::default() },
            QueueFilter { status: Some(Status::InProgress), ..Default::default() },
            QueueFilter { include_done: true, ..Default::default() },
            QueueFilter { priority: Some(Priority::High), line: Some(Line::SECOND), ..Default::default() },
            QueueFilter { priority: Some(Priority::Medium), include_done: true, ..Default::default() },
            QueueFilter { channel: Some(Channel::Phone), kind: Some(Kind::Incident), include_done: true, ..Default::default() },
            QueueFilter { client_id: Some(1), include_done: true, ..Default::default() },
            QueueFilter { assignee_id: Some(1), status: Some(Status::Closed), ..Default::default() },
            QueueFilter { search: Some("hudson".into()), ..Default::default() },
            QueueFilter { search: Some("hudson".into()), include_done: true, line: Some(Line::SECOND), ..Default::default() },
            QueueFilter { search: Some("ве".into()), status: Some(Status::Closed), ..Default::default() },
        ];
        for f in &filters {
            counts_match_pages(&r, f);
        }
        // Moving tickets between statuses and lines keeps the rollup in step.
        r.write(|tx| {
            tx.execute_batch(
                "UPDATE tickets SET status = 'in-progress', line = 3 WHERE id IN (SELECT id FROM tickets WHERE status = 'closed' LIMIT 7);
                 UPDATE tickets SET line = 2 WHERE id IN (SELECT id FROM tickets WHERE line = 1 LIMIT 5);
                 UPDATE tickets SET priority = 3, channel = 'phone' WHERE id IN (SELECT id FROM tickets WHERE priority <> 3 LIMIT 9);
                 UPDATE tickets SET kind = 'incident' WHERE id IN (SELECT id FROM tickets WHERE kind <> 'incident' LIMIT 4);",
            )?;
            Ok(())
        })
        .unwrap();
        for f in &filters {
            counts_match_pages(&r, f);
        }
    }

    #[test]
    fn search_matches_any_case_and_treats_wildcards_literally() {
        let r = demo();
        let f = |s: &str| QueueFilter { search: Some(s.into()), include_done: true, ..Default::default() };
        let hudson = page(&r, &f("hudson"), 0, u32::MAX).unwrap();
        assert!(hudson.total > 0 && hudson.rows.iter().all(|x| x.client.contains("Hudson") || x.subject.to_lowercase().contains("hudson")));
        // "%" is a character to find, not "anything": only subjects with a percent sign match.
        let percent = page(&r, &f("95%"), 0, u32::MAX).unwrap();
        assert!(percent.total > 0 && percent.rows.iter().all(|x| x.subject.contains("95%")));
        assert_eq!(page(&r, &f("_no_such_"), 0, 1).unwrap().total, 0);
        let one = page(&r, &QueueFilter { include_done: true, ..Default::default() }, 0, 1).unwrap().rows[0].number.clone();
        assert_eq!(page(&r, &f(&one.to_lowercase()), 0, 10).unwrap().rows[0].number, one);
    }

    #[test]
    fn a_search_with_many_matches_pages_in_the_leads_order_like_filtering_every_ticket() {
        let mut r = Replica::open_in_memory().unwrap();
        write_demo(&mut r, &DemoOptions { days: 30, seed: 4, now: Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap() }).unwrap();
        let all = page(&r, &QueueFilter { include_done: true, ..Default::default() }, 0, u32::MAX).unwrap().rows;
        for (needle, open_only) in [("inc", false), ("req", false), ("inc", true), ("Гранит", false)] {
            let expected: Vec<&QueueRow> = all
                .iter()
                .filter(|x| !open_only || x.status.is_open())
                .filter(|x| [&x.number, &x.subject, &x.client].iter().any(|v| v.to_lowercase().contains(&needle.to_lowercase())))
                .collect();
            let f = QueueFilter { search: Some(needle.into()), include_done: !open_only, ..Default::default() };
            let first = page(&r, &f, 0, 100).unwrap();
            let deep = page(&r, &f, 700, 100).unwrap();
            // Contact names and addresses match too: the page is a superset in order.
            assert!(first.total as usize >= expected.len(), "{needle}: {} < {}", first.total, expected.len());
            let numbers = |p: &QueuePage| p.rows.iter().map(|x| x.number.clone()).collect::<Vec<_>>();
            let all_matching: Vec<String> = page(&r, &QueueFilter { search: Some(needle.into()), include_done: !open_only, ..Default::default() }, 0, u32::MAX)
                .unwrap()
                .rows
                .into_iter()
                .map(|x| x.number)
                .collect();
            assert_eq!(numbers(&first), all_matching.iter().take(100).cloned().collect::<Vec<_>>(), "{needle}");
            assert_eq!(numbers(&deep), all_matching.iter().skip(700).take(100).cloned().collect::<Vec<_>>(), "{needle}");
            assert_eq!(first.total as usize, all_matching.len(), "{needle}");
            assert!(expected.iter().all(|x| all_matching.contains(&x.number)), "{needle}: every ticket that matches is found");
            // And the order is the lead's order over every ticket.
            let order: Vec<&String> = all.iter().filter(|x| all_matching.contains(&x.number)).map(|x| &x.number).collect();
            assert_eq!(order, all_matching.iter().collect::<Vec<_>>(), "{needle}");
            if !open_only && needle == "inc" {
                assert!(first.total > 2_000, "the walk-the-order plan is exercised ({} matches)", first.total);
            }
        }
    }

    #[test]
    fn search_finds_cyrillic_in_any_case_and_never_across_two_fields() {
        let r = demo();
        let f = |s: &str| QueueFilter { search: Some(s.into()), include_done: true, ..Default::default() };
        let lower = page(&r, &f("диск"), 0, u32::MAX).unwrap();
        assert!(lower.total > 0);
        assert!(lower.rows.iter().all(|x| x.subject.to_lowercase().contains("диск")), "only tickets whose subject has the word");
        assert_eq!(lower.total, page(&r, &f("ДИСК"), 0, 1).unwrap().total);
        // Two characters: the plain scan, same rule (number, subject, contact, client), and
        // Cyrillic in any case too.
        assert!(page(&r, &f("vm"), 0, 1).unwrap().total > 0);
        let upper = page(&r, &f("ВЕ"), 0, u32::MAX).unwrap();
        assert!(upper.rows.iter().any(|x| x.client.contains("Вектор")), "«Вектор» found by ВЕ");
        assert_eq!(upper.total, page(&r, &f("ве"), 0, 1).unwrap().total);
        assert_eq!(upper.total, page(&r, &f("Ве"), 0, 1).unwrap().total);
        // The end of the number and the start of the subject are not one string.
        let one = page(&r, &QueueFilter { include_done: true, ..Default::default() }, 0, 1).unwrap().rows[0].clone();
        let across = format!("{}{}", &one.number[one.number.len() - 2..], one.subject.chars().take(2).collect::<String>());
        assert!(page(&r, &f(&across), 0, u32::MAX).unwrap().rows.iter().all(|x| x.number != one.number || x.subject.contains(&across)));
    }

    #[test]
    fn a_search_among_few_tickets_reads_them_and_every_way_finds_what_the_index_finds() {
        let r = demo();
        let mut found_open = 0;
        for text in ["диск", "ДИСК", "Hudson", "support@", "INC0100", "недоступ"] {
            let everywhere = QueueFilter { search: Some(text.into()), include_done: true, ..Default::default() };
            assert_eq!(search_by(&r, &everywhere, true).unwrap(), SearchBy::Matches, "over every status the index answers");
            let indexed = page(&r, &everywhere, 0, u32::MAX).unwrap().rows;
            for status in [None, Some(Status::InProgress), Some(Status::Closed)] {
                let within = QueueFilter { search: Some(text.into()), status, ..Default::default() };
                assert_eq!(search_by(&r, &within, true).unwrap(), SearchBy::Reading, "{text} {status:?}: few tickets are read");
                let want: Vec<QueueRow> = indexed.iter().filter(|x| status.map_or(x.status.is_open(), |s| x.status == s)).cloned().collect();
                // Bigger replicas probe or look the matches up instead: all three agree.
                for by in [SearchBy::Reading, SearchBy::Probing, SearchBy::Matches] {
                    let got = page_searching(&r, &within, 0, u32::MAX, by).unwrap();
                    assert_eq!(got.rows, want, "{text} {status:?} {by:?}");
                    assert_eq!(got.total as usize, want.len(), "{text} {status:?} {by:?}");
                }
                found_open += usize::from(status.is_none()) * want.len();
            }
        }
        assert!(found_open > 0, "some search finds open tickets");
    }

    #[test]
    fn a_ticket_in_full_has_its_history_and_an_unknown_one_is_reported() {
        let r = demo();
        let first = page(&r, &QueueFilter { status: Some(Status::Closed), ..Default::default() }, 0, 1).unwrap().rows[0].number.clone();
        let d = detail(&r, &first).unwrap();
        assert_eq!(d.summary.number, first);
        assert!(d.history.len() >= 4, "registered, assigned, …, closed");
        assert!(d.closed_at.is_some() && d.closure_code.is_some());
        assert!(matches!(detail(&r, "INC0000000"), Err(StoreError::TicketNotFound(_))));
        assert_eq!(d.auto_close_at, None, "a closed ticket has nothing left to close");
        let completed = page(&r, &QueueFilter { status: Some(Status::Completed), ..Default::default() }, 0, 1).unwrap().rows[0].number.clone();
        let c = detail(&r, &completed).unwrap();
        assert_eq!(c.auto_close_at, Some(c.completed_at.unwrap() + chrono::Duration::days(3)));
    }
}

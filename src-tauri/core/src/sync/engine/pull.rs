//! Pulling the ITSM's changes: every page after the saved cursor, each applied in one
//! transaction with the cursor that follows it (stage the page, decide each ticket with
//! [`plan::pulled`], apply); then the comments others wrote in the ITSM.

use super::lease::Lease;
use super::plan::{self, Held};
use super::{Progress, SyncError, SyncReport, ITSM_ACTOR};
use crate::domain::{Channel, Kind, Line, RequestType, Status};
use crate::sla::deadline;
use crate::store::pulled::{self, PulledChanges, PulledFields};
use crate::store::tickets::{self, HistoryEntry, NewTicket, TicketBatch};
use crate::store::{from_ts, outbox, reference, settings, staff, sync_state, Replica};
use crate::sync::{ChangePage, ItsmApi, ItsmError, PullPhase, RemoteChange, RemoteEvent, RemoteTicket};
use rusqlite::Connection;
use std::collections::HashMap;

/// The request type pulled service requests get.
const PULLED_REQUEST_TYPE: &str = "consultation";

/// Pulls every page of changes after the saved cursor, then the tickets it brought new
/// without their beginning (read again whole), then the comments.
pub(super) fn pull(r: &mut Replica, api: &mut dyn ItsmApi, connector: &str, report: &mut SyncReport, progress: &mut dyn FnMut(Progress), lease: &Lease) -> Result<(), SyncError> {
    refetch(r, api, connector, report, &sync_state::refetch_ids(r.conn())?)?;
    let mut cursor = sync_state::cursor(r.conn(), connector)?;
    let mut tally = Tally::default();
    let mut unbegun = Vec::new();
    for _ in 0..crate::sync::MAX_PAGES {
        let page = next_page(r, api, lease, &cursor, ("the page", "the pull"))?;
        let mut applied = apply(r, connector, Track::Changes, &page, &[])?;
        unbegun.append(&mut applied.unbegun);
        report.add(applied);
        progress(tally.page(&page));
        cursor = page.cursor;
        if !page.more {
            refetch(r, api, connector, report, &unbegun)?;
            return pull_comments(r, api, connector, lease);
        }
    }
    Err(ItsmError::Refused(format!("the ITSM still had more after {} pages; the pull stops (the pages read so far are kept)", crate::sync::MAX_PAGES)).into())
}

/// The page after `cursor`, the lease renewed first. A page that says more waits from the
/// same place is refused rather than read forever (`part`: what was read, and what stops).
fn next_page(r: &mut Replica, api: &mut dyn ItsmApi, lease: &Lease, cursor: &str, part: (&str, &str)) -> Result<ChangePage, SyncError> {
    lease.renew(r)?;
    let page = api.changes(cursor)?;
    if page.more && page.cursor == cursor {
        let (read, stops) = part;
        return Err(ItsmError::Refused(format!("the ITSM answered {read} after '{cursor}' with more to come from the same place; {stops} stops rather than loop")).into());
    }
    Ok(page)
}

/// What runs between backfill pages: the push and the delta.
pub(super) type Between<'a> = dyn FnMut(&mut Replica, &mut dyn ItsmApi, &mut SyncReport) -> Result<(), SyncError> + 'a;

/// Backfill pages between two deltas: a change made in the ITSM during a long backfill
/// reaches the replica, and the lead's changes reach the ITSM, every this many pages.
pub(super) const DELTA_EVERY: u32 = 5;

/// Walks the history's backfill, if one is under way, from its own cursor, each page in its
/// own transaction; every [`DELTA_EVERY`] pages `between` runs (the push and the delta).
/// Resumes where it stopped after a kill, a restart or the ITSM going away.
pub(super) fn backfill(
    r: &mut Replica,
    api: &mut dyn ItsmApi,
    connector: &str,
    report: &mut SyncReport,
    progress: &mut dyn FnMut(Progress),
    lease: &Lease,
    between: &mut Between<'_>,
) -> Result<(), SyncError> {
    let key = Track::Backfill.key(connector);
    let mut cursor = sync_state::cursor(r.conn(), &key)?;
    let mut tally = Tally::default();
    for n in 1..=crate::sync::MAX_PAGES {
        if cursor.is_empty() {
            return Ok(());
        }
        let page = next_page(r, api, lease, &cursor, ("the history", "the backfill"))?;
        let applied = apply(r, connector, Track::Backfill, &page, &[])?;
        report.add(applied);
        progress(tally.page(&page));
        cursor = if page.more { page.cursor } else { String::new() };
        if n % DELTA_EVERY == 0 && !cursor.is_empty() {
            between(r, api, report)?;
        }
    }
    Err(ItsmError::Refused(format!("the ITSM's history still had more after {} pages; the backfill stops (the pages read so far are kept)", crate::sync::MAX_PAGES)).into())
}

/// Tickets `refetch` asked to be read again (a conflict settled with the ITSM's value, a
/// ticket that could not be applied, one a delta brought without its beginning): each read
/// whole, in one transaction that takes them off the list.
fn refetch(r: &mut Replica, api: &mut dyn ItsmApi, connector: &str, report: &mut SyncReport, refetch: &[String]) -> Result<(), SyncError> {
    if refetch.is_empty() {
        return Ok(());
    }
    let mut tickets = Vec::new();
    for id in refetch {
        match api.ticket_with_life(id) {
            Ok(t) => tickets.push(t),
            // Gone from the ITSM, or no longer the desk's: said once, not asked again.
            Err(ItsmError::Refused(why)) => report.skipped.push(SkippedTicket { number: id.clone(), reason: why }),
            Err(e) => return Err(e.into()),
        }
    }
    // Cleared in the page's own transaction: a ticket that still cannot be applied asks to
    // be read again, and a page that fails leaves the list as it was.
    let cursor = sync_state::cursor(r.conn(), connector)?;
    let applied = apply(r, connector, Track::Changes, &ChangePage { tickets, cursor, more: true, ..Default::default() }, refetch)?;
    report.pulled += applied.pulled;
    report.skipped.extend(applied.skipped);
    Ok(())
}

/// Which cursor a page moves on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Track {
    /// The changes (and a first pull's open queue).
    Changes,
    /// The history's backfill.
    Backfill,
}

impl Track {
    fn key(self, connector: &str) -> String {
        match self {
            Track::Changes => connector.to_string(),
            Track::Backfill => format!("{connector}:backfill"),
        }
    }
}

/// Counts a part of the pull for its progress: tickets done, the total the ITSM gave with
/// the part's first page, and what is left to wait at the pace so far.
struct Tally {
    phase: Option<crate::sync::PullPhase>,
    done: u64,
    total: Option<u64>,
    since: std::time::Instant,
}

impl Default for Tally {
    fn default() -> Tally {
        Tally { phase: None, done: 0, total: None, since: std::time::Instant::now() }
    }
}

impl Tally {
    fn page(&mut self, page: &ChangePage) -> Progress {
        if self.phase != Some(page.phase) {
            *self = Tally { phase: Some(page.phase), ..Tally::default() };
        }
        self.done += page.tickets.len() as u64;
        self.total = self.total.or(page.total);
        let left = self.total.map(|t| t.saturating_sub(self.done));
        let seconds_left = match left {
            Some(0) => Some(0),
            Some(left) if self.done > 0 => Some((self.since.elapsed().as_secs_f64() * left as f64 / self.done as f64).ceil() as u64),
            _ => None,
        };
        Progress { phase: page.phase, done: self.done, total: self.total, seconds_left }
    }
}

impl SyncReport {
    fn add(&mut self, page: PageOutcome) {
        self.pulled += page.pulled;
        self.created += page.created;
        self.skipped.extend(page.skipped);
    }
}

/// How long the people of the ITSM's line groups are taken as read.
const PEOPLE_FOR: chrono::Duration = chrono::Duration::hours(24);

/// Reads the people of the ITSM's line groups into the staff directory, at the first sync
/// and then once a day (before the tickets, so their owners arrive by name).
pub(super) fn people(r: &mut Replica, api: &mut dyn ItsmApi, connector: &str, now: chrono::DateTime<chrono::Utc>) -> Result<(), SyncError> {
    let key = format!("{connector}:people_at");
    let read_at = settings::get(r.conn(), &key)?.and_then(|v| chrono::DateTime::parse_from_rfc3339(&v).ok());
    if read_at.is_some_and(|t| now.signed_duration_since(t) < PEOPLE_FOR && t <= now) {
        return Ok(());
    }
    let people = api.people()?;
    r.write(|tx| {
        for p in &people {
            staff::from_itsm(tx, &p.login, &p.name, p.line)?;
        }
        settings::put(tx, &key, &now.to_rfc3339())
    })?;
    Ok(())
}

/// Pulls the comments others wrote in the ITSM since the last sync (from the first sync on:
/// earlier ones stay in the ITSM), each page in one transaction with its cursor.
fn pull_comments(r: &mut Replica, api: &mut dyn ItsmApi, connector: &str, lease: &Lease) -> Result<(), SyncError> {
    let key = format!("{connector}:comments");
    let mut cursor = sync_state::cursor(r.conn(), &key)?;
    for _ in 0..crate::sync::MAX_PAGES {
        lease.renew(r)?;
        let page = api.comments(&cursor)?;
        if page.more && page.cursor == cursor {
            return Err(
                ItsmError::Refused(format!("the ITSM answered the comments after '{cursor}' with more to come from the same place; the pull stops rather than loop")).into()
            );
        }
        r.write(|tx| {
            for c in &page.comments {
                // A comment on a ticket that is not the desk's (another queue or group) stays there.
                let Some(ticket) = pulled::id_by_external(tx, &c.ticket)? else { continue };
                let author = staff::name_by_login(tx, &c.author)?.unwrap_or_else(|| c.author.clone());
                pulled::add_pulled_comment(tx, ticket, c.at, &author, &c.body, &format!("{connector}:{}", c.id))?;
            }
            sync_state::save_cursor(tx, &key, &page.cursor)
        })?;
        cursor = page.cursor;
        if !page.more {
            return Ok(());
        }
    }
    Err(ItsmError::Refused(format!("the ITSM still had more comments after {} pages; the pull stops", crate::sync::MAX_PAGES)).into())
}

/// Applies one page of pulled tickets and moves the cursor, in one transaction; returns
/// (tickets applied, of them new).
///
/// The page's new tickets and changes are staged in temporary tables and moved over in one
/// statement each: a statement on `tickets` fires the search index's trigger, and the index
/// writes itself out at the end of every statement, so one statement per page rather than
/// one per ticket is what makes a large first pull fast.
pub fn apply_page(r: &mut Replica, connector: &str, page: &ChangePage) -> Result<PageOutcome, SyncError> {
    apply(r, connector, Track::Changes, page, &[])
}

/// [`apply_page`] on `track`'s cursor, first taking the tickets `refetched` off the list of
/// those to read again (the page holds them). A page of the changes that brings a ticket new to
/// the replica without its beginning (a done ticket changed before the backfill reached it)
/// asks for it to be read again whole; the first pull's pages mark the history incomplete,
/// the backfill's say from when it is whole, and its last page that it is.
fn apply(r: &mut Replica, connector: &str, track: Track, page: &ChangePage, refetched: &[String]) -> Result<PageOutcome, SyncError> {
    r.write_with(|tx| -> Result<PageOutcome, SyncError> {
        sync_state::clear_refetch(tx, refetched)?;
        let matrix = settings::matrix_in(tx)?;
        let mut cache = PageCache::load(tx)?;
        if page.tickets.iter().any(|t| t.kind == Kind::Request) {
            // Requests are typed from the service-request model (the default one, where the
            // replica has none of its own); a type it does not know makes a consultation.
            for rt in &RequestType::default_catalogue() {
                reference::add_request_type_if_missing(tx, rt)?;
            }
        }
        let mut changes = PulledChanges::begin(tx)?;
        let mut batch = TicketBatch::begin(tx)?;
        let mut outcome = PageOutcome::default();
        let mut numbers = std::collections::HashSet::new();
        let mut applied_ids = Vec::new();
        let mut lives = Vec::new();
        for t in &page.tickets {
            // Each ticket on its own savepoint: one that cannot be applied is reported by its
            // number, read again at the next sync, and the rest of the page goes on.
            tx.execute_batch("SAVEPOINT pulled_ticket")?;
            let mark = batch.mark();
            let applied = if numbers.insert(t.number.clone()) {
                apply_ticket(tx, &matrix, t, &mut cache, &mut batch, &mut changes)
            } else {
                Err(ItsmError::Refused(format!("the page holds two tickets numbered {}", t.number)).into())
            };
            match applied {
                Ok((id, life, new)) => {
                    tx.execute_batch("RELEASE pulled_ticket")?;
                    applied_ids.push(id);
                    let begun = t.history.as_ref().is_none_or(|h| h.iter().any(|e| e.change == RemoteChange::Created));
                    if new && !begun && track == Track::Changes && refetched.is_empty() {
                        sync_state::refetch_later(tx, &t.id)?;
                        outcome.unbegun.push(t.id.clone());
                    }
                    if let Some(life) = life {
                        lives.push((id, life));
                    }
                }
                Err(e) => {
                    tx.execute_batch("ROLLBACK TO pulled_ticket; RELEASE pulled_ticket")?;
                    batch.reset(mark);
                    cache.forget_new();
                    sync_state::refetch_later(tx, &t.id)?;
                    outcome.skipped.push(SkippedTicket { number: t.number.clone(), reason: e.to_string() });
                }
            }
        }
        outcome.created = batch.len() as u32;
        batch.flush(tx)?;
        changes.flush(tx)?;
        // The ITSM's own record of each ticket's life, at its times, then what it decides.
        for (id, life) in &lives {
            for (source_id, entry) in life {
                pulled::add_itsm_history(tx, *id, source_id, entry)?;
            }
        }
        pulled::times_from_history(tx, &lives.iter().map(|(id, _)| *id).collect::<Vec<_>>())?;
        deadline::refresh(tx, deadline::Scope::Tickets(&applied_ids), chrono::Utc::now())?;
        match track {
            Track::Changes => sync_state::save_cursor(tx, connector, &page.cursor)?,
            Track::Backfill => {
                let oldest = page.tickets.iter().map(|t| t.created).min();
                sync_state::save_cursor(tx, &Track::Backfill.key(connector), if page.more { &page.cursor } else { "" })?;
                sync_state::history_whole_from(tx, if page.more { oldest } else { None }, !page.more)?;
            }
        }
        if let Some(start) = &page.backfill {
            sync_state::save_cursor(tx, &Track::Backfill.key(connector), start)?;
        }
        if page.phase == PullPhase::OpenQueue || page.backfill.is_some() {
            sync_state::history_pending(tx)?;
        }
        outcome.pulled = page.tickets.len() as u32 - outcome.skipped.len() as u32;
        Ok(outcome)
    })
}

/// What one page did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageOutcome {
    /// Tickets applied.
    pub pulled: u32,
    /// Of them, new to the replica.
    pub created: u32,
    /// Tickets that could not be applied (read again at the next sync).
    pub skipped: Vec<SkippedTicket>,
    /// The ITSM's ids of tickets new to the replica that came without their beginning (a
    /// delta's change to a ticket the backfill had not reached): read again whole.
    pub unbegun: Vec<String>,
}

/// A pulled ticket that could not be applied, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export_to = "sync.ts")]
pub struct SkippedTicket {
    /// The ITSM's number of it.
    pub number: String,
    /// Why.
    pub reason: String,
}

/// What a page looks up again and again: the fields waiting operations hold, staff by ITSM
/// login, clients by requester address.
struct PageCache {
    held: HashMap<i64, Held>,
    staff: HashMap<String, i64>,
    clients: HashMap<String, (i64, String)>,
}

impl PageCache {
    fn load(tx: &Connection) -> Result<PageCache, SyncError> {
        let mut held: HashMap<i64, Held> = HashMap::new();
        for (ticket, kind) in outbox::kinds_by_ticket(tx)? {
            held.entry(ticket).or_default().extend(plan::held_by(kind));
        }
        Ok(PageCache { held, staff: HashMap::new(), clients: HashMap::new() })
    }

    /// Forgets what this page added (a ticket's savepoint rolled back may have taken it).
    fn forget_new(&mut self) {
        self.staff.clear();
        self.clients.clear();
    }

    /// The staff id of ITSM login `login` (a placeholder for a login not met yet).
    fn staff(&mut self, tx: &Connection, login: Option<&str>, line: Line) -> Result<Option<i64>, SyncError> {
        let Some(login) = login else { return Ok(None) };
        if let Some(id) = self.staff.get(login) {
            return Ok(Some(*id));
        }
        let id = staff::id_by_login_or_placeholder(tx, login, line)?;
        self.staff.insert(login.to_string(), id);
        Ok(Some(id))
    }

    /// The client and contact of requester `requestor`.
    fn client(&mut self, tx: &Connection, requestor: Option<&str>) -> Result<(i64, String), SyncError> {
        let email = requestor.unwrap_or("unknown@unknown");
        if let Some(found) = self.clients.get(email) {
            return Ok(found.clone());
        }
        let found = client_of(tx, email)?;
        self.clients.insert(email.to_string(), found.clone());
        Ok(found)
    }
}

/// The client a requester belongs to: the one that lists the address as an authorised
/// contact, else one named for the address's domain (added for the first of its requesters).
/// A requester is never made an authorised contact by writing in: the ticket of an address
/// the client did not authorise is flagged, as on any other channel.
fn client_of(tx: &Connection, email: &str) -> Result<(i64, String), SyncError> {
    if let Some(found) = reference::contact_by_email(tx, email)? {
        return Ok(found);
    }
    let domain = email.rsplit_once('@').map_or(email, |(_, d)| d).to_lowercase();
    let contract = format!("ITSM:{domain}");
    match reference::client_by_contract(tx, &contract)? {
        Some(id) => Ok((id, email.to_string())),
        None => Ok((reference::insert_client(tx, &domain, &contract, "Europe/Moscow", &[])?, email.to_string())),
    }
}

/// A ticket's changes as the ITSM recorded them, as history entries with the ITSM's ids.
type Life = Vec<(String, HistoryEntry)>;

/// The ITSM's record of a ticket's life as the replica's history: people by name where the
/// replica knows their login, statuses and levels in the desk's spelling.
fn life_of(tx: &Connection, events: &[RemoteEvent]) -> Result<Life, SyncError> {
    let who = |login: &str| -> Result<String, SyncError> { Ok(staff::name_by_login(tx, login)?.unwrap_or_else(|| login.to_string())) };
    let mut out = Vec::with_capacity(events.len());
    for e in events {
        let (field, old, new) = match &e.change {
            RemoteChange::Created => ("status", None, Some(Status::Registered.to_string())),
            RemoteChange::Status(from, to) => ("status", from.map(|s| s.to_string()), Some(to.to_string())),
            RemoteChange::Line(from, to) => ("line", from.map(|l| l.number().to_string()), Some(to.number().to_string())),
            RemoteChange::Owner(from, to) => ("assignee", from.as_deref().map(&who).transpose()?, to.as_deref().map(&who).transpose()?),
            RemoteChange::Urgency(from, to) => ("urgency", Some(from.to_string()), Some(to.to_string())),
            RemoteChange::Impact(from, to) => ("impact", Some(from.to_string()), Some(to.to_string())),
            RemoteChange::Replied => ("reply", None, None),
        };
        let actor = if e.actor.is_empty() { ITSM_ACTOR.to_string() } else { who(&e.actor)? };
        out.push((e.id.clone(), HistoryEntry { at: e.at, actor, field: field.into(), old_value: old, new_value: new, reason: None }));
    }
    Ok(out)
}

/// The client named `name` by the ITSM: the replica's client of that name, else one added
/// (its zone and authorised contacts are the replica's to set).
fn client_named(tx: &Connection, name: &str) -> Result<i64, SyncError> {
    if let Some(id) = reference::client_by_name(tx, name)? {
        return Ok(id);
    }
    Ok(reference::insert_client(tx, name.trim(), &format!("ITSM:{}", name.trim()), "Europe/Moscow", &[])?)
}

/// Stages one pulled ticket as new (in `batch`) or as a change (in `changes`); returns its id,
/// when the ITSM gave it its recorded life (written once the page's tickets are), and whether
/// it is new to the replica.
fn apply_ticket(
    tx: &Connection,
    matrix: &crate::domain::PriorityMatrix,
    t: &RemoteTicket,
    cache: &mut PageCache,
    batch: &mut TicketBatch,
    changes: &mut PulledChanges,
) -> Result<(i64, Option<Life>, bool), SyncError> {
    let stored = pulled::synced(tx, &t.id)?;
    let assignee = cache.staff(tx, t.owner.as_deref(), t.line)?;
    let life = t.history.as_deref().map(|events| life_of(tx, events)).transpose()?;
    let Some(stored) = stored else {
        // A ticket of the replica's own with the ITSM's number: the ITSM's keeps the number.
        if let Some((local, renamed)) = pulled::renumber_local(tx, &t.number)? {
            let why = format!("the ITSM has a ticket {}; this one, not from the ITSM, was renumbered", t.number);
            tickets::add_history(
                tx,
                local,
                &HistoryEntry {
                    at: t.updated.max(from_ts(0)),
                    actor: ITSM_ACTOR.into(),
                    field: "number".into(),
                    old_value: Some(t.number.clone()),
                    new_value: Some(renamed),
                    reason: Some(why),
                },
            )?;
        }
        // Two of the ITSM's tickets with one number (a broken or hostile ITSM): the second waits.
        if pulled::number_is_synced(tx, &t.number)? {
            return Err(ItsmError::Refused(format!("another of the ITSM's tickets is numbered {}", t.number)).into());
        }
        let (client_id, contact) = match &t.fields.client {
            Some(name) => (client_named(tx, name)?, t.requestor.clone().unwrap_or_default()),
            None => cache.client(tx, t.requestor.as_deref())?,
        };
        let request_type = match (t.kind, &t.fields.request_type) {
            (Kind::Request, Some(given)) => Some(reference::request_type_code(tx, given)?.unwrap_or_else(|| PULLED_REQUEST_TYPE.to_string())),
            (Kind::Request, None) => Some(PULLED_REQUEST_TYPE.to_string()),
            (Kind::Incident, _) => None,
        };
        let new = NewTicket {
            number: t.number.clone(),
            kind: t.kind,
            client_id,
            contact_name: contact,
            contact_email: t.requestor.clone(),
            channel: t.fields.channel.unwrap_or(Channel::Email),
            service: t.fields.service.clone().unwrap_or_default(),
            request_type,
            subject: t.subject.clone(),
            description: t.fields.description.clone().unwrap_or_default(),
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
            closure_code: t.fields.closure_code.filter(|_| !t.status.is_open()),
            imported: None,
            deadline: None,
        };
        let staged = batch.add(tx, matrix, &new)?;
        // The ITSM's own priority, where it computes one, wins over our matrix's.
        let priority = t.priority.filter(|_| t.kind == Kind::Incident);
        pulled::stage_remote(tx, staged, &t.id, t.version.as_deref(), priority)?;
        return Ok((staged, life, true));
    };
    let held = cache.held.get(&stored.id).cloned().unwrap_or_default();
    let change = plan::pulled(&stored, t, assignee, &held, matrix);
    let at = t.updated.max(from_ts(0));
    // Without the ITSM's own record, a change is dated when the ticket was last updated.
    for field in change.moved.iter().filter(|_| life.is_none()) {
        let (old, new) = match *field {
            "urgency" => (stored.urgency.to_string(), change.urgency.to_string()),
            "impact" => (stored.impact.to_string(), change.impact.to_string()),
            "status" => (stored.status.to_string(), change.status.to_string()),
            "line" => (stored.line.number().to_string(), change.line.number().to_string()),
            _ => (staff::name(tx, stored.assignee_id)?, staff::name(tx, change.assignee_id)?),
        };
        tickets::add_history(tx, stored.id, &HistoryEntry { at, actor: ITSM_ACTOR.into(), field: field.to_string(), old_value: Some(old), new_value: Some(new), reason: None })?;
    }
    if let Some(subject) = &change.subject {
        tickets::add_history(
            tx,
            stored.id,
            &HistoryEntry { at, actor: ITSM_ACTOR.into(), field: "subject".into(), old_value: Some(stored.subject.clone()), new_value: Some(subject.clone()), reason: None },
        )?;
        pulled::set_subject(tx, stored.id, subject)?;
    }
    // The closure code goes with the status: while the lead's own status change waits (or is
    // in conflict), the code the lead gave stays.
    if let Some(code) = t.fields.closure_code.filter(|_| !change.status.is_open() && !held.contains("status")) {
        pulled::set_closure_code(tx, stored.id, code)?;
    }
    if let Some(priority) = change.write {
        changes.add(
            tx,
            &PulledFields {
                id: stored.id,
                urgency: change.urgency,
                impact: change.impact,
                status: change.status,
                line: change.line,
                assignee_id: change.assignee_id,
                priority,
                at: t.updated,
                version: t.version.clone(),
            },
        )?;
    }
    Ok((stored.id, life, false))
}

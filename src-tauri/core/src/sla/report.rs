//! SLA dashboards: compliance over a period (with trend and breakdowns), the breaches, the
//! tickets at risk now, and a client's monthly report with availability and compensation.
//!
//! Which tickets a period holds: those registered in it (days read in the report's zone).
//! A timer is *met* when it stopped within target, *breached* when it ran past the target
//! (stopped late, or still running past it), and *pending* while it runs within target.

use super::calendar::Calendar;
use super::contract::{contracts_in, Contract};
use super::timer::{self, ClockInput, Timer};
use crate::analytics::start_of_day;
use crate::domain::{Kind, Status};
use crate::store::{from_ts, Replica, StoreError};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// A ticket with everything its clock needs.
#[derive(Debug, Clone)]
pub(super) struct Loaded {
    pub(super) id: i64,
    number: String,
    subject: String,
    kind: Kind,
    pub(super) client_id: i64,
    client: String,
    priority: u8,
    line: u8,
    status: Status,
    assignee: Option<String>,
    request_type: Option<String>,
    model_hours: Option<u32>,
    created_at: DateTime<Utc>,
    first_response_at: Option<DateTime<Utc>>,
    completed_at: Option<DateTime<Utc>>,
    statuses: Vec<(DateTime<Utc>, Status)>,
}

impl Loaded {
    pub(super) fn input(&self) -> ClockInput<'_> {
        ClockInput {
            kind: self.kind,
            priority: self.priority,
            request_type: self.request_type.as_deref(),
            model_fulfilment_hours: self.model_hours,
            created_at: self.created_at,
            first_response_at: self.first_response_at,
            statuses: &self.statuses,
        }
    }
}

const SELECT: &str = "SELECT t.id, t.number, t.subject, t.kind, t.client_id, c.name, t.priority, t.line, t.status, s.name,
        t.request_type, rt.fulfilment_hours, t.created_at, t.first_response_at, t.completed_at
    FROM tickets t JOIN clients c ON c.id = t.client_id
    LEFT JOIN staff s ON s.id = t.assignee_id
    LEFT JOIN request_types rt ON rt.code = t.request_type";

/// Loads the tickets matching `filter` (an SQL condition on `t`) with their status histories.
pub(super) fn load(conn: &rusqlite::Connection, filter: &str, params: &[&dyn rusqlite::ToSql]) -> Result<Vec<Loaded>, StoreError> {
    let mut tickets = Vec::new();
    let mut index = HashMap::new();
    // Through an id subquery, so SQLite picks the index the filter needs (the period's
    // `created_at`, the open-ticket partial index) instead of scanning every ticket.
    // In the order of registration, which every replica of a desk shares (the order a
    // replica got its tickets in depends on how it was filled: a first pull brings the open
    // queue first). Lists that tie keep this order.
    let mut stmt = conn.prepare(&format!("{SELECT} WHERE t.id IN (SELECT t.id FROM tickets t WHERE {filter}) ORDER BY t.created_at, t.id"))?;
    let mut rows = stmt.query(params)?;
    while let Some(x) = rows.next()? {
        index.insert(x.get::<_, i64>(0)?, tickets.len());
        tickets.push(Loaded {
            id: x.get(0)?,
            number: x.get(1)?,
            subject: x.get(2)?,
            kind: x.get(3)?,
            client_id: x.get(4)?,
            client: x.get(5)?,
            priority: x.get(6)?,
            line: x.get(7)?,
            status: x.get(8)?,
            assignee: x.get(9)?,
            request_type: x.get(10)?,
            model_hours: x.get(11)?,
            created_at: from_ts(x.get(12)?),
            first_response_at: x.get::<_, Option<i64>>(13)?.map(from_ts),
            completed_at: x.get::<_, Option<i64>>(14)?.map(from_ts),
            statuses: Vec::new(),
        });
    }
    let mut stmt = conn.prepare(&format!(
        "SELECT h.ticket_id, h.at, h.new_value FROM ticket_history h
         WHERE h.field = 'status' AND h.ticket_id IN (SELECT t.id FROM tickets t WHERE {filter})
         ORDER BY h.ticket_id, h.at, h.id"
    ))?;
    let mut rows = stmt.query(params)?;
    while let Some(x) = rows.next()? {
        let Some(&i) = index.get(&x.get::<_, i64>(0)?) else { continue };
        if let Some(s) = x.get::<_, Option<String>>(2)?.and_then(|v| v.parse::<Status>().ok()) {
            tickets[i].statuses.push((from_ts(x.get(1)?), s));
        }
    }
    for t in &mut tickets {
        complete_life(&mut t.statuses, t.created_at, t.status, t.first_response_at, t.completed_at);
    }
    Ok(tickets)
}

/// A ticket's status history as the clock reads it: from registration on, and for a ticket
/// that has none (synced from an ITSM that gives no change log), its known facts.
pub(super) fn complete_life(
    statuses: &mut Vec<(DateTime<Utc>, Status)>,
    created_at: DateTime<Utc>,
    status: Status,
    first_response_at: Option<DateTime<Utc>>,
    completed_at: Option<DateTime<Utc>>,
) {
    if statuses.is_empty() {
        statuses.push((created_at, Status::Registered));
        if let Some(done) = completed_at.filter(|_| !status.is_open()) {
            statuses.push((done, Status::Completed));
        } else if status != Status::Registered {
            statuses.push((first_response_at.unwrap_or(created_at), status));
        }
    } else if statuses[0].0 > created_at {
        statuses.insert(0, (created_at, Status::Registered));
    }
}

/// Met, breached and still pending timers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "sla.ts")]
pub struct Compliance {
    /// Stopped within target.
    pub met: u64,
    /// Ran past the target.
    pub breached: u64,
    /// Still running within target (not counted in the percentage).
    pub pending: u64,
    /// `met / (met + breached)` in percent, when anything is decided.
    pub percent: Option<f64>,
}

impl Compliance {
    fn add(&mut self, t: &Timer) {
        if t.breached() {
            self.breached += 1;
        } else if t.done {
            self.met += 1;
        } else {
            self.pending += 1;
        }
        let decided = self.met + self.breached;
        self.percent = (decided > 0).then(|| (self.met as f64 * 1000.0 / decided as f64).round() / 10.0);
    }
}

/// Compliance of one group (a priority, client, line, engineer or day).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "sla.ts")]
pub struct Group {
    /// The group's key: `1`…`5`, a client's name, `1`…`3`, an engineer, a day `YYYY-MM-DD`.
    pub key: String,
    /// Tickets in the group.
    pub tickets: u64,
    /// Reaction (incidents).
    pub reaction: Compliance,
    /// Resolution / fulfilment.
    pub resolution: Compliance,
}

/// Which timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export_to = "sla.ts")]
pub enum TimerKind {
    /// Time to the first response.
    Reaction,
    /// Time to completion.
    Resolution,
}

/// One ticket and one of its timers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "sla.ts")]
pub struct TimerRow {
    /// Ticket number.
    pub number: String,
    /// Subject.
    pub subject: String,
    /// Client.
    pub client: String,
    /// Priority 1 … 5.
    pub priority: u8,
    /// Line holding it.
    pub line: u8,
    /// Current status.
    pub status: Status,
    /// Assigned engineer.
    pub assignee: Option<String>,
    /// Which timer.
    pub timer: TimerKind,
    /// The timer itself.
    pub clock: Timer,
}

/// What an SLA report covers.
#[derive(Debug, Clone)]
pub struct SlaQuery {
    /// First day (in `tz`), inclusive.
    pub from: NaiveDate,
    /// Last day (in `tz`), inclusive.
    pub to: NaiveDate,
    /// Zone the days are read in.
    pub tz: Tz,
    /// One client only (name or contract number).
    pub client: Option<String>,
    /// "Now" for running clocks.
    pub now: DateTime<Utc>,
}

/// SLA compliance over a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "sla.ts")]
pub struct SlaReport {
    /// First day.
    #[ts(type = "string")]
    pub from: NaiveDate,
    /// Last day.
    #[ts(type = "string")]
    pub to: NaiveDate,
    /// Zone of the days.
    pub time_zone: String,
    /// The client, when limited to one.
    pub client: Option<String>,
    /// Tickets registered in the period.
    pub tickets: u64,
    /// Reaction, all incidents.
    pub reaction: Compliance,
    /// Resolution, all tickets.
    pub resolution: Compliance,
    /// Per day (periods up to 62 days) or per week starting Monday (longer ones).
    pub trend: Vec<Group>,
    /// Per priority.
    pub by_priority: Vec<Group>,
    /// Per client.
    pub by_client: Vec<Group>,
    /// Per line holding the ticket.
    pub by_line: Vec<Group>,
    /// Per assigned engineer (`-` for none).
    pub by_engineer: Vec<Group>,
    /// Every breached timer, the longest overrun first.
    pub breaches: Vec<TimerRow>,
}

/// A report that cannot be made as asked.
#[derive(Debug, thiserror::Error)]
pub enum SlaError {
    /// The period ends before it starts.
    #[error("--from {from} is after --to {to}")]
    EmptyPeriod {
        /// First day.
        from: NaiveDate,
        /// Last day.
        to: NaiveDate,
    },
    /// No such client.
    #[error("no client named {0}")]
    UnknownClient(String),
    /// Reading the replica failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Each client's contract and support-hours calendar, by client id.
pub(super) type Calendars = (BTreeMap<i64, Contract>, HashMap<i64, Calendar>);

pub(super) fn calendars(conn: &rusqlite::Connection) -> Result<Calendars, StoreError> {
    let contracts = contracts_in(conn)?;
    let mut cals = HashMap::new();
    let mut stmt = conn.prepare_cached("SELECT id, time_zone FROM clients")?;
    let rows = stmt.query_map([], |x| Ok((x.get::<_, i64>(0)?, x.get::<_, String>(1)?)))?;
    for row in rows {
        let (id, tz) = row?;
        let tz: Tz = tz.parse().unwrap_or(chrono_tz::UTC);
        let hours = contracts.get(&id).map(|c| c.support.clone()).unwrap_or(super::SupportHours::AllDay);
        cals.insert(id, Calendar::new(hours, tz));
    }
    Ok((contracts, cals))
}

fn client_id(r: &Replica, client: &str) -> Result<i64, SlaError> {
    super::contract::find_client(r.conn(), client)?.ok_or_else(|| SlaError::UnknownClient(client.to_string()))
}

fn row(t: &Loaded, kind: TimerKind, clock: Timer) -> TimerRow {
    TimerRow {
        number: t.number.clone(),
        subject: t.subject.clone(),
        client: t.client.clone(),
        priority: t.priority,
        line: t.line,
        status: t.status,
        assignee: t.assignee.clone(),
        timer: kind,
        clock,
    }
}

fn groups(map: BTreeMap<String, Group>) -> Vec<Group> {
    map.into_values().collect()
}

fn bump(map: &mut BTreeMap<String, Group>, key: String, reaction: Option<&Timer>, resolution: &Timer) {
    let g = map.entry(key.clone()).or_insert_with(|| Group { key, tickets: 0, reaction: Compliance::default(), resolution: Compliance::default() });
    g.tickets += 1;
    if let Some(t) = reaction {
        g.reaction.add(t);
    }
    g.resolution.add(resolution);
}

/// SLA compliance of the tickets registered in the period.
pub fn sla_report(r: &Replica, q: &SlaQuery) -> Result<SlaReport, SlaError> {
    if q.from > q.to {
        return Err(SlaError::EmptyPeriod { from: q.from, to: q.to });
    }
    let lo = start_of_day(q.tz, q.from).timestamp();
    // Tickets registered after "now" do not exist yet.
    let hi = start_of_day(q.tz, q.to.succ_opt().expect("dates stay in range")).timestamp().min(q.now.timestamp() + 1);
    let client = q.client.as_deref().map(|c| client_id(r, c)).transpose()?;
    let tickets = match client {
        // `+client_id`: read the period through its index, not all of the client's years.
        Some(id) => load(r.conn(), "t.created_at >= ?1 AND t.created_at < ?2 AND +t.client_id = ?3", &[&lo, &hi, &id])?,
        None => load(r.conn(), "t.created_at >= ?1 AND t.created_at < ?2", &[&lo, &hi])?,
    };
    let (contracts, cals) = calendars(r.conn())?;
    let default = Contract::default();
    let daily = (q.to - q.from).num_days() < 62;
    let mut report = SlaReport {
        from: q.from,
        to: q.to,
        time_zone: q.tz.name().to_string(),
        client: q.client.clone(),
        tickets: 0,
        reaction: Compliance::default(),
        resolution: Compliance::default(),
        trend: Vec::new(),
        by_priority: Vec::new(),
        by_client: Vec::new(),
        by_line: Vec::new(),
        by_engineer: Vec::new(),
        breaches: Vec::new(),
    };
    let (mut trend, mut prio, mut cli, mut line, mut eng) = (BTreeMap::new(), BTreeMap::new(), BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
    let all_day = Calendar::all_day();
    for t in &tickets {
        let contract = contracts.get(&t.client_id).unwrap_or(&default);
        let cal = cals.get(&t.client_id).unwrap_or(&all_day);
        let input = t.input();
        let reaction = timer::reaction(contract, cal, &input, q.now);
        let resolution = timer::resolution(contract, cal, &input, q.now);
        report.tickets += 1;
        if let Some(x) = &reaction {
            report.reaction.add(x);
        }
        report.resolution.add(&resolution);
        let day = t.created_at.with_timezone(&q.tz).date_naive();
        let bucket = if daily { day } else { day - Duration::days(i64::from(day.weekday().num_days_from_monday())) };
        bump(&mut trend, bucket.to_string(), reaction.as_ref(), &resolution);
        bump(&mut prio, t.priority.to_string(), reaction.as_ref(), &resolution);
        bump(&mut cli, t.client.clone(), reaction.as_ref(), &resolution);
        bump(&mut line, t.line.to_string(), reaction.as_ref(), &resolution);
        bump(&mut eng, t.assignee.clone().unwrap_or_else(|| "-".into()), reaction.as_ref(), &resolution);
        if let Some(x) = reaction.filter(Timer::breached) {
            report.breaches.push(row(t, TimerKind::Reaction, x));
        }
        if resolution.breached() {
            report.breaches.push(row(t, TimerKind::Resolution, resolution));
        }
    }
    // Ties stay in the order the tickets were read: their registration (a ticket number's
    // spelling says nothing of it: RT-10 is after RT-9).
    report.breaches.sort_by_key(|b| b.clock.left_seconds());
    report.trend = groups(trend);
    report.by_priority = groups(prio);
    report.by_client = groups(cli);
    report.by_line = groups(line);
    report.by_engineer = groups(eng);
    Ok(report)
}

/// The open tickets whose running timer has at most `within` support time left (or is
/// already past), the earliest breach first. Paused clocks are left out: they cannot breach
/// while paused.
pub fn at_risk(r: &Replica, now: DateTime<Utc>, within: Duration) -> Result<Vec<TimerRow>, StoreError> {
    let tickets = load(r.conn(), "t.status NOT IN ('completed', 'closed')", &[])?;
    let (contracts, cals) = calendars(r.conn())?;
    let default = Contract::default();
    let all_day = Calendar::all_day();
    let mut out = Vec::new();
    for t in &tickets {
        let contract = contracts.get(&t.client_id).unwrap_or(&default);
        let cal = cals.get(&t.client_id).unwrap_or(&all_day);
        let input = t.input();
        let (kind, clock) = match timer::reaction(contract, cal, &input, now).filter(|x| !x.done) {
            Some(x) => (TimerKind::Reaction, x),
            None => (TimerKind::Resolution, timer::resolution(contract, cal, &input, now)),
        };
        if !clock.paused && !clock.done && clock.left_seconds() <= within.num_seconds() {
            out.push(row(t, kind, clock));
        }
    }
    // By the moment of the breach on the wall clock: on office-hours contracts a few support
    // minutes left at closing time last until the next morning. Ties stay in the replica's
    // order, as the breaches do.
    out.sort_by_key(|x| (x.clock.deadline_at.is_none(), x.clock.deadline_at, x.clock.left_seconds()));
    Ok(out)
}

/// A client's SLA for one calendar month (in the client's zone).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "sla.ts")]
pub struct ClientMonth {
    /// Client.
    pub client: String,
    /// Contract number.
    pub contract_no: String,
    /// `YYYY-MM`.
    pub month: String,
    /// The client's zone.
    pub time_zone: String,
    /// Tickets registered in the month.
    pub tickets: u64,
    /// Reaction compliance.
    pub reaction: Compliance,
    /// Resolution compliance.
    pub resolution: Compliance,
    /// Reaction and resolution breaches, the longest overrun first.
    pub breaches: Vec<TimerRow>,
    /// Minutes the client's service was down: priority-1 incidents from registration to
    /// completion (overlaps counted once), within the month.
    pub downtime_minutes: i64,
    /// Availability in percent of the month.
    pub availability: f64,
    /// The contract's availability target.
    pub availability_target: f64,
    /// Resolution breaches × credit per breach + the availability credit when missed, capped;
    /// percent of the monthly fee.
    pub credit_percent: f64,
    /// `credit_percent` of the monthly fee.
    pub compensation: f64,
    /// Currency of the fee.
    pub currency: String,
}

/// The month's SLA report for one client. `month` is its first day.
pub fn client_month(r: &Replica, client: &str, month: NaiveDate, now: DateTime<Utc>) -> Result<ClientMonth, SlaError> {
    let id = client_id(r, client)?;
    let (name, contract_no, tz): (String, String, String) =
        r.conn().query_row("SELECT name, contract_no, time_zone FROM clients WHERE id = ?1", [id], |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?))).map_err(StoreError::from)?;
    let tz: Tz = tz.parse().unwrap_or(chrono_tz::UTC);
    let first = month.with_day(1).expect("day 1 exists");
    let next = first.checked_add_months(chrono::Months::new(1)).expect("dates stay in range");
    let report = sla_report(r, &SlaQuery { from: first, to: next.pred_opt().expect("in range"), tz, client: Some(client.to_string()), now })?;
    let contracts = contracts_in(r.conn())?;
    let contract = contracts.get(&id).cloned().unwrap_or_default();
    let (lo, hi) = (start_of_day(tz, first), start_of_day(tz, next).min(now.max(start_of_day(tz, first))));
    // Outages: priority-1 incidents overlapping the month, merged. Candidates are those
    // registered from 92 days before the month to its end, and those still open (an outage
    // registered earlier than that and completed within the month is not counted).
    let outages = load(
        r.conn(),
        "t.client_id = ?1 AND t.kind = 'incident' AND t.priority = 1 AND t.created_at < ?2 AND t.id IN (
             SELECT id FROM tickets WHERE created_at >= ?3 AND created_at < ?2
             UNION SELECT id FROM tickets WHERE status NOT IN ('completed', 'closed'))",
        &[&id, &hi.timestamp(), &(lo - Duration::days(92)).timestamp()],
    )?;
    let mut spans: Vec<(DateTime<Utc>, DateTime<Utc>)> = outages
        .iter()
        .map(|t| {
            let end = timer::resolution(&contract, &Calendar::all_day(), &t.input(), now).ended_at.unwrap_or(now);
            (t.created_at.max(lo), end.min(hi))
        })
        .filter(|(a, b)| b > a)
        .collect();
    spans.sort();
    let mut down = 0i64;
    let mut cursor = lo;
    for (a, b) in spans {
        let a = a.max(cursor);
        if b > a {
            down += (b - a).num_seconds();
            cursor = b;
        }
    }
    let month_seconds = (hi - lo).num_seconds().max(1);
    let availability = ((1.0 - down as f64 / month_seconds as f64) * 100_000.0).round() / 1000.0;
    let resolution_breaches = report.breaches.iter().filter(|b| b.timer == TimerKind::Resolution).count() as f64;
    let mut credit = resolution_breaches * contract.credit_percent_per_breach;
    if availability < contract.availability_target {
        credit += contract.credit_percent_availability;
    }
    let credit = credit.min(contract.credit_cap_percent);
    Ok(ClientMonth {
        client: name,
        contract_no,
        month: first.format("%Y-%m").to_string(),
        time_zone: tz.name().to_string(),
        tickets: report.tickets,
        reaction: report.reaction,
        resolution: report.resolution,
        breaches: report.breaches,
        downtime_minutes: down / 60,
        availability,
        availability_target: contract.availability_target,
        credit_percent: credit,
        compensation: (contract.monthly_fee * credit).round() / 100.0,
        currency: contract.currency,
    })
}

//! The built-in demo: a realistic, deterministic queue a support lead recognises.
//! 180–260 tickets a day, more by day than by night in Moscow time, fewer at weekends;
//! clients in Moscow, Almaty, New York and Toronto whose tickets follow their own
//! working hours; every channel and status; 6 + 3 shift engineers, 20 + 2 specialists
//! on the third line, a lead and a deputy.

mod catalog;
mod lifecycle;
mod rng;

use crate::domain::{Channel, Contact, Kind, Level, RequestType, StaffMember};
use crate::store::bulk::Rows;
use crate::store::{reference, settings, tickets, to_ts, Replica, StoreError};
use catalog::{DemoClient, CLIENTS, STAFF};
use chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
pub use rng::Rng;
use serde::Serialize;

/// What demo to write.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// How many days of history, ending at `now`.
    pub days: u32,
    /// Seed: the same seed and `now` give the same replica.
    pub seed: u64,
    /// The moment the demo's queue is seen at.
    pub now: DateTime<Utc>,
}

/// What was written.
#[derive(Debug, Clone, Serialize)]
pub struct DemoSummary {
    /// Tickets written.
    pub tickets: u64,
    /// History entries written.
    pub history_entries: u64,
    /// Comments written.
    pub comments: u64,
    /// Clients.
    pub clients: usize,
    /// Staff.
    pub staff: usize,
    /// First ticket's registration.
    pub from: DateTime<Utc>,
    /// The demo's "now".
    pub until: DateTime<Utc>,
}

/// Why the demo was not written.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// Never overwrite or mix into a replica that holds tickets.
    #[error("{0} already holds {1} tickets; the demo is written only into an empty replica (choose another --db)")]
    NotEmpty(String, u32),
    /// The replica belongs to a real desk.
    #[error("this replica was connected to {0}: the demo is written only into a replica never connected to an ITSM (choose another --db)")]
    Connected(String),
    /// A nonsensical length.
    #[error("--days must be between 1 and {MAX_DAYS}, got {0}")]
    Days(u32),
    /// Writing failed; nothing was stored.
    #[error(transparent)]
    Store(#[from] StoreError),
}

const MOSCOW: Tz = chrono_tz::Europe::Moscow;

/// Tickets simulated, then written, at a time.
const BATCH: usize = 10_000;

/// Days of demo that hold about `tickets` tickets (some 220 a day).
pub fn days_for(tickets: u64) -> u32 {
    u32::try_from(tickets / 220).unwrap_or(MAX_DAYS).clamp(1, MAX_DAYS)
}

/// The longest demo: about 12 years, some 1,000,000 tickets.
pub const MAX_DAYS: u32 = 4600;

/// Tickets a Moscow day brings, before noise: Monday busiest, falling through the week,
/// weekends lower (but, with monitoring and night updates, never below 180).
fn day_target(weekday: u32) -> f64 {
    [250.0, 240.0, 236.0, 230.0, 222.0, 192.0, 186.0][weekday as usize]
}

/// How likely a client's ticket is at this local hour on this local weekday (0 = Monday).
fn client_profile(c: &DemoClient, hour: u32, weekday: u32) -> f64 {
    let office = match hour {
        0..=5 => 0.04,
        6 => 0.1,
        7 => 0.3,
        8 => 0.75,
        9..=11 => 1.0,
        12 => 0.6,
        13 => 0.85,
        14..=16 => 0.95,
        17 => 0.6,
        18 => 0.35,
        19..=21 => 0.18,
        _ => 0.09,
    };
    let night = if c.night_updates && (hour >= 22 || hour <= 3) { 0.35 } else { 0.0 };
    let weekend = if weekday >= 5 { 0.3 } else { 1.0 };
    (office + night) * weekend
}

/// Monitoring alerts come round the clock, somewhat more while systems are busy by day.
fn alert_profile(moscow_hour: u32) -> f64 {
    if (8..22).contains(&moscow_hour) {
        1.0
    } else {
        0.6
    }
}

/// A demo client's SLA: clients that run night updates buy round-the-clock support, the others
/// office hours in their own zone with their country's public holidays; the bank also stops
/// the clock while a third party works.
fn demo_contract(c: &DemoClient, opts: &DemoOptions) -> crate::sla::Contract {
    use crate::sla::{Contract, SupportHours};
    let mut contract = Contract { monthly_fee: (c.weight * 250_000.0).round(), ..Contract::default() };
    if c.name == "Гранит Банк" {
        contract.pause_in.push(crate::domain::Status::ExternalProcessing);
        contract.availability_target = 99.95;
    }
    if !c.night_updates {
        let fixed: &[(u32, u32)] = match c.tz {
            "Europe/Moscow" => &[(1, 1), (1, 2), (1, 7), (2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4)],
            "Asia/Almaty" => &[(1, 1), (1, 2), (3, 8), (3, 21), (3, 22), (5, 1), (5, 9), (7, 6), (12, 16)],
            "America/Toronto" => &[(1, 1), (7, 1), (12, 25), (12, 26)],
            _ => &[(1, 1), (7, 4), (12, 25)],
        };
        let mut hours = SupportHours::office();
        if let SupportHours::Business { holidays, .. } = &mut hours {
            let first = (opts.now - chrono::Duration::days(i64::from(opts.days))).year();
            for year in first..=opts.now.year() + 1 {
                holidays.extend(fixed.iter().filter_map(|(m, d)| chrono::NaiveDate::from_ymd_opt(year, *m, *d)));
            }
        }
        contract.support = hours;
        contract.reaction_minutes = [30, 60, 120, 240, 480];
        contract.resolution_hours = [8, 16, 24, 40, 80];
    }
    if !c.russian {
        contract.currency = "USD".into();
        contract.monthly_fee = (c.weight * 4_000.0).round();
    }
    contract
}

/// Writes the demo into an empty replica, all in one transaction.
pub fn write_demo(r: &mut Replica, opts: &DemoOptions) -> Result<DemoSummary, DemoError> {
    if opts.days == 0 || opts.days > MAX_DAYS {
        return Err(DemoError::Days(opts.days));
    }
    let existing = crate::store::queue::info(r)?.tickets;
    if existing > 0 {
        return Err(DemoError::NotEmpty(r.path().display().to_string(), existing));
    }
    // A replica that was ever connected belongs to a real desk: no invented tickets in it.
    let identity = crate::sync::credentials::identity(r).map_err(|e| match e {
        crate::sync::credentials::CredentialError::Store(s) => DemoError::Store(s),
        other => DemoError::Store(crate::store::StoreError::InvalidValue(other.to_string())),
    })?;
    if let Some(c) = identity {
        return Err(DemoError::Connected(format!("{} at {}", c.kind, c.url)));
    }
    let matrix = settings::matrix(r)?;
    let summary = r.write(|tx| {
        let catalogue = RequestType::default_catalogue();
        for t in &catalogue {
            reference::upsert_request_type(tx, t)?;
        }
        let mut desk = lifecycle::Desk::default();
        for s in STAFF {
            let member = StaffMember {
                id: 0,
                name: s.name.into(),
                role: s.role,
                skills: s.skills.to_vec(),
                languages: if s.tz.starts_with("America") { vec!["en".into(), "fr".into()] } else { vec!["ru".into(), "en".into()] },
                office: s.office.into(),
                time_zone: s.tz.into(),
            };
            let id = reference::insert_staff(tx, &member)?;
            desk.add(id, s);
        }
        let mut client_ids = Vec::new();
        // Each client's contract and support calendar: the deadline of each simulated life.
        let mut clocks = Vec::new();
        for c in CLIENTS {
            let contacts: Vec<Contact> = c
                .contacts
                .iter()
                .enumerate()
                .map(|(i, name)| Contact {
                    name: (*name).into(),
                    email: format!("{}@{}", ["support", "it", "ops"][i], c.domain),
                    phone: Some(format!("+7 495 555-{:02}-{:02}", i + 10, c.contract.len())),
                })
                .collect();
            let id = reference::insert_client(tx, c.name, c.contract, c.tz, &contacts)?;
            let terms = demo_contract(c, opts);
            let contract = serde_json::to_string(&terms).expect("a contract serialises");
            crate::sla::contract::set_contract_in(tx, id, &contract)?;
            let zone = c.tz.parse().unwrap_or(chrono_tz::UTC);
            clocks.push((crate::sla::Calendar::new(terms.support.clone(), zone), terms));
            client_ids.push(id);
        }

        let mut rng = Rng::new(opts.seed);
        let arrivals = arrivals(&mut rng, opts);
        let mut out = DemoSummary { tickets: 0, history_entries: 0, comments: 0, clients: CLIENTS.len(), staff: STAFF.len(), from: opts.now, until: opts.now };
        // Tickets' lives are simulated on a second thread while this one writes them: by
        // batches of tickets (see TicketBatch), their history and comments many rows per
        // statement, with a cache big enough to hold what the batch touches.
        let cache: i64 = tx.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        tx.execute_batch("PRAGMA cache_size = -262144")?;
        let (send, lives) = std::sync::mpsc::sync_channel::<Vec<lifecycle::Sim>>(1);
        let written = std::thread::scope(|scope| {
            let (desk, matrix, catalogue, arrivals, clocks) = (&desk, &matrix, &catalogue, &arrivals, &clocks);
            scope.spawn(move || {
                for (n, chunk) in arrivals.chunks(BATCH).enumerate() {
                    let lives = chunk.iter().enumerate().map(|(i, a)| {
                        let mut sim = lifecycle::simulate(&mut rng, desk, matrix, catalogue, a, CLIENTS[a.client].russian, opts.now);
                        let prefix = if sim.ticket.kind == Kind::Incident { "INC" } else { "REQ" };
                        sim.ticket.number = format!("{prefix}{:07}", 100_000 + n * BATCH + i);
                        sim.ticket.client_id = client_ids[a.client];
                        let (cal, contract) = &clocks[a.client];
                        sim.ticket.deadline = Some(crate::sla::deadline::of_new(contract, cal, &sim.ticket, sim.priority, sim.model_hours, &sim.history, opts.now));
                        sim
                    });
                    if send.send(lives.collect()).is_err() {
                        return; // the writer stopped on an error
                    }
                }
            });
            write_lives(tx, matrix, lives, &mut out)
        });
        let restored = tx.execute_batch(&format!("PRAGMA cache_size = {cache}"));
        written?;
        restored?;
        out.from = arrivals.first().map_or(opts.now, |a| a.at);
        roster_demo(tx, opts.now)?;
        // Said on the status line: the desk on screen is invented.
        settings::put(tx, DEMO_KEY, &format!("{} days, seed {}", opts.days, opts.seed))?;
        Ok(out)
    })?;
    Ok(summary)
}

/// The setting that marks a replica holding the demo.
pub(crate) const DEMO_KEY: &str = "demo";

/// Writes simulated tickets, their history and their comments as they arrive.
fn write_lives(
    tx: &rusqlite::Connection,
    matrix: &crate::domain::PriorityMatrix,
    lives: std::sync::mpsc::Receiver<Vec<lifecycle::Sim>>,
    out: &mut DemoSummary,
) -> Result<(), StoreError> {
    let mut batch = tickets::TicketBatch::begin(tx)?;
    let mut history = Rows::new("ticket_history (ticket_id, at, actor, field, old_value, new_value, reason)", 7);
    let mut comments = Rows::new("comments (ticket_id, at, author, body)", 4);
    // The tickets first: history and comments refer to them. Each ticket carries the deadline
    // its simulated life gives it.
    let flush = |batch: &mut tickets::TicketBatch, history: &mut Rows, comments: &mut Rows| -> Result<(), StoreError> {
        batch.flush(tx)?;
        history.flush(tx)?;
        comments.flush(tx)?;
        Ok(())
    };
    for sim in lives.into_iter().flatten() {
        let id = batch.add(tx, matrix, &sim.ticket)?;
        out.tickets += 1;
        out.history_entries += sim.history.len() as u64;
        out.comments += sim.comments.len() as u64;
        for h in sim.history {
            history.push([id.into(), to_ts(h.at).into(), h.actor.into(), h.field.into(), h.old_value.into(), h.new_value.into(), h.reason.into()]);
        }
        for c in sim.comments {
            comments.push([id.into(), to_ts(c.at).into(), c.author.into(), c.body.into()]);
        }
        if batch.len() == BATCH {
            flush(&mut batch, &mut history, &mut comments)?;
        }
    }
    flush(&mut batch, &mut history, &mut comments)
}

/// The demo's rosters: the Russian holidays, the nine first- and second-line engineers spread
/// over the four crews of the 2/2 rotation (so the shortfall shows), everyone else on 5/2,
/// and the current month generated as a draft.
fn roster_demo(tx: &rusqlite::Connection, now: DateTime<Utc>) -> Result<(), crate::roster::RosterError> {
    use crate::roster::{data, month};
    let (holidays, transfers) = data::russian_calendar();
    data::add_holidays_in(tx, &holidays, "holiday")?;
    data::add_holidays_in(tx, &transfers, "transfer")?;
    let today = now.with_timezone(&MOSCOW).date_naive();
    data::assign_default_rotations(tx, today)?;
    month::generate_in(tx, crate::roster::first_of(today), now)
}

/// One ticket's arrival: when, from which client, through which channel.
#[derive(Debug, Clone)]
pub(crate) struct Arrival {
    pub at: DateTime<Utc>,
    pub client: usize,
    pub channel: Channel,
    pub kind: Kind,
    pub urgency: Level,
}

/// The arrival times of the whole period, oldest first.
fn arrivals(rng: &mut Rng, opts: &DemoOptions) -> Vec<Arrival> {
    let start = opts.now - Duration::days(i64::from(opts.days));
    let first_day = start.with_timezone(&MOSCOW).date_naive();
    let last_day = opts.now.with_timezone(&MOSCOW).date_naive();
    let weights: Vec<f64> = CLIENTS.iter().map(|c| c.weight).collect();
    let zones: Vec<Tz> = CLIENTS.iter().map(|c| c.tz.parse().expect("demo zones are valid")).collect();
    let mut out = Vec::new();
    let mut day = first_day;
    while day <= last_day {
        let day_start = crate::analytics::load::start_of_day(MOSCOW, day);
        let day_end = crate::analytics::load::start_of_day(MOSCOW, day.succ_opt().expect("a next day"));
        let seconds = (day_end - day_start).num_seconds();
        let noise = rng.between(-12, 12) as f64;
        let total = (day_target(day.weekday().num_days_from_monday()) + noise).clamp(180.0, 260.0) as usize;
        for _ in 0..total {
            let alert = rng.chance(0.13);
            let client = rng.weighted(&weights);
            // Rejection sampling: a moment of the Moscow day, kept as likely as the source's profile.
            let at = loop {
                let t = day_start + Duration::seconds(rng.between(0, seconds - 1));
                let p = if alert {
                    alert_profile(t.with_timezone(&MOSCOW).hour())
                } else {
                    let local = t.with_timezone(&zones[client]);
                    client_profile(&CLIENTS[client], local.hour(), local.weekday().num_days_from_monday()) / 1.35
                };
                if rng.chance(p) {
                    break t;
                }
            };
            if at < start || at > opts.now {
                continue;
            }
            let urgency = Level::ALL[rng.weighted(&[0.05, 0.15, 0.40, 0.30, 0.10])];
            let (channel, kind) = if alert {
                (Channel::Monitoring, Kind::Incident)
            } else {
                let kind = if rng.chance(0.62) { Kind::Incident } else { Kind::Request };
                // Phone is the recommended channel for high and very high urgency.
                let phone = if matches!(urgency, Level::VeryHigh | Level::High) { 0.45 } else { 0.12 };
                let telegram = if CLIENTS[client].russian { 0.04 } else { 0.0 };
                let ch = [Channel::Email, Channel::Portal, Channel::Phone, Channel::Telegram][rng.weighted(&[0.50, 0.34, phone, telegram])];
                (ch, kind)
            };
            out.push(Arrival { at, client, channel, kind, urgency });
        }
        day = day.succ_opt().expect("a next day");
    }
    out.sort_by_key(|a| a.at);
    // The newest ticket has just arrived: the lead always sees one still waiting for triage.
    if let Some(last) = out.last_mut() {
        last.at = opts.now;
    }
    out
}

/// Rounds `t` down to the minute, so demo times look like real ones.
pub(crate) fn minute(t: DateTime<Utc>) -> DateTime<Utc> {
    Utc.timestamp_opt(t.timestamp() - t.timestamp().rem_euclid(60), 0).single().unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::lifecycle;
    use crate::domain::{Role, Status};
    use crate::store::reference;
    use chrono::NaiveDate;
    use std::collections::{BTreeMap, HashMap};

    fn demo(days: u32) -> Replica {
        let mut r = Replica::open_in_memory().unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap();
        write_demo(&mut r, &DemoOptions { days, seed: 1, now }).unwrap();
        r
    }

    fn column<T: rusqlite::types::FromSql>(r: &Replica, sql: &str) -> Vec<T> {
        let mut stmt = r.conn().prepare(sql).unwrap();
        let rows = stmt.query_map([], |row| row.get(0)).unwrap();
        rows.map(|x| x.unwrap()).collect()
    }

    #[test]
    fn every_whole_moscow_day_has_180_to_260_tickets_and_weekends_are_quieter() {
        let r = demo(28);
        let mut per_day: BTreeMap<NaiveDate, u32> = BTreeMap::new();
        for ts in column::<i64>(&r, "SELECT created_at FROM tickets") {
            *per_day.entry(DateTime::from_timestamp(ts, 0).unwrap().with_timezone(&MOSCOW).date_naive()).or_default() += 1;
        }
        // The first and last days are partial.
        let whole: Vec<(NaiveDate, u32)> = per_day.iter().skip(1).take(per_day.len() - 2).map(|(d, n)| (*d, *n)).collect();
        assert!(whole.len() >= 26);
        for (day, n) in &whole {
            assert!((180..=260).contains(n), "{day}: {n} tickets");
        }
        let avg = |weekend: bool| {
            let v: Vec<u32> = whole.iter().filter(|(d, _)| (d.weekday().num_days_from_monday() >= 5) == weekend).map(|x| x.1).collect();
            v.iter().sum::<u32>() as f64 / v.len() as f64
        };
        assert!(avg(false) > avg(true) + 20.0, "weekday {} vs weekend {}", avg(false), avg(true));
        let week: u32 = whole.iter().take(7).map(|x| x.1).sum();
        assert!((1300..=1800).contains(&week), "a week has {week} tickets");
    }

    #[test]
    fn the_demo_has_every_status_channel_and_kind_with_email_first() {
        let r = demo(28);
        let statuses: Vec<Status> = column(&r, "SELECT DISTINCT status FROM tickets");
        assert_eq!(statuses.len(), Status::ALL.len(), "{statuses:?}");
        let mut channels: HashMap<String, u32> = HashMap::new();
        for c in column::<String>(&r, "SELECT channel FROM tickets") {
            *channels.entry(c).or_default() += 1;
        }
        assert_eq!(channels.len(), 5, "{channels:?}");
        assert!(channels["email"] > channels["portal"] && channels["portal"] > channels["phone"], "{channels:?}");
        assert!(channels["monitoring"] > 0);
        let kinds: Vec<String> = column(&r, "SELECT DISTINCT kind FROM tickets ORDER BY kind");
        assert_eq!(kinds, ["incident", "request"]);
        let flagged: Vec<i64> = column(&r, "SELECT count(*) FROM tickets WHERE contact_authorised = 0 AND channel = 'email'");
        assert!(flagged[0] > 0, "some e-mails come from unauthorised addresses");
        let lines: Vec<i64> = column(&r, "SELECT DISTINCT line FROM tickets ORDER BY line");
        assert_eq!(lines, [1, 2, 3]);
    }

    #[test]
    fn every_demo_history_follows_the_lifecycle() {
        let r = demo(14);
        let mut stmt = r
            .conn()
            .prepare("SELECT t.id, t.status, h.old_value, h.new_value FROM tickets t JOIN ticket_history h ON h.ticket_id = t.id AND h.field = 'status' ORDER BY t.id, h.at, h.id")
            .unwrap();
        let rows: Vec<(i64, Status, Option<String>, String)> = stmt.query_map([], |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?, x.get(3)?))).unwrap().map(|x| x.unwrap()).collect();
        let mut last: HashMap<i64, (Status, Status)> = HashMap::new();
        for (id, current, old, new) in rows {
            let new: Status = new.parse().unwrap();
            match old {
                None => assert_eq!(new, Status::Registered),
                Some(old) => {
                    let old: Status = old.parse().unwrap();
                    assert_eq!(last[&id].1, old, "ticket {id}: history is continuous");
                    assert!(old.next().contains(&new), "ticket {id}: {old} -> {new}");
                }
            }
            last.insert(id, (current, new));
        }
        for (id, (current, final_in_history)) in last {
            assert_eq!(current, final_in_history, "ticket {id}: its status is the last in its history");
        }
        // Information needed and External processing always came with a comment at that moment.
        let missing: Vec<i64> = column(
            &r,
            "SELECT count(*) FROM ticket_history h WHERE h.field = 'status' AND h.new_value IN ('information-needed', 'external-processing')
             AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.ticket_id = h.ticket_id AND c.at = h.at)",
        );
        assert_eq!(missing[0], 0);
        // Completed tickets older than three days are closed.
        let stale: Vec<i64> =
            column(&r, &format!("SELECT count(*) FROM tickets WHERE status = 'completed' AND completed_at < {}", Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap().timestamp()));
        assert_eq!(stale[0], 0);
        assert!(!lifecycle::is_due_for_auto_close(Status::Completed, None, Utc::now()));
    }

    #[test]
    fn the_demo_desk_has_the_promised_people_and_zones() {
        let r = demo(1);
        let staff = reference::staff(&r).unwrap();
        let count = |role: Role| staff.iter().filter(|s| s.role == role).count();
        assert_eq!((count(Role::Line1), count(Role::Line2), count(Role::Line3), count(Role::Lead), count(Role::Deputy)), (6, 3, 20, 1, 1));
        assert!(staff.iter().filter(|s| s.role == Role::Line3).all(|s| !s.skills.is_empty()));
        let mut zones: Vec<String> = reference::clients(&r).unwrap().into_iter().map(|c| c.time_zone).collect();
        zones.sort();
        zones.dedup();
        assert_eq!(zones, ["America/New_York", "America/Toronto", "Asia/Almaty", "Europe/Moscow"]);
    }

    #[test]
    fn the_same_seed_writes_the_same_replica_across_batches_numbered_without_gaps() {
        let days = days_for(BATCH as u64 * 3 / 2);
        let (a, b) = (demo(days), demo(days));
        let digest = |r: &Replica, sql: &str| column::<String>(r, sql);
        for sql in [
            "SELECT number || '|' || status || '|' || line || '|' || coalesce(assignee_id, '') || '|' || created_at || '|' || subject FROM tickets ORDER BY id",
            "SELECT ticket_id || '|' || at || '|' || field || '|' || coalesce(new_value, '') FROM ticket_history ORDER BY id",
            "SELECT ticket_id || '|' || at || '|' || author || '|' || body FROM comments ORDER BY id",
        ] {
            let (x, y) = (digest(&a, sql), digest(&b, sql));
            assert_eq!(x.len(), y.len(), "{sql}");
            assert!(x == y, "{sql}: the same seed wrote something else");
        }
        let numbers: Vec<i64> = column(&a, "SELECT CAST(substr(number, 4) AS INTEGER) FROM tickets ORDER BY id");
        assert!(numbers.len() > BATCH, "more than one batch: {}", numbers.len());
        assert!(numbers.iter().enumerate().all(|(i, n)| *n == 100_000 + i as i64), "numbered in order without gaps");
        let orphans: Vec<i64> = column(&a, "SELECT count(*) FROM ticket_history h LEFT JOIN tickets t ON t.id = h.ticket_id WHERE t.id IS NULL");
        assert_eq!(orphans[0], 0);
        let first_history: Vec<i64> = column(&a, "SELECT count(*) FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM ticket_history h WHERE h.ticket_id = t.id)");
        assert_eq!(first_history[0], 0, "every ticket, in every batch, has its history");
    }

    #[test]
    fn the_demo_is_never_written_into_a_replica_that_holds_tickets() {
        let mut r = demo(1);
        let before = crate::store::queue::info(&r).unwrap().tickets;
        let err = write_demo(&mut r, &DemoOptions { days: 1, seed: 2, now: Utc::now() }).unwrap_err();
        assert!(matches!(err, DemoError::NotEmpty(_, n) if n == before));
        assert_eq!(crate::store::queue::info(&r).unwrap().tickets, before);
    }
}

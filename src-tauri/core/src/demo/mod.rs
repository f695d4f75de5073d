//! The built-in demo: a realistic, deterministic queue a support lead recognises.
//! 180–260 tickets a day, more by day than by night in Moscow time, fewer at weekends;
//! clients in Moscow, Almaty, New York and Toronto whose tickets follow their own
//! working hours; every channel and status; 6 + 3 shift engineers, 20 + 2 specialists
//! on the third line, a lead and a deputy.

mod catalog;
mod lifecycle;
mod rng;

use crate::domain::{Channel, Contact, Kind, Level, RequestType, StaffMember};
use crate::store::{reference, settings, tickets, Replica, StoreError};
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
    /// A nonsensical length.
    #[error("--days must be between 1 and 3660, got {0}")]
    Days(u32),
    /// Writing failed; nothing was stored.
    #[error(transparent)]
    Store(#[from] StoreError),
}

const MOSCOW: Tz = chrono_tz::Europe::Moscow;

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

/// Writes the demo into an empty replica, all in one transaction.
pub fn write_demo(r: &mut Replica, opts: &DemoOptions) -> Result<DemoSummary, DemoError> {
    if opts.days == 0 || opts.days > 3660 {
        return Err(DemoError::Days(opts.days));
    }
    let existing = crate::store::queue::info(r)?.tickets;
    if existing > 0 {
        return Err(DemoError::NotEmpty(r.path().display().to_string(), existing));
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
        for c in CLIENTS {
            let contacts: Vec<Contact> = c
                .contacts
                .iter()
                .enumerate()
                .map(|(i, name)| Contact { name: (*name).into(), email: format!("{}@{}", ["support", "it", "ops"][i], c.domain), phone: Some(format!("+7 495 555-{:02}-{:02}", i + 10, c.contract.len())) })
                .collect();
            client_ids.push(reference::insert_client(tx, c.name, c.contract, c.tz, &contacts)?);
        }

        let mut rng = Rng::new(opts.seed);
        let arrivals = arrivals(&mut rng, opts);
        let mut out = DemoSummary { tickets: 0, history_entries: 0, comments: 0, clients: CLIENTS.len(), staff: STAFF.len(), from: opts.now, until: opts.now };
        for (seq, a) in arrivals.iter().enumerate() {
            let sim = lifecycle::simulate(&mut rng, &desk, &matrix, &catalogue, a, CLIENTS[a.client].russian, opts.now);
            let prefix = if sim.ticket.kind == Kind::Incident { "INC" } else { "REQ" };
            let mut ticket = sim.ticket;
            ticket.number = format!("{prefix}{:07}", 100_000 + seq);
            ticket.client_id = client_ids[a.client];
            let id = tickets::insert_ticket(tx, &matrix, &ticket)?;
            for h in &sim.history {
                tickets::add_history(tx, id, h)?;
            }
            for c in &sim.comments {
                tickets::add_comment(tx, id, c)?;
            }
            out.tickets += 1;
            out.history_entries += sim.history.len() as u64;
            out.comments += sim.comments.len() as u64;
            out.from = out.from.min(a.at);
        }
        Ok(out)
    })?;
    Ok(summary)
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
    out
}

/// Rounds `t` down to the minute, so demo times look like real ones.
pub(crate) fn minute(t: DateTime<Utc>) -> DateTime<Utc> {
    Utc.timestamp_opt(t.timestamp() - t.timestamp().rem_euclid(60), 0).single().unwrap_or(t)
}

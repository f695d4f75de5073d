//! A ticket's deadline, the one every screen shows: when its resolution clock (the client's
//! contract: support hours, holidays, pause statuses, reopening) reaches the target. The
//! queue sorts and marks by it, so it is stored on the ticket and rewritten, in the same
//! transaction, by every write that can move it: an action or its discard, a pulled page,
//! an import, a contract change; the demo computes it from each life it simulates
//! ([`of_new`]), with the same clock.
//!
//! While the clock runs, the moment it will reach the target does not depend on when it is
//! read, so the stored value stays true until the ticket or its contract changes. While the
//! clock is stopped (a pause status) there is no moment yet: the ticket stores the support
//! time it has left instead.

use super::calendar::Calendar;
use super::contract::Contract;
use super::report::{calendars, complete_life, load};
use super::timer::{self, ClockInput};
use crate::domain::{Priority, Status};
use crate::store::tickets::{HistoryEntry, NewTicket};
use crate::store::{to_ts, StoreError};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};

/// What the queue stores of a ticket's resolution clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    /// When the clock reaches (or reached) the target: none while it is stopped within target.
    pub due_at: Option<DateTime<Utc>>,
    /// Support seconds left while the clock is stopped (negative when it stopped past the
    /// target); none while it runs or once the ticket is completed.
    pub paused_left_seconds: Option<i64>,
}

/// The deadline of one ticket, read at `now`. The single place a deadline is computed.
pub fn of(contract: &Contract, cal: &Calendar, t: &ClockInput<'_>, now: DateTime<Utc>) -> Deadline {
    // What the history says happened is known, whatever the local clock reads.
    let now = t.statuses.last().map_or(now, |(at, _)| now.max(*at));
    let clock = timer::resolution(contract, cal, t, now);
    let paused_left_seconds = clock.paused.then(|| clock.left_seconds());
    // A clock that stopped within target keeps the moment it would have reached it.
    let due_at = clock.deadline_at.or_else(|| clock.ended_at.and_then(|end| cal.after(end, clock.left_seconds())));
    Deadline { due_at, paused_left_seconds }
}

/// The deadline of a ticket about to be written with its whole `history` (the demo, which
/// simulated the life): the same clock as [`refresh`] runs over a stored ticket.
pub fn of_new(
    contract: &Contract,
    cal: &Calendar,
    t: &NewTicket,
    priority: Priority,
    model_fulfilment_hours: Option<u32>,
    history: &[HistoryEntry],
    now: DateTime<Utc>,
) -> Deadline {
    let mut statuses: Vec<(DateTime<Utc>, Status)> = history.iter().filter(|h| h.field == "status").filter_map(|h| Some((h.at, h.new_value.as_deref()?.parse().ok()?))).collect();
    // Stored history is read oldest first, entries of one instant in the order written.
    statuses.sort_by_key(|(at, _)| *at);
    complete_life(&mut statuses, t.created_at, t.status, t.first_response_at, t.completed_at);
    let input = ClockInput {
        kind: t.kind,
        priority: priority.rank(),
        request_type: t.request_type.as_deref(),
        model_fulfilment_hours,
        created_at: t.created_at,
        first_response_at: t.first_response_at,
        statuses: &statuses,
    };
    of(contract, cal, &input, now)
}

/// Which tickets to give their deadline again.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// These tickets, by id.
    Tickets(&'a [i64]),
    /// A client's tickets that are not closed (its contract changed).
    Client(i64),
    /// Every ticket that is not closed.
    NotClosed,
}

/// A client's tickets that are not closed, named by status so SQLite reads them through the
/// statuses' index instead of every ticket of the client.
const NOT_CLOSED_OF_CLIENT: &str =
    "t.status IN ('registered', 'assigned', 'in-progress', 'information-needed', 'external-processing', 'rejected-by-user', 'completed') AND +t.client_id = ?1";

/// Computes and stores the deadline of the tickets in `scope`, inside the caller's
/// transaction; returns how many changed. A closed ticket is final: only an explicit
/// [`Scope::Tickets`] rewrites it.
pub fn refresh(conn: &Connection, scope: Scope<'_>, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let (filter, param): (&str, Option<Box<dyn rusqlite::ToSql>>) = match scope {
        Scope::Tickets([]) => return Ok(0),
        Scope::Tickets(list) => ("t.id IN (SELECT value FROM json_each(?1))", Some(Box::new(serde_json::to_string(list).expect("ids serialise")))),
        // By the statuses' index: a client's tickets that are not closed are few beside its closed ones.
        Scope::Client(id) => (NOT_CLOSED_OF_CLIENT, Some(Box::new(id))),
        Scope::NotClosed => ("t.status <> 'closed'", None),
    };
    let params: Vec<&dyn rusqlite::ToSql> = param.iter().map(|p| p.as_ref()).collect();
    let tickets = load(conn, filter, &params)?;
    if tickets.is_empty() {
        return Ok(0);
    }
    let (contracts, cals) = calendars(conn)?;
    let default = Contract::default();
    let all_day = Calendar::all_day();
    let mut update = conn.prepare_cached("UPDATE tickets SET due_at = ?2, sla_paused_left = ?3 WHERE id = ?1 AND (due_at IS NOT ?2 OR sla_paused_left IS NOT ?3)")?;
    let mut changed = 0;
    for t in &tickets {
        let contract = contracts.get(&t.client_id).unwrap_or(&default);
        let cal = cals.get(&t.client_id).unwrap_or(&all_day);
        let d = of(contract, cal, &t.input(), now);
        changed += update.execute(params![t.id, d.due_at.map(to_ts), d.paused_left_seconds])?;
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Kind, Status::*};
    use crate::sla::SupportHours;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn input<'a>(priority: u8, statuses: &'a [(DateTime<Utc>, crate::domain::Status)]) -> ClockInput<'a> {
        ClockInput { kind: Kind::Incident, priority, request_type: None, model_fulfilment_hours: None, created_at: statuses[0].0, first_response_at: None, statuses }
    }

    #[test]
    fn a_running_clock_has_the_same_deadline_whenever_it_is_read() {
        // Office hours in Moscow, priority 2 (8 support hours), registered Friday 16:00 MSK:
        // 2 h on Friday, 6 h on Monday from 09:00 → Monday 15:00 MSK.
        let s = [(utc("2026-11-27T13:00:00Z"), Registered), (utc("2026-11-27T13:30:00Z"), InProgress)];
        let contract = Contract { support: SupportHours::office(), ..Contract::default() };
        let cal = Calendar::new(SupportHours::office(), chrono_tz::Europe::Moscow);
        let expected = Deadline { due_at: Some(utc("2026-11-30T12:00:00Z")), paused_left_seconds: None };
        for now in ["2026-11-27T14:00:00Z", "2026-11-29T00:00:00Z", "2026-11-30T11:59:00Z", "2026-12-03T00:00:00Z"] {
            assert_eq!(of(&contract, &cal, &input(2, &s), utc(now)), expected, "read at {now}");
        }
    }

    #[test]
    fn a_paused_clock_has_time_left_and_no_moment() {
        // 24/7, priority 3 (24 h): 2 h ran, then the ticket waits for the client.
        let s = [(utc("2026-11-27T10:00:00Z"), Registered), (utc("2026-11-27T12:00:00Z"), InformationNeeded)];
        let d = of(&Contract::default(), &Calendar::all_day(), &input(3, &s), utc("2026-11-29T10:00:00Z"));
        assert_eq!(d, Deadline { due_at: None, paused_left_seconds: Some(22 * 3600) });
        // Taken up again at 20:00: 22 h from then.
        let s2 = [s[0], s[1], (utc("2026-11-27T20:00:00Z"), InProgress)];
        let d = of(&Contract::default(), &Calendar::all_day(), &input(3, &s2), utc("2026-11-27T21:00:00Z"));
        assert_eq!(d, Deadline { due_at: Some(utc("2026-11-28T18:00:00Z")), paused_left_seconds: None });
    }

    #[test]
    fn a_completed_ticket_keeps_the_moment_it_would_have_breached() {
        // Priority 1 (4 h), completed after 1 h: the deadline stays registration + 4 h.
        let s = [(utc("2026-11-27T10:00:00Z"), Registered), (utc("2026-11-27T11:00:00Z"), Completed)];
        let d = of(&Contract::default(), &Calendar::all_day(), &input(1, &s), utc("2026-11-29T10:00:00Z"));
        assert_eq!(d, Deadline { due_at: Some(utc("2026-11-27T14:00:00Z")), paused_left_seconds: None });
    }

    #[test]
    fn the_demo_writes_the_deadlines_the_stored_history_gives() {
        // The demo computes each deadline from the life it simulated; reading the written
        // history back gives every ticket the same one.
        let now = utc("2026-11-28T09:00:00Z");
        let mut r = crate::store::Replica::open_in_memory().unwrap();
        crate::demo::write_demo(&mut r, &crate::demo::DemoOptions { days: 14, seed: 7, now }).unwrap();
        let (moved, all) = r
            .rehearse(|tx| -> Result<_, StoreError> {
                let all: Vec<i64> = tx.prepare("SELECT id FROM tickets")?.query_map([], |x| x.get(0))?.collect::<rusqlite::Result<_>>()?;
                Ok((refresh(tx, Scope::Tickets(&all), now)?, all.len()))
            })
            .unwrap();
        assert!(all > 2000);
        assert_eq!(moved, 0, "of {all} tickets");
    }

    #[test]
    fn a_clients_tickets_that_are_not_closed_are_named_by_every_other_status() {
        for s in Status::ALL {
            assert_eq!(NOT_CLOSED_OF_CLIENT.contains(&format!("'{}'", s.as_str())), *s != Status::Closed, "{s}");
        }
    }

    #[test]
    fn history_later_than_the_local_clock_still_counts() {
        // The ITSM's clock is a minute ahead: its status change is not ignored.
        let s = [(utc("2026-11-27T10:00:00Z"), Registered), (utc("2026-11-27T10:01:00Z"), InformationNeeded)];
        let d = of(&Contract::default(), &Calendar::all_day(), &input(3, &s), utc("2026-11-27T10:00:30Z"));
        assert_eq!(d.paused_left_seconds, Some(24 * 3600 - 60));
    }
}

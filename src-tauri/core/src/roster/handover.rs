//! The shift handover: what the outgoing shift leaves to the incoming one at a boundary of
//! the roster (by default the day and night changeover, 08:00 and 20:00 Moscow).
//!
//! The shift's own figures (what came in, what was completed, its load by hour against the
//! people on shift) are those of the twelve hours before the boundary. The lists (the open
//! tickets of the people going off, the deadlines of the next shift, the escalations not yet
//! picked up, what is not synced) are the replica's as it stands when the report is made:
//! a report for a boundary long past says what is still open now.

use super::now::{panel, worked_around};
use super::RosterError;
use crate::domain::{Role, Status};
use crate::sla::{self, TimerRow};
use crate::store::{outbox, Replica};
use chrono::{DateTime, Duration, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

/// How long a shift lasts on either side of the boundary: the 2/2 schedule's twelve hours.
pub const SHIFT_HOURS: i64 = 12;

/// The zone the default boundaries are read in.
pub const DESK_ZONE: Tz = chrono_tz::Europe::Moscow;

/// The default changeovers, local times in [`DESK_ZONE`].
const CHANGEOVERS: [u32; 2] = [8, 20];

/// The latest default changeover (08:00 or 20:00 Moscow) at or before `now`.
pub fn last_boundary(now: DateTime<Utc>) -> DateTime<Utc> {
    let local = now.with_timezone(&DESK_ZONE);
    let day = local.date_naive();
    [day, day.pred_opt().unwrap_or(day)]
        .into_iter()
        .flat_map(|d| CHANGEOVERS.into_iter().rev().map(move |h| d.and_time(NaiveTime::from_hms_opt(h, 0, 0).expect("a valid hour"))))
        .map(|t| super::pattern::resolve(DESK_ZONE, t))
        .find(|t| *t <= now)
        .expect("a changeover within the last day")
}

/// One line's shift in figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "handover.ts")]
pub struct LineFigures {
    /// Line 1, 2 or 3.
    pub line: u8,
    /// Registered during the shift (by the line holding the ticket now).
    pub came_in: u32,
    /// Completed during the shift.
    pub completed: u32,
    /// Open on the line at the boundary.
    pub open: u32,
}

/// A ticket as the handover lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "handover.ts")]
pub struct HandoverTicket {
    /// Number.
    pub number: String,
    /// Subject.
    pub subject: String,
    /// Client.
    pub client: String,
    /// Priority 1 … 5.
    pub priority: u8,
    /// Line holding it.
    pub line: u8,
    /// Status.
    pub status: Status,
    /// Resolution deadline, when the clock runs.
    #[ts(type = "string | null")]
    pub due_at: Option<DateTime<Utc>>,
}

/// An engineer going off shift and their open tickets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "handover.ts")]
pub struct Leaving {
    /// Staff id.
    pub staff_id: i64,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Open tickets assigned to them, the lead's order (priority, deadline, age).
    pub tickets: Vec<HandoverTicket>,
}

/// An escalation that line 2 or 3 has not taken into work yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "handover.ts")]
pub struct Waiting {
    /// The ticket.
    pub ticket: HandoverTicket,
    /// Assigned engineer, if any.
    pub assignee: Option<String>,
    /// When it reached its line (the last change of line; its registration if it started
    /// there).
    #[ts(type = "string")]
    pub since: DateTime<Utc>,
}

/// Who works on one line during the incoming shift, and what the shift lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "handover.ts")]
pub struct Incoming {
    /// Line 1, 2 or 3.
    pub line: u8,
    /// At work when the shift starts.
    pub people: Vec<String>,
    /// People missing on this line on the shifts starting at the boundary.
    pub missing: u32,
}

/// One hour of the outgoing shift: tickets registered, and first- and second-line
/// engineers on shift at its middle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "handover.ts")]
pub struct HourLoad {
    /// The hour's start.
    #[ts(type = "string")]
    pub hour: DateTime<Utc>,
    /// Registered in the hour.
    pub came_in: u32,
    /// On shift on lines 1 and 2.
    pub on_shift: u32,
}

/// The handover report for one boundary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "handover.ts")]
pub struct Handover {
    /// The boundary: the outgoing shift ends and the incoming one starts.
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
    /// The outgoing shift's start.
    #[ts(type = "string")]
    pub from: DateTime<Utc>,
    /// The incoming shift's end.
    #[ts(type = "string")]
    pub until: DateTime<Utc>,
    /// Lines 1, 2 and 3.
    pub lines: Vec<LineFigures>,
    /// Engineers whose shift ends at the boundary and who do not stay on, with their open
    /// tickets.
    pub leaving: Vec<Leaving>,
    /// Open tickets whose clock reaches its target during the incoming shift, earliest first.
    pub breaching: Vec<TimerRow>,
    /// Open tickets already past their target at the boundary, earliest first.
    pub overdue: Vec<TimerRow>,
    /// Escalations on lines 2 and 3 not yet taken into work, longest waiting first.
    pub waiting: Vec<Waiting>,
    /// Changes not yet accepted by the ITSM (pending or refused).
    pub unsynced: u32,
    /// Changes in conflict with the ITSM.
    pub conflicts: u32,
    /// The incoming shift per line.
    pub incoming: Vec<Incoming>,
    /// The outgoing shift hour by hour.
    pub load: Vec<HourLoad>,
    /// The outgoing lead's notes.
    pub notes: String,
    /// Who wrote them, and when.
    pub notes_by: Option<String>,
    /// When they were written.
    #[ts(type = "string | null")]
    pub notes_at: Option<DateTime<Utc>>,
}

/// The columns [`ticket`] reads, of `tickets t` joined with `clients c`.
const TICKET: &str = "t.number, t.subject, c.name, t.priority, t.line, t.status, t.due_at";

fn ticket(x: &rusqlite::Row<'_>) -> rusqlite::Result<HandoverTicket> {
    let status: String = x.get(5)?;
    Ok(HandoverTicket {
        number: x.get(0)?,
        subject: x.get(1)?,
        client: x.get(2)?,
        priority: x.get(3)?,
        line: x.get(4)?,
        status: status.parse().map_err(|e| rusqlite::Error::FromSqlConversionFailure(5, rusqlite::types::Type::Text, Box::new(e)))?,
        due_at: x.get::<_, Option<i64>>(6)?.and_then(|s| Utc.timestamp_opt(s, 0).single()),
    })
}

/// Everyone going off at `at` (a shift that ends there, and none that goes on past it), with
/// their open tickets in the lead's order.
fn leaving(conn: &rusqlite::Connection, at: DateTime<Utc>, plan: &super::rules::Plan, worked: &[super::rules::Worked]) -> Result<Vec<Leaving>, RosterError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {TICKET} FROM tickets t JOIN clients c ON c.id = t.client_id WHERE t.assignee_id = ?1 AND t.status NOT IN ('completed', 'closed') ORDER BY t.priority, t.due_at IS NULL, t.due_at, t.created_at, t.id"
    ))?;
    let mut out = Vec::new();
    for p in &plan.people {
        let ends = worked.iter().any(|w| w.staff_id == p.id && w.at.end == at);
        let stays = worked.iter().any(|w| w.staff_id == p.id && w.at.start <= at && at < w.at.end);
        if ends && !stays {
            let tickets = stmt.query_map([p.id], ticket)?.collect::<rusqlite::Result<Vec<_>>>()?;
            out.push(Leaving { staff_id: p.id, name: p.name.clone(), role: p.role, tickets });
        }
    }
    Ok(out)
}

/// The handover report for the boundary `at`.
pub fn report(r: &Replica, at: DateTime<Utc>) -> Result<Handover, RosterError> {
    let conn = r.conn();
    let at = at.with_nanosecond(0).unwrap_or(at);
    let (from, until) = (at - Duration::hours(SHIFT_HOURS), at + Duration::hours(SHIFT_HOURS));
    let (lo, hi) = (from.timestamp(), at.timestamp());

    let mut lines = Vec::new();
    for line in 1..=3u8 {
        let (came_in, completed, open): (u32, u32, u32) = conn.query_row(
            "SELECT (SELECT count(*) FROM tickets WHERE line = ?1 AND created_at >= ?2 AND created_at < ?3),
                    (SELECT count(*) FROM tickets WHERE line = ?1 AND completed_at >= ?2 AND completed_at < ?3),
                    (SELECT count(*) FROM tickets WHERE line = ?1 AND status NOT IN ('completed', 'closed'))",
            rusqlite::params![line, lo, hi],
            |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?)),
        )?;
        lines.push(LineFigures { line, came_in, completed, open });
    }

    let (plan, worked) = worked_around(conn, at)?;
    let leaving = leaving(conn, at, &plan, &worked)?;

    // The clocks as they stand at the boundary; a week ahead is more than any shift needs.
    let clocks = sla::at_risk(r, at, Duration::days(7))?;
    let (mut breaching, mut overdue) = (Vec::new(), Vec::new());
    for row in clocks {
        match row.clock.deadline_at {
            Some(d) if d < at => overdue.push(row),
            Some(d) if d < until => breaching.push(row),
            _ => {}
        }
    }

    let mut stmt = conn.prepare(&format!(
        "SELECT {TICKET}, (SELECT s.name FROM staff s WHERE s.id = t.assignee_id),
                coalesce((SELECT max(h.at) FROM ticket_history h WHERE h.ticket_id = t.id AND h.field = 'line'), t.created_at) AS since
         FROM tickets t JOIN clients c ON c.id = t.client_id
         WHERE t.line IN (2, 3) AND t.status IN ('registered', 'assigned')
         ORDER BY since, t.id"
    ))?;
    let waiting = stmt
        .query_map([], |x| Ok(Waiting { ticket: ticket(x)?, assignee: x.get(7)?, since: Utc.timestamp_opt(x.get(8)?, 0).single().unwrap_or(at) }))?
        .collect::<rusqlite::Result<Vec<_>>>()?;

    let counts = outbox::counts(conn)?;

    let now = panel(r, at)?;
    let mut shifts = super::month::coverage(r, super::first_of(at.with_timezone(&DESK_ZONE).date_naive()))?.shifts;
    let before = super::first_of((at - Duration::days(1)).with_timezone(&DESK_ZONE).date_naive());
    if before != super::first_of(at.with_timezone(&DESK_ZONE).date_naive()) {
        shifts.extend(super::month::coverage(r, before)?.shifts);
    }
    let starting: Vec<_> = shifts.iter().filter(|s| s.start == at).collect();
    let incoming = now
        .lines
        .iter()
        .map(|l| Incoming { line: l.line, people: l.now.iter().map(|p| p.name.clone()).collect(), missing: starting.iter().map(|s| s.missing.get(l.line)).sum() })
        .collect();

    let mut load = Vec::new();
    let mut stmt = conn.prepare("SELECT count(*) FROM tickets WHERE created_at >= ?1 AND created_at < ?2")?;
    for h in 0..SHIFT_HOURS {
        let hour = from + Duration::hours(h);
        let came_in: u32 = stmt.query_row([hour.timestamp(), (hour + Duration::hours(1)).timestamp()], |x| x.get(0))?;
        let mid = hour + Duration::minutes(30);
        let on_shift =
            worked.iter().filter(|w| w.at.start <= mid && mid < w.at.end).filter(|w| plan.person(w.staff_id).is_some_and(|p| matches!(p.role, Role::Line1 | Role::Line2))).count()
                as u32;
        load.push(HourLoad { hour, came_in, on_shift });
    }

    let notes = conn
        .query_row("SELECT notes, written_by, written_at FROM handovers WHERE at = ?1", [at.timestamp()], |x| {
            Ok((x.get::<_, String>(0)?, x.get::<_, String>(1)?, x.get::<_, i64>(2)?))
        })
        .optional()?;
    let (notes, notes_by, notes_at) = match notes {
        Some((n, by, when)) => (n, Some(by), Utc.timestamp_opt(when, 0).single()),
        None => (String::new(), None, None),
    };

    Ok(Handover {
        at,
        from,
        until,
        lines,
        leaving,
        breaching,
        overdue,
        waiting,
        unsynced: counts.waiting + counts.failed,
        conflicts: counts.conflicts,
        incoming,
        load,
        notes,
        notes_by,
        notes_at,
    })
}

/// Keeps the outgoing lead's notes for the boundary `at` (replacing earlier ones).
pub fn set_notes(r: &mut Replica, at: DateTime<Utc>, notes: &str, by: &str, now: DateTime<Utc>) -> Result<(), RosterError> {
    if notes.chars().count() > 20_000 {
        return Err(RosterError::Invalid(format!("handover notes: {} characters; at most 20,000", notes.chars().count())));
    }
    let at = at.with_nanosecond(0).unwrap_or(at);
    r.conn().execute(
        "INSERT INTO handovers (at, notes, written_by, written_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (at) DO UPDATE SET notes = excluded.notes, written_by = excluded.written_by, written_at = excluded.written_at",
        rusqlite::params![at.timestamp(), notes, by, now.timestamp()],
    )?;
    Ok(())
}

/// One open ticket of an engineer going off, and who of the incoming shift takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "handover.ts")]
pub struct Move {
    /// The ticket.
    pub ticket: HandoverTicket,
    /// Who holds it now.
    pub from_id: i64,
    /// Their name.
    pub from: String,
    /// Who takes it; none when nobody of its line comes on.
    pub to_id: Option<i64>,
    /// Their name.
    pub to: Option<String>,
    /// Open tickets the taker holds with this one (theirs before the handover and those
    /// this plan gives them so far).
    pub load: u32,
}

/// The leaving engineers' open tickets handed to the incoming ones of the same line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "handover.ts")]
pub struct HandOverPlan {
    /// The boundary.
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
    /// One move per ticket, the lead's order (the most urgent placed first).
    pub moves: Vec<Move>,
}

/// Who takes which ticket at the boundary `at`. Each open ticket of an engineer going off
/// goes to an engineer of its line at work when the incoming shift starts: the one holding
/// the fewest open tickets at that point (those this plan gives counted), ties to someone
/// sharing the leaving engineer's strongest skill, then by name. The most urgent tickets
/// are placed first, so they go to the least loaded.
pub fn plan_hand_over(r: &Replica, at: DateTime<Utc>) -> Result<HandOverPlan, RosterError> {
    let conn = r.conn();
    let at = at.with_nanosecond(0).unwrap_or(at);
    // Only who goes off is needed, not the whole report (its SLA clocks and coverage).
    let (plan, worked) = worked_around(conn, at)?;
    let leaving = leaving(conn, at, &plan, &worked)?;
    let on: Vec<&super::rules::Person> = plan.people.iter().filter(|p| worked.iter().any(|w| w.staff_id == p.id && w.at.start <= at && at < w.at.end)).collect();
    let mut load: std::collections::HashMap<i64, u32> = std::collections::HashMap::new();
    let mut stmt = conn.prepare("SELECT count(*) FROM tickets WHERE assignee_id = ?1 AND status NOT IN ('completed', 'closed')")?;
    for p in &on {
        load.insert(p.id, stmt.query_row([p.id], |x| x.get(0))?);
    }
    let mut tickets: Vec<(&Leaving, &HandoverTicket)> = leaving.iter().flat_map(|l| l.tickets.iter().map(move |t| (l, t))).collect();
    // The lead's order across everyone going off: priority, then the deadline.
    tickets.sort_by_key(|(_, t)| (t.priority, t.due_at.is_none(), t.due_at));
    let mut moves = Vec::new();
    for (from, t) in tickets {
        let skill = plan.person(from.staff_id).and_then(|p| p.skills.first().copied());
        let role = match t.line {
            1 => Role::Line1,
            2 => Role::Line2,
            _ => Role::Line3,
        };
        let best = on
            .iter()
            .filter(|p| p.role == role && p.id != from.staff_id)
            .min_by_key(|p| (load.get(&p.id).copied().unwrap_or(0), !skill.is_some_and(|s| p.skills.contains(&s)), p.name.clone()));
        let (to_id, to, taken) = match best {
            Some(p) => {
                let n = load.entry(p.id).or_insert(0);
                *n += 1;
                (Some(p.id), Some(p.name.clone()), *n)
            }
            None => (None, None, 0),
        };
        moves.push(Move { ticket: t.clone(), from_id: from.staff_id, from: from.name.clone(), to_id, to, load: taken });
    }
    Ok(HandOverPlan { at, moves })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn the_default_boundary_is_the_latest_changeover_in_moscow() {
        // Moscow is UTC+3 all year: 08:00 is 05:00 UTC, 20:00 is 17:00 UTC.
        assert_eq!(last_boundary(utc("2026-11-28T04:59:59Z")), utc("2026-11-27T17:00:00Z"));
        assert_eq!(last_boundary(utc("2026-11-28T05:00:00Z")), utc("2026-11-28T05:00:00Z"));
        assert_eq!(last_boundary(utc("2026-11-28T16:59:00Z")), utc("2026-11-28T05:00:00Z"));
        assert_eq!(last_boundary(utc("2026-11-28T20:59:00Z")), utc("2026-11-28T17:00:00Z"));
        // After midnight in Moscow, before midnight in UTC.
        assert_eq!(last_boundary(utc("2026-11-28T21:30:00Z")), utc("2026-11-28T17:00:00Z"));
    }
}

//! Who should take a ticket: for the third line, the specialists with the skill, those at
//! work now first, then the least loaded; for lines 1 and 2, the least loaded engineers.

use crate::domain::{Line, Role, Skill};
use crate::store::{Replica, StoreError};
use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Tz;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

/// A person who could take the ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "actions.ts")]
pub struct Candidate {
    /// Staff id.
    pub staff_id: i64,
    /// Name.
    pub name: String,
    /// Line or role.
    pub role: Role,
    /// Skills, strongest first.
    pub skills: Vec<Skill>,
    /// Whether they have the skill asked for (true when none was asked for).
    pub has_skill: bool,
    /// At work now by the roster (the month's plan, or the person's rotation before the month
    /// is generated); for someone with neither, the third line's 5/2 office hours (09:00–18:00,
    /// Monday–Friday, in their own zone), and unknown (none) for the shift lines.
    pub working_now: Option<bool>,
    /// On call now for the skill asked for (for any skill when none was): a third-line
    /// specialist answering outside office hours in their on-call week.
    pub on_call: bool,
    /// Open tickets they hold.
    pub open_tickets: u32,
}

/// The 5/2 office week: 09:00–18:00 Monday to Friday in the person's own zone.
pub fn in_office_hours(time_zone: &str, now: DateTime<Utc>) -> bool {
    let Ok(tz) = time_zone.parse::<Tz>() else { return false };
    let local = now.with_timezone(&tz);
    local.weekday().num_days_from_monday() < 5 && (9..18).contains(&local.hour())
}

/// Candidates for `line` (and `skill`), best first.
pub fn candidates(r: &Replica, line: Line, skill: Option<Skill>, now: DateTime<Utc>) -> Result<Vec<Candidate>, StoreError> {
    candidates_in(r.conn(), line, skill, now)
}

pub(crate) fn candidates_in(conn: &Connection, line: Line, skill: Option<Skill>, now: DateTime<Utc>) -> Result<Vec<Candidate>, StoreError> {
    let role = match line.number() {
        1 => Role::Line1,
        2 => Role::Line2,
        _ => Role::Line3,
    };
    let mut stmt = conn.prepare_cached(
        // Each person's open tickets counted in one pass over the open queue's own index:
        // counting per person through the assignee index read every ticket a person ever
        // had (a million tickets: 1.3 s each time a ticket was opened in the window).
        "SELECT s.id, s.name, s.skills, s.time_zone, coalesce(o.n, 0)
         FROM staff s LEFT JOIN (SELECT t.assignee_id, count(*) AS n FROM tickets t INDEXED BY tickets_open_lead_order
                                 WHERE t.status NOT IN ('completed', 'closed') AND t.assignee_id IS NOT NULL GROUP BY t.assignee_id) o
           ON o.assignee_id = s.id
         WHERE s.role = ?1",
    )?;
    let rows = stmt.query_map([role], |x| Ok((x.get::<_, i64>(0)?, x.get::<_, String>(1)?, x.get::<_, String>(2)?, x.get::<_, String>(3)?, x.get::<_, u32>(4)?)))?;
    let rostered = crate::roster::now::at_work(conn, now)?;
    let on_call = if role == Role::Line3 { crate::roster::oncall::at(conn, now).map_err(StoreError::from)? } else { Vec::new() };
    let mut out = Vec::new();
    for row in rows {
        let (staff_id, name, skills, tz, open_tickets) = row?;
        let skills: Vec<Skill> = skills.split(',').filter_map(|s| s.parse().ok()).collect();
        let has_skill = skill.is_none_or(|k| skills.contains(&k));
        let working_now = rostered.get(&staff_id).copied().or_else(|| (role == Role::Line3).then(|| in_office_hours(&tz, now)));
        let on_call = on_call.iter().any(|o| o.staff_id == staff_id && skill.is_none_or(|k| o.skill == k));
        out.push(Candidate { staff_id, name, role, skills, has_skill, working_now, on_call, open_tickets });
    }
    // The skill first, then at work now, then on call for it (out of office hours: the one
    // who answers), then a primary skill over a secondary one, then the lightest load.
    let skill_pos = |c: &Candidate| skill.and_then(|k| c.skills.iter().position(|s| *s == k)).unwrap_or(0);
    let state = |c: &Candidate| match (c.working_now, c.on_call) {
        (_, true) => 1,
        (Some(false), false) => 2,
        _ => 0,
    };
    out.sort_by_key(|c| (!c.has_skill, state(c), skill_pos(c), c.open_tickets, c.name.clone()));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn office_hours_are_read_in_the_persons_own_zone() {
        // Wednesday 2026-11-25 07:00 UTC: 10:00 in Moscow, 02:00 in Toronto.
        let t = Utc.with_ymd_and_hms(2026, 11, 25, 7, 0, 0).unwrap();
        assert!(in_office_hours("Europe/Moscow", t));
        assert!(!in_office_hours("America/Toronto", t));
        // Saturday: nobody on the 5/2 week.
        assert!(!in_office_hours("Europe/Moscow", Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap()));
    }

    #[test]
    fn each_candidates_load_is_their_open_tickets_counted_one_by_one() {
        let mut r = Replica::open_in_memory().unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap();
        crate::demo::write_demo(&mut r, &crate::demo::DemoOptions { days: 10, seed: 3, now }).unwrap();
        let mut loaded = 0;
        for line in [Line::FIRST, Line::SECOND, Line::THIRD] {
            let people = candidates(&r, line, None, now).unwrap();
            assert!(!people.is_empty());
            for c in people {
                let want: u32 = r
                    .conn()
                    .query_row("SELECT count(*) FROM tickets NOT INDEXED WHERE assignee_id = ?1 AND status NOT IN ('completed', 'closed')", [c.staff_id], |x| x.get(0))
                    .unwrap();
                assert_eq!(c.open_tickets, want, "{}", c.name);
                loaded += usize::from(want > 0);
            }
        }
        assert!(loaded > 3, "the demo gives several people open tickets");
    }
}

//! Escalations that are acknowledged: a ticket escalated to the third line, and any critical
//! ticket, waits for someone to take it into work within a time set per priority. The watch
//! reads what the replica holds (the ITSM's statuses as pulled): a ticket still registered or
//! assigned has not been picked up; once it is in work (or further) the watch stops. When the
//! time passes, the supervisor is told and offered the next in the chain as one action: the
//! backup specialist of the skill (the ticket goes to them), then the deputy, then the lead
//! (each told in a comment on the ticket). While the replica has not heard from its ITSM for
//! a while, an expired wait says that it cannot see pickups rather than guess.

use crate::actions::{self, picker, Actor, Applied, ApplyError};
use crate::clock::Clock;
use crate::domain::{Action, ActionError, Line, Role};
use crate::store::{from_ts, Replica, StoreError};
use chrono::{DateTime, Duration, Utc};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

/// How long each priority may wait to be taken into work, in minutes (priority 1 first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "sla.ts")]
pub struct AckSettings {
    /// Minutes for priorities 1 … 5.
    pub minutes: [i64; 5],
}

impl Default for AckSettings {
    fn default() -> AckSettings {
        AckSettings { minutes: [15, 30, 60, 120, 240] }
    }
}

const KEY: &str = "acknowledgement";

/// How long without a sync before expired waits say they cannot see pickups.
pub const STALE: Duration = Duration::minutes(10);

fn bounded(s: AckSettings) -> AckSettings {
    AckSettings { minutes: s.minutes.map(|m| m.clamp(1, 7 * 24 * 60)) }
}

/// The settings in force.
pub fn settings(r: &Replica) -> Result<AckSettings, StoreError> {
    let stored = crate::store::settings::get(r.conn(), KEY)?;
    Ok(bounded(stored.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default()))
}

/// Stores the settings (each time kept within 1 minute … 1 week).
pub fn set_settings(r: &mut Replica, s: AckSettings) -> Result<AckSettings, StoreError> {
    let s = bounded(s);
    let json = serde_json::to_string(&s).expect("settings serialise");
    r.write(|tx| crate::store::settings::put(tx, KEY, &json))?;
    Ok(s)
}

/// Where a watched ticket stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export_to = "sla.ts")]
pub enum AckState {
    /// Within its time.
    Waiting,
    /// Its time passed and nobody took it into work.
    Overdue,
    /// Its time passed, but the replica has not heard from the ITSM lately: a pickup made
    /// there would not show yet.
    Unknown,
}

/// The next in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "sla.ts")]
pub struct NextLevel {
    /// 1: the backup specialist (the ticket goes to them), 2: the deputy, 3: the lead (told
    /// in a comment on the ticket).
    pub level: u8,
    /// Staff id.
    pub staff_id: i64,
    /// Name.
    pub name: String,
    /// On call now (a backup out of office hours).
    pub on_call: bool,
}

/// A ticket waiting to be taken into work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "sla.ts")]
pub struct Watched {
    /// Ticket.
    pub number: String,
    /// Subject.
    pub subject: String,
    /// Client.
    pub client: String,
    /// Priority 1 … 5.
    pub priority: u8,
    /// Line.
    pub line: u8,
    /// Who holds it.
    pub assignee: Option<String>,
    /// Since when it waits: its escalation to the third line (its registration for a critical
    /// ticket, or one that started there), or its last raise.
    #[ts(type = "string")]
    pub since: DateTime<Utc>,
    /// When its time runs out.
    #[ts(type = "string")]
    pub due: DateTime<Utc>,
    /// Where it stands.
    pub state: AckState,
    /// Levels of the chain raised so far.
    pub raised: u8,
    /// Who comes next, if anyone.
    pub next: Option<NextLevel>,
}

/// Every open ticket waiting to be taken into work, the earliest due first.
pub fn watch(r: &Replica, now: DateTime<Utc>) -> Result<Vec<Watched>, StoreError> {
    let s = settings(r)?;
    let conn = r.conn();
    let connected = crate::store::settings::get(conn, "itsm_connection")?.is_some();
    let heard = crate::store::settings::last_synced_at(r)?;
    let blind = connected && heard.is_none_or(|t| now - t > STALE);
    let mut stmt = conn.prepare_cached(
        "SELECT t.id, t.number, t.subject, c.name, t.priority, t.line, t.assignee_id, s.name, s.role, s.skills,
                coalesce((SELECT max(h.at) FROM ticket_history h WHERE h.ticket_id = t.id AND h.field = 'line' AND h.new_value = '3'), t.created_at)
         FROM tickets t JOIN clients c ON c.id = t.client_id LEFT JOIN staff s ON s.id = t.assignee_id
         WHERE t.status IN ('registered', 'assigned') AND (t.line = 3 OR t.priority = 1)",
    )?;
    type Row = (i64, String, String, String, u8, u8, Option<i64>, Option<String>, Option<Role>, Option<String>, i64);
    let rows: Vec<Row> = stmt
        .query_map([], |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?, x.get(3)?, x.get(4)?, x.get(5)?, x.get(6)?, x.get(7)?, x.get(8)?, x.get(9)?, x.get(10)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut raises = conn.prepare_cached("SELECT max(level), max(at) FROM ack_raises WHERE ticket_id = ?1 AND at >= ?2")?;
    let mut out = Vec::new();
    for (id, number, subject, client, priority, line, assignee_id, assignee, role, skills, escalated) in rows {
        let (level, raised_at): (Option<u8>, Option<i64>) = raises.query_row([id, escalated], |x| Ok((x.get(0)?, x.get(1)?)))?;
        let since = from_ts(raised_at.unwrap_or(escalated).max(escalated));
        let due = since + Duration::minutes(s.minutes[usize::from(priority.clamp(1, 5) - 1)]);
        let state = if now < due {
            AckState::Waiting
        } else if blind {
            AckState::Unknown
        } else {
            AckState::Overdue
        };
        let raised = level.unwrap_or(0);
        let skill = skills.as_deref().and_then(|k| k.split(',').find_map(|x| x.parse().ok()));
        let next = next_level(r, now, line, raised, assignee_id, role, skill)?;
        out.push(Watched { number, subject, client, priority, line, assignee, since, due, state, raised, next });
    }
    out.sort_by_key(|w| (w.due, w.priority));
    Ok(out)
}

fn next_level(
    r: &Replica,
    now: DateTime<Utc>,
    line: u8,
    raised: u8,
    holder: Option<i64>,
    role: Option<Role>,
    skill: Option<crate::domain::Skill>,
) -> Result<Option<NextLevel>, StoreError> {
    if raised < 1 && line == 3 {
        // The backup: the best third-line specialist with the holder's skill other than the
        // holder (at work, else on call, else the least loaded).
        let skill = skill.filter(|_| role == Some(Role::Line3));
        if let Some(c) = picker::candidates(r, Line::THIRD, skill, now)?.into_iter().find(|c| c.has_skill && Some(c.staff_id) != holder) {
            return Ok(Some(NextLevel { level: 1, staff_id: c.staff_id, name: c.name, on_call: c.on_call }));
        }
    }
    for (level, who) in [(2u8, "deputy"), (3, "lead")] {
        if raised >= level {
            continue;
        }
        let found: Option<(i64, String)> =
            r.conn().query_row("SELECT id, name FROM staff WHERE role = ?1 ORDER BY id LIMIT 1", [who], |x| Ok((x.get(0)?, x.get(1)?))).optional()?;
        if let Some((staff_id, name)) = found {
            return Ok(Some(NextLevel { level, staff_id, name, on_call: false }));
        }
    }
    Ok(None)
}

/// Raises the ticket to the next in the chain: to the backup specialist it is reassigned;
/// the deputy and the lead are named in a comment on it. Either is an ordinary action (history,
/// outbox), recorded with the raise in one transaction; the wait starts again.
pub fn raise(r: &mut Replica, clock: &dyn Clock, actor: &Actor, number: &str) -> Result<Applied, ApplyError> {
    let now = clock.now();
    let w = watch(r, now)?.into_iter().find(|w| w.number == number).ok_or_else(|| ActionError::NotWatched(number.to_string()))?;
    let next = w.next.ok_or_else(|| ActionError::NoNextLevel(number.to_string()))?;
    let waited = (now - w.since).num_minutes();
    let action = if next.level == 1 {
        Action::Assign { staff_id: next.staff_id, reason: Some(format!("not taken into work within {waited} min; to the backup {}", next.name)) }
    } else {
        Action::Comment { body: format!("Not taken into work within {waited} min: raised to {} ({}).", next.name, if next.level == 2 { "deputy" } else { "support lead" }) }
    };
    let id: i64 = r.conn().query_row("SELECT id FROM tickets WHERE number = ?1", [number], |x| x.get(0))?;
    actions::apply_then(r, clock, actor, number, &action, |tx| {
        tx.execute(
            "INSERT INTO ack_raises (ticket_id, level, at, staff_id) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (ticket_id, level) DO UPDATE SET at = excluded.at, staff_id = excluded.staff_id",
            rusqlite::params![id, next.level, now.timestamp(), next.staff_id],
        )?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Skill;
    use crate::sla::notify::{Notice, NotifySettings, Watcher};
    use crate::FixedClock;
    use chrono::TimeZone;

    fn demo() -> Replica {
        let mut r = Replica::open_in_memory().unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap();
        crate::demo::write_demo(&mut r, &crate::demo::DemoOptions { days: 3, seed: 1, now }).unwrap();
        set_settings(&mut r, AckSettings { minutes: [15; 5] }).unwrap();
        r
    }

    fn entry(r: &Replica, now: DateTime<Utc>, number: &str) -> Option<Watched> {
        watch(r, now).unwrap().into_iter().find(|w| w.number == number)
    }

    fn holder(r: &Replica, number: &str) -> i64 {
        r.conn().query_row("SELECT assignee_id FROM tickets WHERE number = ?1", [number], |x| x.get(0)).unwrap()
    }

    /// A line-2 ticket in work, escalated to the third line at 03:00 Moscow (to the on-call
    /// specialist of the skill); its number.
    fn escalated_at_night(r: &mut Replica, night: DateTime<Utc>) -> String {
        let number: String = r.conn().query_row("SELECT number FROM tickets WHERE line = 2 AND status = 'in-progress' ORDER BY id LIMIT 1", [], |x| x.get(0)).unwrap();
        let lead = Actor::resolve(r, None).unwrap();
        let up = Action::Escalate { line: Line::THIRD, skill: Some(Skill::Networks), to: None, reason: "uplink down".into() };
        actions::apply(r, &FixedClock(night), &lead, &number, &up).unwrap();
        number
    }

    #[test]
    fn an_escalation_not_taken_in_time_is_announced_and_raised_along_the_chain() {
        let mut r = demo();
        let night = Utc.with_ymd_and_hms(2026, 12, 9, 0, 0, 0).unwrap();
        let number = escalated_at_night(&mut r, night);
        let on_call = holder(&r, &number);
        let m = |n: i64| night + Duration::minutes(n);

        // Within its quarter of an hour it waits; the backup with the skill is ready.
        let w = entry(&r, m(10), &number).expect("watched");
        assert_eq!((w.state, w.since, w.due, w.raised), (AckState::Waiting, night, m(15), 0));
        let backup = w.next.clone().expect("a backup");
        assert_eq!(backup.level, 1);
        assert_ne!(backup.staff_id, on_call);
        let skills: String = r.conn().query_row("SELECT skills FROM staff WHERE id = ?1", [backup.staff_id], |x| x.get(0)).unwrap();
        assert!(skills.split(',').any(|k| k == "networks"));

        // Past it: overdue, announced once.
        assert_eq!(entry(&r, m(16), &number).unwrap().state, AckState::Overdue);
        let mut watcher = Watcher::new(&r).unwrap();
        let quiet = NotifySettings { sla: false, urgent: false, ..NotifySettings::default() };
        let told = watcher.check(&r, m(16), &quiet).unwrap();
        assert!(told.iter().any(|n| matches!(n, Notice::NotPickedUp { number: x, next: Some(b), .. } if *x == number && *b == backup.name)), "{told:?}");
        assert!(!watcher.check(&r, m(17), &quiet).unwrap().iter().any(|n| matches!(n, Notice::NotPickedUp { number: x, .. } if *x == number)));

        // Raised: the backup holds it, the wait starts again, the deputy is next.
        let lead = Actor::resolve(&r, None).unwrap();
        raise(&mut r, &FixedClock(m(17)), &lead, &number).unwrap();
        assert_eq!(holder(&r, &number), backup.staff_id);
        let w = entry(&r, m(20), &number).unwrap();
        assert_eq!((w.state, w.since, w.raised), (AckState::Waiting, m(17), 1));
        assert_eq!(w.next.as_ref().map(|n| n.level), Some(2));
        // A new wait is announced again when it runs out.
        assert!(watcher.check(&r, m(33), &quiet).unwrap().iter().any(|n| matches!(n, Notice::NotPickedUp { number: x, .. } if *x == number)));

        // The deputy, then the lead, are told in comments; then nobody is next.
        for (at, who) in [(m(33), "deputy"), (m(50), "lead")] {
            raise(&mut r, &FixedClock(at), &lead, &number).unwrap();
            let name: String = r.conn().query_row("SELECT name FROM staff WHERE role = ?1 ORDER BY id LIMIT 1", [who], |x| x.get(0)).unwrap();
            let said: String = r
                .conn()
                .query_row("SELECT body FROM comments WHERE ticket_id = (SELECT id FROM tickets WHERE number = ?1) ORDER BY id DESC LIMIT 1", [&number], |x| x.get(0))
                .unwrap();
            assert!(said.contains(&name), "{said}");
        }
        assert!(entry(&r, m(70), &number).unwrap().next.is_none());
        assert!(matches!(raise(&mut r, &FixedClock(m(70)), &lead, &number), Err(ApplyError::Refused(ActionError::NoNextLevel(_)))));
        // Every raise is an ordinary action waiting for the ITSM.
        let ops: i64 = r
            .conn()
            .query_row("SELECT count(*) FROM outbox WHERE ticket_id = (SELECT id FROM tickets WHERE number = ?1) AND kind IN ('assign', 'comment')", [&number], |x| x.get(0))
            .unwrap();
        assert_eq!(ops, 3);
    }

    #[test]
    fn a_pickup_in_time_stops_the_watch() {
        let mut r = demo();
        let night = Utc.with_ymd_and_hms(2026, 12, 9, 0, 0, 0).unwrap();
        let number = escalated_at_night(&mut r, night);
        let specialist: String = r.conn().query_row("SELECT name FROM staff WHERE id = ?1", [holder(&r, &number)], |x| x.get(0)).unwrap();
        let them = Actor::resolve(&r, Some(&specialist)).unwrap();
        actions::apply(&mut r, &FixedClock(night + Duration::minutes(9)), &them, &number, &Action::TakeIntoWork).unwrap();
        assert!(entry(&r, night + Duration::minutes(30), &number).is_none(), "taken into work: no longer watched");
        let lead = Actor::resolve(&r, None).unwrap();
        assert!(matches!(raise(&mut r, &FixedClock(night + Duration::minutes(30)), &lead, &number), Err(ApplyError::Refused(ActionError::NotWatched(_)))));
    }

    #[test]
    fn a_critical_ticket_waits_from_its_registration_and_a_replica_out_of_touch_says_it_cannot_see() {
        let mut r = demo();
        let at = Utc.with_ymd_and_hms(2026, 12, 9, 0, 0, 0).unwrap();
        r.write(|tx| {
            tx.execute(
                "INSERT INTO tickets (number, kind, client_id, contact_name, channel, service, subject, urgency, impact, priority, status, line, created_at, updated_at)
                 VALUES ('INC7777777', 'incident', 1, 'Anna', 'phone', 'Network', 'Payments down', 'very-high', 'very-high', 1, 'registered', 1, ?1, ?1)",
                [at.timestamp()],
            )?;
            Ok(())
        })
        .unwrap();
        let w = entry(&r, at + Duration::minutes(20), "INC7777777").unwrap();
        assert_eq!((w.state, w.since), (AckState::Overdue, at));
        assert_eq!(w.next.map(|n| n.level), Some(2), "a first-line ticket goes to the deputy");
        // Connected to an ITSM not heard from lately: it cannot tell.
        r.write(|tx| crate::store::settings::put(tx, "itsm_connection", r#"{"kind":"rt","url":"http://127.0.0.1:9"}"#)).unwrap();
        assert_eq!(entry(&r, at + Duration::minutes(20), "INC7777777").unwrap().state, AckState::Unknown);
        assert_eq!(entry(&r, at + Duration::minutes(5), "INC7777777").unwrap().state, AckState::Waiting, "within its time it simply waits");
    }

    #[test]
    fn settings_are_kept_within_bounds() {
        let mut r = Replica::open_in_memory().unwrap();
        assert_eq!(settings(&r).unwrap(), AckSettings::default());
        let s = set_settings(&mut r, AckSettings { minutes: [0, 5, 100_000, 60, 60] }).unwrap();
        assert_eq!(s.minutes, [1, 5, 7 * 24 * 60, 60, 60]);
        assert_eq!(settings(&r).unwrap(), s);
    }
}

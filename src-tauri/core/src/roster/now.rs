//! Who is at work now: on shift on each line, who comes next and when, and which third-line
//! specialists are in, by skill. The escalation picker reads the same plan.

use super::month::load_plan;
use super::rules::{Plan, Worked};
use super::RosterError;
use crate::domain::{Role, Skill};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// A person at work (or next on).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "roster.ts")]
pub struct OnShift {
    /// Staff id.
    pub staff_id: i64,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Skills, strongest first.
    pub skills: Vec<Skill>,
    /// Shift code.
    pub code: String,
    /// Shift start.
    #[ts(type = "string")]
    pub start: DateTime<Utc>,
    /// Shift end.
    #[ts(type = "string")]
    pub end: DateTime<Utc>,
}

/// One line now and next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "roster.ts")]
pub struct LineNow {
    /// Line 1, 2 or 3.
    pub line: u8,
    /// On shift now.
    pub now: Vec<OnShift>,
    /// When the next shift on this line starts.
    #[ts(type = "string | null")]
    pub next_at: Option<DateTime<Utc>>,
    /// Who starts then.
    pub next: Vec<OnShift>,
}

/// Third-line specialists at work now with one skill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "roster.ts")]
pub struct SkillNow {
    /// The skill.
    pub skill: Skill,
    /// Who has it (strongest first) and is in.
    pub people: Vec<String>,
}

/// The "now" panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "roster.ts")]
pub struct NowPanel {
    /// The moment.
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
    /// Lines 1, 2 and 3.
    pub lines: Vec<LineNow>,
    /// The lead and deputy at work now.
    pub leads: Vec<OnShift>,
    /// Third-line specialists in now, by skill.
    pub specialists: Vec<SkillNow>,
    /// The third line's on-call specialists answering now, by skill.
    pub on_call: Vec<super::oncall::OnCallNow>,
}

/// The plan around `at` and every shift worked from two days before to eight days after,
/// by start.
pub(crate) fn worked_around(conn: &Connection, at: DateTime<Utc>) -> Result<(Plan, Vec<Worked>), RosterError> {
    let day = at.date_naive();
    let (first, last) = (day - Duration::days(2), day + Duration::days(8));
    let plan = load_plan(conn, first, last)?;
    let days: Vec<NaiveDate> = first.iter_days().take_while(|d| *d <= last).collect();
    let mut worked: Vec<Worked> = plan.people.iter().flat_map(|p| plan.shifts_of(p, &days)).collect();
    worked.sort_by_key(|w| w.at.start);
    Ok((plan, worked))
}

/// The panel at `at`.
pub fn panel(r: &crate::store::Replica, at: DateTime<Utc>) -> Result<NowPanel, RosterError> {
    let conn = r.conn();
    let (plan, worked) = worked_around(conn, at)?;
    let person = |id: i64| plan.person(id).expect("worked by a known person");
    let on = |w: &Worked| {
        let p = person(w.staff_id);
        OnShift { staff_id: p.id, name: p.name.clone(), role: p.role, skills: p.skills.clone(), code: w.code.clone(), start: w.at.start, end: w.at.end }
    };
    let current: Vec<&Worked> = worked.iter().filter(|w| w.at.start <= at && at < w.at.end).collect();
    let mut lines = Vec::new();
    for line in 1..=3u8 {
        let of_line = |w: &&Worked| person(w.staff_id).role.line().is_some_and(|l| l.number() == line);
        let now: Vec<OnShift> = current.iter().copied().filter(of_line).map(on).collect();
        let next_at = worked.iter().filter(of_line).filter(|w| w.at.start > at && !now.iter().any(|n| n.staff_id == w.staff_id && n.start == w.at.start)).map(|w| w.at.start).min();
        let next = next_at.map(|t| worked.iter().filter(of_line).filter(|w| w.at.start == t).map(on).collect()).unwrap_or_default();
        lines.push(LineNow { line, now, next_at, next });
    }
    let leads = current.iter().filter(|w| matches!(person(w.staff_id).role, Role::Lead | Role::Deputy)).map(|w| on(w)).collect();
    let mut by_skill: BTreeMap<Skill, Vec<(usize, String)>> = BTreeMap::new();
    for w in current.iter().filter(|w| person(w.staff_id).role == Role::Line3) {
        let p = person(w.staff_id);
        for (rank, s) in p.skills.iter().enumerate() {
            by_skill.entry(*s).or_default().push((rank, p.name.clone()));
        }
    }
    let specialists = by_skill
        .into_iter()
        .map(|(skill, mut people)| {
            people.sort();
            SkillNow { skill, people: people.into_iter().map(|(_, n)| n).collect() }
        })
        .collect();
    let on_call = super::oncall::at(conn, at)?;
    Ok(NowPanel { at, lines, leads, specialists, on_call })
}

/// Whether each person with a plan (a rotation or a generated month) is at work at `at`.
/// People with no plan at all are left out.
pub(crate) fn at_work(conn: &Connection, at: DateTime<Utc>) -> Result<HashMap<i64, bool>, RosterError> {
    let (plan, worked) = worked_around(conn, at)?;
    let planned: std::collections::HashSet<i64> = plan.cells.keys().map(|(id, _)| *id).collect();
    Ok(plan.people.iter().filter(|p| planned.contains(&p.id)).map(|p| (p.id, worked.iter().any(|w| w.staff_id == p.id && w.at.start <= at && at < w.at.end))).collect())
}

/// First- and second-line engineers on shift at the middle of each hour of the week that
/// starts on `monday` in `tz` (168 hours, Monday 00 first); none when nobody has a plan.
pub(crate) fn on_shift_by_hour(conn: &Connection, tz: chrono_tz::Tz, monday: NaiveDate) -> Result<Option<Vec<[u32; 2]>>, RosterError> {
    let (first, last) = (monday - Duration::days(1), monday + Duration::days(7));
    let plan = load_plan(conn, first, last)?;
    let days: Vec<NaiveDate> = first.iter_days().take_while(|d| *d <= last).collect();
    let worked: Vec<(usize, Worked)> = plan
        .people
        .iter()
        .filter_map(|p| p.role.line().map(|l| l.number()).filter(|l| *l <= 2).map(|l| (usize::from(l - 1), p)))
        .flat_map(|(line, p)| plan.shifts_of(p, &days).into_iter().map(move |w| (line, w)))
        .collect();
    if plan.cells.is_empty() {
        return Ok(None);
    }
    let start = monday.and_hms_opt(0, 0, 0).expect("midnight");
    Ok(Some(
        (0..168)
            .map(|h| {
                let mid = super::pattern::resolve(tz, start + Duration::hours(h)) + Duration::minutes(30);
                let mut n = [0u32; 2];
                for (line, w) in &worked {
                    if w.at.start <= mid && mid < w.at.end {
                        n[*line] += 1;
                    }
                }
                n
            })
            .collect(),
    ))
}

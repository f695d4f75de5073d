//! A month's plan: generated from the rotations, edited by hand (assign, remove, swap,
//! absences), checked on every edit, published with each published version kept.

use super::data::{self, Absence};
use super::pattern::ShiftTemplate;
use super::rules::{self, AbsenceKind, Breach, LineCounts, Plan, ShiftCoverage, Suggestion};
use super::{month_key, RosterError};
use crate::domain::{Role, Skill};
use crate::store::Replica;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// Days of the previous month whose shifts count for rest and runs of days.
const CONTEXT_DAYS: i64 = 7;

/// Loads everything the rules need for `first ..= last`: stored cells for generated months,
/// the rotations for the others, absences and holidays.
pub fn load_plan(conn: &Connection, first: NaiveDate, last: NaiveDate) -> Result<Plan, RosterError> {
    let people = data::people(conn)?;
    let templates = data::templates(conn)?;
    let rules = data::rules_in(conn)?;
    let holidays = data::holidays(conn)?;
    let transfers = data::transfers(conn)?;
    let rotations: HashMap<i64, super::Rotation> = data::rotations(conn)?.into_iter().map(|r| (r.staff_id, r)).collect();
    let mut generated: BTreeSet<String> = BTreeSet::new();
    {
        let mut stmt = conn.prepare_cached("SELECT month FROM roster_months WHERE month BETWEEN ?1 AND ?2")?;
        for m in stmt.query_map([month_key(first), month_key(last)], |r| r.get::<_, String>(0))? {
            generated.insert(m?);
        }
    }
    let mut cells = HashMap::new();
    {
        let mut stmt = conn.prepare_cached("SELECT staff_id, day, code FROM roster_entries WHERE day BETWEEN ?1 AND ?2 AND code <> ''")?;
        let rows = stmt.query_map([first.to_string(), last.to_string()], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
        for row in rows {
            let (id, day, code) = row?;
            cells.insert((id, crate::input::day(&day)?), code);
        }
    }
    for day in first.iter_days().take_while(|d| *d <= last) {
        if generated.contains(&month_key(day)) {
            continue;
        }
        for p in &people {
            if let Some(c) = rotations.get(&p.id).and_then(|r| r.code_on(day)) {
                cells.insert((p.id, day), c.to_string());
            }
        }
    }
    let mut absences = HashMap::new();
    for a in data::absences(conn, first, last)? {
        for d in a.first_day.iter_days().take_while(|d| *d <= a.last_day) {
            absences.insert((a.staff_id, d), a.kind);
        }
    }
    Ok(Plan { people, templates, rules, holidays, transfers, cells, absences })
}

/// One cell of the month grid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "roster.ts")]
pub struct RosterCell {
    /// Planned shift code, or empty for a day off.
    pub code: String,
    /// Absent that day.
    pub absence: Option<AbsenceKind>,
    /// Set by hand rather than by the rotation.
    pub manual: bool,
    /// A public holiday the planned shift does not work on.
    pub holiday: bool,
}

/// One person's row of the month grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "roster.ts")]
pub struct RosterPerson {
    /// Staff id.
    pub staff_id: i64,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Skills, strongest first.
    pub skills: Vec<Skill>,
    /// Crew, if any.
    pub crew: Option<String>,
    /// Rotation cycle, if any.
    pub cycle: Option<String>,
    /// One cell per day of the month.
    pub cells: Vec<RosterCell>,
    /// The shifts really worked (absences and holidays left out), with their instants.
    pub shifts: Vec<PlannedShift>,
    /// Hours planned in the month (paid time of the shifts really worked).
    pub hours: f64,
    /// Their norm for the month (the calendar's, less absent working days).
    pub norm_hours: f64,
}

/// One shift a person works, for timelines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "roster.ts")]
pub struct PlannedShift {
    /// The day it starts on.
    #[ts(type = "string")]
    pub day: NaiveDate,
    /// Template code.
    pub code: String,
    /// Start.
    #[ts(type = "string")]
    pub start: DateTime<Utc>,
    /// End.
    #[ts(type = "string")]
    pub end: DateTime<Utc>,
}

/// How short the month is, in one line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "roster.ts")]
pub struct CoverageSummary {
    /// Required shifts in the month.
    pub shifts: u32,
    /// Shifts short of someone or of a skill.
    pub short_shifts: u32,
    /// Shifts short on each line.
    pub short_by_line: LineCounts,
    /// People missing over the month, per line (one per missing person per shift).
    pub missing: LineCounts,
    /// Shifts lacking a required skill.
    pub short_of_skill: u32,
    /// Rule breaches.
    pub breaches: u32,
}

/// Every shift with required, planned and gaps by line, and every rule breach.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "roster.ts")]
pub struct CoverageReport {
    /// `YYYY-MM`.
    pub month: String,
    /// Totals.
    pub summary: CoverageSummary,
    /// Each required shift.
    pub shifts: Vec<ShiftCoverage>,
    /// Each breach.
    pub breaches: Vec<Breach>,
}

/// The month grid with its checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "roster.ts")]
pub struct RosterMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// `none` (not generated: the rotations alone), `draft` or `published`.
    pub state: String,
    /// The latest published version, if any.
    pub published_version: Option<i64>,
    /// The days, `YYYY-MM-DD`.
    pub days: Vec<String>,
    /// Public holidays in the month.
    pub holidays: Vec<String>,
    /// The month's norm in hours.
    pub norm_hours: f64,
    /// Shift templates.
    pub templates: Vec<ShiftTemplate>,
    /// Rows, by line then name.
    pub people: Vec<RosterPerson>,
    /// Absences touching the month.
    pub absences: Vec<Absence>,
    /// Coverage and breaches.
    pub report: CoverageReport,
    /// The third line's on-call weeks touching the month, by week and skill.
    pub on_call: Vec<super::oncall::OnCallWeek>,
}

fn span(conn: &Connection, first: NaiveDate) -> Result<(Vec<NaiveDate>, Vec<NaiveDate>), RosterError> {
    let days = rules::month_days(first);
    // Enough of the month before for a run of days that started there.
    let back = CONTEXT_DAYS.max(i64::from(data::rules_in(conn)?.max_consecutive_days) + 1);
    let before = (1..=back).rev().map(|i| first - Duration::days(i)).collect();
    Ok((before, days))
}

fn month_state(conn: &Connection, month: &str) -> Result<Option<(String, Option<i64>)>, RosterError> {
    Ok(conn.query_row("SELECT state, published_version FROM roster_months WHERE month = ?1", [month], |r| Ok((r.get(0)?, r.get(1)?))).optional()?)
}

fn report_of(plan: &Plan, month: &str, before: &[NaiveDate], days: &[NaiveDate], norm: i64) -> CoverageReport {
    let shifts = rules::coverage(plan, days);
    let mut breaches = Vec::new();
    for p in &plan.people {
        breaches.extend(rules::breaches(plan, p, before, days, rules::person_norm(plan, p, days, norm)));
    }
    let mut s = CoverageSummary { shifts: shifts.len() as u32, breaches: breaches.len() as u32, ..Default::default() };
    for c in &shifts {
        if c.is_short() {
            s.short_shifts += 1;
        }
        s.missing.line1 += c.missing.line1;
        s.missing.line2 += c.missing.line2;
        s.missing.line3 += c.missing.line3;
        s.short_by_line.line1 += u32::from(c.missing.line1 > 0);
        s.short_by_line.line2 += u32::from(c.missing.line2 > 0);
        s.short_by_line.line3 += u32::from(c.missing.line3 > 0);
        s.short_of_skill += u32::from(!c.missing_skills.is_empty());
    }
    CoverageReport { month: month.into(), summary: s, shifts, breaches }
}

/// The month grid, coverage and breaches.
pub fn view(r: &Replica, first: NaiveDate) -> Result<RosterMonth, RosterError> {
    view_in(r.conn(), first)
}

pub(crate) fn view_in(conn: &Connection, first: NaiveDate) -> Result<RosterMonth, RosterError> {
    let month = month_key(first);
    let (before, days) = span(conn, first)?;
    let last = *days.last().expect("a month has days");
    let plan = load_plan(conn, before[0], last)?;
    let norm = rules::norm_minutes(first, &plan.holidays, &plan.transfers);
    let (state, published_version) = month_state(conn, &month)?.unwrap_or(("none".into(), None));
    let manual: BTreeSet<(i64, NaiveDate)> = {
        let mut stmt = conn.prepare_cached("SELECT staff_id, day FROM roster_entries WHERE month = ?1 AND manual = 1")?;
        let rows: Vec<(i64, String)> = stmt.query_map([&month], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
        rows.into_iter().filter_map(|(id, d)| crate::input::day(&d).ok().map(|d| (id, d))).collect()
    };
    let rotations: HashMap<i64, super::Rotation> = data::rotations(conn)?.into_iter().map(|r| (r.staff_id, r)).collect();
    let people = plan
        .people
        .iter()
        .map(|p| {
            let cells = days
                .iter()
                .map(|d| {
                    let code = plan.cells.get(&(p.id, *d)).cloned().unwrap_or_default();
                    let holiday = !code.is_empty() && plan.template(&code).is_some_and(|t| t.observes_holidays) && plan.holidays.contains(d);
                    RosterCell { code, absence: plan.absences.get(&(p.id, *d)).copied(), manual: manual.contains(&(p.id, *d)), holiday }
                })
                .collect();
            let worked = plan.shifts_of(p, &days);
            let minutes: i64 = worked.iter().map(|w| w.paid_minutes).sum();
            let shifts = worked.into_iter().map(|w| PlannedShift { day: w.day, code: w.code, start: w.at.start, end: w.at.end }).collect();
            let rot = rotations.get(&p.id);
            RosterPerson {
                staff_id: p.id,
                name: p.name.clone(),
                role: p.role,
                skills: p.skills.clone(),
                crew: rot.and_then(|r| r.crew.clone()),
                cycle: rot.map(|r| r.cycle.clone()),
                cells,
                shifts,
                hours: minutes as f64 / 60.0,
                norm_hours: rules::person_norm(&plan, p, &days, norm) as f64 / 60.0,
            }
        })
        .collect();
    let report = report_of(&plan, &month, &before, &days, norm);
    Ok(RosterMonth {
        month,
        state,
        published_version,
        days: days.iter().map(|d| d.to_string()).collect(),
        holidays: days.iter().filter(|d| plan.holidays.contains(d)).map(|d| d.to_string()).collect(),
        norm_hours: norm as f64 / 60.0,
        templates: plan.templates.clone(),
        people,
        absences: data::absences(conn, days[0], last)?,
        report,
        on_call: super::oncall::weeks_in(conn, days[0], 6)?.into_iter().filter(|w| w.week <= last).collect(),
    })
}

/// Coverage and breaches only.
pub fn coverage(r: &Replica, first: NaiveDate) -> Result<CoverageReport, RosterError> {
    let conn = r.conn();
    let (before, days) = span(conn, first)?;
    let plan = load_plan(conn, before[0], *days.last().expect("days"))?;
    let norm = rules::norm_minutes(first, &plan.holidays, &plan.transfers);
    Ok(report_of(&plan, &month_key(first), &before, &days, norm))
}

/// Who could fill a gap on `line` of shift `code` started on `day`.
pub fn suggestions(r: &Replica, day: NaiveDate, code: &str, line: u8) -> Result<Vec<Suggestion>, RosterError> {
    let conn = r.conn();
    let first = super::first_of(day);
    let (before, days) = span(conn, first)?;
    let last = *days.last().expect("days");
    let after: Vec<NaiveDate> = (1..=CONTEXT_DAYS).map(|i| last + Duration::days(i)).collect();
    let plan = load_plan(conn, before[0], after[after.len() - 1])?;
    if plan.template(code).is_none() {
        return Err(RosterError::Invalid(format!("no shift '{code}'")));
    }
    let norm = rules::norm_minutes(first, &plan.holidays, &plan.transfers);
    Ok(rules::suggestions(&plan, day, code, line, &before, &days, &after, norm))
}

/// Generates the month from the rotations (people without one get the default crews or the
/// 5/2 week first), replacing its draft; a published version stays as it was.
pub fn generate(r: &mut Replica, first: NaiveDate, now: DateTime<Utc>) -> Result<RosterMonth, RosterError> {
    r.write_with(|tx| generate_in(tx, first, now))?;
    view(r, first)
}

/// Generation inside a caller's transaction.
pub fn generate_in(tx: &Connection, first: NaiveDate, now: DateTime<Utc>) -> Result<(), RosterError> {
    let month = month_key(first);
    data::assign_default_rotations(tx, first)?;
    let days = rules::month_days(first);
    let rotations = data::rotations(tx)?;
    tx.execute(
        "INSERT INTO roster_months (month, state, generated_at) VALUES (?1, 'draft', ?2)
         ON CONFLICT (month) DO UPDATE SET state = 'draft', generated_at = excluded.generated_at",
        params![month, now.timestamp()],
    )?;
    tx.execute("DELETE FROM roster_entries WHERE month = ?1", [&month])?;
    let mut insert = tx.prepare_cached("INSERT INTO roster_entries (staff_id, day, month, code, manual) VALUES (?1, ?2, ?3, ?4, 0)")?;
    for p in data::people(tx)? {
        let rot = rotations.iter().find(|r| r.staff_id == p.id);
        for d in &days {
            let code = rot.and_then(|r| r.code_on(*d)).map(|c| c.to_string()).unwrap_or_default();
            insert.execute(params![p.id, d.to_string(), month, code])?;
        }
    }
    Ok(())
}

/// Makes sure `day`'s month has a stored plan (generating it if not) and returns to draft.
fn editable(tx: &Connection, day: NaiveDate, now: DateTime<Utc>) -> Result<String, RosterError> {
    let month = month_key(day);
    if month_state(tx, &month)?.is_none() {
        generate_in(tx, super::first_of(day), now)?;
    }
    tx.execute("UPDATE roster_months SET state = 'draft' WHERE month = ?1", [&month])?;
    Ok(month)
}

fn check_code(tx: &Connection, code: &str) -> Result<(), RosterError> {
    if code.is_empty() || data::templates(tx)?.iter().any(|t| t.code == code) {
        Ok(())
    } else {
        Err(RosterError::Invalid(format!("no shift '{code}' (known: {})", data::templates(tx)?.iter().map(|t| t.code.as_str()).collect::<Vec<_>>().join(", "))))
    }
}

fn check_person(tx: &Connection, staff_id: i64) -> Result<(), RosterError> {
    let n: i64 = tx.query_row("SELECT count(*) FROM staff WHERE id = ?1", [staff_id], |r| r.get(0))?;
    if n == 0 {
        return Err(RosterError::Invalid(format!("no staff member {staff_id}")));
    }
    Ok(())
}

fn code_at(tx: &Connection, staff_id: i64, day: NaiveDate) -> Result<String, RosterError> {
    Ok(tx.query_row("SELECT code FROM roster_entries WHERE staff_id = ?1 AND day = ?2", params![staff_id, day.to_string()], |r| r.get(0)).optional()?.unwrap_or_default())
}

fn put(tx: &Connection, staff_id: i64, day: NaiveDate, month: &str, code: &str) -> Result<(), RosterError> {
    tx.execute(
        "INSERT INTO roster_entries (staff_id, day, month, code, manual) VALUES (?1, ?2, ?3, ?4, 1)
         ON CONFLICT (staff_id, day) DO UPDATE SET code = excluded.code, manual = 1",
        params![staff_id, day.to_string(), month, code],
    )?;
    Ok(())
}

/// Puts a person on shift `code` on `day`, or off when `code` is empty.
pub fn assign(r: &mut Replica, staff_id: i64, day: NaiveDate, code: &str, now: DateTime<Utc>) -> Result<(), RosterError> {
    r.write_with(|tx| -> Result<(), RosterError> {
        check_person(tx, staff_id)?;
        check_code(tx, code)?;
        let month = editable(tx, day, now)?;
        put(tx, staff_id, day, &month, code)
    })
}

/// Swaps two cells: person `a` on `day_a` with person `b` on `day_b`.
pub fn swap(r: &mut Replica, a: i64, day_a: NaiveDate, b: i64, day_b: NaiveDate, now: DateTime<Utc>) -> Result<(), RosterError> {
    if (a, day_a) == (b, day_b) {
        return Err(RosterError::Invalid("a cell cannot be swapped with itself".into()));
    }
    r.write_with(|tx| -> Result<(), RosterError> {
        check_person(tx, a)?;
        check_person(tx, b)?;
        let ma = editable(tx, day_a, now)?;
        let mb = editable(tx, day_b, now)?;
        let (ca, cb) = (code_at(tx, a, day_a)?, code_at(tx, b, day_b)?);
        put(tx, a, day_a, &ma, &cb)?;
        put(tx, b, day_b, &mb, &ca)
    })
}

/// Records an absence (the month's coverage and rules are re-checked on the next view).
pub fn add_absence(r: &mut Replica, staff_id: i64, kind: AbsenceKind, first: NaiveDate, last: NaiveDate, note: &str) -> Result<i64, RosterError> {
    r.write_with(|tx| -> Result<i64, RosterError> {
        check_person(tx, staff_id)?;
        data::add_absence(tx, staff_id, kind, first, last, note)
    })
}

/// Removes an absence.
pub fn remove_absence(r: &mut Replica, id: i64) -> Result<(), RosterError> {
    r.write_with(|tx| -> Result<(), RosterError> { data::remove_absence(tx, id) })
}

/// Publishes the month's plan as a new version (generating it first if needed); returns the version.
pub fn publish(r: &mut Replica, first: NaiveDate, now: DateTime<Utc>) -> Result<i64, RosterError> {
    r.write_with(|tx| -> Result<i64, RosterError> {
        let month = editable(tx, first, now)?;
        let entries: Vec<(i64, String, String)> = {
            let mut stmt = tx.prepare_cached("SELECT staff_id, day, code FROM roster_entries WHERE month = ?1 ORDER BY staff_id, day")?;
            let rows = stmt.query_map([&month], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let version: i64 = tx.query_row("SELECT coalesce(max(version), 0) + 1 FROM roster_versions WHERE month = ?1", [&month], |r| r.get(0))?;
        let json = serde_json::to_string(&entries).expect("entries serialise");
        tx.execute("INSERT INTO roster_versions (month, version, published_at, entries) VALUES (?1, ?2, ?3, ?4)", params![month, version, now.timestamp(), json])?;
        tx.execute("UPDATE roster_months SET state = 'published', published_version = ?2 WHERE month = ?1", params![month, version])?;
        Ok(version)
    })
}

/// A published version's cells: (staff id, day, code).
pub fn published(r: &Replica, first: NaiveDate, version: Option<i64>) -> Result<Vec<(i64, String, String)>, RosterError> {
    let month = month_key(first);
    let row: Option<(i64, String)> = r
        .conn()
        .query_row("SELECT version, entries FROM roster_versions WHERE month = ?1 AND (?2 IS NULL OR version = ?2) ORDER BY version DESC LIMIT 1", params![month, version], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let Some((_, json)) = row else {
        return Err(RosterError::Invalid(format!("{month} has no published version{}", version.map(|v| format!(" {v}")).unwrap_or_default())));
    };
    serde_json::from_str(&json).map_err(|e| RosterError::Invalid(format!("published {month}: {e}")))
}

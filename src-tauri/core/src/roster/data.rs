//! The roster's reference data in the replica: shift templates, rules, rotations, holidays,
//! absences, and the people.

use super::pattern::{Rotation, ShiftTemplate, CREWS, OFFICE_CYCLE, TWO_TWO_CYCLE};
use super::rules::{AbsenceKind, Person, Rules};
use super::RosterError;
use crate::domain::{Role, Skill};
use crate::store::Replica;
use chrono::{Datelike, Duration, NaiveDate};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

const RULES_KEY: &str = "roster_rules";

/// The shift templates.
pub fn templates(conn: &Connection) -> Result<Vec<ShiftTemplate>, RosterError> {
    let mut stmt =
        conn.prepare_cached("SELECT code, name_en, name_ru, start_time, minutes, break_minutes, time_zone, observes_holidays FROM shift_templates ORDER BY start_time")?;
    let rows = stmt.query_map([], |r| {
        Ok(ShiftTemplate {
            code: r.get(0)?,
            name_en: r.get(1)?,
            name_ru: r.get(2)?,
            start_time: r.get(3)?,
            minutes: r.get(4)?,
            break_minutes: r.get(5)?,
            time_zone: r.get(6)?,
            observes_holidays: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Adds or replaces a shift template, after checking its start and zone.
pub fn set_template(r: &mut Replica, t: &ShiftTemplate) -> Result<(), RosterError> {
    t.start()?;
    t.zone("UTC")?;
    if t.code.len() != 1 || !t.code.chars().all(|c| c.is_ascii_uppercase()) || t.code == "O" {
        return Err(RosterError::Invalid(format!("shift code '{}': one capital letter other than O", t.code)));
    }
    r.write(|tx| {
        tx.execute(
            "INSERT OR REPLACE INTO shift_templates (code, name_en, name_ru, start_time, minutes, break_minutes, time_zone, observes_holidays) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![t.code, t.name_en, t.name_ru, t.start_time, t.minutes, t.break_minutes, t.time_zone, t.observes_holidays],
        )?;
        Ok(())
    })?;
    Ok(())
}

/// The staffing and labour rules in force (the defaults until set).
pub fn rules(r: &Replica) -> Result<Rules, RosterError> {
    rules_in(r.conn())
}

pub(crate) fn rules_in(conn: &Connection) -> Result<Rules, RosterError> {
    match crate::store::settings::get(conn, RULES_KEY)? {
        None => Ok(Rules::default()),
        Some(text) => Ok(serde_json::from_str(&text).map_err(|e| RosterError::Invalid(format!("stored roster rules: {e}")))?),
    }
}

/// Stores new rules, checked against the templates.
pub fn set_rules(r: &mut Replica, text: &str) -> Result<Rules, RosterError> {
    let codes: Vec<String> = templates(r.conn())?.into_iter().map(|t| t.code).collect();
    let rules = Rules::parse(text, &codes)?;
    let json = serde_json::to_string(&rules).expect("rules serialise");
    r.write(|tx| crate::store::settings::put(tx, RULES_KEY, &json))?;
    Ok(rules)
}

/// Everyone on the staff, by line then name.
pub fn people(conn: &Connection) -> Result<Vec<Person>, RosterError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, role, skills, time_zone FROM staff
         ORDER BY CASE role WHEN 'line-1' THEN 1 WHEN 'line-2' THEN 2 WHEN 'line-3' THEN 3 WHEN 'lead' THEN 4 ELSE 5 END, name",
    )?;
    let rows = stmt.query_map([], |r| {
        let skills: String = r.get(3)?;
        Ok(Person { id: r.get(0)?, name: r.get(1)?, role: r.get::<_, Role>(2)?, skills: skills.split(',').filter_map(|s| s.parse::<Skill>().ok()).collect(), time_zone: r.get(4)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Finds one person by exact name, or by a unique part of it (case-insensitive).
pub fn find_person(r: &Replica, name: &str) -> Result<Person, RosterError> {
    find_person_in(r.conn(), name)
}

pub(crate) fn find_person_in(conn: &Connection, name: &str) -> Result<Person, RosterError> {
    let all = people(conn)?;
    if let Some(p) = all.iter().find(|p| p.name == name) {
        return Ok(p.clone());
    }
    let needle = name.to_lowercase();
    let found: Vec<&Person> = all.iter().filter(|p| p.name.to_lowercase().contains(&needle)).collect();
    match found.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(RosterError::Invalid(format!("no one on the staff is called '{name}'"))),
        many => Err(RosterError::Invalid(format!("'{name}' could be {}; give more of the name", many.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ")))),
    }
}

/// A day and its name.
pub type Holiday = (NaiveDate, String);

/// Every rotation.
pub fn rotations(conn: &Connection) -> Result<Vec<Rotation>, RosterError> {
    let mut stmt = conn.prepare_cached("SELECT staff_id, cycle, start_day, crew FROM rotations ORDER BY staff_id")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, Option<String>>(3)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (staff_id, cycle, start, crew) = row?;
        let start_day = crate::input::day(&start)?;
        out.push(Rotation { staff_id, cycle, start_day, crew });
    }
    Ok(out)
}

/// Sets one person's rotation (checked against the templates).
pub fn set_rotation(r: &mut Replica, rot: &Rotation) -> Result<(), RosterError> {
    r.write_with(|tx| set_rotation_in(tx, rot))
}

pub(crate) fn set_rotation_in(conn: &Connection, rot: &Rotation) -> Result<(), RosterError> {
    let codes: Vec<String> = templates(conn)?.into_iter().map(|t| t.code).collect();
    rot.check(&codes)?;
    conn.execute(
        "INSERT OR REPLACE INTO rotations (staff_id, cycle, start_day, crew) VALUES (?1, ?2, ?3, ?4)",
        params![rot.staff_id, rot.cycle, rot.start_day.to_string(), rot.crew],
    )?;
    Ok(())
}

/// Rotations for everyone who has none: the first and second lines spread over the four
/// crews of the 2/2 rotation (second line first, one per crew, then the first line to the
/// smallest crew, so every crew gets the best line mix the head count allows); everyone
/// else on the 5/2 office week. `anchor` is the Monday the crews' cycles count from.
pub fn assign_default_rotations(conn: &Connection, anchor: NaiveDate) -> Result<usize, RosterError> {
    let monday = anchor - Duration::days(i64::from(anchor.weekday().num_days_from_monday()));
    let existing = rotations(conn)?;
    // Newcomers join their crew in step with it: the crews' cycles count from the day the
    // existing crews were set up on, and only with no crew yet from the Monday of `anchor`.
    let anchor = existing
        .iter()
        .find_map(|r| {
            let k = CREWS.iter().position(|c| Some(*c) == r.crew.as_deref())?;
            (r.cycle == TWO_TWO_CYCLE).then(|| r.start_day - Duration::days(2 * k as i64))
        })
        .unwrap_or(monday);
    let mut sizes: BTreeMap<&str, (usize, usize)> = CREWS.iter().map(|c| (*c, (0, 0))).collect();
    for r in &existing {
        if let Some(c) = r.crew.as_deref().and_then(|c| CREWS.iter().find(|k| **k == c)) {
            let p = people(conn)?.into_iter().find(|p| p.id == r.staff_id);
            let e = sizes.get_mut(c).expect("a crew");
            if p.is_some_and(|p| p.role == Role::Line1) {
                e.1 += 1
            } else {
                e.0 += 1
            }
        }
    }
    let has: BTreeSet<i64> = existing.iter().map(|r| r.staff_id).collect();
    let mut added = 0;
    let mut missing: Vec<Person> = people(conn)?.into_iter().filter(|p| !has.contains(&p.id)).collect();
    missing.sort_by_key(|p| {
        (
            match p.role {
                Role::Line2 => 0,
                Role::Line1 => 1,
                _ => 2,
            },
            p.id,
        )
    });
    for p in missing {
        let rot = match p.role {
            Role::Line1 | Role::Line2 => {
                let crew = if p.role == Role::Line2 {
                    *sizes.iter().min_by_key(|(name, (l2, l1))| (*l2, *l1, **name)).map(|(n, _)| n).expect("crews")
                } else {
                    *sizes.iter().min_by_key(|(name, (l2, l1))| (l2 + l1, *l1, **name)).map(|(n, _)| n).expect("crews")
                };
                let e = sizes.get_mut(crew).expect("a crew");
                if p.role == Role::Line2 {
                    e.0 += 1
                } else {
                    e.1 += 1
                }
                let k = CREWS.iter().position(|c| *c == crew).expect("a crew") as i64;
                Rotation { staff_id: p.id, cycle: TWO_TWO_CYCLE.into(), start_day: anchor + Duration::days(2 * k), crew: Some(crew.into()) }
            }
            _ => Rotation { staff_id: p.id, cycle: OFFICE_CYCLE.into(), start_day: monday, crew: None },
        };
        set_rotation_in(conn, &rot)?;
        added += 1;
    }
    Ok(added)
}

/// Every non-working day of the calendar (holidays and moved days off).
pub fn holidays(conn: &Connection) -> Result<BTreeSet<NaiveDate>, RosterError> {
    days_of(conn, "SELECT day FROM holidays")
}

/// Days off moved from a weekend: not worked, but the day before them is not shortened.
pub fn transfers(conn: &Connection) -> Result<BTreeSet<NaiveDate>, RosterError> {
    days_of(conn, "SELECT day FROM holidays WHERE kind = 'transfer'")
}

fn days_of(conn: &Connection, sql: &str) -> Result<BTreeSet<NaiveDate>, RosterError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let days: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    days.iter().map(|d| Ok(crate::input::day(d)?)).collect()
}

/// Adds public holidays (a day already there keeps its first name); returns how many were new.
pub fn add_holidays(r: &mut Replica, days: &[(NaiveDate, String)]) -> Result<usize, RosterError> {
    r.write_with(|tx| add_holidays_in(tx, days, "holiday"))
}

pub(crate) fn add_holidays_in(conn: &Connection, days: &[(NaiveDate, String)], kind: &str) -> Result<usize, RosterError> {
    let mut stmt = conn.prepare_cached("INSERT OR IGNORE INTO holidays (day, name, kind) VALUES (?1, ?2, ?3)")?;
    let mut n = 0;
    for (d, name) in days {
        n += stmt.execute(params![d.to_string(), name, kind])?;
    }
    Ok(n)
}

/// The Russian Federation's production calendar for 2025–2027: the public holidays, and the
/// weekend days off moved onto weekdays (returned second). Saturdays made working days by a
/// transfer are not modelled. The lead imports another country's calendar as iCalendar.
pub fn russian_calendar() -> (Vec<Holiday>, Vec<Holiday>) {
    let days: &[(&str, &str)] = &[
        ("2025-01-01", "Новогодние каникулы"),
        ("2025-01-02", "Новогодние каникулы"),
        ("2025-01-03", "Новогодние каникулы"),
        ("2025-01-06", "Новогодние каникулы"),
        ("2025-01-07", "Рождество Христово"),
        ("2025-01-08", "Новогодние каникулы"),
        ("2025-05-01", "Праздник Весны и Труда"),
        ("2025-05-02", TRANSFER),
        ("2025-05-08", TRANSFER),
        ("2025-05-09", "День Победы"),
        ("2025-06-12", "День России"),
        ("2025-06-13", TRANSFER),
        ("2025-11-03", TRANSFER),
        ("2025-11-04", "День народного единства"),
        ("2025-12-31", TRANSFER),
        ("2026-01-01", "Новогодние каникулы"),
        ("2026-01-02", "Новогодние каникулы"),
        ("2026-01-05", "Новогодние каникулы"),
        ("2026-01-06", "Новогодние каникулы"),
        ("2026-01-07", "Рождество Христово"),
        ("2026-01-08", "Новогодние каникулы"),
        ("2026-01-09", TRANSFER),
        ("2026-02-23", "День защитника Отечества"),
        ("2026-03-09", TRANSFER),
        ("2026-05-01", "Праздник Весны и Труда"),
        ("2026-05-11", TRANSFER),
        ("2026-06-12", "День России"),
        ("2026-11-04", "День народного единства"),
        ("2026-12-31", TRANSFER),
        ("2027-01-01", "Новогодние каникулы"),
        ("2027-01-04", "Новогодние каникулы"),
        ("2027-01-05", "Новогодние каникулы"),
        ("2027-01-06", "Новогодние каникулы"),
        ("2027-01-07", "Рождество Христово"),
        ("2027-01-08", "Новогодние каникулы"),
        ("2027-02-22", TRANSFER),
        ("2027-02-23", "День защитника Отечества"),
        ("2027-03-08", "Международный женский день"),
        ("2027-05-03", TRANSFER),
        ("2027-05-10", TRANSFER),
        ("2027-06-14", TRANSFER),
        ("2027-11-04", "День народного единства"),
        ("2027-12-31", TRANSFER),
    ];
    let all = days.iter().map(|(d, n)| (d.parse().expect("valid holiday"), (*n).to_string()));
    all.partition(|(_, n)| n != TRANSFER)
}

/// The name the calendar gives a weekend day off moved onto a weekday.
const TRANSFER: &str = "Перенос выходного";

/// A recorded absence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "roster.ts")]
pub struct Absence {
    /// Id.
    pub id: i64,
    /// Staff id.
    pub staff_id: i64,
    /// Kind.
    pub kind: AbsenceKind,
    /// First day.
    #[ts(type = "string")]
    pub first_day: NaiveDate,
    /// Last day (inclusive).
    #[ts(type = "string")]
    pub last_day: NaiveDate,
    /// Note.
    pub note: String,
}

/// Absences overlapping `first ..= last`.
pub fn absences(conn: &Connection, first: NaiveDate, last: NaiveDate) -> Result<Vec<Absence>, RosterError> {
    let mut stmt = conn.prepare_cached("SELECT id, staff_id, kind, first_day, last_day, note FROM absences WHERE first_day <= ?2 AND last_day >= ?1 ORDER BY first_day, id")?;
    let rows = stmt.query_map([first.to_string(), last.to_string()], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get::<_, String>(4)?, r.get::<_, String>(5)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, staff_id, kind, a, b, note) = row?;
        out.push(Absence { id, staff_id, kind: AbsenceKind::parse(&kind)?, first_day: crate::input::day(&a)?, last_day: crate::input::day(&b)?, note });
    }
    Ok(out)
}

/// Records an absence; returns its id.
pub fn add_absence(conn: &Connection, staff_id: i64, kind: AbsenceKind, first: NaiveDate, last: NaiveDate, note: &str) -> Result<i64, RosterError> {
    if last < first {
        return Err(RosterError::Invalid(format!("absence from {first} to {last}: the last day is before the first")));
    }
    if (last - first).num_days() > 366 {
        return Err(RosterError::Invalid(format!("absence from {first} to {last}: longer than a year")));
    }
    conn.execute(
        "INSERT INTO absences (staff_id, kind, first_day, last_day, note) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![staff_id, kind.as_str(), first.to_string(), last.to_string(), note],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Removes an absence.
pub fn remove_absence(conn: &Connection, id: i64) -> Result<(), RosterError> {
    if conn.execute("DELETE FROM absences WHERE id = ?1", [id])? == 0 {
        return Err(RosterError::Invalid(format!("no absence {id}")));
    }
    Ok(())
}

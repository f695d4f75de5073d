//! CSV: the month's roster for spreadsheets; people and absences imported from the HR list.
//! Imports are all or nothing, and every refusal names the file, the line and the field.

use super::data;
use super::month::load_plan;
use super::pattern::Rotation;
use super::rules::{month_days, AbsenceKind};
use super::RosterError;
use crate::domain::{Role, Skill, StaffMember};
use crate::store::{reference, Replica};
use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension};
use std::collections::HashMap;

/// The month as CSV: one row per person and day with a shift or an absence.
pub fn export_csv(r: &Replica, first: NaiveDate) -> Result<String, RosterError> {
    let days = month_days(first);
    let plan = load_plan(r.conn(), days[0], *days.last().expect("days"))?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = ["person", "role", "day", "shift", "start", "end", "time_zone", "hours", "absence"];
    let io = |e: csv::Error| RosterError::Invalid(format!("CSV: {e}"));
    w.write_record(header).map_err(io)?;
    for p in &plan.people {
        // A name a spreadsheet would run as a formula is written as text.
        let name = crate::output::csv_text(&p.name).into_owned();
        for d in &days {
            let absence = plan.absences.get(&(p.id, *d)).map(|a| a.as_str()).unwrap_or("");
            match plan.worked(p, *d) {
                Some(s) => {
                    let t = plan.template(&s.code).expect("a template");
                    let tz = t.zone(&p.time_zone)?;
                    let fmt = |x: chrono::DateTime<chrono::Utc>| x.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string();
                    w.write_record([
                        name.as_str(),
                        p.role.as_str(),
                        &d.to_string(),
                        &crate::output::csv_text(&s.code),
                        &fmt(s.at.start),
                        &fmt(s.at.end),
                        tz.name(),
                        &format!("{}", s.paid_minutes as f64 / 60.0),
                        absence,
                    ])
                    .map_err(io)?;
                }
                None if !absence.is_empty() => w.write_record([name.as_str(), p.role.as_str(), &d.to_string(), "", "", "", "", "0", absence]).map_err(io)?,
                None => {}
            }
        }
    }
    let bytes = w.into_inner().map_err(|e| RosterError::Invalid(format!("CSV: {e}")))?;
    Ok(String::from_utf8(bytes).expect("CSV of UTF-8 text"))
}

/// A CSV's columns by lower-case name, and its records with their line numbers.
type Table = (HashMap<String, usize>, Vec<(u64, csv::StringRecord)>);

fn records(text: &str, source: &str, required: &[&str]) -> Result<Table, RosterError> {
    let mut r = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(text.as_bytes());
    let headers = r.headers().map_err(|e| RosterError::Invalid(format!("{source}: {e}")))?.clone();
    let cols: HashMap<String, usize> = headers.iter().enumerate().map(|(i, h)| (h.trim_start_matches('\u{feff}').to_lowercase(), i)).collect();
    for need in required {
        if !cols.contains_key(*need) {
            return Err(RosterError::Invalid(format!("{source}: no '{need}' column (the header has: {})", headers.iter().collect::<Vec<_>>().join(", "))));
        }
    }
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| RosterError::Invalid(format!("{source}: {e}")))?;
        let line = rec.position().map_or(0, |p| p.line());
        rows.push((line, rec));
    }
    Ok((cols, rows))
}

fn field<'a>(cols: &HashMap<String, usize>, rec: &'a csv::StringRecord, name: &str) -> &'a str {
    cols.get(name).and_then(|i| rec.get(*i)).unwrap_or("")
}

fn parse_role(s: &str) -> Option<Role> {
    match s.to_lowercase().as_str() {
        "1" | "l1" | "line-1" | "line 1" => Some(Role::Line1),
        "2" | "l2" | "line-2" | "line 2" => Some(Role::Line2),
        "3" | "l3" | "line-3" | "line 3" => Some(Role::Line3),
        "lead" => Some(Role::Lead),
        "deputy" => Some(Role::Deputy),
        _ => None,
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportCount {
    /// Rows that added something.
    pub added: usize,
    /// Rows that updated someone already there.
    pub updated: usize,
}

/// Imports people: `name, role, time_zone` and optionally `skills` (separated by `;` or
/// `|`, strongest first), `languages`, `office`, `cycle`, `start_day`, `crew`. A name already
/// on the staff is updated. All rows or none.
pub fn import_people(r: &mut Replica, text: &str, source: &str) -> Result<ImportCount, RosterError> {
    let (cols, rows) = records(text, source, &["name", "role", "time_zone"])?;
    r.write_with(|tx| -> Result<ImportCount, RosterError> {
        let mut count = ImportCount::default();
        for (line, rec) in &rows {
            let at = |what: &str| format!("{source} line {line}: {what}");
            let name = field(&cols, rec, "name");
            if name.is_empty() {
                return Err(RosterError::Invalid(at("the name is empty")));
            }
            let role_text = field(&cols, rec, "role");
            let role = parse_role(role_text).ok_or_else(|| RosterError::Invalid(at(&format!("role '{role_text}' is not 1, 2, 3, lead or deputy"))))?;
            let zone = field(&cols, rec, "time_zone");
            if zone.parse::<chrono_tz::Tz>().is_err() {
                return Err(RosterError::Invalid(at(&format!("time zone '{zone}' is not an IANA zone (e.g. Europe/Moscow)"))));
            }
            let mut skills = Vec::new();
            for s in field(&cols, rec, "skills").split([';', '|']).map(str::trim).filter(|s| !s.is_empty()) {
                skills.push(s.to_lowercase().parse::<Skill>().map_err(|_| RosterError::Invalid(at(&format!("skill '{s}' is not known"))))?);
            }
            let languages: Vec<String> = field(&cols, rec, "languages").split([';', '|']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect();
            let office = field(&cols, rec, "office");
            let existing: Option<i64> = tx.query_row("SELECT id FROM staff WHERE name = ?1", [name], |r| r.get(0)).optional()?;
            let id = match existing {
                Some(id) => {
                    let skills: Vec<&str> = skills.iter().map(|k| k.as_str()).collect();
                    tx.execute(
                        "UPDATE staff SET role = ?2, skills = CASE WHEN ?3 = '' THEN skills ELSE ?3 END, time_zone = ?4,
                             languages = CASE WHEN ?5 = '' THEN languages ELSE ?5 END, office = CASE WHEN ?6 = '' THEN office ELSE ?6 END WHERE id = ?1",
                        params![id, role, skills.join(","), zone, languages.join(","), office],
                    )?;
                    count.updated += 1;
                    id
                }
                None => {
                    count.added += 1;
                    reference::insert_staff(tx, &StaffMember { id: 0, name: name.into(), role, skills, languages, office: office.into(), time_zone: zone.into() })?
                }
            };
            let cycle = field(&cols, rec, "cycle");
            if !cycle.is_empty() {
                let start = field(&cols, rec, "start_day");
                let start_day = crate::input::day(start).map_err(|e| RosterError::Invalid(at(&e.to_string())))?;
                let crew = Some(field(&cols, rec, "crew")).filter(|c| !c.is_empty()).map(str::to_string);
                data::set_rotation_in(tx, &Rotation { staff_id: id, cycle: cycle.to_uppercase(), start_day, crew }).map_err(|e| RosterError::Invalid(at(&e.to_string())))?;
            }
        }
        Ok(count)
    })
}

/// Imports absences: `name, kind, first_day, last_day` and optionally `note`. All rows or none.
pub fn import_absences(r: &mut Replica, text: &str, source: &str) -> Result<ImportCount, RosterError> {
    let (cols, rows) = records(text, source, &["name", "kind", "first_day", "last_day"])?;
    r.write_with(|tx| -> Result<ImportCount, RosterError> {
        let mut count = ImportCount::default();
        for (line, rec) in &rows {
            let at = |e: RosterError| RosterError::Invalid(format!("{source} line {line}: {e}"));
            let person = data::find_person_in(tx, field(&cols, rec, "name")).map_err(at)?;
            let kind = AbsenceKind::parse(field(&cols, rec, "kind")).map_err(at)?;
            let first = crate::input::day(field(&cols, rec, "first_day")).map_err(|e| at(e.into()))?;
            let last = crate::input::day(field(&cols, rec, "last_day")).map_err(|e| at(e.into()))?;
            data::add_absence(tx, person.id, kind, first, last, field(&cols, rec, "note")).map_err(at)?;
            count.added += 1;
        }
        Ok(count)
    })
}

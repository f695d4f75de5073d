//! Staffing and labour rules over a plan: each shift's coverage by line (required, planned,
//! gaps, missing skills), each person's breaches (no shift straight after another, minimum
//! rest, maximum consecutive days, hours over the month's norm), and who could fill a gap.

use super::pattern::{Instants, ShiftTemplate};
use super::RosterError;
use crate::domain::{Role, Skill};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A head count per line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "roster.ts")]
#[serde(default)]
pub struct LineCounts {
    /// First line.
    pub line1: u32,
    /// Second line.
    pub line2: u32,
    /// Third line.
    pub line3: u32,
}

impl LineCounts {
    /// The count for line 1, 2 or 3.
    pub fn get(&self, line: u8) -> u32 {
        match line {
            1 => self.line1,
            2 => self.line2,
            _ => self.line3,
        }
    }

    fn add(&mut self, line: u8, n: u32) {
        match line {
            1 => self.line1 += n,
            2 => self.line2 += n,
            _ => self.line3 += n,
        }
    }

    /// Total over the lines.
    pub fn total(&self) -> u32 {
        self.line1 + self.line2 + self.line3
    }
}

/// What every shift needs and what every person may work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "roster.ts")]
#[serde(default, deny_unknown_fields)]
pub struct Rules {
    /// Staff required per shift template and line.
    pub required: BTreeMap<String, LineCounts>,
    /// Overrides by weekday (`mon` … `sun`), then template.
    pub by_weekday: BTreeMap<String, BTreeMap<String, LineCounts>>,
    /// Skills at least one person on the shift must have, per template.
    pub skills: BTreeMap<String, Vec<Skill>>,
    /// Minimum rest between two shifts, hours.
    pub min_rest_hours: u32,
    /// Most days in a row with a shift.
    pub max_consecutive_days: u32,
    /// Hours a person may plan above the month's norm (summarised accounting evens it out).
    pub max_overtime_hours: u32,
}

impl Default for Rules {
    fn default() -> Self {
        let shift = LineCounts { line1: 2, line2: 1, line3: 0 };
        Rules {
            required: BTreeMap::from([("D".into(), shift), ("N".into(), shift)]),
            by_weekday: BTreeMap::new(),
            skills: BTreeMap::new(),
            min_rest_hours: 12,
            max_consecutive_days: 6,
            max_overtime_hours: 36,
        }
    }
}

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

impl Rules {
    /// Parses and checks rules JSON against the known template codes.
    pub fn parse(text: &str, codes: &[String]) -> Result<Rules, RosterError> {
        let rules: Rules = serde_json::from_str(text).map_err(|e| RosterError::Invalid(format!("roster rules: {e}")))?;
        let known = |c: &String, what: &str| {
            if codes.contains(c) {
                Ok(())
            } else {
                Err(RosterError::Invalid(format!("roster rules: {what} names shift '{c}', which is not one of {}", codes.join(", "))))
            }
        };
        for c in rules.required.keys().chain(rules.skills.keys()) {
            known(c, "a requirement")?;
        }
        for (day, by_code) in &rules.by_weekday {
            if !WEEKDAYS.contains(&day.as_str()) {
                return Err(RosterError::Invalid(format!("roster rules: '{day}' is not a weekday (mon … sun)")));
            }
            for c in by_code.keys() {
                known(c, "a weekday override")?;
            }
        }
        if rules.max_consecutive_days == 0 {
            return Err(RosterError::Invalid("roster rules: max_consecutive_days must be at least 1".into()));
        }
        Ok(rules)
    }

    /// Staff required on `code` started on `day`.
    pub fn required_on(&self, code: &str, day: NaiveDate) -> LineCounts {
        let weekday = WEEKDAYS[day.weekday().num_days_from_monday() as usize];
        self.by_weekday.get(weekday).and_then(|m| m.get(code)).or_else(|| self.required.get(code)).copied().unwrap_or_default()
    }
}

/// Why a person is not at work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "roster.ts")]
#[serde(rename_all = "lowercase")]
pub enum AbsenceKind {
    /// Annual leave.
    Vacation,
    /// Sick leave.
    Sick,
    /// Training.
    Training,
}

impl AbsenceKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            AbsenceKind::Vacation => "vacation",
            AbsenceKind::Sick => "sick",
            AbsenceKind::Training => "training",
        }
    }

    /// Parses a stored or typed name (English or Russian).
    pub fn parse(s: &str) -> Result<AbsenceKind, RosterError> {
        match s.trim().to_lowercase().as_str() {
            "vacation" | "leave" | "отпуск" => Ok(AbsenceKind::Vacation),
            "sick" | "sick leave" | "больничный" => Ok(AbsenceKind::Sick),
            "training" | "обучение" | "учёба" | "учеба" => Ok(AbsenceKind::Training),
            other => Err(RosterError::Invalid(format!("absence '{other}': expected vacation, sick or training"))),
        }
    }
}

/// A person as the roster sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Staff id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Skills.
    pub skills: Vec<Skill>,
    /// Home zone.
    pub time_zone: String,
}

impl Person {
    /// The line whose head count this person fills: their own; the lead and deputy stand in
    /// on the second line.
    pub fn line(&self) -> u8 {
        self.role.line().map_or(2, |l| l.number())
    }
}

/// Everything the rules are checked on: people, templates, rules, holidays, each person's
/// shift code per day and absences.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// People, in display order.
    pub people: Vec<Person>,
    /// Shift templates.
    pub templates: Vec<ShiftTemplate>,
    /// Staffing and labour rules.
    pub rules: Rules,
    /// Non-working days: public holidays and moved days off.
    pub holidays: BTreeSet<NaiveDate>,
    /// Of them, the moved days off (their eve is not shortened).
    pub transfers: BTreeSet<NaiveDate>,
    /// The planned code per person and day (absent = day off).
    pub cells: HashMap<(i64, NaiveDate), String>,
    /// Absences per person and day.
    pub absences: HashMap<(i64, NaiveDate), AbsenceKind>,
}

/// One shift a person really works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Worked {
    /// Staff id.
    pub staff_id: i64,
    /// The day it starts on (the roster's day).
    pub day: NaiveDate,
    /// Template code.
    pub code: String,
    /// Real start and end.
    pub at: Instants,
    /// Paid minutes.
    pub paid_minutes: i64,
}

impl Plan {
    /// A template by code.
    pub fn template(&self, code: &str) -> Option<&ShiftTemplate> {
        self.templates.iter().find(|t| t.code == code)
    }

    /// A person by id.
    pub fn person(&self, id: i64) -> Option<&Person> {
        self.people.iter().find(|p| p.id == id)
    }

    /// What a person works on `day`: nothing when absent, off, or on a holiday their shift keeps.
    pub fn worked(&self, person: &Person, day: NaiveDate) -> Option<Worked> {
        if self.absences.contains_key(&(person.id, day)) {
            return None;
        }
        let code = self.cells.get(&(person.id, day)).filter(|c| !c.is_empty())?;
        let t = self.template(code)?;
        if t.observes_holidays && self.holidays.contains(&day) {
            return None;
        }
        let at = t.instants(day, &person.time_zone).ok()?;
        Some(Worked { staff_id: person.id, day, code: code.clone(), at, paid_minutes: t.paid_minutes(at) })
    }

    /// A person's shifts over `days`, in order.
    pub fn shifts_of(&self, person: &Person, days: &[NaiveDate]) -> Vec<Worked> {
        days.iter().filter_map(|d| self.worked(person, *d)).collect()
    }
}

/// The days of a month.
pub fn month_days(first: NaiveDate) -> Vec<NaiveDate> {
    first.iter_days().take_while(|d| d.month() == first.month()).collect()
}

/// The month's working-time norm in minutes for a five-day, forty-hour week: eight hours for
/// each weekday that is not a day off, one hour less on the working day before a public
/// holiday (not before a day off moved from a weekend).
pub fn norm_minutes(first: NaiveDate, holidays: &BTreeSet<NaiveDate>, transfers: &BTreeSet<NaiveDate>) -> i64 {
    month_days(first).into_iter().filter(|d| is_working_day(*d, holidays)).map(|d| working_minutes(d, holidays, transfers)).sum()
}

/// A working day's norm: 8 h, 7 h on the eve of a public holiday.
fn working_minutes(d: NaiveDate, holidays: &BTreeSet<NaiveDate>, transfers: &BTreeSet<NaiveDate>) -> i64 {
    let eve = d + Duration::days(1);
    if holidays.contains(&eve) && !transfers.contains(&eve) {
        7 * 60
    } else {
        8 * 60
    }
}

/// A weekday that is not a public holiday.
pub fn is_working_day(d: NaiveDate, holidays: &BTreeSet<NaiveDate>) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !holidays.contains(&d)
}

/// One shift's staffing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "roster.ts")]
pub struct ShiftCoverage {
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
    /// Required per line.
    pub required: LineCounts,
    /// Planned per line (the lead and deputy count on line 2).
    pub planned: LineCounts,
    /// Who is planned.
    pub people: Vec<i64>,
    /// Missing per line, after a surplus on a higher line covers a lower one.
    pub missing: LineCounts,
    /// Required skills nobody on the shift has.
    pub missing_skills: Vec<Skill>,
}

impl ShiftCoverage {
    /// Short of people or of a skill.
    pub fn is_short(&self) -> bool {
        self.missing.total() > 0 || !self.missing_skills.is_empty()
    }
}

/// Coverage of every required shift on `days`, by day then start.
pub fn coverage(plan: &Plan, days: &[NaiveDate]) -> Vec<ShiftCoverage> {
    let mut codes: Vec<&ShiftTemplate> = plan
        .templates
        .iter()
        .filter(|t| plan.rules.required.contains_key(&t.code) || plan.rules.skills.contains_key(&t.code) || plan.rules.by_weekday.values().any(|m| m.contains_key(&t.code)))
        .collect();
    codes.sort_by_key(|t| t.start_time.clone());
    let mut out = Vec::new();
    for &day in days {
        let worked: Vec<(&Person, Worked)> = plan.people.iter().filter_map(|p| plan.worked(p, day).map(|w| (p, w))).collect();
        for t in &codes {
            let Ok(at) = t.instants(day, "UTC") else { continue };
            let on: Vec<&Person> = worked.iter().filter(|(_, w)| w.code == t.code).map(|(p, _)| *p).collect();
            let required = plan.rules.required_on(&t.code, day);
            let mut planned = LineCounts::default();
            for p in &on {
                planned.add(p.line(), 1);
            }
            let missing = missing(required, planned);
            let missing_skills = plan.rules.skills.get(&t.code).map(|need| need.iter().filter(|s| !on.iter().any(|p| p.skills.contains(s))).copied().collect()).unwrap_or_default();
            out.push(ShiftCoverage {
                day,
                code: t.code.clone(),
                start: at.start,
                end: at.end,
                required,
                planned,
                people: on.iter().map(|p| p.id).collect(),
                missing,
                missing_skills,
            });
        }
    }
    out
}

/// Missing heads per line; a higher line's surplus stands in for a lower line's shortfall.
fn missing(required: LineCounts, planned: LineCounts) -> LineCounts {
    let gap3 = required.line3.saturating_sub(planned.line3);
    let spare3 = planned.line3.saturating_sub(required.line3);
    let have2 = planned.line2 + spare3;
    let gap2 = required.line2.saturating_sub(have2);
    let spare2 = have2.saturating_sub(required.line2);
    let gap1 = required.line1.saturating_sub(planned.line1 + spare2);
    LineCounts { line1: gap1, line2: gap2, line3: gap3 }
}

/// Which labour rule a plan breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "roster.ts")]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// A shift starts when (or before) the previous one ends: a night followed directly by a day.
    BackToBack,
    /// Less rest between two shifts than the minimum.
    MinRest,
    /// More days in a row with a shift than allowed.
    MaxConsecutive,
    /// More hours in the month than the norm plus the allowed overtime.
    MonthHours,
}

/// One breach of a labour rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "roster.ts")]
pub struct Breach {
    /// Staff id.
    pub staff_id: i64,
    /// Name.
    pub name: String,
    /// The day of the shift that breaks the rule.
    #[ts(type = "string")]
    pub day: NaiveDate,
    /// The rule.
    pub rule: RuleKind,
    /// The measured value: rest hours, days in a row, or planned hours.
    pub value: f64,
    /// The limit it is measured against.
    pub limit: f64,
    /// The reason, in English (the window words it in the user's language from the fields).
    pub reason: String,
}

/// Every rule a person's plan breaks on `days` (the shifts of `before` only give context:
/// the rest before the month's first shift, a run of days that started last month).
pub fn breaches(plan: &Plan, person: &Person, before: &[NaiveDate], days: &[NaiveDate], norm_minutes: i64) -> Vec<Breach> {
    let mut out = Vec::new();
    let context = plan.shifts_of(person, before);
    let month = plan.shifts_of(person, days);
    let rules = &plan.rules;
    let mk = |day: NaiveDate, rule: RuleKind, value: f64, limit: f64, reason: String| Breach { staff_id: person.id, name: person.name.clone(), day, rule, value, limit, reason };
    let all: Vec<&Worked> = context.iter().chain(month.iter()).collect();
    for pair in all.windows(2) {
        let (prev, next) = (pair[0], pair[1]);
        if next.day < days[0] {
            continue;
        }
        let rest = next.at.start - prev.at.end;
        let hours = rest.num_minutes() as f64 / 60.0;
        if rest <= Duration::zero() {
            out.push(mk(
                next.day,
                RuleKind::BackToBack,
                hours,
                0.0,
                format!("{}: the {} shift of {} starts as the {} shift of {} ends", person.name, next.code, next.day, prev.code, prev.day),
            ));
        } else if rest < Duration::hours(i64::from(rules.min_rest_hours)) {
            out.push(mk(
                next.day,
                RuleKind::MinRest,
                hours,
                f64::from(rules.min_rest_hours),
                format!("{}: {hours:.1} h of rest before the {} shift of {} (minimum {} h)", person.name, next.code, next.day, rules.min_rest_hours),
            ));
        }
    }
    let mut run = 0u32;
    let mut last: Option<NaiveDate> = None;
    for w in &all {
        run = if last.is_some_and(|l| l + Duration::days(1) == w.day) {
            run + 1
        } else if last == Some(w.day) {
            run
        } else {
            1
        };
        last = Some(w.day);
        if run == rules.max_consecutive_days + 1 && w.day >= days[0] {
            out.push(mk(
                w.day,
                RuleKind::MaxConsecutive,
                f64::from(run),
                f64::from(rules.max_consecutive_days),
                format!("{}: {run} days in a row with a shift by {} (at most {})", person.name, w.day, rules.max_consecutive_days),
            ));
        }
    }
    let limit = norm_minutes + i64::from(rules.max_overtime_hours) * 60;
    let mut total = 0;
    for w in &month {
        total += w.paid_minutes;
        if total > limit {
            out.push(mk(
                w.day,
                RuleKind::MonthHours,
                total as f64 / 60.0,
                limit as f64 / 60.0,
                format!("{}: {} h planned by {} against a norm of {} h plus {} h overtime", person.name, total / 60, w.day, norm_minutes / 60, rules.max_overtime_hours),
            ));
            break;
        }
    }
    out
}

/// A person's norm for the month: the calendar's, less the working days they are absent.
pub fn person_norm(plan: &Plan, person: &Person, days: &[NaiveDate], month_norm: i64) -> i64 {
    let absent: i64 = days
        .iter()
        .filter(|d| plan.absences.contains_key(&(person.id, **d)) && is_working_day(**d, &plan.holidays))
        .map(|d| working_minutes(*d, &plan.holidays, &plan.transfers))
        .sum();
    (month_norm - absent).max(0)
}

/// Someone who could fill a gap without breaking a rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "roster.ts")]
pub struct Suggestion {
    /// Staff id.
    pub staff_id: i64,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Hours already planned in the month.
    pub hours: f64,
}

/// Who could work `code` on `day` for `line` without breaking a rule: off that day, not
/// absent, and with the shift added: rest before and after it (`after` days of the next
/// month count), days in a row through it, and the month's hours within the limit; that
/// line's engineers first, then a higher line, then the lead and deputy; fewest planned hours
/// first within each.
#[allow(clippy::too_many_arguments)] // the gap (day, shift, line) and the month around it, each named
pub fn suggestions(plan: &Plan, day: NaiveDate, code: &str, line: u8, before: &[NaiveDate], days: &[NaiveDate], after: &[NaiveDate], month_norm: i64) -> Vec<Suggestion> {
    let mut out: Vec<(u8, i64, Suggestion)> = Vec::new();
    let all: Vec<NaiveDate> = before.iter().chain(days).chain(after).copied().collect();
    for p in &plan.people {
        let rank = match p.role.line() {
            Some(l) if l.number() == line => 0,
            Some(l) if l.number() > line && l.number() < 3 => 1,
            None => 2,
            _ => continue,
        };
        if plan.absences.contains_key(&(p.id, day)) || plan.worked(p, day).is_some() {
            continue;
        }
        let mut trial = plan.clone();
        trial.cells.insert((p.id, day), code.to_string());
        let norm = person_norm(plan, p, days, month_norm);
        if !fits(&trial, p, day, &all, days, norm) {
            continue;
        }
        let minutes: i64 = plan.shifts_of(p, days).iter().map(|w| w.paid_minutes).sum();
        out.push((rank, minutes, Suggestion { staff_id: p.id, name: p.name.clone(), role: p.role, hours: minutes as f64 / 60.0 }));
    }
    out.sort_by(|a, b| (a.0, a.1, &a.2.name).cmp(&(b.0, b.1, &b.2.name)));
    out.into_iter().map(|(_, _, s)| s).collect()
}

/// Whether the shift `plan` puts on `day` for `person` breaks none of the labour rules.
fn fits(plan: &Plan, person: &Person, day: NaiveDate, all: &[NaiveDate], month: &[NaiveDate], norm: i64) -> bool {
    let Some(new) = plan.worked(person, day) else { return false };
    let shifts = plan.shifts_of(person, all);
    let rest = Duration::hours(i64::from(plan.rules.min_rest_hours));
    let rested = shifts.iter().filter(|w| w.day != day).all(|w| {
        if w.at.end <= new.at.start {
            new.at.start - w.at.end >= rest
        } else if w.at.start >= new.at.end {
            w.at.start - new.at.end >= rest
        } else {
            false
        }
    });
    let worked_on = |d: NaiveDate| shifts.iter().any(|w| w.day == d);
    let mut run = 1;
    let mut d = day - Duration::days(1);
    while worked_on(d) {
        run += 1;
        d -= Duration::days(1);
    }
    let mut d = day + Duration::days(1);
    while worked_on(d) {
        run += 1;
        d += Duration::days(1);
    }
    let hours: i64 = shifts.iter().filter(|w| month.contains(&w.day)).map(|w| w.paid_minutes).sum();
    rested && run <= plan.rules.max_consecutive_days && hours <= norm + i64::from(plan.rules.max_overtime_hours) * 60
}

//! `smena roster`: shift rosters — generate a month, show it, check its coverage and labour
//! rules, edit it, publish it, see who is on now, export iCalendar and CSV, import people,
//! absences and holidays.

use super::{open, print_json, CliError, CliResult};
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use smena_core::error::ErrorCode;
use smena_core::roster::{self, data, ical, io, month, now, oncall, AbsenceKind};
use smena_core::{Clock, SystemClock};
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum RosterCommand {
    /// Generate a month from everyone's rotation (people without one join the 2/2 crews or the
    /// 5/2 week), replacing its draft; a published version is kept.
    Generate(MonthArgs),
    /// The month grid: every person's shift or absence per day, hours against the norm.
    Show(MonthArgs),
    /// Every required shift with required, planned and missing staff by line, and every
    /// labour-rule breach.
    Coverage(MonthArgs),
    /// Who is on shift now on each line, who comes next, which specialists are in, by skill.
    Now {
        /// The moment (RFC 3339 or a date) [default: now]
        #[arg(long, value_name = "TIME", value_parser = smena_core::input::instant)]
        at: Option<DateTime<Utc>>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// The third line on call: each skill's specialist per week (Monday 09:00 to Monday 09:00
    /// in their own zone, outside office hours); --set names someone for a week by hand.
    Oncall {
        /// The first week (any day of it) [default: this week]
        #[arg(long, value_name = "DAY")]
        from: Option<String>,
        /// How many weeks
        #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=104))]
        weeks: u16,
        /// Name this specialist on call (with --skill and --from) [or "auto": back to the rotation]
        #[arg(long, value_name = "NAME", requires_all = ["skill", "from"])]
        set: Option<String>,
        /// The skill (with --set)
        #[arg(long)]
        skill: Option<String>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Write the month as iCalendar (team or one person) and/or CSV.
    Export {
        /// The month, YYYY-MM
        #[arg(long)]
        month: String,
        /// iCalendar file to write
        #[arg(long, value_name = "FILE")]
        ics: Option<PathBuf>,
        /// CSV file to write
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
        /// Only this person's shifts (iCalendar)
        #[arg(long, value_name = "NAME")]
        person: Option<String>,
    },
    /// Publish the month's plan as a new version.
    Publish {
        /// The month, YYYY-MM
        #[arg(long)]
        month: String,
    },
    /// Put a person on a shift (D, N, W …) or off on a day.
    Assign {
        /// Name (or a unique part of it)
        #[arg(long)]
        person: String,
        /// The day, YYYY-MM-DD
        #[arg(long)]
        day: String,
        /// Shift code, or "off"
        #[arg(long)]
        shift: String,
    },
    /// Swap two people's cells (on one day, or on two days).
    Swap {
        /// First person
        #[arg(long)]
        person: String,
        /// Their day, YYYY-MM-DD
        #[arg(long)]
        day: String,
        /// Second person
        #[arg(long)]
        with: String,
        /// Their day [default: the same day]
        #[arg(long)]
        with_day: Option<String>,
    },
    /// Record or remove an absence (vacation, sick, training).
    #[command(subcommand)]
    Absence(AbsenceCommand),
    /// Who could fill a gap without breaking a rule, fewest hours first.
    Suggest {
        /// The day, YYYY-MM-DD
        #[arg(long)]
        day: String,
        /// Shift code
        #[arg(long)]
        shift: String,
        /// The line that is short (1, 2 or 3)
        #[arg(long, value_parser = clap::value_parser!(u8).range(1..=3))]
        line: u8,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Set a person's rotation: a cycle of shift codes and days off (O), from a start day.
    Rotation {
        /// Name (or a unique part of it)
        #[arg(long)]
        person: String,
        /// The cycle, e.g. DDOONNOO, DDOO, NNOO, DNOO, WWWWWOO
        #[arg(long)]
        cycle: String,
        /// The day the cycle's first symbol falls on, YYYY-MM-DD
        #[arg(long)]
        start: String,
        /// Crew name
        #[arg(long)]
        crew: Option<String>,
    },
    /// Show the staffing and labour rules as JSON, or replace them with FILE's.
    Rules {
        /// JSON rules to store (the form this prints)
        #[arg(long, value_name = "FILE")]
        set: Option<PathBuf>,
    },
    /// Import people or absences (CSV) or public holidays (iCalendar).
    Import {
        /// CSV: name, role (1, 2, 3, lead, deputy), time_zone [, skills, languages, office, cycle, start_day, crew]
        #[arg(long, value_name = "FILE")]
        people: Option<PathBuf>,
        /// CSV: name, kind (vacation, sick, training), first_day, last_day [, note]
        #[arg(long, value_name = "FILE")]
        absences: Option<PathBuf>,
        /// iCalendar of public holidays
        #[arg(long, value_name = "FILE")]
        holidays: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct MonthArgs {
    /// The month, YYYY-MM
    #[arg(long)]
    month: String,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
pub enum AbsenceCommand {
    /// Record an absence.
    Add {
        /// Name (or a unique part of it)
        #[arg(long)]
        person: String,
        /// vacation, sick or training
        #[arg(long)]
        kind: String,
        /// First day, YYYY-MM-DD
        #[arg(long)]
        from: String,
        /// Last day, YYYY-MM-DD [default: the first]
        #[arg(long)]
        to: Option<String>,
        /// A note
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Remove an absence by id.
    Remove {
        /// The absence's id
        id: i64,
    },
}

fn read(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|err| CliError::file(path, err))
}

fn write(path: &Path, text: &str) -> CliResult {
    smena_core::output::write_atomically(path, text.as_bytes()).map_err(|err| CliError::file(path, err))
}

pub fn run(c: RosterCommand, db: &Path) -> CliResult {
    let clock = SystemClock;
    match c {
        RosterCommand::Generate(a) => {
            let first = smena_core::input::month(&a.month)?;
            let view = month::generate(&mut open(db)?, first, clock.now())?;
            if a.json {
                return print_json(&view.report);
            }
            out!("{} generated as a draft: {} people", view.month, view.people.len());
            print_summary(&view.report);
            Ok(())
        }
        RosterCommand::Show(a) => {
            let first = smena_core::input::month(&a.month)?;
            let view = month::view(&open(db)?, first)?;
            if a.json {
                return print_json(&view);
            }
            print_grid(&view);
            Ok(())
        }
        RosterCommand::Coverage(a) => {
            let first = smena_core::input::month(&a.month)?;
            let report = month::coverage(&open(db)?, first)?;
            if a.json {
                return print_json(&report);
            }
            print_summary(&report);
            for s in report.shifts.iter().filter(|s| s.is_short()) {
                let mut gaps = Vec::new();
                for (line, n) in [(1, s.missing.line1), (2, s.missing.line2), (3, s.missing.line3)] {
                    if n > 0 {
                        gaps.push(format!("{n} × L{line}"));
                    }
                }
                for k in &s.missing_skills {
                    gaps.push(format!("no one with {k}"));
                }
                out!("  {} {}: short {}", s.day, s.code, gaps.join(", "));
            }
            for b in &report.breaches {
                out!("  breach: {}", b.reason);
            }
            Ok(())
        }
        RosterCommand::Now { at, json } => {
            let at = at.unwrap_or_else(|| clock.now());
            let panel = now::panel(&open(db)?, at)?;
            if json {
                return print_json(&panel);
            }
            out!("at {}", at.format("%Y-%m-%d %H:%M UTC"));
            for l in &panel.lines {
                let names: Vec<&str> = l.now.iter().map(|p| p.name.as_str()).collect();
                let next: Vec<&str> = l.next.iter().map(|p| p.name.as_str()).collect();
                let when = l.next_at.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()).unwrap_or_else(|| "—".into());
                out!("line {}: {} | next {when}: {}", l.line, if names.is_empty() { "nobody".into() } else { names.join(", ") }, next.join(", "));
            }
            for s in &panel.specialists {
                out!("  {}: {}", s.skill, s.people.join(", "));
            }
            Ok(())
        }
        RosterCommand::Export { month: m, ics, csv, person } => {
            let first = smena_core::input::month(&m)?;
            if ics.is_none() && csv.is_none() {
                return Err(CliError::new(ErrorCode::InvalidInput, "say where to write: --ics FILE and/or --csv FILE", "укажите, куда записать: --ics ФАЙЛ и/или --csv ФАЙЛ"));
            }
            let r = open(db)?;
            let who = person.as_deref().map(|n| data::find_person(&r, n)).transpose()?;
            if let Some(path) = ics {
                let (text, events) = ical::export(&r, first, who.as_ref().map(|p| p.id), clock.now())?;
                write(&path, &text)?;
                out!("wrote {events} shifts to {}", path.display());
            }
            if let Some(path) = csv {
                write(&path, &io::export_csv(&r, first)?)?;
                out!("wrote {}", path.display());
            }
            Ok(())
        }
        RosterCommand::Publish { month: m } => {
            let first = smena_core::input::month(&m)?;
            let version = month::publish(&mut open(db)?, first, clock.now())?;
            out!("{m} published as version {version}");
            Ok(())
        }
        RosterCommand::Assign { person, day, shift } => {
            let mut r = open(db)?;
            let p = data::find_person(&r, &person)?;
            let day = smena_core::input::day(&day)?;
            let code = if shift.eq_ignore_ascii_case("off") { String::new() } else { shift.to_uppercase() };
            month::assign(&mut r, p.id, day, &code, clock.now())?;
            out!("{} on {day}: {}", p.name, if code.is_empty() { "off" } else { &code });
            print_summary(&month::coverage(&r, roster::first_of(day))?);
            Ok(())
        }
        RosterCommand::Swap { person, day, with, with_day } => {
            let mut r = open(db)?;
            let a = data::find_person(&r, &person)?;
            let b = data::find_person(&r, &with)?;
            let da = smena_core::input::day(&day)?;
            let db_ = with_day.as_deref().map(smena_core::input::day).transpose()?.unwrap_or(da);
            month::swap(&mut r, a.id, da, b.id, db_, clock.now())?;
            out!("swapped {} on {da} with {} on {db_}", a.name, b.name);
            print_summary(&month::coverage(&r, roster::first_of(da))?);
            Ok(())
        }
        RosterCommand::Absence(AbsenceCommand::Add { person, kind, from, to, note }) => {
            let mut r = open(db)?;
            let p = data::find_person(&r, &person)?;
            let kind = AbsenceKind::parse(&kind)?;
            let first = smena_core::input::day(&from)?;
            let last = to.as_deref().map(smena_core::input::day).transpose()?.unwrap_or(first);
            let id = month::add_absence(&mut r, p.id, kind, first, last, &note)?;
            out!("absence {id}: {} {} {first} … {last}", p.name, kind.as_str());
            print_summary(&month::coverage(&r, roster::first_of(first))?);
            Ok(())
        }
        RosterCommand::Absence(AbsenceCommand::Remove { id }) => {
            month::remove_absence(&mut open(db)?, id)?;
            out!("absence {id} removed");
            Ok(())
        }
        RosterCommand::Suggest { day, shift, line, json } => {
            let day = smena_core::input::day(&day)?;
            let list = month::suggestions(&open(db)?, day, &shift.to_uppercase(), line)?;
            if json {
                return print_json(&list);
            }
            if list.is_empty() {
                out!("nobody can take it without breaking a rule");
            }
            for s in list {
                out!("{} ({}, {} h this month)", s.name, s.role, s.hours);
            }
            Ok(())
        }
        RosterCommand::Oncall { from, weeks, set, skill, json } => {
            let mut r = open(db)?;
            let from = match from {
                Some(d) => smena_core::input::day(&d)?,
                None => clock.now().date_naive(),
            };
            if let (Some(who), Some(skill)) = (set, skill) {
                let skill: smena_core::domain::Skill = skill.parse()?;
                let id = if who == "auto" { None } else { Some(data::find_person(&r, &who)?.id) };
                oncall::set(&mut r, skill, from, id)?;
            }
            let list = oncall::weeks(&r, from, usize::from(weeks))?;
            if json {
                return print_json(&list);
            }
            for w in &list {
                let who = w.name.as_deref().unwrap_or("— nobody");
                let marks = [(w.manual, " (by hand)"), (w.no_rest, " (no rest after last week)"), (w.double, " (on call for two skills)")];
                out!("{} {:<15} {who}{}", w.week, w.skill.as_str(), marks.iter().filter(|(on, _)| *on).map(|(_, m)| *m).collect::<String>());
            }
            Ok(())
        }
        RosterCommand::Rotation { person, cycle, start, crew } => {
            let mut r = open(db)?;
            let p = data::find_person(&r, &person)?;
            let rot = roster::Rotation { staff_id: p.id, cycle: cycle.to_uppercase(), start_day: smena_core::input::day(&start)?, crew };
            data::set_rotation(&mut r, &rot)?;
            out!("{}: {} from {}", p.name, rot.cycle, rot.start_day);
            Ok(())
        }
        RosterCommand::Rules { set } => {
            let mut r = open(db)?;
            if let Some(path) = set {
                data::set_rules(&mut r, &read(&path)?).map_err(|err| CliError::from(err).at(&path))?;
            }
            print_json(&data::rules(&r)?)
        }
        RosterCommand::Import { people, absences, holidays } => {
            let mut r = open(db)?;
            if people.is_none() && absences.is_none() && holidays.is_none() {
                return Err(CliError::new(
                    ErrorCode::InvalidInput,
                    "say what to import: --people FILE, --absences FILE or --holidays FILE",
                    "укажите, что импортировать: --people ФАЙЛ, --absences ФАЙЛ или --holidays ФАЙЛ",
                ));
            }
            if let Some(path) = people {
                let n = io::import_people(&mut r, &read(&path)?, &path.display().to_string())?;
                out!("people: {} added, {} updated", n.added, n.updated);
            }
            if let Some(path) = absences {
                let n = io::import_absences(&mut r, &read(&path)?, &path.display().to_string())?;
                out!("absences: {} added", n.added);
            }
            if let Some(path) = holidays {
                let days = ical::parse_holidays(&read(&path)?, &path.display().to_string())?;
                let added = data::add_holidays(&mut r, &days)?;
                out!("holidays: {added} new of {} days", days.len());
            }
            Ok(())
        }
    }
}

fn print_summary(r: &roster::CoverageReport) {
    let s = &r.summary;
    out!(
        "{}: {} of {} shifts short ({} short of line 1, {} of line 2, {} of a skill); missing {} first-line and {} second-line shift places; {} rule breaches",
        r.month,
        s.short_shifts,
        s.shifts,
        s.short_by_line.line1,
        s.short_by_line.line2,
        s.short_of_skill,
        s.missing.line1,
        s.missing.line2,
        s.breaches
    );
}

fn print_grid(v: &roster::RosterMonth) {
    out!("{} ({}), norm {} h", v.month, v.state, v.norm_hours);
    let width = v.people.iter().map(|p| p.name.chars().count()).max().unwrap_or(4);
    let header: String = v.days.iter().map(|d| format!("{:>3}", &d[8..])).collect();
    out!("{:width$} {header}", "");
    for p in &v.people {
        let cells: String = p
            .cells
            .iter()
            .map(|c| {
                let s = match (c.absence, c.holiday, c.code.as_str()) {
                    (Some(AbsenceKind::Vacation), _, _) => "V",
                    (Some(AbsenceKind::Sick), _, _) => "S",
                    (Some(AbsenceKind::Training), _, _) => "T",
                    (None, true, _) => "h",
                    (None, false, "") => ".",
                    (None, false, code) => code,
                };
                format!("{s:>3}")
            })
            .collect();
        let pad = width - p.name.chars().count();
        out!("{}{} {cells}  {}/{} h", p.name, " ".repeat(pad), p.hours, p.norm_hours);
    }
    print_summary(&v.report);
}

//! `smena report`: reports over the replica.

use super::{open, print_json, CliResult};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use clap::{Args, Subcommand, ValueEnum};
use smena_core::analytics::{load_report, Bucketing, LoadQuery, Stack};
use smena_core::{input, sla};
use std::path::Path;

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Tickets opened per hour, weekday or hour of week, counted in a time zone.
    Load(LoadArgs),
    /// Incidents per urgency × impact cell and the priority they carry.
    Matrix {
        /// Print JSON: {"cells": [{"urgency", "impact", "priority", "count"}]}
        #[arg(long)]
        json: bool,
    },
    /// SLA compliance of the tickets registered in a period: reaction and resolution, by
    /// priority, client, line and engineer, with the trend and every breach.
    Sla(SlaArgs),
    /// One client's SLA for a month: compliance, breaches, availability, compensation.
    SlaMonth(SlaMonthArgs),
    /// The open tickets closest to an SLA breach (or past it), least time left first.
    AtRisk(AtRiskArgs),
    /// Engineers needed per hour of a week by Erlang C, against the shift norm.
    Staffing(StaffingArgs),
    /// Hours from opening to resolution: median and 90th percentile.
    Resolution {
        /// Grouping (priority)
        #[arg(long, value_parser = ["priority"], default_value = "priority")]
        by: String,
        /// Print JSON: {"by": "priority", "groups": [{"priority", "count", "median_hours", "p90_hours"}]}
        #[arg(long)]
        json: bool,
    },
}

#[derive(serde::Serialize)]
struct Cells {
    cells: Vec<smena_core::analytics::breakdown::MatrixCell>,
}

#[derive(serde::Serialize)]
struct Groups {
    by: String,
    groups: Vec<smena_core::analytics::breakdown::ResolutionStats>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum By {
    Hour,
    Weekday,
    HourOfWeek,
    Day,
}

impl By {
    pub(crate) fn bucketing(self) -> Bucketing {
        match self {
            By::Hour => Bucketing::Hour,
            By::Weekday => Bucketing::Weekday,
            By::HourOfWeek => Bucketing::HourOfWeek,
            By::Day => Bucketing::Day,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum StackBy {
    Zone,
    Channel,
    Kind,
    Line,
}

impl StackBy {
    pub(crate) fn stack(self) -> Stack {
        match self {
            StackBy::Zone => Stack::ClientZone,
            StackBy::Channel => Stack::Channel,
            StackBy::Kind => Stack::Kind,
            StackBy::Line => Stack::Line,
        }
    }
}

#[derive(Debug, Args)]
pub struct LoadArgs {
    /// How to group the tickets (day: the daily trend with week totals; needs --from and --to)
    #[arg(long, value_enum, value_name = "hour|weekday|hour-of-week|day")]
    by: By,
    /// Read each ticket's hour and day in its client's own time zone instead of --tz
    #[arg(long)]
    local: bool,
    /// Split the counts by the client's zone, the channel, the kind or the line
    #[arg(long, value_enum, value_name = "zone|channel|kind|line")]
    stack: Option<StackBy>,
    /// IANA time zone the hours and days are read in
    #[arg(long, default_value = "Europe/Moscow", value_name = "ZONE", value_parser = input::time_zone)]
    tz: Tz,
    /// First day counted, YYYY-MM-DD in that zone (inclusive)
    #[arg(long, value_name = "D", value_parser = input::day)]
    from: Option<NaiveDate>,
    /// Last day counted, YYYY-MM-DD in that zone (inclusive)
    #[arg(long, value_name = "D", value_parser = input::day)]
    to: Option<NaiveDate>,
    /// Print JSON: {"buckets": [{"key", "count"}, ...], "total", ...}
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct SlaArgs {
    /// First day, YYYY-MM-DD in --tz (inclusive)
    #[arg(long, value_name = "D", value_parser = input::day)]
    from: NaiveDate,
    /// Last day, YYYY-MM-DD in --tz (inclusive)
    #[arg(long, value_name = "D", value_parser = input::day)]
    to: NaiveDate,
    /// One client (name or contract number)
    #[arg(long, value_name = "C")]
    client: Option<String>,
    /// IANA time zone the days are read in
    #[arg(long, default_value = "Europe/Moscow", value_name = "ZONE", value_parser = input::time_zone)]
    tz: Tz,
    /// The instant running clocks are measured at (RFC 3339) [default: now]
    #[arg(long, value_name = "TIME", value_parser = input::instant)]
    now: Option<DateTime<Utc>>,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct SlaMonthArgs {
    /// The client (name or contract number)
    #[arg(long, value_name = "C")]
    client: String,
    /// The month, YYYY-MM (in the client's zone)
    #[arg(long, value_name = "YYYY-MM", value_parser = input::month)]
    month: NaiveDate,
    /// The instant running clocks are measured at (RFC 3339) [default: now]
    #[arg(long, value_name = "TIME", value_parser = input::instant)]
    now: Option<DateTime<Utc>>,
    /// Print JSON
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print CSV (a summary row, then one row per breach)
    #[arg(long)]
    csv: bool,
}

#[derive(Debug, Args)]
pub struct AtRiskArgs {
    /// List clocks with at most this many support minutes left
    #[arg(long, default_value_t = 120, value_name = "MIN")]
    within: i64,
    /// The instant the clocks are measured at (RFC 3339) [default: now]
    #[arg(long, value_name = "TIME", value_parser = input::instant)]
    now: Option<DateTime<Utc>>,
    /// Print JSON: {"tickets": [...]}
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct StaffingArgs {
    /// The ISO week planned, YYYY-Www (e.g. 2026-W49)
    #[arg(long, value_name = "YYYY-Www", value_parser = input::week)]
    week: NaiveDate,
    /// Weeks of history averaged (the weeks just before --week)
    #[arg(long, default_value_t = 4, value_name = "N")]
    weeks_back: u32,
    /// IANA time zone of the hours
    #[arg(long, default_value = "Europe/Moscow", value_name = "ZONE", value_parser = input::time_zone)]
    tz: Tz,
    /// Target share of tickets reacted to in time, percent
    #[arg(long, default_value_t = 80.0, value_name = "PCT")]
    target_percent: f64,
    /// Target reaction time, seconds
    #[arg(long, default_value_t = 900.0, value_name = "S")]
    target_seconds: f64,
    /// Average handling time on line 1, seconds
    #[arg(long, default_value_t = 300.0, value_name = "S")]
    aht_line1: f64,
    /// Average handling time on line 2, seconds
    #[arg(long, default_value_t = 1200.0, value_name = "S")]
    aht_line2: f64,
    /// Shrinkage (breaks, training, sick leave), percent
    #[arg(long, default_value_t = 30.0, value_name = "PCT")]
    shrinkage: f64,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

pub fn run(c: ReportCommand, db: &Path) -> CliResult {
    match c {
        ReportCommand::Load(a) => load(a, db),
        ReportCommand::Sla(a) => sla_cmd(a, db),
        ReportCommand::SlaMonth(a) => sla_month(a, db),
        ReportCommand::AtRisk(a) => at_risk(a, db),
        ReportCommand::Staffing(a) => staffing(a, db),
        ReportCommand::Matrix { json } => {
            let cells = smena_core::analytics::breakdown::matrix_cells(&open(db)?)?;
            if json {
                return print_json(&Cells { cells });
            }
            for c in &cells {
                out!("urgency {:<10} impact {:<10} priority {:<9} {:>7}", c.urgency.as_str(), c.impact.as_str(), c.priority.as_str(), c.count);
            }
            Ok(())
        }
        ReportCommand::Resolution { by, json } => {
            let groups = smena_core::analytics::breakdown::resolution_by_priority(&open(db)?)?;
            if json {
                return print_json(&Groups { by, groups });
            }
            for g in &groups {
                out!("{:<9} {:>7} resolved  median {:>8.2} h  p90 {:>8.2} h", g.priority.as_str(), g.count, g.median_hours, g.p90_hours);
            }
            Ok(())
        }
    }
}

fn load(a: LoadArgs, db: &Path) -> CliResult {
    let replica = open(db)?;
    let q = LoadQuery { by: a.by.bucketing(), tz: a.tz, from: a.from, to: a.to, client_local: a.local, stack: a.stack.map(StackBy::stack) };
    let report = load_report(&replica, &q)?;
    if a.json {
        return print_json(&report);
    }
    let max = report.buckets.iter().map(|b| b.count).max().unwrap_or(0).max(1);
    out!("tickets opened per {:?} in {} ({} in all)", a.by, report.time_zone, report.total);
    for b in &report.buckets {
        let key = serde_json::to_value(&b.key).map(|v| v.to_string().trim_matches('"').to_string()).unwrap_or_default();
        out!("{key:>7} {:>7} {}", b.count, "#".repeat((b.count * 50 / max) as usize));
    }
    Ok(())
}

pub(super) fn hm(seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "" };
    let m = seconds.abs() / 60;
    format!("{sign}{}:{:02}", m / 60, m % 60)
}

fn pct(p: Option<f64>) -> String {
    p.map_or("—".into(), |v| format!("{v:.1} %"))
}

fn sla_cmd(a: SlaArgs, db: &Path) -> CliResult {
    let replica = open(db)?;
    let now = a.now.unwrap_or_else(Utc::now);
    let report = sla::sla_report(&replica, &sla::SlaQuery { from: a.from, to: a.to, tz: a.tz, client: a.client, now })?;
    if a.json {
        return print_json(&report);
    }
    out!("SLA {} … {} ({}): {} tickets", report.from, report.to, report.time_zone, report.tickets);
    out!("reaction   {:>8}  met {:>6}  breached {:>5}  pending {:>5}", pct(report.reaction.percent), report.reaction.met, report.reaction.breached, report.reaction.pending);
    out!(
        "resolution {:>8}  met {:>6}  breached {:>5}  pending {:>5}",
        pct(report.resolution.percent),
        report.resolution.met,
        report.resolution.breached,
        report.resolution.pending
    );
    out!("by priority:");
    for g in &report.by_priority {
        out!("  {:<3} {:>6} tickets  reaction {:>8}  resolution {:>8}", g.key, g.tickets, pct(g.reaction.percent), pct(g.resolution.percent));
    }
    out!("breaches: {}", report.breaches.len());
    for b in report.breaches.iter().take(20) {
        out!("  {} {:<10} over by {:>7}  {}", b.number, if b.timer == sla::TimerKind::Reaction { "reaction" } else { "resolution" }, hm(-b.clock.left_seconds()), b.client);
    }
    Ok(())
}

fn sla_month(a: SlaMonthArgs, db: &Path) -> CliResult {
    let replica = open(db)?;
    let m = sla::client_month(&replica, &a.client, a.month, a.now.unwrap_or_else(Utc::now))?;
    if a.json {
        return print_json(&m);
    }
    if a.csv {
        print!("{}", smena_core::dashboard::client_month_csv(&m));
        return Ok(());
    }
    out!("{} ({}) — {} in {}", m.client, m.contract_no, m.month, m.time_zone);
    out!("tickets {}  reaction {}  resolution {}  breaches {}", m.tickets, pct(m.reaction.percent), pct(m.resolution.percent), m.breaches.len());
    out!("availability {:.3} % (target {} %), downtime {} min", m.availability, m.availability_target, m.downtime_minutes);
    out!("compensation {:.2} {} ({} % of the fee)", m.compensation, m.currency, m.credit_percent);
    Ok(())
}

#[derive(serde::Serialize)]
struct AtRiskOut {
    now: DateTime<Utc>,
    within_minutes: i64,
    tickets: Vec<sla::TimerRow>,
}

fn at_risk(a: AtRiskArgs, db: &Path) -> CliResult {
    let replica = open(db)?;
    let now = a.now.unwrap_or_else(Utc::now);
    // A week ahead at most: further is not "at risk".
    let tickets = sla::at_risk(&replica, now, chrono::Duration::minutes(a.within.clamp(0, 7 * 24 * 60)))?;
    if a.json {
        return print_json(&AtRiskOut { now, within_minutes: a.within, tickets });
    }
    for t in &tickets {
        let kind = if t.timer == sla::TimerKind::Reaction { "reaction" } else { "resolution" };
        out!("{} {:<10} left {:>7}  P{} L{} {:<20} {}", t.number, kind, hm(t.clock.left_seconds()), t.priority, t.line, t.status.as_str(), t.client);
    }
    out!("{} tickets within {} minutes of a breach or past it", tickets.len(), a.within);
    Ok(())
}

fn staffing(a: StaffingArgs, db: &Path) -> CliResult {
    use smena_core::analytics::staffing::{staffing_report, StaffingQuery};
    let replica = open(db)?;
    let q = StaffingQuery {
        week: a.week,
        weeks_back: a.weeks_back,
        tz: a.tz,
        target_share: a.target_percent / 100.0,
        target_seconds: a.target_seconds,
        shrinkage: a.shrinkage / 100.0,
        aht_seconds: [a.aht_line1, a.aht_line2],
    };
    let report = staffing_report(&replica, &q)?;
    if a.json {
        return print_json(&report);
    }
    out!("staffing for {} ({}), from {} tickets of the {} weeks before", report.week, report.time_zone, report.history_tickets, report.weeks_back);
    for line in &report.lines {
        let peak = line.hours.iter().max_by_key(|h| h.scheduled).map(|h| (h.hour.clone(), h.scheduled)).unwrap_or_default();
        out!("line {}: peak {} engineers at {}; {} hours short of the shift norm ({} on shift)", line.model.line, peak.1, peak.0, line.short_hours, line.model.planned);
    }
    Ok(())
}

//! `smena report`: reports over the replica.

use super::{open, print_json, CliResult};
use chrono::NaiveDate;
use chrono_tz::Tz;
use clap::{Args, Subcommand, ValueEnum};
use smena_core::analytics::{load_report, Bucketing, LoadQuery};
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
enum By {
    Hour,
    Weekday,
    HourOfWeek,
}

#[derive(Debug, Args)]
pub struct LoadArgs {
    /// How to group the tickets
    #[arg(long, value_enum, value_name = "hour|weekday|hour-of-week")]
    by: By,
    /// IANA time zone the hours and days are read in
    #[arg(long, default_value = "Europe/Moscow", value_name = "ZONE", value_parser = parse_tz)]
    tz: Tz,
    /// First day counted, YYYY-MM-DD in that zone (inclusive)
    #[arg(long, value_name = "D", value_parser = parse_date)]
    from: Option<NaiveDate>,
    /// Last day counted, YYYY-MM-DD in that zone (inclusive)
    #[arg(long, value_name = "D", value_parser = parse_date)]
    to: Option<NaiveDate>,
    /// Print JSON: {"buckets": [{"key", "count"}, ...], "total", ...}
    #[arg(long)]
    json: bool,
}

fn parse_tz(s: &str) -> Result<Tz, String> {
    s.parse::<Tz>().map_err(|_| format!("'{s}' is not an IANA time zone name (e.g. Europe/Moscow, Asia/Almaty, America/New_York)"))
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("'{s}' is not a date in the form YYYY-MM-DD"))
}

pub fn run(c: ReportCommand, db: &Path) -> CliResult {
    match c {
        ReportCommand::Load(a) => load(a, db),
        ReportCommand::Matrix { json } => {
            let cells = smena_core::analytics::breakdown::matrix_cells(&open(db)?).map_err(|e| e.to_string())?;
            if json {
                return print_json(&Cells { cells });
            }
            for c in &cells {
                println!("urgency {:<10} impact {:<10} priority {:<9} {:>7}", c.urgency.as_str(), c.impact.as_str(), c.priority.as_str(), c.count);
            }
            Ok(())
        }
        ReportCommand::Resolution { by, json } => {
            let groups = smena_core::analytics::breakdown::resolution_by_priority(&open(db)?).map_err(|e| e.to_string())?;
            if json {
                return print_json(&Groups { by, groups });
            }
            for g in &groups {
                println!("{:<9} {:>7} resolved  median {:>8.2} h  p90 {:>8.2} h", g.priority.as_str(), g.count, g.median_hours, g.p90_hours);
            }
            Ok(())
        }
    }
}

fn load(a: LoadArgs, db: &Path) -> CliResult {
    let replica = open(db)?;
    let by = match a.by {
        By::Hour => Bucketing::Hour,
        By::Weekday => Bucketing::Weekday,
        By::HourOfWeek => Bucketing::HourOfWeek,
    };
    let report = load_report(&replica, &LoadQuery { by, tz: a.tz, from: a.from, to: a.to }).map_err(|e| e.to_string())?;
    if a.json {
        return print_json(&report);
    }
    let max = report.buckets.iter().map(|b| b.count).max().unwrap_or(0).max(1);
    println!("tickets opened per {:?} in {} ({} in all)", a.by, report.time_zone, report.total);
    for b in &report.buckets {
        let key = serde_json::to_value(&b.key).map(|v| v.to_string().trim_matches('"').to_string()).unwrap_or_default();
        println!("{key:>7} {:>7} {}", b.count, "#".repeat((b.count * 50 / max) as usize));
    }
    Ok(())
}

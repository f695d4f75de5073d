//! `smena escalations`: escalations to the third line and critical tickets waiting to be taken
//! into work, each with its time and who is next in the chain; raising one; the times.

use super::{open, print_json, CliError, CliResult};
use chrono::{DateTime, Utc};
use clap::Args;
use smena_core::actions::Actor;
use smena_core::error::ErrorCode;
use smena_core::sla::ack::{self, AckSettings, AckState};
use smena_core::{Clock, FixedClock, SystemClock};
use std::path::Path;

#[derive(Debug, Args)]
pub struct EscalationsArgs {
    /// The moment to judge the waits at (RFC 3339) [default: now]
    #[arg(long, value_name = "TIME", value_parser = smena_core::input::instant)]
    now: Option<DateTime<Utc>>,
    /// Raise this ticket to the next in the chain (the backup specialist takes it; the deputy,
    /// then the lead, are told in a comment)
    #[arg(long, value_name = "NUMBER")]
    raise: Option<String>,
    /// Set how long each priority may wait, in minutes: five numbers, priority 1 first
    #[arg(long, value_name = "M1,M2,M3,M4,M5")]
    minutes: Option<String>,
    /// Act as this staff member (full name) [default: the lead]
    #[arg(long = "as", env = "SMENA_USER", value_name = "NAME")]
    actor: Option<String>,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

#[derive(serde::Serialize)]
struct Out {
    now: DateTime<Utc>,
    minutes: [i64; 5],
    waiting: Vec<ack::Watched>,
}

pub fn run(a: EscalationsArgs, db: &Path) -> CliResult {
    let now = a.now.unwrap_or_else(|| SystemClock.now());
    let mut r = open(db)?;
    if let Some(list) = &a.minutes {
        let parsed: Vec<i64> = list.split(',').map(|m| m.trim().parse::<i64>()).collect::<Result<_, _>>().map_err(|_| minutes_error(list))?;
        let minutes: [i64; 5] = parsed.try_into().map_err(|_| minutes_error(list))?;
        ack::set_settings(&mut r, AckSettings { minutes })?;
    }
    if let Some(number) = &a.raise {
        let actor = Actor::resolve(&r, a.actor.as_deref())?;
        ack::raise(&mut r, &FixedClock(now), &actor, number)?;
    }
    let out = Out { now, minutes: ack::settings(&r)?.minutes, waiting: ack::watch(&r, now)? };
    if a.json {
        return print_json(&out);
    }
    for w in &out.waiting {
        let state = match w.state {
            AckState::Waiting => "waiting",
            AckState::Overdue => "NOT TAKEN",
            AckState::Unknown => "cannot see (no recent sync)",
        };
        let next = w.next.as_ref().map(|n| format!("next: {}", n.name)).unwrap_or_else(|| "nobody next".into());
        out!(
            "{} P{} L{} {:<28} since {} due {} {} · {} · {}",
            w.number,
            w.priority,
            w.line,
            state,
            w.since.format("%Y-%m-%d %H:%M"),
            w.due.format("%H:%M UTC"),
            w.assignee.as_deref().unwrap_or("-"),
            next,
            w.subject
        );
    }
    out!("{} waiting to be taken into work", out.waiting.len());
    Ok(())
}

fn minutes_error(list: &str) -> CliError {
    CliError::new(
        ErrorCode::InvalidInput,
        format!("--minutes '{list}': five whole numbers of minutes, priority 1 first (e.g. 15,30,60,120,240)"),
        format!("--minutes «{list}»: пять целых чисел минут, начиная с приоритета 1 (например, 15,30,60,120,240)"),
    )
}

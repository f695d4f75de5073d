//! `smena demo`: write the built-in demo queue.

use super::{open, print_json, CliResult};
use chrono::{DateTime, Utc};
use clap::Args;
use smena_core::demo::{self, DemoOptions};
use smena_core::{Clock, SystemClock};
use std::path::Path;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Days of history, ending now
    #[arg(long, default_value_t = 90, value_name = "N")]
    days: u32,
    /// Seed: the same seed and --now give the same replica
    #[arg(long, default_value_t = 1, value_name = "S")]
    seed: u64,
    /// The demo's "now" (RFC 3339, or a date meaning its 00:00 UTC) [default: the current time]
    #[arg(long, value_name = "TIME", value_parser = smena_core::input::instant)]
    now: Option<DateTime<Utc>>,
    /// Print what was written as JSON
    #[arg(long)]
    json: bool,
}

pub fn run(a: DemoArgs, db: &Path) -> CliResult {
    let mut replica = open(db)?;
    let opts = DemoOptions { days: a.days, seed: a.seed, now: a.now.unwrap_or_else(|| SystemClock.now()) };
    let summary = demo::write_demo(&mut replica, &opts)?;
    if a.json {
        return print_json(&summary);
    }
    out!(
        "wrote {} tickets ({} history entries, {} comments), {} clients, {} staff, {} … {} into {}",
        summary.tickets,
        summary.history_entries,
        summary.comments,
        summary.clients,
        summary.staff,
        summary.from.format("%Y-%m-%d %H:%M UTC"),
        summary.until.format("%Y-%m-%d %H:%M UTC"),
        db.display()
    );
    Ok(())
}

//! The headless command line: the same core as the window, for scripts, tests and benchmarks.

mod actions;
mod chart;
mod demo;
mod import;
mod matrix;
mod report;
mod roster;
mod sla;
mod sync;
mod tickets;

use clap::{Parser, Subcommand};
use smena_core::store::{self, Replica};
use std::path::{Path, PathBuf};

/// Smena: the support lead's desk on a local replica of the ticket queue.
///
/// Without a command, opens the desktop window (on the built-in demo when the replica is empty).
#[derive(Debug, Parser)]
#[command(name = "smena", version, about, long_about)]
pub struct Args {
    /// The replica file [default: the platform's data directory, e.g. ~/.local/share/smena/replica.db]
    #[arg(long, global = true, env = "SMENA_DB", value_name = "PATH")]
    db: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Args {
    /// The replica to use: `--db`, else `SMENA_DB`, else the platform default.
    pub fn db_path(&self) -> PathBuf {
        self.db.clone().unwrap_or_else(store::default_path)
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write the built-in demo queue into an empty replica.
    Demo(demo::DemoArgs),
    /// List the queue in the lead's order (priority, then SLA deadline, then age).
    Tickets(tickets::TicketsArgs),
    /// Show one ticket, or act on it: urgency, impact, assign, take, escalate, status,
    /// comment, pin, unpin, move-above, move-below.
    Ticket(tickets::TicketArgs),
    /// Apply one action to several tickets (all of them, or none).
    Bulk(actions::BulkArgs),
    /// The changes waiting for the ITSM; discard one.
    Outbox(actions::OutboxArgs),
    /// Who could take a ticket on a line (with a skill), best first.
    Candidates(actions::CandidatesArgs),
    /// Apply actions in a loop (for crash tests and benchmarks).
    #[command(hide = true)]
    StressActions(actions::StressArgs),
    /// Reports over the replica.
    #[command(subcommand)]
    Report(report::ReportCommand),
    /// Draw a chart (load, heatmap, sla, staffing) to an SVG or PNG file.
    Chart(chart::ChartArgs),
    /// Show or set a client's SLA contract.
    #[command(subcommand)]
    Sla(sla::SlaCommand),
    /// Import history from another ITSM.
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Shift rosters: generate, show, coverage, now, export, publish, edit, import.
    #[command(subcommand)]
    Roster(roster::RosterCommand),
    /// Connect to the ITSM (the secret is read from standard input and kept in the OS keyring).
    Connect(sync::ConnectArgs),
    /// Forget the ITSM connection and remove its secret from the keyring.
    Disconnect,
    /// Push the outbox and pull the ITSM's changes (exit 0 in sync, 2 when operations failed
    /// or conflicts remain, 1 on error).
    Sync(sync::SyncArgs),
    /// Conflicts and failed operations; resolve a conflict (mine or theirs).
    Conflicts(sync::ConflictsArgs),
    /// Staff: tie a person to their ITSM login.
    #[command(subcommand)]
    Staff(sync::StaffCommand),
    /// Show or change the urgency × impact priority matrix.
    #[command(subcommand)]
    Matrix(matrix::MatrixCommand),
}

/// A failure to report on one line.
pub type CliResult = Result<(), String>;

/// Runs one headless command; returns the exit code.
pub fn run(command: Command, db: &Path) -> i32 {
    let result = match command {
        Command::Sync(a) => return sync::sync(a, db),
        Command::Connect(a) => sync::connect(a, db),
        Command::Disconnect => sync::disconnect(db),
        Command::Conflicts(a) => sync::conflicts(a, db),
        Command::Staff(c) => sync::staff(c, db),
        Command::Demo(a) => demo::run(a, db),
        Command::Tickets(a) => tickets::list(a, db),
        Command::Ticket(a) => tickets::ticket(a, db),
        Command::Bulk(a) => actions::bulk(a, db),
        Command::Outbox(a) => actions::outbox_cmd(a, db),
        Command::Candidates(a) => actions::candidates(a, db),
        Command::StressActions(a) => actions::stress(a, db),
        Command::Report(c) => report::run(c, db),
        Command::Matrix(c) => matrix::run(c, db),
        Command::Import(c) => import::run(c, db),
        Command::Chart(a) => chart::run(a, db),
        Command::Sla(c) => sla::run(c, db),
        Command::Roster(c) => roster::run(c, db),
    };
    match result {
        Ok(()) => 0,
        Err(message) => {
            eprintln!("smena: error: {}", message.replace('\n', " "));
            1
        }
    }
}

/// Opens the replica, turning failures into the one-line message.
fn open(db: &Path) -> Result<Replica, String> {
    Replica::open(db).map_err(|e| e.to_string())
}

/// Prints a value as pretty JSON.
fn print_json<T: serde::Serialize>(value: &T) -> CliResult {
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    println!("{text}");
    Ok(())
}

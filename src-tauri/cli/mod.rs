//! The headless command line: the same core as the window, for scripts, tests and benchmarks.

/// `println!` for text meant for a terminal: whatever a ticket, a file or the ITSM put in the
/// values, no control sequence reaches the terminal (JSON output is escaped by serde).
macro_rules! out {
    () => { println!() };
    ($($arg:tt)*) => { println!("{}", smena_core::output::terminal_lines(&format!($($arg)*))) };
}

/// `eprintln!` with the same care.
macro_rules! eout {
    () => { eprintln!() };
    ($($arg:tt)*) => { eprintln!("{}", smena_core::output::terminal_lines(&format!($($arg)*))) };
}

mod actions;
mod chart;
mod client;
mod demo;
mod escalations;
mod handover;
mod import;
mod matrix;
mod report;
mod roster;
mod sla;
mod sync;
mod tickets;

use clap::{Parser, Subcommand};
use smena_core::error::{ErrorCode, Failure};
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
    /// Clients: zone, authorised contacts (list, show, zone, add-contact, remove-contact,
    /// import-contacts).
    #[command(subcommand)]
    Client(client::ClientCommand),
    /// Import history from another ITSM.
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Shift rosters: generate, show, coverage, now, export, publish, edit, import.
    #[command(subcommand)]
    Roster(roster::RosterCommand),
    /// The shift handover at a boundary of the roster (by default the latest 08:00 or 20:00
    /// Moscow): the shift's figures, who goes off with what, the next shift's deadlines,
    /// escalations not taken, what is not synced, who comes on; --notes keeps the lead's notes.
    Handover(handover::HandoverArgs),
    /// Escalations to the third line and critical tickets waiting to be taken into work, who
    /// is next in the chain (backup specialist, deputy, lead); --raise NUMBER; --minutes.
    Escalations(escalations::EscalationsArgs),
    /// Connect to the ITSM (the secret is read from standard input and kept in the OS keyring).
    Connect(sync::ConnectArgs),
    /// Forget the ITSM connection and remove its secret from the keyring (--forget: its tickets too).
    Disconnect(sync::DisconnectArgs),
    /// Push the outbox and pull the ITSM's changes (exit 0 in sync, 2 when operations failed
    /// or conflicts remain, 1 on error).
    Sync(sync::SyncArgs),
    /// Conflicts and failed operations; resolve a conflict (mine or theirs).
    Conflicts(sync::ConflictsArgs),
    /// Where ticket fields are read in the ITSM (client, channel, service, request type): print
    /// the mapping in force as JSON, or store an edited one with --set FILE.
    Fields(sync::FieldsArgs),
    /// Staff: tie a person to their ITSM login.
    #[command(subcommand)]
    Staff(sync::StaffCommand),
    /// Show or change the urgency × impact priority matrix.
    #[command(subcommand)]
    Matrix(matrix::MatrixCommand),
}

/// Why a command failed: what kind of failure (its exit code) and the message, in the
/// language of the user's locale (`LANG`, `LC_ALL`, `LC_MESSAGES`: Russian for `ru…`).
#[derive(Debug)]
pub struct CliError {
    code: ErrorCode,
    message: String,
}

impl CliError {
    /// A failure of the command line's own, said in both languages.
    pub fn new(code: ErrorCode, en: impl Into<String>, ru: impl Into<String>) -> CliError {
        CliError { code, message: if russian() { ru.into() } else { en.into() } }
    }

    /// The same failure, said of file `path`.
    pub fn at(self, path: &Path) -> CliError {
        CliError { code: self.code, message: format!("{}: {}", path.display(), self.message) }
    }

    /// The same failure with what follows from it.
    pub fn then(self, en: &str, ru: &str) -> CliError {
        CliError { code: self.code, message: format!("{}; {}", self.message, if russian() { ru } else { en }) }
    }

    /// A file that could not be read or written.
    pub fn file(path: &Path, e: std::io::Error) -> CliError {
        let path = path.display();
        CliError::new(ErrorCode::Storage, format!("{path}: {e}"), format!("{path}: {e}"))
    }
}

/// Whether the user's locale is Russian.
pub fn russian() -> bool {
    ["LC_ALL", "LC_MESSAGES", "LANG"].iter().find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty())).is_some_and(|v| v.starts_with("ru"))
}

/// The exit code of each kind of failure (documented in the README and docs/cli.md).
pub fn exit_code(code: ErrorCode) -> i32 {
    match code {
        ErrorCode::Internal => 1,
        ErrorCode::InvalidInput => 3,
        ErrorCode::NotFound => 4,
        ErrorCode::Refused => 5,
        ErrorCode::Storage => 6,
        ErrorCode::Offline => 7,
        ErrorCode::Itsm => 8,
        ErrorCode::Keyring => 9,
    }
}

/// Usage errors (clap's own code).
pub const EXIT_USAGE: i32 = 2;
/// `smena sync` reached the ITSM, but operations were refused or are in conflict.
pub const EXIT_NOT_IN_SYNC: i32 = 10;

/// Every core failure reaches the command line with its own exit code and message.
macro_rules! from_failures {
    ($($t:ty),+ $(,)?) => {
        $(impl From<$t> for CliError {
            fn from(e: $t) -> CliError {
                CliError { code: e.code(), message: if russian() { e.ru() } else { e.to_string() } }
            }
        })+
    };
}

smena_core::with_failures!(from_failures);

/// A command's outcome.
pub type CliResult = Result<(), CliError>;

/// Runs one headless command; returns the exit code.
pub fn run(command: Command, db: &Path) -> i32 {
    let result = match command {
        // The one command whose success has two outcomes: in sync, or not.
        Command::Sync(a) => sync::sync(a, db),
        other => run_one(other, db).map(|()| 0),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("smena: error: {}", smena_core::output::terminal_text(&e.message));
            exit_code(e.code)
        }
    }
}

fn run_one(command: Command, db: &Path) -> CliResult {
    match command {
        Command::Sync(_) => unreachable!("sync is run by run()"),
        Command::Connect(a) => sync::connect(a, db),
        Command::Disconnect(a) => sync::disconnect(a, db),
        Command::Conflicts(a) => sync::conflicts(a, db),
        Command::Staff(c) => sync::staff(c, db),
        Command::Client(c) => client::run(c, db),
        Command::Fields(a) => sync::fields(a, db),
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
        Command::Handover(a) => handover::run(a, db),
        Command::Escalations(a) => escalations::run(a, db),
    }
}

/// Opens the replica.
fn open(db: &Path) -> Result<Replica, CliError> {
    Ok(Replica::open(db)?)
}

/// Prints a value as pretty JSON.
fn print_json<T: serde::Serialize>(value: &T) -> CliResult {
    let text = serde_json::to_string_pretty(value).map_err(|e| CliError::new(ErrorCode::Internal, e.to_string(), e.to_string()))?;
    println!("{text}");
    Ok(())
}

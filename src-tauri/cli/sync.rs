//! `smena connect | disconnect | sync | conflicts | staff login`: the ITSM link. The secret is
//! read from standard input (or the terminal, without echo), checked against the ITSM, and
//! kept in the OS keyring only.

use super::{open, print_json, CliError, CliResult};
use clap::{Args, Subcommand, ValueEnum};
use smena_core::error::{ErrorCode, Failure};
use smena_core::sync::credentials;
use smena_core::sync::engine::{self, Resolution};
use smena_core::sync::{self};
use smena_core::{Clock, SystemClock};
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ItsmKind {
    /// Request Tracker 5 (REST2, auth token)
    Rt,
    /// SimpleOne (Table API, user and password)
    Simpleone,
}

#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// Which ITSM
    kind: ItsmKind,
    /// Its base URL, e.g. http://127.0.0.1:8391
    #[arg(long)]
    url: String,
    /// User name (SimpleOne)
    #[arg(long)]
    user: Option<String>,
    /// Requests sent at once during a pull, where the ITSM serves them side by side (1-16,
    /// default 4; 1 for an ITSM that serves one at a time)
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=16))]
    parallel: Option<u8>,
}

#[derive(Debug, Args)]
pub struct DisconnectArgs {
    /// Also forget the ITSM's tickets, their queued changes and where the sync stood, so the
    /// replica can follow another ITSM (the replica's own data stays)
    #[arg(long)]
    forget: bool,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Print the report as JSON
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct ConflictsArgs {
    #[command(subcommand)]
    command: Option<ConflictCommand>,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ConflictCommand {
    /// Send a failed operation again at the next sync (after fixing its cause).
    Retry {
        /// The operation's id (see `smena outbox`)
        op_id: String,
    },
    /// Keep mine (sent again on the ITSM's value) or take theirs (my change rolled back).
    Resolve {
        /// The conflict's id
        id: i64,
        /// mine or theirs
        #[arg(value_parser = ["mine", "theirs"])]
        how: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// Tie a staff member to their ITSM login (for assignments and escalations).
    Login {
        /// Name (exact, or a unique part)
        name: String,
        /// Their login in the ITSM
        login: String,
    },
}

/// The secret: one line from standard input, read without echo on a terminal.
fn read_secret() -> Result<String, CliError> {
    let stdin = std::io::stdin();
    let tty = stdin.is_terminal();
    if tty {
        eprint!("secret (not shown): ");
        let _ = std::io::stderr().flush();
    }
    let echo = tty.then(|| set_echo(false)).flatten();
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    if let Some(old) = echo {
        restore(old);
        eout!();
    }
    read.map_err(|e| CliError::new(ErrorCode::InvalidInput, format!("cannot read the secret: {e}"), format!("не удалось прочитать секрет: {e}")))?;
    let secret = line.trim_end_matches(['\r', '\n']).to_string();
    if secret.is_empty() {
        return Err(CliError::new(
            ErrorCode::InvalidInput,
            "no secret on standard input (pipe it in, or type it at the prompt)",
            "на стандартном вводе нет секрета (передайте его через канал или введите по приглашению)",
        ));
    }
    Ok(secret)
}

fn set_echo(on: bool) -> Option<libc::termios> {
    // SAFETY: tcgetattr/tcsetattr on fd 0 with a zeroed termios the call fills in.
    unsafe {
        let mut t: libc::termios = std::mem::zeroed();
        if libc::tcgetattr(0, &mut t) != 0 {
            return None;
        }
        let old = t;
        if on {
            t.c_lflag |= libc::ECHO
        } else {
            t.c_lflag &= !libc::ECHO
        }
        libc::tcsetattr(0, libc::TCSANOW, &t);
        Some(old)
    }
}

fn restore(old: libc::termios) {
    // SAFETY: puts back the settings read by tcgetattr.
    unsafe {
        libc::tcsetattr(0, libc::TCSANOW, &old);
    }
}

pub fn connect(a: ConnectArgs, db: &Path) -> CliResult {
    let kind = match a.kind {
        ItsmKind::Rt => sync::ItsmKind::Rt,
        ItsmKind::Simpleone => sync::ItsmKind::SimpleOne,
    };
    let c = sync::connection(kind, &a.url, a.user.as_deref())?;
    let secret = read_secret()?;
    let mut r = open(db)?;
    sync::connect(&mut r, &c, &secret)?;
    if let Some(n) = a.parallel {
        credentials::set_parallel(&mut r, usize::from(n))?;
    }
    out!("connected to {} at {}; the secret is in the OS keyring", c.kind, c.url);
    Ok(())
}

pub fn disconnect(a: DisconnectArgs, db: &Path) -> CliResult {
    let mut r = open(db)?;
    match credentials::disconnect(&mut r)? {
        Some(c) => out!("disconnected from {} at {}; its secret was removed from the keyring", c.kind, c.url),
        None => out!("no ITSM was connected"),
    }
    if a.forget {
        let f = sync::forget(&mut r)?;
        out!("forgot {} tickets of the ITSM and {} changes queued for it", f.tickets, f.operations);
    }
    Ok(())
}

/// One push + pull; exit 0 in sync, 10 when operations failed or conflicts remain, 7 when
/// the ITSM could not be reached (every change stays queued), another code on error.
pub fn sync(a: SyncArgs, db: &Path) -> Result<i32, CliError> {
    let mut r = open(db)?;
    // Progress on standard error: with --json a line of JSON per page (phase, done, total),
    // otherwise a line per thousand tickets.
    let mut last = 0;
    let report = sync::sync_connected(&mut r, SystemClock.now(), &mut |p| {
        if a.json {
            eout!("{}", serde_json::to_string(&p).unwrap_or_default());
        } else if p.done >= last + 1000 || p.done < last {
            last = p.done;
            let phase = match p.phase {
                sync::PullPhase::OpenQueue => "the open queue",
                sync::PullPhase::History => "the history",
                sync::PullPhase::Changes => "changes",
            };
            eout!("{phase}: pulled {}{}", p.done, p.total.map(|t| format!(" of {t}")).unwrap_or_default());
        }
    })?;
    if a.json {
        print_json(&report)?;
    } else {
        out!(
            "pushed {} ({} already applied), {} failed, {} in conflict; pulled {} tickets ({} new); {} waiting",
            report.pushed,
            report.already_applied,
            report.failed,
            report.conflicts,
            report.pulled,
            report.created,
            report.waiting
        );
        for s in &report.skipped {
            out!("not applied: {}: {} (read again at the next sync)", s.number, s.reason);
        }
    }
    if let Some(why) = report.offline {
        // The report is out; the failure is told like any other, with its own exit code.
        let e = sync::ItsmError::Unreachable(why);
        return Err(CliError::new(e.code(), format!("{e}; every change stays queued"), format!("{}; все изменения остаются в очереди", e.ru())));
    }
    Ok(if report.in_sync() { 0 } else { super::EXIT_NOT_IN_SYNC })
}

pub fn conflicts(a: ConflictsArgs, db: &Path) -> CliResult {
    let mut r = open(db)?;
    match a.command {
        Some(ConflictCommand::Retry { op_id }) => {
            engine::retry(&mut r, &op_id)?;
            out!("{op_id} will be sent again at the next sync");
            Ok(())
        }
        Some(ConflictCommand::Resolve { id, how }) => {
            let how = if how == "mine" { Resolution::Mine } else { Resolution::Theirs };
            let c = engine::resolve(&mut r, id, how, SystemClock.now())?;
            out!("conflict {id} on {} ({}): {}", c.ticket, c.field, if how == Resolution::Mine { "mine kept, sent at the next sync" } else { "theirs taken, mine rolled back" });
            Ok(())
        }
        None => {
            let list = engine::conflicts(&r)?;
            let failed = engine::failed(&r)?;
            if a.json {
                return print_json(&serde_json::json!({ "conflicts": list, "failed": failed }));
            }
            for c in &list {
                out!("{}  {}  {}: mine '{}', theirs '{}'", c.id, c.ticket, c.field, c.mine, c.theirs);
            }
            for f in &failed {
                out!("failed  {}  {}: {}", f.ticket, f.kind, f.last_error.as_deref().unwrap_or(""));
            }
            if list.is_empty() && failed.is_empty() {
                out!("no conflicts, no failed operations");
            }
            Ok(())
        }
    }
}

/// `smena fields [--set FILE]`.
#[derive(Debug, Args)]
pub struct FieldsArgs {
    /// Store this mapping (JSON, as printed without --set; fields it leaves out keep their
    /// defaults)
    #[arg(long, value_name = "FILE")]
    set: Option<std::path::PathBuf>,
}

pub fn fields(a: FieldsArgs, db: &Path) -> CliResult {
    use smena_core::sync::fields::{fields, set_fields, RtFields};
    let mut r = open(db)?;
    if let Some(path) = &a.set {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| smena_core::sync::ConnectError::Fields { path: shown.clone(), reason: e.to_string() })?;
        let f = RtFields::from_json(&text, &shown)?;
        set_fields(&mut r, &f)?;
        eout!("stored; the next pull reads new tickets through it");
    }
    out!("{}", serde_json::to_string_pretty(&fields(&r)?).expect("a mapping serialises"));
    Ok(())
}

pub fn staff(c: StaffCommand, db: &Path) -> CliResult {
    match c {
        StaffCommand::Login { name, login } => {
            let mut r = open(db)?;
            let p = smena_core::roster::data::find_person(&r, &name)?;
            engine::set_login(&mut r, p.id, &login)?;
            out!("{} is '{login}' in the ITSM", p.name);
            Ok(())
        }
    }
}

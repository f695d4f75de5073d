//! `smena ticket NUMBER ACTION`, `smena bulk`, `smena outbox`, `smena candidates`: the lead's
//! actions from the command line, on the same core functions as the window.

use super::{open, print_json, CliError, CliResult};
use clap::{Args, Subcommand};
use serde::Serialize;
use smena_core::actions::{self, picker, Actor, Applied};
use smena_core::domain::{Action, ClosureCode, Level, Line, Skill, Status};
use smena_core::error::ErrorCode;
use smena_core::store::{outbox, Replica};
use smena_core::{Clock, SystemClock};
use std::io::Write;
use std::path::Path;

/// What to do to a ticket.
#[derive(Debug, Clone, Subcommand)]
pub enum TicketAction {
    /// Show the ticket with its history and comments (the default)
    Show,
    /// Change urgency, e.g. because the client asked: `urgency very-high --reason "client called"`
    Urgency {
        /// very-high, high, medium, low or none
        level: Level,
        /// Why (the client's request)
        #[arg(long)]
        reason: String,
    },
    /// Change impact: `impact high --reason "the whole rack is down"`
    Impact {
        /// very-high (major incident), high, medium, low or none
        level: Level,
        /// Why
        #[arg(long)]
        reason: String,
    },
    /// Hand the ticket to an engineer of its line: `assign "Олег Никитин"`
    Assign {
        /// The engineer's full name
        person: String,
        /// Why
        #[arg(long)]
        reason: Option<String>,
    },
    /// Take the ticket into work yourself (see --as)
    Take,
    /// Escalate to a higher line, or hand over within line 2: `escalate --line 3 --skill hardware --reason "PSU"`
    Escalate {
        /// Target line: 2 or 3
        #[arg(long)]
        line: Line,
        /// The skill needed (required for line 3 and for hand-overs within line 2)
        #[arg(long)]
        skill: Option<Skill>,
        /// Who takes it (full name); the best candidate when omitted
        #[arg(long)]
        to: Option<String>,
        /// Why
        #[arg(long)]
        reason: String,
    },
    /// Move the ticket to another status: `status information-needed --comment "which VM?"`
    Status {
        /// registered, assigned, in-progress, completed, closed, rejected-by-user,
        /// information-needed, external-processing
        status: Status,
        /// Entry for Additional Comments (required for information-needed and external-processing)
        #[arg(long)]
        comment: Option<String>,
        /// Closure code when completing: resolved, workaround, duplicate, incorrect-ticket, withdrawn
        #[arg(long)]
        closure_code: Option<ClosureCode>,
    },
    /// Add an entry to Additional Comments
    Comment {
        /// The text
        text: String,
    },
    /// Put the ticket at the top of the lead's order
    Pin,
    /// Take the ticket out of the lead's order
    Unpin,
    /// Place the ticket just above another in the lead's order
    MoveAbove {
        /// The other ticket's number
        other: String,
    },
    /// Place the ticket just below another in the lead's order
    MoveBelow {
        /// The other ticket's number
        other: String,
    },
}

/// Who acts, for every action command.
#[derive(Debug, Clone, Args)]
pub struct ActorArg {
    /// Act as this staff member (full name) [default: the lead]
    #[arg(long = "as", env = "SMENA_USER", value_name = "NAME", global = true)]
    pub actor: Option<String>,
}

/// A person named on the command line: by full name, or a unique part of it (as everywhere).
fn staff_id(r: &Replica, name: &str) -> Result<i64, CliError> {
    Ok(smena_core::roster::data::find_person(r, name.trim())?.id)
}

/// Turns the command-line form into the core's action.
pub fn to_action(r: &Replica, a: &TicketAction) -> Result<Action, CliError> {
    Ok(match a.clone() {
        TicketAction::Show => unreachable!("show is not an action"),
        TicketAction::Urgency { level, reason } => Action::SetUrgency { level, reason },
        TicketAction::Impact { level, reason } => Action::SetImpact { level, reason },
        TicketAction::Assign { person, reason } => Action::Assign { staff_id: staff_id(r, &person)?, reason },
        TicketAction::Take => Action::TakeIntoWork,
        TicketAction::Escalate { line, skill, to, reason } => Action::Escalate { line, skill, to: to.map(|n| staff_id(r, &n)).transpose()?, reason },
        TicketAction::Status { status, comment, closure_code } => Action::Transition { to: status, comment, closure_code },
        TicketAction::Comment { text } => Action::Comment { body: text },
        TicketAction::Pin => Action::Pin,
        TicketAction::Unpin => Action::Unpin,
        TicketAction::MoveAbove { other } => Action::MoveAbove { other },
        TicketAction::MoveBelow { other } => Action::MoveBelow { other },
    })
}

fn report(applied: &[Applied]) {
    for a in applied {
        let t = &a.ticket;
        let queued = a.op_id.as_deref().map(|op| format!("; queued for the ITSM as {op}")).unwrap_or_else(|| "; kept in this replica".into());
        out!(
            "{}: {}, priority {} (urgency {}, impact {}), line {}, assignee {}{}",
            t.number,
            t.status,
            t.priority,
            t.urgency,
            t.impact,
            t.line,
            t.assignee.as_deref().unwrap_or("-"),
            queued
        );
    }
}

/// Applies one action to one ticket.
pub fn act(db: &Path, number: &str, action: &TicketAction, who: &ActorArg, json: bool) -> CliResult {
    let mut r = open(db)?;
    let action = to_action(&r, action)?;
    let actor = Actor::resolve(&r, who.actor.as_deref())?;
    let applied = actions::apply(&mut r, &SystemClock, &actor, number, &action)?;
    if json {
        return print_json(&applied);
    }
    report(&[applied]);
    Ok(())
}

/// `smena bulk`: one action on several tickets, all or none.
#[derive(Debug, Args)]
pub struct BulkArgs {
    /// The tickets, comma-separated: INC0100001,INC0100002
    #[arg(long, value_delimiter = ',', required = true, value_name = "NUMBERS")]
    tickets: Vec<String>,
    #[command(subcommand)]
    action: TicketAction,
    #[command(flatten)]
    who: ActorArg,
    /// Print JSON: {"applied": [...]}
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Serialize)]
struct BulkResult {
    applied: Vec<Applied>,
}

pub fn bulk(a: BulkArgs, db: &Path) -> CliResult {
    if matches!(a.action, TicketAction::Show) {
        return Err(CliError::new(
            ErrorCode::InvalidInput,
            "bulk needs an action (urgency, impact, assign, escalate, status, comment, …)",
            "для bulk нужно действие (urgency, impact, assign, escalate, status, comment, …)",
        ));
    }
    let mut r = open(db)?;
    let action = to_action(&r, &a.action)?;
    let actor = Actor::resolve(&r, a.who.actor.as_deref())?;
    let applied =
        actions::apply_bulk(&mut r, &SystemClock, &actor, &a.tickets, &action).map_err(|e| CliError::from(e).then("no ticket was changed", "ни одна заявка не изменена"))?;
    if a.json {
        return print_json(&BulkResult { applied });
    }
    report(&applied);
    Ok(())
}

/// `smena outbox`: what waits for the ITSM.
#[derive(Debug, Args)]
pub struct OutboxArgs {
    #[command(subcommand)]
    command: Option<OutboxCommand>,
    #[command(flatten)]
    who: ActorArg,
    /// Print JSON: {"operations": [...]}
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum OutboxCommand {
    /// List the queued operations, oldest first (the default)
    List,
    /// Discard one operation and roll its change back on the replica (newest first per ticket)
    Discard {
        /// The operation id
        op_id: String,
    },
}

#[derive(Serialize)]
struct OutboxList {
    operations: Vec<outbox::OutboxEntry>,
}

pub fn outbox_cmd(a: OutboxArgs, db: &Path) -> CliResult {
    let mut r = open(db)?;
    match a.command.unwrap_or(OutboxCommand::List) {
        OutboxCommand::List => {
            let operations = outbox::list(&r)?;
            if a.json {
                return print_json(&OutboxList { operations });
            }
            for o in &operations {
                out!("{} {} {:<15} {:<8} {} {}", o.created_at.format("%Y-%m-%d %H:%M"), o.ticket, o.kind.as_str(), o.state.as_str(), o.actor, o.op_id);
            }
            out!("{} operations waiting for the ITSM", operations.len());
            Ok(())
        }
        OutboxCommand::Discard { op_id } => {
            let actor = Actor::resolve(&r, a.who.actor.as_deref())?;
            let number = actions::discard(&mut r, &SystemClock, &actor, &op_id)?;
            out!("discarded {op_id}; ticket {number} is back as it was before it");
            Ok(())
        }
    }
}

/// `smena candidates`: who could take a ticket.
#[derive(Debug, Args)]
pub struct CandidatesArgs {
    /// The line: 1, 2 or 3
    #[arg(long)]
    line: Line,
    /// The skill needed
    #[arg(long)]
    skill: Option<Skill>,
    /// Print JSON: {"candidates": [...]}
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct CandidateList {
    candidates: Vec<picker::Candidate>,
}

pub fn candidates(a: CandidatesArgs, db: &Path) -> CliResult {
    let r = open(db)?;
    let candidates = picker::candidates(&r, a.line, a.skill, SystemClock.now())?;
    if a.json {
        return print_json(&CandidateList { candidates });
    }
    for c in &candidates {
        let at_work = match c.working_now {
            Some(true) => "at work",
            Some(false) => "off now",
            None => "shift",
        };
        let skills: Vec<&str> = c.skills.iter().map(|s| s.as_str()).collect();
        out!("{:<24} {:<8} {:>3} open  {}{}", c.name, at_work, c.open_tickets, skills.join(","), if c.has_skill { "" } else { "  (lacks the skill)" });
    }
    Ok(())
}

/// `smena stress-actions`: applies actions in a loop, printing each committed operation.
/// For the crash test (the process is killed at random moments) and benchmarks.
#[derive(Debug, Args)]
pub struct StressArgs {
    /// How many actions to apply
    #[arg(long, default_value_t = 1000)]
    count: u32,
}

pub fn stress(a: StressArgs, db: &Path) -> CliResult {
    let mut r = open(db)?;
    let actor = Actor::resolve(&r, None)?;
    let open_queue = smena_core::store::queue::page(&r, &Default::default(), 0, 500)?.rows;
    if open_queue.is_empty() {
        return Err(CliError::new(ErrorCode::NotFound, "the replica has no open tickets to act on", "в реплике нет открытых заявок для действий"));
    }
    let mut out = std::io::stdout().lock();
    for i in 0..a.count as usize {
        let t = &open_queue[i % open_queue.len()];
        let action = if i % 2 == 0 {
            Action::Comment { body: format!("stress comment {i}") }
        } else {
            let current = smena_core::store::queue::row_by_number(&r, &t.number)?.impact;
            let level = if current == Level::High { Level::Medium } else { Level::High };
            Action::SetImpact { level, reason: format!("stress {i}") }
        };
        let applied = actions::apply(&mut r, &SystemClock, &actor, &t.number, &action)?;
        // Printed only after the transaction committed: every line is a promise the replica keeps.
        writeln!(out, "ok {} {}", applied.op_id.unwrap_or_default(), t.number).and_then(|()| out.flush()).map_err(|e| CliError::file(Path::new("stdout"), e))?;
    }
    Ok(())
}

//! `smena tickets` and `smena ticket`: the queue and one ticket.

use super::actions::{ActorArg, TicketAction};
use super::{open, print_json, CliError, CliResult};
use clap::Args;
use serde::Serialize;
use smena_core::domain::{Channel, Kind, Line, Priority, Status};
use smena_core::error::{ErrorCode, Failure};
use smena_core::store::queue::{self, QueueFilter, QueueRow};
use smena_core::store::reference;
use std::path::Path;

#[derive(Debug, Args)]
pub struct TicketsArgs {
    /// A status (registered, assigned, in-progress, completed, closed, rejected-by-user,
    /// information-needed, external-processing), or `open` (all but completed and closed), or `all`
    #[arg(long, default_value = "open", value_name = "S")]
    status: String,
    /// Only this line: 1, 2 or 3
    #[arg(long, value_name = "1|2|3")]
    line: Option<Line>,
    /// Only this priority: critical, high, medium, low, planning (or 1–5)
    #[arg(long, value_name = "P", value_parser = |s: &str| Priority::parse_loose(s))]
    priority: Option<Priority>,
    /// Only incidents or only requests
    #[arg(long, value_name = "incident|request")]
    kind: Option<Kind>,
    /// Only this channel: email, portal, phone, monitoring, telegram
    #[arg(long, value_name = "C")]
    channel: Option<Channel>,
    /// Only this client (exact name)
    #[arg(long, value_name = "NAME")]
    client: Option<String>,
    /// Only tickets whose number, subject, contact or client contains this text
    #[arg(long, value_name = "TEXT")]
    search: Option<String>,
    /// At most this many tickets
    #[arg(long, value_name = "N")]
    limit: Option<u32>,
    /// Print JSON: {"total", "tickets": [...]}
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct TicketList {
    total: u32,
    tickets: Vec<QueueRow>,
}

pub fn list(a: TicketsArgs, db: &Path) -> CliResult {
    let replica = open(db)?;
    let (status, include_done) = match a.status.as_str() {
        "open" => (None, false),
        "all" => (None, true),
        s => {
            (Some(s.parse::<Status>().map_err(|e| CliError::new(ErrorCode::InvalidInput, format!("--status: {e}, open, all"), format!("--status: {}, open, all", e.ru())))?), true)
        }
    };
    let client_id = match &a.client {
        None => None,
        Some(name) => {
            let clients = reference::clients(&replica)?;
            let found = clients.iter().find(|c| c.name == *name).ok_or_else(|| {
                let known = clients.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ");
                CliError::new(ErrorCode::NotFound, format!("--client: no client named '{name}' (known: {known})"), format!("--client: нет клиента «{name}» (есть: {known})"))
            })?;
            Some(found.id)
        }
    };
    let filter = QueueFilter { status, include_done, line: a.line, priority: a.priority, kind: a.kind, client_id, assignee_id: None, channel: a.channel, search: a.search };
    let page = queue::page(&replica, &filter, 0, a.limit.unwrap_or(u32::MAX))?;
    if a.json {
        return print_json(&TicketList { total: page.total, tickets: page.rows });
    }
    out!("{:<11} {:<9} {:<20} {:<3} {:<22} {:<26} SUBJECT", "NUMBER", "PRIORITY", "STATUS", "L", "ASSIGNEE", "CLIENT");
    for t in &page.rows {
        out!(
            "{:<11} {:<9} {:<20} {:<3} {:<22} {:<26} {}",
            t.number,
            t.priority.as_str(),
            t.status.as_str(),
            t.line.number(),
            clip(t.assignee.as_deref().unwrap_or("-"), 22),
            clip(&t.client, 26),
            t.subject
        );
    }
    out!("{} of {} tickets", page.rows.len(), page.total);
    Ok(())
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).chain(['…']).collect()
    }
}

#[derive(Debug, Args)]
pub struct TicketArgs {
    /// The ticket number, e.g. INC0100042
    number: String,
    #[command(subcommand)]
    action: Option<TicketAction>,
    #[command(flatten)]
    who: ActorArg,
    /// Print JSON
    #[arg(long, global = true)]
    json: bool,
}

pub fn ticket(a: TicketArgs, db: &Path) -> CliResult {
    match &a.action {
        None | Some(TicketAction::Show) => show(a, db),
        Some(action) => super::actions::act(db, &a.number, action, &a.who, a.json),
    }
}

fn show(a: TicketArgs, db: &Path) -> CliResult {
    let replica = open(db)?;
    let d = queue::detail(&replica, &a.number)?;
    if a.json {
        return print_json(&d);
    }
    let s = &d.summary;
    out!("{} [{}] {}", s.number, s.kind.as_str(), s.subject);
    out!("status {}, priority {} (urgency {}, impact {}), line {}, assignee {}", s.status, s.priority, s.urgency, s.impact, s.line, s.assignee.as_deref().unwrap_or("-"));
    out!("client {} ({}), contact {} {}, via {}", s.client, d.contract_no, d.contact_name, d.contact_email.as_deref().unwrap_or(""), s.channel);
    if !s.contact_authorised {
        out!("WARNING: the contact is not an authorised contact of this client");
    }
    match (s.due_at, s.paused_left_seconds) {
        (_, Some(left)) if left >= 0 => out!("registered {}, SLA clock paused with {} left", s.created_at.to_rfc3339(), super::report::hm(left)),
        (due, _) => out!("registered {}, deadline {}", s.created_at.to_rfc3339(), due.map_or("-".into(), |t| t.to_rfc3339())),
    }
    out!("\nhistory:");
    for h in &d.history {
        out!(
            "  {} {}: {} {} -> {}{}",
            h.at.format("%Y-%m-%d %H:%M"),
            h.actor,
            h.field,
            h.old_value.as_deref().unwrap_or("-"),
            h.new_value.as_deref().unwrap_or("-"),
            h.reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default()
        );
    }
    out!("\ncomments:");
    for c in &d.comments {
        out!("  {} {}: {}", c.at.format("%Y-%m-%d %H:%M"), c.author, c.body);
    }
    Ok(())
}

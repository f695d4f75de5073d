//! `smena handover`: the shift handover report for a boundary of the roster (by default the
//! latest 08:00 or 20:00 Moscow changeover), and the outgoing lead's notes for it.

use super::{open, print_json, CliResult};
use chrono::{DateTime, Utc};
use clap::Args;
use smena_core::actions::Actor;
use smena_core::domain::Action;
use smena_core::roster::handover::{self, Handover};
use smena_core::{Clock, SystemClock};
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct HandoverArgs {
    /// The boundary: the moment the incoming shift starts (RFC 3339 or a date) [default: the
    /// latest 08:00 or 20:00 Moscow]
    #[arg(long, value_name = "TIME", value_parser = smena_core::input::instant)]
    at: Option<DateTime<Utc>>,
    /// Keep these notes for the incoming shift (replacing earlier ones for this boundary)
    #[arg(long, value_name = "TEXT", conflicts_with = "notes_file")]
    notes: Option<String>,
    /// Keep the notes in this UTF-8 text file
    #[arg(long, value_name = "FILE")]
    notes_file: Option<PathBuf>,
    /// Write the notes as this staff member (full name) [default: the lead]
    #[arg(long = "as", env = "SMENA_USER", value_name = "NAME")]
    actor: Option<String>,
    /// Plan handing the leaving engineers' open tickets to the incoming ones of the same line
    /// (the least loaded first); shown, not applied, without --apply
    #[arg(long)]
    hand_over: bool,
    /// Apply the plan: one assignment per ticket, each in the history and the outbox (all or
    /// none)
    #[arg(long, requires = "hand_over")]
    apply: bool,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

pub fn run(a: HandoverArgs, db: &Path) -> CliResult {
    let clock = SystemClock;
    let at = a.at.unwrap_or_else(|| handover::last_boundary(clock.now()));
    let notes = match (a.notes, &a.notes_file) {
        (Some(n), _) => Some(n),
        (None, Some(path)) => Some(std::fs::read_to_string(path).map_err(|e| super::CliError::file(path, e))?),
        (None, None) => None,
    };
    let mut r = open(db)?;
    if let Some(notes) = notes {
        let actor = Actor::resolve(&r, a.actor.as_deref())?;
        handover::set_notes(&mut r, at, &notes, &actor.name, clock.now())?;
    }
    if a.hand_over {
        return hand_over(&mut r, at, a.apply, a.actor.as_deref(), a.json);
    }
    let report = handover::report(&r, at)?;
    if a.json {
        return print_json(&report);
    }
    print(&report);
    Ok(())
}

#[derive(serde::Serialize)]
struct HandedOver {
    #[serde(flatten)]
    plan: handover::HandOverPlan,
    /// Whether the moves with a taker were applied.
    applied: bool,
}

fn hand_over(r: &mut smena_core::store::Replica, at: DateTime<Utc>, apply: bool, actor: Option<&str>, json: bool) -> CliResult {
    let plan = handover::plan_hand_over(r, at)?;
    if apply {
        let actor = Actor::resolve(r, actor)?;
        let when = time(at);
        let reason = if super::russian() { format!("передача смены {when}") } else { format!("shift handover {when}") };
        let actions: Vec<(String, Action)> =
            plan.moves.iter().filter_map(|m| m.to_id.map(|id| (m.ticket.number.clone(), Action::Assign { staff_id: id, reason: Some(reason.clone()) }))).collect();
        smena_core::actions::apply_each(r, &SystemClock, &actor, &actions)?;
    }
    if json {
        return print_json(&HandedOver { plan, applied: apply });
    }
    for m in &plan.moves {
        let to = m.to.as_deref().map_or_else(|| "— nobody of its line comes on".to_string(), |n| format!("→ {n} ({} open)", m.load));
        out!("{} P{} L{} {} {to}", m.ticket.number, m.ticket.priority, m.ticket.line, m.from);
    }
    let placed = plan.moves.iter().filter(|m| m.to_id.is_some()).count();
    out!("{placed} of {} tickets {}", plan.moves.len(), if apply { "handed over" } else { "would be handed over (--apply to do it)" });
    Ok(())
}

fn time(t: DateTime<Utc>) -> String {
    t.with_timezone(&handover::DESK_ZONE).format("%Y-%m-%d %H:%M MSK").to_string()
}

fn print(h: &Handover) {
    out!("handover at {}: the shift {} – {}, the next until {}", time(h.at), time(h.from), time(h.at), time(h.until));
    for l in &h.lines {
        out!("line {}: came in {}, completed {}, open {}", l.line, l.came_in, l.completed, l.open);
    }
    out!("going off shift:");
    for p in &h.leaving {
        out!("  {} ({}), {} open", p.name, p.role.as_str(), p.tickets.len());
        for t in &p.tickets {
            out!("    {} P{} L{} {:<20} {}", t.number, t.priority, t.line, t.status.as_str(), t.subject);
        }
    }
    out!("reaching their SLA target during the next shift: {}", h.breaching.len());
    for t in &h.breaching {
        let when = t.clock.deadline_at.map(time).unwrap_or_default();
        out!("  {} {when} P{} L{} {}", t.number, t.priority, t.line, t.subject);
    }
    out!("already past their SLA target: {}", h.overdue.len());
    out!("escalations not yet taken into work: {}", h.waiting.len());
    for w in &h.waiting {
        out!("  {} L{} since {} {} {}", w.ticket.number, w.ticket.line, time(w.since), w.ticket.status.as_str(), w.assignee.as_deref().unwrap_or("-"));
    }
    out!("changes not yet in the ITSM: {}, in conflict: {}", h.unsynced, h.conflicts);
    out!("the next shift:");
    for i in &h.incoming {
        let who = if i.people.is_empty() { "nobody".to_string() } else { i.people.join(", ") };
        out!("  line {}: {who}{}", i.line, if i.missing > 0 { format!(" (short of {})", i.missing) } else { String::new() });
    }
    if !h.notes.is_empty() {
        out!("notes ({}):", h.notes_by.as_deref().unwrap_or("-"));
        for line in h.notes.lines() {
            out!("  {line}");
        }
    }
}

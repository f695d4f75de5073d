//! The lead's and line supervisors' actions: validated by the domain rules, applied to the
//! ticket row, recorded in its history and queued in the outbox — all in one transaction,
//! so a crash at any moment leaves either the whole action or none of it.

pub(crate) mod discard;
mod order;
pub mod picker;

use crate::clock::Clock;
use crate::domain::{lifecycle, Action, ActionError, ActionKind, Kind, Line, Role, Skill, Status, Transition};
use crate::sla::deadline;
use crate::store::outbox::{self, Undo};
use crate::store::queue::{self, QueueRow};
use crate::store::ticket_state::TicketState;
use crate::store::tickets::{self, CommentEntry, HistoryEntry};
use crate::store::{settings, Replica, StoreError};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction};
use serde::Serialize;

pub use discard::{discard, DiscardError};

/// Who acts: a name for the history, and the staff id when the person is on the staff.
#[derive(Debug, Clone)]
pub struct Actor {
    /// Name written into the history and the outbox.
    pub name: String,
    /// Staff id, when the actor is a member of staff.
    pub staff_id: Option<i64>,
}

impl Actor {
    /// The staff member with this exact name, or the lead when `name` is `None`.
    pub fn resolve(r: &Replica, name: Option<&str>) -> Result<Actor, ApplyError> {
        let found: Option<(i64, String)> = match name {
            Some(n) => r.conn().query_row("SELECT id, name FROM staff WHERE name = ?1", [n], |x| Ok((x.get(0)?, x.get(1)?))).optional()?,
            None => r.conn().query_row("SELECT id, name FROM staff WHERE role = 'lead' ORDER BY id LIMIT 1", [], |x| Ok((x.get(0)?, x.get(1)?))).optional()?,
        };
        match (found, name) {
            (Some((id, n)), _) => Ok(Actor { name: n, staff_id: Some(id) }),
            (None, Some(n)) => Err(ActionError::UnknownStaff(n.to_string()).into()),
            (None, None) => Ok(Actor { name: "lead".into(), staff_id: None }),
        }
    }
}

/// What an applied action left behind.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export_to = "actions.ts")]
pub struct Applied {
    /// The outbox operation id, when the action goes to the ITSM.
    pub op_id: Option<String>,
    /// The ticket as the queue now shows it.
    pub ticket: QueueRow,
}

/// Why an action did not happen. Nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The rules refuse it.
    #[error(transparent)]
    Refused(#[from] ActionError),
    /// The replica failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for ApplyError {
    fn from(e: rusqlite::Error) -> Self {
        ApplyError::Store(e.into())
    }
}

/// Applies one action to one ticket.
pub fn apply(r: &mut Replica, clock: &dyn Clock, actor: &Actor, number: &str, action: &Action) -> Result<Applied, ApplyError> {
    let now = clock.now();
    let op_id = r.write_with(|tx| apply_in(tx, now, actor, number, action))?;
    Ok(Applied { op_id, ticket: queue::row_by_number(r, number)? })
}

/// Applies one action to several tickets: all of them, or — if the rules refuse any — none.
pub fn apply_bulk(r: &mut Replica, clock: &dyn Clock, actor: &Actor, numbers: &[String], action: &Action) -> Result<Vec<Applied>, ApplyError> {
    let now = clock.now();
    let ops = r.write_with(|tx| numbers.iter().map(|n| apply_in(tx, now, actor, n, action)).collect::<Result<Vec<_>, ApplyError>>())?;
    numbers.iter().zip(ops).map(|(n, op_id)| Ok(Applied { op_id, ticket: queue::row_by_number(r, n)? })).collect()
}

/// Applies one action and, in the same transaction, `then` (what the caller records beside
/// it): both happen, or neither.
pub(crate) fn apply_then(
    r: &mut Replica,
    clock: &dyn Clock,
    actor: &Actor,
    number: &str,
    action: &Action,
    then: impl FnOnce(&Transaction<'_>) -> rusqlite::Result<()>,
) -> Result<Applied, ApplyError> {
    let now = clock.now();
    let op_id = r.write_with(|tx| {
        let op = apply_in(tx, now, actor, number, action)?;
        then(tx)?;
        Ok::<_, ApplyError>(op)
    })?;
    Ok(Applied { op_id, ticket: queue::row_by_number(r, number)? })
}

/// Applies an action of its own to each of several tickets: all of them, or — if the rules
/// refuse any — none (a shift handed over at once).
pub fn apply_each(r: &mut Replica, clock: &dyn Clock, actor: &Actor, actions: &[(String, Action)]) -> Result<Vec<Applied>, ApplyError> {
    let now = clock.now();
    let ops = r.write_with(|tx| actions.iter().map(|(n, a)| apply_in(tx, now, actor, n, a)).collect::<Result<Vec<_>, ApplyError>>())?;
    actions.iter().zip(ops).map(|((n, _), op_id)| Ok(Applied { op_id, ticket: queue::row_by_number(r, n)? })).collect()
}

fn required<'a>(text: &'a str, what: &'static str) -> Result<&'a str, ActionError> {
    let t = text.trim();
    if t.is_empty() {
        Err(ActionError::ReasonRequired(what))
    } else {
        Ok(t)
    }
}

/// The roles that may hold a ticket of this line.
fn may_hold(role: Role, line: Line) -> bool {
    match role {
        Role::Line1 => line == Line::FIRST,
        Role::Line2 => line == Line::SECOND,
        Role::Line3 => line == Line::THIRD,
        Role::Lead | Role::Deputy => line != Line::THIRD,
    }
}

struct Person {
    id: i64,
    name: String,
    role: Role,
    skills: Vec<Skill>,
}

fn person(tx: &Transaction<'_>, id: i64) -> Result<Person, ApplyError> {
    let found = tx
        .query_row("SELECT id, name, role, skills FROM staff WHERE id = ?1", [id], |x| {
            let skills: String = x.get(3)?;
            Ok(Person { id: x.get(0)?, name: x.get(1)?, role: x.get(2)?, skills: skills.split(',').filter_map(|s| s.parse().ok()).collect() })
        })
        .optional()?;
    found.ok_or_else(|| ActionError::UnknownStaff(format!("#{id}")).into())
}

/// Applies one action inside the caller's transaction; returns the outbox op id, if any.
fn apply_in(tx: &Transaction<'_>, now: DateTime<Utc>, actor: &Actor, number: &str, action: &Action) -> Result<Option<String>, ApplyError> {
    let before = TicketState::load(tx, number)?;
    if before.status == Status::Closed {
        return Err(ActionError::Finished { number: before.number.clone(), status: before.status, what: action.kind() }.into());
    }
    let mut after = before.clone();
    let mut reason: Option<String> = None;
    let mut comment: Option<String> = None;
    match action {
        Action::SetUrgency { level, reason: why } | Action::SetImpact { level, reason: why } => {
            let is_urgency = matches!(action, Action::SetUrgency { .. });
            reason = Some(required(why, if is_urgency { "changing urgency" } else { "changing impact" })?.to_string());
            let (field, current) = if is_urgency { ("urgency", &mut after.urgency) } else { ("impact", &mut after.impact) };
            if *current == *level {
                return Err(ActionError::Unchanged { number: before.number, field, value: level.to_string() }.into());
            }
            *current = *level;
            if after.kind == Kind::Incident {
                let matrix = settings::matrix_in(tx)?;
                after.priority = matrix.priority(after.urgency, after.impact);
            }
        }
        Action::Assign { staff_id, reason: why } => {
            let p = person(tx, *staff_id)?;
            assign(&mut after, &p, now)?;
            reason = why.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        }
        Action::TakeIntoWork => {
            let id = actor.staff_id.ok_or_else(|| ActionError::UnknownStaff(actor.name.clone()))?;
            let p = person(tx, id)?;
            if before.status == Status::InProgress && before.assignee_id == Some(p.id) {
                return Err(ActionError::Unchanged { number: before.number, field: "status", value: Status::InProgress.to_string() }.into());
            }
            if after.assignee_id != Some(p.id) {
                assign(&mut after, &p, now)?;
            }
            // Taking over a colleague's ticket that is already in work keeps it in work.
            if after.status != Status::InProgress {
                transition(&mut after, tx, Status::InProgress, &Transition::default(), now)?;
            }
        }
        Action::Transition { to, comment: text, closure_code } => {
            let text = text.as_deref().map(str::trim).filter(|s| !s.is_empty());
            let t = Transition { comment: text, closure_code: *closure_code, work_started: false };
            transition(&mut after, tx, *to, &t, now)?;
            comment = text.map(str::to_string);
        }
        Action::Escalate { line, skill, to, reason: why } => {
            if matches!(before.status, Status::Completed) {
                return Err(ActionError::Finished { number: before.number, status: before.status, what: ActionKind::Escalate }.into());
            }
            reason = Some(required(why, "escalation")?.to_string());
            let handover = *line == Line::SECOND && before.line == Line::SECOND;
            if *line <= before.line && !handover {
                return Err(ActionError::NotUpward { number: before.number, from: before.line, to: *line }.into());
            }
            if (*line == Line::THIRD || handover) && skill.is_none() {
                return Err(ActionError::SkillRequired(*line).into());
            }
            let target = match to {
                Some(id) => Some(person(tx, *id)?),
                None => {
                    let exclude = if handover { before.assignee_id } else { None };
                    let best = picker::candidates_in(tx, *line, *skill, now)?.into_iter().find(|c| c.has_skill && Some(c.staff_id) != exclude);
                    best.map(|b| person(tx, b.staff_id)).transpose()?
                }
            };
            after.line = *line;
            match target {
                Some(target) => {
                    if let Some(s) = skill {
                        if !target.skills.contains(s) {
                            return Err(ActionError::LacksSkill { name: target.name, skill: *s }.into());
                        }
                    }
                    assign(&mut after, &target, now)?;
                }
                // Nobody the replica knows fits: the ticket waits in the line's queue,
                // unassigned, as the ITSM allows; whoever of the line takes it is its owner.
                None => after.assignee_id = None,
            }
            if after.status != Status::Assigned {
                transition(&mut after, tx, Status::Assigned, &Transition::default(), now)?;
            }
        }
        Action::Comment { body } => {
            comment = Some(required(body, "a comment")?.to_string());
        }
        Action::Pin | Action::Unpin | Action::MoveAbove { .. } | Action::MoveBelow { .. } => {
            order::apply(tx, &mut after, action, actor, now)?;
        }
    }
    after.updated_at = now;
    let op_id = action.goes_to_itsm().then(new_op_id);
    after.save(tx)?;
    let comment_id = comment.as_ref().map(|body| tickets::add_comment(tx, after.id, &CommentEntry { at: now, author: actor.name.clone(), body: body.clone() })).transpose()?;
    let entry = |field: &str, old_value: Option<String>, new_value: Option<String>| HistoryEntry {
        at: now,
        actor: actor.name.clone(),
        field: field.into(),
        old_value,
        new_value,
        reason: reason.clone().or_else(|| comment.clone()),
    };
    for (field, old, new) in before.changes(&after, tx)? {
        tickets::add_history_of_op(tx, after.id, &entry(field, old, new), op_id.as_deref())?;
    }
    if matches!(action, Action::Comment { .. }) {
        tickets::add_history_of_op(tx, after.id, &entry("comment", None, None), op_id.as_deref())?;
    }
    if let Some(op) = &op_id {
        outbox::insert(tx, op, action, &Undo { before: before.clone(), comment_id, after: Some(after.clone()) }, &actor.name, now)?;
    }
    // The history and priority written above decide the deadline.
    deadline::refresh(tx, deadline::Scope::Tickets(&[after.id]), now)?;
    Ok(op_id)
}

/// Gives the ticket to `p`, checking that their line fits; a Registered ticket becomes
/// Assigned, and that is the desk's first response.
fn assign(t: &mut TicketState, p: &Person, now: DateTime<Utc>) -> Result<(), ActionError> {
    if !may_hold(p.role, t.line) {
        return Err(ActionError::WrongLine { name: p.name.clone(), role: p.role.to_string(), line: t.line });
    }
    if t.assignee_id == Some(p.id) {
        return Err(ActionError::Unchanged { number: t.number.clone(), field: "assignee", value: p.name.clone() });
    }
    t.assignee_id = Some(p.id);
    if t.status == Status::Registered {
        t.status = Status::Assigned;
        t.first_response_at.get_or_insert(now);
    }
    Ok(())
}

/// Moves the ticket to `to` if the lifecycle allows it, setting the times the status implies.
fn transition(t: &mut TicketState, tx: &Transaction<'_>, to: Status, given: &Transition<'_>, now: DateTime<Utc>) -> Result<(), ApplyError> {
    let work_started = t.status == Status::InProgress || t.was_in_progress(tx)?;
    lifecycle::check(t.status, to, &Transition { work_started, ..given.clone() }).map_err(ActionError::from)?;
    t.status = to;
    if t.first_response_at.is_none() && to != Status::Registered {
        t.first_response_at = Some(now);
    }
    match to {
        Status::Completed => {
            t.completed_at = Some(now);
            t.closure_code = given.closure_code;
        }
        Status::Closed => t.closed_at = Some(now),
        // Rejected: the result did not hold, so the ticket is no longer completed.
        Status::RejectedByUser => {
            t.completed_at = None;
            t.closure_code = None;
        }
        _ => {}
    }
    Ok(())
}

/// A fresh operation id: 128 random bits from the OS, as a UUID.
fn new_op_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[cfg(test)]
mod tests;

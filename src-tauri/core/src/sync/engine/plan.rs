//! The sync's decisions, as pure functions of the values involved: what an operation writes
//! and what it was based on; whether the ITSM already holds it, conflicts with it, or takes
//! these writes; and what a pulled ticket changes in the replica. No HTTP, no SQL: the
//! push and the pull fetch the values, ask here, and carry the answer out.

use super::super::{Change, RemoteTicket};
use crate::domain::{Action, Level, Line, Priority, PriorityMatrix, Status};
use crate::store::outbox::Undo;
use crate::store::pulled::Synced;
use crate::store::staff::Login;
use std::collections::BTreeSet;

/// The fields an operation writes, in the action's order (line, owner, status), with the
/// values it set, and the same fields as they were at its base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct OpFields {
    /// What the operation set.
    pub mine: Vec<Change>,
    /// The same fields before it.
    pub base: Vec<Change>,
}

/// Why an operation cannot be sent as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Unsendable {
    /// The engineer it assigns has no ITSM login.
    NoLogin {
        /// Their name ("" when the replica no longer knows them).
        name: String,
        /// The ticket.
        number: String,
    },
}

impl std::fmt::Display for Unsendable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unsendable::NoLogin { name, number } => write!(f, "{name} has no ITSM login (smena staff login NAME LOGIN), so {number} cannot be assigned in the ITSM"),
        }
    }
}

/// The ITSM owner for staff id `staff` (none: nobody), or why there is none.
fn owner(staff: Option<i64>, logins: &dyn Fn(i64) -> Option<Login>, number: &str) -> Result<Option<String>, Unsendable> {
    let Some(id) = staff else { return Ok(None) };
    match logins(id) {
        Some(Login { login: Some(login), .. }) => Ok(Some(login)),
        found => Err(Unsendable::NoLogin { name: found.map(|l| l.name).unwrap_or_default(), number: number.to_string() }),
    }
}

/// What operation `action` on ticket `number` writes, from its stored undo record (the
/// ticket before and, in records since the outbox kept it, after the operation): each
/// operation sends its own target, so a status walk is replayed step by step. `current` is
/// the ticket's assignee now (for older records of take-into-work); `logins` names staff.
pub(super) fn op_fields(action: &Action, undo: &Undo, number: &str, current: Option<i64>, logins: &dyn Fn(i64) -> Option<Login>) -> Result<OpFields, Unsendable> {
    let base = &undo.before;
    let after = undo.after.as_ref();
    let base_owner = Change::Owner(base.assignee_id.and_then(|id| logins(id).and_then(|l| l.login)));
    let pairs: Vec<(Change, Change)> = match action {
        Action::SetUrgency { level, .. } => vec![(Change::Urgency(*level), Change::Urgency(base.urgency))],
        Action::SetImpact { level, .. } => vec![(Change::Impact(*level), Change::Impact(base.impact))],
        Action::Assign { .. } | Action::TakeIntoWork | Action::Escalate { .. } => {
            let fallback = match action {
                Action::Assign { staff_id, .. } => Some(*staff_id),
                Action::Escalate { to: Some(to), .. } => Some(*to),
                _ => current,
            };
            let login = owner(after.map_or(fallback, |a| a.assignee_id), logins, number)?;
            let status_fallback = match action {
                Action::TakeIntoWork => Status::InProgress,
                Action::Escalate { .. } => Status::Assigned,
                _ if base.status == Status::Registered => Status::Assigned,
                _ => base.status,
            };
            let to_status = after.map_or(status_fallback, |a| a.status);
            let mut v = vec![(Change::Owner(login), base_owner), (Change::Status(to_status), Change::Status(base.status))];
            if let Action::Escalate { line, .. } = action {
                v.insert(0, (Change::Line(after.map_or(*line, |a| a.line)), Change::Line(base.line)));
            }
            v
        }
        Action::Transition { to, .. } => vec![(Change::Status(after.map_or(*to, |a| a.status)), Change::Status(base.status))],
        _ => vec![],
    };
    let (mine, base) = pairs.into_iter().unzip();
    Ok(OpFields { mine, base })
}

/// What to do with an operation, given the ticket as the ITSM holds it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Decision {
    /// The ITSM already holds every value the operation sets (a retry after an unknown outcome).
    AlreadyApplied,
    /// A field changed in the ITSM since our base, to something else than ours.
    Conflict {
        /// Our value.
        mine: Change,
        /// The ITSM's.
        theirs: Change,
    },
    /// Write these fields, one at a time, in this order.
    Write(Vec<Change>),
}

/// Decides an operation against the ITSM's ticket: read-compare-write.
pub(super) fn decide(fields: &OpFields, remote: &RemoteTicket) -> Decision {
    let theirs: Vec<Change> = fields.mine.iter().map(|c| c.on(remote)).collect();
    if theirs == fields.mine {
        return Decision::AlreadyApplied;
    }
    let conflict = (0..fields.mine.len()).find(|&i| theirs[i] != fields.base[i] && theirs[i] != fields.mine[i]);
    if let Some(i) = conflict {
        return Decision::Conflict { mine: fields.mine[i].clone(), theirs: theirs[i].clone() };
    }
    Decision::Write(fields.mine.iter().zip(&theirs).filter(|(m, t)| m != t).map(|(m, _)| m.clone()).collect())
}

/// Why a write the ITSM answered "done" did not take, judged on the ticket read back.
pub(super) fn not_taken(written: &Change, read_back: &RemoteTicket) -> Option<String> {
    let now = written.on(read_back);
    (now != *written).then(|| format!("the ITSM did not take {} = '{}' (it holds '{}')", written.field(), written.value(), now.value()))
}

/// A field a waiting operation holds: the pull leaves it as the replica has it.
pub(super) type Held = BTreeSet<&'static str>;

/// Fields an operation of `kind` holds while it is in the outbox (any state: sent or not,
/// they are the user's until accepted, discarded or resolved).
pub(super) fn held_by(kind: crate::domain::ActionKind) -> &'static [&'static str] {
    use crate::domain::ActionKind as K;
    match kind {
        K::SetUrgency => &["urgency", "priority"],
        K::SetImpact => &["impact", "priority"],
        K::Assign | K::TakeIntoWork => &["assignee", "status"],
        K::Transition => &["status"],
        K::Escalate => &["line", "assignee", "status"],
        _ => &[],
    }
}

/// What a pulled ticket changes in a ticket the replica has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PulledChange {
    /// Urgency.
    pub urgency: Level,
    /// Impact.
    pub impact: Level,
    /// Status.
    pub status: Status,
    /// Line.
    pub line: Line,
    /// Assignee.
    pub assignee_id: Option<i64>,
    /// The fields whose value moved, in the history's order.
    pub moved: Vec<&'static str>,
    /// The new subject, when it moved.
    pub subject: Option<String>,
    /// Priority (none: held by a waiting operation); none at all when nothing needs writing
    /// (no field, time or version moved).
    pub write: Option<Option<Priority>>,
}

/// Merges the ITSM's ticket `t` (its owner already known as staff `assignee`) into the
/// replica's `stored`, leaving the `held` fields as they are.
pub(super) fn pulled(stored: &Synced, t: &RemoteTicket, assignee: Option<i64>, held: &Held, matrix: &PriorityMatrix) -> PulledChange {
    let keep = |field: &str| held.contains(field);
    let urgency = if keep("urgency") { stored.urgency } else { t.urgency };
    let impact = if keep("impact") { stored.impact } else { t.impact };
    let status = if keep("status") { stored.status } else { t.status };
    let line = if keep("line") { stored.line } else { t.line };
    let assignee_id = if keep("assignee") { stored.assignee_id } else { assignee };
    let mut moved = Vec::new();
    for (field, changed) in [
        ("urgency", urgency != stored.urgency),
        ("impact", impact != stored.impact),
        ("status", status != stored.status),
        ("line", line != stored.line),
        ("assignee", assignee_id != stored.assignee_id),
    ] {
        if changed {
            moved.push(field);
        }
    }
    let subject = (t.subject != stored.subject).then(|| t.subject.clone());
    let unchanged = moved.is_empty() && t.updated.timestamp() <= stored.updated_at.timestamp() && (t.version.is_none() || t.version == stored.version);
    let write = (!unchanged).then(|| if keep("priority") { None } else { Some(t.priority.unwrap_or_else(|| matrix.priority(urgency, impact))) });
    PulledChange { urgency, impact, status, line, assignee_id, moved, subject, write }
}

//! Sending the outbox: each operation in order, read-compare-write against the ITSM's
//! ticket as [`plan::decide`] says. An operation that writes fields waits while an earlier
//! one on the same ticket is refused or in conflict (it was based on that one).

use super::lease::Lease;
use super::plan::{self, Decision};
use super::{SyncError, SyncReport};
use crate::domain::Action;
use crate::store::outbox::{self, OpState, Sendable};
use crate::store::{conflicts, pulled, staff, Replica};
use crate::sync::{Change, ItsmApi, ItsmError, WriteOutcome};
use chrono::{DateTime, Utc};

/// How often an operation is tried against a ticket that keeps changing under it (412).
const WRITE_ROUNDS: usize = 3;

/// Sends the waiting operations in order.
pub(super) fn push(r: &mut Replica, api: &mut dyn ItsmApi, now: DateTime<Utc>, report: &mut SyncReport, lease: &Lease) -> Result<(), SyncError> {
    let mut blocked = outbox::blocked_tickets(r.conn())?;
    for op in outbox::sendable(r.conn())? {
        lease.renew(r)?;
        let Some(ext) = op.external_id.clone() else {
            set_state(r, &op, OpState::Failed, Some(&format!("{} is not a ticket of the connected ITSM", op.number)))?;
            blocked.insert(op.ticket_id);
            continue;
        };
        let writes_fields = !matches!(op.action, Action::Comment { .. });
        if writes_fields && blocked.contains(&op.ticket_id) {
            set_state(r, &op, OpState::Pending, Some("waits for an earlier operation on this ticket (refused or in conflict)"))?;
            continue;
        }
        if !r.write(|tx| outbox::start_sending(tx, op.id))? {
            // Discarded by the user while earlier operations were being sent.
            continue;
        }
        match send_one(r, api, &op, &ext, now) {
            Ok(Sent::Done) => {
                r.write(|tx| outbox::remove(tx, op.id))?;
                report.pushed += 1;
            }
            Ok(Sent::Already) => {
                r.write(|tx| outbox::remove(tx, op.id))?;
                report.already_applied += 1;
            }
            Ok(Sent::Busy(why)) => set_state(r, &op, OpState::Pending, Some(&why))?,
            Ok(Sent::Refused(why)) | Err(SyncError::Itsm(ItsmError::Refused(why))) => {
                set_state(r, &op, OpState::Failed, Some(&why))?;
                blocked.insert(op.ticket_id);
            }
            Ok(Sent::Conflict) => {
                blocked.insert(op.ticket_id);
            }
            Err(e) => {
                // Unknown outcome or no answer: the operation waits for the next sync.
                set_state(r, &op, OpState::Pending, Some(&e.to_string()))?;
                return Err(e);
            }
        }
    }
    Ok(())
}

fn set_state(r: &mut Replica, op: &Sendable, state: OpState, error: Option<&str>) -> Result<(), SyncError> {
    r.write(|tx| outbox::set_state(tx, op.id, state, error))?;
    Ok(())
}

/// How sending one operation ended.
#[derive(Debug)]
enum Sent {
    Done,
    Already,
    /// The ticket kept changing under us: try again at the next sync.
    Busy(String),
    Refused(String),
    Conflict,
}

fn send_one(r: &mut Replica, api: &mut dyn ItsmApi, op: &Sendable, ext: &str, now: DateTime<Utc>) -> Result<Sent, SyncError> {
    let comment = match &op.action {
        Action::Comment { body } => Some(body.clone()),
        Action::Transition { comment: Some(c), .. } => Some(c.clone()),
        _ => None,
    };
    let current = pulled::assignee_of(r.conn(), op.ticket_id)?;
    let logins = |id: i64| staff::login(r.conn(), id).ok().flatten();
    let fields = match plan::op_fields(&op.action, &op.undo, &op.number, current, &logins) {
        Ok(f) => f,
        Err(why) => return Ok(Sent::Refused(why.to_string())),
    };
    let mut outcome = Sent::Already;
    if !fields.mine.is_empty() {
        outcome = write_fields(r, api, op, ext, &fields, now)?;
        if matches!(outcome, Sent::Busy(_) | Sent::Refused(_) | Sent::Conflict) {
            return Ok(outcome);
        }
    }
    if let Some(body) = comment {
        if api.comment_once(ext, &op.op_id, &body)? {
            outcome = Sent::Done;
        }
    }
    Ok(outcome)
}

/// Read-compare-write, again while the ITSM answers that the ticket changed meanwhile (412).
fn write_fields(r: &mut Replica, api: &mut dyn ItsmApi, op: &Sendable, ext: &str, fields: &plan::OpFields, now: DateTime<Utc>) -> Result<Sent, SyncError> {
    for _ in 0..WRITE_ROUNDS {
        let remote = api.ticket(ext)?;
        let writes = match plan::decide(fields, &remote) {
            Decision::AlreadyApplied => return Ok(Sent::Already),
            Decision::Conflict { mine, theirs } => {
                record_conflict(r, op, &mine, &theirs, now)?;
                return Ok(Sent::Conflict);
            }
            Decision::Write(writes) => writes,
        };
        // One field at a time, in the action's order (line, owner, status): RT applies the
        // other fields of a write that it partly refuses, and a refused owner must not
        // leave the status moved.
        let mut current = remote;
        let mut stale = false;
        for c in &writes {
            if c.on(&current) == *c {
                continue;
            }
            let version = current.version.clone().unwrap_or_default();
            match api.write(ext, &version, std::slice::from_ref(c))? {
                WriteOutcome::Done => {
                    // Read it back: a refusal the ITSM worded in a way we do not know still shows.
                    current = api.ticket(ext)?;
                    if let Some(why) = plan::not_taken(c, &current) {
                        return Ok(Sent::Refused(why));
                    }
                }
                WriteOutcome::Refused(why) => return Ok(Sent::Refused(why)),
                WriteOutcome::Stale => {
                    stale = true;
                    break;
                }
            }
        }
        if !stale {
            return Ok(Sent::Done);
        }
    }
    Ok(Sent::Busy("the ticket kept changing in the ITSM; tried three times".into()))
}

fn record_conflict(r: &mut Replica, op: &Sendable, mine: &Change, theirs: &Change, now: DateTime<Utc>) -> Result<(), SyncError> {
    r.write(|tx| {
        outbox::mark_conflict(tx, op.id, &format!("the ITSM changed {} to '{}'", mine.field(), theirs.value()))?;
        conflicts::record(tx, &op.op_id, op.ticket_id, mine.field(), &mine.value(), &theirs.value(), now)
    })?;
    Ok(())
}

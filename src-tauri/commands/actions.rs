//! The lead's actions from the window: apply, bulk, the outbox, the specialist picker.

use crate::app::AppState;
use crate::ipc_error::IpcError;
use smena_core::actions::{self, picker::Candidate, Actor, Applied};
use smena_core::domain::{Action, Line, Skill, StaffMember};
use smena_core::store::outbox::{self, OutboxEntry};
use smena_core::store::{reference, Replica};
use smena_core::{Clock, SystemClock};
use tauri::State;

/// Runs `f` on the replica with write access, acting as the window's user.
fn with_actor<T>(state: &AppState, f: impl FnOnce(&mut Replica, &Actor) -> Result<T, IpcError>) -> Result<T, IpcError> {
    super::with_replica_mut(state, |replica| {
        let actor = Actor::resolve(replica, state.user.as_deref()).map_err(IpcError::from)?;
        f(replica, &actor)
    })
}

#[tauri::command(async)]
pub fn apply_action(state: State<'_, AppState>, number: String, action: Action) -> Result<Applied, IpcError> {
    with_actor(&state, |r, actor| Ok(actions::apply(r, &SystemClock, actor, &number, &action)?))
}

#[tauri::command(async)]
pub fn apply_bulk(state: State<'_, AppState>, numbers: Vec<String>, action: Action) -> Result<Vec<Applied>, IpcError> {
    with_actor(&state, |r, actor| Ok(actions::apply_bulk(r, &SystemClock, actor, &numbers, &action)?))
}

/// The shift handed over as the lead saw it planned: each ticket assigned to its taker, with
/// `reason` in the history, all or none.
#[tauri::command(async)]
pub fn handover_apply(state: State<'_, AppState>, moves: Vec<(String, i64)>, reason: String) -> Result<Vec<Applied>, IpcError> {
    let reason = Some(reason.trim().to_string()).filter(|r| !r.is_empty());
    let each: Vec<(String, Action)> = moves.into_iter().map(|(n, id)| (n, Action::Assign { staff_id: id, reason: reason.clone() })).collect();
    with_actor(&state, |r, actor| Ok(actions::apply_each(r, &SystemClock, actor, &each)?))
}

/// Raises a ticket nobody took into work to the next in the chain.
#[tauri::command(async)]
pub fn escalation_raise(state: State<'_, AppState>, number: String) -> Result<Applied, IpcError> {
    with_actor(&state, |r, actor| Ok(smena_core::sla::ack::raise(r, &SystemClock, actor, &number)?))
}

#[tauri::command(async)]
pub fn outbox_list(state: State<'_, AppState>) -> Result<Vec<OutboxEntry>, IpcError> {
    with_actor(&state, |r, _| Ok(outbox::list(r)?))
}

#[tauri::command(async)]
pub fn discard_operation(state: State<'_, AppState>, op_id: String) -> Result<String, IpcError> {
    with_actor(&state, |r, actor| Ok(actions::discard(r, &SystemClock, actor, &op_id)?))
}

#[tauri::command(async)]
pub fn candidates(state: State<'_, AppState>, line: Line, skill: Option<Skill>) -> Result<Vec<Candidate>, IpcError> {
    with_actor(&state, |r, _| Ok(actions::picker::candidates(r, line, skill, SystemClock.now())?))
}

#[tauri::command(async)]
pub fn staff(state: State<'_, AppState>) -> Result<Vec<StaffMember>, IpcError> {
    with_actor(&state, |r, _| Ok(reference::staff(r)?))
}

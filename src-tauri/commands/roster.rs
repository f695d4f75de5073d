//! The roster: the month grid with its coverage and rule checks, hand edits (each returns
//! the re-checked month), suggestions for a gap, the "now" panel, and exports into the
//! user's download folder.

use super::{with_replica, with_replica_mut};
use crate::app::AppState;
use crate::ipc_error::IpcError;
use smena_core::dashboard;
use smena_core::error::ErrorCode;
use smena_core::roster::handover::{self, HandOverPlan, Handover};
use smena_core::roster::{self, ical, io, month, now, AbsenceKind, NowPanel, RosterMonth, Suggestion};
use smena_core::{Clock, SystemClock};
use tauri::State;

#[tauri::command(async)]
pub fn roster_month(state: State<'_, AppState>, month: String) -> Result<RosterMonth, IpcError> {
    let first = smena_core::input::month(&month)?;
    with_replica(&state, |r| month::view(r, first))
}

#[tauri::command(async)]
pub fn roster_generate(state: State<'_, AppState>, month: String) -> Result<RosterMonth, IpcError> {
    let first = smena_core::input::month(&month)?;
    with_replica_mut(&state, |r| month::generate(r, first, SystemClock.now()))
}

#[tauri::command(async)]
pub fn roster_publish(state: State<'_, AppState>, month: String) -> Result<RosterMonth, IpcError> {
    let first = smena_core::input::month(&month)?;
    with_replica_mut(&state, |r| {
        month::publish(r, first, SystemClock.now())?;
        month::view(r, first)
    })
}

/// Puts a person on a shift, or off when `code` is empty; returns the re-checked month.
#[tauri::command(async)]
pub fn roster_assign(state: State<'_, AppState>, staff_id: i64, day: String, code: String) -> Result<RosterMonth, IpcError> {
    let day = smena_core::input::day(&day)?;
    with_replica_mut(&state, |r| {
        month::assign(r, staff_id, day, &code, SystemClock.now())?;
        month::view(r, roster::first_of(day))
    })
}

#[tauri::command(async)]
pub fn roster_swap(state: State<'_, AppState>, a: i64, day_a: String, b: i64, day_b: String) -> Result<RosterMonth, IpcError> {
    let (da, db) = (smena_core::input::day(&day_a)?, smena_core::input::day(&day_b)?);
    with_replica_mut(&state, |r| {
        month::swap(r, a, da, b, db, SystemClock.now())?;
        month::view(r, roster::first_of(da))
    })
}

#[tauri::command(async)]
pub fn roster_absence(state: State<'_, AppState>, staff_id: i64, kind: AbsenceKind, first: String, last: String) -> Result<RosterMonth, IpcError> {
    let (a, b) = (smena_core::input::day(&first)?, smena_core::input::day(&last)?);
    with_replica_mut(&state, |r| {
        month::add_absence(r, staff_id, kind, a, b, "")?;
        month::view(r, roster::first_of(a))
    })
}

#[tauri::command(async)]
pub fn roster_remove_absence(state: State<'_, AppState>, id: i64, month: String) -> Result<RosterMonth, IpcError> {
    let first = smena_core::input::month(&month)?;
    with_replica_mut(&state, |r| {
        month::remove_absence(r, id)?;
        month::view(r, first)
    })
}

#[tauri::command(async)]
pub fn roster_suggestions(state: State<'_, AppState>, day: String, code: String, line: u8) -> Result<Vec<Suggestion>, IpcError> {
    let day = smena_core::input::day(&day)?;
    with_replica(&state, |r| month::suggestions(r, day, &code, line.clamp(1, 3)))
}

#[tauri::command(async)]
pub fn roster_now(state: State<'_, AppState>) -> Result<NowPanel, IpcError> {
    with_replica(&state, |r| now::panel(r, SystemClock.now()))
}

/// Writes the month as iCalendar (the team, or one person) or CSV into the download folder.
#[tauri::command(async)]
pub fn roster_export(state: State<'_, AppState>, month: String, format: String, staff_id: Option<i64>) -> Result<String, IpcError> {
    let first = smena_core::input::month(&month)?;
    let (text, ext) = with_replica(&state, |r| -> Result<(String, &str), IpcError> {
        match format.as_str() {
            "ics" => Ok((ical::export(r, first, staff_id, SystemClock.now())?.0, "ics")),
            "csv" => Ok((io::export_csv(r, first)?, "csv")),
            other => Err(IpcError::new(ErrorCode::InvalidInput, format!("export format '{other}': ics or csv"), format!("формат выгрузки «{other}»: ics или csv"))),
        }
    })?;
    let who = staff_id.map(|id| format!("-{id}")).unwrap_or_default();
    let path = dashboard::export_path(&format!("smena-roster-{}{who}", roster::month_key(first)), ext)
        .map_err(|e| super::cannot_write(&dashboard::export_dir().unwrap_or_default(), e))?;
    smena_core::output::write_atomically(&path, text.as_bytes()).map_err(|e| super::cannot_write(&path, e))?;
    Ok(path.display().to_string())
}

/// The shift handover at the boundary `at` (RFC 3339), or at the latest 08:00 or 20:00
/// Moscow changeover.
#[tauri::command(async)]
pub fn handover(state: State<'_, AppState>, at: Option<String>) -> Result<Handover, IpcError> {
    let at = match at {
        Some(at) => smena_core::input::instant(&at)?,
        None => handover::last_boundary(SystemClock.now()),
    };
    with_replica(&state, |r| handover::report(r, at))
}

/// Keeps the lead's notes for the boundary `at`, and answers the report with them.
#[tauri::command(async)]
pub fn handover_notes(state: State<'_, AppState>, at: String, notes: String) -> Result<Handover, IpcError> {
    let at = smena_core::input::instant(&at)?;
    with_replica_mut(&state, |r| -> Result<Handover, IpcError> {
        let lead = smena_core::actions::Actor::resolve(r, state.user.as_deref())?;
        handover::set_notes(r, at, &notes, &lead.name, SystemClock.now())?;
        Ok(handover::report(r, at)?)
    })
}

/// Who of the incoming shift would take each open ticket of the engineers going off at `at`.
#[tauri::command(async)]
pub fn handover_plan(state: State<'_, AppState>, at: String) -> Result<HandOverPlan, IpcError> {
    let at = smena_core::input::instant(&at)?;
    with_replica(&state, |r| handover::plan_hand_over(r, at))
}

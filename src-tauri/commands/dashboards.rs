//! The dashboards: load, heatmap, SLA and staffing charts drawn by the core, the at-risk
//! list, a client's monthly SLA report, and exports into the user's download folder.

use super::{with_replica, with_replica_mut};
use crate::app::AppState;
use crate::ipc_error::IpcError;
use chrono::{DateTime, Utc};
use smena_core::charts::{Language, Style, Theme};
use smena_core::dashboard::{self, DashboardData, DashboardQuery, Export, Incomplete};
use smena_core::error::ErrorCode;
use smena_core::sla::notify::{self, NotifySettings};
use smena_core::sla::{self, ClientMonth, TimerRow};
use smena_core::{Clock, SystemClock};
use tauri::State;

fn style(theme: Theme, lang: Language, width: Option<u32>, height: Option<u32>) -> Style {
    Style::sized(theme, lang, width.unwrap_or(960), height.unwrap_or(420))
}

/// A chart and the numbers behind it.
#[derive(serde::Serialize)]
pub struct DashboardView {
    data: DashboardData,
    svg: String,
    now: DateTime<Utc>,
    /// The period reaches back before the history the replica holds whole yet.
    incomplete: Option<Incomplete>,
}

#[tauri::command(async)]
pub fn dashboard(state: State<'_, AppState>, query: DashboardQuery, theme: Theme, lang: Language, width: Option<u32>, height: Option<u32>) -> Result<DashboardView, IpcError> {
    let now = SystemClock.now();
    let (data, incomplete) = with_replica(&state, |r| Ok::<_, dashboard::DashboardError>((dashboard::data(r, &query, now)?, dashboard::incomplete(r, &query, now)?)))?;
    let svg = dashboard::svg(query.kind, &data, &style(theme, lang, width, height))?;
    Ok(DashboardView { data, svg, now, incomplete })
}

/// The open tickets near or past a breach.
#[derive(serde::Serialize)]
pub struct AtRiskView {
    now: DateTime<Utc>,
    tickets: Vec<TimerRow>,
}

#[tauri::command(async)]
pub fn at_risk(state: State<'_, AppState>, within_minutes: i64) -> Result<AtRiskView, IpcError> {
    let now = SystemClock.now();
    let tickets = with_replica(&state, |r| sla::at_risk(r, now, chrono::Duration::minutes(within_minutes.clamp(0, 7 * 24 * 60))))?;
    Ok(AtRiskView { now, tickets })
}

/// Escalations and critical tickets waiting to be taken into work, the earliest due first.
#[tauri::command(async)]
pub fn escalations(state: State<'_, AppState>) -> Result<Vec<sla::ack::Watched>, IpcError> {
    with_replica(&state, |r| sla::ack::watch(r, SystemClock.now()))
}

#[tauri::command(async)]
pub fn sla_month(state: State<'_, AppState>, client: String, month: String) -> Result<ClientMonth, IpcError> {
    let first = smena_core::input::month(&month)?;
    with_replica(&state, |r| sla::client_month(r, &client, first, SystemClock.now()))
}

/// Writes a chart (`png`, `svg`) or its data (`csv`) into the export folder; returns the path.
#[tauri::command(async)]
pub fn export_chart(state: State<'_, AppState>, query: DashboardQuery, theme: Theme, lang: Language, format: String) -> Result<String, IpcError> {
    let now = SystemClock.now();
    let ext = match format.as_str() {
        "png" | "svg" | "csv" => format.as_str(),
        other => {
            return Err(IpcError::new(ErrorCode::InvalidInput, format!("cannot export as '{other}': png, svg or csv"), format!("нельзя выгрузить как «{other}»: png, svg или csv")))
        }
    };
    let path = dashboard::export_path(&dashboard::export_stem(&query, now)?, ext).map_err(|e| super::cannot_write(&dashboard::export_dir().unwrap_or_default(), e))?;
    let to = if ext == "csv" { Export { csv: Some(&path), ..Export::default() } } else { Export { chart: Some(&path), ..Export::default() } };
    with_replica(&state, |r| dashboard::export(r, &query, &style(theme, lang, Some(1280), Some(560)), now, to))?;
    Ok(path.display().to_string())
}

/// Writes a client's monthly SLA report as CSV into the export folder; returns the path.
#[tauri::command(async)]
pub fn export_sla_month(state: State<'_, AppState>, client: String, month: String) -> Result<String, IpcError> {
    let report = sla_month(state, client, month)?;
    let safe: String = report.contract_no.chars().map(|c| if c.is_alphanumeric() || c == '-' { c } else { '_' }).collect();
    let path = dashboard::export_path(&format!("smena-sla-{safe}-{}", report.month), "csv").map_err(|e| super::cannot_write(&dashboard::export_dir().unwrap_or_default(), e))?;
    smena_core::output::write_atomically(&path, dashboard::client_month_csv(&report).as_bytes()).map_err(|e| super::cannot_write(&path, e))?;
    Ok(path.display().to_string())
}

#[tauri::command(async)]
pub fn notification_settings(state: State<'_, AppState>, lang: Language) -> Result<NotifySettings, IpcError> {
    // The page tells its language here, so notifications speak it too.
    if let Ok(mut l) = state.lang.lock() {
        *l = lang;
    }
    with_replica(&state, notify::settings)
}

#[tauri::command(async)]
pub fn set_notification_settings(state: State<'_, AppState>, settings: NotifySettings) -> Result<NotifySettings, IpcError> {
    with_replica_mut(&state, |r| notify::set_settings(r, settings))
}

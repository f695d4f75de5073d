//! The dashboards: load, heatmap, SLA and staffing charts drawn by the core, the at-risk
//! list, a client's monthly SLA report, and exports into the user's download folder.

use super::{with_replica, with_replica_mut};
use crate::app::AppState;
use crate::ipc_error::IpcError;
use chrono::{DateTime, NaiveDate, Utc};
use smena_core::charts::{Language, Style, Theme};
use smena_core::dashboard::{self, DashboardData, DashboardQuery};
use smena_core::sla::notify::{self, NotifySettings};
use smena_core::sla::{self, ClientMonth, TimerRow};
use smena_core::{Clock, SystemClock};
use tauri::State;

fn bad(e: impl std::fmt::Display) -> IpcError {
    IpcError::invalid_input(e.to_string())
}

fn style(theme: Theme, lang: Language, width: Option<u32>, height: Option<u32>) -> Style {
    Style { theme, lang, width: width.unwrap_or(960).clamp(320, 2400), height: height.unwrap_or(420).clamp(200, 1600) }
}

/// A chart and the numbers behind it.
#[derive(serde::Serialize)]
pub struct DashboardView {
    data: DashboardData,
    svg: String,
    now: DateTime<Utc>,
}

#[tauri::command(async)]
pub fn dashboard(state: State<'_, AppState>, query: DashboardQuery, theme: Theme, lang: Language, width: Option<u32>, height: Option<u32>) -> Result<DashboardView, IpcError> {
    let now = SystemClock.now();
    let data = with_replica(&state, |r| dashboard::data(r, &query, now).map_err(bad))?;
    let svg = dashboard::svg(query.kind, &data, &style(theme, lang, width, height)).map_err(bad)?;
    Ok(DashboardView { data, svg, now })
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

fn month(text: &str) -> Result<NaiveDate, IpcError> {
    NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").map_err(|_| IpcError::invalid_input(format!("'{text}' is not a month YYYY-MM")))
}

#[tauri::command(async)]
pub fn sla_month(state: State<'_, AppState>, client: String, month: String) -> Result<ClientMonth, IpcError> {
    let first = self::month(&month)?;
    with_replica(&state, |r| {
        sla::client_month(r, &client, first, SystemClock.now()).map_err(|e| match e {
            sla::SlaError::UnknownClient(_) => IpcError::not_found(e.to_string()),
            other => bad(other),
        })
    })
}

/// Writes a chart (`png`, `svg`) or its data (`csv`) into the export folder; returns the path.
#[tauri::command(async)]
pub fn export_chart(state: State<'_, AppState>, query: DashboardQuery, theme: Theme, lang: Language, format: String) -> Result<String, IpcError> {
    let now = SystemClock.now();
    let data = with_replica(&state, |r| dashboard::data(r, &query, now).map_err(bad))?;
    let (from, to) = query.period(now).map_err(bad)?;
    let kind = serde_json::to_value(query.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    let ext = match format.as_str() {
        "png" | "svg" | "csv" => format.as_str(),
        other => return Err(IpcError::invalid_input(format!("cannot export as '{other}': png, svg or csv"))),
    };
    let path = dashboard::export_path(&format!("smena-{kind}-{from}-{to}"), ext).map_err(bad)?;
    if ext == "csv" {
        std::fs::write(&path, dashboard::csv(&data)).map_err(|e| IpcError::storage(format!("cannot write {}: {e}", path.display())))?;
    } else {
        dashboard::write_chart(query.kind, &data, &style(theme, lang, Some(1280), Some(560)), &path).map_err(|e| IpcError::storage(e.to_string()))?;
    }
    Ok(path.display().to_string())
}

/// Writes a client's monthly SLA report as CSV into the export folder; returns the path.
#[tauri::command(async)]
pub fn export_sla_month(state: State<'_, AppState>, client: String, month: String) -> Result<String, IpcError> {
    let report = sla_month(state, client, month)?;
    let safe: String = report.contract_no.chars().map(|c| if c.is_alphanumeric() || c == '-' { c } else { '_' }).collect();
    let path = dashboard::export_path(&format!("smena-sla-{safe}-{}", report.month), "csv").map_err(bad)?;
    std::fs::write(&path, dashboard::client_month_csv(&report)).map_err(|e| IpcError::storage(format!("cannot write {}: {e}", path.display())))?;
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

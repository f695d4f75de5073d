//! The desktop window: opens the replica (writing the built-in demo into an empty one),
//! hands it to the commands, and runs Tauri.

use crate::commands;
use smena_core::demo::{self, DemoOptions};
use smena_core::store::Replica;
use smena_core::{Clock, SystemClock};
use std::path::PathBuf;
use std::sync::Mutex;

/// What every command shares: the replica, or why it could not be opened (shown in the window).
pub struct AppState {
    pub replica: Result<Mutex<Replica>, String>,
    /// Whom the window acts as (`SMENA_USER`, a staff member's full name); the lead when unset.
    pub user: Option<String>,
}

/// Opens the replica at `db`; an empty one gets the 90-day demo so a new user sees a queue.
fn open(db: &PathBuf) -> Result<Replica, String> {
    let mut replica = Replica::open(db).map_err(|e| e.to_string())?;
    if smena_core::store::queue::info(&replica).map_err(|e| e.to_string())?.tickets == 0 {
        let opts = DemoOptions { days: 90, seed: 1, now: SystemClock.now() };
        demo::write_demo(&mut replica, &opts).map_err(|e| e.to_string())?;
    }
    Ok(replica)
}

/// Runs the window until it is closed; returns the process exit code.
pub fn run(db: PathBuf) -> i32 {
    if cfg!(target_os = "linux") && std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        eprintln!("smena: no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset); run it in a desktop session, or use a subcommand (smena --help)");
        return 1;
    }
    let replica = open(&db);
    if let Err(e) = &replica {
        eprintln!("smena: {e}");
    }
    let result = tauri::Builder::default()
        .manage(AppState { replica: replica.map(Mutex::new), user: std::env::var("SMENA_USER").ok().filter(|u| !u.trim().is_empty()) })
        .invoke_handler(tauri::generate_handler![
            commands::queue::queue_page,
            commands::queue::queue_counts,
            commands::queue::ticket_detail,
            commands::queue::replica_info,
            commands::queue::facets,
            commands::actions::apply_action,
            commands::actions::apply_bulk,
            commands::actions::outbox_list,
            commands::actions::discard_operation,
            commands::actions::candidates,
            commands::actions::staff,
            commands::dashboards::dashboard,
            commands::dashboards::at_risk,
            commands::dashboards::sla_month,
            commands::dashboards::export_chart,
            commands::dashboards::export_sla_month,
        ])
        .run(tauri::generate_context!());
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("smena: the window could not start: {e}");
            1
        }
    }
}

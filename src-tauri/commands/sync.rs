//! The ITSM link in the window: a background worker that syncs every interval (and at
//! "sync now") on its own connection to the replica, so a long first pull never blocks the
//! window; its status (online or not, last success, waiting operations, conflicts, progress);
//! connecting (the secret passes through once, straight into the OS keyring); conflicts.

use super::{with_replica, with_replica_mut};
use crate::app::AppState;
use crate::ipc_error::IpcError;
use chrono::{DateTime, Utc};
use serde::Serialize;
use smena_core::store::Replica;
use smena_core::sync::credentials::{self, Connection};
use smena_core::sync::engine::{self, Conflict, Progress, Resolution};
use smena_core::sync::ItsmError;
use smena_core::{Clock, SystemClock};
use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tauri::State;

/// What the window shows of the sync.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncStatus {
    /// The ITSM connected, if any.
    pub connection: Option<Connection>,
    /// Reached at the last attempt (none before the first).
    pub online: Option<bool>,
    /// A sync is running.
    pub running: bool,
    /// The last sync that reached the ITSM.
    pub last_success: Option<DateTime<Utc>>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// Progress of a running pull.
    pub progress: Option<Progress>,
    /// Operations waiting, failed and in conflict.
    pub waiting: u32,
    pub failed: u32,
    pub conflicts: u32,
    /// Seconds between background syncs.
    pub interval_seconds: u64,
    /// Counts finished syncs, so the window knows when to reload the queue.
    pub revision: u64,
}

/// Shared between the worker and the commands.
pub struct SyncShared {
    status: Mutex<SyncStatus>,
    wake: Mutex<Sender<()>>,
}

fn update(shared: &SyncShared, f: impl FnOnce(&mut SyncStatus)) {
    if let Ok(mut s) = shared.status.lock() {
        f(&mut s);
    }
}

/// Starts the worker on the replica at `path`.
pub fn start(path: PathBuf) -> Arc<SyncShared> {
    let (tx, rx) = mpsc::channel();
    let shared = Arc::new(SyncShared { status: Mutex::new(SyncStatus { interval_seconds: credentials::DEFAULT_INTERVAL, ..Default::default() }), wake: Mutex::new(tx) });
    let worker = shared.clone();
    let spawned = std::thread::Builder::new().name("sync".into()).spawn(move || {
        let mut wait = Duration::from_secs(1);
        loop {
            match rx.recv_timeout(wait) {
                Ok(()) | Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
            let interval = run_once(&path, &worker);
            wait = Duration::from_secs(interval);
        }
    });
    if let Err(e) = spawned {
        update(&shared, |s| s.last_error = Some(format!("the sync worker could not start: {e}")));
    }
    shared
}

/// One sync if connected; returns the interval to wait before the next.
fn run_once(path: &std::path::Path, shared: &SyncShared) -> u64 {
    let mut r = match Replica::open(path) {
        Ok(r) => r,
        Err(e) => {
            update(shared, |s| s.last_error = Some(e.to_string()));
            return credentials::DEFAULT_INTERVAL;
        }
    };
    let interval = credentials::interval(&r).unwrap_or(credentials::DEFAULT_INTERVAL);
    let connection = credentials::connection(&r).ok().flatten();
    update(shared, |s| {
        s.connection = connection.clone();
        s.interval_seconds = interval;
    });
    if let Some(c) = connection {
        update(shared, |s| s.running = true);
        let result = credentials::secret(&c).map_err(|e| e.to_string()).and_then(|secret| smena_core::sync::connector(&c, &secret));
        let now = SystemClock.now();
        match result {
            Err(e) => update(shared, |s| s.last_error = Some(e)),
            Ok(mut api) => {
                let outcome = engine::sync(&mut r, api.as_mut(), &c.kind, now, &mut |p| update(shared, |s| s.progress = Some(p)));
                update(shared, |s| match outcome {
                    Ok(report) => {
                        if report.pushed + report.already_applied + report.pulled > 0 {
                            s.revision += 1;
                        }
                        s.online = Some(report.offline.is_none());
                        if report.offline.is_none() {
                            s.last_success = Some(now);
                        }
                        s.last_error = report.offline.clone();
                    }
                    Err(e) => {
                        s.online = Some(!matches!(&e, engine::SyncError::Itsm(ItsmError::Unreachable(_))));
                        s.last_error = Some(e.to_string());
                    }
                });
            }
        }
    }
    let counts = engine::counts(&r).unwrap_or_default();
    update(shared, |s| {
        (s.waiting, s.failed, s.conflicts) = counts;
        s.running = false;
        s.progress = None;
    });
    interval
}

fn shared<'a>(state: &'a State<'_, AppState>) -> Result<&'a SyncShared, IpcError> {
    state.sync.as_deref().ok_or_else(|| IpcError::storage("the replica is not open, so there is nothing to sync"))
}

#[tauri::command(async)]
pub fn sync_status(state: State<'_, AppState>) -> Result<SyncStatus, IpcError> {
    let s = shared(&state)?;
    let mut status = s.status.lock().map_err(|_| IpcError::internal("the sync status lock is poisoned"))?.clone();
    // The outbox moves with every action: count it now, not at the last sync.
    if let Ok(counts) = with_replica(&state, |r| engine::counts(r).map_err(|e| IpcError::storage(e.to_string()))) {
        (status.waiting, status.failed, status.conflicts) = counts;
    }
    Ok(status)
}

#[tauri::command(async)]
pub fn sync_now(state: State<'_, AppState>) -> Result<(), IpcError> {
    let s = shared(&state)?;
    s.wake.lock().map_err(|_| IpcError::internal("the sync lock is poisoned"))?.send(()).map_err(|_| IpcError::internal("the sync worker has stopped"))
}

/// Checks the ITSM with the secret, keeps the secret in the OS keyring and the connection in
/// the replica, then syncs. The secret is never stored or returned anywhere else.
#[tauri::command(async)]
pub fn sync_connect(state: State<'_, AppState>, kind: String, url: String, user: Option<String>, secret: String, interval_seconds: u64) -> Result<(), IpcError> {
    let c = Connection { kind, url: url.trim().trim_end_matches('/').to_string(), user: user.filter(|u| !u.trim().is_empty()) };
    let mut api = smena_core::sync::connector(&c, &secret).map_err(IpcError::invalid_input)?;
    api.check().map_err(|e| IpcError::invalid_input(format!("{}: {e}; nothing was stored", c.url)))?;
    with_replica_mut(&state, |r| {
        credentials::connect(r, &c, &secret).map_err(|e| IpcError::storage(e.to_string()))?;
        credentials::set_interval(r, interval_seconds).map_err(|e| IpcError::storage(e.to_string()))
    })?;
    sync_now(state)
}

#[tauri::command(async)]
pub fn sync_set_interval(state: State<'_, AppState>, seconds: u64) -> Result<u64, IpcError> {
    let s = with_replica_mut(&state, |r| credentials::set_interval(r, seconds).map_err(|e| IpcError::storage(e.to_string())))?;
    if let Ok(sh) = shared(&state) {
        update(sh, |st| st.interval_seconds = s);
    }
    // The worker may be waiting out the old interval: wake it so the new one applies now.
    let _ = sync_now(state);
    Ok(s)
}

#[tauri::command(async)]
pub fn sync_disconnect(state: State<'_, AppState>) -> Result<(), IpcError> {
    with_replica_mut(&state, |r| credentials::disconnect(r).map_err(|e| IpcError::storage(e.to_string())))?;
    if let Ok(s) = shared(&state) {
        update(s, |st| {
            st.connection = None;
            st.online = None;
        });
    }
    Ok(())
}

#[tauri::command(async)]
pub fn sync_conflicts(state: State<'_, AppState>) -> Result<Vec<Conflict>, IpcError> {
    with_replica(&state, |r| engine::conflicts(r).map_err(|e| IpcError::storage(e.to_string())))
}

#[tauri::command(async)]
pub fn sync_resolve(state: State<'_, AppState>, id: i64, how: Resolution) -> Result<(), IpcError> {
    with_replica_mut(&state, |r| engine::resolve(r, id, how, SystemClock.now()).map_err(|e| IpcError::invalid_input(e.to_string())))?;
    sync_now(state)
}

#[tauri::command(async)]
pub fn sync_retry(state: State<'_, AppState>, op_id: String) -> Result<(), IpcError> {
    with_replica_mut(&state, |r| engine::retry(r, &op_id).map_err(|e| IpcError::invalid_input(e.to_string())))?;
    sync_now(state)
}

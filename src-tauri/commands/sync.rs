//! The ITSM link in the window: a background worker that syncs every interval (and at
//! "sync now") on its own connection to the replica, so a long first pull never blocks the
//! window; its status; connecting (the secret passes through once, straight into the OS
//! keyring); conflicts. Each command calls the one core function of its use case.

use super::{with_replica, with_replica_mut};
use crate::app::AppState;
use crate::ipc_error::IpcError;
use smena_core::error::{ErrorCode, Failure, Problem};
use smena_core::store::Replica;
use smena_core::sync::engine::{self, Conflict, Resolution};
use smena_core::sync::status::SyncStatus;
use smena_core::sync::{self, credentials, ItsmError, ItsmKind};
use smena_core::{Clock, SystemClock};
use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tauri::State;

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
        let problem =
            Problem {
                code: ErrorCode::Internal, message: format!("the sync worker could not start: {e}"), message_ru: format!("фоновая синхронизация не запустилась: {e}")
            };
        update(&shared, |s| s.last_error = Some(problem));
    }
    shared
}

/// Pages of a long pull between two reloads of what the window shows.
const RELOAD_EVERY: u32 = 10;

/// One sync if connected; returns the interval to wait before the next.
fn run_once(path: &std::path::Path, shared: &SyncShared) -> u64 {
    let mut r = match Replica::open(path) {
        Ok(r) => r,
        Err(e) => {
            update(shared, |s| s.last_error = Some(Problem::of(&e)));
            return credentials::DEFAULT_INTERVAL;
        }
    };
    let interval = credentials::interval(&r).unwrap_or(credentials::DEFAULT_INTERVAL);
    let connection = credentials::connection(&r).ok().flatten();
    update(shared, |s| {
        s.connection = connection.clone();
        s.interval_seconds = interval;
    });
    if connection.is_some() {
        update(shared, |s| s.running = true);
        let now = SystemClock.now();
        // The window reloads what it shows when a part of the pull ends (the queue is whole
        // once the open queue's part does) and every few pages within one.
        let (mut phase, mut pages) = (None, 0u32);
        let outcome = sync::sync_connected(&mut r, now, &mut |p| {
            pages += 1;
            let reload = phase.is_some_and(|was| was != p.phase) || pages % RELOAD_EVERY == 0;
            phase = Some(p.phase);
            update(shared, |s| {
                s.revision += u64::from(reload);
                s.progress = Some(p);
            })
        });
        update(shared, |s| match outcome {
            Ok(report) => {
                if report.pushed + report.already_applied + report.pulled > 0 {
                    s.revision += 1;
                }
                s.online = Some(report.offline.is_none());
                if report.offline.is_none() {
                    s.last_success = Some(now);
                }
                s.last_error = report.offline.map(|why| Problem::of(&ItsmError::Unreachable(why))).or_else(|| {
                    let names: Vec<String> = report.skipped.iter().map(|k| format!("{} ({})", k.number, k.reason)).collect();
                    (!names.is_empty()).then(|| Problem {
                        code: ErrorCode::Itsm,
                        message: format!("pulled tickets not applied, read again at the next sync: {}", names.join("; ")),
                        message_ru: format!("полученные заявки не применены, будут запрошены снова: {}", names.join("; ")),
                    })
                });
            }
            Err(e) => {
                s.online = Some(e.code() != ErrorCode::Offline);
                s.last_error = Some(Problem::of(&e));
            }
        });
    }
    let counts = engine::counts(&r).unwrap_or_default();
    update(shared, |s| {
        s.count(counts);
        s.running = false;
        s.progress = None;
    });
    interval
}

fn shared<'a>(state: &'a State<'_, AppState>) -> Result<&'a SyncShared, IpcError> {
    state.sync.as_deref().ok_or_else(|| IpcError::new(ErrorCode::Storage, "the replica is not open, so there is nothing to sync", "реплика не открыта, синхронизировать нечего"))
}

#[tauri::command(async)]
pub fn sync_status(state: State<'_, AppState>) -> Result<SyncStatus, IpcError> {
    let s = shared(&state)?;
    let mut status = s.status.lock().map_err(|_| IpcError::poisoned("sync status"))?.clone();
    // The outbox moves with every action: count it now, not at the last sync.
    if let Ok(counts) = with_replica(&state, engine::counts) {
        status.count(counts);
    }
    Ok(status)
}

#[tauri::command(async)]
pub fn sync_now(state: State<'_, AppState>) -> Result<(), IpcError> {
    let s = shared(&state)?;
    s.wake
        .lock()
        .map_err(|_| IpcError::poisoned("sync"))?
        .send(())
        .map_err(|_| IpcError::new(ErrorCode::Internal, "the sync worker has stopped", "фоновая синхронизация остановилась"))
}

/// Runs `f` on a thread of its own: the connector's HTTP client and the keyring block, which
/// a thread of the command runtime may not (the blocking client hangs there). `failed` says,
/// in English and Russian, that the thread failed.
fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send, failed: (&str, &str)) -> Result<T, IpcError> {
    std::thread::scope(|s| s.spawn(f).join()).map_err(|_| IpcError::new(ErrorCode::Internal, failed.0, failed.1))
}

/// Checks the ITSM with the secret, keeps the secret in the OS keyring and the connection in
/// the replica, then syncs. The secret is never stored or returned anywhere else.
#[tauri::command(async)]
pub fn sync_connect(state: State<'_, AppState>, kind: ItsmKind, url: String, user: Option<String>, secret: String, interval_seconds: u64) -> Result<(), IpcError> {
    let c = sync::connection(kind, &url, user.as_deref())?;
    // Checked before the replica is taken: the ITSM may take seconds to answer.
    off_runtime(|| sync::check(&c, &secret), ("the ITSM check stopped unexpectedly", "проверка ITSM неожиданно прервалась"))??;
    with_replica_mut(&state, |r| -> Result<u64, IpcError> {
        off_runtime(|| sync::remember(r, &c, &secret), ("keeping the connection stopped unexpectedly", "сохранение подключения неожиданно прервалось"))??;
        Ok(credentials::set_interval(r, interval_seconds)?)
    })?;
    sync_now(state)
}

#[tauri::command(async)]
pub fn sync_set_interval(state: State<'_, AppState>, seconds: u64) -> Result<u64, IpcError> {
    let s = with_replica_mut(&state, |r| credentials::set_interval(r, seconds))?;
    if let Ok(sh) = shared(&state) {
        update(sh, |st| st.interval_seconds = s);
    }
    // The worker may be waiting out the old interval: wake it so the new one applies now.
    let _ = sync_now(state);
    Ok(s)
}

#[tauri::command(async)]
pub fn sync_disconnect(state: State<'_, AppState>) -> Result<(), IpcError> {
    with_replica_mut(&state, credentials::disconnect)?;
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
    with_replica(&state, engine::conflicts)
}

#[tauri::command(async)]
pub fn sync_resolve(state: State<'_, AppState>, id: i64, how: Resolution) -> Result<(), IpcError> {
    with_replica_mut(&state, |r| engine::resolve(r, id, how, SystemClock.now()))?;
    sync_now(state)
}

#[tauri::command(async)]
pub fn sync_retry(state: State<'_, AppState>, op_id: String) -> Result<(), IpcError> {
    with_replica_mut(&state, |r| engine::retry(r, &op_id))?;
    sync_now(state)
}

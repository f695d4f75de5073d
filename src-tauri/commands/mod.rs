//! Tauri commands: one-line adapters from the window to the core, grouped by feature.

pub mod actions;
pub mod dashboards;
pub mod import;
pub mod queue;
pub mod roster;
pub mod sync;

use crate::app::AppState;
use crate::ipc_error::IpcError;
use smena_core::store::Replica;

/// Runs `f` on the replica, or reports why it is not available.
pub(crate) fn with_replica<T, E: Into<IpcError>>(state: &AppState, f: impl FnOnce(&Replica) -> Result<T, E>) -> Result<T, IpcError> {
    let lock = state.replica.as_ref().map_err(|e| IpcError::storage(e.clone()))?;
    let replica = lock.lock().map_err(|_| IpcError::internal("the replica lock is poisoned"))?;
    f(&replica).map_err(Into::into)
}

/// Runs `f` on the replica with write access, or reports why it is not available.
pub(crate) fn with_replica_mut<T, E: Into<IpcError>>(state: &AppState, f: impl FnOnce(&mut Replica) -> Result<T, E>) -> Result<T, IpcError> {
    let lock = state.replica.as_ref().map_err(|e| IpcError::storage(e.clone()))?;
    let mut replica = lock.lock().map_err(|_| IpcError::internal("the replica lock is poisoned"))?;
    f(&mut replica).map_err(Into::into)
}

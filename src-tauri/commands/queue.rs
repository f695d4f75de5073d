//! Reading the queue: pages, counts, one ticket, the replica's status, filter choices.

use super::with_replica;
use crate::app::AppState;
use crate::ipc_error::IpcError;
use smena_core::store::queue::{self, Facets, QueueCounts, QueueFilter, QueuePage, ReplicaInfo, TicketDetail};
use tauri::State;

/// At most this many rows per page: the window asks for what it shows.
const MAX_PAGE: u32 = 500;

#[tauri::command(async)]
pub fn queue_page(state: State<'_, AppState>, filter: QueueFilter, offset: u32, limit: u32) -> Result<QueuePage, IpcError> {
    with_replica(&state, |r| queue::page(r, &filter, offset, limit.min(MAX_PAGE)))
}

#[tauri::command(async)]
pub fn queue_counts(state: State<'_, AppState>, filter: QueueFilter) -> Result<QueueCounts, IpcError> {
    with_replica(&state, |r| queue::counts(r, &filter))
}

#[tauri::command(async)]
pub fn ticket_detail(state: State<'_, AppState>, number: String) -> Result<TicketDetail, IpcError> {
    with_replica(&state, |r| queue::detail(r, &number))
}

#[tauri::command(async)]
pub fn replica_info(state: State<'_, AppState>) -> Result<ReplicaInfo, IpcError> {
    with_replica(&state, queue::info)
}

#[tauri::command(async)]
pub fn facets(state: State<'_, AppState>) -> Result<Facets, IpcError> {
    with_replica(&state, queue::facets)
}

//! The Clients page: each client's zone, SLA contract and authorised contacts, with the same
//! checks and refusals as `smena client` and `smena sla set`.

use super::{with_replica, with_replica_mut};
use crate::app::AppState;
use crate::ipc_error::IpcError;
use smena_core::clients::{self, ClientCard};
use smena_core::domain::Contact;
use smena_core::sla::{contract, Contract};
use smena_core::{Clock, SystemClock};
use tauri::State;

#[tauri::command(async)]
pub fn clients(state: State<'_, AppState>) -> Result<Vec<ClientCard>, IpcError> {
    with_replica(&state, clients::cards)
}

/// Returns how many open tickets' deadlines moved.
#[tauri::command(async)]
pub fn client_set_zone(state: State<'_, AppState>, client: String, zone: String) -> Result<usize, IpcError> {
    with_replica_mut(&state, |r| clients::set_zone(r, &client, &zone, SystemClock.now()))
}

/// Returns how many open tickets' deadlines moved.
#[tauri::command(async)]
pub fn client_set_contract(state: State<'_, AppState>, client: String, contract: Contract) -> Result<usize, IpcError> {
    with_replica_mut(&state, |r| contract::set_contract(r, &client, &contract))
}

#[tauri::command(async)]
pub fn client_add_contact(state: State<'_, AppState>, client: String, contact: Contact) -> Result<usize, IpcError> {
    with_replica_mut(&state, |r| clients::add_contact(r, &client, &contact))
}

#[tauri::command(async)]
pub fn client_remove_contact(state: State<'_, AppState>, client: String, email: String) -> Result<usize, IpcError> {
    with_replica_mut(&state, |r| clients::remove_contact(r, &client, &email))
}

//! The sync engine: push the outbox in order, then pull the ITSM's changes from the saved
//! cursor, each page in one transaction. A pulled ticket never overwrites a field that still
//! has an operation waiting; a field the ITSM changed under an operation becomes a conflict
//! the user resolves. Nothing is overwritten silently on either side.
//!
//! One step a file: [`lease`] keeps two syncs of a replica apart; [`push`] sends each
//! operation as [`plan`] decides from ours, its base and the ITSM's values; [`pull`] reads the
//! ITSM's pages, [`plan`] decides each ticket's change, and the page is applied in one
//! transaction; [`conflicts`] holds what the user does about conflicts and refusals. The
//! decisions in [`plan`] are pure; the SQL is the store's (`store::outbox`, `store::pulled`,
//! `store::sync_state`, `store::conflicts`, `store::staff`).

mod conflicts;
mod lease;
mod plan;
mod pull;
mod push;

#[cfg(test)]
mod fake;
#[cfg(test)]
mod tests;

pub use crate::store::conflicts::Conflict;
pub use conflicts::{conflicts, counts, failed, resolve, retry, set_login, Resolution};
pub use pull::{apply_page, PageOutcome, SkippedTicket};

use super::{ItsmApi, ItsmError};
use crate::store::Replica;
use crate::store::{sync_state, StoreError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Who the history names for changes that came from the ITSM.
pub const ITSM_ACTOR: &str = "ITSM";

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "sync.ts")]
pub struct SyncReport {
    /// Operations the ITSM accepted now.
    pub pushed: u32,
    /// Operations found already applied (a retry after an unknown outcome).
    pub already_applied: u32,
    /// Operations refused (now or before), kept with the reason.
    pub failed: u32,
    /// Operations in conflict (now or before), kept with both values.
    pub conflicts: u32,
    /// Tickets pulled.
    pub pulled: u32,
    /// Of them, new to the replica.
    pub created: u32,
    /// Operations still waiting (none sent because the ITSM went away, or left to retry).
    pub waiting: u32,
    /// Why the sync stopped early (the ITSM not reachable), if it did.
    pub offline: Option<String>,
    /// Pulled tickets that could not be applied, each named with why (read again next time).
    pub skipped: Vec<SkippedTicket>,
}

impl SyncReport {
    /// In sync: nothing waiting, failed, in conflict or skipped, and the ITSM was reached.
    pub fn in_sync(&self) -> bool {
        self.offline.is_none() && self.waiting == 0 && self.failed == 0 && self.conflicts == 0 && self.skipped.is_empty()
    }
}

/// Why a sync could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The ITSM refused the credentials, or the request.
    #[error(transparent)]
    Itsm(#[from] ItsmError),
    /// Another sync of this replica holds it.
    #[error("another sync of this replica is running (the window's or another command's); try again when it ends")]
    Busy,
    /// No conflict with this id.
    #[error("no conflict {0}")]
    NoConflict(i64),
    /// No failed operation with this id.
    #[error("no failed operation {0}")]
    NoFailedOperation(String),
    /// An ITSM login that is empty.
    #[error("an empty ITSM login")]
    EmptyLogin,
    /// The ITSM could not be reached with the connection as it stands.
    #[error(transparent)]
    Connect(#[from] super::ConnectError),
    /// The connection or its secret is missing.
    #[error(transparent)]
    Credentials(#[from] super::credentials::CredentialError),
    /// The replica failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for SyncError {
    fn from(e: rusqlite::Error) -> Self {
        SyncError::Store(e.into())
    }
}

/// Progress of a long pull.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "sync.ts")]
pub struct Progress {
    /// Which part of the pull.
    pub phase: super::PullPhase,
    /// Tickets pulled so far.
    pub done: u64,
    /// Tickets to pull, when known.
    pub total: Option<u64>,
    /// Seconds the part has left at its pace so far, when its total is known.
    pub seconds_left: Option<u64>,
}

/// One full sync: push, then pull; then, while a first pull's history is being backfilled,
/// its pages, with a push and a delta every few of them.
pub fn sync(r: &mut Replica, api: &mut dyn ItsmApi, connector: &str, now: DateTime<Utc>, progress: &mut dyn FnMut(Progress)) -> Result<SyncReport, SyncError> {
    let lease = lease::Lease::take(r)?;
    let result = sync_leased(r, api, connector, now, progress, &lease);
    lease.release(r);
    result
}

fn sync_leased(
    r: &mut Replica,
    api: &mut dyn ItsmApi,
    connector: &str,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(Progress),
    lease: &lease::Lease,
) -> Result<SyncReport, SyncError> {
    let mut report = SyncReport::default();
    let offline = |e: SyncError, report: &mut SyncReport| match e {
        SyncError::Itsm(ItsmError::Unreachable(why)) => {
            report.offline = Some(why);
            Ok(())
        }
        e => Err(e),
    };
    if let Err(e) = push::push(r, api, now, &mut report, lease) {
        offline(e, &mut report)?;
    }
    if report.offline.is_none() {
        if let Err(e) = pull::people(r, api, connector, now) {
            offline(e, &mut report)?;
        }
    }
    if report.offline.is_none() {
        if let Err(e) = pull::pull(r, api, connector, &mut report, progress, lease) {
            offline(e, &mut report)?;
        }
    }
    if report.offline.is_none() {
        let mut between = |r: &mut Replica, api: &mut dyn ItsmApi, report: &mut SyncReport| -> Result<(), SyncError> {
            push::push(r, api, now, report, lease)?;
            pull::pull(r, api, connector, report, &mut |_| {}, lease)
        };
        if let Err(e) = pull::backfill(r, api, connector, &mut report, progress, lease, &mut between) {
            offline(e, &mut report)?;
        }
    }
    // What remains, whenever it was found: waiting, refused, in conflict.
    let counts = counts(r)?;
    (report.waiting, report.failed, report.conflicts) = (counts.waiting, counts.failed, counts.conflicts);
    if report.offline.is_none() {
        r.write(|tx| sync_state::mark_synced(tx, connector, now))?;
    }
    Ok(report)
}

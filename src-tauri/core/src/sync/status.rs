//! What the window shows of the sync with the ITSM: connected or not, reached or not, the
//! last success and the last failure, progress, and the operations waiting.

use super::credentials::Connection;
use super::engine::Progress;
use crate::error::Problem;
use crate::store::outbox::OutboxCounts;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// The sync as the status line and the ITSM dialog show it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export_to = "sync.ts")]
pub struct SyncStatus {
    /// The ITSM connected, if any.
    pub connection: Option<Connection>,
    /// Reached at the last attempt (none before the first).
    pub online: Option<bool>,
    /// A sync is running.
    pub running: bool,
    /// The last sync that reached the ITSM.
    #[ts(type = "string | null")]
    pub last_success: Option<DateTime<Utc>>,
    /// Why the last attempt failed.
    pub last_error: Option<Problem>,
    /// Progress of a running pull.
    pub progress: Option<Progress>,
    /// Operations waiting.
    pub waiting: u32,
    /// Operations refused by the ITSM.
    pub failed: u32,
    /// Operations in conflict.
    pub conflicts: u32,
    /// Seconds between background syncs.
    #[ts(type = "number")]
    pub interval_seconds: u64,
    /// Counts finished syncs, so the window knows when to reload the queue.
    #[ts(type = "number")]
    pub revision: u64,
}

impl SyncStatus {
    /// Takes the outbox's counts.
    pub fn count(&mut self, c: OutboxCounts) {
        (self.waiting, self.failed, self.conflicts) = (c.waiting, c.failed, c.conflicts);
    }
}

//! One sync of a replica at a time: the window's worker and a `smena sync` from a script
//! take a lease in the replica, renewed as the sync goes, and another waits its turn.
//!
//! Beside the lease, a sync holds an exclusive lock on `REPLICA.sync-lock`, which the
//! system lets go when the process ends however it ends: a sync killed midway does not keep
//! the next one waiting for its lease to run out, since a lease whose holder no longer holds
//! the lock is a dead process's.

use super::SyncError;
use crate::store::{sync_state, Replica};
use chrono::Utc;

/// How long a sync holds the replica before another may take over (renewed as it goes).
const LEASE_SECONDS: i64 = 120;

/// The lease a running sync holds.
pub(super) struct Lease {
    holder: String,
    /// The lock on the replica's lock file, while held (none for a replica in memory, or on
    /// a file system without locks, where the lease alone keeps syncs apart).
    _lock: Option<std::fs::File>,
}

impl Lease {
    /// Takes the lease, or says another sync holds it.
    pub fn take(r: &mut Replica) -> Result<Lease, SyncError> {
        let lock = lock(r.path())?;
        let lease = Lease { holder: uuid::Uuid::new_v4().to_string(), _lock: lock };
        if lease._lock.is_some() {
            // Holding the lock, any other lease is a process's that ended without giving it back.
            let now = Utc::now().timestamp();
            r.write(|tx| sync_state::take_lease(tx, &lease.holder, i64::MAX, now + LEASE_SECONDS))?;
        } else {
            lease.renew(r)?;
        }
        Ok(lease)
    }

    /// Renews the lease (or fails when another sync took it over meanwhile).
    pub fn renew(&self, r: &mut Replica) -> Result<(), SyncError> {
        let now = Utc::now().timestamp();
        if r.write(|tx| sync_state::take_lease(tx, &self.holder, now, now + LEASE_SECONDS))? {
            Ok(())
        } else {
            Err(SyncError::Busy)
        }
    }

    /// Gives the lease back; a failure leaves it to run out.
    pub fn release(self, r: &mut Replica) {
        let _ = r.write(|tx| sync_state::release_lease(tx, &self.holder));
    }
}

/// Locks `REPLICA.sync-lock` beside the replica at `path`: Busy while another process's sync
/// holds it, none where there is no file to lock.
fn lock(path: &std::path::Path) -> Result<Option<std::fs::File>, SyncError> {
    if path.as_os_str() == ":memory:" {
        return Ok(None);
    }
    let mut name = path.as_os_str().to_owned();
    name.push(".sync-lock");
    let Ok(file) = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&name) else { return Ok(None) };
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Err(SyncError::Busy),
        Err(std::fs::TryLockError::Error(_)) => Ok(None),
    }
}

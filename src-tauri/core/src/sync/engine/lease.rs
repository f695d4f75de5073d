//! One sync of a replica at a time: the window's worker and a `smena sync` from a script
//! take a lease in the replica, renewed as the sync goes, and another waits its turn.

use super::SyncError;
use crate::store::{sync_state, Replica};
use chrono::Utc;

/// How long a sync holds the replica before another may take over (renewed as it goes).
const LEASE_SECONDS: i64 = 120;

/// The lease a running sync holds.
pub(super) struct Lease {
    holder: String,
}

impl Lease {
    /// Takes the lease, or says another sync holds it.
    pub fn take(r: &mut Replica) -> Result<Lease, SyncError> {
        let lease = Lease { holder: uuid::Uuid::new_v4().to_string() };
        lease.renew(r)?;
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

//! The sync's own bookkeeping: the one-sync-at-a-time lease, where each pull stopped (its
//! cursor), when a sync last reached the ITSM, and the tickets to read again.

use super::Result;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

/// Takes the lease for `holder` until `until` (Unix seconds), or renews it; false when
/// another holder's lease runs past `now`.
pub(crate) fn take_lease(tx: &Connection, holder: &str, now: i64, until: i64) -> Result<bool> {
    let taken = tx.execute(
        "INSERT INTO sync_lease (id, holder, until) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, until = excluded.until WHERE sync_lease.holder = excluded.holder OR sync_lease.until < ?3",
        params![holder, until, now],
    )?;
    Ok(taken > 0)
}

/// Gives the lease back.
pub(crate) fn release_lease(tx: &Connection, holder: &str) -> Result<()> {
    tx.execute("DELETE FROM sync_lease WHERE holder = ?1", [holder])?;
    Ok(())
}

/// Where the pull of `key` (a connector's tickets, or `connector:comments`) stopped ("" before the first).
pub(crate) fn cursor(conn: &Connection, key: &str) -> Result<String> {
    Ok(conn.query_row("SELECT cursor FROM sync_state WHERE connector = ?1", [key], |x| x.get::<_, Option<String>>(0)).optional()?.flatten().unwrap_or_default())
}

/// Moves the pull of `key` on, in the transaction that stores what it pulled.
pub(crate) fn save_cursor(tx: &Connection, key: &str, cursor: &str) -> Result<()> {
    tx.execute("INSERT INTO sync_state (connector, cursor) VALUES (?1, ?2) ON CONFLICT (connector) DO UPDATE SET cursor = excluded.cursor", params![key, cursor])?;
    Ok(())
}

/// Records that a sync with `connector` reached the ITSM at `at`.
pub(crate) fn mark_synced(tx: &Connection, connector: &str, at: DateTime<Utc>) -> Result<()> {
    tx.execute(
        "INSERT INTO sync_state (connector, last_synced_at) VALUES (?1, ?2) ON CONFLICT (connector) DO UPDATE SET last_synced_at = excluded.last_synced_at",
        params![connector, at.timestamp()],
    )?;
    Ok(())
}

/// The ITSM ids of tickets to read again at the next pull.
pub(crate) fn refetch_ids(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT external_id FROM sync_refetch")?;
    let ids = stmt.query_map([], |x| x.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

/// Forgets the tickets to read again (they were).
pub(crate) fn clear_refetch(tx: &Connection) -> Result<()> {
    tx.execute("DELETE FROM sync_refetch", [])?;
    Ok(())
}

/// Asks the next pull to read ticket `ticket_id` again, when it is one of the ITSM's.
pub(crate) fn refetch_ticket(tx: &Connection, ticket_id: i64) -> Result<()> {
    tx.execute("INSERT OR IGNORE INTO sync_refetch (external_id) SELECT external_id FROM tickets WHERE id = ?1 AND external_id IS NOT NULL", [ticket_id])?;
    Ok(())
}

/// Asks the next pull to read the ITSM's ticket `external_id` again.
pub(crate) fn refetch_later(tx: &Connection, external_id: &str) -> Result<()> {
    tx.execute("INSERT OR IGNORE INTO sync_refetch (external_id) VALUES (?1)", [external_id])?;
    Ok(())
}

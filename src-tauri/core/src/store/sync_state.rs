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

/// Forgets the tickets `ids` to read again (they were).
pub(crate) fn clear_refetch(tx: &Connection, ids: &[String]) -> Result<()> {
    let mut stmt = tx.prepare_cached("DELETE FROM sync_refetch WHERE external_id = ?1")?;
    for id in ids {
        stmt.execute([id])?;
    }
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

/// Where the replica keeps how whole its pulled history is, among the cursors (so forgetting
/// the ITSM forgets it too).
const HISTORY: &str = "history";

/// How much of the ITSM's history the replica holds while a first pull's backfill runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryPulled {
    /// None of the done tickets yet.
    Nothing,
    /// The done tickets registered from this time on (the backfill goes newest first).
    From(DateTime<Utc>),
}

/// Marks the pulled history incomplete, unless it already is (a first pull began).
pub(crate) fn history_pending(tx: &Connection) -> Result<()> {
    tx.execute("INSERT INTO sync_state (connector, cursor) VALUES (?1, 'pending') ON CONFLICT (connector) DO NOTHING", [HISTORY])?;
    Ok(())
}

/// Moves the history's mark on after a backfill page: whole from its `oldest` ticket's
/// registration on (never later than it was), or whole altogether when `whole`.
pub(crate) fn history_whole_from(tx: &Connection, oldest: Option<DateTime<Utc>>, whole: bool) -> Result<()> {
    if whole {
        tx.execute("DELETE FROM sync_state WHERE connector = ?1", [HISTORY])?;
    } else if let Some(t) = oldest {
        tx.execute("UPDATE sync_state SET cursor = ?2 WHERE connector = ?1 AND (cursor = 'pending' OR CAST(cursor AS INTEGER) > ?2)", params![HISTORY, t.timestamp().to_string()])?;
    }
    Ok(())
}

/// How much of the history a backfill has brought; none when the replica's history is
/// whole (or it never pulled from an ITSM).
pub fn history_pulled(conn: &Connection) -> Result<Option<HistoryPulled>> {
    let mark: Option<String> = conn.query_row("SELECT cursor FROM sync_state WHERE connector = ?1", [HISTORY], |x| x.get(0)).optional()?.flatten();
    Ok(mark.map(|m| m.parse::<i64>().ok().and_then(|s| DateTime::from_timestamp(s, 0)).map_or(HistoryPulled::Nothing, HistoryPulled::From)))
}

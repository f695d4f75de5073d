//! Append-only schema migrations; the schema version lives in SQLite's `user_version`.
//! Never edit a migration that has shipped: add a new one at the end.

use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};

const MIGRATIONS: &[M<'static>] = &[
    M::up(include_str!("migrations/0001_replica.sql")),
    M::up(include_str!("migrations/0002_actions.sql")),
    M::up(include_str!("migrations/0003_queue_order_indexes.sql")),
    M::up(include_str!("migrations/0004_import.sql")),
    M::up(include_str!("migrations/0005_search_index.sql")),
    M::up(include_str!("migrations/0006_sla_contracts.sql")),
    M::up(include_str!("migrations/0007_load_rollup.sql")),
    M::up(include_str!("migrations/0008_count_rollup.sql")),
    M::up(include_str!("migrations/0009_rosters.sql")),
    M::up(include_str!("migrations/0010_sync.sql")),
    M::up(include_str!("migrations/0011_pulled_comments.sql")),
    M::up(include_str!("migrations/0012_cheaper_writes.sql")),
    M::up(include_str!("migrations/0013_one_deadline_itsm_history.sql")),
    M::up(include_str!("migrations/0014_count_rollup_by_field.sql")),
    M::up(include_str!("migrations/0015_handover.sql")),
    M::up(include_str!("migrations/0016_oncall.sql")),
    M::up(include_str!("migrations/0017_acknowledgements.sql")),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the schema up to date in one transaction.
pub(crate) fn apply(conn: &mut Connection) -> Result<(), rusqlite_migration::Error> {
    Migrations::from_slice(MIGRATIONS).to_latest(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        Migrations::from_slice(MIGRATIONS).validate().unwrap();
    }
}

#[cfg(test)]
mod upgrade_tests {
    use super::*;

    #[test]
    fn a_replica_made_by_the_first_version_opens_with_its_tickets_and_gains_the_outbox() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.db");
        {
            let mut c = Connection::open(&path).unwrap();
            Migrations::from_slice(&MIGRATIONS[..1]).to_latest(&mut c).unwrap();
            c.execute_batch(
                "INSERT INTO clients (id, name, contract_no, time_zone) VALUES (1, 'Old client', 'C-1', 'Europe/Moscow');
                 INSERT INTO tickets (number, kind, client_id, contact_name, channel, service, subject, urgency, impact,
                     priority, status, line, created_at, updated_at)
                 VALUES ('INC0000001', 'incident', 1, 'Anna', 'phone', 'Network', 'Old ticket', 'high', 'low', 3,
                     'registered', 1, 1700000000, 1700000000);",
            )
            .unwrap();
        }
        let r = crate::store::Replica::open(&path).unwrap();
        let d = crate::store::queue::detail(&r, "INC0000001").unwrap();
        assert_eq!(d.summary.subject, "Old ticket");
        let outbox: i64 = r.conn().query_row("SELECT count(*) FROM outbox", [], |x| x.get(0)).unwrap();
        assert_eq!(outbox, 0);
        let v: i64 = r.conn().query_row("PRAGMA user_version", [], |x| x.get(0)).unwrap();
        assert_eq!(v, SCHEMA_VERSION);
    }
}

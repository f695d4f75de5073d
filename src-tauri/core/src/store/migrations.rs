//! Append-only schema migrations; the schema version lives in SQLite's `user_version`.
//! Never edit a migration that has shipped: add a new one at the end.

use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};

const MIGRATIONS: &[M<'static>] = &[M::up(include_str!("migrations/0001_replica.sql"))];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the schema up to date in one transaction.
pub(crate) fn apply(conn: &mut Connection) -> Result<(), String> {
    Migrations::from_slice(MIGRATIONS).to_latest(conn).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        Migrations::from_slice(MIGRATIONS).validate().unwrap();
    }
}

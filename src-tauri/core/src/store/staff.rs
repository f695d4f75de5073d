//! Staff as the sync sees them: each person's ITSM login, the people of the ITSM's line
//! groups, and the placeholders a pull makes for logins the replica has not met.

use super::{Result, StoreError};
use crate::domain::Line;
use rusqlite::{params, Connection, OptionalExtension};

/// A member of staff's name and ITSM login (none until the lead ties one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Login {
    /// Full name.
    pub name: String,
    /// Login in the ITSM.
    pub login: Option<String>,
}

/// The name and login of staff member `id`, if there is one.
pub(crate) fn login(conn: &Connection, id: i64) -> Result<Option<Login>> {
    Ok(conn.prepare_cached("SELECT name, itsm_login FROM staff WHERE id = ?1")?.query_row([id], |x| Ok(Login { name: x.get(0)?, login: x.get(1)? })).optional()?)
}

/// The name of staff member `id` ("" for nobody or someone unknown).
pub(crate) fn name(conn: &Connection, id: Option<i64>) -> Result<String> {
    let Some(id) = id else { return Ok(String::new()) };
    Ok(conn.prepare_cached("SELECT name FROM staff WHERE id = ?1")?.query_row([id], |x| x.get(0)).optional()?.unwrap_or_default())
}

/// The name of whoever has ITSM login `login`, if the replica knows them.
pub(crate) fn name_by_login(conn: &Connection, login: &str) -> Result<Option<String>> {
    Ok(conn.prepare_cached("SELECT name FROM staff WHERE itsm_login = ?1")?.query_row([login], |x| x.get(0)).optional()?)
}

/// The staff id of ITSM login `login`; someone the replica has not met is added as a
/// placeholder of `line`, known by the login until the lead names them.
pub(crate) fn id_by_login_or_placeholder(tx: &Connection, login: &str, line: Line) -> Result<i64> {
    if let Some(id) = tx.prepare_cached("SELECT id FROM staff WHERE itsm_login = ?1")?.query_row([login], |x| x.get(0)).optional()? {
        return Ok(id);
    }
    let role = format!("line-{}", line.number());
    tx.execute("INSERT INTO staff (name, role, office, time_zone, itsm_login, from_itsm) VALUES (?1, ?2, '', 'Europe/Moscow', ?1, 1)", params![login, role])?;
    Ok(tx.last_insert_rowid())
}

/// A person of one of the ITSM's line groups: added to the directory if the replica does not
/// know the login, and otherwise given the ITSM's line (lead and deputy stay what they are)
/// and, for a placeholder, the ITSM's name. Skills, languages and zone stay the replica's.
/// Returns whether the directory changed.
pub(crate) fn from_itsm(tx: &Connection, login: &str, name: &str, line: Line) -> Result<bool> {
    let role = format!("line-{}", line.number());
    let name = if name.trim().is_empty() { login } else { name.trim() };
    let known: Option<(i64, String, String)> =
        tx.prepare_cached("SELECT id, name, role FROM staff WHERE itsm_login = ?1")?.query_row([login], |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?))).optional()?;
    let Some((id, was_named, was_role)) = known else {
        tx.execute("INSERT INTO staff (name, role, office, time_zone, itsm_login, from_itsm) VALUES (?1, ?2, '', 'Europe/Moscow', ?3, 1)", params![name, role, login])?;
        return Ok(true);
    };
    let mut changed = 0;
    if was_named == login && name != login {
        changed += tx.execute("UPDATE staff SET name = ?2 WHERE id = ?1", params![id, name])?;
        rename_in_history(tx, login, name)?;
    }
    if was_role != role && was_role.starts_with("line-") {
        changed += tx.execute("UPDATE staff SET role = ?2 WHERE id = ?1", params![id, role])?;
    }
    Ok(changed > 0)
}

/// The ITSM's record of changes named someone by `login`: it names them `name` now.
fn rename_in_history(tx: &Connection, login: &str, name: &str) -> Result<()> {
    tx.execute("UPDATE ticket_history SET actor = ?2 WHERE actor = ?1 AND source_id IS NOT NULL", params![login, name])?;
    tx.execute("UPDATE ticket_history SET old_value = ?2 WHERE field = 'assignee' AND old_value = ?1 AND source_id IS NOT NULL", params![login, name])?;
    tx.execute("UPDATE ticket_history SET new_value = ?2 WHERE field = 'assignee' AND new_value = ?1 AND source_id IS NOT NULL", params![login, name])?;
    Ok(())
}

/// Ties staff member `id` to `login` (and the history pulled from the ITSM that named them
/// by it); the person the sync made for that login (a placeholder, or one of the ITSM's line
/// groups), if any, hands its tickets over and goes.
pub(crate) fn set_login(tx: &Connection, id: i64, login: &str) -> Result<()> {
    let placeholder: Option<(i64, String)> =
        tx.query_row("SELECT id, name FROM staff WHERE itsm_login = ?1 AND from_itsm AND id <> ?2", params![login, id], |x| Ok((x.get(0)?, x.get(1)?))).optional()?;
    let name = name(tx, Some(id))?;
    if let Some((old, old_name)) = placeholder {
        tx.execute("UPDATE tickets SET assignee_id = ?2 WHERE assignee_id = ?1", params![old, id])?;
        tx.execute("DELETE FROM staff WHERE id = ?1", [old])?;
        rename_in_history(tx, &old_name, &name)?;
    }
    tx.execute("UPDATE staff SET itsm_login = ?2 WHERE id = ?1", params![id, login]).map_err(|e| match e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
            StoreError::Conflict(format!("the ITSM login '{login}' belongs to someone else"))
        }
        e => e.into(),
    })?;
    // The ITSM's record of changes named them by login until now.
    rename_in_history(tx, login, &name)?;
    Ok(())
}

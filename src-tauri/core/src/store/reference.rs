//! Reference data: clients and their authorised contacts, staff, the request catalogue.

use super::{Replica, Result};
use crate::domain::{Client, Contact, RequestType, Role, StaffMember};
use rusqlite::{params, Connection, OptionalExtension};

/// Adds a client with its authorised contacts; returns the client's id.
pub fn insert_client(conn: &Connection, name: &str, contract_no: &str, time_zone: &str, contacts: &[Contact]) -> Result<i64> {
    conn.prepare_cached("INSERT INTO clients (name, contract_no, time_zone) VALUES (?1, ?2, ?3)")?.execute(params![name, contract_no, time_zone])?;
    let id = conn.last_insert_rowid();
    let mut stmt = conn.prepare_cached("INSERT INTO contacts (client_id, name, email, phone) VALUES (?1, ?2, ?3, ?4)")?;
    for c in contacts {
        stmt.execute(params![id, c.name, c.email, c.phone])?;
    }
    Ok(id)
}

/// Adds a member of staff; returns their id.
pub fn insert_staff(conn: &Connection, s: &StaffMember) -> Result<i64> {
    let skills: Vec<&str> = s.skills.iter().map(|k| k.as_str()).collect();
    conn.prepare_cached("INSERT INTO staff (name, role, skills, languages, office, time_zone) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?.execute(params![
        s.name,
        s.role,
        skills.join(","),
        s.languages.join(","),
        s.office,
        s.time_zone
    ])?;
    Ok(conn.last_insert_rowid())
}

/// Adds (or replaces) a request type of the service-request model.
pub fn upsert_request_type(conn: &Connection, t: &RequestType) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO request_types (code, name_en, name_ru, priority, fulfilment_hours) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (code) DO UPDATE SET name_en = excluded.name_en, name_ru = excluded.name_ru,
             priority = excluded.priority, fulfilment_hours = excluded.fulfilment_hours",
    )?
    .execute(params![t.code, t.name_en, t.name_ru, t.priority.rank(), t.fulfilment_hours])?;
    Ok(())
}

/// Every client, by name.
pub fn clients(r: &Replica) -> Result<Vec<Client>> {
    let mut stmt = r.conn().prepare_cached("SELECT id, name, contract_no, time_zone FROM clients ORDER BY name")?;
    let rows = stmt.query_map([], |row| Ok(Client { id: row.get(0)?, name: row.get(1)?, contract_no: row.get(2)?, time_zone: row.get(3)? }))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The contacts a client authorised.
pub fn contacts(conn: &Connection, client_id: i64) -> Result<Vec<Contact>> {
    let mut stmt = conn.prepare_cached("SELECT name, email, phone FROM contacts WHERE client_id = ?1 ORDER BY name")?;
    let rows = stmt.query_map([client_id], |row| Ok(Contact { name: row.get(0)?, email: row.get(1)?, phone: row.get(2)? }))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every member of staff, by role and name.
pub fn staff(r: &Replica) -> Result<Vec<StaffMember>> {
    let mut stmt = r.conn().prepare_cached("SELECT id, name, role, skills, languages, office, time_zone FROM staff ORDER BY role, name")?;
    let rows = stmt.query_map([], |row| {
        let skills: String = row.get(3)?;
        let languages: String = row.get(4)?;
        Ok(StaffMember {
            id: row.get(0)?,
            name: row.get(1)?,
            role: row.get::<_, Role>(2)?,
            skills: skills.split(',').filter(|s| !s.is_empty()).filter_map(|s| s.parse().ok()).collect(),
            languages: languages.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
            office: row.get(5)?,
            time_zone: row.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The service-request model.
pub fn request_types(r: &Replica) -> Result<Vec<RequestType>> {
    let mut stmt = r.conn().prepare_cached("SELECT code, name_en, name_ru, priority, fulfilment_hours FROM request_types ORDER BY code")?;
    let rows = stmt.query_map([], |row| {
        let rank: u8 = row.get(3)?;
        Ok(RequestType {
            code: row.get(0)?,
            name_en: row.get(1)?,
            name_ru: row.get(2)?,
            priority: crate::domain::Priority::from_rank(rank).unwrap_or(crate::domain::Priority::Planning),
            fulfilment_hours: row.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The client and contact name of the authorised contact with address `email`, if any.
pub(crate) fn contact_by_email(conn: &Connection, email: &str) -> Result<Option<(i64, String)>> {
    Ok(conn.prepare_cached("SELECT client_id, name FROM contacts WHERE email = ?1")?.query_row([email], |x| Ok((x.get(0)?, x.get(1)?))).optional()?)
}

/// The id of the client named `name` (case and surrounding blanks aside), if any.
pub(crate) fn client_by_name(conn: &Connection, name: &str) -> Result<Option<i64>> {
    Ok(conn.prepare_cached("SELECT id FROM clients WHERE lower(name) = lower(?1) ORDER BY id LIMIT 1")?.query_row([name.trim()], |x| x.get(0)).optional()?)
}

/// The code of the request type `given` names, by code or by either name (case aside).
pub(crate) fn request_type_code(conn: &Connection, given: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT code FROM request_types WHERE lower(code) = lower(?1) OR lower(name_en) = lower(?1) OR lower(name_ru) = lower(?1) ORDER BY code LIMIT 1")?
        .query_row([given.trim()], |x| x.get(0))
        .optional()?)
}

/// The id of the client with contract number `contract_no`, if any.
pub(crate) fn client_by_contract(conn: &Connection, contract_no: &str) -> Result<Option<i64>> {
    Ok(conn.prepare_cached("SELECT id FROM clients WHERE contract_no = ?1")?.query_row([contract_no], |x| x.get(0)).optional()?)
}

/// Adds a request type unless one with its code is there.
pub(crate) fn add_request_type_if_missing(conn: &Connection, t: &RequestType) -> Result<()> {
    conn.prepare_cached("INSERT OR IGNORE INTO request_types (code, name_en, name_ru, priority, fulfilment_hours) VALUES (?1, ?2, ?3, ?4, ?5)")?.execute(params![
        t.code,
        t.name_en,
        t.name_ru,
        t.priority.rank(),
        t.fulfilment_hours
    ])?;
    Ok(())
}

//! Clients as the desk keeps them: each client's zone, SLA contract and authorised contacts.
//! These are Smena's own settings (an ITSM rarely has them): set in the window's Clients page
//! or with `smena client`, contacts importable from CSV, and never approved automatically
//! from a requester. A change that moves the SLA clock (the zone) gives the client's open
//! tickets their deadline again in the same transaction; a contact added or removed flags
//! the client's e-mailed tickets from that address again.

use crate::domain::{Channel, Contact};
use crate::sla::contract::{contracts_in, find_client};
use crate::sla::deadline::{self, Scope};
use crate::sla::Contract;
use crate::store::{reference, Replica, StoreError};
use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};

/// One client with everything the desk keeps about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "clients.ts")]
pub struct ClientCard {
    /// Replica id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Contract number.
    pub contract_no: String,
    /// IANA time zone its support hours are read in.
    pub time_zone: String,
    /// Its SLA contract (the default one when none was set).
    pub contract: Contract,
    /// Whether the contract is the default one.
    pub default_contract: bool,
    /// The contacts whose e-mail is accepted as the client's.
    pub contacts: Vec<Contact>,
    /// Its tickets not yet completed.
    pub open_tickets: u32,
}

/// Why a client setting was refused.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No such client.
    #[error("no client named {0}")]
    UnknownClient(String),
    /// Not an IANA time zone.
    #[error("'{0}' is not a time zone (IANA name, e.g. Europe/Moscow)")]
    Zone(String),
    /// Not an e-mail address.
    #[error("'{0}' is not an e-mail address")]
    Email(String),
    /// A contact without a name.
    #[error("the contact {0} has no name")]
    NoName(String),
    /// The address is already one of the client's contacts.
    #[error("{email} is already a contact of {client}")]
    Duplicate {
        /// The address.
        email: String,
        /// The client.
        client: String,
    },
    /// The address is not one of the client's contacts.
    #[error("{email} is not a contact of {client}")]
    NotAContact {
        /// The address.
        email: String,
        /// The client.
        client: String,
    },
    /// A line of a contacts file that cannot be used (nothing of the file was stored).
    #[error("{path}, line {line}: {reason}; nothing was imported")]
    Csv {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// Why.
        reason: String,
    },
    /// Reading or writing the replica failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for ClientError {
    fn from(e: rusqlite::Error) -> Self {
        ClientError::Store(e.into())
    }
}

/// Every client, by name.
pub fn cards(r: &Replica) -> Result<Vec<ClientCard>, StoreError> {
    let contracts = contracts_in(r.conn())?;
    let stored: std::collections::HashSet<i64> = r.conn().prepare("SELECT client_id FROM sla_contracts")?.query_map([], |x| x.get(0))?.collect::<rusqlite::Result<_>>()?;
    let mut stmt = r.conn().prepare(
        "SELECT c.id, c.name, c.contract_no, c.time_zone,
                (SELECT count(*) FROM tickets t WHERE t.client_id = c.id AND t.status NOT IN ('completed', 'closed'))
         FROM clients c ORDER BY c.name",
    )?;
    let rows = stmt.query_map([], |x| Ok((x.get::<_, i64>(0)?, x.get::<_, String>(1)?, x.get::<_, String>(2)?, x.get::<_, String>(3)?, x.get::<_, u32>(4)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, name, contract_no, time_zone, open_tickets) = row?;
        out.push(ClientCard {
            id,
            name,
            contract_no,
            time_zone,
            contract: contracts.get(&id).cloned().unwrap_or_default(),
            default_contract: !stored.contains(&id),
            contacts: reference::contacts(r.conn(), id)?,
            open_tickets,
        });
    }
    Ok(out)
}

/// One client, found by name or contract number.
pub fn card(r: &Replica, client: &str) -> Result<ClientCard, ClientError> {
    let id = id_of(r, client)?;
    Ok(cards(r)?.into_iter().find(|c| c.id == id).expect("the client exists"))
}

fn id_of(r: &Replica, client: &str) -> Result<i64, ClientError> {
    find_client(r.conn(), client)?.ok_or_else(|| ClientError::UnknownClient(client.trim().to_string()))
}

/// Sets the zone a client's support hours are read in; its open tickets get their deadline
/// again in the same write. Returns how many deadlines moved.
pub fn set_zone(r: &mut Replica, client: &str, zone: &str, now: DateTime<Utc>) -> Result<usize, ClientError> {
    let tz = crate::input::time_zone(zone).map_err(|_| ClientError::Zone(zone.trim().to_string()))?;
    let id = id_of(r, client)?;
    Ok(r.write(|tx| {
        tx.execute("UPDATE clients SET time_zone = ?2 WHERE id = ?1", params![id, tz.name()])?;
        deadline::refresh(tx, Scope::Client(id), now)
    })?)
}

/// A contact as given, checked: a name, and an address that looks like one.
fn checked(c: &Contact) -> Result<Contact, ClientError> {
    let email = c.email.trim();
    let (local, domain) = email.split_once('@').ok_or_else(|| ClientError::Email(email.to_string()))?;
    if local.is_empty() || !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') || email.chars().any(|ch| ch.is_whitespace() || ch.is_control()) {
        return Err(ClientError::Email(email.to_string()));
    }
    if c.name.trim().is_empty() {
        return Err(ClientError::NoName(email.to_string()));
    }
    let phone = c.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()).map(str::to_string);
    Ok(Contact { name: c.name.trim().to_string(), email: email.to_string(), phone })
}

/// The client's e-mailed tickets from `email` are (or are no longer) from an authorised contact.
fn reflag(tx: &rusqlite::Connection, client_id: i64, email: &str, authorised: bool) -> rusqlite::Result<usize> {
    tx.execute(
        "UPDATE tickets SET contact_authorised = ?3 WHERE client_id = ?1 AND channel = ?4 AND lower(trim(contact_email)) = lower(?2) AND contact_authorised <> ?3",
        params![client_id, email, authorised, Channel::Email.as_str()],
    )
}

/// Adds an authorised contact; the client's tickets e-mailed from that address are no longer
/// flagged. Returns how many tickets that cleared.
pub fn add_contact(r: &mut Replica, client: &str, contact: &Contact) -> Result<usize, ClientError> {
    let c = checked(contact)?;
    let id = id_of(r, client)?;
    r.write_with(|tx| -> Result<usize, ClientError> { add_in(tx, id, client, &c) })
}

fn add_in(tx: &rusqlite::Connection, id: i64, client: &str, c: &Contact) -> Result<usize, ClientError> {
    let added = tx.execute("INSERT OR IGNORE INTO contacts (client_id, name, email, phone) VALUES (?1, ?2, ?3, ?4)", params![id, c.name, c.email, c.phone])?;
    if added == 0 {
        return Err(ClientError::Duplicate { email: c.email.clone(), client: client.trim().to_string() });
    }
    Ok(reflag(tx, id, &c.email, true)?)
}

/// Removes an authorised contact; the client's tickets e-mailed from that address are
/// flagged again. Returns how many tickets that flagged.
pub fn remove_contact(r: &mut Replica, client: &str, email: &str) -> Result<usize, ClientError> {
    let id = id_of(r, client)?;
    let email = email.trim().to_string();
    r.write_with(|tx| -> Result<usize, ClientError> {
        if tx.execute("DELETE FROM contacts WHERE client_id = ?1 AND email = ?2", params![id, email])? == 0 {
            return Err(ClientError::NotAContact { email: email.clone(), client: client.trim().to_string() });
        }
        Ok(reflag(tx, id, &email, false)?)
    })
}

/// Imports authorised contacts from CSV text with the header `client,name,email,phone`
/// (phone may be empty; the client by name or contract number): all of them, or, at the
/// first line that cannot be used, none. Addresses a client already lists are left as they
/// are. Returns how many were added.
pub fn import_contacts(r: &mut Replica, text: &str, path: &str) -> Result<usize, ClientError> {
    let bad = |line: u64, reason: String| ClientError::Csv { path: path.to_string(), line: line as usize, reason };
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| bad(1, e.to_string()))?.clone();
    let at = |name: &str| headers.iter().position(|h| h.trim_start_matches('\u{feff}').eq_ignore_ascii_case(name));
    let (Some(ci), Some(ni), Some(ei)) = (at("client"), at("name"), at("email")) else {
        return Err(bad(1, format!("the header is '{}'; it needs client,name,email[,phone]", headers.iter().collect::<Vec<_>>().join(","))));
    };
    let pi = at("phone");
    let mut rows = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| bad(e.position().map_or(0, |p| p.line()), e.to_string()))?;
        let line = rec.position().map_or(0, |p| p.line());
        let cell = |k: usize| rec.get(k).unwrap_or_default();
        let client = cell(ci);
        let id = find_client(r.conn(), client)?.ok_or_else(|| bad(line, format!("no client named '{client}'")))?;
        let contact = checked(&Contact { name: cell(ni).into(), email: cell(ei).into(), phone: pi.map(|p| cell(p).to_string()) }).map_err(|e| bad(line, e.to_string()))?;
        rows.push((id, contact));
    }
    r.write_with(|tx| -> Result<usize, ClientError> {
        let mut added = 0;
        for (id, c) in &rows {
            if tx.execute("INSERT OR IGNORE INTO contacts (client_id, name, email, phone) VALUES (?1, ?2, ?3, ?4)", params![id, c.name, c.email, c.phone])? > 0 {
                added += 1;
                reflag(tx, *id, &c.email, true)?;
            }
        }
        Ok(added)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{write_demo, DemoOptions};
    use crate::store::queue::{self, QueueFilter};
    use chrono::TimeZone;

    fn demo() -> (Replica, DateTime<Utc>) {
        let now = Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap();
        let mut r = Replica::open_in_memory().unwrap();
        write_demo(&mut r, &DemoOptions { days: 14, seed: 3, now }).unwrap();
        (r, now)
    }

    #[test]
    fn a_contact_added_clears_the_flag_and_removed_sets_it_again() {
        let (mut r, _) = demo();
        let all = queue::page(&r, &QueueFilter { include_done: true, ..Default::default() }, 0, u32::MAX).unwrap();
        let flagged = all.rows.iter().find(|x| !x.contact_authorised && x.channel == Channel::Email).expect("the demo flags some e-mails");
        let d = queue::detail(&r, &flagged.number).unwrap();
        let email = d.contact_email.clone().unwrap();
        let same = all.rows.iter().filter(|x| x.client == flagged.client && !x.contact_authorised).count();
        let cleared = add_contact(&mut r, &flagged.client, &Contact { name: "Boss".into(), email: email.to_uppercase(), phone: None }).unwrap();
        assert!(cleared >= 1 && cleared <= same, "{cleared} of {same}");
        assert!(queue::row_by_number(&r, &flagged.number).unwrap().contact_authorised);
        let e = add_contact(&mut r, &flagged.client, &Contact { name: "Boss".into(), email: email.clone(), phone: None }).unwrap_err();
        assert!(matches!(e, ClientError::Duplicate { .. }), "{e}");
        assert_eq!(remove_contact(&mut r, &flagged.client, &email).unwrap(), cleared);
        assert!(!queue::row_by_number(&r, &flagged.number).unwrap().contact_authorised);
        for bad in ["boss", "boss@", "@x.ru", "bo ss@x.ru", "boss@ru"] {
            assert!(matches!(add_contact(&mut r, &flagged.client, &Contact { name: "B".into(), email: bad.into(), phone: None }), Err(ClientError::Email(_))), "{bad}");
        }
    }

    #[test]
    fn a_new_zone_moves_the_deadlines_of_a_clients_open_tickets_in_the_same_write() {
        let (mut r, now) = demo();
        let office = cards(&r).unwrap().into_iter().find(|c| c.contract.support != crate::sla::SupportHours::AllDay && c.open_tickets > 0).expect("an office-hours client");
        let before: Vec<_> = queue::page(&r, &QueueFilter::default(), 0, u32::MAX).unwrap().rows.into_iter().filter(|x| x.client == office.name).collect();
        let far = if office.time_zone == "Asia/Vladivostok" { "America/Vancouver" } else { "Asia/Vladivostok" };
        let moved = set_zone(&mut r, &office.name, far, now).unwrap();
        assert!(moved > 0);
        let after: Vec<_> = queue::page(&r, &QueueFilter::default(), 0, u32::MAX).unwrap().rows.into_iter().filter(|x| x.client == office.name).collect();
        assert!(before.iter().zip(&after).any(|(a, b)| a.due_at != b.due_at));
        assert_eq!(card(&r, &office.name).unwrap().time_zone, far);
        assert!(matches!(set_zone(&mut r, &office.name, "Mars/Olympus", now), Err(ClientError::Zone(_))));
        assert!(matches!(set_zone(&mut r, "Nobody Ltd", "UTC", now), Err(ClientError::UnknownClient(_))));
    }

    #[test]
    fn contacts_import_all_or_nothing_with_the_line_named() {
        let (mut r, _) = demo();
        let client = cards(&r).unwrap()[0].name.clone();
        let before = card(&r, &client).unwrap().contacts.len();
        let bad = format!("client,name,email,phone\n{client},Anna,anna@x.ru,\n{client},Boris,boris-at-x.ru,\n");
        let e = import_contacts(&mut r, &bad, "c.csv").unwrap_err();
        assert!(e.to_string().starts_with("c.csv, line 3:"), "{e}");
        assert_eq!(card(&r, &client).unwrap().contacts.len(), before, "nothing of a refused file is stored");
        let good = format!("\u{feff}Client,Name,Email,Phone\n{client},Anna,anna@x.ru,+7 900 000-00-00\n{client},Boris,boris@x.ru,\n");
        assert_eq!(import_contacts(&mut r, &good, "c.csv").unwrap(), 2);
        assert_eq!(import_contacts(&mut r, &good, "c.csv").unwrap(), 0, "already listed");
        assert_eq!(card(&r, &client).unwrap().contacts.len(), before + 2);
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(crate::fuzz::config())]

        /// Any contacts file: imported, or refused with its line named; never a panic, and a
        /// refused file stores nothing.
        #[test]
        fn fuzz_contact_files_import_or_are_refused_by_line(body in crate::fuzz::text()) {
            let mut r = Replica::open_in_memory().unwrap();
            r.write(|tx| reference::insert_client(tx, "Acme", "A-1", "UTC", &[]).map(|_| ())).unwrap();
            let text = format!("client,name,email\n{body}");
            match import_contacts(&mut r, &text, "f.csv") {
                Ok(_) => {}
                Err(e) => {
                    prop_assert!(e.to_string().starts_with("f.csv, line "), "{}", e);
                    prop_assert!(card(&r, "Acme").unwrap().contacts.is_empty());
                }
            }
        }
    }
}

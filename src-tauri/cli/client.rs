//! `smena client`: each client's zone and authorised contacts (the contract: `smena sla`).

use super::{open, print_json, CliError, CliResult};
use clap::Subcommand;
use smena_core::clients;
use smena_core::domain::Contact;
use smena_core::{Clock, SystemClock};
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Every client: zone, support hours, open tickets, contacts
    List {
        /// As JSON
        #[arg(long)]
        json: bool,
    },
    /// One client in full, as JSON (zone, contract, contacts)
    Show {
        /// Client name or contract number
        client: String,
    },
    /// Set the time zone its support hours are read in (its open tickets' deadlines move with it)
    Zone {
        /// Client name or contract number
        client: String,
        /// IANA time zone, e.g. Europe/Moscow
        zone: String,
    },
    /// Authorise a contact: e-mail from the address is taken as the client's
    AddContact {
        /// Client name or contract number
        client: String,
        /// Full name
        #[arg(long)]
        name: String,
        /// E-mail address
        #[arg(long)]
        email: String,
        /// Phone
        #[arg(long)]
        phone: Option<String>,
    },
    /// Withdraw a contact's authorisation (their e-mailed tickets are flagged again)
    RemoveContact {
        /// Client name or contract number
        client: String,
        /// E-mail address
        email: String,
    },
    /// Authorise the contacts listed in a CSV file (client,name,email[,phone]): all, or none
    ImportContacts {
        /// The CSV file
        file: PathBuf,
    },
}

pub fn run(c: ClientCommand, db: &Path) -> CliResult {
    match c {
        ClientCommand::List { json } => {
            let all = clients::cards(&open(db)?)?;
            if json {
                return print_json(&all);
            }
            for c in &all {
                let hours = match &c.contract.support {
                    smena_core::sla::SupportHours::AllDay => "24x7".to_string(),
                    smena_core::sla::SupportHours::Business { open, close, .. } => format!("{}-{}", open.format("%H:%M"), close.format("%H:%M")),
                };
                out!("{:<28} {:<14} {:<20} {:<12} open {:>4}  contacts {}", c.name, c.contract_no, c.time_zone, hours, c.open_tickets, c.contacts.len());
            }
            Ok(())
        }
        ClientCommand::Show { client } => print_json(&clients::card(&open(db)?, &client)?),
        ClientCommand::Zone { client, zone } => {
            let moved = clients::set_zone(&mut open(db)?, &client, &zone, SystemClock.now())?;
            out!("{client}: support hours read in {}; {moved} deadlines moved", zone.trim());
            Ok(())
        }
        ClientCommand::AddContact { client, name, email, phone } => {
            let cleared = clients::add_contact(&mut open(db)?, &client, &Contact { name, email: email.clone(), phone })?;
            out!("{email} is an authorised contact of {client}; {cleared} tickets no longer flagged");
            Ok(())
        }
        ClientCommand::RemoveContact { client, email } => {
            let flagged = clients::remove_contact(&mut open(db)?, &client, &email)?;
            out!("{email} is no longer a contact of {client}; {flagged} tickets flagged");
            Ok(())
        }
        ClientCommand::ImportContacts { file } => {
            let text = std::fs::read_to_string(&file).map_err(|e| CliError::file(&file, e))?;
            let added = clients::import_contacts(&mut open(db)?, &text, &file.display().to_string())?;
            out!("{added} contacts authorised");
            Ok(())
        }
    }
}

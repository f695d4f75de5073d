//! `smena sla`: each client's SLA contract.

use super::{open, print_json, CliError, CliResult};
use clap::Subcommand;
use smena_core::sla::contract;
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum SlaCommand {
    /// Print a client's contract as JSON (the default one if none was set)
    Show {
        /// Client name or contract number
        client: String,
    },
    /// Replace a client's contract with the JSON in FILE (the form `sla show` prints)
    Set {
        /// Client name or contract number
        client: String,
        /// The contract as JSON
        file: PathBuf,
    },
}

pub fn run(c: SlaCommand, db: &Path) -> CliResult {
    match c {
        SlaCommand::Show { client } => {
            let (_, contract) = contract::contract_of(&open(db)?, &client)?;
            print_json(&contract)
        }
        SlaCommand::Set { client, file } => {
            let text = std::fs::read_to_string(&file).map_err(|e| CliError::file(&file, e))?;
            let parsed = contract::parse(&text).map_err(|e| CliError::from(e).at(&file))?;
            contract::set_contract(&mut open(db)?, &client, &parsed)?;
            out!("SLA contract of {client} set");
            Ok(())
        }
    }
}

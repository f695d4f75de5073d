//! `smena import servicenow`: load an ITSM's history into the replica.

use super::{open, print_json, CliError, CliResult};
use chrono_tz::Tz;
use clap::{Args, Subcommand};
use smena_core::import::mapping::ServiceNowMapping;
use smena_core::import::servicenow::{self, ImportOptions};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// A ServiceNow incident export: CSV or a .zip holding one; a current-state export or an
    /// event log (one row per update; the latest snapshot is the highest sys_mod_count)
    Servicenow(ServiceNowArgs),
}

#[derive(Debug, Args)]
pub struct ServiceNowArgs {
    /// The export (.csv or .zip)
    #[arg(required_unless_present = "show_mapping")]
    file: Option<PathBuf>,
    /// Zone the export's timestamps are in (they carry none)
    #[arg(long, default_value = "UTC", value_name = "ZONE", value_parser = smena_core::input::time_zone)]
    tz: Tz,
    /// Read and check everything, report, and write nothing
    #[arg(long)]
    dry_run: bool,
    /// A JSON mapping of ServiceNow values to Smena's (start from --show-mapping)
    #[arg(long, value_name = "FILE")]
    mapping: Option<PathBuf>,
    /// Print the default mapping as JSON and exit
    #[arg(long)]
    show_mapping: bool,
    /// Print the summary as JSON
    #[arg(long)]
    json: bool,
}

pub fn run(c: ImportCommand, db: &Path) -> CliResult {
    match c {
        ImportCommand::Servicenow(a) => servicenow_import(a, db),
    }
}

fn servicenow_import(a: ServiceNowArgs, db: &Path) -> CliResult {
    if a.show_mapping {
        return print_json(&ServiceNowMapping::default());
    }
    let mapping = match &a.mapping {
        None => ServiceNowMapping::default(),
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| CliError::file(p, e))?;
            ServiceNowMapping::from_json(&text, &p.display().to_string())?
        }
    };
    let file = a.file.expect("clap requires FILE");
    let mut replica = open(db)?;
    let tty = std::io::stderr().is_terminal();
    let mut progress = |done: u64, total: u64| {
        if tty {
            eprint!("\rimporting: {done} of {total} tickets");
            if done == total {
                eout!();
            }
        }
    };
    let report = servicenow::import(&mut replica, &file, &ImportOptions { tz: a.tz, dry_run: a.dry_run, mapping }, &mut progress)?;
    if a.json {
        return print_json(&report);
    }
    for s in &report.skipped {
        eout!("{}:{}: skipped: {}", file.display(), s.line, s.reason);
    }
    out!(
        "{}read {} rows, {} tickets: {} imported, {} updated, {} unchanged, {} rows skipped; {} history entries; {} tickets whose ServiceNow priority differs from the matrix",
        if report.dry_run { "dry run (nothing written): " } else { "" },
        report.rows,
        report.tickets,
        report.imported,
        report.updated,
        report.unchanged,
        report.skipped.len(),
        report.history_entries,
        report.priority_mismatches
    );
    Ok(())
}

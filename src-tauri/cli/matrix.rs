//! `smena matrix`: the urgency × impact priority matrix.

use super::{open, print_json, CliResult};
use clap::Subcommand;
use smena_core::domain::{Level, PriorityMatrix};
use smena_core::store::settings;
use std::path::Path;

#[derive(Debug, Subcommand)]
pub enum MatrixCommand {
    /// Print the matrix in force (rows: urgency, columns: impact; 1 = critical … 5 = planning).
    Show {
        /// Print JSON (5 rows of 5 ranks)
        #[arg(long)]
        json: bool,
    },
    /// Replace the matrix: 5 rows of 5 ranks, rows separated by '/', e.g. 1,1,2,2,3/1,2,2,3,4/2,2,3,3,4/2,3,3,4,5/3,4,4,5,5
    Set {
        /// The new matrix
        matrix: String,
    },
}

pub fn run(c: MatrixCommand, db: &Path) -> CliResult {
    let mut replica = open(db)?;
    match c {
        MatrixCommand::Show { json } => {
            let m = settings::matrix(&replica)?;
            if json {
                return print_json(&m);
            }
            out!("{:<22}{}", "urgency \\ impact", Level::ALL.iter().map(|l| format!("{:<10}", l.as_str())).collect::<String>());
            for (u, row) in Level::ALL.iter().zip(m.ranks()) {
                out!("{:<22}{}", u.as_str(), row.iter().map(|r| format!("{r:<10}")).collect::<String>());
            }
            Ok(())
        }
        MatrixCommand::Set { matrix } => {
            let m = PriorityMatrix::parse(&matrix)?;
            settings::set_matrix(&mut replica, &m)?;
            out!("priority matrix set to {m}");
            Ok(())
        }
    }
}

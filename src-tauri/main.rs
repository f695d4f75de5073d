//! `smena`: with no subcommand it opens the desktop window; with one it works headless.
//! Both fronts call the same core (`smena_core`).
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod app;
mod cli;
mod commands;
mod ipc_error;

use clap::Parser;

fn main() {
    let args = cli::Args::parse();
    let db = args.db_path();
    let code = match args.command {
        None => app::run(db),
        Some(command) => cli::run(command, &db),
    };
    std::process::exit(code);
}

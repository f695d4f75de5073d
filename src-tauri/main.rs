//! `smena`: with no subcommand it opens the desktop window; with one it works headless.
//! Both fronts call the same core (`smena_core`).
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod app;
mod cli;
mod commands;
mod ipc_error;

use clap::Parser;

fn main() {
    let args = match cli::Args::try_parse() {
        Ok(args) => args,
        Err(e) if !e.use_stderr() => e.exit(), // --help and --version
        Err(e) => {
            // Usage errors on one line, like every other error.
            let text = e.to_string();
            let first = text.lines().next().unwrap_or("invalid arguments").trim_start_matches("error: ");
            eprintln!("smena: error: {first} (see smena --help)");
            std::process::exit(cli::EXIT_USAGE);
        }
    };
    let db = args.db_path();
    let code = match args.command {
        None => app::run(db),
        Some(command) => {
            // Headless output piped into `head` and the like ends quietly when the reader
            // stops, as command-line tools do, instead of panicking on a broken pipe.
            #[cfg(unix)]
            // SAFETY: restoring the default disposition of one signal before any thread starts.
            unsafe {
                libc::signal(libc::SIGPIPE, libc::SIG_DFL);
            }
            cli::run(command, &db)
        }
    };
    std::process::exit(code);
}

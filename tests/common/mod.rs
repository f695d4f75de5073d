//! Shared by the integration tests: the built `smena` binary, isolated from the user's
//! own data directory, and demo replicas.
#![allow(dead_code)]

pub mod desk;
pub mod http;
pub mod proxy;
pub mod rt;
pub mod simpleone;
pub mod webdriver;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `smena` binary cargo built for these tests, or the one `SMENA_APP` names (the package
/// test drives the installed `/usr/bin/smena`).
pub fn bin() -> PathBuf {
    std::env::var_os("SMENA_APP").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_smena")))
}

/// A `smena` command whose data, config and cache directories live in `home`.
pub fn smena(home: &Path) -> Command {
    let mut c = Command::new(bin());
    c.env_remove("SMENA_DB").env("XDG_DATA_HOME", home.join("data")).env("XDG_CONFIG_HOME", home.join("config")).env("XDG_CACHE_HOME", home.join("cache"));
    c
}

/// Runs `smena ARGS` and returns its output, whatever the exit code.
pub fn run(home: &Path, args: &[&str]) -> Output {
    smena(home).args(args).output().expect("smena runs")
}

/// Runs `smena ARGS`, insists on success, and returns standard output.
pub fn ok(home: &Path, args: &[&str]) -> String {
    let out = run(home, args);
    assert!(out.status.success(), "smena {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Runs `smena ARGS --json` (the flag included in ARGS) and parses the output.
pub fn json(home: &Path, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&ok(home, args)).expect("valid JSON")
}

/// The fixed "now" of the test demos: a Saturday morning in Moscow, late November.
pub const NOW: &str = "2026-11-28T09:00:00Z";

/// Writes a demo replica at `dir/name` and returns its path.
pub fn demo(dir: &Path, name: &str, days: u32, seed: u64) -> PathBuf {
    let db = dir.join(name);
    ok(dir, &["demo", "--db", db.to_str().unwrap(), "--days", &days.to_string(), "--seed", &seed.to_string(), "--now", NOW]);
    db
}

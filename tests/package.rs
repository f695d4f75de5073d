//! The Debian package as a user meets it: `scripts/test-package` builds it, checks it with
//! lintian and appstreamcli, installs it with apt, and runs this test with `SMENA_APP` naming
//! the installed `/usr/bin/smena`. The installed binary works headless and opens its window;
//! removing the package leaves the user's replica where it was.

mod common;

use common::webdriver::{available, Window, ONE_WINDOW};
use std::path::Path;
use std::process::Command;

#[tokio::test]
async fn the_installed_package_runs_headless_and_in_its_window_and_removing_it_keeps_the_replica() {
    let Some(app) = std::env::var_os("SMENA_APP") else {
        // Run by scripts/test-package, which sets it; the plain test run has no package.
        eprintln!("SKIPPED here: scripts/test-package runs this test on the installed package");
        return;
    };
    assert_eq!(Path::new(&app), Path::new("/usr/bin/smena"), "the test drives the installed binary");
    assert!(available());
    let _one = ONE_WINDOW.lock().await;
    let home = tempfile::tempdir().unwrap();
    // The user's replica in the XDG data folder, where the installed app keeps it.
    let replica = home.path().join("data/smena/replica.db");
    let smena = |args: &[&str]| {
        let out = common::smena(home.path()).args(args).output().expect("the installed smena runs");
        assert!(out.status.success(), "smena {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let demo: serde_json::Value = serde_json::from_str(&smena(&["demo", "--days", "7", "--seed", "2", "--now", common::NOW, "--json"])).unwrap();
    assert!(replica.is_file(), "the replica is in the XDG data folder");
    let tickets: serde_json::Value = serde_json::from_str(&smena(&["tickets", "--status", "all", "--json"])).unwrap();
    assert_eq!(tickets["total"], demo["tickets"], "{demo}");
    let load: serde_json::Value = serde_json::from_str(&smena(&["report", "load", "--by", "hour", "--from", "2026-11-22", "--to", "2026-11-27", "--json"])).unwrap();
    assert!(load["total"].as_u64().unwrap() > 0, "{load}");

    // The installed window, on the same replica.
    let w = Window::open(&replica).await;
    w.wait_attr("[data-testid=replica-info]", "data-tickets", &demo["tickets"].to_string()).await;
    w.find("[data-testid=queue-row]").await;
    w.close().await;

    // Removing the package takes the program, never the user's data.
    let mut apt = if is_root() {
        Command::new("apt-get")
    } else {
        let mut sudo = Command::new("sudo");
        sudo.arg("apt-get");
        sudo
    };
    let status = apt.args(["remove", "-y", "-qq", "smena"]).env("DEBIAN_FRONTEND", "noninteractive").status().unwrap();
    assert!(status.success(), "apt-get remove smena");
    assert!(!Path::new("/usr/bin/smena").exists(), "the program is gone");
    let kept: i64 = rusqlite::Connection::open(&replica).unwrap().query_row("SELECT count(*) FROM tickets", [], |x| x.get(0)).unwrap();
    assert_eq!(serde_json::Value::from(kept), demo["tickets"], "the replica is still there, whole");
}

/// Whether this process runs as root (apt needs it, or sudo).
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").ok().and_then(|s| s.lines().find(|l| l.starts_with("Uid:")).map(|l| l.split_whitespace().nth(1) == Some("0"))).unwrap_or(false)
}

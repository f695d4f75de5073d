//! The headless CLI, driven as a lead's script would drive it.

mod common;

use common::{demo, json, ok, run, NOW};
use serde_json::Value;

fn counts(report: &Value) -> Vec<u64> {
    report["buckets"].as_array().unwrap().iter().map(|b| b["count"].as_u64().unwrap()).collect()
}

fn ticket_count(home: &std::path::Path, db: &str) -> u64 {
    json(home, &["tickets", "--db", db, "--status", "all", "--json"])["total"].as_u64().unwrap()
}

#[test]
fn load_by_hour_has_24_buckets_that_add_up_to_every_ticket_and_day_beats_night() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path(), "d.db", 28, 1);
    let db = db.to_str().unwrap();
    let report = json(dir.path(), &["report", "load", "--db", db, "--by", "hour", "--tz", "Europe/Moscow", "--json"]);
    let keys: Vec<u64> = report["buckets"].as_array().unwrap().iter().map(|b| b["key"].as_u64().unwrap()).collect();
    assert_eq!(keys, (0..24).collect::<Vec<_>>());
    let c = counts(&report);
    let total = ticket_count(dir.path(), db);
    assert_eq!(c.iter().sum::<u64>(), total);
    assert_eq!(report["total"].as_u64().unwrap(), total);
    // 28 days at 180–260 a day.
    assert!((28 * 180..=28 * 260).contains(&total), "{total} tickets in 28 days");
    let day_min = c[10..=17].iter().min().unwrap();
    let night_max = c[1..=6].iter().max().unwrap();
    assert!(*day_min > 2 * night_max, "working hours {:?} vs night {:?}", &c[10..=17], &c[1..=6]);
}

#[test]
fn the_same_tickets_counted_in_new_york_shift_by_eight_hours_in_winter() {
    let dir = tempfile::tempdir().unwrap();
    // 20 days before 28 November: both zones on winter time throughout (UTC+3 and UTC-5).
    let db = demo(dir.path(), "d.db", 20, 1);
    let db = db.to_str().unwrap();
    let moscow = counts(&json(dir.path(), &["report", "load", "--db", db, "--by", "hour", "--json"]));
    let new_york = counts(&json(dir.path(), &["report", "load", "--db", db, "--by", "hour", "--tz", "America/New_York", "--json"]));
    for h in 0..24 {
        assert_eq!(new_york[h], moscow[(h + 8) % 24], "New York {h}:00 is Moscow {}:00", (h + 8) % 24);
    }
    assert_ne!(new_york, moscow);
}

#[test]
fn load_by_weekday_and_hour_of_week_cover_the_week() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path(), "d.db", 28, 2);
    let db = db.to_str().unwrap();
    let weekdays = json(dir.path(), &["report", "load", "--db", db, "--by", "weekday", "--json"]);
    let keys: Vec<&str> = weekdays["buckets"].as_array().unwrap().iter().map(|b| b["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]);
    let c = counts(&weekdays);
    assert!(c[0] > c[5] && c[0] > c[6], "Monday {} vs weekend {} {}", c[0], c[5], c[6]);
    let week = json(dir.path(), &["report", "load", "--db", db, "--by", "hour-of-week", "--json"]);
    let wc = counts(&week);
    assert_eq!(wc.len(), 168);
    assert_eq!(week["buckets"][9]["key"], "mon-09");
    assert_eq!(wc.iter().sum::<u64>(), c.iter().sum::<u64>());
}

#[test]
fn a_period_counts_only_its_days() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path(), "d.db", 10, 1);
    let db = db.to_str().unwrap();
    let one_day = json(dir.path(), &["report", "load", "--db", db, "--by", "hour", "--from", "2026-11-25", "--to", "2026-11-25", "--json"]);
    let total = one_day["total"].as_u64().unwrap();
    assert!((180..=260).contains(&total), "a whole Moscow day has {total} tickets");
    let all = json(dir.path(), &["tickets", "--db", db, "--status", "all", "--json"]);
    let on_the_day = all["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| {
            let at = chrono::DateTime::parse_from_rfc3339(t["created_at"].as_str().unwrap()).unwrap();
            at.with_timezone(&chrono_tz::Europe::Moscow).date_naive().to_string() == "2026-11-25"
        })
        .count() as u64;
    assert_eq!(total, on_the_day);
}

#[test]
fn the_demo_is_deterministic_for_a_seed_and_differs_between_seeds() {
    let dir = tempfile::tempdir().unwrap();
    let a = demo(dir.path(), "a.db", 5, 7);
    let b = demo(dir.path(), "b.db", 5, 7);
    let c = demo(dir.path(), "c.db", 5, 8);
    let list = |db: &std::path::Path| ok(dir.path(), &["tickets", "--db", db.to_str().unwrap(), "--status", "all", "--json"]);
    assert_eq!(list(&a), list(&b));
    assert_ne!(list(&a), list(&c));
}

#[test]
fn tickets_are_listed_in_the_leads_order_with_the_promised_fields() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path(), "d.db", 14, 1);
    let out = json(dir.path(), &["tickets", "--db", db.to_str().unwrap(), "--json"]);
    let tickets = out["tickets"].as_array().unwrap();
    assert!(!tickets.is_empty());
    assert_eq!(out["total"].as_u64().unwrap() as usize, tickets.len());
    let rank = |p: &str| ["critical", "high", "medium", "low", "planning"].iter().position(|x| *x == p).unwrap();
    // A stopped SLA clock has no deadline moment: it comes after the running ones.
    let keys: Vec<(usize, bool, String, String)> = tickets
        .iter()
        .map(|t| {
            (rank(t["priority"].as_str().unwrap()), t["due_at"].is_null(), t["due_at"].as_str().unwrap_or_default().to_string(), t["created_at"].as_str().unwrap().to_string())
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "priority, then deadline, then age");
    assert!(keys.iter().any(|k| k.1) && keys.iter().any(|k| !k.1), "running and stopped clocks both listed");
    for field in ["number", "subject", "kind", "status", "urgency", "impact", "priority", "line", "assignee", "client", "channel", "created_at"] {
        assert!(tickets[0].get(field).is_some(), "missing {field}");
    }
    // The open queue holds no completed or closed tickets.
    assert!(tickets.iter().all(|t| !["completed", "closed"].contains(&t["status"].as_str().unwrap())));
}

#[test]
fn tickets_filter_by_status_line_and_priority() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path(), "d.db", 14, 1);
    let db = db.to_str().unwrap();
    let pick = |args: &[&str]| -> Vec<Value> {
        let mut full = vec!["tickets", "--db", db, "--json"];
        full.extend_from_slice(args);
        json(dir.path(), &full)["tickets"].as_array().unwrap().clone()
    };
    let line2 = pick(&["--line", "2", "--status", "all"]);
    assert!(!line2.is_empty() && line2.iter().all(|t| t["line"] == 2));
    let waiting = pick(&["--status", "information-needed"]);
    assert!(!waiting.is_empty() && waiting.iter().all(|t| t["status"] == "information-needed"));
    let critical = pick(&["--priority", "critical", "--status", "all"]);
    assert!(!critical.is_empty() && critical.iter().all(|t| t["priority"] == "critical"));
    let both = pick(&["--line", "1", "--status", "in-progress", "--priority", "medium"]);
    assert!(both.iter().all(|t| t["line"] == 1 && t["status"] == "in-progress" && t["priority"] == "medium"));
    let all = pick(&["--status", "all"]);
    let statuses: std::collections::BTreeSet<&str> = all.iter().map(|t| t["status"].as_str().unwrap()).collect();
    assert_eq!(statuses.len(), 8, "every status appears in the demo: {statuses:?}");
}

#[test]
fn one_ticket_shows_its_history_and_comments() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path(), "d.db", 7, 1);
    let db = db.to_str().unwrap();
    let waiting = json(dir.path(), &["tickets", "--db", db, "--status", "information-needed", "--limit", "1", "--json"]);
    let number = waiting["tickets"][0]["number"].as_str().unwrap().to_string();
    let t = json(dir.path(), &["ticket", &number, "--db", db, "--json"]);
    assert_eq!(t["summary"]["number"], number.as_str());
    let history = t["history"].as_array().unwrap();
    assert_eq!(history.last().unwrap()["new_value"], "information-needed");
    // Information needed is entered with a comment.
    assert!(!t["comments"].as_array().unwrap().is_empty());
}

#[test]
fn bad_input_gets_a_one_line_error_and_a_failing_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path(), "d.db", 2, 1);
    let db = db.to_str().unwrap();
    for (args, needle) in [
        (vec!["tickets", "--db", db, "--status", "done"], "unknown status 'done'"),
        (vec!["report", "load", "--db", db, "--by", "hour", "--tz", "Mars/Olympus", "--json"], "not an IANA time zone"),
        (vec!["report", "load", "--db", db, "--by", "hour", "--from", "2026-11-20", "--to", "2026-11-10"], "is after --to"),
        (vec!["ticket", "INC9999999", "--db", db], "no ticket INC9999999"),
        (vec!["demo", "--db", db], "already holds"),
        (vec!["matrix", "set", "1,2,3", "--db", db], "5 rows"),
    ] {
        let out = run(dir.path(), &args);
        assert!(!out.status.success(), "{args:?} should fail");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(needle), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: one line, got {err}");
    }
}

#[test]
fn a_corrupt_replica_is_refused_with_its_path_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("replica.db");
    let junk = b"PK\x03\x04 not a database at all ".repeat(200);
    std::fs::write(&db, &junk).unwrap();
    let out = run(dir.path(), &["tickets", "--db", db.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("replica.db") && err.contains("not a readable Smena replica"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), junk);
}

#[test]
fn smena_db_in_the_environment_names_the_replica() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path(), "env.db", 2, 1);
    let out = common::smena(dir.path()).env("SMENA_DB", &db).args(["tickets", "--status", "all", "--json"]).output().unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["total"].as_u64().unwrap() > 300);
}

#[test]
fn without_db_the_replica_lives_in_the_platform_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["demo", "--days", "1", "--now", NOW]);
    assert!(dir.path().join("data/smena/replica.db").exists());
}

#[test]
fn the_matrix_can_be_changed_and_applies_to_new_priorities() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let db = db.to_str().unwrap();
    assert_eq!(json(dir.path(), &["matrix", "show", "--db", db, "--json"])[0][0], 1);
    ok(dir.path(), &["matrix", "set", "1,1,1,1,1/1,1,1,1,1/1,1,1,1,1/1,1,1,1,1/1,1,1,1,1", "--db", db]);
    ok(dir.path(), &["demo", "--db", db, "--days", "2", "--now", NOW]);
    let incidents = json(dir.path(), &["tickets", "--db", db, "--status", "all", "--kind", "incident", "--json"]);
    assert!(incidents["tickets"].as_array().unwrap().iter().all(|t| t["priority"] == "critical"));
}

#[test]
fn every_command_has_help() {
    let dir = tempfile::tempdir().unwrap();
    for args in [vec!["--help"], vec!["demo", "--help"], vec!["tickets", "--help"], vec!["ticket", "--help"], vec!["report", "load", "--help"], vec!["matrix", "set", "--help"]] {
        let out = ok(dir.path(), &args);
        assert!(out.contains("Usage: smena"), "{args:?}: {out}");
    }
}

#[test]
fn output_piped_into_a_reader_that_stops_ends_quietly() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path(), "d.db", 30, 1);
    let mut child = common::smena(dir.path())
        .args(["tickets", "--db", db.to_str().unwrap(), "--status", "all", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Read one chunk, then hang up like `head -c` would.
    let mut first = [0u8; 64];
    child.stdout.as_mut().unwrap().read_exact(&mut first).unwrap();
    drop(child.stdout.take());
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    let status = child.wait().unwrap();
    assert!(!err.contains("panicked"), "no panic on a closed pipe: {err}");
    assert!(err.is_empty(), "nothing on stderr: {err}");
    assert_eq!(std::os::unix::process::ExitStatusExt::signal(&status), Some(13), "ended by SIGPIPE, as `cat` would: {status:?}");
}

#[test]
fn a_clients_zone_and_contacts_are_set_from_the_command_line_with_refusals_by_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path(), "clients.db", 14, 5);
    let db = db.to_str().unwrap();
    let clients = json(dir.path(), &["client", "list", "--json", "--db", db]);
    let office =
        clients.as_array().unwrap().iter().find(|c| c["contract"]["support"]["kind"] == "business" && c["open_tickets"].as_u64() > Some(0)).expect("an office-hours client");
    let name = office["name"].as_str().unwrap();
    let before = json(dir.path(), &["tickets", "--json", "--limit", "100000", "--db", db]);
    let out = ok(dir.path(), &["client", "zone", name, "America/Vancouver", "--db", db]);
    assert!(out.contains("deadlines moved"), "{out}");
    assert_eq!(json(dir.path(), &["client", "show", name, "--db", db])["time_zone"], "America/Vancouver");
    let after = json(dir.path(), &["tickets", "--json", "--limit", "100000", "--db", db]);
    let due = |v: &Value| -> Vec<Value> { v["tickets"].as_array().unwrap().iter().filter(|t| t["client"] == name).map(|t| t["due_at"].clone()).collect() };
    assert_ne!(due(&before), due(&after), "the open tickets' deadlines follow the zone");

    let code = |args: &[&str]| {
        let mut full = args.to_vec();
        full.extend(["--db", db]);
        let out = run(dir.path(), &full);
        (out.status.code(), String::from_utf8_lossy(&out.stderr).to_string())
    };
    assert_eq!(code(&["client", "zone", name, "Mars/Olympus"]).0, Some(3));
    assert_eq!(code(&["client", "zone", "Nobody Ltd", "UTC"]).0, Some(4));
    ok(dir.path(), &["client", "add-contact", name, "--name", "Anna", "--email", "anna@example.ru", "--db", db]);
    let (exit, why) = code(&["client", "add-contact", name, "--name", "Anna", "--email", "anna@example.ru"]);
    assert_eq!(exit, Some(5), "{why}");
    assert!(why.contains("already a contact"), "{why}");
    assert_eq!(code(&["client", "add-contact", name, "--name", "Anna", "--email", "anna-at-example.ru"]).0, Some(3));
    ok(dir.path(), &["client", "remove-contact", name, "anna@example.ru", "--db", db]);
    assert_eq!(code(&["client", "remove-contact", name, "anna@example.ru"]).0, Some(5));
}

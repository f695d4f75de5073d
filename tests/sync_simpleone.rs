//! Two-way sync with SimpleOne, against a local fake that follows its documented Table API
//! (`tests/common/simpleone.rs`; SimpleOne is hosted and cannot run here): the same scenarios
//! as against the real Request Tracker, plus what is SimpleOne's own — logging in for a key
//! and again when the session expires, the instance's own choice values and priority, and
//! deltas by a whole-second `sys_updated_at` that neither miss nor repeat a change.

mod common;

use common::desk::Replica;
use common::simpleone::{Fake, PASSWORD, USER};
use serde_json::json;

/// A fresh replica connected to the fake, with the lead and two engineers tied to its users.
struct Desk {
    replica: Replica,
    s1: Fake,
}

impl std::ops::Deref for Desk {
    type Target = Replica;
    fn deref(&self) -> &Replica {
        &self.replica
    }
}

impl Desk {
    fn new() -> Option<Desk> {
        if !common::rt::keyring() {
            return None;
        }
        let d = Desk { replica: Replica::new(), s1: Fake::start() };
        d.connect(PASSWORD).expect("connect");
        d.staff(["l1-anna", "l2-viktor"]);
        Some(d)
    }

    /// `smena connect simpleone` with the password on stdin; its error text when refused.
    fn connect(&self, password: &str) -> Result<(), String> {
        let out = self.run_with_stdin(&["connect", "simpleone", "--url", &self.s1.url, "--user", USER], &format!("{password}\n"));
        out.status.success().then_some(()).ok_or_else(|| String::from_utf8_lossy(&out.stderr).to_string())
    }

    /// An incident in `Line 1`, created by another client; (sys_id, number).
    fn incident(&self, subject: &str, urgency: &str, impact: &str) -> (String, String) {
        let id = self.s1.create("itsm_incident", subject, urgency, impact, "Line 1");
        let number = self.s1.get("itsm_incident", &id)["number"].as_str().unwrap().to_string();
        (id, number)
    }

    /// A field of the record as a title (`state`, `urgency`, `impact`, `priority`).
    fn title(&self, table: &str, id: &str, column: &str) -> String {
        let value = self.s1.get(table, id)[column].as_str().unwrap_or_default().to_string();
        self.s1.choice_title(table, column, &value)
    }

    /// The record's assigned user's name, or "".
    fn assignee(&self, table: &str, id: &str) -> String {
        let r = self.s1.get(table, id);
        let value = r["assigned_user"]["value"].as_str().or(r["assigned_user"].as_str()).unwrap_or_default().to_string();
        ["l1-anna", "l2-viktor", "lead-maria"].into_iter().find(|u| self.s1.user_id(u) == value).unwrap_or_default().to_string()
    }
}

#[test]
fn the_first_pull_brings_the_desks_records_with_the_instances_own_priority_and_a_change_arrives_in_the_delta() {
    let Some(desk) = Desk::new() else { return };
    let (id, n) = desk.incident("VM vm-101 not responding", "High", "Low");
    // The instance's matrix: urgency Low × impact Very High is Critical (ours would say high).
    let (_, critical) = desk.incident("Whole region down", "Low", "Very High");
    let request = desk.s1.create("itsm_request", "A new VM, please", "Low", "Low", "Line 1");
    let facilities = desk.s1.create("itsm_incident", "Broken chair", "Low", "Low", "Facilities");
    let report = desk.sync(0);
    assert_eq!(report["created"], 3, "{report}");
    let t = desk.ticket(&n);
    assert_eq!(t["summary"]["subject"], "VM vm-101 not responding");
    assert_eq!((t["summary"]["urgency"].as_str(), t["summary"]["impact"].as_str(), t["summary"]["line"].as_u64()), (Some("high"), Some("low"), Some(1)));
    assert_eq!(desk.ticket(&critical)["summary"]["priority"], "critical");
    let request_number = desk.s1.get("itsm_request", &request)["number"].as_str().unwrap().to_string();
    assert_eq!(desk.ticket(&request_number)["summary"]["kind"], "request");
    // A record of a group that is not a support line is not the desk's.
    let facilities_number = desk.s1.get("itsm_incident", &facilities)["number"].as_str().unwrap().to_string();
    assert_eq!(common::run(desk.home(), &desk.args(&["ticket", &facilities_number])).status.code(), Some(4), "not found");

    // Another client raises the impact and assigns it: the next sync brings it, with history.
    desk.s1.patch("itsm_incident", &id, json!({"impact": desk.s1.choice_value("itsm_incident", "impact", "High"), "state": desk.s1.choice_value("itsm_incident", "state", "Assigned"), "assigned_user": desk.s1.user_id("l1-anna")}));
    let report = desk.sync(0);
    assert_eq!((report["pulled"].as_u64(), report["created"].as_u64()), (Some(1), Some(0)), "only the changed record: {report}");
    let t = desk.ticket(&n);
    assert_eq!((t["summary"]["impact"].as_str(), t["summary"]["status"].as_str(), t["summary"]["assignee"].as_str()), (Some("high"), Some("assigned"), Some("Anna Petrova")));
    assert!(t["history"].as_array().unwrap().iter().any(|h| h["actor"] == "ITSM" && h["field"] == "impact" && h["new_value"] == "high"), "{}", t["history"]);
    // The overlap window reads the last seconds again, but nothing is pulled twice.
    assert_eq!(desk.sync(0)["pulled"], 0);
    // A change in the same second as the version pulled before it still arrives.
    let second = (chrono::Utc::now() + chrono::Duration::minutes(5)).format("%Y-%m-%d %H:%M:%S").to_string();
    desk.s1.freeze_clock(Some(&second));
    for urgency in ["Low", "Medium"] {
        desk.s1.patch("itsm_incident", &id, json!({"urgency": desk.s1.choice_value("itsm_incident", "urgency", urgency)}));
        assert_eq!(desk.sync(0)["pulled"], 1, "{urgency}");
        assert_eq!(desk.ticket(&n)["summary"]["urgency"], urgency.to_lowercase());
    }
    desk.s1.freeze_clock(None);
}

#[test]
fn a_pull_pages_through_many_records_of_one_second_and_misses_none_when_one_changes_meanwhile() {
    let Some(desk) = Desk::new() else { return };
    // An import stamps 130 records with one second; the instance answers 50 per page at most.
    let second = (chrono::Utc::now() - chrono::Duration::minutes(10)).format("%Y-%m-%d %H:%M:%S").to_string();
    desk.s1.freeze_clock(Some(&second));
    let ids: Vec<(String, String)> = (0..130).map(|i| desk.incident(&format!("Imported alert {i}"), "Low", "Low")).collect();
    // While Smena pages, another client changes the first record: it moves to "now", after
    // the others (an offset-paged pull would then skip one of them).
    desk.s1.patch_after(4, "itsm_incident", &ids[0].0, json!({"impact": desk.s1.choice_value("itsm_incident", "impact", "High")}));
    let report = desk.sync(0);
    assert_eq!(report["created"], 130, "{report}");
    let listed = common::json(desk.home(), &desk.args(&["tickets", "--json", "--limit", "500"]));
    let numbers: std::collections::BTreeSet<&str> = listed["tickets"].as_array().unwrap().iter().filter_map(|t| t["number"].as_str()).collect();
    for (_, n) in &ids {
        assert!(numbers.contains(n.as_str()), "{n} missing");
    }
    assert_eq!(desk.ticket(&ids[0].1)["summary"]["impact"], "high", "the change made during the pull");
    desk.s1.freeze_clock(None);
    assert_eq!(desk.sync(0)["pulled"], 0, "and nothing twice");
}

#[test]
fn urgency_impact_escalation_reassignment_status_walk_and_a_comment_reach_simpleone() {
    let Some(desk) = Desk::new() else { return };
    let (id, n) = desk.incident("Network flapping in DC-2", "Medium", "Low");
    desk.sync(0);
    desk.ok(&["ticket", &n, "urgency", "very-high", "--reason", "client called"]);
    desk.ok(&["ticket", &n, "impact", "high", "--reason", "a whole rack"]);
    desk.ok(&["ticket", &n, "assign", "Anna Petrova"]);
    desk.ok(&["ticket", &n, "comment", "Asked which VLAN"]);
    let report = desk.sync(0);
    assert_eq!(report["pushed"], 4, "{report}");
    assert!(desk.outbox().is_empty());
    let t = "itsm_incident";
    assert_eq!((desk.title(t, &id, "urgency"), desk.title(t, &id, "impact")), ("Very High".into(), "High".into()));
    assert_eq!((desk.assignee(t, &id), desk.title(t, &id, "state")), ("l1-anna".into(), "Assigned".into()));
    // The instance computed the priority with its own matrix, and the replica took it.
    assert_eq!(desk.title(t, &id, "priority"), "Critical");
    assert_eq!(desk.ticket(&n)["summary"]["priority"], "critical");
    assert!(desk.s1.journal(&id).iter().any(|m| m.starts_with("Asked which VLAN")), "{:?}", desk.s1.journal(&id));

    desk.ok(&["ticket", &n, "escalate", "--line", "2", "--to", "Viktor Sokolov", "--reason", "needs a network engineer"]);
    desk.sync(0);
    assert_eq!(desk.assignee(t, &id), "l2-viktor");
    assert_eq!(desk.s1.get(t, &id)["assignment_group"]["value"].as_str().unwrap(), desk.s1.group_id("Line 2"));
    for (status, extra) in
        [("in-progress", vec![]), ("information-needed", vec!["--comment", "Which VLAN exactly?"]), ("in-progress", vec![]), ("completed", vec!["--closure-code", "resolved"])]
    {
        let mut args = vec!["ticket", &n, "status", status];
        args.extend(extra);
        desk.ok(&args);
    }
    let report = desk.sync(0);
    assert_eq!(report["pushed"], 4, "{report}");
    // SimpleOne saw each step of the walk, in order.
    assert_eq!(desk.s1.states(t, &id), ["Registered", "Assigned", "In Progress", "Information Needed", "In Progress", "Completed"]);
    assert_eq!(desk.ticket(&n)["summary"]["status"], "completed");
}

#[test]
fn an_escalation_made_while_simpleone_is_unreachable_stays_queued_and_lands_when_it_returns() {
    let Some(desk) = Desk::new() else { return };
    let (id, n) = desk.incident("Backup job failed", "High", "Medium");
    desk.sync(0);
    desk.s1.stop();
    desk.ok(&["ticket", &n, "escalate", "--line", "2", "--to", "Viktor Sokolov", "--reason", "storage"]);
    let out = common::run(desk.home(), &desk.args(&["sync", "--json"]));
    desk.s1.resume();
    assert_eq!(out.status.code(), Some(7), "offline sync is an error of its own: {}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("stays queued"), "{}", String::from_utf8_lossy(&out.stderr));
    let waiting = desk.outbox();
    assert_eq!((waiting.len(), waiting[0]["state"].as_str()), (1, Some("pending")), "{waiting:?}");
    assert_eq!(desk.ticket(&n)["summary"]["line"], 2, "the replica keeps the lead's change");
    let report = desk.sync(0);
    assert_eq!(report["pushed"], 1, "{report}");
    assert_eq!(desk.assignee("itsm_incident", &id), "l2-viktor");
    assert!(desk.outbox().is_empty());
}

#[test]
fn a_conflicting_edit_on_simpleone_is_kept_with_both_values_and_resolved_either_way() {
    let Some(desk) = Desk::new() else { return };
    let (a, na) = desk.incident("Disk latency on db-7", "Medium", "Medium");
    let (b, nb) = desk.incident("Portal login slow", "Medium", "Medium");
    desk.sync(0);
    desk.ok(&["ticket", &na, "urgency", "very-high", "--reason", "client called"]);
    desk.ok(&["ticket", &nb, "urgency", "high", "--reason", "client called"]);
    let low = desk.s1.choice_value("itsm_incident", "urgency", "Low");
    desk.s1.patch("itsm_incident", &a, json!({"urgency": low}));
    desk.s1.patch("itsm_incident", &b, json!({"urgency": low}));
    let before = desk.s1.requests().len();
    let report = desk.sync(10);
    assert_eq!(report["conflicts"], 2, "{report}");
    assert!(!desk.s1.requests()[before..].iter().any(|(method, _)| method == "PATCH"), "nothing written");
    assert_eq!(desk.title("itsm_incident", &a, "urgency"), "Low", "not overwritten there");
    assert_eq!(desk.ticket(&na)["summary"]["urgency"], "very-high", "nor here");
    let conflicts = desk.conflicts()["conflicts"].as_array().unwrap().clone();
    let of = |n: &str| conflicts.iter().find(|c| c["ticket"] == n).unwrap().clone();
    let ca = of(&na);
    assert_eq!((ca["field"].as_str(), ca["mine"].as_str(), ca["theirs"].as_str()), (Some("urgency"), Some("very-high"), Some("low")));
    desk.ok(&["conflicts", "resolve", &ca["id"].to_string(), "mine"]);
    desk.ok(&["conflicts", "resolve", &of(&nb)["id"].to_string(), "theirs"]);
    let report = desk.sync(0);
    assert_eq!(report["pushed"], 1, "{report}");
    assert_eq!(desk.title("itsm_incident", &a, "urgency"), "Very High");
    assert_eq!(desk.title("itsm_incident", &b, "urgency"), "Low");
    assert_eq!(desk.ticket(&nb)["summary"]["urgency"], "low");
    assert!(desk.conflicts()["conflicts"].as_array().unwrap().is_empty());
}

#[test]
fn a_refused_change_is_reported_kept_and_holds_the_tickets_later_changes() {
    let Some(desk) = Desk::new() else { return };
    let (a, na) = desk.incident("Printer queue stuck", "Low", "Low");
    let (b, nb) = desk.incident("Scanner offline", "Low", "Low");
    let (c, nc) = desk.incident("Monitor flickers", "Low", "Low");
    desk.sync(0);
    // This instance's state flow does not complete a ticket nobody took into work (the
    // desk's lifecycle does): SimpleOne refuses, in its own words.
    desk.ok(&["ticket", &nc, "status", "completed", "--closure-code", "duplicate"]);
    // SimpleOne has no impact "None" (its impacts are Low..Very High) and no user "ghost-nobody".
    desk.ok(&["ticket", &na, "impact", "none", "--reason", "nobody affected"]);
    let people = desk.home().join("ghost.csv");
    std::fs::write(&people, "name,role,time_zone\nGhost Engineer,1,Europe/Moscow\n").unwrap();
    desk.ok(&["roster", "import", "--people", people.to_str().unwrap()]);
    desk.ok(&["staff", "login", "Ghost Engineer", "ghost-nobody"]);
    desk.ok(&["ticket", &nb, "assign", "Ghost Engineer"]);
    // A later change of the same ticket waits for the refused one; a comment goes on.
    desk.ok(&["ticket", &nb, "status", "in-progress"]);
    desk.ok(&["ticket", &nb, "comment", "Still offline"]);
    let report = desk.sync(10);
    assert_eq!((report["failed"].as_u64(), report["waiting"].as_u64(), report["pushed"].as_u64()), (Some(3), Some(1), Some(1)), "{report}");
    let failed = desk.conflicts()["failed"].as_array().unwrap().clone();
    let reasons: Vec<&str> = failed.iter().map(|f| f["last_error"].as_str().unwrap()).collect();
    assert!(reasons.iter().any(|r| r.contains("no impact 'none'")) && reasons.iter().any(|r| r.contains("no user 'ghost-nobody'")), "{reasons:?}");
    assert!(reasons.iter().any(|r| r.contains("from 'Registered' to 'Completed' is not allowed") && r.contains("HTTP 400")), "the server's words: {reasons:?}");
    assert_eq!(desk.title("itsm_incident", &c, "state"), "Registered");
    assert_eq!(desk.outbox().len(), 4, "kept");
    assert_eq!(desk.title("itsm_incident", &a, "impact"), "Low");
    assert_eq!((desk.assignee("itsm_incident", &b), desk.title("itsm_incident", &b, "state")), (String::new(), "Registered".to_string()));
    assert!(desk.s1.journal(&b).iter().any(|m| m.starts_with("Still offline")), "the comment went on");
}

#[test]
fn a_comment_whose_first_attempt_reached_simpleone_is_not_sent_again() {
    let Some(desk) = Desk::new() else { return };
    let (id, n) = desk.incident("Mail relay refuses", "Medium", "Low");
    desk.sync(0);
    desk.ok(&["ticket", &n, "comment", "Restarted the relay"]);
    let op = desk.outbox()[0]["op_id"].as_str().unwrap().to_string();
    // The first attempt reached SimpleOne, but its answer was lost: the operation is still queued.
    desk.s1.patch("itsm_incident", &id, json!({"additional_comments": "Restarted the relay", "work_notes": format!("[smena op {op}]")}));
    let report = desk.sync(0);
    assert_eq!((report["pushed"].as_u64(), report["already_applied"].as_u64()), (Some(0), Some(1)), "{report}");
    assert_eq!(desk.s1.journal(&id).iter().filter(|m| m.contains(&op)).count(), 1, "the tag once");
    assert_eq!(desk.s1.journal(&id).iter().filter(|m| *m == "Restarted the relay").count(), 1, "no duplicate comment");
    assert!(desk.outbox().is_empty());
}

#[test]
fn a_comment_written_in_simpleone_arrives_once_and_smenas_own_is_not_pulled_back() {
    let Some(desk) = Desk::new() else { return };
    let (id, n) = desk.incident("VPN drops every hour", "Medium", "Low");
    desk.sync(0);
    desk.ok(&["ticket", &n, "comment", "Collecting the logs"]);
    desk.s1.patch("itsm_incident", &id, json!({"additional_comments": "Client: it dropped again at 10:05"}));
    desk.assert_comments_pulled_once(&n, "Client: it dropped again at 10:05", "Collecting the logs", "agent");
}

#[test]
fn an_expired_session_means_a_new_login_and_a_wrong_password_stores_nothing() {
    let Some(desk) = Desk::new() else { return };
    for i in 0..30 {
        desk.incident(&format!("Alert {i}"), "Medium", "Low");
    }
    // Each key answers three calls: the sync logs in again whenever SimpleOne answers 401.
    desk.s1.key_lifetime(3);
    let before = desk.s1.logins();
    desk.incident("One more", "Low", "Low");
    let report = desk.sync(0);
    assert_eq!((report["pulled"].as_u64(), report["created"].as_u64()), (Some(31), Some(31)), "{report}");
    assert!(desk.s1.logins() > before + 1, "logged in again: {} then {}", before, desk.s1.logins());
    // A wrong password is refused at connect, and the old connection stays as it was.
    let err = desk.connect("not-the-password").unwrap_err();
    assert!(err.contains("refused the login") && err.contains("nothing was stored"), "{err}");
    assert!(!err.contains("not-the-password"), "the password is not in the message");
    assert_eq!(desk.sync(0)["pulled"], 0);
}

#[test]
fn the_password_is_in_the_keyring_and_nowhere_in_the_replica_logs_or_config() {
    let Some(desk) = Desk::new() else { return };
    desk.incident("Any ticket", "Low", "Low");
    desk.assert_secret_kept_out(PASSWORD);
}

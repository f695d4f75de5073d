//! Two-way sync against a real Request Tracker 5, started on 127.0.0.1 by `.ci/rt/start`:
//! the first pull, a delta made by another client, every kind of push visible on RT, an
//! operation made while RT is down, a conflict, a refusal RT reports inside a 200, a comment
//! whose first attempt reached RT, and the secret kept in the keyring and nowhere else.

mod common;

use common::desk::Replica;
use common::rt::{self, Server, ONE_SERVER};
use serde_json::{json, Value};

/// A fresh replica connected to RT, with the lead and two engineers tied to RT logins.
struct Desk {
    replica: Replica,
    rt: Server,
}

impl std::ops::Deref for Desk {
    type Target = Replica;
    fn deref(&self) -> &Replica {
        &self.replica
    }
}

impl Desk {
    fn new(rt: Server) -> Desk {
        let d = Desk::bare(rt);
        d.staff(["l1-anna", "l2-viktor"]);
        d
    }

    /// A fresh replica connected to RT, nothing else.
    fn bare(rt: Server) -> Desk {
        let d = Desk { replica: Replica::new(), rt };
        let out = d.run_with_stdin(&["connect", "rt", "--url", &d.rt.url], &format!("{}\n", d.rt.token));
        assert!(out.status.success(), "connect: {}", String::from_utf8_lossy(&out.stderr));
        d
    }
}

/// RT and the keyring, or a skip where they cannot run (a failure under CI).
fn setup() -> Option<(std::sync::MutexGuard<'static, ()>, Desk)> {
    let guard = ONE_SERVER.lock().unwrap_or_else(|e| e.into_inner());
    let rt = rt::server()?;
    Some((guard, Desk::new(rt)))
}

fn number(id: &str) -> String {
    format!("RT-{id}")
}

#[test]
fn the_first_pull_brings_every_ticket_and_a_change_by_another_client_arrives_in_the_delta() {
    let Some((_g, desk)) = setup() else { return };
    let id = desk.rt.create("VM vm-101 not responding", "High", "Low");
    // A ticket in RT's own General queue (RT's lifecycle, status "new") is not the desk's:
    // it is left out, and the sync goes on.
    let general = desk.rt.create_in("General", "Not a support line's ticket", "High", "Low");
    let request = desk.rt.create_kind("Line 1", "A new VM, please", "Low", "Low", "Service request");
    let report = desk.sync(0);
    assert_eq!(desk.ticket(&number(&request))["summary"]["kind"], "request");
    assert_eq!(common::run(desk.home(), &desk.args(&["ticket", &number(&general)])).status.code(), Some(4), "not found");
    assert!(report["pulled"].as_u64().unwrap() >= 1, "{report}");
    let t = desk.ticket(&number(&id));
    assert_eq!(t["summary"]["subject"], "VM vm-101 not responding");
    assert_eq!((t["summary"]["urgency"].as_str(), t["summary"]["impact"].as_str(), t["summary"]["line"].as_u64()), (Some("high"), Some("low"), Some(1)));
    // Nobody authorised the requester's address: the ticket is flagged, as on the demo.
    assert_eq!(t["summary"]["contact_authorised"], false, "{}", t["summary"]);
    // A fresh replica pulls every ticket RT has.
    let fresh = Desk::new(desk.rt.clone());
    let listed = common::json(fresh.home(), &fresh.args(&["tickets", "--status", "registered", "--json"]));
    assert!(listed["tickets"].as_array().unwrap().iter().any(|r| r["number"] == number(&id).as_str()), "{listed}");

    // Another client raises the impact and moves the ticket on: the next sync brings it, with history.
    desk.rt.put(&id, json!({"CustomFields": {"Impact": "High"}, "Status": "assigned", "Owner": "l1-anna"}));
    let report = desk.sync(0);
    assert_eq!(report["created"], 0);
    let t = desk.ticket(&number(&id));
    assert_eq!((t["summary"]["impact"].as_str(), t["summary"]["status"].as_str(), t["summary"]["assignee"].as_str()), (Some("high"), Some("assigned"), Some("Anna Petrova")));
    // Dated and signed as RT recorded the change (by the token's user here).
    let rt_time = desk.rt.transactions(&id).into_iter().find(|(kind, _, new, _)| kind == "CustomField" && new == "High").expect("RT's record of the impact change").3;
    assert!(
        t["history"].as_array().unwrap().iter().any(|h| h["actor"] == "smena-sync" && h["field"] == "impact" && h["new_value"] == "high" && h["at"] == rt_time.as_str()),
        "{} vs RT's {rt_time}",
        t["history"]
    );
    // Nothing more: a sync with no changes pulls nothing.
    assert_eq!(desk.sync(0)["pulled"], 0);
}

#[test]
fn the_first_pull_brings_the_open_queue_before_the_history() {
    let Some((_g, desk)) = setup() else { return };
    // RT holds a ticket not done and a done one (walked there as RT's users would).
    let open = desk.rt.create("Disk full on vm-7", "High", "Low");
    let done = desk.rt.create("Password reset for the portal", "Low", "Low");
    for step in [json!({"Status": "assigned", "Owner": "l1-anna"}), json!({"Status": "in progress"}), json!({"Status": "completed"})] {
        desk.rt.put(&done, step);
    }
    assert_eq!(desk.rt.get(&done)["Status"], "completed");

    // A fresh replica's first sync reports its progress on standard error, a line per page.
    let fresh = Desk::bare(desk.rt.clone());
    let out = common::run(fresh.home(), &fresh.args(&["sync", "--json"]));
    assert!(out.status.success(), "sync: {}", String::from_utf8_lossy(&out.stderr));
    let pages: Vec<Value> = String::from_utf8_lossy(&out.stderr).lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let phases: Vec<&str> = pages.iter().map(|p| p["phase"].as_str().unwrap()).collect();
    // Every page of the open queue comes first; then the changes made meanwhile, then the
    // history's backfill, its last page with nothing left to wait.
    let history = phases.iter().position(|p| *p == "history").unwrap_or_else(|| panic!("no history: {phases:?}"));
    let open_pages = phases.iter().take_while(|p| **p == "open-queue").count();
    assert!(open_pages > 0 && !phases[open_pages..].contains(&"open-queue"), "{phases:?}");
    assert!(phases[open_pages..history].iter().all(|p| *p == "changes"), "{phases:?}");
    assert_eq!(pages.last().unwrap()["seconds_left"], 0, "{pages:?}");
    // The open queue's part brought exactly RT's tickets that are not done, the history the rest.
    let count = |query: &str| -> u64 {
        let v: Value = reqwest::blocking::Client::new()
            .get(format!("{}/tickets", desk.rt.rest))
            .query(&[("query", format!("(Queue = 'Line 1' OR Queue = 'Line 2' OR Queue = 'Line 3') AND ({query})")), ("per_page", "1".into())])
            .header("Authorization", format!("token {}", desk.rt.token))
            .send()
            .unwrap()
            .json()
            .unwrap();
        v["total"].as_u64().unwrap()
    };
    let pulled = |phase: &str| pages.iter().rfind(|p| p["phase"] == phase).map(|p| p["done"].as_u64().unwrap()).unwrap_or(0);
    assert_eq!(pages.iter().rfind(|p| p["phase"] == "history").unwrap()["total"], count("Status = 'completed' OR Status = 'closed'"));
    assert_eq!(pulled("open-queue"), count("Status != 'completed' AND Status != 'closed'"));
    assert_eq!(pulled("history"), count("Status = 'completed' OR Status = 'closed'"));
    assert_eq!(fresh.ticket(&number(&open))["summary"]["status"], "registered");
    assert_eq!(fresh.ticket(&number(&done))["summary"]["status"], "completed");
    // The next sync reads the changes only.
    let out = common::run(fresh.home(), &fresh.args(&["sync", "--json"]));
    let again: Vec<Value> = String::from_utf8_lossy(&out.stderr).lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    assert!(again.iter().all(|p| p["phase"] == "changes"), "{again:?}");
}

/// What a replica holds of the ITSM's tickets, a line per ticket: its fields, deadline, its
/// history with the ITSM's ids and the text the search finds it by.
fn pulled_desk(db: &std::path::Path) -> Vec<String> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut stmt = c
        .prepare(
            "SELECT t.number || '|' || t.status || '|' || t.line || '|' || t.urgency || '|' || t.impact || '|' || t.priority || '|' || coalesce(s.name, '-')
                || '|' || t.created_at || '|' || coalesce(t.first_response_at, '-') || '|' || coalesce(t.completed_at, '-') || '|' || coalesce(t.closed_at, '-')
                || '|' || coalesce(t.due_at, '-') || '|' || coalesce(t.closure_code, '-') || '|' || t.description
                || '|' || coalesce((SELECT group_concat(x, ';') FROM (SELECT h.source_id || '=' || h.field || '>' || coalesce(h.new_value, '') AS x
                                    FROM ticket_history h WHERE h.ticket_id = t.id ORDER BY h.at, h.source_id)), '')
                || '|' || coalesce((SELECT f.text FROM tickets_search f WHERE f.rowid = t.id), 'NOT INDEXED')
             FROM tickets t LEFT JOIN staff s ON s.id = t.assignee_id WHERE t.external_id IS NOT NULL ORDER BY t.number",
        )
        .unwrap();
    stmt.query_map([], |x| x.get(0)).unwrap().map(Result::unwrap).collect()
}

#[test]
fn a_first_pull_killed_in_its_backfill_resumes_and_ends_as_a_whole_pull_does() {
    let Some((_g, desk)) = setup() else { return };
    // Done tickets enough for several backfill pages of five.
    for n in 0..6 {
        let id = desk.rt.create(&format!("Backup job {n} failed"), "Medium", "Low");
        desk.rt.put(&id, json!({"Status": "completed", "CustomFields": {"Closure code": "resolved"}}));
    }
    let killed = Desk::bare(desk.rt.clone());
    let mut child = common::smena(killed.home())
        .args(killed.args(&["sync", "--json"]))
        .env("SMENA_RT_PAGE", "5")
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Killed (SIGKILL) as soon as the first page of the history is stored.
    let mut before = Vec::new();
    for line in std::io::BufRead::lines(std::io::BufReader::new(child.stderr.take().unwrap())) {
        let Ok(page) = serde_json::from_str::<Value>(&line.unwrap()) else { continue };
        let history = page["phase"] == "history";
        before.push(page);
        if history {
            child.kill().unwrap();
            break;
        }
    }
    child.wait().unwrap();
    let first = before.last().unwrap_or_else(|| panic!("no progress: {before:?}"));
    assert_eq!(first["phase"], "history", "{before:?}");
    assert!(first["done"].as_u64().unwrap() < first["total"].as_u64().unwrap(), "killed before the history's end: {before:?}");

    // Started again, it goes on with the history where it stopped: no open queue again, and
    // the history's pages of both runs add up to its total, nothing twice.
    let out = common::smena(killed.home()).args(killed.args(&["sync", "--json"])).env("SMENA_RT_PAGE", "5").output().unwrap();
    assert!(out.status.success(), "sync: {}", String::from_utf8_lossy(&out.stderr));
    let after: Vec<Value> = String::from_utf8_lossy(&out.stderr).lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    assert!(after.iter().all(|p| p["phase"] != "open-queue"), "{after:?}");
    let resumed = after.iter().rfind(|p| p["phase"] == "history").unwrap_or_else(|| panic!("no history after the restart: {after:?}"));
    assert_eq!(first["done"].as_u64().unwrap() + resumed["done"].as_u64().unwrap(), first["total"].as_u64().unwrap(), "{before:?} {after:?}");

    // The same desk as a replica that pulled it whole in one go, search index included.
    let whole = Desk::bare(desk.rt.clone());
    let out = common::smena(whole.home()).args(whole.args(&["sync", "--json"])).output().unwrap();
    assert!(out.status.success(), "sync: {}", String::from_utf8_lossy(&out.stderr));
    let (mine, theirs) = (pulled_desk(&killed.db), pulled_desk(&whole.db));
    assert!(mine.len() > 6 && mine.iter().all(|t| !t.ends_with("NOT INDEXED")), "{mine:?}");
    assert_eq!(mine, theirs);
}

#[test]
fn urgency_impact_escalation_reassignment_status_walk_and_a_comment_reach_rt() {
    let Some((_g, desk)) = setup() else { return };
    let id = desk.rt.create("Network flapping in DC-2", "Medium", "Low");
    desk.sync(0);
    let n = number(&id);
    desk.ok(&["ticket", &n, "urgency", "very-high", "--reason", "client called"]);
    desk.ok(&["ticket", &n, "impact", "high", "--reason", "a whole rack"]);
    desk.ok(&["ticket", &n, "assign", "Anna Petrova"]);
    desk.ok(&["ticket", &n, "comment", "Asked which VLAN"]);
    assert_eq!(desk.outbox().len(), 4);
    let report = desk.sync(0);
    assert_eq!(report["pushed"], 4, "{report}");
    assert!(desk.outbox().is_empty());
    let t = desk.rt.get(&id);
    assert_eq!((desk.rt.field(&id, "Urgency"), desk.rt.field(&id, "Impact")), ("Very high".into(), "High".into()));
    assert_eq!((t["Owner"]["id"].as_str(), t["Status"].as_str()), (Some("l1-anna"), Some("assigned")));

    // Escalation to line 2 with a chosen engineer, then the status walk to completion.
    desk.ok(&["ticket", &n, "escalate", "--line", "2", "--to", "Viktor Sokolov", "--reason", "needs a network engineer"]);
    desk.sync(0);
    let t = desk.rt.get(&id);
    assert_eq!((t["Owner"]["id"].as_str(), t["Queue"]["id"].as_str()), (Some("l2-viktor"), Some(queue_id(&desk.rt, "Line 2").as_str())));
    for (status, extra) in
        [("in-progress", vec![]), ("information-needed", vec!["--comment", "Which VLAN exactly?"]), ("in-progress", vec![]), ("completed", vec!["--closure-code", "resolved"])]
    {
        let mut args = vec!["ticket", &n, "status", status];
        args.extend(extra);
        desk.ok(&args);
    }
    let report = desk.sync(0);
    assert_eq!(report["pushed"], 4, "{report}");
    assert_eq!(desk.rt.get(&id)["Status"], "completed");
    // RT saw each step of the walk, in order, not a jump to the end.
    assert_eq!(desk.rt.statuses(&id), ["assigned", "in progress", "information needed", "in progress", "completed"]);
    // The replica agrees after pulling its own changes back, and lists each change once:
    // RT's record of a pushed change is matched with the entry the action wrote.
    let t = desk.ticket(&n);
    assert_eq!(t["summary"]["status"], "completed");
    let walked: Vec<&str> = t["history"].as_array().unwrap().iter().filter(|h| h["field"] == "status").filter_map(|h| h["new_value"].as_str()).collect();
    assert_eq!(walked, ["registered", "assigned", "in-progress", "information-needed", "in-progress", "completed"], "{}", t["history"]);
    assert_eq!(desk.sync(0)["pulled"], 0);
}

#[test]
fn a_life_made_live_in_rt_arrives_with_rts_own_times_and_the_first_reply_as_first_response() {
    let Some((_g, desk)) = setup() else { return };
    let id = desk.rt.create("Mail relay rejects our domain", "High", "Medium");
    let pause = || std::thread::sleep(std::time::Duration::from_millis(1100));
    pause();
    desk.rt.put(&id, json!({"Owner": "l1-anna", "Status": "assigned"}));
    pause();
    desk.rt.reply(&id, "We are looking into it.");
    pause();
    desk.rt.put(&id, json!({"Status": "in progress"}));
    // RT's own record: the time of each step.
    let tx = desk.rt.transactions(&id);
    let when = |kind: &str, new: &str| tx.iter().find(|(k, _, n, _)| k == kind && (new.is_empty() || n == new)).unwrap_or_else(|| panic!("{kind} {new} in {tx:?}")).3.clone();
    let (created, assigned, replied, working) = (when("Create", ""), when("Status", "assigned"), when("Correspond", ""), when("Status", "in progress"));
    assert!(created < assigned && assigned < replied && replied < working, "{tx:?}");

    // A replica that never saw the ticket before pulls its whole life.
    let fresh = Desk::new(desk.rt.clone());
    fresh.sync(0);
    let t = fresh.ticket(&number(&id));
    let history = t["history"].as_array().unwrap();
    let statuses: Vec<(&str, &str)> = history.iter().filter(|h| h["field"] == "status").map(|h| (h["new_value"].as_str().unwrap(), h["at"].as_str().unwrap())).collect();
    assert_eq!(statuses, [("registered", created.as_str()), ("assigned", assigned.as_str()), ("in-progress", working.as_str())], "{history:?}");
    assert!(history.iter().any(|h| h["field"] == "assignee" && h["new_value"] == "Anna Petrova" && h["at"] == assigned.as_str()), "{history:?}");
    assert_eq!(t["first_response_at"].as_str(), Some(replied.as_str()), "the first reply to the requester");
    // Its deadline is the SLA clock's, from RT's registration time.
    let risk = common::json(fresh.home(), &fresh.args(&["report", "at-risk", "--within", "100000", "--json"]));
    let row = risk["tickets"].as_array().unwrap().iter().find(|r| r["number"] == number(&id).as_str() && r["timer"] == "resolution").expect("its resolution clock runs");
    assert_eq!(row["clock"]["deadline_at"], t["summary"]["due_at"]);
}

fn queue_id(rt: &Server, name: &str) -> String {
    let v: Value = reqwest::blocking::Client::new()
        .get(format!("{}/queue/{}", rt.rest, name.replace(' ', "%20")))
        .header("Authorization", format!("token {}", rt.token))
        .send()
        .unwrap()
        .json()
        .unwrap();
    v["id"].to_string().trim_matches('"').to_string()
}

#[test]
fn an_escalation_made_while_rt_is_down_stays_queued_and_lands_when_it_returns() {
    let Some((_g, desk)) = setup() else { return };
    let id = desk.rt.create("Backup job failed", "High", "Medium");
    desk.sync(0);
    let n = number(&id);
    rt::stop();
    desk.ok(&["ticket", &n, "escalate", "--line", "2", "--to", "Viktor Sokolov", "--reason", "storage"]);
    let out = common::run(desk.home(), &desk.args(&["sync", "--json"]));
    rt::start();
    assert_eq!(out.status.code(), Some(7), "offline sync is an error of its own: {}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("stays queued"), "{}", String::from_utf8_lossy(&out.stderr));
    let waiting = desk.outbox();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0]["state"], "pending", "{waiting:?}");
    assert_eq!(desk.ticket(&n)["summary"]["line"], 2, "the replica keeps the lead's change");
    let report = desk.sync(0);
    assert_eq!(report["pushed"], 1, "{report}");
    assert_eq!(desk.rt.get(&id)["Owner"]["id"], "l2-viktor");
    assert!(desk.outbox().is_empty());
}

#[test]
fn a_conflicting_edit_on_rt_is_kept_with_both_values_and_resolved_either_way() {
    let Some((_g, desk)) = setup() else { return };
    let a = desk.rt.create("Disk latency on db-7", "Medium", "Medium");
    let b = desk.rt.create("Portal login slow", "Medium", "Medium");
    desk.sync(0);
    desk.ok(&["ticket", &number(&a), "urgency", "very-high", "--reason", "client called"]);
    desk.ok(&["ticket", &number(&b), "urgency", "high", "--reason", "client called"]);
    // Meanwhile on RT someone else sets a different urgency on both.
    desk.rt.put(&a, json!({"CustomFields": {"Urgency": "Low"}}));
    desk.rt.put(&b, json!({"CustomFields": {"Urgency": "Low"}}));
    let report = desk.sync(10);
    assert_eq!(report["conflicts"], 2, "{report}");
    // Not overwritten on either side.
    assert_eq!(desk.rt.field(&a, "Urgency"), "Low");
    assert_eq!(desk.ticket(&number(&a))["summary"]["urgency"], "very-high");
    let conflicts = desk.conflicts()["conflicts"].as_array().unwrap().clone();
    let of = |n: &str| conflicts.iter().find(|c| c["ticket"] == n).unwrap().clone();
    let ca = of(&number(&a));
    assert_eq!((ca["field"].as_str(), ca["mine"].as_str(), ca["theirs"].as_str()), (Some("urgency"), Some("very-high"), Some("low")));
    // Keep mine on one: sent again on the new base. Take theirs on the other: rolled back.
    desk.ok(&["conflicts", "resolve", &ca["id"].to_string(), "mine"]);
    desk.ok(&["conflicts", "resolve", &of(&number(&b))["id"].to_string(), "theirs"]);
    let report = desk.sync(0);
    assert_eq!(report["pushed"], 1, "{report}");
    assert_eq!(desk.rt.field(&a, "Urgency"), "Very high");
    assert_eq!(desk.rt.field(&b, "Urgency"), "Low");
    assert_eq!(desk.ticket(&number(&b))["summary"]["urgency"], "low");
    assert!(desk.conflicts()["conflicts"].as_array().unwrap().is_empty());
}

#[test]
fn a_refusal_rt_reports_inside_a_200_marks_the_operation_failed_and_keeps_it() {
    let Some((_g, desk)) = setup() else { return };
    let id = desk.rt.create("Printer queue stuck", "Low", "Low");
    desk.sync(0);
    // A login RT does not know: RT answers 200 with "That user does not exist".
    let people = desk.home().join("ghost.csv");
    std::fs::write(&people, "name,role,time_zone\nGhost Engineer,1,Europe/Moscow\n").unwrap();
    desk.ok(&["roster", "import", "--people", people.to_str().unwrap()]);
    desk.ok(&["staff", "login", "Ghost Engineer", "ghost-nobody"]);
    desk.ok(&["ticket", &number(&id), "assign", "Ghost Engineer"]);
    let report = desk.sync(10);
    assert_eq!(report["failed"], 1, "{report}");
    let failed = desk.conflicts()["failed"].as_array().unwrap().clone();
    assert_eq!(failed.len(), 1);
    assert!(failed[0]["last_error"].as_str().unwrap().contains("does not exist"), "{failed:?}");
    assert_eq!(desk.outbox().len(), 1, "kept");
    assert_eq!(desk.rt.get(&id)["Owner"]["id"], "Nobody");
    // A later change of the same ticket waits for it (it was based on it); a comment goes on.
    desk.ok(&["ticket", &number(&id), "status", "in-progress"]);
    desk.ok(&["ticket", &number(&id), "comment", "Still stuck"]);
    let report = desk.sync(10);
    assert_eq!((report["pushed"].as_u64(), report["waiting"].as_u64(), report["failed"].as_u64()), (Some(1), Some(1), Some(1)), "{report}");
    assert_eq!(desk.rt.get(&id)["Status"], "registered");
}

#[test]
fn one_sync_at_a_time_and_a_killed_syncs_lease_does_not_keep_the_next_waiting() {
    let Some((_g, desk)) = setup() else { return };
    let db = rusqlite::Connection::open(&desk.db).unwrap();
    let now = chrono::Utc::now().timestamp();
    // Another process's sync runs: its lease in the replica, its lock on the lock file.
    db.execute("INSERT INTO sync_lease (id, holder, until) VALUES (1, 'the window', ?1)", [now + 100]).unwrap();
    let mut name = desk.db.clone().into_os_string();
    name.push(".sync-lock");
    let lock = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&name).unwrap();
    lock.try_lock().unwrap();
    let out = common::run(desk.home(), &desk.args(&["sync"]));
    assert_eq!(out.status.code(), Some(5), "refused while another sync runs");
    assert!(String::from_utf8_lossy(&out.stderr).contains("another sync of this replica is running"), "{}", String::from_utf8_lossy(&out.stderr));
    // It is killed: the system lets its lock go, its lease stays; the next sync runs at once.
    drop(lock);
    desk.sync(0);
    let left: i64 = db.query_row("SELECT count(*) FROM sync_lease", [], |x| x.get(0)).unwrap();
    assert_eq!(left, 0, "released");
}

#[test]
fn a_comment_whose_first_attempt_reached_rt_is_not_sent_again() {
    let Some((_g, desk)) = setup() else { return };
    let id = desk.rt.create("Mail relay refuses", "Medium", "Low");
    desk.sync(0);
    desk.ok(&["ticket", &number(&id), "comment", "Restarted the relay"]);
    let op = desk.outbox()[0]["op_id"].as_str().unwrap().to_string();
    // The first attempt reached RT, but its answer was lost: the operation is still queued.
    desk.rt.comment_as(&id, &op, "Restarted the relay");
    let report = desk.sync(0);
    assert_eq!((report["pushed"].as_u64(), report["already_applied"].as_u64()), (Some(0), Some(1)), "{report}");
    assert_eq!(desk.rt.comments_tagged(&id, &op), 1, "no duplicate comment");
    assert!(desk.outbox().is_empty());
}

#[test]
fn a_comment_written_in_rt_arrives_once_and_smenas_own_is_not_pulled_back() {
    let Some((_g, desk)) = setup() else { return };
    let id = desk.rt.create("VPN drops every hour", "Medium", "Low");
    desk.sync(0);
    let n = number(&id);
    desk.ok(&["ticket", &n, "comment", "Collecting the logs"]);
    desk.rt.comment(&id, "Client: it dropped again at 10:05");
    // RT's author: the test's client uses the same account as Smena.
    desk.assert_comments_pulled_once(&n, "Client: it dropped again at 10:05", "Collecting the logs", "smena-sync");
}

#[test]
fn the_secret_is_in_the_keyring_and_nowhere_in_the_replica_logs_or_config() {
    let Some((_g, desk)) = setup() else { return };
    desk.assert_secret_kept_out(&desk.rt.token);
}

#[test]
fn a_fresh_replica_knows_rts_line_groups_and_escalates_even_where_nobody_fits() {
    let Some((_g, desk)) = setup() else { return };
    let id = desk.rt.create("Core switch drops packets", "High", "High");
    let fresh = Desk::bare(desk.rt.clone());
    fresh.sync(0);
    // The staff directory and each person's line come from RT's groups L1–L3.
    let people: Vec<(String, String, String)> = rusqlite::Connection::open(&fresh.db)
        .unwrap()
        .prepare("SELECT name, role, itsm_login FROM staff ORDER BY itsm_login")
        .unwrap()
        .query_map([], |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let expected = [
        ("Anna (line 1)", "line-1", "l1-anna"),
        ("Boris (line 1)", "line-1", "l1-boris"),
        ("Viktor (line 2)", "line-2", "l2-viktor"),
        ("Galina (line 3, networks)", "line-3", "l3-galina"),
    ];
    for (name, role, login) in expected {
        assert!(people.iter().any(|p| (p.0.as_str(), p.1.as_str(), p.2.as_str()) == (name, role, login)), "{login} in {people:?}");
    }
    // Escalation to line 2 finds someone; to line 3 with a skill nobody is known to have, the
    // ticket goes to the line's queue unassigned — and RT gets the same.
    let n = number(&id);
    fresh.ok(&["ticket", &n, "escalate", "--line", "2", "--reason", "routing problem"]);
    assert_eq!(fresh.ticket(&n)["summary"]["assignee"], "Viktor (line 2)");
    fresh.ok(&["ticket", &n, "escalate", "--line", "3", "--skill", "networks", "--reason", "needs the network team"]);
    let t = fresh.ticket(&n);
    assert_eq!((t["summary"]["line"].as_u64(), t["summary"]["assignee"].clone()), (Some(3), Value::Null), "{}", t["summary"]);
    assert_eq!(fresh.sync(0)["pushed"], 2);
    let rt_side = desk.rt.get(&id);
    assert_eq!((rt_side["Owner"]["id"].as_str(), rt_side["Queue"]["id"].as_str()), (Some("Nobody"), Some(queue_id(&desk.rt, "Line 3").as_str())), "{rt_side}");
}

#[test]
fn fields_come_from_where_rt_keeps_them_through_an_editable_mapping() {
    let Some((_g, desk)) = setup() else { return };
    let ticket = |subject: &str, fields: Value| {
        json!({"Queue": "Line 1", "Subject": subject, "Requestor": "it@granite-bank.example", "Content": format!("{subject}: since 9:00."), "ContentType": "text/plain",
            "CustomFields": fields})
    };
    let id = desk
        .rt
        .create_with(ticket("Cannot log in to the portal", json!({"Urgency": "High", "Impact": "Medium", "Kind": "Incident", "Channel": "Phone", "Service": "Customer portal"})));
    let req = desk.rt.create_with(ticket("A VM for the new CRM", json!({"Urgency": "Low", "Impact": "Low", "Kind": "Service request", "Request type": "New virtual machine"})));
    desk.rt.set_organization("it@granite-bank.example", "Granite Bank");

    let fresh = Desk::bare(desk.rt.clone());
    fresh.sync(0);
    let t = fresh.ticket(&number(&id));
    let s = &t["summary"];
    assert_eq!((s["channel"].as_str(), s["service"].as_str(), s["client"].as_str()), (Some("phone"), Some("Customer portal"), Some("Granite Bank")), "{s}");
    assert_eq!(t["description"], "Cannot log in to the portal: since 9:00.");
    let r = fresh.ticket(&number(&req));
    assert_eq!((r["summary"]["kind"].as_str(), r["request_type"].as_str(), r["summary"]["channel"].as_str()), (Some("request"), Some("new-vm"), Some("email")), "{r}");
    assert_eq!(r["summary"]["contact_authorised"], false, "an e-mail from an address nobody authorised");

    // The mapping is the replica's to edit: here the client comes from a custom field.
    let other = Desk::bare(desk.rt.clone());
    let shown: Value = serde_json::from_str(&other.ok(&["fields"])).unwrap();
    assert_eq!(shown["client"], "requester-organization");
    let file = other.home().join("fields.json");
    std::fs::write(&file, r#"{"client": "Service"}"#).unwrap();
    other.ok(&["fields", "--set", file.to_str().unwrap()]);
    other.sync(0);
    assert_eq!(other.ticket(&number(&id))["summary"]["client"], "Customer portal");
    // A file that is not a mapping is refused by name, and the stored one stays.
    std::fs::write(&file, r#"{"channels": {"Fax": "fax"}}"#).unwrap();
    let out = common::run(other.home(), &other.args(&["fields", "--set", file.to_str().unwrap()]));
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("fields.json"));
    assert_eq!(serde_json::from_str::<Value>(&other.ok(&["fields"])).unwrap()["client"], "Service");
}

#[test]
fn an_escalation_rt_shows_no_pickup_for_is_raised_and_a_pickup_in_rt_stops_the_watch() {
    let Some((_g, desk)) = setup() else { return };
    desk.ok(&["escalations", "--minutes", "1,1,1,1,1"]);
    let late = desk.rt.create("Storage array degraded", "High", "High");
    let taken = desk.rt.create("Uplink flaps on the core switch", "High", "High");
    desk.sync(0);
    for id in [&late, &taken] {
        desk.ok(&["ticket", &number(id), "escalate", "--line", "3", "--skill", "networks", "--reason", "needs the network team"]);
    }
    assert_eq!(desk.sync(0)["pushed"], 2);
    // In RT, a specialist takes one of them into work; the replica pulls it.
    desk.rt.put(&taken, json!({"Status": "in progress"}));
    desk.sync(0);

    // Two minutes on (the clock given to the command): the one RT shows no pickup for is
    // overdue with the next in the chain offered; the one taken is no longer watched.
    let at = |minutes: i64| (chrono::Utc::now() + chrono::Duration::minutes(minutes)).to_rfc3339();
    let later = at(2);
    let v: Value = serde_json::from_str(&desk.ok(&["escalations", "--now", &later, "--json"])).unwrap();
    let waiting = v["waiting"].as_array().unwrap();
    let mine = waiting.iter().find(|w| w["number"] == number(&late).as_str()).unwrap_or_else(|| panic!("{v}"));
    assert_eq!(mine["state"], "overdue", "{mine}");
    let next = mine["next"].clone();
    assert!(next["name"].is_string(), "someone is next: {mine}");
    assert!(!waiting.iter().any(|w| w["number"] == number(&taken).as_str()), "taken into work in RT: {v}");

    // Raised, and the raise reaches RT like any action: the backup owns it, or the deputy or
    // lead is named in a comment.
    desk.ok(&["escalations", "--now", &later, "--raise", &number(&late)]);
    assert_eq!(desk.sync(0)["pushed"], 1);
    if next["level"] == 1 {
        let login: String =
            rusqlite::Connection::open(&desk.db).unwrap().query_row("SELECT itsm_login FROM staff WHERE id = ?1", [next["staff_id"].as_i64().unwrap()], |x| x.get(0)).unwrap();
        assert_eq!(desk.rt.get(&late)["Owner"]["id"].as_str(), Some(login.as_str()));
    } else {
        assert!(desk.rt.comment_count(&late) >= 1, "the chain's comment is in RT");
    }
    // Without a sync for twenty minutes, an expired wait cannot be judged.
    let v: Value = serde_json::from_str(&desk.ok(&["escalations", "--now", &at(20), "--json"])).unwrap();
    let mine = v["waiting"].as_array().unwrap().iter().find(|w| w["number"] == number(&late).as_str()).unwrap_or_else(|| panic!("{v}")).clone();
    assert_eq!(mine["state"], "unknown", "{mine}");
}

//! `smena handover`: the shift handover report's figures and lists checked against queries
//! written here over the same demo replica, and the roster's own month grid (`roster show`)
//! for who works when.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{json, ok, run};
use rusqlite::{params, Connection};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The demo's 20:00 Moscow changeover on the day of `common::NOW` (nothing happens in the
/// demo after its "now", so the clocks stand at the boundary as they stand now).
const AT: &str = "2026-11-28T17:00:00Z";

fn ts(v: &Value) -> DateTime<Utc> {
    v.as_str().and_then(|s| DateTime::parse_from_rfc3339(s).ok()).map(|t| t.with_timezone(&Utc)).unwrap_or_else(|| panic!("not a time: {v}"))
}

/// One person of the month grid: role, name, and the shifts worked as (start, end).
type Person = (String, String, Vec<(DateTime<Utc>, DateTime<Utc>)>);

/// Everyone of the month grid, by staff id.
fn shifts(home: &std::path::Path, db: &str) -> BTreeMap<i64, Person> {
    let month = json(home, &["roster", "show", "--month", "2026-11", "--db", db, "--json"]);
    month["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let worked = p["shifts"].as_array().unwrap().iter().map(|s| (ts(&s["start"]), ts(&s["end"]))).collect();
            (p["staff_id"].as_i64().unwrap(), (p["role"].as_str().unwrap().to_string(), p["name"].as_str().unwrap().to_string(), worked))
        })
        .collect()
}

#[test]
fn the_handover_report_agrees_with_the_replica_and_the_roster() {
    let dir = tempfile::tempdir().unwrap();
    let db = common::demo(dir.path(), "handover.db", 10, 7);
    let db = db.to_str().unwrap();
    let home = dir.path();
    // The demo's escalated tickets are all in work: two more go to the third line and wait.
    let sql = Connection::open(db).unwrap();
    let mut stmt = sql.prepare("SELECT number FROM tickets WHERE line = 2 AND status = 'in-progress' ORDER BY id LIMIT 2").unwrap();
    let escalated: Vec<String> = stmt.query_map([], |x| x.get(0)).unwrap().map(Result::unwrap).collect();
    for n in &escalated {
        ok(home, &["ticket", n, "escalate", "--line", "3", "--skill", "networks", "--reason", "uplink flapping", "--db", db]);
    }
    let h = json(home, &["handover", "--at", AT, "--db", db, "--json"]);
    let at: DateTime<Utc> = AT.parse().unwrap();
    let (from, until) = (at - Duration::hours(12), at + Duration::hours(12));
    assert_eq!(ts(&h["at"]), at);
    assert_eq!(ts(&h["from"]), from);
    assert_eq!(ts(&h["until"]), until);
    let count = |q: &str, p: &[&dyn rusqlite::ToSql]| -> u64 { sql.query_row(q, p, |x| x.get(0)).unwrap() };

    // Each line's shift in figures.
    for (i, l) in h["lines"].as_array().unwrap().iter().enumerate() {
        let line = i as i64 + 1;
        assert_eq!(l["line"], line);
        let came = count("SELECT count(*) FROM tickets WHERE line = ?1 AND created_at >= ?2 AND created_at < ?3", &[&line, &from.timestamp(), &at.timestamp()]);
        let done = count("SELECT count(*) FROM tickets WHERE line = ?1 AND completed_at >= ?2 AND completed_at < ?3", &[&line, &from.timestamp(), &at.timestamp()]);
        let open = count("SELECT count(*) FROM tickets WHERE line = ?1 AND status NOT IN ('completed', 'closed')", &[&line]);
        assert_eq!((l["came_in"].as_u64().unwrap(), l["completed"].as_u64().unwrap(), l["open"].as_u64().unwrap()), (came, done, open), "line {line}");
    }
    assert!(h["lines"].as_array().unwrap().iter().map(|l| l["came_in"].as_u64().unwrap()).sum::<u64>() > 0, "the demo's shift had tickets");

    // Who goes off: a shift ending at the boundary and none going on past it; their open
    // tickets in the lead's order.
    let people = shifts(home, db);
    let leaving: BTreeSet<i64> = people.iter().filter(|(_, (_, _, s))| s.iter().any(|(_, e)| *e == at) && !s.iter().any(|(b, e)| *b <= at && at < *e)).map(|(id, _)| *id).collect();
    assert!(!leaving.is_empty(), "the day shift goes off at 20:00");
    let listed: BTreeSet<i64> = h["leaving"].as_array().unwrap().iter().map(|p| p["staff_id"].as_i64().unwrap()).collect();
    assert_eq!(listed, leaving);
    let mut with_tickets = 0;
    for p in h["leaving"].as_array().unwrap() {
        let mut stmt = sql
            .prepare("SELECT number FROM tickets WHERE assignee_id = ?1 AND status NOT IN ('completed', 'closed') ORDER BY priority, due_at IS NULL, due_at, created_at, id")
            .unwrap();
        let want: Vec<String> = stmt.query_map([p["staff_id"].as_i64().unwrap()], |x| x.get(0)).unwrap().map(Result::unwrap).collect();
        let got: Vec<String> = p["tickets"].as_array().unwrap().iter().map(|t| t["number"].as_str().unwrap().to_string()).collect();
        assert_eq!(got, want, "{}", p["name"]);
        with_tickets += usize::from(!got.is_empty());
    }
    assert!(with_tickets > 0, "someone going off holds open tickets");

    // The next shift's deadlines: a running resolution clock is the stored one-deadline; every
    // open ticket answered and not paused whose deadline falls in the next shift is listed,
    // earliest first, and nothing listed falls outside it.
    let mut stmt =
        sql.prepare("SELECT number, due_at FROM tickets WHERE status NOT IN ('completed', 'closed') AND first_response_at IS NOT NULL AND due_at >= ?1 AND due_at < ?2").unwrap();
    let due: BTreeMap<String, i64> = stmt.query_map(params![at.timestamp(), until.timestamp()], |x| Ok((x.get(0)?, x.get(1)?))).unwrap().map(Result::unwrap).collect();
    assert!(!due.is_empty(), "the demo has deadlines in the next shift");
    let breaching = h["breaching"].as_array().unwrap();
    let when: Vec<DateTime<Utc>> = breaching.iter().map(|t| ts(&t["clock"]["deadline_at"])).collect();
    assert!(when.windows(2).all(|w| w[0] <= w[1]), "earliest first");
    assert!(when.iter().all(|t| at <= *t && *t < until));
    for t in breaching.iter().filter(|t| t["timer"] == "resolution") {
        let n = t["number"].as_str().unwrap();
        assert_eq!(due.get(n).copied(), Some(ts(&t["clock"]["deadline_at"]).timestamp()), "{n}: the stored deadline");
    }
    let resolution: BTreeSet<&str> = breaching.iter().filter(|t| t["timer"] == "resolution").map(|t| t["number"].as_str().unwrap()).collect();
    assert_eq!(resolution, due.keys().map(String::as_str).collect(), "every running resolution clock due in the next shift");
    assert!(h["overdue"].as_array().unwrap().iter().all(|t| ts(&t["clock"]["deadline_at"]) < at));

    // Escalations not yet taken: lines 2 and 3, registered or assigned, longest waiting first.
    let mut stmt = sql
        .prepare(
            "SELECT t.number FROM tickets t WHERE t.line IN (2, 3) AND t.status IN ('registered', 'assigned')
             ORDER BY coalesce((SELECT max(h.at) FROM ticket_history h WHERE h.ticket_id = t.id AND h.field = 'line'), t.created_at), t.id",
        )
        .unwrap();
    let want: Vec<String> = stmt.query_map([], |x| x.get(0)).unwrap().map(Result::unwrap).collect();
    let got: Vec<String> = h["waiting"].as_array().unwrap().iter().map(|w| w["ticket"]["number"].as_str().unwrap().to_string()).collect();
    assert_eq!(got, want);
    assert!(escalated.len() == 2 && escalated.iter().all(|n| got.contains(n)), "the escalations just made wait: {got:?}");

    // What is not synced.
    let waiting_ops = count("SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending', 'failed')", &[]);
    let conflicts = count("SELECT count(*) FROM outbox WHERE state = 'conflict'", &[]);
    assert_eq!((h["unsynced"].as_u64().unwrap(), h["conflicts"].as_u64().unwrap()), (waiting_ops, conflicts));

    // Who comes on, per line: at work at the boundary.
    for l in h["incoming"].as_array().unwrap() {
        let role = format!("line-{}", l["line"]);
        let want: BTreeSet<&str> = people.values().filter(|(r, _, s)| *r == role && s.iter().any(|(b, e)| *b <= at && at < *e)).map(|(_, n, _)| n.as_str()).collect();
        let got: BTreeSet<&str> = l["people"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
        assert_eq!(got, want, "{role}");
    }

    // The shift hour by hour: registered, and lines 1 and 2 on shift at the half hour.
    let load = h["load"].as_array().unwrap();
    assert_eq!(load.len(), 12);
    for (i, hour) in load.iter().enumerate() {
        let start = from + Duration::hours(i as i64);
        assert_eq!(ts(&hour["hour"]), start);
        let came = count("SELECT count(*) FROM tickets WHERE created_at >= ?1 AND created_at < ?2", &[&start.timestamp(), &(start + Duration::hours(1)).timestamp()]);
        let mid = start + Duration::minutes(30);
        let on = people.values().filter(|(r, _, s)| (r == "line-1" || r == "line-2") && s.iter().any(|(b, e)| *b <= mid && mid < *e)).count() as u64;
        assert_eq!((hour["came_in"].as_u64().unwrap(), hour["on_shift"].as_u64().unwrap()), (came, on), "{start}");
    }
}

#[test]
fn the_outgoing_leads_notes_are_kept_for_their_boundary() {
    let dir = tempfile::tempdir().unwrap();
    let db = common::demo(dir.path(), "notes.db", 3, 2);
    let db = db.to_str().unwrap();
    let home = dir.path();
    let notes = "INC-7 waits for the client's callback\n<img src=x onerror=alert(1)> stays text";
    let h = json(home, &["handover", "--at", AT, "--notes", notes, "--db", db, "--json"]);
    assert_eq!(h["notes"], notes);
    assert!(h["notes_by"].as_str().is_some_and(|n| !n.is_empty()), "written by the lead");
    // Read back for the same boundary, and not for another.
    assert_eq!(json(home, &["handover", "--at", AT, "--db", db, "--json"])["notes"], notes);
    assert_eq!(json(home, &["handover", "--at", "2026-11-28T05:00:00Z", "--db", db, "--json"])["notes"], "");
    let text = ok(home, &["handover", "--at", AT, "--db", db]);
    assert!(text.contains("INC-7 waits for the client's callback"), "{text}");
    // A notes file that is not there: a clear error naming it, the notes kept.
    let out = run(home, &["handover", "--at", AT, "--notes-file", "/nonexistent/notes.txt", "--db", db]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/notes.txt"));
    assert_eq!(json(home, &["handover", "--at", AT, "--db", db, "--json"])["notes"], notes);
}

#[test]
fn the_shift_is_handed_over_to_the_least_loaded_of_each_line_as_ordinary_actions() {
    let dir = tempfile::tempdir().unwrap();
    let db = common::demo(dir.path(), "hand-over.db", 10, 7);
    let db = db.to_str().unwrap();
    let home = dir.path();
    let at: DateTime<Utc> = AT.parse().unwrap();
    let report = json(home, &["handover", "--at", AT, "--db", db, "--json"]);
    let people = shifts(home, db);
    let sql = Connection::open(db).unwrap();
    let open_of = |id: i64| -> u32 { sql.query_row("SELECT count(*) FROM tickets WHERE assignee_id = ?1 AND status NOT IN ('completed', 'closed')", [id], |x| x.get(0)).unwrap() };
    let outbox_before: u64 = sql.query_row("SELECT count(*) FROM outbox", [], |x| x.get(0)).unwrap();

    let plan = json(home, &["handover", "--at", AT, "--hand-over", "--db", db, "--json"]);
    assert_eq!(plan["applied"], false);
    let moves = plan["moves"].as_array().unwrap();
    // Every open ticket of everyone going off, once.
    let mut leaving: Vec<String> =
        report["leaving"].as_array().unwrap().iter().flat_map(|p| p["tickets"].as_array().unwrap().iter().map(|t| t["number"].as_str().unwrap().to_string())).collect();
    let mut moved: Vec<String> = moves.iter().map(|m| m["ticket"]["number"].as_str().unwrap().to_string()).collect();
    leaving.sort();
    moved.sort();
    assert_eq!(moved, leaving);
    assert!(!moved.is_empty());
    // Shown, not applied: nothing changed.
    assert_eq!(sql.query_row::<u64, _, _>("SELECT count(*) FROM outbox", [], |x| x.get(0)).unwrap(), outbox_before);

    // Each goes to someone of its line at work when the next shift starts, the least loaded
    // at that point (their open tickets and those handed to them so far), most urgent first.
    let mut load: BTreeMap<i64, u32> = BTreeMap::new();
    let priorities: Vec<u64> = moves.iter().map(|m| m["ticket"]["priority"].as_u64().unwrap()).collect();
    assert!(priorities.windows(2).all(|w| w[0] <= w[1]), "the most urgent placed first");
    for m in moves {
        let role = format!("line-{}", m["ticket"]["line"]);
        let on: Vec<i64> = people.iter().filter(|(_, (r, _, s))| *r == role && s.iter().any(|(b, e)| *b <= at && at < *e)).map(|(id, _)| *id).collect();
        let least = on.iter().map(|id| *load.entry(*id).or_insert_with(|| open_of(*id))).min();
        match m["to_id"].as_i64() {
            Some(to) => {
                assert!(on.contains(&to), "{m}: the taker is of the ticket's line and on the next shift");
                let l = load.get_mut(&to).unwrap();
                assert_eq!(Some(*l), least, "{m}: the least loaded takes it");
                *l += 1;
                assert_eq!(m["load"].as_u64(), Some(u64::from(*l)));
            }
            None => assert!(on.is_empty(), "{m}: left only when nobody of its line comes on"),
        }
    }

    // Applied: each an assignment with its history entry and its outbox operation.
    let done = json(home, &["handover", "--at", AT, "--hand-over", "--apply", "--db", db, "--json"]);
    assert_eq!(done["applied"], true);
    assert_eq!(done["moves"], plan["moves"], "the plan shown is the plan applied");
    let placed: Vec<&Value> = moves.iter().filter(|m| m["to_id"].is_i64()).collect();
    for m in &placed {
        let n = m["ticket"]["number"].as_str().unwrap();
        let (assignee, ops, entries): (i64, u64, u64) = sql
            .query_row(
                "SELECT t.assignee_id, (SELECT count(*) FROM outbox o WHERE o.ticket_id = t.id AND o.kind = 'assign'),
                        (SELECT count(*) FROM ticket_history h WHERE h.ticket_id = t.id AND h.field = 'assignee' AND h.at >= ?2)
                 FROM tickets t WHERE t.number = ?1",
                params![n, at.timestamp() - 86400 * 30],
                |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?)),
            )
            .unwrap();
        assert_eq!(assignee, m["to_id"].as_i64().unwrap(), "{n}");
        assert_eq!(ops, 1, "{n}: one assignment waits for the ITSM");
        assert!(entries >= 1, "{n}: the history says who took it");
    }
    let outbox_after: u64 = sql.query_row("SELECT count(*) FROM outbox", [], |x| x.get(0)).unwrap();
    assert_eq!(outbox_after, outbox_before + placed.len() as u64);
    // Nobody going off holds a ticket that had a taker.
    let after = json(home, &["handover", "--at", AT, "--db", db, "--json"]);
    let still: usize = after["leaving"].as_array().unwrap().iter().map(|p| p["tickets"].as_array().unwrap().len()).sum();
    assert_eq!(still, moves.len() - placed.len());
}

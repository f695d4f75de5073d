//! A kill at any moment leaves the replica consistent: a process applying actions in a
//! loop is killed with SIGKILL at pseudo-random moments, 50 times; every time the replica
//! passes `PRAGMA integrity_check`, every action the process reported as done is on the
//! ticket and in the outbox, and nothing is half-applied.

mod common;

use rusqlite::Connection;
use std::collections::HashSet;
use std::io::Read;
use std::process::Stdio;
use std::time::Duration;

fn set(conn: &Connection, sql: &str) -> HashSet<String> {
    let mut stmt = conn.prepare(sql).unwrap();
    let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
    rows.map(|r| r.unwrap()).collect()
}

#[test]
fn killing_the_process_mid_action_loses_nothing_it_reported_and_half_applies_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = common::demo(dir.path(), "crash.db", 3, 9);
    let mut seed: u64 = 0x5eed;
    let mut reported_total = 0;
    for round in 0..50 {
        let mut child =
            common::smena(dir.path()).args(["stress-actions", "--count", "100000", "--db", db.to_str().unwrap()]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let delay = 40 + (seed >> 33) % 260;
        std::thread::sleep(Duration::from_millis(delay));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let mut out = String::new();
        child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
        let reported: Vec<&str> = out.lines().filter_map(|l| l.strip_prefix("ok ")).map(|l| l.split(' ').next().unwrap()).collect();
        reported_total += reported.len();

        let conn = Connection::open(&db).unwrap();
        let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(check, "ok", "round {round}");
        let queued = set(&conn, "SELECT op_id FROM outbox");
        let recorded = set(&conn, "SELECT DISTINCT op_id FROM ticket_history WHERE op_id IS NOT NULL");
        for op in &reported {
            assert!(queued.contains(*op), "round {round}: reported {op} is not in the outbox");
        }
        assert_eq!(queued, recorded, "round {round}: every queued operation is on its ticket and vice versa");
        // A comment operation left its comment; an impact operation its change.
        let orphans: i64 = conn
            .query_row(
                "SELECT count(*) FROM outbox o WHERE o.kind = 'comment' AND NOT EXISTS
                   (SELECT 1 FROM comments c WHERE c.ticket_id = o.ticket_id AND c.body = json_extract(o.payload, '$.body'))",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(orphans, 0, "round {round}");
    }
    eprintln!("{reported_total} actions reported as done across 50 kills");
    assert!(reported_total > 50, "the process got to act between kills ({reported_total} actions)");
}

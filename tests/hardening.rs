//! Hostile data, hostile servers and careless timing, through the real `smena` binary: each
//! test names the finding it keeps fixed. No panic (exit 101) is reachable from a file, a
//! server, the replica or the command line; output stays inert; secrets stay put.

mod common;

use common::{demo, json, ok, run};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Stdio;

fn db_arg(db: &Path) -> &str {
    db.to_str().unwrap()
}

fn sql(db: &Path, statement: &str) {
    rusqlite::Connection::open(db).unwrap().execute_batch(statement).unwrap();
}

/// Finding 1: A contract whose targets would run the SLA clock off the calendar is refused with the
/// field named; one written into the replica behind Smena's back gives an error, not a panic.
#[test]
fn an_absurd_contract_is_refused_by_field_and_one_smuggled_in_panics_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path(), "c.db", 3, 1);
    let client = json(dir.path(), &["sla", "show", "Гранит Банк", "--db", db_arg(&db)]);
    let mut absurd = client.clone();
    absurd["resolution_hours"][2] = 4_000_000_000u64.into();
    let file = dir.path().join("absurd.json");
    std::fs::write(&file, absurd.to_string()).unwrap();
    let out = run(dir.path(), &["sla", "set", "Гранит Банк", file.to_str().unwrap(), "--db", db_arg(&db)]);
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("resolution_hours[2] is 4000000000"), "{}", String::from_utf8_lossy(&out.stderr));

    sql(&db, &format!("UPDATE sla_contracts SET contract = '{}'", absurd.to_string().replace('\'', "''")));
    for args in [vec!["report", "at-risk", "--now", common::NOW, "--json"], vec!["report", "sla", "--from", "2026-11-25", "--to", "2026-11-28", "--now", common::NOW, "--json"]] {
        let mut args = args.clone();
        args.extend(["--db", db_arg(&db)]);
        let out = run(dir.path(), &args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_ne!(out.status.code(), Some(101), "{args:?} panicked: {err}");
        assert!(!out.status.success() && err.contains("resolution_hours[2]"), "{args:?}: {err}");
    }
}

/// Finding 2: An import row dated in a year chrono can barely hold is skipped with its line, and the
/// rest of the file imports.
#[test]
fn an_import_row_dated_past_the_calendar_is_skipped_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let header = "number,incident_state,active,reassignment_count,reopen_count,sys_mod_count,made_sla,caller_id,opened_by,opened_at,sys_created_by,sys_created_at,sys_updated_by,sys_updated_at,contact_type,location,category,subcategory,u_symptom,cmdb_ci,impact,urgency,priority,assignment_group,assigned_to,knowledge,u_priority_confirmation,notify,problem_id,rfc,vendor,caused_by,closed_code,resolved_by,resolved_at,closed_at";
    let row = |number: &str, at: &str| {
        format!("{number},New,true,0,0,0,true,Caller 1,Opened by 1,{at},Created by 1,{at},Updated by 2,{at},Phone,Location 1,Category 1,Subcategory 1,Symptom 1,?,2 - Medium,2 - Medium,3 - Moderate,Group 1,Resolver 1,true,false,Do Not Notify,?,?,?,?,code 5,?,?,?")
    };
    let file = dir.path().join("far.csv");
    let lines = [header.to_string(), row("INC1", "1/3/2016 09:00"), row("INC2", "31/12/+262143 23:00"), row("INC3", "1/3/+262142 09:00")];
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let db = dir.path().join("i.db");
    let out = run(dir.path(), &["import", "servicenow", file.to_str().unwrap(), "--db", db_arg(&db), "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["imported"], 1);
    let skipped: Vec<(u64, &str)> = report["skipped"].as_array().unwrap().iter().map(|s| (s["line"].as_u64().unwrap(), s["reason"].as_str().unwrap())).collect();
    assert_eq!(skipped.iter().map(|s| s.0).collect::<Vec<_>>(), [3, 4], "{skipped:?}");
    assert!(skipped[1].1.contains("'1/3/+262142 09:00' is outside the years 1970–9999"), "{skipped:?}");
}

/// Finding 3: A client's monthly SLA report as CSV never hands a spreadsheet a formula.
#[test]
fn no_cell_of_a_csv_report_runs_as_a_formula() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path(), "x.db", 40, 2);
    sql(&db, "UPDATE tickets SET subject = '=HYPERLINK(\"http://evil.example\",\"click\")'; UPDATE staff SET name = '@SUM(1+1)|cmd ' || name;");
    let csv_text = ok(dir.path(), &["report", "sla-month", "--client", "Гранит Банк", "--month", "2026-11", "--now", common::NOW, "--csv", "--db", db_arg(&db)]);
    let mut cells = 0;
    for record in csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(csv_text.as_bytes()).records() {
        for cell in record.unwrap().iter() {
            cells += 1;
            assert!(!cell.starts_with(['=', '+', '@', '\t', '\r']), "a cell a spreadsheet would run: {cell:?}");
        }
    }
    assert!(csv_text.contains("'=HYPERLINK"), "the subjects are there, as text");
    assert!(cells > 20);
}

/// Finding 8: Text from a ticket reaches the terminal without its control sequences.
#[test]
fn terminal_output_carries_no_escape_sequences_from_ticket_text() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path(), "t.db", 2, 3);
    sql(&db, "UPDATE tickets SET subject = 'VPN ' || char(27) || '[2J' || char(27) || ']0;pwned' || char(7) || ' down'");
    let number = json(dir.path(), &["tickets", "--limit", "1", "--json", "--db", db_arg(&db)])["tickets"][0]["number"].as_str().unwrap().to_string();
    for args in [vec!["tickets", "--limit", "5"], vec!["ticket", number.as_str()]] {
        let mut args = args.clone();
        args.extend(["--db", db_arg(&db)]);
        let out = ok(dir.path(), &args);
        assert!(out.contains("VPN"), "{out}");
        assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "control characters reached the terminal: {out:?}");
    }
}

/// Finding 5: The ITSM's secret goes to the ITSM: not to a proxy the environment names, and a URL
/// with a password in it is refused without being repeated or stored.
#[test]
fn the_secret_goes_to_the_itsm_not_to_a_proxy_and_a_password_in_a_url_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let proxy = TcpListener::bind("127.0.0.1:0").unwrap();
    let itsm = TcpListener::bind("127.0.0.1:0").unwrap();
    proxy.set_nonblocking(true).unwrap();
    let itsm_port = itsm.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        // Answers every request with 401, and keeps what it was sent.
        let mut seen = String::new();
        itsm.set_nonblocking(false).unwrap();
        for stream in itsm.incoming().take(1) {
            let mut s = stream.unwrap();
            let mut buf = [0u8; 8192];
            let n = s.read(&mut buf).unwrap();
            seen.push_str(&String::from_utf8_lossy(&buf[..n]));
            let _ = s.write_all(b"HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
        }
        seen
    });
    let proxy_url = format!("http://127.0.0.1:{}", proxy.local_addr().unwrap().port());
    let mut child = common::smena(dir.path())
        .args(["connect", "rt", "--url", &format!("http://127.0.0.1:{itsm_port}"), "--db", db_arg(&db)])
        .env("http_proxy", &proxy_url)
        .env("HTTP_PROXY", &proxy_url)
        .env("ALL_PROXY", &proxy_url)
        .env("all_proxy", &proxy_url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"tok-SECRET-123\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let seen = server.join().unwrap();
    assert_eq!(out.status.code(), Some(8), "refused credentials: {}", String::from_utf8_lossy(&out.stderr));
    assert!(seen.contains("tok-SECRET-123"), "the ITSM itself got the token: {seen}");
    assert!(proxy.accept().is_err(), "nothing went to the proxy");

    let out = run(dir.path(), &["connect", "rt", "--url", "https://lead:s3cret-pass@desk.example.ru", "--db", db_arg(&db)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("user name or password") && !err.contains("s3cret-pass"), "{err}");
    let stored = rusqlite::Connection::open(&db).unwrap().query_row("SELECT count(*) FROM settings WHERE value LIKE '%s3cret%'", [], |x| x.get::<_, i64>(0)).unwrap();
    assert_eq!(stored, 0);
}

/// Finding 7: An export larger than Smena reads at once is refused with what to do, as is a zip whose
/// small header hides a huge file.
#[test]
fn an_oversized_export_and_a_zip_bomb_are_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("b.db");
    let big = dir.path().join("big.csv");
    std::fs::File::create(&big).unwrap().set_len(129 << 20).unwrap();
    let bomb = dir.path().join("bomb.zip");
    {
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&bomb).unwrap());
        zip.start_file("incidents.csv", zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated)).unwrap();
        let zeros = vec![b'0'; 1 << 20];
        for _ in 0..130 {
            zip.write_all(&zeros).unwrap();
        }
        zip.finish().unwrap();
    }
    assert!(std::fs::metadata(&bomb).unwrap().len() < 4 << 20, "the bomb is small");
    for file in [&big, &bomb] {
        let out = run(dir.path(), &["import", "servicenow", file.to_str().unwrap(), "--db", db_arg(&db)]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{}: {err}", file.display());
        assert!(err.contains("larger than 128 MiB") && err.contains("shorter period"), "{err}");
    }
}

/// Finding 9: The demo never fills a replica that belongs to a real desk.
#[test]
fn the_demo_does_not_fill_a_replica_that_was_connected_to_an_itsm() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("real.db");
    ok(dir.path(), &["tickets", "--db", db_arg(&db)]);
    sql(&db, r#"INSERT INTO settings (key, value) VALUES ('itsm_identity', '{"kind":"rt","url":"https://rt.example.ru","user":null}')"#);
    let out = run(dir.path(), &["demo", "--db", db_arg(&db), "--days", "2"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(err.contains("never connected to an ITSM"), "{err}");
    let info = json(dir.path(), &["tickets", "--json", "--db", db_arg(&db)]);
    assert_eq!(info["total"], 0);
}

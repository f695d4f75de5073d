//! Benchmarks of the replica at scale: `cargo bench -p smena-core [-- TICKETS]`.
//!
//! Builds (once, then reuses) a demo replica of about TICKETS tickets (default 1,000,000)
//! under target/, then times the operations a lead feels: one action (validate + row +
//! history + outbox, in one transaction), the first queue page, a filtered page, a search.
//! Prints the median, p95 and max of each.

use chrono::{TimeZone, Utc};
use smena_core::actions::{self, Actor};
use smena_core::demo::{write_demo, DemoOptions};
use smena_core::domain::{Action, Level, Line, Status};
use smena_core::store::queue::{self, QueueFilter};
use smena_core::store::Replica;
use smena_core::FixedClock;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Removes an SQLite file and the write-ahead log and index beside it.
fn remove_db(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// The same answer from the `sqlite3` command-line tool running the plainest correct SQL on
/// the same file: its output, and the time per query — a session running the query `runs`
/// times, less a session that only opens the file, divided by `runs` (the tool's own timer
/// counts whole milliseconds only). `None` when `sqlite3` is not installed.
fn floor(path: &std::path::Path, sql: &str, runs: usize) -> Option<(Duration, String)> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let session = |script: &str| -> Option<(Duration, String)> {
        let t = Instant::now();
        let mut child = Command::new("sqlite3").arg("-readonly").arg(path).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().ok()?;
        child.stdin.take()?.write_all(script.as_bytes()).ok()?;
        let out = child.wait_with_output().ok()?;
        Some((t.elapsed(), String::from_utf8_lossy(&out.stdout).trim_end().to_string()))
    };
    let (_, answer) = session(&format!("{sql}\n"))?;
    let base = (0..3).filter_map(|_| session("SELECT 1;\n").map(|x| x.0)).min()?;
    let repeated = format!(".output /dev/null\n{}", format!("{sql}\n").repeat(runs));
    let total = (0..2).filter_map(|_| session(&repeated).map(|x| x.0)).min()?;
    Some((total.saturating_sub(base) / runs as u32, answer))
}

/// One row of the floor table: ours against sqlite3's, and whether the answers agree.
struct Versus {
    name: &'static str,
    ours: Duration,
    floor: Option<(Duration, String)>,
    ours_answer: String,
}

fn versus_table(rows: &[Versus]) {
    println!("\n{:<44} {:>10} {:>12} {:>7}  same answer", "against the sqlite3 floor", "ours", "sqlite3", "ratio");
    for v in rows {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        match &v.floor {
            Some((f, answer)) => println!(
                "{:<44} {:>7.3} ms {:>9.3} ms {:>7} {}",
                v.name,
                ms(v.ours),
                ms(*f),
                if f.is_zero() { "—".to_string() } else { format!("{:.2}", v.ours.as_secs_f64() / f.as_secs_f64()) },
                if *answer == v.ours_answer { "yes" } else { "NO" }
            ),
            None => println!("{:<44} {:>7.3} ms   (sqlite3 not installed)", v.name, ms(v.ours)),
        }
    }
}

fn stats(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let pick = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("{name:<44} n={:<5} median {:>8.3} ms   p95 {:>8.3} ms   max {:>8.3} ms", samples.len(), ms(pick(0.5)), ms(pick(0.95)), ms(pick(1.0)));
}

fn time<T>(n: usize, mut f: impl FnMut(usize) -> T) -> Vec<Duration> {
    (0..n)
        .map(|i| {
            let t = Instant::now();
            std::hint::black_box(f(i));
            t.elapsed()
        })
        .collect()
}

/// Imports the real ServiceNow log (141,712 rows) into a fresh replica, three times.
fn servicenow_import() {
    use smena_core::import::servicenow::{import, ImportOptions};
    let log = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/servicenow/incident_event_log.uci498.zip");
    let opts = ImportOptions { tz: chrono_tz::UTC, dry_run: false, mapping: Default::default() };
    let samples = time(3, |i| {
        let dir = std::env::temp_dir().join(format!("smena-bench-import-{}-{i}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut r = Replica::open(&dir.join("sn.db")).unwrap();
        let report = import(&mut r, &log, &opts, &mut |_, _| {}).unwrap();
        assert_eq!(report.tickets, 24_918);
        drop(r);
        std::fs::remove_dir_all(&dir).unwrap();
    });
    stats("import: ServiceNow log, 141,712 rows", samples);
}

/// Applying pulled tickets to the replica (the connector left out): 100,000 new tickets in
/// pages of 500, each page one transaction, then the same 100,000 again as updates.
fn pulled_apply() {
    use smena_core::sync::{engine, ChangePage, RemoteTicket};
    let dir = std::env::temp_dir().join(format!("smena-bench-pull-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut r = Replica::open(&dir.join("pulled.db")).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap();
    let levels = [Level::VeryHigh, Level::High, Level::Medium, Level::Low, Level::None];
    let ticket = |i: usize, status: Status| RemoteTicket {
        id: (i + 1).to_string(),
        number: format!("RT-{}", i + 1),
        priority: None,
        subject: format!("Pulled ticket {i}: VM vm-{:03} not responding", i % 1000),
        status,
        urgency: levels[i % 5],
        impact: levels[(i / 5) % 5],
        line: Line::try_from((i % 3 + 1) as u8).unwrap(),
        owner: Some(format!("engineer-{}", i % 12)),
        kind: smena_core::domain::Kind::Incident,
        requestor: Some(format!("ops@client-{}.example", i % 40)),
        created: now - chrono::Duration::minutes(i as i64),
        updated: now,
        version: None,
        history: None,
        fields: Default::default(),
    };
    for (label, status) in [("sync: apply 100,000 pulled tickets (new)", Status::Registered), ("sync: apply 100,000 pulled tickets (changed)", Status::InProgress)] {
        let t = Instant::now();
        for page in 0..200 {
            let tickets = (page * 500..(page + 1) * 500).map(|i| ticket(i, status)).collect();
            engine::apply_page(&mut r, "rt", &ChangePage { tickets, cursor: format!("tx:{page}"), more: true, ..Default::default() }).unwrap();
        }
        let secs = t.elapsed().as_secs_f64();
        println!("{label:<45} {:.2} s, {:.0} tickets/s", secs, 100_000.0 / secs);
    }
    drop(r);
    // The floor: sqlite3 inserting the same 100,000 rows into an empty replica of the same
    // schema (its indexes, search index and rollups), 500 rows per transaction as above.
    let empty = dir.join("floor.db");
    drop(Replica::open(&empty).unwrap());
    let mut script = String::from(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
         INSERT INTO clients (name, contract_no, time_zone) VALUES ('client.example', 'ITSM:client.example', 'Europe/Moscow');\n",
    );
    for page in 0..200 {
        script.push_str(&format!(
            "BEGIN; INSERT INTO tickets (number, kind, client_id, contact_name, contact_email, channel, service, subject, urgency, impact, priority, status, line,
                 created_at, updated_at, due_at, external_id)
             SELECT 'RT-' || value, 'incident', 1, 'ops@client-' || (value % 40) || '.example', 'ops@client-' || (value % 40) || '.example', 'email', '',
                 'Pulled ticket ' || value || ': VM vm-' || (value % 1000) || ' not responding', 'high', 'low', 3, 'registered', value % 3 + 1,
                 1795856400 - value * 60, 1795856400, 1795856400 + 86400, value
             FROM generate_series({}, {}); COMMIT;\n",
            page * 500 + 1,
            page * 500 + 500
        ));
    }
    let t = Instant::now();
    let floor = std::process::Command::new("sqlite3").arg(&empty).stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::null()).spawn().and_then(|mut child| {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(script.as_bytes())?;
        child.wait()
    });
    if floor.is_ok_and(|s| s.success()) {
        let secs = t.elapsed().as_secs_f64();
        println!("{:<45} {:.2} s, {:.0} tickets/s", "  sqlite3 floor: the same rows, same pages", secs, 100_000.0 / secs);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Writes a demo of about `tickets` tickets into a new file at `path`, timed.
fn build_demo(path: &std::path::Path, tickets: u64) {
    let now = Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap();
    let days = smena_core::demo::days_for(tickets);
    remove_db(path);
    let t = Instant::now();
    let mut r = Replica::open(path).unwrap();
    let s = write_demo(&mut r, &DemoOptions { days, seed: 1, now }).unwrap();
    drop(r);
    println!("demo: {} tickets, {} history entries, {} comments written in {:.1} s", s.tickets, s.history_entries, s.comments, t.elapsed().as_secs_f64());
}

/// The floor for writing the demo: `sqlite3` copying the demo's finished rows (no simulation)
/// into an empty replica of the same schema, in one transaction, with the plainest SQL.
fn demo_floor(demo: &std::path::Path) {
    let empty = demo.with_extension("floor");
    remove_db(&empty);
    drop(Replica::open(&empty).unwrap());
    let tables = ["clients", "contacts", "staff", "request_types", "tickets", "ticket_history", "comments"];
    let copy: String = tables.iter().map(|t| format!("INSERT INTO {t} SELECT * FROM demo.{t};\n")).collect();
    let script = format!("ATTACH '{}' AS demo;\nBEGIN;\n{copy}COMMIT;\n", demo.display().to_string().replace('\'', "''"));
    let t = Instant::now();
    let done = std::process::Command::new("sqlite3").arg(&empty).stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::null()).spawn().and_then(|mut child| {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(script.as_bytes())?;
        child.wait()
    });
    match done {
        Ok(status) if status.success() => println!("{:<45} {:.1} s", "  sqlite3 floor: copying the demo's rows", t.elapsed().as_secs_f64()),
        Ok(status) => println!("  sqlite3 floor for the demo: sqlite3 failed ({status})"),
        Err(e) => println!("  sqlite3 floor for the demo: sqlite3 could not run ({e})"),
    }
    remove_db(&empty);
}

/// The first pull of `n` tickets from a real Request Tracker (connector and replica both):
/// `.ci/rt/seed-bulk` fills a second RT instance (its own data directory and port, so the
/// sync tests' RT is left alone) once, then a fresh replica pulls everything from it.
fn rt_first_pull(n: usize) {
    use smena_core::sync::{engine, rt::Rt, PullPhase, DEFAULT_PARALLEL};
    use std::process::Command;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let env = [("SMENA_RT_DIR", root.join("target/rt-bench")), ("SMENA_RT_PORT", PathBuf::from("8392"))];
    let t = Instant::now();
    let out = Command::new(root.join(".ci/rt/seed-bulk")).arg(n.to_string()).envs(env.clone()).output();
    let text = out.as_ref().map(|o| String::from_utf8_lossy(&o.stdout).to_string()).unwrap_or_default();
    let value = |key: &str| text.lines().find_map(|l| l.strip_prefix(&format!("{key}="))).map(|v| v.trim_matches(['\'', '"']).to_string());
    let (Some(url), Some(token)) = (value("RT_URL"), value("RT_TOKEN")) else {
        println!(
            "sync: first pull from RT: skipped (Request Tracker could not be started: {})",
            out.map(|o| String::from_utf8_lossy(&o.stderr).to_string()).unwrap_or_else(|e| e.to_string())
        );
        return;
    };
    println!("sync: RT with {n} tickets ready in {:.1} s", t.elapsed().as_secs_f64());
    let dir = std::env::temp_dir().join(format!("smena-bench-rt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // A first pull: the time to the open queue usable (its part's last page stored) and to
    // the whole history.
    let pull = |url: &str, db: &str, proxy: Option<&recording::Proxy>| {
        let mut r = Replica::open(&dir.join(db)).unwrap();
        let mut api = Rt::new(url, &token).unwrap().with_parallel(DEFAULT_PARALLEL);
        let t = Instant::now();
        let mut open_queue = None;
        let report = engine::sync(&mut r, &mut api, "rt", Utc::now(), &mut |p| {
            if p.phase != PullPhase::OpenQueue && open_queue.is_none() {
                open_queue = Some((t.elapsed().as_secs_f64(), proxy.map_or(0, |p| p.requests().len())));
            }
        });
        (report, open_queue, t.elapsed().as_secs_f64())
    };
    // Once through a recording proxy, for the requests RT was asked; then straight to RT, timed.
    let proxy = recording::Proxy::start(&url);
    let (recorded, open_mark, _) = pull(&proxy.url, "recorded.db", Some(&proxy));
    let requests = proxy.requests();
    let (report, open_queue, secs) = pull(&url, "first-pull.db", None);
    match (recorded, report, open_queue, open_mark) {
        (Ok(_), Ok(report), Some((open_secs, _)), Some((_, open_requests))) => {
            // RT's own floor: the same requests, as many at once, by a plain HTTP client.
            let floor_open = recording::replay(&url, &requests[..open_requests], DEFAULT_PARALLEL);
            let floor_all = recording::replay(&url, &requests, DEFAULT_PARALLEL);
            let workers = std::fs::read_to_string(root.join("target/rt-bench/workers")).map(|w| w.trim().to_string()).unwrap_or_else(|_| "?".into());
            println!("sync: first pull of {n} tickets from RT ({workers} workers, {DEFAULT_PARALLEL} requests at once, {} requests): {} tickets", requests.len(), report.pulled);
            println!("{:<45} {open_secs:.1} s (RT serving its {open_requests} requests: {floor_open:.1} s; goal < 15 s)", "sync: connect to the open queue usable");
            println!(
                "{:<45} {secs:.1} s = {:.2} x RT serving the same requests ({floor_all:.1} s; goal <= 1.2 x), {:.0} tickets/s",
                "sync: connect to the whole history",
                secs / floor_all,
                f64::from(report.pulled) / secs
            );
        }
        (recorded, report, _, _) => println!("sync: first pull from RT failed: {:?} / {:?}", recorded.err(), report.err()),
    }
    std::fs::remove_dir_all(&dir).unwrap();
    let _ = Command::new(root.join(".ci/rt/stop")).envs(env).output();
}

#[path = "../../../tests/common/http.rs"]
mod http;

/// A proxy on loopback that records every request a pull sends to RT, and a plain client
/// that sends them again: what RT needs to serve a pull's requests, with no Smena work.
mod recording {
    use super::http::{closing, exchange, read_request};
    use std::io::Write;
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};

    pub struct Proxy {
        pub url: String,
        seen: Arc<Mutex<Vec<Vec<u8>>>>,
    }

    impl Proxy {
        pub fn start(target: &str) -> Proxy {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let url = format!("http://{}", listener.local_addr().unwrap());
            let upstream = target.trim_start_matches("http://").to_string();
            let seen = Arc::new(Mutex::new(Vec::new()));
            let log = seen.clone();
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    let Ok(mut c) = conn else { continue };
                    let (upstream, log) = (upstream.clone(), log.clone());
                    std::thread::spawn(move || {
                        let Some(request) = read_request(&mut c) else { return };
                        let request = closing(&request);
                        log.lock().unwrap().push(request.clone());
                        let _ = c.write_all(&exchange(&upstream, &request));
                    });
                }
            });
            Proxy { url, seen }
        }

        /// The requests recorded so far, in the order they came.
        pub fn requests(&self) -> Vec<Vec<u8>> {
            self.seen.lock().unwrap().clone()
        }
    }

    /// Sends `requests` to RT at `url`, `parallel` at a time; the seconds it took.
    pub fn replay(url: &str, requests: &[Vec<u8>], parallel: usize) -> f64 {
        let upstream = url.trim_start_matches("http://");
        let next = std::sync::atomic::AtomicUsize::new(0);
        let t = std::time::Instant::now();
        std::thread::scope(|s| {
            for _ in 0..parallel {
                s.spawn(|| loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(request) = requests.get(i) else { return };
                    exchange(upstream, request);
                });
            }
        });
        t.elapsed().as_secs_f64()
    }
}

/// The queue's pages a lead asks for most: the open queue, a small and a large status or
/// line (the chips), and deep in all tickets.
fn queue_pages(r: &Replica) {
    stats("queue: first page (open, lead's order, 100)", time(50, |_| queue::page(r, &QueueFilter::default(), 0, 100).unwrap()));
    let line2 = QueueFilter { line: Some(Line::SECOND), status: Some(Status::InProgress), ..Default::default() };
    stats("queue: line 2 in progress, page of 100", time(50, |_| queue::page(r, &line2, 0, 100).unwrap()));
    let line1 = QueueFilter { line: Some(Line::FIRST), ..Default::default() };
    stats("queue: line 1, open, page of 100", time(20, |_| queue::page(r, &line1, 0, 100).unwrap()));
    let closed = QueueFilter { status: Some(Status::Closed), include_done: true, ..Default::default() };
    stats("queue: the closed tickets (the status chip), page of 100", time(20, |_| queue::page(r, &closed, 0, 100).unwrap()));
    let line2_all = QueueFilter { line: Some(Line::SECOND), include_done: true, ..Default::default() };
    stats("queue: line 2 in every status, page of 100", time(20, |_| queue::page(r, &line2_all, 0, 100).unwrap()));
    let all = QueueFilter { include_done: true, ..Default::default() };
    stats("queue: all tickets, page 100 at offset 5,000", time(20, |_| queue::page(r, &all, 5_000, 100).unwrap()));
    // The count chips under a filter other than status and line, over every ticket.
    let medium = QueueFilter { priority: Some(smena_core::domain::Priority::Medium), include_done: true, ..Default::default() };
    stats("queue: counts under priority medium, all tickets", time(20, |_| queue::counts(r, &medium).unwrap()));
    let facets = queue::facets(r).unwrap();
    let client = QueueFilter { client_id: Some(facets.clients[0].id), include_done: true, ..Default::default() };
    stats("queue: counts under one client, all tickets", time(20, |_| queue::counts(r, &client).unwrap()));
    let assignee = QueueFilter { assignee_id: Some(facets.assignees[0].id), include_done: true, ..Default::default() };
    stats("queue: counts under one assignee, all tickets", time(20, |_| queue::counts(r, &assignee).unwrap()));
}

fn main() {
    // `cargo bench -p smena-core -- pulled`: only the pulled-tickets figures; `-- rt-pull`:
    // only the first pull from a real RT; `-- contract`: only the contract change (on the
    // replica of the last run, if there is one); `-- queue`: only the queue's pages (the same).
    if std::env::args().any(|a| a == "pulled") {
        pulled_apply();
        return;
    }
    if std::env::args().any(|a| a == "rt-pull") {
        rt_first_pull(20_000);
        return;
    }
    if std::env::args().any(|a| a == "demo") {
        let tickets: u64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1_000_000);
        let dir = std::env::temp_dir().join(format!("smena-bench-demo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        build_demo(&dir.join("demo.db"), tickets);
        std::fs::remove_dir_all(&dir).unwrap();
        return;
    }
    let only_contract = std::env::args().any(|a| a == "contract" || a == "queue");
    if !only_contract {
        servicenow_import();
        pulled_apply();
    }
    let tickets: u64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1_000_000);
    let now = Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("replica-{tickets}.db"));
    // Written afresh each run (`-- reuse` keeps the last one), so the run times the demo too.
    if !path.exists() || !(std::env::args().any(|a| a == "reuse") || only_contract) {
        let building = dir.join(format!("replica-{tickets}.db.building"));
        build_demo(&building, tickets);
        demo_floor(&building);
        remove_db(&path);
        std::fs::rename(&building, &path).unwrap();
    }
    if std::env::args().any(|a| a == "contract") {
        contract_change(&path, now);
        return;
    }
    let t = Instant::now();
    let mut r = Replica::open(&path).unwrap();
    let first = queue::page(&r, &QueueFilter::default(), 0, 100).unwrap();
    println!("open the replica and read the first queue page: {:.1} ms ({} tickets, {} open)", t.elapsed().as_secs_f64() * 1000.0, queue::info(&r).unwrap().tickets, first.total);

    queue_pages(&r);
    if std::env::args().any(|a| a == "queue") {
        return;
    }
    let search = QueueFilter { search: Some("Hudson".into()), include_done: true, ..Default::default() };
    stats("queue: text search over all tickets", time(10, |_| queue::page(&r, &search, 0, 100).unwrap()));
    let open_search = QueueFilter { search: Some("Hudson".into()), ..Default::default() };
    stats("queue: text search in the open queue", time(10, |_| queue::page(&r, &open_search, 0, 100).unwrap()));
    let short = QueueFilter { search: Some("Ве".into()), ..Default::default() };
    stats("queue: 2-letter search in the open queue", time(10, |_| queue::page(&r, &short, 0, 100).unwrap()));
    stats("queue: counts per status and line", time(20, |_| queue::counts(&r, &QueueFilter::default()).unwrap()));
    stats("queue: counts under a search over all tickets", time(10, |_| queue::counts(&r, &search).unwrap()));

    // One lead action: validate, write the row, its history and the outbox entry, commit.
    let actor = Actor::resolve(&r, None).unwrap();
    let clock = FixedClock(now);
    let open: Vec<String> = queue::page(&r, &QueueFilter::default(), 0, 200).unwrap().rows.into_iter().map(|x| x.number).collect();
    let samples = time(400, |i| {
        let number = &open[i % open.len()];
        let action = if i % 2 == 0 {
            Action::Comment { body: format!("bench {i}") }
        } else {
            let impact = queue::row_by_number(&r, number).unwrap().impact;
            Action::SetImpact { level: if impact == Level::High { Level::Medium } else { Level::High }, reason: "bench".into() }
        };
        actions::apply(&mut r, &clock, &actor, number, &action).unwrap()
    });
    stats("action: comment or impact (row+history+outbox)", samples);
    let december = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    stats("roster: generate a month (31 people)", time(10, |_| smena_core::roster::month::generate(&mut r, december, now).unwrap()));
    dashboards(&r, now);
    against_sqlite3(&r, &path);
    drop(r);
    contract_change(&path, now);
}

/// A contract change on a client with 10,000 open tickets: the contract and every open
/// ticket's deadline under it, in one transaction. On a copy of the replica, whose open
/// tickets are topped up to 10,000 for one client by reopening its latest closed ones.
fn contract_change(path: &std::path::Path, now: chrono::DateTime<Utc>) {
    use smena_core::sla::{contract, SupportHours};
    let copy = path.with_extension("contract.db");
    remove_db(&copy);
    std::fs::copy(path, &copy).unwrap();
    let mut r = Replica::open(&copy).unwrap();
    let client: String = rusqlite::Connection::open(&copy)
        .unwrap()
        .query_row("SELECT c.name FROM clients c JOIN tickets t ON t.client_id = c.id GROUP BY c.id ORDER BY count(*) DESC LIMIT 1", [], |x| x.get(0))
        .unwrap();
    let at = now.timestamp();
    let open: i64 = r
        .write(|tx| {
            let id: i64 = tx.query_row("SELECT id FROM clients WHERE name = ?1", [&client], |x| x.get(0))?;
            let open: i64 = tx.query_row("SELECT count(*) FROM tickets WHERE client_id = ?1 AND status NOT IN ('completed', 'closed')", [id], |x| x.get(0))?;
            tx.execute(
                "CREATE TEMP TABLE reopened AS SELECT id FROM tickets WHERE client_id = ?1 AND status = 'closed' ORDER BY created_at DESC LIMIT max(0, 10000 - ?2)",
                rusqlite::params![id, open],
            )?;
            tx.execute(
                "INSERT INTO ticket_history (ticket_id, at, actor, field, old_value, new_value) SELECT id, ?1, 'bench', 'status', 'closed', 'in-progress' FROM temp.reopened",
                [at],
            )?;
            tx.execute("UPDATE tickets SET status = 'in-progress', completed_at = NULL, closed_at = NULL WHERE id IN (SELECT id FROM temp.reopened)", [])?;
            Ok(tx.query_row("SELECT count(*) FROM tickets WHERE client_id = ?1 AND status NOT IN ('completed', 'closed')", [id], |x| x.get(0))?)
        })
        .unwrap();
    let (_, base) = contract::contract_of(&r, &client).unwrap();
    // Other hours and other targets: every open ticket's deadline moves.
    let office = smena_core::sla::Contract { support: SupportHours::office(), resolution_hours: base.resolution_hours.map(|h| h * 2), ..base.clone() };
    let mut moved = 0;
    let samples = time(6, |i| {
        moved = contract::set_contract(&mut r, &client, if i % 2 == 0 { &office } else { &base }).unwrap();
    });
    stats(&format!("sla: contract change, {open} open tickets re-deadlined ({moved} moved)"), samples);
    drop(r);
    remove_db(&copy);
}

/// The roster: a month's coverage and rule checks, the grid, the now panel, the iCalendar.
fn roster(r: &Replica, now: chrono::DateTime<Utc>) {
    use smena_core::roster::{ical, month, now as at_work};
    let december = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    stats("roster: a month's coverage and rules", time(20, |_| month::coverage(r, december).unwrap()));
    stats("roster: the month grid with its checks", time(20, |_| month::view(r, december).unwrap()));
    stats("roster: who is on shift now", time(20, |_| at_work::panel(r, now).unwrap()));
    stats("roster: the team's month as iCalendar", time(10, |_| ical::export(r, december, None, now).unwrap()));
}

/// Each query-like operation against the same answer from the sqlite3 tool.
fn against_sqlite3(r: &Replica, path: &std::path::Path) {
    use smena_core::analytics::{load_report, Bucketing, LoadQuery};
    const ORDER: &str = "ORDER BY lead_rank IS NULL, lead_rank, priority, due_at IS NULL, due_at, created_at, id";
    let numbers = |f: &QueueFilter, offset: u32| queue::page(r, f, offset, 100).unwrap().rows.into_iter().map(|x| x.number).collect::<Vec<_>>().join("\n");
    let mut rows = Vec::new();

    let open = QueueFilter::default();
    rows.push(Versus {
        name: "queue: first page, open, lead's order",
        ours: median(time(30, |_| queue::page(r, &open, 0, 100).unwrap())),
        floor: floor(path, &format!("SELECT number FROM tickets WHERE status NOT IN ('completed', 'closed') {ORDER} LIMIT 100;"), 200),
        ours_answer: numbers(&open, 0),
    });
    let line2 = QueueFilter { line: Some(Line::SECOND), status: Some(Status::InProgress), ..Default::default() };
    rows.push(Versus {
        name: "queue: line 2 in progress, 100",
        ours: median(time(30, |_| queue::page(r, &line2, 0, 100).unwrap())),
        floor: floor(path, &format!("SELECT number FROM tickets WHERE line = 2 AND status = 'in-progress' {ORDER} LIMIT 100;"), 200),
        ours_answer: numbers(&line2, 0),
    });
    let all = QueueFilter { include_done: true, ..Default::default() };
    rows.push(Versus {
        name: "queue: all tickets, 100 at offset 5,000",
        ours: median(time(10, |_| queue::page(r, &all, 5_000, 100).unwrap())),
        floor: floor(path, &format!("SELECT number FROM tickets {ORDER} LIMIT 100 OFFSET 5000;"), 50),
        ours_answer: numbers(&all, 5_000),
    });
    let search = QueueFilter { search: Some("Hudson".into()), include_done: true, ..Default::default() };
    rows.push(Versus {
        name: "queue: search \"Hudson\", matches counted",
        ours: median(time(5, |_| queue::page(r, &search, 0, 100).unwrap())),
        floor: floor(
            path,
            "SELECT count(*) FROM tickets t JOIN clients c ON c.id = t.client_id WHERE t.number LIKE '%Hudson%' OR t.subject LIKE '%Hudson%' OR t.contact_name LIKE '%Hudson%' OR coalesce(t.contact_email, '') LIKE '%Hudson%' OR c.name LIKE '%Hudson%';",
            3,
        ),
        ours_answer: queue::page(r, &search, 0, 100).unwrap().total.to_string(),
    });
    let counts = queue::counts(r, &open).unwrap();
    let mut by_status: Vec<String> = counts.by_status.iter().filter(|(_, n)| *n > 0).map(|(s, n)| format!("{}|{n}", s.as_str())).collect();
    by_status.sort();
    rows.push(Versus {
        name: "queue: counts per status",
        ours: median(time(10, |_| queue::counts(r, &open).unwrap())),
        floor: floor(path, "SELECT status, count(*) FROM tickets GROUP BY status ORDER BY status;", 10),
        ours_answer: by_status.join("\n"),
    });
    // The chips under a search: every match's status and line (the floor: its statuses only).
    let searched = queue::counts(r, &search).unwrap();
    let mut by_status: Vec<String> = searched.by_status.iter().filter(|(_, n)| *n > 0).map(|(s, n)| format!("{}|{n}", s.as_str())).collect();
    by_status.sort();
    rows.push(Versus {
        name: "queue: counts under the search \"Hudson\"",
        ours: median(time(5, |_| queue::counts(r, &search).unwrap())),
        floor: floor(
            path,
            "SELECT status, count(*) FROM tickets WHERE id IN (SELECT rowid FROM tickets_search WHERE tickets_search MATCH '\"Hudson\"') GROUP BY status ORDER BY status;",
            5,
        ),
        ours_answer: by_status.join("\n"),
    });
    let moscow = chrono_tz::Europe::Moscow;
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let q90 = LoadQuery { by: Bucketing::Hour, tz: moscow, from: Some(day("2026-08-30")), to: Some(day("2026-11-27")), client_local: false, stack: None };
    let hours =
        |q: &LoadQuery| load_report(r, q).unwrap().buckets.iter().enumerate().filter(|(_, b)| b.count > 0).map(|(i, b)| format!("{i}|{}", b.count)).collect::<Vec<_>>().join("\n");
    let (lo, hi) = (smena_core::analytics::start_of_day(moscow, day("2026-08-30")).timestamp(), smena_core::analytics::start_of_day(moscow, day("2026-11-28")).timestamp());
    rows.push(Versus {
        name: "load: by hour in Moscow, 90 days",
        ours: median(time(10, |_| load_report(r, &q90).unwrap())),
        floor: floor(
            path,
            &format!("SELECT (created_at + 10800) / 3600 % 24 AS h, count(*) FROM tickets WHERE created_at >= {lo} AND created_at < {hi} GROUP BY h ORDER BY h;"),
            20,
        ),
        ours_answer: hours(&q90),
    });
    // All time in UTC: Moscow itself was UTC+4 in 2011–2014, which a fixed offset in SQL misses.
    let all_time = LoadQuery { from: None, to: None, tz: chrono_tz::UTC, ..q90.clone() };
    rows.push(Versus {
        name: "load: by hour in UTC, all time",
        ours: median(time(5, |_| load_report(r, &all_time).unwrap())),
        floor: floor(path, "SELECT created_at / 3600 % 24 AS h, count(*) FROM tickets GROUP BY h ORDER BY h;", 3),
        ours_answer: hours(&all_time),
    });
    // The roster: heads planned per shift and line, from the month's cells.
    let december = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let planned = |c: &smena_core::roster::CoverageReport| {
        let mut out = Vec::new();
        for s in &c.shifts {
            for (role, n) in [("line-1", s.planned.line1), ("line-2", s.planned.line2)] {
                if n > 0 {
                    out.push(format!("{}|{}|{role}|{n}", s.day, s.code));
                }
            }
        }
        out.join("\n")
    };
    rows.push(Versus {
        name: "roster: heads per shift and line, a month",
        ours: median(time(10, |_| smena_core::roster::month::coverage(r, december).unwrap())),
        floor: floor(
            path,
            "SELECT e.day, e.code, s.role, count(*) FROM roster_entries e JOIN staff s ON s.id = e.staff_id
             WHERE e.month = '2026-12' AND e.code IN ('D', 'N') AND s.role IN ('line-1', 'line-2')
               AND NOT EXISTS (SELECT 1 FROM absences a WHERE a.staff_id = e.staff_id AND e.day BETWEEN a.first_day AND a.last_day)
             GROUP BY e.day, e.code, s.role ORDER BY e.day, e.code, s.role;",
            20,
        ),
        ours_answer: planned(&smena_core::roster::month::coverage(r, december).unwrap()),
    });
    versus_table(&rows);
}

/// The dashboards: each must answer within 100 ms at a million tickets.
fn dashboards(r: &Replica, now: chrono::DateTime<Utc>) {
    use chrono::NaiveDate;
    use smena_core::analytics::{load_report, Bucketing, LoadQuery, Stack};
    use smena_core::charts::{Chart, Style};
    use smena_core::dashboard::staffing_defaults;
    use smena_core::sla::{self, SlaQuery};
    let moscow = chrono_tz::Europe::Moscow;
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let q90 = LoadQuery { by: Bucketing::Hour, tz: moscow, from: Some(day("2026-08-30")), to: Some(day("2026-11-27")), client_local: false, stack: None };
    stats("load: by hour, 90 days", time(10, |_| load_report(r, &q90).unwrap()));
    let stacked = LoadQuery { stack: Some(Stack::Channel), client_local: true, ..q90.clone() };
    stats("load: by hour, 90 days, clients' time, by channel", time(10, |_| load_report(r, &stacked).unwrap()));
    let all = LoadQuery { from: None, to: None, ..q90.clone() };
    stats("load: by hour, all time", time(3, |_| load_report(r, &all).unwrap()));
    let month = SlaQuery { from: day("2026-10-01"), to: day("2026-10-31"), tz: moscow, client: None, now };
    stats("sla: compliance for a month", time(10, |_| sla::sla_report(r, &month).unwrap()));
    stats("sla: at-risk list now", time(20, |_| sla::at_risk(r, now, chrono::Duration::minutes(120)).unwrap()));
    stats("sla: one client's month (availability)", time(10, |_| sla::client_month(r, "Гранит Банк", day("2026-10-01"), now).unwrap()));
    let staffing = staffing_defaults(day("2026-11-23"), 4, moscow);
    stats("staffing: a week from 4 weeks of history", time(10, |_| smena_core::analytics::staffing_report(r, &staffing).unwrap()));
    roster(r, now);
    let report = load_report(r, &q90).unwrap();
    stats("chart: load by hour as SVG", time(20, |_| smena_core::charts::svg(&Chart::Load(&report), &Style::default()).unwrap()));
    let png = std::env::temp_dir().join(format!("smena-bench-{}.png", std::process::id()));
    stats("chart: load by hour as PNG file", time(10, |_| smena_core::charts::png(&Chart::Load(&report), &Style::default(), &png).unwrap()));
    let _ = std::fs::remove_file(&png);
}

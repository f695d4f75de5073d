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

/// Demo tickets per day, on average (the demo writes 180–260 a day).
const PER_DAY: u64 = 220;

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

fn main() {
    servicenow_import();
    let tickets: u64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1_000_000);
    let now = Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("replica-{tickets}.db"));
    if !path.exists() {
        let days = (tickets / PER_DAY).max(1) as u32;
        let building = dir.join(format!("replica-{tickets}.db.building"));
        let _ = std::fs::remove_file(&building);
        let t = Instant::now();
        let mut r = Replica::open(&building).unwrap();
        let s = write_demo(&mut r, &DemoOptions { days, seed: 1, now }).unwrap();
        drop(r);
        std::fs::rename(&building, &path).unwrap();
        println!("built {}: {} tickets, {} history entries, {} comments in {:.1} s", path.display(), s.tickets, s.history_entries, s.comments, t.elapsed().as_secs_f64());
    }
    let t = Instant::now();
    let mut r = Replica::open(&path).unwrap();
    let first = queue::page(&r, &QueueFilter::default(), 0, 100).unwrap();
    println!("open the replica and read the first queue page: {:.1} ms ({} tickets, {} open)", t.elapsed().as_secs_f64() * 1000.0, queue::info(&r).unwrap().tickets, first.total);

    stats("queue: first page (open, lead's order, 100)", time(50, |_| queue::page(&r, &QueueFilter::default(), 0, 100).unwrap()));
    let line2 = QueueFilter { line: Some(Line::SECOND), status: Some(Status::InProgress), ..Default::default() };
    stats("queue: line 2 in progress, page of 100", time(50, |_| queue::page(&r, &line2, 0, 100).unwrap()));
    let all = QueueFilter { include_done: true, ..Default::default() };
    stats("queue: all tickets, page 100 at offset 5,000", time(20, |_| queue::page(&r, &all, 5_000, 100).unwrap()));
    let search = QueueFilter { search: Some("Hudson".into()), include_done: true, ..Default::default() };
    stats("queue: text search over all tickets", time(10, |_| queue::page(&r, &search, 0, 100).unwrap()));
    stats("queue: counts per status and line", time(20, |_| queue::counts(&r, &QueueFilter::default()).unwrap()));

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
    dashboards(&r, now);
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
    let report = load_report(r, &q90).unwrap();
    stats("chart: load by hour as SVG", time(20, |_| smena_core::charts::svg(&Chart::Load(&report), &Style::default()).unwrap()));
    let png = std::env::temp_dir().join(format!("smena-bench-{}.png", std::process::id()));
    stats("chart: load by hour as PNG file", time(10, |_| smena_core::charts::png(&Chart::Load(&report), &Style::default(), &png).unwrap()));
    let _ = std::fs::remove_file(&png);
}

//! The dashboard reports of the CLI (load, SLA, at-risk, staffing, a client's month, charts,
//! contracts) checked against queries written here, independently of Smena's own code, over
//! the same demo replica.

mod common;

use chrono::{Datelike, NaiveDate, Timelike};
use common::{json, ok, run, NOW};
use rusqlite::{params, Connection, ToSql};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The demo the read-only tests share: 60 days, seed 11, seen at `NOW`.
struct Demo {
    dir: tempfile::TempDir,
    db: PathBuf,
}

fn shared() -> &'static Demo {
    static DEMO: OnceLock<Demo> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = tempfile::Builder::new().prefix("dashboards-").tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("a temporary directory");
        let db = common::demo(dir.path(), "demo.db", 60, 11);
        Demo { dir, db }
    })
}

impl Demo {
    fn home(&self) -> &Path {
        self.dir.path()
    }

    fn db(&self) -> &str {
        self.db.to_str().expect("a UTF-8 path")
    }

    /// A connection of the test's own to the replica.
    fn sql(&self) -> Connection {
        sql(&self.db)
    }

    /// `smena ARGS --db DEMO`, parsed (ARGS include `--json`).
    fn json(&self, args: &[&str]) -> Value {
        let mut full = args.to_vec();
        full.extend(["--db", self.db()]);
        json(self.home(), &full)
    }
}

fn sql(db: &Path) -> Connection {
    let c = Connection::open(db).expect("the replica opens");
    c.busy_timeout(std::time::Duration::from_secs(10)).expect("a busy timeout");
    c
}

/// `NOW` in epoch seconds.
fn now_ts() -> i64 {
    chrono::DateTime::parse_from_rfc3339(NOW).expect("NOW is RFC 3339").timestamp()
}

fn date(day: &str) -> NaiveDate {
    NaiveDate::parse_from_str(day, "%Y-%m-%d").expect("a YYYY-MM-DD date")
}

/// 00:00 UTC of `day`, in epoch seconds.
fn utc_midnight(day: &str) -> i64 {
    date(day).and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp()
}

/// Every day from `from` to `to`, both included.
fn days_between(from: &str, to: &str) -> Vec<NaiveDate> {
    let (mut d, last) = (date(from), date(to));
    let mut out = Vec::new();
    while d <= last {
        out.push(d);
        d = d.succ_opt().expect("a next day");
    }
    out
}

fn num(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

fn arr(v: &Value) -> &Vec<Value> {
    v.as_array().unwrap_or_else(|| panic!("not an array: {v}"))
}

/// Runs a `SELECT key, count` query into a map.
fn grouped<K: rusqlite::types::FromSql + Ord, P: rusqlite::Params>(conn: &Connection, sql: &str, p: P) -> BTreeMap<K, u64> {
    let mut stmt = conn.prepare(sql).unwrap_or_else(|e| panic!("{e}: {sql}"));
    let rows = stmt.query_map(p, |r| Ok((r.get::<_, K>(0)?, r.get::<_, i64>(1)?))).unwrap_or_else(|e| panic!("{e}: {sql}"));
    let out: BTreeMap<K, u64> = rows
        .map(|r| {
            let (k, n) = r.expect("a row");
            (k, n as u64)
        })
        .collect();
    out
}

// ---------------------------------------------------------------------------------------------
// SLA clocks, computed here in SQL from the status history.
// ---------------------------------------------------------------------------------------------

/// One ticket's SLA clocks as this test computes them. Exact for round-the-clock contracts
/// (support hours are not modelled here): the clock runs in open statuses outside the
/// contract's `pause_in`, from each status row to the next (the last to now); resolution stops
/// at the start of the trailing run of completed / closed statuses; reaction stops at the
/// first response (else the first status other than registered).
#[derive(Debug, Clone)]
struct Clocks {
    number: String,
    priority: i64,
    all_day: bool,
    created_at: i64,
    first_status: String,
    first_at: i64,
    resolution_target: i64,
    stopped_at: Option<i64>,
    reaction_target: Option<i64>,
    responded_at: Option<i64>,
    /// The ticket's latest status is one of the contract's pause statuses.
    paused_now: bool,
    resolution_elapsed: i64,
    reaction_elapsed: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Met,
    Breached,
    Pending,
}

fn state(elapsed: i64, target: i64, end: Option<i64>, now: i64) -> State {
    if elapsed > target {
        State::Breached
    } else if end.is_some_and(|e| e <= now) {
        State::Met
    } else {
        State::Pending
    }
}

impl Clocks {
    fn resolution(&self, now: i64) -> State {
        state(self.resolution_elapsed, self.resolution_target, self.stopped_at, now)
    }

    fn reaction(&self, now: i64) -> Option<State> {
        self.reaction_target.map(|target| state(self.reaction_elapsed, target, self.responded_at, now))
    }

    /// Whether the reaction clock still runs (an incident not yet responded to).
    fn awaiting_reaction(&self, now: i64) -> bool {
        self.reaction_target.is_some() && self.responded_at.is_none_or(|r| r > now)
    }
}

/// `{filter}` is a condition on `t` (tickets); ?1 is now, the filter's own parameters start at ?2.
const CLOCKS: &str = r#"
WITH scope AS (
    SELECT t.id, t.number, t.kind, t.priority, t.status, t.created_at, t.first_response_at, t.request_type,
           k.contract, rt.fulfilment_hours AS model_hours
    FROM tickets t
    JOIN sla_contracts k ON k.client_id = t.client_id
    LEFT JOIN request_types rt ON rt.code = t.request_type
    WHERE {filter}
),
s AS (
    SELECT h.ticket_id, h.at, h.new_value AS status,
           lead(h.at) OVER (PARTITION BY h.ticket_id ORDER BY h.at, h.id) AS next_at,
           row_number() OVER (PARTITION BY h.ticket_id ORDER BY h.at, h.id) AS seq
    FROM ticket_history h
    WHERE h.field = 'status' AND h.ticket_id IN (SELECT id FROM scope)
),
r AS (
    SELECT s.*, max(CASE WHEN s.status IN ('completed', 'closed') THEN 0 ELSE s.seq END) OVER (PARTITION BY s.ticket_id) AS last_open
    FROM s
),
per AS (
    SELECT ticket_id,
           min(CASE WHEN seq = last_open + 1 THEN at END) AS stopped_at,
           min(CASE WHEN status <> 'registered' THEN at END) AS first_move,
           max(CASE WHEN seq = 1 THEN status END) AS first_status,
           max(CASE WHEN seq = 1 THEN at END) AS first_at,
           max(CASE WHEN next_at IS NULL THEN status END) AS last_status
    FROM r
    GROUP BY ticket_id
),
lim AS (
    SELECT sc.*, p.stopped_at, p.first_status, p.first_at, p.last_status,
           coalesce(sc.first_response_at, p.first_move) AS responded_at,
           json_extract(sc.contract, '$.support.kind') = '24x7' AS all_day,
           json_extract(sc.contract, '$.resolution_hours[' || (sc.priority - 1) || ']') AS by_priority_hours
    FROM scope sc JOIN per p ON p.ticket_id = sc.id
)
SELECT l.number, l.priority, l.all_day, l.created_at, l.first_status, l.first_at,
       3600 * CASE WHEN l.kind = 'incident' THEN l.by_priority_hours
                   ELSE coalesce(json_extract(l.contract, '$.fulfilment_hours."' || l.request_type || '"'), l.model_hours, l.by_priority_hours)
              END AS resolution_target,
       l.stopped_at,
       CASE WHEN l.kind = 'incident' THEN 60 * json_extract(l.contract, '$.reaction_minutes[' || (l.priority - 1) || ']') END AS reaction_target,
       l.responded_at,
       coalesce(l.last_status IN (SELECT value FROM json_each(l.contract, '$.pause_in')), 0) AS paused_now,
       sum(CASE WHEN s.status NOT IN ('completed', 'closed')
                 AND s.status NOT IN (SELECT value FROM json_each(l.contract, '$.pause_in'))
                 AND s.at < coalesce(l.stopped_at, ?1)
                THEN min(coalesce(s.next_at, ?1), coalesce(l.stopped_at, ?1)) - s.at
                ELSE 0 END) AS resolution_elapsed,
       sum(CASE WHEN s.status NOT IN ('completed', 'closed')
                 AND s.status NOT IN (SELECT value FROM json_each(l.contract, '$.pause_in'))
                 AND s.at < coalesce(l.responded_at, ?1)
                THEN min(coalesce(s.next_at, ?1), coalesce(l.responded_at, ?1)) - s.at
                ELSE 0 END) AS reaction_elapsed
FROM lim l JOIN s ON s.ticket_id = l.id
GROUP BY l.id
ORDER BY l.id
"#;

/// The clocks of the tickets matching `filter` (a condition on `t`; its parameters are `?2`…).
fn clocks(conn: &Connection, filter: &str, args: &[&dyn ToSql]) -> Vec<Clocks> {
    let now = now_ts();
    let latest: Option<i64> = conn.query_row("SELECT max(at) FROM ticket_history", [], |r| r.get(0)).expect("history");
    assert!(latest.is_some_and(|l| l <= now), "the demo's history ends by NOW (latest entry {latest:?}, NOW {now})");
    let sql = CLOCKS.replace("{filter}", filter);
    let mut stmt = conn.prepare(&sql).unwrap_or_else(|e| panic!("the clock query: {e}"));
    let mut all: Vec<&dyn ToSql> = vec![&now];
    all.extend_from_slice(args);
    let rows = stmt
        .query_map(all.as_slice(), |r| {
            Ok(Clocks {
                number: r.get(0)?,
                priority: r.get(1)?,
                all_day: r.get(2)?,
                created_at: r.get(3)?,
                first_status: r.get(4)?,
                first_at: r.get(5)?,
                resolution_target: r.get(6)?,
                stopped_at: r.get(7)?,
                reaction_target: r.get(8)?,
                responded_at: r.get(9)?,
                paused_now: r.get(10)?,
                resolution_elapsed: r.get(11)?,
                reaction_elapsed: r.get(12)?,
            })
        })
        .unwrap_or_else(|e| panic!("the clock query: {e}"));
    let out: Vec<Clocks> = rows.map(|r| r.expect("a clock row")).collect();
    for c in &out {
        assert!(
            c.first_status == "registered" && c.first_at == c.created_at,
            "{}: the status history starts with registered at creation ({} at {} vs created {})",
            c.number,
            c.first_status,
            c.first_at,
            c.created_at
        );
    }
    out
}

/// Met, breached and pending timers.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Tally {
    met: u64,
    breached: u64,
    pending: u64,
}

impl Tally {
    fn add(&mut self, s: State) {
        match s {
            State::Met => self.met += 1,
            State::Breached => self.breached += 1,
            State::Pending => self.pending += 1,
        }
    }

    fn percent(&self) -> Option<f64> {
        let decided = self.met + self.breached;
        (decided > 0).then(|| (self.met as f64 * 1000.0 / decided as f64).round() / 10.0)
    }
}

/// Tickets, reaction and resolution of a set of clocks.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Summary {
    tickets: u64,
    reaction: Tally,
    resolution: Tally,
}

fn summarise<'a>(clocks: impl IntoIterator<Item = &'a Clocks>, now: i64) -> Summary {
    let mut s = Summary::default();
    for c in clocks {
        s.tickets += 1;
        if let Some(r) = c.reaction(now) {
            s.reaction.add(r);
        }
        s.resolution.add(c.resolution(now));
    }
    s
}

fn check_compliance(got: &Value, want: Tally, what: &str) {
    let seen = Tally { met: num(&got["met"]), breached: num(&got["breached"]), pending: num(&got["pending"]) };
    assert_eq!(seen, want, "{what}: met / breached / pending (report vs SQL)");
    match want.percent() {
        Some(p) => assert!((got["percent"].as_f64().unwrap_or(f64::NAN) - p).abs() < 1e-9, "{what}: percent {} vs {p} from SQL", got["percent"]),
        None => assert!(got["percent"].is_null(), "{what}: nothing decided, yet percent {}", got["percent"]),
    }
}

fn check_group(got: &Value, want: Summary, what: &str) {
    assert_eq!(num(&got["tickets"]), want.tickets, "{what}: tickets (report vs SQL)");
    check_compliance(&got["reaction"], want.reaction, &format!("{what}, reaction"));
    check_compliance(&got["resolution"], want.resolution, &format!("{what}, resolution"));
}

/// The (number, timer) of every breached timer, with its target and elapsed seconds.
fn breached_timers<'a>(clocks: impl IntoIterator<Item = &'a Clocks>, now: i64) -> BTreeMap<(String, String), (i64, i64)> {
    let mut out = BTreeMap::new();
    for c in clocks {
        if c.reaction(now) == Some(State::Breached) {
            out.insert((c.number.clone(), "reaction".to_string()), (c.reaction_target.expect("incidents have a reaction target"), c.reaction_elapsed));
        }
        if c.resolution(now) == State::Breached {
            out.insert((c.number.clone(), "resolution".to_string()), (c.resolution_target, c.resolution_elapsed));
        }
    }
    out
}

/// The report's breaches, checked for order, keyed like [`breached_timers`].
fn reported_breaches(breaches: &Value, what: &str) -> BTreeMap<(String, String), (i64, i64)> {
    let list = arr(breaches);
    let left: Vec<i64> = list.iter().map(|b| b["clock"]["target_seconds"].as_i64().unwrap() - b["clock"]["elapsed_seconds"].as_i64().unwrap()).collect();
    assert!(left.windows(2).all(|w| w[0] <= w[1]), "{what}: breaches come longest overrun first: {left:?}");
    let map: BTreeMap<(String, String), (i64, i64)> = list
        .iter()
        .map(|b| {
            let key = (b["number"].as_str().unwrap().to_string(), b["timer"].as_str().unwrap().to_string());
            (key, (b["clock"]["target_seconds"].as_i64().unwrap(), b["clock"]["elapsed_seconds"].as_i64().unwrap()))
        })
        .collect();
    assert_eq!(map.len(), list.len(), "{what}: no timer is listed twice");
    map
}

/// A round-the-clock client: (id, contract number). The one with the most pause statuses
/// first, so that a contract's own `pause_in` is exercised.
fn all_day_client(conn: &Connection) -> (i64, String) {
    conn.query_row(
        "SELECT c.id, c.contract_no FROM clients c JOIN sla_contracts k ON k.client_id = c.id
         WHERE json_extract(k.contract, '$.support.kind') = '24x7'
         ORDER BY json_array_length(k.contract, '$.pause_in') DESC, c.id LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .expect("the demo has a round-the-clock client")
}

// ---------------------------------------------------------------------------------------------
// Load
// ---------------------------------------------------------------------------------------------

#[test]
fn load_by_day_its_week_totals_and_channel_series_match_utc_dates_in_sql() {
    let d = shared();
    let conn = d.sql();
    // A Wednesday to a Wednesday: the first and last weeks are partial.
    let (from, to) = ("2026-10-07", "2026-11-25");
    let report = d.json(&["report", "load", "--by", "day", "--from", from, "--to", to, "--tz", "UTC", "--json"]);
    let days = days_between(from, to);
    let buckets = arr(&report["buckets"]);
    let keys: Vec<&str> = buckets.iter().map(|b| b["key"].as_str().expect("a day key")).collect();
    let want_keys: Vec<String> = days.iter().map(|d| d.to_string()).collect();
    assert_eq!(keys, want_keys, "one bucket per day of the period, in order");

    let per_day: BTreeMap<String, u64> = grouped(
        &conn,
        "SELECT date(created_at, 'unixepoch'), count(*) FROM tickets
         WHERE date(created_at, 'unixepoch') BETWEEN ?1 AND ?2 GROUP BY 1",
        params![from, to],
    );
    assert_eq!(per_day.len(), days.len(), "the demo has tickets on every day of the period");
    for b in buckets {
        let day = b["key"].as_str().unwrap();
        assert_eq!(num(&b["count"]), per_day.get(day).copied().unwrap_or(0), "tickets opened on {day} (UTC): report vs SQL");
    }
    assert_eq!(num(&report["total"]), per_day.values().sum::<u64>(), "the period's total: report vs SQL");

    // Week totals: one per Monday-week touching the period, counting only the period's days.
    let per_week: BTreeMap<String, u64> = grouped(
        &conn,
        "SELECT date(created_at, 'unixepoch', 'weekday 0', '-6 days'), count(*) FROM tickets
         WHERE date(created_at, 'unixepoch') BETWEEN ?1 AND ?2 GROUP BY 1",
        params![from, to],
    );
    let mut mondays: Vec<String> = days.iter().map(|d| (*d - chrono::Duration::days(i64::from(d.weekday().num_days_from_monday()))).to_string()).collect();
    mondays.dedup();
    let weeks = arr(&report["weeks"]);
    let week_keys: Vec<&str> = weeks.iter().map(|w| w["week"].as_str().expect("a Monday")).collect();
    assert_eq!(week_keys, mondays, "one total per Monday-week, in order");
    for w in weeks {
        let week = w["week"].as_str().unwrap();
        assert_eq!(num(&w["count"]), per_week.get(week).copied().unwrap_or(0), "week of {week}: report vs SQL");
    }

    // Stacked by channel: the same totals, and each channel's days as SQL groups them.
    let stacked = d.json(&["report", "load", "--by", "day", "--from", from, "--to", to, "--tz", "UTC", "--stack", "channel", "--json"]);
    assert_eq!(stacked["buckets"], report["buckets"], "stacking leaves the day totals as they are");
    let per_day_channel: BTreeMap<String, u64> = grouped(
        &conn,
        "SELECT date(created_at, 'unixepoch') || ' ' || channel, count(*) FROM tickets
         WHERE date(created_at, 'unixepoch') BETWEEN ?1 AND ?2 GROUP BY 1",
        params![from, to],
    );
    let channels: BTreeMap<String, u64> =
        grouped(&conn, "SELECT channel, count(*) FROM tickets WHERE date(created_at, 'unixepoch') BETWEEN ?1 AND ?2 GROUP BY 1", params![from, to]);
    let series = arr(&stacked["series"]);
    let names: BTreeSet<&str> = series.iter().map(|s| s["name"].as_str().expect("a channel")).collect();
    assert_eq!(names, channels.keys().map(String::as_str).collect::<BTreeSet<_>>(), "one series per channel seen in the period");
    let sums: Vec<u64> = series.iter().map(|s| arr(&s["counts"]).iter().map(num).sum::<u64>()).collect();
    assert!(sums.windows(2).all(|w| w[0] >= w[1]), "series come largest first: {sums:?}");
    for s in series {
        let name = s["name"].as_str().unwrap();
        let counts = arr(&s["counts"]);
        assert_eq!(counts.len(), days.len(), "series {name} has a count per day");
        for (day, c) in days.iter().zip(counts) {
            assert_eq!(num(c), per_day_channel.get(&format!("{day} {name}")).copied().unwrap_or(0), "{name} tickets on {day}: report vs SQL");
        }
    }
}

#[test]
fn load_by_hour_in_moscow_matches_sql_hours_three_hours_ahead_of_utc() {
    let d = shared();
    let conn = d.sql();
    let hour_of = |report: &Value| -> Vec<(u64, u64)> { arr(&report["buckets"]).iter().map(|b| (num(&b["key"]), num(&b["count"]))).collect() };

    // The whole replica.
    let all = d.json(&["report", "load", "--by", "hour", "--tz", "Europe/Moscow", "--json"]);
    let want: BTreeMap<i64, u64> = grouped(&conn, "SELECT CAST(strftime('%H', created_at + 10800, 'unixepoch') AS INTEGER), count(*) FROM tickets GROUP BY 1", []);
    let got = hour_of(&all);
    assert_eq!(got.iter().map(|g| g.0).collect::<Vec<_>>(), (0..24).collect::<Vec<u64>>(), "24 hour buckets");
    for (h, n) in &got {
        assert_eq!(*n, want.get(&(*h as i64)).copied().unwrap_or(0), "Moscow hour {h:02}, every ticket: report vs SQL");
    }
    assert_eq!(num(&all["total"]), want.values().sum::<u64>(), "every ticket counted once");

    // A period of Moscow days.
    let (from, to) = ("2026-10-10", "2026-11-20");
    let period = d.json(&["report", "load", "--by", "hour", "--tz", "Europe/Moscow", "--from", from, "--to", to, "--json"]);
    let want: BTreeMap<i64, u64> = grouped(
        &conn,
        "SELECT CAST(strftime('%H', created_at + 10800, 'unixepoch') AS INTEGER), count(*) FROM tickets
         WHERE date(created_at + 10800, 'unixepoch') BETWEEN ?1 AND ?2 GROUP BY 1",
        params![from, to],
    );
    for (h, n) in hour_of(&period) {
        assert_eq!(n, want.get(&(h as i64)).copied().unwrap_or(0), "Moscow hour {h:02}, {from} … {to}: report vs SQL");
    }
    assert_eq!(num(&period["total"]), want.values().sum::<u64>(), "the period's total: report vs SQL");
}

#[test]
fn load_by_hour_in_each_clients_own_zone_matches_a_reading_of_every_ticket() {
    let d = shared();
    let conn = d.sql();
    let (from, to) = ("2026-10-10", "2026-11-20");
    let report = d.json(&["report", "load", "--by", "hour", "--local", "--tz", "UTC", "--from", from, "--to", to, "--json"]);
    let (first, last) = (date(from), date(to));
    let mut want = [0u64; 24];
    let mut zones = BTreeSet::new();
    let mut stmt = conn.prepare("SELECT t.created_at, c.time_zone FROM tickets t JOIN clients c ON c.id = t.client_id").unwrap();
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))).unwrap();
    for row in rows {
        let (ts, zone) = row.unwrap();
        let tz: chrono_tz::Tz = zone.parse().unwrap_or_else(|_| panic!("client zone {zone} is an IANA name"));
        let local = chrono::DateTime::from_timestamp(ts, 0).expect("a valid time").with_timezone(&tz);
        if (first..=last).contains(&local.date_naive()) {
            want[local.hour() as usize] += 1;
            zones.insert(zone);
        }
    }
    assert!(zones.len() > 1, "the demo's clients live in several zones: {zones:?}");
    let got: Vec<u64> = arr(&report["buckets"]).iter().map(|b| num(&b["count"])).collect();
    assert_eq!(got, want.to_vec(), "tickets per local hour of their client, {from} … {to} in each client's own days");
    assert_eq!(num(&report["total"]), want.iter().sum::<u64>(), "the total of the local days");
}

// ---------------------------------------------------------------------------------------------
// SLA
// ---------------------------------------------------------------------------------------------

#[test]
fn sla_report_of_a_round_the_clock_client_matches_clocks_computed_in_sql() {
    let d = shared();
    let conn = d.sql();
    let now = now_ts();
    let (client_id, client) = all_day_client(&conn);
    let (from, to) = ("2026-10-01", "2026-11-28");
    let (lo, hi) = (utc_midnight(from), utc_midnight(to) + 86_400);
    let report = d.json(&["report", "sla", "--from", from, "--to", to, "--client", &client, "--tz", "UTC", "--now", NOW, "--json"]);
    let tickets = clocks(&conn, "t.client_id = ?2 AND t.created_at >= ?3 AND t.created_at < ?4", &[&client_id, &lo, &hi]);
    assert!(tickets.iter().all(|c| c.all_day), "{client} has round-the-clock support");

    let want = summarise(&tickets, now);
    assert!(want.resolution.met > 0 && want.resolution.breached > 0, "{client}'s period holds met and breached resolutions: {want:?}");
    assert!(want.reaction.met > 0, "{client}'s period holds met reactions: {want:?}");
    assert_eq!(num(&report["tickets"]), want.tickets, "tickets of {client} registered {from} … {to} (UTC): report vs SQL");
    check_compliance(&report["reaction"], want.reaction, &format!("{client} reaction"));
    check_compliance(&report["resolution"], want.resolution, &format!("{client} resolution"));

    // Per priority.
    let mut by_priority: BTreeMap<String, Vec<&Clocks>> = BTreeMap::new();
    for c in &tickets {
        by_priority.entry(c.priority.to_string()).or_default().push(c);
    }
    let groups = arr(&report["by_priority"]);
    let keys: Vec<&str> = groups.iter().map(|g| g["key"].as_str().expect("a priority key")).collect();
    assert_eq!(keys, by_priority.keys().map(String::as_str).collect::<Vec<_>>(), "one group per priority present");
    for g in groups {
        let key = g["key"].as_str().unwrap();
        check_group(g, summarise(by_priority[key].iter().copied(), now), &format!("{client} priority {key}"));
    }

    // Breaches: every breached timer SQL finds, no other, with the same clock.
    let listed = reported_breaches(&report["breaches"], &client);
    assert_eq!(listed.len() as u64, want.reaction.breached + want.resolution.breached, "breaches = reaction + resolution breaches");
    let expected = breached_timers(&tickets, now);
    for (key, clock) in &listed {
        assert_eq!(expected.get(key), Some(clock), "{} {} is listed as breached with (target, elapsed) {clock:?}; SQL has {:?}", key.0, key.1, expected.get(key));
    }
    assert_eq!(listed.keys().collect::<Vec<_>>(), expected.keys().collect::<Vec<_>>(), "the breached timers: report vs SQL");
}

#[test]
fn at_risk_lists_open_tickets_earliest_breach_first_with_the_clocks_sql_computes() {
    let d = shared();
    let conn = d.sql();
    let now = now_ts();
    let within = 120;
    let out = d.json(&["report", "at-risk", "--within", &within.to_string(), "--now", NOW, "--json"]);
    let listed = arr(&out["tickets"]);
    assert!(!listed.is_empty(), "the demo has open tickets near or past their target");

    let left: Vec<i64> = listed.iter().map(|t| t["clock"]["target_seconds"].as_i64().unwrap() - t["clock"]["elapsed_seconds"].as_i64().unwrap()).collect();
    let deadlines: Vec<&str> = listed.iter().map(|t| t["clock"]["deadline_at"].as_str().expect("a running clock has a deadline")).collect();
    assert!(deadlines.windows(2).all(|w| w[0] <= w[1]), "earliest breach first: {deadlines:?}");
    assert!(left.iter().all(|l| *l <= within * 60), "nothing with more than {within} minutes left: {left:?}");

    let mut status_of = conn.prepare("SELECT status FROM tickets WHERE number = ?1").unwrap();
    let open = clocks(&conn, "t.status NOT IN ('completed', 'closed')", &[]);
    let by_number: HashMap<&str, &Clocks> = open.iter().map(|c| (c.number.as_str(), c)).collect();
    let mut listed_all_day = BTreeSet::new();
    for t in listed {
        let number = t["number"].as_str().expect("a number");
        let status: String = status_of.query_row([number], |r| r.get(0)).unwrap_or_else(|e| panic!("{number} is in the replica: {e}"));
        assert!(!["completed", "closed"].contains(&status.as_str()), "{number} is listed at risk but is {status}");
        assert_eq!(t["status"].as_str(), Some(status.as_str()), "{number}: the listed status is the ticket's");
        assert_eq!(t["clock"]["paused"], Value::Bool(false), "{number}: a paused clock cannot be at risk");
        let c = by_number.get(number).unwrap_or_else(|| panic!("{number} is open but SQL found no clock for it"));
        if !c.all_day {
            continue;
        }
        listed_all_day.insert(number.to_string());
        let timer = t["timer"].as_str().unwrap();
        let (want_timer, target, elapsed) =
            if c.awaiting_reaction(now) { ("reaction", c.reaction_target.unwrap(), c.reaction_elapsed) } else { ("resolution", c.resolution_target, c.resolution_elapsed) };
        assert_eq!(timer, want_timer, "{number}: the running timer");
        assert_eq!(t["clock"]["target_seconds"].as_i64(), Some(target), "{number}: {timer} target, report vs SQL");
        assert_eq!(t["clock"]["elapsed_seconds"].as_i64(), Some(elapsed), "{number}: {timer} elapsed, report vs SQL");
    }
    // And every round-the-clock ticket SQL finds within the margin is listed.
    let expected: BTreeSet<String> = open
        .iter()
        .filter(|c| c.all_day && !c.paused_now)
        .filter(|c| {
            let (target, elapsed) = if c.awaiting_reaction(now) { (c.reaction_target.unwrap(), c.reaction_elapsed) } else { (c.resolution_target, c.resolution_elapsed) };
            target - elapsed <= within * 60
        })
        .map(|c| c.number.clone())
        .collect();
    assert!(!expected.is_empty(), "round-the-clock clients have tickets at risk");
    assert_eq!(listed_all_day, expected, "round-the-clock tickets at risk: report vs SQL");
}

/// An RFC 3339 instant as seconds.
fn ts(iso: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(iso).unwrap_or_else(|e| panic!("{iso}: {e}")).timestamp()
}

#[test]
fn the_queue_shows_the_deadline_the_sla_clock_gives_and_a_stopped_clock_as_paused() {
    let d = shared();
    let conn = d.sql();
    let now = now_ts();
    let queue = d.json(&["tickets", "--limit", "100000", "--json"]);
    let rows = arr(&queue["tickets"]);
    let open = clocks(&conn, "t.status NOT IN ('completed', 'closed')", &[]);
    assert_eq!(rows.len(), open.len(), "the queue lists every open ticket");
    let by_number: HashMap<&str, &Clocks> = open.iter().map(|c| (c.number.as_str(), c)).collect();
    let (mut running, mut paused) = (0, 0);
    for row in rows {
        let number = row["number"].as_str().expect("a number");
        let c = by_number[number];
        let left = c.resolution_target - c.resolution_elapsed;
        if c.paused_now {
            // A stopped clock: no moment, the support time it has left (and, if it stopped
            // past the target, the moment it passed it).
            let shown = row["paused_left_seconds"].as_i64().unwrap_or_else(|| panic!("{number}: a stopped clock shows its time left"));
            assert_eq!(row["due_at"].is_null(), shown >= 0, "{number}: a stopped clock within target has no deadline moment");
            if c.all_day {
                paused += 1;
                assert_eq!(shown, left, "{number}: time left on the stopped clock");
            }
        } else if c.all_day && left >= 0 {
            // Round the clock, running within target: now + what is left, however long ago it
            // was registered and however long it stood still.
            running += 1;
            assert_eq!(row["paused_left_seconds"], Value::Null, "{number}");
            let due = ts(row["due_at"].as_str().unwrap_or_else(|| panic!("{number}: a running clock has a deadline")));
            assert_eq!(due, now + left, "{number}: the queue's deadline is the clock's (target {} s, elapsed {} s)", c.resolution_target, c.resolution_elapsed);
        }
    }
    assert!(running > 20 && paused > 0, "the demo has running ({running}) and stopped ({paused}) round-the-clock clocks");
    // Every client (office hours too): the at-risk list's resolution deadline is the queue's.
    let risk = d.json(&["report", "at-risk", "--within", "100000", "--now", NOW, "--json"]);
    let due: HashMap<&str, &Value> = rows.iter().map(|r| (r["number"].as_str().unwrap(), &r["due_at"])).collect();
    let mut compared = 0;
    for t in arr(&risk["tickets"]).iter().filter(|t| t["timer"] == "resolution") {
        let number = t["number"].as_str().unwrap();
        assert_eq!(&t["clock"]["deadline_at"], due[number], "{number}: at-risk list vs queue");
        compared += 1;
    }
    assert!(compared > 100, "the at-risk list holds most open tickets ({compared})");
    // The queue's order follows that deadline within a priority, stopped clocks last.
    for w in rows.windows(2) {
        let rank = |r: &Value| ["critical", "high", "medium", "low", "planning"].iter().position(|p| r["priority"] == *p).expect("a priority");
        let key = |r: &Value| (rank(r), r["due_at"].is_null(), r["due_at"].as_str().map(ts));
        if w[0]["pinned"] == Value::Bool(false) {
            assert!(key(&w[0]) <= key(&w[1]), "{} before {}", w[0]["number"], w[1]["number"]);
        }
    }
}

#[test]
fn staffing_expects_the_average_of_the_four_weeks_before_per_moscow_hour_of_week() {
    let d = shared();
    let conn = d.sql();
    let report = d.json(&["report", "staffing", "--week", "2026-W48", "--weeks-back", "4", "--tz", "Europe/Moscow", "--json"]);
    assert_eq!(report["week"], "2026-W48");
    // Monday 23 November 2026 00:00 in Moscow (UTC+3 all year), and the four weeks before.
    let hi = utc_midnight("2026-11-23") - 3 * 3600;
    let lo = hi - 4 * 7 * 86_400;
    let per_hour: BTreeMap<i64, u64> = grouped(
        &conn,
        "SELECT ((CAST(strftime('%w', created_at + 10800, 'unixepoch') AS INTEGER) + 6) % 7) * 24
                + CAST(strftime('%H', created_at + 10800, 'unixepoch') AS INTEGER), count(*)
         FROM tickets WHERE created_at >= ?1 AND created_at < ?2 GROUP BY 1",
        params![lo, hi],
    );
    let total: u64 = per_hour.values().sum();
    assert!(total > 0, "the four weeks hold tickets");
    assert_eq!(num(&report["history_tickets"]), total, "tickets of the four weeks: report vs SQL");
    let round2 = |x: f64| (x * 100.0).round() / 100.0;
    let weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    let line1 = arr(&report["lines"][0]["hours"]);
    assert_eq!(line1.len(), 168, "an hour of the week each");
    for (i, h) in line1.iter().enumerate() {
        let name = format!("{}-{:02}", weekdays[i / 24], i % 24);
        assert_eq!(h["hour"].as_str(), Some(name.as_str()), "hour {i} of the week");
        let n = per_hour.get(&(i as i64)).copied().unwrap_or(0);
        let want = round2(n as f64 / 4.0);
        let got = h["expected"].as_f64().expect("expected tickets");
        assert!((got - want).abs() < 1e-9, "line 1 at {name}: {got} expected, SQL has {n} tickets in 4 weeks = {want}");
    }

    // Line 2 takes the share escalated beyond line 1 in those weeks.
    let escalated: i64 = conn.query_row("SELECT count(*) FROM tickets WHERE created_at >= ?1 AND created_at < ?2 AND line >= 2", params![lo, hi], |r| r.get(0)).unwrap();
    let share = (escalated as f64 / total as f64 * 1000.0).round() / 1000.0;
    let got_share = report["lines"][1]["model"]["share"].as_f64().expect("line 2's share");
    assert!((got_share - share).abs() < 1e-9, "line 2's share {got_share} vs {escalated}/{total} = {share}");
    for (i, h) in arr(&report["lines"][1]["hours"]).iter().enumerate() {
        let n = per_hour.get(&(i as i64)).copied().unwrap_or(0);
        let want = round2(n as f64 / 4.0 * share);
        let got = h["expected"].as_f64().expect("expected tickets");
        assert!((got - want).abs() < 1e-9, "line 2 at hour {i}: {got} expected vs {want}");
    }
}

/// Length of the union of half-open spans.
fn union_seconds(mut spans: Vec<(i64, i64)>) -> i64 {
    spans.sort();
    let mut total = 0;
    let mut current: Option<(i64, i64)> = None;
    for (a, b) in spans {
        current = match current {
            Some((s, e)) if a <= e => Some((s, e.max(b))),
            Some((s, e)) => {
                total += e - s;
                Some((a, b))
            }
            None => Some((a, b)),
        };
    }
    if let Some((s, e)) = current {
        total += e - s;
    }
    total
}

#[test]
fn a_round_the_clock_clients_october_counts_its_tickets_and_availability_from_priority_1_outages() {
    let d = shared();
    let conn = d.sql();
    let now = now_ts();
    // October 2026 in Moscow (UTC+3 all year): 30 September 21:00Z to 31 October 21:00Z.
    let lo = utc_midnight("2026-10-01") - 3 * 3600;
    let hi = utc_midnight("2026-11-01") - 3 * 3600;
    let (client_id, client, p1): (i64, String, i64) = conn
        .query_row(
            "SELECT c.id, c.contract_no,
                    (SELECT count(*) FROM tickets t WHERE t.client_id = c.id AND t.kind = 'incident' AND t.priority = 1
                        AND t.created_at >= ?1 AND t.created_at < ?2) AS p1
             FROM clients c JOIN sla_contracts k ON k.client_id = c.id
             WHERE json_extract(k.contract, '$.support.kind') = '24x7' AND c.time_zone = 'Europe/Moscow'
             ORDER BY p1 DESC, c.id LIMIT 1",
            params![lo, hi],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("the demo has a round-the-clock client in Moscow");
    assert!(p1 > 0, "{client} had priority-1 incidents in October");
    let m = d.json(&["report", "sla-month", "--client", &client, "--month", "2026-10", "--now", NOW, "--json"]);
    assert_eq!((m["month"].as_str(), m["time_zone"].as_str()), (Some("2026-10"), Some("Europe/Moscow")));

    let month = clocks(&conn, "t.client_id = ?2 AND t.created_at >= ?3 AND t.created_at < ?4", &[&client_id, &lo, &hi]);
    let tickets: i64 =
        conn.query_row("SELECT count(*) FROM tickets WHERE client_id = ?1 AND created_at >= ?2 AND created_at < ?3", params![client_id, lo, hi], |r| r.get(0)).unwrap();
    assert_eq!(num(&m["tickets"]), tickets as u64, "{client}'s tickets registered in October (Moscow): report vs SQL");
    assert_eq!(month.len() as u64, tickets as u64, "every ticket of the month has a contract and a history");
    let want = summarise(&month, now);
    check_compliance(&m["reaction"], want.reaction, &format!("{client} October reaction"));
    check_compliance(&m["resolution"], want.resolution, &format!("{client} October resolution"));
    let listed = reported_breaches(&m["breaches"], &client);
    assert_eq!(listed, breached_timers(&month, now), "{client}'s October breaches: report vs SQL");

    // Downtime: the union of every priority-1 incident's [registration, stop) within the month.
    let outages = clocks(&conn, "t.client_id = ?2 AND t.kind = 'incident' AND t.priority = 1", &[&client_id]);
    let spans: Vec<(i64, i64)> = outages.iter().map(|c| (c.created_at.max(lo), c.stopped_at.unwrap_or(now).min(hi))).filter(|(a, b)| b > a).collect();
    let down = union_seconds(spans);
    assert!(down > 0, "{client}'s priority-1 incidents took time");
    let month_seconds = hi - lo;
    assert_eq!(m["downtime_minutes"].as_i64(), Some(down / 60), "{client}'s October downtime in minutes: report vs {down} s from SQL");
    let availability = ((1.0 - down as f64 / month_seconds as f64) * 100_000.0).round() / 1000.0;
    let got = m["availability"].as_f64().expect("availability");
    assert!((got - availability).abs() < 1e-9, "{client}'s availability {got} vs {availability} (down {down} s of {month_seconds})");
}

// ---------------------------------------------------------------------------------------------
// Charts
// ---------------------------------------------------------------------------------------------

#[test]
fn chart_load_writes_an_svg_with_hover_titles_and_a_csv_of_the_hourly_report() {
    let d = shared();
    let out = tempfile::tempdir().unwrap();
    let (svg, csv) = (out.path().join("load.svg"), out.path().join("load.csv"));
    let (from, to) = ("2026-11-01", "2026-11-27");
    ok(out.path(), &["chart", "load", "--out", svg.to_str().unwrap(), "--csv", csv.to_str().unwrap(), "--now", NOW, "--from", from, "--to", to, "--tz", "UTC", "--db", d.db()]);
    let text = std::fs::read_to_string(&svg).expect("the SVG is written");
    assert!(text.starts_with("<svg"), "an SVG document: {}", text.chars().take(80).collect::<String>());
    assert!(text.contains("<title>"), "bars carry hover titles");

    let report = d.json(&["report", "load", "--by", "hour", "--from", from, "--to", to, "--tz", "UTC", "--json"]);
    let want: Vec<(String, u64)> = arr(&report["buckets"]).iter().map(|b| (num(&b["key"]).to_string(), num(&b["count"]))).collect();
    let data = std::fs::read_to_string(&csv).expect("the CSV is written");
    let mut lines = data.lines();
    assert_eq!(lines.next(), Some("bucket,total"), "the CSV header");
    let got: Vec<(String, u64)> = lines
        .map(|l| {
            let (k, n) = l.split_once(',').unwrap_or_else(|| panic!("a CSV row: {l}"));
            (k.to_string(), n.parse().unwrap_or_else(|_| panic!("a count: {l}")))
        })
        .collect();
    assert_eq!(got, want, "the CSV rows are the hourly report's buckets");

    let per_hour: BTreeMap<String, u64> = grouped(
        &d.sql(),
        "SELECT CAST(CAST(strftime('%H', created_at, 'unixepoch') AS INTEGER) AS TEXT), count(*) FROM tickets
         WHERE date(created_at, 'unixepoch') BETWEEN ?1 AND ?2 GROUP BY 1",
        params![from, to],
    );
    for (h, n) in &got {
        assert_eq!(*n, per_hour.get(h).copied().unwrap_or(0), "CSV hour {h} vs SQL");
    }
}

#[test]
fn chart_heatmap_writes_a_png_and_an_unknown_extension_is_refused_by_name() {
    let d = shared();
    let out = tempfile::tempdir().unwrap();
    let png = out.path().join("heat.png");
    ok(out.path(), &["chart", "heatmap", "--out", png.to_str().unwrap(), "--now", NOW, "--db", d.db()]);
    let bytes = std::fs::read(&png).expect("the PNG is written");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG signature, got {:?}", &bytes[..bytes.len().min(8)]);
    assert!(!out.path().join("heat.png.part.png").exists(), "no partial file is left behind");

    let txt = out.path().join("heat.txt");
    let res = run(out.path(), &["chart", "heatmap", "--out", txt.to_str().unwrap(), "--now", NOW, "--db", d.db()]);
    assert_eq!(res.status.code(), Some(3), "an .txt chart is invalid input: exit code 3");
    let err = String::from_utf8(res.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.contains("heat.txt") && err.contains(".svg or .png"), "names the file and the allowed endings: {err}");
    assert!(!txt.exists(), "nothing is written to heat.txt");
}

// ---------------------------------------------------------------------------------------------
// Contracts
// ---------------------------------------------------------------------------------------------

#[test]
fn a_contract_with_a_zero_resolution_target_is_refused_by_file_name_and_the_stored_one_stays() {
    // Its own replica: this test changes a contract.
    let dir = tempfile::tempdir().unwrap();
    let db = common::demo(dir.path(), "contracts.db", 2, 11);
    let conn = sql(&db);
    let db = db.to_str().unwrap();
    let client: String = conn.query_row("SELECT contract_no FROM clients ORDER BY id LIMIT 1", [], |r| r.get(0)).expect("a client");
    let stored = || -> Value {
        let text: String = conn
            .query_row("SELECT k.contract FROM sla_contracts k JOIN clients c ON c.id = k.client_id WHERE c.contract_no = ?1", [&client], |r| r.get(0))
            .expect("a stored contract");
        serde_json::from_str(&text).expect("stored JSON")
    };
    let show = || json(dir.path(), &["sla", "show", &client, "--db", db]);
    let before = show();
    assert_eq!(before, stored(), "sla show prints the stored contract");

    let mut bad = before.clone();
    bad["resolution_hours"][2] = Value::from(0);
    let file = dir.path().join("zero-target.json");
    std::fs::write(&file, serde_json::to_string_pretty(&bad).unwrap()).unwrap();
    let res = run(dir.path(), &["sla", "set", &client, file.to_str().unwrap(), "--db", db]);
    assert_eq!(res.status.code(), Some(3), "a zero target is refused as invalid input");
    let err = String::from_utf8(res.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.contains("zero-target.json") && err.contains("above zero"), "names the file and the rule: {err}");
    assert_eq!(show(), before, "sla show: the contract is unchanged");
    assert_eq!(stored(), before, "the stored contract is unchanged");

    // The same file with a valid target is taken.
    let mut good = before.clone();
    good["resolution_hours"][2] = Value::from(before["resolution_hours"][2].as_u64().expect("hours") + 1);
    let file = dir.path().join("longer-target.json");
    std::fs::write(&file, serde_json::to_string_pretty(&good).unwrap()).unwrap();
    ok(dir.path(), &["sla", "set", &client, file.to_str().unwrap(), "--db", db]);
    assert_eq!(show(), good, "sla show prints the new contract");
}

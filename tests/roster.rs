//! The roster CLI (`smena roster …`) driven on demo replicas, its answers checked against
//! what this file works out itself from the month grid (`roster show --json`), from the
//! staff table, and — for the iCalendar export — with an independent RFC 5545 parser.

mod common;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday};
use common::{demo, json, ok, run};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// A demo replica of its own (10 days of tickets, the demo's rosters) in a temporary home.
struct Replica {
    dir: tempfile::TempDir,
    db: PathBuf,
}

impl Replica {
    fn new(seed: u64) -> Replica {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let db = demo(dir.path(), "roster.db", 10, seed);
        Replica { dir, db }
    }

    fn home(&self) -> &Path {
        self.dir.path()
    }

    fn args<'a>(&'a self, args: &[&'a str]) -> Vec<&'a str> {
        let mut full = vec!["roster"];
        full.extend_from_slice(args);
        full.extend(["--db", self.db.to_str().expect("a UTF-8 path")]);
        full
    }

    /// `smena roster ARGS --db REPLICA`, which must succeed; its standard output.
    fn ok(&self, args: &[&str]) -> String {
        ok(self.home(), &self.args(args))
    }

    /// `smena roster ARGS --db REPLICA`, parsed (ARGS include `--json`).
    fn json(&self, args: &[&str]) -> Value {
        json(self.home(), &self.args(args))
    }

    /// `smena roster ARGS --db REPLICA`, which must fail as invalid input (exit code 3) with
    /// one line on standard error; that line.
    fn refused(&self, args: &[&str]) -> String {
        let out = run(self.home(), &self.args(args));
        assert_eq!(out.status.code(), Some(3), "{args:?} should be refused: {}", String::from_utf8_lossy(&out.stdout));
        let err = String::from_utf8(out.stderr).expect("UTF-8 errors");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: one line, got {err}");
        err
    }

    fn show(&self, month: &str) -> Value {
        self.json(&["show", "--month", month, "--json"])
    }

    fn coverage(&self, month: &str) -> Value {
        self.json(&["coverage", "--month", month, "--json"])
    }

    /// Writes `text` to a file in the home and returns its path.
    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.home().join(name);
        std::fs::write(&path, text).expect("the file is written");
        path
    }

    /// Everyone's home zone by staff id, read from the replica with a query of our own.
    fn zones(&self) -> HashMap<i64, String> {
        let conn = rusqlite::Connection::open(&self.db).expect("the replica opens");
        let mut stmt = conn.prepare("SELECT id, time_zone FROM staff").expect("a query");
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).expect("staff rows");
        rows.map(|r| r.expect("a row")).collect()
    }
}

fn arr(v: &Value) -> &Vec<Value> {
    v.as_array().unwrap_or_else(|| panic!("not an array: {v}"))
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

fn num(v: &Value) -> u32 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}")) as u32
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap_or_else(|_| panic!("not a day: {s}"))
}

/// The line whose head count a role fills: the lead and the deputy count on line 2.
fn line_of(role: &str) -> usize {
    match role {
        "line-1" => 1,
        "line-2" | "lead" | "deputy" => 2,
        "line-3" => 3,
        other => panic!("unknown role {other}"),
    }
}

/// One worked cell of the grid: a shift code, no absence, not a holiday the shift keeps.
struct Worked<'a> {
    person: &'a Value,
    day: &'a str,
    code: &'a str,
}

/// Every worked cell of a `show --json` month.
fn worked(show: &Value) -> Vec<Worked<'_>> {
    let days = arr(&show["days"]);
    let mut out = Vec::new();
    for p in arr(&show["people"]) {
        for (d, cell) in days.iter().zip(arr(&p["cells"])) {
            let code = text(&cell["code"]);
            if !code.is_empty() && cell["absence"].is_null() && cell["holiday"] == false {
                out.push(Worked { person: p, day: text(d), code });
            }
        }
    }
    out
}

/// Names of the people of `line` working `code` on `on`.
fn on_shift(show: &Value, on: &str, code: &str, line: usize) -> BTreeSet<String> {
    worked(show).iter().filter(|w| w.day == on && w.code == code && line_of(text(&w.person["role"])) == line).map(|w| text(&w.person["name"]).to_string()).collect()
}

/// A person's row by name.
fn row<'a>(show: &'a Value, name: &str) -> &'a Value {
    arr(&show["people"]).iter().find(|p| p["name"] == name).unwrap_or_else(|| panic!("no row for {name}"))
}

/// A person's cell on `on`.
fn cell<'a>(show: &'a Value, name: &str, on: &str) -> &'a Value {
    let i = arr(&show["days"]).iter().position(|d| d == on).unwrap_or_else(|| panic!("{on} is not in the month"));
    &row(show, name)["cells"][i]
}

/// Head counts per (day, D/N) and line 1, 2, 3 as the grid plans them.
fn planned(show: &Value) -> BTreeMap<(String, String), [u32; 3]> {
    let mut out: BTreeMap<(String, String), [u32; 3]> = BTreeMap::new();
    for d in arr(&show["days"]) {
        for code in ["D", "N"] {
            out.insert((text(d).to_string(), code.to_string()), [0; 3]);
        }
    }
    for w in worked(show) {
        if let Some(n) = out.get_mut(&(w.day.to_string(), w.code.to_string())) {
            n[line_of(text(&w.person["role"])) - 1] += 1;
        }
    }
    out
}

/// Missing heads on lines 1 and 2 against the default rule (2 × line 1 + 1 × line 2, no
/// line 3), a higher line's surplus standing in for a lower line's shortfall.
fn missing([l1, l2, l3]: [u32; 3]) -> [u32; 2] {
    let have2 = l2 + l3;
    let gap2 = 1u32.saturating_sub(have2);
    let spare2 = have2.saturating_sub(1);
    [2u32.saturating_sub(l1 + spare2), gap2]
}

fn counts(v: &Value) -> [u32; 2] {
    [num(&v["line1"]), num(&v["line2"])]
}

/// A `YYYYMMDDTHHMMSS` local time.
fn ical_local(t: NaiveDateTime) -> String {
    t.format("%Y%m%dT%H%M%S").to_string()
}

#[test]
fn december_coverage_states_exactly_which_shifts_are_short_and_of_whom() {
    let r = Replica::new(1);
    let show = r.show("2026-12");
    let coverage = r.coverage("2026-12");
    assert_eq!(show["state"], "none", "December is derived from the rotations");
    assert_eq!(show["report"], coverage, "the grid carries the same report");
    let expected = planned(&show);
    let shifts = arr(&coverage["shifts"]);
    let keys: BTreeSet<(String, String)> = shifts.iter().map(|s| (text(&s["day"]).to_string(), text(&s["code"]).to_string())).collect();
    assert_eq!(keys, expected.keys().cloned().collect(), "one entry per day and D/N shift");
    assert_eq!(shifts.len(), 62);
    let (mut short, mut short_by_line, mut gaps, mut places) = (0, [0u32; 2], [0u32; 2], 0);
    for s in shifts {
        let key = (text(&s["day"]).to_string(), text(&s["code"]).to_string());
        let n = expected[&key];
        assert_eq!(counts(&s["planned"]), [n[0], n[1]], "planned on {key:?}");
        assert_eq!(counts(&s["required"]), [2, 1], "required on {key:?}");
        let m = missing(n);
        assert_eq!(counts(&s["missing"]), m, "missing on {key:?} with {n:?} planned");
        short += u32::from(m != [0, 0]);
        for line in 0..2 {
            short_by_line[line] += u32::from(m[line] > 0);
            gaps[line] += m[line];
        }
        places += n[0] + n[1] + m[0] + m[1];
    }
    let summary = &coverage["summary"];
    assert_eq!(num(&summary["shifts"]), 62);
    assert_eq!(num(&summary["short_shifts"]), short);
    assert_eq!(counts(&summary["short_by_line"]), short_by_line);
    assert_eq!(counts(&summary["missing"]), gaps);
    // Nine engineers in four crews cannot fill 62 twelve-hour shifts of three.
    assert!(short > 0 && gaps[0] + gaps[1] > 0, "{summary}");
    assert_eq!(places, 3 * 62, "every shift's three places are either planned or missing");
}

#[test]
fn twelve_engineers_in_four_crews_leave_no_gaps() {
    let r = Replica::new(2);
    let people =
        r.file("people.csv", "name,role,time_zone,skills\nНовый Первый,1,Europe/Moscow,linux\nНовая Вторая,1,Asia/Novosibirsk,networks\nНовый Третий,2,Europe/Moscow,microsoft\n");
    r.ok(&["import", "--people", people.to_str().unwrap()]);
    r.ok(&["generate", "--month", "2026-12"]);
    let coverage = r.coverage("2026-12");
    assert_eq!(num(&coverage["summary"]["short_shifts"]), 0, "{}", coverage["summary"]);
    for s in arr(&coverage["shifts"]) {
        assert_eq!(counts(&s["planned"]), [2, 1], "{} {}", s["day"], s["code"]);
    }
    let show = r.show("2026-12");
    assert_eq!(show["state"], "draft");
    let mut crews: BTreeMap<String, usize> = BTreeMap::new();
    for p in arr(&show["people"]).iter().filter(|p| !p["crew"].is_null()) {
        *crews.entry(text(&p["crew"]).to_string()).or_default() += 1;
    }
    assert_eq!(crews, BTreeMap::from([("A".into(), 3), ("B".into(), 3), ("C".into(), 3), ("D".into(), 3)]));
}

/// One calendar event: person, TZID, local DTSTART and DTEND (`YYYYMMDDTHHMMSS`).
type Event = (String, String, String, String);

/// Every shift's VEVENT of an iCalendar file, and the TZIDs the file defines, read with the
/// `ical` crate; the on-call weeks' events apart.
fn ics_events(path: &Path) -> (Vec<Event>, BTreeSet<String>) {
    let (shifts, _, zones) = ics_all(path);
    (shifts, zones)
}

/// Every VEVENT: the shifts', the on-call weeks' (person, TZID, start, end), and the TZIDs.
fn ics_all(path: &Path) -> (Vec<Event>, Vec<Event>, BTreeSet<String>) {
    let file = std::io::BufReader::new(std::fs::File::open(path).expect("the calendar was written"));
    let mut calendars = ical::IcalParser::new(file).map(|c| c.expect("valid iCalendar")).collect::<Vec<_>>();
    assert_eq!(calendars.len(), 1, "one VCALENDAR");
    let cal = calendars.pop().unwrap();
    let prop = |props: &[ical::property::Property], name: &str| props.iter().find(|p| p.name == name).cloned().unwrap_or_else(|| panic!("no {name}"));
    let zoned = |p: ical::property::Property| {
        let tzid = p.params.iter().flatten().find(|(k, _)| k == "TZID").map(|(_, v)| v.join(",")).unwrap_or_else(|| panic!("{} without TZID", p.name));
        (tzid, p.value.expect("a time"))
    };
    let (mut shifts, mut on_call) = (Vec::new(), Vec::new());
    for e in &cal.events {
        let summary = prop(&e.properties, "SUMMARY").value.expect("a summary");
        let (_, person) = summary.rsplit_once(" — ").unwrap_or_else(|| panic!("no person in '{summary}'"));
        let (tz_start, start) = zoned(prop(&e.properties, "DTSTART"));
        let (tz_end, end) = zoned(prop(&e.properties, "DTEND"));
        assert_eq!(tz_start, tz_end, "{summary}");
        let event = (person.to_string(), tz_start, start, end);
        if summary.starts_with("On call: ") {
            on_call.push(event);
        } else {
            shifts.push(event);
        }
    }
    let zones = cal.timezones.iter().map(|z| prop(&z.properties, "TZID").value.expect("a TZID")).collect();
    (shifts, on_call, zones)
}

/// The events the grid says the calendar must hold: each worked cell at its template's start
/// for its length, in the template's zone or else the person's own.
fn expected_events(show: &Value, zones: &HashMap<i64, String>, only: Option<&str>) -> Vec<Event> {
    let templates: HashMap<&str, &Value> = arr(&show["templates"]).iter().map(|t| (text(&t["code"]), t)).collect();
    let mut out: Vec<_> = worked(show)
        .into_iter()
        .filter(|w| only.is_none_or(|n| w.person["name"] == n))
        .map(|w| {
            let t = templates[w.code];
            let zone = t["time_zone"].as_str().map(str::to_string).unwrap_or_else(|| zones[&w.person["staff_id"].as_i64().unwrap()].clone());
            let start = day(w.day).and_time(NaiveTime::parse_from_str(text(&t["start_time"]), "%H:%M").unwrap());
            let end = start + Duration::minutes(i64::from(num(&t["minutes"])));
            (text(&w.person["name"]).to_string(), zone, ical_local(start), ical_local(end))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn the_icalendar_export_parses_and_holds_exactly_the_worked_shifts() {
    let r = Replica::new(3);
    let show = r.show("2026-12");
    let zones = r.zones();
    let team = r.home().join("team.ics");
    r.ok(&["export", "--month", "2026-12", "--ics", team.to_str().unwrap()]);
    let (mut events, defined) = ics_events(&team);
    events.sort();
    let expected = expected_events(&show, &zones, None);
    assert!(expected.len() > 500, "a month of 31 people: {}", expected.len());
    assert_eq!(events, expected);
    let used: BTreeSet<String> = events.iter().map(|e| e.1.clone()).collect();
    assert!(used.contains("America/Toronto") && used.contains("Europe/Moscow"), "{used:?}");
    assert!(used.is_subset(&defined), "used {used:?}, defined {defined:?}");
    // The office day of 31 December is a public holiday: nobody's calendar has it.
    assert!(!events.iter().any(|e| e.2.starts_with("20261231T09")), "no office day on the holiday");
    // The third line's on-call weeks that start in December, Monday 09:00 to Monday 09:00 in
    // each specialist's own zone, as `roster oncall` lists them.
    let (_, mut on_call, _) = ics_all(&team);
    on_call.sort();
    let weeks = r.json(&["oncall", "--from", "2026-12-01", "--weeks", "6", "--json"]);
    let names: HashMap<i64, &str> = arr(&show["people"]).iter().map(|p| (p["staff_id"].as_i64().unwrap(), text(&p["name"]))).collect();
    let mut want: Vec<Event> = arr(&weeks)
        .iter()
        .filter(|w| text(&w["week"]).starts_with("2026-12"))
        .map(|w| {
            let id = w["staff_id"].as_i64().expect("someone on call");
            let monday = day(text(&w["week"])).and_time(NaiveTime::from_hms_opt(9, 0, 0).unwrap());
            (names[&id].to_string(), zones[&id].clone(), ical_local(monday), ical_local(monday + Duration::days(7)))
        })
        .collect();
    want.sort();
    assert!(want.len() >= 4 * 9, "four December weeks of nine skills: {}", want.len());
    assert_eq!(on_call, want);

    // One person's calendar: a Novosibirsk engineer's Moscow shifts, and nobody else's.
    let person = arr(&show["people"]).iter().find(|p| p["role"] == "line-1" && zones[&p["staff_id"].as_i64().unwrap()] == "Asia/Novosibirsk").expect("an engineer in Novosibirsk");
    let name = text(&person["name"]);
    let mine = r.home().join("mine.ics");
    r.ok(&["export", "--month", "2026-12", "--ics", mine.to_str().unwrap(), "--person", name]);
    let (mut events, defined) = ics_events(&mine);
    events.sort();
    assert_eq!(events, expected_events(&show, &zones, Some(name)));
    assert!(events.len() >= 15 && events.iter().all(|e| e.0 == name && e.1 == "Europe/Moscow"), "{events:?}");
    assert_eq!(defined, BTreeSet::from(["Europe/Moscow".to_string()]));
}

#[test]
fn a_swap_keeps_the_count_and_an_absence_opens_a_gap_that_suggestions_fill_from_people_off() {
    let r = Replica::new(4);
    let before = r.show("2026-12");
    let on = "2026-12-09";
    let first_line = |show: &Value, code: &str| -> Vec<String> {
        arr(&show["people"]).iter().filter(|p| p["role"] == "line-1" && cell(show, text(&p["name"]), on)["code"] == code).map(|p| text(&p["name"]).to_string()).collect()
    };
    let (working, off) = (first_line(&before, "D"), first_line(&before, ""));
    assert!(working.len() == 2 && !off.is_empty(), "{on}: D {working:?}, off {off:?}");
    let (a, b) = (&working[0], &off[0]);
    let shift_of = |cov: &Value| arr(&cov["shifts"]).iter().find(|s| s["day"] == on && s["code"] == "D").expect("the day shift").clone();
    let was = shift_of(&r.coverage("2026-12"));
    assert_eq!(counts(&was["missing"]), [0, 0], "crew A is full: {was}");

    r.ok(&["swap", "--person", a, "--day", on, "--with", b]);
    let after = r.show("2026-12");
    assert_eq!(cell(&after, a, on)["code"], "");
    assert_eq!(cell(&after, b, on)["code"], "D");
    assert!(cell(&after, a, on)["manual"] == true && cell(&after, b, on)["manual"] == true);
    assert_eq!(after["state"], "draft", "an edit stores the month");
    let now = shift_of(&r.coverage("2026-12"));
    assert_eq!(now["planned"], was["planned"]);
    assert_eq!(now["missing"], was["missing"]);

    // The other first-line engineer of that day shift falls ill.
    let ill = &working[1];
    r.ok(&["absence", "add", "--person", ill, "--kind", "sick", "--from", on, "--to", on]);
    let gap = shift_of(&r.coverage("2026-12"));
    assert_eq!(counts(&gap["missing"]), [1, 0], "{gap}");
    let show = r.show("2026-12");
    assert_eq!(cell(&show, ill, on)["absence"], "sick");
    let suggested = r.json(&["suggest", "--day", on, "--shift", "D", "--line", "1", "--json"]);
    let names: Vec<&str> = arr(&suggested).iter().map(|s| text(&s["name"])).collect();
    assert!(!names.is_empty(), "someone off can cover");
    for n in &names {
        let c = cell(&show, n, on);
        assert!(c["code"] == "" && c["absence"].is_null(), "{n} is suggested but has {c} on {on}");
    }
    assert!(!names.contains(&ill.as_str()) && !names.contains(&b.as_str()), "{names:?}");
    assert_eq!(text(&suggested[0]["role"]), "line-1", "the short line's own engineers first: {names:?}");
}

#[test]
fn publishing_keeps_the_published_version_through_later_edits() {
    let r = Replica::new(5);
    let state = |r: &Replica| {
        let show = r.show("2026-12");
        (text(&show["state"]).to_string(), show["published_version"].as_i64())
    };
    assert_eq!(state(&r), ("none".into(), None));
    assert!(r.ok(&["publish", "--month", "2026-12"]).contains("version 1"));
    assert_eq!(state(&r), ("published".into(), Some(1)));
    let name = text(&r.show("2026-12")["people"][0]["name"]).to_string();
    r.ok(&["assign", "--person", &name, "--day", "2026-12-03", "--shift", "N"]);
    assert_eq!(state(&r), ("draft".into(), Some(1)));
    assert_eq!(cell(&r.show("2026-12"), &name, "2026-12-03")["code"], "N");
    assert!(r.ok(&["publish", "--month", "2026-12"]).contains("version 2"));
    assert_eq!(state(&r), ("published".into(), Some(2)));
}

/// Names in a list of people now or next.
fn names(list: &Value) -> BTreeSet<String> {
    arr(list).iter().map(|p| text(&p["name"]).to_string()).collect()
}

#[test]
fn now_shows_the_day_crew_the_night_crew_next_and_the_specialists_in_the_office() {
    let r = Replica::new(6);
    let on = "2026-12-02";
    assert_eq!(day(on).weekday(), Weekday::Wed);
    let show = r.show("2026-12");
    let at: DateTime<Utc> = "2026-12-02T10:00:00Z".parse().unwrap();
    let panel = r.json(&["now", "--at", "2026-12-02T10:00:00Z", "--json"]);
    let line = |n: u64| arr(&panel["lines"]).iter().find(|l| l["line"] == n).unwrap_or_else(|| panic!("no line {n}"));
    let night_starts = "2026-12-02T17:00:00Z";
    for n in [1, 2] {
        let l = line(n);
        let (day_crew, night_crew) = (on_shift(&show, on, "D", n as usize), on_shift(&show, on, "N", n as usize));
        assert!(!day_crew.is_empty() && !night_crew.is_empty(), "line {n}");
        // Only the engineers of the line: the lead and the deputy are listed apart.
        let engineers = |set: BTreeSet<String>| set.into_iter().filter(|p| row(&show, p)["role"] == format!("line-{n}")).collect::<BTreeSet<_>>();
        assert_eq!(names(&l["now"]), engineers(day_crew), "line {n} now (13:00 in Moscow)");
        assert_eq!(l["next_at"], night_starts, "line {n}: the night starts at 20:00 in Moscow");
        assert_eq!(names(&l["next"]), engineers(night_crew), "line {n} next");
        assert!(arr(&l["now"]).iter().all(|p| p["code"] == "D" && p["start"] == "2026-12-02T05:00:00Z" && p["end"] == night_starts));
    }
    // Third line: those with an office day whose 09:00–18:00 in their own zone holds the moment.
    let zones = r.zones();
    let in_office: BTreeSet<String> = arr(&show["people"])
        .iter()
        .filter(|p| p["role"] == "line-3" && cell(&show, text(&p["name"]), on)["code"] == "W")
        .filter(|p| {
            let tz: chrono_tz::Tz = zones[&p["staff_id"].as_i64().unwrap()].parse().unwrap();
            let nine = tz.from_local_datetime(&day(on).and_hms_opt(9, 0, 0).unwrap()).unwrap().with_timezone(&Utc);
            nine <= at && at < nine + Duration::hours(9)
        })
        .map(|p| text(&p["name"]).to_string())
        .collect();
    assert!(in_office.len() >= 10, "{in_office:?}");
    assert_eq!(names(&line(3)["now"]), in_office);
    let specialists: BTreeSet<String> = arr(&panel["specialists"]).iter().flat_map(|s| arr(&s["people"]).iter().map(|n| text(n).to_string())).collect();
    assert!(!specialists.is_empty() && specialists.is_subset(&in_office), "specialists {specialists:?} vs in the office {in_office:?}");
    for s in arr(&panel["specialists"]) {
        for n in arr(&s["people"]) {
            let skills = arr(&row(&show, text(n))["skills"]);
            assert!(skills.contains(&s["skill"]), "{n} listed under {} without the skill", s["skill"]);
        }
    }
}

#[test]
fn bad_input_is_refused_with_what_and_where_and_nothing_changes() {
    let r = Replica::new(7);
    let before = r.show("2026-12");
    let engineer = text(&arr(&before["people"]).iter().find(|p| p["role"] == "line-1").unwrap()["name"]).to_string();

    let err = r.refused(&["show", "--month", "2026-13"]);
    assert!(err.contains("month '2026-13'") && err.contains("YYYY-MM"), "{err}");
    let err = r.refused(&["assign", "--person", "Никто Неизвестный", "--day", "2026-12-01", "--shift", "D"]);
    assert!(err.contains("no one on the staff is called 'Никто Неизвестный'"), "{err}");
    let err = r.refused(&["rotation", "--person", &engineer, "--cycle", "DDXO", "--start", "2026-12-01"]);
    assert!(err.contains("'DDXO'") && err.contains("'X'"), "{err}");

    // A bad role on line 3: the file and the line are named, and the good row before it is
    // not imported either.
    let people = r.file("hr.csv", "name,role,time_zone,skills\nХороший Человек,1,Europe/Moscow,linux\nПлохая Роль,5,Europe/Moscow,\n");
    let err = r.refused(&["import", "--people", people.to_str().unwrap()]);
    assert!(err.contains("hr.csv line 3") && err.contains("role '5'"), "{err}");
    let holidays = r.file("holidays.ics", "day,name\n2026-12-30,Not a calendar\n");
    let err = r.refused(&["import", "--holidays", holidays.to_str().unwrap()]);
    assert!(err.contains("holidays.ics") && err.contains("not an iCalendar file"), "{err}");

    let after = r.show("2026-12");
    assert_eq!(after, before, "nothing stored changed");
    assert!(!arr(&after["people"]).iter().any(|p| p["name"] == "Хороший Человек"), "all or nothing");
}

#[test]
fn a_holiday_imported_from_icalendar_lowers_the_norm_and_frees_the_office_day() {
    let r = Replica::new(8);
    // A Monday: the day before is a Sunday, so no shortened pre-holiday day changes the norm.
    let (month, on) = ("2027-04", "2027-04-12");
    assert_eq!(day(on).weekday(), Weekday::Mon);
    let before = r.show(month);
    assert!(arr(&before["holidays"]).is_empty(), "{}", before["holidays"]);
    let calendar = r.file(
        "extra.ics",
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//Holidays//EN\r\nBEGIN:VEVENT\r\nUID:extra-2027@test\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;VALUE=DATE:20270412\r\nDTEND;VALUE=DATE:20270413\r\nSUMMARY:Extra day off\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    );
    r.ok(&["import", "--holidays", calendar.to_str().unwrap()]);
    let after = r.show(month);
    assert_eq!(after["holidays"], serde_json::json!([on]));
    assert_eq!(after["norm_hours"].as_f64().unwrap(), before["norm_hours"].as_f64().unwrap() - 8.0);
    let mut office = 0;
    for p in arr(&after["people"]) {
        let name = text(&p["name"]);
        let (was, now) = (cell(&before, name, on), cell(&after, name, on));
        assert_eq!(was["holiday"], false);
        assert_eq!(now["code"], was["code"], "{name}: the plan itself stays");
        // Office days keep public holidays; the round-the-clock shifts do not.
        assert_eq!(now["holiday"], now["code"] == "W", "{name}: {now}");
        office += usize::from(now["code"] == "W");
        assert_eq!(cell(&after, name, "2027-04-13")["holiday"], false, "{name}: only the holiday itself");
    }
    assert!(office >= 20, "{office} office days on {on}");
}

#[test]
fn staffing_counts_the_engineers_the_roster_puts_on_shift_hour_by_hour() {
    let r = Replica::new(8);
    let show = r.show("2026-12");
    // The week of Monday 7 December 2026, hours in Moscow (where the D and N shifts are set).
    let report = json(r.home(), &["report", "staffing", "--db", r.db.to_str().unwrap(), "--week", "2026-W50", "--tz", "Europe/Moscow", "--json"]);
    assert!(text(&report["planned_from"]).starts_with("roster"), "{}", report["planned_from"]);
    for (line_index, line) in arr(&report["lines"]).iter().enumerate() {
        let hours = arr(&line["hours"]);
        assert_eq!(hours.len(), 168);
        let planned = |hour: &str| hours.iter().find(|h| h["hour"] == hour).map(|h| num(&h["planned"])).unwrap_or_else(|| panic!("no hour {hour}"));
        let line = line_index + 1;
        // 10:00 Monday: the day shift of the 7th; 22:00: its night; 03:00: the night of the 6th.
        assert_eq!(planned("mon-10") as usize, on_shift(&show, "2026-12-07", "D", line).len(), "line {line} mon-10");
        assert_eq!(planned("mon-22") as usize, on_shift(&show, "2026-12-07", "N", line).len(), "line {line} mon-22");
        assert_eq!(planned("mon-03") as usize, on_shift(&show, "2026-12-06", "N", line).len(), "line {line} mon-03");
        assert_eq!(planned("sun-19") as usize, on_shift(&show, "2026-12-13", "D", line).len(), "line {line} sun-19");
        // The shortfall is what Erlang C asks for beyond them.
        for h in hours {
            assert_eq!(num(&h["shortfall"]), num(&h["scheduled"]).saturating_sub(num(&h["planned"])));
        }
    }
}

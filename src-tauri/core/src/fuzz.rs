//! Property tests over every parser of outside data: the ServiceNow importer (rows, fields,
//! bytes, zips), contracts, roster rules, holiday calendars, the priority matrix, and what
//! people type (instants, days, months, weeks, zones); the RT and SimpleOne answers are
//! fuzzed beside their connectors with [`json`]. Each property: no panic, whatever the input,
//! and what is accepted is usable. CI runs `SMENA_FUZZ_CASES` cases each (64 when unset); a
//! longer run: `SMENA_FUZZ_CASES=20000 cargo test -p smena-core --release fuzz`.

use crate::domain::PriorityMatrix;
use crate::import::servicenow::{self, ImportOptions};
use crate::store::Replica;
use proptest::prelude::*;
use proptest::test_runner::Config;

/// Cases per property.
pub(crate) fn config() -> Config {
    let cases = std::env::var("SMENA_FUZZ_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(64);
    Config { cases, failure_persistence: None, ..Config::default() }
}

/// Text the way hostile files and servers write it: dates in every form and out of range,
/// numbers at the edges, quotes, separators, control characters, Cyrillic, nothing.
pub(crate) fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("?".to_string()),
        Just("31/12/+262143 23:59".to_string()),
        Just("1/3/+262142 09:00".to_string()),
        Just("+262143-12-31T23:59:59Z".to_string()),
        Just("9999-12-31T23:59:59Z".to_string()),
        Just("1969-12-31 23:59:59".to_string()),
        Just("29/2/2023 10:00".to_string()),
        Just("1/3/2016 09:00".to_string()),
        Just("2026-11-28 09:00:00".to_string()),
        Just("18446744073709551616".to_string()),
        Just("-9223372036854775808".to_string()),
        Just("NaN".to_string()),
        Just("1 - High".to_string()),
        Just("2 - Medium".to_string()),
        Just("Active".to_string()),
        Just("Closed".to_string()),
        Just("\"".to_string()),
        Just("=HYPERLINK(\"x\")".to_string()),
        Just("\u{1b}[2J\r\n".to_string()),
        "[a-zA-Zа-яА-Я0-9 ,;:/\\-+.]{0,24}",
        any::<String>(),
    ]
}

/// Any JSON value, nested a few levels, with [`text`] for strings.
pub(crate) fn json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<u64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(serde_json::Value::Null, serde_json::Value::Number)),
        text().prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 48, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(serde_json::Value::from),
            prop::collection::btree_map(prop_oneof![text(), "[a-zA-Z_.]{1,16}".prop_map(String::from)], inner, 0..8)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

const HEADER: &str = "number,incident_state,active,reassignment_count,reopen_count,sys_mod_count,made_sla,caller_id,opened_by,opened_at,sys_created_by,sys_created_at,sys_updated_by,sys_updated_at,contact_type,location,category,subcategory,u_symptom,cmdb_ci,impact,urgency,priority,assignment_group,assigned_to,knowledge,u_priority_confirmation,notify,problem_id,rfc,vendor,caused_by,closed_code,resolved_by,resolved_at,closed_at";

fn csv_field(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn import(bytes: &[u8], name: &str) -> Result<crate::import::ImportReport, crate::import::ImportError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let mut r = Replica::open_in_memory().unwrap();
    servicenow::import(&mut r, &path, &ImportOptions { tz: chrono_tz::UTC, dry_run: false, mapping: Default::default() }, &mut |_, _| {})
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn fuzz_servicenow_rows_of_any_fields_import_or_are_skipped_by_line(rows in prop::collection::vec(prop::collection::vec(text(), 36), 1..12)) {
        let mut csv = String::from(HEADER);
        for row in &rows {
            csv.push('\n');
            csv.push_str(&row.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        }
        let report = import(csv.as_bytes(), "rows.csv").expect("a file with the right header imports");
        prop_assert!(report.imported as usize + report.skipped.len() <= rows.len() + 1);
        // Lines are the file's own (a quoted field may hold line breaks).
        let lines = csv.matches('\n').count() + 1;
        for s in &report.skipped {
            prop_assert!(s.line >= 2 && s.line as usize <= lines, "{s:?} of {lines} lines");
        }
    }

    #[test]
    fn fuzz_servicenow_any_bytes_and_zips_are_read_or_refused(bytes in prop::collection::vec(any::<u8>(), 0..2048), zipped in any::<bool>()) {
        let data = if zipped {
            let mut out = std::io::Cursor::new(Vec::new());
            {
                let mut zip = zip::ZipWriter::new(&mut out);
                zip.start_file("export.csv", zip::write::SimpleFileOptions::default()).unwrap();
                std::io::Write::write_all(&mut zip, &bytes).unwrap();
                zip.finish().unwrap();
            }
            // And a zip cut short anywhere.
            let mut z = out.into_inner();
            if bytes.len() % 3 == 0 {
                z.truncate(z.len() / 2);
            }
            z
        } else {
            bytes
        };
        let _ = import(&data, if zipped { "e.zip" } else { "e.csv" });
    }

    #[test]
    fn fuzz_contracts_that_are_accepted_keep_the_clock_on_the_calendar(reaction in prop::array::uniform5(any::<u32>()), resolution in prop::array::uniform5(any::<u32>()), fee in any::<f64>(), extra in json()) {
        let mut c = serde_json::to_value(crate::sla::Contract::default()).unwrap();
        c["reaction_minutes"] = serde_json::to_value(reaction).unwrap();
        c["resolution_hours"] = serde_json::to_value(resolution).unwrap();
        c["monthly_fee"] = serde_json::Number::from_f64(fee).map_or(serde_json::Value::Null, serde_json::Value::Number);
        for text in [c.to_string(), extra.to_string()] {
            if let Ok(contract) = crate::sla::contract::parse(&text) {
                let cal = crate::sla::Calendar::new(contract.support.clone(), chrono_tz::Europe::Moscow);
                let from = chrono::DateTime::parse_from_rfc3339("9999-06-01T00:00:00Z").unwrap().to_utc();
                for h in contract.resolution_hours {
                    let _ = cal.after(from, i64::from(h) * 3600);
                }
            }
        }
    }

    #[test]
    fn fuzz_roster_rules_and_holiday_calendars_parse_or_are_refused(rules in json(), lines in prop::collection::vec(text(), 0..24)) {
        let _ = crate::roster::Rules::parse(&rules.to_string(), &["D".to_string(), "N".to_string()]);
        let mut ics = String::from("BEGIN:VCALENDAR\r\n");
        for (i, l) in lines.iter().enumerate() {
            let key = ["BEGIN:VEVENT", "DTSTART;VALUE=DATE:", "DTEND;VALUE=DATE:", "SUMMARY:", "STATUS:", "END:VEVENT", " "][i % 7];
            ics.push_str(&format!("{key}{l}\r\n"));
        }
        ics.push_str("END:VCALENDAR\r\n");
        let _ = crate::roster::ical::parse_holidays(&ics, "fuzz.ics");
        let _ = crate::roster::ical::parse_holidays(&lines.join("\n"), "fuzz.ics");
    }

    #[test]
    fn fuzz_acknowledgement_settings_stored_as_anything_read_within_bounds(stored in json(), minutes in prop::array::uniform5(any::<i64>())) {
        let mut r = crate::store::Replica::open_in_memory().unwrap();
        for value in [stored.to_string(), serde_json::json!({ "minutes": minutes }).to_string()] {
            r.write(|tx| crate::store::settings::put(tx, "acknowledgement", &value)).unwrap();
            let s = crate::sla::ack::settings(&r).unwrap();
            prop_assert!(s.minutes.iter().all(|m| (1..=7 * 24 * 60).contains(m)), "{:?} from {}", s, value);
        }
    }

    #[test]
    fn fuzz_what_people_type_is_read_or_refused_and_valid_days_round_trip(s in text(), days in 0i64..2_900_000) {
        let _ = PriorityMatrix::parse(&s);
        let _ = crate::input::instant(&s);
        let _ = crate::input::day(&s);
        let _ = crate::input::month(&s);
        let _ = crate::input::week(&s);
        let _ = crate::input::time_zone(&s);
        let d = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::Duration::days(days);
        prop_assert_eq!(crate::input::day(&d.to_string()).ok(), crate::input::sane_day(d));
        prop_assert_eq!(crate::input::month(&d.format("%Y-%m").to_string()).ok().map(|m| m.format("%Y-%m").to_string()), crate::input::sane_day(d).map(|d| d.format("%Y-%m").to_string()));
    }
}

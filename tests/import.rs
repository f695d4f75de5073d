//! Importing the real ServiceNow event log (UCI dataset 498, CC BY 4.0; see
//! tests/data/servicenow/ATTRIBUTION.md) and broken copies of it, through the CLI.

mod common;

use common::{json, run};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};

fn log_zip() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/servicenow/incident_event_log.uci498.zip")
}

/// The log's rows as maps, read here independently of Smena's importer.
fn log_rows() -> Vec<HashMap<String, String>> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(log_zip()).unwrap()).unwrap();
    let mut text = String::new();
    zip.by_name("incident_event_log.csv").unwrap().read_to_string(&mut text).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    rdr.records().map(|r| headers.iter().zip(r.unwrap().iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect()).collect()
}

fn naive(v: &str) -> chrono::NaiveDateTime {
    chrono::NaiveDateTime::parse_from_str(v, "%d/%m/%Y %H:%M").unwrap()
}

fn import(dir: &Path, db: &Path, file: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["import", "servicenow", file.to_str().unwrap(), "--db", db.to_str().unwrap(), "--json"];
    args.extend_from_slice(extra);
    json(dir, &args)
}

#[test]
fn the_real_log_gives_every_incident_with_load_and_matrix_equal_to_independent_counts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sn.db");
    let report = import(dir.path(), &db, &log_zip(), &[]);
    assert_eq!(report["rows"], 141_712);
    assert_eq!(report["tickets"], 24_918);
    assert_eq!(report["imported"], 24_918);
    let skipped = report["skipped"].as_array().unwrap();
    assert_eq!(skipped.iter().filter(|s| s["reason"].as_str().unwrap().contains("'-100'")).count(), 5, "the five -100 states");

    // Load by hour in UTC against opened_at hours counted here.
    let rows = log_rows();
    let mut opened: BTreeMap<&str, u32> = BTreeMap::new();
    for r in &rows {
        opened.entry(r["number"].as_str()).or_insert_with(|| chrono::Timelike::hour(&naive(&r["opened_at"])));
    }
    let mut want = [0u64; 24];
    for h in opened.values() {
        want[*h as usize] += 1;
    }
    let load = json(dir.path(), &["report", "load", "--db", db.to_str().unwrap(), "--by", "hour", "--tz", "UTC", "--json"]);
    let got: Vec<u64> = load["buckets"].as_array().unwrap().iter().map(|b| b["count"].as_u64().unwrap()).collect();
    assert_eq!(got, want);

    // The matrix report against a cross-tab of each ticket's latest readable row.
    let level = |v: &str| match v {
        "1 - High" => "high",
        "2 - Medium" => "medium",
        "3 - Low" => "low",
        other => panic!("{other}"),
    };
    let priority = |v: &str| match v {
        "1 - Critical" => "critical",
        "2 - High" => "high",
        "3 - Moderate" => "medium",
        "4 - Low" => "low",
        other => panic!("{other}"),
    };
    let mut latest: HashMap<&str, &HashMap<String, String>> = HashMap::new();
    for r in &rows {
        let readable = r["incident_state"] != "-100" && naive(&r["sys_updated_at"]) >= naive(&r["opened_at"]);
        if !readable {
            continue;
        }
        let n: u64 = r["sys_mod_count"].parse().unwrap();
        let keep = latest.get(r["number"].as_str()).is_none_or(|prev| prev["sys_mod_count"].parse::<u64>().unwrap() <= n);
        if keep {
            latest.insert(r["number"].as_str(), r);
        }
    }
    let mut want: BTreeMap<(String, String, String), u64> = BTreeMap::new();
    for r in latest.values() {
        *want.entry((level(&r["urgency"]).into(), level(&r["impact"]).into(), priority(&r["priority"]).into())).or_default() += 1;
    }
    let cells = json(dir.path(), &["report", "matrix", "--db", db.to_str().unwrap(), "--json"]);
    let got: BTreeMap<(String, String, String), u64> = cells["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| ((c["urgency"].as_str().unwrap().into(), c["impact"].as_str().unwrap().into(), c["priority"].as_str().unwrap().into()), c["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(got, want);

    // A second import changes nothing.
    let again = import(dir.path(), &db, &log_zip(), &[]);
    assert_eq!((again["imported"].as_u64(), again["updated"].as_u64(), again["unchanged"].as_u64()), (Some(0), Some(0), Some(24_918)));
    let resolution = json(dir.path(), &["report", "resolution", "--by", "priority", "--db", db.to_str().unwrap(), "--json"]);
    let groups = resolution["groups"].as_array().unwrap();
    assert!(groups.iter().all(|g| g["median_hours"].as_f64().unwrap() <= g["p90_hours"].as_f64().unwrap()));
}

const HEADER: &str = "number,incident_state,active,reassignment_count,reopen_count,sys_mod_count,made_sla,caller_id,opened_by,opened_at,sys_created_by,sys_created_at,sys_updated_by,sys_updated_at,contact_type,location,category,subcategory,u_symptom,cmdb_ci,impact,urgency,priority,assignment_group,assigned_to,knowledge,u_priority_confirmation,notify,problem_id,rfc,vendor,caused_by,closed_code,resolved_by,resolved_at,closed_at";

fn row(number: &str, state: &str, n: u32, updated: &str, urgency: &str) -> String {
    format!("{number},{state},true,0,0,{n},true,Caller 1,Opened by 1,1/3/2016 09:00,Created by 1,1/3/2016 09:00,Updated by 2,{updated},Phone,Location 1,Category 1,Subcategory 1,Symptom 1,?,2 - Medium,{urgency},3 - Moderate,Group 1,Resolver 1,true,false,Do Not Notify,?,?,?,?,code 5,?,?,?")
}

#[test]
fn a_broken_copy_imports_everything_else_and_names_each_bad_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.csv");
    let lines = [
        HEADER.to_string(),
        row("INC1", "New", 0, "1/3/2016 09:00", "2 - Medium"),
        row("INC1", "Active", 1, "1/3/2016 10:00", "1 - High"),
        row("INC2", "New", 0, "1/3/2016 09:30", "2 - Medium"),
        "INC3,New,true,0,0,0,true,Caller 1".to_string(),         // line 5: truncated
        row("INC4", "New", 0, "31/2/2016 09:00", "2 - Medium"),  // line 6: impossible date
        row("INC5", "New", 0, "1/3/2016 09:00", "0 - Urgent"),   // line 7: unknown urgency
        row("INC1", "-100", 2, "1/3/2016 11:00", "2 - Medium"),  // line 8: impossible state
        format!("INC6,\"New,{}", &row("X", "", 0, "", "")[4..]), // line 9: stray quote to the end
    ];
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let db = dir.path().join("b.db");
    let report = import(dir.path(), &db, &file, &[]);
    assert_eq!(report["imported"], 2);
    let skipped: Vec<(u64, String)> = report["skipped"].as_array().unwrap().iter().map(|s| (s["line"].as_u64().unwrap(), s["reason"].as_str().unwrap().to_string())).collect();
    let lines_named: Vec<u64> = skipped.iter().map(|s| s.0).collect();
    assert_eq!(lines_named, [5, 6, 7, 8, 9], "{skipped:?}");
    assert!(skipped[0].1.contains("expected 36 fields"), "{skipped:?}");
    assert!(skipped[1].1.contains("31/2/2016"), "{skipped:?}");
    assert!(skipped[2].1.contains("unknown urgency '0 - Urgent'"), "{skipped:?}");
    assert!(skipped[3].1.contains("'-100'"), "{skipped:?}");
    // INC1's history: registered, then New → Active and the urgency rise, by the updater.
    let t = json(dir.path(), &["ticket", "INC1", "--db", db.to_str().unwrap(), "--json"]);
    assert_eq!(t["summary"]["status"], "in-progress");
    let fields: Vec<&str> = t["history"].as_array().unwrap().iter().map(|h| h["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["status", "status", "urgency"]);
    assert_eq!(t["history"][1]["actor"], "Updated by 2");
    // Text output names the file and line of each skipped row.
    let out = run(dir.path(), &["import", "servicenow", file.to_str().unwrap(), "--db", dir.path().join("c.db").to_str().unwrap()]);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("broken.csv:7: skipped: unknown urgency"), "{err}");
}

#[test]
fn a_dry_run_writes_nothing_and_a_mapping_file_changes_the_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("small.csv");
    std::fs::write(&file, [HEADER.to_string(), row("INC1", "New", 0, "1/3/2016 09:00", "1 - High")].join("\n")).unwrap();
    let db = dir.path().join("d.db");
    let dry = import(dir.path(), &db, &file, &["--dry-run"]);
    assert_eq!((dry["imported"].as_u64(), dry["dry_run"].as_bool()), (Some(1), Some(true)));
    assert_eq!(json(dir.path(), &["tickets", "--db", db.to_str().unwrap(), "--status", "all", "--json"])["total"], 0);

    let mapping: Value = json(dir.path(), &["import", "servicenow", "--show-mapping"]);
    let mut mapping = mapping;
    mapping["urgency"]["1 - High"] = Value::from("very-high");
    let mapping_file = dir.path().join("mapping.json");
    std::fs::write(&mapping_file, mapping.to_string()).unwrap();
    import(dir.path(), &db, &file, &["--mapping", mapping_file.to_str().unwrap()]);
    let t = json(dir.path(), &["ticket", "INC1", "--db", db.to_str().unwrap(), "--json"]);
    assert_eq!(t["summary"]["urgency"], "very-high");
    // The source priority is kept as given (3 - Moderate → medium), whatever the matrix says.
    assert_eq!(t["summary"]["priority"], "medium");
}

#[test]
fn a_newer_export_updates_keeping_the_leads_pin_and_an_older_one_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("u.db");
    let (old, new) = (dir.path().join("old.csv"), dir.path().join("new.csv"));
    std::fs::write(&old, [HEADER.to_string(), row("INC1", "New", 0, "1/3/2016 09:00", "2 - Medium"), row("INC2", "New", 0, "1/3/2016 09:00", "2 - Medium")].join("\n")).unwrap();
    std::fs::write(
        &new,
        [
            HEADER.to_string(),
            row("INC1", "New", 0, "1/3/2016 09:00", "2 - Medium"),
            row("INC1", "Active", 1, "1/3/2016 10:00", "1 - High"),
            row("INC2", "New", 0, "1/3/2016 09:00", "2 - Medium"),
        ]
        .join("\n"),
    )
    .unwrap();
    import(dir.path(), &db, &old, &[]);
    common::ok(dir.path(), &["ticket", "INC1", "pin", "--db", db.to_str().unwrap()]);
    let r = import(dir.path(), &db, &new, &[]);
    assert_eq!((r["updated"].as_u64(), r["unchanged"].as_u64()), (Some(1), Some(1)));
    let t = json(dir.path(), &["ticket", "INC1", "--db", db.to_str().unwrap(), "--json"]);
    assert_eq!((t["summary"]["status"].as_str(), t["summary"]["pinned"].as_bool()), (Some("in-progress"), Some(true)));
    assert!(t["history"].as_array().unwrap().iter().any(|h| h["field"] == "lead-order"), "the lead's own history stays");
    let back = import(dir.path(), &db, &old, &[]);
    assert_eq!((back["updated"].as_u64(), back["unchanged"].as_u64()), (Some(0), Some(2)));
    let t = json(dir.path(), &["ticket", "INC1", "--db", db.to_str().unwrap(), "--json"]);
    assert_eq!(t["summary"]["status"], "in-progress", "an older export does not roll the ticket back");
}

#[test]
fn a_stray_quote_in_the_middle_names_every_line_it_swallowed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("quote.csv");
    let lines = [
        HEADER.to_string(),
        row("INC1", "New", 0, "1/3/2016 09:00", "2 - Medium"),
        format!("INC2,\"New,{}", &row("X", "", 0, "", "")[4..]), // line 3: a quote that never closes on its line
        row("INC3", "New", 0, "1/3/2016 09:00", "2 - Medium"),
        row("INC4\"", "New", 0, "1/3/2016 09:00", "2 - Medium"),
        row("INC5", "New", 0, "1/3/2016 09:00", "2 - Medium"),
    ];
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let report = import(dir.path(), &dir.path().join("q.db"), &file, &[]);
    let skipped = report["skipped"].as_array().unwrap();
    let reasons: Vec<String> = skipped.iter().map(|s| format!("{}: {}", s["line"], s["reason"].as_str().unwrap())).collect();
    let imported = report["imported"].as_u64().unwrap();
    // Every data line is either imported or named: none disappears silently.
    let named_lines: u64 = skipped
        .iter()
        .map(|s| {
            let reason = s["reason"].as_str().unwrap();
            match reason.split("joined lines ").nth(1) {
                Some(rest) => {
                    let span: Vec<u64> = rest.split(" into").next().unwrap().split('–').map(|n| n.parse().unwrap()).collect();
                    span[1] - span[0] + 1
                }
                None => 1,
            }
        })
        .sum();
    assert_eq!(imported + named_lines, 5, "{reasons:?}");
    assert!(skipped[0]["line"] == 3 && reasons[0].contains("stray quote joined lines 3–"), "{reasons:?}");
}

//! The round-trip proof of a real desk: the 28-day demo written into a Request Tracker with
//! its whole life at the times it happened (`.ci/rt/seed-desk`, through RT's own database,
//! checked by rt-validator), then synced into a fresh replica through REST2 as a lead would
//! connect one. Every dashboard figure of the synced replica equals the source replica's, to
//! the ticket: load by hour in Moscow and in the clients' zones, by channel and by line; SLA
//! compliance by priority, client, line and engineer with every breach; resolution median and
//! p90; the matrix; the at-risk list and the lead's order with its deadlines.
//!
//! The clients' zones, contracts and authorised contacts are the desk's own settings (the ITSM
//! does not keep them): they are set on the synced replica with `smena client` and `smena sla
//! set` from the source's, as a lead setting up the desk would.

mod common;

use common::desk::Replica;
use common::rt;
use common::NOW;
use serde_json::Value;
use std::collections::BTreeMap;

/// Ticket numbers of both replicas replaced by one name per ticket: its rank in the order
/// the desk registered them (RT numbers the desk's tickets in that order).
struct Numbers(BTreeMap<String, String>);

impl Numbers {
    /// Every ticket of `replica` ranked by `key`.
    fn of<K: Ord>(replica: &Replica, key: impl Fn(&Value) -> K) -> Numbers {
        let all: Value = serde_json::from_str(&replica.ok(&["tickets", "--status", "all", "--json"])).unwrap();
        let mut tickets: Vec<&Value> = all["tickets"].as_array().unwrap().iter().collect();
        tickets.sort_by_key(|t| key(t));
        Numbers(tickets.iter().enumerate().map(|(i, t)| (t["number"].as_str().unwrap().to_string(), format!("#{i}"))).collect())
    }

    /// `v` with every ticket number in it named by rank.
    fn named(&self, v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(self.0.get(s).cloned().unwrap_or_else(|| s.clone())),
            Value::Array(a) => Value::Array(a.iter().map(|x| self.named(x)).collect()),
            Value::Object(o) => Value::Object(o.iter().map(|(k, x)| (k.clone(), self.named(x))).collect()),
            other => other.clone(),
        }
    }
}

/// The number in a ticket number: the demo's count up as it registers them (INC0100000,
/// REQ0100001, …), RT's are its ids (RT-6285).
fn serial(t: &Value) -> u64 {
    t["number"].as_str().unwrap().trim_start_matches(|c: char| !c.is_ascii_digit()).parse().unwrap()
}

/// The fields of a queue row both replicas must agree on (the replica's own ids, contacts
/// and sync marks aside).
fn row(t: &Value) -> Value {
    let keep = [
        "number",
        "subject",
        "kind",
        "status",
        "urgency",
        "impact",
        "priority",
        "line",
        "assignee",
        "client",
        "client_time_zone",
        "channel",
        "service",
        "created_at",
        "due_at",
        "paused_left_seconds",
    ];
    Value::Object(keep.iter().map(|k| (k.to_string(), t[*k].clone())).collect())
}

#[test]
fn a_desk_synced_from_rt_shows_every_report_of_the_replica_it_came_from_to_the_ticket() {
    let dir = tempfile::tempdir().unwrap();
    let source_db = common::demo(dir.path(), "source.db", 28, 3);
    let Some(server) = rt::desk(&source_db) else { return };
    let source = Replica { dir, db: source_db };

    // A fresh replica connected to that RT. Some addresses write for several clients (a
    // manager's private mailbox), so this desk names each ticket's client in a custom field,
    // and the field mapping reads it there rather than from the requester's Organization.
    let synced = Replica::new();
    let out = synced.run_with_stdin(&["connect", "rt", "--url", &server.url], &format!("{}\n", server.token));
    assert!(out.status.success(), "connect: {}", String::from_utf8_lossy(&out.stderr));
    let mapping = synced.home().join("fields.json");
    std::fs::write(&mapping, r#"{"client": "Client"}"#).unwrap();
    synced.ok(&["fields", "--set", mapping.to_str().unwrap()]);
    let report = synced.sync(0);
    assert_eq!(report["pulled"].as_u64(), Some(6284), "{report}");

    // The clients' own settings, copied as a lead would set them.
    let clients: Value = serde_json::from_str(&source.ok(&["client", "list", "--json"])).unwrap();
    let mut contacts = String::from("client,name,email,phone\n");
    for c in clients.as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        synced.ok(&["client", "zone", name, c["time_zone"].as_str().unwrap()]);
        let file = synced.home().join("contract.json");
        std::fs::write(&file, c["contract"].to_string()).unwrap();
        synced.ok(&["sla", "set", name, file.to_str().unwrap()]);
        let shown: Value = serde_json::from_str(&source.ok(&["client", "show", name])).unwrap();
        for p in shown["contacts"].as_array().unwrap() {
            let field = |k: &str| format!("\"{}\"", p[k].as_str().unwrap_or_default().replace('"', "\"\""));
            contacts.push_str(&format!("\"{}\",{},{},{}\n", name.replace('"', "\"\""), field("name"), field("email"), field("phone")));
        }
    }
    let csv = synced.home().join("contacts.csv");
    std::fs::write(&csv, contacts).unwrap();
    synced.ok(&["client", "import-contacts", csv.to_str().unwrap()]);

    // Every ticket came, each under its RT number; RT numbered them in registration order.
    let source_numbers = Numbers::of(&source, |t| (t["created_at"].as_str().unwrap().to_string(), serial(t)));
    let synced_numbers = Numbers::of(&synced, serial);
    assert_eq!(synced_numbers.0.len(), source_numbers.0.len(), "every ticket of the desk is synced");

    let compare = |args: &[&str], what: &str| {
        let mut args = args.to_vec();
        args.push("--json");
        let (mut want, mut got) =
            (source_numbers.named(&serde_json::from_str(&source.ok(&args)).unwrap()), synced_numbers.named(&serde_json::from_str(&synced.ok(&args)).unwrap()));
        // The contract's number is the desk's paperwork, kept by neither the ITSM nor its sync.
        for v in [&mut want, &mut got] {
            if let Some(o) = v.as_object_mut() {
                o.remove("contract_no");
            }
        }
        if want != got {
            let (w, g) = (serde_json::to_string_pretty(&want).unwrap(), serde_json::to_string_pretty(&got).unwrap());
            let at = w.lines().zip(g.lines()).position(|(a, b)| a != b).unwrap_or(0);
            let around = |t: &str| t.lines().skip(at.saturating_sub(12)).take(24).collect::<Vec<_>>().join("\n");
            panic!("{what}: the synced replica differs from the source at line {at}:\n--- source\n{}\n--- synced\n{}", around(&w), around(&g));
        }
    };
    compare(&["report", "load", "--by", "hour"], "load by hour in Moscow");
    compare(&["report", "load", "--by", "hour", "--local"], "load by hour in the clients' own zones");
    compare(&["report", "load", "--by", "hour-of-week", "--stack", "zone"], "load by hour of week, by zone");
    compare(&["report", "load", "--by", "hour", "--stack", "channel"], "load by hour, by channel");
    compare(&["report", "load", "--by", "day", "--from", "2026-10-31", "--to", "2026-11-28", "--stack", "line"], "load by day, by line");
    compare(&["report", "matrix"], "the urgency × impact matrix");
    compare(&["report", "resolution"], "resolution median and p90 by priority");
    compare(&["report", "sla", "--from", "2026-10-31", "--to", "2026-11-28", "--now", NOW], "SLA by priority, client, line and engineer");
    compare(&["report", "at-risk", "--within", "100000", "--now", NOW], "the at-risk list");
    for c in clients.as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        compare(&["report", "sla-month", "--client", name, "--month", "2026-11", "--now", NOW], &format!("{name}'s month"));
    }

    // The shift handover's figures and lists that come from the tickets (who works when is the
    // roster's, which each replica keeps for itself): the night shift's intake and completions
    // per line, the day shift's deadlines and those already past, and the escalations waiting
    // (none in this demo: its escalated tickets are all in work).
    let handover = |r: &Replica, n: &Numbers| -> Value {
        let v: Value = serde_json::from_str(&r.ok(&["handover", "--at", "2026-11-28T05:00:00Z", "--json"])).unwrap();
        n.named(&serde_json::json!({ "lines": v["lines"], "breaching": v["breaching"], "overdue": v["overdue"], "waiting": v["waiting"] }))
    };
    let (want, got) = (handover(&source, &source_numbers), handover(&synced, &synced_numbers));
    assert!(want["lines"].as_array().unwrap().iter().any(|l| l["came_in"].as_u64() > Some(0)), "{want}");
    assert_eq!(got, want, "the shift handover's figures and lists");

    // Why each completed ticket was completed (RT's Closure code).
    let codes = |r: &Replica| -> Vec<(Option<String>, i64)> {
        let conn = rusqlite::Connection::open(&r.db).unwrap();
        let mut q = conn.prepare("SELECT closure_code, count(*) FROM tickets GROUP BY 1 ORDER BY 1").unwrap();
        q.query_map([], |x| Ok((x.get(0)?, x.get(1)?))).unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(codes(&synced), codes(&source), "closure codes");

    // The lead's order and each ticket's one deadline.
    let queue = |r: &Replica, n: &Numbers| -> Vec<Value> {
        let v: Value = serde_json::from_str(&r.ok(&["tickets", "--json"])).unwrap();
        v["tickets"].as_array().unwrap().iter().map(|t| n.named(&row(t))).collect()
    };
    let (want, got) = (queue(&source, &source_numbers), queue(&synced, &synced_numbers));
    assert!(!want.is_empty());
    assert_eq!(got, want, "the open queue in the lead's order, with each ticket's deadline");
}

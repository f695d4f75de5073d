//! End-to-end: the handover page in the real window shows, for the 20:00 changeover the lead
//! picks, the same report the CLI makes; the lead's notes (hostile markup included) are kept
//! as text and read back by the CLI.

mod common;

use common::webdriver::{available, Window, ONE_WINDOW};
use serde_json::Value;

const AT: &str = "2026-11-28T17:00:00Z";

fn numbers(list: &Value, key: &[&str]) -> Vec<String> {
    list.as_array().unwrap().iter().map(|x| key.iter().fold(x, |v, k| &v[*k]).as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn the_handover_page_shows_the_clis_report_and_keeps_the_leads_notes() {
    if !available() {
        return;
    }
    let _one = ONE_WINDOW.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let db = common::demo(dir.path(), "handover.db", 10, 7);
    let db_s = db.to_str().unwrap();
    let cli = common::json(dir.path(), &["handover", "--at", AT, "--db", db_s, "--json"]);

    let w = Window::open(&db).await;
    w.find("[data-testid=queue-row]").await;
    w.find("[data-testid=nav-handover]").await.click().await.unwrap();
    w.find("[data-testid=handover-at]").await;
    // The changeover at 20:00 Moscow on the demo's day, named in this computer's time.
    w.eval(&format!(
        "const d = new Date('{AT}'); const two = (n) => String(n).padStart(2, '0');
         const i = document.querySelector('[data-testid=handover-pick]');
         i.value = `${{d.getFullYear()}}-${{two(d.getMonth() + 1)}}-${{two(d.getDate())}}T${{two(d.getHours())}}:${{two(d.getMinutes())}}`;
         i.dispatchEvent(new Event('change', {{ bubbles: true }}));"
    ))
    .await;
    w.wait_attr("[data-testid=handover-at]", "data-at", AT).await;
    w.wait_attr("[data-testid=handover]", "data-loading", "false").await;

    // The shift by line, as the CLI counts it.
    for l in cli["lines"].as_array().unwrap() {
        let row = format!("[data-testid=handover-line][data-line='{}']", l["line"]);
        for (attr, key) in [("data-came", "came_in"), ("data-completed", "completed"), ("data-open", "open")] {
            w.wait_attr(&row, attr, &l[key].to_string()).await;
        }
    }
    // Who goes off, with how many open tickets; the next shift's deadlines; escalations not taken.
    let leaving: Vec<String> = cli["leaving"].as_array().unwrap().iter().map(|p| format!("{}:{}", p["staff_id"], p["tickets"].as_array().unwrap().len())).collect();
    assert!(!leaving.is_empty());
    w.wait_eval("[...document.querySelectorAll('[data-testid=handover-leaving-person]')].map(e => `${e.dataset.staff}:${e.dataset.tickets}`).join(',')", &leaving.join(",")).await;
    let breaching = numbers(&cli["breaching"], &["number"]);
    assert!(!breaching.is_empty());
    w.wait_eval("[...document.querySelectorAll('[data-testid=handover-breach]')].map(e => e.dataset.number).join(',')", &breaching.join(",")).await;
    let waiting = numbers(&cli["waiting"], &["ticket", "number"]);
    w.wait_eval("[...document.querySelectorAll('[data-testid=handover-wait]')].map(e => e.dataset.number).join(',')", &waiting.join(",")).await;
    let missing: Vec<String> = cli["incoming"].as_array().unwrap().iter().map(|l| l["missing"].to_string()).collect();
    w.wait_eval("[...document.querySelectorAll('[data-testid=handover-incoming-line]')].map(e => e.dataset.missing).join(',')", &missing.join(",")).await;
    // The load chart: one bar per hour of the shift, as many tickets as the CLI counts.
    let came: Vec<String> = cli["load"].as_array().unwrap().iter().map(|h| h["came_in"].to_string()).collect();
    w.wait_eval("[...document.querySelectorAll('[data-testid=handover-load] rect')].map(e => e.dataset.came).join(',')", &came.join(",")).await;
    if let Some(dir) = std::env::var_os("SMENA_SCREENSHOTS") {
        std::fs::write(std::path::Path::new(&dir).join("handover.png"), w.client.screenshot().await.unwrap()).unwrap();
    }

    // Notes with markup in them stay text, and the CLI reads them back for the same changeover.
    let notes = "Call back ACME at 09:00\n<img src=x onerror=\"document.title='pwned'\"> is a client's text";
    let area = w.find("[data-testid=handover-notes]").await;
    area.clear().await.unwrap();
    // A new line typed as the Enter key (WebDriver's \u{E007}), as a lead types it.
    let (first, rest) = notes.split_once('\n').unwrap();
    for keys in [first, "\u{E007}", rest] {
        area.send_keys(keys).await.unwrap();
    }
    w.find("[data-testid=handover-save]").await.click().await.unwrap();
    w.find("[data-testid=handover-notes-by]").await;
    let back = common::json(dir.path(), &["handover", "--at", AT, "--db", db_s, "--json"]);
    assert_eq!(back["notes"], notes);
    assert_eq!(w.eval("return document.querySelectorAll('[data-testid=handover] img').length").await, 0);
    assert_ne!(w.eval("return document.title").await, "pwned");

    // Hand the shift over: the plan shown is the CLI's; applied, the tickets leave the people
    // going off and wait in the outbox as assignments.
    let plan = common::json(dir.path(), &["handover", "--at", AT, "--hand-over", "--db", db_s, "--json"]);
    let moves: Vec<String> = plan["moves"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| format!("{}>{}", m["ticket"]["number"].as_str().unwrap(), m["to_id"].as_i64().map(|i| i.to_string()).unwrap_or_default()))
        .collect();
    let placed = plan["moves"].as_array().unwrap().iter().filter(|m| m["to_id"].is_i64()).count();
    assert!(placed > 0);
    w.find("[data-testid=handover-plan]").await.click().await.unwrap();
    w.wait_eval("[...document.querySelectorAll('[data-testid=handover-move]')].map(e => `${e.dataset.number}>${e.dataset.to}`).join(',')", &moves.join(",")).await;
    if let Some(dir) = std::env::var_os("SMENA_SCREENSHOTS") {
        w.eval("document.querySelector('[data-testid=handover-plan-table]').scrollIntoView()").await;
        std::fs::write(std::path::Path::new(&dir).join("handover-plan.png"), w.client.screenshot().await.unwrap()).unwrap();
    }
    w.find("[data-testid=handover-apply]").await.click().await.unwrap();
    // Only a ticket nobody of its line could take stays with the person going off.
    let left: Vec<String> = cli["leaving"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| format!("{}:{}", p["staff_id"], plan["moves"].as_array().unwrap().iter().filter(|m| m["from_id"] == p["staff_id"] && m["to_id"].is_null()).count()))
        .collect();
    w.wait_eval("[...document.querySelectorAll('[data-testid=handover-leaving-person]')].map(e => `${e.dataset.staff}:${e.dataset.tickets}`).join(',')", &left.join(",")).await;
    let outbox = common::json(dir.path(), &["outbox", "--db", db_s, "--json"]);
    let assigns = outbox["operations"].as_array().unwrap().iter().filter(|o| o["kind"] == "assign").count();
    assert_eq!(assigns, placed, "one assignment per ticket handed over waits for the ITSM");
    w.close().await;
}

//! End-to-end: importing the real ServiceNow log through the window's import dialog, with its
//! progress bar, and seeing the queue and the load chart take the imported tickets in.

mod common;

use common::webdriver::{available, Window, ONE_WINDOW};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn log() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/servicenow/incident_event_log.uci498.zip")
}

#[tokio::test]
async fn the_import_dialog_brings_in_the_servicenow_log_and_the_queue_and_load_chart_follow() {
    if !available() {
        return;
    }
    let _one = ONE_WINDOW.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let db = common::demo(dir.path(), "import.db", 7, 3);
    let before: u64 = rusqlite::Connection::open(&db).unwrap().query_row("SELECT count(*) FROM tickets", [], |x| x.get(0)).unwrap();
    let w = Window::open(&db).await;
    w.find("[data-testid=queue-row]").await;
    w.wait_attr("[data-testid=replica-info]", "data-tickets", &before.to_string()).await;

    // A file that is not an export is refused with a clear message, and nothing changes.
    let bogus = dir.path().join("notes.csv");
    std::fs::write(&bogus, "a,b\n1,2\n").unwrap();
    w.find("[data-testid=import-open]").await.click().await.unwrap();
    w.find("[data-testid=import-file]").await.send_keys(bogus.to_str().unwrap()).await.unwrap();
    w.find("[data-testid=import-run]").await.click().await.unwrap();
    let error = w.find("[data-testid=error]").await.text().await.unwrap();
    assert!(error.contains("notes.csv") && error.contains("not a ServiceNow incident export"), "{error}");
    assert!(!error.contains("smena-import-"), "the temporary path stays private: {error}");

    // The real log: the progress bar moves, the summary counts every incident.
    w.find("[data-testid=import-file]").await.send_keys(log().to_str().unwrap()).await.unwrap();
    w.find("[data-testid=import-run]").await.click().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut progress_seen = 0f64;
    loop {
        let v = w.eval("const p = document.querySelector('[data-testid=import-progress] progress'); return p ? p.value / p.max : -1;").await;
        progress_seen = progress_seen.max(v.as_f64().unwrap_or(-1.0));
        if w.client.find(fantoccini::Locator::Css("[data-testid=import-report]")).await.is_ok() {
            break;
        }
        assert!(Instant::now() < deadline, "the import did not finish within 2 minutes");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(progress_seen > 0.0, "the progress bar showed progress (saw {progress_seen})");
    w.wait_attr("[data-testid=import-report]", "data-tickets", "24918").await;
    // New numbers are added; a few demo tickets happen to carry numbers of the log, and those
    // local tickets are not overwritten: the dialog names each one with its reason (beside the
    // log's own unreadable rows).
    let imported: u64 = w.find("[data-testid=import-report]").await.attr("data-imported").await.unwrap().unwrap().parse().unwrap();
    assert!(imported > 24_900, "imported {imported}");
    if imported < 24_918 {
        let listed = w.client.find_all(fantoccini::Locator::Css("[data-testid=import-report] .skipped li")).await.unwrap();
        let mut kept_local = 0;
        for li in &listed {
            if li.text().await.unwrap().contains("did not come from ServiceNow") {
                kept_local += 1;
            }
        }
        assert_eq!(kept_local, 24_918 - imported, "each local ticket kept is named");
    }
    w.find("[data-testid=import-close]").await.click().await.unwrap();

    // The queue's status line counts them; the replica holds them.
    w.wait_attr("[data-testid=replica-info]", "data-tickets", &(before + imported).to_string()).await;
    let after: u64 = rusqlite::Connection::open(&db).unwrap().query_row("SELECT count(*) FROM tickets WHERE source = 'servicenow'", [], |x| x.get(0)).unwrap();
    assert_eq!(after, imported);

    // The load chart over the log's years, in UTC, shows exactly the imported tickets, as the
    // CLI counts them.
    w.find("[data-testid=nav-dashboards]").await.click().await.unwrap();
    w.find("[data-testid=dash-tz]").await.select_by_value("UTC").await.unwrap();
    for (css, value) in [("[data-testid=dash-from]", "2016-01-01"), ("[data-testid=dash-to]", "2017-12-31")] {
        // Date inputs take their value through the DOM (typing depends on the locale's format).
        w.eval(&format!(
            "const e = document.querySelector('{css}'); e.value = '{value}'; e.dispatchEvent(new Event('input', {{bubbles: true}})); e.dispatchEvent(new Event('change', {{bubbles: true}}));"
        ))
        .await;
    }
    let cli = common::json(dir.path(), &["report", "load", "--db", db.to_str().unwrap(), "--by", "hour", "--tz", "UTC", "--from", "2016-01-01", "--to", "2017-12-31", "--json"]);
    assert_eq!(cli["total"].as_u64(), Some(imported), "the log's years hold only imported tickets");
    w.wait_attr("[data-testid=dash-total]", "data-total", &imported.to_string()).await;
    w.close().await;
}

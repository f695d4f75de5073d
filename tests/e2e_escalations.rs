//! End-to-end: an escalation to the third line nobody took into work shows under Dashboards
//! → At risk as not taken, with the backup specialist offered; raising it in the window
//! gives the ticket to them, as `smena escalations` then says.

mod common;

use common::webdriver::{available, Window, ONE_WINDOW};
use rusqlite::Connection;

#[tokio::test]
async fn an_escalation_not_taken_in_time_is_raised_to_the_backup_from_the_window() {
    if !available() {
        return;
    }
    let _one = ONE_WINDOW.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let db = common::demo(dir.path(), "ack.db", 5, 4);
    let db_s = db.to_str().unwrap();
    let home = dir.path();
    // A second-line ticket in work goes to the third line; the escalation is then dated an
    // hour back, as if made then (a quarter of an hour is its priority's time at most).
    let sql = Connection::open(&db).unwrap();
    let number: String = sql.query_row("SELECT number FROM tickets WHERE line = 2 AND status = 'in-progress' ORDER BY id LIMIT 1", [], |x| x.get(0)).unwrap();
    common::ok(home, &["escalations", "--minutes", "15,15,15,15,15", "--db", db_s]);
    common::ok(home, &["ticket", &number, "escalate", "--line", "3", "--skill", "linux", "--reason", "kernel panic", "--db", db_s]);
    sql.execute("UPDATE ticket_history SET at = at - 3600 WHERE field = 'line' AND ticket_id = (SELECT id FROM tickets WHERE number = ?1)", [&number]).unwrap();
    let before = common::json(home, &["escalations", "--db", db_s, "--json"]);
    let mine = before["waiting"].as_array().unwrap().iter().find(|w| w["number"] == number.as_str()).expect("watched").clone();
    assert_eq!(mine["state"], "overdue");
    let backup = mine["next"]["staff_id"].as_i64().expect("a backup");

    let w = Window::open(&db).await;
    w.find("[data-testid=queue-row]").await;
    w.find("[data-testid=nav-dashboards]").await.click().await.unwrap();
    w.find("[data-testid=dash-tab-at-risk]").await.click().await.unwrap();
    let row = format!("[data-testid=ack-row][data-number={number}]");
    w.wait_attr(&row, "data-state", "overdue").await;
    if let Some(dir) = std::env::var_os("SMENA_SCREENSHOTS") {
        std::fs::write(std::path::Path::new(&dir).join("escalations.png"), w.client.screenshot().await.unwrap()).unwrap();
    }
    w.find(&format!("{row} [data-testid=ack-raise]")).await.click().await.unwrap();
    // Raised: the backup holds it and a new wait starts.
    w.wait_attr(&row, "data-state", "waiting").await;
    let holder: i64 = sql.query_row("SELECT assignee_id FROM tickets WHERE number = ?1", [&number], |x| x.get(0)).unwrap();
    assert_eq!(holder, backup);
    let after = common::json(home, &["escalations", "--db", db_s, "--json"]);
    let mine = after["waiting"].as_array().unwrap().iter().find(|w| w["number"] == number.as_str()).expect("still watched").clone();
    assert_eq!((mine["raised"].as_u64(), mine["next"]["level"].as_u64()), (Some(1), Some(2)));
    w.close().await;
}

//! End-to-end tests of the real app: the built `smena` binary in a real WebKitGTK window
//! under Xvfb, driven over WebDriver (tauri-driver + WebKitWebDriver).

mod common;

use common::webdriver::{available, Window, ONE_WINDOW};
use fantoccini::{key::Key, Locator};
use smena_core::domain::{Channel, Kind, Level, Line, Status};
use smena_core::store::queue::{self, QueueFilter};
use smena_core::store::tickets::{self, CommentEntry, NewTicket};
use smena_core::store::{reference, settings, Replica};

fn expected(db: &std::path::Path, f: &QueueFilter) -> (u32, Vec<String>) {
    let r = Replica::open(db).unwrap();
    let page = queue::page(&r, f, 0, 5).unwrap();
    (page.total, page.rows.into_iter().map(|x| x.number).collect())
}

#[tokio::test]
async fn the_window_shows_the_queue_filters_searches_opens_a_ticket_and_switches_language() {
    if !available() {
        return;
    }
    let _one = ONE_WINDOW.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let db = common::demo(dir.path(), "e2e.db", 14, 4);
    let open = QueueFilter::default();
    let (open_total, first) = expected(&db, &open);
    let counts = queue::counts(&Replica::open(&db).unwrap(), &open).unwrap();

    let w = Window::open(&db).await;
    w.find("[data-testid=queue-row]").await;
    w.wait_attr("[data-testid=queue-total]", "data-count", &open_total.to_string()).await;
    let first_row = w.find("[data-testid=queue-row]").await;
    assert_eq!(first_row.attr("data-number").await.unwrap().as_deref(), Some(first[0].as_str()), "the lead's order");
    for (status, n) in &counts.by_status {
        w.wait_attr(&format!("[data-testid=count-status-{status}]"), "data-count", &n.to_string()).await;
    }
    for (line, n) in &counts.by_line {
        w.wait_attr(&format!("[data-testid=count-line-{line}]"), "data-count", &n.to_string()).await;
    }
    let rendered = w.client.find_all(Locator::Css("[data-testid=queue-row]")).await.unwrap().len();
    assert!(rendered < 80 && (rendered as u32) < open_total, "only the visible rows are rendered ({rendered} of {open_total})");

    // Filter by line, then by status as well.
    w.find("[data-testid=filter-line]").await.select_by_value("2").await.unwrap();
    let line2 = QueueFilter { line: Some(Line::SECOND), ..Default::default() };
    let (n, rows) = expected(&db, &line2);
    w.wait_attr("[data-testid=queue-total]", "data-count", &n.to_string()).await;
    w.wait_attr("[data-testid=queue-row]", "data-number", &rows[0]).await;
    w.find("[data-testid=filter-status]").await.select_by_value("in-progress").await.unwrap();
    let line2_working = QueueFilter { line: Some(Line::SECOND), status: Some(Status::InProgress), ..Default::default() };
    let (n, rows) = expected(&db, &line2_working);
    w.wait_attr("[data-testid=queue-total]", "data-count", &n.to_string()).await;
    w.wait_attr("[data-testid=queue-row]", "data-number", &rows[0]).await;

    // Search: reset the filters, type part of a client's name.
    w.find("[data-testid=filter-reset]").await.click().await.unwrap();
    w.wait_attr("[data-testid=queue-total]", "data-count", &open_total.to_string()).await;
    w.find("[data-testid=search]").await.send_keys("Hudson").await.unwrap();
    let searched = QueueFilter { search: Some("Hudson".into()), ..Default::default() };
    let (n, rows) = expected(&db, &searched);
    assert!(n > 0 && n < open_total);
    w.wait_attr("[data-testid=queue-total]", "data-count", &n.to_string()).await;
    w.wait_attr("[data-testid=queue-row]", "data-number", &rows[0]).await;

    // Open the first ticket and see its fields, history and comments.
    w.find("[data-testid=queue-row]").await.click().await.unwrap();
    w.wait_text("[data-testid=panel-number]", &rows[0]).await;
    let detail = queue::detail(&Replica::open(&db).unwrap(), &rows[0]).unwrap();
    w.wait_text("[data-testid=panel-subject]", &detail.summary.subject).await;
    let history = w.client.find_all(Locator::Css("[data-testid=history-entry]")).await.unwrap();
    assert_eq!(history.len(), detail.history.len());
    let comments = w.client.find_all(Locator::Css("[data-testid=comment]")).await.unwrap();
    assert_eq!(comments.len(), detail.comments.len());

    // Keyboard: the cursor is on the clicked row; arrows move the selection and the panel follows.
    if rows.len() > 1 {
        let list = w.find("[data-testid=queue]").await;
        list.send_keys(&char::from(Key::Down).to_string()).await.unwrap();
        w.wait_text("[data-testid=panel-number]", &rows[1]).await;
        list.send_keys(&char::from(Key::Up).to_string()).await.unwrap();
        w.wait_text("[data-testid=panel-number]", &rows[0]).await;
    }

    // Language: Russian and back.
    w.find("[data-testid=lang-ru]").await.click().await.unwrap();
    w.wait_text("[data-testid=app-title]", "Смена").await;
    let chip = w.find("[data-testid=count-status-in-progress]").await.text().await.unwrap();
    assert!(chip.starts_with("В работе"), "{chip}");
    assert_eq!(w.eval("return document.documentElement.lang").await, "ru");
    w.find("[data-testid=lang-en]").await.click().await.unwrap();
    w.wait_text("[data-testid=app-title]", "Smena").await;
    w.close().await;
}

const IMG: &str = r#"<img src=x onerror="document.title='pwned'">"#;
const SCRIPT: &str = "<script>document.title='pwned'</script>";

#[tokio::test]
async fn ticket_text_that_looks_like_html_stays_text_and_nothing_runs() {
    if !available() {
        return;
    }
    let _one = ONE_WINDOW.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("xss.db");
    {
        let mut r = Replica::open(&db).unwrap();
        let matrix = settings::matrix(&r).unwrap();
        r.write(|tx| {
            let client = reference::insert_client(tx, IMG, "SLA-X", "Europe/Moscow", &[])?;
            let now = chrono::Utc::now();
            let t = NewTicket {
                number: "INC0000001".into(),
                kind: Kind::Incident,
                client_id: client,
                contact_name: SCRIPT.into(),
                contact_email: Some("x@example.com".into()),
                channel: Channel::Email,
                service: "Web".into(),
                request_type: None,
                subject: IMG.into(),
                description: format!("{SCRIPT}\n{IMG}"),
                urgency: Level::High,
                impact: Level::High,
                status: Status::Registered,
                line: Line::FIRST,
                assignee_id: None,
                created_at: now,
                updated_at: now,
                first_response_at: None,
                completed_at: None,
                closed_at: None,
                closure_code: None,
                imported: None,
                deadline: None,
            };
            let id = tickets::insert_ticket(tx, &matrix, &t)?;
            tickets::add_comment(tx, id, &CommentEntry { at: now, author: IMG.into(), body: SCRIPT.into() })?;
            Ok(())
        })
        .unwrap();
    }
    let w = Window::open(&db).await;
    w.wait_text("[data-testid=row-subject]", IMG).await;
    w.find("[data-testid=queue-row]").await.click().await.unwrap();
    w.wait_text("[data-testid=panel-subject]", IMG).await;
    let comment = w.find("[data-testid=comment] .body").await.text().await.unwrap();
    assert_eq!(comment, SCRIPT);
    // The unauthorised sender is flagged too.
    w.find("[data-testid=panel-unauthorised]").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(w.eval("return document.title").await, "Smena");
    assert_eq!(w.eval("return document.querySelectorAll('img').length").await, 0);
    assert_eq!(w.eval("return Array.from(document.scripts).filter(s => !s.src).map(s => s.textContent).join('').includes('pwned')").await, false);
    w.close().await;
}

#[tokio::test]
async fn a_corrupt_replica_is_reported_in_the_window_and_left_untouched() {
    if !available() {
        return;
    }
    let _one = ONE_WINDOW.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("broken.db");
    let junk = b"definitely not SQLite ".repeat(300);
    std::fs::write(&db, &junk).unwrap();
    let w = Window::open(&db).await;
    let banner = w.find("[data-testid=error]").await.text().await.unwrap();
    assert!(banner.contains("not a readable Smena replica"), "{banner}");
    w.close().await;
    assert_eq!(std::fs::read(&db).unwrap(), junk);
}

#[tokio::test]
async fn a_stopped_clock_shows_as_paused_and_one_deadline_shows_in_the_queue_the_panel_and_the_at_risk_list() {
    if !available() {
        return;
    }
    let _one = ONE_WINDOW.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let db = common::demo(dir.path(), "deadline.db", 14, 4);
    let r = Replica::open(&db).unwrap();
    let open = queue::page(&r, &QueueFilter::default(), 0, u32::MAX).unwrap();
    let paused = open.rows.iter().find(|x| x.paused_left_seconds.is_some_and(|s| s > 3600)).expect("the demo has a ticket waiting with its clock stopped");
    // The window reads the real clock: the at-risk list (30 minutes) holds every running clock past its target.
    let risk = smena_core::sla::at_risk(&r, chrono::Utc::now(), chrono::Duration::minutes(30)).unwrap();
    let running = risk.iter().find(|t| t.timer == smena_core::sla::TimerKind::Resolution).expect("a running resolution clock");
    let due = open.rows.iter().find(|x| x.number == running.number).and_then(|x| x.due_at).expect("a running clock has a deadline");
    assert_eq!(running.clock.deadline_at, Some(due), "the core gives one deadline");
    let iso = serde_json::to_value(due).unwrap().as_str().unwrap().to_string();
    drop(r);

    let w = Window::open(&db).await;
    w.find("[data-testid=queue-row]").await;
    // The stopped clock: a pause mark and the support time left, never "overdue".
    w.find("[data-testid=search]").await.send_keys(&paused.number).await.unwrap();
    w.wait_attr("[data-testid=queue-row]", "data-number", &paused.number).await;
    let cell = w.find("[data-testid=queue-row] [data-testid=row-due]").await;
    // Read as the page holds it: a narrow window may clip the column.
    let text = w.eval("return document.querySelector('[data-testid=queue-row] [data-testid=row-due]').textContent").await.as_str().unwrap_or_default().to_string();
    let class = cell.attr("class").await.unwrap().unwrap_or_default();
    assert!(text.starts_with('⏸') && class.contains("paused") && !class.contains("overdue"), "{text:?} / {class:?}");
    w.find("[data-testid=queue-row]").await.click().await.unwrap();
    w.wait_text("[data-testid=panel-number]", &paused.number).await;
    let shown = w.eval("return document.querySelector('[data-testid=panel-due]').textContent").await.as_str().unwrap_or_default().to_string();
    assert!(shown.contains("SLA clock paused") && shown.contains("left") && !shown.contains("overdue"), "{shown:?}");

    // The running clock: the same moment in the queue row, the panel and the at-risk list.
    let search = w.find("[data-testid=search]").await;
    search.clear().await.unwrap();
    search.send_keys(&running.number).await.unwrap();
    w.wait_attr("[data-testid=queue-row]", "data-number", &running.number).await;
    w.wait_attr("[data-testid=queue-row] [data-testid=row-due]", "data-due", &iso).await;
    w.find("[data-testid=queue-row]").await.click().await.unwrap();
    w.wait_text("[data-testid=panel-number]", &running.number).await;
    w.wait_attr("[data-testid=panel-due]", "data-due", &iso).await;
    w.find("[data-testid=nav-dashboards]").await.click().await.unwrap();
    w.find("[data-testid=dash-tab-at-risk]").await.click().await.unwrap();
    w.wait_attr(&format!("[data-testid=risk-row][data-number={}]", running.number), "data-due", &iso).await;
    w.close().await;
}

#[tokio::test]
async fn the_clients_page_changes_a_contract_and_the_queue_shows_the_new_deadlines_and_a_bad_one_is_refused_in_russian() {
    if !available() {
        return;
    }
    let _one = ONE_WINDOW.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let db = common::demo(dir.path(), "clients.db", 14, 4);
    let r = Replica::open(&db).unwrap();
    let client = smena_core::clients::cards(&r)
        .unwrap()
        .into_iter()
        .find(|c| c.contract.support == smena_core::sla::SupportHours::AllDay && c.open_tickets > 3)
        .expect("a round-the-clock client with open tickets");
    let open = queue::page(&r, &QueueFilter::default(), 0, u32::MAX).unwrap();
    let ticket = open.rows.iter().find(|x| x.client == client.name && x.due_at.is_some() && x.paused_left_seconds.is_none()).expect("a running clock").clone();
    drop(r);

    let w = Window::open(&db).await;
    w.find("[data-testid=nav-clients]").await.click().await.unwrap();
    let item = format!("[data-testid=client-item][data-name={}]", serde_json::to_string(&client.name).unwrap());
    w.find(&item).await.click().await.unwrap();
    w.find(&format!("[data-testid=client-editor][data-name={}]", serde_json::to_string(&client.name).unwrap())).await;
    // Office hours 09:00–18:00 on weekdays instead of round the clock.
    w.find("[data-testid=client-business]").await.click().await.unwrap();
    w.find("[data-testid=client-open]").await;
    w.find("[data-testid=client-contract-save]").await.click().await.unwrap();
    w.wait_eval("document.querySelector('[data-testid=notice]')?.textContent.includes('got a new deadline') ?? false", "true").await;

    let r = Replica::open(&db).unwrap();
    let stored = smena_core::clients::card(&r, &client.name).unwrap();
    assert!(matches!(stored.contract.support, smena_core::sla::SupportHours::Business { .. }), "{:?}", stored.contract.support);
    let moved = queue::row_by_number(&r, &ticket.number).unwrap();
    assert_ne!(moved.due_at, ticket.due_at, "the open ticket's deadline follows the new support hours");
    let iso = serde_json::to_value(moved.due_at.unwrap()).unwrap().as_str().unwrap().to_string();
    drop(r);
    w.find("[data-testid=nav-queue]").await.click().await.unwrap();
    w.find("[data-testid=search]").await.send_keys(&ticket.number).await.unwrap();
    w.wait_attr("[data-testid=queue-row]", "data-number", &ticket.number).await;
    w.wait_attr("[data-testid=queue-row] [data-testid=row-due]", "data-due", &iso).await;

    // Closing before opening is refused, in Russian on a Russian page, and nothing changes.
    w.find("[data-testid=lang-ru]").await.click().await.unwrap();
    w.find("[data-testid=nav-clients]").await.click().await.unwrap();
    w.find(&item).await.click().await.unwrap();
    w.find("[data-testid=client-close]").await;
    w.eval("const e = document.querySelector('[data-testid=client-close]'); e.value = '08:00'; e.dispatchEvent(new Event('input', { bubbles: true }));").await;
    w.find("[data-testid=client-contract-save]").await.click().await.unwrap();
    w.wait_eval("document.querySelector('[data-testid=error]')?.textContent.includes('поддержка начинается в 09:00, а заканчивается в 08:00') ?? false", "true").await;
    let r = Replica::open(&db).unwrap();
    assert_eq!(smena_core::clients::card(&r, &client.name).unwrap().contract, stored.contract);
    w.close().await;
}

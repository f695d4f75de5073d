//! End-to-end: the lead's actions in the real window reach the queue order, the ticket's
//! history and the outbox, and the outbox survives a restart of the app.

mod common;

use common::webdriver::{available, Window, ONE_WINDOW};
use smena_core::domain::{Kind, Level, Line, Priority, Status};
use smena_core::store::queue::{self, QueueFilter};
use smena_core::store::{outbox, Replica};

async fn open_ticket(w: &Window, number: &str) {
    let search = w.find("[data-testid=search]").await;
    search.clear().await.unwrap();
    search.send_keys(number).await.unwrap();
    w.wait_attr("[data-testid=queue-total]", "data-count", "1").await;
    w.wait_attr("[data-testid=queue-row]", "data-number", number).await;
    w.find("[data-testid=queue-row]").await.click().await.unwrap();
    w.wait_text("[data-testid=panel-number]", number).await;
}

#[tokio::test]
async fn raising_urgency_and_escalating_show_in_the_queue_history_and_outbox_and_survive_a_restart() {
    if !available() {
        return;
    }
    let _one = ONE_WINDOW.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let db = common::demo(dir.path(), "actions.db", 14, 6);
    let (low, to_escalate) = {
        let r = Replica::open(&db).unwrap();
        let open = queue::page(&r, &QueueFilter { line: Some(Line::FIRST), kind: Some(Kind::Incident), ..Default::default() }, 0, u32::MAX).unwrap().rows;
        let low = open.iter().find(|t| t.urgency == Level::Low && t.impact == Level::Low && t.status != Status::Completed).expect("a low incident").number.clone();
        let esc = open.iter().find(|t| t.status == Status::InProgress && t.number != low).expect("an incident in progress").number.clone();
        (low, esc)
    };

    let w = Window::open(&db).await;
    w.find("[data-testid=queue-row]").await;

    // Raise the urgency: the client called.
    open_ticket(&w, &low).await;
    w.find("[data-testid=action-urgency-level]").await.select_by_value("very-high").await.unwrap();
    w.find("[data-testid=action-urgency-reason]").await.send_keys("client called: payments down").await.unwrap();
    w.find("[data-testid=action-urgency-apply]").await.click().await.unwrap();
    w.wait_attr("[data-testid=outbox-open]", "data-count", "1").await;
    w.find("[data-testid=row-unsynced]").await;
    w.wait_text("[data-testid=panel-number] + .prio", "High").await;

    // It now sorts among the high-priority tickets of line 1, where the core says it belongs.
    w.find("[data-testid=filter-reset]").await.click().await.unwrap();
    w.find("[data-testid=filter-line]").await.select_by_value("1").await.unwrap();
    w.find("[data-testid=filter-priority]").await.select_by_value("high").await.unwrap();
    let expected = {
        let r = Replica::open(&db).unwrap();
        let f = QueueFilter { line: Some(Line::FIRST), priority: Some(Priority::High), ..Default::default() };
        queue::page(&r, &f, 0, u32::MAX).unwrap().rows.iter().position(|t| t.number == low).expect("the ticket is now high priority")
    };
    w.wait_attr(&format!("#row-{expected}"), "data-number", &low).await;

    // Escalate another ticket to line 3, choosing a hardware specialist.
    w.find("[data-testid=filter-reset]").await.click().await.unwrap();
    open_ticket(&w, &to_escalate).await;
    w.find("[data-testid=action-escalate-line]").await.select_by_value("3").await.unwrap();
    w.find("[data-testid=action-escalate-skill]").await.select_by_value("hardware").await.unwrap();
    // The offer reloads as the line and then the skill change: wait until it holds still
    // (read in one script, so a re-render between reads cannot leave a stale element).
    let specialist = {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let offered = "const o = [...document.querySelectorAll('[data-testid=action-escalate-to] option')].map(x => x.value); return o.length > 1 ? o.join('|') : null";
        let mut last = serde_json::Value::Null;
        loop {
            let now = w.eval(offered).await;
            if now.is_string() && now == last {
                break now.as_str().unwrap().split('|').nth(1).unwrap().to_string();
            }
            last = now;
            assert!(std::time::Instant::now() < deadline, "no specialists offered, or the offer never settled");
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        }
    };
    w.find("[data-testid=action-escalate-to]").await.select_by_value(&specialist).await.unwrap();
    w.find("[data-testid=action-escalate-reason]").await.send_keys("PSU failure").await.unwrap();
    w.find("[data-testid=action-escalate-apply]").await.click().await.unwrap();
    w.wait_attr("[data-testid=outbox-open]", "data-count", "2").await;
    w.find("[data-testid=history-entry][data-field=line]").await;
    let history = w.client.find_all(fantoccini::Locator::Css("[data-testid=history-entry][data-field=line]")).await.unwrap();
    assert!(history.last().unwrap().text().await.unwrap().contains("PSU failure"));
    let specialist_name = {
        let r = Replica::open(&db).unwrap();
        let staff = smena_core::store::reference::staff(&r).unwrap();
        staff.into_iter().find(|s| s.id.to_string() == specialist).unwrap().name
    };
    let d = queue::detail(&Replica::open(&db).unwrap(), &to_escalate).unwrap();
    assert_eq!((d.summary.line, d.summary.assignee.as_deref()), (Line::THIRD, Some(specialist_name.as_str())));

    // The outbox view lists both operations.
    w.find("[data-testid=outbox-open]").await.click().await.unwrap();
    w.find("[data-testid=outbox-entry]").await;
    let entries = w.client.find_all(fantoccini::Locator::Css("[data-testid=outbox-entry]")).await.unwrap();
    let mut seen = Vec::new();
    for e in &entries {
        seen.push((e.attr("data-ticket").await.unwrap().unwrap(), e.attr("data-kind").await.unwrap().unwrap()));
    }
    assert_eq!(seen, [(low.clone(), "set-urgency".to_string()), (to_escalate.clone(), "escalate".to_string())]);
    w.close().await;

    // Restart: the same outbox.
    let w = Window::open(&db).await;
    w.wait_attr("[data-testid=outbox-open]", "data-count", "2").await;
    w.find("[data-testid=outbox-open]").await.click().await.unwrap();
    w.find("[data-testid=outbox-entry]").await;
    assert_eq!(w.client.find_all(fantoccini::Locator::Css("[data-testid=outbox-entry]")).await.unwrap().len(), 2);

    // Bulk: tick two tickets, comment on both at once.
    w.find("[data-testid=outbox-close]").await.click().await.unwrap();
    w.find("[data-testid=queue-row]").await;
    let checks = w.client.find_all(fantoccini::Locator::Css("[data-testid=row-check]")).await.unwrap();
    let rows = w.client.find_all(fantoccini::Locator::Css("[data-testid=queue-row]")).await.unwrap();
    let (first, second) = (rows[0].attr("data-number").await.unwrap().unwrap(), rows[1].attr("data-number").await.unwrap().unwrap());
    checks[0].click().await.unwrap();
    checks[1].click().await.unwrap();
    w.wait_attr("[data-testid=bulk-count]", "data-count", "2").await;
    w.find("[data-testid=bulk-text]").await.send_keys("Checked with the client").await.unwrap();
    w.find("[data-testid=bulk-apply]").await.click().await.unwrap();
    w.wait_attr("[data-testid=outbox-open]", "data-count", "4").await;
    for number in [&first, &second] {
        let d = queue::detail(&Replica::open(&db).unwrap(), number).unwrap();
        assert_eq!(d.comments.last().unwrap().body, "Checked with the client");
    }

    // The row menu (a right click): pin the third ticket to the top of the lead's order.
    let third = w.find("#row-2").await.attr("data-number").await.unwrap().unwrap();
    w.eval(
        "const r = document.querySelector('#row-2'); const b = r.getBoundingClientRect(); \
         r.dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, cancelable: true, clientX: b.left + 200, clientY: b.top + 10 })); return true",
    )
    .await;
    w.find("[data-testid=menu-pin]").await.click().await.unwrap();
    w.wait_attr("#row-0", "data-number", &third).await;
    w.find("#row-0 [data-testid=row-pinned]").await;

    // The keyboard help.
    w.find("[data-testid=help-open]").await.click().await.unwrap();
    w.find("[data-testid=keyboard-help]").await;
    w.close().await;
    assert_eq!(outbox::list(&Replica::open(&db).unwrap()).unwrap().len(), 4);
}

#[tokio::test]
async fn a_refused_action_is_told_in_the_pages_language_reason_and_all() {
    if !available() {
        return;
    }
    let _one = ONE_WINDOW.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let db = common::demo(dir.path(), "refused.db", 7, 3);
    let number = {
        let r = Replica::open(&db).unwrap();
        let open = queue::page(&r, &QueueFilter { kind: Some(Kind::Incident), ..Default::default() }, 0, u32::MAX).unwrap().rows;
        open.iter().find(|t| t.urgency != Level::VeryHigh && t.status == Status::InProgress).expect("an incident in progress").number.clone()
    };
    let w = Window::open(&db).await;
    w.find("[data-testid=lang-ru]").await.click().await.unwrap();
    w.wait_text("[data-testid=app-title]", "Смена").await;
    open_ticket(&w, &number).await;
    // Meanwhile the ticket was closed elsewhere (another lead, a sync): the page still offers
    // the change, and the core refuses it.
    rusqlite::Connection::open(&db).unwrap().execute("UPDATE tickets SET status = 'closed' WHERE number = ?1", [&number]).unwrap();
    w.find("[data-testid=action-urgency-level]").await.select_by_value("very-high").await.unwrap();
    w.find("[data-testid=action-urgency-reason]").await.send_keys("клиент позвонил").await.unwrap();
    w.find("[data-testid=action-urgency-apply]").await.click().await.unwrap();
    let error = w.find("[data-testid=error]").await.text().await.unwrap();
    assert!(error.contains(&format!("Невозможно: заявка {number} в статусе «Закрыта»: смена срочности невозможна")), "{error}");
    assert!(!error.contains("is not possible"), "no English under the Russian prefix: {error}");
    w.close().await;
    assert!(outbox::list(&Replica::open(&db).unwrap()).unwrap().is_empty(), "nothing was queued");
}

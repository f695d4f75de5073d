//! End-to-end: the real window, connected to a real Request Tracker, escalates a ticket while
//! RT is down, shows it pending (the row's mark, the status bar offline with one waiting), and
//! once RT is back and the lead presses "Sync now", shows it synced — and RT has it.

mod common;

use common::proxy::Proxy;
use common::rt::{self, ONE_SERVER};
use common::webdriver::{available, Window, ONE_WINDOW};
use std::process::Stdio;

/// Runs `f` on a thread of its own: reqwest's blocking client (RT's test helpers) may not run
/// on the test's async thread.
fn on_thread<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(f).join().unwrap()
}

#[tokio::test]
// ONE_SERVER is the synchronous sync tests' lock; nothing in this test binary waits on it.
#[allow(clippy::await_holding_lock)]
async fn an_escalation_made_while_rt_is_down_waits_in_the_window_and_lands_when_rt_returns() {
    if !available() {
        return;
    }
    let _one = ONE_WINDOW.lock().await;
    let _server = ONE_SERVER.lock().unwrap_or_else(|e| e.into_inner());
    let Some(rt) = rt::server() else { return };
    let r = rt.clone();
    let id = on_thread(move || r.create("E2E: VPN tunnel to DC-2 down", "High", "Low"));
    let number = format!("RT-{id}");

    // A fresh replica connected to RT (the token on standard input, into the keyring).
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("replica.db");
    let dbs = db.to_str().unwrap();
    {
        use std::io::Write;
        let mut c = common::smena(dir.path()).args(["connect", "rt", "--url", &rt.url, "--db", dbs]).stdin(Stdio::piped()).stdout(Stdio::null()).spawn().unwrap();
        c.stdin.take().unwrap().write_all(format!("{}\n", rt.token).as_bytes()).unwrap();
        assert!(c.wait().unwrap().success(), "connect");
    }
    let people = dir.path().join("people.csv");
    std::fs::write(&people, "name,role,time_zone\nMaria Lead,lead,Europe/Moscow\nViktor Sokolov,2,Europe/Moscow\n").unwrap();
    common::ok(dir.path(), &["roster", "import", "--people", people.to_str().unwrap(), "--db", dbs]);
    common::ok(dir.path(), &["staff", "login", "Viktor Sokolov", "l2-viktor", "--db", dbs]);
    common::ok(dir.path(), &["sync", "--db", dbs]);

    let w = Window::open(&db).await;
    w.find("[data-testid=queue-row]").await;
    w.wait_attr("[data-testid=sync-state]", "data-state", "online").await;

    rt::stop();
    let search = w.find("[data-testid=search]").await;
    search.send_keys(&number).await.unwrap();
    w.wait_attr("[data-testid=queue-row]", "data-number", &number).await;
    w.find("[data-testid=queue-row]").await.click().await.unwrap();
    w.wait_text("[data-testid=panel-number]", &number).await;
    w.eval("document.querySelector('[data-testid=action-escalate-reason]').scrollIntoView({block: 'center'}); return 0;").await;
    w.find("[data-testid=action-escalate-line]").await.select_by_value("2").await.unwrap();
    w.find("[data-testid=action-escalate-reason]").await.send_keys("the tunnel needs line 2").await.unwrap();
    w.find("[data-testid=action-escalate-apply]").await.click().await.unwrap();

    // Pending: the row's mark, one operation waiting; a sync now finds RT down.
    w.find("[data-testid=queue-row] [data-testid=row-unsynced]").await;
    w.wait_attr("[data-testid=sync-state]", "data-waiting", "1").await;
    w.find("[data-testid=sync-now]").await.click().await.unwrap();
    w.wait_attr("[data-testid=sync-state]", "data-state", "offline").await;
    w.wait_attr("[data-testid=sync-state]", "data-waiting", "1").await;

    // RT is back: sync now, and the mark goes.
    rt::start();
    w.find("[data-testid=sync-now]").await.click().await.unwrap();
    w.wait_attr("[data-testid=sync-state]", "data-state", "online").await;
    w.wait_attr("[data-testid=sync-state]", "data-waiting", "0").await;
    w.wait_eval("document.querySelector('[data-testid=queue-row] [data-testid=row-unsynced]') === null", "true").await;
    let (r, i) = (rt.clone(), id.clone());
    let t = on_thread(move || r.get(&i));
    assert_eq!(t["Owner"]["id"], "l2-viktor", "RT has the escalation: {t}");
    w.close().await;
}

#[tokio::test]
// ONE_SERVER is the synchronous sync tests' lock; nothing in this test binary waits on it.
#[allow(clippy::await_holding_lock)]
async fn a_window_connected_to_rt_shows_the_open_queue_while_the_history_is_still_being_pulled() {
    if !available() {
        return;
    }
    let _one = ONE_WINDOW.lock().await;
    let _server = ONE_SERVER.lock().unwrap_or_else(|e| e.into_inner());
    let Some(rt) = rt::server() else { return };
    // RT holds an open ticket and a done one.
    let r = rt.clone();
    let (open, done) = on_thread(move || {
        let open = r.create("E2E first pull: the open one", "High", "Low");
        let done = r.create("E2E first pull: the done one", "Low", "Low");
        r.put(&done, serde_json::json!({"Status": "completed"}));
        (format!("RT-{open}"), format!("RT-{done}"))
    });
    // Between the window and RT, a proxy that holds the history's backfill (the done tickets'
    // listing, newest first) until the test lets it go.
    let proxy = Proxy::start(&rt.url);
    proxy.hold("order=DESC&per_page=100&page=1&fields=Subject");

    // A new user's window (the demo in it) connected to RT through the ITSM dialog.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("replica.db");
    // The held request is waited for as long as the test needs (the default gives up after
    // 30 s a try, and the sync would end offline).
    let w = Window::open_with(&db, &[("SMENA_ITSM_TIMEOUT", std::path::Path::new("300"))]).await;
    w.find("[data-testid=queue-row]").await;
    w.find("[data-testid=sync-state]").await.click().await.unwrap();
    w.find("[data-testid=sync-url]").await.send_keys(&proxy.url).await.unwrap();
    w.find("[data-testid=sync-secret]").await.send_keys(&rt.token).await.unwrap();
    w.find("[data-testid=sync-connect]").await.click().await.unwrap();
    w.find("[data-testid=sync-connected]").await;
    w.find("[data-testid=sync-close]").await.click().await.unwrap();

    // The open queue's part has ended and the backfill waits on RT: the open ticket is in the
    // window's queue while the sync is still running, and the done one is not in the replica.
    let held = std::sync::Arc::new(proxy);
    let waiting = held.clone();
    tokio::task::spawn_blocking(move || waiting.wait_held()).await.unwrap();
    w.find("[data-testid=search]").await.send_keys(&open).await.unwrap();
    w.wait_attr("[data-testid=queue-row]", "data-number", &open).await;
    w.wait_attr("[data-testid=sync-state]", "data-state", "running").await;
    let dbs = db.to_str().unwrap();
    assert_eq!(common::run(dir.path(), &["ticket", &done, "--db", dbs]).status.code(), Some(4), "the history is not pulled yet");
    // Dashboards say their period is not whole yet rather than show a low number.
    w.find("[data-testid=nav-dashboards]").await.click().await.unwrap();
    let banner = w.find("[data-testid=dash-incomplete]").await;
    assert!(banner.text().await.unwrap().contains("still being pulled"), "{}", banner.text().await.unwrap());
    if let Some(dir) = std::env::var_os("SMENA_SCREENSHOTS") {
        std::fs::write(std::path::Path::new(&dir).join("dashboards-incomplete.png"), w.client.screenshot().await.unwrap()).unwrap();
    }
    w.find("[data-testid=nav-queue]").await.click().await.unwrap();

    // The backfill goes on: the sync ends, and the done ticket is there.
    held.release();
    w.wait_attr("[data-testid=sync-state]", "data-state", "online").await;
    let t = common::json(dir.path(), &["ticket", &done, "--json", "--db", dbs]);
    assert_eq!(t["summary"]["status"], "completed", "{t}");
    w.find("[data-testid=nav-dashboards]").await.click().await.unwrap();
    w.wait_eval("document.querySelector('[data-testid=dash-total]') !== null && document.querySelector('[data-testid=dash-incomplete]') === null", "true").await;
    w.close().await;
}

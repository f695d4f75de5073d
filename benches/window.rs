//! The desktop app end to end: `cargo bench --bench window [-- TICKETS]`, or with every other
//! bench by `cargo bench --workspace`. Without a display it runs itself again inside
//! `xvfb-run`; without the replica `cargo bench -p smena-core -- TICKETS` writes, it writes the
//! same demo.
//!
//! Launches the real `smena` window on the benchmark replica through tauri-driver five times
//! and times launch → the first queue row rendered (the driver's own start-up included, so
//! the figure is an upper bound); then launches it as a user does, leaves it idle for 15
//! seconds and sums the memory of the app and every process under it (WebKit's web and
//! network processes), both as the proportional set size (shared pages divided among the
//! processes that share them) and as the plain sum of resident set sizes (shared pages
//! counted in every process).
//!
//! Then the interactions a lead uses, timed inside the page on the 28-day demo and on the
//! benchmark replica: from the input event to the animation frame after the DOM shows the
//! answer (`performance.now()`, a MutationObserver watching for the answer), median and p95,
//! printed beside the core's own time for the same page.

#[path = "../tests/common/mod.rs"]
mod common;

use common::webdriver::Window;
use smena_core::store::queue::{self, QueueFilter};
use smena_core::store::Replica;
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How long the app is left alone before its memory is read: the first page is shown well
/// within this, and the first sync attempt and notification check have run.
const IDLE_SECONDS: u64 = 15;

/// One process of the app's tree: pid, name, resident set size and proportional set size
/// (KiB). The RSS counts every shared page (WebKit's libraries, mapped in each process) in
/// full in every process that maps it; the PSS divides a shared page among the processes
/// sharing it, so the PSS of the tree adds up to the memory the app really holds.
struct Resident {
    pid: u32,
    name: String,
    rss: u64,
    pss: u64,
}

/// The app's process and all its descendants, read from /proc.
fn tree(root: u32) -> Vec<Resident> {
    let mut parent: HashMap<u32, u32> = HashMap::new();
    let mut info: HashMap<u32, Resident> = HashMap::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else { continue };
        let rollup = std::fs::read_to_string(entry.path().join("smaps_rollup")).unwrap_or_default();
        let field = |text: &str, k: &str| text.lines().find(|l| l.starts_with(k)).map(|l| l[k.len()..].trim().to_string());
        let kib = |text: &str, k: &str| field(text, k).and_then(|v| v.trim_end_matches(" kB").trim().parse().ok()).unwrap_or(0);
        parent.insert(pid, field(&status, "PPid:").and_then(|v| v.parse().ok()).unwrap_or(0));
        info.insert(pid, Resident { pid, name: field(&status, "Name:").unwrap_or_default(), rss: kib(&status, "VmRSS:"), pss: kib(&rollup, "Pss:") });
    }
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let p = tree[i];
        tree.extend(parent.iter().filter(|(_, pp)| **pp == p).map(|(c, _)| *c));
        i += 1;
    }
    tree.iter().filter_map(|p| info.remove(p)).collect()
}

/// The first rows of the queue as shown, or empty while a row is still loading: what a page
/// change is recognised by.
const SIGNATURE: &str = "(document.querySelector('[data-testid=queue-row-loading]') ? '' : \
    [...document.querySelectorAll('[data-testid=queue-row]')].slice(0, 8).map(r => r.dataset.number).join(','))";

/// Times one interaction in the page: runs `act`, then waits (a MutationObserver on the whole
/// document) until `answered` holds, and for the animation frame after; milliseconds.
async fn timed(w: &Window, act: &str, answered: &str) -> f64 {
    let script = format!(
        "const done = arguments[arguments.length - 1];
         let over = false;
         const finish = (v) => {{ if (!over) {{ over = true; obs.disconnect(); done(v); }} }};
         const t0 = performance.now();
         {act};
         const check = () => {{ if (!over && ({answered})) requestAnimationFrame(() => finish(performance.now() - t0)); }};
         const obs = new MutationObserver(check);
         obs.observe(document.body, {{ subtree: true, childList: true, attributes: true, characterData: true }});
         check();
         setTimeout(() => finish(-1), 20000);"
    );
    let v = w.client.execute_async(&script, vec![]).await.expect("the timing script runs");
    let ms = v.as_f64().unwrap_or(-1.0);
    assert!(ms >= 0.0, "no answer within 20 s to: {act}");
    ms
}

/// [`timed`] for an interaction answered in stages: the milliseconds until each of
/// `answers` holds (and the frame after it).
async fn staged(w: &Window, act: &str, answers: &[&str]) -> Vec<f64> {
    let conds = answers.iter().map(|a| format!("() => ({a})")).collect::<Vec<_>>().join(", ");
    let script = format!(
        "const done = arguments[arguments.length - 1];
         const conds = [{conds}];
         const at = conds.map(() => -1);
         const seen = conds.map(() => false);
         let over = false;
         const finish = () => {{ if (!over) {{ over = true; obs.disconnect(); done(at); }} }};
         const t0 = performance.now();
         {act};
         const check = () => {{
           conds.forEach((c, i) => {{
             if (!seen[i] && c()) {{ seen[i] = true; requestAnimationFrame(() => {{ at[i] = performance.now() - t0; if (at.every(x => x >= 0)) finish(); }}); }}
           }});
         }};
         const obs = new MutationObserver(check);
         obs.observe(document.body, {{ subtree: true, childList: true, attributes: true, characterData: true }});
         check();
         setTimeout(finish, 20000);"
    );
    let v = w.client.execute_async(&script, vec![]).await.expect("the timing script runs");
    let at: Vec<f64> = v.as_array().map(|a| a.iter().map(|x| x.as_f64().unwrap_or(-1.0)).collect()).unwrap_or_default();
    assert!(at.len() == answers.len() && at.iter().all(|&x| x >= 0.0), "no answer within 20 s to: {act} ({at:?})");
    at
}

/// The milliseconds of one command's round trip from the page (`invoke` to its answer, no
/// rendering): the IPC's share of an interaction.
async fn round_trip(w: &Window, command: &str, args: &str) -> f64 {
    let script = format!(
        "const done = arguments[arguments.length - 1];
         const t0 = performance.now();
         window.__TAURI_INTERNALS__.invoke('{command}', {args}).then(() => done(performance.now() - t0), () => done(-1));"
    );
    let ms = w.client.execute_async(&script, vec![]).await.expect("the round-trip script runs").as_f64().unwrap_or(-1.0);
    assert!(ms >= 0.0, "{command} failed");
    ms
}

/// [`timed`], with the milliseconds until the DOM held the answer (the script's share; the
/// rest, to the frame, is style, layout and paint): (to the frame, to the DOM). `watch` is
/// the MutationObserver's target and options (`document.body, {...}` for everything): a
/// page change of a thousand cells makes thousands of records the observer itself pays for.
async fn timed_split(w: &Window, act: &str, answered: &str, watch: &str) -> (f64, f64) {
    let script = format!(
        "const done = arguments[arguments.length - 1];
         let over = false, dom = -1;
         const finish = (v) => {{ if (!over) {{ over = true; obs.disconnect(); done([v, dom]); }} }};
         const t0 = performance.now();
         {act};
         const check = () => {{ if (!over && dom < 0 && ({answered})) {{ dom = performance.now() - t0; requestAnimationFrame(() => finish(performance.now() - t0)); }} }};
         const obs = new MutationObserver(check);
         obs.observe({watch});
         check();
         setTimeout(() => finish(-1), 20000);"
    );
    let v = w.client.execute_async(&script, vec![]).await.expect("the timing script runs");
    let at = |i: usize| v.get(i).and_then(|x| x.as_f64()).unwrap_or(-1.0);
    assert!(at(0) >= 0.0, "no answer within 20 s to: {act}");
    (at(0), at(1))
}

/// `n` round trips of one command.
async fn round_trips(w: &Window, command: &str, args: &str, n: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(round_trip(w, command, args).await);
    }
    out
}

/// The page's signature once it has settled after `act` (held for half a second).
async fn settled(w: &Window, act: &str) -> String {
    w.eval(act).await;
    let (mut last, mut since) = (String::new(), Instant::now());
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let now = w.eval(&format!("return {SIGNATURE};")).await.as_str().unwrap_or_default().to_string();
        if now != last {
            (last, since) = (now, Instant::now());
        } else if !last.is_empty() && since.elapsed() > Duration::from_millis(500) {
            return last;
        }
        assert!(Instant::now() < deadline, "the queue did not settle after: {act}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn select(testid: &str, value: &str) -> String {
    format!("const s = document.querySelector('[data-testid={testid}]'); s.value = '{value}'; s.dispatchEvent(new Event('change', {{ bubbles: true }}))")
}

fn click(testid: &str) -> String {
    format!("document.querySelector('[data-testid={testid}]').click()")
}

fn typed(text: &str) -> String {
    format!("const s = document.querySelector('[data-testid=search]'); s.value = '{text}'; s.dispatchEvent(new Event('input', {{ bubbles: true }}))")
}

/// Median and p95 of `samples`, printed with the core's own median for the same answer.
fn report(what: &str, label: &str, mut samples: Vec<f64>, core: Option<f64>) {
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1];
    let core = core.map_or(String::new(), |c| format!("   (the core: {c:.2} ms)"));
    println!("window: {what:<52} {label:<16} n={:<3} median {:>7.1} ms   p95 {:>7.1} ms{core}", samples.len(), at(0.5), at(0.95));
}

/// The core's median for a page of `f`, on its own connection.
fn core_ms(db: &std::path::Path, f: &QueueFilter) -> f64 {
    let r = Replica::open(db).unwrap();
    let mut t: Vec<f64> = (0..15)
        .map(|_| {
            let s = Instant::now();
            queue::page(&r, f, 0, 100).unwrap();
            s.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[7]
}

/// The interactions, each `REPEAT` times both ways, on the replica `db`.
async fn interactions(db: &std::path::Path, label: &str) {
    // `SMENA_WINDOW_ONLY=roster,action` runs those parts only (filters, search, keyboard,
    // action, views, ipc), and skips the launch and memory figures.
    let only = std::env::var("SMENA_WINDOW_ONLY").ok();
    let part = |name: &str| only.as_deref().is_none_or(|o| o.split(',').any(|x| x == name));
    const REPEAT: usize = 20;
    let w = Window::open(db).await;
    w.find("[data-testid=queue-row]").await;
    let open = settled(&w, "void 0").await;
    let is = |sig: &str| format!("{SIGNATURE} === '{sig}'");

    if part("filters") {
        // Filters: each toggled on and back off (reset, or the chip again).
        type Step = (&'static str, String, String, Option<QueueFilter>);
        let filters: Vec<Step> = vec![
            (
                "choose line 2 in the line filter (open queue)",
                select("filter-line", "2"),
                click("filter-reset"),
                Some(QueueFilter { line: Some(smena_core::domain::Line::SECOND), ..Default::default() }),
            ),
            ("choose all statuses in the status filter", select("filter-status", "*all"), click("filter-reset"), Some(QueueFilter { include_done: true, ..Default::default() })),
            (
                "the closed status chip",
                click("count-status-closed"),
                click("count-status-closed"),
                Some(QueueFilter { status: Some(smena_core::domain::Status::Closed), include_done: true, ..Default::default() }),
            ),
            ("the line 1 chip", click("count-line-1"), click("count-line-1"), Some(QueueFilter { line: Some(smena_core::domain::Line::FIRST), ..Default::default() })),
            (
                "choose priority medium",
                select("filter-priority", "medium"),
                click("filter-reset"),
                Some(QueueFilter { priority: Some(smena_core::domain::Priority::Medium), ..Default::default() }),
            ),
            (
                "choose channel phone",
                select("filter-channel", "phone"),
                click("filter-reset"),
                Some(QueueFilter { channel: Some(smena_core::domain::Channel::Phone), ..Default::default() }),
            ),
        ];
        for (what, on, off, f) in filters {
            let mut resets = Vec::new();
            let shown = settled(&w, &on).await;
            assert_ne!(shown, open, "{what}: the page did not change");
            assert_eq!(settled(&w, &off).await, open, "{what}: undone");
            let mut samples = Vec::new();
            for _ in 0..REPEAT {
                samples.push(timed(&w, &on, &is(&shown)).await);
                resets.push(timed(&w, &off, &is(&open)).await);
            }
            report(what, label, samples, f.as_ref().map(|f| core_ms(db, f)));
            report("  and back to the open queue", label, resets, Some(core_ms(db, &QueueFilter::default())));
        }
    }
    if part("search") {
        // A search word (the box's own wait included), and clearing it.
        let found = settled(&w, &typed("Hudson")).await;
        assert_eq!(settled(&w, &typed("")).await, open);
        let (mut search, mut clear) = (Vec::new(), Vec::new());
        for _ in 0..REPEAT {
            search.push(timed(&w, &typed("Hudson"), &is(&found)).await);
            clear.push(timed(&w, &typed(""), &is(&open)).await);
        }
        report("type a search word (with the box's wait)", label, search, Some(core_ms(db, &QueueFilter { search: Some("Hudson".into()), ..Default::default() })));
        report("clear the search", label, clear, None);
    }
    if part("keyboard") {
        // Open a ticket from the list, alternating two rows; then the keyboard down the list.
        let mut opened = Vec::new();
        for i in 0..REPEAT {
            let k = 1 + i % 2;
            let act = format!("document.querySelectorAll('[data-testid=queue-row]')[{k}].click()");
            let answered =
                format!("document.querySelector('[data-testid=panel-number]')?.textContent === document.querySelectorAll('[data-testid=queue-row]')[{k}].dataset.number");
            opened.push(timed(&w, &act, &answered).await);
        }
        report("open a ticket from the list", label, opened, None);
        w.eval("document.querySelectorAll('[data-testid=queue-row]')[0].click()").await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let (mut steps, mut panels) = (Vec::new(), Vec::new());
        for i in 1..=REPEAT {
            let act = "document.activeElement.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }))";
            let cursor = format!("document.querySelector('.queue-row.cursor')?.id === 'row-{i}'");
            let panel = format!("{cursor} && document.querySelector('[data-testid=panel-number]')?.textContent === document.querySelector('.queue-row.cursor')?.dataset.number");
            let at = staged(&w, act, &[&cursor, &panel]).await;
            steps.push(at[0]);
            panels.push(at[1]);
        }
        report("keyboard: one row down (the cursor on it)", label, steps, None);
        report("  and the panel showing that ticket", label, panels, None);
    }
    if part("action") {
        // An action: the urgency of the first ticket (pinned first, so it stays on top whatever
        // its priority) set back and forth, until the list shows the new priority.
        let first = "document.querySelectorAll('[data-testid=queue-row]')[0]";
        w.eval(&format!("{first}.click()")).await;
        let number = settled(&w, "void 0").await.split(',').next().unwrap_or_default().to_string();
        w.find("[data-testid=action-urgency-level]").await;
        if w.eval(&format!("return !!{first}.querySelector('[data-testid=row-pinned]')")).await.as_bool() != Some(true) {
            w.eval("document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'p', code: 'KeyP', bubbles: true }))").await;
        }
        let pinned = format!("{first}?.dataset.number === '{number}' && !!{first}.querySelector('[data-testid=row-pinned]')");
        timed(&w, "void 0", &pinned).await;
        let urgency = |level: &str| {
            format!(
                "const l = document.querySelector('[data-testid=action-urgency-level]'); l.value = '{level}'; l.dispatchEvent(new Event('change', {{ bubbles: true }}));
             const r = document.querySelector('[data-testid=action-urgency-reason]'); r.value = 'the client called'; r.dispatchEvent(new Event('input', {{ bubbles: true }}));
             document.querySelector('[data-testid=action-urgency-apply]').click()"
            )
        };
        let priority_of = |level: &'static str| {
            let act = urgency(level);
            let w = &w;
            let pinned = pinned.clone();
            async move {
                w.eval(&act).await;
                tokio::time::sleep(Duration::from_millis(1500)).await;
                timed(w, "void 0", &pinned).await;
                w.eval(&format!("return [...{first}.querySelector('.prio').classList].find(c => c.startsWith('prio-'))")).await.as_str().unwrap_or_default().to_string()
            }
        };
        let (high, low) = (priority_of("very-high").await, priority_of("none").await);
        assert_ne!(high, low, "the urgency changes the priority of {number}");
        let mut actions = Vec::new();
        for i in 0..REPEAT {
            let (level, shown) = if i % 2 == 0 { ("very-high", &high) } else { ("none", &low) };
            let answered = format!("{pinned} && {first}.querySelector('.prio').classList.contains('{shown}')");
            // The panel's form is back to the ticket's values once the answer is in.
            actions.push(timed(&w, &urgency(level), &answered).await);
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        report("an action: urgency set, the list shows the priority", label, actions, None);
    }
    if part("views") {
        // Dashboards and back, the roster's month grid and back (each on screen: a view kept
        // built while hidden does not count until it is shown with its answer), then the roster
        // moving a month on and back.
        let (mut dash, mut back, mut roster, mut back2) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let shown = |testid: &str| format!("document.querySelector('[data-testid={testid}]')?.closest('[data-view]')?.dataset.shown === 'true'");
        let queue_back = format!("{} && {SIGNATURE} !== '' && !!document.querySelector('[data-testid=queue-row]')", shown("queue"));
        let dash_done = format!(
            "{} && document.querySelector('[data-testid=dash-body]').dataset.loading === 'false' && !!document.querySelector('[data-testid=dash-total]')",
            shown("dash-body")
        );
        let roster_done = |month: &str| {
            format!(
            "{} && document.querySelector('[data-testid=roster]').dataset.loading === 'false' && document.querySelector('[data-testid=roster-month]').textContent === '{month}' && !!document.querySelector('[data-testid=roster-grid] td')",
            shown("roster")
        )
        };
        w.eval(&click("nav-roster")).await;
        let month = w.eval("return document.querySelector('[data-testid=roster-month]')?.textContent").await.as_str().unwrap_or_default().to_string();
        w.eval(&click("nav-queue")).await;
        for _ in 0..REPEAT {
            dash.push(timed(&w, &click("nav-dashboards"), &dash_done).await);
            back.push(timed(&w, &click("nav-queue"), &queue_back).await);
            roster.push(timed(&w, &click("nav-roster"), &roster_done(&month)).await);
            back2.push(timed(&w, &click("nav-queue"), &queue_back).await);
        }
        report("Dashboards (load by hour, drawn)", label, dash, None);
        report("  and back to the queue", label, back, None);
        report("the roster's month grid", label, roster, None);
        report("  and back to the queue", label, back2, None);
        // Dashboards asking: the load chart's tab and the heat map's, back and forth.
        w.eval(&click("nav-dashboards")).await;
        timed(&w, "void 0", &dash_done).await;
        let tab_done = |tab: &str| {
            format!(
                "document.querySelector('[data-testid=dash-tab-{tab}]').getAttribute('aria-pressed') === 'true' && document.querySelector('[data-testid=dash-body]').dataset.loading === 'false' && !!document.querySelector('[data-testid=chart] svg')"
            )
        };
        let (mut heat, mut load) = (Vec::new(), Vec::new());
        for _ in 0..REPEAT {
            heat.push(timed(&w, &click("dash-tab-heatmap"), &tab_done("heatmap")).await);
            load.push(timed(&w, &click("dash-tab-load"), &format!("{} && !!document.querySelector('[data-testid=dash-total]')", tab_done("load"))).await);
        }
        report("Dashboards: the heat map's tab (asked and drawn)", label, heat, None);
        report("  and the load chart's again", label, load, None);
        // A tab's answer is kept once seen (by query and revision): a period never asked
        // before times a chart asked of the core, sent, cleaned and drawn (its answer seen
        // through the view's loading flag going up and down again).
        let now_from = w.eval("return document.querySelector('[data-testid=dash-from]').value").await.as_str().unwrap_or_default().to_string();
        let starts = (1..=21).map(|d| format!("2026-11-{d:02}")).filter(|d| *d != now_from).take(REPEAT);
        let mut period = Vec::new();
        for day in starts {
            let act = format!(
                "const body = document.querySelector('[data-testid=dash-body]');
                 window.__asked = false;
                 new MutationObserver((records, mo) => {{ if (records.some(r => r.oldValue === 'false')) {{ window.__asked = true; mo.disconnect(); }} }})
                   .observe(body, {{ attributes: true, attributeFilter: ['data-loading'], attributeOldValue: true }});
                 const i = document.querySelector('[data-testid=dash-from]');
                 i.value = '{day}';
                 i.dispatchEvent(new Event('input', {{ bubbles: true }}))"
            );
            let drawn = "window.__asked && document.querySelector('[data-testid=dash-body]').dataset.loading === 'false' && !!document.querySelector('[data-testid=chart] svg')";
            period.push(timed(&w, &act, drawn).await);
        }
        report("Dashboards: a period never asked (asked and drawn)", label, period, None);
        w.eval(&click("nav-roster")).await;
        timed(&w, "void 0", &roster_done(&month)).await;
        w.eval(&click("roster-next")).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let next = w.eval("return document.querySelector('[data-testid=roster-month]').textContent").await.as_str().unwrap_or_default().to_string();
        w.eval(&click("roster-prev")).await;
        timed(&w, "void 0", &roster_done(&month)).await;
        let (mut on, mut off, mut dom) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..REPEAT {
            // Shown already: the answer is its month's grid (no layout forced to find it).
            let built_next = format!(
                "document.querySelector('[data-testid=roster]').dataset.loading === 'false' && document.querySelector('[data-testid=roster-month]').textContent === '{next}'"
            );
            // Watched through the roster's own loading flag, which the month's answer clears
            // in the same update as its cells.
            let watch = "document.querySelector('[data-testid=roster]'), { attributes: true, attributeFilter: ['data-loading'] }";
            let (frame, built) = timed_split(&w, &click("roster-next"), &built_next, watch).await;
            on.push(frame);
            dom.push(built);
            let built_back = format!(
                "document.querySelector('[data-testid=roster]').dataset.loading === 'false' && document.querySelector('[data-testid=roster-month]').textContent === '{month}'"
            );
            off.push(timed_split(&w, &click("roster-prev"), &built_back, watch).await.0);
        }
        report("the roster: the next month's grid", label, on, None);
        report("  (of which until its DOM is built)", label, dom, None);
        report("  and back", label, off, None);
        let trips = round_trips(&w, "roster_month", &format!("{{ month: '{next}' }}"), REPEAT).await;
        report("IPC: roster_month, invoke to answer", label, trips, None);
        w.eval(&click("nav-queue")).await;
        timed(&w, "void 0", &queue_back).await;
    }
    if part("ipc") {
        // Where an interaction's time goes: one command's round trip from the page, no rendering.
        let (mut info, mut page, mut chips) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..REPEAT {
            info.push(round_trip(&w, "replica_info", "{}").await);
            page.push(round_trip(&w, "queue_page", "{ filter: {}, offset: 0, limit: 100 }").await);
            chips.push(round_trip(&w, "queue_counts", "{ filter: {} }").await);
        }
        report("IPC: replica_info, invoke to answer", label, info, None);
        report("IPC: queue_page, open queue, 100 rows", label, page, Some(core_ms(db, &QueueFilter::default())));
        report("IPC: queue_counts, open queue", label, chips, None);
    }
    w.close().await;
}

#[tokio::main]
async fn main() {
    let tickets: u64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1_000_000);
    let db = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("target/bench/replica-{tickets}.db"));
    if std::env::var_os("DISPLAY").is_none() {
        // `cargo bench --workspace` runs this without a display: run again inside Xvfb.
        let again =
            std::process::Command::new("xvfb-run").args(["-a", "-s", "-screen 0 1280x800x24"]).arg(std::env::current_exe().unwrap()).args(std::env::args_os().skip(1)).status();
        match again {
            Ok(status) => std::process::exit(status.code().unwrap_or(1)),
            Err(e) => {
                eprintln!("no display, and xvfb-run could not start ({e}): run scripts/setup, or run this under a display");
                std::process::exit(1);
            }
        }
    }
    if !db.exists() {
        // The same demo the core's bench writes (which writes it afresh each run unless told
        // `reuse`: on a fresh checkout `cargo bench --workspace` may write it twice).
        std::fs::create_dir_all(db.parent().unwrap()).unwrap();
        let building = db.with_extension("db.building");
        for file in [&building, &db] {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
            }
        }
        let now = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 28, 9, 0, 0).unwrap();
        let mut r = smena_core::store::Replica::open(&building).unwrap();
        smena_core::demo::write_demo(&mut r, &smena_core::demo::DemoOptions { days: smena_core::demo::days_for(tickets), seed: 1, now }).unwrap();
        drop(r);
        std::fs::rename(&building, &db).unwrap();
    }
    // A first launch applies any pending migration and warms the page cache.
    let w = Window::open(&db).await;
    w.find("[data-testid=queue-row]").await;
    w.close().await;
    if std::env::var_os("SMENA_WINDOW_ONLY").is_none() {
        launch_and_memory(&db, tickets).await;
    }

    // The interactions, on the 28-day demo (written once) and on the benchmark replica.
    let demo = db.with_file_name("demo-28-days.db");
    if !demo.exists() {
        let now = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 28, 9, 0, 0).unwrap();
        let mut r = Replica::open(&demo).unwrap();
        smena_core::demo::write_demo(&mut r, &smena_core::demo::DemoOptions { days: 28, seed: 3, now }).unwrap();
    }
    interactions(&demo, "28-day demo").await;
    interactions(&db, &format!("{tickets} tickets")).await;
}

/// Launch to the first row, five times; then the memory of the app left idle.
async fn launch_and_memory(db: &std::path::Path, tickets: u64) {
    let mut samples = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let w = Window::open(db).await;
        w.find("[data-testid=queue-row]").await;
        samples.push(t.elapsed());
        w.close().await;
    }
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("window: launch to the first queue row ({tickets} tickets)  n=5  median {:.0} ms   max {:.0} ms", ms(samples[2]), ms(samples[4]));

    // Memory: the app launched as a user launches it (not through the driver, whose
    // automation session changes how WebKit renders), left idle.
    let home = tempfile::tempdir().unwrap();
    let mut app = common::smena(home.path()).env("SMENA_DB", db).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn().expect("the app starts");
    tokio::time::sleep(Duration::from_secs(IDLE_SECONDS)).await;
    let rows = tree(app.id());
    let exited = app.try_wait().ok().flatten();
    let _ = app.kill();
    let _ = app.wait();
    assert!(exited.is_none(), "the app exited before its memory was read ({exited:?})");
    assert!(rows.len() >= 3 && rows.iter().all(|r| r.pss > 0), "the app and its WebKit processes were not all found: {:?}", rows.iter().map(|r| &r.name).collect::<Vec<_>>());
    let mib = |kib: u64| kib as f64 / 1024.0;
    println!(
        "window: memory idle {IDLE_SECONDS} s after launch, app + webview processes: {:.0} MiB proportional (PSS), {:.0} MiB summed resident (RSS)",
        mib(rows.iter().map(|r| r.pss).sum()),
        mib(rows.iter().map(|r| r.rss).sum())
    );
    for r in rows {
        println!("    {:>7} {:<24} PSS {:>6.1} MiB   RSS {:>6.1} MiB", r.pid, r.name, mib(r.pss), mib(r.rss));
    }
}

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

#[path = "../tests/common/mod.rs"]
mod common;

use common::webdriver::Window;
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

    let mut samples = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let w = Window::open(&db).await;
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
    let mut app = common::smena(home.path()).env("SMENA_DB", &db).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn().expect("the app starts");
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

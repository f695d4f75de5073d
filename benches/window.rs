//! The desktop app end to end: `cargo bench --bench window [-- TICKETS]` (needs a display:
//! run it under `xvfb-run`; and the replica `cargo bench -p smena-core -- TICKETS` builds).
//!
//! Launches the real `smena` window on the benchmark replica through tauri-driver five times
//! and times launch → the first queue row rendered (the driver's own start-up included, so
//! the figure is an upper bound); then launches it as a user does, leaves it idle for 15
//! seconds and sums the memory of the app and every process under it (WebKit's web and
//! network processes), both as the proportional set size (shared pages divided among the
//! processes that share them) and as the plain sum of resident set sizes (shared pages
//! counted in every process).

#[path = "../tests/common/mod.rs"]
#[allow(dead_code)]
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
    if !db.exists() {
        eprintln!("no {}: build it first with `cargo bench -p smena-core -- {tickets}`", db.display());
        std::process::exit(1);
    }
    if std::env::var_os("DISPLAY").is_none() {
        eprintln!("no display: run under xvfb-run");
        std::process::exit(1);
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
    let _ = app.kill();
    let _ = app.wait();
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

//! The desktop app end to end: `cargo bench --bench window [-- TICKETS]` (needs a display:
//! run it under `xvfb-run`; and the replica `cargo bench -p smena-core -- TICKETS` builds).
//!
//! Launches the real `smena` window on the benchmark replica through tauri-driver five times
//! and times launch → the first queue row rendered (the driver's own start-up included, so
//! the figure is an upper bound); then lets one window idle for 10 seconds and sums the
//! resident memory of the app and every process under it (WebKit's web and network
//! processes).

#[path = "../tests/common/mod.rs"]
#[allow(dead_code)]
mod common;

use common::webdriver::Window;
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Resident set sizes (KiB) of a process and all its descendants, read from /proc.
fn tree_rss_kib(root: u32) -> (u64, Vec<(u32, String, u64)>) {
    let mut parent: HashMap<u32, u32> = HashMap::new();
    let mut info: HashMap<u32, (String, u64)> = HashMap::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else { continue };
        let field = |k: &str| status.lines().find(|l| l.starts_with(k)).map(|l| l[k.len()..].trim().to_string());
        let ppid = field("PPid:").and_then(|v| v.parse().ok()).unwrap_or(0);
        let rss = field("VmRSS:").and_then(|v| v.trim_end_matches(" kB").trim().parse().ok()).unwrap_or(0);
        parent.insert(pid, ppid);
        info.insert(pid, (field("Name:").unwrap_or_default(), rss));
    }
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let p = tree[i];
        tree.extend(parent.iter().filter(|(_, pp)| **pp == p).map(|(c, _)| *c));
        i += 1;
    }
    let rows: Vec<(u32, String, u64)> = tree.iter().filter_map(|p| info.get(p).map(|(n, r)| (*p, n.clone(), *r))).collect();
    (rows.iter().map(|r| r.2).sum(), rows)
}

/// The app's process: the `smena` whose executable is the one cargo built.
fn app_pid() -> Option<u32> {
    let bin = std::fs::canonicalize(common::bin()).ok()?;
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid = e.file_name().to_string_lossy().parse::<u32>().ok()?;
        (std::fs::read_link(e.path().join("exe")).ok()? == bin).then_some(pid)
    })
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

    let w = Window::open(&db).await;
    w.find("[data-testid=queue-row]").await;
    tokio::time::sleep(Duration::from_secs(10)).await;
    match app_pid() {
        Some(pid) => {
            let (total, rows) = tree_rss_kib(pid);
            println!("window: resident memory idle after 10 s, app + webview processes: {:.0} MiB", total as f64 / 1024.0);
            for (pid, name, rss) in rows {
                println!("    {pid:>7} {name:<24} {:>7.1} MiB", rss as f64 / 1024.0);
            }
        }
        None => println!("window: the app's process was not found"),
    }
    w.close().await;
}

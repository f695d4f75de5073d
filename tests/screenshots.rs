//! The README's and docs' screenshots, made from the real window so they never go stale:
//! `scripts/screenshots` runs this with `SMENA_SCREENSHOTS=ui/docs`. Each view is driven to
//! the state the picture shows and checked to have rendered before the virtual screen is
//! captured; a capture that is not a PNG fails the run.

mod common;

use common::webdriver::{available, Window, ONE_WINDOW};
use std::path::PathBuf;

/// Captures the virtual screen the window fills (ImageMagick's `import`: WebKitWebDriver's
/// own screenshot stalls once a page holds a large SVG).
async fn capture(dir: &std::path::Path, name: &str) {
    // Let the last frame paint.
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    let path = dir.join(format!("screenshot-{name}.png"));
    let ok = std::process::Command::new("import").args(["-window", "root"]).arg(&path).status().expect("ImageMagick's import runs").success();
    let png = std::fs::read(&path).unwrap_or_default();
    assert!(ok && png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000, "{name}: not a picture of the window");
}

#[tokio::test]
async fn every_screenshot_of_the_docs_comes_from_the_real_window() {
    let Some(dir) = std::env::var_os("SMENA_SCREENSHOTS").map(PathBuf::from) else {
        eprintln!("SKIPPED here: scripts/screenshots makes the pictures (SMENA_SCREENSHOTS=ui/docs)");
        return;
    };
    assert!(available());
    let _one = ONE_WINDOW.lock().await;
    let home = tempfile::tempdir().unwrap();
    let db = common::demo(home.path(), "screens.db", 56, 1);
    let w = Window::open(&db).await;
    w.find("[data-testid=queue-row]").await.click().await.unwrap();
    w.find("[data-testid=panel-number]").await;
    capture(&dir, "queue").await;

    w.find("[data-testid=nav-dashboards]").await.click().await.unwrap();
    w.find("[data-testid=dash-tab-heatmap]").await.click().await.unwrap();
    w.find("[data-testid=chart] svg").await;
    capture(&dir, "heatmap").await;
    w.find("[data-testid=dash-tab-sla]").await.click().await.unwrap();
    w.find("[data-testid=sla-group]").await;
    capture(&dir, "sla").await;
    w.find("[data-testid=theme]").await.select_by_value("dark").await.unwrap();
    w.find("[data-testid=dash-tab-staffing]").await.click().await.unwrap();
    w.find("[data-testid=staffing-summary]").await;
    w.find("[data-testid=chart] svg").await;
    capture(&dir, "staffing").await;
    w.find("[data-testid=theme]").await.select_by_value("light").await.unwrap();

    w.find("[data-testid=nav-roster]").await.click().await.unwrap();
    w.find("[data-testid=roster-grid]").await;
    capture(&dir, "roster-month").await;
    w.find("[data-testid=roster-tab-now]").await.click().await.unwrap();
    w.find("[data-testid=roster-now-line-3]").await;
    capture(&dir, "roster-now").await;

    w.find("[data-testid=nav-clients]").await.click().await.unwrap();
    w.find("[data-testid=client-item][data-name='Гранит Банк']").await.click().await.unwrap();
    w.find("[data-testid=client-editor][data-name='Гранит Банк']").await;
    capture(&dir, "clients").await;

    w.find("[data-testid=sync-state]").await.click().await.unwrap();
    w.find("[data-testid=sync-dialog]").await;
    capture(&dir, "sync").await;
    w.close().await;
}

//! Drives the real `smena` window through tauri-driver and WebKitWebDriver.
//! Each session gets its own driver on free ports, its own XDG directories and replica.

use fantoccini::{Client, ClientBuilder, Locator};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One window at a time: two cores are enough for one WebKit and the tests beside it. An
/// async lock, as the tests hold it across their awaits.
pub static ONE_WINDOW: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Where tauri-driver is, if installed.
fn tauri_driver() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|p| std::env::split_paths(&p).map(|d| d.join("tauri-driver")).find(|p| p.is_file()));
    on_path.or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo/bin/tauri-driver")).filter(|p| p.is_file()))
}

/// Whether end-to-end tests can run here. Under CI a missing display or driver fails the
/// test instead of skipping it: a skipped E2E test would pass silently.
pub fn available() -> bool {
    let missing: Vec<&str> = [
        std::env::var_os("DISPLAY").is_none().then_some("no DISPLAY (run under xvfb-run)"),
        tauri_driver().is_none().then_some("tauri-driver is not installed (cargo install tauri-driver --version ^2 --locked)"),
        (!Path::new("/usr/bin/WebKitWebDriver").exists()).then_some("WebKitWebDriver is missing (apt-get install webkit2gtk-driver)"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if missing.is_empty() {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("end-to-end tests cannot run under CI: {}", missing.join("; "));
    }
    eprintln!("SKIPPED end-to-end test: {}", missing.join("; "));
    false
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A running app window and the WebDriver session controlling it.
pub struct Window {
    pub client: Client,
    driver: Child,
    _home: tempfile::TempDir,
}

impl Window {
    /// Starts `smena` on the replica `db` and waits for the WebDriver session.
    pub async fn open(db: &Path) -> Window {
        Window::open_with(db, &[]).await
    }

    /// Starts `smena` on `db` with extra environment variables.
    pub async fn open_with(db: &Path, env: &[(&str, &Path)]) -> Window {
        let home = tempfile::tempdir().unwrap();
        let (port, native) = (free_port(), free_port());
        let mut command = Command::new(tauri_driver().unwrap());
        // Its own process group: the driver, WebKitWebDriver, the app and WebKit's processes
        // all go together when the window is dropped, even after a failed assertion.
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        for (k, v) in env {
            command.env(k, v);
        }
        let driver = command
            .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            .env("SMENA_DB", db)
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_CACHE_HOME", home.path().join("cache"))
            .env("LANG", "en_US.UTF-8")
            .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tauri-driver starts");
        let mut caps = serde_json::Map::new();
        caps.insert("tauri:options".into(), serde_json::json!({ "application": super::bin() }));
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            match ClientBuilder::rustls().expect("TLS roots").capabilities(caps.clone()).connect(&url).await {
                Ok(c) => break c,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => panic!("no WebDriver session within 30 s: {e}"),
            }
        };
        Window { client, driver, _home: home }
    }

    /// Waits for an element matching the CSS selector.
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client.wait().at_most(Duration::from_secs(15)).for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no element {css}: {e}"))
    }

    /// Waits until the attribute `attr` of the element at `css` equals `want`.
    pub async fn wait_attr(&self, css: &str, attr: &str, want: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut last = None;
        while Instant::now() < deadline {
            if let Ok(e) = self.client.find(Locator::Css(css)).await {
                last = e.attr(attr).await.ok().flatten();
                if last.as_deref() == Some(want) {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{css} [{attr}] is {last:?}, expected {want:?}");
    }

    /// Waits until the text of the element at `css` equals `want`.
    pub async fn wait_text(&self, css: &str, want: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Ok(e) = self.client.find(Locator::Css(css)).await {
                last = e.text().await.unwrap_or_default();
                if last.trim() == want {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{css} shows {last:?}, expected {want:?}");
    }

    /// Waits until the expression `script` evaluates, as a string, to `want`.
    pub async fn wait_eval(&self, script: &str, want: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut last = serde_json::Value::Null;
        while Instant::now() < deadline {
            last = self.eval(&format!("return String({script});")).await;
            if last == want {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{script} is {last}, expected {want:?}");
    }

    /// Runs a script in the page and returns its result.
    pub async fn eval(&self, script: &str) -> serde_json::Value {
        self.client.execute(script, vec![]).await.expect("script runs")
    }

    /// Closes the app and the driver.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Window {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", self.driver.id())]).stderr(Stdio::null()).status();
        let _ = self.driver.kill();
    }
}

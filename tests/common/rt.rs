//! A real Request Tracker for the sync tests, started by the project's own script
//! (`.ci/rt/start`), an unlocked Secret Service keyring on the test's D-Bus session, and
//! "another client" of RT that changes tickets behind Smena's back.

use serde_json::{json, Value};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};

/// One sync test at a time: some stop and start the server.
pub static ONE_SERVER: Mutex<()> = Mutex::new(());

/// Where RT runs and the token `.ci/rt/start` made.
#[derive(Debug, Clone)]
pub struct Server {
    pub url: String,
    pub rest: String,
    pub token: String,
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Starts RT (installing it the first time) and returns where it is; `None` when it cannot
/// run here — a failure under CI, a skip on a developer's machine without the packages.
pub fn server() -> Option<Server> {
    static SERVER: OnceLock<Option<Server>> = OnceLock::new();
    SERVER.get_or_init(|| started(Command::new(root().join(".ci/rt/start")))).clone()
}

/// A Request Tracker of its own holding `replica`'s desk with its whole life
/// (`.ci/rt/seed-desk`, which seeds it once per desk); `None` as for [`server`].
pub fn desk(replica: &Path) -> Option<Server> {
    let mut script = Command::new(root().join(".ci/rt/seed-desk"));
    script.arg(replica);
    started(script)
}

/// Runs a script of `.ci/rt` that prints `RT_URL=…` lines, and reads them.
fn started(mut script: Command) -> Option<Server> {
    let out = script.current_dir(root()).stderr(Stdio::inherit()).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let value = |key: &str| text.lines().find_map(|l| l.strip_prefix(&format!("{key}="))).map(|v| v.trim_matches(['\'', '"']).to_string());
    let found = out.status.success().then(|| Some(Server { url: value("RT_URL")?, rest: value("RT_REST2")?, token: value("RT_TOKEN")? })).flatten();
    if found.is_none() {
        assert!(std::env::var_os("CI").is_none(), "Request Tracker could not be started: {text}");
    }
    found.filter(|_| keyring())
}

/// Makes sure a Secret Service answers on this D-Bus session (starting gnome-keyring,
/// unlocked, with its data in a private temporary folder, once per test binary); false
/// where there is no D-Bus session (a failure under CI).
pub fn keyring() -> bool {
    static STARTED: OnceLock<bool> = OnceLock::new();
    *STARTED.get_or_init(start_keyring)
}

fn start_keyring() -> bool {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        assert!(std::env::var_os("CI").is_none(), "the sync tests need a D-Bus session (run them under dbus-run-session)");
        return false;
    }
    let home = std::env::temp_dir().join(format!("smena-keyring-{}", std::process::id()));
    std::fs::create_dir_all(home.join("run")).unwrap();
    let mut child = Command::new("gnome-keyring-daemon")
        .args(["--replace", "--unlock", "--components=secrets", "--daemonize"])
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_RUNTIME_DIR", home.join("run"))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("gnome-keyring-daemon runs (scripts/setup installs it)");
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"test-keyring-password").unwrap();
    assert!(child.wait().unwrap().success(), "gnome-keyring-daemon started");
    true
}

/// Stops the server (the data stays).
pub fn stop() {
    let ok = Command::new(root().join(".ci/rt/stop")).current_dir(root()).stdout(Stdio::null()).status().unwrap().success();
    assert!(ok, ".ci/rt/stop");
}

/// Starts it again.
pub fn start() {
    let ok = Command::new(root().join(".ci/rt/start")).current_dir(root()).stdout(Stdio::null()).status().unwrap().success();
    assert!(ok, ".ci/rt/start");
}

impl Server {
    fn client() -> reqwest::blocking::Client {
        reqwest::blocking::Client::new()
    }

    fn auth(&self) -> String {
        format!("token {}", self.token)
    }

    /// Creates a ticket in `Line 1` as a client would; returns its id.
    pub fn create(&self, subject: &str, urgency: &str, impact: &str) -> String {
        self.create_in("Line 1", subject, urgency, impact)
    }

    /// Creates a ticket in `queue`; returns its id.
    pub fn create_in(&self, queue: &str, subject: &str, urgency: &str, impact: &str) -> String {
        self.create_kind(queue, subject, urgency, impact, "Incident")
    }

    /// Creates a ticket of a kind (`Incident`, `Service request`) in `queue`; returns its id.
    pub fn create_kind(&self, queue: &str, subject: &str, urgency: &str, impact: &str, kind: &str) -> String {
        let body = json!({"Queue": queue, "Subject": subject, "Requestor": "ops@granite.example", "Content": "from the tests",
            "ContentType": "text/plain", "CustomFields": {"Urgency": urgency, "Impact": impact, "Kind": kind}});
        let v: Value = Self::client().post(format!("{}/ticket", self.rest)).header("Authorization", self.auth()).json(&body).send().unwrap().json().unwrap();
        let id = v["id"].as_str().map(str::to_string).unwrap_or_else(|| v["id"].to_string());
        assert!(id.parse::<u64>().is_ok(), "creating a ticket in {queue}: {v}");
        id
    }

    /// Creates a ticket from a REST2 body as given; returns its id.
    pub fn create_with(&self, body: Value) -> String {
        let v: Value = Self::client().post(format!("{}/ticket", self.rest)).header("Authorization", self.auth()).json(&body).send().unwrap().json().unwrap();
        let id = v["id"].as_str().map(str::to_string).unwrap_or_else(|| v["id"].to_string());
        assert!(id.parse::<u64>().is_ok(), "creating a ticket: {v}");
        id
    }

    /// Sets a user's Organization (a requester's, say).
    pub fn set_organization(&self, login: &str, organization: &str) {
        let r = Self::client().put(format!("{}/user/{login}", self.rest)).header("Authorization", self.auth()).json(&json!({"Organization": organization})).send().unwrap();
        assert!(r.status().is_success(), "organization of {login}: {}", r.status());
    }

    /// The ticket as RT has it.
    pub fn get(&self, id: &str) -> Value {
        Self::client().get(format!("{}/ticket/{id}", self.rest)).header("Authorization", self.auth()).send().unwrap().json().unwrap()
    }

    /// A custom field's value on the ticket.
    pub fn field(&self, id: &str, name: &str) -> String {
        let t = self.get(id);
        t["CustomFields"].as_array().unwrap().iter().find(|f| f["name"] == name).and_then(|f| f["values"][0].as_str()).unwrap_or_default().to_string()
    }

    /// Changes the ticket as another user of RT would (no precondition); returns RT's messages.
    pub fn put(&self, id: &str, body: Value) -> Value {
        Self::client().put(format!("{}/ticket/{id}", self.rest)).header("Authorization", self.auth()).json(&body).send().unwrap().json().unwrap()
    }

    /// Adds a comment tagged as Smena would tag operation `op_id`.
    pub fn comment_as(&self, id: &str, op_id: &str, text: &str) {
        self.comment_with(id, json!({"Subject": format!("smena op {op_id}"), "Content": text, "ContentType": "text/plain"}));
    }

    /// Adds a comment as another client of RT would.
    pub fn comment(&self, id: &str, text: &str) {
        self.comment_with(id, json!({"Content": text, "ContentType": "text/plain"}));
    }

    /// Replies to the requester (RT's Correspond) as an engineer in RT would.
    pub fn reply(&self, id: &str, text: &str) {
        let body = json!({"Content": text, "ContentType": "text/plain"});
        let r = Self::client().post(format!("{}/ticket/{id}/correspond", self.rest)).header("Authorization", self.auth()).json(&body).send().unwrap();
        assert!(r.status().is_success(), "reply: {}", r.status());
    }

    /// The ticket's transactions as RT recorded them: type, field, new value, time.
    pub fn transactions(&self, id: &str) -> Vec<(String, String, String, String)> {
        let text = |t: &Value, k: &str| t[k].as_str().unwrap_or_default().to_string();
        self.history(id, "Type,Field,NewValue,Created").iter().map(|t| (text(t, "Type"), text(t, "Field"), text(t, "NewValue"), text(t, "Created"))).collect()
    }

    fn comment_with(&self, id: &str, body: Value) {
        let r = Self::client().post(format!("{}/ticket/{id}/comment", self.rest)).header("Authorization", self.auth()).json(&body).send().unwrap();
        assert!(r.status().is_success(), "comment: {}", r.status());
    }

    /// The ticket's history (transactions with `fields`).
    fn history(&self, id: &str, fields: &str) -> Vec<Value> {
        let v: Value = Self::client()
            .get(format!("{}/ticket/{id}/history", self.rest))
            .query(&[("fields", fields), ("per_page", "100")])
            .header("Authorization", self.auth())
            .send()
            .unwrap()
            .json()
            .unwrap();
        v["items"].as_array().unwrap().clone()
    }

    /// The ticket's comments tagged with `op_id`.
    pub fn comments_tagged(&self, id: &str, op_id: &str) -> usize {
        self.history(id, "Type,Data").iter().filter(|t| t["Type"] == "Comment" && t["Data"].as_str().is_some_and(|d| d.trim() == format!("smena op {op_id}"))).count()
    }

    /// The statuses the ticket went through, in order (from its history).
    pub fn statuses(&self, id: &str) -> Vec<String> {
        self.history(id, "Type,NewValue").iter().filter(|t| t["Type"] == "Status").filter_map(|t| t["NewValue"].as_str().map(str::to_string)).collect()
    }

    /// How many comments the ticket has.
    pub fn comment_count(&self, id: &str) -> usize {
        self.history(id, "Type").iter().filter(|t| t["Type"] == "Comment").count()
    }
}

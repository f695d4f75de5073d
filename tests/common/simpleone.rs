//! A fake SimpleOne instance for the sync tests: the documented REST API (login, Table API,
//! encoded queries, choices in `sys_choice`, journals and history in `sys_activity_feed_item`)
//! on loopback, seeded with a small service desk, plus "another client" (the seed's `agent`)
//! that changes records behind Smena's back. Where the documentation is silent the fake is
//! strict: unknown columns, values, references and state transitions get 400, nothing applied.

use serde_json::{json, Map, Value};
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tiny_http::{Request, Server, StatusCode};

/// The account Smena connects with.
pub const USER: &str = "smena-sync";
/// Its password.
pub const PASSWORD: &str = "s1-sync-Pa55";
/// "Another client" of the instance: username and password.
const AGENT: (&str, &str) = ("agent", "agent-pw");
/// The User-Agent of the fake's own client, whose requests `requests()` leaves out.
const AGENT_CLIENT: &str = "simpleone-fake-agent";
/// The ticket tables, the only ones a client may write.
const TICKETS: [&str; 2] = ["itsm_incident", "itsm_request"];
/// Every table, as listed in `sys_db_table`; `task` shows the records of both ticket tables.
const TABLES: [&str; 10] =
    ["task", "itsm_incident", "itsm_request", "user", "sys_group", "sys_db_table", "sys_db_column", "sys_choice", "sys_activity_type", "sys_activity_feed_item"];
/// Columns every record has after its own.
const SYSTEM: [&str; 4] = ["sys_created_at", "sys_updated_at", "sys_created_by", "sys_updated_by"];
/// Ticket columns a client may not write besides `SYSTEM` (priority follows urgency and impact).
const READ_ONLY: [&str; 3] = ["sys_id", "number", "priority"];
/// Journal input columns: writing one appends an entry to the feed; they read back as null.
const JOURNALS: [&str; 2] = ["work_notes", "additional_comments"];
/// The most records one page returns, whatever `sysparm_limit` asks (the documentation names
/// a server constant, CRUD_API_LIMIT, without its value; third-party clients page by 50).
const MAX_LIMIT: usize = 50;
/// Urgency and impact choices (title, value): a higher number is more severe.
const LEVELS: [(&str, &str); 4] = [("Low", "1"), ("Medium", "2"), ("High", "3"), ("Very High", "4")];
/// Priority choices (title, value).
const PRIORITIES: [(&str, &str); 4] = [("Critical", "1"), ("High", "2"), ("Moderate", "3"), ("Low", "4")];
/// Seeded users: username, first name, last name, email.
const USERS: [[&str; 4]; 6] = [
    [USER, "Smena", "Sync", "smena-sync@bank.example"],
    [AGENT.0, "Service", "Agent", "agent@bank.example"],
    ["l1-anna", "Anna", "Petrova", "anna.petrova@bank.example"],
    ["l2-viktor", "Viktor", "Sokolov", "viktor.sokolov@bank.example"],
    ["lead-maria", "Maria", "Lead", "maria.lead@bank.example"],
    ["ops.bank", "Bank", "Operations", "ops@bank.example"],
];
/// Seeded groups; Facilities is not a support line.
const GROUPS: [&str; 4] = ["Line 1", "Line 2", "Line 3", "Facilities"];
/// Condition operators, each before any operator that is its prefix.
const OPERATORS: [&str; 12] = ["NOT IN", "ISNOTEMPTY", "ISEMPTY", "STARTSWITH", "LIKE", "IN", ">=", "<=", "!=", "=", ">", "<"];

/// One record: column to value (strings or null; `active` is a bool).
type Row = Map<String, Value>;
/// Decoded query-string or form parameters.
type Params = HashMap<String, String>;
/// An HTTP status and its JSON body.
type Reply = (u16, Value);

/// A running fake instance.
pub struct Fake {
    /// Where it listens, e.g. `http://127.0.0.1:40123`.
    pub url: String,
    state: Arc<Mutex<State>>,
    control: Arc<Control>,
    thread: Option<JoinHandle<()>>,
}

/// What the test wants of the server thread, and what the thread reports back.
#[derive(Default)]
struct Control {
    wanted: AtomicBool,
    listening: AtomicBool,
    quit: AtomicBool,
}

impl Fake {
    /// Starts on 127.0.0.1 at a free port, seeded.
    pub fn start() -> Fake {
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let url = format!("http://127.0.0.1:{port}");
        let state = Arc::new(Mutex::new(State::seeded(&url)));
        let control = Arc::new(Control { wanted: AtomicBool::new(true), ..Control::default() });
        let (shared, told) = (state.clone(), control.clone());
        let fake = Fake { url, state, control, thread: Some(thread::spawn(move || serve(port, &shared, &told))) };
        fake.listen(true);
        fake
    }

    /// Stops listening: connections are refused, like a server that is down. The data stays.
    pub fn stop(&self) {
        self.listen(false);
    }

    /// Listens again on the same port, with the same data.
    pub fn resume(&self) {
        self.listen(true);
    }

    /// Creates a ticket as `agent` over HTTP (urgency and impact as titles, the group by name,
    /// caller ops.bank); returns its sys_id.
    pub fn create(&self, table: &str, subject: &str, urgency: &str, impact: &str, group: &str) -> String {
        let body = json!({"subject": subject, "description": "from the tests", "caller": self.user_id("ops.bank"), "assignment_group": self.group_id(group),
            "urgency": self.choice_value(table, "urgency", urgency), "impact": self.choice_value(table, "impact", impact)});
        let record = self.as_agent(reqwest::Method::POST, table, Some(body));
        record["sys_id"].as_str().expect("the new record's sys_id").to_string()
    }

    /// Changes a record as `agent` over HTTP (the instance's own values: choice values, sys_ids);
    /// panics unless the instance accepts it.
    pub fn patch(&self, table: &str, sys_id: &str, body: Value) {
        self.as_agent(reqwest::Method::PATCH, &format!("{table}/{sys_id}"), Some(body));
    }

    /// The record as the API returns it to `agent` (`data[0]`).
    pub fn get(&self, table: &str, sys_id: &str) -> Value {
        self.as_agent(reqwest::Method::GET, &format!("{table}/{sys_id}"), None)
    }

    /// The value of a choice by its title: `choice_value("itsm_incident", "state", "Assigned")` is "2".
    pub fn choice_value(&self, table: &str, column: &str, title: &str) -> String {
        self.state().value_of(table, column, title).unwrap_or_else(|| panic!("no choice '{title}' for {table}.{column}"))
    }

    /// The title of a choice by its value.
    pub fn choice_title(&self, table: &str, column: &str, value: &str) -> String {
        self.state().title_of(table, column, value).unwrap_or_else(|| panic!("no choice '{value}' for {table}.{column}"))
    }

    /// The sys_id of a user, by username.
    pub fn user_id(&self, username: &str) -> String {
        self.state().id_of("user", "username", username).unwrap_or_else(|| panic!("no user {username}"))
    }

    /// The sys_id of a group, by name.
    pub fn group_id(&self, name: &str) -> String {
        self.state().id_of("sys_group", "name", name).unwrap_or_else(|| panic!("no group {name}"))
    }

    /// The messages of the record's journal entries (comments and work notes), oldest first.
    pub fn journal(&self, sys_id: &str) -> Vec<String> {
        let feed = self.state().feed(sys_id);
        feed.iter().filter(|(kind, _)| kind != "history").filter_map(|(_, content)| content["message"].as_str().map(str::to_string)).collect()
    }

    /// Every state title the record went through, from its history, oldest first (the initial one included).
    pub fn states(&self, table: &str, sys_id: &str) -> Vec<String> {
        let state = self.state();
        let column = state.column_id(table, "state");
        let items = state.feed(sys_id).into_iter().filter(|(kind, _)| kind == "history");
        let items = items.flat_map(|(_, content)| content["history_items"].as_array().cloned().unwrap_or_default());
        let changes = items.filter(|item| item["column_id"].as_str() == column.as_deref());
        changes.filter_map(|item| state.title_of(table, "state", item["new_db_value"].as_str()?)).collect()
    }

    /// Makes every auth key issued so far invalid, as if the sessions expired: the next call with one gets 401.
    pub fn expire_keys(&self) {
        self.state().keys.clear();
    }

    /// Lets each key of Smena's account answer `calls` calls, then expire (the session ends
    /// in the middle of a sync).
    pub fn key_lifetime(&self, calls: usize) {
        self.state().key_lifetime = Some(calls);
    }

    /// Stamps every write with `at` (`YYYY-MM-DD HH:MM:SS`) from now on, or with the wall
    /// clock again (`None`): many changes in one second, as an import or a bulk update makes.
    pub fn freeze_clock(&self, at: Option<&str>) {
        self.state().clock = at.map(str::to_string);
    }

    /// "Another client" changes a record right after Smena's `requests`-th request from now
    /// is answered (in the middle of a pull, say).
    pub fn patch_after(&self, requests: usize, table: &str, sys_id: &str, body: Value) {
        let mut state = self.state();
        let after = state.requests.len() + requests;
        state.planned = Some((after, table.to_string(), sys_id.to_string(), body));
    }

    /// How many successful logins of `USER` (Smena's account) the fake has answered.
    pub fn logins(&self) -> usize {
        self.state().logins
    }

    /// The requests answered, as (method, path without the query), oldest first; those of the
    /// fake's own "another client" are left out.
    pub fn requests(&self) -> Vec<(String, String)> {
        self.state().requests.clone()
    }

    /// The instance's data, locked.
    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// Asks the server thread to listen or not, and waits until it does.
    fn listen(&self, on: bool) {
        self.control.wanted.store(on, SeqCst);
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.control.listening.load(SeqCst) != on {
            assert!(Instant::now() < deadline, "the fake SimpleOne did not {} in time", if on { "listen" } else { "stop" });
            thread::sleep(Duration::from_millis(5));
        }
    }

    /// Logs in as `agent`, sends a Table API request, insists on 200 and returns `data[0]`.
    fn as_agent(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let client = reqwest::blocking::Client::builder().user_agent(AGENT_CLIENT).build().expect("an HTTP client");
        let credentials = json!({"username": AGENT.0, "password": AGENT.1});
        let login: Value = client.post(format!("{}/rest/v1/auth/login", self.url)).json(&credentials).send().and_then(|r| r.json()).expect("a login");
        let key = login["data"]["auth_key"].as_str().expect("an auth key");
        let mut request = client.request(method, format!("{}/rest/v1/table/{path}", self.url)).bearer_auth(key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().expect("the fake SimpleOne answers");
        let status = response.status();
        let reply: Value = response.json().expect("a JSON reply");
        assert_eq!(status.as_u16(), 200, "{path}: {reply}");
        reply["data"][0].clone()
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        self.control.quit.store(true, SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The server thread: listens while wanted and answers one request at a time.
fn serve(port: u16, state: &Mutex<State>, control: &Control) {
    let mut server: Option<Server> = None;
    while !control.quit.load(SeqCst) {
        let wanted = control.wanted.load(SeqCst);
        if wanted && server.is_none() {
            server = Server::http(format!("127.0.0.1:{port}")).ok();
        } else if !wanted && server.is_some() {
            server = None;
            closed(port);
        }
        control.listening.store(server.is_some(), SeqCst);
        match &server {
            Some(server) => {
                if let Ok(Some(request)) = server.recv_timeout(Duration::from_millis(50)) {
                    answer(request, state);
                }
            }
            None => thread::sleep(Duration::from_millis(20)),
        }
    }
}

/// Waits until nothing accepts connections on the port: tiny_http closes its listener on its
/// own accept thread, a moment after the server is dropped.
fn closed(port: u16) {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    for _ in 0..300 {
        if TcpStream::connect_timeout(&address, Duration::from_millis(100)).is_err() {
            return;
        }
        thread::sleep(Duration::from_millis(10));
    }
    panic!("port {port} still accepts connections after the fake SimpleOne stopped");
}

/// Answers one request and remembers it. Every answer closes the connection (tiny_http would
/// drop a `Connection` header, so the response is written raw): a client then meets a stopped
/// fake as refused connections, not as a dead keep-alive.
fn answer(mut request: Request, state: &Mutex<State>) {
    let mut body = String::new();
    let readable = Read::read_to_string(request.as_reader(), &mut body).is_ok();
    let header = |name: &'static str| request.headers().iter().find(|h| h.field.equiv(name)).map(|h| h.value.as_str().to_string());
    let (auth, content_type, client) = (header("Authorization"), header("Content-Type").unwrap_or_default(), header("User-Agent"));
    let method = request.method().as_str().to_string();
    let url = request.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((url.as_str(), ""));
    let mut state = lock(state);
    if client.as_deref() != Some(AGENT_CLIENT) {
        state.requests.push((method.clone(), path.to_string()));
    }
    let reply = if readable { state.route(&method, path, query, auth.as_deref(), &content_type, &body) } else { Some(fail(400, "The body is not UTF-8")) };
    if state.planned.as_ref().is_some_and(|(after, ..)| *after <= state.requests.len()) {
        if let Some((_, table, id, change)) = state.planned.take() {
            // Made now, on the wall clock, even while the clock is frozen for Smena's records.
            let frozen = state.clock.take();
            let done = state.write(&table, Some(&id), &change.to_string(), AGENT.0, &Params::new());
            state.clock = frozen;
            assert!(done.is_ok(), "the planned change of {id} was refused");
        }
    }
    drop(state);
    let (status, content_type, body) = match reply {
        Some((status, json)) => (status, "application/json", json.to_string()),
        None => (404, "text/html; charset=UTF-8", "<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>".to_string()),
    };
    let reason = StatusCode(status).default_reason_phrase();
    let head = format!("HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
    let mut writer = request.into_writer();
    // A client that has gone away is no concern of the fake.
    let _ = Write::write_all(&mut writer, (head + &body).as_bytes()).and_then(|()| Write::flush(&mut writer));
}

/// The state, even if a panicking test poisoned its lock.
fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Everything the instance holds.
struct State {
    /// `http://127.0.0.1:PORT`, for reference links.
    base: String,
    /// Table name to records by sys_id (18 digits, so string order is creation order).
    tables: BTreeMap<String, BTreeMap<String, Row>>,
    next_id: u64,
    /// Valid auth keys and whose they are.
    keys: HashMap<String, String>,
    /// Calls a key of Smena's account answers before its session expires (None: never).
    key_lifetime: Option<usize>,
    /// Calls answered per key of Smena's account.
    key_uses: HashMap<String, usize>,
    issued: u64,
    logins: usize,
    requests: Vec<(String, String)>,
    /// A fixed "now" for every write, when a test freezes the clock.
    clock: Option<String>,
    /// A change "another client" makes right after Smena's Nth request is answered.
    planned: Option<(usize, String, String, Value)>,
}

impl State {
    /// The seed: users, groups, the data dictionary, activity types and choices.
    fn seeded(base: &str) -> State {
        let tables = TABLES.iter().map(|t| (t.to_string(), BTreeMap::new())).collect();
        let mut state = State {
            base: base.to_string(),
            tables,
            next_id: 166_031_411_802_010_000,
            keys: HashMap::new(),
            key_lifetime: None,
            key_uses: HashMap::new(),
            issued: 0,
            logins: 0,
            requests: Vec::new(),
            clock: None,
            planned: None,
        };
        for [username, first, last, email] in USERS {
            let fields = vec![("username", json!(username)), ("first_name", json!(first)), ("last_name", json!(last)), ("email", json!(email)), ("active", json!(true))];
            state.insert("user", "system", fields);
        }
        for name in GROUPS {
            state.insert("sys_group", "system", vec![("name", json!(name))]);
        }
        for name in TABLES {
            state.insert("sys_db_table", "system", vec![("name", json!(name))]);
        }
        for table in TABLES {
            let table_id = json!(state.id_of("sys_db_table", "name", table));
            for column in columns(table).unwrap_or_default() {
                state.insert("sys_db_column", "system", vec![("table_id", table_id.clone()), ("column_name", json!(column))]);
            }
        }
        let kinds = TICKETS.iter().flat_map(|table| JOURNALS.map(|journal| format!("{journal}.{table}")));
        for name in kinds.chain(["history".to_string()]) {
            state.insert("sys_activity_type", "system", vec![("name", json!(name))]);
        }
        // Urgency, impact and priority are the task table's choices, which the ticket tables
        // inherit (as the documentation configures them); each ticket table has its own states.
        let own = TICKETS.iter().map(|table| (*table, vec![("state", states(table))]));
        let inherited = [("task", vec![("urgency", LEVELS.to_vec()), ("impact", LEVELS.to_vec()), ("priority", PRIORITIES.to_vec())])];
        for (table, columns) in own.chain(inherited) {
            let table_id = json!(state.id_of("sys_db_table", "name", table));
            for (column, options) in columns {
                let column_id = json!(state.column_id(table, column));
                for (order, (title, value)) in options.into_iter().enumerate() {
                    let fields = vec![
                        ("table_id", table_id.clone()),
                        ("column_id", column_id.clone()),
                        ("value", json!(value)),
                        ("title", json!(title)),
                        ("language", json!("en")),
                        ("order", json!((order * 100 + 100).to_string())),
                    ];
                    state.insert("sys_choice", "system", fields);
                }
            }
        }
        state
    }

    /// Routes a request; `None` for a path outside the API (the instance answers an HTML 404).
    fn route(&mut self, method: &str, path: &str, query: &str, auth: Option<&str>, content_type: &str, body: &str) -> Option<Reply> {
        if path == "/rest/v1/auth/login" || path == "/v1/auth/login" {
            return Some(if method == "POST" { self.login(body, content_type) } else { fail(405, "Method not allowed") });
        }
        let rest = path.strip_prefix("/rest/v1/table/")?;
        let (table, id) = rest.split_once('/').map_or((rest, None), |(table, id)| (table, Some(id)));
        let Some(user) = self.caller(auth) else {
            return Some((401, json!({"status": 401, "message": "Unauthorized"})));
        };
        if let (Some(lifetime), Some(key)) = (self.key_lifetime, auth.and_then(|a| a.trim().strip_prefix("Bearer ")).filter(|_| user == USER)) {
            let uses = self.key_uses.entry(key.trim().to_string()).or_default();
            *uses += 1;
            if *uses > lifetime {
                self.keys.remove(key.trim());
                return Some((401, json!({"status": 401, "message": "Unauthorized"})));
            }
        }
        if columns(table).is_none() {
            return Some(fail(404, &format!("Table '{table}' not found")));
        }
        let params = pairs(query);
        let result = match (method, id) {
            ("GET", None) => self.list(table, &params),
            ("GET", Some(id)) => self.one(table, id, &params),
            ("POST", None) => self.write(table, None, body, &user, &params),
            ("PATCH" | "PUT", Some(id)) => self.write(table, Some(id), body, &user, &params),
            ("DELETE", Some(_)) => Err(fail(403, &format!("Access to table '{table}' is denied by ACL"))),
            _ => Err(fail(405, "Method not allowed")),
        };
        Some(result.map_or_else(|reply| reply, |data| (200, json!({"status": "OK", "data": data}))))
    }

    /// `POST /rest/v1/auth/login` with a JSON or a form body.
    fn login(&mut self, body: &str, content_type: &str) -> Reply {
        let fields: Params = if content_type.contains("json") || body.trim_start().starts_with('{') {
            let object = serde_json::from_str::<Row>(body).unwrap_or_default();
            object.into_iter().filter_map(|(key, value)| value.as_str().map(|v| (key, v.to_string()))).collect()
        } else {
            pairs(body)
        };
        let (username, password) = (fields.get("username").cloned().unwrap_or_default(), fields.get("password").cloned().unwrap_or_default());
        if !password_ok(&username, &password) {
            return (401, json!({"status": 401, "message": "Invalid username or password"}));
        }
        if username == USER {
            self.logins += 1;
        }
        let key = self.new_key();
        self.keys.insert(key.clone(), username);
        (200, json!({"status": "OK", "data": {"auth_key": key}}))
    }

    /// A new auth key: 32 characters of [A-Za-z0-9_-], from a counter and the clock.
    fn new_key(&mut self) -> String {
        const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        self.issued += 1;
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or_default();
        let mut x = (self.issued.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ nanos) | 1;
        let mut key = String::new();
        for _ in 0..32 {
            // xorshift64: plenty for keys that only have to differ.
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            key.push(char::from(ALPHABET[(x >> 58) as usize]));
        }
        key
    }

    /// Whom an Authorization header (a Bearer auth key, or Basic) authenticates.
    fn caller(&self, header: Option<&str>) -> Option<String> {
        let (scheme, credentials) = header?.trim().split_once(' ')?;
        if scheme.eq_ignore_ascii_case("bearer") {
            return self.keys.get(credentials.trim()).cloned();
        }
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        let decoded = base64(credentials.trim())?;
        let (user, password) = decoded.split_once(':')?;
        password_ok(user, password).then(|| user.to_string())
    }

    /// `GET /rest/v1/table/{table}`: filtered, sorted, one page.
    fn list(&self, table: &str, params: &Params) -> Result<Value, Reply> {
        let view = view(table, params)?;
        let query = parse(table, params.get("sysparm_query").map(String::as_str).unwrap_or_default()).map_err(|message| fail(400, &message))?;
        let (limit, page) = (count(params, "sysparm_limit", 20)?.min(MAX_LIMIT), count(params, "sysparm_page", 1)?);
        let mut rows: Vec<&Row> = self.rows(table).into_iter().filter(|row| self.matches(&query.filter, row)).collect();
        rows.sort_by(|a, b| self.order(&query.order, a, b));
        Ok(Value::Array(rows.iter().skip((page - 1).saturating_mul(limit)).take(limit).map(|row| self.render(table, row, &view)).collect()))
    }

    /// `GET /rest/v1/table/{table}/{sys_id}`.
    fn one(&self, table: &str, id: &str, params: &Params) -> Result<Value, Reply> {
        let view = view(table, params)?;
        let row = self.rows(table).into_iter().find(|row| text(row, "sys_id") == Some(id));
        let row = row.ok_or_else(|| fail(404, &format!("Record '{id}' not found in table '{table}'")))?;
        Ok(json!([self.render(table, row, &view)]))
    }

    /// `POST` (no id) or `PATCH`/`PUT` of a ticket: checked whole, then applied with its
    /// history entry and journal entries.
    fn write(&mut self, table: &str, id: Option<&str>, body: &str, user: &str, params: &Params) -> Result<Value, Reply> {
        let view = view(table, params)?;
        if !TICKETS.contains(&table) {
            return Err(fail(403, &format!("Access to table '{table}' is denied by ACL")));
        }
        let Ok(Value::Object(changes)) = serde_json::from_str::<Value>(body) else {
            return Err(fail(400, "The body must be a raw JSON object of column: value"));
        };
        let before = match id {
            Some(id) => self.tables[table].get(id).cloned().ok_or_else(|| fail(404, &format!("Record '{id}' not found in table '{table}'")))?,
            None => blank(table),
        };
        let mut after = before.clone();
        if id.is_none() {
            let number = format!("{}{:07}", if table == "itsm_incident" { "INC" } else { "REQ" }, self.tables[table].len() + 1);
            after.insert("number".into(), json!(number));
            for (column, title) in [("state", "Registered"), ("urgency", "Medium"), ("impact", "Medium")] {
                after.insert(column.into(), json!(self.value_of(table, column, title)));
            }
        }
        let from = self.title(table, "state", &after);
        let mut entries = Vec::new();
        for (column, value) in &changes {
            let value = self.check(table, column, value)?;
            if JOURNALS.contains(&column.as_str()) {
                entries.extend(value.as_str().filter(|m| !m.is_empty()).map(|m| (format!("{column}.{table}"), json!({"message": m}))));
            } else {
                after.insert(column.clone(), value);
            }
        }
        let to = self.title(table, "state", &after);
        if !allowed(&from, &to) {
            return Err(fail(400, &format!("State transition from '{from}' to '{to}' is not allowed")));
        }
        // Documented: a new assigned user sends an incident that is In Progress back to Registered.
        let reassigned = id.is_some() && after.get("assigned_user") != before.get("assigned_user");
        if table == "itsm_incident" && reassigned && to == "In Progress" && !changes.contains_key("state") {
            after.insert("state".into(), json!(self.value_of(table, "state", "Registered")));
        }
        let level = priority(&self.title(table, "urgency", &after), &self.title(table, "impact", &after));
        after.insert("priority".into(), json!(self.value_of(table, "priority", level)));
        let changed: Vec<Value> = after
            .iter()
            .filter(|(column, value)| !column.starts_with("sys_") && before.get(*column) != Some(*value))
            .map(|(column, value)| json!({"column_id": self.column_id(table, column), "old_db_value": before.get(column), "new_db_value": value}))
            .collect();
        if !changed.is_empty() {
            entries.insert(0, ("history".to_string(), json!({"history_items": changed})));
        }
        if id.is_some() && entries.is_empty() {
            return Ok(json!([self.render(table, &before, &view)]));
        }
        let sys_id = match id {
            Some(id) => {
                after.extend([("sys_updated_at".to_string(), json!(self.now())), ("sys_updated_by".to_string(), json!(user))]);
                self.tables.entry(table.to_string()).or_default().insert(id.to_string(), after);
                id.to_string()
            }
            None => self.insert_row(table, user, after),
        };
        let table_id = json!(self.id_of("sys_db_table", "name", table));
        for (kind, content) in entries {
            let type_id = json!(self.id_of("sys_activity_type", "name", &kind));
            let fields = vec![("table_id", table_id.clone()), ("record_id", json!(sys_id)), ("type_id", type_id), ("content", json!(content.to_string()))];
            self.insert("sys_activity_feed_item", user, fields);
        }
        Ok(json!([self.render(table, &self.tables[table][&sys_id], &view)]))
    }

    /// Checks one written column; returns the value as stored (an empty reference becomes null).
    fn check(&self, table: &str, column: &str, value: &Value) -> Result<Value, Reply> {
        if !columns(table).unwrap_or_default().contains(&column) {
            return Err(fail(400, &format!("Column '{column}' not found in table '{table}'")));
        }
        if READ_ONLY.contains(&column) || SYSTEM.contains(&column) {
            return Err(fail(400, &format!("Column '{column}' is read-only")));
        }
        let value = match value {
            Value::Null => Value::Null,
            Value::String(s) => json!(s),
            Value::Number(n) => json!(n.to_string()),
            _ => return Err(fail(400, &format!("Invalid value {value} for column '{column}'"))),
        };
        let text = value.as_str().unwrap_or_default();
        if ["state", "urgency", "impact"].contains(&column) && self.title_of(table, column, text).is_none() {
            return Err(fail(400, &format!("Invalid value '{text}' for column '{column}'")));
        }
        match referenced(column) {
            Some(_) if text.is_empty() => Ok(Value::Null),
            Some(target) if !self.tables[target].contains_key(text) => Err(fail(400, &format!("Referenced {target} '{text}' not found for column '{column}'"))),
            _ => Ok(value),
        }
    }

    /// Stamps the system columns on a new record (made by `by`), stores it and returns its sys_id.
    fn insert_row(&mut self, table: &str, by: &str, mut row: Row) -> String {
        let (id, now) = (self.next_id.to_string(), self.now());
        self.next_id += 1;
        for (column, value) in [("sys_id", id.as_str()), ("sys_created_at", now.as_str()), ("sys_updated_at", now.as_str()), ("sys_created_by", by), ("sys_updated_by", by)] {
            row.insert(column.to_string(), json!(value));
        }
        self.tables.entry(table.to_string()).or_default().insert(id.clone(), row);
        id
    }

    /// Stores a new record made by `by`, with these fields (the rest null).
    fn insert(&mut self, table: &str, by: &str, fields: Vec<(&str, Value)>) {
        let mut row = blank(table);
        row.extend(fields.into_iter().map(|(column, value)| (column.to_string(), value)));
        self.insert_row(table, by, row);
    }

    /// The records of a table; `task` shows those of the ticket tables.
    fn rows(&self, table: &str) -> Vec<&Row> {
        let sources: &[&str] = if table == "task" { &TICKETS } else { std::slice::from_ref(&table) };
        sources.iter().filter_map(|t| self.tables.get(*t)).flat_map(|rows| rows.values()).collect()
    }

    /// A record as the API shows it: the requested fields, references as {value, link} unless excluded.
    fn render(&self, table: &str, row: &Row, view: &View) -> Value {
        let names = view.fields.clone().unwrap_or_else(|| columns(table).unwrap_or_default().into_iter().map(str::to_string).collect());
        let mut out = Map::new();
        for name in names {
            let value = if name.contains('.') { json!(self.resolve(row, &name)) } else { row.get(&name).cloned().unwrap_or(Value::Null) };
            let shown = match (referenced(name.rsplit('.').next().unwrap_or_default()), value.as_str()) {
                (Some(target), Some(id)) if view.links => json!({"value": id, "link": format!("{}/rest/v1/table/{target}/{id}", self.base)}),
                _ => value.clone(),
            };
            out.insert(name, shown);
        }
        Value::Object(out)
    }

    /// The value of a field, dot-walking through references, as text; `None` for null.
    fn resolve(&self, row: &Row, field: &str) -> Option<String> {
        let mut row = row;
        let mut parts = field.split('.').peekable();
        while let Some(part) = parts.next() {
            let value = plain(row.get(part)?)?;
            if parts.peek().is_none() {
                return Some(value);
            }
            row = self.tables.get(referenced(part)?)?.get(&value)?;
        }
        None
    }

    /// Whether a record meets a condition.
    fn matches(&self, condition: &Condition, row: &Row) -> bool {
        match condition {
            Condition::All(terms) => terms.iter().all(|c| self.matches(c, row)),
            Condition::Any(terms) => terms.iter().any(|c| self.matches(c, row)),
            Condition::Test { field, op, value } => self.test(row, field, op, value),
        }
    }

    /// One condition: string comparison (so sys_ids and dates order right), `@`-separated lists.
    fn test(&self, row: &Row, field: &str, op: &str, value: &str) -> bool {
        let actual = self.resolve(row, field);
        let (found, text) = (actual.is_some(), actual.as_deref().unwrap_or_default());
        let listed = value.split('@').any(|v| v == text);
        match op {
            "=" => text == value,
            "!=" => text != value,
            ">" => found && text > value,
            ">=" => found && text >= value,
            "<" => found && text < value,
            "<=" => found && text <= value,
            "IN" => found && listed,
            "NOT IN" => !(found && listed),
            "LIKE" => found && text.to_lowercase().contains(&value.to_lowercase()),
            "STARTSWITH" => found && text.to_lowercase().starts_with(&value.to_lowercase()),
            "ISEMPTY" => text.is_empty(),
            _ => !text.is_empty(),
        }
    }

    /// Compares two records by the ORDERBY keys in turn, then by sys_id.
    fn order(&self, keys: &[(String, bool)], a: &Row, b: &Row) -> Ordering {
        let by_key = keys.iter().map(|(field, descending)| {
            let ordering = self.resolve(a, field).cmp(&self.resolve(b, field));
            if *descending {
                ordering.reverse()
            } else {
                ordering
            }
        });
        by_key.fold(Ordering::Equal, Ordering::then).then(text(a, "sys_id").cmp(&text(b, "sys_id")))
    }

    /// The records of `table` matching an encoded query (for the fake's own look-ups).
    fn select(&self, table: &str, query: &str) -> Vec<&Row> {
        let filter = parse(table, query).map(|q| q.filter).unwrap_or_else(|message| panic!("the fake's own query {query}: {message}"));
        self.rows(table).into_iter().filter(|row| self.matches(&filter, row)).collect()
    }

    /// The sys_id of the first record of `table` whose `column` is `value`.
    fn id_of(&self, table: &str, column: &str, value: &str) -> Option<String> {
        self.select(table, &format!("{column}={value}")).first().and_then(|row| text(row, "sys_id")).map(str::to_string)
    }

    /// The `sys_db_column` sys_id of a table's column.
    fn column_id(&self, table: &str, column: &str) -> Option<String> {
        let found = self.select("sys_db_column", &format!("table_id.name={table}^column_name={column}"));
        found.first().and_then(|row| text(row, "sys_id")).map(str::to_string)
    }

    /// The choices of a table's column, as (value, title), in order.
    fn choices(&self, table: &str, column: &str) -> Vec<(String, String)> {
        let mut rows = self.select("sys_choice", &format!("table_id.name={table}^column_id.column_name={column}"));
        if rows.is_empty() {
            rows = self.select("sys_choice", &format!("table_id.name=task^column_id.column_name={column}"));
        }
        rows.iter().map(|c| (text(c, "value").unwrap_or_default().to_string(), text(c, "title").unwrap_or_default().to_string())).collect()
    }

    /// A choice's value by its title.
    fn value_of(&self, table: &str, column: &str, title: &str) -> Option<String> {
        self.choices(table, column).into_iter().find(|(_, t)| t == title).map(|(value, _)| value)
    }

    /// A choice's title by its value.
    fn title_of(&self, table: &str, column: &str, value: &str) -> Option<String> {
        self.choices(table, column).into_iter().find(|(v, _)| v == value).map(|(_, title)| title)
    }

    /// The title of a record's choice column ("" if it has none).
    fn title(&self, table: &str, column: &str, row: &Row) -> String {
        self.title_of(table, column, text(row, column).unwrap_or_default()).unwrap_or_default()
    }

    /// A record's activity feed, oldest first: (type name, parsed content).
    fn feed(&self, record_id: &str) -> Vec<(String, Value)> {
        let items = self.select("sys_activity_feed_item", &format!("record_id={record_id}"));
        let parsed = |item: &Row| text(item, "content").and_then(|c| serde_json::from_str(c).ok()).unwrap_or(Value::Null);
        items.into_iter().map(|item| (self.resolve(item, "type_id.name").unwrap_or_default(), parsed(item))).collect()
    }
}

/// The columns of a table, `sys_id` first and `SYSTEM` last; `None` for a table the instance lacks.
fn columns(table: &str) -> Option<Vec<&'static str>> {
    let own: &[&str] = match table {
        "task" | "itsm_incident" | "itsm_request" => {
            &["number", "subject", "description", "state", "urgency", "impact", "priority", "assigned_user", "assignment_group", "caller", "work_notes", "additional_comments"]
        }
        "user" => &["username", "first_name", "last_name", "email", "active"],
        "sys_group" | "sys_db_table" | "sys_activity_type" => &["name"],
        "sys_db_column" => &["table_id", "column_name"],
        "sys_choice" => &["table_id", "column_id", "value", "title", "language", "order"],
        "sys_activity_feed_item" => &["table_id", "record_id", "type_id", "content"],
        _ => return None,
    };
    Some([&["sys_id"][..], own, &SYSTEM[..]].concat())
}

/// The table a reference column points to.
fn referenced(column: &str) -> Option<&'static str> {
    match column {
        "assigned_user" | "caller" => Some("user"),
        "assignment_group" => Some("sys_group"),
        "table_id" => Some("sys_db_table"),
        "column_id" => Some("sys_db_column"),
        "type_id" => Some("sys_activity_type"),
        _ => None,
    }
}

/// State choices (title, value). The codes are undocumented; the request table's differ from
/// the incident table's so that a client must read them per table.
fn states(table: &str) -> Vec<(&'static str, &'static str)> {
    match table {
        "itsm_request" => vec![
            ("Authorization", "0"),
            ("Registered", "21"),
            ("Assigned", "22"),
            ("In Progress", "23"),
            ("Information Needed", "24"),
            ("External Processing", "25"),
            ("Postponed", "26"),
            ("Completed", "70"),
            ("Rejected by User", "80"),
            ("Closed", "100"),
        ],
        _ => vec![
            ("Registered", "1"),
            ("Assigned", "2"),
            ("In Progress", "3"),
            ("Information Needed", "4"),
            ("External Processing", "5"),
            ("Postponed", "6"),
            ("Completed", "7"),
            ("Rejected by User", "8"),
            ("Closed", "10"),
        ],
    }
}

/// The state flow, by titles; staying in a state is not a transition. This instance's flow
/// (flows are configured per instance) does not complete a ticket nobody took into work,
/// which the desk's own lifecycle allows: a refusal the instance makes, not Smena.
fn allowed(from: &str, to: &str) -> bool {
    let next: &[&str] = match from {
        "Authorization" => &["Registered"],
        "Registered" => &["Assigned", "In Progress", "Information Needed"],
        "Assigned" => &["In Progress", "Information Needed", "External Processing", "Completed", "Registered"],
        "In Progress" => &["Assigned", "Information Needed", "External Processing", "Completed", "Postponed"],
        "Information Needed" | "External Processing" => &["In Progress", "Assigned", "Completed"],
        "Postponed" | "Rejected by User" => &["In Progress", "Assigned"],
        "Completed" => &["Closed", "Rejected by User"],
        _ => &[],
    };
    from == to || next.contains(&to)
}

/// The documented default priority matrix, by titles: rows urgency, columns impact.
fn priority(urgency: &str, impact: &str) -> &'static str {
    let row = match urgency {
        "High" | "Very High" => ["Critical", "Critical", "High", "Moderate"],
        "Medium" => ["Critical", "High", "Moderate", "Low"],
        _ => ["Critical", "Moderate", "Low", "Low"],
    };
    row[["Very High", "High", "Medium"].iter().position(|level| *level == impact).unwrap_or(3)]
}

/// Whether these are the credentials of a user who may log in.
fn password_ok(user: &str, password: &str) -> bool {
    [(USER, PASSWORD), AGENT].contains(&(user, password))
}

/// How records are shown: which fields (`None`: every column) and whether references carry links.
struct View {
    fields: Option<Vec<String>>,
    links: bool,
}

/// Reads `sysparm_fields` (each field checked) and `sysparm_exclude_reference_link`.
fn view(table: &str, params: &Params) -> Result<View, Reply> {
    let list = params.get("sysparm_fields").map(String::as_str).unwrap_or_default();
    let fields: Vec<String> = list.split(',').map(str::trim).filter(|f| !f.is_empty()).map(str::to_string).collect();
    for field in &fields {
        path(table, field).map_err(|message| fail(400, &message))?;
    }
    let links = !matches!(params.get("sysparm_exclude_reference_link").map(String::as_str), Some("1" | "true"));
    Ok(View { fields: (!fields.is_empty()).then_some(fields), links })
}

/// A positive whole-number parameter, or its default.
fn count(params: &Params, name: &str, default: usize) -> Result<usize, Reply> {
    let Some(text) = params.get(name) else { return Ok(default) };
    text.parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(|| fail(400, &format!("Invalid value '{text}' for parameter '{name}'")))
}

/// Checks a field of `table`, dot-walking through references (`assigned_user.username`).
fn path(table: &str, field: &str) -> Result<(), String> {
    let mut current = table;
    let mut parts = field.split('.').peekable();
    while let Some(part) = parts.next() {
        if !columns(current).unwrap_or_default().contains(&part) {
            return Err(format!("Column '{part}' not found in table '{current}'"));
        }
        if parts.peek().is_some() {
            current = referenced(part).ok_or_else(|| format!("Column '{part}' of table '{current}' is not a reference"))?;
        }
    }
    Ok(())
}

/// A `sysparm_query` condition.
enum Condition {
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Test { field: String, op: &'static str, value: String },
}

/// A parsed `sysparm_query`: the filter and the sort keys (field, descending).
struct Query {
    filter: Condition,
    order: Vec<(String, bool)>,
}

/// Parses an encoded query: `^` is AND, `^OR` is OR (binding tighter), parentheses group,
/// `^ORDERBY<field>` and `^ORDERBYDESC<field>` sort.
fn parse(table: &str, text: &str) -> Result<Query, String> {
    let mut parser = Parser { table, rest: text, depth: 0, order: Vec::new() };
    let filter = if text.is_empty() { Condition::All(Vec::new()) } else { parser.all()? };
    Ok(Query { filter, order: parser.order })
}

/// Where the query parser is.
struct Parser<'a> {
    table: &'a str,
    rest: &'a str,
    depth: usize,
    order: Vec<(String, bool)>,
}

impl Parser<'_> {
    /// Terms joined by `^`, each one alone or with others joined by `^OR`.
    fn all(&mut self) -> Result<Condition, String> {
        let mut all = Vec::new();
        loop {
            let first = self.term()?;
            if is_or(self.rest) {
                let mut any = vec![first.ok_or("ORDERBY cannot be part of an OR")?];
                while is_or(self.rest) {
                    self.rest = &self.rest[3..];
                    any.push(self.term()?.ok_or("ORDERBY cannot be part of an OR")?);
                }
                all.push(Condition::Any(any));
            } else {
                all.extend(first);
            }
            match self.rest.strip_prefix('^') {
                Some(rest) => self.rest = rest,
                None => return Ok(Condition::All(all)),
            }
        }
    }

    /// A parenthesised group, a sort key (`None`) or one condition.
    fn term(&mut self) -> Result<Option<Condition>, String> {
        if let Some(inner) = self.rest.strip_prefix('(') {
            self.rest = inner;
            self.depth += 1;
            let group = self.all()?;
            self.rest = self.rest.strip_prefix(')').ok_or("Unbalanced parentheses in the query")?;
            self.depth -= 1;
            return Ok(Some(group));
        }
        let depth = self.depth;
        let end = self.rest.find(|c: char| c == '^' || (c == ')' && depth > 0)).unwrap_or(self.rest.len());
        let (text, rest) = self.rest.split_at(end);
        self.rest = rest;
        if let Some(sort) = text.strip_prefix("ORDERBY") {
            let (field, descending) = sort.strip_prefix("DESC").map_or((sort, false), |field| (field, true));
            path(self.table, field)?;
            self.order.push((field.to_string(), descending));
            return if depth == 0 { Ok(None) } else { Err("ORDERBY must be outside parentheses".to_string()) };
        }
        let split = text.find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')).unwrap_or(text.len());
        let (field, rest) = text.split_at(split);
        let op = OPERATORS.into_iter().find(|op| !field.is_empty() && rest.starts_with(*op)).ok_or_else(|| format!("Invalid condition '{text}'"))?;
        let value = &rest[op.len()..];
        if op.starts_with("IS") && !value.is_empty() {
            return Err(format!("Invalid condition '{text}'"));
        }
        path(self.table, field)?;
        Ok(Some(Condition::Test { field: field.to_string(), op, value: value.to_string() }))
    }
}

/// `^OR` that joins a condition, not the start of `^ORDERBY`.
fn is_or(text: &str) -> bool {
    text.starts_with("^OR") && !text.starts_with("^ORDERBY")
}

/// The error envelope of everything but 401.
fn fail(status: u16, message: &str) -> Reply {
    (status, json!({"status": "ERROR", "errors": [{"message": message}]}))
}

/// A column's value when it is a string.
fn text<'r>(row: &'r Row, column: &str) -> Option<&'r str> {
    row.get(column).and_then(Value::as_str)
}

/// A stored value as query text: booleans as 1/0, null as `None`.
fn plain(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(String::from(if *b { "1" } else { "0" })),
        other => Some(other.to_string()),
    }
}

/// A record of `table` with every column null.
fn blank(table: &str) -> Row {
    columns(table).unwrap_or_default().into_iter().map(|c| (c.to_string(), Value::Null)).collect()
}

/// Now, in UTC, as SimpleOne writes dates.
fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

impl State {
    /// The time a write is stamped with: the frozen clock's, or the wall clock's.
    fn now(&self) -> String {
        self.clock.clone().unwrap_or_else(now)
    }
}

/// `a=1&b=2` (a query string or a form body), percent- and `+`-decoded.
fn pairs(text: &str) -> Params {
    text.split('&').filter(|p| !p.is_empty()).map(|p| p.split_once('=').unwrap_or((p, ""))).map(|(k, v)| (decode(k), decode(v))).collect()
}

/// Percent-decodes, with `+` for a space.
fn decode(text: &str) -> String {
    let (bytes, mut out, mut i) = (text.as_bytes(), Vec::new(), 0);
    while i < bytes.len() {
        let escaped = text.get(i + 1..i + 3).filter(|_| bytes[i] == b'%').and_then(|hex| u8::from_str_radix(hex, 16).ok());
        out.push(escaped.unwrap_or(if bytes[i] == b'+' { b' ' } else { bytes[i] }));
        i += if escaped.is_some() { 3 } else { 1 };
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Standard base64, for Basic auth; `None` unless it is base64 of UTF-8.
fn base64(text: &str) -> Option<String> {
    const DIGITS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let (mut bits, mut held, mut out) = (0u32, 0u32, Vec::new());
    for c in text.trim_end_matches('=').bytes() {
        bits = (bits << 6 | DIGITS.iter().position(|d| *d == c)? as u32) & 0xFFFF;
        held += 6;
        if held >= 8 {
            held -= 8;
            out.push((bits >> held) as u8);
        }
    }
    String::from_utf8(out).ok()
}

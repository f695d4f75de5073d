//! SimpleOne over its Table API (`/rest/v1/table/{table}`), as its public documentation
//! describes it: a key from `POST /rest/v1/auth/login` sent as `Authorization: Bearer`, and a
//! new login when a call answers 401; incidents in `itsm_incident`, service requests in
//! `itsm_request`; the support lines are the assignment groups `Line 1..3`; the states,
//! urgencies, impacts and priorities are the instance's own choice values, read from
//! `sys_choice` by their titles, and the priority is the one the instance computed with its
//! own matrix. SimpleOne has no version on a record and no conditional write: a write is
//! read-compare-write on `sys_updated_at`, and the engine reads the record back after it.
//! Changes are pulled by `sys_updated_at` (whole seconds) with an overlap window, paged by key
//! (time, then sys_id within a second; one sort key per query, no offsets, so a record changed
//! while a pull pages cannot push another out of sight), and a record read again exactly as it
//! was already applied is not pulled twice (a change made in the same second as the one pulled
//! before it differs in its fields, so it still comes). Comments go into the journal field
//! `additional_comments`; the operation's tag goes into a work note of the same write, looked
//! up in the activity feed before anything is sent.

use super::{default_backoff, http_client, json_of, send_retrying, Change, ChangePage, CommentPage, ItsmApi, ItsmError, RemoteComment, RemoteTicket, WriteOutcome, ATTEMPTS};
use crate::domain::{Kind, Level, Line, Priority, Status};
use chrono::{DateTime, NaiveDateTime, Utc};
use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

/// Records per page.
const PAGE: usize = 100;
/// The tables the desk's tickets live in, and what they hold.
const TABLES: [(&str, Kind); 2] = [("itsm_incident", Kind::Incident), ("itsm_request", Kind::Request)];
/// How far back each pull looks again: a record written in the same second as the last one
/// pulled, or whose transaction ended after a later one, is still found (records read again
/// unchanged are skipped, so the overlap costs reads, not writes).
const OVERLAP_SECONDS: i64 = 60;
/// The fields a pull reads (`caller.email` and `assigned_user.username` walk the references).
const FIELDS: &str = "sys_id,number,subject,state,urgency,impact,priority,assigned_user.username,assignment_group,caller.email,sys_created_at,sys_updated_at";
/// SimpleOne's time format (UTC).
const TIME: &str = "%Y-%m-%d %H:%M:%S";

/// The instance's choice values of one table, by what they mean to the desk.
#[derive(Debug, Default, Clone)]
struct Choices {
    state: Vec<(String, Status)>,
    urgency: Vec<(String, Level)>,
    impact: Vec<(String, Level)>,
    priority: Vec<(String, Priority)>,
}

/// A SimpleOne instance.
pub struct SimpleOne {
    base: String,
    user: String,
    password: String,
    key: Option<String>,
    http: Client,
    choices: HashMap<&'static str, Choices>,
    groups: HashMap<String, Line>,
    users: HashMap<String, String>,
    /// Pause before retry `n` (0-based); tests make it short.
    pub backoff: fn(u32) -> Duration,
}

/// Where a pull stands, kept in the replica between pages (as JSON).
#[derive(Debug, Default, Serialize, Deserialize)]
struct Cursor {
    /// Per table: the newest `sys_updated_at` pulled.
    newest: BTreeMap<String, String>,
    /// The table being read in this round (an index into `TABLES`).
    table: usize,
    /// The second the key stands at ("" before the first record).
    from: String,
    /// Within that second, the last sys_id read (`Some("")`: none yet); `None` once the second
    /// is done, when the next page reads after it.
    after_id: Option<String>,
    /// Records (`table:sys_id`) applied at or after `from`: their `sys_updated_at` and a
    /// fingerprint of the fields read, so the same record read again is not pulled twice.
    seen: BTreeMap<String, (String, String)>,
}

impl SimpleOne {
    /// A connector for the instance at `url`, logging in as `user`.
    pub fn new(url: &str, user: &str, password: &str) -> Result<SimpleOne, ItsmError> {
        if user.contains(['^', '@', '(', ')']) {
            return Err(ItsmError::Refused(format!("user name '{user}' has a character SimpleOne's queries reserve")));
        }
        Ok(SimpleOne {
            base: url.trim_end_matches('/').to_string(),
            user: user.to_string(),
            password: password.to_string(),
            key: None,
            http: http_client(url)?,
            choices: HashMap::new(),
            groups: HashMap::new(),
            users: HashMap::new(),
            backoff: default_backoff,
        })
    }

    fn login(&mut self) -> Result<(), ItsmError> {
        let body = json!({ "username": self.user, "password": self.password });
        let mut answer = None;
        // Third-party clients use both paths; an instance answers one of them.
        for path in ["/rest/v1/auth/login", "/v1/auth/login"] {
            let url = format!("{}{path}", self.base);
            let r = send_retrying(&self.http, ATTEMPTS, self.backoff, &|c| c.post(&url).json(&body))?;
            if r.status() != StatusCode::NOT_FOUND {
                answer = Some(r);
                break;
            }
        }
        let r = answer.ok_or_else(|| ItsmError::Refused(format!("{} answers no login (/rest/v1/auth/login, /v1/auth/login): is it SimpleOne?", self.base)))?;
        let (status, v) = json_of(r)?;
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return Err(ItsmError::Unauthorized(format!("SimpleOne refused the login of '{}': {}", self.user, message(&v, status))));
        }
        let key = v["data"]["auth_key"].as_str().filter(|k| status.is_success() && !k.is_empty());
        self.key = Some(key.ok_or_else(|| ItsmError::Refused(format!("the login answered without a key: {}", message(&v, status))))?.to_string());
        Ok(())
    }

    /// Sends with the current key, logging in first when there is none and again once when
    /// the key is refused (it expires with the session).
    fn send(&mut self, tries: u32, build: impl Fn(&Client) -> RequestBuilder) -> Result<Response, ItsmError> {
        for fresh in [false, true] {
            if self.key.is_none() || fresh {
                self.login()?;
            }
            let key = self.key.clone().unwrap_or_default();
            let r = send_retrying(&self.http, tries, self.backoff, &|c| build(c).bearer_auth(&key))?;
            if r.status() != StatusCode::UNAUTHORIZED {
                return Ok(r);
            }
        }
        Err(ItsmError::Unauthorized("SimpleOne refused a fresh key (401)".into()))
    }

    /// A Table API read: the records of `data`.
    fn get(&mut self, path: &str, query: &[(&str, String)]) -> Result<Vec<Value>, ItsmError> {
        let url = format!("{}/rest/v1/table/{path}", self.base);
        let (status, v) = json_of(self.send(ATTEMPTS, |c| c.get(&url).query(query))?)?;
        if !status.is_success() || v["status"] != "OK" {
            return Err(ItsmError::Refused(message(&v, status)));
        }
        Ok(v["data"].as_array().cloned().unwrap_or_default())
    }

    fn load(&mut self) -> Result<(), ItsmError> {
        if self.groups.is_empty() {
            let rows = self.get("sys_group", &[("sysparm_query", "nameINLine 1@Line 2@Line 3".into()), ("sysparm_fields", "sys_id,name".into())])?;
            for g in rows {
                if let Some(line) = g["name"].as_str().and_then(|n| n.strip_prefix("Line ")).and_then(|n| n.parse::<u8>().ok()).and_then(|n| Line::try_from(n).ok()) {
                    self.groups.insert(text(&g["sys_id"]), line);
                }
            }
            if self.groups.is_empty() {
                return Err(ItsmError::Refused("SimpleOne has no groups named 'Line 1', 'Line 2', 'Line 3'".into()));
            }
        }
        if self.choices.is_empty() {
            let query = "table_id.nameINtask@itsm_incident@itsm_request^column_id.column_nameINstate@urgency@impact@priority";
            let rows = self.get(
                "sys_choice",
                &[("sysparm_query", query.into()), ("sysparm_fields", "table_id.name,column_id.column_name,value,title".into()), ("sysparm_limit", "1000".into())],
            )?;
            let mut by_table: HashMap<String, Choices> = HashMap::new();
            for c in &rows {
                let (table, column, value, title) = (text(&c["table_id.name"]), text(&c["column_id.column_name"]), text(&c["value"]), text(&c["title"]));
                let e = by_table.entry(table).or_default();
                match column.as_str() {
                    "state" => e.state.extend(status_of(&title).map(|s| (value, s))),
                    "urgency" => e.urgency.extend(level_of(&title).map(|l| (value, l))),
                    "impact" => e.impact.extend(level_of(&title).map(|l| (value, l))),
                    "priority" => e.priority.extend(priority_of(&title).map(|p| (value, p))),
                    _ => {}
                }
            }
            // A table without its own choices for a column inherits the task table's.
            let task = by_table.get("task").cloned().unwrap_or_default();
            for (table, _) in TABLES {
                let mut c = by_table.remove(table).unwrap_or_default();
                if c.state.is_empty() {
                    c.state.clone_from(&task.state);
                }
                if c.urgency.is_empty() {
                    c.urgency.clone_from(&task.urgency);
                }
                if c.impact.is_empty() {
                    c.impact.clone_from(&task.impact);
                }
                if c.priority.is_empty() {
                    c.priority.clone_from(&task.priority);
                }
                if c.state.is_empty() || c.urgency.is_empty() || c.impact.is_empty() {
                    return Err(ItsmError::Refused(format!("SimpleOne's choices for {table} have no states, urgencies or impacts the desk knows (read from sys_choice)")));
                }
                self.choices.insert(table, c);
            }
        }
        Ok(())
    }

    /// A record as a ticket; `None` when it is not the desk's (another group, a state the
    /// desk does not have, such as Postponed).
    fn parse(&self, table: &'static str, kind: Kind, v: &Value) -> Option<RemoteTicket> {
        let c = &self.choices[table];
        let find = |list: &[(String, Level)], value: &Value| list.iter().find(|(v, _)| *v == text(value)).map(|x| x.1);
        let line = *self.groups.get(&reference(&v["assignment_group"]))?;
        let status = c.state.iter().find(|(s, _)| *s == text(&v["state"]))?.1;
        Some(RemoteTicket {
            id: format!("{table}:{}", text(&v["sys_id"])),
            number: text(&v["number"]),
            subject: text(&v["subject"]),
            status,
            urgency: find(&c.urgency, &v["urgency"])?,
            impact: find(&c.impact, &v["impact"])?,
            priority: c.priority.iter().find(|(p, _)| *p == text(&v["priority"])).map(|x| x.1),
            line,
            owner: Some(text(&v["assigned_user.username"])).filter(|o| !o.is_empty()),
            kind,
            requestor: Some(text(&v["caller.email"])).filter(|e| !e.is_empty()),
            created: time_of(&v["sys_created_at"])?,
            updated: time_of(&v["sys_updated_at"])?,
            version: Some(version(v)),
            history: None,
            fields: Default::default(),
        })
    }

    fn user_id(&mut self, login: &str) -> Result<Option<String>, ItsmError> {
        if let Some(id) = self.users.get(login) {
            return Ok(Some(id.clone()));
        }
        let rows = self.get("user", &[("sysparm_query", format!("username={login}")), ("sysparm_fields", "sys_id".into())])?;
        let id = rows.first().map(|u| text(&u["sys_id"]));
        if let Some(id) = &id {
            self.users.insert(login.to_string(), id.clone());
        }
        Ok(id)
    }
}

/// Splits a ticket id of this connector into its table and sys_id.
fn split(id: &str) -> Result<(&'static str, Kind, &str), ItsmError> {
    let (table, sys_id) = id.split_once(':').ok_or_else(|| ItsmError::Refused(format!("'{id}' is not a SimpleOne record of the desk")))?;
    let (table, kind) = TABLES.into_iter().find(|(t, _)| *t == table).ok_or_else(|| ItsmError::Refused(format!("'{table}' is not a table of the desk")))?;
    Ok((table, kind, sys_id))
}

/// A value as text: strings as they are, numbers written out, null empty.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A reference's sys_id, whether it came as `{value, link}` or as the plain id.
fn reference(v: &Value) -> String {
    match v {
        Value::Object(o) => o.get("value").map(text).unwrap_or_default(),
        other => text(other),
    }
}

fn time_of(v: &Value) -> Option<DateTime<Utc>> {
    v.as_str().and_then(|s| NaiveDateTime::parse_from_str(s, TIME).ok()).and_then(|t| crate::input::sane(t.and_utc()))
}

/// A record's version: its `sys_updated_at` and a fingerprint of the fields read, so that a
/// change within the same whole second still tells the versions apart.
fn version(v: &Value) -> String {
    format!("{}|{}", text(&v["sys_updated_at"]), fingerprint(v))
}

fn message(v: &Value, status: StatusCode) -> String {
    let errors: Vec<String> = v["errors"].as_array().into_iter().flatten().filter_map(|e| e["message"].as_str().map(str::to_string)).collect();
    match (errors.is_empty(), v["message"].as_str()) {
        (false, _) => format!("{} (HTTP {})", errors.join("; "), status.as_u16()),
        (true, Some(m)) => format!("{m} (HTTP {})", status.as_u16()),
        (true, None) => format!("HTTP {status}"),
    }
}

fn status_of(title: &str) -> Option<Status> {
    Some(match title.to_lowercase().replace('ё', "е").as_str() {
        "registered" | "зарегистрирован" | "зарегистрировано" => Status::Registered,
        "assigned" | "назначен" | "назначено" => Status::Assigned,
        "in progress" | "в работе" => Status::InProgress,
        "information needed" | "требуется информация" | "запрос информации" => Status::InformationNeeded,
        "external processing" | "внешняя обработка" | "на внешней обработке" => Status::ExternalProcessing,
        "completed" | "выполнен" | "выполнено" | "решен" | "решено" => Status::Completed,
        "rejected by user" | "отклонен пользователем" | "отклонено пользователем" => Status::RejectedByUser,
        "closed" | "закрыт" | "закрыто" => Status::Closed,
        _ => return None,
    })
}

fn level_of(title: &str) -> Option<Level> {
    Some(match title.to_lowercase().replace('ё', "е").as_str() {
        "very high" | "очень высокая" | "очень высокое" | "очень высокий" => Level::VeryHigh,
        "high" | "высокая" | "высокое" | "высокий" => Level::High,
        "medium" | "средняя" | "среднее" | "средний" => Level::Medium,
        "low" | "низкая" | "низкое" | "низкий" => Level::Low,
        "none" => Level::None,
        _ => return None,
    })
}

fn priority_of(title: &str) -> Option<Priority> {
    Some(match title.to_lowercase().as_str() {
        "critical" | "критический" | "критичный" => Priority::Critical,
        "high" | "высокий" => Priority::High,
        "moderate" | "medium" | "средний" | "умеренный" => Priority::Medium,
        "low" | "низкий" => Priority::Low,
        "planning" | "планирование" => Priority::Planning,
        _ => return None,
    })
}

impl ItsmApi for SimpleOne {
    fn check(&mut self) -> Result<(), ItsmError> {
        self.key = None;
        self.choices.clear();
        self.groups.clear();
        self.users.clear();
        self.login()?;
        self.load()
    }

    fn changes(&mut self, cursor: &str) -> Result<ChangePage, ItsmError> {
        self.load()?;
        let mut c: Cursor = if cursor.is_empty() {
            Cursor::default()
        } else {
            serde_json::from_str(cursor).map_err(|_| ItsmError::Refused(format!("cursor '{cursor}' is not one this connector wrote")))?
        };
        let (table, kind) = TABLES[c.table.min(TABLES.len() - 1)];
        // Only the lines' records: the desk has no business with other groups' tickets.
        let lines = self.groups.keys().cloned().collect::<Vec<_>>().join("@");
        let (query, key) = match &c.after_id {
            Some(id) if id.is_empty() => (format!("assignment_groupIN{lines}^sys_updated_at={}^ORDERBYsys_id", c.from), "sys_id"),
            Some(id) => (format!("assignment_groupIN{lines}^sys_updated_at={}^sys_id>{id}^ORDERBYsys_id", c.from), "sys_id"),
            None if c.from.is_empty() => (format!("assignment_groupIN{lines}^ORDERBYsys_updated_at"), "sys_updated_at"),
            None => (format!("assignment_groupIN{lines}^sys_updated_at>{}^ORDERBYsys_updated_at", c.from), "sys_updated_at"),
        };
        let rows =
            self.get(table, &[("sysparm_query", query), ("sysparm_fields", FIELDS.into()), ("sysparm_exclude_reference_link", "1".into()), ("sysparm_limit", PAGE.to_string())])?;
        // The key must move forward, or a pull could skip records or never end.
        if rows.windows(2).any(|w| text(&w[0][key]) > text(&w[1][key])) {
            return Err(ItsmError::Refused(format!("SimpleOne did not sort {table} by {key} (ORDERBY{key}); the pull stops rather than miss records")));
        }
        if rows.first().is_some_and(|r| r.get("assigned_user.username").is_none() || r.get("caller.email").is_none()) {
            return Err(ItsmError::Refused("SimpleOne answered without the dot-walked fields assigned_user.username and caller.email".into()));
        }
        let mut tickets = Vec::new();
        for v in &rows {
            let updated = text(&v["sys_updated_at"]);
            if time_of(&v["sys_updated_at"]).is_none() {
                return Err(ItsmError::Refused(format!("SimpleOne record {}: sys_updated_at '{updated}' is not YYYY-MM-DD hh:mm:ss", text(&v["number"]))));
            }
            let seen = (updated.clone(), fingerprint(v));
            let id = format!("{table}:{}", text(&v["sys_id"]));
            if c.seen.get(&id) == Some(&seen) {
                continue;
            }
            let newest = c.newest.entry(table.to_string()).or_default();
            if updated > *newest {
                newest.clone_from(&updated);
            }
            c.seen.insert(id, seen);
            tickets.extend(self.parse(table, kind, v));
        }
        let more = match (rows.last(), c.after_id.is_some()) {
            // Within a second: on after the last sys_id read, then after the second.
            (Some(last), true) => {
                let next = text(&last["sys_id"]);
                if c.after_id.as_deref().is_some_and(|before| !before.is_empty() && next.as_str() <= before) {
                    return Err(ItsmError::Refused(format!("SimpleOne answered {table} records at or before sys_id {next} again; the pull stops rather than loop")));
                }
                c.after_id = Some(next);
                true
            }
            (None, true) => {
                c.after_id = None;
                true
            }
            // After a second: the page's last second is read again by sys_id (a page may end
            // in the middle of it), the records of it already seen being skipped.
            (Some(last), false) => {
                let next = text(&last["sys_updated_at"]);
                if !c.from.is_empty() && next <= c.from {
                    return Err(ItsmError::Refused(format!(
                        "SimpleOne answered {table} records changed at or before {next} to a query for later ones; the pull stops rather than loop"
                    )));
                }
                c.from = next;
                c.after_id = Some(String::new());
                true
            }
            // Nothing after: this table is done; the next, or the round is over and the next
            // one starts at each table's newest change, less the overlap.
            (None, false) => {
                c.table = (c.table + 1) % TABLES.len();
                c.from = since(c.newest.get(TABLES[c.table].0));
                c.table != 0
            }
        };
        // Remember only what the next reads can return again.
        let oldest = c.newest.values().map(|n| since(Some(n))).min().unwrap_or_default().min(c.from.clone());
        c.seen.retain(|_, (at, _)| *at >= oldest);
        let cursor = serde_json::to_string(&c).map_err(|e| ItsmError::Refused(e.to_string()))?;
        // SimpleOne's pull reads by the time of the last change, open and done alike.
        Ok(ChangePage { tickets, cursor, more, ..Default::default() })
    }

    fn ticket(&mut self, id: &str) -> Result<RemoteTicket, ItsmError> {
        self.load()?;
        let (table, kind, sys_id) = split(id)?;
        let rows = self.get(&format!("{table}/{sys_id}"), &[("sysparm_fields", FIELDS.into()), ("sysparm_exclude_reference_link", "1".into())])?;
        let v = rows.first().ok_or_else(|| ItsmError::Refused(format!("SimpleOne has no {table} record {sys_id}")))?;
        self.parse(table, kind, v)
            .ok_or_else(|| ItsmError::Refused(format!("SimpleOne record {} is no longer the desk's (its group or state is not one of the lines')", text(&v["number"]))))
    }

    fn write(&mut self, id: &str, version: &str, changes: &[Change]) -> Result<WriteOutcome, ItsmError> {
        let (table, _, sys_id) = split(id)?;
        // No conditional write in SimpleOne: compare the version just before writing.
        if self.ticket(id)?.version.as_deref() != Some(version) {
            return Ok(WriteOutcome::Stale);
        }
        let c = self.choices[table].clone();
        let value_of = |list: &[(String, Level)], l: Level, what: &str| -> Result<String, String> {
            list.iter().find(|(_, x)| *x == l).map(|x| x.0.clone()).ok_or_else(|| format!("SimpleOne's {table} offers no {what} '{l}'"))
        };
        let mut body = serde_json::Map::new();
        for change in changes {
            let field = match change {
                Change::Urgency(l) => value_of(&c.urgency, *l, "urgency").map(|v| ("urgency", json!(v))),
                Change::Impact(l) => value_of(&c.impact, *l, "impact").map(|v| ("impact", json!(v))),
                Change::Status(s) => c.state.iter().find(|(_, x)| x == s).map(|x| ("state", json!(x.0))).ok_or_else(|| format!("SimpleOne's {table} has no state '{s}'")),
                Change::Line(l) => {
                    self.groups.iter().find(|(_, x)| *x == l).map(|(g, _)| ("assignment_group", json!(g))).ok_or_else(|| format!("SimpleOne has no group 'Line {}'", l.number()))
                }
                Change::Owner(None) => Ok(("assigned_user", Value::Null)),
                Change::Owner(Some(login)) => match self.user_id(login)? {
                    Some(u) => Ok(("assigned_user", json!(u))),
                    None => Err(format!("SimpleOne has no user '{login}'")),
                },
            };
            match field {
                Ok((name, value)) => {
                    body.insert(name.into(), value);
                }
                Err(why) => return Ok(WriteOutcome::Refused(why)),
            }
        }
        let url = format!("{}/rest/v1/table/{table}/{sys_id}", self.base);
        let body = Value::Object(body);
        let (status, v) = json_of(self.send(ATTEMPTS, |c| c.patch(&url).json(&body))?)?;
        if !status.is_success() || v["status"] != "OK" {
            return Ok(WriteOutcome::Refused(message(&v, status)));
        }
        Ok(WriteOutcome::Done)
    }

    fn comment_once(&mut self, id: &str, op_id: &str, body: &str) -> Result<bool, ItsmError> {
        let (table, _, sys_id) = split(id)?;
        let tag = format!("[smena op {op_id}]");
        let query = format!("record_id={sys_id}^type_id.name=work_notes.{table}^contentLIKE{tag}");
        if !self.get("sys_activity_feed_item", &[("sysparm_query", query), ("sysparm_fields", "sys_id".into()), ("sysparm_limit", "1".into())])?.is_empty() {
            return Ok(false);
        }
        let url = format!("{}/rest/v1/table/{table}/{sys_id}", self.base);
        // The comment for the caller, and the tag in a work note of the same write (the caller
        // is not shown it): one update, so both are there or neither.
        let payload = json!({ "additional_comments": body, "work_notes": tag });
        // Never repeated blindly: if the answer is lost, the next sync looks for the tag first.
        let (status, v) = json_of(self.send(1, |c| c.patch(&url).json(&payload))?)?;
        if !status.is_success() || v["status"] != "OK" {
            return Err(ItsmError::Refused(message(&v, status)));
        }
        Ok(true)
    }

    fn comments(&mut self, cursor: &str) -> Result<CommentPage, ItsmError> {
        // The activity feed's entries of the tickets' comment journals, by sys_id (which
        // grows with time), after the cursor's.
        let feed = "sys_activity_feed_item";
        if cursor.is_empty() {
            let rows = self.get(feed, &[("sysparm_query", "ORDERBYDESCsys_id".into()), ("sysparm_fields", "sys_id".into()), ("sysparm_limit", "1".into())])?;
            let top = rows.first().map(|r| text(&r["sys_id"])).unwrap_or_default();
            return Ok(CommentPage { comments: Vec::new(), cursor: format!("feed:{top}"), more: false });
        }
        let after = cursor.strip_prefix("feed:").ok_or_else(|| ItsmError::Refused(format!("cursor '{cursor}' is not one this connector wrote")))?.to_string();
        let types = TABLES.map(|(t, _)| format!("additional_comments.{t}")).join("@");
        let query = if after.is_empty() { format!("type_id.nameIN{types}^ORDERBYsys_id") } else { format!("type_id.nameIN{types}^sys_id>{after}^ORDERBYsys_id") };
        let rows = self.get(
            feed,
            &[
                ("sysparm_query", query),
                ("sysparm_fields", "sys_id,record_id,type_id.name,content,sys_created_at,sys_created_by".into()),
                ("sysparm_exclude_reference_link", "1".into()),
                ("sysparm_limit", PAGE.to_string()),
            ],
        )?;
        if rows.windows(2).any(|w| text(&w[0]["sys_id"]) >= text(&w[1]["sys_id"])) || rows.first().is_some_and(|r| !after.is_empty() && text(&r["sys_id"]) <= after) {
            return Err(ItsmError::Refused("SimpleOne did not answer the activity feed in sys_id order after the cursor; the pull stops rather than loop".into()));
        }
        let mut comments = Vec::new();
        for v in &rows {
            // Smena's own comments were written by the account it logs in with.
            if text(&v["sys_created_by"]) == self.user {
                continue;
            }
            let Some(table) = text(&v["type_id.name"]).strip_prefix("additional_comments.").map(str::to_string) else { continue };
            let content: Value = serde_json::from_str(&text(&v["content"])).unwrap_or(Value::Null);
            let message = &content["message"];
            let body = message.as_str().map(str::to_string).unwrap_or_else(|| text(&message["display_value"]));
            let Some(at) = time_of(&v["sys_created_at"]) else { continue };
            comments.push(RemoteComment { ticket: format!("{table}:{}", text(&v["record_id"])), id: text(&v["sys_id"]), at, author: text(&v["sys_created_by"]), body });
        }
        let cursor = rows.last().map_or(after, |r| text(&r["sys_id"]));
        Ok(CommentPage { comments, cursor: format!("feed:{cursor}"), more: !rows.is_empty() })
    }
}

/// A record's fields as read, as a short stable text (64-bit FNV-1a of its JSON).
fn fingerprint(v: &Value) -> String {
    let hash = v.to_string().bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("{hash:016x}")
}

/// Where a round reads a table from: its newest change less the overlap (everything when
/// nothing was pulled yet).
fn since(newest: Option<&String>) -> String {
    newest.and_then(|n| NaiveDateTime::parse_from_str(n, TIME).ok()).map(|t| (t - chrono::Duration::seconds(OVERLAP_SECONDS)).format(TIME).to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_map_to_the_desks_words_and_the_overlap_reaches_back() {
        assert_eq!(status_of("In Progress"), Some(Status::InProgress));
        assert_eq!(status_of("Rejected by User"), Some(Status::RejectedByUser));
        assert_eq!(status_of("Postponed"), None, "not one of the desk's eight");
        assert_eq!(level_of("Very High"), Some(Level::VeryHigh));
        assert_eq!(priority_of("Moderate"), Some(Priority::Medium));
        assert_eq!(since(Some(&"2026-11-28 09:00:03".to_string())), "2026-11-28 08:59:03");
        assert_eq!(status_of("В работе"), Some(Status::InProgress), "Russian titles too");
        assert_eq!(level_of("Очень высокая"), Some(Level::VeryHigh));
        assert_eq!(since(None), "");
        assert_eq!(reference(&json!({"value": "155931135900000001", "link": "http://x/rest/v1/table/user/155931135900000001"})), "155931135900000001");
        assert_eq!(reference(&json!("7")), "7");
        assert_eq!(fingerprint(&json!({"state": "2"})), fingerprint(&json!({"state": "2"})));
        assert_ne!(fingerprint(&json!({"state": "2"})), fingerprint(&json!({"state": "3"})));
        let (table, kind, id) = split("itsm_request:166031411802010329").unwrap();
        assert_eq!((table, kind, id), ("itsm_request", Kind::Request, "166031411802010329"));
        assert!(split("task:1").is_err());
        assert_eq!(message(&json!({"status": "ERROR", "errors": [{"message": "Invalid value"}]}), StatusCode::BAD_REQUEST), "Invalid value (HTTP 400)");
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    /// A connector whose instance's groups and choices were read: parsing needs no network.
    fn loaded() -> SimpleOne {
        let mut s = SimpleOne::new("http://127.0.0.1:9", "sync", "password").unwrap();
        s.groups.insert("g1".into(), Line::FIRST);
        let c = Choices {
            state: vec![("1".into(), Status::Registered), ("2".into(), Status::InProgress)],
            urgency: vec![("1".into(), Level::High), ("3".into(), Level::Medium)],
            impact: vec![("1".into(), Level::High), ("3".into(), Level::Medium)],
            priority: vec![("2".into(), Priority::High)],
        };
        for (table, _) in TABLES {
            s.choices.insert(table, c.clone());
        }
        s
    }

    proptest! {
        #![proptest_config(crate::fuzz::config())]

        /// SimpleOne's records, truncated, wrong-typed or with extreme dates: the desk's
        /// ticket or nothing; never a panic, never a time off the calendar.
        #[test]
        fn fuzz_simpleone_records_parse_or_are_left_out(v in crate::fuzz::json(), state in crate::fuzz::text(), at in crate::fuzz::text(), cursor in crate::fuzz::text()) {
            let s = loaded();
            let mut record = serde_json::json!({ "sys_id": "a1", "number": "INC1", "state": "1", "urgency": "1", "impact": "3", "assignment_group": "g1", "sys_created_at": "2026-11-28 09:00:00" });
            record["state"] = state.clone().into();
            record["sys_updated_at"] = at.into();
            for answer in [&v, &record] {
                for (table, kind) in TABLES {
                    if let Some(t) = s.parse(table, kind, answer) {
                        prop_assert!(crate::input::sane(t.created).is_some() && crate::input::sane(t.updated).is_some());
                    }
                }
                let _ = fingerprint(answer);
                let _ = message(answer, StatusCode::BAD_REQUEST);
            }
            let _ = split(&state);
            let _ = since(Some(&cursor));
            let _ = serde_json::from_str::<Cursor>(&v.to_string());
        }
    }
}

//! Two-way sync with the central ITSM: a connector per ITSM (Request Tracker 5 over REST2,
//! SimpleOne over its Table API), the engine that pushes the outbox and pulls changes,
//! conflicts kept for the user, and the credentials in the OS keyring.
//!
//! Writes are read-compare-write: before an operation is sent, the ticket is read from the
//! ITSM; when the operation's field there still holds the value the operation was based on,
//! the change is written with the version just read as a precondition (RT: `If-Match` on the
//! ETag); when it already holds our value, the operation counts as applied (a retry after an
//! unknown outcome never applies twice); otherwise it is a conflict, kept with both values.

mod connect;
pub mod credentials;
pub mod engine;
pub mod fields;
pub mod rt;
pub mod simpleone;
pub mod status;

pub use connect::{check, connect, connection, connector, forget, remember, sync_connected, ConnectError, Forgotten, ItsmKind};

use crate::domain::{Kind, Level, Line, Priority, Status};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A ticket as the ITSM holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteTicket {
    /// The ITSM's id (what the connector finds the ticket by again).
    pub id: String,
    /// The number people know it by (`RT-12`, `INC0000012`): the replica's number for it.
    pub number: String,
    /// Subject.
    pub subject: String,
    /// Status.
    pub status: Status,
    /// Urgency.
    pub urgency: Level,
    /// Impact.
    pub impact: Level,
    /// Line (the RT queue `Line N`).
    pub line: Line,
    /// Owner's ITSM login, if any.
    pub owner: Option<String>,
    /// The priority the ITSM computed with its own matrix, where it has one.
    pub priority: Option<Priority>,
    /// Incident or request.
    pub kind: Kind,
    /// The requester's address, if any.
    pub requestor: Option<String>,
    /// Created.
    pub created: DateTime<Utc>,
    /// Last changed.
    pub updated: DateTime<Utc>,
    /// The version a write must be based on (RT: the ETag), when it was read one by one.
    pub version: Option<String>,
    /// The ticket's changes as the ITSM recorded them, oldest first, when the connector reads
    /// them (all of them on a first read, those after the cursor on a delta); none when the
    /// ITSM's API gives no change log.
    pub history: Option<Vec<RemoteEvent>>,
    /// The fields read through the ITSM's field mapping ([`fields`]).
    pub fields: TicketFields,
}

/// A ticket's fields that an ITSM keeps where its field mapping says; each none where the
/// ITSM has no value for it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketFields {
    /// The client's name.
    pub client: Option<String>,
    /// The channel it came through.
    pub channel: Option<crate::domain::Channel>,
    /// The service or category.
    pub service: Option<String>,
    /// A service request's type (a code or a name of the service-request model).
    pub request_type: Option<String>,
    /// What the requester wrote when filing it.
    pub description: Option<String>,
    /// Why it was completed (RT: the custom field `Closure code`).
    #[serde(default)]
    pub closure_code: Option<crate::domain::ClosureCode>,
}

/// A person of one of the ITSM's line groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemotePerson {
    /// Login.
    pub login: String,
    /// Full name, as the ITSM gives it.
    pub name: String,
    /// The line whose group they are in (the highest, if in several).
    pub line: Line,
}

/// One change in a ticket's life, with the ITSM's own id, time and actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteEvent {
    /// The ITSM's id of the change (RT: the transaction id): a change stored once stays once.
    pub id: String,
    /// When the ITSM recorded it.
    pub at: DateTime<Utc>,
    /// Who made it (the ITSM's login).
    pub actor: String,
    /// What changed.
    pub change: RemoteChange,
}

/// What a [`RemoteEvent`] changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RemoteChange {
    /// The ticket was registered.
    Created,
    /// Status, from (none: not one of the desk's) to.
    Status(Option<Status>, Status),
    /// Line, from (none: a queue that is not a line) to.
    Line(Option<Line>, Line),
    /// Owner's login, from to (none: nobody).
    Owner(Option<String>, Option<String>),
    /// Urgency, from to.
    Urgency(Level, Level),
    /// Impact, from to.
    Impact(Level, Level),
    /// A reply to the requester (RT: Correspond): the desk's response.
    Replied,
}

/// One page of changes.
#[derive(Debug, Clone, Default)]
pub struct ChangePage {
    /// Which part of the pull the page belongs to.
    pub phase: PullPhase,
    /// Tickets changed (each at most once per page).
    pub tickets: Vec<RemoteTicket>,
    /// Where the next pull continues from once this page is stored.
    pub cursor: String,
    /// More pages wait.
    pub more: bool,
    /// Total to pull, when the ITSM says (for progress).
    pub total: Option<u64>,
    /// Where a backfill of the history begins, when this page is the open queue's last: the
    /// engine keeps that cursor apart from the changes' and walks it between deltas.
    pub backfill: Option<String>,
}

/// Which part of a pull a page belongs to. A first pull brings the tickets that are not done
/// first, so the queue, the at-risk list and the deadlines are whole as soon as that part
/// ends; then the changes since it began, and the done ones newest first (the history, a
/// backfill of its own between deltas); every later pull brings the changes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export_to = "sync.ts")]
pub enum PullPhase {
    /// The first pull's tickets that are not done.
    OpenQueue,
    /// The done tickets, newest first: the history the reports read.
    History,
    /// The changes since the last pull.
    #[default]
    Changes,
}

/// A comment someone wrote in the ITSM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteComment {
    /// The ticket's id in the ITSM (as [`RemoteTicket::id`]).
    pub ticket: String,
    /// The comment's own id in the ITSM.
    pub id: String,
    /// When it was written.
    pub at: DateTime<Utc>,
    /// Who wrote it (their ITSM login).
    pub author: String,
    /// The text.
    pub body: String,
}

/// One page of comments written in the ITSM.
#[derive(Debug, Clone, Default)]
pub struct CommentPage {
    /// The comments, oldest first; Smena's own are left out.
    pub comments: Vec<RemoteComment>,
    /// Where the next read continues from once this page is stored.
    pub cursor: String,
    /// More pages wait.
    pub more: bool,
}

/// A field an operation writes, with its value as text (the ITSM's own words are the
/// connector's business).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Urgency.
    Urgency(Level),
    /// Impact.
    Impact(Level),
    /// Owner (none = nobody).
    Owner(Option<String>),
    /// Status.
    Status(Status),
    /// Line (queue).
    Line(Line),
}

impl Change {
    /// The field's name.
    pub fn field(&self) -> &'static str {
        match self {
            Change::Urgency(_) => "urgency",
            Change::Impact(_) => "impact",
            Change::Owner(_) => "assignee",
            Change::Status(_) => "status",
            Change::Line(_) => "line",
        }
    }

    /// The value as text.
    pub fn value(&self) -> String {
        match self {
            Change::Urgency(l) | Change::Impact(l) => l.as_str().to_string(),
            Change::Owner(o) => o.clone().unwrap_or_default(),
            Change::Status(s) => s.as_str().to_string(),
            Change::Line(l) => l.number().to_string(),
        }
    }

    /// The same field's value on a remote ticket.
    pub fn on(&self, t: &RemoteTicket) -> Change {
        match self {
            Change::Urgency(_) => Change::Urgency(t.urgency),
            Change::Impact(_) => Change::Impact(t.impact),
            Change::Owner(_) => Change::Owner(t.owner.clone()),
            Change::Status(_) => Change::Status(t.status),
            Change::Line(_) => Change::Line(t.line),
        }
    }
}

/// What the ITSM said to a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteOutcome {
    /// Done.
    Done,
    /// The precondition failed: the ticket changed since it was read.
    Stale,
    /// Refused, with the ITSM's reason (RT reports most refusals inside a 200).
    Refused(String),
}

/// Why talking to the ITSM failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ItsmError {
    /// Not reachable, timed out, cut off, or answered 5xx/429 or garbage: try again later.
    #[error("the ITSM is not reachable: {0}")]
    Unreachable(String),
    /// The credentials were refused (after logging in again, where the ITSM allows it).
    #[error("the ITSM refused the credentials: {0}")]
    Unauthorized(String),
    /// The ITSM refused the request itself (4xx), with its reason.
    #[error("the ITSM refused: {0}")]
    Refused(String),
}

/// Attempts for a request that met a 5xx, 429 or a network error.
const ATTEMPTS: u32 = 3;

/// Requests a connector sends at once where the ITSM serves them side by side, unless the
/// connection says otherwise; and the most it may.
pub const DEFAULT_PARALLEL: usize = 4;
/// See [`DEFAULT_PARALLEL`].
pub const MAX_PARALLEL: usize = 16;

/// The largest answer Smena reads from the ITSM: a page of a hundred tickets with their
/// fields is well under a megabyte; an endless body ends the sync instead of the memory.
pub const MAX_ANSWER_BYTES: u64 = 64 << 20;

/// The proxy for a remote HTTPS ITSM, only when the user names one (`SMENA_ITSM_PROXY`).
/// The system's `http_proxy` and the like are not used: the secret goes to the ITSM, not
/// to whatever a variable in the environment points at.
pub const PROXY_VARIABLE: &str = "SMENA_ITSM_PROXY";

/// How long to wait for the ITSM at `url`: to connect, and for a whole answer.
/// `SMENA_ITSM_TIMEOUT` (seconds) shortens the second for tests of a server that stops
/// answering. No proxy, unless the ITSM is remote, over HTTPS, and the user set one.
fn http_client(url: &str) -> Result<reqwest::blocking::Client, ItsmError> {
    let secs = std::env::var("SMENA_ITSM_TIMEOUT").ok().and_then(|s| s.parse().ok()).unwrap_or(30);
    let builder = reqwest::blocking::Client::builder()
        // A redirect would carry the request (a login's password too) to wherever it points.
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(std::time::Duration::from_secs(5))
        .timeout(std::time::Duration::from_secs(secs));
    let remote_https = reqwest::Url::parse(url).is_ok_and(|u| u.scheme() == "https" && !connect::is_this_machine(&u));
    let builder = match std::env::var(PROXY_VARIABLE).ok().filter(|p| !p.trim().is_empty()) {
        Some(proxy) if remote_https => builder.proxy(reqwest::Proxy::all(proxy.trim()).map_err(|e| ItsmError::Refused(format!("{PROXY_VARIABLE}: {}", e.without_url())))?),
        _ => builder.no_proxy(),
    };
    builder.build().map_err(|e| ItsmError::Unreachable(e.to_string()))
}

/// Pause before retry `n` (0-based): 0.5 s, 1 s, 2 s … with up to 25 % jitter.
fn default_backoff(n: u32) -> std::time::Duration {
    let base = 500u64 << n.min(5);
    let jitter = u64::from(Utc::now().timestamp_subsec_nanos()) % (base / 4 + 1);
    std::time::Duration::from_millis(base + jitter)
}

/// Sends with up to `tries` attempts (one for requests that must not be repeated blindly),
/// waiting `backoff` between them, or what the ITSM's Retry-After asks (up to a minute); a
/// network error, 5xx or 429 is tried again, any other answer (401 too) is the caller's.
fn send_retrying(
    http: &reqwest::blocking::Client,
    tries: u32,
    backoff: fn(u32) -> std::time::Duration,
    build: &dyn Fn(&reqwest::blocking::Client) -> reqwest::blocking::RequestBuilder,
) -> Result<reqwest::blocking::Response, ItsmError> {
    let mut last = String::new();
    // The pause the ITSM asked for with Retry-After (seconds, up to a minute), else ours.
    let mut asked: Option<std::time::Duration> = None;
    for attempt in 0..tries {
        if attempt > 0 {
            std::thread::sleep(asked.take().unwrap_or_else(|| backoff(attempt - 1)));
        }
        match build(http).send() {
            Err(e) => last = e.without_url().to_string(),
            Ok(r) if r.status().is_server_error() || r.status() == reqwest::StatusCode::TOO_MANY_REQUESTS => {
                last = format!("HTTP {}", r.status());
                asked = r
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .filter(|s| *s <= 60)
                    .map(std::time::Duration::from_secs);
            }
            Ok(r) if r.status().is_redirection() => {
                let to = r.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or("elsewhere").to_string();
                return Err(ItsmError::Refused(format!("the ITSM redirects to {to}; Smena does not follow redirects with credentials (connect to that URL)")));
            }
            Ok(r) => return Ok(r),
        }
    }
    Err(ItsmError::Unreachable(last))
}

/// Reads a JSON body of at most [`MAX_ANSWER_BYTES`]; a body cut short or not JSON is the
/// network's fault, not the ticket's.
fn json_of(r: reqwest::blocking::Response) -> Result<(reqwest::StatusCode, serde_json::Value), ItsmError> {
    use std::io::Read;
    let status = r.status();
    let mut bytes = Vec::new();
    r.take(MAX_ANSWER_BYTES + 1).read_to_end(&mut bytes).map_err(|e| ItsmError::Unreachable(format!("the answer was cut off: {e}")))?;
    if bytes.len() as u64 > MAX_ANSWER_BYTES {
        return Err(ItsmError::Refused(format!("the ITSM's answer is larger than {} MiB; the sync stops rather than hold it", MAX_ANSWER_BYTES >> 20)));
    }
    let value = serde_json::from_slice(&bytes).map_err(|_| ItsmError::Unreachable(format!("HTTP {status} with a body that is not JSON")))?;
    Ok((status, value))
}

/// The most pages one read may walk: a feed that never says it has ended stops the sync.
pub const MAX_PAGES: u32 = 100_000;

/// An ITSM connector.
pub trait ItsmApi {
    /// Checks the URL and credentials (logs in where the ITSM has a login).
    fn check(&mut self) -> Result<(), ItsmError>;
    /// One page of tickets changed after `cursor` (empty: everything).
    fn changes(&mut self, cursor: &str) -> Result<ChangePage, ItsmError>;
    /// One ticket, with its current version.
    fn ticket(&mut self, id: &str) -> Result<RemoteTicket, ItsmError>;
    /// One ticket with its recorded life and every mapped field, as a pull reads it.
    fn ticket_with_life(&mut self, id: &str) -> Result<RemoteTicket, ItsmError> {
        self.ticket(id)
    }
    /// Writes fields, based on `version`.
    fn write(&mut self, id: &str, version: &str, changes: &[Change]) -> Result<WriteOutcome, ItsmError>;
    /// Adds a comment tagged with `op_id`, unless a comment with that tag is already there
    /// (a retry after an unknown outcome); true when it was added now.
    fn comment_once(&mut self, id: &str, op_id: &str, body: &str) -> Result<bool, ItsmError>;
    /// Comments written by others after `cursor`; an empty cursor starts from now (the
    /// comments written before the replica was connected stay in the ITSM).
    fn comments(&mut self, cursor: &str) -> Result<CommentPage, ItsmError>;
    /// The people of the line groups (none where the connector cannot read them).
    fn people(&mut self) -> Result<Vec<RemotePerson>, ItsmError> {
        Ok(Vec::new())
    }
}

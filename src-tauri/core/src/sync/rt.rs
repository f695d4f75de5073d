//! Request Tracker 5 over REST2: queues `Line 1..3` are the lines, the select custom fields
//! `Urgency`, `Impact` and `Kind` carry the matrix and the kind, the `smena` lifecycle has the
//! eight statuses (RT spells `in-progress` as `in progress`), the owner is the assignee.
//! Changes are read from the transaction feed (its cursor is a transaction id: no clock
//! involved); every write carries `If-Match` with the ETag just read; refusals that RT
//! reports inside a 200 are read from its messages.
//!
//! Each ticket comes with its life from RT's own transactions ([`RemoteEvent`]): on the first
//! read all of them (one query per page of tickets), on a delta those the feed brings.

use super::{
    default_backoff, http_client, json_of, send_retrying, Change, ChangePage, CommentPage, ItsmApi, ItsmError, PullPhase, RemoteChange, RemoteComment, RemoteEvent, RemotePerson,
    RemoteTicket, WriteOutcome, ATTEMPTS,
};
use crate::domain::{Kind, Level, Line, Status};
use chrono::{DateTime, Utc};
use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use super::fields::{RtFields, REQUESTER_ORGANIZATION};

/// Tickets per listing page, and ids per batch read: REST2's largest page.
const PAGE: usize = 100;

/// Tickets per page of a first pull's listings, when not [`PAGE`]: `SMENA_RT_PAGE` (1–100),
/// which the tests set small to walk a backfill of a few tickets in several pages.
fn listing_page_size() -> usize {
    std::env::var("SMENA_RT_PAGE").ok().and_then(|s| s.parse().ok()).filter(|n| (1..=PAGE).contains(n)).unwrap_or(PAGE)
}

/// A Request Tracker 5 server.
pub struct Rt {
    rest: String,
    token: String,
    http: Client,
    queues: HashMap<String, Line>,
    /// Logins by RT user id (none: Nobody), as transactions name owners by id.
    users: HashMap<String, Option<String>>,
    /// Custom field names by id, as transactions name them by id.
    custom_fields: HashMap<String, String>,
    /// Where the fields RT does not model as Smena does are read.
    mapping: RtFields,
    /// Requesters' organisations by login, read once.
    organizations: HashMap<String, Option<String>>,
    /// Tickets per page of a first pull's listings.
    listing: usize,
    /// Requests sent at once where RT can serve them side by side.
    parallel: usize,
    /// The next page of a first pull's listing, asked while the page before it was read:
    /// the listing's query and RT's answer.
    prefetched: Option<(String, Value)>,
    /// Pause before retry `n` (0-based); tests make it short.
    pub backoff: fn(u32) -> Duration,
}

impl Rt {
    /// A connector for the RT at `url` (e.g. `http://127.0.0.1:8391`) with an auth token.
    pub fn new(url: &str, token: &str) -> Result<Rt, ItsmError> {
        Ok(Rt {
            rest: format!("{}/REST/2.0", url.trim_end_matches('/')),
            token: token.to_string(),
            http: http_client(url)?,
            queues: HashMap::new(),
            users: HashMap::new(),
            custom_fields: HashMap::new(),
            mapping: RtFields::default(),
            organizations: HashMap::new(),
            listing: listing_page_size(),
            parallel: super::DEFAULT_PARALLEL,
            prefetched: None,
            backoff: default_backoff,
        })
    }

    /// The connector sending up to `n` requests at once (1 to [`super::MAX_PARALLEL`]).
    pub fn with_parallel(mut self, n: usize) -> Rt {
        self.parallel = n.clamp(1, super::MAX_PARALLEL);
        self
    }

    /// The connector reading fields through `mapping`.
    pub fn with_fields(mut self, mapping: RtFields) -> Rt {
        self.mapping = mapping;
        self
    }

    fn send(&self, build: impl Fn(&Client) -> RequestBuilder) -> Result<Response, ItsmError> {
        self.send_tries(ATTEMPTS, build)
    }

    /// Sends with up to `tries` attempts (one for requests that must not be repeated blindly).
    fn send_tries(&self, tries: u32, build: impl Fn(&Client) -> RequestBuilder) -> Result<Response, ItsmError> {
        authorized(&self.http, &self.token, tries, self.backoff, build)
    }

    fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Value, ItsmError> {
        let url = format!("{}{path}", self.rest);
        self.read(|c| c.get(&url).query(query))
    }

    /// GETs `requests` (path, query), up to [`Rt::parallel`] at once; the answers in order.
    fn get_all(&self, requests: &[(String, Vec<(&str, String)>)]) -> Result<Vec<Value>, ItsmError> {
        let mut out = Vec::with_capacity(requests.len());
        for group in requests.chunks(self.parallel.max(1)) {
            if let [(path, query)] = group {
                out.push(self.get(path, query));
                continue;
            }
            std::thread::scope(|s| {
                let running: Vec<_> = group.iter().map(|(path, query)| s.spawn(move || self.get(path, query))).collect();
                for r in running {
                    out.push(r.join().unwrap_or_else(|_| Err(ItsmError::Unreachable("a request's thread failed".into()))));
                }
            });
        }
        out.into_iter().collect()
    }

    /// A search that REST2 takes as JSON in a POST (a read: safe to repeat).
    fn search(&self, path: &str, query: &[(&str, String)], body: &Value) -> Result<Value, ItsmError> {
        let url = format!("{}{path}", self.rest);
        self.read(|c| c.post(&url).query(query).json(body))
    }

    /// Sends a read and takes its JSON answer; anything but success is a refusal.
    fn read(&self, build: impl Fn(&Client) -> RequestBuilder) -> Result<Value, ItsmError> {
        read_as(&self.http, &self.token, self.backoff, build)
    }

    fn load_queues(&mut self) -> Result<(), ItsmError> {
        if !self.queues.is_empty() {
            return Ok(());
        }
        let v = self.get("/queues/all", &[("fields", "Name".into()), ("per_page", "100".into())])?;
        for q in v["items"].as_array().into_iter().flatten() {
            let name = q["Name"].as_str().unwrap_or_default();
            if let Some(n) = name.strip_prefix("Line ").and_then(|n| n.trim().parse::<u8>().ok()).and_then(|n| Line::try_from(n).ok()) {
                self.queues.insert(id_of(&q["id"]), n);
            }
        }
        if self.queues.is_empty() {
            return Err(ItsmError::Refused("RT has no queues named 'Line 1', 'Line 2', 'Line 3'".into()));
        }
        Ok(())
    }

    fn parse(&self, v: &Value, version: Option<String>) -> Result<RemoteTicket, ItsmError> {
        let id = id_of(&v["id"]);
        let bad = |what: &str| ItsmError::Refused(format!("RT ticket {id}: {what}"));
        let cf = |name: &str| -> Option<String> { v["CustomFields"].as_array()?.iter().find(|f| f["name"] == name)?["values"].as_array()?.first()?.as_str().map(str::to_string) };
        let status_text = v["Status"].as_str().unwrap_or_default();
        let status: Status = status_text.replace(' ', "-").parse().map_err(|_| bad(&format!("status '{status_text}' is not one of the desk's")))?;
        let queue = id_of(&v["Queue"]["id"]);
        let line = *self.queues.get(&queue).ok_or_else(|| bad(&format!("queue {queue} is not a line")))?;
        let owner = v["Owner"]["id"].as_str().filter(|o| *o != "Nobody" && !o.is_empty()).map(str::to_string);
        let m = &self.mapping;
        let fields = super::TicketFields {
            client: (m.client != REQUESTER_ORGANIZATION).then(|| cf(&m.client)).flatten().filter(|c| !c.trim().is_empty()),
            channel: Some(cf(&m.channel_field).and_then(|c| m.channels.get(&c).copied()).unwrap_or(m.default_channel)),
            service: cf(&m.service_field).filter(|s| !s.trim().is_empty()),
            request_type: cf(&m.request_type_field).filter(|s| !s.trim().is_empty()),
            description: None,
            closure_code: cf("Closure code").and_then(|c| c.parse().ok()),
        };
        Ok(RemoteTicket {
            number: format!("RT-{id}"),
            priority: None,
            subject: v["Subject"].as_str().unwrap_or_default().to_string(),
            status,
            urgency: cf("Urgency").map_or(Level::Medium, |s| level_of(&s)),
            impact: cf("Impact").map_or(Level::Medium, |s| level_of(&s)),
            line,
            owner,
            kind: if cf("Kind").as_deref() == Some("Service request") { Kind::Request } else { Kind::Incident },
            requestor: v["Requestor"].as_array().and_then(|a| a.first()).and_then(|r| r["id"].as_str()).map(str::to_string),
            created: time_of(&v["Created"]),
            updated: time_of(&v["LastUpdated"]),
            version,
            id,
            history: None,
            fields,
        })
    }

    /// Tickets by id, read in batches with the fields the replica keeps (those of the lines).
    fn tickets(&mut self, ids: &[String]) -> Result<Vec<RemoteTicket>, ItsmError> {
        let mut out = Vec::new();
        for chunk in ids.chunks(50) {
            let query = chunk.iter().map(|id| format!("id = {id}")).collect::<Vec<_>>().join(" OR ");
            let v = self.get("/tickets", &list_query(format!("({query}) AND ({LINES})"), "ASC", PAGE))?;
            out.extend(self.parse_all(&v));
        }
        Ok(out)
    }

    /// RT's transaction feed after a `tx:N` cursor, narrowed by `filter` (a TicketSQL
    /// condition to AND in, or empty): the page's transactions with `fields`, the cursor after
    /// them, and whether more wait.
    fn feed(&self, cursor: &str, filter: &str, per_page: usize, fields: &str) -> Result<(Vec<Value>, String, bool), ItsmError> {
        let after: u64 = cursor.strip_prefix("tx:").and_then(|n| n.parse().ok()).ok_or_else(|| ItsmError::Refused(format!("cursor '{cursor}' is not one this connector wrote")))?;
        let v = self.get(
            "/transactions",
            &[
                ("query", format!("ObjectType = 'RT::Ticket' AND id > {after}{filter}")),
                ("orderby", "id".into()),
                ("order", "ASC".into()),
                ("per_page", per_page.to_string()),
                ("fields", fields.into()),
            ],
        )?;
        let items = v["items"].as_array().cloned().unwrap_or_default();
        let top = items.iter().filter_map(|t| id_of(&t["id"]).parse::<u64>().ok()).max().unwrap_or(after);
        Ok((items, format!("tx:{top}"), v["next_page"].is_string()))
    }

    /// The login of RT user `id` (none for Nobody), read once.
    fn login(&mut self, id: &str) -> Result<Option<String>, ItsmError> {
        if id.is_empty() || id == "0" {
            return Ok(None);
        }
        if let Some(found) = self.users.get(id) {
            return Ok(found.clone());
        }
        let v = self.get(&format!("/user/{id}"), &[])?;
        let login = v["Name"].as_str().filter(|n| !n.is_empty() && *n != "Nobody").map(str::to_string);
        self.users.insert(id.to_string(), login.clone());
        Ok(login)
    }

    /// The name of custom field `id`, read once.
    fn custom_field(&mut self, id: &str) -> Result<String, ItsmError> {
        if let Some(found) = self.custom_fields.get(id) {
            return Ok(found.clone());
        }
        let v = self.get(&format!("/customfield/{id}"), &[])?;
        let name = v["Name"].as_str().unwrap_or_default().to_string();
        self.custom_fields.insert(id.to_string(), name.clone());
        Ok(name)
    }

    /// One transaction as a change of the desk's, if it is one.
    fn event(&mut self, t: &Value) -> Result<Option<RemoteEvent>, ItsmError> {
        let text = |k: &str| t[k].as_str().unwrap_or_default().to_string();
        let (old, new) = (text("OldValue"), text("NewValue"));
        let status = |s: &str| s.replace(' ', "-").parse::<Status>().ok();
        let field = text("Field");
        let change = match text("Type").as_str() {
            "Create" => Some(RemoteChange::Created),
            "Status" => status(&new).map(|to| RemoteChange::Status(status(&old), to)),
            "Set" if field == "Queue" => self.queues.get(&new).map(|to| RemoteChange::Line(self.queues.get(&old).copied(), *to)),
            "Set" | "Give" | "Take" | "Untake" | "Steal" | "Force" if field == "Owner" => Some(RemoteChange::Owner(self.login(&old)?, self.login(&new)?)),
            "CustomField" => match self.custom_field(&field)?.as_str() {
                "Urgency" => Some(RemoteChange::Urgency(level_of(&old), level_of(&new))),
                "Impact" => Some(RemoteChange::Impact(level_of(&old), level_of(&new))),
                _ => None,
            },
            "Correspond" => Some(RemoteChange::Replied),
            _ => None,
        };
        Ok(change.map(|change| RemoteEvent { id: id_of(&t["id"]), at: time_of(&t["Created"]), actor: t["Creator"]["id"].as_str().unwrap_or_default().to_string(), change }))
    }

    /// The whole recorded life of the tickets `ids`, by ticket id, oldest change first: the
    /// first page of each batch's transactions side by side, then every further page the
    /// first ones announced.
    fn lives(&mut self, ids: &[String]) -> Result<HashMap<String, Vec<RemoteEvent>>, ItsmError> {
        let mut out: HashMap<String, Vec<RemoteEvent>> = ids.iter().map(|id| (id.clone(), Vec::new())).collect();
        let queries: Vec<String> = ids
            .chunks(50)
            .map(|chunk| {
                let tickets = chunk.iter().map(|id| format!("ObjectId = {id}")).collect::<Vec<_>>().join(" OR ");
                format!("ObjectType = 'RT::Ticket' AND ({tickets}) AND ({LIFE})")
            })
            .collect();
        let request = |query: &str, page: u64| {
            let q = vec![
                ("query", query.to_string()),
                ("orderby", "id".into()),
                ("order", "ASC".into()),
                ("per_page", PAGE.to_string()),
                ("page", page.to_string()),
                ("fields", LIFE_FIELDS.into()),
            ];
            ("/transactions".to_string(), q)
        };
        let first = self.get_all(&queries.iter().map(|q| request(q, 1)).collect::<Vec<_>>())?;
        let mut rest = Vec::new();
        for (query, v) in queries.iter().zip(&first) {
            let pages = v["pages"].as_u64().unwrap_or(1).min(u64::from(super::MAX_PAGES));
            rest.extend((2..=pages).map(|page| request(query, page)));
        }
        let rest = self.get_all(&rest)?;
        for v in first.iter().chain(&rest) {
            for t in v["items"].as_array().into_iter().flatten() {
                if let Some(e) = self.event(t)? {
                    out.entry(id_of(&t["ObjectId"])).or_default().push(e);
                }
            }
        }
        // Each batch's pages are in order and the batches hold other tickets: a ticket's
        // changes are in RT's order already; sorted by id all the same, as RT numbers them.
        for life in out.values_mut() {
            life.sort_by_key(|e| e.id.parse::<u64>().unwrap_or(u64::MAX));
        }
        Ok(out)
    }

    /// Gives each ticket its whole recorded life.
    fn with_lives(&mut self, mut tickets: Vec<RemoteTicket>) -> Result<Vec<RemoteTicket>, ItsmError> {
        let ids: Vec<String> = tickets.iter().map(|t| t.id.clone()).collect();
        let mut lives = self.lives(&ids)?;
        for t in &mut tickets {
            t.history = Some(lives.remove(&t.id).unwrap_or_default());
        }
        self.complete(&mut tickets)?;
        Ok(tickets)
    }

    /// The fields read beyond the ticket itself: the client from the requester's
    /// organisation (when the mapping says so), and for a ticket whose creation is in its
    /// history, the description from the message it was created with (the messages of a
    /// page's tickets read in one search rather than one request each).
    fn complete(&mut self, tickets: &mut [RemoteTicket]) -> Result<(), ItsmError> {
        let created = |t: &RemoteTicket| t.history.iter().flatten().find(|e| e.change == RemoteChange::Created).map(|e| e.id.clone());
        let mut messages = self.messages(&tickets.iter().filter_map(created).collect::<Vec<_>>())?;
        for t in tickets {
            if self.mapping.client == REQUESTER_ORGANIZATION {
                if let Some(requestor) = t.requestor.clone() {
                    t.fields.client = self.organization(&requestor)?;
                }
            }
            if let Some(tx) = created(t) {
                t.fields.description = messages.remove(&tx).map(|parts| parts.join("\n").trim().to_string()).filter(|d| !d.is_empty());
            }
        }
        Ok(())
    }

    /// The Organization of RT user `login`, read once.
    fn organization(&mut self, login: &str) -> Result<Option<String>, ItsmError> {
        if let Some(found) = self.organizations.get(login) {
            return Ok(found.clone());
        }
        let v = self.get(&format!("/user/{}", urlencoding(login)), &[])?;
        let found = v["Organization"].as_str().map(str::trim).filter(|o| !o.is_empty()).map(str::to_string);
        self.organizations.insert(login.to_string(), found.clone());
        Ok(found)
    }

    /// The plain-text parts of the messages of transactions `ids`, by transaction, in order.
    fn messages(&self, ids: &[String]) -> Result<HashMap<String, Vec<String>>, ItsmError> {
        let mut out: HashMap<String, Vec<String>> = HashMap::new();
        for chunk in ids.chunks(PAGE) {
            let search = json!([
                {"field": "TransactionId", "operator": "IN", "value": chunk},
                {"field": "ContentType", "value": "text/plain"},
            ]);
            for page in 1..=u64::from(super::MAX_PAGES) {
                let query = [("fields", "TransactionId,Content".to_string()), ("orderby", "id".into()), ("per_page", PAGE.to_string()), ("page", page.to_string())];
                let v = self.search("/attachments", &query, &search)?;
                for a in v["items"].as_array().into_iter().flatten() {
                    if let Some(text) = a["Content"].as_str() {
                        out.entry(id_of(&a["TransactionId"])).or_default().push(text.to_string());
                    }
                }
                if !v["next_page"].is_string() {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// One page of a first pull's `listing`: its tickets past id `from` (after it; before it
    /// for the backfill, which goes newest first), with their lives. While more remain the
    /// cursor goes on in the same listing. After the open queue's last page the pull goes on
    /// in the feed from where it stood when the pull began (`tx:TOP`) and the backfill of the
    /// done tickets begins; after an earlier Smena's listings, in the feed; after the
    /// backfill's, nowhere.
    fn listing_page(&mut self, listing: Listing, from: Option<u64>, top: &str) -> Result<ChangePage, ItsmError> {
        let query = self.listing_query(listing, from);
        let key = format!("{query:?}");
        let v = match self.prefetched.take() {
            Some((asked, v)) if asked == key => v,
            _ => self.get("/tickets", &query)?,
        };
        let ids = v["items"].as_array().into_iter().flatten().filter_map(|t| id_of(&t["id"]).parse::<u64>().ok());
        let last = if listing == Listing::Back { ids.min() } else { ids.max() }.or(from);
        let tickets = self.parse_all(&v);
        // The next page is asked for while this one's lives are read.
        let next = (v["next_page"].is_string() && self.parallel > 1).then(|| self.listing_query(listing, last));
        let tickets = match next {
            Some(next) => {
                let key = format!("{next:?}");
                let (http, url, token, backoff) = (self.http.clone(), format!("{}/tickets", self.rest), self.token.clone(), self.backoff);
                let (tickets, prefetched) = std::thread::scope(|s| {
                    let ahead = s.spawn(move || read_as(&http, &token, backoff, |c| c.get(&url).query(&next)));
                    (self.with_lives(tickets), ahead.join())
                });
                // A failed look-ahead is asked again in its turn.
                if let Ok(Ok(v)) = prefetched {
                    self.prefetched = Some((key, v));
                }
                tickets?
            }
            None => self.with_lives(tickets)?,
        };
        let mut page = ChangePage { tickets, total: v["total"].as_u64(), phase: listing.phase(), ..Default::default() };
        let at = |listing: Listing| format!("{}:{}:{top}", listing.prefix(), last.map_or(String::new(), |id| id.to_string()));
        (page.cursor, page.more) = match (v["next_page"].is_string(), listing) {
            (true, _) => (at(listing), true),
            (false, Listing::Open) => {
                page.backfill = Some(format!("{}::{top}", Listing::Back.prefix()));
                (format!("tx:{top}"), true)
            }
            (false, Listing::Back) => (String::new(), false),
            (false, Listing::Done | Listing::All) => (format!("tx:{top}"), false),
        };
        Ok(page)
    }

    /// The query of `listing`'s page past id `from` (after it; before it for the backfill,
    /// which goes newest first).
    fn listing_query(&self, listing: Listing, from: Option<u64>) -> Vec<(&'static str, String)> {
        let past = match (from, listing) {
            (None, _) => String::new(),
            (Some(id), Listing::Back) => format!("id < {id} AND "),
            (Some(id), _) => format!("id > {id} AND "),
        };
        let order = if listing == Listing::Back { "DESC" } else { "ASC" };
        list_query(format!("{past}({LINES}){}", listing.condition()), order, self.listing)
    }

    /// Where RT's transaction feed stands now.
    fn top_transaction(&self) -> Result<String, ItsmError> {
        let v = self.get("/transactions", &[("query", "id > 0".into()), ("orderby", "id".into()), ("order", "DESC".into()), ("per_page", "1".into())])?;
        Ok(v["items"].as_array().and_then(|a| a.first()).map(|t| id_of(&t["id"])).unwrap_or_else(|| "0".into()))
    }

    /// The page's tickets; one the desk cannot read (a status outside its lifecycle) is left
    /// out rather than stopping the sync for every other ticket.
    fn parse_all(&self, v: &Value) -> Vec<RemoteTicket> {
        v["items"].as_array().into_iter().flatten().filter_map(|item| self.parse(item, None).ok()).collect()
    }
}

/// Sends with the auth token, up to `tries` attempts; a refused token is said as such.
fn authorized(http: &Client, token: &str, tries: u32, backoff: fn(u32) -> Duration, build: impl Fn(&Client) -> RequestBuilder) -> Result<Response, ItsmError> {
    let r = send_retrying(http, tries, backoff, &|c| build(c).header("Authorization", format!("token {token}")))?;
    if r.status() == StatusCode::UNAUTHORIZED {
        return Err(ItsmError::Unauthorized("the auth token was refused (401)".into()));
    }
    Ok(r)
}

/// Sends a read with the auth token and takes its JSON answer; anything but success is a refusal.
fn read_as(http: &Client, token: &str, backoff: fn(u32) -> Duration, build: impl Fn(&Client) -> RequestBuilder) -> Result<Value, ItsmError> {
    let (status, v) = json_of(authorized(http, token, ATTEMPTS, backoff, build)?)?;
    if !status.is_success() {
        return Err(ItsmError::Refused(message(&v, status)));
    }
    Ok(v)
}

/// The transactions that make a ticket's life as the desk counts it.
const LIFE: &str = "Type = 'Create' OR Type = 'Status' OR Type = 'Set' OR Type = 'Give' OR Type = 'Take' OR Type = 'Untake' OR Type = 'Steal' \
    OR Type = 'Force' OR Type = 'CustomField' OR Type = 'Correspond'";

/// What is read of each of them.
const LIFE_FIELDS: &str = "ObjectId,Type,Field,OldValue,NewValue,Created,Creator";

/// The RT groups whose members work each line.
const LINE_GROUPS: [(&str, Line); 3] = [("L1", Line::FIRST), ("L2", Line::SECOND), ("L3", Line::THIRD)];

/// Only the desk's queues are the desk's tickets.
const LINES: &str = "Queue = 'Line 1' OR Queue = 'Line 2' OR Queue = 'Line 3'";

/// The desk's done statuses, and the rest.
const DONE: &str = "Status = 'completed' OR Status = 'closed'";
const NOT_DONE: &str = "Status != 'completed' AND Status != 'closed'";

/// The listings of a first pull and their cursors' prefixes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Listing {
    /// The tickets that are not done.
    Open,
    /// The done ones, newest first: the history's backfill.
    Back,
    /// The done ones, oldest first: a first pull an earlier Smena began, going on as it was.
    Done,
    /// Every ticket: the same, from an earlier Smena still.
    All,
}

impl Listing {
    const ALL: [Listing; 4] = [Listing::Open, Listing::Back, Listing::Done, Listing::All];

    fn prefix(self) -> &'static str {
        match self {
            Listing::Open => "open",
            Listing::Back => "back",
            Listing::Done => "done",
            Listing::All => "list",
        }
    }

    /// The listing's condition, added to the desk's queues.
    fn condition(self) -> String {
        match self {
            Listing::Open => format!(" AND {NOT_DONE}"),
            Listing::Back | Listing::Done => format!(" AND ({DONE})"),
            Listing::All => String::new(),
        }
    }

    fn phase(self) -> PullPhase {
        match self {
            Listing::Open => PullPhase::OpenQueue,
            Listing::Back | Listing::Done | Listing::All => PullPhase::History,
        }
    }
}

/// A listing of tickets matching `query`, by id in `order` (`ASC`, `DESC`), a page of
/// `per_page` with the fields the replica keeps.
fn list_query(query: String, order: &str, per_page: usize) -> Vec<(&'static str, String)> {
    vec![
        ("query", query),
        ("orderby", "id".into()),
        ("order", order.into()),
        ("per_page", per_page.to_string()),
        ("page", "1".into()),
        ("fields", "Subject,Status,Queue,Owner,CustomFields,Requestor,Created,LastUpdated".into()),
    ]
}

/// A login (an e-mail address, often) as one segment of a URL path.
fn urlencoding(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-._~@".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// An id that RT gives as a number in one place and a string in another.
fn id_of(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => String::new(),
    }
}

fn time_of(v: &Value) -> DateTime<Utc> {
    v.as_str().and_then(|s| DateTime::parse_from_rfc3339(s).ok()).and_then(|t| crate::input::sane(t.with_timezone(&Utc))).unwrap_or(DateTime::UNIX_EPOCH)
}

fn message(v: &Value, status: StatusCode) -> String {
    v["message"].as_str().map_or_else(|| format!("HTTP {status}"), |m| format!("{m} (HTTP {})", status.as_u16()))
}

/// The custom fields' value names.
fn level_name(l: Level, impact: bool) -> &'static str {
    match l {
        Level::VeryHigh if impact => "Major incident",
        Level::VeryHigh => "Very high",
        Level::High => "High",
        Level::Medium => "Medium",
        Level::Low => "Low",
        Level::None => "None",
    }
}

fn level_of(s: &str) -> Level {
    match s {
        "Very high" | "Major incident" => Level::VeryHigh,
        "High" => Level::High,
        "Low" => Level::Low,
        "None" => Level::None,
        _ => Level::Medium,
    }
}

/// The messages of a PUT that say something was refused (the rest of the PUT may have applied).
fn refusals(messages: &[String]) -> Vec<String> {
    const SIGNS: [&str; 7] = ["can't", "isn't a valid", "does not exist", "Invalid value", "Permission Denied", "not allowed", "Could not"];
    messages.iter().filter(|m| SIGNS.iter().any(|s| m.contains(s))).cloned().collect()
}

impl ItsmApi for Rt {
    fn check(&mut self) -> Result<(), ItsmError> {
        self.queues.clear();
        self.load_queues()
    }

    fn changes(&mut self, cursor: &str) -> Result<ChangePage, ItsmError> {
        self.load_queues()?;
        // The first pull: the tickets that are not done, by id, remembering where the feed
        // stood before it began; then the feed, and the done tickets newest first beside it.
        if cursor.is_empty() {
            let top = self.top_transaction()?;
            return self.listing_page(Listing::Open, None, &top);
        }
        for listing in Listing::ALL {
            if let Some(rest) = cursor.strip_prefix(listing.prefix()).and_then(|r| r.strip_prefix(':')) {
                let bad = || ItsmError::Refused(format!("cursor '{cursor}' is not one this connector wrote"));
                let (from, top) = rest.split_once(':').ok_or_else(bad)?;
                // An earlier Smena's listing cursor started over when its id did not read.
                let from = match (from.parse(), listing) {
                    (Ok(id), _) => Some(id),
                    (Err(_), Listing::All) => None,
                    (Err(_), _) if from.is_empty() => None,
                    (Err(_), _) => return Err(bad()),
                };
                return self.listing_page(listing, from, top);
            }
        }
        // The feed's transactions are the tickets' changes since the cursor, at RT's times.
        let (items, cursor, more) = self.feed(cursor, "", PAGE, LIFE_FIELDS)?;
        let ids: BTreeSet<u64> = items.iter().filter_map(|t| id_of(&t["ObjectId"]).parse().ok()).collect();
        let mut lives: HashMap<String, Vec<RemoteEvent>> = HashMap::new();
        for t in &items {
            if let Some(e) = self.event(t)? {
                lives.entry(id_of(&t["ObjectId"])).or_default().push(e);
            }
        }
        let mut tickets = self.tickets(&ids.iter().map(u64::to_string).collect::<Vec<_>>())?;
        for t in &mut tickets {
            t.history = Some(lives.remove(&t.id).unwrap_or_default());
        }
        self.complete(&mut tickets)?;
        Ok(ChangePage { tickets, cursor, more, phase: PullPhase::Changes, ..Default::default() })
    }

    fn ticket(&mut self, id: &str) -> Result<RemoteTicket, ItsmError> {
        self.load_queues()?;
        let url = format!("{}/ticket/{id}", self.rest);
        let r = self.send(|c| c.get(&url))?;
        let etag = r.headers().get("etag").and_then(|e| e.to_str().ok()).map(|e| e.trim_matches('"').to_string());
        let (status, v) = json_of(r)?;
        if !status.is_success() {
            return Err(ItsmError::Refused(message(&v, status)));
        }
        self.parse(&v, etag)
    }

    fn ticket_with_life(&mut self, id: &str) -> Result<RemoteTicket, ItsmError> {
        let t = self.ticket(id)?;
        Ok(self.with_lives(vec![t])?.remove(0))
    }

    fn write(&mut self, id: &str, version: &str, changes: &[Change]) -> Result<WriteOutcome, ItsmError> {
        let mut body = json!({});
        let mut fields = serde_json::Map::new();
        for c in changes {
            match c {
                Change::Urgency(l) => {
                    fields.insert("Urgency".into(), json!(level_name(*l, false)));
                }
                Change::Impact(l) => {
                    fields.insert("Impact".into(), json!(level_name(*l, true)));
                }
                Change::Owner(o) => body["Owner"] = json!(o.clone().unwrap_or_else(|| "Nobody".into())),
                Change::Status(s) => body["Status"] = json!(s.as_str().replace('-', " ")),
                Change::Line(l) => body["Queue"] = json!(format!("Line {}", l.number())),
            }
        }
        if !fields.is_empty() {
            body["CustomFields"] = Value::Object(fields);
        }
        let url = format!("{}/ticket/{id}", self.rest);
        let r = self.send(|c| c.put(&url).header("If-Match", format!("\"{version}\"")).json(&body))?;
        if r.status() == StatusCode::PRECONDITION_FAILED {
            return Ok(WriteOutcome::Stale);
        }
        let (status, v) = json_of(r)?;
        if !status.is_success() {
            return Ok(WriteOutcome::Refused(message(&v, status)));
        }
        let messages: Vec<String> = v.as_array().into_iter().flatten().filter_map(|m| m.as_str().map(str::to_string)).collect();
        let refused = refusals(&messages);
        Ok(if refused.is_empty() { WriteOutcome::Done } else { WriteOutcome::Refused(refused.join("; ")) })
    }

    fn comment_once(&mut self, id: &str, op_id: &str, body: &str) -> Result<bool, ItsmError> {
        let tag = format!("smena op {op_id}");
        let mut page = 1u64;
        loop {
            let v = self.get(&format!("/ticket/{id}/history"), &[("fields", "Type,Data".into()), ("per_page", "100".into()), ("page", page.to_string())])?;
            if v["items"].as_array().into_iter().flatten().any(|t| t["Type"] == "Comment" && t["Data"].as_str().is_some_and(|d| d.trim() == tag)) {
                return Ok(false);
            }
            if !v["next_page"].is_string() {
                break;
            }
            page += 1;
            if page > u64::from(super::MAX_PAGES) {
                return Err(ItsmError::Refused(format!("RT's history of ticket {id} keeps announcing a next page after {} pages; the sync stops", super::MAX_PAGES)));
            }
        }
        let url = format!("{}/ticket/{id}/comment", self.rest);
        let payload = json!({ "Subject": tag, "Content": body, "ContentType": "text/plain" });
        // Never repeated blindly: if the answer is lost, the next sync looks for the tag first.
        let (status, v) = json_of(self.send_tries(1, |c| c.post(&url).json(&payload))?)?;
        if !status.is_success() {
            return Err(ItsmError::Refused(message(&v, status)));
        }
        Ok(true)
    }

    fn comments(&mut self, cursor: &str) -> Result<CommentPage, ItsmError> {
        if cursor.is_empty() {
            return Ok(CommentPage { comments: Vec::new(), cursor: format!("tx:{}", self.top_transaction()?), more: false });
        }
        let (items, cursor, more) = self.feed(cursor, " AND (Type = 'Comment' OR Type = 'Correspond')", PAGE, "ObjectId,Created,Creator,Data")?;
        let mut comments = Vec::new();
        for t in &items {
            // Smena's own comments carry their operation's tag as the subject.
            if t["Data"].as_str().is_some_and(|d| d.trim().starts_with("smena op ")) {
                continue;
            }
            let id = id_of(&t["id"]);
            let parts = self.get(&format!("/transaction/{id}/attachments"), &[("fields", "Content,ContentType".into())])?;
            let body =
                parts["items"].as_array().into_iter().flatten().filter(|a| a["ContentType"] == "text/plain").filter_map(|a| a["Content"].as_str()).collect::<Vec<_>>().join("\n");
            comments.push(RemoteComment {
                ticket: id_of(&t["ObjectId"]),
                id,
                at: time_of(&t["Created"]),
                author: t["Creator"]["id"].as_str().unwrap_or_default().to_string(),
                body: body.trim().to_string(),
            });
        }
        Ok(CommentPage { comments, cursor, more })
    }

    fn people(&mut self) -> Result<Vec<RemotePerson>, ItsmError> {
        let groups = self.get("/groups", &[("fields", "Name".into()), ("per_page", PAGE.to_string())])?;
        let mut found: HashMap<String, RemotePerson> = HashMap::new();
        for g in groups["items"].as_array().into_iter().flatten() {
            let Some(line) = LINE_GROUPS.iter().find(|(name, _)| g["Name"] == *name).map(|x| x.1) else { continue };
            let members = self.get(&format!("/group/{}/members", id_of(&g["id"])), &[("per_page", PAGE.to_string())])?;
            for m in members["items"].as_array().into_iter().flatten().filter(|m| m["type"] == "user") {
                let user = self.get(&format!("/user/{}", id_of(&m["id"])), &[])?;
                let Some(login) = user["Name"].as_str().filter(|n| !n.is_empty()).map(str::to_string) else { continue };
                self.users.insert(id_of(&m["id"]), Some(login.clone()));
                let name = user["RealName"].as_str().filter(|n| !n.trim().is_empty()).unwrap_or(&login).to_string();
                let person = found.entry(login.clone()).or_insert(RemotePerson { login, name, line });
                person.line = person.line.max(line);
            }
        }
        let mut people: Vec<RemotePerson> = found.into_values().collect();
        people.sort_by(|a, b| a.login.cmp(&b.login));
        Ok(people)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_read_back_as_written_and_refusals_are_found_among_rts_messages() {
        for l in [Level::VeryHigh, Level::High, Level::Medium, Level::Low, Level::None] {
            assert_eq!(level_of(level_name(l, false)), l);
            assert_eq!(level_of(level_name(l, true)), l);
        }
        let messages = vec!["Ticket 1: Subject changed from 'a' to 'b'".to_string(), "Ticket 1: You can't change status from 'assigned' to 'closed'.".to_string()];
        assert_eq!(refusals(&messages), vec![messages[1].clone()]);
        assert!(refusals(&["Urgency High changed to Very high".to_string()]).is_empty());
        assert_eq!(id_of(&json!(7)), "7");
        assert_eq!(id_of(&json!("7")), "7");
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(crate::fuzz::config())]

        /// RT's answers, truncated, wrong-typed or with extreme dates: a ticket, a refusal
        /// naming it, or nothing; never a panic, never a time off the calendar.
        #[test]
        fn fuzz_rt_answers_parse_or_are_refused(v in crate::fuzz::json(), status in crate::fuzz::text(), created in crate::fuzz::text()) {
            let rt = Rt::new("http://127.0.0.1:9", "token").unwrap();
            let mut ticket = v.clone();
            if let Some(o) = ticket.as_object_mut() {
                o.insert("Status".into(), status.clone().into());
                o.insert("Created".into(), created.into());
            }
            for answer in [&v, &ticket] {
                if let Ok(t) = rt.parse(answer, None) {
                    prop_assert!(crate::input::sane(t.created).is_some() && crate::input::sane(t.updated).is_some());
                }
                let _ = rt.parse_all(answer);
                let _ = message(answer, StatusCode::BAD_REQUEST);
            }
            let _ = refusals(&[status]);
        }
    }
}

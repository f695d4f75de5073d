//! An ITSM in memory for the engine's unit tests: tickets with versions that every write
//! moves on, writes based on an old version refused as stale (RT's 412), and scripted
//! trouble — a change made "by someone else" just before our next write, refusals, an ITSM
//! that does not answer. The real Request Tracker stays the integration test (`tests/sync_rt.rs`).

use crate::sync::{Change, ChangePage, CommentPage, ItsmApi, ItsmError, RemoteTicket, WriteOutcome};
use std::collections::BTreeMap;

/// The fake ITSM.
#[derive(Default)]
pub(super) struct FakeItsm {
    /// Tickets by id.
    pub tickets: BTreeMap<String, RemoteTicket>,
    /// Writes accepted, in order: (ticket, fields).
    pub writes: Vec<(String, Vec<Change>)>,
    /// Comments added: (ticket, op id, body).
    pub comments: Vec<(String, String, String)>,
    /// Before each of the next N writes, someone else changes the ticket (so ours is stale).
    pub interfere: u32,
    /// Refuse every write with this reason.
    pub refuse: Option<String>,
    /// Answer nothing.
    pub down: bool,
    /// Runs before each write is answered (another user acting meanwhile).
    pub on_write: Option<Box<dyn FnMut()>>,
    next_version: u64,
}

impl FakeItsm {
    /// Adds (or replaces) a ticket, with a fresh version.
    pub fn put(&mut self, mut t: RemoteTicket) {
        t.version = Some(self.bump());
        self.tickets.insert(t.id.clone(), t);
    }

    fn bump(&mut self) -> String {
        self.next_version += 1;
        format!("v{}", self.next_version)
    }

    fn reachable(&self) -> Result<(), ItsmError> {
        if self.down {
            Err(ItsmError::Unreachable("connection refused".into()))
        } else {
            Ok(())
        }
    }

    fn get(&self, id: &str) -> Result<&RemoteTicket, ItsmError> {
        self.tickets.get(id).ok_or_else(|| ItsmError::Refused(format!("no ticket {id}")))
    }
}

/// Sets one field of a remote ticket.
pub(super) fn set(t: &mut RemoteTicket, c: &Change) {
    match c {
        Change::Urgency(l) => t.urgency = *l,
        Change::Impact(l) => t.impact = *l,
        Change::Owner(o) => t.owner = o.clone(),
        Change::Status(s) => t.status = *s,
        Change::Line(l) => t.line = *l,
    }
}

impl ItsmApi for FakeItsm {
    fn check(&mut self) -> Result<(), ItsmError> {
        self.reachable()
    }

    fn changes(&mut self, cursor: &str) -> Result<ChangePage, ItsmError> {
        self.reachable()?;
        // One page of everything changed after the cursor (a version number).
        let after: u64 = cursor.trim_start_matches('v').parse().unwrap_or(0);
        let version = |t: &RemoteTicket| t.version.as_deref().unwrap_or("v0").trim_start_matches('v').parse::<u64>().unwrap_or(0);
        let tickets: Vec<RemoteTicket> = self.tickets.values().filter(|t| version(t) > after).cloned().collect();
        Ok(ChangePage { total: Some(tickets.len() as u64), tickets, cursor: format!("v{}", self.next_version), ..Default::default() })
    }

    fn ticket(&mut self, id: &str) -> Result<RemoteTicket, ItsmError> {
        self.reachable()?;
        self.get(id).cloned()
    }

    fn write(&mut self, id: &str, version: &str, changes: &[Change]) -> Result<WriteOutcome, ItsmError> {
        self.reachable()?;
        if let Some(hook) = self.on_write.as_mut() {
            hook();
        }
        if self.interfere > 0 {
            self.interfere -= 1;
            let v = self.bump();
            self.tickets.get_mut(id).expect("the ticket").version = Some(v);
        }
        if let Some(why) = &self.refuse {
            return Ok(WriteOutcome::Refused(why.clone()));
        }
        if self.get(id)?.version.as_deref() != Some(version) {
            return Ok(WriteOutcome::Stale);
        }
        let v = self.bump();
        let t = self.tickets.get_mut(id).expect("the ticket");
        for c in changes {
            set(t, c);
        }
        t.version = Some(v);
        self.writes.push((id.to_string(), changes.to_vec()));
        Ok(WriteOutcome::Done)
    }

    fn comment_once(&mut self, id: &str, op_id: &str, body: &str) -> Result<bool, ItsmError> {
        self.reachable()?;
        self.get(id)?;
        if self.comments.iter().any(|(t, op, _)| t == id && op == op_id) {
            return Ok(false);
        }
        self.comments.push((id.to_string(), op_id.to_string(), body.to_string()));
        Ok(true)
    }

    fn comments(&mut self, cursor: &str) -> Result<CommentPage, ItsmError> {
        self.reachable()?;
        Ok(CommentPage { comments: Vec::new(), cursor: cursor.to_string(), more: false })
    }
}

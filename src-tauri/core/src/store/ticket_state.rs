//! The fields of a ticket that actions change, loaded and saved as one.

use super::{from_ts, to_ts, StoreError};
use crate::domain::{ClosureCode, Kind, Level, Line, Priority, Status};
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

/// A history entry's field, old value and new value.
pub(crate) type FieldChange = (&'static str, Option<String>, Option<String>);

/// A ticket's changeable state (also what the outbox keeps to undo a discarded change).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct TicketState {
    pub id: i64,
    pub number: String,
    pub kind: Kind,
    pub created_at: DateTime<Utc>,
    pub server_version: Option<String>,
    pub urgency: Level,
    pub impact: Level,
    pub priority: Priority,
    pub status: Status,
    pub line: Line,
    pub assignee_id: Option<i64>,
    pub lead_rank: Option<f64>,
    pub updated_at: DateTime<Utc>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closure_code: Option<ClosureCode>,
}

impl TicketState {
    pub fn load(tx: &Transaction<'_>, number: &str) -> Result<TicketState, StoreError> {
        let found = tx
            .prepare_cached(
                "SELECT id, number, kind, created_at, server_version, urgency, impact, priority, status, line, assignee_id, lead_rank,
                        updated_at, first_response_at, completed_at, closed_at, closure_code
                 FROM tickets WHERE number = ?1",
            )?
            .query_row([number.trim()], |x| {
                let rank: u8 = x.get(7)?;
                let line: u8 = x.get(9)?;
                Ok(TicketState {
                    id: x.get(0)?,
                    number: x.get(1)?,
                    kind: x.get(2)?,
                    created_at: from_ts(x.get(3)?),
                    server_version: x.get(4)?,
                    urgency: x.get(5)?,
                    impact: x.get(6)?,
                    priority: Priority::from_rank(rank).ok_or(rusqlite::Error::IntegralValueOutOfRange(7, rank.into()))?,
                    status: x.get(8)?,
                    line: Line::try_from(line).map_err(|_| rusqlite::Error::IntegralValueOutOfRange(9, line.into()))?,
                    assignee_id: x.get(10)?,
                    lead_rank: x.get(11)?,
                    updated_at: from_ts(x.get(12)?),
                    first_response_at: x.get::<_, Option<i64>>(13)?.map(from_ts),
                    completed_at: x.get::<_, Option<i64>>(14)?.map(from_ts),
                    closed_at: x.get::<_, Option<i64>>(15)?.map(from_ts),
                    closure_code: x.get(16)?,
                })
            })
            .optional()?;
        found.ok_or_else(|| StoreError::TicketNotFound(number.trim().to_string()))
    }

    pub fn save(&self, tx: &Transaction<'_>) -> Result<(), StoreError> {
        tx.prepare_cached(
            "UPDATE tickets SET urgency = ?2, impact = ?3, priority = ?4, status = ?5, line = ?6, assignee_id = ?7, lead_rank = ?8,
                updated_at = ?9, first_response_at = ?10, completed_at = ?11, closed_at = ?12, closure_code = ?13
             WHERE id = ?1",
        )?
        .execute(params![
            self.id,
            self.urgency,
            self.impact,
            self.priority.rank(),
            self.status,
            self.line.number(),
            self.assignee_id,
            self.lead_rank,
            to_ts(self.updated_at),
            self.first_response_at.map(to_ts),
            self.completed_at.map(to_ts),
            self.closed_at.map(to_ts),
            self.closure_code,
        ])?;
        Ok(())
    }

    /// Whether the ticket has ever been In progress.
    pub fn was_in_progress(&self, tx: &Transaction<'_>) -> Result<bool, StoreError> {
        Ok(tx
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM ticket_history WHERE ticket_id = ?1 AND field = 'status' AND new_value = 'in-progress')")?
            .query_row([self.id], |x| x.get(0))?)
    }

    /// The history entries (field, old, new) that lead from `self` to `after`.
    pub fn changes(&self, after: &TicketState, tx: &Transaction<'_>) -> Result<Vec<FieldChange>, StoreError> {
        let mut out = Vec::new();
        let mut diff = |field: &'static str, a: Option<String>, b: Option<String>| {
            if a != b {
                out.push((field, a, b));
            }
        };
        diff("urgency", Some(self.urgency.to_string()), Some(after.urgency.to_string()));
        diff("impact", Some(self.impact.to_string()), Some(after.impact.to_string()));
        diff("priority", Some(self.priority.to_string()), Some(after.priority.to_string()));
        diff("line", Some(self.line.to_string()), Some(after.line.to_string()));
        diff("status", Some(self.status.to_string()), Some(after.status.to_string()));
        diff("closure-code", self.closure_code.map(|c| c.to_string()), after.closure_code.map(|c| c.to_string()));
        diff("lead-order", self.lead_rank.map(|_| "pinned".to_string()), after.lead_rank.map(|_| "pinned".to_string()));
        if self.lead_rank.is_some() && after.lead_rank.is_some() && self.lead_rank != after.lead_rank {
            out.push(("lead-order", Some("pinned".into()), Some("moved".into())));
        }
        if self.assignee_id != after.assignee_id {
            let name = |id: Option<i64>| -> Result<Option<String>, StoreError> {
                match id {
                    None => Ok(None),
                    Some(id) => Ok(tx.prepare_cached("SELECT name FROM staff WHERE id = ?1")?.query_row([id], |x| x.get(0)).optional()?),
                }
            };
            out.push(("assignee", name(self.assignee_id)?, name(after.assignee_id)?));
        }
        Ok(out)
    }
}

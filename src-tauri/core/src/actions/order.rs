//! The lead's own order of the queue: ranked tickets first (lowest rank first), then the rest
//! in the ITSM order. It stays in the replica: it is the lead's, not the ITSM's.

use super::{Actor, ApplyError};
use crate::domain::{Action, ActionError};
use crate::store::ticket_state::TicketState;
use crate::store::tickets::{self, HistoryEntry};
use chrono::{DateTime, Utc};
use rusqlite::{params, Transaction};

fn rank_bounds(tx: &Transaction<'_>) -> rusqlite::Result<(Option<f64>, Option<f64>)> {
    tx.query_row("SELECT min(lead_rank), max(lead_rank) FROM tickets WHERE lead_rank IS NOT NULL", [], |x| Ok((x.get(0)?, x.get(1)?)))
}

/// Spaces the ranks 1, 2, 3, … keeping their order.
fn renumber(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "UPDATE tickets SET lead_rank = (SELECT n FROM (SELECT id, row_number() OVER (ORDER BY lead_rank, id) AS n FROM tickets WHERE lead_rank IS NOT NULL) r WHERE r.id = tickets.id)
         WHERE lead_rank IS NOT NULL",
    )
}

pub(super) fn apply(tx: &Transaction<'_>, t: &mut TicketState, action: &Action, actor: &Actor, now: DateTime<Utc>) -> Result<(), ApplyError> {
    match action {
        Action::Pin => {
            let (min, _) = rank_bounds(tx)?;
            if t.lead_rank.is_some() && t.lead_rank == min {
                return Err(ActionError::Unchanged { number: t.number.clone(), field: "lead order", value: "pinned to the top".into() }.into());
            }
            t.lead_rank = Some(min.map_or(0.0, |m| m - 1.0));
        }
        Action::Unpin => {
            if t.lead_rank.is_none() {
                return Err(ActionError::Unchanged { number: t.number.clone(), field: "lead order", value: "not pinned".into() }.into());
            }
            t.lead_rank = None;
        }
        Action::MoveAbove { other } | Action::MoveBelow { other } => {
            let mut o = TicketState::load(tx, other)?;
            if o.id == t.id {
                return Err(ActionError::SelfReference.into());
            }
            if o.lead_rank.is_none() {
                // The other ticket joins the lead's order at its end, so there is a place next to it.
                let (_, max) = rank_bounds(tx)?;
                o.lead_rank = Some(max.map_or(0.0, |m| m + 1.0));
                tx.execute("UPDATE tickets SET lead_rank = ?2 WHERE id = ?1", params![o.id, o.lead_rank])?;
                let e = HistoryEntry {
                    at: now,
                    actor: actor.name.clone(),
                    field: "lead-order".into(),
                    old_value: None,
                    new_value: Some("pinned".into()),
                    reason: Some(format!("next to {}", t.number)),
                };
                tickets::add_history(tx, o.id, &e)?;
            }
            let r = o.lead_rank.expect("ranked above");
            let above = matches!(action, Action::MoveAbove { .. });
            let neighbour: Option<f64> = if above {
                tx.query_row("SELECT max(lead_rank) FROM tickets WHERE lead_rank < ?1 AND id <> ?2", params![r, t.id], |x| x.get(0))?
            } else {
                tx.query_row("SELECT min(lead_rank) FROM tickets WHERE lead_rank > ?1 AND id <> ?2", params![r, t.id], |x| x.get(0))?
            };
            let mid = match neighbour {
                Some(n) => (n + r) / 2.0,
                None if above => r - 1.0,
                None => r + 1.0,
            };
            if neighbour.is_some_and(|n| mid == n || mid == r) {
                // The gap is used up: space the lead's order out again (same order, steps of 1) and retry.
                renumber(tx)?;
                return apply(tx, t, action, actor, now);
            }
            t.lead_rank = Some(mid);
        }
        _ => unreachable!("order::apply is called for order actions only"),
    }
    Ok(())
}

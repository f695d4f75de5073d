//! What deserves a desktop notification: a ticket entering its last minutes before an SLA
//! breach, and a new very-high-urgency incident. The window asks [`Watcher::check`] every
//! half minute and shows what it returns; each ticket is announced once per session.

use super::report::{at_risk, TimerKind};
use crate::store::{Replica, StoreError};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// The user's notification settings, kept in the replica.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "sla.ts")]
pub struct NotifySettings {
    /// Announce tickets about to breach their SLA.
    pub sla: bool,
    /// How many support minutes before the breach.
    pub sla_minutes: i64,
    /// Announce new very-high-urgency incidents.
    pub urgent: bool,
    /// Announce escalations and critical tickets nobody took into work in time.
    #[serde(default = "on")]
    pub pickups: bool,
}

fn on() -> bool {
    true
}

impl Default for NotifySettings {
    fn default() -> NotifySettings {
        NotifySettings { sla: true, sla_minutes: 30, urgent: true, pickups: true }
    }
}

const KEY: &str = "notifications";

/// The settings in force.
pub fn settings(r: &Replica) -> Result<NotifySettings, StoreError> {
    let stored = crate::store::settings::get(r.conn(), KEY)?;
    let s: NotifySettings = stored.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default();
    // Kept within bounds whatever the file holds.
    Ok(NotifySettings { sla_minutes: s.sla_minutes.clamp(1, 24 * 60), ..s })
}

/// Stores the settings (minutes kept within 1 minute … 1 day).
pub fn set_settings(r: &mut Replica, s: NotifySettings) -> Result<NotifySettings, StoreError> {
    let s = NotifySettings { sla_minutes: s.sla_minutes.clamp(1, 24 * 60), ..s };
    let json = serde_json::to_string(&s).expect("settings serialise");
    r.write(|tx| crate::store::settings::put(tx, KEY, &json))?;
    Ok(s)
}

/// One notification to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Notice {
    /// A running SLA clock has at most the configured minutes left.
    SlaSoon {
        /// Ticket.
        number: String,
        /// Subject.
        subject: String,
        /// Client.
        client: String,
        /// Which clock.
        timer: TimerKind,
        /// Support minutes left.
        minutes_left: i64,
    },
    /// An escalation to the third line or a critical ticket nobody took into work in time.
    NotPickedUp {
        /// Ticket.
        number: String,
        /// Subject.
        subject: String,
        /// Who holds it.
        assignee: Option<String>,
        /// Minutes it has waited.
        minutes: i64,
        /// Who is next in the chain.
        next: Option<String>,
    },
    /// A new incident of very high urgency.
    Urgent {
        /// Ticket.
        number: String,
        /// Subject.
        subject: String,
        /// Client.
        client: String,
    },
}

/// Remembers what was announced, so each ticket is announced once.
#[derive(Debug)]
pub struct Watcher {
    announced: HashSet<(String, TimerKind)>,
    /// Waits announced: the ticket and since when it waits (a raise starts a new wait).
    waits: HashSet<(String, DateTime<Utc>)>,
    last_ticket: i64,
}

impl Watcher {
    /// Starts watching: tickets already in the replica are not "new".
    pub fn new(r: &Replica) -> Result<Watcher, StoreError> {
        let last_ticket: i64 = r.conn().query_row("SELECT coalesce(max(id), 0) FROM tickets", [], |x| x.get(0))?;
        Ok(Watcher { announced: HashSet::new(), waits: HashSet::new(), last_ticket })
    }

    /// What to announce now.
    pub fn check(&mut self, r: &Replica, now: DateTime<Utc>, s: &NotifySettings) -> Result<Vec<Notice>, StoreError> {
        let mut out = Vec::new();
        if s.urgent {
            let mut stmt = r.conn().prepare_cached(
                "SELECT t.id, t.number, t.subject, c.name FROM tickets t JOIN clients c ON c.id = t.client_id
                 WHERE t.id > ?1 AND t.kind = 'incident' AND t.urgency = 'very-high' AND t.status NOT IN ('completed', 'closed')
                 ORDER BY t.id",
            )?;
            let rows = stmt.query_map([self.last_ticket], |x| Ok((x.get::<_, i64>(0)?, x.get(1)?, x.get(2)?, x.get(3)?)))?;
            for row in rows {
                let (_, number, subject, client) = row?;
                out.push(Notice::Urgent { number, subject, client });
            }
        }
        self.last_ticket = r.conn().query_row("SELECT coalesce(max(id), 0) FROM tickets", [], |x| x.get(0))?;
        if s.sla {
            for row in at_risk(r, now, Duration::minutes(s.sla_minutes))? {
                let left = row.clock.left_seconds();
                // Only clocks still short of the breach: those past it are on the dashboard.
                if left <= 0 || !self.announced.insert((row.number.clone(), row.timer)) {
                    continue;
                }
                out.push(Notice::SlaSoon { number: row.number, subject: row.subject, client: row.client, timer: row.timer, minutes_left: (left + 59) / 60 });
            }
        }
        for w in if s.pickups { super::ack::watch(r, now)? } else { Vec::new() } {
            if w.state == super::ack::AckState::Overdue && self.waits.insert((w.number.clone(), w.since)) {
                out.push(Notice::NotPickedUp { number: w.number, subject: w.subject, assignee: w.assignee, minutes: (now - w.since).num_minutes(), next: w.next.map(|n| n.name) });
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{write_demo, DemoOptions};

    #[test]
    fn each_ticket_near_a_breach_is_announced_once_and_new_urgent_incidents_once() {
        let mut r = Replica::open_in_memory().unwrap();
        let now: DateTime<Utc> = "2026-11-28T09:00:00Z".parse().unwrap();
        write_demo(&mut r, &DemoOptions { days: 30, seed: 5, now }).unwrap();
        let s = NotifySettings { sla_minutes: 240, pickups: false, ..NotifySettings::default() };
        let mut w = Watcher::new(&r).unwrap();
        let first = w.check(&r, now, &s).unwrap();
        let expected: Vec<String> = at_risk(&r, now, Duration::minutes(240)).unwrap().into_iter().filter(|x| x.clock.left_seconds() > 0).map(|x| x.number).collect();
        assert!(!expected.is_empty(), "the demo has tickets within 4 hours of a breach");
        let announced: Vec<String> = first.iter().filter_map(|n| if let Notice::SlaSoon { number, .. } = n { Some(number.clone()) } else { None }).collect();
        assert_eq!(announced, expected);
        assert!(first.iter().all(|n| matches!(n, Notice::SlaSoon { minutes_left, .. } if (1..=240).contains(minutes_left))));
        // Nothing new a moment later.
        assert!(w.check(&r, now, &s).unwrap().is_empty());

        // A very urgent incident arrives (as a sync or an import would bring it).
        r.write(|tx| {
            tx.execute_batch(
                "INSERT INTO tickets (number, kind, client_id, contact_name, channel, service, subject, urgency, impact, priority,
                     status, line, created_at, updated_at)
                 VALUES ('INC9999999', 'incident', 1, 'Anna', 'phone', 'Network', 'Payments down', 'very-high', 'high', 1,
                     'registered', 1, 1795856400, 1795856400);",
            )?;
            Ok(())
        })
        .unwrap();
        let next = w.check(&r, now, &NotifySettings { sla: false, pickups: false, ..s }).unwrap();
        assert_eq!(next.len(), 1);
        assert!(matches!(&next[0], Notice::Urgent { number, subject, .. } if number == "INC9999999" && subject == "Payments down"));
        assert!(w.check(&r, now, &NotifySettings { pickups: false, ..s }).unwrap().iter().all(|n| !matches!(n, Notice::Urgent { .. })), "announced once");
        // Switched off: nothing.
        let mut quiet = Watcher::new(&r).unwrap();
        assert!(quiet.check(&r, now, &NotifySettings { sla: false, sla_minutes: 240, urgent: false, pickups: false }).unwrap().is_empty());
    }

    #[test]
    fn settings_are_kept_in_the_replica_within_bounds() {
        let mut r = Replica::open_in_memory().unwrap();
        assert_eq!(settings(&r).unwrap(), NotifySettings::default());
        let stored = set_settings(&mut r, NotifySettings { sla: false, sla_minutes: 100_000, urgent: true, pickups: true }).unwrap();
        assert_eq!(stored.sla_minutes, 1440);
        assert_eq!(settings(&r).unwrap(), stored);
    }
}

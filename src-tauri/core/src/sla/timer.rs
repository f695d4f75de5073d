//! The SLA clock of one ticket, computed from its status history (never from its current
//! status alone): reaction until the desk first responded, resolution until the ticket was
//! last completed. The clock counts only support hours, stops in the contract's pause
//! statuses and in Completed / Closed, and runs again after Rejected by user.

use super::calendar::Calendar;
use super::contract::Contract;
use crate::domain::{Kind, Status};
use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};

/// What the clock needs to know about a ticket.
#[derive(Debug, Clone)]
pub struct ClockInput<'a> {
    /// Incident or request.
    pub kind: Kind,
    /// Priority 1 … 5.
    pub priority: u8,
    /// Request type code (requests).
    pub request_type: Option<&'a str>,
    /// The request model's fulfilment hours for that type, when it has one.
    pub model_fulfilment_hours: Option<u32>,
    /// Registration.
    pub created_at: DateTime<Utc>,
    /// The desk's first response.
    pub first_response_at: Option<DateTime<Utc>>,
    /// Every status the ticket entered, with when, oldest first (the first is its status at
    /// registration).
    pub statuses: &'a [(DateTime<Utc>, Status)],
}

/// One SLA timer of a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "sla.ts")]
pub struct Timer {
    /// The target, in support seconds.
    pub target_seconds: i64,
    /// Support seconds the clock has run.
    pub elapsed_seconds: i64,
    /// The timer has stopped for good (responded / completed).
    pub done: bool,
    /// The clock is stopped for now (a pause status).
    pub paused: bool,
    /// When the timer stopped, if it did.
    pub ended_at: Option<DateTime<Utc>>,
    /// When the target is (or was) reached, as far as it can be known: the instant the clock
    /// passed it, or, while it runs, when it will if nothing changes.
    pub deadline_at: Option<DateTime<Utc>>,
}

impl Timer {
    /// The clock ran past the target.
    pub fn breached(&self) -> bool {
        self.elapsed_seconds > self.target_seconds
    }

    /// Support seconds left before the target (negative once breached).
    pub fn left_seconds(&self) -> i64 {
        self.target_seconds - self.elapsed_seconds
    }
}

/// Walks the status spans up to `stop` (or `now`), counting support time in the spans where
/// `running` holds.
fn walk(cal: &Calendar, statuses: &[(DateTime<Utc>, Status)], stop: Option<DateTime<Utc>>, now: DateTime<Utc>, target: i64, running: impl Fn(Status) -> bool) -> Timer {
    // Nothing after "now" is known yet, whatever the history says; the clock counts whole
    // seconds, so a deadline is the same whenever it is read.
    let now = now.trunc_subsecs(0);
    let limit = stop.map_or(now, |s| s.min(now));
    let mut elapsed = 0i64;
    let mut deadline = None;
    for (i, (at, status)) in statuses.iter().enumerate() {
        if *at >= limit {
            break;
        }
        let end = statuses.get(i + 1).map_or(limit, |(next, _)| (*next).min(limit));
        if !running(*status) || end <= *at {
            continue;
        }
        let span = cal.seconds_between(*at, end);
        if deadline.is_none() && elapsed + span > target {
            deadline = cal.after(*at, target - elapsed);
        }
        elapsed += span;
    }
    let current = statuses.iter().take_while(|(at, _)| *at <= limit).last().map(|(_, s)| *s);
    let done = stop.is_some_and(|s| s <= now);
    let paused = !done && current.is_some_and(|s| !running(s));
    if deadline.is_none() && !done && !paused {
        deadline = cal.after(now, target - elapsed);
    }
    Timer { target_seconds: target, elapsed_seconds: elapsed, done, paused, ended_at: stop.filter(|s| *s <= now), deadline_at: deadline }
}

/// The reaction timer (incidents only): from registration to the desk's first response.
pub fn reaction(contract: &Contract, cal: &Calendar, t: &ClockInput<'_>, now: DateTime<Utc>) -> Option<Timer> {
    if t.kind != Kind::Incident {
        return None;
    }
    let target = i64::from(contract.reaction_minutes[usize::from(t.priority.clamp(1, 5) - 1)]) * 60;
    let responded = t.first_response_at.or_else(|| t.statuses.iter().find(|(_, s)| *s != Status::Registered).map(|(at, _)| *at));
    Some(walk(cal, t.statuses, responded, now, target, |s| s.is_open() && !contract.pause_in.contains(&s)))
}

/// The resolution target of a ticket, in support seconds: the contract's per priority for
/// incidents, the fulfilment time of its type for requests.
pub fn resolution_target(contract: &Contract, t: &ClockInput<'_>) -> i64 {
    let by_priority = contract.resolution_hours[usize::from(t.priority.clamp(1, 5) - 1)];
    let hours = match t.kind {
        Kind::Incident => by_priority,
        Kind::Request => t.request_type.and_then(|code| contract.fulfilment_hours.get(code).copied()).or(t.model_fulfilment_hours).unwrap_or(by_priority),
    };
    i64::from(hours) * 3600
}

/// The resolution timer: from registration until the ticket was last completed.
pub fn resolution(contract: &Contract, cal: &Calendar, t: &ClockInput<'_>, now: DateTime<Utc>) -> Timer {
    // The clock stops at the start of the trailing run of Completed / Closed statuses.
    let trailing = t.statuses.iter().rev().take_while(|(_, s)| !s.is_open()).count();
    let stop = (trailing > 0).then(|| t.statuses[t.statuses.len() - trailing].0);
    walk(cal, t.statuses, stop, now, resolution_target(contract, t), |s| s.is_open() && !contract.pause_in.contains(&s))
}

#[cfg(test)]
mod tests {
    use super::super::calendar::SupportHours;
    use super::*;
    use Status::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn input<'a>(kind: Kind, priority: u8, statuses: &'a [(DateTime<Utc>, Status)]) -> ClockInput<'a> {
        ClockInput { kind, priority, request_type: None, model_fulfilment_hours: None, created_at: statuses[0].0, first_response_at: None, statuses }
    }

    fn office_moscow() -> Calendar {
        Calendar::new(SupportHours::office(), chrono_tz::Europe::Moscow)
    }

    #[test]
    fn resolution_pauses_while_information_is_needed() {
        // 24/7. 10:00 registered, 10:05 in progress, 11:00 information needed (paused),
        // 14:00 in progress, 14:30 completed: 5 + 55 + 30 = 90 minutes.
        let s = [
            (utc("2026-11-24T10:00:00Z"), Registered),
            (utc("2026-11-24T10:05:00Z"), InProgress),
            (utc("2026-11-24T11:00:00Z"), InformationNeeded),
            (utc("2026-11-24T14:00:00Z"), InProgress),
            (utc("2026-11-24T14:30:00Z"), Completed),
        ];
        let t = resolution(&Contract::default(), &Calendar::all_day(), &input(Kind::Incident, 3, &s), utc("2026-11-28T09:00:00Z"));
        assert_eq!(t.elapsed_seconds, 90 * 60);
        assert!(t.done && !t.breached());
        assert_eq!(t.ended_at, Some(utc("2026-11-24T14:30:00Z")));
        // External processing counts by default, and pauses when the contract says so.
        let s2 = [(s[0].0, Registered), (s[1].0, InProgress), (s[2].0, ExternalProcessing), (s[3].0, InProgress), (s[4].0, Completed)];
        let counted = resolution(&Contract::default(), &Calendar::all_day(), &input(Kind::Incident, 3, &s2), utc("2026-11-28T09:00:00Z"));
        assert_eq!(counted.elapsed_seconds, 270 * 60);
        let contract = Contract { pause_in: vec![InformationNeeded, ExternalProcessing], ..Contract::default() };
        let paused = resolution(&contract, &Calendar::all_day(), &input(Kind::Incident, 3, &s2), utc("2026-11-28T09:00:00Z"));
        assert_eq!(paused.elapsed_seconds, 90 * 60);
    }

    #[test]
    fn reopening_after_rejection_runs_the_clock_again_until_the_last_completion() {
        // Priority 1 (4 h). 08:00 registered, 08:10 in progress, 09:00 completed (60 min),
        // 13:00 rejected by user, 13:30 in progress, 16:00 completed, 17:00 closed:
        // 60 + 180 = 240 minutes — exactly the target, so not breached; the time spent in
        // Completed (09:00–13:00) does not count.
        let s = [
            (utc("2026-11-24T08:00:00Z"), Registered),
            (utc("2026-11-24T08:10:00Z"), InProgress),
            (utc("2026-11-24T09:00:00Z"), Completed),
            (utc("2026-11-24T13:00:00Z"), RejectedByUser),
            (utc("2026-11-24T13:30:00Z"), InProgress),
            (utc("2026-11-24T16:00:00Z"), Completed),
            (utc("2026-11-24T17:00:00Z"), Closed),
        ];
        let t = resolution(&Contract::default(), &Calendar::all_day(), &input(Kind::Incident, 1, &s), utc("2026-11-28T09:00:00Z"));
        assert_eq!((t.elapsed_seconds, t.target_seconds), (240 * 60, 240 * 60));
        assert_eq!(t.ended_at, Some(utc("2026-11-24T16:00:00Z")));
        assert!(!t.breached());
        // One minute more in progress and it is breached, at 16:00 exactly.
        let mut late = s;
        late[5].0 = utc("2026-11-24T16:01:00Z");
        let t = resolution(&Contract::default(), &Calendar::all_day(), &input(Kind::Incident, 1, &late), utc("2026-11-28T09:00:00Z"));
        assert!(t.breached());
        assert_eq!(t.deadline_at, Some(utc("2026-11-24T16:00:00Z")));
    }

    #[test]
    fn a_running_clock_has_a_deadline_in_support_hours() {
        // Office hours in Moscow, priority 2 (8 h). Registered Friday 27 Nov 16:00 MSK, in
        // progress since 16:30; now Monday 30 Nov 10:00 MSK: Fri 16:00–18:00 (120) + Mon
        // 09:00–10:00 (60) = 180 minutes; 300 left → Monday 15:00 MSK = 12:00Z.
        let s = [(utc("2026-11-27T13:00:00Z"), Registered), (utc("2026-11-27T13:30:00Z"), InProgress)];
        let contract = Contract { support: SupportHours::office(), ..Contract::default() };
        let t = resolution(&contract, &office_moscow(), &input(Kind::Incident, 2, &s), utc("2026-11-30T07:00:00Z"));
        assert_eq!(t.elapsed_seconds, 180 * 60);
        assert_eq!(t.left_seconds(), 300 * 60);
        assert!(!t.done && !t.paused);
        assert_eq!(t.deadline_at, Some(utc("2026-11-30T12:00:00Z")));
    }

    #[test]
    fn a_clock_read_in_the_past_ignores_what_happened_later() {
        // Completed at 14:00; read at 12:00 the clock has run 2 h and is still running.
        let s = [(utc("2026-11-24T10:00:00Z"), Registered), (utc("2026-11-24T10:30:00Z"), InProgress), (utc("2026-11-24T14:00:00Z"), Completed)];
        let t = resolution(&Contract::default(), &Calendar::all_day(), &input(Kind::Incident, 3, &s), utc("2026-11-24T12:00:00Z"));
        assert_eq!(t.elapsed_seconds, 2 * 3600);
        assert!(!t.done && t.ended_at.is_none());
    }

    #[test]
    fn a_paused_clock_has_no_deadline() {
        let s = [(utc("2026-11-27T10:00:00Z"), Registered), (utc("2026-11-27T10:30:00Z"), InformationNeeded)];
        let t = resolution(&Contract::default(), &Calendar::all_day(), &input(Kind::Incident, 4, &s), utc("2026-11-28T10:00:00Z"));
        assert_eq!(t.elapsed_seconds, 30 * 60);
        assert!(t.paused && !t.done);
        assert_eq!(t.deadline_at, None);
    }

    #[test]
    fn reaction_counts_support_time_to_the_first_response() {
        // Office hours in Moscow, priority 3 (60 min). Registered Saturday 28 Nov 12:00 MSK,
        // first response Monday 30 Nov 09:45 MSK: 45 support minutes, met.
        let s = [(utc("2026-11-28T09:00:00Z"), Registered), (utc("2026-11-30T06:45:00Z"), Assigned)];
        let contract = Contract { support: SupportHours::office(), ..Contract::default() };
        let mut i = input(Kind::Incident, 3, &s);
        i.first_response_at = Some(utc("2026-11-30T06:45:00Z"));
        let t = reaction(&contract, &office_moscow(), &i, utc("2026-12-01T09:00:00Z")).unwrap();
        assert_eq!((t.elapsed_seconds, t.target_seconds), (45 * 60, 60 * 60));
        assert!(t.done && !t.breached());
        // On a 24/7 contract the same ticket waited 45 h 45 min and is breached.
        let t = reaction(&Contract::default(), &Calendar::all_day(), &i, utc("2026-12-01T09:00:00Z")).unwrap();
        assert_eq!(t.elapsed_seconds, (45 * 60 + 45) * 60);
        assert!(t.breached());
        // Requests have no reaction target.
        assert!(reaction(&contract, &office_moscow(), &input(Kind::Request, 3, &s), utc("2026-12-01T09:00:00Z")).is_none());
    }

    #[test]
    fn requests_use_the_fulfilment_time_of_their_type() {
        let s = [(utc("2026-11-24T10:00:00Z"), Registered)];
        let mut i = input(Kind::Request, 4, &s);
        i.request_type = Some("new-licence");
        i.model_fulfilment_hours = Some(40);
        let mut contract = Contract::default();
        assert_eq!(resolution_target(&contract, &i), 40 * 3600);
        contract.fulfilment_hours.insert("new-licence".into(), 16);
        assert_eq!(resolution_target(&contract, &i), 16 * 3600);
        i.request_type = None;
        i.model_fulfilment_hours = None;
        assert_eq!(resolution_target(&contract, &i), 72 * 3600);
    }
}

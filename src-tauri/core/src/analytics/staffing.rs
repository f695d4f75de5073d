//! Staffing against load: expected tickets per hour of the week from the last weeks, and the
//! engineers each hour needs by Erlang C, against the engineers planned on shift.

use super::load::{load_report, start_of_day, Bucketing, LoadQuery, ReportError};
use crate::store::Replica;
use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// Erlang C: the probability that a contact waits, with `agents` handling `traffic` erlangs.
pub fn wait_probability(traffic: f64, agents: u32) -> f64 {
    if f64::from(agents) <= traffic {
        return 1.0;
    }
    // Erlang B by its recurrence (stable for any size), then C from B.
    let mut b = 1.0;
    for k in 1..=agents {
        b = traffic * b / (f64::from(k) + traffic * b);
    }
    let n = f64::from(agents);
    n * b / (n - traffic * (1.0 - b))
}

/// Share of contacts answered within `target_s` seconds.
pub fn service_level(traffic: f64, agents: u32, aht_s: f64, target_s: f64) -> f64 {
    if f64::from(agents) <= traffic {
        return 0.0;
    }
    1.0 - wait_probability(traffic, agents) * (-(f64::from(agents) - traffic) * target_s / aht_s).exp()
}

/// The fewest agents that answer `target_share` of contacts within `target_s`, for
/// `contacts` arriving per `period_s` seconds each taking `aht_s` seconds; with the service
/// level they reach. No contacts need no agents.
pub fn agents_needed(contacts: f64, period_s: f64, aht_s: f64, target_s: f64, target_share: f64) -> (u32, f64) {
    let traffic = contacts * aht_s / period_s;
    if traffic <= 0.0 {
        return (0, 1.0);
    }
    let mut n = traffic.floor() as u32 + 1;
    loop {
        let sl = service_level(traffic, n, aht_s, target_s);
        if sl >= target_share || n > 10_000 {
            return (n, sl);
        }
        n += 1;
    }
}

/// Agents to schedule so that `needed` are at work after `shrinkage` (breaks, training, sick
/// leave), a share in 0–1.
pub fn scheduled(needed: u32, shrinkage: f64) -> u32 {
    (f64::from(needed) / (1.0 - shrinkage.clamp(0.0, 0.95)) - 1e-9).ceil() as u32
}

/// How a line's staffing is computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "analytics.ts")]
pub struct LineModel {
    /// The line, 1 or 2.
    pub line: u8,
    /// Average handling time, seconds.
    pub aht_seconds: f64,
    /// Share of all tickets the line handles (line 1 all, line 2 the escalated share).
    pub share: f64,
    /// Engineers each shift should have (the staffing norm); the hours carry the roster's count.
    pub planned: u32,
}

/// What a staffing report assumes.
#[derive(Debug, Clone)]
pub struct StaffingQuery {
    /// The week's Monday.
    pub week: NaiveDate,
    /// Weeks of history averaged.
    pub weeks_back: u32,
    /// Zone of hours and days.
    pub tz: Tz,
    /// Target: this share of tickets reacted to …
    pub target_share: f64,
    /// … within this many seconds.
    pub target_seconds: f64,
    /// Shrinkage, 0–1.
    pub shrinkage: f64,
    /// Average handling time of line 1 and line 2, seconds.
    pub aht_seconds: [f64; 2],
}

/// One hour of the week for one line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "analytics.ts")]
pub struct StaffingHour {
    /// Hour of the week, `mon-09`.
    pub hour: String,
    /// Expected tickets this hour on the line.
    pub expected: f64,
    /// Engineers needed at work (Erlang C).
    pub needed: u32,
    /// Service level the needed engineers reach.
    pub service_level: f64,
    /// Engineers to schedule after shrinkage.
    pub scheduled: u32,
    /// Engineers planned on shift.
    pub planned: u32,
    /// `scheduled - planned` when positive.
    pub shortfall: u32,
}

/// Staffing of one line over the week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "analytics.ts")]
pub struct LineStaffing {
    /// The line's model.
    pub model: LineModel,
    /// 168 hours, Monday 00 first.
    pub hours: Vec<StaffingHour>,
    /// Hours with a shortfall.
    pub short_hours: u32,
}

/// Staffing against load for a week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "analytics.ts")]
pub struct StaffingReport {
    /// ISO week, `2026-W48`.
    pub week: String,
    /// Zone of the hours.
    pub time_zone: String,
    /// Weeks averaged, ending before the week.
    pub weeks_back: u32,
    /// Tickets those weeks held.
    pub history_tickets: u64,
    /// Target share reacted …
    pub target_share: f64,
    /// … within seconds.
    pub target_seconds: f64,
    /// Shrinkage.
    pub shrinkage: f64,
    /// What "planned" means.
    pub planned_from: String,
    /// Line 1 and line 2.
    pub lines: Vec<LineStaffing>,
}

/// Expected load and the engineers it needs, hour by hour, for line 1 and line 2.
pub fn staffing_report(r: &Replica, q: &StaffingQuery) -> Result<StaffingReport, ReportError> {
    let weeks_back = q.weeks_back.max(1);
    let from = q.week - Duration::weeks(i64::from(weeks_back));
    let to = q.week.pred_opt().expect("dates stay in range");
    let load = load_report(r, &LoadQuery { by: Bucketing::HourOfWeek, tz: q.tz, from: Some(from), to: Some(to), client_local: false, stack: None })?;
    // Line 2 handles the tickets that were escalated beyond line 1 in those weeks.
    let (lo, hi) = (start_of_day(q.tz, from).timestamp(), start_of_day(q.tz, q.week).timestamp());
    let escalated: u64 = r
        .conn()
        .query_row("SELECT count(*) FROM tickets WHERE created_at >= ?1 AND created_at < ?2 AND line >= 2", [lo, hi], |x| x.get(0))
        .map_err(crate::store::StoreError::from)?;
    let l2_share = if load.total == 0 { 0.0 } else { escalated as f64 / load.total as f64 };
    let models = [
        LineModel { line: 1, aht_seconds: q.aht_seconds[0], share: 1.0, planned: 2 },
        LineModel { line: 2, aht_seconds: q.aht_seconds[1], share: (l2_share * 1000.0).round() / 1000.0, planned: 1 },
    ];
    // Planned from the roster (who of the line is on shift at each hour's middle), else the norm.
    let rostered = crate::roster::now::on_shift_by_hour(r.conn(), q.tz, q.week).map_err(crate::store::StoreError::from)?;
    let lines = models
        .into_iter()
        .map(|model| {
            let hours: Vec<StaffingHour> = load
                .buckets
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    let planned = rostered.as_ref().and_then(|r| r.get(i)).map_or(model.planned, |n| n[usize::from(model.line - 1)]);
                    let expected = b.count as f64 / f64::from(weeks_back) * model.share;
                    let (needed, sl) = agents_needed(expected, 3600.0, model.aht_seconds, q.target_seconds, q.target_share);
                    let sched = scheduled(needed, q.shrinkage);
                    let hour = match &b.key {
                        super::load::BucketKey::Name(n) => n.clone(),
                        super::load::BucketKey::Hour(h) => h.to_string(),
                    };
                    StaffingHour {
                        hour,
                        expected: (expected * 100.0).round() / 100.0,
                        needed,
                        service_level: (sl * 1000.0).round() / 1000.0,
                        scheduled: sched,
                        planned,
                        shortfall: sched.saturating_sub(planned),
                    }
                })
                .collect();
            let short_hours = hours.iter().filter(|h| h.shortfall > 0).count() as u32;
            LineStaffing { model, hours, short_hours }
        })
        .collect();
    Ok(StaffingReport {
        week: q.week.format("%G-W%V").to_string(),
        time_zone: q.tz.name().to_string(),
        weeks_back,
        history_tickets: load.total,
        target_share: q.target_share,
        target_seconds: q.target_seconds,
        shrinkage: q.shrinkage,
        planned_from: if rostered.is_some() {
            "roster: the line's engineers on shift at each hour's middle"
        } else {
            "shift norm: 2 × line 1 + 1 × line 2 on every 12-hour shift"
        }
        .into(),
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_textbook_call_centre_needs_14_agents_and_20_with_shrinkage() {
        // 100 contacts per 30 minutes, AHT 180 s, 80 % answered within 20 s.
        let (n, sl) = agents_needed(100.0, 1800.0, 180.0, 20.0, 0.8);
        assert_eq!(n, 14);
        assert!((sl - 0.888).abs() < 0.0005, "service level {sl}");
        // 13 agents fall short of the target.
        assert!(service_level(10.0, 13, 180.0, 20.0) < 0.8);
        assert_eq!(scheduled(14, 0.3), 20);
    }

    #[test]
    fn twenty_five_contacts_per_ten_minutes_need_11_agents() {
        let (n, _) = agents_needed(25.0, 600.0, 180.0, 20.0, 0.8);
        assert_eq!(n, 11);
    }

    #[test]
    fn wait_probability_of_the_textbook_case() {
        // 10 erlangs on 14 agents: Erlang C ≈ 0.1741.
        assert!((wait_probability(10.0, 14) - 0.1741).abs() < 0.0005);
        assert_eq!(wait_probability(10.0, 10), 1.0);
        assert_eq!(agents_needed(0.0, 3600.0, 600.0, 900.0, 0.8), (0, 1.0));
    }
}

//! Support hours: when the SLA clock may run, in the client's own time zone.

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The hours a contract gives support in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[ts(export_to = "sla.ts")]
pub enum SupportHours {
    /// Round the clock, every day.
    #[serde(rename = "24x7")]
    AllDay,
    /// Working hours on working days in the client's zone, except holidays.
    Business {
        /// ISO weekdays with support, 1 = Monday … 7 = Sunday.
        days: Vec<u8>,
        /// Opening time (local), `HH:MM` or `HH:MM:SS`.
        #[ts(type = "string")]
        open: NaiveTime,
        /// Closing time (local), `HH:MM` or `HH:MM:SS`, after opening.
        #[ts(type = "string")]
        close: NaiveTime,
        /// Days without support (public holidays), `YYYY-MM-DD`.
        #[serde(default)]
        #[ts(type = "string[]")]
        holidays: BTreeSet<NaiveDate>,
    },
}

impl SupportHours {
    /// Office hours 09:00–18:00 Monday to Friday.
    pub fn office() -> SupportHours {
        SupportHours::Business {
            days: vec![1, 2, 3, 4, 5],
            open: NaiveTime::from_hms_opt(9, 0, 0).expect("valid"),
            close: NaiveTime::from_hms_opt(18, 0, 0).expect("valid"),
            holidays: BTreeSet::new(),
        }
    }

    /// Why these hours cannot be used, if they cannot.
    pub fn problem(&self) -> Option<super::contract::ContractProblem> {
        use super::contract::ContractProblem as P;
        match self {
            SupportHours::AllDay => None,
            SupportHours::Business { days, open, close, .. } => {
                if days.is_empty() {
                    Some(P::new("support hours name no weekday".into(), "в часах поддержки нет ни одного дня недели".into()))
                } else if let Some(d) = days.iter().find(|d| !(1..=7).contains(*d)) {
                    Some(P::new(format!("weekday {d} is not 1 (Monday) … 7 (Sunday)"), format!("день недели {d} — не от 1 (понедельник) до 7 (воскресенье)")))
                } else if open >= close {
                    let (o, c) = (open.format("%H:%M"), close.format("%H:%M"));
                    Some(P::new(format!("support opens at {o} but closes at {c}"), format!("поддержка начинается в {o}, а заканчивается в {c}")))
                } else {
                    None
                }
            }
        }
    }
}

/// Support hours read in one zone: answers how much support time lies between two instants.
#[derive(Debug, Clone)]
pub struct Calendar {
    hours: SupportHours,
    tz: Tz,
}

/// The UTC instant of a local wall-clock time; a time skipped by a clock change moves to the
/// first instant after the gap, a repeated one takes its first occurrence.
fn local_to_utc(tz: Tz, t: NaiveDateTime) -> DateTime<Utc> {
    for shift in 0..=8 {
        match tz.from_local_datetime(&(t + Duration::minutes(15 * shift))) {
            LocalResult::Single(x) | LocalResult::Ambiguous(x, _) => return x.with_timezone(&Utc),
            LocalResult::None => continue,
        }
    }
    Utc.from_utc_datetime(&t)
}

impl Calendar {
    /// The calendar of `hours` in `tz`.
    pub fn new(hours: SupportHours, tz: Tz) -> Calendar {
        Calendar { hours, tz }
    }

    /// Round the clock (no zone matters).
    pub fn all_day() -> Calendar {
        Calendar::new(SupportHours::AllDay, chrono_tz::UTC)
    }

    /// The support window of one local day, in UTC, if that day has support.
    fn window(&self, day: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        match &self.hours {
            SupportHours::AllDay => None,
            SupportHours::Business { days, open, close, holidays } => {
                let iso = day.weekday().number_from_monday() as u8;
                if !days.contains(&iso) || holidays.contains(&day) {
                    return None;
                }
                Some((local_to_utc(self.tz, day.and_time(*open)), local_to_utc(self.tz, day.and_time(*close))))
            }
        }
    }

    fn local_day(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.tz).date_naive()
    }

    /// Seconds of support time in `[from, to)`; zero when `to` is not after `from`.
    pub fn seconds_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        if to <= from {
            return 0;
        }
        if let SupportHours::AllDay = self.hours {
            return (to - from).num_seconds();
        }
        let mut total = 0;
        let mut day = self.local_day(from);
        let last = self.local_day(to);
        while day <= last {
            if let Some((open, close)) = self.window(day) {
                let start = open.max(from);
                let end = close.min(to);
                if end > start {
                    total += (end - start).num_seconds();
                }
            }
            let Some(next) = day.succ_opt() else { break };
            day = next;
        }
        total
    }

    /// The instant at which `seconds` of support time will have passed since `from`.
    /// `None` when the calendar has no support time left within ten years.
    pub fn after(&self, from: DateTime<Utc>, seconds: i64) -> Option<DateTime<Utc>> {
        if let SupportHours::AllDay = self.hours {
            return from.checked_add_signed(Duration::try_seconds(seconds)?);
        }
        let mut left = seconds.max(0);
        let mut day = self.local_day(from);
        for _ in 0..3660 {
            if let Some((open, close)) = self.window(day) {
                let start = open.max(from);
                if close > start {
                    let span = (close - start).num_seconds();
                    if left <= span {
                        return start.checked_add_signed(Duration::try_seconds(left)?);
                    }
                    left -= span;
                }
            }
            day = day.succ_opt()?;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn office(tz: Tz, holidays: &[&str]) -> Calendar {
        let mut h = SupportHours::office();
        if let SupportHours::Business { holidays: set, .. } = &mut h {
            set.extend(holidays.iter().map(|d| d.parse::<NaiveDate>().unwrap()));
        }
        Calendar::new(h, tz)
    }

    #[test]
    fn round_the_clock_counts_wall_time() {
        let c = Calendar::all_day();
        assert_eq!(c.seconds_between(utc("2026-11-27T22:00:00Z"), utc("2026-11-28T01:30:00Z")), 210 * 60);
        assert_eq!(c.after(utc("2026-11-27T22:00:00Z"), 3600), Some(utc("2026-11-27T23:00:00Z")));
    }

    #[test]
    fn office_hours_skip_the_night_and_the_weekend() {
        // Moscow is UTC+3 all year. Friday 27 Nov 2026 17:00 MSK → Monday 30 Nov 10:30 MSK:
        // Friday 17:00–18:00 (60 min) + Monday 09:00–10:30 (90 min) = 150 minutes.
        let c = office(chrono_tz::Europe::Moscow, &[]);
        assert_eq!(c.seconds_between(utc("2026-11-27T14:00:00Z"), utc("2026-11-30T07:30:00Z")), 150 * 60);
        // Opened Saturday: nothing counts until Monday 09:00.
        assert_eq!(c.seconds_between(utc("2026-11-28T09:00:00Z"), utc("2026-11-30T06:00:00Z")), 0);
        // Two hours of support from Friday 17:00 end Monday 10:00 MSK.
        assert_eq!(c.after(utc("2026-11-27T14:00:00Z"), 2 * 3600), Some(utc("2026-11-30T07:00:00Z")));
    }

    #[test]
    fn holidays_have_no_support() {
        // 4 November (Unity Day, Wednesday 2026) is a holiday: Tuesday 17:00 → Thursday 10:00
        // is Tuesday 60 min + Thursday 60 min = 120 minutes.
        let c = office(chrono_tz::Europe::Moscow, &["2026-11-04"]);
        assert_eq!(c.seconds_between(utc("2026-11-03T14:00:00Z"), utc("2026-11-05T07:00:00Z")), 120 * 60);
        let without = office(chrono_tz::Europe::Moscow, &[]);
        assert_eq!(without.seconds_between(utc("2026-11-03T14:00:00Z"), utc("2026-11-05T07:00:00Z")), (60 + 540 + 60) * 60);
    }

    #[test]
    fn office_hours_follow_the_local_clock_across_a_dst_change() {
        // New York moves to EDT on Sunday 8 March 2026. Friday 6 March 17:00 EST (22:00Z) →
        // Monday 9 March 10:00 EDT (14:00Z): Friday 60 min + Monday 60 min = 120 minutes.
        // Reading Monday in the old offset would count 09:00 EDT as 10:00 and give 60.
        let c = office(chrono_tz::America::New_York, &[]);
        assert_eq!(c.seconds_between(utc("2026-03-06T22:00:00Z"), utc("2026-03-09T14:00:00Z")), 120 * 60);
        // Three support hours from Friday 17:00 EST end Monday 11:00 EDT = 15:00Z.
        assert_eq!(c.after(utc("2026-03-06T22:00:00Z"), 3 * 3600), Some(utc("2026-03-09T15:00:00Z")));
    }

    #[test]
    fn unusable_hours_are_named() {
        let bad = SupportHours::Business { days: vec![], open: NaiveTime::MIN, close: NaiveTime::MIN, holidays: BTreeSet::new() };
        assert!(bad.problem().unwrap().en.contains("weekday"));
        let backwards =
            SupportHours::Business { days: vec![1], open: NaiveTime::from_hms_opt(18, 0, 0).unwrap(), close: NaiveTime::from_hms_opt(9, 0, 0).unwrap(), holidays: BTreeSet::new() };
        assert_eq!(backwards.problem().unwrap().to_string(), "support opens at 18:00 but closes at 09:00");
        assert_eq!(backwards.problem().unwrap().ru, "поддержка начинается в 18:00, а заканчивается в 09:00");
        assert_eq!(SupportHours::office().problem(), None);
    }
}

//! Tickets opened per bucket (hour of day, weekday, hour of week), counted in a time zone.

use crate::store::{self, Replica};
use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// How tickets are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export_to = "analytics.ts")]
pub enum Bucketing {
    /// 24 buckets, hours 0–23.
    Hour,
    /// 7 buckets, Monday first.
    Weekday,
    /// 168 buckets, Monday 00 first.
    HourOfWeek,
}

/// A bucket's name: an hour number, or a weekday (`mon`) / hour of week (`mon-09`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(untagged)]
#[ts(export_to = "analytics.ts")]
pub enum BucketKey {
    /// Hour of day.
    Hour(u32),
    /// Weekday or hour of week.
    Name(String),
}

/// One bucket and how many tickets were opened in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "analytics.ts")]
pub struct Bucket {
    /// Which bucket.
    pub key: BucketKey,
    /// Tickets opened in it.
    pub count: u64,
}

/// What to count.
#[derive(Debug, Clone)]
pub struct LoadQuery {
    /// Grouping.
    pub by: Bucketing,
    /// Zone the hours and days are read in.
    pub tz: Tz,
    /// First day counted (in `tz`), inclusive.
    pub from: Option<NaiveDate>,
    /// Last day counted (in `tz`), inclusive.
    pub to: Option<NaiveDate>,
}

/// Tickets opened per bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "analytics.ts")]
pub struct LoadReport {
    /// Grouping.
    pub by: Bucketing,
    /// IANA zone used.
    pub time_zone: String,
    /// First day counted, if limited.
    pub from: Option<NaiveDate>,
    /// Last day counted, if limited.
    pub to: Option<NaiveDate>,
    /// Tickets counted.
    pub total: u64,
    /// The buckets, in order.
    pub buckets: Vec<Bucket>,
}

/// A report that cannot be made as asked.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The period ends before it starts.
    #[error("--from {from} is after --to {to}")]
    EmptyPeriod {
        /// First day.
        from: NaiveDate,
        /// Last day.
        to: NaiveDate,
    },
    /// Reading the replica failed.
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// The first instant of `day` in `tz` (the first existing instant when the day starts in a
/// clock change gap).
pub fn start_of_day(tz: Tz, day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    for shift in 0..=4 {
        match tz.from_local_datetime(&(midnight + Duration::minutes(30 * shift))) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => return t.with_timezone(&Utc),
            LocalResult::None => continue,
        }
    }
    Utc.from_utc_datetime(&midnight)
}

/// Counts the tickets opened in the period, bucketed in the query's zone.
pub fn load_report(r: &Replica, q: &LoadQuery) -> Result<LoadReport, ReportError> {
    if let (Some(from), Some(to)) = (q.from, q.to) {
        if from > to {
            return Err(ReportError::EmptyPeriod { from, to });
        }
    }
    let lo = q.from.map_or(i64::MIN, |d| start_of_day(q.tz, d).timestamp());
    let hi = q.to.and_then(|d| d.succ_opt()).map_or(i64::MAX, |d| start_of_day(q.tz, d).timestamp());
    let n = match q.by {
        Bucketing::Hour => 24,
        Bucketing::Weekday => 7,
        Bucketing::HourOfWeek => 168,
    };
    let mut counts = vec![0u64; n];
    let mut stmt = r.conn().prepare_cached("SELECT created_at FROM tickets WHERE created_at >= ?1 AND created_at < ?2").map_err(store::StoreError::from)?;
    let mut rows = stmt.query([lo, hi]).map_err(store::StoreError::from)?;
    while let Some(row) = rows.next().map_err(store::StoreError::from)? {
        let ts: i64 = row.get(0).map_err(store::StoreError::from)?;
        let local = q.tz.from_utc_datetime(&DateTime::from_timestamp(ts, 0).unwrap_or_default().naive_utc());
        let hour = local.hour() as usize;
        let weekday = local.weekday().num_days_from_monday() as usize;
        counts[match q.by {
            Bucketing::Hour => hour,
            Bucketing::Weekday => weekday,
            Bucketing::HourOfWeek => weekday * 24 + hour,
        }] += 1;
    }
    let buckets = counts
        .iter()
        .enumerate()
        .map(|(i, &count)| Bucket {
            key: match q.by {
                Bucketing::Hour => BucketKey::Hour(i as u32),
                Bucketing::Weekday => BucketKey::Name(WEEKDAYS[i].into()),
                Bucketing::HourOfWeek => BucketKey::Name(format!("{}-{:02}", WEEKDAYS[i / 24], i % 24)),
            },
            count,
        })
        .collect();
    Ok(LoadReport { by: q.by, time_zone: q.tz.name().to_string(), from: q.from, to: q.to, total: counts.iter().sum(), buckets })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moscow_day_starts_at_21_utc_the_day_before() {
        let t = start_of_day(chrono_tz::Europe::Moscow, NaiveDate::from_ymd_opt(2026, 11, 2).unwrap());
        assert_eq!(t.to_rfc3339(), "2026-11-01T21:00:00+00:00");
    }

    #[test]
    fn a_day_that_starts_in_a_clock_change_gap_starts_at_the_first_real_instant() {
        // Havana skips 00:00–01:00 when summer time starts (2026-03-08).
        let t = start_of_day(chrono_tz::America::Havana, NaiveDate::from_ymd_opt(2026, 3, 8).unwrap());
        assert_eq!(t.to_rfc3339(), "2026-03-08T05:00:00+00:00");
    }
}

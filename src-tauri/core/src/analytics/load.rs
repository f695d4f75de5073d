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
    /// One bucket per day of the period (`2026-11-28`), for the daily trend.
    Day,
}

/// What the counts of each bucket are split by (one series each), for stacked charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export_to = "analytics.ts")]
pub enum Stack {
    /// The client's time zone.
    ClientZone,
    /// The channel the ticket came by.
    Channel,
    /// Incident or request.
    Kind,
    /// The line holding the ticket.
    Line,
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
    /// Read each ticket's hour and day in its client's own zone instead of `tz`.
    pub client_local: bool,
    /// Split the counts into series.
    pub stack: Option<Stack>,
}

/// One series of a stacked report: its counts per bucket, in bucket order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "analytics.ts")]
pub struct Series {
    /// The series' value (`Europe/Moscow`, `email`, `incident`, `2`).
    pub name: String,
    /// Tickets per bucket.
    pub counts: Vec<u64>,
}

/// A week's total in a daily trend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "analytics.ts")]
pub struct WeekTotal {
    /// The week's Monday.
    #[ts(type = "string")]
    pub week: NaiveDate,
    /// Tickets opened that week (within the period).
    pub count: u64,
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
    /// Hours and days were read in each client's own zone.
    pub client_local: bool,
    /// What the series split by, if stacked.
    pub stack: Option<Stack>,
    /// Tickets counted.
    pub total: u64,
    /// The buckets, in order.
    pub buckets: Vec<Bucket>,
    /// The split, when stacked: one series per value, largest first.
    pub series: Vec<Series>,
    /// Week totals (daily trend only).
    pub weeks: Vec<WeekTotal>,
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
    /// A daily trend needs its period.
    #[error("a daily trend needs --from and --to")]
    DaysNeedPeriod,
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

/// Counts the tickets opened in the period, bucketed in the query's zone (or each client's).
pub fn load_report(r: &Replica, q: &LoadQuery) -> Result<LoadReport, ReportError> {
    if let (Some(from), Some(to)) = (q.from, q.to) {
        if from > to {
            return Err(ReportError::EmptyPeriod { from, to });
        }
    }
    // In clients' own zones a local day may start up to ~a day apart from the lead's: read a
    // day more on each side, then keep each ticket by its own local date.
    let margin = if q.client_local { Duration::days(1) } else { Duration::zero() };
    let lo = q.from.map_or(i64::MIN, |d| (start_of_day(q.tz, d) - margin).timestamp());
    let hi = q.to.and_then(|d| d.succ_opt()).map_or(i64::MAX, |d| (start_of_day(q.tz, d) + margin).timestamp());
    let days = match q.by {
        Bucketing::Day => match (q.from, q.to) {
            (Some(from), Some(to)) => Some((from, (to - from).num_days() as usize + 1)),
            _ => return Err(ReportError::DaysNeedPeriod),
        },
        _ => None,
    };
    let n = match q.by {
        Bucketing::Hour => 24,
        Bucketing::Weekday => 7,
        Bucketing::HourOfWeek => 168,
        Bucketing::Day => days.map_or(0, |(_, n)| n),
    };
    // The hourly rollup answers when it can; a split or clients' own time reads the tickets.
    let rolled = if q.client_local || q.stack.is_some() { None } else { from_rollup(r, q, lo, hi, days, n)? };
    let (counts, mut series) = match rolled {
        Some(counts) => (counts, Vec::new()),
        None => scan(r, q, lo, hi, days, n)?,
    };
    series.sort_by(|a, b| b.counts.iter().sum::<u64>().cmp(&a.counts.iter().sum::<u64>()).then_with(|| a.name.cmp(&b.name)));
    let mut weeks: Vec<WeekTotal> = Vec::new();
    if let Some((from, _)) = days {
        for (i, &count) in counts.iter().enumerate() {
            let day = from + Duration::days(i as i64);
            let week = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
            match weeks.last_mut() {
                Some(w) if w.week == week => w.count += count,
                _ => weeks.push(WeekTotal { week, count }),
            }
        }
    }
    let buckets = counts
        .iter()
        .enumerate()
        .map(|(i, &count)| Bucket {
            key: match q.by {
                Bucketing::Hour => BucketKey::Hour(i as u32),
                Bucketing::Weekday => BucketKey::Name(WEEKDAYS[i].into()),
                Bucketing::HourOfWeek => BucketKey::Name(format!("{}-{:02}", WEEKDAYS[i / 24], i % 24)),
                Bucketing::Day => BucketKey::Name(days.map(|(from, _)| (from + Duration::days(i as i64)).to_string()).unwrap_or_default()),
            },
            count,
        })
        .collect();
    Ok(LoadReport {
        by: q.by,
        time_zone: q.tz.name().to_string(),
        from: q.from,
        to: q.to,
        client_local: q.client_local,
        stack: q.stack,
        total: counts.iter().sum(),
        buckets,
        series,
        weeks,
    })
}

/// Counts (and series) by reading every ticket registered in `[lo, hi)`.
fn scan(r: &Replica, q: &LoadQuery, lo: i64, hi: i64, days: Option<(NaiveDate, usize)>, n: usize) -> Result<(Vec<u64>, Vec<Series>), ReportError> {
    let mut counts = vec![0u64; n];
    let mut series: Vec<Series> = Vec::new();
    let mut zones: std::collections::HashMap<String, Tz> = std::collections::HashMap::new();
    let sql = if q.client_local || q.stack.is_some() {
        "SELECT t.created_at, c.time_zone, t.channel, t.kind, t.line FROM tickets t JOIN clients c ON c.id = t.client_id
         WHERE t.created_at >= ?1 AND t.created_at < ?2"
    } else {
        "SELECT created_at, NULL, NULL, NULL, NULL FROM tickets WHERE created_at >= ?1 AND created_at < ?2"
    };
    let mut stmt = r.conn().prepare_cached(sql).map_err(store::StoreError::from)?;
    let mut rows = stmt.query([lo, hi]).map_err(store::StoreError::from)?;
    while let Some(row) = rows.next().map_err(store::StoreError::from)? {
        let ts: i64 = row.get(0).map_err(store::StoreError::from)?;
        let zone_name: Option<String> = row.get(1).map_err(store::StoreError::from)?;
        let tz = match (&zone_name, q.client_local) {
            (Some(z), true) => *zones.entry(z.clone()).or_insert_with(|| z.parse().unwrap_or(q.tz)),
            _ => q.tz,
        };
        let local = tz.from_utc_datetime(&DateTime::from_timestamp(ts, 0).unwrap_or_default().naive_utc());
        if q.client_local && (q.from.is_some_and(|f| local.date_naive() < f) || q.to.is_some_and(|t| local.date_naive() > t)) {
            continue;
        }
        let Some(i) = bucket_of(q, days, &local) else { continue };
        counts[i] += 1;
        if let Some(stack) = q.stack {
            let name = match stack {
                Stack::ClientZone => zone_name.unwrap_or_default(),
                Stack::Channel => row.get::<_, String>(2).map_err(store::StoreError::from)?,
                Stack::Kind => row.get::<_, String>(3).map_err(store::StoreError::from)?,
                Stack::Line => row.get::<_, i64>(4).map_err(store::StoreError::from)?.to_string(),
            };
            match series.iter_mut().find(|s| s.name == name) {
                Some(s) => s.counts[i] += 1,
                None => {
                    let mut c = vec![0; n];
                    c[i] = 1;
                    series.push(Series { name, counts: c });
                }
            }
        }
    }
    Ok((counts, series))
}

/// Which bucket of `q` a local time falls in.
fn bucket_of(q: &LoadQuery, days: Option<(NaiveDate, usize)>, local: &DateTime<Tz>) -> Option<usize> {
    let hour = local.hour() as usize;
    let weekday = local.weekday().num_days_from_monday() as usize;
    match q.by {
        Bucketing::Hour => Some(hour),
        Bucketing::Weekday => Some(weekday),
        Bucketing::HourOfWeek => Some(weekday * 24 + hour),
        Bucketing::Day => {
            let (from, n) = days?;
            usize::try_from((local.date_naive() - from).num_days()).ok().filter(|i| *i < n)
        }
    }
}

/// The counts from the hourly rollup, when the zone's hours start on UTC hours over the
/// period (true of every zone with whole-hour offsets); `None` to read the tickets instead.
fn from_rollup(r: &Replica, q: &LoadQuery, lo: i64, hi: i64, days: Option<(NaiveDate, usize)>, n: usize) -> Result<Option<Vec<u64>>, ReportError> {
    if (lo != i64::MIN && lo.rem_euclid(3600) != 0) || (hi != i64::MAX && hi.rem_euclid(3600) != 0) {
        return Ok(None);
    }
    let (from_hour, to_hour) = (if lo == i64::MIN { i64::MIN } else { lo / 3600 }, if hi == i64::MAX { i64::MAX } else { hi / 3600 });
    let mut counts = vec![0u64; n];
    let mut stmt = r.conn().prepare_cached("SELECT hour, tickets FROM load_hourly WHERE hour >= ?1 AND hour < ?2 AND tickets > 0").map_err(store::StoreError::from)?;
    let mut rows = stmt.query([from_hour, to_hour]).map_err(store::StoreError::from)?;
    while let Some(row) = rows.next().map_err(store::StoreError::from)? {
        let (hour, tickets): (i64, u64) = (row.get(0).map_err(store::StoreError::from)?, row.get(1).map_err(store::StoreError::from)?);
        let local = q.tz.from_utc_datetime(&DateTime::from_timestamp(hour * 3600, 0).unwrap_or_default().naive_utc());
        if local.minute() != 0 {
            return Ok(None);
        }
        if let Some(i) = bucket_of(q, days, &local) {
            counts[i] += tickets;
        }
    }
    Ok(Some(counts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hourly_rollup_gives_what_reading_every_ticket_gives() {
        let mut r = Replica::open_in_memory().unwrap();
        let now: DateTime<Utc> = "2026-11-28T09:00:00Z".parse().unwrap();
        crate::demo::write_demo(&mut r, &crate::demo::DemoOptions { days: 300, seed: 3, now }).unwrap();
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        // New York crosses both clock changes of 2026 in this period; Kolkata (UTC+5:30)
        // cannot use the rollup and reads the tickets.
        for tz in [chrono_tz::Europe::Moscow, chrono_tz::America::New_York, chrono_tz::Asia::Kolkata, chrono_tz::UTC] {
            for by in [Bucketing::Hour, Bucketing::Weekday, Bucketing::HourOfWeek, Bucketing::Day] {
                let q = LoadQuery { by, tz, from: Some(day("2026-02-01")), to: Some(day("2026-11-27")), client_local: false, stack: None };
                let fast = load_report(&r, &q).unwrap();
                // The same question with a split reads the tickets; its buckets must agree.
                let slow = load_report(&r, &LoadQuery { stack: Some(Stack::Kind), ..q.clone() }).unwrap();
                assert_eq!(fast.buckets, slow.buckets, "{tz} {by:?}");
                assert!(fast.total > 40_000);
            }
        }
        // A moved registration keeps the rollup in step.
        let before = load_report(&r, &LoadQuery { by: Bucketing::Hour, tz: chrono_tz::UTC, from: None, to: None, client_local: false, stack: None }).unwrap();
        r.write(|tx| {
            tx.execute("UPDATE tickets SET created_at = created_at + 7200 WHERE id = (SELECT min(id) FROM tickets)", [])?;
            Ok(())
        })
        .unwrap();
        let after = load_report(&r, &LoadQuery { by: Bucketing::Hour, tz: chrono_tz::UTC, from: None, to: None, client_local: false, stack: None }).unwrap();
        let scanned = load_report(&r, &LoadQuery { stack: Some(Stack::Kind), by: Bucketing::Hour, tz: chrono_tz::UTC, from: None, to: None, client_local: false }).unwrap();
        assert_eq!(after.buckets, scanned.buckets);
        assert_eq!(after.total, before.total);
    }

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

//! Reading what people type — on the command line, in the window, in a settings file — into
//! the core's types, by one rule each: instants, days, months, ISO weeks, time zones.
//! Both front ends call these, so `2026-11` means the same month everywhere.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;

/// A value that is not in the form asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// Not an instant.
    #[error("time '{0}' is neither RFC 3339 (2026-11-28T09:00:00Z) nor a date (2026-11-28)")]
    Instant(String),
    /// Not a day.
    #[error("day '{0}' is not in the form YYYY-MM-DD (e.g. 2026-12-01)")]
    Day(String),
    /// Not a month.
    #[error("month '{0}' is not in the form YYYY-MM (e.g. 2026-12)")]
    Month(String),
    /// Not an ISO week.
    #[error("week '{0}' is not an ISO week in the form YYYY-Www (e.g. 2026-W49)")]
    Week(String),
    /// A date before 1970 or after 9999.
    #[error("'{0}' is outside the years 1970–9999")]
    OutOfRange(String),
    /// Not a time zone.
    #[error("time zone '{0}' is not an IANA time zone name (e.g. Europe/Moscow, Asia/Almaty, America/New_York)")]
    TimeZone(String),
}

/// The first year Smena accepts in a date from outside.
pub const FIRST_YEAR: i32 = 1970;
/// The last year Smena accepts in a date from outside: far enough for any desk, and near
/// enough that a deadline or a month after it never leaves the calendar.
pub const LAST_YEAR: i32 = 9999;

/// The instant, when its year lies within [`FIRST_YEAR`]–[`LAST_YEAR`].
pub fn sane(t: DateTime<Utc>) -> Option<DateTime<Utc>> {
    (FIRST_YEAR..=LAST_YEAR).contains(&t.year()).then_some(t)
}

/// The day, when its year lies within [`FIRST_YEAR`]–[`LAST_YEAR`].
pub fn sane_day(d: NaiveDate) -> Option<NaiveDate> {
    (FIRST_YEAR..=LAST_YEAR).contains(&d.year()).then_some(d)
}

/// An instant: RFC 3339 (`2026-11-28T09:00:00Z`, any offset), or a date meaning its 00:00 UTC.
pub fn instant(s: &str) -> Result<DateTime<Utc>, InputError> {
    let t = s.trim();
    let at = match DateTime::parse_from_rfc3339(t) {
        Ok(at) => at.with_timezone(&Utc),
        Err(_) => NaiveDate::parse_from_str(t, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|d| d.and_utc()).ok_or_else(|| InputError::Instant(s.to_string()))?,
    };
    sane(at).ok_or_else(|| InputError::OutOfRange(s.to_string()))
}

/// A day, `YYYY-MM-DD`.
pub fn day(s: &str) -> Result<NaiveDate, InputError> {
    let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| InputError::Day(s.to_string()))?;
    sane_day(d).ok_or_else(|| InputError::OutOfRange(s.to_string()))
}

/// A month, `YYYY-MM`, as its first day.
pub fn month(s: &str) -> Result<NaiveDate, InputError> {
    let t = s.trim();
    if t.len() > 7 {
        return Err(InputError::Month(s.to_string()));
    }
    let d = NaiveDate::parse_from_str(&format!("{t}-01"), "%Y-%m-%d").map_err(|_| InputError::Month(s.to_string()))?;
    sane_day(d).ok_or_else(|| InputError::OutOfRange(s.to_string()))
}

/// An ISO week, `YYYY-Www`, as its Monday.
pub fn week(s: &str) -> Result<NaiveDate, InputError> {
    let d = NaiveDate::parse_from_str(&format!("{}-1", s.trim()), "%G-W%V-%u").map_err(|_| InputError::Week(s.to_string()))?;
    sane_day(d).ok_or_else(|| InputError::OutOfRange(s.to_string()))
}

/// An IANA time zone (`Europe/Moscow`).
pub fn time_zone(s: &str) -> Result<Tz, InputError> {
    s.trim().parse::<Tz>().map_err(|_| InputError::TimeZone(s.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_form_is_read_by_one_rule() {
        assert_eq!(instant("2026-11-28T12:00:00+03:00").unwrap().to_rfc3339(), "2026-11-28T09:00:00+00:00");
        assert_eq!(instant("2026-11-28").unwrap().to_rfc3339(), "2026-11-28T00:00:00+00:00");
        assert_eq!(instant(" 2026-11-28T09:00:00Z ").unwrap().to_rfc3339(), "2026-11-28T09:00:00+00:00");
        assert_eq!(month("2026-02").unwrap(), NaiveDate::from_ymd_opt(2026, 2, 1).unwrap());
        assert_eq!(week("2026-W49").unwrap(), NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
        assert_eq!(day("2026-12-01").unwrap(), NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        assert_eq!(time_zone("Asia/Almaty").unwrap(), chrono_tz::Asia::Almaty);
    }

    #[test]
    fn a_wrong_form_is_named_with_the_form_expected() {
        assert_eq!(instant("28.11.2026"), Err(InputError::Instant("28.11.2026".into())));
        assert!(month("2026-13").unwrap_err().to_string().contains("YYYY-MM"));
        assert!(month("2026-12-01").is_err(), "a day is not a month");
        assert!(week("2026-W54").is_err());
        assert!(day("2026-02-30").is_err());
        assert!(time_zone("Moscow").unwrap_err().to_string().contains("IANA"));
        assert_eq!(day("+262142-01-01"), Err(InputError::OutOfRange("+262142-01-01".into())));
        assert_eq!(instant("1969-12-31T23:00:00Z"), Err(InputError::OutOfRange("1969-12-31T23:00:00Z".into())));
    }
}

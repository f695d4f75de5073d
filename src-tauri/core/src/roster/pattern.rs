//! The rotation engine: shift templates, repeating cycles, and the real instants a shift
//! starts and ends at (read in the shift's zone, so a night across a DST change lasts 11 or
//! 13 hours and an office day stays 09:00 local).

use super::RosterError;
use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// A shift's shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "roster.ts")]
pub struct ShiftTemplate {
    /// One capital letter (D, N, W, …); `O` and `-` mean a day off in a cycle.
    pub code: String,
    /// Name in English.
    pub name_en: String,
    /// Name in Russian.
    pub name_ru: String,
    /// Local start, `HH:MM`.
    pub start_time: String,
    /// Length in wall-clock minutes.
    pub minutes: u32,
    /// Unpaid break inside the shift, in minutes.
    pub break_minutes: u32,
    /// IANA zone the times are read in; none means the person's own zone.
    pub time_zone: Option<String>,
    /// Not worked on public holidays (office days).
    pub observes_holidays: bool,
}

/// One shift worked by one person: the day it starts on and its real instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instants {
    /// Start.
    pub start: DateTime<Utc>,
    /// End.
    pub end: DateTime<Utc>,
}

impl ShiftTemplate {
    /// The zone the shift's times are read in for a person living in `person_zone`.
    pub fn zone(&self, person_zone: &str) -> Result<Tz, RosterError> {
        let name = self.time_zone.as_deref().unwrap_or(person_zone);
        name.parse::<Tz>().map_err(|_| RosterError::Invalid(format!("shift {}: unknown time zone '{name}'", self.code)))
    }

    /// The local start time.
    pub fn start(&self) -> Result<NaiveTime, RosterError> {
        NaiveTime::parse_from_str(&self.start_time, "%H:%M").map_err(|_| RosterError::Invalid(format!("shift {}: start '{}' is not HH:MM", self.code, self.start_time)))
    }

    /// When this shift, started on `day`, begins and ends for a person in `person_zone`.
    pub fn instants(&self, day: NaiveDate, person_zone: &str) -> Result<Instants, RosterError> {
        let tz = self.zone(person_zone)?;
        let local_start = day.and_time(self.start()?);
        let local_end = local_start + Duration::minutes(i64::from(self.minutes));
        Ok(Instants { start: resolve(tz, local_start), end: resolve(tz, local_end) })
    }

    /// Paid minutes of one shift that really lasts `instants`.
    pub fn paid_minutes(&self, instants: Instants) -> i64 {
        (instants.end - instants.start).num_minutes() - i64::from(self.break_minutes)
    }
}

/// A local wall-clock time as an instant: the earlier reading when the clock falls back,
/// the moment the clock jumps to when it springs forward over that time.
pub fn resolve(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, _) => a.with_timezone(&Utc),
        LocalResult::None => {
            // In a spring-forward gap: the first valid minute after it.
            let mut probe = local;
            loop {
                probe += Duration::minutes(15);
                if let Some(t) = tz.from_local_datetime(&probe).earliest() {
                    return t.with_timezone(&Utc);
                }
            }
        }
    }
}

/// A repeating cycle of shift codes and days off (`O` or `-`), aligned on a start day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "roster.ts")]
pub struct Rotation {
    /// Staff id.
    pub staff_id: i64,
    /// The cycle, e.g. `DDOONNOO` (2 days, 2 off, 2 nights, 2 off) or `WWWWWOO` (5/2).
    pub cycle: String,
    /// The day the cycle's first symbol falls on.
    #[ts(type = "string")]
    pub start_day: NaiveDate,
    /// Crew name, if the person belongs to one.
    pub crew: Option<String>,
}

impl Rotation {
    /// Checks the cycle's symbols against the known template codes.
    pub fn check(&self, codes: &[String]) -> Result<(), RosterError> {
        if self.cycle.is_empty() || self.cycle.chars().count() > 62 {
            return Err(RosterError::Invalid(format!("cycle '{}': must have 1 to 62 symbols", self.cycle)));
        }
        for c in self.cycle.chars() {
            if c != 'O' && c != '-' && !codes.iter().any(|k| k.starts_with(c)) {
                return Err(RosterError::Invalid(format!("cycle '{}': '{c}' is neither a shift ({}) nor a day off (O or -)", self.cycle, codes.join(", "))));
            }
        }
        Ok(())
    }

    /// The shift code the cycle puts on `day`, or none for a day off.
    pub fn code_on(&self, day: NaiveDate) -> Option<char> {
        let symbols: Vec<char> = self.cycle.chars().collect();
        if symbols.is_empty() {
            return None;
        }
        let offset = (day - self.start_day).num_days().rem_euclid(symbols.len() as i64) as usize;
        Some(symbols[offset]).filter(|c| *c != 'O' && *c != '-')
    }
}

/// The crews of the default 2/2 rotation: day, day, off, off, night, night, off, off, four
/// crews two days apart, so every day has one crew on days and one on nights.
pub const TWO_TWO_CYCLE: &str = "DDOONNOO";
/// The 5/2 office week, to start on a Monday.
pub const OFFICE_CYCLE: &str = "WWWWWOO";
/// Crew names of the default rotation.
pub const CREWS: [&str; 4] = ["A", "B", "C", "D"];

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(crate) fn template(code: &str, start: &str, minutes: u32, zone: Option<&str>) -> ShiftTemplate {
        ShiftTemplate {
            code: code.into(),
            name_en: code.into(),
            name_ru: code.into(),
            start_time: start.into(),
            minutes,
            break_minutes: 0,
            time_zone: zone.map(str::to_string),
            observes_holidays: false,
        }
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn rotation(cycle: &str, start: &str) -> Rotation {
        Rotation { staff_id: 1, cycle: cycle.into(), start_day: d(start), crew: None }
    }

    #[test]
    fn a_cycle_repeats_over_several_months_and_before_its_start() {
        let r = rotation(TWO_TWO_CYCLE, "2026-01-01");
        let days: String = (0..16).map(|i| r.code_on(d("2026-01-01") + Duration::days(i)).unwrap_or('.')).collect();
        assert_eq!(days, "DD..NN..DD..NN..");
        // 2026-03-01 is day 59 of the cycle: 59 % 8 = 3 (off); 2026-04-30 is day 119: 119 % 8 = 7 (off), 05-01 = 0 (D).
        assert_eq!(r.code_on(d("2026-03-01")), None);
        assert_eq!(r.code_on(d("2026-03-02")), Some('N'));
        assert_eq!(r.code_on(d("2026-05-01")), Some('D'));
        // Before the start day the cycle runs backwards: 2025-12-31 is symbol 7 (off), 12-29 is symbol 5 (N).
        assert_eq!(r.code_on(d("2025-12-31")), None);
        assert_eq!(r.code_on(d("2025-12-29")), Some('N'));
        // Counted over a whole year: half the days are worked, a quarter days, a quarter nights.
        let year: Vec<Option<char>> = (0..365).map(|i| r.code_on(d("2026-01-01") + Duration::days(i))).collect();
        assert_eq!(year.iter().filter(|c| **c == Some('D')).count(), 92);
        assert_eq!(year.iter().filter(|c| **c == Some('N')).count(), 91);
    }

    #[test]
    fn four_crews_two_days_apart_put_one_crew_on_every_day_and_night() {
        let crews: Vec<Rotation> = (0..4).map(|k| rotation(TWO_TWO_CYCLE, &(d("2026-11-01") + Duration::days(2 * k)).to_string())).collect();
        for i in 0..90 {
            let day = d("2026-11-01") + Duration::days(i);
            let codes: Vec<Option<char>> = crews.iter().map(|r| r.code_on(day)).collect();
            assert_eq!(codes.iter().filter(|c| **c == Some('D')).count(), 1, "{day}");
            assert_eq!(codes.iter().filter(|c| **c == Some('N')).count(), 1, "{day}");
        }
    }

    #[test]
    fn a_five_two_week_starts_on_its_monday() {
        let r = rotation(OFFICE_CYCLE, "2026-11-02");
        let week: String = (0..14).map(|i| r.code_on(d("2026-11-02") + Duration::days(i)).unwrap_or('.')).collect();
        assert_eq!(week, "WWWWW..WWWWW..");
    }

    #[test]
    fn a_cycle_with_an_unknown_symbol_is_refused_with_the_symbol_named() {
        let codes = vec!["D".to_string(), "N".to_string()];
        assert!(rotation("DNOO", "2026-11-01").check(&codes).is_ok());
        assert!(rotation("DD--", "2026-11-01").check(&codes).is_ok());
        let e = rotation("DDXO", "2026-11-01").check(&codes).unwrap_err().to_string();
        assert!(e.contains("'X'") && e.contains("DDXO"), "{e}");
        assert!(rotation("", "2026-11-01").check(&codes).is_err());
    }

    #[test]
    fn moscow_shifts_are_twelve_hours_and_the_night_ends_next_morning() {
        let day = template("D", "08:00", 720, Some("Europe/Moscow"));
        let night = template("N", "20:00", 720, Some("Europe/Moscow"));
        // Whoever works it, wherever they live: Moscow time.
        let i = day.instants(d("2026-11-28"), "Asia/Novosibirsk").unwrap();
        assert_eq!(i.start.to_rfc3339(), "2026-11-28T05:00:00+00:00");
        assert_eq!(i.end.to_rfc3339(), "2026-11-28T17:00:00+00:00");
        let n = night.instants(d("2026-11-28"), "Europe/Moscow").unwrap();
        assert_eq!(n.end.to_rfc3339(), "2026-11-29T05:00:00+00:00");
        assert_eq!(night.paid_minutes(n), 720);
    }

    #[test]
    fn across_a_dst_change_the_office_day_stays_local_and_a_night_lasts_thirteen_hours() {
        let office = template("W", "09:00", 540, None);
        // Toronto leaves daylight time on Sunday 2026-11-01 (EDT UTC-4 → EST UTC-5).
        let before = office.instants(d("2026-10-30"), "America/Toronto").unwrap();
        let after = office.instants(d("2026-11-02"), "America/Toronto").unwrap();
        assert_eq!(before.start.to_rfc3339(), "2026-10-30T13:00:00+00:00");
        assert_eq!(after.start.to_rfc3339(), "2026-11-02T14:00:00+00:00");
        let night = template("N", "20:00", 720, None);
        let fall = night.instants(d("2026-10-31"), "America/Toronto").unwrap();
        assert_eq!(night.paid_minutes(fall), 13 * 60);
        // And in spring (2026-03-08, clocks forward at 02:00) the night is an hour short.
        let spring = night.instants(d("2026-03-07"), "America/Toronto").unwrap();
        assert_eq!(night.paid_minutes(spring), 11 * 60);
        // The same rotation over the change still puts the shift on the same local days.
        let r = rotation(OFFICE_CYCLE, "2026-10-26");
        assert_eq!(r.code_on(d("2026-10-30")), Some('W'));
        assert_eq!(r.code_on(d("2026-11-01")), None);
        assert_eq!(r.code_on(d("2026-11-02")), Some('W'));
    }

    #[test]
    fn a_start_inside_the_spring_gap_moves_to_the_first_valid_minute() {
        let odd = template("X", "02:30", 60, Some("America/Toronto"));
        let i = odd.instants(d("2026-03-08"), "UTC").unwrap();
        // 02:30 does not exist that night; 03:00 EDT = 07:00 UTC.
        assert_eq!(i.start.to_rfc3339(), "2026-03-08T07:00:00+00:00");
    }
}

//! Shift rosters: the 2/2 twelve-hour rotation of the first and second lines, the 5/2 office
//! week of the third line, the lead and the deputy; staffing rules per shift and line; labour
//! rules per person; a month generated from each person's rotation, edited by hand, checked
//! on every edit, published; the "now" panel; iCalendar and CSV export.
//!
//! Rotations and templates are data (`DDOONNOO`, `NNOO`, `WWWWWOO` …), not code. A month's
//! plan lives in the replica once generated; before that, rotations alone say who works.

pub mod data;
pub mod handover;
pub mod ical;
pub mod io;
pub mod month;
pub mod now;
pub mod oncall;
pub mod pattern;
pub mod rules;
#[cfg(test)]
mod tests;

pub use month::{CoverageReport, RosterMonth, RosterPerson};
pub use now::NowPanel;
pub use pattern::{Rotation, ShiftTemplate};
pub use rules::{AbsenceKind, Breach, LineCounts, Rules, ShiftCoverage, Suggestion};

use crate::store::StoreError;
use chrono::NaiveDate;

/// What can go wrong with a roster.
#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    /// Input that is not valid, with what and where.
    #[error("{0}")]
    Invalid(String),
    /// A day or month not in the form asked for.
    #[error(transparent)]
    Input(#[from] crate::input::InputError),
    /// The replica failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for RosterError {
    fn from(e: rusqlite::Error) -> Self {
        RosterError::Store(StoreError::Sqlite(e))
    }
}

impl From<RosterError> for StoreError {
    fn from(e: RosterError) -> Self {
        match e {
            RosterError::Store(e) => e,
            RosterError::Invalid(m) => StoreError::InvalidValue(m),
            RosterError::Input(e) => StoreError::InvalidValue(e.to_string()),
        }
    }
}

/// The first day of a day's month.
pub fn first_of(day: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    day.with_day(1).expect("every month has a first day")
}

/// `YYYY-MM` of a day.
pub fn month_key(day: NaiveDate) -> String {
    day.format("%Y-%m").to_string()
}

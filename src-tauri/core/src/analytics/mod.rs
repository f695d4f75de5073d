//! Reports over the replica: load by hour, weekday, hour of week and day; breakdowns; staffing.

pub mod breakdown;
pub mod load;
pub mod staffing;

pub use load::{load_report, start_of_day, Bucketing, LoadQuery, LoadReport, ReportError, Stack};
pub use staffing::{staffing_report, StaffingQuery, StaffingReport};

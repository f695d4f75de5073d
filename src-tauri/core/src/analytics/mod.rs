//! Reports over the replica: load by hour, weekday and hour of week.

pub mod breakdown;
pub mod load;

pub use load::{load_report, Bucketing, LoadQuery, LoadReport, ReportError};

//! The SLA model: each client's contract, its support-hours calendar, the clock of every
//! ticket computed from its status history, and the dashboards built on them.

pub mod ack;
pub mod calendar;
pub mod contract;
pub mod deadline;
pub mod notify;
pub mod report;
pub mod timer;

pub use calendar::{Calendar, SupportHours};
pub use contract::{Contract, ContractError};
pub use report::{at_risk, client_month, sla_report, ClientMonth, Compliance, Group, SlaError, SlaQuery, SlaReport, TimerKind, TimerRow};
pub use timer::Timer;

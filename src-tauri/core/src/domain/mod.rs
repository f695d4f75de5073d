//! The nouns and rules of the service desk, as DOMAIN.md describes them.

pub(crate) mod text_enum;

pub mod action;
pub mod client;
pub mod level;
pub mod lifecycle;
pub mod priority;
pub mod request_model;
pub mod staff;
pub mod ticket;

pub use action::{Action, ActionError, ActionKind};
pub use client::{contact_is_authorised, Client, Contact};
pub use level::Level;
pub use lifecycle::{ClosureCode, LifecycleError, Status, Transition, AUTO_CLOSE_AFTER};
pub use priority::{MatrixError, Priority, PriorityMatrix};
pub use request_model::RequestType;
pub use staff::{Role, Skill, StaffMember};
pub use ticket::{Channel, Kind, Line};

/// A value written on the command line or in the database that is not one of the known ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} '{value}' (expected one of: {expected})")]
pub struct ParseEnumError {
    /// What kind of value was being read (status, urgency, …).
    pub what: &'static str,
    /// The text that was given.
    pub value: String,
    /// The accepted spellings, comma-separated.
    pub expected: String,
}

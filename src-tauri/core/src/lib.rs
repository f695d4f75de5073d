//! Smena's core: the service desk's domain rules, the local SQLite replica of the
//! ticket queue, the built-in demo and the reports. It knows nothing of Tauri: the
//! desktop window and the headless CLI are both thin fronts over these functions.
#![deny(missing_docs)]

pub mod actions;
pub mod analytics;
#[cfg(test)]
mod bindings;
pub mod charts;
pub mod clients;
pub mod clock;
pub mod dashboard;
pub mod demo;
pub mod domain;
pub mod error;
#[cfg(test)]
mod fuzz;
pub mod import;
pub mod input;
pub mod output;
pub mod roster;
pub mod sla;
pub mod store;
pub mod sync;

pub use clock::{Clock, FixedClock, SystemClock};

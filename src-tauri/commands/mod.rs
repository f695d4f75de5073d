//! Tauri commands: one-line adapters from the window to the core, grouped by feature.

pub mod actions;
pub mod dashboards;
pub mod import;
pub mod queue;

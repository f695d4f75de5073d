//! The one error type the window sees: `{code, message}` with a closed set of codes,
//! mirrored by `ErrorCode` in `ui/src/lib/api.ts`.

use serde::Serialize;
use smena_core::actions::{ApplyError, DiscardError};
use smena_core::store::StoreError;

/// What went wrong, in a form the UI can act on.
#[derive(Debug, Serialize)]
pub struct IpcError {
    code: &'static str,
    message: String,
}

impl IpcError {
    pub fn storage(message: impl Into<String>) -> IpcError {
        IpcError { code: "storage", message: message.into() }
    }

    pub fn invalid_input(message: impl Into<String>) -> IpcError {
        IpcError { code: "invalid_input", message: message.into() }
    }

    pub fn not_found(message: impl Into<String>) -> IpcError {
        IpcError { code: "not_found", message: message.into() }
    }

    pub fn internal(message: impl Into<String>) -> IpcError {
        IpcError { code: "internal", message: message.into() }
    }
}

impl From<StoreError> for IpcError {
    fn from(e: StoreError) -> IpcError {
        let code = match e {
            StoreError::TicketNotFound(_) => "not_found",
            StoreError::Conflict(_) | StoreError::InvalidValue(_) => "invalid_input",
            _ => "storage",
        };
        IpcError { code, message: e.to_string() }
    }
}

impl From<ApplyError> for IpcError {
    fn from(e: ApplyError) -> IpcError {
        match e {
            ApplyError::Refused(refusal) => IpcError { code: "refused", message: refusal.to_string() },
            ApplyError::Store(s) => s.into(),
        }
    }
}

impl From<DiscardError> for IpcError {
    fn from(e: DiscardError) -> IpcError {
        match e {
            DiscardError::Store(s) => s.into(),
            DiscardError::NotFound(_) => IpcError { code: "not_found", message: e.to_string() },
            DiscardError::LaterOperations { .. } | DiscardError::Sending(_) => IpcError { code: "refused", message: e.to_string() },
        }
    }
}

impl From<smena_core::roster::RosterError> for IpcError {
    fn from(e: smena_core::roster::RosterError) -> IpcError {
        match e {
            smena_core::roster::RosterError::Invalid(m) => IpcError::invalid_input(m),
            smena_core::roster::RosterError::Store(s) => s.into(),
        }
    }
}

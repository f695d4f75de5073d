//! The one error type the window sees: `{code, message, message_ru}`, with the code from the
//! core's closed set (`ErrorCode`, generated into `ui/src/lib/bindings/error.ts`) and the
//! message in both languages, so the page shows it in the language it speaks.

use serde::Serialize;
use smena_core::error::{ErrorCode, Failure};

/// What went wrong, in a form the UI can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IpcError {
    code: ErrorCode,
    message: String,
    message_ru: String,
}

impl IpcError {
    /// A failure of the shell's own, said in both languages.
    pub fn new(code: ErrorCode, message: impl Into<String>, message_ru: impl Into<String>) -> IpcError {
        IpcError { code, message: message.into(), message_ru: message_ru.into() }
    }

    /// The same error with `from` replaced by `to` in both messages.
    pub fn replacing(self, from: &str, to: &str) -> IpcError {
        IpcError { code: self.code, message: self.message.replace(from, to), message_ru: self.message_ru.replace(from, to) }
    }

    /// The English message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// A lock poisoned by a panic in another command.
    pub fn poisoned(what: &str) -> IpcError {
        IpcError::new(ErrorCode::Internal, format!("the {what} lock is poisoned"), format!("блокировка «{what}» повреждена"))
    }
}

/// Every core failure reaches the window with its own code and both messages.
macro_rules! from_failures {
    ($($t:ty),+ $(,)?) => {
        $(impl From<$t> for IpcError {
            fn from(e: $t) -> IpcError {
                IpcError { code: e.code(), message: e.to_string(), message_ru: e.ru() }
            }
        })+
    };
}

smena_core::with_failures!(from_failures);

#[cfg(test)]
mod tests {
    use super::*;
    use smena_core::actions::DiscardError;
    use smena_core::domain::{ActionError, Line};
    use smena_core::store::StoreError;
    use smena_core::sync::credentials::CredentialError;
    use smena_core::sync::engine::SyncError;

    #[test]
    fn an_error_reaches_the_page_as_code_and_both_messages() {
        let e: IpcError = smena_core::actions::ApplyError::Refused(ActionError::SkillRequired(Line::THIRD)).into();
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({
                "code": "refused",
                "message": "escalating to line 3 requires a skill (hardware, networks, virtualisation, …)",
                "message_ru": "для эскалации на линию 3 нужен навык (оборудование, сети, виртуализация, …)",
            })
        );
    }

    #[test]
    fn each_core_failure_gets_the_code_the_page_acts_on() {
        let code = |e: IpcError| serde_json::to_value(&e).unwrap()["code"].as_str().unwrap().to_string();
        assert_eq!(code(StoreError::TicketNotFound("INC1".into()).into()), "not_found");
        assert_eq!(code(StoreError::Sqlite(rusqlite::Error::InvalidQuery).into()), "storage", "a failing replica is not the user's input");
        assert_eq!(code(SyncError::NoConflict(3).into()), "not_found", "an unknown conflict is not found, not invalid input");
        assert_eq!(code(CredentialError::NoKeyring("no Secret Service".into()).into()), "keyring", "no keyring is not a replica that cannot be read");
        assert_eq!(code(DiscardError::Sending("op".into()).into()), "refused");
        assert_eq!(code(smena_core::input::month("2026-13").unwrap_err().into()), "invalid_input");
        assert_eq!(code(IpcError::poisoned("replica")), "internal");
    }
}

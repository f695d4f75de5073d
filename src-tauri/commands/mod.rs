//! Tauri commands: one-line adapters from the window to the core, grouped by feature.

pub mod actions;
pub mod clients;
pub mod dashboards;
pub mod import;
pub mod queue;
pub mod roster;
pub mod sync;

use crate::app::AppState;
use crate::ipc_error::IpcError;
use smena_core::store::Replica;
use std::panic::AssertUnwindSafe;
use std::sync::PoisonError;

/// Runs `f` on the replica, or reports why it is not available.
pub(crate) fn with_replica<T, E: Into<IpcError>>(state: &AppState, f: impl FnOnce(&Replica) -> Result<T, E>) -> Result<T, IpcError> {
    let lock = state.replica.as_ref().map_err(Clone::clone)?;
    let replica = lock.lock().unwrap_or_else(PoisonError::into_inner);
    surviving(|| f(&replica))
}

/// Runs `f` on the replica with write access, or reports why it is not available.
pub(crate) fn with_replica_mut<T, E: Into<IpcError>>(state: &AppState, f: impl FnOnce(&mut Replica) -> Result<T, E>) -> Result<T, IpcError> {
    let lock = state.replica.as_ref().map_err(Clone::clone)?;
    let mut replica = lock.lock().unwrap_or_else(PoisonError::into_inner);
    surviving(|| f(&mut replica))
}

/// Runs `f`; a panic in it becomes an internal error instead of taking the window down. The
/// replica stays usable: a transaction open when the panic struck rolls back as it unwinds,
/// and the lock it poisoned is taken over (above) rather than refused for good.
pub(crate) fn surviving<T, E: Into<IpcError>>(f: impl FnOnce() -> Result<T, E>) -> Result<T, IpcError> {
    match std::panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result.map_err(Into::into),
        Err(panic) => {
            let what = panic.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| panic.downcast_ref::<String>().cloned()).unwrap_or_default();
            Err(IpcError::new(
                smena_core::error::ErrorCode::Internal,
                format!("Smena failed inside ({what}); nothing was changed, and the window goes on"),
                format!("внутренний сбой Smena ({what}); ничего не изменено, окно продолжает работу"),
            ))
        }
    }
}

/// A file the shell could not write.
pub(crate) fn cannot_write(path: &std::path::Path, e: std::io::Error) -> IpcError {
    let path = path.display();
    IpcError::new(smena_core::error::ErrorCode::Storage, format!("cannot write {path}: {e}"), format!("не удалось записать {path}: {e}"))
}

#[cfg(test)]
mod tests {
    use crate::ipc_error::IpcError;
    use std::collections::BTreeSet;
    use std::path::Path;

    include!("list.rs");

    macro_rules! names {
        ($($module:ident :: $command:ident),+ $(,)?) => {
            [$(stringify!($command)),+].into_iter().map(str::to_string).collect::<BTreeSet<String>>()
        };
    }

    fn read(path: &str) -> String {
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn a_command_that_panics_answers_an_internal_error_and_the_replica_lock_stays_usable() {
        let lock = std::sync::Mutex::new(smena_core::store::Replica::open_in_memory().unwrap());
        let state = crate::app::AppState::for_tests(lock);
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let answer = super::with_replica_mut(&state, |r| -> Result<(), IpcError> {
            r.write(|tx| {
                tx.execute("INSERT INTO settings (key, value) VALUES ('half-done', 'x')", [])?;
                panic!("DateTime + TimeDelta overflowed");
            })?;
            Ok(())
        });
        std::panic::set_hook(hook);
        let e = serde_json::to_value(answer.unwrap_err()).unwrap();
        assert_eq!(e["code"], "internal");
        assert!(e["message"].as_str().unwrap().contains("overflowed"), "{e}");
        // The lock was poisoned by the panic; the next command still gets the replica, and
        // the half-done transaction was rolled back.
        let left: i64 = super::with_replica_mut(&state, |r| -> Result<i64, IpcError> {
            Ok(r.write(|tx| Ok(tx.query_row("SELECT count(*) FROM settings WHERE key = 'half-done'", [], |x| x.get(0))?))?)
        })
        .unwrap();
        assert_eq!(left, 0);
    }

    #[test]
    fn the_capability_grants_exactly_the_commands_there_are() {
        let commands = with_commands!(names);
        let capability: serde_json::Value = serde_json::from_str(&read("src-tauri/capabilities/main.json")).unwrap();
        let granted: BTreeSet<String> = capability["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_string()).collect();
        let wanted: BTreeSet<String> = commands.iter().map(|c| format!("allow-{}", c.replace('_', "-"))).collect();
        assert_eq!(granted, wanted, "src-tauri/capabilities/main.json must grant allow-<command> for each command of src-tauri/commands/list.rs, and nothing else");
    }

    #[test]
    fn the_page_invokes_only_commands_there_are_and_every_one_of_them() {
        let commands = with_commands!(names);
        let api = read("ui/src/lib/api.ts");
        let invoked: BTreeSet<String> =
            api.split("invoke<").skip(1).filter_map(|rest| rest.split_once(">('").map(|(_, after)| after.split('\'').next().unwrap_or("").to_string())).collect();
        assert!(!invoked.is_empty(), "no invoke<T>('name') found in api.ts");
        assert_eq!(invoked, commands, "ui/src/lib/api.ts must invoke exactly the commands of src-tauri/commands/list.rs");
    }
}

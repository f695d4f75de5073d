//! The desktop window: opens the replica (writing the built-in demo into an empty one),
//! hands it to the commands, and runs Tauri.

use crate::commands;
use crate::ipc_error::IpcError;
use smena_core::charts::Language;
use smena_core::demo::{self, DemoOptions};
use smena_core::sla::notify::{self, Notice, Watcher};
use smena_core::sla::TimerKind;
use smena_core::store::Replica;
use smena_core::{Clock, SystemClock};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tauri::Manager;
use tauri_plugin_notification::NotificationExt;

/// What every command shares: the replica, or why it could not be opened (shown in the window).
pub struct AppState {
    pub replica: Result<Mutex<Replica>, IpcError>,
    /// Whom the window acts as (`SMENA_USER`, a staff member's full name); the lead when unset.
    pub user: Option<String>,
    /// The page's language, for notifications.
    pub lang: Mutex<Language>,
    /// The background sync with the ITSM (none when the replica could not be opened).
    pub sync: Option<std::sync::Arc<commands::sync::SyncShared>>,
    /// The count chips in progress, which a request for another filter stops.
    pub counting: commands::queue::Counting,
}

impl AppState {
    /// A state on this replica, with no window around it.
    #[cfg(test)]
    pub fn for_tests(replica: Mutex<Replica>) -> AppState {
        let counting = commands::queue::Counting::new(Some(replica.lock().unwrap().interrupt_handle()));
        AppState { replica: Ok(replica), user: None, lang: Mutex::new(Language::En), sync: None, counting }
    }
}

/// Opens the replica at `db`; an empty one that was never connected to an ITSM gets the
/// 90-day demo so a new user sees a queue (a real desk's empty replica stays empty).
fn open(db: &Path) -> Result<Replica, IpcError> {
    let mut replica = Replica::open(db)?;
    if smena_core::store::queue::info(&replica)?.tickets == 0 && smena_core::sync::credentials::identity(&replica)?.is_none() {
        let opts = DemoOptions { days: 90, seed: 1, now: SystemClock.now() };
        demo::write_demo(&mut replica, &opts)?;
    }
    Ok(replica)
}

include!("commands/list.rs");

/// The invoke handler of every command in `commands/list.rs`.
macro_rules! handler {
    ($($module:ident :: $command:ident),+ $(,)?) => {
        tauri::generate_handler![$(commands::$module::$command),+]
    };
}

/// Runs the window until it is closed; returns the process exit code.
pub fn run(db: PathBuf) -> i32 {
    // WebKitGTK composites pages through OpenGL, GPU or not; a page with no 3-D, video or
    // animation to accelerate gains nothing from it, and measured without a GPU (llvmpipe)
    // it cost the web process some 95 MiB (idle on the million-ticket replica: 341 → 242 MiB
    // for the whole app). Set before any thread starts; a user's own setting wins.
    if cfg!(target_os = "linux") && std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
    if cfg!(target_os = "linux") && std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        eprintln!("smena: no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset); run it in a desktop session, or use a subcommand (smena --help)");
        return 1;
    }
    let replica = open(&db);
    if let Err(e) = &replica {
        eprintln!("smena: {}", e.message());
    }
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_notification::init())
        .manage(commands::import::Uploads::default())
        .manage(AppState {
            sync: replica.is_ok().then(|| commands::sync::start(db.clone())),
            counting: commands::queue::Counting::new(replica.as_ref().ok().map(Replica::interrupt_handle)),
            replica: replica.map(Mutex::new),
            user: std::env::var("SMENA_USER").ok().filter(|u| !u.trim().is_empty()),
            lang: Mutex::new(Language::En),
        })
        .setup(|app| {
            let handle = app.handle().clone();
            std::thread::Builder::new().name("notifications".into()).spawn(move || watch(handle))?;
            Ok(())
        })
        .invoke_handler(with_commands!(handler))
        .run(tauri::generate_context!());
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("smena: the window could not start: {e}");
            1
        }
    }
}

/// Every 30 seconds: asks the core what deserves a desktop notification and shows it.
/// A machine without a notification service just shows nothing.
fn watch(app: tauri::AppHandle) {
    let state = app.state::<AppState>();
    let Ok(lock) = state.replica.as_ref() else { return };
    let replica = || lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut watcher = match Watcher::new(&replica()) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("smena: notifications are off: {e}");
            return;
        }
    };
    loop {
        // A failure or even a panic in one round leaves the next round to try again.
        let round = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let r = replica();
            notify::settings(&r).ok().and_then(|s| watcher.check(&r, SystemClock.now(), &s).ok()).unwrap_or_default()
        }));
        let notices = round.unwrap_or_default();
        let ru = state.lang.lock().map(|l| *l == Language::Ru).unwrap_or(false);
        for n in notices.iter().take(5) {
            let (title, body) = notice_text(n, ru);
            let _ = app.notification().builder().title(inert(&title)).body(inert(&body)).show();
        }
        if notices.len() > 5 {
            let more = notices.len() - 5;
            let _ = app.notification().builder().title("Smena").body(if ru { format!("И ещё {more}: см. «Под угрозой»") } else { format!("And {more} more: see At risk") }).show();
        }
        std::thread::sleep(std::time::Duration::from_secs(30));
    }
}

/// Ticket text as a notification shows it: many notification daemons render a subset of
/// HTML in the body, so markup characters are escaped and control characters dropped.
fn inert(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn notice_text(n: &Notice, ru: bool) -> (String, String) {
    match n {
        Notice::SlaSoon { number, subject, client, timer, minutes_left } => {
            let what = match (timer, ru) {
                (TimerKind::Reaction, false) => "reaction",
                (TimerKind::Resolution, false) => "resolution",
                (TimerKind::Reaction, true) => "реакции",
                (TimerKind::Resolution, true) => "решения",
            };
            if ru {
                (format!("{number}: SLA {what} — осталось {minutes_left} мин"), format!("{client}: {subject}"))
            } else {
                (format!("{number}: SLA {what} breaks in {minutes_left} min"), format!("{client}: {subject}"))
            }
        }
        Notice::NotPickedUp { number, subject, assignee, minutes, next } => {
            let holder = assignee.clone().unwrap_or_else(|| "—".into());
            if ru {
                let then = next.as_ref().map(|n| format!("; дальше: {n}")).unwrap_or_default();
                (format!("{number}: не взята в работу за {minutes} мин"), format!("{holder}: {subject}{then}"))
            } else {
                let then = next.as_ref().map(|n| format!("; next: {n}")).unwrap_or_default();
                (format!("{number}: not taken into work in {minutes} min"), format!("{holder}: {subject}{then}"))
            }
        }
        Notice::Urgent { number, subject, client } => {
            if ru {
                (format!("{number}: новый инцидент очень высокой срочности"), format!("{client}: {subject}"))
            } else {
                (format!("{number}: new very-high-urgency incident"), format!("{client}: {subject}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ticket_text_in_a_notification_is_inert() {
        assert_eq!(super::inert("<img src=x onerror=alert(1)> & <b>\u{1b}[31m"), "&lt;img src=x onerror=alert(1)&gt; &amp; &lt;b&gt; [31m");
    }
}

//! Importing a ServiceNow export from the window. The page hands over the file's bytes (it
//! never names a path); the shell keeps them in a private temporary folder under a random
//! token, then imports them with progress reported through a channel.

use crate::app::AppState;
use crate::ipc_error::IpcError;
use smena_core::error::ErrorCode;
use smena_core::import::servicenow::{self, ImportOptions};
use smena_core::import::ImportReport;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use tauri::ipc::{Channel, InvokeBody, Request};
use tauri::State;

/// Files handed over and not yet imported: token → (folder, file name).
#[derive(Default)]
pub struct Uploads(Mutex<HashMap<String, (PathBuf, String)>>);

/// The largest file accepted (a CSV of a few million snapshot rows).
const MAX_BYTES: usize = 2 << 30;

/// How far an import has got.
#[derive(Clone, serde::Serialize)]
pub struct Progress {
    done: u64,
    total: u64,
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Keeps only a plain file name ending in .csv or .zip.
fn safe_name(raw: &str) -> Result<String, IpcError> {
    let name: String = raw.rsplit(['/', '\\']).next().unwrap_or("").chars().filter(|c| !c.is_control()).collect();
    let lower = name.to_lowercase();
    if name.is_empty() || !(lower.ends_with(".csv") || lower.ends_with(".zip")) {
        return Err(IpcError::new(
            ErrorCode::InvalidInput,
            format!("'{name}': choose a ServiceNow export, a .csv file or a .zip holding one"),
            format!("«{name}»: выберите выгрузку ServiceNow — файл .csv или .zip с ним"),
        ));
    }
    Ok(name)
}

#[tauri::command(async)]
pub fn import_upload(uploads: State<'_, Uploads>, request: Request<'_>) -> Result<String, IpcError> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(IpcError::new(ErrorCode::InvalidInput, "the file's bytes are missing", "нет содержимого файла"));
    };
    if bytes.len() > MAX_BYTES {
        let (size, max) = (bytes.len() >> 20, MAX_BYTES >> 20);
        return Err(IpcError::new(
            ErrorCode::InvalidInput,
            format!("the file is {size} MiB; at most {max} MiB can be imported from the window (use smena import servicenow)"),
            format!("файл занимает {size} МиБ; из окна можно импортировать не больше {max} МиБ (используйте smena import servicenow)"),
        ));
    }
    let raw = request.headers().get("x-file-name").and_then(|v| v.to_str().ok()).unwrap_or("");
    let name = safe_name(&percent_decode(raw))?;
    let token = uuid::Uuid::new_v4().to_string();
    let dir = std::env::temp_dir().join(format!("smena-import-{token}"));
    std::fs::create_dir_all(&dir)
        .and_then(|_| std::fs::write(dir.join(&name), bytes))
        .map_err(|e| IpcError::new(ErrorCode::Storage, format!("cannot keep {name} for import: {e}"), format!("не удалось сохранить {name} для импорта: {e}")))?;
    uploads.0.lock().map_err(|_| IpcError::poisoned("uploads"))?.insert(token.clone(), (dir, name));
    Ok(token)
}

#[tauri::command(async)]
pub fn import_run(
    state: State<'_, AppState>,
    uploads: State<'_, Uploads>,
    token: String,
    tz: String,
    dry_run: bool,
    on_progress: Channel<Progress>,
) -> Result<ImportReport, IpcError> {
    let (dir, name) = uploads
        .0
        .lock()
        .map_err(|_| IpcError::poisoned("uploads"))?
        .remove(&token)
        .ok_or_else(|| IpcError::new(ErrorCode::NotFound, "no such file handed over for import", "такой файл для импорта не передавался"))?;
    let result = (|| {
        let tz = smena_core::input::time_zone(&tz)?;
        let path = dir.join(&name);
        let mut last = 0;
        let mut progress = |done: u64, total: u64| {
            // A message per percent at most.
            if done == total || done * 100 / total.max(1) != last {
                last = done * 100 / total.max(1);
                let _ = on_progress.send(Progress { done, total });
            }
        };
        let opts = ImportOptions { tz, dry_run, mapping: Default::default() };
        super::with_replica_mut(&state, |replica| {
            // The page knows the file by its name, not by the temporary path.
            servicenow::import(replica, &path, &opts, &mut progress).map_err(|e| IpcError::from(e).replacing(&path.display().to_string(), &name))
        })
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_decoded_and_kept_plain() {
        assert_eq!(percent_decode("%D0%BB%D0%BE%D0%B3.zip"), "лог.zip");
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(safe_name("../../etc/x.csv").unwrap(), "x.csv");
        assert!(safe_name("report.pdf").is_err());
    }
}

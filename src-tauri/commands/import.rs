//! Importing a ServiceNow export from the window. The page hands over the file's bytes in
//! chunks (it never names a path); the shell appends them to a private file in a private
//! temporary folder under a random token, then imports it with progress reported through a
//! channel, and removes the folder.

use crate::app::AppState;
use crate::ipc_error::IpcError;
use smena_core::error::ErrorCode;
use smena_core::import::servicenow::{self, ImportOptions};
use smena_core::import::ImportReport;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tauri::ipc::{Channel, InvokeBody, Request};
use tauri::State;

/// Files handed over and not yet imported, by token.
#[derive(Default)]
pub struct Uploads(Mutex<HashMap<String, Upload>>);

/// A file being handed over.
pub struct Upload {
    dir: PathBuf,
    name: String,
    bytes: u64,
}

/// The largest file accepted: what the importer reads at once.
const MAX_BYTES: u64 = smena_core::import::servicenow::MAX_IMPORT_BYTES;

/// How far an import has got.
#[derive(Clone, serde::Serialize)]
pub struct Progress {
    done: u64,
    total: u64,
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

/// Starts handing over a file named `name`: a private folder (0700) and an empty private file
/// (0600) in it, known by the token returned. The bytes follow in chunks ([`import_chunk`]), so
/// neither the page nor the shell ever holds the whole file.
#[tauri::command(async)]
pub fn import_begin(uploads: State<'_, Uploads>, name: String) -> Result<String, IpcError> {
    let name = safe_name(&name)?;
    let token = uuid::Uuid::new_v4().to_string();
    let dir = std::env::temp_dir().join(format!("smena-import-{token}"));
    let cannot = |e: std::io::Error| IpcError::new(ErrorCode::Storage, format!("cannot keep {name} for import: {e}"), format!("не удалось сохранить {name} для импорта: {e}"));
    private_dir(&dir).and_then(|()| private_file(&dir.join(&name)).map(drop)).map_err(cannot)?;
    uploads.0.lock().map_err(|_| IpcError::poisoned("uploads"))?.insert(token.clone(), Upload { dir, name, bytes: 0 });
    Ok(token)
}

/// Appends one chunk (the request's raw body) to the file of the token in `x-import-token`.
#[tauri::command(async)]
pub fn import_chunk(uploads: State<'_, Uploads>, request: Request<'_>) -> Result<u64, IpcError> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(IpcError::new(ErrorCode::InvalidInput, "the file's bytes are missing", "нет содержимого файла"));
    };
    let token = request.headers().get("x-import-token").and_then(|v| v.to_str().ok()).unwrap_or("");
    let mut list = uploads.0.lock().map_err(|_| IpcError::poisoned("uploads"))?;
    let upload = list.get_mut(token).ok_or_else(unknown_upload)?;
    upload.bytes += bytes.len() as u64;
    if upload.bytes > MAX_BYTES {
        let max = MAX_BYTES >> 20;
        let upload = list.remove(token).expect("just found");
        let _ = std::fs::remove_dir_all(&upload.dir);
        return Err(IpcError::new(
            ErrorCode::InvalidInput,
            format!("the file is larger than {max} MiB: export a shorter period at a time and import each"),
            format!("файл больше {max} МиБ: выгрузите период покороче и импортируйте по частям"),
        ));
    }
    let path = upload.dir.join(&upload.name);
    std::fs::OpenOptions::new().append(true).open(&path).and_then(|mut f| f.write_all(bytes)).map_err(|e| super::cannot_write(&path, e))?;
    Ok(upload.bytes)
}

fn unknown_upload() -> IpcError {
    IpcError::new(ErrorCode::NotFound, "no such file handed over for import", "такой файл для импорта не передавался")
}

/// A folder only this user may enter.
fn private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
}

/// A new file only this user may read.
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o.open(path)
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
    let Upload { dir, name, .. } = uploads.0.lock().map_err(|_| IpcError::poisoned("uploads"))?.remove(&token).ok_or_else(unknown_upload)?;
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
    fn names_are_kept_plain() {
        assert_eq!(safe_name("../../etc/x.csv").unwrap(), "x.csv");
        assert_eq!(safe_name("лог.zip").unwrap(), "лог.zip");
        assert!(safe_name("report.pdf").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_file_handed_over_is_private_to_the_user() {
        use std::os::unix::fs::PermissionsExt;
        let base = std::env::temp_dir().join(format!("smena-import-test-{}", std::process::id()));
        private_dir(&base).unwrap();
        private_file(&base.join("x.csv")).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!((mode(&base), mode(&base.join("x.csv"))), (0o700, 0o600));
        assert!(private_file(&base.join("x.csv")).is_err(), "never opens a file that is already there");
        std::fs::remove_dir_all(&base).unwrap();
    }
}

//! What Smena writes for other programs to read stays inert: a CSV cell never runs as a
//! spreadsheet formula, text for a terminal carries no control sequences, and a file is
//! never left half-written or emptied by a failed export.

use std::io::Write;
use std::path::Path;

/// A text cell of a CSV file: quoted when it holds a comma, a quote or a line break, and
/// — OWASP's rule against CSV injection — led by an apostrophe when it starts with `=`,
/// `+`, `-`, `@`, a tab or a carriage return, so a spreadsheet shows it as text.
pub fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// The same cell for a CSV writer that does its own quoting: only the apostrophe rule.
pub fn csv_text(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

/// Text for a terminal: control characters (escape sequences, bells, carriage returns) are
/// shown as `�`, line breaks inside a value as a space.
pub fn terminal_text(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return s.into();
    }
    s.chars()
        .map(|c| {
            if c == '\n' || c == '\t' {
                ' '
            } else if c.is_control() {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect::<String>()
        .into()
}

/// Lines for a terminal: as [`terminal_text`], but line breaks kept.
pub fn terminal_lines(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() && c != '\n') {
        return s.into();
    }
    s.chars()
        .map(|c| {
            if c == '\t' {
                ' '
            } else if c.is_control() && c != '\n' {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect::<String>()
        .into()
}

/// Writes `bytes` to `path` through a temporary file in the same folder, renamed over the
/// target only once it is complete: a failure leaves the previous file as it was.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.part", std::process::id()));
    let written = std::fs::File::create(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    match written.and_then(|()| std::fs::rename(&tmp, path)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_a_spreadsheet_would_run_is_written_as_text() {
        assert_eq!(csv_cell("=HYPERLINK(\"http://x\",\"y\")"), "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
        assert_eq!(csv_cell("@SUM(1+1)|cmd"), "'@SUM(1+1)|cmd");
        assert_eq!(csv_cell("+7 900"), "'+7 900");
        assert_eq!(csv_cell("-2+3"), "'-2+3");
        assert_eq!(csv_cell("\tx"), "'\tx");
        assert_eq!(csv_cell("\r=1"), "\"'\r=1\"");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_text("=1+1"), "'=1+1");
    }

    #[test]
    fn terminal_text_carries_no_control_sequences() {
        assert_eq!(terminal_text("VPN \u{1b}[2J\u{1b}]0;owned\u{7}down\r\nagain"), "VPN \u{fffd}[2J\u{fffd}]0;owned\u{fffd}down\u{fffd} again");
        assert_eq!(terminal_text("Сеть недоступна"), "Сеть недоступна");
    }

    #[test]
    fn a_failed_export_leaves_the_previous_file_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.csv");
        write_atomically(&path, b"first").unwrap();
        // A folder where the file should be makes the rename fail: the old content stays.
        let blocked = dir.path().join("blocked");
        std::fs::create_dir_all(blocked.join("x")).unwrap();
        assert!(write_atomically(&blocked, b"second").is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        write_atomically(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2, "no temporary file left behind");
    }
}

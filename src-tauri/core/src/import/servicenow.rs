//! ServiceNow incident exports: a current-state export (one row per ticket) or an event log
//! (a snapshot per update; the latest is the highest `sys_mod_count`), as CSV or a `.zip`
//! holding one. Each ticket's history is rebuilt from its consecutive snapshots.

use super::mapping::ServiceNowMapping;
use super::{ImportError, ImportReport, Skipped};
use crate::domain::{Channel, ClosureCode, Kind, Level, Line, Priority, Role, Status};
use crate::store::tickets::{self, HistoryEntry, Imported, NewTicket};
use crate::store::{settings, Replica};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use rusqlite::{params, OptionalExtension, Transaction};
use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Seek};
use std::path::Path;

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Zone the export's naive timestamps are read in.
    pub tz: Tz,
    /// Count and check everything, write nothing.
    pub dry_run: bool,
    /// Value mapping.
    pub mapping: ServiceNowMapping,
}

/// One snapshot row, read and mapped.
#[derive(Debug, Clone)]
struct Row {
    line: u64,
    number: String,
    state: Status,
    mod_count: u64,
    opened_at: DateTime<Utc>,
    opened_by: String,
    updated_at: DateTime<Utc>,
    updated_by: String,
    channel: Channel,
    urgency: Level,
    impact: Level,
    priority: Priority,
    priority_text: String,
    group: Option<String>,
    assigned_to: Option<String>,
    caller: Option<String>,
    location: Option<String>,
    category: Option<String>,
    symptom: Option<String>,
    resolved_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
}

const REQUIRED: &[&str] = &["number", "incident_state", "opened_at", "contact_type", "urgency", "impact", "priority"];

/// The largest export read at once (the CSV itself, unpacked): an import holds an export's
/// rows while it groups them by ticket, so larger ones are refused, with how to split them,
/// rather than take the machine's memory.
pub const MAX_IMPORT_BYTES: u64 = 128 << 20;

/// Reads the export's CSV text from a `.csv` file or the first `.csv` inside a `.zip`, at
/// most [`MAX_IMPORT_BYTES`] of it, whatever a zip's header claims.
fn read_text(path: &Path) -> Result<String, ImportError> {
    let err = |reason: String| ImportError::File { path: path.display().to_string(), reason };
    let too_big = |what: &str| err(format!("{what} is larger than {} MiB; export a shorter period at a time and import each", MAX_IMPORT_BYTES >> 20));
    let mut file = std::fs::File::open(path).map_err(|e| err(e.to_string()))?;
    let mut magic = [0u8; 4];
    let is_zip = file.read(&mut magic).map_err(|e| err(e.to_string()))? == 4 && &magic == b"PK\x03\x04";
    file.seek(std::io::SeekFrom::Start(0)).map_err(|e| err(e.to_string()))?;
    let mut out = Vec::new();
    if is_zip {
        let mut zip = zip::ZipArchive::new(file).map_err(|e| err(format!("not a readable zip: {e}")))?;
        let name =
            zip.file_names().filter_map(|n| n.ok().map(|n| n.to_string())).find(|n| n.to_lowercase().ends_with(".csv")).ok_or_else(|| err("the zip holds no .csv file".into()))?;
        let entry = zip.by_name(&name).map_err(|e| err(e.to_string()))?;
        if entry.size() > MAX_IMPORT_BYTES {
            return Err(too_big(&name));
        }
        entry.take(MAX_IMPORT_BYTES + 1).read_to_end(&mut out).map_err(|e| err(format!("{name}: {e}")))?;
        if out.len() as u64 > MAX_IMPORT_BYTES {
            return Err(too_big(&name));
        }
    } else {
        if file.metadata().map_err(|e| err(e.to_string()))?.len() > MAX_IMPORT_BYTES {
            return Err(too_big("the file"));
        }
        file.take(MAX_IMPORT_BYTES + 1).read_to_end(&mut out).map_err(|e| err(e.to_string()))?;
        if out.len() as u64 > MAX_IMPORT_BYTES {
            return Err(too_big("the file"));
        }
    }
    String::from_utf8(out).map_err(|e| err(format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to())))
}

fn missing(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty() && v != "?").then(|| v.to_string())
}

fn time(v: &str, tz: Tz, what: &str) -> Result<Option<DateTime<Utc>>, String> {
    let Some(v) = missing(v) else { return Ok(None) };
    let naive = NaiveDateTime::parse_from_str(&v, "%d/%m/%Y %H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(&v, "%d/%m/%Y %H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(&v, "%Y-%m-%d %H:%M:%S"))
        .map_err(|_| format!("{what} '{v}' is not a date (d/m/yyyy HH:MM)"))?;
    let t = tz.from_local_datetime(&naive).earliest().map(|t| t.with_timezone(&Utc)).ok_or_else(|| format!("{what} '{v}' does not exist in {tz} (clock change)"))?;
    crate::input::sane(t).map(Some).ok_or_else(|| format!("{what} '{v}' is outside the years 1970–9999"))
}

fn mapped<T: Copy>(map: &BTreeMap<String, T>, v: &str, what: &str) -> Result<T, String> {
    map.get(v.trim()).copied().ok_or_else(|| format!("unknown {what} '{}' (known: {})", v.trim(), map.keys().cloned().collect::<Vec<_>>().join(", ")))
}

/// Reads every row, returning the good ones by ticket and the bad ones with reasons.
fn read_rows(text: &str, opts: &ImportOptions, path: &Path, report: &mut ImportReport) -> Result<BTreeMap<String, Vec<Row>>, ImportError> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let headers = rdr.headers().map_err(|e| ImportError::Format { path: path.display().to_string(), reason: e.to_string() })?.clone();
    let col: HashMap<&str, usize> = headers.iter().enumerate().map(|(i, h)| (h.trim(), i)).collect();
    let absent: Vec<&str> = REQUIRED.iter().filter(|c| !col.contains_key(*c)).copied().collect();
    if !absent.is_empty() {
        return Err(ImportError::Format { path: path.display().to_string(), reason: format!("no column {}", absent.join(", ")) });
    }
    let mut by_ticket: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = rdr.position().line();
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                report.rows += 1;
                report.skipped.push(Skipped { line: e.position().map_or(line, |p| p.line()), reason: e.to_string() });
                continue;
            }
        }
        report.rows += 1;
        let line = record.position().map_or(line, |p| p.line());
        let last_line = rdr.position().line().saturating_sub(1).max(line);
        if record.len() != headers.len() {
            let reason = if last_line > line {
                format!("a stray quote joined lines {line}–{last_line} into one record of {} fields; none of those lines was imported", record.len())
            } else {
                format!("expected {} fields, found {} (a truncated line or a stray quote?)", headers.len(), record.len())
            };
            report.skipped.push(Skipped { line, reason });
            continue;
        }
        match parse_row(&record, &col, line, opts) {
            Ok(row) => by_ticket.entry(row.number.clone()).or_default().push(row),
            Err(reason) => report.skipped.push(Skipped { line, reason }),
        }
    }
    for rows in by_ticket.values_mut() {
        rows.sort_by_key(|r| (r.mod_count, r.line));
    }
    Ok(by_ticket)
}

fn parse_row(rec: &csv::StringRecord, col: &HashMap<&str, usize>, line: u64, opts: &ImportOptions) -> Result<Row, String> {
    let get = |name: &str| col.get(name).and_then(|&i| rec.get(i)).unwrap_or("");
    let m = &opts.mapping;
    let number = missing(get("number")).ok_or("no ticket number")?;
    let state_text = get("incident_state").trim();
    let state = mapped(&m.state, state_text, "incident_state")?;
    let mod_count = match missing(get("sys_mod_count")) {
        None => 0,
        Some(v) => v.parse::<u64>().map_err(|_| format!("sys_mod_count '{v}' is not a number"))?,
    };
    let opened_at = time(get("opened_at"), opts.tz, "opened_at")?.ok_or("no opened_at")?;
    let updated_at = time(get("sys_updated_at"), opts.tz, "sys_updated_at")?.unwrap_or(opened_at);
    let priority_text = get("priority").trim().to_string();
    let resolved_at = time(get("resolved_at"), opts.tz, "resolved_at")?;
    let closed_at = time(get("closed_at"), opts.tz, "closed_at")?;
    if updated_at < opened_at {
        return Err(format!("sys_updated_at is before opened_at (line {line})"));
    }
    Ok(Row {
        line,
        number,
        state,
        mod_count,
        opened_at,
        opened_by: missing(get("opened_by")).unwrap_or_else(|| "ServiceNow".into()),
        updated_at,
        updated_by: missing(get("sys_updated_by")).unwrap_or_else(|| "ServiceNow".into()),
        channel: mapped(&m.contact_type, get("contact_type"), "contact_type")?,
        urgency: mapped(&m.urgency, get("urgency"), "urgency")?,
        impact: mapped(&m.impact, get("impact"), "impact")?,
        priority: mapped(&m.priority, &priority_text, "priority")?,
        priority_text,
        group: missing(get("assignment_group")),
        assigned_to: missing(get("assigned_to")),
        caller: missing(get("caller_id")),
        location: missing(get("location")),
        category: missing(get("category")),
        symptom: missing(get("u_symptom")),
        resolved_at,
        closed_at,
    })
}

/// Imports the export at `path`: everything in one transaction (or nothing, on failure or
/// with `dry_run`). `progress` is called with the number of tickets written so far.
pub fn import(r: &mut Replica, path: &Path, opts: &ImportOptions, progress: &mut dyn FnMut(u64, u64)) -> Result<ImportReport, ImportError> {
    let text = read_text(path)?;
    let mut report = ImportReport { dry_run: opts.dry_run, ..Default::default() };
    let by_ticket = read_rows(&text, opts, path, &mut report)?;
    drop(text);
    report.tickets = by_ticket.len() as u64;
    let matrix = settings::matrix(r)?;
    let work = |tx: &Transaction<'_>| -> Result<ImportReport, ImportError> {
        let mut report = report.clone();
        // A replaced ticket's local history is parked under a negative id while the ticket is
        // re-inserted; foreign keys are checked at commit, when it points at the new row again.
        tx.pragma_update(None, "defer_foreign_keys", "ON")?;
        let mut people = People::default();
        let client = client_id(tx, &opts.mapping.client, opts.tz)?;
        let total = by_ticket.len() as u64;
        let mut written = Vec::new();
        for (done, (number, rows)) in by_ticket.iter().enumerate() {
            if done % 1000 == 0 {
                progress(done as u64, total);
            }
            let last = rows.last().expect("a ticket has rows");
            let version = format!("{}@{}", last.mod_count, last.updated_at.to_rfc3339());
            let mut keep_rank: Option<f64> = None;
            let mut moved_history: Option<i64> = None;
            let existing: Option<(i64, Option<String>, Option<String>, i64)> = tx
                .prepare_cached("SELECT id, source, server_version, (SELECT count(*) FROM outbox o WHERE o.ticket_id = t.id) FROM tickets t WHERE number = ?1")?
                .query_row([number], |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?, x.get(3)?)))
                .optional()?;
            if let Some((id, source, seen, queued)) = existing {
                if source.as_deref() != Some("servicenow") {
                    report.skipped.push(Skipped { line: last.line, reason: format!("ticket {number} is already in the replica and did not come from ServiceNow") });
                    continue;
                }
                if seen.as_deref() == Some(version.as_str()) {
                    report.unchanged += 1;
                    continue;
                }
                // Only a newer snapshot replaces what the replica has: an older export is no update.
                let older = seen.as_deref().and_then(parse_version).is_some_and(|had| had >= (last.mod_count, last.updated_at));
                if older {
                    report.unchanged += 1;
                    continue;
                }
                if queued > 0 {
                    report.skipped.push(Skipped { line: last.line, reason: format!("ticket {number} has local changes waiting for the ITSM; not overwritten") });
                    continue;
                }
                // The lead's own order is the lead's: it survives the newer snapshot.
                let rank: Option<f64> = tx.query_row("SELECT lead_rank FROM tickets WHERE id = ?1", [id], |x| x.get(0))?;
                keep_rank = rank;
                tx.execute("DELETE FROM ticket_history WHERE ticket_id = ?1 AND op_id IS NULL AND field <> 'lead-order'", [id])?;
                moved_history = Some(id);
                tx.execute("DELETE FROM comments WHERE ticket_id = ?1", [id])?;
                tx.execute("UPDATE ticket_history SET ticket_id = -ticket_id WHERE ticket_id = ?1", [id])?;
                tx.execute("DELETE FROM tickets WHERE id = ?1", [id])?;
                report.updated += 1;
            } else {
                report.imported += 1;
            }
            let line = last.group.as_ref().and_then(|g| opts.mapping.line_by_group.get(g)).copied().unwrap_or(opts.mapping.default_line);
            let assignee = last.assigned_to.as_ref().map(|name| people.id(tx, name, line, opts.tz)).transpose()?;
            let done_at = matches!(last.state, Status::Completed | Status::Closed);
            let t = NewTicket {
                number: number.clone(),
                kind: Kind::Incident,
                client_id: client,
                contact_name: last.caller.clone().unwrap_or_else(|| "?".into()),
                contact_email: None,
                channel: last.channel,
                service: last.category.clone().unwrap_or_else(|| "ServiceNow".into()),
                request_type: None,
                subject: [last.category.as_deref(), last.symptom.as_deref()].iter().flatten().copied().collect::<Vec<_>>().join(" — "),
                description: format!("Imported from ServiceNow ({}), {} snapshots.", path.file_name().map(|f| f.to_string_lossy()).unwrap_or_default(), rows.len()),
                urgency: last.urgency,
                impact: last.impact,
                status: last.state,
                line,
                assignee_id: assignee,
                created_at: rows[0].opened_at,
                updated_at: last.updated_at,
                first_response_at: rows.iter().find(|x| x.state != Status::Registered).map(|x| x.updated_at),
                completed_at: if done_at { last.resolved_at.or(Some(last.updated_at)) } else { None },
                closed_at: if last.state == Status::Closed { last.closed_at.or(Some(last.updated_at)) } else { None },
                closure_code: done_at.then_some(ClosureCode::Resolved),
                imported: Some(Imported {
                    source: "servicenow".into(),
                    version,
                    priority: last.priority,
                    priority_text: last.priority_text.clone(),
                    location: last.location.clone(),
                    category: last.category.clone(),
                    assignment_group: last.group.clone(),
                }),
                deadline: None,
            };
            let id = tickets::insert_ticket(tx, &matrix, &t)?;
            written.push(id);
            if let Some(old) = moved_history {
                tx.execute("UPDATE ticket_history SET ticket_id = ?1 WHERE ticket_id = ?2", params![id, -old])?;
            }
            if keep_rank.is_some() {
                tx.execute("UPDATE tickets SET lead_rank = ?2 WHERE id = ?1", params![id, keep_rank])?;
            }
            report.priority_mismatches += u64::from(matrix.priority(t.urgency, t.impact) != last.priority);
            for h in history(rows) {
                tickets::add_history(tx, id, &h)?;
                report.history_entries += 1;
            }
        }
        // Their deadlines, now that their histories are in.
        crate::sla::deadline::refresh(tx, crate::sla::deadline::Scope::Tickets(&written), chrono::Utc::now())?;
        progress(total, total);
        Ok(report)
    };
    if opts.dry_run {
        r.rehearse(work)
    } else {
        r.write_with(work)
    }
}

/// The (sys_mod_count, sys_updated_at) a stored source version stands for.
fn parse_version(v: &str) -> Option<(u64, DateTime<Utc>)> {
    let (n, t) = v.split_once('@')?;
    Some((n.parse().ok()?, DateTime::parse_from_rfc3339(t).ok()?.with_timezone(&Utc)))
}

/// History entries from consecutive snapshots: registration, then every change of state,
/// assignment group, assignee, urgency, impact or priority, at its time and by its author.
fn history(rows: &[Row]) -> Vec<HistoryEntry> {
    let first = &rows[0];
    let mut out =
        vec![HistoryEntry { at: first.opened_at, actor: first.opened_by.clone(), field: "status".into(), old_value: None, new_value: Some(first.state.to_string()), reason: None }];
    for w in rows.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        let mut change = |field: &str, old: Option<String>, new: Option<String>| {
            if old != new {
                out.push(HistoryEntry { at: b.updated_at, actor: b.updated_by.clone(), field: field.into(), old_value: old, new_value: new, reason: None });
            }
        };
        change("status", Some(a.state.to_string()), Some(b.state.to_string()));
        change("assignment-group", a.group.clone(), b.group.clone());
        change("assignee", a.assigned_to.clone(), b.assigned_to.clone());
        change("urgency", Some(a.urgency.to_string()), Some(b.urgency.to_string()));
        change("impact", Some(a.impact.to_string()), Some(b.impact.to_string()));
        change("priority", Some(a.priority.to_string()), Some(b.priority.to_string()));
    }
    out
}

fn client_id(tx: &Transaction<'_>, name: &str, tz: Tz) -> Result<i64, ImportError> {
    let found: Option<i64> = tx.query_row("SELECT id FROM clients WHERE name = ?1", [name], |x| x.get(0)).optional()?;
    match found {
        Some(id) => Ok(id),
        None => {
            tx.execute("INSERT INTO clients (name, contract_no, time_zone) VALUES (?1, ?2, ?3)", params![name, format!("IMPORT-{name}"), tz.name()])?;
            Ok(tx.last_insert_rowid())
        }
    }
}

/// Resolvers from the export become staff of the line their tickets sit on.
#[derive(Default)]
struct People(HashMap<String, i64>);

impl People {
    fn id(&mut self, tx: &Transaction<'_>, name: &str, line: Line, tz: Tz) -> Result<i64, ImportError> {
        if let Some(id) = self.0.get(name) {
            return Ok(*id);
        }
        let role = match line.number() {
            1 => Role::Line1,
            2 => Role::Line2,
            _ => Role::Line3,
        };
        let found: Option<i64> = tx.query_row("SELECT id FROM staff WHERE name = ?1", [name], |x| x.get(0)).optional()?;
        let id = match found {
            Some(id) => id,
            None => {
                tx.execute("INSERT INTO staff (name, role, office, time_zone) VALUES (?1, ?2, 'ServiceNow', ?3)", params![name, role, tz.name()])?;
                tx.last_insert_rowid()
            }
        };
        self.0.insert(name.to_string(), id);
        Ok(id)
    }
}

//! iCalendar (RFC 5545): the roster as events in each shift's own zone, with the VTIMEZONE
//! definitions they name; and public holidays read from a calendar the lead imports.

use super::month::load_plan;
use super::rules::{month_days, Worked};
use super::{month_key, RosterError};
use chrono::{DateTime, Duration, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use std::collections::BTreeSet;

/// The month's shifts as one calendar: everyone's, or one person's.
pub fn export(r: &crate::store::Replica, first: NaiveDate, person: Option<i64>, stamp: DateTime<Utc>) -> Result<(String, usize), RosterError> {
    let days = month_days(first);
    let plan = load_plan(r.conn(), days[0], *days.last().expect("days"))?;
    let mut events: Vec<(Worked, String, Tz)> = Vec::new();
    for p in plan.people.iter().filter(|p| person.is_none_or(|id| id == p.id)) {
        for w in plan.shifts_of(p, &days) {
            let t = plan.template(&w.code).expect("a worked shift has a template");
            let tz = t.zone(&p.time_zone)?;
            let summary = format!("{} — {}", t.name_en, p.name);
            events.push((w, summary, tz));
        }
    }
    // The third line's on-call weeks that start this month (each week in one month's file):
    // Monday 09:00 to Monday 09:00 in the specialist's own zone.
    let mut on_call = Vec::new();
    for w in super::oncall::weeks(r, days[0], 6)?.into_iter().filter(|w| days.contains(&w.week)) {
        let Some(p) = w.staff_id.and_then(|id| plan.person(id)).filter(|p| person.is_none_or(|id| id == p.id)) else { continue };
        let tz: Tz = p.time_zone.parse().map_err(|_| RosterError::Invalid(format!("{}: unknown time zone '{}'", p.name, p.time_zone)))?;
        let (start, end) = super::oncall::window(w.week, tz);
        on_call.push((w, p, tz, start, end));
    }
    let name = match person.and_then(|id| plan.person(id)) {
        Some(p) => format!("Smena roster {} — {}", month_key(first), p.name),
        None => format!("Smena roster {}", month_key(first)),
    };
    let mut out = String::new();
    let mut line = |s: &str| push_folded(&mut out, s);
    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line("PRODID:-//Smena//Shift roster//EN");
    line("CALSCALE:GREGORIAN");
    line("METHOD:PUBLISH");
    line(&format!("X-WR-CALNAME:{}", escape(&name)));
    let zones: BTreeSet<String> = events.iter().map(|(_, _, tz)| tz.name().to_string()).chain(on_call.iter().map(|o| o.2.name().to_string())).collect();
    for z in &zones {
        let tz: Tz = z.parse().expect("a zone that was parsed before");
        for l in vtimezone(tz, first) {
            line(&l);
        }
    }
    for (w, summary, tz) in &events {
        let p = plan.person(w.staff_id).expect("a known person");
        line("BEGIN:VEVENT");
        line(&format!("UID:{}-{}-{}@smena", w.day.format("%Y%m%d"), w.code, w.staff_id));
        line(&format!("DTSTAMP:{}", stamp.format("%Y%m%dT%H%M%SZ")));
        line(&format!("DTSTART;TZID={}:{}", tz.name(), w.at.start.with_timezone(tz).format("%Y%m%dT%H%M%S")));
        line(&format!("DTEND;TZID={}:{}", tz.name(), w.at.end.with_timezone(tz).format("%Y%m%dT%H%M%S")));
        line(&format!("SUMMARY:{}", escape(summary)));
        line(&format!("CATEGORIES:{}", p.role.as_str()));
        line(&format!("DESCRIPTION:{}", escape(&format!("{} · {} · {} h", p.name, p.role.as_str(), w.paid_minutes as f64 / 60.0))));
        line("TRANSP:OPAQUE");
        line("END:VEVENT");
    }
    for (w, p, tz, start, end) in &on_call {
        line("BEGIN:VEVENT");
        line(&format!("UID:oncall-{}-{}-{}@smena", w.week.format("%Y%m%d"), w.skill.as_str(), p.id));
        line(&format!("DTSTAMP:{}", stamp.format("%Y%m%dT%H%M%SZ")));
        line(&format!("DTSTART;TZID={}:{}", tz.name(), start.with_timezone(tz).format("%Y%m%dT%H%M%S")));
        line(&format!("DTEND;TZID={}:{}", tz.name(), end.with_timezone(tz).format("%Y%m%dT%H%M%S")));
        line(&format!("SUMMARY:{}", escape(&format!("On call: {} — {}", w.skill.as_str(), p.name))));
        line("CATEGORIES:on-call");
        line(&format!("DESCRIPTION:{}", escape(&format!("{} · on call for {} outside office hours", p.name, w.skill.as_str()))));
        // Free time with a phone at hand: it does not block the calendar.
        line("TRANSP:TRANSPARENT");
        line("END:VEVENT");
    }
    line("END:VCALENDAR");
    Ok((out, events.len() + on_call.len()))
}

/// TEXT escaping (RFC 5545 §3.3.11).
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace("\r\n", "\\n").replace(['\n', '\r'], "\\n")
}

/// Appends a content line, folded at 75 octets (never inside a character), ended by CRLF.
fn push_folded(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

/// A VTIMEZONE for `tz`: its offset at the start of the year before, then every change
/// through the year after (each observance with its own onset, no rules to interpret).
fn vtimezone(tz: Tz, around: NaiveDate) -> Vec<String> {
    use chrono::Datelike;
    let from = Utc.with_ymd_and_hms(around.year() - 1, 1, 1, 0, 0, 0).unwrap();
    let until = Utc.with_ymd_and_hms(around.year() + 2, 1, 1, 0, 0, 0).unwrap();
    let offset = |t: DateTime<Utc>| tz.offset_from_utc_datetime(&t.naive_utc()).fix().local_minus_utc();
    let mut changes: Vec<(DateTime<Utc>, i32, i32)> = Vec::new();
    let mut t = from;
    let mut current = offset(t);
    while t < until {
        let next = t + Duration::hours(1);
        let o = offset(next);
        if o != current {
            // The exact minute of the change.
            let (mut lo, mut hi) = (t, next);
            while hi - lo > Duration::minutes(1) {
                let mid = lo + (hi - lo) / 2;
                if offset(mid) == current {
                    lo = mid
                } else {
                    hi = mid
                }
            }
            changes.push((hi, current, o));
            current = o;
        }
        t = next;
    }
    let standard = changes.iter().map(|c| c.2).chain([offset(from)]).min().expect("an offset");
    let fmt_off = |s: i32| format!("{}{:02}{:02}", if s < 0 { '-' } else { '+' }, s.abs() / 3600, s.abs() % 3600 / 60);
    let mut out = vec!["BEGIN:VTIMEZONE".to_string(), format!("TZID:{}", tz.name())];
    let first = offset(from);
    let mut observance = |kind: &str, onset: String, off_from: i32, off_to: i32| {
        out.push(format!("BEGIN:{kind}"));
        out.push(format!("DTSTART:{onset}"));
        out.push(format!("TZOFFSETFROM:{}", fmt_off(off_from)));
        out.push(format!("TZOFFSETTO:{}", fmt_off(off_to)));
        out.push(format!("END:{kind}"));
    };
    observance(if first > standard { "DAYLIGHT" } else { "STANDARD" }, "19700101T000000".into(), first, first);
    for (at, was, now) in &changes {
        let onset = (at.naive_utc() + Duration::seconds(i64::from(*was))).format("%Y%m%dT%H%M%S").to_string();
        observance(if *now > standard { "DAYLIGHT" } else { "STANDARD" }, onset, *was, *now);
    }
    out.push("END:VTIMEZONE".into());
    out
}

/// Public holidays from an iCalendar file: every VEVENT's day (all-day events through their
/// DTEND, which is exclusive) with its SUMMARY. `source` names the file in errors.
pub fn parse_holidays(text: &str, source: &str) -> Result<Vec<(NaiveDate, String)>, RosterError> {
    // Unfold: a line starting with a space or tab continues the previous one.
    let mut lines: Vec<(usize, String)> = Vec::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (i, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if let (Some(rest), Some(last)) = (raw.strip_prefix([' ', '\t']), lines.last_mut()) {
            last.1.push_str(rest);
        } else if !raw.is_empty() {
            lines.push((i + 1, raw.to_string()));
        }
    }
    if !lines.first().is_some_and(|(_, l)| l.eq_ignore_ascii_case("BEGIN:VCALENDAR")) {
        return Err(RosterError::Invalid(format!("{source}: not an iCalendar file (it does not start with BEGIN:VCALENDAR)")));
    }
    let date_of = |n: usize, value: &str| -> Result<NaiveDate, RosterError> {
        let digits: String = value.chars().take(8).collect();
        NaiveDate::parse_from_str(&digits, "%Y%m%d").map_err(|_| RosterError::Invalid(format!("{source} line {n}: '{value}' is not a date (YYYYMMDD)")))
    };
    let mut out = Vec::new();
    let (mut in_event, mut start, mut end, mut summary, mut cancelled) = (false, None, None, String::new(), false);
    for (n, l) in &lines {
        let (head, value) = l.split_once(':').unwrap_or((l.as_str(), ""));
        let name = head.split(';').next().unwrap_or("").to_ascii_uppercase();
        match name.as_str() {
            "BEGIN" if value.eq_ignore_ascii_case("VEVENT") => (in_event, start, end, summary, cancelled) = (true, None, None, String::new(), false),
            "STATUS" if in_event => cancelled = value.eq_ignore_ascii_case("CANCELLED"),
            "DTSTART" if in_event => start = Some((*n, date_of(*n, value)?)),
            "DTEND" if in_event => end = Some(date_of(*n, value)?),
            "SUMMARY" if in_event => summary = value.replace("\\,", ",").replace("\\;", ";").replace("\\n", " ").replace("\\\\", "\\"),
            "END" if value.eq_ignore_ascii_case("VEVENT") => {
                let Some((line, s)) = start else {
                    return Err(RosterError::Invalid(format!("{source} line {n}: an event without DTSTART")));
                };
                let e = end.unwrap_or(s + Duration::days(1)).max(s + Duration::days(1));
                if (e - s).num_days() > 366 {
                    return Err(RosterError::Invalid(format!("{source} line {line}: an event longer than a year")));
                }
                if !cancelled {
                    out.extend(s.iter_days().take_while(|d| *d < e).map(|d| (d, summary.clone())));
                }
                in_event = false;
            }
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        let mut out = String::new();
        let long = format!("SUMMARY:{}", "Ночная смена — ".repeat(8));
        push_folded(&mut out, &long);
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        let unfolded = out.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, long);
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a, b; c\\d\ne"), "a\\, b\\; c\\\\d\\ne");
        assert_eq!(escape("line\r\nnext\rend"), "line\\nnext\\nend");
    }

    #[test]
    fn toronto_gets_its_two_changes_and_moscow_none() {
        let t = vtimezone("America/Toronto".parse().unwrap(), NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()).join("\n");
        assert!(t.contains("BEGIN:DAYLIGHT\nDTSTART:20260308T020000\nTZOFFSETFROM:-0500\nTZOFFSETTO:-0400"), "{t}");
        assert!(t.contains("BEGIN:STANDARD\nDTSTART:20261101T020000\nTZOFFSETFROM:-0400\nTZOFFSETTO:-0500"), "{t}");
        let m = vtimezone("Europe/Moscow".parse().unwrap(), NaiveDate::from_ymd_opt(2026, 11, 1).unwrap());
        assert_eq!(m.iter().filter(|l| l.starts_with("BEGIN:")).count(), 2, "{m:?}");
        assert!(m.contains(&"TZOFFSETTO:+0300".to_string()));
    }

    #[test]
    fn holidays_are_read_from_all_day_events_and_bad_dates_are_named() {
        let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270101\r\nDTEND;VALUE=DATE:20270103\r\nSUMMARY:New Year\\, first days\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270223\r\nSUMMARY:Defender of the\r\n  Fatherland Day\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let days = parse_holidays(ics, "h.ics").unwrap();
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(
            days,
            vec![(d("2027-01-01"), "New Year, first days".into()), (d("2027-01-02"), "New Year, first days".into()), (d("2027-02-23"), "Defender of the Fatherland Day".into())]
        );
        let bad = parse_holidays("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:2027-01-01\nEND:VEVENT\nEND:VCALENDAR\n", "h.ics").unwrap_err().to_string();
        assert!(bad.contains("h.ics line 3") && bad.contains("2027-01-01"), "{bad}");
        assert!(parse_holidays("name,day\n", "h.csv").unwrap_err().to_string().contains("not an iCalendar"));
    }
}

//! The rules on small plans whose answers are counted by hand, and the demo's month.

use super::pattern::ShiftTemplate;
use super::rules::*;
use crate::domain::{Role, Skill};
use chrono::{Duration, NaiveDate};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn template(code: &str, start: &str, minutes: u32, zone: Option<&str>, holidays: bool) -> ShiftTemplate {
    ShiftTemplate { break_minutes: if code == "W" { 60 } else { 0 }, observes_holidays: holidays, ..super::pattern::tests::template(code, start, minutes, zone) }
}

fn person(id: i64, role: Role, skills: &[Skill]) -> Person {
    Person { id, name: format!("P{id}"), role, skills: skills.to_vec(), time_zone: "Europe/Moscow".into() }
}

fn plan(people: Vec<Person>) -> Plan {
    Plan {
        people,
        templates: vec![
            template("D", "08:00", 720, Some("Europe/Moscow"), false),
            template("N", "20:00", 720, Some("Europe/Moscow"), false),
            template("W", "09:00", 540, None, true),
        ],
        rules: Rules::default(),
        holidays: {
            let (h, m) = super::data::russian_calendar();
            h.into_iter().chain(m).map(|(d, _)| d).collect()
        },
        transfers: super::data::russian_calendar().1.into_iter().map(|(d, _)| d).collect(),
        ..Default::default()
    }
}

fn set(p: &mut Plan, id: i64, day: &str, code: &str) {
    p.cells.insert((id, d(day)), code.into());
}

fn days(first: &str, n: i64) -> Vec<NaiveDate> {
    (0..n).map(|i| d(first) + Duration::days(i)).collect()
}

fn rules_broken(p: &Plan, id: i64, month: &str) -> Vec<(RuleKind, NaiveDate)> {
    let first = d(month);
    let all = month_days(first);
    let before: Vec<NaiveDate> = (1..=7).rev().map(|i| first - Duration::days(i)).collect();
    let who = p.person(id).unwrap().clone();
    let norm = person_norm(p, &who, &all, norm_minutes(first, &p.holidays, &p.transfers));
    breaches(p, &who, &before, &all, norm).into_iter().map(|b| (b.rule, b.day)).collect()
}

#[test]
fn the_norm_follows_the_production_calendar() {
    let p = plan(vec![]);
    let (h, t) = (&p.holidays, &p.transfers);
    // November 2026: 21 weekdays, 4 November a holiday, 3 November an hour shorter → 159 h.
    assert_eq!(norm_minutes(d("2026-11-01"), h, t), 159 * 60);
    // December 2026: 23 weekdays, 31 December a day off moved from 3 January: no shorter eve → 176 h.
    assert_eq!(norm_minutes(d("2026-12-01"), h, t), 176 * 60);
    // November 2025: 20 weekdays, 3 (moved) and 4 November off; the eve of 3 November is not shortened → 144 h.
    assert_eq!(norm_minutes(d("2025-11-01"), h, t), 144 * 60);
    // February 2026: 20 weekdays, 23 February (a Monday) a holiday; the Friday before is not
    // shortened, as the day before the holiday is a Sunday → 152 h.
    assert_eq!(norm_minutes(d("2026-02-01"), h, t), 152 * 60);
}

#[test]
fn a_night_followed_directly_by_a_day_breaks_the_rule_and_a_day_then_a_night_does_not() {
    let mut p = plan(vec![person(1, Role::Line1, &[])]);
    set(&mut p, 1, "2026-12-03", "D");
    set(&mut p, 1, "2026-12-04", "N");
    assert_eq!(rules_broken(&p, 1, "2026-12-01"), vec![]);
    set(&mut p, 1, "2026-12-05", "D");
    assert_eq!(rules_broken(&p, 1, "2026-12-01"), vec![(RuleKind::BackToBack, d("2026-12-05"))]);
}

#[test]
fn the_rest_before_the_first_shift_of_a_month_counts_last_months_night() {
    let mut p = plan(vec![person(1, Role::Line1, &[])]);
    set(&mut p, 1, "2026-11-30", "N");
    set(&mut p, 1, "2026-12-01", "D");
    assert_eq!(rules_broken(&p, 1, "2026-12-01"), vec![(RuleKind::BackToBack, d("2026-12-01"))]);
}

#[test]
fn minimum_rest_between_two_days_passes_at_twelve_hours_and_breaks_at_thirteen() {
    let mut p = plan(vec![person(1, Role::Line2, &[])]);
    set(&mut p, 1, "2026-12-07", "D");
    set(&mut p, 1, "2026-12-08", "D");
    assert_eq!(rules_broken(&p, 1, "2026-12-01"), vec![]);
    p.rules.min_rest_hours = 13;
    let b = rules_broken(&p, 1, "2026-12-01");
    assert_eq!(b, vec![(RuleKind::MinRest, d("2026-12-08"))]);
}

#[test]
fn six_days_in_a_row_pass_and_the_seventh_breaks() {
    let mut p = plan(vec![person(1, Role::Line3, &[])]);
    for day in days("2026-12-07", 6) {
        set(&mut p, 1, &day.to_string(), "W");
    }
    assert_eq!(rules_broken(&p, 1, "2026-12-01"), vec![]);
    set(&mut p, 1, "2026-12-13", "W");
    assert_eq!(rules_broken(&p, 1, "2026-12-01"), vec![(RuleKind::MaxConsecutive, d("2026-12-13"))]);
}

#[test]
fn month_hours_within_the_overtime_allowance_pass_and_above_it_break() {
    let mut p = plan(vec![person(1, Role::Line1, &[])]);
    // 15 twelve-hour shifts = 180 h against December's 176 h: within 36 h of overtime.
    for day in days("2026-12-01", 30).into_iter().step_by(2) {
        set(&mut p, 1, &day.to_string(), "D");
    }
    assert_eq!(rules_broken(&p, 1, "2026-12-01"), vec![]);
    p.rules.max_overtime_hours = 3;
    // 176 + 3 = 179 is passed by the 15th shift, on 29 December.
    assert_eq!(rules_broken(&p, 1, "2026-12-01"), vec![(RuleKind::MonthHours, d("2026-12-29"))]);
    // A week of vacation lowers the norm by its working days (5 × 8 h) to 136 h.
    p.rules.max_overtime_hours = 24;
    for day in days("2026-12-14", 7) {
        p.absences.insert((1, day), AbsenceKind::Vacation);
    }
    // The vacation also removes the shifts of 14, 16, 18 and 20 December: 11 shifts, 132 h < 160 h.
    assert_eq!(rules_broken(&p, 1, "2026-12-01"), vec![]);
}

#[test]
fn office_days_are_not_worked_on_holidays_and_cost_eight_paid_hours() {
    let mut p = plan(vec![person(1, Role::Line3, &[])]);
    set(&mut p, 1, "2026-12-30", "W");
    set(&mut p, 1, "2026-12-31", "W");
    let who = p.person(1).unwrap().clone();
    let worked = p.shifts_of(&who, &days("2026-12-30", 2));
    assert_eq!(worked.len(), 1);
    assert_eq!(worked[0].paid_minutes, 8 * 60);
}

#[test]
fn coverage_counts_each_line_and_a_higher_line_covers_a_lower_one() {
    let mut p = plan(vec![person(1, Role::Line1, &[]), person(2, Role::Line1, &[]), person(3, Role::Line2, &[]), person(4, Role::Line2, &[Skill::Networks])]);
    for id in [1, 2, 3] {
        set(&mut p, id, "2026-12-01", "D");
    }
    set(&mut p, 1, "2026-12-02", "N");
    set(&mut p, 3, "2026-12-02", "D");
    set(&mut p, 4, "2026-12-02", "D");
    let c = coverage(&p, &days("2026-12-01", 2));
    let at = |day: &str, code: &str| c.iter().find(|x| x.day == d(day) && x.code == code).unwrap().clone();
    let full = at("2026-12-01", "D");
    assert_eq!((full.planned, full.missing, full.is_short()), (LineCounts { line1: 2, line2: 1, line3: 0 }, LineCounts::default(), false));
    // Two second-line engineers by day: one stands in for a first-line one; one is still missing.
    let day2 = at("2026-12-02", "D");
    assert_eq!(day2.planned, LineCounts { line1: 0, line2: 2, line3: 0 });
    assert_eq!(day2.missing, LineCounts { line1: 1, line2: 0, line3: 0 });
    // A night with one first-line engineer lacks one more and the second line.
    let night2 = at("2026-12-02", "N");
    assert_eq!(night2.missing, LineCounts { line1: 1, line2: 1, line3: 0 });
    // The empty night of the 1st lacks everyone.
    assert_eq!(at("2026-12-01", "N").missing, LineCounts { line1: 2, line2: 1, line3: 0 });
    // A skill required by day: present on the 2nd (P4), missing on the 1st.
    p.rules.skills.insert("D".into(), vec![Skill::Networks]);
    let c = coverage(&p, &days("2026-12-01", 2));
    assert_eq!(c.iter().find(|x| x.day == d("2026-12-01") && x.code == "D").unwrap().missing_skills, vec![Skill::Networks]);
    assert!(c.iter().find(|x| x.day == d("2026-12-02") && x.code == "D").unwrap().missing_skills.is_empty());
    // A weekday override: Sunday days need one of each.
    p.rules.by_weekday.insert("sun".into(), [("D".to_string(), LineCounts { line1: 1, line2: 1, line3: 0 })].into());
    assert_eq!(p.rules.required_on("D", d("2026-12-06")), LineCounts { line1: 1, line2: 1, line3: 0 });
    assert_eq!(p.rules.required_on("D", d("2026-12-07")), LineCounts { line1: 2, line2: 1, line3: 0 });
}

#[test]
fn an_absence_takes_the_shift_out_of_coverage_and_suggestions_skip_who_would_break_a_rule() {
    let mut p = plan(vec![person(1, Role::Line1, &[]), person(2, Role::Line1, &[]), person(3, Role::Line1, &[]), person(4, Role::Line1, &[]), person(5, Role::Line2, &[])]);
    set(&mut p, 1, "2026-12-10", "D");
    set(&mut p, 2, "2026-12-10", "D");
    set(&mut p, 5, "2026-12-10", "D");
    // P3 worked the night before: a day after it would start as the night ends.
    set(&mut p, 3, "2026-12-09", "N");
    // P4 has worked more hours than P2 would have: both are free, P4 has fewer hours.
    p.absences.insert((1, d("2026-12-10")), AbsenceKind::Vacation);
    let c = coverage(&p, &[d("2026-12-10")]);
    assert_eq!(c.iter().find(|x| x.code == "D").unwrap().missing, LineCounts { line1: 1, line2: 0, line3: 0 });
    let all = month_days(d("2026-12-01"));
    let before: Vec<NaiveDate> = (1..=7).rev().map(|i| d("2026-12-01") - Duration::days(i)).collect();
    let s = suggestions(&p, d("2026-12-10"), "D", 1, &before, &all, &[], norm_minutes(d("2026-12-01"), &p.holidays, &p.transfers));
    let names: Vec<&str> = s.iter().map(|x| x.name.as_str()).collect();
    // P1 is absent, P2 and P5 already work that day, P3 would break the rest rule: P4 only.
    assert_eq!(names, vec!["P4"]);
    let rules_json = r#"{"required": {"D": {"line1": 1}}, "by_weekday": {"caturday": {}}}"#;
    let e = Rules::parse(rules_json, &["D".into(), "N".into()]).unwrap_err().to_string();
    assert!(e.contains("caturday"), "{e}");
    let e = Rules::parse(r#"{"required": {"X": {"line1": 1}}}"#, &["D".into()]).unwrap_err().to_string();
    assert!(e.contains("'X'"), "{e}");
}

#[test]
fn suggestions_leave_out_who_is_over_the_hours_or_would_work_into_next_months_first_day() {
    let mut p = plan(vec![person(1, Role::Line1, &[]), person(2, Role::Line1, &[]), person(3, Role::Line1, &[])]);
    // P1 works two days out of three in December (20 day shifts, 240 h): already over
    // 176 + 36 h, and off on the 31st.
    for (i, day) in days("2026-12-01", 31).into_iter().enumerate().filter(|(i, _)| i % 3 != 0) {
        let _ = i;
        set(&mut p, 1, &day.to_string(), "D");
    }
    // P2 works the day shift of 1 January: a night on 31 December would end as it starts.
    set(&mut p, 2, "2027-01-01", "D");
    let all = month_days(d("2026-12-01"));
    let before: Vec<NaiveDate> = (1..=7).rev().map(|i| d("2026-12-01") - Duration::days(i)).collect();
    let after: Vec<NaiveDate> = (1..=7).map(|i| d("2026-12-31") + Duration::days(i)).collect();
    let norm = norm_minutes(d("2026-12-01"), &p.holidays, &p.transfers);
    let night = suggestions(&p, d("2026-12-31"), "N", 1, &before, &all, &after, norm);
    assert_eq!(night.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), vec!["P3"]);
    // Without the next month in view, P2 would have been offered.
    let blind = suggestions(&p, d("2026-12-31"), "N", 1, &before, &all, &[], norm);
    assert!(blind.iter().any(|s| s.name == "P2"));
}

//! The third line on call: one specialist per skill each week, from Monday 09:00 to the next
//! Monday 09:00 in the specialist's own zone, answering outside their office hours (evenings,
//! nights, weekends and holidays).
//!
//! The rotation is data, like the shift rotations: each week, for each skill (the scarcest
//! first: the one with the fewest specialists free for it), the specialist with the skill who has waited longest since their last week on call for
//! it (never first; then the strongest in the skill; then by id), leaving out whoever is
//! absent that week, already on call for another skill that week, or was on call the week
//! before (the rest after an on-call week). When nobody is left, the rest gives way first,
//! then the second skill; a week with nobody at all is a gap. The lead may name anyone with
//! the skill for a week by hand; the weeks after follow from that. The rotation counts from
//! a fixed Monday, so every replica of the desk works out the same weeks.

use super::data::{absences, people};
use super::rules::Person;
use super::RosterError;
use crate::domain::{Role, Skill};
use crate::store::Replica;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The Monday the rotation counts from.
const ANCHOR: NaiveDate = NaiveDate::from_ymd_opt(2024, 1, 1).expect("a valid date");

/// When an on-call week starts and ends, local time on its Mondays.
const CHANGE: NaiveTime = NaiveTime::from_hms_opt(9, 0, 0).expect("a valid time");

/// One skill's on-call specialist for one week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "roster.ts")]
pub struct OnCallWeek {
    /// The week's Monday.
    #[ts(type = "string")]
    pub week: NaiveDate,
    /// The skill.
    pub skill: Skill,
    /// Who is on call; none is a gap.
    pub staff_id: Option<i64>,
    /// Their name.
    pub name: Option<String>,
    /// Named by the lead rather than by the rotation.
    pub manual: bool,
    /// On call the week before too: no rest after an on-call week.
    pub no_rest: bool,
    /// On call for another skill the same week as well.
    pub double: bool,
    /// When the week starts and ends for them (Monday 09:00 in their own zone).
    #[ts(type = "string | null")]
    pub from: Option<DateTime<Utc>>,
    /// The end.
    #[ts(type = "string | null")]
    pub until: Option<DateTime<Utc>>,
}

/// A specialist on call at a moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "roster.ts")]
pub struct OnCallNow {
    /// The skill.
    pub skill: Skill,
    /// Staff id.
    pub staff_id: i64,
    /// Name.
    pub name: String,
    /// The on-call week's end.
    #[ts(type = "string")]
    pub until: DateTime<Utc>,
}

/// The Monday of the week holding `day`.
pub fn monday(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// When the on-call week starting on `week` begins and ends for someone living in `tz`.
pub fn window(week: NaiveDate, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    (super::pattern::resolve(tz, week.and_time(CHANGE)), super::pattern::resolve(tz, (week + Duration::days(7)).and_time(CHANGE)))
}

/// The skills in the order the rotation fills them: the enum's.
fn skills_of(specialists: &[Person]) -> Vec<Skill> {
    let mut all: Vec<Skill> = specialists.iter().flat_map(|p| p.skills.iter().copied()).collect::<HashSet<_>>().into_iter().collect();
    all.sort();
    all
}

fn overrides(conn: &Connection) -> Result<HashMap<(Skill, NaiveDate), i64>, RosterError> {
    let mut stmt = conn.prepare_cached("SELECT skill, week, staff_id FROM oncall_overrides")?;
    let rows = stmt.query_map([], |x| Ok((x.get::<_, String>(0)?, x.get::<_, String>(1)?, x.get::<_, i64>(2)?)))?;
    let mut out = HashMap::new();
    for row in rows {
        let (skill, week, id) = row?;
        if let (Ok(skill), Ok(week)) = (skill.parse::<Skill>(), crate::input::day(&week)) {
            out.insert((skill, week), id);
        }
    }
    Ok(out)
}

/// Every skill's on-call week from the week holding `from` for `count` weeks.
pub fn weeks(r: &Replica, from: NaiveDate, count: usize) -> Result<Vec<OnCallWeek>, RosterError> {
    weeks_in(r.conn(), from, count)
}

pub(crate) fn weeks_in(conn: &Connection, from: NaiveDate, count: usize) -> Result<Vec<OnCallWeek>, RosterError> {
    let first = monday(from);
    let start = first.min(ANCHOR);
    let last = first + Duration::weeks(count as i64);
    let specialists: Vec<Person> = people(conn)?.into_iter().filter(|p| p.role == Role::Line3).collect();
    let skills = skills_of(&specialists);
    let fixed = overrides(conn)?;
    let mut away: HashSet<(i64, NaiveDate)> = HashSet::new();
    for a in absences(conn, start, last)? {
        let mut d = a.first_day;
        while d <= a.last_day {
            away.insert((a.staff_id, monday(d)));
            d += Duration::days(1);
        }
    }
    let name = |id: i64| specialists.iter().find(|p| p.id == id).map(|p| p.name.clone());
    let zone = |id: i64| specialists.iter().find(|p| p.id == id).and_then(|p| p.time_zone.parse::<Tz>().ok()).unwrap_or(chrono_tz::Europe::Moscow);
    // Each skill's last week on call per person, and who was on call the week before.
    let mut last_for: HashMap<(Skill, i64), NaiveDate> = HashMap::new();
    let mut before: HashSet<i64> = HashSet::new();
    let mut out = Vec::new();
    let mut week = start;
    while week < last {
        let mut this: BTreeMap<Skill, (Option<i64>, bool)> = BTreeMap::new();
        let mut taken: HashMap<i64, usize> = HashMap::new();
        for s in &skills {
            if let Some(id) = fixed.get(&(*s, week)) {
                this.insert(*s, (Some(*id), true));
                *taken.entry(*id).or_default() += 1;
            }
        }
        // The scarcest skill first (fewest specialists free for it), so a specialist with two
        // skills is kept for the one nobody else can cover.
        let mut left: Vec<Skill> = skills.iter().copied().filter(|s| !this.contains_key(s)).collect();
        while !left.is_empty() {
            let free = |s: &Skill, taken: &HashMap<i64, usize>| {
                specialists.iter().filter(|p| p.skills.contains(s) && !away.contains(&(p.id, week)) && !before.contains(&p.id) && !taken.contains_key(&p.id)).count()
            };
            let (i, s) = left.iter().copied().enumerate().min_by_key(|(_, s)| (free(s, &taken), *s)).expect("a skill left");
            left.remove(i);
            let members: Vec<&Person> = specialists.iter().filter(|p| p.skills.contains(&s) && !away.contains(&(p.id, week))).collect();
            let rank = |p: &Person| p.skills.iter().position(|k| *k == s).unwrap_or(usize::MAX);
            let pick = |strict_rest: bool, strict_double: bool| {
                members
                    .iter()
                    .filter(|p| !(strict_rest && before.contains(&p.id) || strict_double && taken.contains_key(&p.id)))
                    .min_by_key(|p| (last_for.get(&(s, p.id)).copied(), rank(p), p.id))
                    .map(|p| p.id)
            };
            let chosen = pick(true, true).or_else(|| pick(false, true)).or_else(|| pick(false, false));
            if let Some(id) = chosen {
                *taken.entry(id).or_default() += 1;
            }
            this.insert(s, (chosen, false));
        }
        let mut next_before = HashSet::new();
        for (s, (id, manual)) in &this {
            if let Some(id) = id {
                last_for.insert((*s, *id), week);
                next_before.insert(*id);
            }
            if week >= first {
                let times = id.map(|i| window(week, zone(i)));
                out.push(OnCallWeek {
                    from: times.map(|t| t.0),
                    until: times.map(|t| t.1),
                    week,
                    skill: *s,
                    staff_id: *id,
                    name: id.and_then(name),
                    manual: *manual,
                    no_rest: id.is_some_and(|i| before.contains(&i)),
                    double: id.is_some_and(|i| taken.get(&i).copied().unwrap_or(0) > 1),
                });
            }
        }
        before = next_before;
        week += Duration::weeks(1);
    }
    Ok(out)
}

/// Names `staff_id` on call for `skill` in the week holding `day` (or, with none, gives the
/// week back to the rotation).
pub fn set(r: &mut Replica, skill: Skill, day: NaiveDate, staff_id: Option<i64>) -> Result<(), RosterError> {
    let week = monday(day).to_string();
    match staff_id {
        Some(id) => {
            let (role, skills): (String, String) = r
                .conn()
                .query_row("SELECT role, skills FROM staff WHERE id = ?1", [id], |x| Ok((x.get(0)?, x.get(1)?)))
                .map_err(|_| RosterError::Invalid(format!("staff #{id}: no such person")))?;
            if role != "line-3" || !skills.split(',').any(|k| k == skill.as_str()) {
                return Err(RosterError::Invalid(format!("on call for {skill}: staff #{id} is not a third-line specialist with that skill")));
            }
            r.conn().execute(
                "INSERT INTO oncall_overrides (skill, week, staff_id) VALUES (?1, ?2, ?3) ON CONFLICT (skill, week) DO UPDATE SET staff_id = excluded.staff_id",
                rusqlite::params![skill.as_str(), week, id],
            )?;
        }
        None => {
            r.conn().execute("DELETE FROM oncall_overrides WHERE skill = ?1 AND week = ?2", rusqlite::params![skill.as_str(), week])?;
        }
    }
    Ok(())
}

/// Who is on call at `at`, by skill: within their on-call week and not at work by the roster.
pub fn at(conn: &Connection, at: DateTime<Utc>) -> Result<Vec<OnCallNow>, RosterError> {
    let zones: HashMap<i64, String> = people(conn)?.into_iter().map(|p| (p.id, p.time_zone)).collect();
    let working = super::now::at_work(conn, at)?;
    let mut out = Vec::new();
    // The week holding `at`, and the one before: its window reaches into Monday morning.
    for w in weeks_in(conn, at.date_naive() - Duration::days(7), 3)? {
        let Some(id) = w.staff_id else { continue };
        let (Some(from), Some(until)) = (w.from, w.until) else { continue };
        let in_office = working.get(&id).copied().unwrap_or_else(|| zones.get(&id).is_some_and(|z| crate::actions::picker::in_office_hours(z, at)));
        if from <= at && at < until && !in_office {
            out.push(OnCallNow { skill: w.skill, staff_id: id, name: w.name.unwrap_or_default(), until });
        }
    }
    out.sort_by_key(|o| o.skill);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn demo() -> Replica {
        let mut r = Replica::open_in_memory().unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap();
        crate::demo::write_demo(&mut r, &crate::demo::DemoOptions { days: 3, seed: 1, now }).unwrap();
        r
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn each_skill_has_one_on_call_a_week_and_everyone_rests_after_theirs() {
        let r = demo();
        let weeks = weeks(&r, day("2026-11-02"), 12).unwrap();
        let specialists: Vec<Person> = people(r.conn()).unwrap().into_iter().filter(|p| p.role == Role::Line3).collect();
        let skills = skills_of(&specialists);
        assert_eq!(weeks.len(), 12 * skills.len(), "one entry per skill and week");
        let mut by_week: BTreeMap<NaiveDate, Vec<&OnCallWeek>> = BTreeMap::new();
        for w in &weeks {
            assert_eq!(w.week.weekday(), chrono::Weekday::Mon);
            let id = w.staff_id.expect("the demo has someone for every skill");
            let p = specialists.iter().find(|p| p.id == id).unwrap();
            assert!(p.skills.contains(&w.skill), "{} on call for {} without the skill", p.name, w.skill);
            by_week.entry(w.week).or_default().push(w);
        }
        let mut previous: HashSet<i64> = HashSet::new();
        for (week, list) in &by_week {
            let ids: Vec<i64> = list.iter().filter_map(|w| w.staff_id).collect();
            let unique: HashSet<i64> = ids.iter().copied().collect();
            // Nine skills among twenty specialists: nobody needs two at once or two weeks running.
            assert_eq!(unique.len(), ids.len(), "{week}: someone on call for two skills");
            assert!(unique.is_disjoint(&previous), "{week}: someone on call two weeks running");
            assert!(list.iter().all(|w| !w.no_rest && !w.double && !w.manual), "{list:?}");
            previous = unique;
        }
        // Everyone with a skill gets their turn at it within a few weeks.
        for s in &skills {
            let members = specialists.iter().filter(|p| p.skills.contains(s)).count();
            let served: HashSet<i64> = weeks.iter().filter(|w| w.skill == *s).filter_map(|w| w.staff_id).collect();
            assert!(served.len() >= members.min(3), "{s}: {served:?} of {members}");
        }
        // The same weeks whichever week one starts from.
        assert_eq!(super::weeks(&r, day("2026-11-16"), 2).unwrap(), weeks[2 * skills.len()..4 * skills.len()].to_vec());
    }

    #[test]
    fn an_absence_or_the_leads_choice_changes_the_week_and_the_rule_says_when_rest_is_lost() {
        let mut r = demo();
        let week = day("2026-12-07");
        let before = weeks(&r, week, 2).unwrap();
        let net = before.iter().find(|w| w.skill == Skill::Networks && w.week == week).unwrap().clone();
        let id = net.staff_id.unwrap();
        // Away that week: someone else with the skill.
        super::super::data::add_absence(r.conn(), id, super::super::rules::AbsenceKind::Vacation, day("2026-12-09"), day("2026-12-09"), "").unwrap();
        let after = weeks(&r, week, 1).unwrap();
        let other = after.iter().find(|w| w.skill == Skill::Networks).unwrap();
        assert!(other.staff_id.is_some() && other.staff_id != Some(id));
        // The lead names the same person two weeks running: kept, and marked.
        let next = before.iter().find(|w| w.skill == Skill::Networks && w.week == week + Duration::weeks(1)).unwrap().staff_id.unwrap();
        set(&mut r, Skill::Networks, week, Some(next)).unwrap();
        let marked = weeks(&r, week, 2).unwrap();
        let second = marked.iter().find(|w| w.skill == Skill::Networks && w.week == week + Duration::weeks(1)).unwrap();
        let first = marked.iter().find(|w| w.skill == Skill::Networks && w.week == week).unwrap();
        assert!(first.manual && first.staff_id == Some(next));
        assert!(second.staff_id != Some(next), "the rotation gives the next week to someone rested");
        // Only a specialist with the skill may be named.
        let lead: i64 = r.conn().query_row("SELECT id FROM staff WHERE role = 'lead'", [], |x| x.get(0)).unwrap();
        assert!(set(&mut r, Skill::Networks, week, Some(lead)).is_err());
        set(&mut r, Skill::Networks, week, None).unwrap();
        assert!(!weeks(&r, week, 1).unwrap().iter().any(|w| w.manual));
    }

    #[test]
    fn the_on_call_answer_outside_office_hours_in_their_own_zone() {
        let r = demo();
        // Wednesday 2026-12-09 00:00 UTC: 03:00 in Moscow, 19:00 on Tuesday in Toronto.
        let night = Utc.with_ymd_and_hms(2026, 12, 9, 0, 0, 0).unwrap();
        let on = at(r.conn(), night).unwrap();
        let week = weeks(&r, day("2026-12-07"), 1).unwrap();
        let skills: HashSet<Skill> = week.iter().map(|w| w.skill).collect();
        assert_eq!(on.iter().map(|o| o.skill).collect::<HashSet<_>>(), skills, "every skill has its on-call at night");
        for o in &on {
            assert_eq!(Some(o.staff_id), week.iter().find(|w| w.skill == o.skill).unwrap().staff_id);
        }
        // Wednesday 11:00 in Moscow: whoever of them works in Moscow is at the office, not on call.
        let day_time = Utc.with_ymd_and_hms(2026, 12, 9, 8, 0, 0).unwrap();
        let zones: HashMap<i64, String> = people(r.conn()).unwrap().into_iter().map(|p| (p.id, p.time_zone)).collect();
        for o in at(r.conn(), day_time).unwrap() {
            assert_ne!(zones[&o.staff_id], "Europe/Moscow", "{} is at the office", o.name);
        }
    }

    #[test]
    fn at_three_at_night_the_picker_and_an_escalation_go_to_the_on_call_specialist_of_the_skill() {
        use crate::actions::{apply, picker, Actor};
        use crate::domain::{Action, Line};
        let mut r = demo();
        // Wednesday 03:00 in Moscow.
        let night = Utc.with_ymd_and_hms(2026, 12, 9, 0, 0, 0).unwrap();
        let net = at(r.conn(), night).unwrap().into_iter().find(|o| o.skill == Skill::Networks).expect("someone on call for networks");
        let people = picker::candidates(&r, Line::THIRD, Some(Skill::Networks), night).unwrap();
        assert_eq!(people[0].staff_id, net.staff_id, "the on-call specialist first: {people:?}");
        assert!(people[0].on_call && people[0].has_skill);
        assert!(people[1..].iter().all(|c| !c.on_call), "one on call per skill");
        assert!(people.iter().filter(|c| c.has_skill && !c.on_call).all(|c| c.working_now == Some(false)), "the others are off at 03:00");
        // By day the one at the office comes first, and the on-call specialist answers nothing.
        let day_time = Utc.with_ymd_and_hms(2026, 12, 9, 8, 0, 0).unwrap();
        let by_day = picker::candidates(&r, Line::THIRD, Some(Skill::Networks), day_time).unwrap();
        assert_eq!(by_day[0].working_now, Some(true));
        // An escalation to the third line without a name goes to them.
        let number: String =
            r.conn().query_row("SELECT number FROM tickets WHERE line = 2 AND status IN ('assigned', 'in-progress') ORDER BY id LIMIT 1", [], |x| x.get(0)).unwrap();
        let lead = Actor::resolve(&r, None).unwrap();
        let escalate = Action::Escalate { line: Line::THIRD, skill: Some(Skill::Networks), to: None, reason: "uplink down at night".into() };
        apply(&mut r, &crate::FixedClock(night), &lead, &number, &escalate).unwrap();
        let assignee: i64 = r.conn().query_row("SELECT assignee_id FROM tickets WHERE number = ?1", [&number], |x| x.get(0)).unwrap();
        assert_eq!(assignee, net.staff_id);
    }
}

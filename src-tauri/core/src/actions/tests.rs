//! The rules of every action, including the refusals, on a demo replica.

use super::*;
use crate::clock::FixedClock;
use crate::demo::{write_demo, DemoOptions};
use crate::domain::{ClosureCode, Level, LifecycleError, Priority};
use crate::store::outbox;
use crate::store::queue::{detail, page, QueueFilter};
use chrono::{Duration, TimeZone};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 8, 0, 0).unwrap() // a Wednesday, 11:00 in Moscow
}

fn setup() -> (Replica, FixedClock, Actor) {
    let mut r = Replica::open_in_memory().unwrap();
    write_demo(&mut r, &DemoOptions { days: 7, seed: 5, now: now() }).unwrap();
    let actor = Actor::resolve(&r, None).unwrap();
    (r, FixedClock(now() + Duration::minutes(5)), actor)
}

/// A fresh ticket, just registered on line 1.
fn new_registered(r: &mut Replica) -> QueueRow {
    use crate::store::tickets::{insert_ticket, NewTicket};
    let client = crate::store::reference::clients(r).unwrap()[0].id;
    let matrix = crate::store::settings::matrix(r).unwrap();
    let at = now();
    r.write(|tx| {
        insert_ticket(
            tx,
            &matrix,
            &NewTicket {
                number: "INC9000001".into(),
                kind: Kind::Incident,
                client_id: client,
                contact_name: "Anna".into(),
                contact_email: None,
                channel: crate::domain::Channel::Phone,
                service: "Network".into(),
                request_type: None,
                subject: "VPN down".into(),
                description: String::new(),
                urgency: Level::High,
                impact: Level::Medium,
                status: Status::Registered,
                line: Line::FIRST,
                assignee_id: None,
                created_at: at,
                updated_at: at,
                first_response_at: None,
                completed_at: None,
                closed_at: None,
                closure_code: None,
                imported: None,
                deadline: None,
            },
        )
    })
    .unwrap();
    queue::row_by_number(r, "INC9000001").unwrap()
}

fn first(r: &Replica, f: QueueFilter) -> String {
    page(r, &f, 0, 1).unwrap().rows.first().unwrap_or_else(|| panic!("no ticket for {f:?}")).number.clone()
}

fn staff_id(r: &Replica, role: Role) -> i64 {
    crate::store::reference::staff(r).unwrap().into_iter().find(|s| s.role == role).unwrap().id
}

fn refused(e: ApplyError) -> ActionError {
    match e {
        ApplyError::Refused(a) => a,
        other => panic!("expected a refusal, got {other}"),
    }
}

fn snapshot(r: &Replica, number: &str) -> (crate::store::queue::TicketDetail, usize) {
    (detail(r, number).unwrap(), outbox::list(r).unwrap().len())
}

fn incident(r: &Replica, urgency: Level, impact: Level) -> String {
    let all = page(r, &QueueFilter { kind: Some(Kind::Incident), ..Default::default() }, 0, u32::MAX).unwrap();
    all.rows.into_iter().find(|x| x.urgency == urgency && x.impact == impact).map(|x| x.number).expect("such an incident in the demo")
}

#[test]
fn raising_urgency_recomputes_priority_shortens_the_deadline_and_is_queued() {
    let (mut r, clock, lead) = setup();
    let number = incident(&r, Level::Low, Level::Low);
    let before = detail(&r, &number).unwrap();
    assert_eq!(before.summary.priority, Priority::Low);
    let applied = apply(&mut r, &clock, &lead, &number, &Action::SetUrgency { level: Level::VeryHigh, reason: "client called: production down".into() }).unwrap();
    assert_eq!(applied.ticket.priority, Priority::High, "very high × low in the default matrix");
    assert!(applied.ticket.due_at < before.summary.due_at);
    assert!(applied.ticket.unsynced);
    let after = detail(&r, &number).unwrap();
    let h: Vec<_> = after.history.iter().rev().take(2).collect();
    assert!(h.iter().any(|e| e.field == "urgency" && e.old_value.as_deref() == Some("low") && e.new_value.as_deref() == Some("very-high")));
    assert!(h.iter().any(|e| e.field == "priority" && e.reason.as_deref() == Some("client called: production down") && e.actor == lead.name));
    let ops = outbox::list(&r).unwrap();
    assert_eq!(ops.len(), 1);
    assert_eq!((ops[0].ticket.as_str(), ops[0].kind.as_str(), ops[0].state.as_str()), (number.as_str(), "set-urgency", "pending"));
    assert_eq!(Some(ops[0].op_id.clone()), applied.op_id);
}

#[test]
fn changing_urgency_needs_a_reason_and_a_different_level() {
    let (mut r, clock, lead) = setup();
    let number = incident(&r, Level::Low, Level::Low);
    let before = snapshot(&r, &number);
    let e = apply(&mut r, &clock, &lead, &number, &Action::SetUrgency { level: Level::High, reason: "  ".into() }).unwrap_err();
    assert_eq!(refused(e), ActionError::ReasonRequired("changing urgency"));
    let e = apply(&mut r, &clock, &lead, &number, &Action::SetImpact { level: Level::Low, reason: "same".into() }).unwrap_err();
    assert!(matches!(refused(e), ActionError::Unchanged { field: "impact", .. }));
    assert_eq!(snapshot(&r, &number), before, "a refused action changes nothing");
}

#[test]
fn a_closed_ticket_refuses_every_action_and_stays_as_it_was() {
    let (mut r, clock, lead) = setup();
    let number = first(&r, QueueFilter { status: Some(Status::Closed), ..Default::default() });
    let before = snapshot(&r, &number);
    for action in [
        Action::SetImpact { level: Level::VeryHigh, reason: "r".into() },
        Action::Escalate { line: Line::THIRD, skill: Some(Skill::Networks), to: None, reason: "r".into() },
        Action::Comment { body: "late".into() },
        Action::Transition { to: Status::InProgress, comment: None, closure_code: None },
        Action::Pin,
    ] {
        let e = apply(&mut r, &clock, &lead, &number, &action).unwrap_err();
        assert!(matches!(refused(e), ActionError::Finished { status: Status::Closed, .. }), "{action:?}");
    }
    assert_eq!(snapshot(&r, &number), before);
}

#[test]
fn escalating_to_line_3_requires_a_skill_and_picks_a_specialist_who_has_it() {
    let (mut r, clock, lead) = setup();
    let number = first(&r, QueueFilter { line: Some(Line::FIRST), status: Some(Status::InProgress), ..Default::default() });
    let e = apply(&mut r, &clock, &lead, &number, &Action::Escalate { line: Line::THIRD, skill: None, to: None, reason: "needs hardware".into() }).unwrap_err();
    assert_eq!(refused(e), ActionError::SkillRequired(Line::THIRD));
    let applied = apply(&mut r, &clock, &lead, &number, &Action::Escalate { line: Line::THIRD, skill: Some(Skill::Hardware), to: None, reason: "PSU failure".into() }).unwrap();
    assert_eq!(applied.ticket.line, Line::THIRD);
    assert_eq!(applied.ticket.status, Status::Assigned);
    let who = applied.ticket.assignee.unwrap();
    let best = picker::candidates(&r, Line::THIRD, Some(Skill::Hardware), clock.0).unwrap();
    let chosen = best.iter().find(|c| c.name == who).unwrap();
    assert!(chosen.skills.contains(&Skill::Hardware));
    let h = detail(&r, &number).unwrap().history;
    assert!(h.iter().any(|e| e.field == "line" && e.new_value.as_deref() == Some("3") && e.reason.as_deref() == Some("PSU failure")));
}

#[test]
fn escalation_goes_up_and_a_specialist_without_the_skill_is_refused() {
    let (mut r, clock, lead) = setup();
    let l2 = first(&r, QueueFilter { line: Some(Line::SECOND), status: Some(Status::InProgress), ..Default::default() });
    let e = apply(&mut r, &clock, &lead, &l2, &Action::Escalate { line: Line::FIRST, skill: None, to: None, reason: "x".into() }).unwrap_err();
    assert!(matches!(refused(e), ActionError::NotUpward { .. }));
    let staff = crate::store::reference::staff(&r).unwrap();
    let db_only = staff.iter().find(|s| s.role == Role::Line3 && !s.skills.contains(&Skill::Hardware)).unwrap();
    let e = apply(&mut r, &clock, &lead, &l2, &Action::Escalate { line: Line::THIRD, skill: Some(Skill::Hardware), to: Some(db_only.id), reason: "x".into() }).unwrap_err();
    assert!(matches!(refused(e), ActionError::LacksSkill { .. }));
    let e = apply(&mut r, &clock, &lead, &l2, &Action::Escalate { line: Line::THIRD, skill: Some(Skill::Hardware), to: None, reason: "".into() }).unwrap_err();
    assert_eq!(refused(e), ActionError::ReasonRequired("escalation"));
}

#[test]
fn a_second_line_engineer_hands_over_to_a_colleague_with_a_stronger_skill() {
    let (mut r, clock, lead) = setup();
    let staff = crate::store::reference::staff(&r).unwrap();
    let networks = staff.iter().find(|s| s.role == Role::Line2 && s.skills[0] == Skill::Networks).unwrap();
    let all = page(&r, &QueueFilter { line: Some(Line::SECOND), ..Default::default() }, 0, u32::MAX).unwrap();
    let number = all.rows.iter().find(|x| x.assignee.as_deref() != Some(networks.name.as_str())).unwrap().number.clone();
    let applied = apply(&mut r, &clock, &lead, &number, &Action::Escalate { line: Line::SECOND, skill: Some(Skill::Networks), to: None, reason: "BGP issue".into() }).unwrap();
    assert_eq!(applied.ticket.assignee.as_deref(), Some(networks.name.as_str()));
    assert_eq!(applied.ticket.line, Line::SECOND);
    let e = apply(&mut r, &clock, &lead, &number, &Action::Escalate { line: Line::SECOND, skill: None, to: None, reason: "x".into() }).unwrap_err();
    assert_eq!(refused(e), ActionError::SkillRequired(Line::SECOND));
}

#[test]
fn assigning_checks_the_line_and_moves_a_registered_ticket_to_assigned() {
    let (mut r, clock, lead) = setup();
    let number = first(&r, QueueFilter { line: Some(Line::FIRST), status: Some(Status::InProgress), ..Default::default() });
    let specialist = staff_id(&r, Role::Line3);
    let e = apply(&mut r, &clock, &lead, &number, &Action::Assign { staff_id: specialist, reason: None }).unwrap_err();
    assert!(matches!(refused(e), ActionError::WrongLine { .. }));
    let other_l1 = crate::store::reference::staff(&r)
        .unwrap()
        .into_iter()
        .filter(|s| s.role == Role::Line1)
        .find(|s| Some(&s.name) != detail(&r, &number).unwrap().summary.assignee.as_ref())
        .unwrap();
    let applied = apply(&mut r, &clock, &lead, &number, &Action::Assign { staff_id: other_l1.id, reason: Some("balancing the shift".into()) }).unwrap();
    assert_eq!(applied.ticket.assignee.as_deref(), Some(other_l1.name.as_str()));
    assert_eq!(applied.ticket.status, Status::InProgress, "a ticket in work stays in work");
}

#[test]
fn taking_into_work_assigns_the_actor_and_starts_work() {
    let (mut r, clock, _) = setup();
    let engineer = crate::store::reference::staff(&r).unwrap().into_iter().find(|s| s.role == Role::Line1).unwrap();
    let me = Actor::resolve(&r, Some(&engineer.name)).unwrap();
    let number = {
        let all = page(&r, &QueueFilter { line: Some(Line::FIRST), include_done: false, ..Default::default() }, 0, u32::MAX).unwrap();
        all.rows.into_iter().find(|x| x.assignee.as_deref() != Some(engineer.name.as_str()) && x.status != Status::Completed).unwrap().number
    };
    let applied = apply(&mut r, &clock, &me, &number, &Action::TakeIntoWork).unwrap();
    assert_eq!(applied.ticket.status, Status::InProgress);
    assert_eq!(applied.ticket.assignee.as_deref(), Some(engineer.name.as_str()));
    let e = apply(&mut r, &clock, &me, &number, &Action::TakeIntoWork).unwrap_err();
    assert!(matches!(refused(e), ActionError::Unchanged { .. }));
}

#[test]
fn transitions_follow_the_lifecycle_with_their_comments_and_closure_codes() {
    let (mut r, clock, lead) = setup();
    let number = first(&r, QueueFilter { status: Some(Status::InProgress), ..Default::default() });
    let before = snapshot(&r, &number);
    let e = apply(&mut r, &clock, &lead, &number, &Action::Transition { to: Status::InformationNeeded, comment: None, closure_code: None }).unwrap_err();
    assert_eq!(refused(e), ActionError::Lifecycle(LifecycleError::CommentRequired(Status::InformationNeeded)));
    let e = apply(&mut r, &clock, &lead, &number, &Action::Transition { to: Status::Closed, comment: None, closure_code: None }).unwrap_err();
    assert!(matches!(refused(e), ActionError::Lifecycle(LifecycleError::NotAllowed { .. })));
    assert_eq!(snapshot(&r, &number), before);
    apply(&mut r, &clock, &lead, &number, &Action::Transition { to: Status::InformationNeeded, comment: Some("Which VM?".into()), closure_code: None }).unwrap();
    let d = detail(&r, &number).unwrap();
    assert_eq!(d.comments.last().unwrap().body, "Which VM?");
    apply(&mut r, &clock, &lead, &number, &Action::Transition { to: Status::InProgress, comment: None, closure_code: None }).unwrap();
    let e = apply(&mut r, &clock, &lead, &number, &Action::Transition { to: Status::Completed, comment: None, closure_code: None }).unwrap_err();
    assert_eq!(refused(e), ActionError::Lifecycle(LifecycleError::ClosureCodeRequired));
    let done = apply(&mut r, &clock, &lead, &number, &Action::Transition { to: Status::Completed, comment: None, closure_code: Some(ClosureCode::Resolved) }).unwrap();
    assert_eq!(done.ticket.status, Status::Completed);
    let d = detail(&r, &number).unwrap();
    assert_eq!((d.closure_code, d.completed_at), (Some(ClosureCode::Resolved), Some(clock.0)));
    assert_eq!(outbox::list(&r).unwrap().len(), 3);
}

#[test]
fn a_comment_needs_text_and_is_queued() {
    let (mut r, clock, lead) = setup();
    let number = first(&r, QueueFilter::default());
    let e = apply(&mut r, &clock, &lead, &number, &Action::Comment { body: "\n ".into() }).unwrap_err();
    assert_eq!(refused(e), ActionError::ReasonRequired("a comment"));
    apply(&mut r, &clock, &lead, &number, &Action::Comment { body: "Called the client back".into() }).unwrap();
    assert_eq!(detail(&r, &number).unwrap().comments.last().unwrap().body, "Called the client back");
    assert_eq!(outbox::list(&r).unwrap()[0].kind, crate::domain::ActionKind::Comment);
}

#[test]
fn the_leads_order_puts_pinned_tickets_first_keeps_priority_and_stays_local() {
    let (mut r, clock, lead) = setup();
    let open = page(&r, &QueueFilter::default(), 0, u32::MAX).unwrap().rows;
    let last = open.last().unwrap().clone();
    let applied = apply(&mut r, &clock, &lead, &last.number, &Action::Pin).unwrap();
    assert_eq!(applied.op_id, None, "the lead's order is not sent to the ITSM");
    assert_eq!(applied.ticket.priority, last.priority);
    assert!(applied.ticket.pinned);
    let now_first = page(&r, &QueueFilter::default(), 0, 3).unwrap().rows;
    assert_eq!(now_first[0].number, last.number);
    // Move another ticket above the pinned one, and a third below it.
    let (a, b) = (open[5].number.clone(), open[6].number.clone());
    apply(&mut r, &clock, &lead, &a, &Action::MoveAbove { other: last.number.clone() }).unwrap();
    apply(&mut r, &clock, &lead, &b, &Action::MoveBelow { other: last.number.clone() }).unwrap();
    let top: Vec<String> = page(&r, &QueueFilter::default(), 0, 3).unwrap().rows.into_iter().map(|x| x.number).collect();
    assert_eq!(top, [a.clone(), last.number.clone(), b]);
    apply(&mut r, &clock, &lead, &a, &Action::Unpin).unwrap();
    assert_eq!(page(&r, &QueueFilter::default(), 0, 1).unwrap().rows[0].number, last.number);
    let e = apply(&mut r, &clock, &lead, &a, &Action::MoveAbove { other: a.clone() }).unwrap_err();
    assert_eq!(refused(e), ActionError::SelfReference);
    assert!(outbox::list(&r).unwrap().is_empty());
    assert!(detail(&r, &last.number).unwrap().history.iter().any(|h| h.field == "lead-order"));
}

#[test]
fn bulk_applies_to_all_or_to_none() {
    let (mut r, clock, lead) = setup();
    let open = page(&r, &QueueFilter { kind: Some(Kind::Incident), ..Default::default() }, 0, u32::MAX).unwrap().rows;
    let low: Vec<String> = open.iter().filter(|x| x.impact != Level::High).take(3).map(|x| x.number.clone()).collect();
    let done = apply_bulk(&mut r, &clock, &lead, &low, &Action::SetImpact { level: Level::High, reason: "whole rack affected".into() }).unwrap();
    assert_eq!(done.len(), 3);
    assert!(done.iter().all(|d| d.ticket.impact == Level::High && d.op_id.is_some()));
    let closed = first(&r, QueueFilter { status: Some(Status::Closed), ..Default::default() });
    let mixed = vec![open.iter().find(|x| x.impact != Level::Medium).unwrap().number.clone(), closed];
    let before = outbox::list(&r).unwrap().len();
    assert!(apply_bulk(&mut r, &clock, &lead, &mixed, &Action::SetImpact { level: Level::Medium, reason: "r".into() }).is_err());
    assert_eq!(outbox::list(&r).unwrap().len(), before, "nothing of a refused bulk action is stored");
    assert_ne!(detail(&r, &mixed[0]).unwrap().summary.impact, Level::Medium);
}

#[test]
fn discarding_an_operation_rolls_the_ticket_back_newest_first() {
    let (mut r, clock, lead) = setup();
    let number = incident(&r, Level::Low, Level::Low);
    let original = detail(&r, &number).unwrap();
    let one = apply(&mut r, &clock, &lead, &number, &Action::SetUrgency { level: Level::High, reason: "asked".into() }).unwrap().op_id.unwrap();
    let two = apply(&mut r, &clock, &lead, &number, &Action::Comment { body: "noted".into() }).unwrap().op_id.unwrap();
    let e = discard(&mut r, &clock, &lead, &one).unwrap_err();
    assert!(matches!(e, DiscardError::LaterOperations { .. }), "{e}");
    discard(&mut r, &clock, &lead, &two).unwrap();
    discard(&mut r, &clock, &lead, &one).unwrap();
    let back = detail(&r, &number).unwrap();
    assert_eq!((back.summary.urgency, back.summary.priority, back.summary.due_at), (original.summary.urgency, original.summary.priority, original.summary.due_at));
    assert_eq!(back.comments, original.comments);
    assert!(outbox::list(&r).unwrap().is_empty());
    assert!(back.history.iter().any(|h| h.reason.as_deref().is_some_and(|x| x.starts_with("discarded operation"))));
    assert!(matches!(discard(&mut r, &clock, &lead, &one), Err(DiscardError::NotFound(_))));
}

#[test]
fn the_specialist_picker_puts_those_at_work_with_the_skill_first() {
    let (r, _, _) = setup();
    // Wednesday 11:00 Moscow: Moscow specialists at work, Toronto ones asleep.
    let c = picker::candidates(&r, Line::THIRD, Some(Skill::Networks), now()).unwrap();
    assert!(c[0].has_skill && c[0].working_now == Some(true));
    let toronto = c.iter().position(|x| x.name == "Arthur Bennett").unwrap();
    let last_working = c.iter().rposition(|x| x.has_skill && x.working_now == Some(true)).unwrap();
    assert!(toronto > last_working);
    assert!(c.iter().skip_while(|x| x.has_skill).all(|x| !x.has_skill));
    let l1 = picker::candidates(&r, Line::FIRST, None, now()).unwrap();
    assert_eq!(l1.len(), 6);
    // The first line by the roster: who is on shift now first, the least loaded first within.
    let on_shift: Vec<i64> = crate::roster::now::panel(&r, now()).unwrap().lines[0].now.iter().map(|p| p.staff_id).collect();
    assert!(!on_shift.is_empty());
    assert!(l1.iter().all(|c| c.working_now == Some(on_shift.contains(&c.staff_id))));
    assert!(l1.windows(2).all(|w| w[0].working_now >= w[1].working_now), "on shift first");
    assert!(l1.windows(2).all(|w| w[0].working_now != w[1].working_now || w[0].open_tickets <= w[1].open_tickets), "least loaded first");
}

#[test]
fn the_leads_order_keeps_placing_tickets_after_many_moves_into_one_gap() {
    let (mut r, clock, lead) = setup();
    let open = page(&r, &QueueFilter::default(), 0, 10).unwrap().rows;
    let (x, a, b) = (open[0].number.clone(), open[1].number.clone(), open[2].number.clone());
    apply(&mut r, &clock, &lead, &x, &Action::Pin).unwrap();
    for i in 0..80 {
        let moving = if i % 2 == 0 { &a } else { &b };
        apply(&mut r, &clock, &lead, moving, &Action::MoveAbove { other: x.clone() }).unwrap();
        let order: Vec<String> = page(&r, &QueueFilter::default(), 0, 3).unwrap().rows.into_iter().map(|t| t.number).collect();
        let at = order.iter().position(|n| n == &x).unwrap();
        assert!(at > 0 && &order[at - 1] == moving, "move {i}: {order:?}");
    }
}

#[test]
fn taking_over_a_colleagues_ticket_in_work_keeps_it_in_work() {
    let (mut r, clock, _) = setup();
    let all = page(&r, &QueueFilter { line: Some(Line::FIRST), status: Some(Status::InProgress), ..Default::default() }, 0, u32::MAX).unwrap().rows;
    let ticket = all.iter().find(|t| t.assignee.is_some()).unwrap();
    let other = crate::store::reference::staff(&r).unwrap().into_iter().find(|s| s.role == Role::Line1 && Some(&s.name) != ticket.assignee.as_ref()).unwrap();
    let me = Actor::resolve(&r, Some(&other.name)).unwrap();
    let applied = apply(&mut r, &clock, &me, &ticket.number, &Action::TakeIntoWork).unwrap();
    assert_eq!((applied.ticket.status, applied.ticket.assignee.as_deref()), (Status::InProgress, Some(other.name.as_str())));
}

#[test]
fn a_discarded_take_into_work_does_not_count_as_work_started() {
    let (mut r, clock, _) = setup();
    let ticket = new_registered(&mut r);
    let engineer = crate::store::reference::staff(&r).unwrap().into_iter().find(|s| s.role == Role::Line1).unwrap();
    let me = Actor::resolve(&r, Some(&engineer.name)).unwrap();
    let op = apply(&mut r, &clock, &me, &ticket.number, &Action::TakeIntoWork).unwrap().op_id.unwrap();
    discard(&mut r, &clock, &me, &op).unwrap();
    apply(&mut r, &clock, &me, &ticket.number, &Action::Assign { staff_id: engineer.id, reason: None }).unwrap();
    let e = apply(&mut r, &clock, &me, &ticket.number, &Action::Transition { to: Status::Completed, comment: None, closure_code: Some(ClosureCode::Resolved) }).unwrap_err();
    assert_eq!(refused(e), ActionError::Lifecycle(LifecycleError::WithoutWorkCodeRequired(ClosureCode::Resolved)));
}

#[test]
fn assigning_a_registered_ticket_is_the_first_response() {
    let (mut r, clock, lead) = setup();
    let ticket = new_registered(&mut r);
    let engineer = crate::store::reference::staff(&r).unwrap().into_iter().find(|s| s.role == Role::Line1).unwrap();
    apply(&mut r, &clock, &lead, &ticket.number, &Action::Assign { staff_id: engineer.id, reason: None }).unwrap();
    assert_eq!(detail(&r, &ticket.number).unwrap().first_response_at, Some(clock.0));
}

/// A deadline as the queue shows it: the moment, or the time left on a stopped clock.
type Shown = (Option<DateTime<Utc>>, Option<i64>);

/// The deadline stored on `number` and the one its SLA clock gives now, computed afresh.
fn stored_and_clock(r: &Replica, number: &str, at: DateTime<Utc>) -> (Shown, Shown) {
    let row = queue::row_by_number(r, number).unwrap();
    let fresh = crate::sla::at_risk(r, at, Duration::days(3650)).unwrap();
    let clock = fresh.iter().find(|t| t.number == number && t.timer == crate::sla::TimerKind::Resolution).map(|t| t.clock.clone());
    let computed = match clock {
        Some(c) => (c.deadline_at, None),
        None => (row.due_at, row.paused_left_seconds), // paused or still awaiting reaction: checked by the caller
    };
    ((row.due_at, row.paused_left_seconds), computed)
}

#[test]
fn stopping_the_clock_shows_time_left_and_a_contract_change_moves_the_deadlines_in_the_same_write() {
    let (mut r, clock, lead) = setup();
    let all = page(&r, &QueueFilter::default(), 0, u32::MAX).unwrap();
    let row = all
        .rows
        .iter()
        .find(|x| x.status == Status::InProgress && x.kind == Kind::Incident && x.due_at.is_some_and(|d| d > clock.now()))
        .expect("an incident in work, within target");
    let number = row.number.clone();
    let (stored, computed) = stored_and_clock(&r, &number, clock.now());
    assert_eq!(stored, computed, "the demo stores the clock's deadline");
    let due = row.due_at.unwrap();

    // Waiting for the client stops the clock: no moment, the support time left instead.
    let op =
        apply(&mut r, &clock, &lead, &number, &Action::Transition { to: Status::InformationNeeded, comment: Some("which VM?".into()), closure_code: None }).unwrap().op_id.unwrap();
    let paused = queue::row_by_number(&r, &number).unwrap();
    assert_eq!(paused.due_at, None);
    let left = paused.paused_left_seconds.expect("time left on the stopped clock");
    // Round the clock that is the wall time to the old deadline; on office hours at most that.
    assert!(left > 0 && left <= (due - clock.now()).num_seconds(), "{left} s left, deadline was {due}");

    // Discarding the change brings the old deadline back.
    discard(&mut r, &clock, &lead, &op).unwrap();
    let back = queue::row_by_number(&r, &number).unwrap();
    assert_eq!((back.due_at, back.paused_left_seconds), (Some(due), None));

    // A contract of office hours only for the ticket's client: its open tickets get their
    // deadlines again in the same write, and they are the clock's.
    let (_, mut contract) = crate::sla::contract::contract_of(&r, &row.client).unwrap();
    let was_all_day = contract.support == crate::sla::SupportHours::AllDay;
    contract.support = crate::sla::SupportHours::office();
    contract.resolution_hours = [2, 4, 8, 16, 40];
    let moved = crate::sla::contract::set_contract(&mut r, &row.client, &contract).unwrap();
    assert!(moved > 0, "the change moved deadlines (all day before: {was_all_day})");
    let open = page(&r, &QueueFilter::default(), 0, u32::MAX).unwrap();
    for t in open.rows.iter().filter(|t| t.client == row.client) {
        let (stored, computed) = stored_and_clock(&r, &t.number, clock.now());
        assert_eq!(stored, computed, "{}: stored vs the clock after the contract change", t.number);
    }
    assert_ne!(queue::row_by_number(&r, &number).unwrap().due_at, Some(due));
}

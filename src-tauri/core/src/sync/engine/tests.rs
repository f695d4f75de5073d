//! The engine's decisions by table, and its push against the in-memory ITSM: the 412 retry,
//! a conflict, an operation found already applied, a refusal, an ITSM gone away.

use super::fake::FakeItsm;
use super::plan::{self, Decision, OpFields, Unsendable};
use super::*;
use crate::actions::{self, Actor};
use crate::clock::FixedClock;
use crate::domain::{Action, ActionKind, Kind, Level, Line, PriorityMatrix, Status};
use crate::store::outbox::{self, OpState, Undo};
use crate::store::pulled::Synced;
use crate::store::staff::Login;
use crate::store::ticket_state::TicketState;
use crate::sync::{Change, RemoteChange, RemoteEvent, RemoteTicket};
use chrono::TimeZone;

fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, hour, 0, 0).unwrap()
}

fn remote(id: &str) -> RemoteTicket {
    RemoteTicket {
        id: id.into(),
        number: format!("RT-{id}"),
        subject: "VPN down".into(),
        status: Status::Registered,
        urgency: Level::Medium,
        impact: Level::Medium,
        line: Line::FIRST,
        owner: None,
        priority: None,
        kind: Kind::Incident,
        requestor: Some("anna@granit.ru".into()),
        created: at(6),
        updated: at(7),
        version: None,
        history: None,
        fields: Default::default(),
    }
}

fn fields(mine: Vec<Change>, base: Vec<Change>) -> OpFields {
    OpFields { mine, base }
}

#[test]
fn an_operation_is_decided_by_ours_its_base_and_theirs() {
    use Change::*;
    let on = |f: &dyn Fn(&mut RemoteTicket)| {
        let mut t = remote("1");
        f(&mut t);
        t
    };
    // (what the operation set, its base, the ITSM's ticket, the decision)
    let table: Vec<(OpFields, RemoteTicket, Decision)> = vec![
        // The ITSM holds the base: write ours.
        (fields(vec![Urgency(Level::High)], vec![Urgency(Level::Medium)]), remote("1"), Decision::Write(vec![Urgency(Level::High)])),
        // The ITSM already holds ours (a retry after an unknown outcome): nothing to write.
        (fields(vec![Urgency(Level::High)], vec![Urgency(Level::Medium)]), on(&|t| t.urgency = Level::High), Decision::AlreadyApplied),
        // Someone changed it to a third value: a conflict on that field.
        (
            fields(vec![Urgency(Level::High)], vec![Urgency(Level::Medium)]),
            on(&|t| t.urgency = Level::Low),
            Decision::Conflict { mine: Urgency(Level::High), theirs: Urgency(Level::Low) },
        ),
        // Of an escalation, the line is already there: only owner and status are written.
        (
            fields(
                vec![Line(crate::domain::Line::SECOND), Owner(Some("oleg".into())), Status(crate::domain::Status::Assigned)],
                vec![Line(crate::domain::Line::FIRST), Owner(None), Status(crate::domain::Status::Registered)],
            ),
            on(&|t| t.line = crate::domain::Line::SECOND),
            Decision::Write(vec![Owner(Some("oleg".into())), Status(crate::domain::Status::Assigned)]),
        ),
        // The owner was changed by someone else: the conflict names the owner, not the status.
        (
            fields(vec![Owner(Some("oleg".into())), Status(crate::domain::Status::Assigned)], vec![Owner(None), Status(crate::domain::Status::Registered)]),
            on(&|t| t.owner = Some("irina".into())),
            Decision::Conflict { mine: Owner(Some("oleg".into())), theirs: Owner(Some("irina".into())) },
        ),
        // Nothing to write at all (a comment): already applied.
        (fields(vec![], vec![]), remote("1"), Decision::AlreadyApplied),
    ];
    for (i, (f, theirs, want)) in table.into_iter().enumerate() {
        assert_eq!(plan::decide(&f, &theirs), want, "row {i}");
    }
}

fn state(status: Status, assignee: Option<i64>) -> TicketState {
    TicketState {
        id: 1,
        number: "RT-1".into(),
        kind: Kind::Incident,
        created_at: at(6),
        server_version: Some("v1".into()),
        urgency: Level::Medium,
        impact: Level::Medium,
        priority: crate::domain::Priority::Medium,
        status,
        line: Line::FIRST,
        assignee_id: assignee,
        lead_rank: None,
        updated_at: at(7),
        first_response_at: None,
        completed_at: None,
        closed_at: None,
        closure_code: None,
    }
}

fn logins(id: i64) -> Option<Login> {
    match id {
        7 => Some(Login { name: "Олег Никитин".into(), login: Some("oleg".into()) }),
        8 => Some(Login { name: "Ирина Ким".into(), login: None }),
        _ => None,
    }
}

#[test]
fn an_operation_writes_what_it_set_from_its_typed_undo_record() {
    use Change::*;
    let undo = |after: Option<TicketState>| Undo { before: state(crate::domain::Status::Registered, None), comment_id: None, after };
    // Assigning a registered ticket: owner, then status Assigned, from the record's "after".
    let f = plan::op_fields(&Action::Assign { staff_id: 7, reason: None }, &undo(Some(state(crate::domain::Status::Assigned, Some(7)))), "RT-1", None, &logins).unwrap();
    assert_eq!(f.mine, vec![Owner(Some("oleg".into())), Status(crate::domain::Status::Assigned)]);
    assert_eq!(f.base, vec![Owner(None), Status(crate::domain::Status::Registered)]);
    // An older record without "after": worked out from the action.
    let f = plan::op_fields(&Action::Escalate { line: crate::domain::Line::SECOND, skill: None, to: Some(7), reason: "x".into() }, &undo(None), "RT-1", None, &logins).unwrap();
    assert_eq!(f.mine, vec![Line(crate::domain::Line::SECOND), Owner(Some("oleg".into())), Status(crate::domain::Status::Assigned)]);
    // Urgency: one field, based on the record's "before".
    let f = plan::op_fields(&Action::SetUrgency { level: Level::High, reason: "x".into() }, &undo(None), "RT-1", None, &logins).unwrap();
    assert_eq!((f.mine, f.base), (vec![Urgency(Level::High)], vec![Urgency(Level::Medium)]));
    // An engineer with no ITSM login cannot be sent as the owner.
    let e = plan::op_fields(&Action::Assign { staff_id: 8, reason: None }, &undo(Some(state(crate::domain::Status::Assigned, Some(8)))), "RT-1", None, &logins).unwrap_err();
    assert_eq!(e, Unsendable::NoLogin { name: "Ирина Ким".into(), number: "RT-1".into() });
    assert!(e.to_string().contains("smena staff login"), "{e}");
    // A comment writes no field.
    assert!(plan::op_fields(&Action::Comment { body: "hi".into() }, &undo(None), "RT-1", None, &logins).unwrap().mine.is_empty());
}

#[test]
fn a_pulled_ticket_leaves_the_fields_waiting_operations_hold() {
    let matrix = PriorityMatrix::default();
    let stored = Synced {
        id: 1,
        urgency: Level::Medium,
        impact: Level::Medium,
        status: Status::Assigned,
        line: Line::FIRST,
        assignee_id: Some(7),
        subject: "VPN down".into(),
        created_at: at(6),
        updated_at: at(7),
        version: Some("v1".into()),
    };
    let mut theirs = remote("1");
    theirs.urgency = Level::High;
    theirs.status = Status::InProgress;
    theirs.updated = at(8);
    theirs.version = Some("v2".into());
    // Nothing held: both fields move, with their history, priority from the matrix.
    let c = plan::pulled(&stored, &theirs, Some(7), &plan::Held::new(), &matrix);
    assert_eq!((c.urgency, c.status, c.moved.clone()), (Level::High, Status::InProgress, vec!["urgency", "status"]));
    assert_eq!(c.write.unwrap(), Some(matrix.priority(Level::High, Level::Medium)));
    // A waiting urgency change holds urgency and priority: the status still moves.
    let held: plan::Held = plan::held_by(ActionKind::SetUrgency).iter().copied().collect();
    let c = plan::pulled(&stored, &theirs, Some(7), &held, &matrix);
    assert_eq!((c.urgency, c.status, c.moved.clone()), (Level::Medium, Status::InProgress, vec!["status"]));
    assert_eq!(c.write.unwrap(), None, "the priority stays ours");
    // The same version and time again: nothing to write.
    let same = RemoteTicket { urgency: Level::Medium, status: Status::Assigned, owner: None, updated: at(7), version: Some("v1".into()), ..remote("1") };
    let c = plan::pulled(&stored, &same, Some(7), &plan::Held::new(), &matrix);
    assert!(c.moved.is_empty() && c.write.is_none() && c.subject.is_none(), "{c:?}");
    // A new subject is taken even when nothing else moved.
    let renamed = RemoteTicket { subject: "VPN down again".into(), ..same };
    assert_eq!(plan::pulled(&stored, &renamed, Some(7), &plan::Held::new(), &matrix).subject.as_deref(), Some("VPN down again"));
}

#[test]
fn a_pulled_closure_code_waits_while_the_leads_own_status_change_does() {
    use crate::domain::ClosureCode;
    let mut r = Replica::open_in_memory().unwrap();
    let mut itsm = FakeItsm::default();
    itsm.put(RemoteTicket { status: Status::InProgress, owner: Some("oleg".into()), ..remote("1") });
    sync(&mut r, &mut itsm, "fake", at(8), &mut |_| {}).unwrap();
    // The lead completes it as a workaround; meanwhile someone closes it in the ITSM as resolved.
    let actor = Actor::resolve(&r, None).unwrap();
    let done = Action::Transition { to: Status::Completed, comment: None, closure_code: Some(ClosureCode::Workaround) };
    actions::apply(&mut r, &FixedClock(at(9)), &actor, "RT-1", &done).unwrap();
    let theirs = itsm.tickets.get_mut("1").unwrap();
    theirs.status = Status::Closed;
    theirs.fields.closure_code = Some(ClosureCode::Resolved);
    theirs.updated = at(10);
    theirs.version = Some("v2".into());
    let report = sync(&mut r, &mut itsm, "fake", at(10), &mut |_| {}).unwrap();
    assert_eq!(report.conflicts, 1, "{report:?}");
    let held = crate::store::queue::detail(&r, "RT-1").unwrap();
    assert_eq!((held.summary.status, held.closure_code), (Status::Completed, Some(ClosureCode::Workaround)), "the conflict keeps the lead's status and code");
    // Taking theirs brings the ITSM's status and, with it, its code.
    let c = conflicts(&r).unwrap();
    resolve(&mut r, c[0].id, Resolution::Theirs, at(11)).unwrap();
    sync(&mut r, &mut itsm, "fake", at(11), &mut |_| {}).unwrap();
    let taken = crate::store::queue::detail(&r, "RT-1").unwrap();
    assert_eq!((taken.summary.status, taken.closure_code), (Status::Closed, Some(ClosureCode::Resolved)));
}

/// A replica holding the fake ITSM's ticket "1", pulled, with urgency raised to high in it.
fn desk() -> (Replica, FakeItsm, String) {
    let mut r = Replica::open_in_memory().unwrap();
    let mut itsm = FakeItsm::default();
    itsm.put(remote("1"));
    let report = sync(&mut r, &mut itsm, "fake", at(8), &mut |_| {}).unwrap();
    assert_eq!((report.pulled, report.created), (1, 1));
    let actor = Actor::resolve(&r, None).unwrap();
    let applied = actions::apply(&mut r, &FixedClock(at(9)), &actor, "RT-1", &Action::SetUrgency { level: Level::High, reason: "client called".into() }).unwrap();
    (r, itsm, applied.op_id.unwrap())
}

fn state_of(r: &Replica, op_id: &str) -> Option<(OpState, Option<String>)> {
    outbox::list(r).unwrap().into_iter().find(|e| e.op_id == op_id).map(|e| (e.state, e.last_error))
}

#[test]
fn a_write_refused_as_stale_is_read_again_and_sent_once() {
    let (mut r, mut itsm, op) = desk();
    itsm.interfere = 1; // someone else touches the ticket just before our first write (412)
    let report = sync(&mut r, &mut itsm, "fake", at(10), &mut |_| {}).unwrap();
    assert_eq!((report.pushed, report.already_applied, report.conflicts), (1, 0, 0), "{report:?}");
    assert_eq!(itsm.writes, vec![("1".to_string(), vec![Change::Urgency(Level::High)])]);
    assert_eq!(itsm.tickets["1"].urgency, Level::High);
    assert_eq!(state_of(&r, &op), None, "accepted operations leave the outbox");
    assert!(report.in_sync());
}

#[test]
fn a_ticket_that_keeps_changing_leaves_the_operation_waiting() {
    let (mut r, mut itsm, op) = desk();
    itsm.interfere = 3;
    let report = sync(&mut r, &mut itsm, "fake", at(10), &mut |_| {}).unwrap();
    assert_eq!((report.pushed, report.waiting), (0, 1), "{report:?}");
    assert!(itsm.writes.is_empty());
    let (state, error) = state_of(&r, &op).unwrap();
    assert_eq!(state, OpState::Pending);
    assert!(error.unwrap().contains("kept changing"));
    // The next sync, undisturbed, sends it.
    let report = sync(&mut r, &mut itsm, "fake", at(11), &mut |_| {}).unwrap();
    assert_eq!(report.pushed, 1);
}

#[test]
fn a_field_changed_in_the_itsm_under_an_operation_becomes_a_conflict() {
    let (mut r, mut itsm, op) = desk();
    itsm.tickets.get_mut("1").unwrap().urgency = Level::Low;
    let report = sync(&mut r, &mut itsm, "fake", at(10), &mut |_| {}).unwrap();
    assert_eq!((report.pushed, report.conflicts), (0, 1), "{report:?}");
    assert!(itsm.writes.is_empty(), "nothing is written over the ITSM's change");
    assert_eq!(state_of(&r, &op).unwrap().0, OpState::Conflict);
    let c = conflicts(&r).unwrap();
    assert_eq!((c[0].field.as_str(), c[0].mine.as_str(), c[0].theirs.as_str()), ("urgency", "high", "low"));
    // The pull leaves the held field as ours while the conflict waits.
    let queue = crate::store::queue::row_by_number(&r, "RT-1").unwrap();
    assert_eq!(queue.urgency, Level::High);
    // Keeping mine sends it again, based on the ITSM's value.
    resolve(&mut r, c[0].id, Resolution::Mine, at(11)).unwrap();
    let report = sync(&mut r, &mut itsm, "fake", at(11), &mut |_| {}).unwrap();
    assert_eq!((report.pushed, report.conflicts), (1, 0), "{report:?}");
    assert_eq!(itsm.tickets["1"].urgency, Level::High);
}

#[test]
fn an_operation_the_itsm_already_holds_is_not_written_again() {
    let (mut r, mut itsm, op) = desk();
    itsm.tickets.get_mut("1").unwrap().urgency = Level::High; // sent before, answer lost
    let report = sync(&mut r, &mut itsm, "fake", at(10), &mut |_| {}).unwrap();
    assert_eq!((report.pushed, report.already_applied), (0, 1), "{report:?}");
    assert!(itsm.writes.is_empty());
    assert_eq!(state_of(&r, &op), None);
}

#[test]
fn a_refusal_is_kept_with_its_reason_and_later_writes_on_the_ticket_wait() {
    let (mut r, mut itsm, op) = desk();
    itsm.refuse = Some("Permission Denied".into());
    let actor = Actor::resolve(&r, None).unwrap();
    let later = actions::apply(&mut r, &FixedClock(at(9)), &actor, "RT-1", &Action::SetImpact { level: Level::High, reason: "rack".into() }).unwrap().op_id.unwrap();
    let report = sync(&mut r, &mut itsm, "fake", at(10), &mut |_| {}).unwrap();
    assert_eq!((report.failed, report.waiting), (1, 1), "{report:?}");
    assert_eq!(state_of(&r, &op), Some((OpState::Failed, Some("Permission Denied".into()))));
    assert_eq!(state_of(&r, &later).unwrap().0, OpState::Pending);
    assert_eq!(failed(&r).unwrap().len(), 1);
    // Retried after the cause is fixed, both go.
    itsm.refuse = None;
    retry(&mut r, &op).unwrap();
    let report = sync(&mut r, &mut itsm, "fake", at(11), &mut |_| {}).unwrap();
    assert_eq!(report.pushed, 2, "{report:?}");
    assert!(matches!(retry(&mut r, &op), Err(SyncError::NoFailedOperation(_))));
}

#[test]
fn an_itsm_gone_away_leaves_everything_queued() {
    let (mut r, mut itsm, op) = desk();
    itsm.down = true;
    let report = sync(&mut r, &mut itsm, "fake", at(10), &mut |_| {}).unwrap();
    assert!(report.offline.is_some() && report.waiting == 1, "{report:?}");
    assert_eq!(state_of(&r, &op).unwrap().0, OpState::Pending);
}

#[test]
fn a_second_sync_of_the_same_replica_waits_for_the_first() {
    let (mut r, _, _) = desk();
    let held = lease::Lease::take(&mut r).unwrap();
    assert!(matches!(lease::Lease::take(&mut r), Err(SyncError::Busy)));
    held.release(&mut r);
    assert!(lease::Lease::take(&mut r).is_ok());
}

#[test]
fn a_sync_that_died_without_giving_its_lease_back_does_not_keep_the_next_one_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("replica.db");
    let (mut window, mut script) = (Replica::open(&path).unwrap(), Replica::open(&path).unwrap());
    let held = lease::Lease::take(&mut window).unwrap();
    assert!(matches!(lease::Lease::take(&mut script), Err(SyncError::Busy)), "another process's sync holds it");
    // The holder ends without releasing (killed): its lease row stays, its lock goes with it.
    drop(held);
    let lease = lease::Lease::take(&mut script).expect("taken over at once, not after the lease runs out");
    assert!(matches!(lease::Lease::take(&mut window), Err(SyncError::Busy)));
    lease.release(&mut script);
}

#[test]
fn an_operation_discarded_while_an_earlier_one_is_sent_is_not_sent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("race.db");
    let mut r = Replica::open(&path).unwrap();
    let mut itsm = FakeItsm::default();
    itsm.put(remote("1"));
    itsm.put(RemoteTicket { number: "RT-2".into(), ..remote("2") });
    sync(&mut r, &mut itsm, "fake", at(8), &mut |_| {}).unwrap();
    let actor = Actor::resolve(&r, None).unwrap();
    let raise = |r: &mut Replica, n: &str| actions::apply(r, &FixedClock(at(9)), &actor, n, &Action::SetUrgency { level: Level::High, reason: "x".into() }).unwrap().op_id.unwrap();
    raise(&mut r, "RT-1");
    let second = raise(&mut r, "RT-2");
    // While the first is being written, the lead discards the second from the window.
    let other = path.clone();
    let discarded = second.clone();
    itsm.on_write = Some(Box::new(move || {
        let mut window = Replica::open(&other).unwrap();
        let _ = actions::discard(&mut window, &FixedClock(at(10)), &Actor { name: "lead".into(), staff_id: None }, &discarded);
    }));
    let report = sync(&mut r, &mut itsm, "fake", at(10), &mut |_| {}).unwrap();
    assert_eq!(report.pushed, 1, "{report:?}");
    assert_eq!(itsm.writes.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>(), ["1"], "the discarded change never reached the ITSM");
    assert_eq!(itsm.tickets["2"].urgency, Level::Medium);
    assert!(outbox::list(&r).unwrap().is_empty());
}

#[test]
fn a_feed_that_never_ends_stops_the_pull_instead_of_looping() {
    struct Endless;
    impl crate::sync::ItsmApi for Endless {
        fn check(&mut self) -> Result<(), crate::sync::ItsmError> {
            Ok(())
        }
        fn changes(&mut self, cursor: &str) -> Result<crate::sync::ChangePage, crate::sync::ItsmError> {
            // "More to come" from the same place, forever.
            Ok(crate::sync::ChangePage { tickets: vec![], cursor: cursor.to_string(), more: true, ..Default::default() })
        }
        fn ticket(&mut self, id: &str) -> Result<RemoteTicket, crate::sync::ItsmError> {
            Ok(remote(id))
        }
        fn write(&mut self, _: &str, _: &str, _: &[Change]) -> Result<crate::sync::WriteOutcome, crate::sync::ItsmError> {
            Ok(crate::sync::WriteOutcome::Done)
        }
        fn comment_once(&mut self, _: &str, _: &str, _: &str) -> Result<bool, crate::sync::ItsmError> {
            Ok(true)
        }
        fn comments(&mut self, cursor: &str) -> Result<crate::sync::CommentPage, crate::sync::ItsmError> {
            Ok(crate::sync::CommentPage { comments: vec![], cursor: cursor.to_string(), more: false })
        }
    }
    let mut r = Replica::open_in_memory().unwrap();
    let e = sync(&mut r, &mut Endless, "endless", at(8), &mut |_| {}).unwrap_err();
    assert!(e.to_string().contains("rather than loop"), "{e}");
}

/// A ticket of the replica's own (imported, or the demo's) numbered `number`.
fn local_ticket(r: &mut Replica, number: &str) {
    use crate::store::tickets::{insert_ticket, NewTicket};
    let matrix = crate::store::settings::matrix(r).unwrap();
    r.write(|tx| {
        let client = crate::store::reference::insert_client(tx, "Гранит Банк", "GB-1", "Europe/Moscow", &[])?;
        insert_ticket(
            tx,
            &matrix,
            &NewTicket {
                number: number.into(),
                kind: Kind::Incident,
                client_id: client,
                contact_name: "Anna".into(),
                contact_email: None,
                channel: crate::domain::Channel::Phone,
                service: String::new(),
                request_type: None,
                subject: "Imported long ago".into(),
                description: String::new(),
                urgency: Level::Low,
                impact: Level::Low,
                status: Status::Closed,
                line: Line::FIRST,
                assignee_id: None,
                created_at: at(1),
                updated_at: at(2),
                first_response_at: None,
                completed_at: None,
                closed_at: Some(at(2)),
                closure_code: None,
                imported: None,
                deadline: None,
            },
        )
    })
    .unwrap();
}

#[test]
fn a_pulled_ticket_takes_its_number_from_a_local_ticket_that_held_it_and_the_sync_goes_on() {
    let mut r = Replica::open_in_memory().unwrap();
    local_ticket(&mut r, "RT-1");
    let mut itsm = FakeItsm::default();
    itsm.put(remote("1"));
    let report = sync(&mut r, &mut itsm, "fake", at(8), &mut |_| {}).unwrap();
    assert_eq!((report.created, report.skipped.len()), (1, 0), "{report:?}");
    let pulled = crate::store::queue::detail(&r, "RT-1").unwrap();
    assert_eq!(pulled.summary.subject, "VPN down", "the ITSM's ticket holds the number");
    let local = crate::store::queue::detail(&r, "RT-1-local").unwrap();
    assert_eq!(local.summary.subject, "Imported long ago");
    assert!(local.history.iter().any(|h| h.field == "number" && h.new_value.as_deref() == Some("RT-1-local")), "{:?}", local.history);
    // And the next sync is an ordinary one.
    itsm.tickets.get_mut("1").unwrap().urgency = Level::High;
    let v = itsm.tickets["1"].clone();
    itsm.put(v);
    let report = sync(&mut r, &mut itsm, "fake", at(9), &mut |_| {}).unwrap();
    assert!(report.in_sync(), "{report:?}");
    assert_eq!(crate::store::queue::row_by_number(&r, "RT-1").unwrap().urgency, Level::High);
}

#[test]
fn a_ticket_that_cannot_be_applied_is_named_and_the_rest_of_the_page_lands() {
    let mut r = Replica::open_in_memory().unwrap();
    let mut itsm = FakeItsm::default();
    itsm.put(remote("1"));
    // A hostile or broken ITSM: a second ticket with the first one's number.
    itsm.put(RemoteTicket { subject: "Same number".into(), ..remote("2") });
    itsm.tickets.get_mut("2").unwrap().number = "RT-1".into();
    itsm.put(RemoteTicket { number: "RT-3".into(), ..remote("3") });
    let report = sync(&mut r, &mut itsm, "fake", at(8), &mut |_| {}).unwrap();
    assert_eq!((report.created, report.pulled), (2, 2), "{report:?}");
    assert_eq!(report.skipped.len(), 1, "{report:?}");
    assert!(report.skipped[0].number == "RT-1" && report.skipped[0].reason.contains("two tickets numbered RT-1"), "{report:?}");
    assert!(!report.in_sync());
    assert!(crate::store::queue::row_by_number(&r, "RT-3").is_ok());
    // The skipped one is read again next time, not lost behind the cursor; still holding a
    // number another of the ITSM's tickets has, it is named again and the sync goes on.
    assert_eq!(crate::store::sync_state::refetch_ids(r.conn()).unwrap(), ["2"]);
    let report = sync(&mut r, &mut itsm, "fake", at(9), &mut |_| {}).unwrap();
    assert!(report.skipped.len() == 1 && report.skipped[0].reason.contains("another of the ITSM's tickets is numbered RT-1"), "{report:?}");
    assert_eq!(crate::store::queue::row_by_number(&r, "RT-1").unwrap().subject, "VPN down");
}

fn event(id: &str, at: DateTime<Utc>, actor: &str, change: RemoteChange) -> RemoteEvent {
    RemoteEvent { id: id.into(), at, actor: actor.into(), change }
}

#[test]
fn the_itsms_record_of_a_life_is_stored_at_its_own_times_once_and_decides_the_first_response() {
    let minute = |m: i64| at(6) + chrono::Duration::minutes(m);
    let mut life = vec![
        event("10", minute(0), "anna@granit.ru", RemoteChange::Created),
        event("11", minute(10), "lead", RemoteChange::Owner(None, Some("l1-anna".into()))),
        event("12", minute(10), "lead", RemoteChange::Status(Some(Status::Registered), Status::Assigned)),
        event("13", minute(20), "l1-anna", RemoteChange::Replied),
        event("14", minute(30), "l1-anna", RemoteChange::Status(Some(Status::Assigned), Status::InProgress)),
    ];
    let mut itsm = FakeItsm::default();
    itsm.put(RemoteTicket { status: Status::InProgress, owner: Some("l1-anna".into()), history: Some(life.clone()), ..remote("1") });
    let mut r = Replica::open_in_memory().unwrap();
    sync(&mut r, &mut itsm, "fake", at(8), &mut |_| {}).unwrap();
    let d = crate::store::queue::detail(&r, "RT-1").unwrap();
    let statuses: Vec<_> = d.history.iter().filter(|h| h.field == "status").map(|h| (h.at, h.new_value.clone().unwrap())).collect();
    assert_eq!(statuses, [(minute(0), "registered".into()), (minute(10), "assigned".into()), (minute(30), "in-progress".into())], "{:?}", d.history);
    assert!(d.history.iter().any(|h| h.field == "assignee" && h.at == minute(10) && h.new_value.as_deref() == Some("l1-anna")));
    assert!(d.history.iter().all(|h| h.at != at(7)), "nothing is dated at the ticket's last update: {:?}", d.history);
    assert_eq!(d.first_response_at, Some(minute(20)), "the first reply to the requester");
    assert!(!d.summary.contact_authorised, "a requester is not an authorised contact by writing in");
    // 24/7, priority medium (24 h), running since registration: the deadline is the clock's.
    assert_eq!(d.summary.due_at, Some(minute(0) + chrono::Duration::hours(24)));

    // A delta that overlaps what is stored adds only what is new.
    life.push(event("15", minute(90), "l1-anna", RemoteChange::Status(Some(Status::InProgress), Status::Completed)));
    let done = RemoteTicket { status: Status::Completed, updated: minute(90), history: Some(life[3..].to_vec()), ..itsm.tickets["1"].clone() };
    itsm.put(done);
    sync(&mut r, &mut itsm, "fake", at(9), &mut |_| {}).unwrap();
    let d = crate::store::queue::detail(&r, "RT-1").unwrap();
    assert_eq!(d.history.iter().filter(|h| h.field == "status").count(), 4, "{:?}", d.history);
    assert_eq!(d.history.iter().filter(|h| h.field == "reply").count(), 1);
    assert_eq!((d.first_response_at, d.completed_at), (Some(minute(20)), Some(minute(90))));
    // And again, the same page: nothing more.
    let again = itsm.tickets["1"].clone();
    itsm.put(again);
    sync(&mut r, &mut itsm, "fake", at(10), &mut |_| {}).unwrap();
    assert_eq!(crate::store::queue::detail(&r, "RT-1").unwrap().history.len(), d.history.len());
}

/// What happens in the ITSM before the backfill's page `n` is answered.
type BeforePage = Box<dyn FnMut(u32, &mut FakeItsm)>;

/// An ITSM whose first pull brings its open ticket, then a backfill of `done` tickets
/// (newest first, two a page) beside the fake's feed; it counts every request.
struct Backfilling {
    itsm: FakeItsm,
    /// Done tickets, newest first.
    done: Vec<RemoteTicket>,
    /// The cursors asked for, in order.
    asked: Vec<String>,
    /// Runs before the backfill's page `n` (1-based) is answered.
    before_page: BeforePage,
    pages: u32,
}

impl crate::sync::ItsmApi for Backfilling {
    fn check(&mut self) -> Result<(), crate::sync::ItsmError> {
        self.itsm.check()
    }
    fn changes(&mut self, cursor: &str) -> Result<crate::sync::ChangePage, crate::sync::ItsmError> {
        self.asked.push(cursor.to_string());
        if let Some(from) = cursor.strip_prefix("back:") {
            self.pages += 1;
            (self.before_page)(self.pages, &mut self.itsm);
            self.itsm.check()?;
            let from: usize = from.parse().unwrap();
            let to = (from + 2).min(self.done.len());
            return Ok(crate::sync::ChangePage {
                tickets: self.done[from..to].to_vec(),
                cursor: format!("back:{to}"),
                more: to < self.done.len(),
                total: Some((self.done.len() - from) as u64),
                phase: crate::sync::PullPhase::History,
                backfill: None,
            });
        }
        let mut page = self.itsm.changes(cursor)?;
        if cursor.is_empty() {
            (page.phase, page.backfill) = (crate::sync::PullPhase::OpenQueue, Some("back:0".into()));
        }
        Ok(page)
    }
    fn ticket(&mut self, id: &str) -> Result<RemoteTicket, crate::sync::ItsmError> {
        self.itsm.ticket(id)
    }
    fn write(&mut self, id: &str, version: &str, changes: &[Change]) -> Result<crate::sync::WriteOutcome, crate::sync::ItsmError> {
        self.itsm.write(id, version, changes)
    }
    fn comment_once(&mut self, id: &str, op_id: &str, body: &str) -> Result<bool, crate::sync::ItsmError> {
        self.itsm.comment_once(id, op_id, body)
    }
    fn comments(&mut self, cursor: &str) -> Result<crate::sync::CommentPage, crate::sync::ItsmError> {
        self.itsm.comments(cursor)
    }
}

/// Twenty done tickets, `D1` the oldest, registered an hour apart.
fn done_tickets() -> Vec<RemoteTicket> {
    (1..=20)
        .rev()
        .map(|n| {
            let mut t = remote(&format!("D{n}"));
            t.status = Status::Closed;
            t.created = at(0) + chrono::Duration::hours(n);
            t.updated = t.created + chrono::Duration::minutes(30);
            t
        })
        .collect()
}

#[test]
fn the_history_is_backfilled_newest_first_with_the_delta_between_and_resumes_where_it_stopped() {
    use crate::store::sync_state::{history_pulled, HistoryPulled};
    let mut itsm = FakeItsm::default();
    itsm.put(remote("1"));
    // Someone else raises the open ticket's urgency while the backfill's second page is asked;
    // the ITSM goes away before its seventh.
    let before_page = Box::new(|n: u32, itsm: &mut FakeItsm| {
        if n == 2 {
            let mut t = itsm.tickets["1"].clone();
            t.urgency = Level::High;
            itsm.put(t);
        }
        itsm.down = n == 7;
    });
    let mut api = Backfilling { itsm, done: done_tickets(), asked: Vec::new(), before_page, pages: 0 };
    let mut r = Replica::open_in_memory().unwrap();
    let mut seen = Vec::new();
    let report = sync(&mut r, &mut api, "fake", at(8), &mut |p| seen.push(p)).unwrap();
    assert!(report.offline.is_some(), "{report:?}");
    // The open queue first, then six pages of the history, newest first; after the fifth the
    // delta, which brought the change made meanwhile.
    assert_eq!(api.asked[0], "");
    let backfill: Vec<&str> = api.asked.iter().filter(|c| c.starts_with("back:")).map(String::as_str).collect();
    assert_eq!(backfill, ["back:0", "back:2", "back:4", "back:6", "back:8", "back:10", "back:12"]);
    let fifth = api.asked.iter().position(|c| c == "back:8").unwrap();
    assert!(api.asked[fifth + 1].starts_with('v'), "the delta after the fifth page: {:?}", api.asked);
    assert_eq!(crate::store::queue::row_by_number(&r, "RT-1").unwrap().urgency, Level::High, "the change made during the backfill arrived in it");
    // Twelve done tickets, D20 down to D9: the history is whole from D9's registration on.
    let pulled: i64 = r.conn().query_row("SELECT count(*) FROM tickets WHERE status = 'closed'", [], |x| x.get(0)).unwrap();
    assert_eq!(pulled, 12);
    assert_eq!(history_pulled(r.conn()).unwrap(), Some(HistoryPulled::From(at(0) + chrono::Duration::hours(9))));
    // Progress: the history's pages count up to its total, with a time left once one is in.
    let history: Vec<&Progress> = seen.iter().filter(|p| p.phase == crate::sync::PullPhase::History).collect();
    assert_eq!(history.iter().map(|p| p.done).collect::<Vec<_>>(), [2, 4, 6, 8, 10, 12]);
    assert!(history.iter().all(|p| p.total == Some(20) && p.seconds_left.is_some()), "{history:?}");

    // Back online: the backfill goes on from where it stopped, nothing asked twice.
    (api.asked, api.itsm.down) = (Vec::new(), false);
    sync(&mut r, &mut api, "fake", at(9), &mut |_| {}).unwrap();
    let backfill: Vec<&str> = api.asked.iter().filter(|c| c.starts_with("back:")).map(String::as_str).collect();
    assert_eq!(backfill, ["back:12", "back:14", "back:16", "back:18"]);
    let pulled: i64 = r.conn().query_row("SELECT count(*) FROM tickets WHERE status = 'closed'", [], |x| x.get(0)).unwrap();
    assert_eq!(pulled, 20);
    assert_eq!(history_pulled(r.conn()).unwrap(), None, "the history is whole");
    // A later sync has no backfill left.
    api.asked.clear();
    sync(&mut r, &mut api, "fake", at(10), &mut |_| {}).unwrap();
    assert!(api.asked.iter().all(|c| !c.starts_with("back:")), "{:?}", api.asked);
}

#[test]
fn a_ticket_a_delta_brings_new_without_its_beginning_is_read_again_whole() {
    let mut itsm = FakeItsm::default();
    let mut t = remote("5");
    t.status = Status::Closed;
    // The feed brings only its latest change (the backfill has not reached it).
    t.history = Some(vec![RemoteEvent { id: "tx-9".into(), at: at(7), actor: "l1-anna".into(), change: RemoteChange::Status(Some(Status::Completed), Status::Closed) }]);
    itsm.put(t);
    struct WholeLife(FakeItsm);
    impl crate::sync::ItsmApi for WholeLife {
        fn check(&mut self) -> Result<(), crate::sync::ItsmError> {
            self.0.check()
        }
        fn changes(&mut self, cursor: &str) -> Result<crate::sync::ChangePage, crate::sync::ItsmError> {
            self.0.changes(cursor)
        }
        fn ticket(&mut self, id: &str) -> Result<RemoteTicket, crate::sync::ItsmError> {
            self.0.ticket(id)
        }
        fn ticket_with_life(&mut self, id: &str) -> Result<RemoteTicket, crate::sync::ItsmError> {
            let mut t = self.0.ticket(id)?;
            let mut life = vec![RemoteEvent { id: "tx-1".into(), at: at(6), actor: "lead".into(), change: RemoteChange::Created }];
            life.extend(t.history.take().unwrap_or_default());
            t.history = Some(life);
            Ok(t)
        }
        fn write(&mut self, id: &str, version: &str, changes: &[Change]) -> Result<crate::sync::WriteOutcome, crate::sync::ItsmError> {
            self.0.write(id, version, changes)
        }
        fn comment_once(&mut self, id: &str, op_id: &str, body: &str) -> Result<bool, crate::sync::ItsmError> {
            self.0.comment_once(id, op_id, body)
        }
        fn comments(&mut self, cursor: &str) -> Result<crate::sync::CommentPage, crate::sync::ItsmError> {
            self.0.comments(cursor)
        }
    }
    let mut r = Replica::open_in_memory().unwrap();
    sync(&mut r, &mut WholeLife(itsm), "fake", at(8), &mut |_| {}).unwrap();
    let ids: Vec<String> = r
        .conn()
        .prepare("SELECT source_id FROM ticket_history WHERE source_id IS NOT NULL ORDER BY at")
        .unwrap()
        .query_map([], |x| x.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(ids, ["tx-1", "tx-9"], "its registration too, once, in the same sync");
    assert!(crate::store::sync_state::refetch_ids(r.conn()).unwrap().is_empty());
}

//! Faults between Smena and a real Request Tracker, injected by a proxy on loopback that the
//! test controls: 503s, answers cut halfway, garbage instead of JSON, 401, connections closed
//! without an answer, answers that never come (a timeout after RT did the work). After each,
//! the replica is consistent, no operation is lost, and once the path is clear again every
//! change lands exactly once; a pull that fails halfway leaves the replica as it was and the
//! next one brings everything.

mod common;

use common::desk::Replica;
use common::proxy::{Fault, Proxy, TIMEOUT};
use common::rt::{self, Server, ONE_SERVER};
use serde_json::Value;

/// The replica, and its sync with the short timeout these tests give the ITSM.
struct Desk(Replica);

impl std::ops::Deref for Desk {
    type Target = Replica;
    fn deref(&self) -> &Replica {
        &self.0
    }
}

impl Desk {
    /// `smena sync --json`: its exit code and standard error.
    fn sync(&self) -> (i32, String) {
        let out = common::smena(self.home()).env("SMENA_ITSM_TIMEOUT", TIMEOUT).args(self.args(&["sync", "--json"])).output().unwrap();
        (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).to_string())
    }
}

/// RT, a proxy in front of it and a replica connected through the proxy, or a skip where RT
/// cannot run (a failure under CI).
fn setup() -> Option<(std::sync::MutexGuard<'static, ()>, Server, Proxy, Desk)> {
    let guard = ONE_SERVER.lock().unwrap_or_else(|e| e.into_inner());
    let rt = rt::server()?;
    let proxy = Proxy::start(&rt.url);
    let desk = connect(&proxy, &rt);
    Some((guard, rt, proxy, desk))
}

fn connect(proxy: &Proxy, rt: &Server) -> Desk {
    let desk = Desk(Replica::new());
    let out = desk.run_with_stdin(&["connect", "rt", "--url", &proxy.url], &format!("{}\n", rt.token));
    assert!(out.status.success(), "connect through the proxy: {}", String::from_utf8_lossy(&out.stderr));
    desk
}

#[test]
fn after_each_fault_the_change_stays_queued_and_lands_exactly_once_when_the_path_clears() {
    let Some((_g, rt, proxy, desk)) = setup() else { return };
    let faults = [Fault::Unavailable, Fault::CutHalf, Fault::Garbage, Fault::Unauthorized, Fault::Hangup, Fault::Stall];
    let ids: Vec<String> = faults.iter().map(|f| rt.create(&format!("Fault test: {f:?}"), "Low", "Low")).collect();
    assert_eq!(desk.sync().0, 0);
    for (fault, id) in faults.iter().zip(&ids) {
        let number = format!("RT-{id}");
        desk.ok(&["ticket", &number, "urgency", "high", "--reason", "client called"]);
        desk.ok(&["ticket", &number, "comment", &format!("Checked during {fault:?}")]);
        proxy.set(*fault, true);
        let (code, err) = desk.sync();
        let want = if *fault == Fault::Unauthorized { 8 } else { 7 };
        assert_eq!(code, want, "{fault:?}: the sync reports the failure (7 unreachable, 8 refused): {err}");
        if *fault == Fault::Unauthorized {
            assert!(err.contains("refused the credentials"), "{fault:?}: {err}");
        }
        assert!(!err.contains(&rt.token), "the token is not in the message");
        // Consistent and nothing lost: the lead's values stand and every operation is kept.
        let t = desk.ticket(&number);
        assert_eq!(t["summary"]["urgency"], "high", "{fault:?}");
        let kept: Vec<Value> = desk.outbox().into_iter().filter(|o| o["ticket"] == number.as_str()).collect();
        assert_eq!(kept.len(), 2, "{fault:?}: both operations kept: {kept:?}");
        assert!(kept.iter().all(|o| o["state"] == "pending"), "{fault:?}: {kept:?}");
        // The path clears: everything lands, once.
        proxy.set(Fault::None, true);
        let (code, err) = desk.sync();
        assert_eq!(code, 0, "{fault:?}: {err}");
        assert!(desk.outbox().is_empty(), "{fault:?}");
        assert_eq!(rt.field(id, "Urgency"), "High", "{fault:?}");
        let op_comments = rt.comment_count(id);
        assert_eq!(op_comments, 1, "{fault:?}: one comment, not two");
    }

    // A comment whose answer is cut on the way back: RT has it, Smena does not know; the
    // next sync finds its tag in RT's history and does not post it again.
    let id = rt.create("Fault test: a comment's answer cut", "Low", "Low");
    assert_eq!(desk.sync().0, 0);
    let number = format!("RT-{id}");
    desk.ok(&["ticket", &number, "comment", "Rebooted the switch"]);
    proxy.set(Fault::CutHalf, true);
    assert_eq!(desk.sync().0, 7);
    assert_eq!(rt.comment_count(&id), 1, "the comment reached RT");
    assert_eq!(desk.outbox().len(), 1, "and is still queued here");
    proxy.set(Fault::None, true);
    assert_eq!(desk.sync().0, 0);
    assert_eq!(rt.comment_count(&id), 1, "not posted twice");
    assert!(desk.outbox().is_empty());

    // A comment whose answer never comes (Smena gives up waiting after RT posted it).
    let id = rt.create("Fault test: a comment's answer late", "Low", "Low");
    assert_eq!(desk.sync().0, 0);
    let number = format!("RT-{id}");
    desk.ok(&["ticket", &number, "comment", "Replaced the fan"]);
    proxy.set(Fault::Stall, true);
    assert_eq!(desk.sync().0, 7);
    assert_eq!(desk.outbox().len(), 1, "still queued here");
    proxy.set(Fault::None, true);
    assert_eq!(desk.sync().0, 0);
    assert_eq!(rt.comment_count(&id), 1, "not posted twice");
}

#[test]
fn a_pull_that_fails_halfway_leaves_the_replica_as_it_was_and_the_next_brings_everything() {
    let Some((_g, rt, proxy, desk)) = setup() else { return };
    let ids: Vec<String> = (0..3).map(|i| rt.create(&format!("Pull fault {i}"), "Low", "Low")).collect();
    assert_eq!(desk.sync().0, 0);
    for fault in [Fault::CutHalf, Fault::Garbage, Fault::Unavailable, Fault::Hangup, Fault::Stall] {
        // Another client changes every ticket; the answers to Smena's reads then fail.
        let impact = if fault == Fault::CutHalf || fault == Fault::Unavailable || fault == Fault::Stall { "High" } else { "Medium" };
        for id in &ids {
            rt.put(id, serde_json::json!({"CustomFields": {"Impact": impact}}));
        }
        let before: Vec<Value> = ids.iter().map(|id| desk.ticket(&format!("RT-{id}"))["summary"].clone()).collect();
        proxy.set(fault, false);
        let (code, err) = desk.sync();
        proxy.set(Fault::None, true);
        assert_eq!(code, 7, "{fault:?}: {err}");
        assert!(err.contains("stays queued"), "{fault:?}: the sync says it will try again: {err}");
        let after: Vec<Value> = ids.iter().map(|id| desk.ticket(&format!("RT-{id}"))["summary"].clone()).collect();
        assert_eq!(before, after, "{fault:?}: nothing half-applied");
        assert_eq!(desk.sync().0, 0, "{fault:?}");
        for id in &ids {
            assert_eq!(desk.ticket(&format!("RT-{id}"))["summary"]["impact"], impact.to_lowercase(), "{fault:?}");
        }
    }
}

#[test]
fn a_busy_itsm_refusing_each_request_once_with_429_is_waited_for_and_the_first_pull_ends_whole() {
    let Some((_g, rt, proxy, desk)) = setup() else { return };
    let id = rt.create("Throttled pull", "High", "Low");
    // Every request of the whole first pull is refused once with "retry after a second".
    proxy.set(Fault::Throttled, false);
    let (code, err) = desk.sync();
    proxy.set(Fault::None, true);
    assert_eq!(code, 0, "{err}");
    let refused = proxy.throttled.load(std::sync::atomic::Ordering::SeqCst);
    assert!(refused >= 3, "the proxy refused {refused} requests");
    assert_eq!(desk.ticket(&format!("RT-{id}"))["summary"]["subject"], "Throttled pull");
}

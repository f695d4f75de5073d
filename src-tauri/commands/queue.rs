//! Reading the queue: pages, counts, one ticket, the replica's status, filter choices.

use super::with_replica;
use crate::app::AppState;
use crate::ipc_error::IpcError;
use smena_core::error::ErrorCode;
use smena_core::store::queue::{self, Facets, QueueCounts, QueueFilter, QueuePage, ReplicaInfo, TicketDetail};
use std::sync::{Mutex, PoisonError};
use tauri::State;

/// At most this many rows per page: the window asks for what it shows.
const MAX_PAGE: u32 = 500;

/// The count chips being counted, and for which filter. Under a search, a client or an
/// assignee they read the matching tickets (a search on a million tickets: some 130 ms) while
/// holding the replica; when the lead has already moved to another filter, the page and chips
/// the window now asks for would wait behind an answer it will drop. So a request for another
/// filter stops that count.
pub struct Counting {
    running: Mutex<Option<QueueFilter>>,
    interrupt: Option<smena_core::store::InterruptHandle>,
}

impl Counting {
    /// Counting on the replica whose queries `interrupt` stops.
    pub fn new(interrupt: Option<smena_core::store::InterruptHandle>) -> Counting {
        Counting { running: Mutex::new(None), interrupt }
    }

    /// Stops the count in progress unless it is for `filter`.
    fn supersede(&self, filter: &QueueFilter) {
        let running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        if running.as_ref().is_some_and(|f| f != filter) {
            // Under the lock: the count cannot finish and let another query start meanwhile,
            // and SQLite forgets an interrupt once no statement is running.
            if let Some(i) = &self.interrupt {
                i.interrupt();
            }
        }
    }

    /// Runs `count` for `filter`, marked as in progress (the caller holds the replica). The
    /// mark goes when the count ends, a panic included: a mark left behind would let a later
    /// request stop whatever query runs then.
    fn run<T>(&self, filter: &QueueFilter, count: impl FnOnce() -> T) -> T {
        struct Mark<'a>(&'a Mutex<Option<QueueFilter>>);
        impl Drop for Mark<'_> {
            fn drop(&mut self) {
                *self.0.lock().unwrap_or_else(PoisonError::into_inner) = None;
            }
        }
        *self.running.lock().unwrap_or_else(PoisonError::into_inner) = Some(filter.clone());
        let _mark = Mark(&self.running);
        count()
    }
}

#[tauri::command(async)]
pub fn queue_page(state: State<'_, AppState>, filter: QueueFilter, offset: u32, limit: u32) -> Result<QueuePage, IpcError> {
    state.counting.supersede(&filter);
    with_replica(&state, |r| queue::page(r, &filter, offset, limit.min(MAX_PAGE)))
}

#[tauri::command(async)]
pub fn queue_counts(state: State<'_, AppState>, filter: QueueFilter) -> Result<QueueCounts, IpcError> {
    count_chips(&state, &filter)
}

/// The count chips for `filter`, stopping a count for another one.
fn count_chips(state: &AppState, filter: &QueueFilter) -> Result<QueueCounts, IpcError> {
    state.counting.supersede(filter);
    with_replica(state, |r| state.counting.run(filter, || queue::counts(r, filter)).map_err(|e| if e.is_interrupted() { superseded() } else { e.into() }))
}

/// Why a count stopped: the window had asked for another filter (it drops this answer).
fn superseded() -> IpcError {
    IpcError::new(ErrorCode::Refused, "the count was stopped: the queue is now filtered otherwise", "подсчёт остановлен: очередь уже отфильтрована иначе")
}

#[tauri::command(async)]
pub fn ticket_detail(state: State<'_, AppState>, number: String) -> Result<TicketDetail, IpcError> {
    with_replica(&state, |r| queue::detail(r, &number))
}

#[tauri::command(async)]
pub fn replica_info(state: State<'_, AppState>) -> Result<ReplicaInfo, IpcError> {
    with_replica(&state, queue::info)
}

#[tauri::command(async)]
pub fn facets(state: State<'_, AppState>) -> Result<Facets, IpcError> {
    with_replica(&state, queue::facets)
}

#[cfg(test)]
mod tests {
    use super::*;
    use smena_core::demo::{write_demo, DemoOptions};
    use smena_core::store::Replica;
    use std::sync::atomic::{AtomicBool, Ordering};

    fn state() -> AppState {
        let mut r = Replica::open_in_memory().unwrap();
        let now = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 28, 9, 0, 0).unwrap();
        write_demo(&mut r, &DemoOptions { days: 20, seed: 2, now }).unwrap();
        AppState::for_tests(Mutex::new(r))
    }

    /// A count that reads every ticket (a one-letter search over every status).
    fn slow() -> QueueFilter {
        QueueFilter { search: Some("e".into()), include_done: true, ..Default::default() }
    }

    #[test]
    fn a_count_for_a_filter_the_window_has_left_is_stopped_and_the_replica_answers_on() {
        let state = state();
        let expected = count_chips(&state, &slow()).unwrap();
        let stopped = AtomicBool::new(false);
        std::thread::scope(|s| {
            let counting = s.spawn(|| {
                for _ in 0..2_000 {
                    match count_chips(&state, &slow()) {
                        Ok(c) => assert_eq!(c, expected, "a count that was not stopped is whole"),
                        Err(e) => {
                            assert_eq!(e, superseded());
                            stopped.store(true, Ordering::SeqCst);
                            return;
                        }
                    }
                }
            });
            while !stopped.load(Ordering::SeqCst) && !counting.is_finished() {
                state.counting.supersede(&QueueFilter::default());
                std::thread::yield_now();
            }
        });
        assert!(stopped.load(Ordering::SeqCst), "a request for another filter stops the count in progress");
        // Nothing of the interrupt is left over: the next queries answer in full.
        assert_eq!(count_chips(&state, &slow()).unwrap(), expected);
        assert!(count_chips(&state, &QueueFilter::default()).is_ok());
    }

    #[test]
    fn a_request_for_the_same_filter_never_stops_its_count() {
        let state = state();
        let expected = count_chips(&state, &slow()).unwrap();
        let done = AtomicBool::new(false);
        std::thread::scope(|s| {
            s.spawn(|| {
                for _ in 0..20 {
                    assert_eq!(count_chips(&state, &slow()).unwrap(), expected);
                }
                done.store(true, Ordering::SeqCst);
            });
            while !done.load(Ordering::SeqCst) {
                state.counting.supersede(&slow());
                std::thread::yield_now();
            }
        });
    }
}

//! The ticket lifecycle of DOMAIN.md as an explicit state machine.

use super::text_enum::text_enum;
use chrono::{DateTime, Duration, Utc};

text_enum! {
    /// The eight statuses a ticket moves through.
    Status, "status" {
        /// Registered, waiting for classification.
        Registered = "registered",
        /// Assigned to a concrete engineer.
        Assigned = "assigned",
        /// Classified, work started.
        InProgress = "in-progress",
        /// Work finished; waiting for the user's confirmation.
        Completed = "completed",
        /// Closed; further work needs a new ticket.
        Closed = "closed",
        /// The user rejected the result; it must be processed again.
        RejectedByUser = "rejected-by-user",
        /// Waiting for information from the user.
        InformationNeeded = "information-needed",
        /// A third party is involved.
        ExternalProcessing = "external-processing",
    }
}

text_enum! {
    /// Why a ticket was completed. The last three mean it was completed without work.
    ClosureCode, "closure code" {
        /// Solved.
        Resolved = "resolved",
        /// Solved by a workaround; the cause remains.
        Workaround = "workaround",
        /// Without work: the same request exists in another ticket.
        Duplicate = "duplicate",
        /// Without work: the ticket was incorrect (not a support matter, wrong client, spam).
        IncorrectTicket = "incorrect-ticket",
        /// Without work: the client withdrew it.
        Withdrawn = "withdrawn",
    }
}

/// A Completed ticket closes by itself this long after completion if the contact does not react.
pub const AUTO_CLOSE_AFTER: Duration = Duration::days(3);

impl ClosureCode {
    /// Whether this code says the ticket was completed without work.
    pub fn is_without_work(self) -> bool {
        matches!(self, ClosureCode::Duplicate | ClosureCode::IncorrectTicket | ClosureCode::Withdrawn)
    }
}

impl Status {
    /// Statuses where the ticket still needs the desk's attention (the live queue).
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Completed | Status::Closed)
    }

    /// The statuses this one may move to.
    pub fn next(self) -> &'static [Status] {
        use Status::*;
        match self {
            Registered => &[Assigned, InProgress, InformationNeeded, Completed],
            Assigned => &[InProgress, InformationNeeded, ExternalProcessing, Completed, Registered],
            InProgress => &[Assigned, InformationNeeded, ExternalProcessing, Completed],
            InformationNeeded => &[InProgress, Assigned, Completed],
            ExternalProcessing => &[InProgress, Assigned, Completed],
            Completed => &[Closed, RejectedByUser],
            RejectedByUser => &[InProgress, Assigned],
            Closed => &[],
        }
    }
}

/// What accompanies a status change; the rules decide which parts are required.
#[derive(Debug, Clone, Default)]
pub struct Transition<'a> {
    /// The entry for Additional Comments, if any.
    pub comment: Option<&'a str>,
    /// The closure code, when completing.
    pub closure_code: Option<ClosureCode>,
    /// Whether work on the ticket ever started (it has been In progress).
    pub work_started: bool,
}

/// A status change the lifecycle does not allow, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    /// Closed is final.
    #[error("a closed ticket cannot change status; further work needs a new ticket")]
    ClosedIsFinal,
    /// Not an allowed step.
    #[error("a ticket cannot go from {from} to {to} (allowed: {allowed})")]
    NotAllowed {
        /// Current status.
        from: Status,
        /// Requested status.
        to: Status,
        /// Allowed next statuses.
        allowed: String,
    },
    /// Information needed / External processing need an entry in Additional Comments.
    #[error("moving to {0} requires a comment saying what is needed and from whom")]
    CommentRequired(Status),
    /// Completing needs a closure code.
    #[error("completing a ticket requires a closure code ({})", ClosureCode::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", "))]
    ClosureCodeRequired,
    /// Completing a ticket no one worked on needs a code saying so.
    #[error("the ticket was never in progress: completing it without work requires the closure code duplicate, incorrect-ticket or withdrawn, not {0}")]
    WithoutWorkCodeRequired(ClosureCode),
}

/// Checks one status change against the lifecycle.
pub fn check(from: Status, to: Status, t: &Transition<'_>) -> Result<(), LifecycleError> {
    if from == Status::Closed {
        return Err(LifecycleError::ClosedIsFinal);
    }
    if !from.next().contains(&to) {
        let allowed = from.next().iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
        return Err(LifecycleError::NotAllowed { from, to, allowed });
    }
    let has_comment = t.comment.is_some_and(|c| !c.trim().is_empty());
    match to {
        Status::InformationNeeded | Status::ExternalProcessing if !has_comment => Err(LifecycleError::CommentRequired(to)),
        Status::Completed => match t.closure_code {
            None => Err(LifecycleError::ClosureCodeRequired),
            Some(code) if !t.work_started && !code.is_without_work() => Err(LifecycleError::WithoutWorkCodeRequired(code)),
            Some(_) => Ok(()),
        },
        _ => Ok(()),
    }
}

/// When a ticket completed at `completed_at` closes by itself if nobody reacts.
pub fn auto_close_at(completed_at: DateTime<Utc>) -> DateTime<Utc> {
    completed_at + AUTO_CLOSE_AFTER
}

/// Whether a ticket in `status`, completed at `completed_at`, is due to close by itself at `now`.
pub fn is_due_for_auto_close(status: Status, completed_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    status == Status::Completed && completed_at.is_some_and(|c| now >= auto_close_at(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn plain() -> Transition<'static> {
        Transition { work_started: true, ..Default::default() }
    }

    #[test]
    fn closed_is_final() {
        for &to in Status::ALL {
            assert_eq!(check(Status::Closed, to, &plain()), Err(LifecycleError::ClosedIsFinal));
        }
    }

    #[test]
    fn registered_cannot_jump_to_closed() {
        assert!(matches!(check(Status::Registered, Status::Closed, &plain()), Err(LifecycleError::NotAllowed { .. })));
    }

    #[test]
    fn information_needed_requires_a_comment() {
        assert_eq!(check(Status::InProgress, Status::InformationNeeded, &plain()), Err(LifecycleError::CommentRequired(Status::InformationNeeded)));
        let blank = Transition { comment: Some("   "), ..plain() };
        assert!(check(Status::InProgress, Status::InformationNeeded, &blank).is_err());
        let ok = Transition { comment: Some("Need the VM's name"), ..plain() };
        assert_eq!(check(Status::InProgress, Status::InformationNeeded, &ok), Ok(()));
    }

    #[test]
    fn external_processing_requires_a_comment() {
        assert_eq!(check(Status::InProgress, Status::ExternalProcessing, &plain()), Err(LifecycleError::CommentRequired(Status::ExternalProcessing)));
    }

    #[test]
    fn completing_requires_a_closure_code() {
        assert_eq!(check(Status::InProgress, Status::Completed, &plain()), Err(LifecycleError::ClosureCodeRequired));
        let ok = Transition { closure_code: Some(ClosureCode::Resolved), ..plain() };
        assert_eq!(check(Status::InProgress, Status::Completed, &ok), Ok(()));
    }

    #[test]
    fn completing_without_work_requires_a_code_saying_so() {
        let resolved = Transition { closure_code: Some(ClosureCode::Resolved), work_started: false, comment: None };
        assert_eq!(check(Status::Registered, Status::Completed, &resolved), Err(LifecycleError::WithoutWorkCodeRequired(ClosureCode::Resolved)));
        let dup = Transition { closure_code: Some(ClosureCode::Duplicate), work_started: false, comment: None };
        assert_eq!(check(Status::Registered, Status::Completed, &dup), Ok(()));
    }

    #[test]
    fn completed_goes_to_closed_or_back_to_work_through_rejection() {
        assert_eq!(check(Status::Completed, Status::Closed, &plain()), Ok(()));
        assert_eq!(check(Status::Completed, Status::RejectedByUser, &plain()), Ok(()));
        assert!(check(Status::Completed, Status::InProgress, &plain()).is_err());
        assert_eq!(check(Status::RejectedByUser, Status::InProgress, &plain()), Ok(()));
    }

    #[test]
    fn completed_closes_by_itself_after_three_days_without_reaction() {
        let done = Utc.with_ymd_and_hms(2026, 11, 1, 12, 0, 0).unwrap();
        assert!(!is_due_for_auto_close(Status::Completed, Some(done), done + Duration::hours(71)));
        assert!(is_due_for_auto_close(Status::Completed, Some(done), done + Duration::hours(72)));
        assert!(!is_due_for_auto_close(Status::RejectedByUser, Some(done), done + Duration::days(5)));
    }

    #[test]
    fn every_status_but_closed_has_a_way_forward() {
        for &s in Status::ALL {
            assert_eq!(s.next().is_empty(), s == Status::Closed, "{s}");
        }
    }
}

//! What the lead and the line supervisors do to a ticket, and the rules that refuse it.

use super::text_enum::text_enum;
use super::{ClosureCode, Level, LifecycleError, Line, Skill, Status};
use serde::{Deserialize, Serialize};

/// One change to one ticket. Stored as the outbox payload, so its JSON shape is stable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[ts(export_to = "actions.ts")]
pub enum Action {
    /// The client asked for another urgency; priority follows the matrix.
    SetUrgency {
        /// New urgency.
        level: Level,
        /// Why (the client's request).
        reason: String,
    },
    /// More or fewer users turned out to be affected; priority follows the matrix.
    SetImpact {
        /// New impact.
        level: Level,
        /// Why.
        reason: String,
    },
    /// Hand the ticket to an engineer of its line.
    Assign {
        /// Staff id of the engineer.
        staff_id: i64,
        /// Why, if said.
        reason: Option<String>,
    },
    /// The acting engineer takes the ticket and starts work.
    TakeIntoWork,
    /// A lifecycle transition.
    Transition {
        /// Target status.
        to: Status,
        /// Entry for Additional Comments (required for Information needed and External processing).
        comment: Option<String>,
        /// Closure code (required for Completed).
        closure_code: Option<ClosureCode>,
    },
    /// Send the ticket to a higher line, or hand it to a second-line colleague with a stronger skill.
    Escalate {
        /// Target line.
        line: Line,
        /// The skill needed (required for line 3 and for a hand-over within line 2).
        skill: Option<Skill>,
        /// Who takes it (staff id); the best candidate when not given.
        to: Option<i64>,
        /// Why.
        reason: String,
    },
    /// Add an entry to Additional Comments.
    Comment {
        /// The text.
        body: String,
    },
    /// Put the ticket at the top of the lead's order.
    Pin,
    /// Take the ticket out of the lead's order (back to the ITSM order).
    Unpin,
    /// Place the ticket just above another one in the lead's order.
    MoveAbove {
        /// The other ticket's number.
        other: String,
    },
    /// Place the ticket just below another one in the lead's order.
    MoveBelow {
        /// The other ticket's number.
        other: String,
    },
}

impl Action {
    /// Which action this is (the outbox's `kind`).
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::SetUrgency { .. } => ActionKind::SetUrgency,
            Action::SetImpact { .. } => ActionKind::SetImpact,
            Action::Assign { .. } => ActionKind::Assign,
            Action::TakeIntoWork => ActionKind::TakeIntoWork,
            Action::Transition { .. } => ActionKind::Transition,
            Action::Escalate { .. } => ActionKind::Escalate,
            Action::Comment { .. } => ActionKind::Comment,
            Action::Pin => ActionKind::Pin,
            Action::Unpin => ActionKind::Unpin,
            Action::MoveAbove { .. } => ActionKind::MoveAbove,
            Action::MoveBelow { .. } => ActionKind::MoveBelow,
        }
    }

    /// Whether the action changes the ticket in the ITSM (and so goes to the outbox).
    /// The lead's order is the lead's own and stays in the replica.
    pub fn goes_to_itsm(&self) -> bool {
        !matches!(self, Action::Pin | Action::Unpin | Action::MoveAbove { .. } | Action::MoveBelow { .. })
    }
}

text_enum! {
    /// Which action an operation is, without its arguments (the outbox's `kind`).
    ActionKind, "action" {
        /// [`Action::SetUrgency`].
        SetUrgency = "set-urgency",
        /// [`Action::SetImpact`].
        SetImpact = "set-impact",
        /// [`Action::Assign`].
        Assign = "assign",
        /// [`Action::TakeIntoWork`].
        TakeIntoWork = "take-into-work",
        /// [`Action::Transition`].
        Transition = "transition",
        /// [`Action::Escalate`].
        Escalate = "escalate",
        /// [`Action::Comment`].
        Comment = "comment",
        /// [`Action::Pin`].
        Pin = "pin",
        /// [`Action::Unpin`].
        Unpin = "unpin",
        /// [`Action::MoveAbove`].
        MoveAbove = "move-above",
        /// [`Action::MoveBelow`].
        MoveBelow = "move-below",
    }
}

/// Why an action was refused. Nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActionError {
    /// The lifecycle forbids it.
    #[error(transparent)]
    Lifecycle(#[from] LifecycleError),
    /// A closed (or completed, for escalation) ticket cannot be changed this way.
    #[error("ticket {number} is {status}: {what} is not possible")]
    Finished {
        /// Ticket number.
        number: String,
        /// Its status.
        status: Status,
        /// The refused action.
        what: ActionKind,
    },
    /// A reason or comment is required and was empty.
    #[error("{0} requires a reason")]
    ReasonRequired(&'static str),
    /// The value is already what was asked.
    #[error("ticket {number}: {field} is already {value}")]
    Unchanged {
        /// Ticket number.
        number: String,
        /// Field.
        field: &'static str,
        /// Its value.
        value: String,
    },
    /// A person who cannot take this ticket.
    #[error("{name} ({role}) cannot take a line {line} ticket")]
    WrongLine {
        /// The person.
        name: String,
        /// Their role.
        role: String,
        /// The ticket's line.
        line: Line,
    },
    /// An escalation that does not go up (or is not a hand-over within line 2).
    #[error("ticket {number} is on line {from}: escalation goes to a higher line (or, on line 2, to a colleague with a stronger skill), not to line {to}")]
    NotUpward {
        /// Ticket number.
        number: String,
        /// Current line.
        from: Line,
        /// Requested line.
        to: Line,
    },
    /// Line 3 and hand-overs need a skill.
    #[error("escalating to line {0} requires a skill (hardware, networks, virtualisation, …)")]
    SkillRequired(Line),
    /// The chosen person lacks the skill.
    #[error("{name} does not have the skill {skill}")]
    LacksSkill {
        /// The person.
        name: String,
        /// Skill asked for.
        skill: Skill,
    },
    /// An unknown person.
    #[error("no staff member {0}")]
    UnknownStaff(String),
    /// Raising a ticket no one is waiting for.
    #[error("ticket {0} is not waiting to be taken into work (only an escalation to the third line or a critical ticket not yet in work is)")]
    NotWatched(String),
    /// Raising a ticket the whole chain has been told of.
    #[error("ticket {0}: the backup, the deputy and the lead have all been told; nobody is next")]
    NoNextLevel(String),
    /// Moving a ticket relative to itself.
    #[error("a ticket cannot be moved relative to itself")]
    SelfReference,
}

//! The five-level scale shared by urgency (set by the client) and impact (set by support).

use super::text_enum::text_enum;

text_enum! {
    /// A level of urgency or impact. For impact, `VeryHigh` is a major incident.
    Level, "level" {
        /// Urgency: business impact substantial. Impact: all users or systems (major incident).
        VeryHigh = "very-high",
        /// Urgency: service quality strongly reduced. Impact: a large group.
        High = "high",
        /// Urgency: slight degradation, some risk. Impact: a small group.
        Medium = "medium",
        /// Urgency: an inconvenience. Impact: one user or system.
        Low = "low",
        /// Urgency: a wish. Impact: nobody affected.
        None = "none",
    }
}

impl Level {
    /// Position on the scale, 0 for very high to 4 for none.
    pub fn index(self) -> usize {
        self as usize
    }
}

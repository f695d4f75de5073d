//! What a ticket is: its kind, the channel it came through and the line that holds it.

use super::text_enum::text_enum;
use serde::{Deserialize, Serialize};

text_enum! {
    /// Incident (a service degraded) or service request (a typical change or question).
    Kind, "kind" {
        /// Degradation or possible degradation of a service.
        Incident = "incident",
        /// A typical request: consultation, licences, more resources, …
        Request = "request",
    }
}

text_enum! {
    /// How the ticket reached the desk.
    Channel, "channel" {
        /// E-mail from the contact person's registered address.
        Email = "email",
        /// The self-service portal.
        Portal = "portal",
        /// A phone call (contract number + contact details).
        Phone = "phone",
        /// An alert raised by a monitoring system.
        Monitoring = "monitoring",
        /// The Telegram bot or a client's chat.
        Telegram = "telegram",
    }
}

/// The support line holding a ticket: 1, 2 or 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
#[serde(try_from = "u8", into = "u8")]
#[ts(as = "u8", export_to = "domain.ts")]
pub struct Line(u8);

impl Line {
    /// First line: receives, classifies, resolves by runbook or escalates.
    pub const FIRST: Line = Line(1);
    /// Second line: system administrators.
    pub const SECOND: Line = Line(2);
    /// Third line: narrow specialists.
    pub const THIRD: Line = Line(3);

    /// The line's number.
    pub fn number(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Line {
    type Error = super::ParseEnumError;
    fn try_from(n: u8) -> Result<Self, Self::Error> {
        match n {
            1..=3 => Ok(Line(n)),
            _ => Err(super::ParseEnumError { what: "line", value: n.to_string(), expected: "1, 2, 3".into() }),
        }
    }
}

impl From<Line> for u8 {
    fn from(l: Line) -> u8 {
        l.0
    }
}

impl std::str::FromStr for Line {
    type Err = super::ParseEnumError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        t.trim_start_matches(['l', 'L']).parse::<u8>().ok().and_then(|n| Line::try_from(n).ok()).ok_or_else(|| super::ParseEnumError {
            what: "line",
            value: t.to_string(),
            expected: "1, 2, 3".into(),
        })
    }
}

impl std::fmt::Display for Line {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_one_to_three() {
        assert_eq!("2".parse::<Line>().unwrap(), Line::SECOND);
        assert_eq!("L3".parse::<Line>().unwrap(), Line::THIRD);
        assert!("4".parse::<Line>().is_err());
        assert!(Line::try_from(0).is_err());
    }

    #[test]
    fn kinds_and_channels_use_kebab_case() {
        assert_eq!("monitoring".parse::<Channel>().unwrap(), Channel::Monitoring);
        let err = "fax".parse::<Channel>().unwrap_err();
        assert!(err.to_string().contains("email, portal, phone, monitoring, telegram"), "{err}");
        assert_eq!(serde_json::to_string(&Kind::Request).unwrap(), "\"request\"");
    }
}

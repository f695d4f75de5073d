//! The people of the desk: lines, roles and skills.

use super::text_enum::text_enum;
use serde::{Deserialize, Serialize};

text_enum! {
    /// Where a person works.
    Role, "role" {
        /// First line engineer (2/2 shifts).
        Line1 = "line-1",
        /// Second line engineer (2/2 shifts).
        Line2 = "line-2",
        /// Third line specialist (5/2).
        Line3 = "line-3",
        /// The support lead (5/2).
        Lead = "lead",
        /// The deputy lead (5/2).
        Deputy = "deputy",
    }
}

text_enum! {
    /// A field of expertise.
    Skill, "skill" {
        /// Linux administration.
        Linux = "linux",
        /// Networks.
        Networks = "networks",
        /// Virtualisation.
        Virtualisation = "virtualisation",
        /// Hardware.
        Hardware = "hardware",
        /// Microsoft products.
        Microsoft = "microsoft",
        /// Databases.
        Databases = "databases",
        /// Storage systems.
        Storage = "storage",
        /// Backup and recovery.
        Backup = "backup",
        /// Information security.
        Security = "security",
    }
}

/// A member of the support staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "domain.ts")]
pub struct StaffMember {
    /// Replica id.
    pub id: i64,
    /// Full name.
    pub name: String,
    /// Line or role.
    pub role: Role,
    /// Skills, strongest first.
    pub skills: Vec<Skill>,
    /// Languages spoken (ISO 639-1 codes).
    pub languages: Vec<String>,
    /// Home office.
    pub office: String,
    /// IANA time zone of the home office.
    pub time_zone: String,
}

impl Role {
    /// The support line this role staffs, if any.
    pub fn line(self) -> Option<super::Line> {
        match self {
            Role::Line1 => Some(super::Line::FIRST),
            Role::Line2 => Some(super::Line::SECOND),
            Role::Line3 => Some(super::Line::THIRD),
            Role::Lead | Role::Deputy => None,
        }
    }
}

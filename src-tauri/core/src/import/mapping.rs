//! How ServiceNow's values map onto Smena's: documented defaults, editable as a JSON file
//! (`smena import servicenow --show-mapping > mapping.json`, then `--mapping mapping.json`).

use crate::domain::{Channel, Level, Line, Priority, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// ServiceNow → Smena value mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceNowMapping {
    /// ServiceNow's three urgencies onto the five-level scale.
    pub urgency: BTreeMap<String, Level>,
    /// ServiceNow's three impacts onto the five-level scale.
    pub impact: BTreeMap<String, Level>,
    /// ServiceNow's priorities (kept as given) onto Smena's.
    pub priority: BTreeMap<String, Priority>,
    /// `incident_state` onto the eight statuses.
    pub state: BTreeMap<String, Status>,
    /// `contact_type` onto channels.
    pub contact_type: BTreeMap<String, Channel>,
    /// `assignment_group` onto lines; groups not listed go to `default_line`.
    pub line_by_group: BTreeMap<String, Line>,
    /// The line of tickets whose group is not listed.
    pub default_line: Line,
    /// The client the imported tickets belong to (the export names none).
    pub client: String,
}

impl Default for ServiceNowMapping {
    /// The documented defaults. Urgency and impact: 1 - High → high, 2 - Medium → medium,
    /// 3 - Low → low (ServiceNow has no very-high or none). States: New → registered,
    /// Active → in-progress, Awaiting User Info and Awaiting Evidence → information-needed,
    /// Awaiting Vendor and Awaiting Problem → external-processing (someone other than the
    /// desk and the user holds it), Resolved → completed, Closed → closed. Contact types:
    /// Phone and IVR → phone, Email → email, Self service and Direct opening → portal.
    fn default() -> Self {
        let m = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| ((*k).to_string(), v.to_string())).collect::<Vec<_>>();
        let levels = |pairs: Vec<(String, String)>| pairs.into_iter().map(|(k, v)| (k, v.parse().expect("valid level"))).collect();
        ServiceNowMapping {
            urgency: levels(m(&[("1 - High", "high"), ("2 - Medium", "medium"), ("3 - Low", "low")])),
            impact: levels(m(&[("1 - High", "high"), ("2 - Medium", "medium"), ("3 - Low", "low")])),
            priority: m(&[("1 - Critical", "critical"), ("2 - High", "high"), ("3 - Moderate", "medium"), ("4 - Low", "low"), ("5 - Planning", "planning")])
                .into_iter()
                .map(|(k, v)| (k, v.parse().expect("valid priority")))
                .collect(),
            state: m(&[
                ("New", "registered"),
                ("Active", "in-progress"),
                ("Awaiting User Info", "information-needed"),
                ("Awaiting Evidence", "information-needed"),
                ("Awaiting Vendor", "external-processing"),
                ("Awaiting Problem", "external-processing"),
                ("Resolved", "completed"),
                ("Closed", "closed"),
            ])
            .into_iter()
            .map(|(k, v)| (k, v.parse().expect("valid status")))
            .collect(),
            contact_type: m(&[("Phone", "phone"), ("IVR", "phone"), ("Email", "email"), ("Self service", "portal"), ("Direct opening", "portal")])
                .into_iter()
                .map(|(k, v)| (k, v.parse().expect("valid channel")))
                .collect(),
            line_by_group: BTreeMap::new(),
            default_line: Line::FIRST,
            client: "ServiceNow import".into(),
        }
    }
}

impl ServiceNowMapping {
    /// Reads a mapping from JSON text.
    pub fn from_json(text: &str, path: &str) -> Result<ServiceNowMapping, super::ImportError> {
        serde_json::from_str(text).map_err(|e| super::ImportError::Mapping { path: path.to_string(), reason: e.to_string() })
    }
}

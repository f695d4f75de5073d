//! Where the ticket fields an ITSM does not model as Smena does are read from: for Request
//! Tracker, the client, the channel, the service and the request type. Documented defaults,
//! kept in the replica and editable as JSON (`smena fields > fields.json`, then
//! `smena fields --set fields.json`); the next pull reads new tickets through them.

use crate::domain::Channel;
use crate::store::{settings, Replica, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Request Tracker → Smena: where each field is read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RtFields {
    /// Where the client is named: `requester-organization` (the Organization of the ticket's
    /// first requester in RT), or the name of a ticket custom field. A ticket without one
    /// goes to a client named for the requester's e-mail domain.
    pub client: String,
    /// The ticket custom field holding the channel.
    pub channel_field: String,
    /// Its values onto Smena's channels.
    pub channels: BTreeMap<String, Channel>,
    /// The channel of a ticket whose field is empty or not listed (RT's tickets mostly arrive
    /// by mail).
    pub default_channel: Channel,
    /// The ticket custom field holding the service (or category).
    pub service_field: String,
    /// The ticket custom field holding a service request's type: a code or a name of the
    /// replica's service-request model (an unknown one makes it a consultation).
    pub request_type_field: String,
}

impl Default for RtFields {
    /// The documented defaults: the client from the requester's Organization; the custom
    /// fields `Channel` (E-mail, Phone, Portal, Monitoring, Telegram), `Service` and `Request type`.
    fn default() -> RtFields {
        RtFields {
            client: REQUESTER_ORGANIZATION.into(),
            channel_field: "Channel".into(),
            channels: [("E-mail", Channel::Email), ("Phone", Channel::Phone), ("Portal", Channel::Portal), ("Monitoring", Channel::Monitoring), ("Telegram", Channel::Telegram)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            default_channel: Channel::Email,
            service_field: "Service".into(),
            request_type_field: "Request type".into(),
        }
    }
}

/// [`RtFields::client`]'s value for the requester's Organization.
pub const REQUESTER_ORGANIZATION: &str = "requester-organization";

const KEY: &str = "itsm_fields";

impl RtFields {
    /// Reads a mapping from JSON text (`path` names it in the error).
    pub fn from_json(text: &str, path: &str) -> Result<RtFields, super::ConnectError> {
        let f: RtFields = serde_json::from_str(text).map_err(|e| super::ConnectError::Fields { path: path.to_string(), reason: e.to_string() })?;
        if f.client.trim().is_empty() {
            return Err(super::ConnectError::Fields { path: path.to_string(), reason: "\"client\" names no source".into() });
        }
        Ok(f)
    }
}

/// The mapping in force in the replica.
pub fn fields(r: &Replica) -> Result<RtFields, StoreError> {
    fields_in(r.conn())
}

/// The mapping in force: the stored one, or the defaults.
pub(crate) fn fields_in(conn: &rusqlite::Connection) -> Result<RtFields, StoreError> {
    match settings::get(conn, KEY)? {
        None => Ok(RtFields::default()),
        Some(json) => serde_json::from_str(&json).map_err(|e| StoreError::InvalidValue(format!("setting {KEY}: {e}"))),
    }
}

/// Stores a mapping.
pub fn set_fields(r: &mut Replica, f: &RtFields) -> Result<(), StoreError> {
    let json = serde_json::to_string(f).expect("a mapping serialises");
    r.write(|tx| settings::put(tx, KEY, &json))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_round_trip_and_a_bad_file_is_refused_by_name() {
        let json = serde_json::to_string_pretty(&RtFields::default()).unwrap();
        assert_eq!(RtFields::from_json(&json, "f.json").unwrap(), RtFields::default());
        let e = RtFields::from_json(r#"{"client": "requester-organization", "channels": {"Fax": "fax"}}"#, "f.json").unwrap_err();
        assert!(e.to_string().contains("f.json") && e.to_string().contains("fax"), "{e}");
        let e = RtFields::from_json(r#"{"client": " "}"#, "f.json").unwrap_err();
        assert!(e.to_string().contains("names no source"), "{e}");
        // A partial file keeps the defaults for what it leaves out.
        let f = RtFields::from_json(r#"{"client": "Client"}"#, "f.json").unwrap();
        assert_eq!((f.client.as_str(), f.service_field.as_str()), ("Client", "Service"));
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(crate::fuzz::config())]

        /// Any text: a mapping or an error naming the file, never a panic.
        #[test]
        fn fuzz_field_mappings_parse_or_are_refused_by_name(text in crate::fuzz::text(), v in crate::fuzz::json()) {
            for t in [text, v.to_string()] {
                if let Err(e) = RtFields::from_json(&t, "fields.json") {
                    prop_assert!(e.to_string().starts_with("fields.json"));
                }
            }
        }
    }
}

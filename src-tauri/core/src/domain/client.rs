//! Clients, their contracts and the contact persons authorised to raise tickets.

use super::Channel;
use serde::{Deserialize, Serialize};

/// A client company under contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "domain.ts")]
pub struct Client {
    /// Replica id.
    pub id: i64,
    /// Company name.
    pub name: String,
    /// Contract number (what a caller names on the phone).
    pub contract_no: String,
    /// IANA time zone the client works in.
    pub time_zone: String,
}

/// A person the client authorised to raise tickets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "domain.ts")]
pub struct Contact {
    /// Full name.
    pub name: String,
    /// Registered e-mail address.
    pub email: String,
    /// Phone, if given.
    pub phone: Option<String>,
}

/// Whether a ticket raised through `channel` from `email` comes from an authorised contact.
/// Only e-mail is checked by address: phone callers name the contract, portal users log
/// in personally, and monitoring is the system itself.
pub fn contact_is_authorised(channel: Channel, email: Option<&str>, authorised: &[Contact]) -> bool {
    if channel != Channel::Email {
        return true;
    }
    let Some(from) = email.map(|e| e.trim().to_lowercase()) else {
        return false;
    };
    authorised.iter().any(|c| c.email.trim().to_lowercase() == from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contacts() -> Vec<Contact> {
        vec![Contact { name: "Anna".into(), email: "Anna.Petrova@northwind.ru".into(), phone: None }]
    }

    #[test]
    fn an_email_from_an_unregistered_address_is_flagged() {
        assert!(!contact_is_authorised(Channel::Email, Some("boss@gmail.com"), &contacts()));
        assert!(!contact_is_authorised(Channel::Email, None, &contacts()));
    }

    #[test]
    fn the_registered_address_matches_regardless_of_case() {
        assert!(contact_is_authorised(Channel::Email, Some(" anna.petrova@NORTHWIND.ru"), &contacts()));
    }

    #[test]
    fn other_channels_are_not_checked_by_address() {
        assert!(contact_is_authorised(Channel::Monitoring, None, &contacts()));
        assert!(contact_is_authorised(Channel::Phone, Some("x@y.z"), &contacts()));
    }
}

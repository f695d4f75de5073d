//! The SLA signed with a client: support hours, targets, pauses, availability, compensation.

use super::calendar::SupportHours;
use crate::domain::Status;
use crate::store::{self, Replica, StoreError};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One client's SLA. Stored as JSON per client; a client without one has [`Contract::default`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
#[ts(export_to = "sla.ts")]
pub struct Contract {
    /// When the SLA clock runs (in the client's time zone).
    pub support: SupportHours,
    /// Incident reaction targets in support minutes, for priorities 1 … 5.
    pub reaction_minutes: [u32; 5],
    /// Incident resolution targets in support hours, for priorities 1 … 5.
    pub resolution_hours: [u32; 5],
    /// Fulfilment times in support hours per request type, overriding the request model.
    #[serde(default)]
    pub fulfilment_hours: BTreeMap<String, u32>,
    /// Statuses in which the clock stops (besides Completed and Closed).
    pub pause_in: Vec<Status>,
    /// Agreed availability of the client's service, percent of the month.
    pub availability_target: f64,
    /// Monthly fee the compensation is a share of.
    pub monthly_fee: f64,
    /// Currency of the fee (`RUB`).
    pub currency: String,
    /// Credit per resolution breach, percent of the monthly fee.
    pub credit_percent_per_breach: f64,
    /// Credit when availability falls below its target, percent of the monthly fee.
    pub credit_percent_availability: f64,
    /// Most the credits of one month may add up to, percent of the monthly fee.
    pub credit_cap_percent: f64,
}

impl Default for Contract {
    /// Round-the-clock support; reaction 15/30/60/240/480 minutes and resolution
    /// 4/8/24/72/120 hours by priority; the clock stops in Information needed.
    fn default() -> Contract {
        Contract {
            support: SupportHours::AllDay,
            reaction_minutes: [15, 30, 60, 240, 480],
            resolution_hours: [4, 8, 24, 72, 120],
            fulfilment_hours: BTreeMap::new(),
            pause_in: vec![Status::InformationNeeded],
            availability_target: 99.9,
            monthly_fee: 300_000.0,
            currency: "RUB".into(),
            credit_percent_per_breach: 2.0,
            credit_percent_availability: 10.0,
            credit_cap_percent: 30.0,
        }
    }
}

/// The longest reaction target a contract may set: 30 days.
pub const MAX_REACTION_MINUTES: u32 = 30 * 24 * 60;
/// The longest resolution or fulfilment target a contract may set: a year.
pub const MAX_RESOLUTION_HOURS: u32 = 366 * 24;

impl Contract {
    /// Why this contract cannot be used, if it cannot.
    pub fn problem(&self) -> Option<ContractProblem> {
        let p = ContractProblem::new;
        if let Some(problem) = self.support.problem() {
            return Some(problem);
        }
        if self.reaction_minutes.contains(&0) || self.resolution_hours.contains(&0) {
            return Some(p("every reaction and resolution target must be above zero".into(), "каждый срок реакции и решения должен быть больше нуля".into()));
        }
        if let Some((i, m)) = self.reaction_minutes.iter().enumerate().find(|(_, m)| **m > MAX_REACTION_MINUTES) {
            return Some(p(
                format!("reaction_minutes[{i}] is {m}: a reaction target is at most {MAX_REACTION_MINUTES} minutes (30 days)"),
                format!("срок реакции для приоритета {} — {m} мин: не больше {MAX_REACTION_MINUTES} мин (30 дней)", i + 1),
            ));
        }
        if let Some((i, h)) = self.resolution_hours.iter().enumerate().find(|(_, h)| **h > MAX_RESOLUTION_HOURS) {
            return Some(p(
                format!("resolution_hours[{i}] is {h}: a resolution target is at most {MAX_RESOLUTION_HOURS} hours (a year)"),
                format!("срок решения для приоритета {} — {h} ч: не больше {MAX_RESOLUTION_HOURS} ч (год)", i + 1),
            ));
        }
        if let Some((code, _)) = self.fulfilment_hours.iter().find(|(_, h)| **h == 0) {
            return Some(p(format!("fulfilment time of {code} must be above zero"), format!("срок выполнения запроса {code} должен быть больше нуля")));
        }
        if let Some((code, h)) = self.fulfilment_hours.iter().find(|(_, h)| **h > MAX_RESOLUTION_HOURS) {
            return Some(p(
                format!("fulfilment_hours.{code} is {h}: a fulfilment time is at most {MAX_RESOLUTION_HOURS} hours (a year)"),
                format!("срок выполнения запроса {code} — {h} ч: не больше {MAX_RESOLUTION_HOURS} ч (год)"),
            ));
        }
        if !self.monthly_fee.is_finite() || self.monthly_fee > 1e15 {
            return Some(p("monthly_fee must be a finite amount".into(), "абонентская плата должна быть конечной суммой".into()));
        }
        if let Some(s) = self.pause_in.iter().find(|s| !s.is_open()) {
            return Some(p(
                format!("the clock always stops in {s}; pause_in lists open statuses only"),
                format!("в статусе {s} часы и так стоят; в паузах указываются только открытые статусы"),
            ));
        }
        let percents = [self.availability_target, self.credit_percent_per_breach, self.credit_percent_availability, self.credit_cap_percent];
        if percents.iter().any(|p| !(0.0..=100.0).contains(p)) || self.monthly_fee.is_nan() || self.monthly_fee < 0.0 {
            return Some(p(
                "percentages must lie in 0–100 and the fee must not be negative".into(),
                "проценты должны быть от 0 до 100, а плата не может быть отрицательной".into(),
            ));
        }
        None
    }
}

/// Why a contract cannot be used, said in each language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractProblem {
    /// In English.
    pub en: String,
    /// In Russian.
    pub ru: String,
}

impl ContractProblem {
    /// A problem said both ways.
    pub fn new(en: String, ru: String) -> ContractProblem {
        ContractProblem { en, ru }
    }
}

impl std::fmt::Display for ContractProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en)
    }
}

/// A contract that cannot be read or stored.
#[derive(Debug, thiserror::Error)]
pub enum ContractError {
    /// The JSON does not describe a contract.
    #[error("{0}")]
    Invalid(String),
    /// The contract describes terms that cannot be used.
    #[error("contract: {0}")]
    Unusable(ContractProblem),
    /// No such client.
    #[error("no client named {0}")]
    UnknownClient(String),
    /// Reading or writing the replica failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Parses and checks a contract written as JSON.
pub fn parse(json: &str) -> Result<Contract, ContractError> {
    let c: Contract = serde_json::from_str(json).map_err(|e| ContractError::Invalid(format!("contract: {e}")))?;
    match c.problem() {
        Some(p) => Err(ContractError::Unusable(p)),
        None => Ok(c),
    }
}

/// The contract of every client, by client id (the default for clients without one).
pub fn contracts_in(conn: &Connection) -> Result<BTreeMap<i64, Contract>, StoreError> {
    let mut out = BTreeMap::new();
    let mut stmt = conn.prepare_cached("SELECT c.id, s.contract FROM clients c LEFT JOIN sla_contracts s ON s.client_id = c.id")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?)))?;
    for row in rows {
        let (id, json) = row?;
        let contract = match json {
            None => Contract::default(),
            Some(j) => {
                // A stored contract is checked as one being stored is: a replica written by
                // anything else cannot drive the clock off the calendar.
                let c: Contract = serde_json::from_str(&j).map_err(|e| StoreError::InvalidValue(format!("SLA contract of client {id}: {e}")))?;
                if let Some(p) = c.problem() {
                    return Err(StoreError::InvalidValue(format!("SLA contract of client {id}: {p}")));
                }
                c
            }
        };
        out.insert(id, contract);
    }
    Ok(out)
}

/// The contract of one client, found by name or contract number.
pub fn contract_of(r: &Replica, client: &str) -> Result<(i64, Contract), ContractError> {
    let id = client_id(r.conn(), client)?;
    let all = contracts_in(r.conn())?;
    Ok((id, all.get(&id).cloned().unwrap_or_default()))
}

/// Stores a client's contract, replacing the one it had, and gives the client's tickets
/// that are not closed their deadline under it, in the same transaction; returns how many
/// deadlines moved.
pub fn set_contract(r: &mut Replica, client: &str, c: &Contract) -> Result<usize, ContractError> {
    if let Some(p) = c.problem() {
        return Err(ContractError::Unusable(p));
    }
    let id = client_id(r.conn(), client)?;
    let json = serde_json::to_string(c).expect("a contract serialises");
    Ok(r.write(|tx| {
        set_contract_in(tx, id, &json)?;
        super::deadline::refresh(tx, super::deadline::Scope::Client(id), chrono::Utc::now())
    })?)
}

/// Stores a contract (already checked) through a transaction.
pub(crate) fn set_contract_in(conn: &Connection, client_id: i64, json: &str) -> store::Result<()> {
    conn.execute(
        "INSERT INTO sla_contracts (client_id, contract) VALUES (?1, ?2)
         ON CONFLICT (client_id) DO UPDATE SET contract = excluded.contract",
        rusqlite::params![client_id, json],
    )?;
    Ok(())
}

fn client_id(conn: &Connection, client: &str) -> Result<i64, ContractError> {
    find_client(conn, client)?.ok_or_else(|| ContractError::UnknownClient(client.to_string()))
}

/// A client's id, found by name or contract number.
pub(crate) fn find_client(conn: &Connection, client: &str) -> store::Result<Option<i64>> {
    Ok(conn.query_row("SELECT id FROM clients WHERE name = ?1 OR contract_no = ?1", [client], |r| r.get(0)).optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_contract_round_trips_through_json() {
        let c = Contract::default();
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(parse(&json).unwrap(), c);
    }

    #[test]
    fn a_written_contract_is_checked_and_named() {
        let json = r#"{"support":{"kind":"business","days":[1,2,3,4,5],"open":"09:00","close":"18:00","holidays":["2026-01-01"]},
            "reaction_minutes":[15,30,60,240,480],"resolution_hours":[4,8,24,72,0],"pause_in":["information-needed"],
            "availability_target":99.5,"monthly_fee":100000,"currency":"RUB","credit_percent_per_breach":1,
            "credit_percent_availability":5,"credit_cap_percent":20}"#;
        let e = parse(json).unwrap_err().to_string();
        assert_eq!(e, "contract: every reaction and resolution target must be above zero");
        let e = parse(&json.replace("[4,8,24,72,0]", "[4,8,24,72,120]").replace("information-needed", "closed")).unwrap_err().to_string();
        assert!(e.contains("pause_in lists open statuses only"), "{e}");
        let ok = parse(&json.replace("[4,8,24,72,0]", "[4,8,24,72,120]")).unwrap();
        assert!(matches!(ok.support, SupportHours::Business { .. }));
        let e = parse(r#"{"support":{"kind":"24x7"},"oops":1}"#).unwrap_err().to_string();
        assert!(e.starts_with("contract: unknown field `oops`"), "{e}");
    }
}

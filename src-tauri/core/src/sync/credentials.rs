//! Where the ITSM is (kept in the replica) and its secret (kept in the OS keyring — on Linux
//! the Secret Service — and nowhere else: not the replica, a file, a log or a message).

use crate::store::{settings, Replica, StoreError};
use serde::{Deserialize, Serialize};

const KEY: &str = "itsm_connection";
const IDENTITY_KEY: &str = "itsm_identity";
const SERVICE: &str = "smena";

/// Which ITSM the replica syncs with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "sync.ts")]
pub struct Connection {
    /// Which ITSM.
    pub kind: super::ItsmKind,
    /// Base URL.
    pub url: String,
    /// User name, where the ITSM logs in with one.
    pub user: Option<String>,
}

impl Connection {
    fn account(&self) -> String {
        format!("{} {} {}", self.kind.as_str(), self.url, self.user.as_deref().unwrap_or(""))
    }
}

/// Why credentials could not be kept or read.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    /// No keyring to keep the secret in.
    #[error("no OS keyring is available ({0}); the secret was not stored — Smena keeps it only in the keyring, never in plain text")]
    NoKeyring(String),
    /// The keyring has no secret for this connection.
    #[error("the keyring holds no secret for {0}; connect again (smena connect)")]
    Missing(String),
    /// Nothing is connected.
    #[error("no ITSM is connected; connect first (smena connect rt|simpleone --url URL)")]
    NotConnected,
    /// The replica failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn entry(c: &Connection) -> Result<keyring::Entry, CredentialError> {
    keyring::Entry::new(SERVICE, &c.account()).map_err(|e| CredentialError::NoKeyring(e.to_string()))
}

/// The connection in force, if any.
pub fn connection(r: &Replica) -> Result<Option<Connection>, CredentialError> {
    let text = settings::get(r.conn(), KEY)?;
    text.map(|t| serde_json::from_str(&t).map_err(|e| CredentialError::Store(StoreError::InvalidValue(format!("{KEY}: {e}"))))).transpose()
}

/// Keeps the secret in the keyring, then the connection in the replica, which from now on
/// belongs to this ITSM (see [`identity`]).
pub fn connect(r: &mut Replica, c: &Connection, secret: &str) -> Result<(), CredentialError> {
    entry(c)?.set_password(secret).map_err(|e| CredentialError::NoKeyring(e.to_string()))?;
    let json = serde_json::to_string(c).expect("a connection serialises");
    r.write(|tx| {
        settings::put(tx, KEY, &json)?;
        settings::put(tx, IDENTITY_KEY, &json)
    })?;
    Ok(())
}

/// The ITSM whose tickets this replica holds: the last one it was connected to, remembered
/// after a disconnect (its ids and cursors are that ITSM's), until forgotten.
pub fn identity(r: &Replica) -> Result<Option<Connection>, CredentialError> {
    match settings::get(r.conn(), IDENTITY_KEY)? {
        Some(t) => Ok(Some(serde_json::from_str(&t).map_err(|e| CredentialError::Store(StoreError::InvalidValue(format!("{IDENTITY_KEY}: {e}"))))?)),
        None => connection(r),
    }
}

/// Forgets which ITSM the replica belonged to (its tickets are gone).
pub(crate) fn forget_identity(tx: &rusqlite::Connection) -> Result<(), StoreError> {
    settings::remove(tx, IDENTITY_KEY)
}

/// The connection's secret, from the keyring.
pub fn secret(c: &Connection) -> Result<String, CredentialError> {
    match entry(c)?.get_password() {
        Ok(s) => Ok(s),
        Err(keyring::Error::NoEntry) => Err(CredentialError::Missing(format!("{} at {}", c.kind, c.url))),
        Err(e) => Err(CredentialError::NoKeyring(e.to_string())),
    }
}

/// Forgets the connection and removes its secret from the keyring.
pub fn disconnect(r: &mut Replica) -> Result<Option<Connection>, CredentialError> {
    let Some(c) = connection(r)? else { return Ok(None) };
    match entry(&c)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => {}
        Err(e) => return Err(CredentialError::NoKeyring(e.to_string())),
    }
    r.write(|tx| settings::remove(tx, KEY))?;
    Ok(Some(c))
}

const INTERVAL_KEY: &str = "sync_interval_seconds";
/// Background sync every minute unless the user says otherwise.
pub const DEFAULT_INTERVAL: u64 = 60;

/// Seconds between background syncs.
pub fn interval(r: &Replica) -> Result<u64, CredentialError> {
    let v = settings::get(r.conn(), INTERVAL_KEY)?;
    Ok(v.and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_INTERVAL))
}

/// Sets the seconds between background syncs (10 s to a day).
pub fn set_interval(r: &mut Replica, seconds: u64) -> Result<u64, CredentialError> {
    let s = seconds.clamp(10, 86_400);
    r.write(|tx| settings::put(tx, INTERVAL_KEY, &s.to_string()))?;
    Ok(s)
}

const PARALLEL_KEY: &str = "sync_parallel_requests";

/// Requests sent to the ITSM at once where it serves them side by side.
pub fn parallel(r: &Replica) -> Result<usize, CredentialError> {
    let v = settings::get(r.conn(), PARALLEL_KEY)?;
    Ok(v.and_then(|v| v.parse().ok()).unwrap_or(super::DEFAULT_PARALLEL).clamp(1, super::MAX_PARALLEL))
}

/// Sets the requests sent at once (1 to [`super::MAX_PARALLEL`]; 1 for an ITSM that serves
/// one at a time).
pub fn set_parallel(r: &mut Replica, n: usize) -> Result<usize, CredentialError> {
    let n = n.clamp(1, super::MAX_PARALLEL);
    r.write(|tx| settings::put(tx, PARALLEL_KEY, &n.to_string()))?;
    Ok(n)
}

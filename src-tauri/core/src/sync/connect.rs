//! Connecting a replica to its ITSM, and one sync of a connected replica: the use cases the
//! command line (`smena connect`, `smena sync`) and the window (the ITSM dialog, the
//! background worker) share, so both trim a URL, check it and report alike.

use super::credentials::{self, Connection, CredentialError};
use super::engine::{self, Progress, SyncError, SyncReport};
use super::{rt, simpleone, ItsmApi, ItsmError};
use crate::domain::text_enum::text_enum;
use crate::store::Replica;
use chrono::{DateTime, Utc};

text_enum! {
    /// Which ITSM a replica syncs with.
    ItsmKind, "ITSM" {
        /// Request Tracker 5, over REST2 with an auth token.
        Rt = "rt",
        /// SimpleOne, over its Table API with a user and password.
        SimpleOne = "simpleone",
    }
}

/// Why a connection could not be made; nothing was stored.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// Not a URL at all.
    #[error("'{url}' is not a URL: {reason}")]
    NotAUrl {
        /// What was given.
        url: String,
        /// Why it is not one.
        reason: String,
    },
    /// Plain HTTP to another machine.
    #[error("'{0}' is plain HTTP: the secret would cross the network unencrypted; use https://")]
    PlainHttp(String),
    /// Neither HTTP nor HTTPS.
    #[error("'{url}': the ITSM is reached over https, not {scheme}")]
    Scheme {
        /// What was given.
        url: String,
        /// Its scheme.
        scheme: String,
    },
    /// A user or password written into the URL (it would be stored and shown with it).
    #[error("the URL holds a user name or password; give the URL without it (the secret is read separately and kept in the OS keyring)")]
    CredentialsInUrl,
    /// The replica belongs to another ITSM.
    #[error("this replica holds {tickets} tickets of {kind} at {url}; connecting it to another ITSM would mix the two desks — use another replica (--db), or forget the old ITSM's tickets first (smena disconnect --forget)")]
    OtherItsm {
        /// The ITSM it belongs to.
        kind: ItsmKind,
        /// Its URL.
        url: String,
        /// How many of its tickets the replica holds.
        tickets: i64,
    },
    /// A field mapping that cannot be read.
    #[error("{path}: not a field mapping: {reason}")]
    Fields {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// SimpleOne without a user name.
    #[error("SimpleOne logs in with a user name: give --user NAME")]
    NoUser,
    /// The ITSM did not accept the URL or the secret.
    #[error("{url}: {source}; nothing was stored")]
    Check {
        /// The ITSM's URL.
        url: String,
        /// What it answered.
        source: ItsmError,
    },
    /// The secret could not be kept.
    #[error(transparent)]
    Credentials(#[from] CredentialError),
}

/// The connection for `kind` at `url` with `user`: the URL without surrounding spaces or a
/// trailing slash, an empty user as none; refused when the URL would carry the secret
/// unencrypted or holds credentials itself.
pub fn connection(kind: ItsmKind, url: &str, user: Option<&str>) -> Result<Connection, ConnectError> {
    let c = Connection { kind, url: url.trim().trim_end_matches('/').to_string(), user: user.map(str::trim).filter(|u| !u.is_empty()).map(str::to_string) };
    check_url(&c.url)?;
    Ok(c)
}

/// Whether a URL names this machine (where plain HTTP keeps the secret on the machine).
pub(crate) fn is_this_machine(u: &reqwest::Url) -> bool {
    matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]" | "::1"))
}

/// The URL as it may be shown: without a user or password in it.
fn shown(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}://…@{}", &url[..scheme], &url[at + 1..]),
        _ => url.to_string(),
    }
}

/// The connector for a connection.
pub fn connector(c: &Connection, secret: &str) -> Result<Box<dyn ItsmApi>, ConnectError> {
    check_url(&c.url)?;
    let unreachable = |source: ItsmError| ConnectError::Check { url: c.url.clone(), source };
    match c.kind {
        ItsmKind::Rt => Ok(Box::new(rt::Rt::new(&c.url, secret).map_err(unreachable)?)),
        ItsmKind::SimpleOne => {
            let user = c.user.as_deref().filter(|u| !u.is_empty()).ok_or(ConnectError::NoUser)?;
            Ok(Box::new(simpleone::SimpleOne::new(&c.url, user, secret).map_err(unreachable)?))
        }
    }
}

/// The secret travels only over HTTPS, or over plain HTTP to this machine itself.
pub(crate) fn check_url(url: &str) -> Result<(), ConnectError> {
    let parsed = reqwest::Url::parse(url).map_err(|e| ConnectError::NotAUrl { url: shown(url), reason: e.to_string() })?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(ConnectError::CredentialsInUrl);
    }
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if is_this_machine(&parsed) => Ok(()),
        "http" => Err(ConnectError::PlainHttp(url.to_string())),
        other => Err(ConnectError::Scheme { url: url.to_string(), scheme: other.to_string() }),
    }
}

/// Checks the URL and the secret with the ITSM (logging in where it has a login).
pub fn check(c: &Connection, secret: &str) -> Result<(), ConnectError> {
    connector(c, secret)?.check().map_err(|source| ConnectError::Check { url: c.url.clone(), source })
}

/// Keeps a checked connection: the secret in the OS keyring, the rest in the replica. A
/// replica holding another ITSM's tickets is refused: its ids, cursors and queued changes
/// are that ITSM's, until the user forgets them ([`forget`]).
pub fn remember(r: &mut Replica, c: &Connection, secret: &str) -> Result<(), ConnectError> {
    if let Some(old) = credentials::identity(r)?.filter(|old| old.kind != c.kind || old.url != c.url) {
        let tickets = crate::store::pulled::linked(r.conn()).map_err(CredentialError::from)?;
        if tickets > 0 {
            return Err(ConnectError::OtherItsm { kind: old.kind, url: old.url, tickets });
        }
        // Nothing of the old ITSM is held: its cursors go with it.
        forget(r).map_err(CredentialError::from)?;
    }
    Ok(credentials::connect(r, c, secret)?)
}

/// What forgetting an ITSM removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Forgotten {
    /// Its tickets (with their history and comments).
    pub tickets: u64,
    /// Changes queued for it, never sent.
    pub operations: u64,
}

/// Forgets the ITSM this replica belonged to: its tickets with their history, comments,
/// queued changes and conflicts, and where each pull stood. The replica's own data (staff,
/// clients, rosters, imported and demo tickets) stays. Done only at the user's word.
pub fn forget(r: &mut Replica) -> Result<Forgotten, crate::store::StoreError> {
    r.write(|tx| {
        let (tickets, operations) = crate::store::pulled::forget_all(tx)?;
        credentials::forget_identity(tx)?;
        Ok(Forgotten { tickets, operations })
    })
}

/// Checks the URL and the secret with the ITSM, then keeps them ([`check`], then [`remember`]).
pub fn connect(r: &mut Replica, c: &Connection, secret: &str) -> Result<(), ConnectError> {
    check(c, secret)?;
    remember(r, c, secret)
}

/// One sync (push, then pull) of the replica with the ITSM it is connected to, the secret
/// read from the keyring.
pub fn sync_connected(r: &mut Replica, now: DateTime<Utc>, progress: &mut dyn FnMut(Progress)) -> Result<SyncReport, SyncError> {
    let c = credentials::connection(r)?.ok_or(CredentialError::NotConnected)?;
    let secret = credentials::secret(&c)?;
    let mut api = match c.kind {
        ItsmKind::Rt => {
            check_url(&c.url)?;
            let rt = rt::Rt::new(&c.url, &secret).map_err(|source| ConnectError::Check { url: c.url.clone(), source })?;
            Box::new(rt.with_fields(super::fields::fields_in(r.conn())?).with_parallel(credentials::parallel(r)?))
        }
        ItsmKind::SimpleOne => connector(&c, &secret)?,
    };
    engine::sync(r, api.as_mut(), c.kind.as_str(), now, progress)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_goes_over_https_or_to_this_machine_only() {
        assert!(check_url("https://desk.example.ru").is_ok());
        assert!(check_url("http://127.0.0.1:8391").is_ok());
        assert!(check_url("http://localhost:8080/").is_ok());
        assert!(check_url("http://desk.example.ru").unwrap_err().to_string().contains("unencrypted"));
        assert!(matches!(check_url("ftp://desk.example.ru"), Err(ConnectError::Scheme { .. })));
        assert!(matches!(check_url("desk.example.ru"), Err(ConnectError::NotAUrl { .. })));
    }

    #[test]
    fn a_url_and_user_are_read_alike_by_every_front_end() {
        let c = connection(ItsmKind::SimpleOne, "  https://desk.example.ru/// ", Some("  ")).unwrap();
        assert_eq!((c.url.as_str(), c.user), ("https://desk.example.ru", None));
        assert_eq!(connection(ItsmKind::Rt, "http://127.0.0.1:8391/", Some(" lead ")).unwrap().user.as_deref(), Some("lead"));
    }

    #[test]
    fn a_url_with_a_password_is_refused_without_repeating_it() {
        for url in ["https://lead:s3cret@desk.example.ru", "https://lead@desk.example.ru", "http://:s3cret@127.0.0.1:8391"] {
            let e = connection(ItsmKind::Rt, url, None).unwrap_err();
            assert!(matches!(e, ConnectError::CredentialsInUrl), "{url}: {e}");
            assert!(!e.to_string().contains("s3cret") && !crate::error::Failure::ru(&e).contains("s3cret"));
        }
        let e = connection(ItsmKind::Rt, "ht tp://lead:s3cret@desk", None).unwrap_err();
        assert!(!e.to_string().contains("s3cret"), "{e}");
    }

    #[test]
    fn a_replica_holding_another_itsms_tickets_is_not_connected_to_a_second_one_until_forgotten() {
        let mut r = Replica::open_in_memory().unwrap();
        let first = connection(ItsmKind::Rt, "https://rt.example.ru", None).unwrap();
        r.write(|tx| crate::store::settings::put(tx, "itsm_identity", &serde_json::to_string(&first).unwrap())).unwrap();
        let t = crate::sync::RemoteTicket {
            id: "7".into(),
            number: "RT-7".into(),
            subject: "Disk full".into(),
            status: crate::domain::Status::Registered,
            urgency: crate::domain::Level::Medium,
            impact: crate::domain::Level::Medium,
            line: crate::domain::Line::FIRST,
            owner: None,
            priority: None,
            kind: crate::domain::Kind::Incident,
            requestor: None,
            created: chrono::Utc::now(),
            updated: chrono::Utc::now(),
            version: None,
            history: None,
            fields: Default::default(),
        };
        engine::apply_page(&mut r, "rt", &crate::sync::ChangePage { tickets: vec![t], cursor: "tx:1".into(), ..Default::default() }).unwrap();
        let second = connection(ItsmKind::SimpleOne, "https://s1.example.ru", Some("sync")).unwrap();
        let e = remember(&mut r, &second, "secret").unwrap_err();
        assert!(matches!(e, ConnectError::OtherItsm { tickets: 1, .. }), "{e}");
        assert!(e.to_string().contains("smena disconnect --forget"), "{e}");
        assert_eq!(forget(&mut r).unwrap(), Forgotten { tickets: 1, operations: 0 });
        assert!(credentials::identity(&r).unwrap().is_none());
        assert_eq!(crate::store::sync_state::cursor(r.conn(), "rt").unwrap(), "", "the old ITSM's cursor is gone");
    }
}

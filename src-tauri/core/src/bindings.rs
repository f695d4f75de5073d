//! Keeps the UI's TypeScript types (`ui/src/lib/bindings/`) generated from these Rust
//! types. The test fails when the committed files are stale; run it with
//! `UPDATE_BINDINGS=1` to rewrite them.

use crate::actions::picker::Candidate;
use crate::analytics::staffing::StaffingReport;
use crate::analytics::LoadReport;
use crate::charts::{Language, Theme};
use crate::clients::ClientCard;
use crate::dashboard::{DashboardData, DashboardQuery, Incomplete};
use crate::domain::Action;
use crate::domain::{Client, Contact, PriorityMatrix, RequestType, StaffMember};
use crate::sla::{ClientMonth, Contract, SlaReport, TimerRow};
use crate::store::outbox::OutboxEntry;
use crate::store::queue::{Facets, QueueCounts, QueueFilter, QueuePage, ReplicaInfo, TicketDetail};
use std::path::{Path, PathBuf};
use ts_rs::{Config, TS};

fn export_all(dir: &Path) {
    let cfg = Config::new().with_out_dir(dir).with_large_int("number");
    QueueFilter::export_all(&cfg).unwrap();
    QueuePage::export_all(&cfg).unwrap();
    QueueCounts::export_all(&cfg).unwrap();
    TicketDetail::export_all(&cfg).unwrap();
    ReplicaInfo::export_all(&cfg).unwrap();
    Facets::export_all(&cfg).unwrap();
    LoadReport::export_all(&cfg).unwrap();
    PriorityMatrix::export_all(&cfg).unwrap();
    Client::export_all(&cfg).unwrap();
    Contact::export_all(&cfg).unwrap();
    StaffMember::export_all(&cfg).unwrap();
    RequestType::export_all(&cfg).unwrap();
    Action::export_all(&cfg).unwrap();
    OutboxEntry::export_all(&cfg).unwrap();
    Candidate::export_all(&cfg).unwrap();
    SlaReport::export_all(&cfg).unwrap();
    ClientMonth::export_all(&cfg).unwrap();
    TimerRow::export_all(&cfg).unwrap();
    crate::sla::ack::Watched::export_all(&cfg).unwrap();
    crate::sla::ack::AckSettings::export_all(&cfg).unwrap();
    Contract::export_all(&cfg).unwrap();
    ClientCard::export_all(&cfg).unwrap();
    StaffingReport::export_all(&cfg).unwrap();
    DashboardQuery::export_all(&cfg).unwrap();
    Incomplete::export_all(&cfg).unwrap();
    DashboardData::export_all(&cfg).unwrap();
    Theme::export_all(&cfg).unwrap();
    Language::export_all(&cfg).unwrap();
    crate::sla::notify::NotifySettings::export_all(&cfg).unwrap();
    crate::import::ImportReport::export_all(&cfg).unwrap();
    crate::roster::RosterMonth::export_all(&cfg).unwrap();
    crate::roster::NowPanel::export_all(&cfg).unwrap();
    crate::roster::handover::Handover::export_all(&cfg).unwrap();
    crate::roster::handover::HandOverPlan::export_all(&cfg).unwrap();
    crate::roster::oncall::OnCallWeek::export_all(&cfg).unwrap();
    crate::roster::Suggestion::export_all(&cfg).unwrap();
    crate::roster::Rules::export_all(&cfg).unwrap();
    crate::sync::credentials::Connection::export_all(&cfg).unwrap();
    crate::sync::engine::Conflict::export_all(&cfg).unwrap();
    crate::sync::engine::Progress::export_all(&cfg).unwrap();
    crate::sync::engine::Resolution::export_all(&cfg).unwrap();
    crate::sync::engine::SyncReport::export_all(&cfg).unwrap();
    crate::sync::status::SyncStatus::export_all(&cfg).unwrap();
    crate::actions::Applied::export_all(&cfg).unwrap();
    crate::error::Problem::export_all(&cfg).unwrap();
}

fn files(dir: &Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| e.path().extension().is_some_and(|x| x == "ts"))
                .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read_to_string(e.path()).unwrap()))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

#[test]
fn ui_bindings_match_the_rust_types() {
    let committed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/bindings");
    let fresh = tempfile::tempdir().unwrap();
    export_all(fresh.path());
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::create_dir_all(&committed).unwrap();
        for (name, _) in files(&committed) {
            std::fs::remove_file(committed.join(name)).unwrap();
        }
        for (name, text) in files(fresh.path()) {
            std::fs::write(committed.join(name), text).unwrap();
        }
    }
    let (have, want) = (files(&committed), files(fresh.path()));
    let stale: Vec<&str> = want.iter().filter(|w| !have.contains(w)).map(|(name, _)| name.as_str()).collect();
    let extra: Vec<&str> = have.iter().filter(|h| !want.iter().any(|w| w.0 == h.0)).map(|(name, _)| name.as_str()).collect();
    assert!(
        stale.is_empty() && extra.is_empty(),
        "ui/src/lib/bindings is stale (differs: {stale:?}, not generated: {extra:?}): run `UPDATE_BINDINGS=1 cargo test -p smena-core bindings` and commit the result"
    );
}

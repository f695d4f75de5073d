//! One entry point for every chart the window and the CLI draw: the query (which chart, which
//! period, zone and split), the data behind it, the chart, and the same data as CSV.

use crate::analytics::staffing::{staffing_report, StaffingQuery, StaffingReport};
use crate::analytics::{load_report, Bucketing, LoadQuery, LoadReport, ReportError, Stack};
use crate::charts::{self, Chart, ChartError, Style};
use crate::sla::{sla_report, SlaError, SlaQuery, SlaReport};
use crate::store::Replica;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Which chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export_to = "charts.ts")]
pub enum ChartKind {
    /// Tickets per hour, weekday or day, optionally stacked.
    Load,
    /// Tickets per hour of week as a heatmap.
    Heatmap,
    /// SLA compliance trend.
    Sla,
    /// Engineers needed against planned, per hour of the week.
    Staffing,
}

/// What to draw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "charts.ts")]
pub struct DashboardQuery {
    /// Which chart.
    pub kind: ChartKind,
    /// Load grouping (load chart; default hour).
    pub by: Option<Bucketing>,
    /// The lead's zone (IANA).
    pub tz: String,
    /// First day, inclusive (default: 28 days before today's date in `tz`).
    #[ts(type = "string | null")]
    pub from: Option<NaiveDate>,
    /// Last day, inclusive (default: today in `tz`).
    #[ts(type = "string | null")]
    pub to: Option<NaiveDate>,
    /// Count in each client's own local time.
    pub client_local: bool,
    /// Stack the load by.
    pub stack: Option<Stack>,
    /// One client (SLA).
    pub client: Option<String>,
    /// Staffing: weeks of history averaged (default 4).
    pub weeks_back: Option<u32>,
}

/// The data behind a chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", content = "report", rename_all = "kebab-case")]
#[ts(export_to = "charts.ts")]
pub enum DashboardData {
    /// Load or heatmap.
    Load(LoadReport),
    /// SLA.
    Sla(SlaReport),
    /// Staffing.
    Staffing(StaffingReport),
}

/// A dashboard that cannot be made as asked.
#[derive(Debug, thiserror::Error)]
pub enum DashboardError {
    /// Not a zone.
    #[error("'{0}' is not an IANA time zone name (e.g. Europe/Moscow)")]
    Zone(String),
    /// A load report failed.
    #[error(transparent)]
    Load(#[from] ReportError),
    /// An SLA report failed.
    #[error(transparent)]
    Sla(#[from] SlaError),
    /// Drawing failed.
    #[error(transparent)]
    Chart(#[from] ChartError),
    /// A chart file that is neither `.svg` nor `.png`.
    #[error("{0}: a chart is written to a file ending in .svg or .png")]
    Format(String),
    /// Writing a file failed.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

impl DashboardQuery {
    /// A query for `kind` with the defaults.
    pub fn new(kind: ChartKind, tz: &str) -> DashboardQuery {
        DashboardQuery { kind, by: None, tz: tz.into(), from: None, to: None, client_local: false, stack: None, client: None, weeks_back: None }
    }

    fn zone(&self) -> Result<Tz, DashboardError> {
        self.tz.parse().map_err(|_| DashboardError::Zone(self.tz.clone()))
    }

    /// The period asked for, or the last 28 days up to today (in the zone).
    pub fn period(&self, now: DateTime<Utc>) -> Result<(NaiveDate, NaiveDate), DashboardError> {
        let today = now.with_timezone(&self.zone()?).date_naive();
        let to = self.to.unwrap_or(today);
        Ok((self.from.unwrap_or(to - Duration::days(27)), to))
    }
}

/// Computes the data behind the chart.
pub fn data(r: &Replica, q: &DashboardQuery, now: DateTime<Utc>) -> Result<DashboardData, DashboardError> {
    let tz = q.zone()?;
    let (from, to) = q.period(now)?;
    Ok(match q.kind {
        ChartKind::Load | ChartKind::Heatmap => {
            let by = if q.kind == ChartKind::Heatmap { Bucketing::HourOfWeek } else { q.by.unwrap_or(Bucketing::Hour) };
            DashboardData::Load(load_report(r, &LoadQuery { by, tz, from: Some(from), to: Some(to), client_local: q.client_local, stack: q.stack })?)
        }
        ChartKind::Sla => DashboardData::Sla(sla_report(r, &SlaQuery { from, to, tz, client: q.client.clone(), now })?),
        ChartKind::Staffing => {
            // The week holding the period's last day, planned from the weeks before it.
            let week = to - Duration::days(i64::from(to.weekday().num_days_from_monday()));
            DashboardData::Staffing(staffing_report(r, &staffing_defaults(week, q.weeks_back.unwrap_or(4), tz))?)
        }
    })
}

/// A chart's period that the replica's history does not hold whole yet: a first pull's
/// backfill is still bringing the done tickets, newest first, so the chart would count too
/// few before `whole_from`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export_to = "charts.ts")]
pub struct Incomplete {
    /// The history is whole for tickets registered from this time on; none: none of the done
    /// tickets are pulled yet.
    #[ts(type = "string | null")]
    pub whole_from: Option<DateTime<Utc>>,
}

/// Whether the chart's period reaches back before the history the replica holds whole.
pub fn incomplete(r: &Replica, q: &DashboardQuery, now: DateTime<Utc>) -> Result<Option<Incomplete>, DashboardError> {
    use crate::store::sync_state::{history_pulled, HistoryPulled};
    let Some(pulled) = history_pulled(r.conn()).map_err(ReportError::from)? else { return Ok(None) };
    let tz = q.zone()?;
    let (from, to) = q.period(now)?;
    // Staffing reads the weeks before the one it plans.
    let first = match q.kind {
        ChartKind::Staffing => to - Duration::days(i64::from(to.weekday().num_days_from_monday())) - Duration::weeks(i64::from(q.weeks_back.unwrap_or(4))),
        _ => from,
    };
    let start = crate::analytics::start_of_day(tz, first);
    Ok(match pulled {
        HistoryPulled::Nothing => Some(Incomplete { whole_from: None }),
        HistoryPulled::From(t) if start < t => Some(Incomplete { whole_from: Some(t) }),
        HistoryPulled::From(_) => None,
    })
}

/// The staffing assumptions used unless told otherwise: 80 % of tickets reacted to within
/// 15 minutes; handling 5 minutes on line 1 (classify, respond, route) and 20 on line 2;
/// 30 % shrinkage.
pub fn staffing_defaults(week: NaiveDate, weeks_back: u32, tz: Tz) -> StaffingQuery {
    StaffingQuery { week, weeks_back, tz, target_share: 0.8, target_seconds: 900.0, shrinkage: 0.3, aht_seconds: [300.0, 1200.0] }
}

fn chart<'a>(kind: ChartKind, d: &'a DashboardData) -> Chart<'a> {
    match d {
        DashboardData::Load(l) if kind == ChartKind::Heatmap => Chart::Heatmap(l),
        DashboardData::Load(l) => Chart::Load(l),
        DashboardData::Sla(s) => Chart::Sla(s),
        DashboardData::Staffing(s) => Chart::Staffing(s),
    }
}

/// The chart as SVG.
pub fn svg(kind: ChartKind, d: &DashboardData, style: &Style) -> Result<String, DashboardError> {
    Ok(charts::svg(&chart(kind, d), style)?)
}

/// Writes the chart to `path`: PNG when it ends in `.png`, else SVG.
pub fn write_chart(kind: ChartKind, d: &DashboardData, style: &Style, path: &Path) -> Result<(), DashboardError> {
    let is_png = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("png"));
    if is_png {
        // Draw to a temporary name, then move into place: no half-written file is left.
        let tmp = path.with_extension("png.part.png");
        charts::png(&chart(kind, d), style, &tmp)?;
        std::fs::rename(&tmp, path).map_err(|source| DashboardError::Write { path: path.display().to_string(), source })
    } else {
        let text = svg(kind, d, style)?;
        crate::output::write_atomically(path, text.as_bytes()).map_err(|source| DashboardError::Write { path: path.display().to_string(), source })
    }
}

/// Where a chart export goes: the chart (PNG when the file ends in `.png`, SVG when in
/// `.svg`), its data as CSV, or both.
#[derive(Debug, Clone, Copy, Default)]
pub struct Export<'a> {
    /// The chart's file.
    pub chart: Option<&'a Path>,
    /// The data's file.
    pub csv: Option<&'a Path>,
}

/// Exports the dashboard `q` asks for at `now`: the one use case behind `smena chart` and
/// the window's export buttons.
pub fn export(r: &Replica, q: &DashboardQuery, style: &Style, now: DateTime<Utc>, to: Export<'_>) -> Result<(), DashboardError> {
    if let Some(path) = to.chart {
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        if !matches!(ext.as_deref(), Some("svg" | "png")) {
            return Err(DashboardError::Format(path.display().to_string()));
        }
    }
    let d = data(r, q, now)?;
    if let Some(path) = to.chart {
        write_chart(q.kind, &d, style, path)?;
    }
    if let Some(path) = to.csv {
        crate::output::write_atomically(path, csv(&d).as_bytes()).map_err(|source| DashboardError::Write { path: path.display().to_string(), source })?;
    }
    Ok(())
}

/// The name a chart export of `q` gets in the export folder (`smena-load-2026-11-01-2026-11-28`).
pub fn export_stem(q: &DashboardQuery, now: DateTime<Utc>) -> Result<String, DashboardError> {
    let (from, to) = q.period(now)?;
    let kind = serde_json::to_value(q.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    Ok(format!("smena-{kind}-{from}-{to}"))
}

/// Where exports go: `SMENA_EXPORT_DIR`, else the user's download folder, else the home
/// folder; created when missing.
pub fn export_dir() -> std::io::Result<std::path::PathBuf> {
    let dir = std::env::var_os("SMENA_EXPORT_DIR").map(std::path::PathBuf::from).or_else(dirs::download_dir).or_else(dirs::home_dir).unwrap_or_else(std::env::temp_dir);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// A new file name `stem.ext` in the export folder (`stem-2.ext`, … when taken).
pub fn export_path(stem: &str, ext: &str) -> std::io::Result<std::path::PathBuf> {
    let dir = export_dir()?;
    let mut path = dir.join(format!("{stem}.{ext}"));
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("{stem}-{n}.{ext}"));
        n += 1;
    }
    Ok(path)
}

fn field(s: &str) -> String {
    crate::output::csv_cell(s)
}

fn pct(p: Option<f64>) -> String {
    p.map(|v| format!("{v:.1}")).unwrap_or_default()
}

/// The data behind the chart as CSV (a header row, then one row per bar, cell or point).
pub fn csv(d: &DashboardData) -> String {
    let mut out = String::new();
    match d {
        DashboardData::Load(l) => {
            out.push_str("bucket,total");
            for s in &l.series {
                out.push(',');
                out.push_str(&field(&s.name));
            }
            out.push('\n');
            for (i, b) in l.buckets.iter().enumerate() {
                let key = match &b.key {
                    crate::analytics::load::BucketKey::Hour(h) => h.to_string(),
                    crate::analytics::load::BucketKey::Name(n) => n.clone(),
                };
                out.push_str(&format!("{},{}", field(&key), b.count));
                for s in &l.series {
                    out.push_str(&format!(",{}", s.counts[i]));
                }
                out.push('\n');
            }
        }
        DashboardData::Sla(s) => {
            out.push_str(
                "period,tickets,reaction_met,reaction_breached,reaction_pending,reaction_percent,resolution_met,resolution_breached,resolution_pending,resolution_percent\n",
            );
            for g in &s.trend {
                out.push_str(&format!(
                    "{},{},{},{},{},{},{},{},{},{}\n",
                    field(&g.key),
                    g.tickets,
                    g.reaction.met,
                    g.reaction.breached,
                    g.reaction.pending,
                    pct(g.reaction.percent),
                    g.resolution.met,
                    g.resolution.breached,
                    g.resolution.pending,
                    pct(g.resolution.percent)
                ));
            }
        }
        DashboardData::Staffing(s) => {
            out.push_str("line,hour,expected,needed,service_level,scheduled,planned,shortfall\n");
            for line in &s.lines {
                for h in &line.hours {
                    out.push_str(&format!("{},{},{},{},{},{},{},{}\n", line.model.line, h.hour, h.expected, h.needed, h.service_level, h.scheduled, h.planned, h.shortfall));
                }
            }
        }
    }
    out
}

/// A client's monthly SLA report as CSV: a summary block, then one row per breach.
pub fn client_month_csv(m: &crate::sla::ClientMonth) -> String {
    let mut out = String::from("client,contract,month,time_zone,tickets,reaction_percent,resolution_percent,breaches,downtime_minutes,availability,availability_target,credit_percent,compensation,currency\n");
    out.push_str(&format!(
        "{},{},{},{},{},{},{},{},{},{},{},{},{:.2},{}\n\n",
        field(&m.client),
        field(&m.contract_no),
        m.month,
        field(&m.time_zone),
        m.tickets,
        pct(m.reaction.percent),
        pct(m.resolution.percent),
        m.breaches.len(),
        m.downtime_minutes,
        m.availability,
        m.availability_target,
        m.credit_percent,
        m.compensation,
        field(&m.currency)
    ));
    out.push_str("ticket,timer,priority,line,status,assignee,target_minutes,elapsed_minutes,over_minutes,subject\n");
    for b in &m.breaches {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{}\n",
            field(&b.number),
            if b.timer == crate::sla::TimerKind::Reaction { "reaction" } else { "resolution" },
            b.priority,
            b.line,
            b.status,
            field(b.assignee.as_deref().unwrap_or("")),
            b.clock.target_seconds / 60,
            b.clock.elapsed_seconds / 60,
            -b.clock.left_seconds() / 60,
            field(&b.subject)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_with_commas_and_quotes_are_quoted() {
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("plain"), "plain");
    }

    #[test]
    fn a_period_before_the_history_a_backfill_has_brought_is_said_to_be_incomplete() {
        use crate::store::sync_state;
        use chrono::TimeZone;
        let mut r = Replica::open_in_memory().unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap();
        let mut q = DashboardQuery::new(ChartKind::Load, "Europe/Moscow");
        (q.from, q.to) = (NaiveDate::from_ymd_opt(2026, 11, 20), NaiveDate::from_ymd_opt(2026, 11, 27));
        assert_eq!(incomplete(&r, &q, now).unwrap(), None, "never pulled: whole");
        r.write(|tx| sync_state::history_pending(tx)).unwrap();
        assert_eq!(incomplete(&r, &q, now).unwrap(), Some(Incomplete { whole_from: None }), "nothing of the history yet");
        // The backfill reached tickets registered on the 22nd: the 20th is still to come.
        let reached = Utc.with_ymd_and_hms(2026, 11, 22, 5, 0, 0).unwrap();
        r.write(|tx| sync_state::history_whole_from(tx, Some(reached), false)).unwrap();
        assert_eq!(incomplete(&r, &q, now).unwrap(), Some(Incomplete { whole_from: Some(reached) }));
        // A later page never moves the mark back up.
        r.write(|tx| sync_state::history_whole_from(tx, Some(reached + Duration::days(1)), false)).unwrap();
        assert_eq!(incomplete(&r, &q, now).unwrap(), Some(Incomplete { whole_from: Some(reached) }));
        // A period after the mark is whole; so is every period once the backfill ends.
        q.from = NaiveDate::from_ymd_opt(2026, 11, 23);
        assert_eq!(incomplete(&r, &q, now).unwrap(), None);
        q.from = NaiveDate::from_ymd_opt(2026, 11, 20);
        r.write(|tx| sync_state::history_whole_from(tx, None, true)).unwrap();
        assert_eq!(incomplete(&r, &q, now).unwrap(), None);
    }

    #[test]
    fn every_chart_draws_on_the_demo() {
        let mut r = Replica::open_in_memory().unwrap();
        let now: DateTime<Utc> = "2026-11-28T09:00:00Z".parse().unwrap();
        crate::demo::write_demo(&mut r, &crate::demo::DemoOptions { days: 42, seed: 7, now }).unwrap();
        for kind in [ChartKind::Load, ChartKind::Heatmap, ChartKind::Sla, ChartKind::Staffing] {
            let q = DashboardQuery { stack: Some(Stack::Channel), ..DashboardQuery::new(kind, "Europe/Moscow") };
            let d = data(&r, &q, now).unwrap();
            let text = svg(kind, &d, &Style::default()).unwrap();
            assert!(text.contains("<title>"), "{kind:?} has hover titles");
            let rows = csv(&d).lines().count();
            assert!(rows > 7, "{kind:?} CSV has its rows ({rows})");
        }
    }
}

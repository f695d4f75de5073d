//! `smena chart`: the window's charts drawn to SVG or PNG files, with the data behind them as CSV.

use super::report::{By, StackBy};
use super::{open, CliResult};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use clap::{Args, ValueEnum};
use smena_core::charts::{Language, Style, Theme};
use smena_core::dashboard::{self, ChartKind, DashboardQuery, Export};
use smena_core::input;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Kind {
    Load,
    Heatmap,
    Sla,
    Staffing,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ThemeArg {
    Light,
    Dark,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LangArg {
    En,
    Ru,
}

#[derive(Debug, Args)]
pub struct ChartArgs {
    /// Which chart
    #[arg(value_enum)]
    kind: Kind,
    /// The file to write: FILE.svg or FILE.png
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Also write the data behind the chart as CSV
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    /// Colours
    #[arg(long, value_enum, default_value = "light")]
    theme: ThemeArg,
    /// Language of the labels
    #[arg(long, value_enum, default_value = "en")]
    lang: LangArg,
    /// Width in pixels
    #[arg(long, default_value_t = 960)]
    width: u32,
    /// Height in pixels
    #[arg(long, default_value_t = 420)]
    height: u32,
    /// Load grouping (load chart)
    #[arg(long, value_enum, value_name = "hour|weekday|hour-of-week|day")]
    by: Option<By>,
    /// Stack the load by the client's zone, the channel, the kind or the line
    #[arg(long, value_enum, value_name = "zone|channel|kind|line")]
    stack: Option<StackBy>,
    /// Count in each client's own local time
    #[arg(long)]
    local: bool,
    /// IANA time zone of hours and days
    #[arg(long, default_value = "Europe/Moscow", value_name = "ZONE", value_parser = input::time_zone)]
    tz: Tz,
    /// First day, YYYY-MM-DD (inclusive) [default: 27 days before --to]
    #[arg(long, value_name = "D", value_parser = input::day)]
    from: Option<NaiveDate>,
    /// Last day, YYYY-MM-DD (inclusive) [default: today]; staffing plans the week holding it
    #[arg(long, value_name = "D", value_parser = input::day)]
    to: Option<NaiveDate>,
    /// One client (SLA)
    #[arg(long, value_name = "C")]
    client: Option<String>,
    /// Weeks of history averaged (staffing)
    #[arg(long, value_name = "N")]
    weeks_back: Option<u32>,
    /// The instant running clocks are measured at (RFC 3339) [default: now]
    #[arg(long, value_name = "TIME", value_parser = input::instant)]
    now: Option<DateTime<Utc>>,
}

pub fn run(a: ChartArgs, db: &Path) -> CliResult {
    let replica = open(db)?;
    let kind = match a.kind {
        Kind::Load => ChartKind::Load,
        Kind::Heatmap => ChartKind::Heatmap,
        Kind::Sla => ChartKind::Sla,
        Kind::Staffing => ChartKind::Staffing,
    };
    let q = DashboardQuery {
        kind,
        by: a.by.map(By::bucketing),
        tz: a.tz.name().to_string(),
        from: a.from,
        to: a.to,
        client_local: a.local,
        stack: a.stack.map(StackBy::stack),
        client: a.client,
        weeks_back: a.weeks_back,
    };
    let theme = match a.theme {
        ThemeArg::Light => Theme::Light,
        ThemeArg::Dark => Theme::Dark,
    };
    let lang = match a.lang {
        LangArg::En => Language::En,
        LangArg::Ru => Language::Ru,
    };
    let to = Export { chart: Some(&a.out), csv: a.csv.as_deref() };
    let now = a.now.unwrap_or_else(Utc::now);
    if let Some(gap) = dashboard::incomplete(&replica, &q, now)? {
        eout!("{}", incomplete_warning(&gap, lang));
    }
    dashboard::export(&replica, &q, &Style::sized(theme, lang, a.width, a.height), now, to)?;
    out!("{}", a.out.display());
    Ok(())
}

/// What a chart over a period the history does not hold whole yet is said to miss.
fn incomplete_warning(gap: &dashboard::Incomplete, lang: Language) -> String {
    match (gap.whole_from, lang) {
        (Some(t), Language::En) => {
            format!("warning: the history before {} is still being pulled from the ITSM; the chart counts too few before it", t.format("%Y-%m-%d %H:%M UTC"))
        }
        (Some(t), Language::Ru) => format!("внимание: история до {} ещё загружается из ITSM; до этого момента на графике меньше заявок, чем было", t.format("%Y-%m-%d %H:%M UTC")),
        (None, Language::En) => "warning: the history is still being pulled from the ITSM; the chart counts only the open tickets so far".to_string(),
        (None, Language::Ru) => "внимание: история ещё загружается из ITSM; на графике пока только открытые заявки".to_string(),
    }
}

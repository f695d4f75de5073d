//! Charts drawn with plotters: SVG for the window (with a hover title on every bar and cell)
//! and PNG for export, in a light or dark theme, with Russian or English labels. The text is
//! set in DejaVu Sans, embedded, so Cyrillic renders the same on every machine.

mod labels;

use crate::analytics::load::{BucketKey, Bucketing, LoadReport};
use crate::analytics::staffing::StaffingReport;
use crate::sla::SlaReport;
use labels::{Lang, L};
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Once;

pub use labels::Lang as Language;

/// Light or dark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export_to = "charts.ts")]
pub enum Theme {
    /// Dark text on white.
    Light,
    /// Light text on near-black.
    Dark,
}

/// How a chart is drawn.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Colours.
    pub theme: Theme,
    /// Labels.
    pub lang: Lang,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl Style {
    /// A style of `width` × `height` pixels, kept within what a chart can be drawn at
    /// (320–4000 × 200–3000), whoever asks.
    pub fn sized(theme: Theme, lang: Lang, width: u32, height: u32) -> Style {
        Style { theme, lang, width: width.clamp(320, 4000), height: height.clamp(200, 3000) }
    }
}

impl Default for Style {
    fn default() -> Style {
        Style { theme: Theme::Light, lang: Lang::En, width: 960, height: 420 }
    }
}

/// A chart ready to draw: which one, on which data.
#[derive(Debug, Clone)]
pub enum Chart<'a> {
    /// Tickets per bucket (hour, weekday or day), stacked when the report has series.
    Load(&'a LoadReport),
    /// Hour-of-week heatmap.
    Heatmap(&'a LoadReport),
    /// SLA compliance trend.
    Sla(&'a SlaReport),
    /// Engineers needed vs planned per hour of the week.
    Staffing(&'a StaffingReport),
}

/// A chart that could not be drawn or written.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// Drawing failed.
    #[error("drawing the chart failed: {0}")]
    Draw(String),
    /// The heatmap needs an hour-of-week report.
    #[error("a heatmap needs tickets per hour of week")]
    NotHourOfWeek,
}

struct Palette {
    background: RGBColor,
    text: RGBColor,
    grid: RGBColor,
    series: [RGBColor; 8],
    bad: RGBColor,
}

fn palette(theme: Theme) -> Palette {
    match theme {
        Theme::Light => Palette {
            background: RGBColor(255, 255, 255),
            text: RGBColor(32, 33, 36),
            grid: RGBColor(224, 226, 230),
            series: [
                RGBColor(37, 99, 235),
                RGBColor(234, 138, 30),
                RGBColor(22, 163, 74),
                RGBColor(147, 51, 234),
                RGBColor(14, 165, 233),
                RGBColor(219, 39, 119),
                RGBColor(113, 113, 122),
                RGBColor(202, 138, 4),
            ],
            bad: RGBColor(220, 38, 38),
        },
        Theme::Dark => Palette {
            background: RGBColor(24, 25, 29),
            text: RGBColor(230, 231, 234),
            grid: RGBColor(58, 60, 68),
            series: [
                RGBColor(96, 165, 250),
                RGBColor(251, 176, 64),
                RGBColor(74, 222, 128),
                RGBColor(192, 132, 252),
                RGBColor(56, 189, 248),
                RGBColor(244, 114, 182),
                RGBColor(161, 161, 170),
                RGBColor(250, 204, 21),
            ],
            bad: RGBColor(248, 113, 113),
        },
    }
}

static FONT: Once = Once::new();

fn register_font() {
    FONT.call_once(|| {
        let bytes: &'static [u8] = include_bytes!("../../assets/DejaVuSans.ttf");
        plotters::style::register_font("sans-serif", FontStyle::Normal, bytes).map_err(|_| ()).expect("the embedded font is valid");
    });
}

/// A rectangle of the drawing with the text shown when the pointer rests on it.
struct Hover {
    x0: i32,
    y0: i32,
    x1: i32,
    y1: i32,
    title: String,
}

fn err<E: std::fmt::Display>(e: E) -> ChartError {
    ChartError::Draw(e.to_string())
}

/// Draws the chart as SVG text.
pub fn svg(chart: &Chart<'_>, style: &Style) -> Result<String, ChartError> {
    register_font();
    let mut out = String::new();
    let hovers = {
        let root = SVGBackend::with_string(&mut out, (style.width, style.height)).into_drawing_area();
        let hovers = draw(&root, chart, style)?;
        root.present().map_err(err)?;
        hovers
    };
    let mut layer = String::from("<g class=\"hover\">");
    for h in hovers {
        layer.push_str(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"transparent\"><title>{}</title></rect>",
            h.x0.min(h.x1),
            h.y0.min(h.y1),
            (h.x1 - h.x0).abs().max(1),
            (h.y1 - h.y0).abs().max(1),
            escape(&h.title)
        ));
    }
    layer.push_str("</g></svg>");
    match out.rfind("</svg>") {
        Some(i) => out.replace_range(i.., &layer),
        None => return Err(ChartError::Draw("the SVG backend wrote no closing tag".into())),
    }
    Ok(out)
}

/// Draws the chart as a PNG file.
pub fn png(chart: &Chart<'_>, style: &Style, path: &Path) -> Result<(), ChartError> {
    register_font();
    let root = BitMapBackend::new(path, (style.width, style.height)).into_drawing_area();
    draw(&root, chart, style)?;
    root.present().map_err(err)?;
    Ok(())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, chart: &Chart<'_>, style: &Style) -> Result<Vec<Hover>, ChartError> {
    let p = palette(style.theme);
    root.fill(&p.background).map_err(err)?;
    match chart {
        Chart::Load(r) => draw_load(root, r, style, &p),
        Chart::Heatmap(r) => draw_heatmap(root, r, style, &p),
        Chart::Sla(r) => draw_sla(root, r, style, &p),
        Chart::Staffing(r) => draw_staffing(root, r, style, &p),
    }
}

fn font(size: u32, color: &RGBColor) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(color)
}

fn bucket_label(lang: Lang, by: Bucketing, key: &BucketKey) -> String {
    match (by, key) {
        (_, BucketKey::Hour(h)) => format!("{h:02}"),
        (Bucketing::Weekday, BucketKey::Name(n)) => lang.weekday(n).to_string(),
        (Bucketing::Day, BucketKey::Name(n)) => n.get(5..).unwrap_or(n).to_string(),
        (_, BucketKey::Name(n)) => n.clone(),
    }
}

/// The label of the bar at whole-number `x`, for every `step`th bar (none between bars).
fn every_nth(labels: &[String], step: usize, x: f64) -> String {
    let i = x.round();
    if (x - i).abs() > 0.01 || i < 0.0 || i as usize >= labels.len() || !(i as usize).is_multiple_of(step) {
        String::new()
    } else {
        labels[i as usize].clone()
    }
}

fn draw_load<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &LoadReport, style: &Style, p: &Palette) -> Result<Vec<Hover>, ChartError> {
    let lang = style.lang;
    let n = r.buckets.len().max(1);
    let max = r.buckets.iter().map(|b| b.count).max().unwrap_or(0).max(1) as f64 * 1.1;
    let title = match r.by {
        Bucketing::Hour => lang.t(L::LoadByHour),
        Bucketing::Weekday => lang.t(L::LoadByWeekday),
        Bucketing::HourOfWeek => lang.t(L::LoadByHourOfWeek),
        Bucketing::Day => lang.t(L::LoadByDay),
    };
    let zone = if r.client_local { lang.t(L::ClientsOwnTime).to_string() } else { r.time_zone.clone() };
    let mut chart = ChartBuilder::on(root)
        .caption(format!("{title} · {zone} · {} {}", r.total, lang.t(L::Tickets)), font(18, &p.text))
        .margin(12)
        .x_label_area_size(32)
        .y_label_area_size(52)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..max)
        .map_err(err)?;
    let labels: Vec<String> = r.buckets.iter().map(|b| bucket_label(lang, r.by, &b.key)).collect();
    let step = (n / 24).max(1);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n.min(32))
        .x_label_formatter(&|x| every_nth(&labels, step, *x))
        .y_desc(lang.t(L::Tickets))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .label_style(font(12, &p.text))
        .axis_desc_style(font(13, &p.text))
        .axis_style(p.text)
        .light_line_style(p.background)
        .bold_line_style(p.grid)
        .draw()
        .map_err(err)?;
    let mut hovers = Vec::new();
    let series: Vec<(String, Vec<u64>)> = if r.series.is_empty() {
        vec![(lang.t(L::Tickets).to_string(), r.buckets.iter().map(|b| b.count).collect())]
    } else {
        r.series.iter().map(|s| (lang.series(&s.name), s.counts.clone())).collect()
    };
    let mut base = vec![0u64; n];
    for (k, (name, counts)) in series.iter().enumerate() {
        let color = p.series[k % p.series.len()];
        let rects: Vec<Rectangle<(f64, f64)>> = counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(i, c)| Rectangle::new([(i as f64 - 0.4, base[i] as f64), (i as f64 + 0.4, (base[i] + c) as f64)], color.filled()))
            .collect();
        for (i, c) in counts.iter().enumerate() {
            if *c > 0 {
                let (x0, y0) = chart.backend_coord(&(i as f64 - 0.4, (base[i] + c) as f64));
                let (x1, y1) = chart.backend_coord(&(i as f64 + 0.4, base[i] as f64));
                let what = if series.len() > 1 { format!("{name}: ") } else { String::new() };
                hovers.push(Hover { x0, y0, x1, y1, title: format!("{} — {what}{c}", labels[i]) });
                base[i] += c;
            }
        }
        let anno = chart.draw_series(rects).map_err(err)?;
        if series.len() > 1 {
            anno.label(name.clone()).legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled()));
        }
    }
    if series.len() > 1 {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(p.background.mix(0.9))
            .border_style(p.grid)
            .label_font(font(12, &p.text))
            .draw()
            .map_err(err)?;
    }
    Ok(hovers)
}

fn draw_heatmap<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &LoadReport, style: &Style, p: &Palette) -> Result<Vec<Hover>, ChartError> {
    if r.by != Bucketing::HourOfWeek {
        return Err(ChartError::NotHourOfWeek);
    }
    let lang = style.lang;
    let zone = if r.client_local { lang.t(L::ClientsOwnTime).to_string() } else { r.time_zone.clone() };
    let mut chart = ChartBuilder::on(root)
        .caption(format!("{} · {zone} · {} {}", lang.t(L::Heatmap), r.total, lang.t(L::Tickets)), font(18, &p.text))
        .margin(12)
        .x_label_area_size(32)
        .y_label_area_size(44)
        .build_cartesian_2d(0f64..24f64, -0.5f64..6.5f64)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(24)
        .y_labels(7)
        .x_label_formatter(&|x| format!("{:02}", x.floor() as i64))
        .y_label_formatter(&|y| {
            // Rows are centred on whole numbers, Monday at the top.
            if (y - y.round()).abs() > 0.01 {
                return String::new();
            }
            let day = 6 - (y.round() as i64).clamp(0, 6);
            lang.weekday(["mon", "tue", "wed", "thu", "fri", "sat", "sun"][day as usize]).to_string()
        })
        .x_desc(lang.t(L::HourOfDay))
        .label_style(font(12, &p.text))
        .axis_desc_style(font(13, &p.text))
        .axis_style(p.text)
        .draw()
        .map_err(err)?;
    let max = r.buckets.iter().map(|b| b.count).max().unwrap_or(0).max(1) as f64;
    let hot = p.series[0];
    let mut hovers = Vec::new();
    let mut cells = Vec::new();
    for (i, b) in r.buckets.iter().enumerate() {
        let (day, hour) = ((i / 24) as f64, (i % 24) as f64);
        let share = b.count as f64 / max;
        // Rows top-down from Monday.
        let y = 6.0 - day;
        let color = hot.mix(0.08 + 0.92 * share);
        cells.push(Rectangle::new([(hour, y - 0.5), (hour + 1.0, y + 0.5)], color.filled()));
        let (x0, y0) = chart.backend_coord(&(hour, y + 0.5));
        let (x1, y1) = chart.backend_coord(&(hour + 1.0, y - 0.5));
        let name = lang.weekday(["mon", "tue", "wed", "thu", "fri", "sat", "sun"][i / 24]);
        hovers.push(Hover { x0, y0, x1, y1, title: format!("{name} {:02}:00 — {} {}", i % 24, b.count, lang.t(L::Tickets)) });
    }
    chart.draw_series(cells).map_err(err)?;
    Ok(hovers)
}

fn draw_sla<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &SlaReport, style: &Style, p: &Palette) -> Result<Vec<Hover>, ChartError> {
    let lang = style.lang;
    let n = r.trend.len().max(1);
    let mut chart = ChartBuilder::on(root)
        .caption(format!("{} · {} — {}", lang.t(L::SlaCompliance), r.from, r.to), font(18, &p.text))
        .margin(12)
        .x_label_area_size(32)
        .y_label_area_size(52)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..105f64)
        .map_err(err)?;
    let labels: Vec<String> = r.trend.iter().map(|g| g.key.get(5..).unwrap_or(&g.key).to_string()).collect();
    let step = n.div_ceil(14).max(1);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n.min(32))
        .x_label_formatter(&|x| every_nth(&labels, step, *x))
        .y_label_formatter(&|y| format!("{y:.0} %"))
        .label_style(font(12, &p.text))
        .axis_style(p.text)
        .light_line_style(p.background)
        .bold_line_style(p.grid)
        .draw()
        .map_err(err)?;
    let mut hovers = Vec::new();
    let lines = [(lang.t(L::Reaction), 0usize), (lang.t(L::Resolution), 1usize)];
    for (name, k) in lines {
        let color = p.series[k];
        let points: Vec<(f64, f64)> =
            r.trend.iter().enumerate().filter_map(|(i, g)| if k == 0 { g.reaction.percent } else { g.resolution.percent }.map(|v| (i as f64, v))).collect();
        for (x, y) in &points {
            let (cx, cy) = chart.backend_coord(&(*x, *y));
            let g = &r.trend[*x as usize];
            let c = if k == 0 { &g.reaction } else { &g.resolution };
            hovers.push(Hover {
                x0: cx - 5,
                y0: cy - 5,
                x1: cx + 5,
                y1: cy + 5,
                title: format!("{} — {name}: {y:.1} % ({} {}, {} {})", g.key, c.met, lang.t(L::Met), c.breached, lang.t(L::Breached)),
            });
        }
        chart
            .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))
            .map_err(err)?
            .label(name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], color.stroke_width(2)));
        chart.draw_series(points.iter().map(|pt| Circle::new(*pt, 3, color.filled()))).map_err(err)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerLeft)
        .background_style(p.background.mix(0.9))
        .border_style(p.grid)
        .label_font(font(12, &p.text))
        .draw()
        .map_err(err)?;
    Ok(hovers)
}

fn draw_staffing<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &StaffingReport, style: &Style, p: &Palette) -> Result<Vec<Hover>, ChartError> {
    let lang = style.lang;
    let (title, body) = root.split_vertically(34);
    title.draw(&Text::new(format!("{} · {} · {}", lang.t(L::StaffingVsLoad), r.week, r.time_zone), (12, 8), font(18, &p.text))).map_err(err)?;
    let panels = body.split_evenly((r.lines.len().max(1), 1));
    let mut hovers = Vec::new();
    for (line, area) in r.lines.iter().zip(panels.iter()) {
        let max = line.hours.iter().map(|h| h.scheduled.max(h.planned)).max().unwrap_or(1).max(1) as f64 + 1.0;
        let mut chart = ChartBuilder::on(area)
            .caption(format!("{} {}", lang.t(L::Line), line.model.line), font(14, &p.text))
            .margin(8)
            .x_label_area_size(26)
            .y_label_area_size(40)
            .build_cartesian_2d(0f64..168f64, 0f64..max)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(8)
            .x_label_formatter(&|x| {
                let d = (x / 24.0).floor() as usize;
                ["mon", "tue", "wed", "thu", "fri", "sat", "sun", "mon"].get(d).map(|k| lang.weekday(k).to_string()).unwrap_or_default()
            })
            .y_desc(lang.t(L::Engineers))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .label_style(font(11, &p.text))
            .axis_desc_style(font(12, &p.text))
            .axis_style(p.text)
            .light_line_style(p.background)
            .bold_line_style(p.grid)
            .draw()
            .map_err(err)?;
        let blue = p.series[0];
        let bad = p.bad;
        chart
            .draw_series(line.hours.iter().enumerate().map(|(i, h)| {
                let color = if h.shortfall > 0 { bad } else { blue };
                Rectangle::new([(i as f64 + 0.1, 0.0), (i as f64 + 0.9, f64::from(h.scheduled))], color.mix(0.85).filled())
            }))
            .map_err(err)?
            .label(lang.t(L::Needed))
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], blue.filled()));
        let text = p.text;
        chart
            .draw_series(LineSeries::new(
                line.hours.iter().enumerate().flat_map(|(i, h)| [(i as f64, f64::from(h.planned)), (i as f64 + 1.0, f64::from(h.planned))]),
                text.stroke_width(2),
            ))
            .map_err(err)?
            .label(lang.t(L::Planned))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], text.stroke_width(2)));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(p.background.mix(0.9))
            .border_style(p.grid)
            .label_font(font(11, &p.text))
            .draw()
            .map_err(err)?;
        for (i, h) in line.hours.iter().enumerate() {
            let (x0, y0) = chart.backend_coord(&(i as f64, max));
            let (x1, y1) = chart.backend_coord(&(i as f64 + 1.0, 0.0));
            let (day, hour) = h.hour.split_once('-').unwrap_or((&h.hour, ""));
            hovers.push(Hover {
                x0,
                y0,
                x1,
                y1,
                title: format!(
                    "{} {hour}:00 — {}: {:.1}; {}: {}; {}: {}; {}: {}{}",
                    lang.weekday(day),
                    lang.t(L::Expected),
                    h.expected,
                    lang.t(L::Needed),
                    h.needed,
                    lang.t(L::Scheduled),
                    h.scheduled,
                    lang.t(L::Planned),
                    h.planned,
                    if h.shortfall > 0 { format!("; {}: {}", lang.t(L::Shortfall), h.shortfall) } else { String::new() }
                ),
            });
        }
    }
    Ok(hovers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::load::{Bucket, Series};

    fn report() -> LoadReport {
        LoadReport {
            by: Bucketing::Hour,
            time_zone: "Europe/Moscow".into(),
            from: None,
            to: None,
            client_local: false,
            stack: Some(crate::analytics::Stack::Channel),
            total: 7,
            buckets: (0..24).map(|h| Bucket { key: BucketKey::Hour(h), count: if h == 9 { 7 } else { 0 } }).collect(),
            series: vec![
                Series { name: "email".into(), counts: (0..24).map(|h| if h == 9 { 4 } else { 0 }).collect() },
                Series { name: "<img src=x onerror=alert(1)>".into(), counts: (0..24).map(|h| if h == 9 { 3 } else { 0 }).collect() },
            ],
            weeks: vec![],
        }
    }

    #[test]
    fn an_svg_chart_has_a_hover_title_per_bar_and_keeps_names_as_text() {
        let svg = svg(&Chart::Load(&report()), &Style { lang: Lang::Ru, ..Style::default() }).unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</g></svg>"));
        assert!(svg.contains("<title>09 — Эл. почта: 4</title>"), "{}", &svg[svg.len().saturating_sub(600)..]);
        assert!(svg.contains("<title>09 — &lt;img src=x onerror=alert(1)&gt;: 3</title>"));
        assert!(!svg.contains("<img"), "a series name became markup");
        assert!(svg.contains("Нагрузка по часам"));
    }

    #[test]
    fn dark_and_light_differ_and_a_png_is_written() {
        let light = svg(&Chart::Load(&report()), &Style::default()).unwrap();
        let dark = svg(&Chart::Load(&report()), &Style { theme: Theme::Dark, ..Style::default() }).unwrap();
        assert!(light.contains("#FFFFFF") && dark.contains("#18191D"), "background colours");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("load.png");
        png(&Chart::Load(&report()), &Style::default(), &path).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    }

    #[test]
    fn a_heatmap_needs_hours_of_the_week() {
        assert!(matches!(svg(&Chart::Heatmap(&report()), &Style::default()), Err(ChartError::NotHourOfWeek)));
    }
}

//! The analytics as SVG charts (`kiosk report --charts DIR`): the same bars the manager sees on
//! the kiosk, as files a buyer can open in a browser or paste into a slide.

use std::path::{Path, PathBuf};

use plotters::prelude::*;

use super::{Analytics, size_label};

/// The English words for the category keys of the funnel and outcome charts (the kiosk shows
/// them in the shopper's language from `bar-KEY` texts; the SVG files are in English).
pub fn english_label(key: &str) -> &str {
    match key {
        "scanned" => "scanned",
        "sized" => "chose a size",
        "converted" => "ordered / asked",
        "in_store" => "in store",
        "dropship" => "dropship",
        "associate" => "associate called",
        "walked_away" => "walked away",
        "read_failed" => "failed reads",
        other => other,
    }
}

/// One bar chart: a title, labelled bars, a colour.
#[derive(Debug, Clone)]
pub struct Bars {
    pub file: &'static str,
    pub title: String,
    pub bars: Vec<(String, u64)>,
    pub color: (u8, u8, u8),
    /// Bars across, labels on the left: for long labels (style names).
    pub horizontal: bool,
}

const BLUE: (u8, u8, u8) = (0x1f, 0x4e, 0x9c);
const GREEN: (u8, u8, u8) = (0x1b, 0x7a, 0x3d);
const ORANGE: (u8, u8, u8) = (0xb3, 0x4d, 0x00);

/// The charts of the manager's analytics, in the order the dashboard shows them.
pub fn bar_sets(a: &Analytics) -> Vec<Bars> {
    let (from, to) = &a.period;
    let days = a
        .scans_per_day
        .iter()
        .map(|(d, n)| (d.strftime("%d/%m").to_string(), *n))
        .collect();
    let hours = a
        .scans_per_hour
        .iter()
        .enumerate()
        .map(|(h, n)| (format!("{h:02}"), *n))
        .collect();
    let f = a.funnel;
    let o = a.outcomes;
    vec![
        Bars {
            file: "scans_per_day",
            title: format!("Scans per day, {from} to {to}"),
            bars: days,
            color: BLUE,
            horizontal: false,
        },
        Bars {
            file: "scans_per_hour",
            title: "Scans by hour of the day".into(),
            bars: hours,
            color: BLUE,
            horizontal: false,
        },
        Bars {
            file: "funnel",
            title: "Shoppers: scanned, chose a size, ordered or asked for it".into(),
            bars: vec![
                ("scanned".into(), f.scanned),
                ("sized".into(), f.sized),
                ("converted".into(), f.converted),
            ],
            color: GREEN,
            horizontal: false,
        },
        Bars {
            file: "outcomes",
            title: "How visits ended".into(),
            bars: vec![
                ("in_store".into(), o.in_store),
                ("dropship".into(), o.dropship),
                ("associate".into(), o.associate),
                ("walked_away".into(), o.walked_away),
                ("read_failed".into(), a.read_failures),
            ],
            color: GREEN,
            horizontal: false,
        },
        Bars {
            file: "lost_by_style",
            title: "Lost sales: sizes asked for but not in store, by style (top 12)".into(),
            bars: a
                .lost_by_style
                .iter()
                .take(12)
                .map(|s| (s.name.clone(), s.count))
                .collect(),
            color: ORANGE,
            horizontal: true,
        },
        Bars {
            file: "lost_by_size",
            title: "Lost sales by size".into(),
            bars: a
                .lost_by_size
                .iter()
                .map(|(mm, n)| (size_label(*mm), *n))
                .collect(),
            color: ORANGE,
            horizontal: false,
        },
    ]
}

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("cannot draw chart {file}: {message}")]
    Draw { file: String, message: String },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Draws one bar chart as SVG text.
pub fn svg(chart: &Bars) -> Result<String, ChartError> {
    let mut out = String::new();
    draw(chart, SVGBackend::with_string(&mut out, (1200, 600))).map_err(|message| {
        ChartError::Draw {
            file: chart.file.to_owned(),
            message,
        }
    })?;
    Ok(out)
}

fn draw(chart: &Bars, backend: SVGBackend) -> Result<(), String> {
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    // `into_segmented` has one segment per value of the range, ends included.
    let last = chart.bars.len().max(1) as u32 - 1;
    let n = last + 1;
    let top = chart.bars.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let values = 0u64..top + top / 10 + 1;
    let labels: Vec<&str> = chart.bars.iter().map(|(l, _)| english_label(l)).collect();
    let label = |x: &SegmentValue<u32>| match x {
        SegmentValue::CenterOf(i) => labels.get(*i as usize).copied().unwrap_or("").to_owned(),
        _ => String::new(),
    };
    let (r, g, b) = chart.color;
    let fill = RGBColor(r, g, b).filled();
    let mut builder = ChartBuilder::on(&root);
    builder
        .caption(&chart.title, ("sans-serif", 28))
        .margin(20)
        .x_label_area_size(50);
    if chart.horizontal {
        let mut grid = builder
            .y_label_area_size(340)
            .build_cartesian_2d(values, (0u32..last).into_segmented())
            .map_err(|e| e.to_string())?;
        grid.configure_mesh()
            .disable_y_mesh()
            .light_line_style(TRANSPARENT)
            .y_labels(n as usize)
            .y_label_style(("sans-serif", 18))
            .y_label_formatter(&label)
            .x_label_style(("sans-serif", 16))
            .draw()
            .map_err(|e| e.to_string())?;
        grid.draw_series(chart.bars.iter().enumerate().map(|(i, (_, v))| {
            let i = i as u32;
            let mut bar = Rectangle::new(
                [
                    (0, SegmentValue::Exact(i)),
                    (*v, SegmentValue::Exact(i + 1)),
                ],
                fill,
            );
            bar.set_margin(3, 3, 0, 0);
            bar
        }))
        .map_err(|e| e.to_string())?;
    } else {
        // Long series (days of a year) get every k-th label, never overlapping ones.
        let label_size = if n > 8 { 15 } else { 18 };
        let mut grid = builder
            .y_label_area_size(70)
            .build_cartesian_2d((0u32..last).into_segmented(), values)
            .map_err(|e| e.to_string())?;
        grid.configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .x_labels((n as usize).min(16))
            .x_label_style(("sans-serif", label_size))
            .x_label_formatter(&label)
            .y_label_style(("sans-serif", 16))
            .draw()
            .map_err(|e| e.to_string())?;
        grid.draw_series(chart.bars.iter().enumerate().map(|(i, (_, v))| {
            let i = i as u32;
            let mut bar = Rectangle::new(
                [
                    (SegmentValue::Exact(i), 0),
                    (SegmentValue::Exact(i + 1), *v),
                ],
                fill,
            );
            bar.set_margin(0, 0, 4, 4);
            bar
        }))
        .map_err(|e| e.to_string())?;
    }
    root.present().map_err(|e| e.to_string())
}

/// Writes every chart as `DIR/NAME.svg`; returns the paths written.
pub fn write_all(a: &Analytics, dir: &Path) -> Result<Vec<PathBuf>, ChartError> {
    std::fs::create_dir_all(dir).map_err(|source| ChartError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut written = Vec::new();
    for chart in bar_sets(a) {
        let path = dir.join(format!("{}.svg", chart.file));
        std::fs::write(&path, svg(&chart)?).map_err(|source| ChartError::Write {
            path: path.clone(),
            source,
        })?;
        written.push(path);
    }
    Ok(written)
}

//! The analytics as SVG charts (`kiosk report --charts DIR`): the same bars the manager sees on
//! the kiosk, as files a buyer can open in a browser or paste into a slide.

use std::path::{Path, PathBuf};

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

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
        "to_store" => "to this store",
        "reserved_elsewhere" => "reserved in another store",
        "back_in_stock" => "e-mail when back",
        "associate" => "associate called",
        "walked_away" => "walked away",
        "read_failed" => "failed reads",
        "no_end" => "no end recorded yet",
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
    /// Bars across, labels on the left: for long labels (style names, outcomes).
    pub horizontal: bool,
    /// What a reader needs to trust the numbers, under the chart.
    pub note: Option<Note>,
}

/// A chart's footnote, as data: the kiosk words it in the manager's language, the files in
/// English ([`Note::english`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    /// How the visits that scanned a shoe ended: the bars add up to `visits`; `more_than_one`
    /// visits ended two ways (counted in both). Calling an associate and failed reads are not
    /// endings and are counted apart.
    Outcomes {
        visits: u64,
        more_than_one: u64,
        associate: u64,
        read_failed: u64,
        /// Visits that ended on a style offered instead of a size nobody had.
        saved_by_substitute: u64,
    },
}

impl Note {
    pub fn english(&self) -> String {
        match *self {
            Note::Outcomes {
                visits,
                more_than_one,
                associate,
                read_failed,
                saved_by_substitute,
            } => {
                let mut words = format!(
                    "{visits} visits scanned a shoe; the bars add up to them. Also: an associate \
                     was called {associate} times; {read_failed} failed reads (not visits)."
                );
                if saved_by_substitute > 0 {
                    words.push_str(&format!(
                        " {saved_by_substitute} sales were saved by a substitute in the \
                         shopper's size."
                    ));
                }
                if more_than_one > 0 {
                    words.push_str(&format!(
                        " {more_than_one} visits ended two ways and count in both."
                    ));
                }
                words
            }
        }
    }
}

const BLUE: (u8, u8, u8) = (0x1f, 0x4e, 0x9c);
const GREEN: (u8, u8, u8) = (0x1b, 0x7a, 0x3d);
const ORANGE: (u8, u8, u8) = (0xb3, 0x4d, 0x00);

/// The step of the scans-over-time chart: one bar a day for a month, a week for a season, a
/// month beyond (a year is 12–13 bars, not 365 slivers).
fn scans_over_time(a: &Analytics) -> (&'static str, String, Vec<(String, u64)>) {
    let (from, to) = &a.period;
    let days = a.scans_per_day.len();
    if days <= 31 {
        let bars = a
            .scans_per_day
            .iter()
            .map(|(d, n)| (d.strftime("%d/%m").to_string(), *n))
            .collect();
        return (
            "scans_per_day",
            format!("Scans per day, {from} to {to}"),
            bars,
        );
    }
    let mut bars: Vec<(String, u64)> = Vec::new();
    let mut last_key = None;
    for (d, n) in &a.scans_per_day {
        let (key, label) = if days <= 120 {
            // Weeks start on Monday; a bar is labelled with its first day in the period.
            let monday = d
                .checked_sub(jiff::Span::new().days(i64::from(d.weekday().to_monday_zero_offset())))
                .unwrap_or(*d);
            (monday.to_string(), d.strftime("%d/%m").to_string())
        } else {
            let month = d.strftime("%Y-%m").to_string();
            (month.clone(), month)
        };
        if last_key.as_ref() != Some(&key) {
            bars.push((label, 0));
            last_key = Some(key);
        }
        if let Some(bar) = bars.last_mut() {
            bar.1 += n;
        }
    }
    if days <= 120 {
        (
            "scans_per_week",
            format!("Scans per week (from Monday), {from} to {to}"),
            bars,
        )
    } else {
        (
            "scans_per_month",
            format!("Scans per month, {from} to {to}"),
            bars,
        )
    }
}

/// Styles the lost-sales chart shows (the reorder list has them all).
pub const TOP_STYLES: usize = 10;

/// The charts of the manager's analytics, in the order the dashboard shows them.
pub fn bar_sets(a: &Analytics) -> Vec<Bars> {
    let (time_file, time_title, time_bars) = scans_over_time(a);
    let hours = a
        .scans_per_hour
        .iter()
        .enumerate()
        .map(|(h, n)| (format!("{h:02}"), *n))
        .collect();
    let f = a.funnel;
    let o = a.outcomes;
    // Visits end in the stockroom, shipped, held in another store, or walked away; what the
    // events do not cover is said, never silently dropped.
    let ended = o.in_store
        + o.dropship
        + o.to_store
        + o.reserved_elsewhere
        + o.back_in_stock
        + o.walked_away;
    let mut outcomes = vec![
        ("in_store".to_owned(), o.in_store),
        ("dropship".to_owned(), o.dropship),
        ("to_store".to_owned(), o.to_store),
        ("reserved_elsewhere".to_owned(), o.reserved_elsewhere),
        ("back_in_stock".to_owned(), o.back_in_stock),
        ("walked_away".to_owned(), o.walked_away),
    ];
    if f.scanned > ended {
        outcomes.push(("no_end".to_owned(), f.scanned - ended));
    }
    vec![
        Bars {
            file: time_file,
            title: time_title,
            bars: time_bars,
            color: BLUE,
            horizontal: false,
            note: None,
        },
        Bars {
            file: "scans_per_hour",
            title: "Scans by hour of the day".into(),
            bars: hours,
            color: BLUE,
            horizontal: false,
            note: None,
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
            horizontal: true,
            note: None,
        },
        Bars {
            file: "outcomes",
            title: "How visits ended".into(),
            bars: outcomes,
            color: GREEN,
            horizontal: true,
            note: Some(Note::Outcomes {
                visits: f.scanned,
                more_than_one: ended.saturating_sub(f.scanned),
                associate: o.associate,
                read_failed: a.read_failures,
                saved_by_substitute: o.saved_by_substitute,
            }),
        },
        Bars {
            file: "lost_by_style",
            title: format!(
                "Lost sales: sizes asked for but not in store, by style (top {TOP_STYLES})"
            ),
            bars: a
                .lost_by_style
                .iter()
                .take(TOP_STYLES)
                .map(|s| (s.name.clone(), s.count))
                .collect(),
            color: ORANGE,
            horizontal: true,
            note: None,
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
            note: None,
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
    draw(chart, SVGBackend::with_string(&mut out, (WIDTH, HEIGHT))).map_err(|message| {
        ChartError::Draw {
            file: chart.file.to_owned(),
            message,
        }
    })?;
    Ok(out)
}

const WIDTH: u32 = 1200;
const HEIGHT: u32 = 600;
/// Room under the chart for its note.
const NOTE_HEIGHT: u32 = 60;

/// The font the PNGs are drawn with, whatever the machine has installed.
static FONT: &[u8] = include_bytes!("../../../assets/fonts/FiraSans-Regular.ttf");

/// Renders a chart's SVG to PNG with the embedded font: a picture that opens, prints and
/// mails everywhere (ImageMagick's own SVG reader draws the text-bearing SVGs blank).
pub fn png(chart: &Bars, svg: &str) -> Result<Vec<u8>, ChartError> {
    use resvg::{tiny_skia, usvg};
    let failed = |message: String| ChartError::Draw {
        file: chart.file.to_owned(),
        message,
    };
    let mut options = usvg::Options::default();
    options.fontdb_mut().load_font_data(FONT.to_vec());
    options.fontdb_mut().set_sans_serif_family("Fira Sans");
    options.font_family = "Fira Sans".into();
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| failed(e.to_string()))?;
    let size = tree.size().to_int_size();
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| failed(format!("no room for a {size:?} picture")))?;
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| failed(e.to_string()))
}

fn draw(chart: &Bars, backend: SVGBackend) -> Result<(), String> {
    let e = |e: &dyn std::fmt::Display| e.to_string();
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(|x| e(&x))?;
    let area = match chart.note {
        Some(note) => {
            let (upper, lower) = root.split_vertically(HEIGHT - NOTE_HEIGHT);
            lower
                .draw(&Text::new(
                    note.english(),
                    (24, 10),
                    ("sans-serif", 17)
                        .into_font()
                        .color(&RGBColor(0x44, 0x44, 0x44)),
                ))
                .map_err(|x| e(&x))?;
            upper
        }
        None => root.clone(),
    };
    // `into_segmented` has one segment per value of the range, ends included.
    let last = chart.bars.len().max(1) as u32 - 1;
    let n = last + 1;
    let top = chart.bars.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    // Room past the longest bar for its value.
    let values = 0u64..top + top / 8 + 1;
    let labels: Vec<&str> = chart.bars.iter().map(|(l, _)| english_label(l)).collect();
    // Across, the first bar goes on top: plotters counts rows from the bottom.
    let slot = |i: u32| if chart.horizontal { last - i } else { i };
    let label = |x: &SegmentValue<u32>| match x {
        SegmentValue::CenterOf(i) => labels
            .get(slot(*i) as usize)
            .copied()
            .unwrap_or("")
            .to_owned(),
        _ => String::new(),
    };
    let (r, g, b) = chart.color;
    let fill = RGBColor(r, g, b).filled();
    let value_style = ("sans-serif", 17).into_font().color(&BLACK);
    let mut builder = ChartBuilder::on(&area);
    builder
        .caption(&chart.title, ("sans-serif", 28))
        .margin(20)
        .x_label_area_size(50);
    if chart.horizontal {
        // The names' column is as wide as the longest name (never cut), within reason.
        let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0) as u32;
        let names = (longest * 10 + 24).clamp(120, 560);
        let mut grid = builder
            .y_label_area_size(names)
            .build_cartesian_2d(values, (0u32..last).into_segmented())
            .map_err(|x| e(&x))?;
        grid.configure_mesh()
            .disable_y_mesh()
            .light_line_style(TRANSPARENT)
            .y_labels(n as usize)
            .y_label_style(("sans-serif", 18))
            .y_label_formatter(&label)
            .x_label_style(("sans-serif", 16))
            .draw()
            .map_err(|x| e(&x))?;
        // A bar of 0 is no rectangle (a 0-wide one is invalid SVG); its value still shows.
        let drawn = chart.bars.iter().enumerate().filter(|(_, (_, v))| *v > 0);
        grid.draw_series(drawn.map(|(i, (_, v))| {
            let i = slot(i as u32);
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
        .map_err(|x| e(&x))?;
        // Each bar's value at its end.
        grid.draw_series(chart.bars.iter().enumerate().map(|(i, (_, v))| {
            Text::new(
                format!(" {v}"),
                (*v, SegmentValue::CenterOf(slot(i as u32))),
                value_style.clone().pos(Pos::new(HPos::Left, VPos::Center)),
            )
        }))
        .map_err(|x| e(&x))?;
    } else {
        // Long series get every k-th label, never overlapping ones.
        let label_size = if n > 8 { 15 } else { 18 };
        let mut grid = builder
            .y_label_area_size(70)
            .build_cartesian_2d((0u32..last).into_segmented(), values)
            .map_err(|x| e(&x))?;
        grid.configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .x_labels((n as usize).min(16))
            .x_label_style(("sans-serif", label_size))
            .x_label_formatter(&label)
            .y_label_style(("sans-serif", 16))
            .draw()
            .map_err(|x| e(&x))?;
        let drawn = chart.bars.iter().enumerate().filter(|(_, (_, v))| *v > 0);
        grid.draw_series(drawn.map(|(i, (_, v))| {
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
        .map_err(|x| e(&x))?;
        // Values over the bars while they fit; the y axis carries the scale beyond.
        if n <= 16 {
            grid.draw_series(chart.bars.iter().enumerate().map(|(i, (_, v))| {
                Text::new(
                    v.to_string(),
                    (SegmentValue::CenterOf(i as u32), *v),
                    value_style
                        .clone()
                        .pos(Pos::new(HPos::Center, VPos::Bottom)),
                )
            }))
            .map_err(|x| e(&x))?;
        }
    }
    root.present().map_err(|x| e(&x))
}

/// Writes every chart as `DIR/NAME.svg` and `DIR/NAME.png`; returns the paths written.
pub fn write_all(a: &Analytics, dir: &Path) -> Result<Vec<PathBuf>, ChartError> {
    std::fs::create_dir_all(dir).map_err(|source| ChartError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut written = Vec::new();
    for chart in bar_sets(a) {
        let svg_text = svg(&chart)?;
        let png_bytes = png(&chart, &svg_text)?;
        for (ext, bytes) in [("svg", svg_text.as_bytes()), ("png", png_bytes.as_slice())] {
            let path = dir.join(format!("{}.{ext}", chart.file));
            std::fs::write(&path, bytes).map_err(|source| ChartError::Write {
                path: path.clone(),
                source,
            })?;
            written.push(path);
        }
    }
    Ok(written)
}

//! Bar charts drawn on an iced canvas: the manager's analytics on the kiosk itself, from the
//! same [`Bars`] that `kiosk report --charts` writes as SVG. All charts of the page share one
//! canvas: with several canvases on screen, iced's software renderer (tiny-skia 0.14, what
//! kiosks without a GPU use) drew the bars of only one of them.

use iced::widget::canvas::{self, Frame, Geometry, Path, Text};
use iced::{Color, Pixels, Point, Rectangle, Renderer, Size, Theme, Vector, alignment, mouse};

use crate::domain::analytics::charts::Bars;
use crate::ui::theme::Palette;

pub struct BarChart {
    pub bars: Vec<(String, u64)>,
    pub color: Color,
    pub horizontal: bool,
    pub palette: Palette,
    /// What a reader needs to trust the numbers (in the manager's language), under the bars.
    pub note: Option<String>,
}

impl BarChart {
    pub fn new(
        set: &Bars,
        label: impl Fn(&str) -> String,
        note: Option<String>,
        palette: Palette,
    ) -> Self {
        let (r, g, b) = set.color;
        Self {
            bars: set.bars.iter().map(|(l, n)| (label(l), *n)).collect(),
            color: Color::from_rgb8(r, g, b),
            horizontal: set.horizontal,
            palette,
            note,
        }
    }
}

const LABEL: f32 = 18.0;
const TITLE: f32 = 22.0;
const GAP: f32 = 16.0;
const PAD: f32 = 16.0;

/// Titled charts in a grid of `columns`, on one canvas, drawn once into `cache` and redrawn
/// only when what they show changes (see [`ChartGrid::keep_or_clear`]) or the canvas's size
/// does: the clock's tick redraws the screen, not the charts.
pub struct ChartGrid<'a> {
    pub charts: Vec<(String, BarChart)>,
    pub columns: usize,
    pub palette: Palette,
    pub cache: &'a ChartCache,
}

/// The drawn charts of a tab, and what they were drawn from.
#[derive(Default)]
pub struct ChartCache {
    geometry: canvas::Cache,
    drawn_from: std::cell::Cell<u64>,
}

impl ChartGrid<'_> {
    /// Empties the cache when the charts differ from the ones it holds (other data, period,
    /// language, palette or layout).
    pub fn keep_or_clear(self) -> Self {
        let key = self.fingerprint();
        if self.cache.drawn_from.replace(key) != key {
            self.cache.geometry.clear();
        }
        self
    }

    fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        let color = |c: Color, h: &mut std::collections::hash_map::DefaultHasher| {
            for v in [c.r, c.g, c.b, c.a] {
                v.to_bits().hash(h);
            }
        };
        self.columns.hash(&mut h);
        for c in [
            self.palette.surface,
            self.palette.border,
            self.palette.text,
            self.palette.muted,
        ] {
            color(c, &mut h);
        }
        for (title, chart) in &self.charts {
            title.hash(&mut h);
            chart.bars.hash(&mut h);
            chart.horizontal.hash(&mut h);
            chart.note.hash(&mut h);
            color(chart.color, &mut h);
        }
        h.finish()
    }
}

impl<Message> canvas::Program<Message> for ChartGrid<'_> {
    type State = ();

    fn draw(
        &self,
        _state: &(),
        renderer: &Renderer,
        _theme: &Theme,
        bounds: Rectangle,
        _cursor: mouse::Cursor,
    ) -> Vec<Geometry> {
        vec![
            self.cache
                .geometry
                .draw(renderer, bounds.size(), |frame| self.paint(frame, bounds)),
        ]
    }
}

impl ChartGrid<'_> {
    fn paint(&self, frame: &mut Frame, bounds: Rectangle) {
        let columns = self.columns.max(1);
        let rows = self.charts.len().div_ceil(columns).max(1);
        let cell = Size::new(
            (bounds.width - GAP * (columns - 1) as f32) / columns as f32,
            (bounds.height - GAP * (rows - 1) as f32) / rows as f32,
        );
        for (i, (title, chart)) in self.charts.iter().enumerate() {
            let origin = Point::new(
                (i % columns) as f32 * (cell.width + GAP),
                (i / columns) as f32 * (cell.height + GAP),
            );
            let card = Path::rounded_rectangle(origin, cell, crate::ui::theme::RADIUS.into());
            frame.fill(&card, self.palette.surface);
            frame.stroke(
                &card,
                canvas::Stroke::default()
                    .with_color(self.palette.border)
                    .with_width(1.0),
            );
            frame.fill_text(Text {
                content: title.clone(),
                position: Point::new(origin.x + PAD, origin.y + PAD),
                color: self.palette.text,
                size: Pixels(TITLE),
                ..Text::default()
            });
            let inner = Size::new(
                cell.width - 2.0 * PAD,
                cell.height - 2.0 * PAD - TITLE - 12.0,
            );
            frame.with_save(|frame| {
                frame.translate(Vector::new(origin.x + PAD, origin.y + PAD + TITLE + 12.0));
                chart.paint(frame, inner);
            });
        }
    }
}

impl BarChart {
    /// Draws the chart into `frame` over (0, 0)-`bounds`.
    fn paint(&self, frame: &mut Frame, bounds: Size) {
        let mut bounds = bounds;
        if let Some(note) = &self.note {
            // The note's two lines at the foot of the card; the bars get the rest.
            bounds.height -= NOTE;
            frame.fill_text(Text {
                content: note.clone(),
                position: Point::new(0.0, bounds.height + 6.0),
                max_width: bounds.width,
                color: self.palette.muted,
                size: Pixels(SMALL),
                ..Text::default()
            });
        }
        let top = self.bars.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
        let n = self.bars.len().max(1) as f32;
        let text = |content: String, at: Point, h: alignment::Horizontal| Text {
            content,
            position: at,
            color: self.palette.text,
            size: Pixels(LABEL),
            align_x: h.into(),
            align_y: alignment::Vertical::Center,
            ..Text::default()
        };
        if self.horizontal {
            // Names on the left (wrapped, never cut), bars to the right, values at the ends.
            let names = bounds.width * 0.42;
            let room = bounds.width - names - 70.0;
            let step = bounds.height / n;
            let top = top as f32;
            // One size for every name of the chart: smaller (and wrapped) when one is too long.
            let name_size = if self
                .bars
                .iter()
                .any(|(l, _)| text_width(l, LABEL) > names - 12.0)
            {
                SMALL
            } else {
                LABEL
            };
            for (i, (label, value)) in self.bars.iter().enumerate() {
                let y = i as f32 * step;
                let w = room * (*value as f32 / top);
                if *value > 0 {
                    frame.fill(
                        &Path::rectangle(
                            Point::new(names, y + step * 0.15),
                            Size::new(w.max(1.0), step * 0.7),
                        ),
                        self.color,
                    );
                }
                let mid = y + step / 2.0;
                frame.fill_text(Text {
                    max_width: names - 12.0,
                    size: Pixels(name_size),
                    ..text(
                        label.clone(),
                        Point::new(names - 8.0, mid),
                        alignment::Horizontal::Right,
                    )
                });
                frame.fill_text(text(
                    value.to_string(),
                    Point::new(names + w + 6.0, mid),
                    alignment::Horizontal::Left,
                ));
            }
        } else {
            // A value axis on the left with light lines at round numbers; bars up from a
            // baseline; labels under them, thinned out so that no two overlap.
            let (step_value, axis_top) = axis(top);
            let axis_width = text_width(&axis_top.to_string(), LABEL) + 12.0;
            let base = bounds.height - 26.0;
            let room = base - 22.0;
            let plot = bounds.width - axis_width;
            let scale = |v: u64| room * (v as f32 / axis_top as f32);
            let mut tick = 0;
            while tick <= axis_top {
                let y = base - scale(tick);
                frame.fill(
                    &Path::rectangle(Point::new(axis_width, y), Size::new(plot, 1.0)),
                    self.palette.border,
                );
                frame.fill_text(text(
                    tick.to_string(),
                    Point::new(axis_width - 8.0, y),
                    alignment::Horizontal::Right,
                ));
                tick += step_value;
            }
            let step = plot / n;
            let widest = self
                .bars
                .iter()
                .map(|(l, _)| text_width(l, LABEL))
                .fold(0.0, f32::max);
            let every = ((widest + 10.0) / step).ceil().max(1.0) as usize;
            let values_fit = text_width(&top.to_string(), LABEL) + 4.0 <= step;
            for (i, (label, value)) in self.bars.iter().enumerate() {
                let x = axis_width + i as f32 * step;
                let h = scale(*value);
                if *value > 0 {
                    frame.fill(
                        &Path::rectangle(
                            Point::new(x + step * 0.12, base - h),
                            Size::new((step * 0.76).max(1.0), h.max(1.0)),
                        ),
                        self.color,
                    );
                }
                let mid = x + step / 2.0;
                if i % every == 0 {
                    frame.fill_text(text(
                        label.clone(),
                        Point::new(mid, base + 13.0),
                        alignment::Horizontal::Center,
                    ));
                }
                if values_fit {
                    frame.fill_text(text(
                        value.to_string(),
                        Point::new(mid, base - h - 11.0),
                        alignment::Horizontal::Center,
                    ));
                }
            }
            frame.fill(
                &Path::rectangle(Point::new(axis_width, base), Size::new(plot, 2.0)),
                self.palette.muted,
            );
        }
    }
}

/// Room for a chart's note under its bars.
const NOTE: f32 = 44.0;
const SMALL: f32 = 15.0;

/// About how wide `text` is in Fira Sans at `size` (the canvas cannot measure): wide enough
/// to keep labels apart, never exact.
fn text_width(text: &str, size: f32) -> f32 {
    text.chars().count() as f32 * size * 0.5
}

/// The value axis: a round step giving at most four lines, and the top line at or above `top`.
fn axis(top: u64) -> (u64, u64) {
    let rough = top.div_ceil(4).max(1);
    let magnitude = 10u64.pow(rough.ilog10());
    let step = [1, 2, 5, 10]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= rough)
        .unwrap_or(10 * magnitude);
    (step, top.div_ceil(step) * step)
}

#[cfg(test)]
mod tests {
    use super::{BarChart, ChartCache, ChartGrid, axis};
    use crate::ui::theme::Palette;

    fn grid<'a>(cache: &'a ChartCache, scans: u64, palette: Palette) -> ChartGrid<'a> {
        ChartGrid {
            charts: vec![(
                "Scans".into(),
                BarChart {
                    bars: vec![("Mon".into(), scans), ("Tue".into(), 4)],
                    color: palette.primary,
                    horizontal: false,
                    palette,
                    note: None,
                },
            )],
            columns: 3,
            palette,
            cache,
        }
    }

    #[test]
    fn the_charts_are_drawn_again_only_when_what_they_show_changes() {
        let cache = ChartCache::default();
        let first = grid(&cache, 3, Palette::STANDARD)
            .keep_or_clear()
            .fingerprint();
        // The clock's tick: the same charts, the same drawing.
        assert_eq!(grid(&cache, 3, Palette::STANDARD).fingerprint(), first);
        assert_eq!(cache.drawn_from.get(), first);
        // New data or another palette: drawn again.
        assert_ne!(grid(&cache, 5, Palette::STANDARD).fingerprint(), first);
        assert_ne!(grid(&cache, 3, Palette::HIGH_CONTRAST).fingerprint(), first);
        let redrawn = grid(&cache, 5, Palette::STANDARD)
            .keep_or_clear()
            .fingerprint();
        assert_eq!(cache.drawn_from.get(), redrawn);
    }

    #[test]
    fn the_value_axis_is_round_and_covers_the_tallest_bar() {
        assert_eq!(axis(1), (1, 1));
        assert_eq!(axis(7), (2, 8));
        assert_eq!(axis(100), (50, 100));
        assert_eq!(axis(2580), (1000, 3000));
        assert_eq!(axis(161), (50, 200));
        for top in 1..5000 {
            let (step, end) = axis(top);
            assert!(end >= top && end / step <= 4, "{top}: {step} {end}");
        }
    }
}

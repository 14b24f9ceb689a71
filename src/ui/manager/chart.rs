//! Bar charts drawn on an iced canvas: the manager's analytics on the kiosk itself, from the
//! same [`Bars`] that `kiosk report --charts` writes as SVG. All charts of the page share one
//! canvas: with several canvases on screen, iced's software renderer (tiny-skia 0.14, what
//! kiosks without a GPU use) drew the bars of only one of them.

use iced::widget::canvas::{self, Frame, Geometry, Path, Text};
use iced::{Color, Pixels, Point, Rectangle, Renderer, Size, Theme, Vector, alignment, mouse};

use crate::analytics::charts::Bars;
use crate::ui::theme::Palette;

pub struct BarChart {
    pub bars: Vec<(String, u64)>,
    pub color: Color,
    pub horizontal: bool,
    pub palette: Palette,
}

impl BarChart {
    pub fn new(set: &Bars, label: impl Fn(&str) -> String, palette: Palette) -> Self {
        let (r, g, b) = set.color;
        Self {
            bars: set.bars.iter().map(|(l, n)| (label(l), *n)).collect(),
            color: Color::from_rgb8(r, g, b),
            horizontal: set.horizontal,
            palette,
        }
    }
}

const LABEL: f32 = 18.0;
const TITLE: f32 = 22.0;
const GAP: f32 = 16.0;
const PAD: f32 = 16.0;

/// Titled charts in a grid of `columns`, on one canvas.
pub struct ChartGrid {
    pub charts: Vec<(String, BarChart)>,
    pub columns: usize,
    pub palette: Palette,
}

impl<Message> canvas::Program<Message> for ChartGrid {
    type State = ();

    fn draw(
        &self,
        _state: &(),
        renderer: &Renderer,
        _theme: &Theme,
        bounds: Rectangle,
        _cursor: mouse::Cursor,
    ) -> Vec<Geometry> {
        let mut frame = Frame::new(renderer, bounds.size());
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
        vec![frame.into_geometry()]
    }
}

impl BarChart {
    /// Draws the chart into `frame` over (0, 0)-`bounds`.
    fn paint(&self, frame: &mut Frame, bounds: Size) {
        let top = self.bars.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1) as f32;
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
            // Names on the left, bars to the right, counts at the bar ends.
            let names = bounds.width * 0.45;
            // Names that do not fit end in "…" rather than running off the card.
            let fit = ((names - 12.0) / (LABEL * 0.5)) as usize;
            let room = bounds.width - names - 60.0;
            let step = bounds.height / n;
            for (i, (label, value)) in self.bars.iter().enumerate() {
                let y = i as f32 * step;
                let w = room * (*value as f32 / top);
                frame.fill(
                    &Path::rectangle(
                        Point::new(names, y + step * 0.15),
                        Size::new(w.max(1.0), step * 0.7),
                    ),
                    self.color,
                );
                let mid = y + step / 2.0;
                frame.fill_text(text(
                    shorten(label, fit),
                    Point::new(names - 8.0, mid),
                    alignment::Horizontal::Right,
                ));
                frame.fill_text(text(
                    value.to_string(),
                    Point::new(names + w + 6.0, mid),
                    alignment::Horizontal::Left,
                ));
            }
        } else {
            // Bars up from a baseline; labels under them, thinned out so they never overlap.
            let base = bounds.height - 26.0;
            let room = base - 22.0;
            let step = bounds.width / n;
            let every = ((LABEL * 3.2) / step).ceil().max(1.0) as usize;
            for (i, (label, value)) in self.bars.iter().enumerate() {
                let x = i as f32 * step;
                let h = room * (*value as f32 / top);
                frame.fill(
                    &Path::rectangle(
                        Point::new(x + step * 0.12, base - h),
                        Size::new((step * 0.76).max(1.0), h.max(1.0)),
                    ),
                    self.color,
                );
                let mid = x + step / 2.0;
                if i % every == 0 {
                    frame.fill_text(text(
                        label.clone(),
                        Point::new(mid, base + 13.0),
                        alignment::Horizontal::Center,
                    ));
                }
                if self.bars.len() <= 12 {
                    frame.fill_text(text(
                        value.to_string(),
                        Point::new(mid, base - h - 11.0),
                        alignment::Horizontal::Center,
                    ));
                }
            }
            frame.fill(
                &Path::rectangle(Point::new(0.0, base), Size::new(bounds.width, 2.0)),
                self.palette.muted,
            );
        }
    }
}

/// `text` cut to `max` characters with an ellipsis.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

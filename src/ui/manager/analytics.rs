//! The dashboard's analytics tab: the period's charts, or what to reorder (saved as a
//! spreadsheet file). Its own state, messages and work; the dashboard only routes to it.

use std::path::PathBuf;
use std::sync::Arc;

use iced::widget::{canvas, column, row, text};
use iced::{Alignment, Element, Length, Task};

use super::{ExportState, ExportTarget, chart, reorder, warning};
use crate::db::DbError;
use crate::domain::analytics::{self, Analytics, ExportError, Period, charts};
use crate::ui::theme::{self, spacing};
use crate::ui::{Ctx, Services, widgets};

/// What the tab shows: the charts, or the list of what to reorder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnalyticsMode {
    Charts,
    Reorder,
}

#[derive(Debug, Clone)]
pub enum Message {
    Period(i32),
    AnalyticsLoaded(i32, Result<Box<Analytics>, DbError>),
    ShowAnalytics(AnalyticsMode),
    /// Save the reorder list into this folder.
    Export(PathBuf),
    Exported(Result<PathBuf, ExportError>),
}

impl Message {
    /// Whether a person at the kiosk caused this (activity for the idle logout).
    pub fn is_from_staff(&self) -> bool {
        matches!(
            self,
            Message::Period(_) | Message::ShowAnalytics(_) | Message::Export(_)
        )
    }
}

pub struct AnalyticsTab {
    period_days: i32,
    analytics: Option<Result<Arc<Analytics>, DbError>>,
    mode: AnalyticsMode,
    export: ExportState,
    charts: chart::ChartCache,
}

impl AnalyticsTab {
    /// The last 30 days, charts first; nothing loaded yet (see [`AnalyticsTab::load`]).
    pub fn new() -> Self {
        Self {
            period_days: 30,
            analytics: None,
            mode: AnalyticsMode::Charts,
            export: ExportState::Idle,
            charts: chart::ChartCache::default(),
        }
    }

    pub fn mode(&self) -> AnalyticsMode {
        self.mode
    }

    #[cfg(test)]
    pub fn analytics(&self) -> Option<&Analytics> {
        self.analytics.as_ref().and_then(|a| a.as_deref().ok())
    }

    #[cfg(test)]
    pub fn export_state(&self) -> &ExportState {
        &self.export
    }

    /// Reads the period again (after folding in the days that finished).
    pub fn load(&self, services: &Arc<Services>) -> Task<Message> {
        load_task(services, self.period_days)
    }

    pub fn update(&mut self, message: Message, services: &Arc<Services>) -> Task<Message> {
        match message {
            Message::Period(days) => {
                self.period_days = days;
                self.analytics = None;
                self.load(services)
            }
            Message::AnalyticsLoaded(days, result) => {
                if days == self.period_days {
                    self.analytics = Some(result.map(Arc::from));
                    self.export = ExportState::Idle;
                }
                Task::none()
            }
            Message::ShowAnalytics(mode) => {
                self.mode = mode;
                Task::none()
            }
            Message::Export(dir) => {
                let Some(Ok(a)) = &self.analytics else {
                    return Task::none();
                };
                if matches!(self.export, ExportState::Saving) {
                    return Task::none();
                }
                self.export = ExportState::Saving;
                export_task(services, a.clone(), dir)
            }
            Message::Exported(result) => {
                self.export = match result {
                    Ok(path) => ExportState::Saved(path),
                    Err(e) => ExportState::Failed(e),
                };
                Task::none()
            }
        }
    }

    pub(super) fn view<'a>(
        &'a self,
        ctx: &Ctx<'a>,
        targets: &'a [ExportTarget],
    ) -> Element<'a, Message> {
        let p = ctx.palette;
        let mut periods = row![].spacing(spacing::S).align_y(Alignment::Center);
        for (days, key) in [
            (7, "mgr-period-7"),
            (30, "mgr-period-30"),
            (365, "mgr-period-365"),
        ] {
            periods = periods.push(
                widgets::touch(
                    ctx.t(key),
                    Some(Message::Period(days)),
                    theme::choice(p, self.period_days == days),
                )
                .width(Length::Fixed(200.0)),
            );
        }
        for (mode, key) in [
            (AnalyticsMode::Charts, "mgr-analytics-charts"),
            (AnalyticsMode::Reorder, "mgr-analytics-reorder"),
        ] {
            periods = periods.push(
                widgets::touch(
                    ctx.t(key),
                    Some(Message::ShowAnalytics(mode)),
                    theme::choice(p, self.mode == mode),
                )
                .width(Length::Fixed(330.0)),
            );
        }
        let a = match &self.analytics {
            None => {
                return column![
                    periods,
                    text(ctx.t("mgr-analytics-loading")).size(theme::text::BODY)
                ]
                .spacing(spacing::M)
                .into();
            }
            Some(Err(e)) => {
                return column![periods, warning(ctx, super::problems::database(ctx, e))]
                    .spacing(spacing::M)
                    .into();
            }
            Some(Ok(a)) => a,
        };
        // The period's dates and totals on a line of their own, over the charts.
        let summary = text(ctx.t_with(
            "mgr-analytics-summary",
            &[
                ("from", ctx.lang.short_date(Some(&a.period.0))),
                ("to", ctx.lang.short_date(Some(&a.period.1))),
                ("scans", a.total_scans().to_string()),
                ("lost", a.total_lost().to_string()),
            ],
        ))
        .size(theme::text::BODY);
        if self.mode == AnalyticsMode::Reorder {
            return column![periods, reorder::view(ctx, a, targets, &self.export)]
                .spacing(spacing::S)
                .into();
        }
        let lang = ctx.lang;
        let label = |l: &str| {
            lang.try_text(&format!("bar-{l}"))
                .unwrap_or_else(|| l.to_owned())
        };
        let grid = chart::ChartGrid {
            charts: charts::bar_sets(a)
                .iter()
                .map(|set| {
                    (
                        ctx.t(&format!("chart-{}", set.file)),
                        chart::BarChart::new(set, label, set.note.map(|n| note_words(ctx, n)), p),
                    )
                })
                .collect(),
            columns: if ctx.portrait { 2 } else { 3 },
            palette: p,
            cache: &self.charts,
        }
        .keep_or_clear();
        let grid = canvas(grid).width(Length::Fill).height(Length::Fill);
        column![periods, summary, grid].spacing(spacing::S).into()
    }
}

impl Default for AnalyticsTab {
    fn default() -> Self {
        Self::new()
    }
}

/// A chart's footnote in the manager's language.
fn note_words(ctx: &Ctx<'_>, note: charts::Note) -> String {
    match note {
        charts::Note::Outcomes {
            visits,
            more_than_one,
            associate,
            read_failed,
            saved_by_substitute,
        } => {
            let mut words = ctx.t_with(
                "chart-note-outcomes",
                &[
                    ("visits", visits.to_string()),
                    ("associate", associate.to_string()),
                    ("failed", read_failed.to_string()),
                ],
            );
            if saved_by_substitute > 0 {
                words.push(' ');
                words.push_str(&ctx.t_with(
                    "chart-note-substitutes",
                    &[("count", saved_by_substitute.to_string())],
                ));
            }
            if more_than_one > 0 {
                words.push(' ');
                words.push_str(&ctx.t_with(
                    "chart-note-two-ways",
                    &[("count", more_than_one.to_string())],
                ));
            }
            words
        }
    }
}

/// The analytics for the `days` ending today, after folding in what finished since last time.
fn load_task(services: &Arc<Services>, days: i32) -> Task<Message> {
    let services = services.clone();
    Task::perform(
        async move {
            services
                .db
                .call(move |db| {
                    let today = jiff::Zoned::now().date();
                    analytics::summarise(db, today)?;
                    analytics::query(db, Period::last_days(today, days)).map(Box::new)
                })
                .await
        },
        move |result| Message::AnalyticsLoaded(days, result),
    )
}

/// Saves the reorder list into `dir`, off the UI thread.
fn export_task(
    services: &Arc<Services>,
    analytics: Arc<crate::domain::analytics::Analytics>,
    dir: PathBuf,
) -> Task<Message> {
    let store = services.config.store.id.clone();
    Task::perform(
        async move {
            tokio::task::spawn_blocking(move || {
                crate::domain::analytics::export_reorder(&analytics, &dir, &store)
            })
            .await
            .unwrap_or_else(|stopped| Err(ExportError::Stopped(stopped.to_string())))
        },
        Message::Exported,
    )
}

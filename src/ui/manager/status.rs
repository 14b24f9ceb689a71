//! The dashboard's status tab: the sync and its progress, the warehouse, waiting orders, the
//! camera, stock files to import, and the kiosk's version and settings (secrets hidden).

use std::path::Path;

use iced::widget::{column, container, progress_bar, row, scrollable, text};
use iced::{Element, Length};

use super::tasks::file_name;
use super::{Dashboard, ImportState, Message, Reach, Snapshot, StockFile, SyncState, Tab, warning};
use crate::db::DbStats;
use crate::sync;
use crate::ui::theme::{self, spacing};
use crate::ui::{CameraState, Ctx, Services, widgets};

impl Dashboard {
    pub(super) fn status_view<'a>(
        &'a self,
        ctx: &Ctx<'a>,
        services: &'a Services,
    ) -> Element<'a, Message> {
        // A checked stock file waits for the manager's choice: that choice is the whole tab,
        // never a few buttons below the fold.
        if let ImportState::Preview(preview) = &self.import {
            return container(preview_view(ctx, preview))
                .center_x(Length::Fill)
                .padding(spacing::L)
                .into();
        }
        let p = ctx.palette;
        // The manager's work only; the kiosk's own details are on the settings tab.
        row![
            container(self.sync_section(ctx, services)).width(Length::FillPortion(1)),
            scrollable(
                column![
                    self.import_section(ctx, services),
                    widgets::touch(
                        ctx.t("mgr-refresh"),
                        Some(Message::Refresh),
                        theme::secondary(p),
                    )
                    .width(Length::Fixed(240.0)),
                ]
                .spacing(spacing::L)
            )
            .width(Length::FillPortion(1)),
        ]
        .spacing(spacing::XL)
        .into()
    }

    pub(super) fn snapshot_ok(&self) -> Option<&Snapshot> {
        self.snapshot.as_ref().and_then(|s| s.as_deref().ok())
    }

    /// When the last sync was and how old (red past the limit), *Sync now* and its progress,
    /// the warehouse, waiting orders and the camera.
    fn sync_section<'a>(&'a self, ctx: &Ctx<'a>, services: &'a Services) -> Element<'a, Message> {
        let p = ctx.palette;
        let config = &services.config;
        let snapshot = self.snapshot_ok();
        let last = snapshot.and_then(|s| last_sync(ctx, &s.stats));
        let limit = config.manager.sync_max_age_s;
        let mut sync_col =
            column![text(ctx.t("mgr-sync-title")).size(theme::text::H2 * 0.8)].spacing(spacing::S);
        // One slot of fixed height whatever it says (never synced, fresh, stale): the
        // buttons below never move.
        let last_line: Element<'a, Message> = match last {
            Some((when, age_s)) => {
                let line = text(ctx.t_with(
                    "mgr-sync-last",
                    &[("when", when), ("age", human_duration(age_s))],
                ))
                .size(theme::text::BODY);
                if age_s > limit {
                    container(
                        column![
                            line,
                            text(ctx.t_with("mgr-sync-stale", &[("limit", human_duration(limit))]))
                                .size(theme::text::BODY)
                        ]
                        .spacing(spacing::XS),
                    )
                    .padding(spacing::S)
                    .width(Length::Fill)
                    .style(theme::band(p.unavailable, p.on_unavailable))
                    .into()
                } else {
                    container(line).padding([spacing::S, 0.0]).into()
                }
            }
            None => container(text(ctx.t("mgr-sync-never")).size(theme::text::BODY))
                .padding(spacing::S)
                .width(Length::Fill)
                .style(theme::band(p.unavailable, p.on_unavailable))
                .into(),
        };
        sync_col = sync_col.push(
            container(last_line)
                .height(Length::Fixed(LAST_SYNC_HEIGHT))
                .clip(true),
        );
        let running = matches!(self.sync, SyncState::Running { .. });
        let mut buttons = row![
            widgets::touch(
                ctx.t("mgr-sync-now"),
                (!running).then_some(Message::SyncNow),
                theme::primary(p)
            )
            .width(Length::Fixed(300.0))
        ]
        .spacing(spacing::S);
        if running {
            buttons = buttons.push(
                widgets::touch(
                    ctx.t("mgr-sync-cancel"),
                    Some(Message::CancelSync),
                    theme::secondary(p),
                )
                .width(Length::Fixed(240.0)),
            );
        }
        sync_col = sync_col.push(buttons);
        // The progress and the result share one slot of fixed height: nothing below moves
        // when a sync starts, ends or fails.
        let mut outcome = column![].spacing(spacing::XS);
        match &self.sync {
            SyncState::Idle => {}
            SyncState::Running { feed, page, total } => {
                let feed_name = if *feed == sync::CATALOG_FEED {
                    "catalog"
                } else {
                    "stock"
                };
                let (fraction, words) = match total {
                    Some(total) => (
                        sync_fraction(feed, *page, *total),
                        ctx.t_with(
                            "mgr-sync-running",
                            &[
                                ("feed", feed_name.to_owned()),
                                ("page", page.to_string()),
                                ("total", total.to_string()),
                            ],
                        ),
                    ),
                    None => (
                        sync_fraction(feed, 0, 1),
                        ctx.t_with(
                            "mgr-sync-running-open",
                            &[("feed", feed_name.to_owned()), ("page", page.to_string())],
                        ),
                    ),
                };
                outcome = outcome
                    .push(progress_bar(0.0..=1.0, fraction).girth(28))
                    .push(text(words).size(theme::text::SMALL));
            }
            SyncState::Done(s) => {
                outcome = outcome.push(
                    text(ctx.t_with(
                        "mgr-sync-done",
                        &[
                            ("added", s.added.to_string()),
                            ("changed", s.changed.to_string()),
                            ("removed", s.removed.to_string()),
                            ("seconds", s.seconds.to_string()),
                        ],
                    ))
                    .size(theme::text::BODY),
                );
            }
            SyncState::Failed(e) => {
                outcome = outcome.push(warning(
                    ctx,
                    ctx.t_with("mgr-sync-failed", &[("error", e.clone())]),
                ));
            }
            SyncState::Cancelled => {
                outcome = outcome.push(text(ctx.t("mgr-sync-cancelled")).size(theme::text::BODY));
            }
        }
        sync_col = sync_col.push(
            container(outcome)
                .height(Length::Fixed(SYNC_OUTCOME_HEIGHT))
                .clip(true),
        );
        let reach = match &self.warehouse {
            Reach::Checking => text(ctx.t("mgr-warehouse-checking"))
                .size(theme::text::BODY)
                .into(),
            Reach::Up { ms } => text(ctx.t_with("mgr-warehouse-ok", &[("ms", ms.to_string())]))
                .size(theme::text::BODY)
                .into(),
            Reach::Down(e) => warning(
                ctx,
                ctx.t_with("mgr-warehouse-down", &[("error", e.clone())]),
            ),
        };
        let waiting = snapshot.map_or(0, |s| s.waiting.len());
        let orders_line: Element<'a, Message> = if waiting == 0 {
            text(ctx.t("mgr-orders-none"))
                .size(theme::text::BODY)
                .into()
        } else {
            widgets::touch(
                ctx.t_with("mgr-orders-waiting", &[("count", waiting.to_string())]),
                Some(Message::Tab(Tab::Orders)),
                theme::secondary(p),
            )
            .width(Length::Fill)
            .into()
        };
        let camera = match (config.camera.enabled, ctx.camera) {
            (false, _) => ctx.t("mgr-camera-state-off"),
            (true, CameraState::Active(_)) => ctx.t("mgr-camera-state-ok"),
            (true, CameraState::Unavailable) => ctx.t("mgr-camera-down"),
            (true, CameraState::Starting) => ctx.t("scan-camera-starting"),
        };
        sync_col = sync_col
            .push(text(ctx.t("mgr-warehouse-title")).size(theme::text::H2 * 0.8))
            .push(reach)
            .push(orders_line)
            .push(text(ctx.t("mgr-tab-camera")).size(theme::text::H2 * 0.8))
            .push(text(camera).size(theme::text::BODY));
        sync_col.into()
    }

    /// Stock files found in the configured folders, one tap each, and the last import.
    fn import_section<'a>(&'a self, ctx: &Ctx<'a>, services: &'a Services) -> Element<'a, Message> {
        let p = ctx.palette;
        let config = &services.config;
        let snapshot = self.snapshot_ok();
        let mut import_col = column![text(ctx.t("mgr-import-title")).size(theme::text::H2 * 0.8)]
            .spacing(spacing::S);
        match snapshot.map(|s| s.stock_files.as_slice()) {
            Some([]) => {
                let dirs: Vec<String> = config
                    .manager
                    .import_dirs
                    .iter()
                    .map(|d| d.display().to_string())
                    .collect();
                import_col = import_col.push(
                    text(ctx.t_with("mgr-import-none", &[("dirs", dirs.join(", "))]))
                        .size(theme::text::SMALL),
                );
            }
            Some(files) => {
                let busy = matches!(self.import, ImportState::Running(_));
                for file in files.iter().take(5) {
                    import_col = import_col.push(file_button(ctx, file, !busy));
                }
            }
            None => {}
        }
        match &self.import {
            ImportState::Idle => {}
            // Shown as the whole tab (status_view).
            ImportState::Preview(_) => {}
            ImportState::Running(file) => {
                import_col = import_col.push(
                    text(ctx.t_with("mgr-import-running", &[("file", file.clone())]))
                        .size(theme::text::BODY),
                );
            }
            ImportState::Done(r) => {
                import_col = import_col.push(
                    text(ctx.t_with(
                        "mgr-import-done",
                        &[
                            ("imported", r.imported.to_string()),
                            ("rows", r.rows.to_string()),
                            ("unknown", r.unknown.to_string()),
                            ("removed", r.removed.to_string()),
                        ],
                    ))
                    .size(theme::text::BODY),
                );
            }
            ImportState::Undone(u) => {
                import_col = import_col.push(
                    text(ctx.t_with(
                        "mgr-import-undone",
                        &[
                            ("file", file_name(Path::new(&u.source))),
                            ("sizes", u.sizes_before.to_string()),
                        ],
                    ))
                    .size(theme::text::BODY),
                );
            }
            ImportState::Failed(e) => {
                import_col = import_col.push(warning(
                    ctx,
                    ctx.t_with("mgr-import-failed", &[("error", e.clone())]),
                ));
            }
        }
        // Undo stays on the tab for as long as the kiosk can undo (until a sync changes stock).
        if let Some(u) = snapshot.and_then(|s| s.undoable.as_ref()) {
            let busy = matches!(self.import, ImportState::Running(_));
            import_col = import_col.push(widgets::touch_detailed(
                ctx.t("mgr-import-undo"),
                ctx.t_with(
                    "mgr-import-undo-what",
                    &[
                        ("file", file_name(Path::new(&u.source))),
                        ("when", local_time(ctx, &u.imported_at)),
                        ("sizes", u.sizes_before.to_string()),
                    ],
                ),
                (!busy).then_some(Message::UndoImport),
                theme::secondary(p),
            ));
        }
        import_col.into()
    }

    /// The settings tab: the kiosk itself (counts, version, settings with secrets only as
    /// "set"/"missing") and quitting the program, away from the everyday buttons.
    pub(super) fn settings_view<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let p = ctx.palette;
        let snapshot = self.snapshot_ok();
        let mut about = column![text(ctx.t("mgr-stats-title")).size(theme::text::H2 * 0.8)]
            .spacing(spacing::XS);
        if let Some(s) = snapshot {
            about = about.push(
                text(ctx.t_with(
                    "mgr-stats",
                    &[
                        ("styles", s.stats.styles.to_string()),
                        ("sizes", s.stats.variants.to_string()),
                        ("stock", s.stats.store_stock.to_string()),
                        ("events", s.stats.shopper_events.to_string()),
                    ],
                ))
                .size(theme::text::SMALL),
            );
        }
        if let Some(Err(e)) = &self.snapshot {
            about = about.push(warning(ctx, e.clone()));
        }
        about = about.push(text(ctx.t("mgr-version-title")).size(theme::text::H2 * 0.8));
        for line in snapshot.iter().flat_map(|s| &s.settings) {
            about = about.push(
                text(line)
                    .size(theme::text::SMALL)
                    .font(iced::Font::MONOSPACE),
            );
        }
        // Leaving the kiosk is apart from everyday buttons, and asks first.
        about = about.push(if self.confirm_quit {
            Element::from(
                container(
                    column![
                        text(ctx.t("mgr-quit-confirm")).size(theme::text::BODY),
                        row![
                            widgets::touch(
                                ctx.t("mgr-quit-keep"),
                                Some(Message::KeepRunning),
                                theme::primary(p)
                            )
                            .width(Length::Fixed(300.0)),
                            widgets::touch(
                                ctx.t("mgr-quit-now"),
                                Some(Message::Quit),
                                theme::secondary(p)
                            )
                            .width(Length::Fixed(300.0)),
                        ]
                        .spacing(spacing::S),
                    ]
                    .spacing(spacing::S),
                )
                .padding(spacing::S)
                .style(theme::band(p.warning, p.on_warning)),
            )
        } else {
            container(
                widgets::touch(
                    ctx.t("mgr-quit"),
                    Some(Message::AskQuit),
                    theme::secondary(p),
                )
                .width(Length::Fixed(300.0)),
            )
            .padding(iced::Padding::ZERO.top(spacing::L))
            .into()
        });
        scrollable(about).into()
    }
}

/// What importing the checked file would do, both ways, before anything is written.
fn preview_view<'a>(ctx: &Ctx<'a>, preview: &super::ImportPreview) -> Element<'a, Message> {
    use crate::stock::ImportMode;
    let p = ctx.palette;
    let r = &preview.replace;
    let m = &preview.merge;
    let mut col = column![
        text(ctx.t("mgr-import-title")).size(theme::text::H2 * 0.8),
        text(ctx.t_with(
            "mgr-import-preview",
            &[
                ("file", file_name(&preview.path)),
                ("rows", r.rows.to_string()),
                ("unknown", r.unknown.to_string()),
            ],
        ))
        .size(theme::text::BODY),
        text(ctx.t_with(
            "mgr-import-merge-does",
            &[("imported", m.imported.to_string())]
        ))
        .size(theme::text::SMALL),
        text(ctx.t_with(
            "mgr-import-replace-does",
            &[
                ("stocked", r.stocked_before.to_string()),
                ("imported", r.imported.to_string()),
                ("removed", r.removed.to_string()),
            ],
        ))
        .size(theme::text::SMALL),
    ]
    .spacing(spacing::S)
    .max_width(1200);
    if preview.replace_refused {
        col = col.push(warning(
            ctx,
            ctx.t_with(
                "mgr-import-replace-refused",
                &[
                    ("removed", r.removed.to_string()),
                    ("stocked", r.stocked_before.to_string()),
                ],
            ),
        ));
    }
    col = col.push(
        row![
            widgets::touch(
                ctx.t("mgr-import-merge"),
                Some(Message::ConfirmImport(ImportMode::Merge)),
                theme::primary(p)
            )
            .width(Length::Fixed(520.0)),
            widgets::touch(
                ctx.t("mgr-import-replace"),
                (!preview.replace_refused).then_some(Message::ConfirmImport(ImportMode::Replace)),
                theme::secondary(p)
            )
            .width(Length::Fixed(380.0)),
            widgets::touch(
                ctx.t("mgr-import-cancel"),
                Some(Message::CancelImport),
                theme::secondary(p)
            )
            .width(Length::Fixed(200.0)),
        ]
        .spacing(spacing::S),
    );
    container(col)
        .padding(spacing::S)
        .style(theme::surface(p))
        .into()
}

/// A stock file's button: its name, and below it when it was written, its size and rows.
fn file_button<'a>(ctx: &Ctx<'a>, file: &StockFile, enabled: bool) -> Element<'a, Message> {
    let when: jiff::Timestamp = file
        .modified
        .try_into()
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let details = ctx.t_with(
        "mgr-import-file",
        &[
            ("when", local_time(ctx, &when.to_string())),
            ("size", indicatif::HumanBytes(file.bytes).to_string()),
            (
                "rows",
                file.rows.map_or_else(|| "?".to_owned(), |r| r.to_string()),
            ),
        ],
    );
    widgets::touch_detailed(
        file_name(&file.path),
        details,
        enabled.then(|| Message::Import(file.path.clone())),
        theme::secondary(ctx.palette),
    )
    .into()
}

/// "30/11/2026 14:02" in the kiosk's time zone and the language's date form.
pub(super) fn local_time(ctx: &Ctx<'_>, rfc3339: &str) -> String {
    rfc3339
        .parse::<jiff::Timestamp>()
        .map(|t| {
            let local = t.to_zoned(jiff::tz::TimeZone::system());
            format!(
                "{} {}",
                ctx.lang.short_date(Some(&local.date().to_string())),
                local.strftime("%H:%M")
            )
        })
        .unwrap_or_else(|_| rfc3339.to_owned())
}

/// Room for when the last sync was: two lines of body text in a padded band.
const LAST_SYNC_HEIGHT: f32 = 2.0 * theme::text::BODY * 1.3 + spacing::XS + 2.0 * spacing::S;

/// Room for the sync's progress bar and words, or its result (a failure's reason in a band of
/// up to three lines).
const SYNC_OUTCOME_HEIGHT: f32 = 140.0;

/// Progress over both feeds: the catalog is the first half, the store's stock the second.
fn sync_fraction(feed: &str, page: u64, total: u64) -> f32 {
    let within = (page as f32 / total.max(1) as f32).clamp(0.0, 1.0);
    if feed == sync::CATALOG_FEED {
        within * 0.5
    } else {
        0.5 + within * 0.5
    }
}

/// The most recent completed sync feed (catalog or stock): when, and how many seconds ago.
/// When the last sync ran (in the same words as every other time on the dashboard) and how
/// many seconds ago.
fn last_sync(ctx: &Ctx<'_>, stats: &DbStats) -> Option<(String, u64)> {
    let newest = sync::last_sync_at(&stats.feeds)?;
    let age = jiff::Timestamp::now()
        .duration_since(newest)
        .as_secs()
        .max(0) as u64;
    Some((local_time(ctx, &newest.to_string()), age))
}

/// "45 s", "12 min", "3 h", "2 d": the age of a sync at a glance.
pub fn human_duration(seconds: u64) -> String {
    match seconds {
        s if s < 90 => format!("{s} s"),
        s if s < 90 * 60 => format!("{} min", s / 60),
        s if s < 48 * 3600 => format!("{} h", s / 3600),
        s => format!("{} d", s / 86_400),
    }
}

/// Settings worth seeing at a glance; secrets only say where they come from and whether set.
pub(super) fn config_summary(services: &Services) -> Vec<String> {
    let c = &services.config;
    let secret = |env: &str, file: &Path| {
        // Relative files are relative to the config file, as the kiosk reads them.
        let resolved = if file.as_os_str().is_empty() {
            file.to_path_buf()
        } else {
            services.base_dir.join(file)
        };
        let source = crate::config::SecretSource::new(env, &resolved);
        let set = matches!(crate::config::read_secret(&source), Ok(Some(_)));
        let from = match &source {
            crate::config::SecretSource::Env(v) => format!("${v}"),
            crate::config::SecretSource::File(_) => file.display().to_string(),
            crate::config::SecretSource::None => "-".into(),
        };
        format!("{} ({from})", if set { "set" } else { "missing" })
    };
    vec![
        format!("version   {}", env!("CARGO_PKG_VERSION")),
        format!("store     {} ({})", c.store.id, c.store.currency),
        format!("database  {}", services.database.display()),
        format!(
            "warehouse {:?} {}",
            c.warehouse.mode,
            if c.warehouse.mode == crate::config::WarehouseMode::Remote {
                c.warehouse.url.as_str()
            } else {
                "(in-process, loopback)"
            }
        ),
        if c.warehouse.mode == crate::config::WarehouseMode::Embedded {
            "token     per process (embedded warehouse)".to_owned()
        } else {
            format!(
                "token     {}",
                secret(&c.warehouse.token_env, &c.warehouse.token_file)
            )
        },
        format!(
            "pin hash  {}",
            secret(&c.manager.pin_hash_env, &c.manager.pin_hash_file)
        ),
        format!(
            "camera    {} {} {}x{}@{}",
            if c.camera.enabled { "on" } else { "off" },
            c.camera.source,
            c.camera.width,
            c.camera.height,
            c.camera.fps
        ),
        format!("languages {}", c.ui.languages.join(", ")),
        format!(
            "idle      {} s (manager {} s), events kept {} days",
            c.ui.idle_timeout_s, c.manager.idle_timeout_s, c.privacy.event_retention_days
        ),
    ]
}

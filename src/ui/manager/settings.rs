//! The dashboard's settings tab: the kiosk itself — counts, version, settings with secrets only
//! as "set"/"missing" — and quitting the program, away from the everyday buttons.

use iced::widget::{column, container, row, scrollable, text};
use iced::{Element, Length};

use super::{Dashboard, Message, warning};
use crate::ui::theme::{self, spacing};
use crate::ui::{Ctx, widgets};

impl Dashboard {
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
            about = about.push(warning(ctx, super::problems::database(ctx, e)));
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

//! What every screen shares around it — the header (store name, languages, contrast), the
//! footer (Start over, Back, Call an associate), the idle prompt — and the out-of-order screen.

use iced::widget::{column, container, mouse_area, row, space, text};
use iced::{Alignment, Element, Length};

use super::theme::{self, spacing};
use super::{Breakdown, Ctx, Kiosk, Message, Screen, widgets};
use crate::i18n::{self, Lang};

impl Kiosk {
    pub(super) fn header<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let p = ctx.palette;
        let store = self
            .services
            .as_ref()
            .map(|s| s.config.store.name.clone())
            .unwrap_or_default();
        let languages = self
            .services
            .as_ref()
            .map(|s| s.config.ui.languages.clone())
            .unwrap_or_else(|| i18n::available().iter().map(Lang::tag).collect());
        // Holding the store name on the attract screen opens manager mode (staff know; a
        // shopper would have to hold it for seconds).
        let name = mouse_area(text(store).size(theme::text::BODY))
            .on_press(Message::CornerPressed)
            .on_release(Message::CornerReleased)
            .on_exit(Message::CornerReleased);
        let mut bar = row![container(name).width(Length::Fill)]
            .spacing(spacing::S)
            .align_y(Alignment::Center);
        for tag in languages {
            let Some(lang) = Lang::parse(&tag) else {
                continue;
            };
            let style = theme::choice(p, lang == self.lang);
            bar = bar.push(
                widgets::touch(lang.native_name(), Some(Message::Language(tag)), style)
                    .width(Length::Fixed(200.0)),
            );
        }
        // The switch says its state in words, not only by its colour.
        bar = bar.push(
            widgets::touch(
                ctx.t(if self.high_contrast {
                    "nav-high-contrast-on"
                } else {
                    "nav-high-contrast-off"
                }),
                Some(Message::ToggleContrast),
                theme::choice(p, self.high_contrast),
            )
            .width(Length::Fixed(340.0)),
        );
        container(bar).padding([spacing::S, spacing::L]).into()
    }

    pub(super) fn footer<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let p = ctx.palette;
        let mut bar = row![].spacing(spacing::M).align_y(Alignment::Center);
        if self.can_go_back() {
            bar = bar.push(
                widgets::touch(ctx.t("nav-back"), Some(Message::Back), theme::secondary(p))
                    .width(Length::Fixed(300.0)),
            );
        }
        if !matches!(self.screen, Screen::Attract) {
            bar = bar.push(
                widgets::touch(
                    ctx.t("nav-start-over"),
                    Some(Message::StartOver),
                    theme::secondary(p),
                )
                .width(Length::Fixed(420.0)),
            );
        }
        bar = bar.push(space::horizontal());
        if self.associate_notice {
            bar = bar.push(
                container(text(ctx.t("associate-called")).size(theme::text::BODY))
                    .padding(spacing::S)
                    .style(theme::band(p.in_store, p.on_in_store)),
            );
        }
        bar = bar.push(
            widgets::touch(
                ctx.t("nav-call-associate"),
                Some(Message::CallAssociate),
                theme::primary(p),
            )
            .width(Length::Fixed(480.0)),
        );
        container(bar).padding([spacing::S, spacing::L]).into()
    }
}

/// "Are you still there?", in the shopper's words or, in manager mode, the manager's.
pub(super) fn idle_prompt<'a>(ctx: &Ctx<'a>, seconds: u64, manager: bool) -> Element<'a, Message> {
    let p = ctx.palette;
    let key = |shopper: &'static str, staff: &'static str| if manager { staff } else { shopper };
    let card = container(
        column![
            text(ctx.t(key("idle-title", "mgr-idle-title"))).size(theme::text::H1),
            text(ctx.t_with(
                key("idle-body", "mgr-idle-body"),
                &[("seconds", seconds.to_string())]
            ))
            .size(theme::text::H2 * 0.8),
            row![
                widgets::touch(
                    ctx.t(key("idle-more", "mgr-idle-more")),
                    Some(Message::MoreTime),
                    theme::primary(p)
                )
                .width(Length::Fixed(360.0)),
                widgets::touch(
                    ctx.t(key("nav-start-over", "mgr-logout")),
                    Some(Message::StartOver),
                    theme::secondary(p)
                )
                .width(Length::Fixed(360.0)),
            ]
            .spacing(spacing::M),
        ]
        .spacing(spacing::L)
        .align_x(Alignment::Center),
    )
    .padding(spacing::XL)
    .style(theme::surface(p));
    container(card).center(Length::Fill).into()
}

pub(super) fn out_of_order<'a>(ctx: &Ctx<'a>, problem: &Breakdown) -> Element<'a, Message> {
    let p = ctx.palette;
    // What staff should do depends on what broke; the detail below says exactly where.
    let (what, detail) = match problem {
        Breakdown::Config(e) => (ctx.t("outoforder-config"), e.to_string()),
        Breakdown::Start(e) => (ctx.t("outoforder-start"), e.to_string()),
        Breakdown::Orders(e) => (ctx.t("outoforder-orders"), e.to_string()),
    };
    container(
        column![
            text(ctx.t("outoforder-title")).size(theme::text::H1),
            text(what).size(theme::text::BODY),
            container(
                text(detail)
                    .size(theme::text::BODY)
                    .font(iced::Font::MONOSPACE)
            )
            .padding(spacing::M)
            .style(theme::band(p.warning, p.on_warning)),
        ]
        .spacing(spacing::L)
        .max_width(1400),
    )
    .center(Length::Fill)
    .padding(spacing::L)
    .into()
}

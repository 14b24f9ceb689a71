//! The attract screen: what the kiosk does, how to start, where the barcode is.

use iced::widget::{column, container, svg, text};
use iced::{Alignment, Element, Length};

use super::theme::{self, spacing};
use super::{Ctx, widgets};

#[derive(Debug, Clone)]
pub enum Message {
    Start,
}

/// Rotating hints, one every few seconds (the gentle loop).
const HINTS: [&str; 3] = ["attract-hint-1", "attract-hint-2", "attract-hint-3"];
pub const HINT_SECONDS: u64 = 5;

pub fn view<'a>(ctx: &Ctx<'a>, seconds: u64) -> Element<'a, Message> {
    let p = ctx.palette;
    let hint = HINTS[(seconds / HINT_SECONDS) as usize % HINTS.len()];
    let picture = column![
        svg(svg::Handle::from_path(ctx.assets.join("tag.svg")))
            .width(Length::Fixed(520.0))
            .height(Length::Fixed(372.0)),
        text(ctx.t("tag-caption"))
            .size(theme::text::SMALL)
            .color(p.muted),
    ]
    .spacing(spacing::S)
    .align_x(Alignment::Center);
    let words = column![
        text(ctx.t("attract-title")).size(theme::text::H1),
        text(ctx.t("attract-subtitle")).size(theme::text::H2 * 0.8),
        container(text(ctx.t(hint)).size(theme::text::BODY).color(p.on_ship))
            .padding(spacing::M)
            .style(theme::band(p.ship, p.on_ship)),
        widgets::touch(
            ctx.t("attract-start"),
            Some(Message::Start),
            theme::primary(p)
        )
        .width(Length::Fixed(520.0))
        .height(Length::Fixed(theme::TOUCH_TARGET * 1.4)),
    ]
    .spacing(spacing::L)
    .max_width(820);
    let body = ctx.arrange(words.into(), picture.into(), super::Side::Right);
    container(body)
        .center(Length::Fill)
        .padding(spacing::L)
        .into()
}

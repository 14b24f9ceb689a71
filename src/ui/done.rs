//! Order placed: the order number, a QR code the cashier scans to take payment, what happens
//! next, and when the screen clears itself.

use crate::config::BarcodeFormat;
use iced::widget::{column, container, image, text};
use iced::{Element, Length};

use super::theme::{self, spacing};
use super::{Ctx, widgets};

/// Seconds before the done screen returns to attract.
pub const SHOW_SECONDS: u64 = 90;

#[derive(Debug, Clone)]
pub struct Done {
    pub order_number: String,
    pub delivery: Option<String>,
    pub queued: bool,
    qr: Option<image::Handle>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Finish,
}

/// The QR the till scans: the kiosk order number, drawn with rxing.
fn qr(order_number: &str) -> Option<image::Handle> {
    let picture =
        crate::decode::render(BarcodeFormat::QrCode, order_number, 360, 360, false).ok()?;
    let (w, h) = picture.dimensions();
    let rgba: Vec<u8> = picture
        .into_raw()
        .into_iter()
        .flat_map(|v| [v, v, v, 255])
        .collect();
    Some(image::Handle::from_rgba(w, h, rgba))
}

impl Done {
    pub fn new(order_number: String, delivery: Option<String>, queued: bool) -> Self {
        let qr = qr(&order_number);
        Self {
            order_number,
            delivery,
            queued,
            qr,
        }
    }

    pub fn view<'a>(&'a self, ctx: &Ctx<'a>, seconds_left: u64) -> Element<'a, Message> {
        let p = ctx.palette;
        let mut words = column![
            text(ctx.t("done-title")).size(theme::text::H2),
            // The number on its own line, never broken: staff may need to type it.
            text(self.order_number.clone()).size(theme::text::H1 * 1.2),
            text(ctx.t("done-pay")).size(theme::text::H2),
            text(ctx.t_with(
                "done-next",
                &[("date", super::short_date(self.delivery.as_deref()))]
            ))
            .size(theme::text::BODY),
        ]
        .spacing(spacing::M)
        .max_width(900);
        if self.queued {
            words = words.push(
                container(text(ctx.t("order-failed")).size(theme::text::BODY))
                    .padding(spacing::S)
                    .style(theme::band(p.warning, p.on_warning)),
            );
        }
        words = words
            .push(
                text(ctx.t_with("done-reset", &[("seconds", seconds_left.to_string())]))
                    .size(theme::text::SMALL)
                    .color(p.muted),
            )
            .push(
                widgets::touch(
                    ctx.t("done-finish"),
                    Some(Message::Finish),
                    theme::primary(p),
                )
                .width(Length::Fixed(420.0)),
            );
        let code: Element<'a, Message> = match &self.qr {
            // The QR stays black on white in every theme: tills need it.
            Some(handle) => container(
                image(handle.clone())
                    .width(Length::Fixed(360.0))
                    .height(Length::Fixed(360.0)),
            )
            .padding(spacing::S)
            .style(theme::band(iced::Color::WHITE, iced::Color::BLACK))
            .into(),
            None => text(&self.order_number).size(theme::text::H1).into(),
        };
        let body = ctx.arrange(words.into(), code, super::Side::Right);
        container(body)
            .center(Length::Fill)
            .padding(spacing::L)
            .into()
    }
}

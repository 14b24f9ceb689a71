//! "An associate will bring size X": the request goes to the store and the shopper sees it
//! went. The kiosk returns to the attract screen a little later.

use iced::widget::{column, container, text};
use iced::{Alignment, Element, Length};

use super::theme::{self, spacing};
use super::{Ctx, widgets};

/// Seconds the confirmation stays before the kiosk returns to attract.
pub const SHOW_SECONDS: u64 = 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Sending,
    Sent,
    /// The store system did not answer; the request waits in the local queue.
    Queued,
}

#[derive(Debug, Clone)]
pub struct InStore {
    pub size_label: String,
    pub delivery: Delivery,
}

#[derive(Debug, Clone)]
pub enum Message {
    Delivered(bool),
    Finish,
}

pub enum Action {
    None,
    Finish,
}

impl InStore {
    pub fn new(size_label: String) -> Self {
        Self {
            size_label,
            delivery: Delivery::Sending,
        }
    }

    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::Delivered(ok) => {
                self.delivery = if ok { Delivery::Sent } else { Delivery::Queued };
                Action::None
            }
            Message::Finish => Action::Finish,
        }
    }

    pub fn view<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let p = ctx.palette;
        let state = match self.delivery {
            Delivery::Sending => ctx.t("instore-sending"),
            Delivery::Sent => ctx.t("instore-sent"),
            Delivery::Queued => ctx.t("instore-queued"),
        };
        container(
            column![
                text(ctx.t_with("instore-title", &[("size", self.size_label.clone())]))
                    .size(theme::text::H1),
                container(text(state).size(theme::text::H2 * 0.8))
                    .padding(spacing::M)
                    .style(theme::band(p.in_store, p.on_in_store)),
                widgets::touch(
                    ctx.t("instore-done"),
                    Some(Message::Finish),
                    theme::primary(p)
                )
                .width(Length::Fixed(420.0)),
            ]
            .spacing(spacing::L)
            .align_x(Alignment::Center)
            .max_width(1200),
        )
        .center(Length::Fill)
        .into()
    }
}

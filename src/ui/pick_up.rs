//! A size this store lacks that another store near here has on its shelf: those stores,
//! nearest first, each with its distance, address and pairs — and shipping home instead when
//! the warehouse can. The shopper leaves with a next step, never with "unavailable".

use iced::widget::{column, container, row, scrollable, text};
use iced::{Alignment, Element, Length};

use super::theme::{self, spacing};
use super::{Ctx, order, widgets};
use crate::domain::catalog::{NearbyStore, OtherStore, Style};
use crate::warehouse::protocol::StyleText;

/// One store the shopper could go to, with its distance from here.
#[derive(Debug, Clone)]
pub struct Nearby {
    pub store: OtherStore,
    pub distance_m: Option<u32>,
}

impl From<&NearbyStore<'_>> for Nearby {
    fn from(n: &NearbyStore<'_>) -> Self {
        Self {
            store: n.store.clone(),
            distance_m: n.distance_m,
        }
    }
}

#[derive(Debug, Clone)]
pub struct PickUp {
    shoe: Box<Style>,
    size_label: String,
    stores: Vec<Nearby>,
    /// The order for this size, as shipping home would start it: each reservation starts
    /// from it.
    order: Box<order::Order>,
    /// Whether the warehouse ships the size too.
    can_ship: bool,
    /// Whether a pair can be reserved (the warehouse holds pairs at stores).
    can_reserve: bool,
    delivery_estimate: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Message {
    /// Reserve at the `n`th store.
    Reserve(usize),
    ShipInstead,
}

pub enum Action {
    None,
    /// The order screen: a reservation at a store, or shipping home after all.
    Order(Box<order::Order>),
}

impl PickUp {
    /// The stores for `order`'s size; `can_ship`: the warehouse can send it home as well.
    pub fn new(
        order: Box<order::Order>,
        stores: Vec<Nearby>,
        can_ship: bool,
        can_reserve: bool,
    ) -> Self {
        Self {
            shoe: Box::new(order.style.clone()),
            size_label: order.size_label.clone(),
            delivery_estimate: order
                .entry
                .warehouse
                .as_ref()
                .and_then(|w| w.delivery_estimate.clone()),
            stores,
            order,
            can_ship,
            can_reserve,
        }
    }

    /// The stores offered, nearest first.
    #[cfg(test)]
    pub fn stores(&self) -> &[Nearby] {
        &self.stores
    }

    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::ShipInstead if self.can_ship => Action::Order(self.order.clone()),
            Message::Reserve(n) => match self.stores.get(n) {
                Some(store) if self.can_reserve => {
                    Action::Order(Box::new((*self.order).clone().pick_up(store.clone())))
                }
                _ => Action::None,
            },
            Message::ShipInstead => Action::None,
        }
    }

    fn store_card<'a>(&self, ctx: &Ctx<'a>, n: usize, nearby: &Nearby) -> Element<'a, Message> {
        let p = ctx.palette;
        let mut heading = row![
            text(nearby.store.name.clone())
                .size(theme::text::H2)
                .width(Length::Fill)
        ]
        .spacing(spacing::M)
        .align_y(Alignment::Center);
        if let Some(m) = nearby.distance_m {
            heading = heading.push(
                container(
                    text(ctx.t_with("pickup-distance", &[("distance", ctx.lang.distance(m))]))
                        .size(theme::text::SMALL),
                )
                .padding([spacing::XS / 2.0, spacing::S])
                .style(theme::band(p.pick_up, p.on_pick_up)),
            );
        }
        let about = column![
            heading,
            text(nearby.store.address.clone()).size(theme::text::BODY),
            text(ctx.t_with(
                "pickup-pairs",
                &[("count", nearby.store.quantity.to_string())]
            ))
            .size(theme::text::SMALL)
            .color(p.muted),
        ]
        .spacing(spacing::XS)
        .width(Length::Fill);
        let mut card = row![about].spacing(spacing::M).align_y(Alignment::Center);
        if self.can_reserve {
            card = card.push(
                widgets::touch(
                    ctx.t("pickup-reserve"),
                    Some(Message::Reserve(n)),
                    theme::primary(p),
                )
                .width(Length::Fixed(300.0)),
            );
        }
        container(card)
            .padding(spacing::M)
            .width(Length::Fill)
            .style(theme::surface(p))
            .into()
    }

    pub fn view<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let p = ctx.palette;
        let shoe = format!(
            "{} {} · {}",
            self.shoe.brand,
            super::style_text(ctx.lang, &self.shoe, StyleText::Name),
            super::style_text(ctx.lang, &self.shoe, StyleText::Colour)
        );
        let cards = column(
            self.stores
                .iter()
                .enumerate()
                .map(|(i, n)| self.store_card(ctx, i, n)),
        )
        .spacing(spacing::S);
        // Back to the sizes is the footer's Back, as on every screen.
        let mut choices = row![].spacing(spacing::M);
        if self.can_ship {
            choices = choices.push(
                widgets::touch(
                    ctx.t_with(
                        "pickup-ship",
                        &[(
                            "date",
                            ctx.lang.short_date(self.delivery_estimate.as_deref()),
                        )],
                    ),
                    Some(Message::ShipInstead),
                    theme::secondary(p),
                )
                .width(Length::Fixed(720.0)),
            );
        }
        container(
            column![
                text(ctx.t_with(
                    "pickup-title",
                    &[("size", self.size_label.replace(' ', "\u{a0}"))]
                ))
                .size(theme::text::H1),
                text(shoe).size(theme::text::H2 * 0.8),
                text(ctx.t("pickup-hint")).size(theme::text::BODY),
                scrollable(cards).spacing(spacing::S).height(Length::Fill),
                choices,
            ]
            .spacing(spacing::M)
            .max_width(1300),
        )
        .center_x(Length::Fill)
        .height(Length::Fill)
        .padding(spacing::L)
        .into()
    }
}

//! Dropship: review (item, size, price, delivery, shipping), then the address form on an
//! on-screen keyboard with validation next to each field, then confirm.

use crate::catalog::{GridEntry, Style};
use crate::orders::OrderDraft;
use crate::warehouse::protocol::{Address, Contact};
use iced::widget::{button, column, container, row, text};
use iced::{Alignment, Element, Length};

use super::theme::{self, spacing};
use super::{Ctx, widgets};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    Street,
    Postcode,
    City,
    Country,
    Email,
    Phone,
}

impl Field {
    pub const ALL: [Field; 7] = [
        Field::Name,
        Field::Street,
        Field::Postcode,
        Field::City,
        Field::Country,
        Field::Email,
        Field::Phone,
    ];

    fn key(self) -> &'static str {
        match self {
            Field::Name => "field-name",
            Field::Street => "field-street",
            Field::Postcode => "field-postcode",
            Field::City => "field-city",
            Field::Country => "field-country",
            Field::Email => "field-email",
            Field::Phone => "field-phone",
        }
    }

    fn index(self) -> usize {
        Self::ALL.iter().position(|f| *f == self).unwrap_or(0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Review,
    Form,
    Sending,
}

#[derive(Debug, Clone)]
pub struct Order {
    pub style: Style,
    pub entry: GridEntry,
    pub size_label: String,
    pub stage: Stage,
    values: [String; 7],
    /// Message keys of the errors shown under each field.
    errors: [Option<&'static str>; 7],
    focus: Field,
    shifted: bool,
}

#[derive(Debug, Clone)]
pub enum Message {
    Continue,
    Focus(Field),
    Key(char),
    Backspace,
    Shift,
    Place,
}

pub enum Action {
    None,
    Place(Box<OrderDraft>),
}

impl Order {
    pub fn new(style: Style, entry: GridEntry, size_label: String) -> Self {
        Self {
            style,
            entry,
            size_label,
            stage: Stage::Review,
            values: Default::default(),
            errors: [None; 7],
            focus: Field::Name,
            // Names start with a capital.
            shifted: true,
        }
    }

    pub fn value(&self, field: Field) -> &str {
        &self.values[field.index()]
    }

    pub fn error(&self, field: Field) -> Option<&'static str> {
        self.errors[field.index()]
    }

    /// Checks the form; returns whether it can be sent. Errors are kept per field.
    pub fn validate(&mut self) -> bool {
        let v = |f: Field| self.values[f.index()].trim().to_owned();
        let mut errors: [Option<&'static str>; 7] = [None; 7];
        for f in [Field::Name, Field::Street, Field::Postcode, Field::City] {
            if v(f).is_empty() {
                errors[f.index()] = Some("error-required");
            }
        }
        let country = v(Field::Country);
        if country.len() != 2 || !country.chars().all(|c| c.is_ascii_alphabetic()) {
            errors[Field::Country.index()] = Some("error-country");
        }
        let (email, phone) = (v(Field::Email), v(Field::Phone));
        if email.is_empty() && phone.is_empty() {
            errors[Field::Email.index()] = Some("error-contact");
        } else if !email.is_empty() {
            let ok = email.split_once('@').is_some_and(|(user, domain)| {
                !user.is_empty() && domain.contains('.') && !domain.ends_with('.')
            });
            if !ok {
                errors[Field::Email.index()] = Some("error-email");
            }
        }
        self.errors = errors;
        errors.iter().all(Option::is_none)
    }

    fn draft(&self) -> OrderDraft {
        let v = |f: Field| self.values[f.index()].trim().to_owned();
        OrderDraft {
            gtin: self.entry.gtin,
            quantity: 1,
            unit_price_cents: self.style.price_cents,
            currency: self.style.currency.clone(),
            shipping_cents: 0,
            ship_to: Address {
                name: v(Field::Name),
                line1: v(Field::Street),
                line2: String::new(),
                postal_code: v(Field::Postcode),
                city: v(Field::City),
                country: v(Field::Country).to_ascii_uppercase(),
            },
            contact: Contact {
                email: v(Field::Email),
                phone: v(Field::Phone),
            },
        }
    }

    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::Continue => self.stage = Stage::Form,
            Message::Focus(field) => {
                self.focus = field;
                self.shifted = matches!(
                    field,
                    Field::Name | Field::Street | Field::City | Field::Country
                ) && self.values[field.index()].is_empty();
            }
            Message::Key(c) => {
                let value = &mut self.values[self.focus.index()];
                // A hardware keyboard or a wedge scanner can send control characters and
                // text-direction overrides; they never enter an address (the outbox and the
                // warehouse would refuse the order).
                if crate::warehouse::protocol::is_forbidden_in_shopper_text(c) {
                    return Action::None;
                }
                if value.chars().count() < 80 {
                    value.push(c);
                }
                self.errors[self.focus.index()] = None;
                self.shifted = self.focus == Field::Country;
            }
            Message::Backspace => {
                self.values[self.focus.index()].pop();
            }
            Message::Shift => self.shifted = !self.shifted,
            Message::Place => {
                if self.validate() {
                    self.stage = Stage::Sending;
                    return Action::Place(Box::new(self.draft()));
                }
            }
        }
        Action::None
    }

    pub fn view<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        match self.stage {
            Stage::Review => self.review(ctx),
            Stage::Form | Stage::Sending => self.form(ctx),
        }
    }

    fn review<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let p = ctx.palette;
        let line = |label: String, value: String| {
            row![
                text(label)
                    .size(theme::text::BODY)
                    .color(p.muted)
                    .width(Length::Fixed(320.0)),
                text(value).size(theme::text::BODY),
            ]
            .spacing(spacing::M)
        };
        let delivery = self
            .entry
            .warehouse
            .as_ref()
            .and_then(|w| w.delivery_estimate.clone());
        container(
            column![
                text(ctx.t("order-review-title")).size(theme::text::H1),
                container(
                    column![
                        line(
                            ctx.t("order-item"),
                            format!(
                                "{} {} · {}",
                                self.style.brand, self.style.name, self.style.colour
                            )
                        ),
                        line(ctx.t("order-size"), self.size_label.clone()),
                        line(
                            ctx.t("order-price"),
                            ctx.lang.money(self.style.price_cents, &self.style.currency)
                        ),
                        line(ctx.t("order-shipping"), ctx.t("status-ship-free")),
                        line(
                            ctx.t("order-delivery"),
                            ctx.lang.short_date(delivery.as_deref())
                        ),
                    ]
                    .spacing(spacing::M),
                )
                .padding(spacing::L)
                .style(theme::surface(p)),
                text(ctx.t("order-pay-note")).size(theme::text::BODY),
                widgets::touch(
                    ctx.t("order-continue"),
                    Some(Message::Continue),
                    theme::primary(p)
                )
                .width(Length::Fixed(420.0)),
            ]
            .spacing(spacing::L)
            .max_width(1100),
        )
        .center(Length::Fill)
        .into()
    }

    fn form<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let p = ctx.palette;
        // One row per field (label, value, error beside it) so the form and the keyboard fit
        // one 1080p screen side by side.
        let field = |f: Field| -> Element<'a, Message> {
            let focused = f == self.focus;
            let value = self.value(f);
            let shown = if focused {
                format!("{value}|")
            } else {
                value.to_owned()
            };
            let mut line = row![
                text(ctx.t(f.key()))
                    .size(theme::text::SMALL)
                    .width(Length::Fixed(230.0)),
                button(text(shown).size(theme::text::BODY))
                    .width(Length::Fixed(440.0))
                    .height(Length::Fixed(theme::TOUCH_TARGET))
                    .padding(spacing::S)
                    .on_press(Message::Focus(f))
                    .style(theme::tinted(p.surface, p.text, p, focused)),
            ]
            .spacing(spacing::S)
            .align_y(Alignment::Center);
            // The error column is always there, so fields never move under a finger.
            let error = self.error(f).map(|e| ctx.t(e)).unwrap_or_default();
            line = line.push(
                text(error)
                    .size(theme::text::SMALL)
                    .color(p.danger)
                    .width(Length::Fixed(300.0)),
            );
            line.into()
        };
        let fields = column(Field::ALL.iter().map(|f| field(*f))).spacing(spacing::S);
        let sending = self.stage == Stage::Sending;
        let confirm = widgets::touch(
            ctx.t(if sending {
                "order-sending"
            } else {
                "order-confirm"
            }),
            (!sending).then_some(Message::Place),
            theme::primary(p),
        )
        .width(Length::Fixed(520.0));
        let form = column![
            text(ctx.t("order-form-title")).size(theme::text::H2),
            fields,
            confirm
        ]
        .spacing(spacing::M);
        let keys = widgets::keyboard(
            p,
            self.shifted,
            Message::Key,
            Message::Backspace,
            Message::Shift,
            (ctx.t("keyboard-space"), Message::Key(' ')),
        );
        let body = ctx.arrange(form.into(), keys, super::Side::Left);
        container(body)
            .center(Length::Fill)
            .padding(spacing::M)
            .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sizes::{SizeChart, Width};

    fn order() -> Order {
        let style = Style {
            style_code: "S".into(),
            brand: "B".into(),
            name: "N".into(),
            colour: "Red".into(),
            gender: "men".into(),
            price_cents: 9999,
            currency: "EUR".into(),
            image: String::new(),
            description: String::new(),
            fit_note: String::new(),
        };
        let entry = GridEntry {
            gtin: "4006381333931".parse().unwrap(),
            size_mm: 270,
            width: Width::Standard,
            labels: SizeChart::embedded().labels(270),
            store_quantity: Some(0),
            store_updated_at: None,
            warehouse: None,
        };
        Order::new(style, entry, "EU 42.5".into())
    }

    fn type_into(o: &mut Order, field: Field, value: &str) {
        o.update(Message::Focus(field));
        for c in value.chars() {
            o.update(Message::Key(c));
        }
    }

    #[test]
    fn invalid_then_valid_form() {
        let mut o = order();
        o.update(Message::Continue);
        assert_eq!(o.stage, Stage::Form);
        assert!(matches!(o.update(Message::Place), Action::None));
        assert_eq!(o.error(Field::Name), Some("error-required"));
        assert_eq!(o.error(Field::Country), Some("error-country"));
        assert_eq!(o.error(Field::Email), Some("error-contact"));
        type_into(&mut o, Field::Name, "Ana Li");
        assert_eq!(
            o.error(Field::Name),
            None,
            "typing clears the field's error"
        );
        type_into(&mut o, Field::Street, "Calle Mayor 1");
        type_into(&mut o, Field::Postcode, "28013");
        type_into(&mut o, Field::City, "Madrid");
        type_into(&mut o, Field::Country, "es");
        type_into(&mut o, Field::Email, "ana@example");
        assert!(matches!(o.update(Message::Place), Action::None));
        assert_eq!(o.error(Field::Email), Some("error-email"));
        o.update(Message::Focus(Field::Email));
        for c in ".com".chars() {
            o.update(Message::Key(c));
        }
        match o.update(Message::Place) {
            Action::Place(draft) => {
                assert_eq!(draft.ship_to.country, "ES");
                assert_eq!(draft.ship_to.city, "Madrid");
                assert_eq!(draft.contact.email, "ana@example.com");
                assert_eq!(draft.unit_price_cents, 9999);
            }
            Action::None => panic!("valid form should place the order"),
        }
        assert_eq!(o.stage, Stage::Sending);
    }

    #[test]
    fn backspace_and_phone_only_contact() {
        let mut o = order();
        type_into(&mut o, Field::Phone, "+34 600 000 0001");
        o.update(Message::Backspace);
        assert_eq!(o.value(Field::Phone), "+34 600 000 000");
        o.validate();
        assert_eq!(o.error(Field::Email), None, "a phone is enough");
    }

    #[test]
    fn control_characters_and_direction_overrides_never_enter_a_field() {
        let mut o = order();
        type_into(&mut o, Field::Name, "A\u{1b}na\u{202e} L\ri\n\u{0}");
        assert_eq!(o.value(Field::Name), "Ana Li");
    }
}

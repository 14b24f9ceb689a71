//! An order: review (item, size, price, where it goes and when), the form on an on-screen
//! keyboard with each field checked beside it, then "Check" with everything entered before it
//! is placed. Shipped home, the form asks the address (the country picked from a list);
//! shipped to this store or held at another store for pick-up, only a name and a phone number
//! or e-mail. Back goes one step back at every stage.

use std::sync::Arc;

use crate::domain::address;
use crate::domain::catalog::{GridEntry, Style};
use crate::domain::events::Event;
use crate::domain::orders::{self, OrderDraft, OrderError};
use crate::warehouse::protocol::{Address, Contact, Fulfilment, StyleText};
use iced::widget::{button, column, container, row, text};
use iced::{Alignment, Element, Length, Task};

use super::services::Services;
use super::theme::{self, spacing};
use super::{Ctx, done, pick_up, widgets};

/// An order stored in the outbox: its kiosk number, the warehouse's number when it confirmed
/// it at once, and whether the warehouse can e-mail its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub number: String,
    pub warehouse_id: Option<String>,
    pub code_email: bool,
    /// A pick-up: held at the store until then (the warehouse's word).
    pub held_until: Option<String>,
}

/// Stores the order in the outbox — from there it is safe — and sends it at once; if the
/// warehouse is down, the outbox keeps trying. The answer comes back as [`Message::Placed`].
pub fn place(services: &Arc<Services>, draft: OrderDraft) -> Task<Message> {
    let services = services.clone();
    let store_id = services.config.store.id.clone();
    Task::perform(
        async move {
            let order = services
                .db
                .run(move |db| orders::enqueue(db, &store_id, &draft))
                .await?;
            let report = orders::send_due(&services.db, &services.client, false).await;
            let confirmed = report.is_ok_and(|r| r.confirmed.contains(&order.id));
            let id = order.id.clone();
            let stored = if confirmed {
                services.db.run(move |db| orders::get(db, &id)).await.ok()
            } else {
                None
            };
            let (warehouse_id, held_until) = stored
                .map(|o| (o.warehouse_order_id, o.held_until))
                .unwrap_or_default();
            Ok(Placed {
                number: order.id,
                warehouse_id,
                code_email: services.client.offers_code_email(),
                held_until,
            })
        },
        Message::Placed,
    )
}

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

    /// What an order collected in a store asks: no address.
    pub const CONTACT: [Field; 3] = [Field::Name, Field::Email, Field::Phone];

    fn index(self) -> usize {
        Self::ALL.iter().position(|f| *f == self).unwrap_or(0)
    }

    /// The field after this one among `fields`.
    fn next_in(self, fields: &[Field]) -> Field {
        let at = fields.iter().position(|f| *f == self).unwrap_or(0);
        fields[(at + 1) % fields.len()]
    }
}

/// Where the pair goes, as the shopper chose it.
#[derive(Debug, Clone)]
pub enum Delivery {
    /// From the warehouse to the shopper's address.
    Home,
    /// From the warehouse to this store, collected at the counter.
    ThisStore,
    /// Held at another store, from its shelf, collected there today.
    PickUp(Box<pick_up::Nearby>),
}

impl Delivery {
    fn needs_address(&self) -> bool {
        matches!(self, Delivery::Home)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Review,
    Form,
    /// Everything entered, read back before the order is placed.
    Check,
    Sending,
}

/// What is wrong with a field: a message key and, for a postcode, a real one to copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub key: &'static str,
    pub example: String,
}

impl FieldError {
    fn plain(key: &'static str) -> Option<Self> {
        Some(Self {
            key,
            example: String::new(),
        })
    }
}

#[derive(Debug, Clone)]
pub struct Order {
    pub style: Style,
    pub entry: GridEntry,
    pub size_label: String,
    pub stage: Stage,
    values: [String; 7],
    /// The country picked (ISO code); the store's own until the shopper picks another.
    country: String,
    errors: [Option<FieldError>; 7],
    focus: Field,
    shifted: bool,
    /// The web shop's page of this size as a QR code (`[shop] product_url`), offered instead of
    /// typing an address here.
    phone: Option<widgets::QrCode>,
    pub delivery: Delivery,
    /// Whether "to this store" is offered beside home delivery (the warehouse ships to stores).
    store_delivery: bool,
}

#[derive(Debug, Clone)]
pub enum Message {
    Continue,
    /// Home delivery (`false`) or to this store (`true`).
    ToThisStore(bool),
    Focus(Field),
    Key(char),
    Backspace,
    Shift,
    /// The "Next" key: the following field.
    Next,
    PickCountry(String),
    /// "Check my address": validate, then read it all back.
    Check,
    Back,
    Place,
    /// The outbox's answer (see [`place`]).
    Placed(Result<Placed, OrderError>),
}

pub enum Action {
    None,
    /// Back from the first stage: to the product.
    Leave,
    /// Store and send this order (with [`place`]).
    Place(Box<OrderDraft>),
    /// Placed: the done screen to show, and the event for the analytics.
    Done(Box<done::Done>, Event),
    /// Not even written to the outbox: the kiosk cannot take orders.
    Failed(OrderError),
}

/// Side of the QR code that continues the order on a phone, pixels.
pub(super) const PHONE_QR_SIDE: u32 = 280;

impl Order {
    pub fn new(style: Style, entry: GridEntry, size_label: String, store_country: &str) -> Self {
        let mut values: [String; 7] = Default::default();
        values[Field::Country.index()] = store_country.to_owned();
        Self {
            style,
            entry,
            size_label,
            stage: Stage::Review,
            values,
            country: store_country.to_owned(),
            errors: Default::default(),
            focus: Field::Name,
            // Names start with a capital.
            shifted: true,
            phone: None,
            delivery: Delivery::Home,
            store_delivery: false,
        }
    }

    /// Offers "to this store" beside home delivery.
    pub fn with_store_delivery(mut self, offered: bool) -> Self {
        self.store_delivery = offered;
        self
    }

    /// A pair held for the shopper at `store`, collected there.
    pub fn pick_up(mut self, store: pick_up::Nearby) -> Self {
        self.delivery = Delivery::PickUp(Box::new(store));
        self.store_delivery = false;
        self
    }

    /// The fields this order asks for.
    pub fn fields(&self) -> &'static [Field] {
        if self.delivery.needs_address() {
            &Field::ALL
        } else {
            &Field::CONTACT
        }
    }

    pub fn with_phone(mut self, phone: Option<widgets::QrCode>) -> Self {
        self.phone = phone;
        self
    }

    #[cfg(test)]
    pub(super) fn phone_qr(&self) -> Option<&widgets::QrCode> {
        self.phone.as_ref()
    }

    pub fn value(&self, field: Field) -> &str {
        &self.values[field.index()]
    }

    #[cfg(test)]
    pub fn error(&self, field: Field) -> Option<&'static str> {
        self.errors[field.index()].as_ref().map(|e| e.key)
    }

    /// Checks the form; returns whether it can be sent. Errors are kept per field.
    pub fn validate(&mut self) -> bool {
        let v = |f: Field| self.values[f.index()].trim().to_owned();
        let mut errors: [Option<FieldError>; 7] = Default::default();
        let mut written_postcode = None;
        for f in [Field::Name, Field::Street, Field::Postcode, Field::City] {
            if v(f).is_empty() && self.fields().contains(&f) {
                errors[f.index()] = FieldError::plain("error-required");
            }
        }
        match address::country(&self.country) {
            _ if !self.delivery.needs_address() => {}
            None => errors[Field::Country.index()] = FieldError::plain("error-country"),
            Some(country) if !v(Field::Postcode).is_empty() => {
                match country.postcode(&v(Field::Postcode)) {
                    Ok(written) => written_postcode = Some(written),
                    Err(_) => {
                        errors[Field::Postcode.index()] = Some(FieldError {
                            key: "error-postcode",
                            example: country.example().to_owned(),
                        });
                    }
                }
            }
            Some(_) => {}
        }
        let (email, phone) = (v(Field::Email), v(Field::Phone));
        if email.is_empty() && phone.is_empty() {
            errors[Field::Email.index()] = FieldError::plain("error-contact");
        } else if !email.is_empty() && address::check_email(&email).is_err() {
            errors[Field::Email.index()] = FieldError::plain("error-email");
        }
        if !phone.is_empty() && phone.chars().filter(char::is_ascii_digit).count().lt(&6) {
            errors[Field::Phone.index()] = FieldError::plain("error-phone");
        }
        let ok = errors.iter().all(Option::is_none);
        if let Some(written) = written_postcode {
            // As the post writes it: "sw1a 1aa" becomes "SW1A 1AA".
            self.values[Field::Postcode.index()] = written;
        }
        self.errors = errors;
        if let Some(first) = Field::ALL.iter().find(|f| self.errors[f.index()].is_some()) {
            self.focus = *first;
        }
        ok
    }

    fn draft(&self) -> OrderDraft {
        let v = |f: Field| {
            if self.fields().contains(&f) {
                self.values[f.index()].trim().to_owned()
            } else {
                String::new()
            }
        };
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
                country: self.country.clone(),
            },
            contact: Contact {
                email: v(Field::Email),
                phone: v(Field::Phone),
            },
            fulfilment: match &self.delivery {
                Delivery::Home => Fulfilment::Home,
                Delivery::ThisStore => Fulfilment::ShipToStore,
                Delivery::PickUp(store) => Fulfilment::PickUp {
                    store_id: store.store.store_id.clone(),
                },
            },
        }
    }

    fn focus_on(&mut self, field: Field) {
        self.focus = field;
        self.shifted = matches!(field, Field::Name | Field::Street | Field::City)
            && self.values[field.index()].is_empty();
    }

    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::Continue => self.stage = Stage::Form,
            Message::ToThisStore(to_store) => {
                if self.stage == Stage::Review && self.store_delivery {
                    self.delivery = if to_store {
                        Delivery::ThisStore
                    } else {
                        Delivery::Home
                    };
                    if !self.fields().contains(&self.focus) {
                        self.focus_on(Field::Name);
                    }
                }
            }
            Message::Focus(field) => self.focus_on(field),
            Message::Next => self.focus_on(self.focus.next_in(self.fields())),
            Message::Key(c) => {
                // The country is picked from the list, not typed.
                if self.focus == Field::Country {
                    return Action::None;
                }
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
                // A capital starts each word of a name, street or city.
                self.shifted =
                    c == ' ' && matches!(self.focus, Field::Name | Field::Street | Field::City);
            }
            Message::Backspace => {
                self.values[self.focus.index()].pop();
            }
            Message::Shift => self.shifted = !self.shifted,
            Message::PickCountry(code) => {
                if address::country(&code).is_some() {
                    self.values[Field::Country.index()] = code.clone();
                    self.country = code;
                    self.errors[Field::Country.index()] = None;
                    // A postcode checked against the old country is checked again.
                    self.errors[Field::Postcode.index()] = None;
                    self.focus_on(Field::Email);
                }
            }
            Message::Check => {
                if self.validate() {
                    self.stage = Stage::Check;
                }
            }
            Message::Back => match self.stage {
                Stage::Review => return Action::Leave,
                Stage::Form => self.stage = Stage::Review,
                Stage::Check => self.stage = Stage::Form,
                Stage::Sending => {}
            },
            Message::Place => {
                if self.stage == Stage::Check && self.validate() {
                    self.stage = Stage::Sending;
                    return Action::Place(Box::new(self.draft()));
                }
            }
            Message::Placed(Ok(placed)) => {
                let collect = match &self.delivery {
                    Delivery::Home => done::Collect::Home,
                    Delivery::ThisStore => done::Collect::ThisStore,
                    Delivery::PickUp(store) => done::Collect::PickUp {
                        store: store.store.name.clone(),
                        address: store.store.address.clone(),
                        held_until: placed.held_until.clone(),
                    },
                };
                let done = done::Done::new(
                    placed.number,
                    self.entry
                        .warehouse
                        .as_ref()
                        .and_then(|w| w.delivery_estimate.clone()),
                    placed.warehouse_id,
                    self.value(Field::Email),
                    placed.code_email,
                )
                .collected(collect);
                let (gtin, style) = (self.entry.gtin, self.style.style_code.clone());
                let ordered = match self.delivery {
                    Delivery::Home => Event::DropshipOrder { gtin, style },
                    Delivery::ThisStore => Event::ShipToStoreOrder { gtin, style },
                    Delivery::PickUp(_) => Event::ReservedElsewhere { gtin, style },
                };
                return Action::Done(Box::new(done), ordered);
            }
            Message::Placed(Err(e)) => return Action::Failed(e),
        }
        Action::None
    }

    pub fn view<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        match self.stage {
            Stage::Review => self.review(ctx),
            Stage::Form => self.form(ctx),
            Stage::Check | Stage::Sending => self.check(ctx),
        }
    }

    fn line<'a>(ctx: &Ctx<'a>, label: String, value: String) -> Element<'a, Message> {
        row![
            text(label)
                .size(theme::text::BODY)
                .color(ctx.palette.muted)
                .width(Length::Fixed(320.0)),
            text(value).size(theme::text::BODY),
        ]
        .spacing(spacing::M)
        .into()
    }

    fn item_lines<'a>(&'a self, ctx: &Ctx<'a>) -> Vec<Element<'a, Message>> {
        let delivery = self
            .entry
            .warehouse
            .as_ref()
            .and_then(|w| w.delivery_estimate.clone());
        vec![
            Self::line(
                ctx,
                ctx.t("order-item"),
                format!(
                    "{} {} · {}",
                    self.style.brand,
                    super::style_text(ctx.lang, &self.style, StyleText::Name),
                    super::style_text(ctx.lang, &self.style, StyleText::Colour)
                ),
            ),
            Self::line(ctx, ctx.t("order-size"), self.size_label.clone()),
            Self::line(
                ctx,
                ctx.t("order-price"),
                ctx.lang.money(self.style.price_cents, &self.style.currency),
            ),
        ]
        .into_iter()
        .chain(match &self.delivery {
            Delivery::PickUp(store) => vec![
                Self::line(
                    ctx,
                    ctx.t("order-pickup-at"),
                    format!("{} · {}", store.store.name, store.store.address),
                ),
                Self::line(ctx, ctx.t("order-pickup-when"), ctx.t("order-pickup-today")),
            ],
            Delivery::Home | Delivery::ThisStore => vec![
                Self::line(
                    ctx,
                    ctx.t("order-shipping"),
                    ctx.t(if self.delivery.needs_address() {
                        "status-ship-free"
                    } else {
                        "order-to-store-free"
                    }),
                ),
                Self::line(
                    ctx,
                    ctx.t("order-delivery"),
                    ctx.lang.short_date(delivery.as_deref()),
                ),
            ],
        })
        .collect()
    }

    /// The review's title and the line about paying, for this delivery.
    fn review_words(&self, ctx: &Ctx<'_>) -> (String, String) {
        match &self.delivery {
            Delivery::Home => (ctx.t("order-review-title"), ctx.t("order-pay-note")),
            Delivery::ThisStore => (ctx.t("order-to-store-title"), ctx.t("order-pay-note")),
            Delivery::PickUp(store) => (
                ctx.t_with("order-pickup-title", &[("store", store.store.name.clone())]),
                ctx.t_with("order-pickup-pay", &[("store", store.store.name.clone())]),
            ),
        }
    }

    fn review<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let p = ctx.palette;
        let (title, pay) = self.review_words(ctx);
        let mut review = column![text(title).size(theme::text::H1)]
            .spacing(spacing::L)
            .max_width(1100);
        if self.store_delivery {
            let home = !matches!(self.delivery, Delivery::ThisStore);
            review = review.push(
                row![
                    widgets::touch(
                        ctx.t("order-to-home"),
                        Some(Message::ToThisStore(false)),
                        theme::choice(p, home)
                    )
                    .width(Length::Fixed(400.0)),
                    widgets::touch(
                        ctx.t("order-to-store"),
                        Some(Message::ToThisStore(true)),
                        theme::choice(p, !home)
                    )
                    .width(Length::Fixed(520.0)),
                ]
                .spacing(spacing::M),
            );
        }
        let review = review
            .push(
                container(column(self.item_lines(ctx)).spacing(spacing::M))
                    .padding(spacing::L)
                    .style(theme::surface(p)),
            )
            .push(text(pay).size(theme::text::BODY))
            .push(
                widgets::touch(
                    ctx.t("order-continue"),
                    Some(Message::Continue),
                    theme::primary(p),
                )
                .width(Length::Fixed(420.0)),
            );
        // Typing an address here is what the web shop's QR code spares a shopper.
        let phone = self
            .phone
            .as_ref()
            .filter(|_| self.delivery.needs_address());
        let body: Element<'a, Message> = match phone {
            Some(qr) => row![
                review,
                column![
                    text(ctx.t("order-phone-title")).size(theme::text::H2),
                    qr.view(),
                    text(ctx.t("order-phone-hint"))
                        .size(theme::text::BODY)
                        .color(p.muted),
                ]
                .spacing(spacing::M)
                .width(Length::Fixed(440.0)),
            ]
            .spacing(spacing::XL)
            .align_y(Alignment::Center)
            .into(),
            None => review.into(),
        };
        container(body).center(Length::Fill).into()
    }

    /// The check before placing: the item and every address line as it will be sent.
    fn check<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let p = ctx.palette;
        let v = |f: Field| self.value(f).trim().to_owned();
        let mut to = vec![Self::line(ctx, ctx.t("field-name"), v(Field::Name))];
        if self.delivery.needs_address() {
            to.extend([
                Self::line(ctx, ctx.t("field-street"), v(Field::Street)),
                Self::line(
                    ctx,
                    ctx.t("check-town"),
                    format!("{} {}", v(Field::Postcode), v(Field::City)),
                ),
                Self::line(
                    ctx,
                    ctx.t("check-country"),
                    country_name(ctx, &self.country),
                ),
            ]);
        }
        for f in [Field::Email, Field::Phone] {
            if !v(f).is_empty() {
                to.push(Self::line(ctx, ctx.t(f.key()), v(f)));
            }
        }
        let sending = self.stage == Stage::Sending;
        let place = widgets::touch(
            ctx.t(match (&self.delivery, sending) {
                (_, true) => "order-sending",
                (Delivery::PickUp(_), false) => "order-reserve",
                (_, false) => "order-confirm",
            }),
            (!sending).then_some(Message::Place),
            theme::primary(p),
        )
        .width(Length::Fixed(480.0));
        let change = widgets::touch(
            ctx.t("check-change"),
            (!sending).then_some(Message::Back),
            theme::secondary(p),
        )
        .width(Length::Fixed(420.0));
        container(
            column![
                text(ctx.t(if self.delivery.needs_address() {
                    "check-title"
                } else {
                    "check-title-contact"
                }))
                .size(theme::text::H2),
                container(column(to).spacing(spacing::S))
                    .padding(spacing::M)
                    .width(Length::Fill)
                    .style(theme::surface(p)),
                container(column(self.item_lines(ctx)).spacing(spacing::S))
                    .padding(spacing::M)
                    .width(Length::Fill)
                    .style(theme::surface(p)),
                row![change, place].spacing(spacing::M),
            ]
            .spacing(spacing::M)
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
            let value = if f == Field::Country {
                country_name(ctx, &self.country)
            } else {
                self.value(f).to_owned()
            };
            let shown = if focused && f != Field::Country {
                format!("{value}|")
            } else {
                value
            };
            let mut line = row![
                text(ctx.t(f.key()))
                    .size(theme::text::SMALL)
                    .width(Length::Fixed(190.0)),
                button(text(shown).size(theme::text::BODY))
                    .width(Length::Fixed(420.0))
                    .height(Length::Fixed(theme::TOUCH_TARGET))
                    .padding(spacing::S)
                    .on_press(Message::Focus(f))
                    .style(theme::tinted(p.surface, p.text, p, focused)),
            ]
            .spacing(spacing::S)
            .align_y(Alignment::Center);
            // The error column is always there, so fields never move under a finger.
            let error = self.errors[f.index()]
                .as_ref()
                .map(|e| {
                    ctx.t_with(
                        e.key,
                        &[
                            ("example", e.example.clone()),
                            ("country", country_name(ctx, &self.country)),
                        ],
                    )
                })
                .unwrap_or_default();
            line = line.push(
                text(error)
                    .size(theme::text::SMALL)
                    .color(p.danger)
                    .width(Length::Fixed(300.0)),
            );
            line.into()
        };
        let fields = column(self.fields().iter().map(|f| field(*f))).spacing(spacing::S);
        let check = widgets::touch(
            ctx.t(if self.delivery.needs_address() {
                "order-check"
            } else {
                "order-check-contact"
            }),
            Some(Message::Check),
            theme::primary(p),
        )
        .width(Length::Fixed(520.0));
        let form = column![
            text(ctx.t(if self.delivery.needs_address() {
                "order-form-title"
            } else {
                "order-form-contact-title"
            }))
            .size(theme::text::H2),
            fields,
            check
        ]
        .spacing(spacing::M);
        let right = if self.focus == Field::Country {
            self.country_list(ctx)
        } else {
            widgets::keyboard(
                p,
                self.shifted,
                &ctx.t("keyboard-extra"),
                Message::Key,
                Message::Backspace,
                Message::Shift,
                (ctx.t("keyboard-space"), Message::Key(' ')),
                (ctx.t("keyboard-next"), Message::Next),
            )
        };
        // The same width for the keyboard and the country list: the form never moves.
        let right = container(right).width(Length::Fixed(820.0)).into();
        let body = ctx.arrange(form.into(), right, super::Side::Left);
        container(body)
            .center(Length::Fill)
            .padding(spacing::M)
            .into()
    }

    /// Every country the kiosk ships to, the store's own first, then by name in the
    /// shopper's language.
    fn country_list<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let p = ctx.palette;
        let mut names: Vec<(String, String)> = address::countries()
            .iter()
            .map(|c| (country_name(ctx, &c.code), c.code.clone()))
            .collect();
        names.sort_by(|a, b| {
            let first = |code: &str| code != ctx.store_country;
            (first(&a.1), a.0.to_lowercase()).cmp(&(first(&b.1), b.0.to_lowercase()))
        });
        let buttons: Vec<Element<'a, Message>> = names
            .into_iter()
            .map(|(name, code)| {
                let picked = code == self.country;
                button(
                    text(name)
                        .size(theme::text::SMALL)
                        .align_y(Alignment::Center)
                        .height(Length::Fill),
                )
                .width(Length::Fixed(196.0))
                .height(Length::Fixed(theme::TOUCH_TARGET))
                .padding([0.0, spacing::XS])
                .on_press(Message::PickCountry(code))
                .style(theme::choice(p, picked))
                .into()
            })
            .collect();
        let mut rows =
            column![text(ctx.t("country-pick")).size(theme::text::BODY)].spacing(spacing::XS);
        let mut buttons = buttons.into_iter().peekable();
        while buttons.peek().is_some() {
            rows = rows.push(row(buttons.by_ref().take(4)).spacing(spacing::XS));
        }
        rows.into()
    }
}

/// A country's name in the shopper's language (`country-ES` in the .ftl), or its code.
pub fn country_name(ctx: &Ctx<'_>, code: &str) -> String {
    ctx.lang
        .try_text(&format!("country-{code}"))
        .unwrap_or_else(|| code.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::sizes::{SizeChart, Width};

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
            translations: Default::default(),
            category: String::new(),
            colour_family: String::new(),
            tags: Vec::new(),
        };
        let entry = GridEntry {
            gtin: "4006381333931".parse().unwrap(),
            size_mm: 270,
            width: Width::Standard,
            labels: SizeChart::embedded().labels(270),
            store_quantity: Some(0),
            store_updated_at: None,
            warehouse: None,
            elsewhere: Vec::new(),
        };
        Order::new(style, entry, "EU 42.5".into(), "ES")
    }

    fn type_into(o: &mut Order, field: Field, value: &str) {
        o.update(Message::Focus(field));
        for c in value.chars() {
            o.update(Message::Key(c));
        }
    }

    #[test]
    fn invalid_then_valid_form_then_check_then_place() {
        let mut o = order();
        o.update(Message::Continue);
        assert_eq!(o.stage, Stage::Form);
        o.update(Message::Check);
        assert_eq!(o.stage, Stage::Form, "nothing filled in: no check yet");
        assert_eq!(o.error(Field::Name), Some("error-required"));
        assert_eq!(
            o.error(Field::Country),
            None,
            "the store's country is preset"
        );
        assert_eq!(o.error(Field::Email), Some("error-contact"));
        type_into(&mut o, Field::Name, "Ana Li");
        assert_eq!(
            o.error(Field::Name),
            None,
            "typing clears the field's error"
        );
        type_into(&mut o, Field::Street, "Calle Mayor 1");
        type_into(&mut o, Field::Postcode, "12");
        type_into(&mut o, Field::City, "Madrid");
        type_into(&mut o, Field::Email, "ana@example");
        o.update(Message::Check);
        assert_eq!(
            o.error(Field::Postcode),
            Some("error-postcode"),
            "12 is not Spanish"
        );
        assert_eq!(o.error(Field::Email), Some("error-email"));
        o.update(Message::Focus(Field::Postcode));
        o.update(Message::Backspace);
        o.update(Message::Backspace);
        for c in "28013".chars() {
            o.update(Message::Key(c));
        }
        o.update(Message::Focus(Field::Email));
        for c in ".com".chars() {
            o.update(Message::Key(c));
        }
        assert!(
            matches!(o.update(Message::Place), Action::None),
            "not before the check"
        );
        o.update(Message::Check);
        assert_eq!(o.stage, Stage::Check, "everything read back first");
        // Back to change something, then check again.
        o.update(Message::Back);
        assert_eq!(o.stage, Stage::Form);
        o.update(Message::Check);
        match o.update(Message::Place) {
            Action::Place(draft) => {
                assert_eq!(draft.ship_to.country, "ES");
                assert_eq!(draft.ship_to.postal_code, "28013");
                assert_eq!(draft.ship_to.city, "Madrid");
                assert_eq!(draft.contact.email, "ana@example.com");
                assert_eq!(draft.unit_price_cents, 9999);
            }
            _ => panic!("a checked form places the order"),
        }
        assert_eq!(o.stage, Stage::Sending);
    }

    #[test]
    fn the_country_is_picked_from_the_list_and_the_postcode_follows_it() {
        let mut o = order();
        o.update(Message::Continue);
        type_into(&mut o, Field::Postcode, "sw1a 1aa");
        type_into(&mut o, Field::Country, "DE");
        assert_eq!(o.value(Field::Country), "ES", "the country is not typed");
        o.validate();
        assert_eq!(o.error(Field::Postcode), Some("error-postcode"));
        o.update(Message::PickCountry("GB".into()));
        o.update(Message::PickCountry("XX".into()));
        assert_eq!(o.value(Field::Country), "GB");
        o.validate();
        assert_eq!(o.error(Field::Postcode), None);
        assert_eq!(
            o.value(Field::Postcode),
            "SW1A 1AA",
            "written as the post does"
        );
    }

    #[test]
    fn back_walks_the_stages_then_leaves() {
        let mut o = order();
        assert!(matches!(o.update(Message::Back), Action::Leave));
        o.update(Message::Continue);
        assert!(matches!(o.update(Message::Back), Action::None));
        assert_eq!(o.stage, Stage::Review);
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

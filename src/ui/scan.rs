//! The scan screen: camera preview area with an aiming frame, and the keypad to type the
//! number under the barcode. Wedge-scanner input is handled by the parent on every screen.

use iced::widget::{column, container, text};
use iced::{Alignment, Border, Element, Length};

use super::theme::{self, spacing};
use super::{Ctx, widgets};

/// Longest code the keypad takes (GTIN-14).
const MAX_DIGITS: usize = 14;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Idle,
    Looking,
    NotFound,
    Unreadable(String),
}

#[derive(Debug, Clone)]
pub struct Scan {
    typed: String,
    status: Status,
}

#[derive(Debug, Clone)]
pub enum Message {
    Digit(char),
    Delete,
    Clear,
    Search,
}

pub enum Action {
    None,
    Lookup(String),
}

impl Scan {
    pub fn new() -> Self {
        Self {
            typed: String::new(),
            status: Status::Idle,
        }
    }

    #[cfg(test)]
    pub fn typed(&self) -> &str {
        &self.typed
    }

    #[cfg(test)]
    pub fn status(&self) -> &Status {
        &self.status
    }

    pub fn set_status(&mut self, status: Status) {
        self.status = status;
    }

    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::Digit(d) if self.typed.len() < MAX_DIGITS => {
                self.typed.push(d);
                self.status = Status::Idle;
            }
            Message::Digit(_) => {}
            Message::Delete => {
                self.typed.pop();
                self.status = Status::Idle;
            }
            Message::Clear => {
                self.typed.clear();
                self.status = Status::Idle;
            }
            Message::Search if !self.typed.is_empty() => {
                self.status = Status::Looking;
                return Action::Lookup(self.typed.clone());
            }
            Message::Search => {}
        }
        Action::None
    }

    pub fn view<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let p = ctx.palette;
        let frame = container(
            column![
                text(ctx.t(if ctx.camera {
                    "scan-aim"
                } else {
                    "scan-camera-off"
                }))
                .size(theme::text::BODY)
                .color(p.text)
                .align_x(Alignment::Center),
            ]
            .align_x(Alignment::Center),
        )
        .center(Length::Fill)
        .padding(spacing::L)
        .style(move |_| iced::widget::container::Style {
            border: Border {
                color: p.primary,
                width: 6.0,
                radius: theme::RADIUS.into(),
            },
            text_color: Some(p.text),
            background: Some(p.surface.into()),
            ..Default::default()
        });
        let camera = column![
            text(ctx.t("scan-title")).size(theme::text::H2),
            container(frame)
                .width(Length::Fixed(640.0))
                .height(Length::Fixed(420.0)),
        ]
        .spacing(spacing::M);

        let shown = if self.typed.is_empty() {
            "—".to_owned()
        } else {
            self.typed.clone()
        };
        let feedback: Element<'a, Message> = match &self.status {
            Status::Idle => text("").size(theme::text::BODY).into(),
            Status::Looking => text(ctx.t("scan-looking")).size(theme::text::BODY).into(),
            Status::NotFound => container(text(ctx.t("scan-not-found")).size(theme::text::BODY))
                .padding(spacing::S)
                .style(theme::band(p.warning, p.on_warning))
                .into(),
            Status::Unreadable(reason) => container(
                text(ctx.t_with("scan-unreadable", &[("reason", reason.clone())]))
                    .size(theme::text::BODY),
            )
            .padding(spacing::S)
            .style(theme::band(p.warning, p.on_warning))
            .into(),
        };
        let typing = column![
            text(ctx.t("scan-type-title")).size(theme::text::BODY),
            container(text(shown).size(theme::text::H2))
                .padding(spacing::S)
                .width(Length::Fixed(theme::TOUCH_TARGET * 5.2))
                .style(theme::surface(p)),
            widgets::keypad(
                p,
                Message::Digit,
                (ctx.t("scan-keypad-delete"), Message::Delete),
                (ctx.t("scan-keypad-clear"), Message::Clear),
            ),
            widgets::touch(
                ctx.t("scan-keypad-search"),
                (!self.typed.is_empty()).then_some(Message::Search),
                theme::primary(p),
            )
            .width(Length::Fixed(theme::TOUCH_TARGET * 5.2)),
            feedback,
        ]
        .spacing(spacing::M)
        .max_width(700);
        let body = ctx.arrange(camera.into(), typing.into(), super::Side::Left);
        container(body)
            .center(Length::Fill)
            .padding(spacing::L)
            .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_and_searching() {
        let mut scan = Scan::new();
        for d in "4012345001013".chars() {
            assert!(matches!(scan.update(Message::Digit(d)), Action::None));
        }
        scan.update(Message::Delete);
        scan.update(Message::Digit('3'));
        assert_eq!(scan.typed(), "4012345001013");
        match scan.update(Message::Search) {
            Action::Lookup(code) => assert_eq!(code, "4012345001013"),
            Action::None => panic!("search should look up"),
        }
        assert_eq!(scan.status(), &Status::Looking);
        scan.update(Message::Clear);
        assert!(
            matches!(scan.update(Message::Search), Action::None),
            "nothing to search"
        );
        for _ in 0..20 {
            scan.update(Message::Digit('1'));
        }
        assert_eq!(scan.typed().len(), MAX_DIGITS);
    }
}

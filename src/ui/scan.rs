//! The scan screen: camera preview area with an aiming frame, and the keypad to type the
//! number under the barcode. Wedge-scanner input is handled by the parent on every screen.

use iced::widget::space;
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
    Unreadable(Why),
    /// The lookup itself failed (the database): an associate can help; details are logged.
    Broken,
}

/// Why a code cannot be a product number, in the shopper's terms. Each is a sentence in the
/// locale files; an error's own text (written for staff and logs) never reaches the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    Empty,
    NotDigits,
    Length(usize),
    CheckDigit,
    NotAProduct,
}

impl Why {
    pub fn of(e: &crate::domain::barcode::BarcodeError) -> Self {
        use crate::domain::barcode::BarcodeError as E;
        match e {
            E::Empty => Why::Empty,
            E::NotDigit { .. } => Why::NotDigits,
            E::WrongLength { len } => Why::Length(*len),
            E::CheckDigit { .. } => Why::CheckDigit,
            E::UpcE(_) | E::ElementString(_) | E::DigitalLink(_) | E::NoGtin => Why::NotAProduct,
        }
    }

    fn text(self, ctx: &Ctx<'_>) -> String {
        match self {
            Why::Empty => ctx.t("scan-why-empty"),
            Why::NotDigits => ctx.t("scan-why-digits"),
            Why::Length(len) => ctx.t_with("scan-why-length", &[("count", len.to_string())]),
            Why::CheckDigit => ctx.t("scan-why-check"),
            Why::NotAProduct => ctx.t("scan-why-product"),
        }
    }
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

    /// A code from the handheld scanner or the camera: shown as typed digits would be, so the
    /// shopper sees what was read.
    pub fn show_code(&mut self, code: &str) {
        self.typed = code
            .chars()
            .filter(char::is_ascii_digit)
            .take(MAX_DIGITS)
            .collect();
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
        // The live preview with the aiming frame over it, or words saying why there is none.
        let aim = move |_: &iced::Theme| iced::widget::container::Style {
            border: Border {
                color: p.primary,
                width: 6.0,
                radius: theme::RADIUS.into(),
            },
            text_color: Some(p.text),
            ..Default::default()
        };
        let frame: Element<'a, Message> = match (ctx.camera_enabled, ctx.camera) {
            (true, super::CameraState::Active(Some(preview))) => iced::widget::stack![
                iced::widget::image(preview.clone())
                    .width(Length::Fill)
                    .height(Length::Fill),
                container(
                    container(
                        text(ctx.t("scan-aim"))
                            .size(theme::text::SMALL)
                            .color(p.on_primary)
                    )
                    .padding(spacing::XS)
                    .style(theme::band(p.primary, p.on_primary)),
                )
                .align_bottom(Length::Fill)
                .center_x(Length::Fill)
                .padding(spacing::S),
                container(space::horizontal())
                    .width(Length::Fixed(360.0))
                    .height(Length::Fixed(200.0))
                    .style(aim)
                    .center(Length::Fill),
            ]
            .into(),
            (true, super::CameraState::Starting | super::CameraState::Active(None)) => {
                container(text(ctx.t("scan-camera-starting")).size(theme::text::BODY))
                    .center(Length::Fill)
                    .style(aim)
                    .into()
            }
            (true, super::CameraState::Unavailable) => container(
                text(ctx.t("scan-camera-unavailable"))
                    .size(theme::text::BODY)
                    .align_x(Alignment::Center),
            )
            .center(Length::Fill)
            .padding(spacing::L)
            .style(theme::band(p.warning, p.on_warning))
            .into(),
            (false, _) => container(
                text(ctx.t("scan-camera-off"))
                    .size(theme::text::BODY)
                    .align_x(Alignment::Center),
            )
            .center(Length::Fill)
            .padding(spacing::L)
            .style(aim)
            .into(),
        };
        // The heading names what works: the camera when it runs, else the handheld scanner,
        // else the keypad (never "show it to the camera" above "the camera is not working").
        let camera_works =
            ctx.camera_enabled && !matches!(ctx.camera, super::CameraState::Unavailable);
        let title = match (camera_works, ctx.handheld_scanner) {
            (true, true) => "scan-title-camera-and-scanner",
            (true, false) => "scan-title",
            (false, true) => "scan-title-scanner",
            (false, false) => "scan-title-type",
        };
        let camera = column![
            text(ctx.t(title))
                .size(theme::text::H2)
                .width(Length::Fixed(640.0)),
            container(frame)
                .width(Length::Fixed(640.0))
                .height(Length::Fixed(420.0)),
        ]
        .spacing(spacing::M);

        // Grouped as printed under the barcode, so the shopper can compare group by group.
        let shown = if self.typed.is_empty() {
            "—".to_owned()
        } else {
            crate::domain::barcode::group_as_on_label(&self.typed)
        };
        let warning = |words: String| -> Element<'a, Message> {
            container(text(words).size(theme::text::BODY))
                .padding(spacing::S)
                .width(Length::Fill)
                .style(theme::band(p.warning, p.on_warning))
                .into()
        };
        let feedback: Element<'a, Message> = match &self.status {
            Status::Idle => space::horizontal().into(),
            Status::Looking => text(ctx.t("scan-looking")).size(theme::text::BODY).into(),
            Status::NotFound => warning(ctx.t("scan-not-found")),
            Status::Unreadable(why) => warning(why.text(ctx)),
            Status::Broken => warning(ctx.t("scan-broken")),
        };
        // The message has its own reserved space: the keypad never moves under a finger when
        // a message comes or goes.
        let feedback = container(feedback)
            .width(Length::Fill)
            .height(Length::Fixed(150.0));
        let typing = column![
            text(ctx.t("scan-type-title")).size(theme::text::BODY),
            container(text(shown).size(theme::text::H2))
                .padding(spacing::S)
                .width(Length::Fixed(theme::TOUCH_TARGET * 6.0))
                .style(theme::surface(p)),
            widgets::keypad(
                p,
                true,
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
        .width(Length::Fixed(620.0));
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

//! The scan screen: camera preview area with an aiming frame, and the keypad to type the
//! number under the barcode. Wedge-scanner input is handled by the parent on every screen.

use std::sync::Arc;

use iced::widget::space;
use iced::widget::{column, container, text};
use iced::{Alignment, Border, Element, Length, Task};

use super::services::Services;
use super::theme::{self, spacing};
use super::{Ctx, widgets};
use crate::db::DbError;
use crate::domain::catalog::{self, LookupError, SizeGrid};
use crate::domain::events::ReadFailure;

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

/// Why a scanned or typed code opened no product, as the scan screen tells it.
#[derive(Debug, Clone)]
pub enum LookupFailure {
    Unknown,
    Unreadable(Why),
    /// The lookup itself failed; the detail goes to the log, not the screen.
    Broken,
}

#[derive(Debug, Clone)]
pub struct Scan {
    typed: String,
    status: Status,
    /// The lookup this screen waits for: a late answer to an earlier one is dropped.
    pending: Option<u64>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Digit(char),
    Delete,
    Clear,
    Search,
    /// A lookup's answer, with the id it was started under.
    Looked(u64, Result<Box<SizeGrid>, LookupFailure>),
}

pub enum Action {
    None,
    /// Look this typed code up (the parent starts it with [`Scan::look_up`]).
    Lookup(String),
    /// The code is a product: open it.
    Found(Box<SizeGrid>),
    /// The code opened no product (the screen says why); for the analytics.
    Failed(ReadFailure),
}

impl Scan {
    pub fn new() -> Self {
        Self {
            typed: String::new(),
            status: Status::Idle,
            pending: None,
        }
    }

    /// Looks `code` up in the catalog off the UI thread; the answer comes back as
    /// [`Message::Looked`]. The screen shows the code and "looking" meanwhile.
    pub fn look_up(&mut self, services: &Arc<Services>, code: String) -> Task<Message> {
        self.show_code(&code);
        self.status = Status::Looking;
        let id = super::next_request_id();
        self.pending = Some(id);
        let services = services.clone();
        Task::perform(
            async move {
                services
                    .db
                    .call(move |db| match catalog::lookup(db.conn(), &code, None) {
                        Ok((_, grid)) => Ok(Ok(Box::new(grid))),
                        Err(LookupError::Db(e)) => Err(e),
                        Err(LookupError::UnknownProduct(_)) => Ok(Err(LookupFailure::Unknown)),
                        Err(LookupError::Barcode(e)) => {
                            Ok(Err(LookupFailure::Unreadable(Why::of(&e))))
                        }
                    })
                    .await
                    .unwrap_or_else(|e: DbError| {
                        tracing::error!(error = %e, "catalog lookup failed");
                        Err(LookupFailure::Broken)
                    })
            },
            move |result| Message::Looked(id, result),
        )
    }

    #[cfg(test)]
    pub fn typed(&self) -> &str {
        &self.typed
    }

    #[cfg(test)]
    pub fn status(&self) -> &Status {
        &self.status
    }

    /// A code from the handheld scanner or the camera: shown as typed digits would be, so the
    /// shopper sees what was read.
    fn show_code(&mut self, code: &str) {
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
            Message::Looked(id, _) if self.pending != Some(id) => {}
            Message::Looked(_, Ok(grid)) => {
                self.pending = None;
                return Action::Found(grid);
            }
            Message::Looked(_, Err(failure)) => {
                self.pending = None;
                let (status, reason) = match failure {
                    LookupFailure::Unknown => (Status::NotFound, ReadFailure::Unknown),
                    LookupFailure::Unreadable(why) => {
                        (Status::Unreadable(why), ReadFailure::Unreadable)
                    }
                    LookupFailure::Broken => (Status::Broken, ReadFailure::Unreadable),
                };
                self.status = status;
                return Action::Failed(reason);
            }
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
                // The aiming rectangle in the middle of the preview (`center` on the inner
                // container itself would stretch it over the whole preview).
                container(
                    container(space::horizontal())
                        .width(Length::Fixed(360.0))
                        .height(Length::Fixed(200.0))
                        .style(aim),
                )
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
            _ => panic!("search should look up"),
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

    #[test]
    fn only_the_answer_to_the_pending_lookup_counts() {
        let mut scan = Scan::new();
        scan.pending = Some(7);
        scan.status = Status::Looking;
        // A late answer to a lookup this screen no longer waits for: nothing changes.
        let late = scan.update(Message::Looked(6, Err(LookupFailure::Unknown)));
        assert!(matches!(late, Action::None));
        assert_eq!(scan.status(), &Status::Looking);
        // Its own answer: the screen says why, and the failure is counted.
        let own = scan.update(Message::Looked(7, Err(LookupFailure::Unknown)));
        assert!(matches!(own, Action::Failed(ReadFailure::Unknown)));
        assert_eq!(scan.status(), &Status::NotFound);
        // Answered once: a repeat of the same answer is not counted twice.
        let again = scan.update(Message::Looked(7, Err(LookupFailure::Unknown)));
        assert!(matches!(again, Action::None));
    }
}

//! The manager's PIN entry: digits on the on-screen keypad, shown as dots. The check itself
//! (Argon2, slow on purpose) runs off the UI thread ([`check`]); the lockout gate, which
//! outlives this screen, is the parent's.

use std::sync::Arc;

use iced::widget::{column, container, row, text};
use iced::{Alignment, Element, Length, Task};

use crate::domain::pin::{self, PinError};
use crate::ui::services::Services;
use crate::ui::theme::{self, spacing};
use crate::ui::{Ctx, widgets};

/// Checks `typed` against the configured hash off the UI thread; the answer comes back as
/// [`Message::Checked`].
pub fn check(services: &Arc<Services>, typed: String) -> Task<Message> {
    let manager = services.config.manager.clone();
    let base = services.base_dir.clone();
    Task::perform(
        async move {
            tokio::task::spawn_blocking(move || {
                let hash = pin::configured_hash(&manager, &base)?;
                pin::verify_pin(&typed, &hash)
            })
            .await
            .unwrap_or_else(|e| Err(PinError::Unreadable(e.to_string())))
        },
        Message::Checked,
    )
}

const MAX_DIGITS: usize = 12;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Feedback {
    None,
    Checking,
    Wrong {
        left: u32,
    },
    /// Too many wrong PINs: nothing can be typed until `until` (local time, "14:35").
    Locked {
        minutes: u64,
        until: String,
    },
    /// The PIN could not be checked at all (none set, a broken hash).
    Problem(PinError),
}

#[derive(Debug, Clone)]
pub struct PinEntry {
    typed: String,
    feedback: Feedback,
}

#[derive(Debug, Clone)]
pub enum Message {
    Digit(char),
    Delete,
    Clear,
    Enter,
    Cancel,
    /// The check's answer: matched or not, or why it could not be checked.
    Checked(Result<bool, PinError>),
}

pub enum Action {
    None,
    /// Check this PIN (with [`check`], unless the gate is locked).
    Check(String),
    /// The answer, for the gate.
    Checked(Result<bool, PinError>),
    Cancel,
}

impl Default for PinEntry {
    fn default() -> Self {
        Self::new()
    }
}

impl PinEntry {
    pub fn new() -> Self {
        Self {
            typed: String::new(),
            feedback: Feedback::None,
        }
    }

    pub fn set_feedback(&mut self, feedback: Feedback) {
        // A checked PIN is gone from memory whatever the answer.
        self.typed.clear();
        self.feedback = feedback;
    }

    #[cfg(test)]
    pub fn feedback(&self) -> &Feedback {
        &self.feedback
    }

    pub fn is_locked(&self) -> bool {
        matches!(self.feedback, Feedback::Locked { .. })
    }

    /// The gate's state, as of now: locked for `remaining`, or open (a lock that ran out is
    /// lifted; other feedback stays).
    pub fn show_lock(&mut self, remaining: Option<std::time::Duration>) {
        match remaining {
            Some(left) => {
                let until = jiff::Zoned::now()
                    .checked_add(jiff::SignedDuration::try_from(left).unwrap_or_default())
                    .map(|t| t.strftime("%H:%M").to_string())
                    .unwrap_or_default();
                self.set_feedback(Feedback::Locked {
                    minutes: left.as_secs().div_ceil(60),
                    until,
                });
            }
            None if self.is_locked() => self.feedback = Feedback::None,
            None => {}
        }
    }

    pub fn update(&mut self, message: Message) -> Action {
        // Locked: the keypad is greyed out and nothing typed is kept.
        if self.is_locked() && !matches!(message, Message::Cancel | Message::Checked(_)) {
            return Action::None;
        }
        match message {
            Message::Digit(d) if self.typed.len() < MAX_DIGITS => self.typed.push(d),
            Message::Digit(_) => {}
            Message::Delete => {
                self.typed.pop();
            }
            Message::Clear => self.typed.clear(),
            Message::Enter if self.typed.len() >= 4 && self.feedback != Feedback::Checking => {
                self.feedback = Feedback::Checking;
                return Action::Check(std::mem::take(&mut self.typed));
            }
            Message::Enter => {}
            Message::Cancel => return Action::Cancel,
            Message::Checked(result) => return Action::Checked(result),
        }
        Action::None
    }

    pub fn view<'a>(&'a self, ctx: &Ctx<'a>) -> Element<'a, Message> {
        let p = ctx.palette;
        let dots = if self.typed.is_empty() {
            "—".to_owned()
        } else {
            "●".repeat(self.typed.len())
        };
        let feedback: Element<'a, Message> = match &self.feedback {
            Feedback::None => text("").size(theme::text::BODY).into(),
            Feedback::Checking => text(ctx.t("pin-checking")).size(theme::text::BODY).into(),
            other => {
                let words = match other {
                    Feedback::Wrong { left } => {
                        ctx.t_with("pin-wrong", &[("left", left.to_string())])
                    }
                    Feedback::Locked { minutes, until } => ctx.t_with(
                        "pin-locked",
                        &[("minutes", minutes.to_string()), ("until", until.clone())],
                    ),
                    Feedback::Problem(PinError::NotSet) => ctx.t("pin-not-set"),
                    Feedback::Problem(PinError::BadHash | PinError::Malformed) => {
                        ctx.t("pin-bad-hash")
                    }
                    Feedback::Problem(PinError::Unreadable(detail)) => {
                        ctx.t_with("pin-unreadable", &[("problem", detail.clone())])
                    }
                    Feedback::None | Feedback::Checking => String::new(),
                };
                container(text(words).size(theme::text::BODY))
                    .padding(spacing::S)
                    .max_width(640)
                    .style(theme::band(p.warning, p.on_warning))
                    .into()
            }
        };
        let width = Length::Fixed(theme::TOUCH_TARGET * 5.2);
        let locked = self.is_locked();
        // What to do without the PIN, once it matters.
        let forgot: Element<'a, Message> = if matches!(
            self.feedback,
            Feedback::Locked { .. } | Feedback::Wrong { .. }
        ) {
            text(ctx.t("pin-forgot"))
                .size(theme::text::SMALL)
                .color(p.muted)
                .width(Length::Fixed(640.0))
                .align_x(Alignment::Center)
                .into()
        } else {
            iced::widget::space::vertical()
                .height(Length::Fixed(0.0))
                .into()
        };
        container(
            column![
                text(ctx.t("pin-title")).size(theme::text::H2),
                container(text(dots).size(theme::text::H2))
                    .padding(spacing::S)
                    .width(width)
                    .style(theme::surface(p)),
                widgets::keypad(
                    p,
                    !locked,
                    Message::Digit,
                    (ctx.t("scan-keypad-delete"), Message::Delete),
                    (ctx.t("scan-keypad-clear"), Message::Clear),
                ),
                row![
                    widgets::touch(
                        ctx.t("pin-cancel"),
                        Some(Message::Cancel),
                        theme::secondary(p)
                    )
                    .width(Length::Fill),
                    widgets::touch(
                        ctx.t("pin-enter"),
                        (!locked && self.typed.len() >= 4).then_some(Message::Enter),
                        theme::primary(p)
                    )
                    .width(Length::Fill),
                ]
                .spacing(spacing::S)
                .width(width),
                feedback,
                forgot,
            ]
            .spacing(spacing::M)
            .align_x(Alignment::Center),
        )
        .center(Length::Fill)
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_is_sent_once_and_then_forgotten() {
        let mut pin = PinEntry::new();
        for d in "123".chars() {
            pin.update(Message::Digit(d));
        }
        assert!(
            matches!(pin.update(Message::Enter), Action::None),
            "too short"
        );
        pin.update(Message::Digit('4'));
        match pin.update(Message::Enter) {
            Action::Check(typed) => assert_eq!(typed, "1234"),
            _ => panic!("should check"),
        }
        assert_eq!(pin.feedback(), &Feedback::Checking);
        assert!(pin.typed.is_empty());
        // Pressing Enter again while checking does nothing.
        assert!(matches!(pin.update(Message::Enter), Action::None));
        pin.set_feedback(Feedback::Wrong { left: 2 });
        assert!(matches!(pin.update(Message::Cancel), Action::Cancel));
    }
}

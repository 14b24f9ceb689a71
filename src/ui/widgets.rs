//! Small building blocks shared by the screens: labelled touch buttons and the keypads.

use iced::widget::{button, column, row, text};
use iced::{Alignment, Element, Length};

use super::theme::{self, Palette, TOUCH_TARGET};

/// A button at least `TOUCH_TARGET` high with a kiosk-size label.
pub fn touch<'a, M: Clone + 'a>(
    label: impl Into<String>,
    on_press: Option<M>,
    style: impl Fn(&iced::Theme, button::Status) -> button::Style + 'a,
) -> button::Button<'a, M> {
    button(
        text(label.into())
            .size(theme::text::BUTTON)
            .align_x(Alignment::Center)
            .align_y(Alignment::Center)
            .width(Length::Fill)
            .height(Length::Fill),
    )
    .height(Length::Fixed(TOUCH_TARGET))
    .padding([0.0, theme::spacing::M])
    .on_press_maybe(on_press)
    .style(style)
}

/// A wide button with a label and, under it, smaller details (a file's date and size, what an
/// undo takes back): the label never has to squeeze the details into one line.
pub fn touch_detailed<'a, M: Clone + 'a>(
    label: impl Into<String>,
    details: impl Into<String>,
    on_press: Option<M>,
    style: impl Fn(&iced::Theme, button::Status) -> button::Style + 'a,
) -> button::Button<'a, M> {
    button(
        column![
            text(label.into()).size(theme::text::BUTTON),
            text(details.into()).size(theme::text::SMALL),
        ]
        .spacing(theme::spacing::XS)
        .width(Length::Fill),
    )
    .padding([theme::spacing::S, theme::spacing::M])
    .width(Length::Fill)
    .on_press_maybe(on_press)
    .style(style)
}

/// The numeric keypad for typing the digits under a barcode.
pub fn keypad<'a, M: Clone + 'a>(
    palette: Palette,
    enabled: bool,
    digit: impl Fn(char) -> M,
    delete: (String, M),
    clear: (String, M),
) -> Element<'a, M> {
    // Every key the same size; a locked keypad (enabled = false) sends nothing.
    let key_with = |label: String, message: M| {
        touch(label, enabled.then_some(message), theme::secondary(palette))
            .width(Length::Fixed(TOUCH_TARGET * 1.6))
            .height(Length::Fixed(TOUCH_TARGET * 1.1))
    };
    let key = |c: char| key_with(c.to_string(), digit(c));
    let rows = ["123", "456", "789"].map(|r| {
        row(r.chars().map(|c| key(c).into()))
            .spacing(theme::spacing::S)
            .into()
    });
    let last = row![
        key_with(clear.0, clear.1),
        key('0'),
        key_with(delete.0, delete.1)
    ]
    .spacing(theme::spacing::S);
    column(rows.into_iter().chain([last.into()]))
        .spacing(theme::spacing::S)
        .into()
}

/// A full on-screen keyboard for the address form (no physical keyboard on a kiosk). `extra`
/// is the language's own row (accents, ñ, an apostrophe: `keyboard-extra` in its .ftl), so
/// "Muñoz" and "O'Neil" can be typed.
#[allow(clippy::too_many_arguments)]
pub fn keyboard<'a, M: Clone + 'a>(
    palette: Palette,
    shifted: bool,
    extra: &str,
    key: impl Fn(char) -> M,
    backspace: M,
    shift: M,
    space: (String, M),
    next: (String, M),
) -> Element<'a, M> {
    let extra: String = extra
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(10)
        .collect();
    let layout = [
        "1234567890",
        "qwertyuiop",
        "asdfghjkl-",
        "zxcvbnm@._",
        extra.as_str(),
    ];
    // Ten keys a row, each a full touch target, with room to spare beside the form.
    let w = TOUCH_TARGET;
    let rows = key_rows(
        palette,
        &layout,
        |c| {
            // A letter with no single capital (ß) stays as it is.
            let mut upper = c.to_uppercase();
            match (shifted, upper.next(), upper.next()) {
                (true, Some(u), None) => u,
                _ => c,
            }
        },
        key,
    );
    let last = row![
        touch("⇧", Some(shift), theme::choice(palette, shifted)).width(Length::Fixed(w * 1.5)),
        touch(space.0, Some(space.1), theme::secondary(palette)).width(Length::Fixed(w * 3.0)),
        touch("⌫", Some(backspace), theme::secondary(palette)).width(Length::Fixed(w * 1.5)),
        touch(next.0, Some(next.1), theme::primary(palette)).width(Length::Fixed(w * 3.0)),
    ]
    .spacing(theme::spacing::XS);
    column(rows.into_iter().chain([last.into()]))
        .spacing(theme::spacing::XS)
        .align_x(Alignment::Center)
        .into()
}

/// A keyboard for codes (order numbers): capitals, digits and a dash, Clear, ⌫ and a closing
/// key. Codes have no lower case, so there is no Shift to get wrong.
pub fn code_keyboard<'a, M: Clone + 'a>(
    palette: Palette,
    key: impl Fn(char) -> M,
    backspace: M,
    clear: (String, M),
    close: (String, M),
) -> Element<'a, M> {
    let w = TOUCH_TARGET;
    let rows = key_rows(
        palette,
        &["1234567890", "QWERTYUIOP", "ASDFGHJKL-", "ZXCVBNM"],
        |c| c,
        key,
    );
    let last = row![
        touch(clear.0, Some(clear.1), theme::secondary(palette)).width(Length::Fixed(w * 3.0)),
        touch("⌫", Some(backspace), theme::secondary(palette)).width(Length::Fixed(w * 2.0)),
        touch(close.0, Some(close.1), theme::primary(palette)).width(Length::Fixed(w * 4.0)),
    ]
    .spacing(theme::spacing::XS);
    column(rows.into_iter().chain([last.into()]))
        .spacing(theme::spacing::XS)
        .align_x(Alignment::Center)
        .into()
}

/// Rows of square character keys, one row per string of `layout`; `shown` picks the character a
/// key shows and types (a capital when shifted).
fn key_rows<'a, M: Clone + 'a>(
    palette: Palette,
    layout: &[&str],
    shown: impl Fn(char) -> char,
    key: impl Fn(char) -> M,
) -> Vec<Element<'a, M>> {
    layout
        .iter()
        .map(|r| {
            row(r.chars().map(|c| {
                let c = shown(c);
                touch(c.to_string(), Some(key(c)), theme::secondary(palette))
                    .width(Length::Fixed(TOUCH_TARGET))
                    .padding(0)
                    .into()
            }))
            .spacing(theme::spacing::XS)
            .into()
        })
        .collect()
}

/// A QR code for a till or a phone to scan: drawn once with rxing, shown black on white with a
/// quiet zone in every theme (a dark theme's colours would not scan).
#[derive(Debug, Clone)]
pub struct QrCode {
    pub handle: iced::widget::image::Handle,
    side: u32,
}

impl QrCode {
    /// `text` as a QR code `side` pixels square; `None` if it does not fit in one.
    pub fn new(text: &str, side: u32) -> Option<Self> {
        let picture = crate::camera::decode::render(
            crate::config::BarcodeFormat::QrCode,
            text,
            side,
            side,
            false,
        )
        .ok()?;
        let (w, h) = picture.dimensions();
        let rgba: Vec<u8> = picture
            .into_raw()
            .into_iter()
            .flat_map(|v| [v, v, v, 255])
            .collect();
        Some(Self {
            handle: iced::widget::image::Handle::from_rgba(w, h, rgba),
            side,
        })
    }

    pub fn view<'a, M: 'a>(&self) -> iced::Element<'a, M> {
        let side = iced::Length::Fixed(self.side as f32);
        iced::widget::container(
            iced::widget::image(self.handle.clone())
                .width(side)
                .height(side),
        )
        .padding(super::theme::spacing::S)
        .style(super::theme::band(iced::Color::WHITE, iced::Color::BLACK))
        .into()
    }
}

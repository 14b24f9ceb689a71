//! Design tokens: colours, spacing, text sizes and control sizes are named once here; views
//! use the names. Sized for a 1080p touchscreen read at arm's length.

use iced::widget::{button, container};
use iced::{Background, Border, Color, Shadow, Theme};

/// Smallest side of anything a finger must hit, in logical pixels (>= 60 px at 1080p).
pub const TOUCH_TARGET: f32 = 72.0;
const _: () = assert!(
    TOUCH_TARGET >= 60.0,
    "kiosk touch targets are at least 60 px"
);

pub mod spacing {
    pub const XS: f32 = 8.0;
    pub const S: f32 = 16.0;
    pub const M: f32 = 24.0;
    pub const L: f32 = 40.0;
    pub const XL: f32 = 64.0;
}

pub mod text {
    /// Body text: readable from 60–70 cm.
    pub const BODY: f32 = 28.0;
    pub const SMALL: f32 = 22.0;
    pub const BUTTON: f32 = 30.0;
    pub const H2: f32 = 40.0;
    pub const H1: f32 = 60.0;
}

pub const RADIUS: f32 = 14.0;

const fn rgb(hex: u32) -> Color {
    Color::from_rgb8(
        (hex >> 16) as u8,
        ((hex >> 8) & 0xff) as u8,
        (hex & 0xff) as u8,
    )
}

/// Every colour the kiosk paints, as foreground/background pairs that must read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Palette {
    pub background: Color,
    pub text: Color,
    pub muted: Color,
    pub surface: Color,
    pub border: Color,
    pub primary: Color,
    pub on_primary: Color,
    pub secondary: Color,
    pub on_secondary: Color,
    pub in_store: Color,
    pub on_in_store: Color,
    pub ship: Color,
    pub on_ship: Color,
    pub pick_up: Color,
    pub on_pick_up: Color,
    pub unavailable: Color,
    pub on_unavailable: Color,
    pub warning: Color,
    pub on_warning: Color,
    pub danger: Color,
}

impl Palette {
    pub const STANDARD: Self = Self {
        background: rgb(0xF6F4EF),
        text: rgb(0x161616),
        muted: rgb(0x4A4A4A),
        surface: rgb(0xFFFFFF),
        border: rgb(0x8A8A8A),
        primary: rgb(0x0A4FB8),
        on_primary: rgb(0xFFFFFF),
        secondary: rgb(0xE4E1DA),
        on_secondary: rgb(0x161616),
        in_store: rgb(0xD9F2E1),
        on_in_store: rgb(0x0F4A24),
        ship: rgb(0xDCE8FB),
        on_ship: rgb(0x12306E),
        pick_up: rgb(0xEEE4F9),
        on_pick_up: rgb(0x41206F),
        unavailable: rgb(0xECECEC),
        on_unavailable: rgb(0x4F4F4F),
        warning: rgb(0xFFF1C2),
        on_warning: rgb(0x5A3D00),
        danger: rgb(0xA4161A),
    };

    pub const HIGH_CONTRAST: Self = Self {
        background: rgb(0x000000),
        text: rgb(0xFFFFFF),
        muted: rgb(0xE6E6E6),
        surface: rgb(0x111111),
        border: rgb(0xFFFFFF),
        primary: rgb(0xFFD400),
        on_primary: rgb(0x000000),
        secondary: rgb(0x2B2B2B),
        on_secondary: rgb(0xFFFFFF),
        in_store: rgb(0x00361A),
        on_in_store: rgb(0x9DFFB9),
        ship: rgb(0x001F4D),
        on_ship: rgb(0xBFD8FF),
        pick_up: rgb(0x2B1048),
        on_pick_up: rgb(0xE4D0FF),
        unavailable: rgb(0x262626),
        on_unavailable: rgb(0xE0E0E0),
        warning: rgb(0x3D2E00),
        on_warning: rgb(0xFFE27A),
        danger: rgb(0xFF8A80),
    };

    pub fn of(high_contrast: bool) -> Self {
        if high_contrast {
            Self::HIGH_CONTRAST
        } else {
            Self::STANDARD
        }
    }

    /// The text/background pairs the views use; each must meet WCAG AA (4.5:1).
    pub fn text_pairs(&self) -> [(&'static str, Color, Color); 11] {
        [
            ("text on background", self.text, self.background),
            ("muted on background", self.muted, self.background),
            ("text on surface", self.text, self.surface),
            ("on_primary on primary", self.on_primary, self.primary),
            (
                "on_secondary on secondary",
                self.on_secondary,
                self.secondary,
            ),
            ("on_in_store on in_store", self.on_in_store, self.in_store),
            ("on_ship on ship", self.on_ship, self.ship),
            ("on_pick_up on pick_up", self.on_pick_up, self.pick_up),
            (
                "on_unavailable on unavailable",
                self.on_unavailable,
                self.unavailable,
            ),
            ("on_warning on warning", self.on_warning, self.warning),
            ("danger on surface", self.danger, self.surface),
        ]
    }

    pub fn iced_theme(&self) -> Theme {
        Theme::custom(
            if *self == Self::HIGH_CONTRAST {
                "Kiosk high contrast"
            } else {
                "Kiosk"
            },
            iced::theme::Palette {
                background: self.background,
                text: self.text,
                primary: self.primary,
                success: self.on_in_store,
                warning: self.on_warning,
                danger: self.danger,
            },
        )
    }
}

/// WCAG 2.x contrast ratio of two colours.
pub fn contrast(a: Color, b: Color) -> f32 {
    fn channel(c: f32) -> f32 {
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    }
    fn luminance(c: Color) -> f32 {
        0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)
    }
    let (la, lb) = (luminance(a), luminance(b));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

fn filled(background: Color, text: Color, border: Color, pressed: bool) -> button::Style {
    button::Style {
        background: Some(Background::Color(if pressed {
            Color {
                a: 0.85,
                ..background
            }
        } else {
            background
        })),
        text_color: text,
        border: Border {
            color: border,
            width: 2.0,
            radius: RADIUS.into(),
        },
        shadow: Shadow::default(),
        snap: true,
    }
}

/// The one obvious next step on a screen.
pub fn primary(p: Palette) -> impl Fn(&Theme, button::Status) -> button::Style {
    move |_, status| match status {
        button::Status::Disabled => filled(p.unavailable, p.on_unavailable, p.unavailable, false),
        s => filled(
            p.primary,
            p.on_primary,
            p.primary,
            s == button::Status::Pressed,
        ),
    }
}

pub fn secondary(p: Palette) -> impl Fn(&Theme, button::Status) -> button::Style {
    move |_, status| match status {
        // A key that does nothing now (a locked keypad) looks it.
        button::Status::Disabled => filled(p.unavailable, p.on_unavailable, p.unavailable, false),
        s => filled(
            p.secondary,
            p.on_secondary,
            p.border,
            s == button::Status::Pressed,
        ),
    }
}

/// A toggle or a choice among several: the active one looks like `primary`.
pub fn choice(p: Palette, active: bool) -> impl Fn(&Theme, button::Status) -> button::Style {
    let (on, off) = (primary(p), secondary(p));
    move |theme, status| {
        if active {
            on(theme, status)
        } else {
            off(theme, status)
        }
    }
}

/// A button coloured by what it means (a size's status), so colour never stands alone: the
/// label always says the status in words too.
pub fn tinted(
    background: Color,
    text: Color,
    p: Palette,
    selected: bool,
) -> impl Fn(&Theme, button::Status) -> button::Style {
    move |_, status| {
        let mut style = filled(
            background,
            text,
            if selected { p.primary } else { p.border },
            status == button::Status::Pressed,
        );
        if selected {
            style.border.width = 5.0;
        }
        style
    }
}

pub fn surface(p: Palette) -> impl Fn(&Theme) -> container::Style {
    move |_| container::Style {
        text_color: Some(p.text),
        background: Some(Background::Color(p.surface)),
        border: Border {
            color: p.border,
            width: 1.0,
            radius: RADIUS.into(),
        },
        shadow: Shadow::default(),
        snap: true,
    }
}

pub fn band(background: Color, text: Color) -> impl Fn(&Theme) -> container::Style {
    move |_| container::Style {
        text_color: Some(text),
        background: Some(Background::Color(background)),
        border: Border {
            color: background,
            width: 0.0,
            radius: RADIUS.into(),
        },
        shadow: Shadow::default(),
        snap: true,
    }
}

pub fn page(p: Palette) -> impl Fn(&Theme) -> container::Style {
    move |_| container::Style {
        text_color: Some(p.text),
        background: Some(Background::Color(p.background)),
        ..container::Style::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_pair_meets_wcag_aa_in_both_themes() {
        for palette in [Palette::STANDARD, Palette::HIGH_CONTRAST] {
            for (name, fg, bg) in palette.text_pairs() {
                let ratio = contrast(fg, bg);
                assert!(ratio >= 4.5, "{name}: {ratio:.2}:1 is below 4.5:1");
            }
        }
        // The high-contrast theme is meant for low vision: AAA (7:1) on its main pairs.
        let hc = Palette::HIGH_CONTRAST;
        assert!(contrast(hc.text, hc.background) >= 7.0);
        assert!(contrast(hc.on_primary, hc.primary) >= 7.0);
    }

    #[test]
    fn contrast_formula_matches_known_values() {
        assert!((contrast(Color::BLACK, Color::WHITE) - 21.0).abs() < 0.01);
        assert!((contrast(Color::WHITE, Color::WHITE) - 1.0).abs() < 0.01);
    }
}

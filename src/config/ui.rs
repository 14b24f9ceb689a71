//! `[ui]`: languages, size systems, timeouts, the window and how it is drawn.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::Seconds;
use super::rules::*;

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum SizeSystemName {
    Us,
    Uk,
    Eu,
    Cm,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    Light,
    Dark,
    HighContrast,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Ui {
    /// Language tags with a folder in `assets/locales` (e.g. "en", "es").
    pub languages: Vec<String>,
    pub default_language: String,
    pub size_systems: Vec<SizeSystemName>,
    pub default_size_system: SizeSystemName,
    #[serde(with = "Seconds")]
    pub idle_timeout_s: Duration,
    #[serde(with = "Seconds")]
    pub idle_countdown_s: Duration,
    pub theme: Theme,
    pub fullscreen: bool,
    pub window_width: u32,
    pub window_height: u32,
    /// Pictures, drawings and texts the screens show; relative to the config file's folder.
    pub assets_dir: PathBuf,
    /// Zoom of everything on screen (1.0 = designed for 1080p).
    pub scale: f64,
    /// How the screen is drawn: the GPU (wgpu), the CPU (tiny-skia), or `auto`.
    pub renderer: Renderer,
}

/// `[ui] renderer`: `auto` lets iced choose (wgpu on any adapter it finds, including Mesa's
/// llvmpipe on a machine without a GPU; tiny-skia when there is none); the others force one.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Renderer {
    #[default]
    Auto,
    Gpu,
    Software,
}

impl Default for Ui {
    fn default() -> Self {
        Self {
            languages: vec!["en".into(), "es".into()],
            default_language: "en".into(),
            size_systems: vec![
                SizeSystemName::Eu,
                SizeSystemName::Us,
                SizeSystemName::Uk,
                SizeSystemName::Cm,
            ],
            default_size_system: SizeSystemName::Eu,
            idle_timeout_s: Duration::from_secs(60),
            idle_countdown_s: Duration::from_secs(20),
            theme: Theme::Light,
            fullscreen: false,
            window_width: 1920,
            window_height: 1080,
            assets_dir: "assets".into(),
            scale: 1.0,
            renderer: Renderer::Auto,
        }
    }
}

impl Ui {
    /// Languages and size systems offered, timeouts a person can answer, a sane window.
    pub(super) fn issues(&self) -> Vec<Issue> {
        let mut issues = Vec::new();
        let ui = self;
        issues.extend(
            check_choice(
                ("ui.languages", &ui.languages, "[\"en\"]"),
                ("ui.default_language", &ui.default_language),
            )
            .err(),
        );
        issues.extend(
            check_choice(
                ("ui.size_systems", &ui.size_systems, "[\"eu\"]"),
                ("ui.default_size_system", &ui.default_size_system),
            )
            .err(),
        );
        issues
            .extend(check_duration("ui.idle_timeout_s", ui.idle_timeout_s, (30, 3600), "s").err());
        // WCAG 2.2.1 (timing adjustable): at least 20 s to answer "are you still there?".
        issues.extend(
            check_duration("ui.idle_countdown_s", ui.idle_countdown_s, (20, 600), "s").err(),
        );
        issues.extend(check_fraction("ui.scale", ui.scale, 0.5, 4.0).err());
        issues.extend(
            check_range(
                "ui.window_width",
                u64::from(ui.window_width),
                320,
                7680,
                "pixels",
            )
            .err(),
        );
        issues.extend(
            check_range(
                "ui.window_height",
                u64::from(ui.window_height),
                320,
                7680,
                "pixels",
            )
            .err(),
        );
        if ui.idle_countdown_s >= ui.idle_timeout_s {
            issues.push(issue(
                "ui.idle_countdown_s",
                format!(
                    "the countdown ({} s) is not shorter than the idle timeout ({} s)",
                    ui.idle_countdown_s.as_secs(),
                    ui.idle_timeout_s.as_secs()
                ),
                "make idle_countdown_s smaller than idle_timeout_s",
            ));
        }
        issues
    }
}

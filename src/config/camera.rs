//! `[camera]` and `[barcode]`: where frames come from and what the decoder looks for.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::rules::*;

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Camera {
    pub enabled: bool,
    /// "device" (the camera at `device`) or "replay:FOLDER" (pictures played as frames).
    pub source: CameraSource,
    /// Frames in a row that must agree on a code before it is accepted.
    pub confirm_frames: u32,
    /// A read with strong evidence in one frame (a full-length retail symbol read alike on
    /// three scan lines, or a 2D symbol, of a product this store sells) is shown at once.
    pub one_frame_when_certain: bool,
    pub device: u32,
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    /// Pixel format asked of the camera; `auto` takes MJPEG, else YUYV, else what it offers.
    pub format: PixelFormat,
    /// A short chime when the camera reads a tag (the shopper may not be looking at the screen).
    pub read_sound: bool,
    /// Loudness of that chime, 0.0-1.0.
    pub read_sound_volume: f64,
}

/// Where frames come from (`[camera] source`): the camera, or pictures played as frames (for
/// demos, tests and CI). Written "device" or "replay:FOLDER", the folder relative to the config
/// file.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(try_from = "String", into = "String")]
pub enum CameraSource {
    #[default]
    Device,
    Replay(PathBuf),
}

impl TryFrom<String> for CameraSource {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        match text.trim() {
            "device" => Ok(Self::Device),
            other => match other.strip_prefix("replay:") {
                Some(dir) if !dir.trim().is_empty() => Ok(Self::Replay(dir.trim().into())),
                Some(_) => Err(
                    "\"replay:\" needs a folder of pictures, e.g. \"replay:fixtures/frames\""
                        .into(),
                ),
                None => Err(format!(
                    "{other:?} is not a camera source; use \"device\" or \"replay:FOLDER\""
                )),
            },
        }
    }
}

impl From<CameraSource> for String {
    fn from(source: CameraSource) -> Self {
        match source {
            CameraSource::Device => "device".into(),
            CameraSource::Replay(dir) => format!("replay:{}", dir.display()),
        }
    }
}

impl std::fmt::Display for CameraSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&String::from(self.clone()))
    }
}

/// Camera pixel formats the kiosk can ask for (`[camera] format`).
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PixelFormat {
    #[default]
    Auto,
    Mjpeg,
    Yuyv,
    Nv12,
    Gray,
}

impl Default for Camera {
    fn default() -> Self {
        Self {
            enabled: true,
            source: CameraSource::Device,
            confirm_frames: 2,
            one_frame_when_certain: true,
            device: 0,
            width: 1280,
            height: 720,
            fps: 30,
            format: PixelFormat::Auto,
            read_sound: true,
            read_sound_volume: 0.5,
        }
    }
}

/// Symbologies the camera decoder looks for. Fewer formats decode faster.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum BarcodeFormat {
    Ean13,
    UpcA,
    UpcE,
    Ean8,
    Code128,
    QrCode,
    DataMatrix,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Barcode {
    pub formats: Vec<BarcodeFormat>,
    /// A handheld (keyboard-wedge) scanner is attached: the scan screen tells shoppers to use
    /// it, above all when the camera is not working.
    pub handheld_scanner: bool,
}

impl Default for Barcode {
    fn default() -> Self {
        use BarcodeFormat::*;
        Self {
            formats: vec![Ean13, UpcA, UpcE, Ean8, Code128, QrCode, DataMatrix],
            handheld_scanner: true,
        }
    }
}

impl Camera {
    /// What a camera can be asked for.
    pub(super) fn issues(&self) -> Vec<Issue> {
        let mut issues = Vec::new();
        let c = self;
        issues.extend(check_range("camera.width", u64::from(c.width), 160, 7680, "pixels").err());
        issues.extend(check_range("camera.height", u64::from(c.height), 120, 4320, "pixels").err());
        issues
            .extend(check_range("camera.fps", u64::from(c.fps), 1, 120, "frames per second").err());
        issues.extend(
            check_fraction("camera.read_sound_volume", c.read_sound_volume, 0.0, 1.0).err(),
        );
        issues.extend(
            check_range(
                "camera.confirm_frames",
                u64::from(c.confirm_frames),
                1,
                10,
                "frames",
            )
            .err(),
        );
        issues
    }
}

impl Barcode {
    /// At least one symbology.
    pub(super) fn issues(&self) -> Vec<Issue> {
        let mut issues = Vec::new();
        if self.formats.is_empty() {
            issues.push(issue(
                "barcode.formats",
                "no barcode format is enabled",
                "list at least one, e.g. [\"ean13\", \"upc_a\"]",
            ));
        }
        issues
    }
}

//! The real camera, through nokhwa (V4L2 on Linux). The only place nokhwa is used.

use nokhwa::Camera;
use nokhwa::NokhwaError;
use nokhwa::pixel_format::{LumaFormat, RgbFormat};
use nokhwa::utils::{
    ApiBackend, CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType,
    Resolution,
};

use super::{CameraError, Frame, FrameSource};
use crate::config::{Camera as CameraConfig, PixelFormat};

pub struct DeviceSource {
    camera: Camera,
    name: String,
}

fn classify(e: NokhwaError) -> CameraError {
    let text = e.to_string();
    let lower = text.to_ascii_lowercase();
    if lower.contains("busy") || lower.contains("in use") {
        CameraError::Busy(text)
    } else if lower.contains("no such")
        || lower.contains("not found")
        || lower.contains("cannot find")
    {
        CameraError::NotFound(text)
    } else {
        CameraError::Disconnected(text)
    }
}

impl DeviceSource {
    /// Opens `[camera] device` at the configured resolution and rate (or the closest the camera
    /// offers) in the configured pixel format (`auto`: the first of MJPEG, YUYV, NV12, GRAY the
    /// camera offers), and starts streaming.
    pub fn open(config: &CameraConfig) -> Result<Self, CameraError> {
        let mut last_error = None;
        let mut opened = None;
        for frame_format in frame_formats(config.format) {
            let wanted = CameraFormat::new(
                Resolution::new(config.width, config.height),
                *frame_format,
                config.fps,
            );
            let format = RequestedFormat::new::<LumaFormat>(RequestedFormatType::Closest(wanted));
            match Camera::new(CameraIndex::Index(config.device), format) {
                Ok(camera) => {
                    opened = Some(camera);
                    break;
                }
                Err(e) => last_error = Some(e),
            }
        }
        let Some(mut camera) = opened else {
            return Err(last_error.map_or_else(
                || CameraError::NotFound("no pixel format to try".into()),
                classify,
            ));
        };
        camera.open_stream().map_err(classify)?;
        let name = camera.info().human_name();
        tracing::info!(camera = %name, format = %camera.camera_format(), "camera streaming");
        Ok(Self { camera, name })
    }
}

/// The formats to try, in order: nokhwa's `Closest` only matches a format the camera offers.
fn frame_formats(wanted: PixelFormat) -> &'static [FrameFormat] {
    match wanted {
        PixelFormat::Auto => &[
            FrameFormat::MJPEG,
            FrameFormat::YUYV,
            FrameFormat::NV12,
            FrameFormat::GRAY,
        ],
        PixelFormat::Mjpeg => &[FrameFormat::MJPEG],
        PixelFormat::Yuyv => &[FrameFormat::YUYV],
        PixelFormat::Nv12 => &[FrameFormat::NV12],
        PixelFormat::Gray => &[FrameFormat::GRAY],
    }
}

impl FrameSource for DeviceSource {
    fn next_frame(&mut self) -> Result<Frame, CameraError> {
        let buffer = self.camera.frame().map_err(classify)?;
        let image = buffer.decode_image::<LumaFormat>().map_err(classify)?;
        Ok(Frame {
            width: image.width(),
            height: image.height(),
            luma: image.into_raw(),
        })
    }

    fn describe(&self) -> String {
        self.name.clone()
    }
}

impl Drop for DeviceSource {
    fn drop(&mut self) {
        let _ = self.camera.stop_stream();
    }
}

/// Every camera the system offers, with the formats each supports (for `kiosk camera list`).
pub fn list() -> Result<Vec<(String, String, Vec<String>)>, CameraError> {
    let cameras = nokhwa::query(ApiBackend::Auto).map_err(classify)?;
    Ok(cameras
        .into_iter()
        .map(|info| {
            let formats = Camera::new(
                info.index().clone(),
                RequestedFormat::new::<RgbFormat>(RequestedFormatType::None),
            )
            .and_then(|mut c| c.compatible_camera_formats())
            .map(|fs| fs.iter().map(ToString::to_string).collect())
            .unwrap_or_else(|e| vec![format!("(cannot read formats: {e})")]);
            (info.index().to_string(), info.human_name(), formats)
        })
        .collect())
}

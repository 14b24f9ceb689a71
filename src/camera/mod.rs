//! Camera scanning without the GUI: a frame source trait (the nokhwa camera, or a replay of
//! image files for demos, tests and CI), a capture thread feeding a newest-frame-wins slot, and
//! the decoding pipeline that accepts a code only when it is certain.
//!
//! Only `device.rs` (behind the `camera` feature) touches nokhwa.

pub mod decode;
#[cfg(feature = "camera")]
pub mod device;
mod pipeline;
mod replay;
mod runner;

pub use pipeline::{Accepted, PipelineOptions, ScanPipeline};
pub use replay::ReplaySource;
pub use runner::{CameraEvent, CameraHandle, PREVIEW_WIDTH, Preview, start};

use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};

use thiserror::Error;

use crate::config::{Camera as CameraConfig, CameraSource};

/// One greyscale camera frame (the decoder works on luminance).
#[derive(Debug, Clone)]
pub struct Frame {
    pub width: u32,
    pub height: u32,
    pub luma: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CameraError {
    #[error("no camera found ({0})")]
    NotFound(String),
    #[error("the camera is in use by another program ({0})")]
    Busy(String),
    #[error("the camera stopped ({0})")]
    Disconnected(String),
    #[error("camera source: {0}")]
    Source(String),
}

/// Anything that yields frames: a camera, or a replay of pictures. Not `Send`: camera drivers
/// are bound to the thread that opened them, so the capture thread opens its own source.
pub trait FrameSource {
    /// Blocks until the next frame (at the source's own rate).
    fn next_frame(&mut self) -> Result<Frame, CameraError>;
    fn describe(&self) -> String;
}

/// Where frames come from: `[camera] source` with its folder resolved.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SourceSpec {
    /// The camera at `[camera] device`.
    Device,
    /// Pictures in a folder, played in name order, looping.
    Replay(std::path::PathBuf),
}

impl SourceSpec {
    /// The configured source, a replay folder taken relative to `base` (the config's folder).
    pub fn resolve(source: &CameraSource, base: &Path) -> Self {
        match source {
            CameraSource::Device => Self::Device,
            CameraSource::Replay(dir) if dir.is_absolute() => Self::Replay(dir.clone()),
            CameraSource::Replay(dir) => Self::Replay(base.join(dir)),
        }
    }
}

/// Picture files the image decoders read, by extension.
pub const PICTURE_EXTENSIONS: [&str; 5] = ["png", "jpg", "jpeg", "webp", "bmp"];

/// The pictures in `dir`, in name order (replay folders, `kiosk decode FOLDER`).
pub fn picture_files(dir: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| PICTURE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Opens the configured source.
pub fn open(spec: &SourceSpec, config: &CameraConfig) -> Result<Box<dyn FrameSource>, CameraError> {
    match spec {
        SourceSpec::Replay(dir) => Ok(Box::new(ReplaySource::open(
            dir,
            config.fps,
            (config.width, config.height),
        )?)),
        #[cfg(feature = "camera")]
        SourceSpec::Device => Ok(Box::new(device::DeviceSource::open(config)?)),
        #[cfg(not(feature = "camera"))]
        SourceSpec::Device => Err(CameraError::NotFound(
            "this build has no camera support".into(),
        )),
    }
}

/// A one-frame mailbox between the capture thread and the decoder: the newest frame replaces
/// an unread one, so a slow decoder skips frames instead of falling behind.
#[derive(Clone, Default)]
pub struct FrameSlot {
    inner: Arc<(Mutex<SlotState>, Condvar)>,
}

#[derive(Default)]
struct SlotState {
    frame: Option<Frame>,
    closed: bool,
    replaced: u64,
}

impl FrameSlot {
    pub fn put(&self, frame: Frame) {
        let (lock, ready) = &*self.inner;
        let mut state = lock.lock().unwrap_or_else(|p| p.into_inner());
        if state.frame.replace(frame).is_some() {
            state.replaced += 1;
        }
        ready.notify_one();
    }

    /// Waits for a frame; `None` once closed.
    pub fn take(&self) -> Option<Frame> {
        let (lock, ready) = &*self.inner;
        let mut state = lock.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(frame) = state.frame.take() {
                return Some(frame);
            }
            if state.closed {
                return None;
            }
            state = ready.wait(state).unwrap_or_else(|p| p.into_inner());
        }
    }

    pub fn close(&self) {
        let (lock, ready) = &*self.inner;
        lock.lock().unwrap_or_else(|p| p.into_inner()).closed = true;
        ready.notify_all();
    }

    pub fn is_closed(&self) -> bool {
        self.inner
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .closed
    }

    /// Frames dropped because a newer one arrived first.
    pub fn skipped(&self) -> u64 {
        self.inner
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .replaced
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(n: u8) -> Frame {
        Frame {
            width: 1,
            height: 1,
            luma: vec![n],
        }
    }

    #[test]
    fn the_newest_frame_wins() {
        let slot = FrameSlot::default();
        slot.put(frame(1));
        slot.put(frame(2));
        slot.put(frame(3));
        assert_eq!(slot.take().unwrap().luma, vec![3]);
        assert_eq!(slot.skipped(), 2);
        slot.close();
        assert!(slot.take().is_none());
    }

    #[test]
    fn source_specs() {
        let base = Path::new("/kiosk");
        let parse = |text: &str| CameraSource::try_from(text.to_owned());
        let resolve = |text: &str| parse(text).map(|s| SourceSpec::resolve(&s, base));
        assert_eq!(resolve("device"), Ok(SourceSpec::Device));
        assert_eq!(
            resolve("replay:fixtures/frames"),
            Ok(SourceSpec::Replay("/kiosk/fixtures/frames".into()))
        );
        assert_eq!(
            resolve("replay:/srv/frames"),
            Ok(SourceSpec::Replay("/srv/frames".into()))
        );
        assert!(parse("usb").unwrap_err().contains("not a camera source"));
        assert!(parse("replay:").unwrap_err().contains("needs a folder"));
        // Written back as it was read.
        assert_eq!(
            String::from(parse("replay:fixtures/frames").unwrap()),
            "replay:fixtures/frames"
        );
    }
}

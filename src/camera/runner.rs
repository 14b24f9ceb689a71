//! The two camera threads: `camera-capture` opens the source and fills the frame slot (and
//! re-opens it when it fails, so an unplugged camera comes back without a restart);
//! `barcode-decoder` takes the newest frame, makes a small preview (only when a screen shows
//! it) and runs the pipeline.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::{Accepted, FrameSlot, PipelineOptions, ScanPipeline, SourceSpec, open};
use crate::config::Camera as CameraConfig;

/// Width of the preview sent to the screen (the decoder keeps the full frame).
pub const PREVIEW_WIDTH: u32 = 640;
/// Seconds between attempts to re-open a camera that failed.
const REOPEN_AFTER: Duration = Duration::from_secs(2);

/// A small frame for the screen, as RGBA bytes (made off the UI thread).
#[derive(Debug, Clone)]
pub struct Preview {
    pub width: u32,
    pub height: u32,
    /// Shared, so the screen takes it without copying.
    pub rgba: bytes::Bytes,
}

#[derive(Debug, Clone)]
pub enum CameraEvent {
    /// Frames are coming from this source.
    Active(String),
    /// No frames, and why (in staff words; the screen says it in shopper words).
    Unavailable(String),
    Preview(Arc<Preview>),
    Read(Accepted),
}

/// Stops both threads when dropped.
pub struct CameraHandle {
    stop: Arc<AtomicBool>,
    slot: FrameSlot,
}

impl Drop for CameraHandle {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.slot.close();
    }
}

/// Starts capture and decoding, with previews when `previews` (the scan screen shows them;
/// elsewhere making them would cost a tenth of a core for nothing). `emit` returns `false`
/// when nobody listens any more, which stops the threads too.
pub fn start(
    spec: SourceSpec,
    config: CameraConfig,
    options: PipelineOptions,
    previews: bool,
    emit: impl Fn(CameraEvent) -> bool + Send + Sync + 'static,
) -> std::io::Result<CameraHandle> {
    let stop = Arc::new(AtomicBool::new(false));
    let slot = FrameSlot::default();
    let emit = Arc::new(emit);
    {
        let (stop, slot, emit) = (stop.clone(), slot.clone(), emit.clone());
        std::thread::Builder::new()
            .name("camera-capture".into())
            .spawn(move || {
                // "Unavailable" is said once per outage, not at every retry: each message
                // wakes the UI, and an idle kiosk should cost nothing.
                let mut said_unavailable = false;
                while !stop.load(Ordering::Relaxed) {
                    match open(&spec, &config) {
                        Ok(mut source) => {
                            said_unavailable = false;
                            if !emit(CameraEvent::Active(source.describe())) {
                                break;
                            }
                            while !stop.load(Ordering::Relaxed) {
                                match source.next_frame() {
                                    Ok(frame) => slot.put(frame),
                                    Err(e) => {
                                        tracing::warn!(error = %e, "camera stopped; will re-open");
                                        said_unavailable = true;
                                        if !emit(CameraEvent::Unavailable(e.to_string())) {
                                            stop.store(true, Ordering::Relaxed);
                                        }
                                        break;
                                    }
                                }
                            }
                        }
                        Err(e) => {
                            if !said_unavailable {
                                said_unavailable = true;
                                if !emit(CameraEvent::Unavailable(e.to_string())) {
                                    break;
                                }
                            }
                        }
                    }
                    std::thread::sleep(REOPEN_AFTER);
                }
                slot.close();
            })?;
    }
    {
        let (stop, slot) = (stop.clone(), slot.clone());
        std::thread::Builder::new()
            .name("barcode-decoder".into())
            .spawn(move || {
                let mut pipeline = ScanPipeline::new(options);
                let mut n: u64 = 0;
                while let Some(frame) = slot.take() {
                    n += 1;
                    // About 15 previews a second at 30 fps: smooth enough, half the work.
                    if previews
                        && n.is_multiple_of(2)
                        && let Some(preview) = preview(&frame.luma, frame.width, frame.height)
                        && !emit(CameraEvent::Preview(Arc::new(preview)))
                    {
                        break;
                    }
                    if let Some(read) = pipeline.feed(&frame) {
                        tracing::info!(gtin = %read.gtin, slow = read.slow_path, "camera read");
                        if !emit(CameraEvent::Read(read)) {
                            break;
                        }
                    }
                }
                stop.store(true, Ordering::Relaxed);
            })?;
    }
    Ok(CameraHandle { stop, slot })
}

/// The frame at about [`PREVIEW_WIDTH`] pixels wide, as RGBA: each preview pixel is the mean of
/// a square of frame pixels (2×2 for 1280×720, 3×3 for 1920×1080), in one pass. A filtered
/// resize (`imageops::resize`) took about half the decoder thread's time.
fn preview(luma: &[u8], width: u32, height: u32) -> Option<Preview> {
    let factor = (width / PREVIEW_WIDTH).max(1) as usize;
    let (width, height) = (width as usize, height as usize);
    if luma.len() < width * height {
        return None;
    }
    let (small_width, small_height) = (width / factor, height / factor);
    if small_width == 0 || small_height == 0 {
        return None;
    }
    let area = (factor * factor) as u32;
    let mut rgba = Vec::with_capacity(small_width * small_height * 4);
    for y in 0..small_height {
        let rows = &luma[y * factor * width..(y + 1) * factor * width];
        for x in 0..small_width {
            let sum: u32 = rows
                .chunks_exact(width)
                .map(|row| {
                    row[x * factor..(x + 1) * factor]
                        .iter()
                        .map(|&v| u32::from(v))
                        .sum::<u32>()
                })
                .sum();
            let v = (sum / area) as u8;
            rgba.extend_from_slice(&[v, v, v, 255]);
        }
    }
    Some(Preview {
        width: small_width as u32,
        height: small_height as u32,
        rgba: rgba.into(),
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::camera::decode::{frame_with, render};

    /// Events from a replayed tag until the first read (or 20 s).
    fn replay_events(previews: bool) -> Vec<CameraEvent> {
        let dir = tempfile::tempdir().unwrap();
        let label = render(
            crate::config::BarcodeFormat::Ean13,
            "4012345001013",
            380,
            180,
            false,
        )
        .unwrap();
        frame_with(&label, 1280, 720)
            .save(dir.path().join("001.png"))
            .unwrap();
        let events: Arc<Mutex<Vec<CameraEvent>>> = Arc::default();
        let sink = events.clone();
        let config = CameraConfig {
            fps: 60,
            ..CameraConfig::default()
        };
        let handle = start(
            SourceSpec::Replay(dir.path().into()),
            config,
            PipelineOptions::default(),
            previews,
            move |e| {
                sink.lock().unwrap().push(e);
                true
            },
        )
        .unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let seen = events.lock().unwrap();
            if seen.iter().any(|e| matches!(e, CameraEvent::Read(_)))
                || std::time::Instant::now() > deadline
            {
                break;
            }
            drop(seen);
            std::thread::sleep(Duration::from_millis(20));
        }
        drop(handle);
        events.lock().unwrap().clone()
    }

    #[test]
    fn replay_frames_flow_to_an_accepted_read_and_previews() {
        let seen = replay_events(true);
        assert!(matches!(seen.first(), Some(CameraEvent::Active(s)) if s.contains("replay")));
        let read = seen.iter().find_map(|e| match e {
            CameraEvent::Read(r) => Some(r.clone()),
            _ => None,
        });
        assert_eq!(
            read.map(|r| r.gtin.to_string()),
            Some("04012345001013".into())
        );
        assert!(
            seen.iter()
                .any(|e| matches!(e, CameraEvent::Preview(p) if p.width == PREVIEW_WIDTH))
        );
    }

    #[test]
    fn no_preview_is_made_when_no_screen_shows_it() {
        let seen = replay_events(false);
        assert!(seen.iter().any(|e| matches!(e, CameraEvent::Read(_))));
        assert!(!seen.iter().any(|e| matches!(e, CameraEvent::Preview(_))));
    }

    #[test]
    fn a_preview_is_the_frame_about_640_wide_each_pixel_the_mean_of_its_square() {
        for (width, height, small) in [
            (1280, 720, (640, 360)),
            (1920, 1080, (640, 360)),
            (640, 480, (640, 480)),
            (1281, 721, (640, 360)),
        ] {
            // Left half black, right half white, one grey pixel pair in the first square.
            let mut luma: Vec<u8> = (0..height)
                .flat_map(|_| (0..width).map(move |x| if x < width / 2 { 0 } else { 255 }))
                .collect();
            luma[0] = 100;
            let p = preview(&luma, width, height).unwrap();
            assert_eq!((p.width, p.height), small, "{width}x{height}");
            assert_eq!(p.rgba.len(), (small.0 * small.1 * 4) as usize);
            let factor = (width / PREVIEW_WIDTH).max(1);
            assert_eq!(p.rgba[0], (100 / (factor * factor)) as u8);
            assert_eq!(&p.rgba[4..8], &[0, 0, 0, 255]);
            let last = p.rgba.len() - 4;
            assert_eq!(&p.rgba[last..], &[255, 255, 255, 255]);
        }
        assert!(preview(&[0; 10], 1280, 720).is_none(), "short buffer");
    }

    #[test]
    fn a_missing_source_is_reported() {
        let events: Arc<Mutex<Vec<CameraEvent>>> = Arc::default();
        let sink = events.clone();
        let handle = start(
            SourceSpec::Replay("/nonexistent/frames".into()),
            CameraConfig::default(),
            PipelineOptions::default(),
            true,
            move |e| {
                sink.lock().unwrap().push(e);
                true
            },
        )
        .unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while events.lock().unwrap().is_empty() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        drop(handle);
        assert!(
            matches!(events.lock().unwrap().first(), Some(CameraEvent::Unavailable(why)) if why.contains("/nonexistent/frames"))
        );
    }
}

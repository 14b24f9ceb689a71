//! Replays a folder of pictures as if a camera were filming them: the demo, the tests and CI
//! run the real capture → decode → lookup pipeline without hardware.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{CameraError, Frame, FrameSource};

pub struct ReplaySource {
    dir: PathBuf,
    frames: Vec<Frame>,
    index: usize,
    /// Each picture is shown for one second's worth of frames, like a tag held up.
    hold: u32,
    shown: u32,
    interval: Duration,
    next_at: Instant,
}

impl ReplaySource {
    /// Loads every picture in `dir` (by name order). `fps` paces `next_frame`.
    pub fn open(dir: &Path, fps: u32, _resolution: (u32, u32)) -> Result<Self, CameraError> {
        let paths = super::picture_files(dir)
            .map_err(|e| CameraError::NotFound(format!("replay folder {}: {e}", dir.display())))?;
        let frames = paths
            .iter()
            .map(|p| {
                let gray = crate::camera::decode::open_picture(p)
                    .map_err(|e| CameraError::Source(format!("{}: {e}", p.display())))?
                    .to_luma8();
                Ok(Frame {
                    width: gray.width(),
                    height: gray.height(),
                    luma: gray.into_raw(),
                })
            })
            .collect::<Result<Vec<_>, CameraError>>()?;
        if frames.is_empty() {
            return Err(CameraError::NotFound(format!(
                "no pictures in replay folder {}",
                dir.display()
            )));
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            frames,
            index: 0,
            hold: fps.max(1),
            shown: 0,
            interval: Duration::from_secs_f64(1.0 / f64::from(fps.max(1))),
            next_at: Instant::now(),
        })
    }

    pub fn len(&self) -> usize {
        self.frames.len()
    }

    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }
}

impl FrameSource for ReplaySource {
    fn next_frame(&mut self) -> Result<Frame, CameraError> {
        let now = Instant::now();
        if self.next_at > now {
            std::thread::sleep(self.next_at - now);
        }
        self.next_at = self.next_at.max(now) + self.interval;
        let frame = self.frames[self.index].clone();
        self.shown += 1;
        if self.shown >= self.hold {
            self.shown = 0;
            self.index = (self.index + 1) % self.frames.len();
        }
        Ok(frame)
    }

    fn describe(&self) -> String {
        format!(
            "replay of {} pictures in {}",
            self.frames.len(),
            self.dir.display()
        )
    }
}

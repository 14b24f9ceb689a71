//! From frames to a certain read. The fast path asks rxing only for the configured retail
//! formats without try-harder; when it keeps missing, a slower pass (try-harder, inverted
//! symbols, the frame turned a quarter) runs on one frame in `fallback_every`, never on all.
//! A code is accepted only when its GS1 check digit holds, a 1D retail symbol is read the same
//! on other scan lines of the same frame (with no longer symbol around a short one, quiet
//! zones either side of it, and a square look at it when its bars run aslant), and the same
//! GTIN was read in `confirm_frames` frames in a row: a wrong product on screen is worse than a
//! second look. A still picture gets one careful look with the same rules (`read_still`).

use std::collections::HashSet;
use std::sync::Arc;

use image::GrayImage;
use image::imageops;

use super::Frame;
use crate::camera::decode::{Decoded, Decoder};
use crate::config::BarcodeFormat;
use crate::domain::barcode::{Gtin, Symbology};

#[derive(Debug, Clone)]
pub struct PipelineOptions {
    pub formats: Vec<BarcodeFormat>,
    /// Reads of the same GTIN in a row before it is accepted.
    pub confirm_frames: u32,
    /// After this many missed frames, one frame in this many gets the slow pass.
    pub fallback_every: u32,
    /// The GTINs this store sells. A read outside it is far more likely a misread (a partial
    /// EAN-13 seen as a UPC-E, say) than a new product, so it needs `unknown_confirm_frames`.
    pub catalog: Option<Arc<HashSet<Gtin>>>,
    pub unknown_confirm_frames: u32,
}

impl Default for PipelineOptions {
    fn default() -> Self {
        Self {
            formats: crate::config::Barcode::default().formats,
            confirm_frames: 2,
            fallback_every: 4,
            catalog: None,
            unknown_confirm_frames: 6,
        }
    }
}

/// A read the pipeline is sure of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub gtin: Gtin,
    /// The GTIN as a scanner would type it (for the lookup).
    pub text: String,
    /// Exactly what the symbol held (GS separators included).
    pub raw: String,
    /// rxing's name of the symbology.
    pub format: String,
    pub symbology: Option<Symbology>,
    /// Whether the slow pass found it.
    pub slow_path: bool,
}

pub struct ScanPipeline {
    fast: Decoder,
    slow: Decoder,
    options: PipelineOptions,
    misses: u32,
    candidate: Option<(Gtin, u32)>,
    /// The last accepted GTIN: not accepted again until another code or an empty stretch.
    shown: Option<Gtin>,
    empty_frames: u32,
}

/// Frames without any code after which the same product may be accepted again.
const FORGET_AFTER_EMPTY: u32 = 45;

impl ScanPipeline {
    pub fn new(options: PipelineOptions) -> Self {
        Self {
            fast: Decoder::for_camera(&options.formats),
            slow: Decoder::for_files(&options.formats).with_inverted(),
            options,
            misses: 0,
            candidate: None,
            shown: None,
            empty_frames: 0,
        }
    }

    /// Forget the product on screen (the shopper started over): it may be accepted again.
    pub fn reset(&mut self) {
        self.candidate = None;
        self.shown = None;
    }

    fn read(&mut self, frame: &Frame) -> Option<Read> {
        if let Ok(decoded) = self.fast.luma(&frame.luma, frame.width, frame.height) {
            self.misses = 0;
            return Some(Read::of(decoded, false, None));
        }
        self.misses += 1;
        if !self
            .misses
            .is_multiple_of(self.options.fallback_every.max(1))
        {
            return None;
        }
        self.slow_passes(frame, false).next()
    }

    /// The slower passes, in order: try-harder with inverted symbols, then the picture turned a
    /// quarter (a tag held sideways brings 1D bars back across the scan lines); for a still
    /// (`still`) also scaled — up for a small picture whose bars are a pixel or two wide, down
    /// for a large blurry one. Lazily: the first read that holds stops the caller.
    fn slow_passes<'a>(&'a self, frame: &'a Frame, still: bool) -> impl Iterator<Item = Read> + 'a {
        let image = move || GrayImage::from_raw(frame.width, frame.height, frame.luma.clone());
        let original = std::iter::once_with(move || {
            self.slow
                .luma(&frame.luma, frame.width, frame.height)
                .ok()
                .map(|d| Read::of(d, true, None))
        });
        let turned = std::iter::once_with(move || {
            let turned = imageops::rotate90(&image()?);
            self.slow
                .luma(turned.as_raw(), turned.width(), turned.height())
                .ok()
                .map(|d| Read::of(d, true, Some(turned)))
        });
        let scaled = std::iter::once_with(move || {
            let image = image()?;
            let side = image.width().max(image.height());
            let factor = if side < SMALL_STILL {
                2.0
            } else if side > LARGE_STILL {
                0.5
            } else {
                return None;
            };
            let w = ((image.width() as f32) * factor).round().max(1.0) as u32;
            let h = ((image.height() as f32) * factor).round().max(1.0) as u32;
            let scaled = imageops::resize(&image, w, h, imageops::FilterType::Triangle);
            self.slow
                .luma(scaled.as_raw(), scaled.width(), scaled.height())
                .ok()
                .map(|d| Read::of(d, true, Some(scaled)))
        })
        .filter(move |_| still);
        original.chain(turned).chain(scaled).flatten()
    }

    /// Whether a read holds up: a 2D symbol (Reed–Solomon inside) as it is; a 1D retail symbol
    /// only when other scan lines read the same product (two for a product the store does not
    /// sell), more than read another, no longer symbol shows around a short one, and a short
    /// one has its quiet zones. One line of bars can misread; the same misread on lines a step
    /// apart, in the same picture, is what no photo produced.
    fn holds(&self, read: &Read, frame: &Frame, known: bool) -> bool {
        if !read.decoded.is_retail_1d() {
            return true;
        }
        let (luma, width, height) = match &read.picture {
            Some(p) => (p.as_raw().as_slice(), p.width(), p.height()),
            None => (frame.luma.as_slice(), frame.width, frame.height),
        };
        let votes = self.slow.line_votes(luma, width, height, &read.decoded);
        let needed = if known { 1 } else { 2 };
        let held = !votes.longer_symbol
            && votes.agreeing >= needed
            && votes.agreeing > votes.other
            && (!read.decoded.is_short_retail()
                || votes.quiet_zones
                    && self.square_read_agrees(read, luma, (width, height), votes));
        if !held {
            tracing::debug!(?votes, text = %read.decoded.text, "1D read not confirmed by its other lines");
        }
        held
    }

    /// A short symbol read on lines that cross its bars aslant may be part of a longer one
    /// (a tilted EAN-13 holds a UPC-E's worth of bars): turned square, the picture must read
    /// the same short symbol — not a longer one, and not nothing, unless the store sells it.
    fn square_read_agrees(
        &self,
        read: &Read,
        luma: &[u8],
        (width, height): (u32, u32),
        votes: crate::camera::decode::LineVotes,
    ) -> bool {
        if votes.slant.abs() < MAX_SQUARE_SLANT {
            return true;
        }
        let Ok(scan) = read.decoded.scan.as_ref() else {
            return false;
        };
        let sells = self
            .options
            .catalog
            .as_ref()
            .is_some_and(|c| c.contains(&scan.gtin));
        let angle = votes.slant.atan();
        for theta in [angle, -angle] {
            if let Some(square) = self.slow.turned_by(luma, width, height, theta) {
                if square.is_retail_1d() && !square.is_short_retail() {
                    return false;
                }
                if square.scan.as_ref().is_ok_and(|s| s.gtin == scan.gtin) {
                    return true;
                }
            }
        }
        sells
    }

    fn known(&self, gtin: Gtin) -> bool {
        self.options
            .catalog
            .as_ref()
            .is_none_or(|c| c.contains(&gtin))
    }

    /// A still picture (a file, a photo): one careful look — the fast pass, then the slower
    /// ones — under the same rules as the camera's, except that agreement across scan lines
    /// stands in for agreement across frames (a still repeated would only repeat its misread).
    pub fn read_still(&mut self, frame: &Frame) -> Option<Accepted> {
        self.reset();
        let fast = self
            .fast
            .luma(&frame.luma, frame.width, frame.height)
            .ok()
            .map(|d| Read::of(d, false, None));
        for read in fast.into_iter().chain(self.slow_passes(frame, true)) {
            match read.decoded.scan.as_ref() {
                Ok(scan) if self.holds(&read, frame, self.known(scan.gtin)) => {
                    return read.accepted();
                }
                // A line that misread: another pass may read it cleanly.
                Ok(_) => {}
                // A symbol that is no product (a web address in a QR code): the slower
                // passes would only find it again.
                Err(_) if !read.decoded.is_retail_1d() => return None,
                Err(_) => {}
            }
        }
        None
    }

    /// Feeds one frame; returns a read once it is certain.
    pub fn feed(&mut self, frame: &Frame) -> Option<Accepted> {
        let Some(read) = self.read(frame) else {
            self.empty_frames += 1;
            if self.empty_frames >= FORGET_AFTER_EMPTY {
                self.candidate = None;
                self.shown = None;
            }
            return None;
        };
        self.empty_frames = 0;
        // Not a valid product code (bad check digit, a URL that is not a Digital Link, …):
        // treated as no read at all.
        let gtin = read.decoded.scan.as_ref().ok()?.gtin;
        let known = self.known(gtin);
        if !self.holds(&read, frame, known) {
            return None;
        }
        let count = match self.candidate {
            Some((candidate, n)) if candidate == gtin => n + 1,
            _ => 1,
        };
        self.candidate = Some((gtin, count));
        let needed = if known {
            self.options.confirm_frames
        } else {
            self.options
                .unknown_confirm_frames
                .max(self.options.confirm_frames)
        };
        if count < needed.max(1) || self.shown == Some(gtin) {
            return None;
        }
        self.shown = Some(gtin);
        read.accepted()
    }
}

/// A slant (sideways pixels per row) up to which a symbol's bars count as square to the scan
/// lines: about 6°.
const MAX_SQUARE_SLANT: f32 = 0.1;

/// Pictures smaller than this (longest side, pixels) are also read at twice the size.
const SMALL_STILL: u32 = 480;
/// Pictures larger than this (a 1280×720 frame is) are also read at half the size: blur and
/// noise spread over many pixels come together (the corpus's noisy DataMatrix, faint QR).
const LARGE_STILL: u32 = 1200;

/// One decode: what was read, whether a slow pass found it, and the picture it was read in
/// when that is not the frame itself (turned, scaled) — its other lines are checked there.
struct Read {
    decoded: Decoded,
    slow_path: bool,
    picture: Option<GrayImage>,
}

impl Read {
    fn of(decoded: Decoded, slow_path: bool, picture: Option<GrayImage>) -> Self {
        Self {
            decoded,
            slow_path,
            picture,
        }
    }

    fn accepted(&self) -> Option<Accepted> {
        let scan = self.decoded.scan.as_ref().ok()?;
        Some(Accepted {
            gtin: scan.gtin,
            text: scan.gtin.to_string(),
            raw: self.decoded.text.clone(),
            format: self.decoded.format.clone(),
            symbology: self.decoded.symbology,
            slow_path: self.slow_path,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::camera::decode::{frame_with, render};

    fn frame_of(code: &str, format: BarcodeFormat, gs1: bool) -> Frame {
        let picture = render(format, code, 380, 180, gs1).unwrap();
        let f = frame_with(&picture, 1280, 720);
        Frame {
            width: f.width(),
            height: f.height(),
            luma: f.into_raw(),
        }
    }

    fn blank() -> Frame {
        Frame {
            width: 1280,
            height: 720,
            luma: vec![128; 1280 * 720],
        }
    }

    #[test]
    fn accepts_after_two_agreeing_frames_and_only_once() {
        let mut p = ScanPipeline::new(PipelineOptions::default());
        let f = frame_of("4012345001013", BarcodeFormat::Ean13, false);
        assert_eq!(p.feed(&f), None, "one frame is not enough");
        let accepted = p.feed(&f).expect("second agreeing frame");
        assert_eq!(accepted.gtin.to_string(), "04012345001013");
        assert_eq!(p.feed(&f), None, "not re-triggered while on screen");
        p.reset();
        assert_eq!(p.feed(&f), None);
        assert!(p.feed(&f).is_some(), "after a reset it reads again");
    }

    #[test]
    fn a_different_code_in_between_restarts_agreement() {
        let mut p = ScanPipeline::new(PipelineOptions::default());
        let a = frame_of("4012345001013", BarcodeFormat::Ean13, false);
        let b = frame_of("(01)04012345001020", BarcodeFormat::DataMatrix, true);
        assert_eq!(p.feed(&a), None);
        assert_eq!(p.feed(&b), None);
        assert_eq!(
            p.feed(&b).map(|r| r.gtin.to_string()),
            Some("04012345001020".into())
        );
    }

    #[test]
    fn sideways_tags_are_found_by_the_fallback() {
        let mut p = ScanPipeline::new(PipelineOptions {
            fallback_every: 1,
            ..PipelineOptions::default()
        });
        let picture = render(BarcodeFormat::Ean13, "4012345001013", 380, 180, false).unwrap();
        let turned = imageops::rotate90(&picture);
        let f = frame_with(&turned, 1280, 720);
        let frame = Frame {
            width: 1280,
            height: 720,
            luma: f.into_raw(),
        };
        let reads: Vec<_> = (0..4).filter_map(|_| p.feed(&frame)).collect();
        assert_eq!(reads.len(), 1);
        assert!(reads[0].slow_path);
    }

    #[test]
    fn blank_frames_never_read() {
        let mut p = ScanPipeline::new(PipelineOptions {
            fallback_every: 1,
            ..PipelineOptions::default()
        });
        for _ in 0..10 {
            assert_eq!(p.feed(&blank()), None);
        }
    }
}

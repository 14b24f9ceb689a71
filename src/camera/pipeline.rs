//! From frames to a certain read. The fast path asks rxing only for the configured retail
//! formats without try-harder; when it keeps missing, a slower pass (try-harder, inverted
//! symbols, the frame turned a quarter) runs on one frame in `fallback_every`, never on all.
//! A code is accepted only when its GS1 check digit holds and the same GTIN was read in
//! `confirm_frames` frames in a row: a wrong product on screen is worse than a second look.

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

    fn read(&mut self, frame: &Frame) -> Option<(Decoded, bool)> {
        if let Ok(d) = self.fast.luma(&frame.luma, frame.width, frame.height) {
            self.misses = 0;
            return Some((d, false));
        }
        self.misses += 1;
        if !self
            .misses
            .is_multiple_of(self.options.fallback_every.max(1))
        {
            return None;
        }
        if let Ok(d) = self.slow.luma(&frame.luma, frame.width, frame.height) {
            return Some((d, true));
        }
        // A tag held sideways: a quarter turn brings 1D bars back across the scan lines.
        let image = GrayImage::from_raw(frame.width, frame.height, frame.luma.clone())?;
        let turned = imageops::rotate90(&image);
        self.slow
            .luma(turned.as_raw(), turned.width(), turned.height())
            .ok()
            .map(|d| (d, true))
    }

    /// A still picture (a file, a photo): fed as the frames of a tag held still, so the fast
    /// path, the fallbacks and the agreement rule all apply as for the camera.
    pub fn read_still(&mut self, frame: &Frame) -> Option<Accepted> {
        self.reset();
        self.misses = 0;
        let frames = self.options.fallback_every.max(1) * 3
            + self
                .options
                .confirm_frames
                .max(self.options.unknown_confirm_frames);
        (0..frames).find_map(|_| self.feed(frame))
    }

    /// Feeds one frame; returns a read once it is certain.
    pub fn feed(&mut self, frame: &Frame) -> Option<Accepted> {
        let Some((decoded, slow_path)) = self.read(frame) else {
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
        let scan = decoded.scan.ok()?;
        let in_catalog = self
            .options
            .catalog
            .as_ref()
            .is_some_and(|c| c.contains(&scan.gtin));
        // Symbology sanity: the slow pass (tilted, turned, inverted) can find a UPC-E or EAN-8
        // inside part of a longer code; such short reads count only for products we sell.
        if slow_path
            && matches!(decoded.symbology, Some(Symbology::UpcE | Symbology::Ean8))
            && !in_catalog
        {
            tracing::debug!(gtin = %scan.gtin, "short code from the slow pass, not in the catalog: ignored");
            return None;
        }
        let count = match self.candidate {
            Some((gtin, n)) if gtin == scan.gtin => n + 1,
            _ => 1,
        };
        self.candidate = Some((scan.gtin, count));
        let known = self
            .options
            .catalog
            .as_ref()
            .is_none_or(|c| c.contains(&scan.gtin));
        let needed = if known {
            self.options.confirm_frames
        } else {
            self.options
                .unknown_confirm_frames
                .max(self.options.confirm_frames)
        };
        if count < needed.max(1) || self.shown == Some(scan.gtin) {
            return None;
        }
        self.shown = Some(scan.gtin);
        Some(Accepted {
            gtin: scan.gtin,
            text: scan.gtin.to_string(),
            raw: decoded.text.clone(),
            format: decoded.format.clone(),
            symbology: decoded.symbology,
            slow_path,
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

//! From frames to a certain read. The fast path asks rxing only for the configured retail
//! formats without try-harder; when it keeps missing, slower passes run on one frame in
//! `fallback_every`, never on all, taking turns (try-harder with inverted symbols and the
//! frame turned a quarter on one slow frame, the local-mean binarisation and the frame at
//! half size on the next).
//! A code is accepted only when its GS1 check digit holds, a 1D retail symbol is read the same
//! on other scan lines of the same frame (with no longer symbol around a short one, quiet
//! zones either side of it, and a square look at it when its bars run aslant), and the same
//! GTIN was read in `confirm_frames` frames in a row: a wrong product on screen is worse than a
//! second look — unless one frame already holds strong evidence (see [`Evidence::Strong`]),
//! when the second look would only cost the shopper 33 ms. A still picture gets one careful
//! look with the same rules (`read_still`).

use std::collections::HashSet;
use std::sync::Arc;

use image::GrayImage;
use image::imageops;

use super::Frame;
use crate::camera::decode::{Binarization, Decoded, Decoder, LOCAL_MEAN_RADIUS, half_size};
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
    /// Accept a read with strong evidence in one frame, whatever `confirm_frames` says.
    pub one_frame_when_certain: bool,
}

impl Default for PipelineOptions {
    fn default() -> Self {
        Self {
            formats: crate::config::Barcode::default().formats,
            confirm_frames: 2,
            fallback_every: 4,
            catalog: None,
            unknown_confirm_frames: 6,
            one_frame_when_certain: true,
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
    local_mean: Decoder,
    options: PipelineOptions,
    misses: u32,
    candidate: Option<(Gtin, u32)>,
    /// The last accepted GTIN: not accepted again until another code or an empty stretch.
    shown: Option<Gtin>,
    empty_frames: u32,
    /// Frames since an EAN-13 or UPC-A was decoded (whether or not it held).
    frames_since_longer: u32,
    /// Frames fed so far.
    frames: u64,
    /// Per set of slow passes ([`Pass::FOR_CAMERA`]): the scene it last found nothing in, and
    /// at which frame. The same set on the same scene finds the same nothing, at 40-60 ms a go.
    slow_found_nothing: [Option<(Scene, u64)>; Pass::FOR_CAMERA.len()],
    /// Slow frames run (for the tests).
    slow_runs: u64,
}

/// Frames (a second at 30 fps) after an EAN-13/UPC-A read in which a short symbol (UPC-E,
/// EAN-8) is not taken: the shopper has not changed tags that fast.
const LONGER_MEMORY: u32 = 30;

/// Frames without any code after which the same product may be accepted again.
const FORGET_AFTER_EMPTY: u32 = 45;

/// Frames (a second at 30 fps) after which a set of slow passes runs again on a scene it
/// found nothing in: camera noise gives a borderline symbol another chance now and then.
const RETRY_STILL_SCENE_AFTER: u64 = 30;

impl ScanPipeline {
    pub fn new(options: PipelineOptions) -> Self {
        Self {
            fast: Decoder::for_camera(&options.formats),
            slow: Decoder::for_files(&options.formats).with_inverted(),
            local_mean: Decoder::for_files(&options.formats)
                .with_inverted()
                .with_binarization(Binarization::LocalMean {
                    radius: LOCAL_MEAN_RADIUS,
                }),
            options,
            misses: 0,
            candidate: None,
            shown: None,
            empty_frames: 0,
            frames_since_longer: u32::MAX,
            frames: 0,
            slow_found_nothing: Default::default(),
            slow_runs: 0,
        }
    }

    /// Slow frames run so far.
    pub fn slow_runs(&self) -> u64 {
        self.slow_runs
    }

    /// Forget the product on screen (the shopper started over): it may be accepted again.
    pub fn reset(&mut self) {
        self.candidate = None;
        self.shown = None;
        self.slow_found_nothing = Default::default();
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
        // The camera's slow passes take turns, one set per slow frame, so a slow frame costs
        // no more than it did before the local-mean pass was added.
        let turn = (self.misses / self.options.fallback_every.max(1)).saturating_sub(1) as usize;
        let set = turn % Pass::FOR_CAMERA.len();
        // Nothing moved since this set last found nothing here (an empty counter, a tag held
        // still): running it again would cost 40-60 ms for the same answer. This is what keeps
        // a camera looking at an empty scene from spending half a core on it.
        let scene = Scene::of(frame);
        if let Some((seen, at)) = &self.slow_found_nothing[set]
            && !seen.differs_from(&scene)
            && self.frames - at < RETRY_STILL_SCENE_AFTER
        {
            return None;
        }
        self.slow_runs += 1;
        let read = self
            .slow_passes(frame, Pass::FOR_CAMERA[set].to_vec())
            .next();
        self.slow_found_nothing[set] = match read {
            Some(_) => None,
            None => Some((scene, self.frames)),
        };
        read
    }

    /// The slower passes (see [`Pass`]), lazily: the first read that holds stops the caller.
    fn slow_passes<'a>(
        &'a self,
        frame: &'a Frame,
        passes: Vec<Pass>,
    ) -> impl Iterator<Item = Read> + 'a {
        passes
            .into_iter()
            .filter_map(move |pass| self.run(pass, frame))
    }

    fn run(&self, pass: Pass, frame: &Frame) -> Option<Read> {
        let image = || GrayImage::from_raw(frame.width, frame.height, frame.luma.clone());
        let (decoder, picture) = match pass {
            Pass::Slow => (&self.slow, None),
            Pass::LocalMean => (&self.local_mean, None),
            Pass::QuarterTurn => (&self.slow, Some(imageops::rotate90(&image()?))),
            Pass::Scaled {
                percent,
                local_mean,
            } => {
                let image = image()?;
                let size = |side: u32| (side * percent).div_ceil(100).max(1);
                let scaled = if percent == 50 {
                    half_size(&image)
                } else {
                    imageops::resize(
                        &image,
                        size(image.width()),
                        size(image.height()),
                        imageops::FilterType::Triangle,
                    )
                };
                let decoder = if local_mean {
                    &self.local_mean
                } else {
                    &self.slow
                };
                (decoder, Some(scaled))
            }
        };
        let decoded = match &picture {
            Some(p) => decoder.luma(p.as_raw(), p.width(), p.height()),
            None => decoder.luma(&frame.luma, frame.width, frame.height),
        };
        let shrunk = matches!(pass, Pass::Scaled { percent, .. } if percent < 100);
        decoded.ok().map(|d| Read {
            shrunk,
            ..Read::of(d, true, picture)
        })
    }

    /// How much a read holds up: a 2D symbol (Reed–Solomon inside) as it is; a 1D retail
    /// symbol only when other scan lines read the same product, more than read another, no
    /// longer symbol shows around a short one, and a short one has its quiet zones. One line of
    /// bars can misread, and now and then two lines side by side misread alike (a sideways
    /// EAN-13 read as another valid EAN-13 on two neighbouring columns — zxing-cpp makes that
    /// one too): so one other line is enough only for a product the store sells (the catalog is
    /// evidence of its own: a misread landing on one of its GTINs is a one-in-a-billion event);
    /// any other read, or any read without a catalog (`kiosk decode`), needs two.
    fn evidence(&self, read: &Read, frame: &Frame) -> Evidence {
        let sold_here = read
            .decoded
            .scan
            .as_ref()
            .is_ok_and(|scan| self.sells(scan.gtin));
        if !read.decoded.is_retail_1d() {
            // A 2D symbol carries its own error correction; a Code 128 only a checksum.
            return if sold_here && read.decoded.is_2d() {
                Evidence::Strong
            } else {
                Evidence::Enough
            };
        }
        if read.shrunk
            && read
                .decoded
                .module_width()
                .is_none_or(|w| w < MIN_MODULE_WHEN_SHRUNK)
        {
            tracing::debug!(text = %read.decoded.text, "1D read on a picture shrunk too far");
            return Evidence::None;
        }
        let (luma, width, height) = match &read.picture {
            Some(p) => (p.as_raw().as_slice(), p.width(), p.height()),
            None => (frame.luma.as_slice(), frame.width, frame.height),
        };
        let votes = self.slow.line_votes(luma, width, height, &read.decoded);
        let needed = if sold_here { 1 } else { 2 };
        let held = !votes.longer_symbol
            && votes.agreeing >= needed
            && votes.agreeing > votes.other
            && (!read.decoded.is_short_retail()
                || votes.quiet_zones
                    && self.square_read_agrees(read, luma, (width, height), votes));
        if !held {
            tracing::debug!(?votes, text = %read.decoded.text, "1D read not confirmed by its other lines");
            return Evidence::None;
        }
        // Strong: the plain fast read of a full-length symbol, two more lines reading the same
        // GTIN and none reading anything else, and a product this store sells. Short symbols
        // (a UPC-E's worth of bars hides in every EAN-13) and reads from the slow passes (where
        // the documented misreads were made) keep the second frame.
        let strong = sold_here
            && !read.slow_path
            && !read.decoded.is_short_retail()
            && votes.agreeing >= 2
            && votes.other == 0;
        if strong {
            Evidence::Strong
        } else {
            Evidence::Enough
        }
    }

    fn holds(&self, read: &Read, frame: &Frame) -> bool {
        self.evidence(read, frame) != Evidence::None
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
        let sells = self.sells(scan.gtin);
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

    /// Whether the store's catalog holds `gtin` (false without a catalog).
    fn sells(&self, gtin: Gtin) -> bool {
        self.options
            .catalog
            .as_ref()
            .is_some_and(|c| c.contains(&gtin))
    }

    /// Whether `gtin` needs only `confirm_frames` (in the catalog, or no catalog to ask).
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
        let passes = Pass::for_still(frame.width, frame.height);
        // An EAN-13 or UPC-A decoded by any pass, even one whose lines did not agree, means a
        // short symbol read later is likely part of its bars.
        let mut saw_longer = false;
        for read in fast.into_iter().chain(self.slow_passes(frame, passes)) {
            if read.decoded.is_short_retail() && saw_longer {
                tracing::debug!(text = %read.decoded.text, "short symbol where a longer one was read");
                continue;
            }
            saw_longer |= read.decoded.is_retail_1d() && !read.decoded.is_short_retail();
            match read.decoded.scan.as_ref() {
                Ok(_) if self.holds(&read, frame) => {
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
        self.frames += 1;
        self.frames_since_longer = self.frames_since_longer.saturating_add(1);
        let Some(read) = self.read(frame) else {
            self.empty_frames += 1;
            if self.empty_frames >= FORGET_AFTER_EMPTY {
                self.candidate = None;
                self.shown = None;
            }
            return None;
        };
        self.empty_frames = 0;
        if read.decoded.is_retail_1d() && !read.decoded.is_short_retail() {
            self.frames_since_longer = 0;
        } else if read.decoded.is_short_retail() && self.frames_since_longer < LONGER_MEMORY {
            // The same tag a moment ago read as an EAN-13/UPC-A: this short read is likely
            // part of its bars (a UPC-E's worth of an EAN-13), not another product.
            tracing::debug!(text = %read.decoded.text, "short symbol just after a longer one");
            return None;
        }
        // Not a valid product code (bad check digit, a URL that is not a Digital Link, …):
        // treated as no read at all.
        let gtin = read.decoded.scan.as_ref().ok()?.gtin;
        let known = self.known(gtin);
        let evidence = self.evidence(&read, frame);
        if evidence == Evidence::None {
            return None;
        }
        let count = match self.candidate {
            Some((candidate, n)) if candidate == gtin => n + 1,
            _ => 1,
        };
        self.candidate = Some((gtin, count));
        let needed = if evidence == Evidence::Strong && self.options.one_frame_when_certain {
            1
        } else if known {
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

/// A frame in brief: the mean brightness of each cell of a coarse grid. Two frames of the
/// same still scene differ by sensor noise, which the cell means average away; a tag, a hand
/// or a shoe coming into view moves some cell by far more than [`Scene::MOVED`].
#[derive(Debug, Clone, PartialEq, Eq)]
struct Scene(Vec<u8>);

impl Scene {
    const COLUMNS: usize = 16;
    const ROWS: usize = 9;
    /// Grey levels a cell's mean must move by to count as a change.
    const MOVED: u8 = 6;

    fn of(frame: &Frame) -> Self {
        let (width, height) = (frame.width as usize, frame.height as usize);
        let mut sums = vec![(0u64, 0u64); Self::COLUMNS * Self::ROWS];
        if width == 0 || height == 0 || frame.luma.len() < width * height {
            return Self(Vec::new());
        }
        // Every fourth pixel of every fourth row: plenty for a mean, a sixteenth of the work.
        for y in (0..height).step_by(4) {
            let cell_row = y * Self::ROWS / height * Self::COLUMNS;
            let row = &frame.luma[y * width..(y + 1) * width];
            for x in (0..width).step_by(4) {
                let cell = &mut sums[cell_row + x * Self::COLUMNS / width];
                cell.0 += u64::from(row[x]);
                cell.1 += 1;
            }
        }
        Self(
            sums.into_iter()
                .map(|(sum, n)| (sum / n.max(1)) as u8)
                .collect(),
        )
    }

    fn differs_from(&self, other: &Scene) -> bool {
        self.0.len() != other.0.len()
            || self
                .0
                .iter()
                .zip(&other.0)
                .any(|(a, b)| a.abs_diff(*b) > Self::MOVED)
    }
}

/// How far one frame's read holds up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Evidence {
    /// Not at all: other lines disagree, too few agree, a longer symbol shows around it, …
    None,
    /// As far as one frame can tell: the next frames must read it too (`confirm_frames`).
    Enough,
    /// A check digit, three lines of a full-length symbol reading the same (or a 2D symbol's
    /// error correction) and a GTIN the store sells: a misread would have to pass all three.
    Strong,
}

/// The narrowest bar (pixels) a read on a shrunk picture may have. Halving a crisp symbol
/// whose bars are 4 pixels wide blurs every edge alike, and every line then reads the same
/// wrong number (a drawn EAN-13 on its side, halved, read as another valid EAN-13 on 33 lines
/// of 33): shrinking is for large blurry symbols, whose bars stay wide.
const MIN_MODULE_WHEN_SHRUNK: f32 = 2.5;

/// A slant (sideways pixels per row) up to which a symbol's bars count as square to the scan
/// lines: about 6°.
const MAX_SQUARE_SLANT: f32 = 0.1;

/// One slower look at a picture, after the fast pass missed. Each was kept because it read
/// real photos or corpus samples the others did not (docs/PERFORMANCE.md has what each reads
/// and costs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    /// Try-harder (more scan lines, both directions) with inverted symbols.
    Slow,
    /// The picture turned a quarter: a tag held sideways brings 1D bars across the scan lines.
    QuarterTurn,
    /// The slow pass with each pixel thresholded against its neighbourhood's mean: bars that
    /// glare or a curved pack runs together for the block thresholds.
    LocalMean,
    /// The picture scaled: up for a small one whose bars are a pixel or two wide, down for a
    /// large blurry one (blur and noise spread over many pixels come together).
    Scaled { percent: u32, local_mean: bool },
}

/// Pictures smaller than this (longest side, pixels) are also read larger.
const SMALL_STILL: u32 = 480;
/// Pictures larger than this (a 1280×720 frame is) are also read at half the size.
const LARGE_STILL: u32 = 1200;

impl Pass {
    /// On camera frames, one slow frame in `fallback_every` runs the next set, in turn: the
    /// next frame is another chance, and each set costs about what one slow frame always did.
    const FOR_CAMERA: [&[Pass]; 2] = [
        &[Pass::Slow, Pass::QuarterTurn],
        &[
            Pass::LocalMean,
            Pass::Scaled {
                percent: 50,
                local_mean: false,
            },
        ],
    ];

    /// A still has no next frame: every pass, cheapest and likeliest first.
    fn for_still(width: u32, height: u32) -> Vec<Pass> {
        let side = width.max(height);
        let mut passes = vec![Pass::Slow, Pass::QuarterTurn];
        let scales: &[u32] = if side < SMALL_STILL {
            &[200, 150]
        } else if side > LARGE_STILL {
            &[50]
        } else {
            &[]
        };
        passes.push(Pass::LocalMean);
        for &percent in scales {
            passes.push(Pass::Scaled {
                percent,
                local_mean: false,
            });
        }
        for &percent in scales {
            passes.push(Pass::Scaled {
                percent,
                local_mean: true,
            });
        }
        passes
    }
}

/// One decode: what was read, whether a slow pass found it, and the picture it was read in
/// when that is not the frame itself (turned, scaled) — its other lines are checked there.
struct Read {
    decoded: Decoded,
    slow_path: bool,
    picture: Option<GrayImage>,
    /// Read on the picture made smaller.
    shrunk: bool,
}

impl Read {
    fn of(decoded: Decoded, slow_path: bool, picture: Option<GrayImage>) -> Self {
        Self {
            decoded,
            slow_path,
            picture,
            shrunk: false,
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

    /// Only the two middle rows of `frame`, the rest white: a read there has its own line and
    /// one other that agrees.
    fn two_middle_rows_of(frame: Frame) -> Frame {
        let mut thin = vec![255u8; frame.luma.len()];
        let row = frame.width as usize;
        let middle = frame.height as usize / 2;
        thin[middle * row..(middle + 2) * row]
            .copy_from_slice(&frame.luma[middle * row..(middle + 2) * row]);
        Frame {
            luma: thin,
            ..frame
        }
    }

    fn selling(codes: &[&str]) -> PipelineOptions {
        PipelineOptions {
            catalog: Some(Arc::new(codes.iter().map(|c| c.parse().unwrap()).collect())),
            ..PipelineOptions::default()
        }
    }

    #[test]
    fn a_full_symbol_read_alike_on_three_lines_of_a_product_sold_here_shows_from_one_frame() {
        let f = frame_of("4012345001013", BarcodeFormat::Ean13, false);
        let mut p = ScanPipeline::new(selling(&["04012345001013"]));
        let first = p
            .feed(&f)
            .expect("strong evidence: the first frame is enough");
        assert_eq!(first.gtin.to_string(), "04012345001013");
        assert_eq!(p.feed(&f), None, "not re-triggered while on screen");
        // A 2D symbol sold here: its error correction is the second look.
        let m = frame_of("(01)04012345001020", BarcodeFormat::DataMatrix, true);
        let mut p = ScanPipeline::new(selling(&["04012345001020"]));
        assert!(p.feed(&m).is_some());
    }

    #[test]
    fn anything_weaker_than_strong_evidence_still_waits_for_the_next_frame() {
        let ean = frame_of("4012345001013", BarcodeFormat::Ean13, false);
        // Not sold here (and no catalog at all): two frames.
        let mut p = ScanPipeline::new(selling(&["04012345001020"]));
        assert_eq!(p.feed(&ean), None);
        assert!(p.feed(&ean).is_none(), "outside the catalog it needs six");
        // Sold here, but the integrator asked for every read to wait.
        let mut p = ScanPipeline::new(PipelineOptions {
            one_frame_when_certain: false,
            ..selling(&["04012345001013"])
        });
        assert_eq!(p.feed(&ean), None);
        assert!(p.feed(&ean).is_some());
        // A short symbol sold here: a UPC-E's worth of bars hides in every EAN-13.
        let upce = frame_of("01234565", BarcodeFormat::UpcE, false);
        let mut p = ScanPipeline::new(selling(&["00012345000065"]));
        assert_eq!(p.feed(&upce), None);
        assert!(p.feed(&upce).is_some());
        // Sold here, but only one other line agrees (the rest of the frame is white).
        let thin = two_middle_rows_of(ean);
        let mut p = ScanPipeline::new(selling(&["04012345001013"]));
        assert_eq!(p.feed(&thin), None);
        assert!(p.feed(&thin).is_some());
    }

    #[test]
    fn a_short_symbol_right_after_a_longer_one_waits_a_second() {
        let mut p = ScanPipeline::new(PipelineOptions::default());
        let long = frame_of("4012345001013", BarcodeFormat::Ean13, false);
        let short = frame_of("01234565", BarcodeFormat::UpcE, false);
        assert!((0..2).find_map(|_| p.feed(&long)).is_some());
        // Within a second a UPC-E is more likely a part of the EAN-13's bars than a new tag.
        assert!((1..LONGER_MEMORY).all(|_| p.feed(&short).is_none()));
        let shown = (0..2)
            .find_map(|_| p.feed(&short))
            .expect("taken after a second");
        assert_eq!(shown.gtin.to_string(), "00012345000065");
    }

    #[test]
    fn without_a_catalog_one_agreeing_line_is_not_enough_but_it_is_for_a_product_sold_here() {
        let f = frame_of("4012345001013", BarcodeFormat::Ean13, false);
        let thin = two_middle_rows_of(f);
        let mut no_catalog = ScanPipeline::new(PipelineOptions::default());
        assert!(no_catalog.read_still(&thin).is_none());
        let gtin: Gtin = "04012345001013".parse().unwrap();
        let mut store = ScanPipeline::new(PipelineOptions {
            catalog: Some(Arc::new(HashSet::from([gtin]))),
            ..PipelineOptions::default()
        });
        assert_eq!(store.read_still(&thin).map(|a| a.gtin), Some(gtin));
    }

    #[test]
    fn a_crisp_symbol_halved_is_not_trusted() {
        let p = ScanPipeline::new(PipelineOptions::default());
        let picture = render(BarcodeFormat::Ean13, "4012345001013", 380, 180, false).unwrap();
        let f = frame_with(&imageops::rotate90(&picture), 1280, 720);
        let frame = Frame {
            width: 1280,
            height: 720,
            luma: f.into_raw(),
        };
        let halved = Pass::Scaled {
            percent: 50,
            local_mean: true,
        };
        // Halved, its 4-pixel bars read on every line as another valid EAN-13 (9017345007053
        // with rxing 0.9); the line check cannot see that, the bar width can.
        let read = p.run(halved, &frame).expect("halved, it still decodes");
        assert!(read.decoded.module_width().unwrap() < MIN_MODULE_WHEN_SHRUNK);
        assert!(!p.holds(&read, &frame));
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
    fn a_still_scene_gets_each_slow_set_once_a_second_and_a_changed_one_at_once() {
        let mut p = ScanPipeline::new(PipelineOptions {
            fallback_every: 1,
            ..PipelineOptions::default()
        });
        let empty = blank();
        for _ in 0..RETRY_STILL_SCENE_AFTER {
            assert_eq!(p.feed(&empty), None);
        }
        // Before: a slow frame every frame here. Now each set once, until a second has passed.
        assert_eq!(p.slow_runs(), 2);
        for _ in 0..RETRY_STILL_SCENE_AFTER {
            p.feed(&empty);
        }
        assert!((3..=4).contains(&p.slow_runs()), "{}", p.slow_runs());
        // Something comes into view: the slow passes look at once, and read it.
        let picture = render(BarcodeFormat::Ean13, "4012345001013", 380, 180, false).unwrap();
        let sideways = frame_with(&imageops::rotate90(&picture), 1280, 720);
        let sideways = Frame {
            width: 1280,
            height: 720,
            luma: sideways.into_raw(),
        };
        let before = p.slow_runs();
        let read = (0..4).find_map(|_| p.feed(&sideways));
        assert!(p.slow_runs() > before);
        assert!(read.is_some_and(|r| r.slow_path));
    }

    #[test]
    fn noise_is_no_change_of_scene_and_a_tag_is() {
        let mut noisy = blank();
        let mut seed = 7u32;
        for v in &mut noisy.luma {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            *v = 128u8.wrapping_add((seed >> 16) as u8 % 9).wrapping_sub(4);
        }
        assert!(!Scene::of(&blank()).differs_from(&Scene::of(&noisy)));
        let tag = frame_of("4012345001013", BarcodeFormat::Ean13, false);
        assert!(Scene::of(&blank()).differs_from(&Scene::of(&tag)));
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

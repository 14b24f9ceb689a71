//! Barcode pictures: decoding camera frames and image files with rxing, and drawing barcodes
//! (for the demo, the tests and the benchmarks). The camera module feeds [`Decoder::luma`].

use std::collections::HashSet;
use std::path::Path;

use image::{DynamicImage, GrayImage};
use std::borrow::Cow;

use rxing::common::{AdaptiveThresholdBinarizer, BitArray, HybridBinarizer};
use rxing::oned::{MultiFormatUPCEANReader, OneDReader};
use rxing::{
    BarcodeFormat as RxFormat, BinaryBitmap, DecodeHints, EncodeHints, Luma8Source,
    MultiFormatReader, MultiFormatWriter, RXingResultMetadataType, RXingResultMetadataValue,
    Reader, Writer,
};
use serde::Serialize;
use thiserror::Error;

use crate::config::BarcodeFormat;
use crate::domain::barcode::{self, BarcodeError, Scan, Symbology};

#[derive(Debug, Clone, Error)]
pub enum DecodeError {
    #[error("cannot read image {path}: {message}")]
    Image { path: String, message: String },
    #[error("no barcode found in the picture")]
    NotFound,
    #[error("cannot draw barcode: {0}")]
    Encode(String),
}

/// One barcode read from a picture.
#[derive(Debug, Clone, Serialize)]
pub struct Decoded {
    /// rxing's name of the symbology, e.g. `ean 13`.
    pub format: String,
    pub symbology: Option<Symbology>,
    /// Exactly what the symbol holds (GS separators included).
    pub text: String,
    /// The parsed GTIN and attributes, or why the text is not a product code.
    #[serde(skip)]
    pub scan: Result<Scan, BarcodeError>,
    /// For a 1D symbol: the scan line (pixel row) it was read on, and the centres of its
    /// start and end guards on that line (x, pixels).
    #[serde(skip)]
    pub line: Option<ReadLine>,
    /// How the picture was made black and white for this read (its other lines are checked
    /// the same way).
    #[serde(skip)]
    pub binarization: Binarization,
}

/// Where on a picture a 1D symbol was read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReadLine {
    pub row: u32,
    pub left: f32,
    pub right: f32,
    /// Read down a column (rxing turned the picture itself): `row` is then the column, and
    /// `left`/`right` are rows.
    pub down_a_column: bool,
    /// Light bars on dark (read with the picture inverted).
    pub inverted: bool,
}

impl Decoded {
    /// EAN-13, UPC-A, UPC-E or EAN-8: read along one line of bars, so one line can misread.
    pub fn is_retail_1d(&self) -> bool {
        matches!(
            self.symbology,
            Some(Symbology::Ean13 | Symbology::UpcA | Symbology::UpcE | Symbology::Ean8)
        )
    }

    /// UPC-E or EAN-8: short enough to be found inside the bars of a longer symbol.
    /// The width of one module (the narrowest bar) along the read's line, in pixels.
    pub fn module_width(&self) -> Option<f32> {
        let line = self.line?;
        Some((line.right - line.left) / guard_span_modules(self.symbology)?)
    }

    /// A QR code or Data Matrix: Reed–Solomon error correction inside, unlike any 1D symbol.
    pub fn is_2d(&self) -> bool {
        matches!(
            self.symbology,
            Some(Symbology::QrCode | Symbology::DataMatrix)
        )
    }

    pub fn is_short_retail(&self) -> bool {
        matches!(self.symbology, Some(Symbology::UpcE | Symbology::Ean8))
    }
}

/// What the other scan lines of a picture say about a 1D retail read: how many read the same
/// product, how many read another one, and whether any read a longer symbol (EAN-13/UPC-A)
/// where a short one (UPC-E/EAN-8) was read — then the short one came from inside its bars.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LineVotes {
    pub agreeing: u32,
    pub other: u32,
    pub longer_symbol: bool,
    /// White on both sides of the symbol, [`QUIET_MODULES`] modules wide, on its own line:
    /// the bars of a longer symbol around it are not.
    pub quiet_zones: bool,
    /// How far the symbol's start moves sideways per row down (0 for bars square to the
    /// lines): a slanted line can cross only part of a longer symbol's bars.
    pub slant: f32,
}

/// Quiet zone asked of a short symbol on each side, in modules. The specifications ask for 7
/// to 9; a photo cut close to the label is given some slack, the bars of an EAN-13 around a
/// false UPC-E (one or two modules away) are not.
pub const QUIET_MODULES: f32 = 5.0;

/// Modules from the centre of the start guard to the centre of the end guard.
fn guard_span_modules(symbology: Option<Symbology>) -> Option<f32> {
    match symbology {
        Some(Symbology::Ean13 | Symbology::UpcA) => Some(92.0),
        Some(Symbology::Ean8) => Some(64.0),
        Some(Symbology::UpcE) => Some(46.5),
        _ => None,
    }
}

/// Rows at which a read is read again, nearest first: the rows either side (as zxing-cpp
/// checks), then outwards up to an eighth of the picture's height — in a noisy or blurred
/// picture only some lines decode, and farther lines do not share the read line's misread.
fn check_rows(row: u32, height: u32) -> impl Iterator<Item = u32> {
    let reach = i64::from((height / 8).max(8));
    let step = (reach / 24).max(1);
    (1..=reach)
        .filter(move |d| *d <= 2 || d % step == 0)
        .flat_map(|d| [-d, d])
        .filter_map(move |dy| u32::try_from(i64::from(row) + dy).ok())
        .filter(move |&y| y < height)
}

fn rx_format(format: BarcodeFormat) -> RxFormat {
    match format {
        BarcodeFormat::Ean13 => RxFormat::EAN_13,
        BarcodeFormat::UpcA => RxFormat::UPC_A,
        BarcodeFormat::UpcE => RxFormat::UPC_E,
        BarcodeFormat::Ean8 => RxFormat::EAN_8,
        BarcodeFormat::Code128 => RxFormat::CODE_128,
        BarcodeFormat::QrCode => RxFormat::QR_CODE,
        BarcodeFormat::DataMatrix => RxFormat::DATA_MATRIX,
    }
}

fn symbology(format: &RxFormat, gs1: bool) -> Option<Symbology> {
    Some(match format {
        RxFormat::EAN_13 => Symbology::Ean13,
        RxFormat::UPC_A => Symbology::UpcA,
        RxFormat::UPC_E => Symbology::UpcE,
        RxFormat::EAN_8 => Symbology::Ean8,
        RxFormat::CODE_128 if gs1 => Symbology::Gs1_128,
        RxFormat::CODE_128 => Symbology::Code128,
        RxFormat::QR_CODE => Symbology::QrCode,
        RxFormat::DATA_MATRIX => Symbology::DataMatrix,
        _ => return None,
    })
}

/// How a picture becomes black and white before its bars are measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Binarization {
    /// rxing's default (zxing's `HybridBinarizer`): one threshold per 8×8 block, from the
    /// block's neighbourhood. Fast, and right for most pictures.
    #[default]
    Blocks,
    /// Each pixel against the mean of the square around it (`radius` pixels): keeps thin bars
    /// apart where glare, a shadow or a curved pack makes the block thresholds run them
    /// together. Slower (a full filtered copy of the picture).
    LocalMean { radius: u32 },
}

/// The radius of [`Binarization::LocalMean`], in pixels. On the real photos 6 to 11 read
/// about alike (8 to 10 the most); 4, 15 and 25 read fewer.
pub const LOCAL_MEAN_RADIUS: u32 = 9;

/// A picture made black and white one way or the other, row by row as rxing asks for it.
enum Bitmap<'a> {
    Blocks(BinaryBitmap<HybridBinarizer<Luma8Source<'a>>>),
    LocalMean(BinaryBitmap<AdaptiveThresholdBinarizer<Luma8Source<'a>>>),
}

impl<'a> Bitmap<'a> {
    fn new(source: Luma8Source<'a>, binarization: Binarization) -> Self {
        match binarization {
            Binarization::Blocks => Self::Blocks(BinaryBitmap::new(HybridBinarizer::new(source))),
            Binarization::LocalMean { radius } => Self::LocalMean(BinaryBitmap::new(
                AdaptiveThresholdBinarizer::new(source, radius),
            )),
        }
    }

    fn black_row(&self, y: u32) -> Option<Cow<'_, BitArray>> {
        match self {
            Self::Blocks(b) => b.get_black_row(y as usize).ok(),
            Self::LocalMean(b) => b.get_black_row(y as usize).ok(),
        }
    }

    fn decode(&mut self, hints: &mut DecodeHints) -> rxing::common::Result<rxing::RXingResult> {
        let mut reader = MultiFormatReader::default();
        match self {
            Self::Blocks(b) => reader.decode_with_hints(b, hints),
            Self::LocalMean(b) => reader.decode_with_hints(b, hints),
        }
    }
}

/// A decoder set up with the kiosk's hints: only the configured formats, GS1 FNC1 reported.
#[derive(Debug, Clone)]
pub struct Decoder {
    formats: HashSet<RxFormat>,
    try_harder: bool,
    also_inverted: bool,
    binarization: Binarization,
}

impl Decoder {
    /// For camera frames: fast, because the next frame is another chance.
    pub fn for_camera(formats: &[BarcodeFormat]) -> Self {
        Self {
            formats: formats.iter().copied().map(rx_format).collect(),
            try_harder: false,
            also_inverted: false,
            binarization: Binarization::Blocks,
        }
    }

    /// For still pictures: slower and more thorough, there is no next frame.
    pub fn for_files(formats: &[BarcodeFormat]) -> Self {
        Self {
            try_harder: true,
            ..Self::for_camera(formats)
        }
    }

    /// Also looks for light-on-dark symbols (printed inverted, or seen against glare).
    pub fn with_inverted(mut self) -> Self {
        self.also_inverted = true;
        self
    }

    /// Makes pictures black and white this way (see [`Binarization`]).
    pub fn with_binarization(mut self, binarization: Binarization) -> Self {
        self.binarization = binarization;
        self
    }

    fn hints(&self) -> DecodeHints {
        DecodeHints {
            PossibleFormats: Some(self.formats.clone()),
            TryHarder: Some(self.try_harder),
            AlsoInverted: Some(self.also_inverted),
            AssumeGs1: Some(true),
            ..DecodeHints::default()
        }
    }

    /// Decodes an 8-bit greyscale frame (what a camera gives after conversion).
    pub fn luma(&self, luma: &[u8], width: u32, height: u32) -> Result<Decoded, DecodeError> {
        if width == 0 || height == 0 {
            return Err(DecodeError::NotFound);
        }
        let source =
            Luma8Source::new_with_slice(luma, width, height).map_err(|_| DecodeError::NotFound)?;
        let result = Bitmap::new(source, self.binarization)
            .decode(&mut self.hints())
            .map_err(|_| DecodeError::NotFound)?;
        Ok(Decoded {
            binarization: self.binarization,
            ..interpret(&result)
        })
    }

    /// Reads a 1D retail `read` again on other scan lines of the same picture (see
    /// [`LineVotes`]). A picture is one look: agreement across lines is what stands in for
    /// agreement across frames, and it also catches what frames cannot (a still, a tag held
    /// steady in the same glare).
    pub fn line_votes(&self, luma: &[u8], width: u32, height: u32, read: &Decoded) -> LineVotes {
        let mut votes = LineVotes::default();
        let (Some(line), Ok(read_scan)) = (read.line, read.scan.as_ref()) else {
            return votes;
        };
        if line.down_a_column {
            // Turn the picture a quarter anticlockwise, as rxing did: the column becomes row
            // `width - 1 - x` and the read runs along it.
            let Some(picture) = GrayImage::from_raw(width, height, luma.to_vec()) else {
                return votes;
            };
            let turned = image::imageops::rotate270(&picture);
            let along = Decoded {
                line: Some(ReadLine {
                    row: (width - 1).saturating_sub(line.row),
                    down_a_column: false,
                    ..line
                }),
                ..read.clone()
            };
            return self.line_votes(turned.as_raw(), turned.width(), turned.height(), &along);
        }
        let Ok(mut source) = Luma8Source::new_with_slice(luma, width, height) else {
            return votes;
        };
        if line.inverted {
            rxing::LuminanceSource::invert(&mut source);
        }
        // The same black and white as the read itself: a line check on another binarisation
        // would measure other bars.
        let bitmap = Bitmap::new(source, read.binarization);
        votes.quiet_zones = bitmap
            .black_row(line.row)
            .is_some_and(|bits| quiet_on_both_sides(&bits, width, line, read.symbology));
        let row = line.row;
        let retail: HashSet<RxFormat> = [
            RxFormat::EAN_13,
            RxFormat::UPC_A,
            RxFormat::UPC_E,
            RxFormat::EAN_8,
        ]
        .into_iter()
        .filter(|f| self.formats.contains(f))
        .collect();
        let hints = DecodeHints {
            PossibleFormats: Some(retail),
            ..self.hints()
        };
        let mut reader = MultiFormatUPCEANReader::new(&hints);
        // (rows down from the read's line, where the symbol starts on that row)
        let mut starts: Vec<(f32, f32)> = vec![(0.0, line.left)];
        for y in check_rows(row, height) {
            let Some(line) = bitmap.black_row(y) else {
                continue;
            };
            let mut reversed = line.clone().into_owned();
            reversed.reverse();
            let found = reader
                .decode_row(y, &line, &hints)
                .or_else(|_| reader.decode_row(y, &reversed, &hints));
            let Ok(found) = found else {
                continue;
            };
            let other = interpret(&found);
            match other.scan {
                Ok(s) if s.gtin == read_scan.gtin && other.symbology == read.symbology => {
                    votes.agreeing += 1;
                    if let Some(l) = other.line {
                        starts.push((y as f32 - row as f32, l.left));
                    }
                }
                _ if read.is_short_retail() && !other.is_short_retail() => {
                    votes.longer_symbol = true;
                }
                _ => votes.other += 1,
            }
        }
        votes.slant = slope(&starts);
        if votes.agreeing == 0 && votes.other == 0 {
            // No line reads at all on its own: the read came from rxing's own retries (another
            // binarizer, a filtered picture). Ask the whole decoder again, once on the part of
            // the picture above the read's line and once on the part below: other bars.
            let bands = [(0, row.saturating_sub(1)), ((row + 2).min(height), height)];
            for (top, bottom) in bands {
                if bottom <= top + 4 {
                    continue;
                }
                let band = &luma[(top * width) as usize..(bottom * width) as usize];
                let same_way = self.clone().with_binarization(read.binarization);
                let Ok(other) = same_way.luma(band, width, bottom - top) else {
                    continue;
                };
                match other.scan {
                    Ok(s) if s.gtin == read_scan.gtin && other.symbology == read.symbology => {
                        votes.agreeing += 1;
                    }
                    _ if read.is_short_retail()
                        && other.is_retail_1d()
                        && !other.is_short_retail() =>
                    {
                        votes.longer_symbol = true;
                    }
                    _ => votes.other += 1,
                }
            }
        }
        votes
    }

    /// Reads the picture turned by `theta` radians about its centre (the slow decoder): to
    /// square a slanted symbol's bars to the scan lines.
    pub fn turned_by(&self, luma: &[u8], width: u32, height: u32, theta: f32) -> Option<Decoded> {
        let picture = GrayImage::from_raw(width, height, luma.to_vec())?;
        let turned = imageproc::geometric_transformations::rotate_about_center(
            &picture,
            theta,
            imageproc::geometric_transformations::Interpolation::Bilinear,
            image::Luma([255]),
        );
        self.luma(turned.as_raw(), width, height).ok()
    }

    pub fn image(&self, image: &DynamicImage) -> Result<Decoded, DecodeError> {
        let gray = image.to_luma8();
        self.luma(gray.as_raw(), gray.width(), gray.height())
    }

    pub fn file(&self, path: &Path) -> Result<Decoded, DecodeError> {
        let image = open_picture(path).map_err(|e| DecodeError::Image {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        self.image(&image)
    }
}

/// The largest picture read, per side: a 50-megapixel phone photo is 8160 wide.
pub const MAX_PICTURE_SIDE: u32 = 12_000;
/// The most memory one picture's decoding may take.
const MAX_PICTURE_BYTES: u64 = 512 * 1024 * 1024;

/// Opens a picture after checking its size in its header, so an oversize or hostile file
/// (a 20000×20000 PNG is 1.6 GB once decoded) is refused before any memory is taken.
pub fn open_picture(path: &Path) -> Result<DynamicImage, PictureError> {
    let unreadable = |e: &dyn std::fmt::Display| PictureError::Unreadable(e.to_string());
    let reader = || {
        image::ImageReader::open(path)
            .map_err(|e| unreadable(&e))?
            .with_guessed_format()
            .map_err(|e| unreadable(&e))
    };
    let (width, height) = reader()?.into_dimensions().map_err(|e| unreadable(&e))?;
    if width > MAX_PICTURE_SIDE || height > MAX_PICTURE_SIDE {
        return Err(PictureError::TooLarge { width, height });
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_PICTURE_SIDE);
    limits.max_image_height = Some(MAX_PICTURE_SIDE);
    limits.max_alloc = Some(MAX_PICTURE_BYTES);
    let mut reader = reader()?;
    reader.limits(limits);
    reader.decode().map_err(|e| unreadable(&e))
}

/// Why a picture file was not read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PictureError {
    #[error("{0}")]
    Unreadable(String),
    #[error(
        "the picture is {width}×{height} pixels; the most read is \
         {MAX_PICTURE_SIDE}×{MAX_PICTURE_SIDE}: scale it down first"
    )]
    TooLarge { width: u32, height: u32 },
}

fn interpret(result: &rxing::RXingResult) -> Decoded {
    let text = result.getText().to_owned();
    let id = match result
        .getRXingResultMetadata()
        .get(&RXingResultMetadataType::SYMBOLOGY_IDENTIFIER)
    {
        Some(RXingResultMetadataValue::SymbologyIdentifier(id)) => id.clone(),
        _ => String::new(),
    };
    // GS1 symbols are flagged by their AIM identifier; Code 128 already prefixes `]C1`.
    let gs1 = text.starts_with("]C1") || matches!(id.as_str(), "]C1" | "]d2" | "]Q3");
    let format = result.getBarcodeFormat();
    let symbology = symbology(format, gs1);
    // A 1D result's two points lie on the line it was read along, at the guards' centres.
    let points = result.getPoints();
    let inverted = matches!(
        result
            .getRXingResultMetadata()
            .get(&RXingResultMetadataType::IS_INVERTED),
        Some(RXingResultMetadataValue::IsInverted(true))
    );
    let line = match (format, points.first(), points.get(1)) {
        (
            RxFormat::EAN_13 | RxFormat::UPC_A | RxFormat::UPC_E | RxFormat::EAN_8,
            Some(a),
            Some(b),
        ) => {
            if (a.x - b.x).abs() >= (a.y - b.y).abs() {
                Some(ReadLine {
                    row: a.y.max(0.0).round() as u32,
                    left: a.x.min(b.x),
                    right: a.x.max(b.x),
                    down_a_column: false,
                    inverted,
                })
            } else {
                Some(ReadLine {
                    row: a.x.max(0.0).round() as u32,
                    left: a.y.min(b.y),
                    right: a.y.max(b.y),
                    down_a_column: true,
                    inverted,
                })
            }
        }
        _ => None,
    };
    let parse_text = if gs1 && !text.starts_with("]C1") && !text.starts_with(']') {
        format!("]d2{text}")
    } else {
        text.clone()
    };
    Decoded {
        format: format.to_string(),
        symbology,
        scan: barcode::parse(&parse_text, symbology),
        text,
        line,
        binarization: Binarization::Blocks,
    }
}

/// The picture at half its size, each pixel the mean of the 2×2 it replaces: what a blurry
/// symbol's bars need to come together, at a few per cent of the cost of a filtered resize
/// (`image`'s triangle filter took 25 ms for a 1280×720 frame).
pub fn half_size(picture: &GrayImage) -> GrayImage {
    let (width, height) = (picture.width() / 2, picture.height() / 2);
    let stride = picture.width() as usize;
    let raw = picture.as_raw();
    GrayImage::from_fn(width.max(1), height.max(1), |x, y| {
        let (x, y) = (
            (2 * x as usize).min(stride.saturating_sub(2)),
            2 * y as usize,
        );
        let at = |dx: usize, dy: usize| {
            u16::from(raw.get((y + dy) * stride + x + dx).copied().unwrap_or(255))
        };
        image::Luma([((at(0, 0) + at(1, 0) + at(0, 1) + at(1, 1) + 2) / 4) as u8])
    })
}

/// The least-squares slope of `x` over `y` (0 with fewer than two distinct rows).
fn slope(points: &[(f32, f32)]) -> f32 {
    let n = points.len() as f32;
    let (mean_y, mean_x) = points
        .iter()
        .fold((0.0, 0.0), |(y, x), p| (y + p.0 / n, x + p.1 / n));
    let (mut cov, mut var) = (0.0, 0.0);
    for (y, x) in points {
        cov += (y - mean_y) * (x - mean_x);
        var += (y - mean_y) * (y - mean_y);
    }
    if var > 0.0 { cov / var } else { 0.0 }
}

/// Whether the row is white for [`QUIET_MODULES`] modules before the symbol's start guard and
/// after its end guard (the picture's edge counts as white: a photo may be cut close).
fn quiet_on_both_sides(
    bits: &rxing::common::BitArray,
    width: u32,
    line: ReadLine,
    symbology: Option<Symbology>,
) -> bool {
    let Some(span) = guard_span_modules(symbology) else {
        return true;
    };
    let module = (line.right - line.left) / span;
    if module <= 0.0 {
        return false;
    }
    // From a guard's centre to the symbol's edge: 1.5 modules, but UPC-E's end guard is six
    // modules wide (its orientation is not known here, so both sides allow for it).
    let guard = if symbology == Some(Symbology::UpcE) {
        3.0
    } else {
        1.5
    } * module;
    let quiet = QUIET_MODULES * module;
    let clamp = |x: f32| x.clamp(0.0, width as f32) as usize;
    let (start, end) = (line.left - guard, line.right + guard);
    // Half a module of slack next to the guards: the edge of a bar blurs into its neighbour.
    let before = (clamp(start - quiet), clamp(start - module * 0.5));
    let after = (clamp(end + module * 0.5), clamp(end + quiet));
    // White enough: no dark run as wide as a bar (noise leaves specks, bars do not).
    let longest_bar = (module * 0.6).max(2.0) as usize;
    let white = |(a, b): (usize, usize)| {
        let mut run = 0;
        (a..b).all(|i| {
            run = if bits.get(i) { run + 1 } else { 0 };
            run < longest_bar
        })
    };
    white(before) && white(after)
}

/// Draws a barcode as a black-on-white picture with a quiet zone. For GS1-128 and GS1
/// DataMatrix, write the data as `(01)…` element strings and set `gs1`.
pub fn render(
    format: BarcodeFormat,
    contents: &str,
    width: u32,
    height: u32,
    gs1: bool,
) -> Result<GrayImage, DecodeError> {
    let mut hints = EncodeHints::default();
    let contents = if gs1 {
        match format {
            BarcodeFormat::Code128 => {
                // rxing's Code 128 writer takes FNC1 as U+00F1.
                format!("\u{f1}{}", gs1_data(contents, "\u{f1}"))
            }
            _ => {
                hints.Gs1Format = Some(true);
                gs1_data(contents, "\u{1d}")
            }
        }
    } else {
        contents.to_owned()
    };
    let matrix = MultiFormatWriter
        .encode_with_hints(
            &contents,
            &rx_format(format),
            width as i32,
            height as i32,
            &hints,
        )
        .map_err(|e| DecodeError::Encode(e.to_string()))?;
    Ok(DynamicImage::from(&matrix).to_luma8())
}

/// `(01)…(10)AB(21)X` -> `01…10AB<sep>21X`: a separator ends every variable-length value.
fn gs1_data(human: &str, separator: &str) -> String {
    let mut out = String::new();
    for part in human.split('(').filter(|p| !p.is_empty()) {
        let (ai, value) = part.split_once(')').unwrap_or((part, ""));
        let fixed = matches!(
            ai,
            "00" | "01" | "02" | "11" | "12" | "13" | "15" | "16" | "17" | "20"
        );
        out.push_str(ai);
        out.push_str(value);
        if !fixed {
            out.push_str(separator);
        }
    }
    out.trim_end_matches(separator).to_owned()
}

/// Places `barcode` on a mid-grey `width`×`height` frame, as a camera would see a shoe tag.
pub fn frame_with(barcode: &GrayImage, width: u32, height: u32) -> GrayImage {
    let mut frame = GrayImage::from_pixel(width, height, image::Luma([128]));
    let x = (width.saturating_sub(barcode.width())) / 2;
    let y = (height.saturating_sub(barcode.height())) / 2;
    image::imageops::overlay(&mut frame, barcode, i64::from(x), i64::from(y));
    frame
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_in(frame: &GrayImage) -> Decoded {
        Decoder::for_files(&all())
            .luma(frame.as_raw(), frame.width(), frame.height())
            .expect("the symbol decodes")
    }

    #[test]
    fn a_clean_symbol_is_read_the_same_on_its_other_lines() {
        let code = render(BarcodeFormat::Ean13, "4012345001013", 380, 180, false).unwrap();
        let frame = frame_with(&code, 1280, 720);
        let read = read_in(&frame);
        let votes = Decoder::for_files(&all()).line_votes(frame.as_raw(), 1280, 720, &read);
        assert!(votes.agreeing >= 2, "{votes:?}");
        assert_eq!(votes.other, 0);
        assert!(!votes.longer_symbol && votes.quiet_zones, "{votes:?}");
        assert!(
            votes.slant.abs() < 0.05,
            "bars square to the lines: {votes:?}"
        );
    }

    #[test]
    fn a_short_symbol_with_a_bar_in_its_quiet_zone_is_flagged() {
        let code = render(BarcodeFormat::UpcE, "01234565", 380, 180, false).unwrap();
        let mut frame = frame_with(&code, 1280, 720);
        let read = read_in(&frame);
        let decoder = Decoder::for_files(&all());
        assert!(
            decoder
                .line_votes(frame.as_raw(), 1280, 720, &read)
                .quiet_zones
        );
        // A bar one module wide, five modules before the start guard: rxing still reads the
        // symbol (it asks three modules of white), the kiosk's quiet-zone rule does not pass it.
        let line = read.line.unwrap();
        let module = (line.right - line.left) / 46.5;
        let bar = (line.left - 1.5 * module - 5.0 * module) as u32;
        for x in bar..bar + module.ceil() as u32 {
            for y in 0..720 {
                frame.put_pixel(x, y, image::Luma([0]));
            }
        }
        let read = read_in(&frame);
        let votes = decoder.line_votes(frame.as_raw(), 1280, 720, &read);
        assert!(!votes.quiet_zones, "{votes:?}");
    }

    fn all() -> Vec<BarcodeFormat> {
        crate::config::Barcode::default().formats
    }

    #[test]
    fn drawn_codes_decode_to_their_gtin() {
        let decoder = Decoder::for_files(&all());
        let cases = [
            (
                BarcodeFormat::Ean13,
                "4006381333931",
                false,
                "04006381333931",
                Symbology::Ean13,
            ),
            (
                BarcodeFormat::UpcA,
                "036000291452",
                false,
                "00036000291452",
                Symbology::UpcA,
            ),
            (
                BarcodeFormat::Ean8,
                "96385074",
                false,
                "00000096385074",
                Symbology::Ean8,
            ),
            (
                BarcodeFormat::UpcE,
                "01234565",
                false,
                "00012345000065",
                Symbology::UpcE,
            ),
            (
                BarcodeFormat::Code128,
                "(01)09506000134352(10)AB12",
                true,
                "09506000134352",
                Symbology::Gs1_128,
            ),
            (
                BarcodeFormat::DataMatrix,
                "(01)09506000134352(21)XYZ",
                true,
                "09506000134352",
                Symbology::DataMatrix,
            ),
            (
                BarcodeFormat::QrCode,
                "https://id.example.com/01/09506000134352?17=270101",
                false,
                "09506000134352",
                Symbology::QrCode,
            ),
        ];
        for (format, contents, gs1, gtin, symbology) in cases {
            let picture = render(format, contents, 400, 200, gs1).unwrap();
            let frame = frame_with(&picture, 640, 480);
            let decoded = decoder
                .luma(frame.as_raw(), frame.width(), frame.height())
                .unwrap_or_else(|e| panic!("{contents}: {e}"));
            assert_eq!(decoded.symbology, Some(symbology), "{contents}");
            let scan = decoded.scan.unwrap_or_else(|e| panic!("{contents}: {e}"));
            assert_eq!(scan.gtin.to_string(), gtin, "{contents}");
        }
    }

    #[test]
    fn a_blank_frame_has_no_barcode() {
        let frame = GrayImage::from_pixel(320, 240, image::Luma([200]));
        let decoder = Decoder::for_camera(&all());
        assert!(matches!(
            decoder.luma(frame.as_raw(), 320, 240),
            Err(DecodeError::NotFound)
        ));
    }

    #[test]
    fn a_qr_code_that_is_not_a_product_says_so() {
        let picture = render(
            BarcodeFormat::QrCode,
            "https://example.com/sale",
            300,
            300,
            false,
        )
        .unwrap();
        let decoded = Decoder::for_files(&all())
            .image(&DynamicImage::ImageLuma8(picture))
            .unwrap();
        assert_eq!(decoded.text, "https://example.com/sale");
        assert!(decoded.scan.is_err());
    }
}

//! Barcode pictures: decoding camera frames and image files with rxing, and drawing barcodes
//! (for the demo, the tests and the benchmarks). The camera module feeds [`Decoder::luma`].

use std::collections::HashSet;
use std::path::Path;

use image::{DynamicImage, GrayImage};
use rxing::{
    BarcodeFormat as RxFormat, DecodeHints, EncodeHints, MultiFormatWriter,
    RXingResultMetadataType, RXingResultMetadataValue, Writer,
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

/// A decoder set up with the kiosk's hints: only the configured formats, GS1 FNC1 reported.
#[derive(Debug, Clone)]
pub struct Decoder {
    formats: HashSet<RxFormat>,
    try_harder: bool,
    also_inverted: bool,
}

impl Decoder {
    /// For camera frames: fast, because the next frame is another chance.
    pub fn for_camera(formats: &[BarcodeFormat]) -> Self {
        Self {
            formats: formats.iter().copied().map(rx_format).collect(),
            try_harder: false,
            also_inverted: false,
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
        let result = rxing::helpers::detect_in_luma_slice_with_hints(
            luma,
            width,
            height,
            None,
            &mut self.hints(),
        )
        .map_err(|_| DecodeError::NotFound)?;
        Ok(interpret(&result))
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
    }
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

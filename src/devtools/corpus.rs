//! The accuracy corpus: labels drawn by rxing for every supported format, then made to look
//! photographed (tilt, perspective, upside down, blur, noise, low contrast, glare, JPEG
//! artefacts, small and large, inverted), plus frames with no barcode and damaged labels.
//! `kiosk bench-data --corpus DIR` writes it; `fixtures/corpus` holds the committed copy.

use std::io::Cursor;

use image::{GrayImage, ImageFormat, Luma};
use imageproc::geometric_transformations::{Interpolation, Projection, rotate_about_center, warp};

use crate::camera::decode::render;
use crate::config::BarcodeFormat;

/// One picture and the GTIN it must give (`None`: it must give nothing).
pub struct Sample {
    /// `FORMAT-VARIANT`, e.g. `ean13-rot30`; the first part is the category.
    pub name: String,
    pub expected: Option<String>,
    pub image: GrayImage,
}

const W: u32 = 1280;
const H: u32 = 720;

/// (category, format, contents, GS1 data, expected GTIN-14)
const LABELS: [(&str, BarcodeFormat, &str, bool, &str); 7] = [
    (
        "ean13",
        BarcodeFormat::Ean13,
        "4012345001013",
        false,
        "04012345001013",
    ),
    (
        "upca",
        BarcodeFormat::UpcA,
        "036000291452",
        false,
        "00036000291452",
    ),
    (
        "upce",
        BarcodeFormat::UpcE,
        "01234565",
        false,
        "00012345000065",
    ),
    (
        "ean8",
        BarcodeFormat::Ean8,
        "96385074",
        false,
        "00000096385074",
    ),
    (
        "gs1-128",
        BarcodeFormat::Code128,
        "(01)09506000134352(10)AB12",
        true,
        "09506000134352",
    ),
    (
        "qr",
        BarcodeFormat::QrCode,
        "https://id.example.com/01/09506000134352/10/AB12",
        false,
        "09506000134352",
    ),
    (
        "datamatrix",
        BarcodeFormat::DataMatrix,
        "(01)09506000134352(21)XYZ",
        true,
        "09506000134352",
    ),
];

fn background(seed: u32) -> GrayImage {
    GrayImage::from_fn(W, H, |x, y| {
        Luma([(70 + (x + y + seed * 37) / 18 % 120) as u8])
    })
}

fn label(format: BarcodeFormat, contents: &str, gs1: bool, width: u32) -> GrayImage {
    let two_d = matches!(format, BarcodeFormat::QrCode | BarcodeFormat::DataMatrix);
    let height = if two_d { width } else { width * 45 / 100 };
    let code =
        render(format, contents, width, height, gs1).unwrap_or_else(|_| GrayImage::new(1, 1));
    // A white tag with a margin, as printed.
    let mut tag = GrayImage::from_pixel(code.width() + 40, code.height() + 40, Luma([250]));
    image::imageops::overlay(&mut tag, &code, 20, 20);
    tag
}

fn place(tag: &GrayImage, x: i64, y: i64, seed: u32) -> GrayImage {
    let mut frame = background(seed);
    image::imageops::overlay(&mut frame, tag, x, y);
    frame
}

fn centred(tag: &GrayImage, seed: u32) -> GrayImage {
    place(
        tag,
        (i64::from(W) - i64::from(tag.width())) / 2,
        (i64::from(H) - i64::from(tag.height())) / 2,
        seed,
    )
}

fn rotated(frame: &GrayImage, degrees: f32) -> GrayImage {
    rotate_about_center(
        frame,
        degrees.to_radians(),
        Interpolation::Bilinear,
        Luma([110]),
    )
}

fn jpeg(frame: &GrayImage, quality: u8) -> GrayImage {
    let mut bytes = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality);
    if frame.write_with_encoder(encoder).is_err() {
        return frame.clone();
    }
    image::load(Cursor::new(bytes), ImageFormat::Jpeg)
        .map_or_else(|_| frame.clone(), |i| i.to_luma8())
}

fn map(frame: &GrayImage, f: impl Fn(u32, u32, u8) -> u8) -> GrayImage {
    GrayImage::from_fn(frame.width(), frame.height(), |x, y| {
        Luma([f(x, y, frame.get_pixel(x, y).0[0])])
    })
}

/// Every variant of every label, then the frames that must read nothing.
pub fn generate() -> Vec<Sample> {
    let mut samples = Vec::new();
    for (i, (category, format, contents, gs1, gtin)) in LABELS.iter().enumerate() {
        let seed = i as u32;
        let normal = label(*format, contents, *gs1, 420);
        let plain = centred(&normal, seed);
        let perspective = Projection::from_control_points(
            [
                (0.0, 0.0),
                (W as f32, 0.0),
                (W as f32, H as f32),
                (0.0, H as f32),
            ],
            [
                (90.0, 40.0),
                (W as f32 - 30.0, 0.0),
                (W as f32 - 110.0, H as f32 - 20.0),
                (10.0, H as f32 - 60.0),
            ],
        );
        let mut variants: Vec<(&str, GrayImage)> = vec![
            ("plain", plain.clone()),
            (
                "small",
                place(&label(*format, contents, *gs1, 200), 180, 420, seed),
            ),
            ("large", centred(&label(*format, contents, *gs1, 820), seed)),
            ("rot15", rotated(&plain, 15.0)),
            ("rot30", rotated(&plain, 30.0)),
            ("upside-down", rotated(&plain, 180.0)),
            ("blur", imageproc::filter::gaussian_blur_f32(&plain, 1.6)),
            (
                "noise",
                imageproc::noise::gaussian_noise(&plain, 0.0, 18.0, 7 + u64::from(seed)),
            ),
            (
                "low-contrast",
                map(&plain, |_, _, v| 95 + (u32::from(v) * 70 / 255) as u8),
            ),
            (
                "glare",
                map(&plain, |x, y, v| {
                    let (dx, dy) = (x as f32 - 700.0, y as f32 - 330.0);
                    let glow = (1.0 - (dx * dx + dy * dy).sqrt() / 260.0).max(0.0);
                    (f32::from(v) + glow * 150.0).min(255.0) as u8
                }),
            ),
            ("jpeg", jpeg(&plain, 20)),
            ("inverted", map(&plain, |_, _, v| 255 - v)),
        ];
        if let Some(projection) = perspective {
            variants.push((
                "perspective",
                warp(&plain, &projection, Interpolation::Bilinear, Luma([110])),
            ));
        }
        for (variant, image) in variants {
            samples.push(Sample {
                name: format!("{category}-{variant}"),
                expected: Some((*gtin).to_owned()),
                image,
            });
        }
    }
    // Damaged labels: a GTIN must never come out wrong; reading nothing is fine.
    let ean = centred(&label(BarcodeFormat::Ean13, "4012345001013", false, 420), 1);
    let smudged = map(&ean, |x, y, v| {
        if (600..640).contains(&x) && (280..440).contains(&y) {
            250
        } else {
            v
        }
    });
    samples.push(Sample {
        name: "damaged-ean13-smudge".into(),
        expected: Some("04012345001013".into()),
        image: smudged,
    });
    let torn = map(&ean, |x, y, v| {
        if x > 690 && (280..450).contains(&y) {
            130
        } else {
            v
        }
    });
    samples.push(Sample {
        name: "damaged-ean13-torn".into(),
        expected: Some("04012345001013".into()),
        image: torn,
    });
    // Nothing to read: bare backgrounds, stripes that look like bars, a checkerboard.
    for seed in 0..3 {
        samples.push(Sample {
            name: format!("none-background{seed}"),
            expected: None,
            image: background(seed),
        });
    }
    samples.push(Sample {
        name: "none-stripes".into(),
        expected: None,
        image: map(&background(4), |x, y, v| {
            if (300..980).contains(&x) && (250..470).contains(&y) {
                if (x * 7 / 13) % 3 == 0 { 20 } else { 235 }
            } else {
                v
            }
        }),
    });
    samples.push(Sample {
        name: "none-checkerboard".into(),
        expected: None,
        image: map(&background(5), |x, y, v| {
            if (400..880).contains(&x) && (120..600).contains(&y) {
                if (x / 24 + y / 24) % 2 == 0 { 30 } else { 230 }
            } else {
                v
            }
        }),
    });
    samples
}

/// Writes the corpus as `NAME.png` + `NAME.txt` (the expected GTIN, empty for none).
pub fn write(dir: &std::path::Path) -> std::io::Result<usize> {
    std::fs::create_dir_all(dir)?;
    let samples = generate();
    for s in &samples {
        s.image
            .save_with_format(dir.join(format!("{}.jpg", s.name)), ImageFormat::Jpeg)
            .map_err(std::io::Error::other)?;
        std::fs::write(
            dir.join(format!("{}.txt", s.name)),
            s.expected.clone().unwrap_or_default(),
        )?;
    }
    Ok(samples.len())
}

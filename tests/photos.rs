//! The camera's rules on real photographs of labels (`fixtures/photos`, a copy of the tuning
//! set: phone and webcam shots with blur, glare, tilt, curved packs, and photos with nothing to
//! read). Per folder, the reads must not fall below what was measured when the floors below were
//! recorded, no wrong product may ever be accepted, and nothing may be accepted where there is
//! no code. Run `python3 benches/photo_compare.py` for the same figures next to zxing-cpp's.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kiosk::camera::decode::{Decoder, open_picture};
use kiosk::camera::{Frame, PipelineOptions, ScanPipeline};

/// Photos read per folder, as measured on 2026-12-02, out of the photos with a code; zxing-cpp
/// 3.1.1's reads in the same run in brackets (`benches/photo_compare.py`). Total 160 of 185
/// (zxing-cpp 159); nothing read on the 21 photos without a code (zxing-cpp: nothing either).
const FLOORS: [(&str, usize); 18] = [
    ("code128-1", 6),         // of 6 (6)
    ("code128-3", 2),         // of 2 (2)
    ("datamatrix-1", 28),     // of 29 (28)
    ("datamatrix-4", 21),     // of 21 (19)
    ("datamatrix-5", 0),      // of 5 (0)
    ("ean13-1", 14),          // of 16 (14)
    ("ean13-3", 8),           // of 8 (8)
    ("ean13-extension-1", 5), // of 5 (5)
    ("qrcode-1", 8),          // of 8 (8)
    ("qrcode-3", 18),         // of 18 (18)
    ("qrcode-5", 16),         // of 16 (16)
    ("upca-1", 5),            // of 5 (5)
    ("upca-3", 6),            // of 6 (6)
    ("upca-5", 9),            // of 20 (9)
    ("upca-extension-1", 5),  // of 6 (5)
    ("upce-1", 3),            // of 3 (3)
    ("upce-3", 6),            // of 11 (7)
    ("falsepositives-1", 0),  // 21 photos, nothing to read
];

fn photos() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/photos")
}

/// A retail code as a number (12, 13 and 14 digits compare), without a 2- or 5-digit add-on.
fn retail(text: &str) -> Option<u64> {
    let first = text.trim().split(' ').next()?;
    if !first.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let first = if matches!(first.len(), 15 | 18) {
        &first[..13]
    } else {
        first
    };
    matches!(first.len(), 8 | 12 | 13 | 14)
        .then(|| first.parse().ok())
        .flatten()
}

/// Whether `read` says what the photo's `.txt` says (a GS1 symbology identifier aside).
fn says(read: &str, expected: &str) -> bool {
    let read = if read.starts_with(']') && read.len() > 3 {
        &read[3..]
    } else {
        read
    };
    let trim = |t: &str| {
        t.trim_matches(|c: char| c.is_whitespace() || c == '\u{1d}')
            .to_owned()
    };
    trim(read) == trim(expected) || retail(read).is_some_and(|r| Some(r) == retail(expected))
}

#[test]
fn real_photos_read_as_often_as_recorded_and_never_a_wrong_product() {
    let formats = kiosk::config::Barcode::default().formats;
    let mut pipeline = ScanPipeline::new(PipelineOptions {
        formats: formats.clone(),
        ..PipelineOptions::default()
    });
    // What `kiosk decode` shows for a symbol that is no product (a web address in a QR code).
    let symbol_reader = Decoder::for_files(&formats);
    let mut read: BTreeMap<String, usize> = BTreeMap::new();
    let mut wrong = Vec::new();
    for (folder, _) in FLOORS {
        let empty = folder.starts_with("falsepositives");
        let pictures = kiosk::camera::picture_files(&photos().join(folder)).unwrap();
        assert!(!pictures.is_empty(), "{folder}: no photos");
        for picture in pictures {
            let expected = std::fs::read_to_string(picture.with_extension("txt")).ok();
            if !empty && expected.is_none() {
                continue;
            }
            let gray = open_picture(&picture).unwrap().to_luma8();
            let frame = Frame {
                width: gray.width(),
                height: gray.height(),
                luma: gray.into_raw(),
            };
            let name = format!(
                "{folder}/{}",
                picture.file_name().unwrap().to_string_lossy()
            );
            match (pipeline.read_still(&frame), expected) {
                (Some(product), None) => wrong.push(format!("{name}: {} on no code", product.gtin)),
                (Some(product), Some(expected))
                    if says(&product.gtin.to_string(), &expected)
                        || expected.contains(&format!("01{}", product.gtin)) =>
                {
                    *read.entry(folder.to_owned()).or_default() += 1;
                }
                (Some(product), Some(expected)) => {
                    wrong.push(format!(
                        "{name}: {} (the photo holds {expected})",
                        product.gtin
                    ));
                }
                (None, Some(expected)) => {
                    let symbol = symbol_reader.luma(&frame.luma, frame.width, frame.height);
                    if symbol.is_ok_and(|d| d.scan.is_err() && says(&d.text, &expected)) {
                        *read.entry(folder.to_owned()).or_default() += 1;
                    }
                }
                (None, None) => {}
            }
        }
    }
    println!("read per folder: {read:?}");
    assert!(wrong.is_empty(), "wrong products accepted: {wrong:#?}");
    for (folder, floor) in FLOORS {
        let got = read.get(folder).copied().unwrap_or_default();
        assert!(got >= floor, "{folder}: {got} read, recorded floor {floor}");
    }
}

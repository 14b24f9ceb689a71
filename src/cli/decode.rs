use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use kiosk::camera::decode;
use kiosk::camera::{Frame, PipelineOptions, ScanPipeline};
use kiosk::config::{BarcodeFormat, LoadedConfig};
use serde_json::json;

use super::{CliResult, invalid};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Image files (PNG, JPEG, WebP, BMP) or folders of them. A `NAME.txt` beside `NAME.jpg`
    /// holding the expected GTIN (empty: no barcode) turns the run into an accuracy check with
    /// a hit rate per category (the part of the name before the first `-`).
    #[arg(required = true)]
    images: Vec<PathBuf>,
    /// One JSON object per line: path, format, text, gtin, error.
    #[arg(long)]
    json: bool,
}

fn expand(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            out.extend(
                kiosk::camera::picture_files(path)
                    .with_context(|| format!("reading folder {}", path.display()))?,
            );
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

fn expected_for(path: &Path) -> Option<String> {
    std::fs::read_to_string(path.with_extension("txt"))
        .ok()
        .map(|s| s.trim().to_owned())
}

#[derive(Default)]
struct Tally {
    images: usize,
    hits: usize,
    wrong: usize,
    times: Vec<Duration>,
}

/// Runs the camera's pipeline (fast path, fallbacks, agreement) on each still picture.
pub fn run(loaded: &LoadedConfig, args: Args) -> CliResult {
    let images = expand(&args.images)?;
    let options = PipelineOptions {
        formats: loaded.config.barcode.formats.clone(),
        confirm_frames: loaded.config.camera.confirm_frames,
        ..PipelineOptions::default()
    };
    let mut pipeline = ScanPipeline::new(options);
    let raw_decoder = decode::Decoder::for_files(&loaded.config.barcode.formats);
    let mut failures = 0;
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    for path in &images {
        let shown = path.display().to_string();
        let started = Instant::now();
        let picture = decode::open_picture(path)
            .map_err(|e| format!("cannot read image {shown}: {e}"))
            .map(|img| img.to_luma8());
        let (format, text, gtin, error) = match picture {
            Err(e) => (None, None, None, Some(e)),
            Ok(gray) => {
                let frame = Frame {
                    width: gray.width(),
                    height: gray.height(),
                    luma: gray.into_raw(),
                };
                match pipeline.read_still(&frame) {
                    Some(read) => (
                        Some(read.format),
                        Some(read.raw),
                        Some(read.gtin.to_string()),
                        None,
                    ),
                    // No product code: still say what symbol is there, if any (a QR with a
                    // web address, a till code), and why it is not a product.
                    None => match raw_decoder.luma(&frame.luma, frame.width, frame.height) {
                        Ok(d) => {
                            let why = d.scan.err().map_or_else(
                                || {
                                    "not accepted by the scan rules (read it again, closer)"
                                        .to_owned()
                                },
                                |e| e.to_string(),
                            );
                            (Some(d.format), Some(d.text), None, Some(why))
                        }
                        Err(_) => (
                            None,
                            None,
                            None,
                            Some("no barcode found in the picture".to_owned()),
                        ),
                    },
                }
            }
        };
        let elapsed = started.elapsed();
        if let Some(expected) = expected_for(path) {
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default();
            let category = name.split('-').next().unwrap_or(name).to_owned();
            let tally = tallies.entry(category).or_default();
            tally.images += 1;
            tally.times.push(elapsed);
            match (&gtin, expected.is_empty()) {
                (None, true) => tally.hits += 1,
                (Some(g), false)
                    if *g == expected || text.as_deref() == Some(expected.as_str()) =>
                {
                    tally.hits += 1
                }
                (Some(_), _) => tally.wrong += 1,
                (None, false) => {}
            }
        } else {
            failures += usize::from(gtin.is_none());
        }
        if args.json {
            println!(
                "{}",
                json!({"path": shown, "format": format, "text": text, "gtin": gtin, "error": error})
            );
        } else {
            let text = text.map(|t| t.replace('\u{1d}', "<GS>"));
            match (gtin, error) {
                (Some(gtin), _) => println!(
                    "{shown}\t{}\t{}\tGTIN {gtin}",
                    format.unwrap_or_default(),
                    text.unwrap_or_default()
                ),
                (None, Some(error)) => println!("{shown}\t-\t-\terror: {error}"),
                (None, None) => unreachable!("a failure always carries an error"),
            }
        }
    }
    if !tallies.is_empty() {
        let mut wrong = 0;
        let mut missed = 0;
        eprintln!("category        images  read  wrong  median ms");
        for (category, t) in &mut tallies {
            t.times.sort_unstable();
            let median = t.times.get(t.times.len() / 2).copied().unwrap_or_default();
            eprintln!(
                "{category:<15} {:>6} {:>5} {:>6} {:>10.1}",
                t.images,
                t.hits,
                t.wrong,
                median.as_secs_f64() * 1e3
            );
            wrong += t.wrong;
            missed += t.images - t.hits - t.wrong;
        }
        eprintln!("{missed} missed, {wrong} wrong");
        // Misses are the rate above; a wrong read is a failure.
        if wrong > 0 {
            return Err(invalid(anyhow::anyhow!("{wrong} wrong read(s)")));
        }
    }
    if failures > 0 {
        return Err(invalid(anyhow::anyhow!(
            "{failures} of {} image(s) gave no product code",
            images.len()
        )));
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    Ean13,
    UpcA,
    UpcE,
    Ean8,
    Gs1_128,
    Qr,
    DataMatrix,
}

#[derive(Debug, clap::Args)]
pub struct DrawArgs {
    /// The contents: digits for EAN/UPC, `(01)…(10)…` for GS1-128 and DataMatrix, a URL or
    /// text for QR.
    contents: String,
    /// Output PNG file.
    out: PathBuf,
    #[arg(long, value_enum, default_value = "ean13")]
    format: Format,
    /// Picture size in pixels, WIDTHxHEIGHT.
    #[arg(long, default_value = "600x300")]
    size: String,
}

pub fn draw(args: DrawArgs) -> CliResult {
    let (w, h) = args
        .size
        .split_once('x')
        .and_then(|(w, h)| Some((w.parse::<u32>().ok()?, h.parse::<u32>().ok()?)))
        .ok_or_else(|| {
            invalid(anyhow::anyhow!(
                "--size {:?}: write it as WIDTHxHEIGHT, e.g. 600x300",
                args.size
            ))
        })?;
    let (format, gs1) = match args.format {
        Format::Ean13 => (BarcodeFormat::Ean13, false),
        Format::UpcA => (BarcodeFormat::UpcA, false),
        Format::UpcE => (BarcodeFormat::UpcE, false),
        Format::Ean8 => (BarcodeFormat::Ean8, false),
        Format::Gs1_128 => (BarcodeFormat::Code128, true),
        Format::Qr => (BarcodeFormat::QrCode, false),
        Format::DataMatrix => (BarcodeFormat::DataMatrix, true),
    };
    let picture = decode::render(format, &args.contents, w, h, gs1).map_err(invalid)?;
    picture
        .save(&args.out)
        .with_context(|| format!("writing {}", args.out.display()))?;
    println!("{}", args.out.display());
    Ok(())
}

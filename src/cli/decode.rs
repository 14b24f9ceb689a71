use std::path::PathBuf;

use anyhow::Context;
use kiosk::config::{BarcodeFormat, LoadedConfig};
use kiosk::decode::{self, Decoder};
use serde_json::json;

use super::{CliResult, invalid};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Image files (PNG or JPEG).
    #[arg(required = true)]
    images: Vec<PathBuf>,
    /// One JSON object per line: path, format, text, gtin, error.
    #[arg(long)]
    json: bool,
}

pub fn run(loaded: &LoadedConfig, args: Args) -> CliResult {
    let decoder = Decoder::for_files(&loaded.config.barcode.formats);
    let mut failures = 0;
    for path in &args.images {
        let shown = path.display().to_string();
        let (format, text, gtin, error) = match decoder.file(path) {
            Ok(d) => match d.scan {
                Ok(scan) => (
                    Some(d.format),
                    Some(d.text),
                    Some(scan.gtin.to_string()),
                    None,
                ),
                Err(e) => (Some(d.format), Some(d.text), None, Some(e.to_string())),
            },
            Err(e) => (None, None, None, Some(e.to_string())),
        };
        failures += usize::from(gtin.is_none());
        if args.json {
            let line = json!({"path": shown, "format": format, "text": text, "gtin": gtin, "error": error});
            println!("{line}");
        } else {
            let text = text.map(|t| t.replace('\u{1d}', "<GS>"));
            match (gtin, error) {
                (Some(gtin), _) => println!(
                    "{shown}\t{}\t{}\tGTIN {gtin}",
                    format.unwrap_or_default(),
                    text.unwrap_or_default()
                ),
                (None, Some(error)) => println!(
                    "{shown}\t{}\t{}\terror: {error}",
                    format.unwrap_or_else(|| "-".into()),
                    text.unwrap_or_else(|| "-".into())
                ),
                (None, None) => unreachable!("a failure always carries an error"),
            }
        }
    }
    if failures > 0 {
        return Err(invalid(anyhow::anyhow!(
            "{failures} of {} image(s) gave no product code",
            args.images.len()
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

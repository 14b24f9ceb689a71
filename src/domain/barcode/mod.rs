//! Turns what a scanner reads into a GTIN-14, or an error that says why.
//!
//! Accepted: EAN-13, UPC-A, UPC-E (expanded to UPC-A), EAN-8, GTIN-14, GS1 element strings
//! (plain with GS separators, with an AIM symbology identifier such as `]C1`, or in the
//! human-readable `(01)…(10)…` form) and GS1 Digital Link URIs. Every check digit is verified,
//! so a misread never reaches a catalog lookup.
//!
//! No well-kept crate parses GS1 element strings and Digital Link URIs (the `gs1` crate only
//! validates keys), so the parser lives here, driven by the AI table in [`ai`], and is covered
//! by property tests and a `cargo fuzz` target.

mod ai;
mod digital_link;
mod element_string;
mod gtin;

pub use ai::ApplicationIdentifier;
pub use gtin::{Gtin, gs1_check_digit};

use serde::Serialize;
use thiserror::Error;

/// ASCII group separator: how scanners and rxing transmit FNC1 inside GS1 data.
pub const GS: char = '\u{1d}';

/// The symbology the scanner reported, when it knows it (the camera does; a keyboard-wedge
/// scanner or the on-screen keypad does not). It resolves ambiguous input such as 8 digits,
/// which may be an EAN-8 or a UPC-E.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Symbology {
    Ean13,
    UpcA,
    UpcE,
    Ean8,
    Code128,
    Gs1_128,
    QrCode,
    DataMatrix,
}

/// How the GTIN was carried, after parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Carrier {
    Ean13,
    UpcA,
    UpcE,
    Ean8,
    Gtin14,
    ElementString,
    DigitalLink,
}

/// A successfully parsed scan: the GTIN plus the GS1 attributes that came with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scan {
    pub gtin: Gtin,
    pub carrier: Carrier,
    /// AI 10: batch or lot number.
    pub batch: Option<String>,
    /// AI 21: serial number.
    pub serial: Option<String>,
    /// AI 17: expiry date as `YYMMDD`.
    pub expiry: Option<String>,
}

impl Scan {
    fn plain(gtin: Gtin, carrier: Carrier) -> Self {
        Self {
            gtin,
            carrier,
            batch: None,
            serial: None,
            expiry: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BarcodeError {
    #[error("nothing was scanned")]
    Empty,
    #[error(
        "unexpected character {found:?} at position {position}; a product code has digits only"
    )]
    NotDigit { position: usize, found: char },
    #[error(
        "{len} digits is not a product code length (EAN-8 has 8, UPC-A 12, EAN-13 13, GTIN-14 14)"
    )]
    WrongLength { len: usize },
    #[error(
        "wrong check digit: expected {expected}, found {found} (probably a misread; scan again)"
    )]
    CheckDigit { expected: u8, found: u8 },
    #[error("not a UPC-E code: {0}")]
    UpcE(&'static str),
    #[error("GS1 data: {0}")]
    ElementString(String),
    #[error("GS1 Digital Link: {0}")]
    DigitalLink(String),
    #[error("the code carries no GTIN (AI 01), so it does not identify a product")]
    NoGtin,
}

/// Digits as printed under the barcode, in the label's groups (thin spaces between): EAN-13
/// `4 012345 001013`, UPC-A `0 12345 67890 5`, EAN-8 `1234 5678`, GTIN-14
/// `0 40 12345 00101 3`. While the number is still being typed it is grouped as EAN-13, the
/// commonest on shoe tags.
pub fn group_as_on_label(digits: &str) -> String {
    let groups: &[usize] = match digits.chars().count() {
        8 => &[4, 4],
        12 => &[1, 5, 5, 1],
        14 => &[1, 2, 5, 5, 1],
        _ => &[1, 6, 6],
    };
    let mut out = String::new();
    let mut chars = digits.chars();
    for (i, size) in groups.iter().enumerate() {
        let part: String = chars.by_ref().take(*size).collect();
        if part.is_empty() {
            break;
        }
        if i > 0 {
            out.push('\u{2009}');
        }
        out.push_str(&part);
    }
    let rest: String = chars.collect();
    if !rest.is_empty() {
        out.push('\u{2009}');
        out.push_str(&rest);
    }
    out
}

/// Parses scanner output into a [`Scan`].
///
/// `symbology` is what the decoder reported, if anything. Leading and trailing whitespace (a
/// keyboard-wedge scanner's Enter) is ignored.
pub fn parse(text: &str, symbology: Option<Symbology>) -> Result<Scan, BarcodeError> {
    let text = text.trim_matches(|c: char| c.is_whitespace() && c != GS);
    if text.is_empty() {
        return Err(BarcodeError::Empty);
    }
    if let Some(rest) = strip_gs1_symbology_identifier(text) {
        return element_string::parse(rest);
    }
    let lower = text
        .get(..8)
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return digital_link::parse(text);
    }
    if text.starts_with('(') || text.contains(GS) {
        return element_string::parse(text);
    }
    match symbology {
        Some(Symbology::Gs1_128) => element_string::parse(text),
        // A plain Code 128 holding more than a GTIN-14 is GS1 data whose FNC1 the scanner
        // dropped; a bare 14-digit payload is a GTIN-14.
        Some(Symbology::Code128) if text.len() > 14 => element_string::parse(text),
        Some(Symbology::UpcE) => parse_upc_e(text),
        Some(Symbology::Ean8) => parse_digits(text, Carrier::Ean8),
        // Eight digits are an EAN-8 or a UPC-E only in those symbols' own bars; in a Code 128
        // or a 2D symbol they are some other number (a store's own code), not a product.
        Some(Symbology::Code128 | Symbology::QrCode | Symbology::DataMatrix)
            if text.chars().count() == 8 =>
        {
            Err(BarcodeError::NoGtin)
        }
        _ if text.len() > 14 && text.starts_with("01") => element_string::parse(text),
        _ => parse_digits_any(text),
    }
}

/// `]C1` (GS1-128), `]e0` (DataBar), `]d2` (GS1 DataMatrix), `]Q3` (GS1 QR), `]J1` (GS1 DotCode).
fn strip_gs1_symbology_identifier(text: &str) -> Option<&str> {
    ["]C1", "]e0", "]d2", "]Q3", "]J1"]
        .iter()
        .find_map(|id| text.strip_prefix(id))
}

/// The decimal digits of `text`, or the first character that is not one.
pub(crate) fn digits(text: &str) -> Result<Vec<u8>, BarcodeError> {
    text.chars()
        .enumerate()
        .map(|(i, c)| {
            c.to_digit(10)
                .map(|d| d as u8)
                .ok_or(BarcodeError::NotDigit {
                    position: i + 1,
                    found: c,
                })
        })
        .collect()
}

/// Digits typed or wedged in without a symbology: decide by length.
fn parse_digits_any(text: &str) -> Result<Scan, BarcodeError> {
    let carrier = match text.chars().count() {
        8 => {
            // 8 digits are an EAN-8 or a UPC-E. Take whichever check digit holds; when both
            // hold, EAN-8 wins, as it is what an 8-digit code on a European shoe box is.
            return parse_digits(text, Carrier::Ean8).or_else(|ean8_err| {
                if text.starts_with(['0', '1']) {
                    parse_upc_e(text).map_err(|_| ean8_err)
                } else {
                    Err(ean8_err)
                }
            });
        }
        12 => Carrier::UpcA,
        13 => Carrier::Ean13,
        14 => Carrier::Gtin14,
        len => {
            digits(text)?;
            return Err(BarcodeError::WrongLength { len });
        }
    };
    parse_digits(text, carrier)
}

fn parse_digits(text: &str, carrier: Carrier) -> Result<Scan, BarcodeError> {
    let ds = digits(text)?;
    let expected_len = match carrier {
        Carrier::Ean8 => 8,
        Carrier::UpcA => 12,
        Carrier::Ean13 => 13,
        _ => 14,
    };
    if ds.len() != expected_len {
        return Err(BarcodeError::WrongLength { len: ds.len() });
    }
    Ok(Scan::plain(Gtin::from_digits(&ds)?, carrier))
}

fn parse_upc_e(text: &str) -> Result<Scan, BarcodeError> {
    let ds = digits(text)?;
    if ds.len() != 8 {
        return Err(BarcodeError::WrongLength { len: ds.len() });
    }
    let upc_a = expand_upc_e(&ds)?;
    Ok(Scan::plain(Gtin::from_digits(&upc_a)?, Carrier::UpcE))
}

/// Expands an 8-digit UPC-E (number system, six digits, check digit) into its 12-digit UPC-A.
pub fn expand_upc_e(ds: &[u8]) -> Result<Vec<u8>, BarcodeError> {
    let [ns, d1, d2, d3, d4, d5, d6, check] = ds else {
        return Err(BarcodeError::UpcE("a UPC-E has 8 digits"));
    };
    if *ns > 1 {
        return Err(BarcodeError::UpcE("the number system digit must be 0 or 1"));
    }
    let middle: [u8; 10] = match d6 {
        0..=2 => [*d1, *d2, *d6, 0, 0, 0, 0, *d3, *d4, *d5],
        3 => [*d1, *d2, *d3, 0, 0, 0, 0, 0, *d4, *d5],
        4 => [*d1, *d2, *d3, *d4, 0, 0, 0, 0, 0, *d5],
        _ => [*d1, *d2, *d3, *d4, *d5, 0, 0, 0, 0, *d6],
    };
    let mut upc_a = Vec::with_capacity(12);
    upc_a.push(*ns);
    upc_a.extend_from_slice(&middle);
    upc_a.push(*check);
    Ok(upc_a)
}

#[cfg(test)]
mod tests;

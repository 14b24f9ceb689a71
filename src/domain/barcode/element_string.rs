//! GS1 element strings: `01095060001343521012AB<GS>17270101`, or the human-readable form
//! `(01)09506000134352(10)12AB(17)270101` that people type from under the barcode.

use super::ai::{self, DataLength};
use super::{BarcodeError, Carrier, GS, Gtin, Scan};

/// One AI and its value, in the order they appeared.
pub type Element = (String, String);

pub fn parse(text: &str) -> Result<Scan, BarcodeError> {
    let elements = if text.starts_with('(') {
        split_parenthesised(text)?
    } else {
        split_raw(text)?
    };
    scan_from_elements(&elements, Carrier::ElementString)
}

/// Builds a [`Scan`] from parsed elements: AI 01 is required; 10, 21 and 17 are kept.
pub fn scan_from_elements(elements: &[Element], carrier: Carrier) -> Result<Scan, BarcodeError> {
    let mut scan: Option<Scan> = None;
    let (mut batch, mut serial, mut expiry) = (None, None, None);
    for (code, value) in elements {
        match code.as_str() {
            "01" => {
                let digits: Vec<u8> = value.bytes().map(|b| b - b'0').collect();
                let gtin = Gtin::from_digits(&digits)?;
                scan = Some(Scan {
                    gtin,
                    carrier,
                    batch: None,
                    serial: None,
                    expiry: None,
                });
            }
            "10" => batch = Some(value.clone()),
            "21" => serial = Some(value.clone()),
            "17" => {
                check_yymmdd(value)
                    .map_err(|why| err(format!("AI 17 (USE BY) {value:?}: {why}")))?;
                expiry = Some(value.clone());
            }
            _ => {}
        }
    }
    let mut scan = scan.ok_or(BarcodeError::NoGtin)?;
    scan.batch = batch;
    scan.serial = serial;
    scan.expiry = expiry;
    Ok(scan)
}

fn err(message: String) -> BarcodeError {
    BarcodeError::ElementString(message)
}

fn check_yymmdd(value: &str) -> Result<(), &'static str> {
    let month: u32 = value
        .get(2..4)
        .and_then(|m| m.parse().ok())
        .ok_or("not a date")?;
    let day: u32 = value
        .get(4..6)
        .and_then(|d| d.parse().ok())
        .ok_or("not a date")?;
    if !(1..=12).contains(&month) {
        return Err("month must be 01 to 12");
    }
    // Day 00 means "end of the month" in GS1 dates.
    if day > 31 {
        return Err("day must be 00 to 31");
    }
    Ok(())
}

/// Splits concatenated element strings using the AI table; variable-length values end at a GS.
fn split_raw(text: &str) -> Result<Vec<Element>, BarcodeError> {
    let mut elements = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after_gs) = rest.strip_prefix(GS) {
            // A GS after a fixed-length value is redundant but allowed.
            rest = after_gs;
            continue;
        }
        let (ai, code_len) = ai::lookup(rest).ok_or_else(|| {
            let shown: String = rest.chars().take(4).collect();
            err(format!(
                "unknown Application Identifier at {shown:?} (position {})",
                text.len() - rest.len() + 1
            ))
        })?;
        let code = &rest[..code_len];
        let data = &rest[code_len..];
        let value_len = match ai.data {
            DataLength::Fixed(n) => {
                if data.len() < n || !data.is_char_boundary(n) {
                    return Err(err(format!(
                        "AI {code} ({}) needs {n} characters, found {} (the code is cut short)",
                        ai.title,
                        data.chars().take_while(|c| *c != GS).count()
                    )));
                }
                n
            }
            DataLength::UpTo(_) => data.find(GS).unwrap_or(data.len()),
        };
        let value = &data[..value_len];
        ai.check_value(code, value).map_err(err)?;
        elements.push((code.to_owned(), value.to_owned()));
        rest = &data[value_len..];
    }
    if elements.is_empty() {
        return Err(err("no element strings found".to_owned()));
    }
    Ok(elements)
}

/// Splits `(AI)value(AI)value…`.
fn split_parenthesised(text: &str) -> Result<Vec<Element>, BarcodeError> {
    let mut elements = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let after_open = rest
            .strip_prefix('(')
            .ok_or_else(|| err(format!("expected '(' before {rest:?}")))?;
        let close = after_open
            .find(')')
            .ok_or_else(|| err("an Application Identifier is missing its ')'".to_owned()))?;
        let code = &after_open[..close];
        let ai = ai::by_code(code)
            .ok_or_else(|| err(format!("unknown Application Identifier ({code})")))?;
        let data = &after_open[close + 1..];
        let value_len = data.find('(').unwrap_or(data.len());
        let value = &data[..value_len];
        ai.check_value(code, value).map_err(err)?;
        elements.push((code.to_owned(), value.to_owned()));
        rest = &data[value_len..];
    }
    Ok(elements)
}

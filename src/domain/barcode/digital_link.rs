//! GS1 Digital Link URIs, e.g. `https://id.example.com/01/09506000134352/10/ABC?17=270101`.
//! Any domain and any path prefix are accepted; the GS1 part starts at the `01` (or `gtin`)
//! segment. Key qualifiers (22, 10, 21) follow in the path; data attributes come as query
//! parameters whose names are AIs; other query parameters (`linkType`, …) are ignored.

use url::Url;

use super::ai;
use super::element_string::{Element, scan_from_elements};
use super::{BarcodeError, Carrier, Scan};

fn err(message: impl Into<String>) -> BarcodeError {
    BarcodeError::DigitalLink(message.into())
}

pub fn parse(text: &str) -> Result<Scan, BarcodeError> {
    let url = Url::parse(text).map_err(|e| err(format!("not a valid URI ({e})")))?;
    let segments: Vec<String> = url
        .path_segments()
        .map(|segs| segs.map(percent_decode).collect::<Result<Vec<_>, _>>())
        .transpose()?
        .unwrap_or_default();

    let start = segments
        .iter()
        .position(|s| s == "01" || s == "gtin")
        .ok_or_else(|| err("no /01/ segment, so no GTIN (is this a GS1 Digital Link?)"))?;
    let mut elements: Vec<Element> = Vec::new();
    let mut path = segments[start..].iter().filter(|s| !s.is_empty());
    while let Some(key) = path.next() {
        let code = if key == "gtin" { "01" } else { key.as_str() };
        let ai = ai::by_code(code).ok_or_else(|| err(format!("unknown path key /{key}/")))?;
        let value = path.next().ok_or_else(|| {
            err(format!(
                "/{key}/ has no value after it (the link is cut short)"
            ))
        })?;
        let value = if code == "01" {
            pad_gtin(value)?
        } else {
            value.clone()
        };
        ai.check_value(code, &value).map_err(err)?;
        elements.push((code.to_owned(), value));
    }
    for (key, value) in url.query_pairs() {
        if !key.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let ai = ai::by_code(&key).ok_or_else(|| err(format!("unknown query key {key}=")))?;
        ai.check_value(&key, &value).map_err(err)?;
        elements.push((key.into_owned(), value.into_owned()));
    }
    scan_from_elements(&elements, Carrier::DigitalLink)
}

/// Digital Link allows GTIN-8/12/13 in the path; GS1 pads them to 14 digits.
fn pad_gtin(value: &str) -> Result<String, BarcodeError> {
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err(format!("the GTIN {value:?} must be digits only")));
    }
    match value.len() {
        8 | 12 | 13 | 14 => Ok(format!("{value:0>14}")),
        n => Err(err(format!(
            "the GTIN after /01/ has {n} digits; expected 14 (or 8, 12, 13) — the link may be cut short"
        ))),
    }
}

fn percent_decode(segment: &str) -> Result<String, BarcodeError> {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| {
            err(format!(
                "path segment {segment:?} is not valid UTF-8 once decoded"
            ))
        })
}

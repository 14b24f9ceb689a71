//! Feeds arbitrary scanner output to the barcode parser. It must never panic, and whatever it
//! accepts must be a GTIN whose check digit holds and that parses back to itself.
#![no_main]

use kiosk::domain::barcode::{self, Symbology};
use libfuzzer_sys::fuzz_target;

const SYMBOLOGIES: [Option<Symbology>; 9] = [
    None,
    Some(Symbology::Ean13),
    Some(Symbology::UpcA),
    Some(Symbology::UpcE),
    Some(Symbology::Ean8),
    Some(Symbology::Code128),
    Some(Symbology::Gs1_128),
    Some(Symbology::QrCode),
    Some(Symbology::DataMatrix),
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    let symbology = SYMBOLOGIES[usize::from(selector) % SYMBOLOGIES.len()];
    if let Ok(scan) = barcode::parse(&text, symbology) {
        let again = barcode::parse(&scan.gtin.to_string(), None).expect("a parsed GTIN re-parses");
        assert_eq!(again.gtin, scan.gtin);
    }
});

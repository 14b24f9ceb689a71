//! Feeds arbitrary bytes to the POS stock-file checker. It must never panic: a bad file is an
//! error that names its lines.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = kiosk::domain::stock::check_stock_file(data);
});

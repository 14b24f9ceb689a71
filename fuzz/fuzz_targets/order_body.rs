//! Feeds arbitrary bytes, as an order request body, to the reference warehouse's reading and
//! checking of it (strict JSON, shopper text, checked totals). It must never panic.
#![no_main]

use kiosk::warehouse::server::WarehouseStore;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = WarehouseStore::check_order_body(data);
});

//! Feeds arbitrary bytes, as a mapped inventory API's answer, to the mapping's reader. It must
//! never panic (huge numbers, wrong kinds, missing items): errors name the JSON Pointer.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kiosk::warehouse::mapped::read_answer_for_fuzzing(data);
});

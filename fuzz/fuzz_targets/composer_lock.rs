#![no_main]
// The fuzz target `composer_lock`: see crates/fuzzing/src/lib.rs.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = portcullis_fuzzing::target("composer_lock").expect("a target of crates/fuzzing")(data);
});

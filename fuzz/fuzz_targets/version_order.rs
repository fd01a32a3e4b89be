#![no_main]
// The fuzz target `version_order`: see crates/fuzzing/src/lib.rs.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = portcullis_fuzzing::target("version_order").expect("a target of crates/fuzzing")(data);
});

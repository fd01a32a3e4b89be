#![no_main]
// The fuzz target `layer_tar`: see crates/fuzzing/src/lib.rs.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = portcullis_fuzzing::target("layer_tar").expect("a target of crates/fuzzing")(data);
});

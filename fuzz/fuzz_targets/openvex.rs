#![no_main]
// The fuzz target `openvex`: see crates/fuzzing/src/lib.rs.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = portcullis_fuzzing::target("openvex").expect("a target of crates/fuzzing")(data);
});

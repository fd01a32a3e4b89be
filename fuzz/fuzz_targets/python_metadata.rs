#![no_main]
// The fuzz target `python_metadata`: see crates/fuzzing/src/lib.rs.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = portcullis_fuzzing::target("python_metadata").expect("a target of crates/fuzzing")(data);
});

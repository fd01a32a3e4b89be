#![no_main]
// The fuzz target `target_file`: see crates/fuzzing/src/lib.rs.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = portcullis_fuzzing::target("target_file").expect("a target of crates/fuzzing")(data);
});

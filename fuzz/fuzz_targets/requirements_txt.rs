#![no_main]
// The fuzz target `requirements_txt`: see crates/fuzzing/src/lib.rs.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = portcullis_fuzzing::target("requirements_txt").expect("a target of crates/fuzzing")(data);
});

#![no_main]
// The fuzz target `gemspec`: see crates/fuzzing/src/lib.rs.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = portcullis_fuzzing::target("gemspec").expect("a target of crates/fuzzing")(data);
});

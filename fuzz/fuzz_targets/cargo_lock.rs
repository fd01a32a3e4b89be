#![no_main]
// The fuzz target `cargo_lock`: see crates/fuzzing/src/lib.rs.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = portcullis_fuzzing::target("cargo_lock").expect("a target of crates/fuzzing")(data);
});

#![no_main]
// The fuzz target `apk_installed`: see crates/fuzzing/src/lib.rs.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = portcullis_fuzzing::target("apk_installed").expect("a target of crates/fuzzing")(data);
});

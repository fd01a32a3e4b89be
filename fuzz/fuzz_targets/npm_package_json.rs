#![no_main]
// The fuzz target `npm_package_json`: see crates/fuzzing/src/lib.rs.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = portcullis_fuzzing::target("npm_package_json").expect("a target of crates/fuzzing")(data);
});
